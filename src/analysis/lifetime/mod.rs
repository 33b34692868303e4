//! How long does the owner of a container live? One answer for every rule,
//! with the evidence a message can quote.
//!
//! - **Process**: module scope, imports, the global object, members hung on
//!   a module-level function/class/object (`X.cache`, `X.instances`), and
//!   containers captured by closures that escape a factory whose result the
//!   code keeps for good (the factory is exported or called at module level).
//!   Also `this` of a class whose instances the file keeps for good
//!   (instantiated once at module level, or registering every instance in a
//!   long-lived registry: see [`classes`]).
//! - **Instance**: `this` of a class or constructor function, reached
//!   directly or through any alias (`var _this = this`, Babel's `_this2`,
//!   `self`, `that`, `client = this`), and closure containers of factories
//!   whose results are kept by an instance.
//! - **Call**: a local that nothing captures past the call.
//! - **Unknown**: anything else (parameters, caller objects): the code does
//!   not show how long it lives, and a parameter's name is no evidence.

pub mod classes;
pub mod intent;

pub use classes::{
    LongLivedClass, is_singleton, long_lived_class, long_lived_classes, made_many_times,
};

use rustc_hash::FxHashMap;
use swc_atoms::Atom;

use crate::model::path::is_global_object_name;
use crate::model::semantic::{BindingId, BindingKind};
use crate::model::{AccessPath, ClassId, FileModel, FnId, FnKind, Root, Value};

/// How long an owner lives, and why.
#[derive(Clone, Debug, PartialEq)]
pub enum Lifetime {
    /// As long as the process (or page).
    Process(String),
    /// As long as an instance of a class (`None` when the class is not known).
    Instance { class: Option<ClassId>, why: String },
    /// Dies with the call that created it.
    Call,
    /// The code does not show it.
    Unknown,
}

impl Lifetime {
    /// Does the owner outlive the call that writes into it?
    pub fn outlives_call(&self) -> bool {
        matches!(self, Lifetime::Process(_) | Lifetime::Instance { .. })
    }

    /// The evidence, for messages.
    pub fn why(&self) -> Option<&str> {
        match self {
            Lifetime::Process(w) | Lifetime::Instance { why: w, .. } => Some(w),
            _ => None,
        }
    }
}

/// Bindings that hold `this` of some function: `var _this = this`,
/// `const self = this`, `that = this`, compiled `_this = _super.call(this) || this`.
/// Maps each to the function whose `this` it holds (`None`: top level).
pub(crate) struct ThisAliases(FxHashMap<BindingId, Option<FnId>>);

impl ThisAliases {
    fn build(model: &FileModel) -> Self {
        let is_this =
            |v: &Value| matches!(v, Value::Path(p) if p.root == Root::This && p.props.is_empty());
        let mut map = FxHashMap::default();
        for (id, b) in model.semantic.bindings() {
            if !matches!(
                b.kind,
                BindingKind::Var | BindingKind::Let | BindingKind::Const
            ) {
                continue;
            }
            let compiled = is_compiler_this_name(&id.0);
            let aliased = match &b.init {
                Some(v) if is_this(v) => true,
                // `var _this = _super.call(this) || this` and the like.
                Some(Value::Call(_) | Value::Other) => compiled,
                _ => false,
            };
            if aliased {
                map.insert(id.clone(), model.this_function(b.fn_ctx));
            }
        }
        for w in &model.binding_writes {
            let aliased = is_this(&w.value)
                || is_compiler_this_name(&w.id.0)
                    && matches!(w.value, Value::Call(_) | Value::Other);
            if aliased {
                if let Some(b) = model.semantic.binding(&w.id) {
                    map.entry(w.id.clone())
                        .or_insert_with(|| model.this_function(b.fn_ctx));
                }
            }
        }
        // A binding also assigned something else is not an alias.
        map.retain(|id, _| {
            model.binding_writes.iter().all(|w| {
                &w.id != id
                    || is_this(&w.value)
                    || is_compiler_this_name(&id.0)
                        && matches!(w.value, Value::Call(_) | Value::Other)
            })
        });
        ThisAliases(map)
    }
}

/// `_this`, `_this2`, … : what Babel and TypeScript name the saved `this`.
fn is_compiler_this_name(name: &str) -> bool {
    name.strip_prefix("_this")
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
}

fn aliases<'m>(model: &'m FileModel) -> &'m ThisAliases {
    model.derived.get_or_init(|| ThisAliases::build(model))
}

