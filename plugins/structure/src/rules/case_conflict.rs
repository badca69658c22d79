//! `structure/case-conflict`

use std::borrow::Cow;
use std::collections::HashMap;

use ward_plugin_sdk::{category, Finding, RepoEntry, RuleInfo, Severity};

use super::whole_file;

/// The rule's id.
pub const ID: &str = "structure/case-conflict";

const DOCS: &str = r"## What it does
Finds paths equal but for case.

## Why is this bad?
On macOS and Windows they are one file: checkouts break.

## Bad
`README.md` and `readme.md`.

## Good
One of them.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "Two paths that differ only in letter case",
        Severity::Error,
        DOCS,
    )
    .category(category::STRUCTURE)
}

/// Reports each path equal to an earlier one but for letter case.
pub fn check_repo(entries: &[RepoEntry<'_>], out: &mut Vec<Finding>) {
    let mut seen: HashMap<Cow<'_, str>, &str> = HashMap::with_capacity(entries.len());
    for e in entries {
        // Most paths are lower case already: only the others are copied to fold them.
        let unchanged_by_folding = e.path.chars().all(|c| {
            let mut lower = c.to_lowercase();
            lower.next() == Some(c) && lower.next().is_none()
        });
        let folded = if unchanged_by_folding {
            Cow::Borrowed(e.path)
        } else {
            Cow::Owned(e.path.to_lowercase())
        };
        if let Some(first) = seen.get(&folded) {
            if *first != e.path {
                out.push(whole_file(
                    e.path,
                    ID,
                    format!("`{}` and `{first}` differ only in case", e.path),
                ));
            }
        } else {
            seen.insert(folded, e.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn case_conflicts_and_symlink_escapes() {
        let p = plugin(serde_json::json!({"required": []}));
        let mut link_out = entry("config/link", EntryKind::Symlink);
        link_out.link_target = Some("../../etc/passwd");
        let mut link_in = entry("config/ok", EntryKind::Symlink);
        link_in.link_target = Some("../defaults/app.toml");
        let mut absolute = entry("abs", EntryKind::Symlink);
        absolute.link_target = Some("/etc/hosts");
        let found = repo_findings(
            &p,
            vec![
                entry("README.md", EntryKind::File),
                entry("readme.md", EntryKind::File),
                link_out,
                link_in,
                absolute,
            ],
        );
        assert_eq!(
            found,
            [
                (
                    ID.into(),
                    "readme.md".into(),
                    "`readme.md` and `README.md` differ only in case".into()
                ),
                (
                    "structure/symlink-escape".into(),
                    "config/link".into(),
                    "symlink to `../../etc/passwd`, outside the repository".into()
                ),
                (
                    "structure/symlink-escape".into(),
                    "abs".into(),
                    "symlink to `/etc/hosts`, outside the repository".into()
                ),
            ]
        );
    }
}
