//! Where results go: stdout or a file written whole, and the exit codes.

use std::io::Write;
use std::path::Path;

use crate::source;

/// Exit code: no finding at or above `--fail-on`.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, config or plugin-load error.
pub const EXIT_ERROR: u8 = 2;

/// Writes `text` to stdout. A closed pipe (`ward check | head`) is not an
/// error worth reporting; any other failure (`> /dev/full`, a full disk)
/// is, since a report that was never written must not pass for one.
pub(super) fn write_stdout(text: &str) -> miette::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(miette::miette!("cannot write to standard output: {e}"))
        }
        _ => Ok(()),
    }
}

/// Writes `text` to `output` atomically, or to stdout.
pub(super) fn emit(text: &str, output: Option<&Path>, what: &str) -> miette::Result<()> {
    match output {
        Some(path) => source::write::write_atomically(path, text.as_bytes())
            .map_err(|e| miette::miette!("cannot write the {what} to {}: {e}", path.display())),
        None => write_stdout(text),
    }
}
