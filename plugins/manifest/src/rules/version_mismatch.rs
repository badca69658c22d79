//! `manifest/version-mismatch`

use serde::Deserialize;
use toml::Spanned;
use ward_plugin_sdk::{
    category, class, EntryKind, Finding, LineIndex, Repo, RuleInfo, Severity, Span,
};

/// The rule's id.
pub const ID: &str = "manifest/version-mismatch";

const DOCS: &str = r"## What it does
Compares the version in `Cargo.toml`, `package.json`, `pyproject.toml`, `composer.json`, a `VERSION` file and the newest release heading of `CHANGELOG.md` (those at the repository top that declare one; `version-sources` chooses). Each file that disagrees with the majority is reported at the line of its version.

## Bad
`Cargo.toml` 1.4.0, `package.json` 1.3.2.

## Good
Both 1.4.0.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "Manifests that declare different project versions",
        Severity::Error,
        DOCS,
    )
    .category(category::MANIFESTS)
    // Not test fixtures: a broken manifest there is often the test's input.
    .classes(&[class::DOCUMENTATION, class::GENERATED])
}

/// Every source the plugin knows, in the order that breaks ties.
pub const DEFAULT_SOURCES: &[&str] = &[
    "Cargo.toml",
    "package.json",
    "pyproject.toml",
    "composer.json",
    "VERSION",
    "CHANGELOG.md",
];

/// A version and the 1-based line it is declared on.
struct Declared {
    version: String,
    line: u32,
}

fn normalize(version: &str) -> String {
    version.trim().trim_start_matches(['v', 'V']).to_string()
}

fn line_of(bytes: &[u8], offset: usize) -> u32 {
    LineIndex::new(bytes).position(offset).0
}

#[derive(Deserialize)]
struct CargoToml {
    package: Option<CargoPackage>,
    workspace: Option<CargoWorkspace>,
}
#[derive(Deserialize)]
struct CargoPackage {
    version: Option<Spanned<toml::Value>>,
}
#[derive(Deserialize)]
struct CargoWorkspace {
    package: Option<CargoPackage>,
}
#[derive(Deserialize)]
struct PyProject {
    project: Option<CargoPackage>,
    tool: Option<PyTool>,
}
#[derive(Deserialize)]
struct PyTool {
    poetry: Option<CargoPackage>,
}

fn toml_version(bytes: &[u8], value: Option<Spanned<toml::Value>>) -> Option<Declared> {
    let value = value?;
    // `version.workspace = true` inherits: nothing declared here.
    let version = value.get_ref().as_str()?;
    Some(Declared {
        version: normalize(version),
        line: line_of(bytes, value.span().start),
    })
}

fn declared(source: &str, bytes: &[u8]) -> Option<Declared> {
    let text = std::str::from_utf8(bytes).ok()?;
    match source {
        "Cargo.toml" => {
            let cargo: CargoToml = toml::from_str(text).ok()?;
            let package = cargo.package.and_then(|p| p.version);
            let workspace = cargo
                .workspace
                .and_then(|w| w.package)
                .and_then(|p| p.version);
            toml_version(
                bytes,
                package.filter(|v| v.get_ref().is_str()).or(workspace),
            )
        }
        "pyproject.toml" => {
            let py: PyProject = toml::from_str(text).ok()?;
            let project = py.project.and_then(|p| p.version);
            let poetry = py.tool.and_then(|t| t.poetry).and_then(|p| p.version);
            toml_version(bytes, project.or(poetry))
        }
        "package.json" | "composer.json" => {
            let value: serde_json::Value = serde_json::from_str(text).ok()?;
            let version = value.get("version")?.as_str()?;
            let key = crate::json::keys(bytes)
                .into_iter()
                .find(|k| k.depth == 1 && k.text == "version")?;
            Some(Declared {
                version: normalize(version),
                line: line_of(bytes, key.offset),
            })
        }
        "VERSION" => {
            let (n, line) = text
                .lines()
                .enumerate()
                .find(|(_, l)| !l.trim().is_empty())?;
            Some(Declared {
                version: normalize(line),
                line: u32::try_from(n + 1).ok()?,
            })
        }
        "CHANGELOG.md" => text.lines().enumerate().find_map(|(n, line)| {
            let heading = line.strip_prefix("## ")?.trim();
            let version = heading
                .trim_start_matches('[')
                .split([']', ' '])
                .next()?
                .trim();
            let version = normalize(version);
            let looks_like_version = version.chars().next().is_some_and(|c| c.is_ascii_digit());
            looks_like_version.then(|| Declared {
                version,
                line: u32::try_from(n + 1).unwrap_or(u32::MAX),
            })
        }),
        _ => None,
    }
}

