//! Versions declared by manifests, and Keep a Changelog headings.

use serde::Deserialize;
use toml::Spanned;
use ward_plugin_sdk::{EntryKind, Finding, LineIndex, Repo, Span};

use crate::{CHANGELOG_FORMAT, VERSION_MISMATCH};

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
pub fn check_versions(repo: &Repo<'_>, sources: &[String], out: &mut Vec<Finding>) {
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
                    VERSION_MISMATCH,
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

const SECTIONS: &[&str] = &[
    "Added",
    "Changed",
    "Deprecated",
    "Removed",
    "Fixed",
    "Security",
];

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn release_heading_ok(heading: &str) -> bool {
    let Some(rest) = heading.strip_prefix('[') else {
        return false;
    };
    let Some((version, rest)) = rest.split_once(']') else {
        return false;
    };
    // `## [1.2.3](https://…/compare/v1.2.2...v1.2.3) - 2024-05-01`: the link
    // inline instead of in a definition below, as release-plz and git-cliff
    // write it.
    let rest = match rest.strip_prefix('(').and_then(|r| r.split_once(')')) {
        Some((_, after)) => after,
        None => rest,
    };
    if version.eq_ignore_ascii_case("unreleased") {
        return rest.is_empty();
    }
    // `v1.2.3`, as tags are named and auto-changelog writes headings.
    let version = version.strip_prefix(['v', 'V']).unwrap_or(version);
    let version_ok = version.chars().next().is_some_and(|c| c.is_ascii_digit());
    let rest = rest.trim_end_matches(" [YANKED]");
    version_ok && rest.strip_prefix(" - ").is_some_and(is_date)
}

/// Keep a Changelog headings: each bad one at its line, or only the first
/// in a changelog that does not say it follows the format.
pub fn check_changelog(text: &str, out: &mut Vec<Finding>) {
    let mut problems: Vec<(u32, String, u32)> = Vec::new();
    let mut in_fence = false;
    let mut saw_title = false;
    for (n, line) in text.lines().enumerate() {
        let number = u32::try_from(n + 1).unwrap_or(u32::MAX);
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let problem = if let Some(title) = line.strip_prefix("# ") {
            let ok = !saw_title && title.trim().eq_ignore_ascii_case("changelog");
            saw_title = true;
            (!ok).then(|| format!("`{line}`: the title is `# Changelog`, once"))
        } else if let Some(heading) = line.strip_prefix("## ") {
            (!release_heading_ok(heading.trim())).then(|| {
                format!(
                    "`{line}`: a release heading is `## [Unreleased]` or `## [1.2.3] - YYYY-MM-DD`"
                )
            })
        } else if let Some(section) = line.strip_prefix("### ") {
            (!SECTIONS.contains(&section.trim()))
                .then(|| format!("`{line}`: sections are {}", SECTIONS.join(", ")))
        } else {
            None
        };
        if let Some(message) = problem {
            let width = u32::try_from(line.chars().count()).unwrap_or(u32::MAX);
            problems.push((number, message, width));
        }
    }
    // A changelog in another format would get a finding for every heading
    // of every release: a wall of the same news. It gets one, at its first
    // heading, until the file says it follows Keep a Changelog (its template
    // links keepachangelog.com); then each heading that strays is reported.
    let total = problems.len();
    let lower = text.to_ascii_lowercase();
    let claims = lower.contains("keepachangelog.com") || lower.contains("keep a changelog");
    if !claims && total > 1 {
        problems.truncate(1);
        let more = match total - 1 {
            1 => "1 more heading differs".to_string(),
            n => format!("{n} more headings differ"),
        };
        problems[0].1.push_str(&format!(
            " ({more}; each is reported once the file links keepachangelog.com)"
        ));
    }
    for (number, message, width) in problems {
        out.push(Finding::new(CHANGELOG_FORMAT, message).at(Span {
            line: number,
            column: 1,
            end_line: number,
            end_column: width + 1,
        }));
    }
}
