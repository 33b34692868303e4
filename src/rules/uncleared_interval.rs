//! An interval (or a self-re-arming timeout) started in code that runs many
//! times is never cleared.

use super::{Evidence, Finding, Rule, RuleContext};
use crate::analysis::frameworks::{self, react};
use crate::analysis::frequency::Frequencies;
use crate::analysis::handles::release_counts;
use crate::analysis::lifecycle::{Lifecycles, Setup, is_per_instance_binding};
use crate::analysis::listeners;
use crate::analysis::resources;
use crate::analysis::server_render;
use crate::analysis::slots;
use crate::diagnostic::Severity;
use crate::model::{
    AccessPath, CallFact, FileModel, FnId, FnKind, Invocation, ResultUse, Root, Value,
};

pub(crate) const RULE: Rule = Rule {
    name: "uncleared-interval",
    summary: "An interval, a timeout that re-arms itself, or a timeout racing a promise is started in code that runs many times (a request handler, a component's setup) and never cleared (for a component: in its teardown), so its callback and everything it references stay alive long after their owner is gone.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/uncleared-interval.md"),
    check,
};

fn check(out: &mut RuleContext) {
    let model = out.model;
    // Built on the first timer: most files have none.
    let rep = std::cell::OnceCell::new();
    let lifecycles = std::cell::OnceCell::new();
    for call in model.global_calls("setInterval") {
        // A different problem from the ones below (the teardown exists but
        // never runs on a server), so it may be reported beside them.
        check_server_render(model, call, ("an interval", "the interval"), out);
        let lifecycles = lifecycles.get_or_init(|| Lifecycles::of(model));
        if let Some(setup) = lifecycles.setup_of(model, call.fn_ctx, call.span.start()) {
            check_interval_in_setup(model, setup, call, out);
            continue;
        }
        check_interval(
            model,
            rep.get_or_init(|| Frequencies::new(model)),
            call,
            out,
        );
    }
    for call in model.global_calls("setTimeout") {
        // A loop that re-arms itself is an interval in disguise.
        if call
            .args
            .first()
            .is_some_and(|cb| rearmed_function(model, call, &cb.value).is_some())
        {
            check_server_render(model, call, ("a `setTimeout` loop", "the loop"), out);
        }
        let rep = rep.get_or_init(|| Frequencies::new(model));
        check_rearming_timeout(model, rep, call, out);
        check_race_timeout(model, rep, call, out);
    }
}

/// Where the handle of a timer call ends up: follows `setInterval(…).unref()`.
fn handle_use<'m>(model: &'m FileModel, call: &'m CallFact) -> (&'m ResultUse, bool) {
    if let ResultUse::MethodCalled(m) = &call.result {
        if m == "unref" || m == "ref" {
            let chained = model.calls.iter().find(|c| {
                c.callee.receiver_is_call && c.callee.receiver_span.as_ref() == Some(&call.span)
            });
            if let Some(c) = chained {
                return (&c.result, true);
            }
        }
    }
    (&call.result, false)
}

