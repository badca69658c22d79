//! `ward.toml`: finding it, parsing it, and pointing at the line when it is wrong.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use toml::Spanned;

use crate::policy::{Level, RulePolicy};

/// The config file names looked for, in order, in each directory.
pub const CONFIG_NAMES: &[&str] = &["ward.toml", ".ward.toml"];

/// Files above this size are skipped with an info finding unless configured.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 50 * 1024 * 1024;

/// A config error that points into the file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(ward::config))]
pub struct ConfigError {
    message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("{label}")]
    span: SourceSpan,
    label: String,
    #[help]
    help: Option<String>,
}

/// A config file that could not be read at all.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot read config file {path}: {source}")]
#[diagnostic(code(ward::config))]
pub struct ConfigReadError {
    path: String,
    #[source]
    source: std::io::Error,
}

/// The raw file, as serde sees it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    plugins: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    plugin: Vec<RawPluginEntry>,
    #[serde(default)]
    max_file_size: Option<Spanned<toml::Value>>,
    #[serde(default)]
    packs: Vec<Spanned<String>>,
    #[serde(default)]
    extends: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPluginEntry {
    path: Spanned<String>,
}

/// Where a config value came from, for later diagnostics (an unknown rule,
/// a plugin that rejects its settings).
#[derive(Debug, Clone)]
pub struct Origin {
    src: NamedSource<String>,
    span: SourceSpan,
}

impl Origin {
    /// `file:line` of this place.
    pub fn location(&self) -> String {
        let text = self.src.inner();
        let before = &text[..self.span.offset().min(text.len())];
        format!("{}:{}", self.src.name(), before.matches('\n').count() + 1)
    }

    /// A diagnostic at this place.
    pub fn error(&self, message: String, label: &str, help: Option<String>) -> Box<ConfigError> {
        Box::new(ConfigError {
            message,
            src: self.src.clone(),
            span: self.span,
            label: label.into(),
            help,
        })
    }
}

/// A plugin library named by the config.
#[derive(Debug, Clone)]
pub struct PluginPath {
    /// Resolved against the config file's directory.
    pub path: PathBuf,
    /// Where the config names it.
    pub origin: Origin,
}

/// The effective configuration of a run.
#[derive(Debug)]
pub struct Config {
    /// The file it came from, if any.
    pub file: Option<PathBuf>,
    /// Paths matching these (repository-relative) are not checked.
    pub exclude: GlobSet,
    /// Severity per rule.
    pub rules: RulePolicy,
    /// `[plugins.<name>]` tables as JSON.
    pub plugin_settings: BTreeMap<String, (serde_json::Value, Option<Origin>)>,
    /// `[[plugin]] path = …` entries.
    pub plugin_paths: Vec<PluginPath>,
    /// Files larger than this are skipped with an info finding.
    pub max_file_size: u64,
    /// Rule packs named by the config, resolved against its directory.
    pub packs: Vec<ConfigPath>,
    /// gitleaks configurations to read as a rule pack (`extends = ["gitleaks:…"]`).
    pub gitleaks: Vec<ConfigPath>,
}

/// A file named by the config, with where it is named.
#[derive(Debug, Clone)]
pub struct ConfigPath {
    /// Resolved against the config file's directory.
    pub path: PathBuf,
    /// Where the config names it.
    pub origin: Origin,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            file: None,
            exclude: GlobSet::empty(),
            rules: RulePolicy::default(),
            plugin_settings: BTreeMap::new(),
            plugin_paths: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            packs: Vec::new(),
            gitleaks: Vec::new(),
        }
    }
}

/// The nearest config file in `start` or one of its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        CONFIG_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Reads and checks a config file.
pub fn load(path: &Path) -> miette::Result<Config> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigReadError {
        path: path.display().to_string(),
        source,
    })?;
    let mut config = parse(
        &text,
        &display_path(path),
        path.parent().unwrap_or(Path::new(".")),
    )
    .map_err(|e| miette::Report::new(*e))?;
    config.file = Some(path.to_path_buf());
    Ok(config)
}

