//! How often code runs. The model's [`FileModel::runs_many_times`] knows
//! top level, immediately invoked functions and one-shot callbacks; this
//! adds one more fact: a function the file only ever calls from code that
//! runs once (`function init() {…}` then `init()` at top level) is setup,
//! not per-request code. A function that is exported, passed on or stored
//! may be called any number of times.

use rustc_hash::FxHashMap;

use crate::model::{CallId, FileModel, FnId, Invocation, Root, Value};
use crate::semantic::BindingId;

/// Callers are followed this many levels up (`main()` → `init()` → `load()`);
/// deeper, or in recursion, the code is assumed to run many times.
const MAX_CALLER_DEPTH: usize = 4;

pub struct Frequency<'m, 'a> {
    model: &'m FileModel<'a>,
}

/// Who calls which function: built once per file, only when a question
/// cannot be answered from the function tree alone.
pub(crate) struct CallerIndex {
    /// The binding a function is declared as (`function f`, `const f = () => …`).
    binding_of: FxHashMap<FnId, BindingId>,
    /// Direct calls of a binding, by the callee identifier's start offset.
    call_at: FxHashMap<usize, CallId>,
}

impl CallerIndex {
    fn build(model: &FileModel) -> Self {
        let binding_of = model
            .semantic
            .bindings()
            .filter_map(|(id, b)| match b.init {
                Some(Value::Function(Some(f))) => Some((f, id.clone())),
                _ => None,
            })
            .collect();
        let call_at = model
            .calls
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                !c.is_new
                    && c.callee
                        .path
                        .as_ref()
                        .is_some_and(|p| p.props.is_empty() && matches!(p.root, Root::Binding(..)))
            })
            .map(|(i, c)| (c.callee_span.start(), i))
            .collect();
        CallerIndex {
            binding_of,
            call_at,
        }
    }
}

impl<'m, 'a> Frequency<'m, 'a> {
    /// Cheap: the caller index is built on the first question that needs it,
    /// once per file.
    pub fn new(model: &'m FileModel<'a>) -> Self {
        Frequency { model }
    }

    fn index(&self) -> &'m CallerIndex {
        self.model
            .derived
            .frequency
            .get_or_init(|| CallerIndex::build(self.model))
    }

    /// Does code in this function context run more than once per process?
    pub fn runs_many_times(&self, fn_ctx: Option<FnId>) -> bool {
        self.many(fn_ctx, 0)
    }

    fn many(&self, fn_ctx: Option<FnId>, depth: usize) -> bool {
        if !self.model.runs_many_times(fn_ctx) {
            return false;
        }
        if depth >= MAX_CALLER_DEPTH {
            return true;
        }
        let mut current = fn_ctx;
        while let Some(id) = current {
            let f = &self.model.functions[id];
            let once = match f.invocation {
                Invocation::Immediately => true,
                Invocation::CallbackOf { call, .. } => self.model.is_one_shot_call(call),
                Invocation::Unknown => self.called_only_from_setup(id, depth),
            };
            if !once {
                return true;
            }
            current = f.parent;
        }
        false
    }

    /// Every use of the function's name is a direct call from code that
    /// runs once.
    fn called_only_from_setup(&self, f: FnId, depth: usize) -> bool {
        let index = self.index();
        let Some(binding) = index.binding_of.get(&f) else {
            return false;
        };
        let uses = self.model.semantic.references(binding);
        !uses.is_empty()
            && uses.iter().all(|r| {
                index.call_at.get(&r.span.start()).is_some_and(|&c| {
                    let call = &self.model.calls[c];
                    call.callee_span == r.span && !self.many(call.fn_ctx, depth + 1)
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Key;
    use crate::parse::Dialect;

    /// Does the (only) member write with a dynamic key, `o[k] = 1`, of
    /// `src` run many times?
    fn last_write_runs_many_times(src: &str) -> bool {
        let mut r = false;
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            let mut writes = m
                .member_writes
                .iter()
                .filter(|w| matches!(w.key, Key::Dynamic { .. }));
            let w = writes.next().expect("one dynamic write");
            assert!(
                writes.next().is_none(),
                "exactly one dynamic write in {src}"
            );
            r = Frequency::new(m).runs_many_times(w.fn_ctx);
        });
        r
    }

    #[test]
    fn functions_called_only_at_load_are_setup() {
        assert!(!last_write_runs_many_times(
            "const o = {};\nfunction init(k) { o[k] = 1 }\ninit('a');\ninit('b');\n"
        ));
        assert!(!last_write_runs_many_times(
            "const o = {};\nconst load = (k) => { o[k] = 1 };\nfunction main() { load('a') }\nmain();\n"
        ));
    }

    #[test]
    fn functions_used_any_other_way_run_many_times() {
        let cases = [
            "const o = {};\nexport function init(k) { o[k] = 1 }\ninit('a');\n",
            "const o = {};\nfunction init(k) { o[k] = 1 }\ninit('a');\nexport { init };\n",
            "const o = {};\nfunction init(k) { o[k] = 1 }\ninit('a');\nmodule.exports = { init };\n",
            "const o = {};\nfunction h(k) { o[k] = 1 }\nserver.on('request', h);\n",
            "const o = {};\nfunction h(k) { o[k] = 1 }\nfunction handle(req) { h(req.id) }\nserver.on('request', handle);\n",
            "const o = {};\nfunction f(k) { o[k] = 1; f(k + 1) }\nf(0);\n",
            "const o = {};\nfunction f(k) { o[k] = 1 }\n",
        ];
        for src in cases {
            assert!(last_write_runs_many_times(src), "{src}");
        }
    }
}
