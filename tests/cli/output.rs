//! Text output, listings, help and exit codes.

use crate::support::{fixture, repo, ward};

#[test]
fn text_output_shows_rule_location_snippet_and_help() {
    let repo = repo(&[("src/a.rs", b"fn main() {\n    let x = 1;  \n}\n")]);
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("text/trailing-whitespace"), "{stdout}");
    assert!(
        stdout.contains("× 2 trailing whitespace characters"),
        "{stdout}"
    );
    assert!(stdout.contains("[src/a.rs:2:15]"), "{stdout}");
    assert!(stdout.contains(" 2 │     let x = 1;  "), "{stdout}");
    assert!(
        stdout.contains("help: Spaces or tabs before the end of a line (fixable)"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(
            "1 error, 0 warnings, 0 infos in 4 files.\n`ward check --fix` can fix 1 of them.\n"
        ),
        "{stdout}"
    );
}

#[test]
fn clean_text_output_says_so() {
    let repo = fixture("text-clean");
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "No findings in 12 files.\n"
    );
}

#[test]
fn rules_lists_every_rule_with_default_severity() {
    let repo = repo(&[]);
    let out = ward(repo.path(), &["rules"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<&str> = stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .filter(|id| !id.starts_with("secrets/") && !id.starts_with("security/"))
        .collect();
    for plugin_rule in [
        "security/exec-bit",
        "security/setuid",
        "security/shebang-not-executable",
        "security/world-writable",
    ] {
        assert!(stdout.contains(plugin_rule), "{plugin_rule}");
    }
    assert_eq!(
        ids,
        [
            "editorconfig/charset",
            "editorconfig/end-of-line",
            "editorconfig/indent-size",
            "editorconfig/indent-style",
            "editorconfig/max-line-length",
            "license/detected",
            "license/missing-header",
            "license/unrecognized",
            "manifest/changelog-format",
            "manifest/duplicate-key",
            "manifest/syntax",
            "manifest/version-mismatch",
            "markdown/broken-anchor",
            "markdown/broken-link",
            "markdown/external-link",
            "structure/case-conflict",
            "structure/forbidden-content",
            "structure/forbidden-file",
            "structure/large-file",
            "structure/naming",
            "structure/path-length",
            "structure/portable-name",
            "structure/required-content",
            "structure/required-dir",
            "structure/required-file",
            "structure/symlink-escape",
            "text/bom",
            "text/final-newline",
            "text/invalid-utf8",
            "text/merge-conflict",
            "text/mixed-line-endings",
            "text/todo",
            "text/trailing-whitespace",
            "ward/broken-symlink",
            "ward/file-too-large",
            "ward/fix-skipped",
            "ward/invalid-suppression",
            "ward/plugin-error",
            "ward/unreadable",
            "ward/unused-suppression",
            "workflows/branch-pin",
            "workflows/missing-key",
            "workflows/syntax",
            "workflows/tab",
            "workflows/unpinned-action",
        ]
    );
    let bom = stdout.lines().find(|l| l.starts_with("text/bom ")).unwrap();
    assert!(
        bom.ends_with(" warning  A UTF-8 byte-order mark at the start of a file (fixable)"),
        "{bom}"
    );
}

#[test]
fn rules_as_json_carry_docs() {
    let repo = repo(&[]);
    let out = ward(repo.path(), &["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bom = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "text/bom")
        .unwrap();
    assert_eq!(bom["default_severity"], "warning");
    assert_eq!(bom["fixable"], true);
    assert!(bom["docs"].as_str().unwrap().contains("## Bad"));
}

#[test]
fn help_explains_and_usage_errors_exit_2() {
    let repo = repo(&[]);
    let out = ward(repo.path(), &["check", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--format",
        "--config",
        "--plugin",
        "--no-default-plugins",
        "--threads",
        "--fail-on",
        "--verbose",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
    let out = ward(repo.path(), &["check", "--format", "yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// With `--max-findings`, the summary still counts every finding; a wall of
/// findings points to `ward baseline`, and the fixable ones are counted.
#[test]
fn the_summary_counts_everything_and_says_what_to_do_next() {
    let files: Vec<(String, &[u8])> = (0..60)
        .map(|i| (format!("src/f{i:02}.txt"), &b"x \n"[..]))
        .collect();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), *b)).collect();
    let repo = crate::support::repo(&refs);
    let out = ward(
        repo.path(),
        &[
            "check",
            "--no-cache",
            "--color",
            "never",
            "--max-findings",
            "5",
        ],
    )
    .output()
    .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.ends_with(
            "60 errors, 0 warnings, 0 infos in 63 files (55 more not shown).\n\
             `ward check --fix` can fix 60 of them.\n\
             Adopting ward on this repository? `ward baseline` records these 60 findings, \
             and `ward check` then reports only new ones.\n"
        ),
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("× 1 trailing whitespace character").count(),
        5
    );
}
