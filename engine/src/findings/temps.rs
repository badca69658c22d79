//! The temporary files `--fix` writes next to the files it fixes: each is
//! recorded (in ward's cache directory, never in the checked tree) before it
//! is created, removed on SIGINT and SIGTERM, and removed by a later run
//! when the process that made it is gone. Nothing is guessed from a name: a
//! user's file that happens to look like one is never touched, and is
//! checked like any other.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Temporary files of this process that exist now.
fn live() -> &'static Mutex<HashSet<PathBuf>> {
    static LIVE: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    LIVE.get_or_init(|| {
        // On SIGINT or SIGTERM mid-fix, no temporary file is left behind.
        let _ = ctrlc::set_handler(|| {
            if let Ok(live) = live().lock() {
                for path in live.iter() {
                    let _ = std::fs::remove_file(path);
                }
            }
            std::process::exit(130);
        });
        Mutex::new(HashSet::new())
    })
}

/// Where this process records its temporary files, one path a line.
fn record_dir() -> Option<PathBuf> {
    crate::scan::cache::default_dir().map(|d| d.join("fix-temps"))
}

fn record_file(pid: u32) -> Option<PathBuf> {
    record_dir().map(|d| d.join(format!("{pid}.list")))
}

fn record(path: &Path) {
    let Some(file) = record_file(std::process::id()) else {
        return;
    };
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    if let Ok(mut out) = options.open(&file) {
        let _ = writeln!(out, "{}", path.display());
    }
}

/// Creates a temporary file in `dir`, named at random and recorded before
/// it exists; [`done`] forgets it once it is renamed or removed.
pub fn create_in(dir: &Path, prefix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(prefix)
        .make_in(dir, |path| {
            record(path);
            if let Ok(mut live) = live().lock() {
                live.insert(path.to_path_buf());
            }
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
        })
}

/// Forgets a temporary file that was renamed over its target or removed.
pub fn done(path: &Path) {
    if let Ok(mut live) = live().lock() {
        live.remove(path);
    }
}

/// Removes this process's record once `--fix` is over.
pub fn finish() {
    if let Some(file) = record_file(std::process::id()) {
        let _ = std::fs::remove_file(file);
    }
}

/// Removes the recorded temporary files of processes that are gone (a
/// `--fix` killed outright), and their records. Linux only, where `/proc`
/// says which processes live.
pub fn clean_stale() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Some(dir) = record_dir() else { return };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_suffix(".list"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let Ok(text) = crate::config::read::read_bounded(&entry.path(), 16 << 20) else {
            continue;
        };
        for line in text.lines() {
            let path = Path::new(line);
            // Only a regular file, never through a link.
            if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
                let _ = std::fs::remove_file(path);
            }
        }
        let _ = std::fs::remove_file(entry.path());
    }
}
