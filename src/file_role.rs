//! What a file is for, read from its path the way the ecosystem lays out a
//! package: tests and benchmarks beside the code that ships.
//!
//! Leak findings rest on "this runs for weeks": a server, a page open all
//! day. A test or a benchmark runs once per invocation and then exits, so a
//! finding there stands on an assumption and is shown at `medium` (see
//! `engine::analyse`). The folder and file names are the conventions of test
//! runners and package layouts (Jest's `__tests__` and `*.test.js`, Mocha's
//! `test/`, `*.spec.ts`, `benchmarks/`), not names of any one project.
//!
//! Examples and demos are left out on purpose: an `examples/server.js` is
//! often the long-running server people copy, and a user trying leaklint on
//! a leak they put in `examples/` must see it.

use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// Folders whose files are tests or benchmarks.
const RUN_ONCE_DIRS: [(&str, Role); 10] = [
    ("test", Role::Test),
    ("tests", Role::Test),
    ("__tests__", Role::Test),
    ("__test__", Role::Test),
    ("__mocks__", Role::Test),
    ("spec", Role::Test),
    ("e2e", Role::Test),
    ("bench", Role::Benchmark),
    ("benchmark", Role::Benchmark),
    ("benchmarks", Role::Benchmark),
];

/// Infixes of file names that mark a test or a benchmark (`a.test.ts`,
/// `a.spec.js`, `parse.bench.mjs`).
const RUN_ONCE_INFIXES: [(&str, Role); 3] = [
    (".test.", Role::Test),
    (".spec.", Role::Test),
    (".bench.", Role::Benchmark),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Test,
    Benchmark,
}

impl Role {
    fn what(self) -> &'static str {
        match self {
            Role::Test => "a test",
            Role::Benchmark => "a benchmark",
        }
    }
}

/// The role of the file at `path` when it is code that runs once per
/// invocation (a test, a benchmark), with the part of the path
/// that says so. Only the part of the path below the working directory is
/// read, so a checkout that itself sits in a folder named `test` is not
/// taken for one.
pub fn run_once_role(path: &Path) -> Option<(Role, String)> {
    // Read once per process: the working directory does not change during
    // a run, and asking the kernel for it per file would cost a system call
    // per file.
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    let rel = cwd
        .as_deref()
        .and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path);
    role_of_relative(rel)
}

fn role_of_relative(rel: &Path) -> Option<(Role, String)> {
    let mut parts = rel.components().filter_map(|c| match c {
        Component::Normal(s) => s.to_str(),
        _ => None,
    });
    let file = parts.next_back()?;
    for dir in parts {
        if let Some((_, role)) = RUN_ONCE_DIRS.iter().find(|(d, _)| *d == dir) {
            return Some((*role, format!("{dir}/")));
        }
    }
    RUN_ONCE_INFIXES
        .iter()
        .find(|(infix, _)| file.contains(infix))
        .map(|(infix, role)| (*role, format!("*{infix}*")))
}

/// The evidence a finding in such a file rests on, as an assumption.
pub fn assumption(role: Role, marker: &str) -> String {
    format!(
        "in {} (`{marker}`): it runs once per invocation, not for as long as a server or a page; assumed to run long anyway",
        role.what()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(p: &str) -> Option<Role> {
        role_of_relative(Path::new(p)).map(|(r, _)| r)
    }

    #[test]
    fn test_and_benchmark_files_are_known_by_their_folders_and_names() {
        assert_eq!(role("test/common.js"), Some(Role::Test));
        assert_eq!(role("pkg/src/__tests__/cache.ts"), Some(Role::Test));
        assert_eq!(role("src/cache.test.ts"), Some(Role::Test));
        assert_eq!(role("src/cache.spec.js"), Some(Role::Test));
        assert_eq!(role("benchmarks/parse.js"), Some(Role::Benchmark));
    }

    #[test]
    fn shipped_code_is_not_taken_for_a_test() {
        assert_eq!(role("src/cache.js"), None);
        assert_eq!(role("lib/testing-library.js"), None);
        assert_eq!(role("dist/contest.js"), None);
        assert_eq!(role("src/latest/index.js"), None);
        // The file name itself is not a folder.
        assert_eq!(role("src/test"), None);
        assert_eq!(role("fixtures/unbounded-cache/seed.js"), None);
        // Examples are often the long-running server people copy.
        assert_eq!(role("examples/server.js"), None);
    }

    #[test]
    fn the_evidence_names_the_marker() {
        let (r, m) = role_of_relative(Path::new("a/test/b.js")).unwrap();
        assert!(assumption(r, &m).contains("in a test (`test/`)"));
    }
}
