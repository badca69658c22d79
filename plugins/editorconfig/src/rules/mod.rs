//! The rules, one module each, and what they share: the properties a file
//! gets, and its lines.

use ec4rs::property::{Charset, EndOfLine, IndentSize, IndentStyle, MaxLineLen, TabWidth};
use ward_plugin_sdk::Span;

pub mod charset;
pub mod end_of_line;
pub mod indent_size;
pub mod indent_style;
pub mod max_line_length;

/// The properties `.editorconfig` files give one file, as the rules read them.
pub struct Props {
    pub charset: Option<Charset>,
    pub style: Option<IndentStyle>,
    /// `indent_size`, or `tab_width` where it says `tab`.
    pub size: Option<usize>,
    pub tab_width: Option<usize>,
    pub end_of_line: Option<EndOfLine>,
    pub max_line_length: Option<usize>,
}

impl From<ec4rs::Properties> for Props {
    fn from(mut props: ec4rs::Properties) -> Self {
        props.use_fallbacks();
        let tab_width = match props.get::<TabWidth>() {
            Ok(TabWidth::Value(n)) => Some(n),
            _ => None,
        };
        Props {
            charset: props.get::<Charset>().ok(),
            style: props.get::<IndentStyle>().ok(),
            size: match props.get::<IndentSize>() {
                Ok(IndentSize::Value(n)) => Some(n),
                Ok(IndentSize::UseTabWidth) => tab_width,
                Err(_) => None,
            },
            tab_width,
            end_of_line: props.get::<EndOfLine>().ok(),
            max_line_length: match props.get::<MaxLineLen>() {
                Ok(MaxLineLen::Value(n)) => Some(n),
                _ => None,
            },
        }
    }
}

/// Each line as (1-based number, start offset, content, ending).
pub(crate) fn lines(bytes: &[u8]) -> impl Iterator<Item = (u32, usize, &[u8], &[u8])> + '_ {
    let mut start = 0;
    let mut number = 0u32;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        number += 1;
        let end = bytes[start..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| start + i + 1);
        let line = &bytes[start..end];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        let ending = &line[content.len()..];
        let at = start;
        start = end;
        Some((number, at, content, ending))
    })
}

/// The leading spaces and tabs of a line that has text after them.
pub(crate) fn indentation(content: &[u8]) -> Option<&[u8]> {
    let end = content
        .iter()
        .position(|b| *b != b' ' && *b != b'\t')
        .unwrap_or(content.len());
    // No indentation, or a blank line.
    (end > 0 && end < content.len()).then(|| &content[..end])
}

/// The first indented line a rule objects to, as (line, the number the rule
/// asks for, its place or width), and how many lines it objects to: each
/// indentation rule reports once per file, counting the rest.
///
/// Lines whose indentation is another language's are not judged: the
/// inside of a Markdown code fence (Go in a Markdown page keeps its tabs),
/// of a `/* … */` block comment (a license header aligned by 3) and of a
/// Python triple-quoted string (expected output in a test).
pub(crate) fn first_bad_indent(
    path: &str,
    bytes: &[u8],
    judge: impl Fn(&[u8], &[u8]) -> Option<usize>,
) -> Option<(u32, usize, usize)> {
    let markdown = is_prose(path);
    // Python's triple-quoted strings hold text (expected output, SQL,
    // docs) whose indentation is its own.
    let python = path.ends_with(".py") || path.ends_with(".pyi");
    let mut in_string: Option<&[u8]> = None;
    let mut first: Option<(u32, usize)> = None;
    let mut count = 0usize;
    let mut fence: Option<&[u8]> = None;
    let mut in_comment = false;
    for (number, _, content, _) in lines(bytes) {
        let body = content.trim_ascii_start();
        if markdown {
            let marker = [&b"```"[..], b"~~~"]
                .into_iter()
                .find(|m| body.starts_with(m));
            match (fence, marker) {
                (None, Some(m)) => {
                    fence = Some(m);
                    continue;
                }
                (Some(open), Some(m)) if open == m => {
                    fence = None;
                    continue;
                }
                (Some(_), _) => continue,
                _ => {}
            }
        } else if python {
            let was_in_string = in_string.is_some();
            for quote in [&b"\"\"\""[..], b"'''"] {
                let count = memchr::memmem::find_iter(content, quote).count();
                match in_string {
                    Some(open) if open == quote && count % 2 == 1 => in_string = None,
                    None if count % 2 == 1 => in_string = Some(quote),
                    _ => {}
                }
            }
            if was_in_string {
                continue;
            }
        } else {
            let was_in_comment = in_comment;
            if let Some(open) = memchr::memmem::rfind(content, b"/*") {
                in_comment = memchr::memmem::find(&content[open..], b"*/").is_none();
            } else if in_comment && memchr::memmem::find(content, b"*/").is_some() {
                in_comment = false;
            }
            if was_in_comment {
                continue;
            }
        }
        let Some(indent) = indentation(content) else {
            continue;
        };
        if let Some(at) = judge(indent, &content[indent.len()..]) {
            count += 1;
            first.get_or_insert((number, at));
        }
    }
    first.map(|(line, at)| (line, at, count))
}

/// Whether a file is prose markup (Markdown, reStructuredText, AsciiDoc),
/// whose indentation the markup's own rules decide: a list item's
/// continuation aligns with its text, a reST directive's options with its
/// name.
pub(crate) fn is_prose(path: &str) -> bool {
    let extension = path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    ["md", "markdown", "rst", "adoc", "asciidoc"]
        .iter()
        .any(|e| extension.eq_ignore_ascii_case(e))
}

/// `1 line`, `2 lines`.
pub(crate) fn lines_text(count: usize) -> String {
    format!("{count} line{}", if count == 1 { "" } else { "s" })
}

pub(crate) fn point(line: u32, column: u32, width: u32) -> Span {
    Span {
        line,
        column,
        end_line: line,
        end_column: column + width,
    }
}

/// A repository with an `.editorconfig`, for the rules' tests.
#[cfg(test)]
pub(crate) mod testing {
    use ward_plugin_sdk::{Finding, PluginConfig, Validator};

    use crate::EditorconfigPlugin;

    pub const CONFIG: &str = "root = true\n\n[*]\nend_of_line = lf\n\n[*.py]\nindent_style = space\nindent_size = 4\nmax_line_length = 20\n\n[Makefile]\nindent_style = tab\n\n[*.txt]\ncharset = utf-8-bom\n";

    pub struct Repo {
        dir: tempfile::TempDir,
    }

    impl Repo {
        pub fn new(editorconfig: &str) -> Repo {
            let dir = tempfile::TempDir::new().unwrap();
            std::fs::write(dir.path().join(".editorconfig"), editorconfig).unwrap();
            Repo { dir }
        }

        /// What the plugin, with only `rule` enabled, reports on a file.
        pub fn findings(&self, rule: &str, path: &str, bytes: &[u8]) -> Vec<Finding> {
            let plugin = EditorconfigPlugin::new(&PluginConfig {
                root: Some(self.dir.path().to_string_lossy().into_owned()),
                enabled_rules: Some(vec![rule.to_string()]),
                ..Default::default()
            })
            .unwrap();
            ward_plugin_sdk::testing::check_file(&plugin, path, bytes)
        }

        /// [`Repo::findings`] as `(rule, line, column, message)`.
        pub fn check(
            &self,
            rule: &str,
            path: &str,
            bytes: &[u8],
        ) -> Vec<(String, u32, u32, String)> {
            self.findings(rule, path, bytes)
                .into_iter()
                .map(|f| (f.rule, f.span.line, f.span.column, f.message))
                .collect()
        }
    }
}
