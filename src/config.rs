//! Configuration files: `leaklint.json` / `leaklint.jsonc` (JSON with
//! comments), ESLint vocabulary.
//!
//! ```jsonc
//! {
//!   "$schema": "./leaklint.schema.json",
//!   "rules": { "unbounded-cache": "warn" },
//!   "overrides": [{ "files": ["*.test.ts"], "rules": { "unbounded-cache": "off" } }],
//!   "ignorePatterns": ["dist/", "**/*.generated.ts"],
//!   "linterOptions": { "reportUnusedDisableDirectives": "error" },
//!   "confidence": "medium"
//! }
//! ```
//!
//! Each linted file uses the nearest config file in its directory or above
//! (no merging between files); `-c FILE` uses one file for everything.
//! A config that leaklint cannot fully understand is an error naming the
//! file, line and key: a typo must never silently fall back to defaults.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::diagnostic::{Confidence, Severity};
use crate::position::LineIndex;
use crate::rules::RuleSet;
use crate::rules::{self, RULES};
use crate::settings::Settings;

/// File names looked up in each directory.
pub const CONFIG_NAMES: [&str; 2] = ["leaklint.json", "leaklint.jsonc"];

/// A rule's level in a config file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The rule does not run.
    Off,
    /// Reported; does not change the exit code (unless `--max-warnings`).
    Warn,
    /// Reported; exit code 1.
    Error,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "off" => Some(Level::Off),
            "warn" => Some(Level::Warn),
            "error" => Some(Level::Error),
            _ => None,
        }
    }

    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Warn => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }

    pub fn of(severity: Option<Severity>) -> Level {
        match severity {
            None => Level::Off,
            Some(Severity::Warning) => Level::Warn,
            Some(Severity::Error) => Level::Error,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

const LEVELS_EXPECTED: &str =
    "expected \"off\", \"warn\", \"error\", 0, 1, 2 or [level, {}] as in ESLint";

/// A rule's setting in ESLint's vocabulary: `"warn"`, `1`, or `["warn"]` /
/// `["warn", {}]` (leaklint's rules take no options, so an options object
/// must be empty: options that would be silently ignored are an error).
fn rule_level(value: &serde_json::Value) -> Result<Level, String> {
    use serde_json::Value;
    match value {
        Value::String(s) => Level::parse(s).ok_or_else(|| format!("bad severity {value}")),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Ok(Level::Off),
            Some(1) => Ok(Level::Warn),
            Some(2) => Ok(Level::Error),
            _ => Err(format!("bad severity {value}")),
        },
        Value::Array(items) => {
            let (first, options) = items
                .split_first()
                .ok_or_else(|| "an empty array is not a severity".to_string())?;
            if matches!(first, Value::Array(_)) {
                return Err(format!("bad severity {value}"));
            }
            let level = rule_level(first)?;
            for o in options {
                match o {
                    Value::Object(m) if m.is_empty() => {}
                    _ => return Err(format!("options {o} given, but the rule takes no options")),
                }
            }
            Ok(level)
        }
        _ => Err(format!("bad severity {value}")),
    }
}

/// The shape of `leaklint.json`. The JSON schema shipped as
/// `leaklint.schema.json` is generated from these types.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "leaklint configuration")]
pub struct ConfigFile {
    /// The JSON schema of this file, for editor completion.
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    /// Rule levels: `"off"`, `"warn"` or `"error"`. Rules not named keep their default level.
    #[serde(default)]
    pub rules: RuleLevels,
    /// Rule levels for some files, applied in order after `rules`.
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// Files not to lint, in `.gitignore` syntax, relative to this file's directory.
    #[serde(default)]
    pub ignore_patterns: IgnorePatterns,
    /// Options of the linter itself.
    #[serde(default)]
    pub linter_options: LinterOptions,
    /// The least confidence a finding needs to be reported: `"high"` (the
    /// default) or `"medium"` (also findings whose evidence is weaker, see
    /// docs/confidence.md). `--confidence` wins over it.
    #[serde(default)]
    pub confidence: Option<Confidence>,
    /// What leaklint should know about this project's own code: its bounded
    /// cache constructors and its effect-like hooks (docs/configuration.md).
    #[serde(default)]
    pub settings: Settings,
}

/// Rule levels for the files an override matches.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Override {
    /// Globs, relative to the config file's directory. A glob without a `/`
    /// matches the file name at any depth (`*.test.ts`).
    pub files: Globs,
    /// Globs of files the override does not apply to, even if `files` matches.
    #[serde(default)]
    pub excluded_files: Globs,
    /// Rule levels for the matched files.
    #[serde(default)]
    pub rules: RuleLevels,
    /// Settings for the matched files: each key given replaces the value of
    /// the top-level `settings` (and of earlier overrides) for these files.
    #[serde(default)]
    pub settings: Settings,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LinterOptions {
    /// Level of the report for suppression comments that suppress nothing
    /// (default `"warn"`). `--report-unused-disable-directives` wins over it.
    #[serde(default, deserialize_with = "unused_directives_level")]
    #[schemars(with = "Option<Level>")]
    pub report_unused_disable_directives: Option<Level>,
}

fn unused_directives_level<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Level>, D::Error> {
    let raw = String::deserialize(d)?;
    Level::parse(&raw).map(Some).ok_or_else(|| {
        de::Error::custom(format!(
            "linterOptions.reportUnusedDisableDirectives: bad level `{raw}` ({LEVELS_EXPECTED})"
        ))
    })
}

/// `{ "rule-name": "level" }`, checked against the rule registry while it is
/// read, so an error points at the offending key.
#[derive(Debug, Default, Clone)]
pub struct RuleLevels(pub Vec<(&'static str, Level)>);

impl<'de> Deserialize<'de> for RuleLevels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LevelsVisitor;
        impl<'de> Visitor<'de> for LevelsVisitor {
            type Value = RuleLevels;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "`rules`: an object mapping rule names to \"off\", \"warn\" or \"error\"",
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RuleLevels, A::Error> {
                let mut out = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    let bare = name.strip_prefix("leaklint/").unwrap_or(&name);
                    let rule = rules::find(bare).ok_or_else(|| {
                        de::Error::custom(format!(
                            "rules: unknown rule `{name}` (run `leaklint rules` for the list)"
                        ))
                    })?;
                    let value: serde_json::Value = map.next_value()?;
                    let level = rule_level(&value).map_err(|why| {
                        de::Error::custom(format!("rules: {why} for `{name}` ({LEVELS_EXPECTED})"))
                    })?;
                    out.retain(|(r, _): &(&str, Level)| *r != rule.name);
                    out.push((rule.name, level));
                }
                Ok(RuleLevels(out))
            }
        }
        d.deserialize_map(LevelsVisitor)
    }
}

