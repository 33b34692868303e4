//! One file's findings against its entry in the suppressions file, and the
//! entry `--suppress-all` and `--prune-suppressions` leave. Generic over the
//! finding type: the command line holds located diagnostics, the language
//! server plain ones.

use std::collections::BTreeMap;

use super::file::{Count, Entry};
use super::suppressible;
use crate::diagnostic::Diagnostic;

/// A rule whose count of findings differs from the recorded one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub rule: String,
    pub recorded: usize,
    pub found: usize,
}

/// What the suppressions file does to one file's findings.
#[derive(Debug)]
pub struct Split<T> {
    /// Shown: new findings, and every finding of a rule over its count.
    pub kept: Vec<T>,
    /// Hidden: rules within their recorded counts.
    pub suppressed: Vec<T>,
    /// Rules with more findings than recorded (all of them are in `kept`).
    pub exceeded: Vec<Mismatch>,
    /// Rules with fewer findings than recorded: fixed leaks whose count
    /// `--prune-suppressions` should lower.
    pub unused: Vec<Mismatch>,
}

/// Suppressible findings per rule.
pub fn counts<'a>(
    found: impl IntoIterator<Item = &'a Diagnostic>,
) -> BTreeMap<&'static str, usize> {
    let mut by_rule = BTreeMap::new();
    for d in found.into_iter().filter(|d| suppressible(d)) {
        *by_rule.entry(d.rule).or_insert(0) += 1;
    }
    by_rule
}

/// A file that does not parse has no findings to compare: its entry is
/// neither used nor unused, and is kept as it is.
pub fn comparable<'a>(mut found: impl Iterator<Item = &'a Diagnostic>) -> bool {
    !found.any(|d| d.fatal)
}

/// Splits `found` by `entry` (`None`: the file has no entry).
pub fn split<T>(
    entry: Option<&Entry>,
    found: Vec<T>,
    diag: impl Fn(&T) -> &Diagnostic,
) -> Split<T> {
    let mut out = Split {
        kept: Vec::new(),
        suppressed: Vec::new(),
        exceeded: Vec::new(),
        unused: Vec::new(),
    };
    let Some(entry) = entry else {
        out.kept = found;
        return out;
    };
    let by_rule = counts(found.iter().map(&diag));
    let recorded = |rule: &str| entry.get(rule).map_or(0, |c| c.count);
    for (rule, &n) in &by_rule {
        if n > recorded(rule) && entry.contains_key(*rule) {
            out.exceeded.push(Mismatch {
                rule: rule.to_string(),
                recorded: recorded(rule),
                found: n,
            });
        }
    }
    if comparable(found.iter().map(&diag)) {
        for (rule, c) in entry {
            let n = by_rule.get(rule.as_str()).copied().unwrap_or(0);
            if n < c.count {
                out.unused.push(Mismatch {
                    rule: rule.clone(),
                    recorded: c.count,
                    found: n,
                });
            }
        }
    }
    for item in found {
        let d = diag(&item);
        let within = suppressible(d) && by_rule.get(d.rule).is_some_and(|&n| n <= recorded(d.rule));
        if within {
            out.suppressed.push(item);
        } else {
            out.kept.push(item);
        }
    }
    out
}

/// The entry `--suppress-all` (`only` empty) or `--suppress-rule` (`only`
/// the rules named) records: today's counts for those rules, the other
/// rules' counts as they were. `None` when nothing is left.
pub fn recorded(old: Option<&Entry>, found: &[&Diagnostic], only: &[&str]) -> Option<Entry> {
    let now = counts(found.iter().copied());
    let mut entry = old.cloned().unwrap_or_default();
    entry.retain(|rule, _| !only.is_empty() && !only.contains(&rule.as_str()));
    for (rule, n) in now {
        if only.is_empty() || only.contains(&rule) {
            entry.insert(rule.to_string(), Count { count: n });
        }
    }
    (!entry.is_empty()).then_some(entry)
}

