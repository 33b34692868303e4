//! A subscription made when a component is set up is never unsubscribed when it is torn down.

use rustc_hash::FxHashMap;

use super::{Finding, Rule, RuleContext};
use crate::analysis::handles::{aliases, escapes, release_counts};
use crate::analysis::lifecycle::{Framework, Lifecycles, Setup};
use crate::analysis::resources::{self, Kind};
use crate::analysis::wrappers;
use crate::diagnostic::Severity;
use crate::model::{AccessPath, CallFact, CallId, FileModel, Props, ResultUse, Root, Value};

pub(crate) const RULE: Rule = Rule {
    name: "unsubscribed-subscription",
    summary: "A subscription made when a component is set up is never unsubscribed when it is torn down.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/unsubscribed-subscription.md"),
    check,
};

/// RxJS operators after which a subscription completes by itself.
/// (`takeWhile(() => this.alive)` and ngneat's `untilDestroyed(this)` are
/// trusted to end with the component.)
const COMPLETING: &[&str] = &[
    "takeWhile",
    "untilDestroyed",
    "take",
    "first",
    "single",
    "last",
    "elementAt",
    "find",
    "findIndex",
    "takeUntilDestroyed",
];
/// Registration functions that return their unsubscribe function (Firebase).
const UNSUBSCRIBE_RETURNING: &[&str] = &["onSnapshot", "onAuthStateChanged", "onIdTokenChanged"];
/// Observables that complete after one value: Angular Material's dialog and
/// snack-bar results.
const ONE_SHOT_METHODS: &[&str] = &[
    "afterClosed",
    "afterDismissed",
    "afterOpened",
    "beforeClosed",
    "onAction",
];
/// Angular decorators of properties that hold child components and elements:
/// they are destroyed with the component.
const CHILD_QUERIES: &[&str] = &[
    "ViewChild",
    "ViewChildren",
    "ContentChild",
    "ContentChildren",
];
/// Methods of Angular's `HttpClient`: its observables complete after one response.
const HTTP_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "jsonp", "request",
];
/// Observables of Angular's `ActivatedRoute`: the router completes them.
const ROUTE_STREAMS: &[&str] = &[
    "params",
    "paramMap",
    "queryParams",
    "queryParamMap",
    "data",
    "fragment",
    "url",
];

fn check(out: &mut RuleContext) {
    let model = out.model;
    check_unpropagated_ends(model, out);
    let lifecycles = Lifecycles::shared(model);
    if lifecycles.setups.is_empty() {
        return;
    }
    check_channels(model, lifecycles, out);
    let by_span: FxHashMap<(usize, usize), CallId> = model
        .calls
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.span.start(), c.span.end()), i))
        .collect();
    for call in model.calls.iter().filter(|c| is_subscription(c)) {
        // `this.subscribe()`: the component's own method, not a source.
        if call
            .callee
            .receiver()
            .as_ref()
            .is_some_and(|r| r.root == Root::This && r.props.is_empty())
        {
            continue;
        }
        let Some(setup) = lifecycles.setup_of(model, call.fn_ctx, call.span.start()) else {
            continue;
        };
        let chain = Chain::of(model, call, &by_span);
        let completion = chain.completion(model, setup, &by_span);
        if completion == Completion::Completes
            || chain.is_finite_or_owned(model)
            || unsubscribed_from_source(model, setup, call)
        {
            continue;
        }
        let source = chain.source_name(model);
        let rxjs = chain.looks_like_rxjs() || setup.framework == Framework::Angular;
        if let Completion::NotifierNeverFires(notifier) = &completion {
            out.report(report_notifier(setup, call, notifier));
            continue;
        }
        match &call.result {
            ResultUse::Discarded => out.report(report(model, setup, call, &source, None, rxjs)),
            ResultUse::Assigned(handle) => {
                let paths = aliases(model, handle);
                if escapes(model, &paths) || is_released(model, setup, call, handle, &paths) {
                    continue;
                }
                out.report(report(model, setup, call, &source, Some(handle), rxjs));
            }
            // Returned (a cleanup handed to the framework or the caller),
            // passed on (`subs.add(…)`), or used further
            // (`client.subscribe(query).subscribe(…)` returns an observable).
            _ => {}
        }
    }
}

