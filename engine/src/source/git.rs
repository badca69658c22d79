//! What ward asks git: the repository's top level, the staged files and
//! their content in the index, and where hooks live. ward runs the `git`
//! command rather than linking a git library: a commit hook has git anyway,
//! and it honours every setting the user's git does.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use globset::GlobSet;
use ward_plugin_sdk::EntryKind;

use crate::source::{Entry, Tree};

/// What went wrong asking git.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GitError {
    /// The `git` command could not be started.
    #[error("cannot run git: {0}")]
    #[diagnostic(
        code(ward::git),
        help("ward needs git on PATH for --staged and install-hook")
    )]
    Run(#[source] std::io::Error),
    /// git ran and refused.
    #[error("git {args} failed: {stderr}")]
    #[diagnostic(code(ward::git))]
    Failed { args: String, stderr: String },
    /// `--staged` outside a git work tree.
    #[error("{0}")]
    #[diagnostic(code(ward::git), help("--staged checks a git repository's index"))]
    NotARepository(Box<GitError>),
    /// `git cat-file --batch` broke off or answered what was not asked.
    #[error("reading git cat-file: {0}")]
    #[diagnostic(code(ward::git))]
    CatFile(String),
}

/// Runs git in `dir`; its stdout.
pub(crate) fn run_git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    git(dir, args)
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .map_err(GitError::Run)?;
    if !output.status.success() {
        return Err(GitError::Failed {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(output.stdout)
}

/// The commit checked out at `top` and its branch (`None` for an unborn
/// branch or a detached HEAD).
pub fn head(top: &Path) -> (Option<String>, Option<String>) {
    let ask = |args: &[&str]| {
        git(top, args)
            .ok()
            .map(|out| String::from_utf8_lossy(&out).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    (
        ask(&["rev-parse", "--verify", "-q", "HEAD"]),
        ask(&["symbolic-ref", "-q", "--short", "HEAD"]),
    )
}

/// The top level of the work tree that holds `dir`.
pub fn toplevel(dir: &Path) -> Result<PathBuf, GitError> {
    let out = git(dir, &["rev-parse", "--show-toplevel"])
        .map_err(|e| GitError::NotARepository(Box::new(e)))?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out).trim_end()))
}

/// Where git runs hooks from for the repository that holds `dir`
/// (honours `core.hooksPath` and worktrees).
pub fn hooks_dir(dir: &Path) -> Result<PathBuf, GitError> {
    let out = git(dir, &["rev-parse", "--git-path", "hooks"])?;
    let path = PathBuf::from(String::from_utf8_lossy(&out).trim_end());
    Ok(if path.is_absolute() {
        path
    } else {
        dir.join(path)
    })
}

/// The modes git records for tracked files (`100755` or `100644`), so the
/// executable bit is the repository's, not the filesystem's (FAT, Windows
/// and `core.fileMode = false` lose it). Empty outside a git work tree.
pub fn index_modes(top: &Path, only: &[String]) -> std::collections::HashMap<String, u32> {
    let mut args = vec!["ls-files", "--stage", "-z", "--"];
    args.extend(only.iter().map(String::as_str));
    let Ok(index) = git(top, &args) else {
        return std::collections::HashMap::new();
    };
    split_z(&index)
        .filter_map(|line| {
            let (meta, path) = line.split_once('\t')?;
            let mode = u32::from_str_radix(meta.split(' ').next()?, 8).ok()?;
            (mode & 0o170000 == 0o100000).then(|| (path.to_string(), mode & 0o777))
        })
        .collect()
}

/// What `.gitattributes` say of the classes of `paths`, read by git itself
/// (`git check-attr`), so nested files, macros and `.git/info/attributes`
/// mean what they mean to git. `cached` reads the attributes in the index.
/// Paths nothing is said of are left out; outside a repository, nothing.
pub fn attribute_classes(
    top: &Path,
    paths: &[&str],
    cached: bool,
) -> std::collections::HashMap<String, crate::source::classes::Forced> {
    use crate::source::classes::Forced;
    let mut args = vec!["check-attr", "-z", "--stdin"];
    if cached {
        args.push("--cached");
    }
    args.extend([
        "binary",
        "text",
        "diff",
        "linguist-generated",
        "linguist-vendored",
        "linguist-documentation",
    ]);
    let Ok(mut child) = Command::new("git")
        .current_dir(top)
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    else {
        return std::collections::HashMap::new();
    };
    let input: Vec<u8> = paths
        .iter()
        .flat_map(|p| p.bytes().chain(std::iter::once(0)))
        .collect();
    // Written from a thread: git answers while we write, and a long list
    // would otherwise fill both pipes and stall.
    let writer = child.stdin.take().map(|mut stdin| {
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        })
    });
    let mut output = Vec::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_end(&mut output);
    }
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let _ = child.wait();
    let mut found: std::collections::HashMap<String, Forced> = std::collections::HashMap::new();
    let fields: Vec<&[u8]> = output.split(|b| *b == 0).collect();
    for triple in fields.chunks_exact(3) {
        let value = String::from_utf8_lossy(triple[2]);
        if value == "unspecified" {
            continue;
        }
        let path = String::from_utf8_lossy(triple[0]).into_owned();
        found
            .entry(path)
            .or_default()
            .add(&String::from_utf8_lossy(triple[1]), &value);
    }
    found
}

