//! `structure/large-file`

use ward_plugin_sdk::{category, File, Finding, RuleInfo, Severity};

use super::whole_file;
use crate::config::Compiled;

/// The rule's id.
pub const ID: &str = "structure/large-file";

const DOCS: &str = r"## What it does
Finds files over `max-file-size` (default 1 MiB).

## Why is this bad?
Large files bloat every clone forever; they belong in Git LFS or an artifact store.

## Bad
A 40 MB `dataset.csv` in git.

## Good
The dataset in LFS, a pointer in git.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A file larger than the configured limit",
        Severity::Warning,
        DOCS,
    )
    .category(category::STRUCTURE)
}

/// Reports a file over the plugin's `max-file-size`.
pub fn check_file(config: &Compiled, file: &File<'_>, out: &mut Vec<Finding>) {
    if file.bytes.len() as u64 > config.max_file_size {
        out.push(whole_file(
            file.path,
            ID,
            format!(
                "{} bytes, over the {} byte limit",
                file.bytes.len(),
                config.max_file_size
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn large_files_over_the_limit() {
        let p = plugin(serde_json::json!({"max-file-size": "1KiB"}));
        assert_eq!(
            file_findings(&p, "big.bin", &[0; 1025]),
            [(ID.into(), "1025 bytes, over the 1024 byte limit".into())]
        );
        assert_eq!(file_findings(&p, "ok.bin", &[0; 1024]), []);
    }
}
