//! Which files to lint: walk the given paths (sorted, deterministic), keep
//! JS/TS files and single-file components (`.vue`, `.svelte`, `.astro`), skip `node_modules/`, `.git/`, `*.min.js` and whatever the
//! `.gitignore` files along the way exclude. Explicitly named files are
//! always linted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use walkdir::WalkDir;

use crate::parse::Dialect;

/// Directories never descended into.
const SKIPPED_DIRS: &[&str] = &["node_modules", ".git", ".hg", ".svn"];

/// The outcome of a walk: files to lint, and paths that could not be walked.
#[derive(Default, Debug)]
pub struct Walk {
    pub files: Vec<PathBuf>,
    /// `(path, one-line reason)`: missing paths, unreadable directories.
    pub errors: Vec<(PathBuf, String)>,
}

/// Is this a file leaklint lints when it finds it in a directory?
pub fn is_lintable(path: &Path) -> bool {
    // Bytes, so that names that are not valid UTF-8 follow the same rules.
    let Some(name) = path.file_name() else {
        return false;
    };
    !name.as_encoded_bytes().ends_with(b".min.js") && Dialect::for_path(path).is_some()
}

pub fn collect(paths: &[PathBuf]) -> Walk {
    let mut walk = Walk::default();
    let mut ignores = Ignores::default();
    for root in paths {
        let meta = match std::fs::symlink_metadata(root) {
            Ok(m) => m,
            Err(_) => {
                walk.errors
                    .push((root.clone(), "no such file or directory".into()));
                continue;
            }
        };
        let is_dir = if meta.file_type().is_symlink() {
            std::fs::metadata(root).map(|m| m.is_dir()).unwrap_or(false)
        } else {
            meta.is_dir()
        };
        if !is_dir {
            // Named explicitly: always linted (the engine reports special files).
            walk.files.push(root.clone());
            continue;
        }
        let abs_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        let outer = repo_ancestors(&abs_root);
        let entries = WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                let skip_dir = e.file_type().is_dir()
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| SKIPPED_DIRS.contains(&n));
                !skip_dir
            });
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = err
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| root.clone());
                    let reason = err
                        .io_error()
                        .map(|e| e.to_string())
                        .unwrap_or_else(|| err.to_string());
                    walk.errors.push((path, reason));
                    continue;
                }
            };
            // Symlinks are not followed (no loops, no escaping the tree);
            // FIFOs, sockets and devices are never opened.
            if !entry.file_type().is_file() || !is_lintable(entry.path()) {
                continue;
            }
            if ignores.is_ignored(entry.path(), root, &abs_root, &outer) {
                continue;
            }
            walk.files.push(entry.into_path());
        }
    }
    let mut seen = std::collections::HashSet::new();
    walk.files.retain(|p| seen.insert(p.clone()));
    walk
}

/// `.gitignore` matchers by directory, loaded on first use.
#[derive(Default)]
struct Ignores {
    by_dir: HashMap<PathBuf, Option<Gitignore>>,
}

impl Ignores {
    fn matcher(&mut self, dir: &Path) -> Option<&Gitignore> {
        self.by_dir
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let file = dir.join(".gitignore");
                if !file.is_file() {
                    return None;
                }
                let mut b = GitignoreBuilder::new(dir);
                b.add(file);
                b.build().ok()
            })
            .as_ref()
    }

    /// Checks the `.gitignore` of every directory from `root` down to the
    /// file's parent (and of the walk root's ancestors inside the repository).
    /// The deepest file that has an opinion decides, as in git.
    fn is_ignored(&mut self, path: &Path, root: &Path, abs_root: &Path, outer: &[PathBuf]) -> bool {
        // Matchers work on absolute paths: `abs_root` is the canonical walk root.
        let Ok(rel) = path.strip_prefix(root) else {
            return false;
        };
        let abs = abs_root.join(rel);
        let mut dirs: Vec<PathBuf> = abs
            .ancestors()
            .skip(1)
            .take_while(|d| d.starts_with(abs_root))
            .map(Path::to_path_buf)
            .collect();
        dirs.extend(outer.iter().cloned());
        for dir in &dirs {
            let Some(m) = self.matcher(dir) else { continue };
            if !abs.starts_with(dir) || abs == *dir {
                continue;
            }
            match m.matched_path_or_any_parents(&abs, false) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }
}

/// Ancestors of `root` up to the repository top (the directory with `.git`),
/// so that a `.gitignore` above the linted directory still applies.
fn repo_ancestors(abs: &Path) -> Vec<PathBuf> {
    if abs.join(".git").exists() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for dir in abs.ancestors().skip(1) {
        out.push(dir.to_path_buf());
        if dir.join(".git").exists() {
            return out;
        }
    }
    // Not in a repository: no outer .gitignore applies.
    Vec::new()
}