fn check_interval(model: &FileModel, rep: &Frequencies, call: &CallFact, out: &mut RuleContext) {
    // A constructor runs once per instance, however the file hands the
    // class out: one shared slot per process cannot hold them all.
    if let (ResultUse::Assigned(path), _) = handle_use(model, call)
        && let Some(ctor) = slots::shared_instance_slot(model, call, path, resources::TIMER.release)
    {
        out.report(shared_slot_diagnostic(model, call, path, ctor));
        return;
    }
    // Once per process (module top level, a one-shot callback) is a design choice.
    if !rep.runs_many_times(call.fn_ctx, call.span.start()) {
        return;
    }
    let (use_, unref) = handle_use(model, call);
    let stored = match use_ {
        ResultUse::Discarded => None,
        ResultUse::Assigned(path) => {
            let handle =
                listeners::identity(model, call.fn_ctx, &Value::Path(AccessPath::clone(path)));
            if listeners::is_cleared(model, &handle)
                || listeners::escapes(model, &handle, call.span)
                || lazy_singleton(model, call, path)
            {
                return;
            }
            Some(path.to_string())
        }
        // Returned or handed to someone else: the receiver owns the handle.
        _ => return,
    };
    let effect = react::enclosing_effect(model, call.fn_ctx);
    if effect.is_some_and(|e| frameworks::has_opaque_cleanup(model, e)) {
        return;
    }
    let where_ = listeners::repetition_unit(model, call.fn_ctx, effect.is_some());
    let message = match &stored {
        None => format!(
            "an interval is started {where_} and its handle is discarded, so it runs and keeps its callback alive forever"
        ),
        Some(h) => format!(
            "an interval stored in `{h}` is started {where_} and never passed to clearInterval, so it runs and keeps its callback alive forever"
        ),
    };
    let handle = stored.as_deref().unwrap_or("handle");
    let mut help = match (effect, &stored) {
        (Some(_), _) => format!("keep the handle and return a cleanup from the effect: `return () => clearInterval({handle})`"),
        (None, None) => "keep the handle and call clearInterval(handle) when the owner is done (when the socket closes, on destroy or unmount)".to_string(),
        (None, Some(h)) => format!("call clearInterval({h}) when the owner is done (when the socket closes, on destroy or unmount)"),
    };
    if unref {
        help.push_str("; `.unref()` only lets the process exit, the interval still runs and holds its closure");
    }
    let freq = rep.at(call.fn_ctx, call.span.start());
    let extends_another = model
        .this_function(call.fn_ctx)
        .and_then(|f| model.functions[f].class)
        .is_some_and(|c| model.classes[c].super_class.is_some());
    let mut finding = Finding::new(call.span.range(), message)
        .with_label(format!("started {where_}"))
        .with_help(help)
        .with_evidence(Evidence::runs_shown(rep.describe(&freq)))
        .with_evidence(Evidence::Kept(match &stored {
            None => "the handle is discarded: nothing can ever clear it".to_string(),
            Some(h) => format!("no clearInterval of `{h}` in this file"),
        }));
    // One interval per process, started by a `start()` or `init()` that its
    // callers run once, is a design choice, not a leak: high needs the
    // repetition shown (a listener, a route, a loop, an effect), not only
    // callers out of view.
    // An interval a constructor starts and throws the handle of is another
    // matter: no instance can ever be disposed of, so every `new` keeps one
    // more instance alive for good, however rarely it runs.
    let per_instance_for_good = match &stored {
        // Thrown away by a constructor or a factory: no instance can stop it.
        None => {
            model.in_constructor(call.fn_ctx)
                || listeners::in_factory(model, call.fn_ctx, true)
                || returns_object_literal(model, call)
        }
        // Kept on an instance by a constructor, with no clear in the file
        // and no base class that could clear it: no instance can stop it.
        Some(h) => h.starts_with("this.") && model.in_constructor(call.fn_ctx) && !extends_another,
    } || clears_a_sibling(model, call);
    if effect.is_none() && !per_instance_for_good && !rep.shown_many(call.fn_ctx, call.span.start())
    {
        finding = finding.assumed(
            "runs many times only by assumption: nothing here shows its callers start it more than once",
        );
    }
    // A handle kept on `this` by a class that extends another: the base
    // class (in another file) may clear it.
    if stored.as_deref().is_some_and(|h| h.starts_with("this.")) && extends_another {
        finding = finding.assumed("the class extends another, which may clear the handle");
    }
    out.report(finding);
}

