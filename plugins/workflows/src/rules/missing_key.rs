//! `workflows/missing-key`

use ward_plugin_sdk::{category, Finding, RuleInfo, Severity, Span};

use crate::workflow::Workflow;
use crate::Rule;

/// The rule's id.
pub const ID: &str = "workflows/missing-key";

/// The rule.
pub const RULE: Rule = Rule { info, check };

const DOCS: &str = r"## What it does
Reports a workflow whose top level lacks `on` (what triggers it) or `jobs` (what it runs), at line 1.

## Bad
```yaml
name: ci
jobs:
  test: {runs-on: ubuntu-latest, steps: [{run: make}]}
```

## Good
```yaml
name: ci
on: [push]
jobs:
  test: {runs-on: ubuntu-latest, steps: [{run: make}]}
```";

fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A workflow without `on:` or `jobs:`",
        Severity::Error,
        DOCS,
    )
    .category(category::CI)
}

fn check(workflow: &Workflow<'_>, out: &mut Vec<Finding>) {
    let Ok(keys) = workflow.top_level_keys() else {
        return;
    };
    let missing: Vec<String> = ["on", "jobs"]
        .into_iter()
        .filter(|k| !keys.iter().any(|key| key == k))
        .map(|k| format!("`{k}:`"))
        .collect();
    if !missing.is_empty() {
        out.push(
            Finding::new(ID, format!("no {} at the top level", missing.join(" or "))).at(Span {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::run;

    #[test]
    fn each_missing_key_is_named_at_line_one() {
        assert_eq!(
            run(&RULE, "name: x\njobs: {}\n"),
            [(ID.into(), 1, 1, "no `on:` at the top level".into())]
        );
        assert_eq!(
            run(&RULE, "name: x\n"),
            [(
                ID.into(),
                1,
                1,
                "no `on:` or `jobs:` at the top level".into()
            )]
        );
        // YAML 1.1 readers (GitHub's) take a bare `on` for true.
        assert_eq!(run(&RULE, "true: push\n? jobs\n: {}\n"), []);
    }

    #[test]
    fn top_level_keys_are_read_without_recursion() {
        // 20,000 block sequences, one in another, under `jobs:`.
        let deep = format!("on: push\njobs:\n  x:\n    {}1\n", "- ".repeat(20_000));
        assert_eq!(run(&RULE, &deep), []);
        let nested_only = format!(
            "name: {{on: 1, jobs: [{{on: 2}}]}}\nmatrix:\n  on: 3\n  jobs:\n    {}\n",
            "- ".repeat(5_000) + "4"
        );
        assert_eq!(
            run(&RULE, &nested_only),
            [(
                ID.into(),
                1,
                1,
                "no `on:` or `jobs:` at the top level".into()
            )]
        );
        // Only the first document counts.
        assert_eq!(
            run(&RULE, "name: a\n---\non: push\njobs: {}\n"),
            [(
                ID.into(),
                1,
                1,
                "no `on:` or `jobs:` at the top level".into()
            )]
        );
    }
}
