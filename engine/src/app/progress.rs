//! The progress bar: on stderr, only when it is a terminal, only for text
//! output, and only once a run has taken more than a moment (a commit hook
//! that finishes in 20 ms must not flash a bar).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before the bar appears (`WARD_PROGRESS_AFTER_MS`
/// overrides it, for tests).
const SHOW_AFTER: Duration = Duration::from_millis(300);

/// A bar that stays hidden until the run is slow enough to need it.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    after: Duration,
    shown: std::sync::atomic::AtomicBool,
}

impl Progress {
    /// A bar over `total()` files, or `None` when no bar may be shown.
    pub fn new(wanted: bool, total: impl FnOnce() -> usize) -> Option<Progress> {
        if !wanted || !std::io::stderr().is_terminal() {
            return None;
        }
        let total = total();
        let after = std::env::var("WARD_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(SHOW_AFTER, Duration::from_millis);
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template(
            "{spinner} checking [{bar:30}] {pos}/{len} files ({eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        Some(Progress {
            bar,
            started: Instant::now(),
            after,
            shown: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// `files` more files are done.
    pub fn advance(&self, files: usize) {
        self.bar.inc(files as u64);
        if self.started.elapsed() >= self.after
            && !self.shown.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            self.bar
                .set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        }
    }

    /// Removes the bar before the report is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
