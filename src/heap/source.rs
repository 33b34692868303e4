//! Script names, sources and declaration lines.
//!
//! V8 records where each closure's function starts (the `locations` array:
//! script id, line, column) and keeps each function's script reachable from
//! it (`shared` → `script_or_debug_info`, whose node is named after the
//! script). Script sources appear as strings cut at 1,024 characters, so a
//! declaration is looked up in the file on disk when it is there, then in
//! that prefix of the source.

use serde::Serialize;

use super::graph::Graph;

/// A place in a script, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub script: String,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.script, self.line)
    }
}

/// The script node of a closure, through its shared function info.
pub fn script_of(g: &Graph, closure: u32) -> Option<u32> {
    let shared = g.child(closure, g.k.e_internal, "shared")?;
    g.edges_of(shared)
        .find(|&e| {
            g.edge_type(e) == g.k.e_internal
                && g.edge_name(e).is_some_and(|n| n.starts_with("script"))
        })
        .map(|e| g.edge_to(e))
}

/// A script's name (its path or URL), when it has one.
pub fn script_name(g: &Graph, script: u32) -> Option<String> {
    let name = g
        .child(script, g.k.e_internal, "name")
        .filter(|&n| g.node_type(n) == g.k.string)
        .map(|n| g.name(n))
        .unwrap_or_else(|| g.name(script));
    (!name.is_empty() && !name.starts_with("system /")).then(|| name.to_string())
}

/// The script's source as the snapshot holds it (possibly cut short).
pub fn script_source(g: &Graph, script: u32) -> Option<&str> {
    g.child(script, g.k.e_internal, "source")
        .filter(|&n| g.node_type(n) == g.k.string)
        .map(|n| g.name(n))
}

/// Where a closure's function is, when V8 recorded it.
pub fn closure_place(g: &Graph, closure: u32) -> Option<Place> {
    let loc = g.location(closure)?;
    let script = script_name(g, script_of(g, closure)?)?;
    Some(Place {
        script,
        line: loc.line + 1,
        column: loc.column + 1,
    })
}

/// How a name is declared, to look for its declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// `const|let|var|function|class NAME`.
    Variable,
    /// `this.NAME =` or a class field `NAME =`.
    Field,
    /// `global.NAME =`, `globalThis.NAME =`, `window.NAME =`, `self.NAME =`.
    Global,
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The 1-based line and column of `name`'s declaration in `text`.
pub fn declaration(text: &str, name: &str, how: Declared) -> Option<(u32, u32)> {
    if name.is_empty() || !name.bytes().all(is_ident) {
        return None;
    }
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text[from..].find(name).map(|i| i + from) {
        from = at + name.len();
        let end = at + name.len();
        if (at > 0 && is_ident(bytes[at - 1])) || (end < bytes.len() && is_ident(bytes[end])) {
            continue;
        }
        let before = text[..at].trim_end_matches([' ', '\t']);
        let after = text[end..].trim_start_matches([' ', '\t']);
        let assigned =
            after.starts_with('=') && !after.starts_with("==") && !after.starts_with("=>");
        let hit = match how {
            Declared::Variable => ["const", "let", "var", "function", "class", "function*"]
                .iter()
                .any(|k| {
                    before.ends_with(k)
                        && !before[..before.len() - k.len()]
                            .bytes()
                            .next_back()
                            .is_some_and(is_ident)
                }),
            Declared::Field => {
                assigned
                    && (before.ends_with("this.")
                        || before.is_empty()
                        || before.ends_with(['\n', ';', '{']))
            }
            Declared::Global => {
                assigned
                    && ["global.", "globalThis.", "window.", "self."]
                        .iter()
                        .any(|p| before.ends_with(p))
            }
        };
        if hit {
            let line = text[..at].matches('\n').count() as u32 + 1;
            let col = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32 + 1;
            return Some((line, col));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_variable_declarations_not_uses() {
        let text = "// localCache here\nuse(localCache)\nconst localCache = {}\n";
        assert_eq!(
            declaration(text, "localCache", Declared::Variable),
            Some((3, 7))
        );
        assert_eq!(
            declaration("let myCache = 1", "Cache", Declared::Variable),
            None
        );
        assert_eq!(declaration("aconst x = 1", "x", Declared::Variable), None);
        assert_eq!(
            declaration("function run() {}", "run", Declared::Variable),
            Some((1, 10))
        );
    }

    #[test]
    fn finds_fields_and_globals() {
        let text = "class P {\n  constructor() {\n    this.timer = setInterval(f)\n  }\n}\n";
        assert_eq!(declaration(text, "timer", Declared::Field), Some((3, 10)));
        assert_eq!(
            declaration("if (this.timer == 1) {}", "timer", Declared::Field),
            None
        );
        assert_eq!(
            declaration("x\nglobal.seen = new Map()", "seen", Declared::Global),
            Some((2, 8))
        );
    }
}
