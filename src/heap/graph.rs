//! The snapshot as a graph: packed node and edge columns (see
//! [`super::columns`]), each node's first edge, the strings table, and an
//! index of the retainers the naming analyses walk back along. Everything
//! is checked once here, so the analyses can index without bounds surprises.
//!
//! The structure (types, sizes, edges) comes first and is all the
//! retained-size analysis needs; the strings table, which V8 writes last,
//! is attached after it ([`Graph::attach_strings`]), so the two need not be
//! in memory while that analysis runs.

use rustc_hash::FxHashMap;

use super::columns::{self, Edges, Layout, Nodes};
use super::reader::{HeapError, RawSnapshot, Strings};

pub use super::columns::NONE;

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

pub struct Graph {
    nodes: Nodes,
    edges: Edges,
    strings: Strings,
    /// The edges [`Graph::retainers`] lists, sorted by target (then by
    /// index): found by binary search, so no array per node is kept.
    rev_edges: Vec<u32>,
    node_types: Vec<String>,
    edge_types: Vec<String>,
    locations: FxHashMap<u32, Loc>,
    pub k: Kinds,
}

fn kind(types: &[String], name: &str) -> u32 {
    types
        .iter()
        .position(|t| t == name)
        .map_or(NONE, |i| i as u32)
}

fn field(fields: &[String], name: &str) -> Option<usize> {
    fields.iter().position(|f| f == name)
}

impl Graph {
    /// The whole graph, strings included.
    pub fn new(mut raw: RawSnapshot) -> Result<Graph, HeapError> {
        let strings = std::mem::take(&mut raw.strings);
        let mut g = Graph::structure(raw)?;
        g.index_retainers();
        g.attach_strings(strings)?;
        Ok(g)
    }

    /// The graph without its strings: names are empty until
    /// [`Graph::attach_strings`].
    pub fn structure(raw: RawSnapshot) -> Result<Graph, HeapError> {
        let RawSnapshot {
            meta,
            layout,
            nodes: raw_nodes,
            edges: raw_edges,
            packed_nodes,
            packed_edges,
            locations,
            strings: _,
        } = raw;
        let layout = match layout {
            Some(l) => l,
            None => Layout::new(&meta)?,
        };
        let (mut nodes, edges) = match (packed_nodes, packed_edges) {
            (Some(n), Some(e)) => (n, e),
            _ => layout.pack(&raw_nodes, &raw_edges)?,
        };
        drop((raw_nodes, raw_edges));
        layout.check_whole(&nodes, &edges)?;
        let n = nodes.kind.len();
        let m = edges.kind.len();
        if n == 0 {
            return Err(HeapError::new("the snapshot has no nodes"));
        }
        if nodes.declared_edges != m as u64 {
            return Err(HeapError::new(format!(
                "corrupt snapshot: nodes declare {} edges, the file has {m}",
                nodes.declared_edges
            )));
        }
        nodes.first_edge.push(m as u32);
        let nf = layout.node_fields() as u64;
        if let Some(e) = edges.to.iter().position(|&to| to as usize >= n) {
            return Err(columns::not_a_node(e as u64, edges.to[e] as u64 * nf));
        }
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
        let loc_fields = &meta.location_fields;
        let mut locs = FxHashMap::default();
        if let (Some(lo), Some(ls), Some(ll), Some(lc)) = (
            field(loc_fields, "object_index"),
            field(loc_fields, "script_id"),
            field(loc_fields, "line"),
            field(loc_fields, "column"),
        ) {
            let lf = loc_fields.len();
            for rec in locations.chunks_exact(lf) {
                let object = rec[lo] as u64;
                if object % nf == 0 && object / nf < n as u64 {
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
            strings: Strings::default(),
            rev_edges: Vec::new(),
            node_types,
            edge_types,
            locations: locs,
            k,
        })
    }

    /// Adds the strings table: checks every name against it.
    pub fn attach_strings(&mut self, strings: Strings) -> Result<(), HeapError> {
        let ns = strings.len() as u64;
        if let Some(i) = self.nodes.name.iter().position(|&s| s as u64 >= ns) {
            return Err(HeapError::new(format!(
                "corrupt snapshot: node {i} names string {}, but there are {ns} strings",
                self.nodes.name[i]
            )));
        }
        let (element, hidden) = (self.k.e_element, self.k.e_hidden);
        if let Some(e) = (0..self.edge_count()).find(|&e| {
            let t = self.edges.kind[e] as u32;
            t != element && t != hidden && self.edges.name[e] as u64 >= ns
        }) {
            return Err(HeapError::new(format!(
                "corrupt snapshot: edge {e} names string {}, but there are {ns} strings",
                self.edges.name[e]
            )));
        }
        self.strings = strings;
        Ok(())
    }

    /// Whether [`Graph::retainers`] lists edge `e` from `from`: the edges
    /// the naming analyses walk back along or look up by their target.
    /// Property and context edges (the names of the retainer path, the
    /// fields holding timers); element edges into objects (the duration
    /// key of a timer list); a closure's internal edges (its `context`: the
    /// closures that share a scope); and every edge of code (a function's
    /// scope info). Most edges of a heap are none of these (hidden classes,
    /// strings' maps, internal links, array elements of values) and are left
    /// out. Names are not needed, so the index can be built before the strings
    /// are read.
    fn retainer_listed(&self, from: u32, e: u32) -> bool {
        let t = self.edge_type(e);
        let k = &self.k;
        t == k.e_property
            || t == k.e_context
            || (t == k.e_element && self.node_type(self.edge_to(e)) == k.object)
            || (t == k.e_internal && self.node_type(from) == k.closure)
            || self.node_type(from) == k.code
    }

    /// Builds the index of [`Graph::retainers`].
    pub fn index_retainers(&mut self) {
        // Counting sort of the listed edges by target: `first[v]` counts,
        // then ends, then (filled from the back) starts. Only the sorted
        // edges are kept.
        let n = self.node_count();
        let mut first = vec![0u32; n + 1];
        let mut listed = 0usize;
        for v in 0..n as u32 {
            for e in self.edges_of(v) {
                if self.retainer_listed(v, e) {
                    first[self.edge_to(e) as usize] += 1;
                    listed += 1;
                }
            }
        }
        for i in 1..=n {
            first[i] += first[i - 1];
        }
        let mut rev_edges = vec![0u32; listed];
        for v in (0..n as u32).rev() {
            for e in self.edges_of(v).rev() {
                if self.retainer_listed(v, e) {
                    let to = self.edge_to(e) as usize;
                    first[to] -= 1;
                    rev_edges[first[to] as usize] = e;
                }
            }
        }
        self.rev_edges = rev_edges;
    }

    pub fn node_count(&self) -> usize {
        self.nodes.kind.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edges.kind.len()
    }

    pub fn node_type(&self, node: u32) -> u32 {
        self.nodes.kind[node as usize] as u32
    }

    pub fn type_name(&self, node: u32) -> &str {
        &self.node_types[self.node_type(node) as usize]
    }

    pub fn name(&self, node: u32) -> &str {
        self.strings.get(self.nodes.name[node as usize] as usize)
    }

    pub fn id(&self, node: u32) -> u32 {
        self.nodes.id[node as usize]
    }

    pub fn self_size(&self, node: u32) -> u32 {
        self.nodes.self_size[node as usize]
    }

    pub fn location(&self, node: u32) -> Option<Loc> {
        self.locations.get(&node).copied()
    }

    /// Edge indices leaving `node`.
    pub fn edges_of(&self, node: u32) -> std::ops::Range<u32> {
        self.nodes.first_edge[node as usize]..self.nodes.first_edge[node as usize + 1]
    }

    /// Edge indices entering `node`, in order, among the edges the naming
    /// analyses look up by their target (see `retainer_listed`): property,
    /// context, element edges into objects, closures' internal edges and
    /// the edges of code. Empty until [`Graph::index_retainers`].
    pub fn retainers(&self, node: u32) -> impl Iterator<Item = u32> + '_ {
        let start = self.rev_edges.partition_point(|&e| self.edge_to(e) < node);
        let len = self.rev_edges[start..].partition_point(|&e| self.edge_to(e) == node);
        self.rev_edges[start..start + len].iter().copied()
    }

