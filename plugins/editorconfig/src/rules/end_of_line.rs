//! `editorconfig/end-of-line`

use ec4rs::property::EndOfLine;
use ward_plugin_sdk::{char_count, Edit, File, Finding, RuleInfo, Severity};

use super::{lines, point, Props};

/// The rule's id.
pub const ID: &str = "editorconfig/end-of-line";

const DOCS: &str = r"## What it does
Under `end_of_line = lf`, `crlf` or `cr`, finds a file whose lines consistently end otherwise (a file that mixes endings is `text/mixed-line-endings`' finding).

## Bad
`end_of_line = lf` and a file with CRLF endings.

## Good
LF endings. `--fix` rewrites them.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "Line endings other than end_of_line says",
        Severity::Error,
        DOCS,
    )
    .fixable()
}

/// Reports a file whose lines consistently end otherwise than
/// `end_of_line` says, with the edits that rewrite every ending.
pub fn check(file: &File<'_>, props: &Props, out: &mut Vec<Finding>) {
    let Some(want) = props.end_of_line else {
        return;
    };
    let (wanted, name): (&[u8], &str) = match want {
        EndOfLine::Lf => (b"\n", "lf"),
        EndOfLine::CrLf => (b"\r\n", "crlf"),
        // Classic Mac OS endings: lines are not split on \r here; not checked.
        EndOfLine::Cr => return,
    };
    let endings: Vec<(u32, usize, &[u8], usize)> = lines(file.bytes)
        .filter(|(_, _, _, e)| !e.is_empty())
        .map(|(n, at, c, e)| (n, at, e, c.len()))
        .collect();
    let kinds: std::collections::HashSet<&[u8]> = endings.iter().map(|(_, _, e, _)| *e).collect();
    if kinds.len() != 1 || kinds.contains(wanted) {
        return; // consistent and right, or mixed (text/mixed-line-endings reports that)
    }
    let Some((line, start, _, content_len)) = endings.first().copied() else {
        return;
    };
    let content = &file.bytes[start..start + content_len];
    let column = u32::try_from(char_count(content) + 1).unwrap_or(1);
    let fix = endings
        .iter()
        .map(|(_, at, ending, len)| Edit {
            start: at + len,
            end: at + len + ending.len(),
            replacement: String::from_utf8_lossy(wanted).into_owned(),
        })
        .collect();
    out.push(
        Finding::new(
            ID,
            format!(
                "lines end with {} but .editorconfig says end_of_line = {name}",
                if kinds.contains(&b"\r\n"[..]) {
                    "CRLF"
                } else {
                    "LF"
                }
            ),
        )
        .at(point(line, column, 0))
        .with_fix(fix),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{Repo, CONFIG};

    #[test]
    fn consistent_wrong_endings_with_a_fix() {
        let repo = Repo::new(CONFIG);
        let found = repo.findings(ID, "w.md", b"a\r\nbc\r\n");
        assert_eq!(found.len(), 1);
        assert_eq!(
            (
                found[0].rule.as_str(),
                found[0].span.line,
                found[0].span.column
            ),
            (ID, 1, 2)
        );
        assert_eq!(
            found[0].message,
            "lines end with CRLF but .editorconfig says end_of_line = lf"
        );
        let edits: Vec<(usize, usize)> = found[0].fix.iter().map(|e| (e.start, e.end)).collect();
        assert_eq!(edits, [(1, 3), (5, 7)]);
    }

    #[test]
    fn mixed_or_right_endings_are_not_reported() {
        let repo = Repo::new(CONFIG);
        // Mixed endings are text/mixed-line-endings' finding, not repeated here.
        assert_eq!(repo.check(ID, "m.md", b"a\r\nb\n"), []);
        assert_eq!(repo.check(ID, "ok.md", b"a\nb\n"), []);
    }
}
