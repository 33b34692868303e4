//! Long-lived keyed containers: where they are declared, how they grow and
//! whether anything in the file ever removes their entries.

use std::ops::Range;

use swc_atoms::Atom;

use rustc_hash::{FxHashMap, FxHashSet};

use super::frequency::Frequencies;
use super::lifetime::{self, Lifetime};
use crate::model::path::is_global_object_name;
use crate::model::semantic::{BindingId, BindingKind};
use crate::model::{AccessPath, FileModel, FnId, FnKind, Key, Root, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    /// A plain object used as a dictionary (`{}`, `Object.create(null)`).
    Object,
    Map,
    Set,
    WeakMap,
    WeakSet,
    Array,
    /// An LRU/TTL cache: bounded by construction.
    Bounded,
}

impl ContainerKind {
    pub fn is_weak(self) -> bool {
        matches!(self, ContainerKind::WeakMap | ContainerKind::WeakSet)
    }
}

/// Constructors of caches that evict on their own.
const BOUNDED_CONSTRUCTORS: &[&str] = &[
    "LRUCache",
    "LRU",
    "LruCache",
    "QuickLRU",
    "TTLCache",
    "LRUMap",
    "NodeCache",
    "Keyv",
    "Cache",
    "BoundedMap",
    "ExpiringMap",
    "TtlCache",
];

/// The container kind a value creates, if it creates one. A constructor or
/// factory the project names in `settings.boundedCaches` creates a bounded
/// cache, like the ones leaklint knows.
pub fn kind_of(model: &FileModel, value: &Value) -> Option<ContainerKind> {
    let callee = match value {
        Value::New(new) => new.callee.as_ref(),
        Value::Call(call) => call.callee.as_ref(),
        _ => None,
    };
    if callee.is_some_and(|p| is_configured_bounded(model, p)) {
        return Some(ContainerKind::Bounded);
    }
    match value {
        Value::Object { .. } | Value::ObjectCreateNull => Some(ContainerKind::Object),
        Value::Array { .. } => Some(ContainerKind::Array),
        Value::New { .. } => {
            let name = value.constructor_name()?;
            Some(match name.as_ref() {
                "Map" => ContainerKind::Map,
                "Set" => ContainerKind::Set,
                "WeakMap" => ContainerKind::WeakMap,
                "WeakSet" => ContainerKind::WeakSet,
                "Array" => ContainerKind::Array,
                "Object" => ContainerKind::Object,
                n if BOUNDED_CONSTRUCTORS.contains(&n) || mentions_lru(n) => ContainerKind::Bounded,
                _ => return None,
            })
        }
        Value::Call(call) => {
            if creates_array(call.callee.as_ref(), call.method.as_deref()) {
                return Some(ContainerKind::Array);
            }
            // `lru(…)`, `new (require('lru-cache'))` style factories.
            let p = call.callee.as_ref()?;
            let last = p.props.last().map(|a| a.as_ref()).or(match &p.root {
                Root::Binding(n, _) | Root::Global(n) => Some(n.as_ref()),
                Root::This => None,
            })?;
            mentions_lru(last).then_some(ContainerKind::Bounded)
        }
        _ => None,
    }
}

/// Does the callee end with a name of `settings.boundedCaches`?
fn is_configured_bounded(model: &FileModel, callee: &AccessPath) -> bool {
    let names = model.settings.bounded_caches();
    if names.is_empty() {
        return false;
    }
    let root = match &callee.root {
        Root::Binding(n, _) | Root::Global(n) => n.as_ref(),
        Root::This => "this",
    };
    names.iter().any(|n| n.ends(root, &callee.props))
}

/// Is `name`, declared in this file (a class or a factory function), a
/// bounded cache the project names in `settings.boundedCaches`? The last
/// segment of a configured name is what its declaration is called
/// (`cache.createBounded` is declared as `createBounded`). Its own storage is
/// then bounded by its design, not a cache that grows.
pub fn declares_bounded_cache(model: &FileModel, name: &str) -> bool {
    model
        .settings
        .bounded_caches()
        .iter()
        .any(|n| n.last_segment() == name)
}

