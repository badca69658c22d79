//! ward: a fast, plugin-based validation engine for repositories.
//!
//! The flow runs one way (see `shared/design.md`): command line, config,
//! plugins, the tree to check, the parallel scan, then one sorted report.
//! [`main_with_args`] is the whole program, so tests can call it in-process.

pub mod baseline;
pub mod cache;
pub mod cli;
pub mod config;
pub mod finding;
pub mod fix;
pub mod git;
pub mod merge;
pub mod observe;
pub mod packs;
pub mod plugins;
pub mod policy;
pub mod progress;
pub mod render;
pub mod rules;
pub mod scan;
pub mod score;
pub mod shard;
pub mod source;
pub mod suppress;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use ward_plugin_sdk::Severity;

use cli::{
    CheckArgs, Cli, Color, Command, FailOn, Format, ImportCommand, PluginArgs, TestRulesArgs,
};
use config::Config;
use plugins::LoadedPlugin;

/// Exit code: no finding at or above `--fail-on`.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, config or plugin-load error.
pub const EXIT_ERROR: u8 = 2;

/// Runs ward with `args` (the first one is the program name).
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    // Unwrapped lines: errors name long paths, and users grep them.
    let _ = miette::set_hook(Box::new(|_| {
        Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
    }));
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            });
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Plugins(args) => list_plugins(&args),
        Command::Rules(args) => list_rules(&args),
        Command::TestRules(args) => test_rules(&args),
        Command::Import(ImportCommand::Gitleaks(args)) => import_gitleaks(&args),
        Command::Baseline(args) => write_baseline(&args),
        Command::Init(args) => init(&args),
        Command::InstallHook(args) => install_hook(&args),
        Command::Explain(args) => explain(&args),
        Command::Merge(args) => merge_reports(&args),
        Command::Score(args) => score_repository(&args),
        Command::Report(args) => html_report(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The config for a run that checks `start`: `--config`, or the nearest
/// `ward.toml` upwards, or the defaults.
fn resolve_config(args: &PluginArgs, start: &Path) -> miette::Result<Config> {
    let (file, discovered) = match &args.config {
        Some(path) => (Some(path.clone()), false),
        None => (config::discover(start), true),
    };
    match file {
        Some(path) => {
            if args.verbose {
                eprintln!("ward: using config {}", path.display());
            }
            if !discovered {
                return config::load(&path);
            }
            let mut allowed = vec![source::find_root(start)];
            allowed.extend(config::user_config_dir());
            let allowed: Vec<PathBuf> = allowed
                .into_iter()
                .map(|d| d.canonicalize().unwrap_or(d))
                .collect();
            let mut config = config::load_confined(&path, &allowed)?;
            config.mark_plugins_from_repository();
            Ok(config)
        }
        None => Ok(Config::default()),
    }
}

/// Plugins and rule packs of a run, loaded but not yet configured.
struct Loaded {
    plugins: Vec<LoadedPlugin>,
    packs: Vec<packs::LoadedPack>,
}

impl Loaded {
    /// Every rule: the engine's own, the plugins' and the packs'.
    fn rules(&self) -> Vec<ward_plugin_sdk::RuleInfo> {
        let mut rules = plugins::all_rules(&self.plugins);
        rules.extend(packs::rule_infos(&self.packs));
        rules
    }
}

fn load_all(args: &PluginArgs, config: &Config) -> miette::Result<Loaded> {
    let loaded = Loaded {
        plugins: plugins::load(
            args.no_default_plugins,
            &args.plugins,
            config,
            args.verbose,
            args.allow_repo_plugins
                || std::env::var_os("WARD_ALLOW_REPO_PLUGINS").is_some_and(|v| v == "1"),
        )?,
        packs: packs::load(config, args.no_default_plugins)?,
    };
    let rules = loaded.rules();
    let mut ids = std::collections::HashSet::new();
    for rule in &rules {
        if !ids.insert(rule.id.as_str()) {
            return Err(miette::miette!(
                "two plugins or rule packs define the rule `{}`; rename one pack",
                rule.id
            ));
        }
    }
    let known: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
    for (pattern, origin) in config.policies().flat_map(|p| p.unmatched(&known)) {
        let place = origin.map_or_else(String::new, |o| format!("{}: ", o.location()));
        eprintln!("warning: {place}`{pattern}` in [rules] matches no rule of the loaded plugins");
    }
    for name in config.plugin_settings.keys() {
        if !loaded.plugins.iter().any(|p| &p.manifest.name == name) {
            eprintln!("warning: [plugins.{name}] configures a plugin that is not loaded");
        }
    }
    Ok(loaded)
}

/// The directory a check starts from: the first path, or its parent if it is a file.
fn start_dir(paths: &[PathBuf]) -> PathBuf {
    let first = paths
        .first()
        .map_or_else(|| PathBuf::from("."), Clone::clone);
    let abs = source::absolute(&first);
    if abs.is_dir() {
        abs.canonicalize().unwrap_or(abs)
    } else {
        abs.parent().map_or(abs.clone(), Path::to_path_buf)
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, so a reader never sees half a report.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // `-o /dev/stdout`, `-o /dev/null`, a FIFO, or a symlink to a report
    // elsewhere: renaming over them would replace the device, pipe or link
    // with a plain file. Write through them instead.
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_file() && !meta.is_dir() {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)?;
            return file.write_all(bytes);
        }
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    // The temporary file is private (0600); the report replacing a file
    // keeps that file's mode, a new one gets the usual 0644.
    let permissions = match std::fs::metadata(path) {
        Ok(meta) => meta.permissions(),
        Err(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::Permissions::from_mode(0o644)
            }
            #[cfg(not(unix))]
            {
                file.as_file().metadata()?.permissions()
            }
        }
    };
    file.as_file().set_permissions(permissions)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`ward check | head`) is not an error worth reporting.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// What a check found, before it is rendered.
