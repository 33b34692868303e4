//! Component lifecycles: which code of a file runs when a component is set up
//! (mounted, connected, initialised) and which code runs when it is torn down.
//!
//! A registration made in a *setup* (a listener, an interval, an observer, a
//! subscription, an animation-frame loop) keeps the component alive unless it
//! is undone in one of the setup's *teardowns*. This module finds both,
//! reading each framework's hooks, cleanup shape and wording from its spec
//! in `analysis::frameworks` (one file per framework; hooks are confirmed
//! through their imports), for:
//!
//! | framework | setup | teardown |
//! | --- | --- | --- |
//! | React hooks | `useEffect` / `useLayoutEffect` / `useInsertionEffect` callback | the function it returns |
//! | React classes | `componentDidMount` | `componentWillUnmount` |
//! | Vue composition | `onMounted` / `onBeforeMount` callback, `setup()`, `<script setup>` top level (and functions it calls there) | `onBeforeUnmount` / `onUnmounted` / `onScopeDispose` callbacks of the same scope |
//! | Vue options | `mounted` / `created` / `beforeMount` | `beforeUnmount` / `unmounted` / `beforeDestroy` / `destroyed` |
//! | Svelte | `onMount` / `$effect` callback, instance `<script>` top level (and functions it calls there) | the function it returns, `onDestroy` callbacks of the same scope |
//! | Angular (`@Component`, `@Directive`) | constructor, `ngOnInit`, `ngAfterViewInit`, … | `ngOnDestroy`, `DestroyRef.onDestroy` callbacks |
//! | Web components | constructor, `connectedCallback`, Lit's `firstUpdated` | `disconnectedCallback` |
//!
//! # Using it from a rule
//!
//! ```ignore
//! let lifecycles = Lifecycles::of(model);
//! for call in model.global_calls("setInterval") {
//!     // Is the registration made while a component is being set up?
//!     let Some(setup) = lifecycles.setup_of(model, call.fn_ctx, call.span.start) else { continue };
//!     // Is it undone where the component is torn down? A release call counts
//!     // when it runs in a teardown or in a function a teardown calls.
//!     let cleared = model.global_calls("clearInterval").any(|c| setup.in_teardown(model, c.fn_ctx));
//!     // Help text names the teardown to add, in the framework's words:
//!     // "return `() => clearInterval(id)` from the effect".
//!     let help = setup.advice("clearInterval(id)");
//! }
//! ```
//!
//! A value a setup *returns* is the cleanup for React effects, Svelte's
//! `onMount` and `$effect` ([`Setup::returns_cleanup`]): `return store.subscribe(…)`
//! from such a setup hands the unsubscribe function to the framework.
//!
//! [`Setup::teardown_scope`] holds the teardowns plus the functions they call
//! (`componentWillUnmount() { this.cleanup() }` reaches `cleanup`), so a
//! release in a helper method counts.

use std::ops::Range;

use crate::model::{
    AccessPath, CallFact, ClassId, FileModel, FnId, FnKind, Invocation, Root, Value,
};

pub use crate::analysis::frameworks::Framework;
use crate::analysis::frameworks::{
    self, Cleanup, HookRole, angular, react, svelte, vue, web_components,
};

/// Code that runs when a component is set up, and what tears it down.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The setup function; `None` for the top level of a per-instance
    /// component script (Vue `<script setup>`, Svelte's instance `<script>`).
    pub fn_id: Option<FnId>,
    pub framework: Framework,
    /// The name users know it by: `useEffect`, `componentDidMount`, `onMounted`,
    /// `ngOnInit`, `<script setup>`, …
    pub hook: String,
    /// Where to point at the setup in a diagnostic (one line).
    pub label_span: Range<usize>,
    /// For class-based and options-based setups: the class.
    pub class: Option<ClassId>,
    /// The functions that run at teardown.
    pub teardowns: Vec<FnId>,
    /// The teardowns plus the functions they call, transitively.
    pub teardown_scope: Vec<FnId>,
    /// For a per-instance script: its byte range.
    pub instance_range: Option<Range<usize>>,
}

impl Setup {
    /// The framework calls what this setup returns when it tears it down.
    pub fn returns_cleanup(&self) -> bool {
        // Svelte's instance script is no function: it registers `onDestroy`.
        frameworks::spec(self.framework).cleanup == Cleanup::Returned && self.fn_id.is_some()
    }

    /// Does code in `fn_ctx` run as part of a teardown of this setup (in a
    /// teardown, in a function a teardown calls, or nested in one of those)?
    pub fn in_teardown(&self, model: &FileModel, fn_ctx: Option<FnId>) -> bool {
        self.teardown_scope
            .iter()
            .any(|&t| model.is_within(fn_ctx, t))
    }

    /// Is `fn_ctx` the setup function itself or nested inside it?
    pub fn contains(&self, model: &FileModel, fn_ctx: Option<FnId>) -> bool {
        match self.fn_id {
            Some(id) => model.is_within(fn_ctx, id),
            None => true,
        }
    }