/// Does a name contain `lru` in any case (`QuickLRU`, `createLruCache`)?
/// Asked for every constructor and call value: compares bytes in place
/// instead of lowercasing a copy.
fn mentions_lru(name: &str) -> bool {
    name.as_bytes()
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"lru"))
}

/// Methods that return a new array whatever they are called on (in practice:
/// arrays, strings, `Object.keys(…)`): `new Array(n).fill(null)`, `s.split(',')`.
const ARRAY_RETURNING_METHODS: &[&str] = &[
    "fill", "map", "filter", "slice", "concat", "flat", "flatMap", "split",
];

/// Does a call create an array: `Array(n)`, `Array.from(…)`, `Array.of(…)`,
/// `Object.keys(…)`, or one of [`ARRAY_RETURNING_METHODS`]?
fn creates_array(callee: Option<&AccessPath>, method: Option<&str>) -> bool {
    if let Some(p) = callee {
        if let Root::Global(root) = &p.root {
            let props: Vec<&str> = p.props.iter().map(|a| a.as_ref()).collect();
            match (root.as_ref(), props.as_slice()) {
                ("Array", [] | ["from" | "of"]) => return true,
                ("Object", ["keys" | "values" | "entries"]) => return true,
                _ => {}
            }
        }
    }
    method.is_some_and(|m| ARRAY_RETURNING_METHODS.contains(&m))
}

/// A container that lives as long as the process.
#[derive(Clone, Debug)]
pub struct Container {
    /// Normalised access path (`globalThis.x` is `x`).
    pub path: AccessPath,
    pub kind: ContainerKind,
    /// Where it is created.
    pub decl_span: Range<usize>,
    /// Why it lives forever, for messages.
    pub lifetime: String,
    /// How the source spells it where it is created (`globalThis.cache`).
    pub display: String,
    /// For a container in a factory's closure: the functions the factory
    /// hands out. Only code in them runs many times over the container's
    /// life (the factory's body runs once per container). Empty otherwise.
    pub escapes_through: Vec<FnId>,
}

impl Container {
    /// Can code in `fn_ctx` run many times over this container's life, as
    /// far as where the container lives says? (Rules still ask frequency.)
    pub fn written_repeatedly_from(&self, model: &FileModel, fn_ctx: Option<FnId>) -> bool {
        self.escapes_through.is_empty()
            || self
                .escapes_through
                .iter()
                .any(|&g| model.is_within(fn_ctx, g))
    }

    /// Is it a container in a factory's closure?
    pub fn is_closure(&self) -> bool {
        !self.escapes_through.is_empty()
    }
}

/// The long-lived containers of a file, with a lookup by path.
/// Dereferences to the list, in declaration order.
pub struct LongLived {
    list: Vec<Container>,
    /// The first container of each path.
    by_path: FxHashMap<AccessPath, usize>,
}

impl std::ops::Deref for LongLived {
    type Target = [Container];
    fn deref(&self) -> &[Container] {
        &self.list
    }
}

impl LongLived {
    /// The container a path names, if it is one of them: the same answer as
    /// [`find`], by hash instead of a scan.
    pub fn find(&self, path: &AccessPath) -> Option<&Container> {
        let i = match &path.root {
            Root::Global(g) if is_global_object_name(g) && !path.props.is_empty() => {
                self.by_path.get(&path.normalized())
            }
            _ => self.by_path.get(path),
        };
        i.map(|&i| &self.list[i])
    }

    /// [`kind_at`] with the hashed lookup.
    pub fn kind_at(
        &self,
        model: &FileModel,
        fn_ctx: Option<usize>,
        path: &AccessPath,
    ) -> Option<ContainerKind> {
        if let Some(c) = self.find(path) {
            return Some(c.kind);
        }
        kind_beyond(model, fn_ctx, path)
    }
}

