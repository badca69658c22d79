//! `ward report --html`: one self-contained page (inline CSS, no script, no
//! network) from a JSON report, single or merged, for people who would
//! rather look than read.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

/// Findings listed in full; beyond this the page says how many it left out
/// (the counts above still include them).
const MAX_LISTED: usize = 5000;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push(super::control_picture(c)),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #1f2328; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #d0d7de; padding-bottom: .3em; }
.meta { color: #59636e; }
.cards { display: flex; gap: 1em; flex-wrap: wrap; margin: 1.5em 0; }
.card { flex: 1 1 140px; padding: .8em 1em; border-radius: 8px; color: #fff; }
.card .n { font-size: 2.2em; font-weight: 700; display: block; }
.card.total { background: #24292f; } .card.error { background: #c92a2a; }
.card.warning { background: #e8590c; } .card.info { background: #1971c2; }
.card.files { background: #2b8a3e; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #eaeef2; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; width: 5em; }
td.bar { width: 40%; } .bar span { display: block; height: .9em; background: #7048e8; border-radius: 3px; min-width: 2px; }
.sev { font-weight: 600; } .sev.error { color: #c92a2a; } .sev.warning { color: #e8590c; } .sev.info { color: #1971c2; }
pre { background: #f6f8fa; padding: .5em; overflow-x: auto; margin: .3em 0 0; font-size: 12px; }
code { font-size: 12px; }
"#;

fn count_table(out: &mut String, title: &str, id: &str, counts: &BTreeMap<String, usize>) {
    let mut rows: Vec<(&String, &usize)> = counts.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let max = rows.first().map_or(1, |r| *r.1).max(1);
    let _ = writeln!(out, "<h2>{}</h2>", escape(title));
    let _ = writeln!(out, "<table id=\"{id}\"><tbody>");
    for (name, count) in rows {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td class=\"n\">{count}</td><td class=\"bar\"><span style=\"width:{}%\"></span></td></tr>",
            escape(name),
            count * 100 / max
        );
    }
    let _ = writeln!(out, "</tbody></table>");
}

/// The directory a path is counted under: its parent, or `.` at the top.
fn directory(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, _)) => dir.to_string(),
        None if path.is_empty() => "(repository)".to_string(),
        None => ".".to_string(),
    }
}

/// Renders `report` (a ward JSON report) as an HTML page.
pub fn render(report: &Value) -> String {
    let findings: &[Value] = report["findings"].as_array().map_or(&[], Vec::as_slice);
    let merged = report["repositories"].is_array();
    let repositories: Vec<String> = if merged {
        report["repositories"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["name"].as_str().map(str::to_string))
            .collect()
    } else {
        report["repository"]
            .as_str()
            .map(|r| vec![r.to_string()])
            .unwrap_or_default()
    };
    let title = match repositories.as_slice() {
        [one] => format!("ward report: {one}"),
        many => format!("ward report: {} repositories", many.len()),
    };
    let summary = &report["summary"];
    let number = |v: &Value| v.as_u64().unwrap_or(0);

    let mut by_rule = BTreeMap::new();
    let mut by_plugin = BTreeMap::new();
    let mut by_directory = BTreeMap::new();
    let mut by_repository = BTreeMap::new();
    for finding in findings {
        let text = |key: &str| finding[key].as_str().unwrap_or_default().to_string();
        *by_rule.entry(text("rule")).or_insert(0) += 1;
        *by_plugin.entry(text("plugin")).or_insert(0) += 1;
        let dir = directory(&text("path"));
        let dir = if merged {
            format!("{}: {dir}", text("repository"))
        } else {
            dir
        };
        *by_directory.entry(dir).or_insert(0) += 1;
        if merged {
            *by_repository.entry(text("repository")).or_insert(0) += 1;
        }
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        escape(&title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(
        out,
        "<p class=\"meta\">ward {} · {} bytes in {} files · {} suppressed · {} in the baseline</p>",
        escape(report["tool"]["version"].as_str().unwrap_or_default()),
        number(&summary["bytes_scanned"]),
        number(&summary["files_scanned"]),
        number(&summary["suppressed"]),
        number(&summary["baselined"]),
    );
    let by_severity = &summary["by_severity"];
    let _ = writeln!(out, "<div class=\"cards\">");
    for (class, label, value) in [
        ("total", "findings", &summary["findings"]),
        ("error", "errors", &by_severity["error"]),
        ("warning", "warnings", &by_severity["warning"]),
        ("info", "infos", &by_severity["info"]),
        ("files", "files scanned", &summary["files_scanned"]),
    ] {
        let _ = writeln!(
            out,
            "<div class=\"card {class}\"><span class=\"n\" id=\"count-{class}\">{}</span>{label}</div>",
            number(value)
        );
    }
    let _ = writeln!(out, "</div>");
    if let Some(score) = report.get("score").filter(|s| s.is_object()) {
        let _ = writeln!(
            out,
            "<h2>Health score</h2>\n<p id=\"score\">{:.1} ({})</p>\n<table id=\"score-categories\"><tbody>",
            score["total"].as_f64().unwrap_or(0.0),
            escape(score["level"].as_str().unwrap_or_default())
        );
        for category in score["categories"].as_array().into_iter().flatten() {
            let value = category["score"].as_f64().unwrap_or(0.0);
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"n\">{value:.1}</td><td class=\"bar\"><span style=\"width:{}%\"></span></td></tr>",
                escape(category["name"].as_str().unwrap_or_default()),
                value.clamp(0.0, 100.0).round()
            );
        }
        let _ = writeln!(out, "</tbody></table>");
    }
    if merged {
        count_table(
            &mut out,
            "Findings by repository",
            "by-repository",
            &by_repository,
        );
    }
    count_table(&mut out, "Findings by rule", "by-rule", &by_rule);
    count_table(&mut out, "Findings by plugin", "by-plugin", &by_plugin);
    count_table(
        &mut out,
        "Findings by directory",
        "by-directory",
        &by_directory,
    );

    let _ = writeln!(out, "<h2>Findings</h2>");
    if findings.is_empty() {
        let _ = writeln!(out, "<p id=\"no-findings\">No findings.</p>");
    }
    let _ = writeln!(out, "<table id=\"findings\"><tbody>");
    for finding in findings.iter().take(MAX_LISTED) {
        let text = |key: &str| escape(finding[key].as_str().unwrap_or_default());
        let severity = text("severity");
        let mut place = text("path");
        if merged {
            place = format!("{}: {place}", text("repository"));
        }
        let line = number(&finding["line"]);
        if line > 0 {
            let _ = write!(place, ":{line}:{}", number(&finding["column"]));
        }
        let snippet = finding["snippet"]["text"]
            .as_str()
            .map(|s| {
                let first = number(&finding["snippet"]["first_line"]);
                let numbered: Vec<String> = s
                    .lines()
                    .enumerate()
                    .map(|(i, l)| format!("{:>5} │ {}", first + i as u64, escape(l)))
                    .collect();
                format!("<pre>{}</pre>", numbered.join("\n"))
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td class=\"sev {severity}\">{severity}</td><td><code>{}</code></td><td><code>{place}</code><br>{}{snippet}</td></tr>",
            text("rule"),
            text("message"),
        );
    }
    let _ = writeln!(out, "</tbody></table>");
    if findings.len() > MAX_LISTED {
        let _ = writeln!(
            out,
            "<p>{} more findings not listed (the counts above include them).</p>",
            findings.len() - MAX_LISTED
        );
    }
    let _ = writeln!(out, "</body>\n</html>");
    out
}

#[cfg(test)]
mod tests {
    use super::{directory, escape};

    #[test]
    fn markup_and_controls_are_escaped() {
        assert_eq!(
            escape("<a href='x'>&\"\u{1b}\u{7f}"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\u{241b}\u{2421}"
        );
    }

    #[test]
    fn directories_are_parents() {
        assert_eq!(directory("src/a/b.rs"), "src/a");
        assert_eq!(directory("README.md"), ".");
        assert_eq!(directory(""), "(repository)");
    }
}
