//! `ward.toml` as serde reads it, before anything is checked or compiled.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Origin};
use super::plugins::RawPluginEntry;
use super::score::ScoreConfig;

/// The raw file, as serde sees it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawConfig {
    #[serde(default)]
    pub(super) exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) rules: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub(super) plugins: BTreeMap<String, toml::Value>,
    #[serde(default)]
    pub(super) plugin: Vec<RawPluginEntry>,
    #[serde(default)]
    pub(super) max_file_size: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub(super) packs: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) extends: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) baseline: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) overrides: Vec<RawOverride>,
    #[serde(default)]
    pub(super) score: Option<ScoreConfig>,
    #[serde(default)]
    pub(super) include_vendored: Option<bool>,
    /// In a config below the repository's root: inherit nothing from the
    /// configs above.
    #[serde(default)]
    pub(super) root: bool,
    #[serde(default)]
    pub(super) classes: RawClasses,
}

/// `[classes]`: globs that give files a class, over what ward decides
/// from their paths and content (`.gitattributes` still have the last word).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawClasses {
    #[serde(default)]
    pub(super) binary: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) generated: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) vendored: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) test_fixture: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) documentation: Vec<Spanned<String>>,
    /// Plain text whatever ward would decide: no class at all.
    #[serde(default)]
    pub(super) text: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOverride {
    pub(super) files: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) rules: BTreeMap<String, Spanned<String>>,
}

/// Puts a nested config's globs under its directory `prefix` (`"sub/"`),
/// and refuses what only the root config may say.
pub(super) fn scope_globs(
    raw: &mut RawConfig,
    prefix: &str,
    at: &dyn Fn(std::ops::Range<usize>) -> Origin,
) -> Result<(), Box<ConfigError>> {
    let root_only = |what: &str, span: std::ops::Range<usize>| {
        Err(at(span).error(
            format!("{what} can only be set in the repository's root config"),
            "in a nested config",
            Some("a nested config sets exclude, [rules], [[overrides]], [classes], [plugins.<name>], packs and root".into()),
        ))
    };
    if let Some(entry) = raw.plugin.first() {
        return root_only("[[plugin]]", entry.span());
    }
    if let Some(size) = &raw.max_file_size {
        return root_only("max-file-size", size.span());
    }
    if let Some(baseline) = &raw.baseline {
        return root_only("baseline", baseline.span());
    }
    if let Some(entry) = raw.extends.first() {
        return root_only("extends", entry.span());
    }
    if raw.include_vendored.is_some() {
        return root_only("include-vendored", 0..0);
    }
    if raw.score.is_some() {
        return root_only("[score]", 0..0);
    }
    let scope = |glob: &mut Spanned<String>| {
        let pattern = glob.get_ref();
        let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
        let pattern = pattern.strip_prefix('/').unwrap_or(pattern);
        *glob.get_mut() = format!("{prefix}{pattern}");
    };
    raw.exclude.iter_mut().for_each(scope);
    for o in &mut raw.overrides {
        o.files.iter_mut().for_each(scope);
    }
    let classes = &mut raw.classes;
    for globs in [
        &mut classes.binary,
        &mut classes.generated,
        &mut classes.vendored,
        &mut classes.test_fixture,
        &mut classes.documentation,
        &mut classes.text,
    ] {
        globs.iter_mut().for_each(scope);
    }
    Ok(())
}
