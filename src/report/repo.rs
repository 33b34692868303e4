//! Repository-relative paths and stable fingerprints for the CI formats.
//!
//! GitHub annotations, GitLab Code Quality and SARIF resolve a relative path
//! from the root of the checked-out repository, not from the directory
//! leaklint ran in: a cwd-relative path printed in `packages/app` would point
//! at the wrong file. So these formats name files from the git top level.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{FileReport, Located};
use crate::position::LineIndex;

/// The base that CI paths are relative to.
#[derive(Clone, Debug)]
pub struct RepoRoot {
    root: PathBuf,
    is_git: bool,
}

impl RepoRoot {
    /// The nearest directory at or above `cwd` holding `.git` (a directory,
    /// or a file in worktrees and submodules); `cwd` itself when there is none.
    pub fn discover(cwd: &Path) -> RepoRoot {
        let cwd = normalize(cwd);
        let git_root = cwd.ancestors().find(|dir| dir.join(".git").exists());
        match git_root {
            Some(root) => RepoRoot {
                root: root.to_path_buf(),
                is_git: true,
            },
            None => RepoRoot {
                root: cwd,
                is_git: false,
            },
        }
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Whether the root is a git top level (not the cwd fallback).
    pub fn is_git(&self) -> bool {
        self.is_git
    }

    /// The file's path from the root, forward slashes; `None` when the file
    /// lies outside the root.
    pub fn relative(&self, file: &FileReport) -> Option<String> {
        let abs = normalize(&file.abs_path);
        let rel = abs.strip_prefix(&self.root).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    }

    /// [`Self::relative`], or the path as the user sees it when the file lies
    /// outside the root (the best a CI system can be given then).
    pub fn shown(&self, file: &FileReport) -> String {
        self.relative(file).unwrap_or_else(|| file.path.clone())
    }
}

/// Resolves `.` and `..` without touching the disk (`cwd.join("../x")` must
/// still strip the repository prefix).
pub fn normalize(path: &Path) -> PathBuf {
    if let Some(fast) = normalize_plain(path) {
        return fast;
    }
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// [`normalize`] without parsing components, for the path every report
/// builds per file (`cwd` joined to `./pkg/file.js`): an absolute path whose
/// segments are all non-empty and none is `..`. `Path::components` then
/// yields the root and every segment but the `.` ones, so the result is the
/// segments less `.`, joined by `/`. `None` for anything else (and for paths
/// that are not UTF-8, or not Unix ones).
fn normalize_plain(path: &Path) -> Option<PathBuf> {
    // Windows separators and prefixes take the general way.
    if !cfg!(unix) {
        return None;
    }
    let text = path.to_str()?;
    let rest = text.strip_prefix('/')?;
    let mut out = String::with_capacity(text.len());
    for segment in rest.split('/') {
        match segment {
            "" | ".." => return None,
            "." => {}
            _ => {
                out.push('/');
                out.push_str(segment);
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    Some(PathBuf::from(out))
}

/// One fingerprint per diagnostic of `file`, same order: a SHA-256 of the
/// rule, the repository path, the trimmed source text of the finding's lines
/// and the occurrence index among identical (rule, text) pairs in the file.
///
/// Line numbers are left out on purpose, so that editing an unrelated part of
/// the file does not turn every finding below it into a "new" one.
pub fn fingerprints(file: &FileReport, path: &str) -> Vec<String> {
    let text = file.source.as_deref().unwrap_or("");
    let index = LineIndex::new(text);
    let mut seen: HashMap<(&str, String), usize> = HashMap::new();
    file.diagnostics
        .iter()
        .map(|d| {
            let snippet = snippet(text, &index, d);
            let occurrence = seen.entry((d.diag.rule, snippet.clone())).or_insert(0);
            let mut hasher = Sha256::new();
            for part in [
                d.diag.rule,
                path,
                snippet.as_str(),
                occurrence.to_string().as_str(),
            ] {
                hasher.update(part.as_bytes());
                hasher.update([0]);
            }
            *occurrence += 1;
            hex(&hasher.finalize())
        })
        .collect()
}

/// The finding's lines, each trimmed, joined by `\n`: indentation and line
/// endings may change without changing the fingerprint.
fn snippet(text: &str, index: &LineIndex, d: &Located) -> String {
    let (first, last) = (d.region.start.line, d.region.end.line);
    let start = index.line_start(first).unwrap_or(text.len());
    let end = index.line_start(last + 1).unwrap_or(text.len());
    text.get(start..end.max(start))
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_path_shortcut_agrees_with_components() {
        for p in [
            "/r/a/./b/c.js",
            "/r/./a",
            "/.",
            "/a/b/.",
            "/a/.hidden/..x/b",
            "/a//b",
            "/a/b/",
            "/a/../b",
            "/",
            "rel/./a",
        ] {
            let path = Path::new(p);
            if let Some(fast) = normalize_plain(path) {
                let mut slow = PathBuf::new();
                for c in path.components() {
                    if c != Component::CurDir {
                        slow.push(c.as_os_str());
                    }
                }
                assert_eq!(fast.as_os_str(), slow.as_os_str(), "{p}");
            }
        }
        assert!(normalize_plain(Path::new("/a/../b")).is_none());
        assert!(normalize_plain(Path::new("rel/a")).is_none());
    }

    #[test]
    fn normalize_resolves_dots_lexically() {
        assert_eq!(
            normalize(Path::new("/r/a/./b/../c")),
            PathBuf::from("/r/a/c")
        );
        assert_eq!(normalize(Path::new("/r/sub/../../x")), PathBuf::from("/x"));
    }
}
