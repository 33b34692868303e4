//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning ingests it
//! (`github/codeql-action/upload-sarif`), checked in the tests with
//! Microsoft's SARIF multitool including its GitHub ingestion rules.
//!
//! - One run; the driver lists every registered rule plus the tool's own
//!   problem kinds ([`TOOL_RULES`]: `parse-error`, …), so every result's
//!   `ruleId` has a descriptor and a stable `ruleIndex`.
//! - URIs are relative to the repository root with `uriBaseId: %SRCROOT%`
//!   (GitHub resolves relative paths from the root); a file outside the root
//!   gets an absolute `file://` URI.
//! - Columns are UTF-16 code units (`columnKind: utf16CodeUnits`), end
//!   columns exclusive, as in every other format.
//! - `partialFingerprints` carries a `leaklint/v1` key; GitHub computes its
//!   own `primaryLocationLineHash`, which is deliberately not emitted.
//! - `results` is `[]` when clean: an empty upload is what closes fixed alerts.
//! - Precision as CodeQL reports it: `properties.precision` on every rule
//!   descriptor (`high`: what a rule reports by default) and on every result
//!   (its own confidence, with the evidence), and the result's `rank`.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::repo::{RepoRoot, fingerprints};
use super::{FileReport, Located, Report};
use crate::diagnostic::{Confidence, INTERNAL_ERROR, PARSE_ERROR, Severity};
use crate::position::Region;
use crate::rules::{RULES, Rule};
use crate::suppress::{UNKNOWN_RULE, UNUSED_DIRECTIVE};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// GitHub truncates longer descriptions.
const MAX_DESCRIPTION: usize = 1024;
const TAGS: [&str; 2] = ["memory-leak", "reliability"];

/// Problems leaklint reports that are not rules: (id, short, full description).
pub const TOOL_RULES: &[(&str, &str, &str)] = &[
    (
        INTERNAL_ERROR,
        "A file could not be analysed because of an internal error.",
        "leaklint failed on this file (a crash in the analysis was caught), so it was not checked for leaks. Please report it with the file attached.",
    ),
    (
        PARSE_ERROR,
        "A file could not be parsed, so it was not analysed.",
        "The file is not valid JavaScript or TypeScript for its extension (or is binary, not UTF-8, or nested too deeply), so none of its code was checked for leaks.",
    ),
    (
        UNKNOWN_RULE,
        "A leaklint directive names a rule that does not exist.",
        "A leaklint-disable comment names an unknown rule, so it suppresses nothing. Fix the name; `leaklint rules` lists them.",
    ),
    (
        UNUSED_DIRECTIVE,
        "A leaklint directive suppresses nothing.",
        "A leaklint-disable comment no longer matches any problem. Remove it so it cannot hide a future leak.",
    ),
];

pub fn render(report: &Report, root: &RepoRoot) -> String {
    let (rules, index) = descriptors(report);
    let mut results = Vec::new();
    for file in &report.files {
        let uri = artifact_location(file, root);
        let path = root.shown(file);
        let prints = fingerprints(file, &path);
        for (d, fingerprint) in file.diagnostics.iter().zip(prints) {
            results.push(result(d, &uri, index[d.diag.rule], fingerprint));
        }
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver(rules) },
            "originalUriBaseIds": {
                "%SRCROOT%": { "uri": directory_uri(&root.path().to_string_lossy()) },
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

fn driver(rules: Vec<Value>) -> Value {
    let mut driver = json!({
        "name": "leaklint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
    });
    if let Some(uri) = information_uri() {
        driver["informationUri"] = Value::from(uri);
    }
    driver["rules"] = Value::from(rules);
    driver
}

/// The project's homepage or repository from Cargo.toml; SARIF requires a
/// valid URI there, so nothing is emitted while neither is set.
pub fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
}

/// Every rule's descriptor, and each id's index into that list.
fn descriptors(report: &Report) -> (Vec<Value>, HashMap<&'static str, usize>) {
    let mut list: Vec<Value> = RULES.iter().map(rule_descriptor).collect();
    list.extend(
        TOOL_RULES
            .iter()
            .map(|(id, short, full)| tool_descriptor(id, short, full)),
    );
    let mut index: HashMap<&'static str, usize> = RULES
        .iter()
        .map(|r| r.name)
        .chain(TOOL_RULES.iter().map(|t| t.0))
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();
    // A problem kind added later without a descriptor still gets a valid one.
    for d in report.diagnostics() {
        if !index.contains_key(d.diag.rule) {
            index.insert(d.diag.rule, list.len());
            list.push(tool_descriptor(
                d.diag.rule,
                &d.diag.message,
                &d.diag.message,
            ));
        }
    }
    (list, index)
}

fn rule_descriptor(rule: &Rule) -> Value {
    let body = doc_body(rule.docs);
    let full = first_paragraph(&body).unwrap_or_else(|| rule.summary.to_string());
    let help = if body.trim().is_empty() {
        rule.summary.to_string()
    } else {
        body.clone()
    };
    json!({
        "id": rule.name,
        "name": pascal_case(rule.name),
        "shortDescription": { "text": truncate(rule.summary) },
        "fullDescription": { "text": truncate(&full) },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": level(rule.default_severity) },
        // The precision of what the rule reports by default (its high
        // findings); each result carries its own.
        "properties": {
            "tags": TAGS,
            "precision": "high",
            "problem.severity": level(rule.default_severity),
        },
    })
}

fn tool_descriptor(id: &str, short: &str, full: &str) -> Value {
    json!({
        "id": id,
        "name": pascal_case(id),
        "shortDescription": { "text": truncate(short) },
        "fullDescription": { "text": truncate(full) },
        "help": { "text": full, "markdown": full },
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["leaklint"] },
    })
}

