use super::*;
use ward_plugin_sdk::{EntryKind, RepoEntry};

fn plugin(settings: serde_json::Value) -> StructurePlugin {
    StructurePlugin::new(&PluginConfig {
        settings,
        enabled_rules: None,
        root: None,
    })
    .unwrap()
}

fn file_findings(p: &StructurePlugin, path: &str, bytes: &[u8]) -> Vec<(String, String)> {
    ward_plugin_sdk::testing::check_file(p, path, bytes)
        .into_iter()
        .map(|f| (f.rule, f.message))
        .collect()
}

fn entry<'a>(path: &'a str, kind: EntryKind) -> RepoEntry<'a> {
    RepoEntry {
        path,
        kind,
        size: 0,
        mode: 0o644,
        link_target: None,
    }
}

fn repo_findings(
    p: &StructurePlugin,
    entries: Vec<RepoEntry<'_>>,
) -> Vec<(String, String, String)> {
    let read = |_: &str| Err("no reads".to_string());
    let repo = Repo::new(entries, &read);
    let mut out = Vec::new();
    p.check_repo(&repo, &mut out);
    out.into_iter()
        .map(|f| (f.rule, f.path, f.message))
        .collect()
}

#[test]
fn required_files_match_any_case_and_extension_and_alternatives() {
    let p = plugin(serde_json::Value::Null);
    let found = repo_findings(
        &p,
        vec![
            entry("src", EntryKind::Dir),
            entry("src/main.rs", EntryKind::File),
        ],
    );
    assert_eq!(
        found,
        [
            (
                "structure/required-file".into(),
                "".into(),
                "no README file (any extension, any case)".into()
            ),
            (
                "structure/required-file".into(),
                "".into(),
                "none of LICENSE, LICENCE, COPYING (any extension, any case)".into()
            ),
        ]
    );
    let clean = repo_findings(
        &p,
        vec![
            entry("readme.rst", EntryKind::File),
            entry("COPYING", EntryKind::File),
        ],
    );
    assert_eq!(clean, []);
    // Not deeper than .github/ or docs/.
    let nested = repo_findings(
        &p,
        vec![
            entry("src/README.md", EntryKind::File),
            entry("docs/LICENSE.txt", EntryKind::File),
        ],
    );
    assert_eq!(nested.len(), 1);
}

#[test]
fn required_dirs_and_extended_required_files() {
    let p = plugin(
        serde_json::json!({"required": ["SECURITY.md", "CODEOWNERS"], "required-dirs": ["docs"]}),
    );
    let found = repo_findings(
        &p,
        vec![
            entry(".github/CODEOWNERS", EntryKind::File),
            entry("security.MD", EntryKind::File),
        ],
    );
    assert_eq!(
        found,
        [(
            "structure/required-dir".into(),
            "".into(),
            "no `docs/` directory".into()
        )]
    );
}

#[test]
fn forbidden_files_by_default() {
    let p = plugin(serde_json::Value::Null);
    for path in [
        ".env",
        "app/.env.production",
        ".DS_Store",
        "x/Thumbs.db",
        "a.rs.orig",
        ".a.swp",
        "home/id_rsa",
        "cert.p12",
    ] {
        let found = file_findings(&p, path, b"x");
        assert_eq!(found.len(), 1, "{path}: {found:?}");
        assert_eq!(found[0].0, "structure/forbidden-file");
    }
    assert_eq!(
        file_findings(&p, ".env", b"")[0].1,
        "`.env` must not be committed (forbidden: `**/.env`)"
    );
    for path in [
        ".env.example",
        "config/.env.sample",
        "environment.rs",
        "cert.pem",
    ] {
        assert_eq!(
            file_findings(&p, path, b"-----BEGIN CERTIFICATE-----"),
            [],
            "{path}"
        );
    }
    let key = file_findings(&p, "tls/server.pem", b"-----BEGIN RSA PRIVATE KEY-----\n");
    assert_eq!(
        key,
        [(
            "structure/forbidden-file".to_string(),
            "`server.pem` holds a private key".to_string()
        )]
    );
}

