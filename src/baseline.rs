//! Baselines for existing code bases (ruff's, Biome's and detekt's idea;
//! what ESLint calls bulk suppressions): `--write-baseline FILE` records
//! today's findings, and later runs with `--baseline FILE` report only the
//! findings that are not in it. A team adopting leaklint on a large code base
//! can then fail CI on new leaks from day one and fix the old ones over time.
//!
//! A finding is recorded by its fingerprint (see
//! [`crate::report::repo::fingerprints`]): a hash of the rule, the file's
//! path relative to the baseline file, the trimmed text of the finding's
//! lines and its occurrence index among identical (rule, text) pairs of the
//! file. Line numbers are not part of it, so edits elsewhere in the file do
//! not turn recorded findings into new ones; editing the flagged line itself
//! does (it may be a new leak). Fatal problems (a file that does not parse)
//! and internal errors are never baselined.
//!
//! `--prune-baseline` rewrites the baseline without the entries that no
//! longer match a finding (fixed leaks), never adding any: a fixed leak that
//! comes back is reported again.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::INTERNAL_ERROR;
use crate::report::{FileReport, Report, repo};

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Default)]
struct BaselineFile {
    #[serde(rename = "$comment", default)]
    comment: String,
    version: u32,
    /// Path (relative to the baseline file, forward slashes) → findings.
    files: BTreeMap<String, Vec<Entry>>,
}

#[derive(Serialize, Deserialize, Clone)]
struct Entry {
    rule: String,
    fingerprint: String,
    /// For people reading the file; not matched.
    #[serde(default)]
    line: usize,
    #[serde(default)]
    message: String,
}

/// What applying a baseline did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings left out of the report because the baseline has them.
    pub suppressed: usize,
    /// Baseline entries of files linted in this run that matched nothing.
    pub stale: usize,
}

/// A baseline read from disk.
pub struct Baseline {
    path: PathBuf,
    /// The directory paths are relative to.
    dir: PathBuf,
    file: BaselineFile,
}

fn baselinable(d: &crate::report::Located) -> bool {
    !d.diag.fatal && d.diag.rule != INTERNAL_ERROR
}

/// `file`'s path relative to `dir` (both absolute), forward slashes; the
/// absolute path when it lies elsewhere.
fn key(file: &FileReport, dir: &Path) -> String {
    let abs = repo::normalize(&file.abs_path);
    let rel = abs.strip_prefix(dir).unwrap_or(&abs);
    rel.to_string_lossy().replace('\\', "/")
}

fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    repo::normalize(&cwd.join(path))
}

fn dir_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

impl Baseline {
    /// Reads a baseline; an unreadable or malformed file is an error (exit 2):
    /// silently reporting every old finding, or none, would be worse.
    pub fn load(path: &Path, cwd: &Path) -> Result<Baseline, String> {
        let abs = absolute(path, cwd);
        let text = std::fs::read_to_string(&abs)
            .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
        let file: BaselineFile = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a leaklint baseline: {e}", path.display()))?;
        if file.version != VERSION {
            return Err(format!(
                "{}: baseline version {} is not supported (expected {VERSION}); write it again with --write-baseline",
                path.display(),
                file.version
            ));
        }
        Ok(Baseline {
            dir: dir_of(&abs),
            path: abs,
            file,
        })
    }

    /// Drops the findings the baseline records from `report`.
    pub fn apply(&self, report: &mut Report) -> Applied {
        let mut applied = Applied::default();
        for f in &mut report.files {
            let key = key(f, &self.dir);
            let Some(recorded) = self.file.files.get(&key) else {
                continue;
            };
            let recorded: HashSet<&str> = recorded.iter().map(|e| e.fingerprint.as_str()).collect();
            let prints = repo::fingerprints(f, &key);
            let mut matched = HashSet::new();
            let mut kept = Vec::with_capacity(f.diagnostics.len());
            for (d, print) in std::mem::take(&mut f.diagnostics).into_iter().zip(prints) {
                if baselinable(&d) && recorded.contains(print.as_str()) {
                    applied.suppressed += 1;
                    matched.insert(print);
                } else {
                    kept.push(d);
                }
            }
            f.diagnostics = kept;
            applied.stale += recorded.len() - matched.len();
        }
        applied
    }

    /// Rewrites the baseline without the entries of linted files that match
    /// no finding of `report` (which must be the report *before* [`apply`]).
    /// Returns how many entries were dropped.
    ///
    /// [`apply`]: Baseline::apply
    pub fn prune(&mut self, report: &Report) -> std::io::Result<usize> {
        let mut dropped = 0;
        for f in &report.files {
            let key = key(f, &self.dir);
            let Some(entries) = self.file.files.get_mut(&key) else {
                continue;
            };
            let current: HashSet<String> = repo::fingerprints(f, &key).into_iter().collect();
            let before = entries.len();
            entries.retain(|e| current.contains(&e.fingerprint));
            dropped += before - entries.len();
        }
        self.file.files.retain(|_, entries| !entries.is_empty());
        save(&self.path, &self.file)?;
        Ok(dropped)
    }
}

/// `--write-baseline FILE`: records every baselinable finding of `report`.
/// Entries of files not linted in this run are kept (a baseline written for
/// `src/` and then for `test/` holds both). Returns the number recorded.
pub fn write(report: &Report, path: &Path, cwd: &Path) -> std::io::Result<usize> {
    let abs = absolute(path, cwd);
    let dir = dir_of(&abs);
    let mut file = std::fs::read_to_string(&abs)
        .ok()
        .and_then(|t| serde_json::from_str::<BaselineFile>(&t).ok())
        .filter(|f| f.version == VERSION)
        .unwrap_or_default();
    let mut recorded = 0;
    for f in &report.files {
        let key = key(f, &dir);
        let prints = repo::fingerprints(f, &key);
        let entries: Vec<Entry> = f
            .diagnostics
            .iter()
            .zip(prints)
            .filter(|(d, _)| baselinable(d))
            .map(|(d, fingerprint)| Entry {
                rule: d.diag.rule.to_string(),
                fingerprint,
                line: d.region.start.line,
                message: d.diag.message.clone(),
            })
            .collect();
        recorded += entries.len();
        if entries.is_empty() {
            file.files.remove(&key);
        } else {
            file.files.insert(key, entries);
        }
    }
    save(&abs, &file)?;
    Ok(recorded)
}

fn save(path: &Path, file: &BaselineFile) -> std::io::Result<()> {
    let file = BaselineFile {
        comment: "leaklint baseline: findings recorded with --write-baseline; runs with --baseline report only findings not listed here. Regenerate, do not edit.".into(),
        version: VERSION,
        files: file.files.clone(),
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(std::io::Error::other)?;
    text.push('\n');
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}
