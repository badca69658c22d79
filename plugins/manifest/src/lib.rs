//! ward's `manifest` plugin: configuration and manifest files that do not
//! parse, keys written twice, versions that disagree, and changelogs that do
//! not follow Keep a Changelog.

mod json;
mod version;
mod xml;
mod yaml;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use ward_plugin_sdk::{
    File, Finding, LineIndex, Manifest, PluginConfig, Repo, RuleInfo, Severity, Span, Validator,
};

const SYNTAX: &str = "manifest/syntax";
const DUPLICATE_KEY: &str = "manifest/duplicate-key";
const VERSION_MISMATCH: &str = "manifest/version-mismatch";
const CHANGELOG_FORMAT: &str = "manifest/changelog-format";

/// The plugin's rules.
pub fn rules() -> Vec<RuleInfo> {
    let rules = vec![
        RuleInfo::new(SYNTAX, "A JSON, YAML, TOML or XML file that does not parse", Severity::Error,
            "## What it does\nParses `.json`, `.yml`/`.yaml`, `.toml` and XML files (`.xml`, `.csproj`, `.props`, `.targets`, `.plist`, `.xsd`, `.xsl`, `.svg`) and reports the first error at its line and column. XML may have a DOCTYPE (no external DTD is fetched); XML nested more than 256 elements deep (libxml2's limit) is reported as not parsed, where the parser's stack would overflow. JSON-with-comments files (`tsconfig*.json`, `jsconfig*.json`, `.vscode/`, `.devcontainer/`, `*.jsonc`, `.eslintrc.json`) are skipped, and so are YAML templates that do not parse and contain `{{`.\n\n## Bad\n```json\n{\"name\": \"app\",}\n```\n\n## Good\n```json\n{\"name\": \"app\"}\n```"),
        RuleInfo::new(DUPLICATE_KEY, "A key written twice in one JSON or YAML object", Severity::Error,
            "## What it does\nFinds keys repeated in the same object. Parsers silently keep one of them (JSON: usually the last), so the other setting is dead.\n\n## Bad\n```yaml\nport: 80\nport: 8080\n```\n\n## Good\n```yaml\nport: 8080\n```"),
        RuleInfo::new(VERSION_MISMATCH, "Manifests that declare different project versions", Severity::Error,
            "## What it does\nCompares the version in `Cargo.toml`, `package.json`, `pyproject.toml`, `composer.json`, a `VERSION` file and the newest release heading of `CHANGELOG.md` (those at the repository top that declare one; `version-sources` chooses). Each file that disagrees with the majority is reported at the line of its version.\n\n## Bad\n`Cargo.toml` 1.4.0, `package.json` 1.3.2.\n\n## Good\nBoth 1.4.0."),
        RuleInfo::new(CHANGELOG_FORMAT, "A CHANGELOG.md heading that breaks Keep a Changelog", Severity::Warning,
            "## What it does\nChecks `CHANGELOG.md` headings: `# Changelog`, then `## [Unreleased]` or `## [1.2.3] - 2024-05-01` (a `v` before the version and a compare link after the brackets are fine), with `### Added`, `Changed`, `Deprecated`, `Removed`, `Fixed` or `Security` sections. Each heading that strays is reported when the file says it follows Keep a Changelog (it mentions `keepachangelog.com` or \"Keep a Changelog\", as the format's template does); a changelog in another format gets one finding, at its first stray heading, with the count of the others. Switch it off with `\"manifest/changelog-format\" = \"off\"`.\n\n## Bad\n```markdown\n## Version 1.2 (May)\n### New stuff\n```\n\n## Good\n```markdown\n## [1.2.0] - 2024-05-01\n### Added\n```"),
    ];
    rules
        .into_iter()
        .map(|r| r.category(ward_plugin_sdk::category::MANIFESTS))
        .collect()
}

/// The `[plugins.manifest]` table.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// Which top-level files declare the project version.
    pub version_sources: Vec<String>,
    /// JSON files that allow comments, skipped by the JSON checks.
    pub jsonc: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version_sources: version::DEFAULT_SOURCES
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
            jsonc: [
                "**/tsconfig*.json",
                "**/jsconfig*.json",
                ".vscode/**",
                "**/.devcontainer/**",
                "**/devcontainer.json",
                "**/*.jsonc",
                "**/.eslintrc.json",
            ]
            .iter()
            .map(|s| (*s).to_string())
            .collect(),
        }
    }
}

/// The validator.
pub struct ManifestPlugin {
    version_sources: Vec<String>,
    jsonc: GlobSet,
    enabled: [bool; 4],
}

enum Kind {
    Json,
    Yaml,
    Toml,
    Xml,
    Changelog,
}

fn kind_of(path: &str) -> Option<Kind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.eq_ignore_ascii_case("CHANGELOG.md") {
        return Some(Kind::Changelog);
    }
    let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "json" => Kind::Json,
        "yml" | "yaml" => Kind::Yaml,
        "toml" => Kind::Toml,
        "xml" | "csproj" | "fsproj" | "vbproj" | "props" | "targets" | "plist" | "xsd" | "xsl"
        | "xslt" | "svg" => Kind::Xml,
        _ => return None,
    })
}

