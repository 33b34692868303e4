//! An entry is "removed" by assigning null or undefined: the key stays forever.

use super::Rule;
use crate::analysis::containers::{self, ContainerKind};
use crate::analysis::keys;
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
        if !shared_owner(model, all, &w.object)
            || (w.object.root == Root::This && w.object.props.is_empty())
        {
            continue;
        }
        let kind = all.kind_at(model, w.fn_ctx, &w.object);
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
            d = d.with_related(c.decl_span.clone(), c.lifetime);
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
            d = d.with_related(c.decl_span.clone(), c.lifetime);
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

/// Containers that outlive a call: module-level, imported, global, or on
/// `this`. A local object dies with its function; nulling its keys is harmless.
fn shared_owner(model: &FileModel, all: &containers::LongLived, path: &AccessPath) -> bool {
    match &path.root {
        Root::This => true,
        // A global counts when this file creates it as a container
        // (`globalThis.cache = {}`) or hangs it on the global object
        // (`window.__jobs[k]`). Bare built-ins such as `console[m] = undefined`
        // or `process.env[k] = undefined` have a fixed set of keys.
        Root::Global(g) => {
            all.find(path).is_some()
                || crate::model::path::is_global_object_name(g) && !path.props.is_empty()
        }
        Root::Binding(..) => path.root_binding().is_some_and(|id| {
            model.semantic.binding(&id).is_some_and(|b| {
                b.is_module_level() || b.kind == crate::semantic::BindingKind::Import
            })
        }),
    }
}
