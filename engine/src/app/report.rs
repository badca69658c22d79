//! `ward report --html`: a JSON report as a page for people.

use super::cli::ReportArgs;
use super::output::{emit, EXIT_CLEAN};
use crate::report::render;

pub(super) fn run(args: &ReportArgs) -> miette::Result<u8> {
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
