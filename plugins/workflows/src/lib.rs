//! ward's `workflows` plugin: GitHub Actions workflow files under
//! `.github/workflows/` that would fail or drift at run time.

use std::sync::OnceLock;

use regex::bytes::Regex;
use ward_plugin_sdk::{
    File, Finding, LineIndex, Manifest, PluginConfig, RuleInfo, Severity, Span, Validator,
};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{ScanError, TScalarStyle};

const SYNTAX: &str = "workflows/syntax";
const MISSING_KEY: &str = "workflows/missing-key";
const TAB: &str = "workflows/tab";
const UNPINNED: &str = "workflows/unpinned-action";
const BRANCH_PIN: &str = "workflows/branch-pin";

/// The plugin's rules.
pub fn rules() -> Vec<RuleInfo> {
    let rules = vec![
        RuleInfo::new(SYNTAX, "A workflow file that is not valid YAML", Severity::Error,
            "## What it does\nParses each `.github/workflows/*.yml` and `*.yaml` file and reports the first syntax error at its line and column.\n\n## Why is this bad?\nGitHub rejects the whole workflow: nothing in it runs, and the failure shows only in the Actions tab.\n\n## Bad\n```yaml\non: [push\njobs: {}\n```\n\n## Good\n```yaml\non: [push]\njobs: {}\n```"),
        RuleInfo::new(MISSING_KEY, "A workflow without `on:` or `jobs:`", Severity::Error,
            "## What it does\nReports a workflow whose top level lacks `on` (what triggers it) or `jobs` (what it runs), at line 1.\n\n## Bad\n```yaml\nname: ci\njobs:\n  test: {runs-on: ubuntu-latest, steps: [{run: make}]}\n```\n\n## Good\n```yaml\nname: ci\non: [push]\njobs:\n  test: {runs-on: ubuntu-latest, steps: [{run: make}]}\n```"),
        RuleInfo::new(TAB, "A tab character in a workflow file", Severity::Error,
            "## What it does\nReports each line of a workflow that holds a tab, at the first tab.\n\n## Why is this bad?\nYAML forbids tabs for indentation; a tab that parses today breaks when someone re-indents.\n\n## Bad\n```yaml\njobs:\n\ttest: {}\n```\n\n## Good\n```yaml\njobs:\n  test: {}\n```"),
        RuleInfo::new(UNPINNED, "An action used without a version", Severity::Error,
            "## What it does\nReports `uses: owner/repo` (or `owner/repo/path`) with no `@ref`. Local actions (`./…`) and `docker://` images are not checked.\n\n## Why is this bad?\nWithout a ref the workflow does not run at all; GitHub requires one.\n\n## Bad\n```yaml\n- uses: actions/checkout\n```\n\n## Good\n```yaml\n- uses: actions/checkout@v4\n```"),
        RuleInfo::new(BRANCH_PIN, "An action pinned to a branch instead of a tag or commit", Severity::Warning,
            "## What it does\nReports `uses: owner/repo@REF` where `REF` is neither a full 40-character commit SHA nor a version tag (`v4`, `v1.2.3`, `1.0`).\n\n## Why is this bad?\nA branch moves: every run may execute different code, which is how a compromised action reaches your secrets.\n\n## Bad\n```yaml\n- uses: actions/checkout@main\n```\n\n## Good\n```yaml\n- uses: actions/checkout@v4\n- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n```"),
    ];
    rules
        .into_iter()
        .map(|r| r.category(ward_plugin_sdk::category::CI))
        .collect()
}

/// The `[plugins.workflows]` table: nothing to set yet.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {}

/// The validator.
pub struct WorkflowsPlugin {
    enabled: [bool; 5],
}

/// Whether `path` is a workflow file GitHub would run.
pub fn is_workflow(path: &str) -> bool {
    path.strip_prefix(".github/workflows/").is_some_and(|name| {
        !name.contains('/') && (name.ends_with(".yml") || name.ends_with(".yaml"))
    })
}

fn uses_pattern() -> &'static Regex {
    static USES: OnceLock<Regex> = OnceLock::new();
    USES.get_or_init(|| {
        Regex::new(r#"(?m)^[ \t]*(?:-[ \t]+)?uses:[ \t]*["']?([^"'\s#]+)"#).expect("valid regex")
    })
}

