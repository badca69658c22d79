//! ward's `markdown` plugin: relative links and images in Markdown files
//! whose target is not in the repository, and `#anchors` that match no
//! heading of their target, as GitHub renders them. Nothing is fetched:
//! external URLs are only listed, on request.
//!
//! A link's target is another file, so the checks run over the repository
//! (`check_repo`), reading each Markdown file once.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use regex::Regex;
use serde::Deserialize;
use ward_plugin_sdk::{
    EntryKind, Finding, LineIndex, Manifest, PluginConfig, Repo, RuleInfo, Severity, Validator,
};

const BROKEN_LINK: &str = "markdown/broken-link";
const BROKEN_ANCHOR: &str = "markdown/broken-anchor";
const EXTERNAL_LINK: &str = "markdown/external-link";

/// The plugin's rules.
pub fn rules() -> Vec<RuleInfo> {
    let rules = vec![
        RuleInfo::new(BROKEN_LINK, "A relative link or image whose target does not exist", Severity::Error,
            "## What it does\nFinds links and images in Markdown files (`.md`, `.markdown`) whose relative target is not a file or directory of the repository, at the link's line and column. `/path` is relative to the repository root, anything else to the file's directory; a target outside the repository is broken too. Query strings are ignored and `%20`-style escapes decoded.\n\n## Bad\n```markdown\nSee [the guide](docs/guide.md) (renamed to docs/manual.md).\n```\n\n## Good\n```markdown\nSee [the guide](docs/manual.md).\n```"),
        RuleInfo::new(BROKEN_ANCHOR, "A link to a #anchor that no heading of its target has", Severity::Error,
            "## What it does\nFinds links whose `#anchor` matches no heading of the target Markdown file (or of the same file, for `#anchor` alone), with GitHub's rules for turning a heading into an anchor: lower case, punctuation dropped, spaces to hyphens, `-1`, `-2`… for repeats. `id` and `name` attributes of HTML in the file count too. Anchors into other kinds of files (`src/a.rs#L10`) are not checked.\n\n## Bad\n```markdown\n## Installing\n\nSee [install](#installation).\n```\n\n## Good\n```markdown\n## Installation\n\nSee [install](#installation).\n```"),
        RuleInfo::new(EXTERNAL_LINK, "An external URL (listed, never fetched)", Severity::Info,
            "## What it does\nOff by default: with `[plugins.markdown] list-external = true`, reports every external link (`https:`, `http:`, `//host`…) as information, so `ward check --format json` lists them for a link checker that may go online. ward itself never opens a connection.\n\n## Bad\n(nothing: this rule only lists)\n\n## Good\n`[docs](https://example.com/docs)` listed with its position."),
    ];
    rules
        .into_iter()
        .map(|r| r.category(ward_plugin_sdk::category::DOCUMENTATION))
        .collect()
}

/// The `[plugins.markdown]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct Settings {
    /// Report external links as `markdown/external-link`.
    list_external: bool,
}

/// The validator.
pub struct MarkdownPlugin {
    broken_link: bool,
    broken_anchor: bool,
    external: bool,
}

fn is_markdown(path: &str) -> bool {
    // Asked of every path of the tree: compared in place, not lowercased.
    let ends_with = |suffix: &str| {
        path.len() >= suffix.len()
            && path.as_bytes()[path.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    ends_with(".md") || ends_with(".markdown")
}

/// One link or image of a Markdown file.
struct Link {
    destination: String,
    start: usize,
    end: usize,
}

/// The links of a Markdown file and the anchors its headings and HTML define.
struct Parsed {
    links: Vec<Link>,
    anchors: HashSet<String>,
}

fn html_anchor() -> &'static Regex {
    static ANCHOR: OnceLock<Regex> = OnceLock::new();
    ANCHOR.get_or_init(|| {
        Regex::new(r#"(?i)\b(?:id|name)\s*=\s*["']([^"']+)["']"#).expect("valid regex")
    })
}

/// GitHub's anchor for a heading's text (github-slugger): lower case, every
/// character that is not a letter, digit, `-`, `_` or space dropped, spaces
/// turned into hyphens.
pub fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn parse(text: &str) -> Parsed {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_FOOTNOTES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    let mut links = Vec::new();
    let mut anchors = HashSet::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut heading: Option<String> = None;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(title) = heading.take() {
                    let base = slug(&title);
                    let count = seen.entry(base.clone()).or_insert(0);
                    let anchor = if *count == 0 {
                        base.clone()
                    } else {
                        format!("{base}-{count}")
                    };
                    *count += 1;
                    anchors.insert(anchor);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(title) = heading.as_mut() {
                    title.push_str(&t);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                for captures in html_anchor().captures_iter(&html) {
                    anchors.insert(captures[1].to_string());
                }
            }
            // `<name@example.com>`: pulldown-cmark gives the address
            // without its `mailto:`, which would read as a relative path.
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                ..
            }) => {}
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                links.push(Link {
                    destination: dest_url.to_string(),
                    start: range.start,
                    end: range.end,
                });
            }
            _ => {}
        }
    }
    Parsed { links, anchors }
}

