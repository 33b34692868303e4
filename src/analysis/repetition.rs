//! How often code runs. [`FileModel::runs_many_times`] says "inside a
//! function"; rules that report per-call acquisitions need a sharper answer,
//! because scripts call `main()` once, modules call helpers from top level,
//! and bundlers wrap each module in a function.

use rustc_hash::{FxHashMap, FxHashSet};
use swc_atoms::Atom;

use crate::model::{FileModel, FnId, FnKind, Invocation, Value};
use crate::semantic::{BindingId, BindingKind};

/// Does code in `fn_ctx` run more than once per process? Convenience for a
/// single question; rules that ask often build one [`Repetition`].
pub fn runs_repeatedly(model: &FileModel, fn_ctx: Option<FnId>) -> bool {
    Repetition::new(model).runs_repeatedly(fn_ctx)
}

/// How often each function runs. Like [`FileModel::runs_many_times`], but a
/// function also runs once when the file calls it only from code that runs
/// once and never hands it out (`main()` at the bottom of a script,
/// `createToken('a')` at top level), when it constructs a class instantiated
/// once that way, when it is a callback of an array iteration (`forEach`),
/// or when it is a bundler's module wrapper. Computed once per file.
pub struct Repetition<'m, 'a> {
    model: &'m FileModel<'a>,
    /// Does the function itself run more than once per run of its parent?
    repeats: &'m [bool],
}

impl<'m, 'a> Repetition<'m, 'a> {
    /// The answers for `model`, computed on the first call for the file and
    /// shared by every rule after that.
    pub fn new(model: &'m FileModel<'a>) -> Self {
        let repeats = model.derived.repetition.get_or_init(|| repeats(model));
        Repetition { model, repeats }
    }

    /// The model the answers are about.
    pub fn model(&self) -> &'m FileModel<'a> {
        self.model
    }

    pub fn runs_repeatedly(&self, fn_ctx: Option<FnId>) -> bool {
        runs_repeatedly_in(self.model, self.repeats, fn_ctx)
    }
}

/// Does code in `fn_ctx` run repeatedly, given which functions repeat per run
/// of their parent?
fn runs_repeatedly_in(model: &FileModel, repeats: &[bool], fn_ctx: Option<FnId>) -> bool {
    let mut current = fn_ctx;
    while let Some(f) = current {
        if repeats[f] {
            return true;
        }
        current = model.functions[f].parent;
    }
    false
}

/// For each function: does it run more than once per run of its parent?
fn repeats(model: &FileModel) -> Vec<bool> {
    let n = model.functions.len();
    let mut binding_of: Vec<Option<BindingId>> = vec![None; n];
    let mut params: Vec<Vec<&Atom>> = vec![Vec::new(); n];
    for (id, b) in model.semantic.bindings() {
        if let Some(Value::Function(Some(f))) = &b.init {
            binding_of[*f] = Some(id.clone());
        }
        if let (BindingKind::Param, Some(f)) = (b.kind, b.fn_ctx) {
            params[f].push(&id.0);
        }
    }
    let mentioned = mentioned_bindings(model);
    let mut sites: FxHashMap<BindingId, Vec<usize>> = FxHashMap::default();
    for (i, c) in model.calls.iter().enumerate() {
        if let Some(id) = c
            .callee
            .path
            .as_ref()
            .filter(|p| p.props.is_empty())
            .and_then(|p| p.root_binding())
        {
            sites.entry(id).or_default().push(i);
        }
    }
    // The call sites whose contexts decide whether a candidate runs once;
    // `None` for a function that runs many times whatever its callers do.
    let candidates: Vec<Option<Vec<usize>>> = (0..n)
        .map(|f| {
            let info = &model.functions[f];
            if model.invoked_once_per_parent(f)
                || is_iteration_callback(model, f)
                || is_module_factory(&params[f])
            {
                return Some(Vec::new());
            }
            let id = match info.kind {
                FnKind::Constructor | FnKind::FieldInit => {
                    let id = info.class.and_then(|c| model.classes[c].binding.clone())?;
                    let subclassed = model.classes.iter().any(|c| {
                        c.super_class
                            .as_ref()
                            .and_then(|p| p.root_binding())
                            .as_ref()
                            == Some(&id)
                    });
                    let calls = sites.get(&id)?;
                    if subclassed || calls.len() != 1 || !model.calls[calls[0]].is_new {
                        return None;
                    }
                    id
                }
                _ if info.class.is_some() => return None,
                _ => binding_of[f].clone()?,
            };
            if model.exports.contains(&id) || mentioned.contains(&id) {
                return None;
            }
            let calls = sites.get(&id)?;
            calls
                .iter()
                .all(|&c| {
                    !model.calls[c].is_new
                        || matches!(info.kind, FnKind::Constructor | FnKind::FieldInit)
                })
                .then(|| calls.clone())
        })
        .collect();
    // Start optimistic and let "repeats" spread through call sites: a
    // value only ever turns from false to true, so this settles.
    let mut repeats: Vec<bool> = candidates.iter().map(Option::is_none).collect();
    for _ in 0..8 {
        let mut changed = false;
        for (f, c) in candidates.iter().enumerate() {
            let Some(calls) = c else { continue };
            if repeats[f] {
                continue;
            }
            let repeated = calls.iter().any(|&c| {
                let ctx = model.calls[c].fn_ctx;
                model.is_within(ctx, f) || runs_repeatedly_in(model, &repeats, ctx)
            });
            if repeated {
                repeats[f] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    repeats
}

/// `items.forEach(cb)`: the callback runs a fixed number of times, all
/// during the run of its parent.
fn is_iteration_callback(model: &FileModel, f: FnId) -> bool {
    let Invocation::CallbackOf { call, .. } = model.functions[f].invocation else {
        return false;
    };
    model.calls[call]
        .callee
        .method
        .as_deref()
        .is_some_and(crate::model::is_iteration_method)
}

/// A bundler's module wrapper (`function (module, exports, require)`,
/// `__commonJS({ "x.js"(exports, module) {…} })`, webpack's factories): its
/// body is the module's top level and runs once.
fn is_module_factory(params: &[&Atom]) -> bool {
    // esbuild renames clashing wrappers' parameters to `exports2`, `module2`.
    let has = |n: &str| {
        params
            .iter()
            .any(|p| p.trim_end_matches(|c: char| c.is_ascii_digit()) == n)
    };
    (has("module") && has("exports"))
        || has("__webpack_require__")
        || has("__unused_webpack_module")
        || has("__webpack_exports__")
}

/// Bindings used as a value anywhere (passed, stored, returned, exported
/// through `module.exports = { x }`): someone else may call them.
fn mentioned_bindings(model: &FileModel) -> FxHashSet<BindingId> {
    let mut out = FxHashSet::default();
    let mut note = |v: &Value| match v {
        Value::Path(p) if p.props.is_empty() => {
            out.extend(p.root_binding());
        }
        Value::Object { props, .. } => {
            for (_, v) in props {
                if let Value::Path(p) = v {
                    out.extend(p.root_binding());
                }
            }
        }
        _ => {}
    };
    for c in &model.calls {
        c.args.iter().for_each(|a| note(&a.value));
    }
    model.member_writes.iter().for_each(|w| note(&w.value));
    model.binding_writes.iter().for_each(|w| note(&w.value));
    model.returns.iter().for_each(|r| note(&r.value));
    model.semantic.bindings().for_each(|(_, b)| {
        if let Some(v) = &b.init {
            note(v)
        }
    });
    out
}
