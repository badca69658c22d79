//! One workflow file, and what several rules read from it, each worked out
//! at most once.

use std::cell::OnceCell;
use std::sync::OnceLock;

use regex::bytes::Regex;
use ward_plugin_sdk::{LineIndex, Span};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{ScanError, TScalarStyle};

/// Whether `path` is a workflow file GitHub would run.
pub fn is_workflow(path: &str) -> bool {
    path.strip_prefix(".github/workflows/").is_some_and(|name| {
        !name.contains('/') && (name.ends_with(".yml") || name.ends_with(".yaml"))
    })
}

/// A workflow file being checked.
pub struct Workflow<'a> {
    /// Its bytes.
    pub bytes: &'a [u8],
    /// Its lines, for positions.
    pub index: LineIndex<'a>,
    uses: OnceCell<Vec<Uses>>,
    keys: OnceCell<Result<Vec<String>, ScanError>>,
}

/// One `uses:` value and what is wrong with it.
pub struct Uses {
    /// Where the value is.
    pub span: Span,
    /// What is wrong with it, if anything.
    pub problem: Option<Pin>,
}

/// How a `uses:` value is pinned, when that is a problem.
pub enum Pin {
    /// No `@ref`, or an empty one: the message says which.
    Missing(String),
    /// A ref that looks like a branch.
    Branch(String),
}

impl<'a> Workflow<'a> {
    /// The workflow in `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Workflow {
            bytes,
            index: LineIndex::new(bytes),
            uses: OnceCell::new(),
            keys: OnceCell::new(),
        }
    }

    /// Every `uses:` value, in order.
    pub fn uses(&self) -> &[Uses] {
        self.uses.get_or_init(|| {
            uses_pattern()
                .captures_iter(self.bytes)
                .filter_map(|captures| captures.get(1))
                .map(|value| Uses {
                    span: self.index.span(value.start(), value.end()),
                    problem: judge_uses(&String::from_utf8_lossy(value.as_bytes())),
                })
                .collect()
        })
    }

    /// The keys of the first document's top-level mapping, or the YAML error.
    pub fn top_level_keys(&self) -> &Result<Vec<String>, ScanError> {
        self.keys
            .get_or_init(|| top_level_keys(&String::from_utf8_lossy(self.bytes)))
    }
}

fn uses_pattern() -> &'static Regex {
    static USES: OnceLock<Regex> = OnceLock::new();
    USES.get_or_init(|| {
        Regex::new(r#"(?m)^[ \t]*(?:-[ \t]+)?uses:[ \t]*["']?([^"'\s#]+)"#).expect("valid regex")
    })
}

fn version_tag() -> &'static Regex {
    static TAG: OnceLock<Regex> = OnceLock::new();
    TAG.get_or_init(|| {
        Regex::new(r"^v?[0-9]+(\.[0-9]+)*([-+][0-9A-Za-z.-]+)?$").expect("valid regex")
    })
}

/// What is wrong with one `uses:` value, if anything.
fn judge_uses(value: &str) -> Option<Pin> {
    if value.starts_with("./") || value.starts_with("docker://") || value.contains("${{") {
        return None;
    }
    let Some((action, reference)) = value.split_once('@') else {
        return Some(Pin::Missing(format!(
            "`{value}` has no version: add @TAG or @SHA"
        )));
    };
    let is_sha = reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit());
    if reference.is_empty() {
        return Some(Pin::Missing(format!("`{value}` has an empty version")));
    }
    if is_sha || version_tag().is_match(reference.as_bytes()) {
        return None;
    }
    Some(Pin::Branch(format!(
        "`{action}` is pinned to `{reference}`, which looks like a branch: pin a tag or a commit SHA"
    )))
}

/// The keys of the first document's top-level mapping (none if it is not
/// one), or the YAML error. Events are pulled one at a time: building the
/// document (`YamlLoader`) descends one stack frame per level of nesting,
/// and a file nested a few thousand levels deep overflowed the thread's
/// stack, which aborts the process.
fn top_level_keys(text: &str) -> Result<Vec<String>, ScanError> {
    let mut parser = Parser::new_from_str(text);
    let mut keys = Vec::new();
    let (mut documents, mut depth) = (0usize, 0usize);
    let (mut top_is_map, mut expect_key) = (false, true);
    loop {
        let (event, _) = parser.next_token()?;
        let first_document = documents == 1;
        match event {
            Event::StreamEnd => return Ok(keys),
            Event::DocumentStart => documents += 1,
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if depth == 0 && first_document {
                    top_is_map = matches!(event, Event::MappingStart(..));
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth = depth.saturating_sub(1);
                if depth == 1 && top_is_map && first_document {
                    expect_key = !expect_key;
                }
            }
            Event::Scalar(text, style, ..) if depth == 1 && top_is_map && first_document => {
                if expect_key {
                    // YAML 1.1 readers (GitHub's) take a bare `on` for true.
                    let on = style == TScalarStyle::Plain && text == "true";
                    keys.push(if on { "on".to_string() } else { text });
                }
                expect_key = !expect_key;
            }
            Event::Alias(_) if depth == 1 && top_is_map && first_document => {
                expect_key = !expect_key;
            }
            _ => {}
        }
    }
}

/// Runs one rule on a workflow's text, for the rules' tests.
#[cfg(test)]
pub(crate) fn run(rule: &crate::Rule, text: &str) -> Vec<(String, u32, u32, String)> {
    let mut out = Vec::new();
    (rule.check)(&Workflow::new(text.as_bytes()), &mut out);
    out.into_iter()
        .map(|f| (f.rule, f.span.line, f.span.column, f.message))
        .collect()
}
