//! Dominator tree and retained sizes (semi-NCA: Lengauer–Tarjan's
//! semidominators, then each immediate dominator as the nearest common
//! ancestor; Georgiadis' variant), and the shortest retainer path of every
//! node (breadth-first from the root). Iterative throughout: retainer chains
//! millions of nodes long (linked lists) must not overflow the stack.
//!
//! Only essential edges count ([`Graph::is_essential`]): weak edges and
//! shortcuts away from the root are ignored, as Chrome DevTools does.
//!
//! Memory: the dominator pass needs the predecessors of every node, which
//! the graph does not keep. It builds them in depth-first numbering for the
//! pass alone, with three arrays of one `u32` per node beside them, and keeps
//! only each node's retained size; the rest is freed before the next phase.

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use super::graph::{Graph, NONE};

/// What the dominator tree says about each node.
pub struct Dominance {
    /// Retained size of each node; `u32::MAX` means "at least that": the
    /// exact value is in `big`.
    retained: Vec<u32>,
    big: FxHashMap<u32, u64>,
    /// Objects in each node's dominator subtree that `is_new` picked (with a
    /// baseline snapshot: objects the baseline does not have).
    new_under: Option<Vec<u32>>,
}

impl Dominance {
    /// Retained sizes (and, given `is_new`, new objects under each node) of
    /// the graph's structure: names and strings are not needed.
    pub fn compute(g: &Graph, is_new: Option<&dyn Fn(u32) -> bool>) -> Dominance {
        let n = g.node_count();
        let mut tree = vec![0u64; g.edge_count().div_ceil(64)];
        let (number, reached) = depth_first(g, Some(tree.as_mut_slice()));
        let idom = semi_nca(g, number, reached, tree);
        // The numbering was dropped while the pass ran; the same search
        // gives it again.
        let (number, _) = depth_first(g, None);
        // Bottom-up over the dominator tree: in preorder numbering, every
        // node comes after its immediate dominator.
        let mut sizes = vec![0u64; reached];
        let mut new_below = is_new.map(|_| vec![0u32; reached]);
        for v in 0..n as u32 {
            let w = number[v as usize];
            if w != NONE {
                sizes[w as usize] = g.self_size(v) as u64;
                if let (Some(nb), Some(is_new)) = (&mut new_below, is_new) {
                    nb[w as usize] = is_new(g.id(v)) as u32;
                }
            }
        }
        for w in (1..reached).rev() {
            let d = idom[w] as usize;
            sizes[d] += sizes[w];
            if let Some(nb) = &mut new_below {
                nb[d] += nb[w];
            }
        }
        drop(idom);
        let mut retained = Vec::with_capacity(n);
        let mut big = FxHashMap::default();
        for v in 0..n as u32 {
            let size = match number[v as usize] {
                NONE => g.self_size(v) as u64,
                w => sizes[w as usize],
            };
            if size >= u32::MAX as u64 {
                big.insert(v, size);
            }
            retained.push(size.min(u32::MAX as u64) as u32);
        }
        drop(sizes);
        let new_under = new_below.map(|nb| {
            (0..n)
                .map(|v| match number[v] {
                    NONE => 0,
                    w => nb[w as usize],
                })
                .collect()
        });
        Dominance {
            retained,
            big,
            new_under,
        }
    }
}

pub struct Retention {
    dominance: Dominance,
    /// The edge by which the breadth-first search from the root first reached
    /// each node (`NONE` for the root and unreachable nodes).
    pub parent_edge: Vec<u32>,
    /// Depths asked for so far (see [`Retention::depth`]).
    depths: RefCell<FxHashMap<u32, u32>>,
}

impl Retention {
    /// Retained sizes and shortest paths; no new objects (no baseline).
    pub fn compute(g: &Graph) -> Retention {
        Retention::new(g, Dominance::compute(g, None))
    }

    /// Adds the shortest retainer paths to the dominator results.
    pub fn new(g: &Graph, dominance: Dominance) -> Retention {
        Retention {
            dominance,
            parent_edge: breadth_first(g),
            depths: RefCell::new(FxHashMap::default()),
        }
    }

    /// Bytes freed if the node were collected (its own size for unreachable nodes).
    pub fn retained(&self, v: u32) -> u64 {
        match self.dominance.retained[v as usize] {
            u32::MAX => self
                .dominance
                .big
                .get(&v)
                .copied()
                .unwrap_or(u32::MAX as u64),
            size => size as u64,
        }
    }

    /// Objects under the node in the dominator tree that the baseline does
    /// not have (0 when the snapshot was analysed without a baseline).
    pub fn new_under(&self, v: u32) -> u32 {
        self.dominance
            .new_under
            .as_ref()
            .map_or(0, |nu| nu[v as usize])
    }

    pub fn reachable(&self, v: u32) -> bool {
        v == 0 || self.parent_edge[v as usize] != NONE
    }

