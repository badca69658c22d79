//! `security/exec-bit`

use ward_plugin_sdk::{category, File, Finding, RuleInfo, Severity};

use super::{has_shebang, mode_text};
use crate::Rule;

/// The rule's id.
pub const ID: &str = "security/exec-bit";

/// The rule.
pub const RULE: Rule = Rule { info, check };

/// Extensions of files that are executable by nature without a shebang.
const NATIVE_EXECUTABLES: &[&str] = &[
    "exe", "bat", "cmd", "ps1", "com", "dll", "so", "dylib", "jar", "appimage", "bin",
];

const DOCS: &str = r"## What it does
Finds text files with an executable bit but no `#!` line. Binaries and files
executable by nature (`.exe`, `.bat`, `.cmd`, `.ps1`, `.dll`, `.so`, `.jar`…)
are fine. The bit comes from the git index where the file is tracked, so the
rule holds on filesystems without permission bits.

## Why is this bad?
Usually a mode copied from another filesystem; running it does something surprising.

## Bad
`README.md` with mode 755.

## Good
`README.md` with mode 644 (`git update-index --chmod=-x README.md`).";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "An executable file that is not a script or a binary",
        Severity::Warning,
        DOCS,
    )
    .category(category::SECURITY)
}

fn check(file: &File<'_>, out: &mut Vec<Finding>) {
    let name = file.path.rsplit('/').next().unwrap_or(file.path);
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if file.mode & 0o111 != 0
        && !file.is_binary
        && !has_shebang(file.bytes)
        && !file.bytes.is_empty()
        && !NATIVE_EXECUTABLES.contains(&extension.as_str())
    {
        out.push(Finding::new(
            ID,
            format!(
                "executable (mode {}) but has no #! line",
                mode_text(file.mode)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::run;

    #[test]
    fn an_executable_text_file_without_a_shebang() {
        assert_eq!(
            run(&RULE, "README.md", b"# hi\n", 0o755, false),
            [(ID.into(), "executable (mode 755) but has no #! line".into())]
        );
    }

    #[test]
    fn scripts_binaries_and_native_executables_are_fine() {
        assert_eq!(run(&RULE, "run.sh", b"#!/bin/sh\n", 0o755, false), []);
        assert_eq!(run(&RULE, "tool", b"\x7fELF\0", 0o755, true), []);
        assert_eq!(run(&RULE, "setup.bat", b"@echo off\n", 0o755, false), []);
        assert_eq!(run(&RULE, "README.md", b"# hi\n", 0o644, false), []);
        assert_eq!(run(&RULE, "empty", b"", 0o755, false), []);
    }
}
