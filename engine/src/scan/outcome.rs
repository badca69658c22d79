//! What a scan found and how much it read, and what checks it: the types
//! every part of the scan shares.

use crate::config::Config;
use crate::finding::Finding;
use crate::host::packs::ActivePacks;
use crate::host::ActivePlugin;

/// Findings kept per plugin and file: a plugin gone wrong (a million
/// findings for one file) must not exhaust memory or bury the report.
pub(super) const MAX_FINDINGS_PER_FILE: usize = ward_plugin_sdk::MAX_FINDINGS_PER_FILE;

/// The timings entry for the keyword pass that all rule packs share.
pub const KEYWORD_PASS: &str = "rule packs (keyword pass)";

/// What a scan found and how much it read.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every finding, unsorted.
    pub findings: Vec<Finding>,
    /// Regular files read.
    pub files_scanned: usize,
    /// Bytes read.
    pub bytes_scanned: u64,
    /// Findings hidden by `ward:ignore` comments.
    pub suppressed: usize,
    /// What each file looked like when it was read, for `--fix` (only then).
    pub stamps: std::collections::HashMap<String, crate::source::read::Stamp>,
    /// Files `--fix` must leave alone, with the reason (only with `--fix`).
    pub unfixable: std::collections::HashMap<String, String>,
    /// Where the time went (with `Checks::timings` only).
    pub timings: Timings,
}

/// Time spent per plugin and per rule, summed over threads: CPU time, not
/// wall time, so with 2 threads the plugins add up to about twice the run.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    /// By plugin or rule pack name.
    pub plugins: std::collections::BTreeMap<String, std::time::Duration>,
    /// By rule id: the regex time of each rule-pack rule (native plugins run
    /// all their rules in one call, so only their plugin total is known).
    pub rules: std::collections::BTreeMap<String, std::time::Duration>,
    /// Reading files.
    pub reading: std::time::Duration,
}

impl Timings {
    pub(super) fn add(&mut self, other: Timings) {
        for (name, time) in other.plugins {
            *self.plugins.entry(name).or_default() += time;
        }
        for (name, time) in other.rules {
            *self.rules.entry(name).or_default() += time;
        }
        self.reading += other.reading;
    }
}

/// What checks a run and how.
pub struct Checks<'a> {
    /// Configured plugins.
    pub plugins: &'a [ActivePlugin],
    /// The enabled rules of every rule pack.
    pub packs: Option<&'a ActivePacks>,
    /// The run's config.
    pub config: &'a Config,
    /// Print secrets whole (`--show-secrets`).
    pub show_secrets: bool,
    /// Every rule id the run knows, to check suppressions against.
    pub known_rules: &'a std::collections::HashSet<String>,
    /// The names of optional plugins whose libraries are missing: their
    /// rules are neither unknown nor unused in suppressions.
    pub absent_plugins: &'a [String],
    /// Only repository-level checks (`--repo-only`).
    pub repo_only: bool,
    /// Record what each file looked like when read (`--fix`).
    pub stamp_files: bool,
    /// The result cache, unless switched off.
    pub cache: Option<&'a crate::scan::cache::Cache>,
    /// Only this shard's files (`--shard`).
    pub shard: Option<crate::source::shard::Shard>,
    /// Only these files in the file pass (`--diff-base`: what changed);
    /// repository checks still see the whole tree.
    pub only: Option<&'a std::collections::HashSet<String>>,
    /// Measure time per plugin and rule (`--timings`, `--metrics`).
    pub timings: bool,
    /// The file classes each plugin or pack rule runs on.
    pub rule_classes: &'a std::collections::HashMap<&'a str, crate::source::classes::Classes>,
    /// Print a plugin panic's backtrace, when it sent one (`--verbose`).
    pub verbose: bool,
    /// Told of each batch of files done (the progress bar).
    pub progress: Option<&'a (dyn Fn(usize) + Sync)>,
}

impl Checks<'_> {
    /// What the run knows of `rule`, for suppressions.
    pub fn knows(&self, rule: &str) -> crate::scan::suppress::Known {
        use crate::scan::suppress::Known;
        if self.known_rules.contains(rule) {
            Known::Yes
        } else if rule
            .split_once('/')
            .is_some_and(|(plugin, _)| self.absent_plugins.iter().any(|p| p == plugin))
        {
            Known::Absent
        } else {
            Known::No
        }
    }
}