/// `path` as the user would type it from the current directory
/// (`ward.toml`, `../ward.toml`), or as given when that is not possible.
fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir().ok().and_then(|cwd| {
        let base = cwd.ancestors().find(|a| path.starts_with(a))?;
        let ups = cwd.strip_prefix(base).ok()?.components().count();
        let rest = path.strip_prefix(base).ok()?;
        // Only near ancestors: `../../../../etc/x` is harder to read than the absolute path.
        (ups <= 3).then(|| {
            std::iter::repeat_n(Path::new(".."), ups)
                .collect::<PathBuf>()
                .join(rest)
        })
    });
    relative
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// Parses config text; `name` is shown in diagnostics, `dir` anchors relative paths.
pub fn parse(text: &str, name: &str, dir: &Path) -> Result<Config, Box<ConfigError>> {
    let src = NamedSource::new(name, text.to_string());
    let at = |span: std::ops::Range<usize>| Origin {
        src: src.clone(),
        span: span.into(),
    };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Box::new(ConfigError {
            message: format!("invalid config: {}", e.message().trim_end()),
            src: src.clone(),
            span: span.into(),
            label: "here".into(),
            help: Some(
                "the keys ward.toml accepts are listed in the README's Configuration section"
                    .into(),
            ),
        })
    })?;

    let mut exclude = GlobSetBuilder::new();
    for pattern in &raw.exclude {
        let glob = Glob::new(pattern.get_ref()).map_err(|e| {
            at(pattern.span()).error(format!("invalid glob: {e}"), "this pattern", None)
        })?;
        exclude.add(glob);
        // `dir/**` should also exclude the directory entry itself, so a walk never enters it.
        if let Some(stripped) = pattern.get_ref().strip_suffix("/**") {
            if let Ok(glob) = Glob::new(stripped) {
                exclude.add(glob);
            }
        }
    }
    let exclude = exclude
        .build()
        .map_err(|e| at(0..0).error(format!("invalid exclude globs: {e}"), "here", None))?;

    let mut rules = RulePolicy::default();
    for (pattern, level) in &raw.rules {
        let parsed = Level::parse(level.get_ref()).ok_or_else(|| {
            at(level.span()).error(
                format!("unknown severity `{}` for `{pattern}`", level.get_ref()),
                "expected one of: error, warning, info, off",
                None,
            )
        })?;
        rules
            .add(pattern, parsed, Some(at(level.span())))
            .map_err(|e| {
                at(level.span()).error(
                    format!("invalid rule pattern `{pattern}`: {e}"),
                    "for this rule",
                    None,
                )
            })?;
    }

    let mut plugin_settings = BTreeMap::new();
    for (name, table) in raw.plugins {
        let json = serde_json::to_value(table.get_ref()).map_err(|e| {
            at(table.span()).error(
                format!("cannot pass [plugins.{name}] to the plugin: {e}"),
                "here",
                None,
            )
        })?;
        plugin_settings.insert(name, (json, Some(at(table.span()))));
    }

    let plugin_paths = raw
        .plugin
        .iter()
        .map(|entry| PluginPath {
            path: dir.join(entry.path.get_ref()),
            origin: at(entry.path.span()),
        })
        .collect();

    let max_file_size = match &raw.max_file_size {
        None => DEFAULT_MAX_FILE_SIZE,
        Some(value) => parse_size(value.get_ref()).ok_or_else(|| {
            at(value.span()).error(
                "invalid max-file-size".into(),
                "expected bytes as a number, or a string like \"50MiB\"",
                None,
            )
        })?,
    };

    let packs = raw
        .packs
        .iter()
        .map(|p| ConfigPath {
            path: dir.join(p.get_ref()),
            origin: at(p.span()),
        })
        .collect();
    let mut gitleaks = Vec::new();
    for entry in &raw.extends {
        match entry.get_ref().strip_prefix("gitleaks:") {
            Some(path) => gitleaks.push(ConfigPath {
                path: dir.join(path),
                origin: at(entry.span()),
            }),
            None => {
                return Err(at(entry.span()).error(
                    format!("cannot extend `{}`", entry.get_ref()),
                    "only `gitleaks:PATH` is supported here",
                    Some("read a gitleaks configuration with extends = [\"gitleaks:path/to/gitleaks.toml\"]".into()),
                ))
            }
        }
    }

    Ok(Config {
        file: None,
        exclude,
        rules,
        plugin_settings,
        plugin_paths,
        max_file_size,
        packs,
        gitleaks,
    })
}