    /// How to undo a registration, in the framework's words:
    /// `advice("observer.disconnect()")` is "return `() => observer.disconnect()` from the effect".
    pub fn advice(&self, action: &str) -> String {
        match self.framework {
            Framework::ReactEffect | Framework::ReactClass => react::advice(self.framework, action),
            Framework::Svelte => svelte::advice(&self.hook, self.fn_id.is_some(), action),
            Framework::VueComposition | Framework::VueOptions => {
                vue::advice(self.framework, action)
            }
            Framework::Angular => angular::advice(action),
            Framework::WebComponent => web_components::advice(action),
        }
    }
}

impl Setup {
    /// The component this setup belongs to, by name when the code names it:
    /// the class, or the function that calls the hook (`Chart`, `useResize`).
    pub fn component_name(&self, model: &FileModel) -> Option<String> {
        if let Some(c) = self.class {
            return model.classes[c].name.as_ref().map(|n| n.to_string());
        }
        let mut current = model.functions[self.fn_id?].parent;
        while let Some(f) = current {
            let info = &model.functions[f];
            if let Some(n) = &info.name {
                return Some(n.to_string());
            }
            // `forwardRef(function Popover(props, ref) { … })`: the model
            // names declarations, not function expressions.
            if let Some(n) = function_expression_name(model.text(&info.span)) {
                return Some(n.to_string());
            }
            current = info.parent;
        }
        None
    }

    /// How often the setup runs, for messages: "every mount of `Chart`",
    /// "every connection of `LazyFrame`", "every instance of `ChartComponent`", "every mount of a component using `useResize`".
    pub fn occasion(&self, model: &FileModel) -> String {
        let event = frameworks::spec(self.framework).event;
        match self.component_name(model) {
            Some(n) if is_hook_name(&n) => format!("every {event} of a component using `{n}`"),
            Some(n) => format!("every {event} of `{n}`"),
            None => format!("every {event} of the component"),
        }
    }

    /// What undoes the setup, for messages: "the unmount".
    pub fn ending(&self) -> &'static str {
        frameworks::spec(self.framework).ending
    }

    /// What the registration keeps alive once the component is gone.
    pub fn gone(&self) -> &'static str {
        frameworks::spec(self.framework).gone
    }

    /// Does the setup hand the framework a cleanup this file cannot look
    /// into (`return unsubscribe`, `return store.subscribe(…)`)? It may undo
    /// anything.
    pub fn has_opaque_cleanup(&self, model: &FileModel) -> bool {
        self.fn_id
            .filter(|_| self.returns_cleanup())
            .is_some_and(|f| frameworks::has_opaque_cleanup(model, f))
    }
}

/// The name of a named function expression, from its source text.
fn function_expression_name(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("async ").unwrap_or(text);
    let rest = rest
        .strip_prefix("function")?
        .trim_start_matches(['*', ' ']);
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// `useResize`: React's naming rule for hooks.
fn is_hook_name(name: &str) -> bool {
    name.strip_prefix("use")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// Is the binding declared at the top level of a per-instance component
/// script (Vue `<script setup>`, Svelte's instance `<script>`)? Such a
/// binding is created again for every component instance: it lives as long
/// as the component, not as long as the module. Imports stay module-level.
pub fn is_per_instance_binding(model: &FileModel, b: &crate::model::semantic::Binding) -> bool {
    b.fn_ctx.is_none()
        && b.kind != crate::model::semantic::BindingKind::Import
        && model
            .instance_scopes
            .iter()
            .any(|r| r.contains(&b.span.start()))
}

/// Every setup of a file.
#[derive(Clone, Default, Debug)]
pub struct Lifecycles {
    pub setups: Vec<Setup>,
}

/// All setups of a file (see [`Lifecycles::of`]).
pub fn setups(model: &FileModel) -> Vec<Setup> {
    Lifecycles::shared(model).setups.clone()
}

/// The teardown functions of the setup that code at `fn_ctx`/`offset` runs in.
pub fn teardown_of(model: &FileModel, fn_ctx: Option<FnId>, offset: usize) -> Option<Vec<FnId>> {
    Lifecycles::shared(model)
        .setup_of(model, fn_ctx, offset)
        .map(|s| s.teardowns.clone())
}

/// Does code at `fn_ctx`/`offset` run while a component is set up?
pub fn is_in_setup(model: &FileModel, fn_ctx: Option<FnId>, offset: usize) -> bool {
    Lifecycles::shared(model)
        .setup_of(model, fn_ctx, offset)
        .is_some()
}

const VUE_UNMOUNT: &[&str] = vue::COMPOSITION.teardown_hooks;
const VUE_OPTION_SETUPS: &[&str] = vue::OPTIONS.setup_methods;
const VUE_OPTION_TEARDOWNS: &[&str] = vue::OPTIONS.teardown_methods;

impl Lifecycles {
    /// Every setup of the file and its teardowns (an owned copy of
    /// [`Lifecycles::shared`]).
    pub fn of(model: &FileModel) -> Lifecycles {
        Self::shared(model).clone()
    }

    /// Every setup of the file and its teardowns, found on the first call
    /// for the file and shared by every rule after that.
    pub fn shared<'m>(model: &'m FileModel) -> &'m Lifecycles {
        model.derived.get_or_init(|| Self::find(model))
    }

    fn find(model: &FileModel) -> Lifecycles {
        let mut setups = Vec::new();
        hook_setups(model, &mut setups);
        instance_setups(model, &mut setups);
        class_setups(model, &mut setups);
        vue_option_setups(model, &mut setups);
        for s in &mut setups {
            s.teardown_scope = reach(model, s);
        }
        Lifecycles { setups }
    }

    /// The setup that code at `fn_ctx` (at byte `offset`) runs in: the
    /// innermost setup function around it, or the per-instance script it sits
    /// in. Code inside a teardown is not in a setup.
    pub fn setup_of(
        &self,
        model: &FileModel,
        fn_ctx: Option<FnId>,
        offset: usize,
    ) -> Option<&Setup> {
        let mut current = fn_ctx;
        // Only callbacks (not named functions, which run when called) of the
        // top level of a per-instance script run at setup.
        let mut callbacks_only = true;
        while let Some(id) = current {
            if self.is_teardown(id) {
                return None;
            }
            if let Some(s) = self.setups.iter().find(|s| s.fn_id == Some(id)) {
                return Some(s);
            }
            let f = &model.functions[id];
            if matches!(f.invocation, Invocation::Unknown)
                && !called_at_instance_top_level(model, id)
            {
                callbacks_only = false;
            }
            current = f.parent;
        }
        if !callbacks_only {
            return None;
        }
        self.setups.iter().find(|s| {
            s.instance_range
                .as_ref()
                .is_some_and(|r| r.contains(&offset))
        })
    }

    fn is_teardown(&self, id: FnId) -> bool {
        self.setups.iter().any(|s| s.teardowns.contains(&id))
    }
}

