//! Scope resolution inside the model's single traversal.
//!
//! The collector drives a stack of scopes as it walks the program and asks,
//! for each identifier, which declaration it names. This replaces a separate
//! resolver pass (swc's `resolver`, a full `VisitMut` over a cache-cold AST)
//! and produces the same kind of identity: `(name, SyntaxContext)`, with one
//! context per declaring scope and [`UNRESOLVED`] for names no declaration
//! binds (globals). The contexts are plain numbers made with
//! `SyntaxContext::from_u32`: they carry no hygiene data and must never be
//! used with swc's hygiene methods.
//!
//! The rules follow swc's resolver, which the model was built against, so
//! that the model does not change:
//! - each statement list is pre-scanned when its scope is entered (the
//!   hoisting pass, [`Hoister`]): `var` and sloppy-mode block functions go
//!   to the enclosing function (through nested blocks, loops, `if`, `try`,
//!   `switch` and labels, never into functions or expressions);
//!   `let`/`const`/`class`/imports/TS enums and namespaces belong to the
//!   scope of their own list; the catch-parameter cases of Annex B are kept;
//! - parameters, catch parameters, `for` heads, the name of a named function
//!   or class expression and `import x = …` are declared when their scope is
//!   entered or their node is reached;
//! - TypeScript type-only declarations (interfaces, type aliases, type
//!   parameters) never create value bindings;
//! - an enum's member names, inside the enum, resolve as globals (as the
//!   resolver leaves them for the enum transform).
//!
//! Lookups use one table from name to the stack of its visible
//! declarations, innermost last: a read is one hash lookup, whatever the
//! depth of nesting.

use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use swc_atoms::Atom;
use swc_common::SyntaxContext;
use swc_ecma_ast::*;

/// The context of identifiers no declaration binds.
pub fn unresolved() -> SyntaxContext {
    SyntaxContext::from_u32(UNRESOLVED_RAW)
}

const UNRESOLVED_RAW: u32 = 1;
/// The context of the program's top-level scope; inner scopes count up from it.
const TOP_LEVEL_RAW: u32 = 2;

/// How a name was declared; only the hoisting of block functions asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclKind {
    Var,
    Function,
    Lexical,
    Param,
}

/// Function-like scopes stop the Annex B catch-parameter lookups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Fn,
    Block,
}

struct Frame {
    ctxt: SyntaxContext,
    kind: ScopeKind,
    strict: bool,
    /// Where this scope's declarations start in `Scopes::log`.
    log_start: usize,
}

#[derive(Clone, Copy)]
struct Declared {
    depth: u32,
    ctxt: SyntaxContext,
    kind: DeclKind,
}

/// The scope stack of one file.
pub struct Scopes {
    frames: Vec<Frame>,
    /// Each name's visible declarations, innermost last.
    names: FxHashMap<Atom, SmallVec<[Declared; 1]>>,
    /// The names declared by each open scope (undone when it closes).
    log: Vec<Atom>,
    /// Binding identifiers (by start position) already given their
    /// declaration: by a hoisting pre-scan, or when first reached.
    bound: FxHashMap<u32, SyntaxContext>,
    next: u32,
    is_module: bool,
    typescript: bool,
    /// While set, lookups ignore declarations of scopes at this depth and
    /// deeper (parameter decorators are evaluated outside their function).
    cut: Option<u32>,
}

impl Scopes {
    /// The scopes of `program`, whose source is `len` bytes long.
    pub fn new(program: &Program, typescript: bool, len: usize) -> Self {
        let (is_module, strict) = match program {
            Program::Module(_) => (true, true),
            Program::Script(s) => (false, s.body.first().is_some_and(Stmt::is_use_strict)),
        };
        Scopes {
            frames: vec![Frame {
                ctxt: SyntaxContext::from_u32(TOP_LEVEL_RAW),
                kind: ScopeKind::Fn,
                strict,
                log_start: 0,
            }],
            // Sized from the text (densities on the benchmark corpus): growing
            // by doubling rehashed every declaration again and again.
            names: FxHashMap::with_capacity_and_hasher(len / 256 + 16, Default::default()),
            log: Vec::new(),
            bound: FxHashMap::with_capacity_and_hasher(len / 64 + 16, Default::default()),
            next: TOP_LEVEL_RAW + 1,
            is_module,
            typescript,
            cut: None,
        }
    }

