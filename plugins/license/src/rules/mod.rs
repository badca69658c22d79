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
    /// A short file that points to the licenses instead of holding one
    /// ("dual-licensed under MIT or Apache-2.0, see LICENSE-MIT").
    pub pointer: bool,
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

/// License names a pointer file may name (SPDX ids and their common words).
const LICENSE_NAMES: &[&str] = &[
    "mit",
    "apache",
    "bsd",
    "gpl",
    "lgpl",
    "agpl",
    "mpl",
    "mozilla public",
    "isc",
    "unlicense",
    "cc0",
    "zlib",
    "boost",
    "epl",
    "eclipse public",
];

/// Whether `text` is a short pointer to licenses kept elsewhere: under 40
/// lines, naming a license and where to find it (another file or a URL).
fn is_pointer(text: &str) -> bool {
    if text.lines().count() > 40 {
        return false;
    }
    let lower = text.to_lowercase();
    // Whole words: "mit" is in "permitted" and "submit" too.
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let names = LICENSE_NAMES.iter().any(|name| match name.split_once(' ') {
        Some(_) => lower.contains(name),
        None => words.contains(name),
    });
    // Another file of the tree: a pointer whether or not it names a license.
    let to_file = [
        "license-",
        "licence-",
        "licenses/",
        "license.md",
        "license.txt",
        "copying",
    ]
    .iter()
    .any(|p| lower.contains(p));
    let points = ["http://", "https://", "see "]
        .iter()
        .any(|p| lower.contains(p));
    // "This project is dual-licensed under the Unlicense and MIT licenses."
    let states = [
        "dual-licensed",
        "dual licensed",
        "licensed under",
        "either license",
    ]
    .iter()
    .any(|p| lower.contains(p));
    to_file || (names && (points || states))
}

/// Every top-level license file of the repository, analysed.
pub fn license_texts<'a>(repo: &Repo<'a>) -> Vec<LicenseText<'a>> {
    let files: Vec<&str> = repo
        .entries()
        .iter()
        .filter(|e| e.kind == EntryKind::File && is_license_file(e.path))
        .map(|e| e.path)
        .collect();
    // Loading the license texts takes a moment: only when there is a file.
    if files.is_empty() {
        return Vec::new();
    }
    let Some(store) = store() else {
        return Vec::new();
    };
    files
        .into_iter()
        .filter_map(|path| {
            let bytes = repo.read(path).ok()?;
            let text = String::from_utf8_lossy(&bytes);
            let found = store.analyze(&spdx::detection::TextData::new(&text));
            Some(LicenseText {
                path,
                name: found.name.to_string(),
                score: found.score,
                pointer: is_pointer(&text),
            })
        })
        .collect()
}
