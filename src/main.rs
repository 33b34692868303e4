//! The `leaklint` binary: parse arguments, run, exit.

use clap::Parser;

fn main() -> std::process::ExitCode {
    return_freed_memory();
    leaklint::cli::run(leaklint::cli::Cli::parse())
}

/// Makes glibc's allocator give freed memory back to the system as it goes.
///
/// By default glibc raises its trim and mmap thresholds each time a large
/// block is freed (up to 32 MiB and 64 MiB): after the first large bundle,
/// every later large buffer is carved from the worker's arena and up to
/// 64 MiB of freed memory stays resident there. A run then peaks at what the
/// largest bundle left behind plus everything that came after it, not at the
/// largest bundle's own need (full benchmark corpus at `-j 2`: 214 MiB instead
/// of 197 MiB, see docs/performance.md). Setting the trim threshold turns that
/// adjustment off and keeps both thresholds at their documented defaults.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_freed_memory() {
    // SAFETY: `mallopt` only sets an allocator parameter; it is called before
    // any other thread exists, and a failure (return value 0) leaves glibc's
    // defaults in place, which are correct, only larger.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_freed_memory() {}