/// A path seen from the `this` it starts at: `_this2.queue` in a callback
/// is `this.queue` of the method that saved `_this2`. Returns the path with
/// `Root::This` and the function context whose `this` it is; `None` for
/// paths that do not start at `this` or an alias of it.
pub fn as_this(
    model: &FileModel,
    fn_ctx: Option<FnId>,
    path: &AccessPath,
) -> Option<(AccessPath, Option<FnId>)> {
    match &path.root {
        Root::This => Some((path.clone(), fn_ctx)),
        Root::Binding(..) => {
            let id = path.root_binding()?;
            let owner = *aliases(model).0.get(&id)?;
            Some((
                AccessPath {
                    root: Root::This,
                    props: path.props.clone(),
                },
                owner,
            ))
        }
        Root::Global(_) => None,
    }
}

/// A local that holds an object fetched from a long-lived store
/// (`const cache = caches.get(fn)`): the object lives as long as the store
/// keeps it, whatever happens to the local.
pub fn fetched_from_store(model: &FileModel, id: &BindingId) -> Option<Lifetime> {
    let b = model.semantic.binding(id)?;
    let Some(Value::Call(c)) = &b.init else {
        return None;
    };
    if c.method.as_deref() != Some("get") {
        return None;
    }
    let store = c.callee.as_ref()?.parent()?;
    let why = of_owner(model, b.fn_ctx, &store).why()?.to_string();
    Some(Lifetime::Process(format!(
        "fetched from `{store}`, which keeps it ({why})"
    )))
}

/// Is this binding an alias of `this`?
pub fn is_this_alias(model: &FileModel, id: &BindingId) -> bool {
    aliases(model).0.contains_key(id)
}

/// How long the object at `path` (written in function context `fn_ctx`)
/// lives: the owner of the keys written into it. `this` of a class whose
/// instances the file keeps for good lives as long as the process.
pub fn of_owner(model: &FileModel, fn_ctx: Option<FnId>, path: &AccessPath) -> Lifetime {
    match as_this(model, fn_ctx, path) {
        Some((_, ctx)) => of_this(model, model.this_class(ctx)),
        None => not_this(model, path),
    }
}

/// How long `this` of a method of `class` lives: as long as the process
/// when the file keeps the class's instances for good, else as long as the
/// instance (which the code does not show).
pub fn of_this(model: &FileModel, class: Option<ClassId>) -> Lifetime {
    match class.and_then(|c| long_lived_class(model, c)) {
        Some(l) => Lifetime::Process(l.why.clone()),
        None => of_some_instance(model, class),
    }
}

/// [`of_owner`] without asking how long the instances of a class live (the
/// class answer itself asks this, for the registries instances enter).
fn owner_of(model: &FileModel, fn_ctx: Option<FnId>, path: &AccessPath) -> Lifetime {
    match as_this(model, fn_ctx, path) {
        Some((_, ctx)) => of_some_instance(model, model.this_class(ctx)),
        None => not_this(model, path),
    }
}

/// `this` of an instance of `class`, however long that lives.
fn of_some_instance(model: &FileModel, class: Option<ClassId>) -> Lifetime {
    let why = match class.and_then(|c| model.classes[c].name.as_ref()) {
        Some(name) => {
            format!("a field of each `{name}` instance: it lives as long as the instance")
        }
        None => "a field of `this`: it lives as long as the object".to_string(),
    };
    Lifetime::Instance { class, why }
}

/// The owner of a path that does not start at `this` or an alias of it.
fn not_this(model: &FileModel, path: &AccessPath) -> Lifetime {
    match &path.root {
        Root::Global(g) => {
            if is_global_object_name(g) && !path.props.is_empty() {
                Lifetime::Process(
                    "a property of the global object: it lives as long as the process".into(),
                )
            } else if g == "module" || g == "exports" {
                Lifetime::Process("exported: it lives as long as the process".into())
            } else {
                // Built-ins (`process.env`, `console`) have a fixed set of keys.
                Lifetime::Unknown
            }
        }
        Root::This => unreachable!("as_this takes every path rooted at `this`"),
        Root::Binding(..) => {
            let Some(id) = path.root_binding() else {
                return Lifetime::Unknown;
            };
            of_binding(model, &id, !path.props.is_empty())
        }
    }
}

