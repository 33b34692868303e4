//! Baselines: `--write-baseline` records today's findings, `--baseline`
//! reports only new ones (stable under unrelated edits), `--prune-baseline`
//! drops fixed ones so that they are reported if they come back.

mod support;

use std::path::Path;

use support::run::{Run, leaklint};

const TWO_LEAKS: &str = "const cache = {}\nexport function put(k, v) {\n  cache[k] = v\n}\nconst seen = []\nexport function see(x) {\n  seen.push({ x })\n}\n";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["-f", "json"];
    all.extend_from_slice(args);
    leaklint(dir).args(&all).run()
}

/// `(rule, line)` of every problem reported.
fn problems(run: &Run) -> Vec<(String, u64, String)> {
    let mut out = Vec::new();
    for r in run.json() {
        for m in r["messages"].as_array().unwrap() {
            out.push((
                m["ruleId"].as_str().unwrap_or("<fatal>").to_string(),
                m["line"].as_u64().unwrap(),
                r["filePath"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
            ));
        }
    }
    out
}

#[test]
fn only_new_findings_are_reported_after_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/old.js", TWO_LEAKS);
    let before = run(dir.path(), &["src"]);
    assert_eq!(before.code, 1);
    assert_eq!(problems(&before).len(), 2);

    let wrote = run(
        dir.path(),
        &["--write-baseline", "leaklint-baseline.json", "src"],
    );
    assert_eq!(
        wrote.code, 0,
        "everything found is recorded: {}",
        wrote.stderr
    );
    assert!(
        wrote.stderr.contains("recorded 2 problems"),
        "{}",
        wrote.stderr
    );
    assert!(problems(&wrote).is_empty());

    let with = run(dir.path(), &["--baseline", "leaklint-baseline.json", "src"]);
    assert_eq!(with.code, 0, "{}", with.stdout);
    assert!(problems(&with).is_empty());
    assert!(
        with.stderr
            .contains("2 problems in the baseline not reported"),
        "{}",
        with.stderr
    );

    // Unrelated edits move the old findings down: still recorded.
    let shifted = format!("// a new header\nimport './setup.js'\n\n{TWO_LEAKS}");
    write(dir.path(), "src/old.js", &shifted);
    let with = run(dir.path(), &["--baseline", "leaklint-baseline.json", "src"]);
    assert!(problems(&with).is_empty(), "{:?}", problems(&with));

    // One new leak in the same file and one in a new file: only those two.
    let grown = format!(
        "{shifted}const byId = new Map()\nexport function keep(id, v) {{\n  byId.set(id, v)\n}}\n"
    );
    write(dir.path(), "src/old.js", &grown);
    write(
        dir.path(),
        "src/new.js",
        "const s = new Set()\nexport function add(x) {\n  s.add({ x })\n}\n",
    );
    let with = run(dir.path(), &["--baseline", "leaklint-baseline.json", "src"]);
    assert_eq!(with.code, 1);
    assert_eq!(
        problems(&with),
        vec![
            ("unbounded-cache".to_string(), 3, "new.js".to_string()),
            ("unbounded-cache".to_string(), 14, "old.js".to_string()),
        ]
    );
}

#[test]
fn a_second_identical_finding_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let one = "const cache = {}\nexport function a(k, v) {\n  cache[k] = v\n}\n";
    write(dir.path(), "a.js", one);
    run(dir.path(), &["--write-baseline", "b.json", "a.js"]);
    // The same line again in another function: the occurrence index differs.
    let two = "const cache = {}\nexport function a(k, v) {\n  cache[k] = v\n}\nexport function b(k, v) {\n  cache[k] = v\n}\n";
    write(dir.path(), "a.js", two);
    let with = run(dir.path(), &["--baseline", "b.json", "a.js"]);
    assert_eq!(problems(&with).len(), 1, "{:?}", problems(&with));
}

#[test]
fn pruning_drops_fixed_findings_so_that_they_come_back_as_new() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/old.js", TWO_LEAKS);
    run(dir.path(), &["--write-baseline", "base.json", "src"]);
    // The array leak is fixed.
    let fixed = TWO_LEAKS.replace(
        "  seen.push({ x })\n",
        "  seen.push({ x })\n  if (seen.length > 100) seen.shift()\n",
    );
    write(dir.path(), "src/old.js", &fixed);
    let with = run(dir.path(), &["--baseline", "base.json", "src"]);
    assert_eq!(with.code, 0);
    assert!(
        with.stderr
            .contains("1 entry of the baseline no longer found"),
        "{}",
        with.stderr
    );
    let pruned = run(
        dir.path(),
        &["--baseline", "base.json", "--prune-baseline", "src"],
    );
    assert_eq!(pruned.code, 0);
    assert!(
        pruned.stderr.contains("pruned 1 fixed problem"),
        "{}",
        pruned.stderr
    );
    let text = std::fs::read_to_string(dir.path().join("base.json")).unwrap();
    assert!(
        text.contains("unbounded-cache") && !text.contains("unbounded-array"),
        "{text}"
    );
    // The leak comes back: it is new now.
    write(dir.path(), "src/old.js", TWO_LEAKS);
    let with = run(dir.path(), &["--baseline", "base.json", "src"]);
    assert_eq!(with.code, 1);
    assert_eq!(
        problems(&with),
        vec![("unbounded-array".to_string(), 7, "old.js".to_string())]
    );
}

#[test]
fn a_broken_baseline_is_an_error_and_parse_errors_are_never_baselined() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.js", "const = ;\n");
    let wrote = run(dir.path(), &["--write-baseline", "b.json", "a.js"]);
    assert_eq!(wrote.code, 1, "a file that does not parse still fails");
    assert!(
        wrote.stderr.contains("recorded 0 problems"),
        "{}",
        wrote.stderr
    );
    write(dir.path(), "b.json", "{\"files\": 3}");
    let broken = run(dir.path(), &["--baseline", "b.json", "a.js"]);
    assert_eq!(broken.code, 2);
    assert!(
        broken.stderr.contains("not a leaklint baseline"),
        "{}",
        broken.stderr
    );
    let missing = run(dir.path(), &["--baseline", "nope.json", "a.js"]);
    assert_eq!(missing.code, 2);
}
