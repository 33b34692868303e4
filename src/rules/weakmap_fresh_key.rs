//! A WeakMap/WeakSet is keyed by an object created in the call, or by a primitive.

use super::{Finding, Rule, RuleContext};
use crate::analysis::containers::{self, ContainerKind};
use crate::diagnostic::Severity;
use crate::model::semantic::{BindingId, BindingKind};
use crate::model::{CallFact, FileModel, Root, Value};

pub(crate) const RULE: Rule = Rule {
    name: "weakmap-fresh-key",
    summary: "A WeakMap or WeakSet is keyed by an object created in the call, so no later lookup can find the entry.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/weakmap-fresh-key.md"),
    check,
};

/// A `get`/`set`/`has`/`delete`/`add` call on a WeakMap or WeakSet.
struct WeakCall<'m> {
    call: &'m CallFact,
    kind: ContainerKind,
    method: &'m str,
}

fn weak_calls<'m>(model: &'m FileModel) -> Vec<WeakCall<'m>> {
    // Most files create no weak collection: skip them before resolving the
    // receiver of every `get`/`set` call, which is the expensive part.
    let creates_weak = model.calls.iter().any(|c| {
        c.is_new
            && c.callee.path.as_ref().is_some_and(|p| {
                let name = p.props.last().map(|a| a.as_ref()).or(match &p.root {
                    crate::model::Root::Global(g) => Some(g.as_ref()),
                    _ => None,
                });
                matches!(name, Some("WeakMap" | "WeakSet"))
            })
    });
    if !creates_weak {
        return Vec::new();
    }
    let all = containers::all(model);
    model
        .calls
        .iter()
        .filter_map(|call| {
            let method = call.callee.method.as_deref()?;
            if !matches!(method, "set" | "get" | "has" | "delete" | "add") {
                return None;
            }
            let recv = call.callee.receiver()?;
            let kind = all.kind_at(model, call.fn_ctx, &recv)?;
            let valid = match kind {
                ContainerKind::WeakMap => matches!(method, "set" | "get" | "has" | "delete"),
                ContainerKind::WeakSet => matches!(method, "add" | "has" | "delete"),
                _ => false,
            };
            (valid && !call.args.is_empty()).then_some(WeakCall { call, kind, method })
        })
        .collect()
}

fn check(out: &mut RuleContext) {
    let model = out.model;
    let weak = weak_calls(model);
    for WeakCall { call, kind, method } in &weak {
        let (kind, method) = (*kind, *method);
        let recv = &call.callee.receiver().expect("weak calls have a receiver");
        let key = &call.args[0];
        let what = if kind == ContainerKind::WeakMap {
            "WeakMap"
        } else {
            "WeakSet"
        };
        if let Some(created) = fresh_key(model, call, &key.value, &weak) {
            let mut d = Finding::new(call.span.range(),
                format!("`{recv}` is keyed by an object created on each call, so no lookup can ever find the entry"),
            )
            .with_label(format!("{what} `{method}` with a fresh key"))
            .with_help(format!(
                "a new object is never equal to an earlier one: every `{method}` misses and the cache is useless; key the {what} by an object the caller owns (the request, the socket, …), or use a `Map` with real deletion or a bounded LRU"
            ));
            if created != key.span.range() {
                d = d.with_related(created, "a new object is created here on every call");
            }
            out.report(d);
        } else if key.value.is_primitive() || primitive_binding(model, &key.value) {
            out.report(
                Finding::new(call.span.range(),
                    format!("`{recv}` is keyed by a primitive value, which a {what} rejects"),
                )
                .with_label("primitive key: this throws a TypeError")
                .with_help(format!(
                    "{what} keys must be objects; key the {what} by the object that owns the data, or use a `Map` with real deletion or a bounded LRU for string and number keys"
                )),
            );
        }
    }
}

/// Where the key object was created, when it is created in this call and
/// never leaves it (a key that is returned or stored can be looked up later).
fn fresh_key(
    model: &FileModel,
    call: &CallFact,
    value: &Value,
    weak: &[WeakCall],
) -> Option<std::ops::Range<usize>> {
    if is_fresh(value) {
        return Some(fresh_span(value).unwrap_or_else(|| call.span.range()));
    }
    let Value::Path(p) = value else { return None };
    if !p.props.is_empty() {
        return None;
    }
    let Root::Binding(..) = &p.root else {
        return None;
    };
    let id = p.root_binding()?;
    // `key = new Object(key)` earlier in the same function.
    let write = model
        .binding_writes
        .iter()
        .rev()
        .find(|w| w.id == id && w.fn_ctx == call.fn_ctx && w.span.start() < call.span.start());
    let created = match write {
        Some(w) => is_fresh(&w.value).then(|| w.span.range())?,
        None => {
            // `const key = { id }` declared in the same function.
            let b = model.semantic.binding(&id)?;
            let local = b.fn_ctx.is_some()
                && b.fn_ctx == call.fn_ctx
                && matches!(
                    b.kind,
                    BindingKind::Const | BindingKind::Let | BindingKind::Var
                );
            (local && b.init.as_ref().is_some_and(is_fresh)).then(|| b.span.range())?
        }
    };
    (!escapes(model, &id, &created, call.fn_ctx, weak)).then_some(created)
}

/// Can the fresh object in binding `id` (created at `created`, in function
/// `owner`) be reached after the call? Any read after its creation other than
/// as a weak-collection key lets it escape: returned, stored, passed on,
/// captured in JSX. A lookup (`get`/`has`/`set`) from a closure also keeps it
/// reachable (`return () => wm.get(token)`); a `delete` from a closure (the
/// timer in the seed leak) is only cleanup.
fn escapes(
    model: &FileModel,
    id: &BindingId,
    created: &std::ops::Range<usize>,
    owner: Option<usize>,
    weak: &[WeakCall],
) -> bool {
    model
        .semantic
        .references(id)
        .iter()
        .filter(|r| r.span.start() >= created.end)
        .any(|r| {
            let as_key = weak.iter().find(|w| {
                let arg = &w.call.args[0];
                matches!(&arg.value, Value::Path(p) if p.props.is_empty() && p.is_rooted_at(id))
                    && arg.span.start() <= r.span.start()
                    && r.span.end() <= arg.span.end()
            });
            match as_key {
                None => true,
                Some(w) => r.fn_ctx != owner && w.method != "delete",
            }
        })
}

fn is_fresh(v: &Value) -> bool {
    match v {
        Value::Object { .. } | Value::Array { .. } | Value::New(_) => true,
        Value::Call(call) => call.callee.as_ref().is_some_and(|p| p.is_global("Object")),
        _ => false,
    }
}

fn fresh_span(v: &Value) -> Option<std::ops::Range<usize>> {
    match v {
        Value::New(new) => Some(new.span.range()),
        Value::Call(call) => Some(call.span.range()),
        _ => None,
    }
}

fn primitive_binding(model: &FileModel, v: &Value) -> bool {
    let Value::Path(p) = v else { return false };
    if !p.props.is_empty() {
        return false;
    }
    p.root_binding()
        .and_then(|id| model.semantic.binding(&id).cloned())
        .is_some_and(|b| {
            b.kind == BindingKind::Const && b.init.as_ref().is_some_and(Value::is_primitive)
        })
}
