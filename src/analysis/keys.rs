//! Is a key or value fixed at write time, or does it change from call to call?

use rustc_hash::FxHashMap;

use super::definitions;
use crate::model::semantic::{BindingId, BindingKind};
use crate::model::{AccessPath, FileModel, FnId, Invocation, Key, MemberWrite, Value};

/// A key that takes a new value on each call (`c[id]`, `` c[`u:${id}`] ``).
/// Literal keys and identifiers bound to a `const` literal are fixed.
pub fn is_dynamic_key(model: &FileModel, key: &Key) -> bool {
    match key {
        Key::Static(_) => false,
        Key::Dynamic { ident: Some(id) } => !is_constant_binding(model, id),
        Key::Dynamic { ident: None } => true,
    }
}

/// The key of a member write: like [`is_dynamic_key`], and a member of a
/// constant table (`o[KEYS.port]`, `o[Kind.A]`) is fixed too.
pub fn is_dynamic_write_key(model: &FileModel, w: &MemberWrite) -> bool {
    if w.key_path
        .as_ref()
        .is_some_and(|p| is_constant_member(model, p))
    {
        return false;
    }
    is_dynamic_key(model, &w.key)
}

/// Same question for a call argument (`m.set(k, v)`).
pub fn is_dynamic_value(model: &FileModel, value: &Value) -> bool {
    match value {
        Value::Str(_) | Value::Num(_) | Value::Bool | Value::Null | Value::Undefined => false,
        Value::Template { dynamic } => *dynamic,
        Value::Path(p) if p.props.is_empty() => match p.root_binding() {
            Some(id) => !is_constant_binding(model, &id),
            // A global such as `Symbol.iterator` or `undefined`: fixed.
            None => false,
        },
        Value::Path(p) => !is_constant_member(model, p),
        _ => true,
    }
}

fn is_literal(v: &Value) -> bool {
    matches!(
        v,
        Value::Str(_) | Value::Num(_) | Value::Bool | Value::Template { dynamic: false }
    )
}

fn is_constant_binding(model: &FileModel, id: &BindingId) -> bool {
    model.semantic.binding(id).is_some_and(|b| {
        // A module-level `const` or an import has one value for the whole
        // process (typically a Symbol or a string): a write with it as the
        // key adds at most one key (one per turn of a top-level loop, which
        // runs once).
        let once_per_process = b.is_top_level_declaration()
            && matches!(b.kind, BindingKind::Const | BindingKind::Import);
        once_per_process
            || b.kind == BindingKind::Const && b.init.as_ref().is_some_and(is_literal)
            || never_reassigned_string(model, id, b)
    })
}

/// A module-level `var` set to a string literal that nothing assigns again
/// (what minifiers make of `const NAME = 'x'`): one value for the whole
/// process. Strings only: a number may be a counter (`n++` is no
/// assignment the model records). A `let` says it is meant to change.
fn never_reassigned_string(
    model: &FileModel,
    id: &BindingId,
    b: &crate::model::semantic::Binding,
) -> bool {
    b.is_top_level_declaration()
        && b.kind == BindingKind::Var
        && matches!(b.init, Some(Value::Str(_)))
        && !model.binding_writes.iter().any(|w| w.id == *id)
}

/// `KEYS.port` where `const KEYS = { port: 'port' }` at module level (and
/// nothing writes to `KEYS`), or `Kind.A` of an `enum Kind`.
fn is_constant_member(model: &FileModel, path: &AccessPath) -> bool {
    let [prop] = path.props.as_slice() else {
        return false;
    };
    let Some(id) = path.root_binding() else {
        return false;
    };
    let Some(b) = model.semantic.binding(&id) else {
        return false;
    };
    let table =
        b.is_top_level_declaration() && matches!(b.kind, BindingKind::Const | BindingKind::Other);
    let literal_member = matches!(&b.init, Some(Value::Object { props, .. })
        if props.iter().any(|(k, v)| k == prop && is_literal(v)));
    // The walk over every write last: most paths are no constant table.
    let mutated = || {
        model
            .member_writes
            .iter()
            .any(|w| w.object.is_rooted_at(&id))
    };
    table && literal_member && !mutated()
}

