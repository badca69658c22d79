//! `markdown/external-link`

use ward_plugin_sdk::{category, RuleInfo, Severity};

/// The rule's id.
pub const ID: &str = "markdown/external-link";

const DOCS: &str = r"## What it does
Off by default: with `[plugins.markdown] list-external = true`, reports every external link (`https:`, `http:`, `//host`…) as information, so `ward check --format json` lists them for a link checker that may go online. ward itself never opens a connection.

## Bad
(nothing: this rule only lists)

## Good
`[docs](https://example.com/docs)` listed with its position.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "An external URL (listed, never fetched)",
        Severity::Info,
        DOCS,
    )
    .category(category::DOCUMENTATION)
}

/// The message listing an external web link (`http:`, `https:`, `//host`).
pub fn judge(destination: &str) -> Option<String> {
    let lower = destination.to_ascii_lowercase();
    (lower.starts_with("http") || destination.starts_with("//"))
        .then(|| format!("external link {destination}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn external_links_are_listed_only_on_request() {
        let files = [("a.md", "[x](https://example.com/a) [m](mailto:a@b.c)\n")];
        assert_eq!(check(&files), []);
        assert_eq!(
            check_with(serde_json::json!({"list-external": true}), &files),
            [(
                ID.into(),
                "a.md".into(),
                1,
                1,
                "external link https://example.com/a".into()
            )]
        );
    }
}