#[test]
fn large_files_over_the_limit() {
    let p = plugin(serde_json::json!({"max-file-size": "1KiB"}));
    assert_eq!(
        file_findings(&p, "big.bin", &[0; 1025]),
        [(
            "structure/large-file".into(),
            "1025 bytes, over the 1024 byte limit".into()
        )]
    );
    assert_eq!(file_findings(&p, "ok.bin", &[0; 1024]), []);
}

#[test]
fn portable_names() {
    let p = plugin(serde_json::Value::Null);
    let cases = [
        (
            "src/aux.c",
            "`aux.c` is a reserved device name on Windows (`AUX`)",
        ),
        (
            "notes:draft.md",
            "`notes:draft.md` contains `:`, which Windows forbids in names",
        ),
        (
            "trailing.",
            "`trailing.` ends with a dot or a space, which Windows drops",
        ),
        (
            "bell\u{7}.txt",
            "`bell\u{7}.txt` contains the control character U+0007",
        ),
    ];
    for (path, message) in cases {
        assert_eq!(
            file_findings(&p, path, b""),
            [("structure/portable-name".to_string(), message.to_string())]
        );
    }
    assert_eq!(file_findings(&p, "auxiliary.c", b""), []);
}

#[test]
fn path_length() {
    let p = plugin(serde_json::json!({"max-path-length": 20}));
    assert_eq!(
        file_findings(&p, "a/b/c/d/e/f/g/h/i/j/k.txt", b""),
        [(
            "structure/path-length".into(),
            "the path is 25 characters, over 20".into()
        )]
    );
    assert_eq!(file_findings(&p, "short.txt", b""), []);
}

#[test]
fn naming_conventions_for_files_and_directories() {
    let p = plugin(
        serde_json::json!({"naming": {"src/**/*.ts": "kebab-case", "src/*/": "snake_case", "**/*.py": "regex:[a-z_]+"}}),
    );
    assert_eq!(
        file_findings(&p, "src/app/UserProfile.ts", b""),
        [(
            "structure/naming".into(),
            "`UserProfile` is not kebab-case (^[a-z0-9]+(?:-[a-z0-9]+)*$)".into()
        )]
    );
    assert_eq!(file_findings(&p, "src/app/user-profile.test.ts", b""), []);
    assert_eq!(
        file_findings(&p, "tools/Build.py", b"")[0].1,
        "`Build` is not regex:[a-z_]+ (^(?:[a-z_]+)$)"
    );
    let dirs = repo_findings(
        &p,
        vec![
            entry("src/myModule", EntryKind::Dir),
            entry("src/good_one", EntryKind::Dir),
        ],
    );
    assert_eq!(dirs.iter().filter(|f| f.0 == "structure/naming").count(), 1);
    assert_eq!(
        dirs.iter().find(|f| f.0 == "structure/naming").unwrap().1,
        "src/myModule"
    );
}

#[test]
fn unknown_conventions_are_config_errors() {
    let err = StructurePlugin::new(&PluginConfig {
        settings: serde_json::json!({"naming": {"*.rs": "Kebab"}}),
        enabled_rules: None,
        root: None,
    })
    .err()
    .unwrap();
    assert!(
        err.starts_with("unknown naming convention `Kebab`"),
        "{err}"
    );
}

#[test]
fn case_conflicts_and_symlink_escapes() {
    let p = plugin(serde_json::json!({"required": []}));
    let mut link_out = entry("config/link", EntryKind::Symlink);
    link_out.link_target = Some("../../etc/passwd");
    let mut link_in = entry("config/ok", EntryKind::Symlink);
    link_in.link_target = Some("../defaults/app.toml");
    let mut absolute = entry("abs", EntryKind::Symlink);
    absolute.link_target = Some("/etc/hosts");
    let found = repo_findings(
        &p,
        vec![
            entry("README.md", EntryKind::File),
            entry("readme.md", EntryKind::File),
            link_out,
            link_in,
            absolute,
        ],
    );
    assert_eq!(
        found,
        [
            (
                "structure/case-conflict".into(),
                "readme.md".into(),
                "`readme.md` and `README.md` differ only in case".into()
            ),
            (
                "structure/symlink-escape".into(),
                "config/link".into(),
                "symlink to `../../etc/passwd`, outside the repository".into()
            ),
            (
                "structure/symlink-escape".into(),
                "abs".into(),
                "symlink to `/etc/hosts`, outside the repository".into()
            ),
        ]
    );
}

