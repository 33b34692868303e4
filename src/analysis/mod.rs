//! Reasoning shared by several rules: which containers live forever, what
//! counts as growth and as eviction. Rules combine these; they never walk
//! the AST.
//!
//! Analyses that several rules ask for are computed at most once per file,
//! on first use, and kept in the model's [`Derived`] cache: a file that no
//! rule asks about pays nothing, and a second rule asking pays nothing more.

pub mod backlog;
pub mod containers;
pub mod entry_removal;
pub mod expiry;
pub mod frameworks;
pub mod frequency;
pub mod handles;
pub mod instances;
pub mod keys;
pub mod lifecycle;
pub mod lifetime;
pub mod listeners;
pub mod memo;
pub mod presence;
pub mod reentry;
pub mod registry;
pub mod removal;
pub mod resources;
pub mod slots;
pub mod teardown;
pub mod timer_sets;
pub mod wrappers;

use std::cell::OnceCell;

/// Per-file results of the shared analyses, filled lazily (one file is
/// analysed by one thread, so plain `OnceCell`s suffice). Each analysis
/// module owns its slot and the function that fills it.
#[derive(Default)]
pub struct Derived {
    pub(crate) long_lived: OnceCell<containers::LongLived>,
    pub(crate) eviction: OnceCell<containers::EvictionIndex>,
    pub(crate) frequency: OnceCell<frequency::Table>,
    pub(crate) lifecycles: OnceCell<lifecycle::Lifecycles>,
    pub(crate) cleared_timers: OnceCell<listeners::ClearedHandles>,
    pub(crate) this_aliases: OnceCell<lifetime::ThisAliases>,
    pub(crate) escapes: OnceCell<lifetime::Escapes>,
    pub(crate) params: OnceCell<keys::Params>,
    /// Bindings used as arrays (`q.push(x)`), for container kinds.
    pub(crate) array_receivers: OnceCell<rustc_hash::FxHashSet<crate::model::AccessPath>>,
    pub(crate) presence: OnceCell<presence::Presence>,
}
