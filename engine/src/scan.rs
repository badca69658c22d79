//! Reading each file once and running every plugin on it, in parallel.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RResult, RSlice, RStr, RString, RVec},
};
use rayon::prelude::*;
use ward_plugin_sdk::abi::{
    FileInputFfi, FindingFfi, RepoEntryFfi, RepoInputFfi, RepoReaderFfi, RepoReaderFfi_TO,
};
use ward_plugin_sdk::{EntryKind, Severity, PLUGIN_ERROR_RULE};

use crate::config::Config;
use crate::finding::{fingerprint, redact, Finding, Snippet};
use crate::packs::ActivePacks;
use crate::plugins::ActivePlugin;
use crate::rules::UNREADABLE;
use crate::source::{Entry, Tree};

mod stream;

/// Files handed to a plugin per call: enough to make the per-call cost vanish,
/// few enough that a batch's contents stay small in memory.
const BATCH: usize = 32;

/// Bytes read per batch before its plugins run: a batch of large files must
/// not be held in memory all at once (a file above this is a batch alone).
const BATCH_BYTES: u64 = 16 << 20;

/// A file is binary when its first 8 KiB hold a NUL byte (as git decides).
const BINARY_PROBE: usize = 8 * 1024;

/// Findings kept per plugin and file: a plugin gone wrong (a million
/// findings for one file) must not exhaust memory or bury the report.
const MAX_FINDINGS_PER_FILE: usize = 10_000;

/// The timings entry for the keyword pass that all rule packs share.
pub const KEYWORD_PASS: &str = "rule packs (keyword pass)";

/// Lines longer than this get no source snippet (a minified file would flood the terminal).
const SNIPPET_MAX_LINE: usize = 1000;

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
    pub stamps: std::collections::HashMap<String, crate::fix::Stamp>,
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
    fn add(&mut self, other: Timings) {
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
    /// Only repository-level checks (`--repo-only`).
    pub repo_only: bool,
    /// Record what each file looked like when read (`--fix`).
    pub stamp_files: bool,
    /// The result cache, unless switched off.
    pub cache: Option<&'a crate::cache::Cache>,
    /// Only this shard's files (`--shard`).
    pub shard: Option<crate::shard::Shard>,
    /// Measure time per plugin and rule (`--timings`, `--metrics`).
    pub timings: bool,
    /// Told of each batch of files done (the progress bar).
    pub progress: Option<&'a (dyn Fn(usize) + Sync)>,
}

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
    let owned = |path: &str| checks.shard.is_none_or(|shard| shard.owns(path));
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
                    let done = check_batch(batch, checks);
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
                .map(|plugin| {
                    let started = std::time::Instant::now();
                    let found = check_repo(tree, root, plugin, checks);
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

/// Reads at most `limit + 1` bytes, so a file that grew past the limit is noticed
/// without reading it whole.
fn read_limited(path: &Path, expected: u64, limit: u64) -> std::io::Result<Vec<u8>> {
    let (file, size) = open_regular(path)?;
    // Sized from the walk's stat (or the open file's, when the caller has
    // none), plus one byte to notice growth: `Take` hides the size hint, and
    // read_to_end would otherwise grow the buffer by doubling, with a read
    // call per step. A file that grew since is still read whole, up to the
    // limit.
    let expected = expected.max(size).min(limit);
    let capacity = usize::try_from(expected).unwrap_or(0).saturating_add(1);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Opens a file the walk saw as regular, refusing whatever replaced it since:
/// a FIFO would block `open` until a writer came, a symlink could point
/// anywhere. `O_NONBLOCK` makes opening a FIFO return at once (it changes
/// nothing for reads of a regular file); `O_NOFOLLOW` refuses a symlink.
fn open_regular(path: &Path) -> std::io::Result<(std::fs::File, u64)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "no longer a regular file",
        ));
    }
    Ok((file, meta.len()))
}

