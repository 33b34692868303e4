//! A long-lived keyed container grows with dynamic keys and nothing removes entries.

use super::Rule;
use crate::analysis::containers::{self, Container, ContainerKind};
use crate::analysis::frequency::Frequency;
use crate::analysis::keys;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::FileModel;

pub(crate) const RULE: Rule = Rule {
    name: "unbounded-cache",
    summary: "A long-lived keyed container grows with dynamic keys and nothing ever removes its entries.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/unbounded-cache.md"),
    check,
};

fn check(model: &FileModel, out: &mut Vec<Diagnostic>) {
    let all = containers::long_lived(model);
    let frequency = Frequency::new(model);
    for c in all.iter().filter(|c| {
        matches!(
            c.kind,
            ContainerKind::Object | ContainerKind::Map | ContainerKind::Set
        )
    }) {
        let growth = growth_sites(model, &frequency, c);
        if growth.is_empty() || containers::has_eviction(model, &c.path) {
            continue;
        }
        let pseudo: Vec<_> = pseudo_evictions(model, c);
        for site in growth {
            let mut d = Diagnostic::new(
                RULE.name,
                site.clone(),
                format!(
                    "`{}` grows with every new key and nothing ever removes an entry",
                    c.display
                ),
            )
            .with_label("grows here with a dynamic key")
            .with_related(c.decl_span.clone(), c.lifetime);
            for p in &pseudo {
                d = d.with_related(p.clone(), "sets null here: the key stays");
            }
            let remove = match c.kind {
                ContainerKind::Object => format!("`delete {}[key]`", c.display),
                _ => format!("`{}.delete(key)`", c.display),
            };
            d = d.with_help(format!(
                "every distinct key is kept until the process exits; remove entries with {remove} when they expire, or use a bounded cache (for example `lru-cache` with `max`)"
            ));
            out.push(d);
        }
    }
}

/// Writes with a dynamic key in code that runs many times (not setup).
fn growth_sites(
    model: &FileModel,
    frequency: &Frequency,
    c: &Container,
) -> Vec<std::ops::Range<usize>> {
    let mut sites = Vec::new();
    if c.kind == ContainerKind::Object {
        for w in &model.member_writes {
            if containers::names(&w.object, &c.path)
                && frequency.runs_many_times(w.fn_ctx)
                && keys::is_dynamic_write_key(model, w)
                && !w.value.is_nullish()
            {
                sites.push(w.span.clone());
            }
        }
    }
    let method = match c.kind {
        ContainerKind::Map => "set",
        ContainerKind::Set => "add",
        _ => return sites,
    };
    for call in model.method_calls(method) {
        let Some(recv) = &call.callee.receiver else {
            continue;
        };
        if !containers::names(recv, &c.path) || !frequency.runs_many_times(call.fn_ctx) {
            continue;
        }
        let Some(first) = call.args.first() else {
            continue;
        };
        let value_nullish =
            method == "set" && call.args.get(1).is_some_and(|a| a.value.is_nullish());
        if keys::is_dynamic_value(model, &first.value) && !value_nullish {
            sites.push(call.span.clone());
        }
    }
    sites.sort_by_key(|s| s.start);
    sites
}

/// `c[k] = null`, `m.set(k, undefined)`: look like removal, keep the key.
fn pseudo_evictions(model: &FileModel, c: &Container) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<_> = model
        .member_writes
        .iter()
        .filter(|w| containers::names(&w.object, &c.path) && w.value.is_nullish())
        .map(|w| w.span.clone())
        .collect();
    out.extend(
        model
            .method_calls("set")
            .filter(|call| {
                call.callee
                    .receiver
                    .as_ref()
                    .is_some_and(|r| containers::names(r, &c.path))
                    && call.args.get(1).is_some_and(|a| a.value.is_nullish())
            })
            .map(|call| call.span.clone()),
    );
    out
}
