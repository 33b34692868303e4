//! Is a key or value fixed at write time, or does it change from call to call?

use crate::model::{AccessPath, FileModel, Key, MemberWrite, Value};
use crate::semantic::{BindingId, BindingKind};

/// A key that takes a new value on each call (`c[id]`, `` c[`u:${id}`] ``).
/// Literal keys and identifiers bound to a `const` literal are fixed.
pub fn is_dynamic_key(model: &FileModel, key: &Key) -> bool {
    match key {
        Key::Static(_) => false,
        Key::Dynamic { ident: Some(id) } => !is_constant_binding(model, id),
        Key::Dynamic { ident: None } => true,
    }
}

/// The key of a member write: like [`is_dynamic_key`], and a member of a
/// constant table (`o[KEYS.port]`, `o[Kind.A]`) is fixed too.
pub fn is_dynamic_write_key(model: &FileModel, w: &MemberWrite) -> bool {
    if w.key_path
        .as_ref()
        .is_some_and(|p| is_constant_member(model, p))
    {
        return false;
    }
    is_dynamic_key(model, &w.key)
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
        Value::Path(p) => !is_constant_member(model, p),
        _ => true,
    }
}

fn is_literal(v: &Value) -> bool {
    matches!(
        v,
        Value::Str(_) | Value::Num(_) | Value::Bool | Value::Template { dynamic: false }
    )
}

fn is_constant_binding(model: &FileModel, id: &BindingId) -> bool {
    model.semantic.binding(id).is_some_and(|b| {
        // A module-level `const` or an import has one value for the whole
        // process (typically a Symbol or a string): a write with it as the
        // key adds at most one key.
        let once_per_process =
            b.is_module_level() && matches!(b.kind, BindingKind::Const | BindingKind::Import);
        once_per_process || b.kind == BindingKind::Const && b.init.as_ref().is_some_and(is_literal)
    })
}

/// `KEYS.port` where `const KEYS = { port: 'port' }` at module level (and
/// nothing writes to `KEYS`), or `Kind.A` of an `enum Kind`.
fn is_constant_member(model: &FileModel, path: &AccessPath) -> bool {
    let [prop] = path.props.as_slice() else {
        return false;
    };
    let Some(id) = path.root_binding() else {
        return false;
    };
    let Some(b) = model.semantic.binding(&id) else {
        return false;
    };
    let table = b.is_module_level() && matches!(b.kind, BindingKind::Const | BindingKind::Other);
    let literal_member = matches!(&b.init, Some(Value::Object { props, .. })
        if props.iter().any(|(k, v)| k == prop && is_literal(v)));
    let mutated = model
        .member_writes
        .iter()
        .any(|w| w.object.root_binding().as_ref() == Some(&id));
    table && literal_member && !mutated
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    /// Is the key of the last member write in `src` dynamic?
    fn last_write_is_dynamic(src: &str) -> bool {
        let mut r = false;
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            r = is_dynamic_write_key(m, m.member_writes.last().unwrap());
        });
        r
    }

    #[test]
    fn literal_constant_and_table_keys_are_fixed() {
        assert!(!last_write_is_dynamic("const o = {};\no['a'] = 1;\n"));
        assert!(!last_write_is_dynamic(
            "const K = 'a';\nconst o = {};\no[K] = 1;\n"
        ));
        assert!(!last_write_is_dynamic(
            "const K = { a: 'a' } as const;\nconst o = {};\no[K.a] = 1;\n"
        ));
        assert!(!last_write_is_dynamic(
            "enum E { A, B = 'b' }\nconst o = {};\no[E.A] = 1;\no[E.B] = 2;\n"
        ));
    }

    #[test]
    fn values_that_change_per_call_are_dynamic() {
        assert!(last_write_is_dynamic(
            "const o = {};\nfunction f(k) { o[k] = 1 }\n"
        ));
        assert!(last_write_is_dynamic(
            "const o = {};\nfunction f(r) { o[r.id] = 1 }\n"
        ));
        assert!(last_write_is_dynamic(
            "let K = 'a';\nconst o = {};\no[K] = 1;\n"
        ));
        assert!(
            last_write_is_dynamic(
                "const K = { a: 'a' };\nK.a = input();\nconst o = {};\no[K.a] = 1;\n"
            ),
            "a table that is written to is not constant"
        );
        assert!(
            last_write_is_dynamic("function f(K) { const o = {}; o[K.a] = 1 }\n"),
            "a parameter's member is not a constant"
        );
    }
}
