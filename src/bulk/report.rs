//! The suppressions file over a whole run: `--suppress-all` and
//! `--suppress-rule` record the run's counts, `--prune-suppressions` lowers
//! them, and every run moves the suppressed findings of its report to
//! [`FileReport::suppressed`] (JSON's `suppressedMessages`).
//!
//! Only the files linted in this run are touched or compared: a run on
//! `src/` neither drops nor complains about the entries of `test/`.

use super::file::Suppressions;
use super::split::{self, Mismatch};
use crate::report::{FileReport, Report};

/// What applying the file to a run did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Findings moved out of the report.
    pub suppressed: usize,
    /// `(file key, rule)` over its count: all of its findings are reported.
    pub exceeded: Vec<(String, Mismatch)>,
    /// `(file key, rule)` under its count: to prune.
    pub unused: Vec<(String, Mismatch)>,
}

impl Suppressions {
    /// Moves the findings the file suppresses to each file's `suppressed`.
    pub fn apply(&self, report: &mut Report) -> Applied {
        let mut applied = Applied::default();
        for f in &mut report.files {
            let key = self.key(&f.abs_path);
            let Some(entry) = self.entries.get(&key) else {
                continue;
            };
            let found = std::mem::take(&mut f.diagnostics);
            let s = split::split(Some(entry), found, |l| &l.diag);
            f.diagnostics = s.kept;
            applied.suppressed += s.suppressed.len();
            f.suppressed.extend(s.suppressed);
            let with_key = |m: Mismatch| (key.clone(), m);
            applied
                .exceeded
                .extend(s.exceeded.into_iter().map(with_key));
            applied.unused.extend(s.unused.into_iter().map(with_key));
        }
        applied
    }

    /// Records the counts of every linted file (`only`: of those rules
    /// only), keeping the entries of files not linted and of files that do
    /// not parse. Returns the number of findings recorded.
    pub fn record(&mut self, report: &Report, only: &[&str]) -> usize {
        let mut total = 0;
        for f in &report.files {
            let found = findings(f);
            if !split::comparable(found.iter().copied()) {
                continue;
            }
            let key = self.key(&f.abs_path);
            match split::recorded(self.entries.get(&key), &found, only) {
                Some(entry) => {
                    total += split::counts(found.iter().copied())
                        .iter()
                        .filter(|(rule, _)| only.is_empty() || only.contains(rule))
                        .map(|(_, n)| n)
                        .sum::<usize>();
                    self.entries.insert(key, entry);
                }
                None => {
                    self.entries.remove(&key);
                }
            }
        }
        total
    }

    /// Lowers each linted file's counts to its findings, and drops the
    /// entries of files that no longer exist (deleted or renamed: their
    /// findings went with them, whatever was linted). Returns how many
    /// suppressions were dropped (the sum of the decreases).
    pub fn prune(&mut self, report: &Report) -> usize {
        let mut dropped = 0;
        let gone: Vec<String> = self
            .entries
            .keys()
            .filter(|key| !self.exists(key))
            .cloned()
            .collect();
        for key in gone {
            if let Some(entry) = self.entries.remove(&key) {
                dropped += entry.values().map(|c| c.count).sum::<usize>();
            }
        }
        for f in &report.files {
            let key = self.key(&f.abs_path);
            let Some(old) = self.entries.get(&key) else {
                continue;
            };
            let found = findings(f);
            if !split::comparable(found.iter().copied()) {
                continue;
            }
            let before: usize = old.values().map(|c| c.count).sum();
            let new = split::pruned(old, &found);
            let after: usize = new.iter().flat_map(|e| e.values()).map(|c| c.count).sum();
            dropped += before - after;
            match new {
                Some(entry) => self.entries.insert(key, entry),
                None => self.entries.remove(&key),
            };
        }
        dropped
    }
}

fn findings(f: &FileReport) -> Vec<&crate::diagnostic::Diagnostic> {
    f.diagnostics.iter().map(|l| &l.diag).collect()
}
