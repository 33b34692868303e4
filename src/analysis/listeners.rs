//! Acquire/release reasoning shared by the listener and timer rules: which
//! targets outlive a call, what identifies a listener or a timer handle, and
//! whether the file ever releases it with the same identity.

use rustc_hash::FxHashMap;
use swc_atoms::Atom;
use swc_common::SyntaxContext;

use crate::analysis::callers;
use crate::analysis::frequency::Frequencies;
use crate::analysis::lifecycle::is_per_instance_binding;
use crate::analysis::removal;
use crate::analysis::resources::{self, Kind};
use crate::model::path::is_global_object_name;
use crate::model::semantic::{BindingId, BindingKind};
use crate::model::{
    AccessPath, CallFact, CallId, ClassId, FileModel, FnId, FnKind, Invocation, Props, Root,
    TextSpan, Value,
};

/// Methods that register a listener: `emitter.on`, `target.addEventListener`, …
/// (from the resource table).
pub const ADD_METHODS: &[&str] = resources::LISTENER.acquire;
/// Methods that remove one listener, given the same function.
pub const REMOVE_METHODS: &[&str] = resources::LISTENER.release;

/// What a later release must name to undo an acquisition: the same binding,
/// the same `this.x` path in the same class, or the same other path.
#[derive(Clone, Debug, PartialEq)]
pub enum Identity {
    Path {
        path: AccessPath,
        class: Option<ClassId>,
    },
    /// A function written in place: a new object each time it is evaluated.
    Inline,
    /// `f.bind(…)`: a new function each time it is evaluated.
    Bound,
    /// A call result or another expression: nothing to compare.
    Unknown,
}

impl Identity {
    /// Can a release with `other` undo an acquisition with `self`?
    pub fn same(&self, other: &Identity) -> bool {
        match (self, other) {
            (Identity::Path { path: a, class: ca }, Identity::Path { path: b, class: cb }) => {
                // Compared as normalised, without building the normalised paths:
                // timer rules ask this for every pair of set and clear calls.
                let (ra, pa) = normalized_parts(a);
                let (rb, pb) = normalized_parts(b);
                if ra == RootRef::This && rb == RootRef::This {
                    // `this` of a function no class owns (an object literal's
                    // methods mixed into a prototype: `for (m in api)
                    // Proto.prototype[m] = api[m]`) may be any instance.
                    return pa == pb && (ca == cb || ca.is_none() || cb.is_none());
                }
                if ra == RootRef::This || rb == RootRef::This {
                    // `this.onFocus` and `lastOpened.onFocus`: the same method of
                    // another instance; likely paired on purpose.
                    return pa.len() == 1 && pb.len() == 1 && pa == pb;
                }
                // `overlay.onFocus` added in one function and removed in another
                // through a different local named the same: most likely the same
                // object's handler. Giving it the benefit of the doubt keeps the
                // rule quiet rather than wrong.
                (ra == rb && pa == pb) || (!pa.is_empty() && pa == pb && ra.name() == rb.name())
            }
            _ => false,
        }
    }

    /// A name every identity [`same`](Self::same) as this one shares: the
    /// last property of the normalised path, else its root's name. Lets an
    /// index look up only the calls that may name a function.
    pub fn lookup_name(&self) -> Option<Atom> {
        let Identity::Path { path, .. } = self else {
            return None;
        };
        let (root, props) = normalized_parts(path);
        match props.last() {
            Some(last) => Some(last.clone()),
            None => Some(root.name().cloned().unwrap_or_else(|| Atom::from("this"))),
        }
    }

    /// A fresh function: no later call can ever name it again.
    pub fn is_fresh(&self) -> bool {
        matches!(self, Identity::Inline | Identity::Bound)
    }
}

/// The root of a path as [`AccessPath::normalized`] would make it, borrowed.
#[derive(Clone, Copy, PartialEq)]
enum RootRef<'p> {
    Binding(&'p Atom, swc_common::SyntaxContext),
    Global(&'p Atom),
    This,
}

impl<'p> RootRef<'p> {
    fn name(self) -> Option<&'p Atom> {
        match self {
            RootRef::Binding(n, _) | RootRef::Global(n) => Some(n),
            RootRef::This => None,
        }
    }
}

/// `path.normalized()` as a borrowed root and property list: `window.x.y`
/// is the global `x` with `[y]`.
fn normalized_parts(path: &AccessPath) -> (RootRef<'_>, &[Atom]) {
    match &path.root {
        Root::Global(g) if is_global_object_name(g) && !path.props.is_empty() => {
            (RootRef::Global(&path.props[0]), &path.props[1..])
        }
        Root::Global(g) => (RootRef::Global(g), &path.props),
        Root::Binding(n, c) => (RootRef::Binding(n, *c), &path.props),
        Root::This => (RootRef::This, &path.props),
    }
}

/// The identity of a value written in function context `fn_ctx`.
pub fn identity(model: &FileModel, fn_ctx: Option<FnId>, value: &Value) -> Identity {
    match value {
        Value::Path(path) => {
            let path = resolve_aliases(model, fn_ctx, path);
            Identity::Path {
                class: if path.root == Root::This {
                    model.this_class(alias_ctx(model, fn_ctx, value).or(fn_ctx))
                } else {
                    None
                },
                path,
            }
        }
        Value::Function(_) => Identity::Inline,
        Value::Call(call) if call.method.as_deref() == Some("bind") => Identity::Bound,
        _ => Identity::Unknown,
    }
}

/// `const _this = this` (what compilers emit for classes and arrows): the
/// function whose `this` the alias names.
fn this_alias(model: &FileModel, path: &AccessPath) -> Option<Option<FnId>> {
    let id = path.root_binding()?;
    let b = model.semantic.binding(&id)?;
    // Compilers name it `_this` (`var _this = _super.call(this) || this`).
    let compiler_alias =
        id.0.strip_prefix("_this")
            .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()));
    match &b.init {
        Some(Value::Path(p)) if p.root == Root::This && p.props.is_empty() => Some(b.fn_ctx),
        Some(_) if compiler_alias => Some(b.fn_ctx),
        _ => None,
    }
}

/// The context whose `this` a path through `_this` refers to.
fn alias_ctx(model: &FileModel, _fn_ctx: Option<FnId>, value: &Value) -> Option<FnId> {
    let Value::Path(p) = value else { return None };
    this_alias(model, p).flatten()
}

/// Rewrites `_this.x` to `this.x`, and the inner name of a named function
/// expression (`var d = function d() { off('x', d) }`) to its variable.
fn resolve_aliases(model: &FileModel, fn_ctx: Option<FnId>, path: &AccessPath) -> AccessPath {
    if this_alias(model, path).is_some() {
        return AccessPath {
            root: Root::This,
            props: path.props.clone(),
        };
    }
    if let Some(id) = path.root_binding() {
        if model.semantic.binding(&id).is_none() {
            let outer = model.semantic.bindings().find(|(o, b)| {
                o.0 == id.0 && matches!(b.init, Some(Value::Function(Some(f))) if model.is_within(fn_ctx, f))
            });
            if let Some((o, _)) = outer {
                return AccessPath {
                    root: Root::Binding(o.0.clone(), o.1),
                    props: path.props.clone(),
                };
            }
        }
    }
    path.clone()
}

