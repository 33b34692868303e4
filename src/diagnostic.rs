//! The one diagnostic type every rule produces and every output format reads.
//!
//! Spans are byte ranges into the (BOM-stripped) source text. Line and column
//! numbers are computed once, in [`crate::position`], and shared by all formats.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// How serious a finding is. The order matters: `Error > Warning`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    /// ESLint's numeric severity: 1 warning, 2 error.
    pub fn eslint_level(self) -> u8 {
        match self {
            Severity::Warning => 1,
            Severity::Error => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// How sure a rule is that a finding is a real leak (CodeQL's "precision").
/// The order matters: `Medium < High`. The default output shows `High` only;
/// `--confidence medium` (or `"confidence": "medium"`) shows both.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The pattern matched, but something the leak depends on is assumed
    /// rather than shown (the owner's lifetime, how often the code runs,
    /// whether the key set is open): worth a look, not worth a failed build.
    Medium,
    /// Everything the leak depends on is shown by the code.
    #[default]
    High,
}

impl Confidence {
    pub fn parse(s: &str) -> Option<Confidence> {
        match s {
            "high" => Some(Confidence::High),
            "medium" => Some(Confidence::Medium),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
        }
    }
}

/// A secondary location that explains the finding ("declared here").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub span: Range<usize>,
    pub message: String,
}

impl Label {
    /// Adds a label to a finding whose primary span is `primary`: one label
    /// per place, the first explanation of a span wins, and the primary
    /// span has its own label.
    pub fn add(labels: &mut Vec<Label>, primary: &Range<usize>, span: Range<usize>, text: String) {
        if !labels.iter().any(|l| l.span == span) && span != *primary {
            labels.push(Label {
                span,
                message: text,
            });
        }
    }
}

/// Whether a fix can change behaviour beyond removing the leak (ruff's terms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Cannot change what the program does, except that it stops leaking.
    Safe,
    /// Probably right, but a human should look: applied only with `--fix-unsafe`.
    Unsafe,
}

/// Replace the bytes in `range` with `text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// A machine-applicable change, kept as data so every output format and
/// `--fix` share it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// Rule id used for files that could not be parsed.
pub const PARSE_ERROR: &str = "parse-error";
/// Rule id used for files that could not be analysed (read error, internal error).
pub const INTERNAL_ERROR: &str = "internal-error";

/// One problem in one file. (Read back only by the cache, which knows the
/// registered rule ids: its `Deserialize` is in `crate::cache`.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Rule name (`unbounded-cache`), or `parse-error` for a fatal parse failure.
    pub rule: RuleId,
    pub severity: Severity,
    /// What leaks, lowercase, no trailing period.
    pub message: String,
    /// Primary location.
    pub span: Range<usize>,
    /// Text under the primary span.
    pub label: Option<String>,
    /// Every other line that matters.
    pub labels: Vec<Label>,
    /// Why it leaks and how to fix it.
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// The file could not be analysed at all (ESLint's `fatal: true`).
    pub fatal: bool,
    /// How sure the rule is; see [`Confidence`].
    pub confidence: Confidence,
    /// The facts that decided the confidence, as short phrases
    /// (`"owner: declared at module level"`, `"callers unknown: exported"`).
    pub evidence: Vec<String>,
}

/// A rule's id: the `'static` name of a registered rule or built-in problem.
/// (An alias, so that serde's derive does not take a field of this type for
/// text borrowed from the input: see `crate::cache`, which reads ids back.)
pub type RuleId = &'static str;

impl Diagnostic {
    pub fn new(rule: &'static str, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: Severity::Warning,
            message: message.into(),
            span,
            label: None,
            labels: Vec::new(),
            help: None,
            fix: None,
            fatal: false,
            confidence: Confidence::High,
            evidence: Vec::new(),
        }
    }

    pub fn with_label(mut self, text: impl Into<String>) -> Self {
        self.label = Some(text.into());
        self
    }

    pub fn with_related(mut self, span: Range<usize>, text: impl Into<String>) -> Self {
        Label::add(&mut self.labels, &self.span, span, text.into());
        self
    }

    pub fn with_help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    /// Records a fact the finding rests on (shown by machine formats).
    pub fn with_evidence(mut self, fact: impl Into<String>) -> Self {
        let fact = fact.into();
        if !self.evidence.contains(&fact) {
            self.evidence.push(fact);
        }
        self
    }

    /// Sets how sure the rule is (findings are `High` unless a rule says
    /// otherwise).
    pub fn with_confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = confidence;
        self
    }

    /// Lowers the finding to `Medium` because of `reason`, a fact that is
    /// assumed rather than shown; the reason joins the evidence.
    pub fn medium(self, reason: impl Into<String>) -> Self {
        self.with_confidence(Confidence::Medium)
            .with_evidence(reason)
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// A fatal problem: the file could not be parsed or read.
    pub fn fatal(rule: &'static str, span: Range<usize>, message: impl Into<String>) -> Self {
        let mut d = Diagnostic::new(rule, span, message);
        d.severity = Severity::Error;
        d.fatal = true;
        d
    }
}

/// The result of linting one file on disk.
pub struct FileResult {
    pub path: PathBuf,
    /// The text the diagnostics point into (kept only when there are any).
    pub source: Option<Arc<str>>,
    pub diagnostics: Vec<Diagnostic>,
    /// The file could not be read: a one-line reason.
    pub error: Option<String>,
}
