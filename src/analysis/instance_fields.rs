//! Containers a class keeps on `this` (fields set in initialisers or in
//! the constructor) and whether its code removes their entries: container
//! facts of one class. How long the instances themselves live is
//! [`lifetime`](super::lifetime)'s answer ([`lifetime::long_lived_classes`](super::lifetime::long_lived_classes)).

use std::ops::Range;

use swc_atoms::Atom;

use super::containers::{ContainerKind, kind_of};
use super::frequency::roles;

use crate::model::{AccessPath, ClassId, FileModel, FnId, FnKind, Key, Root};

/// A container kept on `this` by a class.
pub struct InstanceField {
    pub name: Atom,
    pub kind: ContainerKind,
    /// The field declaration or the constructor assignment that creates it.
    pub decl_span: Range<usize>,
}

/// Containers a class keeps on `this`: from field initialisers and from
/// assignments in the constructor.
pub fn container_fields(model: &FileModel, class: ClassId) -> Vec<InstanceField> {
    let mut out = Vec::new();
    // A class the project names as a bounded cache evicts by its design:
    // its containers are its storage, not caches that grow.
    let info = &model.classes[class];
    let name = info.name.as_ref().or(info.binding.as_ref().map(|b| &b.0));
    if name.is_some_and(|n| super::containers::declares_bounded_cache(model, n)) {
        return out;
    }
    for m in model.classes[class].members.iter().filter(|m| !m.is_static) {
        if let Some(kind) = m.value.as_ref().and_then(|v| kind_of(model, v)) {
            out.push(InstanceField {
                name: m.name.clone(),
                kind,
                decl_span: m.span.range(),
            });
        }
    }
    for w in &model.member_writes {
        let in_ctor = w.fn_ctx.is_some_and(|f| {
            let info = &model.functions[f];
            info.kind == FnKind::Constructor && info.class == Some(class)
        });
        if !in_ctor || w.object.root != Root::This || !w.object.props.is_empty() {
            continue;
        }
        let (Key::Static(name), Some(kind)) = (&w.key, kind_of(model, &w.value)) else {
            continue;
        };
        if !out.iter().any(|f| &f.name == name) {
            out.push(InstanceField {
                name: name.clone(),
                kind,
                decl_span: w.target_span.range(),
            });
        }
    }
    out
}

/// `this.<field>` as a path.
pub fn field_path(name: &Atom) -> AccessPath {
    AccessPath {
        root: Root::This,
        props: smallvec::smallvec![name.clone()],
    }
}

/// Is code in `fn_ctx` a method (or arrow inside one) of `class` that runs
/// after construction?
pub fn in_method_of(model: &FileModel, fn_ctx: Option<usize>, class: ClassId) -> bool {
    if model.this_class(fn_ctx) != Some(class) {
        return false;
    }
    model.this_function(fn_ctx).is_some_and(|f| {
        !matches!(
            model.functions[f].kind,
            FnKind::Constructor | FnKind::FieldInit
        )
    })
}

/// Does any code of the class remove entries from `this.<field>` or replace it
/// after construction?
pub fn field_has_eviction(model: &FileModel, class: ClassId, name: &Atom) -> bool {
    let path = field_path(name);
    let in_class = |f: Option<usize>| model.this_class(f) == Some(class);
    if model
        .deletes
        .iter()
        .any(|d| d.object == path && in_class(d.fn_ctx))
    {
        return true;
    }
    let evicting = ["delete", "clear", "splice", "shift", "pop"];
    // Emptying the whole container when the configuration changes
    // (`addServer`, `setOptions`) does not follow the keys it accumulates.
    let resets_on_configuration = |f: Option<usize>, method: &str| {
        method != "delete" && roles::in_configuration_method(model, f, name)
    };
    if model.calls.iter().any(|c| {
        c.callee.receiver_is(&path)
            && c.callee.method.as_ref().is_some_and(|m| {
                evicting.contains(&m.as_ref()) && !resets_on_configuration(c.fn_ctx, m)
            })
            && in_class(c.fn_ctx)
    }) {
        return true;
    }
    // Replaced or truncated after construction.
    if model.member_writes.iter().any(|w| {
        w.object.root == Root::This
            && w.object.props.is_empty()
            && w.key == Key::Static(name.clone())
            && in_method_of(model, w.fn_ctx, class)
            && !resets_on_configuration(w.fn_ctx, "=")
    }) {
        return true;
    }
    model.has_size_check(&path)
}

/// An entry of `this.<name>` deleted, or the field emptied, through an
/// alias of `this` (`var rpc = this; … delete rpc.waiting[id]`) or a local
/// that holds the field (`const timers = this.timers; delete timers[id]`,
/// `const q = this.queue; q.splice(i, 1)`).
pub fn evicted_through_alias(model: &FileModel, name: &Atom) -> bool {
    let path = field_path(name);
    let names_field = |object: &AccessPath, fn_ctx: Option<FnId>| {
        *object == path
            || matches!(object.root, Root::Binding(..))
                && crate::analysis::lifetime::as_this(model, fn_ctx, object)
                    .is_some_and(|(p, _)| p == path)
    };
    let via_alias = |object: &AccessPath, fn_ctx: Option<FnId>| {
        if !matches!(object.root, Root::Binding(..)) {
            return false;
        }
        if names_field(object, fn_ctx) {
            return true;
        }
        model
            .local_alias_of(object)
            .is_some_and(|(held, fn_ctx)| names_field(held, fn_ctx))
    };
    model.deletes.iter().any(|d| via_alias(&d.object, d.fn_ctx))
        || model.calls.iter().any(|c| {
            c.callee
                .method
                .as_deref()
                .is_some_and(|m| super::containers::ENTRY_REMOVING_METHODS.contains(&m))
                && c.callee.receiver().is_some_and(|r| via_alias(&r, c.fn_ctx))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    #[test]
    fn fields_come_from_initialisers_and_the_constructor() {
        let src = "class S { byId = {}; constructor() { this.seen = new Map(); this.n = 0 } }\n";
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            let fields: Vec<_> = container_fields(m, 0)
                .into_iter()
                .map(|f| (f.name.to_string(), f.kind))
                .collect();
            assert_eq!(
                fields,
                [
                    ("byId".to_string(), ContainerKind::Object),
                    ("seen".to_string(), ContainerKind::Map)
                ]
            );
        });
    }

    #[test]
    fn eviction_is_looked_for_in_the_same_class_only() {
        let src = "class A { constructor() { this.c = {} } put(k) { this.c[k] = 1 } }\n\
                   class B { constructor() { this.c = {} } drop(k) { delete this.c[k] } }\n";
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            assert!(!field_has_eviction(m, 0, &"c".into()));
            assert!(field_has_eviction(m, 1, &"c".into()));
        });
    }
}
