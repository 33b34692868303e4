//! A long-lived keyed container grows with dynamic keys and nothing removes entries.

use super::finding::{Evidence, Grows, KeyFact, Owner};
use super::{Finding, Rule, RuleContext, wording};
use crate::analysis::containers::{self, Container, ContainerKind};
use crate::analysis::definitions;
use crate::analysis::entry_removal;
use crate::analysis::expiry;
use crate::analysis::frequency::Frequencies;
use crate::analysis::frequency::roles;
use crate::analysis::growth_evidence;
use crate::analysis::instance_fields::{self, InstanceField};
use crate::analysis::keys::{self, KeyOrigin};
use crate::analysis::lifetime::{self, LongLivedClass};
use crate::analysis::memo;
use crate::analysis::presence;
use crate::analysis::reentry;
use crate::analysis::timer_sets;
use crate::diagnostic::Severity;
use rustc_hash::FxHashMap;

use crate::model::path::is_global_object_name;
use crate::model::semantic::BindingKind;
use crate::model::{AccessPath, CallFact, FileModel, FnId, MemberWrite, Root, Value};

pub(crate) const RULE: Rule = Rule {
    name: "unbounded-cache",
    summary: "A long-lived keyed container grows with dynamic keys and nothing ever removes its entries.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/unbounded-cache.md"),
    check,
};

/// How many null writes of one container a finding labels.
const SHOWN_NULL_WRITES: usize = 3;

fn check(out: &mut RuleContext) {
    let model = out.model;
    let all = containers::all(model);
    let keyed: Vec<&Container> = all
        .iter()
        .filter(|c| {
            matches!(
                c.kind,
                ContainerKind::Object | ContainerKind::Map | ContainerKind::Set
            )
        })
        .collect();
    let mut growth_by_container = if keyed.is_empty() {
        Vec::new()
    } else {
        growth_sites(model, &Frequencies::new(model), &keyed)
    };
    // Built on the first reported container: most files have none.
    let nullish = std::cell::OnceCell::new();
    for (c, growth) in keyed.iter().zip(growth_by_container.iter_mut()) {
        let growth = std::mem::take(growth);
        if growth.is_empty() || containers::has_eviction(model, &c.path) {
            continue;
        }
        let pseudo: Vec<_> =
            pseudo_evictions(model, nullish.get_or_init(|| NullishWrites::of(model)), c);
        for g in growth {
            let high = g.key_shows_growth();
            let Growth {
                site,
                label,
                evidence,
            } = g;
            let grows = Grows::new(&c.display, c.kind);
            let owner = Owner::new(&c.display, &c.lifetime);
            let mut d = Finding::new(site.clone(), wording::keyed_growth(&grows))
                .with_label(label)
                .with_related(c.decl_span.clone(), owner.why.clone())
                .with_evidence(grows.clone())
                .with_evidence(owner);
            for e in evidence {
                d = d.with_evidence(e);
            }
            // `c[k] = null` where something ends (a timer, a teardown):
            // the code means entries to expire, and the key stays.
            // A reset over the keys the container has (`for (k in c) c[k] =
            // null`) empties every entry at once: it says nothing of entries
            // meant to expire one by one.
            let expiry = pseudo
                .iter()
                .filter(|(_, _, own_keys)| !own_keys)
                .find_map(|(span, f, _)| expiry::expires(model, *f).map(|why| (span, why)));
            if let Some((span, why)) = &expiry {
                let line = model.line_of(span.start);
                d = d.with_evidence(Evidence::Kept(format!(
                    "removal: entries are meant to expire (line {line}, {why}), but setting null keeps the key"
                )));
            }
            if !high && expiry.is_none() {
                d = d.assumed(
                    "neither the key nor the repetition is shown: the key comes from callers the file does not show",
                );
            }
            // A few labels show the pattern; a container nulled in hundreds
            // of places would otherwise put hundreds on every finding.
            let hidden = pseudo.len().saturating_sub(SHOWN_NULL_WRITES);
            for (i, (p, _, _)) in pseudo.iter().take(SHOWN_NULL_WRITES).enumerate() {
                let text = match hidden {
                    n if n > 0 && i + 1 == SHOWN_NULL_WRITES => {
                        format!("sets null here (and in {n} more places): the key stays")
                    }
                    _ => "sets null here: the key stays".to_string(),
                };
                d = d.with_related(p.clone(), text);
            }
            d = d.with_help(format!(
                "every distinct key is kept until the process exits; remove entries with {} when they expire, or use a bounded cache (for example `lru-cache` with `max`)",
                wording::remove_entry(&grows)
            ));
            out.report(d);
        }
    }
    check_instance_fields(model, out);
    check_reentries(model, out);
    check_partial_removals(model, out);
    check_timer_sets(model, out);
    check_read_again(model, out);
    // Last: a site the checks above explain better is not reported again.
    check_exported_instance_fields(model, out);
}

