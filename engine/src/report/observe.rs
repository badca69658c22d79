//! What a run tells the systems around it: Prometheus metrics (`--metrics`),
//! an audit trail (`--audit-log`) and where the time went (`--timings`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use ward_plugin_sdk::{Severity, PLUGIN_ERROR_RULE};

use crate::finding::Finding;
use crate::scan::Timings;

/// A plugin or rule pack that took part in the run.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    /// Plugin or pack name.
    pub name: String,
    /// Plugin version, or for a rule pack the first 16 hex digits of its text's hash.
    pub version: String,
    /// `plugin` or `pack`.
    pub kind: &'static str,
}

/// Everything about a finished run that metrics and the audit log report.
pub struct RunFacts<'a> {
    /// The repository's name (`--repository` or its directory's name).
    pub repository: &'a str,
    /// The repository root.
    pub root: &'a Path,
    /// `--shard`, if any.
    pub shard: Option<crate::source::shard::Shard>,
    /// Every finding, before `--max-findings` cut the report.
    pub findings: &'a [Finding],
    /// Files read.
    pub files_scanned: usize,
    /// Bytes read.
    pub bytes_scanned: u64,
    /// Hidden by `ward:ignore`.
    pub suppressed: usize,
    /// Hidden by the baseline.
    pub baselined: usize,
    /// Plugins and packs.
    pub components: &'a [Component],
    /// The config files' texts, in load order.
    pub config_texts: &'a [String],
    /// The config file found or given, if any.
    pub config_file: Option<&'a Path>,
    /// Time per plugin and rule.
    pub timings: &'a Timings,
    /// When the run started.
    pub started: SystemTime,
    /// Its wall time.
    pub duration: Duration,
    /// The exit code it ends with.
    pub exit_code: u8,
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// A Prometheus label value: backslash, double quote and line feed escaped,
/// as the text exposition format requires.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

struct Exposition(String);

impl Exposition {
    fn family(&mut self, name: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} gauge");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            self.0.push('{');
            for (i, (key, val)) in labels.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                let _ = write!(self.0, "{key}=\"{}\"", label(val));
            }
            self.0.push('}');
        }
        let _ = writeln!(self.0, " {value}");
    }
}

