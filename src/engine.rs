//! The per-file pipeline (read → parse → model, which resolves scopes in its
//! one traversal → rules → suppress)
//! and the parallel driver over many files.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes_str::BytesStr;
use rayon::prelude::*;

pub use crate::diagnostic::FileResult;
use crate::diagnostic::{Diagnostic, INTERNAL_ERROR, PARSE_ERROR, Severity};
use crate::model::{self, FileModel};
use crate::parse::{self, Dialect};
use crate::project::FileSummary;
use crate::rules::RuleContext;
pub use crate::rules::RuleSet;
use crate::settings::Settings;
use crate::{schedule, sfc, suppress};

/// Files larger than this are not read (generated bundles, data dumps).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Stack for each worker: deeply nested (but legal) code recurses deeply in
/// the parser and the visitor. Only touched pages are committed.
pub(crate) const WORKER_STACK_BYTES: usize = 512 * 1024 * 1024;

/// Lints one source text. `path` picks the dialect (by extension) and is
/// never read. Diagnostics are sorted by position, then rule.
pub fn lint_source(path: &Path, text: &str, rules: &RuleSet) -> Vec<Diagnostic> {
    lint_source_as(path, text, dialect_of(path), rules)
}

/// The dialect a file is linted as: by extension, and JavaScript for names
/// leaklint would not pick itself (files named explicitly).
fn dialect_of(path: &Path) -> Dialect {
    // `.d.ts` files are not walked into, but one named explicitly is TypeScript.
    let declaration = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".d.ts") || n.ends_with(".d.mts") || n.ends_with(".d.cts"));
    let fallback = if declaration {
        Dialect::Ts
    } else {
        Dialect::Js
    };
    Dialect::for_path(path).unwrap_or(fallback)
}

/// Like [`lint_source`], with an explicit dialect.
pub fn lint_source_as(
    path: &Path,
    text: &str,
    dialect: Dialect,
    rules: &RuleSet,
) -> Vec<Diagnostic> {
    lint_shared(
        path,
        BytesStr::from(parse::strip_bom(text).to_string()),
        dialect,
        rules,
    )
    .0
}

/// The pipeline on a text (without BOM) that swc's `SourceFile` shares
/// rather than copies.
/// Also returns what the file tells the others of the run (see
/// [`crate::project`]), `None` when its analysis did not complete.
fn lint_shared(
    path: &Path,
    text: BytesStr,
    dialect: Dialect,
    rules: &RuleSet,
) -> (Vec<Diagnostic>, Option<FileSummary>) {
    // Library callers (tests, benches, the fuzzer) may run on a small stack:
    // switch to one as large as a worker's unless this thread already has it.
    let outcome = stacker::maybe_grow(WORKER_STACK_BYTES / 2, WORKER_STACK_BYTES, || {
        ANALYSING.set(true);
        PANIC_LOCATION.set(None);
        let outcome = catch_unwind(AssertUnwindSafe(|| analyse(path, text, dialect, rules)));
        ANALYSING.set(false);
        outcome
    });
    let (mut diagnostics, summary) = outcome.unwrap_or_else(|panic| {
        let what = PANIC_LOCATION
            .take()
            .unwrap_or_else(|| panic_message(&*panic));
        let fatal = Diagnostic::fatal(
            INTERNAL_ERROR,
            0..0,
            format!("internal error while analysing this file ({what}); please report it"),
        );
        (vec![fatal], None)
    });
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.rule, &a.message).cmp(&(b.span.start, b.rule, &b.message))
    });
    (diagnostics, summary)
}

thread_local! {
    /// Set while this thread analyses one file: a panic there is caught and
    /// reported as that file's `internal-error`.
    static ANALYSING: Cell<bool> = const { Cell::new(false) };
    /// What the panic hook saw of the last caught panic (message and location).
    static PANIC_LOCATION: Cell<Option<String>> = const { Cell::new(None) };
}

