//! The result cache: per-file findings kept between runs, so a second run
//! over an unchanged tree reads and checks almost nothing.
//!
//! An entry can never be stale. The cache file is keyed by everything that
//! decides a file's findings (ward's version, every plugin's name, version
//! and settings, every rule pack's text, every config file's text), and each
//! entry by the file's identity (size, modification time in nanoseconds,
//! inode) and, when that differs, by a BLAKE3 hash of its content (a CI
//! checkout gives every file a new mtime). Files modified in the two seconds
//! before the run are not stored: a write in the same clock tick could go
//! unnoticed. A corrupt, foreign or old cache file is ignored and rewritten;
//! runs that share a cache replace the file atomically.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ward_plugin_sdk::{Edit, Severity};

use crate::finding::{Finding, Snippet};
use crate::source::digest::{content_hash, key_of, ContentHash};
use crate::source::Entry;

/// Bumped when the file format changes.
const FORMAT: u32 = 4;

/// The first bytes of a cache file: anything else there is not ours.
const MAGIC: &[u8] = b"ward-cache\n";

/// Files changed this recently are not cached (see the module docs).
const RACY_NANOS: u128 = 2_000_000_000;

#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct StoredEdit {
    start: usize,
    end: usize,
    replacement: String,
}

/// A finding as caches keep it (its path is the key it is kept under).
#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct StoredFinding {
    rule: String,
    severity: Severity,
    message: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    plugin: String,
    fingerprint: String,
    fix: Vec<StoredEdit>,
    snippet: Option<(u32, String)>,
    secret_span: bool,
}

#[derive(Serialize, Deserialize)]
struct StoredFile {
    size: u64,
    modified: u128,
    inode: u64,
    /// Permission bits (and the git index's executable bit): the setuid,
    /// world-writable and exec-bit rules judge them, and `chmod` keeps the
    /// modification time.
    mode: u32,
    hash: ContentHash,
    findings: Vec<StoredFinding>,
    /// Set once this run finds the entry still valid (a flag, not a copy:
    /// most runs keep nearly all); never written.
    #[serde(skip)]
    used: AtomicBool,
}

/// Paths to entries. A cached run loads and looks up every file of the
/// tree: foldhash is several times faster than SipHash on paths, and the
/// keys come from the user's own tree, so flooding is not a concern.
type PathMap<V> = HashMap<String, V, foldhash::fast::RandomState>;

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    key: String,
    /// What the files that shape every file's findings held when the
    /// entries were stored: `.editorconfig` and `.gitattributes`.
    environment: String,
    files: PathMap<StoredFile>,
}

/// The most a cache file may hold; a larger one is not read.
const CACHE_LIMIT: u64 = 1 << 30;

/// The file's payload, if its checksum (BLAKE3 of the payload, after the
/// magic line) holds: a flipped bit or a planted file is a miss, never a
/// source of findings.
pub(crate) fn verified(bytes: &[u8]) -> Option<&[u8]> {
    let rest = bytes.strip_prefix(MAGIC)?;
    if rest.len() < 32 {
        return None;
    }
    let (sum, payload) = rest.split_at(32);
    (blake3::hash(payload).as_bytes() == sum).then_some(payload)
}

/// The entries of a cache file's bytes, and the environment they were
/// stored under, if the file is whole (its checksum holds), of this
/// format and for `key`; anything else is a miss.
fn parse(bytes: &[u8], key: &str) -> Option<(PathMap<StoredFile>, String)> {
    postcard::from_bytes::<CacheFile>(verified(bytes)?)
        .ok()
        .filter(|file| file.format == FORMAT && file.key == key)
        .map(|file| (file.files, file.environment))
}

/// How many entries ward would take from a cache file's bytes (for the
/// fuzz target: any bytes are a miss or a cache, never a panic).
pub fn entries_in(bytes: &[u8], key: &str) -> usize {
    parse(bytes, key).map_or(0, |(files, _)| files.len())
}

/// The cache file's bytes, read only if it is a regular file (never through
/// a link, never a FIFO that would block) within [`CACHE_LIMIT`].
pub(crate) fn read_cache(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let (file, len) = crate::source::read::open_regular(path).ok()?;
    if len > CACHE_LIMIT {
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).ok()?);
    file.take(CACHE_LIMIT).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// A cache hit: the findings of an unchanged file.
pub enum Hit {
    /// Size, mtime and inode matched: nothing to read.
    Unchanged(Vec<Finding>),
}