    /// Edges on the shortest path from the root (`None` when unreachable).
    /// Walked up the breadth-first tree and remembered, so the nodes of a
    /// long chain are walked once.
    pub fn depth(&self, g: &Graph, node: u32) -> Option<u32> {
        if !self.reachable(node) {
            return None;
        }
        let mut depths = self.depths.borrow_mut();
        let mut chain = Vec::new();
        let mut v = node;
        let mut d = loop {
            if v == 0 {
                break 0;
            }
            if let Some(&d) = depths.get(&v) {
                break d;
            }
            chain.push(v);
            v = g.edge_from(self.parent_edge[v as usize]);
        };
        while let Some(v) = chain.pop() {
            d += 1;
            depths.insert(v, d);
        }
        Some(d)
    }

    /// The chain of edges from the root to `node` (empty for the root or an
    /// unreachable node).
    pub fn path(&self, g: &Graph, node: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut v = node;
        while self.parent_edge[v as usize] != NONE && out.len() < 10_000 {
            let e = self.parent_edge[v as usize];
            out.push(e);
            v = g.edge_from(e);
        }
        out.reverse();
        out
    }
}

/// Each node's preorder number from the root (`NONE` when unreachable) and
/// how many nodes were reached; marks in `tree` the edges of the
/// depth-first tree.
fn depth_first(g: &Graph, mut tree: Option<&mut [u64]>) -> (Vec<u32>, usize) {
    let n = g.node_count();
    let mut number = vec![NONE; n];
    let mut reached = 1u32;
    let mut stack: Vec<(u32, u32)> = Vec::new(); // (node, next edge)
    number[0] = 0;
    stack.push((0, g.edges_of(0).start));
    while let Some(top) = stack.last_mut() {
        let (v, e) = *top;
        if e >= g.edges_of(v).end {
            stack.pop();
            continue;
        }
        top.1 += 1;
        if !g.is_essential(v, e) {
            continue;
        }
        let w = g.edge_to(e);
        if number[w as usize] == NONE {
            number[w as usize] = reached;
            reached += 1;
            if let Some(tree) = tree.as_deref_mut() {
                tree[e as usize / 64] |= 1 << (e % 64);
            }
            stack.push((w, g.edges_of(w).start));
        }
    }
    (number, reached as usize)
}

/// Immediate dominators, in preorder numbers.
///
/// The predecessors of each node are gathered once, in preorder numbers,
/// with the DFS parent (the source of its `tree` edge) at the front of each
/// list. The parent then needs no array of its own, and once a node has its
/// semidominator, the second slot of its list (no longer read) holds it for
/// the second phase; a node with one predecessor has its parent as
/// semidominator. The numbering is dropped once the lists are built.
fn semi_nca(g: &Graph, number: Vec<u32>, m: usize, tree: Vec<u64>) -> Vec<u32> {
    let n = g.node_count();
    let is_tree = |e: u32| tree[e as usize / 64] & (1 << (e % 64)) != 0;
    // Counting sort of the essential edges of reached nodes by target, in
    // place: `first[w]` counts, then ends, then (filled from the back) starts;
    // tree edges are placed last, so they come first.
    let mut first = vec![0u32; m + 1];
    let mut total = 0usize;
    for v in 0..n as u32 {
        if number[v as usize] == NONE {
            continue;
        }
        for e in g.edges_of(v) {
            if g.is_essential(v, e) {
                first[number[g.edge_to(e) as usize] as usize] += 1;
                total += 1;
            }
        }
    }
    for w in 1..m {
        first[w] += first[w - 1];
    }
    first[m] = total as u32;
    let mut preds = vec![0u32; total];
    for tree_edges in [false, true] {
        for v in (0..n as u32).rev() {
            let pv = number[v as usize];
            if pv == NONE {
                continue;
            }
            for e in g.edges_of(v).rev() {
                if g.is_essential(v, e) && is_tree(e) == tree_edges {
                    let w = number[g.edge_to(e) as usize] as usize;
                    first[w] -= 1;
                    preds[first[w] as usize] = pv;
                }
            }
        }
    }
    drop(number);
    drop(tree);
    // `best[v]`: the smallest semidominator on v's compressed path in the
    // forest of processed nodes (Lengauer–Tarjan's `semi[label[v]]`).
    let mut best = vec![0u32; m];
    let mut ancestor = vec![NONE; m];
    let mut stack = Vec::new();
    for w in (1..m).rev() {
        let (start, end) = (first[w] as usize, first[w + 1] as usize);
        let parent = preds[start];
        let mut semi = parent;
        for &v in &preds[start + 1..end] {
            let s = eval(v, &mut ancestor, &mut best, &mut stack);
            if s < semi {
                semi = s;
            }
        }
        if end - start >= 2 {
            preds[start + 1] = semi;
        }
        best[w] = semi;
        ancestor[w] = parent;
    }
    drop(ancestor);
    drop(best);
    let mut idom = vec![0u32; m];
    for w in 1..m {
        let (start, end) = (first[w] as usize, first[w + 1] as usize);
        let parent = preds[start];
        let semi = if end - start >= 2 {
            preds[start + 1]
        } else {
            parent
        };
        let mut d = parent;
        while d > semi {
            d = idom[d as usize];
        }
        idom[w] = d;
    }
    idom
}

