//! Source text to swc AST: syntax by file extension, BOM handling, parse errors
//! as fatal diagnostics, and a guard against input nested too deeply to parse.

use std::path::Path;

use bytes_str::BytesStr;
use swc_common::{
    FileName, SourceFile, SourceMap, Spanned, comments::SingleThreadedComments, sync::Lrc,
};
use swc_ecma_ast::{EsVersion, Program};
use swc_ecma_parser::{EsSyntax, Syntax, TsSyntax, parse_file_as_program};

use crate::diagnostic::{Diagnostic, PARSE_ERROR};
pub use crate::dialect::Dialect;

/// Deepest bracket nesting we hand to the parser. Real code stays far below;
/// generated or hostile input above it is reported instead of risking the stack.
pub const MAX_NESTING: usize = 4_000;

/// The parser settings of a dialect.
fn syntax(dialect: Dialect) -> Syntax {
    match dialect {
        // Masked component text is parsed with the dialect of its blocks;
        // parsed directly, it is most likely TypeScript.
        Dialect::Component(_) => syntax(Dialect::Ts),
        Dialect::Js => Syntax::Es(EsSyntax {
            jsx: true,
            decorators: true,
            explicit_resource_management: true,
            allow_return_outside_function: true,
            ..Default::default()
        }),
        Dialect::Ts | Dialect::Tsx => Syntax::Typescript(TsSyntax {
            tsx: dialect == Dialect::Tsx,
            decorators: true,
            ..Default::default()
        }),
    }
}

/// A parsed file. Spans in `program` are global swc positions; subtract
/// `start` (see [`Parsed::offset`]) to get byte offsets into the text.
pub struct Parsed {
    pub program: Program,
    pub comments: Option<SingleThreadedComments>,
    pub file: Lrc<SourceFile>,
}

impl Parsed {
    /// Byte offset into the source text of a swc position.
    pub fn offset(&self, pos: swc_common::BytePos) -> usize {
        pos.0.saturating_sub(self.file.start_pos.0) as usize
    }
}

/// Strips a UTF-8 byte order mark: every offset leaklint reports is into the
/// text after it, as in ESLint.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Parses `text` (without BOM). Comments are collected only when asked for:
/// they cost time and only suppression directives need them.
// The error is the fatal diagnostic itself, built once per broken file.
#[allow(clippy::result_large_err)]
pub fn parse(
    path: &Path,
    text: &str,
    dialect: Dialect,
    want_comments: bool,
) -> Result<Parsed, Diagnostic> {
    parse_shared(
        path,
        BytesStr::from(text.to_string()),
        dialect,
        want_comments,
    )
}

/// Like [`parse`], on a text the caller shares with swc's `SourceFile`
/// (a reference count, not a copy: a 9 MB bundle is held once, not twice).
#[allow(clippy::result_large_err)]
pub fn parse_shared(
    path: &Path,
    text: BytesStr,
    dialect: Dialect,
    want_comments: bool,
) -> Result<Parsed, Diagnostic> {
    if let Some(offset) = too_deep(&text) {
        return Err(Diagnostic::fatal(
            PARSE_ERROR,
            offset..offset,
            format!("nesting deeper than {MAX_NESTING} levels; the file was not analysed"),
        ));
    }
    if let Some(offset) = crate::depth::too_deep(&text) {
        return Err(Diagnostic::fatal(
            PARSE_ERROR,
            offset..offset,
            format!(
                "operators or statements chained deeper than {} levels; the file was not analysed",
                crate::depth::MAX_CHAIN
            ),
        ));
    }
    let cm: Lrc<SourceMap> = Default::default();
    let text_len = text.len();
    let file = cm.new_source_file(FileName::Real(path.to_path_buf()).into(), text);
    let comments = want_comments.then(SingleThreadedComments::default);
    let mut recovered = Vec::new();
    // swc's parser panics on a few invalid inputs (the fuzzer found `<a:b.c />`,
    // an `unreachable!` in its JSX code): that is a file it cannot parse.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parse_file_as_program(
            &file,
            syntax(dialect),
            EsVersion::latest(),
            comments
                .as_ref()
                .map(|c| c as &dyn swc_common::comments::Comments),
            &mut recovered,
        )
    }));
    let result = match result {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                .and_then(|m| m.lines().next())
                .unwrap_or("unknown panic");
            return Err(Diagnostic::fatal(
                PARSE_ERROR,
                0..0,
                format!("parsing error: the parser failed on this file ({what})"),
            ));
        }
    };
    match result {
        Ok(program) => Ok(Parsed {
            program,
            comments,
            file,
        }),
        Err(err) => {
            let span = err.span();
            let lo = span.lo.0.saturating_sub(file.start_pos.0) as usize;
            let hi = (span.hi.0.saturating_sub(file.start_pos.0) as usize).max(lo);
            let lo = lo.min(text_len);
            let hi = hi.min(text_len);
            Err(Diagnostic::fatal(
                PARSE_ERROR,
                lo..hi,
                format!("parsing error: {}", err.kind().msg()),
            ))
        }
    }
}

