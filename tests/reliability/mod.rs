//! Faults ward survives (see docs/reliability.md).

use crate::support::{at, json, messages, places, repo, ward};

mod hostile;
mod plugins;

#[test]
fn a_2_gb_binary_file_is_not_read_past_its_first_pieces() {
    let repo = repo(&[("small.txt", b"x \n")]);
    // Sparse: 2 GiB long, no disk used; reading it whole would take seconds and 2 GiB.
    let big = std::fs::File::create(repo.path().join("huge.bin")).unwrap();
    big.set_len(2 * 1024 * 1024 * 1024).unwrap();
    // Under 1 GiB of address space, reading the file whole must fail. It
    // did: a file of zeros has no newline, so the first piece of whole
    // lines was all of it.
    let mut command = ward(repo.path(), &["check", "--format", "json"]);
    #[cfg(unix)]
    crate::support::limit_address_space(&mut command, 1 << 30);
    let out = command.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        places(&report),
        [
            at("ward/file-too-large", "huge.bin", 0, 0),
            at("text/trailing-whitespace", "small.txt", 1, 2),
        ]
    );
    assert_eq!(
        report["findings"][0]["message"],
        "2147483648 bytes is over max-file-size (52428800 bytes): a binary file, not checked"
    );
}

#[cfg(unix)]
#[test]
fn sockets_and_device_files_are_never_opened() {
    let repo = repo(&[("a.txt", b"ok\n")]);
    let _listener = std::os::unix::net::UnixListener::bind(repo.path().join("app.sock")).unwrap();
    // A character device, where the sandbox allows making one.
    let _ = std::process::Command::new("mknod")
        .arg(repo.path().join("zero"))
        .args(["c", "1", "5"])
        .status();
    let (code, report) = json(repo.path(), &[]);
    assert_eq!((code, places(&report)), (0, vec![]));
}

#[test]
fn a_10_mb_single_line_is_checked_without_a_snippet_flood() {
    let mut line = vec![b'a'; 10 * 1024 * 1024];
    line.extend_from_slice(b" \n");
    // Not `.js`: a JavaScript file of one long line is minified, so
    // generated, and gets no whitespace findings at all.
    let repo = repo(&[("one-line.txt", &line)]);
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("one-line.txt:1:10485761: 1 trailing whitespace character"),
        "{}",
        &stdout[..stdout.len().min(400)]
    );
    assert!(stdout.len() < 2000, "the 10 MB line was printed");
}

