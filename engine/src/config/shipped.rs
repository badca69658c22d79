//! The rule packs compiled into the binary, and the secret masking that
//! errors quoting a config need before anything else is loaded.

use std::sync::OnceLock;

/// Packs compiled into the binary: (file name, text).
pub const SHIPPED: &[(&str, &str)] = &[
    ("secrets.toml", include_str!("../../../rules/secrets.toml")),
    (
        "dangerous-functions.toml",
        include_str!("../../../rules/dangerous-functions.toml"),
    ),
];

/// `text` with every secret the shipped secrets pack finds in it masked,
/// byte for byte (the first four characters kept, the rest `*`, one per
/// byte), so that an error quoting a config line never prints a token and
/// its offsets still point at the same places. Built only when an error
/// is shown.
pub fn mask_secrets(text: &str) -> String {
    static SECRETS: OnceLock<Option<ward_rules::RuleSet>> = OnceLock::new();
    let Some(set) = SECRETS.get_or_init(|| {
        let (name, pack) = SHIPPED.first()?;
        let pack = ward_rules::parse(&ward_rules::PackSource {
            name: (*name).to_string(),
            text: (*pack).to_string(),
        })
        .ok()?;
        Some(ward_rules::RuleSet::new(pack.rules))
    }) else {
        return text.to_string();
    };
    let mut found = Vec::new();
    set.scan("ward.toml", text.as_bytes(), &mut found);
    if found.is_empty() {
        return text.to_string();
    }
    let mut bytes = text.as_bytes().to_vec();
    for m in found.iter().filter(|m| m.secret.is_some()) {
        let keep = text[m.start..m.end]
            .char_indices()
            .nth(4)
            .map_or(m.end, |(at, _)| m.start + at);
        for byte in &mut bytes[keep..m.end] {
            *byte = b'*';
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
