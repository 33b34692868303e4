//! Does code run when something ends? An assignment of null there expires an
//! entry; the same assignment anywhere else may just store a value (a
//! negative cache, a marker, a placeholder).
//!
//! Code expires when it runs, directly or through anonymous callbacks
//! (`forEach`), in:
//! - a timer callback (`setTimeout(() => …)`, `setInterval`);
//! - a promise reaction (`.then`, `.catch`, `.finally`): in-flight work ended;
//! - a listener for an ending event (`'close'`, `'end'`, `'exit'`,
//!   `'disconnect'`, `'abort'`, `'unload'`, …);
//! - a function named for removal or teardown (`remove`, `evict`, `expire`,
//!   `dispose`, `unsubscribe`, `onClose`, `componentWillUnmount`, …);
//! - a function returned by another, the usual shape of an undo or cleanup
//!   (`subscribe()` returns `() => { subs[id] = null }`).

use crate::analysis::lifetime;
use crate::model::{FileModel, FnId, FnKind, Invocation, MemberWrite, Value};

/// Words of function names that remove or tear down (`removeEntry`,
/// `on_close`, `handleDisconnect`). A word matches exactly or with a verb
/// ending (`expired`, `closing`, `evicts`).
const REMOVAL_WORDS: &[&str] = &[
    "remove",
    "delete",
    "del",
    "evict",
    "expire",
    "clear",
    "close",
    "dispose",
    "unsubscribe",
    "unregister",
    "unbind",
    "unlisten",
    "unwatch",
    "unset",
    "unload",
    "unmount",
    "destroy",
    "teardown",
    "tear",
    "cleanup",
    "clean",
    "release",
    "detach",
    "disconnect",
    "forget",
    "drop",
    "purge",
    "prune",
    "invalidate",
    "discard",
    "free",
    "logout",
    "stop",
    "cancel",
    "abort",
    "reset",
    "eject",
    "revoke",
    "kill",
    "terminate",
    "finalize",
    "sweep",
    "end",
    "exit",
    "off",
    "settle",
    "finish",
    "complete",
];

/// Events that mean the end of something (a connection, a stream, a page).
const ENDING_EVENTS: &[&str] = &[
    "close",
    "end",
    "exit",
    "disconnect",
    "disconnected",
    "abort",
    "finish",
    "timeout",
    "destroy",
    "unload",
    "beforeunload",
    "pagehide",
    "cancel",
    "removed",
    "error",
];

/// Why code in `fn_ctx` expires entries, as evidence; `None` when nothing
/// shows that it does.
pub fn expires(model: &FileModel, fn_ctx: Option<FnId>) -> Option<String> {
    let mut current = fn_ctx;
    while let Some(id) = current {
        let f = &model.functions[id];
        if let Invocation::CallbackOf { call, .. } = f.invocation {
            if let Some(why) = ending_callback(model, call) {
                return Some(why);
            }
        }
        if let Some(name) = &f.name {
            if is_removal_name(name) {
                return Some(format!("runs in `{name}`, named for removal"));
            }
        }
        if is_returned(model, id) {
            return Some("runs in a function returned as an undo or cleanup".into());
        }
        // A named function (or a method) that is none of the above decides:
        // its callers are unknown. Anonymous callbacks defer to their parent.
        let anonymous = f.name.is_none() && matches!(f.kind, FnKind::Arrow | FnKind::Expression);
        if !anonymous {
            return None;
        }
        current = f.parent;
    }
    None
}

/// A timer or an ending-event listener.
pub(crate) fn ending_callback(model: &FileModel, call: usize) -> Option<String> {
    let c = &model.calls[call];
    if let Some(g) = c.callee.global_function() {
        if matches!(g.as_ref(), "setTimeout" | "setInterval") {
            return Some(format!("runs in a `{g}` callback"));
        }
    }
    let method = c.callee.method.as_deref()?;
    // In-flight work ended: `p.then(() => { pending.set(k, undefined) })`.
    if matches!(method, "then" | "catch" | "finally") {
        return Some(format!("runs when a promise settles (`.{method}`)"));
    }
    if !matches!(
        method,
        "on" | "once"
            | "addListener"
            | "addEventListener"
            | "prependListener"
            | "prependOnceListener"
    ) {
        return None;
    }
    let Some(Value::Str(event)) = c.args.first().map(|a| &a.value) else {
        return None;
    };
    ENDING_EVENTS
        .contains(&event.as_ref())
        .then(|| format!("runs when `{event}` fires"))
}

/// A null written into the slot that holds the handle of the very timer
/// whose callback writes it (`timers[k] = setTimeout(() => { timers[k] = null; … })`):
/// the null says "no timer armed", a state the next `if (!timers[k])` reads
/// before arming again, not the end of an entry.
pub fn disarms_own_timer(model: &FileModel, w: &MemberWrite) -> bool {
    let seen_from_this = |m: &MemberWrite| {
        lifetime::as_this(model, m.fn_ctx, &m.object)
            .map(|(p, _)| p)
            .unwrap_or_else(|| m.object.clone())
            .normalized()
    };
    let object = seen_from_this(w);
    let key = model.text(&w.key_span);
    model.member_writes.iter().any(|arm| {
        let Value::Call(timer) = &arm.value else {
            return false;
        };
        if arm.op != "=" || model.text(&arm.key_span) != key || seen_from_this(arm) != object {
            return false;
        }
        let Some(index) = model.calls.iter().position(|c| c.span == timer.span) else {
            return false;
        };
        let c = &model.calls[index];
        c.callee
            .global_function()
            .is_some_and(|g| matches!(g.as_ref(), "setTimeout" | "setInterval"))
            && model.functions.iter().enumerate().any(|(f, info)| {
                matches!(info.invocation, Invocation::CallbackOf { call, .. } if call == index)
                    && model.is_within(w.fn_ctx, f)
            })
    })
}

