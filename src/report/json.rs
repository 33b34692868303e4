//! `--format json`: ESLint's `LintResult[]`, so every tool that reads ESLint
//! JSON reads leaklint. leaklint adds `help`, `labels`, `confidence` and
//! `evidence` to each message. Findings hidden by the suppressions file are
//! in `suppressedMessages`, each with ESLint's
//! `suppressions: [{ "kind": "file", "justification": "" }]`.
//!
//! The output is streamed: borrowed structs serialised straight to the writer,
//! no `serde_json::Value` tree per file (the corpus has 18,738 results). Fields
//! are declared in alphabetical order, the order the format has always had
//! (it was a `Value` map, which sorts its keys): keep new fields in place.

use std::io::Write;

use serde::{Serialize, Serializer};

use super::{FileReport, Located, Report};
use crate::diagnostic::{Applicability, Severity};

/// The whole report as a string (tests, the fuzzer).
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Writes the report, then a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &Files(&report.files))?;
    out.write_all(b"\n")
}

/// The array of results, serialised one file at a time.
struct Files<'a>(&'a [FileReport]);

impl Serialize for Files<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(File::of))
    }
}

/// One file's messages, serialised one at a time.
struct Messages<'a> {
    located: &'a [Located],
    text: &'a str,
    /// `suppressedMessages`: each says how it was suppressed.
    suppressed: bool,
}

impl Serialize for Messages<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.located.iter().map(|d| {
            let mut m = Message::of(d, self.text);
            if self.suppressed {
                m.suppressions = Some(&[BY_FILE]);
            }
            m
        }))
    }
}

/// Always `[]`: leaklint reports no deprecated rules.
#[derive(Serialize)]
struct Empty([(); 0]);

/// ESLint's record of a suppression; `kind: "file"` is a bulk suppression.
/// (Findings suppressed by a comment are dropped, not listed: see
/// docs/suppressions.md.)
#[derive(Serialize)]
struct SuppressionOut {
    justification: &'static str,
    kind: &'static str,
}

const BY_FILE: SuppressionOut = SuppressionOut {
    justification: "",
    kind: "file",
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct File<'a> {
    error_count: usize,
    fatal_error_count: usize,
    file_path: std::borrow::Cow<'a, str>,
    fixable_error_count: usize,
    fixable_warning_count: usize,
    messages: Messages<'a>,
    suppressed_messages: Messages<'a>,
    used_deprecated_rules: Empty,
    warning_count: usize,
}

impl<'a> File<'a> {
    fn of(f: &'a FileReport) -> File<'a> {
        let count = |sev: Severity, fixable: bool| {
            f.diagnostics
                .iter()
                .filter(|d| d.diag.severity == sev)
                .filter(|d| !fixable || is_safe_fix(d))
                .count()
        };
        File {
            error_count: count(Severity::Error, false),
            fatal_error_count: f.diagnostics.iter().filter(|d| d.diag.fatal).count(),
            file_path: f.abs_path.to_string_lossy(),
            fixable_error_count: count(Severity::Error, true),
            fixable_warning_count: count(Severity::Warning, true),
            messages: Messages {
                located: &f.diagnostics,
                text: f.source.as_deref().unwrap_or(""),
                suppressed: false,
            },
            suppressed_messages: Messages {
                located: &f.suppressed,
                text: f.source.as_deref().unwrap_or(""),
                suppressed: true,
            },
            used_deprecated_rules: Empty([]),
            warning_count: count(Severity::Warning, false),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Message<'a> {
    column: usize,
    /// `high` or `medium` (see docs/confidence.md).
    confidence: &'static str,
    end_column: usize,
    end_line: usize,
    /// The facts that decided the confidence.
    evidence: &'a [String],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    fatal: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<EslintFix<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    labels: Vec<LabelOut<'a>>,
    line: usize,
    message: &'a str,
    /// `null` for a fatal problem, as in ESLint.
    rule_id: Option<&'a str>,
    severity: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    suggestions: Option<Vec<Suggestion<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<&'static [SuppressionOut]>,
}

#[derive(Serialize)]
struct EslintFix<'a> {
    range: [usize; 2],
    text: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
struct Suggestion<'a> {
    desc: &'a str,
    fix: EslintFix<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LabelOut<'a> {
    column: usize,
    end_column: usize,
    end_line: usize,
    line: usize,
    message: &'a str,
}

impl<'a> Message<'a> {
    fn of(d: &'a Located, text: &'a str) -> Message<'a> {
        let (mut fix, mut suggestions) = (None, None);
        if let (Some(f), Some(eslint)) = (&d.diag.fix, eslint_fix(d, text)) {
            if f.applicability == Applicability::Safe {
                fix = Some(eslint);
                suggestions = Some(Vec::new());
            } else {
                suggestions = Some(vec![Suggestion {
                    desc: &f.title,
                    fix: eslint,
                }]);
            }
        }
        Message {
            column: d.region.start.column,
            confidence: d.diag.confidence.as_str(),
            end_column: d.region.end.column,
            end_line: d.region.end.line,
            evidence: &d.diag.evidence,
            fatal: d.diag.fatal,
            fix,
            help: d.diag.help.as_deref(),
            labels: d
                .diag
                .labels
                .iter()
                .zip(&d.label_regions)
                .map(|(l, r)| LabelOut {
                    column: r.start.column,
                    end_column: r.end.column,
                    end_line: r.end.line,
                    line: r.start.line,
                    message: &l.message,
                })
                .collect(),
            line: d.region.start.line,
            message: &d.diag.message,
            rule_id: (!d.diag.fatal).then_some(d.diag.rule),
            severity: d.diag.severity.eslint_level(),
            suggestions,
            suppressions: None,
        }
    }
}

fn is_safe_fix(d: &Located) -> bool {
    d.diag
        .fix
        .as_ref()
        .is_some_and(|f| f.applicability == Applicability::Safe)
}

/// ESLint's fix is one range: several edits merge into one replacement.
fn eslint_fix<'a>(d: &'a Located, text: &'a str) -> Option<EslintFix<'a>> {
    let fix = d.diag.fix.as_ref()?;
    let first = fix.edits.iter().map(|e| e.range.start).min()?;
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|e| e.range.start);
    let mut replacement = String::new();
    let mut at = first;
    for e in edits {
        replacement.push_str(text.get(at..e.range.start).unwrap_or(""));
        replacement.push_str(&e.text);
        at = e.range.end;
    }
    // The edits' offsets in UTF-16 units were found once per file.
    let start = d.fix_ranges_utf16.iter().map(|r| r.start).min()?;
    let end = d.fix_ranges_utf16.iter().map(|r| r.end).max()?;
    Some(EslintFix {
        range: [start, end],
        text: replacement.into(),
    })
}
