//! The scope index: which binding an identifier refers to, where it was
//! declared, whether it lives at module level, and what it was initialised with.
//!
//! Scoping itself (hoisting, block scope, shadowing, the TS type/value split)
//! is done by `model::scope` during the model's traversal: it gives every
//! identifier a `SyntaxContext`, and `(name, ctxt)` identifies a binding.
//! This module only keeps the index that rules query. It is filled during
//! the model's single traversal.

use std::cell::OnceCell;

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;
use swc_atoms::Atom;
use swc_common::SyntaxContext;
use swc_ecma_ast::Ident;

use crate::model::{FnId, TextSpan, Value};

pub type BindingId = (Atom, SyntaxContext);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    Var,
    Let,
    Const,
    Function,
    Class,
    Param,
    CatchParam,
    Import,
    /// TS enums and namespaces, `using` declarations and other rare forms.
    Other,
}

#[derive(Clone, Debug)]
pub struct Binding {
    pub kind: BindingKind,
    /// The identifier in the declaration.
    pub span: TextSpan,
    /// The function the declaration belongs to; `None` at module level.
    pub fn_ctx: Option<FnId>,
    /// The initialiser of a `var`/`let`/`const`, the function of a declaration.
    pub init: Option<Value>,
    /// For imports: the module specifier.
    pub import_source: Option<Atom>,
    /// Declared directly in a module wrapper (a bundler's module factory, a
    /// module-level IIFE): module state, though `fn_ctx` names the wrapper.
    pub in_module_wrapper: bool,
    /// A `let`/`const`/`class` declared inside the body (or head) of a loop of
    /// its own function: every turn makes a new binding, so even at top
    /// level it is not one long-lived module variable.
    pub per_iteration: bool,
}

impl Binding {
    /// Declared at module level, or directly in a module wrapper, and not
    /// made anew on each turn of a loop: it lives as long as the module.
    pub fn is_module_level(&self) -> bool {
        self.is_top_level_declaration() && !self.per_iteration
    }

    /// Declared in code that runs once per module: at module level or
    /// directly in a module wrapper, inside a loop there or not. A `const`
    /// of a top-level loop has one value per turn of a loop that runs once.
    pub fn is_top_level_declaration(&self) -> bool {
        self.fn_ctx.is_none() || self.in_module_wrapper
    }
}

/// A read of a binding: an identifier used as a value (`f(x)`, `return x`,
/// `{ x }`, `<C p={x} />`). Declarations and assignment targets are not reads.
#[derive(Clone, Debug)]
pub struct Reference {
    pub span: TextSpan,
    /// The function the read happens in; `None` at module level.
    pub fn_ctx: Option<FnId>,
}

/// A recorded read: the binding and the [`Reference`], packed into 24 bytes
/// where the pair took 40. A large bundle records hundreds of thousands of
/// reads while its AST is still alive, so their size is peak memory.
struct Read {
    name: Atom,
    ctxt: SyntaxContext,
    span: TextSpan,
    /// The function the read happens in, [`Read::TOP_LEVEL`] at module level.
    /// A function id fits in `u32`: every function takes a few bytes of a
    /// text whose offsets are `u32` themselves.
    fn_ctx: u32,
}

impl Read {
    const TOP_LEVEL: u32 = u32::MAX;

    fn new((name, ctxt): BindingId, reference: Reference) -> Self {
        let fn_ctx = reference.fn_ctx.map_or(Read::TOP_LEVEL, |f| {
            u32::try_from(f)
                .ok()
                .filter(|&f| f != Read::TOP_LEVEL)
                .expect("fewer functions than bytes of source")
        });
        Read {
            name,
            ctxt,
            span: reference.span,
            fn_ctx,
        }
    }

    fn reference(&self) -> Reference {
        Reference {
            span: self.span,
            fn_ctx: (self.fn_ctx != Read::TOP_LEVEL).then_some(self.fn_ctx as FnId),
        }
    }
}

/// The reads of each binding, in source order. One small vector per
/// binding, not one large array: small vectors reuse the pages the freed AST
/// left with the allocator, where an array of a megabyte or more goes to
/// jemalloc's oversize arena, takes fresh pages and raises the run's peak
/// (measured: 4.7 MB more on `typescript.js`).
struct ReadIndex {
    by_binding: FxHashMap<BindingId, Vec<Reference>>,
}

