//! What plugins and rule packs report, turned into findings: severity from
//! the config, positions checked against the file, snippets, secrets masked,
//! fingerprints.

use ward_plugin_sdk::{Severity, PLUGIN_ERROR_RULE};

use super::outcome::Checks;
use crate::finding::{fingerprint, redact, Finding, Snippet};
use crate::host::packs::ActivePacks;
use crate::host::Lookup;

/// Lines longer than this get no source snippet (a minified file would flood the terminal).
const SNIPPET_MAX_LINE: usize = 1000;

/// Line starts of a file with findings: the SDK's index, which plugins use
/// too, so both sides agree on every position.
pub(super) type Lines<'a> = ward_plugin_sdk::LineIndex<'a>;

fn char_len(line: &[u8]) -> u32 {
    u32::try_from(ward_plugin_sdk::char_count(line)).unwrap_or(u32::MAX)
}

pub(super) fn plugin_error(plugin: &str, path: &str, message: String) -> Finding {
    let mut finding = Finding::engine(PLUGIN_ERROR_RULE, Severity::Error, path, message);
    finding.plugin = plugin.into();
    finding
}

/// A finding as a plugin or rule pack reported it, before the engine checks it.
pub(super) type Raw = ward_plugin_sdk::host::Reported;

/// Turns a raw finding into a report finding: effective severity,
/// positions checked against the file, snippet, redaction and fingerprint.
/// Returns more than one finding when the plugin misbehaved.
pub(super) fn convert(
    raw: Raw,
    plugin: &str,
    lookup: &dyn Fn(&str) -> Lookup,
    lines: Option<&Lines<'_>>,
    checks: &Checks<'_>,
) -> Vec<Finding> {
    let show_secrets = checks.show_secrets;
    let Raw {
        rule,
        path,
        mut message,
        line,
        column,
        end_line,
        end_column,
        fix,
        secret,
        severity: chosen,
        backtrace,
    } = raw;
    let mask = |text: &str| -> String {
        if secret.is_empty() || show_secrets {
            text.to_string()
        } else {
            text.replace(&secret, &redact(&secret))
        }
    };
    message = mask(&message);
    if rule == PLUGIN_ERROR_RULE {
        if let Some(backtrace) = backtrace.filter(|_| checks.verbose) {
            eprintln!("{message}\n{backtrace}");
        }
        return vec![plugin_error(plugin, &path, message)];
    }
    let severity = match lookup(&rule) {
        Lookup::Enabled(default) => {
            match checks
                .config
                .severity(&rule, &path, chosen.unwrap_or(default))
            {
                Some(severity) => severity,
                None => return Vec::new(),
            }
        }
        Lookup::Disabled => return Vec::new(),
        Lookup::Unknown => {
            return vec![plugin_error(
                plugin,
                &path,
                format!("plugin `{plugin}` reported `{rule}`, which its manifest does not declare"),
            )]
        }
    };
    let mut out = Vec::with_capacity(1);
    let (mut line, mut column, mut end_line, mut end_column) = (line, column, end_line, end_column);
    let mut snippet = None;
    let mut anchor = secret.clone();
    if let Some(lines) = lines.filter(|_| line > 0) {
        let last = lines.line_count();
        let (clamped_line, clamped_column) =
            ward_plugin_sdk::host::clamp_position(lines, line, column);
        if clamped_line != line || clamped_column != column {
            out.push(plugin_error(
                plugin,
                &path,
                format!(
                    "plugin `{plugin}` placed `{rule}` at {line}:{column}, outside the file; shown at {clamped_line}:{clamped_column}"
                ),
            ));
        }
        line = clamped_line;
        column = clamped_column;
        end_line = end_line.clamp(line, last);
        let end_max = char_len(lines.line(end_line)) + 1;
        end_column = if end_line == line {
            end_column.clamp(column, end_max)
        } else {
            end_column.clamp(1, end_max)
        };
        if anchor.is_empty() {
            anchor = String::from_utf8_lossy(lines.line(line)).trim().to_string();
        }
        snippet = make_snippet(lines, line, end_line, !secret.is_empty()).map(|mut snippet| {
            if !secret.is_empty() && !show_secrets {
                // By position first: a secret cut by the snippet's edge, or
                // one whose `\r\n` the snippet dropped, would escape a replace.
                mask_span(&mut snippet, (line, column), (end_line, end_column));
                snippet.text = mask(&snippet.text);
            }
            snippet
        });
    } else if line == 0 {
        (column, end_line, end_column) = (0, 0, 0);
    }
    out.push(Finding {
        fingerprint: fingerprint(&rule, &path, &anchor),
        rule,
        severity,
        message,
        path,
        line,
        column,
        end_line,
        end_column,
        plugin: plugin.to_string(),
        fixable: !fix.is_empty(),
        fix,
        snippet,
        secret_span: !secret.is_empty() && !show_secrets,
        commit: None,
    });
    out
}

