//! How long the instances of a class live, as the file shows it: the part
//! of the lifetime answer that [`super::of_owner`] gives for `this`.
//!
//! A class is long-lived (its instances live as long as the process) when
//! the file shows it:
//! - instantiated at module top level (`const registry = new Registry()`,
//!   `module.exports = new Registry()`, `export default new Registry()`):
//!   a `new` of the class in code that runs once;
//! - registering its instances in a long-lived registry from its constructor
//!   (`Registry.all.push(this)`, `instances.add(this)`): every instance stays
//!   reachable from module scope.
//!
//! Beside that answer, two facts about the class's `new`s that rules weigh:
//! a singleton (every `new` runs once, and there is one) and instances also
//! made in code that runs many times (those die with their callers).
//!
//! Class names (`…Server`, `…Pool`) are deliberately not evidence: on real
//! code (compilers' per-run `ConstantPool`s, per-request clients) they were
//! wrong more often than right.

use std::ops::Range;

use rustc_hash::FxHashMap;
use swc_atoms::Atom;
use swc_common::SyntaxContext;

use super::{Lifetime, owner_of};
use crate::analysis::frequency::Frequencies;
use crate::model::{AccessPath, CallFact, ClassId, FileModel, FnKind, Root, Value};

/// A class whose instances outlive the calls that use them.
pub struct LongLivedClass {
    pub class: ClassId,
    /// Why, for messages ("instantiated once at module level").
    pub why: String,
    /// Where the file shows it (the `new`, the self-registration).
    pub evidence: Range<usize>,
}

/// The class answers of one file, computed in one pass over its calls the
/// first time a rule asks (a scan per class was quadratic in bundles with
/// many classes).
pub(crate) struct Classes {
    /// In class order.
    long_lived: Vec<LongLivedClass>,
    /// Indexed by class: every `new` of it runs once, and there is one.
    singleton: Vec<bool>,
    /// Indexed by class: the first `new` of it in code that runs many times.
    made_many_times: Vec<Option<Range<usize>>>,
}

/// The `new`s of one class binding, by how often they run.
#[derive(Default)]
struct News<'m> {
    first_once: Option<&'m CallFact>,
    first_many: Option<&'m CallFact>,
}

fn classes<'m>(model: &'m FileModel) -> &'m Classes {
    model.derived.get_or_init(|| build(model))
}

fn build(model: &FileModel) -> Classes {
    let frequency = Frequencies::new(model);
    let mut news: FxHashMap<(&Atom, SyntaxContext), News> = FxHashMap::default();
    let mut registration: FxHashMap<ClassId, Range<usize>> = FxHashMap::default();
    for c in &model.calls {
        if c.is_new {
            if let Some(AccessPath {
                root: Root::Binding(n, ctxt),
                props,
            }) = &c.callee.path
            {
                if props.is_empty() && !forwards_to_itself(model, c, (n, *ctxt)) {
                    let seen = news.entry((n, *ctxt)).or_default();
                    if frequency.runs_many_times(c.fn_ctx, c.span.start()) {
                        seen.first_many.get_or_insert(c);
                    } else {
                        seen.first_once.get_or_insert(c);
                    }
                }
            }
        }
        if let Some(class) = self_registration_of(model, c) {
            registration.entry(class).or_insert_with(|| c.span.range());
        }
    }
    let n = model.classes.len();
    let mut out = Classes {
        long_lived: Vec::new(),
        singleton: vec![false; n],
        made_many_times: vec![None; n],
    };
    for (id, class) in model.classes.iter().enumerate() {
        let of_class = class.binding.as_ref().and_then(|b| news.get(&(&b.0, b.1)));
        if let Some(seen) = of_class {
            out.singleton[id] = seen.first_once.is_some() && seen.first_many.is_none();
            out.made_many_times[id] = seen.first_many.map(|c| c.span.range());
        }
        let Some(name) = &class.name else { continue };
        if let Some(c) = of_class.and_then(|s| s.first_once) {
            out.long_lived.push(LongLivedClass {
                class: id,
                why: format!("`{name}` is instantiated once at module level, so its instance lives as long as the process"),
                evidence: c.span.range(),
            });
        } else if let Some(span) = registration.get(&id) {
            out.long_lived.push(LongLivedClass {
                class: id,
                why: format!("every `{name}` registers itself in a long-lived registry, so no instance is ever collected"),
                evidence: span.clone(),
            });
        }
    }
    out
}

/// `new X(…)` in X's own constructor: ES5's guard for a call without `new`
/// (`if (!(this instanceof X)) return new X(…)`) makes the instance the
/// caller asked for, not one more.
fn forwards_to_itself(model: &FileModel, c: &CallFact, class: (&Atom, SyntaxContext)) -> bool {
    let Some(f) = model.this_function(c.fn_ctx) else {
        return false;
    };
    model.functions[f].kind == FnKind::Constructor
        && model
            .this_class(c.fn_ctx)
            .and_then(|k| model.classes[k].binding.as_ref())
            .is_some_and(|b| &b.0 == class.0 && b.1 == class.1)
}