fn version_tag() -> &'static Regex {
    static TAG: OnceLock<Regex> = OnceLock::new();
    TAG.get_or_init(|| {
        Regex::new(r"^v?[0-9]+(\.[0-9]+)*([-+][0-9A-Za-z.-]+)?$").expect("valid regex")
    })
}

/// What is wrong with one `uses:` value, if anything.
fn judge_uses(value: &str) -> Option<(&'static str, String)> {
    if value.starts_with("./") || value.starts_with("docker://") || value.contains("${{") {
        return None;
    }
    let Some((action, reference)) = value.split_once('@') else {
        return Some((
            UNPINNED,
            format!("`{value}` has no version: add @TAG or @SHA"),
        ));
    };
    let is_sha = reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit());
    if reference.is_empty() {
        return Some((UNPINNED, format!("`{value}` has an empty version")));
    }
    if is_sha || version_tag().is_match(reference.as_bytes()) {
        return None;
    }
    Some((
        BRANCH_PIN,
        format!("`{action}` is pinned to `{reference}`, which looks like a branch: pin a tag or a commit SHA"),
    ))
}

fn line_one() -> Span {
    Span {
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
    }
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
            enabled: [SYNTAX, MISSING_KEY, TAB, UNPINNED, BRANCH_PIN].map(|r| config.is_enabled(r)),
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        if file.is_binary || !is_workflow(file.path) {
            return;
        }
        let [syntax, missing_key, tab, unpinned, branch_pin] = self.enabled;
        let bytes = file.bytes;
        let index = LineIndex::new(bytes);
        if tab {
            let mut line_start = 0;
            for line in bytes.split(|b| *b == b'\n') {
                if let Some(at) = line.iter().position(|b| *b == b'\t') {
                    let start = line_start + at;
                    out.push(Finding::new(TAB, "tab character").at(index.span(start, start + 1)));
                }
                line_start += line.len() + 1;
            }
        }
        if unpinned || branch_pin {
            for captures in uses_pattern().captures_iter(bytes) {
                let Some(value) = captures.get(1) else {
                    continue;
                };
                let text = String::from_utf8_lossy(value.as_bytes());
                if let Some((rule, message)) = judge_uses(&text) {
                    let on = if rule == UNPINNED {
                        unpinned
                    } else {
                        branch_pin
                    };
                    if on {
                        out.push(
                            Finding::new(rule, message).at(index.span(value.start(), value.end())),
                        );
                    }
                }
            }
        }
        if !(syntax || missing_key) {
            return;
        }
        let text = String::from_utf8_lossy(bytes);
        match top_level_keys(&text) {
            Err(error) => {
                if syntax {
                    let marker = error.marker();
                    let line = u32::try_from(marker.line()).unwrap_or(u32::MAX).max(1);
                    let column = u32::try_from(marker.col() + 1).unwrap_or(u32::MAX);
                    out.push(
                        Finding::new(SYNTAX, format!("not valid YAML: {}", error.info())).at(
                            Span {
                                line,
                                column,
                                end_line: line,
                                end_column: column,
                            },
                        ),
                    );
                }
            }
            Ok(keys) if missing_key => {
                let missing: Vec<&str> = ["on", "jobs"]
                    .into_iter()
                    .filter(|k| !keys.iter().any(|key| key == k))
                    .collect();
                if !missing.is_empty() {
                    let listed: Vec<String> = missing.iter().map(|k| format!("`{k}:`")).collect();
                    out.push(
                        Finding::new(
                            MISSING_KEY,
                            format!("no {} at the top level", listed.join(" or ")),
                        )
                        .at(line_one()),
                    );
                }
            }
            Ok(_) => {}
        }
    }
}

