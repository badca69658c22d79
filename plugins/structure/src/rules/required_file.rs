//! `structure/required-file`

use ward_plugin_sdk::{category, Finding, RepoEntry, RuleInfo, Severity};

use crate::config::Compiled;

/// The rule's id.
pub const ID: &str = "structure/required-file";

const DOCS: &str = r#"## What it does
Checks that each `required` name exists at the top of the repository, matched case-insensitively with any extension (`README` matches `readme.md`). An entry may be a list of alternatives: `["LICENSE", "COPYING"]`.

Default: a README and a LICENSE. Also available: `CHANGELOG`, `SECURITY.md`, `CONTRIBUTING.md`, `.editorconfig`, `.gitignore`, `CODEOWNERS` (looked for in `.github/` and `docs/` too).

## Bad
A repository with `src/` only.

## Good
`README.md` and `LICENSE` beside `src/`."#;

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A file the repository must have is missing",
        Severity::Error,
        DOCS,
    )
    .category(category::DOCUMENTATION)
}

/// Reports each required file that the repository's top (or `.github/`,
/// `docs/`) lacks.
pub fn check_repo(config: &Compiled, entries: &[RepoEntry<'_>], out: &mut Vec<Finding>) {
    for missing in config.missing_files(entries) {
        out.push(Finding::new(ID, missing));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn required_files_match_any_case_and_extension_and_alternatives() {
        let p = plugin(serde_json::Value::Null);
        let found = repo_findings(
            &p,
            vec![
                entry("src", EntryKind::Dir),
                entry("src/main.rs", EntryKind::File),
            ],
        );
        assert_eq!(
            found,
            [
                (
                    ID.into(),
                    "".into(),
                    "no README file (any extension, any case)".into()
                ),
                (
                    ID.into(),
                    "".into(),
                    "none of LICENSE, LICENCE, COPYING (any extension, any case)".into()
                ),
            ]
        );
        let clean = repo_findings(
            &p,
            vec![
                entry("readme.rst", EntryKind::File),
                entry("COPYING", EntryKind::File),
            ],
        );
        assert_eq!(clean, []);
        // Not deeper than .github/ or docs/.
        let nested = repo_findings(
            &p,
            vec![
                entry("src/README.md", EntryKind::File),
                entry("docs/LICENSE.txt", EntryKind::File),
            ],
        );
        assert_eq!(nested.len(), 1);
    }
}