/// The cache of one run.
pub struct Cache {
    path: PathBuf,
    key: String,
    environment: String,
    /// The entries read from disk.
    old: PathMap<StoredFile>,
    kept: AtomicUsize,
    new: Mutex<PathMap<StoredFile>>,
    /// Whether anything was stored that the file on disk lacks.
    changed: AtomicBool,
    started: u128,
}

fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// The default cache directory: `$XDG_CACHE_HOME/ward`, else `~/.cache/ward`.
pub fn default_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|base| base.join("ward"))
}

/// The cache file could not be written: the run's results stand, the next
/// run is only slower.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write the result cache {path}: {detail}")]
#[diagnostic(
    code(ward::cache),
    help("pass --no-cache, or --cache-dir DIR to keep it elsewhere")
)]
pub struct CacheWriteError {
    path: String,
    detail: String,
}

/// Whether a file's results may come from, or go to, the cache: not when
/// `.gitattributes` say something of it, since the key does not cover them
/// (an attribute added later must take effect at once).
fn cacheable(entry: &Entry) -> bool {
    entry.forced == crate::source::classes::Forced::default()
}

impl Cache {
    /// Opens the cache for the repository at `root` under `dir`; `key`
    /// fingerprints everything that decides findings.
    pub fn open(dir: &Path, root: &Path, scope: &str, key: String) -> Cache {
        let name = key_of(&[root.to_string_lossy().as_bytes(), scope.as_bytes()]);
        let path = dir.join(format!("{}.bin", &name[..32]));
        let (old, environment) = read_cache(&path)
            .and_then(|bytes| parse(&bytes, &key))
            .unwrap_or_default();
        Cache {
            path,
            key,
            environment,
            old,
            kept: AtomicUsize::new(0),
            new: Mutex::new(PathMap::default()),
            changed: AtomicBool::new(false),
            started: now_nanos(),
        }
    }

    /// Drops every stored entry when `environment` (a digest of the tree's
    /// `.editorconfig` and `.gitattributes` files) is not what they were
    /// stored under: an edit there changes findings of files that did not
    /// change.
    pub fn set_environment(&mut self, environment: String) {
        if self.environment != environment {
            self.old.clear();
            self.environment = environment;
            *self.changed.get_mut() = true;
        }
    }

    /// The stored findings of `entry`, if its identity is unchanged.
    pub fn lookup(&self, entry: &Entry) -> Option<Hit> {
        if !cacheable(entry) {
            return None;
        }
        let (modified, inode) = entry.stat?;
        let stored = self.old.get(&entry.path)?;
        if stored.size != entry.size
            || stored.modified != modified
            || stored.inode != inode
            || stored.mode != entry.mode
        {
            return None;
        }
        if !stored.used.swap(true, Ordering::Relaxed) {
            self.kept.fetch_add(1, Ordering::Relaxed);
        }
        Some(Hit::Unchanged(restore(&entry.path, &stored.findings)))
    }

    /// The stored findings of a file whose identity changed but whose content
    /// (just read) did not, re-stored under its new identity.
    pub fn lookup_content(&self, entry: &Entry, bytes: &[u8]) -> Option<Vec<Finding>> {
        if !cacheable(entry) {
            return None;
        }
        let stored = self.old.get(&entry.path)?;
        if stored.size != bytes.len() as u64
            || stored.hash != content_hash(bytes)
            || stored.mode != entry.mode
        {
            return None;
        }
        let findings = restore(&entry.path, &stored.findings);
        self.store(entry, bytes, &findings);
        Some(findings)
    }

    fn keep(&self, path: &str, file: StoredFile) {
        if let Ok(mut new) = self.new.lock() {
            new.insert(path.to_string(), file);
        }
    }

    /// Stores the findings of a file just checked.
    pub fn store(&self, entry: &Entry, bytes: &[u8], findings: &[Finding]) {
        self.store_hashed(entry, bytes.len() as u64, content_hash(bytes), findings);
    }

    /// [`Cache::store`] for a file read in pieces: `hash` is what
    /// [`ContentHasher`] made of them.
    pub fn store_hashed(&self, entry: &Entry, size: u64, hash: ContentHash, findings: &[Finding]) {
        if !cacheable(entry) {
            return;
        }
        let Some((modified, inode)) = entry.stat else {
            return;
        };
        if modified + RACY_NANOS > self.started {
            return;
        }
        let stored = StoredFile {
            size,
            modified,
            inode,
            mode: entry.mode,
            hash,
            findings: findings.iter().map(stored).collect(),
            used: AtomicBool::new(false),
        };
        self.changed.store(true, Ordering::Relaxed);
        self.keep(&entry.path, stored);
    }

