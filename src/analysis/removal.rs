//! Removal completeness: is what an operation adds (a listener, a timer, a
//! subscription) undone on every way the operation ends, or only on some?
//!
//! The answer is a [`Removal`] with the evidence a message can quote:
//! "removed where `onDone` settles, not where `onFail` settles". A removal
//! that cannot match its add (another event, another function, another
//! `capture` flag) counts as none. Partial removal is a strong finding: the
//! author knew the listener must go, and missed a way out.

use rustc_hash::FxHashSet;
use swc_atoms::Atom;

use crate::analysis::callers;
use crate::analysis::listeners::{self, Registration, callee_identity};
use crate::analysis::resources;
use crate::model::semantic::BindingKind;
use crate::model::{CallFact, FileModel, FnId, Invocation, TextSpan, Value};

/// A way an operation ends, with where it happens.
#[derive(Clone, Debug)]
pub struct Ending {
    /// The settling call (`reject(err)`, `resolve(value)`).
    pub span: TextSpan,
    /// Where it happens, for messages: "`onerror`", "the executor's own body".
    pub place: String,
    /// The operation fails here (the executor's `reject`), rather than
    /// ending the ordinary way.
    pub fails: bool,
    /// It settles in the executor's own body, synchronously, before any
    /// callback of the operation has run: the call ends as soon as it starts.
    pub at_once: bool,
}

/// Is every addition undone?
#[derive(Clone, Debug)]
pub enum Removal {
    /// Undone on every way the operation ends that the file shows.
    Complete,
    /// Undone on some ways the operation ends and kept on others.
    Partial {
        /// A removal that runs on the ways that remove.
        removal: TextSpan,
        removed: Vec<Ending>,
        kept: Vec<Ending>,
    },
    /// Released only if an event fires that, for this target, may never
    /// come (`{ once: true }` on `'abort'` of a signal that is never aborted).
    OnlyIfFired { event: Atom },
    /// A `once` listener for `'error'` added together with `once` listeners
    /// for the other outcomes (`'response'`): when the operation succeeds the
    /// emitter removes those, and this one stays.
    OnlyOneFires { event: Atom, others: Vec<Atom> },
    /// Never undone (or undone only by removals that cannot match).
    None,
}

/// Removal completeness of a listener registration.
pub fn of_listener(model: &FileModel, reg: &Registration) -> Removal {
    let removals: Vec<&CallFact> = listeners::removals(model)
        .filter(|(c, r)| reg.is_removed_by(model, c, r.as_ref()))
        .map(|(c, _)| c)
        .collect();
    if !removals.is_empty() {
        return settle_paths(model, reg, &removals).unwrap_or(Removal::Complete);
    }
    if reg.once {
        return once_removal(model, reg);
    }
    let options = reg.call.args.get(2).map(|a| &a.value);
    if !listeners::self_removing_options(model, options) {
        return Removal::None;
    }
    match (&reg.event, once_only(model, options)) {
        (Some(e), true) if resources::is_terminal_event(e) => {
            Removal::OnlyIfFired { event: e.clone() }
        }
        _ => Removal::Complete,
    }
}

/// `emitter.once(event, f)`: released when the event fires. Other `once`
/// listeners the same function adds to the same target for other events are
/// alternative outcomes; a terminal event may never come on a long-lived target.
fn once_removal(model: &FileModel, reg: &Registration) -> Removal {
    let Some(event) = &reg.event else {
        return Removal::Complete;
    };
    let mut others: Vec<Atom> = model
        .calls
        .iter()
        .filter(|c| c.fn_ctx == reg.call.fn_ctx && c.span != reg.call.span)
        .filter_map(|c| Registration::of_add(model, c))
        .filter(|r| r.once && r.target == reg.target)
        .filter_map(|r| r.event)
        .filter(|e| e != event)
        .collect();
    others.sort();
    others.dedup();
    // The 'error' listener is the one left behind on the common path: the
    // outcome it waits for does not come when the operation succeeds.
    if event == "error" && !others.is_empty() {
        return Removal::OnlyOneFires {
            event: event.clone(),
            others,
        };
    }
    if resources::is_terminal_event(event) {
        return Removal::OnlyIfFired {
            event: event.clone(),
        };
    }
    Removal::Complete
}

