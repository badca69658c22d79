//! `structure/forbidden-content`

use ward_plugin_sdk::{category, File, Finding, LineIndex, RuleInfo, Severity};

use crate::config::Compiled;

/// The rule's id.
pub const ID: &str = "structure/forbidden-content";

const DOCS: &str = r#"## What it does
For each file glob under `[plugins.structure.content]`, reports every match of the regexes in `forbidden`, at its line and column.

```toml
[plugins.structure.content."**/*.md"]
forbidden = ['(?i)lorem ipsum', 'TBD']
```

## Bad
`## Usage\nTBD`

## Good
`## Usage\nRun ward check .`"#;

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A key file holds content it must not have",
        Severity::Error,
        DOCS,
    )
    .category(category::DOCUMENTATION)
}

/// Reports every match of a `forbidden` regex of a glob the file matches.
pub fn check_file(config: &Compiled, file: &File<'_>, out: &mut Vec<Finding>) {
    let mut index = None;
    for rule in config.content.iter().filter(|r| r.glob.is_match(file.path)) {
        for (pattern, regex) in &rule.forbidden {
            for found in regex.find_iter(file.bytes) {
                let index = index.get_or_insert_with(|| LineIndex::new(file.bytes));
                out.push(
                    Finding::new(
                        ID,
                        format!(
                            "`{}` matches forbidden `{pattern}`",
                            String::from_utf8_lossy(found.as_bytes())
                        ),
                    )
                    .at(index.span(found.start(), found.end())),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn forbidden_content_is_reported_where_it_is() {
        let p = content_plugin();
        assert_eq!(
            placed(
                &p,
                "docs/guide/intro.md",
                b"# Intro\n\nSome Lorem Ipsum here.\nUsage: TBD\n"
            ),
            [
                (
                    ID.to_string(),
                    3,
                    6,
                    "`Lorem Ipsum` matches forbidden `(?i)lorem ipsum`".to_string()
                ),
                (
                    ID.to_string(),
                    4,
                    8,
                    "`TBD` matches forbidden `TBD`".to_string()
                ),
            ]
        );
        assert!(placed(&p, "docs/guide/intro.md", b"# Intro\n\nDone.\n").is_empty());
        assert!(placed(&p, "notes/intro.md", b"TBD\n").is_empty());
    }
}
