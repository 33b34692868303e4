//! Collections of timer handles that only grow: `timers.add(setTimeout(…))`
//! or `this.timeoutIds.push(id)` on every call, kept in a long-lived place,
//! and no code ever takes a handle out (not when the timer fires, not when
//! it is cleared, not by replacing the collection). Each handle keeps its
//! callback and everything the callback closes over. A collection read only
//! to clear every timer at shutdown (`ids.forEach(clearTimeout)`) still
//! grows for the whole run.

use std::ops::Range;

use crate::analysis::containers::ENTRY_REMOVING_METHODS;
use crate::analysis::frequency::Frequencies;
use crate::analysis::lifetime::{self, Lifetime};
use crate::model::path::is_global_object_name;
use crate::model::{AccessPath, CallFact, FileModel, FnId, FnKind, Key, Root, Value};

/// One growing set or array, at one adding site.
pub struct GrowingTimerSet {
    /// The `add` (or `push`) call.
    pub add: Range<usize>,
    /// A `Set` (`add`) or an array (`push`).
    pub is_array: bool,
    /// The set as spelled at the adding site.
    pub set: String,
    /// Where the timer is created.
    pub timer: Range<usize>,
    /// Why the set outlives the call, and where that shows.
    pub why: String,
    pub evidence: Option<Range<usize>>,
}

/// Is a value a timer handle: `setTimeout(…)`, or a binding initialised with one?
fn timer_created_by(model: &FileModel, value: &Value) -> Option<Range<usize>> {
    let is_timer_call = |v: &Value| match v {
        Value::Call(c) => c.callee.as_ref().is_some_and(|p| {
            let name = match (&p.root, p.props.as_slice()) {
                (Root::Global(g), []) => Some(g.as_ref()),
                (Root::Global(g), [n]) if is_global_object_name(g) => Some(n.as_ref()),
                _ => None,
            };
            matches!(name, Some("setTimeout" | "setInterval"))
        }),
        _ => false,
    };
    if is_timer_call(value) {
        let Value::Call(c) = value else { return None };
        return Some(c.span.range());
    }
    let Value::Path(p) = value else { return None };
    if !p.props.is_empty() {
        return None;
    }
    let b = model.semantic.binding(&p.root_binding()?)?;
    match &b.init {
        Some(v @ Value::Call(c)) if is_timer_call(v) => Some(c.span.range()),
        _ => None,
    }
}

/// The same set, however it is reached: through `this` or an alias of it,
/// or as the path itself.
fn same_set(
    model: &FileModel,
    a: (&AccessPath, Option<FnId>),
    b: (&AccessPath, Option<FnId>),
) -> bool {
    match (
        lifetime::as_this(model, a.1, a.0),
        lifetime::as_this(model, b.1, b.0),
    ) {
        (Some((pa, ca)), Some((pb, cb))) => {
            pa == pb && model.this_class(ca) == model.this_class(cb)
        }
        (None, None) => a.0.normalized() == b.0.normalized(),
        _ => false,
    }
}

/// Why the set at `path` outlives the call: it lives there for good, or it
/// is stored (`store.set(k, set)`) in a container that does. Also returns
/// the long-lived store, when there is one.
fn set_lifetime(
    model: &FileModel,
    call: &CallFact,
    path: &AccessPath,
) -> Option<(String, Option<Range<usize>>, Option<AccessPath>)> {
    if let Lifetime::Process(why) | Lifetime::Instance { why, .. } =
        lifetime::of_owner(model, call.fn_ctx, path)
    {
        return Some((why, None, None));
    }
    if !path.props.is_empty() {
        return None;
    }
    let id = path.root_binding()?;
    model.method_calls("set").find_map(|s| {
        let [_, v] = s.args.as_slice() else {
            return None;
        };
        if !matches!(&v.value, Value::Path(p) if p.props.is_empty() && p.is_rooted_at(&id)) {
            return None;
        }
        let store = s.callee.receiver()?;
        let why = lifetime::of_owner(model, s.fn_ctx, &store)
            .why()?
            .to_string();
        Some((
            format!("stored in `{store}` ({why})"),
            Some(s.span.range()),
            Some(store),
        ))
    })
}

