//! An observer created when a component is set up is never disconnected when it is torn down.

use super::{Evidence, Finding, Rule, RuleContext};
use crate::analysis::handles::{aliases, escapes, release_counts};
use crate::analysis::lifecycle::{Lifecycles, Setup, function_of};
use crate::analysis::resources;
use crate::diagnostic::Severity;
use crate::model::semantic::BindingKind;
use crate::model::{AccessPath, CallFact, FileModel, ResultUse, Root, Value};

pub(crate) const RULE: Rule = Rule {
    name: "undisconnected-observer",
    summary: "A ResizeObserver, IntersectionObserver, MutationObserver or PerformanceObserver created when a component is set up is never disconnected when it is torn down.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/undisconnected-observer.md"),
    check,
};

/// The observer constructors, from the resource table.
const OBSERVERS: &[&str] = resources::OBSERVER.acquire;

fn check(out: &mut RuleContext) {
    let model = out.model;
    let lifecycles = Lifecycles::shared(model);
    if lifecycles.setups.is_empty() {
        return;
    }
    for call in model.calls.iter().filter(|c| c.is_new) {
        let Some(kind) = call.callee.global_function() else {
            continue;
        };
        if !OBSERVERS.contains(&kind.as_ref()) {
            continue;
        }
        let Some(setup) = lifecycles.setup_of(model, call.fn_ctx, call.span.start()) else {
            continue;
        };
        if disconnects_itself(model, call) {
            continue;
        }
        let handle = match &call.result {
            ResultUse::Assigned(path) => path.clone(),
            // `new ResizeObserver(cb).observe(el)`: nothing can disconnect it.
            ResultUse::MethodCalled(m) if m == "observe" => {
                out.report(report(model, setup, call, &kind, None));
                continue;
            }
            // Returned, passed on, or unused: someone else owns it.
            _ => continue,
        };
        let paths = aliases(model, &handle);
        if escapes(model, &paths) || is_released(model, setup, call, &handle, &paths) {
            continue;
        }
        out.report(report(model, setup, call, &kind, Some(&handle)));
    }
}

/// `disconnect()` on any alias where it counts, or `unobserve(t)` of every
/// target `t` it observes.
fn is_released(
    model: &FileModel,
    setup: &Setup,
    call: &CallFact,
    handle: &AccessPath,
    paths: &[AccessPath],
) -> bool {
    let on_handle = |c: &&CallFact| {
        c.callee
            .receiver()
            .as_ref()
            .is_some_and(|r| paths.contains(&r.normalized()))
    };
    let counts = |c: &&CallFact| release_counts(model, setup, call.fn_ctx, handle, c.fn_ctx);
    if model
        .method_calls("disconnect")
        .filter(on_handle)
        .any(|c| counts(&c))
    {
        return true;
    }
    let targets = |method: &'static str, only_counting: bool| -> Vec<Value> {
        model
            .method_calls(method)
            .filter(on_handle)
            .filter(|c| !only_counting || counts(c))
            .filter_map(|c| c.args.first().map(|a| a.value.clone()))
            .collect()
    };
    let observed = targets("observe", false);
    let unobserved = targets("unobserve", true);
    !observed.is_empty()
        && observed
            .iter()
            .all(|t| !matches!(t, Value::Other) && unobserved.contains(t))
}

/// `new IntersectionObserver((entries, observer) => { …; observer.disconnect() })`:
/// a one-shot observer that disconnects itself through its callback's
/// second parameter.
fn disconnects_itself(model: &FileModel, call: &CallFact) -> bool {
    let Some(callback) = call
        .args
        .first()
        .and_then(|a| function_of(model, &a.value, None))
    else {
        return false;
    };
    model.method_calls("disconnect").any(|c| {
        c.callee
            .receiver()
            .as_ref()
            .is_some_and(|r| match (&r.root, r.props.is_empty()) {
                (Root::Binding(..), true) => model
                    .semantic
                    .binding(&r.root_binding().expect("binding root"))
                    .is_some_and(|b| b.kind == BindingKind::Param && b.fn_ctx == Some(callback)),
                _ => false,
            })
    })
}

fn report(
    model: &FileModel,
    setup: &Setup,
    call: &CallFact,
    kind: &str,
    handle: Option<&AccessPath>,
) -> Finding {
    let what = match handle {
        Some(h) => format!("`{h}`"),
        None => format!("this `{kind}`"),
    };
    let help = match handle {
        Some(h) => format!(
            "{}; the observer otherwise keeps its callback, and the unmounted component it closes over, alive",
            setup.advice(&format!("{h}.disconnect()"))
        ),
        None => format!(
            "keep the observer in a variable (`const observer = new {kind}(…)`) and {}",
            setup.advice("observer.disconnect()")
        ),
    };
    Finding::new(call.span.range(),
        format!(
            "{what} is created in `{}` and never disconnected: it keeps observing, and keeps the component alive, after unmount",
            setup.hook
        ),
    )
    .with_label(format!("`{kind}` created here"))
    .with_related(setup.label_span.clone(), format!("set up in `{}`", setup.hook))
    .with_help(help)
    .with_evidence(Evidence::runs_shown(format!(
        "once per {}",
        setup.occasion(model)
    )))
    .with_evidence(Evidence::Kept(format!("no disconnect on {}", setup.ending())))
}
