//! Micro benchmarks: each built-in plugin and the rule engine on typical
//! inputs, reported by divan as time per call and bytes per second
//! (`cargo bench --bench plugins`). Inputs are made here, deterministically,
//! so the figures need no corpus.
// A benchmark that cannot set up should stop loudly.
#![allow(clippy::unwrap_used)]

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

/// About 64 KiB of a GitHub Actions workflow: many jobs, pinned actions.
fn workflow() -> Vec<u8> {
    let mut text = String::from("name: ci\non: [push, pull_request]\njobs:\n");
    let mut i = 0;
    while text.len() < 64 * 1024 {
        text.push_str(&format!(
            "  job-{i}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/cache@v4\n        with:\n          path: target\n          key: cache-{i}\n      - run: cargo test --workspace\n"
        ));
        i += 1;
    }
    text.into_bytes()
}

#[divan::bench]
fn workflows(bencher: Bencher) {
    run::<ward_plugin_workflows::WorkflowsPlugin>(bencher, ".github/workflows/ci.yml", workflow());
}

/// The markdown plugin over a repository of 50 documents (about 64 KiB in
/// all) that link to each other's headings and to source files.
#[divan::bench]
fn markdown_repository(bencher: Bencher) {
    let docs: Vec<(String, String)> = (0..50)
        .map(|i| {
            let mut text = format!("# Document {i}\n\n");
            for section in 0..10 {
                text.push_str(&format!(
                    "## Section {section}\n\nSee [the next](doc{}.md#section-{section}), [code](../src/lib.rs) and [above](#document-{i}).\nSome prose that explains the section in a sentence or two, as documentation does.\n\n",
                    (i + 1) % 50
                ));
            }
            (format!("docs/doc{i}.md"), text)
        })
        .collect();
    let mut files: Vec<(&str, &str)> = docs
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    files.push(("src/lib.rs", "pub fn f() {}\n"));
    let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
    let plugin = ward_plugin_markdown::MarkdownPlugin::new(&PluginConfig::default()).unwrap();
    bencher
        .counter(BytesCount::new(bytes))
        .bench_local(|| ward_plugin_sdk::testing::check_repo(&plugin, &files));
}