/// A link found wanting, before its message is written (an anchor is
/// checked only once the target file is parsed).
struct Problem {
    start: usize,
    end: usize,
    rule: &'static str,
    text: String,
    /// (target file, anchor) for `markdown/broken-anchor`.
    anchor: Option<(String, String)>,
}

impl Problem {
    fn new(
        start: usize,
        end: usize,
        rule: &'static str,
        text: String,
        anchor: Option<(String, String)>,
    ) -> Self {
        Problem {
            start,
            end,
            rule,
            text,
            anchor,
        }
    }
}

fn is_external(destination: &str) -> bool {
    starts_external(destination.as_bytes())
}

/// Whether a destination starting with `text` is external: `//host`, or a
/// URI scheme (a letter, then letters, digits, `+`, `-` or `.`, then `:`).
fn starts_external(text: &[u8]) -> bool {
    if text.starts_with(b"//") {
        return true;
    }
    let Some(end) = text.iter().position(|&b| b == b':') else {
        return false;
    };
    // `C:\…` is a Windows path, not a scheme.
    end > 1
        && text[0].is_ascii_alphabetic()
        && text[1..end]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
}

/// Whether `text` may hold a link this plugin checks: a destination that is
/// not external. Every inline link or image has `](` right before its
/// destination and every reference definition `]:`, with only blanks (one
/// line end at most) and an optional `<` between; autolinks are always
/// external. So a file where each of those is followed by an external
/// destination has nothing to check, and most of the time of the plugin,
/// parsing, is saved on it (62% of the Markdown of the benchmark corpus:
/// changelogs link to their issue trackers). False positives only cost a
/// parse.
fn may_link_internally(text: &[u8]) -> bool {
    memchr::memmem::find_iter(text, b"]")
        .filter(|&at| matches!(text.get(at + 1), Some(b'(' | b':')))
        .any(|at| {
            let rest = &text[at + 2..];
            let blanks = rest
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                .count();
            let rest = &rest[blanks..];
            let rest = rest.strip_prefix(b"<").unwrap_or(rest);
            // A scheme is short: look no further than the next delimiter.
            let token_end = rest
                .iter()
                .take(64)
                .position(|b| b" \t\r\n)>\"'".contains(b))
                .unwrap_or(rest.len().min(64));
            !starts_external(&rest[..token_end])
        })
}

