//! The language server's view of the suppressions file: one open document's
//! findings, less those the file suppresses, by the same counts as the
//! command line (one finding over a rule's count and all of them show, so
//! that the editor says what CI will say).
//!
//! The file is read at every call: it is small, changes rarely, and a file
//! rewritten by `--suppress-all` or `--prune-suppressions` takes effect at
//! the next keystroke without a restart.

use std::path::Path;

use super::file::Suppressions;
use super::split;
use crate::diagnostic::Diagnostic;

/// `found` for the document at `path`, without the suppressed findings;
/// `root` is the workspace root (the working directory of the command line)
/// and `location` the client's `suppressionsLocation`, if any. The second
/// value is a warning to show when the file cannot be used (then nothing is
/// hidden).
pub fn visible(
    root: &Path,
    location: Option<&Path>,
    path: &Path,
    found: Vec<Diagnostic>,
) -> (Vec<Diagnostic>, Option<String>) {
    let file = Suppressions::path_for(location, root);
    let shown = file.display().to_string();
    match Suppressions::read(file, root) {
        Ok(Some(s)) => {
            let entry = s.entries.get(&s.key(path));
            (split::split(entry, found, |d| d).kept, None)
        }
        Ok(None) => (found, None),
        Err(why) => (found, Some(format!("leaklint: {shown}: {why}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_findings_are_hidden_and_a_broken_file_hides_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let leak = || Diagnostic::new("unbounded-cache", 0..1, "m");
        let doc = dir.path().join("src/a.js");
        let (shown, warning) = visible(dir.path(), None, &doc, vec![leak()]);
        assert_eq!((shown.len(), warning), (1, None), "no file: all shown");

        std::fs::write(
            dir.path().join("leaklint-suppressions.json"),
            r#"{ "src/a.js": { "unbounded-cache": { "count": 1 } } }"#,
        )
        .unwrap();
        assert!(visible(dir.path(), None, &doc, vec![leak()]).0.is_empty());
        let (shown, _) = visible(dir.path(), None, &doc, vec![leak(), leak()]);
        assert_eq!(shown.len(), 2, "over the count: all shown");

        std::fs::write(dir.path().join("moved.json"), "{ broken").unwrap();
        let (shown, warning) = visible(
            dir.path(),
            Some(Path::new("moved.json")),
            &doc,
            vec![leak()],
        );
        assert_eq!(shown.len(), 1);
        assert!(warning.unwrap().contains("moved.json"));
    }
}
