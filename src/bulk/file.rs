//! The suppressions file: where it is, how it reads and writes, and the key
//! a linted file has in it.
//!
//! Its shape is ESLint's `eslint-suppressions.json`, so that readers of that
//! file (SchemaStore's schema, scripts that total it) read this one:
//! `{ "<path>": { "<rule>": { "count": N } } }`. Paths are relative to the
//! working directory (ESLint's choice: the file lives at the project root and
//! leaklint runs there), in POSIX form on every platform, with `..` for a file
//! outside it. Keys are written sorted, so that a rewrite diffs small.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::report::repo::normalize;

/// The file's name in the working directory unless `--suppressions-location`
/// says otherwise.
pub const DEFAULT_NAME: &str = "leaklint-suppressions.json";

/// One file's and one rule's entry.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Count {
    pub count: usize,
}

/// Rule → recorded count, for one file.
pub type Entry = BTreeMap<String, Count>;

/// The suppressions file, read (or about to be written).
#[derive(Debug)]
pub struct Suppressions {
    /// Absolute.
    path: PathBuf,
    /// The directory keys are relative to (the working directory), absolute.
    base: PathBuf,
    /// `base`, symbolic links resolved: for linted paths spelled through a
    /// link (`/tmp` and `/private/tmp` on macOS).
    base_real: Option<PathBuf>,
    pub entries: BTreeMap<String, Entry>,
}

impl Suppressions {
    /// Where the file is: `location` (`--suppressions-location`; a directory
    /// holds the file under its default name) relative to `cwd`, or the
    /// default name in `cwd`.
    pub fn path_for(location: Option<&Path>, cwd: &Path) -> PathBuf {
        let path = match location {
            Some(l) => normalize(&cwd.join(l)),
            None => normalize(&cwd.join(DEFAULT_NAME)),
        };
        if path.is_dir() {
            path.join(DEFAULT_NAME)
        } else {
            path
        }
    }

    /// An empty set of suppressions that will be written at `path`.
    pub fn empty(path: PathBuf, cwd: &Path) -> Suppressions {
        let base = normalize(cwd);
        Suppressions {
            path,
            base_real: std::fs::canonicalize(&base).ok(),
            base,
            entries: BTreeMap::new(),
        }
    }

    /// Reads the file at `path`: `Ok(None)` when there is none. An unreadable
    /// or malformed file is an error (exit 2): reporting every old finding,
    /// or none, would be worse than stopping. The error does not name the
    /// file: the caller does, as its user sees it.
    pub fn read(path: PathBuf, cwd: &Path) -> Result<Option<Suppressions>, String> {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read it: {e}")),
        };
        let entries = parse(&text)?;
        let mut s = Suppressions::empty(path, cwd);
        s.entries = entries;
        Ok(Some(s))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The key of a linted file: relative to the working directory, POSIX.
    pub fn key(&self, file: &Path) -> String {
        let abs = normalize(&self.base.join(file));
        let rel = relative(&self.base, &abs);
        if rel.starts_with("../") || Path::new(&rel).is_absolute() {
            // The same file may be named through a symbolic link.
            if let (Some(base), Ok(real)) = (&self.base_real, std::fs::canonicalize(&abs)) {
                let through = relative(base, &real);
                if !through.starts_with("../") {
                    return through;
                }
            }
        }
        rel
    }

    /// Whether the file a key names exists.
    pub fn exists(&self, key: &str) -> bool {
        self.base.join(key).is_file()
    }

    /// Writes the file, replacing it atomically (a temporary file renamed
    /// over it), so that an interrupted run cannot leave half a file.
    pub fn save(&self) -> std::io::Result<()> {
        let mut text =
            serde_json::to_string_pretty(&self.entries).map_err(std::io::Error::other)?;
        text.push('\n');
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(text.as_bytes())?;
        tmp.flush()?;
        // Committed and read by everyone, like any file the user writes (the
        // temporary file is 0600).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// The file's content, or why it is not a suppressions file.
fn parse(text: &str) -> Result<BTreeMap<String, Entry>, String> {
    serde_json::from_str(text).map_err(|e| {
        let old = serde_json::from_str::<serde_json::Value>(text)
            .is_ok_and(|v| v.get("version").is_some() && v.get("files").is_some());
        if old {
            "this is a fingerprint baseline from --write-baseline, which leaklint no longer reads; record the findings again with --suppress-all (docs/suppressions-file.md)".to_string()
        } else {
            format!(
                "not a leaklint suppressions file ({e}); expected {{ \"<path>\": {{ \"<rule>\": {{ \"count\": N }} }} }}: fix it, or delete it and run --suppress-all again"
            )
        }
    })
}

/// `to` relative to `from` (both absolute and normalised), POSIX, with `..`
/// for what lies outside `from`; `to` itself when they share no root (another
/// drive on Windows).
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return to.to_string_lossy().replace('\\', "/");
    }
    let ups = std::iter::repeat_n("..".to_string(), from.len() - common);
    let downs = to_parts[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    ups.chain(downs).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_relative_to_the_working_directory_and_posix() {
        let s = Suppressions::empty(PathBuf::from("/w/app/x.json"), Path::new("/w/app"));
        assert_eq!(s.key(Path::new("src/a.js")), "src/a.js");
        assert_eq!(s.key(Path::new("./src/../src/a.js")), "src/a.js");
        assert_eq!(s.key(Path::new("/w/app/src/a.js")), "src/a.js");
        assert_eq!(s.key(Path::new("/w/lib/b.js")), "../lib/b.js");
        assert_eq!(s.key(Path::new("../lib/b.js")), "../lib/b.js");
    }

    #[test]
    fn a_file_of_another_shape_is_refused_with_the_reason() {
        assert!(parse("{}").unwrap().is_empty());
        let ok = parse(r#"{ "a.js": { "unbounded-cache": { "count": 2 } } }"#).unwrap();
        assert_eq!(ok["a.js"]["unbounded-cache"], Count { count: 2 });
        for bad in [
            "",
            "[]",
            r#"{ "a.js": 3 }"#,
            r#"{ "a.js": { "r": { "count": -1 } } }"#,
            r#"{ "a.js": { "r": { "cont": 1 } } }"#,
        ] {
            let why = parse(bad).unwrap_err();
            assert!(
                why.contains("not a leaklint suppressions file"),
                "{bad}: {why}"
            );
        }
        let old = parse(r#"{ "version": 1, "files": {} }"#).unwrap_err();
        assert!(old.contains("--suppress-all"), "{old}");
    }
}
