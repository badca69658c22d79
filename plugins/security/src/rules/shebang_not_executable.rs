//! `security/shebang-not-executable`

use ward_plugin_sdk::{category, File, Finding, RuleInfo, Severity};

use super::{has_shebang, mode_text};
use crate::Rule;

/// The rule's id.
pub const ID: &str = "security/shebang-not-executable";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Finds files that start with `#!/` (or `#! /`) but have no executable bit.
Rust's `#![attribute]` is not a shebang.

## Bad
`scripts/deploy.sh` starting with `#!/bin/sh`, mode 644.

## Good
Mode 755 (`git update-index --chmod=+x scripts/deploy.sh`), or no `#!` line for a file that is only sourced.";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A script with a #! line that is not executable",
        Severity::Warning,
        DOCS,
    )
    .category(category::SECURITY)
}

fn check(file: &File<'_>, out: &mut Vec<Finding>) {
    if file.mode & 0o111 == 0 && has_shebang(file.bytes) {
        let first_line = file.bytes.split(|b| *b == b'\n').next().unwrap_or_default();
        out.push(Finding::new(
            ID,
            format!(
                "starts with `{}` but is not executable (mode {})",
                String::from_utf8_lossy(first_line).trim_end(),
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
    fn a_script_without_its_exec_bit() {
        assert_eq!(
            run(
                &RULE,
                "deploy.sh",
                b"#!/usr/bin/env bash\nset -e\n",
                0o644,
                false
            ),
            [(
                ID.into(),
                "starts with `#!/usr/bin/env bash` but is not executable (mode 644)".into()
            )]
        );
    }

    #[test]
    fn rust_attributes_and_executable_scripts_are_fine() {
        assert_eq!(
            run(&RULE, "lib.rs", b"#![deny(missing_docs)]\n", 0o644, false),
            []
        );
        assert_eq!(run(&RULE, "run.sh", b"#!/bin/sh\n", 0o755, false), []);
    }
}
