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

/// `chmod` keeps a file's size and modification time: the cache still sees
/// the new mode (setuid, world-writable and exec-bit findings depend on it).
#[cfg(unix)]
#[test]
fn a_mode_change_is_seen_by_a_cached_run() {
    use std::os::unix::fs::PermissionsExt;
    let repo = repo(&[("notes.txt", b"plain text\n")]);
    age(repo.path());
    let cache = tempfile::TempDir::new().unwrap();
    assert_eq!(places(&run(repo.path(), cache.path(), &[])), []);
    let path = repo.path().join("notes.txt");
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o4757)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let cached = run(repo.path(), cache.path(), &[]);
    let fresh = run(repo.path(), cache.path(), &["--no-cache"]);
    assert_eq!(places(&cached), places(&fresh));
    let rules: Vec<String> = places(&cached).into_iter().map(|p| p.0).collect();
    assert!(rules.contains(&"security/setuid".to_string()), "{rules:?}");
    assert!(
        rules.contains(&"security/world-writable".to_string()),
        "{rules:?}"
    );
}

/// An `.editorconfig` edit changes the findings of files that did not change.
#[test]
fn an_editorconfig_edit_invalidates_the_cache() {
    let repo = repo(&[
        (
            ".editorconfig",
            b"root = true\n[*.py]\nindent_style = space\n",
        ),
        ("a.py", b"def f():\n\treturn 1\n"),
    ]);
    age(repo.path());
    let cache = tempfile::TempDir::new().unwrap();
    assert_eq!(
        places(&run(repo.path(), cache.path(), &[])),
        [at("editorconfig/indent-style", "a.py", 2, 1)]
    );
    std::fs::write(
        repo.path().join(".editorconfig"),
        b"root = true\n[*.py]\nindent_style = tab\n",
    )
    .unwrap();
    age(repo.path());
    assert_eq!(places(&run(repo.path(), cache.path(), &[])), []);
}

/// A cache file is a cache, never a source of findings: with any bit of it
/// flipped (a sample here, end to end; every bit in the engine's own test),
/// a run reports exactly what a run without the cache reports.
#[test]
fn a_flipped_bit_in_the_cache_never_changes_the_result() {
    let repo = repo(&[("a.txt", b"x  \n"), ("b.txt", b"clean\n")]);
    age(repo.path());
    let cache = tempfile::TempDir::new().unwrap();
    let fresh = places(&run(repo.path(), cache.path(), &["--no-cache"]));
    run(repo.path(), cache.path(), &[]);
    let file = std::fs::read_dir(cache.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let good = std::fs::read(&file).unwrap();
    let bits = good.len() * 8;
    for bit in (0..bits).step_by(bits / 24 + 1) {
        let mut bad = good.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        std::fs::write(&file, &bad).unwrap();
        assert_eq!(
            places(&run(repo.path(), cache.path(), &[])),
            fresh,
            "bit {bit}"
        );
    }
}

/// A planted link where the cache file goes is replaced, not written
/// through; a FIFO there is neither read (it would block) nor a hang.
#[cfg(unix)]
#[test]
fn a_planted_link_or_fifo_in_the_cache_dir_is_harmless() {
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
    let victim = cache.path().join("victim.txt");
    std::fs::write(&victim, b"precious\n").unwrap();
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&victim, &file).unwrap();
    let out = run(repo.path(), cache.path(), &[]);
    assert_eq!(
        places(&out),
        [at("text/trailing-whitespace", "a.txt", 1, 2)]
    );
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious\n");
    std::fs::remove_file(&file).unwrap();
    let name = std::ffi::CString::new(file.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo gets a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let out = run(repo.path(), cache.path(), &[]);
    assert_eq!(
        places(&out),
        [at("text/trailing-whitespace", "a.txt", 1, 2)]
    );
}
