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
const FORMAT: u32 = 5;

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

/// A blob of a walk, checked once: raw id, path number, mode, and the
/// commit (its position in the walk) that introduced it there.
type StoredListed = (Id, u32, u32, u32);

/// What a run that changes nothing reads: the walk, its blobs, their
/// findings. Every path, commit and id is kept as a number or as 20 bytes,
/// each path once: a cached run of containerd reads 90,000 blobs, and an
/// allocation for each string decoded was most of its time.
#[derive(Serialize, Deserialize, Default)]
struct Head {
    format: u32,
    key: String,
    /// Every path the cache names, each once.
    paths: Vec<String>,
    /// Per blob, the path it was checked at, the classes `.gitattributes`
    /// and the config forced on that path then (neither is in the key:
    /// another answer is a miss), its size and its findings.
    blobs: IdMap<Id, (u32, u16, u64, Vec<StoredFinding>)>,
    /// Per walk (its tips and hidden commits; the last run's), its commits,
    /// parents first, with their parents, and its blobs, each once.
    walks: HashMap<String, StoredWalk>,
}

#[derive(Serialize, Deserialize, Default)]
struct StoredWalk {
    commits: Vec<(Id, Vec<Id>)>,
    blobs: Option<Vec<StoredListed>>,
}

/// What a run over new commits reads too; decoded only then.
#[derive(Serialize, Deserialize, Default)]
struct Body {
    /// Per commit, the blobs it introduced.
    commits: IdMap<Id, Vec<StoredIntroduced>>,
    /// Per merge, blob and path met: whether the merge only carried the
    /// blob over from another parent.
    carried: IdMap<(Id, Id, u32), bool>,
}

/// A history cache file's head, and the bytes of its body, if the file is
/// whole (its checksum holds), of this format and for `key`; anything else
/// is a miss.
fn parse<'a>(bytes: &'a [u8], key: &str) -> Option<(Head, &'a [u8])> {
    let (head, body) = postcard::take_from_bytes::<Head>(verified(bytes)?).ok()?;
    let paths = head.paths.len();
    // Numbers past the path table or the walk: damaged, a miss.
    let sound = head.format == FORMAT
        && head.key == key
        && head.blobs.values().all(|b| (b.0 as usize) < paths)
        && head.walks.values().all(|w| {
            w.blobs
                .iter()
                .flatten()
                .all(|l| (l.1 as usize) < paths && (l.3 as usize) < w.commits.len())
        });
    sound.then_some((head, body))
}

/// A cache body, if whole and its path numbers within `paths`.
fn parse_body(bytes: &[u8], paths: usize) -> Option<Body> {
    postcard::from_bytes::<Body>(bytes).ok().filter(|b| {
        b.commits.values().flatten().all(|i| (i.0 as usize) < paths)
            && b.carried.keys().all(|c| (c.2 as usize) < paths)
    })
}

/// How many commits, blobs and walks ward would take from a history cache
/// file's bytes (for the fuzz target: any bytes are a miss or a cache,
/// never a panic).
pub fn entries_in(bytes: &[u8], key: &str) -> usize {
    parse(bytes, key).map_or(0, |(head, body)| {
        let body = parse_body(body, head.paths.len()).unwrap_or_default();
        body.commits.len() + head.blobs.len() + head.walks.len()
    })
}

/// What earlier `ward history` runs over this repository found, under the
/// same config, rules and ward: results per commit and per blob.
pub struct HistoryCache {
    path: Option<PathBuf>,
    head: Head,
    /// The body's bytes as read, decoded when first needed.
    raw_body: Vec<u8>,
    body: std::sync::OnceLock<Body>,
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
            head: Head::default(),
            raw_body: Vec::new(),
            body: std::sync::OnceLock::new(),
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
        let bytes = read_cache(&path).unwrap_or_default();
        let (head, raw_body) = parse(&bytes, &key)
            .map(|(head, body)| (head, body.to_vec()))
            .unwrap_or_else(|| {
                let head = Head {
                    format: FORMAT,
                    key,
                    ..Head::default()
                };
                (head, Vec::new())
            });
        let paths: Vec<Arc<str>> = head.paths.iter().map(|p| Arc::from(p.as_str())).collect();
        let numbers = paths
            .iter()
            .enumerate()
            .map(|(n, p)| (Arc::clone(p), n as u32))
            .collect();
        HistoryCache {
            path: Some(path),
            head,
            raw_body,
            body: std::sync::OnceLock::new(),
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
        self.head.paths.push(path.to_string());
        self.numbers.insert(Arc::clone(path), n);
        n
    }

    /// The body, decoded on first use (a damaged one is empty: a miss).
    fn body(&self) -> &Body {
        self.body
            .get_or_init(|| parse_body(&self.raw_body, self.head.paths.len()).unwrap_or_default())
    }

