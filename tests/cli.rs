//! The built binary, end to end: exit codes, file discovery (node_modules,
//! .gitignore, *.min.js, .d.ts, broken files), the `rules` and `explain`
//! commands, ESLint-shaped JSON and UTF-16 columns, and a snapshot of the
//! pretty output.

mod support;

use std::path::Path;

use serde_json::Value;
use support::root;
use support::run::{Run, leaklint as binary};

const PROJECT: &str = "fixtures/cli/project";

/// Runs the binary from the repository root, without colours.
fn leaklint(args: &[&str]) -> Run {
    leaklint_in(&root(), args)
}

fn leaklint_in(dir: &Path, args: &[&str]) -> Run {
    binary(dir).args(args).run()
}

/// `--format json` output, parsed.
fn json(args: &[&str]) -> (i32, Vec<Value>) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = leaklint(&all);
    let parsed: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{}", out.stdout));
    (
        out.code,
        parsed.as_array().expect("a LintResult[] array").clone(),
    )
}

/// The result of the file whose path ends with `suffix`.
fn result_for<'a>(results: &'a [Value], suffix: &str) -> &'a Value {
    results
        .iter()
        .find(|r| {
            r["filePath"]
                .as_str()
                .unwrap()
                .replace('\\', "/")
                .ends_with(suffix)
        })
        .unwrap_or_else(|| panic!("no result for {suffix} in {:#?}", file_names(results)))
}

fn file_names(results: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = results
        .iter()
        .map(|r| {
            let p = r["filePath"].as_str().unwrap().replace('\\', "/");
            p.split(PROJECT)
                .last()
                .unwrap()
                .trim_start_matches('/')
                .to_string()
        })
        .collect();
    names.sort();
    names
}

