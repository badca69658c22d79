//! The rules of the `text` plugin, one module each.

pub mod bom;
pub mod final_newline;
pub mod invalid_utf8;
pub mod merge_conflict;
pub mod mixed_line_endings;
pub mod todo;
pub mod trailing_whitespace;

use ward_plugin_sdk::{char_count, Span};

use crate::lines::Line;

/// The span of bytes `start..end` that lie on `line`.
pub(crate) fn span_on_line(bytes: &[u8], line: &Line, start: usize, end: usize) -> Span {
    let column = u32::try_from(char_count(&bytes[line.start..start]) + 1).unwrap_or(u32::MAX);
    let width = u32::try_from(char_count(&bytes[start..end])).unwrap_or(u32::MAX);
    Span {
        line: line.number,
        column,
        end_line: line.number,
        end_column: column.saturating_add(width),
    }
}