/// Entries removed only when their key is read again (see [`entry_removal`]).
fn check_read_again(model: &FileModel, out: &mut RuleContext) {
    for r in entry_removal::only_if_read_again(model) {
        if out.reported_at(&r.growth) {
            continue;
        }
        out.report(
            Finding::new(r.growth.clone(),
                format!(
                    "entries of `{}` are removed only when the same key is read again: keys nobody asks for again stay forever",
                    r.container
                ),
            )
            .with_label("adds an entry for every new key")
            .with_related(r.read.clone(), "the only removal runs after a read of the same key")
            .with_related(r.removal.clone(), "removes the entry only here")
            .with_help(format!(
                "{}; expire entries on their own (a timer or a periodic sweep over the map), or bound the cache (for example `lru-cache` with `max` and `ttl`)",
                r.lifetime
            )),
        );
    }
}

/// Sets that collect a handle for every timer and never let one go (see
/// [`timer_sets`]).
fn check_timer_sets(model: &FileModel, out: &mut RuleContext) {
    for g in timer_sets::growing_timer_sets(model) {
        // Arrays of handles are `unbounded-array`'s.
        if g.is_array || out.reported_at(&g.add) {
            continue;
        }
        out.report(wording::timer_collection(g));
    }
}

/// Entries removed on one way the operation ends and kept on the other
/// (see [`entry_removal`]): every request that succeeds keeps its entry.
fn check_partial_removals(model: &FileModel, out: &mut RuleContext) {
    for p in entry_removal::partial_removals(model) {
        if out.reported_at(&p.growth) {
            continue;
        }
        let line = |r: &std::ops::Range<usize>| model.line_of(r.start);
        out.report(
            Finding::new(p.growth.clone(),
                format!(
                    "an entry of `{}` is deleted on timeout (line {}), not on success (line {}): every operation that succeeds keeps its entry",
                    p.container,
                    line(&p.removed_on_timeout),
                    line(&p.cancelled_at),
                ),
            )
            .with_label("added here with a fresh key")
            .with_related(p.removed_on_timeout.clone(), "removed only when the timeout fires")
            .with_related(p.cancelled_at.clone(), "the success path cancels that timeout and keeps the entry")
            .with_help(format!(
                "{}; delete the entry on every way the operation ends (success, error and timeout), for example next to the `clearTimeout`",
                p.lifetime
            )),
        );
    }
}

/// Removal paths that re-create the entry they remove from (see
/// [`reentry`]): each late call leaves a key behind for good.
fn check_reentries(model: &FileModel, out: &mut RuleContext) {
    for r in reentry::find(model) {
        let entry = model.text(&r.write.target_span);
        let function = model
            .this_function(r.write.fn_ctx)
            .and_then(|f| model.functions[f].name.clone())
            .map(|n| format!("`{n}`"))
            .unwrap_or_else(|| "this function".into());
        out.report(
            Finding::new(r.write.span.range(),
                format!("{function} re-creates `{entry}` in order to remove from it: called after the entry was deleted, it leaves an entry behind that nothing deletes again"),
            )
            .with_label("creates the entry when it is missing")
            .with_related(r.inner_removal.clone(), "only removes from inside the entry")
            .with_related(r.end_of_life.clone(), "the entry's end of life")
            .with_help(format!(
                "each late call keeps one key for good; touch the entry only when it exists (`if ({entry}) …`) instead of creating it"
            )),
        );
    }
}

