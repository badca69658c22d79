//! The history scan: each blob a range introduced, checked once like a
//! staged file, decoded on every thread (memory stays bounded however
//! large the history), with each commit's introduced blobs and each blob's
//! findings kept in a cache, so a second run reads only what new commits
//! brought.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use gix::ObjectId;
use rayon::prelude::*;

use super::{files, Checks, Outcome};
use crate::finding::Finding;
use crate::source::history::{self, Introduced};
use crate::source::Entry;

mod cache;
pub use cache::{entries_in, HistoryCache};

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
        .map(|b| cached.findings(&b.id, &b.entry.path, b.entry.forced.bits()))
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
    if to_read.is_empty() {
        return all;
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
    // Threads take trees as they come: warnings go back in the blobs' order.
    let mut warned = Vec::new();
    for part in parts {
        for (at, found) in part.found {
            all.findings[at] = found;
        }
        warned.extend(part.warned);
        let part = part.part;
        all.outcome.files_scanned += part.outcome.files_scanned;
        all.outcome.bytes_scanned += part.outcome.bytes_scanned;
        all.outcome.suppressed += part.outcome.suppressed;
        all.too_large += part.too_large;
        all.skipped.extend(part.skipped);
        all.sizes.extend(part.sizes);
    }
    warned.sort();
    all.warnings = warned.into_iter().map(|(_, w)| w).collect();
    all
}

impl Scanned {
    /// Keeps in `cache` the findings of the blobs this scan checked.
    pub fn remember_in(&self, blobs: &[Blob], cache: &mut HistoryCache) {
        for (blob, found) in blobs.iter().zip(&self.findings) {
            // Only blobs read have a size: not those the cache answered
            // for, nor those left out (missing, too large).
            if let Some(&size) = self.sizes.get(&blob.id) {
                let forced = blob.entry.forced.bits();
                cache.remember(&blob.id, &blob.entry.path, forced, size, found);
            }
        }
    }
}

/// One thread's share of the scan: blobs read, checked in batches.
struct Worker<'a> {
    blobs: &'a [Blob],
    checks: &'a Checks<'a>,
    /// Read, not yet checked: position and entry (holding the bytes).
    read: Vec<(usize, Entry)>,
    /// Findings per position checked.
    found: Vec<(usize, Vec<Finding>)>,
    /// Warnings per position (a blob missing).
    warned: Vec<(usize, String)>,
    part: Scanned,
}

impl<'a> Worker<'a> {
    fn new(blobs: &'a [Blob], checks: &'a Checks<'a>) -> Self {
        Worker {
            blobs,
            checks,
            read: Vec::with_capacity(BLOB_BATCH),
            found: Vec::new(),
            warned: Vec::new(),
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
                self.warned.push((at, format!("{}: {e}", blob.entry.path)));
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
