//! Fleet scale and observability: shards, merge, metrics, the audit log,
//! timings, the progress bar and the HTML report.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::{fixture, json, places, repo, ward, write};

/// Runs `ward` with `args` and returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = ward(dir, args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Every finding of a report as one comparable string, key order aside.
fn finding_set(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.as_object_mut().unwrap().remove("repository");
            serde_json::to_string(&f).unwrap()
        })
        .collect()
}

#[test]
fn shards_together_equal_the_unsharded_run_finding_for_finding() {
    let repo = fixture("plugins");
    let out = tempfile::TempDir::new().unwrap();
    let (_, whole) = json(repo.path(), &["--no-cache"]);
    let whole_set = finding_set(&whole);
    assert_eq!(whole_set.len(), 12);

    let mut union = BTreeSet::new();
    let mut files = 0;
    let mut reports = Vec::new();
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let (_, report) = json(repo.path(), &["--no-cache", "--shard", &shard]);
        assert_eq!(report["shard"], shard.as_str());
        let part = finding_set(&report);
        assert!(union.is_disjoint(&part), "shard {shard} repeats a finding");
        union.extend(part);
        files += report["summary"]["files_scanned"].as_u64().unwrap();
        // Repository-level checks run in shard 1 only.
        let repo_level = places(&report)
            .iter()
            .any(|(rule, ..)| rule == "manifest/version-mismatch");
        assert_eq!(repo_level, i == 1, "shard {shard}");
        let file = out.path().join(format!("shard{i}.json"));
        std::fs::write(&file, serde_json::to_string(&report).unwrap()).unwrap();
        reports.push(file);
    }
    assert_eq!(union, whole_set);
    assert_eq!(files, whole["summary"]["files_scanned"].as_u64().unwrap());

    // `ward merge` of the shards is the unsharded report.
    let mut args = vec!["merge"];
    args.extend(reports.iter().map(|p| p.to_str().unwrap()));
    let (code, stdout, stderr) = run(repo.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    let merged: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(finding_set(&merged), whole_set);
    assert_eq!(merged["summary"]["findings"], 12);
    assert_eq!(
        merged["summary"]["files_scanned"],
        whole["summary"]["files_scanned"]
    );
    assert_eq!(
        merged["summary"]["by_severity"],
        whole["summary"]["by_severity"]
    );
    let name = repo.path().file_name().unwrap().to_str().unwrap();
    assert_eq!(merged["repositories"][0]["name"], name);
    assert_eq!(
        merged["repositories"][0]["shards"],
        serde_json::json!(["1/3", "2/3", "3/3"])
    );

    // A shard given twice would count its findings twice: refused.
    let (code, _, stderr) = run(
        repo.path(),
        &[
            "merge",
            reports[0].to_str().unwrap(),
            reports[0].to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("shard 1/3 of repository"), "{stderr}");
    // A missing shard is merged with a warning naming it.
    let (code, _, stderr) = run(
        repo.path(),
        &[
            "merge",
            reports[0].to_str().unwrap(),
            reports[2].to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0);
    assert!(stderr.contains("shards 2/3 not merged"), "{stderr}");
}

#[test]
fn merging_two_repositories_keeps_both_in_json_and_sarif() {
    let first = fixture("text");
    let second = fixture("plugins");
    let out = tempfile::TempDir::new().unwrap();
    let report = |dir: &Path, name: &str, format: &str| {
        let file = out
            .path()
            .join(format!("{}.{format}", name.replace('/', "-")));
        let (code, _, stderr) = run(
            dir,
            &[
                "check",
                "--no-cache",
                "--repository",
                name,
                "--format",
                format,
                "-o",
                file.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 1, "{stderr}");
        file
    };
    let a = report(first.path(), "org/alpha", "json");
    let b = report(second.path(), "org/beta", "json");
    let (code, stdout, stderr) = run(
        out.path(),
        &["merge", b.to_str().unwrap(), a.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    let merged: Value = serde_json::from_str(&stdout).unwrap();
    let alpha: Value = serde_json::from_str(&std::fs::read_to_string(&a).unwrap()).unwrap();
    let beta: Value = serde_json::from_str(&std::fs::read_to_string(&b).unwrap()).unwrap();
    let count = |r: &Value| r["findings"].as_array().unwrap().len();
    assert_eq!(count(&merged), count(&alpha) + count(&beta));
    assert_eq!(
        merged["summary"]["files_scanned"].as_u64().unwrap(),
        alpha["summary"]["files_scanned"].as_u64().unwrap()
            + beta["summary"]["files_scanned"].as_u64().unwrap()
    );
    let names: Vec<&str> = merged["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["org/alpha", "org/beta"]);
    assert_eq!(merged["repositories"][0]["findings"], count(&alpha));
    // Sorted by repository, then path: alpha's first finding comes first,
    // and each finding says where it belongs.
    assert_eq!(merged["findings"][0]["repository"], "org/alpha");
    assert_eq!(merged["findings"][count(&alpha)]["repository"], "org/beta");
    assert_eq!(
        merged["findings"][count(&alpha)]["path"],
        beta["findings"][0]["path"]
    );

    // A merge merges again, with a third report.
    let merged_file = out.path().join("merged.json");
    std::fs::write(&merged_file, &stdout).unwrap();
    let third = repo(&[("x.txt", b"trailing \n")]);
    let c = report(third.path(), "org/gamma", "json");
    let (code, stdout, stderr) = run(
        out.path(),
        &["merge", merged_file.to_str().unwrap(), c.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    let again: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(count(&again), count(&alpha) + count(&beta) + 1);
    assert_eq!(again["repositories"].as_array().unwrap().len(), 3);

    // SARIF: one run per repository, results and rules intact.
    let a = report(first.path(), "org/alpha", "sarif");
    let b = report(second.path(), "org/beta", "sarif");
    let (code, stdout, stderr) = run(
        out.path(),
        &["merge", a.to_str().unwrap(), b.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["properties"]["repository"], "org/alpha");
    assert_eq!(runs[1]["properties"]["repository"], "org/beta");
    assert_eq!(runs[0]["results"].as_array().unwrap().len(), count(&alpha));
    assert_eq!(runs[1]["results"].as_array().unwrap().len(), count(&beta));
    for run in runs {
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for result in run["results"].as_array().unwrap() {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
        }
    }

    // JSON with SARIF is refused.
    let (code, _, stderr) = run(
        out.path(),
        &["merge", a.to_str().unwrap(), merged_file.to_str().unwrap()],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("merge JSON reports with JSON reports"),
        "{stderr}"
    );
}

#[test]
fn metrics_describe_the_run() {
    let repo = repo(&[("a.txt", b"x \ny \n"), ("b.txt", b"ok\n")]);
    let file = repo.path().join("../metrics.prom");
    let (code, _, stderr) = run(
        repo.path(),
        &[
            "check",
            "--no-cache",
            "--repository",
            "demo \"repo\"",
            "--metrics",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for expected in [
        "# TYPE ward_info gauge",
        &format!(
            "ward_info{{version=\"{}\",repository=\"demo \\\"repo\\\"\",shard=\"\"}} 1",
            env!("CARGO_PKG_VERSION")
        ),
        "ward_files_scanned{repository=\"demo \\\"repo\\\"\"} 5",
        "ward_findings{repository=\"demo \\\"repo\\\"\",severity=\"error\"} 2",
        "ward_findings{repository=\"demo \\\"repo\\\"\",severity=\"warning\"} 0",
        "ward_rule_findings{repository=\"demo \\\"repo\\\"\",rule=\"text/trailing-whitespace\",severity=\"error\"} 2",
        "ward_findings_suppressed{repository=\"demo \\\"repo\\\"\"} 0",
        "ward_plugin_errors{repository=\"demo \\\"repo\\\"\",plugin=\"text\"} 0",
        "ward_exit_code{repository=\"demo \\\"repo\\\"\"} 1",
    ] {
        assert!(lines.contains(&expected), "{expected}\n{text}");
    }
    // Time per plugin is there for every plugin that ran.
    for plugin in ["text", "structure", "secrets", "rule packs (keyword pass)"] {
        assert!(
            text.contains(&format!(
                "ward_plugin_duration_seconds{{repository=\"demo \\\"repo\\\"\",plugin=\"{plugin}\"}} "
            )),
            "{plugin}\n{text}"
        );
    }
}

#[test]
fn audit_lines_survive_eight_concurrent_runs() {
    let repo = repo(&[("a.txt", b"x \n")]);
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .current_dir(repo.path())
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        String::from_utf8(status.stdout).unwrap()
    };
    git(&["init", "-q", "-b", "trunk"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "first"]);
    let head = git(&["rev-parse", "HEAD"]).trim().to_string();
    let log = tempfile::TempDir::new().unwrap();
    let file = log.path().join("audit.jsonl");
    let children: Vec<_> = (0..8)
        .map(|_| {
            ward(
                repo.path(),
                &["check", "--no-cache", "--audit-log", file.to_str().unwrap()],
            )
            .env("USER", "auditor")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
        })
        .collect();
    for mut child in children {
        assert_eq!(child.wait().unwrap().code(), Some(1));
    }
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 8);
    let ids: BTreeSet<&str> = lines
        .iter()
        .map(|l| l["run_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 8);
    let line = &lines[0];
    assert_eq!(line["user"], "auditor");
    assert_eq!(line["git"]["commit"], head.as_str());
    assert_eq!(line["git"]["branch"], "trunk");
    assert_eq!(line["ward_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(line["exit_code"], 1);
    assert_eq!(line["counts"]["findings"], 1);
    assert_eq!(line["counts"]["error"], 1);
    assert_eq!(line["counts"]["files_scanned"], 4);
    assert_eq!(line["config"]["blake3"].as_str().unwrap().len(), 64);
    assert!(line["start"].as_str().unwrap().ends_with('Z'));
    assert!(line["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "text" && p["version"] == env!("CARGO_PKG_VERSION")));
}

#[test]
fn timings_are_printed_and_in_the_json_report() {
    // Assembled here so that ward checking its own repository finds no token.
    let token = format!("TOKEN=ghp_{}\n", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB");
    let repo = repo(&[("a.env", token.as_bytes())]);
    let (_, stdout, stderr) = run(
        repo.path(),
        &["check", "--no-cache", "--timings", "--format", "json"],
    );
    assert!(stderr.starts_with("ward: timings"), "{stderr}");
    assert!(stderr.contains("  text "), "{stderr}");
    assert!(stderr.contains("rule (top 10, rule packs)"), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let timings = &report["summary"]["timings"];
    for plugin in ["text", "structure", "secrets"] {
        assert!(timings["plugins_ms"][plugin].is_number(), "{timings:#}");
    }
    // The pack rule that matched ran its regex; it is among the top rules.
    let top: Vec<&str> = timings["top_rules_ms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_str().unwrap())
        .collect();
    assert!(top.contains(&"secrets/github-pat"), "{top:?}");
    assert!(top.len() <= 10);
    // Without --timings the report has no timings.
    let (_, report) = json(repo.path(), &["--no-cache"]);
    assert!(report["summary"].get("timings").is_none());
}

#[test]
fn the_progress_bar_shows_only_on_a_terminal() {
    let repo = repo(&[]);
    for i in 0..100 {
        write(repo.path(), &format!("f{i}.txt"), b"ok\n");
    }
    // Not a terminal: nothing but the report.
    let (_, _, stderr) = run(repo.path(), &["check", "--no-cache"]);
    assert_eq!(stderr, "");
    // A terminal (util-linux `script` gives ward a pty), with the delay
    // before the bar appears set to nothing.
    let ward_bin = assert_cmd::cargo::cargo_bin("ward");
    let command = format!("{} check --no-cache --color never", ward_bin.display());
    let out = std::process::Command::new("script")
        .current_dir(repo.path())
        .args(["-qec", &command, "/dev/null"])
        .env("WARD_PROGRESS_AFTER_MS", "0")
        .env("XDG_CACHE_HOME", repo.path().join(".cache"))
        .output()
        .expect("util-linux `script` gives ward a terminal");
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(seen.contains("checking ["), "{seen}");
    assert!(seen.contains("/103 files"), "{seen}");
    assert!(seen.contains("No findings in 103 files"), "{seen}");
    // --no-progress: no bar on a terminal either.
    let out = std::process::Command::new("script")
        .current_dir(repo.path())
        .args(["-qec", &format!("{command} --no-progress"), "/dev/null"])
        .env("WARD_PROGRESS_AFTER_MS", "0")
        .output()
        .unwrap();
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(!seen.contains("checking ["), "{seen}");
}

#[test]
fn html_report_shows_counts_findings_and_snippets() {
    let repo = fixture("text");
    let out = tempfile::TempDir::new().unwrap();
    let file = out.path().join("report.json");
    run(
        repo.path(),
        &[
            "check",
            "--no-cache",
            "--format",
            "json",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let (code, html, stderr) = run(out.path(), &["report", "--html", "report.json"]);
    assert_eq!(code, 0, "{stderr}");
    let summary = &report["summary"];
    for (id, value) in [
        ("count-total", &summary["findings"]),
        ("count-error", &summary["by_severity"]["error"]),
        ("count-warning", &summary["by_severity"]["warning"]),
        ("count-files", &summary["files_scanned"]),
    ] {
        assert!(
            html.contains(&format!("id=\"{id}\">{value}</span>")),
            "{id} {value}"
        );
    }
    assert!(html.contains("<code>text/trailing-whitespace</code>"));
    assert!(
        html.contains(&format!(
            "<p id=\"score\">{} ({})</p>",
            report["score"]["total"],
            report["score"]["level"].as_str().unwrap()
        )),
        "{html}"
    );
    assert!(html.contains("<table id=\"by-directory\">"));
    // Self-contained: nothing fetched.
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));
    // A snippet line, escaped.
    assert!(html.contains("<pre>"), "{html}");

    // Not a ward report: exit 2 with the file named.
    write(out.path(), "other.json", b"{\"a\": 1}");
    let (code, _, stderr) = run(out.path(), &["report", "--html", "other.json"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("other.json is not a ward JSON report"),
        "{stderr}"
    );
}