/// Registrations that return what ends them: `.subscribe(…)`, a router
/// history's `listen(…)`, Firebase's `onSnapshot` / `onAuthStateChanged`.
fn is_subscription(call: &CallFact) -> bool {
    if call.is_new {
        return false;
    }
    let name = call
        .callee
        .method
        .as_deref()
        .or_else(|| match &call.callee.path.as_ref()?.root {
            Root::Binding(n, _) | Root::Global(n)
                if call.callee.path.as_ref()?.props.is_empty() =>
            {
                Some(n.as_ref())
            }
            _ => None,
        });
    match name {
        Some("subscribe") => true,
        Some("listen") => call
            .callee
            .receiver()
            .as_ref()
            .and_then(|r| r.props.last().map(|a| a.to_string()).or(root_name(r)))
            .is_some_and(|n| n.to_ascii_lowercase().ends_with("history")),
        Some(n) => UNSUBSCRIBE_RETURNING.contains(&n),
        None => false,
    }
}

/// `emitter.subscribe('topic', fn)` undone by `emitter.unsubscribe('topic', fn)`
/// (or `off`, `removeListener`) on the same object, at teardown or in the
/// same function: pub/sub APIs that are released through the source.
fn unsubscribed_from_source(model: &FileModel, setup: &Setup, call: &CallFact) -> bool {
    let Some(source) = call.callee.receiver().as_ref().map(AccessPath::normalized) else {
        return false;
    };
    model.calls.iter().any(|c| {
        c.callee.method.as_deref().is_some_and(|m| {
            resources::releases(Kind::Subscription, m)
                || resources::releases(Kind::Listener, m)
                || m == "unlisten"
        }) && c
            .callee
            .receiver()
            .as_ref()
            .is_some_and(|r| r.normalized() == source)
            && (setup.in_teardown(model, c.fn_ctx)
                || model.is_within(c.fn_ctx, call.fn_ctx.unwrap_or(usize::MAX)))
    })
}

/// `sub.unsubscribe()`, `unsub()` or an alias of them, where it counts.
fn is_released(
    model: &FileModel,
    setup: &Setup,
    call: &CallFact,
    handle: &AccessPath,
    paths: &[AccessPath],
) -> bool {
    model.calls.iter().any(|c| {
        let called = c
            .callee
            .path
            .as_ref()
            .is_some_and(|p| paths.contains(&p.normalized()));
        // `sub.unsubscribe()`, and the disposer objects registrations
        // return (`handle.remove()`, `handle.dispose()`).
        let method = c.callee.method.as_deref().is_some_and(|m| {
            resources::releases(Kind::Subscription, m) || resources::DISPOSER_METHODS.contains(&m)
        }) && c
            .callee
            .receiver()
            .as_ref()
            .is_some_and(|r| paths.contains(&r.normalized()));
        (called || method) && release_counts(model, setup, call.fn_ctx, handle, c.fn_ctx)
    })
}

#[derive(Debug, PartialEq)]
enum Completion {
    Completes,
    Unknown,
    /// `takeUntil(this.destroy$)` where nothing fires `this.destroy$` at teardown.
    NotifierNeverFires(AccessPath),
}

/// The calls a subscription is made through: `src.pipe(take(1)).subscribe()`
/// is `[subscribe, pipe]`, with `src` at the root.
struct Chain<'m> {
    calls: Vec<&'m CallFact>,
}