/// The identity a call result is stored under, when it is stored.
pub fn stored_identity(model: &FileModel, call: &CallFact) -> Option<Identity> {
    match &call.result {
        crate::model::ResultUse::Assigned(path) => Some(identity(
            model,
            call.fn_ctx,
            &Value::Path(AccessPath::clone(path)),
        )),
        _ => None,
    }
}

/// The object a listener call acts on, normalised so that `window.x`,
/// `globalThis.x` and a bare `addEventListener(…)` compare equal.
pub fn target_of(call: &CallFact) -> Option<AccessPath> {
    let path = match &call.callee.receiver() {
        Some(r) => r.normalized(),
        None => {
            // `addEventListener(…)` called bare: the global object.
            call.callee.global_function()?;
            AccessPath {
                root: Root::Global("globalThis".into()),
                props: Props::new(),
            }
        }
    };
    match &path.root {
        Root::Global(g) if path.props.is_empty() && is_global_object_name(g) => Some(AccessPath {
            root: Root::Global("globalThis".into()),
            props: Props::new(),
        }),
        _ => Some(path),
    }
}

/// The method name of a listener call, also for a bare global `addEventListener(…)`.
pub fn method_of(call: &CallFact) -> Option<Atom> {
    call.callee
        .method
        .clone()
        .or_else(|| call.callee.global_function())
}

/// The calls that may remove a listener (named like `off`,
/// `removeEventListener` or `removeAllListeners`), in source order, each
/// with its [`Registration::of_remove`] read once: every registration asks
/// about the removals of the file, and reading them again per registration
/// (or scanning every call) was quadratic on large bundles.
struct RemovalCalls(Vec<(CallId, Option<RemovalFact>)>);

/// What [`Registration::of_remove`] found, without the call it points to.
struct RemovalFact {
    target: AccessPath,
    event: Option<Atom>,
    listener: Identity,
    once: bool,
}

fn removal_index<'m>(model: &'m FileModel) -> &'m RemovalCalls {
    model.derived.get_or_init(|| {
        let named = |m: &str| m == resources::REMOVE_ALL || REMOVE_METHODS.contains(&m);
        RemovalCalls(
            model
                .calls
                .iter()
                .enumerate()
                .filter(|(_, c)| match &c.callee.method {
                    Some(m) => named(m),
                    None => c.callee.global_function().is_some_and(|g| named(&g)),
                })
                .map(|(i, c)| {
                    let fact = Registration::of_remove(model, c).map(|r| RemovalFact {
                        target: r.target,
                        event: r.event,
                        listener: r.listener,
                        once: r.once,
                    });
                    (i, fact)
                })
                .collect(),
        )
    })
}

pub fn removal_calls<'m>(model: &'m FileModel) -> impl Iterator<Item = &'m CallFact> + 'm {
    removal_index(model).0.iter().map(|(i, _)| &model.calls[*i])
}

/// [`removal_calls`] with the registration each one removes, when it names
/// an event and a listener.
pub fn removals<'m>(
    model: &'m FileModel,
) -> impl Iterator<Item = (&'m CallFact, Option<Registration<'m>>)> + 'm {
    removal_index(model).0.iter().map(|(i, fact)| {
        let call = &model.calls[*i];
        let reg = fact.as_ref().map(|f| Registration {
            call,
            target: f.target.clone(),
            event: f.event.clone(),
            listener: f.listener.clone(),
            once: f.once,
        });
        (call, reg)
    })
}

/// Globals that live as long as the process or the page.
const LONG_LIVED_GLOBALS: &[&str] = &[
    "process",
    "window",
    "document",
    "globalThis",
    "global",
    "self",
    "navigator",
    "screen",
    "visualViewport",
];

/// Why the target of a call made in `fn_ctx` outlives that call, if it does.
pub fn long_lived_target(
    rep: &Frequencies,
    fn_ctx: Option<FnId>,
    target: &AccessPath,
) -> Option<&'static str> {
    let model = rep.model();
    let _ = fn_ctx;
    match &target.root {
        Root::Global(g) if LONG_LIVED_GLOBALS.contains(&g.as_ref()) => {
            Some("a global object: it lives as long as the process or the page")
        }
        Root::Global(_) | Root::This => None,
        Root::Binding(..) => {
            let id = target.root_binding()?;
            let b = model.semantic.binding(&id)?;
            match b.kind {
                BindingKind::Import => {
                    Some("an imported module singleton: it lives as long as the process")
                }
                BindingKind::Var
                | BindingKind::Let
                | BindingKind::Const
                | BindingKind::Function
                | BindingKind::Class
                    if b.is_module_level() && !is_per_instance_binding(model, b) =>
                {
                    // A module-level `let` replaced per call takes its listeners with it.
                    let replaced = model
                        .binding_writes
                        .iter()
                        .any(|w| w.id == id && rep.runs_many_times(w.fn_ctx, w.span.start()));
                    (!replaced)
                        .then_some("declared at module level: it lives as long as the process")
                }
                BindingKind::Var | BindingKind::Let | BindingKind::Const
                    if target.props.is_empty() && is_pooled_checkout(model, &id) =>
                {
                    Some(
                        "checked out of a pool and given back with `release()`: the next checkout gets the same object, with this listener still on it",
                    )
                }
                BindingKind::Param if is_signal_param(model, &id, target) => {
                    Some("an AbortSignal handed in by the caller: it may outlive this call")
                }
                BindingKind::Param if is_pooled_socket(model, b.fn_ctx, target) => {
                    Some("a socket handed in: with keep-alive it may be reused by later requests")
                }
                BindingKind::Param
                    if is_server_param(target)
                        && b.fn_ctx.is_some_and(|f| called_repeatedly(rep, f)) =>
                {
                    Some(
                        "a server handed in by a caller that runs many times: it may outlive every call",
                    )
                }
                _ => None,
            }
        }
    }
}

/// Is the target's long life *shown* by the code (a global object, an
/// imported singleton, a module-level binding, a pooled checkout given
/// back with `release()`), rather than inferred from a parameter (a signal,
/// a socket or a server handed in, which may as well be made per call)?
pub fn target_shown_long_lived(model: &FileModel, target: &AccessPath) -> bool {
    match &target.root {
        Root::Global(g) => LONG_LIVED_GLOBALS.contains(&g.as_ref()),
        Root::This => false,
        Root::Binding(..) => target
            .root_binding()
            .and_then(|id| model.semantic.binding(&id).map(|b| (id.clone(), b)))
            .is_some_and(|(id, b)| match b.kind {
                BindingKind::Param => false,
                BindingKind::Import => true,
                _ if b.is_module_level() => true,
                BindingKind::Var | BindingKind::Let | BindingKind::Const => {
                    target.props.is_empty() && is_pooled_checkout(model, &id)
                }
                _ => false,
            }),
    }
}

