//! `ward baseline`: every current finding, recorded so that later checks
//! report only new ones.

use super::cli::BaselineArgs;
use super::output::EXIT_CLEAN;
use super::run::{mask_secrets, scan_repository, RunOptions};
use crate::findings::baseline;
use crate::source::write::write_atomically;

pub(super) fn run(args: &BaselineArgs) -> miette::Result<u8> {
    let mut run = scan_repository(&args.scan, &RunOptions::default())?;
    mask_secrets(&mut run, false);
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| run.root.join(baseline::DEFAULT_FILE));
    let text = baseline::render(&run.outcome.findings)
        .map_err(|e| miette::miette!("cannot write the baseline as JSON: {e}"))?;
    write_atomically(&path, text.as_bytes())
        .map_err(|e| miette::miette!("cannot write the baseline {}: {e}", path.display()))?;
    let default = run.root.join(baseline::DEFAULT_FILE);
    let how = if path == default {
        "`ward check` reads it there and reports only new findings".to_string()
    } else {
        format!(
            "use it with `ward check --baseline {}` or `baseline = ` in ward.toml",
            path.display()
        )
    };
    eprintln!(
        "ward: recorded {} findings in {}; {how}",
        run.outcome.findings.len(),
        path.display()
    );
    Ok(EXIT_CLEAN)
}
