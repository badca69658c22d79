//! `workflows/tab`

use ward_plugin_sdk::{category, Finding, RuleInfo, Severity};

use crate::workflow::Workflow;
use crate::Rule;

/// The rule's id.
pub const ID: &str = "workflows/tab";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Reports each line of a workflow that holds a tab, at the first tab.

## Why is this bad?
YAML forbids tabs for indentation; a tab that parses today breaks when someone re-indents.

## Bad
```yaml
jobs:
	test: {}
```

## Good
```yaml
jobs:
  test: {}
```";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A tab character in a workflow file",
        Severity::Error,
        DOCS,
    )
    .category(category::CI)
}

fn check(workflow: &Workflow<'_>, out: &mut Vec<Finding>) {
    let mut line_start = 0;
    for line in workflow.bytes.split(|b| *b == b'\n') {
        if let Some(at) = line.iter().position(|b| *b == b'\t') {
            let start = line_start + at;
            out.push(Finding::new(ID, "tab character").at(workflow.index.span(start, start + 1)));
        }
        line_start += line.len() + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::run;

    #[test]
    fn each_line_with_a_tab_once_at_its_first_tab() {
        assert_eq!(
            run(&RULE, "name: x\njobs:\n\ttest: {}\n  a:\tb\t\n"),
            [
                (ID.into(), 3, 1, "tab character".into()),
                (ID.into(), 4, 5, "tab character".into()),
            ]
        );
        assert_eq!(run(&RULE, "on: push\njobs: {}\n"), []);
    }
}
