//! Output formats. Every format reads the same [`Report`]: positions are
//! computed once per diagnostic (1-based lines, UTF-16 columns) in
//! [`Report::new`], so no two formats can disagree about a location.

pub mod checkstyle;
pub mod compact;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod pretty;
pub mod repo;
pub mod sarif;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::FileResult;
use crate::diagnostic::{Diagnostic, Severity};
use crate::position::{LineIndex, Region};

/// Exit codes of every command (`check`, `heap`, …): no problem, problems
/// found, or the run itself failed.
pub const EXIT_OK: u8 = 0;
pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// When output uses colours (`--color`), for every command that reports.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// A diagnostic with its positions resolved.
pub struct Located {
    pub diag: Diagnostic,
    pub region: Region,
    /// Regions of `diag.labels`, same order.
    pub label_regions: Vec<Region>,
    /// The fix's edits as UTF-16 offsets (what ESLint's `fix.range` holds).
    pub fix_ranges_utf16: Vec<Range<usize>>,
    /// The fix's edits as line/column regions (what SARIF's `deletedRegion` holds).
    pub fix_regions: Vec<Region>,
}

pub struct FileReport {
    /// Path as shown to the user: relative to the working directory when
    /// inside it, forward slashes.
    pub path: String,
    pub abs_path: PathBuf,
    pub source: Option<Arc<str>>,
    pub diagnostics: Vec<Located>,
    /// Findings hidden by the suppressions file (`crate::bulk`): JSON's
    /// `suppressedMessages`; no other format shows them, none counts them.
    pub suppressed: Vec<Located>,
}

/// Everything a formatter needs.
pub struct Report {
    pub files: Vec<FileReport>,
    pub files_linted: usize,
    pub elapsed: std::time::Duration,
}

impl Report {
    pub fn new(results: Vec<FileResult>, cwd: &Path, elapsed: std::time::Duration) -> Report {
        let files_linted = results.len();
        let files = results
            .into_iter()
            .filter(|r| r.error.is_none())
            .map(|r| locate(r, cwd))
            .collect();
        Report {
            files,
            files_linted,
            elapsed,
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics()
            .filter(|d| d.diag.severity == severity)
            .count()
    }

    pub fn diagnostics(&self) -> impl Iterator<Item = &Located> {
        self.files.iter().flat_map(|f| f.diagnostics.iter())
    }

    /// Findings hidden by the suppressions file.
    pub fn suppressed(&self) -> usize {
        self.files.iter().map(|f| f.suppressed.len()).sum()
    }

    pub fn files_with_problems(&self) -> usize {
        self.files
            .iter()
            .filter(|f| !f.diagnostics.is_empty())
            .count()
    }
}

fn locate(r: FileResult, cwd: &Path) -> FileReport {
    // Absolute and without `.`/`..` segments, as ESLint reports `filePath`.
    let abs_path = repo::normalize(&if r.path.is_absolute() {
        r.path.clone()
    } else {
        cwd.join(&r.path)
    });
    let path = display_path(&r.path, cwd);
    let text = r.source.clone().unwrap_or_else(|| Arc::from(""));
    // Lines are indexed only as far as the last position reported.
    let last = r
        .diagnostics
        .iter()
        .flat_map(|d| {
            let labels = d.labels.iter().map(|l| l.span.end);
            let edits = d
                .fix
                .iter()
                .flat_map(|f| f.edits.iter().map(|e| e.range.end));
            std::iter::once(d.span.end).chain(labels).chain(edits)
        })
        .max()
        .unwrap_or(0);
    let index = LineIndex::up_to(&text, last);
    let units = Utf16Offsets::of(
        &text,
        r.diagnostics
            .iter()
            .flat_map(|d| d.fix.iter().flat_map(|f| f.edits.iter()))
            .flat_map(|e| [e.range.start, e.range.end]),
    );
    let diagnostics = r
        .diagnostics
        .into_iter()
        .map(|d| {
            let region = index.region(&d.span);
            let label_regions = d.labels.iter().map(|l| index.region(&l.span)).collect();
            let fix_ranges_utf16 = d
                .fix
                .iter()
                .flat_map(|f| f.edits.iter())
                .map(|e| units.at(&text, e.range.start)..units.at(&text, e.range.end))
                .collect();
            let fix_regions = d
                .fix
                .iter()
                .flat_map(|f| f.edits.iter())
                .map(|e| index.region(&e.range))
                .collect();
            Located {
                diag: d,
                region,
                label_regions,
                fix_ranges_utf16,
                fix_regions,
            }
        })
        .collect();
    FileReport {
        path,
        abs_path,
        source: r.source,
        diagnostics,
        suppressed: Vec::new(),
    }
}

/// UTF-16 code units before a byte offset (JavaScript string index).
pub fn utf16_offset(text: &str, byte: usize) -> usize {
    text[..char_start(text, byte)].encode_utf16().count()
}

/// The byte offset clamped to the text and snapped back to a character start.
fn char_start(text: &str, byte: usize) -> usize {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

/// [`utf16_offset`] of many byte offsets, found in one walk over the text:
/// a file with thousands of fixes would otherwise be rescanned per fix.
struct Utf16Offsets(Vec<(usize, usize)>);

impl Utf16Offsets {
    fn of(text: &str, bytes: impl Iterator<Item = usize>) -> Utf16Offsets {
        let mut wanted: Vec<usize> = bytes.collect();
        wanted.sort_unstable();
        wanted.dedup();
        let (mut at, mut units) = (0, 0);
        let found = wanted
            .into_iter()
            .map(|byte| {
                let to = char_start(text, byte);
                units += text[at..to].encode_utf16().count();
                at = to;
                (byte, units)
            })
            .collect();
        Utf16Offsets(found)
    }

    /// The offset of a byte offset passed to [`of`](Self::of); another one
    /// is counted from the start.
    fn at(&self, text: &str, byte: usize) -> usize {
        match self.0.binary_search_by_key(&byte, |&(b, _)| b) {
            Ok(i) => self.0[i].1,
            Err(_) => utf16_offset(text, byte),
        }
    }
}

/// Relative to `cwd` when the path is inside it; always forward slashes.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path
    };
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// `1 problem`, `3 problems`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
