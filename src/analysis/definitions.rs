//! Registries of definitions: containers that hold the classes, functions or
//! plugins the program defines, one entry per definition.
//!
//! ```js
//! static register(id, cls) {
//!   if (id in byId) throw new Error('duplicate id ' + id);  // a duplicate guard
//!   byId[id] = cls;
//!   cls.prototype.kind = id;                                // `cls` is a class
//! }
//! ```
//!
//! Such a registry is bounded by the program's definitions, not by its
//! traffic: a second registration of the same key is refused, and what is
//! stored is a class or a function, not a request or a message. Both facts
//! are read from the code, never from names:
//! - the value is a **definition** when the file constructs it with `new`,
//!   uses its `prototype`, or checks that it is a function (`typeof v ===
//!   'function'`); a key read off the value itself (`reg[Cls.id] = Cls`) is
//!   the definition's own name;
//! - the write is **guarded** when the function leaves (returns or throws)
//!   if the key is already there, or writes only when it is missing
//!   (`if (!reg[k]) reg[k] = v`, `reg[k] || (reg[k] = v)`).
//!
//! A definition with a guard, or keyed by its own name, is a complete
//! registration (the key set is bounded); one fact alone is partial (the
//! rules lower their finding to medium).

use super::keys;
use rustc_hash::FxHashSet;

use crate::model::semantic::{BindingId, BindingKind};
use crate::model::{CallFact, FileModel, FnId, MemberWrite, Value};

/// What the code shows about one write into a container.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Registration {
    /// Why the stored value is a class or a function, if shown.
    pub definition: Option<String>,
    /// The duplicate guard before the write, if any.
    pub guard: Option<String>,
    /// The key is read off the stored value itself (`reg[Cls.id] = Cls`).
    pub keyed_by_value: Option<String>,
}

impl Registration {
    /// Bounded by the program's definitions: the value is a definition, and
    /// either a second entry for its key is refused or the key is its own.
    pub fn is_complete(&self) -> bool {
        self.definition.is_some() && (self.guard.is_some() || self.keyed_by_value.is_some())
    }

