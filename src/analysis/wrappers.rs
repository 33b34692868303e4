//! Cleanup that is not propagated: a wrapper around another resource whose
//! own end does not end the inner one.
//!
//! An iterator object (`{ next, return }`) that pulls from an inner iterator
//! it obtained per call (`const inner = source(); … inner.next()`) must
//! close that inner iterator when it is closed itself: `for await … break`,
//! a client that unsubscribes, or a `yield*` that stops all call the
//! wrapper's `return()`, and only it can reach the inner one. An inner
//! iterator left open keeps whatever it registered (a listener on a
//! long-lived emitter, a subscription) for good.

use crate::analysis::listeners::callee_identity;
use crate::model::semantic::BindingKind;
use crate::model::{AccessPath, CallFact, FileModel, FnId, Value};

/// An iterator wrapper whose `return()` never reaches the inner iterator.
pub struct UnpropagatedEnd<'m> {
    /// The wrapper's `return` method.
    pub end: FnId,
    /// The inner iterator (`inner` in `inner.next()`).
    pub inner: AccessPath,
    /// Where the wrapper pulls from it.
    pub pull: &'m CallFact,
}

/// Every iterator wrapper in the file whose `return()` drops its inner iterator.
pub fn unpropagated_ends<'m>(model: &'m FileModel) -> Vec<UnpropagatedEnd<'m>> {
    let mut out = Vec::new();
    for (end, info) in model.functions.iter().enumerate() {
        if info.name.as_deref() != Some("return") {
            continue;
        }
        let Some(parent) = info.parent else { continue };
        // Its sibling `next`: the two methods of one iterator object.
        let has_next = model
            .functions
            .iter()
            .any(|f| f.parent == Some(parent) && f.name.as_deref() == Some("next"));
        if !has_next {
            continue;
        }
        let Some((inner, pull)) = inner_iterator(model, parent, end) else {
            continue;
        };
        if !reaches(model, end, &inner) {
            out.push(UnpropagatedEnd { end, inner, pull });
        }
    }
    out
}

/// `inner.next()` called from the wrapper (not from its `return`), where
/// `inner` is a local of the function that builds the wrapper, obtained
/// from a call: an iterator made for this wrapper alone.
fn inner_iterator<'m>(
    model: &'m FileModel,
    builder: FnId,
    end: FnId,
) -> Option<(AccessPath, &'m CallFact)> {
    model.method_calls("next").find_map(|c| {
        if !model.is_within(c.fn_ctx, builder) || model.is_within(c.fn_ctx, end) {
            return None;
        }
        let r = c.callee.receiver()?;
        if !r.props.is_empty() {
            return None;
        }
        let b = model.semantic.binding(&r.root_binding()?)?;
        let made_here = b.fn_ctx == Some(builder)
            && matches!(
                b.kind,
                BindingKind::Var | BindingKind::Let | BindingKind::Const
            )
            && matches!(b.init, Some(Value::Call(_)));
        made_here.then_some((r, c))
    })
}

/// Does running `f` touch `inner` (a method call on it, or hand it on),
/// itself or through a local function it calls?
fn reaches(model: &FileModel, f: FnId, inner: &AccessPath) -> bool {
    let mut todo = vec![f];
    let mut seen = vec![f];
    while let Some(g) = todo.pop() {
        for c in model.calls.iter().filter(|c| model.is_within(c.fn_ctx, g)) {
            let on_inner = c.callee.receiver().is_some_and(|r| r.root == inner.root);
            let hands_on = c
                .args
                .iter()
                .any(|a| matches!(&a.value, Value::Path(p) if p.root == inner.root));
            if on_inner || hands_on {
                return true;
            }
            // A local helper it calls (`close()` that ends the inner one).
            let Some(p) = &c.callee.path else { continue };
            for (h, _) in model.functions.iter().enumerate() {
                if seen.contains(&h) {
                    continue;
                }
                if callee_identity(model, h).is_some_and(|id| {
                    id.same(&crate::analysis::listeners::identity(
                        model,
                        c.fn_ctx,
                        &Value::Path(p.clone()),
                    ))
                }) {
                    seen.push(h);
                    todo.push(h);
                }
            }
        }
    }
    false
}
