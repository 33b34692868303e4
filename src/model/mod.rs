//! The per-file model that every rule reads: the scope index (bindings) and the
//! leak-relevant facts (calls, member writes, deletes, functions, classes),
//! collected in **one** traversal, which also resolves scopes (see `scope`).
//!
//! Rules never walk the AST themselves: one shared pass keeps the cost of all
//! rules together close to the cost of a single visit (see docs/architecture.md).

mod collect;
pub mod derived;
pub mod module_scope;
pub mod path;
mod prototype;
pub(crate) mod scope;
pub mod semantic;
mod span;
mod value;

use std::ops::Range;
use std::sync::Arc;

use swc_atoms::Atom;
use swc_common::SyntaxContext;

pub use collect::{DYNAMIC, build};
pub use path::{AccessPath, Props, Root};
pub use span::{ByteRange, TextSpan};
pub use value::{CallValue, NewValue, Value};

use crate::model::semantic::Semantic;
use crate::settings::Settings;

pub type FnId = usize;
pub type ClassId = usize;
pub type CallId = usize;

/// What kind of function a body is: it decides how often the body runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FnKind {
    Declaration,
    Expression,
    Arrow,
    Method,
    Constructor,
    Getter,
    Setter,
    /// Instance field initialisers of a class: they run once per instance.
    FieldInit,
}

/// How a function is invoked, when the code says so at the definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invocation {
    Unknown,
    /// `(function () { … })()`: invoked by call `call`.
    Immediately {
        call: CallId,
    },
    /// Passed as argument `arg` of call `call`.
    CallbackOf {
        call: CallId,
        arg: usize,
    },
}

#[derive(Clone, Debug)]
pub struct FnInfo {
    pub span: TextSpan,
    pub parent: Option<FnId>,
    pub kind: FnKind,
    /// Declared name, method name, or the variable/property it is assigned to.
    pub name: Option<Atom>,
    pub class: Option<ClassId>,
    pub is_static: bool,
    pub invocation: Invocation,
    /// Number of declared parameters (a rest parameter counts as one).
    pub params: usize,
}

/// A class member as far as lifetime analysis cares.
#[derive(Clone, Debug)]
pub struct ClassMember {
    pub name: Atom,
    pub is_static: bool,
    pub func: Option<FnId>,
    pub value: Option<Value>,
    pub span: TextSpan,
}

#[derive(Clone, Debug)]
pub struct ClassInfo {
    pub name: Option<Atom>,
    /// The binding of a class declaration or of the variable it is assigned to.
    pub binding: Option<(Atom, SyntaxContext)>,
    pub span: TextSpan,
    pub super_class: Option<AccessPath>,
    pub members: Vec<ClassMember>,
    pub fn_ctx: Option<FnId>,
    /// Names of the class decorators (`Component` for `@Component({…})`).
    pub decorators: Vec<Atom>,
    /// `(property, decorator)` of decorated properties (`@ViewChild(…) sort`).
    pub member_decorators: Vec<(Atom, Atom)>,
}

/// How the value a call returns is used.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultUse {
    /// Expression statement: the result is thrown away.
    Discarded,
    /// Stored in a variable or property. Boxed: few calls are assigned, and
    /// every call fact would otherwise carry a path's room.
    Assigned(Box<AccessPath>),
    /// Returned from the enclosing function (or an arrow's expression body).
    Returned,
    /// Receiver of a further method call: `setInterval(…).unref()`.
    MethodCalled(Atom),
    /// Passed to another call, used in an expression, …
    Other,
}

/// What a callee is: `f()`, `a.b.c()`, `foo().on()`.
#[derive(Clone, Debug)]
pub struct Callee {
    /// The full access path of the callee, when it has one (`a.b.c`).
    pub path: Option<AccessPath>,
    /// The method name for member calls (`c` in `a.b.c()`).
    pub method: Option<Atom>,
    /// Source range of the receiver expression; `Some` exactly for member
    /// calls. The receiver's path is not stored: it is `path` without its
    /// last key (see [`Callee::receiver`]), and a second path would make
    /// every call fact a third larger.
    pub receiver_span: Option<TextSpan>,
    /// The receiver was created in place (`new X().on(…)`, `foo().on(…)`).
    pub receiver_is_call: bool,
}

