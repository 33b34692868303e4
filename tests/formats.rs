//! CI output formats: golden files on a fixture tree and a clean tree, the
//! SARIF multitool's verdict, GitHub's escaping rules, real XML parsing, and
//! stable GitLab fingerprints.
//!
//! Update the golden files with `INSTA_UPDATE=always cargo test --test formats`
//! and read the diff.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use leaklint::diagnostic::{Diagnostic, Severity};
use leaklint::engine::FileResult;
use leaklint::report::repo::RepoRoot;
use leaklint::report::{Report, checkstyle, github, gitlab, junit};
use serde_json::Value;
use support::root;
use support::run::{Run, leaklint as binary};

const FORMATS: &[(&str, &str)] = &[
    ("sarif", "sarif"),
    ("github", "txt"),
    ("gitlab", "json"),
    ("checkstyle", "xml"),
    ("junit", "xml"),
    ("compact", "txt"),
];

fn tree() -> PathBuf {
    root().join("fixtures/formats/tree")
}

fn clean() -> PathBuf {
    root().join("fixtures/formats/clean")
}

/// Runs the binary in `dir` (so paths in the output are stable).
fn leaklint(dir: &Path, args: &[&str]) -> Run {
    binary(dir).args(args).run()
}

/// The tree has error- and warning-level findings: one rule runs as a warning.
fn lint_tree(dir: &Path, format: &str) -> Run {
    leaklint(
        dir,
        &["-f", format, "--rule", "weakmap-fresh-key=warn", "."],
    )
}

/// Machine-specific parts of an output: the checkout path and the version.
fn normalize(s: &str) -> String {
    let root = root().to_string_lossy().replace('\\', "/");
    let encoded = leaklint::report::sarif::encode_path(&root);
    let version = env!("CARGO_PKG_VERSION");
    s.replace(&encoded, "[ROOT]")
        .replace(&root, "[ROOT]")
        .replace(
            &format!("\"version\": \"{version}\""),
            "\"version\": \"[VERSION]\"",
        )
        .replace(
            &format!("\"semanticVersion\": \"{version}\""),
            "\"semanticVersion\": \"[VERSION]\"",
        )
}

/// SARIF without the rule descriptors, whose text comes from `rules/*.md` and
/// which every new rule extends: they are checked field by field in
/// `sarif_describes_every_rule_and_indexes_every_result`. Each `ruleIndex`
/// is shown as the id it points at, so the golden file still proves it.
fn sarif_for_snapshot(text: &str) -> String {
    let mut log: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let run = &mut log["runs"][0];
    let ids: Vec<Value> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    run["tool"]["driver"]["rules"] = Value::from("[descriptors of every rule]");
    for r in run["results"].as_array_mut().expect("results") {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        r["ruleIndex"] = Value::from(format!("[index of {}]", ids[i].as_str().unwrap()));
    }
    serde_json::to_string_pretty(&log).unwrap()
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => root().join("fixtures/formats/snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn golden_output_of_every_format_on_the_fixture_tree() {
    for (format, ext) in FORMATS {
        let run = lint_tree(&tree(), format);
        assert_eq!(
            run.code, 1,
            "{format}: error-level problems exit 1\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("problems"),
            "{format}: summary on stderr: {}",
            run.stderr
        );
        let text = if *format == "sarif" {
            sarif_for_snapshot(&run.stdout)
        } else {
            run.stdout
        };
        snapshot(&format!("tree.{format}.{ext}"), &normalize(&text));
    }
}

#[test]
fn golden_output_of_every_format_on_the_clean_tree() {
    for (format, ext) in FORMATS {
        let run = leaklint(&clean(), &["-f", format, "."]);
        assert_eq!(run.code, 0, "{format}: clean exits 0\n{}", run.stderr);
        let text = if *format == "sarif" {
            sarif_for_snapshot(&run.stdout)
        } else {
            run.stdout
        };
        snapshot(&format!("clean.{format}.{ext}"), &normalize(&text));
    }
    let sarif: Value =
        serde_json::from_str(&leaklint(&clean(), &["-f", "sarif", "."]).stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"],
        Value::Array(vec![]),
        "clean SARIF has `results: []`"
    );
    let gitlab = leaklint(&clean(), &["-f", "gitlab", "."]).stdout;
    assert_eq!(gitlab.trim(), "[]");
    assert_eq!(leaklint(&clean(), &["-f", "github", "."]).stdout, "");
    assert_eq!(leaklint(&clean(), &["-f", "compact", "."]).stdout, "");
}

fn sarif_of_tree() -> Value {
    serde_json::from_str(&lint_tree(&tree(), "sarif").stdout).expect("SARIF is JSON")
}

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results array")
}

