//! `text/mixed-line-endings`

use ward_plugin_sdk::{Edit, File, Finding, RuleInfo, Severity};

use super::span_on_line;
use crate::lines::lines;
use crate::{LineEndingPolicy, Rule, Settings};

/// The rule's id.
pub const ID: &str = "text/mixed-line-endings";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r#"## What it does
Finds files whose lines end in both `\n` and `\r\n`. With `[plugins.text] line-endings = "lf"` (or `"crlf"`) every line must end that way. The finding points at the first line that breaks the rule and counts the rest.

## Why is this bad?
Mixed endings make whole-file diffs and confuse tools that guess the style from the first line.

## Bad
```text
first⏎
second␍⏎
```

## Good
```text
first⏎
second⏎
```

`--fix` rewrites every line ending to the policy's style (in `auto`, the majority style; LF on a tie)."#;

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A file that mixes LF and CRLF line endings, or breaks the line-ending policy",
        Severity::Error,
        DOCS,
    )
    .fixable()
}

fn check(file: &File<'_>, settings: &Settings, out: &mut Vec<Finding>) {
    let bytes = file.bytes;
    let (mut lf, mut crlf) = (0usize, 0usize);
    for line in lines(bytes) {
        match line.ending(bytes) {
            b"\n" => lf += 1,
            b"\r\n" => crlf += 1,
            _ => {}
        }
    }
    let want_crlf = match settings.line_endings {
        LineEndingPolicy::Auto if lf > 0 && crlf > 0 => crlf > lf,
        LineEndingPolicy::Auto => return,
        LineEndingPolicy::Lf if crlf > 0 => false,
        LineEndingPolicy::Crlf if lf > 0 => true,
        LineEndingPolicy::Lf | LineEndingPolicy::Crlf => return,
    };
    let (wrong, want, got) = if want_crlf {
        (lf, "CRLF", "LF")
    } else {
        (crlf, "LF", "CRLF")
    };
    let mut first = None;
    let mut fix = Vec::with_capacity(wrong);
    for line in lines(bytes) {
        let ending = line.ending(bytes);
        let is_wrong = if want_crlf {
            ending == b"\n"
        } else {
            ending == b"\r\n"
        };
        if !is_wrong {
            continue;
        }
        first.get_or_insert(line);
        fix.push(Edit {
            start: line.content_end,
            end: line.end,
            replacement: if want_crlf { "\r\n" } else { "\n" }.into(),
        });
    }
    let Some(line) = first else { return };
    let why = match settings.line_endings {
        LineEndingPolicy::Auto => format!("most lines of this file end with {want}"),
        _ => format!("the configured line endings are {want}"),
    };
    out.push(
        Finding::new(
            ID,
            format!(
                "line ends with {got} but {why} ({wrong} line{} to change)",
                if wrong == 1 { "" } else { "s" }
            ),
        )
        .at(span_on_line(
            bytes,
            &line,
            line.content_end,
            line.content_end,
        ))
        .with_fix(fix),
    );
}

#[cfg(test)]
mod tests {
    use crate::testing::{apply, positions, run};
    use crate::{LineEndingPolicy, Settings};

    fn policy(line_endings: LineEndingPolicy) -> Settings {
        Settings {
            line_endings,
            ..Settings::default()
        }
    }

    #[test]
    fn reports_the_first_minority_ending() {
        let input = b"a\nbb\r\nc\nd\n";
        let found = run(&super::RULE, input, &Default::default());
        assert_eq!(positions(&found), [(2, 3, 2, 3)]);
        assert_eq!(
            found[0].message,
            "line ends with CRLF but most lines of this file end with LF (1 line to change)"
        );
        assert_eq!(apply(input, &found), b"a\nbb\nc\nd\n");
    }

    #[test]
    fn consistent_crlf_is_fine_by_default_but_not_under_lf_policy() {
        let input = b"a\r\nb\r\n";
        assert!(run(&super::RULE, input, &Default::default()).is_empty());
        let found = run(&super::RULE, input, &policy(LineEndingPolicy::Lf));
        assert_eq!(positions(&found), [(1, 2, 1, 2)]);
        assert_eq!(apply(input, &found), b"a\nb\n");
    }

    #[test]
    fn crlf_policy_converts_bare_lf() {
        let input = b"a\nb\r\nc\n";
        let found = run(&super::RULE, input, &policy(LineEndingPolicy::Crlf));
        assert_eq!(positions(&found), [(1, 2, 1, 2)]);
        assert_eq!(
            found[0].message,
            "line ends with LF but the configured line endings are CRLF (2 lines to change)"
        );
        assert_eq!(apply(input, &found), b"a\r\nb\r\nc\r\n");
    }

    #[test]
    fn consistent_files_are_fine() {
        assert!(run(&super::RULE, b"a\nb\nc", &Default::default()).is_empty());
        assert!(run(&super::RULE, b"a\nb\n", &policy(LineEndingPolicy::Lf)).is_empty());
    }
}
