//! Running Node.js scripts from the end-to-end heap tests.

use std::path::Path;
use std::process::Command;

pub fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `script` with `--expose-gc` and parses the number it prints (a byte
/// count: heap in use, or heap growth).
pub fn printed_number<T: std::str::FromStr>(script: &Path) -> T {
    let out = Command::new("node")
        .arg("--expose-gc")
        .arg(script)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("node printed {text:?}, not a byte count"))
}