/// Bindings used as arrays (`q.push(x)`), for container kinds.
struct ArrayReceivers(rustc_hash::FxHashSet<AccessPath>);

/// Every long-lived container of the file (see [`long_lived`]), computed on
/// the first call for the file and shared by every rule after that.
pub fn all<'m>(model: &'m FileModel) -> &'m LongLived {
    model.derived.get_or_init(|| {
        let list = find_long_lived(model);
        let mut by_path = FxHashMap::default();
        for (i, c) in list.iter().enumerate() {
            by_path.entry(c.path.clone()).or_insert(i);
        }
        LongLived { list, by_path }
    })
}

/// Every long-lived container of the file: module-level bindings, static
/// class fields, properties hung at top level on module-level objects or on
/// the global object. An owned copy of [`all`].
pub fn long_lived(model: &FileModel) -> Vec<Container> {
    all(model).list.clone()
}

fn find_long_lived(model: &FileModel) -> Vec<Container> {
    let mut out = Vec::new();
    let frequency = Frequencies::new(model);
    for (id, b) in model.semantic.bindings() {
        if !b.is_module_level()
            || !matches!(
                b.kind,
                BindingKind::Var | BindingKind::Let | BindingKind::Const
            )
        {
            continue;
        }
        if let Some(kind) = b.init.as_ref().and_then(|v| kind_of(model, v)) {
            out.push(Container {
                display: id.0.to_string(),
                path: AccessPath::binding(id.clone()),
                kind,
                decl_span: b.span.range(),
                lifetime: "declared at module level: it lives as long as the process".into(),
                escapes_through: Vec::new(),
            });
        }
    }
    for class in &model.classes {
        let Some(binding) = &class.binding else {
            continue;
        };
        if class.fn_ctx.is_some() {
            continue;
        }
        for m in class.members.iter().filter(|m| m.is_static) {
            if let Some(kind) = m.value.as_ref().and_then(|v| kind_of(model, v)) {
                let path = AccessPath::binding(binding.clone()).child(m.name.clone());
                out.push(Container {
                    display: path.to_string(),
                    path,
                    kind,
                    decl_span: m.span.range(),
                    lifetime: "a static class field: it lives as long as the process".into(),
                    escapes_through: Vec::new(),
                });
            }
        }
    }
    for w in &model.member_writes {
        // The cheap tests first: the frequency question may need the
        // file's caller index, built on first use.
        // `x = {}`, and `x = x || {}`, `x ??= {}`: registries shared by
        // every copy of a module (`global.__jobs = global.__jobs || {}`).
        if w.op != "=" && !w.ensures_entry {
            continue;
        }
        let Key::Static(name) = &w.key else { continue };
        let Some(kind) = kind_of(model, &w.value) else {
            continue;
        };
        let owner = w.object.normalized();
        let long_lived_owner = match &owner.root {
            Root::Global(_) => true,
            Root::Binding(..) => owner
                .root_binding()
                .is_some_and(|id| model.semantic.is_module_level(&id)),
            Root::This => false,
        };
        if long_lived_owner && !frequency.runs_many_times(w.fn_ctx, w.span.start()) {
            // `globalThis.x = {}` declares the global `x`: normalise so that
            // every spelling (`x`, `global.x`, `window.x`) names it.
            let path = owner.child(name.clone()).normalized();
            let lifetime = match &path.root {
                Root::Global(g) if g == "module" || g == "exports" => {
                    "exported through `module.exports`: it lives as long as the process"
                }
                Root::Global(_) => {
                    "a property of a long-lived global: it lives as long as the process"
                }
                _ => "hung on a module-level object: it lives as long as the process",
            }
            .to_string();
            out.push(Container {
                display: model.text(&w.target_span).split_whitespace().collect(),
                path,
                kind,
                decl_span: w.target_span.range(),
                lifetime,
                escapes_through: Vec::new(),
            });
        }
    }
    out.extend(static_members_by_extend(model, &frequency));
    out.extend(closure_containers(model));
    // Determinism: bindings come from a hash map.
    out.sort_by_key(|c| c.decl_span.start);
    out.dedup_by(|a, b| a.path == b.path);
    out.extend(module_level_aliases(model, &out));
    out.sort_by_key(|c| c.decl_span.start);
    out.dedup_by(|a, b| a.path == b.path);
    out
}