impl JsonSchema for RuleLevels {
    fn schema_name() -> String {
        "RuleLevels".into()
    }

    fn json_schema(generator: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        let level = serde_json::to_value(generator.subschema_for::<Level>()).unwrap_or_default();
        // ESLint's forms: "warn", 1, ["warn"], ["warn", {}].
        let severity = serde_json::json!({ "anyOf": [level, { "enum": [0, 1, 2] }] });
        let setting = serde_json::json!([
            severity.clone(),
            {
                "type": "array",
                "items": [severity, { "type": "object", "maxProperties": 0 }],
                "minItems": 1,
                "maxItems": 2
            }
        ]);
        let mut properties = serde_json::Map::new();
        for rule in RULES {
            let p = serde_json::json!({ "description": rule.summary, "anyOf": setting });
            properties.insert(rule.name.to_string(), p);
        }
        let schema = serde_json::json!({
            "type": "object",
            "description": "Rule name → \"off\" | \"warn\" | \"error\" (or ESLint's 0 | 1 | 2, or [level, {}]).",
            "properties": properties,
            "additionalProperties": false,
        });
        serde_json::from_value(schema).unwrap_or(schemars::schema::Schema::Bool(true))
    }
}

/// Globs validated while the file is read.
#[derive(Debug, Default, Clone, JsonSchema)]
#[schemars(transparent)]
pub struct Globs(pub Vec<String>);

