//! Helpers for plugin unit tests: run a [`Validator`] on in-memory content the
//! way the engine would, without a repository on disk.

use crate::{EntryKind, File, Finding, Repo, RepoEntry, Validator};

/// Runs `check_file` on one non-binary, non-executable file.
pub fn check_file<V: Validator>(validator: &V, path: &str, bytes: &[u8]) -> Vec<Finding> {
    let mut out = Vec::new();
    validator.check_file(
        &File {
            path,
            bytes,
            is_binary: false,
            mode: 0o644,
        },
        &mut out,
    );
    out
}

/// Runs `check_repo` on a repository made of exactly `files` (path, text),
/// each a regular, non-executable file.
pub fn check_repo<V: Validator>(validator: &V, files: &[(&str, &str)]) -> Vec<Finding> {
    let entries = files
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
    let repo = Repo::new(entries, &read);
    let mut out = Vec::new();
    validator.check_repo(&repo, &mut out);
    out
}
