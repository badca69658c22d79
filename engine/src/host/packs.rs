//! Declarative rule packs: the ones shipped inside ward (`rules/*.toml`,
//! embedded so ward needs no files at run time), the config's `packs`, and
//! gitleaks configurations read through `extends = ["gitleaks:…"]`.
//!
//! Packs are data, so the engine hosts them itself: every enabled rule of
//! every pack compiles into one `RuleSet` with one keyword prefilter, and
//! runs in the same pass over each file as the plugins.

use std::collections::HashMap;

use miette::{Diagnostic, NamedSource, SourceSpan};
use ward_plugin_sdk::Severity;
use ward_rules::{gitleaks, Pack, PackError, PackSource, RuleSet};

use crate::config::error::ConfigError;
use crate::config::{Config, ConfigPath};

pub use crate::config::shipped::SHIPPED;

/// A pack that cannot be used, shown with a snippet of the pack.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(ward::rule_pack))]
pub struct PackDiagnostic {
    message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: SourceSpan,
}

impl From<PackError> for PackDiagnostic {
    fn from(e: PackError) -> Self {
        PackDiagnostic {
            message: e.message,
            src: NamedSource::new(
                e.source_name,
                crate::config::read::shown_source(&e.source_text),
            ),
            span: e.span.into(),
        }
    }
}

/// Why the rule packs could not be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum PackLoadError {
    /// A pack or gitleaks configuration the config names, wrong at that place.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),
    /// A pack file given on the command line could not be read.
    #[error("cannot read rule pack {path}: {source}")]
    #[diagnostic(code(ward::rule_pack))]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A pack that does not parse, shown at its place.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Pack(Box<PackDiagnostic>),
    /// A rule whose regex parses but cannot be compiled (too large).
    #[error("rule pack {pack}: the regex of `{rule}` cannot be compiled: {detail}")]
    #[diagnostic(
        code(ward::rule_pack),
        help(
            "simplify the pattern: large counted repetitions and Unicode classes multiply its size"
        )
    )]
    Uncompilable {
        pack: String,
        rule: String,
        detail: String,
    },
    /// Two packs with one name: their rule ids would collide.
    #[error(
        "two rule packs are named `{name}`: {first} and {second}; give one a different `name`"
    )]
    #[diagnostic(code(ward::rule_pack))]
    SameName {
        name: String,
        first: String,
        second: String,
    },
}

/// The packs of a run, and what the user should know about them.
pub struct Packs {
    /// The packs, shipped ones first.
    pub packs: Vec<LoadedPack>,
    /// Rules of a gitleaks configuration that were left out, one line each.
    pub warnings: Vec<String>,
}

/// A pack and where it came from.
#[derive(Debug)]
pub struct LoadedPack {
    /// The parsed pack.
    pub pack: Pack,
    /// Shipped inside ward.
    pub builtin: bool,
    /// A hash of the pack's text, for the result cache's key.
    pub text_hash: String,
    /// The nested configs (by directory) that name it; `None` in the list
    /// stands for the root config. Empty for a shipped pack: everywhere.
    pub named_by: Vec<Option<String>>,
}

fn read(path: &ConfigPath) -> Result<String, PackLoadError> {
    crate::config::read::read_bounded(&path.path, crate::config::read::CONFIG_LIMIT).map_err(|e| {
        PackLoadError::Config(path.origin.error(
            format!("cannot read {}: {e}", path.path.display()),
            "named here",
            None,
        ))
    })
}

fn parse_pack(name: String, text: String, builtin: bool) -> Result<LoadedPack, PackLoadError> {
    use rayon::prelude::*;
    let text_hash = crate::source::digest::key_of(&[text.as_bytes()]);
    let pack_name = name.clone();
    let pack = ward_rules::parse(&PackSource { name, text })
        .map_err(|e| PackLoadError::Pack(Box::new(PackDiagnostic::from(e))))?;
    // A pattern can parse and still be too large to compile; compiled only
    // when a file first needs it, it would then find nothing, silently.
    // The shipped packs are compiled by their own tests; others are
    // compiled here, on every core, so such a rule is a load error.
    if !builtin {
        let failed = pack
            .rules
            .par_iter()
            .find_map_first(|rule| rule.compile_error().map(|e| (rule.id.clone(), e)));
        if let Some((rule, detail)) = failed {
            return Err(PackLoadError::Uncompilable {
                pack: pack_name,
                rule,
                detail,
            });
        }
    }
    Ok(LoadedPack {
        pack,
        builtin,
        text_hash,
        named_by: if builtin { Vec::new() } else { vec![None] },
    })
}

