//! Encoded values decoded and scanned again, as gitleaks does: a private key
//! stored base64-encoded in a Kubernetes secret, a token percent-encoded in
//! a URL. Each layer replaces the encoded segments of the previous one by
//! their decoded text, so the words around a segment (`password=`) still
//! give rules their context; a finding of a deeper layer must touch a
//! segment decoded at that layer, and is reported at the encoded span of
//! the original file.

use std::ops::Range;
use std::sync::LazyLock;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use regex::bytes::Regex;

/// Text decoded from one encoded segment.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    /// Where the decoded text lies in its layer.
    pub span: Range<usize>,
    /// The encoded span in the original file it came from.
    pub origin: Range<usize>,
    /// The encodings it went through, outermost first: `base64`, `base64, then hex`.
    pub chain: String,
}

/// One layer of decoded text.
#[derive(Debug)]
pub(crate) struct Layer {
    pub text: Vec<u8>,
    /// The segments decoded at this layer, in order.
    pub segments: Vec<Segment>,
}

/// Stretches of percent escapes, as gitleaks' decoder finds them.
static PERCENT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex::bytes::RegexBuilder::new(r"%[0-9A-Fa-f]{2}(?:[^\s%]*%[0-9A-Fa-f]{2})*")
        .unicode(false)
        .build()
        .ok()
});

/// Base64 (standard or URL-safe) and hex characters, as a table: this is
/// asked of most bytes of every file.
static BASE64_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'-');
        byte += 1;
    }
    table
};

#[inline]
fn base64_byte(byte: u8) -> bool {
    BASE64_BYTE[byte as usize]
}

/// The encoded candidates of `text`, in order: runs of 16 or more base64
/// characters (hex runs among them), and percent escapes, as gitleaks'
/// decoder finds them. A byte loop, not a regex: most files have many
/// long identifiers, and this runs over every file.
fn candidates(text: &[u8]) -> Vec<(Range<usize>, bool)> {
    let mut percent: Vec<Range<usize>> = Vec::new();
    if memchr::memchr(b'%', text).is_some() {
        if let Some(regex) = PERCENT.as_ref() {
            percent.extend(regex.find_iter(text).map(|m| m.range()));
        }
    }
    let mut found = Vec::new();
    // Any run of 16 starting in `at..at + 16` holds the byte at `at + 15`:
    // where that byte ends a word, all sixteen starts are skipped at once.
    // `at` is always 0 or just after a byte that ends a run.
    let mut at = 0;
    while at + 16 <= text.len() {
        let probe = at + 15;
        if !base64_byte(text[probe]) {
            at = probe + 1;
            continue;
        }
        let mut start = probe;
        while start > at && base64_byte(text[start - 1]) {
            start -= 1;
        }
        let mut run_end = probe + 1;
        while run_end < text.len() && base64_byte(text[run_end]) {
            run_end += 1;
        }
        let mut end = run_end;
        while end < text.len() && end - run_end < 2 && text[end] == b'=' {
            end += 1;
        }
        if run_end - start >= 16 && !percent.iter().any(|p| p.start < end && start < p.end) {
            found.push((start..end, false));
        }
        at = if end > run_end { end } else { run_end + 1 };
    }
    found.extend(percent.into_iter().map(|p| (p, true)));
    found.sort_by_key(|(range, _)| range.start);
    found
}

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

/// Decoded text worth scanning: UTF-8 without control characters other
/// than whitespace. Random bytes that happen to be valid base64 (most
/// identifiers over 16 letters are) decode to binary and are dropped here.
fn readable(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && std::str::from_utf8(bytes).is_ok_and(|text| {
            text.chars()
                .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        })
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

fn decode_hex(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() < 32 || !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2)
        .map(|pair| Some(hex_value(pair[0])? << 4 | hex_value(pair[1])?))
        .collect()
}

fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    let url_safe = text.iter().any(|b| matches!(b, b'-' | b'_'));
    let standard = text.iter().any(|b| matches!(b, b'+' | b'/'));
    let engine = match (url_safe, standard) {
        (true, true) => return None,
        (true, false) => &URL_SAFE,
        (false, _) => &STANDARD,
    };
    // Base64 of ASCII text: each group of four characters starts with one
    // that holds a byte's top six bits, 0x20..0x7e >> 2, so `I`..`Z` or
    // `a`..`f`. Most candidates are identifiers and fail this at once.
    let ascii_lead = |c: u8| matches!(c, b'I'..=b'Z' | b'a'..=b'f');
    if !ascii_lead(text[0]) || !ascii_lead(text[4]) {
        return None;
    }
    // Then eight characters decoded before them all.
    let head = engine.decode(&text[..8]).ok()?;
    if head
        .iter()
        .any(|b| b.is_ascii_control() && !matches!(b, b'\n' | b'\r' | b'\t'))
    {
        return None;
    }
    engine.decode(text).ok()
}

/// The decoded text of a candidate and its encoding.
fn decode(candidate: &[u8], percent: bool) -> Option<(Vec<u8>, &'static str)> {
    if percent {
        let decoded: Vec<u8> = percent_encoding::percent_decode(candidate).collect();
        return readable(&decoded).then_some((decoded, "percent"));
    }
    if let Some(decoded) = decode_hex(candidate).filter(|d| readable(d)) {
        return Some((decoded, "hex"));
    }
    decode_base64(candidate)
        .filter(|d| readable(d))
        .map(|d| (d, "base64"))
}

