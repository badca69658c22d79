//! How ward is packaged: the wheel's pyproject, the pre-commit mirror, the
//! release workflow and cargo binstall's metadata agree with each other and
//! with this version (tests/precommit/wheel.sh installs and runs them;
//! tests/release/build.sh rehearses a release).

use yaml_rust2::{Yaml, YamlLoader};

use crate::support::workspace;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn yaml(path: &str) -> Yaml {
    let text = std::fs::read_to_string(workspace().join(path)).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn toml(path: &str) -> toml::Table {
    std::fs::read_to_string(workspace().join(path))
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn the_wheel_is_the_ward_binary_under_a_free_name() {
    let pyproject = toml("pyproject.toml");
    assert_eq!(pyproject["project"]["name"].as_str(), Some("ward-check"));
    assert_eq!(
        pyproject["project"]["dynamic"].as_array().unwrap()[0].as_str(),
        Some("version")
    );
    assert_eq!(
        pyproject["tool"]["maturin"]["bindings"].as_str(),
        Some("bin")
    );
    assert_eq!(
        pyproject["build-system"]["build-backend"].as_str(),
        Some("maturin")
    );
    let cargo = toml("Cargo.toml");
    assert_eq!(cargo["package"]["name"].as_str(), Some("ward-check"));
    let bins = cargo["bin"].as_array().unwrap();
    assert_eq!(bins[0]["name"].as_str(), Some("ward"));
}

/// The mirror's hooks are the repository's hooks, installed from this
/// version's wheel instead of built.
#[test]
fn the_pre_commit_mirror_pins_this_versions_wheel() {
    let mirror = yaml("tests/precommit/mirror/.pre-commit-hooks.yaml");
    let source = yaml(".pre-commit-hooks.yaml");
    let mirror = mirror.as_vec().unwrap();
    let source = source.as_vec().unwrap();
    assert_eq!(mirror.len(), source.len());
    for (hook, built) in mirror.iter().zip(source) {
        for key in [
            "id",
            "name",
            "entry",
            "pass_filenames",
            "always_run",
            "types",
        ] {
            assert_eq!(hook[key], built[key], "{key} of {:?}", hook["id"]);
        }
        assert_eq!(built["language"].as_str(), Some("rust"));
        assert_eq!(hook["language"].as_str(), Some("python"));
        let pinned = format!("ward-check=={VERSION}");
        assert_eq!(
            hook["additional_dependencies"],
            Yaml::Array(vec![Yaml::String(pinned)])
        );
    }
    let pyproject = toml("tests/precommit/mirror/pyproject.toml");
    assert_eq!(pyproject["project"]["version"].as_str(), Some(VERSION));
}

/// Every platform gets a wheel and a binary; the archives are named as
/// binstall's metadata expects; the release carries checksums.
#[test]
fn the_release_workflow_builds_every_platform_and_checksums() {
    let workflow = yaml(".github/workflows/release.yml");
    let targets = |job: &str| -> Vec<String> {
        workflow["jobs"][job]["strategy"]["matrix"]["include"]
            .as_vec()
            .unwrap()
            .iter()
            .map(|row| row["target"].as_str().unwrap().to_string())
            .collect()
    };
    let every = [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ];
    assert_eq!(targets("wheels"), every);
    assert_eq!(targets("binaries"), every);
    assert_eq!(
        workflow["on"]["push"]["tags"],
        Yaml::Array(vec![Yaml::String("v*".into())])
    );
    let publish = workflow["jobs"]["publish"]["steps"].as_vec().unwrap();
    assert!(publish.iter().any(|s| s["run"]
        .as_str()
        .is_some_and(|r| r.contains("sha256sum") && r.contains("SHA256SUMS"))));
    let package = workflow["jobs"]["binaries"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("package"))
        .unwrap()["run"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        package.contains("name=ward-${{ matrix.target }}"),
        "{package}"
    );
    assert!(
        package.contains("tar czf \"$name.tar.gz\" \"$name\""),
        "{package}"
    );

    let cargo = toml("Cargo.toml");
    let binstall = &cargo["package"]["metadata"]["binstall"];
    assert_eq!(
        binstall["pkg-url"].as_str(),
        Some("{ repo }/releases/download/v{ version }/ward-{ target }{ archive-suffix }")
    );
    assert_eq!(
        binstall["bin-dir"].as_str(),
        Some("ward-{ target }/{ bin }{ binary-ext }")
    );
}
