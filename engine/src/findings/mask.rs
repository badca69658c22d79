//! Masking at the output edge: every secret a secrets rule found, in a
//! file's content or in a file's name, is masked wherever it appears in any
//! finding (messages, snippets and paths of every rule, repository-wide
//! findings such as a broken link to `sk_live_….md` included), however the
//! finding was produced. Secrets are known only in memory, during the run:
//! found again from each secret finding's span in its file (which also
//! works for findings read back from the cache, which never holds one) and
//! from scanning the file names.

use std::path::Path;

use crate::finding::{redact, Finding};

/// The text of every secret found in `bytes` by the findings given (those
/// whose span is a secret), longest first.
pub fn secrets_in<'a>(bytes: &[u8], findings: impl Iterator<Item = &'a Finding>) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.split('\n').collect();
    // Columns count characters from 1, as every output does.
    let offset = |line: u32, column: u32| -> Option<usize> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let before: usize = lines.get(..index)?.iter().map(|l| l.len() + 1).sum();
        let within = lines.get(index)?;
        let chars = usize::try_from(column).ok()?.checked_sub(1)?;
        let inner = within
            .char_indices()
            .nth(chars)
            .map_or(within.len(), |(at, _)| at);
        Some(before + inner)
    };
    let mut secrets: Vec<String> = findings
        .filter(|f| f.secret_span)
        .filter_map(|f| {
            let start = offset(f.line, f.column)?;
            let end = offset(f.end_line, f.end_column)?;
            text.get(start..end).map(str::to_string)
        })
        .filter(|s| !s.is_empty())
        .collect();
    sort(&mut secrets);
    secrets
}

fn sort(secrets: &mut Vec<String>) {
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    secrets.dedup();
}

/// Every secret the findings' spans point at, read again from their files
/// under `root` (only files with a secret finding are read).
pub fn secrets_of(root: &Path, findings: &[Finding]) -> Vec<String> {
    let mut paths: Vec<&str> = findings
        .iter()
        .filter(|f| f.secret_span && !f.path.is_empty())
        .map(|f| f.path.as_str())
        .collect();
    paths.sort_unstable();
    paths.dedup();
    let mut secrets = Vec::new();
    for path in paths {
        let Ok(bytes) = crate::source::read::read_limited(&root.join(path), 0, 64 << 20) else {
            continue;
        };
        secrets.extend(secrets_in(
            &bytes,
            findings.iter().filter(|f| f.path == path),
        ));
    }
    sort(&mut secrets);
    secrets
}

/// Masks every secret of `secrets` in every finding's message, snippet and
/// path.
pub fn mask_all(findings: &mut [Finding], secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    let mask = |text: &mut String| {
        for secret in secrets {
            if text.contains(secret.as_str()) {
                *text = text.replace(secret.as_str(), &redact(secret));
            }
        }
    };
    for finding in findings {
        mask(&mut finding.message);
        mask(&mut finding.path);
        if let Some(snippet) = finding.snippet.as_mut() {
            mask(&mut snippet.text);
        }
    }
}