/// How long the value of a binding lives (`member`: the path goes on into
/// a property of it, a static member of a function or class).
pub fn of_binding(model: &FileModel, id: &BindingId, member: bool) -> Lifetime {
    let Some(b) = model.semantic.binding(id) else {
        return Lifetime::Unknown;
    };
    if b.kind == BindingKind::Import {
        let from = b.import_source.as_deref().unwrap_or("another module");
        return Lifetime::Process(format!(
            "imported from `{from}`: module state lives as long as the process"
        ));
    }
    if b.is_module_level() {
        let why = match (&b.kind, member) {
            (BindingKind::Function | BindingKind::Class, true) => {
                format!(
                    "a static member of `{}`: it lives as long as the process",
                    id.0
                )
            }
            _ if matches!(b.init, Some(Value::Function(_))) && member => {
                format!(
                    "a static member of `{}`: it lives as long as the process",
                    id.0
                )
            }
            _ if b.in_module_wrapper => {
                "module state of a bundled or wrapped module (its wrapper runs once): it lives as long as the process".to_string()
            }
            _ => "declared at module level: it lives as long as the process".to_string(),
        };
        return Lifetime::Process(why);
    }
    if b.kind == BindingKind::Param || b.kind == BindingKind::CatchParam {
        return Lifetime::Unknown;
    }
    if !matches!(
        b.kind,
        BindingKind::Var | BindingKind::Let | BindingKind::Const
    ) {
        return Lifetime::Unknown;
    }
    let factory = b.fn_ctx.filter(|f| escapes(model).contains_key(f));
    match factory.and_then(|f| closure_escape(model, id, f)) {
        Some(l) => l,
        None => Lifetime::Call,
    }
}

/// A binding declared in factory `factory` that a function the factory
/// returns (directly, by name, or in a returned object) reads: it lives as
/// long as the factory's result. That result is kept for good when the
/// factory is exported or called at module level, and by an instance when
/// a class calls it.
fn closure_escape(model: &FileModel, id: &BindingId, factory: FnId) -> Option<Lifetime> {
    let returned = returned_functions(model, factory);
    if returned.is_empty() {
        return None;
    }
    let used_in = |ctx: Option<FnId>| returned.iter().any(|&g| model.is_within(ctx, g));
    // Reads include the object of `m[k] = v` and the receiver of `m.set()`.
    let captured = model
        .semantic
        .references(id)
        .iter()
        .any(|r| used_in(r.fn_ctx));
    if !captured || hands_out_itself(model, id, factory) {
        return None;
    }
    factory_holder(model, factory)
}

/// The functions through which a closure binding outlives its factory's
/// call (see [`of_binding`]): code in them runs again and again over the
/// binding's life; the factory's own body runs once per closure.
pub fn escaping_readers(model: &FileModel, id: &BindingId) -> Vec<FnId> {
    match model.semantic.binding(id).and_then(|b| b.fn_ctx) {
        Some(f) => returned_functions(model, f),
        None => Vec::new(),
    }
}

/// Does the factory return the binding itself (`return { q, push }`)? Then
/// its holder can empty or replace it in code this analysis does not see.
fn hands_out_itself(model: &FileModel, id: &BindingId, factory: FnId) -> bool {
    let is_it = |v: &Value| matches!(v, Value::Path(p) if p.props.is_empty() && p.is_rooted_at(id));
    model
        .returns
        .iter()
        .filter(|r| r.fn_ctx == Some(factory))
        .any(|r| match &r.value {
            Value::Object { props, .. } => props.iter().any(|(_, v)| is_it(v)),
            v => is_it(v),
        })
}

/// The functions each factory hands out (see [`returned_functions`]),
/// computed in one pass over the returns the first time a file asks.
pub(crate) struct Escapes(FxHashMap<FnId, Vec<FnId>>);

fn escapes<'m>(model: &'m FileModel) -> &'m FxHashMap<FnId, Vec<FnId>> {
    &model
        .derived
        .get_or_init(|| {
            let mut map: FxHashMap<FnId, Vec<FnId>> = FxHashMap::default();
            for r in &model.returns {
                let Some(f) = r.fn_ctx else { continue };
                let found = returned_in(model, f, &r.value);
                if !found.is_empty() {
                    map.entry(f).or_default().extend(found);
                }
            }
            Escapes(map)
        })
        .0
}

/// The functions `factory` hands out.
fn returned_functions(model: &FileModel, factory: FnId) -> Vec<FnId> {
    escapes(model).get(&factory).cloned().unwrap_or_default()
}