    fn depth(&self) -> u32 {
        (self.frames.len() - 1) as u32
    }

    fn current(&self) -> &Frame {
        self.frames
            .last()
            .expect("the top-level scope is never popped")
    }

    pub fn is_strict(&self) -> bool {
        self.current().strict
    }

    /// Opens a scope; `strict` when its code is strict (classes, functions
    /// with a directive) or its parent's is.
    pub fn push(&mut self, kind: ScopeKind, strict: bool) {
        let ctxt = SyntaxContext::from_u32(self.next);
        self.next += 1;
        self.push_with(kind, strict, ctxt);
    }

    fn push_with(&mut self, kind: ScopeKind, strict: bool, ctxt: SyntaxContext) {
        let strict = strict || self.is_strict();
        self.frames.push(Frame {
            ctxt,
            kind,
            strict,
            log_start: self.log.len(),
        });
    }

    /// Opens the scope of a function whose body is `body`: strict when the
    /// enclosing code is, or when the body starts with `"use strict"`.
    pub fn push_function(&mut self, body: Option<&[Stmt]>) {
        let directive = body
            .and_then(<[Stmt]>::first)
            .is_some_and(Stmt::is_use_strict);
        self.push(ScopeKind::Fn, directive);
    }

    /// Opens an enum body: its member names resolve as globals inside it.
    pub fn push_enum(&mut self, members: &[TsEnumMember]) {
        self.push_with(ScopeKind::Block, false, unresolved());
        for m in members {
            let name = match &m.id {
                TsEnumMemberId::Ident(i) => i.sym.clone(),
                TsEnumMemberId::Str(s) => match s.value.as_atom() {
                    Some(a) => a.clone(),
                    None => continue,
                },
                #[allow(unreachable_patterns)]
                _ => continue,
            };
            self.insert_named(&name, DeclKind::Lexical);
        }
    }

    pub fn pop(&mut self) {
        let frame = self.frames.pop().expect("scopes are balanced");
        debug_assert!(!self.frames.is_empty(), "the top-level scope was popped");
        for name in self.log.drain(frame.log_start..) {
            if let Some(stack) = self.names.get_mut(&name) {
                stack.pop();
            }
        }
    }

    /// Gives a binding identifier its declaration: the one a hoisting scan
    /// already gave it, or a new one in the current scope.
    pub fn declare(&mut self, ident: &Ident, kind: DeclKind) -> SyntaxContext {
        if let Some(&ctxt) = self.bound.get(&ident.span.lo.0) {
            return ctxt;
        }
        let ctxt = self.insert_named(&ident.sym, kind);
        self.bound.insert(ident.span.lo.0, ctxt);
        ctxt
    }

    /// Declares `name` in the current scope (a redeclaration keeps one binding).
    fn insert_named(&mut self, name: &Atom, kind: DeclKind) -> SyntaxContext {
        let depth = self.depth();
        let ctxt = self.current().ctxt;
        if let Some(stack) = self.names.get_mut(name) {
            match stack.last_mut() {
                Some(d) if d.depth == depth => {
                    d.kind = kind;
                    return ctxt;
                }
                _ => stack.push(Declared { depth, ctxt, kind }),
            }
        } else {
            let mut stack = SmallVec::new();
            stack.push(Declared { depth, ctxt, kind });
            self.names.insert(name.clone(), stack);
        }
        self.log.push(name.clone());
        ctxt
    }

    /// Declares every binding identifier of a pattern in the current scope.
    pub fn declare_pat(&mut self, pat: &Pat, kind: DeclKind) {
        for_each_binding(pat, &mut |i| {
            self.declare(i, kind);
        });
    }

    /// The binding a binding identifier declares (`let x`, a parameter, an
    /// import): its `(name, ctxt)` identity.
    pub fn binding(&mut self, ident: &Ident) -> (Atom, SyntaxContext) {
        (ident.sym.clone(), self.declare(ident, DeclKind::Lexical))
    }

