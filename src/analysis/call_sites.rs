//! Where a binding is called or handed to a call, indexed once per file.
//!
//! Several analyses ask, for one binding, "which calls name it as the
//! callee?" or "is it passed whole to some call?". Each question used to be
//! a walk over every call of the file, asked once per container or per
//! factory: quadratic in a bundle with thousands of both.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::semantic::BindingId;
use crate::model::{CallId, FileModel, Value};

/// The call sites of a file, by the binding they name.
pub struct CallSites {
    /// Calls (not `new`) whose callee is a binding itself (`f()`, not
    /// `f.x()`), in source order.
    called: FxHashMap<BindingId, Vec<CallId>>,
    /// Bindings passed whole as an argument of some call (`sweep(map)`).
    passed: FxHashSet<BindingId>,
}

impl CallSites {
    /// The calls of `id` itself (`id(…)`, not `new id(…)`).
    pub fn calls_of(&self, id: &BindingId) -> &[CallId] {
        self.called.get(id).map_or(&[], Vec::as_slice)
    }

    /// Is `id` passed whole as an argument of some call?
    pub fn is_passed(&self, id: &BindingId) -> bool {
        self.passed.contains(id)
    }
}

/// The file's call sites, built on the first question.
pub fn of<'m>(model: &'m FileModel) -> &'m CallSites {
    model.derived.get_or_init(|| {
        let mut called: FxHashMap<BindingId, Vec<CallId>> = FxHashMap::default();
        let mut passed = FxHashSet::default();
        for (i, c) in model.calls.iter().enumerate() {
            if let Some(p) = &c.callee.path {
                if !c.is_new && p.props.is_empty() {
                    if let Some(id) = p.root_binding() {
                        called.entry(id).or_default().push(i);
                    }
                }
            }
            for a in &c.args {
                if let Value::Path(p) = &a.value {
                    if p.props.is_empty() {
                        passed.extend(p.root_binding());
                    }
                }
            }
        }
        CallSites { called, passed }
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::with_model_for_test;
    use crate::parse::Dialect;

    #[test]
    fn calls_and_arguments_are_found_by_binding() {
        let src = "function f() {}\nconst m = new Map()\nf(); f(m); new f(); o.f(); sweep(m.x)\n";
        with_model_for_test(src, Dialect::Js, |m| {
            let id = |name: &str| {
                m.semantic
                    .bindings()
                    .find(|(id, _)| id.0 == name)
                    .map(|(id, _)| id.clone())
                    .unwrap()
            };
            let sites = super::of(m);
            // `f()` and `f(m)`; not `new f()`, not `o.f()`.
            assert_eq!(sites.calls_of(&id("f")).len(), 2);
            assert!(sites.is_passed(&id("m")));
            assert!(!sites.is_passed(&id("f")));
        });
    }
}
