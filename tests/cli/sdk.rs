//! The SDK as a third party gets it: `cargo package`d and unpacked outside
//! the workspace, `ward plugin new` on it, the example team plugin built
//! against it, and plugins and hosts of different SDK versions together.
//!
//! Every build is `--offline` into this build's target directory, so the
//! registry crates the workspace already compiled are reused.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::{
    abi1_plugin_library, at, copy_tree, dylib_file, error_line, json, output, places,
    plugin_library, profile_dir, repo, ward, workspace,
};

/// This build's target directory and whether it is a release build.
fn target() -> (PathBuf, bool) {
    let profile = profile_dir();
    (
        profile.parent().unwrap().to_path_buf(),
        profile.file_name().and_then(|n| n.to_str()) == Some("release"),
    )
}

/// `cargo ARGS --offline` in `dir`, into this build's target directory;
/// the test fails with cargo's output if it fails.
fn cargo(dir: &Path, args: &[&str]) {
    let (target, release) = target();
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(dir)
        .args(args)
        .arg("--quiet")
        .env("CARGO_TARGET_DIR", &target);
    if args[0] != "fmt" {
        command.arg("--offline");
    }
    if release && matches!(args[0], "build" | "test") && !args.contains(&"--release") {
        command.arg("--release");
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "cargo {args:?} in {} failed:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The library cargo built for crate `name` in this build's profile.
fn built(name: &str) -> PathBuf {
    let path = profile_dir().join(dylib_file(name));
    assert!(path.is_file(), "{} was not built", path.display());
    path
}

/// `cargo package -p ward-plugin-sdk` once per test process: the `.crate`
/// file, as crates.io would get it.
fn packaged() -> &'static Path {
    static CRATE: OnceLock<PathBuf> = OnceLock::new();
    CRATE.get_or_init(|| {
        cargo(
            &workspace(),
            &[
                "package",
                "-p",
                "ward-plugin-sdk",
                "--no-verify",
                "--allow-dirty",
            ],
        );
        target().0.join(format!(
            "package/ward-plugin-sdk-{}.crate",
            ward_plugin_sdk::SDK_VERSION
        ))
    })
}

/// The packaged SDK unpacked into `dir` (outside the workspace); its path.
fn unpack_sdk(dir: &Path) -> PathBuf {
    let status = Command::new("tar")
        .arg("xzf")
        .arg(packaged())
        .arg("-C")
        .arg(dir)
        .status()
        .unwrap();
    assert!(status.success());
    dir.join(format!("ward-plugin-sdk-{}", ward_plugin_sdk::SDK_VERSION))
}

/// Lines of code: neither blank nor only a comment.
fn code_lines(dir: &Path) -> usize {
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            count += code_lines(&path);
        } else {
            count += std::fs::read_to_string(&path)
                .unwrap()
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
                .count();
        }
    }
    count
}

#[test]
fn ward_plugin_new_builds_against_the_packaged_sdk_and_loads() {
    let outside = tempfile::TempDir::new().unwrap();
    let sdk = unpack_sdk(outside.path());
    // The package stands alone: no workspace inheritance left in it.
    let manifest = std::fs::read_to_string(sdk.join("Cargo.toml")).unwrap();
    assert!(!manifest.contains(".workspace = true"), "{manifest}");
    let out = output(&mut ward(
        outside.path(),
        &["plugin", "new", "acme", "--sdk-path", sdk.to_str().unwrap()],
    ));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let acme = outside.path().join("acme");
    let cargo_toml = std::fs::read_to_string(acme.join("Cargo.toml")).unwrap();
    assert!(
        cargo_toml.contains(&format!(
            "ward-plugin-sdk = {{ path = \"{}\" }}",
            sdk.display()
        )),
        "{cargo_toml}"
    );
    assert!(code_lines(&acme.join("src")) < 50);
    cargo(&acme, &["fmt", "--check"]);
    cargo(&acme, &["test"]);
    // As its README says: a release build, which ward loads.
    cargo(&acme, &["build", "--release"]);
    let library = target().0.join("release").join(dylib_file("acme"));
    assert!(library.is_file(), "{} was not built", library.display());

    let checked = repo(&[("src/a.rs", b"fn a() {}\n// DO NOT MERGE: debug\n")]);
    let (code, report) = json(checked.path(), &["--plugin", library.to_str().unwrap()]);
    assert_eq!(
        places(&report)
            .into_iter()
            .filter(|p| p.0.starts_with("acme/"))
            .collect::<Vec<_>>(),
        [
            at("acme/codeowners", "", 0, 0),
            at("acme/do-not-merge", "src/a.rs", 2, 4),
        ]
    );
    assert_eq!(code, 1);

    // Without --sdk-path the crate asks crates.io for SDK 1.x.
    let out = output(&mut ward(outside.path(), &["plugin", "new", "team-rules"]));
    assert_eq!(out.status.code(), Some(0));
    let cargo_toml = std::fs::read_to_string(outside.path().join("team-rules/Cargo.toml")).unwrap();
    assert!(
        cargo_toml.contains("ward-plugin-sdk = \"1\"\n"),
        "{cargo_toml}"
    );
    // A second run never writes over the first.
    let again = output(&mut ward(outside.path(), &["plugin", "new", "acme"]));
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        error_line(&String::from_utf8(again.stderr).unwrap()),
        "acme exists and is not an empty directory: nothing was written"
    );
}

