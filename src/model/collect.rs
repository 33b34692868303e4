//! The single traversal that fills [`FileModel`]: declarations go to the scope
//! index, leak-relevant expressions become facts. Each node is summarised
//! shallowly where it is visited; nothing is re-walked.

use rustc_hash::{FxHashMap, FxHashSet};
use swc_atoms::Atom;
use swc_common::{Span, Spanned};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

use super::scope::{self, DeclKind, ScopeKind, Scopes};
use super::{
    AccessPath, Arg, CallFact, CallId, ClassId, ClassInfo, ClassMember, Conditional, DeleteFact,
    FileModel, FnId, FnInfo, FnKind, Increment, Invocation, Key, LoopFact, LoopKind, LoopTest,
    MemberWrite, ModuleBinding, Props, ResultUse, ReturnFact, Root, TextSpan, Value,
};
use crate::model::BindingWrite;

mod presence;
use crate::model::semantic::{Binding, BindingId, BindingKind, Reference, Semantic};

/// Builds the model of a parsed program, resolving its scopes on the way.
/// `start` is the swc position of the file's first byte; `typescript` says
/// whether the file is TypeScript (ambient `declare` forms bind names).
// Not inlined into the engine, so that profiles show the model's cost apart.
#[inline(never)]
pub fn build<'a>(
    program: &Program,
    start: u32,
    source: &'a str,
    typescript: bool,
) -> FileModel<'a> {
    let unresolved = scope::unresolved();
    // Capacities from the text length (densities measured on the benchmark
    // corpus): growing these vectors by doubling copied every fact again and
    // again (`CallFact` is large), which cost more than collecting them.
    let len = source.len();
    let mut c = Collector {
        start,
        model: FileModel {
            source,
            semantic: Semantic::with_read_capacity(unresolved, len / 48 + 16),
            functions: Vec::with_capacity(len / 384 + 4),
            classes: Vec::new(),
            calls: Vec::with_capacity(len / 128 + 8),
            member_writes: Vec::with_capacity(len / 1024),
            deletes: Vec::new(),
            binding_writes: Vec::with_capacity(len / 2048),
            returns: Vec::with_capacity(len / 384 + 4),
            size_checks: Vec::new(),
            module_bindings: Vec::new(),
            conditionals: Vec::with_capacity(len / 256 + 4),
            loops: Vec::new(),
            declared_types: Vec::new(),
            exports: Vec::new(),
            reexports: Vec::new(),
            instance_scopes: Vec::new(),
            guarded: Vec::with_capacity(len / 256 + 4),
            size_check_ctx: Vec::new(),
            awaits: Vec::new(),
            increments: Vec::new(),
            presence_reads: Vec::new(),
            key_tests: Vec::new(),
            strict_nullish_tests: Vec::new(),
            settings: Default::default(),
            derived: Default::default(),
        },
        scope: Scopes::new(program, typescript, len),
        in_reexport: false,
        fn_stack: Vec::new(),
        class_stack: Vec::new(),
        pending_fn: None,
        use_hints: Hints::default(),
        statement_assigns: FxHashSet::default(),
        var_kind: BindingKind::Var,
        field_init_fns: FxHashMap::default(),
        loop_stack: Vec::new(),
    };
    program.visit_with(&mut c);
    let mut model = c.model;
    // Constructor functions with prototype methods become classes.
    super::prototype::link(&mut model);
    // Bundled modules' wrapper functions hold module state.
    super::module_scope::mark(&mut model);
    model
}

/// What the parent knows about a function before the function is visited.
#[derive(Default)]
struct PendingFn {
    name: Option<Atom>,
    kind: Option<FnKind>,
    class: Option<ClassId>,
    is_static: bool,
    invocation: Option<Invocation>,
    /// The binding whose initialiser this function is.
    declares: Option<BindingId>,
    /// The class member this function implements.
    member: Option<(ClassId, usize)>,
}

type SpanKey = (u32, u32);

struct Collector<'a> {
    start: u32,
    model: FileModel<'a>,
    /// The scopes open at the node being visited.
    scope: Scopes,
    /// Inside `export { … } from 'm'`: the names are the other module's.
    in_reexport: bool,
    fn_stack: Vec<FnId>,
    class_stack: Vec<ClassId>,
    pending_fn: Option<(SpanKey, PendingFn)>,
    /// How the result of the call at a span is used, set by its parent.
    use_hints: Hints,
    /// Assignments that are expression statements.
    statement_assigns: FxHashSet<SpanKey>,
    var_kind: BindingKind,
    /// The synthetic function that runs a class's instance field initialisers.
    field_init_fns: FxHashMap<ClassId, FnId>,
    /// The loops around the node being visited (indices into `model.loops`).
    loop_stack: Vec<usize>,
}

fn key(span: Span) -> SpanKey {
    (span.lo.0, span.hi.0)
}

/// Pending result-use hints, keyed by the span of the call they are for.
///
/// A parent sets a hint just before visiting the expression that holds the
/// call, so the hint is taken a few nodes later and the pending list stays as
/// short as the nesting of hinting parents: a scan from the end finds it
/// faster than hashing. Hints no call takes (`super(…)`, `import(…)`) are
/// dropped when the statement or expression that set them has been visited
/// (see [`Hints::mark`]), so they cannot pile up.
#[derive(Default)]
struct Hints(Vec<(SpanKey, ResultUse)>);

impl Hints {
    /// Sets the hint for a span, replacing an earlier one.
    fn set(&mut self, span: SpanKey, use_: ResultUse) {
        match self.0.iter_mut().rev().find(|(k, _)| *k == span) {
            Some(slot) => slot.1 = use_,
            None => self.0.push((span, use_)),
        }
    }

    /// Removes and returns the hint for a span.
    fn take(&mut self, span: SpanKey) -> Option<ResultUse> {
        let i = self.0.iter().rposition(|(k, _)| *k == span)?;
        Some(self.0.remove(i).1)
    }

    /// The current length: hints set after it are for calls inside the
    /// node being visited.
    fn mark(&self) -> usize {
        self.0.len()
    }

    /// Drops the hints set since `mark` that no call took. Taking a hint only
    /// moves later entries down, so everything past `mark` was set since.
    fn release(&mut self, mark: usize) {
        self.0.truncate(mark);
    }
}

/// Strips parentheses and TypeScript-only wrappers.
fn unwrap(mut e: &Expr) -> &Expr {
    loop {
        e = match e {
            Expr::Paren(p) => &p.expr,
            Expr::TsAs(t) => &t.expr,
            Expr::TsSatisfies(t) => &t.expr,
            Expr::TsNonNull(t) => &t.expr,
            Expr::TsTypeAssertion(t) => &t.expr,
            Expr::TsConstAssertion(t) => &t.expr,
            Expr::TsInstantiation(t) => &t.expr,
            // The indirect call compilers emit for an imported function,
            // `(0, timers_1.clearInterval)(id)` / `(0, _x.default)()`: the
            // value is the last expression (called without a `this`).
            Expr::Seq(s)
                if s.exprs.len() == 2 && matches!(&*s.exprs[0], Expr::Lit(Lit::Num(_))) =>
            {
                &s.exprs[1]
            }
            _ => return e,
        }
    }
}

fn is_function(e: &Expr) -> bool {
    matches!(unwrap(e), Expr::Fn(_) | Expr::Arrow(_))
}

/// The function a callee invokes right away: the callee itself
/// (`(function () {})()`) or the object of its `.call`/`.apply`.
fn immediately_invoked(callee: &Expr) -> Option<&Expr> {
    if is_function(callee) {
        return Some(callee);
    }
    match unwrap(callee) {
        Expr::Member(m)
            if is_function(&m.obj)
                && matches!(&m.prop, MemberProp::Ident(p) if p.sym == "call" || p.sym == "apply") =>
        {
            Some(&m.obj)
        }
        _ => None,
    }
}

fn function_span(e: &Expr) -> Option<Span> {
    match unwrap(e) {
        Expr::Fn(f) => Some(f.function.span),
        Expr::Arrow(a) => Some(a.span),
        _ => None,
    }
}

fn prop_name(p: &PropName) -> Option<Atom> {
    match p {
        PropName::Ident(i) => Some(i.sym.clone()),
        PropName::Str(s) => Some(s.value.to_atom_lossy().into_owned()),
        PropName::Num(n) => Some(Atom::from(n.value.to_string())),
        _ => None,
    }
}

