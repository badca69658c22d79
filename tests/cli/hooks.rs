//! Commit hooks: `--staged` checks the index, `install-hook` wires it into git.

use std::path::Path;
use std::process::Command;

use crate::support::{at, json, places, write};

/// git, isolated from the machine's and user's git config.
pub(crate) fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "ward test")
        .env("GIT_AUTHOR_EMAIL", "test@ward.invalid")
        .env("GIT_COMMITTER_NAME", "ward test")
        .env("GIT_COMMITTER_EMAIL", "test@ward.invalid")
        .output()
        .expect("git runs")
}

pub(crate) fn git_repo() -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    assert!(git(dir.path(), &["init", "-q", "-b", "main"])
        .status
        .success());
    dir
}

#[test]
fn staged_checks_the_index_not_the_working_tree() {
    let repo = git_repo();
    write(repo.path(), "a.txt", b"staged  \n");
    write(repo.path(), "clean.txt", b"clean\n");
    git(repo.path(), &["add", "a.txt", "clean.txt"]);
    // Fixed in the working tree after staging; the commit would still hold the violation.
    write(repo.path(), "a.txt", b"staged\n");
    // Not staged at all: not part of the commit.
    write(repo.path(), "b.txt", b"untracked  \n");

    let (code, report) = json(repo.path(), &["--staged"]);
    assert_eq!(
        places(&report),
        [at("text/trailing-whitespace", "a.txt", 1, 7)]
    );
    assert_eq!(report["summary"]["files_scanned"], 2);
    assert_eq!(code, 1);

    write(repo.path(), "README.md", b"# r\n");
    write(
        repo.path(),
        "LICENSE",
        crate::support::MIT_LICENSE.as_bytes(),
    );
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [at("text/trailing-whitespace", "b.txt", 1, 10)]
    );

    // From a subdirectory, `.` is that directory; paths stay relative to the top level.
    write(repo.path(), "sub/c.txt", b"c  \n");
    git(repo.path(), &["add", "sub/c.txt"]);
    let (_, report) = json(&repo.path().join("sub"), &["--staged"]);
    assert_eq!(
        places(&report),
        [at("text/trailing-whitespace", "sub/c.txt", 1, 2)]
    );
    let (_, report) = json(&repo.path().join("sub"), &["--staged", ".."]);
    assert_eq!(
        places(&report),
        [
            at("text/trailing-whitespace", "a.txt", 1, 7),
            at("text/trailing-whitespace", "sub/c.txt", 1, 2),
        ]
    );
}

#[test]
fn staged_with_nothing_staged_is_clean() {
    let repo = git_repo();
    write(repo.path(), "a.txt", b"x  \n");
    let (code, report) = json(repo.path(), &["--staged"]);
    assert_eq!((code, places(&report)), (0, vec![]));
}

#[test]
fn staged_outside_git_is_a_clear_error() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = crate::support::ward(dir.path(), &["check", "--staged"])
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("git rev-parse --show-toplevel failed"));
}

#[test]
fn install_hook_blocks_a_commit_with_a_violation_and_respects_foreign_hooks() {
    let repo = git_repo();
    let out = crate::support::ward(repo.path(), &["install-hook"])
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hook = repo.path().join(".git/hooks/pre-commit");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111,
            0o111
        );
    }

    write(repo.path(), "bad.txt", b"bad  \n");
    git(repo.path(), &["add", "bad.txt"]);
    let commit = git(repo.path(), &["commit", "-q", "-m", "bad"]);
    assert!(!commit.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&commit.stdout),
        String::from_utf8_lossy(&commit.stderr)
    );
    assert!(said.contains("text/trailing-whitespace"), "{said}");

    write(repo.path(), "bad.txt", b"good\n");
    git(repo.path(), &["add", "bad.txt"]);
    let commit = git(repo.path(), &["commit", "-q", "-m", "good"]);
    assert!(
        commit.status.success(),
        "{}",
        String::from_utf8_lossy(&commit.stderr)
    );

    // Installing again replaces ward's own hook; a foreign one needs --force.
    assert_eq!(
        crate::support::ward(repo.path(), &["install-hook"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
    std::fs::write(&hook, "#!/bin/sh\nexit 0\n").unwrap();
    let out = crate::support::ward(repo.path(), &["install-hook"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("was not written by ward"));
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\nexit 0\n"
    );
    let out = crate::support::ward(repo.path(), &["install-hook", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains("check --staged"));
}

#[test]
fn repo_only_runs_repository_checks_without_reading_files() {
    let repo = git_repo();
    write(repo.path(), "a.txt", b"x  \n");
    let lib = crate::support::plugin_library("ward_plugin_example");
    let (_, report) = json(
        repo.path(),
        &["--repo-only", "--plugin", lib.to_str().unwrap()],
    );
    assert_eq!(
        places(&report),
        [
            at("example/missing-readme", "", 0, 0),
            at("structure/required-file", "", 0, 0),
            at("structure/required-file", "", 0, 0),
        ]
    );
    assert_eq!(report["summary"]["files_scanned"], 0);
}

#[test]
fn a_staged_file_over_max_file_size_is_streamed_from_git_not_skipped() {
    let repo = git_repo();
    write(repo.path(), "ward.toml", b"max-file-size = \"2KiB\"\n");
    let token = ["ghp_", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB"].concat();
    let mut staged = String::new();
    for n in 1..=120 {
        match n {
            30 => staged.push_str("trailing  \n"),
            90 => staged.push_str(&format!("TOKEN={token}\n")),
            _ => staged.push_str(&format!("line {n:03} of some ordinary filler text\n")),
        }
    }
    write(repo.path(), "big.txt", staged.as_bytes());
    git(repo.path(), &["add", "ward.toml", "big.txt"]);
    // The working tree is clean again: only the index holds the problems.
    write(repo.path(), "big.txt", b"clean\n");
    let output = crate::support::ward(repo.path(), &["check", "--staged", "--format", "json"])
        .env("WARD_PIECE_BYTES", "600")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        places(&report),
        [
            at("ward/file-too-large", "big.txt", 0, 0),
            at("text/trailing-whitespace", "big.txt", 30, 9),
            at("secrets/github-pat", "big.txt", 90, 7),
        ]
    );
    assert_eq!(
        report["findings"][0]["message"],
        format!(
            "{} bytes is over max-file-size (2048 bytes): checked in pieces by the rule packs and the line-level rules only",
            staged.len()
        )
    );
    assert_eq!(output.status.code(), Some(1));
}
