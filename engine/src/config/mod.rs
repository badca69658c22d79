//! `ward.toml`: finding it, parsing it, and pointing at the line when it is wrong.

pub mod discover;
pub mod error;
pub mod layers;
pub mod nested;
pub mod plugins;
pub mod policy;
mod raw;
pub mod read;
pub mod score;
pub mod shipped;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use miette::NamedSource;
use toml::Spanned;

use ward_plugin_sdk::Severity;

use error::{ConfigError, Origin};
use policy::{Level, RulePolicy};
use score::ScoreConfig;

/// The config file names looked for, in order, in each directory.
pub const CONFIG_NAMES: &[&str] = &["ward.toml", ".ward.toml"];

/// Files above this size are skipped with an info finding unless configured.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 50 * 1024 * 1024;

/// Globs of `[classes]`, per class name (`text`: plain text, no class).
#[derive(Debug, Clone)]
pub struct ClassGlobs {
    /// The class, as in `ward_plugin_sdk::class`.
    pub class: &'static str,
    /// The files it is given to.
    pub files: GlobSet,
}

/// `[[overrides]]`: rule severities for the files some globs match.
#[derive(Debug)]
pub struct Override {
    files: GlobSet,
    rules: RulePolicy,
}

pub use plugins::PluginPath;

/// The effective configuration of a run.
#[derive(Debug)]
pub struct Config {
    /// The file it came from, if any.
    pub file: Option<PathBuf>,
    /// Paths matching these (repository-relative) are not checked.
    pub exclude: GlobSet,
    exclude_patterns: Vec<String>,
    /// Severity per rule.
    pub rules: RulePolicy,
    /// Severities for some files, later entries winning.
    pub overrides: Vec<Override>,
    /// `[plugins.<name>]` tables as JSON.
    pub plugin_settings: BTreeMap<String, (serde_json::Value, Option<Origin>)>,
    /// `[[plugin]] path = …` entries.
    pub plugin_paths: Vec<PluginPath>,
    max_file_size: Option<u64>,
    /// Rule packs named by the config, resolved against its directory.
    pub packs: Vec<ConfigPath>,
    /// gitleaks configurations to read as a rule pack (`extends = ["gitleaks:…"]`).
    pub gitleaks: Vec<ConfigPath>,
    /// The baseline file findings are compared with, if the config names one.
    pub baseline: Option<PathBuf>,
    /// Config files and presets this one extends, in order.
    extends: Vec<(String, Origin)>,
    /// The text of every config file and preset that made this config, for
    /// the result cache's key.
    pub texts: Vec<String>,
    /// `[score]`: weights of the health score.
    pub score: ScoreConfig,
    /// Check vendored directories too (`include-vendored = true`).
    pub include_vendored: Option<bool>,
    /// `[classes]`, later configs after earlier ones.
    pub classes: Vec<ClassGlobs>,
    /// `root = true`: a nested config that inherits nothing from above.
    pub root: bool,
    /// The configs in subdirectories of the checked tree, each for its
    /// subtree (empty until the tree is walked; see [`nested`]).
    pub nested: layers::Nested<Config>,
}

impl layers::LayerConfig for Config {
    fn is_root(&self) -> bool {
        self.root
    }

    fn excludes(&self, path: &str) -> bool {
        self.exclude.is_match(path)
    }

    fn texts(&self) -> &[String] {
        &self.texts
    }
}

impl Config {
    /// Marks every `[[plugin]]` as named by the checked repository.
    pub fn mark_plugins_from_repository(&mut self) {
        for plugin in &mut self.plugin_paths {
            plugin.from_repository = true;
        }
    }

    /// `exclude` with `more` globs (the vendored directories, unless the
    /// run includes them).
    pub fn exclude_with(&self, more: &[String]) -> GlobSet {
        if more.is_empty() {
            return self.exclude.clone();
        }
        let mut patterns = self.exclude_patterns.clone();
        patterns.extend_from_slice(more);
        build_exclude(&patterns).unwrap_or_else(|_| self.exclude.clone())
    }

