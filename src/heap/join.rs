//! Joins heap culprits with the linter's findings on the same files.

use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::collections::{Collection, Holder, Kind};
use crate::engine::{self, FileResult};
use crate::rules::RuleSet;
use crate::walk;

/// A static finding that explains a heap culprit.
#[derive(Debug, Clone, Serialize)]
pub struct StaticMatch {
    pub rule: &'static str,
    pub path: String,
    pub line: u32,
    pub message: String,
    pub fix_available: bool,
}

/// Linted files with line indexes.
pub struct Linted {
    files: Vec<FileResult>,
    pub errors: Vec<String>,
}

/// Lints every file under `paths` with the default rules.
pub fn lint(paths: &[PathBuf]) -> Linted {
    let walk = walk::collect(paths);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let results = engine::lint_files(&walk.files, &RuleSet::default(), threads);
    let mut errors: Vec<String> = walk
        .errors
        .iter()
        .map(|(p, e)| format!("{}: {e}", p.display()))
        .collect();
    let files = results
        .into_iter()
        .inspect(|r| {
            if let Some(e) = &r.error {
                errors.push(format!("{}: {e}", r.path.display()));
            }
        })
        .collect();
    Linted { files, errors }
}

fn components(p: &Path) -> Vec<String> {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

/// How many trailing path components two paths share.
fn shared_suffix(a: &Path, b: &Path) -> usize {
    let (a, b) = (components(a), components(b));
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

fn is_word_in(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(ident)
            && !text[i + word.len()..].chars().next().is_some_and(ident)
    })
}

impl Linted {
    /// The linted file a snapshot script is: same path, else the longest
    /// shared tail of path components (the snapshot may come from another
    /// machine: `/app/src/cache.js` is `./src/cache.js`).
    fn file_for(&self, script: &str) -> Option<&FileResult> {
        let script = Path::new(script.strip_prefix("file://").unwrap_or(script));
        let exact = std::fs::canonicalize(script).ok();
        self.files
            .iter()
            .filter_map(|f| {
                let same = exact.is_some() && std::fs::canonicalize(&f.path).ok() == exact;
                let score = if same {
                    usize::MAX
                } else {
                    shared_suffix(script, &f.path)
                };
                (score > 0).then_some((score, f))
            })
            .max_by_key(|(s, _)| *s)
            .map(|(_, f)| f)
    }

    /// Static findings about a collection: in its script, naming its
    /// variable, or on the line of its declaration or of its entries' functions.
    pub fn matches(&self, c: &Collection) -> (Vec<StaticMatch>, Option<String>) {
        let mut out = Vec::new();
        let mut places = Vec::new();
        places.extend(c.declared.iter());
        places.extend(c.entries_created_at.iter());
        let mut seen_file = None;
        for place in places {
            let Some(file) = self.file_for(&place.script) else {
                continue;
            };
            seen_file.get_or_insert_with(|| file.path.display().to_string());
            let text = file.source.as_deref().unwrap_or("");
            let line_of = |offset: usize| {
                text.get(..offset)
                    .map_or(0, |t| t.matches('\n').count() as u32 + 1)
            };
            for d in &file.diagnostics {
                if d.fatal {
                    continue;
                }
                let line = line_of(d.span.start);
                let named =
                    !c.culprit.variable.is_empty() && is_word_in(&d.message, &c.culprit.variable);
                let at_place = line == place.line
                    || d.labels.iter().any(|l| line_of(l.span.start) == place.line);
                if (named || at_place)
                    && !out
                        .iter()
                        .any(|m: &StaticMatch| m.rule == d.rule && m.line == line)
                {
                    out.push(StaticMatch {
                        rule: d.rule,
                        path: file.path.display().to_string(),
                        line,
                        message: d.message.clone(),
                        fix_available: d.fix.is_some(),
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            b.fix_available
                .cmp(&a.fix_available)
                .then(a.line.cmp(&b.line))
        });
        let note = if out.is_empty() {
            Some(match seen_file {
                None => "its script is not among the linted paths".to_string(),
                Some(f) => format!("no static finding in {f}: {}", needs(c)),
            })
        } else {
            None
        };
        (out, note)
    }
}

/// What the rules would need to see to report this culprit statically.
fn needs(c: &Collection) -> &'static str {
    match (c.kind, c.culprit.holder) {
        (Kind::Listeners, _) => {
            "the rules look for `on`/`addEventListener` calls inside functions that run repeatedly, with no matching removal; this registration is not in that form (an emitter passed in, or a wrapper function)"
        }
        (Kind::Timers, _) => {
            "the rules look for `setInterval` results that are dropped or stored and never cleared; this timer is created through a wrapper or cleared on a path the rules cannot follow"
        }
        (_, Holder::ClosureVariable | Holder::GlobalProperty | Holder::ModuleExport) => {
            "the rules look for writes with computed keys (`x[k] = v`, `map.set(k, v)`, `push`) to a long-lived container with no removal; the writes to this one go through an alias, another module, or a call the rules do not follow"
        }
        (_, Holder::InstanceField) => {
            "the rules look for fields of long-lived instances that only grow; this instance's lifetime, or the writes, are not visible in one file"
        }
        (_, Holder::Stack) => {
            "the collection is a local of a function that was running when the snapshot was taken; take the snapshot between calls"
        }
        _ => "the collection is held by internal structures, not by a name in the source",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_match_files_by_their_path_tail() {
        assert_eq!(
            shared_suffix(Path::new("/app/src/cache.js"), Path::new("./src/cache.js")),
            2
        );
        assert_eq!(
            shared_suffix(Path::new("/app/src/cache.js"), Path::new("lib/cache.ts")),
            0
        );
    }

    #[test]
    fn names_match_whole_words_only() {
        assert!(is_word_in(
            "`localCache[key] = null` keeps the key",
            "localCache"
        ));
        assert!(!is_word_in("`localCacheSize` grows", "localCache"));
        assert!(!is_word_in("`myLocalCache` grows", "LocalCache"));
    }
}
