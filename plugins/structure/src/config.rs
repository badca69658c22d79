//! The `[plugins.structure]` table, checked and compiled once.

use std::collections::BTreeMap;

use globset::{Glob, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use ward_plugin_sdk::{EntryKind, RepoEntry};

use crate::naming::Convention;

/// One required file: a name, or alternatives of which one must exist.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Required {
    /// `"README"`
    One(String),
    /// `["LICENSE", "COPYING"]`
    AnyOf(Vec<String>),
}

/// A size as a number of bytes or a string with a unit.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Size {
    /// Bytes.
    Bytes(u64),
    /// `"1MiB"`.
    Text(String),
}

/// The `[plugins.structure]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// Files that must exist at the top (or in `.github/`, `docs/`).
    pub required: Vec<Required>,
    /// Directories that must exist.
    pub required_dirs: Vec<String>,
    /// Globs of files that must not exist; replaces the default list.
    pub forbidden: Option<Vec<String>>,
    /// `structure/large-file` threshold.
    pub max_file_size: Size,
    /// `structure/path-length` threshold, in characters.
    pub max_path_length: usize,
    /// Naming conventions per glob (a glob ending in `/` is for directories).
    pub naming: BTreeMap<String, String>,
    /// Required and forbidden content per file glob.
    pub content: BTreeMap<String, crate::content::ContentSettings>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            required: vec![
                Required::One("README".into()),
                Required::AnyOf(vec!["LICENSE".into(), "LICENCE".into(), "COPYING".into()]),
            ],
            required_dirs: Vec::new(),
            forbidden: None,
            max_file_size: Size::Text("1MiB".into()),
            max_path_length: 260,
            naming: BTreeMap::new(),
            content: BTreeMap::new(),
        }
    }
}

/// The default `forbidden` globs.
pub const DEFAULT_FORBIDDEN: &[&str] = &[
    "**/.env",
    "**/.env.*",
    "**/.DS_Store",
    "**/Thumbs.db",
    "**/desktop.ini",
    "**/*.swp",
    "**/*.swo",
    "**/*~",
    "**/*.orig",
    "**/*.rej",
    "**/id_rsa",
    "**/id_dsa",
    "**/id_ecdsa",
    "**/id_ed25519",
    "**/*.p12",
    "**/*.pfx",
    "**/*.keystore",
    "**/*.jks",
];

/// `.env.*` files that hold placeholders by convention, not secrets.
pub(crate) const ENV_TEMPLATES: &[&str] = &[
    "example", "sample", "template", "dist", "defaults", "schema",
];

/// A naming rule, compiled.
pub struct NamingRule {
    /// The convention's name, for messages.
    pub name: String,
    /// The regex it stands for, for messages.
    pub pattern_text: String,
    /// Whether the glob is for directories.
    pub for_dirs: bool,
    convention: Convention,
}

impl NamingRule {
    /// Whether `name` follows the convention.
    pub fn accepts(&self, name: &str) -> bool {
        self.convention.accepts(name)
    }
}

/// The settings, compiled.
pub struct Compiled {
    required: Vec<Vec<String>>,
    /// Directories that must exist.
    pub required_dirs: Vec<String>,
    forbidden: GlobSet,
    forbidden_patterns: Vec<String>,
    key_files: GlobSet,
    /// Bytes.
    pub max_file_size: u64,
    /// Characters.
    pub max_path_length: usize,
    /// (glob, rule) in the order written.
    pub naming: Vec<(GlobMatcher, NamingRule)>,
    /// Content rules per glob.
    pub content: Vec<crate::content::ContentRule>,
}

fn globset(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        builder.add(Glob::new(p).map_err(|e| format!("invalid glob `{p}`: {e}"))?);
    }
    builder.build().map_err(|e| e.to_string())
}

impl Settings {
    /// Checks the settings and compiles globs and regexes.
    pub fn compile(self) -> Result<Compiled, String> {
        let forbidden_patterns: Vec<String> = self
            .forbidden
            .unwrap_or_else(|| DEFAULT_FORBIDDEN.iter().map(|s| (*s).to_string()).collect());
        let max_file_size = match &self.max_file_size {
            Size::Bytes(n) => *n,
            Size::Text(t) => ward_plugin_sdk::parse_size(t)
                .ok_or_else(|| format!("invalid max-file-size `{t}`"))?,
        };
        let mut naming = Vec::new();
        for (glob, convention) in &self.naming {
            let for_dirs = glob.ends_with('/');
            let pattern = glob.trim_end_matches('/');
            let matcher = Glob::new(pattern)
                .map_err(|e| format!("invalid naming glob `{glob}`: {e}"))?
                .compile_matcher();
            let parsed = Convention::parse(convention)?;
            naming.push((
                matcher,
                NamingRule {
                    name: convention.clone(),
                    pattern_text: parsed.pattern_text(),
                    for_dirs,
                    convention: parsed,
                },
            ));
        }
        Ok(Compiled {
            required: self
                .required
                .into_iter()
                .map(|r| match r {
                    Required::One(name) => vec![name],
                    Required::AnyOf(names) => names,
                })
                .collect(),
            required_dirs: self
                .required_dirs
                .iter()
                .map(|d| d.trim_end_matches('/').to_string())
                .collect(),
            forbidden: globset(&forbidden_patterns)?,
            forbidden_patterns,
            key_files: globset(&["**/*.pem".into(), "**/*.key".into()])?,
            max_file_size,
            max_path_length: self.max_path_length,
            naming,
            content: crate::content::compile(&self.content)?,
        })
    }
}

/// Whether a file name satisfies a required name: the same name ignoring
/// case, or, when the required name has no extension, the same stem.
fn satisfies(file_name: &str, required: &str) -> bool {
    if file_name.eq_ignore_ascii_case(required) {
        return true;
    }
    !required.contains('.')
        && file_name
            .split_once('.')
            .is_some_and(|(stem, _)| stem.eq_ignore_ascii_case(required))
}

impl Compiled {
    /// A message for each required file (or set of alternatives) that is missing.
    pub fn missing_files(&self, entries: &[RepoEntry<'_>]) -> Vec<String> {
        let candidates: Vec<&str> = entries
            .iter()
            .filter(|e| e.kind != EntryKind::Dir)
            .filter_map(|e| match e.path.rsplit_once('/') {
                None => Some(e.path),
                Some((".github" | "docs", name)) => Some(name),
                Some(_) => None,
            })
            .collect();
        self.required
            .iter()
            .filter(|names| {
                !candidates
                    .iter()
                    .any(|c| names.iter().any(|n| satisfies(c, n)))
            })
            .map(|names| match names.as_slice() {
                [one] => format!("no {one} file (any extension, any case)"),
                many => format!("none of {} (any extension, any case)", many.join(", ")),
            })
            .collect()
    }

    /// Why a file is forbidden, if it is.
    pub fn forbidden(&self, path: &str, bytes: &[u8]) -> Option<String> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if let Some(rest) = name.strip_prefix(".env.") {
            if ENV_TEMPLATES.contains(&rest.to_ascii_lowercase().as_str()) {
                return None;
            }
        }
        if let Some(index) = self.forbidden.matches(path).first() {
            return Some(format!(
                "`{name}` must not be committed (forbidden: `{}`)",
                self.forbidden_patterns[*index]
            ));
        }
        if self.key_files.is_match(path) && bytes.windows(11).any(|w| w == b"PRIVATE KEY") {
            return Some(format!("`{name}` holds a private key"));
        }
        None
    }
}
