//! `structure/path-length`

use ward_plugin_sdk::{category, Finding, RuleInfo, Severity};

use super::whole_file;
use crate::config::Compiled;

/// The rule's id.
pub const ID: &str = "structure/path-length";

const DOCS: &str = r"## What it does
Finds paths longer than `max-path-length` (default 260 characters, the classic Windows limit) and names longer than 255 bytes.

## Bad
`a/very/deep/…/file-with-a-long-name.txt` (300 characters).

## Good
A flatter layout.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A path too long for some systems",
        Severity::Warning,
        DOCS,
    )
    .category(category::STRUCTURE)
}

/// Reports a file path over `max-path-length`, or a name over 255 bytes.
/// Directories are left to their files: a deep tree would otherwise report
/// every directory below the limit as well.
pub fn check_path(config: &Compiled, path: &str, is_dir: bool, out: &mut Vec<Finding>) {
    if is_dir {
        return;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let chars = path.chars().count();
    if chars > config.max_path_length {
        out.push(whole_file(
            path,
            ID,
            format!(
                "the path is {chars} characters, over {}",
                config.max_path_length
            ),
        ));
    } else if name.len() > 255 {
        out.push(whole_file(
            path,
            ID,
            format!("the name is {} bytes, over 255", name.len()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn path_length() {
        let p = plugin(serde_json::json!({"max-path-length": 20}));
        assert_eq!(
            file_findings(&p, "a/b/c/d/e/f/g/h/i/j/k.txt", b""),
            [(ID.into(), "the path is 25 characters, over 20".into())]
        );
        assert_eq!(file_findings(&p, "short.txt", b""), []);
    }
}
