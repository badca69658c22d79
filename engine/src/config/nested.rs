//! Configs in subdirectories: a `ward.toml` (or `.ward.toml`) below the
//! repository's root applies to its subtree, over the configs above it
//! unless it says `root = true`. Its globs are relative to its directory.
//! It may set `exclude`, `[rules]`, `[[overrides]]`, `[classes]`,
//! `[plugins.<name>]` and `packs`; what concerns the whole run (libraries,
//! limits, the baseline, the score, `extends`) stays in the root config.

use std::path::{Path, PathBuf};

use super::error::{ConfigReadError, LoadError};
use super::layers::Nested;
use super::{Config, CONFIG_NAMES};

/// The config file in `dir`, if it has one.
pub fn config_in(dir: &Path) -> Option<PathBuf> {
    CONFIG_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Whether a repository-relative path names a config file below the root.
pub fn is_nested_config(path: &str) -> bool {
    path.rsplit_once('/')
        .is_some_and(|(_, name)| CONFIG_NAMES.contains(&name))
}

/// Reads the nested configs of the directories `dirs` (repository-relative,
/// each holding a config file) under `root`. A config file must resolve
/// inside `allowed` (the repository), as the root config must.
pub fn load(
    root: &Path,
    mut dirs: Vec<String>,
    allowed: &[PathBuf],
) -> Result<Nested<Config>, LoadError> {
    dirs.sort();
    dirs.dedup();
    let mut nested = Nested::default();
    for dir in dirs {
        let Some(file) = config_in(&root.join(&dir)) else {
            continue;
        };
        let resolved = file.canonicalize().unwrap_or_else(|_| file.clone());
        if !allowed.iter().any(|a| resolved.starts_with(a)) {
            return Err(LoadError::Outside(format!(
                "{} leads outside the repository (to {}); a config in the checked tree must be a file inside it",
                file.display(),
                resolved.display()
            )));
        }
        let text =
            super::read::read_bounded(&file, super::read::CONFIG_LIMIT).map_err(|source| {
                LoadError::Read(ConfigReadError {
                    path: file.display().to_string(),
                    source,
                })
            })?;
        let shown = format!(
            "{dir}/{}",
            file.file_name().unwrap_or_default().to_string_lossy()
        );
        let mut config = super::parse_in(&text, &shown, &root.join(&dir), &format!("{dir}/"))
            .map_err(LoadError::Config)?;
        config.file = Some(file.clone());
        for named in &config.packs {
            let resolved = named
                .path
                .canonicalize()
                .unwrap_or_else(|_| named.path.clone());
            if !allowed.iter().any(|a| resolved.starts_with(a)) {
                return Err(LoadError::Config(named.origin.error(
                    format!("{} is outside the repository", named.path.display()),
                    "named here",
                    None,
                )));
            }
        }
        nested.push(dir, file, config);
    }
    Ok(nested)
}