#[test]
fn ward_plugin_new_refuses_a_built_in_or_invalid_name() {
    let dir = tempfile::TempDir::new().unwrap();
    for (name, line) in [
        (
            "text",
            "`text` is taken (a built-in plugin or a reserved crate name): choose another name",
        ),
        (
            "Acme",
            "`Acme` cannot name a plugin: start with a lowercase letter, then lowercase letters, digits, `-` or `_`",
        ),
    ] {
        let out = output(&mut ward(dir.path(), &["plugin", "new", name]));
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(error_line(&String::from_utf8(out.stderr).unwrap()), line);
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// The example team plugin, built and tested against the packaged SDK, then
/// loaded: its findings, its setting and its fix.
#[test]
fn the_example_team_plugin_builds_against_the_packaged_sdk_and_fixes() {
    let outside = tempfile::TempDir::new().unwrap();
    let sdk = unpack_sdk(outside.path());
    let example = outside.path().join("team-plugin");
    copy_tree(
        &workspace().join("plugin-sdk/examples/team-plugin"),
        &example,
    );
    let cargo_toml = std::fs::read_to_string(example.join("Cargo.toml")).unwrap();
    let patched = cargo_toml.replace("path = \"../..\"", &format!("path = \"{}\"", sdk.display()));
    assert_ne!(patched, cargo_toml);
    std::fs::write(example.join("Cargo.toml"), patched).unwrap();
    cargo(&example, &["fmt", "--check"]);
    cargo(&example, &["test"]);
    cargo(&example, &["build"]);
    let library = built("team_plugin");

    let checked = repo(&[("a.py", b"def f():\n\treturn 1\n")]);
    std::fs::write(
        checked.path().join("ward.toml"),
        format!(
            "[[plugin]]\npath = \"{}\"\n\n[plugins.team]\ntab-width = 2\n",
            library.display()
        ),
    )
    .unwrap();
    let args = ["--allow-repo-plugins", "--no-default-plugins"];
    let (code, report) = json(checked.path(), &args);
    assert_eq!(
        places(&report),
        [
            at("team/changelog", "", 0, 0),
            at("team/tab-indent", "a.py", 2, 1),
        ]
    );
    assert_eq!(code, 1);
    let fixed = output(&mut ward(
        checked.path(),
        &[
            "check",
            "--fix",
            "--allow-repo-plugins",
            "--no-default-plugins",
        ],
    ));
    assert_eq!(fixed.status.code(), Some(1), "{fixed:?}");
    assert_eq!(
        std::fs::read(checked.path().join("a.py")).unwrap(),
        b"def f():\n  return 1\n"
    );
}

/// A copy of the packaged SDK at `version`, speaking plugin ABI `abi`, in
/// `dir`: what a later or an incompatible SDK release would be.
fn sdk_at(dir: &Path, version: &str, abi: u32) -> PathBuf {
    let sdk = unpack_sdk(dir);
    let cargo_toml = sdk.join("Cargo.toml");
    let text = std::fs::read_to_string(&cargo_toml).unwrap();
    let bumped = text.replacen(
        &format!("version = \"{}\"", ward_plugin_sdk::SDK_VERSION),
        &format!("version = \"{version}\""),
        1,
    );
    assert_ne!(bumped, text);
    std::fs::write(&cargo_toml, bumped).unwrap();
    let lib = sdk.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    let moved = text
        .replace(
            "pub const ABI_VERSION: u32 = 1;",
            &format!("pub const ABI_VERSION: u32 = {abi};"),
        )
        .replace(
            "pub const SDK_RANGE: &str = \">=1.0.0, <2.0.0\";",
            &format!(
                "pub const SDK_RANGE: &str = \">={abi}.0.0, <{}.0.0\";",
                abi + 1
            ),
        );
    std::fs::write(&lib, moved).unwrap();
    sdk
}

/// A host built with a later 1.x SDK loads today's plugins and the
/// frozen 1.0.0 one: the engine side of the promise, without rebuilding
/// all of ward (the engine loads plugins through exactly this SDK code).
#[test]
fn a_host_with_a_later_1x_sdk_loads_todays_and_the_frozen_plugins() {
    let outside = tempfile::TempDir::new().unwrap();
    let minor: u32 = ward_plugin_sdk::SDK_VERSION
        .split('.')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let later = format!("1.{}.0", minor + 7);
    let sdk = sdk_at(outside.path(), &later, 1);
    let host = outside.path().join("host");
    std::fs::create_dir_all(host.join("src")).unwrap();
    std::fs::write(
        host.join("Cargo.toml"),
        format!(
            "[package]\nname = \"ward-sdk-later-host\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [workspace]\n\n[dependencies]\nward-plugin-sdk = {{ path = \"{}\" }}\n",
            sdk.display()
        ),
    )
    .unwrap();
    std::fs::write(host.join("src/main.rs"), HOST).unwrap();
    cargo(&host, &["build"]);
    let (target, release) = target();
    let exe = target
        .join(if release { "release" } else { "debug" })
        .join("ward-sdk-later-host");

    let run = |library: &Path, config: &str, text: &str| {
        let out = Command::new(&exe)
            .args([library.to_str().unwrap(), config, "a.txt", text])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        run(
            &plugin_library("ward_plugin_example"),
            "{\"settings\": null}",
            "x\n DO NOT COMMIT\n"
        ),
        format!(
            "example/do-not-commit 2:2 `DO NOT COMMIT` left in the file\n\
             plugin built with {} loaded by a host built with {later}\n",
            ward_plugin_sdk::SDK_VERSION
        )
    );
    assert_eq!(
        run(
            &abi1_plugin_library(),
            "{\"settings\": {\"word\": \"old\"}}",
            "some old code\n"
        ),
        format!(
            "abi1/word 1:6 `old` found\n\
             plugin built with 1.0.0 loaded by a host built with {later}\n"
        )
    );
}

/// The host above: loads a plugin library, checks one file, prints the
/// findings and both SDK versions.
const HOST: &str = r#"
use ward_plugin_sdk::host::{HostFile, Plugin};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let plugin = Plugin::load(std::path::Path::new(&args[1])).expect("the plugin loads");
    let instance = plugin.create(&args[2]).expect("the plugin starts");
    let file = HostFile { path: &args[3], bytes: args[4].as_bytes(), is_binary: false, mode: 0o644 };
    for f in instance.check_files(&[file]) {
        println!("{} {}:{} {}", f.rule, f.line, f.column, f.message);
    }
    println!(
        "plugin built with {} loaded by a host built with {}",
        plugin.sdk_version(),
        ward_plugin_sdk::SDK_VERSION
    );
}
"#;

/// Plugins built against SDK 2.0 are refused by this ward with one line,
/// whether they say ABI 2 (as a 2.0 SDK will) or only the SDK's version
/// moved.
#[test]
fn a_plugin_of_sdk_2_is_refused_with_one_line() {
    let checked = repo(&[]);
    for (name, abi) in [("acme-abi-two", 2), ("acme-sdk-two", 1)] {
        let outside = tempfile::TempDir::new().unwrap();
        let sdk = sdk_at(outside.path(), "2.0.0", abi);
        let out = output(&mut ward(
            outside.path(),
            &["plugin", "new", name, "--sdk-path", sdk.to_str().unwrap()],
        ));
        assert_eq!(out.status.code(), Some(0));
        cargo(&outside.path().join(name), &["build"]);
        let library = built(name);
        let out = output(&mut ward(
            checked.path(),
            &["check", "--plugin", library.to_str().unwrap()],
        ));
        assert_eq!(out.status.code(), Some(2));
        let expected = if abi == 2 {
            format!(
                "plugin {} was built for ward plugin ABI 2 (ward-plugin-sdk 2.x); this ward loads ABI 1: \
                 rebuild it against ward-plugin-sdk >=1.0.0, <2.0.0",
                library.display()
            )
        } else {
            format!(
                "plugin {} was built against ward-plugin-sdk 2.0.0; this ward loads plugins built \
                 against ward-plugin-sdk >=1.0.0, <2.0.0: rebuild it",
                library.display()
            )
        };
        assert_eq!(
            error_line(&String::from_utf8(out.stderr).unwrap()),
            expected
        );
    }
}