/// Does anything take a handle out of the set: `set.delete(h)`,
/// `set.clear()`, also on the set fetched again from its store
/// (`store.get(k)?.delete(h)`, `const s = store.get(k); s.delete(h)`)?
fn has_removal(
    model: &FileModel,
    set: (&AccessPath, Option<FnId>),
    store: Option<&AccessPath>,
) -> bool {
    let from_store = |v: &Value| match (v, store) {
        (Value::Call(c), Some(store)) => {
            c.method.as_deref() == Some("get")
                && c.callee.as_ref().and_then(|p| p.parent()).as_ref() == Some(store)
        }
        _ => false,
    };
    if replaced(model, set) {
        return true;
    }
    model.calls.iter().any(|c| {
        if !c
            .callee
            .method
            .as_deref()
            .is_some_and(|m| ENTRY_REMOVING_METHODS.contains(&m))
        {
            return false;
        }
        if let Some(recv) = c.callee.receiver() {
            if same_set(model, (&recv, c.fn_ctx), set) {
                return true;
            }
            // A local fetched from the store.
            return recv.props.is_empty()
                && recv
                    .root_binding()
                    .and_then(|id| model.semantic.binding(&id).and_then(|b| b.init.clone()))
                    .is_some_and(|init| from_store(&init));
        }
        // `store.get(k)?.delete(h)`: the receiver is the `get` call itself.
        let (Some(span), Some(store)) = (&c.callee.receiver_span, store) else {
            return false;
        };
        model
            .method_calls("get")
            .any(|g| g.span.range() == span.range() && g.callee.receiver().as_ref() == Some(store))
    })
}

/// Is the collection replaced after it is made (`this.ids = this.ids.filter(…)`,
/// `ids = []`, `ids.length = 0`) outside a constructor: a way to drop handles.
fn replaced(model: &FileModel, set: (&AccessPath, Option<FnId>)) -> bool {
    let initialiser = |f: Option<FnId>| {
        model.this_function(f).is_some_and(|f| {
            matches!(
                model.functions[f].kind,
                FnKind::Constructor | FnKind::FieldInit
            )
        })
    };
    let members = model.member_writes.iter().any(|w| {
        let Key::Static(k) = &w.key else { return false };
        let truncated = k == "length" && same_set(model, (&w.object, w.fn_ctx), set);
        truncated
            || !initialiser(w.fn_ctx)
                && same_set(model, (&w.object.child(k.clone()), w.fn_ctx), set)
    });
    let bindings = set.0.props.is_empty()
        && set
            .0
            .root_binding()
            .is_some_and(|id| model.binding_writes.iter().any(|w| w.id == id));
    members || bindings
}

/// The growing collections of a file, computed on the first question:
/// `unbounded-cache` reports the sets, `unbounded-array` the arrays.
struct TimerSets(Vec<GrowingTimerSet>);

/// Every adding site of a timer handle to a long-lived set or array nothing
/// removes from.
pub fn growing_timer_sets<'m>(model: &'m FileModel) -> &'m [GrowingTimerSet] {
    &model.derived.get_or_init(|| TimerSets(find(model))).0
}