/// `function start() { … }  start()` at the top level of a per-instance
/// script: the call runs on every mount, and so does the function.
fn called_at_instance_top_level(model: &FileModel, f: FnId) -> bool {
    let info = &model.functions[f];
    let Some(range) = model
        .instance_scopes
        .iter()
        .find(|r| info.parent.is_none() && r.contains(&info.span.start()))
    else {
        return false;
    };
    model.calls.iter().any(|c| {
        c.fn_ctx.is_none()
            && !c.is_new
            && range.contains(&c.span.start())
            && c.callee
                .path
                .as_ref()
                .filter(|p| p.props.is_empty())
                .and_then(|p| function_of(model, &Value::Path(p.clone()), None))
                == Some(f)
    })
}

/// The name of a framework hook a call is, confirmed through its import
/// (see [`frameworks::hook_of`]): a setup hook or a teardown hook.
fn hook_name<'m>(model: &'m FileModel, call: &CallFact) -> Option<&'m str> {
    frameworks::hook_of(model, call, HookRole::Setup)
        .or_else(|| frameworks::hook_of(model, call, HookRole::Teardown))
        .map(|(_, name)| name)
}

/// The function a value names: a function literal, or a binding or class
/// member initialised with one.
pub fn function_of(model: &FileModel, value: &Value, class: Option<ClassId>) -> Option<FnId> {
    match value {
        Value::Function(f) => *f,
        Value::Path(p) => path_function(model, p, class),
        // `this.tick.bind(this)`
        Value::Call(call) if call.method.as_deref() == Some("bind") => {
            path_function(model, &call.callee.as_ref()?.parent()?, class)
        }
        _ => None,
    }
}

fn path_function(model: &FileModel, p: &AccessPath, class: Option<ClassId>) -> Option<FnId> {
    match (&p.root, p.props.as_slice()) {
        (Root::Binding(..), []) => match model.semantic.binding(&p.root_binding()?)?.init {
            Some(Value::Function(f)) => f,
            _ => None,
        },
        (Root::This, [m]) => match class {
            Some(c) => {
                model.classes[c]
                    .members
                    .iter()
                    .find(|mem| &mem.name == m)?
                    .func
            }
            // Options objects: methods live beside the hooks.
            None => model.functions.iter().position(|f| {
                f.class.is_none() && f.name.as_ref() == Some(m) && f.kind == FnKind::Method
            }),
        },
        _ => None,
    }
}

/// Functions a setup function returns (its cleanup, for React and Svelte).
fn returned_functions(model: &FileModel, f: FnId) -> Vec<FnId> {
    model
        .returns
        .iter()
        .filter(|r| r.fn_ctx == Some(f))
        .filter_map(|r| function_of(model, &r.value, None))
        .collect()
}

/// Callbacks of hook calls named `names` made in scope `fn_ctx`.
fn hook_callbacks(
    model: &FileModel,
    names: &[&str],
    fn_ctx: Option<FnId>,
    within: Option<&Range<usize>>,
) -> Vec<FnId> {
    model
        .calls
        .iter()
        .filter(|c| c.fn_ctx == fn_ctx && hook_name(model, c).is_some_and(|n| names.contains(&n)))
        .filter(|c| within.is_none_or(|r| r.contains(&c.span.start())))
        .filter_map(|c| function_of(model, &c.args.first()?.value, None))
        .collect()
}