/// Containers on `this` of long-lived instances: a method grows them with a
/// dynamic key and no code of the class removes entries.
fn check_instance_fields(model: &FileModel, out: &mut RuleContext) {
    let long_lived = lifetime::long_lived_classes(model);
    check_memoizing_classes(model, long_lived, out);
    report_field_growth(model, out, long_lived, true);
}

/// Exported classes the file does not show kept: their users decide how
/// long an instance lives, so only keys shown new on every call count.
fn check_exported_instance_fields(model: &FileModel, out: &mut RuleContext) {
    let long_lived = lifetime::long_lived_classes(model);
    let exported: Vec<LongLivedClass> = (0..model.classes.len())
        .filter(|&c| !long_lived.iter().any(|o| o.class == c) && memo::is_exported_class(model, c))
        .map(|class| LongLivedClass {
            class,
            why: "exported: an instance lives as long as the module's users keep it".into(),
            evidence: 0..0,
        })
        .collect();
    report_field_growth(model, out, &exported, false);
}

/// Fields of `owners` that grow with a dynamic key and that no code of the
/// class empties. `shown_long_lived`: the file shows the instances kept for
/// good; otherwise only keys made new on every call are reported, medium.
fn report_field_growth(
    model: &FileModel,
    out: &mut RuleContext,
    owners: &[LongLivedClass],
    shown_long_lived: bool,
) {
    for owner in owners {
        for field in instance_fields::container_fields(model, owner.class) {
            if !matches!(
                field.kind,
                ContainerKind::Object | ContainerKind::Map | ContainerKind::Set
            ) || instance_fields::field_has_eviction(model, owner.class, &field.name)
                || !shown_long_lived && instance_fields::evicted_through_alias(model, &field.name)
            {
                continue;
            }
            for (site, origin) in instance_growth(model, owner, &field) {
                if matches!(origin, KeyOrigin::Bounded(_))
                    || !shown_long_lived
                        && (!matches!(origin, KeyOrigin::Unbounded(_)) || out.reported_at(&site))
                {
                    continue;
                }
                let grows = Grows::new(format!("this.{}", field.name), field.kind);
                let class = model.classes[owner.class].name.clone().unwrap_or_default();
                let lives = Owner::new(class.as_str(), &owner.why);
                let message = if shown_long_lived {
                    wording::instance_growth(&grows, &lives)
                } else {
                    wording::exported_instance_growth(&grows, &lives)
                };
                let mut d = Finding::new(site, message)
                    .with_label("grows here with a dynamic key")
                    .with_related(field.decl_span.clone(), "created once per instance");
                if owner.evidence.start != owner.evidence.end {
                    d = d.with_related(owner.evidence.clone(), lives.why.clone());
                }
                d = d.with_evidence(grows.clone()).with_evidence(lives.clone());
                let key = KeyFact::from(&origin);
                let key_shown = key.shows_growth();
                d = d.with_evidence(key);
                if !key_shown {
                    d = d.assumed(
                        "the key comes from callers the file does not show: the instance lives long, but its key set may be small",
                    );
                }
                if !shown_long_lived {
                    d = d.assumed(
                        "the instance is used for many calls over a long life: the file exports the class and does not show how long its users keep an instance",
                    );
                }
                if let Some(other) = lifetime::made_many_times(model, owner.class) {
                    let line = model.line_of(other.start);
                    d = d.with_related(other, "also created here, in code that runs many times")
                        .assumed(format!(
                            "owner: `{class}` is also created at line {line} in code that runs many times; the growing instance may be one of those, which die with their callers"
                        ));
                }
                let stays = if shown_long_lived {
                    "until the process exits"
                } else {
                    "as long as the instance is kept"
                };
                d = d.with_help(format!(
                    "{}; every distinct key stays {stays}: remove entries with {} when they are no longer needed, or use a bounded cache (for example `lru-cache` with `max`)",
                    lives.why,
                    wording::remove_entry(&grows)
                ));
                out.report(d);
            }
        }
    }
}

