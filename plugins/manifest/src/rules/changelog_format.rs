//! `manifest/changelog-format`

use ward_plugin_sdk::{category, class, Finding, RuleInfo, Severity, Span};

/// The rule's id.
pub const ID: &str = "manifest/changelog-format";

const DOCS: &str = r#"## What it does
Checks `CHANGELOG.md` headings: `# Changelog`, then `## [Unreleased]` or `## [1.2.3] - 2024-05-01` (a `v` before the version and a compare link after the brackets are fine), with `### Added`, `Changed`, `Deprecated`, `Removed`, `Fixed` or `Security` sections. Each heading that strays is reported when the file says it follows Keep a Changelog (it mentions `keepachangelog.com` or "Keep a Changelog", as the format's template does); a changelog in another format gets one finding, at its first stray heading, with the count of the others, and a conventional-changelog one (as release-please, semantic-release and standard-version write it: release headings ending in `(YYYY-MM-DD)`, `Features` and `Bug Fixes` sections) gets none. Switch it off with `"manifest/changelog-format" = "off"`.

## Bad
```markdown
## Version 1.2 (May)
### New stuff
```

## Good
```markdown
## [1.2.0] - 2024-05-01
### Added
```"#;

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A CHANGELOG.md heading that breaks Keep a Changelog",
        Severity::Warning,
        DOCS,
    )
    .category(category::MANIFESTS)
    // Not test fixtures: a broken manifest there is often the test's input.
    .classes(&[class::DOCUMENTATION, class::GENERATED])
}

const SECTIONS: &[&str] = &[
    "Added",
    "Changed",
    "Deprecated",
    "Removed",
    "Fixed",
    "Security",
];

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn release_heading_ok(heading: &str) -> bool {
    let Some(rest) = heading.strip_prefix('[') else {
        return false;
    };
    let Some((version, rest)) = rest.split_once(']') else {
        return false;
    };
    // `## [1.2.3](https://…/compare/v1.2.2...v1.2.3) - 2024-05-01`: the link
    // inline instead of in a definition below, as release-plz and git-cliff
    // write it.
    let rest = match rest.strip_prefix('(').and_then(|r| r.split_once(')')) {
        Some((_, after)) => after,
        None => rest,
    };
    if version.eq_ignore_ascii_case("unreleased") {
        return rest.is_empty();
    }
    // `v1.2.3`, as tags are named and auto-changelog writes headings.
    let version = version.strip_prefix(['v', 'V']).unwrap_or(version);
    let version_ok = version.chars().next().is_some_and(|c| c.is_ascii_digit());
    let rest = rest.trim_end_matches(" [YANKED]");
    version_ok && rest.strip_prefix(" - ").is_some_and(is_date)
}

/// Whether the changelog is conventional-changelog's: release headings
/// ending in `(YYYY-MM-DD)` (`## [1.2.0](…compare…) (2024-05-01)`,
/// `### 1.1.1 (2024-04-02)`) or its `Features` and `Bug Fixes` sections.
fn follows_conventional_changelog(text: &str) -> bool {
    text.lines().any(|line| {
        let heading = line.trim_start_matches('#');
        if heading.len() == line.len() || !heading.starts_with(' ') {
            return false;
        }
        let heading = heading.trim();
        if matches!(heading, "Features" | "Bug Fixes" | "⚠ BREAKING CHANGES") {
            return true;
        }
        heading
            .strip_suffix(')')
            .and_then(|h| h.rsplit_once(" ("))
            .is_some_and(|(_, date)| is_date(date))
    })
}

