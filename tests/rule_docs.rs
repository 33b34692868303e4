//! Every example in `rules/*.md` is executed: an ```` ```js invalid ```` block
//! must give exactly one finding of its rule (high confidence), a
//! ```` ```js medium ```` block exactly one medium finding (shown only with
//! `--confidence medium`), a ```` ```js valid ```` block none at all, and
//! ```` ```js ignore ```` is skipped. Untagged code blocks fail.

mod support;

use std::path::Path;

use leaklint::{Confidence, RuleSet};
use support::*;

#[test]
fn documented_examples_behave_as_documented() {
    let mut failures = Vec::new();
    for rule in leaklint::rules::RULES {
        let md = rule.docs;
        let examples = doc_examples(md);
        let invalid = examples.iter().filter(|e| e.tag == "invalid").count();
        let valid = examples.iter().filter(|e| e.tag == "valid").count();
        if invalid == 0 || valid == 0 {
            failures.push(format!(
                "rules/{}.md needs at least one `invalid` and one `valid` example",
                rule.name
            ));
        }
        for ex in &examples {
            let ext = match ex.lang.as_str() {
                "js" | "javascript" => "js",
                "jsx" => "jsx",
                "ts" | "typescript" => "ts",
                "tsx" => "tsx",
                // Single-file components: only their `<script>` blocks are linted.
                "vue" => "vue",
                "svelte" => "svelte",
                "astro" => "astro",
                "" | "text" | "sh" | "shell" | "bash" | "json" | "jsonc" => continue,
                other => {
                    failures.push(format!(
                        "rules/{}.md:{}: unknown language `{other}`",
                        rule.name, ex.line
                    ));
                    continue;
                }
            };
            let file = format!("example.{ext}");
            // Medium findings included: a `valid` example has none at all.
            let rules = RuleSet::only(rule.name).with_min_confidence(Confidence::Medium);
            let diags = leaklint::lint_source(Path::new(&file), &ex.code, &rules);
            let fatal: Vec<_> = diags.iter().filter(|d| d.fatal).collect();
            let of_rule = diags.iter().filter(|d| d.rule == rule.name).count();
            let high = diags
                .iter()
                .filter(|d| d.rule == rule.name && d.confidence == Confidence::High)
                .count();
            let where_ = format!("rules/{}.md:{}", rule.name, ex.line);
            if !fatal.is_empty() {
                failures.push(format!(
                    "{where_}: example does not parse: {}",
                    fatal[0].message
                ));
                continue;
            }
            match ex.tag.as_str() {
                "invalid" if of_rule != 1 || high != 1 => failures.push(format!(
                    "{where_}: `invalid` example gives {of_rule} findings ({high} high), expected exactly 1, high"
                )),
                // Reported only with `--confidence medium`.
                "medium" if of_rule != 1 || high != 0 => failures.push(format!(
                    "{where_}: `medium` example gives {of_rule} findings ({high} high), expected exactly 1, medium"
                )),
                "valid" if of_rule != 0 => failures.push(format!(
                    "{where_}: `valid` example gives {of_rule} findings, expected none"
                )),
                "invalid" | "medium" | "valid" | "ignore" => {}
                other => failures.push(format!(
                    "{where_}: code block needs a tag (invalid, medium, valid or ignore), got `{other}`"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