fn result_in<'a>(sarif: &'a Value, file: &str) -> Vec<&'a Value> {
    results(sarif)
        .iter()
        .filter(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with(file)
        })
        .collect()
}

#[test]
fn sarif_describes_every_rule_and_indexes_every_result() {
    let sarif = sarif_of_tree();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["$schema"], leaklint::report::sarif::SCHEMA);
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "leaklint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    for rule in leaklint::rules::RULES {
        let d = rules
            .iter()
            .find(|d| d["id"] == rule.name)
            .unwrap_or_else(|| panic!("{} listed", rule.name));
        assert_eq!(d["shortDescription"]["text"], rule.summary);
        for field in ["/fullDescription/text", "/help/text", "/help/markdown"] {
            assert!(
                !d.pointer(field)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .is_empty(),
                "{field}"
            );
        }
        assert_eq!(
            d["defaultConfiguration"]["level"],
            rule.default_severity.as_str()
        );
        assert!(
            d["properties"]["tags"]
                .as_array()
                .is_some_and(|t| !t.is_empty())
        );
    }
    assert!(!results(&sarif).is_empty());
    for r in results(&sarif) {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at the rule");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri.starts_with("fixtures/formats/tree/src/"),
            "repo-relative uri: {uri}"
        );
        assert!(
            r["partialFingerprints"]["leaklint/v1"]
                .as_str()
                .is_some_and(|f| f.len() == 64)
        );
    }
    // Parse errors are results too, with their own descriptor.
    let broken = result_in(&sarif, "broken.ts");
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0]["ruleId"], "parse-error");
    assert_eq!(broken[0]["level"], "error");
    // Warnings keep their configured level.
    assert!(
        result_in(&sarif, "weak.ts")
            .iter()
            .all(|r| r["level"] == "warning")
    );
}

#[test]
fn sarif_columns_count_utf16_code_units() {
    let sarif = sarif_of_tree();
    let found = result_in(&sarif, "unicode.js");
    assert_eq!(found.len(), 1, "{found:?}");
    let region = &found[0]["locations"][0]["physicalLocation"]["region"];
    // `export function tag(clé, v) { const note = "café 😀"; étiquettes[clé] = …`:
    // 54 code units before the write (é = 1, 😀 = 2), so column 55. Bytes
    // would say 59 and code points 54.
    assert_eq!(region["startLine"], 4);
    assert_eq!(region["startColumn"], 55);
    let text = std::fs::read_to_string(tree().join("src/lib/unicode.js")).unwrap();
    let line = text.lines().nth(3).unwrap();
    let end = region["endColumn"].as_u64().unwrap() as usize;
    let units: Vec<u16> = line.encode_utf16().collect();
    assert_eq!(
        String::from_utf16(&units[54..end - 1]).unwrap(),
        "étiquettes[clé] = v"
    );
}

#[test]
fn sarif_carries_related_locations_and_fixes() {
    let sarif = sarif_of_tree();
    let sessions = result_in(&sarif, "sessions.js");
    let nulled = sessions
        .iter()
        .find(|r| r["ruleId"] == "null-instead-of-delete")
        .expect("null write found");
    let related = nulled["relatedLocations"]
        .as_array()
        .expect("related locations");
    assert!(
        related
            .iter()
            .all(|l| l["message"]["text"].as_str().is_some_and(|m| !m.is_empty()))
    );
    assert_eq!(related[0]["id"], 1);
    let change = &nulled["fixes"][0]["artifactChanges"][0];
    assert_eq!(
        change["artifactLocation"],
        nulled["locations"][0]["physicalLocation"]["artifactLocation"]
    );
    let replacement = &change["replacements"][0];
    assert_eq!(
        replacement["insertedContent"]["text"],
        "delete byToken[token]"
    );
    assert_eq!(
        replacement["deletedRegion"],
        nulled["locations"][0]["physicalLocation"]["region"]
    );
}

