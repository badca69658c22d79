//! ward: a fast, plugin-based validation engine for repositories.
//!
//! The folders are the stages of one run, in the order data flows through
//! them (see `CONTRIBUTING.md`); a module uses only the stages before it:
//!
//! - [`finding`]: the finding every stage speaks of.
//! - [`registry`]: every rule ward can report, with its docs.
//! - [`config`]: `ward.toml` found, parsed and layered; severities per file.
//! - [`host`]: built-in and loaded plugins, rule packs.
//! - [`source`]: the tree to check, git, safe reads and writes.
//! - [`scan`]: every file through every plugin, the repository pass, the cache.
//! - [`findings`]: after the scan: baselines and `--fix`.
//! - [`report`]: score, metrics, merging and the renderers.
//! - `app`: the command line, the only layer that prints and picks exit codes.
//!
//! [`main_with_args`] is the whole program, so tests can call it in-process.

mod app;
pub mod config;
pub mod finding;
pub mod findings;
pub mod host;
pub mod registry;
pub mod report;
pub mod scan;
pub mod source;

pub use app::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// Runs ward with `args` (the first one is the program name).
pub fn main_with_args<I, T>(args: I) -> std::process::ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    app::main(args)
}
