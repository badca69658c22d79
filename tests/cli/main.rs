//! Black-box tests of the `ward` binary over fixture repositories.

mod config;
mod inputs;
mod output;
mod plugins;
mod support;
mod text_plugin;