    /// The context of a read of `name` here: its innermost visible
    /// declaration's scope, or [`unresolved`].
    pub fn resolve(&self, name: &Atom) -> SyntaxContext {
        let Some(stack) = self.names.get(name) else {
            return unresolved();
        };
        let found = match self.cut {
            None => stack.last(),
            Some(cut) => stack.iter().rev().find(|d| d.depth != cut),
        };
        match found {
            // In a script, top-level `undefined`, `NaN` and `Infinity` are
            // the global object's read-only properties, whatever is declared.
            Some(d)
                if d.depth == 0
                    && !self.is_module
                    && matches!(&**name, "undefined" | "NaN" | "Infinity") =>
            {
                unresolved()
            }
            Some(d) => d.ctxt,
            None => unresolved(),
        }
    }

    /// The identity of an identifier read here.
    pub fn reference(&self, ident: &Ident) -> (Atom, SyntaxContext) {
        (ident.sym.clone(), self.resolve(&ident.sym))
    }

    pub fn is_unresolved(&self, name: &Atom) -> bool {
        self.resolve(name) == unresolved()
    }

    /// Makes lookups skip the innermost function scope (and anything inside
    /// it) until [`Scopes::uncut`]: for parameter decorators.
    pub fn cut_innermost_function(&mut self) -> Option<u32> {
        let previous = self.cut;
        let at = self.frames.iter().rposition(|f| f.kind == ScopeKind::Fn);
        if let Some(at) = at.filter(|&at| at > 0) {
            self.cut = Some(at as u32);
        }
        previous
    }

    pub fn uncut(&mut self, previous: Option<u32>) {
        self.cut = previous;
    }

    /// Is `name` declared in the current scope or its parents up to (and
    /// including) the innermost function scope?
    fn declared_in_function(&self, name: &Atom) -> bool {
        let fn_depth = self
            .frames
            .iter()
            .rposition(|f| f.kind == ScopeKind::Fn)
            .unwrap_or(0) as u32;
        self.names
            .get(name)
            .and_then(|s| s.last())
            .is_some_and(|d| d.depth >= fn_depth)
    }

    fn declared_kind(&self, name: &Atom) -> Option<DeclKind> {
        self.names.get(name).and_then(|s| s.last()).map(|d| d.kind)
    }

    /// The hoisting pre-scan of a statement list, run as its scope is entered.
    pub fn hoist_stmts(&mut self, stmts: &[Stmt]) {
        Hoister::new(self).stmts(stmts);
    }

    /// The hoisting pre-scan of a module's (or TS namespace's) items.
    pub fn hoist_module_items(&mut self, items: &[ModuleItem]) {
        let mut h = Hoister::new(self);
        for item in items {
            match item {
                ModuleItem::Stmt(s) => h.stmt(s),
                ModuleItem::ModuleDecl(d) => h.module_decl(d),
                #[allow(unreachable_patterns)]
                _ => {}
            }
        }
    }
}

/// Calls `f` on each binding identifier of a pattern, in source order
/// (default values and computed keys are expressions, not bindings).
pub fn for_each_binding(pat: &Pat, f: &mut impl FnMut(&Ident)) {
    match pat {
        Pat::Ident(b) => f(&b.id),
        Pat::Array(a) => {
            for p in a.elems.iter().flatten() {
                for_each_binding(p, f);
            }
        }
        Pat::Object(o) => {
            for p in &o.props {
                match p {
                    ObjectPatProp::KeyValue(kv) => for_each_binding(&kv.value, f),
                    ObjectPatProp::Assign(a) => f(&a.key.id),
                    ObjectPatProp::Rest(r) => for_each_binding(&r.arg, f),
                    #[allow(unreachable_patterns)]
                    _ => {}
                }
            }
        }
        Pat::Rest(r) => for_each_binding(&r.arg, f),
        Pat::Assign(a) => for_each_binding(&a.left, f),
        _ => {}
    }
}

/// The hoisting pre-scan of one statement list (swc's `Hoister`): walks
/// statements, not expressions or functions.
struct Hoister<'s> {
    scopes: &'s mut Scopes,
    kind: DeclKind,
    /// Inside a nested block: `let`/`const`/`class` there are not this
    /// list's, and block functions only hoist in sloppy code.
    in_block: bool,
    in_catch_body: bool,
    /// Parameters of the catch clauses being scanned.
    catch_params: Vec<Atom>,
    /// Names a `var` in the current catch body declared in this scope.
    excluded_from_catch: Vec<Atom>,
}

