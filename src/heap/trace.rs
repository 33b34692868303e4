//! `LEAKLINT_HEAP_PHASES=1 leaklint heap …`: after each phase, its name,
//! the time since the first phase, and the resident memory and its peak so
//! far (from `/proc/self/status`, so on Linux), on stderr. How the figures
//! in docs/performance.md were attributed to phases.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Option<Instant>> = OnceLock::new();

/// Reports that a phase ended (nothing unless the variable is set).
pub fn phase(name: &str) {
    let start =
        START.get_or_init(|| std::env::var_os("LEAKLINT_HEAP_PHASES").map(|_| Instant::now()));
    let Some(start) = start else {
        return;
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_string()
    };
    eprintln!(
        "heap phase {name:<24} {:>8.3} s  rss {:>8} kB  peak {:>8} kB",
        start.elapsed().as_secs_f64(),
        field("VmRSS:"),
        field("VmHWM:")
    );
}
