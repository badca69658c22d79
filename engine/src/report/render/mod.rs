//! Reports: what a run found, in the format asked for.

pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use std::collections::HashMap;
use std::time::Duration;

use ward_plugin_sdk::{RuleInfo, Severity};

use crate::finding::Finding;

/// The visible stand-in for a control character in output for people: its
/// Unicode control picture (`␛` for ESC), `␡` for DEL, `�` for the rest.
pub(crate) fn control_picture(c: char) -> char {
    match c as u32 {
        code @ 0..=0x1f => char::from_u32(0x2400 + code).unwrap_or('\u{FFFD}'),
        0x7f => '\u{2421}',
        _ => '\u{FFFD}',
    }
}

/// Everything a renderer needs.
pub struct Report<'a> {
    /// Sorted findings.
    pub findings: &'a [Finding],
    /// Every known rule by id, for help texts and tool metadata.
    pub rules: HashMap<&'a str, &'a RuleInfo>,
    /// Every finding of the run, with those `--max-findings` left out of
    /// `findings`: the text summary's totals count these.
    pub all_findings: &'a [Finding],
    /// `--fail-on`: JUnit reports only findings at or above it as failures.
    pub fail_on: Option<Severity>,
    /// Rules whose findings the text summary counts per directory.
    pub tallied: std::collections::HashSet<&'a str>,
    /// Regular files read.
    pub files_scanned: usize,
    /// Bytes read.
    pub bytes_scanned: u64,
    /// Findings hidden by `ward:ignore` comments.
    pub suppressed: usize,
    /// Findings hidden because the baseline holds them.
    pub baselined: usize,
    /// Findings left out as older than the change (`--diff-base`).
    pub pre_existing: usize,
    /// Findings left out by `--max-findings`.
    pub truncated: usize,
    /// Wall time of the run.
    pub duration: Duration,
    /// The repository's name.
    pub repository: &'a str,
    /// The shard checked, if any.
    pub shard: Option<crate::source::shard::Shard>,
    /// Where the repository is, for SARIF's version-control provenance of
    /// history findings.
    pub repository_uri: Option<&'a str>,
    /// Where the time went, with `--timings`.
    pub timings: Option<&'a crate::scan::Timings>,
    /// The health score of every finding (not only those shown).
    pub score: Option<crate::report::score::Score>,
}

impl Report<'_> {
    /// What the report leaves out and why: suppressed, baselined and
    /// pre-existing findings, each with its count, when there are any.
    pub fn left_out(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.suppressed > 0 {
            out.push(format!("{} suppressed", self.suppressed));
        }
        if self.baselined > 0 {
            out.push(format!("{} in the baseline", self.baselined));
        }
        if self.pre_existing > 0 {
            out.push(format!(
                "{} left out as pre-existing (--diff-base)",
                self.pre_existing
            ));
        }
        out
    }

    /// Findings of the tallied rules (to-do markers) counted per directory
    /// (`.` for the top), when there are any: where the debt piles up.
    pub fn markers_by_directory(&self) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for finding in self
            .findings
            .iter()
            .filter(|f| self.tallied.contains(f.rule.as_str()))
        {
            let dir = finding
                .path
                .rsplit_once('/')
                .map_or(".", |(dir, _)| dir)
                .to_string();
            *counts.entry(dir).or_insert(0) += 1;
        }
        counts
    }

    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}
