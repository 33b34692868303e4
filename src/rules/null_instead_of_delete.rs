//! An entry is "removed" by assigning null or undefined: the key stays forever.

use std::ops::Range;

use rustc_hash::FxHashMap;

use super::{Evidence, Finding, KeyFact, Owner, Rule, RuleContext};
use crate::analysis::containers::{self, ContainerKind};
use crate::analysis::{expiry, keys, lifetime, presence};
use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::semantic::BindingKind;
use crate::model::{
    AccessPath, FileModel, FnId, FnKind, Invocation, Key, MemberWrite, ResultUse, Root, Value,
};

pub(crate) const RULE: Rule = Rule {
    name: "null-instead-of-delete",
    summary: "An entry of a keyed container is \"removed\" by assigning null or undefined, so its key stays forever.",
    default_severity: Severity::Error,
    fixable: true,
    docs: include_str!("../../rules/null-instead-of-delete.md"),
    check,
};

const WHY: &str =
    "assigning null or undefined keeps the key, so the container still grows with every new key";

fn check(out: &mut RuleContext) {
    let model = out.model;
    let all = containers::all(model);
    let mut readers = Readers::default();
    for w in &model.member_writes {
        if w.op != "=" || !w.value.is_nullish() || !keys::is_dynamic_write_key(model, w) {
            continue;
        }
        // `this[k] = null` releases the instance's own fields (a cleanup
        // loop in `destroy()`); the instance is not a keyed container.
        let this_view = lifetime::as_this(model, w.fn_ctx, &w.object);
        if !shared_owner(model, all, w.fn_ctx, &w.object)
            || this_view.as_ref().is_some_and(|(p, _)| p.props.is_empty())
            || deleted_too(model, w)
        {
            continue;
        }
        // Through an alias of `this` (`_this2.queue`), the kind is the field's.
        let kind = match &this_view {
            Some((p, ctx)) => all.kind_at(model, *ctx, p),
            None => all.kind_at(model, w.fn_ctx, &w.object),
        };
        if matches!(
            kind,
            Some(ContainerKind::Array | ContainerKind::Map | ContainerKind::Set)
        ) || is_fixed_slot(model, w)
        {
            continue;
        }
        let disarms = expiry::disarms_own_timer(model, w);
        let Some(mut verdict) = judge(model, all, &mut readers, &w.object, w.fn_ctx, disarms)
        else {
            continue;
        };
        // An instance whose keys are new per event or per call serves many
        // operations over its life: what it keeps grows over that life.
        if let keys::KeyOrigin::Unbounded(why) = keys::origin_of_write(model, w) {
            // New keys all the time: the entries pile up whatever the null
            // means, so what was assumed about it no longer decides.
            verdict.evidence = std::mem::take(&mut verdict.evidence)
                .into_iter()
                .map(Evidence::settled)
                .collect();
            verdict
                .evidence
                .push(Evidence::Key(KeyFact::Unbounded(why)));
        }
        // An emitter's own removal method (`removeAllListeners(type)`),
        // keyed by its event parameter: the keys are event names, a
        // vocabulary fixed by the code that emits, unless callers build them.
        if let Some(method) = emitter_removal_keyed_by_event(model, w) {
            verdict.evidence.push(Evidence::Assumed(format!(
                "the key is the event name `{method}` is asked to clear: event names are usually a fixed set, so new keys come only from callers that build names"
            )));
        }
        // A reset over the keys the container already has adds none: the
        // container grows (if at all) where keys are added, not here.
        if let Some(why) = keys::from_own_keys(model, w) {
            verdict.evidence.push(Evidence::Assumed(format!(
                "{why}; whether the keys grow is decided where they are added"
            )));
        }
        let target = model.text(&w.target_span);
        let value = model.text(&(w.target_span.end()..w.span.end()));
        let mut d = Finding::new(
            w.span.range(),
            format!("`{target}{value}` keeps the key in `{}`", w.object),
        )
        .with_label("sets null here: the key stays")
        .with_help(format!(
            "{WHY}; use `delete {target}` to remove the entry{}",
            verdict.caveat()
        ));
        if let Some(c) = all.find(&w.object) {
            d = d.with_related(c.decl_span.clone(), c.lifetime.clone());
        } else if let Some((span, why)) = owner_related(model, w.fn_ctx, &w.object) {
            d = d.with_related(span, why);
        }
        let value_ignored =
            w.is_statement || is_ignored_callback_body(model, w.fn_ctx, w.span.range());
        d = verdict.apply(d).with_fix(Fix {
            title: format!("replace with `delete {target}`"),
            applicability: verdict.applicability(value_ignored),
            edits: vec![Edit {
                range: w.span.range(),
                text: format!("delete {target}"),
            }],
        });
        out.report(d);
    }
    for call in model.method_calls("set") {
        let (Some(recv), [key, value]) = (call.callee.receiver(), call.args.as_slice()) else {
            continue;
        };
        if !value.value.is_nullish() || !keys::is_dynamic_value(model, &key.value) {
            continue;
        }
        if all.kind_at(model, call.fn_ctx, &recv) != Some(ContainerKind::Map)
            || !shared_owner(model, all, call.fn_ctx, &recv)
        {
            continue;
        }
        let Some(verdict) = judge(model, all, &mut readers, &recv, call.fn_ctx, false) else {
            continue;
        };
        let recv_text = call
            .callee
            .receiver_span
            .as_ref()
            .map(|s| model.text(s))
            .unwrap_or("");
        let key_text = model.text(&key.span);
        let mut d = Finding::new(
            call.span.range(),
            format!(
                "`{recv_text}.set({key_text}, {})` keeps the key in the map",
                model.text(&value.span)
            ),
        )
        .with_label("sets undefined here: the key stays")
        .with_help(format!(
            "{WHY}; use `{recv_text}.delete({key_text})` to remove the entry{}",
            verdict.caveat()
        ));
        if let Some(c) = all.find(&recv) {
            d = d.with_related(c.decl_span.clone(), c.lifetime.clone());
        }
        let value_ignored = call.result == ResultUse::Discarded
            || call.result == ResultUse::Returned
                && is_ignored_callback_body(model, call.fn_ctx, call.span.range());
        d = verdict.apply(d).with_fix(Fix {
            title: format!("replace with `{recv_text}.delete({key_text})`"),
            applicability: verdict.applicability(value_ignored),
            edits: vec![Edit {
                range: call.span.range(),
                text: format!("{recv_text}.delete({key_text})"),
            }],
        });
        out.report(d);
    }
}

