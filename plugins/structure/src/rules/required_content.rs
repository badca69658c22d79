//! `structure/required-content`

use ward_plugin_sdk::{category, File, Finding, RuleInfo, Severity, Span};

use crate::config::Compiled;
use crate::content::markdown_headings;

/// The rule's id.
pub const ID: &str = "structure/required-content";

const DOCS: &str = r#"## What it does
For each file glob under `[plugins.structure.content]`, checks that matching files have every listed Markdown heading (`headings`: any level, case-insensitive, outside code blocks) and match every regex in `patterns`. The finding is at line 1 and names each missing item. Nothing is configured by default.

```toml
[plugins.structure.content."README.md"]
headings = ["Installation", "Usage", "Contributing", "License"]

[plugins.structure.content."CHANGELOG.md"]
patterns = ['^## \\[Unreleased\\]']
```

## Bad
A README with only `# Project`.

## Good
A README with `## Installation`, `## Usage`, `## Contributing` and `## License`."#;

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A key file lacks content it must have",
        Severity::Error,
        DOCS,
    )
    .category(category::DOCUMENTATION)
}

/// Reports, at line 1, every heading and pattern that a file matching a
/// `[plugins.structure.content."GLOB"]` glob lacks.
pub fn check_file(config: &Compiled, file: &File<'_>, out: &mut Vec<Finding>) {
    for rule in config.content.iter().filter(|r| r.glob.is_match(file.path)) {
        let mut missing = Vec::new();
        if !rule.headings.is_empty() {
            let text = String::from_utf8_lossy(file.bytes);
            let present: Vec<String> = markdown_headings(&text)
                .iter()
                .map(|h| h.to_lowercase())
                .collect();
            for heading in &rule.headings {
                if !present.contains(&heading.trim().to_lowercase()) {
                    missing.push(format!("heading `{heading}`"));
                }
            }
        }
        for (pattern, regex) in &rule.patterns {
            if !regex.is_match(file.bytes) {
                missing.push(format!("`{pattern}`"));
            }
        }
        if !missing.is_empty() {
            out.push(
                Finding::new(ID, format!("missing {}", missing.join(", "))).at(Span {
                    line: 1,
                    column: 1,
                    end_line: 1,
                    end_column: 1,
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn required_content_names_each_missing_heading_and_pattern_at_line_1() {
        let p = content_plugin();
        assert_eq!(
            placed(
                &p,
                "README.md",
                b"# Project\n\n## installation\n\n```\n## Usage\n```\n"
            ),
            [(
                ID.to_string(),
                1,
                1,
                "missing heading `Usage`, heading `Contributing`, heading `License`".to_string()
            )]
        );
        assert_eq!(
            placed(&p, "CHANGELOG.md", b"# Changelog\n\n## [1.0.0]\n"),
            [(
                ID.to_string(),
                1,
                1,
                "missing `(?m)^## \\[Unreleased\\]`".to_string()
            )]
        );
        // Other files, and complete ones (any level, any case, setext), pass.
        assert!(placed(&p, "docs/README.md", b"nothing\n").is_empty());
        assert!(placed(
            &p,
            "README.md",
            b"Project\n=======\n### INSTALLATION\n## Usage ##\nContributing\n---\n# License\n"
        )
        .is_empty());
        assert!(placed(&p, "CHANGELOG.md", b"# Changelog\n\n## [Unreleased]\n").is_empty());
    }

    #[test]
    fn bad_content_regexes_are_config_errors() {
        let error = StructurePlugin::new(&PluginConfig {
            settings: serde_json::json!({ "content": { "README.md": { "patterns": ["("] } } }),
            enabled_rules: None,
            root: None,
        })
        .err()
        .unwrap();
        assert!(
            error.starts_with("content.\"README.md\": invalid regex `(`"),
            "{error}"
        );
    }
}
