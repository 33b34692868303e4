//! Command-line interface: arguments → a run → an exit code.
//!
//! Exit codes (stable, documented in README.md):
//! 0 no error-level problems (and warnings within `--max-warnings`),
//! 1 error-level problems found, or too many warnings,
//! 2 usage, configuration or I/O error (a path could not be read), including
//!   a suppressions file that records more findings than there are
//!   (unless `--pass-on-unpruned-suppressions`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{self, CliRules, Level, Resolver};
use crate::diagnostic::{Confidence, INTERNAL_ERROR, Severity};
use crate::engine::{self, FileResult};
use crate::fix::{self, FixLevel};
use crate::report::repo::RepoRoot;
use crate::report::{self, Report, pretty};
use crate::rules::{self, RULES};
use crate::walk;

pub use crate::report::{ColorChoice, EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};

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
#[allow(clippy::large_enum_variant)] // parsed once per run
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
    /// Run the language server on standard input and output (docs/editors.md).
    Lsp,
    /// Find growing collections in a V8 heap snapshot, and their source lines.
    Heap(crate::heap::HeapArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Pretty,
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// GitLab Code Quality report.
    Gitlab,
    /// Checkstyle XML (as ESLint's formatter).
    Checkstyle,
    /// JUnit XML (as ESLint's formatter).
    Junit,
    /// One line per problem: `path:line:col: severity message [rule]`.
    Compact,
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

    /// Use this config file for every file (no lookup of leaklint.json).
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print the effective configuration for FILE as JSON, then exit.
    #[arg(long, value_name = "FILE")]
    pub print_config: Option<PathBuf>,

    /// Apply safe fixes to the files.
    #[arg(long)]
    pub fix: bool,

    /// Apply unsafe fixes too (they may change behaviour; review the diff).
    #[arg(long, visible_alias = "unsafe-fixes", alias = "fix-suggestions")]
    pub fix_unsafe: bool,

    /// Print the diff --fix would make, and change nothing.
    #[arg(long)]
    pub fix_dry_run: bool,

    /// Lint the text on standard input (with --fix: print the fixed text).
    #[arg(long)]
    pub stdin: bool,

    /// The path the standard input is linted as (config, language).
    #[arg(long, value_name = "PATH", requires = "stdin")]
    pub stdin_filename: Option<PathBuf>,

    /// Skip files named on the command line but ignored by ignorePatterns, quietly.
    #[arg(long)]
    pub no_warn_ignored: bool,

    /// Level of the report for suppression comments that suppress nothing [default: warn].
    #[arg(
        long,
        value_name = "LEVEL",
        value_parser = ["off", "warn", "error"],
        alias = "report-unused-disable-directives-severity"
    )]
    pub report_unused_disable_directives: Option<String>,

    /// Lint only files whose content or rules changed since the last run
    /// with --cache (not with --fix or --stdin).
    #[arg(long)]
    pub cache: bool,

    /// The cache file, or a directory to hold it [default: .leaklintcache].
    #[arg(long, value_name = "PATH")]
    pub cache_location: Option<PathBuf>,

    /// Record every current finding in the suppressions file: later runs
    /// report only new ones (docs/suppressions-file.md).
    #[arg(long, conflicts_with_all = ["suppress_rule", "prune_suppressions", "stdin", "fix_dry_run"])]
    pub suppress_all: bool,

    /// Record the current findings of this rule only (repeatable).
    #[arg(long, value_name = "RULE", conflicts_with_all = ["prune_suppressions", "stdin", "fix_dry_run"])]
    pub suppress_rule: Vec<String>,

    /// Lower the suppressions file's counts to the current findings (fixed leaks).
    #[arg(long, conflicts_with_all = ["stdin", "fix_dry_run"])]
    pub prune_suppressions: bool,

    /// The suppressions file [default: leaklint-suppressions.json]; give it
    /// on every run, not only when suppressing.
    #[arg(long, value_name = "FILE")]
    pub suppressions_location: Option<PathBuf>,

    /// Do not fail (exit 2) when the suppressions file records more findings
    /// than there are (fixed leaks not yet pruned).
    #[arg(long)]
    pub pass_on_unpruned_suppressions: bool,

    /// Report findings down to this confidence: `high` (default) or `medium`
    /// (also findings whose evidence is weaker; see docs/confidence.md).
    #[arg(long, value_name = "high|medium", value_parser = parse_confidence)]
    pub confidence: Option<Confidence>,
}

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Some(Command::Rules) => list_rules(),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Lsp) => crate::lsp::run(),
        Some(Command::Check(args)) => check(args),
        Some(Command::Heap(args)) => crate::heap::run(args),
        None => check(cli.check),
    };
    ExitCode::from(result)
}