/// A parameter that [`long_lived_target`] takes as long-lived only because
/// of its name (`server`, `req.socket`): a guess, never shown evidence.
pub fn long_lived_by_name_only(model: &FileModel, target: &AccessPath) -> bool {
    let Some(b) = target
        .root_binding()
        .and_then(|id| model.semantic.binding(&id))
    else {
        return false;
    };
    b.kind == BindingKind::Param
        && !is_event_socket(model, target)
        && (is_server_param(target) || is_pooled_socket(model, b.fn_ctx, target))
}

/// The socket handed to a `'socket'` listener (`req.on('socket', s => …)`):
/// a client request's socket, which an agent pools and hands to later
/// requests.
pub fn is_event_socket(model: &FileModel, target: &AccessPath) -> bool {
    if !target.props.is_empty() {
        return false;
    }
    let Some(b) = target
        .root_binding()
        .and_then(|id| model.semantic.binding(&id))
    else {
        return false;
    };
    if b.kind != BindingKind::Param {
        return false;
    }
    b.fn_ctx.is_some_and(|f| is_socket_listener(model, f))
}

/// The removal sits in a local helper and removes the helper's parameter
/// (`const remove = (l) => signal.removeEventListener('abort', l)`), and the
/// file calls the helper with the added function (`remove(abort)`): the
/// helper is the removal of that function.
fn through_helper(model: &FileModel, added: &Identity, removed: &Identity) -> bool {
    let Identity::Path { path: r, .. } = removed else {
        return false;
    };
    let Some(param) = r.props.is_empty().then(|| r.root_binding()).flatten() else {
        return false;
    };
    let Some(helper) = model
        .semantic
        .binding(&param)
        .filter(|b| b.kind == BindingKind::Param)
        .and_then(|b| b.fn_ctx)
    else {
        return false;
    };
    // The parameter's position: the helper's parameters in source order.
    let mut params: Vec<(usize, &BindingId)> = model
        .semantic
        .bindings()
        .filter(|(_, b)| b.kind == BindingKind::Param && b.fn_ctx == Some(helper))
        .map(|(id, b)| (b.span.start(), id))
        .collect();
    if params.len() != model.functions[helper].params {
        return false; // destructured parameters: positions unknown
    }
    params.sort_by_key(|(start, _)| *start);
    let Some(index) = params.iter().position(|(_, id)| **id == param) else {
        return false;
    };
    model.calls.iter().any(|c| {
        let calls_helper = c.callee.path.as_ref().is_some_and(|p| {
            p.props.is_empty()
                && p.root_binding()
                    .and_then(|id| model.semantic.binding(&id))
                    .is_some_and(
                        |b| matches!(b.init, Some(Value::Function(Some(f))) if f == helper),
                    )
        });
        calls_helper
            && c.args
                .get(index)
                .is_some_and(|a| identity(model, c.fn_ctx, &a.value).same(added))
    })
}

/// The added listener is stored in a map (`listeners.set(key, listener)`)
/// and the removal passes a local read back from that map
/// (`const l = listeners.get(key); target.removeEventListener('x', l)`):
/// the cleanup looks the same function up by key.
fn through_same_map(model: &FileModel, added: &Identity, removed: &Identity) -> bool {
    let (Identity::Path { path: a, .. }, Identity::Path { path: r, .. }) = (added, removed) else {
        return false;
    };
    let (Some(a), Some(r)) = (
        a.props.is_empty().then(|| a.root_binding()).flatten(),
        r.props.is_empty().then(|| r.root_binding()).flatten(),
    ) else {
        return false;
    };
    let Some(Value::Call(read)) = model.semantic.binding(&r).and_then(|b| b.init.as_ref()) else {
        return false;
    };
    if read.method.as_deref() != Some("get") {
        return false;
    }
    let Some(map) = read.callee.as_ref().and_then(|c| c.parent()) else {
        return false;
    };
    let map = map.normalized();
    model.method_calls("set").any(|c| {
        c.callee.receiver().is_some_and(|m| m.normalized() == map)
            && matches!(c.args.get(1).map(|x| &x.value),
                Some(Value::Path(p)) if p.props.is_empty() && p.is_rooted_at(&a))
    })
}

/// A local checked out of a pool (see [`is_pooled_checkout`]).
pub fn is_pooled_target(model: &FileModel, target: &AccessPath) -> bool {
    target.props.is_empty()
        && target
            .root_binding()
            .is_some_and(|id| is_pooled_checkout(model, &id))
}

/// `fn_ctx` (or the function it is an arrow in) returns a function or
/// literal made in a local and given members, or (with `new_object`) a new
/// object made in a local (`new X()`, or a part of it): a factory whose
/// result is per call, so the function runs once per object it makes.
pub fn in_factory(model: &FileModel, fn_ctx: Option<FnId>, new_object: bool) -> bool {
    let Some(f) = model.this_function(fn_ctx) else {
        return false;
    };
    model.returns.iter().any(|r| {
        if r.fn_ctx != Some(f) {
            return false;
        }
        let Value::Path(p) = &r.value else {
            return false;
        };
        let Some(id) = p.root_binding() else {
            return false;
        };
        let Some(init) = model
            .semantic
            .binding(&id)
            .filter(|b| b.fn_ctx == Some(f))
            .and_then(|b| b.init.as_ref())
        else {
            return false;
        };
        match init {
            // `const c = new AbortController(); …; return c.signal`: a new
            // object (or a part of it) per call.
            Value::New(_) => new_object,
            // A function or literal given members, then returned whole.
            Value::Function(_) | Value::Object { .. } => {
                p.props.is_empty()
                    && model
                        .member_writes
                        .iter()
                        .any(|w| w.fn_ctx == Some(f) && w.object.is_rooted_at(&id))
            }
            _ => false,
        }
    })
}

