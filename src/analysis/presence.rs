//! Who can tell a null entry from a missing one, and who else can see a
//! container at all.
//!
//! `c[k] = null` and `delete c[k]` differ only to a reader that asks about
//! the key itself: `k in c`, `c.has(k)`, `hasOwnProperty`, `c[k] === null`
//! or `!== undefined`, `Object.keys(c)` and friends, iteration, `c.size`,
//! spreading, `JSON.stringify(c)`. Where the file reads a container that way,
//! a null entry can carry meaning (a negative cache, a visited marker); where
//! the container leaves the file's sight (exported, passed on, returned,
//! aliased, a global), some reader we cannot see might.

use rustc_hash::FxHashSet;

use crate::model::{AccessPath, CallFact, FileModel, Root, Value};

/// The answers for one file, computed on first use.
pub(crate) struct Presence {
    /// Normalised paths read in a way that tells null from absent.
    read: FxHashSet<AccessPath>,
    /// Those among them tested for one key (`k in c`, `c.has(k)`,
    /// `c[k] === null`), not only walked (`Object.keys(c)`, `for…in`).
    asked: FxHashSet<AccessPath>,
    /// Normalised paths handed to code the file does not show.
    escaped: FxHashSet<AccessPath>,
}

fn index<'m>(model: &'m FileModel) -> &'m Presence {
    model.derived.get_or_init(|| Presence::build(model))
}

/// Does the file read the container at `path` in a way that tells a null
/// entry from a missing key?
pub fn tells_null_from_absent(model: &FileModel, path: &AccessPath) -> bool {
    index(model).read.contains(&path.normalized())
}

/// Does the file test the container at `path` for one key in a way that
/// tells null from absent (`k in c`, `c.has(k)`, `hasOwnProperty`,
/// `c[k] === null`)? Then a null entry is a state its readers ask about (a
/// negative cache, a marker). A walk over every key (`Object.keys(c)`,
/// `for…in`) also sees null entries, but only pays for them: it gives them
/// no meaning of its own.
pub fn asks_for_the_key(model: &FileModel, path: &AccessPath) -> bool {
    index(model).asked.contains(&path.normalized())
}

/// Can code the file does not show read the container at `path`? True for
/// globals, imports, `this` fields (any holder of the instance), and for
/// bindings the file exports, returns, passes to a call or copies.
pub fn escapes(model: &FileModel, path: &AccessPath) -> bool {
    let path = path.normalized();
    let root_escapes = match &path.root {
        Root::Global(_) | Root::This => true,
        Root::Binding(..) => path.root_binding().is_some_and(|id| {
            model.exports.contains(&id)
                || model
                    .semantic
                    .binding(&id)
                    .is_some_and(|b| b.kind == crate::model::semantic::BindingKind::Import)
        }),
    };
    root_escapes || index(model).escaped.iter().any(|p| is_prefix(p, &path))
}

/// `p` is `path` or one of its owners (`store` owns `store.cache`).
fn is_prefix(p: &AccessPath, path: &AccessPath) -> bool {
    p.root == path.root && path.props.starts_with(&p.props)
}

/// Methods whose result depends on which keys exist.
const KEY_METHODS: &[&str] = &[
    "has",
    "hasOwnProperty",
    "forEach",
    "keys",
    "values",
    "entries",
];

/// `Object.*` / `Reflect.*` / `JSON.*` functions that see every key of their
/// first argument (`Object.assign` of every source after the first).
fn sees_keys(root: &str, name: &str) -> bool {
    matches!(
        (root, name),
        (
            "Object",
            "keys"
                | "values"
                | "entries"
                | "getOwnPropertyNames"
                | "getOwnPropertySymbols"
                | "hasOwn"
                | "assign"
                | "freeze"
        ) | ("Reflect", "ownKeys" | "has")
            | ("JSON", "stringify")
            | ("Array", "from")
    )
}

impl Presence {
    fn build(model: &FileModel) -> Presence {
        let mut read: FxHashSet<AccessPath> = model
            .presence_reads
            .iter()
            .map(AccessPath::normalized)
            .collect();
        let mut asked: FxHashSet<AccessPath> =
            model.key_tests.iter().map(AccessPath::normalized).collect();
        for id in &model.strict_nullish_tests {
            // `const v = c.get(k)` or `const v = c[k]`, then `v === null`.
            let holder = model.semantic.binding(id).and_then(|b| match &b.init {
                Some(Value::Call(call)) if call.method.as_deref() == Some("get") => {
                    call.callee.as_ref().and_then(AccessPath::parent)
                }
                Some(Value::Path(p)) => p.parent(),
                _ => None,
            });
            if let Some(h) = holder {
                read.insert(h.normalized());
                asked.insert(h.normalized());
            }
        }
        let mut escaped = FxHashSet::default();
        for c in &model.calls {
            note_call(c, &mut read, &mut escaped);
            note_key_test(c, &mut asked);
        }
        let mut note_value = |v: &Value| note_escape(v, &mut escaped);
        for r in &model.returns {
            note_value(&r.value);
        }
        for w in &model.binding_writes {
            note_value(&w.value);
        }
        for w in &model.member_writes {
            note_value(&w.value);
        }
        for (_, b) in model.semantic.bindings() {
            if let Some(v) = &b.init {
                note_value(v);
            }
        }
        Presence {
            read,
            asked,
            escaped,
        }
    }
}

