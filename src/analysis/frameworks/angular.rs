//! Angular: components and directives (`@Component`, `@Directive`, `@Pipe`),
//! set up in the constructor and `ngOn…` hooks, torn down in `ngOnDestroy`
//! and `DestroyRef.onDestroy` callbacks.

use super::{Cleanup, Framework, Spec};

pub const SPEC: Spec = Spec {
    framework: Framework::Angular,
    modules: &["@angular/core"],
    module_prefixes: &["@angular/"],
    setup_hooks: &[],
    teardown_hooks: &[],
    setup_methods: &[
        "constructor",
        "ngOnInit",
        "ngAfterViewInit",
        "ngAfterContentInit",
        "ngOnChanges",
    ],
    teardown_methods: &["ngOnDestroy"],
    // Angular's server platform destroys the application after each render,
    // which runs `ngOnDestroy`.
    server_methods: &[],
    cleanup: Cleanup::Method,
    event: "instance",
    ending: "its destruction",
    gone: "the destroyed component",
};

/// Class decorators of classes with a lifecycle (not `@Injectable`).
pub const DECORATORS: &[&str] = &["Component", "Directive", "Pipe"];

/// Methods whose presence marks a class as a component.
pub const MARKER_METHODS: &[&str] = &["ngOnInit", "ngAfterViewInit"];

/// `inject(DestroyRef).onDestroy(cb)`: registers a teardown callback.
pub const DESTROY_REF_METHOD: &str = "onDestroy";

pub fn advice(action: &str) -> String {
    format!("call `{action}` in `ngOnDestroy()`")
}
