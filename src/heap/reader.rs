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

use super::columns::{Edges, Layout, Nodes};

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
    /// The layout of `meta`, when it is usable: the arrays read after it
    /// are packed as they stream by.
    pub layout: Option<Layout>,
    /// Values of arrays read before a usable layout (packed by the graph).
    pub nodes: Vec<u32>,
    pub edges: Vec<u32>,
    pub packed_nodes: Option<Nodes>,
    pub packed_edges: Option<Edges>,
    pub locations: Vec<u32>,
    pub strings: Strings,
}

/// Reads a snapshot from a byte stream.
pub fn read(input: impl Read) -> Result<RawSnapshot, HeapError> {
    read_sized(input, None)
}

/// [`read`], told the stream's length: the node and edge columns are then
/// allocated once at the size the header announces (when the file is large
/// enough to hold that many numbers), instead of growing by doubling.
pub fn read_sized(input: impl Read, len: Option<u64>) -> Result<RawSnapshot, HeapError> {
    let (mut raw, rest) = read_structure(input, len)?;
    raw.strings = rest.finish()?;
    Ok(raw)
}

/// Reads everything up to the `strings` table, when the node and edge arrays
/// come first (as V8 writes them): the graph's structure can be analysed
/// while the strings are not yet in memory. [`Rest::finish`] reads the rest.
pub fn read_structure<R: Read>(
    input: R,
    len: Option<u64>,
) -> Result<(RawSnapshot, Rest<R>), HeapError> {
    let mut lx = Lexer::new(input);
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
    let mut rest = Rest {
        lx,
        len,
        seen_meta: false,
        strings_next: false,
        done: false,
        strings: Strings::default(),
        seen_arrays: 0,
    };
    let mut raw = RawSnapshot::default();
    rest.members(&mut raw, true)?;
    Ok((raw, rest))
}

/// The part of a snapshot after its node and edge arrays.
pub struct Rest<R> {
    lx: Lexer<R>,
    len: Option<u64>,
    seen_meta: bool,
    /// Stopped before the `strings` value.
    strings_next: bool,
    /// Read to the end.
    done: bool,
    /// The strings, when they came before the stop.
    strings: Strings,
    /// Which of [`ARRAYS`] were read.
    seen_arrays: u8,
}

/// The top-level arrays the reader keeps; each may appear once.
const ARRAYS: [&str; 4] = ["nodes", "edges", "locations", "strings"];

impl<R: Read> Rest<R> {
    /// Reads the strings and anything after them, and checks the end of the file.
    pub fn finish(mut self) -> Result<Strings, HeapError> {
        if !self.done {
            let mut raw = RawSnapshot::default();
            if self.strings_next {
                self.strings_next = false;
                self.read_strings()?;
                if self.after_value()? {
                    self.members(&mut raw, false)?;
                }
            } else {
                self.members(&mut raw, false)?;
            }
        }
        self.lx.skip_ws()?;
        if self.lx.peek()?.is_some() {
            return Err(self.lx.syntax("unexpected text after the snapshot"));
        }
        if !self.seen_meta {
            return Err(HeapError::new(
                "not a V8 heap snapshot: no `snapshot.meta` header",
            ));
        }
        let mut strings = self.strings;
        strings.shrink_to_fit();
        Ok(strings)
    }

    fn read_strings(&mut self) -> Result<(), HeapError> {
        if let Some(len) = self.len {
            // The table is at most what is left of the file; pages reserved
            // and never written cost no memory.
            let left = len.saturating_sub(self.lx.at()).min(u32::MAX as u64) as usize;
            self.strings.bytes.reserve(left);
            // Each string takes at least three bytes (`"",`).
            self.strings.ends.reserve(left / 3);
        }
        self.lx.strings(&mut self.strings)
    }

    /// After a value: true at `,` (more members), false at `}`.
    fn after_value(&mut self) -> Result<bool, HeapError> {
        self.lx.skip_ws()?;
        match self.lx.need()? {
            b',' => Ok(true),
            b'}' => {
                self.done = true;
                Ok(false)
            }
            _ => Err(self.lx.syntax("expected `,` or `}` after a value")),
        }
    }

