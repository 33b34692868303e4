//! Removal paths that re-create the entry they remove from.
//!
//! ```js
//! leave(id, room) {
//!   this.byId[id] = this.byId[id] || {};   // re-creates the entry…
//!   delete this.byId[id][room];            // …to remove one item from it
//! }
//! drop(id) { delete this.byId[id] }        // the entry's end of life
//! ```
//!
//! When `leave` runs after `drop` (a late callback, a second clean-up), it
//! brings back an empty entry for a key whose owner is gone, and nothing will
//! delete it again: one key leaks per late call. The fix is to touch the entry
//! only when it exists (`if (this.byId[id]) delete this.byId[id][room]`).
//!
//! Reported only when the file does end the entry's life elsewhere (a
//! `delete o[k]` in another function): that is what makes the re-creation
//! outlive it.

use std::ops::Range;

use crate::model::{DYNAMIC, FileModel, Key, MemberWrite};

/// A re-created entry: the write, and the deletion elsewhere that it undoes.
pub struct Reentry<'m> {
    pub write: &'m MemberWrite,
    /// The `delete o[k]` that ends the entry's life in another function.
    pub end_of_life: Range<usize>,
    /// The removal from inside the entry in the same function.
    pub inner_removal: Range<usize>,
}

pub fn find<'m>(model: &'m FileModel) -> Vec<Reentry<'m>> {
    let mut out = Vec::new();
    for w in model.member_writes.iter().filter(|w| w.ensures_entry) {
        let Key::Dynamic { ident: Some(key) } = &w.key else {
            continue;
        };
        let owner = model.this_function(w.fn_ctx);
        let same_fn = |f: Option<usize>| model.this_function(f) == owner && owner.is_some();
        let entry = w.object.child(DYNAMIC.into());
        // `delete o[k][x]` after the write, in the same function.
        let Some(inner) = model
            .deletes
            .iter()
            .find(|d| d.object == entry && same_fn(d.fn_ctx) && d.span.start() > w.span.end())
        else {
            continue;
        };
        let deletes_entry = |d: &&crate::model::DeleteFact| d.object == w.object;
        // The same function also drops the entry when it empties: no leak.
        if model.deletes.iter().filter(deletes_entry).any(|d| {
            same_fn(d.fn_ctx) && matches!(&d.key, Key::Dynamic { ident: Some(k) } if k == key)
        }) {
            continue;
        }
        let Some(end) = model
            .deletes
            .iter()
            .filter(deletes_entry)
            .find(|d| !same_fn(d.fn_ctx) && matches!(d.key, Key::Dynamic { .. }))
        else {
            continue;
        };
        out.push(Reentry {
            write: w,
            end_of_life: end.span.range(),
            inner_removal: inner.span.range(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    fn count(src: &str) -> usize {
        let mut n = 0;
        crate::engine::with_model_for_test(src, Dialect::Js, |m| n = find(m).len());
        n
    }

    #[test]
    fn recreating_to_remove_after_the_entry_ended() {
        let leave = "leave(id, r) { this.m[id] = this.m[id] || {}; delete this.m[id][r] }";
        let drop = "drop(id) { delete this.m[id] }";
        assert_eq!(count(&format!("class A {{ {leave} {drop} }}\n")), 1);
        assert_eq!(
            count(&format!(
                "class A {{ {} {drop} }}\n",
                leave.replace("this.m[id] = this.m[id] || {}", "this.m[id] ??= {}")
            )),
            1
        );
    }

    #[test]
    fn guarded_removal_or_no_end_of_life_is_fine() {
        let drop = "drop(id) { delete this.m[id] }";
        assert_eq!(
            count(&format!(
                "class A {{ leave(id, r) {{ if (this.m[id]) delete this.m[id][r] }} {drop} }}\n"
            )),
            0
        );
        assert_eq!(
            count(
                "class A { leave(id, r) { this.m[id] = this.m[id] || {}; delete this.m[id][r] } }\n"
            ),
            0,
            "without an end of life elsewhere the entry is simply kept"
        );
        assert_eq!(
            count(&format!(
                "class A {{ leave(id, r) {{ this.m[id] = this.m[id] || {{}}; delete this.m[id][r]; if (!Object.keys(this.m[id]).length) delete this.m[id] }} {drop} }}\n"
            )),
            0,
            "the same function drops the emptied entry"
        );
        assert_eq!(
            count(&format!(
                "class A {{ join(id, r) {{ this.m[id] = this.m[id] || {{}}; this.m[id][r] = true }} {drop} }}\n"
            )),
            0,
            "adding to the entry is its normal life"
        );
    }
}
