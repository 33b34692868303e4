//! The everyday workflow on the built binary: config files, suppression
//! comments, `--fix`, stdin, ignored files.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::root;
use support::run::{Run, leaklint as binary};

/// The seed leak: a module-level cache whose entries are "removed" with null.
const SEED: &str = "const localCache = {}\n\nfunction setLocalCache(key, value) {\n  localCache[key] = value\n  setTimeout(() => { localCache[key] = null }, 5000)\n}\n\nmodule.exports = { setLocalCache }\n";

/// An unsafe fix: the assignment's value is used.
const UNSAFE: &str =
    "const cache = {}\n\nexport function evict(key) {\n  return (cache[key] = null)\n}\n";

fn leaklint(dir: &Path, args: &[&str]) -> Run {
    binary(dir).args(args).run()
}

fn leaklint_stdin(dir: &Path, args: &[&str], stdin: &str) -> Run {
    binary(dir).args(args).stdin(stdin).run()
}

/// A temporary tree: `files` are `(relative path, content)`.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn ids(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<_> = pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------- config

/// A medium finding: `update` shows no removal intent (see docs/confidence.md).
const MEDIUM: &str = "const results = {}\n\nexport function record(id, v) {\n  results[id] = v\n}\n\nexport function update(id) {\n  results[id] = null\n}\n";

