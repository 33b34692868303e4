//! Bad input never crashes, hangs or corrupts a run: each case below runs the
//! built binary (or the library, where a race or a panic must be staged) and
//! checks the one-line message or `parse-error` problem, that the other files
//! are still linted, and the documented exit code (0 clean, 1 problems,
//! 2 I/O or internal error).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use leaklint::Severity;
use leaklint::diagnostic::{INTERNAL_ERROR, PARSE_ERROR};
use leaklint::engine::{self, RuleSet};
use leaklint::parse::Dialect;
use leaklint::rules::Rule;
use serde_json::Value;
use support::run::{Run, leaklint};

/// A leak the default rules report (`null-instead-of-delete`), so that a
/// test can tell "this file was linted" from "this file was skipped".
const LEAKY: &str = "const cache = {}\nfunction put(k, v) {\n  cache[k] = v\n  setTimeout(() => { cache[k] = null }, 5000)\n}\nmodule.exports = { put }\n";

/// What the robustness checks add to a run: the exit code the report implies
/// and the single fatal message of a file.
trait RunExt {
    fn code_from_report(&self) -> i32;
    fn only_fatal_message(&self, name: &str) -> String;
}

impl RunExt for Run {
    /// The exit code the README documents when no file had an I/O error:
    /// 1 when any error-level problem (parse errors included) was reported.
    fn code_from_report(&self) -> i32 {
        let errors: u64 = self
            .json()
            .iter()
            .map(|r| r["errorCount"].as_u64().unwrap())
            .sum();
        i32::from(errors > 0)
    }

    fn only_fatal_message(&self, name: &str) -> String {
        let file = self.result(name);
        let messages = file["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 1, "{name}: {messages:?}");
        assert_eq!(
            messages[0]["fatal"],
            Value::Bool(true),
            "{name}: {messages:?}"
        );
        assert_eq!(messages[0]["ruleId"], Value::Null, "{name}: {messages:?}");
        messages[0]["message"].as_str().unwrap().to_string()
    }
}

/// Runs `leaklint --format json ARGS` (unless ARGS pick a format) in `cwd`;
/// a hang, a crash or a panic message on stderr fails the test.
fn run_in(cwd: &Path, args: &[&std::ffi::OsStr]) -> Run {
    let format_given = args.iter().any(|a| *a == "--format");
    let default_format: &[&str] = if format_given {
        &[]
    } else {
        &["--format", "json"]
    };
    let run = leaklint(cwd)
        .args(default_format)
        .args(["--color", "never"])
        .args(args)
        .run();
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE"),
        "a panic reached stderr:\n{}",
        run.stderr
    );
    run
}

fn run(cwd: &Path, args: &[&str]) -> Run {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    run_in(cwd, &args)
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("leaky.js"), LEAKY).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The leaky file next to the odd one was linted and reported.
fn assert_leaky_linted(run: &Run) {
    assert!(
        run.rule_ids("leaky.js")
            .iter()
            .any(|r| r == "null-instead-of-delete"),
        "{}",
        run.stdout
    );
}

/// A stray Latin-1 byte does not hide the file: it is decoded lossily and
/// linted, with one warning at the first invalid byte's real line:column.
#[test]
fn invalid_utf8_is_a_warning_and_the_file_is_still_linted() {
    let dir = tree();
    write(dir.path(), "latin1.js", b"const s = '\xe9t\xe9'\n");
    let run = run(dir.path(), &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.code_from_report(), 1);
    let file = run.result("latin1.js");
    let messages = file["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert_eq!(m["severity"], 1, "{m}");
    assert_eq!(m["ruleId"], "parse-error", "{m}");
    assert_eq!(
        (m["line"].as_u64(), m["column"].as_u64()),
        (Some(1), Some(12))
    );
    let message = m["message"].as_str().unwrap();
    assert!(
        message.contains("not valid UTF-8")
            && message.contains("2 invalid byte sequences")
            && message.contains("offset 11"),
        "{message}"
    );
    assert_eq!(file["errorCount"], 0);
    assert_leaky_linted(&run);
}

#[test]
fn binary_file_named_js_is_a_parse_error() {
    let dir = tree();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..4096u32).map(|i| (i * 7 % 251) as u8));
    write(dir.path(), "image.js", png);
    let run = run(dir.path(), &["."]);
    assert_eq!(run.code, 1);
    let message = run.only_fatal_message("image.js");
    assert!(message.starts_with("binary file"), "{message}");
    assert_leaky_linted(&run);
}

