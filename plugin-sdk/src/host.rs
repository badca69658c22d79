//! The host side of the plugin boundary: loading plugin `cdylib`s, and
//! [`Plugin`], the safe type a host runs built-in and loaded plugins through.
//!
//! Two steps: a plain `libloading` look-up of the ABI-version symbol, so a
//! library built for another ABI is refused with one clear line; then
//! abi_stable's checked load of the root module, which verifies every layout.

use std::fmt;
use std::path::{Path, PathBuf};

use abi_stable::library::lib_header_from_path;
use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RResult, RSlice, RStr, RString, RVec};

use crate::abi::{
    FileInputFfi, FindingFfi, PluginModRef, RepoEntryFfi, RepoInputFfi, RepoReaderFfi,
    RepoReaderFfi_TO, ValidatorBox,
};
use crate::{ABI_VERSION, ABI_VERSION_SYMBOL, SDK_RANGE};

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
    /// A plugin built against an SDK of another major version.
    SdkMismatch {
        /// The library's path.
        path: PathBuf,
        /// The SDK version the plugin was built against.
        found: String,
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
                "plugin {} was built for ward plugin ABI {found} (ward-plugin-sdk {found}.x); \
                 this ward loads ABI {ABI_VERSION}: rebuild it against ward-plugin-sdk {SDK_RANGE}",
                path.display()
            ),
            LoadError::SdkMismatch { path, found } => write!(
                f,
                "plugin {} was built against ward-plugin-sdk {found}; \
                 this ward loads plugins built against ward-plugin-sdk {SDK_RANGE}: rebuild it",
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
    load_with_version(path).map(|(module, _)| module)
}

/// Loads a plugin library: its root module and the SDK version it was built
/// against.
fn load_with_version(path: &Path) -> Result<(PluginModRef, &'static str), LoadError> {
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
    // abi_stable compares the SDK's crate version too (same major; for 0.x
    // the same minor); saying which versions load is clearer than its report.
    let built_with = header.version_strings().version.as_str();
    if !crate::loads_sdk(built_with) {
        return Err(LoadError::SdkMismatch {
            path: path.to_path_buf(),
            found: built_with.to_string(),
        });
    }
    // lib_header_from_path + init_root_module, not RootModule::load_from_file,
    // which caches the first module per type and would hand back the wrong plugin.
    header
        .init_root_module::<PluginModRef>()
        .map(|module| (module, built_with))
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

/// A plugin as a host runs it, linked in or loaded from a library: the one
/// type behind which every FFI conversion of the host side happens, so a
/// host never touches `abi_stable` types itself.
#[derive(Clone, Copy)]
pub struct Plugin {
    module: PluginModRef,
    sdk_version: &'static str,
}

impl Plugin {
    /// A plugin linked into the host.
    pub fn builtin<V: crate::Validator>() -> Self {
        Plugin {
            module: crate::module::<V>(),
            sdk_version: crate::SDK_VERSION,
        }
    }

    /// The ward-plugin-sdk version the plugin was built against.
    pub fn sdk_version(&self) -> &'static str {
        self.sdk_version
    }

    /// Loads a plugin library, as [`load`] does.
    ///
    /// Loading native code runs it: only load libraries you trust.
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        load_with_version(path).map(|(module, sdk_version)| Plugin {
            module,
            sdk_version,
        })
    }

    /// The plugin's manifest; the error says what is wrong with its JSON.
    pub fn manifest(&self) -> Result<crate::Manifest, String> {
        let json = (self.module.manifest())();
        serde_json::from_str(json.as_str()).map_err(|e| e.to_string())
    }

    /// A validator made from a [`crate::PluginConfig`] as JSON; the error is
    /// the plugin's own message (a setting it rejects, say).
    pub fn create(&self, config_json: &str) -> Result<Instance, String> {
        match (self.module.create())(RStr::from_str(config_json)) {
            RResult::ROk(validator) => Ok(Instance { validator }),
            RResult::RErr(message) => Err(message.into_string()),
        }
    }
}

/// A configured validator of a [`Plugin`].
pub struct Instance {
    validator: ValidatorBox,
}

