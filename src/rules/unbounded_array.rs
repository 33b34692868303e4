//! A long-lived array is appended to in code that runs many times and never shrinks.

use std::ops::Range;

use super::finding::{Evidence, Grows, Owner};
use super::{Finding, Rule, RuleContext, wording};
use crate::analysis::containers::{self, Container, ContainerKind};
use crate::analysis::definitions;
use crate::analysis::frequency::Frequencies;
use crate::analysis::frequency::roles;
use crate::analysis::growth_evidence::{self, Strength};
use crate::analysis::registry;
use crate::analysis::timer_sets;
use crate::diagnostic::Severity;
use crate::model::{AccessPath, CallFact, FileModel, Key, Root, Value};

pub(crate) const RULE: Rule = Rule {
    name: "unbounded-array",
    summary: "A long-lived array grows in code that runs many times and nothing ever removes its elements.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/unbounded-array.md"),
    check,
};

const SHRINKING_METHODS: &[&str] = &["shift", "pop", "splice", "length"];

fn check(out: &mut RuleContext) {
    let model = out.model;
    // Appends are rare next to all calls: collect them once, and skip the
    // rest of the work for files without any.
    let appends: Vec<(&CallFact, &'static str)> = model
        .calls
        .iter()
        .filter(|c| !c.args.is_empty() && c.callee.has_receiver())
        .filter_map(|c| match c.callee.method.as_deref() {
            Some("push") => Some((c, "push")),
            Some("unshift") => Some((c, "unshift")),
            _ => None,
        })
        .collect();
    if appends.is_empty() {
        return;
    }
    check_factory_registries(model, out);
    check_timer_handle_arrays(model, out);
    let arrays = long_lived_arrays(model);
    if arrays.is_empty() {
        return;
    }
    let rep = Frequencies::new(model);
    for array in arrays {
        let growth = growth_sites(model, &rep, &appends, &array);
        if growth.is_empty() || shrinks(model, &array) {
            continue;
        }
        for (span, method) in growth {
            // Already reported as a factory registry, with its reasons.
            if out.reported_at(&span) {
                continue;
            }
            let call = appends
                .iter()
                .find(|(c, _)| c.span.range() == span)
                .map(|(c, _)| *c);
            // Appends of definitions, once per key of a registry (see
            // [`definitions`]): bounded by what the program defines.
            let registration = call.and_then(|c| definitions::of_push(model, c));
            if registration.as_ref().is_some_and(|r| r.is_complete()) {
                continue;
            }
            let grows = Grows::new(array.container.path.to_string(), ContainerKind::Array);
            let owner = Owner::new(&grows.name, &array.container.lifetime);
            let mut d = Finding::new(span, wording::array_growth(&grows))
                .with_label(format!("`{method}` on every call"))
                .with_related(array.container.decl_span.clone(), owner.why.clone())
                .with_evidence(grows.clone())
                .with_evidence(owner);
            if let Some(call) = call {
                for e in confidence(model, &rep, &array, call) {
                    d = d.with_evidence(e);
                }
            }
            if let Some(r) = &registration {
                d = d.assumed(format!(
                    "the elements may be definitions appended once each, not values per call: {}",
                    r.why()
                ));
            }
            out.report(d.with_help(format!(
                "every element stays reachable until the process exits; cap it (`if ({p}.length > LIMIT) {p}.shift()`), empty it after use (`{p}.length = 0` or `{p}.splice(0)`), or remove elements when their owner goes away",
                p = grows.name
            )));
        }
    }
}

/// The evidence of one append, and what makes it medium:
/// - high when the repetition is shown (a listener, an interval, a route,
///   recursion; see [`growth_evidence`]), or when each call appends an
///   object it creates (`this` in a constructor, a local, a literal): the
///   array keeps one new object per call, whoever the callers are;
/// - medium when the callers are only assumed to be many (the function
///   may run only at start-up), when the function is a
///   registration API (`register*`, `add*`: called at start-up), or when
///   the append is a loop filling the array up to an index read from its
///   own `length` (a table that grows to a high-water mark, entries reused).
fn confidence(
    model: &FileModel,
    rep: &Frequencies,
    array: &LongLivedArray,
    call: &CallFact,
) -> Vec<Evidence> {
    let mut out = Vec::new();
    let runs = growth_evidence::repetition(rep, call.fn_ctx, call.span.start());
    let shown = matches!(runs, Strength::Shown(_));
    out.push(Evidence::runs(runs));
    if let Some(l) = high_water_loop(model, array, call) {
        out.push(Evidence::Assumed(format!(
            "fills the array up to an index, starting from its own `length` (the loop at line {l}): it grows to the largest index ever asked for, and its entries are reused"
        )));
        return out;
    }
    if roles::in_registration_method(model, call.fn_ctx) {
        let name = model
            .this_function(call.fn_ctx)
            .and_then(|f| model.functions[f].name.clone())
            .unwrap_or_default();
        out.push(Evidence::Assumed(format!(
            "`{name}` is a registration API: called at start-up, once per thing registered"
        )));
        return out;
    }
    let created = call.args.first().and_then(|a| {
        growth_evidence::created_per_call(model, call, &a.value, model.text(&a.span), false)
    });
    match created {
        Some(what) => out.push(Evidence::Shown(format!("each call appends {what}"))),
        None if !shown => out.push(Evidence::Assumed(
            "the callers are not shown: it may run only at start-up, a fixed number of times"
                .into(),
        )),
        None => {}
    }
    out
}

/// The line of a loop around `call` whose head starts from the array's
/// own `length` (`for (let i = a.length; i <= n; i++) a.push(…)`).
fn high_water_loop(model: &FileModel, array: &LongLivedArray, call: &CallFact) -> Option<usize> {
    let needle = format!("{}.length", array.container.display);
    model
        .loops
        .iter()
        .filter(|l| l.fn_ctx == call.fn_ctx)
        .filter(|l| l.body.start() <= call.span.start() && call.span.end() <= l.body.end())
        .find(|l| {
            model
                .source
                .get(l.span.start()..l.body.start())
                .is_some_and(|head| head.contains(&needle))
        })
        .map(|l| model.line_of(l.span.start()))
}

/// Arrays that collect the handle of every timer and never let one go,
/// instance fields included (see [`timer_sets`]): read at most to clear
/// them all at shutdown, they grow for the whole run.
fn check_timer_handle_arrays(model: &FileModel, out: &mut RuleContext) {
    for g in timer_sets::growing_timer_sets(model) {
        if !g.is_array || out.reported_at(&g.add) {
            continue;
        }
        out.report(wording::timer_collection(g));
    }
}

/// Arrays hung on a factory function that keep every object it creates
/// (see [`registry`]).
fn check_factory_registries(model: &FileModel, out: &mut RuleContext) {
    for r in registry::find(model) {
        let factory = model.functions[r.factory].name.clone().unwrap_or_default();
        let shown = model.text(&r.decl);
        let (message, help) = match r.teardowns.as_slice() {
            [] => (
                format!(
                    "`{shown}` keeps every object `{factory}` creates and nothing ever removes one"
                ),
                format!(
                    "the array hangs on `{factory}` itself, so it lives as long as the function, and each call adds the object it creates: every object ever created stays reachable. Remove entries when their objects are done, or keep them in a `WeakRef`/`FinalizationRegistry`-based set"
                ),
            ),
            teardowns => {
                let names: Vec<String> = teardowns
                    .iter()
                    .filter_map(|f| {
                        model.functions[*f]
                            .name
                            .as_ref()
                            .map(|n| format!("`{n}()`"))
                    })
                    .collect();
                (
                    format!("`{shown}` keeps every object `{factory}` creates; only {} removes one, and nothing in this file calls it", names.join(" or ")),
                    "the array hangs on the factory itself, so it lives as long as the function, and each call adds the object it creates: every object whose user forgets the opt-in teardown stays reachable for good. Do not keep created objects in a registry (compute what the registry is for on demand), or hold them weakly (`WeakRef`)".to_string(),
                )
            }
        };
        let mut d = Finding::new(r.growth.clone(), message)
            .with_label(format!("every `{factory}(…)` call adds one"))
            .with_related(
                r.decl.clone(),
                format!("created once, where `{factory}` is declared"),
            );
        for site in &r.removal_sites {
            d = d.with_related(site.clone(), "the only removal, in an opt-in teardown");
        }
        out.report(d.with_help(help));
    }
}

struct LongLivedArray {
    container: Container,
    /// For a static field: the class, so `this.<field>` in static methods is the same array.
    static_of: Option<usize>,
}

/// Module-level arrays, static array fields, arrays hung on module-level
/// objects, and arrays inside module-level object literals (`{ log: [] }`).
fn long_lived_arrays(model: &FileModel) -> Vec<LongLivedArray> {
    let mut out: Vec<LongLivedArray> = containers::all(model)
        .iter()
        .filter(|c| c.kind == ContainerKind::Array)
        .cloned()
        .map(|c| {
            let static_of = model.classes.iter().position(|k| {
                k.binding
                    .as_ref()
                    .is_some_and(|b| c.path.props.len() == 1 && c.path.is_rooted_at(b))
                    && k.members
                        .iter()
                        .any(|m| m.is_static && Some(&m.name) == c.path.props.first())
            });
            LongLivedArray {
                container: c,
                static_of,
            }
        })
        .collect();
    let mut nested = Vec::new();
    for (id, b) in model.semantic.bindings() {
        if !b.is_module_level() {
            continue;
        }
        let Some(Value::Object { props, .. }) = &b.init else {
            continue;
        };
        for (name, v) in props {
            if matches!(v, Value::Array { .. }) {
                nested.push(LongLivedArray {
                    container: Container {
                        path: AccessPath::binding(id.clone()).child(name.clone()),
                        kind: ContainerKind::Array,
                        decl_span: b.span.range(),
                        lifetime: "part of a module-level object: it lives as long as the process"
                            .into(),
                        display: format!("{}.{name}", id.0),
                        escapes_through: Vec::new(),
                    },
                    static_of: None,
                });
            }
        }
    }
    nested.sort_by_key(|a| a.container.decl_span.start);
    out.extend(nested);
    out
}

/// The paths that name the array in a given context.
fn names(
    model: &FileModel,
    array: &LongLivedArray,
    fn_ctx: Option<usize>,
    path: &AccessPath,
) -> bool {
    if containers::names(path, &array.container.path) {
        return true;
    }
    // `this.items` inside a static method of the owning class.
    let Some(class) = array.static_of else {
        return false;
    };
    path.root == Root::This
        && path.props == array.container.path.props
        && model.this_class(fn_ctx) == Some(class)
        && model
            .this_function(fn_ctx)
            .is_some_and(|f| model.functions[f].is_static)
}

fn growth_sites(
    model: &FileModel,
    rep: &Frequencies,
    appends: &[(&CallFact, &'static str)],
    array: &LongLivedArray,
) -> Vec<(Range<usize>, &'static str)> {
    let mut sites: Vec<_> = appends
        .iter()
        .filter(|(call, _)| {
            call.callee
                .receiver()
                .as_ref()
                .is_some_and(|recv| names(model, array, call.fn_ctx, recv))
                && array.container.written_repeatedly_from(model, call.fn_ctx)
                && rep.runs_many_times(call.fn_ctx, call.span.start())
        })
        .map(|(call, method)| (call.span.range(), *method))
        .collect();
    sites.sort_by_key(|(s, _)| s.start);
    sites
}

/// Anything that removes elements or replaces the array.
fn shrinks(model: &FileModel, array: &LongLivedArray) -> bool {
    if containers::has_eviction(model, &array.container.path) {
        return true;
    }
    if array.static_of.is_none() {
        return false;
    }
    model.calls.iter().any(|c| {
        c.callee
            .method
            .as_ref()
            .is_some_and(|m| SHRINKING_METHODS.contains(&m.as_ref()))
            && c.callee
                .receiver()
                .as_ref()
                .is_some_and(|r| names(model, array, c.fn_ctx, r))
    }) || model.member_writes.iter().any(|w| {
        let whole = w.object.child(match &w.key {
            Key::Static(k) => k.clone(),
            Key::Dynamic { .. } => return false,
        });
        names(model, array, w.fn_ctx, &whole)
            && Frequencies::new(model).runs_many_times(w.fn_ctx, w.span.start())
            || (names(model, array, w.fn_ctx, &w.object) && w.key == Key::Static("length".into()))
    }) || model
        .size_checks
        .iter()
        .any(|p| p.root == Root::This && p.props == array.container.path.props)
}

#[cfg(test)]
mod tests {
    use super::super::context::findings_of;
    use super::*;
    use crate::diagnostic::Confidence;

    #[test]
    fn an_append_in_an_interval_is_shown_to_repeat() {
        let src = "const log = [];\nsetInterval(() => { log.push(Date.now()); }, 10);\n";
        let found = findings_of(src, "unbounded-array");
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.grows(), Some(&Grows::new("log", ContainerKind::Array)));
        assert!(f.evidence.iter().any(|e| matches!(
            e,
            Evidence::Runs {
                callers_shown: true,
                ..
            }
        )));
        assert_eq!(f.confidence(), Confidence::High);
        assert_eq!(f.what, wording::array_growth(f.grows().unwrap()));
    }

    #[test]
    fn an_append_whose_callers_are_not_shown_is_medium_and_says_why() {
        let src = "const names = [];\nexport function add(name) { names.push(name); }\n";
        let found = findings_of(src, "unbounded-array");
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.confidence(), Confidence::Medium);
        assert_eq!(f.assumptions().len(), 1, "{:?}", f.evidence);
    }
}