/// The marker used in paths for a computed, dynamic key: `cache[k].x` is `cache.*.x`.
pub const DYNAMIC: &str = "*";

impl Collector<'_> {
    /// Parameter decorators are evaluated outside the method: they do not
    /// see its parameters.
    fn visit_param_decorators(&mut self, decorators: &[Decorator]) {
        if !decorators.is_empty() {
            let cut = self.scope.cut_innermost_function();
            decorators.visit_with(self);
            self.scope.uncut(cut);
        }
    }

    fn range(&self, span: Span) -> TextSpan {
        TextSpan::new(
            span.lo.0.saturating_sub(self.start),
            span.hi.0.saturating_sub(self.start),
        )
    }

    fn push_loop(
        &mut self,
        kind: LoopKind,
        span: Span,
        lo: swc_common::BytePos,
        hi: swc_common::BytePos,
        test: LoopTest,
    ) {
        let repeats = Span::new(lo, hi);
        self.loop_stack.push(self.model.loops.len());
        self.model.loops.push(LoopFact {
            kind,
            span: self.range(span),
            body: self.range(repeats),
            fn_ctx: self.fn_ctx(),
            test,
            awaits: false,
        });
    }

    /// What a loop's test says about its turns.
    fn loop_test(&self, test: &Expr) -> LoopTest {
        if tests_length(test) {
            return LoopTest::Walk;
        }
        match unwrap(test) {
            Expr::Lit(Lit::Bool(Bool { value: true, .. })) => LoopTest::Forever,
            Expr::Lit(Lit::Num(n)) if n.value != 0.0 => LoopTest::Forever,
            Expr::Bin(b)
                if matches!(
                    b.op,
                    BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq
                ) =>
            {
                let literal = |e: &Expr| matches!(unwrap(e), Expr::Lit(Lit::Num(_)));
                let side = if literal(&b.left) { &b.left } else { &b.right };
                LoopTest::Bound(self.value_of(side, 0))
            }
            _ => LoopTest::Other,
        }
    }

    fn fn_ctx(&self) -> Option<FnId> {
        self.fn_stack.last().copied()
    }

    /// Is the node being visited inside a loop of the innermost function (or
    /// of the top level)? A loop around the function itself does not count:
    /// the function's own code runs once per call, not once per turn.
    fn in_loop_of_this_function(&self) -> bool {
        self.loop_stack
            .last()
            .is_some_and(|&l| self.model.loops[l].fn_ctx == self.fn_ctx())
    }

    fn ident_root(&self, i: &Ident) -> Root {
        let ctxt = self.scope.resolve(&i.sym);
        if ctxt == scope::unresolved() {
            Root::Global(i.sym.clone())
        } else {
            Root::Binding(i.sym.clone(), ctxt)
        }
    }

    fn path_of(&self, e: &Expr) -> Option<AccessPath> {
        match unwrap(e) {
            Expr::Ident(i) => Some(AccessPath {
                root: self.ident_root(i),
                props: Props::new(),
            }),
            Expr::This(_) => Some(AccessPath {
                root: Root::This,
                props: Props::new(),
            }),
            Expr::Member(m) => self.member_path(m),
            Expr::OptChain(o) => match &*o.base {
                OptChainBase::Member(m) => self.member_path(m),
                OptChainBase::Call(_) => None,
            },
            _ => None,
        }
    }

    fn member_path(&self, m: &MemberExpr) -> Option<AccessPath> {
        // Extends the base path in place: cloning it at every level would make
        // long member chains (`a.b.b.b…`) quadratic.
        let mut path = self.path_of(&m.obj)?;
        path.props.push(match key_of(&m.prop, &self.scope) {
            Key::Static(a) => a,
            Key::Dynamic { .. } => Atom::from(DYNAMIC),
        });
        Some(path)
    }

    fn value_of(&self, e: &Expr, depth: u8) -> Value {
        match unwrap(e) {
            Expr::Lit(Lit::Null(_)) => Value::Null,
            Expr::Lit(Lit::Bool(_)) => Value::Bool,
            Expr::Lit(Lit::Num(n)) => Value::Num(n.value),
            Expr::Lit(Lit::Str(s)) => Value::Str(s.value.to_atom_lossy().into_owned()),
            Expr::Lit(_) => Value::Other,
            Expr::Ident(i) if i.sym == "undefined" && self.scope.is_unresolved(&i.sym) => {
                Value::Undefined
            }
            Expr::Unary(u) if u.op == UnaryOp::Void => Value::Undefined,
            Expr::Tpl(t) => Value::Template {
                dynamic: !t.exprs.is_empty(),
            },
            Expr::Object(o) => {
                let mut props = Vec::new();
                if depth == 0 {
                    props.reserve_exact(o.props.len());
                    for p in &o.props {
                        match p {
                            PropOrSpread::Prop(p) => match &**p {
                                Prop::KeyValue(kv) => {
                                    if let Some(k) = prop_name(&kv.key) {
                                        props.push((k, self.value_of(&kv.value, depth + 1)));
                                    }
                                }
                                Prop::Shorthand(i) => props.push((
                                    i.sym.clone(),
                                    Value::Path(AccessPath {
                                        root: self.ident_root(i),
                                        props: Props::new(),
                                    }),
                                )),
                                _ => {}
                            },
                            PropOrSpread::Spread(_) => {}
                        }
                    }
                }
                Value::Object {
                    props,
                    empty: o.props.is_empty(),
                }
            }
            Expr::Array(a) => Value::Array {
                empty: a.elems.is_empty(),
            },
            Expr::Fn(_) | Expr::Arrow(_) => Value::Function(None),
            Expr::New(n) => Value::New(Box::new(super::NewValue {
                callee: self.path_of(&n.callee),
                span: self.range(n.span),
            })),
            Expr::Call(c) => {
                let swc_ecma_ast::Callee::Expr(callee) = &c.callee else {
                    return Value::Other;
                };
                let callee_path = self.path_of(callee);
                if let Some(p) = &callee_path {
                    if matches!(&p.root, Root::Global(g) if g == "Object")
                        && p.props.len() == 1
                        && p.props[0] == "create"
                        && c.args
                            .first()
                            .is_some_and(|a| matches!(unwrap(&a.expr), Expr::Lit(Lit::Null(_))))
                    {
                        return Value::ObjectCreateNull;
                    }
                }
                let require_arg = match (&callee_path, c.args.first()) {
                    (Some(p), Some(a)) if p.is_global("require") => match unwrap(&a.expr) {
                        Expr::Lit(Lit::Str(s)) => Some(s.value.to_atom_lossy().into_owned()),
                        _ => None,
                    },
                    _ => None,
                };
                let method = match unwrap(callee) {
                    Expr::Member(m) => match key_of(&m.prop, &self.scope) {
                        Key::Static(a) => Some(a),
                        Key::Dynamic { .. } => None,
                    },
                    _ => None,
                };
                Value::Call(Box::new(super::CallValue {
                    callee: callee_path,
                    method,
                    span: self.range(c.span),
                    require_arg,
                }))
            }
            Expr::Ident(_) | Expr::This(_) | Expr::Member(_) | Expr::OptChain(_) => {
                self.path_of(e).map(Value::Path).unwrap_or(Value::Other)
            }
            _ => Value::Other,
        }
    }

    /// Tells the call (or `new`) at the heart of `e` how its result is used.
    fn hint(&mut self, e: &Expr, use_: ResultUse) {
        self.hint_with(e, || use_);
    }

    /// [`Self::hint`] for a result stored in `target`, built (and boxed)
    /// only when `e` holds a call to tell: most stored values are not calls.
    fn hint_assigned(&mut self, e: &Expr, target: impl FnOnce() -> AccessPath) {
        self.hint_with(e, || ResultUse::Assigned(Box::new(target())));
    }

    fn hint_with(&mut self, e: &Expr, use_: impl FnOnce() -> ResultUse) {
        let mut calls = smallvec::SmallVec::<[Span; 2]>::new();
        hinted_calls(e, &mut calls);
        let Some((last, others)) = calls.split_last() else {
            return;
        };
        let use_ = use_();
        for span in others {
            self.use_hints.set(key(*span), use_.clone());
        }
        self.use_hints.set(key(*last), use_);
    }

    fn set_pending(&mut self, e: &Expr, p: PendingFn) {
        if let Some(span) = function_span(e) {
            self.pending_fn = Some((key(span), p));
        }
    }

    fn take_pending(&mut self, span: Span) -> PendingFn {
        match self.pending_fn.take() {
            Some((k, p)) if k == key(span) => p,
            other => {
                self.pending_fn = other;
                PendingFn::default()
            }
        }
    }

    fn enter_fn(&mut self, span: Span, default_kind: FnKind) -> FnId {
        let p = self.take_pending(span);
        let id = self.model.functions.len();
        self.model.functions.push(FnInfo {
            span: self.range(span),
            parent: self.fn_ctx(),
            kind: p.kind.unwrap_or(default_kind),
            name: p.name,
            class: p.class,
            is_static: p.is_static,
            invocation: p.invocation.unwrap_or(Invocation::Unknown),
            params: 0,
        });
        if let Some(b) = p.declares {
            self.model.semantic.set_init(&b, Value::Function(Some(id)));
        }
        if let Some((class, member)) = p.member {
            self.model.classes[class].members[member].func = Some(id);
        }
        self.fn_stack.push(id);
        id
    }

    fn add_reference(&mut self, ident: &Ident) {
        let reference = Reference {
            span: self.range(ident.span),
            fn_ctx: self.fn_ctx(),
        };
        let id = self.scope.reference(ident);
        self.model.semantic.add_reference(id, reference);
    }

    /// Records a read of a binding through its declaring identifier
    /// (`export function f` hands `f` to other modules).
    fn add_binding_reference(&mut self, ident: &Ident) -> BindingId {
        let reference = Reference {
            span: self.range(ident.span),
            fn_ctx: self.fn_ctx(),
        };
        let id = self.scope.binding(ident);
        self.model.semantic.add_reference(id.clone(), reference);
        id
    }

    fn declare(&mut self, ident: &Ident, kind: BindingKind, init: Option<Value>) {
        let id = self.scope.binding(ident);
        let per_iteration = matches!(
            kind,
            BindingKind::Let | BindingKind::Const | BindingKind::Class
        ) && self.in_loop_of_this_function();
        let binding = Binding {
            kind,
            span: self.range(ident.span),
            fn_ctx: self.fn_ctx(),
            init,
            import_source: None,
            in_module_wrapper: false,
            per_iteration,
        };
        self.model.semantic.declare(id, binding);
    }

    fn declare_pat(&mut self, pat: &Pat, kind: BindingKind, init: Option<Value>) {
        match pat {
            Pat::Ident(b) => {
                self.record_declared_type(b);
                self.declare(&b.id, kind, init)
            }
            Pat::Array(a) => {
                for p in a.elems.iter().flatten() {
                    self.declare_pat(p, kind, None);
                }
            }
            Pat::Object(o) => {
                for p in &o.props {
                    match p {
                        ObjectPatProp::KeyValue(kv) => self.declare_pat(&kv.value, kind, None),
                        ObjectPatProp::Assign(a) => self.declare(&a.key.id, kind, None),
                        ObjectPatProp::Rest(r) => self.declare_pat(&r.arg, kind, None),
                    }
                }
            }
            Pat::Rest(r) => self.declare_pat(&r.arg, kind, None),
            Pat::Assign(a) => self.declare_pat(&a.left, kind, None),
            Pat::Expr(_) | Pat::Invalid(_) => {}
        }
    }

    fn record_call(
        &mut self,
        span: Span,
        callee: Option<&Expr>,
        args: &[ExprOrSpread],
        is_new: bool,
    ) -> CallId {
        let callee_span = callee
            .map(|c| self.range(c.span()))
            .unwrap_or(self.range(span));
        let mut info = super::Callee {
            path: None,
            method: None,
            receiver_span: None,
            receiver_is_call: false,
        };
        if let Some(c) = callee {
            let member = match unwrap(c) {
                Expr::Member(m) => Some(m),
                Expr::OptChain(o) => match &*o.base {
                    OptChainBase::Member(m) => Some(m),
                    OptChainBase::Call(_) => None,
                },
                _ => None,
            };
            if let Some(m) = member {
                info.method = match key_of(&m.prop, &self.scope) {
                    Key::Static(a) => Some(a),
                    Key::Dynamic { .. } => None,
                };
                // The callee's path is the receiver's plus the key: extend it
                // rather than walking the member chain a second time.
                info.path = self.path_of(&m.obj).map(|mut path| {
                    path.props.push(match &info.method {
                        Some(a) => a.clone(),
                        None => Atom::from(DYNAMIC),
                    });
                    path
                });
                info.receiver_span = Some(self.range(m.obj.span()));
                let obj = unwrap(&m.obj);
                info.receiver_is_call = matches!(obj, Expr::Call(_) | Expr::New(_));
                if let Some(method) = &info.method {
                    let method = method.clone();
                    self.hint(&m.obj, ResultUse::MethodCalled(method));
                }
            } else {
                info.path = self.path_of(c);
            }
        }
        let args = args
            .iter()
            .map(|a| Arg {
                span: self.range(a.expr.span()),
                value: self.value_of(&a.expr, 0),
                spread: a.spread.is_some(),
            })
            .collect();
        let result = self.use_hints.take(key(span)).unwrap_or(ResultUse::Other);
        let id = self.model.calls.len();
        self.model.calls.push(CallFact {
            span: self.range(span),
            callee_span,
            is_new,
            callee: info,
            args,
            fn_ctx: self.fn_ctx(),
            result,
        });
        id
    }

    fn visit_call_parts(&mut self, id: CallId, callee: Option<&Expr>, args: &[ExprOrSpread]) {
        if let Some(c) = callee {
            // `(function () { … })()`, or through `.call(this, …)` /
            // `.apply(this, …)`, as CoffeeScript and browserify emit.
            if let Some(f) = immediately_invoked(c) {
                self.set_pending(
                    f,
                    PendingFn {
                        invocation: Some(Invocation::Immediately { call: id }),
                        ..Default::default()
                    },
                );
            }
            c.visit_with(self);
        }
        for (i, a) in args.iter().enumerate() {
            if is_function(&a.expr) {
                self.set_pending(
                    &a.expr,
                    PendingFn {
                        invocation: Some(Invocation::CallbackOf { call: id, arg: i }),
                        ..Default::default()
                    },
                );
                // The function about to be visited gets the next id.
                self.model.calls[id].args[i].value =
                    Value::Function(Some(self.model.functions.len()));
            }
            a.expr.visit_with(self);
        }
    }

    fn class_field_ctx(&mut self, class: ClassId, span: Span) -> FnId {
        if let Some(&f) = self.field_init_fns.get(&class) {
            return f;
        }
        let id = self.model.functions.len();
        self.model.functions.push(FnInfo {
            span: self.range(span),
            parent: self.fn_ctx(),
            kind: FnKind::FieldInit,
            name: None,
            class: Some(class),
            is_static: false,
            invocation: Invocation::Unknown,
            params: 0,
        });
        self.field_init_fns.insert(class, id);
        id
    }

    fn push_conditional(&mut self, span: Span, exits: bool, branch: Option<Span>) {
        let c = Conditional {
            span: self.range(span),
            fn_ctx: self.fn_ctx(),
            exits,
            branch: branch.map(|b| self.range(b)),
        };
        self.model.conditionals.push(c);
    }

    /// `p: AbortSignal` and other plain type references on a binding.
    fn record_declared_type(&mut self, b: &BindingIdent) {
        let Some(ann) = &b.type_ann else { return };
        if let TsType::TsTypeRef(r) = &*ann.type_ann {
            if let TsEntityName::Ident(t) = &r.type_name {
                let id = self.scope.binding(&b.id);
                self.model.declared_types.push((id, t.sym.clone()));
            }
        }
    }

    /// Bindings initialised from `require('m')`, its destructuring or one of its members.
    fn record_require(&mut self, name: &Pat, init: &Expr) {
        let (source, member) = match require_source(init, &self.scope) {
            Some(s) => (s, None),
            None => {
                let Expr::Member(m) = unwrap(init) else {
                    return;
                };
                let Some(s) = require_source(&m.obj, &self.scope) else {
                    return;
                };
                let Key::Static(prop) = key_of(&m.prop, &self.scope) else {
                    return;
                };
                (s, Some(prop))
            }
        };
        let scope = &mut self.scope;
        let mut push = |ident: &Ident, imported: Option<Atom>| {
            self.model.module_bindings.push(ModuleBinding {
                id: scope.binding(ident),
                source: source.clone(),
                imported,
            })
        };
        match name {
            Pat::Ident(b) => push(&b.id, member),
            Pat::Object(o) if member.is_none() => {
                for p in &o.props {
                    match p {
                        ObjectPatProp::KeyValue(kv) => {
                            if let (Some(k), Pat::Ident(b)) = (prop_name(&kv.key), &*kv.value) {
                                push(&b.id, Some(k));
                            }
                        }
                        ObjectPatProp::Assign(a) => push(&a.key.id, Some(a.key.id.sym.clone())),
                        ObjectPatProp::Rest(_) => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// A returned function literal: record its id in the return fact, once
    /// the visit of the returned expression has entered it.
    fn link_returned_function(&mut self, ret: usize, first: FnId, returned: &Expr) {
        let Some(span) = function_span(returned) else {
            return;
        };
        let range = self.range(span);
        if let Some(id) =
            (first..self.model.functions.len()).find(|&f| self.model.functions[f].span == range)
        {
            self.model.returns[ret].value = Value::Function(Some(id));
        }
    }

    /// `(property, decorator)` for each decorator of each class property.
    fn member_decorators(&self, class: &Class) -> Vec<(Atom, Atom)> {
        let mut out = Vec::new();
        for m in &class.body {
            let swc_ecma_ast::ClassMember::ClassProp(p) = m else {
                continue;
            };
            let Some(name) = prop_name(&p.key) else {
                continue;
            };
            out.extend(
                p.decorators
                    .iter()
                    .filter_map(|d| Some((name.clone(), self.decorator_name(d)?))),
            );
        }
        out
    }

    /// `@Component({…})` → `Component`; `@ng.Component()` → `Component`.
    fn decorator_name(&self, d: &Decorator) -> Option<Atom> {
        let target = match unwrap(&d.expr) {
            Expr::Call(c) => match &c.callee {
                swc_ecma_ast::Callee::Expr(e) => &**e,
                _ => return None,
            },
            other => other,
        };
        let path = self.path_of(target)?;
        path.props.last().cloned().or(match path.root {
            Root::Binding(name, _) | Root::Global(name) => Some(name),
            Root::This => None,
        })
    }

    fn record_size_check(&mut self, e: &Expr) {
        let Expr::Member(m) = unwrap(e) else { return };
        let Key::Static(p) = key_of(&m.prop, &self.scope) else {
            return;
        };
        if p != "size" && p != "length" {
            return;
        }
        // `Object.keys(cache).length` bounds `cache`.
        if let Expr::Call(c) = unwrap(&m.obj) {
            if let (swc_ecma_ast::Callee::Expr(callee), Some(arg)) = (&c.callee, c.args.first()) {
                let is_keys = self.path_of(callee).is_some_and(|p| {
                    matches!(&p.root, Root::Global(g) if g == "Object")
                        && matches!(p.props.as_slice(), [k] if k == "keys" || k == "values" || k == "entries")
                });
                if is_keys {
                    if let Some(path) = self.path_of(&arg.expr) {
                        self.model.size_checks.push(path);
                    }
                }
            }
            return;
        }
        if let Some(path) = self.path_of(&m.obj) {
            self.model.size_checks.push(path);
            let ctx = self.fn_ctx();
            self.model
                .size_check_ctx
                .push((self.model.size_checks.len() - 1, ctx));
        }
    }
}

/// Does a loop's test read the `.length` or `.size` of something
/// (`i < items.length`, `queue.length > 0`, `!stack.length`)?
fn tests_length(e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Member(m) => {
            matches!(&m.prop, MemberProp::Ident(p) if p.sym == "length" || p.sym == "size")
        }
        Expr::Bin(b) => tests_length(&b.left) || tests_length(&b.right),
        Expr::Unary(u) => tests_length(&u.arg),
        _ => false,
    }
}

/// The spans of the calls (or `new`s) whose result is the value of `e`, in
/// source order.
fn hinted_calls(e: &Expr, out: &mut smallvec::SmallVec<[Span; 2]>) {
    let inner = match unwrap(e) {
        Expr::Await(a) => unwrap(&a.arg),
        other => other,
    };
    match inner {
        Expr::Call(c) => out.push(c.span),
        Expr::New(n) => out.push(n.span),
        Expr::OptChain(o) => match &*o.base {
            OptChainBase::Call(c) => out.push(c.span),
            OptChainBase::Member(_) => {}
        },
        // `x = cond ? new A() : null`, `x = x ?? new A()`: either branch is the result.
        Expr::Cond(c) => {
            hinted_calls(&c.cons, out);
            hinted_calls(&c.alt, out);
        }
        // `a || b()`, `a ?? b()`: either side; `cond && b()`: the right side
        // (the left is only tested).
        Expr::Bin(b) if matches!(b.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing) => {
            hinted_calls(&b.left, out);
            hinted_calls(&b.right, out);
        }
        Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => hinted_calls(&b.right, out),
        _ => {}
    }
}

/// Does a branch leave the function (`return`, `throw`) at its top level?
fn branch_exits(s: &Stmt) -> bool {
    match s {
        Stmt::Return(_) | Stmt::Throw(_) => true,
        Stmt::Block(b) => b
            .stmts
            .iter()
            .any(|s| matches!(s, Stmt::Return(_) | Stmt::Throw(_))),
        _ => false,
    }
}

/// The module of `require('m')`.
fn require_source(e: &Expr, scope: &Scopes) -> Option<Atom> {
    let Expr::Call(c) = unwrap(e) else {
        return None;
    };
    let swc_ecma_ast::Callee::Expr(callee) = &c.callee else {
        return None;
    };
    let Expr::Ident(i) = unwrap(callee) else {
        return None;
    };
    if i.sym != "require" || !scope.is_unresolved(&i.sym) || c.args.len() != 1 {
        return None;
    }
    match unwrap(&c.args[0].expr) {
        Expr::Lit(Lit::Str(s)) => Some(s.value.to_atom_lossy().into_owned()),
        _ => None,
    }
}

/// The key of a member access.
pub(crate) fn key_of(prop: &MemberProp, scope: &Scopes) -> Key {
    match prop {
        MemberProp::Ident(i) => Key::Static(i.sym.clone()),
        MemberProp::PrivateName(p) => Key::Static(Atom::from(format!("#{}", p.name))),
        MemberProp::Computed(c) => match unwrap(&c.expr) {
            Expr::Lit(Lit::Str(s)) => Key::Static(s.value.to_atom_lossy().into_owned()),
            Expr::Lit(Lit::Num(n)) => Key::Static(Atom::from(n.value.to_string())),
            Expr::Tpl(t) if t.exprs.is_empty() => {
                Key::Static(t.quasis.first().map(|q| q.raw.clone()).unwrap_or_default())
            }
            Expr::Ident(i) => Key::Dynamic {
                ident: Some(scope.reference(i)),
            },
            _ => Key::Dynamic { ident: None },
        },
    }
}

impl Visit for Collector<'_> {
    fn visit_expr(&mut self, n: &Expr) {
        if let Expr::Ident(i) = n {
            self.add_reference(i);
        }
        n.visit_children_with(self);
    }

    fn visit_prop(&mut self, n: &Prop) {
        // `{ x }` reads `x` without an `Expr::Ident`.
        if let Prop::Shorthand(i) = n {
            self.add_reference(i);
        }
        n.visit_children_with(self);
    }

    fn visit_expr_stmt(&mut self, n: &ExprStmt) {
        let mark = self.use_hints.mark();
        let inner = match unwrap(&n.expr) {
            Expr::Await(a) => unwrap(&a.arg),
            e => e,
        };
        match inner {
            Expr::Assign(a) => {
                self.statement_assigns.insert(key(a.span));
            }
            other => self.hint(other, ResultUse::Discarded),
        }
        n.visit_children_with(self);
        self.use_hints.release(mark);
    }

    fn visit_var_decl(&mut self, n: &VarDecl) {
        let kind = match n.kind {
            VarDeclKind::Var => BindingKind::Var,
            VarDeclKind::Let => BindingKind::Let,
            VarDeclKind::Const => BindingKind::Const,
        };
        for d in &n.decls {
            self.var_kind = kind;
            self.visit_var_declarator(d);
        }
    }

    fn visit_using_decl(&mut self, n: &UsingDecl) {
        for d in &n.decls {
            self.var_kind = BindingKind::Other;
            self.visit_var_declarator(d);
        }
    }

    fn visit_var_declarator(&mut self, n: &VarDeclarator) {
        let mark = self.use_hints.mark();
        let kind = self.var_kind;
        if let Some(init) = &n.init {
            self.record_require(&n.name, init);
        }
        match (&n.name, &n.init) {
            (Pat::Ident(b), Some(init)) => {
                let value = self.value_of(init, 0);
                self.declare(&b.id, kind, Some(value));
                let id = self.scope.binding(&b.id);
                self.hint_assigned(init, || AccessPath::binding(id.clone()));
                if is_function(init) {
                    self.set_pending(
                        init,
                        PendingFn {
                            name: Some(b.id.sym.clone()),
                            declares: Some(id),
                            ..Default::default()
                        },
                    );
                }
            }
            (pat, _) => self.declare_pat(pat, kind, None),
        }
        n.visit_children_with(self);
        self.use_hints.release(mark);
    }

    fn visit_fn_decl(&mut self, n: &FnDecl) {
        self.declare(&n.ident, BindingKind::Function, Some(Value::Function(None)));
        let id = self.scope.binding(&n.ident);
        self.pending_fn = Some((
            key(n.function.span),
            PendingFn {
                name: Some(n.ident.sym.clone()),
                kind: Some(FnKind::Declaration),
                declares: Some(id),
                ..Default::default()
            },
        ));
        n.function.visit_with(self);
    }

    fn visit_function(&mut self, n: &Function) {
        self.scope
            .push_function(n.body.as_ref().map(|b| b.stmts.as_slice()));
        for p in &n.params {
            self.scope.declare_pat(&p.pat, DeclKind::Param);
        }
        let id = self.enter_fn(n.span, FnKind::Expression);
        self.model.functions[id].params = n.params.len();
        for p in &n.params {
            self.declare_pat(&p.pat, BindingKind::Param, None);
        }
        n.visit_children_with(self);
        self.fn_stack.pop();
        self.scope.pop();
    }

    fn visit_fn_expr(&mut self, n: &FnExpr) {
        // A named function expression sees its own name, in a scope of its
        // own between the enclosing code and the function.
        match &n.ident {
            Some(name) => {
                self.scope.push(ScopeKind::Fn, false);
                self.scope.declare(name, DeclKind::Function);
                n.function.visit_with(self);
                self.scope.pop();
            }
            None => n.function.visit_with(self),
        }
    }

    fn visit_param(&mut self, n: &Param) {
        self.visit_param_decorators(&n.decorators);
        n.pat.visit_with(self);
    }

    fn visit_ts_param_prop(&mut self, n: &TsParamProp) {
        self.visit_param_decorators(&n.decorators);
        n.param.visit_with(self);
    }

    fn visit_module_items(&mut self, n: &[ModuleItem]) {
        self.scope.hoist_module_items(n);
        for item in n {
            item.visit_with(self);
        }
    }

    fn visit_stmts(&mut self, n: &[Stmt]) {
        self.scope.hoist_stmts(n);
        for s in n {
            s.visit_with(self);
        }
    }

    fn visit_block_stmt(&mut self, n: &BlockStmt) {
        self.scope.push(ScopeKind::Block, false);
        self.visit_stmts(&n.stmts);
        self.scope.pop();
    }

    fn visit_for_stmt(&mut self, n: &ForStmt) {
        let repeats = n
            .test
            .as_ref()
            .map(|t| t.span())
            .or(n.update.as_ref().map(|u| u.span()))
            .unwrap_or(n.body.span());
        let test = match n.test.as_deref() {
            Some(t) => self.loop_test(t),
            None => LoopTest::Forever,
        };
        self.push_loop(LoopKind::For, n.span, repeats.lo, n.body.span().hi, test);
        self.scope.push(ScopeKind::Block, false);
        if let Some(VarDeclOrExpr::VarDecl(v)) = &n.init {
            for d in &v.decls {
                self.scope.declare_pat(&d.name, DeclKind::Lexical);
            }
        }
        n.visit_children_with(self);
        self.scope.pop();
        self.loop_stack.pop();
    }

    fn visit_for_in_stmt(&mut self, n: &ForInStmt) {
        self.record_presence_read(&n.right);
        let body = n.body.span();
        self.push_loop(LoopKind::ForIn, n.span, body.lo, body.hi, LoopTest::Walk);
        self.scope.push(ScopeKind::Block, false);
        self.declare_for_head(&n.left);
        n.visit_children_with(self);
        self.scope.pop();
        self.loop_stack.pop();
    }

    fn visit_for_of_stmt(&mut self, n: &ForOfStmt) {
        self.record_presence_read(&n.right);
        self.record_entry_walk(n);
        // `for await` reads a stream: as many times as it delivers.
        let body = n.body.span();
        let test = if n.is_await {
            LoopTest::Forever
        } else {
            LoopTest::Walk
        };
        self.push_loop(LoopKind::ForOf, n.span, body.lo, body.hi, test);
        self.scope.push(ScopeKind::Block, false);
        self.declare_for_head(&n.left);
        n.visit_children_with(self);
        self.scope.pop();
        self.loop_stack.pop();
    }

    fn visit_while_stmt(&mut self, n: &WhileStmt) {
        let test = self.loop_test(&n.test);
        self.push_loop(LoopKind::While, n.span, n.span.lo, n.span.hi, test);
        n.visit_children_with(self);
        self.loop_stack.pop();
    }

    fn visit_do_while_stmt(&mut self, n: &DoWhileStmt) {
        let test = self.loop_test(&n.test);
        self.push_loop(LoopKind::DoWhile, n.span, n.span.lo, n.span.hi, test);
        n.visit_children_with(self);
        self.loop_stack.pop();
    }

    fn visit_update_expr(&mut self, n: &UpdateExpr) {
        if let (UpdateOp::PlusPlus, Expr::Ident(i)) = (n.op, &*n.arg) {
            let id = self.scope.reference(i);
            self.model.increments.push(Increment {
                id,
                span: self.range(n.span),
                fn_ctx: self.fn_ctx(),
            });
        }
        n.visit_children_with(self);
    }

    fn visit_await_expr(&mut self, n: &AwaitExpr) {
        let span = self.range(n.span);
        self.model.awaits.push(span);
        // Every loop of this function around the `await` waits on each turn.
        let ctx = self.fn_ctx();
        for &l in self.loop_stack.iter().rev() {
            let fact = &mut self.model.loops[l];
            if fact.fn_ctx != ctx {
                break;
            }
            fact.awaits = true;
        }
        n.visit_children_with(self);
    }

    fn visit_ts_module_decl(&mut self, n: &TsModuleDecl) {
        // `declare global { … }` names no binding: `global` stays the global.
        if let (TsModuleName::Ident(id), false) = (&n.id, n.global) {
            self.scope.declare(id, DeclKind::Lexical);
        }
        self.scope.push(ScopeKind::Block, false);
        n.body.visit_with(self);
        self.scope.pop();
    }

    fn visit_ts_namespace_decl(&mut self, n: &TsNamespaceDecl) {
        // `namespace A.B {}`: `B` is declared inside `A`.
        self.scope.declare(&n.id, DeclKind::Lexical);
        n.body.visit_with(self);
    }

    fn visit_ts_import_equals_decl(&mut self, n: &TsImportEqualsDecl) {
        self.scope.declare(&n.id, DeclKind::Lexical);
        n.visit_children_with(self);
    }

    fn visit_arrow_expr(&mut self, n: &ArrowExpr) {
        self.scope.push_function(match &*n.body {
            ArrowFunctionBody::FunctionBody(b) => Some(b.stmts.as_slice()),
            _ => None,
        });
        for p in &n.params {
            self.scope.declare_pat(p, DeclKind::Param);
        }
        let id = self.enter_fn(n.span, FnKind::Arrow);
        self.model.functions[id].params = n.params.len();
        for p in &n.params {
            self.declare_pat(p, BindingKind::Param, None);
        }
        let mut returned = None;
        if let ArrowFunctionBody::Expr(e) = &*n.body {
            let value = self.value_of(e, 0);
            returned = Some((self.model.returns.len(), self.model.functions.len()));
            self.model.returns.push(ReturnFact {
                fn_ctx: self.fn_ctx(),
                value,
                span: self.range(e.span()),
            });
            self.hint(e, ResultUse::Returned);
        }
        n.visit_children_with(self);
        if let (Some((ret, first)), ArrowFunctionBody::Expr(e)) = (returned, &*n.body) {
            self.link_returned_function(ret, first, e);
        }
        self.fn_stack.pop();
        self.scope.pop();
    }

    fn visit_constructor(&mut self, n: &Constructor) {
        let class = self.class_stack.last().copied();
        self.pending_fn = Some((
            key(n.span),
            PendingFn {
                name: Some("constructor".into()),
                kind: Some(FnKind::Constructor),
                class,
                ..Default::default()
            },
        ));
        self.scope
            .push_function(n.body.as_ref().map(|b| b.stmts.as_slice()));
        for p in &n.params {
            match p {
                ParamOrTsParamProp::Param(p) => self.scope.declare_pat(&p.pat, DeclKind::Param),
                ParamOrTsParamProp::TsParamProp(tp) => match &tp.param {
                    TsParamPropParam::Ident(b) => {
                        self.scope.declare(&b.id, DeclKind::Param);
                    }
                    TsParamPropParam::Assign(a) => self.scope.declare_pat(&a.left, DeclKind::Param),
                },
            }
        }
        let id = self.enter_fn(n.span, FnKind::Constructor);
        self.model.functions[id].params = n.params.len();
        for p in &n.params {
            match p {
                ParamOrTsParamProp::Param(p) => self.declare_pat(&p.pat, BindingKind::Param, None),
                ParamOrTsParamProp::TsParamProp(tp) => match &tp.param {
                    TsParamPropParam::Ident(b) => self.declare(&b.id, BindingKind::Param, None),
                    TsParamPropParam::Assign(a) => {
                        self.declare_pat(&a.left, BindingKind::Param, None)
                    }
                },
            }
        }
        n.visit_children_with(self);
        self.fn_stack.pop();
        self.scope.pop();
    }

    fn visit_getter_prop(&mut self, n: &GetterProp) {
        self.pending_fn = Some((
            key(n.function.span),
            PendingFn {
                name: prop_name(&n.key),
                kind: Some(FnKind::Getter),
                ..Default::default()
            },
        ));
        n.visit_children_with(self);
    }

    fn visit_setter_prop(&mut self, n: &SetterProp) {
        self.pending_fn = Some((
            key(n.function.span),
            PendingFn {
                name: prop_name(&n.key),
                kind: Some(FnKind::Setter),
                ..Default::default()
            },
        ));
        n.visit_children_with(self);
    }

    fn visit_method_prop(&mut self, n: &MethodProp) {
        self.pending_fn = Some((
            key(n.function.span),
            PendingFn {
                name: prop_name(&n.key),
                kind: Some(FnKind::Method),
                ..Default::default()
            },
        ));
        n.visit_children_with(self);
    }

    fn visit_key_value_prop(&mut self, n: &KeyValueProp) {
        if is_function(&n.value) {
            self.set_pending(
                &n.value,
                PendingFn {
                    name: prop_name(&n.key),
                    ..Default::default()
                },
            );
        }
        n.visit_children_with(self);
    }

    fn visit_class_decl(&mut self, n: &ClassDecl) {
        self.declare(&n.ident, BindingKind::Class, Some(Value::Other));
        let id = self.scope.binding(&n.ident);
        // Class bodies are strict code.
        self.scope.push(ScopeKind::Fn, true);
        self.visit_class_with_name(&n.class, Some(n.ident.sym.clone()), Some(id));
        self.scope.pop();
    }

    fn visit_class_expr(&mut self, n: &ClassExpr) {
        // A named class expression binds its name inside itself only.
        self.scope.push(ScopeKind::Fn, true);
        self.visit_class_expr_in_scope(n);
        self.scope.pop();
    }

    fn visit_ts_enum_decl(&mut self, n: &TsEnumDecl) {
        let id = self.scope.binding(&n.id);
        self.scope.push_enum(&n.members);
        // An enum is an object of constants: `Kind.A` is a fixed key.
        let mut next = 0.0;
        let props = n
            .members
            .iter()
            .filter_map(|m| {
                let name = match &m.id {
                    TsEnumMemberId::Ident(i) => i.sym.clone(),
                    TsEnumMemberId::Str(s) => s.value.to_atom_lossy().into_owned(),
                    #[allow(unreachable_patterns)]
                    _ => return None,
                };
                let value = match &m.init {
                    Some(init) => self.value_of(init, 1),
                    None => Value::Num(next),
                };
                if let Value::Num(v) = value {
                    next = v + 1.0;
                }
                Some((name, value))
            })
            .collect();
        let init = Value::Object {
            props,
            empty: n.members.is_empty(),
        };
        let binding = Binding {
            kind: BindingKind::Other,
            span: self.range(n.id.span),
            fn_ctx: self.fn_ctx(),
            init: Some(init),
            import_source: None,
            in_module_wrapper: false,
            per_iteration: false,
        };
        self.model.semantic.declare(id, binding);
        n.visit_children_with(self);
        self.scope.pop();
    }

    fn visit_export_decl(&mut self, n: &ExportDecl) {
        // Exporting hands the binding to other modules: record it as a read,
        // so "only used here" questions see that it is used elsewhere.
        // It is also recorded as an export, for the "called once" analysis.
        match &n.decl {
            Decl::Fn(f) => {
                let id = self.add_binding_reference(&f.ident);
                self.model.exports.push(id);
            }
            Decl::Class(c) => {
                let id = self.add_binding_reference(&c.ident);
                self.model.exports.push(id);
            }
            Decl::Var(v) => {
                for d in &v.decls {
                    if let Pat::Ident(b) = &d.name {
                        let id = self.add_binding_reference(&b.id);
                        self.model.exports.push(id);
                    }
                }
            }
            _ => {}
        }
        n.visit_children_with(self);
    }

    fn visit_export_named_specifier(&mut self, n: &ExportNamedSpecifier) {
        if let (ModuleExportName::Ident(i), false) = (&n.orig, self.in_reexport) {
            self.add_reference(i);
        }
        n.visit_children_with(self);
    }

    fn visit_catch_clause(&mut self, n: &CatchClause) {
        // The parameter and the body share one scope.
        self.scope.push(ScopeKind::Fn, false);
        if let Some(p) = &n.param {
            self.scope.declare_pat(p, DeclKind::Lexical);
            self.declare_pat(p, BindingKind::CatchParam, None);
            p.visit_with(self);
        }
        self.visit_stmts(&n.body.stmts);
        self.scope.pop();
    }

    fn visit_import_decl(&mut self, n: &ImportDecl) {
        let source = n.src.value.to_atom_lossy().into_owned();
        for s in &n.specifiers {
            let (local, imported) = match s {
                ImportSpecifier::Named(n) => (
                    &n.local,
                    Some(match &n.imported {
                        Some(ModuleExportName::Ident(i)) => i.sym.clone(),
                        Some(ModuleExportName::Str(s)) => s.value.to_atom_lossy().into_owned(),
                        None => n.local.sym.clone(),
                    }),
                ),
                ImportSpecifier::Default(d) => (&d.local, Some(Atom::from("default"))),
                ImportSpecifier::Namespace(ns) => (&ns.local, None),
            };
            let id = self.scope.binding(local);
            self.model.module_bindings.push(ModuleBinding {
                id: id.clone(),
                source: source.clone(),
                imported,
            });
            let binding = Binding {
                kind: BindingKind::Import,
                span: self.range(local.span),
                fn_ctx: None,
                init: None,
                import_source: Some(source.clone()),
                in_module_wrapper: false,
                per_iteration: false,
            };
            self.model.semantic.declare(id, binding);
        }
    }

    fn visit_named_export(&mut self, n: &NamedExport) {
        if n.src.is_none() {
            for s in &n.specifiers {
                if let ExportSpecifier::Named(ExportNamedSpecifier {
                    orig: ModuleExportName::Ident(i),
                    ..
                }) = s
                {
                    let id = self.scope.reference(i);
                    self.model.exports.push(id);
                }
            }
        }
        if let Some(src) = &n.src {
            self.model
                .reexports
                .push(src.value.to_atom_lossy().into_owned());
        }
        self.in_reexport = n.src.is_some();
        n.visit_children_with(self);
        self.in_reexport = false;
    }

    fn visit_export_all(&mut self, n: &ExportAll) {
        self.model
            .reexports
            .push(n.src.value.to_atom_lossy().into_owned());
    }

    fn visit_export_default_decl(&mut self, n: &ExportDefaultDecl) {
        // The name of `export default function f` / `class C` is declared in
        // the module (by the hoisting scan), not in a scope of its own.
        match &n.decl {
            DefaultDecl::Fn(f) => {
                if let Some(i) = &f.ident {
                    let id = self.scope.binding(i);
                    self.model.exports.push(id);
                }
                f.function.visit_with(self);
            }
            DefaultDecl::Class(c) => self.visit_class_expr_in_scope(c),
            _ => n.visit_children_with(self),
        }
    }

    fn visit_export_default_expr(&mut self, n: &ExportDefaultExpr) {
        if let Expr::Ident(i) = unwrap(&n.expr) {
            let id = self.scope.reference(i);
            self.model.exports.push(id);
        }
        n.visit_children_with(self);
    }

    fn visit_return_stmt(&mut self, n: &ReturnStmt) {
        if let Some(arg) = &n.arg {
            let mark = self.use_hints.mark();
            let value = self.value_of(arg, 0);
            let (ret, first) = (self.model.returns.len(), self.model.functions.len());
            self.model.returns.push(ReturnFact {
                fn_ctx: self.fn_ctx(),
                value,
                span: self.range(n.span),
            });
            self.hint(arg, ResultUse::Returned);
            n.visit_children_with(self);
            self.use_hints.release(mark);
            self.link_returned_function(ret, first, arg);
            return;
        }
        self.model.returns.push(ReturnFact {
            fn_ctx: self.fn_ctx(),
            value: Value::Undefined,
            span: self.range(n.span),
        });
    }

    fn visit_switch_case(&mut self, n: &SwitchCase) {
        self.model.guarded.push(self.range(n.span));
        // Each case's statements are hoisted when the case is reached, before
        // its test (the order swc's resolver used).
        self.scope.hoist_stmts(&n.cons);
        n.test.visit_with(self);
        for s in &n.cons {
            s.visit_with(self);
        }
    }

    fn visit_call_expr(&mut self, n: &CallExpr) {
        match &n.callee {
            swc_ecma_ast::Callee::Expr(callee) => {
                let id = self.record_call(n.span, Some(callee), &n.args, false);
                self.visit_call_parts(id, Some(callee), &n.args);
            }
            _ => n.visit_children_with(self),
        }
    }

    fn visit_opt_call(&mut self, n: &OptCall) {
        let id = self.record_call(n.span, Some(&n.callee), &n.args, false);
        self.visit_call_parts(id, Some(&n.callee), &n.args);
    }

    fn visit_opt_chain_expr(&mut self, n: &OptChainExpr) {
        // A statement `a?.b()` hints the chain's span; pass it to the call.
        if let OptChainBase::Call(c) = &*n.base {
            if let Some(h) = self.use_hints.take(key(n.span)) {
                self.use_hints.set(key(c.span), h);
            }
        }
        n.visit_children_with(self);
    }

    fn visit_new_expr(&mut self, n: &NewExpr) {
        let args = n.args.as_deref().unwrap_or(&[]);
        let id = self.record_call(n.span, Some(&n.callee), args, true);
        self.visit_call_parts(id, Some(&n.callee), args);
    }

    fn visit_assign_expr(&mut self, n: &AssignExpr) {
        let mark = self.use_hints.mark();
        let op = n.op.as_str();
        let value = self.value_of(&n.right, 0);
        match &n.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(b)) => {
                let id = self.scope.reference(&b.id);
                self.model.binding_writes.push(BindingWrite {
                    id: id.clone(),
                    value,
                    span: self.range(n.span),
                    fn_ctx: self.fn_ctx(),
                });
                self.hint_assigned(&n.right, || AccessPath::binding(id));
                if is_function(&n.right) {
                    self.set_pending(
                        &n.right,
                        PendingFn {
                            name: Some(b.id.sym.clone()),
                            ..Default::default()
                        },
                    );
                }
            }
            AssignTarget::Simple(SimpleAssignTarget::Member(m)) => {
                if let Some(object) = self.path_of(&m.obj) {
                    let k = key_of(&m.prop, &self.scope);
                    let target = object.child(match &k {
                        Key::Static(a) => a.clone(),
                        Key::Dynamic { .. } => Atom::from(DYNAMIC),
                    });
                    if is_function(&n.right) {
                        self.set_pending(
                            &n.right,
                            PendingFn {
                                name: match &k {
                                    Key::Static(a) => Some(a.clone()),
                                    _ => None,
                                },
                                ..Default::default()
                            },
                        );
                    }
                    let key_span = match &m.prop {
                        MemberProp::Computed(c) => self.range(c.expr.span()),
                        MemberProp::Ident(i) => self.range(i.span),
                        MemberProp::PrivateName(p) => self.range(p.span),
                    };
                    let key_path = match &m.prop {
                        MemberProp::Computed(c) => self.path_of(&c.expr),
                        _ => None,
                    };
                    let ensures_entry = match op {
                        "||=" | "??=" => true,
                        "=" => match unwrap(&n.right) {
                            Expr::Bin(b)
                                if matches!(
                                    b.op,
                                    BinaryOp::LogicalOr | BinaryOp::NullishCoalescing
                                ) =>
                            {
                                match unwrap(&b.left) {
                                    Expr::Member(l) => {
                                        key_of(&l.prop, &self.scope) == k
                                            && self.path_of(&l.obj).as_ref() == Some(&object)
                                    }
                                    _ => false,
                                }
                            }
                            _ => false,
                        },
                        _ => false,
                    };
                    // `o.x = o.x || {}` keeps `o.x` or creates `{}`: what it
                    // creates is the value a container question asks about.
                    let value = match unwrap(&n.right) {
                        Expr::Bin(b) if ensures_entry && op == "=" => self.value_of(&b.right, 0),
                        _ => value,
                    };
                    self.model.member_writes.push(MemberWrite {
                        object,
                        key: k,
                        key_path,
                        key_span,
                        value,
                        op,
                        span: self.range(n.span),
                        target_span: self.range(m.span),
                        object_span: self.range(m.obj.span()),
                        fn_ctx: self.fn_ctx(),
                        is_statement: self.statement_assigns.contains(&key(n.span)),
                        ensures_entry,
                    });
                    self.hint_assigned(&n.right, || target);
                }
            }
            _ => {}
        }
        n.visit_children_with(self);
        self.use_hints.release(mark);
    }

    fn visit_unary_expr(&mut self, n: &UnaryExpr) {
        if n.op == UnaryOp::Delete {
            let member = match unwrap(&n.arg) {
                Expr::Member(m) => Some(m),
                Expr::OptChain(o) => match &*o.base {
                    OptChainBase::Member(m) => Some(m),
                    OptChainBase::Call(_) => None,
                },
                _ => None,
            };
            if let Some(m) = member {
                if let Some(object) = self.path_of(&m.obj) {
                    self.model.deletes.push(DeleteFact {
                        object,
                        key: key_of(&m.prop, &self.scope),
                        span: self.range(n.span),
                        fn_ctx: self.fn_ctx(),
                    });
                }
            }
        }
        n.visit_children_with(self);
    }

    fn visit_if_stmt(&mut self, n: &IfStmt) {
        let exits = branch_exits(&n.cons) || n.alt.as_deref().is_some_and(branch_exits);
        self.push_conditional(n.span, exits, Some(n.cons.span()));
        self.model.guarded.push(self.range(n.cons.span()));
        if let Some(alt) = &n.alt {
            self.model.guarded.push(self.range(alt.span()));
        }
        n.visit_children_with(self);
    }

    fn visit_cond_expr(&mut self, n: &CondExpr) {
        self.push_conditional(n.span, false, Some(n.cons.span()));
        self.model.guarded.push(self.range(n.cons.span()));
        self.model.guarded.push(self.range(n.alt.span()));
        n.visit_children_with(self);
    }

    fn visit_switch_stmt(&mut self, n: &SwitchStmt) {
        self.push_conditional(n.span, false, None);
        n.discriminant.visit_with(self);
        self.scope.push(ScopeKind::Block, false);
        n.cases.visit_with(self);
        self.scope.pop();
    }

    fn visit_bin_expr(&mut self, n: &BinExpr) {
        use BinaryOp::*;
        if matches!(n.op, LogicalAnd | LogicalOr | NullishCoalescing) {
            self.push_conditional(n.span, false, Some(n.right.span()));
        }
        if matches!(
            n.op,
            Lt | LtEq | Gt | GtEq | EqEq | EqEqEq | NotEq | NotEqEq
        ) {
            self.record_size_check(&n.left);
            self.record_size_check(&n.right);
        }
        if matches!(n.op, LogicalAnd | LogicalOr | NullishCoalescing) {
            self.model.guarded.push(self.range(n.right.span()));
        }
        self.record_presence_test(n);
        n.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, n: &MemberExpr) {
        self.record_size_read(n);
        n.visit_children_with(self);
    }

    fn visit_spread_element(&mut self, n: &SpreadElement) {
        // `{ ...c }` copies every key, null entries included.
        self.record_presence_read(&n.expr);
        n.visit_children_with(self);
    }

    fn visit_array_lit(&mut self, n: &ArrayLit) {
        // `[...c]` iterates every entry.
        for e in n.elems.iter().flatten() {
            if e.spread.is_some() {
                self.record_presence_read(&e.expr);
            }
        }
        n.visit_children_with(self);
    }
}

