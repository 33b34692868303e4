//! Streaming reader for V8 `.heapsnapshot` files.
//!
//! A snapshot is one JSON object: `snapshot` (a small header with `meta`,
//! which names the fields of every node and edge), then flat integer arrays
//! (`nodes`, `edges`, `locations`, …) and the `strings` table. A small
//! byte-level scanner walks that object and appends the integers straight
//! into packed `Vec<u32>`s and the strings into one buffer: no JSON tree of
//! the file is ever built, so memory is about the packed arrays. Only the
//! header goes through serde_json. Unknown top-level keys are skipped.

use std::fmt;
use std::io::Read;

use serde::Deserialize;

/// Why a file could not be read as a heap snapshot. Always a clean error:
/// the CLI prints it and exits with 2.
#[derive(Debug)]
pub struct HeapError(pub String);

impl fmt::Display for HeapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HeapError {}

impl HeapError {
    pub fn new(msg: impl Into<String>) -> HeapError {
        HeapError(msg.into())
    }
}

/// `snapshot.meta`: the layout of the flat arrays.
#[derive(Debug, Default, Deserialize)]
pub struct Meta {
    #[serde(default)]
    pub node_fields: Vec<String>,
    /// `node_types[0]` lists the names of node types; the other entries
    /// describe the other fields and are not needed.
    #[serde(default)]
    pub node_types: Vec<TypeList>,
    #[serde(default)]
    pub edge_fields: Vec<String>,
    #[serde(default)]
    pub edge_types: Vec<TypeList>,
    #[serde(default)]
    pub location_fields: Vec<String>,
}

/// An entry of `node_types`/`edge_types`: a list of names, or the name of a
/// field's kind (`"string"`, `"number"`), which the reader ignores.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum TypeList {
    Names(Vec<String>),
    Kind(String),
}

