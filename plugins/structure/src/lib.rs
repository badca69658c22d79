//! ward's `structure` plugin: what a repository must hold, must not hold, and
//! how its paths must look.
//!
//! Per-path rules run in `check_file`, so a commit hook that passes file
//! names catches them; rules about the tree as a whole (required files,
//! case conflicts, directory names, symlinks) run in `check_repo`.

mod config;
mod content;
mod naming;

use std::collections::HashMap;

use ward_plugin_sdk::{
    EntryKind, File, Finding, Manifest, PluginConfig, Repo, RuleInfo, Severity, Span, Validator,
};

use config::Compiled;
pub use config::Settings;

/// Every rule of the plugin with its docs.
pub fn rules() -> Vec<RuleInfo> {
    let rules = vec![
        RuleInfo::new("structure/required-file", "A file the repository must have is missing", Severity::Error,
            "## What it does\nChecks that each `required` name exists at the top of the repository, matched case-insensitively with any extension (`README` matches `readme.md`). An entry may be a list of alternatives: `[\"LICENSE\", \"COPYING\"]`.\n\nDefault: a README and a LICENSE. Also available: `CHANGELOG`, `SECURITY.md`, `CONTRIBUTING.md`, `.editorconfig`, `.gitignore`, `CODEOWNERS` (looked for in `.github/` and `docs/` too).\n\n## Bad\nA repository with `src/` only.\n\n## Good\n`README.md` and `LICENSE` beside `src/`."),
        RuleInfo::new("structure/required-dir", "A directory the repository must have is missing", Severity::Error,
            "## What it does\nChecks that each of `required-dirs` exists.\n\n## Bad\n`required-dirs = [\"docs\"]` and no `docs/`.\n\n## Good\nA `docs/` directory."),
        RuleInfo::new("structure/forbidden-file", "A file that must not be committed", Severity::Error,
            "## What it does\nFinds files matching `forbidden` globs. Default: `.env` and `.env.*` (not `.env.example`, `.env.sample`, `.env.template`), `.DS_Store`, `Thumbs.db`, editor swap and backup files, `*.orig`, `*.rej`, SSH private keys (`id_rsa`…), `*.p12`, `*.pfx`, `*.keystore`, `*.jks`, and `*.pem`/`*.key` files that hold a private key.\n\n## Bad\n`.env` with production credentials.\n\n## Good\n`.env.example` with placeholders."),
        RuleInfo::new("structure/large-file", "A file larger than the configured limit", Severity::Warning,
            "## What it does\nFinds files over `max-file-size` (default 1 MiB).\n\n## Why is this bad?\nLarge files bloat every clone forever; they belong in Git LFS or an artifact store.\n\n## Bad\nA 40 MB `dataset.csv` in git.\n\n## Good\nThe dataset in LFS, a pointer in git."),
        RuleInfo::new("structure/case-conflict", "Two paths that differ only in letter case", Severity::Error,
            "## What it does\nFinds paths equal but for case.\n\n## Why is this bad?\nOn macOS and Windows they are one file: checkouts break.\n\n## Bad\n`README.md` and `readme.md`.\n\n## Good\nOne of them."),
        RuleInfo::new("structure/portable-name", "A file name that breaks on Windows or macOS", Severity::Error,
            "## What it does\nFinds names reserved on Windows (`CON`, `PRN`, `AUX`, `NUL`, `COM1`-`COM9`, `LPT1`-`LPT9`, with any extension), names ending in a dot or space, and names with `< > : \" | ? * \\` or control characters.\n\n## Bad\n`aux.c`, `notes:draft.md`.\n\n## Good\n`auxiliary.c`, `notes-draft.md`."),
        RuleInfo::new("structure/path-length", "A path too long for some systems", Severity::Warning,
            "## What it does\nFinds paths longer than `max-path-length` (default 260 characters, the classic Windows limit) and names longer than 255 bytes.\n\n## Bad\n`a/very/deep/…/file-with-a-long-name.txt` (300 characters).\n\n## Good\nA flatter layout."),
        RuleInfo::new("structure/naming", "A file or directory name that breaks the naming convention", Severity::Error,
            "## What it does\nChecks names against conventions per glob, like ls-lint: `[plugins.structure.naming]` `\"src/**/*.ts\" = \"kebab-case\"`. Conventions: `kebab-case`, `snake_case`, `camelCase`, `PascalCase`, `SCREAMING_SNAKE_CASE`, `lowercase`, or `regex:PATTERN`. For files the name up to the first dot is checked; a glob ending in `/` checks directories.\n\n## Bad\n`src/UserProfile.ts` under kebab-case.\n\n## Good\n`src/user-profile.ts`."),
        RuleInfo::new(content::REQUIRED_CONTENT, "A key file lacks content it must have", Severity::Error,
            "## What it does\nFor each file glob under `[plugins.structure.content]`, checks that matching files have every listed Markdown heading (`headings`: any level, case-insensitive, outside code blocks) and match every regex in `patterns`. The finding is at line 1 and names each missing item. Nothing is configured by default.\n\n```toml\n[plugins.structure.content.\"README.md\"]\nheadings = [\"Installation\", \"Usage\", \"Contributing\", \"License\"]\n\n[plugins.structure.content.\"CHANGELOG.md\"]\npatterns = ['^## \\\\[Unreleased\\\\]']\n```\n\n## Bad\nA README with only `# Project`.\n\n## Good\nA README with `## Installation`, `## Usage`, `## Contributing` and `## License`."),
        RuleInfo::new(content::FORBIDDEN_CONTENT, "A key file holds content it must not have", Severity::Error,
            "## What it does\nFor each file glob under `[plugins.structure.content]`, reports every match of the regexes in `forbidden`, at its line and column.\n\n```toml\n[plugins.structure.content.\"**/*.md\"]\nforbidden = ['(?i)lorem ipsum', 'TBD']\n```\n\n## Bad\n`## Usage\\nTBD`\n\n## Good\n`## Usage\\nRun ward check .`"),
        RuleInfo::new("structure/symlink-escape", "A symlink whose target is outside the repository", Severity::Error,
            "## What it does\nFinds symbolic links whose target, resolved from the link's directory without following any link, lies outside the repository (or is absolute).\n\n## Why is this bad?\nThe link works on one machine and leaks or breaks everywhere else; tools that follow it read outside the checkout.\n\n## Bad\n`config -> ../../etc/app`.\n\n## Good\n`config -> ./defaults/app`."),
    ];
    rules
        .into_iter()
        .map(|r| {
            let category = match r.id.as_str() {
                "structure/required-file"
                | content::REQUIRED_CONTENT
                | content::FORBIDDEN_CONTENT => ward_plugin_sdk::category::DOCUMENTATION,
                "structure/forbidden-file" => ward_plugin_sdk::category::SECURITY,
                _ => ward_plugin_sdk::category::STRUCTURE,
            };
            r.category(category)
        })
        .collect()
}

