//! Which blobs a commit introduced: its tree against its first parent's,
//! in one merge pass over both trees' sorted entries.

use std::collections::HashSet;
use std::sync::Arc;

use gix::bstr::ByteSlice;
use gix::ObjectId;

/// A commit of the walk.
#[derive(Debug, Clone)]
pub struct Walked {
    pub id: ObjectId,
    pub parents: Vec<ObjectId>,
}

/// A blob a commit introduced at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Introduced {
    /// Shared: one path is introduced by many commits.
    pub path: Arc<str>,
    pub blob: ObjectId,
    /// `0o755` for executable files, else `0o644`.
    pub mode: u32,
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
                            path: path_of(&a).into(),
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
    let head: HashSet<(String, ObjectId)> = head
        .added
        .into_iter()
        .map(|i| (i.path.to_string(), i.blob))
        .collect();
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
            path: path.into(),
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