struct CheckRun {
    outcome: scan::Outcome,
    rules: Vec<ward_plugin_sdk::RuleInfo>,
    root: PathBuf,
    baselined: usize,
    /// Plugins and packs that ran, for metrics and the audit log.
    components: Vec<observe::Component>,
    config: Config,
    /// Kept only so that `check` can skip freeing them (see there).
    _tree: source::Tree,
    _cache: Option<cache::Cache>,
}

/// Loads config, plugins and packs, walks and scans, and applies the baseline.
fn scan_repository(args: &CheckArgs, use_baseline: bool) -> miette::Result<CheckRun> {
    let start = start_dir(&args.paths);
    let root = if args.staged {
        git::toplevel(&start)?
    } else {
        source::find_root(&start)
    };
    let config = resolve_config(&args.plugin, &start)?;
    let loaded = load_all(&args.plugin, &config)?;
    let active = plugins::activate(&loaded.plugins, &config, &root)?;
    let active_packs = packs::activate(&loaded.packs, &config);
    let baseline_file = args.baseline.clone().or_else(|| config.baseline.clone());
    let baseline = match baseline_file.filter(|_| use_baseline) {
        Some(path) => Some(baseline::Baseline::load(&path)?),
        None => None,
    };

    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = args.threads {
        pool = pool.num_threads(threads.max(1));
    }
    let pool = pool
        .build()
        .map_err(|e| miette::miette!("cannot start worker threads: {e}"))?;

    let walk = source::WalkOptions {
        threads: pool.current_num_threads(),
        ignore_files: !args.no_ignore,
    };
    // A list of files (a commit hook's batch) is checked faster than the
    // whole repository's cache file is read: the cache serves directories.
    let files_only = !args.paths.is_empty() && args.paths.iter().all(|p| !p.is_dir());
    let cache_usable = !(args.no_cache
        || args.fix
        || args.show_secrets
        || args.staged
        || args.repo_only
        || files_only);
    let cache_dir = cache_usable
        .then(|| args.cache_dir.clone().or_else(cache::default_dir))
        .flatten();
    let cache_key = cache_dir
        .as_ref()
        .map(|_| cache_key(&config, &active, &loaded.packs));
    // The cache file is read and parsed while the tree is walked: neither
    // needs the other until the scan.
    let (tree, mut cache) = std::thread::scope(|scope| {
        let opening = scope.spawn(|| {
            let (dir, key) = (cache_dir.as_ref()?, cache_key.clone()?);
            // Each shard keeps its own cache file: shards sharing one would
            // keep replacing each other's entries.
            let scope_name = args.shard.map(|s| s.to_string()).unwrap_or_default();
            Some(cache::Cache::open(dir, &root, &scope_name, key))
        });
        let tree = walk_tree(args, &root, &config, walk);
        (tree, opening.join().ok().flatten())
    });
    let tree = tree?;
    let rules = loaded.rules();
    let known_rules = rules.iter().map(|r| r.id.clone()).collect();
    let progress = progress::Progress::new(
        args.plugin.format == Format::Text && !args.no_progress,
        || {
            tree.files()
                .filter(|e| args.shard.is_none_or(|s| s.owns(&e.path)))
                .count()
        },
    );
    let advance = |files: usize| {
        if let Some(progress) = &progress {
            progress.advance(files);
        }
    };
    let checks = scan::Checks {
        plugins: &active,
        packs: active_packs.as_ref(),
        config: &config,
        show_secrets: args.show_secrets,
        known_rules: &known_rules,
        repo_only: args.repo_only,
        stamp_files: args.fix,
        cache: cache.as_ref(),
        shard: args.shard,
        timings: args.timings || args.metrics.is_some(),
        progress: progress
            .is_some()
            .then_some(&advance as &(dyn Fn(usize) + Sync)),
    };
    let mut outcome = pool.install(|| scan::run(&tree, &root, &checks));
    if let Some(progress) = &progress {
        progress.finish();
    }
    if let Some(cache) = &mut cache {
        cache.save();
    }
    finding::finalize(&mut outcome.findings);
    let mut baselined = 0;
    if let Some(baseline) = &baseline {
        let before = outcome.findings.len();
        outcome.findings.retain(|f| !baseline.contains(f));
        baselined = before - outcome.findings.len();
    }
    let mut components: Vec<observe::Component> = active
        .iter()
        .map(|p| observe::Component {
            name: p.name.clone(),
            version: p.version.clone(),
            kind: "plugin",
        })
        .collect();
    components.extend(loaded.packs.iter().map(|p| observe::Component {
        name: p.pack.name.clone(),
        version: p.text_hash[..16].to_string(),
        kind: "pack",
    }));
    Ok(CheckRun {
        outcome,
        rules,
        root,
        baselined,
        components,
        config,
        _tree: tree,
        _cache: cache,
    })
}

