//! Findings as the engine reports them.

use serde::Serialize;
use ward_plugin_sdk::{Edit, Severity};

/// A problem, placed and ready to render.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    /// Full rule id, `plugin/rule`.
    pub rule: String,
    /// Effective severity after config.
    pub severity: Severity,
    /// One line; secrets already redacted.
    pub message: String,
    /// Repository-relative path with `/`; empty for the repository as a whole.
    pub path: String,
    /// 1-based line; 0 for the whole file.
    pub line: u32,
    /// 1-based column in characters; 0 for the whole file.
    pub column: u32,
    /// Line where the finding ends.
    pub end_line: u32,
    /// Column one past the last character.
    pub end_column: u32,
    /// The plugin that reported it (`ward` for the engine's own rules).
    pub plugin: String,
    /// Stable across unrelated edits: rule, path and what was found, not where.
    pub fingerprint: String,
    /// Whether the finding carries fix edits.
    pub fixable: bool,
    /// The edits, for `--fix`.
    #[serde(skip)]
    pub fix: Vec<Edit>,
    /// Source lines around the finding (secrets redacted): for text output,
    /// and in JSON for `ward report --html`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Snippet>,
    /// The finding's span is a secret: masked in every snippet that shows it.
    #[serde(skip)]
    pub secret_span: bool,
    /// For `ward history`: the commit that introduced what was found.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub commit: Option<Box<Commit>>,
}

/// The commit a history finding comes from: the first in the range that
/// introduced the blob at that path.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Commit {
    /// Full hex id; `staged` for the index.
    pub commit: String,
    /// `Name <email>`.
    pub author: String,
    /// The author date, RFC 3339 in UTC.
    pub date: String,
    /// The first line of the commit message.
    pub summary: String,
}

/// Lines of the file around a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The line number of the first line of `text`.
    pub first_line: u32,
    /// The lines, each ending in `\n`, lossily decoded.
    pub text: String,
}

impl Finding {
    /// The message, and for a history finding the commit it comes from:
    /// for formats that have nowhere else to say it.
    pub fn message_with_commit(&self) -> std::borrow::Cow<'_, str> {
        match &self.commit {
            Some(commit) => format!(
                "{} (commit {})",
                self.message,
                commit.commit.get(..12).unwrap_or(&commit.commit)
            )
            .into(),
            None => self.message.as_str().into(),
        }
    }

    /// A finding of one of the engine's own rules about a whole file.
    pub fn engine(rule: &str, severity: Severity, path: &str, message: String) -> Self {
        Finding {
            rule: rule.into(),
            severity,
            message,
            path: path.into(),
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
            plugin: "ward".into(),
            fingerprint: fingerprint(rule, path, ""),
            fixable: false,
            fix: Vec::new(),
            snippet: None,
            commit: None,
            secret_span: false,
        }
    }

    /// The report order: path, line, column, rule, then message for ties.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.path,
            self.line,
            self.column,
            &self.rule,
            &self.message,
        )
    }
}

/// Sorts findings into the report order and numbers identical fingerprints,
/// so two equal findings in one file stay distinct and stable.
pub fn finalize(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    let mut seen = std::collections::HashMap::<String, u32>::new();
    for finding in findings.iter_mut() {
        let n = seen.entry(finding.fingerprint.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            finding.fingerprint = format!("{}:{n}", finding.fingerprint);
        }
    }
}

/// FNV-1a: a stable hash (std's hasher may change between Rust versions, which
/// would invalidate every stored fingerprint).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The fingerprint of what a rule found in a file: `anchor` is the secret or
/// the trimmed text of the finding's line, never its line number.
pub fn fingerprint(rule: &str, path: &str, anchor: &str) -> String {
    format!("{:016x}", fnv1a(&[rule, path, anchor]))
}

/// Masks a secret: at most 4 leading characters (fewer for short secrets)
/// stay, every other character becomes `*`, so columns still line up.
pub fn redact(secret: &str) -> String {
    let chars = secret.chars().count();
    let shown = (chars / 4).min(4);
    secret
        .chars()
        .enumerate()
        .map(|(i, c)| if i < shown { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_at_most_four_characters() {
        assert_eq!(redact("AKIAIOSFODNN7EXAMPLE"), "AKIA****************");
        assert_eq!(redact("abcdefgh"), "ab******");
        assert_eq!(redact("abc"), "***");
    }

    #[test]
    fn fingerprints_ignore_position_and_number_duplicates() {
        let mut a = Finding::engine("r/x", Severity::Error, "f", "m".into());
        a.fingerprint = fingerprint("r/x", "f", "same line");
        let mut b = a.clone();
        b.line = 9;
        let mut findings = vec![b, a];
        finalize(&mut findings);
        assert_eq!(findings[0].line, 0);
        assert_eq!(
            findings[1].fingerprint,
            format!("{}:2", findings[0].fingerprint)
        );
        assert_eq!(fingerprint("r", "p", "x"), fingerprint("r", "p", "x"));
        assert_ne!(fingerprint("r", "p", "x"), fingerprint("r", "p", "y"));
    }
}
