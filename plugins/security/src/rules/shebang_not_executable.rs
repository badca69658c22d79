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
Rust's `#![attribute]` is not a shebang. Files another program reads rather
than runs are skipped, since their `#!` line is a leftover: a Python
package's `__init__.py`, `__main__.py`, `setup.py`, `conftest.py` and test
modules (`test_*.py`, `*_test.py`, under `test/` or `tests/`); shell
libraries and completion scripts, which are sourced (under `lib/`,
`include/`, `completion*/`, `autocomplete/`; named `env`, `common`,
`functions`, `utils`, `helpers`, `vars`, `*-lib`, `*.env`).

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

/// Whether the file is read by another program rather than run: a Python
/// package's `__init__.py`/`__main__.py` (run as `python -m`), a test
/// module (run by the test runner), a shell library or completion script
/// (sourced), an env file. Their `#!` line is a leftover, not a missing bit.
fn is_sourced(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    let dirs: Vec<&str> = path.split('/').rev().skip(1).collect();
    let in_dir = |names: &[&str]| dirs.iter().any(|d| names.contains(d));
    let python = extension == "py"
        && (matches!(stem, "__init__" | "__main__" | "conftest" | "setup")
            || stem.starts_with("test_")
            || stem.ends_with("_test")
            || stem.ends_with("_tests")
            || in_dir(&["test", "tests"]));
    let shell_library = matches!(extension, "" | "sh" | "bash" | "zsh" | "env")
        && (in_dir(&[
            "lib",
            "libs",
            "include",
            "completion",
            "completions",
            "autocomplete",
        ]) || dirs.iter().any(|d| d.contains("completion"))
            || matches!(
                stem,
                "env" | "common" | "functions" | "lib" | "library" | "utils" | "helpers" | "vars"
            )
            || stem.ends_with("-lib")
            || stem.ends_with("_lib")
            || stem.ends_with(".lib")
            || extension == "env");
    python || shell_library
}

fn check(file: &File<'_>, out: &mut Vec<Finding>) {
    if file.mode & 0o111 == 0 && has_shebang(file.bytes) && !is_sourced(file.path) {
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

    /// Modules, tests, sourced shell libraries, completions and env files
    /// keep a `#!` line they never use; a script people run does not.
    #[test]
    fn files_read_by_other_programs_are_not_scripts() {
        for path in [
            "mkdocs/__init__.py",
            "mkdocs/__main__.py",
            "mkdocs/tests/build_tests.py",
            "pkg/test_cli.py",
            "scripts/lib/common.sh",
            "contrib/autocomplete/ctr",
            "contrib/bash-completion/tool",
            "contrib/gce/env",
            "ci/functions.sh",
            "deploy.env",
        ] {
            assert_eq!(
                run(&RULE, path, b"#!/bin/bash\nx\n", 0o644, false),
                [],
                "{path}"
            );
        }
        for path in [
            "scripts/release.sh",
            "tools/gen.py",
            ".devcontainer/setup.sh",
        ] {
            assert_eq!(
                run(&RULE, path, b"#!/bin/bash\nx\n", 0o644, false).len(),
                1,
                "{path}"
            );
        }
    }
}