/// The multitool binary: `LEAKLINT_SARIF_MULTITOOL`, or where `.ci/run`
/// installs it (`target/sarif-tool`). The native binary is called directly:
/// the npm wrapper runs it through a shell, which splits `Sarif;Gh` at `;`.
fn multitool() -> Option<PathBuf> {
    let native = match std::env::consts::OS {
        "macos" => "sarif-multitool-darwin/Sarif.Multitool",
        "windows" => "sarif-multitool-win32/Sarif.Multitool.exe",
        _ => "sarif-multitool-linux/Sarif.Multitool",
    };
    let path = std::env::var_os("LEAKLINT_SARIF_MULTITOOL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            root()
                .join("target/sarif-tool/node_modules/@microsoft")
                .join(native)
        });
    path.exists().then_some(path)
}

/// Runs `sarif-multitool validate` with the SARIF and GitHub ingestion rule
/// sets; returns its findings as `(level, rule, message arguments)`.
fn validate(tool: &Path, dir: &Path, name: &str, sarif: &str) -> Vec<(String, String, String)> {
    let input = dir.join(format!("{name}.sarif"));
    std::fs::write(&input, sarif).unwrap();
    let log = dir.join(format!("{name}.validation.sarif"));
    let out = Command::new(tool)
        .args([
            "validate",
            "--rule-kind",
            "Sarif;Gh",
            "--log",
            "ForceOverwrite",
            "-o",
        ])
        .arg(&log)
        .arg(&input)
        .output()
        .expect("run the SARIF multitool");
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{name}: the validator failed:\n{console}"
    );
    let log = std::fs::read_to_string(&log)
        .unwrap_or_else(|e| panic!("no validation log ({e}):\n{console}"));
    let verdict: Value = serde_json::from_str(&log).expect("validation log is JSON");
    verdict["runs"]
        .as_array()
        .expect("validation runs")
        .iter()
        .flat_map(|r| r["results"].as_array().cloned().unwrap_or_default())
        .map(|r| {
            (
                // SARIF's default level is `warning`.
                r["level"].as_str().unwrap_or("warning").to_string(),
                r["ruleId"].as_str().unwrap_or("?").to_string(),
                r["message"]["arguments"].to_string(),
            )
        })
        .collect()
}

#[test]
#[ignore = "needs Microsoft's SARIF multitool from npm; run the full suite with `cargo test-all`"]
fn sarif_passes_the_multitool_validator_with_github_rules() {
    let Some(tool) = multitool() else {
        panic!(
            "the SARIF multitool is not installed: run `npm install --prefix target/sarif-tool @microsoft/sarif-multitool@5.7.0` (or set LEAKLINT_SARIF_MULTITOOL); .ci/run does"
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let tree_sarif = lint_tree(&tree(), "sarif").stdout;
    for (name, sarif) in [
        ("tree", tree_sarif.clone()),
        ("clean", leaklint(&clean(), &["-f", "sarif", "."]).stdout),
    ] {
        let findings = validate(&tool, dir.path(), name, &sarif);
        let errors: Vec<_> = findings.iter().filter(|f| f.0 == "error").collect();
        assert!(
            errors.is_empty(),
            "{name}: SARIF validator errors: {errors:#?}"
        );
        for (level, rule, args) in &findings {
            eprintln!("{name}: validator {level} {rule}: {args}");
        }
    }

    // Control: the validator does reject a result GitHub could not ingest
    // (no message text, no location), so a pass above means something.
    let mut broken: Value = serde_json::from_str(&tree_sarif).unwrap();
    let first = &mut broken["runs"][0]["results"][0];
    first["message"] = serde_json::json!({ "id": "missing" });
    first.as_object_mut().unwrap().remove("locations");
    let findings = validate(&tool, dir.path(), "broken", &broken.to_string());
    assert!(
        findings
            .iter()
            .any(|f| f.0 == "error" && f.1.starts_with("GH")),
        "{findings:#?}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f.0 == "error" && f.1.starts_with("SARIF")),
        "{findings:#?}"
    );
}

/// What GitHub's runner reads from one workflow command line: the command,
/// its properties (split on `,`, then on the first `=`) and its data, with
/// the runner's unescaping applied.
struct WorkflowCommand {
    name: String,
    props: Vec<(String, String)>,
    data: String,
}

fn unescape(s: &str, property: bool) -> String {
    let mut out = s.replace("%0D", "\r").replace("%0A", "\n");
    if property {
        out = out.replace("%3A", ":").replace("%2C", ",");
    }
    out.replace("%25", "%")
}

fn parse_command(line: &str) -> WorkflowCommand {
    let rest = line.strip_prefix("::").expect("commands start with ::");
    let (head, data) = rest.split_once("::").expect("a second :: before the data");
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), unescape(v, true))
        })
        .collect();
    WorkflowCommand {
        name: name.to_string(),
        props,
        data: unescape(data, false),
    }
}

