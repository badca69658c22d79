#![no_main]
//! Any bytes through every text rule: findings inside the file, never a panic.
use libfuzzer_sys::fuzz_target;
use ward_plugin_sdk::{File, PluginConfig, Validator};

fuzz_target!(|data: &[u8]| {
    let plugin = ward_plugin_text::TextPlugin::new(&PluginConfig::default()).unwrap();
    let mut out = Vec::new();
    plugin.check_file(
        &File {
            path: "f.txt",
            bytes: data,
            is_binary: false,
            mode: 0o644,
        },
        &mut out,
    );
    for finding in &out {
        for edit in &finding.fix {
            assert!(edit.start <= edit.end && edit.end <= data.len());
        }
    }
});
