//! ward's `manifest` plugin: configuration and manifest files that do not
//! parse, keys written twice, versions that disagree, and changelogs that do
//! not follow Keep a Changelog.
//!
//! Each rule lives in its own module under `rules/`; [`RULES`] registers
//! them. A file is parsed once for both the syntax and the duplicate-key
//! rule ([`document::Document`]).

mod document;
mod json;
mod rules;
mod xml;
mod yaml;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use ward_plugin_sdk::{File, Finding, Manifest, PluginConfig, Repo, RuleInfo, Validator};

use document::{Document, Kind};
use rules::{changelog_format, duplicate_key, syntax, version_mismatch};

/// Every rule of the plugin.
pub const RULES: &[fn() -> RuleInfo] = &[
    syntax::info,
    duplicate_key::info,
    version_mismatch::info,
    changelog_format::info,
];

/// The plugin's rules.
pub fn rules() -> Vec<RuleInfo> {
    RULES.iter().map(|info| info()).collect()
}

/// The `[plugins.manifest]` table.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// Which top-level files declare the project version.
    pub version_sources: Vec<String>,
    /// JSON files that allow comments, skipped by the JSON checks.
    pub jsonc: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version_sources: version_mismatch::DEFAULT_SOURCES
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
            jsonc: [
                "**/tsconfig*.json",
                "**/jsconfig*.json",
                ".vscode/**",
                "**/.devcontainer/**",
                "**/devcontainer.json",
                "**/*.jsonc",
                "**/.eslintrc.json",
                "**/.cspell.json",
                "**/cspell.json",
                "**/.babelrc",
                "**/.swcrc",
                "**/biome.json",
                "**/deno.json",
                "**/turbo.json",
                "**/language-configuration.json",
            ]
            .iter()
            .map(|s| (*s).to_string())
            .collect(),
        }
    }
}

/// The validator.
pub struct ManifestPlugin {
    version_sources: Vec<String>,
    jsonc: GlobSet,
    syntax: bool,
    duplicate_key: bool,
    version_mismatch: bool,
    changelog_format: bool,
}

impl Validator for ManifestPlugin {
    fn manifest() -> Manifest {
        Manifest {
            name: "manifest".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "JSON, YAML, TOML and XML syntax, duplicate keys, version consistency, changelog format".into(),
            rules: rules(),
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        let settings: Settings = config.settings()?;
        for source in &settings.version_sources {
            if !version_mismatch::DEFAULT_SOURCES.contains(&source.as_str()) {
                return Err(format!(
                    "unknown version source `{source}`: use any of {}",
                    version_mismatch::DEFAULT_SOURCES.join(", ")
                ));
            }
        }
        let mut jsonc = GlobSetBuilder::new();
        for glob in &settings.jsonc {
            jsonc.add(Glob::new(glob).map_err(|e| format!("invalid jsonc glob `{glob}`: {e}"))?);
        }
        Ok(ManifestPlugin {
            version_sources: settings.version_sources,
            jsonc: jsonc.build().map_err(|e| e.to_string())?,
            syntax: config.is_enabled(syntax::ID),
            duplicate_key: config.is_enabled(duplicate_key::ID),
            version_mismatch: config.is_enabled(version_mismatch::ID),
            changelog_format: config.is_enabled(changelog_format::ID),
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        if file.is_binary {
            return;
        }
        let Some(kind) = document::kind_of(file.path) else {
            return;
        };
        // Not UTF-8: text/invalid-utf8 says so; a parser would only repeat it.
        let Ok(text) = std::str::from_utf8(file.bytes) else {
            return;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if kind == Kind::Changelog {
            if self.changelog_format {
                changelog_format::check(text, out);
            }
            return;
        }
        // A template (Hugo, Jinja, Helm: `{{ … }}` or `{% … %}`) becomes the
        // format only once rendered.
        if document::is_template(file.path, text) {
            return;
        }
        // JSON with comments is not JSON: neither rule reads it.
        if kind == Kind::Json && self.jsonc.is_match(file.path) {
            return;
        }
        let document = Document::new(file.bytes, text, kind);
        if self.syntax {
            syntax::check(&document, out);
        }
        if self.duplicate_key {
            duplicate_key::check(&document, out);
        }
    }

    fn check_repo(&self, repo: &Repo<'_>, out: &mut Vec<Finding>) {
        if self.version_mismatch {
            version_mismatch::check(repo, &self.version_sources, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plugin with these settings.
    pub(crate) fn plugin(settings: serde_json::Value) -> ManifestPlugin {
        ManifestPlugin::new(&PluginConfig {
            settings,
            enabled_rules: None,
            root: None,
        })
        .unwrap()
    }

    /// What the plugin reports on one file: `(rule, line, column, message)`.
    pub(crate) fn check(path: &str, text: &str) -> Vec<(String, u32, u32, String)> {
        ward_plugin_sdk::testing::check_file(
            &plugin(serde_json::Value::Null),
            path,
            text.as_bytes(),
        )
        .into_iter()
        .map(|f| (f.rule, f.span.line, f.span.column, f.message))
        .collect()
    }
}