/// The tree to check: the staged index, or the walked paths with git's
/// executable bits.
fn walk_tree(
    args: &CheckArgs,
    root: &Path,
    config: &Config,
    walk: source::WalkOptions,
) -> miette::Result<source::Tree> {
    if args.staged {
        let only: Vec<String> = args
            .paths
            .iter()
            .map(|p| source::relative(root, &source::absolute(p)))
            .filter(|p| !p.is_empty())
            .collect();
        return git::staged_tree(root, &only, &config.exclude, config.max_file_size());
    }
    let mut tree = source::collect(root, &args.paths, &config.exclude, walk);
    if root.join(".git").exists() {
        // Explicit files (a hook's batch): ask git about those only.
        let only: Vec<String> = if tree.walked_dir {
            Vec::new()
        } else {
            tree.files().map(|e| e.path.clone()).collect()
        };
        if tree.walked_dir || !only.is_empty() {
            let modes = git::index_modes(root, &only);
            for entry in &mut tree.entries {
                if let Some(mode) = modes.get(&entry.path) {
                    // The index knows only 755 and 644: take its executable
                    // bits, keep the filesystem's other bits.
                    entry.mode = (entry.mode & !0o111) | (mode & 0o111);
                }
            }
        }
    }
    Ok(tree)
}

