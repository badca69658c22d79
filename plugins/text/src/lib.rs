//! ward's `text` plugin: hygiene rules every repository wants.
//!
//! Each rule lives in its own module under `rules/` with its id, docs, default
//! severity, check and tests; [`RULES`] registers them.

mod lines;
pub mod rules;

use serde::Deserialize;
use ward_plugin_sdk::{File, Finding, Manifest, PluginConfig, RuleInfo, Validator};

/// The line-ending policy of `text/mixed-line-endings`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEndingPolicy {
    /// Any one style is fine, as long as a file does not mix them.
    #[default]
    Auto,
    /// Every line ends with `\n`.
    Lf,
    /// Every line ends with `\r\n`.
    Crlf,
}

/// The `[plugins.text]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// `auto` (default), `lf` or `crlf`.
    pub line_endings: LineEndingPolicy,
    /// Report TODO/FIXME/XXX/HACK markers (`text/todo`, off by default).
    pub todo: bool,
    /// Keep Markdown hard line breaks (two spaces ending a line of text) out
    /// of `text/trailing-whitespace` (on by default).
    pub markdown_line_breaks: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            line_endings: LineEndingPolicy::default(),
            todo: false,
            markdown_line_breaks: true,
        }
    }
}

/// One rule of this plugin: its metadata and its check.
pub struct Rule {
    /// The rule's metadata.
    pub info: fn() -> RuleInfo,
    /// Checks one text file (never called on binary files).
    pub check: fn(&File<'_>, &Settings, &mut Vec<Finding>),
}

/// Every rule of the plugin, in the order they run.
pub const RULES: &[Rule] = &[
    rules::bom::RULE,
    rules::invalid_utf8::RULE,
    rules::trailing_whitespace::RULE,
    rules::final_newline::RULE,
    rules::mixed_line_endings::RULE,
    rules::merge_conflict::RULE,
    rules::todo::RULE,
];

/// The validator.
pub struct TextPlugin {
    settings: Settings,
    enabled: Vec<&'static Rule>,
    root: Option<std::path::PathBuf>,
    /// Per directory: whether a readable `.editorconfig` is there or above
    /// (`Some(false)`: none, so ec4rs has nothing to say), or one that must
    /// not be opened (`None`: a FIFO or a device). Most trees have none,
    /// and then no file costs more than a map lookup.
    editorconfig: std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, Option<bool>>>,
}

impl TextPlugin {
    /// See [`TextPlugin::editorconfig`].
    fn editorconfig_above(&self, dir: &std::path::Path) -> Option<bool> {
        if let Some(known) = self
            .editorconfig
            .lock()
            .ok()
            .and_then(|m| m.get(dir).copied())
        {
            return known;
        }
        let config = dir.join(".editorconfig");
        let here = match std::fs::symlink_metadata(&config) {
            Err(_) => Some(false),
            Ok(_) if std::fs::metadata(&config).is_ok_and(|m| m.is_file()) => Some(true),
            Ok(_) => None,
        };
        let above = dir
            .parent()
            .map_or(Some(false), |parent| self.editorconfig_above(parent));
        let state = match (here, above) {
            (None, _) | (_, None) => None,
            (Some(a), Some(b)) => Some(a || b),
        };
        if let Ok(mut memo) = self.editorconfig.lock() {
            memo.insert(dir.to_path_buf(), state);
        }
        state
    }