fn prop<'a>(c: &'a WorkflowCommand, key: &str) -> Option<&'a str> {
    c.props
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn report_of(path: &str, cwd: &str, text: &str, diagnostics: Vec<Diagnostic>) -> Report {
    let result = FileResult {
        path: PathBuf::from(path),
        source: Some(Arc::from(text)),
        diagnostics,
        error: None,
    };
    Report::new(vec![result], Path::new(cwd), Duration::ZERO)
}

#[test]
fn github_commands_escape_data_and_properties() {
    let text = "let a = 1\nlet b = 2\n";
    let message = "100% of `a:b`, c\r\nnext line";
    let mut d = Diagnostic::new("unbounded-cache", 10..19, message).with_help("use 50%, not: 100%");
    d.severity = Severity::Error;
    let multi_line = Diagnostic::new("unbounded-cache", 0..19, "spans two lines");
    let report = report_of(
        "/nowhere/we,ird:dir/a%b.js",
        "/nowhere",
        text,
        vec![d, multi_line],
    );
    let out = github::render(&report, &RepoRoot::discover(Path::new("/nowhere")));

    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "one line per command, newlines escaped:\n{out}"
    );
    for line in &lines {
        let c = parse_command(line);
        // Properties may hold no raw `:` or `,` and the data no raw CR/LF.
        let head = line.split("::").nth(1).unwrap();
        assert_eq!(head.matches(',').count(), c.props.len() - 1, "{line}");
        assert!(!c.props.iter().any(|(_, v)| v.is_empty()));
        assert_eq!(prop(&c, "file"), Some("we,ird:dir/a%b.js"), "{line}");
        assert!(c.data.starts_with("we,ird:dir/a%b.js:"), "{line}");
    }
    let first = parse_command(lines[0]);
    assert_eq!(first.name, "error");
    assert_eq!(
        first.data,
        format!("we,ird:dir/a%b.js:2:1: {message}\nhelp: use 50%, not: 100%")
    );
    assert_eq!(prop(&first, "title"), Some("leaklint(unbounded-cache)"));
    assert_eq!(
        lines[0],
        "::error file=we%2Cird%3Adir/a%25b.js,line=2,endLine=2,col=1,endColumn=10,title=leaklint(unbounded-cache)::we,ird:dir/a%25b.js:2:1: 100%25 of `a:b`, c%0D%0Anext line%0Ahelp: use 50%25, not: 100%25"
    );
    // The runner drops col/endColumn on multi-line spans: they are not sent.
    let second = parse_command(lines[1]);
    assert_eq!(second.name, "warning");
    assert_eq!(
        (prop(&second, "line"), prop(&second, "endLine")),
        (Some("1"), Some("2"))
    );
    assert_eq!(
        (prop(&second, "col"), prop(&second, "endColumn")),
        (None, None)
    );
}

