//! The rules, one module each, and what they share.

pub mod exec_bit;
pub mod setuid;
pub mod shebang_not_executable;
pub mod world_writable;

/// Whether the file starts with a `#!` line: `#!/bin/sh` and
/// `#! /usr/bin/env python`, not Rust's `#![attribute]`.
pub(crate) fn has_shebang(bytes: &[u8]) -> bool {
    bytes.starts_with(b"#!/") || bytes.starts_with(b"#! /")
}

/// The permission bits as `ls` and `chmod` write them.
pub(crate) fn mode_text(mode: u32) -> String {
    format!("{:o}", mode & 0o7777)
}

/// Runs one rule on a file, for the rules' tests: `(rule, message)` pairs.
#[cfg(test)]
pub(crate) fn run(
    rule: &crate::Rule,
    path: &str,
    bytes: &[u8],
    mode: u32,
    is_binary: bool,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    (rule.check)(
        &ward_plugin_sdk::File {
            path,
            bytes,
            is_binary,
            mode,
        },
        &mut out,
    );
    out.into_iter().map(|f| (f.rule, f.message)).collect()
}
