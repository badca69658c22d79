//! `ward rules`: every rule the loaded plugins and packs can report.

use super::cli::{RulesArgs, RulesFormat};
use super::output::{write_stdout, EXIT_CLEAN};
use super::setup::{load_all, resolve_config, start_dir};

pub(super) fn run(list: &RulesArgs) -> miette::Result<u8> {
    let args = &list.plugin;
    let start = start_dir(&[]);
    let config = resolve_config(args, &start)?;
    let loaded = load_all(args, &config)?;
    let mut rules = loaded.rules();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let text = match list.format {
        RulesFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&rules).unwrap_or_default()
        ),
        RulesFormat::Text => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            rules
                .iter()
                .map(|r| {
                    format!(
                        "{:width$}  {:7}  {}{}\n",
                        r.id,
                        r.default_severity.as_str(),
                        r.summary,
                        if r.fixable { " (fixable)" } else { "" }
                    )
                })
                .collect()
        }
    };
    write_stdout(&text);
    Ok(EXIT_CLEAN)
}
