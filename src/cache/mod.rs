//! `--cache`: re-runs skip files whose content and effective rules are
//! unchanged (ESLint's `--cache`, with a content hash rather than mtimes).
//!
//! One JSON file (default `.leaklintcache`) holds, per file (by normalised
//! absolute path): a hash of its bytes, the rules it was linted with (which
//! rules, at which severity, the unused-directive level, the least
//! confidence reported and the settings: everything a config file can change
//! about one file;
//! stored once in a table, each entry naming its row), the stat
//! [`stamp::Stamp`] taken before the bytes were read, its diagnostics
//! *before* the cross-file join, and its cross-file summary. A warm run joins
//! cached and fresh files exactly as a cold run joins fresh ones
//! ([`crate::project::join`]), so a file's findings still change when another
//! file starts or stops evicting its container.
//!
//! A file whose stamp is unchanged and settled (see [`stamp`]) and that had
//! no findings is not read; every other file is read and hashed, and a hash
//! that differs lints it again.
//!
//! The whole file is discarded when it was written by another leaklint
//! version or rule registry, and ignored with a warning when it cannot be
//! read (truncated, corrupt, foreign): never a crash, never a stale result.
//! It is replaced atomically (a temporary file renamed over it), so two
//! concurrent runs cannot leave a torn file; the last one wins. A run that
//! changed no entry does not write it.
//!
//! Not cached: files that could not be read, files whose analysis hit an
//! internal error, `--fix` runs and standard input.

mod stamp;
mod stored;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::Metadata;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, INTERNAL_ERROR};
use crate::engine::{self, FileResult};
use crate::project::FileSummary;
use crate::rules::RULES;
use crate::rules::RuleSet;
use crate::{project, schedule};

pub use stamp::SETTLED;
pub use stored::known_rule_id;

use stamp::{RunStart, Stamp};
use stored::CachedSummary;

/// The default cache file, in the working directory.
pub const DEFAULT_LOCATION: &str = ".leaklintcache";

/// Changes whenever the layout of the file changes.
const FORMAT: &str = "leaklint-cache/2";

/// The file as written.
#[derive(Serialize)]
struct CacheFileOut<'a> {
    format: &'static str,
    leaklint: &'a str,
    registry: &'a str,
    /// The distinct rule fingerprints; entries name them by position.
    rules: Vec<&'a str>,
    entries: BTreeMap<&'a str, EntryOut<'a>>,
}

#[derive(Serialize)]
struct EntryOut<'a> {
    content: &'a str,
    rules: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    stamp: Option<Stamp>,
    diagnostics: &'a [Diagnostic],
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a CachedSummary>,
}

/// The file as read back.
#[derive(Deserialize)]
struct CacheFileIn {
    format: String,
    leaklint: String,
    registry: String,
    rules: Vec<String>,
    entries: BTreeMap<String, EntryIn>,
}

#[derive(Deserialize)]
struct EntryIn {
    content: String,
    rules: usize,
    #[serde(default)]
    stamp: Option<Stamp>,
    diagnostics: Vec<Diagnostic>,
    #[serde(default)]
    summary: Option<CachedSummary>,
}

/// Just enough of a cache file to tell an old layout from a foreign file.
#[derive(Deserialize)]
struct Header {
    format: String,
}

/// One file's record, in memory.
#[derive(Clone)]
struct Entry {
    /// [`digest`] of the file's bytes.
    content: String,
    /// [`rules_fingerprint`] of the rules the file was linted with.
    rules: Arc<str>,
    /// The file's stamp before it was read, kept only when settled.
    stamp: Option<Stamp>,
    /// The file's findings before the cross-file join.
    diagnostics: Vec<Diagnostic>,
    summary: Option<CachedSummary>,
}

/// Everything about a rule set that changes a file's findings.
pub fn rules_fingerprint(rules: &RuleSet) -> String {
    let mut s = String::new();
    for (rule, severity) in &rules.rules {
        s.push_str(rule.name);
        s.push('=');
        s.push_str(severity.as_str());
        s.push(',');
    }
    s.push_str("unused=");
    s.push_str(rules.unused_directives.map_or("off", |s| s.as_str()));
    s.push_str(",confidence=");
    s.push_str(rules.min_confidence.as_str());
    s.push(',');
    s.push_str(&rules.settings.fingerprint());
    s
}

