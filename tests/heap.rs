//! Proof that `--fix` fixes the seed leak, measured in Node.js: the seed's
//! script stores a million distinct keys and "removes" each with null; the
//! heap after GC must shrink to a small fraction once leaklint has fixed it.
//!
//! Needs Node.js: ignored by a plain `cargo test` (listed as ignored, with
//! the reason); the full suite (`cargo test -- --include-ignored`, what
//! `.ci/run` runs) includes it, and there a missing `node` fails it.

use std::process::Command;

#[path = "support/node.rs"]
mod node;
use node::{node_available, printed_number};

/// The seed leak, verbatim, plus a driver. Timers are stubbed so that the
/// expiry callbacks run right after the loop: the script ends in about a
/// second instead of waiting for a million real timers.
const SCRIPT: &str = r#"const pending = []
globalThis.setTimeout = (fn) => { pending.push(fn) }

const localCache = {}

function setLocalCache(key, value) {
  localCache[key] = value
  setTimeout(() => { localCache[key] = null }, 5000)
}

for (let i = 0; i < 1000000; i++) setLocalCache('key-' + i, i)
for (const expire of pending.splice(0)) expire()

global.gc()
global.gc()
console.log(process.memoryUsage().heapUsed)
"#;

#[test]
#[ignore = "needs node; run the full suite with `cargo test-all`"]
fn fixed_seed_script_uses_a_small_fraction_of_the_heap() {
    heap_drops_after_plain_fix(SCRIPT, "localCache[key] = null", "delete localCache[key]");
}

/// The seed's other spelling, `setTimeout(() => localCache[key] = null, 5000)`:
/// the timer ignores the arrow's value, so plain `--fix` (safe fixes only)
/// must fix it too, and the heap must show it.
#[test]
#[ignore = "needs node; run the full suite with `cargo test-all`"]
fn fixed_expression_body_seed_uses_a_small_fraction_of_the_heap() {
    let script = SCRIPT.replace(
        "setTimeout(() => { localCache[key] = null }, 5000)",
        "setTimeout(() => localCache[key] = null, 5000)",
    );
    assert_ne!(script, SCRIPT, "the seed line was not found");
    heap_drops_after_plain_fix(&script, "localCache[key] = null", "delete localCache[key]");
}

/// Writes `script` twice, fixes one copy with plain `--fix`, checks the
/// rewrite, and compares the heap of both after GC.
fn heap_drops_after_plain_fix(script: &str, leaky_text: &str, fixed_text_expected: &str) {
    assert!(
        node_available(),
        "this test needs `node` on PATH (see README: what the full test suite needs)"
    );
    let dir = tempfile::tempdir().unwrap();
    let leaky = dir.path().join("leaky.js");
    let fixed = dir.path().join("fixed.js");
    std::fs::write(&leaky, script).unwrap();
    std::fs::write(&fixed, script).unwrap();

    let run = Command::new(env!("CARGO_BIN_EXE_leaklint"))
        .args(["--fix", "fixed.js"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("fixed 1 problem in 1 file; 0 problems remain"),
        "{stderr}"
    );
    let fixed_text = std::fs::read_to_string(&fixed).unwrap();
    assert_eq!(fixed_text, script.replace(leaky_text, fixed_text_expected));

    let before = printed_number::<u64>(&leaky);
    let after = printed_number::<u64>(&fixed);
    println!("heap after GC: leaky {before} bytes, fixed {after} bytes");
    // A million retained keys cost tens of megabytes; if not, the script
    // measures nothing and the comparison below would prove nothing.
    assert!(
        before > 30_000_000,
        "the leaky script retained only {before} bytes"
    );
    assert!(
        after * 4 < before,
        "the fixed script still uses {after} bytes, not < 25% of the leaky {before}"
    );
}
