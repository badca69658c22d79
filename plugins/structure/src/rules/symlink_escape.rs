//! `structure/symlink-escape`

use ward_plugin_sdk::{category, EntryKind, Finding, RepoEntry, RuleInfo, Severity};

use super::whole_file;

/// The rule's id.
pub const ID: &str = "structure/symlink-escape";

const DOCS: &str = r"## What it does
Finds symbolic links whose target, resolved from the link's directory without following any link, lies outside the repository (or is absolute).

## Why is this bad?
The link works on one machine and leaks or breaks everywhere else; tools that follow it read outside the checkout.

## Bad
`config -> ../../etc/app`.

## Good
`config -> ./defaults/app`.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A symlink whose target is outside the repository",
        Severity::Error,
        DOCS,
    )
    .category(category::STRUCTURE)
}

/// Reports each symlink whose target leaves the repository.
pub fn check_repo(entries: &[RepoEntry<'_>], out: &mut Vec<Finding>) {
    for e in entries.iter().filter(|e| e.kind == EntryKind::Symlink) {
        if let Some(target) = e.link_target {
            if escapes(e.path, target) {
                out.push(whole_file(
                    e.path,
                    ID,
                    format!("symlink to `{target}`, outside the repository"),
                ));
            }
        }
    }
}

/// Whether a link at `path` pointing to `target` leaves the repository,
/// resolved lexically from the link's directory (never followed).
fn escapes(path: &str, target: &str) -> bool {
    if target.starts_with('/')
        || target.starts_with('\\')
        || target.get(1..3) == Some(":\\")
        || target.get(1..3) == Some(":/")
    {
        return true;
    }
    let mut depth: Vec<&str> = path.split('/').collect();
    depth.pop(); // the link's own name
    for part in target.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                if depth.pop().is_none() {
                    return true;
                }
            }
            other => depth.push(other),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_resolved_from_the_links_directory() {
        assert!(escapes("config", "../../etc/app"));
        assert!(escapes("a/b", "../../x"));
        assert!(escapes("a/b", "/etc/passwd"));
        assert!(escapes("a/b", "C:\\Windows"));
        assert!(!escapes("a/b", "../x"));
        assert!(!escapes("config", "./defaults/app"));
        assert!(!escapes("a/b/c", "../../d/../e"));
    }
}
