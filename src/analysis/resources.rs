//! Resources as data: one table of acquire/release pairs that every
//! lifecycle rule reads. A rule asks "is this call an acquisition, of which
//! kind, and which calls release it?" here instead of keeping its own list,
//! so a cleanup shape recognised for one rule is recognised for all.
//!
//! Most false positives of leak linters come from a real cleanup whose shape
//! was not recognised (`{ once }`, `{ signal }`, a returned disposer, an
//! object with `remove()`); the shapes are listed here, beside the pairs.

/// What a resource is, for messages and for picking the rule that owns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `target.on(event, f)` ↔ `target.off(event, f)`.
    Listener,
    /// `setInterval`/`setTimeout` ↔ `clearInterval`/`clearTimeout`.
    Timer,
    /// `requestAnimationFrame`/`requestIdleCallback` ↔ `cancel*`.
    Frame,
    /// `new ResizeObserver(…)` ↔ `disconnect()`/`unobserve()`.
    Observer,
    /// `source.subscribe(…)` ↔ `unsubscribe()` or the returned function.
    Subscription,
    /// `new WebSocket(…)` and other channels ↔ `close()`.
    Channel,
}

/// How the acquiring call is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `receiver.method(…)`; released by `receiver.release(…)`.
    Method,
    /// A global function (`setInterval(…)`); released by a global function
    /// given the handle it returned.
    Global,
    /// `new Global(…)`; released by a method of the instance.
    Constructor,
}

/// One acquire/release pair.
pub struct Pair {
    pub kind: Kind,
    pub shape: Shape,
    pub acquire: &'static [&'static str],
    pub release: &'static [&'static str],
}

/// Listeners on emitters and event targets.
pub const LISTENER: Pair = Pair {
    kind: Kind::Listener,
    shape: Shape::Method,
    acquire: &["on", "addListener", "prependListener", "addEventListener"],
    release: &["off", "removeListener", "removeEventListener"],
};
/// Timers and intervals.
pub const TIMER: Pair = Pair {
    kind: Kind::Timer,
    shape: Shape::Global,
    acquire: &["setInterval", "setTimeout"],
    release: &["clearInterval", "clearTimeout"],
};
/// Animation frames and idle callbacks.
pub const FRAME: Pair = Pair {
    kind: Kind::Frame,
    shape: Shape::Global,
    acquire: &["requestAnimationFrame", "requestIdleCallback"],
    release: &["cancelAnimationFrame", "cancelIdleCallback"],
};
/// DOM observers.
pub const OBSERVER: Pair = Pair {
    kind: Kind::Observer,
    shape: Shape::Constructor,
    acquire: &[
        "ResizeObserver",
        "IntersectionObserver",
        "MutationObserver",
        "PerformanceObserver",
    ],
    release: &["disconnect", "unobserve"],
};
/// Subscriptions to observables and stores.
pub const SUBSCRIPTION: Pair = Pair {
    kind: Kind::Subscription,
    shape: Shape::Method,
    acquire: &["subscribe"],
    release: &["unsubscribe", "unsub", "dispose"],
};
/// Sockets and channels that must be closed.
pub const CHANNEL: Pair = Pair {
    kind: Kind::Channel,
    shape: Shape::Constructor,
    acquire: &[
        "WebSocket",
        "EventSource",
        "BroadcastChannel",
        "MessageChannel",
    ],
    release: &["close"],
};
/// Every pair leaklint knows. Order matters only for [`pair_of`]: the first
/// pair naming a method wins.
pub const PAIRS: &[Pair] = &[LISTENER, TIMER, FRAME, OBSERVER, SUBSCRIPTION, CHANNEL];

/// Listener methods that remove themselves after the first event
/// (`emitter.once(…)`): released when the event fires, and only then.
pub const SELF_REMOVING_ADDS: &[&str] = &["once", "prependOnceListener"];

/// Removes every listener of a target (or of one event): undoes any add.
pub const REMOVE_ALL: &str = "removeAllListeners";

/// Options of `addEventListener` that release the listener without a
/// removal call: `{ once: true }` when the event fires, `{ signal }` when the
/// controller aborts.
pub const RELEASING_OPTIONS: &[&str] = &["once", "signal"];

/// Methods of an object a registration returns that undo it:
/// `const sub = x.subscribe(f); sub.remove()`, `handle.dispose()`.
pub const DISPOSER_METHODS: &[&str] = &["remove", "dispose", "unsubscribe", "off", "cancel"];

/// Events that a target emits at most once in its life: a once-listener
/// waiting for one of them on a long-lived target is released only if that
/// target ends, which for a shared signal, socket or emitter may be never.
/// The process's own `exit` is left out: when it fires, everything goes.
pub const TERMINAL_EVENTS: &[&str] = &["abort", "close", "end", "finish", "disconnect"];

/// Methods that check a resource out of a pool and give it back. A local
/// bound to the result of an acquire that the file also releases is a pooled
/// object: it outlives the call and serves the next one with whatever was
/// attached to it.
pub const POOL_ACQUIRE: &[&str] = &["connect", "acquire", "getConnection", "checkout"];
pub const POOL_RELEASE: &[&str] = &["release"];

/// The pair whose acquisitions include `name` written in `shape`.
pub fn pair_of(shape: Shape, name: &str) -> Option<&'static Pair> {
    PAIRS
        .iter()
        .find(|p| p.shape == shape && p.acquire.contains(&name))
}

/// The pair of `kind`.
pub fn pair(kind: Kind) -> &'static Pair {
    PAIRS
        .iter()
        .find(|p| p.kind == kind)
        .expect("every kind has a pair")
}

/// Does the resource of `kind` get released by `name`?
pub fn releases(kind: Kind, name: &str) -> bool {
    pair(kind).release.contains(&name)
}

/// Is a once-listener for `event` released only when its target ends?
pub fn is_terminal_event(event: &str) -> bool {
    TERMINAL_EVENTS.contains(&event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_pair_and_no_name_is_both_acquire_and_release() {
        let kinds = [
            Kind::Listener,
            Kind::Timer,
            Kind::Frame,
            Kind::Observer,
            Kind::Subscription,
            Kind::Channel,
        ];
        for k in kinds {
            assert_eq!(PAIRS.iter().filter(|p| p.kind == k).count(), 1, "{k:?}");
        }
        for p in PAIRS {
            for a in p.acquire {
                assert!(!p.release.contains(a), "{a} both acquires and releases");
            }
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(
            pair_of(Shape::Global, "setTimeout").map(|p| p.kind),
            Some(Kind::Timer)
        );
        assert_eq!(
            pair_of(Shape::Method, "addEventListener").map(|p| p.kind),
            Some(Kind::Listener)
        );
        assert!(pair_of(Shape::Method, "setTimeout").is_none());
        assert!(releases(Kind::Frame, "cancelIdleCallback"));
        assert!(!releases(Kind::Timer, "cancelAnimationFrame"));
        assert!(is_terminal_event("abort") && !is_terminal_event("data"));
    }
}
