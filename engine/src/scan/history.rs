//! The history scan: each blob a range introduced, checked once like a
//! staged file, read on every thread in small batches (memory stays
//! bounded however large the history), with each commit's introduced blobs
//! and each blob's findings kept in a cache, so a second run reads only
//! what new commits brought.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use gix::ObjectId;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::cache::{read_cache, restore, stored, verified, write_sealed, StoredFinding};
use super::{files, Checks, Outcome};
use crate::finding::Finding;
use crate::source::history::{self, Introduced};
use crate::source::Entry;

/// Blobs read and checked at once: enough to make the per-call cost of
/// plugins vanish, few enough that two threads hold a few MB.
const BLOB_BATCH: usize = 32;

/// Bytes of delta bases each thread keeps (gix's default is 96 MB a
/// thread: too much for a scan that must stay within a few hundred MB).
/// Read in pack order, 4 MB is as fast as 64 on containerd, and keeps the
/// whole scan of containerd under 300 MB resident.
const DELTA_CACHE: usize = 4 << 20;

/// Bytes of decoded objects (trees, commits) each thread keeps while
/// diffing commits.
const TREE_CACHE: usize = 8 << 20;

/// A repository handle for one thread.
fn thread_repo(repo: &gix::ThreadSafeRepository) -> gix::Repository {
    let mut local = repo.to_thread_local();
    local.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::StaticLinkedList::<64>::new(
            DELTA_CACHE,
        ))
    });
    local
}

/// A blob to check: its id and the entry it is checked as (the first path
/// the range introduced it at, with that path's classes).
pub struct Blob {
    pub id: ObjectId,
    pub entry: Entry,
}

/// What the history scan found, per blob, and what it could not read.
#[derive(Default)]
pub struct Scanned {
    /// Findings of each blob, in the order of the blobs given.
    pub findings: Vec<Vec<Finding>>,
    pub outcome: Outcome,
    /// Blobs over the size limit, left out.
    pub too_large: usize,
    /// Blobs not checked (too large or missing): not cached as checked.
    pub skipped: std::collections::HashSet<ObjectId>,
    /// The size of each blob read.
    pub sizes: HashMap<ObjectId, u64>,
    /// Objects missing from the repository (a partial clone), each named.
    pub warnings: Vec<String>,
}

/// Checks every blob; `cached` answers for blobs a previous run checked at
/// the same path. `limit` is the largest blob read.
pub fn scan(
    repo: &gix::ThreadSafeRepository,
    blobs: &[Blob],
    checks: &Checks<'_>,
    limit: u64,
    cached: &HistoryCache,
) -> Scanned {
    let hits: Vec<Option<(Vec<Finding>, u64)>> = blobs
        .par_iter()
        .map(|b| cached.findings(&b.id, &b.entry.path))
        .collect();
    let mut all = Scanned {
        findings: vec![Vec::new(); blobs.len()],
        ..Scanned::default()
    };
    let mut to_read = Vec::new();
    for (at, hit) in hits.into_iter().enumerate() {
        match hit {
            // Counted as checked, as `ward check` counts a cached file.
            Some((found, size)) => {
                all.outcome.files_scanned += 1;
                all.outcome.bytes_scanned += size;
                all.findings[at] = found;
            }
            None => to_read.push((at, blobs[at].id)),
        }
    }
    let packs = history::Packs::open(repo);
    let plan = packs.plan(&to_read);
    // Trees, then the blobs no pack holds, handed out one at a time: the
    // heaviest trees go first, so the threads end together.
    let next = AtomicUsize::new(0);
    let work = plan.trees.len() + plan.elsewhere.len();
    let parts: Vec<Worker<'_>> = (0..rayon::current_num_threads())
        .into_par_iter()
        .map(|_| {
            let local = thread_repo(repo);
            let mut decoder = history::Decoder::new(&packs, limit);
            let mut worker = Worker::new(blobs, checks);
            let mut one_by_one = Vec::new();
            loop {
                let task = next.fetch_add(1, Ordering::Relaxed);
                if task >= work {
                    break;
                }
                let Some(tree) = plan.trees.get(task) else {
                    one_by_one.push(plan.elsewhere[task - plan.trees.len()]);
                    continue;
                };
                decoder.walk(tree, |at, read| match read {
                    history::Read::Bytes(bytes) => worker.take(at, bytes),
                    history::Read::TooLarge(_) => worker.too_large(at),
                    history::Read::Elsewhere => one_by_one.push(at),
                });
            }
            for at in one_by_one {
                worker.read_one(&local, at, limit);
            }
            worker.flush();
            worker
        })
        .collect();
    for part in parts {
        for (at, found) in part.found {
            all.findings[at] = found;
        }
        let part = part.part;
        all.outcome.files_scanned += part.outcome.files_scanned;
        all.outcome.bytes_scanned += part.outcome.bytes_scanned;
        all.outcome.suppressed += part.outcome.suppressed;
        all.too_large += part.too_large;
        all.skipped.extend(part.skipped);
        all.sizes.extend(part.sizes);
        all.warnings.extend(part.warnings);
    }
    all
}

