//! The engine's own rules: what ward reports about files it could not check.

use ward_plugin_sdk::{RuleInfo, Severity, PLUGIN_ERROR_RULE};

/// A file or directory that could not be read.
pub const UNREADABLE: &str = "ward/unreadable";
/// A symlink whose target does not exist.
pub const BROKEN_SYMLINK: &str = "ward/broken-symlink";
/// A file larger than `max-file-size`, checked in pieces by line-level rules only.
pub const FILE_TOO_LARGE: &str = "ward/file-too-large";
/// A file `--fix` left alone (read-only, changed since read, a symlink).
pub const FIX_SKIPPED: &str = "ward/fix-skipped";
/// A `ward:ignore` comment that names an unknown rule.
pub const INVALID_SUPPRESSION: &str = "ward/invalid-suppression";

/// The engine's rules, listed by `ward rules` and configurable like any other.
pub fn engine_rules() -> Vec<RuleInfo> {
    let rule = RuleInfo::new;
    vec![
        rule(
            PLUGIN_ERROR_RULE,
            "A plugin failed (panicked or returned invalid data) on a file",
            Severity::Error,
            "The plugin's findings for that file are missing; the rest of the run is complete. \
             Report it to the plugin's authors with the file that triggers it.",
        ),
        rule(
            UNREADABLE,
            "A file or directory ward could not read",
            Severity::Error,
            "Usually permissions, or a file that vanished during the run. \
             Bad: `chmod 000 notes.txt`. Good: a file the checking user can read.",
        ),
        rule(
            BROKEN_SYMLINK,
            "A symbolic link whose target does not exist",
            Severity::Warning,
            "Bad: `docs/latest -> docs/v2` after `docs/v2` was deleted. Good: a link to an existing path, or no link.",
        ),
        rule(
            FILE_TOO_LARGE,
            "A file larger than max-file-size was checked only line by line",
            Severity::Info,
            "ward never holds a file above `max-file-size` (default 50 MiB) in memory whole: \
             it reads it in pieces of whole lines, which the rule packs and the line-level \
             plugin rules check; rules that need the whole file (a parse, a header, a count) \
             do not run on it, and `--fix` leaves it alone. A binary file (a NUL in its first 8 KiB) is not \
             read past those, and a line longer than 32 MiB ends the reading (the finding \
             names it). Raise the limit in ward.toml (`max-file-size = \"200MiB\"`) to have \
             every rule check it, or exclude the file.",
        ),
        rule(
            FIX_SKIPPED,
            "A file --fix did not change, to keep data safe",
            Severity::Warning,
            "ward rewrites a file only if it is exactly what it checked, writable and a \
             regular file. Bad: editing a file while `ward check --fix` runs. Good: let the run finish, then edit.",
        ),
        rule(
            INVALID_SUPPRESSION,
            "A ward:ignore comment that names an unknown rule",
            Severity::Warning,
            "A typo in a suppression silently suppresses nothing. \
             Bad: `// ward:ignore text/trailing-whitspace`. Good: `// ward:ignore text/trailing-whitespace`.",
        ),
    ]
}