/// The functions one `return` of `factory` hands out: a function literal,
/// a named local function, or functions in a returned object literal.
fn returned_in(model: &FileModel, factory: FnId, value: &Value) -> Vec<FnId> {
    let fn_of = |v: &Value| -> Option<FnId> {
        match v {
            Value::Function(Some(g)) => Some(*g),
            Value::Path(p) if p.props.is_empty() => {
                let id = p.root_binding()?;
                match model.semantic.binding(&id)?.init {
                    Some(Value::Function(Some(g))) => Some(g),
                    _ => None,
                }
            }
            _ => None,
        }
    };
    let mut out: Vec<FnId> = match value {
        Value::Object { props, .. } => props.iter().filter_map(|(_, v)| fn_of(v)).collect(),
        v => fn_of(v).into_iter().collect(),
    };
    out.retain(|&g| g != factory && model.is_within(Some(g), factory));
    out
}

/// Who keeps what `factory` returns, asked once per factory (every
/// container of a factory's closure asks the same question).
fn factory_holder(model: &FileModel, factory: FnId) -> Option<Lifetime> {
    let memo = model.derived.get_or_init(FactoryHolders::default);
    if let Some(known) = memo.0.borrow().get(&factory) {
        return known.clone();
    }
    // Computed outside the borrow: the answer asks other analyses.
    let answer = find_factory_holder(model, factory);
    memo.0.borrow_mut().insert(factory, answer.clone());
    answer
}

/// [`factory_holder`]'s answers so far, per factory.
#[derive(Default)]
struct FactoryHolders(std::cell::RefCell<FxHashMap<FnId, Option<Lifetime>>>);

fn find_factory_holder(model: &FileModel, factory: FnId) -> Option<Lifetime> {
    let name = factory_name(model, factory)?;
    let binding = crate::analysis::keys::binding_of_fn(model, factory).cloned();
    let names_factory = |v: &Value| match v {
        Value::Function(Some(f)) => *f == factory,
        Value::Path(p) if p.props.is_empty() => binding.as_ref().is_some_and(|b| p.is_rooted_at(b)),
        _ => false,
    };
    let exported = binding.as_ref().is_some_and(|b| model.exports.contains(b))
        || model.member_writes.iter().any(|w| {
            matches!(&w.object.root, Root::Global(g) if g == "module" || g == "exports")
                && match &w.value {
                    Value::Object { props, .. } => props.iter().any(|(_, v)| names_factory(v)),
                    v => names_factory(v),
                }
        });
    if exported {
        // Each call makes a new closure that lives as long as the caller
        // keeps the result: past the call for sure, for good only if the
        // caller says so (a validation rule's visitor dies with the run).
        return Some(Lifetime::Instance {
            class: None,
            why: format!(
                "captured by the functions the exported factory `{name}()` returns: it lives as long as its callers keep them"
            ),
        });
    }
    let calls: Vec<_> = binding
        .as_ref()
        .map(|b| crate::analysis::call_sites::of(model).calls_of(b))
        .unwrap_or_default()
        .iter()
        .map(|&c| &model.calls[c])
        .collect();
    let frequency = crate::analysis::frequency::Frequencies::new(model);
    if calls
        .iter()
        .any(|c| !frequency.runs_many_times(c.fn_ctx, c.span.start()))
    {
        return Some(Lifetime::Process(format!(
            "captured by the functions `{name}()` returns, and `{name}()` is called at module level: they live as long as the process"
        )));
    }
    let class = calls.iter().find_map(|c| {
        let f = model.this_function(c.fn_ctx)?;
        let info = &model.functions[f];
        matches!(
            info.kind,
            FnKind::Constructor | FnKind::Method | FnKind::FieldInit
        )
        .then_some(info.class)
        .flatten()
    })?;
    let keeper = match &model.classes[class].name {
        Some(n) => format!("each `{n}` instance keeps"),
        None => "an instance of a class keeps".to_string(),
    };
    Some(Lifetime::Instance {
        class: Some(class),
        why: format!("captured by the functions `{name}()` returns, which {keeper}"),
    })
}

