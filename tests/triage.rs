//! Triage labels: findings on real packages judged by reading their code
//! (bench/triage/README.md gives the method and the verdicts).
//!
//! `label_files_are_well_formed` always runs: the label files parse, every
//! label names a known rule, a relative path, a line, a verdict T/D/F and a
//! reason, and no finding is labeled twice.
//!
//! `labeled_findings_hold_on_the_pinned_corpora` is the regression guard of
//! the labels: it runs `bench/triage/precision.py` with this build's binary on
//! the corpora that are present; it fails when a finding labeled F (no leak)
//! is reported by default again or a finding labeled T (real leak) is no longer
//! reported. It is ignored by default: it needs the two pinned corpora (about
//! 471 npm packages, fetched by the scripts named in bench/triage/README.md,
//! never by `cargo test`) and `python3`. Run it with
//! `cargo test --release --test triage -- --ignored --nocapture`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const HEADER: &str = "index\trule\tpath\tline\tverdict\treason";
const LABEL_FILES: [&str; 2] = ["bench-corpus.tsv", "corpus2.tsv"];

fn triage_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/triage")
}

/// Checks one label file; returns its number of labels or the problems found.
fn check_label_file(name: &str, text: &str, rules: &HashSet<&str>) -> Result<usize, Vec<String>> {
    let mut problems = Vec::new();
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        problems.push(format!(
            "{name}: the header must be `{HEADER}` (tab-separated)"
        ));
    }
    let mut seen = HashSet::new();
    let mut count = 0;
    for (i, line) in lines.enumerate() {
        let at = format!("{name}:{}", i + 2);
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 6 {
            problems.push(format!(
                "{at}: want 6 tab-separated columns, got {}",
                cols.len()
            ));
            continue;
        }
        let [index, rule, path, line_no, verdict, reason] =
            [cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]];
        if index.parse::<u32>().is_err() {
            problems.push(format!("{at}: index `{index}` is not a number"));
        }
        if !rules.contains(rule) {
            problems.push(format!("{at}: unknown rule `{rule}`"));
        }
        if path.is_empty() || path.starts_with('/') || path.split('/').any(|c| c == "..") {
            problems.push(format!(
                "{at}: path `{path}` must be relative to the corpus root"
            ));
        }
        if line_no.parse::<u32>().map_or(true, |n| n == 0) {
            problems.push(format!("{at}: line `{line_no}` is not a line number"));
        }
        if !matches!(verdict, "T" | "D" | "F") {
            problems.push(format!("{at}: verdict `{verdict}` is not T, D or F"));
        }
        if reason.trim().len() < 10 {
            problems.push(format!(
                "{at}: the reason must say why (what grows, keyed by what; or why not)"
            ));
        }
        if !seen.insert((rule.to_string(), path.to_string(), line_no.to_string())) {
            problems.push(format!("{at}: {rule} {path}:{line_no} is labeled twice"));
        }
        count += 1;
    }
    if problems.is_empty() {
        Ok(count)
    } else {
        Err(problems)
    }
}

#[test]
fn label_files_are_well_formed() {
    let rules: HashSet<&str> = leaklint::rules::RULES.iter().map(|r| r.name).collect();
    let mut problems = Vec::new();
    let mut total = 0;
    for name in LABEL_FILES {
        let text = std::fs::read_to_string(triage_dir().join(name))
            .unwrap_or_else(|e| panic!("bench/triage/{name}: {e}"));
        match check_label_file(name, &text, &rules) {
            Ok(n) => {
                assert!(n > 0, "bench/triage/{name} holds no label");
                total += n;
            }
            Err(p) => problems.extend(p),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // issue 15 asks for at least 100 labeled findings over the two corpora
    assert!(total >= 100, "only {total} labeled findings");
}

#[test]
fn the_label_check_rejects_malformed_rows() {
    let rules: HashSet<&str> = ["unbounded-cache"].into_iter().collect();
    let good = format!(
        "{HEADER}\n1\tunbounded-cache\tpkg/a.js\t3\tF\twarn-once set keyed by literal ids\n"
    );
    assert_eq!(check_label_file("good", &good, &rules), Ok(1));
    for bad in [
        "1\tunbounded-cache\tpkg/a.js\t3\tX\twarn-once set keyed by literal ids",
        "1\tno-such-rule\tpkg/a.js\t3\tF\twarn-once set keyed by literal ids",
        "1\tunbounded-cache\t/abs/a.js\t3\tF\twarn-once set keyed by literal ids",
        "1\tunbounded-cache\tpkg/a.js\t0\tF\twarn-once set keyed by literal ids",
        "1\tunbounded-cache\tpkg/a.js\t3\tF\t",
        "1\tunbounded-cache\tpkg/a.js\t3\tF",
    ] {
        let text = format!("{HEADER}\n{bad}\n");
        assert!(
            check_label_file("bad", &text, &rules).is_err(),
            "accepted: {bad}"
        );
    }
    let twice = format!(
        "{HEADER}\n1\tunbounded-cache\tpkg/a.js\t3\tF\twarn-once set keyed by literal ids\n\
         2\tunbounded-cache\tpkg/a.js\t3\tT\tgrows per request, keyed by request id\n"
    );
    assert!(check_label_file("twice", &twice, &rules).is_err());
}

#[test]
#[ignore = "needs the pinned corpora (bench/triage/README.md) and python3; \
            run: cargo test --release --test triage -- --ignored --nocapture"]
fn labeled_findings_hold_on_the_pinned_corpora() {
    let bin = std::env::var_os("LEAKLINT_TRIAGE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_leaklint")));
    let out = Command::new("python3")
        .arg(triage_dir().join("precision.py"))
        .arg("--bin")
        .arg(&bin)
        .output()
        .expect("python3 runs bench/triage/precision.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}{stderr}");
    match out.status.code() {
        Some(0) => {}
        // precision.py's exit 2: no corpus is present, so nothing was checked
        Some(2) => println!(
            "SKIPPED: neither triage corpus is present; fetch them as bench/triage/README.md says"
        ),
        _ => panic!(
            "triage labels do not hold for {} (see above)",
            bin.display()
        ),
    }
}
