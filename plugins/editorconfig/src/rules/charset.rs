//! `editorconfig/charset`

use ec4rs::property::Charset;
use ward_plugin_sdk::{File, Finding, RuleInfo, Severity};

use super::{point, Props};

/// The rule's id.
pub const ID: &str = "editorconfig/charset";

const DOCS: &str = r"## What it does
Under `charset = utf-8-bom`, `utf-16le` or `utf-16be`, finds files that do not start with that byte-order mark. (`utf-8` is `text/invalid-utf8` and `text/bom`'s job.)

## Bad
`charset = utf-8-bom` and a file without `EF BB BF`.

## Good
The file starting with the mark.";

/// The rule's metadata.
pub fn info() -> RuleInfo {
    RuleInfo::new(
        ID,
        "A file without the byte-order mark its charset needs",
        Severity::Error,
        DOCS,
    )
}

/// Reports a file without the byte-order mark its charset needs.
pub fn check(file: &File<'_>, props: &Props, out: &mut Vec<Finding>) {
    let mark: Option<(&[u8], &str)> = match props.charset {
        Some(Charset::Utf8Bom) => Some((b"\xef\xbb\xbf", "utf-8-bom")),
        Some(Charset::Utf16Le) => Some((b"\xff\xfe", "utf-16le")),
        Some(Charset::Utf16Be) => Some((b"\xfe\xff", "utf-16be")),
        _ => None,
    };
    if let Some((bom, name)) = mark {
        if !file.bytes.is_empty() && !file.bytes.starts_with(bom) {
            out.push(
                Finding::new(
                    ID,
                    format!("no byte-order mark, but .editorconfig says charset = {name}"),
                )
                .at(point(1, 1, 0)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{Repo, CONFIG};

    #[test]
    fn a_missing_byte_order_mark() {
        let repo = Repo::new(CONFIG);
        assert_eq!(
            repo.check(ID, "a.txt", b"hello\n"),
            [(
                ID.into(),
                1,
                1,
                "no byte-order mark, but .editorconfig says charset = utf-8-bom".into()
            )]
        );
        assert_eq!(repo.check(ID, "b.txt", b"\xef\xbb\xbfhello\n"), []);
    }
}
