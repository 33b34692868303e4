//! `--fix`, `--fix-unsafe` and `--fix-dry-run`: apply the fixes rules attach
//! to their diagnostics, without ever losing or corrupting a file.
//!
//! - Fixes are applied in rounds: non-overlapping fixes, then re-lint, until
//!   nothing is left to fix (at most [`MAX_ROUNDS`]).
//! - Every round's result must parse; otherwise the file is left untouched.
//! - Files are written atomically (temporary file in the same directory,
//!   then rename), keeping permissions, line endings and the BOM; a read-only
//!   file, or one that changed on disk since it was read, is not written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use swc_common::{GLOBALS, Globals};

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::engine::{self, FileResult};
use crate::parse::{self, Dialect};
use crate::rules::RuleSet;

/// Rounds of fix → re-lint before giving up on convergence.
pub const MAX_ROUNDS: usize = 10;

const BOM: &str = "\u{feff}";

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixLevel {
    /// Only fixes that cannot change behaviour beyond removing the leak.
    Safe,
    /// Also fixes a human should review.
    Unsafe,
}

impl FixLevel {
    pub fn allows(self, a: Applicability) -> bool {
        a == Applicability::Safe || self == FixLevel::Unsafe
    }
}

/// Why a file was not fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixError {
    /// The fixed text does not parse: a rule produced a bad edit.
    DoesNotParse(String),
    /// The file is read-only.
    ReadOnly,
    /// Someone changed the file while leaklint was fixing it.
    ChangedOnDisk,
    /// Reading or writing failed.
    Io(String),
}

impl std::fmt::Display for FixError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            FixError::DoesNotParse(why) => write!(
                f,
                "not fixed: the fixed text would not parse ({why}); the file was left unchanged, please report this"
            ),
            FixError::ReadOnly => f.write_str("not fixed: the file is read-only"),
            FixError::ChangedOnDisk => f.write_str(
                "not fixed: the file changed on disk while leaklint was fixing it; run again",
            ),
            FixError::Io(e) => write!(f, "not fixed: {e}"),
        }
    }
}

/// The outcome of fixing one text.
#[derive(Debug, Clone)]
pub struct Fixed {
    /// The fixed text, with the original's BOM if it had one.
    pub output: String,
    /// How many fixes were applied.
    pub applied: usize,
    /// Problems left in `output` (spans into `output` without the BOM).
    pub remaining: Vec<Diagnostic>,
}

impl Fixed {
    /// `output` without the BOM: the text `remaining` points into.
    pub fn body(&self) -> &str {
        parse::strip_bom(&self.output)
    }
}

/// Fixes `text` as the file `path` until no applicable fix is left.
pub fn fix_source(
    path: &Path,
    text: &str,
    rules: &RuleSet,
    level: FixLevel,
) -> Result<Fixed, FixError> {
    let bom = if text.starts_with(BOM) { BOM } else { "" };
    let mut current = parse::strip_bom(text).to_string();
    let mut applied = 0;
    let mut diagnostics = engine::lint_source(path, &current, rules);
    for _ in 0..MAX_ROUNDS {
        if diagnostics.iter().any(|d| d.fatal) {
            break;
        }
        let fixes: Vec<&Fix> = diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| level.allows(f.applicability))
            .collect();
        if fixes.is_empty() {
            break;
        }
        let (next, n) = apply_fixes(path, &current, &fixes)?;
        if n == 0 || next == current {
            break;
        }
        applied += n;
        current = next;
        diagnostics = engine::lint_source(path, &current, rules);
    }
    Ok(Fixed {
        output: format!("{bom}{current}"),
        applied,
        remaining: diagnostics,
    })
}

