//! The packs shipped in `rules/`: every rule documented and proven by its examples.
// Test helpers unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used)]

use ward_rules::{parse, test_examples, PackSource};

fn shipped() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let mut packs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let name = format!("rules/{}", p.file_name().unwrap().to_string_lossy());
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    packs.sort();
    packs
}

#[test]
fn every_shipped_rule_has_examples_that_hold() {
    let mut failures = Vec::new();
    for (name, text) in shipped() {
        let pack = parse(&PackSource {
            name: name.clone(),
            text,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        for rule in &pack.rules {
            assert!(
                !rule.examples_match.is_empty(),
                "{} has no match example",
                rule.id
            );
            assert!(
                !rule.examples_no_match.is_empty(),
                "{} has no no-match example",
                rule.id
            );
            assert!(!rule.summary.is_empty(), "{} has no summary", rule.id);
            failures.extend(
                test_examples(rule, &name)
                    .into_iter()
                    .map(|f| f.to_string()),
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_secrets_pack_covers_at_least_forty_formats() {
    let (name, text) = shipped()
        .into_iter()
        .find(|(n, _)| n.ends_with("secrets.toml"))
        .unwrap();
    let pack = parse(&PackSource { name, text }).unwrap();
    assert_eq!(pack.name, "secrets");
    assert!(pack.rules.len() >= 40, "{}", pack.rules.len());
    assert!(
        pack.rules.iter().all(|r| r.redact),
        "every secrets rule redacts"
    );
}