/// The keys of the first document's top-level mapping (none if it is not
/// one), or the YAML error. Events are pulled one at a time: building the
/// document (`YamlLoader`) descends one stack frame per level of nesting,
/// and a file nested a few thousand levels deep overflowed the thread's
/// stack, which aborts the process.
fn top_level_keys(text: &str) -> Result<Vec<String>, ScanError> {
    let mut parser = Parser::new_from_str(text);
    let mut keys = Vec::new();
    let (mut documents, mut depth) = (0usize, 0usize);
    let (mut top_is_map, mut expect_key) = (false, true);
    loop {
        let (event, _) = parser.next_token()?;
        let first_document = documents == 1;
        match event {
            Event::StreamEnd => return Ok(keys),
            Event::DocumentStart => documents += 1,
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if depth == 0 && first_document {
                    top_is_map = matches!(event, Event::MappingStart(..));
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth = depth.saturating_sub(1);
                if depth == 1 && top_is_map && first_document {
                    expect_key = !expect_key;
                }
            }
            Event::Scalar(text, style, ..) if depth == 1 && top_is_map && first_document => {
                if expect_key {
                    // YAML 1.1 readers (GitHub's) take a bare `on` for true.
                    let on = style == TScalarStyle::Plain && text == "true";
                    keys.push(if on { "on".to_string() } else { text });
                }
                expect_key = !expect_key;
            }
            Event::Alias(_) if depth == 1 && top_is_map && first_document => {
                expect_key = !expect_key;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(path: &str, text: &str) -> Vec<(String, u32, u32, String)> {
        let plugin = WorkflowsPlugin::new(&PluginConfig::default()).unwrap();
        ward_plugin_sdk::testing::check_file(&plugin, path, text.as_bytes())
            .into_iter()
            .map(|f| (f.rule, f.span.line, f.span.column, f.message))
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
    fn unpinned_and_branch_pinned_actions_at_their_value() {
        let text = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout\n      - uses: 'actions/setup-node@main'\n      - name: n\n        uses: owner/repo/path@release/v2 # comment\n  b:\n    uses: org/wf/.github/workflows/w.yml@v1.2.3\n";
        assert_eq!(
            check(".github/workflows/ci.yaml", text),
            [
                (UNPINNED.into(), 6, 15, "`actions/checkout` has no version: add @TAG or @SHA".into()),
                (BRANCH_PIN.into(), 7, 16, "`actions/setup-node` is pinned to `main`, which looks like a branch: pin a tag or a commit SHA".into()),
                (BRANCH_PIN.into(), 9, 15, "`owner/repo/path` is pinned to `release/v2`, which looks like a branch: pin a tag or a commit SHA".into()),
            ]
        );
    }

    #[test]
    fn top_level_keys_are_read_without_recursion() {
        // 20,000 block sequences, one in another, under `jobs:`.
        let deep = format!("on: push\njobs:\n  x:\n    {}1\n", "- ".repeat(20_000));
        assert_eq!(check(".github/workflows/deep.yml", &deep), []);
        let nested_only = format!(
            "name: {{on: 1, jobs: [{{on: 2}}]}}\nmatrix:\n  on: 3\n  jobs:\n    {}\n",
            "- ".repeat(5_000) + "4"
        );
        assert_eq!(
            check(".github/workflows/n.yml", &nested_only),
            [(
                MISSING_KEY.into(),
                1,
                1,
                "no `on:` or `jobs:` at the top level".into()
            )]
        );
        assert_eq!(
            check(
                ".github/workflows/docs.yml",
                "name: a\n---\non: push\njobs: {}\n"
            ),
            [(
                MISSING_KEY.into(),
                1,
                1,
                "no `on:` or `jobs:` at the top level".into()
            )]
        );
        assert_eq!(
            check(".github/workflows/t.yml", "true: push\n? jobs\n: {}\n"),
            []
        );
    }

    #[test]
    fn syntax_errors_tabs_and_missing_keys() {
        assert_eq!(
            check(".github/workflows/a.yml", "on: [push\njobs: {}\n"),
            [(
                SYNTAX.into(),
                2,
                5,
                "not valid YAML: illegal placement of ':' indicator".into()
            )]
        );
        assert_eq!(
            check(
                ".github/workflows/b.yml",
                "name: x\non: push\njobs:\n\ttest: {}\n"
            ),
            [
                (TAB.into(), 4, 1, "tab character".into()),
                (
                    SYNTAX.into(),
                    4,
                    2,
                    "not valid YAML: tabs disallowed within this context (block indentation)"
                        .into()
                ),
            ]
        );
        assert_eq!(
            check(".github/workflows/c.yml", "name: x\njobs: {}\n"),
            [(MISSING_KEY.into(), 1, 1, "no `on:` at the top level".into())]
        );
        assert_eq!(
            check(".github/workflows/d.yml", "name: x\n"),
            [(
                MISSING_KEY.into(),
                1,
                1,
                "no `on:` or `jobs:` at the top level".into()
            )]
        );
    }
}
