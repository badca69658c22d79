//! `workflows/branch-pin`

use ward_plugin_sdk::{category, Finding, RuleInfo, Severity};

use crate::workflow::{Pin, Workflow};
use crate::Rule;

/// The rule's id.
pub const ID: &str = "workflows/branch-pin";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Reports `uses: owner/repo@REF` where `REF` is neither a full 40-character commit SHA nor a version tag (`v4`, `v1.2.3`, `1.0`).

## Why is this bad?
A branch moves: every run may execute different code, which is how a compromised action reaches your secrets.

## Bad
```yaml
- uses: actions/checkout@main
```

## Good
```yaml
- uses: actions/checkout@v4
- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
```";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "An action pinned to a branch instead of a tag or commit",
        Severity::Warning,
        DOCS,
    )
    .category(category::CI)
}

fn check(workflow: &Workflow<'_>, out: &mut Vec<Finding>) {
    for uses in workflow.uses() {
        if let Some(Pin::Branch(message)) = &uses.problem {
            out.push(Finding::new(ID, message.clone()).at(uses.span));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::run;

    #[test]
    fn a_branch_ref_but_not_a_tag_or_a_commit() {
        let text = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout\n      - uses: 'actions/setup-node@main'\n      - name: n\n        uses: owner/repo/path@release/v2 # comment\n      - uses: actions/cache@11bd71901bbe5b1630ceea73d27597364c9af683\n  b:\n    uses: org/wf/.github/workflows/w.yml@v1.2.3\n";
        assert_eq!(
            run(&RULE, text),
            [
                (ID.into(), 7, 16, "`actions/setup-node` is pinned to `main`, which looks like a branch: pin a tag or a commit SHA".into()),
                (ID.into(), 9, 15, "`owner/repo/path` is pinned to `release/v2`, which looks like a branch: pin a tag or a commit SHA".into()),
            ]
        );
    }
}
