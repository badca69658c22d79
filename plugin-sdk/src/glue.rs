//! Turns a [`Validator`] into the ABI root module, guarding every entry point.

use std::panic::{catch_unwind, AssertUnwindSafe};

use abi_stable::{
    prefix_type::PrefixTypeTrait,
    sabi_trait::TD_Opaque,
    std_types::{RResult, RSlice, RStr, RString, RVec},
};

use crate::abi::{
    EditFfi, FileInputFfi, FindingFfi, PluginMod, PluginModRef, RepoInputFfi, ValidatorBox,
    ValidatorFfi, ValidatorFfi_TO,
};
use crate::{
    EntryKind, File, Finding, PluginConfig, Repo, RepoEntry, Validator, PLUGIN_ERROR_RULE,
};

/// The root module of a validator, for the engine to link a plugin statically.
/// A dynamically loaded plugin hands the engine exactly this structure.
pub fn module<V: Validator>() -> PluginModRef {
    PluginMod {
        manifest: manifest::<V>,
        create: create::<V>,
    }
    .leak_into_prefix()
}

/// What `export_plugin!` exports; not for direct use.
pub fn root_module_loader<V: Validator>() -> PluginModRef {
    // A loaded library carries its own copy of std and so its own panic hook.
    // Every panic in it is caught and reported as a finding by the guard
    // below, so the hook only notes where it happened (and the backtrace,
    // when RUST_BACKTRACE asks for one) for that finding.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
        let backtrace = std::backtrace::Backtrace::capture();
        let backtrace = (backtrace.status() == std::backtrace::BacktraceStatus::Captured)
            .then(|| backtrace.to_string());
        LAST_PANIC.with(|last| *last.borrow_mut() = Some((location, backtrace)));
    }));
    module::<V>()
}

/// Where the last panic on this thread happened, and its backtrace.
type PanicPlace = (Option<String>, Option<String>);

thread_local! {
    static LAST_PANIC: std::cell::RefCell<Option<PanicPlace>> =
        const { std::cell::RefCell::new(None) };
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}

extern "C" fn manifest<V: Validator>() -> RString {
    let json = catch_unwind(|| serde_json::to_string(&V::manifest()));
    match json {
        Ok(Ok(json)) => json.into(),
        // An empty manifest is refused by the engine with a clear message.
        _ => RString::new(),
    }
}

extern "C" fn create<V: Validator>(config: RStr<'_>) -> RResult<ValidatorBox, RString> {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let config: PluginConfig = serde_json::from_str(config.as_str())
            .map_err(|e| format!("invalid plugin config JSON: {e}"))?;
        V::new(&config)
    }));
    match result {
        Ok(Ok(validator)) => {
            let name = V::manifest().name;
            RResult::ROk(ValidatorFfi_TO::from_value(
                Guarded { validator, name },
                TD_Opaque,
            ))
        }
        Ok(Err(message)) => RResult::RErr(message.into()),
        Err(payload) => RResult::RErr(
            format!(
                "the plugin panicked while starting: {}",
                panic_message(&*payload)
            )
            .into(),
        ),
    }
}

/// Runs a validator behind the ABI, turning each panic into a finding.
struct Guarded<V> {
    validator: V,
    name: String,
}

/// The finding a panic in plugin `name` becomes.
fn panic_finding(name: &str, path: &str, payload: &(dyn std::any::Any + Send)) -> FindingFfi {
    let (location, backtrace) = LAST_PANIC
        .with(|last| last.borrow_mut().take())
        .unwrap_or_default();
    let at = location.map(|l| format!(" at {l}")).unwrap_or_default();
    let mut ffi = to_ffi(
        Finding::new(
            PLUGIN_ERROR_RULE,
            format!("plugin `{name}` panicked{at}: {}", panic_message(payload)),
        )
        .in_path(path),
    );
    if let Some(backtrace) = backtrace {
        ffi.extra = serde_json::json!({ "backtrace": backtrace })
            .to_string()
            .into();
    }
    ffi
}

/// Runs `check_file` on one file behind the panic guard: each panic is
/// pinned on the file that caused it. The engine and the testing helpers
/// both come through here.
pub(crate) fn guard_file<V: Validator>(
    validator: &V,
    name: &str,
    file: &File<'_>,
    found: &mut Vec<Finding>,
    out: &mut Vec<FindingFfi>,
) {
    found.clear();
    match catch_unwind(AssertUnwindSafe(|| validator.check_file(file, found))) {
        Ok(()) => out.extend(found.drain(..).map(|mut f| {
            if f.path.is_empty() {
                f.path = file.path.to_string();
            }
            to_ffi(f)
        })),
        Err(payload) => out.push(panic_finding(name, file.path, &*payload)),
    }
}

/// Runs `check_repo` behind the panic guard.
pub(crate) fn guard_repo<V: Validator>(
    validator: &V,
    name: &str,
    repo: &Repo<'_>,
) -> Vec<FindingFfi> {
    let mut found = Vec::new();
    match catch_unwind(AssertUnwindSafe(|| validator.check_repo(repo, &mut found))) {
        Ok(()) => found.into_iter().map(to_ffi).collect(),
        Err(payload) => vec![panic_finding(name, "", &*payload)],
    }
}

fn to_ffi(finding: Finding) -> FindingFfi {
    FindingFfi {
        rule: finding.rule.into(),
        severity: finding
            .severity
            .map_or(crate::abi::SeverityFfi(0), |s| s.to_ffi()),
        message: finding.message.into(),
        path: finding.path.into(),
        line: finding.span.line,
        column: finding.span.column,
        end_line: finding.span.end_line,
        end_column: finding.span.end_column,
        fix: finding
            .fix
            .into_iter()
            .map(|e| EditFfi {
                start: e.start as u64,
                end: e.end as u64,
                replacement: e.replacement.into(),
            })
            .collect(),
        secret: finding.secret.unwrap_or_default().into(),
        extra: RString::new(),
    }
}

impl<V: Validator> ValidatorFfi for Guarded<V> {
    fn check_files(&self, files: RSlice<'_, FileInputFfi<'_>>) -> RVec<FindingFfi> {
        let mut out = RVec::new();
        let mut found = Vec::new();
        for input in files.iter() {
            let file = File {
                path: input.path.as_str(),
                bytes: input.bytes.as_slice(),
                is_binary: input.is_binary,
                mode: input.mode,
            };
            let mut done = Vec::new();
            guard_file(&self.validator, &self.name, &file, &mut found, &mut done);
            out.extend(done);
        }
        out
    }

    fn check_repo(&self, input: &RepoInputFfi<'_>) -> RVec<FindingFfi> {
        let read = |path: &str| {
            input
                .reader
                .read(path.into())
                .into_result()
                .map(RVec::into_vec)
                .map_err(RString::into_string)
        };
        let repo = Repo::new(
            input
                .entries
                .iter()
                .map(|e| RepoEntry {
                    path: e.path.as_str(),
                    kind: match e.kind {
                        0 => EntryKind::File,
                        1 => EntryKind::Dir,
                        2 => EntryKind::Symlink,
                        _ => EntryKind::Other,
                    },
                    size: e.size,
                    mode: e.mode,
                    link_target: Some(e.link_target.as_str()).filter(|t| !t.is_empty()),
                })
                .collect(),
            &read,
        );
        RVec::from(guard_repo(&self.validator, &self.name, &repo))
    }
}