    /// Members of the top-level object, up to its end or (with `stop`) up
    /// to a `strings` that follows the packed node and edge arrays.
    fn members(&mut self, raw: &mut RawSnapshot, stop: bool) -> Result<(), HeapError> {
        let mut key = String::new();
        loop {
            self.lx.skip_ws()?;
            match self.lx.need()? {
                b'}' => {
                    self.done = true;
                    return Ok(());
                }
                b'"' => {}
                _ => return Err(self.lx.syntax("expected a key")),
            }
            key.clear();
            self.lx.string_into(&mut key)?;
            self.lx.skip_ws()?;
            if self.lx.need()? != b':' {
                return Err(self.lx.syntax("expected `:` after a key"));
            }
            self.lx.skip_ws()?;
            if let Some(i) = ARRAYS.iter().position(|&a| a == key) {
                // A second copy would have to be appended to data already
                // analysed (or, after the strings, to nothing).
                if self.seen_arrays & (1 << i) != 0 {
                    return Err(HeapError::new(format!(
                        "not a V8 heap snapshot: `{key}` appears twice"
                    )));
                }
                self.seen_arrays |= 1 << i;
            }
            let lx = &mut self.lx;
            match key.as_str() {
                "snapshot" => self.header(raw)?,
                "nodes" => match (&raw.layout, &mut raw.packed_nodes) {
                    (Some(layout), Some(nodes)) => {
                        lx.u32_array("nodes", |v| layout.push_node(nodes, v))?
                    }
                    _ => lx.u32_array("nodes", |v| {
                        raw.nodes.push(v);
                        Ok(())
                    })?,
                },
                "edges" => match (&raw.layout, &mut raw.packed_edges) {
                    (Some(layout), Some(edges)) => {
                        lx.u32_array("edges", |v| layout.push_edge(edges, v))?
                    }
                    _ => lx.u32_array("edges", |v| {
                        raw.edges.push(v);
                        Ok(())
                    })?,
                },
                "locations" => lx.u32_array("locations", |v| {
                    raw.locations.push(v);
                    Ok(())
                })?,
                "strings" => {
                    // Everything the graph needs from the file came first
                    // (as V8 and DevTools write it): the strings can wait.
                    let before = self.seen_arrays & 0b111 == 0b111;
                    if stop && before && raw.packed_nodes.is_some() && raw.packed_edges.is_some() {
                        self.strings_next = true;
                        return Ok(());
                    }
                    self.read_strings()?;
                }
                _ => lx.skip_value(None)?,
            }
            if !self.after_value()? {
                return Ok(());
            }
        }
    }

    fn header(&mut self, raw: &mut RawSnapshot) -> Result<(), HeapError> {
        let mut header = Vec::new();
        self.lx.skip_value(Some(&mut header))?;
        let header: Header = serde_json::from_slice(&header).map_err(|e| {
            HeapError::new(format!(
                "not a V8 heap snapshot: bad `snapshot` header: {e}"
            ))
        })?;
        let Some(meta) = header.meta else {
            return Ok(());
        };
        if self.seen_meta {
            // The arrays read so far follow the first header's layout.
            return Err(HeapError::new(
                "not a V8 heap snapshot: two `snapshot` headers",
            ));
        }
        self.seen_meta = true;
        // A layout the graph cannot use is reported by the graph, after
        // the whole file was read (the arrays are kept as they are).
        let layout = Layout::new(&meta).ok();
        if let Some(layout) = &layout
            && raw.packed_nodes.is_none()
            && raw.packed_edges.is_none()
        {
            // Every number takes at least two bytes ("0,").
            let len = self.len;
            let fits = |count: Option<u64>, fields: usize| {
                count
                    .and_then(|c| c.checked_mul(fields as u64).map(|values| (c, values)))
                    .filter(|&(_, values)| len.is_some_and(|l| values.saturating_mul(2) <= l))
                    .map(|(c, _)| c as usize)
            };
            let mut nodes = Nodes::default();
            let mut edges = Edges::default();
            Layout::reserve(
                &mut nodes,
                &mut edges,
                fits(header.node_count, meta.node_fields.len()).unwrap_or(0),
                fits(header.edge_count, meta.edge_fields.len()).unwrap_or(0),
            );
            // Arrays that came before the header are packed with the others.
            for &v in &std::mem::take(&mut raw.nodes) {
                layout.push_node(&mut nodes, v)?;
            }
            for &v in &std::mem::take(&mut raw.edges) {
                layout.push_edge(&mut edges, v)?;
            }
            raw.packed_nodes = Some(nodes);
            raw.packed_edges = Some(edges);
        }
        raw.layout = layout;
        raw.meta = meta;
        Ok(())
    }
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