/// The version, plus the size and modification time of the running
/// executable: a leaklint rebuilt from changed sources (same version number)
/// does not trust what the previous build found.
fn build_id() -> String {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("+{}.{modified}", m.len())
        })
        .unwrap_or_default();
    format!("{}{exe}", env!("CARGO_PKG_VERSION"))
}

fn registry() -> String {
    RULES.iter().map(|r| r.name).collect::<Vec<_>>().join(",")
}

/// The content hash: BLAKE3 (cryptographic, so no crafted file can pass for
/// another; several times faster than SHA-256), hex.
fn digest(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// The cache of one run: read at the start, written at the end.
pub struct Cache {
    path: PathBuf,
    entries: BTreeMap<String, Entry>,
    /// When the run started, before any file was looked at.
    started: RunStart,
    /// The file must be written: an entry was added, changed or dropped,
    /// or the file on disk was missing or unusable.
    dirty: bool,
    /// The keys of the files of this run (they exist: they were just read).
    seen: HashSet<String>,
    /// What to tell the user about the file on disk, once.
    warning: Option<String>,
}

/// What [`Cache::lint`] did, for tests and `--debug`-style reporting.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub hits: usize,
    /// Hits taken on the stamp alone, without reading the file.
    pub unread: usize,
    pub misses: usize,
}

/// What became of one file.
struct Outcome {
    linted: (FileResult, Option<FileSummary>),
    /// A new or changed entry for it.
    entry: Option<Entry>,
    hit: bool,
    read: bool,
}

impl Cache {
    /// `--cache-location`: a file, or a directory to hold `.leaklintcache`.
    pub fn location(given: Option<&Path>, cwd: &Path) -> PathBuf {
        match given {
            None => cwd.join(DEFAULT_LOCATION),
            Some(p) => {
                let p = cwd.join(p);
                let dir_like = p.is_dir() || p.as_os_str().to_string_lossy().ends_with(['/', '\\']);
                if dir_like {
                    p.join(DEFAULT_LOCATION)
                } else {
                    p
                }
            }
        }
    }

    /// Reads the cache at `path`. A missing file is an empty cache; one that
    /// cannot be used is an empty cache and a [`Cache::warning`]. Call it
    /// before looking at any file of the run: its time is the run's start.
    pub fn open(path: PathBuf) -> Cache {
        let mut cache = Cache {
            path,
            entries: BTreeMap::new(),
            started: RunStart::now(),
            dirty: true,
            seen: HashSet::new(),
            warning: None,
        };
        let bytes = match std::fs::read(&cache.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return cache,
            Err(e) => {
                cache.warning = Some(format!(
                    "cannot read the cache {}: {e}; linting every file",
                    cache.path.display()
                ));
                return cache;
            }
        };
        match serde_json::from_slice::<CacheFileIn>(&bytes) {
            Ok(file)
                if file.format == FORMAT
                    && file.leaklint == build_id()
                    && file.registry == registry() =>
            {
                let rules: Vec<Arc<str>> = file.rules.into_iter().map(Arc::from).collect();
                let mut dropped = false;
                for (key, e) in file.entries {
                    // A row that is not in the table: a damaged entry, lint it.
                    let Some(fingerprint) = rules.get(e.rules) else {
                        dropped = true;
                        continue;
                    };
                    let entry = Entry {
                        content: e.content,
                        rules: fingerprint.clone(),
                        stamp: e.stamp,
                        diagnostics: e.diagnostics,
                        summary: e.summary,
                    };
                    cache.entries.insert(key, entry);
                }
                cache.dirty = dropped;
            }
            // Another leaklint or rule set: stale as a whole, quietly.
            Ok(_) => {}
            // An older layout of this cache: stale too, quietly.
            Err(_)
                if serde_json::from_slice::<Header>(&bytes).is_ok_and(|h| {
                    h.format.starts_with("leaklint-cache/") && h.format != FORMAT
                }) => {}
            Err(_) => {
                cache.warning = Some(format!(
                    "ignoring the cache {}: not a leaklint cache or corrupt; it will be rewritten",
                    cache.path.display()
                ))
            }
        }
        cache
    }