/// An interval started while a component is set up must be cleared when the
/// component is torn down; otherwise every mount adds one more, and each
/// keeps its callback (and the component it closes over) alive.
fn check_interval_in_setup(
    model: &FileModel,
    setup: &Setup,
    call: &CallFact,
    out: &mut RuleContext,
) {
    let (use_, unref) = handle_use(model, call);
    if let ResultUse::Assigned(path) = use_
        && let Some(ctor) = slots::shared_instance_slot(model, call, path, resources::TIMER.release)
    {
        out.report(shared_slot_diagnostic(model, call, path, ctor));
        return;
    }
    let stored = match use_ {
        ResultUse::Discarded => None,
        ResultUse::Assigned(path) => {
            let handle =
                listeners::identity(model, call.fn_ctx, &Value::Path(AccessPath::clone(path)));
            let cleared = resources::TIMER.release.iter().any(|name| {
                model.global_calls(name).any(|c| {
                    c.args.first().is_some_and(|a| {
                        listeners::identity(model, c.fn_ctx, &a.value).same(&handle)
                    }) && release_counts(model, setup, call.fn_ctx, path, c.fn_ctx)
                })
            });
            if cleared
                || listeners::escapes(model, &handle, call.span)
                || lazy_singleton(model, call, path)
            {
                return;
            }
            Some(path.to_string())
        }
        // Returned or handed to someone else: the receiver owns the handle.
        _ => return,
    };
    if setup.has_opaque_cleanup(model) {
        return;
    }
    let occasion = setup.occasion(model);
    let what = match &stored {
        Some(h) => format!("an interval (kept in `{h}`)"),
        None => "an interval".to_string(),
    };
    let message = format!(
        "{occasion} starts {what} that {} never clears; it keeps running, and its callback keeps {} alive",
        setup.ending(),
        setup.gone()
    );
    let mut help = match &stored {
        Some(h) => setup.advice(&format!("clearInterval({h})")),
        None => format!(
            "keep the handle (`const id = setInterval(…)`) and {}",
            setup.advice("clearInterval(id)")
        ),
    };
    if unref {
        help.push_str("; `.unref()` only lets the process exit, the interval still runs and holds its closure");
    }
    out.report(
        Finding::new(call.span.range(), message)
            .with_label(format!("started on {occasion}"))
            .with_related(
                setup.label_span.clone(),
                format!("set up in `{}`", setup.hook),
            )
            .with_help(help)
            .with_evidence(Evidence::runs_shown(format!("once per {occasion}")))
            .with_evidence(Evidence::Kept(format!(
                "no clearInterval on {}",
                setup.ending()
            ))),
    );
}

/// An interval (or a `setTimeout` loop) started for every server render
/// (in a component's constructor, `componentWillMount` or `render`, Vue's
/// `created`) and cleared only in a teardown, which server rendering never
/// runs. `what`/`it` name the timer in the message.
fn check_server_render(
    model: &FileModel,
    call: &CallFact,
    (what, it): (&str, &str),
    out: &mut RuleContext,
) {
    let (ResultUse::Assigned(handle), _) = handle_use(model, call) else {
        return;
    };
    let Some(s) = server_render::server_start(model, call, handle) else {
        return;
    };
    let where_ = match s.phase.as_str() {
        "constructor" => "the constructor".to_string(),
        p => format!("`{p}`"),
    };
    let of = match &s.component {
        Some(n) => format!(" of component `{n}`"),
        None => String::new(),
    };
    let teardown = &s.teardown;
    let mut diag = Finding::new(
        call.span.range(),
        format!(
            "{what} is started in {where_}{of} and cleared only in `{teardown}`, which never runs in server rendering: every server render leaks {it} and the component"
        ),
    )
    .with_label(format!("started in {where_}, which runs for every server render"))
    .with_related(s.phase_span.clone(), format!("`{}` runs on the server", s.phase));
    for clear in &s.clears {
        diag = diag.with_related(clear.clone(), format!("cleared only here, in `{teardown}`"));
    }
    diag = diag
        .with_help(server_render::advice(s.framework))
        .with_evidence(Evidence::Shown(format!("component: {}", s.recognised)))
        .with_evidence(Evidence::Shown(format!(
            "runs in server rendering: `{}`",
            s.phase
        )))
        .with_evidence(Evidence::Kept(format!(
            "cleared only in `{teardown}`, which the server never calls"
        )))
        .with_evidence(Evidence::Shown(
            "no `typeof window` guard keeps it off the server".into(),
        ));
    if let Some(doubt) = s.doubt {
        diag = diag.assumed(doubt);
    }
    out.report(diag);
}

