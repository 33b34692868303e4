//! `--format checkstyle`: Checkstyle XML as ESLint's checkstyle formatter
//! writes it (one line, one `<file>` per linted file including clean ones,
//! absolute paths, ` (rule)` appended to the message), read by Jenkins'
//! warnings plugin, reviewdog, SonarQube and others.
//!
//! One deliberate difference: a file that does not parse is reported with
//! the rule `parse-error` (`source="leaklint.rules.parse-error"`) where ESLint
//! leaves the rule empty, so the report says what kind of problem it is.

use super::{FileReport, Located, Report};
use crate::diagnostic::Severity;

pub fn render(report: &Report) -> String {
    let mut out =
        String::from(r#"<?xml version="1.0" encoding="utf-8"?><checkstyle version="4.3">"#);
    for file in &report.files {
        out.push_str(&format!(r#"<file name="{}">"#, xml_escape(&abs_path(file))));
        for d in &file.diagnostics {
            out.push_str(&error(d));
        }
        out.push_str("</file>");
    }
    out.push_str("</checkstyle>\n");
    out
}

fn error(d: &Located) -> String {
    format!(
        r#"<error line="{}" column="{}" severity="{}" message="{}" source="{}" />"#,
        d.region.start.line,
        d.region.start.column,
        severity(d),
        xml_escape(&format!("{} ({})", d.diag.message, d.diag.rule)),
        xml_escape(&format!("leaklint.rules.{}", d.diag.rule)),
    )
}

fn severity(d: &Located) -> &'static str {
    if d.diag.fatal || d.diag.severity == Severity::Error {
        "error"
    } else {
        "warning"
    }
}

/// Absolute path with forward slashes, as ESLint's XML formatters print it.
pub(crate) fn abs_path(file: &FileReport) -> String {
    super::repo::normalize(&file.abs_path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Escapes text for XML attribute values and character data.
///
/// As ESLint's `xml-escape`: the five markup characters become entities and
/// everything outside printable ASCII becomes a numeric reference. Unlike it,
/// characters XML 1.0 forbids even as references (most C0 controls) become
/// U+FFFD, so the document always parses, and line breaks are kept as
/// references rather than normalised away inside attributes.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            ' '..='~' => out.push(c),
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if is_xml_char(c) => out.push_str(&format!("&#{};", c as u32)),
            _ => out.push_str("&#65533;"),
        }
    }
    out
}

/// XML 1.0 `Char` production, minus what the caller already handled.
fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x7F..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_controls_and_non_ascii() {
        assert_eq!(
            xml_escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
        assert_eq!(xml_escape("é😀\n\u{1}"), "&#233;&#128512;&#10;&#65533;");
    }
}
