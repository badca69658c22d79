// The README is the crate's documentation, and every Rust block in it is a
// doctest: what it shows compiles.
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod abi;
pub mod fix;
mod glue;
pub mod host;
pub mod position;
pub mod testing;

use std::fmt;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

pub use glue::module;
pub use position::{char_count, LineIndex};

#[doc(hidden)]
pub mod __private {
    pub use crate::glue::root_module_loader;
    pub use abi_stable;
}

/// The ABI version this SDK speaks. A plugin exports it as a plain symbol so the
/// engine can refuse a mismatch with one clear line before abi_stable's checks.
/// It is the SDK's major version: every 1.x SDK speaks ABI 1.
pub const ABI_VERSION: u32 = 1;

/// This SDK's version (semver, independent of the engine's).
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The SDK versions whose plugins a host built with this SDK loads: every
/// version of the same major, older or newer.
pub const SDK_RANGE: &str = ">=1.0.0, <2.0.0";

/// Whether a host built with this SDK loads a plugin built against SDK
/// `version` (`major.minor.patch`): the same major, any minor.
///
/// ```
/// assert!(ward_plugin_sdk::loads_sdk("1.0.0"));
/// assert!(ward_plugin_sdk::loads_sdk("1.42.3"));
/// assert!(!ward_plugin_sdk::loads_sdk("0.1.0"));
/// assert!(!ward_plugin_sdk::loads_sdk("2.0.0"));
/// ```
pub fn loads_sdk(version: &str) -> bool {
    version
        .split('.')
        .next()
        .and_then(|major| major.parse::<u32>().ok())
        == Some(ABI_VERSION)
}

/// The name of the plain exported ABI-version symbol (`extern "C" fn() -> u32`).
pub const ABI_VERSION_SYMBOL: &str = "ward_plugin_abi_version";

/// The rule id the SDK and engine use for a plugin that failed (panicked,
/// returned garbage) on a file.
pub const PLUGIN_ERROR_RULE: &str = "ward/plugin-error";

/// How serious a finding is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run unless `--fail-on info`.
    Info,
    /// Should be fixed.
    Warning,
    /// Must be fixed; fails a run by default.
    Error,
}

impl Severity {
    /// The stable wire value.
    pub fn to_ffi(self) -> abi::SeverityFfi {
        abi::SeverityFfi(match self {
            Severity::Info => 1,
            Severity::Warning => 2,
            Severity::Error => 3,
        })
    }

    /// Reads a wire value; 0 and unknown values mean "not set".
    pub fn from_ffi(value: abi::SeverityFfi) -> Option<Self> {
        match value.0 {
            1 => Some(Severity::Info),
            2 => Some(Severity::Warning),
            3 => Some(Severity::Error),
            _ => None,
        }
    }

    /// The lowercase name used in configs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a plugin says about itself: sent to the engine as JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Plugin name: the prefix of its rule ids and its `[plugins.<name>]` table.
    pub name: String,
    /// Plugin version (semver).
    pub version: String,
    /// One line about the plugin.
    #[serde(default)]
    pub description: String,
    /// Every rule the plugin can report.
    pub rules: Vec<RuleInfo>,
}

impl Manifest {
    /// A manifest of plugin `name` at `version` with `rules` (see
    /// [`Manifest::description`]).
    ///
    /// ```
    /// use ward_plugin_sdk::{Manifest, RuleInfo, Severity};
    /// let rules = vec![RuleInfo::new("acme/x", "x", Severity::Warning, "")];
    /// let manifest = Manifest::new("acme", "0.1.0", rules).description("Acme's checks");
    /// assert_eq!(manifest.check(), Ok(()));
    /// ```
    pub fn new(name: &str, version: &str, rules: Vec<RuleInfo>) -> Self {
        Manifest {
            name: name.into(),
            version: version.into(),
            description: String::new(),
            rules,
        }
    }

    /// Sets the one line `ward plugins` shows about the plugin.
    #[must_use]
    pub fn description(mut self, description: &str) -> Self {
        self.description = description.into();
        self
    }

