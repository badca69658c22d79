//! A git history as a source: the commits of a range, parents before
//! children, and the blobs each commit introduced, read in-process with gix
//! (objects are read on every thread; nothing parses `git log -p`).
//!
//! A blob is introduced by a commit at a path when the commit's tree holds
//! it there and no parent's tree does. The whole blob is later scanned, not
//! the patch's added lines, so a secret already in a file before a range is
//! found when the range edits another line of it.

use std::collections::HashSet;
use std::path::Path;

use gix::bstr::ByteSlice;
use gix::ObjectId;

use crate::finding::Commit;

mod diff;
mod packed;
pub use diff::{carried_over, introduced, staged, Introduced, Walked};
pub use packed::{Decoder, Packs, Read, Tree};

/// A blob of a range, checked once: at the path, and naming the commit
/// (its position among the range's commits), that first introduced it.
pub struct Listed {
    pub blob: ObjectId,
    pub path: std::sync::Arc<str>,
    pub mode: u32,
    pub origin: usize,
}

/// The all-zero id a pre-receive hook gets for a branch that did not exist
/// (as old revision) or is deleted (as new revision).
fn is_zero(spec: &str) -> bool {
    spec.len() >= 40 && spec.bytes().all(|b| b == b'0')
}

/// What to walk, as the command line said it.
#[derive(Debug, Default, Clone)]
pub struct RangeSpec {
    /// Revisions and ranges as git writes them: `main..feature`, `^old`, `HEAD`.
    pub revisions: Vec<String>,
    /// Leave out this commit and its ancestors (`--since-commit`).
    pub since_commit: Option<String>,
    /// Start from every local branch (`--branches`).
    pub branches: bool,
    /// At most this many commits, the newest (`--max-count`).
    pub max_count: Option<usize>,
}

/// Opens the repository at `dir` (a work tree or a bare repository). Only
/// the repository's own configuration is read, not the user's or the
/// system's nor the environment: what ward finds must not depend on who
/// runs it. The one exception is git's quarantine (see [`quarantine`]).
/// The temporary directory returned, if any, must outlive the repository.
pub fn open(dir: &Path) -> Result<(gix::ThreadSafeRepository, Option<tempfile::TempDir>), String> {
    let mut repo = gix::ThreadSafeRepository::open_opts(dir, gix::open::Options::isolated())
        .map_err(|e| format!("{}: not a git repository: {e}", dir.display()))?;
    let kept = quarantine(&mut repo)?;
    Ok((repo, kept))
}

/// In a pre-receive hook the pushed objects wait in a quarantine directory
/// (`GIT_OBJECT_DIRECTORY`, with the repository's own objects in
/// `GIT_ALTERNATE_OBJECT_DIRECTORIES`), which gix does not read from the
/// environment. An empty object directory of ward's own whose alternates
/// name them all stands in for the repository's. Only when git says it is
/// quarantining (`GIT_QUARANTINE_PATH`).
fn quarantine(repo: &mut gix::ThreadSafeRepository) -> Result<Option<tempfile::TempDir>, String> {
    let (Some(_), Some(objects)) = (
        std::env::var_os("GIT_QUARANTINE_PATH"),
        std::env::var_os("GIT_OBJECT_DIRECTORY"),
    ) else {
        return Ok(None);
    };
    let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    let mut dirs = vec![cwd.join(objects)];
    if let Some(alternates) = std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
        dirs.extend(std::env::split_paths(&alternates).map(|d| cwd.join(d)));
    }
    let stand_in = tempfile::TempDir::new().map_err(|e| format!("cannot make a directory: {e}"))?;
    let mut list = String::new();
    for dir in &dirs {
        list.push_str(&dir.to_string_lossy());
        list.push('\n');
    }
    std::fs::create_dir_all(stand_in.path().join("info"))
        .and_then(|()| std::fs::write(stand_in.path().join("info/alternates"), list))
        .map_err(|e| format!("cannot read git's quarantine: {e}"))?;
    let store = gix::odb::Store::at_opts(
        stand_in.path().to_path_buf(),
        repo.objects.object_hash(),
        &mut std::iter::empty(),
        gix::odb::store::init::Options::default(),
    )
    .map_err(|e| format!("cannot read git's quarantine: {e}"))?;
    // With the `parallel` feature gix shares the store in an `Arc`.
    repo.objects = std::sync::Arc::new(store);
    Ok(Some(stand_in))
}

/// Whether a repository-relative path lies in a vendored directory or names
/// a well-known library file: what the walk skips, for paths that come from
/// elsewhere (a git history).
pub fn is_vendored_path(path: &str) -> bool {
    let mut parent = "";
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            return crate::source::classes::is_vendored_name(part);
        }
        if crate::source::classes::is_vendored_dir(parent, part) {
            return true;
        }
        parent = part;
    }
    false
}

/// The commit a revision names.
fn resolve(repo: &gix::Repository, spec: &str) -> Result<ObjectId, String> {
    let peeled = format!("{spec}^{{commit}}");
    repo.rev_parse_single(peeled.as_str())
        .map(|id| id.detach())
        .map_err(|e| format!("unknown revision `{spec}`: {e}"))
}

