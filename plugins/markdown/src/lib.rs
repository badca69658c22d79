//! ward's `markdown` plugin: relative links and images in Markdown files
//! whose target is not in the repository, and `#anchors` that match no
//! heading of their target, as GitHub renders them. Nothing is fetched:
//! external URLs are only listed, on request.
//!
//! A link's target is another file, so the checks run over the repository
//! (`check_repo`), reading each Markdown file once. Each rule lives in its
//! own module under `rules/` and judges the links [`Target`] classifies.

mod links;
mod rules;

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use ward_plugin_sdk::{
    EntryKind, Finding, LineIndex, Manifest, PluginConfig, Repo, RuleInfo, Validator,
};

use links::{
    is_external, is_markdown, is_site_config, is_template, may_link_internally, parse,
    percent_decode, resolve, resolve_page, site_roots, Parsed,
};
use rules::{broken_anchor, broken_link, external_link};

pub use links::slug;

/// Every rule of the plugin.
pub const RULES: &[fn() -> RuleInfo] =
    &[broken_link::info, broken_anchor::info, external_link::info];

/// The plugin's rules.
pub fn rules() -> Vec<RuleInfo> {
    RULES.iter().map(|info| info()).collect()
}

/// The `[plugins.markdown]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct Settings {
    /// Report external links as `markdown/external-link`.
    list_external: bool,
    /// Whether pages link by URL as a static site's do: `None` decides from
    /// the generators' config files.
    site: Option<bool>,
    /// Folders a site serves at `/`, besides those its generator's config
    /// names.
    site_roots: Vec<String>,
}

/// The validator.
pub struct MarkdownPlugin {
    broken_link: bool,
    broken_anchor: bool,
    external: bool,
    site: Option<bool>,
    site_roots: Vec<String>,
}

/// Where a relative link leads.
pub enum Target {
    /// Out of the repository (`../../x` from the top, an absolute path).
    Outside,
    /// A path no file or directory of the repository has.
    Missing(String),
    /// A file or directory of the repository (empty: the top).
    Found(String),
}

/// A link found wanting, before its message is written (an anchor is
/// checked only once the target file is parsed).
struct Problem {
    start: usize,
    end: usize,
    rule: &'static str,
    message: Message,
}

enum Message {
    Ready(String),
    /// `markdown/broken-anchor`: (link text, target file, anchor).
    Anchor(String, String, String),
}

