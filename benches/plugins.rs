//! Micro benchmarks: each built-in plugin and the rule engine on typical
//! inputs, reported by divan as time per call and bytes per second
//! (`cargo bench --bench plugins`). Inputs are made here, deterministically,
//! so the figures need no corpus.

use divan::counter::BytesCount;
use divan::Bencher;
use ward_plugin_sdk::{File, Finding, PluginConfig, Validator};

fn main() {
    divan::main();
}

/// About 64 KiB of Rust-like source, clean of every rule.
fn source() -> Vec<u8> {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 64 * 1024 {
        text.push_str(&format!(
            "/// Returns the {i}th value, or a default when the token is missing.\npub fn value_{i}(map: &HashMap<String, u64>, key: &str) -> u64 {{\n    map.get(key).copied().unwrap_or({i})\n}}\n\n"
        ));
        i += 1;
    }
    text.into_bytes()
}

/// About 64 KiB of JSON.
fn json() -> Vec<u8> {
    let items: Vec<String> = (0..1200)
        .map(|i| format!("  {{\"id\": {i}, \"name\": \"item-{i}\", \"tags\": [\"a\", \"b\"]}}"))
        .collect();
    format!("[\n{}\n]\n", items.join(",\n")).into_bytes()
}

fn run<V: Validator>(bencher: Bencher, path: &'static str, bytes: Vec<u8>) {
    let plugin = V::new(&PluginConfig::default()).unwrap();
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench_local(|| {
            let mut out: Vec<Finding> = Vec::new();
            plugin.check_file(
                &File {
                    path,
                    bytes: &bytes,
                    is_binary: false,
                    mode: 0o644,
                },
                &mut out,
            );
            out
        });
}

#[divan::bench]
fn text(bencher: Bencher) {
    run::<ward_plugin_text::TextPlugin>(bencher, "src/lib.rs", source());
}

#[divan::bench]
fn structure(bencher: Bencher) {
    run::<ward_plugin_structure::StructurePlugin>(bencher, "src/lib.rs", source());
}

#[divan::bench]
fn security(bencher: Bencher) {
    run::<ward_plugin_security::SecurityPlugin>(bencher, "src/lib.rs", source());
}

#[divan::bench]
fn manifest_json(bencher: Bencher) {
    run::<ward_plugin_manifest::ManifestPlugin>(bencher, "data/items.json", json());
}

#[divan::bench(args = ["secrets.toml", "dangerous-functions.toml"])]
fn rule_pack(bencher: Bencher, pack: &str) {
    let text =
        std::fs::read_to_string(format!("{}/rules/{pack}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let parsed = ward_rules::parse(&ward_rules::PackSource {
        name: pack.into(),
        text,
    })
    .unwrap();
    let set = ward_rules::RuleSet::new(parsed.rules);
    let bytes = source();
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench_local(|| {
            let mut out = Vec::new();
            set.scan("src/lib.py", &bytes, &mut out);
            out
        });
}