/// `{ once: true }` without a `signal`: released when the event fires, only then.
fn once_only(model: &FileModel, options: Option<&Value>) -> bool {
    let props = match options {
        Some(Value::Object { props, .. }) => props.clone(),
        Some(Value::Path(p)) if p.props.is_empty() => {
            match p
                .root_binding()
                .and_then(|id| model.semantic.binding(&id))
                .and_then(|b| b.init.clone())
            {
                Some(Value::Object { props, .. }) => props,
                _ => return false,
            }
        }
        _ => return false,
    };
    props.iter().any(|(k, _)| k == "once") && !props.iter().any(|(k, _)| k == "signal")
}

/// The capture flag of a listener call read from its source text (the value
/// summary does not keep `true` apart from `false`).
pub fn capture_of_call(model: &FileModel, call: &CallFact) -> Option<bool> {
    let Some(arg) = call.args.get(2) else {
        return Some(false);
    };
    let text = model.text(&arg.span).trim();
    match &arg.value {
        Value::Bool => match text {
            "true" | "!0" => Some(true),
            "false" | "!1" => Some(false),
            _ => None,
        },
        Value::Object { props, .. } => {
            if !props.iter().any(|(k, _)| k == "capture") {
                return Some(false);
            }
            // `{ capture: true }` / `{ capture: false }`, read in place.
            let after = text
                .split("capture")
                .nth(1)?
                .trim_start()
                .strip_prefix(':')?;
            let flag = after.trim_start();
            if flag.starts_with("true") || flag.starts_with("!0") {
                Some(true)
            } else if flag.starts_with("false") || flag.starts_with("!1") {
                Some(false)
            } else {
                None
            }
        }
        // A constant options object: without a `capture` key it is `false`.
        Value::Path(p) if p.props.is_empty() => {
            let b = p
                .root_binding()
                .and_then(|id| model.semantic.binding(&id))?;
            match &b.init {
                Some(Value::Object { props, .. })
                    if b.kind == BindingKind::Const
                        && !props.iter().any(|(k, _)| k == "capture") =>
                {
                    Some(false)
                }
                _ => None,
            }
        }
        Value::Undefined => Some(false),
        _ => None,
    }
}

/// Do an add and a removal name different `capture` flags? The DOM keeps
/// capturing and bubbling listeners apart: such a removal matches nothing.
pub fn capture_differs(model: &FileModel, add: &CallFact, removal: &CallFact) -> bool {
    match (capture_of_call(model, add), capture_of_call(model, removal)) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    }
}