fn check_batch(batch: &[&Entry], checks: &Checks<'_>) -> Outcome {
    let limit = checks.config.max_file_size();
    let mut outcome = Outcome::default();
    let mut contents: Vec<(&Entry, Vec<u8>)> = Vec::with_capacity(batch.len());
    for entry in batch {
        if let Some(crate::cache::Hit::Unchanged(found)) =
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
            Some(bytes) => Ok(bytes.to_vec()),
            None => read_limited(&entry.abs, entry.size, limit),
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
                if checks.stamp_files && entry.staged.is_none() {
                    if let Some(stamp) = crate::fix::Stamp::of(&entry.abs, &bytes) {
                        outcome.stamps.insert(entry.path.clone(), stamp);
                    }
                }
                contents.push((entry, bytes));
            }
            Err(e) => outcome.findings.push(Finding::engine(
                UNREADABLE,
                Severity::Error,
                &entry.path,
                format!("cannot read: {e}"),
            )),
        }
    }
    let inputs: Vec<FileInputFfi<'_>> = contents
        .iter()
        .map(|(entry, bytes)| FileInputFfi {
            path: RStr::from_str(&entry.path),
            bytes: RSlice::from_slice(bytes),
            is_binary: memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)]).is_some(),
            mode: entry.mode,
        })
        .collect();
    let line_index: Vec<std::cell::OnceCell<Lines<'_>>> = contents
        .iter()
        .map(|_| std::cell::OnceCell::new())
        .collect();
    for plugin in checks.plugins {
        let started = checks.timings.then(std::time::Instant::now);
        let found = plugin.validator.check_files(RSlice::from_slice(&inputs));
        if let Some(started) = started {
            *outcome
                .timings
                .plugins
                .entry(plugin.name.clone())
                .or_default() += started.elapsed();
        }
        let mut per_file: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        for ffi in found {
            let count = per_file.entry(ffi.path.to_string()).or_insert(0);
            *count += 1;
            if *count > MAX_FINDINGS_PER_FILE {
                continue;
            }
            // Line starts are found once per file, and only for files with
            // findings: a file with thousands of findings must not be
            // scanned once per finding.
            let lines = contents
                .iter()
                .position(|(entry, _)| entry.path == ffi.path.as_str())
                .map(|i| line_index[i].get_or_init(|| Lines::new(&contents[i].1)));
            let lookup = |rule: &str| plugin.lookup(rule);
            outcome.findings.extend(convert(
                Raw::from_ffi(ffi),
                &plugin.name,
                &lookup,
                lines,
                checks,
            ));
        }
        for (path, count) in per_file
            .into_iter()
            .filter(|(_, n)| *n > MAX_FINDINGS_PER_FILE)
        {
            outcome.findings.push(plugin_error(
                &plugin.name,
                &path,
                format!(
                    "plugin `{}` reported {count} findings for this file; kept the first {MAX_FINDINGS_PER_FILE}",
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
        for (input, (entry, bytes)) in inputs.iter().zip(&contents) {
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
    mask_neighbouring_secrets(&mut outcome.findings);
    apply_suppressions(&contents, checks, &mut outcome);
    if let Some(cache) = checks.cache {
        for (entry, bytes) in &contents {
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

/// Adds the findings of every rule pack in one file, or one piece of a file
/// (positions are then within the piece); `times` gathers each rule's regex
/// time.
fn pack_findings(
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
        };
        let severity = packs.severities[found.rule];
        let lookup = |_: &str| Lookup::Enabled(severity);
        out.extend(convert(raw, &rule.pack, &lookup, Some(&lines), checks));
    }
}

/// Drops the findings that `ward:ignore` comments in their files hide, and
/// reports comments that name unknown rules.
fn apply_suppressions(contents: &[(&Entry, Vec<u8>)], checks: &Checks<'_>, outcome: &mut Outcome) {
    let known = |rule: &str| checks.known_rules.contains(rule);
    for (entry, bytes) in contents {
        let Some(suppressions) = crate::suppress::parse(&entry.path, bytes, &known) else {
            continue;
        };
        let before = outcome.findings.len();
        outcome
            .findings
            .retain(|f| f.path != entry.path || !suppressions.hides(f));
        outcome.suppressed += before - outcome.findings.len();
        outcome.findings.extend(suppressions.problems);
    }
}

/// Reads repository files for plugins, confined to the repository.
struct WorkTreeReader<'a> {
    root: &'a Path,
    limit: u64,
}

impl RepoReaderFfi for WorkTreeReader<'_> {
    fn read(&self, path: RStr<'_>) -> RResult<RVec<u8>, RString> {
        let rel = Path::new(path.as_str());
        if rel
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return RResult::RErr(format!("`{path}` is not a path inside the repository").into());
        }
        let abs: PathBuf = self.root.join(rel);
        match read_limited(&abs, 0, self.limit) {
            Ok(bytes) if bytes.len() as u64 > self.limit => {
                RResult::RErr(format!("`{path}` is larger than max-file-size").into())
            }
            Ok(bytes) => RResult::ROk(bytes.into()),
            Err(e) => RResult::RErr(format!("cannot read `{path}`: {e}").into()),
        }
    }
}

fn check_repo(
    tree: &Tree,
    root: &Path,
    plugin: &ActivePlugin,
    checks: &Checks<'_>,
) -> Vec<Finding> {
    let config = checks.config;
    let entries: Vec<RepoEntryFfi<'_>> = tree
        .entries
        .iter()
        .map(|e| RepoEntryFfi {
            path: RStr::from_str(&e.path),
            kind: match e.kind {
                EntryKind::File => 0,
                EntryKind::Dir => 1,
                EntryKind::Symlink => 2,
                EntryKind::Other => 3,
            },
            size: e.size,
            mode: e.mode,
            link_target: RStr::from_str(e.link_target.as_deref().unwrap_or("")),
        })
        .collect();
    let reader = WorkTreeReader {
        root,
        limit: config.max_file_size(),
    };
    let input = RepoInputFfi {
        entries: RSlice::from_slice(&entries),
        reader: RepoReaderFfi_TO::from_ptr(&reader, TD_Opaque),
    };
    let found = plugin.validator.check_repo(&input);
    // Each file with findings is read once, however many it has.
    let mut files: std::collections::HashMap<String, Option<Vec<u8>>> =
        std::collections::HashMap::new();
    for ffi in &found {
        let path = ffi.path.as_str();
        if !path.is_empty() && !files.contains_key(path) {
            let bytes = reader
                .read(RStr::from_str(path))
                .into_result()
                .ok()
                .map(RVec::into_vec);
            files.insert(path.to_string(), bytes);
        }
    }
    let lines: std::collections::HashMap<&str, Lines<'_>> = files
        .iter()
        .filter_map(|(path, bytes)| Some((path.as_str(), Lines::new(bytes.as_deref()?))))
        .collect();
    found
        .into_iter()
        .flat_map(|ffi| {
            let file_lines = lines.get(ffi.path.as_str());
            let lookup = |rule: &str| plugin.lookup(rule);
            convert(
                Raw::from_ffi(ffi),
                &plugin.name,
                &lookup,
                file_lines,
                checks,
            )
        })
        .collect()
}

/// Byte offsets of line starts, built only for files that have findings.
struct Lines<'a> {
    bytes: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        Lines { bytes, starts }
    }

    /// 1-based (line, column) of a byte offset; columns count characters.
    fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.bytes.len());
        let index = self.starts.partition_point(|&start| start <= offset) - 1;
        let column = ward_plugin_sdk::char_count(&self.bytes[self.starts[index]..offset]) + 1;
        (
            u32::try_from(index + 1).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }

    fn count(&self) -> u32 {
        u32::try_from(self.starts.len()).unwrap_or(u32::MAX)
    }

    /// The bytes of 1-based line `n`, without its ending.
    fn line(&self, n: u32) -> &'a [u8] {
        let i = (n as usize).saturating_sub(1).min(self.starts.len() - 1);
        let start = self.starts[i];
        match self.starts.get(i + 1) {
            Some(next) => {
                let line = &self.bytes[start..next - 1];
                line.strip_suffix(b"\r").unwrap_or(line)
            }
            // A `\r` that ends the file ends no line: it is the last line's
            // last character (where `text/final-newline` reports, after it).
            None => &self.bytes[start..],
        }
    }
}