#[derive(Clone, Debug)]
pub struct Arg {
    pub span: TextSpan,
    pub value: Value,
    pub spread: bool,
}

#[derive(Clone, Debug)]
pub struct CallFact {
    pub span: TextSpan,
    pub callee_span: TextSpan,
    pub is_new: bool,
    pub callee: Callee,
    pub args: Vec<Arg>,
    pub fn_ctx: Option<FnId>,
    pub result: ResultUse,
}

/// A key written to or deleted from a container.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// `o.x`, `o['x']`, `o[0]`.
    Static(Atom),
    /// Anything computed at run time; `ident` when it is a plain identifier.
    Dynamic {
        ident: Option<(Atom, SyntaxContext)>,
    },
}

/// `object[key] op value`.
#[derive(Clone, Debug)]
pub struct MemberWrite {
    pub object: AccessPath,
    pub key: Key,
    /// The access path of a computed key that has one (`KEYS.port` in
    /// `o[KEYS.port]`), to tell constant members from dynamic values.
    pub key_path: Option<AccessPath>,
    pub key_span: TextSpan,
    pub value: Value,
    /// `=`, `??=`, `||=`, …
    pub op: &'static str,
    /// The whole assignment.
    pub span: TextSpan,
    /// The member expression on the left.
    pub target_span: TextSpan,
    /// The object expression on the left.
    pub object_span: TextSpan,
    pub fn_ctx: Option<FnId>,
    /// The assignment is a statement of its own (its value is unused).
    pub is_statement: bool,
    /// The write keeps an existing entry and creates one only when it is
    /// missing: `o[k] = o[k] || {}`, `o[k] ??= {}`, `o[k] ||= []`.
    pub ensures_entry: bool,
}

/// `delete object[key]`.
#[derive(Clone, Debug)]
pub struct DeleteFact {
    pub object: AccessPath,
    pub key: Key,
    pub span: TextSpan,
    pub fn_ctx: Option<FnId>,
}

/// `name = value` (a binding written after its declaration).
#[derive(Clone, Debug)]
pub struct BindingWrite {
    pub id: (Atom, SyntaxContext),
    pub value: Value,
    pub span: TextSpan,
    pub fn_ctx: Option<FnId>,
}

/// `n++`, `++n` or `n += 1` on a plain binding.
#[derive(Clone, Debug)]
pub struct Increment {
    pub id: (Atom, SyntaxContext),
    pub span: TextSpan,
    pub fn_ctx: Option<FnId>,
}

/// `return value` (or an arrow's expression body). A returned function
/// literal is `Value::Function(Some(id))`; a bare `return;` is `Value::Undefined`.
#[derive(Clone, Debug)]
pub struct ReturnFact {
    pub fn_ctx: Option<FnId>,
    pub value: Value,
    pub span: TextSpan,
}

/// A binding that names a module or one of its exports: `import x from 'm'`,
/// `import { a as b } from 'm'`, `const x = require('m')`,
/// `const { a } = require('m')`, `const a = require('m').a`.
#[derive(Clone, Debug)]
pub struct ModuleBinding {
    pub id: (Atom, SyntaxContext),
    /// The module specifier.
    pub source: Atom,
    /// The export the binding names (`default`, `memoize`); `None` for a
    /// namespace import or a whole `require(…)`.
    pub imported: Option<Atom>,
}

/// A branch point: `if`, `? :`, `&&`/`||`/`??`, `switch`.
#[derive(Clone, Debug)]
pub struct Conditional {
    /// The whole statement or expression.
    pub span: TextSpan,
    pub fn_ctx: Option<FnId>,
    /// An `if` with a branch that returns or throws (an early exit).
    pub exits: bool,
    /// The code that runs when the test passes: the consequent of an `if`
    /// or `?:`, the right operand of `&&`/`||`/`??`; `None` for `switch`.
    pub branch: Option<TextSpan>,
}

/// What kind of loop a [`LoopFact`] is; its keyword, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopKind {
    For,
    ForIn,
    ForOf,
    While,
    DoWhile,
}

