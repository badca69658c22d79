//! Adopting ward on an existing repository: suppressions, baselines,
//! overrides, extends, init and explain.

use crate::support::{at, json, places, repo, ward, write};

#[test]
fn ignore_comments_suppress_only_the_named_rules_and_are_counted() {
    let repo = repo(&[(
        "a.py",
        b"x = 1  # ward:ignore text/trailing-whitespace \n\
          # ward:ignore text/trailing-whitespace\n\
          y = 2  \n\
          z = 3  \n\
          w = 4  # ward:ignore text/bom \n",
    )]);
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [
            at("text/trailing-whitespace", "a.py", 4, 6),
            // A suppression for one rule does not hide another, and one
            // that hides nothing is an info finding.
            at("ward/unused-suppression", "a.py", 5, 1),
            at("text/trailing-whitespace", "a.py", 5, 30),
        ]
    );
    assert_eq!(
        report["findings"][1]["message"],
        "`ward:ignore text/bom` suppresses nothing: remove it"
    );
    assert_eq!(report["findings"][1]["severity"], "info");
    assert_eq!(report["summary"]["suppressed"], 2);
    assert_eq!(code, 1);
}

/// A file-wide marker that hides nothing, and one of two markers over the
/// same line that hides nothing, are reported; switched off, they are not.
#[test]
fn unused_suppressions_are_info_findings() {
    let repo = repo(&[
        (
            "a.txt",
            b"# ward:ignore-file text/bom\nclean\n",
        ),
        (
            "b.txt",
            b"# ward:ignore text/trailing-whitespace, text/bom\nx  \n# ward:ignore secrets/*\nclean\n",
        ),
    ]);
    let (code, report) = json(repo.path(), &["--no-cache"]);
    assert_eq!(
        places(&report),
        [
            at("ward/unused-suppression", "a.txt", 1, 1),
            at("ward/unused-suppression", "b.txt", 3, 1),
        ]
    );
    assert_eq!(code, 0);
    write(
        repo.path(),
        "ward.toml",
        b"[rules]
\"ward/unused-suppression\" = \"off\"\n",
    );
    let (_, report) = json(repo.path(), &["--no-cache"]);
    assert_eq!(places(&report), []);
}

#[test]
fn ignore_file_and_unknown_rules() {
    let repo = repo(&[
        (
            "a.txt",
            b"# ward:ignore-file text/trailing-whitespace\nx  \ny  \n",
        ),
        ("b.txt", b"x # ward:ignore text/trailing-whitespce \n"),
    ]);
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [
            at("ward/invalid-suppression", "b.txt", 1, 1),
            at("text/trailing-whitespace", "b.txt", 1, 40),
        ]
    );
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert_eq!(
        report["findings"][0]["message"],
        "unknown rule `text/trailing-whitespce` in ward:ignore"
    );
    assert_eq!(report["summary"]["suppressed"], 2);
}

