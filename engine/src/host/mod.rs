//! The plugin host: built-in plugins linked statically and plugin libraries
//! loaded from paths meet here as the same root module and the same validator.

pub mod packs;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use ward_plugin_sdk::host::{Instance, Plugin};
use ward_plugin_sdk::{Manifest, Severity};

use crate::config::error::ConfigError;
use crate::config::Config;
use crate::registry::{self, Registered};

/// What the run says about a rule a plugin reported.
pub enum Lookup {
    /// Enabled somewhere, with this default severity.
    Enabled(Severity),
    /// Declared but switched off.
    Disabled,
    /// Not declared by the plugin.
    Unknown,
}

/// Where a plugin came from.
#[derive(Debug, Clone)]
pub enum PluginSource {
    /// Linked into the ward binary.
    BuiltIn,
    /// Loaded from a library file.
    Library(PathBuf),
}

impl std::fmt::Display for PluginSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PluginSource::BuiltIn => f.write_str("built-in"),
            PluginSource::Library(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A plugin whose manifest has been read, not yet configured.
pub struct LoadedPlugin {
    /// What the plugin says about itself.
    pub manifest: Manifest,
    /// Where it came from.
    pub source: PluginSource,
    /// The ward-plugin-sdk version it was built against.
    pub sdk_version: &'static str,
    plugin: Plugin,
}

/// A configured plugin, ready to check files.
pub struct ActivePlugin {
    /// The plugin's name.
    pub name: String,
    /// The configured validator.
    pub validator: Instance,
    /// Default severity of each rule enabled for some file.
    pub severities: HashMap<String, Severity>,
    /// Every rule the manifest declares, enabled or not.
    pub known_rules: HashSet<String>,
    /// The enabled rules that judge each line on their own: the only ones
    /// run on a file too large to hold whole.
    pub line_local: HashSet<String>,
    /// Name, version and the config JSON it was created with, for the cache key.
    pub identity: String,
    /// The version its manifest declares.
    pub version: String,
    /// The library it was loaded from, if it is not built in.
    pub library: Option<PathBuf>,
    /// The directory whose nested config set this instance's settings
    /// (`None`: the root config's instance, which also checks the
    /// repository as a whole).
    pub scope: Option<String>,
    /// Directories inside its scope served by the plugin's other instances.
    pub cut: Vec<String>,
}

/// Whether the repository-relative `path` lies under directory `dir`.
fn under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.starts_with('/'))
}

impl ActivePlugin {
    /// Whether this instance checks the file at `path` (each file is
    /// checked by the instance of the nearest config that set the plugin's
    /// settings).
    pub fn serves(&self, path: &str) -> bool {
        self.scope.as_deref().is_none_or(|dir| under(path, dir))
            && !self.cut.iter().any(|dir| under(path, dir))
    }

    /// What the run says about `rule` of this plugin.
    pub fn lookup(&self, rule: &str) -> Lookup {
        match self.severities.get(rule) {
            Some(&severity) => Lookup::Enabled(severity),
            None if self.known_rules.contains(rule) => Lookup::Disabled,
            None => Lookup::Unknown,
        }
    }
}

/// A plugin that could not be loaded or configured.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(ward::plugin))]
pub struct PluginError {
    message: String,
    #[help]
    help: Option<String>,
}

/// A plugin that refused its settings: at the settings' place in the
/// config when they come from one.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ActivateError {
    /// The settings came from a config file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),
    /// No config file to point at.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plugin(PluginError),
}

fn builtin_plugins() -> Vec<Plugin> {
    vec![
        Plugin::builtin::<ward_plugin_text::TextPlugin>(),
        Plugin::builtin::<ward_plugin_structure::StructurePlugin>(),
        Plugin::builtin::<ward_plugin_security::SecurityPlugin>(),
        Plugin::builtin::<ward_plugin_manifest::ManifestPlugin>(),
        Plugin::builtin::<ward_plugin_license::LicensePlugin>(),
        Plugin::builtin::<ward_plugin_editorconfig::EditorconfigPlugin>(),
        Plugin::builtin::<ward_plugin_workflows::WorkflowsPlugin>(),
        Plugin::builtin::<ward_plugin_markdown::MarkdownPlugin>(),
    ]
}

