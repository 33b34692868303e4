//! An entry is "removed" by assigning null or undefined: the key stays forever.

use super::Rule;
use crate::analysis::containers::{self, ContainerKind};
use crate::analysis::keys;
use crate::analysis::lifetime;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::model::{AccessPath, FileModel, ResultUse, Root};

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

fn check(model: &FileModel, out: &mut Vec<Diagnostic>) {
    let all = containers::all(model);
    for w in &model.member_writes {
        if w.op != "=" || !w.value.is_nullish() || !keys::is_dynamic_write_key(model, w) {
            continue;
        }
        // `this[k] = null` releases the instance's own fields (a cleanup
        // loop in `destroy()`); the instance is not a keyed container.
        let this_view = lifetime::as_this(model, w.fn_ctx, &w.object);
        if !shared_owner(model, all, w.fn_ctx, &w.object)
            || this_view.as_ref().is_some_and(|(p, _)| p.props.is_empty())
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
        ) {
            continue;
        }
        let target = model.text(&w.target_span);
        let value = model.text(&(w.target_span.end()..w.span.end()));
        let mut d = Diagnostic::new(
            RULE.name,
            w.span.range(),
            format!("`{target}{value}` keeps the key in `{}`", w.object),
        )
        .with_label("sets null here: the key stays")
        .with_help(format!("{WHY}; use `delete {target}` to remove the entry"));
        if let Some(c) = all.find(&w.object) {
            d = d.with_related(c.decl_span.clone(), c.lifetime.clone());
        } else if let Some((span, why)) = owner_evidence(model, w.fn_ctx, &w.object) {
            d = d.with_related(span, why);
        }
        d = d.with_fix(Fix {
            title: format!("replace with `delete {target}`"),
            applicability: if w.is_statement {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            },
            edits: vec![Edit {
                range: w.span.range(),
                text: format!("delete {target}"),
            }],
        });
        out.push(d);
    }
    for call in model.method_calls("set") {
        let (Some(recv), [key, value]) = (call.callee.receiver(), call.args.as_slice()) else {
            continue;
        };
        if !value.value.is_nullish() || !keys::is_dynamic_value(model, &key.value) {
            continue;
        }
        if all.kind_at(model, call.fn_ctx, &recv) != Some(ContainerKind::Map) {
            continue;
        }
        let recv_text = call
            .callee
            .receiver_span
            .as_ref()
            .map(|s| model.text(s))
            .unwrap_or("");
        let key_text = model.text(&key.span);
        let mut d = Diagnostic::new(
            RULE.name,
            call.span.range(),
            format!(
                "`{recv_text}.set({key_text}, {})` keeps the key in the map",
                model.text(&value.span)
            ),
        )
        .with_label("sets undefined here: the key stays")
        .with_help(format!(
            "{WHY}; use `{recv_text}.delete({key_text})` to remove the entry"
        ));
        if let Some(c) = all.find(&recv) {
            d = d.with_related(c.decl_span.clone(), c.lifetime.clone());
        }
        d = d.with_fix(Fix {
            title: format!("replace with `{recv_text}.delete({key_text})`"),
            applicability: if call.result == ResultUse::Discarded {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            },
            edits: vec![Edit {
                range: call.span.range(),
                text: format!("{recv_text}.delete({key_text})"),
            }],
        });
        out.push(d);
    }
}

/// Where the owner of a key is declared and why it outlives the call, for
/// owners that are not module-level containers (a factory's closure, a
/// binding that holds `this`).
fn owner_evidence(
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
