//! Markdown files read for links: the links and images of a file, the
//! anchors its headings and HTML define, and where a relative link leads.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use regex::Regex;

pub(crate) fn is_markdown(path: &str) -> bool {
    // Asked of every path of the tree: compared in place, not lowercased.
    let ends_with = |suffix: &str| {
        path.len() >= suffix.len()
            && path.as_bytes()[path.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    ends_with(".md") || ends_with(".markdown")
}

/// One link or image of a Markdown file.
pub(crate) struct Link {
    pub destination: String,
    pub start: usize,
    pub end: usize,
}

/// The links of a Markdown file and the anchors its headings and HTML define.
pub(crate) struct Parsed {
    pub links: Vec<Link>,
    pub anchors: HashSet<String>,
    /// Labels of the file's reference definitions (`[name]: url`), lower case.
    pub references: HashSet<String>,
    /// The page includes text a site generator expands (Hugo shortcodes,
    /// Jekyll and MkDocs includes): its anchors cannot be known from here.
    pub expanded: bool,
}

/// Whether a page's text has parts a site generator replaces when it
/// builds the page, headings among them.
fn is_expanded(text: &str) -> bool {
    ["{{<", "{{%", "{% include", "--8<--", "\n::: "]
        .iter()
        .any(|marker| text.contains(marker))
}

fn html_anchor() -> &'static Regex {
    static ANCHOR: OnceLock<Regex> = OnceLock::new();
    ANCHOR.get_or_init(|| {
        Regex::new(r#"(?i)\b(?:id|name)\s*=\s*["']([^"']+)["']"#).expect("valid regex")
    })
}

/// An `attr_list` id (MkDocs, kramdown, Hugo): `**term**{ #term-id }`.
fn attribute_anchor() -> &'static Regex {
    static ANCHOR: OnceLock<Regex> = OnceLock::new();
    ANCHOR.get_or_init(|| Regex::new(r"\{\s*#([A-Za-z][\w.:-]*)[^}\n]*\}").expect("valid regex"))
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

pub(crate) fn parse(text: &str) -> Parsed {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_FOOTNOTES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    // `## Title {#id}` and definition terms are anchors in static sites
    // (Hugo's `autoDefinitionTermID`, MkDocs' attr_list).
    options.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    options.insert(Options::ENABLE_DEFINITION_LIST);
    let mut links = Vec::new();
    let mut anchors = HashSet::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut heading: Option<String> = None;
    let parser = Parser::new_ext(text, options);
    let references = parser
        .reference_definitions()
        .iter()
        .map(|(label, _)| label.to_lowercase())
        .collect();
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                anchors.insert(id.to_string());
                heading = Some(String::new());
            }
            Event::Start(Tag::Heading { .. } | Tag::DefinitionListTitle) => {
                heading = Some(String::new())
            }
            Event::End(TagEnd::DefinitionListTitle) => {
                if let Some(term) = heading.take() {
                    anchors.insert(slug(&term));
                }
            }
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
    if text.contains("{") {
        for captures in attribute_anchor().captures_iter(text) {
            anchors.insert(captures[1].to_string());
        }
    }
    Parsed {
        links,
        anchors,
        references,
        expanded: is_expanded(text),
    }
}

pub(crate) fn is_external(destination: &str) -> bool {
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
pub(crate) fn may_link_internally(text: &[u8]) -> bool {
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
pub(crate) fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// `target` resolved against the directory of `from` (or the root for a
/// leading `/`), normalised; `None` when it climbs out of the repository.
pub(crate) fn resolve(from: &str, target: &str) -> Option<String> {
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

/// Config files of static-site generators (Hugo, MkDocs, Docusaurus,
/// Jekyll, mdBook), whose pages link to each other by URL, not by file.
const SITE_CONFIGS: &[&str] = &[
    "hugo.toml",
    "hugo.yaml",
    "hugo.json",
    "mkdocs.yml",
    "mkdocs.yaml",
    "docusaurus.config.js",
    "docusaurus.config.ts",
    "_config.yml",
    "book.toml",
];

/// Whether a path is a static-site generator's config file.
pub(crate) fn is_site_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    SITE_CONFIGS.contains(&name)
}

/// Whether a destination is a template a site generator expands
/// (`{{< ref "x" >}}`, `{% link x.md %}`): it names no file as written.
pub(crate) fn is_template(destination: &str) -> bool {
    destination.contains("{{") || destination.contains("{%")
}

/// The directories a static site serves at `/`, for a site whose config
/// file is `config` (read as `text`): a root-absolute link `/a/b/` of a
/// page is looked for under each. Hugo serves `contentDir` (default
/// `content`, each language's folder under it too) and `static/`; MkDocs
/// its `docs_dir` (default `docs`) beside `mkdocs.yml`; Docusaurus `docs/`
/// and `static/`; Jekyll the folder of `_config.yml`; mdBook `src/`.
pub(crate) fn site_roots(
    config: &str,
    text: &str,
    dirs: &dyn Fn(&str) -> Vec<String>,
) -> Vec<String> {
    let (dir, name) = match config.rsplit_once('/') {
        Some((dir, name)) => (format!("{dir}/"), name),
        None => (String::new(), config),
    };
    let setting = |key: &str| {
        text.lines().find_map(|line| {
            let rest = line.trim_start().strip_prefix(key)?;
            let rest = rest.trim_start().strip_prefix([':', '='])?;
            let value = rest.split('#').next()?.trim().trim_matches(['"', '\'']);
            (!value.is_empty()).then(|| value.trim_end_matches('/').to_string())
        })
    };
    let mut roots = vec![dir.trim_end_matches('/').to_string()];
    let mut add = |sub: &str| roots.push(format!("{dir}{sub}"));
    match name {
        n if n.starts_with("hugo.") => {
            let content = setting("contentDir").unwrap_or_else(|| "content".into());
            add(&content);
            for language in dirs(&format!("{dir}{content}")) {
                add(&format!("{content}/{language}"));
            }
            add("static");
        }
        n if n.starts_with("mkdocs.") => add(&setting("docs_dir").unwrap_or_else(|| "docs".into())),
        n if n.starts_with("docusaurus.") => {
            add("docs");
            add("static");
        }
        "book.toml" => add("src"),
        _ => {}
    }
    roots
}

/// Where a link of a static site's page leads, when it names a page by its
/// URL (`../deployment-modes/`, `install`) rather than by its file: the
/// link is resolved from the page's file and from the page's URL (a page
/// `a/b.md` is served at `a/b/`), and the target may be `X.md`,
/// `X/index.md`, `X/_index.md` or `X/README.md`.
pub(crate) fn resolve_page(
    from: &str,
    target: &str,
    roots: &[String],
    find: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    // Hugo's page lookup tries a path without `/` or `.` from the page,
    // then from the site's root.
    let from_root = target.strip_prefix('/').or_else(|| {
        (!roots.is_empty() && !target.starts_with('.'))
            .then_some(target)
            .filter(|_| resolve_page(from, target, &[], find).is_none())
    });
    if let Some(path) = from_root {
        return roots.iter().find_map(|root| {
            // A file in the root, so that `path` resolves from there.
            let inside = if root.is_empty() {
                "_".to_string()
            } else {
                format!("{root}/_")
            };
            resolve(&inside, path)
                .filter(|p| !p.is_empty())
                .and_then(|p| find(&p))
                .or_else(|| resolve_page(&inside, path, &[], find))
        });
    }
    let stem = from.strip_suffix(".md").unwrap_or(from);
    let name = stem.rsplit('/').next().unwrap_or(stem);
    // `a/_index.md` and `a/index.md` are served at `a/`, others at `a/b/`.
    let url_dir = if matches!(name, "index" | "_index" | "README") {
        from.to_string()
    } else {
        format!("{stem}/_")
    };
    [from, url_dir.as_str()]
        .iter()
        .filter_map(|base| resolve(base, target))
        .flat_map(|base| {
            let base = base.trim_end_matches('/').to_string();
            ["", ".md", "/index.md", "/_index.md", "/README.md"]
                .map(|suffix| format!("{base}{suffix}"))
        })
        .filter(|candidate| !candidate.is_empty())
        .find_map(|candidate| find(&candidate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_pages_are_found_by_their_url() {
        let files = [
            "content/docs/deployment-modes.md",
            "content/docs/guide/_index.md",
            "content/docs/install/README.md",
        ];
        let exists = |p: &str| files.contains(&p).then(|| p.to_string());
        let from = "content/docs/config.md";
        assert_eq!(
            resolve_page(from, "../deployment-modes/", &[], &exists).as_deref(),
            Some("content/docs/deployment-modes.md")
        );
        assert_eq!(
            resolve_page(from, "deployment-modes", &[], &exists).as_deref(),
            Some("content/docs/deployment-modes.md")
        );
        assert_eq!(
            resolve_page(from, "guide/", &[], &exists).as_deref(),
            Some("content/docs/guide/_index.md")
        );
        assert_eq!(
            resolve_page("content/docs/guide/_index.md", "../install/", &[], &exists).as_deref(),
            Some("content/docs/install/README.md")
        );
        assert_eq!(resolve_page(from, "../nowhere/", &[], &exists), None);
    }

    #[test]
    fn slugs_follow_github() {
        assert_eq!(slug("Installation"), "installation");
        assert_eq!(slug("What's new in 2.0?"), "whats-new-in-20");
        assert_eq!(slug("`ward check` --fix"), "ward-check---fix");
        assert_eq!(slug("Café & Crème"), "café--crème");
        assert_eq!(slug("snake_case_name"), "snake_case_name");
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
}