/// Is function `f` handed by name to a timer (`const clear = () => …;
/// setTimeout(clear, ttl)`), or a timer's inline callback? Then it runs on
/// its own when the timer fires, whoever else calls it.
pub fn scheduled_on_timer(model: &FileModel, f: FnId) -> bool {
    let is_timer = |call: usize| {
        model.calls[call]
            .callee
            .global_function()
            .is_some_and(|g| matches!(g.as_ref(), "setTimeout" | "setInterval"))
    };
    if let Invocation::CallbackOf { call, arg: 0 } = model.functions[f].invocation {
        return is_timer(call);
    }
    model.calls.iter().enumerate().any(|(i, c)| {
        matches!(c.args.first().map(|a| &a.value), Some(Value::Path(p))
            if p.props.is_empty()
                && p.root_binding()
                    .and_then(|id| model.semantic.binding(&id))
                    .is_some_and(|b| b.init == Some(Value::Function(Some(f)))))
            && is_timer(i)
    })
}

/// Is the function the value some other function returns?
fn is_returned(model: &FileModel, f: FnId) -> bool {
    let parent = model.functions[f].parent;
    parent.is_some()
        && model
            .returns
            .iter()
            .any(|r| r.fn_ctx == parent && r.value == Value::Function(Some(f)))
}

/// Is one of the name's words a removal word (`evictStale`, `_onClose`,
/// `handle_disconnect`, `componentWillUnmount`)?
pub fn is_removal_name(name: &str) -> bool {
    words(name).any(|w| {
        REMOVAL_WORDS.iter().any(|verb| {
            w.strip_prefix(verb)
                .is_some_and(|rest| matches!(rest, "" | "s" | "d" | "ed" | "ing" | "all"))
        })
    })
}

/// The lowercase words of a camelCase, PascalCase or snake_case name.
pub(crate) fn words(name: &str) -> impl Iterator<Item = String> + '_ {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if ch == '_' || ch == '$' || ch.is_ascii_digit() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        prev_lower = ch.is_lowercase();
        word.extend(ch.to_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    #[test]
    fn removal_names() {
        for n in [
            "remove",
            "removeEntry",
            "evictStale",
            "_onClose",
            "handle_disconnect",
            "componentWillUnmount",
            "ngOnDestroy",
            "disconnectedCallback",
            "expired",
            "clearAll",
            "unsubscribe",
            "dispose",
        ] {
            assert!(is_removal_name(n), "{n}");
        }
        for n in [
            "get",
            "lookup",
            "endpoint",
            "resolveType",
            "compute",
            "clearance",
            "visit",
            "set",
        ] {
            assert!(!is_removal_name(n), "{n}");
        }
    }

    /// The expiry evidence for the (only) member write of `src`.
    fn write_expires(src: &str) -> Option<String> {
        let mut r = None;
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            r = expires(m, m.member_writes.last().unwrap().fn_ctx);
        });
        r
    }

    #[test]
    fn contexts_that_expire() {
        for src in [
            "const c = {};\nfunction f(k) { setTimeout(() => { c[k] = null }, 5) }\n",
            "const c = {};\nfunction f(k) { setTimeout(() => c[k] = null, 5) }\n",
            "const c = {};\nfunction remove(k) { [k].forEach((x) => { c[x] = null }) }\n",
            "const c = {};\nfunction f(s, k) { s.on('close', () => { c[k] = null }) }\n",
            "const c = {};\nfunction sub(k, fn) { c[k] = fn; return () => { c[k] = null } }\n",
        ] {
            assert!(write_expires(src).is_some(), "{src}");
        }
        for src in [
            "const c = {};\nfunction lookup(k) { c[k] = null }\n",
            "const c = {};\nfunction f(s, k) { s.on('data', () => { c[k] = null }) }\n",
            "const c = {};\nc[key()] = null;\n",
            "const c = {};\nfunction f(k) { items.map(function visit(x) { c[x] = null }) }\n",
        ] {
            assert!(write_expires(src).is_none(), "{src}");
        }
    }

    /// Does the last null write of `src` disarm its own timer's slot?
    fn disarms(src: &str) -> bool {
        let mut r = false;
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            let w = m
                .member_writes
                .iter()
                .rfind(|w| w.value.is_nullish())
                .unwrap();
            r = disarms_own_timer(m, w);
        });
        r
    }

    #[test]
    fn a_timer_clearing_its_own_slot_disarms() {
        assert!(disarms(
            "class Q { push(b) { if (!this.t[b]) this.t[b] = setTimeout(() => { this.t[b] = null; this.run(b) }, 5) } }\n"
        ));
        assert!(disarms(
            "const t = {};\nfunction arm(b) { t[b] = setTimeout(function () { t[b] = null }, 5) }\n"
        ));
        // The slot holds a value, not the timer: the timer expires the entry.
        assert!(!disarms(
            "const c = {};\nfunction set(k, v) { c[k] = v; setTimeout(() => { c[k] = null }, 5) }\n"
        ));
        // Another slot's timer.
        assert!(!disarms(
            "const t = {};\nconst c = {};\nfunction arm(b) { t[b] = setTimeout(() => { c[b] = null }, 5) }\n"
        ));
    }
}
