//! The repository pass: each plugin's look at the whole tree (required
//! files, naming, links between files), reading files through a reader
//! confined to the repository.

use std::path::{Component, Path, PathBuf};

use ward_plugin_sdk::RepoEntry;

use super::convert::{convert, Lines};
use super::outcome::Checks;
use crate::finding::Finding;
use crate::host::ActivePlugin;
use crate::source::read::read_limited;
use crate::source::Tree;

/// Reads a repository file for a plugin, confined to the repository and
/// to `limit` bytes.
fn read_inside(root: &Path, limit: u64, path: &str) -> Result<Vec<u8>, String> {
    let rel = Path::new(path);
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(format!("`{path}` is not a path inside the repository"));
    }
    let abs: PathBuf = root.join(rel);
    match read_limited(&abs, 0, limit) {
        Ok(bytes) if bytes.len() as u64 > limit => {
            Err(format!("`{path}` is larger than max-file-size"))
        }
        Ok(bytes) => Ok(bytes),
        Err(e) => Err(format!("cannot read `{path}`: {e}")),
    }
}

pub(super) fn check_repo(
    tree: &Tree,
    root: &Path,
    plugin: &ActivePlugin,
    checks: &Checks<'_>,
) -> Vec<Finding> {
    let config = checks.config;
    let entries: Vec<RepoEntry<'_>> = tree
        .entries
        .iter()
        .map(|e| RepoEntry {
            path: &e.path,
            kind: e.kind,
            size: e.size,
            mode: e.mode,
            link_target: e.link_target.as_deref(),
        })
        .collect();
    let limit = config.max_file_size();
    let read = |path: &str| read_inside(root, limit, path);
    let found = plugin.validator.check_repo(&entries, &read);
    // Each file with findings is read once, however many it has.
    let mut files: std::collections::HashMap<String, Option<Vec<u8>>> =
        std::collections::HashMap::new();
    for reported in &found {
        let path = reported.path.as_str();
        if !path.is_empty() && !files.contains_key(path) {
            files.insert(path.to_string(), read(path).ok());
        }
    }
    let lines: std::collections::HashMap<&str, Lines<'_>> = files
        .iter()
        .filter_map(|(path, bytes)| Some((path.as_str(), Lines::new(bytes.as_deref()?))))
        .collect();
    found
        .into_iter()
        .flat_map(|reported| {
            let file_lines = lines.get(reported.path.as_str());
            let lookup = |rule: &str| plugin.lookup(rule);
            convert(reported, &plugin.name, &lookup, file_lines, checks)
        })
        .collect()
}