/// A snippet shows the lines around its finding; a secret that another
/// finding found on those lines must be masked there too.
pub(super) fn mask_neighbouring_secrets(findings: &mut [Finding]) {
    type Position = (u32, u32);
    let secrets: Vec<(String, Position, Position)> = findings
        .iter()
        .filter(|f| f.secret_span && f.line > 0)
        .map(|f| {
            (
                f.path.clone(),
                (f.line, f.column),
                (f.end_line, f.end_column),
            )
        })
        .collect();
    if secrets.is_empty() {
        return;
    }
    for finding in findings.iter_mut() {
        let Some(snippet) = finding.snippet.as_mut() else {
            continue;
        };
        let last = snippet.first_line + u32::try_from(snippet.text.lines().count()).unwrap_or(0);
        for (path, start, end) in &secrets {
            if *path == finding.path && start.0 < last && end.0 >= snippet.first_line {
                mask_span(snippet, *start, *end);
            }
        }
    }
}

/// Masks the characters of `start..end` in a snippet, keeping the first few
/// as `redact` does.
fn mask_span(snippet: &mut Snippet, start: (u32, u32), end: (u32, u32)) {
    let mut kept = 0usize;
    let total: usize = {
        let mut n = 0;
        for (i, text) in snippet.text.split_inclusive('\n').enumerate() {
            let number = snippet.first_line + u32::try_from(i).unwrap_or(u32::MAX);
            if number < start.0 || number > end.0 {
                continue;
            }
            let chars = text.trim_end_matches('\n').chars().count();
            let from = if number == start.0 {
                (start.1 as usize).saturating_sub(1)
            } else {
                0
            };
            let to = if number == end.0 {
                ((end.1 as usize).saturating_sub(1)).min(chars)
            } else {
                chars
            };
            n += to.saturating_sub(from);
        }
        n
    };
    // A secret that starts above the snippet shows no prefix: it would be a
    // piece from its middle.
    let shown = if start.0 >= snippet.first_line {
        (total / 4).min(4)
    } else {
        0
    };
    let mut out = String::with_capacity(snippet.text.len());
    for (i, text) in snippet.text.split_inclusive('\n').enumerate() {
        let number = snippet.first_line + u32::try_from(i).unwrap_or(u32::MAX);
        if number < start.0 || number > end.0 {
            out.push_str(text);
            continue;
        }
        let from = if number == start.0 {
            (start.1 as usize).saturating_sub(1)
        } else {
            0
        };
        let to = if number == end.0 {
            (end.1 as usize).saturating_sub(1)
        } else {
            usize::MAX
        };
        for (column, c) in text.chars().enumerate() {
            if c != '\n' && column >= from && column < to {
                if kept < shown {
                    kept += 1;
                    out.push(c);
                } else {
                    out.push('*');
                }
            } else {
                out.push(c);
            }
        }
    }
    snippet.text = out;
}

/// The lines of a finding with one line of context around; a secret's
/// snippet stops at the secret, since what follows may be more of it (a
/// private key's body runs on past what its rule matched).
fn make_snippet(lines: &Lines<'_>, line: u32, end_line: u32, secret: bool) -> Option<Snippet> {
    let first = line.saturating_sub(1).max(1);
    let after = if secret { 0 } else { 1 };
    let last = end_line
        .saturating_add(after)
        .min(lines.line_count())
        .min(line + 8);
    let mut text = String::new();
    for n in first..=last {
        let bytes = lines.line(n);
        if bytes.len() > SNIPPET_MAX_LINE {
            return None;
        }
        text.push_str(&String::from_utf8_lossy(bytes));
        text.push('\n');
    }
    Some(Snippet {
        first_line: first,
        text,
    })
}

/// Adds the findings of every rule pack in one file, or one piece of a file
/// (positions are then within the piece); `times` gathers each rule's regex
/// time.
pub(super) fn pack_findings(
    path: &str,
    bytes: &[u8],
    packs: &ActivePacks,
    checks: &Checks<'_>,
    matches: &mut Vec<ward_rules::Match>,
    times: Option<&mut [std::time::Duration]>,
    out: &mut Vec<Finding>,
) {
    matches.clear();
    packs.set.scan_timed(path, bytes, matches, times);
    if matches.is_empty() {
        return;
    }
    let lines = Lines::new(bytes);
    for found in matches.drain(..) {
        if !packs.applies(found.rule, path, checks.config) {
            continue;
        }
        let rule = &packs.set.rules()[found.rule];
        let (line, column) = lines.position(found.start);
        let (end_line, end_column) = lines.position(found.end);
        let raw = Raw {
            rule: rule.id.clone(),
            path: path.to_string(),
            message: found.message,
            line,
            column,
            end_line,
            end_column,
            fix: Vec::new(),
            secret: found.secret.unwrap_or_default(),
            severity: None,
            backtrace: None,
        };
        let mut severity = packs.severities[found.rule];
        if found.weak {
            severity = severity.min(Severity::Warning);
        }
        let lookup = |_: &str| Lookup::Enabled(severity);
        out.extend(convert(raw, &rule.pack, &lookup, Some(&lines), checks));
    }
}
