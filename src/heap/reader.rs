//! Streaming reader for V8 `.heapsnapshot` files.
//!
//! A snapshot is one JSON object: `snapshot` (a small header with `meta`,
//! which names the fields of every node and edge), then flat integer arrays
//! (`nodes`, `edges`, `locations`, …) and the `strings` table. The reader
//! walks that object with serde_json's streaming deserializer and appends
//! the integers straight into packed `Vec<u32>`s and the strings into one
//! byte buffer: no JSON tree of the file is ever built, so memory is about
//! the packed arrays. Unknown top-level keys are skipped.

use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

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
}

/// The strings table: every string back to back, and where each ends.
#[derive(Debug, Default)]
pub struct Strings {
    bytes: String,
    ends: Vec<usize>,
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
        &self.bytes[start..end]
    }

    pub fn push(&mut self, s: &str) {
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
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
    let mut de = serde_json::Deserializer::from_reader(input);
    let mut raw = RawSnapshot::default();
    let mut seen_meta = false;
    de::Deserializer::deserialize_map(
        &mut de,
        Top {
            raw: &mut raw,
            seen_meta: &mut seen_meta,
        },
    )
    .map_err(describe)?;
    de.end().map_err(describe)?;
    if !seen_meta {
        return Err(HeapError::new(
            "not a V8 heap snapshot: no `snapshot.meta` header",
        ));
    }
    Ok(raw)
}

/// serde_json's error, told in the terms of a snapshot file.
fn describe(e: serde_json::Error) -> HeapError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof if e.line() <= 1 && e.column() == 0 => {
            HeapError::new("the file is empty; a heap snapshot is a JSON object")
        }
        Category::Eof => HeapError::new(format!(
            "the snapshot is truncated (the file ends at line {}, column {}); was it still being written?",
            e.line(),
            e.column()
        )),
        Category::Syntax => HeapError::new(format!("not a valid heap snapshot: {e}")),
        Category::Data => HeapError::new(format!("not a V8 heap snapshot: {e}")),
        Category::Io => HeapError::new(format!("could not read the snapshot: {e}")),
    }
}

struct Top<'a> {
    raw: &'a mut RawSnapshot,
    seen_meta: &'a mut bool,
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object with `snapshot`, `nodes`, `edges` and `strings`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "snapshot" => {
                    let header: Header = map.next_value()?;
                    if let Some(meta) = header.meta {
                        self.raw.meta = meta;
                        *self.seen_meta = true;
                    }
                }
                "nodes" => map.next_value_seed(U32s(&mut self.raw.nodes))?,
                "edges" => map.next_value_seed(U32s(&mut self.raw.edges))?,
                "locations" => map.next_value_seed(U32s(&mut self.raw.locations))?,
                "strings" => map.next_value_seed(StringsSeed(&mut self.raw.strings))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Appends a JSON array of unsigned integers to a vector.
struct U32s<'a>(&'a mut Vec<u32>);

impl<'de> DeserializeSeed<'de> for U32s<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for U32s<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of unsigned 32-bit integers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if let Some(n) = seq.size_hint() {
            self.0.reserve(n);
        }
        while let Some(v) = seq.next_element::<u32>()? {
            self.0.push(v);
        }
        Ok(())
    }
}

/// Appends a JSON array of strings to the strings table.
struct StringsSeed<'a>(&'a mut Strings);

impl<'de> DeserializeSeed<'de> for StringsSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for StringsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(OneString(self.0))?.is_some() {}
        Ok(())
    }
}

/// One string, copied into the table without an allocation of its own.
struct OneString<'a>(&'a mut Strings);

impl<'de> DeserializeSeed<'de> for OneString<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for OneString<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.push(v);
        Ok(())
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