fn read_manifest(plugin: &Plugin, source: &PluginSource) -> Result<Manifest, PluginError> {
    plugin.manifest().map_err(|e| PluginError {
        message: format!("plugin {source} returned an invalid manifest: {e}"),
        help: None,
    })
}

/// The plugins of a run, and the optional ones whose library is missing.
pub struct LoadedPlugins {
    /// Built-in plugins, then libraries, in the order named.
    pub plugins: Vec<LoadedPlugin>,
    /// The names of optional plugins whose library is not installed.
    pub absent: Vec<String>,
}

/// A library to load: from `--plugin` or a `[[plugin]]` entry.
struct Request {
    path: PathBuf,
    name: Option<String>,
    optional: bool,
    sha256: Option<String>,
    replaces: Option<String>,
}

/// Loads the built-in plugins (unless switched off), then every library named
/// on the command line and in the config. A library may replace a built-in
/// only when its `[[plugin]]` entry says `replaces = "<name>"`; any other
/// name clash is refused, as is a rule id outside the plugin's name.
pub fn load(
    no_default_plugins: bool,
    cli_paths: &[PathBuf],
    config: &Config,
    verbose: bool,
    allow_repository_plugins: bool,
) -> Result<LoadedPlugins, PluginError> {
    let mut plugins: Vec<LoadedPlugin> = Vec::new();
    if !no_default_plugins {
        for plugin in builtin_plugins() {
            let manifest = read_manifest(&plugin, &PluginSource::BuiltIn)?;
            plugins.push(LoadedPlugin {
                manifest,
                source: PluginSource::BuiltIn,
                sdk_version: plugin.sdk_version(),
                plugin,
            });
        }
    }
    for plugin in &config.plugin_paths {
        if plugin.from_repository && !allow_repository_plugins {
            return Err(PluginError {
                message: format!(
                    "{}: the repository's config names the plugin {}; loading it would run the repository's own code",
                    plugin.origin.location(),
                    plugin.path.display()
                ),
                help: Some(
                    "if you trust this repository, pass --allow-repo-plugins (or set WARD_ALLOW_REPO_PLUGINS=1); \
                     plugins given with --plugin or in a --config file load as before"
                        .into(),
                ),
            });
        }
    }
    // A bare `libacme.so` is a file here, not a name for the dynamic
    // loader to look up in its library path.
    let cwd = std::env::current_dir().unwrap_or_default();
    let requests = cli_paths
        .iter()
        .map(|path| Request {
            path: cwd.join(path),
            name: None,
            optional: false,
            sha256: None,
            replaces: None,
        })
        .chain(config.plugin_paths.iter().map(|p| Request {
            path: cwd.join(&p.path),
            name: p.name.clone(),
            optional: p.optional,
            sha256: p.sha256.clone(),
            replaces: p.replaces.clone(),
        }));
    let mut absent = Vec::new();
    for request in requests {
        if request.optional && std::fs::symlink_metadata(&request.path).is_err() {
            let name = request.name.clone().unwrap_or_default();
            eprintln!(
                "warning: optional plugin `{name}` is not installed at {}; its rules do not run",
                request.path.display()
            );
            absent.push(name);
            continue;
        }
        if let Some(expected) = &request.sha256 {
            verify_hash(&request.path, expected)?;
        }
        let loaded = load_library(&request.path, verbose)?;
        let name = loaded.manifest.name.clone();
        let refuse = |message: String| PluginError {
            message,
            help: None,
        };
        if let Some(wanted) = request.name.as_ref().filter(|w| **w != name) {
            return Err(refuse(format!(
                "plugin {} is named `{name}`, not `{wanted}` as its [[plugin]] entry says",
                request.path.display()
            )));
        }
        match plugins.iter().position(|p| p.manifest.name == name) {
            Some(at) => match &plugins[at].source {
                PluginSource::BuiltIn if request.replaces.as_deref() == Some(name.as_str()) => {
                    plugins[at] = loaded;
                }
                PluginSource::BuiltIn => {
                    return Err(refuse(format!(
                        "plugin {} is named `{name}`, like the built-in plugin `{name}`: \
                         to replace the built-in, add `replaces = \"{name}\"` to its [[plugin]] entry",
                        request.path.display()
                    )))
                }
                PluginSource::Library(first) => {
                    return Err(refuse(format!(
                        "plugins {} and {} are both named `{name}`: load only one",
                        first.display(),
                        request.path.display()
                    )))
                }
            },
            None => {
                if let Some(other) = request.replaces.as_ref().filter(|r| **r != name) {
                    return Err(refuse(format!(
                        "plugin {} is named `{name}`, so it cannot replace `{other}`",
                        request.path.display()
                    )));
                }
                plugins.push(loaded);
            }
        }
    }
    Ok(LoadedPlugins { plugins, absent })
}

