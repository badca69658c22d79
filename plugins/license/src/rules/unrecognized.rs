//! `license/unrecognized`

use ward_plugin_sdk::{category, Finding, RuleInfo, Severity};

use super::LicenseText;
use crate::LicensePlugin;

/// The rule's id.
pub const ID: &str = "license/unrecognized";

const DOCS: &str = r"## What it does
Compares `LICENSE`, `LICENCE` and `COPYING` files at the top of the repository with the SPDX license texts (the detector cargo-deny uses) and reports a text that matches none with at least `min-confidence` (default 0.8). A short file (up to 40 lines) that points to another license file (`LICENSE-MIT`, `content/LICENSE.md`, `COPYING`), or names a license and points to it (a URL, `see …`) or states it (`dual-licensed under the Unlicense and MIT`), is a pointer, not a license text, and is not reported. The message names the closest known license only when it is at least half similar.

## Why is this bad?
A hand-edited license is legally unclear, and tools that collect licenses cannot classify it.

## Bad
An MIT text with a clause added.

## Good
The unmodified MIT text.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A license file whose text no known license matches",
        Severity::Warning,
        DOCS,
    )
    .category(category::DOCUMENTATION)
}

/// Reports a license file that matches no known license well enough.
pub fn check(plugin: &LicensePlugin, text: &LicenseText<'_>, out: &mut Vec<Finding>) {
    if text.score < plugin.min_confidence && !text.pointer {
        // Below half, the "closest" license is noise, and which of several
        // equally poor matches comes first changes from run to run: the
        // message names one only when it says something, so output stays
        // deterministic.
        let message = if text.score >= 0.5 {
            format!(
                "no known license text matches (closest: {} at {}%)",
                text.name,
                text.percent()
            )
        } else {
            "no known license text matches (none is even half similar)".to_string()
        };
        out.push(Finding::new(ID, message).in_path(text.path));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{licenses, MIT};

    #[test]
    fn a_made_up_license_is_flagged_and_mit_is_not() {
        let made_up = licenses(&[(
            "COPYING",
            "You may use this software on Tuesdays only, if you ask nicely first.\n",
        )]);
        assert_eq!(made_up.len(), 1);
        assert_eq!(
            (made_up[0].0.as_str(), made_up[0].1.as_str()),
            (ID, "COPYING")
        );
        assert_eq!(
            made_up[0].2,
            "no known license text matches (none is even half similar)"
        );
        // Run again: the same message, every time.
        for _ in 0..5 {
            let again = licenses(&[(
                "COPYING",
                "You may use this software on Tuesdays only, if you ask nicely first.\n",
            )]);
            assert_eq!(again[0].2, made_up[0].2);
        }
        assert!(licenses(&[("LICENSE", MIT)]).iter().all(|f| f.0 != ID));
    }

    /// A short file that names the licenses and where they are is no
    /// license text gone wrong.
    #[test]
    fn a_pointer_to_the_licenses_is_not_reported() {
        let pointer = "Licensed under either of\n\n * Apache License, Version 2.0 (LICENSE-APACHE)\n * MIT license (LICENSE-MIT)\n\nat your option.\n";
        assert!(licenses(&[("LICENSE", pointer)]).iter().all(|f| f.0 != ID));
        let stated = "This project is dual-licensed under the Unlicense and MIT licenses.\n\nYou may use this code under the terms of either license.\n";
        assert!(licenses(&[("COPYING", stated)]).iter().all(|f| f.0 != ID));
        let elsewhere = "See [content/LICENSE.md](content/LICENSE.md) for the license of the content.\n\nThe theme has no open source license.\n";
        assert!(licenses(&[("LICENSE.md", elsewhere)])
            .iter()
            .all(|f| f.0 != ID));
        let unknown = "All rights reserved. Ask us before you copy anything.\n";
        assert!(licenses(&[("LICENSE", unknown)]).iter().any(|f| f.0 == ID));
        // Naming no license, or pointing nowhere, it still is.
        let vague = "All rights reserved; you may not submit or limit it, see https://x.y\n";
        assert_eq!(licenses(&[("LICENSE", vague)]).len(), 1);
    }
}
