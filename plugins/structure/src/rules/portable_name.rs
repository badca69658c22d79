//! `structure/portable-name`

use ward_plugin_sdk::{category, Finding, RuleInfo, Severity};

use super::whole_file;
use crate::naming::unportable;

/// The rule's id.
pub const ID: &str = "structure/portable-name";

const DOCS: &str = r#"## What it does
Finds names reserved on Windows (`CON`, `PRN`, `AUX`, `NUL`, `COM1`-`COM9`, `LPT1`-`LPT9`, with any extension), names ending in a dot or space, and names with `< > : " | ? * \` or control characters.

## Bad
`aux.c`, `notes:draft.md`.

## Good
`auxiliary.c`, `notes-draft.md`."#;

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A file name that breaks on Windows or macOS",
        Severity::Error,
        DOCS,
    )
    .category(category::STRUCTURE)
}

/// Reports a file or directory name that breaks on Windows or macOS.
pub fn check_path(path: &str, out: &mut Vec<Finding>) {
    let name = path.rsplit('/').next().unwrap_or(path);
    if let Some(why) = unportable(name) {
        out.push(whole_file(path, ID, format!("`{name}` {why}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn portable_names() {
        let p = plugin(serde_json::Value::Null);
        let cases = [
            (
                "src/aux.c",
                "`aux.c` is a reserved device name on Windows (`AUX`)",
            ),
            (
                "notes:draft.md",
                "`notes:draft.md` contains `:`, which Windows forbids in names",
            ),
            (
                "trailing.",
                "`trailing.` ends with a dot or a space, which Windows drops",
            ),
            (
                "bell\u{7}.txt",
                "`bell\u{7}.txt` contains the control character U+0007",
            ),
        ];
        for (path, message) in cases {
            assert_eq!(
                file_findings(&p, path, b""),
                [(ID.to_string(), message.to_string())]
            );
        }
        assert_eq!(file_findings(&p, "auxiliary.c", b""), []);
    }
}