/// Every commit a reference of the repository points at (branches, remote
/// branches, tags), for "all history".
fn all_refs(repo: &gix::Repository, local_only: bool) -> Result<Vec<ObjectId>, String> {
    let platform = repo
        .references()
        .map_err(|e| format!("cannot list references: {e}"))?;
    let iter = if local_only {
        platform.local_branches()
    } else {
        platform.all()
    }
    .map_err(|e| format!("cannot list references: {e}"))?;
    let mut out = Vec::new();
    for reference in iter.flatten() {
        let inner = reference.detach();
        // packed-refs knows a tag's peeled id (a `^` line), so most refs
        // need no object read; a loose ref or an unpeeled tag is peeled by
        // reading its objects. Only commits start a walk (a tag may point at
        // a tree or a blob).
        let start = match (inner.peeled, inner.target.try_id()) {
            (Some(peeled), _) => peeled,
            (None, Some(id)) => id.to_owned(),
            (None, None) => continue,
        };
        let Ok(header) = repo.find_header(start) else {
            continue;
        };
        let id = match header.kind() {
            gix::object::Kind::Commit => start,
            gix::object::Kind::Tag => {
                let Ok(peeled) = repo.find_object(start).and_then(|o| o.peel_tags_to_end()) else {
                    continue;
                };
                if peeled.kind != gix::object::Kind::Commit {
                    continue;
                }
                peeled.id
            }
            _ => continue,
        };
        out.push(id);
    }
    if !local_only {
        if let Ok(head) = repo.head_id() {
            out.push(head.detach());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Where a walk starts and what it must not cross.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub tips: Vec<ObjectId>,
    pub hidden: Vec<ObjectId>,
    pub max_count: Option<usize>,
}

impl Resolved {
    /// A text naming the walk, for caching its result.
    pub fn key(&self) -> String {
        let ids = |ids: &[ObjectId]| {
            ids.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        format!(
            "{} ^{} {:?}",
            ids(&self.tips),
            ids(&self.hidden),
            self.max_count
        )
    }
}

/// The commits the range names: its tips, the commits it hides.
pub fn range(repo: &gix::Repository, spec: &RangeSpec) -> Result<Resolved, String> {
    let mut tips = Vec::new();
    let mut hidden = Vec::new();
    let mut hide_all_refs = false;
    for revision in &spec.revisions {
        if revision.contains("...") {
            return Err(format!(
                "`{revision}`: symmetric ranges are not supported; write `A..B`"
            ));
        }
        if let Some((old, new)) = revision.split_once("..") {
            let old = if old.is_empty() { "HEAD" } else { old };
            let new = if new.is_empty() { "HEAD" } else { new };
            if is_zero(new) {
                // A deleted branch: nothing new arrives.
                continue;
            }
            if is_zero(old) {
                // A new branch: what no existing reference already has.
                hide_all_refs = true;
            } else {
                hidden.push(resolve(repo, old)?);
            }
            tips.push(resolve(repo, new)?);
        } else if let Some(excluded) = revision.strip_prefix('^') {
            hidden.push(resolve(repo, excluded)?);
        } else if !is_zero(revision) {
            tips.push(resolve(repo, revision)?);
        }
    }
    if let Some(since) = &spec.since_commit {
        hidden.push(resolve(repo, since)?);
    }
    if spec.branches {
        tips.extend(all_refs(repo, true)?);
    }
    if spec.revisions.is_empty() && !spec.branches {
        tips.extend(all_refs(repo, false)?);
    }
    if hide_all_refs {
        let pushed: HashSet<ObjectId> = tips.iter().copied().collect();
        hidden.extend(
            all_refs(repo, false)?
                .into_iter()
                .filter(|id| !pushed.contains(id)),
        );
    }
    tips.sort();
    tips.dedup();
    hidden.sort();
    hidden.dedup();
    Ok(Resolved {
        tips,
        hidden,
        max_count: spec.max_count,
    })
}

/// The commits of the range, parents before children (so the first commit
/// to introduce a blob is met first), and warnings about objects missing
/// from the repository (a shallow or partial clone), which end nothing.
pub fn commits(
    repo: &gix::Repository,
    range: &Resolved,
) -> Result<(Vec<Walked>, Vec<String>), String> {
    commits_with(repo, range, |_| {})
}

/// [`commits`], handing each commit to `each` as the walk meets it,
/// newest first (so that work on them can start before the walk ends).
pub fn commits_with(
    repo: &gix::Repository,
    range: &Resolved,
    mut each: impl FnMut(&Walked),
) -> Result<(Vec<Walked>, Vec<String>), String> {
    let mut warnings = Vec::new();
    if range.tips.is_empty() {
        return Ok((Vec::new(), warnings));
    }
    let (tips, hidden) = (range.tips.clone(), range.hidden.clone());
    // Newest first by commit time (git log's order, and fast: gix's
    // topological order reads every commit twice without a commit-graph);
    // then sorted so that parents come before children.
    let walk = repo
        .rev_walk(tips)
        .with_hidden(hidden)
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            gix::revision::walk::CommitTimeOrder::NewestFirst,
        ))
        .all()
        .map_err(|e| format!("cannot walk the history: {e}"))?;
    let mut newest_first = Vec::new();
    for info in walk {
        match info {
            Ok(info) => {
                let walked = Walked {
                    id: info.id,
                    parents: info.parent_ids.iter().copied().collect(),
                };
                each(&walked);
                newest_first.push(walked);
            }
            Err(e) => {
                warnings.push(format!("the history walk stopped early: {e}"));
                break;
            }
        }
        if range.max_count.is_some_and(|max| newest_first.len() >= max) {
            break;
        }
    }
    Ok((parents_first(newest_first), warnings))
}

/// The commits reordered so that each comes after its parents among them
/// (clocks may be wrong: commit time alone does not ensure it), otherwise
/// oldest first as walked.
fn parents_first(newest_first: Vec<Walked>) -> Vec<Walked> {
    let mut commits = newest_first;
    commits.reverse();
    let index: std::collections::HashMap<ObjectId, usize> = commits
        .iter()
        .enumerate()
        .map(|(at, c)| (c.id, at))
        .collect();
    let mut placed = vec![false; commits.len()];
    let mut order = Vec::with_capacity(commits.len());
    for start in 0..commits.len() {
        // Depth first through unplaced parents, without recursion.
        let mut stack = vec![(start, false)];
        while let Some((at, expanded)) = stack.pop() {
            if placed[at] {
                continue;
            }
            if expanded {
                placed[at] = true;
                order.push(at);
                continue;
            }
            stack.push((at, true));
            for parent in commits[at].parents.iter().rev() {
                if let Some(&p) = index.get(parent) {
                    if !placed[p] {
                        stack.push((p, false));
                    }
                }
            }
        }
    }
    let mut slots: Vec<Option<Walked>> = commits.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|at| slots[at].take())
        .collect()
}

