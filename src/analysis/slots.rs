//! Shared handle slots: a handle acquired once per instance but kept in one
//! variable that every instance sees, so each instance overwrites the last
//! one's handle and a release can only ever reach the newest.

use crate::model::{AccessPath, CallFact, FileModel, FnId, Root, Value};

/// A handle slot shared by every instance: a handle acquired once per
/// instance (in a constructor, compiled or not) and stored in one
/// variable declared outside the constructor, with no check of the slot first and no release of
/// the previous handle before the store. Each instance overwrites the last
/// one's handle, so a release can only ever reach the newest. Returns the
/// constructor's name for messages.
pub fn shared_instance_slot(
    model: &FileModel,
    call: &CallFact,
    handle: &AccessPath,
    releases: &[&str],
) -> Option<Option<swc_atoms::Atom>> {
    if !handle.props.is_empty() {
        return None;
    }
    let id = handle.root_binding()?;
    let b = model.semantic.binding(&id)?;
    if crate::analysis::lifecycle::is_per_instance_binding(model, b) {
        return None;
    }
    let ctor = model.this_function(call.fn_ctx)?;
    // Declared outside the constructor (at module level, in a bundle's
    // module wrapper, in the factory that makes the class): every instance
    // of the class sees the same variable.
    if !is_constructor_like(model, ctor) || b.fn_ctx.is_some_and(|f| model.is_within(Some(f), ctor))
    {
        return None;
    }
    if instantiated_only_once(model, ctor) {
        return None;
    }
    // `if (!timer)`, `timer || (timer = …)`, `if (timer) return`: the slot is
    // read before the store, so the author keeps one handle at a time.
    let store = call.span.start();
    let read_before = model
        .semantic
        .references(&id)
        .iter()
        .any(|r| model.is_within(r.fn_ctx, ctor) && r.span.start() < store);
    // `clearInterval(timer); timer = setInterval(…)`: the old one is released.
    let released_before = releases.iter().any(|name| {
        model.global_calls(name).any(|c| {
            model.is_within(c.fn_ctx, ctor)
                && c.span.start() < store
                && matches!(c.args.first().map(|a| &a.value), Some(Value::Path(p)) if p == handle)
        })
    });
    let info = &model.functions[ctor];
    let name = match info.class {
        Some(c) => model.classes[c].name.clone(),
        None => info.name.clone(),
    };
    (!read_before && !released_before).then_some(name)
}

/// A constructor: a class's `constructor`, or a compiled one, which checks
/// its own call with `_classCallCheck(this, Self)` (Babel, any helper name).
fn is_constructor_like(model: &FileModel, f: FnId) -> bool {
    if model.functions[f].kind == crate::model::FnKind::Constructor {
        return true;
    }
    let own = |v: &Value| match v {
        Value::Path(p) if p.props.is_empty() => p
            .root_binding()
            .and_then(|id| model.semantic.binding(&id))
            .is_some_and(|b| matches!(b.init, Some(Value::Function(Some(g))) if g == f)),
        _ => false,
    };
    model.calls.iter().any(|c| {
        c.fn_ctx == Some(f)
            && matches!(c.args.as_slice(), [a, b] if matches!(&a.value, Value::Path(p) if p.root == Root::This && p.props.is_empty()) && own(&b.value))
    })
}

/// Does the file construct the class only from code that runs once (a
/// singleton made at load)? A class the file never constructs is handed out
/// (exported, returned, registered): its instances are counted elsewhere.
fn instantiated_only_once(model: &FileModel, ctor: FnId) -> bool {
    let class_binding = model.functions[ctor]
        .class
        .and_then(|c| model.classes[c].binding.clone());
    let names_ctor = |p: &AccessPath| {
        p.props.is_empty()
            && p.root_binding().is_some_and(|id| {
                class_binding.as_ref() == Some(&id)
                    || model
                        .semantic
                        .binding(&id)
                        .is_some_and(|b| b.init == Some(Value::Function(Some(ctor))))
            })
    };
    let news: Vec<_> = model
        .calls
        .iter()
        .filter(|c| c.is_new && c.callee.path.as_ref().is_some_and(names_ctor))
        .collect();
    let freq = crate::analysis::frequency::Frequencies::new(model);
    !news.is_empty()
        && news
            .iter()
            .all(|c| !freq.runs_many_times(c.fn_ctx, c.span.start()))
}
