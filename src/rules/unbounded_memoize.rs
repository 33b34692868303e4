//! A module-level memoizer without a bound keeps one entry per distinct argument forever.

use super::{Finding, Rule, RuleContext};
use crate::analysis::containers::{self, ContainerKind};
use crate::analysis::frequency::Frequencies;
use crate::diagnostic::Severity;
use crate::model::{AccessPath, Arg, CallFact, FileModel, Key, Root, Value};

pub(crate) const RULE: Rule = Rule {
    name: "unbounded-memoize",
    summary: "A function is memoized at module level with no bound on the cache, so every distinct argument is kept until the process exits.",
    default_severity: Severity::Warning,
    fixable: false,
    docs: include_str!("../../rules/unbounded-memoize.md"),
    check,
};

/// The memoizers this rule knows, by how they are bounded.
#[derive(Clone, Copy, PartialEq)]
enum Memoizer {
    /// lodash / underscore `memoize`: a plain Map, bounded only by replacing `memoize.Cache`.
    Lodash,
    /// `memoizee`: bounded by `max` (or expired by `maxAge`).
    Memoizee,
    /// `fast-memoize`: bounded only by a custom `cache` factory.
    FastMemoize,
    /// `mem`, `memoize`, `p-memoize`: bounded by `maxAge` or a bounded `cache`.
    Mem,
}

impl Memoizer {
    fn from_module(source: &str, imported: Option<&str>) -> Option<Memoizer> {
        let whole = matches!(imported, None | Some("default"));
        match (source, imported) {
            ("lodash" | "lodash-es" | "underscore", Some("memoize")) => Some(Memoizer::Lodash),
            ("lodash/memoize" | "lodash.memoize" | "lodash-es/memoize", _) if whole => {
                Some(Memoizer::Lodash)
            }
            ("memoizee", _) if whole => Some(Memoizer::Memoizee),
            ("fast-memoize", _) if whole => Some(Memoizer::FastMemoize),
            ("mem" | "memoize" | "p-memoize", _) if whole => Some(Memoizer::Mem),
            _ => None,
        }
    }

    fn help(self) -> &'static str {
        match self {
            Memoizer::Lodash => {
                "lodash's memoize never evicts; use a memoizer with a size limit, set `memoize.Cache` to an LRU class, or memoize per request instead of per process"
            }
            Memoizer::Memoizee => {
                "pass `{ max: 1000 }` (or `maxAge`) so that old entries are evicted"
            }
            Memoizer::FastMemoize => {
                "pass a bounded `cache` (a factory that creates an LRU cache), or use a memoizer with a size limit"
            }
            Memoizer::Mem => {
                "pass `maxAge`, or a bounded `cache` such as an LRU map with a maximum size"
            }
        }
    }
}

fn check(out: &mut RuleContext) {
    let model = out.model;
    // Without an import of a memoizer library, only the `_` global can be
    // one: this spares every call a scan of the file's imports.
    let libraries = model.module_bindings.iter().any(|m| {
        Memoizer::from_module(&m.source, m.imported.as_deref()).is_some() || is_lodash(&m.source)
    });
    for call in &model.calls {
        if call.is_new {
            continue;
        }
        let Some((memoizer, lib_path)) = memoizer_of(model, call, libraries) else {
            continue;
        };
        // A memoizer created per call dies with its caller's scope.
        if Frequencies::new(model).runs_many_times(call.fn_ctx, call.span.start()) {
            continue;
        }
        let Some(target) = call.args.first() else {
            continue;
        };
        if takes_no_arguments(model, target)
            || is_bounded(model, memoizer, &lib_path, call.args.get(1))
        {
            continue;
        }
        let callee = model.text(&call.callee_span);
        out.report(
            Finding::new(call.span.range(),
                format!(
                    "`{callee}` at module level keeps one cache entry for every distinct argument, and nothing ever evicts them"
                ),
            )
            .with_label("unbounded memoization cache")
            .with_help(memoizer.help()),
        );
    }
}

