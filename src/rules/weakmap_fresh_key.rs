//! A WeakMap/WeakSet is keyed by an object created in the call, or by a primitive.

use super::Rule;
use crate::analysis::containers::{self, ContainerKind};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{CallFact, FileModel, Root, Value};
use crate::semantic::BindingKind;

pub(crate) const RULE: Rule = Rule {
    name: "weakmap-fresh-key",
    summary: "A WeakMap or WeakSet is keyed by an object created in the call, so no later lookup can find the entry.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/weakmap-fresh-key.md"),
    check,
};

fn check(model: &FileModel, out: &mut Vec<Diagnostic>) {
    let all = containers::long_lived(model);
    for call in &model.calls {
        let Some(method) = call.callee.method.as_deref() else { continue };
        let Some(recv) = &call.callee.receiver else { continue };
        let Some(kind) = containers::kind_at(model, &all, call.fn_ctx, recv) else { continue };
        let valid = match kind {
            ContainerKind::WeakMap => matches!(method, "set" | "get" | "has" | "delete"),
            ContainerKind::WeakSet => matches!(method, "add" | "has" | "delete"),
            _ => false,
        };
        if !valid {
            continue;
        }
        let Some(key) = call.args.first() else { continue };
        let what = if kind == ContainerKind::WeakMap { "WeakMap" } else { "WeakSet" };
        if let Some(created) = fresh_key(model, call, &key.value) {
            let mut d = Diagnostic::new(
                RULE.name,
                call.span.clone(),
                format!("`{recv}` is keyed by an object created on each call, so no lookup can ever find the entry"),
            )
            .with_label(format!("{what} `{method}` with a fresh key"))
            .with_help(format!(
                "a new object is never equal to an earlier one: every `{method}` misses and the cache is useless; key the {what} by an object the caller owns (the request, the socket, …), or use a `Map` with real deletion or a bounded LRU"
            ));
            if created != key.span {
                d = d.with_related(created, "a new object is created here on every call");
            }
            out.push(d);
        } else if key.value.is_primitive() || primitive_binding(model, &key.value) {
            out.push(
                Diagnostic::new(
                    RULE.name,
                    call.span.clone(),
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

/// Where the key object was created, when it is created in this call.
fn fresh_key(model: &FileModel, call: &CallFact, value: &Value) -> Option<std::ops::Range<usize>> {
    if is_fresh(value) {
        return Some(fresh_span(value).unwrap_or_else(|| call.span.clone()));
    }
    let Value::Path(p) = value else { return None };
    if !p.props.is_empty() {
        return None;
    }
    let Root::Binding(..) = &p.root else { return None };
    let id = p.root_binding()?;
    // `key = new Object(key)` earlier in the same function.
    let write = model
        .binding_writes
        .iter()
        .filter(|w| w.id == id && w.fn_ctx == call.fn_ctx && w.span.start < call.span.start)
        .last();
    if let Some(w) = write {
        return is_fresh(&w.value).then(|| w.span.clone());
    }
    // `const key = { id }` declared in the same function.
    let b = model.semantic.binding(&id)?;
    if b.fn_ctx.is_some() && b.fn_ctx == call.fn_ctx && matches!(b.kind, BindingKind::Const | BindingKind::Let | BindingKind::Var) {
        if b.init.as_ref().is_some_and(is_fresh) {
            return Some(b.span.clone());
        }
    }
    None
}

fn is_fresh(v: &Value) -> bool {
    match v {
        Value::Object { .. } | Value::Array { .. } | Value::New { .. } => true,
        Value::Call { callee: Some(p), .. } => p.is_global("Object"),
        _ => false,
    }
}

fn fresh_span(v: &Value) -> Option<std::ops::Range<usize>> {
    match v {
        Value::New { span, .. } | Value::Call { span, .. } => Some(span.clone()),
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
        .is_some_and(|b| b.kind == BindingKind::Const && b.init.as_ref().is_some_and(Value::is_primitive))
}
