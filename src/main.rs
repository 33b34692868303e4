//! The `leaklint` binary: parse arguments, run, exit.

use clap::Parser;

/// jemalloc instead of the system allocator: see the note on the dependency in
/// `Cargo.toml` (fewer instructions per allocation; freed pages go back to the
/// system within a second, see `.cargo/config.toml`).
#[cfg(all(unix, not(target_os = "openbsd")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    leaklint::cli::run(leaklint::cli::Cli::parse())
}
