//! A listener is added to a long-lived target on every call and never removed.

use super::{Evidence, Finding, Rule, RuleContext};
use crate::analysis::expiry;
use crate::analysis::frameworks::{self, react};
use crate::analysis::frequency::{Frequencies, Frequency, Why};
use crate::analysis::handles::{self, release_counts};
use crate::analysis::lifecycle::{Lifecycles, Setup, is_per_instance_binding};
use crate::analysis::lifetime::intent;
use crate::analysis::listeners::{self, Identity, Registration};
use crate::analysis::per_call;
use crate::analysis::removal::{self, Ending, Removal};
use crate::diagnostic::Severity;
use crate::model::semantic::BindingKind;
use crate::model::{AccessPath, CallFact, FileModel, FnKind, Root, Value};

pub(crate) const RULE: Rule = Rule {
    name: "unremoved-listener",
    summary: "A listener is added to a long-lived target in code that runs many times (a request handler, a component's setup) and is never removed (for a component: in its teardown), so every call or mount leaks the listener and its closure.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/unremoved-listener.md"),
    check,
};

fn check(out: &mut RuleContext) {
    let model = out.model;
    // Built on the first registration: most files have none.
    let rep = std::cell::OnceCell::new();
    let lifecycles = std::cell::OnceCell::new();
    // Removals that can never match, and those already told as part of the
    // add they fail to undo: one leak is one problem, not two.
    let mut futile = Vec::new();
    let mut folded = Vec::new();
    for call in &model.calls {
        if let Some(reg) = Registration::of_add(model, call) {
            let rep = rep.get_or_init(|| Frequencies::new(model));
            let lifecycles = lifecycles.get_or_init(|| Lifecycles::of(model));
            check_add(model, rep, lifecycles, &reg, &mut folded, out);
        } else if let Some(reg) = Registration::of_remove(model, call)
            && reg.listener.is_fresh()
        {
            futile.push(reg);
        }
    }
    for reg in futile {
        if !folded.contains(&reg.call.span.start()) {
            check_remove(model, &reg, out);
        }
    }
}

