//! Registries a factory keeps on itself: every object it creates is pushed
//! onto an array hung on the factory function.
//!
//! ```js
//! function create(name) {
//!   const instance = { name };
//!   instance.destroy = destroy;
//!   create.instances.push(instance);   // one entry per call
//!   return instance;
//! }
//! create.instances = [];               // lives as long as `create`
//! ```
//!
//! The array is a property of the function, so it lives as long as the
//! function does (module scope, or the scope that returns the factory), while
//! each call adds an object created by that call. Unless something removes
//! entries, every object ever created stays reachable. A removal that only an
//! opt-in teardown performs, and that nothing in the file calls, does not
//! bound it (see [`super::teardown`]).

use std::ops::Range;

use swc_atoms::Atom;

use super::teardown;
use crate::model::semantic::BindingKind;
use crate::model::{AccessPath, FileModel, FnId, Key, Value};

pub struct FactoryRegistry {
    /// `create.instances`
    pub path: AccessPath,
    pub factory: FnId,
    /// `create.instances = []`
    pub decl: Range<usize>,
    /// The `push` in the factory.
    pub growth: Range<usize>,
    /// The teardowns that are the only removal, if any.
    pub teardowns: Vec<FnId>,
    /// Where those teardowns remove entries.
    pub removal_sites: Vec<Range<usize>>,
}

pub fn find(model: &FileModel) -> Vec<FactoryRegistry> {
    let mut out = Vec::new();
    for w in &model.member_writes {
        let (Key::Static(field), Value::Array { .. }) = (&w.key, &w.value) else {
            continue;
        };
        if !w.object.props.is_empty() || w.op != "=" {
            continue;
        }
        let Some(factory_id) = w.object.root_binding() else {
            continue;
        };
        let Some(binding) = model.semantic.binding(&factory_id) else {
            continue;
        };
        let Some(Value::Function(Some(factory))) = binding.init else {
            continue;
        };
        // Created where the factory is declared (once per factory), not in it.
        if w.fn_ctx != binding.fn_ctx {
            continue;
        }
        let path = w.object.child(field.clone());
        let Some(growth) = fresh_pushes(model, &path, factory) else {
            continue;
        };
        let Some((teardowns, removal_sites)) = removal(model, &path, field) else {
            continue;
        };
        out.push(FactoryRegistry {
            path,
            factory,
            decl: w.target_span.range(),
            growth,
            teardowns,
            removal_sites,
        });
    }
    out
}

/// `registry.push(x)` in the factory's own body, where `x` is a local of the
/// factory (created by this call).
fn fresh_pushes(model: &FileModel, path: &AccessPath, factory: FnId) -> Option<Range<usize>> {
    model
        .method_calls("push")
        .find(|c| {
            c.callee.receiver_is(path)
                && c.fn_ctx == Some(factory)
                && c.args.first().is_some_and(|a| match &a.value {
                    Value::Path(p) if p.props.is_empty() => p
                        .root_binding()
                        .and_then(|id| model.semantic.binding(&id))
                        .is_some_and(|b| {
                            // Created by the call: a local, not a parameter
                            // (a registry of what callers pass in holds
                            // their values, a fixed set more often than not).
                            b.fn_ctx == Some(factory)
                                && !matches!(b.kind, BindingKind::Param | BindingKind::CatchParam)
                        }),
                    _ => false,
                })
        })
        .map(|c| c.span.range())
}

/// `Some((teardowns, their removal sites))` when the registry is never emptied or only by
/// uncalled teardowns (empty: no removal at all); `None` when it is.
fn removal(
    model: &FileModel,
    path: &AccessPath,
    field: &Atom,
) -> Option<(Vec<FnId>, Vec<Range<usize>>)> {
    // No size check: a cap on an array comes with a removal (`shift`,
    // `splice`), and loops over the registry read `.length` too.
    let mut removals = Vec::new();
    let mut sites = Vec::new();
    for c in &model.calls {
        if c.callee.receiver_is(path)
            && matches!(
                c.callee.method.as_deref(),
                Some("splice" | "shift" | "pop" | "filter")
            )
        {
            removals.push(c.fn_ctx);
            sites.push(c.span.range());
        }
    }
    let owner = path.parent();
    for w in &model.member_writes {
        let replaces = owner.as_ref() == Some(&w.object)
            && w.key == Key::Static(field.clone())
            && is_later_write(model, w.fn_ctx, path);
        let truncates = w.object == *path && w.key == Key::Static("length".into());
        if replaces || truncates {
            removals.push(w.fn_ctx);
            sites.push(w.span.range());
        }
    }
    if removals.is_empty() {
        return Some((Vec::new(), sites));
    }
    teardown::only_uncalled_teardowns(model, &removals).map(|t| (t, sites))
}

/// A write of the registry field other than its creation: the creation runs
/// in the scope that declares the factory, a replacement runs in a function
/// nested deeper.
fn is_later_write(model: &FileModel, fn_ctx: Option<FnId>, path: &AccessPath) -> bool {
    let declared_in = path
        .root_binding()
        .and_then(|id| model.semantic.binding(&id))
        .and_then(|b| b.fn_ctx);
    fn_ctx != declared_in
}
