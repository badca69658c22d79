//! `ward history`: secrets anywhere in a git history, each reported once at
//! the commit that introduced it.

use std::path::Path;

use serde_json::Value;

use crate::hooks::{git, git_repo};
use crate::support::{output, ward, write};

/// Two tokens built from pieces, so that ward's own check of this file
/// finds neither.
fn token() -> String {
    ["ghp_", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB"].concat()
}

fn api_key() -> String {
    ["Vb8nM2qZ5xR7tK1w", "L4pH9jD3Qm7vT2xK"].concat()
}

/// Commits everything in `dir` with `message`; returns the commit's id.
fn commit(dir: &Path, message: &str) -> String {
    assert!(git(dir, &["add", "-A"]).status.success());
    let out = git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
    assert!(out.status.success(), "{out:?}");
    head(dir)
}

fn head(dir: &Path) -> String {
    let out = git(dir, &["rev-parse", "HEAD"]);
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn history(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["history", "--no-cache", "--format", "json"];
    all.extend_from_slice(args);
    let out = output(&mut ward(dir, &all));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

/// What `ward history ARGS` finds with its cache in `cache`.
fn cached(
    dir: &Path,
    cache: &Path,
    args: &[&str],
) -> Vec<(String, String, u64, u64, String, String)> {
    let mut all = vec![
        "history",
        "--format",
        "json",
        "--cache-dir",
        cache.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let out = output(&mut ward(dir, &all));
    found(&serde_json::from_slice(&out.stdout).unwrap())
}

/// (rule, path, line, column, commit, summary) of every finding.
fn found(report: &Value) -> Vec<(String, String, u64, u64, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["commit"].as_str().unwrap().to_string(),
                f["summary"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn at(
    rule: &str,
    path: &str,
    line: u64,
    column: u64,
    commit: &str,
    summary: &str,
) -> (String, String, u64, u64, String, String) {
    (
        rule.into(),
        path.into(),
        line,
        column,
        commit.into(),
        summary.into(),
    )
}

/// A history where a token is added and deleted, and a key kept across
/// several later versions of its file.
struct Story {
    repo: tempfile::TempDir,
    added: String,
    key_added: String,
    base: String,
    edited: String,
}

fn story() -> Story {
    let repo = git_repo();
    let dir = repo.path();
    write(dir, "app.py", b"x = 1\n");
    commit(dir, "start");
    write(
        dir,
        "app.py",
        format!("x = 1\ntoken = \"{}\"\n", token()).as_bytes(),
    );
    let added = commit(dir, "add a token");
    write(dir, "app.py", b"x = 1\n");
    commit(dir, "remove the token");
    write(
        dir,
        "conf.py",
        format!("api_key = \"{}\"\nother = 1\n", api_key()).as_bytes(),
    );
    let key_added = commit(dir, "configure");
    write(
        dir,
        "conf.py",
        format!("api_key = \"{}\"\nother = 2\n", api_key()).as_bytes(),
    );
    let base = commit(dir, "tune other");
    write(
        dir,
        "conf.py",
        format!("api_key = \"{}\"\nother = 3\n", api_key()).as_bytes(),
    );
    let edited = commit(dir, "tune other again");
    Story {
        repo,
        added,
        key_added,
        base,
        edited,
    }
}

#[test]
fn a_deleted_secret_is_found_at_the_commit_that_added_it_and_a_kept_one_once() {
    let story = story();
    let (code, report) = history(story.repo.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&report),
        [
            at(
                "secrets/github-pat",
                "app.py",
                2,
                10,
                &story.added,
                "add a token"
            ),
            // Three versions of conf.py hold the key: reported once, at the first.
            at(
                "secrets/generic-api-key",
                "conf.py",
                1,
                12,
                &story.key_added,
                "configure"
            ),
        ]
    );
    let first = &report["findings"][0];
    assert_eq!(first["author"], "ward test <test@ward.invalid>");
    assert!(first["date"].as_str().unwrap().ends_with('Z'));
    // Masked like any secret.
    assert!(!report.to_string().contains(&token()[8..]));
    assert!(!report.to_string().contains(&api_key()[8..]));
}

#[test]
fn a_secret_from_before_the_range_is_found_when_the_range_edits_its_file() {
    let story = story();
    let range = format!("{}..HEAD", story.base);
    let (_, report) = history(story.repo.path(), &[&range]);
    assert_eq!(
        found(&report),
        [at(
            "secrets/generic-api-key",
            "conf.py",
            1,
            12,
            &story.edited,
            "tune other again"
        )]
    );
    // --since-commit says the same; --max-count 1 is the last commit alone.
    let (_, since) = history(story.repo.path(), &["--since-commit", &story.base]);
    assert_eq!(found(&since), found(&report));
    let (_, last) = history(story.repo.path(), &["--max-count", "1"]);
    assert_eq!(found(&last), found(&report));
}

#[test]
fn a_clean_range_and_a_renamed_file_report_nothing() {
    let story = story();
    let dir = story.repo.path();
    let before = head(dir);
    assert!(git(dir, &["mv", "conf.py", "settings.py"]).status.success());
    commit(dir, "rename");
    write(dir, "README.md", b"# readme\n");
    commit(dir, "docs");
    let (code, report) = history(dir, &[&format!("{before}..HEAD")]);
    assert_eq!(found(&report), []);
    assert_eq!(code, 0);
}

#[test]
fn history_findings_can_be_suppressed_and_baselined() {
    let repo = git_repo();
    let dir = repo.path();
    write(
        dir,
        "a.py",
        format!("t = \"{}\"  # ward:ignore secrets/github-pat\n", token()).as_bytes(),
    );
    commit(dir, "judged");
    let (_, report) = history(dir, &[]);
    assert_eq!(found(&report), []);
    // A baseline written by `ward baseline` from the work tree holds the
    // key; the key's fingerprint does not depend on the commit.
    write(
        dir,
        "conf.py",
        format!("api_key = \"{}\"\n", api_key()).as_bytes(),
    );
    commit(dir, "one");
    write(
        dir,
        "conf.py",
        format!("api_key = \"{}\"\nx = 1\n", api_key()).as_bytes(),
    );
    commit(dir, "two");
    let (_, report) = history(dir, &[]);
    assert_eq!(found(&report).len(), 1);
    let out = output(&mut ward(dir, &["baseline", "--no-cache"]));
    assert!(out.status.success(), "{out:?}");
    let (code, report) = history(dir, &[]);
    assert_eq!(found(&report), []);
    assert_eq!(report["summary"]["baselined"], 1);
    assert_eq!(code, 0);
}

#[test]
fn staged_checks_what_the_index_adds() {
    let repo = git_repo();
    let dir = repo.path();
    write(dir, "a.py", b"x = 1\n");
    commit(dir, "start");
    write(
        dir,
        "a.py",
        format!("x = 1\nt = \"{}\"\n", token()).as_bytes(),
    );
    assert!(git(dir, &["add", "a.py"]).status.success());
    let (code, report) = history(dir, &["--staged"]);
    assert_eq!(
        found(&report),
        [at(
            "secrets/github-pat",
            "a.py",
            2,
            6,
            "staged",
            "the index"
        )]
    );
    assert_eq!(code, 1);
}

#[test]
fn every_format_names_the_commit() {
    let story = story();
    let dir = story.repo.path();
    let run = |format: &str| {
        let out = output(&mut ward(
            dir,
            &["history", "--no-cache", "--format", format],
        ));
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run("text");
    assert!(
        text.contains(&format!(
            "introduced in {} by ward test <test@ward.invalid> on ",
            &story.added[..12]
        )),
        "{text}"
    );
    assert!(text.contains(": add a token\n"), "{text}");
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    let sarif_run = &sarif["runs"][0];
    assert_eq!(
        sarif_run["results"][0]["properties"]["commit"],
        story.added.as_str()
    );
    let revisions: Vec<&str> = sarif_run["versionControlProvenance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["revisionId"].as_str().unwrap())
        .collect();
    let mut expected = vec![story.added.as_str(), story.key_added.as_str()];
    expected.sort_unstable();
    assert_eq!(revisions, expected);
    assert!(sarif_run["versionControlProvenance"][0]["repositoryUri"]
        .as_str()
        .unwrap()
        .starts_with("file://"));
    let github = run("github");
    assert!(
        github.contains(&format!("(commit {})", &story.added[..12])),
        "{github}"
    );
    let junit = run("junit");
    assert!(junit.contains(&format!("(commit {})", &story.added[..12])));
}

#[test]
fn a_second_run_takes_its_results_from_the_cache() {
    let story = story();
    let dir = story.repo.path();
    let cache = tempfile::TempDir::new().unwrap();
    let run = || cached(dir, cache.path(), &[]);
    let first = run();
    assert_eq!(first.len(), 2);
    let files: Vec<_> = std::fs::read_dir(cache.path()).unwrap().collect();
    assert_eq!(files.len(), 1);
    assert_eq!(run(), first);
    // A new commit is scanned; what the cache held stays.
    write(dir, "b.py", format!("t = \"{}\"\n", token()).as_bytes());
    let newest = commit(dir, "again");
    let third = run();
    assert_eq!(third.len(), 3);
    assert_eq!(
        (third[1].1.as_str(), third[1].4.as_str()),
        ("b.py", newest.as_str())
    );
    assert_eq!(run(), third);
    // The cache lists a walk's blobs; the index is not part of the walk.
    write(
        dir,
        "c.py",
        format!("u = 2\nt = \"{}\"\n", token()).as_bytes(),
    );
    assert!(git(dir, &["add", "c.py"]).status.success());
    let staged = cached(dir, cache.path(), &["--staged", "HEAD"]);
    assert_eq!(staged.len(), 4, "{staged:?}");
    assert!(
        staged.iter().any(|f| f.1 == "c.py" && f.4 == "staged"),
        "{staged:?}"
    );
    assert_eq!(run(), third);
    // A cache file that is not whole is a miss, never an error.
    let file = std::fs::read_dir(cache.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&file, b"ward-cache\ngarbage").unwrap();
    assert_eq!(run(), third);
}

/// The cache answers for a blob only under the classes `.gitattributes`
/// forced on its path when it was checked: an attribute added after a
/// cached run (here: Python files are binary, which no secret rule reads)
/// takes effect at once, and so does its removal.
#[test]
fn attributes_added_after_a_cached_run_take_effect() {
    let repo = git_repo();
    let dir = repo.path();
    write(
        dir,
        "a.py",
        format!("u = 1\nt = \"{}\"\n", token()).as_bytes(),
    );
    let added = commit(dir, "add");
    let cache = tempfile::TempDir::new().unwrap();
    let run = || cached(dir, cache.path(), &[]);
    let reported = [at("secrets/github-pat", "a.py", 2, 6, &added, "add")];
    assert_eq!(run(), reported);
    assert_eq!(run(), reported);
    write(dir, ".gitattributes", b"*.py binary\n");
    assert_eq!(run(), []);
    std::fs::remove_file(dir.join(".gitattributes")).unwrap();
    assert_eq!(run(), reported);
}

/// Blobs over `--max-blob-size` are left out and said to be; a later
/// version under the limit is read, even when git stores it as a delta on
/// a version over it (the repository is packed, so versions are deltas).
#[test]
fn blobs_over_the_size_limit_are_left_out_and_a_smaller_version_is_read() {
    let repo = git_repo();
    let dir = repo.path();
    let big = |edit: usize| -> String {
        (0..3000)
            .map(|i| match i {
                4 => format!("t = \"{}\"\n", token()),
                _ if i == edit => format!("line {i} edited\n"),
                _ => format!("line {i} of a large file\n"),
            })
            .collect()
    };
    write(dir, "big.txt", big(100).as_bytes());
    let first = commit(dir, "big");
    write(dir, "big.txt", big(200).as_bytes());
    write(
        dir,
        "small.py",
        format!("u = 1\nt = \"{}\"\n", token()).as_bytes(),
    );
    let second = commit(dir, "small");
    let shrunk: String = big(200)
        .lines()
        .take(10)
        .map(|l| format!("{l}\n"))
        .collect();
    write(dir, "big.txt", shrunk.as_bytes());
    let third = commit(dir, "shrunk");
    assert!(git(dir, &["repack", "-a", "-d", "-q"]).status.success());

    let (_, report) = history(dir, &[]);
    assert_eq!(
        found(&report),
        [
            at("secrets/github-pat", "big.txt", 5, 6, &first, "big"),
            at("secrets/github-pat", "small.py", 2, 6, &second, "small"),
        ]
    );
    let out = output(&mut ward(
        dir,
        &[
            "history",
            "--no-cache",
            "--format",
            "json",
            "--max-blob-size",
            "50000",
        ],
    ));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        found(&report),
        [
            at("secrets/github-pat", "big.txt", 5, 6, &third, "shrunk"),
            at("secrets/github-pat", "small.py", 2, 6, &second, "small"),
        ]
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("3 commits, 2 blobs checked, 2 over 50000 bytes left out (--max-blob-size)"),
        "{said}"
    );
}

/// A server's pre-receive hook: each pushed ref's new commits are checked
/// (`ward history $OLD..$NEW`), in git's quarantine; a new branch (old id
/// all zeros) is checked for what no existing reference already holds.
#[test]
fn a_pre_receive_hook_refuses_a_push_that_adds_a_secret() {
    let server = tempfile::TempDir::new().unwrap();
    let bare = server.path().join("server.git");
    assert!(git(
        server.path(),
        &["init", "-q", "--bare", "-b", "main", "server.git"]
    )
    .status
    .success());
    let client = git_repo();
    let dir = client.path();
    let remote = bare.to_str().unwrap();
    assert!(git(dir, &["remote", "add", "origin", remote])
        .status
        .success());
    // Pushed before the hook existed: an old secret on main.
    write(dir, "old.py", format!("t = \"{}\"\n", token()).as_bytes());
    commit(dir, "old secret");
    assert!(git(dir, &["push", "-q", "origin", "main"]).status.success());
    let hook = bare.join("hooks/pre-receive");
    write(
        &bare,
        "hooks/pre-receive",
        format!(
            "#!/bin/sh\nwhile read old new ref; do\n  '{}' history --no-cache --format github \"$old..$new\" || exit 1\ndone\n",
            env!("CARGO_BIN_EXE_ward")
        )
        .as_bytes(),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();

    // A new branch with a clean commit: main's old secret is not its doing.
    assert!(git(dir, &["checkout", "-q", "-b", "feature"])
        .status
        .success());
    write(dir, "clean.py", b"x = 1\n");
    commit(dir, "clean");
    let pushed = git(dir, &["push", "-q", "origin", "feature"]);
    assert!(pushed.status.success(), "{pushed:?}");
    // Adding a secret to it is refused, and the hook says where.
    write(
        dir,
        "conf.py",
        format!("api_key = \"{}\"\n", api_key()).as_bytes(),
    );
    let bad = commit(dir, "add a key");
    let refused = git(dir, &["push", "-q", "origin", "feature"]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains(&"file=conf.py,line=1,col=12,endLine=1,endColumn=44,title=secrets/generic-api-key::hard-coded API key Vb8n".to_string()) && said.contains(&format!("(commit {})", &bad[..12])),
        "{said}"
    );
    assert!(!said.contains(&api_key()[8..]), "{said}");
    // A deleted branch (new id all zeros) checks nothing.
    let deleted = git(dir, &["push", "-q", "origin", ":feature"]);
    assert!(deleted.status.success(), "{deleted:?}");
}

/// A partial clone or a damaged repository lacks objects: each missing one
/// is a warning naming it, and the scan goes on.
#[test]
fn a_missing_blob_is_a_warning_and_the_scan_goes_on() {
    let story = story();
    let dir = story.repo.path();
    // The blob of the first app.py ("x = 1\n"), removed from the object store.
    let out = git(dir, &["rev-parse", "HEAD~5:app.py"]);
    let blob = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let object = dir.join(".git/objects").join(&blob[..2]).join(&blob[2..]);
    std::fs::remove_file(&object).unwrap();
    let out = output(&mut ward(
        dir,
        &["history", "--no-cache", "--format", "json"],
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("warning: app.py: blob {blob} is missing")),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found(&report).len(), 2);
    assert_eq!(out.status.code(), Some(1));
}

/// A merge introduces only what it resolved itself: a feature branch that
/// merges main does not bring main's secrets into its range.
#[test]
fn a_merge_carries_over_what_its_other_parent_had() {
    let repo = git_repo();
    let dir = repo.path();
    write(dir, "a.py", b"x = 1\n");
    commit(dir, "start");
    assert!(git(dir, &["checkout", "-q", "-b", "feature"])
        .status
        .success());
    write(dir, "f.py", b"y = 2\n");
    commit(dir, "feature work");
    assert!(git(dir, &["checkout", "-q", "main"]).status.success());
    write(dir, "main.py", format!("t = \"{}\"\n", token()).as_bytes());
    commit(dir, "main's secret");
    assert!(git(dir, &["checkout", "-q", "feature"]).status.success());
    let merged = git(dir, &["merge", "-q", "--no-edit", "main"]);
    assert!(merged.status.success(), "{merged:?}");
    let (code, report) = history(dir, &["main..feature"]);
    assert_eq!(found(&report), []);
    assert_eq!(code, 0);
    // The whole history still has it, at the commit that made it.
    let (_, all) = history(dir, &[]);
    assert_eq!(
        found(&all)
            .into_iter()
            .map(|f| (f.1, f.5))
            .collect::<Vec<_>>(),
        [("main.py".to_string(), "main's secret".to_string())]
    );
    // The cache keeps each merge's answers; a second run gives the same.
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().to_str().unwrap();
    for _ in 0..2 {
        let out = output(&mut ward(
            dir,
            &["history", "--cache-dir", cache_dir, "--format", "json"],
        ));
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            found(&report)
                .into_iter()
                .map(|f| (f.1, f.5))
                .collect::<Vec<_>>(),
            [("main.py".to_string(), "main's secret".to_string())]
        );
    }
}

/// A commit only an annotated tag reaches is in the history, whether the
/// tag is a loose ref or packed (where packed-refs knows its peeled
/// commit); a tag of a blob starts no walk.
#[test]
fn a_commit_only_a_tag_reaches_is_scanned() {
    let repo = git_repo();
    let dir = repo.path();
    write(dir, "a.py", b"x = 1\n");
    commit(dir, "start");
    write(dir, "b.py", format!("t = \"{}\"\n", token()).as_bytes());
    let tagged = commit(dir, "released with a token");
    let tag = git(dir, &["tag", "-a", "-m", "release", "v1"]);
    assert!(tag.status.success(), "{tag:?}");
    let blob = git(dir, &["rev-parse", "HEAD:a.py"]);
    let blob = String::from_utf8(blob.stdout).unwrap();
    assert!(git(dir, &["tag", "a-blob", blob.trim()]).status.success());
    assert!(git(dir, &["reset", "-q", "--hard", "HEAD~1"])
        .status
        .success());
    let expected = [at(
        "secrets/github-pat",
        "b.py",
        1,
        6,
        &tagged,
        "released with a token",
    )];
    let (code, report) = history(dir, &[]);
    assert_eq!(found(&report), expected);
    assert_eq!(code, 1);
    assert!(git(dir, &["pack-refs", "--all"]).status.success());
    let (_, report) = history(dir, &[]);
    assert_eq!(found(&report), expected);
}

/// A history longer than one block of the walk (the walk hands the diffs
/// 512 commits at a time, newest first): a secret in the oldest block and
/// one in the newest are each found at the commit that added them, and a
/// cached second run agrees. Built with `git fast-import`: 600 commits.
#[test]
fn a_history_of_many_walk_blocks_reports_each_secret_at_its_commit() {
    let repo = git_repo();
    let dir = repo.path();
    let mut stream = String::new();
    for n in 1..=600 {
        let body = match n {
            100 => format!("n = {n}\ntoken = \"{}\"\n", token()),
            590 => format!("n = {n}\napi_key = \"{}\"\n", api_key()),
            _ => format!("n = {n}\n"),
        };
        let parent = if n == 1 {
            String::new()
        } else {
            format!("from :{}\n", n - 1)
        };
        let message = format!("commit {n}");
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{n}\n\
             committer t <t@t.invalid> {} +0000\n\
             data {}\n{message}\n{parent}M 100644 inline app.py\ndata {}\n{body}\n",
            1_700_000_000 + n * 60,
            message.len(),
            body.len(),
        ));
    }
    let mut import = std::process::Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        import
            .stdin
            .take()
            .unwrap()
            .write_all(stream.as_bytes())
            .unwrap();
    }
    assert!(import.wait().unwrap().success());
    assert!(git(dir, &["checkout", "-q", "-f", "main"]).status.success());
    let commit_of = |n: u32| {
        let out = git(dir, &["rev-parse", &format!("main~{}", 600 - n)]);
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let expected = vec![
        at(
            "secrets/github-pat",
            "app.py",
            2,
            10,
            &commit_of(100),
            "commit 100",
        ),
        at(
            "secrets/generic-api-key",
            "app.py",
            2,
            12,
            &commit_of(590),
            "commit 590",
        ),
    ];
    let (code, report) = history(dir, &[]);
    assert_eq!(code, 1);
    let mut findings = found(&report);
    findings.sort_by(|a, b| a.5.cmp(&b.5));
    assert_eq!(findings, expected);

    let cache = tempfile::TempDir::new().unwrap();
    let cached = || {
        let out = output(&mut ward(
            dir,
            &[
                "history",
                "--format",
                "json",
                "--cache-dir",
                cache.path().to_str().unwrap(),
            ],
        ));
        let mut findings = found(&serde_json::from_slice(&out.stdout).unwrap());
        findings.sort_by(|a, b| a.5.cmp(&b.5));
        findings
    };
    assert_eq!(cached(), expected);
    assert_eq!(cached(), expected);
}
