//! The snapshot as a graph: packed node and edge arrays with named field
//! offsets (read from `snapshot.meta`), each node's first edge, and the
//! reverse edges (retainers). Everything is checked once here, so the
//! analyses can index without bounds surprises.

use rustc_hash::FxHashMap;

use super::reader::{HeapError, RawSnapshot, Strings};

pub const NONE: u32 = u32::MAX;

/// Type ids of the node and edge kinds the analyses look at; `NONE` when the
/// snapshot's meta does not list the kind.
#[derive(Debug, Clone, Copy)]
pub struct Kinds {
    pub hidden: u32,
    pub array: u32,
    pub string: u32,
    pub object: u32,
    pub code: u32,
    pub closure: u32,
    pub synthetic: u32,
    pub e_context: u32,
    pub e_element: u32,
    pub e_property: u32,
    pub e_internal: u32,
    pub e_hidden: u32,
    pub e_shortcut: u32,
    pub e_weak: u32,
}

/// Where V8 recorded a closure's function: script id, 0-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

/// Values kept per node in [`Graph::nodes`]: type, name, id, self size (the
/// snapshot's other fields, such as `trace_node_id` and `detachedness`, are
/// dropped, and `edge_count` becomes [`Graph::first_edge`]).
const NF: usize = 4;
const N_TYPE: usize = 0;
const N_NAME: usize = 1;
const N_ID: usize = 2;
const N_SELF: usize = 3;
/// Values kept per edge in [`Graph::edges`]: name or index, target ordinal
/// (the type is in [`Graph::edge_kinds`], one byte per edge).
const EF: usize = 2;
const E_NAME: usize = 0;
const E_TO: usize = 1;

pub struct Graph {
    /// `NF` values per node, compacted in place from the snapshot's array.
    nodes: Vec<u32>,
    /// `EF` values per edge; `to_node` is rewritten to the target's ordinal.
    edges: Vec<u32>,
    edge_kinds: Vec<u8>,
    first_edge: Vec<u32>,
    rev_first: Vec<u32>,
    /// Edge indices, grouped by target node.
    rev_edges: Vec<u32>,
    strings: Strings,
    node_types: Vec<String>,
    edge_types: Vec<String>,
    locations: FxHashMap<u32, Loc>,
    pub k: Kinds,
}

fn field(fields: &[String], name: &str, what: &str) -> Result<usize, HeapError> {
    fields.iter().position(|f| f == name).ok_or_else(|| {
        HeapError::new(format!(
            "not a V8 heap snapshot: `snapshot.meta.{what}` has no `{name}`"
        ))
    })
}

fn kind(types: &[String], name: &str) -> u32 {
    types
        .iter()
        .position(|t| t == name)
        .map_or(NONE, |i| i as u32)
}

