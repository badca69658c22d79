//! Every rule ward ships is well made (docs with a bad and a good example,
//! an id `source/kebab-case` that no other rule has, a known category),
//! and `docs/rules/` is exactly what the rules generate.

use ward::registry::{lint, Registered};
use ward_plugin_sdk::RuleInfo;

use crate::support::{repo, ward, workspace};

/// Every built-in rule, as `ward rules --format json` lists it.
fn built_in_rules() -> Vec<Registered> {
    let repo = repo(&[]);
    let out = ward(repo.path(), &["rules", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    rows.into_iter()
        .map(|row| {
            let source = row["plugin"].as_str().unwrap().to_string();
            let rule: RuleInfo = serde_json::from_value(row).unwrap();
            Registered {
                rule,
                from_pack: false,
                source,
            }
        })
        .collect()
}

#[test]
fn every_built_in_rule_is_documented_and_named_well() {
    let rules = built_in_rules();
    assert!(rules.len() > 100, "{}", rules.len());
    assert_eq!(lint(&rules), Vec::<String>::new());
}

#[test]
fn the_meta_test_fails_on_a_rule_without_docs() {
    let mut rules = built_in_rules();
    let bare = rules.iter_mut().find(|r| r.rule.id == "text/bom").unwrap();
    bare.rule.docs = String::new();
    assert_eq!(lint(&rules), ["text/bom: no docs"]);
}

#[test]
fn docs_rules_is_what_the_rules_generate() {
    let repo = repo(&[]);
    let out = ward(
        repo.path(),
        &["rules", "--format", "markdown", "--output", "generated"],
    )
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names = |dir: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let generated = repo.path().join("generated");
    let committed = workspace().join("docs/rules");
    assert_eq!(
        names(&committed),
        names(&generated),
        "regenerate with: cargo run -- rules --format markdown --output docs/rules"
    );
    for name in names(&generated) {
        let want = std::fs::read_to_string(generated.join(&name)).unwrap();
        let have = std::fs::read_to_string(committed.join(&name)).unwrap();
        assert!(
            want == have,
            "docs/rules/{name} is not what the rules generate; regenerate with: \
             cargo run -- rules --format markdown --output docs/rules"
        );
    }
}
