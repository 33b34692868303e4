//! Fixture-driven rule tests: every `fixtures/<rule>/*` file is linted with
//! that rule alone, its `// expect: <rule>` markers must match the findings
//! exactly (both ways), and the rendered output is snapshotted next to it.

mod support;

use support::*;

fn check_dir(dir: &str) -> Vec<String> {
    let mut failures = Vec::new();
    let rules = rules_for_dir(dir);
    for path in fixture_files(dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let diags = leaklint::lint_source(&path, &text, &rules);
        let expected = markers(&text);
        let actual = found(&text, &diags);
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if expected != actual {
            let missing: Vec<_> = expected
                .iter()
                .filter(|(k, v)| actual.get(*k) != Some(v))
                .collect();
            let extra: Vec<_> = actual
                .iter()
                .filter(|(k, v)| expected.get(*k) != Some(v))
                .collect();
            failures.push(format!(
                "{dir}/{name}: expected but not found (line, rule)×n: {missing:?}; found but not expected: {extra:?}"
            ));
        }
        if expected.is_empty() && !name.starts_with("valid") {
            failures.push(format!(
                "{dir}/{name}: has no `expect:` marker; name it valid-*.ext if it must stay silent"
            ));
        }
        for d in &diags {
            if d.fatal {
                failures.push(format!("{dir}/{name}: does not parse: {}", d.message));
            }
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(root().join("fixtures").join(dir).join("snapshots"));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| {
            insta::assert_snapshot!(name.clone(), render(&path, &text, diags));
        });
    }
    failures
}

#[test]
fn every_fixture_matches_its_markers() {
    let mut failures = Vec::new();
    let mut dirs: Vec<String> = leaklint::rules::RULES
        .iter()
        .map(|r| r.name.to_string())
        .collect();
    dirs.push("suppression".into());
    for dir in dirs {
        failures.extend(check_dir(&dir));
    }
    assert!(
        failures.is_empty(),
        "fixture failures:\n{}",
        failures.join("\n")
    );
}
