//! Instance caches that memoize a public method, and resets that do not bound
//! them.
//!
//! A class that answers `get(key)` from `this.cache[key]` and stores every
//! answer keeps one entry per key it was ever asked for. When the class is the
//! module's export, the keys come from code this file does not control (user
//! ids, URLs, cache keys): the cache grows for as long as the instance lives,
//! and instances of lookup structures (rings, resolvers, registries) usually
//! live as long as the process.
//!
//! Emptying the cache in a configuration method (`addServer`, `setOptions`)
//! does not change that: it runs when the configuration changes, not as keys
//! accumulate. Only a removal that follows the keys (delete, a size bound, a
//! reset from a sweep or an explicit `clear`/`reset`) bounds the cache.

use swc_atoms::Atom;

use crate::model::semantic::BindingKind;
use crate::model::{AccessPath, ClassId, FileModel, FnId, Key, MemberWrite, Root, Value};

/// Is the class exported by its module (`module.exports = X`,
/// `exports.X = X`, `export class X`, `export default X`)?
pub fn is_exported_class(model: &FileModel, class: ClassId) -> bool {
    let Some(binding) = &model.classes[class].binding else {
        return false;
    };
    if model.exports.iter().any(|e| e == binding) {
        return true;
    }
    model.member_writes.iter().any(|w| {
        let exported_value = matches!(&w.value, Value::Path(p)
            if p.props.is_empty() && p.is_rooted_at(binding));
        exported_value && is_exports_object(&w.object, &w.key)
    })
}

/// `module.exports = …`, `module.exports.x = …`, `exports.x = …`.
fn is_exports_object(object: &AccessPath, key: &Key) -> bool {
    match (&object.root, object.props.as_slice()) {
        (Root::Global(m), []) if m == "module" => *key == Key::Static("exports".into()),
        (Root::Global(m), [e]) if m == "module" && e == "exports" => true,
        (Root::Global(e), []) if e == "exports" => true,
        _ => false,
    }
}

/// A memoizing write: `this.<field>[key] = value` in a method where `key` is
/// one of the method's own parameters (the caller chooses it) and the method
/// answers from the cache (`return this.<field>[key]`) or returns what it
/// stores (`return this.<field>[key] = value`).
pub fn is_memo_write(model: &FileModel, w: &MemberWrite, field: &Atom) -> bool {
    let Some(method) = model.this_function(w.fn_ctx) else {
        return false;
    };
    let Key::Dynamic { ident: Some(key) } = &w.key else {
        return false;
    };
    if !is_parameter_of(model, key, method) {
        return false;
    }
    let read_path = AccessPath {
        root: Root::This,
        props: smallvec::smallvec![field.clone(), Atom::from(crate::model::DYNAMIC)],
    };
    model.returns.iter().any(|r| {
        model.this_function(r.fn_ctx) == Some(method)
            && (r.span == w.span || matches!(&r.value, Value::Path(p) if *p == read_path))
    })
}

fn is_parameter_of(
    model: &FileModel,
    id: &(Atom, swc_common::SyntaxContext),
    method: FnId,
) -> bool {
    model
        .semantic
        .binding(id)
        .is_some_and(|b| b.kind == BindingKind::Param && b.fn_ctx == Some(method))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    #[test]
    fn memo_writes_use_a_parameter_and_answer_from_the_cache() {
        let src = "function R() { this.c = {} }\n\
                   R.prototype.get = function (k) { if (this.c[k]) return this.c[k]; return this.c[k] = 1 };\n\
                   R.prototype.put = function (k, v) { this.c[k] = v };\n\
                   R.prototype.own = function (r) { var k = r.id; return this.c[k] = r };\n";
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            let field: Atom = "c".into();
            let memo: Vec<bool> = m
                .member_writes
                .iter()
                .filter(|w| matches!(w.key, Key::Dynamic { .. }))
                .map(|w| is_memo_write(m, w, &field))
                .collect();
            assert_eq!(
                memo,
                [true, false, false],
                "a store is not a lookup; a derived key is not the caller's"
            );
        });
    }

    #[test]
    fn exported_classes() {
        let exported = |src: &str| {
            let mut r = false;
            crate::engine::with_model_for_test(src, Dialect::Js, |m| r = is_exported_class(m, 0));
            r
        };
        assert!(exported(
            "function R() {}\nR.prototype.a = function () {};\nmodule.exports = R;\n"
        ));
        assert!(exported("class R {}\nexports.R = R;\n"));
        assert!(exported("export class R {}\n"));
        assert!(!exported("class R {}\nmodule.exports = new R();\n"));
        assert!(!exported("class R {}\nfunction use() { return new R() }\n"));
    }
}
