//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning reads it.

use serde_json::{json, Value};
use ward_plugin_sdk::Severity;

use super::Report;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Renders the report as one SARIF log with one run.
pub fn render(report: &Report<'_>) -> serde_json::Result<String> {
    let mut rule_ids: Vec<&str> = report.rules.keys().copied().collect();
    rule_ids.sort_unstable();
    let index = |id: &str| rule_ids.binary_search(&id).ok();
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            let rule = report.rules[id];
            let docs = if rule.docs.is_empty() {
                rule.summary.clone()
            } else {
                rule.docs.clone()
            };
            json!({
                "id": id,
                "name": id.replace(['/', '-'], "_"),
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": docs },
                "help": { "text": docs, "markdown": docs },
                "defaultConfiguration": { "level": level(rule.default_severity) },
                "properties": { "fixable": rule.fixable },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": f.message },
                "partialFingerprints": { "wardFingerprint/v1": f.fingerprint },
                "properties": { "plugin": f.plugin },
            });
            if let Some(commit) = &f.commit {
                result["properties"]["commit"] = json!(commit.commit);
                result["properties"]["author"] = json!(commit.author);
                result["properties"]["date"] = json!(commit.date);
                result["properties"]["summary"] = json!(commit.summary);
            }
            if let Some(i) = index(&f.rule) {
                result["ruleIndex"] = json!(i);
            }
            if !f.path.is_empty() {
                let mut physical = json!({
                    "artifactLocation": { "uri": uri(&f.path), "uriBaseId": "%SRCROOT%" },
                });
                if f.line > 0 {
                    physical["region"] = json!({
                        "startLine": f.line,
                        "startColumn": f.column.max(1),
                        "endLine": f.end_line.max(f.line),
                        "endColumn": f.end_column.max(1),
                    });
                }
                result["locations"] = json!([{ "physicalLocation": physical }]);
            }
            result
        })
        .collect();
    let mut log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ward",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://crates.io/crates/ward-check",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The repository root" } } },
            "invocations": [{ "executionSuccessful": true }],
            "results": results,
            "properties": run_properties(report),
        }]
    });
    // History findings: each commit they come from, as provenance.
    let mut commits: Vec<&str> = report
        .findings
        .iter()
        .filter_map(|f| f.commit.as_ref())
        .map(|c| c.commit.as_str())
        .filter(|c| *c != "staged")
        .collect();
    commits.sort_unstable();
    commits.dedup();
    if let (Some(uri), false) = (report.repository_uri, commits.is_empty()) {
        log["runs"][0]["versionControlProvenance"] = commits
            .iter()
            .map(|c| json!({ "repositoryUri": uri, "revisionId": c }))
            .collect();
    }
    let mut out = serde_json::to_string_pretty(&log)?;
    out.push('\n');
    Ok(out)
}

/// The repository's name (kept by `ward merge`) and the shard, if any.
fn run_properties(report: &Report<'_>) -> Value {
    let mut properties = json!({ "repository": report.repository });
    if let Some(shard) = report.shard {
        properties["shard"] = json!(shard.to_string());
    }
    properties
}

/// A relative URI reference for a repository path: percent-encode what a URI
/// cannot hold as is (spaces, `%`, `#`, `?`, non-ASCII, control characters).
pub(crate) fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(super::uri("src/a b#1%.rs"), "src/a%20b%231%25.rs");
        assert_eq!(super::uri("docs/café.md"), "docs/caf%C3%A9.md");
    }
}
