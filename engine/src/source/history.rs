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

/// A commit of the walk.
#[derive(Debug, Clone)]
pub struct Walked {
    pub id: ObjectId,
    pub parents: Vec<ObjectId>,
}

/// A blob a commit introduced at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Introduced {
    pub path: String,
    pub blob: ObjectId,
    /// `0o755` for executable files, else `0o644`.
    pub mode: u32,
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
        let mut reference = reference;
        // The peeled id (packed refs know it without reading a tag); only
        // commits start a walk (a tag may point at a tree or a blob).
        if let Ok(id) = reference.peel_to_id() {
            let is_commit = repo
                .find_header(id)
                .is_ok_and(|h| h.kind() == gix::object::Kind::Commit);
            if is_commit {
                out.push(id.detach());
            }
        }
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
            Ok(info) => newest_first.push(Walked {
                id: info.id,
                parents: info.parent_ids.iter().copied().collect(),
            }),
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

/// What one diff of two trees found: blobs new at their path, and blobs
/// that left a path (deleted, replaced, moved away).
#[derive(Default)]
struct Changes {
    added: Vec<Introduced>,
    removed: HashSet<ObjectId>,
}

/// A tree's raw bytes, or nothing (a missing tree is a warning).
fn tree_data(
    repo: &gix::Repository,
    tree: Option<ObjectId>,
    warnings: &mut Vec<String>,
) -> Vec<u8> {
    let Some(tree) = tree else {
        return Vec::new();
    };
    match repo.find_object(tree) {
        Ok(object) => object.detach().data,
        Err(e) => {
            warnings.push(format!("tree {tree} is missing: {e}"));
            Vec::new()
        }
    }
}

/// Git's order of tree entries: by name, a directory's name as if it
/// ended in `/`.
fn git_order(
    a: &gix::objs::tree::EntryRef<'_>,
    b: &gix::objs::tree::EntryRef<'_>,
) -> std::cmp::Ordering {
    let (an, bn): (&[u8], &[u8]) = (a.filename.as_ref(), b.filename.as_ref());
    let common = an.len().min(bn.len());
    an[..common].cmp(&bn[..common]).then_with(|| {
        let next = |name: &[u8], tree: bool| name.get(common).copied().or(tree.then_some(b'/'));
        next(an, a.mode.is_tree()).cmp(&next(bn, b.mode.is_tree()))
    })
}

/// The blobs of `new` (a tree) not in `old` at the same path, and the
/// blobs of `old` that left their path. Both trees are sorted, so one merge
/// pass pairs their entries; only subtrees that differ are entered.
fn diff(
    repo: &gix::Repository,
    prefix: &str,
    new: Option<ObjectId>,
    old: Option<ObjectId>,
    changes: &mut Changes,
    warnings: &mut Vec<String>,
) {
    if new == old {
        return;
    }
    let kind = repo.object_hash();
    let (new_data, old_data) = (
        tree_data(repo, new, warnings),
        tree_data(repo, old, warnings),
    );
    let mut after = gix::objs::TreeRefIter::from_bytes(&new_data, kind)
        .filter_map(Result::ok)
        .peekable();
    let mut before = gix::objs::TreeRefIter::from_bytes(&old_data, kind)
        .filter_map(Result::ok)
        .peekable();
    let path_of =
        |e: &gix::objs::tree::EntryRef<'_>| format!("{prefix}{}", e.filename.to_str_lossy());
    loop {
        let order = match (after.peek(), before.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(a), Some(b)) => git_order(a, b),
        };
        let (added, removed) = match order {
            std::cmp::Ordering::Less => (after.next(), None),
            std::cmp::Ordering::Greater => (None, before.next()),
            std::cmp::Ordering::Equal => (after.next(), before.next()),
        };
        match (added, removed) {
            (Some(a), Some(b)) if a.oid == b.oid => {}
            (Some(a), Some(b)) if a.mode.is_tree() && b.mode.is_tree() => {
                let path = format!("{}/", path_of(&a));
                diff(
                    repo,
                    &path,
                    Some(a.oid.to_owned()),
                    Some(b.oid.to_owned()),
                    changes,
                    warnings,
                );
            }
            (added, removed) => {
                if let Some(a) = added {
                    if a.mode.is_tree() {
                        let path = format!("{}/", path_of(&a));
                        diff(repo, &path, Some(a.oid.to_owned()), None, changes, warnings);
                    } else if a.mode.is_blob() {
                        changes.added.push(Introduced {
                            path: path_of(&a),
                            blob: a.oid.to_owned(),
                            mode: if a.mode.is_executable() { 0o755 } else { 0o644 },
                        });
                    }
                    // Symlinks and submodules hold no content of this repository.
                }
                if let Some(b) = removed {
                    if b.mode.is_tree() {
                        let path = format!("{}/", path_of(&b));
                        diff(repo, &path, None, Some(b.oid.to_owned()), changes, warnings);
                    } else if b.mode.is_blob() {
                        changes.removed.insert(b.oid.to_owned());
                    }
                }
            }
        }
    }
}