/// `X.instances.push(this)` / `registry.add(this)` in the constructor, on a
/// receiver that lives as long as the process: the class whose constructor
/// it is.
fn self_registration_of(model: &FileModel, c: &CallFact) -> Option<ClassId> {
    let info = &model.functions[c.fn_ctx?];
    if info.kind != FnKind::Constructor {
        return None;
    }
    let class = info.class?;
    let registers = matches!(c.callee.method.as_deref(), Some("push" | "add" | "set"))
        && c.args.iter().any(
            |a| matches!(&a.value, Value::Path(p) if p.root == Root::This && p.props.is_empty()),
        );
    if !registers {
        return None;
    }
    // Module scope, an import, the global object, a closure kept for good;
    // not `this.peers` (the instance would only keep itself). The owner is
    // asked without the class answer, which is being computed.
    let receiver = c.callee.receiver()?;
    matches!(owner_of(model, c.fn_ctx, &receiver), Lifetime::Process(_)).then_some(class)
}

/// Every class of the file whose instances live as long as the process.
pub fn long_lived_classes<'m>(model: &'m FileModel) -> &'m [LongLivedClass] {
    &classes(model).long_lived
}

/// Do the instances of `class` live as long as the process, and why?
pub fn long_lived_class<'m>(model: &'m FileModel, class: ClassId) -> Option<&'m LongLivedClass> {
    let all = long_lived_classes(model);
    all.binary_search_by_key(&class, |l| l.class)
        .ok()
        .map(|i| &all[i])
}

/// A singleton the file shows: every `new X()` of the class in the file
/// runs once (module top level), and there is one. The class may be
/// exported, but the file's own use says one instance per process.
pub fn is_singleton(model: &FileModel, class: ClassId) -> bool {
    classes(model)
        .singleton
        .get(class)
        .copied()
        .unwrap_or(false)
}

/// A `new` of `class` in code that runs many times: instances that die
/// with their callers, beside any long-lived one.
pub fn made_many_times(model: &FileModel, class: ClassId) -> Option<Range<usize>> {
    classes(model).made_many_times.get(class).cloned().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    fn classes(src: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            for c in long_lived_classes(m) {
                let name = m.classes[c.class].name.clone().unwrap().to_string();
                out.push((name, c.why.clone()));
            }
        });
        out
    }

    #[test]
    fn singletons_and_registries_are_long_lived_a_name_is_not() {
        let found = classes(
            "class A {}\nmodule.exports = new A();\n\
             class B { constructor() { B.all.push(this) } }\nB.all = [];\n\
             class HttpServer {}\n\
             class Request {}\nfunction handle() { return new Request() }\n",
        );
        let names: Vec<_> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["A", "B"], "a name alone is no evidence");
        assert!(found[0].1.contains("instantiated once"));
        assert!(found[1].1.contains("registers itself"));
    }

    #[test]
    fn a_registry_must_outlive_the_call() {
        // A local list and a field of the instance keep nothing for good.
        let found = classes(
            "class A { constructor() { const all = []; all.push(this) } }\n\
             class B { constructor() { this.peers.push(this) } }\n\
             const registry = new Set();\nclass C { constructor() { registry.add(this) } }\n\
             class D { constructor() { globalThis.__all.push(this) } }\n",
        );
        let names: Vec<_> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["C", "D"]);
    }

    #[test]
    fn singleton_and_per_call_instances_come_from_every_new() {
        let src = "class A {}\nconst a = new A();\n\
                   class B {}\nconst b = new B();\nfunction f() { return new B() }\nsetInterval(f, 10);\n\
                   class C {}\n";
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            assert!(is_singleton(m, 0));
            assert!(made_many_times(m, 0).is_none());
            assert!(
                !is_singleton(m, 1),
                "also made in code that runs many times"
            );
            assert!(made_many_times(m, 1).is_some());
            assert!(
                long_lived_class(m, 1).is_some(),
                "one instance still lives for good"
            );
            assert!(!is_singleton(m, 2), "never made: no instance at all");
            assert!(long_lived_class(m, 2).is_none());
        });
    }

    #[test]
    fn a_constructor_forwarding_a_call_without_new_makes_no_extra_instance() {
        let src = "function Client(opts) {\n  if (!(this instanceof Client)) return new Client(opts)\n  this.opts = opts\n}\nClient.prototype.send = function (m) { this.last = m }\nmodule.exports = Client\n";
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            assert_eq!(
                m.classes.len(),
                1,
                "a constructor function with prototype methods"
            );
            assert!(made_many_times(m, 0).is_none());
        });
    }
}