    /// What a host refuses in a manifest, as one line: a name that is not
    /// lowercase letters, digits, `-` and `_`; a rule id that does not start
    /// with `<name>/` or that repeats. The engine runs it on every plugin it
    /// loads, and the [`testing`] helpers on the plugin under test.
    ///
    /// ```
    /// use ward_plugin_sdk::{Manifest, RuleInfo, Severity};
    /// let manifest = Manifest {
    ///     name: "acme".into(),
    ///     version: "0.1.0".into(),
    ///     description: String::new(),
    ///     rules: vec![RuleInfo::new("team/x", "x", Severity::Warning, "")],
    /// };
    /// assert_eq!(
    ///     manifest.check(),
    ///     Err("rule `team/x` does not start with `acme/`, the plugin's name".to_string())
    /// );
    /// ```
    pub fn check(&self) -> Result<(), String> {
        let name = &self.name;
        let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        if name.is_empty() || !name.chars().all(valid) || name.starts_with('-') {
            return Err(format!(
                "plugin name `{name}` is not valid: use lowercase letters, digits, `-` and `_`"
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for rule in &self.rules {
            let id = &rule.id;
            let local = id
                .strip_prefix(name.as_str())
                .and_then(|r| r.strip_prefix('/'));
            if local.is_none_or(|l| l.is_empty() || l.contains('/')) {
                return Err(format!(
                    "rule `{id}` does not start with `{name}/`, the plugin's name"
                ));
            }
            if !seen.insert(id.as_str()) {
                return Err(format!("rule `{id}` is declared twice"));
            }
        }
        Ok(())
    }
}

/// A rule's metadata. The id, docs, default severity and fixability of a rule
/// live in one place: the rule's own module, which builds this.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RuleInfo {
    /// Full id, `plugin/rule`, kebab-case, named after the problem.
    pub id: String,
    /// One line.
    pub summary: String,
    /// The severity unless the config says otherwise.
    pub default_severity: Severity,
    /// A paragraph with a bad and a good example (Markdown).
    #[serde(default)]
    pub docs: String,
    /// Whether findings of this rule carry fix edits.
    #[serde(default)]
    pub fixable: bool,
    /// Whether the rule judges each line on its own (trailing whitespace, a
    /// marker in a comment). Only such rules run on a file above
    /// `max-file-size`, which the engine hands over in pieces of whole lines,
    /// never whole; see [`RuleInfo::line_local`].
    #[serde(default)]
    pub line_local: bool,
    /// Where the rule's findings count in the health score: one of
    /// [`category::ALL`]. Empty (a plugin built before categories) counts as
    /// [`category::HYGIENE`]; see [`RuleInfo::category`].
    #[serde(default)]
    pub category: String,
    /// Whether the text summary counts this rule's findings per directory,
    /// to show where they pile up (to-do markers); see
    /// [`RuleInfo::tally_by_directory`].
    #[serde(default)]
    pub tally_by_directory: bool,
    /// The file classes the rule runs on (see [`class`]); empty (a plugin
    /// built before classes, or a rule that names none) means the default
    /// of its category: [`class::hygiene_default`] for hygiene rules,
    /// [`class::ALL`] for the others. The engine drops a rule's findings on
    /// a file with a class the rule does not list; see [`RuleInfo::classes`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// The rule runs only when the config names it (`[rules]` or an
    /// override gives it a severity): a check most repositories would not
    /// act on by default; see [`RuleInfo::off_by_default`].
    #[serde(default)]
    pub off_by_default: bool,
}

/// The classes the engine gives every file before any rule runs. A file may
/// have several (a generated test fixture); one with none is plain text.
pub mod class {
    /// Plain text: every rule runs on it.
    pub const TEXT: &str = "text";
    /// Not text (a NUL, a known binary format, mostly control characters).
    pub const BINARY: &str = "binary";
    /// Written by a tool (`Code generated … DO NOT EDIT.`, lock files).
    pub const GENERATED: &str = "generated";
    /// Test data whose exact bytes tests rely on (`testdata/`, `fixtures/`).
    pub const TEST_FIXTURE: &str = "test-fixture";
    /// Documentation (`docs/`, READMEs, changelogs, `linguist-documentation`).
    pub const DOCUMENTATION: &str = "documentation";
    /// Someone else's code, checked only with `--include-vendored`.
    pub const VENDORED: &str = "vendored";
    /// Every class a rule can name.
    pub const ALL: [&str; 6] = [
        TEXT,
        BINARY,
        GENERATED,
        TEST_FIXTURE,
        DOCUMENTATION,
        VENDORED,
    ];

    /// What a hygiene rule that names no classes runs on: text people edit.
    pub fn hygiene_default() -> &'static [&'static str] {
        &[TEXT, DOCUMENTATION]
    }
}

/// The most findings the engine keeps per plugin and file; a plugin may
/// stop once it has reported one more than this for a file (the engine
/// then says the rest were left out), so that a file with a finding on
/// each of a million lines does not hold a million findings in memory.
pub const MAX_FINDINGS_PER_FILE: usize = 10_000;

/// The health-score categories a rule can belong to.
pub mod category {
    /// README, license, docs and their links.
    pub const DOCUMENTATION: &str = "documentation";
    /// Secrets, dangerous calls, files that must not be committed.
    pub const SECURITY: &str = "security";
    /// Whitespace, encodings, line endings, editorconfig: the default.
    pub const HYGIENE: &str = "hygiene";
    /// Naming and layout of files and directories.
    pub const STRUCTURE: &str = "structure";
    /// Package manifests and versions.
    pub const MANIFESTS: &str = "manifests";
    /// CI workflows.
    pub const CI: &str = "ci";
    /// Every category, in report order.
    pub const ALL: [&str; 6] = [DOCUMENTATION, SECURITY, HYGIENE, STRUCTURE, MANIFESTS, CI];
}

impl RuleInfo {
    /// A rule that cannot fix what it finds (see [`RuleInfo::fixable`]).
    pub fn new(id: &str, summary: &str, default_severity: Severity, docs: &str) -> Self {
        RuleInfo {
            id: id.into(),
            summary: summary.into(),
            default_severity,
            docs: docs.into(),
            fixable: false,
            line_local: false,
            category: category::HYGIENE.into(),
            tally_by_directory: false,
            classes: Vec::new(),
            off_by_default: false,
        }
    }