/// Keep a Changelog headings: each bad one at its line, or only the first
/// in a changelog that does not say it follows the format.
pub fn check(text: &str, out: &mut Vec<Finding>) {
    let mut problems: Vec<(u32, String, u32)> = Vec::new();
    let mut in_fence = false;
    let mut saw_title = false;
    for (n, line) in text.lines().enumerate() {
        let number = u32::try_from(n + 1).unwrap_or(u32::MAX);
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let problem = if let Some(title) = line.strip_prefix("# ") {
            let ok = !saw_title && title.trim().eq_ignore_ascii_case("changelog");
            saw_title = true;
            (!ok).then(|| format!("`{line}`: the title is `# Changelog`, once"))
        } else if let Some(heading) = line.strip_prefix("## ") {
            (!release_heading_ok(heading.trim())).then(|| {
                format!(
                    "`{line}`: a release heading is `## [Unreleased]` or `## [1.2.3] - YYYY-MM-DD`"
                )
            })
        } else if let Some(section) = line.strip_prefix("### ") {
            (!SECTIONS.contains(&section.trim()))
                .then(|| format!("`{line}`: sections are {}", SECTIONS.join(", ")))
        } else {
            None
        };
        if let Some(message) = problem {
            let width = u32::try_from(line.chars().count()).unwrap_or(u32::MAX);
            problems.push((number, message, width));
        }
    }
    // A changelog in another format would get a finding for every heading
    // of every release: a wall of the same news. It gets one, at its first
    // heading, until the file says it follows Keep a Changelog (its template
    // links keepachangelog.com); then each heading that strays is reported.
    let total = problems.len();
    let lower = text.to_ascii_lowercase();
    let claims = lower.contains("keepachangelog.com") || lower.contains("keep a changelog");
    // release-please, semantic-release and standard-version write
    // conventional-changelog's own format on purpose: not a Keep a
    // Changelog gone wrong.
    if !claims && follows_conventional_changelog(text) {
        return;
    }
    if !claims && total > 1 {
        problems.truncate(1);
        let more = match total - 1 {
            1 => "1 more heading differs".to_string(),
            n => format!("{n} more headings differ"),
        };
        problems[0].1.push_str(&format!(
            " ({more}; each is reported once the file links keepachangelog.com)"
        ));
    }
    for (number, message, width) in problems {
        out.push(Finding::new(ID, message).at(Span {
            line: number,
            column: 1,
            end_line: number,
            end_column: width + 1,
        }));
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::check;

    #[test]
    fn changelog_headings() {
        let text = "# Changelog\n\n## [Unreleased]\n### Added\n- x\n\n## [1.2.0] - 2024-05-01\n### New stuff\n\n## Version 1.1\n```\n## not a heading\n```\nBased on Keep a Changelog.\n";
        let found: Vec<(u32, String)> = check("CHANGELOG.md", text)
            .into_iter()
            .map(|f| (f.1, f.3))
            .collect();
        assert_eq!(
            found,
            [
                (8, "`### New stuff`: sections are Added, Changed, Deprecated, Removed, Fixed, Security".into()),
                (10, "`## Version 1.1`: a release heading is `## [Unreleased]` or `## [1.2.3] - YYYY-MM-DD`".into()),
            ]
        );
    }

    #[test]
    fn a_changelog_in_another_format_gets_one_finding_until_it_claims_keep_a_changelog() {
        let other = "# Release notes\n\n## 2.0\n### Breaking\n\n## 1.0\n";
        let found: Vec<(u32, String)> = check("CHANGELOG.md", other)
            .into_iter()
            .map(|f| (f.1, f.3))
            .collect();
        assert_eq!(
            found,
            [(1, "`# Release notes`: the title is `# Changelog`, once (3 more headings differ; each is reported once the file links keepachangelog.com)".into())]
        );
        let claimed = format!("{other}\nThe format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).\n");
        let lines: Vec<u32> = check("CHANGELOG.md", &claimed)
            .iter()
            .map(|f| f.1)
            .collect();
        assert_eq!(lines, [1, 3, 4, 6]);
        let clean = "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2024-05-01\n### Added\n- x\n";
        assert_eq!(check("CHANGELOG.md", clean), []);
        let linked = "# Changelog\n\nKeep a Changelog.\n\n## [Unreleased](https://x.y/compare/v1.1.0...HEAD)\n\n## [1.1.0](https://x.y/compare/v1.0.0...v1.1.0) - 2024-06-01\n### Fixed\n\n## [1.0.0](https://x.y) 2024-05-01\n## [v0.9.0](https://x.y/compare/v0.8.0...v0.9.0) - 2024-04-01\n";
        let lines: Vec<u32> = check("CHANGELOG.md", linked).iter().map(|f| f.1).collect();
        assert_eq!(lines, [10]);
    }

    #[test]
    fn a_conventional_changelog_is_not_asked_to_be_keep_a_changelog() {
        let release_please = "# Changelog\n\n## [1.2.0](https://github.com/o/r/compare/v1.1.0...v1.2.0) (2024-05-01)\n\n\n### Features\n\n* add x ([#12](https://github.com/o/r/issues/12))\n\n### Bug Fixes\n\n* y\n\n### [1.1.1](https://github.com/o/r/compare/v1.1.0...v1.1.1) (2024-04-02)\n";
        assert_eq!(check("CHANGELOG.md", release_please), []);
        // Claiming Keep a Changelog still holds the file to it.
        let claimed = format!("{release_please}\nThis follows Keep a Changelog.\n");
        assert_eq!(
            check("CHANGELOG.md", &claimed)
                .iter()
                .map(|f| f.1)
                .collect::<Vec<_>>(),
            [3, 6, 10, 14]
        );
    }
}
