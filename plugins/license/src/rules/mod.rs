//! The rules, one module each, and the license files both repository
//! rules look at.

use std::sync::OnceLock;

use ward_plugin_sdk::{EntryKind, Repo};

pub mod detected;
pub mod missing_header;
pub mod unrecognized;

/// The line a license header may consist of alone.
pub const SPDX_MARKER: &str = "SPDX-License-Identifier:";

/// A top-level license file and the known license it is closest to.
pub struct LicenseText<'a> {
    /// The file's path.
    pub path: &'a str,
    /// The SPDX id of the closest license.
    pub name: String,
    /// How close, from 0 to 1.
    pub score: f32,
}

impl LicenseText<'_> {
    /// The score as a whole percentage.
    pub fn percent(&self) -> f32 {
        (self.score * 100.0).round()
    }
}

/// The SPDX license texts, loaded once and only when a license file is
/// checked (decompressing them takes a moment).
fn store() -> Option<&'static spdx::detection::Store> {
    static STORE: OnceLock<Option<spdx::detection::Store>> = OnceLock::new();
    STORE
        .get_or_init(|| spdx::detection::Store::load_inline().ok())
        .as_ref()
}

fn is_license_file(path: &str) -> bool {
    if path.contains('/') {
        return false;
    }
    let upper = path.to_ascii_uppercase();
    ["LICENSE", "LICENCE", "COPYING"].iter().any(|n| {
        upper == *n || upper.starts_with(&format!("{n}.")) || upper.starts_with(&format!("{n}-"))
    })
}

/// Every top-level license file of the repository, analysed.
pub fn license_texts<'a>(repo: &Repo<'a>) -> Vec<LicenseText<'a>> {
    let Some(store) = store() else {
        return Vec::new();
    };
    repo.entries()
        .iter()
        .filter(|e| e.kind == EntryKind::File && is_license_file(e.path))
        .filter_map(|entry| {
            let bytes = repo.read(entry.path).ok()?;
            let text = String::from_utf8_lossy(&bytes);
            let found = store.analyze(&spdx::detection::TextData::new(&text));
            Some(LicenseText {
                path: entry.path,
                name: found.name.to_string(),
                score: found.score,
            })
        })
        .collect()
}
