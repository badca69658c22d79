//! ward's `editorconfig` plugin: each file checked against the settings its
//! `.editorconfig` files give it, resolved by ec4rs (the EditorConfig core
//! for Rust) exactly as editors resolve them.
//!
//! What `text/*` already reports is not reported again: trailing whitespace
//! (`trim_trailing_whitespace`), the final newline (`insert_final_newline`),
//! invalid UTF-8 and a stray BOM under `charset = utf-8`, and line endings in
//! a file that mixes them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ec4rs::property::{Charset, EndOfLine, IndentSize, IndentStyle, MaxLineLen, TabWidth};
use ward_plugin_sdk::{
    char_count, Edit, File, Finding, Manifest, PluginConfig, RuleInfo, Severity, Span, Validator,
};

const INDENT_STYLE: &str = "editorconfig/indent-style";
const INDENT_SIZE: &str = "editorconfig/indent-size";
const END_OF_LINE: &str = "editorconfig/end-of-line";
const CHARSET: &str = "editorconfig/charset";
const MAX_LINE_LENGTH: &str = "editorconfig/max-line-length";

/// `max_line_length` findings per file: a generated file should not flood the report.
const MAX_LONG_LINES: usize = 20;

fn rule(id: &str, summary: &str, severity: Severity, fixable: bool, docs: &str) -> RuleInfo {
    let rule = RuleInfo::new(id, summary, severity, docs);
    if fixable {
        rule.fixable()
    } else {
        rule
    }
}

/// The plugin's rules.
pub fn rules() -> Vec<RuleInfo> {
    vec![
        rule(INDENT_STYLE, "Indentation with tabs where .editorconfig says spaces, or the reverse", Severity::Error, false,
            "## What it does\nUnder `indent_style = space`, finds lines indented with a tab; under `indent_style = tab`, lines indented with `indent_size` spaces or more. Reported once per file, at the first such line, with the count.\n\n## Bad\n```text\n[*.py]\nindent_style = space\n```\nand a line starting with a tab.\n\n## Good\nThe line indented with spaces."),
        rule(INDENT_SIZE, "Space indentation that is not a multiple of indent_size", Severity::Warning, false,
            "## What it does\nUnder `indent_style = space` and `indent_size = N`, finds lines whose leading spaces are not a multiple of N (lines inside block comments that start with ` *` are skipped). Reported once per file, at the first such line, with the count.\n\n## Bad\n`indent_size = 4` and a line indented by 3 spaces.\n\n## Good\nIndented by 4 or 8."),
        rule(END_OF_LINE, "Line endings other than end_of_line says", Severity::Error, true,
            "## What it does\nUnder `end_of_line = lf`, `crlf` or `cr`, finds a file whose lines consistently end otherwise (a file that mixes endings is `text/mixed-line-endings`' finding).\n\n## Bad\n`end_of_line = lf` and a file with CRLF endings.\n\n## Good\nLF endings. `--fix` rewrites them."),
        rule(CHARSET, "A file without the byte-order mark its charset needs", Severity::Error, false,
            "## What it does\nUnder `charset = utf-8-bom`, `utf-16le` or `utf-16be`, finds files that do not start with that byte-order mark. (`utf-8` is `text/invalid-utf8` and `text/bom`'s job.)\n\n## Bad\n`charset = utf-8-bom` and a file without `EF BB BF`.\n\n## Good\nThe file starting with the mark."),
        rule(MAX_LINE_LENGTH, "A line longer than max_line_length", Severity::Warning, false,
            "## What it does\nFinds lines longer than `max_line_length` characters (tabs count as `tab_width`), at the first character past the limit; at most 20 per file.\n\n## Bad\n`max_line_length = 80` and a 120-character line.\n\n## Good\nThe line wrapped."),
    ]
}

/// The validator.
pub struct EditorconfigPlugin {
    root: Option<PathBuf>,
    enabled: [bool; 5],
    /// Directories known to have (or not) a `.editorconfig` in them or above:
    /// most trees have none, and then no file needs ec4rs at all.
    any_config: Mutex<HashMap<PathBuf, bool>>,
}

