//! Is a parameter an object made for one call? A function whose every call
//! site in the file hands it something the caller has just made (the result
//! of `connect()`, a `new` object, a local set from such a call) works on a
//! per-call object: listeners it adds to that object (or to a part of it,
//! `result.socket`) die with it, whatever the function removes.
//!
//! The call sites are those the file shows in full: a named function that is
//! not exported and is only ever called, or a method called only on `this`
//! (or an alias of it) inside its own class. A function handed out, exported
//! or called on other receivers may get shared objects from callers the file
//! does not show: no answer.

use crate::analysis::{keys, lifetime, resources};
use crate::model::semantic::{BindingId, BindingKind};
use crate::model::{AccessPath, Arg, CallFact, FileModel, FnId, FnKind, Value};

/// Why the parameter holds an object made per call, when every call site in
/// the file shows it (evidence for messages); `None` otherwise.
pub fn param_made_per_call(model: &FileModel, param: &BindingId) -> Option<String> {
    let b = model.semantic.binding(param)?;
    if b.kind != BindingKind::Param {
        return None;
    }
    let (f, index) = keys::param_index(model, param)?;
    let sites = call_sites(model, f)?;
    let mut made = Vec::new();
    for call in &sites {
        let arg = call.args.get(index)?;
        if arg.spread {
            return None;
        }
        made.push(made_for_the_call(model, call, arg)?);
    }
    made.dedup();
    Some(format!(
        "`{}` is, at every call in this file, {}: it dies with that call",
        param.0,
        made.join("; ")
    ))
}

/// Every call of `f` in the file, when the file shows them all (see the
/// module comment); `None` when it does not, or when there is none.
pub fn call_sites<'m>(model: &'m FileModel, f: FnId) -> Option<Vec<&'m CallFact>> {
    let info = &model.functions[f];
    let sites: Vec<&CallFact> = if let Some(binding) = keys::binding_of_fn(model, f) {
        if model.exports.contains(binding) {
            return None;
        }
        let mut sites = Vec::new();
        for r in model.semantic.references(binding) {
            sites.push(
                model
                    .calls
                    .iter()
                    .find(|c| c.callee_span == r.span && !c.is_new)?,
            );
        }
        sites
    } else if let (Some(class), Some(name), FnKind::Method, false) =
        (info.class, &info.name, info.kind, info.is_static)
    {
        let mut sites = Vec::new();
        for c in model.method_calls(name) {
            let on_this = c
                .callee
                .receiver()
                .and_then(|r| lifetime::as_this(model, c.fn_ctx, &r))
                .is_some_and(|(p, ctx)| p.props.is_empty() && model.this_class(ctx) == Some(class));
            // Called on another object: an instance the file does not follow.
            if !on_this {
                return None;
            }
            sites.push(c);
        }
        sites
    } else {
        return None;
    };
    (!sites.is_empty()).then_some(sites)
}

/// What a call site passes, when it is an object its caller made for this
/// call: a `new` object, a call's result, or a local of the calling function
/// set only from calls (`let r = null; … r = await connector.connect(s)`)
/// and never given back to a pool.
fn made_for_the_call(model: &FileModel, call: &CallFact, arg: &Arg) -> Option<String> {
    match &arg.value {
        Value::New(_) => Some(format!("a new object (`{}`)", model.text(&arg.span))),
        Value::Call(c)
            if makes_a_new_object(model, call.fn_ctx, c.callee.as_ref(), c.method.as_deref()) =>
        {
            Some(format!("the result of `{}`", model.text(&arg.span)))
        }
        Value::Path(p) if p.props.is_empty() => {
            let id = p.root_binding()?;
            let b = model.semantic.binding(&id)?;
            if !matches!(
                b.kind,
                BindingKind::Var | BindingKind::Let | BindingKind::Const
            ) || b.is_module_level()
                || b.fn_ctx != call.fn_ctx
            {
                return None;
            }
            // Each value the local is given, with where its `=` is written.
            let values = b.init.iter().map(|v| (v, b.span.end())).chain(
                model
                    .binding_writes
                    .iter()
                    .filter(|w| w.id == id)
                    .map(|w| (&w.value, w.span.start())),
            );
            let mut made = false;
            for (v, at) in values {
                let from_call = match v {
                    Value::New(_) => true,
                    Value::Call(c) => {
                        makes_a_new_object(model, b.fn_ctx, c.callee.as_ref(), c.method.as_deref())
                    }
                    _ => awaits_a_call(model, at),
                };
                if from_call {
                    made = true;
                } else if !v.is_nullish() {
                    return None;
                }
            }
            if !made {
                return None;
            }
            if released_to_pool(model, &id) {
                return None;
            }
            Some(format!("`{}`, a local its caller sets from a call", id.0))
        }
        _ => None,
    }
}