/// What the code shows about one null write, and what follows from it.
struct Verdict {
    evidence: Vec<Evidence>,
    /// Some code tells null from a missing key: `delete` changes what it sees.
    observed: bool,
    /// Code this file does not show may read the container.
    escapes: bool,
    /// The write runs when something ends (timer, teardown, removal).
    expires: bool,
}

impl Verdict {
    fn apply(&self, mut d: Finding) -> Finding {
        for e in &self.evidence {
            d = d.with_evidence(e.clone());
        }
        d
    }

    /// Safe only when the rewrite cannot change what any reader observes:
    /// the write expires an entry, nothing that can see the container tells
    /// null from absent, and the assignment's own value is not used.
    fn applicability(&self, value_ignored: bool) -> Applicability {
        if self.expires && !self.observed && !self.escapes && value_ignored {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        }
    }

    /// A note for the help when `delete` would change what a reader sees.
    fn caveat(&self) -> &'static str {
        if self.observed {
            " (this file also checks whether the key exists: make sure those checks expect it gone)"
        } else {
            ""
        }
    }
}

/// How the file reads a container, asked once per container: each question
/// walks the whole file, and one container may be nulled in many places.
#[derive(Default)]
struct Readers(FxHashMap<AccessPath, ReaderFacts>);

#[derive(Clone, Copy)]
struct ReaderFacts {
    /// [`presence::tells_null_from_absent`].
    observed: bool,
    /// [`presence::asks_for_the_key`].
    asks: bool,
    /// [`presence::escapes`].
    escapes: bool,
}

