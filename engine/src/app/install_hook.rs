//! `ward install-hook`: a plain git pre-commit hook that checks what is staged.

use super::cli::InstallHookArgs;
use super::output::EXIT_CLEAN;
use crate::source::git;
use crate::source::write::write_atomically;

/// The line that marks a hook as ward's own, so it may be replaced.
const HOOK_MARKER: &str = "# Installed by `ward install-hook`";

pub(super) fn run(args: &InstallHookArgs) -> miette::Result<u8> {
    let cwd = std::env::current_dir().map_err(|e| miette::miette!("no current directory: {e}"))?;
    let dir = git::hooks_dir(&cwd)?;
    let hook = dir.join("pre-commit");
    if let Ok(existing) = std::fs::read_to_string(&hook) {
        if !existing.contains(HOOK_MARKER) && !args.force {
            return Err(miette::miette!(
                help = "add `ward check --staged` to it by hand, or replace it with --force",
                "{} exists and was not written by ward; not overwriting it",
                hook.display()
            ));
        }
    }
    // The binary that runs now, unless `ward` is on PATH when the hook runs.
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "ward".into());
    let script = format!(
        "#!/bin/sh\n{HOOK_MARKER}: checks what is staged for this commit.\n\
         # Skip once with `git commit --no-verify`.\n\
         ward=ward\n\
         command -v \"$ward\" >/dev/null 2>&1 || ward='{}'\n\
         exec \"$ward\" check --staged\n",
        exe.replace('\'', "'\\''")
    );
    std::fs::create_dir_all(&dir)
        .map_err(|e| miette::miette!("cannot create {}: {e}", dir.display()))?;
    write_atomically(&hook, script.as_bytes())
        .map_err(|e| miette::miette!("cannot write {}: {e}", hook.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| miette::miette!("cannot make {} executable: {e}", hook.display()))?;
    }
    eprintln!("ward: installed {}", hook.display());
    Ok(EXIT_CLEAN)
}