impl LoopKind {
    /// The loop as source spells it: `for`, `for…in`, `while`.
    pub fn keyword(self) -> &'static str {
        match self {
            LoopKind::For => "for",
            LoopKind::ForIn => "for…in",
            LoopKind::ForOf => "for…of",
            LoopKind::While => "while",
            LoopKind::DoWhile => "do…while",
        }
    }
}

/// A loop statement: the code in `body` runs again and again within one
/// run of `fn_ctx` (at top level too).
#[derive(Clone, Debug)]
pub struct LoopFact {
    pub kind: LoopKind,
    /// The whole statement (its start is what a message quotes).
    pub span: TextSpan,
    /// The part that repeats: test, update and body of a `for`, the body of
    /// a `for…in`/`for…of` (its collection is evaluated once), the whole of
    /// a `while`.
    pub body: TextSpan,
    pub fn_ctx: Option<FnId>,
    /// What decides the number of turns, as far as the head shows.
    pub test: LoopTest,
    /// The loop's own function awaits inside it: every turn waits for
    /// something outside (a stream, a queue, a timer).
    pub awaits: bool,
}

/// What decides how many turns a loop takes.
#[derive(Clone, Debug, PartialEq)]
pub enum LoopTest {
    /// One turn per element of a collection at hand: a `for…in`/`for…of`
    /// (not `for await`), or a test that reads a `.length`/`.size`
    /// (`i < items.length`, as compilers write `for…of`; `while (queue.length)`).
    Walk,
    /// No end in the head: no test or a constant one (`for (;;)`,
    /// `while (true)`), or `for await` over a stream.
    Forever,
    /// A comparison with this value (`i < 256`, `i < n`): the side that is
    /// a number literal, else the right-hand side.
    Bound(Value),
    /// Anything else (`while (node)`, `while ((m = re.exec(s)))`).
    Other,
}

/// Everything rules know about one file.
pub struct FileModel<'a> {
    pub source: &'a str,
    pub semantic: Semantic,
    pub functions: Vec<FnInfo>,
    pub classes: Vec<ClassInfo>,
    pub calls: Vec<CallFact>,
    pub member_writes: Vec<MemberWrite>,
    pub deletes: Vec<DeleteFact>,
    pub binding_writes: Vec<BindingWrite>,
    pub returns: Vec<ReturnFact>,
    /// Conditions of `if`/`while`/ternaries that read `.size` or `.length`
    /// of a path: the usual shape of a bounded container.
    pub size_checks: Vec<AccessPath>,
    /// Imports and `require(…)` bindings with their module.
    pub module_bindings: Vec<ModuleBinding>,
    /// Branch points, in source order.
    pub conditionals: Vec<Conditional>,
    /// Loop statements, in source order.
    pub loops: Vec<LoopFact>,
    /// Bindings declared with a plain type reference: `signal: AbortSignal`.
    pub declared_types: Vec<((Atom, SyntaxContext), Atom)>,
    /// Bindings exported with ES module syntax (`export function f`, `export { f }`).
    pub exports: Vec<(Atom, SyntaxContext)>,
    /// Module specifiers this file re-exports from (`export { f } from './a'`,
    /// `export * from './a'`): what they export is reachable from here too.
    pub reexports: Vec<Atom>,
    /// Byte ranges whose top-level code runs once per component instance
    /// (Vue `<script setup>`, Svelte's instance `<script>`); set by the engine
    /// for single-file components, empty otherwise.
    pub instance_scopes: Vec<Range<usize>>,
    /// Code that runs only when a condition holds: branches of `if`, `?:`
    /// and `switch`, right operands of `&&`, `||` and `??`.
    pub guarded: Vec<TextSpan>,
    /// For direct `x.length`/`x.size` comparisons: the index in
    /// `size_checks` and the function the comparison is in.
    pub size_check_ctx: Vec<(usize, Option<FnId>)>,
    /// `await` expressions, in source order.
    pub awaits: Vec<TextSpan>,
    /// Bindings stepped up by one: `n++`, `++n`, `n += 1`.
    pub increments: Vec<Increment>,
    /// Containers read in a way that tells a null entry from a missing key
    /// (`k in c`, `c[k] === null`, `for (k in c)`, `{ ...c }`, `c.size`), as
    /// spelled. Calls that do the same (`c.has(k)`) are in `calls`.
    pub presence_reads: Vec<AccessPath>,
    /// Containers whose entries are tested for one key (`k in c`,
    /// `c[k] === null`, `typeof c[k] === 'undefined'`): a subset of
    /// `presence_reads` that asks about a key rather than walking them all.
    pub key_tests: Vec<AccessPath>,
    /// Bindings compared strictly with null or undefined (`v === null`):
    /// where `v` holds an entry (`const v = c.get(k)`), `c` is read that way.
    pub strict_nullish_tests: Vec<(Atom, SyntaxContext)>,
    /// What the project's config says about its own code (bounded cache
    /// constructors, effect-like hooks); set by the engine from the rules
    /// the file is linted with, empty by default.
    pub settings: Arc<Settings>,
    /// Shared analyses of this file, computed on first use (see `analysis`).
    pub derived: derived::Derived,
}

