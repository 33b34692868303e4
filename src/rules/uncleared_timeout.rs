//! A timeout that rejects a raced promise is never cleared.

use std::ops::Range;

use super::Rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{CallFact, FileModel, FnId, Invocation, ResultUse, Value};
use crate::semantic::BindingKind;

pub(crate) const RULE: Rule = Rule {
    name: "uncleared-timeout",
    summary: "A timeout that rejects a raced promise is never cleared, so every call keeps its timer and closure alive for the full delay.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/uncleared-timeout.md"),
    check,
};

/// Literal delays below this are short-lived: the timer and its closure go
/// away soon after the call, so holding them is not worth a report.
const SHORT_DELAY_MS: f64 = 10_000.0;

fn check(model: &FileModel, out: &mut Vec<Diagnostic>) {
    for call in model.global_calls("setTimeout") {
        if !model.runs_many_times(call.fn_ctx) || is_short(call) {
            continue;
        }
        let Some(executor) = enclosing_executor(model, call.fn_ctx) else {
            continue;
        };
        if !rejects_executor(model, call, executor) {
            continue;
        }
        let kept = match &call.result {
            ResultUse::Discarded => None,
            // An executor's return value is ignored by `new Promise`.
            ResultUse::Returned if call.fn_ctx == Some(executor) => None,
            ResultUse::Assigned(handle) => {
                if model
                    .global_calls("clearTimeout")
                    .any(|c| c.args.first().is_some_and(|a| a.value == Value::Path(handle.clone())))
                {
                    continue;
                }
                Some(handle.to_string())
            }
            // Returned or passed on: someone else may clear it.
            _ => continue,
        };
        let executor_span: Range<usize> = model.functions[executor].span.clone();
        let what = match &kept {
            Some(h) => format!("the timeout stored in `{h}` is never cleared"),
            None => "the timeout's handle is thrown away, so it can never be cleared".to_string(),
        };
        out.push(
            Diagnostic::new(
                RULE.name,
                call.span.clone(),
                format!("{what}: every call keeps this timer and its closure alive for the full delay, even after the raced promise settles"),
            )
            .with_label("timer that only rejects, never cleared")
            .with_related(executor_span.start..executor_span.start.min(executor_span.end), "the promise it rejects is created here")
            .with_help("keep the handle (`const timer = setTimeout(…)`) and call `clearTimeout(timer)` when the raced work settles, for example in `.finally(() => clearTimeout(timer))`; or use `AbortSignal.timeout(ms)`"),
        );
    }
}

fn is_short(call: &CallFact) -> bool {
    matches!(call.args.get(1).map(|a| &a.value), Some(Value::Num(ms)) if *ms < SHORT_DELAY_MS)
}

/// The nearest enclosing `new Promise((resolve, reject) => …)` executor.
fn enclosing_executor(model: &FileModel, fn_ctx: Option<FnId>) -> Option<FnId> {
    let mut current = fn_ctx;
    while let Some(id) = current {
        if let Invocation::CallbackOf { call, arg: 0 } = model.functions[id].invocation {
            let c = &model.calls[call];
            if c.is_new && c.callee.path.as_ref().is_some_and(|p| p.is_global("Promise")) {
                return Some(id);
            }
        }
        current = model.functions[id].parent;
    }
    None
}

/// Does the timer callback call the executor's `reject` (its second
/// parameter)? A timer that resolves is a sleep, which the caller awaits.
fn rejects_executor(model: &FileModel, timer: &CallFact, executor: FnId) -> bool {
    let mut params: Vec<_> = model
        .semantic
        .bindings()
        .filter(|(_, b)| b.kind == BindingKind::Param && b.fn_ctx == Some(executor))
        .map(|(id, b)| (b.span.start, id.clone()))
        .collect();
    params.sort_by_key(|(start, _)| *start);
    let Some((_, reject)) = params.get(1) else {
        return false;
    };
    let is_reject = |v: &Value| matches!(v, Value::Path(p) if p.props.is_empty() && p.root_binding().as_ref() == Some(reject));
    match timer.args.first().map(|a| &a.value) {
        Some(Value::Function(Some(callback))) => model.calls.iter().any(|c| {
            model.is_within(c.fn_ctx, *callback)
                && c.callee.method.is_none()
                && c.callee.path.as_ref().is_some_and(|p| is_reject(&Value::Path(p.clone())))
        }),
        Some(v) => is_reject(v),
        None => false,
    }
}
