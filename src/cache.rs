//! `--cache`: re-runs skip files whose content and effective rules are
//! unchanged (ESLint's `--cache`, with a content hash rather than mtimes).
//!
//! One JSON file (default `.leaklintcache`) holds, per file (by normalised
//! absolute path): the SHA-256 of its bytes, the fingerprint of the rules it
//! was linted with (which rules, at which severity, the unused-directive
//! level and the least confidence reported: everything a config file can
//! change about one file), its
//! diagnostics *before* the cross-file join, and its cross-file summary.
//! A warm run joins cached and fresh files exactly as a cold run joins fresh
//! ones ([`crate::project::join`]), so a file's findings still change when
//! another file starts or stops evicting its container.
//!
//! The whole file is discarded when it was written by another leaklint
//! version or rule registry, and ignored with a warning when it cannot be
//! read (truncated, corrupt, foreign): never a crash, never a stale result.
//! It is replaced atomically (a temporary file renamed over it), so two
//! concurrent runs cannot leave a torn file; the last one wins.
//!
//! Not cached: files that could not be read, files whose analysis hit an
//! internal error, `--fix` runs and standard input.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use swc_atoms::Atom;

use crate::diagnostic::{
    Confidence, Diagnostic, Fix, INTERNAL_ERROR, Label, PARSE_ERROR, RuleId, Severity,
};
use crate::engine::{self, FileResult};
use crate::project::FileSummary;
use crate::rules::RULES;
use crate::rules::RuleSet;
use crate::{project, schedule};

/// The default cache file, in the working directory.
pub const DEFAULT_LOCATION: &str = ".leaklintcache";

/// Changes whenever the layout of the file changes.
const FORMAT: &str = "leaklint-cache/1";

/// `id` as the `'static` name of a registered rule or a built-in problem.
pub fn known_rule_id(id: &str) -> Option<&'static str> {
    const BUILT_IN: [&str; 4] = [
        PARSE_ERROR,
        INTERNAL_ERROR,
        crate::suppress::UNUSED_DIRECTIVE,
        crate::suppress::UNKNOWN_RULE,
    ];
    BUILT_IN
        .into_iter()
        .find(|b| *b == id)
        .or_else(|| crate::rules::find(id).map(|r| r.name))
}

/// The registered id (rule or built-in) a diagnostic read back from the
/// cache names; an id this build does not know makes the entry invalid.
fn static_rule_id<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let id = String::deserialize(d)?;
    known_rule_id(&id).ok_or_else(|| serde::de::Error::custom(format!("unknown rule id `{id}`")))
}

/// A [`Diagnostic`] as the cache stores it. Reading one back needs the rule
/// registry (its id must be a registered `'static` name), so its
/// `Deserialize` lives here rather than in `diagnostic`, which the rules
/// themselves depend on.
#[derive(Deserialize)]
struct StoredDiagnostic {
    #[serde(deserialize_with = "static_rule_id")]
    rule: RuleId,
    severity: Severity,
    message: String,
    span: std::ops::Range<usize>,
    label: Option<String>,
    labels: Vec<Label>,
    help: Option<String>,
    fix: Option<Fix>,
    fatal: bool,
    confidence: Confidence,
    evidence: Vec<String>,
}

