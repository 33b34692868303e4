//! Byte offsets to 1-based line and UTF-16 column numbers.
//!
//! Every output format (pretty, JSON, SARIF, GitHub, …) takes its positions from
//! here, so they never disagree. Columns count UTF-16 code units, as ESLint,
//! LSP and SARIF (`columnKind: utf16CodeUnits`) expect.

use serde::Serialize;

/// A 1-based line and a 1-based UTF-16 column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Start and end of a span; the end is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Region {
    pub start: Position,
    pub end: Position,
}

/// Line starts of one source text, built once per file.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line_starts.push(i + 1),
                // A lone CR is a line break in JS; CRLF counts once, at the LF.
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => line_starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { text, line_starts }
    }

    /// The index of the lines of `text` up to the one holding byte `offset`
    /// (and that line whole): positions of offsets up to it are those of the
    /// full index, and the rest of a large file is not scanned.
    pub fn up_to(text: &'a str, offset: usize) -> Self {
        let from = offset.min(text.len());
        let end = text.as_bytes()[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |p| from + p + 1);
        LineIndex::new(&text[..end])
    }

    /// Position of a byte offset; offsets past the end clamp to the end, and
    /// offsets inside a multi-byte character snap back to its start.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = self.text[start..offset].encode_utf16().count() + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    pub fn region(&self, span: &std::ops::Range<usize>) -> Region {
        Region {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }

    /// Byte offset where the 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line.checked_sub(1)?).copied()
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offsets where each line starts (the first is 0).
    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_positions() {
        let idx = LineIndex::new("ab\ncd\n");
        assert_eq!(idx.position(0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(4), Position { line: 2, column: 2 });
        assert_eq!(idx.position(99), Position { line: 3, column: 1 });
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs_twice() {
        // "é" is 2 bytes / 1 unit, "😀" is 4 bytes / 2 units.
        let text = "é😀x";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text.find('x').unwrap()).column, 4);
    }

    #[test]
    fn crlf_and_lone_cr() {
        let idx = LineIndex::new("a\r\nb\rc");
        assert_eq!(idx.position(3), Position { line: 2, column: 1 });
        assert_eq!(idx.position(5), Position { line: 3, column: 1 });
    }

    #[test]
    fn a_partial_index_agrees_with_the_full_one() {
        let text = "ab\r\ncd\ré😀x\n\nlast line";
        let full = LineIndex::new(text);
        for limit in 0..=text.len() + 2 {
            let part = LineIndex::up_to(text, limit);
            for offset in 0..=limit.min(text.len()) {
                assert_eq!(
                    part.position(offset),
                    full.position(offset),
                    "{limit} {offset}"
                );
            }
        }
    }

    #[test]
    fn offsets_inside_a_character_snap_back() {
        let idx = LineIndex::new("é");
        assert_eq!(idx.position(1).column, 1);
    }
}
