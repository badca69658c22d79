//! `license/detected`

use ward_plugin_sdk::{category, Finding, RuleInfo, Severity};

use super::LicenseText;
use crate::LicensePlugin;

/// The rule's id.
pub const ID: &str = "license/detected";

const DOCS: &str = r"## What it does
With `report-detected = true`, reports as information the SPDX id each top-level license file matches and how closely, so the report says what license the repository carries.

## Bad
(nothing: this rule only informs)

## Good
`LICENSE: MIT (99% match)`.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "The license a license file was recognised as",
        Severity::Info,
        DOCS,
    )
    .category(category::DOCUMENTATION)
}

/// Reports the license a license file was recognised as.
pub fn check(plugin: &LicensePlugin, text: &LicenseText<'_>, out: &mut Vec<Finding>) {
    if text.score >= plugin.min_confidence {
        out.push(
            Finding::new(ID, format!("{} ({}% match)", text.name, text.percent()))
                .in_path(text.path),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{licenses, MIT};

    #[test]
    fn recognises_mit_at_the_top_only() {
        let found = licenses(&[("LICENSE", MIT), ("src/LICENSE", "ignored: not at the top")]);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0.as_str(), found[0].1.as_str()), (ID, "LICENSE"));
        assert!(found[0].2.starts_with("MIT ("), "{}", found[0].2);
    }
}