impl Readers {
    fn of(&mut self, model: &FileModel, path: &AccessPath) -> ReaderFacts {
        *self.0.entry(path.clone()).or_insert_with(|| ReaderFacts {
            observed: presence::tells_null_from_absent(model, path),
            asks: presence::asks_for_the_key(model, path),
            escapes: presence::escapes(model, path),
        })
    }
}

/// `o[k] = undefined; delete o[k]` (old engines threw on `delete` of some
/// host objects, so code clears the slot first): the same function also
/// deletes the same key of the same container, so the key goes.
fn deleted_too(model: &FileModel, w: &crate::model::MemberWrite) -> bool {
    matches!(w.key, Key::Dynamic { ident: Some(_) })
        && model
            .deletes
            .iter()
            .any(|d| d.fn_ctx == w.fn_ctx && d.key == w.key && d.object == w.object)
}

/// Is this null a removal (reported, high when the code shows it), or a
/// value (`None`: a negative cache, a visited or in-progress marker, a
/// placeholder filled in by the same function)? `disarms`: the null marks
/// "no timer armed" in the slot of the timer whose callback writes it, a
/// state rather than an expiry, even though it runs in a timer.
fn judge(
    model: &FileModel,
    all: &containers::LongLived,
    readers: &mut Readers,
    path: &AccessPath,
    fn_ctx: Option<FnId>,
    disarms: bool,
) -> Option<Verdict> {
    let expiry = (!disarms).then(|| expiry::expires(model, fn_ctx)).flatten();
    let facts = readers.of(model, path);
    let observed = facts.observed;
    if expiry.is_none() && (observed || stores_value_in(model, path, fn_ctx)) {
        return None;
    }
    let mut evidence = vec![Evidence::Owner(owner_evidence(model, all, path, fn_ctx))];
    match &expiry {
        Some(why) => evidence.push(Evidence::Shown(why.clone())),
        None if disarms => {
            evidence.push(Evidence::Assumed(
                "not shown to remove: the slot holds the handle of the timer that sets it null, so null marks 'no timer armed' until the key is armed again".into(),
            ));
        }
        None => {
            evidence.push(Evidence::Assumed(
                "not shown to remove: outside any timer, teardown or removal-named function".into(),
            ));
        }
    }
    if facts.asks {
        // Readers check for the key: the null is a state they can see, so
        // even an expiry may be deliberate (`hasTrailer` after `removeTrailer`).
        evidence.push(Evidence::Assumed(
            "the file tests for the key in a way that tells null from a missing key (`in`, `has`, `=== null`, a walk over the entries that branches on the value)".into(),
        ));
    } else if observed {
        // A walk over every key (`Object.keys`, `for…in`) sees the null
        // entries but gives them no meaning: it only pays for each one.
        evidence.push(Evidence::Shown(
            "the file walks every key (`Object.keys`, `for…in`, spreading), null entries included"
                .into(),
        ));
    }
    let escapes = facts.escapes;
    if escapes {
        evidence.push(Evidence::Shown(
            "code outside this file may read the container".into(),
        ));
    }
    Some(Verdict {
        evidence,
        observed,
        escapes,
        expires: expiry.is_some(),
    })
}

/// Why the owner outlives the call, as evidence.
fn owner_evidence(
    model: &FileModel,
    all: &containers::LongLived,
    path: &AccessPath,
    fn_ctx: Option<FnId>,
) -> Owner {
    if let Some(c) = all.find(path) {
        return Owner::new(&c.display, &c.lifetime);
    }
    // A binding that holds `this`, or a factory's closure.
    if matches!(path.root, Root::Binding(..)) {
        if let Some((_, why)) = owner_related(model, fn_ctx, path) {
            return Owner::new(path.to_string(), why);
        }
    }
    match &path.root {
        Root::This => Owner::new(
            path.to_string(),
            "an instance field; how long the instance lives is not shown",
        ),
        Root::Global(_) => Owner::new(path.to_string(), "a global"),
        Root::Binding(..) => {
            let imported = path.root_binding().is_some_and(|id| {
                model
                    .semantic
                    .binding(&id)
                    .is_some_and(|b| b.kind == crate::model::semantic::BindingKind::Import)
            });
            if imported {
                Owner::new(path.to_string(), "imported from a module")
            } else {
                Owner::new(path.to_string(), "declared at module level")
            }
        }
    }
}

