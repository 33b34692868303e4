//! The suppressions file (ESLint's bulk suppressions), driven through the
//! binary: `--suppress-all` records today's counts per file and rule, later
//! runs report only what is new (all of a rule's findings in a file once its
//! count is exceeded), unused counts fail the run until
//! `--prune-suppressions`, and a broken file is a clear error.

mod support;

use std::path::Path;

use serde_json::Value;
use support::run::{Run, leaklint};

const CACHE: &str = "const cache = {}\nexport function put(k, v) {\n  cache[k] = v\n}\n";
const ARRAY: &str = "const seen = []\nexport function see(x) {\n  seen.push({ x })\n}\n";
/// A second `unbounded-cache` leak, for a file that already has [`CACHE`].
const MORE_CACHE: &str =
    "const byId = new Map()\nexport function keep(id, v) {\n  byId.set(id, v)\n}\n";
const FILE: &str = "leaklint-suppressions.json";

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

/// The suppressions file as JSON.
fn recorded(dir: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `(file name, rule, line)` of every problem reported.
fn problems(run: &Run) -> Vec<(String, String, u64)> {
    let mut out = Vec::new();
    for r in run.json() {
        let name = r["filePath"].as_str().unwrap().replace('\\', "/");
        let name = name.rsplit('/').next().unwrap().to_string();
        for m in r["messages"].as_array().unwrap() {
            let rule = m["ruleId"].as_str().unwrap_or("<fatal>").to_string();
            out.push((name.clone(), rule, m["line"].as_u64().unwrap()));
        }
    }
    out.sort();
    out
}

fn problem(file: &str, rule: &str, line: u64) -> (String, String, u64) {
    (file.to_string(), rule.to_string(), line)
}

#[test]
fn after_suppress_all_only_a_new_leak_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/old.js", CACHE);
    write(dir.path(), "src/other.js", ARRAY);
    let before = run(dir.path(), &["src"]);
    assert_eq!(before.code, 1);
    assert_eq!(problems(&before).len(), 2);

    let suppressed = run(dir.path(), &["--suppress-all", "src"]);
    assert_eq!(suppressed.code, 0, "{}", suppressed.stderr);
    assert!(problems(&suppressed).is_empty());
    assert!(
        suppressed
            .stderr
            .contains("recorded 2 problems in leaklint-suppressions.json"),
        "{}",
        suppressed.stderr
    );
    assert_eq!(
        recorded(dir.path(), FILE),
        serde_json::json!({
            "src/old.js": { "unbounded-cache": { "count": 1 } },
            "src/other.js": { "unbounded-array": { "count": 1 } },
        })
    );

    // The file is read without being asked for; the findings are listed as
    // suppressed (ESLint's shape) and counted nowhere.
    let again = run(dir.path(), &["src"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let old = again.result("src/old.js");
    assert_eq!(old["errorCount"], 0);
    assert_eq!(old["suppressedMessages"][0]["ruleId"], "unbounded-cache");
    assert_eq!(
        old["suppressedMessages"][0]["suppressions"],
        serde_json::json!([{ "kind": "file", "justification": "" }])
    );
    let pretty = leaklint(dir.path()).args(["src"]).run();
    assert!(
        pretty
            .stdout
            .contains("✔ no problems · 2 suppressed · 2 files linted"),
        "{}",
        pretty.stdout
    );

    // Unrelated edits move the old finding down: still suppressed.
    let shifted = format!("// a new header\nimport './setup.js'\n\n{CACHE}");
    write(dir.path(), "src/old.js", &shifted);
    assert!(problems(&run(dir.path(), &["src"])).is_empty());

    // One new leak of another rule in the old file: that one only, exit 1.
    write(dir.path(), "src/old.js", &format!("{shifted}{ARRAY}"));
    let grown = run(dir.path(), &["src"]);
    assert_eq!(grown.code, 1);
    assert_eq!(problems(&grown), [problem("old.js", "unbounded-array", 10)]);
    // And in a new file: that one too.
    write(dir.path(), "src/new.js", CACHE);
    let grown = run(dir.path(), &["src"]);
    assert_eq!(
        problems(&grown),
        [
            problem("new.js", "unbounded-cache", 3),
            problem("old.js", "unbounded-array", 10)
        ]
    );
}

#[test]
fn over_its_count_every_finding_of_that_file_and_rule_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.js", &format!("{CACHE}{ARRAY}"));
    assert_eq!(run(dir.path(), &["--suppress-all", "a.js"]).code, 0);
    // A second cache leak in the same file: both cache findings show (a
    // count cannot tell the new one), the array one stays suppressed.
    write(dir.path(), "a.js", &format!("{CACHE}{ARRAY}{MORE_CACHE}"));
    let over = run(dir.path(), &["a.js"]);
    assert_eq!(over.code, 1);
    assert_eq!(
        problems(&over),
        [
            problem("a.js", "unbounded-cache", 3),
            problem("a.js", "unbounded-cache", 11)
        ]
    );
    assert_eq!(
        over.result("a.js")["suppressedMessages"][0]["ruleId"],
        "unbounded-array"
    );
    assert!(
        over.stderr.contains(
            "a.js: 2 unbounded-cache problems, 1 more than leaklint-suppressions.json allows"
        ),
        "{}",
        over.stderr
    );
    // Recording that rule again accepts both.
    let accepted = run(dir.path(), &["--suppress-rule", "unbounded-cache", "a.js"]);
    assert_eq!(accepted.code, 0, "{}", accepted.stderr);
    assert_eq!(
        recorded(dir.path(), FILE)["a.js"],
        serde_json::json!({ "unbounded-array": { "count": 1 }, "unbounded-cache": { "count": 2 } })
    );
}

#[test]
fn a_fixed_leak_fails_the_run_until_pruned_and_then_comes_back_as_new() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/a.js", &format!("{CACHE}{ARRAY}"));
    run(dir.path(), &["--suppress-all", "src"]);
    // The array leak is fixed.
    let fixed = format!(
        "{CACHE}{}",
        ARRAY.replace(
            "  seen.push({ x })\n",
            "  seen.push({ x })\n  if (seen.length > 100) seen.shift()\n"
        )
    );
    write(dir.path(), "src/a.js", &fixed);
    let stale = run(dir.path(), &["src"]);
    assert_eq!(stale.code, 2, "unused suppressions fail, as in ESLint");
    assert!(problems(&stale).is_empty());
    assert!(
        stale.stderr.contains("--prune-suppressions")
            && stale
                .stderr
                .contains("src/a.js: unbounded-array recorded 1, found 0"),
        "{}",
        stale.stderr
    );
    let passed = run(dir.path(), &["--pass-on-unpruned-suppressions", "src"]);
    assert_eq!(passed.code, 0, "{}", passed.stderr);
    assert!(!passed.stderr.contains("prune"), "{}", passed.stderr);
    // Only the files linted are compared.
    write(dir.path(), "test/b.js", "export const b = 1\n");
    assert_eq!(run(dir.path(), &["test"]).code, 0);

    let pruned = run(dir.path(), &["--prune-suppressions", "src"]);
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    assert!(
        pruned.stderr.contains("pruned 1 suppression"),
        "{}",
        pruned.stderr
    );
    assert_eq!(
        recorded(dir.path(), FILE),
        serde_json::json!({ "src/a.js": { "unbounded-cache": { "count": 1 } } })
    );
    assert_eq!(run(dir.path(), &["src"]).code, 0);
    // The leak comes back: it is new now.
    write(dir.path(), "src/a.js", &format!("{CACHE}{ARRAY}"));
    let back = run(dir.path(), &["src"]);
    assert_eq!(back.code, 1);
    assert_eq!(problems(&back), [problem("a.js", "unbounded-array", 7)]);

    // Everything fixed: the file's entry goes.
    write(dir.path(), "src/a.js", "export const a = 1\n");
    write(dir.path(), "lib/gone.js", CACHE);
    assert_eq!(run(dir.path(), &["--suppress-all", "lib"]).code, 0);
    assert_eq!(run(dir.path(), &["--prune-suppressions", "src"]).code, 0);
    assert_eq!(
        recorded(dir.path(), FILE),
        serde_json::json!({ "lib/gone.js": { "unbounded-cache": { "count": 1 } } })
    );
    // A deleted file's entry goes at the next prune, whatever is linted.
    std::fs::remove_file(dir.path().join("lib/gone.js")).unwrap();
    assert_eq!(run(dir.path(), &["--prune-suppressions", "src"]).code, 0);
    assert_eq!(recorded(dir.path(), FILE), serde_json::json!({}));
}