impl Collector<'_> {
    /// The bindings of a `for (let …; …)`/`for (const x of …)` head belong
    /// to the loop's scope; a `var` there was hoisted already.
    fn declare_for_head(&mut self, head: &ForHead) {
        match head {
            ForHead::VarDecl(v) => {
                for d in &v.decls {
                    self.scope.declare_pat(&d.name, DeclKind::Lexical);
                }
            }
            ForHead::UsingDecl(u) => {
                for d in &u.decls {
                    self.scope.declare_pat(&d.name, DeclKind::Lexical);
                }
            }
            _ => {}
        }
    }

    /// A class expression, with the scope its name is declared in already open.
    fn visit_class_expr_in_scope(&mut self, n: &ClassExpr) {
        let name = n.ident.as_ref().map(|i| i.sym.clone());
        // A named class expression (`export default class Pool {…}`) binds its
        // name: `Pool.instances` inside it names the class itself.
        let binding = n.ident.as_ref().map(|i| self.scope.binding(i));
        self.visit_class_with_name(&n.class, name, binding);
    }

    fn visit_class_with_name(
        &mut self,
        class: &Class,
        name: Option<Atom>,
        binding: Option<BindingId>,
    ) {
        let id = self.model.classes.len();
        let super_class = class.super_class.as_deref().and_then(|s| self.path_of(s));
        self.model.classes.push(ClassInfo {
            name,
            binding,
            span: self.range(class.span),
            super_class,
            members: Vec::new(),
            fn_ctx: self.fn_ctx(),
            decorators: class
                .decorators
                .iter()
                .filter_map(|d| self.decorator_name(d))
                .collect(),
            member_decorators: self.member_decorators(class),
        });
        for d in &class.decorators {
            d.visit_with(self);
        }
        if let Some(s) = &class.super_class {
            s.visit_with(self);
        }
        self.class_stack.push(id);
        for member in &class.body {
            self.visit_class_member_of(id, member);
        }
        self.class_stack.pop();
    }

    fn push_member(&mut self, class: ClassId, m: ClassMember) -> usize {
        let members = &mut self.model.classes[class].members;
        members.push(m);
        members.len() - 1
    }

    fn visit_class_member_of(&mut self, class: ClassId, member: &swc_ecma_ast::ClassMember) {
        use swc_ecma_ast::ClassMember as M;
        match member {
            M::Method(m) => self.visit_method_like(
                class,
                prop_name(&m.key),
                m.is_static,
                m.kind,
                &m.function,
                m.span,
            ),
            M::PrivateMethod(m) => self.visit_method_like(
                class,
                Some(Atom::from(format!("#{}", m.key.name))),
                m.is_static,
                m.kind,
                &m.function,
                m.span,
            ),
            M::ClassProp(p) => self.visit_prop_like(
                class,
                prop_name(&p.key),
                p.is_static,
                p.value.as_deref(),
                p.span,
                member,
            ),
            M::PrivateProp(p) => self.visit_prop_like(
                class,
                Some(Atom::from(format!("#{}", p.key.name))),
                p.is_static,
                p.value.as_deref(),
                p.span,
                member,
            ),
            M::Constructor(c) => {
                let idx = self.push_member(
                    class,
                    ClassMember {
                        name: "constructor".into(),
                        is_static: false,
                        func: Some(self.model.functions.len()),
                        value: None,
                        span: self.range(c.span),
                    },
                );
                let _ = idx;
                c.visit_with(self);
            }
            other => other.visit_with(self),
        }
    }

    fn visit_method_like(
        &mut self,
        class: ClassId,
        name: Option<Atom>,
        is_static: bool,
        kind: MethodKind,
        function: &Function,
        span: Span,
    ) {
        let name = name.unwrap_or_else(|| Atom::from("[computed]"));
        let idx = self.push_member(
            class,
            ClassMember {
                name: name.clone(),
                is_static,
                func: None,
                value: None,
                span: self.range(span),
            },
        );
        self.pending_fn = Some((
            key(function.span),
            PendingFn {
                name: Some(name),
                kind: Some(match kind {
                    MethodKind::Method => FnKind::Method,
                    MethodKind::Getter => FnKind::Getter,
                    MethodKind::Setter => FnKind::Setter,
                }),
                class: Some(class),
                is_static,
                member: Some((class, idx)),
                ..Default::default()
            },
        ));
        function.visit_with(self);
    }

    fn visit_prop_like(
        &mut self,
        class: ClassId,
        name: Option<Atom>,
        is_static: bool,
        value: Option<&Expr>,
        span: Span,
        member: &swc_ecma_ast::ClassMember,
    ) {
        let name = name.unwrap_or_else(|| Atom::from("[computed]"));
        let summary = value.map(|v| self.value_of(v, 0));
        let idx = self.push_member(
            class,
            ClassMember {
                name: name.clone(),
                is_static,
                func: None,
                value: summary,
                span: self.range(span),
            },
        );
        if let Some(v) = value {
            if is_function(v) {
                self.set_pending(
                    v,
                    PendingFn {
                        name: Some(name.clone()),
                        // Arrow fields bind `this` to the instance: they behave as methods.
                        kind: Some(FnKind::Method),
                        class: Some(class),
                        is_static,
                        member: Some((class, idx)),
                        ..Default::default()
                    },
                );
            } else if !is_static {
                // Instance field initialisers run once per instance, like a constructor.
                let f = self.class_field_ctx(class, span);
                self.hint_assigned(v, || AccessPath {
                    root: Root::This,
                    props: smallvec::smallvec![name],
                });
                self.fn_stack.push(f);
                member.visit_children_with(self);
                self.fn_stack.pop();
                return;
            }
        }
        member.visit_children_with(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_replace_take_and_release_like_a_map() {
        let mut h = Hints::default();
        h.set((1, 9), ResultUse::Discarded);
        h.set((3, 5), ResultUse::Returned);
        // Setting a span again replaces its hint, as a map insert would.
        h.set((1, 9), ResultUse::Other);
        assert_eq!(h.take((1, 9)), Some(ResultUse::Other));
        assert_eq!(h.take((1, 9)), None, "a hint is taken once");
        let mark = h.mark();
        h.set((6, 7), ResultUse::Discarded);
        // Taking an entry below the mark moves later ones down; release still
        // drops only what was set after the mark.
        assert_eq!(h.take((3, 5)), Some(ResultUse::Returned));
        h.release(mark);
        assert_eq!(h.take((6, 7)), Some(ResultUse::Discarded));
        let mark = h.mark();
        h.set((8, 9), ResultUse::Discarded);
        h.release(mark);
        assert_eq!(
            h.take((8, 9)),
            None,
            "unclaimed hints are dropped on release"
        );
    }

    #[test]
    fn a_hint_reaches_its_call_through_nesting_and_unclaimed_ones_do_not_leak() {
        // `super(…)` and `import(…)` take no hint; the calls after them must
        // still get their own.
        let src = "class A extends B { constructor() { super(); import('x'); f(); } }\n\
                   const t = setInterval(g, 1);\n\
                   x = a ? h() : null;\n";
        crate::engine::with_model_for_test(src, crate::parse::Dialect::Ts, |m| {
            let result = |name: &str| {
                m.calls
                    .iter()
                    .find(|c| c.callee.path.as_ref().is_some_and(|p| p.is_global(name)))
                    .map(|c| c.result.clone())
            };
            assert_eq!(result("f"), Some(ResultUse::Discarded));
            assert!(matches!(
                result("setInterval"),
                Some(ResultUse::Assigned(_))
            ));
            assert!(matches!(result("h"), Some(ResultUse::Assigned(_))));
        });
    }
}
