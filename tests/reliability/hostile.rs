//! A hostile checked-out tree (see docs/untrusted.md): what it names is read
//! only inside it, what ward writes never follows its links, and a failed
//! write is never a passing run. Each test builds the attack as a tree.

use crate::support::{places, repo, ward, write};

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = crate::support::output(&mut ward(dir, args));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `ward.toml -> /proc/self/environ` (here: a file outside the tree full of
/// CI secrets) is refused before it is read: the error names the link, and
/// no byte of the target reaches the output.
#[cfg(unix)]
#[test]
fn a_config_linked_out_of_the_tree_is_refused_unread() {
    let outside = tempfile::TempDir::new().unwrap();
    let environ = outside.path().join("environ");
    std::fs::write(&environ, b"CI_TOKEN=hunter2-do-not-print\0PATH=/bin\0").unwrap();
    let repo = repo(&[("a.txt", b"clean\n")]);
    let _ = std::fs::remove_file(repo.path().join("ward.toml"));
    std::os::unix::fs::symlink(&environ, repo.path().join("ward.toml")).unwrap();
    let (code, stdout, stderr) = run(repo.path(), &["check", "--no-cache"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("leads outside the repository"), "{stderr}");
    assert!(
        !stderr.contains("hunter2") && !stdout.contains("hunter2"),
        "{stderr}"
    );
}

/// A baseline, an extended config or a pack named by the tree's config that
/// is a device or a FIFO is an error at once: never read until memory runs
/// out, never a hang.
#[cfg(unix)]
#[test]
fn devices_and_fifos_named_by_the_config_are_errors_not_hangs() {
    let repo = repo(&[("a.txt", b"clean\n")]);
    let fifo = repo.path().join("base.toml");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo gets a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    for config in [
        "baseline = \"/dev/zero\"\n",
        "extends = [\"base.toml\"]\n",
        "packs = [\"base.toml\"]\n",
        "baseline = \"base.toml\"\n",
    ] {
        write(repo.path(), "ward.toml", config.as_bytes());
        let started = std::time::Instant::now();
        let (code, _, stderr) = run(repo.path(), &["check", "--no-cache"]);
        assert_eq!(code, 2, "{config}: {stderr}");
        assert!(started.elapsed().as_secs() < 60, "{config}");
    }
}

/// A pull request that commits `ward.sarif -> ~/.bashrc`: the CI step
/// `--output ward.sarif` replaces the link with the report and leaves the
/// file it pointed at alone; so do `--metrics` and `ward baseline`; the
/// audit log is never appended through a link.
#[cfg(unix)]
#[test]
fn outputs_never_write_through_a_planted_link() {
    let home = tempfile::TempDir::new().unwrap();
    let bashrc = home.path().join(".bashrc");
    std::fs::write(&bashrc, b"export PATH=/usr/bin\n").unwrap();
    let repo = repo(&[("a.txt", b"x  \n")]);
    for name in [
        "ward.sarif",
        "metrics.prom",
        "ward-baseline.json",
        "audit.log",
    ] {
        std::os::unix::fs::symlink(&bashrc, repo.path().join(name)).unwrap();
    }
    let (code, _, stderr) = run(
        repo.path(),
        &[
            "check",
            "--no-cache",
            "--format",
            "sarif",
            "--output",
            "ward.sarif",
            "--metrics",
            "metrics.prom",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let (_, _, stderr) = run(repo.path(), &["baseline", "--no-cache"]);
    assert_eq!(
        std::fs::read(&bashrc).unwrap(),
        b"export PATH=/usr/bin\n",
        "{stderr}"
    );
    for name in ["ward.sarif", "metrics.prom", "ward-baseline.json"] {
        let meta = std::fs::symlink_metadata(repo.path().join(name)).unwrap();
        assert!(meta.file_type().is_file(), "{name} is still a link");
    }
    let (code, _, stderr) = run(
        repo.path(),
        &["check", "--no-cache", "--audit-log", "audit.log"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(std::fs::read(&bashrc).unwrap(), b"export PATH=/usr/bin\n");
}

/// A report that could not be written is exit 2, never the exit code of a
/// run whose report someone read.
#[cfg(target_os = "linux")]
#[test]
fn a_report_that_cannot_be_written_is_exit_2() {
    let repo = repo(&[("a.txt", b"clean\n")]);
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = ward(repo.path(), &["check", "--no-cache"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write to standard output"));
}

/// `-j 20000` used to run out of threads and panic: the pool is capped.
#[test]
fn a_huge_thread_count_is_capped() {
    let repo = repo(&[("a.txt", b"x  \n"), ("b.txt", b"ok\n"), ("c.txt", b"ok\n")]);
    let (code, _, stderr) = run(repo.path(), &["check", "--no-cache", "-j", "20000"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `--fix --dry-run` shows a diff of the file's own lines: a secret on a
/// fixed line is masked as in every report, and an escape sequence is
/// shown as a picture, never sent to the terminal.
#[test]
fn a_dry_run_diff_masks_secrets_and_escapes() {
    let token = ["ghp_", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB"].concat();
    let text = format!("TOKEN = '{token}'  \nTITLE = '\u{1b}]0;pwned\u{7}'  \n");
    let repo = repo(&[("a.py", text.as_bytes())]);
    let (_, stdout, stderr) = run(repo.path(), &["check", "--no-cache", "--fix", "--dry-run"]);
    assert!(stdout.contains("+TOKEN = 'ghp_"), "{stdout}{stderr}");
    assert!(!stdout.contains(&token), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(stdout.contains('\u{241b}'), "{stdout:?}");
    assert_eq!(
        std::fs::read(repo.path().join("a.py")).unwrap(),
        text.as_bytes()
    );
}

/// A commit hook's batch spans directories with their own `ward.toml`: a
/// config planted deeper (`"secrets/*" = "off"`) applies to its own
/// subtree only, never to the batch's other files, whichever file comes
/// first.
#[test]
fn a_config_planted_deeper_switches_checks_off_only_below_it() {
    let token = ["ghp_", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB"].concat();
    let app = format!("TOKEN = '{token}'\n");
    let repo = repo(&[
        ("app.py", app.as_bytes()),
        ("a/fixture/d.txt", app.as_bytes()),
        ("a/fixture/ward.toml", b"[rules]\n\"secrets/*\" = \"off\"\n"),
    ]);
    for batch in [["a/fixture/d.txt", "app.py"], ["app.py", "a/fixture/d.txt"]] {
        let mut args = vec!["check", "--no-cache", "--format", "json"];
        args.extend(batch);
        let (code, stdout, stderr) = run(repo.path(), &args);
        assert_eq!(code, 1, "{batch:?}: {stdout}{stderr}");
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let secrets = crate::support::findings_of(&report, "secrets/github-pat");
        assert_eq!(secrets.len(), 1, "{batch:?}");
        assert_eq!(secrets[0].0, "app.py", "{batch:?}");
    }
}

/// Escape sequences from a config (in a warning, in an error's quoted
/// line) or from a file name (in GitHub annotations) never reach a
/// terminal or a CI log raw.
#[test]
fn escape_sequences_from_the_tree_never_reach_the_output_raw() {
    let repo = repo(&[("a\u{1b}[2Jb.txt", b"x  \n")]);
    // TOML's own escapes: the key holds ESC and BEL once parsed.
    write(
        repo.path(),
        "ward.toml",
        b"[rules]\n\"evil/\\u001b]0;pwned\\u0007\" = \"off\"\n",
    );
    let (code, stdout, stderr) = run(repo.path(), &["check", "--no-cache", "--format", "github"]);
    assert_eq!(code, 1, "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
    }
    assert!(stdout.contains("file=a\u{241b}[2Jb.txt"), "{stdout}");
    assert!(stderr.contains("matches no rule"), "{stderr}");
    // A raw escape in the file: an error that quotes the line.
    write(
        repo.path(),
        "ward.toml",
        "[rules]\n\"text/bom\" = \"off\" \u{1b}[31m\n".as_bytes(),
    );
    let (code, _, stderr) = run(repo.path(), &["check", "--no-cache"]);
    assert_eq!(code, 2);
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

/// A secret reaches no output whole, whatever carries it: the message of a
/// repository-wide finding (a broken link to a file named by the secret),
/// a file name, a baseline.
#[test]
fn secrets_are_masked_in_every_finding_and_file_name() {
    let key = ["sk_live_", "4eC39HqLyjWDarjtT1zdp7dc"].concat();
    let readme = format!("# Keys\n\nSee [the key](docs/{key}.md).\n");
    let named = format!("notes/{key}.txt");
    let repo = repo(&[
        ("README.md", readme.as_bytes()),
        (named.as_str(), b"no final newline"),
    ]);
    for format in ["json", "text", "sarif", "github", "junit"] {
        let (code, stdout, stderr) = run(repo.path(), &["check", "--no-cache", "--format", format]);
        assert_eq!(code, 1, "{format}: {stderr}");
        assert!(!stdout.contains(&key), "{format}: {stdout}");
        assert!(!stderr.contains(&key), "{format}: {stderr}");
    }
    let (_, stdout, _) = run(repo.path(), &["check", "--no-cache", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rules: Vec<String> = places(&report).into_iter().map(|p| p.0).collect();
    assert!(
        rules.iter().any(|r| r == "markdown/broken-link"),
        "{rules:?}"
    );
    assert!(rules.iter().any(|r| r == "text/final-newline"), "{rules:?}");
    run(repo.path(), &["baseline", "--no-cache"]);
    let baseline = std::fs::read_to_string(repo.path().join("ward-baseline.json")).unwrap();
    assert!(!baseline.contains(&key), "{baseline}");
    // The real paths still work for --fix, which needs them.
    run(repo.path(), &["check", "--no-cache", "--fix"]);
    assert_eq!(
        std::fs::read(repo.path().join(&named)).unwrap(),
        b"no final newline\n"
    );
}

/// Two names that differ only in bytes that are not UTF-8 used to become
/// one path, and one file was never checked: each is reported under its
/// own escaped name.
#[cfg(target_os = "linux")]
#[test]
fn names_that_are_not_utf8_stay_distinct() {
    use std::os::unix::ffi::OsStrExt;
    let token = ["ghp_", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB"].concat();
    let repo = repo(&[("ok.txt", b"fine\n")]);
    for byte in [0xffu8, 0xfe] {
        let bytes = [b'a', byte, b'.', b't', b'x', b't'];
        let name = std::ffi::OsStr::from_bytes(&bytes);
        std::fs::write(repo.path().join(name), format!("T = '{token}'\n")).unwrap();
    }
    let (code, stdout, stderr) = run(repo.path(), &["check", "--no-cache", "--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let mut paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secrets/github-pat")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    paths.sort_unstable();
    assert_eq!(paths, ["a\\xfe.txt", "a\\xff.txt"]);
}

/// `--fix linkdir/f` through a symlinked directory that leads out of the
/// repository rewrites nothing there.
#[cfg(unix)]
#[test]
fn fix_never_writes_through_a_directory_link_out_of_the_tree() {
    let outside = tempfile::TempDir::new().unwrap();
    std::fs::write(outside.path().join("f.txt"), b"keep  \n").unwrap();
    let repo = repo(&[("a.txt", b"ok\n")]);
    std::os::unix::fs::symlink(outside.path(), repo.path().join("linkdir")).unwrap();
    run(
        repo.path(),
        &["check", "--no-cache", "--fix", "linkdir/f.txt"],
    );
    assert_eq!(
        std::fs::read(outside.path().join("f.txt")).unwrap(),
        b"keep  \n"
    );
}

/// An error that quotes a line of the tree's config masks a secret on it.
#[test]
fn a_config_error_never_prints_a_secret_it_quotes() {
    let token = ["ghp_", "Zq8Kx3Lm9Vb2Rt7Np4Wc6Yd1Fg5Hj0Ks2AaB"].concat();
    let repo = repo(&[("a.txt", b"ok\n")]);
    for config in [
        format!("github-token = \"{token}\"\n"),
        format!("[rules]\n\"text/bom\" = \"{token}\"\n"),
    ] {
        write(repo.path(), "ward.toml", config.as_bytes());
        let (code, stdout, stderr) = run(repo.path(), &["check", "--no-cache"]);
        assert_eq!(code, 2, "{stderr}");
        assert!(
            !stderr.contains(&token) && !stdout.contains(&token),
            "{stderr}"
        );
        assert!(stderr.contains("ghp_*"), "{stderr}");
    }
}

/// An 8 MB file with a finding on each of its 2.8 million lines used to
/// hold every finding before the per-file cap dropped them (1.9 GB peak):
/// under 1 GiB of address space the run now completes (51 MB peak in a
/// release build), keeping the first 10,000 and saying so.
#[cfg(target_os = "linux")]
#[test]
fn a_finding_on_every_line_stays_within_memory() {
    let repo = repo(&[("a.txt", b"ok\n")]);
    let body = "x \n".repeat(2_800_000);
    write(repo.path(), "many.txt", body.as_bytes());
    let mut command = ward(
        repo.path(),
        &["check", "--no-cache", "--format", "json", "-j", "2"],
    );
    crate::support::limit_address_space(&mut command, 1 << 30);
    let out = crate::support::output(&mut command);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let kept = findings
        .iter()
        .filter(|f| f["rule"] == "text/trailing-whitespace")
        .count();
    assert_eq!(kept, 10_000);
    assert!(findings.iter().any(|f| f["rule"] == "ward/plugin-error"
        && f["message"]
            .as_str()
            .unwrap()
            .contains("kept the first 10000")));
}

/// `.editorconfig` and `.gitattributes` that are FIFOs (a read would block
/// forever) are not read: the run ends, with the other checks done.
#[cfg(unix)]
#[test]
fn fifos_named_like_editorconfig_or_gitattributes_do_not_hang() {
    let repo = crate::hooks::git_repo();
    let dir = repo.path();
    write(dir, "ward.toml", b"");
    write(dir, "a.txt", b"x  \n");
    write(dir, "sub/b.txt", b"y  \n");
    for fifo in [".editorconfig", "sub/.gitattributes"] {
        let name = std::ffi::CString::new(dir.join(fifo).to_str().unwrap()).unwrap();
        // SAFETY: mkfifo gets a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    }
    let (code, stdout, stderr) = run(dir, &["check", "--no-cache", "--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rules: Vec<String> = places(&report).into_iter().map(|p| p.0).collect();
    assert!(
        rules.iter().any(|r| r == "text/trailing-whitespace"),
        "{rules:?}"
    );
    assert!(stderr.contains("is not a regular file"), "{stderr}");
}

/// A config with 8,000 `[rules]` globs held a copy of itself per entry and
/// a regex per glob (1.9 GB, two minutes, on a 300,000-line file): under
/// 1 GiB of address space the run now completes (44 MB, half a second, in
/// a release build).
#[cfg(target_os = "linux")]
#[test]
fn thousands_of_rule_entries_stay_within_memory() {
    let repo = repo(&[("a.txt", b"ok\n")]);
    let mut config = String::from("[rules]\n");
    for i in 0..8_000 {
        config.push_str(&format!("\"text/r{i}-*\" = \"warning\"\n"));
    }
    write(repo.path(), "ward.toml", config.as_bytes());
    write(repo.path(), "big.txt", "x \n".repeat(300_000).as_bytes());
    let mut command = ward(repo.path(), &["check", "--no-cache", "--format", "json"]);
    crate::support::limit_address_space(&mut command, 1 << 30);
    let out = crate::support::output(&mut command);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or_default()
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["findings"].as_array().unwrap().len() >= 10_000);
}