/// The first line of a panic's message (assertions continue with `left: …`).
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic");
    text.lines().next().unwrap_or_default().to_string()
}

/// Installs a panic hook that keeps panics inside one file's analysis off
/// stderr: their message and location go into the file's `internal-error`
/// diagnostic instead (one line per file, not a banner per panic). Panics
/// anywhere else still reach the previous hook.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if ANALYSING.get() {
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            PANIC_LOCATION.set(Some(format!("{}{at}", panic_message(info.payload()))));
        } else {
            previous(info);
        }
    }));
}

fn analyse(
    path: &Path,
    text: BytesStr,
    dialect: Dialect,
    rules: &RuleSet,
) -> (Vec<Diagnostic>, Option<FileSummary>) {
    // A test or a benchmark runs once per invocation: whatever
    // its findings say about running for weeks is an assumption there.
    let run_once = crate::file_role::run_once_role(path)
        .map(|(role, marker)| crate::file_role::assumption(role, &marker));
    let outcome = with_model(path, text, dialect, &rules.settings, |model, directives| {
        let mut found = Vec::new();
        for (rule, severity) in &rules.rules {
            let mut cx = RuleContext::new(rule, model);
            (rule.check)(&mut cx);
            if let Some(why) = &run_once {
                cx.assume_for_every_finding(why);
            }
            found.extend(cx.finish(*severity));
        }
        // Cross-file hook: what this file tells the others (see project.rs).
        let summary = crate::project::summarize(model, &found);
        (
            rules.shown(directives.apply(model.source, found, rules)),
            Some(summary),
        )
    });
    outcome.unwrap_or_else(|fatal| (vec![fatal], None))
}

/// Parses `text` and builds its model (which resolves scopes in the same
/// traversal), then hands the model and the file's suppression directives to
/// `f`. No swc hygiene state is involved: nothing needs `GLOBALS`. Component
/// files (`.vue`, `.svelte`, `.astro`) are parsed through their script blocks,
/// at their own offsets. `Err` is the file's fatal parse problem.
///
/// Memory: the text is shared with swc, not copied, and the AST and comments
/// are dropped as soon as the model is built (it refers to neither), so the
/// rules run beside the model and the text alone.
#[allow(clippy::result_large_err)] // the error is the one fatal diagnostic of the file
fn with_model<R>(
    path: &Path,
    text: BytesStr,
    dialect: Dialect,
    settings: &Arc<Settings>,
    f: impl FnOnce(&FileModel, suppress::Directives) -> R,
) -> Result<R, Diagnostic> {
    let (code, dialect, instance_scopes) = match dialect {
        Dialect::Component(kind) => {
            let masked = sfc::mask(&text, kind);
            let scopes = masked.per_instance_ranges();
            (BytesStr::from(masked.text), masked.dialect, Some(scopes))
        }
        _ => (text.clone(), dialect, None),
    };
    let want_comments = suppress::may_have_directives(&code);
    let parse::Parsed {
        program,
        comments,
        file,
    } = parse::parse_shared(path, code, dialect, want_comments)?;
    let start = file.start_pos.0;
    let directives = match &comments {
        Some(c) => suppress::Directives::from_comments(c, start, &file.src),
        None => suppress::Directives::default(),
    };
    drop(comments);
    let mut model = model::build(&program, start, &text, dialect.is_typescript());
    drop(program);
    if let Some(scopes) = instance_scopes {
        model.instance_scopes = scopes;
    }
    model.settings = settings.clone();
    Ok(f(&model, directives))
}

/// Runs `f` on the model of `src` (for unit tests of the model and scope index).
pub fn with_model_for_test(src: &str, dialect: Dialect, f: impl FnOnce(&FileModel)) {
    with_settings_for_test(src, dialect, &Settings::default(), f)
}

