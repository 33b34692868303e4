//! Work is started for every element of an input of unknown size at once:
//! `Promise.all(items.map(…))` where each element opens a file, a socket or a
//! request, and `items` comes from a request or a directory listing.

use super::{Finding, Rule, RuleContext};
use swc_atoms::Atom;
use swc_common::SyntaxContext;

use crate::diagnostic::Severity;
use crate::model::semantic::BindingKind;
use crate::model::{
    AccessPath, CallFact, CallId, FileModel, FnId, Invocation, LoopKind, Root, Value,
};

pub(crate) const RULE: Rule = Rule {
    name: "unbounded-concurrency",
    summary: "I/O is started for every element of an input of unknown size at once (`Promise.all(items.map(…))` over a request body or a directory listing), so memory and open handles grow with the input.",
    // A warning: how large the input gets is partly the deployment's
    // business (directory listings are medium confidence).
    default_severity: Severity::Warning,
    fixable: false,
    docs: include_str!("../../rules/unbounded-concurrency.md"),
    check,
};

/// Modules whose functions open a file, a socket or a request.
const IO_MODULES: &[&str] = &[
    "fs",
    "fs/promises",
    "http",
    "https",
    "http2",
    "net",
    "tls",
    "dns",
    "child_process",
    "axios",
    "node-fetch",
    "got",
    "undici",
];

fn check(out: &mut RuleContext) {
    let model = out.model;
    let has_unawaited_loop = model
        .loops
        .iter()
        .any(|l| l.kind == LoopKind::ForOf && !l.awaits);
    if !has_unawaited_loop && !model.calls.iter().any(is_promise_combinator) {
        return;
    }
    // The calls that start I/O, found once: each loop and each mapped
    // callback then looks only at these (a per-loop scan of every call was
    // quadratic on large bundles).
    let imports = io_imports(model);
    let io_calls: Vec<&CallFact> = model
        .calls
        .iter()
        .filter(|c| from_io_import(&imports, c.callee.path.as_ref()))
        .collect();
    check_loops(model, &io_calls, out);
    for c in &model.calls {
        if !is_promise_combinator(c) {
            continue;
        }
        let Some(arg) = c.args.first() else { continue };
        // `Promise.all(items.map(fn))`: the map call is the argument.
        let Some((map_id, map)) = model
            .calls
            .iter()
            .enumerate()
            .find(|(_, m)| m.span == arg.span && m.callee.method.as_deref() == Some("map"))
        else {
            continue;
        };
        let Some(items) = map.callee.receiver() else {
            continue;
        };
        let Some(origin) = unknown_size_origin(model, &items, map.fn_ctx) else {
            continue;
        };
        let Some(io) = io_started(model, &io_calls, map_id, map) else {
            continue;
        };
        let shown = model.text(&map.callee.receiver_span.unwrap_or(map.callee_span));
        let d = Finding::new(c.span.range(),
                format!(
                    "one `{}` is started for every element of `{shown}` at once: {}, so open handles and buffered results grow with the input",
                    model.text(&io.callee_span),
                    origin.0
                ),
            )
            .with_label("waits for all of them, started together")
            .with_related(io.span.range(), "opened for each element, with no limit on how many run at once")
            .with_related(origin.1, origin.2)
            .with_help(format!(
                "limit how many run at once: `p-limit` (`const limit = pLimit(8); await Promise.all({shown}.map((x) => limit(() => …)))`), `p-map` with `concurrency`, or process `{shown}` in fixed-size chunks; also cap the input's size where it enters"
            ));
        out.report(graded(d, origin.3));
    }
}

fn is_promise_combinator(c: &CallFact) -> bool {
    !c.is_new
        && c.callee.path.as_ref().is_some_and(|p| {
            p.is_global("Promise") || matches!(&p.root, Root::Global(g) if g == "Promise")
        })
        && matches!(c.callee.method.as_deref(), Some("all" | "allSettled"))
}

/// Why the size of `items` is unknown: (reason, where, label, shown by the
/// code alone).
fn unknown_size_origin(
    model: &FileModel,
    items: &AccessPath,
    _fn_ctx: Option<FnId>,
) -> Option<(String, std::ops::Range<usize>, String, bool)> {
    let id = items.root_binding()?;
    let b = model.semantic.binding(&id)?;
    // `req.body.ids`, `request.query.urls`, `ctx.request.body.files`.
    if b.kind == BindingKind::Param {
        let from_request = match (id.0.as_ref(), items.props.first().map(|p| p.as_ref())) {
            ("req" | "request", Some("body" | "query" | "params")) => true,
            ("ctx", Some("request")) => {
                matches!(
                    items.props.get(1).map(|p| p.as_ref()),
                    Some("body" | "query")
                )
            }
            _ => false,
        };
        if from_request && items.props.len() >= 2 {
            return Some((
                format!(
                    "`{items}` comes from the request, and its client decides how many there are"
                ),
                b.span.range(),
                "the request: its body or query sets the size".to_string(),
                true,
            ));
        }
        return None;
    }
    // `const files = await readdir(dir)`.
    if !items.props.is_empty() {
        return None;
    }
    let listing = model.calls.iter().find(|c| {
        c.span.start() > b.span.end()
            && is_listing(model, c)
            && model
                .source
                .get(b.span.end()..c.span.start())
                .is_some_and(|gap| {
                    let gap = gap.trim();
                    gap == "=" || gap.strip_prefix('=').is_some_and(|g| g.trim() == "await")
                })
    })?;
    Some((
        format!(
            "`{}` lists a directory, which can hold any number of entries",
            id.0
        ),
        listing.span.range(),
        "a directory listing: as many entries as the directory holds".to_string(),
        false,
    ))
}