/// Are two targets the element parameter of callbacks iterating the same
/// collection (`signals.forEach(s => s.addEventListener(…))` and, later,
/// `signals.forEach(signal => signal.removeEventListener(…))`)? They name
/// the same objects.
fn same_element(model: &FileModel, a: &AccessPath, b: &AccessPath) -> bool {
    let collection = |t: &AccessPath| -> Option<AccessPath> {
        if !t.props.is_empty() {
            return None;
        }
        let id = t.root_binding()?;
        let binding = model.semantic.binding(&id)?;
        let f = binding
            .fn_ctx
            .filter(|_| binding.kind == BindingKind::Param)?;
        let Invocation::CallbackOf { call, arg: 0 } = model.functions[f].invocation else {
            return None;
        };
        // The element is the callback's first parameter: no other comes
        // before it (`(s, i) =>`, `function (s) {`).
        let before = model
            .source
            .get(model.functions[f].span.start()..binding.span.start())?;
        if before.contains(',') {
            return None;
        }
        let c = &model.calls[call];
        c.callee
            .method
            .as_deref()
            .is_some_and(crate::model::is_iteration_method)
            .then(|| c.callee.receiver())
            .flatten()
    };
    a != b && collection(a).is_some_and(|ca| collection(b).is_some_and(|cb| ca == cb))
}

/// A local bound to `pool.connect()` (`acquire()`, `getConnection()`, also
/// through `.catch(…)`) that the file gives back with `.release()`: a pooled
/// object that outlives the call.
fn is_pooled_checkout(model: &FileModel, id: &(Atom, swc_common::SyntaxContext)) -> bool {
    let is_acquire = |c: &CallFact| {
        c.callee
            .method
            .as_deref()
            .is_some_and(|m| resources::POOL_ACQUIRE.contains(&m))
    };
    // Given back with `.release()` (the calls of a method are indexed):
    // asked first, so most locals never pay for the walk below.
    let released = || {
        resources::POOL_RELEASE.iter().any(|m| {
            model.method_calls(m).any(|c| {
                c.callee
                    .receiver()
                    .is_some_and(|r| r.props.is_empty() && r.is_rooted_at(id))
            })
        })
    };
    if !released() {
        return false;
    }
    model.calls.iter().any(|c| {
        let crate::model::ResultUse::Assigned(p) = &c.result else {
            return false;
        };
        if !p.props.is_empty() || !p.is_rooted_at(id) {
            return false;
        }
        if is_acquire(c) {
            return true;
        }
        // `pool.connect().catch(onError)`: the checkout's promise, handled.
        c.callee.receiver_is_call
            && matches!(
                c.callee.method.as_deref(),
                Some("catch" | "then" | "finally")
            )
            && c.callee.receiver_span.is_some_and(|r| {
                model
                    .calls
                    .iter()
                    .any(|inner| inner.span == r && is_acquire(inner))
            })
    })
}

/// `signal`, `abortSignal`, `opts.signal`, or a parameter typed `AbortSignal`.
fn is_signal_param(
    model: &FileModel,
    id: &(Atom, swc_common::SyntaxContext),
    target: &AccessPath,
) -> bool {
    match target.props.as_slice() {
        [] => {
            id.0 == "signal"
                || id.0.ends_with("Signal")
                || model
                    .declared_types
                    .iter()
                    .any(|(b, t)| b == id && t == "AbortSignal")
        }
        _ => false,
    }
}

/// A parameter bound inside an object pattern (`f({ signal })`,
/// `f(action, { signal, delay })`): an unclosed `{` between the start of its
/// function and the name (the body has not begun; default values are
/// balanced).
pub fn is_destructured_param(model: &FileModel, id: &(Atom, swc_common::SyntaxContext)) -> bool {
    let Some(b) = model.semantic.binding(id) else {
        return false;
    };
    let Some(f) = b.fn_ctx else { return false };
    let start = model.functions[f].span.start();
    let Some(before) = model.source.get(start..b.span.start()) else {
        return false;
    };
    let depth = before.chars().fold(0i32, |d, c| match c {
        '{' => d + 1,
        '}' => d - 1,
        _ => d,
    });
    depth > 0
}

/// A parameter named like an HTTP server: `server`, `httpServer`.
fn is_server_param(target: &AccessPath) -> bool {
    let Root::Binding(name, _) = &target.root else {
        return false;
    };
    target.props.is_empty() && (name == "server" || name.ends_with("Server"))
}

/// The socket a `'socket'` event hands over (`req.on('socket', s => …)`), or
/// `req.socket`: with keep-alive the same socket serves many requests.
fn is_pooled_socket(model: &FileModel, param_fn: Option<FnId>, target: &AccessPath) -> bool {
    // `req.socket`: with keep-alive the server reuses it for the next request.
    if matches!(target.props.as_slice(), [p] if p == "socket")
        && matches!(&target.root, Root::Binding(n, _) if matches!(n.as_ref(), "req" | "request"))
    {
        return true;
    }
    if !target.props.is_empty() {
        return false;
    }
    param_fn.is_some_and(|f| is_socket_listener(model, f))
}

/// Is `f` the listener of a `'socket'` event (`req.on('socket', s => …)`)?
fn is_socket_listener(model: &FileModel, f: FnId) -> bool {
    let Invocation::CallbackOf { call, .. } = model.functions[f].invocation else {
        return false;
    };
    let c = &model.calls[call];
    c.callee
        .method
        .as_deref()
        .is_some_and(|m| m == "on" || m == "once")
        && matches!(c.args.first().map(|a| &a.value), Some(Value::Str(s)) if s == "socket")
}

/// The path a function is called by: its binding, or `this.name` for a method.
pub fn callee_identity(model: &FileModel, f: FnId) -> Option<Identity> {
    let info = &model.functions[f];
    if let (Some(class), Some(name), FnKind::Method) = (info.class, &info.name, info.kind) {
        return Some(Identity::Path {
            path: AccessPath {
                root: Root::This,
                props: smallvec::smallvec![name.clone()],
            },
            class: Some(class),
        });
    }
    let id = callers::of(model).binding_of(f)?;
    Some(Identity::Path {
        path: AccessPath::binding(id.clone()),
        class: None,
    })
}

/// Is the function called, in this file, from code that runs many times
/// (outside its own body)?
pub fn called_repeatedly(rep: &Frequencies, f: FnId) -> bool {
    let model = rep.model();
    let Some(me) = callee_identity(model, f) else {
        return false;
    };
    callers::of(model)
        .calls_naming(model, &me)
        .any(|c| !model.is_within(c.fn_ctx, f) && rep.runs_many_times(c.fn_ctx, c.span.start()))
}

/// Options that make a listener remove itself: `{ once: true }`, `{ signal }`.
/// Options we cannot see (a variable of unknown shape) count as self-removing:
/// better silent than wrong.
pub fn self_removing_options(model: &FileModel, options: Option<&Value>) -> bool {
    let props = match options {
        None | Some(Value::Bool | Value::Num(_) | Value::Undefined | Value::Null) => return false,
        Some(Value::Object { props, .. }) => props,
        Some(Value::Path(p)) => {
            let init = p
                .root_binding()
                .filter(|_| p.props.is_empty())
                .and_then(|id| model.semantic.binding(&id))
                .and_then(|b| b.init.clone());
            match init {
                Some(Value::Object { props, .. }) => {
                    return props
                        .iter()
                        .any(|(k, _)| resources::RELEASING_OPTIONS.contains(&k.as_ref()));
                }
                _ => return true,
            }
        }
        Some(_) => return true,
    };
    props
        .iter()
        .any(|(k, _)| resources::RELEASING_OPTIONS.contains(&k.as_ref()))
}

