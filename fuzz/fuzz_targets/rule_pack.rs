#![no_main]
//! Any bytes as a rule pack: an error or a pack, never a panic; a pack that
//! loads must scan its own text without panicking.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let source = ward_rules::PackSource {
            name: "fuzz.toml".into(),
            text: text.into(),
        };
        if let Ok(pack) = ward_rules::parse(&source) {
            let set = ward_rules::RuleSet::new(pack.rules);
            let mut out = Vec::new();
            set.scan("fuzz.txt", data, &mut out);
        }
    }
});