fn note_call(c: &CallFact, read: &mut FxHashSet<AccessPath>, escaped: &mut FxHashSet<AccessPath>) {
    if let (Some(m), Some(recv)) = (c.callee.method.as_deref(), c.callee.receiver()) {
        if KEY_METHODS.contains(&m) {
            read.insert(recv.normalized());
        }
    }
    let whole_args = |from: usize| {
        c.args.iter().skip(from).filter_map(|a| match &a.value {
            Value::Path(p) => Some(p.normalized()),
            _ => None,
        })
    };
    let global = c
        .callee
        .path
        .as_ref()
        .and_then(|p| match (&p.root, p.props.as_slice()) {
            (Root::Global(g), [name]) => Some((g.clone(), name.clone())),
            _ => None,
        });
    // `Object.prototype.hasOwnProperty.call(c, k)`, `hasOwn.call(c, k)`.
    let borrowed_check = c.callee.method.as_deref() == Some("call")
        && c.callee.path.as_ref().is_some_and(|p| {
            p.props
                .iter()
                .any(|k| k == "hasOwnProperty" || k == "propertyIsEnumerable")
        });
    if borrowed_check {
        read.extend(whole_args(0).take(1));
    } else if let Some((g, name)) = &global {
        if sees_keys(g, name) {
            read.extend(whole_args(usize::from(name == "assign")));
        }
    }
    for a in &c.args {
        if a.spread {
            if let Value::Path(p) = &a.value {
                read.insert(p.normalized());
            }
        }
    }
    // Any call the file hands a container to may read it any way it likes.
    for a in &c.args {
        note_escape(&a.value, escaped);
    }
}

/// Calls that test one key: `c.has(k)`, `c.hasOwnProperty(k)`,
/// `Object.prototype.hasOwnProperty.call(c, k)`, `Object.hasOwn(c, k)`,
/// `Reflect.has(c, k)`.
fn note_key_test(c: &CallFact, asked: &mut FxHashSet<AccessPath>) {
    let method = c.callee.method.as_deref();
    if let (Some("has" | "hasOwnProperty"), Some(recv)) = (method, c.callee.receiver()) {
        asked.insert(recv.normalized());
        return;
    }
    let first_arg = || match c.args.first().map(|a| &a.value) {
        Some(Value::Path(p)) => Some(p.normalized()),
        _ => None,
    };
    let Some(path) = &c.callee.path else { return };
    let borrowed = method == Some("call")
        && path
            .props
            .iter()
            .any(|k| k == "hasOwnProperty" || k == "propertyIsEnumerable");
    let global = match (&path.root, path.props.as_slice()) {
        (Root::Global(g), [name]) => {
            matches!(
                (g.as_ref(), name.as_ref()),
                ("Object", "hasOwn") | ("Reflect", "has")
            )
        }
        _ => false,
    };
    if borrowed || global {
        asked.extend(first_arg());
    }
}

/// A value that hands a container on: the path itself, or an object
/// literal holding it (`module.exports = { cache }`).
fn note_escape(v: &Value, escaped: &mut FxHashSet<AccessPath>) {
    match v {
        Value::Path(p) => {
            escaped.insert(p.normalized());
        }
        Value::Object { props, .. } => {
            for (_, v) in props {
                if let Value::Path(p) = v {
                    escaped.insert(p.normalized());
                }
            }
        }
        _ => {}
    }
}