fn hook_setups(model: &FileModel, out: &mut Vec<Setup>) {
    for call in &model.calls {
        let Some((spec, name)) = frameworks::hook_of(model, call, HookRole::Setup) else {
            continue;
        };
        let framework = spec.framework;
        let Some(f) = call
            .args
            .first()
            .and_then(|a| function_of(model, &a.value, None))
        else {
            continue;
        };
        let teardowns = match framework {
            Framework::ReactEffect => returned_functions(model, f),
            Framework::VueComposition => hook_callbacks(model, VUE_UNMOUNT, call.fn_ctx, None),
            _ => {
                let mut t = returned_functions(model, f);
                if name == "onMount" {
                    t.extend(hook_callbacks(
                        model,
                        svelte::SPEC.teardown_hooks,
                        call.fn_ctx,
                        None,
                    ));
                }
                t
            }
        };
        out.push(Setup {
            fn_id: Some(f),
            framework,
            hook: name.to_string(),
            label_span: call.callee_span.range(),
            class: None,
            teardowns,
            teardown_scope: Vec::new(),
            instance_range: None,
        });
    }
    // Vue's `setup()` option: its body runs once per instance.
    for (id, f) in model.functions.iter().enumerate() {
        if f.class.is_none()
            && f.kind == FnKind::Method
            && f.name
                .as_deref()
                .is_some_and(|n| vue::COMPOSITION.setup_methods.contains(&n))
            && vue::COMPOSITION.is_imported(model)
        {
            out.push(Setup {
                fn_id: Some(id),
                framework: Framework::VueComposition,
                hook: "setup".into(),
                label_span: first_line(model, &f.span.range()),
                class: None,
                teardowns: hook_callbacks(model, VUE_UNMOUNT, Some(id), None),
                teardown_scope: Vec::new(),
                instance_range: None,
            });
        }
    }
}

/// The top level of `<script setup>` and of Svelte's instance script.
fn instance_setups(model: &FileModel, out: &mut Vec<Setup>) {
    for range in &model.instance_scopes {
        let tag_start = model.source[..range.start].rfind('<').unwrap_or(0);
        let tag = &model.source[tag_start..range.start];
        let vue = tag.contains("setup");
        let (framework, hook, teardowns) = if vue {
            (
                Framework::VueComposition,
                "<script setup>",
                hook_callbacks(model, VUE_UNMOUNT, None, Some(range)),
            )
        } else {
            let mut t = hook_callbacks(model, svelte::SPEC.teardown_hooks, None, Some(range));
            // A cleanup returned from a top-level `onMount` also runs at destroy.
            for call in model
                .calls
                .iter()
                .filter(|c| c.fn_ctx.is_none() && hook_name(model, c) == Some("onMount"))
            {
                if let Some(f) = call
                    .args
                    .first()
                    .and_then(|a| function_of(model, &a.value, None))
                {
                    t.extend(returned_functions(model, f));
                }
            }
            (Framework::Svelte, "<script>", t)
        };
        out.push(Setup {
            fn_id: None,
            framework,
            hook: hook.into(),
            label_span: tag_start..range.start,
            class: None,
            teardowns,
            teardown_scope: Vec::new(),
            instance_range: Some(range.clone()),
        });
    }
}

fn class_setups(model: &FileModel, out: &mut Vec<Setup>) {
    for (cid, class) in model.classes.iter().enumerate() {
        let has = |name: &str| class.members.iter().any(|m| m.name == name && !m.is_static);
        let super_name = class.super_class.as_ref().and_then(|p| {
            p.props.last().map(|a| a.to_string()).or(match &p.root {
                Root::Binding(n, _) | Root::Global(n) => Some(n.to_string()),
                Root::This => None,
            })
        });
        let super_is = |names: &[&str]| super_name.as_deref().is_some_and(|n| names.contains(&n));
        let (framework, setup_names, teardown_names): (_, &[&str], &[&str]) =
            if super_is(react::BASE_CLASSES)
                || react::CLASS.setup_methods.iter().any(|m| has(m))
                || react::CLASS.teardown_methods.iter().any(|m| has(m))
            {
                (
                    Framework::ReactClass,
                    react::CLASS.setup_methods,
                    react::CLASS.teardown_methods,
                )
            } else if class
                .decorators
                .iter()
                .any(|d| angular::DECORATORS.contains(&d.as_ref()))
                || angular::MARKER_METHODS.iter().any(|m| has(m))
            {
                (
                    Framework::Angular,
                    angular::SPEC.setup_methods,
                    angular::SPEC.teardown_methods,
                )
            } else if super_name
                .as_deref()
                .is_some_and(web_components::is_element_base)
                || web_components::MARKER_METHODS.iter().any(|m| has(m))
            {
                (
                    Framework::WebComponent,
                    web_components::SPEC.setup_methods,
                    web_components::SPEC.teardown_methods,
                )
            } else {
                continue;
            };
        let mut teardowns: Vec<FnId> = class
            .members
            .iter()
            .filter(|m| !m.is_static && teardown_names.contains(&m.name.as_ref()))
            .filter_map(|m| m.func)
            .collect();
        if framework == Framework::Angular {
            // `inject(DestroyRef).onDestroy(() => …)`, `this.destroyRef.onDestroy(…)`.
            for call in model.method_calls(angular::DESTROY_REF_METHOD) {
                if model.this_class(call.fn_ctx) == Some(cid) {
                    if let Some(f) = call
                        .args
                        .first()
                        .and_then(|a| function_of(model, &a.value, Some(cid)))
                    {
                        teardowns.push(f);
                    }
                }
            }
        }
        for m in class
            .members
            .iter()
            .filter(|m| !m.is_static && setup_names.contains(&m.name.as_ref()))
        {
            let Some(f) = m.func else { continue };
            out.push(Setup {
                fn_id: Some(f),
                framework,
                hook: m.name.to_string(),
                label_span: first_line(model, &m.span.range()),
                class: Some(cid),
                teardowns: teardowns.clone(),
                teardown_scope: Vec::new(),
                instance_range: None,
            });
        }
    }
}

