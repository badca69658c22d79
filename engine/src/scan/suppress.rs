//! Inline suppressions: `ward:ignore RULE[,RULE…]` in a comment on the
//! offending line or the line above, `ward:ignore-file RULE` in a file's
//! first lines.

use globset::{Glob, GlobMatcher};
use ward_plugin_sdk::Severity;

use crate::finding::Finding;
use crate::registry::{INVALID_SUPPRESSION, UNUSED_SUPPRESSION};

const MARKER: &[u8] = b"ward:ignore";

/// `ward:ignore-file` counts only in this many first lines, so a marker deep
/// in a file (a test string, a doc) does not silence the whole file.
pub const FILE_MARKER_LINES: u32 = 10;

enum Pattern {
    Exact(String),
    Glob(GlobMatcher),
}

impl Pattern {
    fn matches(&self, rule: &str) -> bool {
        match self {
            Pattern::Exact(id) => id == rule,
            Pattern::Glob(glob) => glob.is_match(rule),
        }
    }
}

/// One `ward:ignore` comment: the lines it covers (none for
/// `ward:ignore-file`), its rules, and whether it hid a finding.
struct Marker {
    line: u32,
    covers: Option<(u32, u32)>,
    patterns: Vec<Pattern>,
    text: String,
    used: std::cell::Cell<bool>,
    /// Whether it names a known rule or a glob: a comment naming only
    /// unknown rules is already reported as invalid.
    named_known: bool,
}

impl Marker {
    fn hides(&self, finding: &Finding) -> bool {
        let in_range = match self.covers {
            None => true,
            Some((first, last)) => finding.line > 0 && (first..=last).contains(&finding.line),
        };
        let hides = in_range && self.patterns.iter().any(|p| p.matches(&finding.rule));
        if hides {
            self.used.set(true);
        }
        hides
    }
}

/// The suppressions of one file.
#[derive(Default)]
pub struct Suppressions {
    markers: Vec<Marker>,
    /// Markers that name unknown rules or none, as warnings.
    pub problems: Vec<Finding>,
}

impl Suppressions {
    /// Adds the suppressions of another piece of the same file.
    pub fn merge(&mut self, other: Suppressions) {
        self.markers.extend(other.markers);
        self.problems.extend(other.problems);
    }

    /// Whether `finding` is suppressed (and marks what suppressed it as used).
    pub fn hides(&self, finding: &Finding) -> bool {
        // Every marker that covers the finding is used, not only the first.
        let mut hidden = false;
        for marker in &self.markers {
            hidden |= marker.hides(finding);
        }
        hidden
    }

    /// An info finding for each comment that hid nothing in this run, as
    /// ast-grep reports them: the rule was fixed, renamed or switched off,
    /// and the comment now only hides the next problem on that line.
    pub fn unused(&self, path: &str) -> Vec<Finding> {
        self.markers
            .iter()
            .filter(|m| !m.used.get() && m.named_known)
            .map(|m| {
                let mut finding = Finding::engine(
                    UNUSED_SUPPRESSION,
                    Severity::Info,
                    path,
                    format!("`{}` suppresses nothing: remove it", m.text),
                );
                finding.line = m.line;
                finding.end_line = m.line;
                finding.column = 1;
                finding.end_column = 1;
                finding
            })
            .collect()
    }
}

