//! `markdown/broken-link`

use crate::Target;
use ward_plugin_sdk::{category, RuleInfo, Severity};

/// The rule's id.
pub const ID: &str = "markdown/broken-link";

const DOCS: &str = r"## What it does
Finds links and images in Markdown files (`.md`, `.markdown`) whose relative target is not a file or directory of the repository, at the link's line and column. `/path` is relative to the repository root, anything else to the file's directory; a target outside the repository is broken too. Query strings are ignored and `%20`-style escapes decoded. In a static site (the repository has a Hugo, MkDocs, Docusaurus, Jekyll or mdBook config file) and under a `docs/` tree, pages link by URL: a link is also resolved from the page's URL (`a/b.md` is served at `a/b/`), and `../page/` or `page` finds `page.md`, `page/index.md`, `page/_index.md` or `page/README.md`.

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

/// The message for a link whose target is not in the repository, if so.
pub fn judge(destination: &str, target: &Target) -> Option<String> {
    match target {
        Target::Outside => Some(format!("`{destination}` points outside the repository")),
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
}