impl<'m> Chain<'m> {
    fn of(
        model: &'m FileModel,
        call: &'m CallFact,
        by_span: &FxHashMap<(usize, usize), CallId>,
    ) -> Chain<'m> {
        let mut calls = vec![call];
        let mut current = call;
        while current.callee.receiver_is_call && calls.len() < 32 {
            let Some(span) = &current.callee.receiver_span else {
                break;
            };
            let Some(&id) = by_span.get(&(span.start(), span.end())) else {
                break;
            };
            current = &model.calls[id];
            calls.push(current);
        }
        Chain { calls }
    }

    /// The operators applied: method names in the chain (`obs.take(1)`) and
    /// the calls passed to `pipe(…)`.
    fn operators(
        &self,
        model: &'m FileModel,
        by_span: &FxHashMap<(usize, usize), CallId>,
    ) -> Vec<&'m CallFact> {
        let mut ops = Vec::new();
        for c in &self.calls[1..] {
            if c.callee.method.as_deref() == Some("pipe") {
                for a in &c.args {
                    if let Value::Call(piped) = &a.value {
                        if let Some(&id) = by_span.get(&(piped.span.start(), piped.span.end())) {
                            ops.push(&model.calls[id]);
                        }
                    }
                }
            } else {
                ops.push(*c);
            }
        }
        ops
    }

    fn completion(
        &self,
        model: &'m FileModel,
        setup: &Setup,
        by_span: &FxHashMap<(usize, usize), CallId>,
    ) -> Completion {
        let mut verdict = Completion::Unknown;
        for op in self.operators(model, by_span) {
            let name = op_name(op);
            if name.is_some_and(|n| COMPLETING.contains(&n)) {
                return Completion::Completes;
            }
            if name == Some("takeUntil") {
                match op.args.first().map(|a| &a.value) {
                    Some(Value::Path(notifier)) => {
                        if fires_at_teardown(model, setup, notifier) {
                            return Completion::Completes;
                        }
                        verdict = Completion::NotifierNeverFires(notifier.clone());
                    }
                    // `takeUntil(fromEvent(…))`, `takeUntil(this.destroyed())`: trusted.
                    _ => return Completion::Completes,
                }
            }
        }
        verdict
    }

    /// The root of the chain as written: `this.store` in `this.store.select(x).pipe(…).subscribe()`.
    fn source_name(&self, model: &FileModel) -> String {
        let root = self.calls.last().expect("chain has its call");
        if let Some(r) = &root.callee.receiver() {
            return r.to_string();
        }
        // `onAuthStateChanged(auth, …)`: the object it registers with.
        if let Some(Value::Path(p)) = root.args.first().map(|a| &a.value) {
            return p.to_string();
        }
        if let Some(p) = &root.callee.path {
            return format!("{p}(…)");
        }
        let text = model.text(&root.callee_span);
        text.split(['(', '\n']).next().unwrap_or(text).to_string()
    }

    /// RxJS style (returns a `Subscription`) rather than a store's
    /// unsubscribe function: piped, or a `$`-suffixed source.
    fn looks_like_rxjs(&self) -> bool {
        self.calls[1..]
            .iter()
            .any(|c| c.callee.method.as_deref() == Some("pipe"))
            || self.calls.iter().any(|c| {
                c.callee
                    .receiver()
                    .as_ref()
                    .and_then(|r| r.props.last().map(|a| a.to_string()).or(root_name(r)))
                    .is_some_and(|n| n.ends_with('$'))
            })
    }

    /// Sources that end on their own or die with the component: `HttpClient`
    /// requests, `ActivatedRoute` streams, `of(…)`, and observables of objects
    /// the component created itself (`new FormControl()`, `new Subject()`).
    fn is_finite_or_owned(&self, model: &FileModel) -> bool {
        let root = self.calls.last().expect("chain has its call");
        let receiver = root.callee.receiver();
        let receiver = receiver.as_ref();
        let method = root.callee.method.as_deref();
        let mentions = |p: &AccessPath, needle: &str| {
            p.props
                .iter()
                .any(|a| a.to_ascii_lowercase().contains(needle))
                || root_name(p).is_some_and(|n| n.to_ascii_lowercase().contains(needle))
        };
        if let (Some(r), Some(m)) = (receiver, method) {
            if HTTP_METHODS.contains(&m) && mentions(r, "http") {
                return true;
            }
        }
        if let Some(f) = root.callee.global_function() {
            if matches!(
                f.as_ref(),
                "of" | "from" | "firstValueFrom" | "lastValueFrom"
            ) {
                return true;
            }
        }
        // `timer(ms)` emits once; dialog and snack-bar results complete on close.
        let name = op_name(root);
        if (name == Some("timer") && root.args.len() == 1)
            || self.calls[1..]
                .iter()
                .any(|c| op_name(c).is_some_and(|n| ONE_SHOT_METHODS.contains(&n)))
        {
            return true;
        }
        if let Some(p) = &root.callee.path {
            if p.props.is_empty() && root_name(p).is_some_and(|n| n == "of") {
                return true;
            }
        }
        // `this.form.get('x').valueChanges`: the field the chain starts from.
        let from_text = receiver
            .is_none()
            .then(|| this_field_in(model, root))
            .flatten();
        // `this.route.paramMap.subscribe(…)` (or through `.pipe`).
        if let Some(s) = receiver.or(from_text.as_ref()) {
            if s.props
                .last()
                .is_some_and(|p| ROUTE_STREAMS.contains(&p.as_ref()))
                && s.parent().is_some_and(|parent| mentions(&parent, "route"))
            {
                return true;
            }
            if created_by_component(model, s) {
                return true;
            }
        }
        false
    }
}

