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
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use ward_plugin_sdk::{Edit, Severity};

use crate::finding::{Finding, Snippet};
use crate::source::Entry;

/// Bumped when the file format changes.
const FORMAT: u32 = 2;

/// The first bytes of a cache file: anything else there is not ours.
const MAGIC: &[u8] = b"ward-cache\n";

/// Files changed this recently are not cached (see the module docs).
const RACY_NANOS: u128 = 2_000_000_000;

#[derive(Serialize, Deserialize, Clone)]
struct StoredEdit {
    start: usize,
    end: usize,
    replacement: String,
}

#[derive(Serialize, Deserialize, Clone)]
struct StoredFinding {
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

#[derive(Serialize, Deserialize, Clone)]
struct StoredFile {
    size: u64,
    modified: u128,
    inode: u64,
    hash: String,
    findings: Vec<StoredFinding>,
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    key: String,
    files: HashMap<String, StoredFile>,
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
    /// The entries read from disk, each flagged once this run finds it
    /// still valid (a flag, not a copy: most runs keep nearly all).
    old: HashMap<String, (StoredFile, std::sync::atomic::AtomicBool)>,
    kept: std::sync::atomic::AtomicUsize,
    new: Mutex<HashMap<String, StoredFile>>,
    /// Whether anything was stored that the file on disk lacks.
    changed: std::sync::atomic::AtomicBool,
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

/// A hex BLAKE3 hash of `parts`, length-prefixed so they cannot run together.
pub fn key_of(parts: &[&[u8]]) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize().to_hex().to_string()
}

/// The content hash of [`key_of`]`(&[bytes])`, fed piece by piece: the
/// length comes first, so it must be known before the bytes are.
pub struct ContentHasher {
    hasher: blake3::Hasher,
    expected: u64,
    seen: u64,
}

impl ContentHasher {
    /// A hash of content that should be `len` bytes long.
    pub fn new(len: u64) -> Self {
        let mut hasher = blake3::Hasher::new();
        hasher.update(&len.to_le_bytes());
        ContentHasher {
            hasher,
            expected: len,
            seen: 0,
        }
    }

    /// Adds the next bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.seen += bytes.len() as u64;
    }

    /// The hash, or `None` if the content was not as long as announced (the
    /// file changed while it was read).
    pub fn finish(self) -> Option<String> {
        (self.seen == self.expected).then(|| self.hasher.finalize().to_hex().to_string())
    }
}

impl Cache {
    /// Opens the cache for the repository at `root` under `dir`; `key`
    /// fingerprints everything that decides findings.
    pub fn open(dir: &Path, root: &Path, scope: &str, key: String) -> Cache {
        let name = key_of(&[root.to_string_lossy().as_bytes(), scope.as_bytes()]);
        let path = dir.join(format!("{}.bin", &name[..32]));
        let old = std::fs::read(&path)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<CacheFile>(bytes.strip_prefix(MAGIC)?).ok())
            .filter(|file| file.format == FORMAT && file.key == key)
            .map(|file| {
                file.files
                    .into_iter()
                    .map(|(path, stored)| {
                        (path, (stored, std::sync::atomic::AtomicBool::new(false)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Cache {
            path,
            key,
            old,
            kept: std::sync::atomic::AtomicUsize::new(0),
            new: Mutex::new(HashMap::new()),
            changed: std::sync::atomic::AtomicBool::new(false),
            started: now_nanos(),
        }
    }

    /// The stored findings of `entry`, if its identity is unchanged.
    pub fn lookup(&self, entry: &Entry) -> Option<Hit> {
        let (modified, inode) = entry.stat?;
        let (stored, used) = self.old.get(&entry.path)?;
        if stored.size != entry.size || stored.modified != modified || stored.inode != inode {
            return None;
        }
        if !used.swap(true, std::sync::atomic::Ordering::Relaxed) {
            self.kept.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Some(Hit::Unchanged(restore(&entry.path, &stored.findings)))
    }

    /// The stored findings of a file whose identity changed but whose content
    /// (just read) did not, re-stored under its new identity.
    pub fn lookup_content(&self, entry: &Entry, bytes: &[u8]) -> Option<Vec<Finding>> {
        let (stored, _) = self.old.get(&entry.path)?;
        if stored.size != bytes.len() as u64 || stored.hash != key_of(&[bytes]) {
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
        self.store_hashed(entry, bytes.len() as u64, key_of(&[bytes]), findings);
    }

    /// [`Cache::store`] for a file read in pieces: `hash` is what
    /// [`ContentHasher`] made of them.
    pub fn store_hashed(&self, entry: &Entry, size: u64, hash: String, findings: &[Finding]) {
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
            hash,
            findings: findings.iter().map(stored).collect(),
        };
        self.changed
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.keep(&entry.path, stored);
    }

    /// Writes the cache back (atomically) if this run changed it; failures
    /// only cost speed.
    pub fn save(self) {
        let new = self.new.into_inner().unwrap_or_default();
        let kept = self.kept.into_inner();
        // Every entry read back unchanged and none gone: the file is current.
        let current = !self.changed.into_inner() && new.is_empty() && kept == self.old.len();
        if current {
            return;
        }
        let mut files: HashMap<String, StoredFile> = self
            .old
            .into_iter()
            .filter_map(|(path, (stored, used))| used.into_inner().then_some((path, stored)))
            .collect();
        files.extend(new);
        let file = CacheFile {
            format: FORMAT,
            key: self.key,
            files,
        };
        let Ok(bytes) = postcard::to_extend(&file, MAGIC.to_vec()) else {
            return;
        };
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = crate::write_atomically(&self.path, &bytes);
    }
}

fn stored(f: &Finding) -> StoredFinding {
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

fn restore(path: &str, findings: &[StoredFinding]) -> Vec<Finding> {
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
        })
        .collect()
}
