//! A Markdown summary for people reading a CI run: GitHub's job summary
//! (`$GITHUB_STEP_SUMMARY`), a merge request note. Counts by severity and
//! by rule, then the first findings; everything from the checked tree is
//! shown as text, never as Markdown or HTML it could smuggle in.

use std::collections::BTreeMap;
use std::fmt::Write;

use ward_plugin_sdk::Severity;

use super::{control_picture, Report};

/// Findings listed in full; the rest are counted.
const LISTED: usize = 20;

/// `text` as inert Markdown table-cell text: control characters as their
/// pictures, Markdown and HTML punctuation escaped, newlines as spaces.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push(control_picture(c)),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The report as Markdown.
pub fn render(report: &Report<'_>) -> String {
    let all = report.all_findings;
    let count = |s: Severity| all.iter().filter(|f| f.severity == s).count();
    let mut out = String::new();
    let _ = writeln!(out, "## ward: {}\n", cell(report.repository));
    if all.is_empty() {
        let _ = writeln!(out, "No findings in {} files.", report.files_scanned);
        return out;
    }
    let _ = writeln!(out, "| errors | warnings | infos | files checked |");
    let _ = writeln!(out, "|---:|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} |\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        report.files_scanned
    );
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in all {
        *by_rule.entry(f.rule.as_str()).or_default() += 1;
    }
    let mut rules: Vec<(&str, usize)> = by_rule.into_iter().collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let _ = writeln!(out, "| rule | findings |");
    let _ = writeln!(out, "|---|---:|");
    for (rule, n) in rules {
        let _ = writeln!(out, "| `{rule}` | {n} |");
    }
    let _ = writeln!(out, "\n| severity | where | rule | message |");
    let _ = writeln!(out, "|---|---|---|---|");
    for f in report.findings.iter().take(LISTED) {
        let place = match (f.path.is_empty(), f.line) {
            (true, _) => "(repository)".to_string(),
            (false, 0) => cell(&f.path),
            (false, line) => format!("{}:{line}", cell(&f.path)),
        };
        let severity = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let _ = writeln!(
            out,
            "| {severity} | {place} | `{}` | {} |",
            f.rule,
            cell(&f.message_with_commit())
        );
    }
    let more = all.len().saturating_sub(report.findings.len().min(LISTED));
    if more > 0 {
        let _ = writeln!(
            out,
            "\n{more} more not listed; the full report is in the job's log or artifacts."
        );
    }
    let hidden = report.left_out();
    if !hidden.is_empty() {
        let _ = writeln!(out, "\nBesides these: {}.", hidden.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn tree_text_is_inert() {
        assert_eq!(
            cell("a|b <img src=x> [x](y) `c`\n\u{1b}[31m"),
            "a\\|b \\<img src=x\\> \\[x\\](y) \\`c\\` ␛\\[31m"
        );
    }
}
