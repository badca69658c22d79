//! `text/invalid-utf8`

use ward_plugin_sdk::{File, Finding, RuleInfo, Severity};

use super::span_on_line;
use crate::lines::lines;
use crate::{Rule, Settings};

/// The rule's id.
pub const ID: &str = "text/invalid-utf8";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Finds text files (no NUL byte in their first 8 KiB) that are not valid UTF-8, at the first invalid byte.

## Why is this bad?
Files in another encoding (Latin-1, Windows-1252) show as garbage in editors, diffs and web views that assume UTF-8.

## Bad
```text
caf\xe9   (Latin-1 é)
```

## Good
```text
café   (UTF-8: \xc3\xa9)
```";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A text file that is not valid UTF-8",
        Severity::Error,
        DOCS,
    )
    .line_local()
}

fn check(file: &File<'_>, _: &Settings, out: &mut Vec<Finding>) {
    let bytes = file.bytes;
    let Err(error) = std::str::from_utf8(bytes) else {
        return;
    };
    let bad = error.valid_up_to();
    let bad_len = error.error_len().unwrap_or(bytes.len() - bad);
    let Some(line) = lines(bytes).find(|l| l.end > bad) else {
        return;
    };
    let mut span = span_on_line(bytes, &line, bad, bad);
    span.end_column = span.column + 1;
    let shown: Vec<String> = bytes[bad..bad + bad_len]
        .iter()
        .map(|b| format!("0x{b:02X}"))
        .collect();
    out.push(
        Finding::new(
            ID,
            format!("invalid UTF-8 byte sequence {}", shown.join(" ")),
        )
        .at(span),
    );
}

#[cfg(test)]
mod tests {
    use crate::testing::{positions, run};

    #[test]
    fn reports_the_first_bad_byte() {
        let found = run(
            &super::RULE,
            b"ok\ncaf\xe9 au lait\n\xff\n",
            &Default::default(),
        );
        assert_eq!(positions(&found), [(2, 4, 2, 5)]);
        assert_eq!(found[0].message, "invalid UTF-8 byte sequence 0xE9");
    }

    #[test]
    fn truncated_sequence_at_the_end() {
        let found = run(&super::RULE, b"\xc3\xa9\xc3", &Default::default());
        assert_eq!(positions(&found), [(1, 2, 1, 3)]);
    }

    #[test]
    fn valid_utf8_is_fine() {
        assert!(run(&super::RULE, "café ✓\n".as_bytes(), &Default::default()).is_empty());
    }
}
