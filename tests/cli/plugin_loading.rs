//! How libraries are found, pinned and refused: name clashes, rule ids
//! outside a plugin's name, bare file names, `{dylib}`, `optional`,
//! `sha256`, and where a plugin panicked.

use std::path::{Path, PathBuf};

use crate::support::{
    at, dylib_file, error_line, json, output, places, plugin_library, repo, ward,
};

/// Runs `ward check` with `args` in `dir`; it must refuse (exit 2, nothing
/// on stdout). Returns the error line.
fn refusal(dir: &Path, args: &[&str]) -> String {
    let out = output(&mut ward(dir, args));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    error_line(&stderr)
}

/// A copy of the library at `from` as `dir/name`.
fn copy_library(from: &Path, dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let to = dir.join(name);
    std::fs::copy(from, &to).unwrap();
    to
}

/// A config outside the checked tree (as `--config` names one), so its
/// `[[plugin]]` entries load without `--allow-repo-plugins`.
fn config(text: &str) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("ward.toml"), text).unwrap();
    dir
}

fn config_arg(dir: &tempfile::TempDir) -> String {
    dir.path().join("ward.toml").to_str().unwrap().to_string()
}

#[test]
fn a_library_named_like_a_built_in_is_refused_unless_its_entry_replaces_it() {
    let repo = repo(&[("a.txt", b"x  \n")]);
    let lib = plugin_library("ward_plugin_text");
    assert_eq!(
        refusal(repo.path(), &["check", "--plugin", lib.to_str().unwrap()]),
        format!(
            "plugin {} is named `text`, like the built-in plugin `text`: to replace the built-in, \
             add `replaces = \"text\"` to its [[plugin]] entry",
            lib.display()
        )
    );
    let replacing = config(&format!(
        "[[plugin]]\npath = \"{}\"\nreplaces = \"text\"\n",
        lib.display()
    ));
    let (code, report) = json(repo.path(), &["--config", &config_arg(&replacing)]);
    assert_eq!(
        places(&report),
        [at("text/trailing-whitespace", "a.txt", 1, 2)]
    );
    assert_eq!(code, 1);
    let listed = output(&mut ward(
        repo.path(),
        &["plugins", "--config", &config_arg(&replacing)],
    ));
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(
        listed.contains(&format!("text 0.1.0 ({}, ward-plugin-sdk", lib.display())),
        "{listed}"
    );
}

#[test]
fn two_libraries_with_one_plugin_name_are_refused() {
    let repo = repo(&[]);
    let lib = plugin_library("ward_plugin_example");
    let elsewhere = tempfile::TempDir::new().unwrap();
    let copy = copy_library(&lib, elsewhere.path(), "libother.so");
    assert_eq!(
        refusal(
            repo.path(),
            &[
                "check",
                "--plugin",
                lib.to_str().unwrap(),
                "--plugin",
                copy.to_str().unwrap()
            ]
        ),
        format!(
            "plugins {} and {} are both named `example`: load only one",
            lib.display(),
            copy.display()
        )
    );
}

#[test]
fn a_rule_id_outside_the_plugins_name_is_refused() {
    let repo = repo(&[]);
    let lib = plugin_library("ward_test_plugin_faulty");
    let out = output(
        ward(repo.path(), &["check", "--plugin", lib.to_str().unwrap()])
            .env("WARD_TEST_FAULTY_FOREIGN_RULE", "1"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        error_line(&String::from_utf8(out.stderr).unwrap()),
        format!(
            "plugin {} is refused: rule `team/x` does not start with `faulty/`, the plugin's name",
            lib.display()
        )
    );
}

#[test]
fn a_bare_file_name_is_a_library_in_the_current_directory() {
    let repo = repo(&[("a.txt", b"x\n")]);
    copy_library(
        &plugin_library("ward_plugin_example"),
        repo.path(),
        "libteam.so",
    );
    let out = output(&mut ward(
        repo.path(),
        &["plugins", "--plugin", "libteam.so", "--format", "json"],
    ));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let example = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "example")
        .expect("the library in the current directory loads");
    assert_eq!(
        example["source"].as_str().map(PathBuf::from),
        Some(repo.path().join("libteam.so"))
    );
}