fn factory_name(model: &FileModel, factory: FnId) -> Option<Atom> {
    model.functions[factory].name.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    /// The lifetime of the object of the last write with a computed key in `src`.
    fn last_owner(src: &str) -> Lifetime {
        let mut out = Lifetime::Unknown;
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            let w = m
                .member_writes
                .iter()
                .rfind(|w| matches!(w.key, crate::model::Key::Dynamic { .. }))
                .unwrap();
            out = of_owner(m, w.fn_ctx, &w.object);
        });
        out
    }

    #[test]
    fn module_global_and_static_owners_live_for_the_process() {
        assert!(matches!(
            last_owner("const c = {};\nfunction f(k) { c[k] = 1 }\n"),
            Lifetime::Process(_)
        ));
        assert!(matches!(
            last_owner("global.jobs = global.jobs || {};\nfunction f(k) { global.jobs[k] = 1 }\n"),
            Lifetime::Process(_)
        ));
        let l =
            last_owner("function Pool() {}\nPool.all = {};\nfunction f(k) { Pool.all[k] = 1 }\n");
        assert!(
            l.why().unwrap().contains("static member of `Pool`"),
            "{l:?}"
        );
    }

    #[test]
    fn every_alias_of_this_is_the_instance() {
        for src in [
            "class A { m(k) { var _this2 = this; setTimeout(function () { _this2.q[k] = 1 }) } }\n",
            "class A { m(k) { const self = this; setTimeout(function () { self.q[k] = 1 }) } }\n",
            "function A() { var that; that = this; setTimeout(function (k) { that.q[k] = 1 }) }\n",
            "class A { m(k) { setTimeout(() => { this.q[k] = 1 }) } }\n",
        ] {
            assert!(
                matches!(last_owner(src), Lifetime::Instance { .. }),
                "{src}"
            );
        }
        assert_eq!(
            last_owner("class A { m(k) { let o = this; o = {}; o.q[k] = 1 } }\n"),
            Lifetime::Call,
            "a binding that is reassigned something else is not an alias"
        );
    }

    #[test]
    fn this_of_a_class_the_file_keeps_for_good_lives_for_the_process() {
        let kept = "class R { put(k) { this.c[k] = 1 } }\nmodule.exports = new R();\n";
        let l = last_owner(kept);
        assert!(
            matches!(&l, Lifetime::Process(why) if why.contains("instantiated once")),
            "{l:?}"
        );
        let registered = "const all = [];\nclass R { constructor() { all.push(this) } put(k) { const self = this; setTimeout(function () { self.c[k] = 1 }) } }\n";
        let l = last_owner(registered);
        assert!(
            matches!(&l, Lifetime::Process(why) if why.contains("registers itself")),
            "through an alias of `this` too: {l:?}"
        );
        let per_call = "class R { put(k) { this.c[k] = 1 } }\nfunction f() { return new R() }\nmodule.exports = f;\n";
        assert!(
            matches!(
                last_owner(per_call),
                Lifetime::Instance { class: Some(0), .. }
            ),
            "made per call: as long as the instance"
        );
    }

    #[test]
    fn escaping_closures_live_as_long_as_the_factory_result() {
        let exported = "function make() { var subs = {}; function add(k, f) { subs[k] = f } return { add: add } }\nmodule.exports = make;\n";
        let l = last_owner(exported);
        assert!(
            l.why().unwrap().contains("exported factory `make()`"),
            "{l:?}"
        );
        let top = "const make = () => { const memo = {}; return (k) => { memo[k] = 1 } };\nconst get = make();\n";
        assert!(matches!(last_owner(top), Lifetime::Process(_)));
        let instance = "const make = () => { const memo = {}; return (k) => { memo[k] = 1 } };\nclass F { constructor() { this.f = make() } }\n";
        assert!(matches!(
            last_owner(instance),
            Lifetime::Instance { class: Some(_), .. }
        ));
    }

    #[test]
    fn locals_and_parameters_do_not_outlive_the_call() {
        assert_eq!(
            last_owner("function f(k) { const seen = {}; seen[k] = 1 }\n"),
            Lifetime::Call
        );
        assert_eq!(
            last_owner(
                "function make() { const memo = {}; return function (k) { return k } }\nmodule.exports = make;\nfunction g(k) { const x = {}; x[k] = 1 }\n"
            ),
            Lifetime::Call
        );
        assert_eq!(
            last_owner("function f(cache, k) { cache[k] = 1 }\n"),
            Lifetime::Unknown
        );
    }

    #[test]
    fn a_container_handed_out_itself_is_left_to_its_holder() {
        let src = "function make(c) { const q = []; const d = (e) => { q.push(e) }; return { c: c, q, d } }\nclass K { constructor() { this.x = make(1) } }\n";
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            let (id, _) = m.semantic.bindings().find(|(id, _)| id.0 == "q").unwrap();
            assert_eq!(of_binding(m, id, false), Lifetime::Call);
        });
    }
}