/// [`with_model_for_test`] with the project's `settings`.
pub fn with_settings_for_test(
    src: &str,
    dialect: Dialect,
    settings: &Settings,
    f: impl FnOnce(&FileModel),
) {
    with_model(
        Path::new("test.ts"),
        BytesStr::from(src.to_string()),
        dialect,
        &Arc::new(settings.clone()),
        |model, _| f(model),
    )
    .unwrap_or_else(|d| panic!("test source does not parse: {}", d.message));
}

/// [`lint_file`], with what the file tells the others of the run (see
/// [`crate::project`]).
pub(crate) fn lint_file_summarized(
    path: &Path,
    rules: &RuleSet,
) -> (FileResult, Option<FileSummary>) {
    match read_bytes(path) {
        Ok(bytes) => lint_bytes_summarized(path, bytes, rules),
        Err(e) => (
            FileResult {
                path: path.to_path_buf(),
                source: None,
                diagnostics: Vec::new(),
                error: Some(e),
            },
            None,
        ),
    }
}

/// Lints the bytes of the file at `path` (already read), with the file's
/// cross-file summary.
pub(crate) fn lint_bytes_summarized(
    path: &Path,
    bytes: Vec<u8>,
    rules: &RuleSet,
) -> (FileResult, Option<FileSummary>) {
    let mut result = FileResult {
        path: path.to_path_buf(),
        source: None,
        diagnostics: Vec::new(),
        error: None,
    };
    let (text, note) = match decode_lossy(bytes) {
        Ok(t) => t,
        Err(problem) => {
            result.diagnostics.push(problem);
            return (result, None);
        }
    };
    let mut text = BytesStr::from(text);
    let mut bom = 0;
    if text.starts_with('\u{feff}') {
        bom = '\u{feff}'.len_utf8();
        text.advance(bom);
    }
    let (mut diagnostics, summary) = lint_shared(path, text.clone(), dialect_of(path), rules);
    if let Some(mut note) = note {
        // The note's offset is into the text with its BOM.
        let at = note.span.start.saturating_sub(bom);
        note.span = at..at;
        let first_after = diagnostics.partition_point(|d| d.span.start <= at);
        diagnostics.insert(first_after, note);
    }
    if !diagnostics.is_empty() {
        // Only files with problems keep their text, for the report.
        result.source = Some(Arc::from(text.as_str()));
    }
    result.diagnostics = diagnostics;
    (result, summary.filter(|s| !s.is_empty()))
}

/// Reads and lints one file. Never panics, never blocks on special files.
pub fn lint_file(path: &Path, rules: &RuleSet) -> FileResult {
    lint_file_summarized(path, rules).0
}

/// Reads a file as UTF-8 source. `Err` is an I/O problem (a one-line
/// message); `Ok(Err)` is content that is not JavaScript text (binary),
/// reported as a fatal problem of the file. Invalid UTF-8 is decoded
/// lossily (see [`decode_lossy`]) with a warning-level note.
#[allow(clippy::result_large_err)]
#[allow(clippy::type_complexity)]
pub fn read_source(
    path: &Path,
) -> Result<Result<(String, Option<Diagnostic>), Diagnostic>, String> {
    Ok(decode_lossy(read_bytes(path)?))
}

