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
        let primary = LabeledSpan::new_primary_with_span(d.label.clone(), span(&d.span));
        let related = d
            .labels
            .iter()
            .map(|l| LabeledSpan::new_with_span(Some(l.message.clone()), span(&l.span)));
        Some(Box::new(std::iter::once(primary).chain(related)))
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
            source: source.clone(),
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
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let total = errors + warnings;
    let elapsed = report.elapsed.as_millis();
    let linted = plural(report.files_linted, "file");
    if total == 0 {
        format!("✔ no problems · {linted} linted in {elapsed}ms\n")
    } else {
        format!(
            "✖ {} ({}, {}) in {} · {linted} linted in {elapsed}ms\n",
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
}

impl WindowedSource {
    fn new(name: String, text: Arc<str>) -> Self {
        let line_starts = Arc::from(crate::position::LineIndex::new(&text).line_starts());
        WindowedSource {
            name,
            text,
            line_starts,
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
            // miette counts bytes here; report UTF-16 units like every other format.
            let line_start = self.line_starts[self.line_of(start)];
            self.text[line_start..start].encode_utf16().count()
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