/// A write whose key is one the container already has: the variable of a
/// `for (k in c)` or `for (const k of Object.keys(c))` loop, or the first
/// parameter of a callback over `Object.keys(c)` (`forEach`, `map`, …).
/// Such a write (a reset to null over every entry) never adds a key, so it
/// is not where the container grows. The phrase that says so, or `None`.
pub fn from_own_keys(model: &FileModel, w: &MemberWrite) -> Option<String> {
    let Key::Dynamic { ident: Some(id) } = &w.key else {
        return None;
    };
    let container = model.text(&w.object_span).trim();
    let b = model.semantic.binding(id)?;
    let walks = |t: &str| {
        let t: String = t.split_whitespace().collect();
        [
            "Object.keys(",
            "Object.getOwnPropertyNames(",
            "Reflect.ownKeys(",
        ]
        .iter()
        .any(|f| t == format!("{f}{container})"))
    };
    let own = match b.kind {
        BindingKind::Var | BindingKind::Let | BindingKind::Const => {
            // The loop head that declares it: `k in c)`, `k of Object.keys(c))`.
            let rest = model.source.get(b.span.range().end..)?.trim_start();
            let head = rest.get(..rest.find(')').map_or(0, |i| i + 1))?;
            let head = head.strip_suffix(')').unwrap_or(head).trim();
            match head.split_once(' ') {
                Some(("in", c)) => c.trim() == container,
                Some(("of", c)) => walks(&format!("{})", c.trim())),
                _ => false,
            }
        }
        BindingKind::Param => {
            let (f, index) = param_index(model, id)?;
            let Invocation::CallbackOf { call, arg: 0 } = model.functions[f].invocation else {
                return None;
            };
            let c = &model.calls[call];
            index == 0
                && matches!(
                    c.callee.method.as_deref(),
                    Some("forEach" | "map" | "filter" | "some" | "every")
                )
                && c.callee
                    .receiver_span
                    .as_ref()
                    .is_some_and(|r| walks(model.text(r)))
        }
        _ => false,
    };
    own.then(|| {
        format!(
            "`{}` walks the keys `{container}` already has: this write adds none",
            id.0
        )
    })
}

/// Where a key comes from, with the evidence a message can quote.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyOrigin {
    /// From a small fixed set: literals, constants, constant tables, a
    /// parameter every call site passes a literal to.
    Bounded(String),
    /// New on every call: counters, time, random ids, serialised per-call
    /// values.
    Unbounded(String),
    /// Computed at run time from values the file does not show (a caller's
    /// argument, a field of an object passed in).
    Unknown,
}

/// The origin of the key of a member write (`c[key] = v`).
pub fn origin_of_write(model: &FileModel, w: &MemberWrite) -> KeyOrigin {
    if !is_dynamic_write_key(model, w) {
        return KeyOrigin::Bounded("a literal or a constant".into());
    }
    // A registry of classes or functions, one entry per definition.
    if let Some(r) = definitions::of_write(model, w).filter(|r| r.is_complete()) {
        return KeyOrigin::Bounded(format!("one entry per definition: {}", r.why()));
    }
    let ident = match &w.key {
        Key::Dynamic { ident } => ident.as_ref(),
        Key::Static(_) => None,
    };
    let origin = origin_of(model, model.text(&w.key_span), ident, w.fn_ctx);
    if origin != KeyOrigin::Unknown {
        return origin;
    }
    // `queue[message.id]`: a field of what a listener receives.
    match w.key_path.as_ref().and_then(|p| p.root_binding()) {
        Some(root) => event_field(model, &root, model.text(&w.key_span)).unwrap_or(origin),
        None => origin,
    }
}

