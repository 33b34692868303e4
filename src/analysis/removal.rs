//! Is every entry a path adds removed on every way the operation ends?
//!
//! The shape this answers: a pending-request table keyed by a fresh id
//! (`pending[id] = callback`) whose entry is deleted by a timeout callback,
//! while the success path cancels that timeout (`clearTimeout(t)`) and never
//! deletes the entry. Every request that succeeds keeps its entry. The author
//! knew the entry must go (there is a removal), which makes this a strong
//! finding: `Removal::Partial` in the design's terms.

use std::ops::Range;

use crate::analysis::keys;
use crate::analysis::lifetime::{self, Lifetime};
use crate::model::{AccessPath, ClassId, FileModel, FnId, Invocation, Key, ResultUse, Value};

/// One owner of keys, however the code spells it: `this.pending`,
/// `_this2.pending` and `client.pending` (with `client = this`) are the same
/// field of the same class.
#[derive(Clone, Debug, PartialEq)]
enum Owner {
    Field(Option<ClassId>, AccessPath),
    Path(AccessPath),
}

fn owner_of(model: &FileModel, fn_ctx: Option<FnId>, path: &AccessPath) -> Owner {
    match lifetime::as_this(model, fn_ctx, path) {
        Some((p, ctx)) => Owner::Field(model.this_class(ctx), p),
        None => Owner::Path(path.normalized()),
    }
}

/// An entry added on one path and removed only on another.
pub struct PartialRemoval {
    /// Where the entry is added.
    pub growth: Range<usize>,
    /// The container as spelled at the growth site.
    pub container: String,
    /// Why the container outlives the call.
    pub lifetime: String,
    /// The removal that runs only on timeout.
    pub removed_on_timeout: Range<usize>,
    /// Where the other path cancels that timeout without removing the entry.
    pub cancelled_at: Range<usize>,
}

/// A removal of an entry with a computed key: `delete c[k]`, `c.delete(k)`.
struct Removal {
    owner: Owner,
    span: Range<usize>,
    fn_ctx: Option<FnId>,
}

fn removals(model: &FileModel) -> Vec<Removal> {
    let mut out: Vec<Removal> = model
        .deletes
        .iter()
        .filter(|d| matches!(d.key, Key::Dynamic { .. }))
        .map(|d| Removal {
            owner: owner_of(model, d.fn_ctx, &d.object),
            span: d.span.range(),
            fn_ctx: d.fn_ctx,
        })
        .collect();
    for c in model.method_calls("delete") {
        let Some(recv) = c.callee.receiver() else {
            continue;
        };
        out.push(Removal {
            owner: owner_of(model, c.fn_ctx, &recv),
            span: c.span.range(),
            fn_ctx: c.fn_ctx,
        });
    }
    out
}

/// The timer handle a removal's callback is stored in, when the removal
/// runs inside a `setTimeout` callback: `t = setTimeout(() => delete c[k])`.
fn timeout_handle(model: &FileModel, fn_ctx: Option<FnId>) -> Option<AccessPath> {
    let mut current = fn_ctx;
    while let Some(f) = current {
        if let Invocation::CallbackOf { call, .. } = model.functions[f].invocation {
            let c = &model.calls[call];
            if c.callee.global_function().as_deref() == Some("setTimeout") {
                return match &c.result {
                    ResultUse::Assigned(p) => Some((**p).clone()),
                    _ => None,
                };
            }
        }
        current = model.functions[f].parent;
    }
    None
}

/// Every dynamic-key addition to a container that outlives the call whose
/// only removals run on timeout, a timeout the other path cancels.
pub fn partial_removals(model: &FileModel) -> Vec<PartialRemoval> {
    let mut out = Vec::new();
    let mut all_removals: Option<Vec<Removal>> = None;
    for w in &model.member_writes {
        if w.op != "="
            || w.value.is_nullish()
            || w.ensures_entry
            || !matches!(w.key, Key::Dynamic { .. })
            || !keys::is_dynamic_write_key(model, w)
        {
            continue;
        }
        let removals = all_removals.get_or_insert_with(|| removals(model));
        if removals.is_empty() {
            return out;
        }
        let owner = owner_of(model, w.fn_ctx, &w.object);
        let mine: Vec<&Removal> = removals.iter().filter(|r| r.owner == owner).collect();
        if mine.is_empty() {
            continue;
        }
        let Some((removed, cancelled)) = only_on_timeout(model, &mine) else {
            continue;
        };
        let lifetime = match lifetime::of_owner(model, w.fn_ctx, &w.object) {
            Lifetime::Process(why) | Lifetime::Instance { why, .. } => why,
            _ => continue,
        };
        out.push(PartialRemoval {
            growth: w.span.range(),
            container: model.text(&w.object_span).to_string(),
            lifetime,
            removed_on_timeout: removed,
            cancelled_at: cancelled,
        });
    }
    out
}

/// When every removal runs in a timeout callback whose handle some function
/// clears (`clearTimeout(t)`) without removing the entry itself: the first
/// such removal and cancellation.
fn only_on_timeout(
    model: &FileModel,
    removals: &[&Removal],
) -> Option<(Range<usize>, Range<usize>)> {
    let mut first = None;
    for r in removals {
        let handle = timeout_handle(model, r.fn_ctx)?;
        let cancel = model.global_calls("clearTimeout").find(|c| {
            let clears = c
                .args
                .first()
                .is_some_and(|a| matches!(&a.value, Value::Path(p) if *p == handle));
            let Some(f) = c.fn_ctx else { return false };
            // The cancelling path must not remove the entry itself.
            clears && !removals.iter().any(|o| model.is_within(o.fn_ctx, f))
        })?;
        first.get_or_insert((r.span.clone(), cancel.span.range()));
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    fn partial(src: &str) -> Vec<String> {
        let mut out = Vec::new();
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            out = partial_removals(m)
                .into_iter()
                .map(|p| m.text(&p.growth).to_string())
                .collect();
        });
        out
    }

    #[test]
    fn removed_on_timeout_only_is_partial() {
        let src = "function C() { this.wait = {} }\nC.prototype.ask = function (id, done) {\n  var self = this;\n  var t = setTimeout(function () { delete self.wait[id]; done(new Error('t')) }, 10);\n  self.wait[id] = function (res) { clearTimeout(t); done(null, res) };\n};\n";
        assert_eq!(
            partial(src),
            ["self.wait[id] = function (res) { clearTimeout(t); done(null, res) }"]
        );
    }

    #[test]
    fn removed_on_both_paths_is_complete() {
        let src = "function C() { this.wait = {} }\nC.prototype.ask = function (id, done) {\n  var self = this;\n  var t = setTimeout(function () { delete self.wait[id] }, 10);\n  self.wait[id] = function (res) { clearTimeout(t); delete self.wait[id]; done(res) };\n};\n";
        assert!(partial(src).is_empty());
        let ttl = "const seen = {};\nfunction mark(k) { seen[k] = 1; setTimeout(() => { delete seen[k] }, 100) }\n";
        assert!(
            partial(ttl).is_empty(),
            "a timeout nobody cancels always removes"
        );
    }
}
