//! Reading each file once and running every plugin on it, in parallel.
//!
//! [`run`] cuts the files into batches for the file pass (`files`; files
//! above `max-file-size` go to `stream`, in pieces) and runs each plugin's
//! repository check (`repo`); `convert` turns what plugins and packs report
//! into findings. The [`cache`] answers for files that did not change.

pub mod cache;
mod convert;
mod files;
pub mod history;
mod outcome;
mod repo;
mod stream;
pub mod suppress;

use std::path::Path;

use rayon::prelude::*;
use ward_plugin_sdk::PLUGIN_ERROR_RULE;

use crate::source::{Entry, Tree};
pub use outcome::{Checks, Outcome, Timings, KEYWORD_PASS};

/// Files handed to a plugin per call: enough to make the per-call cost vanish,
/// few enough that a batch's contents stay small in memory.
const BATCH: usize = 32;

/// Bytes read per batch before its plugins run: a batch of large files must
/// not be held in memory all at once (a file above this is a batch alone).
const BATCH_BYTES: u64 = 16 << 20;

/// Cuts the files into batches of at most [`BATCH`] files and
/// [`BATCH_BYTES`] bytes. Files above `limit` are read in pieces, not whole,
/// so they count as nothing here.
fn batches<'a>(files: &'a [&'a Entry], limit: u64) -> Vec<&'a [&'a Entry]> {
    let mut out = Vec::with_capacity(files.len() / BATCH + 1);
    let (mut start, mut bytes) = (0, 0u64);
    for (i, entry) in files.iter().enumerate() {
        let size = if entry.size > limit { 0 } else { entry.size };
        if i > start && (i - start == BATCH || bytes + size > BATCH_BYTES) {
            out.push(&files[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < files.len() {
        out.push(&files[start..]);
    }
    out
}

/// Checks every file of `tree` with every plugin and rule pack, then runs
/// repository checks.
pub fn run(tree: &Tree, root: &Path, checks: &Checks<'_>) -> Outcome {
    let (plugins, config) = (checks.plugins, checks.config);
    let owned = |path: &str| {
        checks.shard.is_none_or(|shard| shard.owns(path))
            && checks.only.is_none_or(|only| only.contains(path))
    };
    let files: Vec<&Entry> = if checks.repo_only {
        Vec::new()
    } else {
        tree.files().filter(|e| owned(&e.path)).collect()
    };
    let repository_checks = (tree.walked_dir || checks.repo_only)
        && checks
            .shard
            .is_none_or(|shard| shard.runs_repository_checks());
    // Repository checks need no file's results: they run beside the file
    // scan, so the slowest of them (reading every Markdown file for links,
    // say) hides behind it instead of adding to it.
    let (per_batch, repo_results) = rayon::join(
        || {
            batches(&files, config.max_file_size())
                .par_iter()
                .map(|batch| {
                    let done = files::check_batch(batch, checks);
                    if let Some(progress) = checks.progress {
                        progress(batch.len());
                    }
                    done
                })
                .collect::<Vec<Outcome>>()
        },
        || {
            if !repository_checks {
                return Vec::new();
            }
            plugins
                .par_iter()
                // Repository checks follow the root config.
                .filter(|plugin| plugin.scope.is_none())
                .map(|plugin| {
                    let started = std::time::Instant::now();
                    let found = repo::check_repo(tree, root, plugin, checks);
                    (plugin.name.as_str(), started.elapsed(), found)
                })
                .collect::<Vec<_>>()
        },
    );
    let mut outcome = Outcome::default();
    for part in per_batch {
        outcome.findings.extend(part.findings);
        outcome.files_scanned += part.files_scanned;
        outcome.bytes_scanned += part.bytes_scanned;
        outcome.suppressed += part.suppressed;
        outcome.stamps.extend(part.stamps);
        outcome.unfixable.extend(part.unfixable);
        outcome.timings.add(part.timings);
    }
    for (name, time, found) in repo_results {
        if checks.timings {
            *outcome.timings.plugins.entry(name.to_string()).or_default() += time;
        }
        outcome.findings.extend(found);
    }
    outcome.findings.extend(
        tree.problems
            .iter()
            .filter(|problem| owned(&problem.path))
            .cloned(),
    );
    // The engine's own findings get their severity here; plugin and pack
    // findings got theirs in `convert`.
    outcome.findings.retain_mut(|f| {
        if f.plugin != "ward" && f.rule != PLUGIN_ERROR_RULE {
            return true;
        }
        match config.severity(&f.rule, &f.path, f.severity) {
            Some(severity) => {
                f.severity = severity;
                true
            }
            None => false,
        }
    });
    outcome
}

#[cfg(test)]
mod batch_tests {
    use super::{batches, BATCH, BATCH_BYTES};
    use crate::source::Entry;
    use ward_plugin_sdk::EntryKind;

    fn file(size: u64) -> Entry {
        Entry {
            path: String::new(),
            abs: Default::default(),
            kind: EntryKind::File,
            size,
            mode: 0o644,
            staged: None,
            staged_blob: None,
            link_target: None,
            stat: None,
            forced: Default::default(),
        }
    }

    fn sizes(sizes: &[u64], limit: u64) -> Vec<usize> {
        let entries: Vec<Entry> = sizes.iter().map(|s| file(*s)).collect();
        let refs: Vec<&Entry> = entries.iter().collect();
        batches(&refs, limit).iter().map(|b| b.len()).collect()
    }

    #[test]
    fn batches_hold_a_bounded_number_of_files_and_bytes() {
        assert_eq!(sizes(&[1; 70], u64::MAX), [BATCH, BATCH, 70 - 2 * BATCH]);
        let big = BATCH_BYTES / 2 + 1;
        // Two files of just over half the budget never share a batch; one
        // larger than the budget is a batch alone.
        assert_eq!(
            sizes(&[big, big, 10, BATCH_BYTES * 3, 10], u64::MAX),
            [1, 2, 1, 1]
        );
        // A file over max-file-size is read in pieces: it costs no budget.
        assert_eq!(sizes(&[big, BATCH_BYTES * 3, big], BATCH_BYTES), [2, 1]);
        assert!(sizes(&[], u64::MAX).is_empty());
    }
}
