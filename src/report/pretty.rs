//! `--format pretty` (default): miette's graphical report for each problem,
//! then a summary line.

use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{FileReport, Located, Report, plural};
use crate::diagnostic::Severity;

pub struct PrettyOptions {
    pub color: bool,
    pub width: usize,
}

/// One diagnostic, viewed through miette's trait.
struct View<'a> {
    located: &'a Located,
    source: WindowedSource,
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.located.diag.message)
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.located.diag.message)
    }
}

impl std::error::Error for View<'_> {}

fn span(r: &std::ops::Range<usize>) -> SourceSpan {
    SourceSpan::new(r.start.into(), r.end.saturating_sub(r.start))
}

impl miette::Diagnostic for View<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.located.diag.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.located.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let d = &self.located.diag;
        let fix = d.fix.as_ref().map(|f| {
            let how = match f.applicability {
                crate::diagnostic::Applicability::Safe => "--fix",
                crate::diagnostic::Applicability::Unsafe => "--fix-unsafe",
            };
            format!("fix available ({how}): {}", f.title)
        });
        match (&d.help, fix) {
            (Some(h), Some(f)) => Some(Box::new(format!("{h}\n{f}"))),
            (Some(h), None) => Some(Box::new(h.clone())),
            (None, Some(f)) => Some(Box::new(f)),
            (None, None) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = &self.located.diag;
        let mut spans: Vec<std::ops::Range<usize>> = std::iter::once(d.span.clone())
            .chain(d.labels.iter().map(|l| l.span.clone()))
            .collect();
        drawable(&mut spans, &self.source.text);
        let primary = LabeledSpan::new_primary_with_span(d.label.clone(), span(&spans[0]));
        let related: Vec<LabeledSpan> = d
            .labels
            .iter()
            .zip(&spans[1..])
            .map(|(l, s)| LabeledSpan::new_with_span(Some(l.message.clone()), span(s)))
            .collect();
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// Makes labels on one line disjoint, so that miette can draw each arrow
/// under its own text. miette draws the labels of a line left to right and
/// starts each at or after the end of the previous one, so a label inside
/// another (`window` inside `window.addEventListener(…)`) would be drawn
/// after it, its arrow under the closing `)`. Here the inner label keeps its
/// span and the outer one is cut to the part before it (or, when both start
/// together, after it). Labels on different lines are left alone. The
/// primary label's reported position is unaffected: the header is computed
/// from the diagnostic's own span (`WindowedSource::header_start`).
fn drawable(spans: &mut [std::ops::Range<usize>], text: &str) {
    let single_line =
        |r: &std::ops::Range<usize>| text.get(r.clone()).is_some_and(|t| !t.contains('\n'));
    let mut order: Vec<usize> = (0..spans.len())
        .filter(|&i| single_line(&spans[i]))
        .collect();
    order.sort_by_key(|&i| (spans[i].start, spans[i].end));
    let mut placed: Vec<usize> = Vec::new();
    for i in order {
        let cur = spans[i].clone();
        // The placed label this one overlaps, on the same line.
        let over = placed.iter().copied().find(|&p| {
            let p = &spans[p];
            p.start < cur.end.max(cur.start + 1)
                && cur.start < p.end
                && single_line(&(p.start.min(cur.start)..p.end.max(cur.end)))
        });
        if let Some(p) = over {
            let prev = spans[p].clone();
            if cur.end > prev.end {
                spans[i].start = prev.end;
            } else if cur.start > prev.start {
                spans[p].end = cur.start;
            } else {
                spans[p].start = cur.end;
            }
        }
        placed.push(i);
    }
}

pub fn handler(options: &PrettyOptions) -> GraphicalReportHandler {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
        .with_urls(false)
}

/// Renders every problem of one file.
pub fn render_file(file: &FileReport, handler: &GraphicalReportHandler) -> String {
    let mut out = String::new();
    let text: Arc<str> = file.source.clone().unwrap_or_else(|| Arc::from(""));
    let source = WindowedSource::new(file.path.clone(), text);
    for d in &file.diagnostics {
        let view = View {
            located: d,
            source: source.with_header_start(d.diag.span.start),
        };
        if handler.render_report(&mut out, &view).is_err() {
            // Rendering can only fail on a broken span: fall back to one line.
            out.push_str(&super::compact::line(&file.path, d));
        }
        out.push('\n');
    }
    out
}

pub fn render(report: &Report, options: &PrettyOptions) -> String {
    let handler = handler(options);
    let mut out = String::new();
    for f in &report.files {
        out.push_str(&render_file(f, &handler));
    }
    out
}

/// `✖ 3 problems (2 errors, 1 warning) in 2 files · 41 files linted in 12ms`
pub fn summary(report: &Report) -> String {
    summary_with_unreadable(report, 0)
}

/// [`summary`], for a run where `unreadable` paths could not be read (a
/// missing path, a permission error): never "no problems" then, since the
/// run exits with 2.
pub fn summary_with_unreadable(report: &Report, unreadable: usize) -> String {
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let total = errors + warnings;
    let elapsed = report.elapsed.as_millis();
    let linted = plural(report.files_linted, "file");
    let unread = if unreadable > 0 {
        format!(
            "{} could not be read · ",
            if unreadable == 1 {
                "1 path".to_string()
            } else {
                format!("{unreadable} paths")
            }
        )
    } else {
        String::new()
    };
    // Hidden by the suppressions file: said, so that nobody takes the run
    // for a clean code base.
    let suppressed = match report.suppressed() {
        0 => String::new(),
        n => format!("{n} suppressed · "),
    };
    if total == 0 && unreadable == 0 {
        format!("✔ no problems · {suppressed}{linted} linted in {elapsed}ms\n")
    } else if total == 0 {
        format!("✖ {unread}{suppressed}{linted} linted in {elapsed}ms\n")
    } else {
        format!(
            "✖ {} ({}, {}) in {} · {unread}{suppressed}{linted} linted in {elapsed}ms\n",
            plural(total, "problem"),
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(report.files_with_problems(), "file"),
        )
    }
}

/// The source of one file as miette reads it, with two differences from
/// miette's own `str` source: a span is looked up through a line index and
/// only the lines around it are scanned (miette scans from the start of the
/// file for every span, which is quadratic on large files with many
/// findings), and the column in the `[file:line:col]` header counts UTF-16
/// code units, as every other output format does.
#[derive(Clone)]
struct WindowedSource {
    name: String,
    text: Arc<str>,
    line_starts: Arc<[usize]>,
    /// Where the diagnostic starts, for the `[file:line:col]` header.
    header_start: Option<usize>,
}

impl WindowedSource {
    fn new(name: String, text: Arc<str>) -> Self {
        let line_starts = Arc::from(crate::position::LineIndex::new(&text).line_starts());
        WindowedSource {
            name,
            text,
            line_starts,
            header_start: None,
        }
    }

    fn with_header_start(&self, at: usize) -> Self {
        WindowedSource {
            header_start: Some(at),
            ..self.clone()
        }
    }

    /// 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }
}

impl SourceCode for WindowedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset().min(self.text.len());
        let end = (span.offset() + span.len()).min(self.text.len());
        // A window of whole lines, one more on each side than miette asks
        // for, so that its own scan sees the same line breaks it would see
        // in the whole text.
        let first_line = self.line_of(start).saturating_sub(before + 1);
        let last_line = self.line_of(end) + after + 2;
        let window_start = self.line_starts[first_line];
        let window_end = self
            .line_starts
            .get(last_line)
            .copied()
            .unwrap_or(self.text.len());
        let window = &self.text[window_start..window_end];
        let local = SourceSpan::new((start - window_start).into(), end - start);
        let inner = window.read_span(&local, before, after)?;
        let data = inner.data();
        let offset = inner.span().offset() + window_start;
        let column = if before == 0 {
            // The header: miette counts bytes here; report UTF-16 units like
            // every other format, at the diagnostic's own start (its drawn
            // span may have been cut, see `drawable`).
            let at = match self.header_start {
                Some(h) if self.line_of(h) == self.line_of(start) => h,
                _ => start,
            };
            let line_start = self.line_starts[self.line_of(at)];
            self.text[line_start..at].encode_utf16().count()
        } else {
            inner.column()
        };
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                data,
                SourceSpan::new(offset.into(), data.len()),
                inner.line() + first_line,
                column,
                // miette's own sources count lines from the start of the file
                // here, and its grouping of nearby labels depends on that.
                inner.line_count() + first_line,
            )
            .with_language("javascript"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::drawable;

    #[test]
    fn a_label_inside_another_keeps_its_place_and_the_outer_one_is_cut() {
        let text = "    window.addEventListener('resize', onResize)\n";
        // Primary: the call; label: `window` at the same start.
        let mut spans = vec![4..47, 4..10];
        drawable(&mut spans, text);
        assert_eq!(spans, vec![10..47, 4..10]);
        // A label in the middle: the outer one ends before it.
        let mut spans = vec![4..47, 28..36];
        drawable(&mut spans, text);
        assert_eq!(spans, vec![4..28, 28..36]);
        // Partial overlap: the later one starts where the first ends.
        let mut spans = vec![4..20, 10..30];
        drawable(&mut spans, text);
        assert_eq!(spans, vec![4..20, 20..30]);
    }

    #[test]
    fn labels_on_other_lines_are_left_alone() {
        let text = "a\nbb\nccc\n";
        let mut spans = vec![2..4, 0..1, 5..8];
        drawable(&mut spans, text);
        assert_eq!(spans, vec![2..4, 0..1, 5..8]);
    }
}