/// `var list = listJson;` at module level: a second name for a module-level
/// container (bundlers emit these for every imported data module). Growth
/// through the alias grows the same object.
fn module_level_aliases(model: &FileModel, found: &[Container]) -> Vec<Container> {
    let mut out = Vec::new();
    for (id, b) in model.semantic.bindings() {
        if !b.is_module_level()
            || !matches!(
                b.kind,
                BindingKind::Var | BindingKind::Let | BindingKind::Const
            )
        {
            continue;
        }
        let Some(Value::Path(p)) = &b.init else {
            continue;
        };
        if !p.props.is_empty() || model.binding_writes.iter().any(|w| &w.id == id) {
            continue;
        }
        let Some(original) = found.iter().find(|c| c.path == *p) else {
            continue;
        };
        out.push(Container {
            display: id.0.to_string(),
            path: AccessPath::binding(id.clone()),
            kind: original.kind,
            decl_span: b.span.range(),
            lifetime: format!(
                "another name for `{}`, {}",
                original.display, original.lifetime
            ),
            escapes_through: Vec::new(),
        });
    }
    out
}

/// `Object.assign(X, { all: [] })`, `_.extend(X, { cache: {} })` at load
/// time on a module-level function, class or object: static members of `X`.
fn static_members_by_extend(model: &FileModel, frequency: &Frequencies) -> Vec<Container> {
    let mut out = Vec::new();
    for c in &model.calls {
        let merges = c.callee.method.as_deref().or_else(|| {
            c.callee
                .path
                .as_ref()
                .and_then(|p| match (&p.root, p.props.is_empty()) {
                    (Root::Binding(n, _) | Root::Global(n), true) => Some(n.as_ref()),
                    _ => None,
                })
        });
        if !matches!(merges, Some("assign" | "extend" | "mixin" | "merge")) {
            continue;
        }
        let [target, source, ..] = c.args.as_slice() else {
            continue;
        };
        let (Value::Path(owner), Value::Object { props, .. }) = (&target.value, &source.value)
        else {
            continue;
        };
        let module_level = owner.props.is_empty()
            && owner
                .root_binding()
                .is_some_and(|id| model.semantic.is_module_level(&id));
        if !module_level || frequency.runs_many_times(c.fn_ctx, c.span.start()) {
            continue;
        }
        for (name, v) in props {
            if let Some(kind) = kind_of(model, v) {
                let path = owner.child(name.clone());
                out.push(Container {
                    display: path.to_string(),
                    lifetime: format!(
                        "a static member of `{owner}`, set once at load: it lives as long as the process"
                    ),
                    path,
                    kind,
                    decl_span: source.span.range(),
                    escapes_through: Vec::new(),
                });
            }
        }
    }
    out
}