fn check_add(
    model: &FileModel,
    rep: &Frequencies,
    lifecycles: &Lifecycles,
    reg: &Registration,
    folded: &mut Vec<usize>,
    out: &mut RuleContext,
) {
    let call = reg.call;
    let listener_arg = &call.args[1];
    if !matches!(
        listener_arg.value,
        Value::Function(_) | Value::Path(_) | Value::Call { .. }
    ) || matches!(reg.listener, Identity::Unknown)
    {
        return;
    }
    if let Some(setup) = lifecycles.setup_of(model, call.fn_ctx, call.span.start()) {
        check_add_in_setup(model, rep, setup, reg, folded, out);
        return;
    }
    let freq = rep.at(call.fn_ctx, call.span.start());
    if !freq.runs_many_times() {
        return;
    }
    let removal = removal::of_listener(model, reg);
    let why = match (
        listeners::long_lived_target(rep, call.fn_ctx, &reg.target),
        &removal,
    ) {
        (_, Removal::Complete) => return,
        // `{ signal }` taken out of an options or context parameter is that
        // operation's signal, aborted when it ends: `{ once }` will fire.
        (_, Removal::OnlyIfFired { .. })
            if reg
                .target
                .root_binding()
                .is_some_and(|id| listeners::is_destructured_param(model, &id)) =>
        {
            return;
        }
        (Some(why), _) => why,
        // The code removes the listener on some ways out: its own author
        // says the target outlives the call.
        (None, Removal::Partial { .. }) if outlives_the_call(model, &reg.target) => {
            "removed by this code on some ways the call ends: the target outlives the call"
        }
        _ => return,
    };
    // The DOM ignores a second registration of the same function: a listener
    // declared once at module level cannot pile up on an EventTarget.
    if reg.is_dom() && is_module_level_function(model, &listener_arg.value) {
        return;
    }
    // Lazy initialisation adds once per life of its guard: once per owner
    // (`if (!wsInitialized) { server.on(…); wsInitialized = true }` in a
    // factory), however often the function runs. A `has()`/`add()` guard
    // adds once per target.
    if rep.memoised(call.fn_ctx, call.span.start()).is_some()
        || listeners::guarded_by_member_flag(model, call)
        || listeners::guarded_per_target(model, call, &reg.target)
    {
        return;
    }
    let effect = react::enclosing_effect(model, call.fn_ctx);
    if effect.is_some_and(|e| frameworks::has_opaque_cleanup(model, e)) {
        return;
    }
    let event = reg.event_text(model);
    let target = reg.target_text(model);
    let where_ = listeners::repetition_unit(model, call.fn_ctx, effect.is_some());
    let grade = Grade::of(model, rep, reg, effect.is_some(), why, &removal);
    let mut out = Graded { out, grade };
    let out = &mut out;
    match &removal {
        Removal::Partial {
            removal,
            removed,
            kept,
        } => {
            out.report(partial_diagnostic(
                model, reg, &where_, why, *removal, removed, kept,
            ));
            return;
        }
        Removal::OnlyIfFired { event } => {
            out.report(
                Finding::new(call.span.range(),
                    format!(
                        "a listener for {} is added to `{target}` {where_} with {}, which removes it only when '{event}' fires; a long-lived target may never fire it, so each one and its closure stay alive",
                        reg.event_text(model),
                        if reg.once { "`.once()`" } else { "`{ once: true }`" },
                    ),
                )
                .with_label(format!("added {where_}"))
                .with_related(
                    call.callee.receiver_span.unwrap_or(call.callee_span).range(),
                    why,
                )
                .with_help(format!(
                    "keep the listener in a variable, then call `{}` when the operation ends (in a `finally`), whichever way it ends",
                    removal_call(model, reg, false).replace(", listener)", ", handler)")
                )),
            );
            return;
        }
        Removal::OnlyOneFires { event, others } => {
            let others = others
                .iter()
                .map(|e| format!("'{e}'"))
                .collect::<Vec<_>>()
                .join(", ");
            out.report(
                Finding::new(call.span.range(),
                    format!(
                        "a `once` listener for '{event}' is added to `{target}` {where_} together with `once` listeners for {others}: the emitter removes only the listener of the event that fires, so when the call succeeds this one and its closure stay on `{target}`"
                    ),
                )
                .with_label(format!("added {where_}"))
                .with_related(
                    call.callee.receiver_span.unwrap_or(call.callee_span).range(),
                    why,
                )
                .with_help(format!(
                    "keep each listener in a variable and remove the others when one fires (`{target}.off('{event}', onError)` in the success listener), or use an emitter per call"
                )),
            );
            return;
        }
        Removal::Complete | Removal::None => {}
    }
    // A removal of the same event that passes a new function: the author
    // meant to undo this add, and it silently does nothing.
    let futile = listeners::removals(model)
        .filter_map(|(_, r)| r)
        .find(|r| r.listener.is_fresh() && reg.is_same_slot(r));
    // A removal of the same function that names another `capture` flag.
    let capture = listeners::removals(model)
        .find(|(c, r)| {
            reg.is_dom()
                && r.as_ref()
                    .is_some_and(|r| reg.is_same_slot(r) && r.listener.same(&reg.listener))
                && removal::capture_differs(model, call, c)
        })
        .map(|(c, _)| c);
    let never = match &futile {
        Some(r) => format!(
            "never removed (the removal passes {}, which matches nothing)",
            new_function_kind(r)
        ),
        None if capture.is_some() => {
            "never removed (the removal names another `capture` flag, so the DOM matches nothing)"
                .to_string()
        }
        None => "never removed".to_string(),
    };
    let named = matches!(reg.listener, Identity::Path { .. });
    let remove = removal_call(model, reg, named);
    let keep = if named {
        String::new()
    } else {
        "keep the listener in a variable or field, then ".to_string()
    };
    let help = if effect.is_some() {
        format!(
            "{keep}return a cleanup from the effect that calls `{remove}`, or pass `{{ signal }}` and abort the controller in the cleanup"
        )
    } else if reg.is_dom() {
        format!(
            "{keep}call `{remove}` when the owner is done (on close, destroy, unmount), or pass `{{ once: true }}` or `{{ signal }}`"
        )
    } else if where_.starts_with("on every call") {
        // Per call on a target that stays: maintainers as often register one
        // listener for good and route its events to the pending calls.
        format!(
            "{keep}call `{remove}` when the call is done (on every way it ends), or register one listener once, at start-up, and let it serve every call"
        )
    } else {
        format!(
            "{keep}call `{remove}` when the owner is done (in its `close`/`end` handler or `destroy()`), or use `.once()` if it must fire only once"
        )
    };
    let mut diag = Finding::new(call.span.range(),
        format!("a listener for {event} is added to `{target}` {where_} and {never}, so each one and its closure stay alive"),
    )
    .with_label(format!("added {where_}"))
    .with_related(call.callee.receiver_span.unwrap_or(call.callee_span).range(), why)
    .with_evidence(Evidence::runs_shown(rep.describe(&freq)));
    // A removal that can never match is the author's own statement that this
    // add is meant to be undone, again and again, on a target that stays:
    // the same evidence as a removal on only some ways out.
    if (futile.is_some() || capture.is_some())
        && !out.grade.is_high()
        && !made_here(model, &reg.target)
        && !listeners::long_lived_by_name_only(model, &reg.target)
    {
        out.grade.promote(
            "the code tries to remove the listener but the removal can never match: its author expects the add to repeat on a target that stays",
        );
    }
    if let Some(r) = futile {
        folded.push(r.call.span.start());
        diag = diag.with_related(
            r.call.args[1].span.range(),
            "a new function, never registered: this removal can never match",
        );
    }
    if let Some(c) = capture {
        diag = diag.with_related(
            c.span.range(),
            "another `capture` flag than the add: this removal can never match",
        );
    }
    out.report(diag.with_help(help));
}

/// How much of a finding is shown by the code: that the registration runs
/// many times, and that the target outlives the call. High only when both
/// are shown; medium when either is assumed.
struct Grade {
    evidence: Vec<Evidence>,
}

