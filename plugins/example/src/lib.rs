//! An example ward plugin, written as a team outside the ward repository would.
//!
//! - `example/do-not-commit` (per file): a configured phrase, by default
//!   `DO NOT COMMIT`, left in a file.
//! - `example/missing-readme` (per repository): no README at the top.
//!
//! Configure it in `ward.toml`:
//!
//! ```toml
//! [[plugin]]
//! path = "target/release/libward_plugin_example.so"
//!
//! [plugins.example]
//! phrases = ["DO NOT COMMIT", "nocommit"]
//! ```

use serde::Deserialize;
use ward_plugin_sdk::{
    export_plugin, File, Finding, LineIndex, Manifest, PluginConfig, Repo, RuleInfo, Severity,
    Validator,
};

/// The `[plugins.example]` table.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Settings {
    phrases: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            phrases: vec!["DO NOT COMMIT".into()],
        }
    }
}

/// The validator.
pub struct Example {
    phrases: Vec<String>,
}

impl Validator for Example {
    fn manifest() -> Manifest {
        Manifest {
            name: "example".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Example plugin: forbidden phrases and a required README".into(),
            rules: vec![
                RuleInfo {
                    id: "example/do-not-commit".into(),
                    summary: "A phrase that marks work not meant to be committed".into(),
                    default_severity: Severity::Error,
                    docs: "## Bad\n```text\n// DO NOT COMMIT: debug hack\n```\n\n## Good\n```text\n// (the hack removed)\n```".into(),
                    fixable: false,
                    // A phrase on a line: judged line by line, so it also
                    // runs on files too large to hold whole.
                    line_local: true,
                    category: ward_plugin_sdk::category::HYGIENE.into(),
                    tally_by_directory: false,
                    classes: Vec::new(),
                    off_by_default: false,
                },
                RuleInfo {
                    id: "example/missing-readme".into(),
                    summary: "The repository has no README at its top".into(),
                    default_severity: Severity::Warning,
                    docs: "## Bad\nA repository with only `src/`.\n\n## Good\nA `README.md` beside `src/`.".into(),
                    fixable: false,
                    line_local: false,
                    category: ward_plugin_sdk::category::HYGIENE.into(),
                    tally_by_directory: false,
                    classes: Vec::new(),
                    off_by_default: false,
                },
            ],
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        let settings: Settings = config.settings()?;
        if settings.phrases.iter().any(String::is_empty) {
            return Err("phrases must not be empty strings".into());
        }
        Ok(Example {
            phrases: settings.phrases,
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        if file.is_binary {
            return;
        }
        let mut index = None;
        for phrase in &self.phrases {
            let needle = phrase.as_bytes();
            let mut from = 0;
            while let Some(at) = find(&file.bytes[from..], needle) {
                let start = from + at;
                let index = index.get_or_insert_with(|| LineIndex::new(file.bytes));
                out.push(
                    Finding::new(
                        "example/do-not-commit",
                        format!("`{phrase}` left in the file"),
                    )
                    .at(index.span(start, start + needle.len())),
                );
                from = start + needle.len();
            }
        }
    }

    fn check_repo(&self, repo: &Repo<'_>, out: &mut Vec<Finding>) {
        let has_readme = repo
            .entries()
            .iter()
            .any(|e| !e.path.contains('/') && e.path.to_ascii_lowercase().starts_with("readme"));
        if !has_readme {
            out.push(Finding::new(
                "example/missing-readme",
                "no README file at the top of the repository",
            ));
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

export_plugin!(Example);

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8]) -> Vec<Finding> {
        let plugin = Example::new(&PluginConfig::default()).unwrap();
        let mut out = Vec::new();
        plugin.check_file(
            &File {
                path: "a.rs",
                bytes,
                is_binary: false,
                mode: 0o644,
            },
            &mut out,
        );
        out
    }

    #[test]
    fn finds_every_phrase_with_its_position() {
        let found = check(b"ok\nx // DO NOT COMMIT\nDO NOT COMMIT\n");
        let at: Vec<_> = found.iter().map(|f| (f.span.line, f.span.column)).collect();
        assert_eq!(at, [(2, 6), (3, 1)]);
    }

    #[test]
    fn clean_file_has_no_finding() {
        assert!(check(b"fn main() {}\n").is_empty());
    }

    #[test]
    fn empty_phrase_is_refused() {
        let config = PluginConfig {
            settings: serde_json::json!({"phrases": [""]}),
            ..Default::default()
        };
        assert!(Example::new(&config).is_err());
    }
}
