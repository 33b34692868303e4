//! What a method's name says about how often it runs, beside the lattice of
//! [`super`]: a registration API (`registerPlugin`, `addRoute`) runs once
//! per thing registered, usually at start-up; a configuration method
//! (`addServer`, `setOptions`) runs when the configuration changes, not once
//! per lookup.
//!
//! Names are hints, not evidence the file shows: rules use these answers
//! only to weaken or set aside a finding, never to raise one, and
//! [`Frequencies`](super::Frequencies) does not fold them into its lattice.

use swc_atoms::Atom;

use crate::model::{FileModel, FnId};

/// Methods whose job is to register what the caller hands over
/// (`setQueryDefaults`, `registerPlugin`, `addRoute`): the caller decides how
/// many entries there are, usually a fixed set at start-up. A cache, by
/// contrast, grows in lookups and handlers (`getNode`, `resolve`, `onMessage`).
const REGISTRATION_PREFIXES: &[&str] = &[
    "set",
    "register",
    "define",
    "add",
    "use",
    "configure",
    "install",
    "declare",
    "provide",
    "mount",
    "init",
    "attach",
    "subscribe",
    "load",
    "import",
    "extend",
];

/// Is the method that owns `fn_ctx` an explicit registration API?
pub fn in_registration_method(model: &FileModel, fn_ctx: Option<FnId>) -> bool {
    let Some(name) = method_name(model, fn_ctx) else {
        return false;
    };
    REGISTRATION_PREFIXES.iter().any(|p| {
        name.strip_prefix(p).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase())
        })
    })
}

/// Verbs of methods that change configuration: they run when the set of
/// servers, routes or options changes, not once per lookup.
const CONFIGURATION_VERBS: &[&str] = &[
    "add",
    "remove",
    "set",
    "register",
    "unregister",
    "configure",
    "install",
    "replace",
    "attach",
    "detach",
    "mount",
    "unmount",
    "use",
];

/// Is `fn_ctx` (or the method that owns it) a configuration method such as
/// `addServer` or `setOptions`: a verb followed by what it configures? A
/// method that names the container it empties (`setCache`, `clearCache`) or
/// has no object (`set`, `remove`) is not: those are the container's own API.
pub fn in_configuration_method(model: &FileModel, fn_ctx: Option<FnId>, field: &Atom) -> bool {
    let Some(name) = method_name(model, fn_ctx) else {
        return false;
    };
    let field = field.to_ascii_lowercase();
    CONFIGURATION_VERBS.iter().any(|verb| {
        name.strip_prefix(verb).is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_uppercase())
                && !rest
                    .to_ascii_lowercase()
                    .contains(field.trim_start_matches('_'))
                && !rest.to_ascii_lowercase().contains("cache")
        })
    })
}

/// The name of the function that owns `fn_ctx`, without the leading `_` or
/// `$` that marks it private or internal (`_addGlobal`, `$$register`): the
/// verb that follows says what it does all the same. Arrow functions belong
/// to the function they are written in; one written at module level
/// (`const addGlobal = (name, obj) => …`) owns itself.
fn method_name<'m>(model: &'m FileModel, fn_ctx: Option<FnId>) -> Option<&'m str> {
    let f = model.this_function(fn_ctx).or_else(|| {
        let mut outermost = fn_ctx?;
        while let Some(parent) = model.functions[outermost].parent {
            outermost = parent;
        }
        Some(outermost)
    })?;
    let name = model.functions[f].name.as_deref()?;
    Some(name.trim_start_matches(['_', '$']))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    /// Is the method named `name` in `src` a registration API?
    fn registers(src: &str, name: &str) -> bool {
        let mut out = false;
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            let f = m
                .functions
                .iter()
                .position(|f| f.name.as_deref() == Some(name))
                .unwrap();
            out = in_registration_method(m, Some(f));
        });
        out
    }

    #[test]
    fn registration_apis_are_told_by_a_verb_and_a_word_boundary() {
        let src = "class A { registerPlugin(p) {} setup() {} add(k) {} getNode(k) {} }\n";
        assert!(registers(src, "registerPlugin"));
        assert!(registers(src, "add"), "a bare verb registers too");
        assert!(!registers(src, "setup"), "`set` must end a word");
        assert!(!registers(src, "getNode"), "a lookup is no registration");
    }

    #[test]
    fn configuration_methods_are_verb_and_object() {
        let src = "class R {\n addServer(s) {}\n setOptions(o) {}\n set(k, v) {}\n clearCache() {}\n setCache(c) {}\n getNode(k) {}\n}\n";
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            let field: Atom = "cache".into();
            let names: Vec<_> = (0..m.functions.len())
                .filter(|&f| in_configuration_method(m, Some(f), &field))
                .map(|f| m.functions[f].name.clone().unwrap().to_string())
                .collect();
            assert_eq!(names, ["addServer", "setOptions"]);
        });
    }
}
