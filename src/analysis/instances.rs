//! Long-lived instances: classes whose objects live as long as the process,
//! so that the containers they keep on `this` are as long-lived as a
//! module-level cache.
//!
//! A class is long-lived when the file shows it:
//! - instantiated at module top level (`const registry = new Registry()`,
//!   `module.exports = new Registry()`, `export default new Registry()`);
//! - registering its instances in a long-lived registry from its constructor
//!   (`Registry.all.push(this)`, `instances.add(this)`): every instance stays
//!   reachable from module scope.
//!
//! Class names (`…Server`, `…Pool`) are deliberately not evidence: on real
//! code (compilers' per-run `ConstantPool`s, per-request clients) they were
//! wrong more often than right.

use std::ops::Range;

use swc_atoms::Atom;

use super::containers::{ContainerKind, kind_of};
use super::frequency::Frequencies;
use super::memo;
use rustc_hash::FxHashMap;
use swc_common::SyntaxContext;

use crate::model::{AccessPath, CallFact, ClassId, FileModel, FnKind, Key, Root, Value};

/// A class whose instances outlive the calls that use them.
pub struct LongLivedClass {
    pub class: ClassId,
    /// Why, for messages ("instantiated once at module level").
    pub why: String,
    /// Where the file shows it.
    pub evidence: Range<usize>,
}

/// A container kept on `this` by a class.
pub struct InstanceField {
    pub name: Atom,
    pub kind: ContainerKind,
    /// The field declaration or the constructor assignment that creates it.
    pub decl_span: Range<usize>,
}

pub fn long_lived_classes(model: &FileModel) -> Vec<LongLivedClass> {
    // One pass over the calls for all classes (a scan per class was
    // quadratic in bundles with many classes): the first `new X()` that runs
    // once, per class binding, and the first self-registration per class.
    let mut instantiated_once: FxHashMap<(&Atom, SyntaxContext), &CallFact> = FxHashMap::default();
    let mut registration: FxHashMap<ClassId, Range<usize>> = FxHashMap::default();
    let frequency = Frequencies::new(model);
    for c in &model.calls {
        if c.is_new {
            if let Some(AccessPath {
                root: Root::Binding(n, ctxt),
                props,
            }) = &c.callee.path
            {
                if props.is_empty()
                    && !instantiated_once.contains_key(&(n, *ctxt))
                    && !frequency.runs_many_times(c.fn_ctx, c.span.start())
                {
                    instantiated_once.insert((n, *ctxt), c);
                }
            }
        }
        if let Some(class) = self_registration_of(model, c) {
            registration.entry(class).or_insert_with(|| c.span.range());
        }
    }
    let mut out = Vec::new();
    for (id, class) in model.classes.iter().enumerate() {
        let Some(name) = &class.name else { continue };
        let once = class
            .binding
            .as_ref()
            .and_then(|b| instantiated_once.get(&(&b.0, b.1)));
        if let Some(c) = once {
            out.push(LongLivedClass {
                class: id,
                why: format!("`{name}` is instantiated once at module level, so its instance lives as long as the process"),
                evidence: c.span.range(),
            });
            continue;
        }
        if let Some(span) = registration.get(&id) {
            out.push(LongLivedClass {
                class: id,
                why: format!("every `{name}` registers itself in a long-lived registry, so no instance is ever collected"),
                evidence: span.clone(),
            });
            continue;
        }
    }
    out
}

/// A singleton the file shows: every `new X()` of the class in the file
/// runs once (module top level), and there is one. The class may be
/// exported, but the file's own use says one instance per process.
pub fn singleton_in_file(model: &FileModel, class: ClassId) -> bool {
    let Some(binding) = model.classes[class].binding.as_ref() else {
        return false;
    };
    let frequency = Frequencies::new(model);
    let mut news = model.calls.iter().filter(|c| {
        c.is_new
            && matches!(&c.callee.path, Some(AccessPath { root: Root::Binding(n, ctxt), props })
                if props.is_empty() && *n == binding.0 && *ctxt == binding.1)
    });
    let mut any = false;
    let all_once = news.all(|c| {
        any = true;
        !frequency.runs_many_times(c.fn_ctx, c.span.start())
    });
    any && all_once
}

/// `X.instances.push(this)` / `registry.add(this)` in the constructor, on a
/// receiver that lives at module level: the class whose constructor it is.
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
    let long_lived_receiver = || {
        c.callee
            .receiver()
            .as_ref()
            .is_some_and(|r| match r.root_binding() {
                Some(id) => model.semantic.is_module_level(&id),
                None => false,
            })
    };
    (registers && long_lived_receiver()).then_some(class)
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

/// Methods whose job is to register what the caller hands over
/// (`setQueryDefaults`, `registerPlugin`, `addRoute`): the caller decides how
/// many entries there are, usually a fixed set at start-up. A cache, by
/// contrast, grows in lookups and handlers (`getNode`, `resolve`, `onMessage`).
const REGISTRATION_PREFIXES: &[&str] = &[
    "set",
    "register",
    "define",
    "add",
    "use",
    "configure",
    "install",
    "declare",
    "provide",
    "mount",
    "init",
    "attach",
    "subscribe",
    "load",
    "import",
    "extend",
];

/// Is the method that owns `fn_ctx` an explicit registration API?
pub fn in_registration_method(model: &FileModel, fn_ctx: Option<usize>) -> bool {
    let Some(f) = model.this_function(fn_ctx) else {
        return false;
    };
    let Some(name) = model.functions[f].name.as_deref() else {
        return false;
    };
    REGISTRATION_PREFIXES.iter().any(|p| {
        name.strip_prefix(p).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase())
        })
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
        method != "delete" && memo::in_configuration_method(model, f, name)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    fn classes(src: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            for c in long_lived_classes(m) {
                let name = m.classes[c.class].name.clone().unwrap().to_string();
                out.push((name, c.why));
            }
        });
        out
    }

    #[test]
    fn singletons_registries_and_service_names_are_long_lived() {
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
