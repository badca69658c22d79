//! `text/final-newline`

use ward_plugin_sdk::{char_count, Edit, File, Finding, RuleInfo, Severity, Span};

use crate::{Rule, Settings};

/// The rule's id.
pub const ID: &str = "text/final-newline";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Finds non-empty text files whose last byte is not a line feed. A file for which the project's `.editorconfig` says `insert_final_newline = false` is not reported.

## Why is this bad?
POSIX tools expect a final newline; without it `cat` glues files together and every append shows the last line as changed.

## Bad
```text
last line⏎(missing)
```

## Good
```text
last line

```

`--fix` appends the file's own line ending (`\r\n` in a CRLF file).";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A non-empty file that does not end with a newline",
        Severity::Error,
        DOCS,
    )
    .fixable()
    .line_local()
}

fn check(file: &File<'_>, _: &Settings, out: &mut Vec<Finding>) {
    let bytes = file.bytes;
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return;
    }
    let last_line_start = memchr::memrchr(b'\n', bytes).map_or(0, |i| i + 1);
    let line = u32::try_from(memchr::memchr_iter(b'\n', bytes).count() + 1).unwrap_or(u32::MAX);
    let column = u32::try_from(char_count(&bytes[last_line_start..]) + 1).unwrap_or(u32::MAX);
    let crlf = memchr::memchr(b'\n', bytes).is_some_and(|i| i > 0 && bytes[i - 1] == b'\r');
    // A file that stops between the `\r` and `\n` of a CRLF only lacks the `\n`.
    let ending = match (crlf, bytes.ends_with(b"\r")) {
        (true, true) => "\n",
        (true, false) => "\r\n",
        (false, _) => "\n",
    };
    out.push(
        Finding::new(ID, "no newline at end of file")
            .at(Span {
                line,
                column,
                end_line: line,
                end_column: column,
            })
            .with_fix(vec![Edit {
                start: bytes.len(),
                end: bytes.len(),
                replacement: ending.into(),
            }]),
    );
}

#[cfg(test)]
mod tests {
    use crate::testing::{apply, positions, run};

    #[test]
    fn reports_after_the_last_character() {
        let found = run(&super::RULE, "a\nbç".as_bytes(), &Default::default());
        assert_eq!(positions(&found), [(2, 3, 2, 3)]);
        assert_eq!(found[0].message, "no newline at end of file");
        assert_eq!(apply("a\nbç".as_bytes(), &found), "a\nbç\n".as_bytes());
    }

    #[test]
    fn fix_uses_the_files_own_line_ending() {
        let found = run(&super::RULE, b"a\r\nb", &Default::default());
        assert_eq!(apply(b"a\r\nb", &found), b"a\r\nb\r\n");
        let found = run(&super::RULE, b"a\r\nb\r", &Default::default());
        assert_eq!(apply(b"a\r\nb\r", &found), b"a\r\nb\r\n");
    }

    #[test]
    fn empty_and_terminated_files_are_fine() {
        assert!(run(&super::RULE, b"", &Default::default()).is_empty());
        assert!(run(&super::RULE, b"a\n", &Default::default()).is_empty());
        assert!(run(&super::RULE, b"a\r\n", &Default::default()).is_empty());
    }
}
