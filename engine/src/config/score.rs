//! The `[score]` table: what a finding costs its category, and how the
//! categories weigh in the total.

use std::collections::BTreeMap;

use serde::Deserialize;
use ward_plugin_sdk::Severity;

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
    categories_by_rule: crate::config::policy::RuleMap<&'static str>,
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
        let mut compiled = crate::config::policy::RuleMap::default();
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

    pub fn cost(&self, severity: Severity) -> f64 {
        match severity {
            Severity::Error => self.error.unwrap_or(10.0),
            Severity::Warning => self.warning.unwrap_or(3.0),
            Severity::Info => self.info.unwrap_or(1.0),
        }
    }

    pub fn weight(&self, category: &str) -> f64 {
        self.categories.get(category).copied().unwrap_or(1.0)
    }

    /// The category `[score.rules]` gives a rule (an exact id beats a glob).
    pub fn category_of(&self, rule: &str) -> Option<&'static str> {
        self.categories_by_rule.get(rule)
    }
}
