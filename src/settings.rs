//! What a project tells leaklint about its own code: the `settings` object
//! of `leaklint.json` (ESLint keeps knowledge shared by rules under the same
//! key). It names the project's own bounded cache constructors and its own
//! effect-like hooks, so the analysis treats them like `lru-cache` and
//! React's `useEffect`.
//!
//! The settings reach the analysis with the rules a file is linted with
//! (`RuleSet`) and through the file's model, never through global state, so
//! two files under different configs are analysed with their own.
//!
//! This module names nothing of the crate: the config reads it, the model
//! carries it and the analysis asks it.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// What leaklint should know about the project's own code. A key left out
/// keeps the value it has without it: an override's `settings` replaces only
/// the keys it names, as ESLint merges `settings`.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Settings {
    /// Constructors and factories of caches that evict on their own (a size
    /// limit, a time to live), besides the ones leaklint knows (`lru-cache`'s
    /// `LRUCache`, `QuickLRU`, …). A container created with `new X(…)` or
    /// `X(…)` whose callee ends with a listed name is bounded:
    /// `unbounded-cache` and the other growth rules leave it alone. A dotted
    /// name (`cache.createBounded`) matches the callee's last segments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<String>")]
    #[schemars(example = "example_caches")]
    pub bounded_caches: Option<Names>,
    /// The project's own hooks that run their callback like React's
    /// `useEffect`: at mount, with the function the callback returns as its
    /// cleanup at unmount. Listeners, timers and subscriptions started in the
    /// callback are then checked like those of `useEffect`. A hook counts
    /// where it is imported (from any module) or declared in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<String>")]
    #[schemars(example = "example_hooks")]
    pub effect_hooks: Option<Names>,
}

fn example_caches() -> Vec<&'static str> {
    vec!["BoundedCache", "cache.createBounded"]
}

fn example_hooks() -> Vec<&'static str> {
    vec!["useIsomorphicLayoutEffect", "useMountEffect"]
}

impl Settings {
    /// The bounded cache constructors the project names.
    pub fn bounded_caches(&self) -> &[Name] {
        self.bounded_caches.as_ref().map_or(&[], |n| &n.0)
    }

    /// The effect-like hooks the project names.
    pub fn effect_hooks(&self) -> &[Name] {
        self.effect_hooks.as_ref().map_or(&[], |n| &n.0)
    }

    /// `self` with the keys `later` names replaced by its values (a later
    /// config entry wins key by key; lists are replaced, not appended).
    pub fn merge(&mut self, later: &Settings) {
        if let Some(n) = &later.bounded_caches {
            self.bounded_caches = Some(n.clone());
        }
        if let Some(n) = &later.effect_hooks {
            self.effect_hooks = Some(n.clone());
        }
    }

    /// A stable text of everything that changes findings (for `--cache`).
    pub fn fingerprint(&self) -> String {
        let list = |names: &[Name]| {
            names
                .iter()
                .map(|n| n.text.as_str())
                .collect::<Vec<_>>()
                .join("|")
        };
        format!(
            "boundedCaches={};effectHooks={}",
            list(self.bounded_caches()),
            list(self.effect_hooks())
        )
    }
}

/// A list of [`Name`]s, validated while the config is read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Names(pub Vec<Name>);

/// An identifier or a dotted path of identifiers (`QuickLRU`,
/// `cache.createBounded`) as a project writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    segments: Vec<String>,
}

impl Name {
    /// `Err` says why `text` is not an identifier or a dotted path.
    pub fn parse(text: &str) -> Result<Name, String> {
        let segments: Vec<String> = text.split('.').map(str::to_string).collect();
        if let Some(bad) = segments.iter().find(|s| !is_identifier(s)) {
            let why = if bad.is_empty() {
                "an empty segment".to_string()
            } else {
                format!("`{bad}` is not an identifier")
            };
            return Err(format!(
                "\"{text}\" is not a name or a dotted path ({why}; for example \"QuickLRU\" or \"cache.createBounded\")"
            ));
        }
        Ok(Name {
            text: text.to_string(),
            segments,
        })
    }