/// Reports each source whose version disagrees with the majority.
pub fn check(repo: &Repo<'_>, sources: &[String], out: &mut Vec<Finding>) {
    let mut found: Vec<(&str, Declared)> = Vec::new();
    for source in sources {
        let present = repo
            .entries()
            .iter()
            .any(|e| e.kind == EntryKind::File && e.path == source);
        if !present {
            continue;
        }
        if let Some(declared) = repo
            .read(source)
            .ok()
            .and_then(|bytes| declared(source, &bytes))
        {
            found.push((source, declared));
        }
    }
    if found.len() < 2 {
        return;
    }
    // The majority wins; between equals, the source listed first.
    let mut best: Option<(&str, usize)> = None;
    for (_, d) in &found {
        let count = found.iter().filter(|(_, o)| o.version == d.version).count();
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((&d.version, count));
        }
    }
    let Some((reference, _)) = best else { return };
    let reference = reference.to_string();
    let agreeing: Vec<&str> = found
        .iter()
        .filter(|(_, d)| d.version == reference)
        .map(|(s, _)| *s)
        .collect();
    for (source, d) in &found {
        if d.version != reference {
            out.push(
                Finding::new(
                    ID,
                    format!(
                        "version {} here, but {} say{} {reference}",
                        d.version,
                        agreeing.join(", "),
                        if agreeing.len() == 1 { "s" } else { "" }
                    ),
                )
                .in_path(*source)
                .at(Span {
                    line: d.line,
                    column: 1,
                    end_line: d.line,
                    end_column: 1,
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::plugin;
    use ward_plugin_sdk::Validator;

    #[test]
    fn versions_disagreeing_with_the_majority_are_reported_at_their_line() {
        let files: Vec<(&str, &str)> = vec![
            (
                "Cargo.toml",
                "[package]\nname = \"a\"\nversion = \"1.4.0\"\n",
            ),
            (
                "package.json",
                "{\n  \"name\": \"a\",\n  \"version\": \"1.3.2\"\n}\n",
            ),
            ("VERSION", "v1.4.0\n"),
            (
                "CHANGELOG.md",
                "# Changelog\n\n## [Unreleased]\n\n## [1.4.0] - 2024-05-01\n",
            ),
        ];
        let out = ward_plugin_sdk::testing::check_repo(&plugin(serde_json::Value::Null), &files);
        let found: Vec<(String, String, u32, String)> = out
            .into_iter()
            .map(|f| (f.rule, f.path, f.span.line, f.message))
            .collect();
        assert_eq!(
            found,
            [(
                ID.into(),
                "package.json".into(),
                3,
                "version 1.3.2 here, but Cargo.toml, VERSION, CHANGELOG.md say 1.4.0".into()
            )]
        );
    }

    #[test]
    fn unknown_version_sources_are_config_errors() {
        let err = crate::ManifestPlugin::new(&ward_plugin_sdk::PluginConfig {
            settings: serde_json::json!({"version-sources": ["setup.py"]}),
            enabled_rules: None,
            root: None,
        })
        .err()
        .unwrap();
        assert!(err.starts_with("unknown version source `setup.py`"));
    }
}
