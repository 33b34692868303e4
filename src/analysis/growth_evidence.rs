//! How strongly the code shows that a container grows for good: the
//! confidence of an `unbounded-cache` or `unbounded-array` growth site, from
//! the run-frequency and key-origin answers, with the evidence a finding
//! quotes.
//!
//! A growth site is reported as **high** when one of these is shown:
//! - the key is new on every call ([`KeyOrigin::Unbounded`](crate::analysis::keys::KeyOrigin::Unbounded), with its
//!   source: a counter, the time, a random id, a field of an event);
//! - the code runs again and again for a reason the file shows
//!   ([`Strength::Shown`]: a listener, an interval, a route handler, a
//!   callback run any number of times, a loop that never ends, recursion),
//!   whatever the key.
//!
//! Otherwise, when the key is only computed from values the file does not
//! show and the code runs "many times" only because its callers are not
//! shown (an exported function, a method, a function handed out), the
//! finding is **medium**: on real code such sites are mostly warn-once
//! sets, start-up registries and tables keyed by a small set of names.

use crate::analysis::frequency::{Frequencies, Frequency, Why};
use crate::model::semantic::BindingKind;
use crate::model::{CallId, FileModel, FnId, LoopTest, Root, Value};

/// How the file shows that code runs many times, with how often it runs
/// (the frequency answer's words; the rules word the rest).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Strength {
    /// Repetition the file shows.
    Shown(String),
    /// Only assumed: the callers are elsewhere (exported, a method, a
    /// function handed out) or the chain of calls is too long to follow.
    Assumed(String),
}

/// The strength of "runs many times" at `pos` in `fn_ctx`: follows calls
/// (`CalledFrom`) and loops to the reason at the root of the chain.
pub(crate) fn repetition(freq: &Frequencies, fn_ctx: Option<FnId>, pos: usize) -> Strength {
    let f = freq.at(fn_ctx, pos);
    let text = freq.describe(&f);
    match root_shown(freq, f, 0) {
        true => Strength::Shown(text),
        false => Strength::Assumed(text),
    }
}

fn root_shown(freq: &Frequencies, f: Frequency, depth: u32) -> bool {
    if depth > 8 {
        return false;
    }
    let m = freq.model();
    match f {
        Frequency::Once(_) | Frequency::PerCall(_) => false,
        Frequency::Many(why) => match why {
            // A listener for an event that ends the process runs a few
            // times at most before it exits.
            Why::Listener(c) => !ends_process(m, c),
            Why::Interval(_) | Why::Route(_) | Why::EventHandler(_) => true,
            // A callback handed to a function the file does not show runs
            // as often as its registration is shown to: a callback given
            // once at load (`each(TABLE, fn)`) walks a fixed table.
            // A function of this file was looked into by the frequency
            // answer: it hands the callback on to something that repeats.
            Why::Callback(c) => {
                let call = &m.calls[c];
                calls_local_function(m, call)
                    || root_shown(freq, freq.at(call.fn_ctx, call.span.start()), depth + 1)
            }
            Why::Recursive(_) => true,
            // A walk over a collection at hand (a table at load time) turns
            // as many times as the collection has elements: many only if the
            // code around it runs many times. Other loops (no end, a count,
            // a condition) repeat by themselves.
            Why::Loop(l) => {
                let lp = &m.loops[l];
                lp.awaits
                    || lp.test != LoopTest::Walk
                    || root_shown(freq, outer(freq, lp.fn_ctx, lp.span.start()), depth + 1)
            }
            Why::CalledFrom(c) => {
                let call = &m.calls[c];
                root_shown(freq, freq.at(call.fn_ctx, call.span.start()), depth + 1)
            }
            Why::Exported(_) | Why::TooDeep => false,
            _ => false,
        },
    }
}

/// `f(…)` where `f` is a function declared in this file.
fn calls_local_function(m: &FileModel, call: &crate::model::CallFact) -> bool {
    let Some(p) = call.callee.path.as_ref() else {
        return false;
    };
    if !p.props.is_empty() {
        return false;
    }
    p.root_binding()
        .and_then(|id| m.semantic.binding(&id))
        .is_some_and(|b| {
            b.kind == BindingKind::Function || matches!(b.init, Some(Value::Function(_)))
        })
}

