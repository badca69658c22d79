//! A `ward.toml` in a subdirectory applies to its subtree: over the
//! configs above it, or alone with `root = true`; globs relative to it;
//! plugin settings per directory; repository checks by the root config.

use crate::hooks::{git, git_repo};
use crate::support::{at, error_line, json, output, places, repo, ward, write};

const TRAILING: &[u8] = b"x  \n";

#[test]
fn a_nested_config_inherits_and_wins_in_its_subtree() {
    let repo = repo(&[
        ("a.txt", TRAILING),
        ("a.gen", TRAILING),
        ("sub/b.txt", TRAILING),
        ("sub/deeper/c.txt", TRAILING),
        ("sub/deeper/d.gen", TRAILING),
        (
            "sub/ward.toml",
            b"[rules]\n\"text/trailing-whitespace\" = \"off\"\n",
        ),
    ]);
    write(
        repo.path(),
        "ward.toml",
        b"exclude = [\"**/*.gen\"]\n[rules]\n\"text/*\" = \"error\"\n",
    );
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [at("text/trailing-whitespace", "a.txt", 1, 2)]
    );
    assert_eq!(report["findings"][0]["severity"], "error");
    assert_eq!(code, 1);
    // A commit hook's batch of files across the two configs.
    let (_, report) = json(repo.path(), &["sub/deeper/c.txt", "a.txt", "sub/b.txt"]);
    assert_eq!(
        places(&report),
        [at("text/trailing-whitespace", "a.txt", 1, 2)]
    );
    // --verbose names the nested configs it read.
    let out = output(&mut ward(
        repo.path(),
        &["check", "--no-cache", "--verbose"],
    ));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr
            .lines()
            .any(|l| l == "ward: nested config sub/ward.toml"),
        "{stderr}"
    );
    // The subtree alone still finds the configs above it.
    let (_, report) = json(repo.path(), &["sub"]);
    assert!(
        places(&report).iter().all(|p| !p.0.starts_with("text/")),
        "{report}"
    );
}

#[test]
fn root_true_inherits_nothing_from_above() {
    let repo = repo(&[
        ("a.txt", b"no newline"),
        ("alone/b.txt", b"no newline"),
        ("alone/ward.toml", b"root = true\n"),
        ("inherits/c.txt", b"no newline"),
        ("inherits/ward.toml", b"[rules]\n\"text/bom\" = \"error\"\n"),
    ]);
    write(
        repo.path(),
        "ward.toml",
        b"[rules]\n\"text/final-newline\" = \"off\"\n",
    );
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [at("text/final-newline", "alone/b.txt", 1, 11)]
    );
}

#[test]
fn a_nested_configs_globs_are_relative_to_its_directory() {
    let repo = repo(&[
        ("skip/a.txt", TRAILING),
        ("docs/a.txt", TRAILING),
        ("sub/skip/b.txt", TRAILING),
        ("sub/docs/b.txt", TRAILING),
        (
            "sub/ward.toml",
            b"exclude = [\"skip/**\"]\n\n[[overrides]]\nfiles = [\"docs/*.txt\"]\nrules = { \"text/trailing-whitespace\" = \"warning\" }\n",
        ),
    ]);
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [
            at("text/trailing-whitespace", "docs/a.txt", 1, 2),
            at("text/trailing-whitespace", "skip/a.txt", 1, 2),
            at("text/trailing-whitespace", "sub/docs/b.txt", 1, 2),
        ]
    );
    let severities: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["error", "error", "warning"]);
}

/// `[plugins.text]` in a subtree makes a text plugin of its own there;
/// the repository-level checks keep the root config.
#[test]
fn plugin_settings_apply_per_directory_and_repository_checks_use_the_root() {
    let repo = repo(&[
        ("a.txt", b"lf\nlines\n"),
        ("win/b.txt", b"lf\nlines\n"),
        ("win/deeper/c.txt", b"lf\n"),
        (
            "win/ward.toml",
            b"[plugins.text]\nline-endings = \"crlf\"\n\n[rules]\n\"structure/required-file\" = \"off\"\n",
        ),
    ]);
    std::fs::remove_file(repo.path().join("README.md")).unwrap();
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [
            at("structure/required-file", "", 0, 0),
            at("text/mixed-line-endings", "win/b.txt", 1, 3),
            at("text/mixed-line-endings", "win/deeper/c.txt", 1, 3),
            // The config is a file of its subtree too.
            at("text/mixed-line-endings", "win/ward.toml", 1, 15),
        ]
    );
}

#[test]
fn what_only_the_root_config_says_is_refused_in_a_nested_one() {
    let repo = repo(&[
        ("sub/a.txt", b"x\n"),
        ("sub/ward.toml", b"max-file-size = 10\n"),
    ]);
    let out = output(&mut ward(repo.path(), &["check"]));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        error_line(&String::from_utf8(out.stderr).unwrap()),
        "max-file-size can only be set in the repository's root config"
    );
}

