//! `--format pretty` (default): miette's graphical report for each problem,
//! then a summary line.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::{FileReport, Located, Report, plural};
use crate::diagnostic::Severity;

pub struct PrettyOptions {
    pub color: bool,
    pub width: usize,
}

/// One diagnostic, viewed through miette's trait.
struct View<'a> {
    located: &'a Located,
    source: NamedSource<Arc<str>>,
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
    for d in &file.diagnostics {
        let view = View {
            located: d,
            source: NamedSource::new(file.path.clone(), text.clone()).with_language("javascript"),
        };
        if handler.render_report(&mut out, &view).is_err() {
            // Rendering can only fail on a broken span: fall back to one line.
            out.push_str(&format!(
                "{}:{}:{}: {} {} [{}]\n",
                file.path,
                d.region.start.line,
                d.region.start.column,
                d.diag.severity.as_str(),
                d.diag.message,
                d.diag.rule
            ));
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
