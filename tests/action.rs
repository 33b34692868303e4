//! The GitHub Action (`action.yml`, a composite action) and the script it
//! runs (`npm/action/run.sh`): each input as the runner passes it (an
//! environment variable), the exit code per fail level, annotations on
//! stdout, the SARIF file and the step outputs, and the project's own
//! leaklint preferred over an install. Needs bash (not node: the binary
//! cargo built stands in for the npm one).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::root;

const LEAK: &str = "const cache = {}\nexport function put(k, v) {\n  cache[k] = v\n}\n";

struct Step {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: String,
}

/// Runs the action's script in `dir` with `inputs` (`LEAKLINT_*` names).
fn step(dir: &Path, inputs: &[(&str, &str)], bin: Option<&Path>) -> Step {
    let outputs = dir.join("github-output.txt");
    let _ = std::fs::remove_file(&outputs);
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("npm/action/run.sh"))
        .current_dir(dir)
        .env("GITHUB_OUTPUT", &outputs)
        .env("NO_COLOR", "1")
        .env_remove("LEAKLINT_BIN");
    if let Some(bin) = bin {
        cmd.env("LEAKLINT_BIN", bin);
    }
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("bash runs the action's script");
    Step {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        outputs: std::fs::read_to_string(&outputs).unwrap_or_default(),
    }
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_leaklint"))
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn annotations_and_exit_codes_per_fail_level() {
    let dir = project(&[("src/a.js", LEAK)]);
    let bin = binary();
    let s = step(dir.path(), &[("LEAKLINT_PATHS", "src")], Some(&bin));
    assert_eq!(s.code, 1, "{}", s.stderr);
    assert!(
        s.stdout.contains("::error file=src/a.js,line=3"),
        "{}",
        s.stdout
    );
    assert!(s.outputs.contains("exit-code=1"), "{}", s.outputs);

    let s = step(
        dir.path(),
        &[("LEAKLINT_PATHS", "src"), ("LEAKLINT_FAIL_LEVEL", "none")],
        Some(&bin),
    );
    assert_eq!(s.code, 0, "report only");
    assert!(s.stdout.contains("::error file=src/a.js"), "{}", s.stdout);

    // A warning-level finding: fails only with fail level `warning`.
    std::fs::write(
        dir.path().join("leaklint.json"),
        "{\"rules\": {\"unbounded-cache\": \"warn\"}}",
    )
    .unwrap();
    let s = step(dir.path(), &[("LEAKLINT_PATHS", "src")], Some(&bin));
    assert_eq!(s.code, 0, "{}", s.stdout);
    assert!(s.stdout.contains("::warning file=src/a.js"), "{}", s.stdout);
    let s = step(
        dir.path(),
        &[
            ("LEAKLINT_PATHS", "src"),
            ("LEAKLINT_FAIL_LEVEL", "warning"),
        ],
        Some(&bin),
    );
    assert_eq!(s.code, 1);
}

#[test]
fn report_only_passes_on_counts_left_from_fixed_leaks() {
    // The leak was fixed, its count is still in the suppressions file: a
    // failing run asks for `--prune-suppressions` (exit 2, as ESLint does);
    // a report-only step must not fail on it.
    let dir = project(&[
        ("src/a.js", "export const ok = 1\n"),
        (
            "leaklint-suppressions.json",
            "{\"src/a.js\": {\"unbounded-cache\": {\"count\": 1}}}\n",
        ),
    ]);
    let bin = binary();
    let s = step(dir.path(), &[("LEAKLINT_PATHS", "src")], Some(&bin));
    assert_eq!(
        s.code, 2,
        "unused suppressions fail by default: {}",
        s.stderr
    );
    let s = step(
        dir.path(),
        &[("LEAKLINT_PATHS", "src"), ("LEAKLINT_FAIL_LEVEL", "none")],
        Some(&bin),
    );
    assert_eq!(s.code, 0, "report only: {}", s.stderr);
}

#[test]
fn sarif_goes_to_the_named_file_and_the_step_output() {
    let dir = project(&[("src/a.js", LEAK), ("lib/b.js", LEAK)]);
    let s = step(
        dir.path(),
        &[
            ("LEAKLINT_PATHS", "src lib"),
            ("LEAKLINT_FORMAT", "sarif"),
            ("LEAKLINT_SARIF_FILE", "out/leaklint.sarif"),
            ("LEAKLINT_FAIL_LEVEL", "none"),
        ],
        Some(&binary()),
    );
    assert_eq!(
        s.code, 2,
        "the output directory does not exist: an I/O error fails the step"
    );
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let s = step(
        dir.path(),
        &[
            ("LEAKLINT_PATHS", "src lib"),
            ("LEAKLINT_FORMAT", "sarif"),
            ("LEAKLINT_SARIF_FILE", "out/leaklint.sarif"),
            ("LEAKLINT_FAIL_LEVEL", "none"),
        ],
        Some(&binary()),
    );
    assert_eq!(s.code, 0, "{}", s.stderr);
    assert!(
        s.outputs.contains("sarif-file=out/leaklint.sarif"),
        "{}",
        s.outputs
    );
    assert!(s.stdout.is_empty(), "SARIF goes to the file: {}", s.stdout);
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/leaklint.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_inputs_fail_with_an_annotation() {
    let dir = project(&[("a.js", LEAK)]);
    for (input, value) in [
        ("LEAKLINT_FORMAT", "xml"),
        ("LEAKLINT_CONFIDENCE", "low"),
        ("LEAKLINT_FAIL_LEVEL", "sometimes"),
    ] {
        let s = step(dir.path(), &[(input, value)], Some(&binary()));
        assert_eq!(s.code, 2, "{input}={value}");
        assert!(
            s.stdout.starts_with("::error title=leaklint action::"),
            "{}",
            s.stdout
        );
    }
}

#[cfg(unix)]
#[test]
fn the_projects_own_leaklint_is_preferred() {
    let dir = project(&[("a.js", LEAK)]);
    let shim = dir.path().join("node_modules/.bin/leaklint");
    std::fs::create_dir_all(shim.parent().unwrap()).unwrap();
    std::fs::write(
        &shim,
        format!(
            "#!/bin/sh\ntouch \"$(dirname \"$0\")/used\"\nexec '{}' \"$@\"\n",
            binary().display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    let s = step(dir.path(), &[("LEAKLINT_CONFIDENCE", "medium")], None);
    assert_eq!(s.code, 1, "{}{}", s.stdout, s.stderr);
    assert!(dir.path().join("node_modules/.bin/used").exists());
}

#[test]
fn every_input_of_action_yml_reaches_the_script() {
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let script = std::fs::read_to_string(root().join("npm/action/run.sh")).unwrap();
    assert!(action.contains("npm/action/run.sh"));
    let inputs: Vec<&str> = action
        .split("\ninputs:\n")
        .nth(1)
        .and_then(|rest| rest.split("\noutputs:").next())
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("    ") && l.trim_end().ends_with(':'))
        .map(|l| l.trim().trim_end_matches(':'))
        .collect();
    assert_eq!(inputs.len(), 6, "{inputs:?}");
    for input in inputs {
        let var = format!("LEAKLINT_{}", input.to_uppercase().replace('-', "_"));
        assert!(
            action.contains(&format!("{var}: ${{{{ inputs.{input} }}}}")),
            "action.yml passes {input} as {var}"
        );
        assert!(script.contains(&var), "run.sh reads {var}");
    }
}
