//! A plugin written against the frozen ABI 1 SDK: one per-file rule with a
//! setting, one repository rule, so both entry points and the config path
//! cross the boundary.

use serde::Deserialize;
use ward_plugin_sdk::{
    export_plugin, File, Finding, LineIndex, Manifest, PluginConfig, Repo, RuleInfo, Severity,
    Validator,
};

#[derive(Deserialize)]
#[serde(default)]
struct Settings {
    word: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            word: "legacy".into(),
        }
    }
}

pub struct Abi1 {
    word: String,
}

impl Validator for Abi1 {
    fn manifest() -> Manifest {
        Manifest {
            name: "abi1".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "A plugin built against the ABI 1 SDK".into(),
            rules: vec![
                RuleInfo {
                    id: "abi1/word".into(),
                    summary: "The configured word".into(),
                    default_severity: Severity::Warning,
                    docs: String::new(),
                    fixable: false,
                },
                RuleInfo {
                    id: "abi1/files".into(),
                    summary: "How many files the repository has".into(),
                    default_severity: Severity::Info,
                    docs: String::new(),
                    fixable: false,
                },
            ],
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        let settings: Settings = config.settings()?;
        Ok(Abi1 {
            word: settings.word,
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        let needle = self.word.as_bytes();
        if needle.is_empty() {
            return;
        }
        if let Some(at) = file.bytes.windows(needle.len()).position(|w| w == needle) {
            let index = LineIndex::new(file.bytes);
            out.push(
                Finding::new("abi1/word", format!("`{}` found", self.word))
                    .at(index.span(at, at + needle.len())),
            );
        }
    }

    fn check_repo(&self, repo: &Repo<'_>, out: &mut Vec<Finding>) {
        out.push(Finding::new(
            "abi1/files",
            format!("{} entries", repo.entries().len()),
        ));
    }
}

export_plugin!(Abi1);