impl ReadIndex {
    /// Grouped in one map, looked up by a borrowed name (see [`ReadKey`]):
    /// a name is cloned once per binding rather than once per read (a bundle
    /// has hundreds of thousands of reads), and no second map keyed by owned
    /// names is built and hashed afresh (that regrouping was a third of the
    /// index's cost on `typescript.js`).
    fn new(reads: &[Read]) -> Self {
        let mut by_binding: FxHashMap<BindingId, Vec<Reference>> = FxHashMap::default();
        for r in reads {
            let key: &dyn ReadKey = &(&r.name, r.ctxt);
            match by_binding.get_mut(key) {
                Some(refs) => refs.push(r.reference()),
                None => {
                    by_binding.insert((r.name.clone(), r.ctxt), vec![r.reference()]);
                }
            }
        }
        ReadIndex { by_binding }
    }
}

/// A binding's identity that may borrow its name: lets the index look up
/// `(&Atom, SyntaxContext)` in a map keyed by owned [`BindingId`]s. Hashes
/// and compares exactly as the tuple does (name, then context).
trait ReadKey {
    fn name(&self) -> &Atom;
    fn ctxt(&self) -> SyntaxContext;
}

impl ReadKey for BindingId {
    fn name(&self) -> &Atom {
        &self.0
    }
    fn ctxt(&self) -> SyntaxContext {
        self.1
    }
}

impl ReadKey for (&Atom, SyntaxContext) {
    fn name(&self) -> &Atom {
        self.0
    }
    fn ctxt(&self) -> SyntaxContext {
        self.1
    }
}

impl std::hash::Hash for dyn ReadKey + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state);
        self.ctxt().hash(state);
    }
}

impl PartialEq for dyn ReadKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.ctxt() == other.ctxt() && self.name() == other.name()
    }
}

impl Eq for dyn ReadKey + '_ {}

impl<'a> std::borrow::Borrow<dyn ReadKey + 'a> for BindingId {
    fn borrow(&self) -> &(dyn ReadKey + 'a) {
        self
    }
}

pub struct Semantic {
    unresolved: SyntaxContext,
    bindings: FxHashMap<BindingId, Binding>,
    /// Every read, in source order. Recording is one push per identifier;
    /// most files never ask for the reads of a binding, so the per-binding
    /// index is built on the first question.
    reads: Vec<Read>,
    reads_by_binding: OnceCell<ReadIndex>,
}

impl Semantic {
    pub fn new(unresolved: SyntaxContext) -> Self {
        Self::with_read_capacity(unresolved, 0)
    }

    /// An empty index with room for `reads` reads. The bindings map keeps its
    /// default capacity: its iteration order (which rules observe) depends on it.
    pub fn with_read_capacity(unresolved: SyntaxContext, reads: usize) -> Self {
        Semantic {
            unresolved,
            bindings: FxHashMap::default(),
            reads: Vec::with_capacity(reads),
            reads_by_binding: OnceCell::new(),
        }
    }

    /// Records a read of a resolved identifier (globals are not indexed).
    pub fn add_reference(&mut self, id: BindingId, reference: Reference) {
        if id.1 != self.unresolved {
            self.reads.push(Read::new(id, reference));
            // A read recorded after a question: the index is out of date.
            if self.reads_by_binding.get().is_some() {
                self.reads_by_binding = OnceCell::new();
            }
        }
    }

    /// Every read of a binding, in source order.
    pub fn references(&self, id: &BindingId) -> &[Reference] {
        let index = self
            .reads_by_binding
            .get_or_init(|| ReadIndex::new(&self.reads));
        index.by_binding.get(id).map_or(&[], Vec::as_slice)
    }