/// An interval per instance stored in one module-level variable: each
/// instance overwrites the previous handle, which can then never be cleared.
fn shared_slot_diagnostic(
    model: &FileModel,
    call: &CallFact,
    slot: &AccessPath,
    ctor: Option<swc_atoms::Atom>,
) -> Finding {
    let every = match &ctor {
        Some(n) => format!("for every instance of `{n}`"),
        None => "for every instance".to_string(),
    };
    let decl = slot
        .root_binding()
        .and_then(|id| model.semantic.binding(&id))
        .map(|b| b.span);
    let mut diag = Finding::new(call.span.range(),
        format!(
            "an interval is started {every} and stored in `{slot}`, one variable shared by all instances: each new instance overwrites the previous handle, so `clearInterval({slot})` can only stop the newest and the others run, keeping their instances alive, forever"
        ),
    )
    .with_label(format!("started {every}"))
    .with_evidence(Evidence::runs_shown(format!("{every} (a constructor)")))
    .with_evidence(Evidence::Kept(format!(
        "one shared slot `{slot}` for every instance's handle"
    )));
    if let Some(d) = decl {
        diag = diag.with_related(d.range(), "one slot for every instance");
    }
    diag.with_help(format!(
        "keep the handle on the instance (`this.timer = setInterval(…)`) and clear it in its teardown, or clear `{slot}` before storing a new handle"
    ))
}

/// `if (!timer) timer = setInterval(…)` with a module-level `timer`: at most
/// one interval per process, however often the function runs.
fn lazy_singleton(model: &FileModel, call: &CallFact, handle: &AccessPath) -> bool {
    let module_level = handle.props.is_empty()
        && handle
            .root_binding()
            .and_then(|id| model.semantic.binding(&id))
            .is_some_and(|b| b.is_module_level() && !is_per_instance_binding(model, b));
    module_level
        && model.conditionals.iter().any(|c| {
            c.fn_ctx == call.fn_ctx
                && c.span.start() <= call.span.start()
                && call.span.end() <= c.span.end()
        })
}

/// `function poll() { …; setTimeout(poll, 1000) }` with no way to stop.
fn check_rearming_timeout(
    model: &FileModel,
    rep: &Frequencies,
    call: &CallFact,
    out: &mut RuleContext,
) {
    let Some(callback) = call.args.first() else {
        return;
    };
    let Some(scheduler) = rearmed_function(model, call, &callback.value) else {
        return;
    };
    let info = &model.functions[scheduler];
    let per_instance = info.kind == FnKind::Method && info.class.is_some();
    if !(per_instance
        || rep.runs_many_times(info.parent, info.span.start())
        || listeners::called_repeatedly(rep, scheduler))
    {
        return;
    }
    if has_stop_condition(model, call, scheduler, &callback.value) {
        return;
    }
    let name = info
        .name
        .clone()
        .map(|n| n.to_string())
        .unwrap_or_else(|| "it".into());
    let how = if per_instance {
        "for every instance".to_string()
    } else {
        "for every call".to_string()
    };
    out.report(
        Finding::new(call.span.range(),
            format!("`{name}` re-arms itself with setTimeout {how} and nothing can stop it, so the loop and its closure live forever"),
        )
        .with_label("re-arms the timer unconditionally")
        .with_evidence(Evidence::runs_shown(format!("{how} of `{name}`")))
        .with_evidence(Evidence::Kept(
            "no stop condition guards the re-arming call".into(),
        ))
        .with_help(format!(
            "keep the handle and call clearTimeout(handle) when the owner is done, or check a stop flag in `{name}` (`if (stopped) return`) before re-arming"
        )),
    );
}

