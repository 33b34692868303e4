//! `leaklint heap SNAPSHOT [--baseline OLDER] [PATHS…]`: from a V8 heap
//! snapshot to the line of source that leaks.
//!
//! [`reader`] streams the JSON into packed columns ([`columns`]), [`graph`]
//! checks them and indexes the retainers the naming looks up,
//! [`dominators`] computes retained sizes and
//! shortest retainer paths, [`collections`] finds the large collections,
//! timer lists and listener arrays and names their culprits ([`source`]
//! finds declarations), [`growth`] compares with a baseline snapshot,
//! [`join`] matches culprits with the linter's findings, and [`report`]
//! prints them. See docs/heap.md.

pub mod collections;
pub mod columns;
pub mod dominators;
pub mod graph;
pub mod growth;
pub mod join;
pub mod reader;
pub mod report;
pub mod source;
mod trace;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::ValueEnum;

use self::collections::Collection;
use self::dominators::{Dominance, Retention};
use self::graph::Graph;
use self::reader::HeapError;
use self::report::{Culprit, HeapReport};
use crate::report::{ColorChoice, EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum HeapFormat {
    Pretty,
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

#[derive(clap::Args, Debug)]
pub struct HeapArgs {
    /// The heap snapshot (`.heapsnapshot`, from `v8.writeHeapSnapshot()`,
    /// `--heapsnapshot-signal` or Chrome DevTools).
    pub snapshot: PathBuf,

    /// An older snapshot of the same process: report what grew since.
    #[arg(long, value_name = "OLDER")]
    pub baseline: Option<PathBuf>,

    /// Source files and directories to lint and join with the culprits.
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value = "pretty")]
    pub format: HeapFormat,

    /// Report collections with at least this many entries.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub min_entries: u64,

    /// With --baseline: report collections that gained at least this many entries.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub min_growth: u64,

    /// Show at most this many culprits.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,

    /// Write the report to this file.
    #[arg(short, long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// When to use colours.
    #[arg(long, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,
}

/// A snapshot read and analysed.
pub struct Analysed {
    pub graph: Graph,
    pub retention: Retention,
}

/// Reads and analyses a snapshot from any byte stream.
pub fn analyse(input: impl Read) -> Result<Analysed, HeapError> {
    analyse_sized(input, None, None)
}

/// [`analyse`], counting the objects a baseline snapshot does not have
/// (needed by [`growth::Baseline::compare`]).
pub fn analyse_against(
    input: impl Read,
    baseline: &growth::Baseline,
) -> Result<Analysed, HeapError> {
    analyse_sized(input, None, Some(baseline))
}

/// The phases in order, each freeing what the next does not need: the
/// structure (the strings not yet read), the dominator tree (kept: retained
/// sizes), the shortest paths, the retainers the naming looks up, and the
/// strings last, so that they are not in memory while the dominator pass
/// has its scratch arrays.
fn analyse_sized(
    input: impl Read,
    len: Option<u64>,
    baseline: Option<&growth::Baseline>,
) -> Result<Analysed, HeapError> {
    let (raw, rest) = reader::read_structure(input, len)?;
    let mut graph = Graph::structure(raw)?;
    trace::phase("read nodes and edges");
    let is_new = baseline.map(|b| move |id| !b.has_id(id));
    let dominance = Dominance::compute(&graph, is_new.as_ref().map(|f| f as &dyn Fn(u32) -> bool));
    trace::phase("dominator tree");
    let retention = Retention::new(&graph, dominance);
    trace::phase("shortest paths");
    graph.index_retainers();
    trace::phase("retainers");
    graph.attach_strings(rest.finish()?)?;
    trace::phase("strings");
    Ok(Analysed { graph, retention })
}

fn load(path: &Path, baseline: Option<&growth::Baseline>) -> Result<Analysed, HeapError> {
    let file =
        std::fs::File::open(path).map_err(|e| HeapError::new(format!("cannot open: {e}")))?;
    let len = file.metadata().ok().map(|m| m.len());
    // The reader buffers by itself.
    analyse_sized(file, len, baseline)
}

/// The culprits of one snapshot (and growth since a baseline).
pub fn culprits(
    target: &Analysed,
    baseline: Option<&growth::Baseline>,
    min_entries: u64,
    min_growth: u64,
) -> Vec<Culprit> {
    let (g, r) = (&target.graph, &target.retention);
    let floor = match baseline {
        Some(_) => min_entries.min(min_growth),
        None => min_entries,
    };
    let found: Vec<Collection> = collections::find(g, r, floor.max(1));
    let growth = baseline.map(|b| b.compare(r, &found));
    let mut out: Vec<Culprit> = found
        .into_iter()
        .enumerate()
        .map(|(i, collection)| {
            let growth = growth.as_ref().map(|gr| gr[i].clone());
            // Node's own large tables (its module cache in a big app) are
            // listed, but only their growth makes them a problem.
            let problem = match &growth {
                Some(gr) => gr.new_entries >= min_growth as i64,
                None => collection.entries >= min_entries && !collection.is_runtime(),
            };
            Culprit {
                collection,
                problem,
                growth,
                static_findings: None,
                static_note: None,
            }
        })
        .filter(|c| c.problem || c.collection.entries >= min_entries)
        .collect();
    out.sort_by(|a, b| {
        b.problem.cmp(&a.problem).then(
            b.collection
                .retained_bytes
                .cmp(&a.collection.retained_bytes),
        )
    });
    out
}

