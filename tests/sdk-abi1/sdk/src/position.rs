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
        line_starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { bytes, line_starts }
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
