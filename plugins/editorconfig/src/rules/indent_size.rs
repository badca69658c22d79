//! `editorconfig/indent-size`

use ec4rs::property::IndentStyle;
use ward_plugin_sdk::{File, Finding, RuleInfo, Severity};

use super::{first_bad_indent, is_prose, lines_text, point, Props};

/// The rule's id.
pub const ID: &str = "editorconfig/indent-size";

const DOCS: &str = r"## What it does
Under `indent_style = space` and `indent_size = N`, finds lines whose leading spaces are not a multiple of N. Lines inside `/* … */` block comments (license headers aligned by 3, ` *` continuations) and Python triple-quoted strings (expected output in tests) are skipped, and so are prose files (Markdown, reStructuredText, AsciiDoc), whose indentation their markup decides: a list item's continuation aligns with its text, a reST directive's options with its name. Reported once per file, at the first such line, with the count.

## Bad
`indent_size = 4` and a line indented by 3 spaces.

## Good
Indented by 4 or 8.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "Space indentation that is not a multiple of indent_size",
        Severity::Warning,
        DOCS,
    )
}

/// Reports, once per file, space indentation that is not a multiple of
/// `indent_size` (block-comment ` *` lines excepted).
pub fn check(file: &File<'_>, props: &Props, out: &mut Vec<Finding>) {
    let (Some(IndentStyle::Spaces), Some(n)) = (props.style, props.size) else {
        return;
    };
    if n == 0 || is_prose(file.path) {
        return;
    }
    // ` * ` continuation lines of block comments sit one space off by design.
    let judge = |indent: &[u8], rest: &[u8]| {
        (!indent.contains(&b'\t') && !indent.len().is_multiple_of(n) && !rest.starts_with(b"*"))
            .then_some(indent.len())
    };
    if let Some((line, width, count)) = first_bad_indent(file.path, file.bytes, judge) {
        out.push(
            Finding::new(
                ID,
                format!(
                    "indented by {width} spaces, not a multiple of indent_size = {n} ({})",
                    lines_text(count)
                ),
            )
            .at(point(line, 1, u32::try_from(width).unwrap_or(1))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{Repo, CONFIG};

    #[test]
    fn an_indent_that_is_not_a_multiple_of_the_size() {
        let repo = Repo::new(CONFIG);
        assert_eq!(
            repo.check(
                ID,
                "a.py",
                b"def f():\n\treturn 1\n   x = 2\n        y = 3\n\tz\n",
            ),
            [(
                ID.into(),
                3,
                1,
                "indented by 3 spaces, not a multiple of indent_size = 4 (1 line)".into()
            )]
        );
        assert_eq!(
            repo.check(
                ID,
                "b.py",
                b"def f():\n    return 1\n    /*\n     * comment\n     */\n"
            ),
            []
        );
    }

    /// A license header aligned by 3 inside `/* */`, and prose markup whose
    /// indentation its own rules decide, are not judged; code after the
    /// comment still is.
    #[test]
    fn block_comments_and_prose_are_not_judged() {
        let repo = Repo::new("root = true\n[*]\nindent_style = space\nindent_size = 2\n");
        assert_eq!(
            repo.check(
                ID,
                "a.proto",
                b"/*\n   Copyright the authors.\n   Licensed.\n*/\nmessage A {\n   int32 x = 1;\n}\n",
            ),
            [(
                ID.into(),
                6,
                1,
                "indented by 3 spaces, not a multiple of indent_size = 2 (1 line)".into()
            )]
        );
        assert_eq!(
            repo.check(ID, "api.rst", b".. autoclass:: Flask\n   :members:\n"),
            []
        );
        assert_eq!(repo.check(ID, "list.md", b"1. one\n   more\n"), []);
        let test = b"def test():\n    expected = '''\n      - line\n    '''\n   bad = 1\n";
        assert_eq!(
            repo.check(ID, "t.py", test)
                .iter()
                .map(|f| f.1)
                .collect::<Vec<_>>(),
            [5]
        );
    }
}
