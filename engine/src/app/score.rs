//! `ward score`: the check, shown as the health score.

use super::cli::{ListFormat, ScoreArgs};
use super::output::{emit, EXIT_CLEAN, EXIT_FINDINGS};
use super::run::{scan_repository, RunOptions};
use crate::report::score;

/// `ward score`: the check, shown as the health score.
pub(super) fn run(args: &ScoreArgs) -> miette::Result<u8> {
    let options = RunOptions {
        baseline: args.baseline.as_deref(),
        use_baseline: true,
        progress: args.format == ListFormat::Text,
        ..RunOptions::default()
    };
    let run = scan_repository(&args.scan, &options)?;
    let score = score::score(
        &run.outcome.findings,
        run.outcome.files_scanned,
        &run.config.score,
        &run.registry,
    );
    let text = match args.format {
        ListFormat::Json => {
            let mut json = serde_json::to_string_pretty(&score)
                .map_err(|e| miette::miette!("cannot write the score as JSON: {e}"))?;
            json.push('\n');
            json
        }
        ListFormat::Text => score::table(&score),
    };
    emit(&text, args.output.as_deref(), "score")?;
    let below = below_min_score(&score, args.min_score);
    Ok(if below { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// Whether `score` fails `--min-score`, saying so on stderr.
pub(super) fn below_min_score(score: &score::Score, minimum: Option<f64>) -> bool {
    let Some(minimum) = minimum.filter(|m| score.total < *m) else {
        return false;
    };
    eprintln!(
        "ward: health score {:.1} is below --min-score {minimum}",
        score.total
    );
    true
}
