//! # ward-rules
//!
//! Declarative rules: a team adds a check by writing TOML, not Rust. A rule
//! pack is a file of `[[rule]]` tables ([`pack`]); every rule of a run
//! compiles into one [`RuleSet`] whose single Aho-Corasick pass over all
//! keywords decides which regexes run on a file. [`gitleaks`] translates an
//! existing gitleaks configuration into a pack.

mod decode;
pub mod entropy;
pub mod gitleaks;
mod keywords;
pub mod pack;
mod set;

pub use pack::{parse, Pack, PackError, PackSource, Rule};
pub use set::{Match, RuleSet};

/// An example of a rule that did not behave as its pack says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// Full rule id.
    pub rule: String,
    /// `pack-file:line` of the example.
    pub location: String,
    /// The example text.
    pub example: String,
    /// True for a `match` example that found nothing, false for a
    /// `no-match` example that found something.
    pub expected_match: bool,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, what) = if self.expected_match {
            ("match", "found nothing")
        } else {
            ("no-match", "was reported")
        };
        write!(
            f,
            "{}: {}: {kind} example {what}: {:?}",
            self.location, self.rule, self.example
        )
    }
}

/// Whether `rule` finds anything in `text`, as a scan would: the keyword
/// prefilter applies, path filters do not.
pub fn rule_matches(rule: &Rule, text: &str) -> bool {
    let lower = text.to_lowercase();
    if !rule.keywords.is_empty() && !rule.keywords.iter().any(|k| lower.contains(k.as_str())) {
        return false;
    }
    let mut out = Vec::new();
    set::scan_rule(0, rule, text.as_bytes(), &mut out);
    !out.is_empty()
}

/// Runs a rule's `examples.match` and `examples.no-match`.
pub fn test_examples(rule: &Rule, source_name: &str) -> Vec<ExampleFailure> {
    let fail = |example: &pack::Example, expected_match: bool| ExampleFailure {
        rule: rule.id.clone(),
        location: format!("{source_name}:{}", example.line),
        example: example.text.clone(),
        expected_match,
    };
    let mut failures = Vec::new();
    for example in &rule.examples_match {
        if !rule_matches(rule, &example.text) {
            failures.push(fail(example, true));
        }
    }
    for example in &rule.examples_no_match {
        if rule_matches(rule, &example.text) {
            failures.push(fail(example, false));
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_checked_both_ways() {
        let text = r#"
[[rule]]
id = "tok"
message = "m"
pattern = '''tok_[0-9]{4}'''
keywords = ["tok_"]
examples.match = ["tok_1234", "tok_12"]
examples.no-match = ["tok_abcd", "tok_9999"]
"#;
        let pack = parse(&PackSource {
            name: "p.toml".into(),
            text: text.into(),
        })
        .unwrap();
        let failures = test_examples(&pack.rules[0], "p.toml");
        assert_eq!(
            failures.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "p.toml:7: p/tok: match example found nothing: \"tok_12\"",
                "p.toml:8: p/tok: no-match example was reported: \"tok_9999\"",
            ]
        );
    }
}