#[test]
fn medium_findings_need_confidence_medium_on_the_command_line_or_in_config() {
    let dir = tree(&[("m.js", MEDIUM), ("seed.js", SEED)]);
    let nid = |run: &Run| {
        run.json()
            .iter()
            .flat_map(|f| f["messages"].as_array().cloned().unwrap_or_default())
            .filter(|m| m["ruleId"] == "null-instead-of-delete")
            .map(|m| {
                (
                    m["line"].as_u64().unwrap(),
                    m["confidence"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let default = leaklint(dir.path(), &["-f", "json", "."]);
    assert_eq!(
        nid(&default),
        vec![(5, "high".to_string())],
        "{}",
        default.stdout
    );
    let all = leaklint(dir.path(), &["-f", "json", "--confidence", "medium", "."]);
    let mut found = nid(&all);
    found.sort();
    assert_eq!(
        found,
        vec![(5, "high".to_string()), (8, "medium".to_string())],
        "{}",
        all.stdout
    );
    // Every message says why: the evidence is a list of short phrases.
    let evidence = all.result("m.js")["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["ruleId"] == "null-instead-of-delete")
        .map(|m| m["evidence"].clone())
        .unwrap();
    assert!(
        evidence.as_array().is_some_and(|e| e
            .iter()
            .any(|x| x.as_str().unwrap().contains("not shown to remove"))),
        "{evidence}"
    );
    std::fs::write(
        dir.path().join("leaklint.json"),
        r#"{ "confidence": "medium" }"#,
    )
    .unwrap();
    let configured = leaklint(dir.path(), &["-f", "json", "."]);
    assert_eq!(nid(&configured).len(), 2, "{}", configured.stdout);
    // The flag wins over the config.
    let flag = leaklint(dir.path(), &["-f", "json", "--confidence", "high", "."]);
    assert_eq!(nid(&flag).len(), 1, "{}", flag.stdout);
    std::fs::write(
        dir.path().join("leaklint.json"),
        r#"{ "confidence": "low" }"#,
    )
    .unwrap();
    let bad = leaklint(dir.path(), &["-f", "json", "."]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("leaklint.json:1:"), "{}", bad.stderr);
}

#[test]
fn a_directive_on_a_hidden_medium_finding_is_still_used() {
    // Filtering by confidence happens after suppression: the directive below
    // suppresses a medium finding, which the default output does not show,
    // and it must not be reported as unused.
    let text = MEDIUM.replace(
        "  results[id] = null",
        "  // leaklint-disable-next-line null-instead-of-delete -- null is a value here\n  results[id] = null",
    );
    let dir = tree(&[("m.js", &text)]);
    let only = "--rule=unbounded-cache=off";
    for args in [
        &["-f", "json", only, "m.js"][..],
        &["-f", "json", only, "--confidence", "medium", "m.js"],
    ] {
        let run = leaklint(dir.path(), args);
        assert_eq!(run.file_and_rule_ids(), vec![], "{args:?}: {}", run.stdout);
    }
}

#[test]
fn config_levels_turn_rules_off_and_change_severity() {
    let dir = tree(&[
        (
            "leaklint.json",
            r#"{ "rules": { "unbounded-cache": "off", "null-instead-of-delete": "warn" } }"#,
        ),
        ("seed.js", SEED),
    ]);
    let run = leaklint(dir.path(), &["-f", "json", "."]);
    assert_eq!(
        run.file_and_rule_ids(),
        ids(&[("seed.js", "null-instead-of-delete")]),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()[0]["messages"][0]["severity"], 1);
    assert_eq!(run.code, 0, "warnings only: exit 0");
    assert_eq!(leaklint(dir.path(), &["--max-warnings", "0", "."]).code, 1);
    // Without the config both rules report at error level.
    std::fs::remove_file(dir.path().join("leaklint.json")).unwrap();
    let run = leaklint(dir.path(), &["-f", "json", "."]);
    assert_eq!(
        run.file_and_rule_ids(),
        ids(&[
            ("seed.js", "null-instead-of-delete"),
            ("seed.js", "unbounded-cache")
        ])
    );
    assert_eq!(run.code, 1);
}

#[test]
fn the_nearest_config_applies_and_jsonc_comments_are_allowed() {
    let dir = tree(&[
        (
            "leaklint.json",
            r#"{ "rules": { "unbounded-cache": "off" } }"#,
        ),
        (
            "pkg/leaklint.jsonc",
            "{\n  // this package wants the other rule off\n  /* and no merging with the parent */\n  \"rules\": { \"null-instead-of-delete\": \"off\" }\n}\n",
        ),
        ("top.js", SEED),
        ("pkg/deep/inner.js", SEED),
    ]);
    let run = leaklint(dir.path(), &["-f", "json", "."]);
    assert_eq!(
        run.file_and_rule_ids(),
        ids(&[
            ("inner.js", "unbounded-cache"),
            ("top.js", "null-instead-of-delete")
        ]),
        "{}",
        run.stderr
    );
}

#[test]
fn overrides_match_globs_relative_to_the_config_file() {
    let dir = tree(&[
        (
            "leaklint.json",
            r#"{ "overrides": [
                 { "files": ["*.test.js"], "rules": { "unbounded-cache": "off", "null-instead-of-delete": "off" } },
                 { "files": ["legacy/**"], "excludedFiles": ["legacy/keep.js"], "rules": { "unbounded-cache": "off" } }
               ] }"#,
        ),
        ("a.test.js", SEED),
        ("src/b.test.js", SEED),
        ("legacy/old.js", SEED),
        ("legacy/keep.js", SEED),
    ]);
    let run = leaklint(dir.path(), &["-f", "json", "."]);
    assert_eq!(
        run.file_and_rule_ids(),
        ids(&[
            ("keep.js", "null-instead-of-delete"),
            ("keep.js", "unbounded-cache"),
            ("old.js", "null-instead-of-delete"),
        ]),
        "{}",
        run.stderr
    );
}

#[test]
fn ignore_patterns_are_relative_to_the_config_file() {
    let dir = tree(&[
        (
            "pkg/leaklint.json",
            r#"{ "ignorePatterns": ["gen/", "*.bundle.js"] }"#,
        ),
        ("pkg/gen/a.js", SEED),
        ("pkg/src/b.bundle.js", SEED),
        ("pkg/src/c.js", SEED),
        // Not under pkg/: pkg's patterns do not apply.
        ("gen/d.js", SEED),
    ]);
    let run = leaklint(dir.path(), &["-f", "json", "."]);
    let files: std::collections::BTreeSet<String> = run
        .file_and_rule_ids()
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        vec!["c.js".to_string(), "d.js".to_string()]
    );
    assert!(
        run.stderr.is_empty() || !run.stderr.contains("ignored"),
        "walked files are skipped quietly: {}",
        run.stderr
    );
}

#[test]
fn an_explicit_config_replaces_lookup() {
    let dir = tree(&[
        (
            "pkg/leaklint.json",
            r#"{ "rules": { "unbounded-cache": "off" } }"#,
        ),
        (
            "conf/strict.jsonc",
            r#"{ "rules": { "null-instead-of-delete": "off" } }"#,
        ),
        ("pkg/a.js", SEED),
    ]);
    let run = leaklint(
        dir.path(),
        &["-f", "json", "-c", "conf/strict.jsonc", "pkg"],
    );
    assert_eq!(
        run.file_and_rule_ids(),
        ids(&[("a.js", "unbounded-cache")]),
        "{}",
        run.stderr
    );
}

#[test]
fn print_config_shows_the_effective_rules_for_a_file() {
    let dir = tree(&[(
        "leaklint.json",
        r#"{ "rules": { "unbounded-cache": "warn" },
             "overrides": [{ "files": ["*.test.ts"], "rules": { "null-instead-of-delete": "off" } }],
             "linterOptions": { "reportUnusedDisableDirectives": "error" } }"#,
    )]);
    let run = leaklint(dir.path(), &["--print-config", "src/x.test.ts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["rules"]["unbounded-cache"], "warn");
    assert_eq!(v["rules"]["null-instead-of-delete"], "off");
    assert_eq!(v["rules"]["weakmap-fresh-key"], "error");
    assert_eq!(v["reportUnusedDisableDirectives"], "error");
    assert_eq!(v["ignored"], false);
    assert!(v["configFile"].as_str().unwrap().ends_with("leaklint.json"));
    // Every registered rule is listed.
    assert_eq!(
        v["rules"].as_object().unwrap().len(),
        leaklint::rules::RULES.len()
    );
}

/// Each bad config: exit 2 and a message with `file:line:col` and the key.
#[test]
fn config_errors_name_file_line_and_key() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "{\n  \"rules\": {\n    \"unbounded-cach\": \"off\"\n  }\n}",
            "leaklint.json:3:",
            "unknown rule `unbounded-cach`",
        ),
        (
            "{\n  \"rules\": { \"unbounded-cache\": \"warning\" }\n}",
            "leaklint.json:2:",
            "`unbounded-cache`",
        ),
        (
            // Trailing commas are fine (JSONC); a missing value is not.
            "{\n  \"rules\": { \"unbounded-cache\": \"off\", },\n  \"ignorePatterns\": [,]\n}",
            "leaklint.json:3:",
            "invalid JSON",
        ),
        (
            "{\n  // a comment\n  \"rulez\": {}\n}",
            "leaklint.json:3:",
            "unknown field `rulez`",
        ),
        (
            "{ \"overrides\": [{ \"rules\": {} }] }",
            "leaklint.json:1:",
            "missing field `files`",
        ),
        (
            "{ \"overrides\": [{ \"files\": [\"a/[\"] }] }",
            "leaklint.json:1:",
            "invalid glob `a/[`",
        ),
        (
            "{\n \"ignorePatterns\": \"dist\"\n}",
            "leaklint.json:2:",
            "`ignorePatterns`: an array of strings",
        ),
        (
            "{\n\n \"linterOptions\": { \"reportUnusedDisableDirectives\": \"loud\" } }",
            "leaklint.json:3:",
            "reportUnusedDisableDirectives",
        ),
        (
            "{\n \"settings\": {\n  \"boundedCaches\": \"QuickLRU\" } }",
            "leaklint.json:3:",
            "an array of names",
        ),
        (
            "{\n \"settings\": {\n  \"effectHooks\": [\"useMountEffect\", 3] } }",
            "leaklint.json:3:",
            "expected a name (a string), got 3",
        ),
        (
            "{ \"settings\": {\n\n  \"effectHooks\": [\"useMount()\"] } }",
            "leaklint.json:3:",
            "\"useMount()\" is not a name or a dotted path",
        ),
        (
            "{ \"settings\": {\n  \"boundedCache\": [] } }",
            "leaklint.json:2:",
            "unknown field `boundedCache`, expected `boundedCaches` or `effectHooks`",
        ),
        (
            "{ \"overrides\": [{ \"files\": [\"*.js\"],\n \"settings\": { \"effectHook\": [] } }] }",
            "leaklint.json:2:",
            "unknown field `effectHook`",
        ),
    ];
    for (config, place, key) in cases {
        let dir = tree(&[("leaklint.json", config), ("a.js", SEED)]);
        let run = leaklint(dir.path(), &["a.js"]);
        assert_eq!(
            run.code, 2,
            "config {config:?} must be an error: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(place),
            "`{place}` missing for {config:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(key),
            "`{key}` missing for {config:?}: {}",
            run.stderr
        );
        assert!(
            run.stdout.is_empty(),
            "no report on a config error: {}",
            run.stdout
        );
    }
    let dir = tree(&[("a.js", SEED)]);
    let run = leaklint(dir.path(), &["-c", "missing.json", "a.js"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.json"), "{}", run.stderr);
    let dir = tree(&[
        ("leaklint.json", "{}"),
        ("leaklint.jsonc", "{}"),
        ("a.js", SEED),
    ]);
    let run = leaklint(dir.path(), &["a.js"]);
    assert_eq!(
        run.code, 2,
        "two configs in one directory is ambiguous: {}",
        run.stderr
    );
}

#[test]
fn the_shipped_schema_is_generated_from_the_config_types() {
    let path = root().join("leaklint.schema.json");
    let fresh = leaklint::config::schema_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == fresh,
        "leaklint.schema.json is stale; regenerate with `UPDATE_SCHEMA=1 cargo test --test workflow schema`"
    );
    // The schema knows every rule, so editors complete rule names.
    let v: Value = serde_json::from_str(&shipped).unwrap();
    let text = v.to_string();
    for r in leaklint::rules::RULES {
        assert!(
            text.contains(&format!("\"{}\"", r.name)),
            "schema lacks rule {}",
            r.name
        );
    }
}

#[test]
fn ignored_files_named_explicitly_warn_unless_told_not_to() {
    let dir = tree(&[
        ("leaklint.json", r#"{ "ignorePatterns": ["dist/"] }"#),
        ("dist/out.js", SEED),
        ("ok.js", "export const x = 1\n"),
    ]);
    let run = leaklint(dir.path(), &["--max-warnings", "0", "dist/out.js", "ok.js"]);
    assert!(
        run.stderr.contains("dist/out.js") && run.stderr.contains("ignored"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.code, 1,
        "the ignored-file warning counts against --max-warnings"
    );
    let run = leaklint(
        dir.path(),
        &[
            "--max-warnings",
            "0",
            "--no-warn-ignored",
            "dist/out.js",
            "ok.js",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("ignored"), "{}", run.stderr);
}

#[test]
fn absolute_paths_find_their_config() {
    let dir = tree(&[
        (
            "pkg/leaklint.json",
            r#"{ "rules": { "unbounded-cache": "off" } }"#,
        ),
        ("pkg/a.js", SEED),
    ]);
    let abs = dir.path().join("pkg/a.js");
    let elsewhere = tempfile::tempdir().unwrap();
    let run = leaklint(elsewhere.path(), &["-f", "json", abs.to_str().unwrap()]);
    assert_eq!(
        run.file_and_rule_ids(),
        ids(&[("a.js", "null-instead-of-delete")]),
        "{}",
        run.stderr
    );
}

// --------------------------------------------------------------- settings

/// A module-level cache made by the project's own bounded collection: its
/// `Map` is not `Map`, but leaklint cannot know that.
const OWN_BOUNDED: &str = "import * as bounded from './bounded-collections'\nconst pages = new bounded.Map({ max: 500 })\nexport function remember(url, html) {\n  pages.set(url, html)\n}\n";

/// A class of the project's own, kept for good, whose eviction is not in
/// this file (a medium finding: the keys come from callers).
const OWN_CLASS: &str = "class TtlCache {\n  constructor() { this.items = {} }\n  put(k, v) { this.items[k] = { v, at: Date.now() } }\n}\nconst sessions = new TtlCache()\nexport function remember(k, v) { sessions.put(k, v) }\n";

fn unbounded_cache_files(run: &Run) -> Vec<String> {
    run.file_and_rule_ids()
        .into_iter()
        .filter(|(_, rule)| rule == "unbounded-cache")
        .map(|(file, _)| file)
        .collect()
}

#[test]
fn bounded_caches_named_in_settings_are_not_unbounded() {
    let dir = tree(&[
        ("src/pages.js", OWN_BOUNDED),
        ("src/sessions.js", OWN_CLASS),
        ("legacy/pages.js", OWN_BOUNDED),
    ]);
    let args = ["-f", "json", "--confidence", "medium", "--cache", "."];
    let before = leaklint(dir.path(), &args);
    assert_eq!(
        unbounded_cache_files(&before),
        vec!["pages.js", "pages.js", "sessions.js"],
        "{}",
        before.stdout
    );
    // The dotted name matches `bounded.Map`; the class is named by its
    // declaration. An override's `settings` replace the key for its files.
    let config = r#"{
      "settings": { "boundedCaches": ["bounded.Map", "TtlCache"] },
      "overrides": [{ "files": ["legacy/**"], "settings": { "boundedCaches": [] } }]
    }"#;
    std::fs::write(dir.path().join("leaklint.json"), config).unwrap();
    // `--cache` must not serve the findings made under the old settings.
    let after = leaklint(dir.path(), &args);
    let result = after.json();
    assert_eq!(
        unbounded_cache_files(&after),
        vec!["pages.js"],
        "{}",
        after.stdout
    );
    assert!(
        result
            .iter()
            .any(|f| f["filePath"].as_str().unwrap().contains("legacy")
                && !f["messages"].as_array().unwrap().is_empty()),
        "the override's empty list applies to legacy/: {}",
        after.stdout
    );
    // `--stdin` finds the same config.
    let stdin = leaklint_stdin(
        dir.path(),
        &["--stdin", "--stdin-filename", "src/other.js", "-f", "json"],
        OWN_BOUNDED,
    );
    assert_eq!(stdin.code, 0, "{}", stdin.stdout);
    // `--print-config` shows the effective settings of a file.
    let printed = leaklint(dir.path(), &["--print-config", "legacy/pages.js"]);
    let v: Value = serde_json::from_str(&printed.stdout).unwrap();
    assert_eq!(v["settings"]["boundedCaches"], serde_json::json!([]));
}

/// A project's own effect hook, imported from its own module.
const OWN_EFFECT: &str = "import { useState } from 'react'\nimport { useMountEffect } from './hooks'\nexport function Width() {\n  const [w, setW] = useState(0)\n  useMountEffect(() => {\n    const onResize = () => setW(window.innerWidth)\n    window.addEventListener('resize', onResize)\n  })\n  return w\n}\nexport function Height() {\n  const [h, setH] = useState(0)\n  useMountEffect(() => {\n    const onResize = () => setH(window.innerHeight)\n    window.addEventListener('resize', onResize)\n    return () => window.removeEventListener('resize', onResize)\n  })\n  return h\n}\n";

#[test]
fn effect_hooks_named_in_settings_are_checked_like_use_effect() {
    let dir = tree(&[("src/size.jsx", OWN_EFFECT)]);
    let lines = |run: &Run| -> Vec<(String, u64)> {
        run.json()
            .iter()
            .flat_map(|f| f["messages"].as_array().cloned().unwrap_or_default())
            .map(|m| {
                (
                    m["ruleId"].as_str().unwrap_or("<fatal>").to_string(),
                    m["line"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let args = ["-f", "json", "src"];
    let unknown = leaklint(dir.path(), &args);
    assert_eq!(lines(&unknown), vec![], "{}", unknown.stdout);
    std::fs::write(
        dir.path().join("leaklint.json"),
        r#"{ "settings": { "effectHooks": ["useMountEffect"] } }"#,
    )
    .unwrap();
    // Only the effect without a cleanup: the listener piles up per mount.
    let known = leaklint(dir.path(), &args);
    assert_eq!(
        lines(&known),
        vec![("unremoved-listener".to_string(), 7)],
        "{}",
        known.stdout
    );
}

// ----------------------------------------------------------- suppression

#[test]
fn suppressed_findings_reach_no_output() {
    let text = "const c = {}\nexport function put(k, v) {\n  c[k] = v // leaklint-disable-line unbounded-cache\n  // leaklint-disable-next-line null-instead-of-delete -- reviewed\n  setTimeout(() => { c[k] = null }, 10)\n}\n";
    let dir = tree(&[("a.js", text)]);
    let run = leaklint(dir.path(), &["-f", "json", "a.js"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()[0]["messages"].as_array().unwrap().len(), 0);
    let run = leaklint(dir.path(), &["a.js"]);
    assert!(
        !run.stdout.contains("unbounded-cache") && !run.stdout.contains("null-instead-of-delete"),
        "{}",
        run.stdout
    );
}

#[test]
fn report_unused_disable_directives_sets_the_level() {
    let text = "export const s = {}\ns.port = 80 // leaklint-disable-line unbounded-cache\n";
    let dir = tree(&[("a.js", text)]);
    let run = leaklint(dir.path(), &["-f", "json", "a.js"]);
    assert_eq!(
        run.file_and_rule_ids(),
        ids(&[("a.js", "unused-disable-directive")])
    );
    assert_eq!(
        run.json()[0]["messages"][0]["severity"],
        1,
        "warning by default"
    );
    assert_eq!(run.code, 0);
    let run = leaklint(
        dir.path(),
        &[
            "-f",
            "json",
            "--report-unused-disable-directives",
            "error",
            "a.js",
        ],
    );
    assert_eq!(run.json()[0]["messages"][0]["severity"], 2);
    assert_eq!(run.code, 1);
    let run = leaklint(
        dir.path(),
        &[
            "-f",
            "json",
            "--report-unused-disable-directives=off",
            "a.js",
        ],
    );
    assert_eq!(run.file_and_rule_ids(), vec![]);
    // The config sets it too, and the flag wins over the config.
    std::fs::write(
        dir.path().join("leaklint.json"),
        r#"{"linterOptions": {"reportUnusedDisableDirectives": "off"}}"#,
    )
    .unwrap();
    assert_eq!(
        leaklint(dir.path(), &["-f", "json", "a.js"]).file_and_rule_ids(),
        vec![]
    );
    let run = leaklint(
        dir.path(),
        &["--report-unused-disable-directives", "error", "a.js"],
    );
    assert_eq!(run.code, 1, "the flag wins over the config: {}", run.stdout);
}

// ------------------------------------------------------------------ fixes

#[test]
fn fix_removes_the_seed_leak_and_leaklint_is_then_silent() {
    let dir = tree(&[("seed.js", SEED)]);
    let run = leaklint(dir.path(), &["--fix", "seed.js"]);
    assert!(
        run.stderr
            .contains("fixed 1 problem in 1 file; 0 problems remain"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let fixed = std::fs::read_to_string(dir.path().join("seed.js")).unwrap();
    assert_eq!(
        fixed,
        SEED.replace("localCache[key] = null", "delete localCache[key]")
    );
    let again = leaklint(dir.path(), &["-f", "json", "seed.js"]);
    assert_eq!(again.file_and_rule_ids(), vec![], "{}", again.stdout);
    assert_eq!(again.code, 0);
}

#[test]
fn suppressed_findings_are_not_fixed() {
    let text = SEED.replace(
        "  setTimeout(",
        "  // leaklint-disable-next-line null-instead-of-delete -- the key set is fixed\n  setTimeout(",
    );
    let dir = tree(&[("seed.js", &text)]);
    let run = leaklint(dir.path(), &["--fix", "seed.js"]);
    assert!(run.stderr.contains("fixed 0 problems"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("seed.js")).unwrap(),
        text
    );
}

#[test]
fn fix_dry_run_prints_a_diff_and_changes_nothing() {
    let dir = tree(&[("seed.js", SEED)]);
    let run = leaklint(dir.path(), &["--fix-dry-run", "seed.js"]);
    assert!(
        run.stdout.contains("--- a/seed.js\n+++ b/seed.js\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\n-  setTimeout(() => { localCache[key] = null }, 5000)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\n+  setTimeout(() => { delete localCache[key] }, 5000)\n"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("would fix 1 problem"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("seed.js")).unwrap(),
        SEED
    );
}

#[test]
fn unsafe_fixes_need_fix_unsafe() {
    let dir = tree(&[("u.js", UNSAFE)]);
    let run = leaklint(dir.path(), &["--fix", "u.js"]);
    assert!(
        run.stderr
            .contains("fixed 0 problems in 0 files; 1 problem remains"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("u.js")).unwrap(),
        UNSAFE
    );
    assert!(
        run.stderr.contains("(1 of them fixable with --fix-unsafe"),
        "the summary points at --fix-unsafe: {}",
        run.stderr
    );
    let run = leaklint(dir.path(), &["--fix-unsafe", "u.js"]);
    assert!(
        !run.stderr.contains("fixable with --fix-unsafe"),
        "nothing is left for --fix-unsafe: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("fixed 1 problem in 1 file"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("u.js")).unwrap(),
        UNSAFE.replace("cache[key] = null", "delete cache[key]")
    );
}

#[test]
fn fix_keeps_crlf_line_endings_and_the_bom() {
    let crlf = format!("\u{feff}{}", SEED.replace('\n', "\r\n"));
    let dir = tree(&[("seed.js", &crlf)]);
    let run = leaklint(dir.path(), &["--fix", "seed.js"]);
    assert!(run.stderr.contains("fixed 1 problem"), "{}", run.stderr);
    let bytes = std::fs::read(dir.path().join("seed.js")).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "BOM lost");
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        text,
        crlf.replace("localCache[key] = null", "delete localCache[key]")
    );
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "a bare LF crept in"
    );
}

#[cfg(unix)]
#[test]
fn fix_keeps_permissions_and_refuses_read_only_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[("seed.js", SEED), ("ro.js", SEED)]);
    let rw = dir.path().join("seed.js");
    let ro = dir.path().join("ro.js");
    std::fs::set_permissions(&rw, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    let run = leaklint(dir.path(), &["--fix", "seed.js", "ro.js"]);
    assert_eq!(
        run.code, 2,
        "a file that could not be fixed is an error: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("ro.js: not fixed: the file is read-only"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&ro).unwrap(),
        SEED,
        "read-only file changed"
    );
    assert!(
        std::fs::read_to_string(&rw)
            .unwrap()
            .contains("delete localCache[key]")
    );
    assert_eq!(
        std::fs::metadata(&rw).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[cfg(unix)]
#[test]
fn fix_through_a_symlink_writes_the_target_and_keeps_the_link() {
    let dir = tree(&[("real/seed.js", SEED)]);
    std::os::unix::fs::symlink(dir.path().join("real/seed.js"), dir.path().join("link.js"))
        .unwrap();
    let run = leaklint(dir.path(), &["--fix", "link.js"]);
    assert!(run.stderr.contains("fixed 1 problem"), "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(dir.path().join("link.js"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(dir.path().join("real/seed.js"))
            .unwrap()
            .contains("delete localCache[key]")
    );
}

#[test]
fn a_file_changed_between_read_and_write_is_not_overwritten() {
    use leaklint::fix::{FileFix, FixError, FixLevel, fix_source};
    let dir = tree(&[("seed.js", SEED)]);
    let path = dir.path().join("seed.js");
    let file = FileFix::read(&path).unwrap();
    let text = file.text.clone().unwrap();
    let fixed = fix_source(&path, &text, &leaklint::RuleSet::default(), FixLevel::Safe).unwrap();
    assert_eq!(fixed.applied, 1);
    // Someone saves the file in an editor meanwhile.
    let edited = format!("{SEED}// edited\n");
    std::fs::write(&path, &edited).unwrap();
    assert_eq!(file.write(&fixed.output), Err(FixError::ChangedOnDisk));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
}

#[test]
fn a_fix_that_would_not_parse_is_never_written() {
    use leaklint::diagnostic::{Applicability, Edit, Fix};
    use leaklint::fix::{FixError, apply_fixes};
    let bad = Fix {
        title: "a broken rule".into(),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            range: SEED.find("= null").unwrap()..SEED.find("= null").unwrap() + 6,
            text: "= (null".into(),
        }],
    };
    let err = apply_fixes(Path::new("seed.js"), SEED, &[&bad]).unwrap_err();
    assert!(matches!(err, FixError::DoesNotParse(_)), "{err:?}");
}

#[test]
fn fix_fixtures_match_their_expected_output() {
    use leaklint::fix::{FixLevel, fix_source};
    let dir = root().join("fixtures/fix");
    let mut checked = 0;
    for path in support::fixture_files("fix") {
        let text = std::fs::read_to_string(&path).unwrap();
        for (suffix, level) in [
            ("fixed", FixLevel::Safe),
            ("unsafe-fixed", FixLevel::Unsafe),
        ] {
            let expected_path = PathBuf::from(format!("{}.{suffix}", path.display()));
            let Ok(expected) = std::fs::read_to_string(&expected_path) else {
                continue;
            };
            let fixed = fix_source(&path, &text, &leaklint::RuleSet::default(), level).unwrap();
            assert_eq!(fixed.output, expected, "{} with {level:?}", path.display());
            assert!(
                fixed.remaining.iter().all(|d| d
                    .fix
                    .as_ref()
                    .is_none_or(|f| !level.allows(f.applicability))),
                "{}: fixable problems remain: {:?}",
                path.display(),
                fixed.remaining
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 3,
        "fixtures/fix/ has too few <name>.fixed expectations (found {checked} in {})",
        dir.display()
    );
}

// ------------------------------------------------------------------ stdin

#[test]
fn stdin_is_linted_as_the_given_filename() {
    let dir = tree(&[(
        "src/leaklint.json",
        r#"{ "rules": { "unbounded-cache": "off" } }"#,
    )]);
    let run = leaklint_stdin(
        dir.path(),
        &["--stdin", "--stdin-filename", "src/a.js", "-f", "json"],
        SEED,
    );
    assert_eq!(
        run.file_and_rule_ids(),
        ids(&[("a.js", "null-instead-of-delete")]),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 1);
    // TypeScript syntax is parsed as TypeScript because of the name.
    let ts = "const c: Record<string, number> = {}\nexport function f(k: string, v: number): void { c[k] = v }\n";
    let run = leaklint_stdin(
        dir.path(),
        &["--stdin", "--stdin-filename", "b.ts", "-f", "json"],
        ts,
    );
    assert_eq!(
        run.file_and_rule_ids(),
        ids(&[("b.ts", "unbounded-cache")]),
        "{}",
        run.stderr
    );
}

#[test]
fn stdin_with_fix_prints_the_fixed_text() {
    let dir = tree(&[]);
    let run = leaklint_stdin(
        dir.path(),
        &["--stdin", "--stdin-filename", "a.js", "--fix"],
        SEED,
    );
    assert_eq!(
        run.stdout,
        SEED.replace("localCache[key] = null", "delete localCache[key]")
    );
    assert!(run.stderr.contains("fixed 1 problem"), "{}", run.stderr);
    assert_eq!(run.code, 0);
    // An ignored stdin file is echoed unchanged.
    std::fs::write(
        dir.path().join("leaklint.json"),
        r#"{ "ignorePatterns": ["vendor/"] }"#,
    )
    .unwrap();
    let run = leaklint_stdin(
        dir.path(),
        &[
            "--stdin",
            "--stdin-filename",
            "vendor/a.js",
            "--fix",
            "--no-warn-ignored",
        ],
        SEED,
    );
    assert_eq!(run.stdout, SEED);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
