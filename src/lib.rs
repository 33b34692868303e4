//! leaklint: finds memory-leak patterns in JavaScript and TypeScript.
//!
//! Pipeline per file: [`parse`] (swc's parser only) → [`model`] (one
//! traversal that resolves scopes itself, `model::scope`, and records the
//! scope index and the facts) → [`rules`] (over the shared [`analysis`]) →
//! [`suppress`] → [`report`]. No swc transform runs (no `resolver`, no
//! hygiene `GLOBALS`). The layering of these modules is in
//! docs/architecture.md and checked by `tests/layering.rs`.
//! [`lint_source`] runs it on one source text, without touching the disk.

pub mod analysis;
pub mod bulk;
pub mod cache;
pub mod cli;
pub mod config;
pub mod depth;
pub mod diagnostic;
pub mod dialect;
pub mod engine;
pub mod file_role;
pub mod fix;
pub mod heap;
pub mod lsp;
pub mod model;
pub mod parse;
pub mod position;
pub mod project;
pub mod report;
pub mod rules;
pub mod schedule;
pub mod settings;
pub mod sfc;
pub mod suppress;
pub mod terminal;
pub mod walk;

pub use diagnostic::{Confidence, Diagnostic, Severity};
pub use engine::lint_source;
pub use rules::RuleSet;
