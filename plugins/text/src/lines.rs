//! Splitting a file into lines without losing their endings.

/// One line of a file, as byte offsets into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: u32,
    /// First byte of the line.
    pub start: usize,
    /// One past the last byte of the content (before `\r\n` or `\n`).
    pub content_end: usize,
    /// One past the line ending (equal to `content_end` on a last line without one).
    pub end: usize,
}

impl Line {
    /// The line ending's bytes: `\n`, `\r\n` or empty.
    pub fn ending<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        &bytes[self.content_end..self.end]
    }
}

/// The lines of `bytes`; a trailing `\n` does not start an extra empty line.
pub fn lines(bytes: &[u8]) -> impl Iterator<Item = Line> + '_ {
    let mut start = 0;
    let mut number = 0u32;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        number = number.saturating_add(1);
        let line_start = start;
        let (content_end, end) = match memchr::memchr(b'\n', &bytes[start..]) {
            Some(i) => {
                let newline = start + i;
                let content_end = if newline > start && bytes[newline - 1] == b'\r' {
                    newline - 1
                } else {
                    newline
                };
                (content_end, newline + 1)
            }
            None => (bytes.len(), bytes.len()),
        };
        start = end;
        Some(Line {
            number,
            start: line_start,
            content_end,
            end,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lf_crlf_and_unterminated_lines() {
        let bytes = b"a\r\nb\nc";
        let got: Vec<_> = lines(bytes)
            .map(|l| (l.number, &bytes[l.start..l.content_end], l.ending(bytes)))
            .collect();
        assert_eq!(
            got,
            [
                (1, &b"a"[..], &b"\r\n"[..]),
                (2, &b"b"[..], &b"\n"[..]),
                (3, &b"c"[..], &b""[..])
            ]
        );
    }

    #[test]
    fn empty_input_has_no_lines() {
        assert_eq!(lines(b"").count(), 0);
    }
}