/// Everything that decides a file's findings, hashed: a cache entry made
/// under another key is never used.
fn cache_key(
    config: &Config,
    plugins: &[plugins::ActivePlugin],
    packs: &[packs::LoadedPack],
) -> String {
    let mut parts: Vec<Vec<u8>> = vec![env!("CARGO_PKG_VERSION").as_bytes().to_vec()];
    parts.extend(config.texts.iter().map(|t| t.as_bytes().to_vec()));
    for plugin in plugins {
        parts.push(plugin.identity.as_bytes().to_vec());
        if let Some(path) = &plugin.library {
            // A rebuilt plugin library is another plugin.
            if let Ok(meta) = std::fs::metadata(path) {
                parts.push(format!("{:?} {}", meta.modified().ok(), meta.len()).into_bytes());
            }
        }
    }
    parts.extend(packs.iter().map(|p| p.text_hash.as_bytes().to_vec()));
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    cache::key_of(&refs)
}

fn check(args: &CheckArgs) -> miette::Result<u8> {
    let started = Instant::now();
    let started_at = std::time::SystemTime::now();
    let mut run = scan_repository(args, true)?;
    if args.fix {
        let applied = fix::run(
            &run.root,
            &run.outcome.findings,
            &run.outcome.stamps,
            args.dry_run,
        );
        if args.dry_run {
            write_stdout(&applied.diff);
            eprintln!(
                "ward: --dry-run: would fix {} findings in {} files; nothing written",
                applied.findings, applied.files
            );
            for skipped in &applied.skipped {
                eprintln!("ward: {}: {}", skipped.path, skipped.message);
            }
            let fixable = run.outcome.findings.iter().any(|f| f.fixable);
            return Ok(if fixable || applied.findings > 0 {
                EXIT_FINDINGS
            } else {
                EXIT_CLEAN
            });
        }
        eprintln!(
            "ward: fixed {} findings in {} files",
            applied.findings, applied.files
        );
        // Check again: what the fixes left, and what they could not touch.
        run = scan_repository(args, true)?;
        run.outcome.findings.extend(applied.skipped);
        finding::finalize(&mut run.outcome.findings);
    }
    let mut truncated = 0;
    if let Some(max) = args.max_findings {
        if run.outcome.findings.len() > max {
            truncated = run.outcome.findings.len() - max;
            // Exit code and counts still see every finding; the report shows the first.
            eprintln!("ward: showing the first {max} findings; {truncated} more left out (--max-findings)");
        }
    }
    let outcome = &run.outcome;
    let shown = &outcome.findings[..outcome.findings.len() - truncated];
    let repository = args.repository.clone().unwrap_or_else(|| {
        run.root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| run.root.to_string_lossy().into_owned())
    });
    let report = render::Report {
        findings: shown,
        rules: run.rules.iter().map(|r| (r.id.as_str(), r)).collect(),
        files_scanned: outcome.files_scanned,
        bytes_scanned: outcome.bytes_scanned,
        suppressed: outcome.suppressed,
        baselined: run.baselined,
        truncated,
        duration: started.elapsed(),
        repository: &repository,
        shard: args.shard,
        timings: args.timings.then_some(&outcome.timings),
        score: Some(score::score(&outcome.findings, &run.config.score)),
    };
    if args.timings {
        eprint!(
            "{}",
            observe::timings_table(&outcome.timings, report.duration)
        );
    }
    let text = match args.plugin.format {
        Format::Json => render::json::render(&report),
        Format::Sarif => render::sarif::render(&report),
        Format::Junit => render::junit::render(&report),
        Format::Github => render::github::render(&report),
        Format::Text => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    args.output.is_none()
                        && std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none()
                }
            };
            render::text::render(&report, color)
        }
    };
    emit(&text, args.output.as_deref(), "report")?;

    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let mut failed = threshold.is_some_and(|t| outcome.findings.iter().any(|f| f.severity >= t));
    if let Some(score) = &report.score {
        failed |= below_min_score(score, args.min_score);
    }
    let code = if failed { EXIT_FINDINGS } else { EXIT_CLEAN };
    if args.metrics.is_some() || args.audit_log.is_some() {
        let facts = observe::RunFacts {
            repository: &repository,
            root: &run.root,
            shard: args.shard,
            findings: &outcome.findings,
            files_scanned: outcome.files_scanned,
            bytes_scanned: outcome.bytes_scanned,
            suppressed: outcome.suppressed,
            baselined: run.baselined,
            components: &run.components,
            config_texts: &run.config.texts,
            config_file: run.config.file.as_deref(),
            timings: &outcome.timings,
            started: started_at,
            duration: started.elapsed(),
            exit_code: code,
        };
        if let Some(path) = &args.metrics {
            write_atomically(path, observe::metrics(&facts).as_bytes()).map_err(|e| {
                miette::miette!("cannot write the metrics to {}: {e}", path.display())
            })?;
        }
        if let Some(path) = &args.audit_log {
            observe::append_line(path, &observe::audit_line(&facts)).map_err(|e| {
                miette::miette!("cannot append to the audit log {}: {e}", path.display())
            })?;
        }
    }
    // The process exits after this: freeing the tree, the cache and the
    // findings one allocation at a time (about 100,000 on the benchmark
    // corpus) took 10 ms of a 200 ms cached run, on one thread.
    std::mem::forget(run);
    Ok(code)
}

