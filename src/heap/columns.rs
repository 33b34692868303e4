//! The packed arrays a snapshot is read into: one column per field the
//! analyses use, filled value by value as the reader streams the `nodes`
//! and `edges` arrays, so the snapshot's full-width arrays are never held.
//! Fields the analyses do not use (`trace_node_id`, `detachedness`, …) are
//! dropped as they go by; each node's `edge_count` becomes the index of its
//! first edge, and each edge's `to_node` (an offset into the node array)
//! becomes the target's ordinal.

use super::reader::{HeapError, Meta};

pub const NONE: u32 = u32::MAX;

/// Node columns, one entry per node.
#[derive(Debug, Default)]
pub struct Nodes {
    pub kind: Vec<u8>,
    pub name: Vec<u32>,
    pub id: Vec<u32>,
    pub self_size: Vec<u32>,
    /// Index of each node's first edge (the sum of the `edge_count`s before
    /// it; the graph appends the end of the last node's edges).
    pub first_edge: Vec<u32>,
    /// Sum of all `edge_count`s so far.
    pub declared_edges: u64,
    /// Values read, to report an array that ends inside a node.
    pub values: u64,
    /// The field the next value is (0 at the start of a node).
    field: usize,
}

/// Edge columns, one entry per edge.
#[derive(Debug, Default)]
pub struct Edges {
    pub kind: Vec<u8>,
    pub name: Vec<u32>,
    /// Target node ordinal (not yet checked against the node count).
    pub to: Vec<u32>,
    pub values: u64,
    field: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Kind,
    Name,
    Id,
    SelfSize,
    Count,
    To,
    Skip,
}

/// Where each field of the snapshot's node and edge layout goes, from `snapshot.meta`.
#[derive(Debug)]
pub struct Layout {
    node_slots: Vec<Slot>,
    edge_slots: Vec<Slot>,
    node_types: usize,
    edge_types: usize,
}

fn field(fields: &[String], name: &str, what: &str) -> Result<usize, HeapError> {
    fields.iter().position(|f| f == name).ok_or_else(|| {
        HeapError::new(format!(
            "not a V8 heap snapshot: `snapshot.meta.{what}` has no `{name}`"
        ))
    })
}

impl Layout {
    pub fn new(meta: &Meta) -> Result<Layout, HeapError> {
        let mut node_slots = vec![Slot::Skip; meta.node_fields.len()];
        for (name, slot) in [
            ("type", Slot::Kind),
            ("name", Slot::Name),
            ("id", Slot::Id),
            ("self_size", Slot::SelfSize),
            ("edge_count", Slot::Count),
        ] {
            node_slots[field(&meta.node_fields, name, "node_fields")?] = slot;
        }
        let mut edge_slots = vec![Slot::Skip; meta.edge_fields.len()];
        for (name, slot) in [
            ("type", Slot::Kind),
            ("name_or_index", Slot::Name),
            ("to_node", Slot::To),
        ] {
            edge_slots[field(&meta.edge_fields, name, "edge_fields")?] = slot;
        }
        let types = |t: &[super::reader::TypeList]| t.first().map_or(0, |t| t.names().len());
        let (node_types, edge_types) = (types(&meta.node_types), types(&meta.edge_types));
        if node_types == 0 || edge_types == 0 {
            return Err(HeapError::new(
                "not a V8 heap snapshot: `snapshot.meta` lists no node or edge types",
            ));
        }
        for (count, what) in [(node_types, "node"), (edge_types, "edge")] {
            if count > u8::MAX as usize {
                return Err(HeapError::new(format!(
                    "not a V8 heap snapshot: {count} {what} types (at most 255 are supported)"
                )));
            }
        }
        Ok(Layout {
            node_slots,
            edge_slots,
            node_types,
            edge_types,
        })
    }

    pub fn node_fields(&self) -> usize {
        self.node_slots.len()
    }

    /// Reserves the columns for the counts the header announces.
    pub fn reserve(nodes: &mut Nodes, edges: &mut Edges, node_count: usize, edge_count: usize) {
        nodes.kind.reserve_exact(node_count);
        nodes.name.reserve_exact(node_count);
        nodes.id.reserve_exact(node_count);
        nodes.self_size.reserve_exact(node_count);
        nodes.first_edge.reserve_exact(node_count + 1);
        edges.kind.reserve_exact(edge_count);
        edges.name.reserve_exact(edge_count);
        edges.to.reserve_exact(edge_count);
    }

