//! A shallow summary of an expression: enough to tell a container from a
//! primitive, a fresh object from a shared one, `null` from a real value.

use std::ops::Range;

use swc_atoms::Atom;

use super::{AccessPath, FnId};

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    /// `undefined` (the global) or `void 0`.
    Undefined,
    Bool,
    Num(f64),
    Str(Atom),
    /// A template literal; `dynamic` when it has `${…}` parts.
    Template {
        dynamic: bool,
    },
    /// An object literal: its plain `key: value` properties (one level deep).
    Object {
        props: Vec<(Atom, Value)>,
        empty: bool,
    },
    /// `Object.create(null)`
    ObjectCreateNull,
    Array {
        empty: bool,
    },
    Function(Option<FnId>),
    /// `new Callee(…)`; the callee's path when it has one.
    New {
        callee: Option<AccessPath>,
        span: Range<usize>,
    },
    /// `callee(…)`; `require_arg` is the module name of `require('x')`.
    Call {
        callee: Option<AccessPath>,
        method: Option<Atom>,
        span: Range<usize>,
        require_arg: Option<Atom>,
    },
    /// An identifier or member chain.
    Path(AccessPath),
    Other,
}

impl Value {
    /// `null`, `undefined` or `void 0`: storing it keeps the key.
    pub fn is_nullish(&self) -> bool {
        matches!(self, Value::Null | Value::Undefined)
    }

    /// A value that can never be a WeakMap key (throws at run time).
    pub fn is_primitive(&self) -> bool {
        matches!(
            self,
            Value::Null
                | Value::Undefined
                | Value::Bool
                | Value::Num(_)
                | Value::Str(_)
                | Value::Template { .. }
        )
    }

    /// The constructor name of `new X()` (last segment of the path).
    pub fn constructor_name(&self) -> Option<&Atom> {
        match self {
            Value::New {
                callee: Some(p), ..
            } => p.props.last().or(match &p.root {
                super::Root::Binding(n, _) | super::Root::Global(n) => Some(n),
                super::Root::This => None,
            }),
            _ => None,
        }
    }
}