/// Exported classes whose public methods memoize every key they are asked
/// for on `this` (see [`memo`]): the keys come from the module's users, and
/// the cache lasts as long as the instance.
fn check_memoizing_classes(
    model: &FileModel,
    long_lived: &[LongLivedClass],
    out: &mut RuleContext,
) {
    for class in 0..model.classes.len() {
        if long_lived.iter().any(|o| o.class == class) || !memo::is_exported_class(model, class) {
            continue;
        }
        let class_name = model.classes[class].name.clone().unwrap_or_default();
        for field in instance_fields::container_fields(model, class) {
            // Only plain-object dictionaries: their keys are strings (ids,
            // names, URLs the users pass in). Maps in exported classes are
            // mostly keyed by objects of one run (AST nodes, modules) and
            // die with it: on real code they were per-run far more often.
            if field.kind != ContainerKind::Object
                || instance_fields::field_has_eviction(model, class, &field.name)
            {
                continue;
            }
            // Resets that look like eviction but follow configuration changes.
            let resets: Vec<_> = model
                .member_writes
                .iter()
                .filter(|w| {
                    w.object.root == Root::This
                        && w.object.props.is_empty()
                        && w.key == crate::model::Key::Static(field.name.clone())
                        && instance_fields::in_method_of(model, w.fn_ctx, class)
                })
                .map(|w| w.span.range())
                .collect();
            for (site, method) in memo_growth(model, class, &field) {
                let site_fn = model
                    .member_writes
                    .iter()
                    .find(|w| w.span.range() == site)
                    .and_then(|w| w.fn_ctx);
                let grows = Grows::new(format!("this.{}", field.name), field.kind);
                let mut d = Finding::new(
                        site,
                        format!("`{method}` keeps every key it is asked for in `{}` and no method removes one: the cache grows for as long as the `{class_name}` instance lives", grows.name),
                    )
                    .with_label("memoized here with the caller's key")
                    .with_related(field.decl_span.clone(), "created once per instance");
                d = d
                    .with_evidence(grows.clone())
                    .with_evidence(Owner::new(
                        class_name.as_str(),
                        "exported, its users decide how long an instance lives",
                    ))
                    .with_evidence(KeyFact::Unbounded(
                        "the argument of a public method, chosen by the class's users".into(),
                    ));
                if roles::in_registration_method(model, site_fn) {
                    d = d.assumed(format!(
                        "`{method}` registers: it is called to set an instance up, once per name, not once per request"
                    ));
                }
                // Export is the only lifetime evidence here; where the file
                // itself makes instances in code that runs many times (a
                // static `create()` that returns a new one per run), an
                // instance is per operation as far as the code shows.
                if let Some(other) = lifetime::made_many_times(model, class) {
                    let line = model.line_of(other.start);
                    d = d
                        .with_related(other, "an instance made here, in code that runs many times")
                        .assumed(format!(
                            "owner: the file makes `{class_name}` instances at line {line} in code that runs many times, one per operation that dies with its caller; that an instance is kept long is not shown"
                        ));
                }
                for r in &resets {
                    d = d.with_related(
                        r.clone(),
                        "emptied only when the configuration changes, not as keys accumulate",
                    );
                }
                out.report(d.with_help(format!(
                        "`{class_name}` is exported, so the keys come from its users and have no fixed range; an instance kept for the life of the process keeps every key it ever saw: bound the cache (for example `lru-cache` with `max`) or remove entries with {}",
                        wording::remove_entry(&grows)
                    )),
                );
            }
        }
    }
}