fn list_rules() -> u8 {
    let style = terminal_style();
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(crate::terminal::rules_list(style).as_bytes());
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
            Level::of(Some(r.default_severity)).as_str(),
            if r.fixable { "yes" } else { "" },
            r.summary
        ));
    }
    s
}

fn explain(name: &str) -> u8 {
    match rules::find(name) {
        Some(rule) => {
            let style = terminal_style();
            let text = format!(
                "{} (default: {}{})\n\n{}\n",
                rule.name,
                Level::of(Some(rule.default_severity)).as_str(),
                if rule.fixable { ", fixable" } else { "" },
                crate::terminal::render_markdown(rule.docs, style)
            );
            crate::terminal::page(&text);
            EXIT_OK
        }
        None => {
            eprintln!("leaklint: unknown rule `{name}`; run `leaklint rules` for the list");
            EXIT_ERROR
        }
    }
}

/// Colour and width for text written to stdout (`rules`, `explain`).
fn terminal_style() -> crate::terminal::Style {
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100usize);
    crate::terminal::Style {
        color: use_color(None, std::io::stdout().is_terminal()),
        width: width.min(120),
    }
}

/// A message that may span lines (a config file with several unknown
/// rules), each line prefixed like every other error.
fn error_lines(message: &str) {
    for line in message.lines() {
        eprintln!("leaklint: {line}");
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

/// `--rule` and `--report-unused-disable-directives`: they win over config files.
fn cli_rules(args: &CheckArgs) -> Result<CliRules, String> {
    let mut cli = CliRules::default();
    for o in &args.rule_overrides {
        let (name, sev) = o
            .split_once('=')
            .ok_or_else(|| format!("--rule expects NAME=SEVERITY, got `{o}`"))?;
        let rule = rules::find(name.trim()).ok_or_else(|| {
            format!("--rule: unknown rule `{name}`; run `leaklint rules` for the list")
        })?;
        let sev = parse_severity(sev.trim()).ok_or_else(|| {
            format!("--rule: bad severity `{sev}` for `{name}` (expected off, warn or error)")
        })?;
        cli.rules.push((rule.name, Level::of(sev)));
    }
    cli.unused_directives = args
        .report_unused_disable_directives
        .as_deref()
        .and_then(Level::parse);
    cli.confidence = args.confidence;
    Ok(cli)
}

fn parse_confidence(s: &str) -> Result<Confidence, String> {
    Confidence::parse(s).ok_or_else(|| format!("expected `high` or `medium`, got `{s}`"))
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
    let cwd = std::env::current_dir().unwrap_or_default();
    let resolver = cli_rules(&args).and_then(|cli| {
        Resolver::new(&cwd, args.config.as_deref(), cli).map_err(|e| e.to_string())
    });
    let mut resolver = match resolver {
        Ok(r) => r,
        Err(msg) => {
            error_lines(&msg.to_string());
            return EXIT_ERROR;
        }
    };
    if let Some(file) = &args.print_config {
        return match config::print_config(&mut resolver, file) {
            Ok(json) => {
                print!("{json}");
                EXIT_OK
            }
            Err(e) => {
                error_lines(&e.to_string());
                EXIT_ERROR
            }
        };
    }
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let linted = if args.stdin {
        lint_stdin(&args, &mut resolver)
    } else {
        lint_paths(&args, &mut resolver, threads, &cwd)
    };
    let Linted {
        results,
        mut io_errors,
        ignored_warnings,
    } = match linted {
        Ok(l) => l,
        Err(code) => return code,
    };
    for r in &results {
        if let Some(e) = &r.error {
            eprintln!("leaklint: {}: {e}", r.path.display());
            io_errors += 1;
        }
    }
    let internal = results
        .iter()
        .flat_map(|r| r.diagnostics.iter())
        .any(|d| d.rule == INTERNAL_ERROR);
    let mut report = Report::new(results, &cwd, started.elapsed());
    // Before `--quiet`, which would make the warnings' counts look unused.
    let bulk = match bulk_suppressions(&args, &mut report, &cwd) {
        Ok(b) => b,
        Err(code) => return code,
    };
    if args.quiet {
        for f in &mut report.files {
            f.diagnostics.retain(|d| d.diag.severity == Severity::Error);
            f.suppressed.retain(|d| d.diag.severity == Severity::Error);
        }
    }

    let format = args.format.unwrap_or(Format::Pretty);
    let stdout_tty = std::io::stdout().is_terminal();
    let to_file = args.output_file.is_some();
    let render = |format: Format| match format {
        Format::Pretty => pretty::render(
            &report,
            &pretty::PrettyOptions {
                color: !to_file && use_color(args.color, stdout_tty),
                width: std::env::var("COLUMNS")
                    .ok()
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(100),
            },
        ),
        Format::Json => report::json::render(&report),
        Format::Sarif => report::sarif::render(&report, &RepoRoot::discover(&cwd)),
        Format::Github => report::github::render(&report, &RepoRoot::discover(&cwd)),
        Format::Gitlab => report::gitlab::render(&report, &RepoRoot::discover(&cwd)),
        Format::Checkstyle => report::checkstyle::render(&report),
        Format::Junit => report::junit::render(&report),
        Format::Compact => report::compact::render(&report),
    };
    // JSON lists every file linted: it is streamed rather than built in memory.
    let write_body = |out: &mut dyn Write| match format {
        Format::Json => report::json::write(&report, out),
        other => out.write_all(render(other).as_bytes()),
    };
    let summary = pretty::summary_with_unreadable(&report, io_errors);
    if let Some(file) = &args.output_file {
        let written = std::fs::File::create(file).and_then(|f| {
            let mut out = std::io::BufWriter::new(f);
            write_body(&mut out)?;
            out.flush()
        });
        if let Err(e) = written {
            eprintln!("leaklint: cannot write {}: {e}", file.display());
            return EXIT_ERROR;
        }
        eprint!("{summary}");
    } else {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let _ = write_body(&mut out);
        if format == Format::Pretty {
            let _ = out.write_all(summary.as_bytes());
        }
        let _ = out.flush();
        if format != Format::Pretty {
            eprint!("{summary}");
        }
    }

    let unpruned = bulk
        .as_ref()
        .is_some_and(|(applied, file)| bulk_notes(&args, applied, file));
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning) + ignored_warnings;
    if io_errors > 0 || internal || unpruned {
        EXIT_ERROR
    } else if errors > 0 || args.max_warnings.is_some_and(|max| warnings > max) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}

/// The suppressions file (see [`crate::bulk`]): `--suppress-all`,
/// `--suppress-rule` and `--prune-suppressions` rewrite it, then it is
/// applied to the report. `Ok(None)`: there is no file. `Err` is an exit code.
fn bulk_suppressions(
    args: &CheckArgs,
    report: &mut Report,
    cwd: &std::path::Path,
) -> Result<Option<(crate::bulk::report::Applied, String)>, u8> {
    use crate::bulk::Suppressions;
    let only = suppress_rules(&args.suppress_rule).map_err(|e| {
        eprintln!("leaklint: {e}");
        EXIT_ERROR
    })?;
    let recording = args.suppress_all || !only.is_empty();
    let path = Suppressions::path_for(args.suppressions_location.as_deref(), cwd);
    let shown = report::display_path(&path, cwd);
    let fail = |e: String| {
        eprintln!("leaklint: {e}");
        EXIT_ERROR
    };
    let read = Suppressions::read(path.clone(), cwd).map_err(|why| format!("{shown}: {why}"));
    let mut file = match read.map_err(fail)? {
        Some(f) => f,
        None if recording => Suppressions::empty(path, cwd),
        None if args.suppressions_location.is_some() || args.prune_suppressions => {
            return Err(fail(format!(
                "{shown}: no suppressions file; create it with --suppress-all or --suppress-rule"
            )));
        }
        None => return Ok(None),
    };
    let write_failed = |e: std::io::Error| fail(format!("cannot write {shown}: {e}"));
    if recording {
        let recorded = file.record(report, &only);
        file.save().map_err(write_failed)?;
        eprintln!(
            "leaklint: recorded {} in {shown}",
            report::plural(recorded, "problem")
        );
    }
    if args.prune_suppressions {
        let dropped = file.prune(report);
        file.save().map_err(write_failed)?;
        eprintln!(
            "leaklint: pruned {} from {shown}",
            report::plural(dropped, "suppression")
        );
    }
    Ok(Some((file.apply(report), shown)))
}

/// `--suppress-rule` names, checked against the registry.
fn suppress_rules(names: &[String]) -> Result<Vec<&'static str>, String> {
    names
        .iter()
        .map(|name| {
            rules::find(name.trim()).map(|r| r.name).ok_or_else(|| {
                let hint = config::closest_rule(name.trim())
                    .map(|r| format!(" (did you mean `{r}`?)"))
                    .unwrap_or_default();
                format!("--suppress-rule: unknown rule `{name}`{hint}; run `leaklint rules` for the list")
            })
        })
        .collect()
}

