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

use std::ops::Range;
use std::path::{Path, PathBuf};

use swc_atoms::Atom;

use crate::analysis::{containers, registry, teardown};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::FileResult;
use crate::model::FileModel;
use crate::model::{AccessPath, Root};

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
}

impl FileSummary {
    pub fn is_empty(&self) -> bool {
        self.teardowns_called.is_empty()
            && self.unless_called.is_empty()
            && self.unless_evicted.is_empty()
            && self.evicts.is_empty()
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
    }
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
        if matches!(
            c.callee.method.as_deref(),
            Some("delete" | "clear" | "splice" | "shift" | "pop")
        ) {
            if let Some(r) = &c.callee.receiver() {
                note(r);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Does a relative specifier written in `from` name the file `target`?
/// Tried as written, with the usual extensions, and as a directory's index.
fn resolves_to(from: &Path, specifier: &str, target: &Path) -> bool {
    let base = normalize(&from.parent().unwrap_or(Path::new("")).join(specifier));
    let target = normalize(target);
    if base == target {
        return true;
    }
    const EXTENSIONS: &[&str] = &["js", "cjs", "mjs", "ts", "cts", "mts", "jsx", "tsx"];
    let with_ext = |p: &Path| {
        EXTENSIONS.iter().any(|e| {
            let mut s = p.as_os_str().to_owned();
            s.push(".");
            s.push(e);
            s == target.as_os_str()
        })
    };
    with_ext(&base) || with_ext(&base.join("index"))
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

/// The results of a run, with the findings that another file of the run
/// makes moot dropped. `linted` pairs each result with its file's summary.
pub fn join(linted: Vec<(FileResult, Option<FileSummary>)>) -> Vec<FileResult> {
    let (mut results, summaries): (Vec<FileResult>, Vec<Option<FileSummary>>) =
        linted.into_iter().unzip();
    let called_elsewhere = |i: usize, names: &[Atom]| {
        summaries.iter().enumerate().any(|(j, s)| {
            j != i
                && s.as_ref().is_some_and(|s| {
                    names
                        .iter()
                        .any(|n| s.teardowns_called.binary_search(n).is_ok())
                })
        })
    };
    let evicted_elsewhere = |i: usize, export: &Atom| {
        summaries.iter().enumerate().any(|(j, s)| {
            j != i
                && s.as_ref().is_some_and(|s| {
                    s.evicts.iter().any(|(spec, e)| {
                        e == export && resolves_to(&results[j].path, spec, &results[i].path)
                    })
                })
        })
    };
    let mut moot_by_file = Vec::new();
    for (i, summary) in summaries.iter().enumerate() {
        let Some(summary) = summary else { continue };
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
                .filter(|(_, _, export)| evicted_elsewhere(i, export))
                .map(|(rule, span, _)| (*rule, span.clone())),
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
