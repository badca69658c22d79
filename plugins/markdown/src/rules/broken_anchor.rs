//! `markdown/broken-anchor`

use std::collections::HashSet;

use ward_plugin_sdk::{category, RuleInfo, Severity};

/// The rule's id.
pub const ID: &str = "markdown/broken-anchor";

const DOCS: &str = r"## What it does
Finds links whose `#anchor` matches no heading of the target Markdown file (or of the same file, for `#anchor` alone), with GitHub's rules for turning a heading into an anchor: lower case, punctuation dropped, spaces to hyphens, `-1`, `-2`… for repeats. `id` and `name` attributes of HTML in the file count too, and so do the ids static sites give: `## Title {#id}`, definition-list terms (Hugo) and `{ #id }` after any element (MkDocs and kramdown `attr_list`). A target page that includes text its site generator expands (Hugo shortcodes `{{< >}}`/`{{% %}}`, `{% include %}`, MkDocs snippets `--8<--`, mkdocstrings and mkdocs-click `::: ` blocks) has anchors only its build knows; links into it are not judged. Anchors into other kinds of files (`src/a.rs#L10`) are not checked.

## Bad
```markdown
## Installing

See [install](#installation).
```

## Good
```markdown
## Installation

See [install](#installation).
```";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A link to a #anchor that no heading of its target has",
        Severity::Error,
        DOCS,
    )
    .category(category::DOCUMENTATION)
}

/// The message for a link to `#anchor` in `target`, whose anchors are
/// `anchors` (`None`: the target could not be read, so nothing is said).
pub fn judge(
    destination: &str,
    target: &str,
    anchor: &str,
    anchors: Option<&HashSet<String>>,
) -> Option<String> {
    let known = anchors.is_none_or(|a| a.contains(anchor) || a.contains(&anchor.to_lowercase()));
    (!known)
        .then(|| format!("`{destination}`: no heading in `{target}` has the anchor `#{anchor}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

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
                ID.into(),
                "README.md".into(),
                1,
                30,
                "`notes.md#release-2`: no heading in `notes.md` has the anchor `#release-2`".into()
            )]
        );
    }

    /// Sites give ids to more than headings: `{#id}` after a heading,
    /// definition terms (Hugo), `{ #id }` after any element (MkDocs
    /// attr_list). A page with shortcodes or includes has anchors only its
    /// build knows, so links into it are not judged.
    #[test]
    fn site_anchors_and_expanded_pages() {
        let target = "## Setup {#install}\n\n`cacheDir`\n: where files go\n\n\
                      **locale**{ #theme-locale }: the language\n";
        let files = [
            (
                "README.md",
                "[a](t.md#install) [b](t.md#cachedir) [c](t.md#theme-locale) \
                 [d](t.md#setup) [e](x.md#anything) [f](t.md#gone)\n",
            ),
            ("t.md", target),
            ("x.md", "{{% include \"common.md\" %}}\n"),
        ];
        assert_eq!(
            check(&files),
            [(
                ID.into(),
                "README.md".into(),
                1,
                96,
                "`t.md#gone`: no heading in `t.md` has the anchor `#gone`".into()
            )]
        );
    }
}
