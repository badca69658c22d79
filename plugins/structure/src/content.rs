//! What key files must and must not say, per file glob, from
//! `[plugins.structure.content."GLOB"]`: the settings of
//! `structure/required-content` and `structure/forbidden-content`, compiled.

use std::collections::BTreeMap;

use globset::{Glob, GlobMatcher};
use regex::bytes::Regex;
use serde::Deserialize;

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
    pub glob: GlobMatcher,
    pub headings: Vec<String>,
    pub patterns: Vec<(String, Regex)>,
    pub forbidden: Vec<(String, Regex)>,
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

#[cfg(test)]
mod tests {
    use super::markdown_headings;

    #[test]
    fn headings_of_every_kind_outside_code() {
        let text = "# Title\n\nSetext\n======\n\n## Usage ##\n```\n# not a heading\n```\n    # indented code\n\n#hashtag\n\nSub\n---\n";
        assert_eq!(markdown_headings(text), ["Title", "Setext", "Usage", "Sub"]);
    }
}
