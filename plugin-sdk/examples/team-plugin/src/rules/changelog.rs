//! `team/changelog`: a repository keeps a changelog at its root.

use ward_plugin_sdk::{category, EntryKind, Finding, Repo, RuleInfo, Severity};

pub const ID: &str = "team/changelog";

pub fn rule() -> RuleInfo {
    let docs = "## Bad\nNo CHANGELOG.md.\n\n## Good\nA `CHANGELOG.md` with a section per release.";
    RuleInfo::new(ID, "No CHANGELOG.md at the root", Severity::Error, docs)
        .category(category::DOCUMENTATION)
}

pub fn check(repo: &Repo<'_>, out: &mut Vec<Finding>) {
    let has = |name: &str| {
        repo.entries()
            .iter()
            .any(|e| e.path == name && e.kind == EntryKind::File)
    };
    if !has("CHANGELOG.md") {
        out.push(Finding::new(ID, "no CHANGELOG.md at the root"));
    }
}
