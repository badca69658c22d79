//! `ward merge`: shards or repositories combined into one report.

use super::cli::MergeArgs;
use super::output::{emit, EXIT_CLEAN};
use crate::report::merge;

pub(super) fn run(args: &MergeArgs) -> miette::Result<u8> {
    let merged = merge::merge(&args.reports)?;
    for warning in &merged.warnings {
        eprintln!("ward: warning: {warning}");
    }
    emit(&merged.text, args.output.as_deref(), "merged report")?;
    Ok(EXIT_CLEAN)
}