    /// The facts, joined for a message.
    pub fn why(&self) -> String {
        [&self.definition, &self.keyed_by_value, &self.guard]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The registration, from what the code shows. A value only checked to
    /// be a function counts beside a guard or a key read off it. A guard
    /// counts without a definition only for a value the caller hands in (`handed_in`): a
    /// function that computes the value itself and leaves early when the key
    /// is there is a memo, not a registry. A key read off the value counts
    /// only for a definition (`open[req.id] = req` keeps every request).
    fn of(
        definition: Option<Definition>,
        guard: Option<String>,
        keyed: Option<String>,
        handed_in: bool,
    ) -> Option<Self> {
        let definition = definition.filter(|d| d.class || guard.is_some() || keyed.is_some());
        let r = match definition {
            Some(d) => Registration {
                definition: Some(d.why),
                guard,
                keyed_by_value: keyed,
            },
            None if handed_in && guard.is_some() => Registration {
                definition: None,
                guard,
                keyed_by_value: None,
            },
            None => return None,
        };
        Some(r)
    }
}

/// `reg[k] = v`: what shows it registers a definition, or `None`.
pub fn of_write(model: &FileModel, w: &MemberWrite) -> Option<Registration> {
    let value = value_binding(&w.value)?;
    let definition = definition(model, &value);
    let container = model.text(&w.object_span).trim();
    let key = model.text(&w.key_span).trim();
    let guard = if w.ensures_entry {
        Some(format!(
            "`{container}[{key}]` is set only when it is missing"
        ))
    } else {
        key_guard(model, w.fn_ctx, w.span.start(), container, key)
    };
    let keyed = w
        .key_path
        .as_ref()
        .filter(|p| !p.props.is_empty() && p.is_rooted_at(&value))
        .map(|_| format!("the key `{key}` is read off the value itself"));
    Registration::of(definition, guard, keyed, handed_in(model, &value, w.fn_ctx))
}

/// `reg.set(k, v)`: like [`of_write`].
pub fn of_set(model: &FileModel, call: &CallFact) -> Option<Registration> {
    let [k, v] = call.args.as_slice() else {
        return None;
    };
    let value = value_binding(&v.value)?;
    let definition = definition(model, &value);
    let container = call
        .callee
        .receiver_span
        .as_ref()
        .map(|s| model.text(s).trim())?;
    let key = model.text(&k.span).trim();
    let guard = key_guard(model, call.fn_ctx, call.span.start(), container, key);
    let keyed = match &k.value {
        Value::Path(p) if !p.props.is_empty() && p.is_rooted_at(&value) => {
            Some(format!("the key `{key}` is read off the value itself"))
        }
        _ => None,
    };
    Registration::of(
        definition,
        guard,
        keyed,
        handed_in(model, &value, call.fn_ctx),
    )
}

/// `list.push(v)` after a duplicate guard on a keyed container the same
/// function fills (`if (reg[name]) return; reg[name] = v; list.push(v)`):
/// the append runs once per key of that container.
pub fn of_push(model: &FileModel, call: &CallFact) -> Option<Registration> {
    let value = value_binding(&call.args.first()?.value)?;
    // Without a definition, a push after a guard is a dedupe list: one
    // element per distinct key, as many as the keys.
    let definition = Some(definition(model, &value).filter(|d| d.class)?);
    let guard = model
        .member_writes
        .iter()
        .filter(|w| w.fn_ctx == call.fn_ctx && w.fn_ctx.is_some() && !w.value.is_nullish())
        .filter(|w| keys::is_dynamic_write_key(model, w))
        .find_map(|w| {
            let container = model.text(&w.object_span).trim();
            early_exit_if_present(model, w.fn_ctx, call.span.start(), container, None)
        });
    Registration::of(
        definition,
        guard,
        None,
        handed_in(model, &value, call.fn_ctx),
    )
}

/// A parameter of the function that stores it: the caller hands it in.
fn handed_in(model: &FileModel, v: &BindingId, fn_ctx: Option<FnId>) -> bool {
    fn_ctx.is_some()
        && model
            .semantic
            .binding(v)
            .is_some_and(|b| b.kind == BindingKind::Param && b.fn_ctx == fn_ctx)
}

/// The binding a stored value names (`v`, not `v.x`).
fn value_binding(v: &Value) -> Option<BindingId> {
    match v {
        Value::Path(p) if p.props.is_empty() => p.root_binding(),
        _ => None,
    }
}

/// The bindings the file constructs with `new` and those whose `prototype`
/// it uses, indexed once per file: every registry write asks about its value.
struct ClassUses {
    constructed: FxHashSet<BindingId>,
    prototype_used: FxHashSet<BindingId>,
}

fn class_uses<'m>(model: &'m FileModel) -> &'m ClassUses {
    model.derived.get_or_init(|| {
        let mut uses = ClassUses {
            constructed: FxHashSet::default(),
            prototype_used: FxHashSet::default(),
        };
        let mut note_prototype = |p: &crate::model::AccessPath| {
            if p.props.first().is_some_and(|f| f == "prototype") {
                if let Some(id) = p.root_binding() {
                    uses.prototype_used.insert(id);
                }
            }
        };
        for w in &model.member_writes {
            note_prototype(&w.object);
        }
        let mut constructed = FxHashSet::default();
        for c in &model.calls {
            if let Some(p) = &c.callee.path {
                note_prototype(p);
                if c.is_new && p.props.is_empty() {
                    constructed.extend(p.root_binding());
                }
            }
            for a in &c.args {
                if let Value::Path(p) = &a.value {
                    note_prototype(p);
                }
            }
        }
        uses.constructed = constructed;
        uses
    })
}

/// Why the value bound to `v` is a class or a function: the file constructs
/// it, uses its `prototype`, or checks that it is a function.
fn definition(model: &FileModel, v: &BindingId) -> Option<Definition> {
    let uses = class_uses(model);
    if uses.constructed.contains(v) {
        return Some(Definition {
            why: format!("`{}` is constructed with `new`: a class", v.0),
            class: true,
        });
    }
    if uses.prototype_used.contains(v) {
        return Some(Definition {
            why: format!("`{}.prototype` is used: a class or constructor", v.0),
            class: true,
        });
    }
    let b = model.semantic.binding(v)?;
    let typeof_test = format!("typeof {}", v.0);
    let checked = model.conditionals.iter().any(|c| {
        c.fn_ctx == b.fn_ctx && {
            let test = test_text(model, c);
            test.contains(&typeof_test) && test.contains("function")
        }
    });
    checked.then(|| Definition {
        why: format!("`{}` is checked to be a function", v.0),
        class: false,
    })
}