/// The run as Prometheus text exposition (format 0.0.4). Every family is a
/// gauge: a file describes one run, which a textfile collector or a
/// pushgateway then publishes; the `repository` label tells runs apart.
pub fn metrics(facts: &RunFacts<'_>) -> String {
    let mut out = Exposition(String::new());
    let repo = facts.repository;
    let shard = facts.shard.map(|s| s.to_string()).unwrap_or_default();
    out.family(
        "ward_info",
        "The ward version that made this run (always 1).",
    );
    out.sample(
        "ward_info",
        &[
            ("version", env!("CARGO_PKG_VERSION")),
            ("repository", repo),
            ("shard", &shard),
        ],
        1,
    );
    out.family("ward_files_scanned", "Regular files read in the run.");
    out.sample(
        "ward_files_scanned",
        &[("repository", repo)],
        facts.files_scanned,
    );
    out.family("ward_bytes_scanned", "Bytes read in the run.");
    out.sample(
        "ward_bytes_scanned",
        &[("repository", repo)],
        facts.bytes_scanned,
    );

    let mut by_rule: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut by_severity: BTreeMap<&str, usize> = [("error", 0), ("warning", 0), ("info", 0)]
        .into_iter()
        .collect();
    let mut plugin_errors: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in facts.findings {
        let severity = severity_name(finding.severity);
        *by_rule.entry((&finding.rule, severity)).or_default() += 1;
        *by_severity.entry(severity).or_default() += 1;
        if finding.rule == PLUGIN_ERROR_RULE {
            *plugin_errors.entry(&finding.plugin).or_default() += 1;
        }
    }
    out.family(
        "ward_findings",
        "Findings reported, by severity (after suppressions and the baseline).",
    );
    for (severity, count) in &by_severity {
        out.sample(
            "ward_findings",
            &[("repository", repo), ("severity", severity)],
            count,
        );
    }
    out.family(
        "ward_rule_findings",
        "Findings reported, by rule and severity.",
    );
    for ((rule, severity), count) in &by_rule {
        out.sample(
            "ward_rule_findings",
            &[("repository", repo), ("rule", rule), ("severity", severity)],
            count,
        );
    }
    out.family(
        "ward_findings_suppressed",
        "Findings hidden by ward:ignore comments.",
    );
    out.sample(
        "ward_findings_suppressed",
        &[("repository", repo)],
        facts.suppressed,
    );
    out.family(
        "ward_findings_baselined",
        "Findings hidden because the baseline holds them.",
    );
    out.sample(
        "ward_findings_baselined",
        &[("repository", repo)],
        facts.baselined,
    );
    out.family(
        "ward_plugin_errors",
        "ward/plugin-error findings (a plugin panicked or misbehaved), by plugin.",
    );
    for component in facts.components.iter().filter(|c| c.kind == "plugin") {
        let count = plugin_errors
            .get(component.name.as_str())
            .copied()
            .unwrap_or(0);
        out.sample(
            "ward_plugin_errors",
            &[("repository", repo), ("plugin", &component.name)],
            count,
        );
    }
    out.family(
        "ward_plugin_duration_seconds",
        "Time spent in each plugin and rule pack, summed over threads.",
    );
    for (plugin, time) in &facts.timings.plugins {
        out.sample(
            "ward_plugin_duration_seconds",
            &[("repository", repo), ("plugin", plugin)],
            format_args!("{:.6}", time.as_secs_f64()),
        );
    }
    out.family(
        "ward_read_duration_seconds",
        "Time spent reading files, summed over threads.",
    );
    out.sample(
        "ward_read_duration_seconds",
        &[("repository", repo)],
        format_args!("{:.6}", facts.timings.reading.as_secs_f64()),
    );
    out.family("ward_run_duration_seconds", "Wall time of the run.");
    out.sample(
        "ward_run_duration_seconds",
        &[("repository", repo)],
        format_args!("{:.6}", facts.duration.as_secs_f64()),
    );
    out.family(
        "ward_run_timestamp_seconds",
        "When the run started, in seconds since the Unix epoch.",
    );
    out.sample(
        "ward_run_timestamp_seconds",
        &[("repository", repo)],
        format_args!("{:.3}", unix_seconds(facts.started)),
    );
    out.family(
        "ward_exit_code",
        "The run's exit code (0 clean, 1 findings, 2 error).",
    );
    out.sample("ward_exit_code", &[("repository", repo)], facts.exit_code);
    out.0
}

fn unix_seconds(time: SystemTime) -> f64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[derive(Serialize)]
struct AuditLine<'a> {
    run_id: String,
    start: String,
    end: String,
    user: String,
    host: String,
    working_directory: String,
    repository: &'a str,
    root: String,
    shard: Option<String>,
    git: Option<GitState>,
    ward_version: &'static str,
    config: ConfigFacts,
    plugins: &'a [Component],
    counts: Counts,
    exit_code: u8,
}

#[derive(Serialize)]
struct GitState {
    commit: Option<String>,
    branch: Option<String>,
}

#[derive(Serialize)]
struct ConfigFacts {
    file: Option<String>,
    /// BLAKE3 of every config text the run loaded (the file and what it extends).
    blake3: String,
}

#[derive(Serialize)]
struct Counts {
    files_scanned: usize,
    bytes_scanned: u64,
    findings: usize,
    error: usize,
    warning: usize,
    info: usize,
    suppressed: usize,
    baselined: usize,
}

