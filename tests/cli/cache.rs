//! The result cache: reused when nothing changed, never stale, never trusted when corrupt.

use std::time::{Duration, SystemTime};

use crate::support::{at, places, repo, ward};

/// Files written just now are not cached (a write in the same clock tick could
/// go unnoticed); the tests age them.
fn age(dir: &std::path::Path) {
    let then = SystemTime::now() - Duration::from_secs(3600);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(then)
                .unwrap();
        }
    }
}

fn run(dir: &std::path::Path, cache: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "check",
        "--format",
        "json",
        "--cache-dir",
        cache.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = ward(dir, &args).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_second_run_reuses_results_and_a_change_is_seen() {
    let repo = repo(&[("a.txt", b"x  \n"), ("b.txt", b"clean\n")]);
    age(repo.path());
    let cache = tempfile::TempDir::new().unwrap();
    let first = run(repo.path(), cache.path(), &[]);
    assert_eq!(
        places(&first),
        [at("text/trailing-whitespace", "a.txt", 1, 2)]
    );
    let files: Vec<_> = std::fs::read_dir(cache.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "one cache file per repository");
    let second = run(repo.path(), cache.path(), &[]);
    assert_eq!(first["findings"], second["findings"]);

    // Changed content (same size, so only the identity check catches it).
    std::fs::write(repo.path().join("b.txt"), b"dirty \n").unwrap();
    let third = run(repo.path(), cache.path(), &[]);
    assert_eq!(
        places(&third),
        [
            at("text/trailing-whitespace", "a.txt", 1, 2),
            at("text/trailing-whitespace", "b.txt", 1, 6),
        ]
    );
}

#[test]
fn a_config_change_invalidates_the_cache() {
    let repo = repo(&[("a.txt", b"x  \n")]);
    age(repo.path());
    let cache = tempfile::TempDir::new().unwrap();
    assert_eq!(places(&run(repo.path(), cache.path(), &[])).len(), 1);
    std::fs::write(
        repo.path().join("ward.toml"),
        b"[rules]\n\"text/*\" = \"off\"\n",
    )
    .unwrap();
    age(repo.path());
    assert_eq!(places(&run(repo.path(), cache.path(), &[])), []);
}

#[test]
fn a_corrupt_cache_is_ignored_and_rewritten() {
    let repo = repo(&[("a.txt", b"x  \n")]);
    age(repo.path());
    let cache = tempfile::TempDir::new().unwrap();
    run(repo.path(), cache.path(), &[]);
    let file = std::fs::read_dir(cache.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&file, b"{ garbage").unwrap();
    let again = run(repo.path(), cache.path(), &[]);
    assert_eq!(
        places(&again),
        [at("text/trailing-whitespace", "a.txt", 1, 2)]
    );
    let rewritten = std::fs::read(&file).unwrap();
    assert!(rewritten.starts_with(b"ward-cache\n"));
    // Read back on the next run: the file is current, so left as it is.
    let before = std::fs::metadata(&file).unwrap().modified().unwrap();
    let third = run(repo.path(), cache.path(), &[]);
    assert_eq!(places(&third), places(&again));
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        before
    );
}

#[test]
fn no_cache_writes_nothing() {
    let repo = repo(&[("a.txt", b"x\n")]);
    age(repo.path());
    let cache = tempfile::TempDir::new().unwrap();
    run(repo.path(), cache.path(), &["--no-cache"]);
    assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 0);
}

/// A cache that cannot be written costs the next run time, never this run's
/// results: ward says so on stderr and reports as usual.
#[test]
fn a_cache_that_cannot_be_written_is_a_warning() {
    let repo = repo(&[("a.txt", b"x  \n")]);
    age(repo.path());
    let blocked = repo.path().join("not-a-dir");
    std::fs::write(&blocked, b"a file where the cache directory should be\n").unwrap();
    let out = ward(
        repo.path(),
        &[
            "check",
            "--format",
            "json",
            "--cache-dir",
            blocked.join("cache").to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: cannot write the result cache"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        places(&report),
        [at("text/trailing-whitespace", "a.txt", 1, 2)]
    );
    assert_eq!(out.status.code(), Some(1));
}
