//! Declarative rule packs: team packs from the config, `ward test-rules`,
//! broken packs, and gitleaks configurations.

use crate::support::{at, json, places, repo, ward, workspace, write};

const TEAM_PACK: &str = r#"
name = "team"

[[rule]]
id = "console-log"
message = "console.log left in"
severity = "warning"
pattern = '''console\.log\('''
keywords = ["console.log"]
paths = ["**/*.js", "**/*.ts"]
exclude = ["**/*.test.js"]
examples.match = ["console.log('x')"]
examples.no-match = ["console.error('x')"]
"#;

#[test]
fn a_team_pack_from_the_config_runs_with_its_paths() {
    let repo = repo(&[
        ("src/a.js", b"let x = 1;\n  console.log(x);\n"),
        ("src/a.test.js", b"console.log(1);\n"),
        ("notes.md", b"console.log(1)\n"),
        ("tools/team.toml", TEAM_PACK.as_bytes()),
    ]);
    write(repo.path(), "ward.toml", b"packs = [\"tools/team.toml\"]\n");
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(places(&report), [at("team/console-log", "src/a.js", 2, 3)]);
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert_eq!(report["findings"][0]["plugin"], "team");
    assert_eq!(code, 0);
    let out = ward(repo.path(), &["rules"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("team/console-log"));
}

#[test]
fn test_rules_passes_on_the_shipped_packs() {
    let repo = repo(&[]);
    let out = ward(repo.path(), &["test-rules"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(" in 2 packs: "), "{stdout}");
    assert!(stdout.ends_with(", 0 failed\n"), "{stdout}");
}

#[test]
fn test_rules_names_the_rule_and_example_that_fail() {
    let repo = repo(&[(
        "bad.toml",
        TEAM_PACK
            .replace("console.error('x')", "console.log('y')")
            .as_bytes(),
    )]);
    let out = ward(repo.path(), &["test-rules", "bad.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("FAIL bad.toml:13: team/console-log: no-match example was reported: \"console.log('y')\""),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("1 rule in 1 pack: 2 examples, 1 failed\n"),
        "{stdout}"
    );
}

#[test]
fn a_broken_pack_is_an_error_at_its_line_with_exit_2() {
    let cases = [
        (
            "pattern = '''console\\.log\\('''",
            "pattern = '''console\\.log('''",
            "invalid regex",
            "team.toml:8:11",
        ),
        (
            "severity = \"warning\"",
            "severity = \"loud\"",
            "unknown severity `loud`",
            "team.toml:7:12",
        ),
        (
            "keywords = [",
            "keyword = [",
            "unknown field `keyword`",
            "team.toml:9:1",
        ),
        (
            "severity = \"warning\"",
            "severity = \"warning\"\nclasses = [\"generated\", \"magic\"]",
            "unknown file class `magic`",
            "team.toml:8:25",
        ),
    ];
    for (from, to, message, place) in cases {
        let repo = repo(&[("team.toml", TEAM_PACK.replace(from, to).as_bytes())]);
        write(repo.path(), "ward.toml", b"packs = [\"team.toml\"]\n");
        let out = ward(repo.path(), &["check"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{to}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(message), "{stderr}");
        assert!(stderr.contains(place), "{place}: {stderr}");
    }
    let doubled = format!(
        "{TEAM_PACK}\n{}",
        &TEAM_PACK[TEAM_PACK.find("[[rule]]").unwrap()..]
    );
    let repo = repo(&[("team.toml", doubled.as_bytes())]);
    let out = ward(repo.path(), &["test-rules", "team.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("duplicate rule id `console-log`"));
}

#[test]
fn a_missing_pack_file_points_at_the_config() {
    let repo = repo(&[]);
    write(repo.path(), "ward.toml", b"packs = [\"nope.toml\"]\n");
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("cannot read"), "{stderr}");
    assert!(stderr.contains("ward.toml:1:"), "{stderr}");
}

const GITLEAKS: &str = r#"
title = "team gitleaks"
[allowlist]
stopwords = ["example"]

[[rules]]
id = "team-token"
description = "Team token"
regex = '''\b(tt_[a-z0-9]{12})\b'''
keywords = ["tt_"]

[[rules]]
id = "perl-only"
description = "lookahead"
regex = '''secret(?=[0-9])'''
"#;

#[test]
fn extends_reads_a_gitleaks_config_and_warns_about_what_does_not_translate() {
    let repo = repo(&[
        ("gitleaks.toml", GITLEAKS.as_bytes()),
        (
            "src/a.py",
            b"x = 1\nTOKEN = 'tt_a1b2c3d4e5f6'\nY = 'tt_example1234'\n", // ward:ignore secrets/generic-token
        ),
    ]);
    write(
        repo.path(),
        "ward.toml",
        b"extends = [\"gitleaks:gitleaks.toml\"]\n[rules]\n\"secrets/*\" = \"off\"\n",
    );
    let out = ward(repo.path(), &["check", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("rule `perl-only`: its regex is not Rust regex syntax"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        places(&report),
        [at("gitleaks/team-token", "src/a.py", 2, 10)]
    );
    assert_eq!(report["findings"][0]["message"], "Team token");
}

#[test]
fn import_gitleaks_writes_a_pack_that_loads() {
    let repo = repo(&[("gitleaks.toml", GITLEAKS.as_bytes())]);
    let out = ward(
        repo.path(),
        &[
            "import",
            "gitleaks",
            "gitleaks.toml",
            "-o",
            "team.toml",
            "--name",
            "team",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("translated 1 rules, left out 1"),
        "{stderr}"
    );
    let pack = std::fs::read_to_string(repo.path().join("team.toml")).unwrap();
    assert!(pack.contains("name = \"team\""), "{pack}");
    let out = ward(repo.path(), &["test-rules", "team.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// gitleaks' real default configuration (222 rules), a copy kept with its
/// license in the test fixtures; not shipped with ward.
#[test]
fn the_real_gitleaks_config_translates_and_finds_what_it_should() {
    let config = workspace().join("tests/fixtures/peers/gitleaks.toml");
    let repo = repo(&[]);
    let out = ward(
        repo.path(),
        &[
            "import",
            "gitleaks",
            config.to_str().unwrap(),
            "-o",
            "gl.toml",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    let translated: usize = stderr
        .split("translated ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    // Every rule with a regex translates (221 of 222 at the pinned commit);
    // the path-only rule is named.
    assert!(translated >= 220, "{stderr}");
    for warning in stderr.lines().filter(|l| l.starts_with("warning:")) {
        assert!(
            warning.contains("rule `") || warning.contains("allowlist"),
            "{warning}"
        );
    }
    // Secrets in the formats gitleaks documents are found by the translated rules.
    let samples = [
        (
            "aws.txt",
            format!("key = {}\n", ["AKIA", "Z7QX3LMWQVB2RKP7"].concat()),
            "gitleaks/aws-access-token",
        ),
        (
            "gh.txt",
            format!(
                "GH={}\n",
                ["ghp_", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB"].concat()
            ),
            "gitleaks/github-pat",
        ),
        (
            "stripe.txt",
            format!(
                "k = '{}'\n",
                ["sk_live_", "4eC39HqLyjWDarjtT1zdp7dc"].concat()
            ),
            "gitleaks/stripe-access-token",
        ),
    ];
    let mut files = String::new();
    for (name, text, _) in &samples {
        write(repo.path(), name, text.as_bytes());
        files.push_str(name);
    }
    write(
        repo.path(),
        "ward.toml",
        b"packs = [\"gl.toml\"]\nexclude = [\"gl.toml\"]\n[rules]\n\"secrets/*\" = \"off\"\n",
    );
    let (_, report) = json(repo.path(), &[]);
    let found: Vec<(String, String)> = places(&report)
        .into_iter()
        .map(|(rule, path, _, _)| (path, rule))
        .collect();
    for (name, _, rule) in samples {
        assert!(
            found.contains(&(name.to_string(), rule.to_string())),
            "{rule} not found in {name}: {found:?}"
        );
    }
}

/// A pack's rules run on the classes it names: by default (hygiene) not on
/// generated files; with `classes = ["generated"]` on them too.
#[test]
fn a_pack_names_the_classes_its_rules_run_on() {
    let generated = b"// Code generated by x. DO NOT EDIT.\nconsole.log(1);\n";
    let repo = repo(&[
        ("src/gen.js", generated.as_slice()),
        ("team.toml", TEAM_PACK.as_bytes()),
    ]);
    write(repo.path(), "ward.toml", b"packs = [\"team.toml\"]\n");
    let (_, report) = json(repo.path(), &["--no-cache"]);
    assert_eq!(places(&report), []);
    let named = TEAM_PACK.replace(
        "name = \"team\"",
        "name = \"team\"\nclasses = [\"generated\"]",
    );
    write(repo.path(), "team.toml", named.as_bytes());
    let (_, report) = json(repo.path(), &["--no-cache"]);
    assert_eq!(
        places(&report),
        [at("team/console-log", "src/gen.js", 2, 1)]
    );
}

/// A pattern that parses but is too large to compile would find nothing,
/// silently: it is a load error naming the rule, in a run and in
/// `ward test-rules`.
#[test]
fn a_regex_too_large_to_compile_is_a_load_error() {
    let pack = "name = \"big\"\n[[rule]]\nid = \"huge\"\nmessage = \"m\"\npattern = '''(?u)\\w{1000}\\w{1000}\\w{1000}'''\n";
    let repo = repo(&[("big.toml", pack.as_bytes()), ("a.txt", b"hi\n")]);
    write(repo.path(), "ward.toml", b"packs = [\"big.toml\"]\n");
    for args in [
        &["check", "--no-cache"][..],
        &["test-rules", "big.toml"][..],
    ] {
        let out = ward(repo.path(), args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("the regex of `big/huge` cannot be compiled"),
            "{stderr}"
        );
    }
}