impl<'de> Deserialize<'de> for Globs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let globs = string_list(d, "overrides")?;
        for g in &globs {
            glob(g)
                .map_err(|e| de::Error::custom(format!("overrides: invalid glob `{g}`: {e}")))?;
        }
        Ok(Globs(globs))
    }
}

/// `.gitignore`-syntax patterns validated while the file is read.
#[derive(Debug, Default, Clone, JsonSchema)]
#[schemars(transparent)]
pub struct IgnorePatterns(pub Vec<String>);

impl<'de> Deserialize<'de> for IgnorePatterns {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let patterns = string_list(d, "ignorePatterns")?;
        let mut probe = GitignoreBuilder::new("/");
        for p in &patterns {
            probe.add_line(None, p).map_err(|e| {
                de::Error::custom(format!("ignorePatterns: invalid pattern `{p}`: {e}"))
            })?;
        }
        Ok(IgnorePatterns(patterns))
    }
}

/// An array of strings; an error names `key` and points at the bad value.
fn string_list<'de, D: Deserializer<'de>>(
    d: D,
    key: &'static str,
) -> Result<Vec<String>, D::Error> {
    struct ListVisitor(&'static str);
    impl<'de> Visitor<'de> for ListVisitor {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "`{}`: an array of strings", self.0)
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element::<serde_json::Value>()? {
                match item {
                    serde_json::Value::String(s) => out.push(s),
                    other => {
                        return Err(de::Error::custom(format!(
                            "{}: expected a string, got {other}",
                            self.0
                        )));
                    }
                }
            }
            Ok(out)
        }
    }
    d.deserialize_seq(ListVisitor(key))
}

/// A glob as leaklint matches it: `*` stays within one path component; a
/// glob without `/` matches the file name at any depth.
fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    let p = pattern.strip_prefix("./").unwrap_or(pattern);
    let p = p.strip_prefix('/').unwrap_or(p);
    let full = if p.contains('/') {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    GlobBuilder::new(&full).literal_separator(true).build()
}

fn glob_set(globs: &Globs) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in &globs.0 {
        // Validated while reading.
        if let Ok(g) = glob(g) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// The JSON schema of the config file, as shipped in `leaklint.schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(ConfigFile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// A configuration problem: exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line and column, when the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    pub message: String,
    /// Further problems of the same file (every unknown rule, not only the
    /// first), each with its own position.
    pub more: Vec<(Option<(usize, usize)>, String)>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let one = |f: &mut fmt::Formatter, position: Option<(usize, usize)>, message: &str| {
            match position {
                Some((line, col)) => {
                    write!(f, "{}:{line}:{col}: {message}", self.path.display())
                }
                None => write!(f, "{}: {message}", self.path.display()),
            }
        };
        one(f, self.position, &self.message)?;
        for (position, message) in &self.more {
            writeln!(f)?;
            one(f, *position, message)?;
        }
        Ok(())
    }
}

