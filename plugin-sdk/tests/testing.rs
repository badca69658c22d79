//! The testing helpers behave as the engine does: the same panic guard, the
//! same checks of rule ids, places and fixes, binary files and modes.

use ward_plugin_sdk::testing::{self, TestFile};
use ward_plugin_sdk::{
    Edit, File, Finding, LineIndex, Manifest, PluginConfig, RuleInfo, Severity, Validator,
    PLUGIN_ERROR_RULE,
};

/// Reports what the test's file asks for: `panic`, `undeclared`, `far`,
/// `trim` (trailing spaces, with a fix) or the file's binary flag and mode.
struct Probe;

impl Validator for Probe {
    fn manifest() -> Manifest {
        Manifest {
            name: "probe".into(),
            version: "0.1.0".into(),
            description: String::new(),
            rules: vec![RuleInfo::new("probe/seen", "seen", Severity::Warning, "").fixable()],
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        match config.settings.get("refuse") {
            Some(_) => Err("`refuse` is not a setting of probe".into()),
            None => Ok(Probe),
        }
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        let lines = LineIndex::new(file.bytes);
        match file.bytes {
            b"panic\n" => panic!("probe met {}", file.path),
            b"undeclared\n" => out.push(Finding::new("probe/other", "x").at(lines.span(0, 1))),
            b"far\n" => out.push(Finding::new("probe/seen", "x").at(lines.span(0, 1)).at(
                ward_plugin_sdk::Span {
                    line: 9,
                    column: 1,
                    end_line: 9,
                    end_column: 2,
                },
            )),
            b"trim  \n" => out.push(
                Finding::new("probe/seen", "trailing spaces")
                    .at(lines.span(4, 6))
                    .with_fix(vec![Edit {
                        start: 4,
                        end: 6,
                        replacement: String::new(),
                    }]),
            ),
            _ => out.push(
                Finding::new(
                    "probe/seen",
                    format!("binary {} mode {:o}", file.is_binary, file.mode),
                )
                .with_severity(Severity::Info),
            ),
        }
    }
}

fn probe() -> Probe {
    testing::create::<Probe>(serde_json::Value::Null).expect("probe takes no settings")
}

#[test]
fn a_setting_the_plugin_refuses_is_its_own_message() {
    let refused = testing::create::<Probe>(serde_json::json!({"refuse": true}));
    assert_eq!(
        refused.err(),
        Some("`refuse` is not a setting of probe".to_string())
    );
}

#[test]
fn a_panic_becomes_the_engines_plugin_error_finding() {
    let found = testing::check_file(&probe(), "a.txt", b"panic\n");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, PLUGIN_ERROR_RULE);
    assert_eq!(found[0].path, "a.txt");
    assert!(
        found[0].message.starts_with("plugin `probe` panicked")
            && found[0].message.ends_with(": probe met a.txt"),
        "{}",
        found[0].message
    );
}

#[test]
#[should_panic(
    expected = "plugin `probe` reported `probe/other`, which its manifest does not declare"
)]
fn an_undeclared_rule_fails_the_test() {
    testing::check_file(&probe(), "a.txt", b"undeclared\n");
}

#[test]
#[should_panic(expected = "plugin `probe` placed `probe/seen` at 9:1, outside the file")]
fn a_place_outside_the_file_fails_the_test() {
    testing::check_file(&probe(), "a.txt", b"far\n");
}

#[test]
fn binary_files_modes_and_severities_reach_the_plugin_and_back() {
    let found = testing::check(
        &probe(),
        &TestFile::new("run.bin", b"\x7fELF\0\x02").mode(0o755),
    );
    assert_eq!(found[0].message, "binary true mode 755");
    assert_eq!(found[0].severity, Some(Severity::Info));
    let found = testing::check_file(&probe(), "a.txt", b"text\n");
    assert_eq!(found[0].message, "binary false mode 644");
    assert_eq!(found[0].severity, Some(Severity::Info));
}

#[test]
fn apply_fixes_gives_the_text_ward_check_fix_writes() {
    let found = testing::check_file(&probe(), "a.txt", b"trim  \n");
    assert_eq!(found[0].span.line, 1);
    assert_eq!(found[0].span.column, 5);
    assert_eq!(testing::apply_fixes(b"trim  \n", &found), "trim\n");
}

/// A manifest whose rule is outside the plugin's name.
struct Stray;

impl Validator for Stray {
    fn manifest() -> Manifest {
        Manifest {
            name: "acme".into(),
            version: "0.1.0".into(),
            description: String::new(),
            rules: vec![RuleInfo::new("team/x", "x", Severity::Warning, "")],
        }
    }

    fn new(_: &PluginConfig) -> Result<Self, String> {
        Ok(Stray)
    }
}

#[test]
#[should_panic(
    expected = "ward would refuse this plugin: rule `team/x` does not start with `acme/`, the plugin's name"
)]
fn a_manifest_ward_would_refuse_fails_the_test() {
    let _ = testing::create::<Stray>(serde_json::Value::Null);
}