impl Validator for MarkdownPlugin {
    fn manifest() -> Manifest {
        Manifest {
            name: "markdown".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Markdown links and anchors that lead nowhere".into(),
            rules: rules(),
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        let settings: Settings = config.settings()?;
        Ok(MarkdownPlugin {
            broken_link: config.is_enabled(broken_link::ID),
            broken_anchor: config.is_enabled(broken_anchor::ID),
            external: settings.list_external && config.is_enabled(external_link::ID),
            site: settings.site,
            site_roots: settings
                .site_roots
                .iter()
                .map(|r| r.trim_matches('/').to_string())
                .collect(),
        })
    }

    fn check_repo(&self, repo: &Repo<'_>, out: &mut Vec<Finding>) {
        let entries = repo.entries();
        let files: HashSet<&str> = entries
            .iter()
            .filter(|e| e.kind != EntryKind::Dir)
            .map(|e| e.path)
            .collect();
        let mut dirs: HashSet<&str> = entries
            .iter()
            .filter(|e| e.kind == EntryKind::Dir)
            .map(|e| e.path)
            .collect();
        // Directories are implied by the files in them, whatever the walk listed.
        for path in &files {
            let mut at = *path;
            while let Some((dir, _)) = at.rsplit_once('/') {
                if !dirs.insert(dir) {
                    break;
                }
                at = dir;
            }
        }
        let read = |path: &str, parsed: &mut HashMap<String, Option<Parsed>>| {
            if !parsed.contains_key(path) {
                let result = repo
                    .read(path)
                    .ok()
                    .map(|bytes| parse(&String::from_utf8_lossy(&bytes)));
                parsed.insert(path.to_string(), result);
            }
        };
        // A static site's pages link by URL; so, by convention, do docs trees.
        let configs: Vec<&str> = entries
            .iter()
            .filter(|e| e.kind == EntryKind::File && is_site_config(e.path))
            .map(|e| e.path)
            .collect();
        let site = self.site.unwrap_or(!configs.is_empty());
        let children = |dir: &str| -> Vec<String> {
            let prefix = format!("{dir}/");
            let mut names: Vec<String> = dirs
                .iter()
                .filter_map(|d| d.strip_prefix(&prefix))
                .filter(|rest| !rest.contains('/'))
                .map(str::to_string)
                .collect();
            names.sort();
            names
        };
        let mut roots: Vec<String> = configs
            .iter()
            .flat_map(|config| {
                let text = repo
                    .read(config)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                site_roots(config, &text, &children)
            })
            .collect();
        if site {
            roots.extend(self.site_roots.iter().cloned());
        }
        roots.dedup();
        // Hugo serves `Build.md` at `/build/`: site links ignore case.
        let folded: HashMap<String, &str> = if site {
            files
                .iter()
                .chain(dirs.iter())
                .map(|p| (p.to_lowercase(), *p))
                .collect()
        } else {
            HashMap::new()
        };
        let find = |path: &str| -> Option<String> {
            if files.contains(path) || dirs.contains(path) {
                return Some(path.to_string());
            }
            folded.get(&path.to_lowercase()).map(|p| p.to_string())
        };
        // A Hugo link render hook may give a destination a meaning of its
        // own (`[term](g)` for a glossary entry): one it names as a string
        // literal is the hook's, not a path.
        let hooks: Vec<String> = entries
            .iter()
            .filter(|e| e.kind == EntryKind::File && e.path.ends_with("_markup/render-link.html"))
            .filter_map(|e| repo.read(e.path).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect();
        let hook_literal = |destination: &str| {
            hooks
                .iter()
                .any(|h| h.contains(&format!("\"{destination}\"")))
        };
        let sources: Vec<&str> = entries
            .iter()
            .filter(|e| e.kind == EntryKind::File && is_markdown(e.path))
            .map(|e| e.path)
            .collect();
        // Reading and parsing every source is most of the work, and each
        // file's is its own: done on all threads. Files with only external
        // links (or none) are parsed only if another file's link asks for
        // their headings. With external links listed, every file is parsed.
        let mut parsed: HashMap<String, Option<Parsed>> = sources
            .par_iter()
            .filter_map(|source| {
                let bytes = repo.read(source).ok()?;
                if !self.external && !may_link_internally(&bytes) {
                    return None;
                }
                Some((
                    source.to_string(),
                    Some(parse(&String::from_utf8_lossy(&bytes))),
                ))
            })
            .collect();
        for source in sources {
            let Some(Some(doc)) = parsed.remove(source) else {
                continue;
            };
            let mut problems: Vec<Problem> = Vec::new();
            let mut report = |link: &links::Link, rule: &'static str, message: Message| {
                problems.push(Problem {
                    start: link.start,
                    end: link.end,
                    rule,
                    message,
                });
            };
            for link in &doc.links {
                let destination = link.destination.trim();
                if destination.is_empty() || is_template(destination) || hook_literal(destination) {
                    continue;
                }
                if is_external(destination) {
                    if let Some(message) =
                        external_link::judge(destination).filter(|_| self.external)
                    {
                        report(link, external_link::ID, Message::Ready(message));
                    }
                    continue;
                }
                let (path_part, anchor) = match destination.split_once('#') {
                    Some((path, anchor)) => (path, Some(anchor)),
                    None => (destination, None),
                };
                let path_part = path_part.split('?').next().unwrap_or_default();
                let resolved = if path_part.is_empty() {
                    Some(source.to_string())
                } else {
                    resolve(source, &percent_decode(path_part))
                };
                let target = match resolved {
                    None => Target::Outside,
                    Some(path)
                        if path.is_empty()
                            || files.contains(path.as_str())
                            || dirs.contains(path.as_str()) =>
                    {
                        Target::Found(path)
                    }
                    Some(path) => {
                        let by_url =
                            site || source.starts_with("docs/") || source.contains("/docs/");
                        match by_url
                            .then(|| {
                                resolve_page(source, &percent_decode(path_part), &roots, &find)
                            })
                            .flatten()
                        {
                            Some(found) => Target::Found(found),
                            None => Target::Missing(path),
                        }
                    }
                };
                if let Some(message) = broken_link::judge(destination, &target, &doc.references) {
                    if self.broken_link {
                        report(link, broken_link::ID, Message::Ready(message));
                    }
                    continue;
                }
                if let (Target::Found(target), Some(anchor)) = (&target, anchor) {
                    if self.broken_anchor
                        && !anchor.is_empty()
                        && is_markdown(target)
                        && files.contains(target.as_str())
                    {
                        report(
                            link,
                            broken_anchor::ID,
                            Message::Anchor(
                                destination.to_string(),
                                target.clone(),
                                percent_decode(anchor),
                            ),
                        );
                    }
                }
            }
            parsed.insert(source.to_string(), Some(doc));
            if problems.is_empty() {
                continue;
            }
            // Read again only now: few files have something to report.
            let Ok(bytes) = repo.read(source) else {
                continue;
            };
            let index = LineIndex::new(&bytes);
            for Problem {
                start,
                end,
                rule,
                message,
            } in problems
            {
                let message = match message {
                    Message::Ready(message) => message,
                    Message::Anchor(text, target, anchor) => {
                        read(&target, &mut parsed);
                        let anchors = parsed
                            .get(&target)
                            .and_then(Option::as_ref)
                            .filter(|t| !t.expanded)
                            .map(|t| &t.anchors);
                        match broken_anchor::judge(&text, &target, &anchor, anchors) {
                            Some(message) => message,
                            None => continue,
                        }
                    }
                };
                out.push(
                    Finding::new(rule, message)
                        .in_path(source)
                        .at(index.span(start, end)),
                );
            }
        }
    }
}

/// Running the plugin on a few files, for the rules' tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use ward_plugin_sdk::testing::check_repo;