/// A config file, read and compiled.
#[derive(Debug)]
pub struct Config {
    /// The file, as found (absolute when found by lookup).
    pub path: PathBuf,
    /// Absolute directory globs and patterns are relative to.
    pub dir: PathBuf,
    pub file: ConfigFile,
    overrides: Vec<(GlobSet, GlobSet)>,
    ignore: Gitignore,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            position: None,
            message: format!("cannot read the configuration file: {e}"),
            more: Vec::new(),
        })?;
        Config::from_text(path, &text)
    }

    /// Parses a config's text; `path` locates globs and names the file in errors.
    pub fn from_text(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let file = parse_file(path, text)?;
        let abs = absolute(path);
        let dir = abs
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"));
        let overrides = file
            .overrides
            .iter()
            .map(|o| (glob_set(&o.files), glob_set(&o.excluded_files)))
            .collect();
        let mut b = GitignoreBuilder::new(&dir);
        for p in &file.ignore_patterns.0 {
            let _ = b.add_line(None, p);
        }
        let ignore = b.build().unwrap_or_else(|_| Gitignore::empty());
        Ok(Config {
            path: path.to_path_buf(),
            dir,
            file,
            overrides,
            ignore,
        })
    }

    /// `abs` relative to the config's directory, if inside it.
    fn relative<'a>(&self, abs: &'a Path) -> Option<&'a Path> {
        abs.strip_prefix(&self.dir).ok()
    }

    /// Does `ignorePatterns` exclude this (absolute) file?
    pub fn ignores(&self, abs: &Path) -> bool {
        self.relative(abs).is_some()
            && matches!(
                self.ignore.matched_path_or_any_parents(abs, false),
                Match::Ignore(_)
            )
    }

    /// Indices of the overrides that apply to this (absolute) file.
    fn matching_overrides(&self, abs: &Path) -> Vec<usize> {
        let Some(rel) = self.relative(abs) else {
            return Vec::new();
        };
        self.overrides
            .iter()
            .enumerate()
            .filter(|(_, (files, excluded))| files.is_match(rel) && !excluded.is_match(rel))
            .map(|(i, _)| i)
            .collect()
    }
}

fn parse_file(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    // Comments become spaces byte for byte, so offsets stay valid in `text`.
    let mut stripped = String::with_capacity(text.len());
    let stripping = json_comments::CommentSettings::c_style()
        .strip_comments(text.as_bytes())
        .read_to_string(&mut stripped);
    if stripping.is_err() {
        return Err(ConfigError {
            path: path.to_path_buf(),
            position: None,
            message: "invalid JSON: malformed comment".into(),
            more: Vec::new(),
        });
    }
    let stripped = strip_trailing_commas(stripped);
    if let Some(e) = unknown_rules(path, text, &stripped) {
        return Err(e);
    }
    serde_json::from_str::<ConfigFile>(&stripped).map_err(|e| {
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        let message = if e.is_syntax() || e.is_eof() {
            format!("invalid JSON: {message}")
        } else {
            message
        };
        let position = (e.line() > 0).then(|| {
            // serde_json counts lines and byte columns in the stripped text,
            // which has the original's byte offsets but maybe fewer newlines
            // (multi-line block comments).
            let start: usize = stripped
                .split_inclusive('\n')
                .take(e.line() - 1)
                .map(str::len)
                .sum();
            let offset = (start + e.column().saturating_sub(1)).min(text.len());
            let p = LineIndex::new(text).position(offset);
            (p.line, p.column)
        });
        ConfigError {
            path: path.to_path_buf(),
            position,
            message,
            more: Vec::new(),
        }
    })
}