    /// Records a declaration. The first declaration of a name wins
    /// (`var x; var x = 1` keeps the first span, adds the later initialiser).
    pub fn declare(&mut self, id: BindingId, binding: Binding) {
        // One lookup for both cases (a declaration per binding is hot).
        match self.bindings.entry(id) {
            Entry::Occupied(mut existing) => {
                let existing = existing.get_mut();
                if existing.init.is_none() {
                    existing.init = binding.init;
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(binding);
            }
        }
    }

    /// Sets the initialiser of a declared binding (a function's id, once the
    /// function has been entered). Unknown bindings are left alone.
    pub fn set_init(&mut self, id: &BindingId, init: Value) {
        if let Some(b) = self.bindings.get_mut(id) {
            b.init = Some(init);
        }
    }

    /// Overwrites a binding's record (used to attach a function's id to its
    /// declaration once the function has been entered).
    pub fn replace(&mut self, id: BindingId, binding: Binding) {
        self.bindings.insert(id, binding);
    }

    /// Is this identifier a reference to a global (no declaration binds it)?
    pub fn is_global(&self, ident: &Ident) -> bool {
        ident.ctxt == self.unresolved
    }

    pub fn is_unresolved(&self, ctxt: SyntaxContext) -> bool {
        ctxt == self.unresolved
    }

    pub fn binding(&self, id: &BindingId) -> Option<&Binding> {
        self.bindings.get(id)
    }

    pub fn bindings(&self) -> impl Iterator<Item = (&BindingId, &Binding)> {
        self.bindings.iter()
    }

    /// Marks the function-level bindings `is_module_state` accepts as module
    /// state (see `model::module_scope`).
    pub(crate) fn mark_module_scope(&mut self, is_module_state: impl Fn(&Binding) -> bool) {
        for b in self.bindings.values_mut() {
            if b.fn_ctx.is_some() && is_module_state(b) {
                b.in_module_wrapper = true;
            }
        }
    }

    /// Is the binding declared at module level (lives as long as the process)?
    pub fn is_module_level(&self, id: &BindingId) -> bool {
        self.bindings.get(id).is_some_and(Binding::is_module_level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{self, Root};

    fn with_model(src: &str, f: impl FnOnce(&model::FileModel)) {
        crate::engine::with_model_for_test(src, crate::parse::Dialect::Ts, f)
    }

    fn find<'a>(m: &'a model::FileModel, name: &str) -> Vec<&'a Binding> {
        m.semantic
            .bindings()
            .filter(|(id, _)| id.0 == name)
            .map(|(_, b)| b)
            .collect()
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_recorded_read_takes_24_bytes() {
        assert_eq!(std::mem::size_of::<Read>(), 24);
    }

    #[test]
    fn a_read_keeps_its_function_and_top_level() {
        let id: BindingId = ("x".into(), SyntaxContext::empty());
        for fn_ctx in [None, Some(0), Some(7)] {
            let reference = Reference {
                span: TextSpan::new(3, 4),
                fn_ctx,
            };
            let read = Read::new(id.clone(), reference);
            assert_eq!(read.reference().fn_ctx, fn_ctx);
            assert_eq!(read.reference().span, TextSpan::new(3, 4));
        }
    }

    #[test]
    fn module_level_and_shadowing_parameter_are_distinct_bindings() {
        let src = "const cache = {};\nfunction f(cache) { cache.x = 1 }\n";
        with_model(src, |m| {
            let all = find(m, "cache");
            assert_eq!(all.len(), 2);
            assert_eq!(all.iter().filter(|b| b.is_module_level()).count(), 1);
            assert!(
                all.iter()
                    .any(|b| b.kind == BindingKind::Param && !b.is_module_level())
            );
            // The write inside `f` resolves to the parameter, not the module cache.
            let w = &m.member_writes[0];
            let Root::Binding(_, ctxt) = &w.object.root else {
                panic!("expected a binding root")
            };
            let b = m.semantic.binding(&("cache".into(), *ctxt)).unwrap();
            assert_eq!(b.kind, BindingKind::Param);
        });
    }

    #[test]
    fn globals_are_unresolved_and_locals_shadow_them() {
        let src = "process.on('x', h);\nfunction g(process) { process.on('y', h) }\n";
        with_model(src, |m| {
            assert_eq!(
                m.calls[0].callee.receiver().as_ref().unwrap().root,
                Root::Global("process".into())
            );
            assert!(matches!(
                m.calls[1].callee.receiver().as_ref().unwrap().root,
                Root::Binding(..)
            ));
        });
    }

    #[test]
    fn block_scoped_and_hoisted_declarations() {
        let src = "let a = 1;\n{ let a = 2; }\nfunction h() { var b; { var b = new Map(); } }\n";
        with_model(src, |m| {
            let a = find(m, "a");
            assert_eq!(a.len(), 2, "block-scoped `a` is a second binding");
            assert!(a.iter().all(|b| b.kind == BindingKind::Let));
            let b = find(m, "b");
            assert_eq!(b.len(), 1, "`var` hoists to one binding");
            assert!(matches!(b[0].init, Some(Value::New { .. })));
            assert!(!b[0].is_module_level());
        });
    }

    #[test]
    fn imports_classes_and_catch_parameters() {
        let src = "import bus from './bus';\nclass Store {}\ntry {} catch (e) {}\n";
        with_model(src, |m| {
            let bus = find(m, "bus");
            assert_eq!(bus[0].kind, BindingKind::Import);
            assert_eq!(bus[0].import_source.as_deref(), Some("./bus"));
            assert_eq!(find(m, "Store")[0].kind, BindingKind::Class);
            assert_eq!(find(m, "e")[0].kind, BindingKind::CatchParam);
        });
    }

    fn reads_of(m: &model::FileModel, name: &str) -> Vec<String> {
        let mut out: Vec<String> = m
            .semantic
            .bindings()
            .filter(|(id, _)| id.0 == name)
            .flat_map(|(id, _)| {
                m.semantic
                    .references(id)
                    .iter()
                    .map(|r| m.text(&r.span).to_string())
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn references_are_reads_not_declarations_or_assignment_targets() {
        let src = "let key = 1;\nkey = 2;\nf(key);\nconst o = { key };\nconst p = { key: key };\nreturn_(key + 1);\n";
        with_model(src, |m| {
            let key = find(m, "key");
            assert_eq!(key.len(), 1);
            let id = m
                .semantic
                .bindings()
                .find(|(id, _)| id.0 == "key")
                .unwrap()
                .0
                .clone();
            let reads = m.semantic.references(&id);
            // f(key), { key }, { key: key }, key + 1: four reads; the
            // declaration and `key = 2` are not reads.
            assert_eq!(reads.len(), 4, "{reads:?}");
            assert!(
                reads
                    .windows(2)
                    .all(|w| w[0].span.start() < w[1].span.start()),
                "source order"
            );
            assert!(reads.iter().all(|r| r.fn_ctx.is_none()));
        });
    }

    #[test]
    fn references_resolve_through_shadowing_and_skip_globals() {
        let src = "const cache = {};\nfunction f(cache) { return cache }\nfunction g() { return cache }\nprocess.exit(0);\n";
        with_model(src, |m| {
            let (module_id, _) = m
                .semantic
                .bindings()
                .find(|(id, b)| id.0 == "cache" && b.is_module_level())
                .unwrap();
            let (param_id, _) = m
                .semantic
                .bindings()
                .find(|(id, b)| id.0 == "cache" && !b.is_module_level())
                .unwrap();
            let module_reads = m.semantic.references(module_id);
            let param_reads = m.semantic.references(param_id);
            assert_eq!(module_reads.len(), 1, "only `g` reads the module cache");
            assert_eq!(param_reads.len(), 1, "`f` reads its parameter");
            assert_ne!(module_reads[0].fn_ctx, param_reads[0].fn_ctx);
            assert!(reads_of(m, "process").is_empty(), "globals are not indexed");
        });
    }

    #[test]
    fn jsx_and_typescript_reads_are_references() {
        let src = "export function C(size: { w: number }) { const s = size as object; return s }\n";
        with_model(src, |m| {
            assert_eq!(reads_of(m, "size"), ["size"]);
            assert_eq!(reads_of(m, "s"), ["s"]);
        });
        crate::engine::with_model_for_test(
            "export function Box(size) { return <div style={size} /> }\n",
            crate::parse::Dialect::Js,
            |m| assert_eq!(reads_of(m, "size"), ["size"]),
        );
    }

    #[test]
    fn a_named_class_expression_binds_its_name() {
        let src = "export default class Pool { static idle = {}; m() { Pool.idle.x = 1 } }\n";
        with_model(src, |m| {
            let class = &m.classes[0];
            let binding = class
                .binding
                .clone()
                .expect("the class expression's name is its binding");
            assert_eq!(binding.0, "Pool");
            let w = &m.member_writes[0];
            assert_eq!(
                w.object.root_binding(),
                Some(binding),
                "`Pool` inside the body is the class"
            );
        });
    }
}
