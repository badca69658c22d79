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

/// Base64 (standard or URL-safe) and hex characters, as a table, for the
/// tail of a text and for CPUs without SSE2.
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

fn mask_of(bytes: &[u8]) -> u64 {
    bytes.iter().enumerate().fold(0, |m, (i, &b)| {
        m | (u64::from(BASE64_BYTE[b as usize]) << i)
    })
}

/// Bit `i` set when byte `i` of the chunk is a base64 character: sixteen
/// bytes a step, since this runs over every byte of every file.
#[cfg(target_arch = "x86_64")]
fn mask64(chunk: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_sub_epi8,
    };
    let mut mask = 0u64;
    for (k, part) in chunk.chunks_exact(16).enumerate() {
        let part: [u8; 16] = part.try_into().unwrap_or_default();
        // SAFETY: SSE2 is part of every x86_64 CPU, and `[u8; 16]` and
        // `__m128i` are both 16 bytes in which any bits are a valid value.
        let bits = unsafe {
            let v = std::mem::transmute::<[u8; 16], __m128i>(part);
            let is = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
            // `x - low <= span` unsigned, as `min(x - low, span) == x - low`.
            let within = |x: __m128i, low: u8, span: u8| {
                let t = _mm_sub_epi8(x, _mm_set1_epi8(low as i8));
                _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(span as i8)), t)
            };
            let letter = within(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', 25);
            let digit = within(v, b'0', 9);
            let sign = _mm_or_si128(
                _mm_or_si128(is(b'+'), is(b'/')),
                _mm_or_si128(is(b'_'), is(b'-')),
            );
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), sign))
        };
        mask |= u64::from(bits as u16) << (k * 16);
    }
    mask
}

#[cfg(not(target_arch = "x86_64"))]
fn mask64(chunk: &[u8; 64]) -> u64 {
    mask_of(chunk)
}

/// Bit `i % 64` of word `i / 64`: byte `i` of `text` is a base64 character.
fn base64_bitmap(text: &[u8]) -> Vec<u64> {
    let mut words = Vec::with_capacity(text.len() / 64 + 1);
    let mut chunks = text.chunks_exact(64);
    for chunk in &mut chunks {
        words.push(chunk.try_into().map_or(0, mask64));
    }
    if !chunks.remainder().is_empty() {
        words.push(mask_of(chunks.remainder()));
    }
    words
}

