//! `--fix`: exact bytes after, atomic and careful writes, re-check.

use crate::support::{at, findings_of, json, places, plugin_library, read, repo, ward};

#[test]
fn fix_rewrites_exactly_what_the_rules_say_and_reports_what_remains() {
    let repo = repo(&[
        ("crlf.txt", b"one \r\ntwo\t\r\nthree"),
        ("lf.txt", b"a  \nb"),
        ("mixed.txt", b"a\r\nb\nc\n"),
        ("bom.txt", b"\xef\xbb\xbfhello\n"),
        ("conflict.txt", b"<<<<<<< HEAD\nx\n>>>>>>> b\n"),
        ("clean.txt", b"fine\n"),
    ]);
    let (code, report) = json(repo.path(), &["--fix"]);
    assert_eq!(read(repo.path(), "crlf.txt"), b"one\r\ntwo\r\nthree\r\n");
    assert_eq!(read(repo.path(), "lf.txt"), b"a\nb\n");
    assert_eq!(read(repo.path(), "mixed.txt"), b"a\nb\nc\n");
    assert_eq!(read(repo.path(), "bom.txt"), b"hello\n");
    assert_eq!(read(repo.path(), "clean.txt"), b"fine\n");
    // What cannot be fixed is reported from the re-check.
    assert_eq!(
        places(&report),
        [
            at("text/merge-conflict", "conflict.txt", 1, 1),
            at("text/merge-conflict", "conflict.txt", 3, 1),
        ]
    );
    assert_eq!(code, 1);
    // Nothing left behind.
    let leftovers: Vec<_> = std::fs::read_dir(repo.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".ward-fix-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let repo = repo(&[("a.txt", b"x  \ny")]);
    let out = ward(repo.path(), &["check", "--fix", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n-x  \n-y\n\\ No newline at end of file\n+x\n+y\n"
    );
    assert_eq!(read(repo.path(), "a.txt"), b"x  \ny");
}

#[cfg(unix)]
#[test]
fn fix_keeps_permissions_and_leaves_read_only_files_alone() {
    use std::os::unix::fs::PermissionsExt;
    let repo = repo(&[("script.sh", b"#!/bin/sh  \n"), ("locked.txt", b"x  \n")]);
    let set = |p: &str, mode| {
        std::fs::set_permissions(repo.path().join(p), std::fs::Permissions::from_mode(mode))
            .unwrap()
    };
    set("script.sh", 0o750);
    set("locked.txt", 0o444);
    let (_, report) = json(repo.path(), &["--fix"]);
    assert_eq!(read(repo.path(), "script.sh"), b"#!/bin/sh\n");
    let mode = std::fs::metadata(repo.path().join("script.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o750);
    assert_eq!(read(repo.path(), "locked.txt"), b"x  \n");
    assert_eq!(
        places(&report),
        [
            at("ward/fix-skipped", "locked.txt", 0, 0),
            at("text/trailing-whitespace", "locked.txt", 1, 2),
        ]
    );
    assert_eq!(
        report["findings"][0]["message"],
        "not fixed: the file is read-only"
    );
}

#[test]
fn a_file_changed_during_the_run_is_not_touched() {
    let repo = repo(&[("a.txt", b"FAULTY_TOUCH  \n"), ("b.txt", b"b  \n")]);
    let lib = plugin_library("ward_test_plugin_faulty");
    let (_, report) = json(repo.path(), &["--fix", "--plugin", lib.to_str().unwrap()]);
    // The plugin appended a line after ward read the file: ward's fix would
    // have lost it, so the file keeps both the violation and the new line.
    let a = read(repo.path(), "a.txt");
    assert!(
        a.starts_with(b"FAULTY_TOUCH  \nedited meanwhile\n"),
        "{}",
        String::from_utf8_lossy(&a)
    );
    assert_eq!(read(repo.path(), "b.txt"), b"b\n");
    let skipped = findings_of(&report, "ward/fix-skipped");
    assert_eq!(
        skipped,
        [(
            "a.txt".to_string(),
            "not fixed: the file changed since ward read it".to_string()
        )]
    );
}

#[cfg(unix)]
#[test]
fn fix_never_writes_through_a_symlink() {
    let repo = repo(&[("real.txt", b"x  \n")]);
    std::os::unix::fs::symlink("real.txt", repo.path().join("link.txt")).unwrap();
    let (_, _) = json(repo.path(), &["--fix", "link.txt"]);
    assert_eq!(read(repo.path(), "real.txt"), b"x  \n");
    assert!(std::fs::symlink_metadata(repo.path().join("link.txt"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[cfg(target_os = "linux")]
#[test]
fn a_fix_killed_midway_leaves_every_file_old_or_new_and_no_temp_files() {
    let files: Vec<(String, Vec<u8>)> = (0..400)
        .map(|i| {
            (
                format!("f{i:03}.txt"),
                format!("line {i}  \r\nnext\n").into_bytes(),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let repo = repo(&refs);
    // A user's file that only looks like a temporary file of ward's: never
    // removed, never skipped (ward removes only what it recorded).
    std::fs::write(repo.path().join(".ward-fix-4000000000-abcdef"), b"mine\n").unwrap();
    let mut child = ward(repo.path(), &["check", "--fix", "--no-cache"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(60));
    let _ = child.kill();
    let _ = child.wait();
    for (path, old) in &files {
        let now = read(repo.path(), path);
        let new = old
            .iter()
            .copied()
            .filter(|b| *b != b'\r')
            .collect::<Vec<u8>>();
        let new = String::from_utf8(new)
            .unwrap()
            .replace("  \n", "\n")
            .into_bytes();
        assert!(
            now == *old || now == new,
            "{path} is neither old nor new: {:?}",
            String::from_utf8_lossy(&now)
        );
    }
    // The next run finishes the job and clears what the killed one left.
    let (_, report) = json(repo.path(), &["--fix", "--no-cache"]);
    assert_eq!(places(&report), []);
    let leftovers: Vec<String> = std::fs::read_dir(repo.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".ward-fix-"))
        .collect();
    assert_eq!(leftovers, [".ward-fix-4000000000-abcdef"]);
    assert_eq!(read(repo.path(), ".ward-fix-4000000000-abcdef"), b"mine\n");
}

/// SIGTERM in the middle of `--fix` leaves no temporary file, every time.
#[cfg(target_os = "linux")]
#[test]
fn a_fix_stopped_by_sigterm_leaves_no_temp_files() {
    let files: Vec<(String, Vec<u8>)> = (0..400)
        .map(|i| (format!("f{i:03}.txt"), b"line  \n".to_vec()))
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    for delay in [30, 60, 90] {
        let repo = repo(&refs);
        let child = ward(repo.path(), &["check", "--fix", "--no-cache"])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        // SAFETY: kill with a pid this test spawned.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        let _ = child.wait_with_output();
        let leftovers: Vec<String> = std::fs::read_dir(repo.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".ward-fix-"))
            .collect();
        assert!(leftovers.is_empty(), "{delay} ms: {leftovers:?}");
    }
}

/// A file with other hard links keeps them: it is not rewritten (a rename
/// would leave the other name with the old bytes), and says why.
#[cfg(unix)]
#[test]
fn a_hard_linked_file_is_skipped_with_a_reason() {
    let repo = repo(&[("a.txt", b"x  \n")]);
    std::fs::hard_link(repo.path().join("a.txt"), repo.path().join("b.txt")).unwrap();
    let (_, report) = json(repo.path(), &["--fix", "--no-cache", "a.txt"]);
    assert_eq!(read(repo.path(), "a.txt"), b"x  \n");
    let skipped = crate::support::findings_of(&report, "ward/fix-skipped");
    assert_eq!(
        skipped,
        [(
            "a.txt".to_string(),
            "not fixed: the file has 2 hard links, which a rewrite would split".to_string()
        )]
    );
}

/// A file with an extended attribute (other than its SELinux label) keeps
/// it: it is not rewritten (a rename would drop the attribute), and says why.
#[cfg(target_os = "linux")]
#[test]
fn a_file_with_extended_attributes_is_skipped_with_a_reason() {
    let repo = repo(&[("a.txt", b"x  \n")]);
    let path = std::ffi::CString::new(repo.path().join("a.txt").to_str().unwrap()).unwrap();
    let name = std::ffi::CString::new("user.origin").unwrap();
    // SAFETY: valid NUL-terminated path and name, and a value of the given length.
    let set =
        unsafe { libc::setxattr(path.as_ptr(), name.as_ptr(), b"mail".as_ptr().cast(), 4, 0) };
    assert_eq!(
        set,
        0,
        "this test needs a filesystem with user extended attributes: {}",
        std::io::Error::last_os_error()
    );
    let (_, report) = json(repo.path(), &["--fix", "--no-cache", "a.txt"]);
    assert_eq!(read(repo.path(), "a.txt"), b"x  \n");
    let skipped = crate::support::findings_of(&report, "ward/fix-skipped");
    assert_eq!(
        skipped,
        [(
            "a.txt".to_string(),
            "not fixed: the file has extended attributes, which a rewrite would drop".to_string()
        )]
    );
}