impl Graph {
    pub fn new(raw: RawSnapshot) -> Result<Graph, HeapError> {
        let RawSnapshot {
            meta,
            nodes,
            mut edges,
            locations,
            strings,
        } = raw;
        let nf = meta.node_fields.len();
        let ef = meta.edge_fields.len();
        let f_type = field(&meta.node_fields, "type", "node_fields")?;
        let f_name = field(&meta.node_fields, "name", "node_fields")?;
        let f_id = field(&meta.node_fields, "id", "node_fields")?;
        let f_self = field(&meta.node_fields, "self_size", "node_fields")?;
        let f_count = field(&meta.node_fields, "edge_count", "node_fields")?;
        let e_type = field(&meta.edge_fields, "type", "edge_fields")?;
        let e_name = field(&meta.edge_fields, "name_or_index", "edge_fields")?;
        let e_to = field(&meta.edge_fields, "to_node", "edge_fields")?;
        let node_types: Vec<String> = meta
            .node_types
            .first()
            .map(|t| t.names().to_vec())
            .unwrap_or_default();
        let edge_types: Vec<String> = meta
            .edge_types
            .first()
            .map(|t| t.names().to_vec())
            .unwrap_or_default();
        if edge_types.len() > u8::MAX as usize {
            return Err(HeapError::new(format!(
                "not a V8 heap snapshot: {} edge types (at most 255 are supported)",
                edge_types.len()
            )));
        }
        if node_types.is_empty() || edge_types.is_empty() {
            return Err(HeapError::new(
                "not a V8 heap snapshot: `snapshot.meta` lists no node or edge types",
            ));
        }
        if nodes.is_empty() {
            return Err(HeapError::new("the snapshot has no nodes"));
        }
        if nodes.len() % nf != 0 {
            return Err(HeapError::new(format!(
                "corrupt snapshot: {} node values is not a multiple of {nf} fields",
                nodes.len()
            )));
        }
        if edges.len() % ef != 0 {
            return Err(HeapError::new(format!(
                "corrupt snapshot: {} edge values is not a multiple of {ef} fields",
                edges.len()
            )));
        }
        let n = nodes.len() / nf;
        let m = edges.len() / ef;
        if n >= NONE as usize || m >= NONE as usize {
            return Err(HeapError::new(
                "the snapshot is too large (over 4 billion nodes or edges)",
            ));
        }
        let ns = strings.len() as u64;
        let mut nodes = nodes;
        let mut first_edge = Vec::with_capacity(n + 1);
        let mut total: u64 = 0;
        for i in 0..n {
            first_edge.push(total.min(m as u64) as u32);
            let node = &nodes[i * nf..(i + 1) * nf];
            let (t, name, id, size) = (node[f_type], node[f_name], node[f_id], node[f_self]);
            total += node[f_count] as u64;
            if t as usize >= node_types.len() {
                return Err(HeapError::new(format!(
                    "corrupt snapshot: node {i} has an unknown type {t}"
                )));
            }
            if name as u64 >= ns {
                return Err(HeapError::new(format!(
                    "corrupt snapshot: node {i} names string {name}, but there are {ns} strings"
                )));
            }
            // In place: node i's slot ends before node i's fields in the
            // snapshot's layout begin to be overwritten (NF <= nf).
            nodes[i * NF..(i + 1) * NF].copy_from_slice(&[t, name, id, size]);
        }
        nodes.truncate(n * NF);
        nodes.shrink_to_fit();
        if total != m as u64 {
            return Err(HeapError::new(format!(
                "corrupt snapshot: nodes declare {total} edges, the file has {m}"
            )));
        }
        first_edge.push(m as u32);
        let named = |t: u32| {
            let name = edge_types[t as usize].as_str();
            name != "element" && name != "hidden"
        };
        let mut edge_kinds = Vec::with_capacity(m);
        for e in 0..m {
            let edge = &edges[e * ef..(e + 1) * ef];
            let t = edge[e_type];
            if t as usize >= edge_types.len() {
                return Err(HeapError::new(format!(
                    "corrupt snapshot: edge {e} has an unknown type {t}"
                )));
            }
            if named(t) && edge[e_name] as u64 >= ns {
                return Err(HeapError::new(format!(
                    "corrupt snapshot: edge {e} names string {}, but there are {ns} strings",
                    edge[e_name]
                )));
            }
            let to = edge[e_to] as usize;
            if to % nf != 0 || to / nf >= n {
                return Err(HeapError::new(format!(
                    "corrupt snapshot: edge {e} points to {to}, not a node"
                )));
            }
            let name = edge[e_name];
            edge_kinds.push(t as u8);
            // In place, as for nodes (EF < ef).
            edges[e * EF + E_NAME] = name;
            edges[e * EF + E_TO] = (to / nf) as u32;
        }
        edges.truncate(m * EF);
        edges.shrink_to_fit();
        // Retainers: counting sort of edge indices by target, in place:
        // `rev_first[v]` counts, then ends, then (filled from the back) starts.
        let mut rev_first = vec![0u32; n + 1];
        for e in 0..m {
            rev_first[edges[e * EF + E_TO] as usize] += 1;
        }
        for i in 1..=n {
            rev_first[i] += rev_first[i - 1];
        }
        let mut rev_edges = vec![0u32; m];
        for e in (0..m).rev() {
            let to = edges[e * EF + E_TO] as usize;
            rev_first[to] -= 1;
            rev_edges[rev_first[to] as usize] = e as u32;
        }
        let loc_fields = &meta.location_fields;
        let mut locs = FxHashMap::default();
        if let (Ok(lo), Ok(ls), Ok(ll), Ok(lc)) = (
            field(loc_fields, "object_index", "location_fields"),
            field(loc_fields, "script_id", "location_fields"),
            field(loc_fields, "line", "location_fields"),
            field(loc_fields, "column", "location_fields"),
        ) {
            let lf = loc_fields.len();
            for rec in locations.chunks_exact(lf) {
                let object = rec[lo] as usize;
                if object % nf == 0 && object / nf < n {
                    locs.insert(
                        (object / nf) as u32,
                        Loc {
                            script_id: rec[ls],
                            line: rec[ll],
                            column: rec[lc],
                        },
                    );
                }
            }
        }
        let k = Kinds {
            hidden: kind(&node_types, "hidden"),
            array: kind(&node_types, "array"),
            string: kind(&node_types, "string"),
            object: kind(&node_types, "object"),
            code: kind(&node_types, "code"),
            closure: kind(&node_types, "closure"),
            synthetic: kind(&node_types, "synthetic"),
            e_context: kind(&edge_types, "context"),
            e_element: kind(&edge_types, "element"),
            e_property: kind(&edge_types, "property"),
            e_internal: kind(&edge_types, "internal"),
            e_hidden: kind(&edge_types, "hidden"),
            e_shortcut: kind(&edge_types, "shortcut"),
            e_weak: kind(&edge_types, "weak"),
        };
        Ok(Graph {
            nodes,
            edges,
            edge_kinds,
            first_edge,
            rev_first,
            rev_edges,
            strings,
            node_types,
            edge_types,
            locations: locs,
            k,
        })
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len() / NF
    }

