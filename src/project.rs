//! What one file tells the others: a small per-file summary built in the
//! parallel pass, joined once all files are linted (no second parse).
//!
//! Some findings stand only as long as no other file of the run does
//! something: a registry removed only by an opt-in teardown (`destroy()`)
//! is bounded after all when another module calls that teardown. The file
//! that holds the registry records the condition next to its finding; every
//! file records the teardowns it calls; [`join`] drops the findings whose
//! condition another file breaks.

use std::ops::Range;

use swc_atoms::Atom;

use crate::analysis::{registry, teardown};
use crate::diagnostic::Diagnostic;
use crate::engine::FileResult;
use crate::model::FileModel;

/// The cross-file facts of one file.
#[derive(Debug, Default)]
pub struct FileSummary {
    /// Teardown methods the file calls (`x.destroy()`, `h.unhandle()`),
    /// sorted and deduplicated.
    pub teardowns_called: Vec<Atom>,
    /// Findings `(rule, span)` that hold only while no file calls one of the
    /// named teardowns.
    pub unless_called: Vec<(&'static str, Range<usize>, Vec<Atom>)>,
}

impl FileSummary {
    pub fn is_empty(&self) -> bool {
        self.teardowns_called.is_empty() && self.unless_called.is_empty()
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
    FileSummary {
        teardowns_called,
        unless_called,
    }
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
    for (i, summary) in summaries.iter().enumerate() {
        let Some(summary) = summary else { continue };
        let moot: Vec<(&'static str, &Range<usize>)> = summary
            .unless_called
            .iter()
            .filter(|(_, _, names)| called_elsewhere(i, names))
            .map(|(rule, span, _)| (*rule, span))
            .collect();
        if moot.is_empty() {
            continue;
        }
        let result = &mut results[i];
        result.diagnostics.retain(|d| {
            !moot
                .iter()
                .any(|(rule, span)| d.rule == *rule && d.span == **span)
        });
        if result.diagnostics.is_empty() {
            result.source = None;
        }
    }
    results
}