/// `export default { mounted() {…}, beforeUnmount() {…} }`: hooks are
/// methods of one object literal, so they share a parent; the teardown of a
/// `mounted` is the unmount hook nearest to it with no other `mounted` between.
fn vue_option_setups(model: &FileModel, out: &mut Vec<Setup>) {
    let is_hook = |f: &crate::model::FnInfo, names: &[&str]| {
        f.class.is_none()
            && f.kind != FnKind::Arrow
            && f.name.as_deref().is_some_and(|n| names.contains(&n))
    };
    for (id, f) in model.functions.iter().enumerate() {
        if !is_hook(f, VUE_OPTION_SETUPS) {
            continue;
        }
        let siblings: Vec<FnId> = (0..model.functions.len())
            .filter(|&s| {
                model.functions[s].parent == f.parent && model.functions[s].class.is_none()
            })
            .collect();
        let is_vue = f.name.as_deref() == Some("mounted")
            || siblings.iter().any(|&s| {
                is_hook(&model.functions[s], vue::OPTION_MARKERS)
                    || is_hook(&model.functions[s], VUE_OPTION_TEARDOWNS)
            });
        if !is_vue {
            continue;
        }
        // Another object's hook of the same name between them: the unmount
        // hook belongs to that object. (A `mounted` between `created` and
        // `beforeUnmount` is the same object's, in the usual order.)
        let own = [f.name.as_deref().unwrap_or("mounted")];
        let between = |a: usize, b: usize| {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            siblings.iter().any(|&s| {
                let start = model.functions[s].span.start();
                s != id && is_hook(&model.functions[s], &own) && lo < start && start < hi
            })
        };
        let teardowns = siblings
            .iter()
            .copied()
            .filter(|&s| is_hook(&model.functions[s], VUE_OPTION_TEARDOWNS))
            .filter(|&s| !between(f.span.start(), model.functions[s].span.start()))
            .collect();
        out.push(Setup {
            fn_id: Some(id),
            framework: Framework::VueOptions,
            hook: f.name.as_deref().unwrap_or("mounted").to_string(),
            label_span: first_line(model, &f.span.range()),
            class: None,
            teardowns,
            teardown_scope: Vec::new(),
            instance_range: None,
        });
    }
}

/// Teardowns plus every function they call by name (`this.cleanup()`,
/// `stop()`), transitively.
fn reach(model: &FileModel, setup: &Setup) -> Vec<FnId> {
    let mut scope = setup.teardowns.clone();
    let mut i = 0;
    while i < scope.len() && scope.len() < 256 {
        let t = scope[i];
        i += 1;
        for call in model
            .calls
            .iter()
            .filter(|c| !c.is_new && model.is_within(c.fn_ctx, t))
        {
            let Some(path) = &call.callee.path else {
                continue;
            };
            if let Some(f) = path_function(model, path, setup.class) {
                if !scope.contains(&f) {
                    scope.push(f);
                }
            }
        }
    }
    scope
}