/// What a call adds, when it is a value the call itself creates: `this`
/// (the instance a method runs on), a local initialised with an object, a
/// function, a `new`, a literal or a timer handle, or such an expression in
/// place. Every call adds a new one, whoever the callers are.
///
/// `as_key`: the value is a `Map`/`Set` key, where only a new *object* is a
/// new key; a local computed from the arguments (`const key = tz ?? ''`) is
/// a string or a number that the next call may well compute again.
pub(crate) fn created_per_call(
    model: &FileModel,
    call: &crate::model::CallFact,
    arg: &Value,
    text: &str,
    as_key: bool,
) -> Option<String> {
    let fresh = |v: &Value| match v {
        Value::Object { .. } | Value::Array { .. } | Value::Function(_) | Value::New(_) => true,
        Value::Call(c) => c
            .callee
            .as_ref()
            .is_some_and(|p| p.props.is_empty() && TIMERS.contains(&p.to_string().as_str())),
        _ => false,
    };
    match arg {
        // Self-registration: every instance it runs on stays reachable.
        Value::Path(p) if p.props.is_empty() && p.root == Root::This => {
            model.this_function(call.fn_ctx)?;
            Some("the instance it runs on (`this`)".to_string())
        }
        Value::Path(p) if p.props.is_empty() => {
            let id = p.root_binding()?;
            let b = model.semantic.binding(&id)?;
            let local = b.fn_ctx.is_some()
                && b.fn_ctx == call.fn_ctx
                && matches!(
                    b.kind,
                    BindingKind::Const
                        | BindingKind::Let
                        | BindingKind::Var
                        | BindingKind::Function
                )
                && b.init
                    .as_ref()
                    .is_some_and(|v| fresh(v) || (!as_key && matches!(v, Value::Other)));
            local.then(|| format!("`{}`, a value created by the call", id.0))
        }
        v if fresh(v) => Some(format!("`{text}`, a value created by the call")),
        _ => None,
    }
}

/// A store API: a function (not a registration API) that keeps the value
/// its caller passes under the key its caller passes (`put(k, v) { c[k] = v }`).
/// The container is the product: what goes in is whatever the callers
/// store, with no table or name set to bound it. Where the key comes from,
/// or `None`.
pub(crate) fn store_api(
    model: &FileModel,
    fn_ctx: Option<FnId>,
    key: Option<&crate::model::semantic::BindingId>,
    value: &Value,
) -> Option<String> {
    let param = |id: &crate::model::semantic::BindingId| {
        model
            .semantic
            .binding(id)
            .is_some_and(|b| b.kind == BindingKind::Param && b.fn_ctx == fn_ctx && fn_ctx.is_some())
    };
    let key = key.filter(|k| param(k))?;
    let Value::Path(v) = value else { return None };
    let v = v.root_binding().filter(|v| param(v) && v != key)?;
    if !v_is_whole(value)
        || crate::analysis::frequency::roles::in_registration_method(model, fn_ctx)
        || uses_methods_of(model, fn_ctx, &v)
    {
        return None;
    }
    // `type = computeKey(type)`, `props = { …props }`: once reassigned, the
    // key or the value is the function's own, not what its callers pass.
    if model
        .binding_writes
        .iter()
        .any(|w| w.fn_ctx == fn_ctx && (&w.id == key || w.id == v))
    {
        return None;
    }
    let name = model
        .this_function(fn_ctx)
        .and_then(|f| model.functions[f].name.clone())
        .map(|n| format!("`{n}`"))
        .unwrap_or_else(|| "the function".into());
    Some(format!(
        "a store API: {name} keeps the value its callers pass (`{}`) under the key they pass (`{}`)",
        v.0, key.0
    ))
}

/// Does the function call a method of `value` (`if (adapter.valid())`,
/// `plugin.install(app)`)? A store keeps what it is handed without looking
/// inside; a function that drives the value through its own protocol is
/// installing a component under a name (a registry of adapters, plugins,
/// drivers), whose names are the installed set, not callers' data.
fn uses_methods_of(
    model: &FileModel,
    fn_ctx: Option<FnId>,
    value: &crate::model::semantic::BindingId,
) -> bool {
    // Settling a promise or reading a value as text is what a store of
    // promises or strings does too.
    const DATA_METHODS: &[&str] = &["then", "catch", "finally", "toString", "valueOf"];
    model.calls.iter().any(|c| {
        c.fn_ctx == fn_ctx
            && c.callee
                .method
                .as_ref()
                .is_some_and(|m| !DATA_METHODS.contains(&m.as_ref()))
            && c.callee
                .path
                .as_ref()
                .is_some_and(|p| p.is_rooted_at(value) && p.props.len() == 1)
    })
}

