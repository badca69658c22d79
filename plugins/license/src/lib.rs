//! ward's `license` plugin: source files without a license header, and
//! license files whose text no known license matches.
//!
//! Each rule lives in its own module under `rules/`; [`RULES`] registers
//! them. A license file is analysed once for both repository rules.

mod header_fix;
mod rules;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use ward_plugin_sdk::{File, Finding, Manifest, PluginConfig, Repo, RuleInfo, Validator};

use rules::{detected, missing_header, unrecognized, SPDX_MARKER};

/// Every rule of the plugin.
pub const RULES: &[fn() -> RuleInfo] = &[missing_header::info, unrecognized::info, detected::info];

/// The plugin's rules.
pub fn rules() -> Vec<RuleInfo> {
    RULES.iter().map(|info| info()).collect()
}

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

/// The validator: the settings, checked and compiled.
pub struct LicensePlugin {
    header_files: GlobSet,
    header: Option<String>,
    /// What `--fix` inserts: the header, then the SPDX line (if configured).
    fix_text: Option<String>,
    header_lines: usize,
    min_confidence: f32,
    missing_header: bool,
    unrecognized: bool,
    detected: bool,
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
            missing_header: config.is_enabled(missing_header::ID),
            unrecognized: config.is_enabled(unrecognized::ID),
            detected: settings.report_detected && config.is_enabled(detected::ID),
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        if self.missing_header && !file.is_binary && self.header_files.is_match(file.path) {
            missing_header::check(self, file, out);
        }
    }

    fn check_repo(&self, repo: &Repo<'_>, out: &mut Vec<Finding>) {
        if !self.unrecognized && !self.detected {
            return;
        }
        for text in rules::license_texts(repo) {
            if self.detected {
                detected::check(self, &text, out);
            }
            if self.unrecognized {
                unrecognized::check(self, &text, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plugin with `settings` (`report-detected = true` when null).
    pub(crate) fn plugin(settings: serde_json::Value) -> LicensePlugin {
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

    /// What the repository rules report: `(rule, path, message)`.
    pub(crate) fn licenses(files: &[(&str, &str)]) -> Vec<(String, String, String)> {
        ward_plugin_sdk::testing::check_repo(&plugin(serde_json::Value::Null), files)
            .into_iter()
            .map(|f| (f.rule, f.path, f.message))
            .collect()
    }

    pub(crate) const MIT: &str = "MIT License\n\nCopyright (c) 2026 Someone\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software and associated documentation files (the \"Software\"), to deal\nin the Software without restriction, including without limitation the rights\nto use, copy, modify, merge, publish, distribute, sublicense, and/or sell\ncopies of the Software, and to permit persons to whom the Software is\nfurnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all\ncopies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\nIMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\nFITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\nAUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\nLIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\nOUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\nSOFTWARE.\n";

    #[test]
    fn detected_is_off_unless_asked_for() {
        let quiet = plugin(serde_json::json!({}));
        assert_eq!(
            ward_plugin_sdk::testing::check_repo(&quiet, &[("LICENSE", MIT)]).len(),
            0
        );
    }
}