/// `this.form` for a receiver written `this.form.get('x').valueChanges`
/// (a member of a call, which has no access path).
fn this_field_in(model: &FileModel, call: &CallFact) -> Option<AccessPath> {
    let text = model.text(call.callee.receiver_span.as_ref()?);
    let rest = text.strip_prefix("this.")?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(rest.len());
    (end > 0).then(|| AccessPath {
        root: Root::This,
        props: smallvec::smallvec![rest[..end].into()],
    })
}

fn root_name(p: &AccessPath) -> Option<String> {
    match &p.root {
        Root::Binding(n, _) | Root::Global(n) => Some(n.to_string()),
        Root::This => None,
    }
}

/// The operator a call applies: `take` for `take(1)` and `obs.take(1)`.
fn op_name(op: &CallFact) -> Option<&str> {
    if let Some(m) = &op.callee.method {
        return Some(m.as_ref());
    }
    match &op.callee.path.as_ref()?.root {
        Root::Binding(n, _) | Root::Global(n) => Some(n.as_ref()),
        Root::This => None,
    }
}

/// `this.destroy$.next()` / `.complete()` / `.emit()` where it counts for the setup.
fn fires_at_teardown(model: &FileModel, setup: &Setup, notifier: &AccessPath) -> bool {
    let paths = aliases(model, notifier);
    model.calls.iter().any(|c| {
        matches!(
            c.callee.method.as_deref(),
            Some("next" | "complete" | "emit" | "error")
        ) && c
            .callee
            .receiver()
            .as_ref()
            .is_some_and(|r| paths.contains(&r.normalized()))
            && (setup.in_teardown(model, c.fn_ctx) || matches!(notifier.root, Root::Binding(..)))
    })
}