/// A parameter of a listener callback (`on('message', (msg) => …)`,
/// `addEventListener('message', …)`): each event brings new values, so a
/// key read from it is new per event.
fn event_field(model: &FileModel, root: &BindingId, text: &str) -> Option<KeyOrigin> {
    let mut b = model.semantic.binding(root)?;
    // `var message = event.data`: one step back to the listener's parameter.
    if let Some(Value::Path(p)) = &b.init {
        if b.kind != BindingKind::Param {
            b = model.semantic.binding(&p.root_binding()?)?;
        }
    }
    if b.kind != BindingKind::Param {
        return None;
    }
    let Invocation::CallbackOf { call, .. } = model.functions[b.fn_ctx?].invocation else {
        return None;
    };
    let c = &model.calls[call];
    let listener = matches!(
        c.callee.method.as_deref(),
        Some("on" | "addListener" | "addEventListener" | "prependListener")
    );
    let event = match c.args.first().map(|a| &a.value) {
        // An emitter's own meta-events bring event names, a small set.
        Some(Value::Str(e)) if matches!(e.as_ref(), "newListener" | "removeListener") => {
            return None;
        }
        Some(Value::Str(e)) => e.to_string(),
        _ => return None,
    };
    listener.then(|| {
        KeyOrigin::Unbounded(format!(
            "`{}` is read from each `{event}` event the listener receives",
            short(text)
        ))
    })
}

/// The origin of a key passed as a call argument (`m.set(key, v)`) in a
/// call made in function context `fn_ctx`.
pub fn origin_of_arg(
    model: &FileModel,
    value: &Value,
    text: &str,
    fn_ctx: Option<FnId>,
) -> KeyOrigin {
    if !is_dynamic_value(model, value) {
        return KeyOrigin::Bounded("a literal or a constant".into());
    }
    let ident = match value {
        Value::Path(p) if p.props.is_empty() => p.root_binding(),
        _ => None,
    };
    origin_of(model, text, ident.as_ref(), fn_ctx)
}

fn origin_of(
    model: &FileModel,
    text: &str,
    ident: Option<&BindingId>,
    fn_ctx: Option<FnId>,
) -> KeyOrigin {
    if let Some(why) = fresh_per_call(text) {
        return KeyOrigin::Unbounded(format!("`{}` {why}", short(text)));
    }
    let Some(id) = ident else {
        return identity(text).unwrap_or(KeyOrigin::Unknown);
    };
    let Some(b) = model.semantic.binding(id) else {
        return KeyOrigin::Unknown;
    };
    if b.kind == BindingKind::Param {
        if let Some(why) = literal_at_every_call(model, id) {
            return KeyOrigin::Bounded(why);
        }
        return identity(text).unwrap_or(KeyOrigin::Unknown);
    }
    if let Some(why) = stepped_before_use(model, id, fn_ctx) {
        return KeyOrigin::Unbounded(why);
    }
    // A local computed from per-call values: `const key = a + JSON.stringify(o)`.
    if let Some(init) = initializer_text(model, b) {
        // The author serialises a copy with the changing part taken out:
        // what is left is not shown to be new per call.
        if serialises_a_stripped_copy(model, init, b.fn_ctx) {
            return KeyOrigin::Unknown;
        }
        if let Some(why) = fresh_per_call(init) {
            return KeyOrigin::Unbounded(format!("`{}` is `{}`: it {why}", id.0, short(init)));
        }
    }
    KeyOrigin::Unknown
}

/// A counter that outlives the function using it as a key, stepped up
/// (`n++`, `++n`) in that same function and never assigned anything else:
/// each run of the function keys by a number no earlier run used. A counter
/// of the function's own (`let i = 0` in it) restarts with every call and
/// is not one; nor is one reset (`n = 0`) or set elsewhere.
fn stepped_before_use(model: &FileModel, id: &BindingId, fn_ctx: Option<FnId>) -> Option<String> {
    let b = model.semantic.binding(id)?;
    let f = fn_ctx?;
    let outlives = match b.fn_ctx {
        None => true,
        Some(g) => g != f && model.is_within(Some(f), g),
    };
    if !outlives || !matches!(b.kind, BindingKind::Var | BindingKind::Let) {
        return None;
    }
    if !matches!(b.init, None | Some(Value::Num(_))) {
        return None;
    }
    // The short list first: steps are rarer than assignments.
    let step = model
        .increments
        .iter()
        .find(|s| s.id == *id && s.fn_ctx == Some(f))?;
    if model.binding_writes.iter().any(|w| w.id == *id) {
        return None;
    }
    Some(format!(
        "`{}` is a counter: this function steps it up ({}) and nothing resets it, so every key is new",
        id.0,
        model.text(&step.span)
    ))
}

