//! Custom elements (`class extends HTMLElement`) and Lit elements: set up
//! in the constructor, `connectedCallback` or Lit's `firstUpdated`, torn down
//! in `disconnectedCallback`.

use super::{Cleanup, Framework, Spec};

pub const SPEC: Spec = Spec {
    framework: Framework::WebComponent,
    modules: &["lit", "lit-element"],
    module_prefixes: &["@lit/"],
    setup_hooks: &[],
    teardown_hooks: &[],
    setup_methods: &["constructor", "connectedCallback", "firstUpdated"],
    teardown_methods: &["disconnectedCallback"],
    // Not modelled: server rendering of custom elements (Lit SSR) is rare,
    // and a timer started in their constructor is judged by the general rule.
    server_methods: &[],
    cleanup: Cleanup::Method,
    event: "connection",
    ending: "the disconnection",
    gone: "the disconnected element",
};

/// A base class named like `HTMLElement`, `LitElement`, `HTMLButtonElement`.
pub fn is_element_base(name: &str) -> bool {
    name.ends_with("Element")
}

/// Methods whose presence marks a class as a custom element.
pub const MARKER_METHODS: &[&str] = &["connectedCallback", "disconnectedCallback"];

pub fn advice(action: &str) -> String {
    format!("call `{action}` in `disconnectedCallback()`")
}
