//! A stream keeps buffering what is written to it: `write()` on a long-lived
//! stream, per request/event/loop, with its `false` return dropped and no
//! wait for `'drain'`; or a Transform/Readable that pushes every chunk into a
//! readable side that nothing in the file reads.

use std::ops::Range;

use super::{Finding, Rule, RuleContext};
use crate::analysis::backlog::{self, Driver};
use crate::analysis::frequency::Frequencies;
use crate::analysis::handles;
use crate::analysis::lifetime::{self, intent};
use crate::diagnostic::Severity;
use crate::model::{
    AccessPath, CallFact, FileModel, FnId, Invocation, Key, ResultUse, Root, Value,
};

pub(crate) const RULE: Rule = Rule {
    name: "ignored-backpressure",
    summary: "A stream buffers without bound: `write()` on a long-lived stream runs per request, event or loop and ignores its `false` return, or a Transform pushes every chunk into a readable side nothing reads.",
    default_severity: Severity::Error,
    fixable: false,
    docs: include_str!("../../rules/ignored-backpressure.md"),
    check,
};

fn check(out: &mut RuleContext) {
    let model = out.model;
    check_writes(model, out);
    check_pushes(model, out);
}

// ---------------------------------------------------------------- write()

/// A stream that outlives the code writing to it.
struct LongLivedStream {
    /// Where it is opened (none for `process.stdout`).
    decl: Option<Range<usize>>,
    why: String,
    /// Standard output: only per-request/per-event writes count (a CLI's
    /// output loop is not a server's log).
    needs_event: bool,
}

fn check_writes(model: &FileModel, out: &mut RuleContext) {
    let writes: Vec<&CallFact> = model
        .method_calls("write")
        .filter(|c| {
            !c.is_new
                && c.result == ResultUse::Discarded
                && !c.args.is_empty()
                // A completion callback: the writer tracks each write.
                // (`write(chunk, done)`, `write(chunk, 'utf8', done)`).
                && (c.args.len() <= 1
                    || matches!(c.args[c.args.len() - 1].value, Value::Str(_)))
        })
        .collect();
    if writes.is_empty() || reads_buffer_state(model) {
        return;
    }
    let rep = Frequencies::new(model);
    let mut reported: Vec<AccessPath> = Vec::new();
    for w in writes {
        let Some(recv) = w.callee.receiver() else {
            continue;
        };
        let recv = recv.normalized();
        if reported.contains(&recv) {
            continue;
        }
        // Cheapest first: most writes go to a stream that dies with its
        // operation, and the run-frequency table is built on first use.
        let Some(stream) = long_lived_stream(model, &recv, w.fn_ctx) else {
            continue;
        };
        if !rep.runs_many_times(w.fn_ctx, w.span.start()) {
            continue;
        }
        // `stream.on('error', …)`, `process.on('exit', …)`: fires once or rarely.
        if backlog::in_lifecycle_handler(model, w.fn_ctx) {
            continue;
        }
        let driver = backlog::driver(model, w.span, w.fn_ctx);
        if stream.needs_event && !matches!(driver, Driver::Event(_)) {
            continue;
        }
        // Handed to other code (a logger, a pipeline helper): it may wait for
        // 'drain' where this file cannot see.
        if handles_backpressure(model, &recv)
            || handles::escapes(model, std::slice::from_ref(&recv))
        {
            continue;
        }
        reported.push(recv.clone());
        let shown = model.text(&w.callee.receiver_span.unwrap_or(w.callee_span));
        let mut d = Finding::new(w.span.range(),
            format!(
                "every chunk written to `{shown}` stays buffered in memory while the stream is slower than the writer: `write()` returns `false` and is called again anyway"
            ),
        )
        .with_label(format!(
            "`false` ignored, {}; nothing waits for `'drain'`",
            driver.describe()
        ));
        if let Some(decl) = stream.decl {
            d = d.with_related(decl, stream.why);
        } else {
            d = d.with_related(
                w.callee.receiver_span.unwrap_or(w.callee_span).range(),
                stream.why,
            );
        }
        // A program's own output: standard output written by a program's
        // entry file, or mirroring the chunks of one stream that code run
        // once listens to (a script echoing a child's output). What waits
        // in memory is bounded by that program's or that stream's output,
        // not by a server's traffic.
        if stream.needs_event {
            if intent::is_cli_entry(model) {
                d = d.assumed(
                    "a program's entry file (its `#!` line) writes its own output: nothing shows a server's traffic behind it",
                );
            } else if let Some(line) = mirrors_one_stream(model, &rep, w.fn_ctx) {
                d = d.assumed(format!(
                    "the writes mirror the `'data'` of one stream, listened to at line {line} by code that runs once: what waits is bounded by that stream's output"
                ));
            }
        }
        out.report(d.with_help(format!(
            "when `{shown}.write(chunk)` returns `false`, stop writing until `'drain'` (`if (!{shown}.write(chunk)) await once({shown}, 'drain')` with `events.once`), or feed the stream through `stream.pipeline`, which does that for you; a logger that must not wait can drop lines while `{shown}.writableLength` exceeds a bound"
        )));
    }
}