/// Is the value assigned at `from` (the assignment or the declared name)
/// `await` of a call (`r = await connector.connect(s)`)? The model keeps an
/// awaited value as opaque; the call it awaits made it for this call.
fn awaits_a_call(model: &FileModel, from: usize) -> bool {
    let Some(rest) = model.source.get(from..) else {
        return false;
    };
    let mut end = rest.len().min(400);
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    let window = &rest[..end];
    let Some(eq) = window.find('=') else {
        return false;
    };
    let after = &window[eq + 1..];
    let Some(awaited) = after.trim_start().strip_prefix("await") else {
        return false;
    };
    if !awaited.starts_with(char::is_whitespace) {
        return false;
    }
    let start = from + eq + 1 + (after.len() - awaited.trim_start().len());
    model.calls.iter().any(|c| {
        c.span.start() == start
            && (c.is_new
                || makes_a_new_object(
                    model,
                    c.fn_ctx,
                    c.callee.path.as_ref(),
                    c.callee.method.as_deref(),
                ))
    })
}

/// A call whose result is taken as made for the caller: not a read of state
/// the caller's instance keeps (`this.getSocket()`, `_this.current()`), and
/// not a fetch from a store (`sockets.get(key)`), which hand back the same
/// object to every call.
fn makes_a_new_object(
    model: &FileModel,
    fn_ctx: Option<FnId>,
    callee: Option<&AccessPath>,
    method: Option<&str>,
) -> bool {
    if method == Some("get") {
        return false;
    }
    !callee.is_some_and(|p| !p.props.is_empty() && lifetime::as_this(model, fn_ctx, p).is_some())
}

/// `x.release()`: the object goes back to a pool and serves later callers.
fn released_to_pool(model: &FileModel, id: &BindingId) -> bool {
    resources::POOL_RELEASE.iter().any(|m| {
        model
            .method_calls(m)
            .any(|c| c.callee.receiver().is_some_and(|r| r.is_rooted_at(id)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    /// The answer for the first parameter named `name` in `src`.
    fn answer(src: &str, name: &str) -> Option<String> {
        let mut r = None;
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            let id = m
                .semantic
                .bindings()
                .find(|(id, b)| id.0 == name && b.kind == BindingKind::Param)
                .map(|(id, _)| id.clone())
                .unwrap();
            r = param_made_per_call(m, &id);
        });
        r
    }

    #[test]
    fn a_method_fed_a_fresh_connection_at_every_call() {
        let src = "export class C {\n  async open(c) { let r = null; r = await c.connect(); return this.use(r) }\n  use(res) { res.socket.once('close', () => {}) }\n}\n";
        let why = answer(src, "res").expect("per call");
        assert!(
            why.contains("`r`, a local its caller sets from a call"),
            "{why}"
        );
    }

    #[test]
    fn shared_or_unseen_callers_give_no_answer() {
        // What the instance keeps, read directly or through an accessor.
        assert_eq!(
            answer(
                "class C {\n  open() { return this.use(this.socket()) }\n  use(res) { res.on('x', () => {}) }\n}\n",
                "res"
            ),
            None
        );
        assert_eq!(
            answer(
                "function use(res) { res.on('x', () => {}) }\nexport function g(m, k) { use(m.get(k)) }\n",
                "res"
            ),
            None
        );
        // A field of the instance: the same object on every call.
        assert_eq!(
            answer(
                "class C {\n  open() { return this.use(this.conn) }\n  use(res) { res.on('x', () => {}) }\n}\n",
                "res"
            ),
            None
        );
        // Exported: other modules call it with what they like.
        assert_eq!(
            answer(
                "export function use(res) { res.on('x', () => {}) }\nfunction g(c) { use(c.connect()) }\n",
                "res"
            ),
            None
        );
        // Called on another object as well.
        assert_eq!(
            answer(
                "class C {\n  open(o) { o.use(new S()); return this.use(new S()) }\n  use(res) { res.on('x', () => {}) }\n}\n",
                "res"
            ),
            None
        );
        // A pooled checkout goes back to the pool and serves later calls.
        assert_eq!(
            answer(
                "function use(res) { res.on('x', () => {}) }\nasync function g(p) { const c = await p.connect(); use(c); c.release() }\n",
                "res"
            ),
            None
        );
        // Not called at all in the file.
        assert_eq!(
            answer("function use(res) { res.on('x', () => {}) }\n", "res"),
            None
        );
    }

    #[test]
    fn a_local_function_fed_new_objects() {
        let src = "function use(res) { res.on('x', () => {}) }\nexport function g() { use(new S()); use(make()) }\n";
        assert!(answer(src, "res").is_some());
    }
}
