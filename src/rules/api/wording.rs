//! The one place a finding's facts become words: the evidence strings of the
//! machine formats, and the phrases messages and labels share. A rule
//! states typed [`Evidence`]; what it says about growth, owners, keys and
//! frequency is worded here, so the same fact reads the same in every rule.

use super::finding::{Evidence, Finding, Grows, KeyFact, Owner};
use crate::analysis::containers::ContainerKind;
use crate::diagnostic::{Diagnostic, Severity};

/// The diagnostic of `finding`, reported by the rule `rule` at `severity`:
/// its evidence rendered, its confidence derived from the evidence.
pub(super) fn render(rule: &'static str, severity: Severity, finding: Finding) -> Diagnostic {
    let confidence = finding.confidence();
    let Finding {
        span,
        what,
        label,
        labels,
        evidence,
        help,
        fix,
    } = finding;
    let mut d = Diagnostic::new(rule, span, what).with_confidence(confidence);
    d.severity = severity;
    d.label = label;
    d.labels = labels;
    d.help = help;
    d.fix = fix;
    for e in &evidence {
        // Two facts worded alike are shown once.
        d = d.with_evidence(evidence_text(e));
    }
    d
}

/// One fact as the short phrase machine formats carry (`"owner `cache`:
/// declared at module level"`, `"key: a counter"`).
pub fn evidence_text(e: &Evidence) -> String {
    match e {
        Evidence::Grows(g) => format!("grows: `{}`, {}", g.name, kind_phrase(g.kind)),
        Evidence::Owner(o) => format!("owner `{}`: {}", o.name, o.why),
        Evidence::Key(k) => format!("key: {}", key_phrase(k)),
        Evidence::Runs {
            why,
            callers_shown: true,
        } => format!("frequency: {why}"),
        Evidence::Runs {
            why,
            callers_shown: false,
        } => format!("frequency (assumed, callers not shown): {why}"),
        Evidence::Target { name, why } => format!("target `{name}`: {why}"),
        Evidence::Kept(why) | Evidence::Assumed(why) | Evidence::Shown(why) => why.clone(),
    }
}

/// Where a key comes from, as a phrase after "the key" or "key:".
pub fn key_phrase(k: &KeyFact) -> &str {
    match k {
        KeyFact::Unbounded(why) | KeyFact::Bounded(why) => why,
        KeyFact::Unknown => {
            "computed from values the file does not show (a caller's argument); it may come from a small fixed set"
        }
    }
}

/// A container kind with its article (`a \`Map\``, `an array`).
pub fn kind_phrase(kind: ContainerKind) -> &'static str {
    match kind {
        ContainerKind::Map => "a `Map`",
        ContainerKind::Set => "a `Set`",
        ContainerKind::Object => "a plain object used as a dictionary",
        ContainerKind::Array => "an array",
        _ => "a container",
    }
}

/// How to remove one entry of what grows, as code.
pub fn remove_entry(g: &Grows) -> String {
    match g.kind {
        ContainerKind::Object => format!("`delete {}[key]`", g.name),
        _ => format!("`{}.delete(key)`", g.name),
    }
}

/// The label of a growth site, from where its key comes from.
pub fn growth_label(key: &KeyFact) -> String {
    match key {
        KeyFact::Unbounded(why) => format!("grows here: the key {why}"),
        KeyFact::Bounded(_) | KeyFact::Unknown => "grows here with a dynamic key".into(),
    }
}

/// The message of a keyed container that only grows.
pub fn keyed_growth(g: &Grows) -> String {
    format!(
        "`{}` grows with every new key and nothing ever removes an entry",
        g.name
    )
}

/// The message of a keyed field of a long-lived instance that only grows.
pub fn instance_growth(g: &Grows, owner: &Owner) -> String {
    format!(
        "`{}` of the long-lived `{}` grows with every new key and no method removes an entry",
        g.name, owner.name
    )
}

/// The message of a field of an exported class that gains a new key on
/// every call: the instance's life is up to the module's users.
pub fn exported_instance_growth(g: &Grows, owner: &Owner) -> String {
    format!(
        "`{}` of each `{}` instance gains a new key on every call and no method removes an entry: it grows for as long as the instance is used",
        g.name, owner.name
    )
}

/// The message of an array that only grows.
pub fn array_growth(g: &Grows) -> String {
    format!(
        "`{}` grows on every call and nothing ever removes its elements",
        g.name
    )
}

/// The finding for a collection of timer handles that only grows (see
/// [`timer_sets`](crate::analysis::timer_sets)), worded for a `Set`
/// (`unbounded-cache`) or an array (`unbounded-array`).
pub fn timer_collection(g: &crate::analysis::timer_sets::GrowingTimerSet) -> Finding {
    let (noun, label, remove) = if g.is_array {
        (
            "array",
            "appends a timer handle on every call",
            format!(
                "remove elements when their timer fires or is cleared (`{s} = {s}.filter((h) => h !== handle)` or a `splice` in the callback), or keep the handles in a `Set` and delete them there",
                s = g.set
            ),
        )
    } else {
        (
            "set",
            "adds a timer handle on every call",
            format!(
                "remove the handle when its timer fires or is cleared (`{}.delete(handle)` in the callback)",
                g.set
            ),
        )
    };
    let mut d = Finding::new(
        g.add.clone(),
        format!(
            "`{}` keeps the handle of every timer and nothing removes one, not even when the timer fires",
            g.set
        ),
    )
    .with_label(label)
    .with_related(g.timer.clone(), "each handle keeps this timer's callback alive");
    let lives = match &g.evidence {
        Some(e) => {
            d = d.with_related(e.clone(), g.why.clone());
            "kept for good"
        }
        None => g.why.as_str(),
    };
    d.with_help(format!("the {noun} is {lives}; {remove}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_read_the_same_in_every_rule() {
        let grows = Grows::new("cache", ContainerKind::Map);
        assert_eq!(
            evidence_text(&grows.clone().into()),
            "grows: `cache`, a `Map`"
        );
        assert_eq!(
            keyed_growth(&grows),
            "`cache` grows with every new key and nothing ever removes an entry"
        );
        assert_eq!(remove_entry(&grows), "`cache.delete(key)`");
        let array = Grows::new("list", ContainerKind::Array);
        assert_eq!(evidence_text(&array.into()), "grows: `list`, an array");
        let owner = Owner::new("cache", "declared at module level");
        assert_eq!(
            evidence_text(&owner.into()),
            "owner `cache`: declared at module level"
        );
        let key = Evidence::Key(KeyFact::Unbounded("a counter".into()));
        assert_eq!(evidence_text(&key), "key: a counter");
        let runs = Evidence::Runs {
            why: "an exported function".into(),
            callers_shown: false,
        };
        assert_eq!(
            evidence_text(&runs),
            "frequency (assumed, callers not shown): an exported function"
        );
    }

    #[test]
    fn facts_worded_alike_are_shown_once() {
        let f = Finding::new(0..1, "m")
            .with_evidence(Evidence::Shown("same".into()))
            .with_evidence(Evidence::Kept("same".into()));
        let d = render("unbounded-cache", Severity::Error, f);
        assert_eq!(d.evidence, vec!["same".to_string()]);
        assert_eq!(d.severity, Severity::Error);
    }
}
