//! Frameworks as data: one [`Spec`] per component model, one file each.
//!
//! A spec says which calls or methods set a component up and tear it down,
//! what shape its cleanup takes (a function the setup returns, a teardown
//! hook of the same scope, a teardown method of the same class or object),
//! which modules its hooks come from, and the words messages use. The
//! lifecycle analysis (`analysis::lifecycle`) reads only these specs.
//!
//! Hooks are confirmed through their imports, not by bare name: `useEffect`
//! counts when imported from `react` (or `preact/hooks`), also as
//! `React.useEffect` of such an import; a local function or one imported from
//! another module that happens to be called `useEffect` does not. An
//! unresolved global of that name still counts: auto-imports (Nuxt,
//! `unplugin-auto-import`), UMD globals (`React`) and Svelte's runes reach
//! the code that way. A project's own effect-like hooks, named in
//! `settings.effectHooks`, are confirmed by any binding of the name.

pub mod angular;
pub mod react;
pub mod svelte;
pub mod vue;
pub mod web_components;

use crate::model::{AccessPath, CallFact, FileModel, FnId, Root, Value};

/// The component model a setup belongs to; it decides the wording of advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    /// A React (or Preact) effect hook.
    ReactEffect,
    /// A React class component.
    ReactClass,
    /// Vue's Composition API (including `<script setup>`).
    VueComposition,
    /// Vue's Options API (`export default { mounted() {} }`).
    VueOptions,
    /// Svelte (`onMount`, `$effect`, the instance script).
    Svelte,
    /// An Angular component or directive.
    Angular,
    /// A custom element (`class extends HTMLElement`, Lit).
    WebComponent,
}

/// How a setup's registrations are undone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cleanup {
    /// The setup returns a function the framework calls at teardown.
    Returned,
    /// A teardown hook called in the same scope (`onBeforeUnmount(() => …)`).
    TeardownHook,
    /// A teardown method of the same class or options object.
    Method,
}

/// One framework's lifecycle, as data.
pub struct Spec {
    pub framework: Framework,
    /// Modules the hooks are imported from (exact names).
    pub modules: &'static [&'static str],
    /// Module name prefixes that also count (`@vue/` for `@vue/runtime-core`).
    pub module_prefixes: &'static [&'static str],
    /// Calls whose callback runs at setup (`useEffect`, `onMounted`).
    pub setup_hooks: &'static [&'static str],
    /// Calls whose callback runs at teardown (`onBeforeUnmount`).
    pub teardown_hooks: &'static [&'static str],
    /// Methods that run at setup (`componentDidMount`, `ngOnInit`).
    pub setup_methods: &'static [&'static str],
    /// Methods that run at teardown (`componentWillUnmount`).
    pub teardown_methods: &'static [&'static str],
    /// Methods that run again for every server render (constructor,
    /// `componentWillMount`, `render`; Vue's `created`, `setup`) while none
    /// of the teardown methods ever run there: what they start must not
    /// need a teardown (see `analysis::server_render`). Empty where the
    /// teardown also runs on the server or the component is not rendered
    /// there.
    pub server_methods: &'static [&'static str],
    pub cleanup: Cleanup,
    /// What one setup is, for messages: "mount", "connection", "instance".
    pub event: &'static str,
    /// What undoes it: "the unmount".
    pub ending: &'static str,
    /// What a registration keeps alive after it: "the unmounted component".
    pub gone: &'static str,
}

/// Every spec leaklint knows.
pub static SPECS: &[&Spec] = &[
    &react::EFFECT,
    &react::CLASS,
    &vue::COMPOSITION,
    &vue::OPTIONS,
    &svelte::SPEC,
    &angular::SPEC,
    &web_components::SPEC,
];

/// The spec of a framework.
pub fn spec(framework: Framework) -> &'static Spec {
    SPECS
        .iter()
        .find(|s| s.framework == framework)
        .expect("every framework has a spec")
}