/// The encoded candidates of `text`, in order: runs of 16 or more base64
/// characters (hex runs among them), and percent escapes, as gitleaks'
/// decoder finds them. Runs are found on a bitmap of the text, 64 bytes a
/// step: most files have many identifiers, few runs of sixteen.
fn candidates(text: &[u8]) -> Vec<(Range<usize>, bool)> {
    let mut percent: Vec<Range<usize>> = Vec::new();
    if memchr::memchr(b'%', text).is_some() {
        if let Some(regex) = PERCENT.as_ref() {
            percent.extend(regex.find_iter(text).map(|m| m.range()));
        }
    }
    let words = base64_bitmap(text);
    let word = |w: usize| words.get(w).copied().unwrap_or(0);
    let mut found = Vec::new();
    let mut next_percent = 0;
    // Bytes before `at` are settled; `at` is 0 or just after a run.
    let mut at = 0usize;
    let mut w = 0;
    while w < words.len() {
        // Bit i: the sixteen bytes from 64w + i are all base64 characters.
        let pair = (u128::from(word(w + 1)) << 64) | u128::from(word(w));
        let mut sixteen = pair & (pair >> 1);
        sixteen &= sixteen >> 2;
        sixteen &= sixteen >> 4;
        sixteen &= sixteen >> 8;
        let mut starts = sixteen as u64;
        let settled = at.saturating_sub(w * 64);
        if settled >= 64 {
            w += 1;
            continue;
        }
        starts &= !0u64 << settled;
        if starts == 0 {
            w += 1;
            continue;
        }
        // The lowest start is a run's first byte: the byte before it is
        // settled or not a base64 character.
        let start = w * 64 + starts.trailing_zeros() as usize;
        let mut run_end = start + 16;
        while run_end / 64 < words.len() {
            let offset = run_end % 64;
            let ones =
                ((!(word(run_end / 64) >> offset)).trailing_zeros() as usize).min(64 - offset);
            run_end += ones;
            if ones < 64 - offset {
                break;
            }
        }
        let run_end = run_end.min(text.len());
        let mut end = run_end;
        while end < text.len() && end - run_end < 2 && text[end] == b'=' {
            end += 1;
        }
        while next_percent < percent.len() && percent[next_percent].end <= start {
            next_percent += 1;
        }
        let in_percent = percent[next_percent..]
            .iter()
            .take_while(|p| p.start < end)
            .any(|p| start < p.end);
        if !in_percent {
            found.push((start..end, false));
        }
        at = if end > run_end { end } else { run_end + 1 };
        w = at / 64;
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
    // Checked before decoding: most candidates are identifiers, and a
    // decoded Vec would be allocated for each.
    if text.len() < 32 || !text.len().is_multiple_of(2) || !text.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    text.chunks(2)
        .map(|pair| Some(hex_value(pair[0])? << 4 | hex_value(pair[1])?))
        .collect()
}

fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    // Base64 of ASCII text: each group of four characters starts with one
    // that holds a byte's top six bits, 0x20..0x7e >> 2, so `I`..`Z` or
    // `a`..`f` in both alphabets. Most candidates are identifiers and fail
    // this at once, before anything reads the whole candidate.
    let ascii_lead = |c: u8| matches!(c, b'I'..=b'Z' | b'a'..=b'f');
    if !ascii_lead(text[0]) || !ascii_lead(text[4]) {
        return None;
    }
    let url_safe = text.iter().any(|b| matches!(b, b'-' | b'_'));
    let standard = text.iter().any(|b| matches!(b, b'+' | b'/'));
    let engine = match (url_safe, standard) {
        (true, true) => return None,
        (true, false) => &URL_SAFE,
        (false, _) => &STANDARD,
    };
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

    /// gitleaks' definition, as a regex: runs of 16 or more base64
    /// characters with up to two `=`, outside percent escapes.
    fn candidates_by_regex(text: &[u8]) -> Vec<(Range<usize>, bool)> {
        let run = Regex::new(r"[A-Za-z0-9+/_-]{16,}={0,2}").unwrap();
        let percent: Vec<Range<usize>> = PERCENT
            .as_ref()
            .unwrap()
            .find_iter(text)
            .map(|m| m.range())
            .collect();
        let mut found: Vec<(Range<usize>, bool)> = run
            .find_iter(text)
            .map(|m| m.range())
            .filter(|r| !percent.iter().any(|p| p.start < r.end && r.start < p.end))
            .map(|r| (r, false))
            .collect();
        found.extend(percent.into_iter().map(|p| (p, true)));
        found.sort_by_key(|(range, _)| range.start);
        found
    }

    #[test]
    fn candidates_are_the_runs_gitleaks_finds_wherever_they_fall() {
        // Runs of every length around 16 and 64, at every offset of a
        // 64-byte word, next to padding, percent escapes and other runs.
        let pieces = [
            "a".repeat(15),
            "b".repeat(16),
            "C9+/_-".repeat(3),
            "d".repeat(63),
            "e".repeat(64),
            "f".repeat(65),
            "g".repeat(130),
            format!("{}==", "h".repeat(20)),
            format!("{}===", "i".repeat(17)),
            "%41%42%43".to_string(),
            format!("x%41{}", "j".repeat(20)),
        ];
        for (n, piece) in pieces.iter().enumerate() {
            for offset in 0..70 {
                let next = &pieces[(n + 1) % pieces.len()];
                let text = format!("{} {piece} {next}.{piece}", ".".repeat(offset));
                assert_eq!(
                    candidates(text.as_bytes()),
                    candidates_by_regex(text.as_bytes()),
                    "{text}"
                );
            }
        }
        assert!(candidates(b"").is_empty());
    }
}
