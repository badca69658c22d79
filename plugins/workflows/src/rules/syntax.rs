//! `workflows/syntax`

use ward_plugin_sdk::{category, Finding, RuleInfo, Severity, Span};

use crate::workflow::Workflow;
use crate::Rule;

/// The rule's id.
pub const ID: &str = "workflows/syntax";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Parses each `.github/workflows/*.yml` and `*.yaml` file and reports the first syntax error at its line and column.

## Why is this bad?
GitHub rejects the whole workflow: nothing in it runs, and the failure shows only in the Actions tab.

## Bad
```yaml
on: [push
jobs: {}
```

## Good
```yaml
on: [push]
jobs: {}
```";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A workflow file that is not valid YAML",
        Severity::Error,
        DOCS,
    )
    .category(category::CI)
}

fn check(workflow: &Workflow<'_>, out: &mut Vec<Finding>) {
    let Err(error) = workflow.top_level_keys() else {
        return;
    };
    let marker = error.marker();
    let line = u32::try_from(marker.line()).unwrap_or(u32::MAX).max(1);
    let column = u32::try_from(marker.col() + 1).unwrap_or(u32::MAX);
    out.push(
        Finding::new(ID, format!("not valid YAML: {}", error.info())).at(Span {
            line,
            column,
            end_line: line,
            end_column: column,
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::run;

    #[test]
    fn the_first_syntax_error_at_its_place() {
        assert_eq!(
            run(&RULE, "on: [push\njobs: {}\n"),
            [(
                ID.into(),
                2,
                5,
                "not valid YAML: illegal placement of ':' indicator".into()
            )]
        );
        assert_eq!(
            run(&RULE, "name: x\non: push\njobs:\n\ttest: {}\n"),
            [(
                ID.into(),
                4,
                2,
                "not valid YAML: tabs disallowed within this context (block indentation)".into()
            )]
        );
        assert_eq!(run(&RULE, "on: [push]\njobs: {}\n"), []);
    }
}
