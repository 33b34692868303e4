//! `--format github`: GitHub Actions workflow commands, which the runner turns
//! into annotations on the pull request.
//!
//! ```text
//! ::error file=src/a.js,line=3,endLine=3,col=1,endColumn=9,title=leaklint(rule)::src/a.js:3:1: message
//! ```
//!
//! - Paths are relative to the repository root: the runner passes relative
//!   paths through unchanged and GitHub resolves them from the root, so a
//!   cwd-relative path would be wrong when leaklint runs in a subdirectory.
//! - `col`/`endColumn` are sent only for single-line spans; the runner drops
//!   them otherwise.
//! - GitHub annotates only the first 10 errors and 10 warnings of a step, so
//!   errors come first and a closing notice counts what was not annotated.

use std::cmp::Reverse;

use super::repo::RepoRoot;
use super::{Located, Report};
use crate::diagnostic::Severity;

/// Annotations the runner creates per severity and step (`_maxCountPerIssueType`).
pub const ANNOTATIONS_PER_SEVERITY: usize = 10;

pub fn render(report: &Report, root: &RepoRoot) -> String {
    let mut items: Vec<(String, &Located)> = report
        .files
        .iter()
        .flat_map(|f| {
            let path = root.shown(f);
            f.diagnostics.iter().map(move |d| (path.clone(), d))
        })
        .collect();
    // Stable: within a severity, files keep their order and findings theirs.
    items.sort_by_key(|(_, d)| Reverse(d.diag.severity));

    let mut out = String::new();
    for (path, d) in &items {
        out.push_str(&command(path, d));
        out.push('\n');
    }
    if let Some(notice) = overflow_notice(report) {
        out.push_str(&notice);
        out.push('\n');
    }
    out
}

fn command(path: &str, d: &Located) -> String {
    let start = d.region.start;
    let end = d.region.end;
    let mut props = vec![
        ("file", path.to_string()),
        ("line", start.line.to_string()),
        ("endLine", end.line.to_string()),
    ];
    if start.line == end.line {
        props.push(("col", start.column.to_string()));
        props.push(("endColumn", end.column.to_string()));
    }
    props.push(("title", format!("leaklint({})", d.diag.rule)));
    let props: Vec<String> = props
        .into_iter()
        .map(|(k, v)| format!("{k}={}", escape_property(&v)))
        .collect();

    // The message repeats the location: the raw log shows only the message.
    let mut message = format!("{path}:{}:{}: {}", start.line, start.column, d.diag.message);
    if let Some(help) = &d.diag.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{} {}::{}",
        level(d.diag.severity),
        props.join(","),
        escape_data(&message)
    )
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `::notice` for the problems beyond GitHub's per-step annotation limit.
fn overflow_notice(report: &Report) -> Option<String> {
    let hidden = |sev| report.count(sev).saturating_sub(ANNOTATIONS_PER_SEVERITY);
    let (errors, warnings) = (hidden(Severity::Error), hidden(Severity::Warning));
    let parts: Vec<String> = [(errors, "error"), (warnings, "warning")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| more(n, word))
        .collect();
    if parts.is_empty() {
        return None;
    }
    let message = format!(
        "{} than GitHub annotates (the first {ANNOTATIONS_PER_SEVERITY} errors and {ANNOTATIONS_PER_SEVERITY} warnings of a step) are listed in this log only; upload the SARIF report to see every finding in code scanning",
        parts.join(" and ")
    );
    Some(format!(
        "::notice title=leaklint::{}",
        escape_data(&message)
    ))
}

/// `1 more error`, `3 more warnings`.
fn more(n: usize, word: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{n} more {word}{s}")
}

/// Escapes a command's data (the message): `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    // `%` first, or the escapes themselves would be escaped again.
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: the data escapes plus `:` and `,`, which
/// separate the command's properties.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_percent_first() {
        assert_eq!(escape_data("100%\r\n"), "100%25%0D%0A");
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
