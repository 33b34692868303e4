//! A shallow summary of an expression: enough to tell a container from a
//! primitive, a fresh object from a shared one, `null` from a real value.

use swc_atoms::Atom;

use super::{AccessPath, FnId, TextSpan};

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
    /// `new Callee(…)`. Boxed, as is `Call`: they are the largest variants,
    /// and every value the model keeps (arguments, initialisers, writes)
    /// would otherwise be as large as they are.
    New(Box<NewValue>),
    /// `callee(…)`.
    Call(Box<CallValue>),
    /// An identifier or member chain (the common case: kept inline).
    Path(AccessPath),
    Other,
}

/// `new Callee(…)`.
#[derive(Clone, Debug, PartialEq)]
pub struct NewValue {
    /// The callee's path when it has one.
    pub callee: Option<AccessPath>,
    pub span: TextSpan,
}

/// `callee(…)`.
#[derive(Clone, Debug, PartialEq)]
pub struct CallValue {
    pub callee: Option<AccessPath>,
    /// The method name of a member call (`get` in `cache.get(k)`).
    pub method: Option<Atom>,
    pub span: TextSpan,
    /// The module name of `require('x')`.
    pub require_arg: Option<Atom>,
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
        let Value::New(new) = self else {
            return None;
        };
        let p = new.callee.as_ref()?;
        p.props.last().or(match &p.root {
            super::Root::Binding(n, _) | super::Root::Global(n) => Some(n),
            super::Root::This => None,
        })
    }
}
