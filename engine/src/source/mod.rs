//! What to check: the tree walk and explicitly named files.

mod binary;
pub mod classes;
pub mod diffbase;
pub mod digest;
pub mod git;
pub mod history;
pub mod read;
pub mod shard;
pub mod write;

use std::path::{Component, Path, PathBuf};

use globset::GlobSet;
use ward_plugin_sdk::{EntryKind, Severity};

use crate::finding::Finding;
use crate::registry::{BROKEN_SYMLINK, UNREADABLE};

/// One entry of the checked tree.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Repository-relative path with `/`.
    pub path: String,
    /// Where it is on disk.
    pub abs: PathBuf,
    /// What it is (symlinks are never followed).
    pub kind: EntryKind,
    /// Size in bytes.
    pub size: u64,
    /// Unix permission bits.
    pub mode: u32,
    /// The content staged in the git index, when checking `--staged`, or
    /// a blob of a history. A `Vec` behind the `Arc`, not a slice: it is
    /// moved in as read, never copied.
    pub staged: Option<std::sync::Arc<Vec<u8>>>,
    /// A staged blob above `max-file-size`, never held whole: the checkout's
    /// top directory and the blob's id, to stream it from `git cat-file`.
    pub staged_blob: Option<(std::sync::Arc<Path>, String)>,
    /// For a symlink, its target as written.
    pub link_target: Option<String>,
    /// Identity for the result cache: modification time (ns) and inode.
    pub stat: Option<(u128, u64)>,
    /// What `.gitattributes` say of its classes.
    pub forced: classes::Forced,
}

/// The entries to check, sorted by path, and what went wrong finding them.
#[derive(Debug, Default)]
pub struct Tree {
    /// Files, directories, symlinks and other entries, sorted by path.
    pub entries: Vec<Entry>,
    /// Unreadable directories, broken symlinks, missing explicit files.
    pub problems: Vec<Finding>,
    /// True when a directory was walked (repository checks then run).
    pub walked_dir: bool,
}

/// The repository root for `start`: the nearest ancestor holding `.git`,
/// else the outermost one holding a config file, else `start` itself.
pub fn find_root(start: &Path) -> PathBuf {
    // The git work tree first: a `ward.toml` in one of its subdirectories
    // is a nested config for that subtree, not another repository. Outside
    // git (an exported tarball), the outermost directory with a config, for
    // the same reason.
    let has_config = |dir: &Path| {
        crate::config::CONFIG_NAMES
            .iter()
            .any(|name| dir.join(name).is_file())
    };
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .or_else(|| start.ancestors().filter(|dir| has_config(dir)).last())
        .unwrap_or(start)
        .to_path_buf()
}

/// `path` made absolute without resolving a final symlink.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let name = joined.file_name().map(ToOwned::to_owned);
    let parent = joined.parent().map(Path::to_path_buf);
    match (parent, name) {
        (Some(parent), Some(name)) => match parent.canonicalize() {
            Ok(parent) => parent.join(name),
            Err(_) => joined,
        },
        _ => joined.canonicalize().unwrap_or(joined),
    }
}

/// The repository-relative form of `abs`, with `/` separators.
pub fn relative(root: &Path, abs: &Path) -> String {
    let rel = abs.strip_prefix(root).unwrap_or(abs);
    // The walk calls this for every entry: a path that is already clean
    // UTF-8 with `/` separators is copied as it is.
    #[cfg(unix)]
    if let Some(text) = rel.to_str() {
        if !text.contains('\\')
            && text
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..")
        {
            return text.to_owned();
        }
    }
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(escaped_name(part)),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// A file name as text, unambiguously: bytes that are not UTF-8 become
/// `\xNN` and a backslash `\\`, so two names that differ only in invalid
/// bytes stay two paths (a lossy `U+FFFD` made them one, and one of the
/// files was never checked).
fn escaped_name(name: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(&chunk.valid().replace('\\', "\\\\"));
            for byte in chunk.invalid() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

fn stat_of(meta: &std::fs::Metadata) -> Option<(u128, u64)> {
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((modified, inode))
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode()
}

#[cfg(not(unix))]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    if meta.permissions().readonly() {
        0o444
    } else {
        0o644
    }
}

fn kind_of(file_type: std::fs::FileType) -> EntryKind {
    if file_type.is_symlink() {
        EntryKind::Symlink
    } else if file_type.is_dir() {
        EntryKind::Dir
    } else if file_type.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    }
}

impl Tree {
    fn add(&mut self, root: &Path, abs: PathBuf, meta: &std::fs::Metadata) {
        let path = relative(root, &abs);
        let kind = kind_of(meta.file_type());
        let link_target = (kind == EntryKind::Symlink)
            .then(|| std::fs::read_link(&abs).ok())
            .flatten()
            .map(|t| t.to_string_lossy().into_owned());
        if kind == EntryKind::Symlink {
            if let Err(error) = std::fs::metadata(&abs) {
                let target = std::fs::read_link(&abs)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                let why = if error.kind() == std::io::ErrorKind::NotFound {
                    "which does not exist".to_string()
                } else {
                    format!("which cannot be resolved: {error}")
                };
                self.problems.push(Finding::engine(
                    BROKEN_SYMLINK,
                    Severity::Warning,
                    &path,
                    format!("symbolic link to `{target}`, {why}"),
                ));
            }
        }
        self.entries.push(Entry {
            path,
            abs,
            kind,
            size: meta.len(),
            mode: mode_of(meta),
            staged: None,
            staged_blob: None,
            link_target,
            stat: stat_of(meta),
            forced: classes::Forced::default(),
        });
    }

