//! `license/missing-header`

use ward_plugin_sdk::{category, File, Finding, RuleInfo, Severity, Span};

use super::SPDX_MARKER;
use crate::LicensePlugin;

/// The rule's id.
pub const ID: &str = "license/missing-header";

const DOCS: &str = r#"## What it does
Checks that files matching `header-files` (globs; none by default, so the rule is opt-in) carry `SPDX-License-Identifier:` or the configured `header` text (found by its first line) in their first `header-lines` lines (default 10).

## Fix
With `header` and/or `spdx = "MIT"` set, `ward check --fix` inserts the header and the `SPDX-License-Identifier:` line at the top, in the comment syntax of the file's language (`//`, `#`, `--`, `;;`, `%`, `/* */`, `<!-- -->`; after a `#!` line or an XML declaration). Files in languages ward does not know are left alone.

## Bad
```rust
fn main() {}
```

## Good
```rust
// SPDX-License-Identifier: MIT
fn main() {}
```"#;

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A source file without a license header",
        Severity::Warning,
        DOCS,
    )
    .category(category::DOCUMENTATION)
    .fixable()
}

/// Checks a file that `header-files` names.
pub fn check(plugin: &LicensePlugin, file: &File<'_>, out: &mut Vec<Finding>) {
    let head: Vec<&[u8]> = file
        .bytes
        .split(|b| *b == b'\n')
        .take(plugin.header_lines)
        .collect();
    let has = |needle: &str| {
        head.iter()
            .any(|line| line.windows(needle.len()).any(|w| w == needle.as_bytes()))
    };
    // A multi-line header is found by its first line.
    let header_start = plugin
        .header
        .as_deref()
        .and_then(|h| h.lines().map(str::trim).find(|l| !l.is_empty()));
    if has(SPDX_MARKER) || header_start.is_some_and(has) {
        return;
    }
    let wanted = match &plugin.header {
        Some(h) => format!("`{SPDX_MARKER}` or `{h}`"),
        None => format!("`{SPDX_MARKER}`"),
    };
    out.push(
        Finding::new(
            ID,
            format!(
                "no license header: {wanted} in the first {} lines",
                plugin.header_lines
            ),
        )
        .at(Span {
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
        })
        .with_fix(plugin.fix_text.as_deref().map_or_else(Vec::new, |text| {
            crate::header_fix::insert_header(file.path, file.bytes, text)
                .into_iter()
                .collect()
        })),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::plugin;

    fn header(p: &LicensePlugin, path: &str, text: &str) -> Vec<(String, u32, String)> {
        ward_plugin_sdk::testing::check_file(p, path, text.as_bytes())
            .into_iter()
            .map(|f| (f.rule, f.span.line, f.message))
            .collect()
    }

    #[test]
    fn headers_only_where_configured() {
        let p = plugin(serde_json::json!({"header-files": ["src/**/*.rs"], "header-lines": 3}));
        assert_eq!(
            header(&p, "src/main.rs", "fn main() {}\n"),
            [(
                ID.into(),
                1,
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
    }

    #[test]
    fn a_configured_header_counts_and_nothing_is_checked_by_default() {
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
}