/// Containers declared in a factory and captured by the functions it hands
/// out, when the factory's result is kept for good (see
/// [`lifetime::of_binding`]): `function create() { const subs = {}; return { add, remove } }`.
fn closure_containers(model: &FileModel) -> Vec<Container> {
    let mut out = Vec::new();
    for (id, b) in model.semantic.bindings() {
        if b.is_module_level()
            || !matches!(
                b.kind,
                BindingKind::Var | BindingKind::Let | BindingKind::Const
            )
        {
            continue;
        }
        let Some(kind) = b.init.as_ref().and_then(|v| kind_of(model, v)) else {
            continue;
        };
        // The storage of a factory the project names as a bounded cache.
        let factory = b.fn_ctx.and_then(|f| model.functions[f].name.as_ref());
        if factory.is_some_and(|n| declares_bounded_cache(model, n)) {
            continue;
        }
        // Kept for good (a factory called at load) or by the instances of a
        // class; not the closures of an exported factory, whose callers
        // decide how long they live.
        if let Lifetime::Process(why)
        | Lifetime::Instance {
            class: Some(_),
            why,
        } = lifetime::of_binding(model, id, false)
        {
            // Handed to a helper (`removeItem(list, x)`, `sweep(map)`): the
            // helper may remove entries; this file-local view cannot tell.
            if crate::analysis::call_sites::of(model).is_passed(id) {
                continue;
            }
            out.push(Container {
                display: id.0.to_string(),
                path: AccessPath::binding(id.clone()),
                kind,
                decl_span: b.span.range(),
                lifetime: why,
                escapes_through: lifetime::escaping_readers(model, id),
            });
        }
    }
    out
}

/// Does `path`, as spelled in the source, name the location `normalized`
/// (a path already passed through [`AccessPath::normalized`])? Same answer as
/// `path.normalized() == *normalized`, without allocating: rules ask it for
/// every fact and every container.
pub fn names(path: &AccessPath, normalized: &AccessPath) -> bool {
    match &path.root {
        Root::Global(g) if is_global_object_name(g) && !path.props.is_empty() => {
            matches!(&normalized.root, Root::Global(n) if *n == path.props[0])
                && path.props[1..] == normalized.props[..]
        }
        _ => path == normalized,
    }
}

/// The container a path names, if it is one of `containers`.
pub fn find<'c>(containers: &'c [Container], path: &AccessPath) -> Option<&'c Container> {
    let path = path.normalized();
    containers.iter().find(|c| c.path == path)
}

/// The container kind of `this.<field>` in a class, from its field
/// initialiser or a constructor assignment.
pub fn this_field_kind(
    model: &FileModel,
    fn_ctx: Option<usize>,
    path: &AccessPath,
) -> Option<ContainerKind> {
    if !path.is_this_field() {
        return None;
    }
    let class = model.this_class(fn_ctx)?;
    let field = &path.props[0];
    if let Some(m) = model.classes[class]
        .members
        .iter()
        .find(|m| &m.name == field && !m.is_static)
    {
        if let Some(k) = m.value.as_ref().and_then(|v| kind_of(model, v)) {
            return Some(k);
        }
    }
    model.member_writes.iter().find_map(|w| {
        let in_class = model.this_class(w.fn_ctx) == Some(class);
        let ctor = w
            .fn_ctx
            .is_some_and(|f| model.functions[f].kind == FnKind::Constructor);
        (in_class
            && ctor
            && w.object.root == Root::This
            && w.object.props.is_empty()
            && w.key == Key::Static(field.clone()))
        .then(|| kind_of(model, &w.value))
        .flatten()
    })
}

/// The kind of container a receiver path names in a given context: a
/// long-lived container, a `this` field, or a local initialised in the file.
pub fn kind_at(
    model: &FileModel,
    containers: &[Container],
    fn_ctx: Option<usize>,
    path: &AccessPath,
) -> Option<ContainerKind> {
    if let Some(c) = find(containers, path) {
        return Some(c.kind);
    }
    kind_beyond(model, fn_ctx, path)
}

