//! `workflows/unpinned-action`

use ward_plugin_sdk::{category, Finding, RuleInfo, Severity};

use crate::workflow::{Pin, Workflow};
use crate::Rule;

/// The rule's id.
pub const ID: &str = "workflows/unpinned-action";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Reports `uses: owner/repo` (or `owner/repo/path`) with no `@ref`. Local actions (`./…`) and `docker://` images are not checked.

## Why is this bad?
Without a ref the workflow does not run at all; GitHub requires one.

## Bad
```yaml
- uses: actions/checkout
```

## Good
```yaml
- uses: actions/checkout@v4
```";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "An action used without a version",
        Severity::Error,
        DOCS,
    )
    .category(category::CI)
}

fn check(workflow: &Workflow<'_>, out: &mut Vec<Finding>) {
    for uses in workflow.uses() {
        if let Some(Pin::Missing(message)) = &uses.problem {
            out.push(Finding::new(ID, message.clone()).at(uses.span));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::run;

    #[test]
    fn an_action_without_a_version_at_its_value() {
        let text = "jobs:\n  a:\n    steps:\n      - uses: actions/checkout\n      - uses: 'actions/setup-node@'\n      - uses: ./local\n      - uses: docker://alpine:3\n      - uses: actions/cache@v4\n";
        assert_eq!(
            run(&RULE, text),
            [
                (
                    ID.into(),
                    4,
                    15,
                    "`actions/checkout` has no version: add @TAG or @SHA".into()
                ),
                (
                    ID.into(),
                    5,
                    16,
                    "`actions/setup-node@` has an empty version".into()
                ),
            ]
        );
    }
}