/// Applies the fixes that do not overlap an earlier one (by position) and
/// checks that the result parses. Returns the new text and how many fixes
/// were applied. A fix whose edits are out of range is skipped.
pub fn apply_fixes(path: &Path, text: &str, fixes: &[&Fix]) -> Result<(String, usize), FixError> {
    let mut chosen: Vec<&Fix> = Vec::new();
    let mut sorted: Vec<&Fix> = fixes
        .iter()
        .copied()
        .filter(|f| well_formed(text, f))
        .collect();
    sorted.sort_by_key(|f| f.edits.iter().map(|e| e.range.start).min());
    let mut last_end = 0usize;
    for fix in sorted {
        let start = fix.edits.iter().map(|e| e.range.start).min().unwrap_or(0);
        let end = fix.edits.iter().map(|e| e.range.end).max().unwrap_or(0);
        if !chosen.is_empty() && start < last_end {
            continue; // overlaps: the next round re-lints and gets it again
        }
        chosen.push(fix);
        last_end = end;
    }
    let mut edits: Vec<_> = chosen.iter().flat_map(|f| f.edits.iter()).collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(e.range.clone(), &e.text);
    }
    if !chosen.is_empty() {
        reparses(path, &out).map_err(FixError::DoesNotParse)?;
    }
    Ok((out, chosen.len()))
}

/// Edits in range, on character boundaries, not overlapping each other.
fn well_formed(text: &str, fix: &Fix) -> bool {
    let mut ranges: Vec<_> = fix.edits.iter().map(|e| e.range.clone()).collect();
    ranges.sort_by_key(|r| r.start);
    !fix.edits.is_empty()
        && ranges.iter().all(|r| {
            r.start <= r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end)
        })
        && ranges.windows(2).all(|w| w[0].end <= w[1].start)
}

/// `Ok` when `text` parses as the file `path`.
pub fn reparses(path: &Path, text: &str) -> Result<(), String> {
    let dialect = Dialect::for_path(path).unwrap_or(Dialect::Js);
    GLOBALS.set(&Globals::new(), || {
        parse::parse(path, text, dialect, false)
            .map(drop)
            .map_err(|d| d.message)
    })
}

/// A file read for fixing: what was read is kept, so the write can check
/// that nobody changed the file in the meantime.
pub struct FileFix {
    pub path: PathBuf,
    /// The file to replace: `path` with symlinks resolved, so that fixing
    /// through a symlink writes the target and keeps the link.
    target: PathBuf,
    original: Vec<u8>,
    /// The file's text (`None` when it is not UTF-8 text).
    pub text: Result<String, Diagnostic>,
    permissions: std::fs::Permissions,
}

impl FileFix {
    pub fn read(path: &Path) -> Result<FileFix, FixError> {
        let io = |e: std::io::Error| FixError::Io(e.to_string());
        let target = std::fs::canonicalize(path).map_err(io)?;
        let meta = std::fs::metadata(&target).map_err(io)?;
        if !meta.is_file() || meta.len() > engine::MAX_FILE_BYTES {
            // The ordinary lint reports why (special file, too large).
            return Err(FixError::Io(
                "not a regular file of a size leaklint reads".into(),
            ));
        }
        let original = std::fs::read(&target).map_err(io)?;
        Ok(FileFix {
            path: path.to_path_buf(),
            target,
            text: engine::decode(original.clone()),
            original,
            permissions: meta.permissions(),
        })
    }

    /// Replaces the file's content with `new_text`, atomically.
    pub fn write(&self, new_text: &str) -> Result<(), FixError> {
        let io = |e: std::io::Error| FixError::Io(e.to_string());
        if self.permissions.readonly() {
            return Err(FixError::ReadOnly);
        }
        let now = std::fs::read(&self.target).map_err(io)?;
        if now != self.original {
            return Err(FixError::ChangedOnDisk);
        }
        let dir = self.target.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::Builder::new()
            .prefix(".leaklint-fix-")
            .tempfile_in(dir)
            .map_err(io)?;
        tmp.write_all(new_text.as_bytes()).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        std::fs::set_permissions(tmp.path(), self.permissions.clone()).map_err(io)?;
        tmp.persist(&self.target).map_err(|e| io(e.error))?;
        Ok(())
    }
}

/// What `--fix` did to one file.
pub struct FileOutcome {
    /// Problems left after fixing, for the report.
    pub result: FileResult,
    pub applied: usize,
    /// `--fix-dry-run`: the unified diff, if anything would change.
    pub diff: Option<String>,
    /// The file could not be fixed (it was left unchanged).
    pub error: Option<FixError>,
}

