//! Which calls may name a function, indexed once per file.
//!
//! "Is `done` called from a callback?", "is this method called again from
//! code that runs many times?": each question compares the callee of every
//! call of the file with one function's [`Identity`]. Asked once per
//! listener or timer, that was quadratic in a bundle (a 3.6 MB file with
//! thousands of both took half a minute). The identities of every callee
//! are resolved once here, grouped by the one name any two identities that
//! are [`same`](Identity::same) share.

use rustc_hash::FxHashMap;
use swc_atoms::Atom;

use crate::analysis::listeners::{self, Identity};
use crate::model::semantic::BindingId;
use crate::model::{CallFact, CallId, FileModel, FnId, Value};

pub struct Callers {
    /// The binding each function is the initial value of
    /// (`const done = function () {…}`), the first one found.
    binding_of_fn: FxHashMap<FnId, BindingId>,
    /// Calls (not `new`) whose callee is a path, by the lookup name of the
    /// callee's identity, with that identity.
    by_name: FxHashMap<Atom, Vec<(CallId, Identity)>>,
}

impl Callers {
    /// The binding a function is declared as or assigned to at its declaration.
    pub fn binding_of(&self, f: FnId) -> Option<&BindingId> {
        self.binding_of_fn.get(&f)
    }

    /// The calls (not `new`) whose callee is the same function as `me`, in
    /// source order.
    pub fn calls_naming<'m>(
        &'m self,
        model: &'m FileModel,
        me: &'m Identity,
    ) -> impl Iterator<Item = &'m CallFact> + 'm {
        me.lookup_name()
            .and_then(|n| self.by_name.get(&n))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(move |(_, id)| id.same(me))
            .map(move |(c, _)| &model.calls[*c])
    }
}

/// The file's index, built on the first question.
pub fn of<'m>(model: &'m FileModel) -> &'m Callers {
    model.derived.get_or_init(|| {
        let mut binding_of_fn: FxHashMap<FnId, BindingId> = FxHashMap::default();
        for (id, b) in model.semantic.bindings() {
            if let Some(Value::Function(Some(f))) = &b.init {
                binding_of_fn.entry(*f).or_insert_with(|| id.clone());
            }
        }
        let mut by_name: FxHashMap<Atom, Vec<(CallId, Identity)>> = FxHashMap::default();
        for (i, c) in model.calls.iter().enumerate() {
            let Some(p) = c.callee.path.as_ref().filter(|_| !c.is_new) else {
                continue;
            };
            let id = listeners::identity(model, c.fn_ctx, &Value::Path(p.clone()));
            if let Some(name) = id.lookup_name() {
                by_name.entry(name).or_default().push((i, id));
            }
        }
        Callers {
            binding_of_fn,
            by_name,
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::analysis::listeners::callee_identity;
    use crate::engine::with_model_for_test;
    use crate::parse::Dialect;

    #[test]
    fn calls_of_a_function_and_of_a_method_are_found_by_identity() {
        let src = "function done() {}\n\
                   class C { m() {} run() { this.m(); other.m() } }\n\
                   done(); done(1); new done(); x.done(); self.done()\n";
        with_model_for_test(src, Dialect::Js, |m| {
            let callers = super::of(m);
            let lines = |f: usize| -> Vec<usize> {
                let me = callee_identity(m, f).unwrap();
                callers
                    .calls_naming(m, &me)
                    .map(|c| m.text(&c.span).len())
                    .collect()
            };
            let done = m
                .functions
                .iter()
                .position(|f| f.name.as_deref() == Some("done"))
                .unwrap();
            let method = m
                .functions
                .iter()
                .position(|f| f.name.as_deref() == Some("m"))
                .unwrap();
            // `done()` and `done(1)`: not `new done()`, not another object's `done`.
            assert_eq!(lines(done), vec![6, 7]);
            // `this.m()` and, given the benefit of the doubt, `other.m()`.
            assert_eq!(lines(method).len(), 2);
        });
    }
}
