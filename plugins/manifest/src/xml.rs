//! XML checks that come before the parser.

/// Elements deeper than this are not parsed: roxmltree descends one stack
/// frame per level, and a file nested 10,000 deep overflowed a worker
/// thread's stack (1,000 in a debug build), which aborts the whole process.
/// libxml2 stops at the same depth unless told otherwise (`XML_PARSE_HUGE`);
/// real documents nest a few dozen levels.
pub const MAX_DEPTH: usize = 256;

/// The byte offset of the first start tag nested deeper than `limit`, if
/// any. Comments, CDATA sections, processing instructions, the DOCTYPE and
/// quoted attribute values are skipped, so only markup counts; the count is
/// never lower than a parser's, which is what matters before parsing.
pub fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let start = at + found;
        let rest = &bytes[start..];
        let skip_to = |end: &[u8]| {
            memchr::memmem::find(&rest[1..], end).map_or(bytes.len(), |i| start + 1 + i + end.len())
        };
        at = if rest.starts_with(b"<!--") {
            skip_to(b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(b"]]>")
        } else if rest.starts_with(b"<?") {
            skip_to(b"?>")
        } else if rest.starts_with(b"<!") {
            // A DOCTYPE, with an internal subset in brackets perhaps.
            skip_declaration(bytes, start)
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            skip_to(b">")
        } else {
            let end = tag_end(bytes, start);
            if bytes[..end].ends_with(b"/>") {
                // An empty element: opens and closes.
            } else {
                depth += 1;
                if depth > limit {
                    return Some(start);
                }
            }
            end
        };
    }
    None
}

/// One past the `>` that ends the tag starting at `start`, quoted attribute
/// values skipped.
fn tag_end(bytes: &[u8], start: usize) -> usize {
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(start + 1) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    bytes.len()
}

/// One past the end of a `<!…>` declaration, brackets and quotes respected.
fn skip_declaration(bytes: &[u8], start: usize) -> usize {
    let mut quote = None;
    let mut brackets = 0usize;
    for (i, &b) in bytes.iter().enumerate().skip(start + 2) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'[') => brackets += 1,
            (None, b']') => brackets = brackets.saturating_sub(1),
            (None, b'>') if brackets == 0 => return i + 1,
            _ => {}
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_elements_not_other_markup() {
        let text = r#"<?xml version="1.0"?>
<!DOCTYPE svg [ <!ENTITY e "<x>"> ]>
<a x="<b>" y='/>'><!-- <c><c><c> --><![CDATA[<d><d>]]><e/><f><g></g></f></a>"#;
        assert_eq!(too_deep(text, 3), None);
        assert_eq!(too_deep(text, 2), text.find("<g>"));
        assert_eq!(too_deep(text, 1), text.find("<f>"));
    }

    #[test]
    fn finds_where_nesting_passes_the_limit() {
        let text = "<a>".repeat(5) + &"</a>".repeat(5);
        assert_eq!(too_deep(&text, 5), None);
        assert_eq!(too_deep(&text, 4), Some(12));
        // Siblings do not add up.
        let flat = "<r>".to_string() + &"<a></a>".repeat(100) + "</r>";
        assert_eq!(too_deep(&flat, 2), None);
    }
}