/// One thread's share of the scan: blobs read, checked in batches.
struct Worker<'a> {
    blobs: &'a [Blob],
    checks: &'a Checks<'a>,
    /// Read, not yet checked: position and entry (holding the bytes).
    read: Vec<(usize, Entry)>,
    /// Findings per position checked.
    found: Vec<(usize, Vec<Finding>)>,
    part: Scanned,
}

impl<'a> Worker<'a> {
    fn new(blobs: &'a [Blob], checks: &'a Checks<'a>) -> Self {
        Worker {
            blobs,
            checks,
            read: Vec::with_capacity(BLOB_BATCH),
            found: Vec::new(),
            part: Scanned::default(),
        }
    }

    fn take(&mut self, at: usize, bytes: Arc<Vec<u8>>) {
        let blob = &self.blobs[at];
        self.part.sizes.insert(blob.id, bytes.len() as u64);
        let mut entry = blob.entry.clone();
        entry.size = bytes.len() as u64;
        entry.staged = Some(bytes);
        self.read.push((at, entry));
        if self.read.len() >= BLOB_BATCH {
            self.flush();
        }
    }

    fn too_large(&mut self, at: usize) {
        self.part.too_large += 1;
        self.part.skipped.insert(self.blobs[at].id);
    }

    /// Reads a blob the packs could not give (loose, missing, a base
    /// elsewhere) through gix's object database.
    fn read_one(&mut self, repo: &gix::Repository, at: usize, limit: u64) {
        let blob = &self.blobs[at];
        if history::blob_size(repo, blob.id).is_some_and(|size| size > limit) {
            return self.too_large(at);
        }
        match history::read_blob(repo, blob.id) {
            Ok(bytes) if bytes.len() as u64 > limit => self.too_large(at),
            Ok(bytes) => self.take(at, Arc::new(bytes)),
            Err(e) => {
                self.part.skipped.insert(blob.id);
                self.part.warnings.push(format!("{}: {e}", blob.entry.path));
            }
        }
    }

    /// Checks what was read. A batch's findings are told apart by path:
    /// two versions of one file go to different batches.
    fn flush(&mut self) {
        let read = std::mem::take(&mut self.read);
        let mut start = 0;
        while start < read.len() {
            let mut end = start;
            let mut paths = std::collections::HashSet::new();
            while end < read.len() && paths.insert(read[end].1.path.as_str()) {
                end += 1;
            }
            let batch: Vec<&Entry> = read[start..end].iter().map(|(_, e)| e).collect();
            let outcome = files::check_batch(&batch, self.checks);
            let part = &mut self.part.outcome;
            part.files_scanned += outcome.files_scanned;
            part.bytes_scanned += outcome.bytes_scanned;
            part.suppressed += outcome.suppressed;
            let first = self.found.len();
            self.found
                .extend(read[start..end].iter().map(|(at, _)| (*at, Vec::new())));
            let slot: HashMap<&str, usize> = read[start..end]
                .iter()
                .enumerate()
                .map(|(i, (_, e))| (e.path.as_str(), first + i))
                .collect();
            for finding in outcome.findings {
                if let Some(&i) = slot.get(finding.path.as_str()) {
                    self.found[i].1.push(finding);
                }
            }
            start = end;
        }
        self.read = read;
        self.read.clear();
    }
}