/// Writes `text` to `output` atomically, or to stdout.
fn emit(text: &str, output: Option<&Path>, what: &str) -> miette::Result<()> {
    match output {
        Some(path) => write_atomically(path, text.as_bytes())
            .map_err(|e| miette::miette!("cannot write the {what} to {}: {e}", path.display())),
        None => {
            write_stdout(text);
            Ok(())
        }
    }
}

/// `ward score`: the check, shown as the health score.
fn score_repository(args: &CheckArgs) -> miette::Result<u8> {
    let run = scan_repository(args, true)?;
    let score = score::score(&run.outcome.findings, &run.config.score);
    let text = match args.plugin.format {
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&score).unwrap_or_default();
            json.push('\n');
            json
        }
        Format::Text => score::table(&score),
        other => return Err(listing_format(other)),
    };
    emit(&text, args.output.as_deref(), "score")?;
    let below = below_min_score(&score, args.min_score);
    Ok(if below { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// Whether `score` fails `--min-score`, saying so on stderr.
fn below_min_score(score: &score::Score, minimum: Option<f64>) -> bool {
    let Some(minimum) = minimum.filter(|m| score.total < *m) else {
        return false;
    };
    eprintln!(
        "ward: health score {:.1} is below --min-score {minimum}",
        score.total
    );
    true
}

fn merge_reports(args: &cli::MergeArgs) -> miette::Result<u8> {
    let merged = merge::merge(&args.reports)?;
    emit(&merged, args.output.as_deref(), "merged report")?;
    Ok(EXIT_CLEAN)
}

fn html_report(args: &cli::ReportArgs) -> miette::Result<u8> {
    let text = std::fs::read_to_string(&args.report)
        .map_err(|e| miette::miette!("cannot read {}: {e}", args.report.display()))?;
    let report: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| miette::miette!("{} is not JSON: {e}", args.report.display()))?;
    if report["tool"]["name"] != "ward" || !report["findings"].is_array() {
        return Err(miette::miette!(
            help = "make one with `ward check --format json -o report.json` or `ward merge`",
            "{} is not a ward JSON report",
            args.report.display()
        ));
    }
    emit(
        &render::html::render(&report),
        args.output.as_deref(),
        "HTML report",
    )?;
    Ok(EXIT_CLEAN)
}

fn write_baseline(args: &CheckArgs) -> miette::Result<u8> {
    let run = scan_repository(args, false)?;
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| run.root.join(baseline::DEFAULT_FILE));
    write_atomically(&path, baseline::render(&run.outcome.findings).as_bytes())
        .map_err(|e| miette::miette!("cannot write the baseline {}: {e}", path.display()))?;
    eprintln!(
        "ward: recorded {} findings in {}",
        run.outcome.findings.len(),
        path.display()
    );
    Ok(EXIT_CLEAN)
}

/// The starter config `ward init` writes.
const STARTER_CONFIG: &str = include_str!("presets/starter.toml");

fn init(args: &cli::InitArgs) -> miette::Result<u8> {
    let path = Path::new("ward.toml");
    if path.exists() && !args.force {
        return Err(miette::miette!(
            help = "run `ward init --force` to replace it",
            "ward.toml already exists here; not overwriting it"
        ));
    }
    write_atomically(path, STARTER_CONFIG.as_bytes())
        .map_err(|e| miette::miette!("cannot write ward.toml: {e}"))?;
    eprintln!("ward: wrote ward.toml; `ward check` uses it from here down");
    Ok(EXIT_CLEAN)
}