    pub fn check(files: &[(&str, &str)]) -> Vec<(String, String, u32, u32, String)> {
        check_with(serde_json::Value::Null, files)
    }

    pub fn check_with(
        settings: serde_json::Value,
        files: &[(&str, &str)],
    ) -> Vec<(String, String, u32, u32, String)> {
        let plugin = MarkdownPlugin::new(&PluginConfig {
            settings,
            ..Default::default()
        })
        .unwrap();
        check_repo(&plugin, files)
            .into_iter()
            .map(|f| (f.rule, f.path, f.span.line, f.span.column, f.message))
            .collect()
    }

    pub const README: &str = "# Project\n\n## Getting started\n\nSee [the guide](docs/guide.md#install-it) and ![logo](img/logo.png).\nAlso [usage](#usage), [top](#project), [docs](docs/) and <https://example.com>.\n\n## Usage\n\n## Usage\n\n[again](#usage-1)\n";
    pub const GUIDE: &str = "# Guide\n\n## Install it\n\nBack to [readme](../README.md#getting-started) or [src](/src/main.rs#L3).\n<a name=\"custom\"></a>\n[custom](#custom)\n";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn a_consistent_repository_has_no_findings() {
        let files = [
            ("README.md", README),
            ("docs/guide.md", GUIDE),
            ("img/logo.png", ""),
            ("src/main.rs", "fn main() {}\n"),
        ];
        assert_eq!(check(&files), []);
    }

    #[test]
    fn a_renamed_file_and_a_renamed_heading_are_found_at_the_link() {
        let guide = GUIDE.replace("## Install it", "## Installing");
        let readme = README.replace("## Usage\n\n## Usage", "## How to use\n\n## Usage");
        let files = [
            ("README.md", readme.as_str()),
            ("docs/manual.md", guide.as_str()),
            ("img/logo.png", ""),
            ("src/main.rs", ""),
        ];
        assert_eq!(
            check(&files),
            [
                (broken_link::ID.into(), "README.md".into(), 5, 5,
                 "`docs/guide.md#install-it`: no file or directory `docs/guide.md` in the repository".into()),
                (broken_anchor::ID.into(), "README.md".into(), 12, 1,
                 "`#usage-1`: no heading in `README.md` has the anchor `#usage-1`".into()),
            ]
        );
        let files = [
            ("README.md", README),
            ("docs/guide.md", guide.as_str()),
            ("img/logo.png", ""),
            ("src/main.rs", ""),
        ];
        assert_eq!(
            check(&files),
            [(broken_anchor::ID.into(), "README.md".into(), 5, 5,
              "`docs/guide.md#install-it`: no heading in `docs/guide.md` has the anchor `#install-it`".into())]
        );
    }
}
