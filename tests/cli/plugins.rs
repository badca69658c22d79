//! Plugins loaded from libraries: identical findings, clear refusals, panics survived.

use crate::support::{at, error_line, fixture, json, places, plugin_library, repo, ward};

#[test]
fn text_plugin_loaded_dynamically_gives_identical_findings() {
    let repo = fixture("text");
    let lib = plugin_library("ward_plugin_text");
    let (static_code, static_report) = json(repo.path(), &[]);
    let (dyn_code, dyn_report) = json(
        repo.path(),
        &["--no-default-plugins", "--plugin", lib.to_str().unwrap()],
    );
    assert_eq!(static_report["findings"], dyn_report["findings"]);
    assert_eq!(static_code, dyn_code);
    assert_eq!(places(&dyn_report).len(), 9);
}

#[test]
fn plugins_command_lists_the_loaded_library() {
    let repo = repo(&[]);
    let lib = plugin_library("ward_plugin_example");
    let out = ward(repo.path(), &["plugins", "--plugin", lib.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().next(),
        Some(
            format!(
                "ward {} (plugin ABI 1, loads plugins built with ward-plugin-sdk >=1.0.0, <2.0.0; built with 1.1.0)",
                env!("CARGO_PKG_VERSION")
            )
            .as_str()
        )
    );
    let version = ward(repo.path(), &["--version"]).output().unwrap();
    assert_eq!(
        String::from_utf8(version.stdout).unwrap(),
        format!("{}\n", stdout.lines().next().unwrap())
    );
    assert!(
        stdout.contains("text 0.1.0 (built-in, ward-plugin-sdk 1.1.0, 7 rules)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "example 0.1.0 ({}, ward-plugin-sdk 1.1.0, 2 rules)",
            lib.display()
        )),
        "{stdout}"
    );
}

fn refused(lib: &std::path::Path, verbose: bool) -> String {
    let repo = repo(&[("a.txt", b"a\n")]);
    let mut args = vec!["check", "--plugin", lib.to_str().unwrap()];
    if verbose {
        args.push("--verbose");
    }
    let out = ward(repo.path(), &args).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn a_library_that_is_not_a_plugin_is_refused_with_exit_2() {
    let lib = plugin_library("ward_test_plugin_not_a_plugin");
    let stderr = refused(&lib, false);
    assert!(stderr.contains(&lib.display().to_string()), "{stderr}");
    assert!(stderr.contains("is not a ward plugin"), "{stderr}");
    assert!(
        stderr.lines().filter(|l| !l.trim().is_empty()).count() <= 5,
        "{stderr}"
    );
}

#[test]
fn a_plugin_for_another_abi_is_refused_with_one_clear_message() {
    let lib = plugin_library("ward_test_plugin_future_abi");
    let stderr = refused(&lib, false);
    assert_eq!(
        error_line(&stderr),
        format!(
            "plugin {} was built for ward plugin ABI 99 (ward-plugin-sdk 99.x); this ward loads ABI 1: \
             rebuild it against ward-plugin-sdk >=1.0.0, <2.0.0",
            lib.display()
        )
    );
}

#[test]
fn a_file_that_is_no_library_is_refused() {
    let dir = tempfile::TempDir::new().unwrap();
    let fake = dir.path().join("libfake.so");
    std::fs::write(&fake, b"not an ELF file").unwrap();
    let stderr = refused(&fake, false);
    assert!(
        stderr.contains("is not a loadable shared library"),
        "{stderr}"
    );
    assert!(stderr.contains("libfake.so"), "{stderr}");
}

#[test]
fn a_panicking_plugin_yields_an_error_for_that_file_and_the_run_completes() {
    let repo = repo(&[
        ("a.txt", b"FAULTY_MARK\n"),
        ("b.txt", b"FAULTY_PANIC  \n"),
        ("c.txt", b"x  \nFAULTY_MARK\n"),
    ]);
    let lib = plugin_library("ward_test_plugin_faulty");
    let (code, report) = json(repo.path(), &["--plugin", lib.to_str().unwrap()]);
    assert_eq!(
        places(&report),
        [
            at("faulty/marked", "a.txt", 1, 1),
            at("ward/plugin-error", "b.txt", 0, 0),
            // The text plugin's finding on the same file is intact.
            at("text/trailing-whitespace", "b.txt", 1, 13),
            at("faulty/marked", "c.txt", 1, 1),
            at("text/trailing-whitespace", "c.txt", 1, 2),
        ]
    );
    let error = &report["findings"][1];
    assert_eq!(error["plugin"], "faulty");
    // Where it panicked: plugin_loading::a_plugin_panic_names_where_it_happened.
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("plugin `faulty` panicked at tests/plugins/faulty/src/lib.rs:")
            && message.ends_with(": faulty plugin met b.txt"),
        "{message}"
    );
    assert_eq!(code, 1);
}

