//! The built-in plugin set over `tests/fixtures/plugins`: one violation of
//! each kind at a known place, and a clean twin with none.

use crate::support::{at, fixture, json, messages, places, repo};

#[test]
fn every_built_in_plugin_reports_its_violation_at_its_place() {
    let repo = fixture("plugins");
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [
            at("structure/forbidden-file", ".env", 0, 0),
            at("manifest/changelog-format", "CHANGELOG.md", 4, 1),
            at("editorconfig/indent-style", "app/main.py", 2, 1),
            at("security/python-eval", "app/main.py", 2, 8),
            at("structure/portable-name", "aux.txt", 0, 0),
            at("manifest/syntax", "config/bad.json", 3, 1),
            at("manifest/duplicate-key", "config/dup.yaml", 3, 1),
            at("manifest/version-mismatch", "package.json", 3, 1),
            at("security/shebang-not-executable", "scripts/deploy.sh", 0, 0),
            at("structure/naming", "src/UserProfile.ts", 0, 0),
            at("license/missing-header", "src/UserProfile.ts", 1, 1),
            at("security/exec-bit", "tools/notes.txt", 0, 0),
        ]
    );
    let messages = messages(&report);
    assert_eq!(
        messages[7],
        "version 1.1.0 here, but Cargo.toml, VERSION, CHANGELOG.md say 1.0.0"
    );
    assert_eq!(
        messages[9],
        "`UserProfile` is not kebab-case (^[a-z0-9]+(?:-[a-z0-9]+)*$)"
    );
    assert_eq!(code, 1);
}

#[test]
fn the_clean_twin_has_no_findings() {
    let repo = fixture("plugins-clean");
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(places(&report), []);
    assert_eq!(code, 0);
}

#[cfg(unix)]
#[test]
fn case_conflicts_and_escaping_symlinks_in_a_walked_tree() {
    let repo = repo(&[
        ("docs/Guide.md", b"a\n"),
        ("docs/guide.md", b"b\n"),
        ("data/file.txt", b"x\n"),
    ]);
    std::os::unix::fs::symlink("../../outside", repo.path().join("data/link")).unwrap();
    std::os::unix::fs::symlink("file.txt", repo.path().join("data/inside")).unwrap();
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [
            // The link's target does not exist: the engine says so too.
            at("structure/symlink-escape", "data/link", 0, 0),
            at("ward/broken-symlink", "data/link", 0, 0),
            at("structure/case-conflict", "docs/guide.md", 0, 0),
        ]
    );
}