/// Which memoizer a call invokes, and the path of the library binding (for
/// `memoize.Cache = …`), from its import or `require`.
/// `libraries`: does the file import a memoizer library at all?
fn memoizer_of(
    model: &FileModel,
    call: &CallFact,
    libraries: bool,
) -> Option<(Memoizer, AccessPath)> {
    let path = call.callee.path.as_ref()?;
    match (&path.root, path.props.as_slice()) {
        (Root::Binding(..), _) if !libraries => None,
        (Root::Binding(..), []) => {
            let id = path.root_binding()?;
            let m = model.module_bindings.iter().find(|m| m.id == id)?;
            Memoizer::from_module(&m.source, m.imported.as_deref()).map(|k| (k, path.clone()))
        }
        (Root::Binding(..), [method]) if method == "memoize" => {
            let id = path.root_binding()?;
            let m = model.module_bindings.iter().find(|m| m.id == id)?;
            let whole = matches!(m.imported.as_deref(), None | Some("default"));
            (whole && is_lodash(&m.source)).then(|| (Memoizer::Lodash, path.clone()))
        }
        // The lodash or underscore global of a browser page.
        (Root::Global(g), [method]) if g == "_" && method == "memoize" => {
            Some((Memoizer::Lodash, path.clone()))
        }
        _ => None,
    }
}

/// A library whose `memoize` method is lodash's.
fn is_lodash(source: &str) -> bool {
    matches!(source, "lodash" | "lodash-es" | "underscore")
}

/// A function with no parameters has a single cache entry.
fn takes_no_arguments(model: &FileModel, target: &Arg) -> bool {
    let f = match &target.value {
        Value::Function(Some(f)) => Some(*f),
        Value::Path(p) if p.props.is_empty() => p
            .root_binding()
            .and_then(|id| model.semantic.binding(&id))
            .and_then(|b| match b.init {
                Some(Value::Function(Some(f))) => Some(f),
                _ => None,
            }),
        _ => None,
    };
    f.is_some_and(|f| model.functions[f].params == 0)
}

fn is_bounded(
    model: &FileModel,
    memoizer: Memoizer,
    lib: &AccessPath,
    options: Option<&Arg>,
) -> bool {
    if memoizer == Memoizer::Lodash {
        // `memoize.Cache = LRU` (or `_.memoize.Cache = …`) swaps the cache class.
        return model.member_writes.iter().any(|w| {
            w.key == Key::Static("Cache".into()) && w.object.normalized() == lib.normalized()
        });
    }
    let props = match options.map(|a| &a.value) {
        None => return false,
        Some(Value::Object { props, .. }) => props,
        // Options we cannot see: assume the author bounded them.
        Some(_) => return true,
    };
    let has = |name: &str| props.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    match memoizer {
        Memoizer::Memoizee => has("max").is_some() || has("maxAge").is_some(),
        Memoizer::FastMemoize => has("cache").is_some_and(|c| bounded_cache(model, c)),
        Memoizer::Mem => {
            has("maxAge").is_some() || has("cache").is_some_and(|c| bounded_cache(model, c))
        }
        Memoizer::Lodash => unreachable!("handled above"),
    }
}

/// Is a `cache` option bounded? `new Map()` and `{}` are not; an LRU is; a
/// factory object or anything we cannot see is given the benefit of the doubt.
fn bounded_cache(model: &FileModel, v: &Value) -> bool {
    let resolved = match v {
        Value::Path(p) if p.props.is_empty() => p
            .root_binding()
            .and_then(|id| model.semantic.binding(&id))
            .and_then(|b| b.init.clone()),
        other => Some(other.clone()),
    };
    match resolved.as_ref() {
        Some(Value::Object { empty: false, .. }) => true,
        Some(v) => !matches!(
            containers::kind_of(model, v),
            Some(
                ContainerKind::Map
                    | ContainerKind::Object
                    | ContainerKind::Set
                    | ContainerKind::Array
            )
        ),
        None => true,
    }
}
