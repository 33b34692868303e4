//! Reads that tell a null entry from a missing one: `k in c`, `c[k] === null`,
//! `c.get(k) !== undefined`, `typeof c[k] === 'undefined'`, `for (k in c)`,
//! `for (x of c)`, `{ ...c }`, `[...c]`, `c.size`. Where a container is read
//! this way, `c[k] = null` can mean something (a negative cache, a marker),
//! and replacing it with `delete` changes what the reader sees.
//!
//! Calls that do the same (`c.has(k)`, `Object.keys(c)`, …) are already call
//! facts; `crate::analysis::presence` combines both.

use swc_ecma_ast::*;

use super::{Collector, unwrap};

impl Collector<'_> {
    /// `k in c`, and strict comparisons of an entry with null or undefined.
    pub(super) fn record_presence_test(&mut self, n: &BinExpr) {
        match n.op {
            BinaryOp::In => self.record_key_test(&n.right),
            BinaryOp::EqEqEq | BinaryOp::NotEqEq => {
                if is_nullish_or_undefined_text(&n.right) {
                    self.record_entry_test(&n.left);
                } else if is_nullish_or_undefined_text(&n.left) {
                    self.record_entry_test(&n.right);
                }
            }
            _ => {}
        }
    }

    /// One side of `x === null`: an entry (`c[k]`, `c.get(k)`,
    /// `typeof c[k]`), or a variable that may hold one (`const v = c.get(k)`),
    /// resolved later through the binding's initialiser.
    fn record_entry_test(&mut self, side: &Expr) {
        let side = match unwrap(side) {
            Expr::Unary(u) if u.op == UnaryOp::TypeOf => unwrap(&u.arg),
            other => other,
        };
        match side {
            Expr::Member(m) => self.record_key_test(&m.obj),
            Expr::OptChain(o) => {
                if let OptChainBase::Member(m) = &*o.base {
                    self.record_key_test(&m.obj);
                }
            }
            Expr::Call(c) => {
                if let Callee::Expr(callee) = &c.callee {
                    if let Expr::Member(m) = unwrap(callee) {
                        if matches!(&m.prop, MemberProp::Ident(i) if i.sym == "get") {
                            self.record_key_test(&m.obj);
                        }
                    }
                }
            }
            Expr::Ident(i) => {
                let id = self.scope.reference(i);
                self.model.strict_nullish_tests.push(id);
            }
            _ => {}
        }
    }

    /// The container `e` names is read in a way that sees every key.
    pub(super) fn record_presence_read(&mut self, e: &Expr) {
        if let Some(path) = self.path_of(e) {
            self.model.presence_reads.push(path);
        }
    }

    /// A test of one key of the container `e` names: a presence read that
    /// asks about that key.
    fn record_key_test(&mut self, e: &Expr) {
        if let Some(path) = self.path_of(e) {
            self.model.presence_reads.push(path.clone());
            self.model.key_tests.push(path);
        }
    }

    /// `for (const [k, v] of c) { if (v) … else … }`: a walk over the
    /// entries whose turn takes another branch when the value is empty. An
    /// absent key takes no turn at all, a null one takes the other branch:
    /// the walk gives null a meaning of its own (an override that removes,
    /// a tombstone), so it asks about each key as a test would.
    pub(super) fn record_entry_walk(&mut self, n: &ForOfStmt) {
        let ForHead::VarDecl(decl) = &n.left else {
            return;
        };
        let Some(Pat::Array(pair)) = decl.decls.first().map(|d| &d.name) else {
            return;
        };
        let Some(Some(Pat::Ident(value))) = pair.elems.get(1) else {
            return;
        };
        let stmts: &[Stmt] = match &*n.body {
            Stmt::Block(b) => &b.stmts,
            other => std::slice::from_ref(other),
        };
        let branches_on_value = stmts.iter().any(|s| match s {
            Stmt::If(i) => i.alt.is_some() && tests_emptiness(&i.test, &value.id.sym),
            _ => false,
        });
        if branches_on_value {
            self.record_key_test(&n.right);
        }
    }

    /// `c.size` (a count of keys: null entries count, deleted ones do not).
    pub(super) fn record_size_read(&mut self, m: &MemberExpr) {
        if matches!(&m.prop, MemberProp::Ident(i) if i.sym == "size") {
            self.record_presence_read(&m.obj);
        }
    }
}

/// A test of whether `name` holds a value: `v`, `!v`, `v == null`,
/// `v !== undefined` and the like.
fn tests_emptiness(test: &Expr, name: &str) -> bool {
    let is_name = |e: &Expr| matches!(unwrap(e), Expr::Ident(i) if i.sym == name);
    match unwrap(test) {
        Expr::Unary(u) if u.op == UnaryOp::Bang => tests_emptiness(&u.arg, name),
        Expr::Bin(b)
            if matches!(
                b.op,
                BinaryOp::EqEq | BinaryOp::NotEq | BinaryOp::EqEqEq | BinaryOp::NotEqEq
            ) =>
        {
            is_name(&b.left) && is_nullish_or_undefined_text(&b.right)
                || is_name(&b.right) && is_nullish_or_undefined_text(&b.left)
        }
        e => is_name(e),
    }
}

/// `null`, `undefined`, `void 0`, or the string `'undefined'` (compared with
/// `typeof`).
fn is_nullish_or_undefined_text(e: &Expr) -> bool {
    match unwrap(e) {
        Expr::Lit(Lit::Null(_)) => true,
        Expr::Lit(Lit::Str(s)) => &*s.value.to_atom_lossy() == "undefined",
        Expr::Ident(i) => i.sym == "undefined",
        Expr::Unary(u) => u.op == UnaryOp::Void,
        _ => false,
    }
}