/// `Promise.race([work, new Promise((_, reject) => setTimeout(reject, ms))])`:
/// when `work` wins, the timer still holds its closure for the whole delay.
fn check_race_timeout(
    model: &FileModel,
    rep: &Frequencies,
    call: &CallFact,
    out: &mut RuleContext,
) {
    // Short delays cost nothing worth reporting.
    if matches!(call.args.get(1).map(|a| &a.value), Some(Value::Num(ms)) if *ms < 1000.0) {
        return;
    }
    let Some(executor) = call.fn_ctx else { return };
    let Invocation::CallbackOf { call: promise, .. } = model.functions[executor].invocation else {
        return;
    };
    let promise = &model.calls[promise];
    let is_promise = promise.is_new
        && promise
            .callee
            .path
            .as_ref()
            .is_some_and(|p| p.is_global("Promise"));
    if !is_promise || !rep.runs_many_times(promise.fn_ctx, promise.span.start()) {
        return;
    }
    // The race this promise takes part in: written inside its arguments, or
    // through the name it is stored in (`const timeout = new Promise(…)`).
    // A sleep (`await new Promise((r) => setTimeout(r, ms))`) races nothing.
    let stored_in = match &promise.result {
        ResultUse::Assigned(p) if p.props.is_empty() => p.root_binding(),
        // `promises.push(new Promise(…))`, raced as `Promise.race(promises)`.
        _ => model
            .calls
            .iter()
            .find(|c| {
                c.fn_ctx == promise.fn_ctx
                    && matches!(c.callee.method.as_deref(), Some("push" | "unshift"))
                    && c.args.iter().any(|a| a.span.contains(promise.span.start()))
            })
            .and_then(|c| c.callee.receiver())
            .filter(|r| r.props.is_empty())
            .and_then(|r| r.root_binding()),
    };
    let race = model.calls.iter().find(|c| {
        c.fn_ctx == promise.fn_ctx
            && c.callee.path.as_ref().is_some_and(|p| {
                matches!(&p.root, Root::Global(g) if g == "Promise")
                    && matches!(p.props.as_slice(), [m] if m == "race")
            })
            && (c.span.contains(promise.span.start())
                || stored_in.as_ref().is_some_and(|id| {
                    model
                        .semantic
                        .references(id)
                        .iter()
                        .any(|r| c.span.contains(r.span.start()))
                }))
    });
    let Some(race) = race else {
        return;
    };
    match &call.result {
        ResultUse::Discarded => {}
        // `new Promise((_, reject) => setTimeout(reject, ms))`: the
        // executor's return value is ignored, so the handle is lost.
        ResultUse::Returned if call.fn_ctx == Some(executor) => {}
        ResultUse::Assigned(path) => {
            if let Some(ctor) =
                slots::shared_instance_slot(model, call, path, resources::TIMER.release)
            {
                out.report(shared_slot_diagnostic(model, call, path, ctor));
                return;
            }
            let handle =
                listeners::identity(model, call.fn_ctx, &Value::Path(AccessPath::clone(path)));
            if listeners::is_cleared(model, &handle)
                || listeners::escapes(model, &handle, call.span)
            {
                return;
            }
        }
        _ => return,
    }
    let where_ = listeners::repetition_unit(model, promise.fn_ctx, false);
    let pos = promise.span.start();
    let freq = rep.describe(&rep.at(promise.fn_ctx, pos));
    let mut diag = Finding::new(call.span.range(),
            format!("a timeout races a promise {where_} and is never cleared, so when the promise wins the timer and its closure stay alive for the full delay"),
        )
        .with_label("never cleared when the race is decided")
        .with_help("keep the handle and call clearTimeout(handle) as soon as the raced promise settles (for example in `.finally()`)")
        .with_evidence(Evidence::runs_shown(freq))
        .with_evidence(Evidence::Kept(
            "the timer's handle is never cleared when the race is decided".into(),
        ));
    // The timer ends by itself after its delay: retention adds up only
    // where the race is shown to run again and again (a loop, a listener,
    // a route handler, a helper returning it), not in code whose callers
    // are unknown (a test case, a start-up helper).
    // A helper that returns the race hands out a new promise per call: it
    // exists to be called once per operation.
    let returned = matches!(race.result, ResultUse::Returned);
    if returned {
        diag = diag.with_evidence(Evidence::Shown(
            "the function returns the race: one per operation".into(),
        ));
    } else if !rep.shown_many(promise.fn_ctx, pos) {
        diag = diag.assumed(
            "the race repeats only by assumption: nothing here shows its callers run it again",
        );
    }
    out.report(diag);
}

