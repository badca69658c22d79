//! A manifest file being checked, parsed at most once for the rules that
//! read it.

use std::cell::OnceCell;

use ward_plugin_sdk::host::clamp_position;
use ward_plugin_sdk::{LineIndex, Span};

use crate::{json, xml, yaml};

/// What kind of file a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Json,
    Yaml,
    Toml,
    Xml,
    Changelog,
}

/// The kind of file at `path`, if the plugin reads it.
pub fn kind_of(path: &str) -> Option<Kind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.eq_ignore_ascii_case("CHANGELOG.md") {
        return Some(Kind::Changelog);
    }
    let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "json" => Kind::Json,
        "yml" | "yaml" => Kind::Yaml,
        "toml" => Kind::Toml,
        "xml" | "csproj" | "fsproj" | "vbproj" | "props" | "targets" | "plist" | "xsd" | "xsl"
        | "xslt" | "svg" => Kind::Xml,
        _ => return None,
    })
}

/// A one-character span at a 1-based line and column.
fn at(line: usize, column: usize) -> Span {
    let line = u32::try_from(line.max(1)).unwrap_or(u32::MAX);
    let column = u32::try_from(column.max(1)).unwrap_or(u32::MAX);
    Span {
        line,
        column,
        end_line: line,
        end_column: column.saturating_add(1),
    }
}

/// What parsing a file found.
enum Parsed {
    /// It does not parse; the error, unless it is not worth reporting (a
    /// YAML template that only parses once rendered).
    Invalid(Option<(String, Span)>),
    /// It parses; YAML's duplicate keys come out of the same pass.
    Valid(Vec<(String, Span)>),
}

/// A JSON, YAML, TOML or XML file.
pub struct Document<'a> {
    bytes: &'a [u8],
    /// The text without a byte-order mark.
    text: &'a str,
    kind: Kind,
    parsed: OnceCell<Parsed>,
}

impl<'a> Document<'a> {
    /// The file whose bytes are `bytes`, `text` without its byte-order mark.
    pub fn new(bytes: &'a [u8], text: &'a str, kind: Kind) -> Self {
        Document {
            bytes,
            text,
            kind,
            parsed: OnceCell::new(),
        }
    }

    /// Where the BOM-less text starts in the file's bytes.
    fn offset(&self) -> usize {
        self.bytes.len() - self.text.len()
    }

    fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            let mut parsed = self.parse();
            // A parser may place an error past the end of the file (YAML's
            // "unexpected end" one column into the empty last line): shown
            // at the nearest place in the file instead.
            let lines = LineIndex::new(self.bytes);
            let clamp = |span: &mut Span| {
                let (line, column) = clamp_position(&lines, span.line, span.column);
                let (_, end_column) = clamp_position(&lines, line, column.saturating_add(1));
                *span = Span {
                    line,
                    column,
                    end_line: line,
                    end_column,
                };
            };
            match &mut parsed {
                Parsed::Invalid(found) => found.iter_mut().for_each(|(_, span)| clamp(span)),
                Parsed::Valid(found) => found.iter_mut().for_each(|(_, span)| clamp(span)),
            }
            parsed
        })
    }

    fn parse(&self) -> Parsed {
        let text = self.text;
        match self.kind {
            Kind::Json => match serde_json::from_str::<serde::de::IgnoredAny>(text) {
                Err(e) => Parsed::Invalid(Some((
                    format!("invalid JSON: {e}"),
                    at(e.line(), e.column()),
                ))),
                Ok(_) => Parsed::Valid(Vec::new()),
            },
            Kind::Yaml => match yaml::check(text) {
                Err((message, line, column)) => Parsed::Invalid(
                    (!text.contains("{{"))
                        .then(|| (format!("invalid YAML: {message}"), at(line, column))),
                ),
                Ok(found) => Parsed::Valid(
                    found
                        .into_iter()
                        .map(|d| {
                            (
                                format!(
                                    "key `{}` appears twice in one mapping; parsers keep only one",
                                    d.key
                                ),
                                at(d.line, d.column),
                            )
                        })
                        .collect(),
                ),
            },
            Kind::Toml => match text.parse::<toml::Table>() {
                Err(e) => {
                    let offset = e.span().map_or(0, |s| s.start) + self.offset();
                    let (line, column) = LineIndex::new(self.bytes).position(offset);
                    Parsed::Invalid(Some((
                        format!("invalid TOML: {}", e.message().trim()),
                        at(line as usize, column as usize),
                    )))
                }
                Ok(_) => Parsed::Valid(Vec::new()),
            },
            Kind::Xml => {
                if let Some(offset) = xml::too_deep(text, xml::MAX_DEPTH) {
                    let (line, column) =
                        LineIndex::new(self.bytes).position(offset + self.offset());
                    return Parsed::Invalid(Some((
                        format!(
                            "XML nested more than {} elements deep: not parsed",
                            xml::MAX_DEPTH
                        ),
                        at(line as usize, column as usize),
                    )));
                }
                // A DOCTYPE is valid XML (SVG files often have one). roxmltree
                // refuses it by default, but guards entity expansion either
                // way, and never fetches an external DTD.
                let options = roxmltree::ParsingOptions {
                    allow_dtd: true,
                    ..Default::default()
                };
                match roxmltree::Document::parse_with_options(text, options) {
                    Err(e) => {
                        let pos = e.pos();
                        Parsed::Invalid(Some((
                            format!("invalid XML: {e}"),
                            at(pos.row as usize, pos.col as usize),
                        )))
                    }
                    Ok(_) => Parsed::Valid(Vec::new()),
                }
            }
            Kind::Changelog => Parsed::Valid(Vec::new()),
        }
    }

    /// The first syntax error worth reporting, with its place.
    pub fn syntax_error(&self) -> Option<&(String, Span)> {
        match self.parsed() {
            Parsed::Invalid(error) => error.as_ref(),
            Parsed::Valid(_) => None,
        }
    }

    /// Keys written twice in one object or mapping, with their places; none
    /// when the file does not parse.
    pub fn duplicates(&self) -> Vec<(String, Span)> {
        let Parsed::Valid(yaml_duplicates) = self.parsed() else {
            return Vec::new();
        };
        if self.kind != Kind::Json {
            return yaml_duplicates.clone();
        }
        let index = LineIndex::new(self.bytes);
        json::keys(self.text.as_bytes())
            .into_iter()
            .filter(|k| k.duplicate)
            .map(|key| {
                let start = self.offset() + key.offset;
                (
                    format!(
                        "key `{}` appears twice in one object; parsers keep only one",
                        key.text
                    ),
                    index.span(start, start + key.text.len() + 2),
                )
            })
            .collect()
    }
}

/// Whether a manifest is a template (`{{ .Values.x }}`, `{%- if %}`) rather
/// than the format itself: a line that starts with a template tag, or `{{`
/// in a file under a `templates/` or `layouts/` folder (Helm, Hugo). A
/// `{{name}}` inside a JSON string (i18n files) is not enough.
pub fn is_template(path: &str, text: &str) -> bool {
    let line_starts = text.lines().any(|line| {
        let line = line.trim_start();
        line.starts_with("{{") || line.starts_with("{%")
    });
    let in_templates = path
        .split('/')
        .rev()
        .skip(1)
        .any(|d| matches!(d, "templates" | "layouts"));
    line_starts || (in_templates && memchr::memmem::find(text.as_bytes(), b"{{").is_some())
}