/// Why a value is a definition. `class`: constructed or given a prototype;
/// otherwise only checked to be a function, which a closure made per call
/// is too: that counts only beside a guard or a key read off the value.
struct Definition {
    why: String,
    class: bool,
}

/// The test of a conditional: its text up to the branch that runs when the
/// test passes.
fn test_text<'m>(model: &'m FileModel, c: &crate::model::Conditional) -> &'m str {
    let end = c.branch.as_ref().map_or(c.span.end(), |b| b.start());
    model.source.get(c.span.start()..end).unwrap_or("")
}

/// A duplicate guard on `container[key]` before `site` in `fn_ctx`: an
/// early exit when the key is there, or a branch that runs only when it is
/// missing.
fn key_guard(
    model: &FileModel,
    fn_ctx: Option<FnId>,
    site: usize,
    container: &str,
    key: &str,
) -> Option<String> {
    if container.is_empty() || key.is_empty() {
        return None;
    }
    early_exit_if_present(model, fn_ctx, site, container, Some(key))
        .or_else(|| only_if_missing(model, fn_ctx, site, container, key))
}

/// `if (k in c) throw …`, `if (c[k]) return`, `if (c.has(k)) return` before
/// `site`. With `key: None`, any key of `container`.
fn early_exit_if_present(
    model: &FileModel,
    fn_ctx: Option<FnId>,
    site: usize,
    container: &str,
    key: Option<&str>,
) -> Option<String> {
    model.conditionals.iter().find_map(|c| {
        if !c.exits || c.fn_ctx != fn_ctx || c.span.end() > site {
            return None;
        }
        let test = test_text(model, c);
        if !tests_presence(test, container, key) {
            return None;
        }
        let branch = c.branch.as_ref().map_or("", |b| model.text(b));
        let how = if branch.contains("throw") {
            "throws"
        } else {
            "returns"
        };
        let line = model.line_of(c.span.start());
        Some(format!(
            "a second entry for the same key is refused: the function {how} when `{container}` already has it (line {line})"
        ))
    })
}

/// `if (!c[k]) c[k] = v`, `c[k] || (c[k] = v)`: the write runs only when
/// the key is missing.
fn only_if_missing(
    model: &FileModel,
    fn_ctx: Option<FnId>,
    site: usize,
    container: &str,
    key: &str,
) -> Option<String> {
    let entry = format!("{container}[{key}]");
    let absent = [
        format!("!{entry}"),
        format!("!({key} in {container})"),
        format!("!{container}.has({key})"),
        format!("{entry} === undefined"),
        format!("{entry} == null"),
        format!("{entry} === void 0"),
    ];
    model.conditionals.iter().find_map(|c| {
        let branch = c.branch.as_ref()?;
        if c.fn_ctx != fn_ctx || !(branch.start() <= site && site < branch.end()) {
            return None;
        }
        let test = test_text(model, c);
        let compact: String = test.split_whitespace().collect::<Vec<_>>().join(" ");
        let or_else = (compact.ends_with("||") || compact.ends_with("??"))
            && compact.trim_end_matches(['|', '?']).trim() == entry;
        (or_else || absent.iter().any(|t| compact.contains(t.as_str())))
            .then(|| format!("`{entry}` is set only when it is missing"))
    })
}