/// The nearest listener around `fn_ctx` is for `'data'` and is registered
/// by code that runs once (`child.stdout.on('data', …)` in a script's main
/// function): the writes follow one stream. Returns the registration's
/// line.
fn mirrors_one_stream(model: &FileModel, rep: &Frequencies, fn_ctx: Option<FnId>) -> Option<usize> {
    let mut current = fn_ctx;
    while let Some(f) = current {
        if let Invocation::CallbackOf { call, .. } = model.functions[f].invocation {
            let c = &model.calls[call];
            if c.callee
                .method
                .as_deref()
                .is_some_and(|m| matches!(m, "on" | "addListener" | "prependListener"))
            {
                let data =
                    matches!(c.args.first().map(|a| &a.value), Some(Value::Str(e)) if e == "data");
                let once = rep.at(c.fn_ctx, c.span.start()).is_once();
                return (data && once).then(|| model.line_of(c.span.start()));
            }
        }
        current = model.functions[f].parent;
    }
    None
}

/// `writableLength`, `writableNeedDrain`, `bufferSize`: the file looks at the
/// buffer itself, so it has its own bound (strict by default: the whole file
/// is trusted).
fn reads_buffer_state(model: &FileModel) -> bool {
    [
        "writableLength",
        "writableNeedDrain",
        "bufferSize",
        "writableHighWaterMark",
    ]
    .iter()
    .any(|n| model.source.contains(n))
}

/// Calls that open a stream to a file or a socket.
fn opens_stream(model: &FileModel, v: &Value) -> bool {
    let (callee, method) = match v {
        Value::Call(c) => (c.callee.as_ref(), c.method.as_ref()),
        // A stream implemented in the file: `new Writable({ write(…) {…} })`.
        Value::New(_) => {
            return matches!(
                v.constructor_name().map(|n| n.as_ref()),
                Some("Writable" | "PassThrough")
            );
        }
        _ => return false,
    };
    let last = method.cloned().or_else(|| {
        callee.and_then(|p| match &p.root {
            Root::Binding(n, _) | Root::Global(n) if p.props.is_empty() => Some(n.clone()),
            _ => None,
        })
    });
    match last.as_deref() {
        Some("createWriteStream" | "createConnection") => true,
        // `net.connect(…)`, `tls.connect(…)`: the module, not any `connect`.
        Some("connect") => callee.and_then(|p| p.root_binding()).is_some_and(|id| {
            model.module_bindings.iter().any(|m| {
                m.id == id && matches!(m.source.trim_start_matches("node:"), "net" | "tls")
            })
        }),
        _ => false,
    }
}

