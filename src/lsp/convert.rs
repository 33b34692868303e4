//! Between leaklint's values (byte offsets, paths, `Diagnostic`) and LSP's
//! (`lsp_types`: UTF-16 positions, URIs, `lsp_types::Diagnostic`).

use std::ops::Range;
use std::path::PathBuf;

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position,
    TextDocumentContentChangeEvent, Uri,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::position::LineIndex;

/// The LSP position (0-based line, UTF-16 character) of a byte offset.
pub fn position(index: &LineIndex, offset: usize) -> Position {
    let p = index.position(offset);
    Position::new(to_u32(p.line - 1), to_u32(p.column - 1))
}

pub fn range(index: &LineIndex, span: &Range<usize>) -> lsp_types::Range {
    lsp_types::Range::new(position(index, span.start), position(index, span.end))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The byte offset of an LSP position, clamped to the text (a line past the
/// end is the end; a character past the line's end is the line's end).
pub fn offset(text: &str, index: &LineIndex, position: Position) -> usize {
    let Some(start) = index.line_start(position.line as usize + 1) else {
        return text.len();
    };
    let character = position.character as usize;
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' || c == '\r' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// `text` after one `didChange` event: the whole text, or (for a client
/// that sends ranges although the server asks for full sync) a range
/// replaced.
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let index = LineIndex::new(text);
            let start = offset(text, &index, range.start);
            let end = offset(text, &index, range.end).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

/// A finding as the editor shows it: the help after the message, the labels
/// as related information.
pub fn diagnostic(uri: &Uri, index: &LineIndex, d: &Diagnostic) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\n\n");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .map(|l| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), range(index, &l.span)),
            message: l.message.clone(),
        })
        .collect();
    lsp_types::Diagnostic {
        range: range(index, &d.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.rule.to_string())),
        source: Some("leaklint".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

/// Whether the URI names a leaklint config file.
pub fn is_config(uri: &Uri) -> bool {
    crate::config::CONFIG_NAMES
        .iter()
        .any(|n| uri.as_str().ends_with(&format!("/{n}")))
}

/// The file a `file://` URI names (percent-decoded).
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&rest[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    let decoded = String::from_utf8(out).ok()?;
    // `file:///C:/x` on Windows.
    let decoded = match decoded.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() && cfg!(windows) => {
            decoded[1..].to_string()
        }
        _ => decoded,
    };
    Some(PathBuf::from(decoded))
}

/// The path a document is linted as: its file, or for an unsaved buffer a
/// name with the extension its URI ends with (dialect only).
pub fn document_path(uri: &Uri) -> PathBuf {
    uri_to_path(uri.as_str()).unwrap_or_else(|| {
        let name = uri
            .as_str()
            .rsplit(['/', ':'])
            .next()
            .unwrap_or("untitled.js");
        PathBuf::from(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn utf16_positions_round_trip() {
        let text = "const s = '😀'; x\nnext";
        let index = LineIndex::new(text);
        let at = text.find('x').unwrap();
        let p = position(&index, at);
        assert_eq!(p, Position::new(0, 16));
        assert_eq!(offset(text, &index, p), at);
        assert_eq!(offset(text, &index, Position::new(9, 0)), text.len());
        // Past the end of a line: the line's end, not the next line.
        assert_eq!(
            offset(text, &index, Position::new(0, 99)),
            text.find('\n').unwrap()
        );
    }

    #[test]
    fn changes_replace_the_whole_text_or_a_range() {
        let mut text = "let a = 1\nlet b = 2\n".to_string();
        let whole = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "x\ny\n".to_string(),
        };
        apply_change(&mut text, whole);
        assert_eq!(text, "x\ny\n");
        let ranged = TextDocumentContentChangeEvent {
            range: Some(lsp_types::Range::new(
                Position::new(1, 0),
                Position::new(1, 1),
            )),
            range_length: None,
            text: "why".to_string(),
        };
        apply_change(&mut text, ranged);
        assert_eq!(text, "x\nwhy\n");
    }

    #[test]
    fn file_uris_are_decoded() {
        assert_eq!(
            uri_to_path("file:///a%20b/c.ts"),
            Some(PathBuf::from("/a b/c.ts"))
        );
        assert_eq!(
            document_path(&uri("untitled:Untitled-1.tsx")),
            PathBuf::from("Untitled-1.tsx")
        );
        assert!(is_config(&uri("file:///p/leaklint.json")));
        assert!(is_config(&uri("file:///p/leaklint.jsonc")));
        assert!(!is_config(&uri("file:///p/not-leaklint.json")));
    }

    #[test]
    fn labels_become_related_information_and_help_follows_the_message() {
        let text = "const a = 1\nconst b = 2\n";
        let index = LineIndex::new(text);
        let mut d = Diagnostic::new("unbounded-cache", 6..7, "grows");
        d.help = Some("evict".to_string());
        let plain = diagnostic(&uri("file:///x.js"), &index, &d);
        assert_eq!(plain.message, "grows\n\nevict");
        assert!(plain.related_information.is_none());
        d.labels.push(crate::diagnostic::Label {
            span: 18..19,
            message: "declared here".to_string(),
        });
        let labelled = diagnostic(&uri("file:///x.js"), &index, &d);
        let related = labelled.related_information.unwrap();
        assert_eq!(related[0].location.range.start, Position::new(1, 6));
        assert_eq!(related[0].message, "declared here");
        assert_eq!(
            labelled.code,
            Some(NumberOrString::String("unbounded-cache".into()))
        );
    }
}