#[test]
fn keys_are_relative_to_the_working_directory_and_posix_for_absolute_paths() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    write(&app, "src/deep/a.js", CACHE);
    write(dir.path(), "lib/b.js", ARRAY);
    let a = app.join("src/deep/a.js");
    let b = dir.path().join("lib/b.js");
    let done = run(
        &app,
        &["--suppress-all", a.to_str().unwrap(), b.to_str().unwrap()],
    );
    assert_eq!(done.code, 0, "{}", done.stderr);
    let keys: Vec<String> = recorded(&app, FILE)
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, ["../lib/b.js", "src/deep/a.js"]);
    // Relative paths on the command line find the same entries.
    let rel = run(&app, &["src", "../lib"]);
    assert_eq!(rel.code, 0, "{}", rel.stderr);
    assert!(problems(&rel).is_empty());
}

#[test]
fn suppress_rule_records_those_rules_only_and_the_location_can_move() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.js", &format!("{CACHE}{ARRAY}"));
    let moved = ".config/leak-suppressions.json";
    let some = run(
        dir.path(),
        &[
            "--suppressions-location",
            moved,
            "--suppress-rule",
            "unbounded-array",
            "a.js",
        ],
    );
    assert_eq!(some.code, 1, "the cache leak is not recorded");
    assert_eq!(problems(&some), [problem("a.js", "unbounded-cache", 3)]);
    assert_eq!(
        recorded(dir.path(), moved),
        serde_json::json!({ "a.js": { "unbounded-array": { "count": 1 } } })
    );
    assert!(!dir.path().join(FILE).exists());
    // Without the location, the default file is read: there is none.
    assert_eq!(problems(&run(dir.path(), &["a.js"])).len(), 2);
    let with = run(dir.path(), &["--suppressions-location", moved, "a.js"]);
    assert_eq!(problems(&with), [problem("a.js", "unbounded-cache", 3)]);

    let typo = run(dir.path(), &["--suppress-rule", "unbounded-cach", "a.js"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("did you mean `unbounded-cache`"),
        "{}",
        typo.stderr
    );
    let both = run(
        dir.path(),
        &["--suppress-all", "--prune-suppressions", "a.js"],
    );
    assert_eq!(both.code, 2, "exclusive, as in ESLint");
}

