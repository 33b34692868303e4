//! What the cache stores of one file's analysis, and how it is read back:
//! diagnostics (whose rule ids must name this build's registry) and the
//! cross-file summary in owned, serialisable form.

use serde::{Deserialize, Deserializer, Serialize};
use swc_atoms::Atom;

use crate::diagnostic::{
    Confidence, Diagnostic, Fix, INTERNAL_ERROR, Label, PARSE_ERROR, RuleId, Severity,
};
use crate::project::FileSummary;

/// `id` as the `'static` name of a registered rule or a built-in problem.
pub fn known_rule_id(id: &str) -> Option<&'static str> {
    const BUILT_IN: [&str; 4] = [
        PARSE_ERROR,
        INTERNAL_ERROR,
        crate::suppress::UNUSED_DIRECTIVE,
        crate::suppress::UNKNOWN_RULE,
    ];
    BUILT_IN
        .into_iter()
        .find(|b| *b == id)
        .or_else(|| crate::rules::find(id).map(|r| r.name))
}

/// The registered id (rule or built-in) a diagnostic read back from the
/// cache names; an id this build does not know makes the entry invalid.
fn static_rule_id<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let id = String::deserialize(d)?;
    known_rule_id(&id).ok_or_else(|| serde::de::Error::custom(format!("unknown rule id `{id}`")))
}

/// A [`Diagnostic`] as the cache stores it. Reading one back needs the rule
/// registry (its id must be a registered `'static` name), so its
/// `Deserialize` lives here rather than in `diagnostic`, which the rules
/// themselves depend on.
#[derive(Deserialize)]
struct StoredDiagnostic {
    #[serde(deserialize_with = "static_rule_id")]
    rule: RuleId,
    severity: Severity,
    message: String,
    span: std::ops::Range<usize>,
    label: Option<String>,
    labels: Vec<Label>,
    help: Option<String>,
    fix: Option<Fix>,
    fatal: bool,
    confidence: Confidence,
    evidence: Vec<String>,
}

impl<'de> Deserialize<'de> for Diagnostic {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = StoredDiagnostic::deserialize(d)?;
        Ok(Diagnostic {
            rule: s.rule,
            severity: s.severity,
            message: s.message,
            span: s.span,
            label: s.label,
            labels: s.labels,
            help: s.help,
            fix: s.fix,
            fatal: s.fatal,
            confidence: s.confidence,
            evidence: s.evidence,
        })
    }
}

/// [`FileSummary`] in owned, serialisable form.
#[derive(Clone, Serialize, Deserialize)]
pub struct CachedSummary {
    teardowns_called: Vec<String>,
    unless_called: Vec<(String, (usize, usize), Vec<String>)>,
    unless_evicted: Vec<(String, (usize, usize), String)>,
    evicts: Vec<(String, String)>,
    unless_constant_calls: Vec<(String, (usize, usize), String, usize)>,
    imported_uses: Vec<(String, String, Option<Vec<bool>>)>,
}

impl CachedSummary {
    pub fn of(s: &FileSummary) -> CachedSummary {
        let strings = |v: &[Atom]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        CachedSummary {
            teardowns_called: strings(&s.teardowns_called),
            unless_called: s
                .unless_called
                .iter()
                .map(|(r, span, names)| (r.to_string(), (span.start, span.end), strings(names)))
                .collect(),
            unless_evicted: s
                .unless_evicted
                .iter()
                .map(|(r, span, e)| (r.to_string(), (span.start, span.end), e.to_string()))
                .collect(),
            evicts: s
                .evicts
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            unless_constant_calls: s
                .unless_constant_calls
                .iter()
                .map(|(r, span, e, i)| (r.to_string(), (span.start, span.end), e.to_string(), *i))
                .collect(),
            imported_uses: s
                .imported_uses
                .iter()
                .map(|(spec, e, args)| (spec.to_string(), e.to_string(), args.clone()))
                .collect(),
        }
    }

    /// `None` when a rule id is unknown to this build (a foreign cache).
    pub fn summary(&self) -> Option<FileSummary> {
        let atoms = |v: &[String]| v.iter().map(|s| Atom::from(s.as_str())).collect::<Vec<_>>();
        let mut unless_called = Vec::new();
        for (r, (a, b), names) in &self.unless_called {
            unless_called.push((known_rule_id(r)?, *a..*b, atoms(names)));
        }
        let mut unless_evicted = Vec::new();
        for (r, (a, b), e) in &self.unless_evicted {
            unless_evicted.push((known_rule_id(r)?, *a..*b, Atom::from(e.as_str())));
        }
        let mut unless_constant_calls = Vec::new();
        for (r, (a, b), e, i) in &self.unless_constant_calls {
            unless_constant_calls.push((known_rule_id(r)?, *a..*b, Atom::from(e.as_str()), *i));
        }
        Some(FileSummary {
            unless_constant_calls,
            imported_uses: self
                .imported_uses
                .iter()
                .map(|(spec, e, args)| {
                    (
                        Atom::from(spec.as_str()),
                        Atom::from(e.as_str()),
                        args.clone(),
                    )
                })
                .collect(),
            teardowns_called: atoms(&self.teardowns_called),
            unless_called,
            unless_evicted,
            evicts: self
                .evicts
                .iter()
                .map(|(a, b)| (Atom::from(a.as_str()), Atom::from(b.as_str())))
                .collect(),
        })
    }
}
