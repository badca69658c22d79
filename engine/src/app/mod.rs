//! The edge of the program: parses the command line, runs one command, and
//! is the only layer that prints, owns `miette::Report` and picks exit codes.
//! Each command lives in its own file; `run` is the check they share.

mod baseline;
mod check;
pub mod cli;
mod explain;
mod explain_config;
mod history;
mod import;
mod init;
mod install_hook;
mod merge;
mod nested;
mod output;
pub mod plugin_new;
mod plugins;
mod progress;
mod report;
mod rules;
mod run;
mod score;
mod setup;
mod test_rules;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, ImportCommand};
pub use output::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// Runs ward with `args` (the first one is the program name).
pub fn main<I, T>(args: I) -> ExitCode
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
        Command::Check(args) => check::run(&args),
        Command::Plugins(args) => plugins::run(&args),
        Command::Plugin(command) => plugin_new::run(&command),
        Command::Rules(args) => rules::run(&args),
        Command::TestRules(args) => test_rules::run(&args),
        Command::Import(ImportCommand::Gitleaks(args)) => import::gitleaks(&args),
        Command::Baseline(args) => baseline::run(&args),
        Command::Init(args) => init::run(&args),
        Command::InstallHook(args) => install_hook::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::ExplainConfig(args) => explain_config::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Score(args) => score::run(&args),
        Command::Report(args) => report::run(&args),
        Command::History(args) => history::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
