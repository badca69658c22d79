//! `--format junit`: JUnit XML, one failing test case per finding, so CI
//! test reporters (GitLab, Jenkins, Azure) list them.

use ward_plugin_sdk::Severity;

use super::Report;

/// Escapes text for XML content and attribute values, dropping characters XML
/// 1.0 cannot hold at all (most control characters).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Renders the report as a `<testsuites>` document.
pub fn render(report: &Report<'_>) -> String {
    // Findings below `--fail-on` are test cases that pass, with the finding
    // as their output: they do not fail the build, so they fail no test.
    let fails = |f: &crate::finding::Finding| report.fail_on.is_some_and(|t| f.severity >= t);
    let failures = report.findings.iter().filter(|f| fails(f)).count();
    let tests = report.findings.len();
    let seconds = report.duration.as_secs_f64();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"ward\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{seconds:.3}\">\n",
        tests = tests.max(1)
    ));
    out.push_str(&format!(
        "  <testsuite name=\"ward\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{seconds:.3}\">\n",
        tests = tests.max(1)
    ));
    if report.findings.is_empty() {
        out.push_str(&format!(
            "    <testcase classname=\"ward\" name=\"{} files checked\" time=\"0\"/>\n",
            report.files_scanned
        ));
    }
    for f in report.findings {
        let place = match (f.path.is_empty(), f.line) {
            (true, _) => "(repository)".to_string(),
            (false, 0) => f.path.clone(),
            (false, line) => format!("{}:{line}:{}", f.path, f.column),
        };
        let kind = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\" time=\"0\">\n",
            escape(&f.rule),
            escape(&place),
            escape(&f.path),
            f.line
        ));
        let element = if fails(f) {
            format!(
                "      <failure message=\"{}\" type=\"{kind}\">{} {}: {}</failure>\n",
                escape(&f.message_with_commit()),
                escape(&place),
                escape(&f.rule),
                escape(&f.message_with_commit())
            )
        } else {
            format!(
                "      <system-out>{kind}: {} {}: {}</system-out>\n",
                escape(&place),
                escape(&f.rule),
                escape(&f.message_with_commit())
            )
        };
        out.push_str(&element);
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            super::escape("a<b>&\"c'\u{1}\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}&#10;"
        );
    }
}