fn v_is_whole(v: &Value) -> bool {
    matches!(v, Value::Path(p) if p.props.is_empty())
}

/// Calls that return a new handle each time.
const TIMERS: &[&str] = &[
    "setTimeout",
    "setInterval",
    "setImmediate",
    "requestAnimationFrame",
];

/// Events after which a process exits (or is expected to).
const PROCESS_ENDING_EVENTS: &[&str] = &[
    "uncaughtException",
    "exit",
    "beforeExit",
    "SIGINT",
    "SIGTERM",
    "SIGHUP",
];

fn ends_process(m: &FileModel, c: CallId) -> bool {
    matches!(m.calls[c].args.first().map(|a| &a.value),
        Some(Value::Str(e)) if PROCESS_ENDING_EVENTS.contains(&e.as_ref()))
}

/// Constructors whose argument is a string or a number: a key handed to
/// one says nothing about the key being an object.
const VALUE_CONSTRUCTORS: &[&str] = &[
    "RegExp",
    "Error",
    "TypeError",
    "RangeError",
    "URL",
    "Date",
    "String",
    "Number",
    "Symbol",
];

/// A Map or Set key that the same function hands to a constructor as a
/// named option (`new ScrollTimeline({ source: container })`): an
/// object such as an element or a socket, which a strong `Map` keeps alive
/// with everything it refers to. Where the key comes from, or `None`.
pub(crate) fn object_key(model: &FileModel, fn_ctx: Option<FnId>, key: &Value) -> Option<String> {
    let Value::Path(k) = key else { return None };
    if !k.props.is_empty() {
        return None;
    }
    let id = k.root_binding()?;
    let is_key =
        |v: &Value| matches!(v, Value::Path(p) if p.props.is_empty() && p.is_rooted_at(&id));
    model.calls.iter().find_map(|call| {
        if !call.is_new || call.fn_ctx != fn_ctx {
            return None;
        }
        let name = call.callee.path.as_ref().map(|p| p.to_string())?;
        // Errors take a message or a path, whatever their class is called.
        if VALUE_CONSTRUCTORS.contains(&name.as_str()) || name.contains("Error") {
            return None;
        }
        // As a named option (`{ source: key }`): a positional argument may
        // be a name as easily as an object.
        let handed = call.args.iter().any(|a| {
            matches!(&a.value, Value::Object { props, .. } if props.iter().any(|(_, v)| is_key(v)))
        });
        handed.then(|| {
            format!(
                "an object, handed to `new {name}` as an option (line {}): the strong `Map` keeps it alive",
                model.line_of(call.span.start())
            )
        })
    })
}

/// The frequency of the code around a loop statement (its own position,
/// not its body).
fn outer(freq: &Frequencies, fn_ctx: Option<FnId>, pos: usize) -> Frequency {
    freq.at(fn_ctx, pos)
}

/// Does the function return early when the key is missing before it writes
/// `container[key]` (`if (c[k] === undefined) return false; … c[k] = v`)?
/// Then the write only re-sets keys that are already there: a setter of a
/// fixed table, not growth.
pub(crate) fn write_needs_existing_key(model: &FileModel, w: &crate::model::MemberWrite) -> bool {
    let container = model.text(&w.object_span).trim();
    let key = model.text(&w.key_span).trim();
    if container.is_empty() || key.is_empty() {
        return false;
    }
    let entry = format!("{container}[{key}]");
    let absent_tests = [
        format!("{entry} === undefined"),
        format!("{entry} == undefined"),
        format!("{entry} === void 0"),
        format!("{entry} == null"),
        format!("!({key} in {container})"),
        format!("!{container}.hasOwnProperty({key})"),
    ];
    model.conditionals.iter().any(|c| {
        if !c.exits || c.fn_ctx != w.fn_ctx || c.span.start() >= w.span.start() {
            return false;
        }
        // The test: the statement's text up to the branch that runs when it
        // passes (the early exit).
        let test_end = c.branch.as_ref().map_or(c.span.end(), |b| b.start());
        let test = model.source.get(c.span.start()..test_end).unwrap_or("");
        absent_tests.iter().any(|t| test.contains(t.as_str()))
    })
}