    /// Writes the cache back (atomically) if this run changed it; failures
    /// only cost speed. The entries stay with the cache, for the caller to
    /// free or not (a process about to exit need not).
    pub fn save(&mut self) -> Result<(), CacheWriteError> {
        let new = std::mem::take(
            self.new
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let kept = *self.kept.get_mut();
        // Every entry read back unchanged and none gone: the file is current.
        let current = !*self.changed.get_mut() && new.is_empty() && kept == self.old.len();
        if current {
            return Ok(());
        }
        let mut files = std::mem::take(&mut self.old);
        files.retain(|_, stored| *stored.used.get_mut());
        files.extend(new);
        let file = CacheFile {
            format: FORMAT,
            key: self.key.clone(),
            environment: self.environment.clone(),
            files,
        };
        let written = postcard::to_allocvec(&file)
            .map_err(|e| e.to_string())
            .and_then(|payload| write_sealed(&self.path, &payload));
        self.old = file.files;
        written.map_err(|detail| CacheWriteError {
            path: self.path.display().to_string(),
            detail,
        })
    }
}

/// Writes `payload` behind the magic line and its checksum, atomically,
/// creating the cache directory if need be.
pub(crate) fn write_sealed(path: &Path, payload: &[u8]) -> Result<(), String> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(blake3::hash(payload).as_bytes());
    bytes.extend_from_slice(payload);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    crate::source::write::write_atomically(path, &bytes).map_err(|e| e.to_string())
}

pub(crate) fn stored(f: &Finding) -> StoredFinding {
    StoredFinding {
        rule: f.rule.clone(),
        severity: f.severity,
        message: f.message.clone(),
        line: f.line,
        column: f.column,
        end_line: f.end_line,
        end_column: f.end_column,
        plugin: f.plugin.clone(),
        fingerprint: f.fingerprint.clone(),
        fix: f
            .fix
            .iter()
            .map(|e| StoredEdit {
                start: e.start,
                end: e.end,
                replacement: e.replacement.clone(),
            })
            .collect(),
        snippet: f.snippet.as_ref().map(|s| (s.first_line, s.text.clone())),
        secret_span: f.secret_span,
    }
}

pub(crate) fn restore(path: &str, findings: &[StoredFinding]) -> Vec<Finding> {
    findings
        .iter()
        .map(|f| Finding {
            rule: f.rule.clone(),
            severity: f.severity,
            message: f.message.clone(),
            path: path.to_string(),
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
            plugin: f.plugin.clone(),
            fingerprint: f.fingerprint.clone(),
            fixable: !f.fix.is_empty(),
            fix: f
                .fix
                .iter()
                .map(|e| Edit {
                    start: e.start,
                    end: e.end,
                    replacement: e.replacement.clone(),
                })
                .collect(),
            snippet: f.snippet.as_ref().map(|(first_line, text)| Snippet {
                first_line: *first_line,
                text: text.clone(),
            }),
            secret_span: f.secret_span,
            commit: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every single-bit flip of a real cache file makes it a miss: the
    /// checksum covers the payload, the magic line and the checksum itself.
    #[test]
    fn every_flipped_bit_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(&root).unwrap();
        let file = root.join("a.txt");
        std::fs::write(&file, b"x  \n").unwrap();
        let then = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(then)
            .unwrap();
        let tree = crate::source::collect(
            &root,
            std::slice::from_ref(&root),
            &globset::GlobSet::empty(),
            crate::source::WalkOptions {
                threads: 1,
                ignore_files: false,
                skip_vendored: true,
            },
        );
        let entry = tree.files().next().unwrap().clone();
        let finding = Finding::engine("text/x", Severity::Error, "a.txt", "m".into());
        let cache_dir = dir.path().join("cache");
        let mut cache = Cache::open(&cache_dir, &root, "", "key".into());
        cache.store(&entry, b"x  \n", &[finding]);
        cache.save().unwrap();
        let path = cache.path.clone();
        let good = std::fs::read(&path).unwrap();
        assert!(!Cache::open(&cache_dir, &root, "", "key".into())
            .old
            .is_empty());
        for bit in 0..good.len() * 8 {
            let mut bad = good.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            std::fs::write(&path, &bad).unwrap();
            let reopened = Cache::open(&cache_dir, &root, "", "key".into());
            assert!(reopened.old.is_empty(), "bit {bit} of {}", good.len() * 8);
        }
    }
}
