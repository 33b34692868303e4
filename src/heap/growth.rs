//! Growth between two snapshots of one process: V8 keeps an object's id
//! across snapshots, so a collection is matched by id (or, when it was
//! replaced, by constructor and retainer accessor), and objects whose ids
//! the baseline does not have are new.

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::collections::{self, Collection};
use super::dominators::Retention;
use super::graph::{Graph, NONE};

/// What the baseline snapshot contributes: its ids, and the entry counts of
/// its collections.
pub struct Baseline {
    ids: Vec<u32>,
    by_id: FxHashMap<u32, u64>,
    by_accessor: FxHashMap<(String, String), u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Growth {
    pub entries_before: u64,
    /// Entries now minus entries before (negative when it shrank).
    pub new_entries: i64,
    /// Objects retained by the collection that the baseline did not have.
    pub new_objects: u64,
}

impl Baseline {
    /// Collections with at least `min_entries` entries are also matched by accessor.
    pub fn new(g: &Graph, r: &Retention, min_entries: u64) -> Baseline {
        let mut ids: Vec<u32> = (0..g.node_count() as u32).map(|v| g.id(v)).collect();
        ids.sort_unstable();
        let mut by_id = FxHashMap::default();
        for v in 0..g.node_count() as u32 {
            if r.parent_edge[v as usize] == NONE {
                continue;
            }
            if let Some((_, n)) = collections::entries(g, v)
                && n > 0
            {
                by_id.insert(g.id(v), n);
            }
        }
        let mut by_accessor = FxHashMap::default();
        for c in collections::find(g, r, min_entries) {
            by_id.insert(c.id, c.entries);
            by_accessor.insert((c.constructor, c.culprit.accessor), c.entries);
        }
        Baseline {
            ids,
            by_id,
            by_accessor,
        }
    }

    /// Whether the baseline has an object with this id.
    pub fn has_id(&self, id: u32) -> bool {
        self.ids.binary_search(&id).is_ok()
    }

    /// Growth of each collection of the newer snapshot, which must have
    /// been analysed against this baseline ([`super::analyse_against`]):
    /// its new objects were counted then.
    pub fn compare(&self, r: &Retention, found: &[Collection]) -> Vec<Growth> {
        found
            .iter()
            .map(|c| {
                let before = self
                    .by_id
                    .get(&c.id)
                    .or_else(|| {
                        self.by_accessor
                            .get(&(c.constructor.clone(), c.culprit.accessor.clone()))
                    })
                    .copied()
                    .unwrap_or(0);
                Growth {
                    entries_before: before,
                    new_entries: c.entries as i64 - before as i64,
                    new_objects: r.new_under(c.node) as u64,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::dominators::Dominance;
    use crate::heap::graph::tests::graph;

    #[test]
    fn growth_is_counted_by_id_and_new_objects_by_dominator_subtree() {
        // Ids are ordinal * 2 + 1 in the test snapshots: the same object
        // keeps its id, and nodes appended in the newer snapshot are new.
        let before = graph(&[
            ("synthetic", "", 0, &[("element", "0", 1)]),
            ("object", "system / Context", 40, &[("context", "cache", 2)]),
            (
                "object",
                "Object",
                24,
                &[("property", "a", 3), ("property", "b", 3)],
            ),
            ("object", "Value", 16, &[]),
        ]);
        let after = graph(&[
            ("synthetic", "", 0, &[("element", "0", 1)]),
            ("object", "system / Context", 40, &[("context", "cache", 2)]),
            (
                "object",
                "Object",
                24,
                &[
                    ("property", "a", 3),
                    ("property", "b", 3),
                    ("property", "c", 4),
                    ("property", "d", 5),
                ],
            ),
            ("object", "Value", 16, &[]),
            ("object", "Value", 16, &[]),
            ("object", "Value", 16, &[]),
        ]);
        let rb = Retention::compute(&before);
        let base = Baseline::new(&before, &rb, 2);
        let ra = Retention::new(
            &after,
            Dominance::compute(&after, Some(&|id| !base.has_id(id))),
        );
        let found = collections::find(&after, &ra, 2);
        assert_eq!(found.len(), 1);
        let growth = base.compare(&ra, &found);
        assert_eq!(growth[0].entries_before, 2);
        assert_eq!(growth[0].new_entries, 2);
        assert_eq!(
            growth[0].new_objects, 2,
            "the two values only the cache holds"
        );
    }
}