fn tree_of(
    repo: &gix::Repository,
    commit: ObjectId,
    warnings: &mut Vec<String>,
) -> Option<ObjectId> {
    match repo
        .find_commit(commit)
        .and_then(|c| c.tree_id().map(|t| t.detach()))
    {
        Ok(tree) => Some(tree),
        Err(e) => {
            warnings.push(format!("commit {commit} is missing or unreadable: {e}"));
            None
        }
    }
}

/// The blobs `commit` introduced: in its tree, and not in its first
/// parent's at that path nor moved from another path (for a merge, see
/// also [`carried_over`]).
pub fn introduced(
    repo: &gix::Repository,
    commit: &Walked,
    warnings: &mut Vec<String>,
) -> Vec<Introduced> {
    let Some(tree) = tree_of(repo, commit.id, warnings) else {
        return Vec::new();
    };
    let parent_trees: Vec<ObjectId> = commit
        .parents
        .iter()
        .filter_map(|p| tree_of(repo, *p, warnings))
        .collect();
    let mut changes = Changes::default();
    diff(
        repo,
        "",
        Some(tree),
        parent_trees.first().copied(),
        &mut changes,
        warnings,
    );
    // A blob that only moved (a renamed file, a moved directory) is not new.
    let Changes { mut added, removed } = changes;
    added.retain(|i| !removed.contains(&i.blob));
    added
}

/// Whether a merge only carried `blob` over from one of its other parents
/// (which has it at `path`): a merge introduces only what it resolved
/// itself. Asked only for blobs the range has not met yet (in a full
/// history, the merged branch's own commits met them first), since each
/// question reads a path's trees.
pub fn carried_over(repo: &gix::Repository, commit: &Walked, path: &str, blob: ObjectId) -> bool {
    commit.parents.iter().skip(1).any(|parent| {
        let Ok(tree) = repo.find_commit(*parent).and_then(|c| c.tree()) else {
            return false;
        };
        matches!(
            tree.lookup_entry(path.split('/').map(str::as_bytes)),
            Ok(Some(entry)) if entry.object_id() == blob
        )
    })
}

/// The blobs the index holds that `HEAD`'s tree does not have at their
/// path: what the next commit would introduce.
pub fn staged(
    repo: &gix::Repository,
    warnings: &mut Vec<String>,
) -> Result<Vec<Introduced>, String> {
    let index = repo
        .index_or_empty()
        .map_err(|e| format!("cannot read the index: {e}"))?;
    let mut head = Changes::default();
    if let Ok(tree) = repo.head_tree_id() {
        diff(repo, "", Some(tree.detach()), None, &mut head, warnings);
    }
    let head: HashSet<(String, ObjectId)> =
        head.added.into_iter().map(|i| (i.path, i.blob)).collect();
    let mut out = Vec::new();
    for entry in index.entries() {
        use gix::index::entry::Mode;
        if entry.stage_raw() != 0
            || !(entry.mode == Mode::FILE || entry.mode == Mode::FILE_EXECUTABLE)
        {
            continue;
        }
        let path = entry.path(&index).to_str_lossy().into_owned();
        if head.contains(&(path.clone(), entry.id)) {
            continue;
        }
        out.push(Introduced {
            path,
            blob: entry.id,
            mode: if entry.mode == Mode::FILE_EXECUTABLE {
                0o755
            } else {
                0o644
            },
        });
    }
    Ok(out)
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