/// A size: a number of bytes, or a string with a unit (`"512KiB"`, `"1MB"`, `"2 GiB"`).
pub fn parse_size(value: &toml::Value) -> Option<u64> {
    match value {
        toml::Value::Integer(n) => u64::try_from(*n).ok(),
        toml::Value::String(s) => {
            let s = s.trim();
            let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            let number: u64 = s[..split].parse().ok()?;
            let factor: u64 = match s[split..].trim().to_ascii_lowercase().as_str() {
                "" | "b" => 1,
                "kb" => 1_000,
                "kib" | "k" => 1 << 10,
                "mb" => 1_000_000,
                "mib" | "m" => 1 << 20,
                "gb" => 1_000_000_000,
                "gib" | "g" => 1 << 30,
                _ => return None,
            };
            number.checked_mul(factor)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Config {
        parse(text, "ward.toml", Path::new("/repo")).unwrap()
    }

    fn parse_err(text: &str) -> Box<ConfigError> {
        parse(text, "ward.toml", Path::new("/repo")).unwrap_err()
    }

    #[test]
    fn empty_config_is_the_default() {
        let config = parse_ok("");
        assert_eq!(config.max_file_size, DEFAULT_MAX_FILE_SIZE);
        assert!(config.plugin_paths.is_empty());
    }

    #[test]
    fn unknown_key_points_at_its_line() {
        let err = parse_err("exclude = []\nrulez = 1\n");
        assert!(
            err.message.contains("unknown field `rulez`"),
            "{}",
            err.message
        );
        assert_eq!(err.span.offset(), 13);
    }

    #[test]
    fn bad_severity_points_at_the_value() {
        let text = "[rules]\n\"text/bom\" = \"warn\"\n";
        let err = parse_err(text);
        assert_eq!(err.message, "unknown severity `warn` for `text/bom`");
        assert_eq!(
            &text[err.span.offset()..err.span.offset() + err.span.len()],
            "\"warn\""
        );
    }

    #[test]
    fn plugin_paths_are_relative_to_the_config() {
        let config = parse_ok("[[plugin]]\npath = \"p/libx.so\"\n");
        assert_eq!(config.plugin_paths[0].path, Path::new("/repo/p/libx.so"));
    }

    #[test]
    fn sizes_with_units() {
        assert_eq!(
            parse_size(&toml::Value::String("1MiB".into())),
            Some(1 << 20)
        );
        assert_eq!(parse_size(&toml::Value::String("2 kb".into())), Some(2000));
        assert_eq!(parse_size(&toml::Value::Integer(7)), Some(7));
        assert_eq!(parse_size(&toml::Value::String("lots".into())), None);
        assert!(parse_ok("max-file-size = \"1MiB\"").max_file_size == 1 << 20);
    }

    #[test]
    fn excluding_a_directory_also_excludes_its_entry() {
        let config = parse_ok("exclude = [\"vendor/**\"]");
        assert!(config.exclude.is_match("vendor"));
        assert!(config.exclude.is_match("vendor/a/b.rs"));
        assert!(!config.exclude.is_match("src/vendor.rs"));
    }
}
