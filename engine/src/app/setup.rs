//! What every command starts from: the config for the checked path, and the
//! plugins and rule packs it names.

use std::path::{Path, PathBuf};

use super::cli::PluginArgs;
use crate::config::{self, Config};
use crate::host::{self, packs, LoadedPlugin};
use crate::registry::Registry;
use crate::source;

/// The config for a run that checks `start`: `--config`, or the nearest
/// `ward.toml` upwards, or the defaults.
pub(super) fn resolve_config(args: &PluginArgs, start: &Path) -> miette::Result<Config> {
    let (file, discovered) = match &args.config {
        Some(path) => (Some(path.clone()), false),
        None => (config::discover::discover(start), true),
    };
    match file {
        Some(path) => {
            if args.verbose {
                eprintln!("ward: using config {}", path.display());
            }
            if !discovered {
                return Ok(config::discover::load(&path)?);
            }
            let root = source::find_root(start);
            let mut allowed = vec![root.clone()];
            allowed.extend(config::discover::user_config_dir());
            let allowed: Vec<PathBuf> = allowed
                .into_iter()
                .map(|d| d.canonicalize().unwrap_or(d))
                .collect();
            let mut config = config::discover::load_confined(&path, &root, &allowed)?;
            config.mark_plugins_from_repository();
            Ok(config)
        }
        None => Ok(Config::default()),
    }
}

/// Plugins and rule packs of a run, loaded but not yet configured, and
/// every rule they and the engine define.
pub(super) struct Loaded {
    pub plugins: Vec<LoadedPlugin>,
    /// Optional plugins whose library is missing.
    pub absent_plugins: Vec<String>,
    pub packs: Vec<packs::LoadedPack>,
    pub registry: Registry,
}

pub(super) fn load_all(args: &PluginArgs, config: &Config) -> miette::Result<Loaded> {
    let host::LoadedPlugins {
        plugins,
        absent: absent_plugins,
    } = host::load(
        args.no_default_plugins,
        &args.plugins,
        config,
        args.verbose,
        args.allow_repo_plugins
            || std::env::var_os("WARD_ALLOW_REPO_PLUGINS").is_some_and(|v| v == "1"),
    )?;
    let packs::Packs { packs, warnings } = packs::load(config, args.no_default_plugins)?;
    for warning in &warnings {
        eprintln!("warning: {}", config::read::shown(warning));
    }
    let registry = Registry::new(host::registered(&plugins, &packs))?;
    let loaded = Loaded {
        plugins,
        absent_plugins,
        packs,
        registry,
    };
    let known: Vec<String> = loaded.registry.ids().map(str::to_string).collect();
    for (pattern, origin) in config.policies().flat_map(|p| p.unmatched(&known)) {
        let place = origin.map_or_else(String::new, |o| format!("{}: ", o.location()));
        eprintln!(
            "warning: {place}`{}` in [rules] matches no rule of the loaded plugins",
            config::read::shown(pattern)
        );
    }
    for name in config.plugin_settings.keys() {
        if !loaded.plugins.iter().any(|p| &p.manifest.name == name)
            && !loaded.absent_plugins.contains(name)
        {
            eprintln!(
                "warning: [plugins.{}] configures a plugin that is not loaded",
                config::read::shown(name)
            );
        }
    }
    Ok(loaded)
}

/// Switches off the rules that run only when named: a rule marked
/// `off_by_default` is off unless `[rules]` or an override names its id.
pub(super) fn switch_off_defaults(config: &mut Config, registry: &Registry) {
    for registered in registry.rules() {
        if registered.rule.off_by_default {
            config
                .rules
                .put_first(&registered.rule.id, crate::config::policy::Level::Off);
        }
    }
}

/// The directory a check starts from: the directory all paths share (a
/// path's own directory if it is a file), so that a commit hook's batch
/// finds the same repository whichever file comes first.
pub(super) fn start_dir(paths: &[PathBuf]) -> PathBuf {
    let mut dirs = paths.iter().map(|p| start_dir_of(p));
    let Some(mut common) = dirs.next() else {
        return start_dir_of(Path::new("."));
    };
    for dir in dirs {
        while !dir.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    common
}

fn start_dir_of(first: &Path) -> PathBuf {
    let first = first.to_path_buf();
    // Lexically: a path through a symlinked directory (`linkdir/f` with
    // `linkdir -> /elsewhere`) must not make `/elsewhere` the repository.
    let lexical = std::env::current_dir()
        .map(|cwd| cwd.join(&first))
        .unwrap_or_else(|_| first.clone());
    let dir = if lexical.is_dir() && !lexical.is_symlink() {
        lexical
    } else {
        lexical.parent().map_or(lexical.clone(), Path::to_path_buf)
    };
    // `..` and `.` resolved by name only; the root found from here is
    // resolved afterwards (see `resolved_root`).
    let mut clean = PathBuf::new();
    for part in dir.components() {
        match part {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean
}

/// The repository root above `start`, with symlinks resolved once it is
/// found (entries are compared with it by their resolved paths).
pub(super) fn resolved_root(start: &Path) -> PathBuf {
    let root = source::find_root(start);
    root.canonicalize().unwrap_or(root)
}