#[test]
fn nul_bytes_are_a_parse_error_wherever_they_are() {
    let dir = tree();
    write(dir.path(), "early.js", b"var a = 1;\0var b = 2;\n");
    // Past the binary-file probe: the parser itself must reject it.
    let mut late = "// padding\n".repeat(1000).into_bytes();
    late.extend_from_slice(b"var c = '\0';\nvar d = \0;\n");
    write(dir.path(), "late.js", late);
    let run = run(dir.path(), &["."]);
    assert_eq!(run.code, 1);
    assert!(
        run.only_fatal_message("early.js")
            .starts_with("binary file")
    );
    let late_ids = run.rule_ids("late.js");
    assert_eq!(late_ids, ["<fatal>"], "{}", run.stdout);
    assert_leaky_linted(&run);
}

#[test]
fn empty_file_and_bom_only_file_are_clean() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.js", b"");
    write(dir.path(), "bom.ts", b"\xef\xbb\xbf");
    write(dir.path(), "bom-newline.tsx", b"\xef\xbb\xbf\n");
    let run = run(dir.path(), &["."]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for name in ["empty.js", "bom.ts", "bom-newline.tsx"] {
        assert!(run.rule_ids(name).is_empty(), "{name}: {}", run.stdout);
    }
}

/// A 20 MB minified bundle on one line, named explicitly (so the `*.min.js`
/// skip does not apply): linted to the end, its leak found at the far end.
#[test]
fn twenty_megabyte_one_line_bundle_named_explicitly() {
    let dir = tempfile::tempdir().unwrap();
    let mut bundle = String::from("var c={};");
    let mut i = 0;
    while bundle.len() < 20 * 1024 * 1024 {
        bundle.push_str(&format!(
            "function f{i}(a,b){{for(var i=0;i<a.length;i++)b[i]=a[i]*{i}+\"s{i}\";return b.length>{i}?a:[b,{{k:{i}}}]}}"
        ));
        i += 1;
    }
    bundle.push_str(
        "function put(k,v){c[k]=v;setTimeout(function(){c[k]=null},5e3)}module.exports=put;",
    );
    write(dir.path(), "bundle.min.js", &bundle);
    let run = run(dir.path(), &["bundle.min.js"]);
    assert_eq!(run.code, run.code_from_report(), "{}", run.stderr);
    let file = run.result("bundle.min.js");
    let messages = file["messages"].as_array().unwrap();
    let leak = messages
        .iter()
        .find(|m| m["ruleId"] == "null-instead-of-delete")
        .unwrap_or_else(|| panic!("{messages:?}"));
    assert_eq!(leak["line"], 1);
    assert!(leak["column"].as_u64().unwrap() > 20_000_000, "{leak:?}");
}