/// One index entry: mode, object id, path.
struct IndexEntry {
    mode: u32,
    object: String,
    path: String,
}

fn split_z(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
}

/// The files staged for the next commit (added, copied, modified or
/// renamed; deletions have nothing to check), as they are in the index.
pub fn staged_tree(
    top: &Path,
    only: &[String],
    exclude: &GlobSet,
    limit: u64,
) -> Result<Tree, GitError> {
    let names = git(
        top,
        &[
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--diff-filter=ACMR",
            "--no-renames",
        ],
    )?;
    let staged: std::collections::HashSet<String> = split_z(&names)
        .filter(|p| {
            only.is_empty()
                || only
                    .iter()
                    .any(|o| p == o || p.starts_with(&format!("{o}/")))
        })
        .filter(|p| !exclude.is_match(p))
        .collect();
    let mut tree = Tree::default();
    if staged.is_empty() {
        return Ok(tree);
    }
    let index = git(top, &["ls-files", "--stage", "-z"])?;
    let entries: Vec<IndexEntry> = split_z(&index)
        .filter_map(|line| {
            // "<mode> <object> <stage>\t<path>"
            let (meta, path) = line.split_once('\t')?;
            let mut parts = meta.split(' ');
            let mode = u32::from_str_radix(parts.next()?, 8).ok()?;
            let object = parts.next()?.to_string();
            Some(IndexEntry {
                mode,
                object,
                path: path.to_string(),
            })
        })
        .filter(|e| staged.contains(&e.path))
        .collect();
    let regular: Vec<&IndexEntry> = entries
        .iter()
        .filter(|e| e.mode & 0o170000 == 0o100000)
        .collect();
    let mut blobs: std::collections::HashMap<&str, Blob> = regular
        .iter()
        .map(|e| e.path.as_str())
        .zip(read_blobs(top, &regular, limit)?)
        .collect();
    let top_shared: std::sync::Arc<Path> = std::sync::Arc::from(top);
    for entry in &entries {
        let blob = blobs.remove(entry.path.as_str());
        let kind = match entry.mode & 0o170000 {
            0o100000 => EntryKind::File,
            0o120000 => EntryKind::Symlink,
            _ => EntryKind::Other, // a submodule: not ours to read
        };
        let (size, content, streamed) = match blob {
            Some(Blob::Content(bytes)) => (bytes.len() as u64, Some(Arc::new(bytes)), None),
            // Checked in pieces straight from git, as a large file in the
            // working tree is (the scan notes that it was).
            Some(Blob::TooLarge(size)) => {
                (size, None, Some((top_shared.clone(), entry.object.clone())))
            }
            None => (0, None, None),
        };
        tree.entries.push(Entry {
            path: entry.path.clone(),
            abs: top.join(&entry.path),
            kind: if kind == EntryKind::File && content.is_none() && streamed.is_none() {
                EntryKind::Other
            } else {
                kind
            },
            size,
            mode: entry.mode & 0o7777,
            staged: content,
            staged_blob: streamed,
            link_target: None,
            stat: None,
            forced: crate::source::classes::Forced::default(),
        });
    }
    tree.entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(tree)
}

enum Blob {
    Content(Vec<u8>),
    TooLarge(u64),
}

/// Reads blobs through one `git cat-file --batch`, in order.
fn read_blobs(top: &Path, entries: &[&IndexEntry], limit: u64) -> Result<Vec<Blob>, GitError> {
    let mut child = Command::new("git")
        .current_dir(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(GitError::Run)?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| GitError::CatFile("no stdin".into()))?;
    let ids: String = entries.iter().map(|e| format!("{}\n", e.object)).collect();
    // Write from a thread: git answers while we write, and a large list
    // would otherwise fill both pipes and stall.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(ids.as_bytes());
    });
    let mut out = BufReader::new(
        child
            .stdout
            .take()
            .ok_or_else(|| GitError::CatFile("no stdout".into()))?,
    );
    let mut blobs = Vec::with_capacity(entries.len());
    for entry in entries {
        let mut header = String::new();
        out.read_line(&mut header)
            .map_err(|e| GitError::CatFile(e.to_string()))?;
        // "<oid> blob <size>" or "<oid> missing"
        let size: u64 = header
            .trim_end()
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                GitError::CatFile(format!("no blob for {}: {}", entry.path, header.trim_end()))
            })?;
        let mut content = Vec::new();
        let mut blob = (&mut out).take(size);
        // A blob over the limit is passed over here, never held: the scan
        // streams it from git on its own.
        if size > limit {
            std::io::copy(&mut blob, &mut std::io::sink())
        } else {
            content.reserve_exact(usize::try_from(size).unwrap_or(0));
            blob.read_to_end(&mut content).map(|n| n as u64)
        }
        .map_err(|e| GitError::CatFile(e.to_string()))?;
        let mut newline = [0u8; 1];
        out.read_exact(&mut newline)
            .map_err(|e| GitError::CatFile(e.to_string()))?;
        blobs.push(if size > limit {
            Blob::TooLarge(size)
        } else {
            Blob::Content(content)
        });
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(blobs)
}
