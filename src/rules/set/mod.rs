//! Which rules run on a file, at what severity, and what is shown: the
//! selection the engine applies, built by the CLI and by config files.

use std::sync::Arc;

use super::{RULES, Rule};
use crate::diagnostic::{Confidence, Diagnostic, Severity};
use crate::settings::Settings;

/// Which rules run on a file, and at what severity.
#[derive(Clone)]
pub struct RuleSet {
    pub rules: Vec<(&'static Rule, Severity)>,
    /// Severity of unused suppression directives; `None` to not report them.
    pub unused_directives: Option<Severity>,
    /// The least confidence a finding needs to be reported (`High` by
    /// default). Applied once, in [`RuleSet::shown`], after suppression.
    pub min_confidence: Confidence,
    /// What the config says about the project's own code (`settings`),
    /// handed to the analysis through the file's model.
    pub settings: Arc<Settings>,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet {
            rules: RULES.iter().map(|r| (r, r.default_severity)).collect(),
            unused_directives: Some(Severity::Warning),
            min_confidence: Confidence::High,
            settings: Arc::default(),
        }
    }
}

impl RuleSet {
    /// Only one rule, at its default severity (fixture tests).
    pub fn only(name: &str) -> RuleSet {
        RuleSet {
            rules: RULES
                .iter()
                .filter(|r| r.name == name)
                .map(|r| (r, r.default_severity))
                .collect(),
            unused_directives: Some(Severity::Warning),
            min_confidence: Confidence::High,
            settings: Arc::default(),
        }
    }

    /// The same rules, reporting findings down to `confidence`.
    pub fn with_min_confidence(mut self, confidence: Confidence) -> RuleSet {
        self.min_confidence = confidence;
        self
    }

    /// The one place findings are filtered by confidence. It runs after
    /// suppression, so a directive that silences a medium finding counts as
    /// used whatever the level shown, and the unused-directive report does
    /// not change with `--confidence`. Problems of the tool itself (parse
    /// errors, directives) are always high.
    pub fn shown(&self, mut found: Vec<Diagnostic>) -> Vec<Diagnostic> {
        found.retain(|d| d.fatal || d.confidence >= self.min_confidence);
        found
    }
}
