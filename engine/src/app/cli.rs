//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// ward: a fast, plugin-based validation engine for repositories.
///
/// Exit codes: 0 no finding at or above --fail-on, 1 there are, 2 usage,
/// config or plugin-load error.
#[derive(Debug, Parser)]
#[command(name = "ward", version = version(), about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `ward --version`: the engine's version, the plugin ABI it speaks and the
/// plugin SDK versions it loads.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        format!(
            "{} (plugin ABI {}, loads plugins built with ward-plugin-sdk {}; built with {})",
            env!("CARGO_PKG_VERSION"),
            ward_plugin_sdk::ABI_VERSION,
            ward_plugin_sdk::SDK_RANGE,
            ward_plugin_sdk::SDK_VERSION
        )
    })
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files and directories (default: the current directory).
    ///
    /// Directories are walked respecting .gitignore and never entering .git/;
    /// files named explicitly are checked as given, which is how pre-commit
    /// calls hooks.
    Check(CheckArgs),
    /// List the loaded plugins.
    Plugins(ListArgs),
    /// Make a new plugin: `ward plugin new NAME` writes a crate that builds
    /// and loads before any edit.
    #[command(subcommand)]
    Plugin(super::plugin_new::PluginCommand),
    /// List every rule with its default severity and summary.
    ///
    /// `--format markdown --output docs/rules` writes the rule reference:
    /// one page per plugin or pack, from the rules' own docs.
    Rules(RulesArgs),
    /// Run every rule pack's examples: `match` examples must be found,
    /// `no-match` examples must not (exit 1 naming each failure).
    ///
    /// With no PACK, the shipped packs and the config's packs are tested.
    TestRules(TestRulesArgs),
    /// Translate another tool's configuration into a ward rule pack.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Record every current finding in a baseline file (default:
    /// ward-baseline.json at the repository root), so later checks with
    /// --baseline report only new ones.
    Baseline(BaselineArgs),
    /// Write a commented starter ward.toml in the current directory.
    Init(InitArgs),
    /// Install a git pre-commit hook that runs `ward check --staged`.
    InstallHook(InstallHookArgs),
    /// Show a rule's documentation, with a bad and a good example.
    Explain(ExplainArgs),
    /// Show which configs apply to a file (the repository's ward.toml and
    /// those of the directories above the file), and where each rule
    /// severity and plugin setting there comes from.
    ExplainConfig(ExplainConfigArgs),
    /// Combine JSON or SARIF reports (shards of one repository, or many
    /// repositories) into one: counts add up, repository names are kept, no
    /// finding is lost or duplicated.
    Merge(MergeArgs),
    /// Check, then show the health score: 0-100 per category
    /// (documentation, security, hygiene, structure, manifests, ci) and in
    /// total, weighted as `[score]` in ward.toml says.
    Score(ScoreArgs),
    /// Turn a JSON report into a page for people: `ward report --html`.
    Report(ReportArgs),
    /// Check what a git history holds: every blob that the commits of a
    /// range introduced, at any path, checked whole and once.
    ///
    /// With no RANGE, every commit reachable from any reference. Runs the
    /// secrets pack and the config's packs (every rule with --all-rules).
    /// Each finding names the first commit of the range that introduced it,
    /// with its author, date and summary; a secret kept across later
    /// versions of a file is reported once. For a pre-receive hook:
    /// `ward history $OLD..$NEW` (an all-zero OLD checks what no existing
    /// reference has); for a pull request: `ward history origin/main..HEAD`.
    History(HistoryArgs),
}

/// `ward history` options.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Revisions and ranges, as git takes them: `main..feature`,
    /// `^v1.0 HEAD`, `$OLD..$NEW`. Default: every reference.
    #[arg(value_name = "RANGE")]
    pub revisions: Vec<String>,

    /// The repository (default: the one holding the current directory).
    #[arg(short = 'C', long = "repo", value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,

    /// Leave out this commit and its ancestors (the commits after it).
    #[arg(long, value_name = "COMMIT")]
    pub since_commit: Option<String>,

    /// At most N commits, the newest.
    #[arg(long, value_name = "N")]
    pub max_count: Option<usize>,

    /// Start from every local branch instead of every reference.
    #[arg(long)]
    pub branches: bool,

    /// Also check what the index holds that HEAD does not (alone, with no
    /// RANGE: only that).
    #[arg(long)]
    pub staged: bool,

    /// Leave out blobs larger than this many bytes (default and at most:
    /// `max-file-size` of the config).
    #[arg(long, value_name = "BYTES")]
    pub max_blob_size: Option<u64>,

    /// Run every plugin and pack, not only the secrets pack and the
    /// config's packs.
    #[arg(long)]
    pub all_rules: bool,

    /// Check vendored paths too (`vendor/`, `node_modules/`...).
    #[arg(long)]
    pub include_vendored: bool,

    #[command(flatten)]
    pub plugin: PluginArgs,

    /// Number of threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Do not read or write the history cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Where the cache lives (default: $XDG_CACHE_HOME/ward, else ~/.cache/ward).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    #[command(flatten)]
    pub report: OutputArgs,

    /// Report only findings that are not in this baseline file; overrides
    /// `baseline` in ward.toml. Fingerprints do not depend on the commit: a
    /// secret accepted once is not reported again from older commits.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Print secrets whole instead of redacted. For local triage only.
    #[arg(long)]
    pub show_secrets: bool,
}

