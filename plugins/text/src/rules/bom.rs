//! `text/bom`

use ward_plugin_sdk::{Edit, File, Finding, RuleInfo, Severity, Span};

use crate::{Rule, Settings};

/// The rule's id.
pub const ID: &str = "text/bom";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

const DOCS: &str = r"## What it does
Finds files that start with the UTF-8 byte-order mark `EF BB BF`.

## Why is this bad?
UTF-8 has no byte order; the mark breaks shebangs, JSON parsers and concatenation, and shows as `ï»¿` in tools that do not expect it.

## Bad
```text
\xEF\xBB\xBF#!/bin/sh
```

## Good
```text
#!/bin/sh
```

`--fix` removes the mark.";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A UTF-8 byte-order mark at the start of a file",
        Severity::Warning,
        DOCS,
    )
    .fixable()
}

fn check(file: &File<'_>, _: &Settings, out: &mut Vec<Finding>) {
    if !file.bytes.starts_with(UTF8_BOM) {
        return;
    }
    out.push(
        Finding::new(ID, "UTF-8 byte-order mark")
            .at(Span {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 2,
            })
            .with_fix(vec![Edit {
                start: 0,
                end: UTF8_BOM.len(),
                replacement: String::new(),
            }]),
    );
}

#[cfg(test)]
mod tests {
    use crate::testing::{apply, positions, run};

    #[test]
    fn reports_and_removes_the_mark() {
        let input = b"\xef\xbb\xbfa\n";
        let found = run(&super::RULE, input, &Default::default());
        assert_eq!(positions(&found), [(1, 1, 1, 2)]);
        assert_eq!(apply(input, &found), b"a\n");
    }

    #[test]
    fn no_mark_no_finding() {
        assert!(run(&super::RULE, b"a\xef\xbb\xbf\n", &Default::default()).is_empty());
    }
}