/// `{dylib}` is the platform's file name of the plugin's library; a
/// `sha256` pins it; a missing optional library is a warning and its
/// rules' suppressions are neither unknown nor unused.
#[test]
fn a_team_plugin_is_found_by_dylib_pinned_by_hash_and_may_be_optional() {
    let repo = repo(&[("a.txt", b"x # ward:ignore team/no-fixme\n")]);
    let lib = plugin_library("ward_plugin_example");
    let shipped = tempfile::TempDir::new().unwrap();
    let dylib = dylib_file("example");
    copy_library(&lib, &shipped.path().join("plugins"), &dylib);
    let bytes = std::fs::read(&lib).unwrap();
    let hash = sha256_hex(&bytes);
    let entry = |hash: &str| {
        format!(
            "[[plugin]]\nname = \"example\"\npath = \"plugins/{{dylib}}\"\nsha256 = \"{hash}\"\n"
        )
    };
    std::fs::write(shipped.path().join("ward.toml"), entry(&hash)).unwrap();
    let shipped_config = shipped.path().join("ward.toml");
    let (code, report) = json(repo.path(), &["--config", shipped_config.to_str().unwrap()]);
    assert_eq!(
        places(&report),
        [at("ward/invalid-suppression", "a.txt", 1, 1)]
    );
    assert_eq!(code, 0);

    let wrong = "0".repeat(64);
    std::fs::write(&shipped_config, entry(&wrong)).unwrap();
    let path = shipped.path().join("plugins").join(&dylib);
    assert_eq!(
        refusal(
            repo.path(),
            &["check", "--config", shipped_config.to_str().unwrap()]
        ),
        format!(
            "plugin {} has SHA-256 {hash}, but its [[plugin]] entry pins {wrong}: \
             it is not the library the config trusts",
            path.display()
        )
    );

    let optional =
        config("[[plugin]]\nname = \"team\"\npath = \"plugins/{dylib}\"\noptional = true\n");
    let out = output(&mut ward(
        repo.path(),
        &[
            "check",
            "--format",
            "json",
            "--config",
            &config_arg(&optional),
        ],
    ));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(places(&report), []);
    assert_eq!(out.status.code(), Some(0));
    let missing = optional.path().join("plugins").join(dylib_file("team"));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "warning: optional plugin `team` is not installed at {}; its rules do not run\n",
            missing.display()
        )
    );
}

#[test]
fn an_entry_whose_library_has_another_name_is_refused() {
    let repo = repo(&[]);
    let lib = plugin_library("ward_plugin_example");
    let wrong = config(&format!(
        "[[plugin]]\nname = \"team\"\npath = \"{}\"\n",
        lib.display()
    ));
    assert_eq!(
        refusal(repo.path(), &["check", "--config", &config_arg(&wrong)]),
        format!(
            "plugin {} is named `example`, not `team` as its [[plugin]] entry says",
            lib.display()
        )
    );
}

/// A plugin's panic names the file and line of the panic; with
/// `--verbose` and `RUST_BACKTRACE`, its backtrace goes to stderr.
#[test]
fn a_plugin_panic_names_where_it_happened() {
    let repo = repo(&[("b.txt", b"FAULTY_PANIC\n")]);
    let lib = plugin_library("ward_test_plugin_faulty");
    let source = crate::support::workspace().join("tests/plugins/faulty/src/lib.rs");
    let line = std::fs::read_to_string(&source)
        .unwrap()
        .lines()
        .position(|l| l.contains("panic!(\"faulty plugin met"))
        .unwrap()
        + 1;
    let args = [
        "check",
        "--format",
        "json",
        "--no-default-plugins",
        "--plugin",
        lib.to_str().unwrap(),
    ];
    let out = output(&mut ward(repo.path(), &args));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["findings"][0]["message"],
        format!(
            "plugin `faulty` panicked at tests/plugins/faulty/src/lib.rs:{line}:13: faulty plugin met b.txt"
        )
    );
    assert!(out.stderr.is_empty(), "{:?}", out.stderr);

    let mut verbose = args.to_vec();
    verbose.push("--verbose");
    let out = output(ward(repo.path(), &verbose).env("RUST_BACKTRACE", "1"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("stack backtrace") || stderr.contains(" at "),
        "{stderr}"
    );
    assert!(stderr.contains("faulty plugin met b.txt"), "{stderr}");
}

/// SHA-256 by the `sha256sum` tool, so the test does not trust the code
/// it checks.
fn sha256_hex(bytes: &[u8]) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}