impl<'a> FileModel<'a> {
    /// The text of a byte range.
    pub fn text(&self, span: &impl ByteRange) -> &'a str {
        self.source.get(span.byte_range()).unwrap_or("")
    }

    /// The 1-based line of a byte offset, as messages quote it ("line 12").
    /// The line starts are found once per file: counting newlines from the
    /// start for every finding was quadratic in a bundle with thousands.
    pub fn line_of(&self, pos: usize) -> usize {
        struct NewlineOffsets(Vec<usize>);
        let newlines = self.derived.get_or_init(|| {
            NewlineOffsets(
                // `match_indices` of a `char` searches with memchr: a byte
                // filter cost half a percent of a run.
                self.source.match_indices('\n').map(|(i, _)| i).collect(),
            )
        });
        // Newlines before `pos`, plus one.
        newlines.0.partition_point(|&i| i < pos) + 1
    }

    /// For a bare local that is not a parameter and starts out as another
    /// path (`const timers = this.timers`): that path, and the function the
    /// local is declared in. Code working on the local works on the path.
    pub fn local_alias_of(&self, local: &AccessPath) -> Option<(&AccessPath, Option<FnId>)> {
        if !local.props.is_empty() {
            return None;
        }
        let b = self.semantic.binding(&local.root_binding()?)?;
        match &b.init {
            Some(Value::Path(p)) if b.kind != semantic::BindingKind::Param => Some((p, b.fn_ctx)),
            _ => None,
        }
    }

    /// The class whose instance `this` refers to in a function context:
    /// arrows inherit `this` from their parent.
    pub fn this_class(&self, fn_ctx: Option<FnId>) -> Option<ClassId> {
        let mut current = fn_ctx;
        while let Some(id) = current {
            let f = &self.functions[id];
            if f.kind != FnKind::Arrow {
                return f.class;
            }
            current = f.parent;
        }
        None
    }

    /// The function that owns `this` for a context (skipping arrows).
    pub fn this_function(&self, fn_ctx: Option<FnId>) -> Option<FnId> {
        let mut current = fn_ctx;
        while let Some(id) = current {
            if self.functions[id].kind != FnKind::Arrow {
                return Some(id);
            }
            current = self.functions[id].parent;
        }
        None
    }

    /// Does code at `fn_ctx` run as part of a class constructor (directly, or
    /// in an arrow function written there)?
    pub fn in_constructor(&self, fn_ctx: Option<FnId>) -> bool {
        self.this_function(fn_ctx)
            .is_some_and(|f| self.functions[f].kind == FnKind::Constructor)
    }

    /// Is `inner` the same function as `outer` or nested inside it?
    pub fn is_within(&self, inner: Option<FnId>, outer: FnId) -> bool {
        let mut current = inner;
        while let Some(id) = current {
            if id == outer {
                return true;
            }
            current = self.functions[id].parent;
        }
        false
    }

    /// Calls of one method name, in source order.
    /// The immediately invoked function of each IIFE call
    /// (`(function () { … })()`), by the call.
    pub fn iife_of_call(&self) -> rustc_hash::FxHashMap<CallId, FnId> {
        self.functions
            .iter()
            .enumerate()
            .filter_map(|(f, info)| match info.invocation {
                Invocation::Immediately { call } => Some((call, f)),
                _ => None,
            })
            .collect()
    }

    pub fn method_calls<'m>(&'m self, name: &'m str) -> impl Iterator<Item = &'m CallFact> + 'm {
        let index = self.derived.get_or_init(|| MethodCalls::build(self));
        index
            .0
            .get(name)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &self.calls[i])
    }

    /// Calls of a global function (`setInterval`, `window.setInterval`, …),
    /// also through Node's `timers` module (`timers.setInterval`, compiled
    /// `(0, timers_1.clearInterval)(id)`, `import { setInterval } from
    /// 'node:timers'`), which exports the same functions.
    pub fn global_calls<'m>(&'m self, name: &'m str) -> impl Iterator<Item = &'m CallFact> + 'm {
        let index = self.derived.get_or_init(|| GlobalCalls::build(self));
        index
            .0
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&i| &self.calls[i])
    }

    /// The function of Node's `timers` module a callee names, if it does.
    pub fn timers_function(&self, callee: &Callee) -> Option<Atom> {
        let path = callee.path.as_ref()?;
        let id = path.root_binding()?;
        let import = self.module_bindings.iter().find(|b| b.id == id)?;
        if !matches!(import.source.as_ref(), "timers" | "node:timers") {
            return None;
        }
        match (&import.imported, path.props.as_slice()) {
            (None, [name]) => Some(name.clone()),
            (Some(name), []) => Some(name.clone()),
            _ => None,
        }
    }

    /// Is the path a `.size`/`.length` bound checked somewhere in the file?
    pub fn has_size_check(&self, path: &AccessPath) -> bool {
        self.size_checks.iter().any(|p| p == path)
    }
}