/// Source nested 50,000 levels deep, in every way the grammar nests: each is
/// either analysed or reported as too deep; none may overflow the stack.
#[test]
fn fifty_thousand_levels_of_nesting() {
    const N: usize = 50_000;
    let dir = tree();
    let d = dir.path();
    let rep = |s: &str| s.repeat(N);
    // Bracket nesting is refused before parsing (`MAX_NESTING`).
    write(
        d,
        "brackets.js",
        format!("x = {}1{};\n", rep("["), rep("]")),
    );
    write(d, "parens.js", format!("x = {}1{};\n", rep("("), rep(")")));
    write(d, "braces.js", format!("{}x;{}\n", rep("{"), rep("}")));
    write(
        d,
        "templates.js",
        format!("x = {}1{};\n", rep("`${"), rep("}`")),
    );
    // Nesting without brackets is analysed on the workers' large stack.
    write(d, "binary.js", format!("x = 1{};\n", rep("+1")));
    write(
        d,
        "strings.ts",
        format!("const s: string = 's'{};\n", rep(" + 's'")),
    );
    write(d, "power.js", format!("x = {}2;\n", rep("2**")));
    write(d, "ternary.js", format!("x = {}c;\n", rep("a?b:")));
    write(d, "arrows.js", format!("x = {}1;\n", rep("()=>")));
    write(d, "unary.js", format!("x = {}1;\n", rep("!")));
    write(d, "assign.js", format!("a{};\n", rep("=a")));
    write(d, "ifs.js", format!("{}x;\n", rep("if(a)")));
    write(d, "members.js", format!("x = a{};\n", rep(".b")));
    write(d, "calls.js", format!("x = a{};\n", rep("()")));
    write(
        d,
        "jsx.jsx",
        format!("x = {}{};\n", rep("<a>"), rep("</a>")),
    );
    write(d, "casts.ts", format!("let x = a{};\n", rep(" as A")));
    let run = run(d, &["-j", "2", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for name in ["brackets.js", "parens.js", "braces.js", "templates.js"] {
        let message = run.only_fatal_message(name);
        assert!(
            message.starts_with("nesting deeper than"),
            "{name}: {message}"
        );
    }
    for name in [
        "binary.js",
        "strings.ts",
        "power.js",
        "ternary.js",
        "arrows.js",
        "unary.js",
        "assign.js",
        "ifs.js",
        "members.js",
        "calls.js",
        "jsx.jsx",
        "casts.ts",
    ] {
        assert!(
            run.rule_ids(name).is_empty(),
            "{name}: {:?}",
            run.result(name)
        );
    }
    assert_leaky_linted(&run);
}

/// Nesting without brackets beyond what any stack holds (a million terms of
/// `1+1+…`, four million `!`, a million arrows) is a `parse-error`, found by
/// a scan before parsing; the other files are still linted.
#[test]
fn operator_chains_beyond_the_stack_are_parse_errors() {
    let dir = tree();
    let d = dir.path();
    write(d, "plus.js", format!("x = 1{};\n", "+1".repeat(1_000_000)));
    write(d, "not.js", format!("x = {}a;\n", "!".repeat(4_000_000)));
    write(
        d,
        "arrows.js",
        format!("x = {}1;\n", "a=>".repeat(1_000_000)),
    );
    // The same characters inside a string are no nesting at all.
    write(
        d,
        "string.js",
        format!("x = '{}';\n", "!".repeat(4_000_000)),
    );
    let run = run(d, &["-j", "2", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for name in ["plus.js", "not.js", "arrows.js"] {
        let message = run.only_fatal_message(name);
        assert!(
            message.starts_with("operators or statements chained deeper than"),
            "{name}: {message}"
        );
    }
    assert!(
        run.rule_ids("string.js").is_empty(),
        "{:?}",
        run.result("string.js")
    );
    assert_leaky_linted(&run);
}

/// The library entry point switches to a large stack by itself, so callers
/// on a small thread stack (tests, the fuzzer, embedders) are safe too.
#[test]
fn deep_nesting_through_the_library_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let text = format!("x = {}c;\n", "a?b:".repeat(50_000));
            for dialect in [Dialect::Js, Dialect::Ts, Dialect::Tsx] {
                let found = engine::lint_source_as(
                    Path::new("deep.js"),
                    &text,
                    dialect,
                    &RuleSet::default(),
                );
                assert!(found.is_empty(), "{dialect:?}: {found:?}");
            }
        })
        .unwrap();
    handle.join().expect("no stack overflow, no panic");
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_not_followed() {
    use std::os::unix::fs::symlink;
    let dir = tree();
    let d = dir.path();
    std::fs::create_dir(d.join("sub")).unwrap();
    symlink("..", d.join("sub/up")).unwrap();
    symlink("self.js", d.join("self.js")).unwrap();
    symlink("b.js", d.join("a.js")).unwrap();
    symlink("a.js", d.join("b.js")).unwrap();
    let walked = run(d, &["."]);
    assert_eq!(walked.code, 1, "{}", walked.stderr);
    assert_eq!(
        walked.json().len(),
        1,
        "only the real file is linted: {}",
        walked.stdout
    );
    assert!(
        walked.stderr.lines().all(|l| !l.starts_with("leaklint:")),
        "{}",
        walked.stderr
    );
    assert_leaky_linted(&walked);

    // Named explicitly, a looping link is an I/O error: one line, exit 2.
    let named = run(d, &["self.js", "leaky.js"]);
    assert_eq!(named.code, 2);
    let lines: Vec<&str> = named
        .stderr
        .lines()
        .filter(|l| l.contains("self.js"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", named.stderr);
    assert!(lines[0].starts_with("leaklint: self.js: "), "{}", lines[0]);
    assert_leaky_linted(&named);
}

#[cfg(unix)]
#[test]
fn fifo_and_socket_named_js_never_block() {
    let dir = tree();
    let d = dir.path();
    std::fs::create_dir(d.join("fifo")).unwrap();
    std::fs::create_dir(d.join("socket")).unwrap();
    let fifo = d.join("fifo/x.js");
    let status = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let _listener =
        std::os::unix::net::UnixListener::bind(d.join("socket/x.js")).expect("bind a unix socket");

    // Found by the walk: skipped silently (not regular files).
    let walked = run(d, &["."]);
    assert_eq!(walked.code, 1, "{}", walked.stderr);
    assert_eq!(walked.json().len(), 1, "{}", walked.stdout);
    assert_leaky_linted(&walked);

    // Named explicitly: one line each, exit 2, the other file still linted.
    let named = run(d, &["fifo/x.js", "socket/x.js", "leaky.js"]);
    assert_eq!(named.code, 2);
    for name in ["fifo/x.js", "socket/x.js"] {
        let line = named
            .stderr
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{}", named.stderr));
        assert!(line.contains("not a regular file"), "{line}");
    }
    assert_leaky_linted(&named);
}

#[test]
fn directory_named_like_a_source_file_is_walked_not_read() {
    let dir = tree();
    let d = dir.path();
    std::fs::create_dir(d.join("x.js")).unwrap();
    write(d, "x.js/inner.ts", "export const n: number = 1\n");
    for args in [&["."][..], &["x.js", "leaky.js"][..]] {
        let run = run(d, args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.lines().all(|l| !l.contains("x.js:")),
            "{}",
            run.stderr
        );
        assert!(run.rule_ids("x.js/inner.ts").is_empty());
        assert_leaky_linted(&run);
    }
}

#[test]
fn file_that_disappears_before_it_is_read() {
    let dir = tree();
    let gone = dir.path().join("gone.js");
    std::fs::write(&gone, "x = 1\n").unwrap();
    let files = vec![gone.clone(), dir.path().join("leaky.js")];
    std::fs::remove_file(&gone).unwrap();
    let results = engine::lint_files(&files, &RuleSet::default(), 2);
    assert_eq!(results.len(), 2);
    assert_eq!(
        results[0].error.as_deref(),
        Some("no such file or directory")
    );
    assert!(results[0].diagnostics.is_empty());
    assert!(
        results[1]
            .diagnostics
            .iter()
            .any(|d| d.rule == "null-instead-of-delete")
    );

    // The same through the CLI: one line on stderr, exit 2.
    let run = run(dir.path(), &["gone.js", "leaky.js"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr.lines().filter(|l| l.contains("gone.js")).count(),
        1,
        "{}",
        run.stderr
    );
    assert_leaky_linted(&run);
}

#[cfg(unix)]
#[test]
fn path_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tree();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.js");
    std::fs::write(dir.path().join(name), LEAKY).unwrap();
    for args in [
        vec![std::ffi::OsStr::new(".")],
        vec![name, std::ffi::OsStr::new("leaky.js")],
    ] {
        let run = run_in(dir.path(), &args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        // Shown lossily, linted normally.
        assert_eq!(
            run.rule_ids("caf\u{fffd}.js"),
            run.rule_ids("leaky.js"),
            "{}",
            run.stdout
        );
        assert_leaky_linted(&run);
    }
}

#[test]
fn windows_line_endings_keep_positions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "unix.js", LEAKY);
    write(dir.path(), "windows.js", LEAKY.replace('\n', "\r\n"));
    let run = run(dir.path(), &["."]);
    let positions = |name: &str| -> Vec<(u64, u64, u64, u64)> {
        run.result(name)["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let n = |k: &str| m[k].as_u64().unwrap();
                (n("line"), n("column"), n("endLine"), n("endColumn"))
            })
            .collect()
    };
    let unix = positions("unix.js");
    let null_line = run
        .rule_ids("unix.js")
        .iter()
        .position(|r| r == "null-instead-of-delete")
        .unwrap();
    assert_eq!(unix[null_line], (4, 22, 4, 37), "`cache[k] = null`");
    assert_eq!(positions("windows.js"), unix);
}

/// Output is byte-identical whatever the thread count (results come back in
/// walk order, not completion order).
#[test]
fn output_is_identical_across_thread_counts() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let fixtures = fixtures.to_str().unwrap();
    for format in ["json", "pretty"] {
        let outputs: Vec<String> = ["1", "2", "7"]
            .iter()
            .map(|j| {
                run(
                    Path::new(env!("CARGO_MANIFEST_DIR")),
                    &["--format", format, "-j", j, fixtures],
                )
                .stdout
            })
            .map(|out| {
                // The pretty summary ends with the elapsed time.
                out.lines()
                    .filter(|l| !l.contains(" linted in "))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect();
        assert!(outputs[0].len() > 100, "{format}: {}", outputs[0]);
        assert_eq!(outputs[0], outputs[1], "{format}: -j1 vs -j2");
        assert_eq!(outputs[0], outputs[2], "{format}: -j1 vs -j7");
    }
}

fn panicking_check(_: &mut leaklint::rules::RuleContext) {
    panic!("staged failure");
}

static PANICS: Rule = Rule {
    name: "staged-panic",
    summary: "panics on every file",
    default_severity: Severity::Error,
    fixable: false,
    docs: "",
    check: panicking_check,
};

/// A panic inside one file's analysis becomes that file's `internal-error`
/// (with where it happened) and the other files are still linted.
#[test]
fn panic_in_one_file_is_an_internal_error() {
    engine::install_panic_hook();
    let dir = tree();
    let broken = write(dir.path(), "broken.js", "x = 1\n");
    let mut rules = RuleSet::default();
    let files = vec![broken, dir.path().join("leaky.js")];
    let clean = engine::lint_files(&files, &rules, 2);
    assert!(clean[0].diagnostics.is_empty());

    rules.rules.push((&PANICS, Severity::Error));
    let results = engine::lint_files(&files, &rules, 2);
    for r in &results {
        assert_eq!(
            r.diagnostics.len(),
            1,
            "the failed file reports nothing else: {:?}",
            r.diagnostics
        );
        let d = &r.diagnostics[0];
        assert_eq!(d.rule, INTERNAL_ERROR);
        assert!(d.fatal);
        assert!(
            d.message.contains("staged failure at tests/robustness.rs:"),
            "{}",
            d.message
        );
    }
    // Panics outside an analysis still reach the default hook (not swallowed).
    let outside = std::panic::catch_unwind(|| panic!("outside"));
    assert!(outside.is_err());
}

/// A panic inside swc's parser (on invalid JSX) is that file's parse error,
/// not an internal error: exit 1, one message, the other files linted.
#[test]
fn parser_panic_is_a_parse_error() {
    let dir = tree();
    write(dir.path(), "namespaced.jsx", "x = <a:b.c />;\n");
    let run = run(dir.path(), &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let message = run.only_fatal_message("namespaced.jsx");
    assert!(
        message.starts_with("parsing error: the parser failed on this file"),
        "{message}"
    );
    assert_leaky_linted(&run);
}

/// Inputs the fuzzer once crashed on (or that stress a known weak spot),
/// linted in every dialect: never an internal error, spans inside the text.
#[test]
fn regression_fixtures_lint_in_every_dialect() {
    engine::install_panic_hook();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/robustness");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/robustness exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for dialect in [Dialect::Js, Dialect::Ts, Dialect::Tsx] {
            let found = engine::lint_source_as(&path, &text, dialect, &RuleSet::default());
            let source = leaklint::parse::strip_bom(&text);
            for d in &found {
                // A debug assertion inside swc itself (see the fixture's comment)
                // exists only in builds that compile dependencies with them.
                let name = path.file_name().unwrap().to_string_lossy();
                if d.rule == INTERNAL_ERROR
                    && name.starts_with("swc-debug-assert-")
                    && d.message.contains("swc_ecma_parser")
                {
                    continue;
                }
                assert_ne!(
                    d.rule,
                    INTERNAL_ERROR,
                    "{}: {dialect:?}: {}",
                    path.display(),
                    d.message
                );
                assert!(
                    d.span.end <= source.len() && d.span.start <= d.span.end,
                    "{}: {d:?}",
                    path.display()
                );
                if d.fatal {
                    assert_eq!(d.rule, PARSE_ERROR);
                }
            }
        }
    }
}