/// Notes on stderr, after the report, about counts the run did not match:
/// a rule over its count (all its findings are shown) and unused
/// suppressions. Returns whether the latter fail the run (exit 2, as in
/// ESLint: a fixed leak must not leave room for a new one). Not for
/// `--stdin`, whose text is an editor's buffer rather than the file.
fn bulk_notes(args: &CheckArgs, applied: &crate::bulk::report::Applied, file: &str) -> bool {
    for (path, m) in &applied.exceeded {
        eprintln!(
            "leaklint: {path}: {}, {} more than {file} allows: all of them are reported (fix the new one, or record it with --suppress-rule {})",
            report::plural(m.found, &format!("{} problem", m.rule)),
            m.found - m.recorded,
            m.rule
        );
    }
    if applied.unused.is_empty() || args.stdin || args.pass_on_unpruned_suppressions {
        return false;
    }
    eprintln!(
        "leaklint: there are suppressions left that do not occur anymore; run again with --prune-suppressions to drop them from {file}:"
    );
    for (path, m) in &applied.unused {
        eprintln!(
            "leaklint:   {path}: {} recorded {}, found {}",
            m.rule, m.recorded, m.found
        );
    }
    true
}

/// The files linted (or fixed), before reporting.
struct Linted {
    results: Vec<FileResult>,
    io_errors: usize,
    /// Files named on the command line but ignored, each reported as a warning.
    ignored_warnings: usize,
}