/// The entry `--prune-suppressions` leaves: each count lowered to today's
/// number of findings, never raised (a new finding stays new). `None` when
/// nothing is left.
pub fn pruned(old: &Entry, found: &[&Diagnostic]) -> Option<Entry> {
    let now = counts(found.iter().copied());
    let entry: Entry = old
        .iter()
        .filter_map(|(rule, c)| {
            let n = now.get(rule.as_str()).copied().unwrap_or(0).min(c.count);
            (n > 0).then(|| (rule.clone(), Count { count: n }))
        })
        .collect();
    (!entry.is_empty()).then_some(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &'static str) -> Diagnostic {
        Diagnostic::new(rule, 0..1, "m")
    }

    fn entry(pairs: &[(&str, usize)]) -> Entry {
        pairs
            .iter()
            .map(|(r, n)| (r.to_string(), Count { count: *n }))
            .collect()
    }

    fn rules(items: &[Diagnostic]) -> Vec<&str> {
        items.iter().map(|d| d.rule).collect()
    }

    const CACHE: &str = "unbounded-cache";
    const ARRAY: &str = "unbounded-array";

    #[test]
    fn within_the_count_everything_is_suppressed_over_it_everything_is_shown() {
        let found = vec![finding(CACHE), finding(CACHE), finding(ARRAY)];
        let e = entry(&[(CACHE, 2), (ARRAY, 1)]);
        let s = split(Some(&e), found.clone(), |d| d);
        assert_eq!(rules(&s.suppressed), [CACHE, CACHE, ARRAY]);
        assert!(s.kept.is_empty() && s.exceeded.is_empty() && s.unused.is_empty());

        let e = entry(&[(CACHE, 1), (ARRAY, 1)]);
        let s = split(Some(&e), found.clone(), |d| d);
        assert_eq!(rules(&s.kept), [CACHE, CACHE]);
        assert_eq!(rules(&s.suppressed), [ARRAY]);
        assert_eq!(
            s.exceeded,
            [Mismatch {
                rule: CACHE.into(),
                recorded: 1,
                found: 2
            }]
        );

        // A rule the entry does not name is new, not "exceeded".
        let e = entry(&[(CACHE, 2)]);
        let s = split(Some(&e), found, |d| d);
        assert_eq!(rules(&s.kept), [ARRAY]);
        assert!(s.exceeded.is_empty());
    }

    #[test]
    fn fewer_findings_than_recorded_is_an_unused_suppression_unless_the_file_does_not_parse() {
        let e = entry(&[(CACHE, 3), (ARRAY, 1)]);
        let s = split(Some(&e), vec![finding(CACHE)], |d| d);
        assert_eq!(rules(&s.suppressed), [CACHE]);
        assert_eq!(
            s.unused,
            [
                Mismatch {
                    rule: ARRAY.into(),
                    recorded: 1,
                    found: 0
                },
                Mismatch {
                    rule: CACHE.into(),
                    recorded: 3,
                    found: 1
                },
            ]
        );
        let mut fatal = finding("parse-error");
        fatal.fatal = true;
        let s = split(Some(&e), vec![fatal], |d| d);
        assert!(s.unused.is_empty());
        assert_eq!(s.kept.len(), 1, "a parse error is always shown");
    }

    #[test]
    fn problems_that_are_not_leaks_are_never_suppressed() {
        let e = entry(&[("unused-disable-directive", 5), (INTERNAL, 5)]);
        let found = vec![finding("unused-disable-directive"), finding(INTERNAL)];
        let s = split(Some(&e), found, |d| d);
        assert_eq!(s.kept.len(), 2);
        assert!(recorded(None, &[&finding(INTERNAL)], &[]).is_none());
    }
    const INTERNAL: &str = crate::diagnostic::INTERNAL_ERROR;

    #[test]
    fn recording_replaces_the_counts_of_the_rules_recorded_only() {
        let old = entry(&[(CACHE, 5), (ARRAY, 2)]);
        let (c, a) = (finding(CACHE), finding(ARRAY));
        assert_eq!(
            recorded(Some(&old), &[&c, &c], &[]),
            Some(entry(&[(CACHE, 2)]))
        );
        assert_eq!(
            recorded(Some(&old), &[&c, &a], &[ARRAY]),
            Some(entry(&[(CACHE, 5), (ARRAY, 1)]))
        );
        assert_eq!(recorded(Some(&old), &[], &[]), None);
    }

    #[test]
    fn pruning_lowers_counts_and_never_raises_them() {
        let old = entry(&[(CACHE, 3), (ARRAY, 2)]);
        let (c, a) = (finding(CACHE), finding(ARRAY));
        assert_eq!(
            pruned(&old, &[&c, &a, &a, &a]),
            Some(entry(&[(CACHE, 1), (ARRAY, 2)]))
        );
        assert_eq!(pruned(&old, &[]), None);
    }
}