/// The validator.
pub struct StructurePlugin {
    config: Compiled,
    enabled: HashMap<String, bool>,
}

impl StructurePlugin {
    fn on(&self, rule: &str) -> bool {
        self.enabled.get(rule).copied().unwrap_or(false)
    }
}

fn whole_file(path: &str, rule: &str, message: String) -> Finding {
    Finding::new(rule, message).in_path(path)
}

impl Validator for StructurePlugin {
    fn manifest() -> Manifest {
        Manifest {
            name: "structure".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Required and forbidden files, naming, portable names, sizes, symlinks"
                .into(),
            rules: rules(),
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        let settings: Settings = config.settings()?;
        let enabled = rules()
            .into_iter()
            .map(|r| (r.id.clone(), config.is_enabled(&r.id)))
            .collect();
        Ok(StructurePlugin {
            config: settings.compile()?,
            enabled,
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        let path = file.path;
        if self.on("structure/forbidden-file") {
            if let Some(why) = self.config.forbidden(path, file.bytes) {
                out.push(whole_file(path, "structure/forbidden-file", why));
            }
        }
        if self.on("structure/large-file") && file.bytes.len() as u64 > self.config.max_file_size {
            out.push(whole_file(
                path,
                "structure/large-file",
                format!(
                    "{} bytes, over the {} byte limit",
                    file.bytes.len(),
                    self.config.max_file_size
                ),
            ));
        }
        let (required, forbidden) = (
            self.on(content::REQUIRED_CONTENT),
            self.on(content::FORBIDDEN_CONTENT),
        );
        if (required || forbidden) && !file.is_binary {
            for rule in &self.config.content {
                rule.check(path, file.bytes, required, forbidden, out);
            }
        }
        self.check_path(path, false, out);
    }

    fn check_repo(&self, repo: &Repo<'_>, out: &mut Vec<Finding>) {
        let entries = repo.entries();
        if self.on("structure/required-file") {
            for missing in self.config.missing_files(entries) {
                out.push(Finding::new("structure/required-file", missing));
            }
        }
        if self.on("structure/required-dir") {
            for dir in &self.config.required_dirs {
                let found = entries
                    .iter()
                    .any(|e| e.kind == EntryKind::Dir && e.path.eq_ignore_ascii_case(dir));
                if !found {
                    out.push(Finding::new(
                        "structure/required-dir",
                        format!("no `{dir}/` directory"),
                    ));
                }
            }
        }
        if self.on("structure/case-conflict") {
            let mut seen: HashMap<std::borrow::Cow<'_, str>, &str> =
                HashMap::with_capacity(entries.len());
            for e in entries {
                // Most paths are lower case already: only the others are
                // copied to fold them.
                let unchanged_by_folding = e.path.chars().all(|c| {
                    let mut lower = c.to_lowercase();
                    lower.next() == Some(c) && lower.next().is_none()
                });
                let folded = if !unchanged_by_folding {
                    std::borrow::Cow::Owned(e.path.to_lowercase())
                } else {
                    std::borrow::Cow::Borrowed(e.path)
                };
                if let Some(first) = seen.get(&folded) {
                    if *first != e.path {
                        out.push(whole_file(
                            e.path,
                            "structure/case-conflict",
                            format!("`{}` and `{first}` differ only in case", e.path),
                        ));
                    }
                } else {
                    seen.insert(folded, e.path);
                }
            }
        }
        for e in entries {
            match e.kind {
                EntryKind::Dir => self.check_path(e.path, true, out),
                EntryKind::Symlink => {
                    self.check_path(e.path, false, out);
                    if self.on("structure/symlink-escape") {
                        if let Some(target) = e.link_target {
                            if escapes(e.path, target) {
                                out.push(whole_file(
                                    e.path,
                                    "structure/symlink-escape",
                                    format!("symlink to `{target}`, outside the repository"),
                                ));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

impl StructurePlugin {
    /// The rules about a path's own shape: portable names, length, naming.
    fn check_path(&self, path: &str, is_dir: bool, out: &mut Vec<Finding>) {
        let name = path.rsplit('/').next().unwrap_or(path);
        if self.on("structure/portable-name") {
            if let Some(why) = naming::unportable(name) {
                out.push(whole_file(
                    path,
                    "structure/portable-name",
                    format!("`{name}` {why}"),
                ));
            }
        }
        // Directories are left to their files: a deep tree would otherwise
        // report every directory below the limit as well.
        if self.on("structure/path-length") && !is_dir {
            let chars = path.chars().count();
            if chars > self.config.max_path_length {
                out.push(whole_file(
                    path,
                    "structure/path-length",
                    format!(
                        "the path is {chars} characters, over {}",
                        self.config.max_path_length
                    ),
                ));
            } else if name.len() > 255 {
                out.push(whole_file(
                    path,
                    "structure/path-length",
                    format!("the name is {} bytes, over 255", name.len()),
                ));
            }
        }
        if self.on("structure/naming") {
            for (glob, convention) in &self.config.naming {
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
                        "structure/naming",
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
    }
}

/// Whether a link at `path` pointing to `target` leaves the repository,
/// resolved lexically from the link's directory.
fn escapes(path: &str, target: &str) -> bool {
    if target.starts_with('/')
        || target.starts_with('\\')
        || target.get(1..3) == Some(":\\")
        || target.get(1..3) == Some(":/")
    {
        return true;
    }
    let mut depth: Vec<&str> = path.split('/').collect();
    depth.pop(); // the link's own name
    for part in target.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                if depth.pop().is_none() {
                    return true;
                }
            }
            other => depth.push(other),
        }
    }
    false
}

#[cfg(test)]
mod tests;
