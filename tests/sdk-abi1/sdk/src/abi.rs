//! The types that cross the boundary between the engine and a plugin.
//!
//! Everything here is `#[repr(C)]` and derives [`StableAbi`], so abi_stable can
//! check at load time that both sides agree on every layout. These types are
//! frozen at ABI 1: growth goes into the JSON manifest, the JSON config, the
//! `extra` JSON field of [`FindingFfi`], or new separately looked-up symbols.
//! Plugin authors never touch this module; they implement [`crate::Validator`].

// abi_stable 0.11's sabi_trait expands to impls inside a const; the lint postdates it.
#![allow(non_local_definitions)]

use abi_stable::{
    declare_root_module_statics,
    library::RootModule,
    package_version_strings, sabi_trait,
    sabi_types::VersionStrings,
    std_types::{RBox, RResult, RSlice, RStr, RString, RVec},
    StableAbi,
};

/// The severity of a finding, as a `u8` so that new levels never break the ABI.
#[repr(transparent)]
#[derive(StableAbi, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct SeverityFfi(pub u8);

/// One file handed to a plugin: borrowed for the duration of the call.
#[repr(C)]
#[derive(StableAbi, Clone, Copy)]
pub struct FileInputFfi<'a> {
    /// Repository-relative path with `/` separators.
    pub path: RStr<'a>,
    /// The whole content of the file as read from disk or the git index.
    pub bytes: RSlice<'a, u8>,
    /// True when the engine judged the file binary (a NUL byte in its first 8 KiB).
    pub is_binary: bool,
    /// Unix permission bits; the executable bits come from the git index
    /// when the file is tracked, so they hold on any filesystem.
    pub mode: u32,
}

/// A replacement of the bytes `start..end` of a file.
#[repr(C)]
#[derive(StableAbi, Clone, Debug)]
pub struct EditFfi {
    /// First byte replaced.
    pub start: u64,
    /// One past the last byte replaced.
    pub end: u64,
    /// What goes in their place.
    pub replacement: RString,
}

/// A finding as it crosses the boundary.
#[repr(C)]
#[derive(StableAbi, Clone, Debug)]
pub struct FindingFfi {
    /// Full rule id, `plugin/rule`.
    pub rule: RString,
    /// 0 means "the rule's default severity".
    pub severity: SeverityFfi,
    /// One-line message.
    pub message: RString,
    /// Repository-relative path; empty for a finding about the whole repository.
    pub path: RString,
    /// 1-based line; 0 when the finding is about the whole file.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
    /// 1-based line where the finding ends.
    pub end_line: u32,
    /// Column one past the last character of the finding.
    pub end_column: u32,
    /// Edits that fix the finding, if the rule can fix it.
    pub fix: RVec<EditFfi>,
    /// The secret text the finding is about (empty if none), so the engine can
    /// redact it everywhere and fingerprint it.
    pub secret: RString,
    /// A JSON object for fields added after ABI 1 (empty if none).
    pub extra: RString,
}

/// One entry of the repository tree for repository-level checks.
#[repr(C)]
#[derive(StableAbi, Clone, Copy)]
pub struct RepoEntryFfi<'a> {
    /// Repository-relative path with `/` separators.
    pub path: RStr<'a>,
    /// 0 file, 1 directory, 2 symlink, 3 other.
    pub kind: u8,
    /// Size in bytes (0 for directories).
    pub size: u64,
    /// Unix permission bits, or the mode recorded in the git index.
    pub mode: u32,
    /// For a symlink, its target as written (empty otherwise). Never followed.
    pub link_target: RStr<'a>,
}

/// Reads a file of the repository on the plugin's behalf.
#[sabi_trait]
pub trait RepoReaderFfi: Send + Sync {
    /// Reads the file at a repository-relative path.
    #[sabi(last_prefix_field)]
    fn read(&self, path: RStr<'_>) -> RResult<RVec<u8>, RString>;
}

/// The repository handed to a repository-level check.
#[repr(C)]
#[derive(StableAbi)]
pub struct RepoInputFfi<'a> {
    /// Every entry the engine walked, sorted by path.
    pub entries: RSlice<'a, RepoEntryFfi<'a>>,
    /// Reads files on the plugin's behalf.
    pub reader: RepoReaderFfi_TO<'a, abi_stable::RRef<'a, ()>>,
}

/// A validator instance, created from a config.
#[sabi_trait]
pub trait ValidatorFfi: Send + Sync {
    /// Checks a batch of files.
    fn check_files(&self, files: RSlice<'_, FileInputFfi<'_>>) -> RVec<FindingFfi>;
    /// Checks the repository as a whole.
    #[sabi(last_prefix_field)]
    fn check_repo(&self, repo: &RepoInputFfi<'_>) -> RVec<FindingFfi>;
}

/// An owned validator instance behind the ABI.
pub type ValidatorBox = ValidatorFfi_TO<'static, RBox<()>>;

/// The root module every plugin exports. Frozen at ABI 1.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModRef)))]
#[sabi(missing_field(panic))]
pub struct PluginMod {
    /// The plugin's manifest as JSON (see [`crate::Manifest`]).
    pub manifest: extern "C" fn() -> RString,
    /// Creates a validator from a JSON config; an error is a message for the user.
    #[sabi(last_prefix_field)]
    pub create: extern "C" fn(config: RStr<'_>) -> RResult<ValidatorBox, RString>,
}

impl RootModule for PluginModRef {
    declare_root_module_statics! {PluginModRef}
    const BASE_NAME: &'static str = "ward_plugin";
    const NAME: &'static str = "ward_plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}