#[test]
fn every_rule_has_docs_with_examples() {
    for rule in rules() {
        assert!(rule.id.starts_with("structure/"));
        assert!(
            rule.docs.contains("## Bad") && rule.docs.contains("## Good"),
            "{}",
            rule.id
        );
    }
}

fn content_plugin() -> StructurePlugin {
    plugin(serde_json::json!({
        "content": {
            "README.md": { "headings": ["Installation", "Usage", "Contributing", "License"] },
            "CHANGELOG.md": { "patterns": ["(?m)^## \\[Unreleased\\]"] },
            "docs/**/*.md": { "forbidden": ["(?i)lorem ipsum", "TBD"] }
        }
    }))
}

fn placed(p: &StructurePlugin, path: &str, bytes: &[u8]) -> Vec<(String, u32, u32, String)> {
    ward_plugin_sdk::testing::check_file(p, path, bytes)
        .into_iter()
        .map(|f| (f.rule, f.span.line, f.span.column, f.message))
        .collect()
}

#[test]
fn required_content_names_each_missing_heading_and_pattern_at_line_1() {
    let p = content_plugin();
    assert_eq!(
        placed(
            &p,
            "README.md",
            b"# Project\n\n## installation\n\n```\n## Usage\n```\n"
        ),
        [(
            "structure/required-content".to_string(),
            1,
            1,
            "missing heading `Usage`, heading `Contributing`, heading `License`".to_string()
        )]
    );
    assert_eq!(
        placed(&p, "CHANGELOG.md", b"# Changelog\n\n## [1.0.0]\n"),
        [(
            "structure/required-content".to_string(),
            1,
            1,
            "missing `(?m)^## \\[Unreleased\\]`".to_string()
        )]
    );
    // Other files, and complete ones (any level, any case, setext), pass.
    assert!(placed(&p, "docs/README.md", b"nothing\n").is_empty());
    assert!(placed(
        &p,
        "README.md",
        b"Project\n=======\n### INSTALLATION\n## Usage ##\nContributing\n---\n# License\n"
    )
    .is_empty());
    assert!(placed(&p, "CHANGELOG.md", b"# Changelog\n\n## [Unreleased]\n").is_empty());
}

#[test]
fn forbidden_content_is_reported_where_it_is() {
    let p = content_plugin();
    assert_eq!(
        placed(
            &p,
            "docs/guide/intro.md",
            b"# Intro\n\nSome Lorem Ipsum here.\nUsage: TBD\n"
        ),
        [
            (
                "structure/forbidden-content".to_string(),
                3,
                6,
                "`Lorem Ipsum` matches forbidden `(?i)lorem ipsum`".to_string()
            ),
            (
                "structure/forbidden-content".to_string(),
                4,
                8,
                "`TBD` matches forbidden `TBD`".to_string()
            ),
        ]
    );
    assert!(placed(&p, "docs/guide/intro.md", b"# Intro\n\nDone.\n").is_empty());
    assert!(placed(&p, "notes/intro.md", b"TBD\n").is_empty());
}

#[test]
fn bad_content_regexes_are_config_errors() {
    let error = StructurePlugin::new(&PluginConfig {
        settings: serde_json::json!({ "content": { "README.md": { "patterns": ["("] } } }),
        enabled_rules: None,
        root: None,
    })
    .err()
    .unwrap();
    assert!(
        error.starts_with("content.\"README.md\": invalid regex `(`"),
        "{error}"
    );
}