    /// Files larger than this are skipped with an info finding.
    pub fn max_file_size(&self) -> u64 {
        self.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE)
    }

    /// The severity of `rule` for the file at `path` (`None`: off there).
    /// `[rules]` first, then every matching `[[overrides]]` in order.
    /// Nested configs apply after it, the outermost first: a nearer
    /// config's `[rules]` and overrides win.
    pub fn severity(&self, rule: &str, path: &str, default: Severity) -> Option<Severity> {
        let mut level = None;
        let chain = self.nested.chain(path);
        if chain.inherits_root {
            self.levels(rule, path, &mut level);
        }
        for layer in chain.layers() {
            layer.config.levels(rule, path, &mut level);
        }
        match level.unwrap_or(Level::On(default)) {
            Level::Off => None,
            Level::On(severity) => Some(severity),
        }
    }

    /// `[rules]`, then each matching override, over `level`.
    pub fn levels(&self, rule: &str, path: &str, level: &mut Option<Level>) {
        if let Some(l) = self.rules.level(rule) {
            *level = Some(l);
        }
        for o in &self.overrides {
            if o.files.is_match(path) {
                if let Some(l) = o.rules.level(rule) {
                    *level = Some(l);
                }
            }
        }
    }

    /// Whether `rule` is on for some file: plugins must then run it.
    pub fn enabled_anywhere(&self, rule: &str) -> bool {
        let on = |config: &Config| {
            !matches!(config.rules.level(rule), Some(Level::Off))
                || config
                    .overrides
                    .iter()
                    .any(|o| matches!(o.rules.level(rule), Some(Level::On(_))))
        };
        on(self) || self.nested.layers.iter().any(|l| on(&l.config))
    }

    /// Every rule pattern of `[rules]` and the overrides, for typo warnings.
    pub fn policies(&self) -> impl Iterator<Item = &RulePolicy> {
        std::iter::once(self)
            .chain(self.nested.layers.iter().map(|l| &l.config))
            .flat_map(|c| std::iter::once(&c.rules).chain(c.overrides.iter().map(|o| &o.rules)))
    }

    /// Layers `later` over `self`: lists add up, tables and single values
    /// from `later` win.
    fn merge(&mut self, later: Config) {
        self.exclude_patterns.extend(later.exclude_patterns);
        self.include_vendored = later.include_vendored.or(self.include_vendored);
        self.classes.extend(later.classes);
        self.exclude = build_exclude(&self.exclude_patterns).unwrap_or_else(|_| GlobSet::empty());
        self.rules.extend(later.rules);
        self.overrides.extend(later.overrides);
        for (name, (settings, origin)) in later.plugin_settings {
            match self.plugin_settings.get_mut(&name) {
                Some((existing, existing_origin)) => {
                    if let (Some(base), serde_json::Value::Object(add)) =
                        (existing.as_object_mut(), &settings)
                    {
                        base.extend(add.clone());
                    } else {
                        *existing = settings;
                    }
                    *existing_origin = origin;
                }
                None => {
                    self.plugin_settings.insert(name, (settings, origin));
                }
            }
        }
        self.plugin_paths.extend(later.plugin_paths);
        self.max_file_size = later.max_file_size.or(self.max_file_size);
        self.packs.extend(later.packs);
        self.gitleaks.extend(later.gitleaks);
        self.baseline = later.baseline.or(self.baseline.take());
        self.file = later.file.or(self.file.take());
        self.texts.extend(later.texts);
        self.score.merge(later.score);
    }
}