/// A listener registration as the rules see it.
pub struct Registration<'m> {
    pub call: &'m CallFact,
    pub target: AccessPath,
    /// The event name when it is a string literal.
    pub event: Option<Atom>,
    pub listener: Identity,
    /// `emitter.once(…)`: removed by the emitter when the event fires.
    pub once: bool,
}

impl<'m> Registration<'m> {
    /// An `on`/`addEventListener`-style call with an event and a listener.
    pub fn of_add(model: &FileModel, call: &'m CallFact) -> Option<Self> {
        Self::of(model, call, ADD_METHODS)
            .or_else(|| Self::of(model, call, resources::SELF_REMOVING_ADDS))
    }

    /// An `off`/`removeEventListener`-style call with an event and a listener.
    pub fn of_remove(model: &FileModel, call: &'m CallFact) -> Option<Self> {
        Self::of(model, call, REMOVE_METHODS)
    }

    fn of(model: &FileModel, call: &'m CallFact, methods: &[&str]) -> Option<Self> {
        // Asked for every call of the file: test the method name in place
        // before anything is cloned.
        if call.is_new {
            return None;
        }
        let listed = match &call.callee.method {
            Some(m) => methods.contains(&m.as_ref()),
            None => call
                .callee
                .global_function()
                .is_some_and(|g| methods.contains(&g.as_ref())),
        };
        if !listed {
            return None;
        }
        let [event, listener, ..] = call.args.as_slice() else {
            return None;
        };
        if listener.spread || event.spread {
            return None;
        }
        let target = if call.callee.receiver_is_call {
            // `emitter.once('a', f).once('b', g)`: an emitter's `on`/`once`
            // returns the emitter itself.
            chained_target(model, call, 0)?
        } else {
            target_of(call)?
        };
        Some(Registration {
            call,
            target,
            event: match &event.value {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            },
            listener: identity(model, call.fn_ctx, &listener.value),
            once: call
                .callee
                .method
                .as_deref()
                .is_some_and(|m| resources::SELF_REMOVING_ADDS.contains(&m)),
        })
    }

    fn same_event(&self, other: Option<&Atom>) -> bool {
        match (&self.event, other) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }

    /// Does the file remove this listener: `off`/`removeListener`/
    /// `removeEventListener` with the same function, or `removeAllListeners`?
    pub fn is_removed(&self, model: &FileModel) -> bool {
        self.is_removed_where(model, |_| true)
    }

    /// [`Self::is_removed`], counting only removals made in a context that
    /// `counts` accepts (a teardown, for a registration made in a setup).
    pub fn is_removed_where(
        &self,
        model: &FileModel,
        counts: impl Fn(Option<FnId>) -> bool,
    ) -> bool {
        removals(model).any(|(c, r)| self.is_removed_by(model, c, r.as_ref()) && counts(c.fn_ctx))
    }

    /// Does call `c`, a removal whose own registration is `removal` (see
    /// [`removals`]), remove this listener?
    pub fn is_removed_by(
        &self,
        model: &FileModel,
        c: &CallFact,
        removal: Option<&Registration>,
    ) -> bool {
        // Every way a removal can match (`removeAllListeners(event)` too)
        // names the same event: another event name written in place rules
        // it out before the removal is read.
        let other_event = matches!(
            (&self.event, c.args.first().map(|a| &a.value)),
            (Some(mine), Some(Value::Str(theirs))) if mine != theirs
        );
        if other_event {
            return false;
        }
        if let Some(r) = removal {
            // A removal whose listener we cannot name (`getLast().onFocus`)
            // may well be the matching one. One with another `capture` flag
            // never is.
            let capture_differs = self.is_dom() && removal::capture_differs(model, self.call, c);
            if self.same_event(r.event.as_ref()) && same_record_slot(self.call, c) {
                return !capture_differs;
            }
            let same_slot = self.is_same_slot(r)
                || (self.same_event(r.event.as_ref())
                    && same_element(model, &self.target, &r.target));
            return same_slot
                && !capture_differs
                && (r.listener.same(&self.listener)
                    || r.listener == Identity::Unknown
                    || (self.is_same_slot(r)
                        && named_alike(&self.listener, &r.listener)
                        && returned_by_adder(model, self.call.fn_ctx, c.fn_ctx))
                    || (is_param(model, &self.listener) && is_param(model, &r.listener))
                    || through_same_map(model, &self.listener, &r.listener)
                    || through_helper(model, &self.listener, &r.listener))
                || (self.same_event(r.event.as_ref()) && kept_as_record(model, self, r));
        }
        method_of(c).is_some_and(|m| m == resources::REMOVE_ALL)
            && target_of(c).is_some_and(|t| t == self.target)
            && match c.args.first().map(|a| &a.value) {
                None => true,
                Some(Value::Str(s)) => self.same_event(Some(s)),
                Some(_) => true,
            }
    }

    /// Does a removal act on the same target and event as this registration
    /// (whatever function it names)?
    pub fn is_same_slot(&self, removal: &Registration) -> bool {
        removal.target == self.target && self.same_event(removal.event.as_ref())
    }

    /// `'resize'` or the event expression's text.
    pub fn event_text(&self, model: &FileModel) -> String {
        match &self.event {
            Some(e) => format!("'{e}'"),
            None => model.text(&self.call.args[0].span).to_string(),
        }
    }

    /// The source text of the target (`window`, `process.stdout`).
    pub fn target_text(&self, model: &FileModel) -> String {
        match &self.call.callee.receiver_span {
            // `emitter.once(…).once(…)`: the emitter, not the chain.
            Some(_) if self.call.callee.receiver_is_call => self.target.to_string(),
            Some(s) => model.text(s).to_string(),
            None => "window".to_string(),
        }
    }

    pub fn is_dom(&self) -> bool {
        method_of(self.call).is_some_and(|m| m.ends_with("EventListener"))
    }
}

/// The emitter at the root of a chain of `on`/`once` calls
/// (`emitter.once('a', f).once('b', g)`): each returns the emitter. The DOM's
/// `addEventListener` returns nothing, so it ends a chain.
fn chained_target(model: &FileModel, call: &CallFact, depth: usize) -> Option<AccessPath> {
    let inner_span = call.callee.receiver_span?;
    if depth > 16 {
        return None;
    }
    let inner = model.calls.iter().find(|c| c.span == inner_span)?;
    let returns_emitter = inner.callee.method.as_deref().is_some_and(|m| {
        (ADD_METHODS.contains(&m) || resources::SELF_REMOVING_ADDS.contains(&m))
            && !m.ends_with("EventListener")
    });
    if !returns_emitter {
        return None;
    }
    if inner.callee.receiver_is_call {
        chained_target(model, inner, depth + 1)
    } else {
        target_of(inner)
    }
}

