//! The built-in `text` plugin end to end, over `tests/fixtures/text`.

use crate::support::{at, fixture, json, places, repo, ward};

#[test]
fn fixture_repository_gives_exactly_the_expected_findings() {
    let repo = fixture("text");
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [
            at("text/bom", "bom.txt", 1, 1),
            at("text/merge-conflict", "conflict.txt", 1, 1),
            at("text/merge-conflict", "conflict.txt", 3, 1),
            at("text/merge-conflict", "conflict.txt", 5, 1),
            at("text/invalid-utf8", "latin1.txt", 1, 4),
            at("text/final-newline", "notes/no-newline.txt", 2, 7),
            at("text/trailing-whitespace", "src/trailing.rs", 1, 12),
            at("text/trailing-whitespace", "src/trailing.rs", 2, 15),
            at("text/mixed-line-endings", "win/mixed.txt", 1, 2),
        ]
    );
    assert_eq!(code, 1);
    let summary = &report["summary"];
    assert_eq!(summary["files_scanned"], 12);
    assert_eq!(summary["by_severity"]["error"], 8);
    assert_eq!(summary["by_severity"]["warning"], 1);
    assert_eq!(summary["by_severity"]["info"], 0);
    let first = &report["findings"][0];
    assert_eq!(first["severity"], "warning");
    assert_eq!(first["plugin"], "text");
    assert_eq!(first["end_line"], 1);
    assert_eq!(first["end_column"], 2);
}

#[test]
fn clean_twin_gives_no_findings_and_exit_zero() {
    let repo = fixture("text-clean");
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(places(&report), []);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["files_scanned"], 12);
}

#[test]
fn explicit_files_are_checked_as_given() {
    let repo = fixture("text");
    let (_, report) = json(repo.path(), &["src/trailing.rs", "bom.txt"]);
    assert_eq!(
        places(&report),
        [
            at("text/bom", "bom.txt", 1, 1),
            at("text/trailing-whitespace", "src/trailing.rs", 1, 12),
            at("text/trailing-whitespace", "src/trailing.rs", 2, 15),
        ]
    );
}

#[test]
fn paths_are_relative_to_the_repository_from_a_subdirectory() {
    let repo = fixture("text");
    let (_, report) = json(&repo.path().join("src"), &["trailing.rs"]);
    assert_eq!(
        places(&report)[0],
        at("text/trailing-whitespace", "src/trailing.rs", 1, 12)
    );
}

#[test]
fn one_thread_and_many_threads_give_identical_output() {
    let repo = fixture("text");
    let run = |threads: &str| {
        let out = ward(repo.path(), &["check", "-j", threads])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let one = run("1");
    assert!(one.contains("text/bom"));
    assert_eq!(one, run("4"));
}

#[test]
fn a_file_ending_in_a_bare_carriage_return_lacks_only_its_newline() {
    // The engine used to end the line before the `\r` and call
    // final-newline's column outside the file. From the benchmark corpus:
    // a DER file that ends in 0x0d and has no NUL byte, once read as text
    // (two findings on a binary key), now binary by its control bytes.
    let repo = crate::support::repo(&[
        ("key.der", b"\x06\x09\x2a\x86\x48\x0d\x01\x0d"),
        ("crlf.txt", b"a\r\nb\r"),
    ]);
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [at("text/final-newline", "crlf.txt", 2, 3)]
    );
}

/// A project's `.editorconfig` that keeps trailing whitespace or leaves out
/// the final newline for some files (Markdown hard breaks, docs written
/// without one) switches those findings off there; elsewhere they stay.
#[test]
fn editorconfig_false_switches_whitespace_and_final_newline_off() {
    let repo = repo(&[
        (
            ".editorconfig",
            b"root = true\n[*]\ntrim_trailing_whitespace = true\n\
              [*.md]\ntrim_trailing_whitespace = false\ninsert_final_newline = false\n",
        ),
        ("docs/a.md", b"line  \nmore \nend".as_slice()),
        ("src/a.txt", b"line \nend".as_slice()),
    ]);
    let (_, report) = json(repo.path(), &["--no-cache"]);
    assert_eq!(
        places(&report),
        [
            at("text/trailing-whitespace", "src/a.txt", 1, 5),
            at("text/final-newline", "src/a.txt", 2, 4),
        ]
    );
}