    pub(crate) fn unreadable(&mut self, path: String, why: impl std::fmt::Display) {
        self.problems.push(Finding::engine(
            UNREADABLE,
            Severity::Error,
            &path,
            format!("cannot read: {why}"),
        ));
    }

    /// The regular files, in path order.
    pub fn files(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.kind == EntryKind::File)
    }
}

/// How to walk directories.
#[derive(Debug, Clone, Copy)]
pub struct WalkOptions {
    /// Walker threads.
    pub threads: usize,
    /// Honour .gitignore, .ignore and git's excludes.
    pub ignore_files: bool,
    /// Leave out vendored directories (see [`classes::VENDORED_DIRS`]):
    /// decided by a directory's name, so no path is built for it.
    pub skip_vendored: bool,
}

/// Collects what to check below `root` from the given paths.
pub fn collect(root: &Path, paths: &[PathBuf], exclude: &GlobSet, options: WalkOptions) -> Tree {
    let mut tree = Tree::default();
    for path in paths {
        let abs = absolute(path);
        if !abs.starts_with(root) {
            // Named through a symlinked directory that leads elsewhere: not
            // the repository's file, neither checked nor ever fixed.
            tree.unreadable(
                path.to_string_lossy().into_owned(),
                "it leads outside the repository",
            );
            continue;
        }
        let rel = relative(root, &abs);
        if !rel.is_empty() && exclude.is_match(&rel) {
            continue;
        }
        if options.skip_vendored && classes::by_path(&rel).contains(classes::Classes::VENDORED) {
            continue;
        }
        match std::fs::symlink_metadata(&abs) {
            Err(e) => tree.unreadable(rel, e),
            Ok(meta) if meta.is_dir() => {
                tree.walked_dir = true;
                walk(root, &abs, exclude, options, &mut tree);
            }
            Ok(meta) => tree.add(root, abs, &meta),
        }
    }
    tree.entries.sort_by(|a, b| a.path.cmp(&b.path));
    tree.entries.dedup_by(|a, b| a.path == b.path);
    tree.problems
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    tree
}

fn walk(root: &Path, dir: &Path, exclude: &GlobSet, options: WalkOptions, tree: &mut Tree) {
    let filter_root = root.to_path_buf();
    let exclude_in_walk = exclude.clone();
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .follow_links(false)
        // .gitignore is honoured even outside a git checkout (an exported tarball).
        .require_git(false)
        .standard_filters(options.ignore_files)
        // standard_filters(false) also turns off hidden-file skipping; keep it off.
        .hidden(false)
        .threads(options.threads)
        .filter_entry(move |entry| {
            if entry.depth() > 0 && entry.file_name() == ".git" {
                return false;
            }
            if options.skip_vendored {
                let name = entry.file_name().to_str().unwrap_or_default();
                let vendored = if entry.file_type().is_some_and(|t| t.is_dir()) {
                    let parent = || {
                        entry
                            .path()
                            .parent()
                            .and_then(|p| p.file_name())
                            .and_then(|n| n.to_str())
                            .unwrap_or_default()
                    };
                    classes::VENDORED_DIRS.contains(&name)
                        || (name == "lib" && classes::is_vendored_dir(parent(), name))
                } else {
                    classes::is_vendored_name(name)
                };
                if vendored {
                    return false;
                }
            }
            if exclude_in_walk.is_empty() {
                return true;
            }
            let rel = relative(&filter_root, entry.path());
            rel.is_empty() || !exclude_in_walk.is_match(&rel)
        })
        .build_parallel();
    // The walk is parallel (a stat per entry adds up on large trees); its
    // order is not fixed, so `collect` sorts afterwards. Each walker thread
    // fills its own tree, handed over when the walk drops its visitor.
    let parts = std::sync::Mutex::new(Vec::new());
    walker.run(|| {
        let mut local = ThreadTree {
            tree: Tree::default(),
            parts: &parts,
        };
        Box::new(move |result| {
            let tree = &mut local.tree;
            match result {
                Ok(entry) if entry.depth() == 0 => {}
                Ok(entry) => match entry.metadata() {
                    Ok(meta) => tree.add(root, entry.into_path(), &meta),
                    Err(e) => tree.unreadable(relative(root, entry.path()), &e),
                },
                Err(e) => {
                    let path = error_path(&e).map_or_else(String::new, |p| relative(root, p));
                    tree.unreadable(path, &e);
                }
            }
            ignore::WalkState::Continue
        })
    });
    // A poisoned lock means a walker thread panicked; its entries are lost
    // either way, so keep what the others collected.
    for part in parts
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        tree.entries.extend(part.entries);
        tree.problems.extend(part.problems);
    }
}

/// One walker thread's entries, added to the shared list when it is done.
struct ThreadTree<'a> {
    tree: Tree,
    parts: &'a std::sync::Mutex<Vec<Tree>>,
}

impl Drop for ThreadTree<'_> {
    fn drop(&mut self) {
        let mut tree = std::mem::take(&mut self.tree);
        // Sorted here, on every walker thread at once, the parts are runs
        // that the final sort only merges (it finds runs): sorting the whole
        // list on one thread took 12 ms of a 200 ms cached run.
        tree.entries.sort_by(|a, b| a.path.cmp(&b.path));
        self.parts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(tree);
    }
}

fn error_path(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}