impl Spec {
    /// Is `source` one of the modules this framework's hooks come from?
    pub fn is_module(&self, source: &str) -> bool {
        self.modules.contains(&source) || self.module_prefixes.iter().any(|p| source.starts_with(p))
    }

    /// Does the file import anything from this framework?
    pub fn is_imported(&self, model: &FileModel) -> bool {
        model.semantic.bindings().any(|(_, b)| {
            b.import_source
                .as_deref()
                .is_some_and(|s| self.is_module(s))
        })
    }
}

/// Which hooks [`hook_of`] looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookRole {
    /// Hooks whose callback runs at setup (`useEffect`, `onMounted`).
    Setup,
    /// Hooks whose callback runs at teardown (`onBeforeUnmount`).
    Teardown,
}

impl Spec {
    /// The hooks of one role.
    pub fn hooks(&self, role: HookRole) -> &'static [&'static str] {
        match role {
            HookRole::Setup => self.setup_hooks,
            HookRole::Teardown => self.teardown_hooks,
        }
    }
}

/// The hook a call is, confirmed through its import: `(spec, name)` for
/// `useEffect(…)` imported from `react`, `React.useEffect(…)`,
/// `onMounted(…)` from `vue`, an unresolved global of a hook's name, and
/// `$effect.pre(…)`; also a setup hook the project names in
/// `settings.effectHooks` (see [`user_effect_hook`]).
pub fn hook_of<'m>(
    model: &'m FileModel,
    call: &CallFact,
    role: HookRole,
) -> Option<(&'static Spec, &'m str)> {
    if call.is_new {
        return None;
    }
    let path = call.callee.path.as_ref()?;
    let (root, member) = match (&path.root, path.props.as_slice()) {
        (Root::This, _) => return None,
        (root, []) => (root, None),
        (root, [m]) => (root, Some(m)),
        _ => return user_effect_hook(model, path, role),
    };
    let name = member.map_or_else(
        || match root {
            Root::Binding(n, _) | Root::Global(n) => n.as_ref(),
            Root::This => "",
        },
        |m| m.as_ref(),
    );
    // `$effect.pre(…)` is the `$effect` rune.
    let name = match (root, member) {
        (Root::Global(g), Some(m)) if g == "$effect" && m == "pre" => "$effect",
        _ => name,
    };
    for spec in SPECS {
        let Some(found) = spec.hooks(role).iter().find(|n| **n == name) else {
            continue;
        };
        let confirmed = match root {
            // An unresolved global: auto-imported, a UMD global, a rune.
            Root::Global(g) => member.is_none() || g == "React" || g == "$effect",
            Root::Binding(..) => {
                let import = path
                    .root_binding()
                    .and_then(|id| model.semantic.binding(&id))
                    .and_then(|b| b.import_source.clone());
                import.is_some_and(|s| spec.is_module(&s))
            }
            Root::This => false,
        };
        if confirmed {
            return Some((spec, found));
        }
    }
    user_effect_hook(model, path, role)
}

/// A setup hook the project names in `settings.effectHooks`: it behaves like
/// React's `useEffect` (the callback runs at mount and returns its cleanup).
/// The project's own hook is confirmed by a binding, whatever module it is
/// imported from or where in the file it is declared; an unresolved global
/// of that name is not the project's hook.
fn user_effect_hook<'m>(
    model: &'m FileModel,
    path: &AccessPath,
    role: HookRole,
) -> Option<(&'static Spec, &'m str)> {
    let Root::Binding(root, _) = &path.root else {
        return None;
    };
    if role != HookRole::Setup {
        return None;
    }
    model
        .settings
        .effect_hooks()
        .iter()
        .find(|h| h.ends(root, &path.props))
        .map(|h| (&react::EFFECT, h.text.as_str()))
}

