//! `markdown/broken-anchor`

use std::collections::HashSet;

use ward_plugin_sdk::{category, RuleInfo, Severity};

/// The rule's id.
pub const ID: &str = "markdown/broken-anchor";

const DOCS: &str = r"## What it does
Finds links whose `#anchor` matches no heading of the target Markdown file (or of the same file, for `#anchor` alone), with GitHub's rules for turning a heading into an anchor: lower case, punctuation dropped, spaces to hyphens, `-1`, `-2`… for repeats. `id` and `name` attributes of HTML in the file count too. Anchors into other kinds of files (`src/a.rs#L10`) are not checked.

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
}
