//! Lints arbitrary bytes as JavaScript, TypeScript and TSX, and renders the
//! result in every format. Any panic or stack overflow is a bug; so is an
//! `internal-error` (a panic the engine caught) or a span outside the text.
#![no_main]

use std::path::{Path, PathBuf};
use std::time::Duration;

use leaklint::diagnostic::INTERNAL_ERROR;
use leaklint::engine::{self, FileResult, RuleSet};
use leaklint::parse::Dialect;
use leaklint::report::{Report, json, pretty};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The same decoding the CLI applies to file contents.
    let _ = engine::decode(data.to_vec());
    let text = String::from_utf8_lossy(data);
    // The nesting scan runs only on files of 300 KB and more: run it on every
    // input here (it must not panic, whatever it estimates).
    if let Some(at) = leaklint::depth::scan(&text) {
        assert!(at < text.len());
    }
    let rules = RuleSet::default();
    for (dialect, name) in [
        (Dialect::Js, "fuzz.js"),
        (Dialect::Ts, "fuzz.ts"),
        (Dialect::Tsx, "fuzz.tsx"),
    ] {
        let path = Path::new(name);
        let diagnostics = engine::lint_source_as(path, &text, dialect, &rules);
        let source = leaklint::parse::strip_bom(&text);
        for d in &diagnostics {
            assert_ne!(d.rule, INTERNAL_ERROR, "{name}: {}", d.message);
            assert!(
                d.span.start <= d.span.end && d.span.end <= source.len(),
                "{name}: span {:?} outside a text of {} bytes ({})",
                d.span,
                source.len(),
                d.rule
            );
        }
        if diagnostics.is_empty() {
            continue;
        }
        let report = Report::new(
            vec![FileResult {
                path: PathBuf::from(name),
                source: Some(source.into()),
                diagnostics,
                error: None,
            }],
            Path::new("/"),
            Duration::ZERO,
        );
        let _ = json::render(&report);
        let _ = pretty::render(
            &report,
            &pretty::PrettyOptions {
                color: false,
                width: 80,
            },
        );
    }
});