/// `readdir(…)`, `fs.promises.readdir(…)`, `glob(…)`.
fn is_listing(model: &FileModel, c: &CallFact) -> bool {
    let name = c.callee.method.clone().or_else(|| {
        c.callee
            .path
            .as_ref()
            .filter(|p| p.props.is_empty())
            .and_then(|p| match &p.root {
                Root::Binding(n, _) | Root::Global(n) => Some(n.clone()),
                Root::This => None,
            })
    });
    matches!(name.as_deref(), Some("readdir" | "readdirSync"))
        && from_io_module(model, c.callee.path.as_ref())
}

/// Is the callee rooted at an import of an I/O module (or the global `fetch`)?
fn from_io_module(model: &FileModel, path: Option<&AccessPath>) -> bool {
    from_io_import(&io_imports(model), path)
}

/// The bindings of the file's imports of I/O modules: found once, so that
/// a test of every call does not scan every import.
fn io_imports<'m>(model: &'m FileModel) -> Vec<&'m (Atom, SyntaxContext)> {
    model
        .module_bindings
        .iter()
        .filter(|m| IO_MODULES.contains(&m.source.trim_start_matches("node:")))
        .map(|m| &m.id)
        .collect()
}

/// [`from_io_module`] with the file's [`io_imports`].
fn from_io_import(imports: &[&(Atom, SyntaxContext)], path: Option<&AccessPath>) -> bool {
    let Some(path) = path else { return false };
    // `readFileSync` and friends finish before the next element starts.
    if path.props.last().is_some_and(|m| m.ends_with("Sync")) {
        return false;
    }
    if path.is_global("fetch") {
        return true;
    }
    let Root::Binding(name, ctxt) = &path.root else {
        return false;
    };
    imports.iter().any(|(n, c)| n == name && c == ctxt)
}

/// The first I/O call made by the callback of `map` itself (or the mapped
/// function): a call inside a function handed to a limiter
/// (`limit(() => fs.readFile(f))`) runs when the limiter decides.
fn io_started<'m>(
    model: &'m FileModel,
    io_calls: &[&'m CallFact],
    map_id: CallId,
    map: &'m CallFact,
) -> Option<&'m CallFact> {
    let callback = model.functions.iter().position(
        |f| matches!(f.invocation, Invocation::CallbackOf { call, arg: 0 } if call == map_id),
    );
    match callback {
        Some(f) => io_calls.iter().copied().find(|c| c.fn_ctx == Some(f)),
        // `Promise.all(files.map(fs.promises.readFile))`
        None => match map.args.first().map(|a| &a.value) {
            Some(Value::Path(p)) if from_io_module(model, Some(p)) => Some(map),
            _ => None,
        },
    }
}

/// `for (const u of req.body.urls) fetch(u)`: a `for…of` whose body starts
/// I/O and never awaits starts one operation per element, all at once.
fn check_loops(model: &FileModel, io_calls: &[&CallFact], out: &mut RuleContext) {
    if io_calls.is_empty() {
        return;
    }
    for l in &model.loops {
        if l.kind != LoopKind::ForOf || l.awaits {
            continue;
        }
        let Some(io) = io_calls
            .iter()
            .copied()
            .find(|c| c.fn_ctx == l.fn_ctx && l.body.encloses(c.span))
        else {
            continue;
        };
        let Some(items) = iterated(model, l.span.start(), l.body.start()) else {
            continue;
        };
        let Some(origin) = unknown_size_origin(model, &items, l.fn_ctx) else {
            continue;
        };
        let head = crate::model::TextSpan::new(l.span.start() as u32, l.body.start() as u32);
        let d = Finding::new(l.span.range(),
            format!(
                "one `{}` is started for every element of `{items}` at once (nothing in the loop awaits): {}, so open handles and buffered results grow with the input",
                model.text(&io.callee_span),
                origin.0
            ),
        )
        .with_label(format!("`{}`: no `await`, every turn starts another", model.text(&head).trim()))
        .with_related(io.span.range(), "opened for each element, with no limit on how many run at once")
        .with_related(origin.1, origin.2)
        .with_help(format!(
            "await each operation in the loop (one at a time), or limit how many run at once with `p-limit`/`p-map` (`concurrency`), or process `{items}` in fixed-size chunks; also cap the input's size where it enters"
        ));
        out.report(graded(d, origin.3));
    }
}

/// The collection a `for (… of items)` walks, when it is an access path: the
/// text after the head's last ` of `, resolved through the reference of its
/// root identifier inside the head.
fn iterated(model: &FileModel, start: usize, body: usize) -> Option<AccessPath> {
    let head = model.source.get(start..body)?;
    let at = head.rfind(" of ")? + 4;
    let text = head[at..]
        .trim()
        .trim_end_matches(|c: char| c == ')' || c.is_whitespace());
    let mut parts = text.split('.');
    let root = parts.next()?;
    let props: Vec<&str> = parts.collect();
    let is_name = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    };
    if !is_name(root) || !props.iter().all(|p| is_name(p)) {
        return None;
    }
    let root_at = start + at + head[at..].find(root)?;
    let id = model.semantic.bindings().find_map(|(id, _)| {
        (id.0 == *root
            && model
                .semantic
                .references(id)
                .iter()
                .any(|r| r.span.start() == root_at))
        .then(|| id.clone())
    })?;
    let mut path = AccessPath::binding(id);
    for p in props {
        path = path.child(p.into());
    }
    Some(path)
}

/// A client's request decides the size: the code shows everything the
/// finding depends on. A directory's size is the deployment's business:
/// medium.
fn graded(d: Finding, size_from_request: bool) -> Finding {
    if size_from_request {
        d
    } else {
        d.assumed("how many entries the directory holds is not shown by the code")
    }
}