    /// The last segment: what the constructor or factory is declared as.
    pub fn last_segment(&self) -> &str {
        self.segments.last().map_or("", String::as_str)
    }

    /// Does a callee spelled `root.props[0].props[1]…` end with this name?
    /// `QuickLRU` matches `QuickLRU` and `lib.QuickLRU`;
    /// `cache.createBounded` matches `cache.createBounded` but not
    /// `createBounded` alone.
    pub fn ends<P: AsRef<str>>(&self, root: &str, props: &[P]) -> bool {
        let len = props.len() + 1;
        let n = self.segments.len();
        n <= len
            && self.segments.iter().enumerate().all(|(i, s)| {
                // Position of segment `i` in the callee's `len` segments.
                match (len - n + i).checked_sub(1) {
                    None => s == root,
                    Some(p) => s == props[p].as_ref(),
                }
            })
    }
}

/// A JavaScript identifier, as far as a config needs: letters, digits, `_`
/// and `$`, not starting with a digit.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

impl Serialize for Names {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|n| n.text.as_str()))
    }
}

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NamesVisitor;
        impl<'de> Visitor<'de> for NamesVisitor {
            type Value = Names;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`settings`: an array of names (\"QuickLRU\", \"cache.createBounded\")")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Names, A::Error> {
                let mut out: Vec<Name> = Vec::new();
                while let Some(item) = seq.next_element::<serde_json::Value>()? {
                    let serde_json::Value::String(text) = item else {
                        return Err(de::Error::custom(format!(
                            "settings: expected a name (a string), got {item}"
                        )));
                    };
                    let name = Name::parse(&text)
                        .map_err(|why| de::Error::custom(format!("settings: {why}")))?;
                    if !out.contains(&name) {
                        out.push(name);
                    }
                }
                Ok(Names(out))
            }
        }
        d.deserialize_seq(NamesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap()
    }

    #[test]
    fn a_name_matches_the_last_segments_of_a_callee() {
        let none: [&str; 0] = [];
        assert!(name("QuickLRU").ends("QuickLRU", &none));
        assert!(name("QuickLRU").ends("lib", &["QuickLRU"]));
        assert!(!name("QuickLRU").ends("QuickLRUish", &none));
        assert!(!name("QuickLRU").ends("QuickLRU", &["create"]));
        let dotted = name("cache.createBounded");
        assert!(dotted.ends("cache", &["createBounded"]));
        assert!(dotted.ends("app", &["cache", "createBounded"]));
        assert!(!dotted.ends("createBounded", &none));
        assert!(!dotted.ends("other", &["createBounded"]));
    }

    #[test]
    fn names_must_be_identifiers_or_dotted_paths() {
        for good in ["QuickLRU", "$cache", "_a.b_c", "lru.create", "caché"] {
            assert!(Name::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "new QuickLRU", "a..b", ".a", "a.", "1cache", "cache()"] {
            assert!(Name::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn later_settings_replace_the_keys_they_name() {
        let read = |s: &str| serde_json::from_str::<Settings>(s).unwrap();
        let mut s = read(r#"{"boundedCaches": ["A"], "effectHooks": ["useX"]}"#);
        s.merge(&read(r#"{"boundedCaches": ["B", "B"]}"#));
        assert_eq!(s.fingerprint(), "boundedCaches=B;effectHooks=useX");
        assert!(serde_json::from_str::<Settings>(r#"{"boundedCache": []}"#).is_err());
        assert!(serde_json::from_str::<Settings>(r#"{"boundedCaches": "A"}"#).is_err());
        assert!(serde_json::from_str::<Settings>(r#"{"boundedCaches": [1]}"#).is_err());
    }
}
