#![no_main]
//! Any bytes as a ward.toml found in a checked tree, with what it extends
//! and names confined to the tree: an error or a config, never a panic, and
//! never a file read from outside the tree.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let root = dir.path().join("repo");
    if std::fs::create_dir_all(root.join("sub")).is_err() {
        return;
    }
    // A second config for `extends = ["sub/base.toml"]` to find.
    let _ = std::fs::write(root.join("sub/base.toml"), "exclude = [\"x/**\"]\n");
    let config = root.join("ward.toml");
    if std::fs::write(&config, text).is_err() {
        return;
    }
    let Some(found) = ward::config::discover::discover(&root) else {
        return;
    };
    let allowed = [root.canonicalize().unwrap_or(root.clone())];
    let _ = ward::config::discover::load_confined(&found, &root, &allowed);
});