/// Is the container at `path` walked whole somewhere in the file
/// (`Object.keys(c)`, `Object.entries(c).forEach(…)`, `c.forEach(…)`,
/// `for (k in c)`)? A table read entry by entry is a cache; one walked whole
/// is applied to everything each time (plugins, directives, handlers), and
/// its keys are what the program registered.
pub fn is_enumerated(model: &FileModel, path: &AccessPath) -> bool {
    let path = path.normalized();
    let names = |v: &Value| matches!(v, Value::Path(p) if p.normalized() == path);
    let by_call =
        model.calls.iter().any(
            |c| match (c.callee.method.as_deref(), c.callee.receiver()) {
                (Some("keys" | "values" | "entries" | "getOwnPropertyNames"), Some(r))
                    if r.to_string() == "Object" =>
                {
                    c.args.first().is_some_and(|a| names(&a.value))
                }
                (Some("forEach" | "keys" | "values" | "entries"), Some(r)) => {
                    r.normalized() == path
                }
                _ => false,
            },
        );
    by_call
        || model.loops.iter().any(|l| {
            l.kind == crate::model::LoopKind::ForIn && {
                let head = model
                    .source
                    .get(l.span.start()..l.body.start())
                    .unwrap_or("");
                head.trim_end()
                    .trim_end_matches('{')
                    .trim_end()
                    .trim_end_matches(')')
                    .trim_end()
                    .ends_with(&format!(" in {path}"))
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    fn ask(src: &str) -> (bool, bool) {
        let mut r = (false, false);
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            let id = m
                .semantic
                .bindings()
                .find(|(id, _)| id.0 == "c")
                .map(|(id, _)| id.clone())
                .expect("a binding `c`");
            let p = AccessPath::binding(id);
            r = (tells_null_from_absent(m, &p), escapes(m, &p));
        });
        r
    }

    #[test]
    fn reads_that_tell_null_from_absent() {
        for src in [
            "const c = {};\nfunction f(k) { return k in c }\n",
            "const c = new Map();\nfunction f(k) { return c.has(k) }\n",
            "const c = {};\nfunction f(k) { return c[k] === null }\n",
            "const c = {};\nfunction f(k) { return c[k] !== undefined }\n",
            "const c = {};\nfunction f(k) { return typeof c[k] === 'undefined' }\n",
            "const c = new Map();\nfunction f(k) { return c.get(k) !== undefined }\n",
            "const c = new Map();\nfunction f(k) { const v = c.get(k); if (v === null) return 1 }\n",
            "const c = {};\nfunction f() { for (const k in c) g(k) }\n",
            "const c = new Map();\nfunction f() { for (const e of c) g(e) }\n",
            "const c = {};\nfunction f() { return Object.keys(c) }\n",
            "const c = {};\nfunction f() { return { ...c } }\n",
            "const c = new Map();\nfunction f() { return [...c] }\n",
            "const c = new Map();\nfunction f() { return c.size }\n",
            "const c = {};\nfunction f() { return JSON.stringify(c) }\n",
            "const c = {};\nfunction f(k) { return Object.prototype.hasOwnProperty.call(c, k) }\n",
        ] {
            assert!(ask(src).0, "{src}");
        }
    }

    #[test]
    fn reads_that_do_not() {
        for src in [
            "const c = {};\nfunction f(k) { return c[k] }\n",
            "const c = {};\nfunction f(k) { return c[k] == null }\n",
            "const c = {};\nfunction f(k) { return c[k] || 0 }\n",
            "const c = new Map();\nfunction f(k) { return c.get(k) ?? 1 }\n",
            "const c = {};\nconst d = {};\nfunction f(k) { return k in d }\n",
        ] {
            assert!(!ask(src).0, "{src}");
        }
    }

    #[test]
    fn key_tests_are_told_from_walks() {
        let asks = |src: &str| {
            let mut r = false;
            crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
                let id = m
                    .semantic
                    .bindings()
                    .find(|(id, _)| id.0 == "c")
                    .map(|(id, _)| id.clone())
                    .unwrap();
                r = asks_for_the_key(m, &AccessPath::binding(id));
            });
            r
        };
        for src in [
            "const c = {};\nfunction f(k) { return k in c }\n",
            "const c = new Map();\nfunction f(k) { return c.has(k) }\n",
            "const c = {};\nfunction f(k) { return c[k] === null }\n",
            "const c = new Map();\nfunction f(k) { const v = c.get(k); if (v === null) return 1 }\n",
            "const c = {};\nfunction f(k) { return Object.prototype.hasOwnProperty.call(c, k) }\n",
            "const c = {};\nfunction f(k) { return Object.hasOwn(c, k) }\n",
            // A walk whose turn for an empty value takes another branch.
            "const c = new Map();\nfunction f(t) { for (const [k, v] of c) { if (v) t.set(k, v); else t.delete(k) } }\n",
            "const c = new Map();\nfunction f(t) { for (const [k, v] of c) if (v === null) t.delete(k); else t.set(k, v) }\n",
        ] {
            assert!(asks(src), "{src}");
        }
        for src in [
            "const c = {};\nfunction f() { for (const k of Object.keys(c)) if (c[k]) c[k]() }\n",
            "const c = {};\nfunction f() { for (const k in c) g(k) }\n",
            "const c = new Map();\nfunction f() { return c.size }\n",
            "const c = new Map();\nfunction f(t) { for (const [k, v] of c) { if (v) t.set(k, v) } }\n",
        ] {
            assert!(!asks(src), "{src}");
            assert!(ask(src).0, "a walk still tells null from absent: {src}");
        }
    }

    #[test]
    fn escapes_are_exports_arguments_returns_and_aliases() {
        for src in [
            "export const c = {};\n",
            "const c = {};\nmodule.exports = { c };\n",
            "const c = {};\nfunction f() { return c }\n",
            "const c = {};\nregister(c);\n",
            "const c = {};\nconst d = c;\n",
        ] {
            assert!(ask(src).1, "{src}");
        }
        assert!(
            !ask(
                "const c = {};\nfunction f(k) { c[k] = 1; return c[k] }\nmodule.exports = { f };\n"
            )
            .1
        );
    }
}