impl<'s> Hoister<'s> {
    fn new(scopes: &'s mut Scopes) -> Self {
        Hoister {
            scopes,
            kind: DeclKind::Lexical,
            in_block: false,
            in_catch_body: false,
            catch_params: Vec::new(),
            excluded_from_catch: Vec::new(),
        }
    }

    /// Declarations first (`var` and functions at this level), then the
    /// rest: a catch parameter is told apart from a same-named `var` declared
    /// later in the list.
    fn stmts(&mut self, stmts: &[Stmt]) {
        let is_decl = |s: &Stmt| matches!(s, Stmt::Decl(Decl::Var(_) | Decl::Fn(_)));
        for s in stmts.iter().filter(|s| is_decl(s)) {
            self.stmt(s);
        }
        for s in stmts.iter().filter(|s| !is_decl(s)) {
            self.stmt(s);
        }
    }

    fn block(&mut self, stmts: &[Stmt]) {
        let old = std::mem::replace(&mut self.in_block, true);
        self.stmts(stmts);
        self.in_block = old;
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Block(b) => self.block(&b.stmts),
            Stmt::Decl(d) => self.decl(d),
            Stmt::If(i) => {
                self.stmt(&i.cons);
                if let Some(alt) = &i.alt {
                    self.stmt(alt);
                }
            }
            Stmt::Labeled(l) => self.stmt(&l.body),
            Stmt::While(w) => self.stmt(&w.body),
            Stmt::DoWhile(w) => self.stmt(&w.body),
            Stmt::With(w) => self.stmt(&w.body),
            Stmt::For(f) => {
                if let Some(VarDeclOrExpr::VarDecl(v)) = &f.init {
                    if v.kind == VarDeclKind::Var {
                        self.var_decl(v);
                    }
                }
                self.stmt(&f.body);
            }
            Stmt::ForIn(f) => {
                self.for_head(&f.left);
                self.stmt(&f.body);
            }
            Stmt::ForOf(f) => {
                self.for_head(&f.left);
                self.stmt(&f.body);
            }
            Stmt::Try(t) => {
                self.block(&t.block.stmts);
                if let Some(h) = &t.handler {
                    self.catch_clause(h);
                }
                if let Some(f) = &t.finalizer {
                    self.block(&f.stmts);
                }
            }
            Stmt::Switch(s) => {
                let old = std::mem::replace(&mut self.in_block, true);
                for case in &s.cases {
                    self.stmts(&case.cons);
                }
                self.in_block = old;
            }
            _ => {}
        }
    }

    fn for_head(&mut self, head: &ForHead) {
        match head {
            ForHead::VarDecl(v) if v.kind == VarDeclKind::Var => self.var_decl(v),
            ForHead::UsingDecl(u) => self.using_decl(u),
            _ => {}
        }
    }

    fn decl(&mut self, d: &Decl) {
        let ts = self.scopes.typescript;
        match d {
            Decl::Class(c) if (!c.declare || ts) && !self.in_block => {
                self.scopes.declare(&c.ident, DeclKind::Lexical);
            }
            Decl::Fn(f) => self.fn_decl(f),
            Decl::Var(v) => self.var_decl(v),
            Decl::Using(u) => self.using_decl(u),
            Decl::TsEnum(e) if ts && !self.in_block => {
                self.scopes.declare(&e.id, DeclKind::Lexical);
            }
            Decl::TsModule(m) if ts && !self.in_block && !m.global => {
                if let TsModuleName::Ident(id) = &m.id {
                    self.scopes.declare(id, DeclKind::Lexical);
                }
            }
            _ => {}
        }
    }

    fn module_decl(&mut self, d: &ModuleDecl) {
        match d {
            ModuleDecl::Import(i) => {
                for s in &i.specifiers {
                    let local = match s {
                        ImportSpecifier::Named(n) => &n.local,
                        ImportSpecifier::Default(d) => &d.local,
                        ImportSpecifier::Namespace(n) => &n.local,
                    };
                    self.scopes.declare(local, DeclKind::Lexical);
                }
            }
            ModuleDecl::ExportDecl(e) => self.decl(&e.decl),
            ModuleDecl::ExportDefaultDecl(e) => match &e.decl {
                DefaultDecl::Fn(FnExpr { ident: Some(i), .. }) => {
                    self.scopes.declare(i, DeclKind::Var);
                }
                DefaultDecl::Class(ClassExpr { ident: Some(i), .. }) => {
                    self.scopes.declare(i, DeclKind::Lexical);
                }
                _ => {}
            },
            _ => {}
        }
    }

    fn fn_decl(&mut self, f: &FnDecl) {
        if f.declare && !self.scopes.typescript {
            return;
        }
        if self.catch_params.contains(&f.ident.sym) {
            return;
        }
        if self.in_block {
            // Block functions are block-scoped in strict code; in sloppy code
            // they hoist unless a parameter or lexical declaration is in the way.
            if self.scopes.is_strict() {
                return;
            }
            if matches!(
                self.scopes.declared_kind(&f.ident.sym),
                Some(DeclKind::Lexical | DeclKind::Param)
            ) {
                return;
            }
        }
        self.scopes.declare(&f.ident, DeclKind::Function);
    }

    fn var_decl(&mut self, v: &VarDecl) {
        if v.declare && !self.scopes.typescript {
            return;
        }
        if self.in_block && v.kind != VarDeclKind::Var {
            return;
        }
        let kind = if v.kind == VarDeclKind::Var {
            DeclKind::Var
        } else {
            DeclKind::Lexical
        };
        let old = std::mem::replace(&mut self.kind, kind);
        for d in &v.decls {
            self.pat(&d.name);
        }
        self.kind = old;
    }

    fn using_decl(&mut self, u: &UsingDecl) {
        if self.in_block {
            return;
        }
        let old = std::mem::replace(&mut self.kind, DeclKind::Lexical);
        for d in &u.decls {
            self.pat(&d.name);
        }
        self.kind = old;
    }

    fn pat(&mut self, p: &Pat) {
        for_each_binding(p, &mut |i| self.add(i));
    }

    /// Annex B: `var e` in `catch (e) { … }` is the parameter when the
    /// enclosing function already has an `e`; otherwise the `var` (and the
    /// parameter with it) is the function's.
    fn add(&mut self, id: &Ident) {
        if self.in_catch_body {
            if self.scopes.declared_in_function(&id.sym) && self.catch_params.contains(&id.sym) {
                return;
            }
            self.excluded_from_catch.push(id.sym.clone());
        } else if self.catch_params.contains(&id.sym) && !self.excluded_from_catch.contains(&id.sym)
        {
            return;
        }
        self.scopes.declare(id, self.kind);
    }

    fn catch_clause(&mut self, c: &CatchClause) {
        let old_excluded = std::mem::take(&mut self.excluded_from_catch);
        let old_in_catch_body = self.in_catch_body;
        let old_params = self.catch_params.len();
        if let Some(p) = &c.param {
            for_each_binding(p, &mut |i| self.catch_params.push(i.sym.clone()));
        }
        self.in_catch_body = true;
        self.block(&c.body.stmts);
        self.in_catch_body = false;
        if let Some(p) = &c.param {
            self.pat(p);
        }
        self.catch_params.truncate(old_params);
        self.in_catch_body = old_in_catch_body;
        self.excluded_from_catch = old_excluded;
    }
}

