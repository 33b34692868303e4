//! `--format junit`: JUnit XML as ESLint's junit formatter writes it, for CI
//! test-report widgets (GitLab `reports: junit`, Jenkins, Azure Pipelines).
//!
//! One `<testsuite>` per linted file; each problem is a failing `<testcase>`
//! (`<error>` when the file could not be analysed, `<failure>` otherwise); a
//! clean file gets one passing testcase so the report counts it. Testcases
//! are named `org.leaklint.<rule>`; a parse failure is `org.leaklint.parse-error`
//! where ESLint writes `org.eslint.unknown`.

use super::checkstyle::{abs_path, xml_escape};
use super::{FileReport, Located, Report};
use crate::diagnostic::Severity;

pub fn render(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites>\n");
    for file in &report.files {
        out.push_str(&suite(file));
    }
    out.push_str("</testsuites>\n");
    out
}

fn suite(file: &FileReport) -> String {
    let name = xml_escape(&abs_path(file));
    let classname = xml_escape(&without_extension(&abs_path(file)));
    let n = file.diagnostics.len();
    let mut out = format!(
        "<testsuite package=\"org.leaklint\" time=\"0\" tests=\"{}\" errors=\"{n}\" name=\"{name}\">\n",
        n.max(1)
    );
    if n == 0 {
        out.push_str(&format!(
            "<testcase time=\"0\" name=\"{name}\" classname=\"{classname}\" />\n"
        ));
    }
    for d in &file.diagnostics {
        out.push_str(&case(d, &classname));
    }
    out.push_str("</testsuite>\n");
    out
}

fn case(d: &Located, classname: &str) -> String {
    let element = if d.diag.fatal { "error" } else { "failure" };
    let kind = if d.diag.fatal || d.diag.severity == Severity::Error {
        "Error"
    } else {
        "Warning"
    };
    let message = xml_escape(&d.diag.message);
    // The CDATA body is escaped too (as ESLint does): that also keeps `]]>`
    // out of it.
    format!(
        "<testcase time=\"0\" name=\"org.leaklint.{rule}\" classname=\"{classname}\"><{element} message=\"{message}\"><![CDATA[line {line}, col {col}, {kind} - {message} ({rule})]]></{element}></testcase>\n",
        rule = xml_escape(d.diag.rule),
        line = d.region.start.line,
        col = d.region.start.column,
    )
}

/// `/abs/src/a.test.js` → `/abs/src/a.test` (ESLint's `classname`).
fn without_extension(path: &str) -> String {
    let name_start = path.rfind('/').map_or(0, |i| i + 1);
    match path[name_start..].rfind('.') {
        Some(dot) if dot > 0 => path[..name_start + dot].to_string(),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classname_drops_only_the_last_extension() {
        assert_eq!(without_extension("/a/b.test.js"), "/a/b.test");
        assert_eq!(without_extension("/a.d/.hidden"), "/a.d/.hidden");
        assert_eq!(without_extension("/a.d/noext"), "/a.d/noext");
    }
}
