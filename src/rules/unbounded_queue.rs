//! A long-lived queue is filled per request/event and drained at a fixed
//! rate (a fixed number of items per tick of an interval), with no bound on
//! its length: when producers are faster, the backlog grows without limit.

use std::ops::Range;

use super::{Finding, Rule, RuleContext};
use crate::analysis::backlog;
use crate::analysis::containers::{self, ContainerKind};
use crate::analysis::frequency::Frequencies;
use crate::analysis::instance_fields;
use crate::analysis::lifetime;
use crate::diagnostic::Severity;
use crate::model::{AccessPath, CallFact, ClassId, FileModel, FnId, Invocation, Key, Root, Value};

pub(crate) const RULE: Rule = Rule {
    name: "unbounded-queue",
    summary: "A long-lived queue is filled per request or event and drained at a fixed rate, with no bound on its length, so a burst of work piles up in memory.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/unbounded-queue.md"),
    check,
};

/// A long-lived array used as a queue.
struct Queue {
    path: AccessPath,
    /// For `this.<field>` of a long-lived class.
    class: Option<ClassId>,
    decl: Range<usize>,
    lifetime: String,
}

impl Queue {
    fn named_by(&self, model: &FileModel, fn_ctx: Option<FnId>, path: &AccessPath) -> bool {
        match self.class {
            None => containers::names(path, &self.path),
            Some(class) => *path == self.path && model.this_class(fn_ctx) == Some(class),
        }
    }
}

fn check(out: &mut RuleContext) {
    let model = out.model;
    let takes: Vec<&CallFact> = model
        .calls
        .iter()
        .filter(|c| takes_a_fixed_number(c) && c.callee.has_receiver())
        .collect();
    if takes.is_empty() {
        return;
    }
    let rep = Frequencies::new(model);
    for q in queues(model) {
        let receiver_is = |c: &CallFact| {
            c.callee
                .receiver()
                .is_some_and(|r| q.named_by(model, c.fn_ctx, &r))
        };
        let consumers: Vec<&CallFact> = takes.iter().copied().filter(|c| receiver_is(c)).collect();
        if consumers.is_empty() {
            continue;
        }
        // Every take runs once per tick of an interval, outside any loop.
        let mut timer = None;
        let fixed_rate = consumers.iter().all(|c| {
            let t = interval_of(model, c.fn_ctx);
            if timer.is_none() {
                timer = t;
            }
            t.is_some() && !backlog::in_loop(model, c.span, c.fn_ctx)
        });
        let Some(timer) = timer.filter(|_| fixed_rate) else {
            check_single_worker(model, &rep, &q, &consumers, out);
            continue;
        };
        if drains_all(model, &q) {
            continue;
        }
        let producers: Vec<&CallFact> = model
            .calls
            .iter()
            .filter(|c| {
                matches!(c.callee.method.as_deref(), Some("push" | "unshift"))
                    && !c.args.is_empty()
                    && receiver_is(c)
                    && rep.runs_many_times(c.fn_ctx, c.span.start())
                    && interval_of(model, c.fn_ctx).is_none()
                    && !backlog::in_lifecycle_handler(model, c.fn_ctx)
            })
            .collect();
        let Some(first) = producers.first() else {
            continue;
        };
        // A length check outside the consumer is the usual shape of a bound.
        let bounded = model.size_check_ctx.iter().any(|(i, ctx)| {
            q.named_by(model, *ctx, &model.size_checks[*i]) && interval_of(model, *ctx).is_none()
        });
        if bounded {
            continue;
        }
        let name = q.path.to_string();
        let driver = backlog::driver(model, first.span, first.fn_ctx).describe();
        let every = timer
            .args
            .get(1)
            .map(|a| format!("every {} ms", model.text(&a.span)))
            .unwrap_or_else(|| "on every tick".to_string());
        let mut d = Finding::new(first.span.range(),
            format!(
                "`{name}` gains an item {driver} but loses only a fixed number {every}: whenever work comes faster, the backlog grows without bound"
            ),
        )
        .with_label(format!("added {driver}, with no check of `{name}.length`"))
        .with_related(q.decl.clone(), q.lifetime.clone());
        for c in &consumers {
            d = d.with_related(c.span.range(), format!("taken out {every}, no faster"));
        }
        out.report(d.with_help(format!(
            "bound the queue: reject or drop new work when `{name}.length` reaches a limit, take everything that is waiting on each tick (`{name}.splice(0)`), or use a bounded queue (`p-queue` with `concurrency` and a size check, `p-limit`) so callers wait for room instead of piling up"
        )));
    }
}

/// `q.shift()`, `q.pop()`, `q.splice(0, 10)`: a fixed number of items per call.
fn takes_a_fixed_number(c: &CallFact) -> bool {
    match c.callee.method.as_deref() {
        Some("shift" | "pop") => c.args.is_empty(),
        Some("splice") => matches!(
            c.args.as_slice(),
            [a, b] if matches!(a.value, Value::Num(_)) && matches!(b.value, Value::Num(_))
        ),
        _ => false,
    }
}

