//! Bulk suppressions (ESLint's name and file format): a team adopting
//! leaklint on an existing code base records today's findings with
//! `--suppress-all` (or `--suppress-rule RULE`) in `leaklint-suppressions.json`,
//! and later runs, and the language server, report only what is new.
//!
//! The file counts findings per file and rule,
//! `{ "src/a.js": { "unbounded-cache": { "count": 2 } } }`, with paths
//! relative to the working directory in POSIX form. Counts, not line
//! numbers or fingerprints: an edit elsewhere in the file, or to the flagged
//! line itself, changes nothing. While a file has at most the recorded number
//! of findings of a rule they are all suppressed; one more and all of them are
//! reported (which of them is new cannot be told from a count). Fewer than
//! recorded leaves an unused suppression, which fails the run until
//! `--prune-suppressions` lowers the count, so that a fixed leak cannot make
//! room for a new one.
//!
//! - [`file`]: the file, where it is, its keys;
//! - [`split`]: one file's findings against its entry (suppress, exceed,
//!   unused), and the counts `--suppress-all` and `--prune-suppressions` write;
//! - [`report`]: all of that over a whole run's [`crate::report::Report`];
//! - [`editor`]: the language server's filter.

pub mod editor;
pub mod file;
pub mod report;
pub mod split;

pub use file::{DEFAULT_NAME, Suppressions};

use crate::diagnostic::Diagnostic;

/// Whether a finding can be bulk-suppressed: a finding of a registered rule.
/// A file that does not parse, an internal error and a report about a
/// suppression comment are not leaks to live with: they are always shown.
pub fn suppressible(d: &Diagnostic) -> bool {
    !d.fatal && crate::rules::find(d.rule).is_some()
}