/// `Finding::with_severity` replaces the rule's default for that finding;
/// the user's `[rules]` still decide.
#[test]
fn a_severity_the_plugin_sets_reaches_the_report_unless_the_config_says_otherwise() {
    let repo = repo(&[("a.txt", b"FAULTY_INFO\n"), ("b.txt", b"FAULTY_MARK\n")]);
    let lib = plugin_library("ward_test_plugin_faulty");
    let args = ["--no-default-plugins", "--plugin", lib.to_str().unwrap()];
    let (code, report) = json(repo.path(), &args);
    assert_eq!(
        places(&report),
        [
            at("faulty/marked", "a.txt", 1, 1),
            at("faulty/marked", "b.txt", 1, 1),
        ]
    );
    assert_eq!(report["findings"][0]["severity"], "info");
    assert_eq!(report["findings"][1]["severity"], "warning");
    assert_eq!(code, 0);

    std::fs::write(
        repo.path().join("ward.toml"),
        "[rules]\n\"faulty/marked\" = \"error\"\n",
    )
    .unwrap();
    let (code, report) = json(repo.path(), &args);
    assert_eq!(report["findings"][0]["severity"], "error");
    assert_eq!(report["findings"][1]["severity"], "error");
    assert_eq!(code, 1);
}

#[test]
fn out_of_range_positions_are_clamped_and_reported() {
    let repo = repo(&[("a.txt", b"FAULTY_OUT_OF_RANGE\n")]);
    let lib = plugin_library("ward_test_plugin_faulty");
    let (_, report) = json(
        repo.path(),
        &["--no-default-plugins", "--plugin", lib.to_str().unwrap()],
    );
    assert_eq!(
        places(&report),
        [
            at("ward/plugin-error", "a.txt", 0, 0),
            at("faulty/marked", "a.txt", 2, 1),
        ]
    );
}

#[test]
fn plugin_from_config_gets_its_settings_and_runs_repo_checks() {
    let lib = plugin_library("ward_plugin_example");
    let config = format!(
        "[[plugin]]\npath = \"{}\"\n\n[plugins.example]\nphrases = [\"nocommit\"]\n",
        lib.display()
    );
    let repo = repo(&[("src/a.rs", b"// DO NOT COMMIT\nlet x = 1; // nocommit\n")]);
    std::fs::write(repo.path().join("ward.toml"), config).unwrap();
    std::fs::remove_file(repo.path().join("README.md")).unwrap();
    let (_, report) = json(repo.path(), &["--allow-repo-plugins"]);
    assert_eq!(
        places(&report),
        [
            at("example/missing-readme", "", 0, 0),
            at("structure/required-file", "", 0, 0),
            at("example/do-not-commit", "src/a.rs", 2, 15),
            // The phrase in the config itself counts too.
            at("example/do-not-commit", "ward.toml", 5, 13),
        ]
    );
}

#[test]
fn repo_checks_do_not_run_for_explicit_files() {
    let lib = plugin_library("ward_plugin_example");
    let repo = repo(&[("a.txt", b"fine\n")]);
    let (_, report) = json(repo.path(), &["--plugin", lib.to_str().unwrap(), "a.txt"]);
    assert_eq!(places(&report), []);
}

#[test]
fn plugin_that_rejects_its_settings_is_a_config_error() {
    let lib = plugin_library("ward_plugin_example");
    let repo = repo(&[]);
    let config = format!(
        "[[plugin]]\npath = \"{}\"\n\n[plugins.example]\nphrases = [\"\"]\n",
        lib.display()
    );
    std::fs::write(repo.path().join("ward.toml"), config).unwrap();
    let out = ward(repo.path(), &["check", "--allow-repo-plugins"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr
            .contains("plugin `example` rejected its settings: phrases must not be empty strings"),
        "{stderr}"
    );
}

#[test]
fn a_plugin_named_by_the_checked_repository_is_refused_unless_allowed() {
    let lib = plugin_library("ward_plugin_example");
    let repo = repo(&[("a.txt", b"DO NOT COMMIT\n")]);
    let config = format!("[[plugin]]\npath = \"{}\"\n", lib.display());
    std::fs::write(repo.path().join("ward.toml"), &config).unwrap();
    let out = ward(repo.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("ward.toml:2: the repository's config names the plugin"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-repo-plugins"), "{stderr}");
    // Allowed explicitly, or named in a config given on the command line.
    let (_, report) = json(repo.path(), &["--allow-repo-plugins"]);
    assert_eq!(
        places(&report),
        [at("example/do-not-commit", "a.txt", 1, 1)]
    );
    let elsewhere = tempfile::TempDir::new().unwrap();
    let chosen = elsewhere.path().join("ci.toml");
    std::fs::write(&chosen, &config).unwrap();
    let (_, report) = json(repo.path(), &["--config", chosen.to_str().unwrap()]);
    assert_eq!(
        places(&report),
        [at("example/do-not-commit", "a.txt", 1, 1)]
    );
}

#[test]
fn a_flood_of_findings_is_capped_per_file_and_the_report_can_be_capped() {
    let repo = repo(&[("a.txt", b"FAULTY_FLOOD\n"), ("b.txt", b"x \n")]);
    let lib = plugin_library("ward_test_plugin_faulty");
    let (code, report) = json(repo.path(), &["--plugin", lib.to_str().unwrap()]);
    let findings = report["findings"].as_array().unwrap();
    // 10,000 kept (identical ones are one finding after sorting), and a note.
    let error = findings
        .iter()
        .find(|f| f["rule"] == "ward/plugin-error")
        .unwrap();
    assert_eq!(error["path"], "a.txt");
    assert_eq!(
        error["message"],
        "plugin `faulty` reported more than 10000 findings for this file (20000 before it stopped); kept the first 10000"
    );
    assert_eq!(code, 1);

    let (code, report) = json(
        repo.path(),
        &["--plugin", lib.to_str().unwrap(), "--max-findings", "1"],
    );
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    assert_eq!(report["summary"]["truncated"], 2);
    assert_eq!(code, 1);
}
