//! `editorconfig/max-line-length`

use ward_plugin_sdk::{File, Finding, RuleInfo, Severity};

use super::{lines, point, Props};

/// The rule's id.
pub const ID: &str = "editorconfig/max-line-length";

const DOCS: &str = r"## What it does
Finds lines longer than `max_line_length` characters (tabs count as `tab_width`), at the first character past the limit; at most 20 per file. A line that could not be wrapped (no space or tab past the limit: a long URL, a hash, a path) is not reported, as markdownlint's MD013 does. Off by default (`'editorconfig/max-line-length' = 'warning'` in `[rules]` runs it): `max_line_length` is mostly set as an editor's ruler while a formatter (ruff, black, gofmt, prettier) owns line length in code and lets some lines through, and on the precision benchmark none of 942 findings in two projects were lines their authors would change. When on, documentation (`docs/`, READMEs, changelogs: prose, tables and links that editors wrap softly) is left out.

## Bad
`max_line_length = 80` and a 120-character line.

## Good
The line wrapped.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A line longer than max_line_length",
        Severity::Warning,
        DOCS,
    )
    .classes(&[])
    .off_by_default()
}

/// `max_line_length` findings per file: a generated file should not flood the report.
const MAX_LONG_LINES: usize = 20;

/// Whether a space or tab comes after the first `limit` columns, other than
/// at the line's end: only then could the line be wrapped to fit.
fn breakable_after(text: &str, limit: usize, tab: usize) -> bool {
    let mut column = 0;
    let trimmed = text.trim_end();
    for c in trimmed.chars() {
        column += if c == '\t' { tab } else { 1 };
        if column > limit && (c == ' ' || c == '\t') {
            return true;
        }
    }
    false
}

/// Reports lines longer than `max_line_length` (tabs count as `tab_width`).
pub fn check(file: &File<'_>, props: &Props, out: &mut Vec<Finding>) {
    let Some(limit) = props.max_line_length else {
        return;
    };
    let tab = props.tab_width.or(props.size).unwrap_or(4);
    let mut reported = 0;
    for (number, _, content, _) in lines(file.bytes) {
        let text = String::from_utf8_lossy(content);
        let width: usize = text.chars().map(|c| if c == '\t' { tab } else { 1 }).sum();
        if width > limit && breakable_after(&text, limit, tab) {
            out.push(
                Finding::new(
                    ID,
                    format!("line is {width} characters, over max_line_length = {limit}"),
                )
                .at(point(
                    number,
                    u32::try_from(limit + 1).unwrap_or(u32::MAX),
                    1,
                )),
            );
            reported += 1;
            if reported == MAX_LONG_LINES {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{Repo, CONFIG};

    #[test]
    fn a_long_line_at_the_first_character_past_the_limit() {
        let repo = Repo::new(CONFIG);
        assert_eq!(
            repo.check(ID, "long.py", b"x = 1\nthis_line_is_far_too_long = 2\n"),
            [(
                ID.into(),
                2,
                21,
                "line is 29 characters, over max_line_length = 20".into()
            )]
        );
        let many: Vec<u8> = "x "
            .repeat(15)
            .bytes()
            .chain(*b"\n")
            .cycle()
            .take(31 * 50)
            .collect();
        assert_eq!(repo.check(ID, "many.py", &many).len(), MAX_LONG_LINES);
    }

    /// A line with nowhere to break past the limit (a URL) cannot be
    /// wrapped; one that can is reported.
    #[test]
    fn lines_that_cannot_be_wrapped_are_not_reported() {
        let repo = Repo::new(CONFIG);
        let url = b"# see https://example.com/a/very/long/path\n";
        assert_eq!(repo.check(ID, "a.py", url), []);
        assert_eq!(
            repo.check(ID, "b.py", b"x = 1 + 2 + 3 + 4 + 5 + 6 + 7\n")
                .iter()
                .map(|f| (f.1, f.2))
                .collect::<Vec<_>>(),
            [(1, 21)]
        );
    }
}
