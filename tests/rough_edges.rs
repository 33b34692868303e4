//! Rough edges a newcomer hits first, each end to end through the binary:
//! the summary of a run whose path does not exist, ESLint's severity forms
//! and trailing commas in `leaklint.json`, every unknown rule reported with
//! a suggestion, normalised `filePath`s, a file with an invalid UTF-8 byte,
//! and a label nested inside the primary span of a `.tsx` finding.

mod support;

use std::path::Path;

use support::run::leaklint;

const LEAK: &str = "const cache = {}\nexport function put(k, v) {\n  cache[k] = v\n}\n";

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_missing_path_is_not_summarised_as_no_problems() {
    let dir = tempfile::tempdir().unwrap();
    let out = leaklint(dir.path()).args(["does-not-exist"]).run();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("does-not-exist: no such file or directory"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("no problems"), "{}", out.stdout);
    assert!(
        out.stdout.contains("1 path could not be read"),
        "{}",
        out.stdout
    );
}

#[test]
fn config_accepts_eslint_severities_and_trailing_commas() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/a.js", LEAK);
    // `unbounded-cache` as a warning through ESLint's array form, a trailing
    // comma, and a numeric level.
    write(
        dir.path(),
        "leaklint.json",
        "{\n  \"rules\": {\n    \"unbounded-cache\": [\"warn\", {}],\n    \"unbounded-array\": 0,\n  },\n}\n",
    );
    let out = leaklint(dir.path()).args(["-f", "json", "src"]).run();
    assert_eq!(
        out.code, 0,
        "a warning does not fail the run: {}",
        out.stderr
    );
    let messages = out.result("src/a.js")["messages"].clone();
    assert_eq!(messages[0]["ruleId"], "unbounded-cache");
    assert_eq!(messages[0]["severity"], 1);

    write(
        dir.path(),
        "leaklint.json",
        "{\"rules\": {\"unbounded-cache\": 2}}",
    );
    let out = leaklint(dir.path()).args(["-f", "json", "src"]).run();
    assert_eq!(out.code, 1);
    assert_eq!(out.result("src/a.js")["messages"][0]["severity"], 2);
}

#[test]
fn every_unknown_rule_is_reported_with_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.js", LEAK);
    write(
        dir.path(),
        "leaklint.json",
        "{\"rules\": {\"unbounded-cach\": \"off\", \"zzzz-qqqq\": \"off\"},\n \"overrides\": [{\"files\": [\"*.js\"], \"rules\": {\"weakmap-fresh-keys\": \"warn\"}}]}",
    );
    let out = leaklint(dir.path()).args(["a.js"]).run();
    assert_eq!(out.code, 2);
    let err = &out.stderr;
    assert!(
        err.contains("leaklint.json:1:12: rules: unknown rule `unbounded-cach` (did you mean `unbounded-cache`?)"),
        "{err}"
    );
    assert!(
        err.contains("unknown rule `zzzz-qqqq` (run `leaklint rules`"),
        "{err}"
    );
    assert!(
        err.contains("leaklint.json:2:46: rules: unknown rule `weakmap-fresh-keys` (did you mean `weakmap-fresh-key`?)"),
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| l.starts_with("leaklint: ")).count(),
        3,
        "one prefixed line per unknown rule: {err}"
    );
    assert!(!out.stdout.contains("no problems"), "{}", out.stdout);
}

#[test]
fn rules_spells_severities_as_the_config_does() {
    let out = leaklint(Path::new(".")).args(["rules"]).run();
    assert_eq!(out.code, 0);
    let memo = out
        .stdout
        .lines()
        .find(|l| l.starts_with("unbounded-memoize "))
        .expect("a row for unbounded-memoize");
    assert_eq!(memo.split_whitespace().nth(1), Some("warn"), "{memo}");
}

#[test]
fn json_file_paths_are_absolute_and_normalised() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app/src/cache.js", LEAK);
    write(dir.path(), "web/x.js", LEAK);
    let out = leaklint(&dir.path().join("app"))
        .args(["-f", "json", "./src", "../web"])
        .run();
    let paths: Vec<String> = out
        .json()
        .iter()
        .map(|r| r["filePath"].as_str().unwrap().replace('\\', "/"))
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    for p in &paths {
        assert!(Path::new(p).is_absolute(), "{p}");
        assert!(!p.contains("/./") && !p.contains("/../"), "{p}");
        assert!(Path::new(p).is_file(), "{p} names the file");
    }
}