/// Refuses a library whose SHA-256 is not the one its config pins.
fn verify_hash(path: &Path, expected: &str) -> Result<(), PluginError> {
    use sha2::Digest;
    let fail = |message: String| PluginError {
        message,
        help: None,
    };
    let mut file = std::fs::File::open(path)
        .map_err(|e| fail(format!("cannot read plugin {}: {e}", path.display())))?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher)
        .map_err(|e| fail(format!("cannot read plugin {}: {e}", path.display())))?;
    let actual: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if actual != expected {
        return Err(fail(format!(
            "plugin {} has SHA-256 {actual}, but its [[plugin]] entry pins {expected}: \
             it is not the library the config trusts",
            path.display()
        )));
    }
    Ok(())
}

fn load_library(path: &Path, verbose: bool) -> Result<LoadedPlugin, PluginError> {
    let plugin = Plugin::load(path).map_err(|e| PluginError {
        message: e.to_string(),
        help: if verbose {
            e.detail().map(str::to_string)
        } else {
            None
        },
    })?;
    let source = PluginSource::Library(path.to_path_buf());
    let manifest = read_manifest(&plugin, &source)?;
    if let Err(problem) = manifest.check() {
        return Err(PluginError {
            message: format!("plugin {} is refused: {problem}", path.display()),
            help: None,
        });
    }
    Ok(LoadedPlugin {
        manifest,
        source,
        sdk_version: plugin.sdk_version(),
        plugin,
    })
}

/// Every rule with who defines it: the engine's own, the plugins' and the
/// packs', in that order.
pub fn registered(plugins: &[LoadedPlugin], packs: &[packs::LoadedPack]) -> Vec<Registered> {
    let engine = registry::engine_rules().into_iter().map(|rule| Registered {
        rule,
        source: registry::ENGINE.into(),
        from_pack: false,
    });
    let from_plugins = plugins.iter().flat_map(|p| {
        p.manifest.rules.iter().map(|rule| Registered {
            rule: rule.clone(),
            source: p.manifest.name.clone(),
            from_pack: false,
        })
    });
    let from_packs = packs.iter().flat_map(|p| {
        p.pack.rules.iter().map(|rule| Registered {
            rule: rule.info(),
            source: p.pack.name.clone(),
            from_pack: true,
        })
    });
    engine.chain(from_plugins).chain(from_packs).collect()
}

