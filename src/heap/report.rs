//! Output of `leaklint heap`: pretty (miette, like the linter), JSON and SARIF.

use std::path::Path;

use miette::{GraphicalReportHandler, LabeledSpan, MietteDiagnostic, NamedSource};
use serde::Serialize;
use serde_json::{Value, json};

use super::collections::{Collection, Holder, Kind};
use super::growth::Growth;
use super::join::StaticMatch;
use crate::report::{display_path, plural, sarif};

/// One culprit, with everything known about it.
#[derive(Debug, Clone, Serialize)]
pub struct Culprit {
    #[serde(flatten)]
    pub collection: Collection,
    /// Reported as a problem: large enough, or (with a baseline) growing.
    pub problem: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub growth: Option<Growth>,
    /// Filled when source paths were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub static_findings: Option<Vec<StaticMatch>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub static_note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct HeapReport {
    pub snapshot: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    pub nodes: usize,
    pub edges: usize,
    pub heap_bytes: u64,
    pub min_entries: u64,
    pub culprits: Vec<Culprit>,
}

/// `1234567` → `1,234,567`.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in decimal units, as DevTools shows them.
pub fn bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.2} GB", n as f64 / 1e9),
    }
}

fn entries_text(c: &Collection) -> String {
    let word = c.kind.entry_word();
    let plural = match (c.entries, word) {
        (1, w) => w.to_string(),
        (_, "entry") => "entries".to_string(),
        (_, w) => format!("{w}s"),
    };
    format!("{} {plural}", count(c.entries))
}

/// The headline: "`localCache` holds 1,000,000 keys, 85.0 MB retained".
pub fn headline(c: &Culprit) -> String {
    let col = &c.collection;
    let what = match col.kind {
        Kind::Listeners => format!("`{}` has {}", col.culprit.accessor, entries_text(col)),
        Kind::Timers => {
            let ms = col
                .timer_ms
                .map(|m| format!(" of {m} ms"))
                .unwrap_or_default();
            if col.culprit.variable.is_empty() {
                format!("{} pending{ms}", entries_text(col))
            } else {
                format!(
                    "{} pending{ms}, held in `{}`",
                    entries_text(col),
                    col.culprit.accessor
                )
            }
        }
        _ => format!(
            "`{}` ({}) holds {}",
            col.culprit.accessor,
            col.constructor,
            entries_text(col)
        ),
    };
    let mut s = format!("{what}, {} retained", bytes(col.retained_bytes));
    if let Some(g) = &c.growth {
        if g.new_entries > 0 {
            s.push_str(&format!(
                "; +{} since the baseline ({} before)",
                count(g.new_entries as u64),
                count(g.entries_before)
            ));
        } else {
            s.push_str("; no growth since the baseline");
        }
    }
    s
}

fn holder_text(c: &Collection) -> String {
    let cu = &c.culprit;
    match cu.holder {
        Holder::ClosureVariable => match &c.captured_by {
            Some(f) => format!("closure variable `{}`, captured by `{f}`", cu.variable),
            None => format!("closure variable `{}`", cu.variable),
        },
        Holder::GlobalProperty => format!("global property `{}`", cu.variable),
        Holder::ModuleExport => format!("module export `{}`", cu.variable),
        Holder::InstanceField => format!(
            "field `{}` of `{}` instances",
            cu.variable,
            cu.class.as_deref().unwrap_or("?")
        ),
        Holder::Property => format!("property `{}`", cu.variable),
        Holder::Stack => "a local variable of a function that was running".to_string(),
        Holder::Internal => "internal structures".to_string(),
    }
}

fn shown(script: &str, cwd: &Path) -> String {
    let p = script.strip_prefix("file://").unwrap_or(script);
    if Path::new(p).is_absolute() {
        display_path(Path::new(p), cwd)
    } else {
        p.to_string()
    }
}