impl<'de> Deserialize<'de> for Diagnostic {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = StoredDiagnostic::deserialize(d)?;
        Ok(Diagnostic {
            rule: s.rule,
            severity: s.severity,
            message: s.message,
            span: s.span,
            label: s.label,
            labels: s.labels,
            help: s.help,
            fix: s.fix,
            fatal: s.fatal,
            confidence: s.confidence,
            evidence: s.evidence,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: String,
    /// The leaklint that wrote it: [`build_id`].
    leaklint: String,
    /// The rule registry (names, in order) of that leaklint.
    registry: String,
    entries: BTreeMap<String, Entry>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Entry {
    /// SHA-256 of the file's bytes, hex.
    content: String,
    /// [`rules_fingerprint`] of the rules the file was linted with.
    rules: String,
    /// The file's findings before the cross-file join.
    diagnostics: Vec<Diagnostic>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    summary: Option<CachedSummary>,
}

/// [`FileSummary`] in owned, serialisable form.
#[derive(Clone, Serialize, Deserialize)]
struct CachedSummary {
    teardowns_called: Vec<String>,
    unless_called: Vec<(String, (usize, usize), Vec<String>)>,
    unless_evicted: Vec<(String, (usize, usize), String)>,
    evicts: Vec<(String, String)>,
}

impl CachedSummary {
    fn of(s: &FileSummary) -> CachedSummary {
        let strings = |v: &[Atom]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        CachedSummary {
            teardowns_called: strings(&s.teardowns_called),
            unless_called: s
                .unless_called
                .iter()
                .map(|(r, span, names)| (r.to_string(), (span.start, span.end), strings(names)))
                .collect(),
            unless_evicted: s
                .unless_evicted
                .iter()
                .map(|(r, span, e)| (r.to_string(), (span.start, span.end), e.to_string()))
                .collect(),
            evicts: s
                .evicts
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }

    /// `None` when a rule id is unknown to this build (a foreign cache).
    fn summary(&self) -> Option<FileSummary> {
        let atoms = |v: &[String]| v.iter().map(|s| Atom::from(s.as_str())).collect::<Vec<_>>();
        let mut unless_called = Vec::new();
        for (r, (a, b), names) in &self.unless_called {
            unless_called.push((known_rule_id(r)?, *a..*b, atoms(names)));
        }
        let mut unless_evicted = Vec::new();
        for (r, (a, b), e) in &self.unless_evicted {
            unless_evicted.push((known_rule_id(r)?, *a..*b, Atom::from(e.as_str())));
        }
        Some(FileSummary {
            teardowns_called: atoms(&self.teardowns_called),
            unless_called,
            unless_evicted,
            evicts: self
                .evicts
                .iter()
                .map(|(a, b)| (Atom::from(a.as_str()), Atom::from(b.as_str())))
                .collect(),
        })
    }
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

fn hex_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The cache of one run: read at the start, written at the end.
pub struct Cache {
    path: PathBuf,
    entries: BTreeMap<String, Entry>,
}

/// What [`Cache::lint`] did, for tests and `--debug`-style reporting.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub hits: usize,
    pub misses: usize,
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
    /// cannot be used is an empty cache and a warning on stderr.
    pub fn open(path: PathBuf) -> Cache {
        let mut cache = Cache {
            path,
            entries: BTreeMap::new(),
        };
        let bytes = match std::fs::read(&cache.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return cache,
            Err(e) => {
                eprintln!(
                    "leaklint: warning: cannot read the cache {}: {e}; linting every file",
                    cache.path.display()
                );
                return cache;
            }
        };
        match serde_json::from_slice::<CacheFile>(&bytes) {
            Ok(file)
                if file.format == FORMAT
                    && file.leaklint == build_id()
                    && file.registry == registry() =>
            {
                cache.entries = file.entries;
            }
            // Another leaklint or rule set: stale as a whole, quietly.
            Ok(file) if file.format == FORMAT => {}
            Ok(_) | Err(_) => eprintln!(
                "leaklint: warning: ignoring the cache {}: not a leaklint cache or corrupt; it will be rewritten",
                cache.path.display()
            ),
        }
        cache
    }

    /// Lints `jobs` like [`engine::lint_jobs`], taking unchanged files from
    /// the cache and recording the others.
    pub fn lint(
        &mut self,
        jobs: &[(PathBuf, Arc<RuleSet>)],
        threads: usize,
        cwd: &Path,
    ) -> (Vec<FileResult>, Stats) {
        let fingerprints: Vec<String> = jobs.iter().map(|(_, r)| rules_fingerprint(r)).collect();
        let keys: Vec<String> = jobs
            .iter()
            .map(|(p, _)| {
                crate::report::repo::normalize(&cwd.join(p))
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        let entries = &self.entries;
        let size_of = |i: usize| schedule::file_size(&jobs[i].0);
        let linted = schedule::run(
            jobs.len(),
            size_of,
            threads,
            engine::WORKER_STACK_BYTES,
            |i| {
                let (path, rules) = &jobs[i];
                let bytes = match engine::read_bytes(path) {
                    Ok(b) => b,
                    // Not cacheable: the engine reports it as it always does.
                    Err(_) => return (engine::lint_file_summarized(path, rules), None, false),
                };
                let content = hex_sha256(&bytes);
                let entry = entries
                    .get(&keys[i])
                    .filter(|e| e.content == content && e.rules == fingerprints[i]);
                if let Some(entry) = entry {
                    return match from_entry(path, bytes, entry) {
                        Some(hit) => (hit, None, true),
                        // Names a rule this build lacks: lint afresh.
                        None => (engine::lint_file_summarized(path, rules), None, false),
                    };
                }
                let (result, summary) = engine::lint_bytes_summarized(path, bytes, rules);
                let cacheable = result.error.is_none()
                    && !result.diagnostics.iter().any(|d| d.rule == INTERNAL_ERROR);
                let entry = cacheable.then(|| Entry {
                    content,
                    rules: fingerprints[i].clone(),
                    diagnostics: result.diagnostics.clone(),
                    summary: summary.as_ref().map(CachedSummary::of),
                });
                ((result, summary), entry, false)
            },
        );
        let mut stats = Stats::default();
        let mut joined = Vec::with_capacity(linted.len());
        for (i, (pair, entry, hit)) in linted.into_iter().enumerate() {
            if hit {
                stats.hits += 1;
            } else {
                stats.misses += 1;
            }
            if let Some(entry) = entry {
                self.entries.insert(keys[i].clone(), entry);
            }
            joined.push(pair);
        }
        (project::join(joined), stats)
    }

    /// Writes the cache (entries of files that no longer exist dropped),
    /// atomically. A failure is a warning: the lint results stand.
    pub fn save(&mut self) {
        self.entries.retain(|path, _| Path::new(path).is_file());
        let file = CacheFile {
            format: FORMAT.into(),
            leaklint: build_id(),
            registry: registry(),
            entries: std::mem::take(&mut self.entries),
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
        self.entries = file.entries;
    }
}

/// A file's result (before the join) and summary rebuilt from its entry;
/// `None` when the entry names something this build does not know.
fn from_entry(
    path: &Path,
    bytes: Vec<u8>,
    entry: &Entry,
) -> Option<(FileResult, Option<FileSummary>)> {
    let summary = match &entry.summary {
        Some(s) => Some(s.summary()?),
        None => None,
    };
    // The report needs the text the spans point into, as the engine keeps
    // it: decoded the same way, without its BOM, only when there are findings.
    let source = if entry.diagnostics.is_empty() {
        None
    } else {
        engine::decode_lossy(bytes).ok().map(|(text, _)| {
            let text = crate::parse::strip_bom(&text);
            Arc::from(text)
        })
    };
    Some((
        FileResult {
            path: path.to_path_buf(),
            source,
            diagnostics: entry.diagnostics.clone(),
            error: None,
        },
        summary,
    ))
}
