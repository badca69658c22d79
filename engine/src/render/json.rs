//! `--format json`: one object, schema documented in the README.

use serde::Serialize;

use super::Report;
use crate::finding::Finding;
use ward_plugin_sdk::Severity;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    findings: &'a [Finding],
    summary: Summary,
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
    truncated: usize,
    duration_ms: u64,
}

#[derive(Serialize)]
struct BySeverity {
    error: usize,
    warning: usize,
    info: usize,
}

/// Renders the report as pretty JSON with a trailing newline.
pub fn render(report: &Report<'_>) -> String {
    let json = JsonReport {
        version: 1,
        tool: Tool {
            name: "ward",
            version: env!("CARGO_PKG_VERSION"),
        },
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
            truncated: report.truncated,
            duration_ms: u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX),
        },
    };
    // Serializing plain structs of strings and numbers cannot fail.
    let mut out = serde_json::to_string_pretty(&json).unwrap_or_default();
    out.push('\n');
    out
}
