//! `markdown/broken-link`

use crate::Target;
use ward_plugin_sdk::{category, RuleInfo, Severity};

/// The rule's id.
pub const ID: &str = "markdown/broken-link";

const DOCS: &str = r"## What it does
Finds links and images in Markdown files (`.md`, `.markdown`) whose relative target is not a file or directory of the repository, at the link's line and column. `/path` is relative to the repository root, anything else to the file's directory; a target outside the repository is broken too. Query strings are ignored and `%20`-style escapes decoded.

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
}