/// The calls of each global function (see [`FileModel::global_calls`]), in
/// source order: rules ask for several names per file, and a scan of every
/// call per name (each checking the file's imports for Node's `timers`) was
/// 1.6% of a run.
struct GlobalCalls(rustc_hash::FxHashMap<Box<str>, Vec<CallId>>);

/// The calls of each method name (`x.set(…)`, `new` included), in source
/// order: rules ask "every `.set()` call", "every `.release()` call" once
/// per container or per listener, and a scan of every call per question was
/// quadratic in large bundles.
struct MethodCalls(rustc_hash::FxHashMap<Box<str>, Vec<CallId>>);

impl MethodCalls {
    fn build(model: &FileModel) -> Self {
        let mut index: rustc_hash::FxHashMap<Box<str>, Vec<CallId>> = Default::default();
        for (i, c) in model.calls.iter().enumerate() {
            let Some(m) = &c.callee.method else { continue };
            match index.get_mut(m.as_ref()) {
                Some(calls) => calls.push(i),
                None => {
                    index.insert(m.as_ref().into(), vec![i]);
                }
            }
        }
        MethodCalls(index)
    }
}

impl GlobalCalls {
    fn build(model: &FileModel) -> Self {
        let timers = model
            .module_bindings
            .iter()
            .any(|b| matches!(b.source.as_ref(), "timers" | "node:timers"));
        let mut index: rustc_hash::FxHashMap<Box<str>, Vec<CallId>> = Default::default();
        for (i, c) in model.calls.iter().enumerate().filter(|(_, c)| !c.is_new) {
            // A callee names at most one: a global root, or a binding
            // imported from `timers`.
            let name = c
                .callee
                .global_function()
                .or_else(|| timers.then(|| model.timers_function(&c.callee)).flatten());
            let Some(name) = name else { continue };
            match index.get_mut(name.as_ref()) {
                Some(calls) => calls.push(i),
                None => {
                    index.insert(name.as_ref().into(), vec![i]);
                }
            }
        }
        GlobalCalls(index)
    }
}

impl Callee {
    /// The object a method is called on, when it is a plain access path
    /// (`a.b` in `a.b.c()`).
    pub fn receiver(&self) -> Option<AccessPath> {
        let (root, props) = self.receiver_parts()?;
        Some(AccessPath {
            root: root.clone(),
            props: props.iter().cloned().collect(),
        })
    }

    /// Is the method called on `path` itself? Compares without building
    /// the receiver's path.
    pub fn receiver_is(&self, path: &AccessPath) -> bool {
        self.receiver_parts()
            .is_some_and(|(root, props)| *root == path.root && props == path.props.as_slice())
    }

