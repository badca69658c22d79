//! Black-box tests of the `ward` binary over fixture repositories.
// Test helpers unwrap: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used)]

mod action;
mod adoption;
mod cache;
mod classes;
mod config;
mod content;
mod decoding;
mod diff_mode;
mod fix;
mod fleet;
mod formats;
mod gitleaks_samples;
mod history;
mod hooks;
mod inputs;
mod large_files;
mod layout;
mod nested;
mod output;
mod packaging;
mod packs;
mod plugin_loading;
mod plugin_set;
mod plugins;
mod registry;
#[path = "../reliability/mod.rs"]
mod reliability;
mod sdk;
mod secrets;
mod snapshots;
mod support;
mod text_plugin;
