//! `--cache`: a warm run gives byte-identical results to a cold one, takes
//! unchanged files from the cache (shown by a doctored entry), re-lints a
//! file whose content or rules changed, keeps the cross-file join exact when
//! only one side of it changed, and survives a corrupt, truncated or foreign
//! cache file and concurrent runs. A file whose stat stamp is settled and
//! unchanged is not read; a write of the same size (modification time put
//! back) is still seen, and a file too recent to trust by its stamp is
//! hashed. A run that changes nothing does not rewrite the cache.

mod support;

use std::path::Path;

use serde_json::Value;
use support::run::{Run, leaklint};

const LEAK: &str = "const cache = {}\nexport function put(k, v) {\n  cache[k] = v\n}\n";
const CLEAN: &str = "export function add(a, b) {\n  return a + b\n}\n";
/// As long as [`LEAK`], and no leak: a fixed key.
const FIXED_KEY: &str = "const cache = {}\nexport function put(k, v) {\n  cache.kk = v\n}\n";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/leak.js", LEAK);
    write(dir.path(), "src/clean.js", CLEAN);
    // The cross-file pair: `sessions` is evicted by the sweeper.
    write(
        dir.path(),
        "src/store.mjs",
        "export const sessions = new Map()\n\nexport function touch(id, at) {\n  sessions.set(id, at)\n}\n",
    );
    write(
        dir.path(),
        "src/sweeper.mjs",
        "import { sessions } from './store.mjs'\n\nsetInterval(() => {\n  for (const [id] of sessions) sessions.delete(id)\n}, 60_000).unref()\n",
    );
    dir
}

fn lint(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["--cache", "-f", "json", "src"];
    args.extend_from_slice(extra);
    leaklint(dir).args(&args).run()
}

fn cache_file(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join(".leaklintcache")).expect("the cache is written");
    serde_json::from_str(&text).expect("the cache is JSON")
}

