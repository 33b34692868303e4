//! The rule registry. A rule is data plus a function over the file model
//! that reports typed [`Finding`]s through a [`RuleContext`]; the context
//! names the rule and sets its severity, [`wording`] renders the facts, and
//! the engine does everything else (suppression, output).
//!
//! Adding a rule: one file here (each `*.rs` beside this one is a rule; shared
//! pieces live in folders: `api/` the API every rule uses, `set/`), one line in [`RULES`] (alphabetical), its
//! doc in `rules/<name>.md`, its fixtures in `fixtures/<name>/`.

use crate::diagnostic::Severity;

pub use context::RuleContext;
pub use finding::{Evidence, Finding, Grows, KeyFact, Owner};
pub use set::RuleSet;

mod api;
pub use api::{context, finding, wording};

mod ignored_backpressure;
mod null_instead_of_delete;
mod set;
mod unbounded_array;
mod unbounded_cache;
mod unbounded_concurrency;
mod unbounded_memoize;
mod unbounded_queue;
mod uncancelled_animation_frame;
mod uncleared_interval;
mod undisconnected_observer;
mod unlimited_listeners;
mod unremoved_listener;
mod unsubscribed_subscription;
mod weakmap_fresh_key;

pub struct Rule {
    /// kebab-case, names the leaking pattern.
    pub name: &'static str,
    /// One line for `leaklint rules`; the first paragraph of the doc.
    pub summary: &'static str,
    pub default_severity: Severity,
    /// A fix can be applied automatically for some findings.
    pub fixable: bool,
    /// The user-facing doc, `rules/<name>.md`.
    pub docs: &'static str,
    /// Reads `cx.model` and reports findings with `cx.report`.
    pub check: fn(&mut RuleContext),
}

/// Every rule, sorted by name.
pub static RULES: &[Rule] = &[
    ignored_backpressure::RULE,
    null_instead_of_delete::RULE,
    unbounded_array::RULE,
    unbounded_cache::RULE,
    unbounded_concurrency::RULE,
    unbounded_memoize::RULE,
    unbounded_queue::RULE,
    uncancelled_animation_frame::RULE,
    uncleared_interval::RULE,
    undisconnected_observer::RULE,
    unlimited_listeners::RULE,
    unremoved_listener::RULE,
    unsubscribed_subscription::RULE,
    weakmap_fresh_key::RULE,
];

pub fn find(name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.name == name)
}
