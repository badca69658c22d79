//! `security/world-writable`

use ward_plugin_sdk::{category, File, Finding, RuleInfo, Severity};

use super::mode_text;
use crate::Rule;

/// The rule's id.
pub const ID: &str = "security/world-writable";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Finds files with the world-writable bit (`o+w`).

## Why is this bad?
Anyone on the machine that checks the repository out can change the file.

## Bad
Mode 666 or 777.

## Good
Mode 644 or 755.";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A file anyone on the machine can write",
        Severity::Error,
        DOCS,
    )
    .category(category::SECURITY)
}

fn check(file: &File<'_>, out: &mut Vec<Finding>) {
    if file.mode & 0o002 != 0 {
        out.push(Finding::new(
            ID,
            format!("world-writable (mode {})", mode_text(file.mode)),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::run;

    #[test]
    fn a_world_writable_file() {
        assert_eq!(
            run(&RULE, "a.txt", b"x\n", 0o666, false),
            [(ID.into(), "world-writable (mode 666)".into())]
        );
        assert_eq!(run(&RULE, "d.txt", b"x\n", 0o644, false), []);
    }
}
