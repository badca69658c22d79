//! `structure/required-dir`

use ward_plugin_sdk::{category, EntryKind, Finding, RepoEntry, RuleInfo, Severity};

use crate::config::Compiled;

/// The rule's id.
pub const ID: &str = "structure/required-dir";

const DOCS: &str = r#"## What it does
Checks that each of `required-dirs` exists.

## Bad
`required-dirs = ["docs"]` and no `docs/`.

## Good
A `docs/` directory."#;

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A directory the repository must have is missing",
        Severity::Error,
        DOCS,
    )
    .category(category::STRUCTURE)
}

/// Reports each of `required-dirs` that the repository lacks.
pub fn check_repo(config: &Compiled, entries: &[RepoEntry<'_>], out: &mut Vec<Finding>) {
    for dir in &config.required_dirs {
        let found = entries
            .iter()
            .any(|e| e.kind == EntryKind::Dir && e.path.eq_ignore_ascii_case(dir));
        if !found {
            out.push(Finding::new(ID, format!("no `{dir}/` directory")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn required_dirs_and_extended_required_files() {
        let p = plugin(
            serde_json::json!({"required": ["SECURITY.md", "CODEOWNERS"], "required-dirs": ["docs"]}),
        );
        let found = repo_findings(
            &p,
            vec![
                entry(".github/CODEOWNERS", EntryKind::File),
                entry("security.MD", EntryKind::File),
            ],
        );
        assert_eq!(
            found,
            [(ID.into(), "".into(), "no `docs/` directory".into())]
        );
    }
}
