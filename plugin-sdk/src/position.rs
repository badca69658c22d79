//! Byte offsets to 1-based lines and character columns.

use crate::Span;

/// Maps byte offsets of one file to lines and columns. Columns count
/// characters (UTF-8 scalar values; each byte of an invalid sequence counts as one).
pub struct LineIndex<'a> {
    bytes: &'a [u8],
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        LineIndex { bytes, line_starts }
    }

    /// How many lines there are: one more than there are `\n`s.
    pub fn line_count(&self) -> u32 {
        to_u32(self.line_starts.len())
    }

    /// The bytes of 1-based line `n` (clamped to the file), without its
    /// `\n` or `\r\n`. A `\r` that ends the file ends no line: it is the
    /// last line's last character.
    pub fn line(&self, n: u32) -> &'a [u8] {
        let i = (n as usize)
            .saturating_sub(1)
            .min(self.line_starts.len() - 1);
        let start = self.line_starts[i];
        match self.line_starts.get(i + 1) {
            Some(next) => {
                let line = &self.bytes[start..next - 1];
                line.strip_suffix(b"\r").unwrap_or(line)
            }
            None => &self.bytes[start..],
        }
    }

    /// The 1-based (line, column) of the byte at `offset`.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.bytes.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        (
            to_u32(line + 1),
            to_u32(char_count(&self.bytes[start..offset]) + 1),
        )
    }

    /// The span of the bytes `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let (line, column) = self.position(start);
        let (end_line, end_column) = self.position(end.max(start));
        Span {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// Characters in `bytes`: every byte that does not continue a UTF-8 sequence.
pub fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_without_their_endings() {
        let index = LineIndex::new(b"a\r\nbc\n\nlast\r");
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line(1), b"a");
        assert_eq!(index.line(2), b"bc");
        assert_eq!(index.line(3), b"");
        assert_eq!(index.line(4), b"last\r");
        assert_eq!(index.line(99), b"last\r");
        assert_eq!(LineIndex::new(b"").line_count(), 1);
    }

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\nçd e\n".as_bytes();
        let index = LineIndex::new(text);
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(3), (2, 1));
        // 'ç' is two bytes; the space after "çd" is the third character.
        assert_eq!(index.position(6), (2, 3));
        assert_eq!(index.position(text.len()), (3, 1));
    }

    #[test]
    fn span_covers_a_range() {
        let index = LineIndex::new(b"x  \n");
        assert_eq!(
            index.span(1, 3),
            Span {
                line: 1,
                column: 2,
                end_line: 1,
                end_column: 4
            }
        );
    }
}
