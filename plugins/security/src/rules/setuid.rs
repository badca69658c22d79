//! `security/setuid`

use ward_plugin_sdk::{category, File, Finding, RuleInfo, Severity};

use super::mode_text;
use crate::Rule;

/// The rule's id.
pub const ID: &str = "security/setuid";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Finds files with the setuid or setgid bit.

## Why is this bad?
Running them grants their owner's or group's rights; a repository should never carry that.

## Bad
Mode 4755.

## Good
Mode 755.";

fn info() -> RuleInfo {
    RuleInfo::new(ID, "A setuid or setgid file", Severity::Error, DOCS).category(category::SECURITY)
}

fn check(file: &File<'_>, out: &mut Vec<Finding>) {
    if file.mode & 0o6000 != 0 {
        let which = if file.mode & 0o4000 != 0 {
            "setuid"
        } else {
            "setgid"
        };
        out.push(Finding::new(
            ID,
            format!("{which} (mode {})", mode_text(file.mode)),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::run;

    #[test]
    fn setuid_and_setgid_files() {
        assert_eq!(
            run(&RULE, "b", b"#!/bin/sh\n", 0o4755, false),
            [(ID.into(), "setuid (mode 4755)".into())]
        );
        assert_eq!(
            run(&RULE, "c", b"#!/bin/sh\n", 0o2755, false),
            [(ID.into(), "setgid (mode 2755)".into())]
        );
        assert_eq!(run(&RULE, "d", b"#!/bin/sh\n", 0o755, false), []);
    }
}