/// Words that name an identity: `req.id`, `msg.sessionId`, `job.uuid`.
/// Every request, message or session brings its own, so the key set grows
/// with the traffic, unlike names (`attr.name`, `tag`) that repeat.
/// (`token` is left out: lexers and format tables use it for a fixed set.)
const IDENTITY_WORDS: &[&str] = &["id", "uuid", "guid"];

/// A key that reads the identity of an object it is given (`req.id`,
/// `msg.requestId`: the last word of the property is an identity word), as
/// an unbounded origin. A bare parameter named `id` is not enough: start-up
/// registration APIs (`register(id, fn)`) take a fixed set of ids.
fn identity(text: &str) -> Option<KeyOrigin> {
    let text = text.trim();
    let (_, last) = text.rsplit_once('.')?;
    let last = last.trim();
    if last.is_empty()
        || !last
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    {
        return None;
    }
    let word = crate::analysis::expiry::words(last).last()?;
    IDENTITY_WORDS.contains(&word.as_str()).then(|| {
        KeyOrigin::Unbounded(format!(
            "`{}` is an identity: each request, message or session brings its own",
            short(text)
        ))
    })
}

/// Does an expression make a new value on every call, and why?
fn fresh_per_call(text: &str) -> Option<&'static str> {
    const SOURCES: &[(&str, &str)] = &[
        (
            "JSON.stringify(",
            "serialises the whole per-call value, so every distinct value is a new key",
        ),
        ("Date.now(", "includes the current time"),
        ("performance.now(", "includes the current time"),
        ("new Date(", "includes the current time"),
        ("Math.random(", "is random"),
        ("randomUUID(", "is a random id"),
        ("uuid", "is a random id"),
        ("nanoid(", "is a random id"),
        ("++", "comes from a counter"),
    ];
    SOURCES
        .iter()
        .find(|(needle, _)| text.contains(needle))
        .map(|(_, why)| *why)
}

/// `JSON.stringify(copy)` where `copy` is a local of the same function set
/// to a copy with a field cleared (`{ ...options, [k]: undefined }`, which
/// JSON drops) or with a field deleted (`delete copy.value`): the author
/// keys by the options without the value that changes per call.
fn serialises_a_stripped_copy(model: &FileModel, text: &str, fn_ctx: Option<FnId>) -> bool {
    const CALL: &str = "JSON.stringify(";
    let Some(at) = text.find(CALL) else {
        return false;
    };
    let arg = &text[at + CALL.len()..];
    let name_len = arg
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(arg.len());
    let name = &arg[..name_len];
    if name.is_empty() || !arg[name_len..].trim_start().starts_with(')') {
        return false;
    }
    let Some((id, _)) = model.semantic.bindings().find(|(id, b)| {
        id.0 == name
            && b.fn_ctx == fn_ctx
            && matches!(
                b.kind,
                BindingKind::Var | BindingKind::Let | BindingKind::Const
            )
    }) else {
        return false;
    };
    let clears_a_field = |t: &str| {
        t.contains("...")
            && [": undefined", ":undefined", ": void 0", ":void 0"]
                .iter()
                .any(|c| t.contains(c))
    };
    let copied = model.binding_writes.iter().any(|w| {
        w.id == *id
            && matches!(w.value, Value::Object { .. })
            && clears_a_field(model.text(&w.span))
    });
    let deleted = model.deletes.iter().any(|d| d.object.is_rooted_at(id));
    copied || deleted
}

