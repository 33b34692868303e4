//! What a rule reports: a typed finding. A rule says what leaks, where, the
//! facts it rests on ([`Evidence`]), how to fix it; the rule context
//! ([`super::context`]) adds the rule's name and severity, and
//! [`super::wording`] renders the facts into words. The confidence is not
//! set by the rule: it follows from the evidence (see [`Finding::confidence`]),
//! so a finding cannot claim `high` while it states an assumption.

use std::ops::Range;

use crate::analysis::containers::ContainerKind;
use crate::analysis::growth_evidence::Strength;
use crate::analysis::keys::KeyOrigin;
use crate::diagnostic::{Confidence, Fix, Label};

/// One fact a finding rests on. Each kind is one claim a message, a label
/// or the machine-readable evidence can make; [`super::wording`] renders it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// What grows.
    Grows(Grows),
    /// How long the owner of what grows (or of what is kept) lives.
    Owner(Owner),
    /// Where the keys come from.
    Key(KeyFact),
    /// How often the code runs, and why. `callers_shown` is false when the
    /// repetition rests only on callers the file does not show; that alone
    /// does not lower the confidence (a key shown to be new on every call
    /// decides growth whatever the callers): a rule that lets it decide
    /// adds an [`Evidence::Assumed`].
    Runs { why: String, callers_shown: bool },
    /// The object a registration is made on, and why it stays.
    Target { name: String, why: String },
    /// Which path keeps the entry, or which ways out skip the removal.
    Kept(String),
    /// A premise of the finding that the code does not show: the finding is
    /// `medium` (see [`crate::diagnostic::Confidence`]).
    Assumed(String),
    /// Any other fact the code shows.
    Shown(String),
}

/// What grows: a container, by the name the code gives it, and its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grows {
    pub name: String,
    pub kind: ContainerKind,
}

impl Grows {
    pub fn new(name: impl Into<String>, kind: ContainerKind) -> Self {
        Grows {
            name: name.into(),
            kind,
        }
    }
}

/// The owner of what grows (a binding, a class), and why the rule thinks
/// it lives long (`declared at module level`, `a singleton exported by the
/// module`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub name: String,
    pub why: String,
}

impl Owner {
    pub fn new(name: impl Into<String>, why: impl Into<String>) -> Self {
        Owner {
            name: name.into(),
            why: why.into(),
        }
    }
}

impl From<Grows> for Evidence {
    fn from(g: Grows) -> Self {
        Evidence::Grows(g)
    }
}

impl From<Owner> for Evidence {
    fn from(o: Owner) -> Self {
        Evidence::Owner(o)
    }
}

impl From<KeyFact> for Evidence {
    fn from(k: KeyFact) -> Self {
        Evidence::Key(k)
    }
}

impl From<&KeyOrigin> for KeyFact {
    fn from(origin: &KeyOrigin) -> Self {
        match origin {
            KeyOrigin::Unbounded(why) => KeyFact::Unbounded(why.clone()),
            KeyOrigin::Bounded(why) => KeyFact::Bounded(why.clone()),
            KeyOrigin::Unknown => KeyFact::Unknown,
        }
    }
}

/// Where the keys of a growing container come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyFact {
    /// New on every call or event, with its source (a counter, the time, a
    /// value the call creates, a store API's caller).
    Unbounded(String),
    /// From a small fixed set, with why.
    Bounded(String),
    /// Computed from values the file does not show.
    Unknown,
}

impl KeyFact {
    /// The key alone shows growth: it is new on every call.
    pub fn shows_growth(&self) -> bool {
        matches!(self, KeyFact::Unbounded(_))
    }
}

impl Evidence {
    /// How often the code runs, shown by the file.
    pub fn runs_shown(why: impl Into<String>) -> Evidence {
        Evidence::Runs {
            why: why.into(),
            callers_shown: true,
        }
    }

    /// How often the code runs, from the repetition answer.
    pub(crate) fn runs(strength: Strength) -> Evidence {
        match strength {
            Strength::Shown(why) => Evidence::Runs {
                why,
                callers_shown: true,
            },
            Strength::Assumed(why) => Evidence::Runs {
                why,
                callers_shown: false,
            },
        }
    }

