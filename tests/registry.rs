//! Meta-tests: the registry, docs and fixtures stay in step. Each failure says
//! what to add.

mod support;

use std::collections::BTreeSet;

use leaklint::rules::RULES;
use support::*;

#[test]
fn rules_are_sorted_unique_and_kebab_case() {
    let names: Vec<_> = RULES.iter().map(|r| r.name).collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(names, sorted, "RULES must be sorted by name and unique");
    let kebab = regex::Regex::new(r"^[a-z]+(-[a-z]+)*$").unwrap();
    for n in names {
        assert!(kebab.is_match(n), "rule name `{n}` is not kebab-case");
        assert!(
            !n.starts_with("no-"),
            "rule name `{n}` must name the leak, without `no-`"
        );
    }
}

#[test]
fn every_rule_has_a_doc_with_the_required_sections() {
    let docs: BTreeSet<String> = std::fs::read_dir(root().join("rules"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".md")
                .map(str::to_string)
        })
        .collect();
    let names: BTreeSet<String> = RULES.iter().map(|r| r.name.to_string()).collect();
    assert_eq!(
        docs, names,
        "rules/*.md must match the registered rules one to one"
    );
    for r in RULES {
        let md = r.docs;
        assert!(
            md.starts_with(&format!("# {}\n", r.name)),
            "rules/{}.md must start with `# {}`",
            r.name,
            r.name
        );
        let first_para = md
            .lines()
            .skip(1)
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            first_para.trim(),
            r.summary,
            "the first paragraph of rules/{}.md must equal its summary",
            r.name
        );
        for heading in [
            "## Why this leaks",
            "## Examples",
            "## How to fix",
            "## Known limitations",
        ] {
            assert!(
                md.contains(heading),
                "rules/{}.md lacks `{heading}`",
                r.name
            );
        }
    }
}

#[test]
fn every_rule_has_fixtures_with_markers_and_negatives() {
    for r in RULES {
        let files = fixture_files(r.name);
        assert!(
            !files.is_empty(),
            "fixtures/{}/ has no fixture files",
            r.name
        );
        let texts: Vec<String> = files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        assert!(
            texts.iter().any(|t| !markers(t).is_empty()),
            "fixtures/{}/ needs at least one `// expect: {}` marker",
            r.name,
            r.name
        );
        assert!(
            files.iter().any(|f| f
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("valid")),
            "fixtures/{}/ needs a valid-*.js file of code that must not be flagged",
            r.name
        );
    }
}

#[test]
fn fixture_directories_are_rules_or_known_special_dirs() {
    for e in std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .filter_map(|e| e.ok())
    {
        if !e.path().is_dir() {
            continue;
        }
        let name = e.file_name().to_string_lossy().to_string();
        assert!(
            leaklint::rules::find(&name).is_some() || SPECIAL_DIRS.contains(&name.as_str()),
            "fixtures/{name}/ is neither a rule name nor a known special directory"
        );
    }
}

#[test]
fn messages_follow_the_style() {
    // Lowercase start, no trailing period: checked on every fixture finding.
    for r in RULES {
        for f in fixture_files(r.name) {
            let text = std::fs::read_to_string(&f).unwrap();
            for d in leaklint::lint_source(&f, &text, &leaklint::RuleSet::only(r.name)) {
                let first = d.message.chars().next().unwrap();
                assert!(
                    !first.is_uppercase(),
                    "{}: message starts uppercase: {}",
                    f.display(),
                    d.message
                );
                assert!(
                    !d.message.ends_with('.'),
                    "{}: message ends with a period: {}",
                    f.display(),
                    d.message
                );
                assert!(
                    d.help.is_some(),
                    "{}: finding without help: {}",
                    f.display(),
                    d.message
                );
            }
        }
    }
}

#[test]
fn docs_rules_md_is_fresh() {
    let expected = format!(
        "# Rules\n\nGenerated from the rule registry by `UPDATE_DOCS=1 cargo test --test registry`; do not edit.\nEach rule's page in `rules/` says why the pattern leaks and how to fix it.\n\n{}",
        leaklint::cli::rules_table()
    );
    let path = root().join("docs/rules.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "docs/rules.md is stale: run `UPDATE_DOCS=1 cargo test --test registry`"
    );
}

/// Rules report typed findings through their context; only the rendering
/// module (`src/rules/api/wording.rs`) builds diagnostics, so a rule can neither
/// name itself in a string nor set its own confidence.
#[test]
fn rules_build_no_diagnostics_outside_the_wording_module() {
    let mut offenders = Vec::new();
    let mut files = Vec::new();
    rust_files(&root().join("src/rules"), &mut files);
    assert!(files.len() > 10, "src/rules/ has no rule files?");
    for file in files {
        if file.file_name().is_some_and(|n| n == "wording.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for line in builds_diagnostics(&text) {
            offenders.push(format!("{}:{line}", file.display()));
        }
    }
    assert!(
        offenders.is_empty(),
        "rules build a `Finding` and `cx.report` it; a `Diagnostic` is built only in src/rules/api/wording.rs:\n  {}",
        offenders.join("\n  ")
    );
}

#[test]
fn the_diagnostic_check_sees_construction_in_any_form() {
    let text = "fn f() {\n    let d = Diagnostic::new(RULE.name, 0..1, \"m\");\n}\n\
                fn g() -> Diagnostic { Diagnostic {\n rule: \"x\" } }\n\
                fn h() { leaklint::diagnostic::Diagnostic::fatal(\"x\", 0..1, \"m\"); }\n\
                // Diagnostic::new in a comment\n";
    assert_eq!(builds_diagnostics(text), vec![2, 4, 6]);
}

/// Lines (1-based) that construct a `Diagnostic`, comments left out.
fn builds_diagnostics(text: &str) -> Vec<usize> {
    let construct = regex::Regex::new(r"\bDiagnostic\s*(::\s*(new|fatal)\b|\{)").unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let code = l.split("//").next().unwrap_or("");
            construct.is_match(code)
        })
        .map(|(i, _)| i + 1)
        .collect()
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}