fn fix_level(args: &CheckArgs) -> Option<FixLevel> {
    if args.fix_unsafe {
        Some(FixLevel::Unsafe)
    } else if args.fix || args.fix_dry_run {
        Some(FixLevel::Safe)
    } else {
        None
    }
}

fn warn_ignored(
    args: &CheckArgs,
    path: &std::path::Path,
    config: Option<&config::Config>,
) -> usize {
    if args.no_warn_ignored {
        return 0;
    }
    let by = config
        .map(|c| c.path.display().to_string())
        .unwrap_or_default();
    eprintln!(
        "leaklint: warning: {}: file ignored by ignorePatterns in {by} (use --no-warn-ignored to skip it quietly)",
        path.display()
    );
    1
}

/// Walks the paths, resolves each file's config, lints or fixes.
/// `Err` is an exit code for a run that cannot go on (a config error).
fn lint_paths(
    args: &CheckArgs,
    resolver: &mut Resolver,
    threads: usize,
    cwd: &std::path::Path,
) -> Result<Linted, u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let walked = walk::collect(&paths);
    let mut linted = Linted {
        results: Vec::new(),
        io_errors: 0,
        ignored_warnings: 0,
    };
    for (path, reason) in &walked.errors {
        eprintln!("leaklint: {}: {reason}", path.display());
        linted.io_errors += 1;
    }
    let mut jobs = Vec::with_capacity(walked.files.len());
    for file in walked.files {
        let resolved = resolver.resolve(&file).map_err(|e| {
            error_lines(&e.to_string());
            EXIT_ERROR
        })?;
        if resolved.ignored {
            if args.paths.contains(&file) {
                linted.ignored_warnings += warn_ignored(args, &file, resolved.config.as_deref());
            }
            continue;
        }
        jobs.push((file, resolved.rules));
    }
    let Some(level) = fix_level(args) else {
        linted.results = if args.cache {
            let location = crate::cache::Cache::location(args.cache_location.as_deref(), cwd);
            let mut cache = crate::cache::Cache::open(location);
            let (results, _) = cache.lint(&jobs, threads, cwd);
            cache.save();
            results
        } else {
            engine::lint_jobs(&jobs, threads)
        };
        return Ok(linted);
    };
    let dry_run = args.fix_dry_run;
    let outcomes = engine::par_map(&jobs, threads, |(path, rules)| {
        fix::fix_file(
            path,
            rules,
            level,
            dry_run,
            &report::display_path(path, cwd),
        )
    });
    // Diffs go with the report on stdout, unless stdout carries a machine format.
    let diffs_to_stdout =
        args.output_file.is_some() || args.format.unwrap_or(Format::Pretty) == Format::Pretty;
    let (mut applied, mut files) = (0, 0);
    for o in outcomes {
        if let Some(diff) = &o.diff {
            if diffs_to_stdout {
                print!("{diff}");
            } else {
                eprint!("{diff}");
            }
        }
        if let Some(e) = &o.error {
            eprintln!("leaklint: {}: {e}", o.result.path.display());
            linted.io_errors += 1;
        }
        if o.applied > 0 {
            applied += o.applied;
            files += 1;
        }
        linted.results.push(o.result);
    }
    let remaining = linted.results.iter().map(|r| r.diagnostics.len()).sum();
    let unsafe_fixable = linted
        .results
        .iter()
        .map(|r| fix::fixable_beyond(&r.diagnostics, level))
        .sum();
    eprintln!(
        "leaklint: {}",
        fix::summary(applied, files, remaining, unsafe_fixable, dry_run)
    );
    Ok(linted)
}

