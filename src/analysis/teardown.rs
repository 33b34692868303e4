//! Removal that only an opt-in teardown performs.
//!
//! A registry whose entries are removed only by `destroy()` / `dispose()` /
//! `close()` on the registered object does not bound itself: every object its
//! user drops without the teardown call stays registered. That matters when
//! the code never makes the call itself. A teardown that the file calls, or
//! hands to someone who will (`process.on('exit', dispose)`, `setTimeout`),
//! is real removal; so is any removal outside a teardown.

use swc_atoms::Atom;

use crate::model::{FileModel, FnId};

/// Verbs of teardown methods: the object's user has to remember to call them.
const TEARDOWN_VERBS: &[&str] = &[
    "destroy",
    "dispose",
    "close",
    "teardown",
    "unhandle",
    "release",
    "unregister",
    "detach",
    "shutdown",
    "free",
];

/// Is this function a teardown by its name (`destroy`, `disposeAll`)?
pub fn is_teardown_name(name: &str) -> bool {
    TEARDOWN_VERBS.iter().any(|verb| {
        name.strip_prefix(verb).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase())
        })
    })
}

/// If every removal (given by the function context it runs in) happens in a
/// teardown function that nothing in the file calls or passes on, those
/// teardowns (deduplicated, in order). `None` when some removal is real, or
/// when there is no removal at all.
pub fn only_uncalled_teardowns(model: &FileModel, removals: &[Option<FnId>]) -> Option<Vec<FnId>> {
    if removals.is_empty() {
        return None;
    }
    let mut teardowns: Vec<FnId> = Vec::new();
    for ctx in removals {
        let f = named_function(model, *ctx)?;
        let name = model.functions[f].name.as_ref()?;
        if !is_teardown_name(name) || is_called(model, f, name) {
            return None;
        }
        if !teardowns.contains(&f) {
            teardowns.push(f);
        }
    }
    Some(teardowns)
}

/// The innermost enclosing function with a name (skipping the anonymous
/// callbacks of `forEach`, `filter`, …).
fn named_function(model: &FileModel, mut ctx: Option<FnId>) -> Option<FnId> {
    while let Some(f) = ctx {
        if model.functions[f].name.is_some() {
            return Some(f);
        }
        ctx = model.functions[f].parent;
    }
    None
}

/// Is the teardown called in the file (`x.destroy()`, `destroy()`), or read
/// anywhere other than being exposed as a property (`obj.destroy = destroy`),
/// which would let the file hand it to a caller we cannot see?
fn is_called(model: &FileModel, f: FnId, name: &Atom) -> bool {
    if model.method_calls(name).next().is_some() {
        return true;
    }
    let Some((id, _)) = model
        .semantic
        .bindings()
        .find(|(_, b)| matches!(b.init, Some(crate::model::Value::Function(Some(g))) if g == f))
    else {
        return false;
    };
    model.semantic.references(id).iter().any(|r| {
        !model.member_writes.iter().any(|w| {
            w.span.end() == r.span.end()
                && matches!(&w.value, crate::model::Value::Path(p) if p.props.is_empty() && p.is_rooted_at(id))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    /// The teardowns that the removals in functions named `destroy…`/`drop`
    /// amount to, by name.
    fn teardowns(src: &str) -> Option<Vec<String>> {
        let mut out = None;
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            let removals: Vec<_> = m.method_calls("splice").map(|c| c.fn_ctx).collect();
            out = only_uncalled_teardowns(m, &removals).map(|fs| {
                fs.into_iter()
                    .map(|f| m.functions[f].name.clone().unwrap().to_string())
                    .collect()
            });
        });
        out
    }

    #[test]
    fn names() {
        assert!(is_teardown_name("destroy"));
        assert!(is_teardown_name("disposeAll"));
        assert!(!is_teardown_name("closest"));
        assert!(!is_teardown_name("remove"));
    }

    #[test]
    fn exposed_but_never_called() {
        let src = "const all = [];\nfunction make() { const o = {}; o.destroy = destroy; all.push(o); return o }\n\
                   function destroy() { all.splice(all.indexOf(this), 1) }\n";
        assert_eq!(teardowns(src), Some(vec!["destroy".to_string()]));
    }

    #[test]
    fn called_passed_or_ordinary_removal_is_real() {
        let base = "const all = [];\nfunction destroy() { all.splice(all.indexOf(this), 1) }\n";
        assert_eq!(
            teardowns(&format!("{base}function end(o) {{ o.destroy() }}\n")),
            None
        );
        assert_eq!(
            teardowns(&format!("{base}process.on('exit', destroy);\n")),
            None
        );
        assert_eq!(
            teardowns("const all = [];\nfunction drop(o) { all.splice(all.indexOf(o), 1) }\n"),
            None,
            "a removal outside a teardown bounds the registry"
        );
        assert_eq!(teardowns("const all = [];\n"), None, "no removal at all");
    }
}