/// A blob's size without reading it whole (its header), if it exists.
pub fn blob_size(repo: &gix::Repository, blob: ObjectId) -> Option<u64> {
    repo.find_header(blob).ok().map(|h| h.size())
}

/// A blob's bytes.
pub fn read_blob(repo: &gix::Repository, blob: ObjectId) -> Result<Vec<u8>, String> {
    repo.find_object(blob)
        .map(|o| o.detach().data)
        .map_err(|e| format!("blob {blob} is missing: {e}"))
}

/// Who made a commit, when, and why.
pub fn info(repo: &gix::Repository, id: ObjectId) -> Commit {
    let unknown = || Commit {
        commit: id.to_string(),
        author: String::new(),
        date: String::new(),
        summary: String::new(),
    };
    let Ok(commit) = repo.find_commit(id) else {
        return unknown();
    };
    let Ok(decoded) = commit.decode() else {
        return unknown();
    };
    let author = decoded.author();
    let date = author
        .as_ref()
        .ok()
        .and_then(|a| a.time().ok())
        .and_then(|t| u64::try_from(t.seconds).ok())
        .map(|s| {
            humantime::format_rfc3339_seconds(
                std::time::UNIX_EPOCH + std::time::Duration::from_secs(s),
            )
            .to_string()
        })
        .unwrap_or_default();
    Commit {
        commit: id.to_string(),
        author: author
            .map(|a| {
                format!(
                    "{} <{}>",
                    a.name.trim().to_str_lossy(),
                    a.email.trim().to_str_lossy()
                )
            })
            .unwrap_or_default(),
        date,
        summary: decoded
            .message
            .lines()
            .next()
            .map(|l| l.to_str_lossy().trim().to_string())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_paths_are_told_by_their_directories_and_library_names() {
        assert!(is_vendored_path("vendor/github.com/x/y.go"));
        assert!(is_vendored_path("web/node_modules/a/index.js"));
        assert!(is_vendored_path("site/wwwroot/lib/a.js"));
        assert!(is_vendored_path("static/jquery.min.js"));
        assert!(!is_vendored_path("src/vendor.go"));
        assert!(!is_vendored_path("lib/a.js"));
        assert!(!is_vendored_path("README.md"));
    }

    pub(super) fn git(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t.invalid")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn parents_come_before_children_whatever_the_clock_said() {
        let id = |n: u8| ObjectId::from_bytes_or_panic(&[n; 20]);
        // Walked newest first by time; commit 3's clock was behind its parent 2.
        let walked = vec![
            Walked {
                id: id(4),
                parents: vec![id(3)],
            },
            Walked {
                id: id(2),
                parents: vec![id(1)],
            },
            Walked {
                id: id(3),
                parents: vec![id(2)],
            },
            Walked {
                id: id(1),
                parents: vec![],
            },
        ];
        let order: Vec<ObjectId> = parents_first(walked).into_iter().map(|c| c.id).collect();
        assert_eq!(order, [id(1), id(2), id(3), id(4)]);
    }
}