/// `--stdin`: lints standard input as `--stdin-filename`. With `--fix`, the
/// fixed text goes to stdout and the remaining problems to stderr.
fn lint_stdin(args: &CheckArgs, resolver: &mut Resolver) -> Result<Linted, u8> {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes) {
        eprintln!("leaklint: cannot read standard input: {e}");
        return Err(EXIT_ERROR);
    }
    let path = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdin>"));
    let mut linted = Linted {
        results: Vec::new(),
        io_errors: 0,
        ignored_warnings: 0,
    };
    let resolved = resolver.resolve(&path).map_err(|e| {
        error_lines(&e.to_string());
        EXIT_ERROR
    })?;
    let write_fix = fix_level(args).is_some() && !args.fix_dry_run;
    // Linting reads invalid UTF-8 lossily with a note, as for files; fixing
    // must not write such a text back, so it stays strict.
    let decoded = if fix_level(args).is_some() {
        engine::decode(bytes).map(|t| (t, None))
    } else {
        engine::decode_lossy(bytes)
    };
    let (text, note) = match decoded {
        Ok(t) => t,
        Err(d) => {
            eprintln!("leaklint: standard input: {}", d.message);
            return Err(EXIT_ERROR);
        }
    };
    if resolved.ignored {
        linted.ignored_warnings += warn_ignored(args, &path, resolved.config.as_deref());
        if write_fix {
            // The text goes through unchanged, and nothing else goes to stdout.
            print!("{text}");
            let too_many = args
                .max_warnings
                .is_some_and(|max| linted.ignored_warnings > max);
            return Err(if too_many { EXIT_PROBLEMS } else { EXIT_OK });
        }
        return Ok(linted);
    }
    let rules = &*resolved.rules;
    let Some(level) = fix_level(args) else {
        let mut diagnostics =
            engine::par_map(&[()], 1, |_| engine::lint_source(&path, &text, rules)).remove(0);
        if let Some(mut note) = note {
            // Spans point into the text without its BOM.
            let at = note.span.start - (text.len() - crate::parse::strip_bom(&text).len());
            note.span = at..at;
            let first_after = diagnostics.partition_point(|d| d.span.start <= at);
            diagnostics.insert(first_after, note);
        }
        linted.results.push(FileResult {
            path,
            source: Some(std::sync::Arc::from(crate::parse::strip_bom(&text))),
            diagnostics,
            error: None,
        });
        return Ok(linted);
    };
    let fixed = match engine::par_map(&[()], 1, |_| fix::fix_source(&path, &text, rules, level))
        .remove(0)
    {
        Ok(f) => f,
        Err(e) => {
            if write_fix {
                print!("{text}");
            }
            eprintln!("leaklint: {}: {e}", path.display());
            return Err(EXIT_ERROR);
        }
    };
    let shown = report::display_path(&path, &std::env::current_dir().unwrap_or_default());
    let remaining = fixed.remaining.len();
    let result = FileResult {
        path,
        source: Some(std::sync::Arc::from(fixed.body())),
        diagnostics: fixed.remaining.clone(),
        error: None,
    };
    let summary = fix::summary(
        fixed.applied,
        usize::from(fixed.applied > 0),
        remaining,
        fix::fixable_beyond(&fixed.remaining, level),
        !write_fix,
    );
    if !write_fix {
        if fixed.applied > 0 {
            print!("{}", fix::unified_diff(&shown, &text, &fixed.output));
        }
        eprintln!("leaklint: {summary}");
        linted.results.push(result);
        return Ok(linted);
    }
    print!("{}", fixed.output);
    let _ = std::io::stdout().flush();
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut report = Report::new(vec![result], &cwd, std::time::Duration::ZERO);
    // The fixed text is out already: a broken suppressions file is reported
    // and the problems are shown unfiltered.
    let bulk = bulk_suppressions(args, &mut report, &cwd)?;
    let options = pretty::PrettyOptions {
        color: false,
        width: 100,
    };
    eprint!("{}", pretty::render(&report, &options));
    eprintln!("leaklint: {summary}");
    if let Some((applied, file)) = &bulk {
        bulk_notes(args, applied, file);
    }
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    Err(
        if errors > 0 || args.max_warnings.is_some_and(|max| warnings > max) {
            EXIT_PROBLEMS
        } else {
            EXIT_OK
        },
    )
}
