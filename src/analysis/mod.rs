//! Reasoning shared by several rules: which containers live forever, what
//! counts as growth and as eviction. Rules combine these; they never walk
//! the AST.
//!
//! Analyses that several rules ask for are computed at most once per file,
//! on first use, and kept in the model's
//! [`Derived`](crate::model::derived::Derived) cache (each module here owns
//! the type it caches): a file that no
//! rule asks about pays nothing, and a second rule asking pays nothing more.

pub mod backlog;
pub mod call_sites;
pub mod callers;
pub mod containers;
pub mod definitions;
pub mod entry_removal;
pub mod expiry;
pub mod frameworks;
pub mod frequency;
pub mod growth_evidence;
pub mod handles;
pub mod instance_fields;
pub mod keys;
pub mod lifecycle;
pub mod lifetime;
pub mod listeners;
pub mod memo;
pub mod per_call;
pub mod presence;
pub mod reentry;
pub mod registry;
pub mod removal;
pub mod resources;
pub mod server_render;
pub mod slots;
pub mod teardown;
pub mod timer_sets;
pub mod wrappers;