/// Module-level arrays and array fields of instances that live as long as
/// the process.
fn queues(model: &FileModel) -> Vec<Queue> {
    let mut out: Vec<Queue> = containers::all(model)
        .iter()
        .filter(|c| c.kind == ContainerKind::Array)
        .map(|c| Queue {
            path: c.path.clone(),
            class: None,
            decl: c.decl_span.clone(),
            lifetime: c.lifetime.to_string(),
        })
        .collect();
    for l in lifetime::long_lived_classes(model) {
        for f in instance_fields::container_fields(model, l.class) {
            if f.kind == ContainerKind::Array {
                out.push(Queue {
                    path: instance_fields::field_path(&f.name),
                    class: Some(l.class),
                    decl: f.decl_span,
                    lifetime: l.why.clone(),
                });
            }
        }
    }
    out
}

/// Emptied wholesale somewhere (`q.splice(0)`, `q.length = 0`, `q = []`,
/// a loop that shifts until empty): the consumer keeps up with any rate.
fn drains_all(model: &FileModel, q: &Queue) -> bool {
    let on_q = |c: &CallFact| {
        c.callee
            .receiver()
            .is_some_and(|r| q.named_by(model, c.fn_ctx, &r))
    };
    model.calls.iter().any(|c| {
        on_q(c)
            && matches!(
                c.callee.method.as_deref(),
                Some("splice" | "shift" | "pop" | "filter" | "slice")
            )
            && !takes_a_fixed_number(c)
    }) || model.member_writes.iter().any(|w| {
        (q.named_by(model, w.fn_ctx, &w.object) && w.key == Key::Static("length".into()))
            || match (&w.key, q.path.props.last()) {
                (Key::Static(k), Some(last)) => {
                    k == last
                        && q.path.props.len() == w.object.props.len() + 1
                        && q.named_by(model, w.fn_ctx, &w.object.child(k.clone()))
                        && Frequencies::new(model).runs_many_times(w.fn_ctx, w.span.start())
                }
                _ => false,
            }
    }) || model.binding_writes.iter().any(|w| {
        q.path.props.is_empty()
            && matches!(&q.path.root, Root::Binding(n, c) if (n, c) == (&w.id.0, &w.id.1))
    }) || model
        .calls
        .iter()
        .any(|c| on_q(c) && takes_a_fixed_number(c) && backlog::in_loop(model, c.span, c.fn_ctx))
}

/// The `setInterval(…)` whose ticks run code in `fn_ctx`, directly or
/// through a function only intervals call.
fn interval_of<'m>(model: &'m FileModel, fn_ctx: Option<FnId>) -> Option<&'m CallFact> {
    interval_of_depth(model, fn_ctx, 0)
}

fn interval_of_depth<'m>(
    model: &'m FileModel,
    fn_ctx: Option<FnId>,
    depth: usize,
) -> Option<&'m CallFact> {
    let mut current = fn_ctx;
    while let Some(f) = current {
        if let Invocation::CallbackOf { call, .. } = model.functions[f].invocation {
            let c = &model.calls[call];
            if c.callee.global_function().as_deref() == Some("setInterval") {
                return Some(c);
            }
        }
        if depth < 2 {
            if let Some(t) = only_called_by_interval(model, f, depth) {
                return Some(t);
            }
        }
        current = model.functions[f].parent;
    }
    None
}

/// A named function (`function drain() {…}`, a method `drain()`) whose every
/// use is `setInterval(drain, …)` or a call from an interval's callback.
fn only_called_by_interval<'m>(
    model: &'m FileModel,
    f: FnId,
    depth: usize,
) -> Option<&'m CallFact> {
    let info = &model.functions[f];
    let name = info.name.as_ref()?;
    // The paths that name the function: its binding, or `this.<method>`.
    let binding = model.semantic.bindings().find_map(|(id, b)| {
        matches!(b.init, Some(Value::Function(Some(g))) if g == f).then(|| id.clone())
    });
    let names_it = |p: &AccessPath, ctx: Option<FnId>| match &binding {
        Some(id) => p.props.is_empty() && p.is_rooted_at(id),
        None => {
            info.class.is_some()
                && p.root == Root::This
                && p.props.len() == 1
                && &p.props[0] == name
                && model.this_class(ctx) == info.class
        }
    };
    let mut found = None;
    let mut uses = 0;
    for c in &model.calls {
        let is_interval = c.callee.global_function().as_deref() == Some("setInterval");
        if is_interval
            && c.args
                .first()
                .is_some_and(|a| matches!(&a.value, Value::Path(p) if names_it(p, c.fn_ctx)))
        {
            found = found.or(Some(c));
            uses += 1;
            continue;
        }
        if c.callee
            .path
            .as_ref()
            .is_some_and(|p| names_it(p, c.fn_ctx))
        {
            if model.is_within(c.fn_ctx, f) {
                continue;
            }
            let t = interval_of_depth(model, c.fn_ctx, depth + 1)?;
            found = found.or(Some(t));
            uses += 1;
        }
    }
    // Mentioned in any other way (passed on, exported): unknown callers.
    if let Some(id) = &binding {
        if model.semantic.references(id).len() != uses {
            return None;
        }
    }
    found
}