fn long_lived_stream(
    model: &FileModel,
    recv: &AccessPath,
    fn_ctx: Option<FnId>,
) -> Option<LongLivedStream> {
    if let Root::Global(g) = &recv.root {
        if g == "process"
            && recv.props.len() == 1
            && matches!(recv.props[0].as_ref(), "stdout" | "stderr")
        {
            return Some(LongLivedStream {
                decl: None,
                why: format!(
                    "`{recv}` lives as long as the process; when it is a pipe (a log collector, `| tee`), writes to it are asynchronous and wait in memory"
                ),
                needs_event: true,
            });
        }
        return None;
    }
    if let Some(id) = recv.root_binding().filter(|_| recv.props.is_empty()) {
        let b = model.semantic.binding(&id)?;
        if !b.is_module_level() {
            return None;
        }
        let opened = b.init.as_ref().is_some_and(|v| opens_stream(model, v))
            || model
                .binding_writes
                .iter()
                .any(|w| w.id == id && opens_stream(model, &w.value));
        return opened.then(|| LongLivedStream {
            decl: Some(b.span.range()),
            why: format!(
                "`{}` is opened at module level: the stream and its buffer live as long as the process",
                id.0
            ),
            needs_event: false,
        });
    }
    // `this.out` opened in the constructor of a class instantiated once.
    if recv.root == Root::This && recv.props.len() == 1 {
        let class = model.this_class(fn_ctx)?;
        let name = &recv.props[0];
        let opened = model.member_writes.iter().find(|w| {
            w.object.root == Root::This
                && w.object.props.is_empty()
                && w.key == Key::Static(name.clone())
                && opens_stream(model, &w.value)
                && model.this_class(w.fn_ctx) == Some(class)
                && model.in_constructor(w.fn_ctx)
        })?;
        let long = lifetime::long_lived_class(model, class)?;
        return Some(LongLivedStream {
            decl: Some(opened.span.range()),
            why: format!("opened in the constructor; {}", long.why),
            needs_event: false,
        });
    }
    None
}

/// The file waits for `'drain'` on the stream (or anywhere it cannot tell),
/// pipes into it, or reads the result of some `write()` to it.
fn handles_backpressure(model: &FileModel, recv: &AccessPath) -> bool {
    let is_recv = |v: &Value| matches!(v, Value::Path(p) if p.normalized() == *recv);
    model.calls.iter().any(|c| {
        let on_recv = c
            .callee
            .receiver()
            .is_some_and(|r| r.normalized() == *recv);
        let drain = c
            .args
            .iter()
            .any(|a| matches!(&a.value, Value::Str(s) if s == "drain"));
        // `recv.once('drain')`, `once(recv, 'drain')`, or a drain wait on a
        // receiver the model has no path for.
        (drain && (on_recv || c.args.iter().any(|a| is_recv(&a.value)) || !c.callee.has_receiver() && c.callee.method.is_some()))
            // `src.pipe(recv)`, `pipeline(src, recv)`: data reaches it with backpressure too.
            || (c.args.iter().any(|a| is_recv(&a.value))
                && (c.callee.method.as_deref() == Some("pipe")
                    || c.callee.global_function().as_deref() == Some("pipeline")
                    || c.callee.path.as_ref().is_some_and(|p| {
                        p.props.last().map(|a| a.as_ref()) == Some("pipeline")
                            || matches!(&p.root, Root::Binding(n, _) if n == "pipeline" && p.props.is_empty())
                    })))
            // `if (!recv.write(x))`, `await recv.write(x)`: someone looks at the answer.
            || (on_recv
                && c.callee.method.as_deref() == Some("write")
                && c.result != ResultUse::Discarded)
    })
}

// ---------------------------------------------------------------- push()

/// A stream created in this file whose implementation pushes every chunk.
struct Pusher<'m> {
    /// The call that creates the stream.
    creation: &'m CallFact,
    /// Where the stream is kept.
    stream: AccessPath,
}

