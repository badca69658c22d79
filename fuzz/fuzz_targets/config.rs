#![no_main]
//! Any bytes as ward.toml: an error or a config, never a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ward::config::parse(text, "ward.toml", std::path::Path::new("/repo"));
    }
});