#[cfg(unix)]
#[test]
fn file_names_with_newlines_are_escaped_in_every_format() {
    let repo = repo(&[("evil\nname.txt", b"x \n")]);
    let text = String::from_utf8(ward(repo.path(), &["check"]).output().unwrap().stdout).unwrap();
    assert!(text.contains("evil\\nname.txt"), "{text}");
    assert!(!text.contains("evil\nname"), "{text}");
    let github = String::from_utf8(
        ward(repo.path(), &["check", "--format", "github"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(github.contains("file=evil%0Aname.txt"), "{github}");
    // Two findings (the name is not portable either), two whole command lines.
    assert_eq!(github.lines().count(), 2, "{github}");
    assert!(github.lines().all(|l| l.starts_with("::")), "{github}");
    let (_, report) = json(repo.path(), &[]);
    assert_eq!(report["findings"][0]["path"], "evil\nname.txt");
    let sarif = String::from_utf8(
        ward(repo.path(), &["check", "--format", "sarif"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(sarif.contains("\"uri\": \"evil%0Aname.txt\""), "{sarif}");
    let junit = String::from_utf8(
        ward(repo.path(), &["check", "--format", "junit"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(junit.contains("evil&#10;name.txt"), "{junit}");
}

#[test]
fn a_tree_1000_levels_deep_and_a_directory_of_100000_files() {
    let repo = repo(&[]);
    let mut deep = repo.path().to_path_buf();
    for _ in 0..1000 {
        deep.push("d");
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("leaf.txt"), b"x \n").unwrap();
    let wide = repo.path().join("wide");
    std::fs::create_dir(&wide).unwrap();
    for i in 0..100_000 {
        std::fs::write(wide.join(format!("f{i}.txt")), b"ok\n").unwrap();
    }
    let (_, report) = json(repo.path(), &[]);
    let found = places(&report);
    assert_eq!(found.len(), 2, "{} findings", found.len());
    assert!(found.iter().any(
        |(rule, path, ..)| rule == "text/trailing-whitespace" && path.ends_with("d/d/leaf.txt")
    ));
    // The 2,000-character path of the deep file breaks the portable-length rule too.
    assert!(found
        .iter()
        .any(|(rule, ..)| rule == "structure/path-length"));
    assert_eq!(report["summary"]["files_scanned"], 100_004);
}

#[test]
fn a_found_config_cannot_name_files_outside_the_repository() {
    let outside = tempfile::TempDir::new().unwrap();
    std::fs::write(
        outside.path().join("base.toml"),
        b"[rules]\n\"text/*\" = \"off\"\n",
    )
    .unwrap();
    let repo = repo(&[("a.txt", b"x \n")]);
    let base = outside.path().join("base.toml");
    let config = format!("extends = [\"{}\"]\n", base.display());
    std::fs::write(repo.path().join("ward.toml"), &config).unwrap();
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("is outside the repository"), "{stderr}");
    // The same file named on the command line is the user's choice.
    let chosen = outside.path().join("chosen.toml");
    std::fs::write(&chosen, &config).unwrap();
    let (code, report) = json(repo.path(), &["--config", chosen.to_str().unwrap()]);
    assert_eq!((code, places(&report)), (0, vec![]));

    std::fs::write(
        repo.path().join("ward.toml"),
        b"packs = [\"../../../../../../../../etc/hostname\"]\n",
    )
    .unwrap();
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is outside the repository"));
}

/// Files deleted, truncated, grown and swapped for FIFOs while ward walks and
/// reads them: every outcome is a finding or a skip, never a crash or a hang.
#[cfg(unix)]
#[test]
fn files_deleted_or_changed_while_being_scanned() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let repo = repo(&[]);
    let churn = repo.path().join("churn");
    std::fs::create_dir(&churn).unwrap();
    let names: Vec<_> = (0..1000).map(|i| churn.join(format!("f{i}.txt"))).collect();
    for name in &names {
        std::fs::write(name, b"trailing \n".repeat(50)).unwrap();
    }
    let done = Arc::new(AtomicBool::new(false));
    let changer = {
        let done = Arc::clone(&done);
        let names = names.clone();
        std::thread::spawn(move || {
            let mut round = 0usize;
            while !done.load(Ordering::Relaxed) {
                for (i, name) in names.iter().enumerate() {
                    let _ = match (i + round) % 4 {
                        0 => std::fs::remove_file(name),
                        1 => std::fs::write(name, b""),
                        2 => std::fs::write(name, b"grown  \n".repeat(500)),
                        _ => {
                            let _ = std::fs::remove_file(name);
                            let path = std::ffi::CString::new(name.to_str().unwrap()).unwrap();
                            // SAFETY: a valid NUL-terminated path.
                            unsafe { libc::mkfifo(path.as_ptr(), 0o644) };
                            Ok(())
                        }
                    };
                }
                round += 1;
            }
        })
    };
    for _ in 0..2 {
        // A hang (a FIFO opened for reading blocks) fails the test instead
        // of stalling the suite.
        let out = assert_cmd::Command::from_std(ward(
            repo.path(),
            &["check", "--format", "json", "--no-cache"],
        ))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
        let code = out.status.code().expect("ward was killed: it hung");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(code == 0 || code == 1, "exit {code}: {report:#}");
        for (rule, path, ..) in places(&report) {
            assert!(
                rule.starts_with("text/")
                    || rule.starts_with("ward/")
                    || rule.starts_with("structure/"),
                "{rule} {path}"
            );
        }
    }
    done.store(true, Ordering::Relaxed);
    changer.join().unwrap();
}

#[test]
fn documents_nested_deeper_than_any_stack_are_reported_not_a_crash() {
    // Each of these used to overflow a worker thread's stack, which aborts
    // the process: recursive descent in the XML parser and in the YAML
    // loaders of the manifest and workflows plugins.
    let n = 100_000;
    let xml = "<a>".repeat(n) + &"</a>".repeat(n) + "\n";
    let block_yaml = "- ".repeat(n) + "x\n";
    let workflow = format!("on: push\njobs:\n  x:\n    {}1\n", "- ".repeat(n));
    let flow = "[".repeat(n) + &"]".repeat(n) + "\n";
    let toml = format!("a = {}{}\n", "[".repeat(n), "]".repeat(n));
    let quotes = "> ".repeat(n) + "x\n";
    let repo = repo(&[
        ("deep.xml", xml.as_bytes()),
        ("deep.yaml", block_yaml.as_bytes()),
        (".github/workflows/deep.yml", workflow.as_bytes()),
        ("flow.yaml", flow.as_bytes()),
        ("deep.json", flow.as_bytes()),
        ("deep.toml", toml.as_bytes()),
        ("deep.md", quotes.as_bytes()),
    ]);
    let (code, report) = json(repo.path(), &[]);
    assert_eq!(
        places(&report),
        [
            at("manifest/syntax", "deep.toml", 1, 84),
            at("manifest/syntax", "deep.xml", 1, 769),
            at("manifest/syntax", "flow.yaml", 1, 256),
        ]
    );
    assert_eq!(code, 1);
    let messages = messages(&report);
    assert_eq!(
        messages,
        [
            "invalid TOML: recursion limit exceeded",
            "XML nested more than 256 elements deep: not parsed",
            "invalid YAML: recursion limit exceeded",
        ]
    );
}
