//! `text/bom`

use ward_plugin_sdk::{Edit, File, Finding, RuleInfo, Severity, Span};

use crate::{Rule, Settings};

/// The rule's id.
pub const ID: &str = "text/bom";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

const DOCS: &str = r"## What it does
Finds files that start with the UTF-8 byte-order mark `EF BB BF`. Files of the Microsoft toolchain, where the mark is the default and sometimes needed, are left alone: C#, F# and VB sources, projects and Razor views, solutions, XAML, resources and PowerShell (Windows PowerShell 5.1 reads a script without the mark as ANSI). A test input that carries the mark on purpose (`tests/skip_bom.gitignore`) is a test fixture, which hygiene rules leave alone.

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

/// Extensions whose tools write the mark by default (Visual Studio) or
/// need it (Windows PowerShell 5.1 with non-ASCII text).
const MARKED_BY_THEIR_TOOLS: &[&str] = &[
    "cs", "csx", "csproj", "cshtml", "razor", "fs", "fsproj", "vb", "vbproj", "vbhtml", "sln",
    "xaml", "resx", "props", "targets", "ps1", "psm1", "psd1",
];

fn check(file: &File<'_>, _: &Settings, out: &mut Vec<Finding>) {
    if !file.bytes.starts_with(UTF8_BOM) {
        return;
    }
    let extension = file
        .path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if MARKED_BY_THEIR_TOOLS.contains(&extension.as_str()) {
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
    use crate::testing::{apply, positions, run, run_at};

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

    /// Visual Studio writes the mark in C# files and projects, and Windows
    /// PowerShell needs it; the same mark in a shell script is reported.
    #[test]
    fn microsoft_toolchain_files_keep_their_mark() {
        let input = b"\xef\xbb\xbfusing System;\n";
        for path in ["app/Program.cs", "app/App.csproj", "app.sln", "build.PS1"] {
            assert!(
                run_at(path, &super::RULE, input, &Default::default()).is_empty(),
                "{path}"
            );
        }
        let found = run_at("run.sh", &super::RULE, input, &Default::default());
        assert_eq!(positions(&found), [(1, 1, 1, 2)]);
    }
}
