//! The repository pass: each plugin's look at the whole tree (required
//! files, naming, links between files), reading files through a reader
//! confined to the repository.

use std::path::{Component, Path, PathBuf};

use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RResult, RSlice, RStr, RString, RVec},
};
use ward_plugin_sdk::abi::{RepoEntryFfi, RepoInputFfi, RepoReaderFfi, RepoReaderFfi_TO};
use ward_plugin_sdk::EntryKind;

use super::convert::{convert, Lines, Raw};
use super::outcome::Checks;
use crate::finding::Finding;
use crate::host::ActivePlugin;
use crate::source::read::read_limited;
use crate::source::Tree;

/// Reads repository files for plugins, confined to the repository.
struct WorkTreeReader<'a> {
    root: &'a Path,
    limit: u64,
}

impl RepoReaderFfi for WorkTreeReader<'_> {
    fn read(&self, path: RStr<'_>) -> RResult<RVec<u8>, RString> {
        let rel = Path::new(path.as_str());
        if rel
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return RResult::RErr(format!("`{path}` is not a path inside the repository").into());
        }
        let abs: PathBuf = self.root.join(rel);
        match read_limited(&abs, 0, self.limit) {
            Ok(bytes) if bytes.len() as u64 > self.limit => {
                RResult::RErr(format!("`{path}` is larger than max-file-size").into())
            }
            Ok(bytes) => RResult::ROk(bytes.into()),
            Err(e) => RResult::RErr(format!("cannot read `{path}`: {e}").into()),
        }
    }
}

pub(super) fn check_repo(
    tree: &Tree,
    root: &Path,
    plugin: &ActivePlugin,
    checks: &Checks<'_>,
) -> Vec<Finding> {
    let config = checks.config;
    let entries: Vec<RepoEntryFfi<'_>> = tree
        .entries
        .iter()
        .map(|e| RepoEntryFfi {
            path: RStr::from_str(&e.path),
            kind: match e.kind {
                EntryKind::File => 0,
                EntryKind::Dir => 1,
                EntryKind::Symlink => 2,
                EntryKind::Other => 3,
            },
            size: e.size,
            mode: e.mode,
            link_target: RStr::from_str(e.link_target.as_deref().unwrap_or("")),
        })
        .collect();
    let reader = WorkTreeReader {
        root,
        limit: config.max_file_size(),
    };
    let input = RepoInputFfi {
        entries: RSlice::from_slice(&entries),
        reader: RepoReaderFfi_TO::from_ptr(&reader, TD_Opaque),
    };
    let found = plugin.validator.check_repo(&input);
    // Each file with findings is read once, however many it has.
    let mut files: std::collections::HashMap<String, Option<Vec<u8>>> =
        std::collections::HashMap::new();
    for ffi in &found {
        let path = ffi.path.as_str();
        if !path.is_empty() && !files.contains_key(path) {
            let bytes = reader
                .read(RStr::from_str(path))
                .into_result()
                .ok()
                .map(RVec::into_vec);
            files.insert(path.to_string(), bytes);
        }
    }
    let lines: std::collections::HashMap<&str, Lines<'_>> = files
        .iter()
        .filter_map(|(path, bytes)| Some((path.as_str(), Lines::new(bytes.as_deref()?))))
        .collect();
    found
        .into_iter()
        .flat_map(|ffi| {
            let file_lines = lines.get(ffi.path.as_str());
            let lookup = |rule: &str| plugin.lookup(rule);
            convert(
                Raw::from_ffi(ffi),
                &plugin.name,
                &lookup,
                file_lines,
                checks,
            )
        })
        .collect()
}