#[cfg(test)]
mod tests {
    use crate::model::semantic::{Binding, BindingKind};
    use crate::model::{FileModel, Root, Value};
    use crate::parse::Dialect;

    fn model(src: &str, dialect: Dialect, f: impl FnOnce(&FileModel)) {
        crate::engine::with_model_for_test(src, dialect, f)
    }

    /// The root of the first argument of each call to the global `name`.
    fn args_of(m: &FileModel, name: &str) -> Vec<Root> {
        m.calls
            .iter()
            .filter(|c| c.callee.path.as_ref().is_some_and(|p| p.is_global(name)))
            .map(|c| match &c.args[0].value {
                Value::Path(p) => p.root.clone(),
                other => panic!("argument is not a path: {other:?}"),
            })
            .collect()
    }

    /// The declaration a root names (`None` for globals and undeclared names).
    fn decl<'m>(m: &'m FileModel, root: &Root) -> Option<&'m Binding> {
        match root {
            Root::Binding(n, c) => m.semantic.binding(&(n.clone(), *c)),
            _ => None,
        }
    }

    fn is_global(root: &Root, name: &str) -> bool {
        matches!(root, Root::Global(g) if g == name)
    }

    #[test]
    fn inner_declarations_shadow_outer_ones_only_inside() {
        let src = "const x = 1;\nfunction f() { const x = 2; use(x); }\nuse(x);\n";
        model(src, Dialect::Js, |m| {
            let roots = args_of(m, "use");
            assert_eq!(roots.len(), 2);
            assert_ne!(roots[0], roots[1]);
            assert!(!decl(m, &roots[0]).unwrap().is_module_level());
            assert!(decl(m, &roots[1]).unwrap().is_module_level());
        });
    }

    #[test]
    fn var_and_functions_are_hoisted_before_their_use() {
        let src = "use(a); use(g);\nfunction h() { use(b); if (c) { var b = 1; } }\nvar a = 1;\nfunction g() {}\n";
        model(src, Dialect::Js, |m| {
            let roots = args_of(m, "use");
            assert_eq!(decl(m, &roots[0]).unwrap().kind, BindingKind::Var);
            assert_eq!(decl(m, &roots[1]).unwrap().kind, BindingKind::Function);
            // `var b` in a nested block belongs to `h`, read before it.
            let b = decl(m, &roots[2]).expect("`b` resolves to the var in the block");
            assert_eq!(b.kind, BindingKind::Var);
            assert!(!b.is_module_level());
        });
    }

    #[test]
    fn let_and_const_are_block_scoped() {
        let src = "let a = 1;\n{ let a = 2; use(a); }\nuse(a);\nfor (let i = 0; i < 2; i++) { use(i); }\nuse(i);\n";
        model(src, Dialect::Js, |m| {
            let roots = args_of(m, "use");
            assert_ne!(roots[0], roots[1], "the block's `a` is its own binding");
            assert!(decl(m, &roots[1]).unwrap().is_module_level());
            assert_eq!(decl(m, &roots[2]).unwrap().kind, BindingKind::Let);
            assert!(
                is_global(&roots[3], "i"),
                "the loop's `i` is not visible after it"
            );
        });
    }

    #[test]
    fn a_lexical_binding_of_a_top_level_loop_is_one_per_turn() {
        let src = "for (const t of ts) { const r = []; use(t); use(r); }\nwhile (go) { var v = 1; use(v); }\nfunction f() { for (;;) { const c = 1; use(c); } }\n";
        model(src, Dialect::Js, |m| {
            let roots = args_of(m, "use");
            let (t, r) = (decl(m, &roots[0]).unwrap(), decl(m, &roots[1]).unwrap());
            for b in [t, r] {
                assert!(!b.is_module_level(), "made anew on each turn");
                assert!(b.is_top_level_declaration(), "still in run-once code");
            }
            // `var` is one binding for the whole module, loop or not.
            assert!(decl(m, &roots[2]).unwrap().is_module_level());
            assert!(decl(m, &roots[3]).unwrap().per_iteration);
        });
    }

    #[test]
    fn closures_see_module_declarations_that_come_later() {
        let src = "function get() { use(cache); }\nconst cache = new Map();\n";
        model(src, Dialect::Js, |m| {
            let root = &args_of(m, "use")[0];
            let b = decl(m, root).expect("the read resolves to the later const");
            assert!(b.is_module_level());
            assert!(matches!(b.init, Some(Value::New { .. })));
        });
    }

    #[test]
    fn parameters_shadow_outer_names_and_defaults_see_parameters() {
        let src = "const t = 1;\nfunction f(t, u = t) { use(t); use(u); }\nconst g = (t) => use(t);\nuse(t);\n";
        model(src, Dialect::Js, |m| {
            let roots = args_of(m, "use");
            assert_eq!(decl(m, &roots[0]).unwrap().kind, BindingKind::Param);
            assert_eq!(decl(m, &roots[1]).unwrap().kind, BindingKind::Param);
            assert_eq!(decl(m, &roots[2]).unwrap().kind, BindingKind::Param);
            assert_ne!(roots[0], roots[2], "each function has its own `t`");
            assert_eq!(decl(m, &roots[3]).unwrap().kind, BindingKind::Const);
        });
    }

    #[test]
    fn catch_parameters_belong_to_their_clause() {
        let src = "const e = 1;\ntry {} catch (e) { use(e); }\nuse(e);\n";
        model(src, Dialect::Js, |m| {
            let roots = args_of(m, "use");
            assert_eq!(decl(m, &roots[0]).unwrap().kind, BindingKind::CatchParam);
            assert_eq!(decl(m, &roots[1]).unwrap().kind, BindingKind::Const);
        });
    }

    #[test]
    fn function_and_class_expression_names_are_visible_only_inside() {
        let src = "const f = function g() { use(g); };\nconst C = class K { m() { use(K); } };\nuse(g); use(K);\n";
        model(src, Dialect::Js, |m| {
            let roots = args_of(m, "use");
            assert!(matches!(&roots[0], Root::Binding(n, _) if n == "g"));
            assert!(matches!(&roots[1], Root::Binding(n, _) if n == "K"));
            assert!(is_global(&roots[2], "g"));
            assert!(is_global(&roots[3], "K"));
        });
    }

    #[test]
    fn block_functions_hoist_in_sloppy_scripts_only() {
        model("if (a) { function g() {} }\nuse(g);\n", Dialect::Js, |m| {
            let root = &args_of(m, "use")[0];
            assert_eq!(decl(m, root).unwrap().kind, BindingKind::Function);
        });
        let strict = "'use strict';\nif (a) { function g() {} }\nuse(g);\n";
        model(strict, Dialect::Js, |m| {
            assert!(is_global(&args_of(m, "use")[0], "g"));
        });
    }

    #[test]
    fn typescript_type_declarations_bind_no_values() {
        let src = "interface Foo { a: number }\ntype Bar = Foo;\nfunction f<T>(x: T): Bar { use(T); return x as Bar; }\nuse(Foo); use(Bar);\n";
        model(src, Dialect::Ts, |m| {
            for root in args_of(m, "use") {
                assert!(
                    matches!(root, Root::Global(_)),
                    "{root:?} is a type, not a value"
                );
            }
            assert!(
                m.semantic
                    .bindings()
                    .all(|(id, _)| !["Foo", "Bar", "T"].contains(&&*id.0)),
                "type names are not value bindings"
            );
        });
    }

    #[test]
    fn typescript_value_declarations_bind() {
        let src = "enum Kind { A, B = A }\nnamespace NS { export const x = 1; }\nimport fs = require('fs');\nuse(Kind); use(NS); use(fs);\ndeclare global { interface Window { x: number } }\nuse(global);\n";
        model(src, Dialect::Ts, |m| {
            let roots = args_of(m, "use");
            assert_eq!(decl(m, &roots[0]).unwrap().kind, BindingKind::Other);
            assert_eq!(
                decl(m, &roots[1]).map(|b| b.kind),
                None,
                "namespaces are not indexed"
            );
            assert!(matches!(&roots[1], Root::Binding(n, _) if n == "NS"));
            assert!(matches!(&roots[2], Root::Binding(n, _) if n == "fs"));
            assert!(
                is_global(&roots[3], "global"),
                "`declare global` binds nothing"
            );
        });
    }

    #[test]
    fn parameter_decorators_do_not_see_the_parameters() {
        let src = "const token = 1;\nclass A { constructor(@Inject(token) token: string) { use(token); } }\n";
        model(src, Dialect::Ts, |m| {
            let decorated = &args_of(m, "Inject")[0];
            assert_eq!(decl(m, decorated).unwrap().kind, BindingKind::Const);
            let inside = &args_of(m, "use")[0];
            assert_eq!(decl(m, inside).unwrap().kind, BindingKind::Param);
        });
    }

    #[test]
    fn re_exports_name_no_local_binding() {
        let src = "const a = 1;\nexport { a as b } from './m';\n";
        model(src, Dialect::Ts, |m| {
            let (id, _) = m.semantic.bindings().find(|(id, _)| id.0 == "a").unwrap();
            assert!(
                m.semantic.references(id).is_empty(),
                "the re-export is another module's `a`"
            );
        });
    }
}
