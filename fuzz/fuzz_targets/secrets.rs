#![no_main]
//! Any bytes through the shipped secrets pack: matches inside the input, never a panic.
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static SET: OnceLock<ward_rules::RuleSet> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let set = SET.get_or_init(|| {
        let text = include_str!("../../rules/secrets.toml");
        let pack = ward_rules::parse(&ward_rules::PackSource {
            name: "secrets.toml".into(),
            text: text.into(),
        })
        .unwrap();
        ward_rules::RuleSet::new(pack.rules)
    });
    let mut out = Vec::new();
    set.scan("fuzz.env", data, &mut out);
    for m in &out {
        assert!(m.start <= m.end && m.end <= data.len());
    }
});