fn check_pushes(model: &FileModel, out: &mut RuleContext) {
    let pushes: Vec<&CallFact> = model
        .method_calls("push")
        .filter(|c| {
            c.result == ResultUse::Discarded
                && c.args.len() == 1
                && !c.args[0].value.is_nullish()
                && c.callee
                    .path
                    .as_ref()
                    .is_some_and(|p| p.root == Root::This && p.props.len() == 1)
        })
        .collect();
    if pushes.is_empty() {
        return;
    }
    let mut reported: Vec<Range<usize>> = Vec::new();
    for push in pushes {
        let Some(p) = pusher(model, push) else {
            continue;
        };
        if reported.contains(&p.creation.span.range()) {
            continue;
        }
        // `if (downstream) this.push(chunk)`: the author gates the output.
        if backlog::is_guarded_in(model, push.span, model.this_function(push.fn_ctx)) {
            continue;
        }
        let Some(unread) = unread_side(model, &p) else {
            continue;
        };
        reported.push(p.creation.span.range());
        let name = p.stream.to_string();
        let (message, label) = match &unread {
            Unread::Never { written } => (
                format!(
                    "every chunk written to `{name}` is pushed to its readable side, and nothing in this file ever reads it: the chunks pile up in the stream's buffer"
                ),
                format!("written to {}, never read", written.1),
            ),
            Unread::OnlyWhen { test, .. } => (
                format!(
                    "every chunk written to `{name}` is pushed to its readable side, which is read only when `{test}` is truthy: otherwise the chunks pile up in the stream's buffer"
                ),
                format!(
                    "when `{test}` is falsy, `{name}` itself is handed on as the destination: written to, never read"
                ),
            ),
        };
        let mut d = Finding::new(push.span.range(), message)
            .with_label("pushes every chunk; its `false` return (buffer full) is ignored")
            .with_related(
                p.creation.span.range(),
                format!("`{name}` is created here; its readable side keeps whatever is pushed until someone reads it"),
            );
        d = match unread {
            Unread::Never { written } => d.with_related(written.0, label),
            Unread::OnlyWhen { other, .. } => d.with_related(other, label),
        };
        out.report(d.with_help(format!(
            "push only when something reads the output (`if (downstream) this.push(chunk)`), consume it on every path (`{name}.resume()` drops what nobody needs, `stream.pipeline({name}, destination)` reads it with backpressure), or use a `Writable` when the data is only looked at"
        )));
    }
}

/// Finds the stream a `this.push(…)` pushes into.
fn pusher<'m>(model: &'m FileModel, push: &'m CallFact) -> Option<Pusher<'m>> {
    let f = model.this_function(push.fn_ctx)?;
    let info = &model.functions[f];
    let creation = match info.invocation {
        // `through(function (chunk, enc, cb) { this.push(chunk); cb() })`
        Invocation::CallbackOf { call, .. } if info.params == 3 => &model.calls[call],
        // `new Transform({ transform(chunk, enc, cb) { this.push(chunk); cb() } })`
        _ if matches!(info.name.as_deref(), Some("transform")) => model.calls.iter().find(|c| {
            c.is_new
                && c.args
                    .iter()
                    .any(|a| matches!(a.value, Value::Object { .. }) && a.span.encloses(info.span))
                && matches!(constructor_name(c).as_deref(), Some("Transform" | "Duplex"))
        })?,
        _ => return None,
    };
    let ResultUse::Assigned(stream) = &creation.result else {
        return None;
    };
    Some(Pusher {
        creation,
        stream: stream.normalized(),
    })
}

fn constructor_name(c: &CallFact) -> Option<String> {
    let p = c.callee.path.as_ref()?;
    p.props.last().map(|a| a.to_string()).or(match &p.root {
        Root::Binding(n, _) | Root::Global(n) => Some(n.to_string()),
        Root::This => None,
    })
}

enum Unread {
    /// Nothing reads it; it is written to at `written` (span, how).
    Never { written: (Range<usize>, String) },
    /// `cond ? stream.pipe(dest) : stream`: read only on one branch.
    OnlyWhen { test: String, other: Range<usize> },
}

/// Methods that read a readable side (or switch it to flowing mode).
const READS: &[&str] = &["pipe", "read", "resume", "unpipe", "pipeTo", "getReader"];