    /// Does the call have a receiver with an access path?
    pub fn has_receiver(&self) -> bool {
        self.receiver_parts().is_some()
    }

    /// The receiver's root and keys: the callee's path less its last key.
    fn receiver_parts(&self) -> Option<(&Root, &[Atom])> {
        self.receiver_span?;
        let path = self.path.as_ref()?;
        let (_, props) = path.props.split_last()?;
        Some((&path.root, props))
    }

    /// The name of a global function called directly or through a global
    /// object: `setInterval()`, `window.setInterval()`, `globalThis.setInterval()`.
    /// A local binding with the same name does not count.
    pub fn global_function(&self) -> Option<Atom> {
        let path = self.path.as_ref()?;
        let Root::Global(root) = &path.root else {
            return None;
        };
        match path.props.as_slice() {
            [] => Some(root.clone()),
            [name] if path::is_global_object_name(root) => Some(name.clone()),
            _ => None,
        }
    }
}

/// Array methods that call their callback synchronously, during the call
/// itself: the callback runs as often as the code that calls them.
pub fn is_iteration_method(name: &str) -> bool {
    matches!(
        name,
        "forEach"
            | "map"
            | "filter"
            | "reduce"
            | "reduceRight"
            | "some"
            | "every"
            | "find"
            | "findIndex"
            | "findLast"
            | "findLastIndex"
            | "flatMap"
            | "sort"
    )
}

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use super::*;
    use crate::model::semantic::Binding;

    /// The spans' text of the calls `global_calls(name)` returns.
    fn global_calls_of(src: &str, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        crate::engine::with_model_for_test(src, crate::parse::Dialect::Ts, |m| {
            out = m
                .global_calls(name)
                .map(|c| m.text(&c.span).to_string())
                .collect();
        });
        out
    }

    #[test]
    fn global_calls_in_source_order_through_global_objects_and_timers() {
        let src = "import { setInterval as every } from 'node:timers';\n\
                   import * as timers from 'timers';\n\
                   setInterval(a, 1);\n\
                   window.setInterval(b, 2);\n\
                   every(c, 3);\n\
                   timers.setInterval(d, 4);\n\
                   globalThis.setInterval(e, 5);\n\
                   new setInterval(f, 6);\n\
                   this.setInterval(g, 7);\n\
                   setTimeout(h, 8);\n";
        assert_eq!(
            global_calls_of(src, "setInterval"),
            [
                "setInterval(a, 1)",
                "window.setInterval(b, 2)",
                "every(c, 3)",
                "timers.setInterval(d, 4)",
                "globalThis.setInterval(e, 5)",
            ]
        );
        assert_eq!(global_calls_of(src, "setTimeout"), ["setTimeout(h, 8)"]);
        assert!(global_calls_of(src, "clearInterval").is_empty());
    }

    #[test]
    fn a_local_or_an_import_from_elsewhere_is_not_the_global_function() {
        let src = "import { setInterval as every } from './mine';\n\
                   function setTimeout(f) {}\n\
                   every(a, 1);\n\
                   setTimeout(b, 2);\n\
                   { const setInterval = () => {}; setInterval(c, 3); }\n";
        assert!(global_calls_of(src, "setInterval").is_empty());
        assert!(global_calls_of(src, "setTimeout").is_empty());
    }

    /// A large bundle has hundreds of thousands of these alive beside its AST
    /// while the model is built: growing one raises the peak memory of a run.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn facts_stay_small() {
        let sizes = [
            ("CallFact", size_of::<CallFact>(), 152),
            ("Callee", size_of::<Callee>(), 72),
            ("Arg", size_of::<Arg>(), 64),
            ("Value", size_of::<Value>(), 48),
            ("ResultUse", size_of::<ResultUse>(), 16),
            ("MemberWrite", size_of::<MemberWrite>(), 240),
            ("FnInfo", size_of::<FnInfo>(), 88),
            ("Binding", size_of::<Binding>(), 88),
        ];
        for (name, size, limit) in sizes {
            assert!(size <= limit, "{name} grew to {size} bytes (limit {limit})");
        }
    }
}