fn char_len(line: &[u8]) -> u32 {
    u32::try_from(ward_plugin_sdk::char_count(line)).unwrap_or(u32::MAX)
}

fn plugin_error(plugin: &str, path: &str, message: String) -> Finding {
    let mut finding = Finding::engine(PLUGIN_ERROR_RULE, Severity::Error, path, message);
    finding.plugin = plugin.into();
    finding
}

/// A finding as a plugin or rule pack reported it, before the engine checks it.
pub(crate) struct Raw {
    rule: String,
    path: String,
    message: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    fix: Vec<ward_plugin_sdk::Edit>,
    secret: String,
}

impl Raw {
    fn from_ffi(ffi: FindingFfi) -> Self {
        Raw {
            rule: ffi.rule.into_string(),
            path: ffi.path.into_string(),
            message: ffi.message.into_string(),
            line: ffi.line,
            column: ffi.column,
            end_line: ffi.end_line,
            end_column: ffi.end_column,
            fix: ffi
                .fix
                .into_iter()
                .map(|e| ward_plugin_sdk::Edit {
                    start: usize::try_from(e.start).unwrap_or(usize::MAX),
                    end: usize::try_from(e.end).unwrap_or(usize::MAX),
                    replacement: e.replacement.into_string(),
                })
                .collect(),
            secret: ffi.secret.into_string(),
        }
    }
}

