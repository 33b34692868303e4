//! The `leaklint` binary: parse arguments, run, exit.

use clap::Parser;

fn main() -> std::process::ExitCode {
    leaklint::cli::run(leaklint::cli::Cli::parse())
}
