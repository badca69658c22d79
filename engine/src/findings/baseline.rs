//! Baselines: the findings a repository had when it adopted ward, so CI
//! reports only new ones.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

/// The default file name, at the repository root.
pub const DEFAULT_FILE: &str = "ward-baseline.json";

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize, PartialEq, Eq, Hash, Clone)]
struct Entry {
    rule: String,
    path: String,
    fingerprint: String,
}

/// A loaded baseline.
pub struct Baseline {
    known: HashSet<Entry>,
}

impl Baseline {
    /// Reads a baseline file; a missing or malformed one is an error (exit 2),
    /// never silently an empty baseline that would report everything.
    pub fn load(path: &Path) -> miette::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| miette::miette!("cannot read baseline {}: {e}", path.display()))?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            miette::miette!(
                "{}:{}:{}: not a ward baseline: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if file.version != 1 {
            return Err(miette::miette!(
                "{}: baseline version {} is not one this ward reads (1)",
                path.display(),
                file.version
            ));
        }
        Ok(Baseline {
            known: file.findings.into_iter().collect(),
        })
    }

    /// Whether the baseline holds `finding`.
    pub fn contains(&self, finding: &Finding) -> bool {
        self.known.contains(&Entry {
            rule: finding.rule.clone(),
            path: finding.path.clone(),
            fingerprint: finding.fingerprint.clone(),
        })
    }
}

/// The baseline file for `findings`, sorted, as JSON.
pub fn render(findings: &[Finding]) -> String {
    let mut entries: Vec<Entry> = findings
        .iter()
        .map(|f| Entry {
            rule: f.rule.clone(),
            path: f.path.clone(),
            fingerprint: f.fingerprint.clone(),
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.path, &a.rule, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.fingerprint))
    });
    entries.dedup();
    let file = BaselineFile {
        version: 1,
        findings: entries,
    };
    let mut out = serde_json::to_string_pretty(&file).unwrap_or_default();
    out.push('\n');
    out
}
