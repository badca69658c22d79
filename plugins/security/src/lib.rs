//! ward's `security` plugin: file permissions that open a repository up.
//! (The dangerous-function rules of `security/*` are the rule pack
//! `rules/dangerous-functions.toml`, run by the rule engine.)
//!
//! Modes come from the engine: the executable bits from the git index where
//! the file is tracked, so the rules hold on filesystems without them.

use ward_plugin_sdk::{File, Finding, Manifest, PluginConfig, RuleInfo, Severity, Validator};

const EXEC_BIT: &str = "security/exec-bit";
const SHEBANG: &str = "security/shebang-not-executable";
const WORLD_WRITABLE: &str = "security/world-writable";
const SETUID: &str = "security/setuid";

/// Extensions of files that are executable by nature without a shebang.
const NATIVE_EXECUTABLES: &[&str] = &[
    "exe", "bat", "cmd", "ps1", "com", "dll", "so", "dylib", "jar", "appimage", "bin",
];

/// The plugin's rules.
pub fn rules() -> Vec<RuleInfo> {
    let rules = vec![
        RuleInfo::new(EXEC_BIT, "An executable file that is not a script or a binary", Severity::Warning,
            "## What it does\nFinds text files with an executable bit but no `#!` line.\n\n## Why is this bad?\nUsually a mode copied from another filesystem; running it does something surprising.\n\n## Bad\n`README.md` with mode 755.\n\n## Good\n`README.md` with mode 644 (`git update-index --chmod=-x README.md`)."),
        RuleInfo::new(SHEBANG, "A script with a #! line that is not executable", Severity::Warning,
            "## What it does\nFinds files that start with `#!/` but have no executable bit.\n\n## Bad\n`scripts/deploy.sh` starting with `#!/bin/sh`, mode 644.\n\n## Good\nMode 755 (`git update-index --chmod=+x scripts/deploy.sh`), or no `#!` line for a file that is only sourced."),
        RuleInfo::new(WORLD_WRITABLE, "A file anyone on the machine can write", Severity::Error,
            "## What it does\nFinds files with the world-writable bit (`o+w`).\n\n## Bad\nMode 666 or 777.\n\n## Good\nMode 644 or 755."),
        RuleInfo::new(SETUID, "A setuid or setgid file", Severity::Error,
            "## What it does\nFinds files with the setuid or setgid bit.\n\n## Why is this bad?\nRunning them grants their owner's or group's rights; a repository should never carry that.\n\n## Bad\nMode 4755.\n\n## Good\nMode 755."),
    ];
    rules
        .into_iter()
        .map(|r| r.category(ward_plugin_sdk::category::SECURITY))
        .collect()
}

/// The validator.
pub struct SecurityPlugin {
    enabled: [bool; 4],
}

fn has_shebang(bytes: &[u8]) -> bool {
    // `#!/bin/sh` and `#! /usr/bin/env python`, not Rust's `#![attribute]`.
    bytes.starts_with(b"#!/") || bytes.starts_with(b"#! /")
}

impl Validator for SecurityPlugin {
    fn manifest() -> Manifest {
        Manifest {
            name: "security".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "File permissions: executable bits, shebangs, world-writable and setuid files"
                    .into(),
            rules: rules(),
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        if !config.settings.is_null() && !config.settings.as_object().is_some_and(|o| o.is_empty())
        {
            return Err(
                "the security plugin has no settings; configure its rules under [rules]".into(),
            );
        }
        Ok(SecurityPlugin {
            enabled: [EXEC_BIT, SHEBANG, WORLD_WRITABLE, SETUID].map(|r| config.is_enabled(r)),
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        let mode = file.mode;
        let executable = mode & 0o111 != 0;
        let name = file.path.rsplit('/').next().unwrap_or(file.path);
        let extension = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if self.enabled[0]
            && executable
            && !file.is_binary
            && !has_shebang(file.bytes)
            && !file.bytes.is_empty()
            && !NATIVE_EXECUTABLES.contains(&extension.as_str())
        {
            out.push(Finding::new(
                EXEC_BIT,
                format!("executable (mode {:o}) but has no #! line", mode & 0o7777),
            ));
        }
        if self.enabled[1] && !executable && has_shebang(file.bytes) {
            let first_line = file.bytes.split(|b| *b == b'\n').next().unwrap_or_default();
            out.push(Finding::new(
                SHEBANG,
                format!(
                    "starts with `{}` but is not executable (mode {:o})",
                    String::from_utf8_lossy(first_line).trim_end(),
                    mode & 0o7777
                ),
            ));
        }
        if self.enabled[2] && mode & 0o002 != 0 {
            out.push(Finding::new(
                WORLD_WRITABLE,
                format!("world-writable (mode {:o})", mode & 0o7777),
            ));
        }
        if self.enabled[3] && mode & 0o6000 != 0 {
            let which = if mode & 0o4000 != 0 {
                "setuid"
            } else {
                "setgid"
            };
            out.push(Finding::new(
                SETUID,
                format!("{which} (mode {:o})", mode & 0o7777),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(path: &str, bytes: &[u8], mode: u32, binary: bool) -> Vec<(String, String)> {
        let plugin = SecurityPlugin::new(&PluginConfig::default()).unwrap();
        let mut out = Vec::new();
        plugin.check_file(
            &File {
                path,
                bytes,
                is_binary: binary,
                mode,
            },
            &mut out,
        );
        out.into_iter().map(|f| (f.rule, f.message)).collect()
    }

    #[test]
    fn executable_without_shebang() {
        assert_eq!(
            check("README.md", b"# hi\n", 0o755, false),
            [(
                EXEC_BIT.into(),
                "executable (mode 755) but has no #! line".into()
            )]
        );
        assert_eq!(check("run.sh", b"#!/bin/sh\n", 0o755, false), []);
        assert_eq!(check("tool", b"\x7fELF\0", 0o755, true), []);
        assert_eq!(check("setup.bat", b"@echo off\n", 0o755, false), []);
    }

    #[test]
    fn shebang_without_exec_bit_but_not_rust_attributes() {
        assert_eq!(
            check("deploy.sh", b"#!/usr/bin/env bash\nset -e\n", 0o644, false),
            [(
                SHEBANG.into(),
                "starts with `#!/usr/bin/env bash` but is not executable (mode 644)".into()
            )]
        );
        assert_eq!(
            check("lib.rs", b"#![deny(missing_docs)]\n", 0o644, false),
            []
        );
    }

    #[test]
    fn world_writable_and_setuid() {
        assert_eq!(
            check("a.txt", b"x\n", 0o666, false),
            [(WORLD_WRITABLE.into(), "world-writable (mode 666)".into())]
        );
        assert_eq!(
            check("b", b"#!/bin/sh\n", 0o4755, false),
            [(SETUID.into(), "setuid (mode 4755)".into())]
        );
        assert_eq!(
            check("c", b"#!/bin/sh\n", 0o2755, false),
            [(SETUID.into(), "setgid (mode 2755)".into())]
        );
        assert_eq!(check("d.txt", b"x\n", 0o644, false), []);
    }
}