/// A queue drained by one worker at a time: the function that takes items
/// awaits each job and is guarded by an in-flight flag it sets
/// (`if (busy) return; busy = true; … await job(); … busy = false`). How
/// fast it drains depends on how long a job takes, which the code does not
/// show: medium confidence.
fn check_single_worker(
    model: &FileModel,
    rep: &Frequencies,
    q: &Queue,
    consumers: &[&CallFact],
    out: &mut RuleContext,
) {
    let Some(worker) = consumers[0].fn_ctx else {
        return;
    };
    if consumers.iter().any(|c| c.fn_ctx != Some(worker)) {
        return;
    }
    let body = model.functions[worker].span;
    // Awaits a job between items (an await of its own, not of a nested function).
    let awaits = model.awaits.iter().any(|a| {
        body.encloses(*a)
            && !model
                .functions
                .iter()
                .enumerate()
                .any(|(g, f)| g != worker && body.encloses(f.span) && f.span.encloses(*a))
    });
    let guard = model
        .conditionals
        .iter()
        .find(|c| c.exits && c.fn_ctx == Some(worker));
    // The in-flight flag: a boolean the worker sets, outside the call.
    let flag = model
        .binding_writes
        .iter()
        .find(|w| {
            w.fn_ctx == Some(worker)
                && w.value == Value::Bool
                && model.semantic.is_module_level(&w.id)
        })
        .map(|w| (w.id.0.to_string(), w.span))
        .or_else(|| {
            model
                .member_writes
                .iter()
                .find(|w| {
                    w.fn_ctx == Some(worker)
                        && w.value == Value::Bool
                        && w.object.root == Root::This
                        && w.object.props.is_empty()
                })
                .map(|w| (model.text(&w.target_span).to_string(), w.span))
        });
    let (Some(guard), Some((flag, flag_span)), true) = (guard, flag, awaits) else {
        return;
    };
    if drains_wholesale(model, q) {
        return;
    }
    let receiver_is = |c: &CallFact| {
        c.callee
            .receiver()
            .is_some_and(|r| q.named_by(model, c.fn_ctx, &r))
    };
    let Some(first) = model.calls.iter().find(|c| {
        matches!(c.callee.method.as_deref(), Some("push" | "unshift"))
            && !c.args.is_empty()
            && receiver_is(c)
            && !model.is_within(c.fn_ctx, worker)
            && rep.runs_many_times(c.fn_ctx, c.span.start())
            && !backlog::in_lifecycle_handler(model, c.fn_ctx)
    }) else {
        return;
    };
    let bounded = model.size_check_ctx.iter().any(|(i, ctx)| {
        q.named_by(model, *ctx, &model.size_checks[*i]) && !model.is_within(*ctx, worker)
    });
    if bounded {
        return;
    }
    let name = q.path.to_string();
    let driver = backlog::driver(model, first.span, first.fn_ctx).describe();
    let mut d = Finding::new(first.span.range(),
        format!(
            "`{name}` gains an item {driver} and is drained by a single worker, one job at a time: whenever jobs come faster than they finish, the backlog grows without bound"
        ),
    )
    .with_label(format!("added {driver}, with no check of `{name}.length`"))
    .with_related(q.decl.clone(), q.lifetime.clone())
    .with_related(guard.span.range(), format!("only one worker runs at a time (`{flag}`)"))
    .with_related(flag_span.range(), "the in-flight flag");
    for c in consumers {
        d = d.with_related(c.span.range(), "taken out one job at a time");
    }
    out.report(
        d.assumed("how long a job takes, and so how fast the queue drains, is not shown by the code")
            .with_help(format!(
                "bound the queue: reject or drop new work when `{name}.length` reaches a limit, or use a queue with a size limit and a concurrency (`p-queue`, checking `queue.size` before `add`) so callers wait for room instead of piling up"
            )),
    );
}

/// Emptied at once (`splice(0)`, `length = 0`, reassignment): whatever the
/// worker does, the backlog is dropped.
fn drains_wholesale(model: &FileModel, q: &Queue) -> bool {
    model.calls.iter().any(|c| {
        c.callee
            .receiver()
            .is_some_and(|r| q.named_by(model, c.fn_ctx, &r))
            && matches!(
                c.callee.method.as_deref(),
                Some("splice" | "filter" | "slice")
            )
            && !takes_a_fixed_number(c)
    }) || model
        .member_writes
        .iter()
        .any(|w| q.named_by(model, w.fn_ctx, &w.object) && w.key == Key::Static("length".into()))
        || model.binding_writes.iter().any(|w| {
            q.path.props.is_empty()
                && matches!(&q.path.root, Root::Binding(n, c) if (n, c) == (&w.id.0, &w.id.1))
        })
}