    fn body_mut(&mut self) -> &mut Body {
        self.body();
        self.body.get_mut().expect("decoded above")
    }

    pub(super) fn introduced(&self, commit: &ObjectId) -> Option<Vec<Introduced>> {
        let stored = self.body().commits.get(&id_of(commit))?;
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
        self.body()
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
            self.body_mut()
                .carried
                .insert((id_of(commit), id_of(blob), path), *carried);
        }
    }

    /// The findings and size of a blob checked at `path`, with the same
    /// classes forced on it, before.
    pub(super) fn findings(
        &self,
        blob: &ObjectId,
        path: &str,
        forced: u16,
    ) -> Option<(Vec<Finding>, u64)> {
        let (at, was_forced, size, found) = self.head.blobs.get(&id_of(blob))?;
        (*self.paths[*at as usize] == *path && *was_forced == forced)
            .then(|| (restore(path, found), *size))
    }

    /// The commits of a walk made before with the same tips and hidden
    /// commits (references that did not move walk to the same commits).
    pub fn walk(&self, key: &str) -> Option<Vec<history::Walked>> {
        Some(
            self.head
                .walks
                .get(key)?
                .commits
                .iter()
                .map(|(commit, parents)| history::Walked {
                    id: ObjectId::from(*commit),
                    parents: parents.iter().map(|p| ObjectId::from(*p)).collect(),
                })
                .collect(),
        )
    }

    /// The blobs of a walk made before, each once, if that run listed them.
    pub fn listed(&self, key: &str) -> Option<Vec<history::Listed>> {
        let listed = self.head.walks.get(key)?.blobs.as_ref()?;
        Some(
            listed
                .iter()
                .map(|&(blob, path, mode, origin)| history::Listed {
                    blob: ObjectId::from(blob),
                    path: Arc::clone(&self.paths[path as usize]),
                    mode,
                    origin: origin as usize,
                })
                .collect(),
        )
    }

    /// Keeps a walk's commits (one walk: the last run's).
    pub fn remember_walk(&mut self, key: &str, commits: &[history::Walked]) {
        if self.path.is_none() || self.head.walks.contains_key(key) {
            return;
        }
        self.changed = true;
        self.head.walks.clear();
        let commits = commits
            .iter()
            .map(|c| (id_of(&c.id), c.parents.iter().map(id_of).collect()))
            .collect();
        self.head.walks.insert(
            key.to_string(),
            StoredWalk {
                commits,
                blobs: None,
            },
        );
    }

    /// Keeps the blobs of a walk kept before, each once.
    pub fn remember_listed(&mut self, key: &str, listed: &[history::Listed]) {
        if self.head.walks.get(key).is_none_or(|w| w.blobs.is_some()) {
            return;
        }
        self.changed = true;
        let listed = listed
            .iter()
            .map(|l| {
                let origin = u32::try_from(l.origin).expect("fewer commits than 2^32");
                (id_of(&l.blob), self.number(&l.path), l.mode, origin)
            })
            .collect();
        if let Some(walk) = self.head.walks.get_mut(key) {
            walk.blobs = Some(listed);
        }
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
            if !self.body().commits.contains_key(&key) {
                self.changed = true;
                let found = found
                    .iter()
                    .map(|i| (self.number(&i.path), id_of(&i.blob), i.mode))
                    .collect();
                self.body_mut().commits.insert(key, found);
            }
        }
    }

    /// Keeps the findings of a blob checked at `path`, with `forced`
    /// classes.
    pub fn remember(
        &mut self,
        blob: &ObjectId,
        path: &str,
        forced: u16,
        size: u64,
        found: &[Finding],
    ) {
        if self.path.is_none() {
            return;
        }
        let key = id_of(blob);
        let fresh = self
            .head
            .blobs
            .get(&key)
            .is_none_or(|(at, was_forced, _, _)| {
                *self.paths[*at as usize] != *path || *was_forced != forced
            });
        if fresh {
            self.changed = true;
            let path = self.number(&Arc::from(path));
            self.head.blobs.insert(
                key,
                (path, forced, size, found.iter().map(stored).collect()),
            );
        }
    }

    /// Writes the cache back if this run added to it; failures only cost
    /// speed, and are returned to be said.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path.as_ref().filter(|_| self.changed) else {
            return Ok(());
        };
        let mut payload = postcard::to_allocvec(&self.head).map_err(|e| e.to_string())?;
        // A body not decoded is unchanged: written back as read.
        match self.body.get() {
            Some(body) => payload.extend(postcard::to_allocvec(body).map_err(|e| e.to_string())?),
            None => payload.extend_from_slice(&self.raw_body),
        }
        write_sealed(path, &payload).map_err(|e| format!("{}: {e}", path.display()))
    }
}