    /// Appends the next value of the `nodes` array.
    #[inline]
    pub fn push_node(&self, nodes: &mut Nodes, v: u32) -> Result<(), HeapError> {
        let at = nodes.field;
        nodes.field = if at + 1 == self.node_slots.len() {
            0
        } else {
            at + 1
        };
        match self.node_slots[at] {
            Slot::Kind => {
                if v as usize >= self.node_types {
                    return Err(HeapError::new(format!(
                        "corrupt snapshot: node {} has an unknown type {v}",
                        nodes.values / self.node_slots.len() as u64
                    )));
                }
                if nodes.kind.len() as u64 >= NONE as u64 - 1 {
                    return Err(too_large());
                }
                nodes.kind.push(v as u8);
            }
            Slot::Name => nodes.name.push(v),
            Slot::Id => nodes.id.push(v),
            Slot::SelfSize => nodes.self_size.push(v),
            Slot::Count => {
                nodes
                    .first_edge
                    .push(nodes.declared_edges.min(NONE as u64) as u32);
                nodes.declared_edges += v as u64;
            }
            Slot::To | Slot::Skip => {}
        }
        nodes.values += 1;
        Ok(())
    }

    /// Appends the next value of the `edges` array.
    #[inline]
    pub fn push_edge(&self, edges: &mut Edges, v: u32) -> Result<(), HeapError> {
        let ef = self.edge_slots.len() as u64;
        let at = edges.field;
        edges.field = if at + 1 == self.edge_slots.len() {
            0
        } else {
            at + 1
        };
        match self.edge_slots[at] {
            Slot::Kind => {
                if v as usize >= self.edge_types {
                    return Err(HeapError::new(format!(
                        "corrupt snapshot: edge {} has an unknown type {v}",
                        edges.values / ef
                    )));
                }
                if edges.kind.len() as u64 >= NONE as u64 - 1 {
                    return Err(too_large());
                }
                edges.kind.push(v as u8);
            }
            Slot::Name => edges.name.push(v),
            Slot::To => {
                let nf = self.node_slots.len() as u32;
                let node = v / nf;
                if node * nf != v {
                    return Err(not_a_node(edges.values / ef, v as u64));
                }
                edges.to.push(node);
            }
            Slot::Id | Slot::SelfSize | Slot::Count | Slot::Skip => {}
        }
        edges.values += 1;
        Ok(())
    }

    /// Packs arrays that were read before their layout was known.
    pub fn pack(&self, nodes: &[u32], edges: &[u32]) -> Result<(Nodes, Edges), HeapError> {
        let (mut n, mut e) = (Nodes::default(), Edges::default());
        Layout::reserve(
            &mut n,
            &mut e,
            nodes.len() / self.node_slots.len().max(1),
            edges.len() / self.edge_slots.len().max(1),
        );
        for &v in nodes {
            self.push_node(&mut n, v)?;
        }
        for &v in edges {
            self.push_edge(&mut e, v)?;
        }
        Ok((n, e))
    }

    /// Checks that both arrays end on a whole node and a whole edge.
    pub fn check_whole(&self, nodes: &Nodes, edges: &Edges) -> Result<(), HeapError> {
        let (nf, ef) = (self.node_slots.len() as u64, self.edge_slots.len() as u64);
        if nodes.values % nf != 0 {
            return Err(HeapError::new(format!(
                "corrupt snapshot: {} node values is not a multiple of {nf} fields",
                nodes.values
            )));
        }
        if edges.values % ef != 0 {
            return Err(HeapError::new(format!(
                "corrupt snapshot: {} edge values is not a multiple of {ef} fields",
                edges.values
            )));
        }
        Ok(())
    }
}

pub fn not_a_node(edge: u64, to: u64) -> HeapError {
    HeapError::new(format!(
        "corrupt snapshot: edge {edge} points to {to}, not a node"
    ))
}

fn too_large() -> HeapError {
    HeapError::new("the snapshot is too large (over 4 billion nodes or edges)")
}