#[test]
fn a_broken_or_missing_suppressions_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.js", CACHE);
    for (text, says) in [
        ("{ \"a.js\": 3", "not a leaklint suppressions file"),
        (
            "{ \"a.js\": { \"unbounded-cache\": { \"count\": \"two\" } } }",
            "not a leaklint suppressions file",
        ),
        ("{ \"version\": 1, \"files\": {} }", "--suppress-all"),
    ] {
        write(dir.path(), FILE, text);
        let broken = run(dir.path(), &["a.js"]);
        assert_eq!(broken.code, 2, "{text}");
        assert!(
            broken.stderr.contains(&format!("{FILE}: ")) && broken.stderr.contains(says),
            "{text}: {}",
            broken.stderr
        );
        // Not overwritten by a run that records either.
        assert_eq!(run(dir.path(), &["--suppress-all", "a.js"]).code, 2);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(FILE)).unwrap(),
            text
        );
    }
    std::fs::remove_file(dir.path().join(FILE)).unwrap();
    let missing = run(
        dir.path(),
        &["--suppressions-location", "nope.json", "a.js"],
    );
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("nope.json: no suppressions file"),
        "{}",
        missing.stderr
    );
}

#[test]
fn parse_errors_are_never_suppressed_and_keep_their_file_entry() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.js", CACHE);
    run(dir.path(), &["--suppress-all", "a.js"]);
    write(dir.path(), "a.js", "const = ;\n");
    let broken = run(dir.path(), &["--suppress-all", "a.js"]);
    assert_eq!(broken.code, 1, "a file that does not parse still fails");
    assert_eq!(problems(&broken), [problem("a.js", "<fatal>", 1)]);
    let pruned = run(dir.path(), &["--prune-suppressions", "a.js"]);
    assert_eq!(pruned.code, 1, "{}", pruned.stderr);
    // Its findings are unknown until it parses: the entry is kept.
    assert_eq!(
        recorded(dir.path(), FILE),
        serde_json::json!({ "a.js": { "unbounded-cache": { "count": 1 } } })
    );
}

#[test]
fn warnings_are_recorded_and_quiet_does_not_make_them_unused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.js", &format!("{CACHE}{ARRAY}"));
    let warn = ["--rule", "unbounded-array=warn"];
    let args = |extra: &[&'static str]| [&warn[..], extra, &["a.js"]].concat();
    let done = run(dir.path(), &args(&["--suppress-all"]));
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert_eq!(
        recorded(dir.path(), FILE)["a.js"]["unbounded-array"]["count"],
        1
    );
    let strict = run(dir.path(), &args(&["--max-warnings", "0"]));
    assert_eq!(strict.code, 0, "{}", strict.stderr);
    let quiet = run(dir.path(), &args(&["--quiet"]));
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
}

#[test]
fn stdin_is_filtered_like_the_file_but_never_fails_on_unused_counts() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.js", &format!("{CACHE}{ARRAY}"));
    run(dir.path(), &["--suppress-all", "a.js"]);
    let piped = |text: &str| {
        leaklint(dir.path())
            .args(["-f", "json", "--stdin", "--stdin-filename", "a.js"])
            .stdin(text)
            .run()
    };
    let same = piped(&format!("{CACHE}{ARRAY}"));
    assert_eq!((same.code, problems(&same)), (0, vec![]), "{}", same.stderr);
    let fewer = piped(CACHE);
    assert_eq!(fewer.code, 0, "{}", fewer.stderr);
    let more = piped(&format!("{CACHE}{ARRAY}{MORE_CACHE}"));
    assert_eq!(more.code, 1);
    // `--fix` on stdin: the fixed text on stdout, the problems left on
    // stderr, filtered the same way.
    let fixing = |text: &str| {
        leaklint(dir.path())
            .args(["--stdin", "--stdin-filename", "a.js", "--fix"])
            .stdin(text)
            .run()
    };
    let same = fixing(&format!("{CACHE}{ARRAY}"));
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert_eq!(same.stdout, format!("{CACHE}{ARRAY}"));
    let more = fixing(&format!("{CACHE}{ARRAY}{MORE_CACHE}"));
    assert_eq!(more.code, 1, "{}", more.stderr);
    assert!(
        more.stderr.contains("2 unbounded-cache problems"),
        "{}",
        more.stderr
    );
    let refused = leaklint(dir.path())
        .args(["--stdin", "--suppress-all"])
        .stdin(CACHE)
        .run();
    assert_eq!(refused.code, 2);
}