    /// Drops the findings a project's `.editorconfig` switches off for this
    /// file: `trim_trailing_whitespace = false` (Markdown hard breaks kept
    /// on purpose) and `insert_final_newline = false`. Asked only of files
    /// with such a finding, so most files never reach ec4rs.
    fn respect_editorconfig(&self, path: &str, out: &mut Vec<Finding>, first: usize) {
        let ruled = |f: &Finding| {
            f.rule == rules::trailing_whitespace::ID || f.rule == rules::final_newline::ID
        };
        let Some(root) = &self.root else { return };
        if !out[first..].iter().any(ruled) {
            return;
        }
        let abs = root.join(path);
        // ec4rs opens every `.editorconfig` above the file: one that is not
        // a regular file (a FIFO blocks a read forever) means none is read.
        if abs.parent().map(|dir| self.editorconfig_above(dir)) != Some(Some(true)) {
            return;
        }
        let Ok(props) = ec4rs::properties_of(abs) else {
            return;
        };
        let off = |key: &str| {
            props
                .get_raw_for_key(key)
                .into_option()
                .is_some_and(|v| v.eq_ignore_ascii_case("false"))
        };
        let (keep_whitespace, no_newline) =
            (off("trim_trailing_whitespace"), off("insert_final_newline"));
        let mut index = first;
        out.retain(|f| {
            let mine = index >= first;
            index += 1;
            !(mine
                && ((keep_whitespace && f.rule == rules::trailing_whitespace::ID)
                    || (no_newline && f.rule == rules::final_newline::ID)))
        });
    }
}

impl Validator for TextPlugin {
    fn manifest() -> Manifest {
        Manifest {
            name: "text".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "Text hygiene: whitespace, final newline, line endings, encoding, conflict markers"
                    .into(),
            rules: RULES.iter().map(|r| (r.info)()).collect(),
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        let settings: Settings = config.settings()?;
        let enabled = RULES
            .iter()
            .filter(|r| config.is_enabled(&(r.info)().id))
            .collect();
        Ok(TextPlugin {
            settings,
            enabled,
            root: config.root.as_ref().map(std::path::PathBuf::from),
            editorconfig: std::sync::Mutex::new(std::collections::HashMap::new()),
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        if file.is_binary {
            return;
        }
        let first = out.len();
        for rule in &self.enabled {
            (rule.check)(file, &self.settings, out);
        }
        self.respect_editorconfig(file.path, out, first);
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Runs one rule on `bytes` and returns its findings.
    pub fn run(rule: &Rule, bytes: &[u8], settings: &Settings) -> Vec<Finding> {
        run_at("f.txt", rule, bytes, settings)
    }

    /// [`run`] on a file at `path`.
    pub fn run_at(path: &str, rule: &Rule, bytes: &[u8], settings: &Settings) -> Vec<Finding> {
        let file = File {
            path,
            bytes,
            is_binary: false,
            mode: 0o644,
        };
        let mut out = Vec::new();
        (rule.check)(&file, settings, &mut out);
        out
    }

    /// (line, column, end_line, end_column) of each finding.
    pub fn positions(findings: &[Finding]) -> Vec<(u32, u32, u32, u32)> {
        findings
            .iter()
            .map(|f| {
                (
                    f.span.line,
                    f.span.column,
                    f.span.end_line,
                    f.span.end_column,
                )
            })
            .collect()
    }

    /// Applies the fix edits of `findings` to `bytes`.
    pub fn apply(bytes: &[u8], findings: &[Finding]) -> Vec<u8> {
        let mut edits: Vec<_> = findings.iter().flat_map(|f| f.fix.iter()).collect();
        edits.sort_by_key(|e| e.start);
        let mut out = Vec::new();
        let mut at = 0;
        for e in edits {
            out.extend_from_slice(&bytes[at..e.start]);
            out.extend_from_slice(e.replacement.as_bytes());
            at = e.end;
        }
        out.extend_from_slice(&bytes[at..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_rule_has_unique_id_docs_and_examples() {
        let mut ids = HashSet::new();
        for rule in RULES {
            let info = (rule.info)();
            assert!(info.id.starts_with("text/"), "{}", info.id);
            assert!(ids.insert(info.id.clone()), "duplicate {}", info.id);
            assert!(!info.summary.is_empty(), "{} has no summary", info.id);
            assert!(
                info.docs.contains("Bad"),
                "{} docs lack a bad example",
                info.id
            );
            assert!(
                info.docs.contains("Good"),
                "{} docs lack a good example",
                info.id
            );
        }
    }

    #[test]
    fn binary_files_get_no_findings() {
        let plugin = TextPlugin::new(&PluginConfig::default()).unwrap();
        let file = File {
            path: "a.bin",
            bytes: b"\xef\xbb\xbfx \r\n\0\xff<<<<<<< a",
            is_binary: true,
            mode: 0o644,
        };
        let mut out = Vec::new();
        plugin.check_file(&file, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn disabled_rules_do_not_run() {
        let config = PluginConfig {
            enabled_rules: Some(vec!["text/final-newline".into()]),
            ..Default::default()
        };
        let plugin = TextPlugin::new(&config).unwrap();
        let file = File {
            path: "a.txt",
            bytes: b"x ",
            is_binary: false,
            mode: 0o644,
        };
        let mut out = Vec::new();
        plugin.check_file(&file, &mut out);
        let rules: Vec<_> = out.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["text/final-newline"]);
    }

    #[test]
    fn unknown_settings_are_an_error() {
        let config = PluginConfig {
            settings: serde_json::json!({"line-ending": "lf"}),
            ..Default::default()
        };
        let err = TextPlugin::new(&config).err().unwrap();
        assert!(err.contains("unknown field `line-ending`"), "{err}");
    }

    /// Applies non-overlapping edits, in order, as the engine does.
    fn apply(bytes: &[u8], findings: &[Finding]) -> Vec<u8> {
        let mut edits: Vec<&ward_plugin_sdk::Edit> =
            findings.iter().flat_map(|f| f.fix.iter()).collect();
        edits.sort_by_key(|e| (e.start, e.end));
        let mut out = Vec::with_capacity(bytes.len() + 8);
        let mut at = 0;
        for edit in edits {
            if edit.start < at {
                continue; // overlaps the previous edit: the engine skips it too
            }
            out.extend_from_slice(&bytes[at..edit.start]);
            out.extend_from_slice(edit.replacement.as_bytes());
            at = edit.end;
        }
        out.extend_from_slice(&bytes[at..]);
        out
    }

    /// What a fix may never change: everything but whitespace, line
    /// endings and a byte-order mark.
    fn substance(bytes: &[u8]) -> Vec<u8> {
        let mut bytes = bytes;
        while let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
            bytes = rest;
        }
        bytes
            .iter()
            .copied()
            .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .collect()
    }

    /// A property over many generated files: whatever the text plugin's
    /// fixes do, they touch only whitespace, line endings, final newlines
    /// and the BOM.
    #[test]
    fn fixes_only_ever_change_whitespace_line_endings_and_the_bom() {
        const PIECES: &[&[u8]] = &[
            b" ",
            b"\t",
            b"\r",
            b"\n",
            b"\r\n",
            b"a",
            b"x = 1",
            b"\xc3\xa9",
            b"\xef\xbb\xbf",
            b"<<<<<<< HEAD",
            b"=======",
            b"  ",
            b"\xe2\x80\x83",
            b"# title",
            b"\xff",
        ];
        let plugin = TextPlugin::new(&PluginConfig::default()).unwrap();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..3000 {
            let len = (next() % 24) as usize;
            let mut bytes = Vec::new();
            if case % 5 == 0 {
                bytes.extend_from_slice(b"\xef\xbb\xbf");
            }
            for _ in 0..len {
                bytes.extend_from_slice(PIECES[(next() % PIECES.len() as u64) as usize]);
            }
            for path in ["a.txt", "README.md"] {
                let found = ward_plugin_sdk::testing::check_file(&plugin, path, &bytes);
                let fixed = apply(&bytes, &found);
                assert_eq!(
                    substance(&fixed),
                    substance(&bytes),
                    "{path} {:?} became {:?}",
                    String::from_utf8_lossy(&bytes),
                    String::from_utf8_lossy(&fixed)
                );
            }
        }
    }
}