/// The assumption that the add repeats, until something shows it.
const RUNS_BY_ASSUMPTION: &str =
    "runs many times only by assumption: nothing here shows its callers call it again";

impl Grade {
    fn of(
        model: &FileModel,
        rep: &Frequencies,
        reg: &Registration,
        in_effect: bool,
        why: &str,
        removal: &Removal,
    ) -> Grade {
        let partial = matches!(removal, Removal::Partial { .. });
        let call = reg.call;
        let pos = call.span.start();
        let freq = rep.at(call.fn_ctx, pos);
        let frequency = if in_effect {
            "runs every time the effect runs".to_string()
        } else {
            rep.describe(&freq)
        };
        // A parameter called `server`, or `req.socket`, is long-lived by
        // its name only: that is never enough for high.
        let named_only = listeners::long_lived_by_name_only(model, &reg.target);
        let shown = listeners::target_shown_long_lived(model, &reg.target)
            || listeners::is_event_socket(model, &reg.target);
        let target = reg.target_text(model);
        let mut evidence = vec![
            Evidence::Runs {
                why: frequency,
                callers_shown: true,
            },
            Evidence::Target {
                name: target.to_string(),
                why: why.to_string(),
            },
        ];
        // What shows, beyond "its callers are not shown", that the add
        // repeats while the target stays.
        let once_listener = fires_once(model, &freq);
        let repeat = if let Some(once) = &once_listener {
            evidence.push(Evidence::Shown(once.clone()));
            None
        } else if in_effect || rep.shown_many(call.fn_ctx, pos) {
            Some("the code is shown to run many times")
        } else if !shown && handed_out(model, &freq) {
            Some(
                "runs in a function that its parent returns, a handler the caller keeps and calls on every request or event",
            )
        } else if listeners::is_pooled_target(model, &reg.target) {
            Some("a checkout from a pool happens once per operation")
        } else if partial && !made_here(model, &reg.target) {
            Some(
                "the code removes the listener on some ways out: its author expects the call to repeat on a target that stays",
            )
        } else if shown && in_class_constructor(model, call) {
            Some("added in a class constructor: once per instance")
        } else if (shown && listeners::in_factory(model, call.fn_ctx, false))
            || (is_abort_of_param(model, reg) && listeners::in_factory(model, call.fn_ctx, true))
        {
            Some("added by a function that builds and returns a new object on every call")
        } else if !shown && in_class_method(model, call) && is_abort_of_param(model, reg) {
            Some(
                "an 'abort' listener on a signal handed to a method: one per operation of an object that stays",
            )
        } else {
            None
        };
        match repeat {
            // A program's own entry file adds it to the process's own
            // objects at launch: the repetition the code shows (a loop over
            // its inputs, a retry that calls itself) ends with the launch,
            // and such a handler (shutdown on SIGINT, input on stdin) is
            // meant to last as long as the process.
            Some(_)
                if !in_effect
                    && intent::is_cli_entry(model)
                    && intent::is_process_object(&reg.target)
                    && rep.bounded_by_launch(call.fn_ctx, pos) =>
            {
                evidence.push(Evidence::Assumed(format!(
                    "a program's entry file (its `#!` line) adds it to `{target}` at launch: what repeats it here ends with the launch, and nothing shows it runs again once the program is up"
                )));
            }
            Some(r) => evidence.push(Evidence::Shown(r.to_string())),
            None => evidence.push(Evidence::Assumed(RUNS_BY_ASSUMPTION.into())),
        }
        if named_only && !partial {
            let name_only = format!(
                "`{target}` is long-lived by its name only: nothing here shows it is shared rather than made per call"
            );
            // A handler its parent hands out is called again on the same
            // target: that, not the name, shows the target stays.
            evidence.push(match !shown && handed_out(model, &freq) {
                true => Evidence::Shown(name_only),
                false => Evidence::Assumed(name_only),
            });
        }
        // A signal handed in is usually made for the one operation it
        // cancels (a controller per request, per fetch, per test): that the
        // same signal comes back must be shown by the code — the add repeats
        // within one call (a loop), the author removes it on some ways out,
        // or it is handed to a method of an object that stays, where one
        // signal commonly cancels many operations. A function that runs per
        // request, or builds an object per call, shows only that the add
        // repeats, not that the signal does. A removal on every ordinary way
        // out that misses only the ways the operation fails shows nothing
        // either: removing the listener when done is what any code that
        // takes a signal does, whoever made it, and a signal made for the
        // attempt dies with the failed attempt.
        let kept_only_on_failure = matches!(
            removal,
            Removal::Partial { kept, .. } if kept.iter().all(|k| k.fails)
        );
        let signal_reuse_assumed = is_abort_of_param(model, reg)
            && !removed_from_elsewhere(model, reg)
            && !rep.shown_many(call.fn_ctx, pos)
            && if partial {
                kept_only_on_failure
            } else {
                !in_class_method(model, call)
            };
        // Kept only where the executor itself rejects before the operation
        // is under way (a check of the input after the add): the listener
        // stays only for calls that fail as they start, and nothing shows
        // those repeat. The ways a started operation fails (an error, a
        // timeout, an abort) are what makes a partial removal a leak.
        if let Removal::Partial { kept, .. } = removal
            && kept.iter().all(|k| k.fails && k.at_once)
        {
            evidence.push(Evidence::Assumed(format!(
                "kept only where the executor rejects at once ({}), before the operation is under way: nothing shows calls that fail as they start repeat",
                kept.iter()
                    .map(|k| format!("line {}", model.line_of(k.span.start())))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if signal_reuse_assumed && repeat.is_some() {
            evidence.push(Evidence::Assumed(
                "the signal is handed in: nothing here shows that callers pass the same signal again rather than one per operation"
                    .into(),
            ));
        }
        Grade { evidence }
    }

    /// High when no premise is assumed.
    fn is_high(&self) -> bool {
        !self.evidence.iter().any(Evidence::is_assumed)
    }

    /// Shown after all: replaces the "only by assumption" evidence, and
    /// settles the other assumptions (the repeat on a target that stays is
    /// what they stood for).
    fn promote(&mut self, why: &str) {
        self.evidence
            .retain(|e| *e != Evidence::Assumed(RUNS_BY_ASSUMPTION.into()));
        self.evidence.push(Evidence::Shown(why.to_string()));
        self.evidence = std::mem::take(&mut self.evidence)
            .into_iter()
            .map(Evidence::settled)
            .collect();
    }

    fn apply(&self, mut diag: Finding) -> Finding {
        for e in &self.evidence {
            diag = diag.with_evidence(e.clone());
        }
        diag
    }
}

/// The findings of one add, graded as they are pushed.
struct Graded<'o, 'm> {
    out: &'o mut RuleContext<'m>,
    grade: Grade,
}

impl Graded<'_, '_> {
    fn report(&mut self, diag: Finding) {
        self.out.report(self.grade.apply(diag));
    }
}

/// The target is a local of the registering function set to the result of
/// a call or a `new` (`const socket = tls.connect(…)`): an object made for
/// this call, as far as the code shows.
fn made_here(model: &FileModel, target: &AccessPath) -> bool {
    made_here_within(model, target, 2)
}

/// [`made_here`], through at most `aliases` local aliases (`const raw =
/// newSocket(); let socket = raw`), each written again, if at all, only
/// with new objects (`socket = tls.connect(…)`, or a local made so).
fn made_here_within(model: &FileModel, target: &AccessPath, aliases: usize) -> bool {
    if !target.props.is_empty() {
        return false;
    }
    let Some(id) = target.root_binding() else {
        return false;
    };
    let Some(b) = model.semantic.binding(&id) else {
        return false;
    };
    if !matches!(
        b.kind,
        BindingKind::Var | BindingKind::Let | BindingKind::Const
    ) || b.is_module_level()
    {
        return false;
    }
    let fresh = |v: &Value| match v {
        Value::Call(_) | Value::New(_) => true,
        Value::Path(p) => aliases > 0 && made_here_within(model, p, aliases - 1),
        _ => false,
    };
    b.init.as_ref().is_some_and(fresh)
        && model
            .binding_writes
            .iter()
            .filter(|w| w.id == id)
            .all(|w| fresh(&w.value))
}

/// The code runs in a listener for an event that ends its emitter
/// (`process.on('exit')`, `child.on('exit')` of a child made here): it
/// fires once per emitter.
fn fires_once(model: &FileModel, freq: &Frequency) -> Option<String> {
    let Frequency::Many(Why::Listener(c)) = freq else {
        return None;
    };
    let call = &model.calls[*c];
    // A parameter (a connection handed to a `connection` listener) may be
    // a new emitter each time; a global or a local one ends once.
    let receiver = call.callee.receiver()?;
    let param = receiver
        .root_binding()
        .and_then(|id| model.semantic.binding(&id))
        .is_some_and(|b| b.kind == BindingKind::Param);
    if matches!(receiver.root, Root::This) || param {
        return None;
    }
    let ending = expiry::ending_callback(model, *c)?;
    Some(format!(
        "{ending} of `{}`, which ends once",
        model.text(&call.callee.receiver_span?)
    ))
}

/// Code that runs once per call of a function its parent returns (a
/// middleware or handler handed out to be called again and again).
fn handed_out(model: &FileModel, freq: &Frequency) -> bool {
    let Frequency::PerCall(f) = freq else {
        return false;
    };
    let info = &model.functions[*f];
    let Some(parent) = info.parent else {
        return false;
    };
    model.returns.iter().any(|r| {
        r.fn_ctx == Some(parent)
            && match &r.value {
                Value::Function(Some(g)) => g == f,
                Value::Path(p) => {
                    p.props.is_empty()
                        && matches!(&p.root, Root::Binding(n, _) if info.name.as_ref() == Some(n))
                }
                _ => false,
            }
    })
}

/// An `'abort'` listener on a parameter: its use shows an AbortSignal,
/// whatever the parameter is called.
fn is_abort_of_param(model: &FileModel, reg: &Registration) -> bool {
    reg.event.as_deref() == Some("abort")
        && reg.target.props.is_empty()
        && reg
            .target
            .root_binding()
            .and_then(|id| model.semantic.binding(&id))
            .is_some_and(|b| b.kind == BindingKind::Param)
}

/// The same listener function is removed from another target somewhere in
/// the file: its author expects the signals it is added to to outlive the
/// operation (why remove it otherwise), and the removal misses the target
/// it was added to. A removal from the same signal is no such sign: code
/// that takes a signal removes its listener when it is done, whoever made
/// the signal and however long it lives.
fn removed_from_elsewhere(model: &FileModel, reg: &Registration) -> bool {
    matches!(reg.listener, Identity::Path { .. })
        && listeners::removals(model).any(|(_, r)| {
            r.is_some_and(|r| r.listener.same(&reg.listener) && !reg.is_same_slot(&r))
        })
}

/// The registration runs in a class constructor, once per instance, and the
/// file does not show the class as a singleton (`export const net = new
/// NetInfo()` at top level, its only `new`): one instance adds it once.
fn in_class_constructor(model: &FileModel, call: &CallFact) -> bool {
    model.this_function(call.fn_ctx).is_some_and(|f| {
        let info = &model.functions[f];
        info.kind == FnKind::Constructor
            && !info
                .class
                .is_some_and(|c| crate::analysis::lifetime::is_singleton(model, c))
    })
}

/// The registration runs in a method of a class (not its constructor).
fn in_class_method(model: &FileModel, call: &CallFact) -> bool {
    model.this_function(call.fn_ctx).is_some_and(|f| {
        let info = &model.functions[f];
        info.class.is_some() && info.kind != FnKind::Constructor && !info.is_static
    })
}

/// A target the operation did not create itself: a parameter, something
/// reached from one, or a value handed back by a call. A fresh object
/// (`new X()`, a literal) made by the call dies with it, and so does a
/// parameter that every caller in the file fills with an object it has just
/// made for that call (`this.createSession(await connector.connect(s))`).
fn outlives_the_call(model: &FileModel, target: &AccessPath) -> bool {
    let Some(id) = target.root_binding() else {
        return false;
    };
    let Some(b) = model.semantic.binding(&id) else {
        return false;
    };
    match b.kind {
        BindingKind::Param if delivered_by_an_event(model, &id) => false,
        BindingKind::Param => per_call::param_made_per_call(model, &id).is_none(),
        BindingKind::Var | BindingKind::Let | BindingKind::Const => {
            matches!(b.init, Some(Value::Path(_)))
                || matches!(b.init, Some(Value::Call(_))) && !published_as_current(model, &id)
        }
        _ => false,
    }
}

/// A local set to a call's result that the same function then stores on
/// its object (`const child = spawn(…); this.process = child.process`): the
/// call made a new one, which replaces the previous as the instance's
/// current one. A value fetched from something that keeps it (a pool, a
/// shared client) is not stored again on every call. A listener on it lives
/// and dies with that object, one per object.
fn published_as_current(model: &FileModel, id: &crate::model::semantic::BindingId) -> bool {
    let Some(b) = model.semantic.binding(id) else {
        return false;
    };
    model.member_writes.iter().any(|w| {
        w.op == "="
            && w.fn_ctx == b.fn_ctx
            && crate::analysis::lifetime::as_this(model, w.fn_ctx, &w.object).is_some()
            && matches!(&w.value, Value::Path(p) if p.is_rooted_at(id))
    })
}

/// The first parameter of a listener for an event that brings an object of
/// its own (`res.once('pipe', (stream) => …)`, `server.on('connection',
/// (conn) => …)`): each event brings another object, so a listener added to
/// it is added once per object. A `'socket'` event is the exception: with
/// keep-alive the same socket comes back for the next request.
fn delivered_by_an_event(model: &FileModel, id: &crate::model::semantic::BindingId) -> bool {
    let Some(f) = model.semantic.binding(id).and_then(|b| b.fn_ctx) else {
        return false;
    };
    let crate::model::Invocation::CallbackOf { call, .. } = model.functions[f].invocation else {
        return false;
    };
    let c = &model.calls[call];
    let adds = c.callee.method.as_deref().is_some_and(|m| {
        listeners::ADD_METHODS.contains(&m)
            || crate::analysis::resources::SELF_REMOVING_ADDS.contains(&m)
    });
    let event = match c.args.first().map(|a| &a.value) {
        Some(Value::Str(e)) => e.clone(),
        _ => return false,
    };
    adds && event.as_ref() != "socket"
        && crate::analysis::keys::param_index(model, id).is_some_and(|(_, i)| i == 0)
}

/// A listener removed on some ways the operation ends and kept on others.
fn partial_diagnostic(
    model: &FileModel,
    reg: &Registration,
    where_: &str,
    why: &str,
    removal: crate::model::TextSpan,
    removed: &[Ending],
    kept: &[Ending],
) -> Finding {
    let call = reg.call;
    let names = |endings: &[Ending]| {
        let mut names: Vec<&str> = endings.iter().map(|e| e.place.as_str()).collect();
        names.dedup();
        names.join(", ")
    };
    let mut diag = Finding::new(call.span.range(),
        format!(
            "a listener for {} is added to `{}` {where_} and removed only on some ways the call ends: removed where {} settles, not where {} settles, so on those paths each one and its closure stay alive",
            reg.event_text(model),
            reg.target_text(model),
            names(removed),
            names(kept),
        ),
    )
    .with_label(format!("added {where_}"))
    .with_related(
        call.callee.receiver_span.unwrap_or(call.callee_span).range(),
        why,
    )
    .with_related(removal.range(), "removed here, reached only from some ways out");
    for k in kept {
        diag = diag.with_related(k.span.range(), "settles here without removing the listener");
    }
    diag.with_help(
        "remove the listener on every way the operation ends: call the cleanup before each `resolve`/`reject`, or once in a `finally`",
    )
}

/// How a removal's listener came to be a new function.
fn new_function_kind(removal: &Registration) -> &'static str {
    match removal.listener {
        Identity::Bound => "a new function from `.bind()`",
        _ => "a function written in place",
    }
}

/// A listener added while a component is set up must be removed when that
/// component is torn down: in the setup's teardown (or where the
/// registration itself is undone, for a one-shot listener).
fn check_add_in_setup(
    model: &FileModel,
    rep: &Frequencies,
    setup: &Setup,
    reg: &Registration,
    folded: &mut Vec<usize>,
    out: &mut RuleContext,
) {
    let call = reg.call;
    let listener_arg = &call.args[1];
    // A target the component owns (`this`, a ref, its shadow root) dies with it.
    let Some(why) = listeners::long_lived_target(rep, call.fn_ctx, &reg.target) else {
        return;
    };
    let options = call.args.get(2).map(|a| &a.value);
    let unaborted = never_aborted_controller(model, setup, call, options);
    if unaborted.is_none() && listeners::self_removing_options(model, options) {
        return;
    }
    if reg.is_dom() && is_module_level_function(model, &listener_arg.value) {
        return;
    }
    // Lazy initialisation (`if (!installed) { installed = true; … }`) adds
    // once per life of the guard, however often the component mounts.
    if rep.memoised(call.fn_ctx, call.span.start()).is_some()
        || listeners::guarded_by_member_flag(model, call)
        || setup.has_opaque_cleanup(model)
    {
        return;
    }
    let handle = match &reg.listener {
        Identity::Path { path, .. } => Some(path),
        _ => None,
    };
    let counts = |ctx| match handle {
        Some(h) => release_counts(model, setup, call.fn_ctx, h, ctx),
        // A fresh function can only be removed from inside the setup
        // (`const h = () => { target.off('x', h) }` is not fresh).
        None => setup.in_teardown(model, ctx),
    };
    if reg.is_removed_where(model, counts) {
        return;
    }
    // What the teardown removes instead, and a removal elsewhere that the
    // teardown never reaches.
    let removals: Vec<Registration> = listeners::removals(model)
        .filter_map(|(_, r)| r)
        .filter(|r| reg.is_same_slot(r))
        .collect();
    let mismatched = removals
        .iter()
        .find(|r| setup.in_teardown(model, r.call.fn_ctx));
    let elsewhere = removals
        .iter()
        .find(|r| !setup.in_teardown(model, r.call.fn_ctx) && r.listener.same(&reg.listener));

    let target = reg.target_text(model);
    let event = match &reg.event {
        Some(e) => format!("a `{e}` listener"),
        None => format!("a listener for `{}`", model.text(&call.args[0].span)),
    };
    let occasion = setup.occasion(model);
    let mut message = format!(
        "{occasion} adds {event} to `{target}` that {} never removes",
        setup.ending()
    );
    if let Some(c) = &unaborted {
        message.push_str(&format!(
            ": it passes the signal of `{c}`, which {} never aborts",
            setup.ending()
        ));
    } else if let Some(r) = mismatched {
        let removed = model.text(&r.call.args[1].span);
        let why_not = match r.listener {
            Identity::Bound => "`.bind()` returns a new function, not the one added".to_string(),
            Identity::Inline => {
                "a function written in place is a new function, not the one added".to_string()
            }
            _ => format!(
                "a different function from `{}`",
                model.text(&listener_arg.span)
            ),
        };
        message.push_str(&format!(
            ": the teardown removes `{removed}`, and {why_not}"
        ));
    }
    message.push_str(&format!("; the listener keeps {} alive", setup.gone()));

    let named = handle.is_some();
    let remove = removal_call(model, reg, named);
    let mut help = setup.advice(&remove);
    if let Some(c) = &unaborted {
        help = setup.advice(&format!("{c}.abort()"));
    } else if !named {
        help = format!("keep the listener in a variable or field, then {help}");
    } else if mismatched.is_some_and(|r| r.listener == Identity::Bound) {
        help = format!(
            "bind the method once (in the constructor or as an arrow-function field), then {help}"
        );
    }
    if reg.is_dom() && unaborted.is_none() {
        help.push_str(", or pass `{ signal }` and abort the controller there");
    }
    let mut diag = Finding::new(call.span.range(), message)
        .with_label(format!("added on {occasion}"))
        .with_related(
            setup.label_span.clone(),
            format!("set up in `{}`", setup.hook),
        )
        .with_related(
            call.callee
                .receiver_span
                .unwrap_or(call.callee_span)
                .range(),
            why,
        );
    if let Some(r) = mismatched {
        folded.push(r.call.span.start());
        diag = diag.with_related(
            r.call.args[1].span.range(),
            "not the function that was added",
        );
    } else if let Some(r) = elsewhere {
        diag = diag.with_related(
            r.call.span.range(),
            "removed only here, which the teardown never runs",
        );
    }
    diag = diag
        .with_evidence(Evidence::runs_shown(format!("once per {occasion}")))
        .with_evidence(Evidence::Target {
            name: target.to_string(),
            why: why.to_string(),
        });
    // The same function is removed elsewhere in the file (a `close()`
    // method): the author has a teardown; that the component always goes
    // through it is not shown either way.
    if let Some(r) = elsewhere.filter(|_| mismatched.is_none()) {
        let line = model.line_of(r.call.span.start());
        diag = diag.assumed(format!(
            "removed at line {line}, in code this file does not show to run on {}",
            setup.ending()
        ));
    } else {
        diag = diag.with_evidence(Evidence::Kept(format!(
            "no removal of this listener on {}",
            setup.ending()
        )));
    }
    out.report(diag.with_help(help));
}

/// The call that undoes `reg` (`target.removeEventListener(event, f)` or
/// `target.off(event, f)`), naming the listener when it has a name.
fn removal_call(model: &FileModel, reg: &Registration, named: bool) -> String {
    let target = reg.target_text(model);
    let event = reg.event_text(model);
    let reference = if named {
        model.text(&reg.call.args[1].span)
    } else {
        "listener"
    };
    if reg.is_dom() {
        // The DOM matches a removal only with the add's `capture` flag.
        let capture = match removal::capture_of_call(model, reg.call) {
            Some(true) => ", true",
            _ => "",
        };
        format!("{target}.removeEventListener({event}, {reference}{capture})")
    } else {
        format!("{target}.off({event}, {reference})")
    }
}

/// `{ signal: controller.signal }` of a controller that is never aborted
/// where it counts for the setup (in its teardown; anywhere, for a local
/// controller) and never handed to other code: the signal never fires, so
/// it removes nothing. Returns the controller.
fn never_aborted_controller(
    model: &FileModel,
    setup: &Setup,
    call: &CallFact,
    options: Option<&Value>,
) -> Option<AccessPath> {
    let Some(Value::Object { props, .. }) = options else {
        return None;
    };
    if props.iter().any(|(k, _)| k == "once") {
        return None;
    }
    let signal = props.iter().find(|(k, _)| k == "signal")?;
    let Value::Path(mut path) = signal.1.clone() else {
        return None;
    };
    // `const { signal } = controller` / `const signal = controller.signal`.
    if path.props.is_empty() {
        let b = model.semantic.binding(&path.root_binding()?)?;
        match &b.init {
            Some(Value::Path(p)) => path = p.clone(),
            _ => return None,
        }
    }
    if path.props.last().is_none_or(|p| p != "signal") {
        return None;
    }
    let controller = path.parent()?;
    let aliases = handles::aliases(model, &controller);
    let aborted = model.method_calls("abort").any(|c| {
        c.callee
            .receiver()
            .as_ref()
            .is_some_and(|r| aliases.contains(&r.normalized()))
            && release_counts(model, setup, call.fn_ctx, &controller, c.fn_ctx)
    });
    (!aborted && !handles::escapes(model, &aliases)).then_some(controller)
}

/// A removal that passes a new function, with no reported add to fold into.
fn check_remove(model: &FileModel, reg: &Registration, out: &mut RuleContext) {
    let call = reg.call;
    let arg = &call.args[1];
    let what = match reg.listener {
        Identity::Bound => "`.bind()` returns a new function",
        _ => "a function written in place is a new function",
    };
    let target = reg.target_text(model);
    out.report(
        Finding::new(call.span.range(),
            format!(
                "this removal can never match: {what}, so the {} listener stays on `{target}`",
                reg.event_text(model)
            ),
        )
        .with_label("never the function that was added")
        .with_related(arg.span.range(), "a new function, never registered")
        .with_help(
            "store the listener once (in a variable or a field, bound once in the constructor) and pass that same reference to both the add and the remove call",
        ),
    );
}

/// A function declared (or imported) once at module level: its identity is stable.
fn is_module_level_function(model: &FileModel, v: &Value) -> bool {
    let Value::Path(p) = v else { return false };
    if !p.props.is_empty() {
        return false;
    }
    let Root::Binding(..) = &p.root else {
        return false;
    };
    p.root_binding()
        .and_then(|id| model.semantic.binding(&id))
        .is_some_and(|b| {
            b.kind == BindingKind::Import
                || (b.is_module_level()
                    && !is_per_instance_binding(model, b)
                    && (b.kind == BindingKind::Function
                        || matches!(b.init, Some(Value::Function(_)))))
        })
}

#[cfg(test)]
mod tests {
    use super::super::context::findings_of;
    use super::*;
    use crate::diagnostic::Confidence;

    #[test]
    fn a_partial_removal_on_a_socket_made_here_through_an_alias_shows_no_repetition() {
        // The data socket is new per call (`ftp._newSocket()`, maybe wrapped
        // by `tls.connect`): removing its listeners on some ways out says
        // nothing about a target that stays.
        let src = "import tls from 'tls'\nexport function connectForTransfer(host, port, ftp) {\n  return new Promise((resolve, reject) => {\n    const rawSocket = ftp._newSocket()\n    let socket = rawSocket\n    const handleConnErr = function (err) {\n      reject(err)\n    }\n    const handleTimeout = function () {\n      socket.destroy()\n      reject(new Error('timeout'))\n    }\n    socket.setTimeout(ftp.timeout)\n    socket.on('error', handleConnErr)\n    socket.on('timeout', handleTimeout)\n    socket.connect({ port, host }, () => {\n      if (ftp.secure) {\n        const tlsSocket = tls.connect({ socket: rawSocket })\n        socket = tlsSocket\n      }\n      socket.removeListener('error', handleConnErr)\n      socket.removeListener('timeout', handleTimeout)\n      resolve(socket)\n    })\n  })\n}\n";
        let found = findings_of(src, "unremoved-listener");
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found.iter().all(|f| f.confidence() == Confidence::Medium),
            "{found:#?}"
        );
        // The same code on sockets it is handed stays high.
        let handed = src
            .replace("ftp._newSocket()", "ftp.socket")
            .replace("tls.connect({ socket: rawSocket })", "ftp.tlsSocket");
        let found = findings_of(&handed, "unremoved-listener");
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|f| f.confidence() == Confidence::High));
    }

