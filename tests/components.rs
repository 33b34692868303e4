//! Single-file components (`.vue`, `.svelte`, `.astro`): found by the walker,
//! linted block by block, and reported at the line and column of the
//! original file in every output format. Every format reads the positions of
//! the same `Report`, so the JSON and pretty checks here also hold for the
//! formats built on it.

mod support;

use std::path::Path;

use serde_json::Value;

const VUE: &str = r#"<template>
  <p title="é😀 wide characters before the script">{{ width }}</p>
</template>

<script lang="ts">
export default { name: 'Box' }
</script>

<script setup lang="ts">
import { onMounted } from 'vue'
onMounted(() => {
  const ro = new ResizeObserver(() => {})
  ro.observe(document.body)
})
</script>

<style>
p { color: red }
</style>
"#;

const SVELTE: &str = r#"<script context="module">
  export const shared = 1;
</script>

<script>
  import { count } from './stores.js';
  let value = 0;
  count.subscribe((v) => (value = v));
</script>

<h1>{value} — ünïcödé</h1>
"#;

const ASTRO: &str = r#"---
const title: string = 'Über';
---
<h1>{title}</h1>
<script>
  class Clock extends HTMLElement {
    connectedCallback() {
      this.o = new MutationObserver(() => {});
      this.o.observe(this, { childList: true });
    }
  }
  customElements.define('x-clock', Clock);
</script>
"#;

/// Runs the binary in `cwd`, wide enough that pretty lines are not wrapped.
fn leaklint(args: &[&str], cwd: &Path) -> (String, i32) {
    let run = support::run::leaklint(cwd)
        .env("COLUMNS", "120")
        .args(args)
        .run();
    (run.stdout, run.code)
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Box.vue"), VUE).unwrap();
    std::fs::write(dir.path().join("Count.svelte"), SVELTE).unwrap();
    std::fs::write(dir.path().join("clock.astro"), ASTRO).unwrap();
    std::fs::write(
        dir.path().join("notes.html"),
        "<script>new ResizeObserver(f)</script>",
    )
    .unwrap();
    dir
}