/// One JSON line (with its `\n`) describing the run for the audit log.
pub fn audit_line(facts: &RunFacts<'_>) -> serde_json::Result<String> {
    let count = |s: Severity| facts.findings.iter().filter(|f| f.severity == s).count();
    let end = facts.started + facts.duration;
    let host = host_name();
    let mut hasher = blake3::Hasher::new();
    for text in facts.config_texts {
        hasher.update(&(text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    let run_id = {
        let mut id = blake3::Hasher::new();
        id.update(&unix_seconds(facts.started).to_le_bytes());
        id.update(&std::process::id().to_le_bytes());
        id.update(host.as_bytes());
        id.update(facts.root.to_string_lossy().as_bytes());
        id.finalize().to_hex()[..32].to_string()
    };
    let line = AuditLine {
        run_id,
        start: humantime::format_rfc3339_millis(facts.started).to_string(),
        end: humantime::format_rfc3339_millis(end).to_string(),
        user: user_name(),
        host,
        working_directory: std::env::current_dir()
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default(),
        repository: facts.repository,
        root: facts.root.to_string_lossy().into_owned(),
        shard: facts.shard.map(|s| s.to_string()),
        git: git_state(facts.root),
        ward_version: env!("CARGO_PKG_VERSION"),
        config: ConfigFacts {
            file: facts.config_file.map(|p| p.to_string_lossy().into_owned()),
            blake3: hasher.finalize().to_hex().to_string(),
        },
        plugins: facts.components,
        counts: Counts {
            files_scanned: facts.files_scanned,
            bytes_scanned: facts.bytes_scanned,
            findings: facts.findings.len(),
            error: count(Severity::Error),
            warning: count(Severity::Warning),
            info: count(Severity::Info),
            suppressed: facts.suppressed,
            baselined: facts.baselined,
        },
        exit_code: facts.exit_code,
    };
    let mut out = serde_json::to_string(&line)?;
    out.push('\n');
    Ok(out)
}

/// Appends `line` with one `write` on a file opened with `O_APPEND`: the
/// kernel places each such write at the end as a whole, so lines from
/// concurrent runs never interleave (a regular file on a local file system).
pub fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never appended through a link (a planted `audit.log -> ~/.bashrc`
        // is an error), and a FIFO with no reader is an error, not a hang.
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let mut file = options.open(path)?;
    let written = file.write(line.as_bytes())?;
    if written != line.len() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::WriteZero,
            format!("wrote {written} of {} bytes", line.len()),
        ));
    }
    Ok(())
}

fn user_name() -> String {
    for var in ["USER", "LOGNAME", "USERNAME"] {
        if let Some(name) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            return name.to_string_lossy().into_owned();
        }
    }
    #[cfg(unix)]
    {
        // SAFETY: getuid has no preconditions and cannot fail.
        format!("uid {}", unsafe { libc::getuid() })
    }
    #[cfg(not(unix))]
    String::new()
}

fn host_name() -> String {
    #[cfg(unix)]
    {
        let mut buffer = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname writes at
        // most that many bytes.
        let status = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) };
        if status == 0 {
            let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
            return String::from_utf8_lossy(&buffer[..end]).into_owned();
        }
    }
    std::env::var("HOSTNAME").unwrap_or_default()
}

/// The commit and branch checked out at `root` (asked of git only for the
/// audit log: a process start is not free).
fn git_state(root: &Path) -> Option<GitState> {
    if !root.join(".git").exists() {
        return None;
    }
    let (commit, branch) = crate::source::git::head(root);
    Some(GitState { commit, branch })
}

/// The `--timings` table: time per plugin, the ten slowest rules, reading.
pub fn timings_table(timings: &Timings, wall: Duration) -> String {
    let mut out = String::new();
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    let _ = writeln!(
        out,
        "ward: timings (CPU time summed over threads; wall time {:.1} ms)",
        ms(&wall)
    );
    let mut plugins: Vec<_> = timings.plugins.iter().collect();
    plugins.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let _ = writeln!(out, "  {:<40} {:>10}", "plugin", "ms");
    let _ = writeln!(
        out,
        "  {:<40} {:>10.1}",
        "(reading files)",
        ms(&timings.reading)
    );
    for (name, time) in plugins {
        let _ = writeln!(out, "  {name:<40} {:>10.1}", ms(time));
    }
    let _ = writeln!(out, "  {:<40} {:>10}", "rule (top 10, rule packs)", "ms");
    for (name, time) in top_rules(timings, 10) {
        let _ = writeln!(out, "  {name:<40} {:>10.1}", ms(&time));
    }
    out
}

/// The `n` rules that took longest, slowest first.
pub fn top_rules(timings: &Timings, n: usize) -> Vec<(String, Duration)> {
    let mut rules: Vec<(String, Duration)> = timings
        .rules
        .iter()
        .map(|(name, time)| (name.clone(), *time))
        .collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rules.truncate(n);
    rules
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