/// The enclosing named function the timeout callback calls again, if any.
fn rearmed_function(model: &FileModel, call: &CallFact, callback: &Value) -> Option<FnId> {
    let mut current = call.fn_ctx;
    while let Some(f) = current {
        if let Some(me) = listeners::callee_identity(model, f) {
            let direct = match callback {
                Value::Path(_) => listeners::identity(model, call.fn_ctx, callback).same(&me),
                Value::Call(bound) if bound.method.as_deref() == Some("bind") => bound
                    .callee
                    .as_ref()
                    .and_then(AccessPath::parent)
                    .is_some_and(|p| {
                        listeners::identity(model, call.fn_ctx, &Value::Path(p)).same(&me)
                    }),
                _ => false,
            };
            let via_callback = match callback {
                Value::Function(Some(cb)) => model.calls.iter().any(|c| {
                    model.is_within(c.fn_ctx, *cb)
                        && c.callee.path.as_ref().is_some_and(|p| {
                            listeners::identity(model, c.fn_ctx, &Value::Path(p.clone())).same(&me)
                        })
                }),
                _ => false,
            };
            if direct || via_callback {
                return Some(f);
            }
        }
        current = model.functions[f].parent;
    }
    None
}

/// A way out of the loop: the handle is cleared somewhere, the re-arm sits
/// in a branch, or the loop body has an early `return`/`throw`.
fn has_stop_condition(
    model: &FileModel,
    call: &CallFact,
    scheduler: FnId,
    callback: &Value,
) -> bool {
    if let Some(handle) = listeners::stored_identity(model, call) {
        if listeners::is_cleared(model, &handle) {
            return true;
        }
    }
    if !matches!(call.result, ResultUse::Discarded | ResultUse::Assigned(_)) {
        return true;
    }
    let in_loop = |f: Option<FnId>| {
        model.is_within(f, scheduler)
            || matches!(callback, Value::Function(Some(cb)) if model.is_within(f, *cb))
    };
    model
        .conditionals
        .iter()
        .any(|c| in_loop(c.fn_ctx) && (c.exits || c.span.encloses(call.span)))
        || recursive_call_is_guarded(model, scheduler, callback)
        || rearmed_only_on_success(model, call, scheduler)
}

