//! A plugin that misbehaves on purpose, for the engine's fault tests:
//! it panics on files containing `FAULTY_PANIC`, reports beyond the end of
//! files containing `FAULTY_OUT_OF_RANGE`, and reports `faulty/marked` at
//! line 1 of files containing `FAULTY_MARK`, and appends to files containing
//! `FAULTY_TOUCH` on disk, as an editor would while ward runs, and reports
//! 20,000 findings for a file containing `FAULTY_FLOOD`, and a message made of
//! every character some output format must escape for a file containing
//! `FAULTY_HOSTILE`. With `WARD_TEST_FAULTY_FOREIGN_RULE` set, its manifest
//! declares a rule outside its name.

use ward_plugin_sdk::{
    export_plugin, File, Finding, Manifest, PluginConfig, RuleInfo, Severity, Span, Validator,
};

pub struct Faulty;

fn contains(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

impl Validator for Faulty {
    fn manifest() -> Manifest {
        Manifest {
            name: "faulty".into(),
            version: "0.0.0".into(),
            description: "misbehaves on purpose".into(),
            rules: vec![RuleInfo {
                id: "faulty/marked".into(),
                summary: "a marked file".into(),
                default_severity: Severity::Warning,
                docs: String::new(),
                fixable: false,
                line_local: false,
                category: String::new(),
                tally_by_directory: false,
                classes: Vec::new(),
                off_by_default: false,
            }]
            .into_iter()
            // A manifest the engine must refuse, on demand of the test
            // that shows it does.
            .chain(
                std::env::var_os("WARD_TEST_FAULTY_FOREIGN_RULE")
                    .map(|_| RuleInfo::new("team/x", "foreign", Severity::Warning, "")),
            )
            .collect(),
        }
    }

    fn new(_: &PluginConfig) -> Result<Self, String> {
        Ok(Faulty)
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        if contains(file.bytes, b"FAULTY_TOUCH") {
            use std::io::Write;
            if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(file.path) {
                let _ = f.write_all(b"edited meanwhile\n");
            }
        }
        if contains(file.bytes, b"FAULTY_PANIC") {
            panic!("faulty plugin met {}", file.path);
        }
        if contains(file.bytes, b"FAULTY_FLOOD") {
            let one = Span {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 2,
            };
            out.extend((0..20_000).map(|_| Finding::new("faulty/marked", "flood").at(one)));
            return;
        }
        if contains(file.bytes, b"FAULTY_HOSTILE") {
            out.push(Finding::new("faulty/marked", HOSTILE).at(Span {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 2,
            }));
            return;
        }
        if contains(file.bytes, b"FAULTY_INFO") {
            out.push(
                Finding::new("faulty/marked", "only worth knowing")
                    .at(Span {
                        line: 1,
                        column: 1,
                        end_line: 1,
                        end_column: 2,
                    })
                    .with_severity(Severity::Info),
            );
            return;
        }
        let span = if contains(file.bytes, b"FAULTY_OUT_OF_RANGE") {
            Span {
                line: 999,
                column: 99,
                end_line: 999,
                end_column: 100,
            }
        } else if contains(file.bytes, b"FAULTY_MARK") {
            Span {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 2,
            }
        } else {
            return;
        };
        out.push(Finding::new("faulty/marked", "marked").at(span));
    }
}

/// Quotes, markup, CDATA ends, workflow-command syntax, percent signs, line
/// breaks, a NUL, a terminal escape, XML-forbidden controls and noncharacters.
const HOSTILE: &str = "\"quoted\" <b>&amp;</b> ]]> ::error::x %0A 50% \\ line\r\nnext\u{0}nul \u{1b}[31mred\u{1b}[0m \u{1}\u{8}\u{b}\u{c}\u{7f} \u{FFFE}\u{FFFF} é 😀 \u{2028}";

export_plugin!(Faulty);