impl EditorconfigPlugin {
    fn any_config(&self, dir: &Path) -> bool {
        if let Some(known) = self
            .any_config
            .lock()
            .ok()
            .and_then(|m| m.get(dir).copied())
        {
            return known;
        }
        let here = dir.join(".editorconfig").is_file();
        let found = here || dir.parent().is_some_and(|parent| self.any_config(parent));
        if let Ok(mut memo) = self.any_config.lock() {
            memo.insert(dir.to_path_buf(), found);
        }
        found
    }
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = (u32, usize, &[u8], &[u8])> + '_ {
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

fn point(line: u32, column: u32, width: u32) -> Span {
    Span {
        line,
        column,
        end_line: line,
        end_column: column + width,
    }
}

impl EditorconfigPlugin {
    fn indentation(
        &self,
        file: &File<'_>,
        style: Option<IndentStyle>,
        size: Option<usize>,
        out: &mut Vec<Finding>,
    ) {
        let mut bad_style: Option<(u32, usize)> = None;
        let mut bad_size: Option<(u32, usize, usize)> = None;
        let (mut style_count, mut size_count) = (0usize, 0usize);
        for (number, _, content, _) in lines(file.bytes) {
            let indent: &[u8] = &content[..content
                .iter()
                .position(|b| *b != b' ' && *b != b'\t')
                .unwrap_or(content.len())];
            if indent.is_empty() || indent.len() == content.len() {
                continue; // no indentation, or a blank line
            }
            match style {
                Some(IndentStyle::Spaces) if indent.contains(&b'\t') => {
                    style_count += 1;
                    bad_style.get_or_insert((
                        number,
                        indent.iter().position(|b| *b == b'\t').unwrap_or(0),
                    ));
                }
                Some(IndentStyle::Tabs)
                    if indent.starts_with(&vec![b' '; size.unwrap_or(4).max(1)]) =>
                {
                    style_count += 1;
                    bad_style.get_or_insert((number, 0));
                }
                _ => {}
            }
            if let (Some(IndentStyle::Spaces), Some(n)) = (style, size) {
                let rest = &content[indent.len()..];
                // ` * ` continuation lines of block comments sit one space off by design.
                let comment = rest.starts_with(b"*");
                if n > 0 && !indent.contains(&b'\t') && indent.len() % n != 0 && !comment {
                    size_count += 1;
                    bad_size.get_or_insert((number, indent.len(), n));
                }
            }
        }
        if let (true, Some((line, column))) = (self.enabled[0], bad_style) {
            let (what, want) = match style {
                Some(IndentStyle::Spaces) => ("a tab", "indent_style = space"),
                _ => ("spaces", "indent_style = tab"),
            };
            out.push(
                Finding::new(
                    INDENT_STYLE,
                    format!(
                        "indented with {what} but .editorconfig says {want} ({style_count} line{})",
                        if style_count == 1 { "" } else { "s" }
                    ),
                )
                .at(point(line, u32::try_from(column + 1).unwrap_or(1), 1)),
            );
        }
        if let (true, Some((line, width, n))) = (self.enabled[1], bad_size) {
            out.push(
                Finding::new(INDENT_SIZE, format!("indented by {width} spaces, not a multiple of indent_size = {n} ({size_count} line{})", if size_count == 1 { "" } else { "s" }))
                    .at(point(line, 1, u32::try_from(width).unwrap_or(1))),
            );
        }
    }

