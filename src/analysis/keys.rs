//! Is a key or value fixed at write time, or does it change from call to call?

use crate::model::{FileModel, Key, Value};
use crate::semantic::BindingKind;

/// A key that takes a new value on each call (`c[id]`, `` c[`u:${id}`] ``).
/// Literal keys and identifiers bound to a `const` literal are fixed.
pub fn is_dynamic_key(model: &FileModel, key: &Key) -> bool {
    match key {
        Key::Static(_) => false,
        Key::Dynamic { ident: Some(id) } => !is_constant_binding(model, id),
        Key::Dynamic { ident: None } => true,
    }
}

/// Same question for a call argument (`m.set(k, v)`).
pub fn is_dynamic_value(model: &FileModel, value: &Value) -> bool {
    match value {
        Value::Str(_) | Value::Num(_) | Value::Bool | Value::Null | Value::Undefined => false,
        Value::Template { dynamic } => *dynamic,
        Value::Path(p) if p.props.is_empty() => match p.root_binding() {
            Some(id) => !is_constant_binding(model, &id),
            // A global such as `Symbol.iterator` or `undefined`: fixed.
            None => false,
        },
        _ => true,
    }
}

fn is_constant_binding(
    model: &FileModel,
    id: &(swc_atoms::Atom, swc_common::SyntaxContext),
) -> bool {
    model.semantic.binding(id).is_some_and(|b| {
        // A module-level `const` or an import has one value for the whole
        // process (typically a Symbol or a string): a write with it as the
        // key adds at most one key.
        let once_per_process =
            b.is_module_level() && matches!(b.kind, BindingKind::Const | BindingKind::Import);
        once_per_process
            || b.kind == BindingKind::Const
                && matches!(
                b.init,
                Some(
                    Value::Str(_)
                        | Value::Num(_)
                        | Value::Bool
                        | Value::Template { dynamic: false }
                )
            )
    })
}