/// JSONC allows a comma before `}` or `]`: it becomes a space, byte for
/// byte, so offsets stay valid. Commas inside strings are left alone.
fn strip_trailing_commas(text: String) -> String {
    let mut bytes = text.into_bytes();
    let mut in_string = false;
    let mut escaped = false;
    for i in 0..bytes.len() {
        let b = bytes[i];
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b',' => {
                // Trailing: a value before it (not `[,]` or `{,}` or `,,`).
                let next = bytes[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
                let prev = bytes[..i].iter().rev().find(|c| !c.is_ascii_whitespace());
                if matches!(next, Some(b'}' | b']')) && !matches!(prev, Some(b'[' | b'{' | b',')) {
                    bytes[i] = b' ';
                }
            }
            _ => {}
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    String::from_utf8(bytes).unwrap_or_default()
}

/// Every unknown rule name in `rules` and `overrides[].rules`, each with its
/// position and the closest known name: one typo must not hide the next.
/// `None` when all names are known (or the text is not JSON: the typed
/// parse reports that with its position).
fn unknown_rules(path: &Path, text: &str, stripped: &str) -> Option<ConfigError> {
    let value: serde_json::Value = serde_json::from_str(stripped).ok()?;
    let mut tables = vec![value.get("rules")];
    if let Some(overrides) = value.get("overrides").and_then(|o| o.as_array()) {
        tables.extend(overrides.iter().map(|o| o.get("rules")));
    }
    let mut unknown: Vec<&str> = Vec::new();
    for table in tables.into_iter().flatten() {
        let Some(table) = table.as_object() else {
            continue;
        };
        for name in table.keys() {
            let bare = name.strip_prefix("leaklint/").unwrap_or(name);
            if rules::find(bare).is_none() {
                unknown.push(name);
            }
        }
    }
    if unknown.is_empty() {
        return None;
    }
    let index = LineIndex::new(text);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut problems: Vec<_> = unknown
        .iter()
        .map(|name| {
            let nth = seen.entry(name).or_default();
            let position = key_offsets(stripped, name).nth(*nth).map(|at| {
                let p = index.position(at);
                (p.line, p.column)
            });
            *nth += 1;
            let bare = name.strip_prefix("leaklint/").unwrap_or(name);
            let hint = match closest_rule(bare) {
                Some(r) => format!("did you mean `{r}`?"),
                None => "run `leaklint rules` for the list".to_string(),
            };
            (position, format!("rules: unknown rule `{name}` ({hint})"))
        })
        .collect();
    // In the order of the file (the parsed object's keys are sorted).
    problems.sort_by_key(|(position, _)| position.unwrap_or((usize::MAX, 0)));
    let mut problems = problems.into_iter();
    let (position, message) = problems.next()?;
    Some(ConfigError {
        path: path.to_path_buf(),
        position,
        message,
        more: problems.collect(),
    })
}

/// Byte offsets of `"key"` used as an object key (followed by `:`).
fn key_offsets<'a>(text: &'a str, key: &str) -> impl Iterator<Item = usize> + 'a {
    let quoted = serde_json::to_string(key).unwrap_or_default();
    let len = quoted.len();
    text.match_indices(quoted.as_str())
        .map(|(at, _)| at)
        .filter(move |&at| text[at + len..].trim_start().starts_with(':'))
        .collect::<Vec<_>>()
        .into_iter()
}

/// The registered rule name closest to a misspelt one, if close enough to
/// be a typo (or a word of it is the whole difference: `cache` for
/// `unbounded-cache`).
pub fn closest_rule(name: &str) -> Option<&'static str> {
    RULES
        .iter()
        .map(|r| (strsim::jaro_winkler(name, r.name), r.name))
        .filter(|(score, r)| *score >= 0.8 || (name.len() >= 4 && r.contains(name)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, r)| r)
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    }
}

/// What the command line says about rules; wins over every config file.
#[derive(Debug, Default, Clone)]
pub struct CliRules {
    /// `--rule NAME=LEVEL`, in order (registered rule names).
    pub rules: Vec<(&'static str, Level)>,
    /// `--report-unused-disable-directives LEVEL`.
    pub unused_directives: Option<Level>,
    /// `--confidence LEVEL`.
    pub confidence: Option<Confidence>,
}

/// The rules one file is linted with, and why.
#[derive(Clone)]
pub struct Resolved {
    pub rules: Arc<RuleSet>,
    /// The config file that applies, if any.
    pub config: Option<Arc<Config>>,
    /// Excluded by that config's `ignorePatterns`.
    pub ignored: bool,
}

/// Finds and caches configs per directory, and rule sets per distinct
/// combination of config and matching overrides.
pub struct Resolver {
    cwd: PathBuf,
    cli: CliRules,
    /// `-c FILE`: used for every file, no lookup.
    explicit: Option<Arc<Config>>,
    by_dir: HashMap<PathBuf, Option<Arc<Config>>>,
    /// The directory of the previous file and its config. The walk lists a
    /// directory's files together, so most files share the previous one's
    /// directory: a byte comparison then answers without hashing the path
    /// component by component (the per-file lookups were a quarter of the
    /// serial start of a run over 18 000 files).
    last_dir: Option<(PathBuf, Option<Arc<Config>>)>,
    sets: HashMap<(usize, Vec<usize>), Arc<RuleSet>>,
}

impl Resolver {
    pub fn new(
        cwd: &Path,
        explicit: Option<&Path>,
        cli: CliRules,
    ) -> Result<Resolver, ConfigError> {
        let explicit = match explicit {
            Some(p) => Some(Arc::new(Config::load(&cwd.join(p)).map_err(|mut e| {
                e.path = p.to_path_buf();
                e
            })?)),
            None => None,
        };
        Ok(Resolver {
            cwd: cwd.to_path_buf(),
            cli,
            explicit,
            by_dir: HashMap::new(),
            last_dir: None,
            sets: HashMap::new(),
        })
    }

