//! `team/tab-indent`: lines indented with tabs, fixed to spaces.

use ward_plugin_sdk::{Edit, File, Finding, RuleInfo, Severity};

pub const ID: &str = "team/tab-indent";

pub fn rule() -> RuleInfo {
    let docs = "## Bad\n```text\n\tx = 1\n```\n\n## Good\n```text\n    x = 1\n```";
    RuleInfo::new(ID, "A line indented with tabs", Severity::Warning, docs)
        .fixable()
        .line_local()
}

pub fn check(tab_width: usize, file: &File<'_>, out: &mut Vec<Finding>) {
    if file.is_binary || file.path.ends_with("Makefile") {
        return; // make needs its tabs
    }
    let lines = file.lines();
    let mut start = 0;
    for line in file.bytes.split_inclusive(|b| *b == b'\n') {
        let tabs = line.iter().take_while(|b| **b == b'\t').count();
        if tabs > 0 {
            let fix = Edit {
                start,
                end: start + tabs,
                replacement: " ".repeat(tabs * tab_width),
            };
            let message = format!("{tabs} tab(s) of indentation");
            out.push(
                Finding::new(ID, message)
                    .at(lines.span(start, start + tabs))
                    .with_fix(vec![fix]),
            );
        }
        start += line.len();
    }
}
