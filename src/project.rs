//! What one file tells the others: a small per-file summary built in the
//! parallel pass, joined once all files are linted (no second parse).
//!
//! Some findings stand only as long as no other file of the run does
//! something: a registry removed only by an opt-in teardown (`destroy()`)
//! is bounded after all when another module calls that teardown. The file
//! that holds the registry records the condition next to its finding; every
//! file records the teardowns it calls; [`join`] drops the findings whose
//! condition another file breaks.
//!
//! The same goes for an exported container (`module.exports.cache = {}`,
//! `export const cache = new Map()`) reported as never evicted: a module that
//! imports it (a relative `require`/`import` that resolves to the file) and
//! deletes or clears its entries evicts it after all.

use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use swc_atoms::Atom;
use swc_common::SyntaxContext;

use crate::analysis::{containers, keys, registry, teardown};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::FileResult;
use crate::model::FileModel;
use crate::model::semantic::BindingId;
use crate::model::{AccessPath, Key, ResultUse, Root, Value};

/// The cross-file facts of one file.
#[derive(Debug, Default)]
pub struct FileSummary {
    /// Teardown methods the file calls (`x.destroy()`, `h.unhandle()`),
    /// sorted and deduplicated.
    pub teardowns_called: Vec<Atom>,
    /// Findings `(rule, span)` that hold only while no file calls one of the
    /// named teardowns.
    pub unless_called: Vec<(&'static str, Range<usize>, Vec<Atom>)>,
    /// Findings `(rule, span)` on an exported container that hold only while
    /// no importing file evicts the named export.
    pub unless_evicted: Vec<(&'static str, Range<usize>, Atom)>,
    /// Exports of other modules this file evicts: `(specifier, export)`.
    pub evicts: Vec<(Atom, Atom)>,
    /// Findings `(rule, span, export, index)` on a container keyed by
    /// argument `index` of an exported function: they hold only while some
    /// call in another file passes a value that changes there, or the
    /// function is used in a way calls cannot be followed.
    pub unless_constant_calls: Vec<(&'static str, Range<usize>, Atom, usize)>,
    /// What this file does with exports of relative modules:
    /// `(specifier, export, Some(is each argument constant))` for a call,
    /// `None` for a use the join cannot follow (a value handed on, a
    /// re-export; export `*`: any export of that module).
    pub imported_uses: Vec<ImportedUse>,
}

/// One use of an imported function (see [`FileSummary::imported_uses`]).
pub type ImportedUse = (Atom, Atom, Option<Vec<bool>>);

impl FileSummary {
    pub fn is_empty(&self) -> bool {
        self.teardowns_called.is_empty()
            && self.unless_called.is_empty()
            && self.unless_evicted.is_empty()
            && self.evicts.is_empty()
            && self.unless_constant_calls.is_empty()
            && self.imported_uses.is_empty()
    }
}

/// The summary of a linted file, given the findings the rules produced.
pub fn summarize(model: &FileModel, found: &[Diagnostic]) -> FileSummary {
    let mut teardowns_called: Vec<Atom> = model
        .calls
        .iter()
        .filter_map(|c| c.callee.method.as_ref())
        .filter(|m| teardown::is_teardown_name(m))
        .cloned()
        .collect();
    teardowns_called.sort_unstable();
    teardowns_called.dedup();
    let mut unless_called = Vec::new();
    // Only files with a finding of the kind pay for the analysis again.
    if found.iter().any(|d| d.rule == "unbounded-array") {
        for r in registry::find(model) {
            let names: Vec<Atom> = r
                .teardowns
                .iter()
                .filter_map(|f| model.functions[*f].name.clone())
                .collect();
            if !names.is_empty() && found.iter().any(|d| d.span == r.growth) {
                unless_called.push(("unbounded-array", r.growth.clone(), names));
            }
        }
    }
    let mut unless_evicted = Vec::new();
    if found
        .iter()
        .any(|d| matches!(d.rule, "unbounded-cache" | "unbounded-array"))
    {
        for c in containers::all(model).iter() {
            let Some(export) = export_name(model, &c.path) else {
                continue;
            };
            for d in found.iter().filter(|d| {
                matches!(d.rule, "unbounded-cache" | "unbounded-array")
                    && d.labels.iter().any(|l| l.span == c.decl_span)
            }) {
                unless_evicted.push((d.rule, d.span.clone(), export.clone()));
            }
        }
    }
    FileSummary {
        teardowns_called,
        unless_called,
        unless_evicted,
        evicts: evicted_imports(model),
        unless_constant_calls: keyed_by_exported_param(model, found),
        imported_uses: imported_uses(model),
    }
}

/// `unbounded-cache` findings whose key is a parameter of an exported
/// function (see [`keys::exported_param`]), with the export and the
/// parameter's index.
fn keyed_by_exported_param(
    model: &FileModel,
    found: &[Diagnostic],
) -> Vec<(&'static str, Range<usize>, Atom, usize)> {
    let growth: Vec<&Diagnostic> = found
        .iter()
        .filter(|d| d.rule == "unbounded-cache")
        .collect();
    if growth.is_empty() {
        return Vec::new();
    }
    // The key of each finding's write, found in one walk over the writes and
    // one over the calls (a walk per finding was quadratic in large bundles):
    // a member write's own key first, else the first argument of a
    // `set`/`add` call at the same place.
    let wanted: FxHashSet<Range<usize>> = growth.iter().map(|d| d.span.clone()).collect();
    let mut key_at: FxHashMap<Range<usize>, Option<BindingId>> = FxHashMap::default();
    for w in &model.member_writes {
        let span = w.span.range();
        if wanted.contains(&span) && !key_at.contains_key(&span) {
            let key = match &w.key {
                Key::Dynamic { ident: Some(id) } => Some(id.clone()),
                _ => None,
            };
            key_at.insert(span, key);
        }
    }
    let mut call_key_at: FxHashMap<Range<usize>, Option<BindingId>> = FxHashMap::default();
    for c in &model.calls {
        let span = c.span.range();
        if wanted.contains(&span)
            && matches!(c.callee.method.as_deref(), Some("set" | "add"))
            && !call_key_at.contains_key(&span)
        {
            let key = match &c.args.first().map(|a| &a.value) {
                Some(Value::Path(p)) if p.props.is_empty() => p.root_binding(),
                _ => None,
            };
            call_key_at.insert(span, key);
        }
    }
    let mut out = Vec::new();
    for d in growth {
        let key = key_at
            .get(&d.span)
            .cloned()
            .flatten()
            .or_else(|| call_key_at.get(&d.span).cloned().flatten());
        if let Some((export, index)) = key.and_then(|k| keys::exported_param(model, &k)) {
            out.push((d.rule, d.span.clone(), export, index));
        }
    }
    out
}

/// What this file does with the exports of relative modules it imports
/// (see [`FileSummary::imported_uses`]).
fn imported_uses(model: &FileModel) -> Vec<ImportedUse> {
    let mut out: Vec<ImportedUse> = Vec::new();
    let any = Atom::from("*");
    let module_ids: FxHashSet<(&Atom, SyntaxContext)> = model
        .module_bindings
        .iter()
        .map(|m| (&m.id.0, m.id.1))
        .collect();
    for source in model.reexports.iter().filter(|s| s.starts_with('.')) {
        out.push((source.clone(), any.clone(), None));
    }
    // `require('./a').f(x)`: a module reached without a binding.
    for c in &model.calls {
        let is_require = c.callee.path.as_ref().is_some_and(|p| {
            p.props.is_empty() && matches!(&p.root, Root::Global(g) if g == "require")
        });
        if !is_require {
            continue;
        }
        let Some(Value::Str(source)) = c.args.first().map(|a| &a.value) else {
            continue;
        };
        let bound = matches!(&c.result, ResultUse::Assigned(p)
            if p.props.is_empty() && matches!(&p.root, Root::Binding(a, ctx) if module_ids.contains(&(a, *ctx))));
        if source.starts_with('.') && !bound {
            out.push((source.clone(), any.clone(), None));
        }
    }
    // The relative module bindings by name (a `var` bound twice has two),
    // and the calls of each found in one walk over the calls (a walk per
    // binding was quadratic in bundles).
    let mut relative: FxHashMap<(&Atom, SyntaxContext), smallvec::SmallVec<[usize; 1]>> =
        FxHashMap::default();
    for (i, m) in model.module_bindings.iter().enumerate() {
        if m.source.starts_with('.') {
            relative.entry((&m.id.0, m.id.1)).or_default().push(i);
        }
    }
    let mut followed = vec![0usize; model.module_bindings.len()];
    if !relative.is_empty() {
        for c in model.calls.iter().filter(|c| !c.is_new) {
            let Some(p) = &c.callee.path else { continue };
            let Root::Binding(a, ctx) = &p.root else {
                continue;
            };
            let Some(bound) = relative.get(&(a, *ctx)) else {
                continue;
            };
            for &i in bound {
                let m = &model.module_bindings[i];
                let export = match (&m.imported, p.props.as_slice()) {
                    (Some(name), []) => name.clone(),
                    (None, [name]) => name.clone(),
                    _ => continue,
                };
                followed[i] += 1;
                let args = c
                    .args
                    .iter()
                    .map(|a| !a.spread && keys::is_constant_arg_here(model, &a.value))
                    .collect();
                out.push((m.source.clone(), export, Some(args)));
            }
        }
    }
    for (i, m) in model.module_bindings.iter().enumerate() {
        if !m.source.starts_with('.') {
            continue;
        }
        // Any other read of the binding hands the function (or the module)
        // on: its calls are out of sight.
        if model.semantic.references(&m.id).len() > followed[i] {
            let export = m.imported.clone().unwrap_or_else(|| any.clone());
            out.push((m.source.clone(), export, None));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The export name of a container: `module.exports.x`, `exports.x`, or an
/// ES-exported binding.
fn export_name(model: &FileModel, path: &AccessPath) -> Option<Atom> {
    match (&path.root, path.props.as_slice()) {
        (Root::Global(m), [e, name]) if m == "module" && e == "exports" => Some(name.clone()),
        (Root::Global(e), [name]) if e == "exports" => Some(name.clone()),
        (Root::Binding(..), []) => {
            let id = path.root_binding()?;
            model.exports.contains(&id).then(|| id.0.clone())
        }
        _ => None,
    }
}

/// `(specifier, export)` of every imported container this file removes
/// entries from: `delete store.cache[k]`, `cache.delete(k)`, `cache.clear()`
/// where `cache`/`store` come from a relative `require` or `import`.
fn evicted_imports(model: &FileModel) -> Vec<(Atom, Atom)> {
    if model.module_bindings.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut note = |path: &AccessPath| {
        let Some(id) = path.root_binding() else {
            return;
        };
        let Some(m) = model
            .module_bindings
            .iter()
            .find(|m| m.id == id && m.source.starts_with('.'))
        else {
            return;
        };
        let export = match (&m.imported, path.props.as_slice()) {
            (Some(name), []) => name.clone(),
            (None, [name]) => name.clone(),
            _ => return,
        };
        out.push((m.source.clone(), export));
    };
    for d in &model.deletes {
        note(&d.object);
    }
    for c in &model.calls {
        if c.callee
            .method
            .as_deref()
            .is_some_and(|m| containers::ENTRY_REMOVING_METHODS.contains(&m))
        {
            if let Some(r) = &c.callee.receiver() {
                note(r);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The path a specifier written in `from` points at, before extensions
/// and `index` files are tried: `from`'s folder joined with it, lexically.
fn specified_base(from: &Path, specifier: &str) -> PathBuf {
    normalize(&from.parent().unwrap_or(Path::new("")).join(specifier))
}

/// Extensions a specifier may leave out.
const EXTENSIONS: &[&str] = &["js", "cjs", "mjs", "ts", "cts", "mts", "jsx", "tsx"];

/// Every base (see [`specified_base`]) that resolves to the file `target`:
/// the file as written, without its extension, and its folder when it is an
/// `index` file. A specifier names `target` exactly when its base is one of
/// these, so the join looks specifiers up instead of trying every pair.
fn bases_resolving_to(target: &Path) -> Vec<PathBuf> {
    let target = normalize(target);
    let mut out = vec![target.clone()];
    let has_known_ext = target
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e));
    if has_known_ext {
        let bare = target.with_extension("");
        if bare.file_name().is_some_and(|n| n == "index") {
            if let Some(dir) = bare.parent() {
                out.push(dir.to_path_buf());
            }
        }
        out.push(bare);
    }
    out
}

/// `a/./b/../c` as `a/c`, without touching the disk.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Which files call each teardown that some finding of the run waits for
/// (the first two are enough to tell "a file other than this one").
struct TeardownCallers<'s> {
    files: FxHashMap<&'s Atom, (usize, Option<usize>)>,
}

impl<'s> TeardownCallers<'s> {
    fn new(summaries: &'s [Option<FileSummary>]) -> Self {
        let wanted: FxHashSet<&Atom> = summaries
            .iter()
            .flatten()
            .flat_map(|s| s.unless_called.iter().flat_map(|(_, _, names)| names))
            .collect();
        let mut files: FxHashMap<&Atom, (usize, Option<usize>)> = FxHashMap::default();
        if !wanted.is_empty() {
            for (j, s) in summaries.iter().enumerate() {
                let Some(s) = s else { continue };
                for name in s.teardowns_called.iter().filter(|n| wanted.contains(n)) {
                    files
                        .entry(name)
                        .and_modify(|(_, second)| {
                            second.get_or_insert(j);
                        })
                        .or_insert((j, None));
                }
            }
        }
        TeardownCallers { files }
    }

    /// Does a file other than `file` call `name`?
    fn other_than(&self, name: &Atom, file: usize) -> bool {
        self.files
            .get(name)
            .is_some_and(|&(first, second)| first != file || second.is_some())
    }
}

/// What the files of a run do with other files' exports, by the base of
/// the specifier they name it with: built once, so the join costs one
/// lookup per finding instead of a walk over every file's imports.
#[derive(Default)]
struct ImportIndex<'s> {
    /// `(file, export)` pairs evicted through a specifier with this base.
    evicts: FxHashMap<PathBuf, Vec<(usize, &'s Atom)>>,
    /// `(file, use)` for the calls and other uses of imported functions.
    uses: FxHashMap<PathBuf, Vec<(usize, &'s ImportedUse)>>,
}

impl<'s> ImportIndex<'s> {
    /// Indexes only what some finding of the run may ask about: evictions of
    /// the exports in `unless_evicted` and uses of those in
    /// `unless_constant_calls` (or of a whole module). Resolving a specifier
    /// costs a path join and a normalisation, and a run over thousands of
    /// files has tens of thousands of imported uses, almost all of exports
    /// no finding depends on: indexing them all was most of the serial time
    /// after the workers finished.
    fn new(results: &[FileResult], summaries: &'s [Option<FileSummary>]) -> Self {
        let mut evicted_exports: FxHashSet<&Atom> = FxHashSet::default();
        let mut called_exports: FxHashSet<&Atom> = FxHashSet::default();
        for s in summaries.iter().flatten() {
            evicted_exports.extend(s.unless_evicted.iter().map(|(_, _, e)| e));
            called_exports.extend(s.unless_constant_calls.iter().map(|(_, _, e, _)| e));
        }
        let mut index = ImportIndex::default();
        if evicted_exports.is_empty() && called_exports.is_empty() {
            return index;
        }
        // The last names of the files those findings are in (`b.js`, `b`,
        // and `lib` for `lib/index.js`): a specifier that ends in another
        // name cannot point at any of them, so it is not resolved.
        let wanted_names: FxHashSet<std::ffi::OsString> = summaries
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.as_ref().is_some_and(|s| {
                    !s.unless_evicted.is_empty() || !s.unless_constant_calls.is_empty()
                })
            })
            .flat_map(|(i, _)| bases_resolving_to(&results[i].path))
            .filter_map(|base| base.file_name().map(ToOwned::to_owned))
            .collect();
        let may_name = |spec: &str| may_name_one_of(&wanted_names, spec);
        for (j, s) in summaries.iter().enumerate() {
            let Some(s) = s else { continue };
            let from = &results[j].path;
            for (spec, export) in &s.evicts {
                if evicted_exports.contains(export) && may_name(spec) {
                    let base = specified_base(from, spec);
                    index.evicts.entry(base).or_default().push((j, export));
                }
            }
            for u in &s.imported_uses {
                if (called_exports.contains(&u.1) || u.1 == "*") && may_name(&u.0) {
                    let base = specified_base(from, &u.0);
                    index.uses.entry(base).or_default().push((j, u));
                }
            }
        }
        index
    }
}

/// Can `spec` point at a file whose base (see [`bases_resolving_to`]) ends
/// in one of `names`? Told from the specifier's last segment alone; `.` and
/// `..` name a folder the text does not spell, so they may name anything.
fn may_name_one_of(names: &FxHashSet<std::ffi::OsString>, spec: &str) -> bool {
    match spec.trim_end_matches('/').rsplit('/').next() {
        Some("" | "." | "..") | None => true,
        Some(last) => names.contains(std::ffi::OsStr::new(last)),
    }
}

/// The entries of `table` under any of `bases`, with the file that wrote them.
fn entries_for<'a, T>(
    table: &'a FxHashMap<PathBuf, Vec<(usize, T)>>,
    bases: &'a [PathBuf],
) -> impl Iterator<Item = &'a (usize, T)> {
    bases.iter().filter_map(|b| table.get(b)).flatten()
}

/// The results of a run, with the findings that another file of the run
/// makes moot dropped. `linted` pairs each result with its file's summary.
pub fn join(linted: Vec<(FileResult, Option<FileSummary>)>) -> Vec<FileResult> {
    let (mut results, summaries): (Vec<FileResult>, Vec<Option<FileSummary>>) =
        linted.into_iter().unzip();
    let index = ImportIndex::new(&results, &summaries);
    let callers = TeardownCallers::new(&summaries);
    let called_elsewhere =
        |i: usize, names: &[Atom]| names.iter().any(|n| callers.other_than(n, i));
    let evicted_elsewhere = |i: usize, bases: &[PathBuf], export: &Atom| {
        entries_for(&index.evicts, bases).any(|(j, e)| *j != i && *e == export)
    };
    // Every call of the export in the other files passes a constant as the
    // key, and none uses it in a way calls cannot be followed.
    let constant_everywhere = |i: usize, bases: &[PathBuf], export: &Atom, at: usize| {
        let mut calls = 0;
        for (j, (_, e, args)) in entries_for(&index.uses, bases) {
            if *j == i || (e != export && e != "*") {
                continue;
            }
            match args {
                None => return false,
                Some(args) if !args.get(at).copied().unwrap_or(true) => return false,
                Some(_) => calls += 1,
            }
        }
        calls > 0
    };
    let mut moot_by_file = Vec::new();
    for (i, summary) in summaries.iter().enumerate() {
        let Some(summary) = summary else { continue };
        let needs_bases =
            !summary.unless_evicted.is_empty() || !summary.unless_constant_calls.is_empty();
        let bases = if needs_bases {
            bases_resolving_to(&results[i].path)
        } else {
            Vec::new()
        };
        let mut moot: Vec<(&'static str, Range<usize>)> = summary
            .unless_called
            .iter()
            .filter(|(_, _, names)| called_elsewhere(i, names))
            .map(|(rule, span, _)| (*rule, span.clone()))
            .collect();
        moot.extend(
            summary
                .unless_evicted
                .iter()
                .filter(|(_, _, export)| evicted_elsewhere(i, &bases, export))
                .map(|(rule, span, _)| (*rule, span.clone())),
        );
        moot.extend(
            summary
                .unless_constant_calls
                .iter()
                .filter(|(_, _, export, at)| constant_everywhere(i, &bases, export, *at))
                .map(|(rule, span, _, _)| (*rule, span.clone())),
        );
        if !moot.is_empty() {
            moot_by_file.push((i, moot));
        }
    }
    for (i, moot) in moot_by_file {
        let result = &mut results[i];
        result.diagnostics.retain(|d| {
            !moot
                .iter()
                .any(|(rule, span)| d.rule == *rule && d.span == *span)
        });
        if result.diagnostics.is_empty() {
            result.source = None;
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The old pairwise test: does the specifier written in `from` name `target`?
    fn names_file(from: &str, spec: &str, target: &str) -> bool {
        let base = specified_base(Path::new(from), spec);
        bases_resolving_to(Path::new(target)).contains(&base)
    }

    #[test]
    fn a_specifier_is_resolved_only_when_its_last_name_can_match() {
        let names: FxHashSet<std::ffi::OsString> =
            bases_resolving_to(Path::new("src/lib/index.js"))
                .into_iter()
                .chain(bases_resolving_to(Path::new("src/b.ts")))
                .filter_map(|b| b.file_name().map(ToOwned::to_owned))
                .collect();
        for spec in [
            "./lib",
            "../lib/",
            "./lib/index",
            "./lib/index.js",
            "./b",
            "./b.ts",
            ".",
            "..",
        ] {
            assert!(may_name_one_of(&names, spec), "{spec}");
        }
        for spec in ["./c", "./lib/main", "./bb", "./b.json"] {
            assert!(!may_name_one_of(&names, spec), "{spec}");
        }
    }

    #[test]
    fn the_calls_of_every_relative_module_binding_are_followed() {
        let src = "var a = require('./x');\nvar a = require('./y');\na.run(1);\n\
                   const b = require('./z');\nb.f(k);\nuse(b);\nrequire('./w').g();\n";
        let mut uses = Vec::new();
        crate::engine::with_model_for_test(src, crate::dialect::Dialect::Js, |m| {
            uses = imported_uses(m);
        });
        let shown: Vec<String> = uses
            .iter()
            .map(|(source, export, args)| format!("{source} {export} {args:?}"))
            .collect();
        assert_eq!(
            shown,
            [
                // A name bound twice (`var`) follows its calls for both modules.
                "./w * None",
                "./x run Some([true])",
                "./y run Some([true])",
                // `use(b)` hands the module on: its other uses are out of sight.
                "./z * None",
                "./z f Some([false])",
            ]
        );
    }

    #[test]
    fn a_specifier_names_a_file_with_or_without_its_extension_or_as_its_folder() {
        assert!(names_file("src/a.js", "./b", "src/b.js"));
        assert!(names_file("src/a.js", "./b.js", "src/b.js"));
        assert!(names_file("src/a.js", "./lib", "src/lib/index.ts"));
        assert!(names_file("src/x/a.js", "../b", "src/b.mjs"));
        assert!(names_file("src/a.js", "./lib/index", "src/lib/index.js"));
        assert!(!names_file("src/a.js", "./b", "src/b/c.js"));
        assert!(!names_file("src/a.js", "./b", "src/bb.js"));
        assert!(!names_file("src/a.js", "./b", "src/b.json"));
        assert!(!names_file("src/a.js", "./lib", "src/lib/main.js"));
    }
}