/// Fixes one file on disk (or, with `dry_run`, computes the diff only).
pub fn fix_file(
    path: &Path,
    rules: &RuleSet,
    level: FixLevel,
    dry_run: bool,
    shown_as: &str,
) -> FileOutcome {
    let unfixed = |error: Option<FixError>| FileOutcome {
        result: engine::lint_file(path, rules),
        applied: 0,
        diff: None,
        error,
    };
    let file = match FileFix::read(path) {
        Ok(f) => f,
        // Not readable: the ordinary lint reports why.
        Err(_) => return unfixed(None),
    };
    let Ok(text) = &file.text else {
        return unfixed(None);
    };
    let fixed = match fix_source(path, text, rules, level) {
        Ok(f) => f,
        Err(e) => return unfixed(Some(e)),
    };
    let mut outcome = FileOutcome {
        result: FileResult {
            path: path.to_path_buf(),
            source: (!fixed.remaining.is_empty()).then(|| Arc::from(fixed.body())),
            diagnostics: fixed.remaining.clone(),
            error: None,
        },
        applied: fixed.applied,
        diff: None,
        error: None,
    };
    if fixed.applied == 0 {
        return outcome;
    }
    if dry_run {
        outcome.diff = Some(unified_diff(shown_as, text, &fixed.output));
    } else if let Err(e) = file.write(&fixed.output) {
        return unfixed(Some(e));
    }
    outcome
}

/// A unified diff of `old` → `new`, headed `a/<path>` / `b/<path>`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// How many of `remaining` carry a fix that `level` does not apply (what
/// `--fix-unsafe` would fix on top of `--fix`).
pub fn fixable_beyond(remaining: &[Diagnostic], level: FixLevel) -> usize {
    remaining
        .iter()
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| !level.allows(f.applicability))
        })
        .count()
}

/// `fixed 2 problems in 1 file; 1 problem remains`, then, when some of the
/// remaining problems have an unsafe fix, how many `--fix-unsafe` would fix.
pub fn summary(
    applied: usize,
    files: usize,
    remaining: usize,
    unsafe_fixable: usize,
    dry_run: bool,
) -> String {
    let verb = if dry_run { "would fix" } else { "fixed" };
    let left = match remaining {
        1 => "1 problem remains".to_string(),
        n => format!("{n} problems remain"),
    };
    let more = match unsafe_fixable {
        0 => String::new(),
        n => format!(
            " ({n} of them fixable with --fix-unsafe: review the diff, {} may change behaviour)",
            if n == 1 { "its fix" } else { "their fixes" }
        ),
    };
    format!(
        "{verb} {} in {}; {left}{more}{}",
        crate::report::plural(applied, "problem"),
        crate::report::plural(files, "file"),
        if dry_run {
            " (dry run: nothing was written)"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;

    fn fix(range: std::ops::Range<usize>, text: &str) -> Fix {
        Fix {
            title: "t".into(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                range,
                text: text.into(),
            }],
        }
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_round() {
        let a = fix(0..5, "x");
        let b = fix(3..7, "y");
        let c = fix(8..9, "z");
        let (out, n) = apply_fixes(Path::new("a.js"), "let q = 1;", &[&b, &a, &c]).unwrap();
        assert_eq!(n, 2);
        assert_eq!(out, "x = z;");
    }

    #[test]
    fn an_edit_that_breaks_the_syntax_is_refused() {
        let bad = fix(4..5, "(");
        let err = apply_fixes(Path::new("a.js"), "let q = 1;", &[&bad]).unwrap_err();
        assert!(matches!(err, FixError::DoesNotParse(_)), "{err:?}");
    }

    #[test]
    fn out_of_range_edits_are_skipped() {
        let bad = fix(4..50, "x");
        let (out, n) = apply_fixes(Path::new("a.js"), "let q = 1;", &[&bad]).unwrap();
        assert_eq!((out.as_str(), n), ("let q = 1;", 0));
    }
}