/// The kind of a path that is not a long-lived container: a `this` field,
/// or a local initialised in the file.
fn kind_beyond(
    model: &FileModel,
    fn_ctx: Option<usize>,
    path: &AccessPath,
) -> Option<ContainerKind> {
    if let Some(k) = this_field_kind(model, fn_ctx, path) {
        return Some(k);
    }
    if path.props.is_empty() {
        let id = path.root_binding()?;
        if let Some(k) = model
            .semantic
            .binding(&id)?
            .init
            .as_ref()
            .and_then(|v| kind_of(model, v))
        {
            return Some(k);
        }
        // Initialised by something the summary does not know (`items ?? []`)
        // but used as an array: `q.push(x)`, `q.splice(…)`.
        let arrays = model.derived.get_or_init(|| {
            ArrayReceivers(
                model
                    .calls
                    .iter()
                    .filter(|c| {
                        matches!(
                            c.callee.method.as_deref(),
                            Some("push" | "unshift" | "splice" | "shift" | "pop")
                        )
                    })
                    .filter_map(|c| c.callee.receiver())
                    .filter(|r| r.props.is_empty())
                    .collect(),
            )
        });
        return arrays.0.contains(path).then_some(ContainerKind::Array);
    }
    None
}

/// Does anything in the file really remove entries from (or replace) the
/// container at `path`? `delete c[k]`, `m.delete(k)`, `m.clear()`,
/// `c.splice(…)`, reassignment inside a function, or a size bound.
pub fn has_eviction(model: &FileModel, path: &AccessPath) -> bool {
    let path = path.normalized();
    let index = model.derived.get_or_init(|| EvictionIndex::build(model));
    // `delete c[k]`, `c.clear()`, `c.splice(…)`, `c.length = 0`.
    if index.evicted.contains(&path) {
        return true;
    }
    // Reassignment of the whole container in code that runs later.
    if path.props.is_empty() {
        if let Some(id) = path.root_binding() {
            if index.rebound.contains(&id) {
                return true;
            }
        }
    } else if let (Some(parent), Some(last)) = (path.parent(), path.props.last()) {
        let frequency = Frequencies::new(model);
        let replaced = index.writes_by_key.get(last).is_some_and(|writes| {
            writes.iter().any(|&i| {
                let w = &model.member_writes[i];
                names(&w.object, &parent) && frequency.runs_many_times(w.fn_ctx, w.span.start())
            })
        });
        if replaced {
            return true;
        }
    }
    // The container is handed to a call that owns its eviction:
    // `evictOld(cache)`, `Object.keys(cache).forEach(k => delete …)` are
    // covered above; a bounded sweep usually checks the size.
    index.size_checked.contains(&path)
}

/// What [`has_eviction`] looks for, gathered in one pass over the facts the
/// first time a file asks: asking per container scanned every delete, call
/// and write for each container (quadratic in large modules).
/// Methods that take entries out of the container they are called on:
/// `m.delete(k)`, `s.clear()`, `a.splice(i, 1)`, `q.shift()`, `q.pop()`.
pub const ENTRY_REMOVING_METHODS: [&str; 5] = ["delete", "clear", "splice", "shift", "pop"];

pub(crate) struct EvictionIndex {
    /// Normalised paths that lose entries: `delete p[k]`, `p.delete(…)`,
    /// `p.clear()`, `p.splice(…)`, `p.shift()`, `p.pop()`, `p.length = …`.
    evicted: FxHashSet<AccessPath>,
    /// Bindings assigned after their declaration.
    rebound: FxHashSet<BindingId>,
    /// Member writes with a static key, by that key.
    writes_by_key: FxHashMap<Atom, Vec<usize>>,
    /// Paths whose `.size`/`.length` a condition checks, as spelled.
    size_checked: FxHashSet<AccessPath>,
}