fn build_exclude(patterns: &[String]) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(Glob::new(pattern)?);
        // `dir/**` should also exclude the directory entry itself, so a walk never enters it.
        if let Some(stripped) = pattern.strip_suffix("/**") {
            builder.add(Glob::new(stripped)?);
        }
    }
    builder.build()
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
            exclude_patterns: Vec::new(),
            rules: RulePolicy::default(),
            overrides: Vec::new(),
            plugin_settings: BTreeMap::new(),
            plugin_paths: Vec::new(),
            max_file_size: None,
            packs: Vec::new(),
            gitleaks: Vec::new(),
            baseline: None,
            extends: Vec::new(),
            texts: Vec::new(),
            score: ScoreConfig::default(),
            include_vendored: None,
            classes: Vec::new(),
            root: false,
            nested: layers::Nested::default(),
        }
    }
}

/// Parses config text; `name` is shown in diagnostics, `dir` anchors relative paths.
pub fn parse(text: &str, name: &str, dir: &Path) -> Result<Config, Box<ConfigError>> {
    parse_in(text, name, dir, "")
}

/// [`parse`] for a config whose globs are relative to the repository
/// directory `prefix` (`"sub/dir/"`; empty at the root).
fn parse_in(text: &str, name: &str, dir: &Path, prefix: &str) -> Result<Config, Box<ConfigError>> {
    let shown: std::sync::Arc<str> = read::shown_source(text).into();
    let src = NamedSource::new(name, shown.to_string());
    let source_name: std::sync::Arc<str> = name.into();
    let at = |span: std::ops::Range<usize>| Origin {
        name: source_name.clone(),
        text: shown.clone(),
        span: span.into(),
    };
    let mut raw: raw::RawConfig = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Box::new(ConfigError {
            message: shipped::mask_secrets(&format!("invalid config: {}", e.message().trim_end())),
            src: error::masked(&src),
            span: span.into(),
            label: "here".into(),
            help: Some(
                "the keys ward.toml accepts are listed in ward's docs/configuration.md".into(),
            ),
        })
    })?;

    if !prefix.is_empty() {
        raw::scope_globs(&mut raw, prefix, &at)?;
    }
    let mut exclude_patterns = Vec::new();
    for pattern in &raw.exclude {
        Glob::new(pattern.get_ref()).map_err(|e| {
            at(pattern.span()).error(format!("invalid glob: {e}"), "this pattern", None)
        })?;
        exclude_patterns.push(pattern.get_ref().clone());
    }
    let exclude = build_exclude(&exclude_patterns)
        .map_err(|e| at(0..0).error(format!("invalid exclude globs: {e}"), "here", None))?;

    let mut classes = Vec::new();
    for (class, globs) in [
        (ward_plugin_sdk::class::BINARY, &raw.classes.binary),
        (ward_plugin_sdk::class::GENERATED, &raw.classes.generated),
        (ward_plugin_sdk::class::VENDORED, &raw.classes.vendored),
        (
            ward_plugin_sdk::class::TEST_FIXTURE,
            &raw.classes.test_fixture,
        ),
        (
            ward_plugin_sdk::class::DOCUMENTATION,
            &raw.classes.documentation,
        ),
        (ward_plugin_sdk::class::TEXT, &raw.classes.text),
    ] {
        if globs.is_empty() {
            continue;
        }
        let mut files = GlobSetBuilder::new();
        for glob in globs {
            files.add(Glob::new(glob.get_ref()).map_err(|e| {
                at(glob.span()).error(format!("invalid glob: {e}"), "this pattern", None)
            })?);
        }
        let files = files
            .build()
            .map_err(|e| at(0..0).error(format!("invalid globs: {e}"), "here", None))?;
        classes.push(ClassGlobs { class, files });
    }

    let rules = policy(&raw.rules, &at)?;
    let mut overrides = Vec::new();
    for o in &raw.overrides {
        let mut files = GlobSetBuilder::new();
        for glob in &o.files {
            files.add(Glob::new(glob.get_ref()).map_err(|e| {
                at(glob.span()).error(format!("invalid glob: {e}"), "this pattern", None)
            })?);
        }
        let files = files
            .build()
            .map_err(|e| at(0..0).error(format!("invalid override globs: {e}"), "here", None))?;
        overrides.push(Override {
            files,
            rules: policy(&o.rules, &at)?,
        });
    }

    let mut plugin_settings = BTreeMap::new();
    for (name, table) in raw.plugins {
        // toml's Spanned cannot wrap a table that has sub-tables
        // ([plugins.x.naming]), so the table's place is found by its header.
        let header = format!("[plugins.{name}");
        let span = text
            .find(&header)
            .map_or(0..0, |at| at..at + header.len() + 1);
        let json = serde_json::to_value(&table).map_err(|e| {
            at(span.clone()).error(
                format!("cannot pass [plugins.{name}] to the plugin: {e}"),
                "here",
                None,
            )
        })?;
        plugin_settings.insert(name, (json, Some(at(span))));
    }

    let plugin_paths = raw
        .plugin
        .iter()
        .map(|entry| entry.resolve(dir, &at))
        .collect::<Result<_, _>>()?;

    let max_file_size = match &raw.max_file_size {
        None => None,
        Some(value) => Some(parse_size(value.get_ref()).ok_or_else(|| {
            at(value.span()).error(
                "invalid max-file-size".into(),
                "expected bytes as a number, or a string like \"50MiB\"",
                None,
            )
        })?),
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
    let mut extends = Vec::new();
    for entry in &raw.extends {
        match entry.get_ref().strip_prefix("gitleaks:") {
            Some(path) => gitleaks.push(ConfigPath {
                path: dir.join(path),
                origin: at(entry.span()),
            }),
            None => extends.push((entry.get_ref().clone(), at(entry.span()))),
        }
    }

    let mut score = raw.score.unwrap_or_default();
    score.validate().map_err(|message| {
        let span = text
            .find("[score")
            .map_or(0..0, |at| at..at + "[score".len() + 1);
        at(span).error(message, "in this table", None)
    })?;

    Ok(Config {
        include_vendored: raw.include_vendored,
        root: raw.root,
        nested: layers::Nested::default(),
        classes,
        file: None,
        exclude,
        exclude_patterns,
        rules,
        overrides,
        plugin_settings,
        plugin_paths,
        max_file_size,
        packs,
        gitleaks,
        baseline: raw.baseline.as_ref().map(|b| dir.join(b.get_ref())),
        extends,
        texts: vec![text.to_string()],
        score,
    })
}

