//! `structure/required-content` and `structure/forbidden-content`: what key
//! files must and must not say, per file glob, from
//! `[plugins.structure.content."GLOB"]`.

use std::collections::BTreeMap;

use globset::{Glob, GlobMatcher};
use regex::bytes::Regex;
use serde::Deserialize;
use ward_plugin_sdk::{Finding, LineIndex, Span};

/// Rule ids.
pub const REQUIRED_CONTENT: &str = "structure/required-content";
/// Rule ids.
pub const FORBIDDEN_CONTENT: &str = "structure/forbidden-content";

/// One `[plugins.structure.content."GLOB"]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContentSettings {
    /// Markdown headings that must be present (any level, case-insensitive).
    pub headings: Vec<String>,
    /// Regexes that must match somewhere in the file.
    pub patterns: Vec<String>,
    /// Regexes that must match nowhere in the file.
    pub forbidden: Vec<String>,
}

/// One glob's content rules, compiled.
pub struct ContentRule {
    glob: GlobMatcher,
    headings: Vec<String>,
    patterns: Vec<(String, Regex)>,
    forbidden: Vec<(String, Regex)>,
}

/// Compiles the `content` table.
pub fn compile(table: &BTreeMap<String, ContentSettings>) -> Result<Vec<ContentRule>, String> {
    let regex = |glob: &str, pattern: &str| {
        Regex::new(pattern)
            .map(|r| (pattern.to_string(), r))
            .map_err(|e| format!("content.\"{glob}\": invalid regex `{pattern}`: {e}"))
    };
    table
        .iter()
        .map(|(glob, settings)| {
            Ok(ContentRule {
                glob: Glob::new(glob)
                    .map_err(|e| format!("content: invalid glob `{glob}`: {e}"))?
                    .compile_matcher(),
                headings: settings.headings.clone(),
                patterns: settings
                    .patterns
                    .iter()
                    .map(|p| regex(glob, p))
                    .collect::<Result<_, _>>()?,
                forbidden: settings
                    .forbidden
                    .iter()
                    .map(|p| regex(glob, p))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

/// The text of every Markdown heading, as CommonMark reads it (ATX and
/// setext, never inside code blocks).
pub fn markdown_headings(text: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut headings = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading { .. }) => current = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => headings.extend(current.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(heading) = current.as_mut() {
                    heading.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(heading) = current.as_mut() {
                    heading.push(' ');
                }
            }
            _ => {}
        }
    }
    headings
}

impl ContentRule {
    /// Checks one file against this glob's rules.
    pub fn check(
        &self,
        path: &str,
        bytes: &[u8],
        required_on: bool,
        forbidden_on: bool,
        out: &mut Vec<Finding>,
    ) {
        if !self.glob.is_match(path) {
            return;
        }
        let text = String::from_utf8_lossy(bytes);
        if required_on {
            let mut missing = Vec::new();
            if !self.headings.is_empty() {
                let present: Vec<String> = markdown_headings(&text)
                    .iter()
                    .map(|h| h.to_lowercase())
                    .collect();
                for heading in &self.headings {
                    if !present.contains(&heading.trim().to_lowercase()) {
                        missing.push(format!("heading `{heading}`"));
                    }
                }
            }
            for (pattern, regex) in &self.patterns {
                if !regex.is_match(bytes) {
                    missing.push(format!("`{pattern}`"));
                }
            }
            if !missing.is_empty() {
                out.push(
                    Finding::new(REQUIRED_CONTENT, format!("missing {}", missing.join(", "))).at(
                        Span {
                            line: 1,
                            column: 1,
                            end_line: 1,
                            end_column: 1,
                        },
                    ),
                );
            }
        }
        if forbidden_on && !self.forbidden.is_empty() {
            let index = LineIndex::new(bytes);
            for (pattern, regex) in &self.forbidden {
                for found in regex.find_iter(bytes) {
                    out.push(
                        Finding::new(
                            FORBIDDEN_CONTENT,
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
}

#[cfg(test)]
mod tests {
    use super::markdown_headings;

    #[test]
    fn headings_of_every_kind_outside_code() {
        let text = "# Title\n\nSetext\n======\n\n## Usage ##\n```\n# not a heading\n```\n    # indented code\n\n#hashtag\n\nSub\n---\n";
        assert_eq!(markdown_headings(text), ["Title", "Setext", "Usage", "Sub"]);
    }
}
