//! The file pass: a batch of files read once and handed to every plugin and
//! rule pack, their findings converted, suppressed and cached.

use std::borrow::Cow;

use ward_plugin_sdk::host::HostFile;
use ward_plugin_sdk::Severity;

use super::convert::{convert, mask_neighbouring_secrets, pack_findings, plugin_error, Lines};
use super::outcome::{Checks, Outcome, KEYWORD_PASS, MAX_FINDINGS_PER_FILE};
use super::stream;
use crate::finding::Finding;
use crate::registry::UNREADABLE;
use crate::source::classes::{self, Classes};
use crate::source::read::{read_limited, Stamp};
use crate::source::Entry;

pub(super) fn check_batch(batch: &[&Entry], checks: &Checks<'_>) -> Outcome {
    let limit = checks.config.max_file_size();
    let mut outcome = Outcome::default();
    // Borrowed when the entry holds its bytes (staged, history): a blob
    // is not copied again.
    let mut contents: Vec<(&Entry, Cow<'_, [u8]>, Classes)> = Vec::with_capacity(batch.len());
    for entry in batch {
        if let Some(crate::scan::cache::Hit::Unchanged(found)) =
            checks.cache.and_then(|c| c.lookup(entry))
        {
            outcome.files_scanned += 1;
            outcome.bytes_scanned += entry.size;
            outcome.findings.extend(found);
            continue;
        }
        if entry.size > limit {
            stream::check(entry, checks, &mut outcome);
            continue;
        }
        let reading = checks.timings.then(std::time::Instant::now);
        let read = match &entry.staged {
            Some(bytes) => Ok(Cow::Borrowed(bytes.as_slice())),
            None => read_limited(&entry.abs, entry.size, limit).map(Cow::Owned),
        };
        if let Some(started) = reading {
            outcome.timings.reading += started.elapsed();
        }
        match read {
            Ok(bytes) if bytes.len() as u64 > limit => {
                // It grew past the limit since the walk.
                drop(bytes);
                stream::check(entry, checks, &mut outcome);
            }
            Ok(bytes) => {
                outcome.files_scanned += 1;
                outcome.bytes_scanned += bytes.len() as u64;
                if let Some(found) = checks.cache.and_then(|c| c.lookup_content(entry, &bytes)) {
                    outcome.findings.extend(found);
                    continue;
                }
                let classes = entry.forced.apply(classes::of(&entry.path, &bytes));
                if checks.stamp_files && entry.staged.is_none() {
                    match unfixable(classes, &bytes) {
                        Some(why) => {
                            outcome.unfixable.insert(entry.path.clone(), why);
                        }
                        None => {
                            if let Some(stamp) = Stamp::of(&entry.abs, &bytes) {
                                outcome.stamps.insert(entry.path.clone(), stamp);
                            }
                        }
                    }
                }
                contents.push((entry, bytes, classes));
            }
            Err(e) => outcome.findings.push(Finding::engine(
                UNREADABLE,
                Severity::Error,
                &entry.path,
                format!("cannot read: {e}"),
            )),
        }
    }
    let inputs: Vec<HostFile<'_>> = contents
        .iter()
        .map(|(entry, bytes, classes)| HostFile {
            path: &entry.path,
            bytes,
            is_binary: classes.contains(Classes::BINARY),
            mode: entry.mode,
        })
        .collect();
    let line_index: Vec<std::cell::OnceCell<Lines<'_>>> = contents
        .iter()
        .map(|_| std::cell::OnceCell::new())
        .collect();
    for plugin in checks.plugins {
        let started = checks.timings.then(std::time::Instant::now);
        let found = if plugin.scope.is_none() && plugin.cut.is_empty() {
            plugin.validator.check_files(&inputs)
        } else {
            // Nested configs: this instance checks only its subtree's files.
            let mine: Vec<HostFile<'_>> = inputs
                .iter()
                .filter(|f| plugin.serves(f.path))
                .copied()
                .collect();
            if mine.is_empty() {
                continue;
            }
            plugin.validator.check_files(&mine)
        };
        if let Some(started) = started {
            *outcome
                .timings
                .plugins
                .entry(plugin.name.clone())
                .or_default() += started.elapsed();
        }
        let mut per_file: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        for reported in found {
            let count = per_file.entry(reported.path.clone()).or_insert(0);
            *count += 1;
            if *count > MAX_FINDINGS_PER_FILE {
                continue;
            }
            // Line starts are found once per file, and only for files with
            // findings: a file with thousands of findings must not be
            // scanned once per finding.
            let lines = contents
                .iter()
                .position(|(entry, _, _)| entry.path == reported.path)
                .map(|i| line_index[i].get_or_init(|| Lines::new(&contents[i].1)));
            let lookup = |rule: &str| plugin.lookup(rule);
            outcome
                .findings
                .extend(convert(reported, &plugin.name, &lookup, lines, checks));
        }
        for (path, count) in per_file
            .into_iter()
            .filter(|(_, n)| *n > MAX_FINDINGS_PER_FILE)
        {
            outcome.findings.push(plugin_error(
                &plugin.name,
                &path,
                format!(
                    "plugin `{}` reported more than {MAX_FINDINGS_PER_FILE} findings for this file ({count} before it stopped); kept the first {MAX_FINDINGS_PER_FILE}",
                    plugin.name
                ),
            ));
        }
    }
    if let Some(packs) = checks.packs {
        let mut matches = Vec::new();
        let mut rule_times = if checks.timings {
            vec![std::time::Duration::ZERO; packs.set.rules().len()]
        } else {
            Vec::new()
        };
        let mut pack_time = std::time::Duration::ZERO;
        for (input, (entry, bytes, _)) in inputs.iter().zip(&contents) {
            if input.is_binary {
                continue;
            }
            let times = checks.timings.then_some(rule_times.as_mut_slice());
            let started = checks.timings.then(std::time::Instant::now);
            pack_findings(
                &entry.path,
                bytes,
                packs,
                checks,
                &mut matches,
                times,
                &mut outcome.findings,
            );
            if let Some(started) = started {
                pack_time += started.elapsed();
            }
        }
        if checks.timings {
            let timings = &mut outcome.timings;
            let mut in_rules = std::time::Duration::ZERO;
            for (rule, time) in packs.set.rules().iter().zip(rule_times) {
                if time.is_zero() {
                    // Every pack that ran is listed, if only with no time.
                    if !timings.plugins.contains_key(&rule.pack) {
                        timings.plugins.insert(rule.pack.clone(), time);
                    }
                    continue;
                }
                in_rules += time;
                *timings.rules.entry(rule.id.clone()).or_default() += time;
                *timings.plugins.entry(rule.pack.clone()).or_default() += time;
            }
            // The keyword pass serves every pack at once.
            *timings.plugins.entry(KEYWORD_PASS.to_string()).or_default() +=
                pack_time.saturating_sub(in_rules);
        }
    }
    keep_to_classes(&contents, checks, &mut outcome);
    mask_neighbouring_secrets(&mut outcome.findings);
    apply_suppressions(&contents, checks, &mut outcome);
    if let Some(cache) = checks.cache {
        for (entry, bytes, _) in &contents {
            let mine: Vec<Finding> = outcome
                .findings
                .iter()
                .filter(|f| f.path == entry.path)
                .cloned()
                .collect();
            cache.store(entry, bytes, &mine);
        }
    }
    outcome
}

/// Drops the findings that `ward:ignore` comments in their files hide, and
/// reports comments that name unknown rules.
fn apply_suppressions(
    contents: &[(&Entry, Cow<'_, [u8]>, Classes)],
    checks: &Checks<'_>,
    outcome: &mut Outcome,
) {
    let known = |rule: &str| checks.knows(rule);
    for (entry, bytes, _) in contents {
        let Some(suppressions) = crate::scan::suppress::parse(&entry.path, bytes, &known) else {
            continue;
        };
        let before = outcome.findings.len();
        outcome
            .findings
            .retain(|f| f.path != entry.path || !suppressions.hides(f));
        outcome.suppressed += before - outcome.findings.len();
        let unused = suppressions.unused(&entry.path);
        outcome.findings.extend(suppressions.problems);
        outcome.findings.extend(unused);
    }
}

/// Drops the findings of rules on files of classes they do not run on
/// (each rule names its classes; hygiene rules leave out generated files
/// and test fixtures, whose exact bytes a tool or a test owns).
fn keep_to_classes(
    contents: &[(&Entry, Cow<'_, [u8]>, Classes)],
    checks: &Checks<'_>,
    outcome: &mut Outcome,
) {
    let special: std::collections::HashMap<&str, Classes> = contents
        .iter()
        .filter(|(_, _, c)| !c.without(Classes::VENDORED).is_text())
        .map(|(entry, _, c)| (entry.path.as_str(), *c))
        .collect();
    if special.is_empty() {
        return;
    }
    outcome.findings.retain(|f| {
        let (Some(file), Some(allowed)) = (
            special.get(f.path.as_str()),
            checks.rule_classes.get(f.rule.as_str()),
        ) else {
            return true;
        };
        file.allows(*allowed)
    });
}

/// Why `--fix` must leave a file alone, if it must: only plain UTF-8 text
/// that no tool wrote and no test depends on byte for byte is rewritten.
fn unfixable(classes: Classes, bytes: &[u8]) -> Option<String> {
    if !classes.is_plain_text() {
        return Some(format!(
            "not fixed: the file is {}",
            classes
                .without(Classes::DOCUMENTATION)
                .names()
                .join(" and ")
        ));
    }
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    std::str::from_utf8(text).err().map(|e| {
        format!(
            "not fixed: the file is not valid UTF-8 (byte {})",
            e.valid_up_to()
        )
    })
}
