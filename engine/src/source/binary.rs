//! Whether a file is binary, from its first bytes: what every check asks
//! of every file before reading it as text.

/// How much of a file content classes look at.
pub const PROBE: usize = 8 * 1024;

/// Extensions of binary formats without a magic number `infer` knows.
const BINARY_EXTENSIONS: &[&str] = &["br", "pyc", "pyo", "class", "ai", "woff", "woff2"];

/// Whether `head` (the first [`PROBE`] bytes of the file at `path`) is
/// binary: a NUL (as git decides), a known binary format, or mostly
/// control characters.
pub fn is_binary(path: &str, head: &[u8]) -> bool {
    let head = &head[..head.len().min(PROBE)];
    if head.is_empty() {
        return false;
    }
    if memchr::memchr(0, head).is_some() {
        return true;
    }
    if has_text_bom(head) {
        return false;
    }
    let extension = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if BINARY_EXTENSIONS.contains(&extension.as_str()) {
        return true;
    }
    // Branch-free and in byte counters (a chunk of 128 cannot overflow
    // one), so that the compiler counts sixteen bytes a step: this runs
    // over the head of every file.
    let controls: usize = head
        .chunks(128)
        .map(|chunk| {
            let count: u8 = chunk
                .iter()
                .map(|&b| {
                    let control = (b < 0x20) | (b == 0x7f);
                    let space = (b == b'\t')
                        | (b == b'\n')
                        | (b == b'\r')
                        | (b == b'\x0c')
                        | (b == b'\x1b');
                    u8::from(control & !space)
                })
                .fold(0, u8::wrapping_add);
            usize::from(count)
        })
        .sum();
    // Control characters other than the whitespace ones and ESC: a text
    // file has almost none, compressed or encoded data about an eighth.
    let mostly_controls = controls * 100 > head.len() * 3;
    // Valid UTF-8 (up to a character the probe cut in two) is text: magic
    // numbers are only asked about the rest, since some text formats (PEM
    // keys, certificates) have signatures too.
    let utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    };
    if utf8 {
        return mostly_controls;
    }
    if infer::get(head).is_some_and(|kind| !matches!(kind.matcher_type(), infer::MatcherType::Text))
    {
        return true;
    }
    mostly_controls
}

fn has_text_bom(head: &[u8]) -> bool {
    head.starts_with(b"\xef\xbb\xbf")
        || head.starts_with(b"\xff\xfe")
        || head.starts_with(b"\xfe\xff")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// UTF-8 text with `controls` control bytes (not whitespace or ESC)
    /// spread through 1,000 bytes, the count the byte chunks must add up.
    fn text_with(controls: usize) -> Vec<u8> {
        let mut text = b"plain text, tabs\tand\r\nlines\x0c and \x1b[0m colours ".repeat(30);
        text.truncate(1000);
        for n in 0..controls {
            text[n * 997 % 1000] = if n % 2 == 0 { 0x01 } else { 0x7f };
        }
        text
    }

    #[test]
    fn more_than_three_percent_control_bytes_is_binary_whitespace_and_esc_are_not() {
        assert!(!is_binary("a.txt", &text_with(0)));
        assert!(!is_binary("a.txt", &text_with(30)));
        assert!(is_binary("a.txt", &text_with(31)));
        // Past a byte counter's range: 300 control bytes in one file.
        assert!(is_binary("a.txt", &text_with(300)));
    }
}