    fn end_of_line(&self, file: &File<'_>, want: EndOfLine, out: &mut Vec<Finding>) {
        let (wanted, name): (&[u8], &str) = match want {
            EndOfLine::Lf => (b"\n", "lf"),
            EndOfLine::CrLf => (b"\r\n", "crlf"),
            EndOfLine::Cr => (b"\r", "cr"),
        };
        if want == EndOfLine::Cr {
            return; // classic Mac OS endings: lines are not split on \r here; not checked
        }
        let endings: Vec<(u32, usize, &[u8], usize)> = lines(file.bytes)
            .filter(|(_, _, _, e)| !e.is_empty())
            .map(|(n, at, c, e)| (n, at, e, c.len()))
            .collect();
        let kinds: std::collections::HashSet<&[u8]> =
            endings.iter().map(|(_, _, e, _)| *e).collect();
        if kinds.len() != 1 || kinds.contains(wanted) {
            return; // consistent and right, or mixed (text/mixed-line-endings reports that)
        }
        let Some((line, start, _, content_len)) = endings.first().copied() else {
            return;
        };
        let content = &file.bytes[start..start + content_len];
        let column = u32::try_from(char_count(content) + 1).unwrap_or(1);
        let fix = endings
            .iter()
            .map(|(_, at, ending, len)| Edit {
                start: at + len,
                end: at + len + ending.len(),
                replacement: String::from_utf8_lossy(wanted).into_owned(),
            })
            .collect();
        out.push(
            Finding::new(
                END_OF_LINE,
                format!(
                    "lines end with {} but .editorconfig says end_of_line = {name}",
                    if kinds.contains(&b"\r\n"[..]) {
                        "CRLF"
                    } else {
                        "LF"
                    }
                ),
            )
            .at(point(line, column, 0))
            .with_fix(fix),
        );
    }
}

impl Validator for EditorconfigPlugin {
    fn manifest() -> Manifest {
        Manifest {
            name: "editorconfig".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "Indentation, line endings, charset and line length as .editorconfig sets them"
                    .into(),
            rules: rules(),
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        if !config.settings.is_null() && !config.settings.as_object().is_some_and(|o| o.is_empty())
        {
            return Err("the editorconfig plugin has no settings: it reads the repository's .editorconfig files".into());
        }
        Ok(EditorconfigPlugin {
            root: config.root.as_ref().map(PathBuf::from),
            enabled: [
                INDENT_STYLE,
                INDENT_SIZE,
                END_OF_LINE,
                CHARSET,
                MAX_LINE_LENGTH,
            ]
            .map(|r| config.is_enabled(r)),
            any_config: Mutex::new(HashMap::new()),
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        let Some(root) = &self.root else { return };
        let abs = root.join(file.path);
        if !abs.parent().is_some_and(|dir| self.any_config(dir)) {
            return;
        }
        // Resolved as editors resolve it; files that no section applies to get nothing.
        let Ok(mut props) = ec4rs::properties_of(&abs) else {
            return;
        };
        props.use_fallbacks();
        let charset = props.get::<Charset>().ok();
        if self.enabled[3] {
            let mark: Option<(&[u8], &str)> = match charset {
                Some(Charset::Utf8Bom) => Some((b"\xef\xbb\xbf", "utf-8-bom")),
                Some(Charset::Utf16Le) => Some((b"\xff\xfe", "utf-16le")),
                Some(Charset::Utf16Be) => Some((b"\xfe\xff", "utf-16be")),
                _ => None,
            };
            if let Some((bom, name)) = mark {
                if !file.bytes.is_empty() && !file.bytes.starts_with(bom) {
                    out.push(
                        Finding::new(
                            CHARSET,
                            format!("no byte-order mark, but .editorconfig says charset = {name}"),
                        )
                        .at(point(1, 1, 0)),
                    );
                }
            }
        }
        if file.is_binary || matches!(charset, Some(Charset::Utf16Le | Charset::Utf16Be)) {
            return;
        }
        let style = props.get::<IndentStyle>().ok();
        let tab_width = match props.get::<TabWidth>() {
            Ok(TabWidth::Value(n)) => Some(n),
            _ => None,
        };
        let size = match props.get::<IndentSize>() {
            Ok(IndentSize::Value(n)) => Some(n),
            Ok(IndentSize::UseTabWidth) => tab_width,
            Err(_) => None,
        };
        if (self.enabled[0] || self.enabled[1]) && style.is_some() {
            self.indentation(file, style, size, out);
        }
        if self.enabled[2] {
            if let Ok(eol) = props.get::<EndOfLine>() {
                self.end_of_line(file, eol, out);
            }
        }
        if self.enabled[4] {
            if let Ok(MaxLineLen::Value(limit)) = props.get::<MaxLineLen>() {
                let tab = tab_width.or(size).unwrap_or(4);
                let mut reported = 0;
                for (number, _, content, _) in lines(file.bytes) {
                    let text = String::from_utf8_lossy(content);
                    let width: usize = text.chars().map(|c| if c == '\t' { tab } else { 1 }).sum();
                    if width > limit {
                        out.push(
                            Finding::new(
                                MAX_LINE_LENGTH,
                                format!(
                                    "line is {width} characters, over max_line_length = {limit}"
                                ),
                            )
                            .at(point(
                                number,
                                u32::try_from(limit + 1).unwrap_or(u32::MAX),
                                1,
                            )),
                        );
                        reported += 1;
                        if reported == MAX_LONG_LINES {
                            break;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