/// `signal.addEventListener('abort', dispatch)` and, on the same target,
/// `signal.removeEventListener('abort', entry.dispatch)`: the function kept
/// in a record under its own name. Said only of removals from the very same
/// target and event made by the adder's returned undo, where another
/// handler of that name is unlikely.
fn named_alike(added: &Identity, removed: &Identity) -> bool {
    let (Identity::Path { path: a, .. }, Identity::Path { path: r, .. }) = (added, removed) else {
        return false;
    };
    let last = |p: &AccessPath| p.props.last().cloned();
    let bare = |p: &AccessPath| match &p.root {
        Root::Binding(n, _) if p.props.is_empty() => Some(n.clone()),
        _ => None,
    };
    (bare(a).is_some() && bare(a) == last(r)) || (bare(r).is_some() && bare(r) == last(a))
}

/// `signal.addEventListener('abort', listener); registrations.push({ signal,
/// listener })`, later `for (const { signal, listener } of registrations)
/// signal.removeEventListener('abort', listener)`: the target and the
/// listener are kept together in a record under their own names, and a
/// removal takes both back out of such a record by the same names. Two
/// names in common, and the record stored by the adding function, make it
/// the same pair, whatever the list is.
fn kept_as_record(model: &FileModel, add: &Registration, remove: &Registration) -> bool {
    let bare = |p: &AccessPath| match &p.root {
        Root::Binding(n, c) if p.props.is_empty() => Some((n.clone(), *c)),
        _ => None,
    };
    let Identity::Path { path: added_fn, .. } = &add.listener else {
        return false;
    };
    let Identity::Path {
        path: removed_fn, ..
    } = &remove.listener
    else {
        return false;
    };
    let (Some(target), Some(listener)) = (bare(&add.target), bare(added_fn)) else {
        return false;
    };
    let names_match = bare(&remove.target).is_some_and(|t| t.0 == target.0)
        && bare(removed_fn).is_some_and(|l| l.0 == listener.0);
    if !names_match {
        return false;
    }
    let holds = |props: &[(Atom, Value)], name: &(Atom, SyntaxContext)| {
        props.iter().any(|(k, v)| {
            k == &name.0 && matches!(v, Value::Path(p) if bare(p).as_ref() == Some(name))
        })
    };
    let record = |v: &Value| match v {
        Value::Object { props, .. } => holds(props, &target) && holds(props, &listener),
        _ => false,
    };
    model
        .calls
        .iter()
        .filter(|c| c.fn_ctx == add.call.fn_ctx)
        .any(|c| c.args.iter().any(|a| record(&a.value)))
        || model
            .member_writes
            .iter()
            .any(|w| w.fn_ctx == add.call.fn_ctx && record(&w.value))
}

/// `entry.abort = { signal, listener }; signal.addEventListener('abort',
/// entry.abort.listener)`, later `queued.abort.signal.removeEventListener(
/// 'abort', queued.abort.listener)`: the listener is kept in a record with
/// what it was added to, and removed through the record. Two or more
/// properties in common (`abort.listener`) name the same slot of one kind
/// of record, whatever the locals are called.
/// Compared as written in the two calls (the record's slot may hold a
/// function written in place, which has no identity of its own).
fn same_record_slot(add: &CallFact, remove: &CallFact) -> bool {
    let slot = |c: &CallFact| match c.args.get(1).map(|a| &a.value) {
        Some(Value::Path(p)) if p.root != Root::This && p.props.len() >= 2 => Some(p.props.clone()),
        _ => None,
    };
    slot(add).is_some() && slot(add) == slot(remove)
}

/// Does the removal run in a function that the adding function returns (its
/// undo: `return () => signal.removeEventListener(…)`), or in one nested in
/// such a function?
fn returned_by_adder(model: &FileModel, adder: Option<FnId>, remover: Option<FnId>) -> bool {
    let Some(adder) = model.this_function(adder).or(adder) else {
        return false;
    };
    let mut current = remover;
    while let Some(f) = current {
        let parent = model.functions[f].parent;
        if parent == Some(adder) {
            return model
                .returns
                .iter()
                .any(|r| r.fn_ctx == Some(adder) && r.value == Value::Function(Some(f)));
        }
        current = parent;
    }
    false
}

/// `subscribe(fn) { bus.on('x', fn) }` / `unsubscribe(fn) { bus.off('x', fn) }`:
/// both sides take the caller's function, so the API pairs them.
fn is_param(model: &FileModel, listener: &Identity) -> bool {
    let Identity::Path { path, .. } = listener else {
        return false;
    };
    path.props.is_empty()
        && path
            .root_binding()
            .and_then(|id| model.semantic.binding(&id))
            .is_some_and(|b| b.kind == BindingKind::Param)
}

/// Is a timer handle with this identity passed to `clearInterval` or `clearTimeout`?
pub fn is_cleared(model: &FileModel, handle: &Identity) -> bool {
    let Identity::Path { path, .. } = handle else {
        return false;
    };
    let cleared = model.derived.get_or_init(|| ClearedHandles::build(model));
    cleared
        .by_props
        .get(&path.normalized().props)
        .is_some_and(|ids| ids.iter().any(|id| id.same(handle)))
}

/// The identities passed to `clearInterval`/`clearTimeout` in a file, found
/// once: asking per timer scanned every clear call for each timer.
pub(crate) struct ClearedHandles {
    /// By normalised property list: [`Identity::same`] never matches two
    /// paths whose normalised properties differ.
    by_props: FxHashMap<Props, Vec<Identity>>,
}

impl ClearedHandles {
    fn build(model: &FileModel) -> Self {
        let mut by_props: FxHashMap<Props, Vec<Identity>> = FxHashMap::default();
        for name in resources::pair(Kind::Timer).release {
            for c in model.global_calls(name) {
                let Some(a) = c.args.first() else { continue };
                let id = identity(model, c.fn_ctx, &a.value);
                if let Identity::Path { path, .. } = &id {
                    by_props
                        .entry(path.normalized().props)
                        .or_default()
                        .push(id);
                }
            }
        }
        ClearedHandles { by_props }
    }
}

/// Does a local handle leave its function (returned, stored elsewhere,
/// handed to another call)? Then someone else may release it.
pub fn escapes(model: &FileModel, handle: &Identity, except: TextSpan) -> bool {
    let Identity::Path { path, .. } = handle else {
        return false;
    };
    if path.root == Root::This {
        return false;
    }
    let is_it = |v: &Value| match v {
        Value::Path(p) => p == path,
        Value::Object { props, .. } => props
            .iter()
            .any(|(_, v)| matches!(v, Value::Path(p) if p == path)),
        _ => false,
    };
    model.returns.iter().any(|r| is_it(&r.value))
        || model.binding_writes.iter().any(|w| is_it(&w.value))
        || model.member_writes.iter().any(|w| is_it(&w.value))
        || model
            .calls
            .iter()
            .any(|c| c.span != except && !is_logging(c) && c.args.iter().any(|a| is_it(&a.value)))
}

