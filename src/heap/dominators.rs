//! Dominator tree and retained sizes (semi-NCA: Lengauer–Tarjan's
//! semidominators, then each immediate dominator as the nearest common
//! ancestor; Georgiadis' variant), and the shortest retainer path of every
//! node (breadth-first from the root). Iterative throughout: retainer chains
//! millions of nodes long (linked lists) must not overflow the stack.
//!
//! Only essential edges count ([`Graph::is_essential`]): weak edges and
//! shortcuts away from the root are ignored, as Chrome DevTools does.

use std::collections::VecDeque;

use super::graph::{Graph, NONE};

pub struct Retention {
    /// Immediate dominator of each node (`NONE` for the root and for nodes
    /// the root does not reach).
    pub idom: Vec<u32>,
    /// Bytes freed if the node were collected (its own size for unreachable nodes).
    pub retained: Vec<u64>,
    /// The edge by which the breadth-first search from the root first reached
    /// each node (`NONE` for the root and unreachable nodes).
    pub parent_edge: Vec<u32>,
    /// Edges on the shortest path from the root (`NONE` when unreachable).
    pub depth: Vec<u32>,
    /// Nodes in depth-first preorder from the root: a dominator comes before
    /// everything it dominates.
    pub preorder: Vec<u32>,
}

impl Retention {
    pub fn compute(g: &Graph) -> Retention {
        let n = g.node_count();
        let (preorder, parent, number) = depth_first(g);
        let idom_dfs = semi_nca(g, &preorder, parent, number);
        // Scratch arrays are dropped as soon as they are done with, so the
        // peak stays near the graph plus five arrays of one u32 per node.
        let mut idom = vec![NONE; n];
        for (w, &d) in idom_dfs.iter().enumerate().skip(1) {
            idom[preorder[w] as usize] = preorder[d as usize];
        }
        drop(idom_dfs);
        let mut retained: Vec<u64> = (0..n as u32).map(|v| g.self_size(v) as u64).collect();
        for &v in preorder.iter().skip(1).rev() {
            let d = idom[v as usize] as usize;
            retained[d] += retained[v as usize];
        }
        let (parent_edge, depth) = breadth_first(g);
        Retention {
            idom,
            retained,
            parent_edge,
            depth,
            preorder,
        }
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

/// Preorder from the root, each visited node's DFS parent (as a preorder
/// number), and each node's preorder number (`NONE` when unreachable).
fn depth_first(g: &Graph) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let n = g.node_count();
    let mut number = vec![NONE; n];
    let mut preorder = Vec::with_capacity(n);
    let mut parent = Vec::with_capacity(n);
    let mut stack: Vec<(u32, u32, u32)> = Vec::new(); // (node, next edge, preorder number)
    number[0] = 0;
    preorder.push(0);
    parent.push(0);
    stack.push((0, g.edges_of(0).start, 0));
    while let Some(top) = stack.last_mut() {
        let (v, e, num) = *top;
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
            let wnum = preorder.len() as u32;
            number[w as usize] = wnum;
            preorder.push(w);
            parent.push(num);
            stack.push((w, g.edges_of(w).start, wnum));
        }
    }
    preorder.shrink_to_fit();
    parent.shrink_to_fit();
    (preorder, parent, number)
}

/// Immediate dominators, in preorder numbers.
/// `parent` becomes the result.
fn semi_nca(g: &Graph, preorder: &[u32], parent: Vec<u32>, number: Vec<u32>) -> Vec<u32> {
    let m = preorder.len();
    let mut semi: Vec<u32> = (0..m as u32).collect();
    let mut label: Vec<u32> = (0..m as u32).collect();
    let mut ancestor = vec![NONE; m];
    let mut stack = Vec::new();
    for w in (1..m).rev() {
        let node = preorder[w];
        for e in g.retainers(node) {
            let from = g.edge_from(e);
            if !g.is_essential(from, e) {
                continue;
            }
            let v = number[from as usize];
            if v == NONE {
                continue;
            }
            let u = eval(v, &mut ancestor, &mut label, &semi, &mut stack);
            if semi[u as usize] < semi[w] {
                semi[w] = semi[u as usize];
            }
        }
        ancestor[w] = parent[w];
    }
    drop(ancestor);
    drop(label);
    drop(number);
    let mut idom = parent;
    for w in 1..m {
        let mut d = idom[w];
        while d > semi[w] {
            d = idom[d as usize];
        }
        idom[w] = d;
    }
    idom
}

fn eval(
    v: u32,
    ancestor: &mut [u32],
    label: &mut [u32],
    semi: &[u32],
    stack: &mut Vec<u32>,
) -> u32 {
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
        if semi[label[a] as usize] < semi[label[y as usize] as usize] {
            label[y as usize] = label[a];
        }
        ancestor[y as usize] = ancestor[a];
    }
    label[v as usize]
}

/// The first edge by which a breadth-first search from the root reaches each
/// node: the shortest retainer path, as DevTools' "distance".
fn breadth_first(g: &Graph) -> (Vec<u32>, Vec<u32>) {
    let n = g.node_count();
    let mut parent_edge = vec![NONE; n];
    let mut depth = vec![NONE; n];
    let mut queue = VecDeque::new();
    depth[0] = 0;
    queue.push_back(0u32);
    while let Some(v) = queue.pop_front() {
        for e in g.edges_of(v) {
            if !g.is_essential(v, e) {
                continue;
            }
            let w = g.edge_to(e);
            if depth[w as usize] == NONE {
                depth[w as usize] = depth[v as usize] + 1;
                parent_edge[w as usize] = e;
                queue.push_back(w);
            }
        }
    }
    (parent_edge, depth)
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
        assert_eq!(r.idom[3], 0);
        assert_eq!(r.idom[2], 1);
        assert_eq!(r.idom[5], 1);
        assert_eq!(r.retained[1], 10 + 20 + 160);
        assert_eq!(r.retained[4], 80);
        assert_eq!(r.retained[0], 310);
        assert_eq!(r.path(&g, 3).len(), 2, "root → e → d is the shortest");
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
        assert_eq!(r.retained[1], n as u64);
        assert_eq!(r.idom[n as usize], n - 1);
    }
}
