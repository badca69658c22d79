//! `text/todo`

use ward_plugin_sdk::{File, Finding, RuleInfo, Severity};

use super::span_on_line;
use crate::lines::lines;
use crate::{Rule, Settings};

/// The rule's id.
pub const ID: &str = "text/todo";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Off by default: with `[plugins.text] todo = true`, finds `TODO`, `FIXME`, `XXX` and `HACK` written in capitals as a word inside a comment (after `//`, `#`, `/*`, `*`, `--`, `;`, `<!--` or `%` on the same line). The summary then counts the markers per directory.

## Why is this bad?
Markers are debt nobody tracks; counting them shows where it piles up.

## Bad
```python
x = parse(s)  # TODO: handle errors
```

## Good
```python
x = parse(s)  # see issue #412 for error handling
```";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A TODO, FIXME, XXX or HACK marker in a comment",
        Severity::Info,
        DOCS,
    )
    .line_local()
    .tally_by_directory()
}

const MARKERS: &[&[u8]] = &[b"TODO", b"FIXME", b"XXX", b"HACK"];

const COMMENT_LEADERS: &[&[u8]] = &[b"//", b"#", b"/*", b"*", b"--", b";", b"<!--", b"%"];

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Where a comment starts on the line, if anywhere.
fn comment_start(line: &[u8]) -> Option<usize> {
    COMMENT_LEADERS
        .iter()
        .filter_map(|leader| memchr::memmem::find(line, leader))
        .min()
}

fn check(file: &File<'_>, settings: &Settings, out: &mut Vec<Finding>) {
    if !settings.todo {
        return;
    }
    let bytes = file.bytes;
    // Cheap bail-out: most files have none of the markers.
    if !MARKERS
        .iter()
        .any(|m| memchr::memmem::find(bytes, m).is_some())
    {
        return;
    }
    let first = out.len();
    for line in lines(bytes) {
        // Past the engine's cap nothing more is kept: stop holding more.
        if out.len() > first + ward_plugin_sdk::MAX_FINDINGS_PER_FILE {
            break;
        }
        let content = &bytes[line.start..line.content_end];
        let Some(comment) = comment_start(content) else {
            continue;
        };
        let mut at = comment;
        while at < content.len() {
            let found = MARKERS.iter().find(|m| content[at..].starts_with(m));
            match found {
                Some(marker)
                    if (at == 0 || !is_word_byte(content[at - 1]))
                        && content
                            .get(at + marker.len())
                            .is_none_or(|b| !is_word_byte(*b)) =>
                {
                    let start = line.start + at;
                    let name = String::from_utf8_lossy(marker);
                    out.push(Finding::new(ID, format!("{name} marker")).at(span_on_line(
                        bytes,
                        &line,
                        start,
                        start + marker.len(),
                    )));
                    at += marker.len();
                }
                _ => at += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{positions, run};

    fn on() -> Settings {
        Settings {
            todo: true,
            ..Settings::default()
        }
    }

    #[test]
    fn markers_in_comments_are_found_where_they_are() {
        let bytes =
            b"x = 1  # TODO: later\n// FIXME and XXX\nlet todo = TODO_LIST;\n/* HACK */ y\nplain TODO text\n";
        let found = run(&RULE, bytes, &on());
        assert_eq!(
            positions(&found),
            [(1, 10, 1, 14), (2, 4, 2, 9), (2, 14, 2, 17), (4, 4, 4, 8)]
        );
        assert_eq!(found[0].message, "TODO marker");
        assert_eq!(found[1].message, "FIXME marker");
    }

    #[test]
    fn off_by_default_and_clean_files_have_none() {
        assert!(run(&RULE, b"# TODO: later\n", &Settings::default()).is_empty());
        assert!(run(&RULE, b"# all done\nTODO outside a comment\n", &on()).is_empty());
        assert!(run(&RULE, b"// TODOS and XXXL are words\n", &on()).is_empty());
    }
}
