//! Svelte: `onMount` (its returned cleanup, `onDestroy` of the same scope),
//! the `$effect` rune, and the instance `<script>` top level.

use super::{Cleanup, Framework, Spec};

pub const SPEC: Spec = Spec {
    framework: Framework::Svelte,
    modules: &["svelte"],
    module_prefixes: &[],
    setup_hooks: &["onMount", "$effect"],
    teardown_hooks: &["onDestroy"],
    setup_methods: &[],
    teardown_methods: &[],
    // `onDestroy` runs in server rendering too: the instance script's
    // registrations are undone there.
    server_methods: &[],
    cleanup: Cleanup::Returned,
    event: "mount",
    ending: "the unmount",
    gone: "the unmounted component",
};

/// Advice in Svelte's words: a setup function returns its cleanup; the
/// instance script registers one with `onDestroy`.
pub fn advice(hook: &str, in_function: bool, action: &str) -> String {
    if in_function {
        format!("return `() => {action}` from `{hook}`")
    } else {
        format!("call `{action}` in `onDestroy(() => …)`")
    }
}
