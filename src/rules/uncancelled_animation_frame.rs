//! A requestAnimationFrame loop started when a component is set up is never cancelled when it is torn down.

use super::{Finding, Rule, RuleContext};
use crate::analysis::handles::aliases;
use crate::analysis::lifecycle::{Lifecycles, Setup, function_of};
use crate::diagnostic::Severity;
use crate::model::{AccessPath, CallFact, FileModel, FnId, ResultUse, Root, Value};

pub(crate) const RULE: Rule = Rule {
    name: "uncancelled-animation-frame",
    summary: "A requestAnimationFrame loop started when a component is set up is never cancelled when it is torn down.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/uncancelled-animation-frame.md"),
    check,
};

fn check(out: &mut RuleContext) {
    let model = out.model;
    let lifecycles = Lifecycles::shared(model);
    if lifecycles.setups.is_empty() {
        return;
    }
    let frames: Vec<&CallFact> = model.global_calls("requestAnimationFrame").collect();
    let mut loops_seen: Vec<FnId> = Vec::new();
    for &call in &frames {
        let Some(step) = step_of(model, call) else {
            continue;
        };
        // A loop: the callback schedules itself (directly or from a nested callback).
        if !model.is_within(call.fn_ctx, step) || loops_seen.contains(&step) {
            continue;
        }
        loops_seen.push(step);
        let Some((setup, start)) = started_in_setup(model, lifecycles, &frames, step) else {
            continue;
        };
        let reschedules: Vec<&CallFact> = frames
            .iter()
            .copied()
            .filter(|c| model.is_within(c.fn_ctx, step) && schedules(model, c, step))
            .collect();
        if is_cancelled(model, setup, step, &reschedules)
            || stops_by_flag(model, setup)
            || may_end_by_itself(model, step, &reschedules)
        {
            continue;
        }
        let first_only = start.is_some_and(|s| cancels_start_only(model, setup, step, s));
        out.report(report(
            model,
            setup,
            call,
            step,
            start.filter(|_| first_only),
        ));
    }
}

/// Does this `requestAnimationFrame` call schedule `step`?
fn schedules(model: &FileModel, call: &CallFact, step: FnId) -> bool {
    step_of(model, call) == Some(step)
}

/// The function a frame request runs: its callback, or the function an
/// inline callback calls (`requestAnimationFrame(() => this.step())`) when
/// the request is made from inside that function (a loop through a wrapper).
fn step_of(model: &FileModel, call: &CallFact) -> Option<FnId> {
    let class = model.this_class(call.fn_ctx);
    let callback = function_of(model, &call.args.first()?.value, class)?;
    if model.is_within(call.fn_ctx, callback) {
        return Some(callback);
    }
    model
        .calls
        .iter()
        .filter(|c| c.fn_ctx == Some(callback) && !c.is_new)
        .filter_map(|c| {
            let path = c.callee.path.as_ref()?;
            function_of(
                model,
                &Value::Path(path.clone()),
                model.this_class(c.fn_ctx),
            )
        })
        .find(|&f| model.is_within(call.fn_ctx, f))
        .or(Some(callback))
}

