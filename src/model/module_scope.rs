//! Functions whose body is a module's top level in all but syntax.
//!
//! Bundlers and compilers wrap each module in a function: webpack and
//! browserify factories (`function (module, exports, require) { … }`),
//! esbuild's `__commonJS` factories, UMD and rollup IIFEs
//! (`(function (root, factory) { … })(this, function () { … })`). Each
//! runs once, when the module loads, so what it declares lives as long as
//! the module would have: a `var cache = {}` in a webpack factory is module
//! state, not a local that dies with a call. Marking those bindings as
//! module level lets every rule treat bundled code like its source.

use rustc_hash::FxHashMap;

use crate::model::semantic::BindingKind;
use crate::model::{CallId, FileModel, FnId, Invocation, ResultUse};

/// The parameter names [`is_module_factory`] reads, without the digits
/// esbuild appends to clashing wrappers' parameters (`exports2`, `module2`).
const FACTORY_PARAMS: &[&str] = &[
    "module",
    "exports",
    "__webpack_require__",
    "__unused_webpack_module",
    "__webpack_exports__",
];

fn base_name(param: &str) -> &str {
    param.trim_end_matches(|c: char| c.is_ascii_digit())
}

/// Parameter names that make a function a bundler's module factory. Takes
/// the names as an iterator so that callers holding bindings need not
/// collect them into a vector per function first.
pub fn is_module_factory<'p>(params: impl Iterator<Item = &'p str> + Clone) -> bool {
    let has = |n: &str| params.clone().any(|p| base_name(p) == n);
    (has("module") && has("exports"))
        || has("__webpack_require__")
        || has("__unused_webpack_module")
        || has("__webpack_exports__")
}

/// Marks every binding declared directly in a module wrapper as module
/// level. Wrappers are module factories, immediately invoked functions run
/// at module level (not in a loop), and the factory a module-level IIFE is
/// handed (UMD), nested to any depth.
pub(super) fn mark(model: &mut FileModel) {
    let n = model.functions.len();
    if n == 0 {
        return;
    }
    // Factory parameters, per function: (module, exports, webpack names).
    let mut names: Vec<Vec<&str>> = vec![Vec::new(); n];
    for (id, b) in model.semantic.bindings() {
        if let (BindingKind::Param, Some(f)) = (b.kind, b.fn_ctx) {
            if FACTORY_PARAMS.contains(&base_name(&id.0)) {
                names[f].push(id.0.as_ref());
            }
        }
    }
    let iife_of_call = model.iife_of_call();
    let mut wrapper = vec![false; n];
    // Parents come before their children, and an IIFE's callee before its
    // arguments, so one pass in order settles every function.
    for f in 0..n {
        wrapper[f] = is_module_factory(names[f].iter().copied())
            || runs_once_at_module_level(model, &iife_of_call, &wrapper, f);
    }
    if !wrapper.contains(&true) {
        return;
    }
    // A `let`/`const` in a loop's body stays one per turn: the binding says
    // so itself (`Binding::per_iteration`).
    model
        .semantic
        .mark_module_scope(|b| b.fn_ctx.is_some_and(|f| wrapper[f]));
}

/// `(function () { … })()` or the factory handed to one, called at module
/// level (or in another wrapper) outside any loop.
fn runs_once_at_module_level(
    model: &FileModel,
    iife_of_call: &FxHashMap<CallId, FnId>,
    wrapper: &[bool],
    f: FnId,
) -> bool {
    let call = match model.functions[f].invocation {
        Invocation::Immediately { call } => call,
        // The UMD shape: the callee of that call is itself a wrapper IIFE.
        Invocation::CallbackOf { call, .. } => match iife_of_call.get(&call) {
            Some(&g) if g < f && wrapper[g] => call,
            _ => return false,
        },
        Invocation::Unknown => return false,
    };
    let c = &model.calls[call];
    // A wrapper's result is thrown away or kept (`var Lib = (function () {
    // … })()`); an IIFE whose result is an argument or an operand computes a
    // value, and its locals are that computation's scratch space.
    if !matches!(c.result, ResultUse::Discarded | ResultUse::Assigned(_))
        && !negated_statement(model, c.span.start())
    {
        return false;
    }
    let at_module_level = match c.fn_ctx {
        None => true,
        Some(g) => g < wrapper.len() && wrapper[g],
    };
    at_module_level
        && !model
            .loops
            .iter()
            .any(|l| l.fn_ctx == c.fn_ctx && l.body.contains(c.span.start()))
}

/// `!function () { … }()` and the like: minifiers turn a statement IIFE
/// into a unary expression whose value is thrown away.
fn negated_statement(model: &FileModel, call_start: usize) -> bool {
    let before = model.source[..call_start].trim_end_matches(['(', ' ', '\t', '\n', '\r']);
    before.ends_with(['!', '~', '+', '-']) || before.ends_with("void")
}