/// What the run says about a rule a plugin reported.
pub enum Lookup {
    /// Enabled somewhere, with this default severity.
    Enabled(Severity),
    /// Declared but switched off.
    Disabled,
    /// Not declared by the plugin.
    Unknown,
}

/// Turns a raw finding into a report finding: effective severity,
/// positions checked against the file, snippet, redaction and fingerprint.
/// Returns more than one finding when the plugin misbehaved.
fn convert(
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
        return vec![plugin_error(plugin, &path, message)];
    }
    let severity = match lookup(&rule) {
        Lookup::Enabled(default) => match checks.config.severity(&rule, &path, default) {
            Some(severity) => severity,
            None => return Vec::new(),
        },
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
        let last = lines.count();
        let clamped_line = line.min(last);
        let clamped_column = column.clamp(1, char_len(lines.line(clamped_line)) + 1);
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
    });
    out
}

/// A snippet shows the lines around its finding; a secret that another
/// finding found on those lines must be masked there too.
fn mask_neighbouring_secrets(findings: &mut [Finding]) {
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
        .min(lines.count())
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

#[cfg(all(test, unix))]
mod tests {
    use super::read_limited;

    /// The walk saw a regular file; by the time it is read, something else
    /// stands there. Each must fail at once, never block or be followed.
    #[test]
    fn what_replaced_a_file_since_the_walk_is_refused_not_opened() {
        let dir = tempfile::TempDir::new().unwrap();
        let fifo = dir.path().join("fifo");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        let error = read_limited(&fifo, 10, 100).unwrap_err();
        assert_eq!(error.to_string(), "no longer a regular file");

        std::fs::write(dir.path().join("target"), b"secret").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("target", &link).unwrap();
        assert!(read_limited(&link, 6, 100).is_err());
        assert!(read_limited(dir.path(), 0, 100).is_err());

        assert_eq!(
            read_limited(&dir.path().join("target"), 6, 100).unwrap(),
            b"secret"
        );
    }
}
