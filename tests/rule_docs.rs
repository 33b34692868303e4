//! Every example in `rules/*.md` is executed: an ```` ```js invalid ```` block
//! must give exactly one finding of its rule, a ```` ```js valid ```` block
//! none, and ```` ```js ignore ```` is skipped. Untagged code blocks fail.

mod support;

use std::path::Path;

use leaklint::RuleSet;
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
            let diags =
                leaklint::lint_source(Path::new(&file), &ex.code, &RuleSet::only(rule.name));
            let fatal: Vec<_> = diags.iter().filter(|d| d.fatal).collect();
            let of_rule = diags.iter().filter(|d| d.rule == rule.name).count();
            let where_ = format!("rules/{}.md:{}", rule.name, ex.line);
            if !fatal.is_empty() {
                failures.push(format!(
                    "{where_}: example does not parse: {}",
                    fatal[0].message
                ));
                continue;
            }
            match ex.tag.as_str() {
                "invalid" if of_rule != 1 => failures.push(format!(
                    "{where_}: `invalid` example gives {of_rule} findings, expected exactly 1"
                )),
                "valid" if of_rule != 0 => failures.push(format!(
                    "{where_}: `valid` example gives {of_rule} findings, expected none"
                )),
                "invalid" | "valid" | "ignore" => {}
                other => failures.push(format!(
                    "{where_}: code block needs a tag (invalid, valid or ignore), got `{other}`"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
