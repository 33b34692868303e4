//! leaklint: finds memory-leak patterns in JavaScript and TypeScript.
//!
//! Pipeline per file: [`parse`] → swc resolver → [`model`] (scope index and
//! facts, one traversal) → [`rules`] → [`suppress`] → [`report`].
//! [`lint_source`] runs it on one source text, without touching the disk.

pub mod analysis;
pub mod baseline;
pub mod cache;
pub mod cli;
pub mod config;
pub mod depth;
pub mod diagnostic;
pub mod engine;
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
pub mod semantic;
pub mod sfc;
pub mod suppress;
pub mod terminal;
pub mod walk;

pub use diagnostic::{Confidence, Diagnostic, Severity};
pub use engine::{RuleSet, lint_source};
