//! `--format text`: miette diagnostics with source snippets.

use std::collections::HashMap;
use std::fmt;

use rayon::prelude::*;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use ward_plugin_sdk::Severity;

use super::Report;
use crate::finding::{Finding, Snippet};

/// A snippet whose first line is `first_line` of the file, so miette shows
/// real line numbers.
#[derive(Debug)]
struct SnippetSource<'a> {
    name: String,
    snippet: &'a Snippet,
}

impl SourceCode for SnippetSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.snippet.text.read_span(span, before, after)?;
        // miette counts columns in bytes; ward counts characters, as in JSON.
        let text = &self.snippet.text;
        let at = span.offset().min(text.len());
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..at].chars().count();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line() + self.snippet.first_line as usize - 1,
            column,
            inner.line_count(),
        )))
    }
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    help: Option<String>,
    source: Option<(SnippetSource<'a>, SourceSpan)>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic")
            .field("finding", self.finding)
            .finish()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let finding = self.finding;
        if self.source.is_some() || finding.path.is_empty() {
            write!(f, "{}", shown_text(&finding.message))
        } else if finding.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                shown_path(&finding.path),
                finding.line,
                finding.column,
                shown_text(&finding.message)
            )
        } else {
            write!(
                f,
                "{}: {}",
                shown_path(&finding.path),
                shown_text(&finding.message)
            )
        }
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|(s, _)| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, span) = self.source.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.finding.rule.clone()),
            *span,
        ))))
    }
}

/// The byte offset in `snippet` of a 1-based line and character column.
fn offset(snippet: &Snippet, line: u32, column: u32) -> Option<usize> {
    let index = line.checked_sub(snippet.first_line)? as usize;
    let mut start = 0;
    for (i, text) in snippet.text.split_inclusive('\n').enumerate() {
        if i == index {
            let content = text.strip_suffix('\n').unwrap_or(text);
            let within = content
                .char_indices()
                .nth(column.saturating_sub(1) as usize)
                .map_or(content.len(), |(at, _)| at);
            return Some(start + within);
        }
        start += text.len();
    }
    None
}

fn span_of(finding: &Finding, snippet: &Snippet) -> Option<SourceSpan> {
    let start = offset(snippet, finding.line, finding.column)?;
    let end = offset(snippet, finding.end_line, finding.end_column).unwrap_or(start);
    Some(SourceSpan::new(start.into(), end.saturating_sub(start)))
}

/// A path as a terminal can show it: control characters (a newline in a
/// file name) escaped, so a crafted name cannot fake or break lines.
fn shown_path(path: &str) -> std::borrow::Cow<'_, str> {
    if path.chars().any(char::is_control) {
        std::borrow::Cow::Owned(path.escape_debug().to_string())
    } else {
        std::borrow::Cow::Borrowed(path)
    }
}

/// A message as a terminal can show it: a plugin's message, or a file's line
/// in a snippet, could hold escape sequences that recolour, move the cursor
/// or retitle the terminal. Line breaks stay (a CR only before a LF); every
/// other control character becomes its visible Unicode picture, one
/// character for one, so character columns in snippets are unchanged.
fn shown_text(text: &str) -> std::borrow::Cow<'_, str> {
    let harmless = |(i, c): (usize, char)| {
        !c.is_control() || c == '\n' || c == '\t' || (c == '\r' && text[i + 1..].starts_with('\n'))
    };
    if text.char_indices().all(harmless) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.char_indices()
            .map(|(i, c)| {
                if harmless((i, c)) {
                    c
                } else {
                    super::control_picture(c)
                }
            })
            .collect(),
    )
}

