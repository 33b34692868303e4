//! Reasoning shared by several rules: which containers live forever, what
//! counts as growth and as eviction. Rules combine these; they never walk
//! the AST.

pub mod containers;
pub mod frequency;
pub mod handles;
pub mod instances;
pub mod keys;
pub mod lifecycle;
pub mod listeners;
pub mod memo;
pub mod reentry;
pub mod registry;
pub mod repetition;
pub mod teardown;
