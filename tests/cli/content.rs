//! Content rules, Markdown links, workflows, TODO markers, the health score
//! and the license-header fix, over `tests/fixtures/content` and its clean twin.

use crate::support::{at, fixture, json, messages, places, ward, write};

#[test]
fn every_content_rule_reports_its_violation_at_its_place() {
    let repo = fixture("content");
    let (code, report) = json(repo.path(), &["--no-cache"]);
    assert_eq!(
        places(&report),
        [
            at(
                "workflows/unpinned-action",
                ".github/workflows/ci.yml",
                7,
                15
            ),
            at("workflows/branch-pin", ".github/workflows/ci.yml", 8, 15),
            at("structure/required-content", "CHANGELOG.md", 1, 1),
            at("structure/required-content", "README.md", 1, 1),
            at("markdown/broken-anchor", "README.md", 5, 5),
            at("structure/forbidden-content", "docs/guide.md", 5, 8),
            at("markdown/broken-link", "docs/guide.md", 7, 1),
            at("license/missing-header", "src/lib.rs", 1, 1),
            at("text/todo", "src/lib.rs", 2, 8),
        ]
    );
    let messages = messages(&report);
    assert_eq!(messages[3], "missing heading `License`");
    assert_eq!(
        messages[4],
        "`docs/guide.md#setup`: no heading in `docs/guide.md` has the anchor `#setup`"
    );
    assert_eq!(
        messages[6],
        "`img/diagram.png`: no file or directory `docs/img/diagram.png` in the repository"
    );
    assert_eq!(report["summary"]["todo_by_directory"]["src"], 1);
    assert_eq!(code, 1);
    let text = String::from_utf8(
        ward(repo.path(), &["check", "--no-cache"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        text.ends_with("TODO markers by directory: src 1\n"),
        "{text}"
    );
}

#[test]
fn the_content_clean_twin_has_no_findings() {
    let repo = fixture("content-clean");
    let (code, report) = json(repo.path(), &["--no-cache"]);
    assert_eq!(places(&report), []);
    assert_eq!(code, 0);
    assert!(report["summary"].get("todo_by_directory").is_none());
}

#[test]
fn a_renamed_file_and_a_renamed_heading_break_links() {
    let repo = fixture("content-clean");
    std::fs::rename(
        repo.path().join("docs/guide.md"),
        repo.path().join("docs/manual.md"),
    )
    .unwrap();
    let (_, report) = json(repo.path(), &["--no-cache"]);
    assert_eq!(
        places(&report),
        [at("markdown/broken-link", "README.md", 5, 5)]
    );
    std::fs::rename(
        repo.path().join("docs/manual.md"),
        repo.path().join("docs/guide.md"),
    )
    .unwrap();
    let guide = std::fs::read_to_string(repo.path().join("docs/guide.md")).unwrap();
    write(
        repo.path(),
        "docs/guide.md",
        guide.replace("## Setup", "## Getting set up").as_bytes(),
    );
    let (_, report) = json(repo.path(), &["--no-cache"]);
    assert_eq!(
        places(&report),
        [at("markdown/broken-anchor", "README.md", 5, 5)]
    );
}

#[test]
fn fix_inserts_the_license_header_in_the_files_comment_syntax() {
    let repo = fixture("content");
    let out = ward(repo.path(), &["check", "--no-cache", "--fix"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(repo.path().join("src/lib.rs")).unwrap(),
        "// SPDX-License-Identifier: MIT\npub fn answer() -> u32 {\n    // TODO: compute it\n    42\n}\n"
    );
    let (_, report) = json(repo.path(), &["--no-cache"]);
    assert!(!places(&report)
        .iter()
        .any(|(rule, ..)| rule == "license/missing-header"));
    // The TODO moved down a line with the header.
    assert!(places(&report).contains(&at("text/todo", "src/lib.rs", 3, 8)));
}

fn score_of(dir: &std::path::Path) -> serde_json::Value {
    let out = ward(dir, &["score", "--no-cache", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn one_finding_changes_the_score_by_its_weight() {
    let repo = fixture("content-clean");
    let clean = score_of(repo.path());
    assert_eq!(clean["total"], 100.0);
    assert_eq!(clean["level"], "excellent");
    // One warning (a byte-order mark) costs hygiene 3 points: in a
    // repository counted as 100 files, 100 / (1 + 2 * 3 / 100).
    write(repo.path(), "notes.txt", b"\xEF\xBB\xBFnotes\n");
    let one = score_of(repo.path());
    let hygiene = one["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "hygiene")
        .unwrap();
    assert_eq!(hygiene["score"], 94.3);
    assert_eq!(hygiene["warnings"], 1);
    assert_eq!(one["total"], 99.1);
    // The JSON report carries the same block.
    let (_, report) = json(repo.path(), &["--no-cache"]);
    assert_eq!(report["score"], one);
    // Weights come from [score].
    let config = std::fs::read_to_string(repo.path().join("ward.toml")).unwrap();
    write(
        repo.path(),
        "ward.toml",
        format!("{config}\n[score]\nwarning = 12\n\n[score.categories]\nhygiene = 2\n").as_bytes(),
    );
    let weighted = score_of(repo.path());
    // hygiene 100 / 1.24 = 80.6 with weight 2, five categories at 100:
    // 661.2 / 7.
    assert_eq!(weighted["total"], 94.5);
    // --min-score fails the run below the threshold, in check and score.
    let out = ward(repo.path(), &["check", "--no-cache", "--min-score", "99"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("health score 94.5 is below --min-score 99")
    );
    let out = ward(repo.path(), &["score", "--no-cache", "--min-score", "94"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("hygiene           80.6       2  1 warning"),
        "{table}"
    );
    assert!(
        table.ends_with("total             94.5  excellent\n"),
        "{table}"
    );
}

#[test]
fn an_unknown_score_category_points_at_the_table() {
    let repo = fixture("content-clean");
    write(repo.path(), "ward.toml", b"[score.categories]\ndocs = 2\n");
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown score category `docs`") && stderr.contains("ward.toml:1:1"),
        "{stderr}"
    );
}
