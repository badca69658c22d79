//! `ward explain-config PATH`: which configs apply to a file, and where
//! each of its rule severities and plugin settings comes from.

use super::cli::ExplainConfigArgs;
use super::output::{write_stdout, EXIT_CLEAN};
use super::setup::{load_all, resolve_config, resolved_root, start_dir, switch_off_defaults};
use crate::config::policy::Level;
use crate::config::Config;
use crate::source;

pub(super) fn run(args: &ExplainConfigArgs) -> miette::Result<u8> {
    let start = start_dir(std::slice::from_ref(&args.path));
    let root = resolved_root(&start);
    let mut config = resolve_config(&args.plugin, &root)?;
    let loaded = load_all(&args.plugin, &config)?;
    switch_off_defaults(&mut config, &loaded.registry);
    let mut tree = source::Tree::default();
    let path = source::relative(&root, &source::absolute(&args.path));
    if args.plugin.config.is_none() {
        super::nested::attach(
            &mut config,
            &mut tree,
            &root,
            std::slice::from_ref(&args.path),
            &loaded.registry,
            false,
        )?;
    }
    // A directory stands for a file in it.
    let probe = if root.join(&path).is_dir() {
        format!("{path}/{}", "_")
            .trim_start_matches('/')
            .to_string()
    } else {
        path.clone()
    };
    let chain = config.nested.chain(&probe);
    let mut applying: Vec<(String, &Config)> = Vec::new();
    if chain.inherits_root {
        let name = config
            .file
            .as_ref()
            .map_or("(no config: the defaults)".to_string(), |f| shown(&root, f));
        applying.push((name, &config));
    }
    for layer in chain.layers() {
        let mut name = shown(&root, &layer.file);
        if layer.config.root {
            name.push_str(" (root = true)");
        }
        applying.push((name, &layer.config));
    }
    let mut text = format!("{path}\n\nconfigs, outermost first (a nearer one wins):\n");
    for (name, _) in &applying {
        text.push_str(&format!("  {name}\n"));
    }
    let excluded = config.exclude.is_match(&path) || config.nested.excludes(&path);
    text.push_str(&format!(
        "\nexcluded: {}\n",
        if excluded { "yes" } else { "no" }
    ));
    text.push_str("\nrule severities the configs set here:\n");
    let mut any = false;
    for registered in loaded.registry.rules() {
        let rule = &registered.rule;
        let mut decided = None;
        for (name, layer) in &applying {
            let mut level = None;
            layer.levels(&rule.id, &probe, &mut level);
            if level.is_some() {
                decided = Some((level, name.as_str()));
            }
        }
        let Some((Some(level), by)) = decided else {
            continue;
        };
        let effective = match level {
            Level::Off => "off".to_string(),
            Level::On(severity) => severity.to_string(),
        };
        if matches!(level, Level::On(s) if s == rule.default_severity) {
            continue;
        }
        if rule.off_by_default && matches!(level, Level::Off) {
            continue;
        }
        any = true;
        text.push_str(&format!(
            "  {} = {effective} (default {}; {by})\n",
            rule.id, rule.default_severity
        ));
    }
    if !any {
        text.push_str("  none: every rule at its default\n");
    }
    text.push_str("\nplugin settings, in the order they apply:\n");
    let mut settings = false;
    for (name, layer) in &applying {
        for (plugin, (table, _)) in &layer.plugin_settings {
            settings = true;
            text.push_str(&format!("  [plugins.{plugin}] {table} ({name})\n"));
        }
    }
    if !settings {
        text.push_str("  none\n");
    }
    write_stdout(&text)?;
    Ok(EXIT_CLEAN)
}

fn shown(root: &std::path::Path, file: &std::path::Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string()
}