/// The first line of a span: a readable label for a whole function.
pub fn first_line(model: &FileModel, span: &Range<usize>) -> Range<usize> {
    let text = model.text(span);
    let len = text.find(['\n', '\r']).unwrap_or(text.len());
    let trimmed = text[..len].trim_end().len();
    span.start..span.start + trimmed.max(1).min(span.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;
    use crate::sfc::ComponentKind;
    use swc_atoms::Atom;

    fn with(src: &str, dialect: Dialect, f: impl FnOnce(&FileModel, &Lifecycles)) {
        crate::engine::with_model_for_test(src, dialect, |m| f(m, &Lifecycles::of(m)));
    }

    /// The setup the first call of `method` runs in, and whether the first
    /// call of `release` runs in that setup's teardown.
    fn probe(
        m: &FileModel,
        lc: &Lifecycles,
        method: &str,
        release: &str,
    ) -> (Option<(Framework, String)>, bool) {
        let call = m
            .calls
            .iter()
            .find(|c| c.callee.method.as_deref() == Some(method))
            .expect("registration call");
        let Some(setup) = lc.setup_of(m, call.fn_ctx, call.span.start()) else {
            return (None, false);
        };
        let released = m
            .calls
            .iter()
            .filter(|c| c.callee.method.as_deref() == Some(release))
            .any(|c| setup.in_teardown(m, c.fn_ctx));
        (Some((setup.framework, setup.hook.clone())), released)
    }

    #[test]
    fn react_effect_and_its_returned_cleanup() {
        let src = "function C() {\n  useEffect(() => {\n    bus.on('x', h);\n    return () => { bus.off('x', h) };\n  }, []);\n}\n";
        with(src, Dialect::Tsx, |m, lc| {
            let (setup, released) = probe(m, lc, "on", "off");
            assert_eq!(setup, Some((Framework::ReactEffect, "useEffect".into())));
            assert!(released);
            let s = &lc.setups[0];
            assert_eq!(
                s.advice("bus.off()"),
                "return `() => bus.off()` from the effect"
            );
            assert!(s.returns_cleanup());
        });
    }

    #[test]
    fn react_effect_cleanup_through_a_named_function() {
        let src = "React.useLayoutEffect(() => {\n  bus.on('x', h);\n  function stop() { bus.off('x', h) }\n  return stop;\n});\n";
        with(src, Dialect::Tsx, |m, lc| {
            assert_eq!(
                probe(m, lc, "on", "off"),
                (
                    Some((Framework::ReactEffect, "useLayoutEffect".into())),
                    true
                )
            );
        });
    }

    #[test]
    fn code_in_a_teardown_is_not_in_the_setup() {
        let src = "useEffect(() => {\n  return () => { bus.on('x', h) };\n});\n";
        with(src, Dialect::Tsx, |m, lc| {
            assert_eq!(probe(m, lc, "on", "off").0, None);
        });
    }

    #[test]
    fn react_class_teardown_reaches_helper_methods() {
        let src = "class A extends React.Component {\n  componentDidMount() { bus.on('x', this.h) }\n  componentWillUnmount() { this.cleanup() }\n  cleanup() { bus.off('x', this.h) }\n  render() { bus.emit('y') }\n}\n";
        with(src, Dialect::Tsx, |m, lc| {
            assert_eq!(
                probe(m, lc, "on", "off"),
                (
                    Some((Framework::ReactClass, "componentDidMount".into())),
                    true
                )
            );
            let render = m
                .calls
                .iter()
                .find(|c| c.callee.method.as_deref() == Some("emit"))
                .unwrap();
            assert!(
                lc.setup_of(m, render.fn_ctx, render.span.start()).is_none(),
                "render is not a setup"
            );
        });
    }

    #[test]
    fn react_class_without_unmount_has_no_teardown() {
        let src = "class A extends Component {\n  componentDidMount() { bus.on('x', this.h) }\n  other() { bus.off('x', this.h) }\n}\n";
        with(src, Dialect::Tsx, |m, lc| {
            assert_eq!(
                probe(m, lc, "on", "off"),
                (
                    Some((Framework::ReactClass, "componentDidMount".into())),
                    false
                )
            );
        });
    }

    #[test]
    fn vue_composition_hooks_in_a_composable() {
        let src = "import { onMounted, onBeforeUnmount } from 'vue';\nexport function useX() {\n  onMounted(() => bus.on('x', h));\n  onBeforeUnmount(() => bus.off('x', h));\n}\n";
        with(src, Dialect::Ts, |m, lc| {
            assert_eq!(
                probe(m, lc, "on", "off"),
                (Some((Framework::VueComposition, "onMounted".into())), true)
            );
        });
    }

    #[test]
    fn vue_unmount_hook_of_another_scope_does_not_count() {
        let src = "function a() { onMounted(() => bus.on('x', h)) }\nfunction b() { onUnmounted(() => bus.off('x', h)) }\n";
        with(src, Dialect::Ts, |m, lc| {
            assert_eq!(
                probe(m, lc, "on", "off"),
                (Some((Framework::VueComposition, "onMounted".into())), false)
            );
        });
    }

    #[test]
    fn vue_script_setup_top_level_is_a_setup() {
        let src = "<template><div/></template>\n<script setup lang=\"ts\">\nimport { onUnmounted } from 'vue'\nbus.on('x', h)\nfunction later() { bus.on('y', h) }\nonUnmounted(() => bus.off('x', h))\n</script>\n";
        with(src, Dialect::Component(ComponentKind::Vue), |m, lc| {
            assert_eq!(
                probe(m, lc, "on", "off"),
                (
                    Some((Framework::VueComposition, "<script setup>".into())),
                    true
                )
            );
            let later = m
                .calls
                .iter()
                .filter(|c| c.callee.method.as_deref() == Some("on"))
                .nth(1)
                .unwrap();
            assert!(
                lc.setup_of(m, later.fn_ctx, later.span.start()).is_none(),
                "a named function runs when called"
            );
        });
    }

    #[test]
    fn vue_plain_script_top_level_is_module_code() {
        let src = "<script>\nbus.on('x', h)\nexport default { mounted() { bus.on('y', h) }, beforeUnmount() { bus.off('y', h) } }\n</script>\n";
        with(src, Dialect::Component(ComponentKind::Vue), |m, lc| {
            let first = m
                .calls
                .iter()
                .find(|c| c.callee.method.as_deref() == Some("on"))
                .unwrap();
            assert!(lc.setup_of(m, first.fn_ctx, first.span.start()).is_none());
            let mounted = m
                .calls
                .iter()
                .filter(|c| c.callee.method.as_deref() == Some("on"))
                .nth(1)
                .unwrap();
            let s = lc
                .setup_of(m, mounted.fn_ctx, mounted.span.start())
                .unwrap();
            assert_eq!(
                (s.framework, s.hook.as_str()),
                (Framework::VueOptions, "mounted")
            );
            assert_eq!(s.teardowns.len(), 1);
        });
    }

    #[test]
    fn vue_options_pairs_hooks_of_the_same_object() {
        let src = "const A = { mounted() { bus.on('x', h) } };\nconst B = { mounted() {}, beforeUnmount() { bus.off('x', h) } };\n";
        with(src, Dialect::Js, |m, lc| {
            assert_eq!(
                probe(m, lc, "on", "off"),
                (Some((Framework::VueOptions, "mounted".into())), false)
            );
        });
        // `created`, `mounted`, `beforeUnmount` of one object, in the usual
        // order: the `mounted` between them does not end `created`'s object.
        let src = "export default { created() { bus.on('x', h) }, mounted() {}, beforeUnmount() { bus.off('x', h) } };\n";
        with(src, Dialect::Js, |m, lc| {
            assert_eq!(
                probe(m, lc, "on", "off"),
                (Some((Framework::VueOptions, "created".into())), true)
            );
        });
    }

    #[test]
    fn svelte_on_mount_returned_cleanup_and_on_destroy() {
        let src = "<script>\nimport { onMount, onDestroy } from 'svelte';\nonMount(() => {\n  bus.on('x', h);\n  return () => bus.off('x', h);\n});\nconst unsub = store.subscribe(v => {});\nonDestroy(() => unsub.stop());\n</script>\n<p>hi</p>\n";
        with(src, Dialect::Component(ComponentKind::Svelte), |m, lc| {
            assert_eq!(
                probe(m, lc, "on", "off"),
                (Some((Framework::Svelte, "onMount".into())), true)
            );
            assert_eq!(
                probe(m, lc, "subscribe", "stop"),
                (Some((Framework::Svelte, "<script>".into())), true)
            );
        });
    }

    #[test]
    fn angular_component_setups_and_destroy_ref() {
        let src = "@Component({ selector: 'x' })\nclass C {\n  constructor(private d: DestroyRef) {\n    this.d.onDestroy(() => bus.off('x', h));\n  }\n  ngOnInit() { bus.on('x', h) }\n}\n";
        with(src, Dialect::Ts, |m, lc| {
            assert_eq!(
                probe(m, lc, "on", "off"),
                (Some((Framework::Angular, "ngOnInit".into())), true)
            );
            let s = lc.setups.iter().find(|s| s.hook == "ngOnInit").unwrap();
            assert_eq!(
                s.advice("sub.unsubscribe()"),
                "call `sub.unsubscribe()` in `ngOnDestroy()`"
            );
        });
    }

    #[test]
    fn injectable_services_are_not_components() {
        let src = "@Injectable({ providedIn: 'root' })\nclass S {\n  constructor() { bus.on('x', h) }\n}\n";
        with(src, Dialect::Ts, |m, lc| {
            assert_eq!(probe(m, lc, "on", "off").0, None);
        });
    }

    #[test]
    fn web_component_connected_and_disconnected() {
        let src = "class X extends HTMLElement {\n  connectedCallback() { window.addEventListener('resize', this.h) }\n  disconnectedCallback() { window.removeEventListener('resize', this.h) }\n}\n";
        with(src, Dialect::Js, |m, lc| {
            assert_eq!(
                probe(m, lc, "addEventListener", "removeEventListener"),
                (
                    Some((Framework::WebComponent, "connectedCallback".into())),
                    true
                )
            );
        });
    }

    #[test]
    fn abort_in_the_returned_cleanup_is_in_the_teardown() {
        let src = "useEffect(() => {\n  const c = new AbortController();\n  window.addEventListener('resize', h, { signal: c.signal });\n  return () => c.abort();\n}, []);\n";
        with(src, Dialect::Tsx, |m, lc| {
            assert_eq!(
                probe(m, lc, "addEventListener", "abort"),
                (Some((Framework::ReactEffect, "useEffect".into())), true)
            );
        });
    }

    #[test]
    fn svelte_effect_rune_returns_its_cleanup() {
        let src = "<script>\n$effect(() => {\n  bus.on('x', h);\n  return () => bus.off('x', h);\n});\n</script>\n";
        with(src, Dialect::Component(ComponentKind::Svelte), |m, lc| {
            assert_eq!(
                probe(m, lc, "on", "off"),
                (Some((Framework::Svelte, "$effect".into())), true)
            );
        });
    }

    #[test]
    fn vue_setup_option_body_is_a_setup() {
        let src = "import { onUnmounted } from 'vue';\nexport default {\n  setup() {\n    bus.on('x', h);\n    onUnmounted(() => bus.off('x', h));\n  },\n};\n";
        with(src, Dialect::Ts, |m, lc| {
            assert_eq!(
                probe(m, lc, "on", "off"),
                (Some((Framework::VueComposition, "setup".into())), true)
            );
        });
    }

    #[test]
    fn model_facts_the_lifecycles_rely_on() {
        let src = "@Component({})\nclass C {\n  @ViewChild(X) sort: X;\n  m() {\n    this.o = ok ? new ResizeObserver(f) : null;\n    if (done) { return; }\n    return () => 1;\n  }\n}\n";
        with(src, Dialect::Ts, |m, _| {
            assert_eq!(m.classes[0].decorators, vec![Atom::from("Component")]);
            assert_eq!(
                m.classes[0].member_decorators,
                vec![(Atom::from("sort"), Atom::from("ViewChild"))]
            );
            let observer = m.calls.iter().find(|c| c.is_new).unwrap();
            assert!(
                matches!(&observer.result, crate::model::ResultUse::Assigned(p) if p.to_string() == "this.o")
            );
            let method = m
                .functions
                .iter()
                .position(|f| f.name.as_deref() == Some("m"));
            let returned: Vec<_> = m
                .returns
                .iter()
                .filter(|r| r.fn_ctx == method)
                .map(|r| r.value.clone())
                .collect();
            let arrow = m
                .functions
                .iter()
                .position(|f| f.kind == FnKind::Arrow)
                .unwrap();
            assert_eq!(
                returned,
                vec![Value::Undefined, Value::Function(Some(arrow))]
            );
            let bare = &m.returns[0].span;
            assert!(
                m.guarded
                    .iter()
                    .any(|g| g.start() <= bare.start() && bare.end() <= g.end()),
                "`return` under `if` is guarded"
            );
        });
    }

    #[test]
    fn a_function_the_instance_script_calls_at_its_top_level_runs_per_mount() {
        let src = "<script>\n  function start() { bus.on('x', h) }\n  function later() { bus.on('y', h) }\n  start();\n  button.onclick = () => later();\n</script>\n";
        with(src, Dialect::Component(ComponentKind::Svelte), |m, lc| {
            let on: Vec<_> = m
                .calls
                .iter()
                .filter(|c| c.callee.method.as_deref() == Some("on"))
                .map(|c| {
                    lc.setup_of(m, c.fn_ctx, c.span.start())
                        .map(|s| s.hook.clone())
                })
                .collect();
            assert_eq!(on, [Some("<script>".to_string()), None]);
        });
    }

    #[test]
    fn messages_name_the_component_and_its_ending() {
        let src = "class Chart extends Component {\n  componentDidMount() {}\n}\nfunction Width() { useEffect(() => {}) }\nfunction useSize() { useEffect(() => {}) }\nclass X extends HTMLElement { connectedCallback() {} }\n";
        with(src, Dialect::Tsx, |m, lc| {
            let said: Vec<_> = lc
                .setups
                .iter()
                .map(|s| format!("{} / {}", s.occasion(m), s.ending()))
                .collect();
            assert_eq!(
                said,
                [
                    "every mount of `Width` / the unmount",
                    "every mount of a component using `useSize` / the unmount",
                    "every mount of `Chart` / the unmount",
                    "every connection of `X` / the disconnection",
                ]
            );
        });
        let src = "<script setup>\nbus.on('x', h)\n</script>\n";
        with(src, Dialect::Component(ComponentKind::Vue), |m, lc| {
            assert_eq!(lc.setups[0].occasion(m), "every mount of the component");
        });
        let src = "const P = forwardRef(function Popover(props, ref) {\n  useEffect(() => {});\n});\nmemo(function () { useEffect(() => {}) });\n";
        with(src, Dialect::Tsx, |m, lc| {
            let said: Vec<_> = lc.setups.iter().map(|s| s.occasion(m)).collect();
            assert_eq!(
                said,
                ["every mount of `Popover`", "every mount of the component"]
            );
        });
    }

    #[test]
    fn instance_script_bindings_are_per_component() {
        let src = "<script context=\"module\">\n  const shared = 1;\n</script>\n<script>\n  import bus from './bus';\n  const mine = 2;\n  function handler() {}\n</script>\n";
        with(src, Dialect::Component(ComponentKind::Svelte), |m, _| {
            let per_instance = |name: &str| {
                let (_, b) = m.semantic.bindings().find(|(id, _)| id.0 == name).unwrap();
                is_per_instance_binding(m, b)
            };
            assert!(!per_instance("shared"), "module script");
            assert!(!per_instance("bus"), "imports are module singletons");
            assert!(per_instance("mine"));
            assert!(per_instance("handler"));
        });
    }

    #[test]
    fn opaque_cleanups_are_only_those_the_file_cannot_resolve() {
        let src = "useEffect(() => { const u = store.subscribe(f); return u });\nuseEffect(() => { function stop() {} return stop });\nuseEffect(() => store.subscribe(f));\n";
        with(src, Dialect::Tsx, |m, lc| {
            let opaque: Vec<_> = lc.setups.iter().map(|s| s.has_opaque_cleanup(m)).collect();
            // An arrow's expression body is what it returns.
            assert_eq!(opaque, [true, false, true]);
        });
    }

    #[test]
    fn free_functions_agree_with_the_struct() {
        let src = "useEffect(() => { bus.on('x', h); return () => bus.off('x', h) });\nbus.on('top', h);\n";
        with(src, Dialect::Tsx, |m, _| {
            let calls: Vec<_> = m
                .calls
                .iter()
                .filter(|c| c.callee.method.as_deref() == Some("on"))
                .collect();
            assert!(is_in_setup(m, calls[0].fn_ctx, calls[0].span.start()));
            assert!(
                !is_in_setup(m, calls[1].fn_ctx, calls[1].span.start()),
                "module top level is not a setup"
            );
            assert_eq!(
                teardown_of(m, calls[0].fn_ctx, calls[0].span.start()).map(|t| t.len()),
                Some(1)
            );
            assert_eq!(setups(m).len(), 1);
        });
    }
}
