//! Classes written the pre-ES2015 way: a constructor function plus methods on
//! its prototype.
//!
//! ```js
//! function Ring(nodes) { this.cache = {} }          // the constructor
//! Ring.prototype.get = function (key) { … };          // a method
//! Ring.prototype = { get(key) { … }, put: function () { … } };
//! Object.assign(Ring.prototype, { get() { … } });
//! util.inherits(Ring, EventEmitter);                  // a class, with a base
//! exports.Client = function (o) { … };                // a constructor without a binding,
//! util.inherits(exports.Client, EventEmitter);        //   made a class by `inherits`
//! ```
//!
//! Much of npm is still written this way. Once the collector has run, this
//! pass turns such constructors into [`ClassInfo`]s and marks their functions
//! as the constructor and methods of that class, so that every class-based
//! analysis (long-lived instances, `this` containers, per-instance
//! registration) applies to them unchanged. It reads only the collected facts:
//! no second traversal of the AST.

use std::ops::Range;

use rustc_hash::FxHashMap;
use swc_atoms::Atom;

use super::{AccessPath, ClassInfo, ClassMember, FileModel, FnId, FnKind, Key, Root, Value};
use crate::model::semantic::BindingKind;

type BindingId = (Atom, swc_common::SyntaxContext);

/// What the facts say about one constructor binding.
#[derive(Default)]
struct Evidence {
    /// `(name, function)` of the prototype's methods, in source order.
    methods: Vec<(Atom, FnId)>,
    /// `util.inherits(X, Base)`, `X.prototype = Object.create(Base.prototype)`,
    /// `X.prototype.__proto__ = Base.prototype`.
    base: Option<AccessPath>,
    /// Anything that shows `X` is used as a constructor with a prototype.
    is_class: bool,
}

/// Adds the prototype-based classes of the file to `model.classes`.
pub fn link(model: &mut FileModel) {
    let mut found: FxHashMap<BindingId, Evidence> = FxHashMap::default();
    let mut order: Vec<BindingId> = Vec::new();
    let mut note = |id: &BindingId, found: &mut FxHashMap<BindingId, Evidence>| {
        if !found.contains_key(id) {
            order.push(id.clone());
        }
        found.entry(id.clone()).or_default().is_class = true;
    };

    for w in &model.member_writes {
        // `X.prototype.m = function () {…}`
        if let Some(ctor) = prototype_of(&w.object) {
            note(&ctor, &mut found);
            if let Key::Static(name) = &w.key {
                if name == "__proto__" {
                    found.get_mut(&ctor).unwrap().base = base_of_prototype(&w.value);
                    continue;
                }
                if matches!(w.value, Value::Function(_)) {
                    if let Some(f) =
                        function_ending_at(model, w.fn_ctx, w.target_span.end(), w.span.end())
                    {
                        found
                            .get_mut(&ctor)
                            .unwrap()
                            .methods
                            .push((name.clone(), f));
                    }
                }
            }
            continue;
        }
        // `X.prototype = { … }` / `X.prototype = Object.create(Base.prototype)`
        if w.key == Key::Static("prototype".into()) && w.object.props.is_empty() {
            let Some(ctor) = w.object.root_binding() else {
                continue;
            };
            note(&ctor, &mut found);
            // With `Object.create(Base.prototype)` the base is not in the
            // value summary; the class is known all the same.
            if let Value::Object { .. } = &w.value {
                let methods = literal_methods(model, w.fn_ctx, w.target_span.end()..w.span.end());
                found.get_mut(&ctor).unwrap().methods.extend(methods);
            }
        }
    }

    let mut exported_constructors: Vec<(AccessPath, Option<AccessPath>)> = Vec::new();
    for call in &model.calls {
        let Some(path) = &call.callee.path else {
            continue;
        };
        let method = path.props.last().map(|a| a.as_ref());
        match (method, call.args.as_slice()) {
            // `Object.assign(X.prototype, { … })`
            (Some("assign"), [target, sources @ ..])
                if path.root == Root::Global("Object".into()) =>
            {
                let Value::Path(p) = &target.value else {
                    continue;
                };
                let Some(ctor) = prototype_of(p) else {
                    continue;
                };
                note(&ctor, &mut found);
                for s in sources {
                    if matches!(s.value, Value::Object { .. }) {
                        let methods = literal_methods(model, call.fn_ctx, s.span.range());
                        found.get_mut(&ctor).unwrap().methods.extend(methods);
                    }
                }
            }
            // `util.inherits(X, Base)`, `inherits(X, Base)`
            (m, [child, base, ..]) if is_inherits(path, m) => {
                let Value::Path(c) = &child.value else {
                    continue;
                };
                if !c.props.is_empty() {
                    // `util.inherits(exports.Client, EventEmitter)`: a
                    // constructor assigned to an export, with no binding.
                    let base = match &base.value {
                        Value::Path(b) => Some(b.clone()),
                        _ => None,
                    };
                    exported_constructors.push((c.clone(), base));
                    continue;
                }
                let Some(ctor) = c.root_binding() else {
                    continue;
                };
                note(&ctor, &mut found);
                if let Value::Path(b) = &base.value {
                    found.get_mut(&ctor).unwrap().base = Some(b.clone());
                }
            }
            _ => {}
        }
    }

    for (path, base) in exported_constructors {
        add_exported_class(model, &path, base);
    }

    // Classes in source order of their constructors.
    order.sort_by_key(|id| {
        model
            .semantic
            .binding(id)
            .map_or(usize::MAX, |b| b.span.start())
    });
    for id in order {
        let Some(ev) = found.remove(&id) else {
            continue;
        };
        if ev.is_class {
            add_class(model, id, ev);
        }
    }
}