/// The name of the listener-removal method (`off`, `removeListener`,
/// `removeAllListeners`, …) that writes `w`, when the key is that method's
/// first parameter: the emitter's own table of listeners, keyed by event
/// name. A name only weakens a finding here; it never raises one.
fn emitter_removal_keyed_by_event(model: &FileModel, w: &MemberWrite) -> Option<String> {
    let f = model.this_function(w.fn_ctx)?;
    let name = model.functions[f].name.clone()?;
    let removes = name.as_ref() == crate::analysis::resources::REMOVE_ALL
        || crate::analysis::listeners::REMOVE_METHODS.contains(&name.as_ref());
    if !removes {
        return None;
    }
    let Key::Dynamic { ident: Some(id) } = &w.key else {
        return None;
    };
    let (owner, index) = keys::param_index(model, id)?;
    (owner == f && index == 0).then(|| name.to_string())
}

/// Does the same function also store a real value in the container? Then
/// its null is a placeholder or a marker (`seen[k] = null` before the walk
/// fills it in, `cache.set(k, null)` for "looked up, not found").
fn stores_value_in(model: &FileModel, path: &AccessPath, fn_ctx: Option<FnId>) -> bool {
    let target = path.normalized();
    model.member_writes.iter().any(|w| {
        w.fn_ctx == fn_ctx && !w.value.is_nullish() && containers::names(&w.object, &target)
    }) || model.method_calls("set").any(|c| {
        c.fn_ctx == fn_ctx
            && c.args.get(1).is_some_and(|a| !a.value.is_nullish())
            && c.callee
                .receiver()
                .is_some_and(|r| containers::names(&r, &target))
    })
}

/// Slots of a fixed shape rather than entries of a growing dictionary:
/// `X.prototype[name] = null` (a prototype default), `el['on' + type] = null`
/// (a DOM-style event handler slot), `slots[i] = null` with `i` a
/// function-local counter (an index into a table, bounded by its loop), and
/// a slot of an array-like whose length the same function compares.
fn is_fixed_slot(model: &FileModel, w: &MemberWrite) -> bool {
    if w.object.props.last().is_some_and(|p| p == "prototype") {
        return true;
    }
    if length_compared_here(model, w) {
        return true;
    }
    let key = model.text(&w.key_span).trim_start_matches('(');
    if ["'on'", "\"on\"", "`on"].iter().any(|p| key.starts_with(p)) {
        return true;
    }
    if let Key::Dynamic { ident: Some(id) } = &w.key {
        return model.semantic.binding(id).is_some_and(|b| {
            !b.is_module_level()
                && matches!(b.kind, BindingKind::Let | BindingKind::Var)
                && matches!(b.init, Some(Value::Num(_)))
        });
    }
    false
}

/// The function that writes compares the container's `.length`, directly or
/// through a local that holds it (`var items = this.items; if (i >= items.length) return;
/// … this.items[i] = null`): the container is an array-like indexed by
/// position, and null releases the element of one slot; the set of slots
/// does not grow with it.
fn length_compared_here(model: &FileModel, w: &MemberWrite) -> bool {
    let object = w.object.normalized();
    model.size_check_ctx.iter().any(|(i, ctx)| {
        if *ctx != w.fn_ctx {
            return false;
        }
        let checked = &model.size_checks[*i];
        if checked.normalized() == object {
            return true;
        }
        // A local alias of the container, declared in the same function.
        model
            .local_alias_of(checked)
            .is_some_and(|(held, fn_ctx)| fn_ctx == w.fn_ctx && held.normalized() == object)
    })
}

