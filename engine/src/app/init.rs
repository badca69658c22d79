//! `ward init`: a commented starter ward.toml.

use std::path::Path;

use super::cli::InitArgs;
use super::output::EXIT_CLEAN;
use crate::source::write::write_atomically;

/// The starter config `ward init` writes.
const STARTER_CONFIG: &str = include_str!("../config/presets/starter.toml");

pub(super) fn run(args: &InitArgs) -> miette::Result<u8> {
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
