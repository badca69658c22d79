//! The secrets pack end to end: every family found at its place, never printed whole.

use crate::support::{at, fixture, json, places, repo, ward, write};

#[test]
fn one_secret_per_family_is_found_at_its_place() {
    let repo = fixture("secrets");
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [
            at("secrets/crates-io-token", ".cargo/credentials.toml", 2, 10),
            at("secrets/github-pat", ".github/scripts/release.sh", 2, 17),
            at(
                "secrets/github-fine-grained-pat",
                ".github/scripts/release.sh",
                3,
                18
            ),
            at("secrets/gitlab-pat", ".github/scripts/release.sh", 4, 25),
            at("secrets/npm-access-token", ".npmrc", 1, 34),
            at("secrets/pypi-upload-token", ".pypirc", 3, 12),
            at("secrets/stripe-live-secret-key", "app/settings.rb", 1, 19),
            at("secrets/sendgrid-api-key", "app/settings.rb", 2, 13),
            at("secrets/mailgun-api-key", "app/settings.rb", 3, 12),
            at("secrets/aws-access-key-id", "config/cloud.ini", 2, 21),
            at("secrets/aws-secret-access-key", "config/cloud.ini", 3, 25),
            at("secrets/gcp-api-key", "config/cloud.ini", 5, 13),
            at(
                "secrets/azure-storage-connection-string",
                "config/cloud.ini",
                6,
                72
            ),
            at("secrets/gcp-service-account-key", "deploy/sa.json", 4, 19),
            at("secrets/jwt", "docs/api.md", 4, 32),
            // Key files are forbidden files too (structure), about the whole file (0:0).
            at("structure/forbidden-file", "keys/ec.pem", 0, 0),
            at("secrets/ec-private-key", "keys/ec.pem", 1, 1),
            at("structure/forbidden-file", "keys/id_ed25519", 0, 0),
            at("secrets/openssh-private-key", "keys/id_ed25519", 1, 1),
            at("structure/forbidden-file", "keys/id_rsa", 0, 0),
            at("secrets/rsa-private-key", "keys/id_rsa", 1, 1),
            at("structure/forbidden-file", "keys/server.key", 0, 0),
            at("secrets/pkcs8-private-key", "keys/server.key", 1, 1),
            at("secrets/pgp-private-key-block", "keys/signing.asc", 1, 1),
            at("secrets/database-url-password", "service/config.py", 1, 34),
            at("secrets/generic-password", "service/config.py", 2, 16),
            at("secrets/generic-secret", "service/config.py", 3, 18),
            at("secrets/generic-token", "service/config.py", 4, 15),
            at("secrets/generic-api-key", "service/config.py", 5, 12),
            at("secrets/slack-bot-token", "src/notify.py", 3, 14),
            at("secrets/slack-webhook-url", "src/notify.py", 4, 15),
            at("secrets/discord-webhook-url", "src/notify.py", 5, 17),
            at("secrets/telegram-bot-token", "src/notify.py", 6, 16),
        ]
    );
    assert_eq!(code, 1);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(
            |f| (f["plugin"] == "secrets" || f["plugin"] == "structure") && f["severity"] != "info"
        ));
}

/// The text of each finding's span, read back from the fixture: the secrets.
fn secrets_of(dir: &std::path::Path, report: &serde_json::Value) -> Vec<String> {
    let mut secrets = Vec::new();
    for f in report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["line"] != 0)
    {
        let text = std::fs::read_to_string(dir.join(f["path"].as_str().unwrap())).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let (line, column) = (
            f["line"].as_u64().unwrap() as usize,
            f["column"].as_u64().unwrap() as usize,
        );
        let (end_line, end_column) = (
            f["end_line"].as_u64().unwrap() as usize,
            f["end_column"].as_u64().unwrap() as usize,
        );
        for n in line..=end_line {
            let chars: Vec<char> = lines[n - 1].chars().collect();
            let from = if n == line { column - 1 } else { 0 };
            let to = if n == end_line {
                end_column - 1
            } else {
                chars.len()
            };
            let piece: String = chars[from..to.min(chars.len())].iter().collect();
            // The random part of the line; a PEM header alone is not secret.
            if piece.len() >= 8 && !piece.starts_with("-----") {
                secrets.push(piece);
            }
        }
    }
    secrets
}