fn rule_ids(result: &Value) -> Vec<(Option<String>, u64)> {
    result["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["ruleId"].as_str().map(str::to_string),
                m["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn clean_tree_exits_0() {
    let out = leaklint(&["fixtures/cli/clean"]);
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(out.stdout.contains("no problems"), "{}", out.stdout);
    assert!(out.stdout.contains("2 files linted"), "{}", out.stdout);
}

#[test]
fn findings_exit_1() {
    let out = leaklint(&["fixtures/cli/project/src/leak.js"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let text = out.stdout;
    assert!(text.contains("unbounded-cache"), "{text}");
    assert!(text.contains("null-instead-of-delete"), "{text}");
}

#[test]
fn missing_path_exits_2_and_the_other_paths_are_still_linted() {
    let out = leaklint(&[
        "fixtures/cli/does-not-exist",
        "fixtures/cli/project/src/leak.js",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("does-not-exist"),
        "stderr: {}",
        out.stderr
    );
    let text = out.stdout;
    assert!(
        text.contains("unbounded-cache") && text.contains("leak.js"),
        "findings still printed:\n{text}"
    );
}

#[test]
fn walking_skips_dependencies_ignored_minified_and_declaration_files() {
    let (code, results) = json(&[PROJECT]);
    assert_eq!(code, 1);
    assert_eq!(
        file_names(&results),
        [
            "src/broken.js",
            "src/leak.js",
            "src/slots.ts",
            "src/unicode.js"
        ],
        "node_modules/, .gitignored files, *.min.js and *.d.ts are skipped"
    );
}

#[test]
fn a_broken_file_is_a_parse_error_and_the_others_are_still_linted() {
    let (code, results) = json(&[PROJECT]);
    assert_eq!(code, 1);
    let broken = result_for(&results, "src/broken.js");
    let messages = broken["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{broken:#}");
    let m = &messages[0];
    assert_eq!(m["ruleId"], Value::Null);
    assert_eq!(m["fatal"], Value::Bool(true));
    assert_eq!(m["severity"], 2);
    assert_eq!(
        (&m["line"], &m["column"]),
        (&Value::from(2), &Value::from(25)),
        "at the `{{` where `)` was expected: {m:#}"
    );
    assert_eq!(broken["fatalErrorCount"], 1);
    assert_eq!(broken["errorCount"], 1);

    let leak = result_for(&results, "src/leak.js");
    assert_eq!(
        rule_ids(leak),
        [
            (Some("unbounded-cache".into()), 4),
            (Some("null-instead-of-delete".into()), 5)
        ]
    );
    let slots = result_for(&results, "src/slots.ts");
    assert_eq!(
        rule_ids(slots),
        [(Some("null-instead-of-delete".into()), 4)]
    );
}

#[test]
fn a_broken_file_alone_exits_1() {
    let out = leaklint(&["fixtures/cli/project/src/broken.js"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("parse-error"), "{}", out.stdout);
}

#[test]
fn explicitly_named_files_are_linted_even_when_ignored() {
    let (code, results) = json(&[
        "fixtures/cli/project/src/ignored.js",
        "fixtures/cli/project/src/vendor.min.js",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        rule_ids(result_for(&results, "src/ignored.js")),
        [(Some("unbounded-cache".into()), 3)]
    );
    let min = rule_ids(result_for(&results, "src/vendor.min.js"));
    assert!(
        min.contains(&(Some("unbounded-cache".into()), 1)),
        "{min:?}"
    );
    assert!(
        min.contains(&(Some("null-instead-of-delete".into()), 1)),
        "{min:?}"
    );
}

#[test]
fn json_has_eslints_shape() {
    let (_, results) = json(&["fixtures/cli/project/src/leak.js"]);
    assert_eq!(results.len(), 1);
    let r = &results[0];
    let file_path = r["filePath"].as_str().unwrap();
    assert!(
        Path::new(file_path).is_absolute(),
        "filePath is absolute: {file_path}"
    );
    for key in [
        "errorCount",
        "fatalErrorCount",
        "warningCount",
        "fixableErrorCount",
        "fixableWarningCount",
    ] {
        assert!(r[key].is_u64(), "{key} missing in {r:#}");
    }
    assert_eq!(r["errorCount"], 2);
    assert_eq!(r["warningCount"], 0);
    assert_eq!(
        r["fixableErrorCount"], 1,
        "the null-instead-of-delete fix is safe"
    );

    let messages = r["messages"].as_array().unwrap();
    let cache = &messages[0];
    assert_eq!(cache["ruleId"], "unbounded-cache");
    assert_eq!(cache["severity"], 2);
    assert_eq!(
        (
            &cache["line"],
            &cache["column"],
            &cache["endLine"],
            &cache["endColumn"]
        ),
        (
            &Value::from(4),
            &Value::from(3),
            &Value::from(4),
            &Value::from(26)
        ),
        "`localCache[key] = value` on line 4, end exclusive: {cache:#}"
    );
    assert!(cache["message"].as_str().unwrap().contains("localCache"));
    assert!(
        cache["help"]
            .as_str()
            .is_some_and(|h| h.contains("delete localCache[key]"))
    );
    assert!(
        cache.get("fix").is_none(),
        "unbounded-cache has no automatic fix"
    );
    let labels = cache["labels"].as_array().unwrap();
    assert!(
        labels
            .iter()
            .any(|l| l["line"] == 1 && l["message"].as_str().unwrap().contains("module level")),
        "the declaration is labelled: {labels:#?}"
    );

    let null = &messages[1];
    assert_eq!(null["ruleId"], "null-instead-of-delete");
    assert_eq!(
        (&null["line"], &null["column"]),
        (&Value::from(5), &Value::from(22))
    );
    let fix = &null["fix"];
    assert_eq!(fix["text"], "delete localCache[key]");
    let range: Vec<usize> = fix["range"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let source = std::fs::read_to_string(root().join("fixtures/cli/project/src/leak.js")).unwrap();
    let units: Vec<u16> = source.encode_utf16().collect();
    assert_eq!(
        String::from_utf16(&units[range[0]..range[1]]).unwrap(),
        "localCache[key] = null"
    );
}

#[test]
fn columns_and_fix_ranges_count_utf16_units_after_non_ascii_text() {
    let (_, results) = json(&["fixtures/cli/project/src/unicode.js"]);
    let m = &results[0]["messages"][0];
    assert_eq!(m["ruleId"], "null-instead-of-delete");
    assert_eq!(m["line"], 3);
    // `function drop(clé) { const note = '😀 é'; ` is 41 chars, 42 UTF-16
    // units (the emoji is a surrogate pair) and 46 bytes.
    assert_eq!(m["column"], 43, "{m:#}");
    assert_eq!(
        m["endColumn"],
        43 + "entrées[clé] = null".encode_utf16().count(),
        "{m:#}"
    );
    let source =
        std::fs::read_to_string(root().join("fixtures/cli/project/src/unicode.js")).unwrap();
    let units: Vec<u16> = source.encode_utf16().collect();
    let range: Vec<usize> = m["fix"]["range"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(
        String::from_utf16(&units[range[0]..range[1]]).unwrap(),
        "entrées[clé] = null"
    );
    assert_eq!(m["fix"]["text"], "delete entrées[clé]");
}

#[test]
fn rules_lists_every_rule() {
    let out = leaklint(&["rules"]);
    assert_eq!(out.code, 0);
    let text = out.stdout;
    // Summaries are wrapped under their column: compare words.
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for rule in leaklint::rules::RULES {
        assert!(
            text.contains(rule.name),
            "`{}` missing from `leaklint rules`:\n{text}",
            rule.name
        );
        let summary = rule
            .summary
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            words.contains(&summary),
            "summary of `{}` missing",
            rule.name
        );
    }
    // A terminal table, not Markdown with links that mean nothing there.
    assert!(
        !text.contains("](") && !text.contains("|---") && !text.contains("| "),
        "{text}"
    );
}

#[test]
fn explain_prints_the_rule_doc() {
    let out = leaklint(&["explain", "unbounded-cache"]);
    assert_eq!(out.code, 0);
    let doc = leaklint::rules::find("unbounded-cache").unwrap().docs;
    // Rendered for a terminal: no fences, no heading marks, no link targets.
    let text = &out.stdout;
    assert!(
        !text.contains("```") && !text.contains("\n## ") && !text.contains(".md)"),
        "{text}"
    );
    // Every line of every code example is there, indented.
    let mut in_code = false;
    for line in doc.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        } else if in_code && !line.trim().is_empty() {
            assert!(
                text.contains(&format!("    {line}")),
                "example line {line:?} missing"
            );
        }
    }
    // And the prose, re-wrapped: every word of the page's first paragraph.
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let first = doc.split("\n\n").nth(1).unwrap_or_default();
    let first = first.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains(&first), "{first:?} missing");
}

#[test]
fn explain_an_unknown_rule_exits_2() {
    let out = leaklint(&["explain", "nope"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("nope"), "{}", out.stderr);
}

#[test]
fn gitignore_is_honoured_outside_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path();
    std::fs::create_dir_all(tree.join("dist")).unwrap();
    std::fs::create_dir_all(tree.join("src")).unwrap();
    std::fs::write(tree.join(".gitignore"), "dist/\n*.gen.js\n!keep.gen.js\n").unwrap();
    let leak = "const c = {}\nexport function f(k, v) { c[k] = v }\n";
    std::fs::write(tree.join("dist/bundle.js"), leak).unwrap();
    std::fs::write(tree.join("src/a.gen.js"), leak).unwrap();
    std::fs::write(tree.join("src/keep.gen.js"), leak).unwrap();
    std::fs::write(tree.join("src/ok.js"), "export const x = 1\n").unwrap();

    let out = leaklint_in(tree, &["--format", "json", "."]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let results: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let mut linted: Vec<String> = results
        .iter()
        .map(|r| {
            let p = Path::new(r["filePath"].as_str().unwrap());
            p.strip_prefix(tree.canonicalize().unwrap())
                .or_else(|_| p.strip_prefix(tree))
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    linted.sort();
    assert_eq!(
        linted,
        ["src/keep.gen.js", "src/ok.js"],
        "a negated pattern re-includes a file"
    );
}

#[test]
fn pretty_output_of_the_bundled_examples() {
    let out = leaklint(&["fixtures/examples"]);
    assert_eq!(out.code, 1);
    let text = out.stdout;
    assert!(!text.contains('\u{1b}'), "NO_COLOR: no escape sequences");
    let timing = regex::Regex::new(r"in \d+ms").unwrap();
    let text = timing.replace_all(&text, "in [time]");
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("examples-pretty", text);
    });
}

#[test]
fn every_valid_fixture_is_clean_under_all_rules() {
    // `valid-*` files are correct code: no rule may flag them, not only the
    // rule whose directory they are in.
    let mut files = Vec::new();
    for dir in std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .filter_map(|e| e.ok())
    {
        let dir_name = dir.file_name().to_string_lossy().to_string();
        for f in support::fixture_files(&dir_name) {
            if f.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("valid")
            {
                files.push(f.to_string_lossy().to_string());
            }
        }
    }
    assert!(
        files.len() >= 20,
        "found only {} valid fixtures",
        files.len()
    );
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let out = leaklint(&args);
    assert_eq!(out.code, 0, "valid fixtures with findings:\n{}", out.stdout);
}

#[test]
fn an_explicitly_named_declaration_file_is_linted_as_typescript() {
    let out = leaklint(&["fixtures/cli/project/src/types.d.ts"]);
    assert_eq!(
        out.code, 0,
        "no parse error on TypeScript declarations:\n{}",
        out.stdout
    );
    assert!(out.stdout.contains("1 file linted"), "{}", out.stdout);
}

#[test]
fn pretty_header_and_compact_agree_on_utf16_columns() {
    // `unicode.js` has non-ASCII text before the finding on the same line:
    // miette would count bytes; every format must count UTF-16 units.
    let file = "fixtures/formats/tree/src/lib/unicode.js";
    let pretty = leaklint(&["--color", "never", file]).stdout;
    let compact = leaklint(&["--format", "compact", file]).stdout;
    let position = compact
        .lines()
        .find(|l| l.contains("[unbounded-cache]"))
        .and_then(|l| l.strip_prefix(&format!("{file}:")))
        .and_then(|rest| rest.split(": ").next())
        .expect("a compact line for the finding")
        .to_string();
    assert!(
        pretty.contains(&format!("[{file}:{position}]")),
        "pretty header should show {position}:\n{pretty}"
    );
}