fn rules_of(run: &Run, suffix: &str) -> Vec<String> {
    run.result(suffix)["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["ruleId"].as_str().unwrap_or("<fatal>").to_string())
        .collect()
}

#[test]
fn a_warm_run_is_byte_identical_and_served_from_the_cache() {
    let dir = project();
    let cold = lint(dir.path(), &[]);
    assert_eq!(cold.code, 1, "{}", cold.stderr);
    let uncached = leaklint(dir.path()).args(["-f", "json", "src"]).run();
    assert_eq!(cold.stdout, uncached.stdout, "--cache changes nothing cold");
    let warm = lint(dir.path(), &[]);
    assert_eq!(warm.code, cold.code);
    assert_eq!(warm.stdout, cold.stdout, "warm output is byte-identical");
    assert!(!warm.stderr.contains("cache"), "{}", warm.stderr);

    // Doctor the cached message of the leak: a warm run shows it, which it
    // can only do if it did not lint the file again.
    let path = dir.path().join(".leaklintcache");
    let text = std::fs::read_to_string(&path).unwrap();
    let original = cold.result("src/leak.js")["messages"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    let key = serde_json::to_string(&original).unwrap();
    assert!(text.contains(&key), "the cache holds the message");
    std::fs::write(&path, text.replace(&key, "\"from the cache\"")).unwrap();
    let doctored = lint(dir.path(), &[]);
    assert_eq!(
        doctored.result("src/leak.js")["messages"][0]["message"],
        "from the cache"
    );
}

#[test]
fn changed_content_or_config_is_linted_again() {
    let dir = project();
    lint(dir.path(), &[]);
    // Content: the clean file now leaks.
    write(dir.path(), "src/clean.js", LEAK);
    let run = lint(dir.path(), &[]);
    assert_eq!(rules_of(&run, "src/clean.js"), vec!["unbounded-cache"]);
    // Config: the rule is turned off; both files must follow.
    write(
        dir.path(),
        "leaklint.json",
        "{\"rules\": {\"unbounded-cache\": \"off\"}}",
    );
    let run = lint(dir.path(), &[]);
    assert!(rules_of(&run, "src/clean.js").is_empty(), "{}", run.stdout);
    assert!(rules_of(&run, "src/leak.js").is_empty(), "{}", run.stdout);
    // And `--rule` on the command line, which no file records.
    let run = lint(dir.path(), &["--rule", "unbounded-cache=warn"]);
    assert_eq!(run.result("src/leak.js")["messages"][0]["severity"], 1);
    // And `--confidence`, which changes what a file reports.
    let medium = lint(dir.path(), &["--confidence", "medium"]);
    let uncached = leaklint(dir.path())
        .args(["-f", "json", "src", "--confidence", "medium"])
        .run();
    assert_eq!(medium.stdout, uncached.stdout);
    // A deleted file leaves the cache when it is next written.
    std::fs::remove_file(dir.path().join("src/clean.js")).unwrap();
    lint(dir.path(), &[]);
    let entries = cache_file(dir.path())["entries"].clone();
    assert!(
        !entries
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.ends_with("clean.js")),
        "{entries}"
    );
}

#[test]
fn the_cross_file_join_stays_exact_when_one_side_changes() {
    let dir = project();
    let cold = lint(dir.path(), &[]);
    assert!(
        rules_of(&cold, "src/store.mjs").is_empty(),
        "evicted by the sweeper"
    );
    // The sweeper stops evicting; store.mjs itself is unchanged (a cache
    // hit) and must now be reported.
    write(
        dir.path(),
        "src/sweeper.mjs",
        "import { sessions } from './store.mjs'\n\nconsole.log(sessions.size)\n",
    );
    let warm = lint(dir.path(), &[]);
    let uncached = leaklint(dir.path()).args(["-f", "json", "src"]).run();
    assert_eq!(warm.stdout, uncached.stdout);
    assert_eq!(rules_of(&warm, "src/store.mjs"), vec!["unbounded-cache"]);
    // And back: the sweeper evicts again, store.mjs is clean again.
    write(
        dir.path(),
        "src/sweeper.mjs",
        "import { sessions } from './store.mjs'\n\nsetInterval(() => {\n  for (const [id] of sessions) sessions.delete(id)\n}, 60_000).unref()\n",
    );
    let again = lint(dir.path(), &[]);
    assert!(
        rules_of(&again, "src/store.mjs").is_empty(),
        "{}",
        again.stdout
    );
}

#[test]
fn a_corrupt_truncated_or_foreign_cache_is_ignored_with_a_warning() {
    let dir = project();
    let cold = lint(dir.path(), &[]);
    let path = dir.path().join(".leaklintcache");
    let full = std::fs::read(&path).unwrap();
    for (what, bytes) in [
        ("truncated", full[..full.len() / 2].to_vec()),
        ("garbage", b"\x00\xffnot json".to_vec()),
        ("foreign", b"{\"version\": 3, \"files\": []}".to_vec()),
        ("empty", Vec::new()),
    ] {
        std::fs::write(&path, &bytes).unwrap();
        let run = lint(dir.path(), &[]);
        assert_eq!(run.stdout, cold.stdout, "{what}");
        assert_eq!(run.code, cold.code, "{what}");
        assert!(
            run.stderr.contains("ignoring the cache"),
            "{what}: {}",
            run.stderr
        );
        // Rewritten whole: the next run reads it without a warning.
        let next = lint(dir.path(), &[]);
        assert!(!next.stderr.contains("cache"), "{what}: {}", next.stderr);
    }
    // An entry that names a rule this build does not know is linted afresh.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("\"unbounded-cache\"", "\"no-such-rule\""),
    )
    .unwrap();
    let run = lint(dir.path(), &[]);
    assert_eq!(run.stdout, cold.stdout);
}

#[test]
fn cache_location_takes_a_file_or_a_directory() {
    let dir = project();
    std::fs::create_dir(dir.path().join("tmp")).unwrap();
    lint(dir.path(), &["--cache-location", "tmp"]);
    assert!(dir.path().join("tmp/.leaklintcache").is_file());
    lint(dir.path(), &["--cache-location", "other/lint.cache"]);
    assert!(dir.path().join("other/lint.cache").is_file());
    assert!(!dir.path().join(".leaklintcache").exists());
    // Without --cache nothing is read or written.
    leaklint(dir.path()).args(["src"]).run();
    assert!(!dir.path().join(".leaklintcache").exists());
}

#[test]
fn concurrent_runs_leave_a_valid_cache() {
    let dir = project();
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let d = dir.path().to_path_buf();
            std::thread::spawn(move || lint(&d, &[]))
        })
        .collect();
    let outputs: Vec<Run> = runs.into_iter().map(|h| h.join().unwrap()).collect();
    for o in &outputs[1..] {
        assert_eq!(o.stdout, outputs[0].stdout);
    }
    let cache = cache_file(dir.path());
    assert_eq!(cache["entries"].as_object().unwrap().len(), 4);
    let warm = lint(dir.path(), &[]);
    assert_eq!(warm.stdout, outputs[0].stdout);
    assert!(!warm.stderr.contains("cache"), "{}", warm.stderr);
}

