//! `text/trailing-whitespace`

use ward_plugin_sdk::{Edit, File, Finding, RuleInfo, Severity};

use super::span_on_line;
use crate::lines::lines;
use crate::{Rule, Settings};

/// The rule's id.
pub const ID: &str = "text/trailing-whitespace";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Finds spaces and tabs at the end of a line. The `\r` of a CRLF line ending is part of the ending, not whitespace. In Markdown files (`.md`, `.markdown`) the last two spaces of a line of text are a hard line break and stay, as with pre-commit's `--markdown-linebreak-ext`; only whitespace before them is reported. `[plugins.text] markdown-line-breaks = false` reports them too. A file for which the project's `.editorconfig` says `trim_trailing_whitespace = false` is not reported: the project keeps that whitespace on purpose.

## Why is this bad?
Invisible characters make noisy diffs and merge conflicts.

## Bad
```text
let x = 1;␠␠
```

## Good
```text
let x = 1;
```

`--fix` deletes the trailing characters.";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "Spaces or tabs before the end of a line",
        Severity::Error,
        DOCS,
    )
    .fixable()
    .line_local()
}

fn is_markdown(path: &str) -> bool {
    // Asked of every text file: compared in place, not lowercased.
    let ends_with = |suffix: &str| {
        path.len() >= suffix.len()
            && path.as_bytes()[path.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    ends_with(".md") || ends_with(".markdown")
}

fn check(file: &File<'_>, settings: &Settings, out: &mut Vec<Finding>) {
    let bytes = file.bytes;
    let hard_breaks = settings.markdown_line_breaks && is_markdown(file.path);
    let first = out.len();
    for line in lines(bytes) {
        // Past the engine's cap nothing more is kept: stop holding more.
        if out.len() > first + ward_plugin_sdk::MAX_FINDINGS_PER_FILE {
            break;
        }
        let content = &bytes[line.start..line.content_end];
        let kept = content
            .iter()
            .rposition(|b| *b != b' ' && *b != b'\t')
            .map_or(0, |i| i + 1);
        // Removing a hard line break would join two lines of the rendered
        // document; only the line's own last character decides, so the
        // rule stays line-local for files read in pieces.
        let end = if hard_breaks && kept > 0 && content.ends_with(b"  ") {
            content.len() - 2
        } else {
            content.len()
        };
        if kept >= end {
            continue;
        }
        let (start, end) = (line.start + kept, line.start + end);
        let count = end - start;
        out.push(
            Finding::new(
                ID,
                format!(
                    "{count} trailing whitespace character{}",
                    if count == 1 { "" } else { "s" }
                ),
            )
            .at(span_on_line(bytes, &line, start, end))
            .with_fix(vec![Edit {
                start,
                end,
                replacement: String::new(),
            }]),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{apply, positions, run};

    #[test]
    fn reports_the_first_trailing_character() {
        let found = run(
            &super::RULE,
            "ok\nab \t\n  çx  \n".as_bytes(),
            &Default::default(),
        );
        assert_eq!(positions(&found), [(2, 3, 2, 5), (3, 5, 3, 7)]);
        assert_eq!(found[0].rule, "text/trailing-whitespace");
        assert_eq!(found[0].message, "2 trailing whitespace characters");
    }

    #[test]
    fn crlf_is_not_whitespace_but_space_before_it_is() {
        let found = run(&super::RULE, b"a\r\nb \r\nc", &Default::default());
        assert_eq!(positions(&found), [(2, 2, 2, 3)]);
        assert_eq!(apply(b"a\r\nb \r\nc", &found), b"a\r\nb\r\nc");
    }

    #[test]
    fn last_line_without_newline_and_blank_lines() {
        let found = run(&super::RULE, b"x\n   \ny\t", &Default::default());
        assert_eq!(positions(&found), [(2, 1, 2, 4), (3, 2, 3, 3)]);
    }

    #[test]
    fn markdown_hard_line_breaks_stay_and_only_what_precedes_them_goes() {
        use crate::testing::run_at;
        let text = b"two  \nthree   \ntab\t  \n   \nsingle \nend  ";
        let found = run_at("docs/a.md", &super::RULE, text, &Default::default());
        assert_eq!(
            positions(&found),
            [(2, 6, 2, 7), (3, 4, 3, 5), (4, 1, 4, 4), (5, 7, 5, 8)]
        );
        assert_eq!(
            apply(text, &found),
            b"two  \nthree  \ntab  \n\nsingle\nend  "
        );
        assert!(run_at(
            "README.MD",
            &super::RULE,
            b"a  \r\nb\r\n",
            &Default::default()
        )
        .is_empty());
        // Elsewhere, or with the setting off, two spaces are whitespace.
        let strict = crate::Settings {
            markdown_line_breaks: false,
            ..Default::default()
        };
        assert_eq!(
            positions(&run_at("a.md", &super::RULE, b"a  \n", &strict)),
            [(1, 2, 1, 4)]
        );
        assert_eq!(
            positions(&run_at(
                "a.txt",
                &super::RULE,
                b"a  \n",
                &Default::default()
            )),
            [(1, 2, 1, 4)]
        );
    }

    #[test]
    fn clean_text_has_no_findings() {
        assert!(run(&super::RULE, b"a\nb\r\n\n c\n", &Default::default()).is_empty());
    }
}