impl EvictionIndex {
    fn build(model: &FileModel) -> Self {
        let mut evicted = FxHashSet::default();
        for d in &model.deletes {
            evicted.insert(d.object.normalized());
        }
        for c in &model.calls {
            if let Some(m) = &c.callee.method {
                if ENTRY_REMOVING_METHODS.contains(&m.as_ref()) || m == "length" {
                    if let Some(receiver) = c.callee.receiver() {
                        evicted.insert(receiver.normalized());
                    }
                }
            }
        }
        let mut writes_by_key: FxHashMap<Atom, Vec<usize>> = FxHashMap::default();
        for (i, w) in model.member_writes.iter().enumerate() {
            if let Key::Static(k) = &w.key {
                if k == "length" {
                    evicted.insert(w.object.normalized());
                }
                writes_by_key.entry(k.clone()).or_default().push(i);
            }
        }
        EvictionIndex {
            evicted,
            rebound: model.binding_writes.iter().map(|w| w.id.clone()).collect(),
            writes_by_key,
            size_checked: model.size_checks.iter().cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    fn containers(src: &str) -> Vec<(String, ContainerKind, String)> {
        let mut out = Vec::new();
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            out = long_lived(m)
                .into_iter()
                .map(|c| (c.path.to_string(), c.kind, c.display))
                .collect();
        });
        out
    }

    #[test]
    fn global_aliases_name_the_same_container() {
        let found = containers(
            "globalThis.a = {};\nwindow.b = new Map();\nglobal.c = new Set();\nprocess.d = {};\n",
        );
        assert_eq!(
            found,
            [
                ("a".into(), ContainerKind::Object, "globalThis.a".into()),
                ("b".into(), ContainerKind::Map, "window.b".into()),
                ("c".into(), ContainerKind::Set, "global.c".into()),
                (
                    "process.d".into(),
                    ContainerKind::Object,
                    "process.d".into()
                ),
            ]
        );
    }

    #[test]
    fn module_level_static_and_hung_containers_but_not_locals() {
        let src = "const a = {};\nclass K { static b = new Map() }\nfunction f() {}\nf.c = {};\nfunction g() { const d = {}; g.e = {} }\nmodule.exports.h = new Set();\n";
        let paths: Vec<String> = containers(src).into_iter().map(|c| c.0).collect();
        assert_eq!(paths, ["a", "K.b", "f.c", "module.exports.h"]);
    }

    #[test]
    fn kinds_of_created_values() {
        let src = "const a = new Array(4).fill(null);\nconst b = Array.from(x);\nconst c = Object.keys(o);\nconst d = s.split(',');\nconst e = new LRUCache({ max: 1 });\nconst f = Object.create(null);\nconst g = new WeakMap();\nconst h = compute();\n";
        let kinds: Vec<(String, ContainerKind)> =
            containers(src).into_iter().map(|c| (c.0, c.1)).collect();
        assert_eq!(
            kinds,
            [
                ("a".into(), ContainerKind::Array),
                ("b".into(), ContainerKind::Array),
                ("c".into(), ContainerKind::Array),
                ("d".into(), ContainerKind::Array),
                ("e".into(), ContainerKind::Bounded),
                ("f".into(), ContainerKind::Object),
                ("g".into(), ContainerKind::WeakMap),
            ],
            "`compute()` is not a container"
        );
    }

    #[test]
    fn bounded_caches_named_in_settings_are_bounded() {
        // Without settings: `bounded.Map` is a `Map`, `createStore()` creates
        // nothing leaklint knows, and the factory's closure object lives as
        // long as the instance that keeps what the factory returns.
        let src = "const a = new bounded.Map();\nconst b = createStore();\nconst c = new BoundedCache();\nconst makeCache = () => {\n  const m = {};\n  return (k, v) => { m[k] = v };\n};\nclass P { constructor() { this.put = makeCache() } }\nmodule.exports = P;\n";
        let kinds = |settings: &str| {
            let settings: crate::settings::Settings = serde_json::from_str(settings).unwrap();
            let mut out = Vec::new();
            crate::engine::with_settings_for_test(src, Dialect::Ts, &settings, |m| {
                out = long_lived(m)
                    .into_iter()
                    .map(|c| (c.path.to_string(), c.kind))
                    .collect::<Vec<_>>();
            });
            out
        };
        assert_eq!(
            kinds("{}"),
            [
                ("a".into(), ContainerKind::Map),
                ("m".into(), ContainerKind::Object)
            ]
        );
        assert_eq!(
            kinds(
                r#"{"boundedCaches": ["bounded.Map", "createStore", "BoundedCache", "lib.makeCache"]}"#
            ),
            [
                ("a".into(), ContainerKind::Bounded),
                ("b".into(), ContainerKind::Bounded),
                ("c".into(), ContainerKind::Bounded),
            ],
            "the factory's own storage is no container to watch"
        );
    }