/// `(file name, ruleId, line, column, endLine, endColumn)` of every message.
fn positions(json: &str) -> Vec<(String, String, u64, u64, u64, u64)> {
    let results: Value = serde_json::from_str(json).expect("JSON output");
    let mut out = Vec::new();
    for file in results.as_array().unwrap() {
        let name = Path::new(file["filePath"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        for m in file["messages"].as_array().unwrap() {
            out.push((
                name.clone(),
                m["ruleId"].as_str().unwrap_or("null").to_string(),
                m["line"].as_u64().unwrap(),
                m["column"].as_u64().unwrap(),
                m["endLine"].as_u64().unwrap(),
                m["endColumn"].as_u64().unwrap(),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn json_positions_are_those_of_the_original_file() {
    let dir = project();
    let (stdout, code) = leaklint(&["--format", "json", "."], dir.path());
    assert_eq!(code, 1, "findings exit with 1; output: {stdout}");
    let got = positions(&stdout);
    let expected = vec![
        // `      this.o = new MutationObserver(() => {});` on line 8.
        (
            "clock.astro".to_string(),
            "undisconnected-observer".to_string(),
            8,
            16,
            8,
            46,
        ),
        // `  count.subscribe((v) => (value = v));` on line 8.
        (
            "Count.svelte".to_string(),
            "unsubscribed-subscription".to_string(),
            8,
            3,
            8,
            38,
        ),
        // `  const ro = new ResizeObserver(() => {})` on line 12.
        (
            "Box.vue".to_string(),
            "undisconnected-observer".to_string(),
            12,
            14,
            12,
            42,
        ),
    ];
    let mut expected = expected;
    expected.sort();
    assert_eq!(
        got, expected,
        "the walker lints .vue, .svelte and .astro (not .html) at original positions"
    );
}

#[test]
fn related_labels_point_into_the_original_file() {
    let dir = project();
    let (stdout, _) = leaklint(&["--format", "json", "Box.vue"], dir.path());
    let results: Value = serde_json::from_str(&stdout).unwrap();
    let label = &results[0]["messages"][0]["labels"][0];
    // `onMounted` on line 11, columns 1 to 10.
    assert_eq!(
        (
            label["line"].as_u64(),
            label["column"].as_u64(),
            label["endColumn"].as_u64()
        ),
        (Some(11), Some(1), Some(10))
    );
}

#[test]
fn pretty_output_shows_the_original_lines() {
    let dir = project();
    let (stdout, _) = leaklint(&["Box.vue", "Count.svelte", "clock.astro"], dir.path());
    assert!(stdout.contains("╭─[Box.vue:12:14]"), "{stdout}");
    assert!(
        stdout.contains(" 12 │   const ro = new ResizeObserver(() => {})"),
        "{stdout}"
    );
    assert!(stdout.contains("╭─[Count.svelte:8:3]"), "{stdout}");
    assert!(
        stdout.contains(" 8 │   count.subscribe((v) => (value = v));"),
        "{stdout}"
    );
    assert!(stdout.contains("╭─[clock.astro:8:16]"), "{stdout}");
    // Template and style text is never shown as code of a finding's snippet
    // line, and never parsed: the `<style>` block would not parse as JS.
    assert!(!stdout.contains("parse-error"), "{stdout}");
}

#[test]
fn suppression_comments_work_inside_script_blocks() {
    let src = VUE.replace(
        "  const ro = new ResizeObserver",
        "  // leaklint-disable-next-line undisconnected-observer -- owned by a global layout\n  const ro = new ResizeObserver",
    );
    let diags = leaklint::lint_source(Path::new("Box.vue"), &src, &leaklint::RuleSet::default());
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn parse_errors_in_a_block_are_reported_at_their_original_line() {
    let src = "<template><div/></template>\n<script>\nconst = 1\n</script>\n";
    let diags = leaklint::lint_source(Path::new("Broken.vue"), src, &leaklint::RuleSet::default());
    assert_eq!(diags.len(), 1);
    assert!(diags[0].fatal);
    let index = leaklint::position::LineIndex::new(src);
    assert_eq!(index.position(diags[0].span.start).line, 3);
}

#[test]
fn typescript_blocks_parse_as_typescript_and_plain_blocks_as_javascript() {
    let ts = "<script setup lang=\"ts\">\nconst n: number = 1\nenum E { A }\n</script>\n";
    let js = "<script>\nconst el = <div />\n</script>\n";
    for (name, src) in [("A.vue", ts), ("B.svelte", js)] {
        let diags = leaklint::lint_source(Path::new(name), src, &leaklint::RuleSet::default());
        assert!(diags.iter().all(|d| !d.fatal), "{name}: {diags:?}");
    }
}

#[test]
fn per_instance_listeners_and_intervals_are_reported_in_the_original_file() {
    // The instance script runs on every mount; the module script once.
    let src = "<script context=\"module\">\n  setInterval(() => {}, 1000);\n</script>\n\n<h1>ünï 😀</h1>\n<script>\n  function onResize() {}\n  window.addEventListener('resize', onResize);\n  const id = setInterval(() => {}, 1000);\n</script>\n";
    let diags = leaklint::lint_source(Path::new("Size.svelte"), src, &leaklint::RuleSet::default());
    let index = leaklint::position::LineIndex::new(src);
    let mut got: Vec<_> = diags
        .iter()
        .map(|d| {
            let p = index.position(d.span.start);
            (d.rule, p.line, p.column)
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![("uncleared-interval", 9, 14), ("unremoved-listener", 8, 3)],
        "{diags:?}"
    );
    assert!(
        diags[0].message.starts_with("every mount of the component"),
        "{}",
        diags[0].message
    );
}