#[test]
fn suppressing_a_secret_on_its_line() {
    let token = ["ghp_", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB"].concat();
    let text = format!("TOKEN = '{token}'  # ward:ignore secrets/github-pat\nOTHER = '{token}'\n");
    let repo = repo(&[("a.py", text.as_bytes())]);
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(places(&report), [at("secrets/github-pat", "a.py", 2, 10)]);
}

#[test]
fn a_baseline_hides_old_findings_and_survives_unrelated_edits() {
    let repo = repo(&[("a.txt", b"one  \ntwo\n"), ("b.txt", b"clean\n")]);
    let out = ward(repo.path(), &["baseline"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let baseline: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo.path().join("ward-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 1);
    assert_eq!(baseline["findings"][0]["rule"], "text/trailing-whitespace");

    // Lines added above the old finding, and a new finding below.
    write(
        repo.path(),
        "a.txt",
        b"new first line\nanother\none  \ntwo\nthree \n",
    );
    let (code, report) = json(repo.path(), &["--baseline", "ward-baseline.json"]);
    assert_eq!(
        places(&report),
        [at("text/trailing-whitespace", "a.txt", 5, 6)]
    );
    assert_eq!(report["summary"]["baselined"], 1);
    assert_eq!(code, 1);

    // Named in the config instead of on the command line.
    write(
        repo.path(),
        "ward.toml",
        b"baseline = \"ward-baseline.json\"\n",
    );
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(report["summary"]["baselined"], 1);
    let text = String::from_utf8(ward(repo.path(), &["check"]).output().unwrap().stdout).unwrap();
    assert!(
        text.ends_with(
            "1 error, 0 warnings, 0 infos in 6 files (1 in the baseline).\n`ward check --fix` can fix 1 of them.\n"
        ),
        "{text}"
    );
}

/// `ward baseline` then `ward check`: nothing to configure.
#[test]
fn the_default_baseline_file_is_read_without_configuration() {
    let repo = repo(&[("a.txt", b"one  \n")]);
    let out = ward(repo.path(), &["baseline"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "ward-baseline.json; `ward check` reads it there and reports only new findings"
        ),
        "{stderr}"
    );
    write(repo.path(), "b.txt", b"two \n");
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [at("text/trailing-whitespace", "b.txt", 1, 4)]
    );
    assert_eq!(report["summary"]["baselined"], 1);
    assert_eq!(code, 1);
}

#[test]
fn a_corrupt_baseline_is_an_error_not_an_empty_baseline() {
    let repo = repo(&[("a.txt", b"x \n"), ("ward-baseline.json", b"{ not json")]);
    let out = ward(repo.path(), &["check", "--baseline", "ward-baseline.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a ward baseline"));
}

#[test]
fn overrides_set_severities_for_some_files() {
    let repo = repo(&[
        ("src/a.txt", b"x \n"),
        ("tests/b.txt", b"x \n"),
        ("docs/c.md", b"x \n"),
    ]);
    write(
        repo.path(),
        "ward.toml",
        b"[rules]\n\"text/trailing-whitespace\" = \"off\"\n\n\
          [[overrides]]\nfiles = [\"src/**\"]\n[overrides.rules]\n\"text/*\" = \"error\"\n\n\
          [[overrides]]\nfiles = [\"docs/**\"]\n[overrides.rules]\n\"text/trailing-whitespace\" = \"info\"\n",
    );
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [
            at("text/trailing-whitespace", "docs/c.md", 1, 2),
            at("text/trailing-whitespace", "src/a.txt", 1, 2),
        ]
    );
    assert_eq!(report["findings"][0]["severity"], "info");
    assert_eq!(report["findings"][1]["severity"], "error");
}

#[test]
fn extends_layers_configs_relative_to_the_file_that_names_them() {
    let repo = repo(&[("a.txt", b"\xef\xbb\xbfx \n"), ("vendor/v.txt", b"x \n")]);
    write(repo.path(), "config/base.toml", b"extends = [\"ward:recommended\"]\n[rules]\n\"text/*\" = \"warning\"\n\"text/bom\" = \"off\"\n");
    write(
        repo.path(),
        "ward.toml",
        b"extends = [\"config/base.toml\"]\n[rules]\n\"text/*\" = \"error\"\n",
    );
    let (_, report) = json(repo.path(), &[]);
    // The later file wins for the same pattern; the base's exact `text/bom` still applies;
    // ward:recommended excludes vendor/.
    assert_eq!(
        places(&report),
        [at("text/trailing-whitespace", "a.txt", 1, 3)]
    );
    assert_eq!(report["findings"][0]["severity"], "error");
}

#[test]
fn extends_cycles_and_unknown_presets_are_errors() {
    let repo = repo(&[]);
    write(repo.path(), "ward.toml", b"extends = [\"b.toml\"]\n");
    write(repo.path(), "b.toml", b"extends = [\"ward.toml\"]\n");
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("`ward.toml` extends itself through a cycle"),
        "{stderr}"
    );
    assert!(stderr.contains("b.toml:1:"), "{stderr}");

    write(repo.path(), "ward.toml", b"extends = [\"ward:lenient\"]\n");
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown preset `ward:lenient`"));
}

#[test]
fn init_writes_a_starter_config_that_loads_and_refuses_to_overwrite() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = ward(dir.path(), &["init"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join("ward.toml")).unwrap();
    assert!(written.starts_with("# ward.toml"));
    write(dir.path(), "a.txt", b"fine\n");
    write(dir.path(), "README.md", b"# x\n");
    write(
        dir.path(),
        "LICENSE",
        crate::support::MIT_LICENSE.as_bytes(),
    );
    let (code, report) = json(dir.path(), &[]);
    assert_eq!((code, places(&report)), (0, vec![]));
    let out = ward(dir.path(), &["init"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}

#[test]
fn explain_prints_docs_with_examples() {
    let repo = repo(&[]);
    let out = ward(repo.path(), &["explain", "text/trailing-whitespace"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("text/trailing-whitespace\n\nSpaces or tabs before the end of a line\n\ndefault severity: error; fixable; category: hygiene; runs on: text, documentation files\n"), "{stdout}");
    assert!(
        stdout.contains("## Bad") && stdout.contains("## Good"),
        "{stdout}"
    );
    let out = ward(repo.path(), &["explain", "secrets/github-pat"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("## Bad"));
    let out = ward(repo.path(), &["explain", "text/trailing"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean one of: text/"));
}