fn find(model: &FileModel) -> Vec<GrowingTimerSet> {
    let mut out = Vec::new();
    let frequency = Frequencies::new(model);
    for call in model.method_calls("add").chain(model.method_calls("push")) {
        let (Some(set), [arg]) = (call.callee.receiver(), call.args.as_slice()) else {
            continue;
        };
        let Some(timer) = timer_created_by(model, &arg.value) else {
            continue;
        };
        if !frequency.runs_many_times(call.fn_ctx, call.span.start()) {
            continue;
        }
        // A collection the same function makes (`[]`, `new Set()`, not one
        // fetched from a store) is new on every call: its
        // growth ends with the call, whoever keeps it afterwards.
        let made_here = set.props.is_empty()
            && set
                .root_binding()
                .and_then(|id| model.semantic.binding(&id))
                .is_some_and(|b| {
                    !b.is_module_level()
                        && b.fn_ctx == call.fn_ctx
                        && matches!(b.init, Some(Value::Array { .. } | Value::New(_)))
                });
        if made_here {
            continue;
        }
        let Some((why, evidence, store)) = set_lifetime(model, call, &set) else {
            continue;
        };
        if has_removal(model, (&set, call.fn_ctx), store.as_ref()) {
            continue;
        }
        out.push(GrowingTimerSet {
            add: call.span.range(),
            is_array: call.callee.method.as_deref() == Some("push"),
            set: call
                .callee
                .receiver_span
                .as_ref()
                .map(|s| model.text(s).to_string())
                .unwrap_or_else(|| set.to_string()),
            timer,
            why,
            evidence,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    fn growing(src: &str) -> usize {
        let mut n = 0;
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            n = growing_timer_sets(m).len();
        });
        n
    }

    #[test]
    fn handles_added_and_never_removed_grow() {
        assert_eq!(
            growing(
                "const live = new Set();\nexport function later(f) { const t = setTimeout(f, 10); live.add(t) }\n"
            ),
            1
        );
        assert_eq!(
            growing(
                "const store = new WeakMap();\nexport function wrap(fn) { return () => { const t = setTimeout(fn, 1); const s = store.get(fn) ?? new Set(); s.add(t); store.set(fn, s) } }\n"
            ),
            1,
            "a set kept in a module-level store"
        );
    }

    #[test]
    fn instance_arrays_of_handles_read_only_at_shutdown_grow() {
        assert_eq!(
            growing(
                "export class Store {\n  constructor() { this.ids = [] }\n  add(k, ms) { const id = setTimeout(() => this.expire(k), ms); this.ids.push(id) }\n  onShutdown() { this.ids.forEach(clearTimeout) }\n}\n"
            ),
            1
        );
    }

    #[test]
    fn arrays_that_drop_handles_do_not() {
        assert_eq!(
            growing(
                "export class Store {\n  constructor() { this.ids = [] }\n  add(k, ms) { const id = setTimeout(() => { this.ids = this.ids.filter((i) => i !== id) }, ms); this.ids.push(id) }\n}\n"
            ),
            0,
            "replaced by a filtered copy when the timer fires"
        );
        assert_eq!(
            growing(
                "export class Store {\n  constructor() { this.ids = [] }\n  add(k, ms) { const id = setTimeout(() => { this.ids.splice(this.ids.indexOf(id), 1) }, ms); this.ids.push(id) }\n}\n"
            ),
            0,
            "spliced out when the timer fires"
        );
        assert_eq!(
            growing(
                "const ids = [];\nexport function later(f) { ids.push(setTimeout(f, 1)) }\nexport function reset() { ids.length = 0 }\n"
            ),
            0,
            "truncated"
        );
    }

    #[test]
    fn handles_removed_when_the_timer_fires_do_not() {
        assert_eq!(
            growing(
                "const live = new Set();\nexport function later(f) { const t = setTimeout(() => { live.delete(t); f() }, 10); live.add(t) }\n"
            ),
            0
        );
        assert_eq!(
            growing(
                "const store = new WeakMap();\nexport function wrap(fn) { return () => { const t = setTimeout(() => { store.get(fn)?.delete(t) }, 1); const s = store.get(fn) ?? new Set(); s.add(t); store.set(fn, s) } }\n"
            ),
            0
        );
        assert_eq!(
            growing(
                "export function once(f) { const local = new Set(); const t = setTimeout(f, 1); local.add(t) }\n"
            ),
            0,
            "a local set dies with the call"
        );
    }
}