impl TypeList {
    pub fn names(&self) -> &[String] {
        match self {
            TypeList::Names(n) => n,
            TypeList::Kind(_) => &[],
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct Header {
    meta: Option<Meta>,
    node_count: Option<u64>,
    edge_count: Option<u64>,
}

/// The strings table: every string back to back, and where each ends.
#[derive(Debug, Default)]
pub struct Strings {
    bytes: String,
    /// u32 offsets (half the memory of usize): the reader refuses a table
    /// over 4 GB.
    ends: Vec<u32>,
}

impl Strings {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> &str {
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start as usize..end as usize]
    }

    fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Appends a string; false (and nothing appended) when the table would
    /// pass 4 GB.
    pub fn push(&mut self, s: &str) -> bool {
        let Ok(end) = u32::try_from(self.bytes.len() + s.len()) else {
            return false;
        };
        self.bytes.push_str(s);
        self.ends.push(end);
        true
    }
}

/// A snapshot as read: the header and the packed arrays, not yet checked
/// against each other (see [`super::graph::Graph::new`]).
#[derive(Debug, Default)]
pub struct RawSnapshot {
    pub meta: Meta,
    pub nodes: Vec<u32>,
    pub edges: Vec<u32>,
    pub locations: Vec<u32>,
    pub strings: Strings,
}

/// Reads a snapshot from a byte stream.
pub fn read(input: impl Read) -> Result<RawSnapshot, HeapError> {
    read_sized(input, None)
}

/// [`read`], told the stream's length: the node and edge arrays are then
/// allocated once at the size the header announces (when the file is large
/// enough to hold that many numbers), instead of growing by doubling.
pub fn read_sized(input: impl Read, len: Option<u64>) -> Result<RawSnapshot, HeapError> {
    let mut lx = Lexer::new(input);
    let mut raw = RawSnapshot::default();
    let mut seen_meta = false;
    lx.skip_ws()?;
    if lx.peek()? != Some(b'{') {
        return Err(match lx.peek()? {
            None => HeapError::new("the file is empty; a heap snapshot is a JSON object"),
            Some(b'[' | b'"' | b'0'..=b'9' | b'-' | b't' | b'f' | b'n') => HeapError::new(
                "not a V8 heap snapshot: the file is JSON, but not an object with `snapshot`, `nodes`, `edges` and `strings`",
            ),
            Some(_) => lx.syntax("the file does not start with `{`"),
        });
    }
    lx.bump()?;
    let mut key = String::new();
    loop {
        lx.skip_ws()?;
        match lx.need()? {
            b'}' => break,
            b'"' => {}
            _ => return Err(lx.syntax("expected a key")),
        }
        key.clear();
        lx.string_into(&mut key)?;
        lx.skip_ws()?;
        if lx.need()? != b':' {
            return Err(lx.syntax("expected `:` after a key"));
        }
        lx.skip_ws()?;
        match key.as_str() {
            "snapshot" => {
                let mut header = Vec::new();
                lx.skip_value(Some(&mut header))?;
                let header: Header = serde_json::from_slice(&header).map_err(|e| {
                    HeapError::new(format!(
                        "not a V8 heap snapshot: bad `snapshot` header: {e}"
                    ))
                })?;
                if let Some(meta) = header.meta {
                    // Every number takes at least two bytes ("0,").
                    let fits = |count: Option<u64>, fields: usize| {
                        count
                            .and_then(|c| c.checked_mul(fields as u64))
                            .filter(|&values| len.is_some_and(|l| values.saturating_mul(2) <= l))
                            .map(|values| values as usize)
                    };
                    if let Some(n) = fits(header.node_count, meta.node_fields.len()) {
                        raw.nodes.reserve_exact(n);
                    }
                    if let Some(n) = fits(header.edge_count, meta.edge_fields.len()) {
                        raw.edges.reserve_exact(n);
                    }
                    raw.meta = meta;
                    seen_meta = true;
                }
            }
            "nodes" => lx.u32_array(&mut raw.nodes, "nodes")?,
            "edges" => lx.u32_array(&mut raw.edges, "edges")?,
            "locations" => lx.u32_array(&mut raw.locations, "locations")?,
            "strings" => lx.strings(&mut raw.strings)?,
            _ => lx.skip_value(None)?,
        }
        lx.skip_ws()?;
        match lx.need()? {
            b',' => continue,
            b'}' => break,
            _ => return Err(lx.syntax("expected `,` or `}` after a value")),
        }
    }
    lx.skip_ws()?;
    if lx.peek()?.is_some() {
        return Err(lx.syntax("unexpected text after the snapshot"));
    }
    if !seen_meta {
        return Err(HeapError::new(
            "not a V8 heap snapshot: no `snapshot.meta` header",
        ));
    }
    raw.strings.shrink_to_fit();
    raw.locations.shrink_to_fit();
    Ok(raw)
}

/// A byte-level JSON scanner over a reader, for the few shapes a snapshot
/// has: flat arrays of integers, arrays of strings, and values to skip.
/// Iterative (no recursion on nesting), and every step consumes input, so
/// any input ends in a result or an error.
struct Lexer<R> {
    input: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    /// Bytes consumed before `buf`.
    offset: u64,
}

const HEADER_LIMIT: usize = 64 << 20;

impl<R: Read> Lexer<R> {
    fn new(input: R) -> Lexer<R> {
        Lexer {
            input,
            buf: vec![0; 1 << 20].into_boxed_slice(),
            pos: 0,
            len: 0,
            offset: 0,
        }
    }

    fn at(&self) -> u64 {
        self.offset + self.pos as u64
    }

    fn syntax(&self, what: &str) -> HeapError {
        HeapError::new(format!(
            "not a valid heap snapshot: {what} at byte {}",
            self.at()
        ))
    }

    fn truncated(&self) -> HeapError {
        HeapError::new(format!(
            "the snapshot is truncated (the file ends at byte {}); was it still being written?",
            self.at()
        ))
    }

    #[inline]
    fn peek(&mut self) -> Result<Option<u8>, HeapError> {
        if self.pos == self.len {
            self.offset += self.len as u64;
            self.pos = 0;
            self.len = loop {
                match self.input.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(HeapError::new(format!("could not read the snapshot: {e}")));
                    }
                }
            };
            if self.len == 0 {
                return Ok(None);
            }
        }
        Ok(Some(self.buf[self.pos]))
    }

    #[inline]
    fn bump(&mut self) -> Result<Option<u8>, HeapError> {
        let b = self.peek()?;
        if b.is_some() {
            self.pos += 1;
        }
        Ok(b)
    }

    /// The next byte; the end of the file here means truncation.
    #[inline]
    fn need(&mut self) -> Result<u8, HeapError> {
        match self.bump()? {
            Some(b) => Ok(b),
            None => Err(self.truncated()),
        }
    }

    fn skip_ws(&mut self) -> Result<(), HeapError> {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek()? {
            self.pos += 1;
        }
        Ok(())
    }

