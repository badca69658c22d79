//! ward.toml: discovery, rule severities, excludes, plugin settings, errors.

use crate::support::{at, json, places, repo, ward, write};

#[test]
fn rule_globs_exact_ids_and_off() {
    let repo = repo(&[("a.txt", b"\xef\xbb\xbfx  \ny")]);
    write(
        repo.path(),
        "ward.toml",
        b"[rules]\n\"text/*\" = \"warning\"\n\"text/bom\" = \"off\"\n\"text/final-newline\" = \"info\"\n",
    );
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [
            at("text/trailing-whitespace", "a.txt", 1, 3),
            at("text/final-newline", "a.txt", 2, 2),
        ]
    );
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert_eq!(report["findings"][1]["severity"], "info");
    // Nothing at error: the default --fail-on error passes.
    assert_eq!(code, 0);
}

#[test]
fn fail_on_sets_the_threshold() {
    let repo = repo(&[("a.txt", b"\xef\xbb\xbfx\n")]);
    let code = |threshold: &str| {
        ward(repo.path(), &["check", "--fail-on", threshold])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code("error"), Some(0));
    assert_eq!(code("warning"), Some(1));
    assert_eq!(code("info"), Some(1));
    assert_eq!(code("never"), Some(0));
}

#[test]
fn exclude_globs_skip_files_and_directories() {
    let repo = repo(&[
        ("vendor/lib/a.txt", b"x  \n"),
        ("gen/b.generated.txt", b"x  \n"),
        ("src/c.txt", b"x  \n"),
    ]);
    write(
        repo.path(),
        "ward.toml",
        b"exclude = [\"vendor/**\", \"**/*.generated.txt\"]\n",
    );
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [at("text/trailing-whitespace", "src/c.txt", 1, 2)]
    );
    // Excludes apply to files named explicitly too, as pre-commit passes them.
    let (_, report) = json(repo.path(), &["vendor/lib/a.txt"]);
    assert_eq!(places(&report), []);
}

#[test]
fn plugin_table_reaches_the_plugin() {
    let repo = repo(&[("a.txt", b"a\r\nb\r\n")]);
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(places(&report), []);
    write(
        repo.path(),
        "ward.toml",
        b"[plugins.text]\nline-endings = \"lf\"\n",
    );
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [at("text/mixed-line-endings", "a.txt", 1, 2)]
    );
}

#[test]
fn config_is_found_walking_up_and_can_be_given_explicitly() {
    let repo = repo(&[
        ("deep/er/a.txt", b"x  \n"),
        ("other.toml", b"[rules]\n\"text/*\" = \"off\"\n"),
    ]);
    write(
        repo.path(),
        "ward.toml",
        b"[rules]\n\"text/trailing-whitespace\" = \"info\"\n",
    );
    let (_, report) = json(&repo.path().join("deep/er"), &["a.txt"]);
    assert_eq!(report["findings"][0]["severity"], "info");
    assert_eq!(report["findings"][0]["path"], "deep/er/a.txt");
    let (_, report) = json(repo.path(), &["--config", "other.toml"]);
    assert_eq!(places(&report), []);
}

#[test]
fn malformed_config_points_at_the_line_with_exit_2() {
    let repo = repo(&[("a.txt", b"ok\n")]);
    write(
        repo.path(),
        "ward.toml",
        b"exclude = []\n[rules]\n\"text/bom\" = \"loud\"\n",
    );
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("unknown severity `loud` for `text/bom`"),
        "{stderr}"
    );
    assert!(stderr.contains("ward.toml:3:14"), "{stderr}");
    assert!(
        stderr.contains("expected one of: error, warning, info, off"),
        "{stderr}"
    );
}

#[test]
fn toml_syntax_error_points_at_the_line() {
    let repo = repo(&[]);
    write(repo.path(), "ward.toml", b"[rules\n");
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("invalid config"), "{stderr}");
    assert!(stderr.contains("ward.toml:1:"), "{stderr}");
}

#[test]
fn unknown_keys_are_errors_and_unknown_rules_warnings() {
    let repo = repo(&[]);
    write(repo.path(), "ward.toml", b"exlude = []\n");
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `exlude`"));

    write(
        repo.path(),
        "ward.toml",
        b"[rules]\n\"text/bomb\" = \"off\"\n",
    );
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(
            "warning: ward.toml:2: `text/bomb` in [rules] matches no rule of the loaded plugins"
        ),
        "{stderr}"
    );
}