    /// The config that applies to `file`: `-c`, or the nearest one up.
    pub fn config_for(&mut self, file: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        let abs = self.cwd.join(file);
        self.config_for_abs(&abs)
    }

    /// [`Resolver::config_for`] for a file already joined to the working
    /// directory.
    fn config_for_abs(&mut self, abs: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        if let Some(c) = &self.explicit {
            return Ok(Some(c.clone()));
        }
        let parent = abs.parent();
        if let (Some(parent), Some((dir, found))) = (parent, &self.last_dir) {
            if parent.as_os_str() == dir.as_os_str() {
                return Ok(found.clone());
            }
        }
        let mut visited = Vec::new();
        let mut found = None;
        for dir in abs.ancestors().skip(1) {
            if let Some(cached) = self.by_dir.get(dir) {
                found = cached.clone();
                break;
            }
            visited.push(dir.to_path_buf());
            if let Some(config) = config_in(dir)? {
                found = Some(Arc::new(config));
                break;
            }
        }
        for dir in visited {
            self.by_dir.insert(dir, found.clone());
        }
        if let Some(parent) = parent {
            self.last_dir = Some((parent.to_path_buf(), found.clone()));
        }
        Ok(found)
    }

    /// The rules for `file` (a path as given, relative to the working directory or absolute).
    pub fn resolve(&mut self, file: &Path) -> Result<Resolved, ConfigError> {
        let abs = self.cwd.join(file);
        let config = self.config_for_abs(&abs)?;
        let (ignored, key, matching) = match &config {
            Some(c) => {
                let matching = c.matching_overrides(&abs);
                (c.ignores(&abs), Arc::as_ptr(c) as usize, matching)
            }
            None => (false, 0, Vec::new()),
        };
        let rules = match self.sets.get(&(key, matching.clone())) {
            Some(set) => set.clone(),
            None => {
                let set = Arc::new(self.build(config.as_deref(), &matching));
                self.sets.insert((key, matching), set.clone());
                set
            }
        };
        Ok(Resolved {
            rules,
            config,
            ignored,
        })
    }

