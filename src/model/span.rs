//! Byte ranges of the source text as the model stores them.

use std::ops::Range;

/// A byte range of the file's text, in 8 bytes where a `Range<usize>` takes 16.
///
/// The model keeps several ranges per fact and, for a large bundle, hundreds
/// of thousands of facts, all alive beside the AST while the model is built:
/// halving every range is a large part of the model's peak memory. `u32` is
/// enough: the ranges come from swc positions (`BytePos`), which are `u32`
/// themselves, so no range the parser hands out can overflow it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TextSpan {
    start: u32,
    end: u32,
}

impl TextSpan {
    /// `start..end`; `end` is raised to `start` when it is smaller.
    pub fn new(start: u32, end: u32) -> Self {
        TextSpan {
            start,
            end: end.max(start),
        }
    }

    pub fn start(self) -> usize {
        self.start as usize
    }

    pub fn end(self) -> usize {
        self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The range diagnostics and the text use.
    pub fn range(self) -> Range<usize> {
        self.start()..self.end()
    }

    /// Does the range enclose `inner` (or equal it)?
    pub fn encloses(self, inner: TextSpan) -> bool {
        self.start <= inner.start && inner.end <= self.end
    }

    /// Does the range contain this offset (`start <= offset < end`)?
    pub fn contains(self, offset: usize) -> bool {
        self.start() <= offset && offset < self.end()
    }
}

impl From<TextSpan> for Range<usize> {
    fn from(span: TextSpan) -> Self {
        span.range()
    }
}

/// Anything that names a byte range of the source: the model's compact
/// [`TextSpan`] and the `Range<usize>` that analyses and diagnostics use.
pub trait ByteRange {
    fn byte_range(&self) -> Range<usize>;
}

impl ByteRange for TextSpan {
    fn byte_range(&self) -> Range<usize> {
        self.range()
    }
}

impl ByteRange for Range<usize> {
    fn byte_range(&self) -> Range<usize> {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_span_is_the_range_it_was_made_from() {
        let s = TextSpan::new(3, 9);
        assert_eq!(s.range(), 3..9);
        assert_eq!((s.start(), s.end(), s.len()), (3, 9, 6));
        assert!(s.contains(3) && s.contains(8) && !s.contains(9));
        assert!(
            s.encloses(s) && s.encloses(TextSpan::new(4, 9)) && !s.encloses(TextSpan::new(2, 4))
        );
        assert_eq!(Range::from(s), 3..9);
        assert!(TextSpan::new(5, 2).is_empty(), "an inverted range is empty");
        assert_eq!(std::mem::size_of::<TextSpan>(), 8);
    }
}
