//! `manifest/duplicate-key`

use crate::document::Document;

use ward_plugin_sdk::{category, class, Finding, RuleInfo, Severity};

/// The rule's id.
pub const ID: &str = "manifest/duplicate-key";

const DOCS: &str = r"## What it does
Finds keys repeated in the same object. Parsers silently keep one of them (JSON: usually the last), so the other setting is dead.

## Bad
```yaml
port: 80
port: 8080
```

## Good
```yaml
port: 8080
```";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A key written twice in one JSON or YAML object",
        Severity::Error,
        DOCS,
    )
    .category(category::MANIFESTS)
    // Not test fixtures: a broken manifest there is often the test's input.
    .classes(&[class::DOCUMENTATION, class::GENERATED])
}

/// Reports every key written twice in one JSON object or YAML mapping.
pub fn check(document: &Document<'_>, out: &mut Vec<Finding>) {
    for (message, span) in document.duplicates() {
        out.push(Finding::new(ID, message).at(span));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::check;

    #[test]
    fn a_json_key_twice_in_one_object() {
        assert_eq!(
            check("package.json", "{\n  \"port\": 80,\n  \"port\": 8080\n}\n"),
            [(
                ID.into(),
                3,
                3,
                "key `port` appears twice in one object; parsers keep only one".into()
            )]
        );
        assert_eq!(check("ok.json", "{\"a\": {\"a\": 1}}"), []);
    }

    #[test]
    fn a_yaml_key_twice_in_one_mapping() {
        assert_eq!(
            check("c.yaml", "a: 1\nb: 2\na: 3\n"),
            [(
                ID.into(),
                3,
                1,
                "key `a` appears twice in one mapping; parsers keep only one".into()
            )]
        );
    }
}