fn unread_side(model: &FileModel, p: &Pusher) -> Option<Unread> {
    let aliases = handles::aliases(model, &p.stream);
    if handles::escapes(model, &aliases) || aliases.iter().any(|a| exported(model, a)) {
        return None;
    }
    let on_stream = |c: &CallFact| {
        c.callee
            .receiver()
            .is_some_and(|r| aliases.contains(&r.normalized()))
    };
    let mut reads: Vec<&CallFact> = Vec::new();
    let mut written = false;
    for c in model.calls.iter().filter(|c| on_stream(c)) {
        let m = c.callee.method.as_deref().unwrap_or("");
        let listens = matches!(
            m,
            "on" | "once" | "addListener" | "prependListener" | "prependOnceListener"
        );
        let data_event = matches!(
            c.args.first().map(|a| &a.value),
            Some(Value::Str(e)) if e == "data" || e == "readable"
        );
        if READS.contains(&m)
            || (listens
                && (data_event || !matches!(c.args.first().map(|a| &a.value), Some(Value::Str(_)))))
        {
            reads.push(c);
        } else if m == "write" {
            written = true;
        } else if !matches!(
            m,
            "write"
                | "end"
                | "on"
                | "once"
                | "addListener"
                | "destroy"
                | "cork"
                | "uncork"
                | "setEncoding"
        ) {
            // Anything else (`stream[Symbol.asyncIterator]`, an unknown helper): trust it.
            return None;
        }
    }
    // Every read of a variable holding the stream must be one of the calls
    // above (plus the `?:` branch that hands it on): any other use
    // (`for await (… of stream)`, `[stream]`, `{ ...stream }`) may read it.
    let other_uses = match p
        .stream
        .root_binding()
        .filter(|_| p.stream.props.is_empty())
    {
        Some(id) if aliases.len() == 1 => {
            let on_it = model
                .calls
                .iter()
                .filter(|c| c.callee.receiver().is_some_and(|r| r == p.stream))
                .count();
            model.semantic.references(&id).len().saturating_sub(on_it)
        }
        _ => 0,
    };
    match reads.as_slice() {
        [] => {
            if !written || other_uses > 0 {
                return None;
            }
            let rep = Frequencies::new(model);
            // The writes must repeat for the buffer to grow.
            let w = model
                .method_calls("write")
                .find(|c| on_stream(c) && rep.runs_many_times(c.fn_ctx, c.span.start()))?;
            let how = backlog::driver(model, w.span, w.fn_ctx).describe();
            Some(Unread::Never {
                written: (w.span.range(), how),
            })
        }
        [pipe] if pipe.callee.method.as_deref() == Some("pipe") && other_uses <= 1 => {
            only_when(model, pipe, &aliases)
        }
        _ => None,
    }
}

/// `cond ? stream.pipe(dest) : stream`: both branches are what the code uses
/// as a destination (a `pipe()` returns its destination), so in the branch
/// that hands on `stream` itself, nothing reads it.
fn only_when(model: &FileModel, pipe: &CallFact, aliases: &[AccessPath]) -> Option<Unread> {
    let i = model.guarded.iter().position(|g| *g == pipe.span)?;
    let sibling = |j: usize| model.guarded.get(j).copied();
    let is_stream = |s: crate::model::TextSpan| {
        let text = model
            .text(&s)
            .trim()
            .trim_matches(|c| c == '(' || c == ')')
            .trim();
        aliases.iter().any(|a| a.to_string() == text)
    };
    let other = [i.checked_sub(1).and_then(sibling), sibling(i + 1)]
        .into_iter()
        .flatten()
        .find(|s| is_stream(*s))?;
    let cond = model
        .conditionals
        .iter()
        .filter(|c| c.span.encloses(pipe.span) && c.span.encloses(other))
        .min_by_key(|c| c.span.len())?;
    let first = pipe.span.start().min(other.start());
    let test = model
        .source
        .get(cond.span.start()..first)?
        .trim()
        .trim_end_matches('?')
        .trim();
    let test = if other.start() < pipe.span.start() {
        format!("!({test})")
    } else {
        test.to_string()
    };
    Some(Unread::OnlyWhen {
        test,
        other: other.range(),
    })
}

fn exported(model: &FileModel, path: &AccessPath) -> bool {
    path.root_binding()
        .is_some_and(|id| model.exports.contains(&id))
        || matches!(&path.root, Root::Global(g) if g == "module" || g == "exports")
}
