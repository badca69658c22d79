//! ward's `workflows` plugin: GitHub Actions workflow files under
//! `.github/workflows/` that would fail or drift at run time.
//!
//! Each rule lives in its own module under `rules/`; [`RULES`] registers
//! them. What several rules read (the `uses:` values, the top-level keys) is
//! worked out once per file, in [`workflow::Workflow`].

mod rules;
mod workflow;

use ward_plugin_sdk::{File, Finding, Manifest, PluginConfig, RuleInfo, Validator};

pub use workflow::is_workflow;
use workflow::Workflow;

/// One rule of this plugin: its metadata and its check.
pub struct Rule {
    /// The rule's metadata.
    pub info: fn() -> RuleInfo,
    /// Checks one workflow file.
    pub check: fn(&Workflow<'_>, &mut Vec<Finding>),
}

/// Every rule of the plugin, in the order they run.
pub const RULES: &[Rule] = &[
    rules::tab::RULE,
    rules::unpinned_action::RULE,
    rules::branch_pin::RULE,
    rules::syntax::RULE,
    rules::missing_key::RULE,
];

/// The plugin's rules.
pub fn rules() -> Vec<RuleInfo> {
    RULES.iter().map(|rule| (rule.info)()).collect()
}

/// The `[plugins.workflows]` table: nothing to set yet.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {}

/// The validator.
pub struct WorkflowsPlugin {
    enabled: Vec<&'static Rule>,
}

impl Validator for WorkflowsPlugin {
    fn manifest() -> Manifest {
        Manifest {
            name: "workflows".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "GitHub Actions workflows: syntax, on/jobs, tabs, pinned actions".into(),
            rules: rules(),
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        // No settings yet; a `[plugins.workflows]` table with keys is a typo.
        let _: Settings = config.settings()?;
        Ok(WorkflowsPlugin {
            enabled: RULES
                .iter()
                .filter(|rule| config.is_enabled(&(rule.info)().id))
                .collect(),
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        if file.is_binary || !is_workflow(file.path) || self.enabled.is_empty() {
            return;
        }
        let workflow = Workflow::new(file.bytes);
        for rule in &self.enabled {
            (rule.check)(&workflow, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(path: &str, text: &str) -> Vec<(String, u32, u32)> {
        let plugin = WorkflowsPlugin::new(&PluginConfig::default()).unwrap();
        ward_plugin_sdk::testing::check_file(&plugin, path, text.as_bytes())
            .into_iter()
            .map(|f| (f.rule, f.span.line, f.span.column))
            .collect()
    }

    const CLEAN: &str = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/cache@11bd71901bbe5b1630ceea73d27597364c9af683\n      - uses: ./local/action\n      - uses: docker://alpine:3\n      - run: make test\n";

    #[test]
    fn a_clean_workflow_and_other_yaml_files_have_no_findings() {
        assert_eq!(check(".github/workflows/ci.yml", CLEAN), []);
        assert_eq!(check("config/ci.yml", "uses: x\n\tbad"), []);
        assert_eq!(check(".github/workflows/sub/ci.yml", "uses: x\n"), []);
    }

    #[test]
    fn every_rule_reports_on_one_file() {
        assert_eq!(
            check(
                ".github/workflows/b.yml",
                "name: x\njobs:\n\ttest:\n      - uses: a/b\n"
            ),
            [
                ("workflows/tab".into(), 3, 1),
                ("workflows/unpinned-action".into(), 4, 15),
                ("workflows/syntax".into(), 3, 2),
            ]
        );
    }
}
