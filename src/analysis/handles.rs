//! Handles: what a registration gives back (an observer, a subscription, an
//! unsubscribe function, a frame id), where the code keeps it, and whether a
//! release of it counts for a setup.

use crate::analysis::lifecycle::Setup;
use crate::model::{AccessPath, FileModel, FnId, Key, Root, Value};

/// Every path that holds the same value as `start`: `const b = a`,
/// `b = a`, `this.x = a`, `ref.current = a` (and the reverse direction, as
/// each new alias is followed in turn). Paths are normalised
/// (`window.x` is `x`).
pub fn aliases(model: &FileModel, start: &AccessPath) -> Vec<AccessPath> {
    let mut set = vec![start.normalized()];
    let holds = |set: &[AccessPath], v: &Value| matches!(v, Value::Path(p) if set.contains(&p.normalized()));
    for _ in 0..4 {
        let before = set.len();
        let mut found = Vec::new();
        for (id, b) in model.semantic.bindings() {
            if b.init.as_ref().is_some_and(|v| holds(&set, v)) {
                found.push(AccessPath::binding(id.clone()));
            }
        }
        for w in &model.binding_writes {
            if holds(&set, &w.value) {
                found.push(AccessPath::binding(w.id.clone()));
            }
        }
        for w in &model.member_writes {
            if let (true, Key::Static(k)) = (holds(&set, &w.value), &w.key) {
                found.push(w.object.child(k.clone()).normalized());
            }
        }
        for p in found {
            if !set.contains(&p) {
                set.push(p);
            }
        }
        if set.len() == before {
            break;
        }
    }
    set
}

/// Is the value at one of `paths` handed to code the file does not show:
/// passed as an argument (`setObserver(o)`, `onDestroy(unsub)`,
/// `subs.push(s)`), returned, put in an object literal, or stored under a
/// dynamic key? Then whoever receives it may release it.
pub fn escapes(model: &FileModel, paths: &[AccessPath]) -> bool {
    let is_handle = |v: &Value| match v {
        Value::Path(p) => paths.contains(&p.normalized()),
        Value::Object { props, .. } => props
            .iter()
            .any(|(_, v)| matches!(v, Value::Path(p) if paths.contains(&p.normalized()))),
        _ => false,
    };
    model
        .calls
        .iter()
        .any(|c| c.args.iter().any(|a| is_handle(&a.value)))
        || model.returns.iter().any(|r| is_handle(&r.value))
        || model
            .member_writes
            .iter()
            .any(|w| matches!(w.key, Key::Dynamic { .. }) && is_handle(&w.value))
        || model
            .semantic
            .bindings()
            .any(|(_, b)| matches!(&b.init, Some(v @ Value::Object { .. }) if is_handle(v)))
}

/// Does a release of `handle` at `release_ctx` undo a registration made in
/// `setup` (in function `created_in`)? It does in a teardown of the setup and
/// in the function that registered (a use-then-release in one place). A
/// handle kept in a local binding is reachable only from the closures of the
/// setup, so any release of it counts; one kept on `this` or a global must be
/// released where the component is torn down.
pub fn release_counts(
    model: &FileModel,
    setup: &Setup,
    created_in: Option<FnId>,
    handle: &AccessPath,
    release_ctx: Option<FnId>,
) -> bool {
    if setup.in_teardown(model, release_ctx) {
        return true;
    }
    if created_in.is_some_and(|f| model.is_within(release_ctx, f)) {
        return true;
    }
    matches!(handle.root, Root::Binding(..))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    fn with(src: &str, f: impl FnOnce(&FileModel)) {
        crate::engine::with_model_for_test(src, Dialect::Ts, f);
    }

    fn first_assigned(m: &FileModel) -> AccessPath {
        m.calls
            .iter()
            .find_map(|c| match &c.result {
                crate::model::ResultUse::Assigned(p) => Some(AccessPath::clone(p)),
                _ => None,
            })
            .expect("an assigned call")
    }

    #[test]
    fn aliases_follow_bindings_and_fields_both_ways() {
        let src = "function f() {\n  const o = new ResizeObserver(cb);\n  this.obs = o;\n  const again = this.obs;\n}\n";
        with(src, |m| {
            let names: Vec<String> = aliases(m, &first_assigned(m))
                .iter()
                .map(|p| p.to_string())
                .collect();
            assert_eq!(names, vec!["o", "this.obs", "again"]);
        });
    }

    #[test]
    fn passing_or_returning_a_handle_escapes() {
        with("function f() { const o = make(); setObserver(o); }", |m| {
            assert!(escapes(m, &aliases(m, &first_assigned(m))));
        });
        with("function f() { const o = make(); return { o }; }", |m| {
            assert!(escapes(m, &aliases(m, &first_assigned(m))));
        });
        with("function f() { const o = make(); o.observe(el); }", |m| {
            assert!(!escapes(m, &aliases(m, &first_assigned(m))));
        });
    }
}