/// A file the host hands to [`Instance::check_files`].
#[derive(Clone, Copy, Debug)]
pub struct HostFile<'a> {
    /// Repository-relative path with `/` separators.
    pub path: &'a str,
    /// The content (a whole file, or a piece of whole lines of a large one).
    pub bytes: &'a [u8],
    /// Whether the host judged the file binary.
    pub is_binary: bool,
    /// Unix permission bits.
    pub mode: u32,
}

/// A finding as a plugin reported it, before the host checks it (rule id,
/// positions, caps): plugin output is never trusted as it comes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reported {
    /// The rule id the plugin gave.
    pub rule: String,
    /// Repository-relative path; empty for the repository as a whole.
    pub path: String,
    /// The message.
    pub message: String,
    /// 1-based line (0: the whole file).
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
    /// Line where the finding ends.
    pub end_line: u32,
    /// Column one past its last character.
    pub end_column: u32,
    /// The edits that fix it.
    pub fix: Vec<crate::Edit>,
    /// The secret the finding is about, to mask everywhere (empty if none).
    pub secret: String,
    /// The severity the plugin chose for this finding, if it chose one.
    pub severity: Option<crate::Severity>,
    /// For a plugin's panic, its backtrace, when the plugin was asked for
    /// one (`RUST_BACKTRACE`).
    pub backtrace: Option<String>,
}

/// Where a finding a plugin placed at `line:column` (1-based) is shown in
/// the file `lines` indexes: the place itself when it is inside the file,
/// else the nearest place that is. The engine reports a plugin's place
/// outside its file as the plugin's error; the testing helpers fail the
/// test.
pub fn clamp_position(lines: &crate::LineIndex<'_>, line: u32, column: u32) -> (u32, u32) {
    let line = line.min(lines.line_count());
    let width = u32::try_from(crate::char_count(lines.line(line))).unwrap_or(u32::MAX);
    (line, column.clamp(1, width.saturating_add(1)))
}

impl Reported {
    pub(crate) fn from_ffi(ffi: FindingFfi) -> Self {
        Reported {
            rule: ffi.rule.into_string(),
            path: ffi.path.into_string(),
            message: ffi.message.into_string(),
            line: ffi.line,
            column: ffi.column,
            end_line: ffi.end_line,
            end_column: ffi.end_column,
            fix: ffi
                .fix
                .into_iter()
                .map(|e| crate::Edit {
                    start: usize::try_from(e.start).unwrap_or(usize::MAX),
                    end: usize::try_from(e.end).unwrap_or(usize::MAX),
                    replacement: e.replacement.into_string(),
                })
                .collect(),
            secret: ffi.secret.into_string(),
            severity: crate::Severity::from_ffi(ffi.severity),
            backtrace: serde_json::from_str::<serde_json::Value>(ffi.extra.as_str())
                .ok()
                .and_then(|extra| extra.get("backtrace")?.as_str().map(str::to_string)),
        }
    }
}

/// Reads repository files for a plugin's repository check.
struct Reader<'a> {
    read: &'a (dyn Fn(&str) -> Result<Vec<u8>, String> + Sync),
}

impl RepoReaderFfi for Reader<'_> {
    fn read(&self, path: RStr<'_>) -> RResult<RVec<u8>, RString> {
        match (self.read)(path.as_str()) {
            Ok(bytes) => RResult::ROk(bytes.into()),
            Err(message) => RResult::RErr(message.into()),
        }
    }
}

