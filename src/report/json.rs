//! `--format json`: ESLint's `LintResult[]`, so every tool that reads ESLint
//! JSON reads leaklint. leaklint adds `help` and `labels` to each message.

use serde_json::{Value, json};

use super::{FileReport, Located, Report};
use crate::diagnostic::{Applicability, Severity};

pub fn render(report: &Report) -> String {
    let results: Vec<Value> = report.files.iter().map(file).collect();
    let mut out = serde_json::to_string(&results).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    out
}

fn file(f: &FileReport) -> Value {
    let text = f.source.as_deref().unwrap_or("");
    let count = |sev: Severity, fixable: bool| {
        f.diagnostics
            .iter()
            .filter(|d| d.diag.severity == sev)
            .filter(|d| !fixable || is_safe_fix(d))
            .count()
    };
    json!({
        "filePath": f.abs_path.to_string_lossy(),
        "messages": f.diagnostics.iter().map(|d| message(d, text)).collect::<Vec<_>>(),
        "suppressedMessages": [],
        "errorCount": count(Severity::Error, false),
        "fatalErrorCount": f.diagnostics.iter().filter(|d| d.diag.fatal).count(),
        "warningCount": count(Severity::Warning, false),
        "fixableErrorCount": count(Severity::Error, true),
        "fixableWarningCount": count(Severity::Warning, true),
        "usedDeprecatedRules": [],
    })
}

fn is_safe_fix(d: &Located) -> bool {
    d.diag
        .fix
        .as_ref()
        .is_some_and(|f| f.applicability == Applicability::Safe)
}

/// ESLint's fix is one range: several edits merge into one replacement.
fn eslint_fix(d: &Located, text: &str) -> Option<Value> {
    let fix = d.diag.fix.as_ref()?;
    let first = fix.edits.iter().map(|e| e.range.start).min()?;
    let last = fix.edits.iter().map(|e| e.range.end).max()?;
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|e| e.range.start);
    let mut replacement = String::new();
    let mut at = first;
    for e in edits {
        replacement.push_str(text.get(at..e.range.start).unwrap_or(""));
        replacement.push_str(&e.text);
        at = e.range.end;
    }
    let start = super::utf16_offset(text, first);
    let end = super::utf16_offset(text, last);
    Some(json!({ "range": [start, end], "text": replacement }))
}

fn message(d: &Located, text: &str) -> Value {
    let mut m = json!({
        "ruleId": if d.diag.fatal { Value::Null } else { Value::from(d.diag.rule) },
        "severity": d.diag.severity.eslint_level(),
        "message": d.diag.message,
        "line": d.region.start.line,
        "column": d.region.start.column,
        "endLine": d.region.end.line,
        "endColumn": d.region.end.column,
    });
    let obj = m.as_object_mut().expect("object literal");
    if d.diag.fatal {
        obj.insert("fatal".into(), Value::Bool(true));
    }
    if let (Some(fix), Some(text)) = (&d.diag.fix, eslint_fix(d, text)) {
        if fix.applicability == Applicability::Safe {
            obj.insert("fix".into(), text.clone());
            obj.insert("suggestions".into(), json!([]));
        } else {
            obj.insert(
                "suggestions".into(),
                json!([{ "desc": fix.title, "fix": text }]),
            );
        }
    }
    if let Some(help) = &d.diag.help {
        obj.insert("help".into(), Value::from(help.as_str()));
    }
    obj.insert(
        "labels".into(),
        d.diag
            .labels
            .iter()
            .zip(&d.label_regions)
            .map(|(l, r)| {
                json!({
                    "message": l.message,
                    "line": r.start.line,
                    "column": r.start.column,
                    "endLine": r.end.line,
                    "endColumn": r.end.column,
                })
            })
            .collect::<Vec<_>>()
            .into(),
    );
    m
}
