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
const FORMAT: u32 = 3;

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

#[derive(Serialize, Deserialize)]
struct StoredFile {
    size: u64,
    modified: u128,
    inode: u64,
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
    files: PathMap<StoredFile>,
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
        let old = std::fs::read(&path)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<CacheFile>(bytes.strip_prefix(MAGIC)?).ok())
            .filter(|file| file.format == FORMAT && file.key == key)
            .map(|file| file.files)
            .unwrap_or_default();
        Cache {
            path,
            key,
            old,
            kept: AtomicUsize::new(0),
            new: Mutex::new(PathMap::default()),
            changed: AtomicBool::new(false),
            started: now_nanos(),
        }
    }

    /// The stored findings of `entry`, if its identity is unchanged.
    pub fn lookup(&self, entry: &Entry) -> Option<Hit> {
        if !cacheable(entry) {
            return None;
        }
        let (modified, inode) = entry.stat?;
        let stored = self.old.get(&entry.path)?;
        if stored.size != entry.size || stored.modified != modified || stored.inode != inode {
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
        if stored.size != bytes.len() as u64 || stored.hash != content_hash(bytes) {
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
            files,
        };
        let written = postcard::to_extend(&file, MAGIC.to_vec())
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                if let Some(dir) = self.path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                }
                crate::source::write::write_atomically(&self.path, &bytes)
                    .map_err(|e| e.to_string())
            });
        self.old = file.files;
        written.map_err(|detail| CacheWriteError {
            path: self.path.display().to_string(),
            detail,
        })
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