    #[test]
    fn hashed_lookup_agrees_with_the_scan() {
        let src = "globalThis.a = {};\nwindow.b = new Map();\nconst c = [];\nclass K { static d = new Set() }\nfunction f() {}\nf.e = {};\nconst c2 = new WeakMap();\n";
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            let shared = all(m);
            let scanned = long_lived(m);
            assert_eq!(shared.len(), scanned.len());
            let g = |root: &str, props: &[&str]| AccessPath {
                root: Root::Global(root.into()),
                props: props.iter().map(|p| (*p).into()).collect(),
            };
            let mut probes = vec![
                g("a", &[]),
                g("globalThis", &["a"]),
                g("window", &["a"]),
                g("self", &["b"]),
                g("b", &[]),
                g("window", &[]),
                g("c", &[]),
                g("f", &["e"]),
            ];
            probes.extend(scanned.iter().map(|c| c.path.clone()));
            probes.extend(scanned.iter().map(|c| c.path.child("x".into())));
            for p in &probes {
                assert_eq!(
                    shared.find(p).map(|c| &c.decl_span),
                    find(&scanned, p).map(|c| &c.decl_span),
                    "{p}"
                );
                let ctx = None;
                assert_eq!(
                    shared.kind_at(m, ctx, p),
                    kind_at(m, &scanned, ctx, p),
                    "{p}"
                );
            }
        });
    }

    #[test]
    fn names_agrees_with_normalized() {
        let g = |root: &str, props: &[&str]| AccessPath {
            root: Root::Global(root.into()),
            props: props.iter().map(|p| (*p).into()).collect(),
        };
        let paths = [
            g("globalThis", &["a"]),
            g("window", &["a", "b"]),
            g("a", &[]),
            g("a", &["b"]),
            g("global", &[]),
            g("process", &["a"]),
            AccessPath {
                root: Root::This,
                props: smallvec::smallvec!["a".into()],
            },
        ];
        for p in &paths {
            for q in &paths {
                let target = q.normalized();
                assert_eq!(names(p, &target), p.normalized() == target, "{p} vs {q}");
            }
        }
    }

    #[test]
    fn eviction_forms() {
        let evicted = |src: &str| {
            let mut r = false;
            crate::engine::with_model_for_test(src, Dialect::Js, |m| {
                let c = long_lived(m);
                r = has_eviction(m, &c[0].path);
            });
            r
        };
        assert!(evicted("const c = {};\nfunction f(k) { delete c[k] }\n"));
        assert!(evicted(
            "const c = new Map();\nfunction f() { c.clear() }\n"
        ));
        assert!(evicted("let c = {};\nfunction f() { c = {} }\n"));
        assert!(evicted(
            "const c = new Map();\nfunction f(k) { if (c.size > 10) return; c.set(k, 1) }\n"
        ));
        assert!(evicted(
            "const c = {};\nfunction f(k) { if (Object.keys(c).length > 10) return; c[k] = 1 }\n"
        ));
        assert!(
            !evicted("const c = {};\nfunction f(k) { c[k] = null }\n"),
            "null is not eviction"
        );
        assert!(
            !evicted("const c = {};\nfunction f(c, k) { delete c[k] }\n"),
            "deleting from a shadowing parameter does not evict the module cache"
        );
    }
}