/// The setup that starts the loop: one that calls `step()` or schedules it,
/// or that `step` is defined in. Also the starting frame request, if any.
fn started_in_setup<'l, 'm>(
    model: &'m FileModel,
    lifecycles: &'l Lifecycles,
    frames: &[&'m CallFact],
    step: FnId,
) -> Option<(&'l Setup, Option<&'m CallFact>)> {
    for c in &model.calls {
        if model.is_within(c.fn_ctx, step) {
            continue;
        }
        let class = model.this_class(c.fn_ctx);
        let direct = c
            .callee
            .path
            .as_ref()
            .and_then(|p| function_of(model, &Value::Path(p.clone()), class))
            == Some(step);
        let scheduled = frames.iter().any(|f| std::ptr::eq(*f, c)) && schedules(model, c, step);
        if !direct && !scheduled {
            continue;
        }
        if let Some(setup) = lifecycles.setup_of(model, c.fn_ctx, c.span.start()) {
            return Some((setup, scheduled.then_some(c)));
        }
    }
    let f = &model.functions[step];
    lifecycles
        .setup_of(model, f.parent, f.span.start())
        .map(|s| (s, None))
}

/// The latest id is kept (`id = requestAnimationFrame(step)` inside the loop)
/// and `cancelAnimationFrame(id)` runs at teardown.
fn is_cancelled(model: &FileModel, setup: &Setup, step: FnId, reschedules: &[&CallFact]) -> bool {
    reschedules.iter().any(|r| match &r.result {
        ResultUse::Assigned(id) => cancels(model, setup, step, id),
        _ => false,
    })
}

fn cancels(model: &FileModel, setup: &Setup, step: FnId, id: &AccessPath) -> bool {
    let paths = aliases(model, id);
    model.global_calls("cancelAnimationFrame").any(|c| {
        let on_id = matches!(c.args.first().map(|a| &a.value), Some(Value::Path(p)) if paths.contains(&p.normalized()));
        let in_place = setup.in_teardown(model, c.fn_ctx)
            || (matches!(id.root, Root::Binding(..)) && !model.is_within(c.fn_ctx, step) && !setup.contains(model, c.fn_ctx));
        on_id && in_place
    })
}

/// The teardown cancels the id of the first frame only: the loop re-schedules
/// itself with ids nobody keeps.
fn cancels_start_only(model: &FileModel, setup: &Setup, step: FnId, start: &CallFact) -> bool {
    match &start.result {
        ResultUse::Assigned(id) => cancels(model, setup, step, id),
        _ => false,
    }
}

/// A loop that re-schedules only under a condition, or returns early under
/// one, may end by itself (an animation that reaches its last frame, a loop
/// that checks whether its element is still connected): not reported.
fn may_end_by_itself(model: &FileModel, step: FnId, reschedules: &[&CallFact]) -> bool {
    let body = &model.functions[step].span;
    let guarded = |at: usize| {
        model
            .guarded
            .iter()
            .any(|g| body.start() <= g.start() && g.end() <= body.end() && g.contains(at))
    };
    let first = reschedules
        .iter()
        .map(|c| c.span.start())
        .min()
        .unwrap_or(body.end());
    reschedules.iter().any(|c| guarded(c.span.start()))
        || model
            .returns
            .iter()
            .any(|r| r.fn_ctx == Some(step) && r.span.start() < first && guarded(r.span.start()))
}

/// `running = false` / `this.stopped = true` at teardown: a loop that checks
/// a flag stops on the next frame.
fn stops_by_flag(model: &FileModel, setup: &Setup) -> bool {
    model
        .binding_writes
        .iter()
        .any(|w| w.value == Value::Bool && setup.in_teardown(model, w.fn_ctx))
        || model
            .member_writes
            .iter()
            .any(|w| w.value == Value::Bool && setup.in_teardown(model, w.fn_ctx))
}

fn report(
    model: &FileModel,
    setup: &Setup,
    call: &CallFact,
    step: FnId,
    cancelled_start: Option<&CallFact>,
) -> Finding {
    let first_only = cancelled_start.is_some();
    let name = model.functions[step]
        .name
        .as_deref()
        .unwrap_or("the frame callback")
        .to_string();
    let id = match (&call.result, cancelled_start.map(|s| &s.result)) {
        (ResultUse::Assigned(p), _) | (_, Some(ResultUse::Assigned(p))) => p.to_string(),
        _ => "frame".to_string(),
    };
    let message = if first_only {
        format!(
            "animation-frame loop started in `{}` is never stopped: the teardown cancels only the first frame, and each frame schedules the next with a new id; it keeps running, and keeps the component alive, after unmount",
            setup.hook
        )
    } else {
        format!(
            "animation-frame loop started in `{}` is never cancelled: it keeps running every frame, and keeps the component alive, after unmount",
            setup.hook
        )
    };
    let store = match &call.result {
        ResultUse::Assigned(_) => String::new(),
        _ => format!(
            "store the latest id each time the loop schedules itself (`{id} = requestAnimationFrame({name})`) and "
        ),
    };
    Finding::new(call.span.range(), message)
        .with_label("the loop schedules itself here")
        .with_related(
            setup.label_span.clone(),
            format!("started in `{}`", setup.hook),
        )
        .with_help(format!(
            "{store}{}",
            setup.advice(&format!("cancelAnimationFrame({id})"))
        ))
}