    /// An assumed premise: lowers the finding to `medium`.
    pub fn is_assumed(&self) -> bool {
        matches!(self, Evidence::Assumed(_))
    }

    /// The same fact, no longer an assumption: other evidence decides the
    /// premise it stood for (its words do not change).
    pub fn settled(self) -> Evidence {
        match self {
            Evidence::Assumed(why) => Evidence::Shown(why),
            other => other,
        }
    }
}

/// One problem a rule found, before the context names the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Primary location.
    pub span: Range<usize>,
    /// What leaks, lowercase, no trailing period.
    pub what: String,
    /// Text under the primary span.
    pub label: Option<String>,
    /// Every other line that matters.
    pub labels: Vec<Label>,
    /// The facts the finding rests on, in the order they are shown.
    pub evidence: Vec<Evidence>,
    /// Why it leaks and how to fix it.
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn new(span: Range<usize>, what: impl Into<String>) -> Self {
        Finding {
            span,
            what: what.into(),
            label: None,
            labels: Vec::new(),
            evidence: Vec::new(),
            help: None,
            fix: None,
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

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Records a fact the finding rests on.
    pub fn with_evidence(mut self, fact: impl Into<Evidence>) -> Self {
        let fact = fact.into();
        if !self.evidence.contains(&fact) {
            self.evidence.push(fact);
        }
        self
    }

    /// Records a premise that is assumed rather than shown: the finding
    /// becomes `medium`.
    pub fn assumed(self, why: impl Into<String>) -> Self {
        self.with_evidence(Evidence::Assumed(why.into()))
    }

    /// `medium` when any premise is assumed, `high` otherwise.
    pub fn confidence(&self) -> Confidence {
        match self.evidence.iter().any(Evidence::is_assumed) {
            true => Confidence::Medium,
            false => Confidence::High,
        }
    }

    /// The evidence about the key, if the finding states one.
    pub fn key(&self) -> Option<&KeyFact> {
        self.evidence.iter().find_map(|e| match e {
            Evidence::Key(k) => Some(k),
            _ => None,
        })
    }

    /// The evidence about what grows, if the finding states it.
    pub fn grows(&self) -> Option<&Grows> {
        self.evidence.iter().find_map(|e| match e {
            Evidence::Grows(g) => Some(g),
            _ => None,
        })
    }

    /// The evidence about the owner, if the finding states it.
    pub fn owner(&self) -> Option<&Owner> {
        self.evidence.iter().find_map(|e| match e {
            Evidence::Owner(o) => Some(o),
            _ => None,
        })
    }

    /// The assumed premises, if any (why the finding is `medium`).
    pub fn assumptions(&self) -> Vec<&str> {
        self.evidence
            .iter()
            .filter_map(|e| match e {
                Evidence::Assumed(why) => Some(why.as_str()),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assumed_premise_makes_the_finding_medium() {
        let f = Finding::new(0..1, "x").with_evidence(Evidence::Shown("a".into()));
        assert_eq!(f.confidence(), Confidence::High);
        let f = f.assumed("callers not shown");
        assert_eq!(f.confidence(), Confidence::Medium);
    }

    #[test]
    fn a_settled_assumption_no_longer_lowers_the_confidence() {
        let mut f = Finding::new(0..1, "x").assumed("b");
        f.evidence = f.evidence.into_iter().map(Evidence::settled).collect();
        assert_eq!(f.confidence(), Confidence::High);
        assert_eq!(f.evidence, vec![Evidence::Shown("b".into())]);
    }

    #[test]
    fn the_first_label_of_a_place_wins_and_the_primary_span_gets_none() {
        let f = Finding::new(0..1, "x")
            .with_related(2..3, "first")
            .with_related(2..3, "second")
            .with_related(0..1, "primary");
        assert_eq!(f.labels.len(), 1);
        assert_eq!(f.labels[0].message, "first");
    }
}
