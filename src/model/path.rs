//! Access paths: `cache`, `this.cache`, `module.exports.cache`, `window.x`.
//!
//! A path names a storage location independently of how the code spells it,
//! so `cache` in one function and `cache` in another compare equal exactly
//! when scope resolution says they are the same binding.

use std::fmt;

use smallvec::SmallVec;
use swc_atoms::Atom;
use swc_common::SyntaxContext;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Root {
    /// A binding declared in this file (its scope-resolution id).
    Binding(Atom, SyntaxContext),
    /// A name no declaration in the file binds: `process`, `window`, `module`.
    Global(Atom),
    /// `this` (of the enclosing non-arrow function).
    This,
}

/// The property names of a path. Nearly all paths have at most two
/// (`this.cache`, `module.exports.x`): they are stored inline, so that building
/// a path for every member access does not allocate.
pub type Props = SmallVec<[Atom; 2]>;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AccessPath {
    pub root: Root,
    pub props: Props,
}

impl AccessPath {
    pub fn binding(id: (Atom, SyntaxContext)) -> Self {
        AccessPath {
            root: Root::Binding(id.0, id.1),
            props: Props::new(),
        }
    }

    pub fn child(&self, prop: Atom) -> Self {
        // Sized for the extra key: cloning then pushing reallocated every time.
        let mut props = Props::with_capacity(self.props.len() + 1);
        props.extend(self.props.iter().cloned());
        props.push(prop);
        AccessPath {
            root: self.root.clone(),
            props,
        }
    }

    /// The parent path (`a.b` for `a.b.c`).
    pub fn parent(&self) -> Option<AccessPath> {
        let mut p = self.clone();
        p.props.pop()?;
        Some(p)
    }

    /// Is this path rooted at binding `id`? Compares in place: cloning the
    /// root's name to compare it touched a reference count per question.
    pub fn is_rooted_at(&self, id: &(Atom, SyntaxContext)) -> bool {
        matches!(&self.root, Root::Binding(a, c) if *c == id.1 && *a == id.0)
    }

    pub fn root_binding(&self) -> Option<(Atom, SyntaxContext)> {
        match &self.root {
            Root::Binding(a, c) => Some((a.clone(), *c)),
            _ => None,
        }
    }

    pub fn is_global(&self, name: &str) -> bool {
        matches!(&self.root, Root::Global(g) if g == name) && self.props.is_empty()
    }

    pub fn is_this_field(&self) -> bool {
        self.root == Root::This && self.props.len() == 1
    }

    /// The path a global object alias spells: `globalThis.x`, `window.x`,
    /// `global.x` and `self.x` all name the global `x`.
    pub fn normalized(&self) -> AccessPath {
        if let Root::Global(g) = &self.root {
            if is_global_object_name(g) && !self.props.is_empty() {
                return AccessPath {
                    root: Root::Global(self.props[0].clone()),
                    props: self.props[1..].iter().cloned().collect(),
                };
            }
        }
        self.clone()
    }
}

/// Names of the global object itself.
pub fn is_global_object_name(name: &str) -> bool {
    matches!(name, "globalThis" | "window" | "global" | "self")
}

impl fmt::Display for AccessPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.root {
            Root::Binding(name, _) | Root::Global(name) => write!(f, "{name}")?,
            Root::This => write!(f, "this")?,
        }
        for p in &self.props {
            write!(f, ".{p}")?;
        }
        Ok(())
    }
}