    /// Why the cache file on disk was not used, if it should be said.
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    /// Lints `jobs` like [`engine::lint_jobs`], taking unchanged files from
    /// the cache and recording the others.
    pub fn lint(
        &mut self,
        jobs: &[(PathBuf, Arc<RuleSet>)],
        threads: usize,
        cwd: &Path,
    ) -> (Vec<FileResult>, Stats) {
        // Jobs share a few rule sets: one fingerprint each.
        let mut by_set: HashMap<*const RuleSet, Arc<str>> = HashMap::new();
        let fingerprints: Vec<Arc<str>> = jobs
            .iter()
            .map(|(_, r)| {
                by_set
                    .entry(Arc::as_ptr(r))
                    .or_insert_with(|| Arc::from(rules_fingerprint(r)))
                    .clone()
            })
            .collect();
        let keys: Vec<String> = jobs
            .iter()
            .map(|(p, _)| {
                crate::report::repo::normalize(&cwd.join(p))
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        // One `stat` per file, shared by the scheduler (the size) and the
        // stamp; taken before the file is read.
        let metadata: Vec<OnceLock<Option<Metadata>>> =
            jobs.iter().map(|_| OnceLock::new()).collect();
        let meta = |i: usize| {
            metadata[i]
                .get_or_init(|| std::fs::metadata(&jobs[i].0).ok())
                .as_ref()
        };
        let size_of = |i: usize| meta(i).map_or(0, Metadata::len);
        let linted = schedule::run(
            jobs.len(),
            size_of,
            threads,
            engine::WORKER_STACK_BYTES,
            |i| {
                let (path, rules) = &jobs[i];
                let cached = self
                    .entries
                    .get(&keys[i])
                    .filter(|e| e.rules == fingerprints[i]);
                self.lint_one(path, rules, meta(i), cached, &fingerprints[i])
            },
        );
        let mut stats = Stats::default();
        let mut joined = Vec::with_capacity(linted.len());
        for (i, outcome) in linted.into_iter().enumerate() {
            if outcome.hit {
                stats.hits += 1;
                stats.unread += usize::from(!outcome.read);
            } else {
                stats.misses += 1;
            }
            if let Some(entry) = outcome.entry {
                self.entries.insert(keys[i].clone(), entry);
                self.dirty = true;
            }
            joined.push(outcome.linted);
        }
        self.seen.extend(keys);
        (project::join(joined), stats)
    }

    /// One file: from its entry when its stamp or its content says it is
    /// unchanged, else linted (with a new entry when it can be cached).
    fn lint_one(
        &self,
        path: &Path,
        rules: &RuleSet,
        meta: Option<&Metadata>,
        cached: Option<&Entry>,
        fingerprint: &Arc<str>,
    ) -> Outcome {
        let not_cached = |linted| Outcome {
            linted,
            entry: None,
            hit: false,
            read: true,
        };
        // Not a readable regular file of a size leaklint lints: the engine
        // reports it as it always does.
        let Some(meta) = meta.filter(|m| m.is_file() && m.len() <= engine::MAX_FILE_BYTES) else {
            return not_cached(engine::lint_file_summarized(path, rules));
        };
        let stamp = Stamp::of(meta).filter(|s| s.settled(self.started));
        // Unchanged by its stamp, and nothing to show from its text.
        if let Some(entry) =
            cached.filter(|e| stamp.is_some() && e.stamp == stamp && e.diagnostics.is_empty())
        {
            if let Ok(linted) = from_entry(path, None, entry) {
                return Outcome {
                    linted,
                    entry: None,
                    hit: true,
                    read: false,
                };
            }
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(_) => return not_cached(engine::lint_file_summarized(path, rules)),
        };
        let content = digest(&bytes);
        let mut bytes = Some(bytes);
        if let Some(entry) = cached.filter(|e| e.content == content) {
            // Record a stamp that changed (or settled) since, so the next
            // run need not read the file.
            let restamped = (entry.stamp != stamp).then(|| Entry {
                stamp,
                ..entry.clone()
            });
            match from_entry(path, bytes.take(), entry) {
                Ok(linted) => {
                    return Outcome {
                        linted,
                        entry: restamped,
                        hit: true,
                        read: true,
                    };
                }
                // Names a rule this build lacks: lint afresh.
                Err(given_back) => bytes = given_back,
            }
        }
        let bytes = match bytes {
            Some(b) => b,
            None => match std::fs::read(path) {
                Ok(b) => b,
                Err(_) => return not_cached(engine::lint_file_summarized(path, rules)),
            },
        };
        let (result, summary) = engine::lint_bytes_summarized(path, bytes, rules);
        let cacheable =
            result.error.is_none() && !result.diagnostics.iter().any(|d| d.rule == INTERNAL_ERROR);
        let entry = cacheable.then(|| Entry {
            content,
            rules: fingerprint.clone(),
            stamp,
            diagnostics: result.diagnostics.clone(),
            summary: summary.as_ref().map(CachedSummary::of),
        });
        Outcome {
            linted: (result, summary),
            entry,
            hit: false,
            read: true,
        }
    }

    /// Writes the cache atomically, unless this run changed nothing in it.
    /// Entries of files that no longer exist are dropped (only files not
    /// in this run are looked up: the others were just read). A failure is a
    /// warning: the lint results stand.
    pub fn save(&mut self) {
        let before = self.entries.len();
        let seen = &self.seen;
        self.entries
            .retain(|path, _| seen.contains(path) || Path::new(path).is_file());
        if self.entries.len() != before {
            self.dirty = true;
        }
        if !self.dirty {
            return;
        }
        let (leaklint, registry) = (build_id(), registry());
        let mut rules: Vec<&str> = Vec::new();
        let mut row: HashMap<&str, usize> = HashMap::new();
        let entries = self
            .entries
            .iter()
            .map(|(key, e)| {
                let rules_row = *row.entry(&e.rules).or_insert_with(|| {
                    rules.push(&e.rules);
                    rules.len() - 1
                });
                let out = EntryOut {
                    content: &e.content,
                    rules: rules_row,
                    stamp: e.stamp,
                    diagnostics: &e.diagnostics,
                    summary: e.summary.as_ref(),
                };
                (key.as_str(), out)
            })
            .collect();
        let file = CacheFileOut {
            format: FORMAT,
            leaklint: &leaklint,
            registry: &registry,
            rules,
            entries,
        };
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let written = std::fs::create_dir_all(dir)
            .and_then(|_| tempfile::NamedTempFile::new_in(dir))
            .and_then(|mut tmp| {
                serde_json::to_writer(std::io::BufWriter::new(tmp.as_file_mut()), &file)?;
                tmp.as_file_mut().flush()?;
                // Readable like any file the user writes (a CI cache may be
                // restored by another user); the temporary file is 0600.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let _ = tmp
                        .as_file()
                        .set_permissions(std::fs::Permissions::from_mode(0o644));
                }
                tmp.persist(&self.path).map_err(|e| e.error)?;
                Ok(())
            });
        if let Err(e) = written {
            eprintln!(
                "leaklint: warning: cannot write the cache {}: {e}",
                self.path.display()
            );
        }
    }
}

/// A file's result (before the join) and summary rebuilt from its entry;
/// `Err` (with the bytes given back) when the entry names something this
/// build does not know. `bytes` are the file's, needed (and given) only when
/// it has findings: the report needs the text the spans point into.
#[allow(clippy::type_complexity)]
fn from_entry(
    path: &Path,
    bytes: Option<Vec<u8>>,
    entry: &Entry,
) -> Result<(FileResult, Option<FileSummary>), Option<Vec<u8>>> {
    let summary = match &entry.summary {
        Some(s) => match s.summary() {
            Some(summary) => Some(summary),
            None => return Err(bytes),
        },
        None => None,
    };
    // The text as the engine keeps it: decoded the same way, without its
    // BOM, only when there are findings.
    let source = match bytes {
        Some(bytes) if !entry.diagnostics.is_empty() => {
            engine::decode_lossy(bytes).ok().map(|(text, _)| {
                let text = crate::parse::strip_bom(&text);
                Arc::from(text)
            })
        }
        _ => None,
    };
    Ok((
        FileResult {
            path: path.to_path_buf(),
            source,
            diagnostics: entry.diagnostics.clone(),
            error: None,
        },
        summary,
    ))
}
