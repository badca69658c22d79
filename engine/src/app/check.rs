//! `ward check`: the report, `--fix`, metrics and the audit log.

use std::io::IsTerminal;
use std::time::Instant;

use ward_plugin_sdk::Severity;

use super::cli::{CheckArgs, Color, FailOn, Format};
use super::output::{emit, write_stdout, EXIT_CLEAN, EXIT_FINDINGS};
use super::run::{mask_secrets, scan_repository, RunOptions};
use super::score::below_min_score;
use crate::finding;
use crate::findings::fix;
use crate::report::{observe, render, score};
use crate::source::write::write_atomically;

pub(super) fn run(args: &CheckArgs) -> miette::Result<u8> {
    let started = Instant::now();
    let started_at = std::time::SystemTime::now();
    let options = RunOptions {
        baseline: args.baseline.as_deref(),
        use_baseline: true,
        fix: args.fix,
        show_secrets: args.show_secrets,
        timings: args.timings || args.metrics.is_some(),
        progress: args.report.format == Format::Text,
    };
    let mut run = scan_repository(&args.scan, &options)?;
    if args.fix {
        let applied = fix::run(
            &run.root,
            &run.outcome.findings,
            &run.outcome.stamps,
            &run.outcome.unfixable,
            args.dry_run,
        );
        if args.dry_run {
            // A diff shows the file's own text: its control characters
            // are pictures, as in the text report, never raw escapes.
            let shown: String = applied
                .diff
                .chars()
                .map(|c| {
                    if c.is_control() && c != '\n' && c != '\t' {
                        crate::report::render::control_picture(c)
                    } else {
                        c
                    }
                })
                .collect();
            write_stdout(&shown)?;
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
        run = scan_repository(&args.scan, &options)?;
        run.outcome.findings.extend(applied.skipped);
        finding::finalize(&mut run.outcome.findings);
    }
    mask_secrets(&mut run, args.show_secrets);
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
    let threshold = threshold(args.report.fail_on);
    let report = render::Report {
        findings: shown,
        all_findings: &outcome.findings,
        fail_on: threshold,
        rules: run
            .registry
            .rules()
            .iter()
            .map(|r| (r.rule.id.as_str(), &r.rule))
            .collect(),
        tallied: run.registry.tallied(),
        files_scanned: outcome.files_scanned,
        bytes_scanned: outcome.bytes_scanned,
        suppressed: outcome.suppressed,
        baselined: run.baselined,
        pre_existing: run.pre_existing,
        truncated,
        duration: started.elapsed(),
        repository: &repository,
        shard: args.scan.shard,
        repository_uri: None,
        timings: args.timings.then_some(&outcome.timings),
        score: Some(score::score(
            &outcome.findings,
            outcome.files_scanned,
            &run.config.score,
            &run.registry,
        )),
    };
    if args.timings {
        eprint!(
            "{}",
            observe::timings_table(&outcome.timings, report.duration)
        );
    }
    write_report(&report, &args.report)?;

    let mut failed = threshold.is_some_and(|t| outcome.findings.iter().any(|f| f.severity >= t));
    if let Some(score) = &report.score {
        failed |= below_min_score(score, args.min_score);
    }
    let code = if failed { EXIT_FINDINGS } else { EXIT_CLEAN };
    if args.metrics.is_some() || args.audit_log.is_some() {
        let facts = observe::RunFacts {
            repository: &repository,
            root: &run.root,
            shard: args.scan.shard,
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
            observe::append_line(path, &observe::audit_line(&facts).map_err(as_json_error)?)
                .map_err(|e| {
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

/// Renders the report as `--format` says and writes it to stdout or
/// `--output`.
pub(super) fn write_report(
    report: &render::Report<'_>,
    output: &super::cli::OutputArgs,
) -> miette::Result<()> {
    let text = rendered(report, output.format, output.color, output.output.is_some())?;
    emit(&text, output.output.as_deref(), "report")
}

/// The report in `format`; text is colored as `color` says (`auto`: on a
/// terminal, unless `NO_COLOR` or the report goes to a file).
fn rendered(
    report: &render::Report<'_>,
    format: Format,
    color: Color,
    to_file: bool,
) -> miette::Result<String> {
    Ok(match format {
        Format::Json => render::json::render(report).map_err(as_json_error)?,
        Format::Sarif => render::sarif::render(report).map_err(as_json_error)?,
        Format::Junit => render::junit::render(report),
        Format::Github => render::github::render(report),
        Format::Markdown => render::markdown::render(report),
        Format::Text => {
            let color = match color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    !to_file
                        && std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none()
                }
            };
            render::text::render(report, color)
        }
    })
}

/// The `--fail-on` threshold as a severity (`None`: never fail).
pub(super) fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    }
}

fn as_json_error(e: serde_json::Error) -> miette::Report {
    miette::miette!("cannot write the report as JSON: {e}")
}
