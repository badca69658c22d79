//! `--format github`: GitHub Actions workflow commands, which GitHub turns
//! into annotations on the pull request.

use ward_plugin_sdk::Severity;

use super::Report;

/// Escapes a command's message, as GitHub's toolkit does, and shows other
/// control characters as pictures: a CI log is a terminal too, and an
/// escape sequence from a file name or a message must not reach it.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .chars()
        .map(|c| {
            if c.is_control() {
                super::control_picture(c)
            } else {
                c
            }
        })
        .collect()
}

/// Escapes a command property value (`file=`, `title=`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Renders one `::error`/`::warning`/`::notice` line per finding.
pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for f in report.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = Vec::new();
        if !f.path.is_empty() {
            properties.push(format!("file={}", escape_property(&f.path)));
        }
        if f.line > 0 {
            properties.push(format!("line={}", f.line));
            properties.push(format!("col={}", f.column));
            properties.push(format!("endLine={}", f.end_line.max(f.line)));
            if f.end_line == f.line {
                properties.push(format!("endColumn={}", f.end_column));
            }
        }
        properties.push(format!("title={}", escape_property(&f.rule)));
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            escape_data(&f.message_with_commit())
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_github_documents() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
