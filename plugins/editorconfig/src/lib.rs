//! ward's `editorconfig` plugin: each file checked against the settings its
//! `.editorconfig` files give it, resolved by ec4rs (the EditorConfig core
//! for Rust) exactly as editors resolve them.
//!
//! What `text/*` already reports is not reported again: trailing whitespace
//! (`trim_trailing_whitespace`), the final newline (`insert_final_newline`),
//! invalid UTF-8 and a stray BOM under `charset = utf-8`, and line endings in
//! a file that mixes them. Each rule lives in its own module under `rules/`;
//! [`RULES`] registers them.

mod rules;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ec4rs::property::Charset;
use ward_plugin_sdk::{File, Finding, Manifest, PluginConfig, RuleInfo, Validator};

use rules::{charset, end_of_line, indent_size, indent_style, max_line_length, Props};

/// One rule of this plugin: its metadata and its check.
pub struct Rule {
    /// The rule's metadata.
    pub info: fn() -> RuleInfo,
    /// Checks one file against the properties `.editorconfig` gives it.
    check: fn(&File<'_>, &Props, &mut Vec<Finding>),
    /// Whether the rule reads the text (not run on binary or UTF-16 files).
    reads_text: bool,
}

/// Every rule of the plugin, in the order they run.
pub const RULES: &[Rule] = &[
    Rule {
        info: charset::info,
        check: charset::check,
        reads_text: false,
    },
    Rule {
        info: indent_style::info,
        check: indent_style::check,
        reads_text: true,
    },
    Rule {
        info: indent_size::info,
        check: indent_size::check,
        reads_text: true,
    },
    Rule {
        info: end_of_line::info,
        check: end_of_line::check,
        reads_text: true,
    },
    Rule {
        info: max_line_length::info,
        check: max_line_length::check,
        reads_text: true,
    },
];

/// The plugin's rules.
pub fn rules() -> Vec<RuleInfo> {
    RULES.iter().map(|rule| (rule.info)()).collect()
}

/// What a directory and its ancestors hold for ec4rs, worst last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum ConfigState {
    /// No `.editorconfig`.
    None,
    /// Regular `.editorconfig` files only.
    Found,
    /// A `.editorconfig` that is not a regular file: not read at all.
    Unsafe,
}

/// The validator.
pub struct EditorconfigPlugin {
    root: Option<PathBuf>,
    enabled: Vec<&'static Rule>,
    /// Directories known to have (or not) a `.editorconfig` in them or above:
    /// most trees have none, and then no file needs ec4rs at all.
    any_config: Mutex<HashMap<PathBuf, ConfigState>>,
}

impl EditorconfigPlugin {
    /// Whether ec4rs has a `.editorconfig` to read for files in `dir`, and
    /// may: one that is not a regular file (a FIFO would block the read
    /// forever, a device never end) here or above makes the answer no.
    fn any_config(&self, dir: &Path) -> bool {
        self.config_state(dir) == ConfigState::Found
    }

    fn config_state(&self, dir: &Path) -> ConfigState {
        if let Some(known) = self
            .any_config
            .lock()
            .ok()
            .and_then(|m| m.get(dir).copied())
        {
            return known;
        }
        let path = dir.join(".editorconfig");
        let here = match std::fs::symlink_metadata(&path) {
            Err(_) => ConfigState::None,
            Ok(_) if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) => ConfigState::Found,
            Ok(_) => ConfigState::Unsafe,
        };
        let above = dir
            .parent()
            .map_or(ConfigState::None, |parent| self.config_state(parent));
        let state = here.max(above);
        if let Ok(mut memo) = self.any_config.lock() {
            memo.insert(dir.to_path_buf(), state);
        }
        state
    }
}

impl Validator for EditorconfigPlugin {
    fn manifest() -> Manifest {
        Manifest {
            name: "editorconfig".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "Indentation, line endings, charset and line length as .editorconfig sets them"
                    .into(),
            rules: rules(),
        }
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        if !config.settings.is_null() && !config.settings.as_object().is_some_and(|o| o.is_empty())
        {
            return Err("the editorconfig plugin has no settings: it reads the repository's .editorconfig files".into());
        }
        Ok(EditorconfigPlugin {
            root: config.root.as_ref().map(PathBuf::from),
            enabled: RULES
                .iter()
                .filter(|rule| config.is_enabled(&(rule.info)().id))
                .collect(),
            any_config: Mutex::new(HashMap::new()),
        })
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        let Some(root) = &self.root else { return };
        if self.enabled.is_empty() {
            return;
        }
        let abs = root.join(file.path);
        if !abs.parent().is_some_and(|dir| self.any_config(dir)) {
            return;
        }
        // Resolved as editors resolve it; files that no section applies to get nothing.
        let Ok(props) = ec4rs::properties_of(&abs) else {
            return;
        };
        let props = Props::from(props);
        let text =
            !file.is_binary && !matches!(props.charset, Some(Charset::Utf16Le | Charset::Utf16Be));
        for rule in &self.enabled {
            if text || !rule.reads_text {
                (rule.check)(file, &props, out);
            }
        }
    }
}
