//! `text/merge-conflict`

use ward_plugin_sdk::{class, File, Finding, RuleInfo, Severity};

use super::span_on_line;
use crate::lines::lines;
use crate::{Rule, Settings};

/// The rule's id.
pub const ID: &str = "text/merge-conflict";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Finds the conflict markers git writes into a file it could not merge: `<<<<<<< `, `||||||| `, `=======` and `>>>>>>> ` at the start of a line. A lone `=======` (a reStructuredText underline, say) counts only in a file that also has an opening or closing marker.

## Why is this bad?
A committed conflict is broken code or a broken document.

## Bad
```text
<<<<<<< HEAD
port = 80
=======
port = 8080
>>>>>>> feature
```

## Good
```text
port = 8080
```";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A leftover merge conflict marker",
        Severity::Error,
        DOCS,
    )
    .line_local()
    // A conflict left in a lock file breaks the build as surely as in code.
    .classes(&[class::DOCUMENTATION, class::GENERATED])
}

const MARKER_LEN: usize = 7;

fn marker(content: &[u8]) -> Option<&'static str> {
    let labelled = |m: &[u8]| {
        content.starts_with(m) && (content.len() == MARKER_LEN || content[MARKER_LEN] == b' ')
    };
    if labelled(b"<<<<<<<") {
        Some("<<<<<<<")
    } else if labelled(b">>>>>>>") {
        Some(">>>>>>>")
    } else if labelled(b"|||||||") {
        Some("|||||||")
    } else if content == b"=======" || content.starts_with(b"======= ") {
        Some("=======")
    } else {
        None
    }
}

fn check(file: &File<'_>, _: &Settings, out: &mut Vec<Finding>) {
    let bytes = file.bytes;
    // Cheap bail-out: nearly every file has no marker at all.
    if memchr::memmem::find(bytes, b"<<<<<<<").is_none()
        && memchr::memmem::find(bytes, b">>>>>>>").is_none()
    {
        return;
    }
    let found: Vec<_> = lines(bytes)
        .filter_map(|line| marker(&bytes[line.start..line.content_end]).map(|m| (line, m)))
        .collect();
    if !found
        .iter()
        .any(|(_, m)| *m == "<<<<<<<" || *m == ">>>>>>>")
    {
        return;
    }
    for (line, m) in found {
        out.push(
            Finding::new(ID, format!("merge conflict marker `{m}`")).at(span_on_line(
                bytes,
                &line,
                line.start,
                line.start + MARKER_LEN,
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{positions, run};

    #[test]
    fn reports_every_marker_of_a_conflict() {
        let input = b"a\n<<<<<<< HEAD\nx\n||||||| base\ny\n=======\nz\n>>>>>>> feature\r\n";
        let found = run(&super::RULE, input, &Default::default());
        assert_eq!(
            positions(&found),
            [(2, 1, 2, 8), (4, 1, 4, 8), (6, 1, 6, 8), (8, 1, 8, 8)]
        );
        assert_eq!(found[0].message, "merge conflict marker `<<<<<<<`");
        assert_eq!(found[3].message, "merge conflict marker `>>>>>>>`");
    }

    #[test]
    fn a_lone_underline_is_not_a_conflict() {
        assert!(run(&super::RULE, b"Title\n=======\n", &Default::default()).is_empty());
        assert!(run(
            &super::RULE,
            b"a <<<<<<< b\n>>>>>>>>\n",
            &Default::default()
        )
        .is_empty());
    }
}