/// The source text of a `const`/`let`/`var` initialiser, from the binding's
/// name to the end of its statement (one line at most).
fn initializer_text<'m>(
    model: &'m FileModel,
    b: &crate::model::semantic::Binding,
) -> Option<&'m str> {
    if !matches!(
        b.kind,
        BindingKind::Const | BindingKind::Let | BindingKind::Var
    ) || b.init.is_none()
    {
        return None;
    }
    let rest = model.source.get(b.span.range().end..)?;
    let rest = rest.trim_start().strip_prefix('=')?;
    let end = rest.find(['\n', ';']).unwrap_or(rest.len()).min(240);
    Some(rest.get(..end)?.trim())
}

fn short(text: &str) -> String {
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > 60 {
        format!("{}…", t.chars().take(59).collect::<String>())
    } else {
        t
    }
}

/// Parameters of each function in source order, and the binding each
/// function is declared as: built once per file, on the first question.
pub(crate) struct Params {
    params: FxHashMap<FnId, Vec<BindingId>>,
    binding_of: FxHashMap<FnId, BindingId>,
}

fn params<'m>(model: &'m FileModel) -> &'m Params {
    model.derived.get_or_init(|| {
        let mut with_start: FxHashMap<FnId, Vec<(usize, BindingId)>> = FxHashMap::default();
        let mut binding_of = FxHashMap::default();
        for (id, b) in model.semantic.bindings() {
            if let (BindingKind::Param, Some(f)) = (b.kind, b.fn_ctx) {
                with_start
                    .entry(f)
                    .or_default()
                    .push((b.span.range().start, id.clone()));
            }
            if let Some(Value::Function(Some(g))) = b.init {
                binding_of.entry(g).or_insert_with(|| id.clone());
            }
        }
        let params = with_start
            .into_iter()
            .map(|(f, mut v)| {
                v.sort_by_key(|(s, _)| *s);
                (f, v.into_iter().map(|(_, id)| id).collect())
            })
            .collect();
        Params { params, binding_of }
    })
}

/// The function a parameter belongs to and its position among the
/// function's parameters.
pub(crate) fn param_index(model: &FileModel, param: &BindingId) -> Option<(FnId, usize)> {
    let f = model.semantic.binding(param)?.fn_ctx?;
    let index = params(model)
        .params
        .get(&f)?
        .iter()
        .position(|id| id == param)?;
    Some((f, index))
}

/// The binding a function is declared as (`function f`, `const f = () => …`).
pub(crate) fn binding_of_fn<'m>(model: &'m FileModel, f: FnId) -> Option<&'m BindingId> {
    params(model).binding_of.get(&f)
}

/// A parameter that every call site in the file passes a literal to, in a
/// function the file does not hand out (every use of its name is a direct
/// call): its values are the literals at those sites.
fn literal_at_every_call(model: &FileModel, param: &BindingId) -> Option<String> {
    constant_at_every_call(model, param, 0)
}

/// How many helpers deep a constant is followed through parameters.
const MAX_DEPTH: u32 = 3;

/// Like [`literal_at_every_call`], with constants too: a module-level
/// `const`, function or import, a member of an imported module
/// (`warnings.deprecated_x`), or a parameter that is itself constant at
/// every call (a warn-once helper called from helpers that pass it on).
fn constant_at_every_call(model: &FileModel, param: &BindingId, depth: u32) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let f = model.semantic.binding(param)?.fn_ctx?;
    let index_of = params(model);
    let index = index_of.params.get(&f)?.iter().position(|id| id == param)?;
    let fn_binding = index_of.binding_of.get(&f)?;
    if model.exports.contains(fn_binding) {
        return None;
    }
    let uses = model.semantic.references(fn_binding);
    // Every use must be a call of it (`f(…)`): one passed on or stored may
    // be called with anything.
    let calls = crate::analysis::call_sites::of(model).calls_of(fn_binding);
    if uses.is_empty() || calls.len() != uses.len() {
        return None;
    }
    let mut literals: Vec<String> = Vec::new();
    for &call in calls {
        let arg = model.calls[call].args.get(index)?;
        if arg.spread || !constant_arg(model, &arg.value, depth) {
            return None;
        }
        let text = model.text(&arg.span).to_string();
        if !literals.contains(&text) {
            literals.push(text);
        }
    }
    let shown: Vec<String> = literals.iter().take(3).map(|l| format!("`{l}`")).collect();
    let more = if literals.len() > 3 { " or …" } else { "" };
    Some(format!(
        "`{}` is {}{more} at every call in this file",
        param.0,
        shown.join(" or ")
    ))
}

