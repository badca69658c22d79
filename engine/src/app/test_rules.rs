//! `ward test-rules`: every rule pack's examples, run.

use super::cli::TestRulesArgs;
use super::output::{write_stdout, EXIT_CLEAN, EXIT_FINDINGS};
use super::setup::{resolve_config, start_dir};
use crate::host::packs;

pub(super) fn run(args: &TestRulesArgs) -> miette::Result<u8> {
    let packs = if args.packs.is_empty() {
        let config = resolve_config(&args.plugin, &start_dir(&[]))?;
        let loaded = packs::load(&config, args.plugin.no_default_plugins)?;
        for warning in &loaded.warnings {
            eprintln!("warning: {warning}");
        }
        loaded.packs
    } else {
        args.packs
            .iter()
            .map(|path| packs::load_file(path))
            .collect::<Result<Vec<_>, _>>()?
    };
    let mut out = String::new();
    let (mut rules, mut examples, mut failures) = (0, 0, 0);
    for loaded in &packs {
        for rule in &loaded.pack.rules {
            rules += 1;
            examples += rule.examples_match.len() + rule.examples_no_match.len();
            if rule.examples_match.is_empty() {
                out.push_str(&format!(
                    "warning: {}: {} has no match example\n",
                    rule.origin, rule.id
                ));
            }
            for failure in ward_rules::test_examples(rule, &loaded.pack.source_name) {
                failures += 1;
                out.push_str(&format!("FAIL {failure}\n"));
            }
        }
    }
    out.push_str(&format!(
        "{} in {}: {examples} examples, {failures} failed\n",
        if rules == 1 {
            "1 rule".to_string()
        } else {
            format!("{rules} rules")
        },
        if packs.len() == 1 {
            "1 pack".to_string()
        } else {
            format!("{} packs", packs.len())
        },
    ));
    write_stdout(&out)?;
    Ok(if failures > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}
