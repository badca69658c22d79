//! ward: a fast, plugin-based validation engine for repositories.
//!
//! The flow runs one way (see `shared/design.md`): command line, config,
//! plugins, the tree to check, the parallel scan, then one sorted report.
//! [`main_with_args`] is the whole program, so tests can call it in-process.

pub mod cli;
pub mod config;
pub mod finding;
pub mod plugins;
pub mod policy;
pub mod render;
pub mod rules;
pub mod scan;
pub mod source;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use ward_plugin_sdk::Severity;

use cli::{CheckArgs, Cli, Color, Command, FailOn, Format, PluginArgs};
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
    let file = match &args.config {
        Some(path) => Some(path.clone()),
        None => config::discover(start),
    };
    match file {
        Some(path) => {
            if args.verbose {
                eprintln!("ward: using config {}", path.display());
            }
            config::load(&path)
        }
        None => Ok(Config::default()),
    }
}

fn load_plugins(args: &PluginArgs, config: &Config) -> miette::Result<Vec<LoadedPlugin>> {
    let loaded = plugins::load(args.no_default_plugins, &args.plugins, config, args.verbose)?;
    let known: Vec<String> = plugins::all_rules(&loaded)
        .into_iter()
        .map(|r| r.id)
        .collect();
    for (pattern, origin) in config.rules.unmatched(&known) {
        let place = origin.map_or_else(String::new, |o| format!("{}: ", o.location()));
        eprintln!("warning: {place}`{pattern}` in [rules] matches no rule of the loaded plugins");
    }
    for name in config.plugin_settings.keys() {
        if !loaded.iter().any(|p| &p.manifest.name == name) {
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

fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`ward check | head`) is not an error worth reporting.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

fn check(args: &CheckArgs) -> miette::Result<u8> {
    let started = Instant::now();
    let start = start_dir(&args.paths);
    let root = source::find_root(&start);
    let config = resolve_config(&args.plugin, &start)?;
    let loaded = load_plugins(&args.plugin, &config)?;
    let active = plugins::activate(&loaded, &config)?;

    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = args.threads {
        pool = pool.num_threads(threads.max(1));
    }
    let pool = pool
        .build()
        .map_err(|e| miette::miette!("cannot start worker threads: {e}"))?;

    let tree = source::collect(&root, &args.paths, &config.exclude);
    let mut outcome = pool.install(|| scan::run(&tree, &root, &active, &config));
    finding::finalize(&mut outcome.findings);

    let rules = plugins::all_rules(&loaded);
    let report = render::Report {
        findings: &outcome.findings,
        rules: rules.iter().map(|r| (r.id.as_str(), r)).collect(),
        files_scanned: outcome.files_scanned,
        bytes_scanned: outcome.bytes_scanned,
        duration: started.elapsed(),
    };
    let text = match args.plugin.format {
        Format::Json => render::json::render(&report),
        Format::Text => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            render::text::render(&report, color)
        }
    };
    write_stdout(&text);

    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| outcome.findings.iter().any(|f| f.severity >= t));
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}

fn list_plugins(args: &PluginArgs) -> miette::Result<u8> {
    let start = start_dir(&[]);
    let config = resolve_config(args, &start)?;
    let loaded = load_plugins(args, &config)?;
    let text = match args.format {
        Format::Json => {
            let list: Vec<_> = loaded
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
            format!("{}\n", serde_json::Value::Array(list))
        }
        Format::Text => loaded
            .iter()
            .map(|p| {
                format!(
                    "{} {} ({}, {} rules): {}\n",
                    p.manifest.name,
                    p.manifest.version,
                    p.source,
                    p.manifest.rules.len(),
                    p.manifest.description
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
    let loaded = load_plugins(args, &config)?;
    let mut rules = plugins::all_rules(&loaded);
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let text = match args.format {
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