/// The smallest semidominator on `v`'s path to the root of its tree in
/// the forest of processed nodes (`v` itself when unprocessed), compressing
/// the path on the way.
fn eval(v: u32, ancestor: &mut [u32], best: &mut [u32], stack: &mut Vec<u32>) -> u32 {
    if ancestor[v as usize] == NONE {
        return v;
    }
    // Path compression, iteratively: collect the chain, then fold it from the top.
    let mut x = v;
    while ancestor[ancestor[x as usize] as usize] != NONE {
        stack.push(x);
        x = ancestor[x as usize];
    }
    while let Some(y) = stack.pop() {
        let a = ancestor[y as usize] as usize;
        if best[a] < best[y as usize] {
            best[y as usize] = best[a];
        }
        ancestor[y as usize] = ancestor[a];
    }
    best[v as usize]
}

/// The first edge by which a breadth-first search from the root reaches each
/// node: the shortest retainer path, as DevTools' "distance".
fn breadth_first(g: &Graph) -> Vec<u32> {
    let n = g.node_count();
    let mut parent_edge = vec![NONE; n];
    // The queue is every reached node in order: a Vec read from the front.
    let mut queue = Vec::new();
    queue.push(0u32);
    let mut head = 0;
    while let Some(&v) = queue.get(head) {
        head += 1;
        for e in g.edges_of(v) {
            if !g.is_essential(v, e) {
                continue;
            }
            let w = g.edge_to(e);
            if w != 0 && parent_edge[w as usize] == NONE {
                parent_edge[w as usize] = e;
                queue.push(w);
            }
        }
    }
    parent_edge
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::graph::tests::{EdgeSpec, NodeSpec, graph};

    #[test]
    fn retained_sizes_follow_the_dominator_tree() {
        // 0 → 1 → 2 → 3, 0 → 4 → 3: 3 is shared, so only 0 dominates it.
        // 1 → 5 weakly from 4: 5 is still only retained through 1.
        let g = graph(&[
            (
                "synthetic",
                "",
                0,
                &[("element", "1", 1), ("element", "2", 4)],
            ),
            (
                "object",
                "a",
                10,
                &[("property", "b", 2), ("property", "c", 5)],
            ),
            ("object", "b", 20, &[("property", "d", 3)]),
            ("object", "d", 40, &[]),
            ("object", "e", 80, &[("property", "d", 3), ("weak", "w", 5)]),
            ("object", "f", 160, &[]),
        ]);
        let r = Retention::compute(&g);
        assert_eq!(r.retained(3), 40);
        assert_eq!(r.retained(2), 20, "3 is also held through 4");
        assert_eq!(r.retained(1), 10 + 20 + 160);
        assert_eq!(r.retained(4), 80);
        assert_eq!(r.retained(0), 310);
        assert_eq!(r.path(&g, 3).len(), 2, "root → e → d is the shortest");
    }

    #[test]
    fn retained_sizes_past_four_gigabytes_are_exact() {
        let g = graph(&[
            ("synthetic", "", 0, &[("element", "0", 1)]),
            (
                "object",
                "a",
                3_000_000_000,
                &[("property", "b", 2), ("property", "c", 3)],
            ),
            ("native", "b", 3_000_000_000, &[]),
            ("native", "c", 7, &[]),
        ]);
        let r = Retention::compute(&g);
        assert_eq!(r.retained(1), 6_000_000_007);
        assert_eq!(r.retained(0), 6_000_000_007);
        assert_eq!(r.retained(2), 3_000_000_000);
        assert_eq!(r.depth(&g, 3), Some(2));
    }

    #[test]
    fn long_chains_and_cycles_do_not_overflow() {
        // A ring of 200,000 nodes hanging from the root: each node dominates the next.
        let n = 200_000u32;
        let mut nodes: Vec<(&str, &str, u32, Vec<EdgeSpec>)> =
            vec![("synthetic", "", 0, vec![("element", "0", 1)])];
        for i in 1..=n {
            let next = if i == n { 1 } else { i + 1 };
            nodes.push(("object", "o", 1, vec![("property", "next", next)]));
        }
        let spec: Vec<NodeSpec> = nodes
            .iter()
            .map(|(t, nm, s, e)| (*t, *nm, *s, e.as_slice()))
            .collect();
        let g = graph(&spec);
        let r = Retention::compute(&g);
        assert_eq!(r.retained(1), n as u64);
        assert_eq!(
            r.retained(n - 1),
            2,
            "each node retains the rest of the ring"
        );
        assert_eq!(r.depth(&g, n), Some(n));
    }
}
