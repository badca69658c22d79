//! ward's `security` plugin: file permissions that open a repository up.
//! (The dangerous-function rules of `security/*` are the rule pack
//! `rules/dangerous-functions.toml`, run by the rule engine.)
//!
//! Modes come from the engine: the executable bits from the git index where
//! the file is tracked, so the rules hold on filesystems without them. Each
//! rule lives in its own module under `rules/`; [`RULES`] registers them.

mod rules;

use ward_plugin_sdk::{File, Finding, Manifest, PluginConfig, RuleInfo, Validator};

/// One rule of this plugin: its metadata and its check.
pub struct Rule {
    /// The rule's metadata.
    pub info: fn() -> RuleInfo,
    /// Checks one file (binary ones too: modes matter for any file).
    pub check: fn(&File<'_>, &mut Vec<Finding>),
}

/// Every rule of the plugin, in the order they run.
pub const RULES: &[Rule] = &[
    rules::exec_bit::RULE,
    rules::shebang_not_executable::RULE,
    rules::world_writable::RULE,
    rules::setuid::RULE,
];

/// The plugin's rules.
pub fn rules() -> Vec<RuleInfo> {
    RULES.iter().map(|rule| (rule.info)()).collect()
}

/// The validator.
pub struct SecurityPlugin {
    enabled: Vec<&'static Rule>,
}

impl Validator for SecurityPlugin {
    fn manifest() -> Manifest {
        Manifest {
            name: "security".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "File permissions: executable bits, shebangs, world-writable and setuid files"
                    .into(),
            rules: rules(),
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        if !config.settings.is_null() && !config.settings.as_object().is_some_and(|o| o.is_empty())
        {
            return Err(
                "the security plugin has no settings; configure its rules under [rules]".into(),
            );
        }
        Ok(SecurityPlugin {
            enabled: RULES
                .iter()
                .filter(|rule| config.is_enabled(&(rule.info)().id))
                .collect(),
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        for rule in &self.enabled {
            (rule.check)(file, out);
        }
    }
}
