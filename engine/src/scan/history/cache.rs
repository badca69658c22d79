//! The history cache: each commit's introduced blobs, each blob's
//! findings and the last walk, so that a second run reads only what new
//! commits brought.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gix::ObjectId;
use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::scan::cache::{read_cache, restore, stored, verified, write_sealed, StoredFinding};
use crate::source::history::{self, Introduced};

/// The cache's format; another one is ignored.
const FORMAT: u32 = 4;

/// A raw object id, as the cache keeps it.
type Id = [u8; 20];

/// Maps keyed by object ids (already random): foldhash is several times
/// faster than SipHash, and a cached run does little but look up ids.
type IdMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

fn id_of(id: &ObjectId) -> Id {
    id.as_bytes().try_into().expect("SHA-1 ids")
}

/// A blob a commit introduced, as the cache keeps it: path (its number in
/// the path table), raw id, mode.
type StoredIntroduced = (u32, Id, u32);

/// Every path, commit and id is kept as a number or as 20 bytes, each path
/// once: a cached run of containerd reads 164,000 introduced blobs, and an
/// allocation for each string decoded was most of its time.
#[derive(Serialize, Deserialize, Default)]
struct StoredHistory {
    format: u32,
    key: String,
    /// Every path the cache names, each once.
    paths: Vec<String>,
    /// Per commit, the blobs it introduced.
    commits: IdMap<Id, Vec<StoredIntroduced>>,
    /// Per blob, the path it was checked at, its size and its findings.
    blobs: IdMap<Id, (u32, u64, Vec<StoredFinding>)>,
    /// Per walk (its tips and hidden commits), its commits, parents first,
    /// with their parents.
    walks: HashMap<String, Vec<(Id, Vec<Id>)>>,
    /// Per merge, blob and path met: whether the merge only carried the
    /// blob over from another parent.
    carried: IdMap<(Id, Id, u32), bool>,
}

/// A history cache file's content, if the file is whole (its checksum
/// holds), of this format and for `key`; anything else is a miss.
fn parse(bytes: &[u8], key: &str) -> Option<StoredHistory> {
    postcard::from_bytes::<StoredHistory>(verified(bytes)?)
        .ok()
        .filter(|s| s.format == FORMAT && s.key == key)
        // Numbers past the path table: damaged, a miss.
        .filter(|s| {
            let paths = s.paths.len();
            s.commits.values().flatten().all(|i| (i.0 as usize) < paths)
                && s.blobs.values().all(|b| (b.0 as usize) < paths)
                && s.carried.keys().all(|c| (c.2 as usize) < paths)
        })
}

/// How many commits, blobs and walks ward would take from a history cache
/// file's bytes (for the fuzz target: any bytes are a miss or a cache,
/// never a panic).
pub fn entries_in(bytes: &[u8], key: &str) -> usize {
    parse(bytes, key).map_or(0, |s| s.commits.len() + s.blobs.len() + s.walks.len())
}

/// What earlier `ward history` runs over this repository found, under the
/// same config, rules and ward: results per commit and per blob.
pub struct HistoryCache {
    path: Option<PathBuf>,
    stored: StoredHistory,
    /// The path table, shared with what is taken from the cache, and each
    /// path's number.
    paths: Vec<Arc<str>>,
    numbers: HashMap<Arc<str>, u32, foldhash::fast::RandomState>,
    changed: bool,
}

impl HistoryCache {
    /// No cache: every commit is diffed and every blob read.
    pub fn none() -> Self {
        HistoryCache {
            path: None,
            stored: StoredHistory::default(),
            paths: Vec::new(),
            numbers: HashMap::default(),
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
        let paths: Vec<Arc<str>> = stored.paths.iter().map(|p| Arc::from(p.as_str())).collect();
        let numbers = paths
            .iter()
            .enumerate()
            .map(|(n, p)| (Arc::clone(p), n as u32))
            .collect();
        HistoryCache {
            path: Some(path),
            stored,
            paths,
            numbers,
            changed: false,
        }
    }

    /// The number of `path` in the path table, added if new.
    fn number(&mut self, path: &Arc<str>) -> u32 {
        if let Some(&n) = self.numbers.get(path) {
            return n;
        }
        let n = u32::try_from(self.paths.len()).expect("fewer paths than 2^32");
        self.paths.push(Arc::clone(path));
        self.stored.paths.push(path.to_string());
        self.numbers.insert(Arc::clone(path), n);
        n
    }

    pub(super) fn introduced(&self, commit: &ObjectId) -> Option<Vec<Introduced>> {
        let stored = self.stored.commits.get(&id_of(commit))?;
        Some(
            stored
                .iter()
                .map(|&(path, blob, mode)| Introduced {
                    path: Arc::clone(&self.paths[path as usize]),
                    blob: ObjectId::from(blob),
                    mode,
                })
                .collect(),
        )
    }

    /// Whether merge `commit` only carried `blob` at `path` over from
    /// another parent, if an earlier run asked.
    pub fn carried_over(&self, commit: &ObjectId, path: &str, blob: &ObjectId) -> Option<bool> {
        let path = *self.numbers.get(path)?;
        self.stored
            .carried
            .get(&(id_of(commit), id_of(blob), path))
            .copied()
    }

    /// Keeps the answers of `history::carried_over` this run computed,
    /// so that a second run reads no merge's trees.
    pub fn remember_carried(&mut self, answers: &[(ObjectId, Arc<str>, ObjectId, bool)]) {
        if self.path.is_none() {
            return;
        }
        for (commit, path, blob, carried) in answers {
            self.changed = true;
            let path = self.number(path);
            self.stored
                .carried
                .insert((id_of(commit), id_of(blob), path), *carried);
        }
    }

    /// The findings and size of a blob checked at `path` before.
    pub(super) fn findings(&self, blob: &ObjectId, path: &str) -> Option<(Vec<Finding>, u64)> {
        let (at, size, found) = self.stored.blobs.get(&id_of(blob))?;
        (*self.paths[*at as usize] == *path).then(|| (restore(path, found), *size))
    }

    /// The commits of a walk made before with the same tips and hidden
    /// commits (references that did not move walk to the same commits).
    pub fn walk(&self, key: &str) -> Option<Vec<history::Walked>> {
        Some(
            self.stored
                .walks
                .get(key)?
                .iter()
                .map(|(commit, parents)| history::Walked {
                    id: ObjectId::from(*commit),
                    parents: parents.iter().map(|p| ObjectId::from(*p)).collect(),
                })
                .collect(),
        )
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
                .map(|c| (id_of(&c.id), c.parents.iter().map(id_of).collect()))
                .collect(),
        );
    }

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
            let key = id_of(&commit.id);
            if !self.stored.commits.contains_key(&key) {
                self.changed = true;
                let found = found
                    .iter()
                    .map(|i| (self.number(&i.path), id_of(&i.blob), i.mode))
                    .collect();
                self.stored.commits.insert(key, found);
            }
        }
    }

    /// Keeps the findings of a blob checked at `path`.
    pub fn remember(&mut self, blob: &ObjectId, path: &str, size: u64, found: &[Finding]) {
        if self.path.is_none() {
            return;
        }
        let key = id_of(blob);
        let fresh = self
            .stored
            .blobs
            .get(&key)
            .is_none_or(|(at, _, _)| *self.paths[*at as usize] != *path);
        if fresh {
            self.changed = true;
            let path = self.number(&Arc::from(path));
            self.stored
                .blobs
                .insert(key, (path, size, found.iter().map(stored).collect()));
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