/// `util.inherits`, `inherits` (the `inherits` package or a local copy).
fn is_inherits(path: &AccessPath, method: Option<&str>) -> bool {
    match method {
        Some(m) => m == "inherits",
        None => matches!(&path.root, Root::Binding(n, _) | Root::Global(n) if n == "inherits"),
    }
}

/// `X.prototype` for a binding `X`.
fn prototype_of(path: &AccessPath) -> Option<BindingId> {
    match path.props.as_slice() {
        [p] if p == "prototype" => path.root_binding(),
        _ => None,
    }
}

/// `Base.prototype` (or `Object.create(Base.prototype)`) as `Base`.
fn base_of_prototype(v: &Value) -> Option<AccessPath> {
    match v {
        Value::Path(p) if p.props.last().is_some_and(|l| l == "prototype") => p.parent(),
        _ => None,
    }
}

/// The function expression that is the right-hand side of an assignment: it
/// starts after the target and ends where the assignment ends.
fn function_ending_at(
    model: &FileModel,
    parent: Option<FnId>,
    after: usize,
    end: usize,
) -> Option<FnId> {
    let first = model.functions.partition_point(|f| f.span.start() < after);
    model.functions[first..]
        .iter()
        .take_while(|f| f.span.start() < end)
        .position(|f| f.parent == parent && f.span.end() == end)
        .map(|i| first + i)
}

/// Methods of an object literal: functions directly inside the literal's span
/// (not nested in another function) that have a name.
fn literal_methods(
    model: &FileModel,
    parent: Option<FnId>,
    span: Range<usize>,
) -> Vec<(Atom, FnId)> {
    let first = model
        .functions
        .partition_point(|f| f.span.start() < span.start);
    model.functions[first..]
        .iter()
        .enumerate()
        .take_while(|(_, f)| f.span.start() < span.end)
        .filter(|(_, f)| f.parent == parent && f.span.end() <= span.end && f.kind != FnKind::Arrow)
        .filter_map(|(i, f)| f.name.clone().map(|n| (n, first + i)))
        .collect()
}

/// `exports.Client = function (options) { … }` made a class by
/// `util.inherits(exports.Client, Base)`: the function assigned to that
/// export is a constructor (its instances are counted by its callers).
fn add_exported_class(model: &mut FileModel, path: &AccessPath, base: Option<AccessPath>) {
    let is_export = matches!(&path.root, Root::Global(g) if g == "exports" || g == "module");
    let (Some(parent), Some(name)) = (path.parent(), path.props.last()) else {
        return;
    };
    if !is_export {
        return;
    }
    let Some(ctor) = model.member_writes.iter().find_map(|w| {
        (w.op == "="
            && w.object == parent
            && w.key == Key::Static(name.clone())
            && matches!(w.value, Value::Function(_)))
        .then(|| function_ending_at(model, w.fn_ctx, w.target_span.end(), w.span.end()))
        .flatten()
    }) else {
        return;
    };
    let info = &model.functions[ctor];
    if info.class.is_some() || info.kind == FnKind::Arrow {
        return;
    }
    let class = model.classes.len();
    let info = &mut model.functions[ctor];
    info.class = Some(class);
    info.kind = FnKind::Constructor;
    model.classes.push(ClassInfo {
        name: Some(name.clone()),
        binding: None,
        span: model.functions[ctor].span,
        super_class: base,
        members: Vec::new(),
        fn_ctx: model.functions[ctor].parent,
        decorators: Vec::new(),
        member_decorators: Vec::new(),
    });
}