/// The entry of the file whose path ends with `suffix`.
fn entry<'a>(cache: &'a Value, suffix: &str) -> &'a Value {
    cache["entries"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.ends_with(suffix))
        .map(|(_, e)| e)
        .unwrap_or_else(|| panic!("no entry for {suffix}"))
}

/// Replaces the recorded hash of `suffix`'s file by zeros; returns it.
fn doctor_hash(dir: &Path, suffix: &str) -> String {
    let real = entry(&cache_file(dir), suffix)["content"]
        .as_str()
        .unwrap()
        .to_string();
    let path = dir.join(".leaklintcache");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(&real).count(), 1, "one file has this content");
    std::fs::write(&path, text.replace(&real, &"0".repeat(real.len()))).unwrap();
    real
}

#[test]
fn a_settled_file_is_not_read_and_a_write_of_the_same_size_is_still_seen() {
    let dir = project();
    assert_eq!(FIXED_KEY.len(), LEAK.len());
    write(dir.path(), "src/clean.js", FIXED_KEY);
    // Let the files settle, as those of an untouched checkout are.
    std::thread::sleep(leaklint::cache::SETTLED + std::time::Duration::from_millis(300));
    let cold = lint(dir.path(), &[]);
    assert!(
        rules_of(&cold, "src/clean.js").is_empty(),
        "{}",
        cold.stdout
    );
    assert!(entry(&cache_file(dir.path()), "src/clean.js")["stamp"].is_array());

    // A wrong recorded hash goes unnoticed: the file was not read (and the
    // run, having changed nothing, did not rewrite the cache).
    doctor_hash(dir.path(), "src/clean.js");
    let path = dir.path().join(".leaklintcache");
    let doctored = std::fs::read(&path).unwrap();
    let warm = lint(dir.path(), &[]);
    assert_eq!(warm.stdout, cold.stdout);
    assert_eq!(std::fs::read(&path).unwrap(), doctored, "not rewritten");

    // Now it leaks: same size, modification time put back (as `cp -p` or
    // `touch -d` would). The change time moved, so it is read and linted.
    let file = dir.path().join("src/clean.js");
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    write(dir.path(), "src/clean.js", LEAK);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    assert_eq!(
        std::fs::metadata(&file).unwrap().len(),
        FIXED_KEY.len() as u64
    );
    let run = lint(dir.path(), &[]);
    assert_eq!(rules_of(&run, "src/clean.js"), vec!["unbounded-cache"]);
    let uncached = leaklint(dir.path()).args(["-f", "json", "src"]).run();
    assert_eq!(run.stdout, uncached.stdout);
}

#[test]
fn a_file_too_recent_for_its_stamp_is_hashed() {
    let dir = project();
    // A modification time in the future never settles, whatever the
    // machine's speed (files written within SETTLED of a run do the same;
    // see the unit tests of `cache::stamp`).
    let file = dir.path().join("src/clean.js");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let cold = lint(dir.path(), &[]);
    assert!(
        entry(&cache_file(dir.path()), "src/clean.js")
            .get("stamp")
            .is_none()
    );
    // The doctored hash is noticed: the file is read, linted and its entry
    // written back with the real hash.
    let real = doctor_hash(dir.path(), "src/clean.js");
    let warm = lint(dir.path(), &[]);
    assert_eq!(warm.stdout, cold.stdout);
    assert_eq!(
        entry(&cache_file(dir.path()), "src/clean.js")["content"],
        real
    );
    // Read and hashed again, found unchanged: nothing to write.
    let path = dir.path().join(".leaklintcache");
    let before = std::fs::read(&path).unwrap();
    let again = lint(dir.path(), &[]);
    assert_eq!(again.stdout, cold.stdout);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_cache_of_an_older_layout_is_replaced_quietly() {
    let dir = project();
    let cold = lint(dir.path(), &[]);
    let path = dir.path().join(".leaklintcache");
    // What the first layout looked like: hashes and rules per entry, no table.
    std::fs::write(
        &path,
        "{\"format\":\"leaklint-cache/1\",\"leaklint\":\"0\",\"registry\":\"\",\"entries\":{}}",
    )
    .unwrap();
    let run = lint(dir.path(), &[]);
    assert_eq!(run.stdout, cold.stdout);
    assert!(!run.stderr.contains("cache"), "{}", run.stderr);
    assert!(cache_file(dir.path())["rules"].is_array(), "rewritten");
}
