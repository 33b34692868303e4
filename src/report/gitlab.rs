//! `--format gitlab`: a GitLab Code Quality report (a JSON array, no BOM),
//! shown in the merge-request widget and the diff.
//!
//! Severity mapping (GitLab knows info, minor, major, critical, blocker):
//! a file that could not be analysed (`fatal`, e.g. `parse-error`) is
//! `critical`, an error-level finding `major`, a warning `minor`.
//! The fingerprint ([`super::repo::fingerprints`]) ignores line numbers, so
//! GitLab does not report a finding as fixed and new again when code above it
//! moves.

use serde_json::{Value, json};

use super::repo::{RepoRoot, fingerprints};
use super::{Located, Report};
use crate::diagnostic::Severity;

pub fn render(report: &Report, root: &RepoRoot) -> String {
    let mut issues = Vec::new();
    for file in &report.files {
        let path = root.shown(file);
        let prints = fingerprints(file, &path);
        for (d, fingerprint) in file.diagnostics.iter().zip(prints) {
            issues.push(issue(d, &path, fingerprint));
        }
    }
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    out
}

fn issue(d: &Located, path: &str, fingerprint: String) -> Value {
    json!({
        "description": d.diag.message,
        "check_name": format!("leaklint/{}", d.diag.rule),
        "fingerprint": fingerprint,
        "severity": severity(d),
        "location": {
            "path": path,
            "lines": { "begin": d.region.start.line, "end": d.region.end.line },
        },
    })
}

fn severity(d: &Located) -> &'static str {
    match (d.diag.fatal, d.diag.severity) {
        (true, _) => "critical",
        (false, Severity::Error) => "major",
        (false, Severity::Warning) => "minor",
    }
}
