//! The text people read, pinned whole: a change to a report, a listing or a
//! rule's explanation shows up as a snapshot diff to review
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test` then read the
//! diff). The inputs are fixture trees, so the text is the same everywhere.

use crate::support::{fixture, output, repo, ward};

/// What ward prints on stdout, with its exit code.
fn stdout(dir: &std::path::Path, args: &[&str]) -> String {
    let out = output(&mut ward(dir, args));
    format!(
        "exit {}\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout)
    )
}

#[test]
fn the_text_report_of_the_text_fixture() {
    let repo = fixture("text");
    insta::assert_snapshot!(stdout(
        repo.path(),
        &["check", "--no-cache", "--color", "never"]
    ));
}

#[test]
fn the_text_report_of_the_content_fixture() {
    let repo = fixture("content");
    insta::assert_snapshot!(stdout(
        repo.path(),
        &["check", "--no-cache", "--color", "never"]
    ));
}

/// The job summary a CI step writes to `$GITHUB_STEP_SUMMARY`.
#[test]
fn the_markdown_summary_of_the_text_fixture() {
    let repo = fixture("text");
    insta::assert_snapshot!(stdout(
        repo.path(),
        &[
            "check",
            "--no-cache",
            "--format",
            "markdown",
            "--repository",
            "text-fixture"
        ]
    ));
}

#[test]
fn a_clean_tree_says_so_in_one_line() {
    let repo = repo(&[("src/main.rs", b"fn main() {}\n")]);
    insta::assert_snapshot!(stdout(
        repo.path(),
        &["check", "--no-cache", "--color", "never"]
    ));
}

#[test]
fn the_rule_listing() {
    let repo = repo(&[]);
    insta::assert_snapshot!(stdout(repo.path(), &["rules"]));
}

#[test]
fn a_rules_explanation() {
    let repo = repo(&[]);
    insta::assert_snapshot!(stdout(
        repo.path(),
        &["explain", "text/trailing-whitespace"]
    ));
}

#[test]
fn the_score_table() {
    let repo = fixture("content");
    insta::assert_snapshot!(stdout(repo.path(), &["score", "--no-cache"]));
}