/// A `this.x` field or local the component fills with `new X(…)` (a form
/// control, its own subject): its subscribers die with it.
fn created_by_component(model: &FileModel, source: &AccessPath) -> bool {
    let owner = match (&source.root, source.props.as_slice()) {
        (Root::This, [field, ..]) => AccessPath {
            root: Root::This,
            props: smallvec::smallvec![field.clone()],
        },
        (Root::Binding(..), _) => AccessPath {
            root: source.root.clone(),
            props: Props::new(),
        },
        _ => return false,
    };
    let is_new = |v: &Value| matches!(v, Value::New { .. }) || is_form_builder(v);
    if let Some(id) = owner.root_binding() {
        if owner.props.is_empty() {
            return model
                .semantic
                .binding(&id)
                .is_some_and(|b| !b.is_module_level() && b.init.as_ref().is_some_and(is_new));
        }
    }
    let field = &owner.props[0];
    let is_child_query = model.classes.iter().any(|c| {
        c.member_decorators
            .iter()
            .any(|(m, d)| m == field && CHILD_QUERIES.contains(&d.as_ref()))
    });
    is_child_query
        || model.member_writes.iter().any(|w| {
            w.object.root == Root::This
                && w.object.props.is_empty()
                && matches!(&w.key, crate::model::Key::Static(k) if k == field)
                && is_new(&w.value)
        })
        || model.classes.iter().any(|c| {
            c.members
                .iter()
                .any(|m| &m.name == field && !m.is_static && m.value.as_ref().is_some_and(is_new))
        })
}

/// `this.fb.group({…})`, `formBuilder.control(…)`.
fn is_form_builder(v: &Value) -> bool {
    match v {
        Value::Call(call) => {
            let (Some(p), Some(m)) = (&call.callee, &call.method) else {
                return false;
            };
            matches!(m.as_ref(), "group" | "control" | "array" | "record")
                && p.parent().is_some_and(|r| {
                    let last = r
                        .props
                        .last()
                        .map(|a| a.to_string())
                        .or(root_name(&r))
                        .unwrap_or_default();
                    last == "fb" || last.to_ascii_lowercase().contains("formbuilder")
                })
        }
        _ => false,
    }
}

fn report(
    model: &FileModel,
    setup: &Setup,
    call: &CallFact,
    source: &str,
    handle: Option<&AccessPath>,
    rxjs: bool,
) -> Finding {
    let verb = call
        .callee
        .method
        .as_ref()
        .map(|m| m.to_string())
        .or_else(|| call.callee.path.as_ref().and_then(root_name))
        .unwrap_or_else(|| "subscribe".into());
    let (kept, action) = match (handle, rxjs) {
        (Some(h), true) => (format!("`{h}`"), format!("{h}.unsubscribe()")),
        (Some(h), false) => (format!("`{h}`"), format!("{h}()")),
        (None, true) => (
            "the subscription".to_string(),
            "sub.unsubscribe()".to_string(),
        ),
        (None, false) => (
            "the unsubscribe function".to_string(),
            "unsubscribe()".to_string(),
        ),
    };
    // Class and options components keep it on the instance.
    let on_instance = setup.class.is_some() || setup.framework == Framework::VueOptions;
    let (keep, action) = match (handle, on_instance) {
        (None, true) => {
            let field = if rxjs { "this.sub" } else { "this.unsubscribe" };
            let call = if rxjs {
                format!("{field}.unsubscribe()")
            } else {
                format!("{field}()")
            };
            (format!("{field} = …{verb}(…)"), call)
        }
        (None, false) if rxjs => (format!("const sub = …{verb}(…)"), action),
        (None, false) => (format!("const unsubscribe = …{verb}(…)"), action),
        (Some(_), _) => (String::new(), action),
    };
    let mut help = match handle {
        Some(_) => setup.advice(&action),
        None => format!("keep it (`{keep}`) and {}", setup.advice(&action)),
    };
    if handle.is_none() && setup.returns_cleanup() && !rxjs {
        help = format!(
            "return it from `{}` (`return {}(…)`), or {help}",
            setup.hook,
            model.text(&call.callee_span)
        );
    }
    if setup.framework == Framework::Angular && rxjs {
        help.push_str(", or pipe the source through `takeUntilDestroyed()`");
    }
    let message = match handle {
        Some(_) => format!(
            "subscription to `{source}` made in `{}` is kept in {kept} but never unsubscribed: `{source}` keeps the callback, and the unmounted component it closes over, alive",
            setup.hook
        ),
        None => format!(
            "subscription to `{source}` made in `{}` is never unsubscribed ({kept} is dropped): `{source}` keeps the callback, and the unmounted component it closes over, alive",
            setup.hook
        ),
    };
    Finding::new(call.span.range(), message)
        .with_label("subscribed here")
        .with_related(
            setup.label_span.clone(),
            format!("set up in `{}`", setup.hook),
        )
        .with_help(help)
}

