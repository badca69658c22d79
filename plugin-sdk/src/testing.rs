//! Helpers for plugin tests: run a [`Validator`] on in-memory files the way
//! the engine runs it, without a repository on disk.
//!
//! Every helper checks the plugin as a real load does: its manifest (name,
//! rule ids under `<name>/`, no rule twice), each finding's rule (declared
//! in the manifest), place (inside the file) and fix edits (inside the
//! file, on character boundaries), and fails the test with the engine's
//! words when one is wrong. A panic in the plugin goes through the same
//! guard as in the engine and comes back as a `ward/plugin-error` finding.
//!
//! ```
//! use ward_plugin_sdk::testing::{self, TestFile};
//! # use ward_plugin_sdk::{File, Finding, Manifest, PluginConfig, RuleInfo, Severity, Validator};
//! # struct Nothing;
//! # impl Validator for Nothing {
//! #     fn manifest() -> Manifest {
//! #         Manifest { name: "nothing".into(), version: "0.1.0".into(), description: String::new(), rules: vec![] }
//! #     }
//! #     fn new(_: &PluginConfig) -> Result<Self, String> { Ok(Nothing) }
//! # }
//! let plugin = testing::create::<Nothing>(serde_json::json!({})).unwrap();
//! assert!(testing::check_file(&plugin, "a.txt", b"text\n").is_empty());
//! let binary = TestFile::new("logo.png", b"\x89PNG\r\n\x1a\n\0").mode(0o755);
//! assert!(binary.is_binary);
//! assert!(testing::check(&plugin, &binary).is_empty());
//! ```

use crate::abi::FindingFfi;
use crate::host::{clamp_position, Reported};
use crate::{
    EntryKind, File, Finding, LineIndex, PluginConfig, Repo, RepoEntry, Span, Validator,
    PLUGIN_ERROR_RULE,
};

/// Creates the plugin from its `[plugins.<name>]` settings (as JSON) the
/// way the engine does; the error is the plugin's own message, as a user
/// would see it. Panics if the manifest would be refused at load.
pub fn create<V: Validator>(settings: serde_json::Value) -> Result<V, String> {
    let manifest = V::manifest();
    if let Err(problem) = manifest.check() {
        panic!("ward would refuse this plugin: {problem}");
    }
    V::new(&PluginConfig {
        settings,
        enabled_rules: None,
        root: None,
    })
}

/// A file as the engine hands it to a plugin.
#[derive(Clone, Copy, Debug)]
pub struct TestFile<'a> {
    /// Repository-relative path with `/` separators.
    pub path: &'a str,
    /// The whole content.
    pub bytes: &'a [u8],
    /// Binary, as the engine judges a file: a NUL in its first 8 KiB.
    pub is_binary: bool,
    /// Unix permission bits (`0o644` unless set).
    pub mode: u32,
}

impl<'a> TestFile<'a> {
    /// A regular, non-executable file; binary if a NUL is in its first 8 KiB.
    pub fn new(path: &'a str, bytes: &'a [u8]) -> Self {
        TestFile {
            path,
            bytes,
            is_binary: bytes[..bytes.len().min(8192)].contains(&0),
            mode: 0o644,
        }
    }

    /// The same file with permission bits `mode` (`0o755`: executable).
    #[must_use]
    pub fn mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }
}

/// Runs `check_file` on one regular, non-executable file (binary if a NUL
/// is in its first 8 KiB).
pub fn check_file<V: Validator>(validator: &V, path: &str, bytes: &[u8]) -> Vec<Finding> {
    check(validator, &TestFile::new(path, bytes))
}

/// Runs `check_file` on `file`, through the engine's panic guard and
/// checks.
pub fn check<V: Validator>(validator: &V, file: &TestFile<'_>) -> Vec<Finding> {
    let manifest = V::manifest();
    let mut found = Vec::new();
    let mut out = Vec::new();
    crate::glue::guard_file(
        validator,
        &manifest.name,
        &File {
            path: file.path,
            bytes: file.bytes,
            is_binary: file.is_binary,
            mode: file.mode,
        },
        &mut found,
        &mut out,
    );
    checked(&manifest, out, Some(file.bytes))
}

