//! Vue: the Composition API (`onMounted`, `setup()`, `<script setup>`) and
//! the Options API (`mounted()`/`beforeUnmount()` of one object).

use super::{Cleanup, Framework, Spec};

pub const COMPOSITION: Spec = Spec {
    framework: Framework::VueComposition,
    modules: &["vue"],
    module_prefixes: &["@vue/"],
    setup_hooks: &["onMounted", "onBeforeMount"],
    teardown_hooks: &["onBeforeUnmount", "onUnmounted", "onScopeDispose"],
    setup_methods: &["setup"],
    teardown_methods: &[],
    // `setup()` runs in server rendering; `onBeforeUnmount`/`onUnmounted`
    // (and the scope's disposal) never do.
    server_methods: &["setup"],
    cleanup: Cleanup::TeardownHook,
    event: "mount",
    ending: "the unmount",
    gone: "the unmounted component",
};

pub const OPTIONS: Spec = Spec {
    framework: Framework::VueOptions,
    modules: &["vue"],
    module_prefixes: &["@vue/"],
    setup_hooks: &[],
    teardown_hooks: &[],
    setup_methods: &["mounted", "created", "beforeMount"],
    teardown_methods: &["beforeUnmount", "unmounted", "beforeDestroy", "destroyed"],
    // Vue's SSR guide: `beforeCreate` and `created` run on the server, the
    // mount and unmount hooks do not.
    server_methods: &["beforeCreate", "created"],
    cleanup: Cleanup::Method,
    event: "mount",
    ending: "the unmount",
    gone: "the unmounted component",
};

/// Option names that mark an object literal as a Vue component.
pub const OPTION_MARKERS: &[&str] = &["mounted", "data"];

/// Advice in Vue's words.
pub fn advice(framework: Framework, action: &str) -> String {
    match framework {
        Framework::VueOptions => {
            format!("call `{action}` in `beforeUnmount()` (`beforeDestroy()` in Vue 2)")
        }
        _ => format!("call `{action}` in `onBeforeUnmount(() => …)`"),
    }
}
