//! Helpers for black-box tests: fixture repositories, the ward binary, plugin libraries.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use tempfile::TempDir;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh copy of `tests/fixtures/<name>` in a temporary directory.
pub fn fixture(name: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    copy_tree(&workspace().join("tests/fixtures").join(name), dir.path());
    dir
}

/// Copies the directory `from` to `to`, files and subdirectories.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The MIT license text, for repositories that `license/unrecognized` accepts.
pub const MIT_LICENSE: &str = include_str!("../fixtures/text/LICENSE");

/// A repository (marked by a `ward.toml`, with the README and LICENSE that
/// `structure/required-file` wants) holding the given files.
pub fn repo(files: &[(&str, &[u8])]) -> TempDir {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "ward.toml", b"");
    write(dir.path(), "README.md", b"# Test repository\n");
    write(dir.path(), "LICENSE", MIT_LICENSE.as_bytes());
    for (path, bytes) in files {
        write(dir.path(), path, bytes);
    }
    dir
}

/// Writes `bytes` to `root/path`, creating directories.
pub fn write(root: &Path, path: &str, bytes: &[u8]) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, bytes).unwrap();
}

/// `ward` with `args`, run in `dir`.
pub fn ward(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("ward").unwrap();
    cmd.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        // Tests never touch the user's cache.
        .env("XDG_CACHE_HOME", workspace().join("target/test-cache"));
    cmd
}

/// How long one ward run may take in a test: the slowest real one takes
/// seconds, so a run past this hangs (a FIFO opened, a pipe never closed).
const RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Runs `cmd` to the end like `Command::output`, but kills it and fails
/// the test if it runs past [`RUN_LIMIT`].
pub fn output(cmd: &mut Command) -> std::process::Output {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drained on threads: a full pipe would stall the child.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ward ran for more than {RUN_LIMIT:?}: {cmd:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    std::process::Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// Runs ward with `--format json` and returns (exit code, report).
pub fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = output(&mut ward(dir, &all));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap(), report)
}

/// (rule, path, line, column) of every finding, in report order.
pub fn places(report: &Value) -> Vec<(String, String, u64, u64)> {
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
            )
        })
        .collect()
}

/// The message of every finding, in report order.
pub fn messages(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect()
}

/// The (path, message) of each finding of `rule`.
pub fn findings_of(report: &Value, rule: &str) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Shorthand for an expected place.
pub fn at(rule: &str, path: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.into(), path.into(), line, column)
}

/// The directory cargo puts this build's libraries in (target/debug or target/release).
pub fn profile_dir() -> PathBuf {
    // The test binary lives in <target>/<profile>/deps/.
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

/// Runs `cargo build -p PACKAGE...` in `workspace` into this build's target
/// directory and profile, so the libraries land beside the test binary.
fn cargo_build(workspace: &Path, packages: &[&str]) {
    let dir = profile_dir();
    let mut cargo = Command::new(env!("CARGO"));
    cargo.current_dir(workspace).args(["build", "--quiet"]);
    for package in packages {
        cargo.args(["-p", package]);
    }
    if dir.file_name().and_then(|n| n.to_str()) == Some("release") {
        cargo.arg("--release");
    }
    if let Some(target) = dir.parent() {
        cargo.env("CARGO_TARGET_DIR", target);
    }
    let status = cargo.status().unwrap();
    assert!(status.success(), "building {packages:?} failed");
}

/// The file name cargo gives crate `name`'s `cdylib` on this platform
/// (`lib<name>.so`; a `-` becomes `_`).
pub fn dylib_file(name: &str) -> String {
    format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        name.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    )
}

/// `lib<name>.so` (or the platform's name for it) beside the test binary.
fn library_path(name: &str) -> PathBuf {
    let path = profile_dir().join(dylib_file(name));
    assert!(path.exists(), "{} was not built", path.display());
    path
}

/// Builds the plugin in `tests/sdk-abi1` (its own workspace, against the
/// frozen ABI 1 SDK) and returns its path.
pub fn abi1_plugin_library() -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        cargo_build(
            &workspace().join("tests/sdk-abi1"),
            &["ward-test-plugin-sdk-abi1"],
        );
    });
    library_path("ward_test_plugin_sdk_abi1")
}

/// Builds the plugin libraries the tests load (once per test process) and
/// returns the path of `lib<name>.so`.
pub fn plugin_library(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        cargo_build(
            &workspace(),
            &[
                "ward-plugin-text-cdylib",
                "ward-plugin-example",
                "ward-test-plugin-faulty",
                "ward-test-plugin-future-abi",
                "ward-test-plugin-not-a-plugin",
            ],
        );
    });
    library_path(name)
}

/// The bytes of `path` under `dir`.
pub fn read(dir: &std::path::Path, path: &str) -> Vec<u8> {
    std::fs::read(dir.join(path)).unwrap()
}

/// Runs `command` with at most `bytes` of address space, so that a test can
/// show ward stays within memory (reading a file whole, holding a finding
/// per line) by the run completing.
#[cfg(unix)]
pub fn limit_address_space(command: &mut Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec and only
    // calls setrlimit, which is async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}

/// The one error line of a refusal (miette's `× message`); the test fails
/// if there is none or more than one.
pub fn error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("× "))
        .collect();
    assert_eq!(lines.len(), 1, "not one error line: {stderr}");
    lines[0].to_string()
}