/// Does a function hand the framework a cleanup this file cannot look into
/// (`return unsubscribe`, `return store.subscribe(…)`)? It may undo
/// anything. A returned function the file defines is judged by what it calls.
pub fn has_opaque_cleanup(model: &FileModel, f: FnId) -> bool {
    model.returns.iter().any(|r| {
        r.fn_ctx == Some(f)
            && matches!(r.value, Value::Path(_) | Value::Call { .. })
            && crate::analysis::lifecycle::function_of(model, &r.value, None).is_none()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(src: &str, f: impl FnOnce(&FileModel)) {
        crate::engine::with_model_for_test(src, crate::parse::Dialect::Tsx, f)
    }

    fn setup_hook<'m>(model: &'m FileModel, i: usize) -> Option<&'m str> {
        hook_of(model, &model.calls[i], HookRole::Setup).map(|(_, n)| n)
    }

    #[test]
    fn effect_hooks_named_in_settings_are_confirmed_by_any_binding() {
        let settings: crate::settings::Settings =
            serde_json::from_str(r#"{"effectHooks": ["useMountEffect", "hooks.useLater"]}"#)
                .unwrap();
        let src = "import { useMountEffect } from './lib/hooks'\nimport * as hooks from '@app/hooks'\nfunction C() { useMountEffect(f); hooks.useLater(f); useLater(f); other.useMountEffect(f) }\nfunction D() { function useMountEffect(cb) {} useMountEffect(f) }\n";
        crate::engine::with_settings_for_test(src, crate::parse::Dialect::Tsx, &settings, |m| {
            let found: Vec<_> = (0..m.calls.len())
                .map(|i| hook_of(m, &m.calls[i], HookRole::Setup))
                .map(|h| h.map(|(spec, name)| (spec.framework, name)))
                .collect();
            let effect = |n| Some((Framework::ReactEffect, n));
            assert_eq!(
                found,
                vec![
                    effect("useMountEffect"),
                    effect("hooks.useLater"),
                    None,                     // `useLater` alone is not `hooks.useLater`
                    None,                     // an unresolved global is not the project's hook
                    effect("useMountEffect"), // declared in the file
                ]
            );
            assert!(
                (0..m.calls.len()).all(|i| hook_of(m, &m.calls[i], HookRole::Teardown).is_none())
            );
        });
        // Without the setting, the same calls are no hooks.
        with(src, |m| {
            assert!((0..m.calls.len()).all(|i| setup_hook(m, i).is_none()));
        });
    }

    #[test]
    fn every_framework_has_one_spec() {
        for s in SPECS {
            assert_eq!(
                SPECS.iter().filter(|o| o.framework == s.framework).count(),
                1
            );
            assert_eq!(spec(s.framework).framework, s.framework);
        }
    }

    #[test]
    fn hooks_are_confirmed_through_their_imports() {
        with(
            "import { useEffect } from 'react'\nimport * as React from 'react'\nimport { onMounted } from '@vue/runtime-core'\nuseEffect(f)\nReact.useEffect(f)\nonMounted(f)\n",
            |m| {
                assert_eq!(setup_hook(m, 0), Some("useEffect"));
                assert_eq!(setup_hook(m, 1), Some("useEffect"));
                assert_eq!(setup_hook(m, 2), Some("onMounted"));
            },
        );
        with(
            "import { useEffect } from './my-effects'\nfunction onMounted(f) {}\nuseEffect(f)\nonMounted(f)\nthing.useEffect(f)\n",
            |m| {
                assert_eq!(setup_hook(m, 0), None, "another module's useEffect");
                assert_eq!(setup_hook(m, 1), None, "a local function");
                assert_eq!(setup_hook(m, 2), None, "a method of something else");
            },
        );
        with(
            "useEffect(f)\nReact.useLayoutEffect(f)\n$effect.pre(f)\n",
            |m| {
                assert_eq!(setup_hook(m, 0), Some("useEffect"), "auto-import or global");
                assert_eq!(setup_hook(m, 1), Some("useLayoutEffect"), "UMD global");
                assert_eq!(setup_hook(m, 2), Some("$effect"));
            },
        );
    }
}
