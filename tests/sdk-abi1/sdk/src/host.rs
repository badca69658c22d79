//! Loading plugin `cdylib`s: for the engine and any other host.
//!
//! Two steps: a plain `libloading` look-up of the ABI-version symbol, so a
//! library built for another ABI is refused with one clear line; then
//! abi_stable's checked load of the root module, which verifies every layout.

use std::fmt;
use std::path::{Path, PathBuf};

use abi_stable::library::lib_header_from_path;

use crate::abi::PluginModRef;
use crate::{ABI_VERSION, ABI_VERSION_SYMBOL};

/// Why a plugin library was refused.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be opened as a shared library at all.
    NotALibrary {
        /// The library's path.
        path: PathBuf,
        /// The dynamic loader's message.
        detail: String,
    },
    /// A shared library without the ward ABI-version symbol.
    NotAPlugin {
        /// The library's path.
        path: PathBuf,
    },
    /// A ward plugin built for another ABI version.
    AbiMismatch {
        /// The library's path.
        path: PathBuf,
        /// The ABI version the plugin was built for.
        found: u32,
    },
    /// abi_stable refused the root module (layout or version mismatch).
    Incompatible {
        /// The library's path.
        path: PathBuf,
        /// abi_stable's full report, which can be long: show it on request.
        detail: String,
    },
}

impl LoadError {
    /// The long form of the error, for `--verbose`.
    pub fn detail(&self) -> Option<&str> {
        match self {
            LoadError::NotALibrary { detail, .. } | LoadError::Incompatible { detail, .. } => {
                Some(detail)
            }
            _ => None,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotALibrary { path, detail } => {
                let first = detail.lines().next().unwrap_or_default();
                write!(f, "{} is not a loadable shared library: {first}", path.display())
            }
            LoadError::NotAPlugin { path } => write!(
                f,
                "{} is not a ward plugin: it does not export `{ABI_VERSION_SYMBOL}` \
                 (build it with ward_plugin_sdk::export_plugin!)",
                path.display()
            ),
            LoadError::AbiMismatch { path, found } => write!(
                f,
                "plugin {} was built for ward plugin ABI {found}, this ward speaks {ABI_VERSION}: \
                 rebuild it against ward-plugin-sdk with ABI {ABI_VERSION}",
                path.display()
            ),
            LoadError::Incompatible { path, .. } => write!(
                f,
                "plugin {} does not match this ward's plugin interface (types or SDK version differ): \
                 rebuild it against this ward's ward-plugin-sdk (--verbose shows the layout report)",
                path.display()
            ),
        }
    }
}

impl std::error::Error for LoadError {}

/// Loads a plugin library and returns its root module.
///
/// Loading native code runs it: only load libraries you trust.
pub fn load(path: &Path) -> Result<PluginModRef, LoadError> {
    let version = abi_version(path)?;
    if version != ABI_VERSION {
        return Err(LoadError::AbiMismatch {
            path: path.to_path_buf(),
            found: version,
        });
    }
    let header = lib_header_from_path(path).map_err(|e| LoadError::Incompatible {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    // lib_header_from_path + init_root_module, not RootModule::load_from_file,
    // which caches the first module per type and would hand back the wrong plugin.
    header
        .init_root_module::<PluginModRef>()
        .map_err(|e| LoadError::Incompatible {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })
}

fn abi_version(path: &Path) -> Result<u32, LoadError> {
    // SAFETY: opening a library runs its initialisers; the caller chose to load it.
    let library =
        unsafe { libloading::Library::new(path) }.map_err(|e| LoadError::NotALibrary {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
    // SAFETY: the symbol's type is fixed by the SDK's export macro.
    let symbol = unsafe { library.get::<extern "C" fn() -> u32>(ABI_VERSION_SYMBOL.as_bytes()) }
        .map_err(|_| LoadError::NotAPlugin {
            path: path.to_path_buf(),
        })?;
    let version = symbol();
    // Unloading a library that may have registered thread-locals is unsafe on
    // some platforms; abi_stable keeps plugins loaded for the process too.
    std::mem::forget(library);
    Ok(version)
}