    /// `[1,2,3]`, each value handed to `push`.
    #[inline]
    fn u32_array(
        &mut self,
        key: &str,
        mut push: impl FnMut(u32) -> Result<(), HeapError>,
    ) -> Result<(), HeapError> {
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
            // Digits that run into the end of the input may be the front of
            // a longer number (`12724` of `127246`): checking that value
            // would call a cut file corrupt when it is only truncated.
            if self.peek()?.is_none() {
                return Err(self.truncated());
            }
            push(value as u32)?;
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
    fn a_number_cut_by_the_end_of_input_is_truncated_not_corrupt() {
        // The whole edge would be `[1,1,6]` (to_node 6, the second node);
        // cut after `[1,1,` + `1` of a longer number the prefix points at
        // no node's start, which a checked value would call corrupt.
        let whole = two_nodes(true, false);
        let cut = &whole[..whole.find(r#""edges":[1,1,6"#).unwrap() + r#""edges":[1,1,"#.len()];
        let e = err(&format!("{cut}1"));
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

    /// The arrays of a two-node snapshot, with the header first or last.
    fn two_nodes(header_first: bool, strings_first: bool) -> String {
        let header = r#""snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","extra"],"node_types":[["hidden","object"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element","property"]]},"node_count":2,"edge_count":1}"#;
        let arrays = r#""nodes":[0,0,1,0,1,9,1,1,3,24,0,9],"edges":[1,1,6],"locations":[]"#;
        let strings = r#""strings":["","x"]"#;
        let mut parts = vec![arrays];
        if strings_first {
            parts.insert(0, strings);
        } else {
            parts.push(strings);
        }
        if header_first {
            parts.insert(0, header);
        } else {
            parts.push(header);
        }
        format!("{{{}}}", parts.join(","))
    }

    #[test]
    fn arrays_after_the_header_are_packed_as_they_stream() {
        let raw = read(two_nodes(true, false).as_bytes()).unwrap();
        assert!(
            raw.nodes.is_empty() && raw.edges.is_empty(),
            "no full-width copy"
        );
        let nodes = raw.packed_nodes.unwrap();
        assert_eq!(nodes.kind, [0, 1]);
        assert_eq!(nodes.self_size, [0, 24]);
        assert_eq!(nodes.first_edge, [0, 1], "edge counts become first edges");
        let edges = raw.packed_edges.unwrap();
        assert_eq!(
            (edges.kind, edges.name, edges.to),
            (vec![1], vec![1], vec![1])
        );
        assert_eq!(raw.strings.get(1), "x");
    }

    #[test]
    fn arrays_before_the_header_are_kept_and_packed_with_it() {
        let raw = read(two_nodes(false, false).as_bytes()).unwrap();
        assert!(raw.layout.is_some());
        assert_eq!(raw.packed_nodes.unwrap().id, [1, 3]);
        assert_eq!(raw.packed_edges.unwrap().to, [1]);
    }

    #[test]
    fn strings_after_the_arrays_are_read_last() {
        let text = two_nodes(true, false);
        let (raw, rest) = read_structure(text.as_bytes(), None).unwrap();
        assert!(raw.strings.is_empty(), "not yet read");
        assert_eq!(raw.packed_nodes.unwrap().kind.len(), 2);
        assert_eq!(rest.finish().unwrap().get(1), "x");
        // Strings before the arrays are read where they are.
        let text = two_nodes(true, true);
        let (raw, rest) = read_structure(text.as_bytes(), None).unwrap();
        assert_eq!(raw.packed_edges.unwrap().to, [1]);
        assert_eq!(rest.finish().unwrap().get(1), "x");
        // What follows the strings is still checked.
        let text = format!("{} x", two_nodes(true, false));
        let (_, rest) = read_structure(text.as_bytes(), None).unwrap();
        assert!(
            rest.finish()
                .unwrap_err()
                .to_string()
                .contains("after the snapshot")
        );
    }

    #[test]
    fn a_second_array_of_a_kind_is_rejected() {
        let text = two_nodes(true, false).replacen(r#""edges""#, r#""edges":[],"edges""#, 1);
        assert!(
            err(&text).contains("`edges` appears twice"),
            "{}",
            err(&text)
        );
        let text = two_nodes(true, false).replacen(
            r#""strings":["","x"]"#,
            r#""strings":[],"nodes":[]"#,
            1,
        );
        assert!(
            err(&text).contains("`nodes` appears twice"),
            "{}",
            err(&text)
        );
    }

    #[test]
    fn a_second_header_is_rejected() {
        let text = two_nodes(true, false).replacen(
            r#""nodes""#,
            r#""snapshot":{"meta":{"node_fields":["type"]}},"nodes""#,
            1,
        );
        assert!(
            err(&text).contains("two `snapshot` headers"),
            "{}",
            err(&text)
        );
    }

    #[test]
    fn trailing_garbage_is_rejected() {
        let e = err(r#"{"snapshot":{"meta":{}}} x"#);
        assert!(e.contains("not a valid heap snapshot"), "{e}");
    }
}