    /// `[1,2,3]` into `out`.
    fn u32_array(&mut self, out: &mut Vec<u32>, key: &str) -> Result<(), HeapError> {
        if self.need()? != b'[' {
            return Err(HeapError::new(format!(
                "not a V8 heap snapshot: `{key}` is not an array"
            )));
        }
        self.skip_ws()?;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws()?;
            let mut value: u64 = 0;
            let mut digits = 0;
            while let Some(b @ b'0'..=b'9') = self.peek()? {
                self.pos += 1;
                value = value * 10 + (b - b'0') as u64;
                digits += 1;
                if value > u32::MAX as u64 {
                    break;
                }
            }
            if digits == 0 || value > u32::MAX as u64 {
                return match self.peek()? {
                    None => Err(self.truncated()),
                    Some(_) => Err(HeapError::new(format!(
                        "not a V8 heap snapshot: `{key}` must hold unsigned 32-bit integers (byte {})",
                        self.at()
                    ))),
                };
            }
            out.push(value as u32);
            self.skip_ws()?;
            match self.need()? {
                b',' => {}
                b']' => return Ok(()),
                b'.' | b'e' | b'E' => {
                    return Err(HeapError::new(format!(
                        "not a V8 heap snapshot: `{key}` must hold unsigned 32-bit integers (byte {})",
                        self.at()
                    )));
                }
                _ => return Err(self.syntax(&format!("expected `,` or `]` in `{key}`"))),
            }
        }
    }

    /// `["a","b"]` into the strings table.
    fn strings(&mut self, table: &mut Strings) -> Result<(), HeapError> {
        if self.need()? != b'[' {
            return Err(HeapError::new(
                "not a V8 heap snapshot: `strings` is not an array",
            ));
        }
        let mut s = String::new();
        self.skip_ws()?;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws()?;
            if self.need()? != b'"' {
                return Err(HeapError::new(format!(
                    "not a V8 heap snapshot: `strings` must hold strings (byte {})",
                    self.at()
                )));
            }
            s.clear();
            self.string_into(&mut s)?;
            if !table.push(&s) {
                return Err(HeapError::new(
                    "the snapshot is too large (its strings take over 4 GB)",
                ));
            }
            self.skip_ws()?;
            match self.need()? {
                b',' => {}
                b']' => return Ok(()),
                _ => return Err(self.syntax("expected `,` or `]` in `strings`")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, HeapError> {
        let mut v = 0;
        for _ in 0..4 {
            let b = self.need()?;
            let d = (b as char)
                .to_digit(16)
                .ok_or_else(|| self.syntax("bad `\\u` escape"))?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    /// The rest of a string whose opening quote was consumed. Lone
    /// surrogates (V8 writes them for broken UTF-16) and invalid UTF-8
    /// become U+FFFD.
    fn string_into(&mut self, out: &mut String) -> Result<(), HeapError> {
        let mut bytes: Vec<u8> = std::mem::take(out).into_bytes();
        bytes.clear();
        loop {
            // Copy a run of plain bytes at once.
            if self.peek()?.is_none() {
                return Err(self.truncated());
            }
            let run = self.buf[self.pos..self.len]
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .unwrap_or(self.len - self.pos);
            bytes.extend_from_slice(&self.buf[self.pos..self.pos + run]);
            self.pos += run;
            if self.pos == self.len {
                continue; // the buffer ended inside the string
            }
            self.pos += 1;
            if self.buf[self.pos - 1] == b'"' {
                break;
            }
            let c = match self.need()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let hi = self.hex4()?;
                    if (0xD800..0xDC00).contains(&hi) && self.peek()? == Some(b'\\') {
                        self.pos += 1;
                        if self.need()? != b'u' {
                            return Err(self.syntax("bad escape after a surrogate"));
                        }
                        let lo = self.hex4()?;
                        if (0xDC00..0xE000).contains(&lo) {
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                .unwrap_or('\u{FFFD}')
                        } else {
                            bytes.extend_from_slice("\u{FFFD}".as_bytes());
                            char::from_u32(lo).unwrap_or('\u{FFFD}')
                        }
                    } else {
                        char::from_u32(hi).unwrap_or('\u{FFFD}')
                    }
                }
                _ => return Err(self.syntax("bad escape in a string")),
            };
            let mut tmp = [0; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
        *out = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        Ok(())
    }

    /// Skips one JSON value of any shape (keeping its bytes in `keep`),
    /// counting nesting instead of recursing.
    fn skip_value(&mut self, mut keep: Option<&mut Vec<u8>>) -> Result<(), HeapError> {
        let mut depth = 0usize;
        loop {
            self.skip_ws()?;
            let b = self.need()?;
            if let Some(k) = keep.as_deref_mut() {
                if k.len() > HEADER_LIMIT {
                    return Err(HeapError::new(
                        "not a V8 heap snapshot: the `snapshot` header is over 64 MB",
                    ));
                }
                k.push(b);
            }
            match b {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    if depth == 0 {
                        return Err(self.syntax("unbalanced brackets"));
                    }
                    depth -= 1;
                }
                b'"' => loop {
                    let c = self.need()?;
                    if let Some(k) = keep.as_deref_mut() {
                        k.push(c);
                    }
                    match c {
                        b'"' => break,
                        b'\\' => {
                            let e = self.need()?;
                            if let Some(k) = keep.as_deref_mut() {
                                k.push(e);
                            }
                        }
                        _ => {}
                    }
                },
                b',' | b':' if depth > 0 => {}
                b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => {
                    while let Some(
                        c @ (b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z'),
                    ) = self.peek()?
                    {
                        self.pos += 1;
                        if let Some(k) = keep.as_deref_mut() {
                            k.push(c);
                        }
                    }
                }
                _ => return Err(self.syntax("unexpected character")),
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        read(text.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn reads_the_arrays_and_strings() {
        let text = r#"{"snapshot":{"meta":{"node_fields":["type"],"node_types":[["hidden"]],"edge_fields":[],"edge_types":[]},"node_count":1},
            "nodes":[0,1,2],"edges":[3],"trace_tree":[[1,[2]]],"strings":["a","b\"\u00e9"]}"#;
        let raw = read(text.as_bytes()).unwrap();
        assert_eq!(raw.nodes, [0, 1, 2]);
        assert_eq!(raw.edges, [3]);
        assert_eq!(raw.strings.len(), 2);
        assert_eq!(raw.strings.get(1), "b\"é");
        assert_eq!(raw.meta.node_fields, ["type"]);
        assert_eq!(raw.meta.node_types[0].names(), ["hidden"]);
    }

    /// Hands out one byte per read: every value crosses a buffer refill.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.split_first() {
                Some((b, rest)) if !buf.is_empty() => {
                    buf[0] = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn values_split_across_reads_are_whole() {
        let text = r#"{"snapshot":{"meta":{"node_fields":["a"]}},"nodes":[12345,6],"strings":["long string \n here","x"]}"#;
        let raw = read(Trickle(text.as_bytes())).unwrap();
        assert_eq!(raw.nodes, [12345, 6]);
        assert_eq!(raw.strings.get(0), "long string \n here");
        assert_eq!(raw.strings.get(1), "x");
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let text = r#"{"snapshot":{"meta":{}},"strings":["a\ud800b","\ud83d\ude00"]}"#;
        let raw = read(text.as_bytes()).unwrap();
        assert_eq!(raw.strings.get(0), "a\u{FFFD}b");
        assert_eq!(raw.strings.get(1), "😀");
    }

    #[test]
    fn empty_input_is_reported_as_empty() {
        assert!(err("").contains("empty"), "{}", err(""));
    }

    #[test]
    fn truncated_input_is_reported_as_truncated() {
        let e = err(r#"{"snapshot":{"meta":{}},"nodes":[1,2,3"#);
        assert!(e.contains("truncated"), "{e}");
    }

    #[test]
    fn other_json_is_not_a_snapshot() {
        for text in [r#"{"name":"x"}"#, "[1,2]", "42", r#"{"snapshot":{}}"#] {
            assert!(
                err(text).contains("not a V8 heap snapshot"),
                "{text}: {}",
                err(text)
            );
        }
    }

    #[test]
    fn non_json_is_rejected() {
        assert!(err("PK\u{3}\u{4}zip").contains("not a valid heap snapshot"));
    }

    #[test]
    fn negative_or_huge_numbers_are_rejected() {
        for text in [
            r#"{"snapshot":{"meta":{}},"nodes":[-1]}"#,
            r#"{"snapshot":{"meta":{}},"nodes":[4294967296]}"#,
            r#"{"snapshot":{"meta":{}},"nodes":[1.5]}"#,
        ] {
            assert!(
                err(text).contains("not a V8 heap snapshot"),
                "{text}: {}",
                err(text)
            );
        }
    }

    #[test]
    fn deep_nesting_in_skipped_values_is_an_error_not_a_crash() {
        let text = format!(
            r#"{{"snapshot":{{"meta":{{}}}},"x":{}}}"#,
            "[".repeat(100_000)
        );
        assert!(!err(&text).is_empty());
    }

    #[test]
    fn trailing_garbage_is_rejected() {
        let e = err(r#"{"snapshot":{"meta":{}}} x"#);
        assert!(e.contains("not a valid heap snapshot"), "{e}");
    }
}
