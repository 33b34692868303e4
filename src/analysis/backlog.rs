//! Evidence shared by the backlog rules (`ignored-backpressure`,
//! `unbounded-queue`, `unbounded-concurrency`): how often a producer runs,
//! said the way a message can quote it ("for every `request` event", "in a
//! loop"), and whether a piece of code sits in a loop of its own function.

use crate::analysis::listeners;
use crate::model::{CallFact, FileModel, FnId, Invocation, TextSpan, Value};

/// How a producer is driven, strongest evidence first.
#[derive(Clone, Debug, PartialEq)]
pub enum Driver {
    /// A handler of an event or a request: `server.on('request', …)`,
    /// `app.get('/x', …)`, `http.createServer(…)`.
    Event(String),
    /// A loop body in code that itself runs repeatedly.
    Loop,
    /// A function anyone may call any number of times.
    Call(String),
}

impl Driver {
    /// For messages: "for every `request` event", "in a loop", "on every call of `log`".
    pub fn describe(&self) -> String {
        match self {
            Driver::Event(e) => e.clone(),
            Driver::Loop => "in a loop".to_string(),
            Driver::Call(c) => c.clone(),
        }
    }
}

/// Router methods whose callbacks run once per matching request.
const ROUTE_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "all", "use", "head", "options",
];

/// Registration methods whose callbacks run once per event.
const LISTEN_METHODS: &[&str] = &["on", "addListener", "prependListener", "addEventListener"];

/// The event or request a function (or one of the functions enclosing it)
/// handles, when the file shows it.
pub fn event_driver(model: &FileModel, fn_ctx: Option<FnId>) -> Option<String> {
    let mut current = fn_ctx;
    while let Some(f) = current {
        if let Invocation::CallbackOf { call, .. } = model.functions[f].invocation {
            if let Some(why) = handler_of(model, &model.calls[call]) {
                return Some(why);
            }
        }
        current = model.functions[f].parent;
    }
    None
}

/// Events that fire once or rarely in the life of their emitter (start,
/// end, failure): a handler of one is not a per-request producer.
const LIFECYCLE_EVENTS: &[&str] = &[
    "error",
    "close",
    "exit",
    "end",
    "finish",
    "ready",
    "listening",
    "open",
    "connect",
    "drain",
    "beforeExit",
    "uncaughtException",
    "unhandledRejection",
    "warning",
    "SIGINT",
    "SIGTERM",
    "SIGHUP",
    "disconnect",
    "timeout",
    "abort",
];

/// Is the nearest listener registration around `fn_ctx` one for a
/// lifecycle event (`'error'`, `'close'`, `'exit'`, …)?
pub fn in_lifecycle_handler(model: &FileModel, fn_ctx: Option<FnId>) -> bool {
    let mut current = fn_ctx;
    while let Some(f) = current {
        if let Invocation::CallbackOf { call, .. } = model.functions[f].invocation {
            let c = &model.calls[call];
            let listens = c
                .callee
                .method
                .as_deref()
                .is_some_and(|m| LISTEN_METHODS.contains(&m) || m == "once");
            if listens {
                return matches!(
                    c.args.first().map(|a| &a.value),
                    Some(Value::Str(e)) if LIFECYCLE_EVENTS.contains(&e.as_ref())
                );
            }
        }
        current = model.functions[f].parent;
    }
    false
}

fn handler_of(model: &FileModel, call: &CallFact) -> Option<String> {
    let method = call.callee.method.as_deref();
    let named = call
        .callee
        .global_function()
        .or_else(|| call.callee.method.clone());
    if named.as_deref() == Some("createServer") {
        return Some("for every request the server receives".to_string());
    }
    let m = method?;
    if LISTEN_METHODS.contains(&m) {
        if let Some(Value::Str(event)) = call.args.first().map(|a| &a.value) {
            if LIFECYCLE_EVENTS.contains(&event.as_ref()) {
                return None;
            }
            return Some(format!("for every `{event}` event"));
        }
        return None;
    }
    if ROUTE_METHODS.contains(&m) && call.callee.has_receiver() {
        // `app.get('/path', handler)`: a route; `app.use(handler)`: middleware.
        let first = call.args.first().map(|a| &a.value);
        let routed = matches!(first, Some(Value::Str(_) | Value::Template { .. }))
            || (m == "use" && matches!(first, Some(Value::Function(_))));
        if routed {
            let route = match first {
                Some(Value::Str(p)) => format!(" to `{p}`"),
                _ => String::new(),
            };
            return Some(format!(
                "for every request{route} (`{}`)",
                model.text(&call.callee_span)
            ));
        }
    }
    None
}

/// Is `span` inside a loop body that belongs to the function `fn_ctx` itself
/// (not to a function nested in the loop)?
pub fn in_loop(model: &FileModel, span: TextSpan, fn_ctx: Option<FnId>) -> bool {
    model
        .loops
        .iter()
        .any(|l| l.fn_ctx == fn_ctx && l.body.encloses(span))
}

/// The strongest evidence that code in `fn_ctx` at `span` runs many times,
/// given that the file's frequency analysis already says it repeats.
pub fn driver(model: &FileModel, span: TextSpan, fn_ctx: Option<FnId>) -> Driver {
    if let Some(e) = event_driver(model, fn_ctx) {
        return Driver::Event(e);
    }
    if in_loop(model, span, fn_ctx) {
        return Driver::Loop;
    }
    Driver::Call(listeners::repetition_unit(model, fn_ctx, false))
}

/// Is `span` inside a branch of a condition, within the function `fn_ctx`?
pub fn is_guarded_in(model: &FileModel, span: TextSpan, fn_ctx: Option<FnId>) -> bool {
    model.guarded.iter().any(|g| {
        g.encloses(span)
            && match fn_ctx {
                Some(f) => model.functions[f].span.encloses(*g),
                None => true,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    fn driver_of_write(src: &str) -> Driver {
        let mut out = None;
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            let c = m.method_calls("write").next().expect("a write");
            out = Some(driver(m, c.span, c.fn_ctx));
        });
        out.unwrap()
    }

    #[test]
    fn handlers_loops_and_calls_are_told_apart() {
        assert_eq!(
            driver_of_write("server.on('request', (req) => { s.write(req.url) })"),
            Driver::Event("for every `request` event".into())
        );
        assert!(matches!(
            driver_of_write("app.get('/x', (req, res) => { s.write(req.url) })"),
            Driver::Event(_)
        ));
        assert_eq!(
            driver_of_write("function f(rows) { for (const r of rows) s.write(r) }"),
            Driver::Loop
        );
        // The loop belongs to the outer function; the write runs once per call of `g`.
        assert_eq!(
            driver_of_write(
                "function f(rows) { for (const r of rows) { function g() { s.write(r) } } }"
            ),
            Driver::Call("on every call of `g`".into())
        );
    }
}