    pub fn edge_type(&self, e: u32) -> u32 {
        self.edges.kind[e as usize] as u32
    }

    pub fn edge_type_name(&self, e: u32) -> &str {
        &self.edge_types[self.edge_type(e) as usize]
    }

    pub fn edge_to(&self, e: u32) -> u32 {
        self.edges.to[e as usize]
    }

    /// The node an edge leaves from.
    pub fn edge_from(&self, e: u32) -> u32 {
        (self.nodes.first_edge.partition_point(|&f| f <= e) - 1) as u32
    }

    /// The raw `name_or_index` field.
    pub fn edge_index(&self, e: u32) -> u32 {
        self.edges.name[e as usize]
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
    #[inline]
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
    fn retainers_list_only_the_edges_the_naming_walks_back() {
        let g = graph(&[
            (
                "synthetic",
                "",
                0,
                &[
                    ("element", "0", 1),
                    ("element", "1", 3),
                    ("element", "2", 4),
                ],
            ),
            (
                "object",
                "Object",
                24,
                &[
                    ("property", "p", 2),
                    ("internal", "map", 2),
                    ("element", "0", 3),
                ],
            ),
            ("hidden", "system / Map", 40, &[]),
            ("object", "Object", 16, &[]),
            (
                "closure",
                "f",
                32,
                &[("internal", "context", 5), ("context", "v", 3)],
            ),
            ("object", "system / Context", 40, &[("internal", "map", 2)]),
        ]);
        let listed = |v: u32| g.retainers(v).map(|e| g.edge_label(e)).collect::<Vec<_>>();
        assert_eq!(listed(2), ["p"], "property, not the internal map links");
        assert_eq!(
            listed(3),
            ["1", "0", "v"],
            "elements into objects, contexts"
        );
        assert_eq!(listed(5), ["context"], "a closure's internal edges");
        assert_eq!(listed(1), ["0"]);
        assert!(listed(4).is_empty(), "an element edge into a closure");
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