/// Help lines under a culprit.
fn help(c: &Culprit, cwd: &Path) -> String {
    let col = &c.collection;
    let mut lines = vec![format!("held by {}", holder_text(col))];
    if let Some(p) = &col.entries_created_at {
        let what = match col.kind {
            Kind::Listeners => "listeners",
            Kind::Timers => "timer callbacks",
            _ => "functions stored",
        };
        lines.push(format!(
            "{what} created at {}:{}",
            shown(&p.script, cwd),
            p.line
        ));
    }
    if let Some(g) = &c.growth
        && g.new_objects > 0
    {
        lines.push(if g.new_objects == 1 {
            "1 object it retains is new since the baseline".to_string()
        } else {
            format!(
                "{} objects it retains are new since the baseline",
                count(g.new_objects)
            )
        });
    }
    let path = &col.retainer_path;
    let tail: Vec<&str> = path.iter().rev().take(6).map(String::as_str).collect();
    let mut tail: Vec<&str> = tail.into_iter().rev().collect();
    if path.len() > 6 {
        tail.insert(0, "…");
    }
    lines.push(format!("retainer path: {}", tail.join(" ")));
    match &c.static_findings {
        Some(found) if !found.is_empty() => {
            for m in found {
                lines.push(format!(
                    "static finding `{}` at {}:{}: {}{}",
                    m.rule,
                    shown(&m.path, cwd),
                    m.line,
                    m.message,
                    if m.fix_available {
                        "; fix available (leaklint --fix)"
                    } else {
                        ""
                    }
                ));
            }
        }
        _ => {
            if let Some(note) = &c.static_note {
                lines.push(note.clone());
            }
        }
    }
    lines.join("\n")
}

fn source_text(script: &str) -> Option<String> {
    let p = script.strip_prefix("file://").unwrap_or(script);
    std::fs::read_to_string(p).ok()
}

fn line_span(text: &str, line: u32, column: u32, word: &str) -> Option<std::ops::Range<usize>> {
    let start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1) as usize)
        .map(str::len)
        .sum::<usize>();
    let line_text = text[start..].lines().next()?;
    let col = (column.saturating_sub(1) as usize).min(line_text.len());
    let from = start
        + if line_text.is_char_boundary(col) {
            col
        } else {
            0
        };
    let len = if !word.is_empty() && text[from..].starts_with(word) {
        word.len()
    } else {
        line_text.len().saturating_sub(from - start)
    };
    Some(from..from + len)
}

