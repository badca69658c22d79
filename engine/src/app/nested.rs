//! The nested configs of a check: found in the walked tree (and above
//! explicitly named paths), read, and attached to the run's config.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::config::{nested, Config};
use crate::registry::Registry;
use crate::source;

/// Attaches the nested configs of `tree` to `config` and drops the files
/// their `exclude` leaves out. Returns whether there were any.
pub(super) fn attach(
    config: &mut Config,
    tree: &mut source::Tree,
    root: &Path,
    paths: &[PathBuf],
    registry: &Registry,
    verbose: bool,
) -> miette::Result<bool> {
    let mut dirs = BTreeSet::new();
    for entry in tree.files() {
        if nested::is_nested_config(&entry.path) {
            if let Some((dir, _)) = entry.path.rsplit_once('/') {
                dirs.insert(dir.to_string());
            }
        }
    }
    // A named file or directory below a config (a commit hook's batch,
    // `ward check services/api`): the configs on its way up to the root.
    let named = paths
        .iter()
        .map(|p| source::relative(root, &source::absolute(p)))
        .chain(if tree.walked_dir {
            Vec::new()
        } else {
            tree.files().map(|e| e.path.clone()).collect()
        });
    let mut seen = BTreeSet::new();
    for path in named {
        let mut at = path.as_str();
        while let Some((parent, _)) = at.rsplit_once('/') {
            if !seen.insert(parent.to_string()) {
                break;
            }
            if nested::config_in(&root.join(parent)).is_some() {
                dirs.insert(parent.to_string());
            }
            at = parent;
        }
        if !path.is_empty()
            && root.join(&path).is_dir()
            && nested::config_in(&root.join(&path)).is_some()
        {
            dirs.insert(path.clone());
        }
    }
    if dirs.is_empty() {
        return Ok(false);
    }
    let allowed = [root.canonicalize().unwrap_or_else(|_| root.to_path_buf())];
    let mut found = nested::load(root, dirs.into_iter().collect(), &allowed)?;
    for layer in &mut found.layers {
        if verbose {
            eprintln!(
                "ward: nested config {}{}",
                layer
                    .file
                    .strip_prefix(root)
                    .unwrap_or(&layer.file)
                    .display(),
                if layer.config.root {
                    " (root = true)"
                } else {
                    ""
                }
            );
        }
        // A subtree that inherits nothing still starts from the defaults,
        // where some rules are off until named.
        if layer.config.root {
            super::setup::switch_off_defaults(&mut layer.config, registry);
        }
    }
    config.nested = found;
    let nested = &config.nested;
    tree.entries.retain(|e| !nested.excludes(&e.path));
    Ok(true)
}