/// Configures the plugins; a plugin none of whose rules is enabled is not created.
pub fn activate(
    plugins: &[LoadedPlugin],
    config: &Config,
    root: &std::path::Path,
) -> Result<Vec<ActivePlugin>, ActivateError> {
    let mut active = Vec::new();
    for plugin in plugins {
        let name = &plugin.manifest.name;
        let severities: HashMap<String, Severity> = plugin
            .manifest
            .rules
            .iter()
            .filter(|rule| config.enabled_anywhere(&rule.id))
            .map(|rule| (rule.id.clone(), rule.default_severity))
            .collect();
        if severities.is_empty() {
            continue;
        }
        let (settings, origin) = config
            .plugin_settings
            .get(name)
            .cloned()
            .unwrap_or((serde_json::Value::Null, None));
        let mut enabled: Vec<&String> = severities.keys().collect();
        enabled.sort();
        let line_local: HashSet<String> = plugin
            .manifest
            .rules
            .iter()
            .filter(|r| r.line_local && severities.contains_key(&r.id))
            .map(|r| r.id.clone())
            .collect();
        let owners = owners(config, name, settings);
        let dirs: Vec<&str> = owners.iter().filter_map(|o| o.0.as_deref()).collect();
        for (scope, settings, layer_origin) in &owners {
            let plugin_config = serde_json::json!({
                "settings": settings,
                "enabled_rules": enabled,
                "root": root.to_string_lossy(),
            });
            let json = plugin_config.to_string();
            let cut: Vec<String> = dirs
                .iter()
                .filter(|d| scope.as_deref().is_none_or(|s| under(d, s)))
                .map(|d| d.to_string())
                .collect();
            match plugin.plugin.create(&json) {
                Ok(validator) => active.push(ActivePlugin {
                    name: name.clone(),
                    validator,
                    severities: severities.clone(),
                    known_rules: plugin.manifest.rules.iter().map(|r| r.id.clone()).collect(),
                    line_local: line_local.clone(),
                    identity: format!(
                        "{} {} {} {json} {scope:?}",
                        name, plugin.manifest.version, plugin.source
                    ),
                    version: plugin.manifest.version.clone(),
                    library: match &plugin.source {
                        PluginSource::Library(path) => Some(path.clone()),
                        PluginSource::BuiltIn => None,
                    },
                    scope: scope.clone(),
                    cut,
                }),
                Err(message) => {
                    let message = format!("plugin `{name}` rejected its settings: {message}");
                    let origin = if scope.is_some() {
                        layer_origin.clone()
                    } else {
                        origin.clone()
                    };
                    return Err(match origin {
                        Some(origin) => {
                            ActivateError::Config(origin.error(message, "these settings", None))
                        }
                        None => ActivateError::Plugin(PluginError {
                            message,
                            help: None,
                        }),
                    });
                }
            }
        }
    }
    Ok(active)
}

/// The settings of each instance plugin `name` needs: the root config's,
/// then one per nested config that sets `[plugins.<name>]` (over the
/// settings above it) or says `root = true` (its own settings only), with
/// its directory and where its settings are.
type Owner = (
    Option<String>,
    serde_json::Value,
    Option<crate::config::error::Origin>,
);

fn owners(config: &Config, name: &str, root_settings: serde_json::Value) -> Vec<Owner> {
    let layers = &config.nested.layers;
    let mut effective: Vec<Option<serde_json::Value>> = vec![None; layers.len()];
    let mut out: Vec<Owner> = vec![(None, root_settings.clone(), None)];
    for (i, layer) in layers.iter().enumerate() {
        let own = layer.config.plugin_settings.get(name);
        if own.is_none() && !layer.config.root {
            continue;
        }
        let base = if layer.config.root {
            serde_json::Value::Null
        } else {
            let mut above = layer.parent;
            loop {
                match above {
                    Some(j) if effective[j].is_some() => {
                        break effective[j].clone().unwrap_or_default()
                    }
                    Some(j) => above = layers[j].parent,
                    None => break root_settings.clone(),
                }
            }
        };
        let merged = match (base, own.map(|(v, _)| v.clone())) {
            (serde_json::Value::Object(mut base), Some(serde_json::Value::Object(add))) => {
                base.extend(add);
                serde_json::Value::Object(base)
            }
            (_, Some(own)) => own,
            (base, None) => base,
        };
        effective[i] = Some(merged.clone());
        out.push((
            Some(layer.dir.clone()),
            merged,
            own.and_then(|(_, o)| o.clone()),
        ));
    }
    out
}
