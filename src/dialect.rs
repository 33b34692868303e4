//! The dialects leaklint reads, by file name: plain JavaScript and
//! TypeScript, and component files whose script blocks are masked out by
//! `sfc`. A module of its own so that `parse` (which parses a dialect) and
//! `sfc` (which masks a component into one) both depend on it and not on
//! each other.

use std::path::Path;

/// The language dialects leaklint parses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// JavaScript with JSX (`.js .jsx .mjs .cjs`).
    Js,
    /// TypeScript (`.ts .mts .cts`).
    Ts,
    /// TypeScript with JSX (`.tsx`).
    Tsx,
    /// A single-file component (`.vue .svelte .astro`): its script blocks are
    /// masked out of the file (`crate::sfc`) and parsed as JS or TS.
    Component(ComponentKind),
}

impl Dialect {
    /// The dialect for a file name, or `None` when leaklint does not lint it
    /// (other extensions, TypeScript declaration files).
    pub fn for_path(path: &Path) -> Option<Dialect> {
        // Bytes, not `str`: a name that is not valid UTF-8 is still linted.
        let name = path.file_name()?.as_encoded_bytes();
        if name.ends_with(b".d.ts") || name.ends_with(b".d.mts") || name.ends_with(b".d.cts") {
            return None;
        }
        match path.extension()?.to_str()? {
            "js" | "jsx" | "mjs" | "cjs" => Some(Dialect::Js),
            "ts" | "mts" | "cts" => Some(Dialect::Ts),
            "tsx" => Some(Dialect::Tsx),
            other => ComponentKind::for_extension(other).map(Dialect::Component),
        }
    }

    pub fn is_typescript(self) -> bool {
        matches!(self, Dialect::Ts | Dialect::Tsx)
    }
}

/// The component file formats leaklint reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComponentKind {
    Vue,
    Svelte,
    Astro,
}

impl ComponentKind {
    pub fn for_extension(ext: &str) -> Option<ComponentKind> {
        match ext {
            "vue" => Some(ComponentKind::Vue),
            "svelte" => Some(ComponentKind::Svelte),
            "astro" => Some(ComponentKind::Astro),
            _ => None,
        }
    }
}