/// The line that marks a hook as ward's own, so it may be replaced.
const HOOK_MARKER: &str = "# Installed by `ward install-hook`";

fn install_hook(args: &cli::InstallHookArgs) -> miette::Result<u8> {
    let cwd = std::env::current_dir().map_err(|e| miette::miette!("no current directory: {e}"))?;
    let dir = git::hooks_dir(&cwd)?;
    let hook = dir.join("pre-commit");
    if let Ok(existing) = std::fs::read_to_string(&hook) {
        if !existing.contains(HOOK_MARKER) && !args.force {
            return Err(miette::miette!(
                help = "add `ward check --staged` to it by hand, or replace it with --force",
                "{} exists and was not written by ward; not overwriting it",
                hook.display()
            ));
        }
    }
    // The binary that runs now, unless `ward` is on PATH when the hook runs.
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "ward".into());
    let script = format!(
        "#!/bin/sh\n{HOOK_MARKER}: checks what is staged for this commit.\n\
         # Skip once with `git commit --no-verify`.\n\
         ward=ward\n\
         command -v \"$ward\" >/dev/null 2>&1 || ward='{}'\n\
         exec \"$ward\" check --staged\n",
        exe.replace('\'', "'\\''")
    );
    std::fs::create_dir_all(&dir)
        .map_err(|e| miette::miette!("cannot create {}: {e}", dir.display()))?;
    write_atomically(&hook, script.as_bytes())
        .map_err(|e| miette::miette!("cannot write {}: {e}", hook.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| miette::miette!("cannot make {} executable: {e}", hook.display()))?;
    }
    eprintln!("ward: installed {}", hook.display());
    Ok(EXIT_CLEAN)
}

fn explain(args: &cli::ExplainArgs) -> miette::Result<u8> {
    let config = resolve_config(&args.plugin, &start_dir(&[]))?;
    let loaded = load_all(&args.plugin, &config)?;
    let rules = loaded.rules();
    let Some(rule) = rules.iter().find(|r| r.id == args.rule) else {
        let prefix = args.rule.split('/').next().unwrap_or_default();
        let mut near: Vec<&str> = rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| id.starts_with(prefix) || id.contains(args.rule.as_str()))
            .collect();
        near.truncate(8);
        let help = if near.is_empty() {
            "`ward rules` lists every rule".to_string()
        } else {
            format!("did you mean one of: {}", near.join(", "))
        };
        return Err(miette::miette!(help = help, "unknown rule `{}`", args.rule));
    };
    let mut text = format!(
        "{}\n\n{}\n\ndefault severity: {}{}\n",
        rule.id,
        rule.summary,
        rule.default_severity,
        if rule.fixable { "; fixable" } else { "" }
    );
    if !rule.docs.is_empty() {
        text.push('\n');
        text.push_str(rule.docs.trim_end());
        text.push('\n');
    }
    write_stdout(&text);
    Ok(EXIT_CLEAN)
}

fn listing_format(format: Format) -> miette::Report {
    miette::miette!("listings are text or json, not {format:?}; use --format json")
}

fn list_plugins(args: &PluginArgs) -> miette::Result<u8> {
    let start = start_dir(&[]);
    let config = resolve_config(args, &start)?;
    let loaded = load_all(args, &config)?;
    let mut rows: Vec<serde_json::Value> = loaded
        .plugins
        .iter()
        .map(|p| {
            serde_json::json!({
                "name": p.manifest.name,
                "version": p.manifest.version,
                "description": p.manifest.description,
                "source": p.source.to_string(),
                "rules": p.manifest.rules.len(),
            })
        })
        .collect();
    rows.extend(loaded.packs.iter().map(|p| {
        serde_json::json!({
            "name": p.pack.name,
            "version": if p.builtin { env!("CARGO_PKG_VERSION") } else { "-" },
            "description": p.pack.description,
            "source": if p.builtin { "built-in rule pack".to_string() } else { format!("rule pack {}", p.pack.source_name) },
            "rules": p.pack.rules.len(),
        })
    }));
    let text = match args.format {
        Format::Sarif | Format::Junit | Format::Github => return Err(listing_format(args.format)),
        Format::Json => format!("{}\n", serde_json::Value::Array(rows)),
        Format::Text => rows
            .iter()
            .map(|p| {
                format!(
                    "{} {} ({}, {} rules): {}\n",
                    p["name"].as_str().unwrap_or_default(),
                    p["version"].as_str().unwrap_or_default(),
                    p["source"].as_str().unwrap_or_default(),
                    p["rules"],
                    p["description"].as_str().unwrap_or_default()
                )
            })
            .collect(),
    };
    write_stdout(&text);
    Ok(EXIT_CLEAN)
}

