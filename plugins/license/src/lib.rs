//! ward's `license` plugin: source files without a license header, and
//! license files whose text no known license matches.

mod header_fix;

use std::sync::OnceLock;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use ward_plugin_sdk::{
    EntryKind, File, Finding, Manifest, PluginConfig, Repo, RuleInfo, Severity, Span, Validator,
};

const MISSING_HEADER: &str = "license/missing-header";
const UNRECOGNIZED: &str = "license/unrecognized";
const DETECTED: &str = "license/detected";
const SPDX_MARKER: &str = "SPDX-License-Identifier:";

/// The plugin's rules.
pub fn rules() -> Vec<RuleInfo> {
    let rules = vec![
        RuleInfo::new(MISSING_HEADER, "A source file without a license header", Severity::Warning,
            "## What it does\nChecks that files matching `header-files` (globs; none by default, so the rule is opt-in) carry `SPDX-License-Identifier:` or the configured `header` text (found by its first line) in their first `header-lines` lines (default 10).\n\n## Fix\nWith `header` and/or `spdx = \"MIT\"` set, `ward check --fix` inserts the header and the `SPDX-License-Identifier:` line at the top, in the comment syntax of the file's language (`//`, `#`, `--`, `;;`, `%`, `/* */`, `<!-- -->`; after a `#!` line or an XML declaration). Files in languages ward does not know are left alone.\n\n## Bad\n```rust\nfn main() {}\n```\n\n## Good\n```rust\n// SPDX-License-Identifier: MIT\nfn main() {}\n```").fixable(),
        RuleInfo::new(UNRECOGNIZED, "A license file whose text no known license matches", Severity::Warning,
            "## What it does\nCompares `LICENSE`, `LICENCE` and `COPYING` files at the top of the repository with the SPDX license texts (the detector cargo-deny uses) and reports a text that matches none with at least `min-confidence` (default 0.8).\n\n## Why is this bad?\nA hand-edited license is legally unclear, and tools that collect licenses cannot classify it.\n\n## Bad\nAn MIT text with a clause added.\n\n## Good\nThe unmodified MIT text."),
        RuleInfo::new(DETECTED, "The license a license file was recognised as", Severity::Info,
            "## What it does\nWith `report-detected = true`, reports as information the SPDX id each top-level license file matches and how closely, so the report says what license the repository carries.\n\n## Bad\n(nothing: this rule only informs)\n\n## Good\n`LICENSE: MIT (99% match)`."),
    ];
    rules
        .into_iter()
        .map(|r| r.category(ward_plugin_sdk::category::DOCUMENTATION))
        .collect()
}

/// The `[plugins.license]` table.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// Source files that need a header.
    pub header_files: Vec<String>,
    /// Text accepted as a header besides an SPDX line (found by its first
    /// line); the fix inserts it.
    pub header: Option<String>,
    /// The SPDX license id the fix writes as `SPDX-License-Identifier: ID`.
    pub spdx: Option<String>,
    /// How many first lines the header may be in.
    pub header_lines: usize,
    /// Minimum similarity (0 to 1) to call a license text recognised.
    pub min_confidence: f32,
    /// Report the recognised license of each license file as an info finding.
    pub report_detected: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            header_files: Vec::new(),
            header: None,
            spdx: None,
            header_lines: 10,
            min_confidence: 0.8,
            report_detected: false,
        }
    }
}

/// The validator.
pub struct LicensePlugin {
    header_files: GlobSet,
    header: Option<String>,
    /// What `--fix` inserts: the header, then the SPDX line (if configured).
    fix_text: Option<String>,
    header_lines: usize,
    min_confidence: f32,
    enabled: [bool; 3],
}

/// The SPDX license texts, loaded once and only when a license file is
/// checked (decompressing them takes a moment).
fn store() -> Option<&'static spdx::detection::Store> {
    static STORE: OnceLock<Option<spdx::detection::Store>> = OnceLock::new();
    STORE
        .get_or_init(|| spdx::detection::Store::load_inline().ok())
        .as_ref()
}

fn is_license_file(path: &str) -> bool {
    if path.contains('/') {
        return false;
    }
    let upper = path.to_ascii_uppercase();
    ["LICENSE", "LICENCE", "COPYING"].iter().any(|n| {
        upper == *n || upper.starts_with(&format!("{n}.")) || upper.starts_with(&format!("{n}-"))
    })
}