pub fn pretty(report: &HeapReport, handler: &GraphicalReportHandler, cwd: &Path) -> String {
    let mut out = String::new();
    for c in &report.culprits {
        let col = &c.collection;
        let mut diag = MietteDiagnostic::new(headline(c))
            .with_code(if col.kind == Kind::Timers {
                "heap::timers"
            } else if c.growth.is_some() {
                "heap::growing-collection"
            } else {
                "heap::large-collection"
            })
            .with_severity(if c.problem {
                miette::Severity::Warning
            } else {
                miette::Severity::Advice
            })
            .with_help(help(c, cwd));
        let mut source = None;
        if let Some(place) = &col.declared
            && let Some(text) = source_text(&place.script)
            && let Some(span) = line_span(&text, place.line, place.column, &col.culprit.variable)
        {
            let mut labels = vec![LabeledSpan::new_primary_with_span(
                Some(match col.culprit.holder {
                    Holder::ClosureVariable
                    | Holder::GlobalProperty
                    | Holder::InstanceField
                    | Holder::ModuleExport
                        if !col.culprit.variable.is_empty() =>
                    {
                        format!("{} held here", entries_text(col))
                    }
                    _ => "created here".to_string(),
                }),
                span,
            )];
            if let Some(p) = &col.entries_created_at
                && p.script == place.script
                && p.line != place.line
                && let Some(s) = line_span(&text, p.line, p.column, "")
            {
                labels.push(LabeledSpan::new_with_span(
                    Some("entries created here".to_string()),
                    s,
                ));
            }
            diag = diag.with_labels(labels);
            source = Some(NamedSource::new(shown(&place.script, cwd), text));
        } else if let Some(place) = &col.declared {
            diag.message = format!(
                "{} (at {}:{})",
                diag.message,
                shown(&place.script, cwd),
                place.line
            );
        }
        let rendered = match source {
            Some(src) => miette::Report::new(diag).with_source_code(src),
            None => miette::Report::new(diag),
        };
        if handler.render_report(&mut out, rendered.as_ref()).is_err() {
            out.push_str(&headline(c));
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// The one-line summary after the pretty report.
pub fn summary(report: &HeapReport, elapsed: std::time::Duration) -> String {
    let problems = report.culprits.iter().filter(|c| c.problem).count();
    let what = if report.baseline.is_some() {
        "growing collection"
    } else {
        "collection"
    };
    let head = if problems == 0 {
        if report.baseline.is_some() {
            "✔ no growing collection".to_string()
        } else {
            format!(
                "✔ no collection with {}+ entries",
                count(report.min_entries)
            )
        }
    } else if report.baseline.is_some() {
        format!("✖ {}", plural(problems, what))
    } else {
        format!(
            "✖ {} with {}+ entries",
            plural(problems, what),
            count(report.min_entries)
        )
    };
    format!(
        "{head} · {} nodes, {} edges, {} heap · analysed in {}ms\n",
        count(report.nodes as u64),
        count(report.edges as u64),
        bytes(report.heap_bytes),
        elapsed.as_millis()
    )
}

pub fn json(report: &HeapReport) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

fn uri(script: &str, cwd: &Path) -> String {
    let p = script.strip_prefix("file://").unwrap_or(script);
    let path = Path::new(p);
    if path.is_absolute() {
        match path.strip_prefix(cwd) {
            Ok(rel) => sarif::encode_path(&rel.to_string_lossy().replace('\\', "/")),
            Err(_) => format!("file://{}", sarif::encode_path(p)),
        }
    } else if script.contains("://") {
        script.to_string()
    } else {
        sarif::encode_path(p)
    }
}

pub fn sarif(report: &HeapReport, cwd: &Path) -> String {
    let rule = |id: &str, text: &str| json!({ "id": id, "shortDescription": { "text": text } });
    let rules = vec![
        rule(
            "heap/large-collection",
            "A collection in the heap snapshot holds many entries",
        ),
        rule(
            "heap/growing-collection",
            "A collection grew between two heap snapshots",
        ),
        rule(
            "heap/timers",
            "Many timers are pending in one Node timer list",
        ),
    ];
    let results: Vec<Value> = report
        .culprits
        .iter()
        .filter(|c| c.problem)
        .map(|c| {
            let col = &c.collection;
            let (id, index) = if col.kind == Kind::Timers {
                ("heap/timers", 2)
            } else if c.growth.is_some() {
                ("heap/growing-collection", 1)
            } else {
                ("heap/large-collection", 0)
            };
            let loc = |p: &super::source::Place| {
                json!({ "physicalLocation": {
                    "artifactLocation": { "uri": uri(&p.script, cwd) },
                    "region": { "startLine": p.line, "startColumn": p.column },
                }})
            };
            let mut r = json!({
                "ruleId": id,
                "ruleIndex": index,
                "level": "warning",
                "message": { "text": format!("{}\n{}", headline(c), help(c, cwd)) },
                "properties": {
                    "entries": col.entries,
                    "retainedBytes": col.retained_bytes,
                    "accessor": col.culprit.accessor,
                    "constructor": col.constructor,
                },
            });
            if let Some(p) = &col.declared {
                r["locations"] = json!([loc(p)]);
            }
            if let Some(p) = &col.entries_created_at {
                r["relatedLocations"] = json!([loc(p)]);
            }
            r
        })
        .collect();
    let mut driver = json!({
        "name": "leaklint",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if let Some(u) = sarif::information_uri() {
        driver["informationUri"] = Value::from(u);
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": driver }, "results": results }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_devtools() {
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(count(999), "999");
        assert_eq!(bytes(85_000_000), "85.0 MB");
        assert_eq!(bytes(512), "512 B");
    }

    #[test]
    fn spans_cover_the_name_on_its_line() {
        let text = "// a\nconst localCache = {}\n";
        assert_eq!(line_span(text, 2, 7, "localCache"), Some(11..21));
        assert_eq!(line_span(text, 9, 1, "x"), None);
    }
}
