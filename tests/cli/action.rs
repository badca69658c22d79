//! The GitHub Action (`action.yml`): a valid composite action whose check
//! step, run here as the runner runs it (inputs in its `env:`, the `GITHUB_*`
//! variables of a pull_request event), annotates only the pull request's
//! own findings, writes the job summary, the exit code and SARIF.

use std::path::Path;
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

use crate::hooks::{git, git_repo};
use crate::support::{workspace, write};

fn action() -> Yaml {
    let text = std::fs::read_to_string(workspace().join("action.yml")).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn step<'a>(action: &'a Yaml, id: &str) -> &'a Yaml {
    action["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some(id))
        .unwrap()
}

#[test]
fn the_action_is_a_composite_with_documented_inputs() {
    let action = action();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    for input in ["args", "format", "diff-base", "sarif", "summary", "install"] {
        assert!(
            action["inputs"][input]["description"].as_str().is_some(),
            "{input}"
        );
    }
    for s in action["runs"]["steps"].as_vec().unwrap() {
        if s["run"].as_str().is_some() {
            assert_eq!(s["shell"].as_str(), Some("bash"));
        }
    }
}

#[test]
fn on_a_pull_request_the_check_step_reports_only_its_own_findings() {
    let repo = git_repo();
    let dir = repo.path();
    write(dir, "ward.toml", b"");
    write(dir, "a.py", b"x = 1   \ny = 2\n");
    assert!(git(dir, &["add", "-A"]).status.success());
    assert!(git(dir, &["commit", "-q", "-m", "base"]).status.success());
    assert!(git(dir, &["checkout", "-q", "-b", "feature"])
        .status
        .success());
    write(dir, "a.py", b"x = 1   \ny = 3   \n");
    assert!(git(dir, &["commit", "-q", "-am", "change"])
        .status
        .success());
    // The runner's checkout has the base branch as origin/<base>.
    let remote = dir.to_str().unwrap();
    assert!(git(dir, &["remote", "add", "origin", remote])
        .status
        .success());
    assert!(git(dir, &["fetch", "-q", "origin"]).status.success());

    let action = action();
    let check = step(&action, "check");
    let script = check["run"].as_str().unwrap();
    let runner = tempfile::TempDir::new().unwrap();
    let summary = runner.path().join("summary.md");
    let outputs = runner.path().join("outputs");
    let ward = Path::new(env!("CARGO_BIN_EXE_ward"));
    let path = format!(
        "{}:{}",
        ward.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("WARD_ARGS", "--no-cache")
        .env("WARD_FORMAT", "github")
        .env("WARD_DIFF_BASE", "")
        .env("WARD_SARIF", "true")
        .env("WARD_SUMMARY", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_BASE_REF", "main")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("::")).collect::<Vec<_>>(),
        ["::error file=a.py,line=2,col=6,endLine=2,endColumn=9,title=text/trailing-whitespace::3 trailing whitespace characters"]
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.starts_with("## ward: "), "{summary}");
    assert!(
        summary.contains("| `text/trailing-whitespace` | 1 |"),
        "{summary}"
    );
    assert!(
        summary.contains("Besides these: 3 left out as pre-existing (--diff-base)."),
        "{summary}"
    );
    assert_eq!(std::fs::read_to_string(&outputs).unwrap(), "exit-code=1\n");
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("ward.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
}
