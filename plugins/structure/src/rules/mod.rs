//! The rules, one module each.

use ward_plugin_sdk::Finding;

pub mod case_conflict;
pub mod forbidden_content;
pub mod forbidden_file;
pub mod large_file;
pub mod naming;
pub mod path_length;
pub mod portable_name;
pub mod required_content;
pub mod required_dir;
pub mod required_file;
pub mod symlink_escape;

/// A finding about a whole file or directory.
pub(crate) fn whole_file(path: &str, rule: &str, message: String) -> Finding {
    Finding::new(rule, message).in_path(path)
}
