//! The health score: findings turned into one number per category and one
//! for the repository, for tracking over time (`ward score`, the `score`
//! block of the JSON report, `--min-score`).
//!
//! Each category starts at 100 and loses the weight of each of its findings'
//! severities (default: error 10, warning 3, info 1), down to 0. The total is
//! the mean of the categories weighted by the category weights (default 1
//! each). Levels: excellent ≥ 90, good ≥ 70, fair ≥ 50, else poor.

use std::collections::BTreeMap;

use serde::Serialize;
use ward_plugin_sdk::{Severity, PLUGIN_ERROR_RULE};

use crate::finding::Finding;
use crate::registry::Registry;

pub use crate::config::score::{ScoreConfig, CATEGORIES};

/// The category of a finding: `[score.rules]` first, then the rule's own.
fn category_of<'a>(config: &ScoreConfig, registry: &'a Registry, rule: &str) -> &'a str {
    config
        .category_of(rule)
        .unwrap_or_else(|| registry.category(rule))
}

/// One category's part of the score.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CategoryScore {
    /// Category name.
    pub name: &'static str,
    /// 0 to 100.
    pub score: f64,
    /// Its weight in the total.
    pub weight: f64,
    /// Findings counted, by severity.
    pub errors: usize,
    /// Findings counted, by severity.
    pub warnings: usize,
    /// Findings counted, by severity.
    pub infos: usize,
}

/// The score of a run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Score {
    /// 0 to 100, one decimal.
    pub total: f64,
    /// excellent, good, fair or poor.
    pub level: &'static str,
    /// Every category, in [`CATEGORIES`] order.
    pub categories: Vec<CategoryScore>,
}

/// The level of a total.
pub fn level(total: f64) -> &'static str {
    if total >= 90.0 {
        "excellent"
    } else if total >= 70.0 {
        "good"
    } else if total >= 50.0 {
        "fair"
    } else {
        "poor"
    }
}

fn one_decimal(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Files below which a repository counts as this many: one finding in a
/// ten-file repository is not ten times worse than in a hundred-file one.
const SMALLEST: f64 = 100.0;

/// A category's score from the points its findings cost, in a repository
/// of `files` files: 100 with none, 50 when the points reach half a point
/// per file (five errors in a small repository, 1,500 errors' worth in
/// 15,000 files), never 0. The curve keeps moving at any size: fixing a
/// tenth of the findings of a category at 20 raises it by about 2.
fn curve(lost: f64, files: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)] // file counts are far below 2^52
    let files = (files as f64).max(SMALLEST);
    100.0 / (1.0 + 2.0 * lost / files)
}

/// Scores `findings` (all of them, before `--max-findings`) of a run over
/// `files` files. A plugin's own failure (`ward/plugin-error`) says nothing
/// about the repository: not counted.
pub fn score(
    findings: &[Finding],
    files: usize,
    config: &ScoreConfig,
    registry: &Registry,
) -> Score {
    let mut penalty: BTreeMap<&str, f64> = BTreeMap::new();
    let mut counts: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for finding in findings.iter().filter(|f| f.rule != PLUGIN_ERROR_RULE) {
        let category = category_of(config, registry, &finding.rule);
        *penalty.entry(category).or_default() += config.cost(finding.severity);
        let slot = match finding.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        };
        counts.entry(category).or_default()[slot] += 1;
    }
    let categories: Vec<CategoryScore> = CATEGORIES
        .iter()
        .map(|name| {
            let lost = penalty.get(name).copied().unwrap_or(0.0);
            let [errors, warnings, infos] = counts.get(name).copied().unwrap_or_default();
            CategoryScore {
                name,
                score: one_decimal(curve(lost, files)),
                weight: config.weight(name),
                errors,
                warnings,
                infos,
            }
        })
        .collect();
    let weights: f64 = categories.iter().map(|c| c.weight).sum();
    let total = if weights > 0.0 {
        categories.iter().map(|c| c.score * c.weight).sum::<f64>() / weights
    } else {
        100.0
    };
    let total = one_decimal(total);
    Score {
        total,
        level: level(total),
        categories,
    }
}