/// Decodes `%XX` escapes; invalid ones stay as written.
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// `target` resolved against the directory of `from` (or the root for a
/// leading `/`), normalised; `None` when it climbs out of the repository.
fn resolve(from: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        from.rsplit_once('/')
            .map(|(dir, _)| dir.split('/').collect())
            .unwrap_or_default()
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
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
            broken_link: config.is_enabled(BROKEN_LINK),
            broken_anchor: config.is_enabled(BROKEN_ANCHOR),
            external: settings.list_external && config.is_enabled(EXTERNAL_LINK),
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
            for link in &doc.links {
                let destination = link.destination.trim();
                if destination.is_empty() {
                    continue;
                }
                if is_external(destination) {
                    let lower = destination.to_ascii_lowercase();
                    if self.external && (lower.starts_with("http") || destination.starts_with("//"))
                    {
                        problems.push(Problem::new(
                            link.start,
                            link.end,
                            EXTERNAL_LINK,
                            destination.to_string(),
                            None,
                        ));
                    }
                    continue;
                }
                let (path_part, anchor) = match destination.split_once('#') {
                    Some((path, anchor)) => (path, Some(anchor)),
                    None => (destination, None),
                };
                let path_part = path_part.split('?').next().unwrap_or_default();
                let target = if path_part.is_empty() {
                    Some(source.to_string())
                } else {
                    resolve(source, &percent_decode(path_part))
                };
                let Some(target) = target else {
                    if self.broken_link {
                        problems.push(Problem::new(
                            link.start,
                            link.end,
                            BROKEN_LINK,
                            format!("`{destination}` points outside the repository"),
                            None,
                        ));
                    }
                    continue;
                };
                let exists = target.is_empty()
                    || files.contains(target.as_str())
                    || dirs.contains(target.as_str());
                if !exists {
                    if self.broken_link {
                        problems.push(Problem::new(link.start, link.end, BROKEN_LINK,
                            format!("`{destination}`: no file or directory `{target}` in the repository"), None));
                    }
                    continue;
                }
                if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                    if self.broken_anchor && is_markdown(&target) && files.contains(target.as_str())
                    {
                        problems.push(Problem::new(
                            link.start,
                            link.end,
                            BROKEN_ANCHOR,
                            destination.to_string(),
                            Some((target.clone(), percent_decode(anchor))),
                        ));
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
                text,
                anchor,
            } in problems
            {
                let message = match anchor {
                    None if rule == EXTERNAL_LINK => format!("external link {text}"),
                    None => text,
                    Some((target, anchor)) => {
                        read(&target, &mut parsed);
                        let known = parsed
                            .get(&target)
                            .and_then(Option::as_ref)
                            .is_none_or(|t| {
                                t.anchors.contains(&anchor)
                                    || t.anchors.contains(&anchor.to_lowercase())
                            });
                        if known {
                            continue;
                        }
                        format!("`{text}`: no heading in `{target}` has the anchor `#{anchor}`")
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

#[cfg(test)]
mod tests {
    use super::*;
    use ward_plugin_sdk::testing::check_repo;

    fn check(files: &[(&str, &str)]) -> Vec<(String, String, u32, u32, String)> {
        check_with(serde_json::Value::Null, files)
    }

    fn check_with(
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

    #[test]
    fn slugs_follow_github() {
        assert_eq!(slug("Installation"), "installation");
        assert_eq!(slug("What's new in 2.0?"), "whats-new-in-20");
        assert_eq!(slug("`ward check` --fix"), "ward-check---fix");
        assert_eq!(slug("Café & Crème"), "café--crème");
        assert_eq!(slug("snake_case_name"), "snake_case_name");
    }

    const README: &str = "# Project\n\n## Getting started\n\nSee [the guide](docs/guide.md#install-it) and ![logo](img/logo.png).\nAlso [usage](#usage), [top](#project), [docs](docs/) and <https://example.com>.\n\n## Usage\n\n## Usage\n\n[again](#usage-1)\n";
    const GUIDE: &str = "# Guide\n\n## Install it\n\nBack to [readme](../README.md#getting-started) or [src](/src/main.rs#L3).\n<a name=\"custom\"></a>\n[custom](#custom)\n";

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
                (BROKEN_LINK.into(), "README.md".into(), 5, 5,
                 "`docs/guide.md#install-it`: no file or directory `docs/guide.md` in the repository".into()),
                (BROKEN_ANCHOR.into(), "README.md".into(), 12, 1,
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
            [(BROKEN_ANCHOR.into(), "README.md".into(), 5, 5,
              "`docs/guide.md#install-it`: no heading in `docs/guide.md` has the anchor `#install-it`".into())]
        );
    }

    #[test]
    fn missing_images_escapes_and_outside_links() {
        let files = [(
            "docs/a.md",
            "![x](../img/missing.png)\n[up](../../etc/passwd)\n[sp](my%20file.md)\n```\n[in code](nowhere.md)\n```\n",
        ), ("docs/my file.md", "")];
        assert_eq!(
            check(&files),
            [
                (BROKEN_LINK.into(), "docs/a.md".into(), 1, 1,
                 "`../img/missing.png`: no file or directory `img/missing.png` in the repository".into()),
                (BROKEN_LINK.into(), "docs/a.md".into(), 2, 1,
                 "`../../etc/passwd` points outside the repository".into()),
            ]
        );
    }

    #[test]
    fn email_autolinks_are_not_paths() {
        let files = [(
            "a.md",
            "Write to <team@example.com> or [us](mailto:team@example.com).\n",
        )];
        assert_eq!(check(&files), []);
    }

    #[test]
    fn only_files_that_may_link_inside_the_repository_need_parsing() {
        for external in [
            "no links at all\n",
            "[a](https://example.com) ![b]( <HTTP://x.y/z.png> )\n",
            "[a](\n  //cdn.example.com/x)\n[ref]: https://example.com/ref\n<./not-a-link.md>\n",
            "[c]: git+ssh://host/repo\n",
        ] {
            assert!(!may_link_internally(external.as_bytes()), "{external:?}");
        }
        for internal in [
            "[a](docs/a.md)\n",
            "[a](#anchor)\n",
            "[a]()\n",
            "[a](<my file.md>)\n",
            "[ref]:\n  ./local.md\n",
            "[a](C:\\x.md)\n",
            "[a](&#104;ttps://example.com)\n",
            "[a](https://example.com) and then [b](b.md)",
        ] {
            assert!(may_link_internally(internal.as_bytes()), "{internal:?}");
        }
    }

    #[test]
    fn a_file_said_to_link_only_outside_has_no_internal_link_when_parsed() {
        // Random documents of the pieces link syntax is made of.
        const PIECES: &[&str] = &[
            "[",
            "]",
            "(",
            ")",
            ":",
            "<",
            ">",
            " ",
            "\n",
            "\n\n",
            "a",
            "b.md",
            "#x",
            "http://e.x",
            "//h",
            "mailto:m@x",
            "\\",
            "`",
            "```\n",
            "&#104;",
            "\"t\"",
            "!",
            "C:",
            "x@y.z",
            "    ",
            "[^1]",
            "- ",
            "> ",
            "|",
            "*",
            "[a](",
            "](",
            "[r]: ",
            "[r]:",
            "[r]",
            "[a][r]",
            ")",
            ") ",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |bound: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % bound
        };
        let mut skipped = 0;
        for _ in 0..20_000 {
            let text: String = (0..next(40)).map(|_| PIECES[next(PIECES.len())]).collect();
            if may_link_internally(text.as_bytes()) {
                continue;
            }
            skipped += 1;
            for link in parse(&text).links {
                let destination = link.destination.trim();
                assert!(
                    destination.is_empty() || is_external(destination),
                    "{text:?} has the internal link {destination:?}"
                );
            }
        }
        assert!(skipped > 1_000, "only {skipped} documents were skipped");
    }

    #[test]
    fn a_file_with_only_external_links_still_has_its_headings() {
        let target = "# Notes\n\n## Release 1.0\n\nSee [the tracker](https://example.com/1).\n";
        let files = [
            (
                "README.md",
                "[notes](notes.md#release-10) [gone](notes.md#release-2)\n",
            ),
            ("notes.md", target),
        ];
        assert_eq!(
            check(&files),
            [(
                BROKEN_ANCHOR.into(),
                "README.md".into(),
                1,
                30,
                "`notes.md#release-2`: no heading in `notes.md` has the anchor `#release-2`".into()
            )]
        );
    }

    #[test]
    fn external_links_are_listed_only_on_request() {
        let files = [("a.md", "[x](https://example.com/a) [m](mailto:a@b.c)\n")];
        assert_eq!(check(&files), []);
        assert_eq!(
            check_with(serde_json::json!({"list-external": true}), &files),
            [(
                EXTERNAL_LINK.into(),
                "a.md".into(),
                1,
                1,
                "external link https://example.com/a".into()
            )]
        );
    }
}