/// Memoizing writes to `this.<field>` (a plain object), with the name of
/// their method.
fn memo_growth(
    model: &FileModel,
    class: usize,
    field: &InstanceField,
) -> Vec<(std::ops::Range<usize>, String)> {
    let path = instance_fields::field_path(&field.name);
    model
        .member_writes
        .iter()
        .filter(|w| {
            w.object == path
                && instance_fields::in_method_of(model, w.fn_ctx, class)
                && !w.value.is_nullish()
                && memo::is_memo_write(model, w, &field.name)
        })
        .map(|w| {
            let method = model
                .this_function(w.fn_ctx)
                .and_then(|f| model.functions[f].name.clone())
                .map(|n| n.to_string())
                .unwrap_or_else(|| "this method".into());
            (w.span.range(), method)
        })
        .collect()
}

/// Writes with a dynamic key to `this.<field>` in methods of the class,
/// with where the key comes from.
fn instance_growth(
    model: &FileModel,
    owner: &LongLivedClass,
    field: &InstanceField,
) -> Vec<(std::ops::Range<usize>, KeyOrigin)> {
    let path = instance_fields::field_path(&field.name);
    let mut sites = Vec::new();
    // A registration method (`subscribe`, `addRoute`) keeps what its caller
    // names, usually a fixed set; unless the key is made new on every call
    // inside it (a counter, an id, the time): then each call adds one.
    let registers_named = |fn_ctx, origin: &KeyOrigin, key: Option<&AccessPath>| {
        let from_caller = key
            .and_then(|k| k.root_binding())
            .and_then(|id| model.semantic.binding(&id))
            .is_some_and(|b| b.kind == BindingKind::Param);
        (from_caller || !matches!(origin, KeyOrigin::Unbounded(_)))
            && roles::in_registration_method(model, fn_ctx)
    };
    // The field written in a method of the class, directly or through an
    // alias of `this` (`const that = this`, Babel's `_this2`).
    let is_field_here = |object: &AccessPath, fn_ctx: Option<FnId>| {
        if *object == path {
            return instance_fields::in_method_of(model, fn_ctx, owner.class);
        }
        matches!(object.root, Root::Binding(..))
            && lifetime::as_this(model, fn_ctx, object).is_some_and(|(p, ctx)| {
                p == path && instance_fields::in_method_of(model, ctx, owner.class)
            })
    };
    if field.kind == ContainerKind::Object {
        for w in &model.member_writes {
            if is_field_here(&w.object, w.fn_ctx)
                && keys::is_dynamic_write_key(model, w)
                && !w.value.is_nullish()
            {
                let origin = keys::origin_of_write(model, w);
                if !registers_named(w.fn_ctx, &origin, w.key_path.as_ref()) {
                    sites.push((w.span.range(), origin));
                }
            }
        }
    }
    let method = match field.kind {
        ContainerKind::Map => "set",
        ContainerKind::Set => "add",
        _ => return sites,
    };
    for call in model.method_calls(method) {
        if !call.callee.receiver_is(&path)
            || !instance_fields::in_method_of(model, call.fn_ctx, owner.class)
        {
            continue;
        }
        let dynamic = call
            .args
            .first()
            .is_some_and(|a| keys::is_dynamic_value(model, &a.value));
        let nullish = method == "set" && call.args.get(1).is_some_and(|a| a.value.is_nullish());
        if dynamic && !nullish {
            let key = &call.args[0];
            let origin = keys::origin_of_arg(model, &key.value, model.text(&key.span), call.fn_ctx);
            let key_path = match &key.value {
                Value::Path(p) => Some(p),
                _ => None,
            };
            if !registers_named(call.fn_ctx, &origin, key_path) {
                sites.push((call.span.range(), origin));
            }
        }
    }
    sites.sort_by_key(|s| s.0.start);
    sites
}