/// Is a call argument fixed for the whole process: a literal, a constant,
/// an import (see [`constant_at_every_call`])? What other files pass, as
/// far as this file shows.
pub(crate) fn is_constant_arg(model: &FileModel, value: &Value) -> bool {
    constant_arg(model, value, 0)
}

/// Like [`is_constant_arg`] without following parameters to their callers
/// (a parameter counts as changing): cheap enough for every call of a file.
pub(crate) fn is_constant_arg_here(model: &FileModel, value: &Value) -> bool {
    constant_arg(model, value, MAX_DEPTH)
}

/// A key that is parameter `index` of a function this module exports (as
/// `export`), where every use of the function in this file is its export
/// or a call passing a constant there: the keys are decided by the calls
/// of other modules. `None` when the function is a method, is handed out
/// in this file (passed as a value), or a call here passes a value that
/// changes.
pub fn exported_param(model: &FileModel, param: &BindingId) -> Option<(swc_atoms::Atom, usize)> {
    let (f, index) = param_index(model, param)?;
    let fn_binding = binding_of_fn(model, f)?;
    let export = if model.exports.contains(fn_binding) {
        fn_binding.0.clone()
    } else {
        model.member_writes.iter().find_map(|w| {
            let exports_object = match (&w.object.root, w.object.props.as_slice()) {
                (crate::model::Root::Global(m), [e]) => m == "module" && e == "exports",
                (crate::model::Root::Global(e), []) => e == "exports",
                _ => false,
            };
            match (&w.key, &w.value) {
                (Key::Static(name), Value::Path(p))
                    if exports_object
                        && w.fn_ctx.is_none()
                        && p.props.is_empty()
                        && p.is_rooted_at(fn_binding) =>
                {
                    Some(name.clone())
                }
                _ => None,
            }
        })?
    };
    for r in model.semantic.references(fn_binding) {
        let call = model
            .calls
            .iter()
            .find(|c| c.callee_span == r.span && !c.is_new);
        let ok = match call {
            Some(c) => match c.args.get(index) {
                Some(a) => !a.spread && is_constant_arg(model, &a.value),
                None => !c.args.iter().any(|a| a.spread),
            },
            // The export itself: a use at module level that hands the
            // function to no call.
            None => {
                r.fn_ctx.is_none()
                    && !model.calls.iter().any(|c| {
                        c.args.iter().any(|a| {
                            a.span.start() <= r.span.start() && r.span.end() <= a.span.end()
                        })
                    })
            }
        };
        if !ok {
            return None;
        }
    }
    Some((export, index))
}