/// Commits handed from the walk to the diffs at a time.
const WALK_BLOCK: usize = 512;

/// Walks a range and diffs its commits at once: the walk (one thread)
/// hands blocks of commits to the diffs (every thread) as it goes.
pub fn walk_and_introduce(
    repo: &gix::ThreadSafeRepository,
    range: &history::Resolved,
    cached: &HistoryCache,
) -> Result<WalkedAndIntroduced, String> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<history::Walked>>(16);
    std::thread::scope(|scope| {
        let walker = scope.spawn(move || {
            let mut block = Vec::with_capacity(WALK_BLOCK);
            let walked = history::commits_with(&repo.to_thread_local(), range, |commit| {
                block.push(commit.clone());
                if block.len() == WALK_BLOCK {
                    // The receiver only goes away when this scope ends.
                    let _ = sender.send(std::mem::take(&mut block));
                }
            });
            if !block.is_empty() {
                let _ = sender.send(block);
            }
            walked
        });
        let mut found: HashMap<ObjectId, Vec<Introduced>> = HashMap::new();
        let mut warnings = Vec::new();
        for block in receiver {
            let (introduced, mut said) = introduced_newest_first(repo, &block, cached);
            found.extend(block.iter().map(|c| c.id).zip(introduced));
            warnings.append(&mut said);
        }
        let (commits, walk_warnings) = walker
            .join()
            .map_err(|_| "the history walk failed".to_string())??;
        let introduced = commits
            .iter()
            .map(|c| found.remove(&c.id).unwrap_or_default())
            .collect();
        Ok(WalkedAndIntroduced {
            commits,
            introduced,
            walk_warnings,
            warnings,
        })
    })
}

/// What [`walk_and_introduce`] found.
pub struct WalkedAndIntroduced {
    /// The commits, parents first.
    pub commits: Vec<history::Walked>,
    /// The blobs each commit introduced.
    pub introduced: Vec<Vec<Introduced>>,
    /// Warnings of the walk (a missing commit cut it short).
    pub walk_warnings: Vec<String>,
    /// Warnings of the diffs (missing trees).
    pub warnings: Vec<String>,
}

/// The commits of a range, each with the blobs it introduced, computed on
/// every thread (or taken from the cache).
pub fn introduced(
    repo: &gix::ThreadSafeRepository,
    commits: &[history::Walked],
    cached: &HistoryCache,
) -> (Vec<Vec<Introduced>>, Vec<String>) {
    let newest_first: Vec<history::Walked> = commits.iter().rev().cloned().collect();
    let (mut found, warnings) = introduced_newest_first(repo, &newest_first, cached);
    found.reverse();
    (found, warnings)
}

/// [`introduced`] for commits given newest first.
fn introduced_newest_first(
    repo: &gix::ThreadSafeRepository,
    commits: &[history::Walked],
    cached: &HistoryCache,
) -> (Vec<Vec<Introduced>>, Vec<String>) {
    // Newest first: git deltifies older trees against newer ones, so a
    // tree read after its base costs one delta, and each commit's tree is
    // the next commit's parent tree, found again in the object cache.
    let done: Vec<(Vec<Introduced>, Vec<String>)> = commits
        .par_iter()
        .map_init(
            || {
                let mut local = thread_repo(repo);
                local.object_cache_size(TREE_CACHE);
                local
            },
            |repo, commit| {
                if let Some(found) = cached.introduced(&commit.id) {
                    return (found, Vec::new());
                }
                let mut warnings = Vec::new();
                let found = history::introduced(repo, commit, &mut warnings);
                (found, warnings)
            },
        )
        .collect();
    let mut warnings = Vec::new();
    let mut out = Vec::with_capacity(done.len());
    for (found, mut said) in done {
        out.push(found);
        warnings.append(&mut said);
    }
    (out, warnings)
}

