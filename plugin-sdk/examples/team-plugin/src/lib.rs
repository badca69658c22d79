//! The `team` plugin: a file rule with a fix and a setting
//! (`team/tab-indent`), and a repository rule (`team/changelog`).

mod rules;

use ward_plugin_sdk::{export_plugin, File, Finding, Manifest, PluginConfig, Repo, Validator};

/// The `[plugins.team]` table of ward.toml.
#[derive(serde::Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// Spaces a tab of indentation becomes when fixed.
    pub tab_width: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { tab_width: 4 }
    }
}

pub struct Team(Settings);

impl Validator for Team {
    fn manifest() -> Manifest {
        let rules = vec![rules::tab_indent::rule(), rules::changelog::rule()];
        Manifest::new("team", env!("CARGO_PKG_VERSION"), rules).description("The team's checks")
    }

    fn new(config: &PluginConfig) -> Result<Self, String> {
        let settings: Settings = config.settings()?;
        if !(1..=16).contains(&settings.tab_width) {
            return Err(format!(
                "tab-width {} is not between 1 and 16",
                settings.tab_width
            ));
        }
        Ok(Team(settings))
    }

    fn check_file(&self, file: &File<'_>, out: &mut Vec<Finding>) {
        rules::tab_indent::check(self.0.tab_width, file, out);
    }

    fn check_repo(&self, repo: &Repo<'_>, out: &mut Vec<Finding>) {
        rules::changelog::check(repo, out);
    }
}

export_plugin!(Team);
