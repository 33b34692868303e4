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
use crate::engine::RuleSet;
use crate::position::LineIndex;
use crate::rules::{self, RULES};

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

const LEVELS_EXPECTED: &str = "expected \"off\", \"warn\" or \"error\"";

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
                    let level = value.as_str().and_then(Level::parse).ok_or_else(|| {
                        de::Error::custom(format!(
                            "rules: bad severity {value} for `{name}` ({LEVELS_EXPECTED})"
                        ))
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
        let mut properties = serde_json::Map::new();
        for rule in RULES {
            let mut p = serde_json::json!({ "description": rule.summary });
            if let (Some(p), Some(l)) = (p.as_object_mut(), level.as_object()) {
                p.extend(l.clone());
            }
            properties.insert(rule.name.to_string(), p);
        }
        let schema = serde_json::json!({
            "type": "object",
            "description": "Rule name → \"off\" | \"warn\" | \"error\".",
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
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.position {
            Some((line, col)) => {
                write!(f, "{}:{line}:{col}: {}", self.path.display(), self.message)
            }
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
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
        });
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
        }
    })
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
            sets: HashMap::new(),
        })
    }

    /// The config that applies to `file`: `-c`, or the nearest one up.
    pub fn config_for(&mut self, file: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        if let Some(c) = &self.explicit {
            return Ok(Some(c.clone()));
        }
        let abs = self.cwd.join(file);
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
        Ok(found)
    }

    /// The rules for `file` (a path as given, relative to the working directory or absolute).
    pub fn resolve(&mut self, file: &Path) -> Result<Resolved, ConfigError> {
        let config = self.config_for(file)?;
        let abs = self.cwd.join(file);
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
        if let Some(c) = config {
            confidence = c.file.confidence.unwrap_or(confidence);
            set(&c.file.rules.0);
            for &i in overrides {
                set(&c.file.overrides[i].rules.0);
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