/// Writes with a dynamic key in code that runs many times (not setup), for
/// each container. One pass over the facts with a path lookup: bundles have
/// thousands of module-level objects, so a scan per container is quadratic.
fn growth_sites(
    model: &FileModel,
    frequency: &Frequencies,
    keyed: &[&Container],
) -> Vec<Vec<Growth>> {
    let index: FxHashMap<&AccessPath, usize> = keyed
        .iter()
        .enumerate()
        .map(|(i, c)| (&c.path, i))
        .collect();
    let lookup = |path: &AccessPath| -> Option<usize> {
        match &path.root {
            Root::Global(g) if is_global_object_name(g) => index.get(&path.normalized()).copied(),
            _ => index.get(path).copied(),
        }
    };
    let mut sites = vec![Vec::new(); keyed.len()];
    for w in &model.member_writes {
        let Some(i) = lookup(&w.object) else { continue };
        if keyed[i].kind == ContainerKind::Object
            && !w.value.is_nullish()
            && !(keyed[i].is_closure() && is_marker(&w.value))
            && keyed[i].written_repeatedly_from(model, w.fn_ctx)
            && frequency.runs_many_times(w.fn_ctx, w.span.start())
            && keys::is_dynamic_write_key(model, w)
            && !growth_evidence::write_needs_existing_key(model, w)
        {
            let origin = keys::origin_of_write(model, w);
            if let Some(mut g) = growth(frequency, keyed[i], origin, w.fn_ctx, w.span.range()) {
                let key = match &w.key {
                    crate::model::Key::Dynamic { ident } => ident.as_ref(),
                    crate::model::Key::Static(_) => None,
                };
                let store = growth_evidence::store_api(model, w.fn_ctx, key, &w.value)
                    .filter(|_| !presence::is_enumerated(model, &keyed[i].path));
                if let Some(why) = store {
                    g.evidence.push(KeyFact::Unbounded(why).into());
                }
                if let Some(r) = definitions::of_write(model, w) {
                    g.evidence.push(partial_registration(&r));
                }
                sites[i].push(g);
            }
        }
    }
    for call in &model.calls {
        let method = match call.callee.method.as_deref() {
            Some(m @ ("set" | "add")) => m,
            _ => continue,
        };
        let Some(i) = call.callee.receiver().as_ref().and_then(lookup) else {
            continue;
        };
        let wanted = match keyed[i].kind {
            ContainerKind::Map => "set",
            ContainerKind::Set => "add",
            _ => continue,
        };
        let Some(first) = call.args.first() else {
            continue;
        };
        let value_nullish =
            method == "set" && call.args.get(1).is_some_and(|a| a.value.is_nullish());
        let registration = (method == "set")
            .then(|| definitions::of_set(model, call))
            .flatten();
        if registration.as_ref().is_some_and(|r| r.is_complete()) {
            continue;
        }
        if method == wanted
            && !value_nullish
            && keyed[i].written_repeatedly_from(model, call.fn_ctx)
            && frequency.runs_many_times(call.fn_ctx, call.span.start())
            && keys::is_dynamic_value(model, &first.value)
        {
            let origin =
                keys::origin_of_arg(model, &first.value, model.text(&first.span), call.fn_ctx);
            if let Some(mut g) = growth(frequency, keyed[i], origin, call.fn_ctx, call.span.range())
            {
                let created = growth_evidence::created_per_call(
                    model,
                    call,
                    &first.value,
                    model.text(&first.span),
                    true,
                )
                .map(|what| format!("{what}, so every call adds a new key"));
                let object = growth_evidence::object_key(model, call.fn_ctx, &first.value);
                let key = match &first.value {
                    Value::Path(p) if p.props.is_empty() => p.root_binding(),
                    _ => None,
                };
                let store = call
                    .args
                    .get(1)
                    .and_then(|v| {
                        growth_evidence::store_api(model, call.fn_ctx, key.as_ref(), &v.value)
                    })
                    .filter(|_| !presence::is_enumerated(model, &keyed[i].path));
                if let Some(why) = created.or(object).or(store) {
                    g.evidence.push(KeyFact::Unbounded(why).into());
                }
                if let Some(r) = &registration {
                    g.evidence.push(partial_registration(r));
                }
                sites[i].push(g);
            }
        }
    }
    for s in &mut sites {
        s.sort_by_key(|g| g.site.start);
    }
    sites
}

