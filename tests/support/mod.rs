//! Helpers shared by the integration tests: fixture discovery, `// expect:`
//! markers, Markdown example blocks, and rendering for snapshots.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use leaklint::report::{Report, pretty};
use leaklint::{Diagnostic, RuleSet};

pub mod run;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub const EXTENSIONS: &[&str] = &[
    "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "vue", "svelte", "astro",
];

/// Fixture directories that are not named after a rule.
pub const SPECIAL_DIRS: &[&str] = &[
    "examples",
    "suppression",
    "cli",
    "formats",
    "fix",
    "robustness",
    "cross-file",
];

/// `(line, rule)` → how many diagnostics are expected there.
pub type Expectations = BTreeMap<(usize, String), usize>;

/// Parses `expect: rule-a, rule-b` markers (in `//` or `/* */` comments):
/// high-confidence findings. `expect-medium: rule` expects a medium one; it
/// is keyed `rule (medium)`, so a finding at the wrong confidence fails.
pub fn markers(text: &str) -> Expectations {
    let re =
        regex::Regex::new(r"expect(-medium)?:\s*([a-z][a-z-]*(?:\s*,\s*[a-z][a-z-]*)*)").unwrap();
    let mut out = Expectations::new();
    for (i, line) in text.lines().enumerate() {
        for cap in re.captures_iter(line) {
            let medium = cap.get(1).is_some();
            for name in cap[2].split(',') {
                *out.entry((i + 1, keyed(name.trim(), medium))).or_default() += 1;
            }
        }
    }
    out
}

/// The expectation key of a finding: its rule, marked when medium.
fn keyed(rule: &str, medium: bool) -> String {
    if medium {
        format!("{rule} (medium)")
    } else {
        rule.to_string()
    }
}

/// What the linter actually reported, in the same shape as [`markers`].
pub fn found(text: &str, diags: &[Diagnostic]) -> Expectations {
    let index = leaklint::position::LineIndex::new(text);
    let mut out = Expectations::new();
    for d in diags {
        let line = index.position(d.span.start).line;
        let medium = d.confidence == leaklint::Confidence::Medium;
        *out.entry((line, keyed(d.rule, medium))).or_default() += 1;
    }
    out
}

/// Every fixture file under `fixtures/<dir>/`.
pub fn fixture_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures").join(dir))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.is_file()
            && p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e))
    });
    files.sort();
    files
}

/// The rule set a fixture directory runs with: its own rule, or all rules
/// for the cross-rule directories; medium findings included (their markers
/// say `expect-medium:`).
pub fn rules_for_dir(dir: &str) -> RuleSet {
    let rules = if leaklint::rules::find(dir).is_some() {
        RuleSet::only(dir)
    } else {
        RuleSet::default()
    };
    rules.with_min_confidence(leaklint::Confidence::Medium)
}

/// Renders diagnostics as the terminal shows them, without colour.
pub fn render(path: &Path, text: &str, diags: Vec<Diagnostic>) -> String {
    let display = path
        .strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let result = leaklint::engine::FileResult {
        path: PathBuf::from(&display),
        source: Some(std::sync::Arc::from(leaklint::parse::strip_bom(text))),
        diagnostics: diags,
        error: None,
    };
    let report = Report::new(
        vec![result],
        Path::new("/nonexistent"),
        std::time::Duration::ZERO,
    );
    pretty::render(
        &report,
        &pretty::PrettyOptions {
            color: false,
            width: 100,
        },
    )
}

/// A fenced code block of a rule doc.
pub struct DocExample {
    pub lang: String,
    pub tag: String,
    pub code: String,
    pub line: usize,
}

/// Fenced blocks of a Markdown file, with their info strings split into
/// language and tag (` ```ts invalid `).
pub fn doc_examples(md: &str) -> Vec<DocExample> {
    let mut out = Vec::new();
    let mut current: Option<DocExample> = None;
    for (i, line) in md.lines().enumerate() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            match current.take() {
                Some(ex) => out.push(ex),
                None => {
                    let mut parts = info.split_whitespace();
                    current = Some(DocExample {
                        lang: parts.next().unwrap_or("").to_string(),
                        tag: parts.next().unwrap_or("").to_string(),
                        code: String::new(),
                        line: i + 1,
                    });
                }
            }
        } else if let Some(ex) = current.as_mut() {
            ex.code.push_str(line);
            ex.code.push('\n');
        }
    }
    out
}
