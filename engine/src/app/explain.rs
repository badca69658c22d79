//! `ward explain RULE`: a rule's documentation.

use super::cli::ExplainArgs;
use super::output::{write_stdout, EXIT_CLEAN};
use super::setup::{load_all, resolve_config, start_dir};

pub(super) fn run(args: &ExplainArgs) -> miette::Result<u8> {
    let config = resolve_config(&args.plugin, &start_dir(&[]))?;
    let loaded = load_all(&args.plugin, &config)?;
    let registry = &loaded.registry;
    let Some(rule) = registry.get(&args.rule).map(|r| &r.rule) else {
        let prefix = args.rule.split('/').next().unwrap_or_default();
        let mut near: Vec<&str> = registry
            .ids()
            .filter(|id| id.starts_with(prefix) || id.contains(args.rule.as_str()))
            .collect();
        near.truncate(8);
        let help = if near.is_empty() {
            "`ward rules` lists every rule".to_string()
        } else {
            format!("did you mean one of: {}", near.join(", "))
        };
        return Err(miette::miette!(help = help, "unknown rule `{}`", args.rule));
    };
    let mut text = format!(
        "{}\n\n{}\n\ndefault severity: {}{}; category: {}; runs on: {} files\n",
        rule.id,
        rule.summary,
        rule.default_severity,
        if rule.fixable { "; fixable" } else { "" },
        rule.category_or_default(),
        rule.classes_or_default().join(", ")
    );
    if rule.off_by_default {
        text.push_str(&format!(
            "off by default: `\"{}\" = \"{}\"` in [rules] runs it\n",
            rule.id, rule.default_severity
        ));
    }
    if !rule.docs.is_empty() {
        text.push('\n');
        text.push_str(rule.docs.trim_end());
        text.push('\n');
    }
    write_stdout(&text)?;
    Ok(EXIT_CLEAN)
}