/// Is `span` the whole expression body of an arrow whose return value its
/// caller ignores (a timer, `forEach`, an event listener)? `delete` there
/// changes only a value nobody reads.
fn is_ignored_callback_body(model: &FileModel, fn_ctx: Option<FnId>, span: Range<usize>) -> bool {
    let Some(f) = fn_ctx else { return false };
    let info = &model.functions[f];
    if info.kind != FnKind::Arrow {
        return false;
    }
    let is_body = model.returns.iter().any(|r| {
        r.fn_ctx == fn_ctx
            && r.span.start() <= span.start
            && span.end <= r.span.end()
            && model
                .text(&(r.span.start()..span.start))
                .chars()
                .chain(model.text(&(span.end..r.span.end())).chars())
                .all(|c| c == '(' || c == ')' || c.is_whitespace())
    });
    let Invocation::CallbackOf { call, .. } = info.invocation else {
        return false;
    };
    let c = &model.calls[call];
    let ignores = c.callee.global_function().is_some_and(|g| {
        matches!(
            g.as_ref(),
            "setTimeout"
                | "setInterval"
                | "setImmediate"
                | "requestAnimationFrame"
                | "queueMicrotask"
        )
    }) || c.callee.method.as_deref().is_some_and(|m| {
        matches!(
            m,
            "forEach" | "on" | "once" | "addListener" | "addEventListener" | "prependListener"
        )
    });
    is_body && ignores
}

/// Where the owner of a key is declared and why it outlives the call, for
/// owners that are not module-level containers (a factory's closure, a
/// binding that holds `this`).
fn owner_related(
    model: &FileModel,
    fn_ctx: Option<usize>,
    path: &AccessPath,
) -> Option<(std::ops::Range<usize>, String)> {
    let id = path.root_binding()?;
    let why = lifetime::of_owner(model, fn_ctx, path).why()?.to_string();
    let decl = model.semantic.binding(&id)?.span.range();
    let why = if lifetime::is_this_alias(model, &id) {
        format!("`{}` holds `this`: {why}", id.0)
    } else {
        why
    };
    Some((decl, why))
}

/// Containers that outlive a call (see [`lifetime`]): module-level,
/// imported, global, static members, `this` through any alias, closures
/// that escape a factory. A local object dies with its function; nulling
/// its keys is harmless.
fn shared_owner(
    model: &FileModel,
    all: &containers::LongLived,
    fn_ctx: Option<usize>,
    path: &AccessPath,
) -> bool {
    // A global counts when this file creates it as a container
    // (`globalThis.cache = {}`) or hangs it on the global object
    // (`window.__jobs[k]`). Bare built-ins such as `console[m] = undefined`
    // or `process.env[k] = undefined` have a fixed set of keys.
    if matches!(path.root, Root::Global(_)) && all.find(path).is_some() {
        return true;
    }
    lifetime::of_owner(model, fn_ctx, path).outlives_call()
}

#[cfg(test)]
mod tests {
    use super::super::context::findings_of;
    use super::*;
    use crate::diagnostic::Confidence;

    #[test]
    fn a_null_outside_any_expiry_is_assumed_to_remove() {
        let src = "const sessions = {};\nexport function mark(id) { sessions[id] = null; }\n";
        let found = findings_of(src, "null-instead-of-delete");
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(
            f.owner(),
            Some(&Owner::new(
                "sessions",
                "declared at module level: it lives as long as the process"
            ))
        );
        assert_eq!(f.confidence(), Confidence::Medium);
        assert!(f.assumptions()[0].starts_with("not shown to remove"));
    }

    #[test]
    fn a_null_in_a_timer_expires_the_entry_and_is_high() {
        let src = "const sessions = {};\nexport function open(id) {\n  sessions[id] = {};\n  setTimeout(() => { sessions[id] = null; }, 1000);\n}\n";
        let found = findings_of(src, "null-instead-of-delete");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].assumptions().is_empty(), "{:?}", found[0].evidence);
        assert_eq!(found[0].confidence(), Confidence::High);
    }
}
