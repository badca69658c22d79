//! `ward check --diff-base REF`: only what a change touched is checked, and
//! only its own findings are reported.

use serde_json::Value;

use crate::hooks::{git, git_repo};
use crate::support::{at, output, places, ward, write};

fn commit_all(dir: &std::path::Path, message: &str) {
    assert!(git(dir, &["add", "-A"]).status.success());
    assert!(git(dir, &["commit", "-q", "-m", message]).status.success());
}

fn check(dir: &std::path::Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec![
        "check",
        "--no-cache",
        "--format",
        "json",
        "--diff-base",
        "main",
    ];
    all.extend_from_slice(args);
    let out = output(&mut ward(dir, &all));
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code().unwrap(), report)
}

/// main holds old trailing whitespace; a feature branch edits one line,
/// adds a file and renames another without editing it.
fn change() -> tempfile::TempDir {
    let repo = git_repo();
    let dir = repo.path();
    write(dir, "ward.toml", b"");
    write(dir, "README.md", b"# r\n");
    write(dir, "LICENSE", b"MIT License\n");
    write(dir, "a.py", b"x = 1   \ny = 2\n");
    write(dir, "b.py", b"k = 1   \n");
    commit_all(dir, "base");
    assert!(git(dir, &["checkout", "-q", "-b", "feature"])
        .status
        .success());
    write(dir, "a.py", b"x = 1   \ny = 3   \nz = 4\n");
    assert!(git(dir, &["mv", "b.py", "c.py"]).status.success());
    write(dir, "n.txt", b"new\n");
    repo
}

#[test]
fn only_added_or_modified_lines_and_new_files_are_reported() {
    let repo = change();
    let dir = repo.path();
    let (code, report) = check(dir, &[]);
    assert_eq!(
        places(&report),
        [
            // Line 1 was already untidy on main; line 2 is the change's.
            at("text/trailing-whitespace", "a.py", 2, 6),
        ]
    );
    assert_eq!(code, 1);
    // Left out: a.py's line 1, the renamed c.py's old line, and what the
    // repository checks say of files the change did not touch (LICENSE).
    assert_eq!(report["summary"]["pre_existing"], 3);
    let text = output(&mut ward(
        dir,
        &["check", "--no-cache", "--diff-base", "main"],
    ));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("3 left out as pre-existing (--diff-base)"),
        "{text}"
    );
    // Every line of a new file is the change's.
    write(dir, "n.txt", b"new");
    let (_, report) = check(dir, &[]);
    assert_eq!(
        places(&report),
        [
            at("text/trailing-whitespace", "a.py", 2, 6),
            at("text/final-newline", "n.txt", 1, 4),
        ]
    );
}

#[test]
fn staged_compares_the_index_and_a_clean_change_reports_nothing() {
    let repo = change();
    let dir = repo.path();
    // Staged: the rename and a clean new file only; a.py's edit is not staged.
    assert!(git(dir, &["add", "c.py", "n.txt"]).status.success());
    let (code, report) = check(dir, &["--staged"]);
    assert_eq!(places(&report), []);
    assert_eq!(code, 0);
}

#[test]
fn a_repository_check_about_a_deleted_file_is_the_changes() {
    let repo = change();
    let dir = repo.path();
    std::fs::remove_file(dir.join("LICENSE")).unwrap();
    let (_, report) = check(dir, &[]);
    let places = places(&report);
    assert!(
        places.contains(&at("structure/required-file", "", 0, 0)),
        "{places:?}"
    );
}

/// A CRLF file's added lines are counted as git counts them, and every
/// format carries only the change's findings.
#[test]
fn crlf_files_and_every_format() {
    let repo = git_repo();
    let dir = repo.path();
    write(dir, "ward.toml", b"");
    write(dir, "w.txt", b"one  \r\ntwo\r\n");
    commit_all(dir, "base");
    assert!(git(dir, &["checkout", "-q", "-b", "feature"])
        .status
        .success());
    write(dir, "w.txt", b"one  \r\ntwo\r\nthree  \r\n");
    let (_, report) = check(dir, &[]);
    assert_eq!(
        places(&report),
        [at("text/trailing-whitespace", "w.txt", 3, 6)]
    );
    let run = |format: &str| {
        let out = output(&mut ward(
            dir,
            &[
                "check",
                "--no-cache",
                "--diff-base",
                "main",
                "--format",
                format,
            ],
        ));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    let github = run("github");
    assert_eq!(
        github.lines().filter(|l| l.starts_with("::")).count(),
        1,
        "{github}"
    );
    assert!(github.contains("file=w.txt,line=3,"), "{github}");
    let junit = run("junit");
    assert_eq!(junit.matches("<testcase ").count(), 1, "{junit}");
}