/// "on every call of `f`", "for every instance of `C`", "every time the
/// effect runs": the unit in which a message counts the repetitions of code
/// in `fn_ctx`. Wording only: whether the code repeats at all is the
/// frequency answer's ([`Frequencies`](crate::analysis::frequency::Frequencies)),
/// asked before this.
pub fn repetition_unit(model: &FileModel, fn_ctx: Option<FnId>, in_effect: bool) -> String {
    if in_effect {
        return "every time the effect runs".to_string();
    }
    if let Some(f) = model.this_function(fn_ctx) {
        let info = &model.functions[f];
        if info.kind == FnKind::Constructor {
            if let Some(name) = info.class.and_then(|c| model.classes[c].name.clone()) {
                return format!("for every instance of `{name}`");
            }
        }
    }
    // The function whose calls repeat is the innermost named one, unless an
    // anonymous function on the way is handed out by its parent (`return
    // (req) => { … }`): that one runs on every call its holder makes, and
    // naming the parent would say the add repeats per call of the factory.
    let mut current = fn_ctx;
    while let Some(f) = current {
        let info = &model.functions[f];
        if let Some(name) = &info.name {
            return format!("on every call of `{name}`");
        }
        if let Some(parent) = info.parent.filter(|&p| returns_function(model, p, f)) {
            return match (own_name(model, f), &model.functions[parent].name) {
                (Some(own), Some(name)) => {
                    format!("on every call of `{own}` (returned by `{name}`)")
                }
                (None, Some(name)) => format!("on every call of the function `{name}` returns"),
                (Some(own), None) => format!("on every call of `{own}`"),
                (None, None) => "on every call of the function its parent returns".to_string(),
            };
        }
        current = info.parent;
    }
    "on every call".to_string()
}

/// The name a function expression gives itself (`function handle(req) {…}`),
/// which the model does not record for a function in a `return`.
fn own_name<'m>(model: &'m FileModel, f: FnId) -> Option<&'m str> {
    let text = model.text(&model.functions[f].span);
    let rest = text.strip_prefix("async").unwrap_or(text).trim_start();
    let rest = rest.strip_prefix("function")?.trim_start();
    let rest = rest.strip_prefix('*').unwrap_or(rest).trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// Does `parent` return the function literal `f` itself (`return () => …`)?
fn returns_function(model: &FileModel, parent: FnId, f: FnId) -> bool {
    model
        .returns
        .iter()
        .any(|r| r.fn_ctx == Some(parent) && matches!(r.value, Value::Function(Some(g)) if g == f))
}

/// `console.log(handle)` does not hand the handle to anyone.
fn is_logging(call: &CallFact) -> bool {
    call.callee
        .receiver()
        .as_ref()
        .is_some_and(|r| r.is_global("console"))
}

/// The name of the function a context belongs to, for messages.
pub fn context_name(model: &FileModel, fn_ctx: Option<FnId>) -> Option<Atom> {
    let mut current = fn_ctx;
    while let Some(f) = current {
        if let Some(n) = &model.functions[f].name {
            return Some(n.clone());
        }
        current = model.functions[f].parent;
    }
    None
}

/// Is the call inside an `if` that also sets a flag on an object
/// (`if (!this.bound) { this.bound = true; target.on(…) }`)? That registers
/// once per owner, however often the function runs. Flags held in a name
/// (`let installed`) are lazy initialisation, which the frequency answer
/// knows (`frequency::Why::Memoised`).
pub fn guarded_by_member_flag(model: &FileModel, call: &CallFact) -> bool {
    model.conditionals.iter().any(|c| {
        c.span.encloses(call.span)
            && model
                .member_writes
                .iter()
                .any(|w| c.span.encloses(w.span) && matches!(w.value, Value::Bool))
    })
}