#[test]
fn github_orders_by_severity_and_counts_what_it_cannot_annotate() {
    let text = "x\n".repeat(30);
    let diag = |line: usize, sev: Severity| {
        let mut d = Diagnostic::new(
            "unbounded-cache",
            line * 2..line * 2 + 1,
            format!("finding on line {}", line + 1),
        );
        d.severity = sev;
        d
    };
    // Warnings first in the file, interleaved with errors.
    let mut diags: Vec<Diagnostic> = (0..11).map(|i| diag(i, Severity::Warning)).collect();
    diags.extend((11..23).map(|i| diag(i, Severity::Error)));
    let report = report_of("/nowhere/a.js", "/nowhere", &text, diags);
    let out = github::render(&report, &RepoRoot::discover(Path::new("/nowhere")));
    let commands: Vec<WorkflowCommand> = out.lines().map(parse_command).collect();
    let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
    let mut expected = vec!["error"; 12];
    expected.extend(vec!["warning"; 11]);
    expected.push("notice");
    assert_eq!(names, expected);
    // Within a severity, file order is kept.
    assert_eq!(prop(&commands[0], "line"), Some("12"));
    let notice = &commands.last().unwrap().data;
    assert!(
        notice.starts_with("2 more errors and 1 more warning than GitHub annotates"),
        "{notice}"
    );

    let few = report_of(
        "/nowhere/a.js",
        "/nowhere",
        &text,
        (0..10).map(|i| diag(i, Severity::Error)).collect(),
    );
    let out = github::render(&few, &RepoRoot::discover(Path::new("/nowhere")));
    assert!(
        !out.contains("::notice"),
        "no notice within the limit:\n{out}"
    );
}

#[test]
fn github_paths_resolve_from_the_repository_root_in_a_subdirectory() {
    let run = lint_tree(&tree().join("src/lib"), "github");
    let files: Vec<String> = run
        .stdout
        .lines()
        .filter_map(|l| prop(&parse_command(l), "file").map(str::to_string))
        .collect();
    assert_eq!(
        files,
        [
            "fixtures/formats/tree/src/lib/unicode.js",
            "fixtures/formats/tree/src/lib/weak.ts"
        ],
        "{}",
        run.stdout
    );

    // Outside any git repository: relative to the working directory.
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("pkg");
    std::fs::create_dir(&sub).unwrap();
    std::fs::copy(tree().join("src/lib/unicode.js"), sub.join("unicode.js")).unwrap();
    assert!(
        !dir.path().ancestors().any(|a| a.join(".git").exists()),
        "temp dir is not in a repository"
    );
    let run = leaklint(dir.path(), &["-f", "github", "."]);
    let c = parse_command(run.stdout.lines().next().expect("one annotation"));
    assert_eq!(prop(&c, "file"), Some("pkg/unicode.js"));
}

fn parse_xml(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut elements = Vec::new();
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("invalid XML: {e}\n{xml}"))
        {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("well-formed attribute");
                        let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                        (key, a.unescape_value().expect("valid escape").into_owned())
                    })
                    .collect();
                elements.push((name, attrs));
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    elements
}

fn attr<'a>(el: &'a (String, Vec<(String, String)>), key: &str) -> &'a str {
    el.1.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{key} on {el:?}"))
}