    fn build(&self, config: Option<&Config>, overrides: &[usize]) -> RuleSet {
        let mut levels: Vec<Level> = RULES
            .iter()
            .map(|r| Level::of(Some(r.default_severity)))
            .collect();
        let mut set = |list: &[(&'static str, Level)]| {
            for (name, level) in list {
                if let Some(i) = RULES.iter().position(|r| r.name == *name) {
                    levels[i] = *level;
                }
            }
        };
        let mut unused = Level::Warn;
        let mut confidence = Confidence::High;
        let mut settings = Settings::default();
        if let Some(c) = config {
            confidence = c.file.confidence.unwrap_or(confidence);
            set(&c.file.rules.0);
            settings.merge(&c.file.settings);
            for &i in overrides {
                set(&c.file.overrides[i].rules.0);
                settings.merge(&c.file.overrides[i].settings);
            }
            unused = c
                .file
                .linter_options
                .report_unused_disable_directives
                .unwrap_or(unused);
        }
        set(&self.cli.rules);
        let unused = self.cli.unused_directives.unwrap_or(unused);
        let confidence = self.cli.confidence.unwrap_or(confidence);
        RuleSet {
            rules: RULES
                .iter()
                .zip(levels)
                .filter_map(|(r, l)| l.severity().map(|s| (r, s)))
                .collect(),
            unused_directives: unused.severity(),
            min_confidence: confidence,
            settings: Arc::new(settings),
        }
    }
}

/// The config file in `dir`, if any. Two of them is an error: which one wins
/// would be a guess.
fn config_in(dir: &Path) -> Result<Option<Config>, ConfigError> {
    let present: Vec<PathBuf> = CONFIG_NAMES
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect();
    match present.as_slice() {
        [] => Ok(None),
        [one] => Config::load(one).map(Some),
        [first, ..] => Err(ConfigError {
            path: first.clone(),
            position: None,
            message: format!(
                "both {} and {} exist in this directory; keep one",
                CONFIG_NAMES[0], CONFIG_NAMES[1]
            ),
            more: Vec::new(),
        }),
    }
}

/// `--print-config FILE`: the effective settings for one file, as JSON.
pub fn print_config(resolver: &mut Resolver, file: &Path) -> Result<String, ConfigError> {
    let resolved = resolver.resolve(file)?;
    let mut rules = serde_json::Map::new();
    for rule in RULES {
        let severity = resolved
            .rules
            .rules
            .iter()
            .find(|(r, _)| r.name == rule.name)
            .map(|(_, s)| *s);
        rules.insert(rule.name.into(), Level::of(severity).as_str().into());
    }
    let value = serde_json::json!({
        "file": resolver.cwd.join(file).to_string_lossy(),
        "configFile": resolved.config.as_ref().map(|c| c.path.to_string_lossy().to_string()),
        "ignored": resolved.ignored,
        "rules": rules,
        "reportUnusedDisableDirectives": Level::of(resolved.rules.unused_directives).as_str(),
        "confidence": resolved.rules.min_confidence.as_str(),
        "settings": &*resolved.rules.settings,
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ConfigError {
        Config::from_text(Path::new("/p/leaklint.json"), text).expect_err("config must be rejected")
    }

    #[test]
    fn comments_are_allowed_and_positions_survive_them() {
        let text =
            "{\n  /* a\n  multi-line\n  comment */\n  \"rules\": { \"nope\": \"off\" } // x\n}";
        let e = err(text);
        assert_eq!(e.position.map(|p| p.0), Some(5), "{e}");
        assert!(e.message.contains("unknown rule `nope`"), "{e}");
    }

    fn levels(text: &str) -> Vec<(&'static str, Level)> {
        Config::from_text(Path::new("/p/leaklint.json"), text)
            .unwrap_or_else(|e| panic!("{e}"))
            .file
            .rules
            .0
    }

    #[test]
    fn eslint_numeric_and_array_severities_are_accepted() {
        let got = levels(
            r#"{"rules": {"unbounded-cache": 0, "unbounded-array": 1, "weakmap-fresh-key": 2,
                "unremoved-listener": ["warn"], "uncleared-interval": ["error", {}], "unbounded-memoize": [0]}}"#,
        );
        assert_eq!(
            got,
            vec![
                ("unbounded-cache", Level::Off),
                ("unbounded-array", Level::Warn),
                ("weakmap-fresh-key", Level::Error),
                ("unremoved-listener", Level::Warn),
                ("uncleared-interval", Level::Error),
                ("unbounded-memoize", Level::Off),
            ]
        );
        for bad in [
            r#"3"#,
            r#"-1"#,
            r#"[]"#,
            r#"["warn", {"max": 3}]"#,
            r#"true"#,
        ] {
            let e = err(&format!(r#"{{"rules": {{"unbounded-cache": {bad}}}}}"#));
            assert!(e.message.contains("`unbounded-cache`"), "{bad}: {e}");
        }
    }

    #[test]
    fn trailing_commas_are_allowed_outside_strings() {
        let got = levels(
            "{\n  \"rules\": {\n    \"unbounded-cache\": \"warn\", // why\n  },\n  \"$schema\": \"a,}\",\n}\n",
        );
        assert_eq!(got, vec![("unbounded-cache", Level::Warn)]);
        let c = Config::from_text(
            Path::new("/p/leaklint.json"),
            "{\"$schema\": \"a,]\", \"ignorePatterns\": [\"dist/\",]}",
        )
        .unwrap();
        assert_eq!(c.file.schema.as_deref(), Some("a,]"));
        assert_eq!(c.file.ignore_patterns.0, vec!["dist/".to_string()]);
        // Only a comma after a value is trailing.
        for bad in [
            "{\"ignorePatterns\": [,]}",
            "{,}",
            "{\"ignorePatterns\": [\"a\",,]}",
        ] {
            assert!(err(bad).message.contains("invalid JSON"), "{bad}");
        }
    }

    #[test]
    fn every_unknown_rule_is_reported_with_a_suggestion() {
        let text = "{\n  \"rules\": {\n    \"unbounded-cach\": \"off\",\n    \"unbounded-array\": \"off\",\n    \"nonsense-xyz\": \"off\"\n  },\n  \"overrides\": [{\"files\": [\"*.js\"], \"rules\": {\"unremoved-listeners\": 1}}]\n}";
        let e = err(text);
        let shown = e.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 3, "{shown}");
        assert_eq!(
            lines[0],
            "/p/leaklint.json:3:5: rules: unknown rule `unbounded-cach` (did you mean `unbounded-cache`?)"
        );
        assert_eq!(
            lines[1],
            "/p/leaklint.json:5:5: rules: unknown rule `nonsense-xyz` (run `leaklint rules` for the list)"
        );
        assert_eq!(
            lines[2],
            "/p/leaklint.json:7:47: rules: unknown rule `unremoved-listeners` (did you mean `unremoved-listener`?)"
        );
    }

    #[test]
    fn bad_severity_names_the_rule() {
        let e = err("{\"rules\": {\"unbounded-cache\": \"warning\"}}");
        assert!(
            e.message.contains("`unbounded-cache`") && e.message.contains("\"warning\""),
            "{e}"
        );
        assert_eq!(e.position.map(|p| p.0), Some(1));
    }

    #[test]
    fn unknown_top_level_key_is_named() {
        let e = err("{\n\"rulez\": {}\n}");
        assert!(e.message.contains("unknown field `rulez`"), "{e}");
        assert_eq!(e.position.map(|p| p.0), Some(2));
    }

    #[test]
    fn the_documented_configs_are_valid() {
        let doc = include_str!("../docs/configuration.md");
        let blocks: Vec<&str> = doc
            .split("```jsonc\n")
            .skip(1)
            .filter_map(|b| b.split("```").next())
            .collect();
        assert!(
            blocks.len() >= 2,
            "docs/configuration.md has jsonc examples"
        );
        for block in blocks {
            let c = Config::from_text(Path::new("/p/leaklint.json"), block)
                .unwrap_or_else(|e| panic!("{e}\n{block}"));
            assert!(!c.file.settings.bounded_caches().is_empty(), "{block}");
        }
    }

    #[test]
    fn globs_without_slash_match_at_any_depth() {
        let c = Config::from_text(
            Path::new("/p/leaklint.json"),
            r#"{"overrides": [{"files": ["*.test.js"], "rules": {}}, {"files": ["src/*.js"], "excludedFiles": ["src/x.js"]}],
                "ignorePatterns": ["dist/", "*.gen.js"]}"#,
        )
        .unwrap();
        assert_eq!(c.matching_overrides(Path::new("/p/a/b/c.test.js")), vec![0]);
        assert_eq!(c.matching_overrides(Path::new("/p/src/y.js")), vec![1]);
        assert!(c.matching_overrides(Path::new("/p/src/x.js")).is_empty());
        assert!(
            c.matching_overrides(Path::new("/p/src/deep/y.js"))
                .is_empty()
        );
        assert!(c.ignores(Path::new("/p/dist/a.js")));
        assert!(c.ignores(Path::new("/p/lib/a.gen.js")));
        assert!(!c.ignores(Path::new("/p/lib/a.js")));
        assert!(!c.ignores(Path::new("/elsewhere/dist/a.js")));
    }
}