/// Parses one pack file given by path (for `ward test-rules FILE`).
pub fn load_file(path: &std::path::Path) -> Result<LoadedPack, PackLoadError> {
    let text = crate::config::read::read_bounded(path, crate::config::read::CONFIG_LIMIT).map_err(
        |source| PackLoadError::Read {
            path: path.display().to_string(),
            source,
        },
    )?;
    parse_pack(path.display().to_string(), text, false)
}

/// The shipped packs (unless `no_default`), then the config's packs and
/// gitleaks configurations, with a warning naming each gitleaks rule that
/// could not be translated.
pub fn load(config: &Config, no_default: bool) -> Result<Packs, PackLoadError> {
    let mut packs = Vec::new();
    let mut warnings = Vec::new();
    if !no_default {
        for (file, text) in SHIPPED {
            packs.push(parse_pack(
                format!("built-in:{file}"),
                (*text).to_string(),
                true,
            )?);
        }
    }
    for path in &config.packs {
        let text = read(path)?;
        packs.push(parse_pack(path.path.display().to_string(), text, false)?);
    }
    for path in &config.gitleaks {
        let text = read(path)?;
        let name = path.path.display().to_string();
        let translation = gitleaks::translate(&text, &name, "gitleaks").map_err(|e| {
            PackLoadError::Config(path.origin.error(e, "this gitleaks configuration", None))
        })?;
        warnings.extend(
            translation
                .warnings
                .iter()
                .map(|warning| format!("{name}: {warning}")),
        );
        packs.push(parse_pack(name, translation.pack_toml, false)?);
    }
    let mut seen = HashMap::new();
    for loaded in &packs {
        if let Some(other) = seen.insert(loaded.pack.name.clone(), loaded.pack.source_name.clone())
        {
            return Err(PackLoadError::SameName {
                name: loaded.pack.name.clone(),
                first: other,
                second: loaded.pack.source_name.clone(),
            });
        }
    }
    Ok(Packs { packs, warnings })
}

/// The enabled pack rules of a run, compiled.
pub struct ActivePacks {
    /// One set over every enabled rule.
    pub set: RuleSet,
    /// Default severity by rule index in `set`.
    pub severities: Vec<Severity>,
    /// Where each rule's pack applies, by rule index (see
    /// [`LoadedPack::named_by`]); `None` when every pack applies everywhere.
    pub named_by: Option<Vec<Vec<Option<String>>>>,
}

impl ActivePacks {
    /// Whether rule `index` runs on `path`: its pack is shipped, or named by
    /// a config that applies there.
    pub fn applies(&self, index: usize, path: &str, config: &Config) -> bool {
        let Some(named_by) = self.named_by.as_ref().map(|n| &n[index]) else {
            return true;
        };
        if named_by.is_empty() {
            return true;
        }
        let chain = config.nested.chain(path);
        named_by.iter().any(|by| match by {
            None => chain.inherits_root,
            Some(dir) => chain.layers().any(|l| l.dir == *dir),
        })
    }
}

/// The packs nested configs name that `loaded` does not hold yet, and the
/// nested configs' names added to those it holds.
pub fn load_nested(config: &Config, loaded: &mut Vec<LoadedPack>) -> Result<(), PackLoadError> {
    for layer in &config.nested.layers {
        for path in &layer.config.packs {
            let text = read(path)?;
            let hash = crate::source::digest::key_of(&[text.as_bytes()]);
            let by = Some(layer.dir.clone());
            // One pack named by several configs is loaded once.
            match loaded
                .iter_mut()
                .find(|p| !p.builtin && p.text_hash == hash)
            {
                Some(pack) => pack.named_by.push(by),
                None => {
                    let mut pack = parse_pack(path.path.display().to_string(), text, false)?;
                    pack.named_by = vec![by];
                    loaded.push(pack);
                }
            }
        }
    }
    Ok(())
}

/// Compiles the rules enabled for some file; `None` when there are none.
pub fn activate(packs: &[LoadedPack], config: &Config) -> Option<ActivePacks> {
    activate_some(&packs.iter().collect::<Vec<_>>(), config)
}

/// [`activate`] for some of the loaded packs (`ward history` runs the
/// secrets pack and the config's packs, not every shipped one).
pub fn activate_some(packs: &[&LoadedPack], config: &Config) -> Option<ActivePacks> {
    let mut rules = Vec::new();
    let mut severities = Vec::new();
    let mut named_by = Vec::new();
    for pack in packs {
        for rule in &pack.pack.rules {
            if config.enabled_anywhere(&rule.id) {
                rules.push(rule.clone());
                severities.push(rule.severity);
                named_by.push(pack.named_by.clone());
            }
        }
    }
    if rules.is_empty() {
        return None;
    }
    Some(ActivePacks {
        set: RuleSet::new(rules),
        severities,
        named_by: (!config.nested.is_empty()).then_some(named_by),
    })
}