/// Part of what makes a registry of definitions (see [`definitions`]; a
/// complete one has a bounded key): the entries may be one per class or
/// function the program defines, not one per request.
fn partial_registration(r: &definitions::Registration) -> Evidence {
    Evidence::Assumed(format!(
        "the entries may be definitions registered once each, not values per request: {}",
        r.why()
    ))
}

/// A growth site of a module-level or closure container, with what decided
/// its confidence.
#[derive(Clone)]
struct Growth {
    site: std::ops::Range<usize>,
    label: String,
    /// How often it runs, then where the key comes from (the origin, and
    /// what shows it new on every call, if anything).
    evidence: Vec<Evidence>,
}

impl Growth {
    /// A key shown to be new on every call makes the growth certain.
    fn key_shows_growth(&self) -> bool {
        self.evidence
            .iter()
            .any(|e| matches!(e, Evidence::Key(k) if k.shows_growth()))
    }
}

/// The growth site at `site`, or `None` when its key does not count (see
/// [`growth_key`]). High when the key is new on every call or the
/// repetition is shown (see [`growth_evidence`]).
fn growth(
    frequency: &Frequencies,
    c: &Container,
    origin: KeyOrigin,
    fn_ctx: Option<crate::model::FnId>,
    site: std::ops::Range<usize>,
) -> Option<Growth> {
    let key = KeyFact::from(&origin);
    let label = growth_key(c, &key)?;
    let runs = Evidence::runs(growth_evidence::repetition(frequency, fn_ctx, site.start));
    // Repetition alone is no evidence of growth: a function called from a
    // hundred places with attribute or tag names fills its cache once per
    // name. Only a key shown to be new per call makes the growth certain.
    Some(Growth {
        site,
        label,
        evidence: vec![runs, key.into()],
    })
}

/// `seen[k] = true`: a visited or warned-once marker. In a factory's
/// closure, a marker set dedupes one walk or one configuration's warnings,
/// not a cache of computed values.
fn is_marker(v: &crate::model::Value) -> bool {
    matches!(v, crate::model::Value::Bool | crate::model::Value::Num(_))
}

/// The label of a growth site from its key's origin, or `None` when the key
/// does not count for this container: a container in a factory's closure
/// needs a key shown to be new on every call (its factory's callers may
/// well pass a small set of names), a module-level one any key that is not
/// bounded.
fn growth_key(c: &Container, key: &KeyFact) -> Option<String> {
    match key {
        KeyFact::Bounded(_) => None,
        KeyFact::Unknown if c.is_closure() => None,
        KeyFact::Unbounded(_) | KeyFact::Unknown => Some(wording::growth_label(key)),
    }
}

/// `c[k] = null` and `m.set(k, undefined)` anywhere in the file, in source
/// order: collected once, then matched against each reported container.
struct NullishWrites<'m> {
    writes: Vec<&'m MemberWrite>,
    sets: Vec<&'m CallFact>,
}

impl<'m> NullishWrites<'m> {
    fn of(model: &'m FileModel) -> Self {
        NullishWrites {
            writes: model
                .member_writes
                .iter()
                .filter(|w| w.value.is_nullish())
                .collect(),
            sets: model
                .method_calls("set")
                .filter(|call| call.args.get(1).is_some_and(|a| a.value.is_nullish()))
                .collect(),
        }
    }
}

