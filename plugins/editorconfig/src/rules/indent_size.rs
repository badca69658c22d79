//! `editorconfig/indent-size`

use ec4rs::property::IndentStyle;
use ward_plugin_sdk::{File, Finding, RuleInfo, Severity};

use super::{indentation, lines, point, Props};

/// The rule's id.
pub const ID: &str = "editorconfig/indent-size";

const DOCS: &str = r"## What it does
Under `indent_style = space` and `indent_size = N`, finds lines whose leading spaces are not a multiple of N (lines inside block comments that start with ` *` are skipped). Reported once per file, at the first such line, with the count.

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
    if n == 0 {
        return;
    }
    let mut first: Option<(u32, usize)> = None;
    let mut count = 0usize;
    for (number, _, content, _) in lines(file.bytes) {
        let Some(indent) = indentation(content) else {
            continue;
        };
        // ` * ` continuation lines of block comments sit one space off by design.
        let comment = content[indent.len()..].starts_with(b"*");
        if !indent.contains(&b'\t') && indent.len() % n != 0 && !comment {
            count += 1;
            first.get_or_insert((number, indent.len()));
        }
    }
    if let Some((line, width)) = first {
        out.push(
            Finding::new(
                ID,
                format!(
                    "indented by {width} spaces, not a multiple of indent_size = {n} ({count} line{})",
                    if count == 1 { "" } else { "s" }
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
}