/// Renders every finding and a closing summary line.
pub fn render(report: &Report<'_>, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_wrap_lines(false);
    // Findings render independently; thousands of them take long enough
    // to be worth both cores. Order is kept: rayon collects in order.
    let rendered: Vec<String> = report
        .findings
        .par_iter()
        .map(|finding| {
            let mut out = String::new();
            let rule = report.rules.get(finding.rule.as_str());
            let help = rule.map(|r| {
                if finding.fixable {
                    format!("{} (fixable)", r.summary)
                } else {
                    r.summary.clone()
                }
            });
            let shown_snippet = finding.snippet.as_ref().map(|snippet| Snippet {
                first_line: snippet.first_line,
                text: shown_text(&snippet.text).into_owned(),
            });
            let source = shown_snippet.as_ref().and_then(|snippet| {
                span_of(finding, snippet).map(|span| {
                    (
                        SnippetSource {
                            name: shown_path(&finding.path).into_owned(),
                            snippet,
                        },
                        span,
                    )
                })
            });
            let diagnostic = FindingDiagnostic {
                finding,
                help,
                source,
            };
            if handler.render_report(&mut out, &diagnostic).is_err() {
                out.push_str(&format!(
                    "{}:{}:{}: {}: {}\n",
                    shown_path(&finding.path),
                    finding.line,
                    finding.column,
                    finding.rule,
                    shown_text(&finding.message)
                ));
            }
            if let Some(commit) = &finding.commit {
                // A history finding: which commit brought it, in the
                // commit's own words (shown as text, never as escapes).
                let line = format!(
                    "  introduced in {} by {} on {}: {}\n\n",
                    commit.commit.get(..12).unwrap_or(&commit.commit),
                    commit.author,
                    commit.date,
                    commit.summary
                );
                if out.ends_with("\n\n") {
                    out.pop();
                }
                out.push_str(&shown_text(&line));
            }
            out
        })
        .collect();
    let mut out = rendered.concat();
    out.push_str(&summary_line(report));
    out.push_str(&guidance(report));
    let markers = report.markers_by_directory();
    if !markers.is_empty() {
        let mut by_count: Vec<(&String, &usize)> = markers.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let listed: Vec<String> = by_count
            .iter()
            .map(|(dir, n)| format!("{} {n}", shown_path(dir)))
            .collect();
        out.push_str(&format!(
            "TODO markers by directory: {}\n",
            listed.join(", ")
        ));
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn summary_line(report: &Report<'_>) -> String {
    let files = plural(report.files_scanned, "file");
    let mut hidden = report.left_out();
    if report.truncated > 0 {
        hidden.push(format!("{} more not shown", report.truncated));
    }
    let hidden = if hidden.is_empty() {
        String::new()
    } else {
        format!(" ({})", hidden.join(", "))
    };
    if report.findings.is_empty() {
        return format!("No findings in {files}{hidden}.\n");
    }
    format!(
        "{}, {}, {} in {files}{hidden}.\n",
        plural(count(report.all_findings, Severity::Error), "error"),
        plural(count(report.all_findings, Severity::Warning), "warning"),
        plural(count(report.all_findings, Severity::Info), "info"),
    )
}

fn count(findings: &[crate::finding::Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

/// How many findings make a wall worth a baseline.
const MANY: usize = 50;

/// What to do next, after the totals: the rules that found most, how many
/// findings `--fix` can fix, and, for a wall of old findings, `ward baseline`.
fn guidance(report: &Report<'_>) -> String {
    let all = report.all_findings;
    let mut out = String::new();
    let mut by_rule: HashMap<&str, usize> = HashMap::new();
    for finding in all {
        *by_rule.entry(finding.rule.as_str()).or_default() += 1;
    }
    if by_rule.len() > 1 {
        let mut ranked: Vec<(&str, usize)> = by_rule.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let more = ranked.len().saturating_sub(10);
        let listed: Vec<String> = ranked
            .iter()
            .take(10)
            .map(|(rule, n)| format!("{rule} {n}"))
            .collect();
        out.push_str(&format!("By rule: {}", listed.join(", ")));
        if more > 0 {
            out.push_str(&format!(", and {}", plural(more, "more rule")));
        }
        out.push_str(".\n");
    }
    let fixable = all.iter().filter(|f| f.fixable).count();
    if fixable > 0 {
        out.push_str(&format!("`ward check --fix` can fix {fixable} of them.\n"));
    }
    if all.len() >= MANY && report.baselined == 0 {
        out.push_str(&format!(
            "Adopting ward on this repository? `ward baseline` records these {} findings, and `ward check` then reports only new ones.\n",
            all.len()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::shown_text;

    #[test]
    fn control_characters_become_pictures_one_for_one() {
        assert_eq!(
            shown_text("a\u{1b}[2Jb\u{7}\u{7f}"),
            "a\u{241b}[2Jb\u{2407}\u{2421}"
        );
        assert_eq!(shown_text("x\ry\r\n\tz\n"), "x\u{240d}y\r\n\tz\n");
        assert!(matches!(
            shown_text("plain\n"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
