//! `editorconfig/indent-style`

use ec4rs::property::IndentStyle;
use ward_plugin_sdk::{File, Finding, RuleInfo, Severity};

use super::{first_bad_indent, lines_text, point, Props};

/// The rule's id.
pub const ID: &str = "editorconfig/indent-style";

const DOCS: &str = r"## What it does
Under `indent_style = space`, finds lines indented with a tab; under `indent_style = tab`, lines indented with `indent_size` spaces or more. Reported once per file, at the first such line, with the count. A Makefile is never asked for spaces (its recipes must start with a tab). Code inside a Markdown fence (```` ``` ```` or `~~~`) keeps its own language's indentation and is skipped, as are lines inside `/* … */` comments.

## Bad
```text
[*.py]
indent_style = space
```
and a line starting with a tab.

## Good
The line indented with spaces.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "Indentation with tabs where .editorconfig says spaces, or the reverse",
        Severity::Error,
        DOCS,
    )
}

/// Reports, once per file, lines indented against `indent_style`.
pub fn check(file: &File<'_>, props: &Props, out: &mut Vec<Finding>) {
    let Some(style) = props.style else {
        return;
    };
    // A Makefile's recipes must start with a tab, whatever `[*]` says.
    let name = file.path.rsplit('/').next().unwrap_or(file.path);
    let makefile = matches!(name, "Makefile" | "makefile" | "GNUmakefile") || name.ends_with(".mk");
    if makefile && matches!(style, IndentStyle::Spaces) {
        return;
    }
    let a_tab_of_spaces = vec![b' '; props.size.unwrap_or(4).max(1)];
    let judge = |indent: &[u8], _: &[u8]| match style {
        IndentStyle::Spaces => indent.iter().position(|b| *b == b'\t'),
        IndentStyle::Tabs => indent.starts_with(&a_tab_of_spaces).then_some(0),
    };
    let Some((line, column, count)) = first_bad_indent(file.path, file.bytes, judge) else {
        return;
    };
    let (what, want) = match style {
        IndentStyle::Spaces => ("a tab", "indent_style = space"),
        IndentStyle::Tabs => ("spaces", "indent_style = tab"),
    };
    out.push(
        Finding::new(
            ID,
            format!(
                "indented with {what} but .editorconfig says {want} ({})",
                lines_text(count)
            ),
        )
        .at(point(line, u32::try_from(column + 1).unwrap_or(1), 1)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{Repo, CONFIG};

    #[test]
    fn tabs_under_space_and_spaces_under_tab() {
        let repo = Repo::new(CONFIG);
        assert_eq!(
            repo.check(
                ID,
                "a.py",
                b"def f():\n\treturn 1\n   x = 2\n        y = 3\n\tz\n",
            ),
            [(
                ID.into(),
                2,
                1,
                "indented with a tab but .editorconfig says indent_style = space (2 lines)".into()
            )]
        );
        assert_eq!(
            repo.check(ID, "Makefile", b"all:\n    echo hi\n"),
            [(
                ID.into(),
                2,
                1,
                "indented with spaces but .editorconfig says indent_style = tab (1 line)".into()
            )]
        );
        assert_eq!(repo.check(ID, "Makefile", b"all:\n\techo hi\n"), []);
        let spaces = Repo::new("root = true\n[*]\nindent_style = space\n");
        assert_eq!(spaces.check(ID, "docs/Makefile", b"all:\n\techo hi\n"), []);
        assert_eq!(spaces.check(ID, "build/rules.mk", b"all:\n\techo hi\n"), []);
    }

    #[test]
    fn files_no_section_applies_to_get_nothing() {
        let repo = Repo::new("root = true\n[*.py]\nindent_style = space\n");
        assert_eq!(repo.check(ID, "a.js", b"\tx\n"), []);
    }

    /// Go in a Markdown fence keeps its tabs; a tab in the page's own text
    /// is still reported.
    #[test]
    fn code_fences_keep_their_language_indentation() {
        let repo = Repo::new("root = true\n[*.md]\nindent_style = space\n");
        let page = b"# Use\n\n```go\nimport (\n\t\"fmt\"\n)\n```\n\n\tindented text\n";
        assert_eq!(
            repo.check(ID, "docs/use.md", page),
            [(
                ID.into(),
                9,
                1,
                "indented with a tab but .editorconfig says indent_style = space (1 line)".into()
            )]
        );
    }
}