/// Is the add inside an `if` that also puts the target into a set the file
/// tests with `has` (`if (!seen.has(socket)) { seen.add(socket);
/// socket.on(…) }`)? That registers once per target, however often the
/// function runs.
pub fn guarded_per_target(model: &FileModel, call: &CallFact, target: &AccessPath) -> bool {
    let target = target.normalized();
    let arg_is_target = |c: &CallFact| matches!(c.args.first().map(|a| &a.value), Some(Value::Path(p)) if p.normalized() == target);
    let same_set = |a: &CallFact, b: &CallFact| match (a.callee.receiver(), b.callee.receiver()) {
        (Some(x), Some(y)) => x.normalized() == y.normalized(),
        _ => false,
    };
    model.conditionals.iter().any(|cond| {
        cond.span.encloses(call.span)
            && model.method_calls("add").any(|add| {
                cond.span.encloses(add.span)
                    && arg_is_target(add)
                    && model
                        .method_calls("has")
                        .any(|has| arg_is_target(has) && same_set(has, add))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    fn with_model(src: &str, f: impl FnOnce(&FileModel)) {
        crate::engine::with_model_for_test(src, Dialect::Ts, f)
    }

    /// `Identity::same` as first written: on normalised (cloned) paths.
    fn same_by_normalizing(a: &Identity, b: &Identity) -> bool {
        let (Identity::Path { path: a, class: ca }, Identity::Path { path: b, class: cb }) = (a, b)
        else {
            return false;
        };
        let (a, b) = (a.normalized(), b.normalized());
        let name = |p: &AccessPath| match &p.root {
            Root::Binding(n, _) | Root::Global(n) => Some(n.clone()),
            Root::This => None,
        };
        if a.root == Root::This && b.root == Root::This {
            return a == b && (ca == cb || ca.is_none() || cb.is_none());
        }
        if a.root == Root::This || b.root == Root::This {
            return a.props.len() == 1 && b.props.len() == 1 && a.props == b.props;
        }
        a == b || (!a.props.is_empty() && a.props == b.props && name(&a) == name(&b))
    }

    #[test]
    fn same_agrees_with_comparing_normalized_paths() {
        let ctxt = swc_common::SyntaxContext::empty();
        let path = |root: Root, props: &[&str]| AccessPath {
            root,
            props: props.iter().map(|p| (*p).into()).collect(),
        };
        let roots = [
            Root::This,
            Root::Global("window".into()),
            Root::Global("globalThis".into()),
            Root::Global("timer".into()),
            Root::Global("t".into()),
            Root::Binding("timer".into(), ctxt),
            Root::Binding("other".into(), ctxt),
        ];
        let prop_lists: [&[&str]; 5] = [&[], &["t"], &["timer"], &["t", "id"], &["timer", "t"]];
        let mut ids = vec![Identity::Inline, Identity::Bound, Identity::Unknown];
        for root in &roots {
            for props in prop_lists {
                for class in [None, Some(0), Some(1)] {
                    ids.push(Identity::Path {
                        path: path(root.clone(), props),
                        class,
                    });
                }
            }
        }
        for a in &ids {
            for b in &ids {
                assert_eq!(a.same(b), same_by_normalizing(a, b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn cleared_handles_match_like_a_scan() {
        let src = "class A { start() { this.t = setInterval(f, 1) } stop() { clearInterval(this.t) } }\nclass B { start() { this.t = setInterval(f, 1) } }\nlet h = setInterval(f, 1);\nfunction stop() { clearTimeout(h) }\nconst w = setInterval(f, 1);\nwindow.x = setInterval(f, 1);\nfunction s() { clearInterval(globalThis.x) }\n";
        with_model(src, |m| {
            for call in m.global_calls("setInterval") {
                let Some(handle) = stored_identity(m, call) else {
                    continue;
                };
                let scanned = ["clearInterval", "clearTimeout"].iter().any(|name| {
                    m.global_calls(name).any(|c| {
                        c.args
                            .first()
                            .is_some_and(|a| identity(m, c.fn_ctx, &a.value).same(&handle))
                    })
                });
                assert_eq!(is_cleared(m, &handle), scanned, "{handle:?}");
            }
            let cleared: Vec<bool> = m
                .global_calls("setInterval")
                .filter_map(|c| stored_identity(m, c))
                .map(|h| is_cleared(m, &h))
                .collect();
            // `this.t` of `B` is not `A`'s; `w` is never cleared.
            assert_eq!(cleared, [true, false, true, false, true]);
        });
    }

    fn add_calls<'m>(m: &'m FileModel) -> Vec<Registration<'m>> {
        m.calls
            .iter()
            .filter_map(|c| Registration::of_add(m, c))
            .collect()
    }

    #[test]
    fn the_same_binding_removes_and_a_fresh_function_does_not() {
        let src = "function f(res) {\n  const h = () => {}\n  process.on('exit', h)\n  process.on('exit', () => {})\n  res.on('close', () => process.off('exit', h))\n}\n";
        with_model(src, |m| {
            let adds = add_calls(m);
            let on_process: Vec<_> = adds
                .iter()
                .filter(|r| r.target.is_global("process"))
                .collect();
            assert_eq!(on_process.len(), 2);
            assert!(on_process[0].is_removed(m), "removed with the same binding");
            assert!(
                !on_process[1].is_removed(m),
                "an inline function is never removed"
            );
            assert_eq!(on_process[1].listener, Identity::Inline);
        });
    }

    #[test]
    fn this_paths_match_only_within_one_class() {
        let src = "class A { on() { process.on('x', this.h) } }\nclass B { off() { process.off('x', this.h) } }\n";
        with_model(src, |m| {
            let adds = add_calls(m);
            assert!(!adds[0].is_removed(m), "B's `this.h` is not A's");
        });
    }

    #[test]
    fn window_aliases_are_one_target() {
        let src = "function f(h) { window.addEventListener('x', h); globalThis.removeEventListener('x', h); removeEventListener('x', h) }\n";
        with_model(src, |m| {
            let targets: Vec<_> = m.calls.iter().filter_map(target_of).collect();
            assert!(targets.windows(2).all(|w| w[0] == w[1]), "{targets:?}");
            assert!(add_calls(m)[0].is_removed(m));
        });
    }

    #[test]
    fn long_lived_targets() {
        let src = "import bus from './bus'\nconst local = 1\nlet swapped\nfunction f(signal: AbortSignal, abort: AbortSignal, other, opts) {\n  const mine = {}\n  swapped = {}\n}\n";
        with_model(src, |m| {
            let f = Some(0);
            let path = |name: &str| {
                let (id, _) = m.semantic.bindings().find(|(id, _)| id.0 == name).unwrap();
                AccessPath::binding(id.clone())
            };
            assert!(long_lived_target(&Frequencies::new(m), f, &path("bus")).is_some());
            assert!(long_lived_target(&Frequencies::new(m), f, &path("local")).is_some());
            assert!(
                long_lived_target(&Frequencies::new(m), f, &path("swapped")).is_none(),
                "replaced on every call"
            );
            assert!(long_lived_target(&Frequencies::new(m), f, &path("signal")).is_some());
            assert!(
                long_lived_target(&Frequencies::new(m), f, &path("abort")).is_some(),
                "typed AbortSignal"
            );
            assert!(long_lived_target(&Frequencies::new(m), f, &path("other")).is_none());
            assert!(
                long_lived_target(
                    &Frequencies::new(m),
                    f,
                    &path("opts").child("signal".into())
                )
                .is_none(),
                "usually a per-operation signal"
            );
            assert!(long_lived_target(&Frequencies::new(m), f, &path("mine")).is_none());
            let process = AccessPath {
                root: Root::Global("process".into()),
                props: Props::new(),
            };
            assert!(long_lived_target(&Frequencies::new(m), f, &process).is_some());
        });
    }

    #[test]
    fn options_that_remove_the_listener() {
        let src = "const opts = { once: true }\nconst plain = { passive: true }\nf(1, { signal: s }, { capture: true }, opts, plain, true, unknown)\n";
        with_model(src, |m| {
            let args: Vec<_> = m.calls[0].args.iter().map(|a| a.value.clone()).collect();
            let verdicts: Vec<_> = args
                .iter()
                .map(|v| self_removing_options(m, Some(v)))
                .collect();
            assert_eq!(verdicts, [false, true, false, true, false, false, true]);
            assert!(!self_removing_options(m, None));
        });
    }

    #[test]
    fn model_facts_for_modules_conditionals_and_parameters() {
        let src = "import m, { a as b } from 'x'\nimport * as ns from 'y'\nconst r = require('z')\nconst { k, q: w } = require('v')\nconst p = require('u').member\nfunction g(x, y) { if (x) return; return x ? y : x && y }\n";
        with_model(src, |m| {
            let got: Vec<_> = m
                .module_bindings
                .iter()
                .map(|mb| {
                    format!(
                        "{}={}:{}",
                        mb.id.0,
                        mb.source,
                        mb.imported.as_deref().unwrap_or("*")
                    )
                })
                .collect();
            assert_eq!(
                got,
                [
                    "m=x:default",
                    "b=x:a",
                    "ns=y:*",
                    "r=z:*",
                    "k=v:k",
                    "w=v:q",
                    "p=u:member"
                ]
            );
            assert_eq!(m.conditionals.len(), 3);
            assert!(m.conditionals[0].exits, "`if (x) return` exits early");
            assert!(m.conditionals[1..].iter().all(|c| !c.exits));
            assert_eq!(m.functions[0].params, 2);
        });
    }
}