    pub fn edge_count(&self) -> usize {
        self.edge_kinds.len()
    }

    fn nfield(&self, node: u32, f: usize) -> u32 {
        self.nodes[node as usize * NF + f]
    }

    pub fn node_type(&self, node: u32) -> u32 {
        self.nfield(node, N_TYPE)
    }

    pub fn type_name(&self, node: u32) -> &str {
        &self.node_types[self.node_type(node) as usize]
    }

    pub fn name(&self, node: u32) -> &str {
        self.strings.get(self.nfield(node, N_NAME) as usize)
    }

    pub fn id(&self, node: u32) -> u32 {
        self.nfield(node, N_ID)
    }

    pub fn self_size(&self, node: u32) -> u32 {
        self.nfield(node, N_SELF)
    }

    pub fn location(&self, node: u32) -> Option<Loc> {
        self.locations.get(&node).copied()
    }

    /// Edge indices leaving `node`.
    pub fn edges_of(&self, node: u32) -> std::ops::Range<u32> {
        self.first_edge[node as usize]..self.first_edge[node as usize + 1]
    }

    /// Edge indices entering `node`.
    pub fn retainers(&self, node: u32) -> impl Iterator<Item = u32> + '_ {
        let r = self.rev_first[node as usize] as usize..self.rev_first[node as usize + 1] as usize;
        self.rev_edges[r].iter().copied()
    }

    pub fn edge_type(&self, e: u32) -> u32 {
        self.edge_kinds[e as usize] as u32
    }

    pub fn edge_type_name(&self, e: u32) -> &str {
        &self.edge_types[self.edge_type(e) as usize]
    }

    pub fn edge_to(&self, e: u32) -> u32 {
        self.edges[e as usize * EF + E_TO]
    }

    /// The node an edge leaves from.
    pub fn edge_from(&self, e: u32) -> u32 {
        (self.first_edge.partition_point(|&f| f <= e) - 1) as u32
    }

    /// The raw `name_or_index` field.
    pub fn edge_index(&self, e: u32) -> u32 {
        self.edges[e as usize * EF + E_NAME]
    }

    /// An edge's name; element and hidden edges have an index instead.
    pub fn edge_name(&self, e: u32) -> Option<&str> {
        let t = self.edge_type(e);
        if t == self.k.e_element || t == self.k.e_hidden {
            None
        } else {
            Some(self.strings.get(self.edge_index(e) as usize))
        }
    }

    /// The edge's name, or its index as text.
    pub fn edge_label(&self, e: u32) -> String {
        match self.edge_name(e) {
            Some(n) => n.to_string(),
            None => self.edge_index(e).to_string(),
        }
    }

    /// Edges the retention analyses follow: weak edges never keep anything
    /// alive, and shortcut edges only mean something at the root, where
    /// they mark the user's global objects (as Chrome DevTools does).
    pub fn is_essential(&self, from: u32, e: u32) -> bool {
        let t = self.edge_type(e);
        t != self.k.e_weak && (t != self.k.e_shortcut || from == 0)
    }

    /// The target of the first edge of `node` with this name and type.
    pub fn child(&self, node: u32, edge_type: u32, name: &str) -> Option<u32> {
        self.edges_of(node)
            .find(|&e| self.edge_type(e) == edge_type && self.edge_name(e) == Some(name))
            .map(|e| self.edge_to(e))
    }

    pub fn is_oddball(&self, node: u32) -> bool {
        self.name(node) == "system / Oddball"
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// (edge type, name or index, target node ordinal).
    pub type EdgeSpec<'a> = (&'a str, &'a str, u32);
    /// (node type, name, self size, edges).
    pub type NodeSpec<'a> = (&'a str, &'a str, u32, &'a [EdgeSpec<'a>]);
    use crate::heap::reader::read;

    /// A tiny snapshot: `nodes` as (type, name, self_size, edges), `edges` as
    /// (type, name_or_index, target node ordinal).
    pub fn snapshot(nodes: &[NodeSpec]) -> String {
        let node_types = [
            "hidden",
            "array",
            "string",
            "object",
            "code",
            "closure",
            "regexp",
            "number",
            "native",
            "synthetic",
        ];
        let edge_types = [
            "context", "element", "property", "internal", "hidden", "shortcut", "weak",
        ];
        let mut strings: Vec<String> = Vec::new();
        let mut intern = |s: &str| -> usize {
            if let Some(i) = strings.iter().position(|x| x == s) {
                i
            } else {
                strings.push(s.to_string());
                strings.len() - 1
            }
        };
        let mut n = Vec::new();
        let mut e = Vec::new();
        for (i, (t, name, size, edges)) in nodes.iter().enumerate() {
            let t = node_types.iter().position(|x| x == t).unwrap();
            n.extend([
                t,
                intern(name),
                i * 2 + 1,
                *size as usize,
                edges.len(),
                0,
                0,
            ]);
            for (et, en, to) in edges.iter() {
                let ti = edge_types.iter().position(|x| x == et).unwrap();
                let name = if *et == "element" || *et == "hidden" {
                    en.parse().unwrap()
                } else {
                    intern(en)
                };
                e.extend([ti, name, *to as usize * 7]);
            }
        }
        let list = |v: &[usize]| {
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        format!(
            r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[{nt:?},"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[{et:?},"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]}},"node_count":{nn},"edge_count":{ne}}},"nodes":[{nodes}],"edges":[{edges}],"locations":[],"strings":{strings}}}"#,
            nt = node_types,
            et = edge_types,
            nn = nodes.len(),
            ne = e.len() / 3,
            nodes = list(&n),
            edges = list(&e),
            strings = serde_json::to_string(&strings).unwrap(),
        )
    }

    pub fn graph(nodes: &[NodeSpec]) -> Graph {
        Graph::new(read(snapshot(nodes).as_bytes()).unwrap()).unwrap()
    }

    fn error(text: &str) -> String {
        match read(text.as_bytes()).and_then(Graph::new) {
            Ok(_) => panic!("accepted {text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn builds_edges_and_retainers() {
        let g = graph(&[
            (
                "synthetic",
                "",
                0,
                &[("element", "1", 1), ("property", "x", 2)],
            ),
            ("object", "Object", 24, &[("property", "y", 2)]),
            ("string", "s", 16, &[]),
        ]);
        assert_eq!(g.node_count(), 3);
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.name(1), "Object");
        assert_eq!(g.type_name(2), "string");
        let into: Vec<_> = g
            .retainers(2)
            .map(|e| (g.edge_from(e), g.edge_label(e)))
            .collect();
        assert_eq!(into, [(0, "x".to_string()), (1, "y".to_string())]);
        assert_eq!(g.edge_label(0), "1");
    }

    #[test]
    fn edges_out_of_range_are_corrupt() {
        let text = snapshot(&[("object", "a", 1, &[("property", "x", 0)])])
            .replace(r#""edges":[2,1,0]"#, r#""edges":[2,1,700]"#);
        assert!(error(&text).contains("not a node"), "{}", error(&text));
    }

    #[test]
    fn misaligned_arrays_are_corrupt() {
        let text = snapshot(&[("object", "a", 1, &[])])
            .replace(r#""nodes":[3,0,1,1,0,0,0]"#, r#""nodes":[3,0,1,1,0,0]"#);
        assert!(error(&text).contains("not a multiple"), "{}", error(&text));
    }

    #[test]
    fn edge_counts_must_add_up() {
        let text = snapshot(&[("object", "a", 1, &[])])
            .replace(r#""nodes":[3,0,1,1,0,0,0]"#, r#""nodes":[3,0,1,1,5,0,0]"#);
        assert!(error(&text).contains("declare 5 edges"), "{}", error(&text));
    }

    #[test]
    fn bad_string_and_type_indices_are_corrupt() {
        let base = snapshot(&[("object", "a", 1, &[])]);
        let bad_name = base.replace(r#""nodes":[3,0,1,1,0,0,0]"#, r#""nodes":[3,9,1,1,0,0,0]"#);
        assert!(error(&bad_name).contains("names string 9"));
        let bad_type = base.replace(r#""nodes":[3,0,1,1,0,0,0]"#, r#""nodes":[99,0,1,1,0,0,0]"#);
        assert!(error(&bad_type).contains("unknown type 99"));
    }

    #[test]
    fn missing_fields_and_empty_graphs_are_errors() {
        let base = snapshot(&[("object", "a", 1, &[])]);
        assert!(
            error(&base.replace(r#""edge_count","trace"#, r#""edge_cnt","trace"#))
                .contains("no `edge_count`")
        );
        assert!(
            error(&base.replace(r#""nodes":[3,0,1,1,0,0,0]"#, r#""nodes":[]"#))
                .contains("no nodes")
        );
    }
}