/// Runs `check_repo` on a repository made of exactly `files` (path, text),
/// each a regular, non-executable file.
pub fn check_repo<V: Validator>(validator: &V, files: &[(&str, &str)]) -> Vec<Finding> {
    let entries: Vec<RepoEntry<'_>> = files
        .iter()
        .map(|(path, text)| RepoEntry {
            path,
            kind: EntryKind::File,
            size: text.len() as u64,
            mode: 0o644,
            link_target: None,
        })
        .collect();
    let read = |path: &str| {
        files
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, text)| text.as_bytes().to_vec())
            .ok_or_else(|| format!("{path}: not in the test repository"))
    };
    check_repo_entries(validator, entries, &read)
}

/// Runs `check_repo` on a repository of any `entries` (directories,
/// symlinks, modes), whose files `read` reads.
pub fn check_repo_entries<V: Validator>(
    validator: &V,
    entries: Vec<RepoEntry<'_>>,
    read: &(dyn Fn(&str) -> Result<Vec<u8>, String> + Sync),
) -> Vec<Finding> {
    let manifest = V::manifest();
    let repo = Repo::new(entries, read);
    let out = crate::glue::guard_repo(validator, &manifest.name, &repo);
    checked(&manifest, out, None)
}

/// `bytes` with the fixes of `findings` applied as `ward check --fix`
/// applies them (a finding whose edits overlap another's is left out).
/// Panics if an edit reaches past the end or the result is not UTF-8.
pub fn apply_fixes(bytes: &[u8], findings: &[Finding]) -> String {
    let fixes: Vec<&[crate::Edit]> = findings.iter().map(|f| f.fix.as_slice()).collect();
    let (edits, _) = crate::fix::plan(&fixes);
    let fixed = crate::fix::apply(bytes, &edits)
        .unwrap_or_else(|| panic!("a fix edit reaches past the end of the file: {edits:?}"));
    String::from_utf8(fixed).unwrap_or_else(|e| panic!("the fixed file is not UTF-8: {e}"))
}

/// The findings as the engine would take them, or a failed test saying
/// what the engine would report instead.
fn checked(manifest: &crate::Manifest, out: Vec<FindingFfi>, bytes: Option<&[u8]>) -> Vec<Finding> {
    let name = &manifest.name;
    out.into_iter()
        .map(|ffi| {
            let reported = Reported::from_ffi(ffi);
            let declared = manifest.rules.iter().any(|r| r.id == reported.rule);
            if reported.rule != PLUGIN_ERROR_RULE && !declared {
                panic!(
                    "plugin `{name}` reported `{}`, which its manifest does not declare",
                    reported.rule
                );
            }
            if let Some(bytes) = bytes.filter(|_| reported.line > 0) {
                let lines = LineIndex::new(bytes);
                for (line, column) in [
                    (reported.line, reported.column),
                    (reported.end_line, reported.end_column),
                ] {
                    if clamp_position(&lines, line, column) != (line, column) {
                        panic!(
                            "plugin `{name}` placed `{}` at {line}:{column}, outside the file",
                            reported.rule
                        );
                    }
                }
                for edit in &reported.fix {
                    let inside = edit.start <= edit.end && edit.end <= bytes.len();
                    let boundary = |at: usize| at == bytes.len() || (bytes[at] as i8) >= -0x40;
                    if !inside || !boundary(edit.start) || !boundary(edit.end) {
                        panic!(
                            "plugin `{name}`'s fix for `{}` edits bytes {}..{}, not whole characters of the file",
                            reported.rule, edit.start, edit.end
                        );
                    }
                }
            }
            Finding {
                rule: reported.rule,
                severity: reported.severity,
                message: reported.message,
                path: reported.path,
                span: Span {
                    line: reported.line,
                    column: reported.column,
                    end_line: reported.end_line,
                    end_column: reported.end_column,
                },
                fix: reported.fix,
                secret: Some(reported.secret).filter(|s| !s.is_empty()),
            }
        })
        .collect()
}