fn add_class(model: &mut FileModel, id: BindingId, ev: Evidence) {
    let Some(binding) = model.semantic.binding(&id) else {
        return;
    };
    // Only a function can be a constructor; `Foo.prototype` of an import or a
    // parameter extends someone else's class.
    if !matches!(
        binding.kind,
        BindingKind::Function | BindingKind::Var | BindingKind::Let | BindingKind::Const
    ) {
        return;
    }
    let Some(Value::Function(Some(ctor))) = binding.init else {
        return;
    };
    // Already a class of its own, or a method of another one.
    if model.functions[ctor].class.is_some() || model.functions[ctor].kind == FnKind::Arrow {
        return;
    }
    let class = model.classes.len();
    let mut members = Vec::with_capacity(ev.methods.len());
    for (name, f) in ev.methods {
        let info = &mut model.functions[f];
        if info.class.is_some() {
            continue;
        }
        info.class = Some(class);
        info.kind = FnKind::Method;
        info.name = Some(name.clone());
        members.push(ClassMember {
            name,
            is_static: false,
            func: Some(f),
            value: Some(Value::Function(Some(f))),
            span: info.span,
        });
    }
    let info = &mut model.functions[ctor];
    info.class = Some(class);
    info.kind = FnKind::Constructor;
    model.classes.push(ClassInfo {
        name: Some(id.0.clone()),
        binding: Some(id),
        span: model.functions[ctor].span,
        super_class: ev.base,
        members,
        fn_ctx: model.functions[ctor].parent,
        decorators: Vec::new(),
        member_decorators: Vec::new(),
    });
}

#[cfg(test)]
mod tests {
    use crate::model::FnKind;
    use crate::parse::Dialect;

    /// `(class, base, [methods])` of every class in the source.
    fn classes(src: &str) -> Vec<(String, Option<String>, Vec<String>)> {
        let mut out = Vec::new();
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            for c in &m.classes {
                out.push((
                    c.name.as_deref().unwrap_or("").to_string(),
                    c.super_class.as_ref().map(|p| p.to_string()),
                    c.members.iter().map(|m| m.name.to_string()).collect(),
                ));
            }
        });
        out
    }

    #[test]
    fn prototype_assignments_make_a_class() {
        let found = classes(
            "function Ring(n) { this.cache = {} }\n\
             Ring.prototype.get = function (k) { return this.cache[k] };\n\
             Ring.prototype.put = function put(k, v) { this.cache[k] = v };\n",
        );
        assert_eq!(
            found,
            [("Ring".into(), None, vec!["get".into(), "put".into()])]
        );
    }

    #[test]
    fn a_constructor_assigned_to_an_export_is_a_class_when_it_inherits() {
        let src = "var util = require('util');\n\
             exports.Client = function (options) { this.options = options };\n\
             util.inherits(exports.Client, EventEmitter);\n\
             exports.helper = function (x) { return x };\n";
        assert_eq!(
            classes(src),
            [("Client".into(), Some("EventEmitter".into()), vec![])]
        );
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            let kinds: Vec<FnKind> = m.functions.iter().map(|f| f.kind).collect();
            assert_eq!(kinds[0], FnKind::Constructor, "{kinds:?}");
            assert_ne!(kinds[1], FnKind::Constructor, "{kinds:?}");
        });
    }

    #[test]
    fn literal_prototypes_assign_and_inherits() {
        let found = classes(
            "var util = require('util');\n\
             var A = function () {};\nA.prototype = { get(k) { return 1 }, put: function (k) { var f = function () {}; } };\n\
             function B() {}\nObject.assign(B.prototype, { run() {} });\n\
             function C() {}\nutil.inherits(C, Base);\n\
             function D() {}\nD.prototype.__proto__ = Emitter.prototype;\n",
        );
        assert_eq!(
            found,
            [
                ("A".into(), None, vec!["get".into(), "put".into()]),
                ("B".into(), None, vec!["run".into()]),
                ("C".into(), Some("Base".into()), vec![]),
                ("D".into(), Some("Emitter".into()), vec![]),
            ],
            "a function nested in a method is not a method"
        );
    }

    #[test]
    fn constructor_and_methods_know_their_class() {
        let src = "function Ring() { this.c = {} }\nRing.prototype.get = function (k) { return () => this.c[k] };\n";
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            let ctor = &m.functions[0];
            assert_eq!((ctor.kind, ctor.class), (FnKind::Constructor, Some(0)));
            let method = &m.functions[1];
            assert_eq!((method.kind, method.class), (FnKind::Method, Some(0)));
            // The arrow inside the method sees the instance as `this`.
            assert_eq!(m.this_class(Some(2)), Some(0));
        });
    }

    #[test]
    fn plain_functions_and_foreign_prototypes_are_not_classes() {
        let found = classes(
            "function helper() { return 1 }\nhelper.cache = {};\n\
             import Base from 'x';\nBase.prototype.extra = function () {};\n\
             Array.prototype.last = function () { return this[this.length - 1] };\n\
             function f(Param) { Param.prototype.x = function () {} }\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