/// The score as a small table for a terminal.
pub fn table(score: &Score) -> String {
    let mut out = format!(
        "{:<15} {:>6}  {:>6}  findings\n",
        "category", "score", "weight"
    );
    for c in &score.categories {
        let mut parts = Vec::new();
        for (n, word) in [
            (c.errors, "error"),
            (c.warnings, "warning"),
            (c.infos, "info"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {word}{}", if n == 1 { "" } else { "s" }));
            }
        }
        let findings = if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        };
        out.push_str(&format!(
            "{:<15} {:>6.1}  {:>6}  {findings}\n",
            c.name, c.score, c.weight
        ));
    }
    out.push_str(&format!(
        "{:<15} {:>6.1}  {}\n",
        "total", score.total, score.level
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, severity: Severity) -> Finding {
        let mut f = Finding::engine(rule, severity, "a.txt", String::new());
        f.plugin = rule.split('/').next().unwrap_or_default().to_string();
        f
    }

    #[test]
    fn one_finding_costs_its_weight_in_its_category() {
        let config = ScoreConfig::default();
        let rules = registry(&[("text/bom", "hygiene")]);
        let clean = score(&[], 10, &config, &rules);
        assert_eq!(clean.total, 100.0);
        assert_eq!(clean.level, "excellent");
        let one = score(
            &[finding("text/bom", Severity::Warning)],
            10,
            &config,
            &rules,
        );
        let hygiene = one.categories.iter().find(|c| c.name == "hygiene").unwrap();
        // 3 points in a repository counted as 100 files: 100 / (1 + 0.06).
        assert_eq!(hygiene.score, 94.3);
        assert_eq!(hygiene.warnings, 1);
        // Over 6 equally weighted categories.
        assert_eq!(one.total, 99.1);
    }

    /// On a large repository the score neither saturates nor stands
    /// still: 2,900 errors over 15,000 files is poor but not 0, and fixing
    /// a tenth of them moves it by more than a point.
    #[test]
    fn the_curve_keeps_moving_on_large_repositories() {
        let config = ScoreConfig::default();
        let rules = registry(&[("text/bom", "hygiene")]);
        let hygiene = |errors: usize| {
            let findings = vec![finding("text/bom", Severity::Error); errors];
            let s = score(&findings, 15_000, &config, &rules);
            s.categories
                .iter()
                .find(|c| c.name == "hygiene")
                .unwrap()
                .score
        };
        let before = hygiene(2_900);
        let after = hygiene(2_610);
        assert_eq!(before, 20.5);
        assert!(after - before > 1.5, "{before} -> {after}");
        assert!(hygiene(100_000) > 0.0);
        // The same findings weigh less in a larger repository.
        let small = score(&[finding("text/bom", Severity::Error)], 10, &config, &rules);
        let large = score(
            &[finding("text/bom", Severity::Error)],
            10_000,
            &config,
            &rules,
        );
        assert!(large.total > small.total);
    }

    #[test]
    fn weights_categories_and_levels_are_configurable() {
        let mut config = ScoreConfig::default();
        config.error = Some(40.0);
        config.categories = [("security".to_string(), 4.0)].into_iter().collect();
        config.rules = [("text/*".to_string(), "security".to_string())]
            .into_iter()
            .collect();
        config.validate().unwrap();
        let s = score(
            &[finding("text/bom", Severity::Error)],
            10,
            &config,
            &registry(&[("text/bom", "hygiene")]),
        );
        // security 100 / (1 + 0.8) = 55.6 with weight 4, five others 100
        // with weight 1: 722.4 / 9.
        assert_eq!(s.total, 80.3);
        assert_eq!(s.level, "good");
        assert_eq!(level(50.0), "fair");
        assert_eq!(level(49.9), "poor");
        let mut bad = ScoreConfig::default();
        bad.categories = [("docs".to_string(), 1.0)].into_iter().collect();
        assert!(bad
            .validate()
            .unwrap_err()
            .starts_with("unknown score category `docs`"));
    }

    /// A registry of `(id, category)` rules.
    fn registry(rules: &[(&str, &str)]) -> Registry {
        Registry::new(
            rules
                .iter()
                .map(|(id, category)| crate::registry::Registered {
                    rule: ward_plugin_sdk::RuleInfo::new(id, "", Severity::Warning, "")
                        .category(category),
                    source: id.split('/').next().unwrap_or_default().into(),
                    from_pack: false,
                })
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn a_rule_counts_in_its_own_category_unless_the_config_moves_it() {
        let rules = registry(&[
            ("markdown/broken-link", "documentation"),
            ("structure/forbidden-file", "security"),
            ("workflows/branch-pin", "ci"),
        ]);
        let mut c = ScoreConfig::default();
        assert_eq!(
            category_of(&c, &rules, "markdown/broken-link"),
            "documentation"
        );
        assert_eq!(
            category_of(&c, &rules, "structure/forbidden-file"),
            "security"
        );
        assert_eq!(category_of(&c, &rules, "workflows/branch-pin"), "ci");
        // A rule no plugin declares (a plugin that was not loaded) is hygiene.
        assert_eq!(category_of(&c, &rules, "team/custom"), "hygiene");
        c.rules = [("workflows/*".to_string(), "security".to_string())]
            .into_iter()
            .collect();
        c.validate().unwrap();
        assert_eq!(category_of(&c, &rules, "workflows/branch-pin"), "security");
    }
}