/// Finds the first place where brackets nest deeper than [`MAX_NESTING`].
/// A byte scan that ignores strings and comments: it can only overestimate
/// depth inside unbalanced string contents, which real code does not reach.
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    // Depth never exceeds the number of opening brackets: this count settles
    // most files without the sequential scan.
    if bytes.len() <= MAX_NESTING || count_opening(bytes) <= MAX_NESTING {
        return None;
    }
    // A table lookup per byte instead of a `match`, whose jump table cost
    // ~5% of a whole run on large files.
    let mut depth = 0i32;
    for (i, &b) in bytes.iter().enumerate() {
        depth = (depth + i32::from(BRACKET_DELTA[usize::from(b)])).max(0);
        if depth > MAX_NESTING as i32 {
            return Some(i);
        }
    }
    None
}

/// The number of opening brackets in `bytes`. Counted in `u8` lanes over
/// chunks of 255 bytes (a lane cannot overflow within one), which the
/// compiler turns into 16-byte vector compares: a `filter().count()` into a
/// `usize` ran byte by byte at about 9 instructions a byte, 6% of a run.
fn count_opening(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|chunk| {
            let in_chunk = chunk.iter().fold(0u8, |n, &b| {
                n + u8::from(b == b'(') + u8::from(b == b'[') + u8::from(b == b'{')
            });
            usize::from(in_chunk)
        })
        .sum()
}

/// `+1` for an opening bracket, `-1` for a closing one, 0 for other bytes.
static BRACKET_DELTA: [i8; 256] = {
    let mut t = [0i8; 256];
    t[b'(' as usize] = 1;
    t[b'[' as usize] = 1;
    t[b'{' as usize] = 1;
    t[b')' as usize] = -1;
    t[b']' as usize] = -1;
    t[b'}' as usize] = -1;
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_guard_counts_depth_not_brackets() {
        let flat = "f(x);".repeat(MAX_NESTING * 2);
        assert_eq!(too_deep(&flat), None);
        let deep = format!(
            "{}{}",
            "[".repeat(MAX_NESTING + 1),
            "]".repeat(MAX_NESTING + 1)
        );
        assert_eq!(too_deep(&deep), Some(MAX_NESTING));
        let at_limit = format!(
            "{}{}",
            "({".repeat(MAX_NESTING / 2),
            "})".repeat(MAX_NESTING / 2)
        );
        assert_eq!(too_deep(&at_limit), None);
        // Stray closers do not lend depth to what follows.
        let stray = format!("{}{}", ")".repeat(10), "(".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep(&stray), Some(10 + MAX_NESTING));
    }

    #[test]
    fn opening_brackets_are_counted_across_chunks() {
        // Longer than one 255-byte chunk, with every byte an opening bracket
        // (a lane full to the brim), and with other bytes between them.
        let all = "([{".repeat(1000);
        assert_eq!(count_opening(all.as_bytes()), 3000);
        let mixed = "a(b)[c]{d}<>'\"".repeat(700);
        assert_eq!(count_opening(mixed.as_bytes()), 2100);
        assert_eq!(count_opening(b""), 0);
        assert_eq!(count_opening(b")]}"), 0);
    }
}