/// The cache's format; another one is ignored.
const FORMAT: u32 = 3;

/// A commit of a walk, as the cache keeps it: raw id, raw parent ids.
type StoredCommit = (Vec<u8>, Vec<Vec<u8>>);

/// A blob a commit introduced, as the cache keeps it: path, raw id, mode.
type StoredIntroduced = (String, Vec<u8>, u32);

#[derive(Serialize, Deserialize, Default)]
struct StoredHistory {
    format: u32,
    key: String,
    /// Per commit (raw id), the blobs it introduced: path, id, mode.
    commits: HashMap<Vec<u8>, Vec<StoredIntroduced>>,
    /// Per blob (raw id), the path it was checked at, its size and its
    /// findings.
    blobs: HashMap<Vec<u8>, (String, u64, Vec<StoredFinding>)>,
    /// Per walk (its tips and hidden commits), its commits, parents first:
    /// raw id and raw parent ids.
    walks: HashMap<String, Vec<StoredCommit>>,
    /// Per merge, blob and path met (raw merge id, raw blob id, path):
    /// whether the merge only carried the blob over from another parent.
    carried: HashMap<Vec<u8>, bool>,
}

/// A history cache file's content, if the file is whole (its checksum
/// holds), of this format and for `key`; anything else is a miss.
fn parse(bytes: &[u8], key: &str) -> Option<StoredHistory> {
    postcard::from_bytes::<StoredHistory>(verified(bytes)?)
        .ok()
        .filter(|s| s.format == FORMAT && s.key == key)
}

/// How many commits, blobs and walks ward would take from a history cache
/// file's bytes (for the fuzz target: any bytes are a miss or a cache,
/// never a panic).
pub fn entries_in(bytes: &[u8], key: &str) -> usize {
    parse(bytes, key).map_or(0, |s| s.commits.len() + s.blobs.len() + s.walks.len())
}

fn carried_key(commit: &ObjectId, path: &str, blob: &ObjectId) -> Vec<u8> {
    [commit.as_bytes(), blob.as_bytes(), path.as_bytes()].concat()
}

/// What earlier `ward history` runs over this repository found, under the
/// same config, rules and ward: results per commit and per blob.
pub struct HistoryCache {
    path: Option<PathBuf>,
    stored: StoredHistory,
    changed: bool,
}

impl HistoryCache {
    /// No cache: every commit is diffed and every blob read.
    pub fn none() -> Self {
        HistoryCache {
            path: None,
            stored: StoredHistory::default(),
            changed: false,
        }
    }

    /// The cache for the repository at `root` under `dir`; `key`
    /// fingerprints everything that decides findings. A file that is not
    /// whole, not ours or for another key is a miss.
    pub fn open(dir: &Path, root: &Path, key: String) -> Self {
        let name = crate::source::digest::key_of(&[b"history", root.to_string_lossy().as_bytes()]);
        let path = dir.join(format!("history-{}.bin", &name[..32]));
        let stored = read_cache(&path)
            .and_then(|bytes| parse(&bytes, &key))
            .unwrap_or_else(|| StoredHistory {
                format: FORMAT,
                key,
                ..StoredHistory::default()
            });
        HistoryCache {
            path: Some(path),
            stored,
            changed: false,
        }
    }

    fn introduced(&self, commit: &ObjectId) -> Option<Vec<Introduced>> {
        let stored = self.stored.commits.get(commit.as_bytes())?;
        stored
            .iter()
            .map(|(path, blob, mode)| {
                Some(Introduced {
                    path: path.clone(),
                    blob: ObjectId::try_from(blob.as_slice()).ok()?,
                    mode: *mode,
                })
            })
            .collect()
    }

    /// Whether merge `commit` only carried `blob` at `path` over from
    /// another parent, if an earlier run asked.
    pub fn carried_over(&self, commit: &ObjectId, path: &str, blob: &ObjectId) -> Option<bool> {
        self.stored
            .carried
            .get(&carried_key(commit, path, blob))
            .copied()
    }

