//! `ward plugin new NAME`: a plugin crate that builds, passes its tests and
//! loads, before any edit.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::output::EXIT_CLEAN;

/// `ward plugin` subcommands.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Write a new plugin crate: a file rule, a repository rule, a typed
    /// setting and their tests, ready for `cargo test` and
    /// `cargo build --release`.
    New(NewArgs),
}

/// `ward plugin new` options.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The plugin's name: the prefix of its rule ids and its
    /// `[plugins.<name>]` table (lowercase letters, digits, `-`, `_`).
    pub name: String,

    /// Where to write it (default: ./NAME). Must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Depend on the SDK at this path instead of `ward-plugin-sdk = "1"`
    /// from crates.io (offline use, a local copy of the SDK).
    #[arg(long, value_name = "DIR")]
    pub sdk_path: Option<PathBuf>,
}

/// Names a plugin may not take: the built-in plugins', the engine's, and
/// crate names cargo or Rust reserve.
const RESERVED: &[&str] = &[
    "ward",
    "text",
    "structure",
    "security",
    "manifest",
    "license",
    "editorconfig",
    "workflows",
    "markdown",
    "secrets",
    "std",
    "core",
    "alloc",
    "test",
    "proc_macro",
];

const FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("plugin_new/Cargo.toml.tmpl")),
    ("src/lib.rs", include_str!("plugin_new/lib.rs.tmpl")),
    (
        "src/rules/mod.rs",
        include_str!("plugin_new/rules_mod.rs.tmpl"),
    ),
    (
        "src/rules/do_not_merge.rs",
        include_str!("plugin_new/do_not_merge.rs.tmpl"),
    ),
    (
        "src/rules/codeowners.rs",
        include_str!("plugin_new/codeowners.rs.tmpl"),
    ),
    ("tests/rules.rs", include_str!("plugin_new/tests.rs.tmpl")),
    ("README.md", include_str!("plugin_new/README.md.tmpl")),
    (".gitignore", include_str!("plugin_new/gitignore.tmpl")),
];

pub(super) fn run(command: &PluginCommand) -> miette::Result<u8> {
    let PluginCommand::New(args) = command;
    let name = &args.name;
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        return Err(miette::miette!(
            "`{name}` cannot name a plugin: start with a lowercase letter, then lowercase letters, digits, `-` or `_`"
        ));
    }
    if RESERVED.contains(&name.as_str()) {
        return Err(miette::miette!(
            "`{name}` is taken (a built-in plugin or a reserved crate name): choose another name"
        ));
    }
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from(name));
    if std::fs::symlink_metadata(&dir).is_ok()
        && (!dir.is_dir() || std::fs::read_dir(&dir).map_or(true, |mut d| d.next().is_some()))
    {
        return Err(miette::miette!(
            "{} exists and is not an empty directory: nothing was written",
            dir.display()
        ));
    }
    let sdk = match &args.sdk_path {
        Some(path) => {
            let path = std::path::absolute(path)
                .map_err(|e| miette::miette!("--sdk-path {}: {e}", path.display()))?;
            if !path.join("Cargo.toml").is_file() {
                return Err(miette::miette!(
                    "--sdk-path {}: no Cargo.toml there (give the ward-plugin-sdk crate's directory)",
                    path.display()
                ));
            }
            let text = path.to_string_lossy();
            format!("{{ path = {} }}", toml::Value::String(text.into_owned()))
        }
        None => "\"1\"".to_string(),
    };
    let krate = name.replace('-', "_");
    let dylib = crate::config::plugins::dylib_name(name);
    for (file, template) in FILES {
        let text = template
            .replace("{{name}}", name)
            .replace("{{crate}}", &krate)
            .replace("{{dylib}}", &dylib)
            .replace("{{sdk}}", &sdk);
        write_new(&dir.join(file), &text)?;
    }
    eprintln!(
        "wrote the `{name}` plugin in {}: cd there, `cargo test`, then \
         `cargo build --release` and `ward check --plugin target/release/{dylib} .`",
        dir.display()
    );
    Ok(EXIT_CLEAN)
}

/// Writes a file that must not exist yet (never over one).
fn write_new(path: &Path, text: &str) -> miette::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| miette::miette!("cannot create {}: {e}", parent.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))
}