/// `work().then(() => setTimeout(beat, ms)).catch(() => stop())`: the loop
/// re-arms in a fulfilment reaction of a promise whose chain also handles
/// the rejection without re-arming, so the first failure of the awaited work
/// (a ping that times out once the peer is gone) ends the loop. Its author
/// wrote that way out; the loop lives as long as the work succeeds.
fn rearmed_only_on_success(model: &FileModel, call: &CallFact, scheduler: FnId) -> bool {
    // The innermost function around the re-arming call that is a
    // fulfilment reaction, within the loop's own function.
    let mut current = call.fn_ctx;
    let reaction = loop {
        let Some(f) = current.filter(|f| *f != scheduler) else {
            return false;
        };
        if let Invocation::CallbackOf { call: then, arg: 0 } = model.functions[f].invocation
            && model.calls[then].callee.method.as_deref() == Some("then")
        {
            break then;
        }
        current = model.functions[f].parent;
    };
    let then = &model.calls[reaction];
    let me = listeners::callee_identity(model, scheduler);
    // A handler re-arms when it starts a timer or calls the loop again.
    let rearms = |handler: &Value| match handler {
        Value::Function(Some(h)) => model.calls.iter().any(|c| {
            model.is_within(c.fn_ctx, *h)
                && (c.callee.global_function().as_deref() == Some("setTimeout")
                    || c.callee.path.as_ref().is_some_and(|p| {
                        me.as_ref().is_some_and(|me| {
                            listeners::identity(model, c.fn_ctx, &Value::Path(p.clone())).same(me)
                        })
                    }))
        }),
        // A named handler or anything else: what it does is not in view.
        _ => true,
    };
    let on_rejection = then.args.get(1).map(|a| &a.value).into_iter().chain(
        model
            .method_calls("catch")
            .filter(|c| {
                c.callee.receiver_is_call && c.callee.receiver_span.as_ref() == Some(&then.span)
            })
            .filter_map(|c| c.args.first().map(|a| &a.value)),
    );
    let mut handled = false;
    for handler in on_rejection {
        if rearms(handler) {
            return false;
        }
        handled = true;
    }
    handled
}

/// `setTimeout(() => { if (!this.stopped) this.poll() })`.
fn recursive_call_is_guarded(model: &FileModel, scheduler: FnId, callback: &Value) -> bool {
    let Value::Function(Some(cb)) = callback else {
        return false;
    };
    let Some(me) = listeners::callee_identity(model, scheduler) else {
        return false;
    };
    model.calls.iter().any(|c| {
        model.is_within(c.fn_ctx, *cb)
            && c.callee.path.as_ref().is_some_and(|p| {
                listeners::identity(model, c.fn_ctx, &Value::Path(p.clone())).same(&me)
            })
            && model.conditionals.iter().any(|k| {
                k.span.start() <= c.span.start()
                    && c.span.end() <= k.span.end()
                    && model.is_within(k.fn_ctx, *cb)
            })
    })
}

/// The function that starts the interval also sets a name that the file
/// passes to `clearInterval` — `(_syncInterval = ms) && setInterval(sync,
/// ms)`, `disable() { clearInterval(_syncInterval) }` — while the handle
/// itself goes elsewhere: the author means to stop this interval and cannot.
fn clears_a_sibling(model: &FileModel, call: &CallFact) -> bool {
    let cleared: Vec<&AccessPath> = model
        .global_calls("clearInterval")
        .filter_map(|c| match c.args.first().map(|a| &a.value) {
            Some(Value::Path(p)) => Some(p),
            _ => None,
        })
        .collect();
    !cleared.is_empty()
        && model.binding_writes.iter().any(|w| {
            w.fn_ctx == call.fn_ctx
                && cleared
                    .iter()
                    .any(|p| p.props.is_empty() && p.is_rooted_at(&w.id))
        })
}

/// The function that starts the interval returns an object it builds in
/// place (`return { addMesh, setMeshPosition }`): a factory, whose every
/// product the thrown-away interval keeps alive.
fn returns_object_literal(model: &FileModel, call: &CallFact) -> bool {
    let Some(f) = model.this_function(call.fn_ctx) else {
        return false;
    };
    model
        .returns
        .iter()
        .any(|r| r.fn_ctx == Some(f) && matches!(&r.value, Value::Object { empty: false, .. }))
}

#[cfg(test)]
mod tests {
    use super::super::context::findings_of;
    use super::*;

    #[test]
    fn a_discarded_handle_is_what_keeps_the_interval() {
        let src = "export function poll(f) {\n  setInterval(f, 1000);\n}\n";
        let found = findings_of(src, "uncleared-interval");
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert!(
            f.evidence
                .iter()
                .any(|e| matches!(e, Evidence::Runs { .. }))
        );
        assert!(
            f.evidence
                .iter()
                .any(|e| matches!(e, Evidence::Kept(why) if why.contains("discarded"))),
            "{:?}",
            f.evidence
        );
    }
}
