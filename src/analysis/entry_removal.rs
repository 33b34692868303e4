//! Removal completeness for keyed entries (the listener side is in
//! `removal.rs`): is every entry a path adds removed on every way the
//! operation ends?
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

/// A keyed container whose entries are removed only when the same key is
/// read again (an expired entry deleted on lookup) or when the operation
/// fails (`promise.catch(() => cache.delete(key))`): keys nobody asks for
/// again stay forever.
pub struct OnlyIfReadAgain {
    /// Where entries are added.
    pub growth: Range<usize>,
    /// The container as spelled there.
    pub container: String,
    /// Why it outlives the call.
    pub lifetime: String,
    /// The removal that runs only after a read of the same key.
    pub removal: Range<usize>,
    /// The read that guards it.
    pub read: Range<usize>,
}

/// Every `m.set(key, v)` (key not bounded, in code that runs many times)
/// whose map loses entries only on a later read of the same key or on
/// failure.
pub fn only_if_read_again(model: &FileModel) -> Vec<OnlyIfReadAgain> {
    let mut out = Vec::new();
    let frequency = crate::analysis::frequency::Frequencies::new(model);
    for set in model.method_calls("set") {
        let (Some(map), [key, _]) = (set.callee.receiver(), set.args.as_slice()) else {
            continue;
        };
        if !map.props.is_empty()
            || matches!(
                keys::origin_of_arg(model, &key.value, model.text(&key.span), set.fn_ctx),
                keys::KeyOrigin::Bounded(_)
            )
            || !frequency.runs_many_times(set.fn_ctx, set.span.start())
        {
            continue;
        }
        let Some(id) = map.root_binding() else {
            continue;
        };
        let Some(lifetime) = lifetime::fetched_from_store(model, &id) else {
            continue;
        };
        // Handed to a helper (a cleaner, a sweep) or cleared: not this shape.
        let handed_on = model.calls.iter().any(|c| {
            c.args
                .iter()
                .any(|a| matches!(&a.value, Value::Path(p) if *p == map))
        });
        let removals: Vec<&crate::model::CallFact> = model
            .calls
            .iter()
            .filter(|c| {
                matches!(c.callee.method.as_deref(), Some("delete" | "clear"))
                    && c.callee.receiver_is(&map)
            })
            .collect();
        if handed_on || removals.is_empty() {
            continue;
        }
        // The set in one branch of an `if` whose other branch deletes the
        // same key: the function either rewrites the entry or removes it (a
        // reference count that deletes its key when it reaches zero). The
        // set then updates the entry this same step would otherwise remove;
        // its removal does not wait for a later read.
        let key_text = model.text(&key.span);
        let removes_instead = removals.iter().any(|r| {
            r.callee.method.as_deref() == Some("delete")
                && r.fn_ctx == set.fn_ctx
                && r.args
                    .first()
                    .is_some_and(|a| model.text(&a.span) == key_text)
                && in_other_branches(model, set.span, r.span)
        });
        if removes_instead {
            continue;
        }
        let mut guarded = None;
        let every_removal_conditional = removals.iter().all(|r| {
            if r.callee.method.as_deref() == Some("clear") {
                return false;
            }
            if on_failure(model, r.fn_ctx) {
                return true;
            }
            // A removal a timer runs (`setTimeout(clear, ttl)`) expires the
            // entry on its own, whatever the function reads first.
            if r.fn_ctx
                .is_some_and(|f| crate::analysis::expiry::scheduled_on_timer(model, f))
            {
                return false;
            }
            let Some(arg) = r.args.first() else {
                return false;
            };
            let key_text = model.text(&arg.span);
            let read = model.calls.iter().find(|c| {
                matches!(c.callee.method.as_deref(), Some("has" | "get"))
                    && c.callee.receiver_is(&map)
                    && c.fn_ctx == r.fn_ctx
                    && c.span.start() < r.span.start()
                    && c.args
                        .first()
                        .is_some_and(|a| model.text(&a.span) == key_text)
            });
            match read {
                Some(read) => {
                    guarded.get_or_insert((r.span.range(), read.span.range()));
                    true
                }
                None => false,
            }
        });
        let (Some((removal, read)), true) = (guarded, every_removal_conditional) else {
            continue;
        };
        let Lifetime::Process(why) = lifetime else {
            continue;
        };
        out.push(OnlyIfReadAgain {
            growth: set.span.range(),
            container: map.to_string(),
            lifetime: why,
            removal,
            read,
        });
    }
    out
}

/// Are `a` and `b` in the two branches of one conditional (`if (…) a; else
/// b`): never both in one run?
fn in_other_branches(
    model: &FileModel,
    a: crate::model::TextSpan,
    b: crate::model::TextSpan,
) -> bool {
    model.conditionals.iter().any(|c| {
        c.span.encloses(a)
            && c.span.encloses(b)
            && c.branch.is_some_and(|br| br.encloses(a) != br.encloses(b))
    })
}

/// Does code in `fn_ctx` run only when an operation fails (a `.catch`
/// reaction)?
fn on_failure(model: &FileModel, fn_ctx: Option<FnId>) -> bool {
    fn_ctx.is_some_and(|f| match model.functions[f].invocation {
        Invocation::CallbackOf { call, .. } => {
            model.calls[call].callee.method.as_deref() == Some("catch")
        }
        _ => false,
    })
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

    fn read_again(src: &str) -> usize {
        let mut n = 0;
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            n = only_if_read_again(m).len();
        });
        n
    }

    #[test]
    fn removed_only_when_read_again_or_on_failure() {
        let src = "const store = new WeakMap();\nexport function wrap(fn, ttl) {\n  const w = function (k) {\n    const m = store.get(w);\n    if (m.has(k)) { const e = m.get(k); if (Date.now() < e.t) return e.v; m.delete(k) }\n    const v = fn(k);\n    m.set(k, { v, t: Date.now() + ttl });\n    Promise.resolve(v).catch(() => m.delete(k));\n    return v;\n  };\n  store.set(w, new Map());\n  return w;\n}\n";
        assert_eq!(read_again(src), 1);
        let swept = src.replace(
            "  store.set(w, new Map());",
            "  store.set(w, new Map());\n  setInterval(() => sweep(store.get(w)), ttl);",
        );
        assert_eq!(
            read_again(&swept),
            1,
            "a sweep of another expression is not this map"
        );
        let cleared = src.replace(
            "return e.v; m.delete(k) }",
            "return e.v; m.delete(k) }\n    if (m.size > 100) m.clear();",
        );
        assert_eq!(read_again(&cleared), 0);
    }

    #[test]
    fn a_count_rewritten_or_removed_in_one_step_is_not_read_again() {
        let store = "const counts = new WeakMap();\nexport function leave(owner, k) {\n  const m = counts.get(owner);\n  const n = m.get(k) || 0;\n";
        let refcount =
            format!("{store}  if (n <= 1) {{ m.delete(k) }} else {{ m.set(k, n - 1) }}\n}}\n");
        assert_eq!(read_again(&refcount), 0, "{refcount}");
        // The same read and removal with the set after the `if`: a new key
        // is added whether or not the old one was removed.
        let after = format!("{store}  if (n <= 1) {{ m.delete(k) }}\n  m.set(k, n + 1)\n}}\n");
        assert_eq!(read_again(&after), 1, "{after}");
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
