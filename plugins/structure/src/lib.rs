//! ward's `structure` plugin: what a repository must hold, must not hold, and
//! how its paths must look.
//!
//! Per-path rules run in `check_file`, so a commit hook that passes file
//! names catches them; rules about the tree as a whole (required files,
//! case conflicts, directory names, symlinks) run in `check_repo`. Each rule
//! lives in its own module under `rules/`; [`RULES`] registers them.

mod config;
mod content;
mod naming;
mod rules;

use std::collections::HashSet;

use ward_plugin_sdk::{
    EntryKind, File, Finding, Manifest, PluginConfig, Repo, RuleInfo, Validator,
};

use config::Compiled;
pub use config::Settings;
use rules::{
    case_conflict, forbidden_content, forbidden_file, large_file, naming as naming_rule,
    path_length, portable_name, required_content, required_dir, required_file, symlink_escape,
};

/// Every rule of the plugin.
pub const RULES: &[fn() -> RuleInfo] = &[
    required_file::info,
    required_dir::info,
    forbidden_file::info,
    large_file::info,
    case_conflict::info,
    portable_name::info,
    path_length::info,
    naming_rule::info,
    required_content::info,
    forbidden_content::info,
    symlink_escape::info,
];

/// Every rule of the plugin with its docs.
pub fn rules() -> Vec<RuleInfo> {
    RULES.iter().map(|info| info()).collect()
}

/// The validator.
pub struct StructurePlugin {
    config: Compiled,
    enabled: HashSet<&'static str>,
}

impl StructurePlugin {
    fn on(&self, rule: &str) -> bool {
        self.enabled.contains(rule)
    }

    /// The rules about a path's own shape: portable names, length, naming.
    fn check_path(&self, path: &str, is_dir: bool, out: &mut Vec<Finding>) {
        if self.on(portable_name::ID) {
            portable_name::check_path(path, out);
        }
        if self.on(path_length::ID) {
            path_length::check_path(&self.config, path, is_dir, out);
        }
        if self.on(naming_rule::ID) {
            naming_rule::check_path(&self.config, path, is_dir, out);
        }
    }
}

impl Validator for StructurePlugin {
    fn manifest() -> Manifest {
        Manifest {
            name: "structure".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Required and forbidden files, naming, portable names, sizes, symlinks"
                .into(),
            rules: rules(),
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        let settings: Settings = config.settings()?;
        let ids = [
            required_file::ID,
            required_dir::ID,
            forbidden_file::ID,
            large_file::ID,
            case_conflict::ID,
            portable_name::ID,
            path_length::ID,
            naming_rule::ID,
            required_content::ID,
            forbidden_content::ID,
            symlink_escape::ID,
        ];
        Ok(StructurePlugin {
            config: settings.compile()?,
            enabled: ids.into_iter().filter(|id| config.is_enabled(id)).collect(),
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        if self.on(forbidden_file::ID) {
            forbidden_file::check_file(&self.config, file, out);
        }
        if self.on(large_file::ID) {
            large_file::check_file(&self.config, file, out);
        }
        if !file.is_binary {
            if self.on(required_content::ID) {
                required_content::check_file(&self.config, file, out);
            }
            if self.on(forbidden_content::ID) {
                forbidden_content::check_file(&self.config, file, out);
            }
        }
        self.check_path(file.path, false, out);
    }

    fn check_repo(&self, repo: &Repo<'_>, out: &mut Vec<Finding>) {
        let entries = repo.entries();
        if self.on(required_file::ID) {
            required_file::check_repo(&self.config, entries, out);
        }
        if self.on(required_dir::ID) {
            required_dir::check_repo(&self.config, entries, out);
        }
        if self.on(case_conflict::ID) {
            case_conflict::check_repo(entries, out);
        }
        for e in entries {
            match e.kind {
                EntryKind::Dir => self.check_path(e.path, true, out),
                EntryKind::Symlink => self.check_path(e.path, false, out),
                _ => {}
            }
        }
        if self.on(symlink_escape::ID) {
            symlink_escape::check_repo(entries, out);
        }
    }
}

/// Running the plugin, for the rules' tests.
#[cfg(test)]
pub(crate) mod testing {
    pub use crate::StructurePlugin;
    pub use ward_plugin_sdk::{EntryKind, PluginConfig, Repo, RepoEntry, Validator};

    pub fn plugin(settings: serde_json::Value) -> StructurePlugin {
        StructurePlugin::new(&PluginConfig {
            settings,
            enabled_rules: None,
            root: None,
        })
        .unwrap()
    }

    pub fn file_findings(p: &StructurePlugin, path: &str, bytes: &[u8]) -> Vec<(String, String)> {
        ward_plugin_sdk::testing::check_file(p, path, bytes)
            .into_iter()
            .map(|f| (f.rule, f.message))
            .collect()
    }

    pub fn entry<'a>(path: &'a str, kind: EntryKind) -> RepoEntry<'a> {
        RepoEntry {
            path,
            kind,
            size: 0,
            mode: 0o644,
            link_target: None,
        }
    }

    pub fn repo_findings(
        p: &StructurePlugin,
        entries: Vec<RepoEntry<'_>>,
    ) -> Vec<(String, String, String)> {
        let read = |_: &str| Err("no reads".to_string());
        let repo = Repo::new(entries, &read);
        let mut out = Vec::new();
        p.check_repo(&repo, &mut out);
        out.into_iter()
            .map(|f| (f.rule, f.path, f.message))
            .collect()
    }

    pub fn content_plugin() -> StructurePlugin {
        plugin(serde_json::json!({
            "content": {
                "README.md": { "headings": ["Installation", "Usage", "Contributing", "License"] },
                "CHANGELOG.md": { "patterns": ["(?m)^## \\[Unreleased\\]"] },
                "docs/**/*.md": { "forbidden": ["(?i)lorem ipsum", "TBD"] }
            }
        }))
    }

    pub fn placed(
        p: &StructurePlugin,
        path: &str,
        bytes: &[u8],
    ) -> Vec<(String, u32, u32, String)> {
        ward_plugin_sdk::testing::check_file(p, path, bytes)
            .into_iter()
            .map(|f| (f.rule, f.span.line, f.span.column, f.message))
            .collect()
    }
}