/// When the add happens inside a promise executor, the ways the operation
/// ends are the calls of its `resolve` and `reject`. `None` when the add is
/// not in an executor or nothing settles after it.
fn settle_paths(model: &FileModel, reg: &Registration, removals: &[&CallFact]) -> Option<Removal> {
    let executor = enclosing_executor(model, reg.call.fn_ctx)?;
    let settlers = settler_params(model, executor);
    if settlers.is_empty() {
        return None;
    }
    let removing = removing_functions(model, removals);
    let listener_fn = listener_function(model, reg);
    let mut removed = Vec::new();
    let mut kept = Vec::new();
    for c in &model.calls {
        let Some(path) = &c.callee.path else { continue };
        if !path.props.is_empty() || c.is_new {
            continue;
        }
        let Some(id) = path.root_binding() else {
            continue;
        };
        if !settlers.contains(&id) || !model.is_within(c.fn_ctx, executor) {
            continue;
        }
        // The listener's own run is the event it waits for, and a settle
        // before the add leaves nothing to remove.
        if listener_fn.is_some_and(|f| model.is_within(c.fn_ctx, f))
            || settles_before(model, c, reg.call)
        {
            continue;
        }
        // A helper that settles for its callers (`function finish(v) { resolve(v) }`)
        // ends the operation on their paths: judged there, not here.
        if c.fn_ctx
            .is_some_and(|f| f != executor && is_called_by_name(model, f))
        {
            continue;
        }
        let place = match c.fn_ctx {
            Some(f) if f != executor => named_within(model, f, executor)
                .map(|n| format!("`{n}`"))
                .unwrap_or_else(|| place_of(model, f)),
            _ => "the executor's own body".to_string(),
        };
        let ending = Ending {
            span: c.span,
            place,
            fails: settlers.get(1) == Some(&id),
            at_once: c.fn_ctx == Some(executor),
        };
        if c.fn_ctx.is_some_and(|f| removing.contains(&f)) {
            removed.push((ending, c.fn_ctx));
        } else {
            kept.push((ending, c.fn_ctx));
        }
    }
    if removed.is_empty() || kept.is_empty() {
        return None;
    }
    // A place named on both sides ("removed where `connect` settles, not
    // where `connect` settles": two callbacks inside one method) is told
    // apart by the callback itself on both sides.
    let shared: Vec<String> = removed
        .iter()
        .filter(|(r, _)| kept.iter().any(|(k, _)| k.place == r.place))
        .map(|(r, _)| r.place.clone())
        .collect();
    let finish = |endings: Vec<(Ending, Option<FnId>)>| -> Vec<Ending> {
        endings
            .into_iter()
            .map(|(mut e, f)| {
                if shared.contains(&e.place) {
                    e.place = match f {
                        Some(f) if f != executor => place_of(model, f),
                        _ => format!(
                            "the executor's own body at line {}",
                            model.line_of(e.span.start())
                        ),
                    };
                }
                e
            })
            .collect()
    };
    let (removed, kept) = (finish(removed), finish(kept));
    Some(Removal::Partial {
        removal: removals[0].span,
        removed,
        kept,
    })
}

/// The name of `f`, or of the innermost named function around it inside
/// the executor (`onloadend` for a callback it passes on). A name from
/// outside the executor is the method that holds every way out alike.
fn named_within(model: &FileModel, f: FnId, executor: FnId) -> Option<Atom> {
    let mut current = Some(f);
    while let Some(g) = current.filter(|&g| g != executor) {
        if let Some(n) = &model.functions[g].name {
            return Some(n.clone());
        }
        current = model.functions[g].parent;
    }
    None
}

/// Where a settling call happens when the name of the function around it
/// does not tell the ways apart: the function's own name, else the call it
/// is a callback of ("the 'spawn' listener", "the `setTimeout` callback")
/// and its line.
fn place_of(model: &FileModel, f: FnId) -> String {
    let info = &model.functions[f];
    if let Some(n) = &info.name {
        return format!("`{n}`");
    }
    let line = model.line_of(info.span.start());
    let Invocation::CallbackOf { call, .. } = info.invocation else {
        return format!("the function at line {line}");
    };
    let c = &model.calls[call];
    let event = match c.args.first().map(|a| &a.value) {
        Some(Value::Str(e)) => Some(e),
        _ => None,
    };
    match (c.callee.method.as_deref(), event) {
        (Some(m), Some(e))
            if listeners::ADD_METHODS.contains(&m)
                || resources::SELF_REMOVING_ADDS.contains(&m) =>
        {
            format!("the '{e}' listener at line {line}")
        }
        (Some(m), _) => format!("the `.{m}()` callback at line {line}"),
        (None, _) => match &c.callee.path {
            Some(p) => format!("the `{p}` callback at line {line}"),
            None => format!("a callback at line {line}"),
        },
    }
}