impl Instance {
    /// Checks a batch of files.
    pub fn check_files(&self, files: &[HostFile<'_>]) -> Vec<Reported> {
        let inputs: Vec<FileInputFfi<'_>> = files
            .iter()
            .map(|f| FileInputFfi {
                path: RStr::from_str(f.path),
                bytes: RSlice::from_slice(f.bytes),
                is_binary: f.is_binary,
                mode: f.mode,
            })
            .collect();
        self.validator
            .check_files(RSlice::from_slice(&inputs))
            .into_iter()
            .map(Reported::from_ffi)
            .collect()
    }

    /// Checks the repository whose entries are `entries`; `read` reads a
    /// repository-relative path on the plugin's behalf (the host decides
    /// what it may read).
    pub fn check_repo(
        &self,
        entries: &[crate::RepoEntry<'_>],
        read: &(dyn Fn(&str) -> Result<Vec<u8>, String> + Sync),
    ) -> Vec<Reported> {
        let entries: Vec<RepoEntryFfi<'_>> = entries
            .iter()
            .map(|e| RepoEntryFfi {
                path: RStr::from_str(e.path),
                kind: match e.kind {
                    crate::EntryKind::File => 0,
                    crate::EntryKind::Dir => 1,
                    crate::EntryKind::Symlink => 2,
                    crate::EntryKind::Other => 3,
                },
                size: e.size,
                mode: e.mode,
                link_target: RStr::from_str(e.link_target.unwrap_or("")),
            })
            .collect();
        let reader = Reader { read };
        let input = RepoInputFfi {
            entries: RSlice::from_slice(&entries),
            reader: RepoReaderFfi_TO::from_ptr(&reader, TD_Opaque),
        };
        self.validator
            .check_repo(&input)
            .into_iter()
            .map(Reported::from_ffi)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Edit, File, Finding, Manifest, PluginConfig, Repo, RuleInfo, Severity, Span};

    /// Reports each file as it sees it, and the first line of README.md.
    struct Echo;

    impl crate::Validator for Echo {
        fn manifest() -> Manifest {
            Manifest {
                name: "echo".into(),
                version: "1.0.0".into(),
                description: String::new(),
                rules: vec![RuleInfo::new("echo/seen", "seen", Severity::Warning, "")],
            }
        }

        fn new(config: &PluginConfig) -> Result<Self, String> {
            match config.settings.get("refuse") {
                Some(_) => Err("refused".into()),
                None => Ok(Echo),
            }
        }

        fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
            out.push(
                Finding::new(
                    "echo/seen",
                    format!("{} {} {:o}", file.bytes.len(), file.is_binary, file.mode),
                )
                .at(Span {
                    line: 1,
                    column: 2,
                    end_line: 1,
                    end_column: 3,
                })
                .with_fix(vec![Edit {
                    start: 0,
                    end: 1,
                    replacement: "x".into(),
                }])
                .with_severity(Severity::Info),
            );
        }

        fn check_repo(&self, repo: &Repo<'_>, out: &mut Vec<Finding>) {
            let text = match repo.read("README.md") {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) => e,
            };
            let kinds: Vec<String> = repo
                .entries()
                .iter()
                .map(|e| format!("{:?}", e.kind))
                .collect();
            out.push(Finding::new(
                "echo/seen",
                format!("{text} {}", kinds.join(",")),
            ));
        }
    }

    #[test]
    fn a_plugin_runs_through_the_host_wrapper_with_every_field_intact() {
        let plugin = Plugin::builtin::<Echo>();
        assert_eq!(plugin.manifest().unwrap().name, "echo");
        assert_eq!(
            plugin.create(r#"{"settings": {"refuse": true}}"#).err(),
            Some("refused".to_string())
        );
        let instance = plugin.create(r#"{"settings": null}"#).unwrap();
        let found = instance.check_files(&[HostFile {
            path: "a.txt",
            bytes: b"abc",
            is_binary: true,
            mode: 0o755,
        }]);
        assert_eq!(
            found,
            [Reported {
                rule: "echo/seen".into(),
                path: "a.txt".into(),
                message: "3 true 755".into(),
                line: 1,
                column: 2,
                end_line: 1,
                end_column: 3,
                fix: vec![Edit {
                    start: 0,
                    end: 1,
                    replacement: "x".into()
                }],
                secret: String::new(),
                severity: Some(Severity::Info),
                backtrace: None,
            }]
        );
        let entries = [
            crate::RepoEntry {
                path: "README.md",
                kind: crate::EntryKind::File,
                size: 5,
                mode: 0o644,
                link_target: None,
            },
            crate::RepoEntry {
                path: "l",
                kind: crate::EntryKind::Symlink,
                size: 0,
                mode: 0o777,
                link_target: Some("x"),
            },
        ];
        let read = |path: &str| match path {
            "README.md" => Ok(b"hello".to_vec()),
            other => Err(format!("no {other}")),
        };
        let found = instance.check_repo(&entries, &read);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "hello File,Symlink");
        assert_eq!(found[0].path, "");
        assert_eq!(found[0].severity, None);
    }
}
