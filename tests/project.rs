//! The cross-file join, end to end: whole directories linted by the binary,
//! where what one file does decides whether another file's finding stands.

mod support;

use support::root;
use support::run::leaklint;

/// `(file name, rule, line)` of every finding in a fixture directory.
fn findings(dir: &str) -> Vec<(String, String, u64)> {
    let run = leaklint(&root()).args(["--format", "json", dir]).run();
    let mut found = Vec::new();
    for result in &run.json() {
        let path = result["filePath"].as_str().unwrap_or_default();
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path).to_string();
        for m in result["messages"].as_array().into_iter().flatten() {
            found.push((
                name.clone(),
                m["ruleId"].as_str().unwrap_or_default().to_string(),
                m["line"].as_u64().unwrap_or_default(),
            ));
        }
    }
    found.sort();
    found
}

#[test]
fn a_teardown_nobody_calls_leaves_the_registry_unbounded() {
    assert_eq!(
        findings("fixtures/cross-file/teardown-never-called"),
        [("loggers.js".to_string(), "unbounded-array".to_string(), 5)]
    );
}

#[test]
fn a_teardown_called_from_another_file_bounds_the_registry() {
    assert_eq!(findings("fixtures/cross-file/teardown-called"), []);
}

#[test]
fn each_file_alone_is_judged_on_its_own() {
    // Linted without the file that calls `dispose()`, the registry is reported.
    assert_eq!(
        findings("fixtures/cross-file/teardown-called/loggers.js"),
        [("loggers.js".to_string(), "unbounded-array".to_string(), 5)]
    );
}

#[test]
fn a_delete_in_an_importing_file_evicts_an_exported_container() {
    assert_eq!(findings("fixtures/cross-file/export-evicted-elsewhere"), []);
    // Alone, the exported map is never evicted.
    assert_eq!(
        findings("fixtures/cross-file/export-evicted-elsewhere/store.mjs"),
        [("store.mjs".to_string(), "unbounded-cache".to_string(), 4)]
    );
}

#[test]
fn reads_and_evictions_of_another_module_do_not_evict() {
    assert_eq!(
        findings("fixtures/cross-file/export-never-evicted"),
        [("store.mjs".to_string(), "unbounded-cache".to_string(), 4)]
    );
}

#[test]
fn a_key_every_other_file_passes_as_a_constant_is_bounded() {
    assert_eq!(findings("fixtures/cross-file/constant-keys-elsewhere"), []);
    // Alone, the exported store API keeps whatever key its callers choose.
    assert_eq!(
        findings("fixtures/cross-file/constant-keys-elsewhere/hooks.mjs"),
        [("hooks.mjs".to_string(), "unbounded-cache".to_string(), 5)]
    );
}

#[test]
fn a_changing_key_or_a_reexport_elsewhere_keeps_the_finding() {
    for dir in [
        "fixtures/cross-file/changing-key-elsewhere",
        "fixtures/cross-file/constant-keys-reexported",
    ] {
        assert_eq!(
            findings(dir),
            [("hooks.mjs".to_string(), "unbounded-cache".to_string(), 5)],
            "{dir}"
        );
    }
}
