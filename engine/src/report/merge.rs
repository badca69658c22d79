//! `ward merge`: many reports into one. The inputs are the shards of one
//! repository (`ward check --shard I/N`) or the reports of many repositories,
//! or earlier merges of either; JSON with JSON, SARIF with SARIF.
//!
//! Nothing may be lost or counted twice, so the same (repository, shard)
//! given twice is an error rather than something to paper over.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

/// What kind of report a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A ward JSON report.
    Json,
    /// A SARIF 2.1.0 log.
    Sarif,
}

fn kind_of(value: &Value) -> Option<Kind> {
    if value["version"] == "2.1.0" && value["runs"].is_array() {
        Some(Kind::Sarif)
    } else if value["tool"]["name"] == "ward" && value["findings"].is_array() {
        Some(Kind::Json)
    } else {
        None
    }
}

/// Why reports could not be merged.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum MergeError {
    /// A report could not be read.
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(ward::merge))]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A report is not JSON.
    #[error("{path} is not JSON: {detail}")]
    #[diagnostic(code(ward::merge))]
    NotJson { path: String, detail: String },
    /// A report is JSON of another kind.
    #[error("{path} is neither a ward JSON report nor a SARIF 2.1.0 log")]
    #[diagnostic(code(ward::merge))]
    Unknown { path: String },
    /// JSON reports and SARIF logs given together.
    #[error("{path} is {kind:?} but {first} is {first_kind:?}")]
    #[diagnostic(
        code(ward::merge),
        help("merge JSON reports with JSON reports and SARIF logs with SARIF logs")
    )]
    Mixed {
        path: String,
        kind: Kind,
        first: String,
        first_kind: Kind,
    },
    /// The same repository or shard twice.
    #[error("{what} is in both {earlier} and {path}: merging both would count its findings twice")]
    #[diagnostic(
        code(ward::merge),
        help("give each report once; name different repositories apart with `ward check --repository NAME`")
    )]
    Twice {
        what: String,
        earlier: String,
        path: String,
    },
    /// A report whose content does not fit its kind.
    #[error("{0}")]
    #[diagnostic(code(ward::merge))]
    Malformed(String),
    /// The merged report could not be written as JSON.
    #[error("cannot write the merged report as JSON: {0}")]
    #[diagnostic(code(ward::merge))]
    Write(#[from] serde_json::Error),
}

/// A merged report, and what the user should know about it (a shard
/// missing from a sharded run, say).
pub struct Merged {
    /// The merged document.
    pub text: String,
    /// One line per warning.
    pub warnings: Vec<String>,
}

