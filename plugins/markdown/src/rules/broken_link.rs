//! `markdown/broken-link`

use crate::Target;
use ward_plugin_sdk::{category, RuleInfo, Severity};

/// The rule's id.
pub const ID: &str = "markdown/broken-link";

const DOCS: &str = r"## What it does
Finds links and images in Markdown files (`.md`, `.markdown`) whose relative target is not a file or directory of the repository, at the link's line and column. `/path` is relative to the repository root, anything else to the file's directory; a target outside the repository is broken too. Query strings are ignored and `%20`-style escapes decoded. In a static site (the repository has a Hugo, MkDocs, Docusaurus, Jekyll or mdBook config file) and under a `docs/` tree, pages link by URL: a link is also resolved from the page's URL (`a/b.md` is served at `a/b/`), and `../page/` or `page` finds `page.md`, `page/index.md`, `page/_index.md` or `page/README.md`. `[plugins.markdown] site = true` (or `false`) says whether the repository is a site when no generator config is found (or despite one), and `site-roots = ['web/pages']` adds folders served at `/`. In a site, `/a/b/` is looked for under each folder the site serves at its root (Hugo's `contentDir`, each language folder in it, and `static/`; MkDocs' `docs_dir`; Docusaurus' `docs/` and `static/`; mdBook's `src/`), a path without `./` or `../` from the root too (Hugo's page lookup), and letter case is ignored (Hugo lowercases URLs). A reference-style link written as an inline one (`[guide](guide)` where the file defines `[guide]: docs/manual.md`) is reported with that hint: `[guide][guide]` was meant. Destinations a site generator expands (`{{< ref x >}}`, `{% link x %}`) and destinations a Hugo link render hook names as a string literal (`[term](g)` for a glossary) are not paths and are skipped.

## Bad
```markdown
See [the guide](docs/guide.md) (renamed to docs/manual.md).
```

## Good
```markdown
See [the guide](docs/manual.md).
```";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A relative link or image whose target does not exist",
        Severity::Error,
        DOCS,
    )
    .category(category::DOCUMENTATION)
}

/// The message for a link whose target is not in the repository, if so;
/// `references` are the labels of the file's `[label]: url` definitions,
/// for the hint when `[text](label)` was meant as `[text][label]`.
pub fn judge(
    destination: &str,
    target: &Target,
    references: &std::collections::HashSet<String>,
) -> Option<String> {
    match target {
        Target::Outside => Some(format!("`{destination}` points outside the repository")),
        Target::Missing(path) if references.contains(&destination.to_lowercase()) => Some(format!(
            "`{destination}`: no file or directory `{path}` in the repository; \
                 the file defines `[{destination}]:`, so `[…][{destination}]` was meant"
        )),
        Target::Missing(path) => Some(format!(
            "`{destination}`: no file or directory `{path}` in the repository"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn missing_images_escapes_and_outside_links() {
        let files = [(
            "docs/a.md",
            "![x](../img/missing.png)\n[up](../../etc/passwd)\n[sp](my%20file.md)\n```\n[in code](nowhere.md)\n```\n",
        ), ("docs/my file.md", "")];
        assert_eq!(
            check(&files),
            [
                (ID.into(), "docs/a.md".into(), 1, 1,
                 "`../img/missing.png`: no file or directory `img/missing.png` in the repository".into()),
                (ID.into(), "docs/a.md".into(), 2, 1,
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

    /// A static site's pages link by URL: `../b/` from `a.md` (served at
    /// `a/`) is `b.md`. Outside a site, the same link is broken.
    #[test]
    fn site_pages_link_by_url() {
        let page = "See [b](../b/) and [gone](../gone/).\n";
        let site = [
            ("hugo.toml", "title = 'x'\n"),
            ("content/guide/a.md", page),
            ("content/guide/b.md", "# B\n"),
        ];
        assert_eq!(
            check(&site),
            [(
                ID.into(),
                "content/guide/a.md".into(),
                1,
                20,
                "`../gone/`: no file or directory `content/gone` in the repository".into()
            )]
        );
        let plain = [
            ("content/guide/a.md", page),
            ("content/guide/b.md", "# B\n"),
        ];
        assert_eq!(
            check(&plain).iter().map(|f| (f.2, f.3)).collect::<Vec<_>>(),
            [(1, 5), (1, 20)]
        );
    }

    /// Hugo serves `content/<language>/` and `static/` at `/`, lowercases
    /// URLs, looks a path up from the page and then from the root, expands
    /// `{{< ref >}}` itself, and a link render hook may own a destination it
    /// names as a literal (`[term](g)`). A path found nowhere is broken.
    #[test]
    fn hugo_sites_resolve_links_as_hugo_does() {
        let page = "[b](/functions/css/build/#vars) [i](/images/logo.png) \
                    [r]({{< ref \"build\" >}}) [t](g) [p](functions/css/build/) \
                    [x](/nowhere/)\n";
        let site = [
            ("hugo.toml", "title = 'x'\n"),
            (
                "layouts/_markup/render-link.html",
                "{{ if eq $u.String \"g\" }}{{ end }}\n",
            ),
            ("content/en/guide/a.md", page),
            ("content/en/functions/css/Build.md", "## Vars\n"),
            ("static/images/logo.png", ""),
        ];
        assert_eq!(
            check(&site),
            [(
                ID.into(),
                "content/en/guide/a.md".into(),
                1,
                113,
                "`/nowhere/`: no file or directory `nowhere` in the repository".into()
            )]
        );
    }

    /// MkDocs serves its `docs_dir` at `/`.
    #[test]
    fn mkdocs_serves_its_docs_dir() {
        let site = [
            (
                "docs/mkdocs.yml",
                "site_name: x\ndocs_dir: 'content' # pages\n",
            ),
            ("docs/content/a.md", "[b](/setup/b/) [c](/setup/c/)\n"),
            ("docs/content/setup/b.md", "# B\n"),
        ];
        assert_eq!(
            check(&site),
            [(
                ID.into(),
                "docs/content/a.md".into(),
                1,
                16,
                "`/setup/c/`: no file or directory `setup/c` in the repository".into()
            )]
        );
    }

    /// `[text](label)` where the file defines `[label]:` was meant as a
    /// reference link: the finding says so.
    #[test]
    fn an_inline_link_to_a_reference_label_gets_a_hint() {
        let files = [
            (
                "README.md",
                "See [the guide](Guide) and [x](nothing).\n\n[guide]: docs/manual.md\n",
            ),
            ("docs/manual.md", "# Manual\n"),
        ];
        assert_eq!(
            check(&files),
            [
                (ID.into(), "README.md".into(), 1, 5,
                 "`Guide`: no file or directory `Guide` in the repository; the file defines `[Guide]:`, so `[…][Guide]` was meant".into()),
                (ID.into(), "README.md".into(), 1, 28,
                 "`nothing`: no file or directory `nothing` in the repository".into()),
            ]
        );
    }

    /// Without a generator's config file, the config says the repository
    /// is a site and which folder it serves at `/`.
    #[test]
    fn the_config_says_what_the_site_is() {
        let files = [
            ("web/pages/a.md", "[b](/guide/b/) [c](../c/)\n"),
            ("web/pages/guide/b.md", "# B\n"),
            ("web/pages/c.md", "# C\n"),
        ];
        assert_eq!(check(&files).len(), 2);
        let settings = serde_json::json!({"site": true, "site-roots": ["web/pages/"]});
        assert_eq!(check_with(settings, &files), []);
    }
}