impl Validator for LicensePlugin {
    fn manifest() -> Manifest {
        Manifest {
            name: "license".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "License headers in source files and recognisable license texts".into(),
            rules: rules(),
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        let settings: Settings = config.settings()?;
        let mut globs = GlobSetBuilder::new();
        for glob in &settings.header_files {
            globs.add(
                Glob::new(glob).map_err(|e| format!("invalid header-files glob `{glob}`: {e}"))?,
            );
        }
        if !(0.0..=1.0).contains(&settings.min_confidence) {
            return Err("min-confidence is between 0 and 1".into());
        }
        let header = settings.header.filter(|h| !h.trim().is_empty());
        let mut fix_lines: Vec<String> = header.iter().cloned().collect();
        if let Some(id) = settings
            .spdx
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if id.contains(char::is_whitespace)
                && !id.contains(" OR ")
                && !id.contains(" AND ")
                && !id.contains(" WITH ")
            {
                return Err(format!("spdx `{id}` is not an SPDX license expression"));
            }
            fix_lines.push(format!("{SPDX_MARKER} {id}"));
        }
        Ok(LicensePlugin {
            header_files: globs.build().map_err(|e| e.to_string())?,
            fix_text: (!fix_lines.is_empty()).then(|| fix_lines.join("\n")),
            header,
            header_lines: settings.header_lines.max(1),
            min_confidence: settings.min_confidence,
            enabled: [
                config.is_enabled(MISSING_HEADER),
                config.is_enabled(UNRECOGNIZED),
                settings.report_detected && config.is_enabled(DETECTED),
            ],
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        if !self.enabled[0] || file.is_binary || !self.header_files.is_match(file.path) {
            return;
        }
        let head: Vec<&[u8]> = file
            .bytes
            .split(|b| *b == b'\n')
            .take(self.header_lines)
            .collect();
        let has = |needle: &str| {
            head.iter()
                .any(|line| line.windows(needle.len()).any(|w| w == needle.as_bytes()))
        };
        // A multi-line header is found by its first line.
        let header_start = self
            .header
            .as_deref()
            .and_then(|h| h.lines().map(str::trim).find(|l| !l.is_empty()));
        if has(SPDX_MARKER) || header_start.is_some_and(has) {
            return;
        }
        let wanted = match &self.header {
            Some(h) => format!("`{SPDX_MARKER}` or `{h}`"),
            None => format!("`{SPDX_MARKER}`"),
        };
        out.push(
            Finding::new(
                MISSING_HEADER,
                format!(
                    "no license header: {wanted} in the first {} lines",
                    self.header_lines
                ),
            )
            .at(Span {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            })
            .with_fix(self.fix_text.as_deref().map_or_else(Vec::new, |text| {
                header_fix::insert_header(file.path, file.bytes, text)
                    .into_iter()
                    .collect()
            })),
        );
    }

    fn check_repo(&self, repo: &Repo<'_>, out: &mut Vec<Finding>) {
        if !self.enabled[1] && !self.enabled[2] {
            return;
        }
        for entry in repo
            .entries()
            .iter()
            .filter(|e| e.kind == EntryKind::File && is_license_file(e.path))
        {
            let Ok(bytes) = repo.read(entry.path) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let Some(store) = store() else { return };
            let found = store.analyze(&spdx::detection::TextData::new(&text));
            let percent = (found.score * 100.0).round();
            if found.score >= self.min_confidence {
                if self.enabled[2] {
                    out.push(
                        Finding::new(DETECTED, format!("{} ({percent}% match)", found.name))
                            .in_path(entry.path),
                    );
                }
            } else if self.enabled[1] {
                out.push(
                    Finding::new(
                        UNRECOGNIZED,
                        format!(
                            "no known license text matches (closest: {} at {percent}%)",
                            found.name
                        ),
                    )
                    .in_path(entry.path),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plugin(settings: serde_json::Value) -> LicensePlugin {
        let settings = if settings.is_null() {
            serde_json::json!({"report-detected": true})
        } else {
            settings
        };
        LicensePlugin::new(&PluginConfig {
            settings,
            enabled_rules: None,
            root: None,
        })
        .unwrap()
    }

    fn header(p: &LicensePlugin, path: &str, text: &str) -> Vec<(String, String)> {
        ward_plugin_sdk::testing::check_file(p, path, text.as_bytes())
            .into_iter()
            .map(|f| (f.rule, f.message))
            .collect()
    }

    #[test]
    fn headers_only_where_configured() {
        let p = plugin(serde_json::json!({"header-files": ["src/**/*.rs"], "header-lines": 3}));
        assert_eq!(
            header(&p, "src/main.rs", "fn main() {}\n"),
            [(
                MISSING_HEADER.into(),
                "no license header: `SPDX-License-Identifier:` in the first 3 lines".into()
            )]
        );
        assert_eq!(
            header(
                &p,
                "src/main.rs",
                "// Copyright x\n// SPDX-License-Identifier: MIT\nfn main() {}\n"
            ),
            []
        );
        assert_eq!(header(&p, "build.rs", "fn main() {}\n"), []);
        assert_eq!(
            header(&p, "src/late.rs", "\n\n\n// SPDX-License-Identifier: MIT\n").len(),
            1
        );
        let custom =
            plugin(serde_json::json!({"header-files": ["**/*.py"], "header": "Copyright ACME"}));
        assert_eq!(header(&custom, "a.py", "# Copyright ACME 2026\n"), []);
        assert_eq!(
            header(
                &plugin(serde_json::Value::Null),
                "src/main.rs",
                "fn main() {}\n"
            ),
            []
        );
    }

    fn licenses(files: &[(&str, &str)]) -> Vec<(String, String, String)> {
        ward_plugin_sdk::testing::check_repo(&plugin(serde_json::Value::Null), files)
            .into_iter()
            .map(|f| (f.rule, f.path, f.message))
            .collect()
    }

    const MIT: &str = "MIT License\n\nCopyright (c) 2026 Someone\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software and associated documentation files (the \"Software\"), to deal\nin the Software without restriction, including without limitation the rights\nto use, copy, modify, merge, publish, distribute, sublicense, and/or sell\ncopies of the Software, and to permit persons to whom the Software is\nfurnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all\ncopies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\nIMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\nFITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\nAUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\nLIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\nOUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\nSOFTWARE.\n";

    #[test]
    fn recognises_mit_and_flags_a_made_up_license() {
        let found = licenses(&[("LICENSE", MIT), ("src/LICENSE", "ignored: not at the top")]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].0.as_str(), found[0].1.as_str()),
            (DETECTED, "LICENSE")
        );
        assert!(found[0].2.starts_with("MIT ("), "{}", found[0].2);
        let made_up = licenses(&[(
            "COPYING",
            "You may use this software on Tuesdays only, if you ask nicely first.\n",
        )]);
        assert_eq!(made_up.len(), 1);
        assert_eq!(made_up[0].0, UNRECOGNIZED);
        assert!(
            made_up[0]
                .2
                .starts_with("no known license text matches (closest: "),
            "{}",
            made_up[0].2
        );
    }
}
