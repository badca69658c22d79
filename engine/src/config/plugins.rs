//! `[[plugin]]`: a plugin library a config names, as a team ships it (one
//! path for every platform, optional on machines without it, pinned by hash).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Origin};

/// A `[[plugin]]` entry as serde sees it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPluginEntry {
    path: Spanned<String>,
    #[serde(default)]
    name: Option<Spanned<String>>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    sha256: Option<Spanned<String>>,
    #[serde(default)]
    replaces: Option<Spanned<String>>,
}

/// A plugin library named by the config.
#[derive(Debug, Clone)]
pub struct PluginPath {
    /// Resolved against the config file's directory, `{dylib}` expanded.
    pub path: PathBuf,
    /// Where the config names it.
    pub origin: Origin,
    /// Named by a config found in the checked tree (not given with
    /// `--config`): loading it would run the repository's own code.
    pub from_repository: bool,
    /// The plugin name the library must have (`name = …`).
    pub name: Option<String>,
    /// A missing library is a warning, not an error (`optional = true`).
    pub optional: bool,
    /// The library's SHA-256, lowercase hex, if the config pins it.
    pub sha256: Option<String>,
    /// The built-in plugin this library deliberately replaces.
    pub replaces: Option<String>,
}

/// The file name of plugin `name`'s library on this platform:
/// `lib{name}.so`, `lib{name}.dylib` or `{name}.dll`, as cargo names a
/// `cdylib` (a crate name's `-` becomes `_`).
pub fn dylib_name(name: &str) -> String {
    format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        name.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    )
}

impl RawPluginEntry {
    /// Where its `path` is, for diagnostics.
    pub(super) fn span(&self) -> std::ops::Range<usize> {
        self.path.span()
    }

    pub(super) fn resolve(
        &self,
        dir: &Path,
        at: &dyn Fn(std::ops::Range<usize>) -> Origin,
    ) -> Result<PluginPath, Box<ConfigError>> {
        let name = self.name.as_ref().map(|n| n.get_ref().clone());
        let raw = self.path.get_ref();
        let path = if raw.contains("{dylib}") {
            let Some(name) = &name else {
                return Err(at(self.path.span()).error(
                    "`{dylib}` needs the plugin's `name` in the same [[plugin]] entry".into(),
                    "this path",
                    Some("add `name = \"<plugin name>\"`: {dylib} becomes lib<name>.so, lib<name>.dylib or <name>.dll".into()),
                ));
            };
            raw.replace("{dylib}", &dylib_name(name))
        } else {
            raw.clone()
        };
        if self.optional && name.is_none() {
            return Err(at(self.path.span()).error(
                "an optional plugin needs its `name`, so that ward knows its rules when the library is missing".into(),
                "this plugin",
                None,
            ));
        }
        let sha256 = match &self.sha256 {
            Some(hash) => {
                let hex = hash.get_ref().trim().to_ascii_lowercase();
                if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(at(hash.span()).error(
                        "`sha256` must be 64 hexadecimal digits (`sha256sum` prints them)".into(),
                        "this hash",
                        None,
                    ));
                }
                Some(hex)
            }
            None => None,
        };
        Ok(PluginPath {
            path: dir.join(path),
            origin: at(self.path.span()),
            from_repository: false,
            name,
            optional: self.optional,
            sha256,
            replaces: self.replaces.as_ref().map(|r| r.get_ref().clone()),
        })
    }
}
