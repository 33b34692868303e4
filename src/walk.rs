//! Which files to lint: walk the given paths (sorted, deterministic), keep
//! JS/TS files and single-file components (`.vue`, `.svelte`, `.astro`), skip `node_modules/`, `.git/`, `*.min.js` and whatever the
//! `.gitignore` files along the way exclude. Explicitly named files are
//! always linted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

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
        ignores.start_root();
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
    // One root yields each file once; only overlapping roots (`src src/a.js`)
    // can name a file twice, and hashing every path costs a quarter of a
    // large walk, which runs before any linting starts.
    if paths.len() > 1 {
        let mut seen = std::collections::HashSet::new();
        walk.files.retain(|p| seen.insert(p.clone()));
    }
    walk
}

/// `.gitignore` matchers, loaded once per directory, and for each walked
/// directory the chain of matchers that apply to its files (deepest first).
/// Chains are built once per directory from the parent's chain, so a file
/// costs one hash lookup, and nothing more when no `.gitignore` applies
/// (the common case): the walk precedes all linting, so its per-file cost
/// is paid serially.
#[derive(Default)]
struct Ignores {
    /// By absolute directory: its `.gitignore`, if it has one.
    loaded: HashMap<PathBuf, Option<Rc<Gitignore>>>,
    /// By directory as walked (under the current root): the applicable chain.
    chains: HashMap<PathBuf, Chain>,
}

type Chain = Rc<[Rc<Gitignore>]>;

impl Ignores {
    fn load(&mut self, abs_dir: &Path) -> Option<Rc<Gitignore>> {
        if let Some(m) = self.loaded.get(abs_dir) {
            return m.clone();
        }
        let file = abs_dir.join(".gitignore");
        let matcher = file.is_file().then(|| {
            let mut b = GitignoreBuilder::new(abs_dir);
            b.add(file);
            b.build().ok().map(Rc::new)
        });
        let matcher = matcher.flatten();
        self.loaded.insert(abs_dir.to_path_buf(), matcher.clone());
        matcher
    }

    /// Starts a new walk root: chains depend on where the root is.
    fn start_root(&mut self) {
        self.chains.clear();
    }

    /// The matchers for files in `dir` (a walked directory under `root`):
    /// the `.gitignore` of every directory from `dir` up to the walk root,
    /// then those of the root's ancestors inside the repository (`outer`).
    fn chain(&mut self, dir: &Path, root: &Path, abs_root: &Path, outer: &[PathBuf]) -> Chain {
        if let Some(chain) = self.chains.get(dir) {
            return chain.clone();
        }
        let mut matchers = Vec::new();
        // Walked directories are always under the root.
        if let Ok(rel) = dir.strip_prefix(root) {
            matchers.extend(self.load(&abs_root.join(rel)));
            match dir.parent().filter(|_| !rel.as_os_str().is_empty()) {
                Some(parent) => {
                    matchers.extend(self.chain(parent, root, abs_root, outer).iter().cloned())
                }
                None => {
                    for ancestor in outer {
                        matchers.extend(self.load(ancestor));
                    }
                }
            }
        }
        let chain: Chain = matchers.into();
        self.chains.insert(dir.to_path_buf(), chain.clone());
        chain
    }

    /// The deepest `.gitignore` that has an opinion decides, as in git.
    fn is_ignored(&mut self, path: &Path, root: &Path, abs_root: &Path, outer: &[PathBuf]) -> bool {
        let Some(dir) = path.parent() else {
            return false;
        };
        let chain = self.chain(dir, root, abs_root, outer);
        if chain.is_empty() {
            return false;
        }
        // Matchers work on absolute paths: `abs_root` is the canonical walk root.
        let Ok(rel) = path.strip_prefix(root) else {
            return false;
        };
        let abs = abs_root.join(rel);
        for m in chain.iter() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn names(walk: &Walk, root: &Path) -> Vec<String> {
        walk.files
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn the_deepest_gitignore_decides_and_outer_ones_apply_inside_a_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path();
        std::fs::create_dir(repo.join(".git")).unwrap();
        touch(repo, ".gitignore", "*.gen.js\nbuild/\n");
        touch(repo, "app/.gitignore", "!keep.gen.js\nlocal.js\n");
        for file in [
            "app/a.js",
            "app/x.gen.js",
            "app/keep.gen.js",
            "app/local.js",
            "app/deep/local.js",
            "app/deep/y.gen.js",
            "app/build/z.js",
            "lib/b.js",
            "lib/keep.gen.js",
        ] {
            touch(repo, file, "");
        }
        let all = collect(&[repo.to_path_buf()]);
        assert_eq!(
            names(&all, repo),
            ["app/a.js", "app/keep.gen.js", "lib/b.js"],
            "{:?}",
            all.files
        );
        // Walking a subdirectory: the repository's top .gitignore still applies.
        let app = repo.join("app");
        let sub = collect(std::slice::from_ref(&app));
        assert_eq!(names(&sub, &app), ["a.js", "keep.gen.js"]);
        // Two roots in one run: each gets the chains of its own position.
        let both = collect(&[app.clone(), repo.join("lib")]);
        assert_eq!(both.files.len(), 3, "{:?}", both.files);
    }

    #[test]
    fn overlapping_roots_name_each_file_once() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        touch(dir, "a.js", "");
        touch(dir, "sub/b.js", "");
        let overlapping = collect(&[dir.to_path_buf(), dir.join("a.js"), dir.join("sub")]);
        assert_eq!(names(&overlapping, dir), ["a.js", "sub/b.js"]);
    }
}