#[test]
fn no_output_format_prints_a_secret_whole() {
    let repo = fixture("secrets");
    let (_, report) = json(repo.path(), &[]);
    let secrets = secrets_of(repo.path(), &report);
    assert!(secrets.len() >= 25, "{}", secrets.len());
    for args in [
        &["check"][..],
        &["check", "--format", "json"][..],
        &["check", "--format", "sarif"][..],
        &["check", "--format", "junit"][..],
        &["check", "--format", "github"][..],
        &["check", "--verbose"][..],
        &["check", "--verbose", "--format", "json"][..],
    ] {
        let out = ward(repo.path(), args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        for secret in &secrets {
            assert!(
                !stdout.contains(secret.as_str()),
                "{args:?} printed {secret}"
            );
            assert!(
                !stderr.contains(secret.as_str()),
                "{args:?} printed {secret} on stderr"
            );
        }
    }
    // What is shown: at most four leading characters, then a mask.
    let text = String::from_utf8(ward(repo.path(), &["check"]).output().unwrap().stdout).unwrap();
    assert!(
        text.contains("× AWS access key ID AKIA****************"),
        "{text}"
    );
}

#[test]
fn show_secrets_prints_them_for_local_triage() {
    let repo = repo(&[("a.env", b"")]);
    let token = format!("ghp_{}", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB");
    write(repo.path(), "a.env", format!("GH={token}\n").as_bytes());
    let (_, shown) = json(repo.path(), &["--show-secrets"]);
    assert_eq!(
        shown["findings"][0]["message"],
        format!("GitHub personal access token (classic) {token}")
    );
    let (_, hidden) = json(repo.path(), &[]);
    assert_eq!(
        hidden["findings"][0]["message"],
        "GitHub personal access token (classic) ghp_************************************"
    );
    // The fingerprint is the same either way and never the secret.
    assert_eq!(
        shown["findings"][0]["fingerprint"],
        hidden["findings"][0]["fingerprint"]
    );
    assert!(!hidden["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .contains("ghp_"));
}

#[test]
fn placeholders_and_clean_files_give_no_findings() {
    let repo = fixture("secrets");
    let (code, report) = json(repo.path(), &["docs/placeholders.md", "ward.toml"]);
    assert_eq!(places(&report), []);
    assert_eq!(code, 0);
}

#[test]
fn secrets_rules_can_be_switched_off() {
    let repo = fixture("secrets");
    write(
        repo.path(),
        "ward.toml",
        b"[rules]\n\"secrets/*\" = \"off\"\n\"structure/forbidden-file\" = \"off\"\n",
    );
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(places(&report), []);
    assert_eq!(code, 0);
}

/// The inline markers of gitleaks, detect-secrets, gosec and SonarQube keep
/// a judged line quiet, as they do in those tools.
#[test]
fn other_tools_inline_markers_are_respected() {
    let token = ["ghp_", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB"].concat();
    let text = format!(
        "a = \"{token}\" # gitleaks:allow\nb = \"{token}\"  # pragma: allowlist secret\nc := \"{token}\" // #nosec G101\nd = \"{token}\" // NOSONAR\ne = \"{token}\"\n"
    );
    let repo = repo(&[("keys.py", text.as_bytes())]);
    let (_, report) = json(repo.path(), &["--no-cache"]);
    assert_eq!(places(&report), [at("secrets/github-pat", "keys.py", 5, 6)]);
}

/// Dangerous-function rules skip tests and fixtures: a test that calls
/// eval on data it made is not a finding anyone acts on.
#[test]
fn dangerous_function_rules_skip_tests() {
    let call = b"import os\nresult = eval(user_input)\n";
    let repo = repo(&[
        ("app/main.py", call),
        ("tests/test_main.py", call),
        ("app/main_test.py", call),
        ("web/src/app.test.js", b"const x = eval(input);\n"),
    ]);
    let (_, report) = json(repo.path(), &["--no-cache"]);
    assert_eq!(
        places(&report),
        [at("security/python-eval", "app/main.py", 2, 9)]
    );
}

/// Recall guard over gitleaks' own samples: for every format whose true
/// samples ward's pack catches all of (`benches/secrets_recall.py --claimed`
/// wrote the list from `shared/peers/gitleaks-samples.json`), each true
/// sample is still reported by some `secrets/` rule, and none of that
/// format's false samples ward does not report is reported now.
#[test]
fn every_true_gitleaks_sample_of_a_claimed_format_is_caught() {
    let data = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/peers/gitleaks-samples-claimed.json"),
    )
    .unwrap();
    let formats: Vec<serde_json::Value> = serde_json::from_str(&data).unwrap();
    assert!(formats.len() >= 43, "{} formats", formats.len());
    let repo = repo(&[("ward.toml", b"")]);
    let mut expected = std::collections::BTreeMap::new();
    for format in &formats {
        let id = format["rule_id"].as_str().unwrap();
        for (kind, caught) in [("tps", true), ("fps", false)] {
            for (n, sample) in format[kind].as_array().unwrap().iter().enumerate() {
                let path = format!("{id}/{kind}-{n}.txt");
                write(
                    repo.path(),
                    &path,
                    sample["text"].as_str().unwrap().as_bytes(),
                );
                expected.insert(path, caught);
            }
        }
    }
    let (_, report) = json(repo.path(), &["--no-cache"]);
    let reported: std::collections::BTreeSet<String> = places(&report)
        .into_iter()
        .filter(|p| p.0.starts_with("secrets/"))
        .map(|p| p.1)
        .collect();
    let wrong: Vec<&String> = expected
        .iter()
        .filter(|(path, caught)| reported.contains(*path) != **caught)
        .map(|(path, _)| path)
        .collect();
    assert_eq!(wrong, Vec::<&String>::new());
    assert!(expected.len() > 1_000, "{}", expected.len());
}

/// Generic rules are errors only for values random enough to be keys: a
/// hex digest under a secret-named key is a warning, a mixed-case token an
/// error; a database password that reads like words is a warning.
#[test]
fn generic_findings_are_warnings_unless_the_value_is_random() {
    let strong = ["Vb8nM2qZ5xR7tK1w", "L4pH9jD3Qm7vT2xK"].concat();
    // Built from pieces, so that ward's own check of this file finds none.
    let url = ["mysql://root", ":whalehello", "@db:3306/app"].concat();
    let text = format!(
        "api_key = \"{strong}\"\nsecret_key = \"9f86d081884c7d659a2feaa0c55ad015\"\n\
         url = \"{url}\"\n"
    );
    let repo = repo(&[("app/settings.py", text.as_bytes())]);
    let (_, report) = json(repo.path(), &["--no-cache"]);
    let found: Vec<(String, u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("secrets/generic-api-key".into(), 1, "error".into()),
            ("secrets/generic-secret".into(), 2, "warning".into()),
            ("secrets/database-url-password".into(), 3, "warning".into()),
        ]
    );
}
