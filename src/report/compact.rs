//! `--format compact`: one line per problem, easy to grep and to match with a
//! problem matcher or an editor's error format:
//!
//! ```text
//! src/cache.js:12:5: error unbounded cache grows forever [unbounded-cache]
//! ```
//!
//! Paths are as the user sees them (relative to the working directory); a
//! message spanning lines is kept on one line.

use super::{Located, Report};

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for file in &report.files {
        for d in &file.diagnostics {
            out.push_str(&line(&file.path, d));
        }
    }
    out
}

/// One problem as one line, newline included.
pub fn line(path: &str, d: &Located) -> String {
    format!(
        "{}:{}:{}: {} {} [{}]\n",
        path,
        d.region.start.line,
        d.region.start.column,
        d.diag.severity.as_str(),
        one_line(&d.diag.message),
        d.diag.rule,
    )
}

/// Line breaks would split one problem into several lines of output.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