fn list_rules(args: &PluginArgs) -> miette::Result<u8> {
    let start = start_dir(&[]);
    let config = resolve_config(args, &start)?;
    let loaded = load_all(args, &config)?;
    let mut rules = loaded.rules();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let text = match args.format {
        Format::Sarif | Format::Junit | Format::Github => return Err(listing_format(args.format)),
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&rules).unwrap_or_default()
        ),
        Format::Text => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            rules
                .iter()
                .map(|r| {
                    format!(
                        "{:width$}  {:7}  {}{}\n",
                        r.id,
                        r.default_severity.as_str(),
                        r.summary,
                        if r.fixable { " (fixable)" } else { "" }
                    )
                })
                .collect()
        }
    };
    write_stdout(&text);
    Ok(EXIT_CLEAN)
}

fn test_rules(args: &TestRulesArgs) -> miette::Result<u8> {
    let packs = if args.packs.is_empty() {
        let config = resolve_config(&args.plugin, &start_dir(&[]))?;
        packs::load(&config, args.plugin.no_default_plugins)?
    } else {
        args.packs
            .iter()
            .map(|path| packs::load_file(path))
            .collect::<miette::Result<Vec<_>>>()?
    };
    let mut out = String::new();
    let (mut rules, mut examples, mut failures) = (0, 0, 0);
    for loaded in &packs {
        for rule in &loaded.pack.rules {
            rules += 1;
            examples += rule.examples_match.len() + rule.examples_no_match.len();
            if rule.examples_match.is_empty() {
                out.push_str(&format!(
                    "warning: {}: {} has no match example\n",
                    rule.origin, rule.id
                ));
            }
            for failure in ward_rules::test_examples(rule, &loaded.pack.source_name) {
                failures += 1;
                out.push_str(&format!("FAIL {failure}\n"));
            }
        }
    }
    out.push_str(&format!(
        "{} in {}: {examples} examples, {failures} failed\n",
        if rules == 1 {
            "1 rule".to_string()
        } else {
            format!("{rules} rules")
        },
        if packs.len() == 1 {
            "1 pack".to_string()
        } else {
            format!("{} packs", packs.len())
        },
    ));
    write_stdout(&out);
    Ok(if failures > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

fn import_gitleaks(args: &cli::ImportGitleaksArgs) -> miette::Result<u8> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| miette::miette!("cannot read {}: {e}", args.file.display()))?;
    if !ward_rules::pack::valid_name(&args.name) {
        return Err(miette::miette!(
            "`{}` is not a valid pack name (lowercase kebab-case)",
            args.name
        ));
    }
    let name = args.file.display().to_string();
    let translation = ward_rules::gitleaks::translate(&text, &name, &args.name)
        .map_err(|e| miette::miette!("{e}"))?;
    for warning in &translation.warnings {
        eprintln!("warning: {name}: {warning}");
    }
    // The pack must load as written; anything else is a bug in the translation.
    ward_rules::parse(&ward_rules::PackSource {
        name: args.name.clone(),
        text: translation.pack_toml.clone(),
    })
    .map_err(packs::PackDiagnostic::from)?;
    match &args.output {
        Some(path) => std::fs::write(path, &translation.pack_toml)
            .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))?,
        None => write_stdout(&translation.pack_toml),
    }
    eprintln!(
        "ward: translated {} rules, left out {}",
        translation.translated,
        translation
            .warnings
            .iter()
            .filter(|w| w.contains("left out"))
            .count()
    );
    Ok(EXIT_CLEAN)
}
