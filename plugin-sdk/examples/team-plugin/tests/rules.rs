//! The team's rules, run as ward runs them (`ward_plugin_sdk::testing`).

use serde_json::json;
use team_plugin::Team;
use ward_plugin_sdk::testing::{self, TestFile};

fn team(settings: serde_json::Value) -> Team {
    testing::create::<Team>(settings).unwrap()
}

fn places(found: &[ward_plugin_sdk::Finding]) -> Vec<(&str, u32, u32)> {
    found
        .iter()
        .map(|f| (f.rule.as_str(), f.span.line, f.span.column))
        .collect()
}

#[test]
fn tab_indentation_is_reported_and_fixed_to_the_configured_width() {
    let text = b"a\n\tb\n\t\tc\n";
    let found = testing::check_file(&team(json!({})), "a.py", text);
    assert_eq!(
        places(&found),
        [("team/tab-indent", 2, 1), ("team/tab-indent", 3, 1)]
    );
    assert_eq!(testing::apply_fixes(text, &found), "a\n    b\n        c\n");
    let found = testing::check_file(&team(json!({"tab-width": 2})), "a.py", text);
    assert_eq!(testing::apply_fixes(text, &found), "a\n  b\n    c\n");
}

#[test]
fn makefiles_binaries_and_clean_files_give_nothing() {
    let plugin = team(json!({}));
    assert!(testing::check_file(&plugin, "Makefile", b"all:\n\tcc a.c\n").is_empty());
    assert!(testing::check(&plugin, &TestFile::new("a.bin", b"\tx\0")).is_empty());
    assert!(testing::check_file(&plugin, "a.py", b"    x = 1\n").is_empty());
}

#[test]
fn a_repository_without_a_changelog_is_reported() {
    let found = testing::check_repo(&team(json!({})), &[("README.md", "# x\n")]);
    assert_eq!(places(&found), [("team/changelog", 0, 0)]);
    assert!(testing::check_repo(&team(json!({})), &[("CHANGELOG.md", "# 1.0\n")]).is_empty());
}

#[test]
fn a_bad_setting_is_refused_with_the_plugins_words() {
    let refused = testing::create::<Team>(json!({"tab-width": 0})).err();
    assert_eq!(
        refused.as_deref(),
        Some("tab-width 0 is not between 1 and 16")
    );
    assert!(testing::create::<Team>(json!({"tabwidth": 2})).is_err());
}
