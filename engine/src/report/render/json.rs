//! `--format json`: one object, schema documented in docs/formats.md.

use serde::Serialize;

use super::Report;
use crate::finding::Finding;
use ward_plugin_sdk::Severity;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    repository: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<String>,
    findings: &'a [Finding],
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<&'a crate::report::score::Score>,
}

/// `--timings` in the JSON report, in milliseconds of CPU time.
#[derive(Serialize)]
struct TimingsJson {
    reading_ms: f64,
    plugins_ms: std::collections::BTreeMap<String, f64>,
    top_rules_ms: Vec<(String, f64)>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files_scanned: usize,
    bytes_scanned: u64,
    findings: usize,
    by_severity: BySeverity,
    suppressed: usize,
    baselined: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pre_existing: usize,
    truncated: usize,
    duration_ms: u64,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    todo_by_directory: std::collections::BTreeMap<String, usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timings: Option<TimingsJson>,
}

#[derive(Serialize)]
struct BySeverity {
    error: usize,
    warning: usize,
    info: usize,
}

/// Renders the report as pretty JSON with a trailing newline.
pub fn render(report: &Report<'_>) -> serde_json::Result<String> {
    let json = JsonReport {
        version: 1,
        tool: Tool {
            name: "ward",
            version: env!("CARGO_PKG_VERSION"),
        },
        repository: report.repository,
        score: report.score.as_ref(),
        shard: report.shard.map(|s| s.to_string()),
        findings: report.findings,
        summary: Summary {
            files_scanned: report.files_scanned,
            bytes_scanned: report.bytes_scanned,
            findings: report.findings.len(),
            by_severity: BySeverity {
                error: report.count(Severity::Error),
                warning: report.count(Severity::Warning),
                info: report.count(Severity::Info),
            },
            suppressed: report.suppressed,
            baselined: report.baselined,
            pre_existing: report.pre_existing,
            truncated: report.truncated,
            duration_ms: u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX),
            todo_by_directory: report.markers_by_directory(),
            timings: report.timings.map(|t| {
                let ms = |d: &std::time::Duration| (d.as_secs_f64() * 1e6).round() / 1e3;
                TimingsJson {
                    reading_ms: ms(&t.reading),
                    plugins_ms: t.plugins.iter().map(|(k, v)| (k.clone(), ms(v))).collect(),
                    top_rules_ms: crate::report::observe::top_rules(t, 10)
                        .into_iter()
                        .map(|(k, v)| (k, ms(&v)))
                        .collect(),
                }
            }),
        },
    };
    let mut out = serde_json::to_string_pretty(&json)?;
    out.push('\n');
    Ok(out)
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