    /// Marks the rule as off unless the config names it by its id.
    #[must_use]
    pub fn off_by_default(mut self) -> Self {
        self.off_by_default = true;
        self
    }

    /// Names the file classes the rule runs on (from [`class::ALL`]); its
    /// findings on files of other classes are dropped. [`class::TEXT`] is
    /// always implied.
    #[must_use]
    pub fn classes(mut self, classes: &[&str]) -> Self {
        self.classes = std::iter::once(class::TEXT)
            .chain(classes.iter().copied().filter(|c| *c != class::TEXT))
            .map(str::to_string)
            .collect();
        self
    }

    /// The classes the rule runs on: its own list, or its category's default.
    pub fn classes_or_default(&self) -> Vec<&str> {
        if !self.classes.is_empty() {
            return self.classes.iter().map(String::as_str).collect();
        }
        if self.category_or_default() == category::HYGIENE {
            class::hygiene_default().to_vec()
        } else {
            class::ALL.to_vec()
        }
    }

    /// Puts the rule's findings in a health-score category (one of
    /// [`category::ALL`]; the default is [`category::HYGIENE`]).
    #[must_use]
    pub fn category(mut self, category: &str) -> Self {
        self.category = category.into();
        self
    }

    /// Asks the text summary to count this rule's findings per directory.
    #[must_use]
    pub fn tally_by_directory(mut self) -> Self {
        self.tally_by_directory = true;
        self
    }

    /// The rule's category, [`category::HYGIENE`] when it names none.
    pub fn category_or_default(&self) -> &str {
        if self.category.is_empty() {
            category::HYGIENE
        } else {
            &self.category
        }
    }

    /// Marks the rule as carrying fix edits.
    #[must_use]
    pub fn fixable(mut self) -> Self {
        self.fixable = true;
        self
    }

    /// Marks the rule as judging each line on its own, so that it also runs
    /// on files too large to hold whole. Such a file reaches `check_file` as
    /// a series of pieces under the same path, each a run of whole lines
    /// (the last may lack its newline), consecutive pieces sharing up to
    /// 64 KiB of lines; the engine renumbers lines, drops what two pieces
    /// both reported, and drops fix edits (a file not held whole is never
    /// rewritten). A rule that needs the whole file (its first line, a
    /// count over the file, a parse) must not be marked.
    #[must_use]
    pub fn line_local(mut self) -> Self {
        self.line_local = true;
        self
    }
}

/// A file handed to [`Validator::check_file`].
#[derive(Clone, Copy, Debug)]
pub struct File<'a> {
    /// Repository-relative path with `/` separators.
    pub path: &'a str,
    /// The whole content.
    pub bytes: &'a [u8],
    /// True when the engine judged the file binary (NUL in its first 8 KiB).
    pub is_binary: bool,
    /// Unix permission bits (executable bits from the git index when tracked).
    pub mode: u32,
}

