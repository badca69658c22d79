//! `structure/naming`

use ward_plugin_sdk::{category, Finding, RuleInfo, Severity, Span};

use super::whole_file;
use crate::config::Compiled;

/// The rule's id.
pub const ID: &str = "structure/naming";

const DOCS: &str = r#"## What it does
Checks names against conventions per glob, like ls-lint: `[plugins.structure.naming]` `"src/**/*.ts" = "kebab-case"`. Conventions: `kebab-case`, `snake_case`, `camelCase`, `PascalCase`, `SCREAMING_SNAKE_CASE`, `lowercase`, or `regex:PATTERN`. For files the name up to the first dot is checked; a glob ending in `/` checks directories.

## Bad
`src/UserProfile.ts` under kebab-case.

## Good
`src/user-profile.ts`."#;

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A file or directory name that breaks the naming convention",
        Severity::Error,
        DOCS,
    )
    .category(category::STRUCTURE)
}

/// Reports a name that breaks the first convention whose glob matches it.
pub fn check_path(config: &Compiled, path: &str, is_dir: bool, out: &mut Vec<Finding>) {
    let name = path.rsplit('/').next().unwrap_or(path);
    for (glob, convention) in &config.naming {
        if convention.for_dirs != is_dir || !glob.is_match(path) {
            continue;
        }
        let checked = if is_dir {
            name
        } else {
            name.split('.').next().unwrap_or(name)
        };
        if checked.is_empty() {
            continue;
        }
        if !convention.accepts(checked) {
            let mut finding = whole_file(
                path,
                ID,
                format!(
                    "`{checked}` is not {} ({})",
                    convention.name, convention.pattern_text
                ),
            );
            finding.span = Span::default();
            out.push(finding);
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn naming_conventions_for_files_and_directories() {
        let p = plugin(
            serde_json::json!({"naming": {"src/**/*.ts": "kebab-case", "src/*/": "snake_case", "**/*.py": "regex:[a-z_]+"}}),
        );
        assert_eq!(
            file_findings(&p, "src/app/UserProfile.ts", b""),
            [(
                ID.into(),
                "`UserProfile` is not kebab-case (^[a-z0-9]+(?:-[a-z0-9]+)*$)".into()
            )]
        );
        assert_eq!(file_findings(&p, "src/app/user-profile.test.ts", b""), []);
        assert_eq!(
            file_findings(&p, "tools/Build.py", b"")[0].1,
            "`Build` is not regex:[a-z_]+ (^(?:[a-z_]+)$)"
        );
        let dirs = repo_findings(
            &p,
            vec![
                entry("src/myModule", EntryKind::Dir),
                entry("src/good_one", EntryKind::Dir),
            ],
        );
        assert_eq!(dirs.iter().filter(|f| f.0 == ID).count(), 1);
        assert_eq!(dirs.iter().find(|f| f.0 == ID).unwrap().1, "src/myModule");
    }

    #[test]
    fn unknown_conventions_are_config_errors() {
        let err = StructurePlugin::new(&PluginConfig {
            settings: serde_json::json!({"naming": {"*.rs": "Kebab"}}),
            enabled_rules: None,
            root: None,
        })
        .err()
        .unwrap();
        assert!(
            err.starts_with("unknown naming convention `Kebab`"),
            "{err}"
        );
    }
}
