//! Command-line interface: arguments → a run → an exit code.
//!
//! Exit codes (stable, documented in README.md):
//! 0 no error-level problems (and warnings within `--max-warnings`),
//! 1 error-level problems found, or too many warnings,
//! 2 usage, configuration or I/O error (a path could not be read).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::{INTERNAL_ERROR, Severity};
use crate::engine::{self, RuleSet};
use crate::report::{self, Report, pretty};
use crate::rules::{self, RULES};
use crate::walk;

pub const EXIT_OK: u8 = 0;
pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "leaklint",
    version,
    about = "Find memory-leak patterns in JavaScript and TypeScript",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files and directories (the default command).
    Check(CheckArgs),
    /// List every rule with its default severity and summary.
    Rules,
    /// Print the documentation of a rule.
    Explain {
        /// Rule name, for example `unbounded-cache`.
        rule: String,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Pretty,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug, Default)]
pub struct CheckArgs {
    /// Files and directories to lint [default: .]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value = "pretty")]
    pub format: Option<Format>,

    /// Write the report to this file; the summary still goes to the terminal.
    #[arg(short, long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Worker threads [default: all cores].
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// When to use colours.
    #[arg(long, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,

    /// Report errors only (drop warnings).
    #[arg(short, long)]
    pub quiet: bool,

    /// Exit with 1 when there are more warnings than this.
    #[arg(long, value_name = "N")]
    pub max_warnings: Option<usize>,

    /// Override a rule's severity: `--rule unbounded-cache=warn` (off|warn|error).
    #[arg(long = "rule", value_name = "NAME=SEVERITY")]
    pub rule_overrides: Vec<String>,
}

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Some(Command::Rules) => list_rules(),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Check(args)) => check(args),
        None => check(cli.check),
    };
    ExitCode::from(result)
}

fn list_rules() -> u8 {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(rules_table().as_bytes());
    EXIT_OK
}

/// The rule table, shared by `leaklint rules` and `docs/rules.md`.
pub fn rules_table() -> String {
    let mut s = String::from("| Rule | Default | Fix | Summary |\n|---|---|---|---|\n");
    for r in RULES {
        s.push_str(&format!(
            "| [`{}`](../rules/{}.md) | {} | {} | {} |\n",
            r.name,
            r.name,
            r.default_severity.as_str(),
            if r.fixable { "yes" } else { "" },
            r.summary
        ));
    }
    s
}

fn explain(name: &str) -> u8 {
    match rules::find(name) {
        Some(rule) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "{} (default: {}{})\n",
                rule.name,
                rule.default_severity.as_str(),
                if rule.fixable { ", fixable" } else { "" }
            );
            let _ = out.write_all(rule.docs.as_bytes());
            EXIT_OK
        }
        None => {
            eprintln!("leaklint: unknown rule `{name}`; run `leaklint rules` for the list");
            EXIT_ERROR
        }
    }
}

fn parse_severity(s: &str) -> Option<Option<Severity>> {
    match s {
        "off" | "0" => Some(None),
        "warn" | "warning" | "1" => Some(Some(Severity::Warning)),
        "error" | "2" => Some(Some(Severity::Error)),
        _ => None,
    }
}

fn rule_set(args: &CheckArgs) -> Result<RuleSet, String> {
    let mut set = RuleSet::default();
    for o in &args.rule_overrides {
        let (name, sev) = o
            .split_once('=')
            .ok_or_else(|| format!("--rule expects NAME=SEVERITY, got `{o}`"))?;
        let rule = rules::find(name.trim())
            .ok_or_else(|| format!("--rule: unknown rule `{name}`; run `leaklint rules` for the list"))?;
        let sev = parse_severity(sev.trim())
            .ok_or_else(|| format!("--rule: bad severity `{sev}` for `{name}` (expected off, warn or error)"))?;
        set.rules.retain(|(r, _)| r.name != rule.name);
        if let Some(sev) = sev {
            set.rules.push((rule, sev));
        }
    }
    set.rules.sort_by_key(|(r, _)| r.name);
    Ok(set)
}

fn use_color(choice: Option<ColorChoice>, is_tty: bool) -> bool {
    match choice {
        Some(ColorChoice::Always) => true,
        Some(ColorChoice::Never) => false,
        _ => {
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                false
            } else if std::env::var_os("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0")
                || std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0")
            {
                true
            } else {
                is_tty && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true)
            }
        }
    }
}

fn check(args: CheckArgs) -> u8 {
    let started = Instant::now();
    engine::install_panic_hook();
    let rules = match rule_set(&args) {
        Ok(r) => r,
        Err(msg) => {
            eprintln!("leaklint: {msg}");
            return EXIT_ERROR;
        }
    };
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let walked = walk::collect(&paths);
    let mut io_errors = 0usize;
    for (path, reason) in &walked.errors {
        eprintln!("leaklint: {}: {reason}", path.display());
        io_errors += 1;
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let mut results = engine::lint_files(&walked.files, &rules, threads);
    for r in &results {
        if let Some(e) = &r.error {
            eprintln!("leaklint: {}: {e}", r.path.display());
            io_errors += 1;
        }
    }
    if args.quiet {
        for r in &mut results {
            r.diagnostics.retain(|d| d.severity == Severity::Error);
        }
    }
    let internal = results
        .iter()
        .flat_map(|r| r.diagnostics.iter())
        .any(|d| d.rule == INTERNAL_ERROR);
    let cwd = std::env::current_dir().unwrap_or_default();
    let report = Report::new(results, &cwd, started.elapsed());

    let format = args.format.unwrap_or(Format::Pretty);
    let stdout_tty = std::io::stdout().is_terminal();
    let to_file = args.output_file.is_some();
    let body = match format {
        Format::Pretty => pretty::render(
            &report,
            &pretty::PrettyOptions {
                color: !to_file && use_color(args.color, stdout_tty),
                width: std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100),
            },
        ),
        Format::Json => report::json::render(&report),
    };
    let summary = pretty::summary(&report);
    if let Some(file) = &args.output_file {
        if let Err(e) = std::fs::write(file, &body) {
            eprintln!("leaklint: cannot write {}: {e}", file.display());
            return EXIT_ERROR;
        }
        eprint!("{summary}");
    } else {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(body.as_bytes());
        if format == Format::Pretty {
            let _ = out.write_all(summary.as_bytes());
        } else {
            eprint!("{summary}");
        }
        let _ = out.flush();
    }

    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    if io_errors > 0 || internal {
        EXIT_ERROR
    } else if errors > 0 || args.max_warnings.is_some_and(|max| warnings > max) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}
