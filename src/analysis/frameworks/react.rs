//! React (and Preact): effect hooks and class components.

use super::{Cleanup, Framework, HookRole, Spec, hook_of};
use crate::model::{FileModel, FnId, Invocation};

/// Modules React's hooks come from.
const MODULES: &[&str] = &["react", "preact/hooks", "preact/compat", "preact"];

/// `useEffect(() => { …; return cleanup })`.
pub const EFFECT: Spec = Spec {
    framework: Framework::ReactEffect,
    modules: MODULES,
    module_prefixes: &[],
    setup_hooks: &["useEffect", "useLayoutEffect", "useInsertionEffect"],
    teardown_hooks: &[],
    setup_methods: &[],
    teardown_methods: &[],
    // Effects never run on the server: nothing they start reaches it.
    server_methods: &[],
    cleanup: Cleanup::Returned,
    event: "mount",
    ending: "the unmount",
    gone: "the unmounted component",
};

/// `class X extends Component { componentDidMount() {} componentWillUnmount() {} }`.
pub const CLASS: Spec = Spec {
    framework: Framework::ReactClass,
    modules: MODULES,
    module_prefixes: &[],
    setup_hooks: &[],
    teardown_hooks: &[],
    setup_methods: &["componentDidMount"],
    teardown_methods: &["componentWillUnmount"],
    // `renderToString` constructs the instance and calls these (React's
    // docs: no side effects in the constructor, subscribe in
    // `componentDidMount`); it never mounts, so it never unmounts.
    server_methods: &[
        "constructor",
        "componentWillMount",
        "UNSAFE_componentWillMount",
        "render",
    ],
    cleanup: Cleanup::Method,
    event: "mount",
    ending: "the unmount",
    gone: "the unmounted component",
};

/// Base classes of class components.
pub const BASE_CLASSES: &[&str] = &["Component", "PureComponent"];

/// Advice in React's words.
pub fn advice(framework: Framework, action: &str) -> String {
    match framework {
        Framework::ReactEffect => format!("return `() => {action}` from the effect"),
        _ => format!("call `{action}` in `componentWillUnmount()`"),
    }
}

/// The effect callback (`useEffect(() => …)`, `React.useLayoutEffect(…)`,
/// confirmed through its import, or a hook named in `settings.effectHooks`)
/// that contains `fn_ctx`, if any.
pub fn enclosing_effect(model: &FileModel, fn_ctx: Option<FnId>) -> Option<FnId> {
    let mut current = fn_ctx;
    while let Some(f) = current {
        if let Invocation::CallbackOf { call, arg: 0 } = model.functions[f].invocation
            && hook_of(model, &model.calls[call], HookRole::Setup)
                .is_some_and(|(spec, _)| spec.framework == Framework::ReactEffect)
        {
            return Some(f);
        }
        current = model.functions[f].parent;
    }
    None
}