fn policy(
    entries: &BTreeMap<String, Spanned<String>>,
    at: &dyn Fn(std::ops::Range<usize>) -> Origin,
) -> Result<RulePolicy, Box<ConfigError>> {
    let mut rules = RulePolicy::default();
    for (pattern, level) in entries {
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
    Ok(rules)
}

/// A size: a number of bytes, or a string with a unit (`"512KiB"`, `"1MB"`, `"2 GiB"`).
pub fn parse_size(value: &toml::Value) -> Option<u64> {
    match value {
        toml::Value::Integer(n) => u64::try_from(*n).ok(),
        toml::Value::String(s) => ward_plugin_sdk::parse_size(s),
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
        assert_eq!(config.max_file_size(), DEFAULT_MAX_FILE_SIZE);
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
    fn plugin_tables_may_hold_sub_tables() {
        let config = parse_ok("[plugins.structure.naming]\n\"src/**\" = \"kebab-case\"\n");
        let (settings, origin) = &config.plugin_settings["structure"];
        assert_eq!(settings["naming"]["src/**"], "kebab-case");
        assert_eq!(origin.as_ref().unwrap().location(), "ward.toml:1");
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
        assert!(parse_ok("max-file-size = \"1MiB\"").max_file_size() == 1 << 20);
    }

    #[test]
    fn excluding_a_directory_also_excludes_its_entry() {
        let config = parse_ok("exclude = [\"vendor/**\"]");
        assert!(config.exclude.is_match("vendor"));
        assert!(config.exclude.is_match("vendor/a/b.rs"));
        assert!(!config.exclude.is_match("src/vendor.rs"));
    }
}