/// `ward init` options.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing ward.toml.
    #[arg(long)]
    pub force: bool,
}

/// `ward install-hook` options.
#[derive(Debug, Args)]
pub struct InstallHookArgs {
    /// Replace a pre-commit hook that ward did not write.
    #[arg(long)]
    pub force: bool,
}

/// `ward explain` options.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, for example text/trailing-whitespace.
    #[arg(value_name = "RULE")]
    pub rule: String,

    #[command(flatten)]
    pub plugin: PluginArgs,
}

/// `ward test-rules` options.
#[derive(Debug, Args)]
pub struct TestRulesArgs {
    /// Rule pack files to test.
    #[arg(value_name = "PACK")]
    pub packs: Vec<PathBuf>,

    #[command(flatten)]
    pub plugin: PluginArgs,
}

/// What `ward import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Translate a gitleaks configuration (gitleaks.toml) into a ward rule pack.
    ///
    /// Rules whose regexes are not Rust regex syntax, path-only rules and
    /// AND-allowlists are left out with a warning naming each.
    Gitleaks(ImportGitleaksArgs),
}

/// `ward import gitleaks` options.
#[derive(Debug, Args)]
pub struct ImportGitleaksArgs {
    /// The gitleaks configuration.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Write the pack here instead of to stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The pack's name: the prefix of its rule ids.
    #[arg(long, default_value = "gitleaks")]
    pub name: String,
}

/// Options that choose which plugins and config are loaded.
#[derive(Debug, Args, Clone, Default)]
pub struct PluginArgs {
    /// Use this config file alone, instead of the repository's ward.toml and the nested ones
    /// of its subdirectories.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Load a plugin library (a cdylib built with ward-plugin-sdk). Repeatable.
    /// Loading native code runs it: only load plugins you trust.
    #[arg(long = "plugin", value_name = "PATH")]
    pub plugins: Vec<PathBuf>,

    /// Do not use the built-in plugins and rule packs; only plugins given with
    /// --plugin and packs named in the config.
    #[arg(long)]
    pub no_default_plugins: bool,

    /// Say more: why a plugin was refused, which config was used.
    #[arg(short, long)]
    pub verbose: bool,

    /// Load `[[plugin]]` libraries named by a ward.toml found in the checked
    /// tree. Off by default: on an untrusted pull request that would run its
    /// code.
    #[arg(long)]
    pub allow_repo_plugins: bool,
}

/// `ward plugins` options.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub plugin: PluginArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// `ward rules` options.
#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(flatten)]
    pub plugin: PluginArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,

    /// With `--format markdown`: write the pages (`<plugin>.md` for each
    /// plugin and pack, and `README.md`) into this directory.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

/// What to check and how to walk it: shared by `check`, `baseline` and `score`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to check.
    #[arg(value_name = "PATHS", default_value = ".")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub plugin: PluginArgs,

    /// Number of threads (default: one per core; at most four per core, and
    /// never more than 256).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Check files that .gitignore, .ignore and git's excludes would skip
    /// (`.git/` is still never entered).
    #[arg(long)]
    pub no_ignore: bool,

    /// Check vendored directories too (`vendor/`, `node_modules/`,
    /// `third_party/`...), which are someone else's code and skipped by
    /// default; `include-vendored = true` in ward.toml does the same.
    #[arg(long)]
    pub include_vendored: bool,

    /// Check the content staged in the git index (what the next commit will
    /// hold), not the working tree: for a plain .git/hooks/pre-commit.
    #[arg(long, conflicts_with = "repo_only")]
    pub staged: bool,

    /// Run only the repository-level checks (required files, naming...),
    /// not the per-file ones: the `ward-repo` pre-commit hook.
    #[arg(long)]
    pub repo_only: bool,

    /// Do not read or write the result cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Where the result cache lives (default: $XDG_CACHE_HOME/ward, else ~/.cache/ward).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Check only shard I of N: files are split by a hash of their path, the
    /// same on every machine; repository-level checks run in shard 1 only.
    /// For a CI matrix of N jobs; combine their reports with `ward merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::source::shard::Shard>,

    /// Never show the progress bar (it is shown only on a terminal, for text
    /// output, once a run takes more than a moment).
    #[arg(long)]
    pub no_progress: bool,

    /// Check only what changed since the merge base of REF and HEAD (the
    /// work tree, or the index with --staged), and report only findings on
    /// lines added or modified, and file-level findings of new files: a
    /// pull request's own findings (`--diff-base origin/main`).
    #[arg(long, value_name = "REF", conflicts_with = "repo_only")]
    pub diff_base: Option<String>,
}

