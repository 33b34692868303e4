//! The rule context: what a rule's `check` gets. It holds the file's model
//! and collects the rule's [`Finding`]s; the engine then turns them into
//! diagnostics named after the rule, at the severity the configuration
//! gives it ([`RuleContext::finish`]). Rules never name themselves nor build
//! a [`Diagnostic`]: the one place that does is [`super::wording`].

use std::ops::Range;

use super::finding::{Evidence, Finding};
use super::wording;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::FileModel;
use crate::rules::Rule;

pub struct RuleContext<'m> {
    /// The file the rule reads.
    pub model: &'m FileModel<'m>,
    rule: &'static Rule,
    findings: Vec<Finding>,
}

impl<'m> RuleContext<'m> {
    pub fn new(rule: &'static Rule, model: &'m FileModel<'m>) -> Self {
        RuleContext {
            model,
            rule,
            findings: Vec::new(),
        }
    }

    /// Reports one finding of this context's rule.
    pub fn report(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Has this rule already reported a finding at `span`? (A later check
    /// of the same rule leaves such a site to the first.)
    pub fn reported_at(&self, span: &Range<usize>) -> bool {
        self.findings.iter().any(|f| &f.span == span)
    }

    /// Adds one assumed premise to every finding (which makes each `medium`):
    /// a fact about the whole file, such as its being a test.
    pub fn assume_for_every_finding(&mut self, why: &str) {
        let fact = Evidence::Assumed(why.to_string());
        for f in &mut self.findings {
            if !f.evidence.contains(&fact) {
                f.evidence.push(fact.clone());
            }
        }
    }

    /// The findings so far, in the order they were reported.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// The findings as diagnostics of this rule, at `severity` (the rule's
    /// configured severity).
    pub fn finish(self, severity: Severity) -> Vec<Diagnostic> {
        let rule = self.rule;
        self.findings
            .into_iter()
            .map(|f| wording::render(rule.name, severity, f))
            .collect()
    }
}

/// Runs the rule named `rule` alone on `src` (TypeScript) and returns its
/// typed findings: tests assert on the evidence, not on rendered text.
#[cfg(test)]
pub(crate) fn findings_of(src: &str, rule: &str) -> Vec<Finding> {
    let rule = crate::rules::find(rule).unwrap_or_else(|| panic!("no rule named {rule}"));
    let mut found = Vec::new();
    crate::engine::with_model_for_test(src, crate::parse::Dialect::Ts, |model| {
        let mut cx = RuleContext::new(rule, model);
        (rule.check)(&mut cx);
        found = cx.into_findings();
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Confidence;

    #[test]
    fn the_context_names_the_rule_and_sets_its_severity() {
        let rule = crate::rules::find("unbounded-cache").unwrap();
        crate::engine::with_model_for_test("let a = 1;", crate::parse::Dialect::Js, |model| {
            let mut cx = RuleContext::new(rule, model);
            cx.report(Finding::new(0..3, "what").assumed("why"));
            assert!(cx.reported_at(&(0..3)));
            assert!(!cx.reported_at(&(0..4)));
            let d = cx.finish(Severity::Warning);
            assert_eq!(d.len(), 1);
            assert_eq!(d[0].rule, "unbounded-cache");
            assert_eq!(d[0].severity, Severity::Warning);
            assert_eq!(d[0].confidence, Confidence::Medium);
            assert_eq!(d[0].evidence, vec!["why".to_string()]);
        });
    }

    #[test]
    fn findings_of_runs_one_rule_and_keeps_its_findings_typed() {
        let src = "const cache = new Map();\nlet n = 0;\nsetInterval(() => { cache.set(n++, Date.now()); }, 1000);\n";
        let found = findings_of(src, "unbounded-cache");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].confidence(), Confidence::High);
        assert!(findings_of(src, "unbounded-array").is_empty());
    }
}
