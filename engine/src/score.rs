//! The health score: findings turned into one number per category and one
//! for the repository, for tracking over time (`ward score`, the `score`
//! block of the JSON report, `--min-score`).
//!
//! Each category starts at 100 and loses the weight of each of its findings'
//! severities (default: error 10, warning 3, info 1), down to 0. The total is
//! the mean of the categories weighted by the category weights (default 1
//! each). Levels: excellent ≥ 90, good ≥ 70, fair ≥ 50, else poor.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ward_plugin_sdk::{Severity, PLUGIN_ERROR_RULE};

use crate::finding::Finding;

/// The categories, in report order.
pub const CATEGORIES: [&str; 6] = [
    "documentation",
    "security",
    "hygiene",
    "structure",
    "manifests",
    "ci",
];

/// The `[score]` table of `ward.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreConfig {
    /// Points an error costs its category.
    pub error: Option<f64>,
    /// Points a warning costs.
    pub warning: Option<f64>,
    /// Points an info costs.
    pub info: Option<f64>,
    /// Category weights in the total.
    #[serde(default)]
    pub categories: BTreeMap<String, f64>,
    /// Rule id or glob → category, before the built-in mapping.
    #[serde(default)]
    pub rules: BTreeMap<String, String>,
    /// `rules`, compiled by [`ScoreConfig::validate`]: matched per finding.
    #[serde(skip)]
    categories_by_rule: crate::policy::RuleMap<&'static str>,
}

impl ScoreConfig {
    /// Layers `later` over `self`: values and entries of `later` win.
    pub fn merge(&mut self, later: ScoreConfig) {
        self.error = later.error.or(self.error);
        self.warning = later.warning.or(self.warning);
        self.info = later.info.or(self.info);
        self.categories.extend(later.categories);
        self.rules.extend(later.rules);
        self.categories_by_rule.extend(later.categories_by_rule);
    }

    /// Checks names and numbers (the message says what is wrong) and
    /// compiles `[score.rules]`.
    pub fn validate(&mut self) -> Result<(), String> {
        for (name, weight) in &self.categories {
            if !CATEGORIES.contains(&name.as_str()) {
                return Err(format!(
                    "unknown score category `{name}`; the categories are {}",
                    CATEGORIES.join(", ")
                ));
            }
            if !weight.is_finite() || *weight < 0.0 {
                return Err(format!("score weight of `{name}` must be 0 or more"));
            }
        }
        let mut compiled = crate::policy::RuleMap::default();
        for (rule, category) in &self.rules {
            let Some(known) = CATEGORIES.iter().find(|c| **c == category.as_str()) else {
                return Err(format!(
                    "[score.rules] \"{rule}\" names unknown category `{category}`; the categories are {}",
                    CATEGORIES.join(", ")
                ));
            };
            compiled
                .add(rule, *known, None)
                .map_err(|e| format!("[score.rules] \"{rule}\": {e}"))?;
        }
        self.categories_by_rule = compiled;
        for (name, value) in [
            ("error", self.error),
            ("warning", self.warning),
            ("info", self.info),
        ] {
            if value.is_some_and(|v| !v.is_finite() || v < 0.0) {
                return Err(format!("score `{name}` must be 0 or more"));
            }
        }
        Ok(())
    }

    fn cost(&self, severity: Severity) -> f64 {
        match severity {
            Severity::Error => self.error.unwrap_or(10.0),
            Severity::Warning => self.warning.unwrap_or(3.0),
            Severity::Info => self.info.unwrap_or(1.0),
        }
    }

    fn weight(&self, category: &str) -> f64 {
        self.categories.get(category).copied().unwrap_or(1.0)
    }

    /// The category of a finding: `[score.rules]` first (an exact id beats
    /// a glob), then the built-in mapping by rule and plugin.
    pub fn category_of(&self, rule: &str, plugin: &str) -> &'static str {
        self.categories_by_rule
            .get(rule)
            .unwrap_or_else(|| builtin_category(rule, plugin))
    }
}

fn builtin_category(rule: &str, plugin: &str) -> &'static str {
    match rule {
        "structure/required-file"
        | "structure/required-content"
        | "structure/forbidden-content" => return "documentation",
        "structure/forbidden-file" => return "security",
        _ => {}
    }
    let prefix = rule.split('/').next().unwrap_or(plugin);
    match prefix {
        "markdown" | "license" => "documentation",
        "secrets" | "security" | "gitleaks" => "security",
        "structure" => "structure",
        "manifest" => "manifests",
        "workflows" => "ci",
        _ => "hygiene",
    }
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

/// Scores `findings` (all of them, before `--max-findings`). A plugin's own
/// failure (`ward/plugin-error`) says nothing about the repository: not counted.
pub fn score(findings: &[Finding], config: &ScoreConfig) -> Score {
    let mut penalty: BTreeMap<&str, f64> = BTreeMap::new();
    let mut counts: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for finding in findings.iter().filter(|f| f.rule != PLUGIN_ERROR_RULE) {
        let category = config.category_of(&finding.rule, &finding.plugin);
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
                score: one_decimal((100.0 - lost).max(0.0)),
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
        let clean = score(&[], &config);
        assert_eq!(clean.total, 100.0);
        assert_eq!(clean.level, "excellent");
        let one = score(&[finding("text/bom", Severity::Warning)], &config);
        let hygiene = one.categories.iter().find(|c| c.name == "hygiene").unwrap();
        assert_eq!(hygiene.score, 97.0);
        assert_eq!(hygiene.warnings, 1);
        // 3 points over 6 equally weighted categories.
        assert_eq!(one.total, 99.5);
    }

    #[test]
    fn weights_categories_and_levels_are_configurable() {
        let mut config = ScoreConfig {
            error: Some(40.0),
            categories: [("security".to_string(), 4.0)].into_iter().collect(),
            rules: [("text/*".to_string(), "security".to_string())]
                .into_iter()
                .collect(),
            ..Default::default()
        };
        config.validate().unwrap();
        let s = score(&[finding("text/bom", Severity::Error)], &config);
        // security 60 with weight 4, five others 100 with weight 1: 540 / 9.
        assert_eq!(s.total, 82.2);
        assert_eq!(s.level, "good");
        assert_eq!(level(50.0), "fair");
        assert_eq!(level(49.9), "poor");
        let mut bad = ScoreConfig {
            categories: [("docs".to_string(), 1.0)].into_iter().collect(),
            ..Default::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .starts_with("unknown score category `docs`"));
    }

    #[test]
    fn categories_of_built_in_rules() {
        let c = ScoreConfig::default();
        assert_eq!(
            c.category_of("markdown/broken-link", "markdown"),
            "documentation"
        );
        assert_eq!(
            c.category_of("structure/required-content", "structure"),
            "documentation"
        );
        assert_eq!(
            c.category_of("secrets/aws-access-key", "secrets"),
            "security"
        );
        assert_eq!(c.category_of("workflows/branch-pin", "workflows"), "ci");
        assert_eq!(c.category_of("manifest/syntax", "manifest"), "manifests");
        assert_eq!(c.category_of("structure/naming", "structure"), "structure");
        assert_eq!(c.category_of("text/bom", "text"), "hygiene");
        assert_eq!(c.category_of("team/custom", "team"), "hygiene");
    }
}