fn at(line: usize, column: usize) -> Span {
    let line = u32::try_from(line.max(1)).unwrap_or(u32::MAX);
    let column = u32::try_from(column.max(1)).unwrap_or(u32::MAX);
    Span {
        line,
        column,
        end_line: line,
        end_column: column.saturating_add(1),
    }
}

impl Validator for ManifestPlugin {
    fn manifest() -> Manifest {
        Manifest {
            name: "manifest".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "JSON, YAML, TOML and XML syntax, duplicate keys, version consistency, changelog format".into(),
            rules: rules(),
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        let settings: Settings = config.settings()?;
        for source in &settings.version_sources {
            if !version::DEFAULT_SOURCES.contains(&source.as_str()) {
                return Err(format!(
                    "unknown version source `{source}`: use any of {}",
                    version::DEFAULT_SOURCES.join(", ")
                ));
            }
        }
        let mut jsonc = GlobSetBuilder::new();
        for glob in &settings.jsonc {
            jsonc.add(Glob::new(glob).map_err(|e| format!("invalid jsonc glob `{glob}`: {e}"))?);
        }
        Ok(ManifestPlugin {
            version_sources: settings.version_sources,
            jsonc: jsonc.build().map_err(|e| e.to_string())?,
            enabled: [SYNTAX, DUPLICATE_KEY, VERSION_MISMATCH, CHANGELOG_FORMAT]
                .map(|r| config.is_enabled(r)),
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        if file.is_binary {
            return;
        }
        let Some(kind) = kind_of(file.path) else {
            return;
        };
        // Not UTF-8: text/invalid-utf8 says so; a parser would only repeat it.
        let Ok(text) = std::str::from_utf8(file.bytes) else {
            return;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let [syntax, duplicates, _, changelog] = self.enabled;
        match kind {
            Kind::Json if !self.jsonc.is_match(file.path) => {
                match serde_json::from_str::<serde::de::IgnoredAny>(text) {
                    Err(e) => {
                        if syntax {
                            out.push(
                                Finding::new(SYNTAX, format!("invalid JSON: {e}"))
                                    .at(at(e.line(), e.column())),
                            );
                        }
                    }
                    Ok(_) if duplicates => {
                        let offset = file.bytes.len() - text.len();
                        let index = LineIndex::new(file.bytes);
                        for key in json::keys(text.as_bytes())
                            .into_iter()
                            .filter(|k| k.duplicate)
                        {
                            let start = offset + key.offset;
                            out.push(
                                Finding::new(DUPLICATE_KEY, format!("key `{}` appears twice in one object; parsers keep only one", key.text))
                                    .at(index.span(start, start + key.text.len() + 2)),
                            );
                        }
                    }
                    Ok(_) => {}
                }
            }
            Kind::Json => {}
            Kind::Yaml => {
                match yaml::check(text) {
                    Err((message, line, column)) => {
                        if syntax && !text.contains("{{") {
                            out.push(
                                Finding::new(SYNTAX, format!("invalid YAML: {message}"))
                                    .at(at(line, column)),
                            );
                        }
                    }
                    Ok(found) if duplicates => {
                        for d in found {
                            out.push(
                            Finding::new(DUPLICATE_KEY, format!("key `{}` appears twice in one mapping; parsers keep only one", d.key))
                                .at(at(d.line, d.column)),
                        );
                        }
                    }
                    Ok(_) => {}
                }
            }
            Kind::Toml if syntax => {
                if let Err(e) = text.parse::<toml::Table>() {
                    let offset = e.span().map_or(0, |s| s.start) + (file.bytes.len() - text.len());
                    let index = LineIndex::new(file.bytes);
                    let (line, column) = index.position(offset);
                    out.push(
                        Finding::new(SYNTAX, format!("invalid TOML: {}", e.message().trim()))
                            .at(at(line as usize, column as usize)),
                    );
                }
            }
            Kind::Xml if syntax => {
                if let Some(offset) = xml::too_deep(text, xml::MAX_DEPTH) {
                    let offset = offset + (file.bytes.len() - text.len());
                    let (line, column) = LineIndex::new(file.bytes).position(offset);
                    out.push(
                        Finding::new(
                            SYNTAX,
                            format!(
                                "XML nested more than {} elements deep: not parsed",
                                xml::MAX_DEPTH
                            ),
                        )
                        .at(at(line as usize, column as usize)),
                    );
                    return;
                }
                // A DOCTYPE is valid XML (SVG files often have one). roxmltree
                // refuses it by default, but guards entity expansion either
                // way, and never fetches an external DTD.
                let options = roxmltree::ParsingOptions {
                    allow_dtd: true,
                    ..Default::default()
                };
                if let Err(e) = roxmltree::Document::parse_with_options(text, options) {
                    let pos = e.pos();
                    out.push(
                        Finding::new(SYNTAX, format!("invalid XML: {e}"))
                            .at(at(pos.row as usize, pos.col as usize)),
                    );
                }
            }
            Kind::Changelog if changelog => version::check_changelog(text, out),
            _ => {}
        }
    }

    fn check_repo(&self, repo: &Repo<'_>, out: &mut Vec<Finding>) {
        if self.enabled[2] {
            version::check_versions(repo, &self.version_sources, out);
        }
    }
}

#[cfg(test)]
mod tests;