impl<'a> File<'a> {
    /// The content as text, if it is UTF-8 (a binary file, or text in
    /// another encoding, is `None`).
    pub fn text(&self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes).ok()
    }

    /// The file's lines, to turn byte offsets into the 1-based line and
    /// column spans findings carry ([`LineIndex::span`]).
    pub fn lines(&self) -> LineIndex<'a> {
        LineIndex::new(self.bytes)
    }
}

/// A 1-based line and column (in characters) range of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// Line of the first character.
    pub line: u32,
    /// Column of the first character.
    pub column: u32,
    /// Line where the span ends.
    pub end_line: u32,
    /// Column one past the last character.
    pub end_column: u32,
}

/// A replacement of the bytes `start..end` of the checked file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced.
    pub end: usize,
    /// What goes in their place.
    pub replacement: String,
}

/// A problem found by a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Full rule id, `plugin/rule`.
    pub rule: String,
    /// `None`: the configured or default severity of the rule.
    pub severity: Option<Severity>,
    /// One line, saying what is wrong (not how the rule works).
    pub message: String,
    /// Repository-relative path; filled in by the SDK for [`Validator::check_file`].
    pub path: String,
    /// Where in the file; all zero for a finding about the whole file.
    pub span: Span,
    /// Edits that fix it.
    pub fix: Vec<Edit>,
    /// The secret this finding is about, so the engine redacts it everywhere.
    pub secret: Option<String>,
}

impl Finding {
    /// A finding of `rule` with `message`, about the whole file.
    pub fn new(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            rule: rule.into(),
            severity: None,
            message: message.into(),
            path: String::new(),
            span: Span::default(),
            fix: Vec::new(),
            secret: None,
        }
    }

    /// Places the finding at `span`.
    #[must_use]
    pub fn at(mut self, span: Span) -> Self {
        self.span = span;
        self
    }

    /// Sets the path (for repository-level findings).
    #[must_use]
    pub fn in_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Attaches a fix.
    #[must_use]
    pub fn with_fix(mut self, edits: Vec<Edit>) -> Self {
        self.fix = edits;
        self
    }

    /// Overrides the rule's severity for this finding.
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    /// Marks the text this finding is about as a secret.
    #[must_use]
    pub fn with_secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }
}

/// What kind of tree entry a [`RepoEntry`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (never followed by the engine).
    Symlink,
    /// A FIFO, socket, device or anything else.
    Other,
}

/// One entry of the repository tree.
#[derive(Clone, Copy, Debug)]
pub struct RepoEntry<'a> {
    /// Repository-relative path with `/` separators.
    pub path: &'a str,
    /// What it is.
    pub kind: EntryKind,
    /// Size in bytes.
    pub size: u64,
    /// Unix permission bits.
    pub mode: u32,
    /// For a symlink, its target as written. Never followed.
    pub link_target: Option<&'a str>,
}

/// The repository handed to [`Validator::check_repo`].
pub struct Repo<'a> {
    entries: Vec<RepoEntry<'a>>,
    reader: &'a (dyn Fn(&str) -> Result<Vec<u8>, String> + Sync + 'a),
}

impl<'a> Repo<'a> {
    /// A repository view over `entries`, reading files with `reader`: for
    /// plugin tests and hosts that are not the engine.
    pub fn new(
        entries: Vec<RepoEntry<'a>>,
        reader: &'a (dyn Fn(&str) -> Result<Vec<u8>, String> + Sync + 'a),
    ) -> Self {
        Repo { entries, reader }
    }

    /// Every entry the engine walked, sorted by path.
    pub fn entries(&self) -> &[RepoEntry<'a>] {
        &self.entries
    }

    /// Reads a file by repository-relative path (from the working tree or the
    /// git index, whichever the engine is checking).
    pub fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        (self.reader)(path)
    }
}

/// The config a plugin is created with.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PluginConfig {
    /// The `[plugins.<name>]` table of `ward.toml`, as JSON (`null` when absent).
    #[serde(default)]
    pub settings: serde_json::Value,
    /// The rule ids the run enables; `None` means all. A plugin may skip work
    /// for rules not listed; the engine drops their findings anyway.
    #[serde(default)]
    pub enabled_rules: Option<Vec<String>>,
    /// The absolute path of the repository root being checked, for plugins
    /// that resolve the repository's own settings files (`.editorconfig`).
    #[serde(default)]
    pub root: Option<String>,
}