pub fn run(args: HeapArgs) -> u8 {
    let started = Instant::now();
    trace::phase("start");
    let cwd = std::env::current_dir().unwrap_or_default();
    let baseline = match &args.baseline {
        Some(path) => match load(path, None) {
            Ok(a) => Some(growth::Baseline::new(
                &a.graph,
                &a.retention,
                args.min_entries.min(args.min_growth).max(1),
            )),
            Err(e) => {
                eprintln!("leaklint: {}: {e}", path.display());
                return EXIT_ERROR;
            }
        },
        None => None,
    };
    let target = match load(&args.snapshot, baseline.as_ref()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("leaklint: {}: {e}", args.snapshot.display());
            return EXIT_ERROR;
        }
    };
    let mut list = culprits(
        &target,
        baseline.as_ref(),
        args.min_entries,
        args.min_growth,
    );
    list.truncate(args.top);
    trace::phase("culprits named");
    if !args.paths.is_empty() {
        let linted = join::lint(&args.paths);
        for e in &linted.errors {
            eprintln!("leaklint: {e}");
        }
        for c in &mut list {
            let (found, note) = linted.matches(&c.collection);
            c.static_findings = Some(found);
            c.static_note = note;
        }
    }
    let g = &target.graph;
    let report = HeapReport {
        snapshot: args.snapshot.display().to_string(),
        baseline: args.baseline.as_ref().map(|p| p.display().to_string()),
        nodes: g.node_count(),
        edges: g.edge_count(),
        heap_bytes: (0..g.node_count() as u32)
            .filter(|&v| target.retention.parent_edge[v as usize] != graph::NONE || v == 0)
            .map(|v| g.self_size(v) as u64)
            .sum(),
        min_entries: args.min_entries,
        culprits: list,
    };
    let to_file = args.output_file.is_some();
    let text = match args.format {
        HeapFormat::Pretty => {
            let color = !to_file
                && match args.color {
                    Some(ColorChoice::Always) => true,
                    Some(ColorChoice::Never) => false,
                    _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                };
            let handler = crate::report::pretty::handler(&crate::report::pretty::PrettyOptions {
                color,
                width: std::env::var("COLUMNS")
                    .ok()
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(100),
            });
            report::pretty(&report, &handler, &cwd)
        }
        HeapFormat::Json => report::json(&report),
        HeapFormat::Sarif => report::sarif(&report, &cwd),
    };
    match &args.output_file {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                eprintln!("leaklint: cannot write {}: {e}", path.display());
                return EXIT_ERROR;
            }
        }
        None => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    if args.format == HeapFormat::Pretty || to_file {
        eprint!("{}", report::summary(&report, started.elapsed()));
    }
    if report.culprits.iter().any(|c| c.problem) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small xorshift generator: deterministic mutations without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    /// Thousands of corrupted variants of a valid snapshot (bytes flipped,
    /// deleted, duplicated, cut): each must give a result or a `HeapError`,
    /// never a panic. The fuzz target does the same without end.
    #[test]
    fn corrupted_snapshots_never_panic() {
        let valid = graph::tests::snapshot(&[
            (
                "synthetic",
                "",
                0,
                &[("element", "0", 1), ("shortcut", "1", 3)],
            ),
            (
                "closure",
                "setLocalCache",
                64,
                &[("internal", "context", 2)],
            ),
            (
                "object",
                "system / Context",
                40,
                &[("context", "localCache", 3)],
            ),
            (
                "object",
                "Object",
                24,
                &[
                    ("property", "k1", 4),
                    ("property", "k2", 4),
                    ("property", "k3", 5),
                ],
            ),
            ("hidden", "system / Oddball", 16, &[]),
            (
                "object",
                "Map",
                32,
                &[("internal", "table", 6), ("weak", "w", 3)],
            ),
            (
                "array",
                "",
                120,
                &[
                    ("internal", "5", 4),
                    ("internal", "6", 3),
                    ("internal", "map", 4),
                ],
            ),
        ]);
        let ok = analyse(valid.as_bytes()).expect("the seed is valid");
        assert_eq!(culprits(&ok, None, 3, 1).len(), 1);
        let bytes = valid.as_bytes();
        let alphabet = b"0123456789[]{}\",:-.e \\u";
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut accepted = 0;
        for _ in 0..4000 {
            let mut v = bytes.to_vec();
            for _ in 0..1 + rng.below(4) {
                if v.is_empty() {
                    break;
                }
                let at = rng.below(v.len());
                match rng.below(4) {
                    0 => v[at] = alphabet[rng.below(alphabet.len())],
                    1 => {
                        v.remove(at);
                    }
                    2 => {
                        let end = (at + 1 + rng.below(40)).min(v.len());
                        let chunk = v[at..end].to_vec();
                        v.splice(at..at, chunk);
                    }
                    _ => v.truncate(at),
                }
            }
            if let Ok(a) = analyse(v.as_slice()) {
                accepted += 1;
                for c in culprits(&a, None, 1, 1) {
                    let _ = report::headline(&c);
                }
            }
        }
        // Some mutations keep the file valid (a digit for a digit): those
        // ran the whole analysis.
        assert!(accepted > 0);
    }
}