#[test]
fn an_invalid_utf8_byte_is_noted_and_the_file_still_linted() {
    let dir = tempfile::tempdir().unwrap();
    // A Latin-1 `é` in a comment on line 2, then the leak.
    let mut bytes = b"const cache = {}\n// caf".to_vec();
    bytes.push(0xE9);
    bytes.extend_from_slice(b"\nexport function put(k, v) {\n  cache[k] = v\n}\n");
    write(dir.path(), "latin1.js", &bytes);
    let out = leaklint(dir.path()).args(["-f", "json", "latin1.js"]).run();
    assert_eq!(out.code, 1, "the leak is still found: {}", out.stdout);
    let messages = out.result("latin1.js")["messages"].clone();
    let messages = messages.as_array().unwrap();
    let note = &messages[0];
    assert_eq!(note["ruleId"], "parse-error");
    assert_eq!(note["severity"], 1, "a warning, not a fatal error");
    assert!(note.get("fatal").is_none_or(|f| f == false), "{note}");
    assert_eq!(
        (note["line"].as_u64(), note["column"].as_u64()),
        (Some(2), Some(7))
    );
    assert!(
        note["message"].as_str().unwrap().contains("byte offset 23"),
        "{note}"
    );
    let leak = &messages[1];
    assert_eq!(leak["ruleId"], "unbounded-cache");
    assert_eq!(leak["line"], 4);

    // Standard input is read the same way.
    let stdin = leaklint(dir.path())
        .args(["-f", "json", "--stdin", "--stdin-filename", "latin1.js"])
        .stdin_bytes(bytes.clone())
        .run();
    assert_eq!(stdin.code, 1, "{}", stdin.stderr);
    let messages = stdin.result("latin1.js")["messages"].clone();
    assert_eq!(messages[0]["ruleId"], "parse-error");
    assert_eq!(
        (messages[0]["line"].as_u64(), messages[0]["column"].as_u64()),
        (Some(2), Some(7))
    );
    assert_eq!(messages[1]["ruleId"], "unbounded-cache");

    // --fix never writes a lossily decoded file back.
    let fixed = leaklint(dir.path()).args(["--fix", "latin1.js"]).run();
    assert_ne!(fixed.code, 0);
    assert_eq!(std::fs::read(dir.path().join("latin1.js")).unwrap(), bytes);
}

#[test]
fn a_label_inside_the_primary_span_points_at_its_own_text() {
    let dir = tempfile::tempdir().unwrap();
    let source = "import { useEffect } from 'react'\n\nexport function Widget(props: { id: string }) {\n  useEffect(() => {\n    const onResize = () => console.log(props.id)\n    window.addEventListener('resize', onResize)\n  }, [])\n  return <div>{props.id}</div>\n}\n";
    write(dir.path(), "Widget.tsx", source);
    let out = leaklint(dir.path()).args(["Widget.tsx"]).run();
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("[Widget.tsx:6:5]"), "{}", out.stdout);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let code = lines
        .iter()
        .position(|l| l.contains("window.addEventListener"))
        .expect("the line is shown");
    let column_of = |line: &str, needle: &str| line.find(needle).map(|b| line[..b].chars().count());
    let window = column_of(lines[code], "window").unwrap();
    // The underline row: the first `┬` (the `window` label) falls inside `window`.
    let arrow = column_of(lines[code + 1], "┬").expect("an arrow row");
    assert!(
        (window..window + "window".len()).contains(&arrow),
        "the arrow under `window` is at column {arrow}, `window` spans {window}..{}:\n{}",
        window + 6,
        out.stdout
    );
    let label_row = lines[code + 2..]
        .iter()
        .find(|l| l.contains("a global object"))
        .expect("the label of `window`");
    assert_eq!(column_of(label_row, "╰"), Some(arrow), "{}", out.stdout);
}