/// Does `settle` run before `add` can: in the add's own function, or in a
/// function around it, written before the add (or before the callback that
/// holds the add is even made)? `reject(…)` at the top of the executor ends
/// the operation before a later callback adds anything.
fn settles_before(model: &FileModel, settle: &CallFact, add: &CallFact) -> bool {
    let Some(outer) = settle.fn_ctx else {
        return false;
    };
    // Where the add, seen from `outer`, begins: the add itself, or the
    // function directly inside `outer` that holds it.
    let mut start = add.span.start();
    let mut current = add.fn_ctx;
    while let Some(f) = current {
        if f == outer {
            return settle.span.start() < start;
        }
        start = model.functions[f].span.start();
        current = model.functions[f].parent;
    }
    false
}

/// The innermost `new Promise(executor)` callback around `fn_ctx`.
fn enclosing_executor(model: &FileModel, fn_ctx: Option<FnId>) -> Option<FnId> {
    let mut current = fn_ctx;
    while let Some(f) = current {
        if let Invocation::CallbackOf { call, arg: 0 } = model.functions[f].invocation {
            let c = &model.calls[call];
            if c.is_new && c.callee.global_function().as_deref() == Some("Promise") {
                return Some(f);
            }
        }
        current = model.functions[f].parent;
    }
    None
}

/// The executor's `resolve` and `reject` parameters.
fn settler_params(model: &FileModel, executor: FnId) -> Vec<(Atom, swc_common::SyntaxContext)> {
    let mut params: Vec<_> = model
        .semantic
        .bindings()
        .filter(|(_, b)| b.kind == BindingKind::Param && b.fn_ctx == Some(executor))
        .map(|(id, b)| (b.span.start(), id.clone()))
        .collect();
    params.sort_by_key(|(start, _)| *start);
    params.into_iter().take(2).map(|(_, id)| id).collect()
}

/// Functions that remove the listener when they run: those that contain a
/// removal, and those that call one of them (`done()` → removal).
fn removing_functions(model: &FileModel, removals: &[&CallFact]) -> FxHashSet<FnId> {
    let mut set: FxHashSet<FnId> = removals.iter().filter_map(|c| c.fn_ctx).collect();
    let callers = callers::of(model);
    // Each function joins once and is asked about once: a walk up the
    // reversed call graph.
    let mut todo: Vec<FnId> = set.iter().copied().collect();
    while let Some(f) = todo.pop() {
        let Some(me) = callee_identity(model, f) else {
            continue;
        };
        for c in callers.calls_naming(model, &me) {
            if let Some(caller) = c.fn_ctx
                && set.insert(caller)
            {
                todo.push(caller);
            }
        }
    }
    set
}

/// The function the listener is, when the file shows it: written in place,
/// or a variable assigned a function literal.
fn listener_function(model: &FileModel, reg: &Registration) -> Option<FnId> {
    match &reg.call.args.get(1)?.value {
        Value::Function(f) => *f,
        Value::Path(p) if p.props.is_empty() => {
            let id = p.root_binding()?;
            if let Some(Value::Function(Some(f))) =
                model.semantic.binding(&id).and_then(|b| b.init.clone())
            {
                return Some(f);
            }
            // `handler = () => {…}` later: the function written in that assignment.
            model.binding_writes.iter().find_map(|w| match w.value {
                Value::Function(Some(f)) if w.id == id => Some(f),
                Value::Function(None) if w.id == id => (0..model.functions.len()).find(|&f| {
                    let info = &model.functions[f];
                    info.parent == w.fn_ctx && w.span.encloses(info.span)
                }),
                _ => None,
            })
        }
        _ => None,
    }
}

/// Is the function called by name somewhere in the file (a helper), rather
/// than only run as a callback or handler?
fn is_called_by_name(model: &FileModel, f: FnId) -> bool {
    let Some(me) = callee_identity(model, f) else {
        return false;
    };
    model.calls.iter().any(|c| {
        !c.is_new
            && c.callee.path.as_ref().is_some_and(|p| {
                listeners::identity(model, c.fn_ctx, &Value::Path(p.clone())).same(&me)
            })
    })
}