    #[test]
    fn the_target_and_the_frequency_are_typed_evidence() {
        let src =
            "setInterval(() => {\n  process.on('warning', (w) => console.log(w));\n}, 1000);\n";
        let found = findings_of(src, "unremoved-listener");
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert!(
            f.evidence
                .iter()
                .any(|e| matches!(e, Evidence::Target { name, .. } if name == "process")),
            "{:?}",
            f.evidence
        );
        assert!(
            f.evidence
                .iter()
                .any(|e| matches!(e, Evidence::Runs { .. }))
        );
    }

    #[test]
    fn a_handler_handed_out_is_named_as_the_function_that_repeats() {
        let src = "function makeHandler(prefix) {
  return (req) => {
    process.on('SIGUSR2', () => console.log(prefix, req.url))
  }
}
module.exports = makeHandler
";
        let found = findings_of(src, "unremoved-listener");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0]
                .what
                .contains("on every call of the function `makeHandler` returns"),
            "{}",
            found[0].what
        );
        assert_eq!(
            found[0].label.as_deref(),
            Some("added on every call of the function `makeHandler` returns")
        );
        // A handler that names itself is named, with the function that
        // hands it out.
        let named = src.replace("return (req) =>", "return function handle(req)");
        let found = findings_of(&named, "unremoved-listener");
        assert_eq!(
            found[0].label.as_deref(),
            Some("added on every call of `handle` (returned by `makeHandler`)"),
            "{named}"
        );
        // A callback run during the call (a promise executor) is part of it:
        // the named function around it is the one that repeats.
        let inline = "export function start(server) {
  return new Promise((resolve) => {
    process.on('SIGUSR2', () => resolve(server))
  })
}
";
        let found = findings_of(inline, "unremoved-listener");
        assert!(
            found
                .iter()
                .all(|f| f.what.contains("on every call of `start`")),
            "{found:#?}"
        );
    }

    #[test]
    fn the_ways_that_remove_and_keep_are_told_apart_in_the_message() {
        let src = "export class Runner {
  run(job) {
    const worker = this.pool.take()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('late')), 5000)
      function onError(e) { clearTimeout(timer); reject(e) }
      worker.port.once('message', (r) => {
        worker.port.off('error', onError)
        resolve(r)
      })
      worker.port.once('error', onError)
    })
  }
}
";
        let found = findings_of(src, "unremoved-listener");
        assert_eq!(found.len(), 1, "{found:#?}");
        let what = &found[0].what;
        assert!(
            what.contains("removed where the 'message' listener at line 7 settles, not where the `setTimeout` callback at line 5 settles"),
            "{what}"
        );
    }

    #[test]
    fn a_signal_kept_only_where_the_operation_fails_is_not_shown_reused() {
        let src = "export class Channel {
  open(url, signal) {
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new Error('aborted'))
      signal.addEventListener('abort', onAbort)
      const ws = new WebSocket(url)
      ws.onopen = () => { signal.removeEventListener('abort', onAbort); resolve(ws) }
      ws.onerror = () => reject(new Error('failed'))
    })
  }
}
";
        let found = findings_of(src, "unremoved-listener");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].confidence(), Confidence::Medium);
        // Kept where the operation ends the ordinary way: high.
        let kept_on_success = src.replace(
            "ws.onerror = () => reject(new Error('failed'))",
            "ws.onclose = () => resolve(null)",
        );
        let found = findings_of(&kept_on_success, "unremoved-listener");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].confidence(), Confidence::High);
    }
}
