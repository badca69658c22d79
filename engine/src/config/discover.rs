//! Finding `ward.toml` upwards from the checked path, and loading it with
//! the files and presets it extends, confined to the places a config may
//! name.

use std::path::{Path, PathBuf};

use super::error::{ConfigReadError, LoadError, Origin};
use super::{parse, Config, CONFIG_NAMES};

/// The nearest config file in `start` or one of its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        CONFIG_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Built-in configurations for `extends = ["ward:NAME"]`.
pub const PRESETS: &[(&str, &str)] = &[
    ("recommended", include_str!("presets/recommended.toml")),
    ("strict", include_str!("presets/strict.toml")),
];

/// Reads and checks a config file and everything it extends.
pub fn load(path: &Path) -> Result<Config, LoadError> {
    let mut stack = Vec::new();
    load_layered(path, &mut stack, None)
}

/// Loads a config found in the checked tree: what it extends or names (rule
/// packs, gitleaks files) must lie inside `allowed` directories (the
/// repository, the user's config directory), so a crafted repository cannot
/// make ward read `/etc` or a home directory.
///
/// The config file itself, when it sits inside the repository (`root`),
/// must lead inside the allowed directories too: a `ward.toml` that is a
/// symlink to `/proc/self/environ` is refused before it is read, so no
/// error can echo the CI's environment. A config found above the
/// repository is the user's own and is read as it is.
pub fn load_confined(path: &Path, root: &Path, allowed: &[PathBuf]) -> Result<Config, LoadError> {
    if path.starts_with(root) {
        let resolved = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if !allowed.iter().any(|dir| resolved.starts_with(dir)) {
            return Err(LoadError::Outside(format!(
                "{} leads outside the repository (to {}); a config in the checked tree must be a file inside it",
                path.display(),
                resolved.display()
            )));
        }
    }
    let mut stack = Vec::new();
    let config = load_layered(path, &mut stack, Some(allowed))?;
    for named in config.packs.iter().chain(&config.gitleaks) {
        check_inside(&named.path, &named.origin, allowed)?;
    }
    if let (Some(baseline), Some(file)) = (&config.baseline, &config.file) {
        let resolved = baseline
            .canonicalize()
            .unwrap_or_else(|_| baseline.to_path_buf());
        if !allowed.iter().any(|dir| resolved.starts_with(dir)) {
            return Err(LoadError::Outside(format!(
                "the baseline {} named by {} is outside the repository",
                baseline.display(),
                file.display()
            )));
        }
    }
    Ok(config)
}

/// The user's own config directory: `$XDG_CONFIG_HOME/ward`, else `~/.config/ward`.
pub fn user_config_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|base| base.join("ward"))
}

fn check_inside(path: &Path, origin: &Origin, allowed: &[PathBuf]) -> Result<(), LoadError> {
    // A path that does not exist yet fails later with "cannot read"; here
    // only where it points matters, so resolve what can be resolved.
    let resolved = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if allowed.iter().any(|dir| resolved.starts_with(dir)) {
        return Ok(());
    }
    Err(LoadError::Config(origin.error(
        format!("{} is outside the repository", path.display()),
        "named here",
        Some("a config found in the checked tree may only name files inside it; give other files with --config".into()),
    )))
}

fn load_layered(
    path: &Path,
    stack: &mut Vec<PathBuf>,
    allowed: Option<&[PathBuf]>,
) -> Result<Config, LoadError> {
    let text = super::read::read_bounded(path, super::read::CONFIG_LIMIT).map_err(|source| {
        LoadError::Read(ConfigReadError {
            path: path.display().to_string(),
            source,
        })
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut layer = parse(&text, &display_path(path), dir).map_err(LoadError::Config)?;
    layer.file = Some(path.to_path_buf());
    stack.push(path.canonicalize().unwrap_or_else(|_| path.to_path_buf()));
    let mut merged = Config::default();
    for (entry, origin) in std::mem::take(&mut layer.extends) {
        let base = if let Some(name) = entry.strip_prefix("ward:") {
            let Some((_, text)) = PRESETS.iter().find(|(preset, _)| *preset == name) else {
                let names: Vec<String> = PRESETS.iter().map(|(n, _)| format!("ward:{n}")).collect();
                return Err(LoadError::Config(origin.error(
                    format!("unknown preset `{entry}`"),
                    "extended here",
                    Some(format!("built-in presets: {}", names.join(", "))),
                )));
            };
            parse(text, &format!("preset {entry}"), dir).map_err(LoadError::Config)?
        } else {
            let target = dir.join(&entry);
            let canonical = target.canonicalize().map_err(|e| {
                LoadError::Config(origin.error(
                    format!("cannot read {}: {e}", target.display()),
                    "extended here",
                    None,
                ))
            })?;
            if let Some(allowed) = allowed {
                check_inside(&canonical, &origin, allowed)?;
            }
            if stack.contains(&canonical) {
                return Err(LoadError::Config(origin.error(
                    format!("`{entry}` extends itself through a cycle"),
                    "extended here",
                    Some("remove one of the `extends` entries that lead back to this file".into()),
                )));
            }
            let mut parent = load_layered(&target, stack, allowed)?;
            parent.file = None;
            parent
        };
        merged.merge(base);
    }
    stack.pop();
    merged.merge(layer);
    Ok(merged)
}

/// `path` as the user would type it from the current directory
/// (`ward.toml`, `../ward.toml`), or as given when that is not possible.
fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir().ok().and_then(|cwd| {
        let base = cwd.ancestors().find(|a| path.starts_with(a))?;
        let ups = cwd.strip_prefix(base).ok()?.components().count();
        let rest = path.strip_prefix(base).ok()?;
        // Only near ancestors: `../../../../etc/x` is harder to read than the absolute path.
        (ups <= 3).then(|| {
            std::iter::repeat_n(Path::new(".."), ups)
                .collect::<PathBuf>()
                .join(rest)
        })
    });
    relative
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}