fn report_notifier(setup: &Setup, call: &CallFact, notifier: &AccessPath) -> Finding {
    Finding::new(call.span.range(),
        format!(
            "subscription made in `{}` waits for `takeUntil({notifier})`, but nothing fires `{notifier}` when the component is torn down: it stays subscribed",
            setup.hook
        ),
    )
    .with_label("subscribed here")
    .with_related(setup.label_span.clone(), format!("set up in `{}`", setup.hook))
    .with_help(setup.advice(&format!("{notifier}.next(); {notifier}.complete()")))
}

/// An iterator wrapper whose `return()` does not close the inner iterator it
/// pulls from: ending the wrapper never ends what the inner one subscribed.
fn check_unpropagated_ends(model: &FileModel, out: &mut RuleContext) {
    for w in wrappers::unpropagated_ends(model) {
        let inner = w.inner.to_string();
        out.report(
            Finding::new(model.functions[w.end].span.range(),
                format!(
                    "this iterator pulls from `{inner}` but its `return()` never closes it: when a consumer stops early (a `break`, an unsubscribing client), `{inner}` stays open and keeps whatever it subscribed to"
                ),
            )
            .with_label("ends the wrapper only")
            .with_related(w.pull.span.range(), format!("pulls from `{inner}`, made for this wrapper"))
            .with_help(format!(
                "forward the end: `return() {{ return {inner}.return ? {inner}.return() : Promise.resolve({{ value: undefined, done: true }}) }}` (and `throw(e)` to `{inner}.throw(e)`)"
            )),
        );
    }
}

/// A socket or channel (`new WebSocket(…)`, `EventSource`, `BroadcastChannel`)
/// opened when a component is set up is a subscription to a stream: it must
/// be closed when the component is torn down, or it keeps receiving (and
/// keeps its handlers and the component) alive.
fn check_channels(model: &FileModel, lifecycles: &Lifecycles, out: &mut RuleContext) {
    for call in model.calls.iter().filter(|c| c.is_new) {
        let Some(kind) = call.callee.global_function() else {
            continue;
        };
        if !resources::CHANNEL.acquire.contains(&kind.as_ref()) {
            continue;
        }
        let Some(setup) = lifecycles.setup_of(model, call.fn_ctx, call.span.start()) else {
            continue;
        };
        // Returned, passed on or unused: someone else owns it.
        let ResultUse::Assigned(handle) = &call.result else {
            continue;
        };
        let paths = aliases(model, handle);
        let closed = model.calls.iter().any(|c| {
            c.callee
                .method
                .as_deref()
                .is_some_and(|m| resources::releases(Kind::Channel, m))
                && c.callee
                    .receiver()
                    .is_some_and(|r| paths.contains(&r.normalized()))
                && release_counts(model, setup, call.fn_ctx, handle, c.fn_ctx)
        });
        if closed || escapes(model, &paths) {
            continue;
        }
        out.report(
            Finding::new(call.span.range(),
                format!(
                    "{} opens {} `{kind}` in `{handle}` that {} never closes: it stays open, keeps receiving, and keeps {} alive",
                    setup.occasion(model),
                    if kind.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" },
                    setup.ending(),
                    setup.gone()
                ),
            )
            .with_label(format!("`{kind}` opened here"))
            .with_related(setup.label_span.clone(), format!("set up in `{}`", setup.hook))
            .with_help(setup.advice(&format!("{handle}.close()"))),
        );
    }
}