#[test]
fn xml_outputs_parse_and_round_trip_awkward_text() {
    for dir in [tree(), clean()] {
        for format in ["checkstyle", "junit"] {
            let run = lint_tree(&dir, format);
            let elements = parse_xml(&run.stdout);
            let json: Value = serde_json::from_str(&lint_tree(&dir, "json").stdout).unwrap();
            let files = json.as_array().unwrap().len();
            let problems: usize = json
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["messages"].as_array().unwrap().len())
                .sum();
            let count = |name: &str| elements.iter().filter(|e| e.0 == name).count();
            if format == "checkstyle" {
                assert_eq!(
                    (count("file"), count("error")),
                    (files, problems),
                    "{format} in {dir:?}"
                );
            } else {
                assert_eq!(count("testsuite"), files);
                assert_eq!(count("failure") + count("error"), problems);
            }
        }
    }

    let text = "let a = 1\n";
    let message = "a <b> & \"c\" 'd' é 😀 \u{1} ]]> end";
    let d = Diagnostic::new("unbounded-cache", 0..3, message);
    let report = report_of("/nowhere/x&y.js", "/nowhere", text, vec![d]);
    let cs = parse_xml(&checkstyle::render(&report));
    let error = cs.iter().find(|e| e.0 == "error").unwrap();
    let expected = message.replace('\u{1}', "\u{fffd}");
    assert_eq!(
        attr(error, "message"),
        format!("{expected} (unbounded-cache)")
    );
    assert_eq!(attr(error, "source"), "leaklint.rules.unbounded-cache");
    assert_eq!(
        attr(cs.iter().find(|e| e.0 == "file").unwrap(), "name"),
        "/nowhere/x&y.js"
    );
    let ju = junit::render(&report);
    let parsed = parse_xml(&ju);
    let failure = parsed.iter().find(|e| e.0 == "failure").unwrap();
    assert_eq!(attr(failure, "message"), expected);
    assert_eq!(
        attr(
            parsed.iter().find(|e| e.0 == "testcase").unwrap(),
            "classname"
        ),
        "/nowhere/x&y"
    );
}

fn fingerprints(path: &str, text: &str) -> Vec<String> {
    let diags = leaklint::lint_source(Path::new(path), text, &leaklint::RuleSet::default());
    let report = report_of(path, "/nowhere", text, diags);
    let out: Value = serde_json::from_str(&gitlab::render(
        &report,
        &RepoRoot::discover(Path::new("/nowhere")),
    ))
    .unwrap();
    out.as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn gitlab_fingerprints_survive_unrelated_edits_and_stay_unique() {
    let text = std::fs::read_to_string(tree().join("src/sessions.js")).unwrap();
    let before = fingerprints("/nowhere/sessions.js", &text);
    assert!(before.len() >= 2, "{before:?}");
    let moved = format!(
        "// a new comment\n\nimport x from 'y'\n{}",
        text.replace("  ", "    ")
    );
    assert_eq!(
        fingerprints("/nowhere/sessions.js", &moved),
        before,
        "lines moved, code re-indented"
    );
    assert_ne!(
        fingerprints("/nowhere/other.js", &text),
        before,
        "the path is part of it"
    );

    // The same line twice: the occurrence index tells them apart.
    let twice = "const c = {}\nexport function f(k, v) {\n  c[k] = v\n  c[k] = v\n}\n";
    let prints = fingerprints("/nowhere/twice.js", twice);
    assert_eq!(prints.len(), 2);
    assert_ne!(prints[0], prints[1]);

    let out: Value = serde_json::from_str(&lint_tree(&tree(), "gitlab").stdout).unwrap();
    let issues = out.as_array().unwrap();
    let mut all: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), issues.len(), "unique fingerprints");
    for i in issues {
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap())
        );
        assert!(
            i["location"]["path"]
                .as_str()
                .unwrap()
                .starts_with("fixtures/formats/tree/")
        );
    }
}

#[test]
fn output_file_gets_the_report_and_the_terminal_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.sarif");
    let run = leaklint(&tree(), &["-f", "sarif", "-o", file.to_str().unwrap(), "."]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("problems"), "{}", run.stderr);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(!results(&written).is_empty());
}

#[test]
fn compact_is_one_line_per_problem() {
    let run = lint_tree(&tree(), "compact");
    let re = regex::Regex::new(r"^[^:]+:\d+:\d+: (error|warning) .+ \[[a-z-]+\]$").unwrap();
    let json: Value = serde_json::from_str(&lint_tree(&tree(), "json").stdout).unwrap();
    let problems: usize = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["messages"].as_array().unwrap().len())
        .sum();
    assert_eq!(run.stdout.lines().count(), problems);
    for line in run.stdout.lines() {
        assert!(re.is_match(line), "{line}");
    }
    assert!(
        run.stdout.contains("src/lib/unicode.js:4:55: error "),
        "{}",
        run.stdout
    );
}