impl PluginConfig {
    /// Deserializes the settings table; `null` becomes `T::default()`.
    pub fn settings<T: DeserializeOwned + Default>(&self) -> Result<T, String> {
        if self.settings.is_null() {
            return Ok(T::default());
        }
        serde_json::from_value(self.settings.clone()).map_err(|e| e.to_string())
    }

    /// Whether the run wants findings of `rule`.
    pub fn is_enabled(&self, rule: &str) -> bool {
        self.enabled_rules
            .as_ref()
            .is_none_or(|rules| rules.iter().any(|r| r == rule))
    }
}

/// A validator plugin. Implement this, then `export_plugin!(YourType);` in a
/// `cdylib` crate.
pub trait Validator: Send + Sync + Sized + 'static {
    /// Name, version and rules.
    fn manifest() -> Manifest;

    /// Creates the validator. An `Err` is shown to the user as a config error.
    fn new(config: &PluginConfig) -> Result<Self, String>;

    /// Checks one file; called in parallel, in batches, on every non-excluded file.
    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        let _ = (file, out);
    }

    /// Checks the repository as a whole; called once per run.
    fn check_repo(&self, repo: &Repo<'_>, out: &mut Vec<Finding>) {
        let _ = (repo, out);
    }
}

/// Parses a size the way ward's configs write it: a number of bytes, or a
/// number with a unit (`512KiB`, `1MB`, `2 GiB`, `3m`). `None` if malformed.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let number: u64 = text[..split].parse().ok()?;
    let factor: u64 = match text[split..].trim().to_ascii_lowercase().as_str() {
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

/// Exports a [`Validator`] as a ward plugin from a `cdylib` crate.
///
/// It exports two symbols: the plain ABI-version function the engine checks
/// first, and abi_stable's root module. Use it once, in a `cdylib`-only crate:
/// two crates that both carry it cannot be linked into one binary.
#[macro_export]
macro_rules! export_plugin {
    ($validator:ty) => {
        /// The ward plugin ABI version this library was built for.
        #[no_mangle]
        pub extern "C" fn ward_plugin_abi_version() -> u32 {
            $crate::ABI_VERSION
        }

        // Must match abi_stable::library::ROOT_MODULE_LOADER_NAME (tested in the SDK).
        #[no_mangle]
        #[allow(non_upper_case_globals)]
        pub static _1as_0lib_1header_0root_bmodule_bloader:
            $crate::__private::abi_stable::library::LibHeader = {
            extern "C" fn erased_module() -> $crate::__private::abi_stable::library::RootModuleResult {
                $crate::__private::abi_stable::library::__call_root_module_loader(
                    $crate::__private::root_module_loader::<$validator>,
                )
            }
            // SAFETY: this is what abi_stable's `#[export_root_module]` expands to;
            // the module type is the one `erased_module` returns.
            unsafe {
                $crate::__private::abi_stable::library::LibHeader::from_constructor::<
                    $crate::abi::PluginModRef,
                >(
                    erased_module,
                    $crate::__private::abi_stable::library::CheckTypeLayout::Yes,
                )
            }
        };
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn export_macro_uses_abi_stables_loader_symbol() {
        assert_eq!(
            abi_stable::library::ROOT_MODULE_LOADER_NAME,
            "_1as_0lib_1header_0root_bmodule_bloader"
        );
    }

    #[test]
    fn severity_round_trips_through_the_wire() {
        use super::Severity;
        for s in [Severity::Info, Severity::Warning, Severity::Error] {
            assert_eq!(Severity::from_ffi(s.to_ffi()), Some(s));
        }
        assert_eq!(Severity::from_ffi(super::abi::SeverityFfi(0)), None);
    }

    #[test]
    fn config_enables_all_rules_when_unlisted() {
        let all = super::PluginConfig::default();
        assert!(all.is_enabled("text/bom"));
        let some = super::PluginConfig {
            enabled_rules: Some(vec!["text/bom".into()]),
            ..Default::default()
        };
        assert!(some.is_enabled("text/bom"));
        assert!(!some.is_enabled("text/final-newline"));
    }
}