/// The bytes of a regular file of at most [`MAX_FILE_BYTES`]; `Err` is a
/// one-line reason.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| io_message(&e))?;
    if !meta.is_file() {
        return Err(if meta.is_dir() {
            "is a directory".into()
        } else {
            "not a regular file (FIFO, socket or device); skipped".into()
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "file is too large ({} MiB, the limit is {} MiB); skipped",
            meta.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    std::fs::read(path).map_err(|e| io_message(&e))
}

/// Bytes to text for linting: binary content is a fatal problem, but a file
/// with a stray invalid byte (a Latin-1 `é` in a comment) is still
/// JavaScript: each invalid sequence is read as U+FFFD and the file is
/// linted, with a warning-level `parse-error` note at the first invalid
/// byte (a real line and column). `--fix` reads strictly ([`decode`]) and
/// never writes such a file back.
#[allow(clippy::result_large_err)]
pub fn decode_lossy(bytes: Vec<u8>) -> Result<(String, Option<Diagnostic>), Diagnostic> {
    reject_binary(&bytes)?;
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Ok((text, None)),
        Err(e) => e.into_bytes(),
    };
    let at = bytes.utf8_chunks().next().map_or(0, |c| c.valid().len());
    let invalid = bytes
        .utf8_chunks()
        .filter(|c| !c.invalid().is_empty())
        .count();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let what = if invalid == 1 {
        "one invalid byte sequence".to_string()
    } else {
        format!("{invalid} invalid byte sequences; the first")
    };
    let mut note = Diagnostic::new(
        PARSE_ERROR,
        at..at,
        format!(
            "file is not valid UTF-8 ({what} at byte offset {at}); each was read as U+FFFD and the file was linted"
        ),
    )
    .with_label("invalid UTF-8")
    .with_help("save the file as UTF-8; `--fix` leaves files that are not valid UTF-8 alone");
    note.severity = Severity::Warning;
    Ok((text, Some(note)))
}

/// Binary content (a NUL byte near the start) is not source text.
#[allow(clippy::result_large_err)]
fn reject_binary(bytes: &[u8]) -> Result<(), Diagnostic> {
    let probe = &bytes[..bytes.len().min(8192)];
    // `contains` on bytes is memchr; `position` alone went byte by byte and
    // cost 2% of a run's instructions.
    if let Some(at) = probe
        .contains(&0)
        .then(|| probe.iter().position(|&b| b == 0))
        .flatten()
    {
        return Err(Diagnostic::fatal(
            PARSE_ERROR,
            0..0,
            format!("binary file (NUL byte at offset {at}); not analysed"),
        ));
    }
    Ok(())
}

/// Bytes to text: binary content and invalid UTF-8 are fatal problems.
// A fatal diagnostic is the natural error here; it is built once per bad file.
#[allow(clippy::result_large_err)]
pub fn decode(bytes: Vec<u8>) -> Result<String, Diagnostic> {
    reject_binary(&bytes)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Diagnostic::fatal(
            PARSE_ERROR,
            at..at,
            format!("file is not valid UTF-8 (invalid byte at offset {at}); not analysed"),
        )
    })
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Lints many files on `threads` workers, large ones first and within the
/// memory budget of [`crate::schedule`]. Results come back in input order,
/// so output is identical whatever the thread count.
pub fn lint_files(paths: &[PathBuf], rules: &RuleSet, threads: usize) -> Vec<FileResult> {
    let size_of = |i: usize| schedule::file_size(&paths[i]);
    let linted = schedule::run(paths.len(), size_of, threads, WORKER_STACK_BYTES, |i| {
        lint_file_summarized(&paths[i], rules)
    });
    crate::project::join(linted)
}

/// Runs `f` on every item on `threads` workers with the engine's deep
/// stacks (fixing and stdin lint through the same parser). Results come back
/// in input order.
pub fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .stack_size(WORKER_STACK_BYTES)
        .build();
    match pool {
        Ok(pool) => pool.install(|| items.par_iter().map(&f).collect()),
        Err(_) => items.iter().map(f).collect(),
    }
}

/// Lints files that each have their own rules (resolved from config files),
/// scheduled as [`lint_files`].
pub fn lint_jobs(jobs: &[(PathBuf, Arc<RuleSet>)], threads: usize) -> Vec<FileResult> {
    let size_of = |i: usize| schedule::file_size(&jobs[i].0);
    let linted = schedule::run(jobs.len(), size_of, threads, WORKER_STACK_BYTES, |i| {
        let (path, rules) = &jobs[i];
        lint_file_summarized(path, rules)
    });
    crate::project::join(linted)
}