/// A literal, or a value fixed for the whole process (see
/// [`constant_at_every_call`]).
fn constant_arg(model: &FileModel, value: &Value, depth: u32) -> bool {
    if is_literal(value) {
        return true;
    }
    let Value::Path(p) = value else { return false };
    let Some(id) = p.root_binding() else {
        return false;
    };
    let Some(b) = model.semantic.binding(&id) else {
        return false;
    };
    match b.kind {
        BindingKind::Import => true,
        BindingKind::Const | BindingKind::Function | BindingKind::Class
            if b.is_top_level_declaration() =>
        {
            p.props.is_empty() || is_constant_member(model, p)
        }
        BindingKind::Param if p.props.is_empty() => {
            constant_at_every_call(model, &id, depth + 1).is_some()
        }
        BindingKind::Var if p.props.is_empty() => never_reassigned_string(model, &id, b),
        // `const type = 'console'; add(type, fn)`: a local named literal.
        BindingKind::Const if p.props.is_empty() => b.init.as_ref().is_some_and(is_literal),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    /// Is the key of the last member write in `src` dynamic?
    fn last_write_is_dynamic(src: &str) -> bool {
        let mut r = false;
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            r = is_dynamic_write_key(m, m.member_writes.last().unwrap());
        });
        r
    }

    #[test]
    fn identities_are_unbounded_names_are_not() {
        for key in [
            "req.id",
            "msg?.id",
            "m.requestId",
            "this.session_id",
            "socket.ID",
            "m.uuid",
        ] {
            assert!(
                matches!(identity(key), Some(KeyOrigin::Unbounded(_))),
                "{key}"
            );
        }
        for key in [
            "attr.name",
            "tag",
            "id",
            "requestId",
            "o.valid",
            "o.width",
            "o.grid",
            "f(x).id + 1",
            "t.token",
        ] {
            assert_eq!(identity(key), None, "{key}");
        }
    }

    #[test]
    fn literal_constant_and_table_keys_are_fixed() {
        assert!(!last_write_is_dynamic("const o = {};\no['a'] = 1;\n"));
        assert!(!last_write_is_dynamic(
            "const K = 'a';\nconst o = {};\no[K] = 1;\n"
        ));
        assert!(!last_write_is_dynamic(
            "const K = { a: 'a' } as const;\nconst o = {};\no[K.a] = 1;\n"
        ));
        assert!(!last_write_is_dynamic(
            "enum E { A, B = 'b' }\nconst o = {};\no[E.A] = 1;\no[E.B] = 2;\n"
        ));
    }

    #[test]
    fn a_module_var_set_once_to_a_string_is_fixed() {
        assert!(!last_write_is_dynamic(
            "var K = 'a';\nconst o = {};\no[K] = 1;\n"
        ));
        assert!(last_write_is_dynamic(
            "var K = 'a';\nexport function f(v) { K = v }\nconst o = {};\no[K] = 1;\n"
        ));
        assert!(
            last_write_is_dynamic("var K = 0;\nconst o = {};\no[K] = 1;\n"),
            "a number may be a counter"
        );
        let minified = "var A = 'x', B = 'y', reg = {};\nfunction load(k, v) { reg[k] || (reg[k] = v) }\nexport function a() { load(A, {}) }\nexport function b() { load(B, {}) }\n";
        assert!(
            matches!(origin(minified), KeyOrigin::Bounded(w) if w.contains("`A` or `B`")),
            "{:?}",
            origin(minified)
        );
    }

    #[test]
    fn a_walk_over_the_containers_own_keys_adds_none() {
        let own = |src: &str| {
            let mut r = None;
            crate::engine::with_model_for_test(src, Dialect::Js, |m| {
                r = from_own_keys(m, m.member_writes.last().unwrap());
            });
            r
        };
        for src in [
            "const h = {};\nexport function reset() { Object.keys(h).forEach((k) => { h[k] = undefined; }); }\n",
            "const h = {};\nexport function reset() { for (const k in h) h[k] = null; }\n",
            "const h = {};\nexport function reset() { for (const k of Object.keys(h)) { h[k] = null; } }\n",
        ] {
            assert!(own(src).is_some(), "{src}");
        }
        for src in [
            "const h = {}, o = {};\nexport function reset() { for (const k in o) h[k] = null; }\n",
            "const h = {};\nexport function drop(k) { h[k] = null; }\n",
            "const h = {}, o = {};\nexport function reset() { Object.keys(o).forEach((k) => { h[k] = null; }); }\n",
        ] {
            assert!(own(src).is_none(), "{src}");
        }
    }

    #[test]
    fn values_that_change_per_call_are_dynamic() {
        assert!(last_write_is_dynamic(
            "const o = {};\nfunction f(k) { o[k] = 1 }\n"
        ));
        assert!(last_write_is_dynamic(
            "const o = {};\nfunction f(r) { o[r.id] = 1 }\n"
        ));
        assert!(last_write_is_dynamic(
            "let K = 'a';\nconst o = {};\no[K] = 1;\n"
        ));
        assert!(
            last_write_is_dynamic(
                "const K = { a: 'a' };\nK.a = input();\nconst o = {};\no[K.a] = 1;\n"
            ),
            "a table that is written to is not constant"
        );
        assert!(
            last_write_is_dynamic("function f(K) { const o = {}; o[K.a] = 1 }\n"),
            "a parameter's member is not a constant"
        );
    }

    /// The origin of the last member write's key in `src`.
    fn origin(src: &str) -> KeyOrigin {
        let mut r = KeyOrigin::Unknown;
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            r = origin_of_write(m, m.member_writes.last().unwrap());
        });
        r
    }

    #[test]
    fn per_call_values_are_unbounded_with_their_source() {
        let serialised = origin(
            "const c = {};\nexport function f(lng, o) { const key = lng + JSON.stringify(o); c[key] = 1 }\n",
        );
        assert!(
            matches!(&serialised, KeyOrigin::Unbounded(w) if w.contains("lng + JSON.stringify(o)")),
            "{serialised:?}"
        );
        assert!(matches!(
            origin("const c = {};\nlet n = 0;\nexport function f(v) { c[++n] = v }\n"),
            KeyOrigin::Unbounded(_)
        ));
        assert!(matches!(
            origin("const c = {};\nexport function f(v) { const id = Date.now(); c[id] = v }\n"),
            KeyOrigin::Unbounded(_)
        ));
    }

    #[test]
    fn a_serialised_copy_without_the_changing_field_is_not_shown_unbounded() {
        let stripped = "const c = {};\nexport function f(lng, o) {\n  let opt = o;\n  if (o.k) { opt = { ...opt, [o.k]: undefined }; }\n  const key = lng + JSON.stringify(opt);\n  c[key] = 1;\n}\n";
        assert_eq!(origin(stripped), KeyOrigin::Unknown);
        let deleted = "const c = {};\nexport function f(lng, o) {\n  const opt = { ...o };\n  delete opt.value;\n  const key = lng + JSON.stringify(opt);\n  c[key] = 1;\n}\n";
        assert_eq!(origin(deleted), KeyOrigin::Unknown);
        let whole = "const c = {};\nexport function f(lng, o) {\n  let opt = o;\n  if (o.k) { opt = { ...opt, extra: 1 }; }\n  const key = lng + JSON.stringify(opt);\n  c[key] = 1;\n}\n";
        assert!(matches!(origin(whole), KeyOrigin::Unbounded(_)));
    }

    #[test]
    fn parameters_with_literals_at_every_call_are_bounded() {
        let src = "const c = {};\nfunction warn(m) { c[m] = 1 }\nwarn('a');\nfunction g() { warn('b') }\n";
        assert!(matches!(origin(src), KeyOrigin::Bounded(w) if w.contains("`'a'` or `'b'`")));
        let named = "const c = {};\nfunction add(t) { c[t] = 1 }\nfunction a() { const t = 'x'; add(t) }\nfunction b() { let t = 'y'; add(t) }\n";
        assert_eq!(origin(named), KeyOrigin::Unknown, "a `let` may change");
        let named = "const c = {};\nfunction add(t) { c[t] = 1 }\nfunction a() { const t = 'x'; add(t) }\nadd('y');\n";
        assert!(
            matches!(origin(named), KeyOrigin::Bounded(_)),
            "{:?}",
            origin(named)
        );
        let passed_on = "const c = {};\nfunction warn(m) { c[m] = 1 }\nwarn('a');\nexport function g(x) { warn(x) }\n";
        assert_eq!(origin(passed_on), KeyOrigin::Unknown);
        let handed_out =
            "const c = {};\nfunction warn(m) { c[m] = 1 }\nwarn('a');\nexport { warn };\n";
        assert_eq!(origin(handed_out), KeyOrigin::Unknown);
        assert_eq!(
            origin("const c = {};\nexport function f(k) { c[k] = 1 }\n"),
            KeyOrigin::Unknown
        );
    }
}