fn is_rule_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_-./*?[]{}".contains(&b)
}

/// Whether a token reads as a rule id or a rule glob (`text/bom`, `text/*`):
/// prose that mentions ward:ignore ("a ward:ignore comment names…") is no
/// suppression and must not be reported as a broken one.
fn looks_like_rule(token: &str) -> bool {
    token.contains('/') && !token.starts_with('/') && !token.ends_with('/')
}

/// The rule list after a marker: rule ids separated by commas or spaces, up
/// to the end of the line, a comment closer (`*/`, `-->`) or the first word
/// that is not a rule id.
fn rule_tokens(rest: &[u8]) -> Vec<String> {
    let line_end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
    let mut tokens = Vec::new();
    let mut i = 0;
    let line = &rest[..line_end];
    while i < line.len() {
        while i < line.len() && (line[i] == b' ' || line[i] == b'\t' || line[i] == b',') {
            i += 1;
        }
        let start = i;
        while i < line.len() && is_rule_char(line[i]) {
            i += 1;
        }
        if start == i {
            break;
        }
        let mut token = String::from_utf8_lossy(&line[start..i]).into_owned();
        let closed = token.ends_with("*/") || token.ends_with("-->");
        token = token
            .trim_end_matches("*/")
            .trim_end_matches("--")
            .to_string();
        if !looks_like_rule(&token) {
            break;
        }
        tokens.push(token);
        if closed || (i < line.len() && line[i] != b' ' && line[i] != b'\t' && line[i] != b',') {
            break;
        }
    }
    tokens
}

/// What a run knows of a rule id a comment names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known {
    /// A rule of a loaded plugin or pack.
    Yes,
    /// No rule of that id: the comment is reported as invalid.
    No,
    /// A rule of an optional plugin whose library is not installed here:
    /// the comment is neither invalid nor unused.
    Absent,
}

/// Finds the markers in a file; `None` when it has none (nearly every file).
pub fn parse(path: &str, bytes: &[u8], known: &dyn Fn(&str) -> Known) -> Option<Suppressions> {
    parse_from(path, bytes, known, 1)
}

/// [`parse`] for a piece of a file that starts at line `first_line`: lines
/// come out numbered in the whole file, so `ward:ignore-file` below the
/// file's first lines is refused in a later piece as in the whole file.
pub fn parse_from(
    path: &str,
    bytes: &[u8],
    known: &dyn Fn(&str) -> Known,
    first_line: u32,
) -> Option<Suppressions> {
    let finder = memchr::memmem::Finder::new(MARKER);
    let mut found = Suppressions::default();
    let mut any = false;
    let (mut line, mut counted) = (first_line, 0usize);
    for at in finder.find_iter(bytes) {
        any = true;
        line += u32::try_from(memchr::memchr_iter(b'\n', &bytes[counted..at]).count()).unwrap_or(0);
        counted = at;
        let mut rest = &bytes[at + MARKER.len()..];
        let file_wide = rest.starts_with(b"-file");
        if file_wide {
            rest = &rest[b"-file".len()..];
        } else if rest.first().is_some_and(|b| is_rule_char(*b)) {
            continue; // `ward:ignored`, `ward:ignore_x`: some other word
        }
        let problem = |message: String| {
            let mut finding =
                Finding::engine(INVALID_SUPPRESSION, Severity::Warning, path, message);
            finding.line = line;
            finding.end_line = line;
            finding.column = 1;
            finding.end_column = 1;
            finding
        };
        let marker = if file_wide {
            "ward:ignore-file"
        } else {
            "ward:ignore"
        };
        let tokens = rule_tokens(rest);
        if tokens.is_empty() {
            // No rule id after the marker: prose about suppressions, or a
            // bare marker. Neither suppresses anything.
            continue;
        }
        if file_wide && line > FILE_MARKER_LINES {
            found.problems.push(problem(format!(
                "{marker} counts only in the first {FILE_MARKER_LINES} lines of a file"
            )));
            continue;
        }
        let text = format!("{marker} {}", tokens.join(","));
        let named_known = tokens
            .iter()
            .any(|t| t.contains(['*', '?', '[', '{']) || known(t) == Known::Yes);
        let mut patterns = Vec::new();
        for token in tokens {
            let pattern = if token.contains(['*', '?', '[', '{']) {
                match Glob::new(&token) {
                    Ok(glob) => Pattern::Glob(glob.compile_matcher()),
                    Err(e) => {
                        found.problems.push(problem(format!(
                            "invalid rule pattern `{token}` in {marker}: {e}"
                        )));
                        continue;
                    }
                }
            } else {
                if known(&token) == Known::No {
                    found
                        .problems
                        .push(problem(format!("unknown rule `{token}` in {marker}")));
                }
                Pattern::Exact(token)
            };
            patterns.push(pattern);
        }
        if patterns.is_empty() {
            continue;
        }
        if file_wide {
            found.markers.push(Marker {
                line,
                covers: None,
                patterns,
                text,
                used: std::cell::Cell::new(false),
                named_known,
            });
        } else {
            // A comment after code covers its own line; a comment alone on
            // its line covers the line below too.
            let line_start = bytes[..at]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            let alone = !bytes[line_start..at].iter().any(u8::is_ascii_alphanumeric);
            found.markers.push(Marker {
                line,
                covers: Some((line, if alone { line + 1 } else { line })),
                patterns,
                text,
                used: std::cell::Cell::new(false),
                named_known,
            });
        }
    }
    any.then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, line: u32) -> Finding {
        let mut f = Finding::engine(rule, Severity::Error, "a.rs", String::new());
        f.line = line;
        f
    }

    fn known(rule: &str) -> Known {
        if ["text/bom", "text/trailing-whitespace", "secrets/github-pat"].contains(&rule) {
            Known::Yes
        } else if rule.starts_with("acme/") {
            Known::Absent
        } else {
            Known::No
        }
    }

    #[test]
    fn an_absent_optional_plugins_rule_is_neither_unknown_nor_unused() {
        let s = parse(
            "a.rs",
            b"x # ward:ignore acme/no-fixme
",
            &known,
        )
        .unwrap();
        assert!(s.problems.is_empty());
        assert!(s.unused("a.rs").is_empty());
    }

    #[test]
    fn same_line_and_line_above() {
        let text = b"x // ward:ignore text/bom\n// ward:ignore text/trailing-whitespace, secrets/github-pat\ny\nz\n";
        let s = parse("a.rs", text, &known).unwrap();
        assert!(s.hides(&finding("text/bom", 1)));
        // After code, a comment covers only its own line.
        assert!(!s.hides(&finding("text/bom", 2)));
        assert!(s.hides(&finding("text/trailing-whitespace", 3)));
        assert!(s.hides(&finding("secrets/github-pat", 2)));
        assert!(!s.hides(&finding("text/trailing-whitespace", 4)));
        assert!(s.problems.is_empty());
    }

    #[test]
    fn a_comment_after_code_covers_only_its_line() {
        let s = parse(
            "a.py",
            b"x = 1  # ward:ignore text/bom
y = 2
",
            &known,
        )
        .unwrap();
        assert!(s.hides(&finding("text/bom", 1)));
        assert!(!s.hides(&finding("text/bom", 2)));
    }

    #[test]
    fn one_rule_does_not_hide_another() {
        let s = parse("a.rs", b"x # ward:ignore text/bom\n", &known).unwrap();
        assert!(!s.hides(&finding("text/trailing-whitespace", 1)));
    }

    #[test]
    fn comment_closers_and_globs() {
        let s = parse(
            "a.css",
            b"/* ward:ignore text/* */ x\n<!-- ward:ignore secrets/github-pat -->\n",
            &known,
        )
        .unwrap();
        assert!(s.hides(&finding("text/bom", 1)));
        assert!(s.hides(&finding("secrets/github-pat", 2)));
        assert!(
            s.problems.is_empty(),
            "{:?}",
            s.problems.iter().map(|p| &p.message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn file_wide_in_the_first_lines_only() {
        let s = parse("a.rs", b"# ward:ignore-file text/bom\n", &known).unwrap();
        assert!(s.hides(&finding("text/bom", 500)));
        assert!(s.hides(&finding("text/bom", 0)));
        let late = format!("{}# ward:ignore-file text/bom\n", "\n".repeat(20));
        let s = parse("a.rs", late.as_bytes(), &known).unwrap();
        assert!(!s.hides(&finding("text/bom", 30)));
        assert_eq!(
            s.problems[0].message,
            "ward:ignore-file counts only in the first 10 lines of a file"
        );
        assert_eq!(s.problems[0].line, 21);
    }

    #[test]
    fn unknown_rules_are_warnings_and_prose_is_ignored() {
        let text = b"a\nb // ward:ignore text/bomb\nc // ward:ignore\nA `ward:ignore RULE` comment names rules.\n";
        let s = parse("a.rs", text, &known).unwrap();
        let problems: Vec<_> = s
            .problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        assert_eq!(problems, [(2, "unknown rule `text/bomb` in ward:ignore")]);
        assert_eq!(s.problems[0].rule, "ward/invalid-suppression");
        assert!(!s.hides(&finding("text/bom", 3)));
    }

    #[test]
    fn files_without_markers_cost_nothing() {
        assert!(parse("a.rs", b"plain text\n", &known).is_none());
    }
}