/// The result cache's key holds the nested configs: editing one is a
/// fresh check, not a stale hit.
#[test]
fn editing_a_nested_config_invalidates_the_cache() {
    let repo = repo(&[("sub/b.txt", TRAILING), ("sub/ward.toml", b"")]);
    let cache = tempfile::TempDir::new().unwrap();
    let args = ["--cache-dir", cache.path().to_str().unwrap()];
    let (_, first) = json(repo.path(), &args);
    assert_eq!(
        places(&first),
        [at("text/trailing-whitespace", "sub/b.txt", 1, 2)]
    );
    write(
        repo.path(),
        "sub/ward.toml",
        b"[rules]\n\"text/trailing-whitespace\" = \"off\"\n",
    );
    let (_, second) = json(repo.path(), &args);
    assert_eq!(places(&second), []);
}

#[test]
fn staged_files_follow_their_nested_configs() {
    let repo = git_repo();
    let dir = repo.path();
    write(dir, "ward.toml", b"");
    write(dir, "a.txt", TRAILING);
    write(dir, "sub/b.txt", TRAILING);
    write(
        dir,
        "sub/ward.toml",
        b"[rules]\n\"text/trailing-whitespace\" = \"off\"\n",
    );
    assert!(git(dir, &["add", "-A"]).status.success());
    let (_, report) = json(dir, &["--staged", "--no-cache"]);
    assert_eq!(
        places(&report)
            .into_iter()
            .filter(|p| p.0 == "text/trailing-whitespace")
            .collect::<Vec<_>>(),
        [at("text/trailing-whitespace", "a.txt", 1, 2)]
    );
}

#[test]
fn explain_config_says_which_configs_apply_and_what_they_set() {
    let repo = repo(&[
        ("sub/b.txt", TRAILING),
        (
            "sub/ward.toml",
            b"[rules]\n\"text/trailing-whitespace\" = \"off\"\n\n[plugins.text]\nline-endings = \"crlf\"\n",
        ),
    ]);
    write(
        repo.path(),
        "ward.toml",
        b"[rules]\n\"text/bom\" = \"error\"\n",
    );
    let out = output(&mut ward(repo.path(), &["explain-config", "sub/b.txt"]));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "sub/b.txt\n\n\
         configs, outermost first (a nearer one wins):\n  ward.toml\n  sub/ward.toml\n\n\
         excluded: no\n\n\
         rule severities the configs set here:\n\
         \x20 text/bom = error (default warning; ward.toml)\n\
         \x20 text/trailing-whitespace = off (default error; sub/ward.toml)\n\n\
         plugin settings, in the order they apply:\n\
         \x20 [plugins.text] {\"line-endings\":\"crlf\"} (sub/ward.toml)\n"
    );
}

const PACK: &str = r#"
name = "web"

[[rule]]
id = "console-log"
message = "console.log left in"
severity = "warning"
pattern = '''console\.log\('''
keywords = ["console.log"]
paths = ["**/*.js"]
examples.match = ["console.log('x')"]
examples.no-match = ["console.error('x')"]
"#;

/// A pack a nested config names runs in its subtree only, and one the
/// root config names runs everywhere but under `root = true`.
#[test]
fn packs_apply_where_their_config_applies() {
    let js = b"console.log('x')\n";
    let repo = repo(&[
        ("a.js", js),
        ("web/b.js", js),
        ("web/ward.toml", b"packs = [\"../web.toml\"]\n"),
        ("web.toml", PACK.as_bytes()),
        ("api/c.js", js),
    ]);
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(places(&report), [at("web/console-log", "web/b.js", 1, 1)]);
    write(repo.path(), "ward.toml", b"packs = [\"web.toml\"]\n");
    write(repo.path(), "api/ward.toml", b"root = true\n");
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [
            at("web/console-log", "a.js", 1, 1),
            at("web/console-log", "web/b.js", 1, 1),
        ]
    );
}

/// Shards split files whatever configs they have: together they report
/// what one run reports, each file under its own configs.
#[test]
fn shards_together_report_what_one_run_reports_with_nested_configs() {
    let mut files: Vec<(String, &[u8])> = Vec::new();
    for i in 0..12 {
        files.push((format!("a{i}.txt"), TRAILING));
        files.push((format!("sub/b{i}.txt"), TRAILING));
    }
    files.push((
        "sub/ward.toml".into(),
        b"[rules]\n\"text/trailing-whitespace\" = \"off\"\n",
    ));
    let named: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), *b)).collect();
    let repo = repo(&named);
    let (_, whole) = json(repo.path(), &["--no-cache"]);
    let mut whole = places(&whole);
    whole.sort();
    assert_eq!(whole.len(), 12);
    assert!(whole.iter().all(|p| !p.1.starts_with("sub/")));
    let mut union = Vec::new();
    for shard in ["1/2", "2/2"] {
        let (_, report) = json(repo.path(), &["--no-cache", "--shard", shard]);
        union.extend(places(&report));
    }
    union.sort();
    assert_eq!(union, whole);
}