/// How a check's report is written: shared by `check` and `history`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Exit with 1 when there is a finding at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// When to color text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    /// Write the report to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `ward check` options.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub scan: ScanArgs,

    #[command(flatten)]
    pub report: OutputArgs,

    /// Report only findings that are not in this baseline file (see
    /// `ward baseline`); overrides `baseline` in ward.toml.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Print secrets whole instead of redacted, in every format. For local
    /// triage only: never in CI logs.
    #[arg(long)]
    pub show_secrets: bool,

    /// Apply the fixes that fixable findings carry, then check again and
    /// report what remains. Writes are atomic; a file that changed since it
    /// was read, a read-only file or a symlink is left alone.
    #[arg(long, conflicts_with = "staged")]
    pub fix: bool,

    /// With --fix: print the changes as a unified diff and write nothing.
    #[arg(long, requires = "fix")]
    pub dry_run: bool,

    /// Report at most this many findings (the first, in report order), and
    /// say how many were left out.
    #[arg(long, value_name = "N")]
    pub max_findings: Option<usize>,

    /// The repository's name in reports (JSON, SARIF, metrics, audit log),
    /// kept by `ward merge` (default: the name of the repository's directory).
    #[arg(long, value_name = "NAME")]
    pub repository: Option<String>,

    /// Write Prometheus text-format metrics of the run to FILE (files and
    /// bytes scanned, findings by rule and severity, time per plugin...).
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,

    /// Append one JSON line describing the run (who, where, which commit,
    /// which config and plugins, counts, exit code) to FILE.
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,

    /// Print the time spent per plugin and per rule (top 10) on stderr, and
    /// add it to the JSON report's summary.
    #[arg(long)]
    pub timings: bool,

    /// Exit with 1 when the health score (see `ward score`) is below N (0-100).
    #[arg(long, value_name = "N")]
    pub min_score: Option<f64>,
}

/// `ward baseline` options.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub scan: ScanArgs,

    /// Write the baseline here (default: ward-baseline.json at the
    /// repository root).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `ward score` options.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    #[command(flatten)]
    pub scan: ScanArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,

    /// Write the score to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Leave out findings in this baseline file; overrides `baseline` in ward.toml.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Exit with 1 when the total score is below N (0-100).
    #[arg(long, value_name = "N")]
    pub min_score: Option<f64>,
}

/// `ward merge` options.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Reports to combine: all ward JSON reports or all SARIF logs (from
    /// `ward check --shard`, or from many repositories).
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,

    /// Write the merged report to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `ward report` options.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A ward JSON report (from `ward check --format json` or `ward merge`).
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,

    /// Render a self-contained HTML page (no network needed to view it).
    #[arg(long, required = true)]
    pub html: bool,

    /// Write the page to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Human-readable diagnostics with source snippets.
    #[default]
    Text,
    /// One JSON object (schema in docs/formats.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML, one failing test case per finding, for CI test reporters.
    Junit,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// A Markdown summary (counts by severity and rule, the first 20
    /// findings): GitHub's job summary, a merge request note.
    Markdown,
}

/// Formats of listings and of the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ListFormat {
    /// One line per item.
    #[default]
    Text,
    /// A JSON array or object.
    Json,
}

/// Formats of `ward rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum RulesFormat {
    /// One line per rule.
    #[default]
    Text,
    /// A JSON array of rules with every field.
    Json,
    /// The rule reference: one page per plugin or pack and an index (with
    /// --output DIR; without, all pages to stdout).
    Markdown,
}

/// The exit-code threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on errors only.
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on any finding.
    Info,
    /// Never fail because of findings.
    Never,
}

/// Color choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Color when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

/// `ward explain-config` options.
#[derive(Debug, Args)]
pub struct ExplainConfigArgs {
    /// A file or directory of the repository.
    pub path: PathBuf,

    #[command(flatten)]
    pub plugin: PluginArgs,
}
