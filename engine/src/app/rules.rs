//! `ward rules`: every rule the loaded plugins and packs can report, as a
//! listing or as the Markdown reference in `docs/rules/`.

use serde::Serialize;
use ward_plugin_sdk::RuleInfo;

use super::cli::{RulesArgs, RulesFormat};
use super::output::{write_stdout, EXIT_CLEAN};
use super::setup::{load_all, resolve_config, start_dir};
use crate::registry;
use crate::source::write::write_atomically;

/// A rule as `--format json` lists it: its metadata and who defines it.
#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    rule: &'a RuleInfo,
    /// The plugin or pack that defines it.
    plugin: &'a str,
}

pub(super) fn run(list: &RulesArgs) -> miette::Result<u8> {
    let args = &list.plugin;
    let start = start_dir(&[]);
    let config = resolve_config(args, &start)?;
    let loaded = load_all(args, &config)?;
    let mut rules: Vec<&registry::Registered> = loaded.registry.rules().iter().collect();
    rules.sort_by(|a, b| a.rule.id.cmp(&b.rule.id));
    if list.format != RulesFormat::Markdown && list.output.is_some() {
        return Err(miette::miette!(
            "--output writes the Markdown pages; add --format markdown"
        ));
    }
    let text = match list.format {
        RulesFormat::Json => {
            let rows: Vec<Row<'_>> = rules
                .iter()
                .map(|r| Row {
                    rule: &r.rule,
                    plugin: &r.source,
                })
                .collect();
            let json = serde_json::to_string_pretty(&rows)
                .map_err(|e| miette::miette!("cannot write the rules as JSON: {e}"))?;
            format!("{json}\n")
        }
        RulesFormat::Markdown => {
            let pages = registry::markdown_pages(&loaded.registry);
            let Some(dir) = &list.output else {
                // One stream: each page after a line naming its file.
                let text: String = pages
                    .iter()
                    .map(|(name, page)| format!("<!-- {name} -->\n{page}\n"))
                    .collect();
                write_stdout(&text)?;
                return Ok(EXIT_CLEAN);
            };
            std::fs::create_dir_all(dir)
                .map_err(|e| miette::miette!("cannot create {}: {e}", dir.display()))?;
            for (name, page) in &pages {
                let path = dir.join(name);
                write_atomically(&path, page.as_bytes())
                    .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))?;
            }
            eprintln!(
                "ward: wrote {} pages of {} rules to {}",
                pages.len(),
                rules.len(),
                dir.display()
            );
            return Ok(EXIT_CLEAN);
        }
        RulesFormat::Text => {
            let width = rules.iter().map(|r| r.rule.id.len()).max().unwrap_or(0);
            rules
                .iter()
                .map(|r| {
                    format!(
                        "{:width$}  {:7}  {}{}\n",
                        r.rule.id,
                        r.rule.default_severity.as_str(),
                        r.rule.summary,
                        if r.rule.fixable { " (fixable)" } else { "" }
                    )
                })
                .collect()
        }
    };
    write_stdout(&text)?;
    Ok(EXIT_CLEAN)
}