/// Does `test` ask whether `container` has `key` (any key with `None`),
/// without negating the answer?
fn tests_presence(test: &str, container: &str, key: Option<&str>) -> bool {
    let mut needles: Vec<String> = Vec::new();
    match key {
        Some(k) => {
            needles.push(format!("{container}[{k}]"));
            needles.push(format!("{k} in {container}"));
            needles.push(format!("{container}.has({k})"));
            needles.push(format!("{container}.hasOwnProperty({k})"));
        }
        None => {
            needles.push(format!("{container}["));
            needles.push(format!(" in {container}"));
            needles.push(format!("{container}.has("));
        }
    }
    needles.iter().any(|n| {
        test.match_indices(n.as_str()).any(|(at, _)| {
            let before = test[..at].trim_end();
            let after = test[at + n.len()..].trim_start();
            // Negated, or compared with undefined/null: the key is missing.
            let negated = before.ends_with('!') || before.ends_with("!(");
            let compared = after.starts_with("==") || after.starts_with("!=");
            // `myreg[k]` is not `reg[k]` (a needle that starts with a space
            // has the key before it).
            let whole_word = n.starts_with(' ')
                || !before
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.');
            !negated && !compared && whole_word
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    /// The registration of the last member write in `src`.
    fn last_write(src: &str) -> Option<Registration> {
        let mut r = None;
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            r = of_write(m, m.member_writes.last().unwrap());
        });
        r
    }

    #[test]
    fn a_class_registered_once_per_id_is_complete() {
        let r = last_write(
            "const byId = {};\nexport function define(id, cls) {\n  if (id in byId) throw new Error('dup');\n  cls.prototype.kind = id;\n  byId[id] = cls;\n}\n",
        )
        .unwrap();
        assert!(r.is_complete(), "{r:?}");
        assert!(r.guard.as_deref().unwrap().contains("throws"), "{r:?}");
    }

    #[test]
    fn a_function_keyed_by_its_own_id_is_complete() {
        let r = last_write(
            "const all = {};\nexport function add(P) {\n  if (typeof P !== 'function') return;\n  all[P.id] = P;\n}\n",
        )
        .unwrap();
        assert!(r.is_complete(), "{r:?}");
        assert!(r.keyed_by_value.is_some());
    }

    #[test]
    fn a_guard_without_a_definition_is_partial() {
        let r = last_write(
            "const sessions = {};\nexport function open(id, s) {\n  if (sessions[id]) throw new Error('open');\n  sessions[id] = s;\n}\n",
        )
        .unwrap();
        assert!(!r.is_complete(), "{r:?}");
        assert!(r.guard.is_some() && r.definition.is_none());
    }

    #[test]
    fn values_and_negated_tests_are_no_registration() {
        // A request keyed by its own id is no definition.
        let r = last_write(
            "const open = {};\nexport function track(req) {\n  open[req.id] = req;\n}\n",
        );
        assert!(!r.is_some_and(|r| r.is_complete()));
        // `if (!c[k]) return` needs the key: no duplicate guard.
        assert_eq!(
            last_write(
                "const c = {};\nexport function set(k, v) {\n  if (!c[k]) return;\n  c[k] = v;\n}\n"
            ),
            None
        );
        assert_eq!(
            last_write("const c = {};\nexport function put(k, v) { c[k] = v; }\n"),
            None
        );
    }

    #[test]
    fn a_function_check_alone_is_no_definition() {
        // Callbacks are checked to be functions too, and a closure is made
        // per call: alone, the check says nothing of the key set.
        assert_eq!(
            last_write(
                "const on = {};\nexport function listen(type, fn) {\n  if (typeof fn !== 'function') throw new TypeError();\n  on[type] = fn;\n}\n"
            ),
            None
        );
        let mut pushed = Some(Registration::default());
        crate::engine::with_model_for_test(
            "const all = [];\nexport function listen(fn) {\n  if (typeof fn !== 'function') throw new TypeError();\n  all.push(fn);\n}\n",
            Dialect::Js,
            |m| {
                pushed = of_push(
                    m,
                    m.calls
                        .iter()
                        .find(|c| c.callee.method.as_deref() == Some("push"))
                        .unwrap(),
                )
            },
        );
        assert_eq!(pushed, None);
    }

    #[test]
    fn set_only_if_missing_is_a_guard() {
        for src in [
            "const c = {};\nexport function load(k, impl) { if (!c[k]) c[k] = impl; new impl(); }\n",
            "const c = {};\nexport function load(k, impl) { c[k] || (c[k] = impl); new impl(); }\n",
        ] {
            let r = last_write(src).unwrap();
            assert!(r.is_complete(), "{src}: {r:?}");
        }
    }

    #[test]
    fn presence_tests() {
        assert!(tests_presence("if (id in byId", "byId", Some("id")));
        assert!(tests_presence("if (reg[name]", "reg", Some("name")));
        assert!(!tests_presence("if (!reg[name]", "reg", Some("name")));
        assert!(!tests_presence(
            "if (reg[name] === undefined",
            "reg",
            Some("name")
        ));
        assert!(!tests_presence("if (myreg[name]", "reg", Some("name")));
        assert!(tests_presence("if (_plugins[name]", "_plugins", None));
    }
}