    /// Keeps the answers of `history::carried_over` this run computed,
    /// so that a second run reads no merge's trees.
    pub fn remember_carried(&mut self, answers: &[(ObjectId, String, ObjectId, bool)]) {
        if self.path.is_none() {
            return;
        }
        for (commit, path, blob, carried) in answers {
            self.changed = true;
            self.stored
                .carried
                .insert(carried_key(commit, path, blob), *carried);
        }
    }

    /// The findings and size of a blob checked at `path` before.
    fn findings(&self, blob: &ObjectId, path: &str) -> Option<(Vec<Finding>, u64)> {
        let (at, size, found) = self.stored.blobs.get(blob.as_bytes())?;
        (at == path).then(|| (restore(path, found), *size))
    }

    /// The commits of a walk made before with the same tips and hidden
    /// commits (references that did not move walk to the same commits).
    pub fn walk(&self, key: &str) -> Option<Vec<history::Walked>> {
        let id = |raw: &Vec<u8>| ObjectId::try_from(raw.as_slice()).ok();
        self.stored
            .walks
            .get(key)?
            .iter()
            .map(|(commit, parents)| {
                Some(history::Walked {
                    id: id(commit)?,
                    parents: parents.iter().map(id).collect::<Option<Vec<_>>>()?,
                })
            })
            .collect()
    }

    /// Keeps a walk's commits (one walk: the last run's).
    pub fn remember_walk(&mut self, key: &str, commits: &[history::Walked]) {
        if self.path.is_none() || self.stored.walks.contains_key(key) {
            return;
        }
        self.changed = true;
        self.stored.walks.clear();
        self.stored.walks.insert(
            key.to_string(),
            commits
                .iter()
                .map(|c| {
                    (
                        c.id.as_bytes().to_vec(),
                        c.parents.iter().map(|p| p.as_bytes().to_vec()).collect(),
                    )
                })
                .collect(),
        );
    }

    /// Keeps what this run computed.
    /// Keeps the blobs each commit introduced, taking them: the scan that
    /// follows needs memory more than it needs them.
    pub fn remember_introduced(
        &mut self,
        commits: &[history::Walked],
        introduced: Vec<Vec<Introduced>>,
    ) {
        if self.path.is_none() {
            return;
        }
        for (commit, found) in commits.iter().zip(introduced) {
            let key = commit.id.as_bytes().to_vec();
            if !self.stored.commits.contains_key(&key) {
                self.changed = true;
                self.stored.commits.insert(
                    key,
                    found
                        .into_iter()
                        .map(|i| (i.path, i.blob.as_bytes().to_vec(), i.mode))
                        .collect(),
                );
            }
        }
    }

    /// Keeps the findings of the blobs this run checked.
    pub fn remember(&mut self, blobs: &[Blob], scanned: &Scanned) {
        if self.path.is_none() {
            return;
        }
        for (blob, found) in blobs.iter().zip(&scanned.findings) {
            // A blob left out (missing, too large) was not checked.
            if scanned.skipped.contains(&blob.id) {
                continue;
            }
            let key = blob.id.as_bytes().to_vec();
            let fresh = self
                .stored
                .blobs
                .get(&key)
                .is_none_or(|(path, _, _)| *path != blob.entry.path);
            if fresh {
                self.changed = true;
                let size = scanned.sizes.get(&blob.id).copied().unwrap_or(0);
                self.stored.blobs.insert(
                    key,
                    (
                        blob.entry.path.clone(),
                        size,
                        found.iter().map(stored).collect(),
                    ),
                );
            }
        }
    }

    /// Writes the cache back if this run added to it; failures only cost
    /// speed, and are returned to be said.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path.as_ref().filter(|_| self.changed) else {
            return Ok(());
        };
        let payload = postcard::to_allocvec(&self.stored).map_err(|e| e.to_string())?;
        write_sealed(path, &payload).map_err(|e| format!("{}: {e}", path.display()))
    }
}