/// `c[k] = null`, `m.set(k, undefined)`: look like removal, keep the key.
/// Each with its function and whether its key walks the container's own
/// keys (see [`keys::from_own_keys`]).
fn pseudo_evictions(
    model: &FileModel,
    nullish: &NullishWrites,
    c: &Container,
) -> Vec<(std::ops::Range<usize>, Option<crate::model::FnId>, bool)> {
    let mut out: Vec<_> = nullish
        .writes
        .iter()
        .filter(|w| containers::names(&w.object, &c.path))
        .map(|w| {
            let own_keys = keys::from_own_keys(model, w).is_some();
            (w.span.range(), w.fn_ctx, own_keys)
        })
        .collect();
    out.extend(
        nullish
            .sets
            .iter()
            .filter(|call| {
                call.callee
                    .receiver()
                    .as_ref()
                    .is_some_and(|r| containers::names(r, &c.path))
            })
            .map(|call| (call.span.range(), call.fn_ctx, false)),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::super::context::findings_of;
    use super::*;
    use crate::diagnostic::Confidence;

    #[test]
    fn a_counter_key_shows_growth_and_the_finding_is_high() {
        let src =
            "const cache = new Map();\nlet n = 0;\nexport function put(v) { cache.set(n++, v); }\n";
        let found = findings_of(src, "unbounded-cache");
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.grows(), Some(&Grows::new("cache", ContainerKind::Map)));
        assert_eq!(f.owner().map(|o| o.name.as_str()), Some("cache"));
        assert!(
            matches!(f.key(), Some(KeyFact::Unbounded(_))),
            "{:?}",
            f.key()
        );
        assert!(f.assumptions().is_empty());
        assert_eq!(f.confidence(), Confidence::High);
        assert_eq!(f.what, wording::keyed_growth(f.grows().unwrap()));
    }

    #[test]
    fn a_key_from_unseen_callers_is_an_assumption_and_the_finding_is_medium() {
        let src =
            "const table = {};\nexport function remember(name) { table[name] = name.length; }\n";
        let found = findings_of(src, "unbounded-cache");
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.key(), Some(&KeyFact::Unknown));
        assert!(f.evidence.iter().any(|e| matches!(
            e,
            Evidence::Runs {
                callers_shown: false,
                ..
            }
        )));
        assert_eq!(f.assumptions().len(), 1, "{:?}", f.evidence);
        assert_eq!(f.confidence(), Confidence::Medium);
    }

    #[test]
    fn a_function_that_drives_the_value_installs_a_component_not_a_store() {
        // `adapter(name, impl)` checks and keeps an implementation under its
        // name: a registry of what is installed, whose size the callers
        // decide; nothing here shows that they keep adding names.
        let src = "export const Db = {};\nDb.adapters = {};\nDb.adapter = function (id, impl) {\n  if (impl.valid()) { Db.adapters[id] = impl; }\n};\n";
        let found = findings_of(src, "unbounded-cache");
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert!(
            !f.evidence
                .iter()
                .any(|e| matches!(e, Evidence::Key(KeyFact::Unbounded(_)))),
            "{:?}",
            f.evidence
        );
        assert_eq!(f.confidence(), Confidence::Medium);
        // A store of promises that settles them is still a store.
        let src = "const pending = {};\nexport function put(key, promise) {\n  pending[key] = promise;\n  promise.then(log);\n}\n";
        let found = findings_of(src, "unbounded-cache");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].confidence(), Confidence::High);
    }

    #[test]
    fn a_store_api_key_is_unbounded_evidence() {
        let src = "const store = {};\nexport function put(key, value) { store[key] = value; }\n";
        let found = findings_of(src, "unbounded-cache");
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        let keys: Vec<_> = f
            .evidence
            .iter()
            .filter_map(|e| match e {
                Evidence::Key(k) => Some(k),
                _ => None,
            })
            .collect();
        assert!(
            keys.iter()
                .any(|k| matches!(k, KeyFact::Unbounded(why) if why.starts_with("a store API"))),
            "{keys:?}"
        );
        assert_eq!(f.confidence(), Confidence::High);
    }
}