/// Reads and merges `reports`.
pub fn merge(reports: &[PathBuf]) -> Result<Merged, MergeError> {
    let mut inputs = Vec::new();
    for path in reports {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| MergeError::Read {
            path: shown.clone(),
            source,
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| MergeError::NotJson {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
        let kind = kind_of(&value).ok_or(MergeError::Unknown { path: shown })?;
        inputs.push((path.as_path(), kind, value));
    }
    let kind = inputs[0].1;
    if let Some((path, other, _)) = inputs.iter().find(|(_, k, _)| *k != kind) {
        return Err(MergeError::Mixed {
            path: path.display().to_string(),
            kind: *other,
            first: inputs[0].0.display().to_string(),
            first_kind: kind,
        });
    }
    let mut warnings = Vec::new();
    let merged = match kind {
        Kind::Json => merge_json(&inputs, &mut warnings)?,
        Kind::Sarif => merge_sarif(&inputs, &mut warnings)?,
    };
    let mut text = serde_json::to_string_pretty(&merged)?;
    text.push('\n');
    Ok(Merged { text, warnings })
}

/// The name a report without one is known by: its file's stem.
fn fallback_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Which (repository, shard) pairs have been merged, and from which file.
#[derive(Default)]
struct Seen {
    parts: BTreeMap<String, BTreeMap<Option<String>, PathBuf>>,
}

impl Seen {
    fn add(
        &mut self,
        repository: &str,
        shard: Option<String>,
        path: &Path,
    ) -> Result<(), MergeError> {
        let parts = self.parts.entry(repository.to_string()).or_default();
        let clash = match &shard {
            // A whole run clashes with anything else of the same repository.
            None => parts.values().next().cloned(),
            Some(_) => parts.get(&None).or_else(|| parts.get(&shard)).cloned(),
        };
        if let Some(earlier) = clash {
            let what = match &shard {
                Some(shard) => format!("shard {shard} of repository `{repository}`"),
                None => format!("repository `{repository}`"),
            };
            return Err(MergeError::Twice {
                what,
                earlier: earlier.display().to_string(),
                path: path.display().to_string(),
            });
        }
        parts.insert(shard, path.to_path_buf());
        Ok(())
    }

    /// Repositories whose shards do not cover 1..N, as warnings.
    fn gaps(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (repository, parts) in &self.parts {
            let shards: Vec<crate::source::shard::Shard> = parts
                .keys()
                .flatten()
                .filter_map(|s| s.parse().ok())
                .collect();
            let Some(count) = shards.first().map(|s| s.count) else {
                continue;
            };
            let have: BTreeSet<u32> = shards.iter().map(|s| s.index).collect();
            let missing: Vec<String> = (1..=count)
                .filter(|i| !have.contains(i))
                .map(|i| format!("{i}/{count}"))
                .collect();
            if !missing.is_empty() || shards.iter().any(|s| s.count != count) {
                out.push(format!(
                    "repository `{repository}`: shards {} not merged (have {})",
                    missing.join(", "),
                    parts
                        .keys()
                        .flatten()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        out
    }
}

#[derive(Default)]
struct Totals {
    files_scanned: u64,
    bytes_scanned: u64,
    suppressed: u64,
    baselined: u64,
    truncated: u64,
    duration_ms: u64,
    shards: BTreeSet<String>,
}

impl Totals {
    fn add(&mut self, summary: &Value) {
        let n = |key: &str| summary[key].as_u64().unwrap_or(0);
        self.files_scanned += n("files_scanned");
        self.bytes_scanned += n("bytes_scanned");
        self.suppressed += n("suppressed");
        self.baselined += n("baselined");
        self.truncated += n("truncated");
        self.duration_ms += n("duration_ms");
    }
}

fn merge_json(
    inputs: &[(&Path, Kind, Value)],
    warnings: &mut Vec<String>,
) -> Result<Value, MergeError> {
    let mut seen = Seen::default();
    let mut totals: BTreeMap<String, Totals> = BTreeMap::new();
    let mut findings: Vec<Value> = Vec::new();
    for (path, _, report) in inputs {
        if let Some(repositories) = report["repositories"].as_array() {
            // An earlier merge: its parts, each with its own totals.
            for part in repositories {
                let name = part["name"].as_str().unwrap_or_default().to_string();
                let shards: Vec<Option<String>> = match part["shards"].as_array() {
                    Some(list) if !list.is_empty() => list
                        .iter()
                        .map(|s| s.as_str().map(str::to_string))
                        .collect(),
                    _ => vec![None],
                };
                let entry = totals.entry(name.clone()).or_default();
                for shard in shards {
                    seen.add(&name, shard.clone(), path)?;
                    entry.shards.extend(shard);
                }
                entry.add(part);
            }
            for finding in report["findings"].as_array().into_iter().flatten() {
                findings.push(finding.clone());
            }
        } else {
            let name = report["repository"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| fallback_name(path));
            let shard = report["shard"].as_str().map(str::to_string);
            seen.add(&name, shard.clone(), path)?;
            let entry = totals.entry(name.clone()).or_default();
            entry.add(&report["summary"]);
            entry.shards.extend(shard);
            for finding in report["findings"].as_array().into_iter().flatten() {
                let mut finding = finding.clone();
                if let Some(object) = finding.as_object_mut() {
                    object.insert("repository".into(), json!(name));
                }
                findings.push(finding);
            }
        }
    }
    warnings.extend(seen.gaps());
    findings.sort_by_cached_key(order_key);

    let mut per_repository: BTreeMap<String, (u64, [u64; 3])> = BTreeMap::new();
    for finding in &findings {
        let name = finding["repository"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let entry = per_repository.entry(name).or_default();
        entry.0 += 1;
        match finding["severity"].as_str() {
            Some("error") => entry.1[0] += 1,
            Some("warning") => entry.1[1] += 1,
            _ => entry.1[2] += 1,
        }
    }
    let mut all = Totals::default();
    let mut severities = [0u64; 3];
    let repositories: Vec<Value> = totals
        .iter()
        .map(|(name, t)| {
            let (count, by) = per_repository.get(name).copied().unwrap_or_default();
            for i in 0..3 {
                severities[i] += by[i];
            }
            all.files_scanned += t.files_scanned;
            all.bytes_scanned += t.bytes_scanned;
            all.suppressed += t.suppressed;
            all.baselined += t.baselined;
            all.truncated += t.truncated;
            all.duration_ms += t.duration_ms;
            json!({
                "name": name,
                "shards": t.shards,
                "files_scanned": t.files_scanned,
                "bytes_scanned": t.bytes_scanned,
                "findings": count,
                "by_severity": { "error": by[0], "warning": by[1], "info": by[2] },
                "suppressed": t.suppressed,
                "baselined": t.baselined,
                "truncated": t.truncated,
                "duration_ms": t.duration_ms,
            })
        })
        .collect();
    Ok(json!({
        "version": 1,
        "tool": { "name": "ward", "version": env!("CARGO_PKG_VERSION") },
        "repositories": repositories,
        "findings": findings,
        "summary": {
            "files_scanned": all.files_scanned,
            "bytes_scanned": all.bytes_scanned,
            "findings": findings.len(),
            "by_severity": { "error": severities[0], "warning": severities[1], "info": severities[2] },
            "suppressed": all.suppressed,
            "baselined": all.baselined,
            "truncated": all.truncated,
            "duration_ms": all.duration_ms,
        },
    }))
}

/// Report order: repository, path, line, column, rule, then the rest of the
/// finding so that the order is total.
fn order_key(finding: &Value) -> (String, String, u64, u64, String, String) {
    (
        finding["repository"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        finding["path"].as_str().unwrap_or_default().to_string(),
        finding["line"].as_u64().unwrap_or(0),
        finding["column"].as_u64().unwrap_or(0),
        finding["rule"].as_str().unwrap_or_default().to_string(),
        finding.to_string(),
    )
}

/// One output run: the first input run as template, rules by id, results,
/// and whether every input run succeeded.
type RunParts = (Value, BTreeMap<String, Value>, Vec<Value>, bool);

fn merge_sarif(
    inputs: &[(&Path, Kind, Value)],
    warnings: &mut Vec<String>,
) -> Result<Value, MergeError> {
    let mut seen = Seen::default();
    // One output run per repository, in name order.
    let mut runs: BTreeMap<String, RunParts> = BTreeMap::new();
    for (path, _, log) in inputs {
        for (i, run) in log["runs"].as_array().into_iter().flatten().enumerate() {
            let name = run["properties"]["repository"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| {
                    let stem = fallback_name(path);
                    if i == 0 {
                        stem
                    } else {
                        format!("{stem}#{}", i + 1)
                    }
                });
            let shards: Vec<Option<String>> = match &run["properties"]["shards"] {
                Value::Array(list) if !list.is_empty() => list
                    .iter()
                    .map(|s| s.as_str().map(str::to_string))
                    .collect(),
                _ => vec![run["properties"]["shard"].as_str().map(str::to_string)],
            };
            for shard in &shards {
                seen.add(&name, shard.clone(), path)?;
            }
            let entry = runs
                .entry(name.clone())
                .or_insert_with(|| (run.clone(), BTreeMap::new(), Vec::new(), true));
            let old_rules: Vec<Value> = run["tool"]["driver"]["rules"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for rule in &old_rules {
                if let Some(id) = rule["id"].as_str() {
                    entry
                        .1
                        .entry(id.to_string())
                        .or_insert_with(|| rule.clone());
                }
            }
            for result in run["results"].as_array().into_iter().flatten() {
                entry.2.push(result.clone());
            }
            let succeeded = run["invocations"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|inv| inv["executionSuccessful"] != false);
            entry.3 &= succeeded;
            // Shards of the run, in the template's properties.
            let mut listed: Vec<String> = entry.0["properties"]["shards"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect();
            listed.extend(shards.into_iter().flatten());
            listed.sort();
            listed.dedup();
            let properties = entry.0["properties"]
                .as_object_mut()
                .map(std::mem::take)
                .unwrap_or_default();
            let mut properties: Map<String, Value> = properties;
            properties.remove("shard");
            properties.insert("repository".into(), json!(name));
            properties.insert("shards".into(), json!(listed));
            entry.0["properties"] = Value::Object(properties);
        }
    }
    warnings.extend(seen.gaps());
    let runs: Vec<Value> = runs
        .into_values()
        .map(|(mut run, rules, mut results, succeeded)| {
            let ids: Vec<&String> = rules.keys().collect();
            for result in &mut results {
                let index = result["ruleId"]
                    .as_str()
                    .and_then(|id| ids.binary_search(&&id.to_string()).ok());
                if let Some(object) = result.as_object_mut() {
                    match index {
                        Some(i) => object.insert("ruleIndex".into(), json!(i)),
                        None => object.remove("ruleIndex"),
                    };
                }
            }
            results.sort_by_cached_key(sarif_key);
            run["tool"]["driver"]["rules"] = Value::Array(rules.into_values().collect());
            run["results"] = Value::Array(results);
            run["invocations"] = json!([{ "executionSuccessful": succeeded }]);
            run
        })
        .collect();
    Ok(json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs,
    }))
}

fn sarif_key(result: &Value) -> (String, u64, u64, String, String) {
    let location = &result["locations"][0]["physicalLocation"];
    (
        location["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        location["region"]["startLine"].as_u64().unwrap_or(0),
        location["region"]["startColumn"].as_u64().unwrap_or(0),
        result["ruleId"].as_str().unwrap_or_default().to_string(),
        result.to_string(),
    )
}
