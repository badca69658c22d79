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

/// Why a baseline could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    /// The file could not be read.
    #[error("cannot read baseline {path}: {source}")]
    #[diagnostic(code(ward::baseline), help("make one with `ward baseline`"))]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// It is not a baseline ward wrote.
    #[error("{path}:{line}:{column}: not a ward baseline: {detail}")]
    #[diagnostic(code(ward::baseline))]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        detail: String,
    },
    /// A baseline of a format this ward does not read.
    #[error("{path}: baseline version {version} is not one this ward reads (1)")]
    #[diagnostic(code(ward::baseline))]
    Version { path: String, version: u32 },
}

/// A loaded baseline.
pub struct Baseline {
    known: HashSet<Entry>,
}

impl Baseline {
    /// Reads a baseline file; a missing or malformed one is an error (exit 2),
    /// never silently an empty baseline that would report everything.
    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let shown = path.display().to_string();
        let text = crate::config::read::read_bounded(path, crate::config::read::BASELINE_LIMIT)
            .map_err(|source| BaselineError::Read {
                path: shown.clone(),
                source,
            })?;
        let file: BaselineFile =
            serde_json::from_str(&text).map_err(|e| BaselineError::Invalid {
                path: shown.clone(),
                line: e.line(),
                column: e.column(),
                detail: e.to_string(),
            })?;
        if file.version != 1 {
            return Err(BaselineError::Version {
                path: shown,
                version: file.version,
            });
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
pub fn render(findings: &[Finding]) -> serde_json::Result<String> {
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
    let mut out = serde_json::to_string_pretty(&file)?;
    out.push('\n');
    Ok(out)
}