/// The next layer: at the first, every encoded segment of `text`; deeper,
/// those inside the segments the previous layer decoded. Only the lines
/// that hold a segment are kept (decoded), one after another: a URL with a
/// `%20` in a large file costs a line, not another pass over the file.
/// `None` when nothing more decodes.
pub(crate) fn next_layer(text: &[u8], previous: Option<&[Segment]>) -> Option<Layer> {
    // (encoded range in `text`, decoded bytes, origin in the file, chain)
    type Decoded = (Range<usize>, Vec<u8>, Range<usize>, String);
    let mut found: Vec<Decoded> = Vec::new();
    for (range, percent) in candidates(text) {
        let (origin, chain) = match previous {
            None => (range.clone(), String::new()),
            Some(previous) => {
                let Some(within) = previous
                    .iter()
                    .find(|s| s.span.start <= range.start && range.end <= s.span.end)
                else {
                    continue;
                };
                (within.origin.clone(), format!("{}, then ", within.chain))
            }
        };
        let Some((decoded, encoding)) = decode(&text[range.clone()], percent) else {
            continue;
        };
        found.push((range, decoded, origin, format!("{chain}{encoding}")));
    }
    if found.is_empty() {
        return None;
    }
    let line_start = |at: usize| memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
    let line_end = |at: usize| memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i);
    let mut out = Vec::new();
    let mut segments = Vec::new();
    // End of the text copied so far; `None` before the first line.
    let mut copied: Option<usize> = None;
    for (range, decoded, origin, chain) in found {
        let from = match copied {
            Some(end) if end >= line_start(range.start) => end,
            Some(end) => {
                out.extend_from_slice(&text[end..line_end(end)]);
                out.push(b'\n');
                line_start(range.start)
            }
            None => line_start(range.start),
        };
        out.extend_from_slice(&text[from..range.start]);
        let start = out.len();
        out.extend_from_slice(&decoded);
        segments.push(Segment {
            span: start..out.len(),
            origin,
            chain,
        });
        copied = Some(range.end);
    }
    if let Some(end) = copied {
        out.extend_from_slice(&text[end..line_end(end)]);
    }
    Some(Layer {
        text: out,
        segments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type Spans = Vec<(Range<usize>, Range<usize>, String)>;

    fn layer(text: &str) -> (String, Spans) {
        let layer = next_layer(text.as_bytes(), None).expect("a layer");
        (
            String::from_utf8(layer.text).unwrap(),
            layer
                .segments
                .into_iter()
                .map(|s| (s.span, s.origin, s.chain))
                .collect(),
        )
    }

    #[test]
    fn base64_hex_and_percent_segments_decode_in_place() {
        // "password=hunter2hunter2" in base64, padded.
        assert_eq!(
            // Built from pieces, so that ward's own check of this file finds none.
            layer(concat!("k: cGFzc3dvcmQ9", "aHVudGVyMmh1bnRlcjI= #")),
            (
                concat!("k: pass", "word=hunter2hunter2 #").to_string(),
                vec![(3..26, 3..35, "base64".to_string())]
            )
        );
        // "token_abcdefghijkl" in hex (36 digits).
        assert_eq!(
            layer("x 746f6b656e5f6162636465666768696a6b6c y").0,
            "x token_abcdefghijkl y"
        );
        assert_eq!(layer("u=a%40b%3Ac").0, "u=a@b:c");
    }

    #[test]
    fn only_the_lines_with_a_segment_are_kept() {
        let text = concat!(
            "one\npass",
            "word: cGFzc3dvcmQ9aHVudGVyMmh1bnRlcjI=\nthree\nu=a%40b four\nfive"
        );
        assert_eq!(
            layer(text).0,
            concat!("pass", "word: pass", "word=hunter2hunter2\nu=a@b four")
        );
    }

    #[test]
    fn identifiers_and_binary_do_not_decode() {
        assert!(next_layer(b"MAX_FINDINGS_PER_FILE and some_long_function_name", None).is_none());
        assert!(next_layer(b"short abc= and 100%", None).is_none());
    }

    #[test]
    fn a_second_layer_decodes_only_inside_the_first() {
        // base64 of the hex of "secret_value_0123"... decoded twice.
        let hex = "7365637265745f76616c75655f30313233";
        let outer = STANDARD.encode(hex);
        let text = format!("a {outer} b 7365637265745f76616c75655f30313233");
        let first = next_layer(text.as_bytes(), None).unwrap();
        // The plain hex after `b` decodes at the first layer too.
        assert_eq!(first.segments.len(), 2);
        let second = next_layer(&first.text, Some(&first.segments[..1])).unwrap();
        assert_eq!(
            String::from_utf8(second.text).unwrap(),
            "a secret_value_0123 b secret_value_0123"
        );
        assert_eq!(second.segments.len(), 1);
        assert_eq!(second.segments[0].chain, "base64, then hex");
        assert_eq!(second.segments[0].origin, 2..2 + outer.len());
    }
}
