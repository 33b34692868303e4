//! What every rule uses to report: the context a rule runs in
//! ([`context`]), the typed finding it returns ([`finding`]) and the one
//! place that turns findings into words and diagnostics ([`wording`]).
//! A folder, not files beside the rules: each `*.rs` in `src/rules/` is a rule.

pub mod context;
pub mod finding;
pub mod wording;