/// The rule doc without its `# name` title.
fn doc_body(docs: &str) -> String {
    let trimmed = docs.trim_start();
    let body = if trimmed.starts_with("# ") {
        trimmed.split_once('\n').map_or("", |(_, rest)| rest)
    } else {
        trimmed
    };
    body.trim().to_string()
}

/// The first paragraph of the doc's `## Why this leaks` section (the
/// paragraph before it is the summary, already the short description).
fn first_paragraph(body: &str) -> Option<String> {
    let mut lines = body
        .lines()
        .skip_while(|l| l.trim() != "## Why this leaks")
        .skip(1);
    let paragraph: Vec<&str> = lines
        .by_ref()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    (!paragraph.is_empty() && !paragraph[0].starts_with("```")).then(|| paragraph.join(" "))
}

fn truncate(s: &str) -> String {
    if s.chars().count() <= MAX_DESCRIPTION {
        return s.to_string();
    }
    let mut t: String = s.chars().take(MAX_DESCRIPTION - 1).collect();
    t.push('…');
    t
}

/// `unbounded-cache` → `UnboundedCache`.
fn pascal_case(id: &str) -> String {
    id.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        })
        .collect()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn result(d: &Located, artifact: &Value, rule_index: usize, fingerprint: String) -> Value {
    let mut text = d.diag.message.clone();
    if let Some(help) = &d.diag.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut r = json!({
        "ruleId": d.diag.rule,
        "ruleIndex": rule_index,
        "level": level(d.diag.severity),
        "message": { "text": text },
        "locations": [physical(artifact, &d.region, None)],
        "partialFingerprints": { "leaklint/v1": fingerprint },
        "rank": rank(d.diag.confidence),
        "properties": precision_properties(d),
    });
    if !d.diag.labels.is_empty() {
        let related: Vec<Value> = d
            .diag
            .labels
            .iter()
            .zip(&d.label_regions)
            .enumerate()
            .map(|(i, (label, region))| {
                let mut loc = physical(artifact, region, Some(&label.message));
                loc["id"] = Value::from(i + 1);
                loc
            })
            .collect();
        r["relatedLocations"] = Value::from(related);
    }
    if let Some(fix) = &d.diag.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .zip(&d.fix_regions)
            .map(|(edit, region)| {
                json!({
                    "deletedRegion": region_json(region),
                    "insertedContent": { "text": edit.text },
                })
            })
            .collect();
        r["fixes"] = json!([{
            "description": { "text": fix.title },
            "artifactChanges": [{ "artifactLocation": artifact, "replacements": replacements }],
        }]);
    }
    r
}

/// SARIF's `rank` (0–100, higher first), from the confidence: code
/// scanning sorts by it, and CodeQL's default suites keep only high precision.
fn rank(confidence: Confidence) -> f64 {
    match confidence {
        Confidence::High => 90.0,
        Confidence::Medium => 50.0,
    }
}

/// `properties.precision` (CodeQL's vocabulary) and the evidence behind it.
fn precision_properties(d: &Located) -> Value {
    let mut p = json!({ "precision": d.diag.confidence.as_str() });
    if !d.diag.evidence.is_empty() {
        p["evidence"] = json!(d.diag.evidence);
    }
    p
}

fn physical(artifact: &Value, region: &Region, message: Option<&str>) -> Value {
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": region_json(region),
        },
    });
    if let Some(m) = message {
        loc["message"] = json!({ "text": m });
    }
    loc
}

fn region_json(r: &Region) -> Value {
    json!({
        "startLine": r.start.line,
        "startColumn": r.start.column,
        "endLine": r.end.line,
        "endColumn": r.end.column,
    })
}

/// Relative to `%SRCROOT%` when the file is under the root, else absolute.
fn artifact_location(file: &FileReport, root: &RepoRoot) -> Value {
    match root.relative(file) {
        Some(rel) => json!({ "uri": encode_path(&rel), "uriBaseId": "%SRCROOT%" }),
        None => {
            let abs = super::repo::normalize(&file.abs_path);
            json!({ "uri": file_uri(&abs.to_string_lossy()) })
        }
    }
}

/// `file:///abs/dir/` (a base URI must end with `/`).
fn directory_uri(path: &str) -> String {
    let mut uri = file_uri(path);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn file_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    format!("file://{}", encode_path(&path))
}

/// Percent-encodes everything but unreserved characters and `/`
/// (upload-sarif decodes URIs with `decodeURIComponent`).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(encode_path("src/a b/é.js"), "src/a%20b/%C3%A9.js");
        assert_eq!(directory_uri("/r/x"), "file:///r/x/");
        assert_eq!(pascal_case("unbounded-cache"), "UnboundedCache");
    }

    #[test]
    fn doc_paragraphs() {
        let body = doc_body(
            "# r\n\nSummary.\n\n## Why this leaks\n\nIt grows\nforever.\n\nMore.\n## Examples\n",
        );
        assert_eq!(first_paragraph(&body).as_deref(), Some("It grows forever."));
        assert_eq!(first_paragraph(&doc_body("# r\n\nSummary.\n")), None);
    }
}
