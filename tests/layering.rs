//! The top-level modules of `src/` form a directed acyclic graph: no module
//! reaches back into one that depends on it (the layering in
//! docs/architecture.md). This test reads every `crate::…` and `super::…`
//! path of the library's production code and fails naming the first cycle
//! it finds, with the line that makes each edge.
//!
//! Code under `#[cfg(test)]` is left out: unit tests may build a model from
//! source through the engine (`engine::with_model_for_test`), which the
//! layers under the engine must not do in production code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where an edge `from -> to` first appears (file and line).
type Edges = BTreeMap<String, BTreeMap<String, String>>;

#[test]
fn top_level_modules_have_no_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = module_graph(&src);
    if let Some(cycle) = find_cycle(&edges) {
        let mut why = String::new();
        for pair in cycle.windows(2) {
            why += &format!(
                "\n  {} -> {}   ({})",
                pair[0], pair[1], edges[&pair[0]][&pair[1]]
            );
        }
        panic!(
            "module cycle: {}{why}\nmove the shared item into the lower module (or a module of its own)",
            cycle.join(" -> ")
        );
    }
}

/// The checker itself finds a planted cycle and a path through `super::`.
#[test]
fn checker_sees_crate_groups_super_and_skips_tests() {
    let text = "use crate::{model::{self, FileModel}, parse::Dialect};\n\
                // use crate::engine;\n\
                fn f() { let _ = \"crate::cli\"; super::rules::RULES; }\n\
                #[cfg(test)]\nmod tests { use crate::engine::with_model_for_test; }\n";
    let found: BTreeSet<_> = references(text, 1).into_iter().map(|(m, _)| m).collect();
    assert_eq!(
        found,
        ["model", "parse", "rules"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    let mut edges = Edges::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        edges
            .entry(a.into())
            .or_default()
            .insert(b.into(), String::new());
    }
    assert_eq!(find_cycle(&edges).unwrap(), ["a", "b", "c", "a"]);
    edges.get_mut("c").unwrap().remove("a");
    assert_eq!(find_cycle(&edges), None);
}

fn module_graph(src: &Path) -> Edges {
    let modules: BTreeSet<String> = std::fs::read_dir(src)
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            let name = path.file_stem()?.to_str()?.to_string();
            let is_module = path.is_dir() || path.extension().is_some_and(|x| x == "rs");
            (is_module && name != "lib" && name != "main").then_some(name)
        })
        .collect();
    let mut edges = Edges::new();
    for file in rust_files(src) {
        let rel = file.strip_prefix(src).unwrap();
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        let top = &parts[0];
        if !modules.contains(top) {
            continue; // lib.rs, main.rs
        }
        // Module depth below the crate root: `src/a.rs` and `src/a/mod.rs`
        // are 1, `src/a/b.rs` is 2.
        let depth = parts.len() - usize::from(parts.len() > 1 && parts.last().unwrap() == "mod");
        let text = std::fs::read_to_string(&file).unwrap();
        for (target, line) in references(&text, depth) {
            if &target != top && modules.contains(&target) {
                edges
                    .entry(top.clone())
                    .or_default()
                    .entry(target)
                    .or_insert_with(|| format!("src/{}:{line}", rel.display()));
            }
        }
    }
    edges
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    out
}

/// The top-level module each `crate::` or crate-reaching `super::` path
/// names, with its line, outside comments, literals and `#[cfg(test)]` items.
fn references(text: &str, depth: usize) -> Vec<(String, usize)> {
    let code = without_tests(&blank_comments_and_literals(text));
    let bytes = code.as_bytes();
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_word_start(bytes, i) {
            i += 1;
            continue;
        }
        let word = ident_at(&code, i);
        let at = i;
        i += word.len().max(1);
        let rest = if word == "crate" {
            Some(i)
        } else if word == "super" {
            // Count `super::super::…`; only a chain that climbs to the crate
            // root names a top-level module.
            let mut j = i;
            let mut count = 1;
            while code[j..].starts_with("::super") && !is_ident(bytes.get(j + 7)) {
                j += 7;
                count += 1;
            }
            i = j;
            (count >= depth).then_some(j)
        } else {
            None
        };
        let Some(j) = rest else { continue };
        let Some(after) = code[j..].strip_prefix("::") else {
            continue;
        };
        let after = after.trim_start();
        if let Some(group) = after.strip_prefix('{') {
            for item in top_level_items(group) {
                let name = ident_at(item.trim_start(), 0);
                if !name.is_empty() {
                    out.push((name.to_string(), line_of(at)));
                }
            }
        } else {
            let name = ident_at(after, 0);
            if !name.is_empty() {
                out.push((name.to_string(), line_of(at)));
            }
        }
    }
    out
}

/// The comma-separated items of a `{…}` group (text after its `{`).
fn top_level_items(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (k, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..k]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    items
}

fn is_ident(b: Option<&u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

fn is_word_start(bytes: &[u8], i: usize) -> bool {
    is_ident(bytes.get(i)) && (i == 0 || !(is_ident(bytes.get(i - 1)) || bytes[i - 1] == b'$'))
}

fn ident_at(s: &str, i: usize) -> &str {
    let end = s[i..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(s.len(), |n| i + n);
    &s[i..end]
}

/// Comments, string and char literals replaced by spaces (newlines kept, so
/// line numbers stay).
fn blank_comments_and_literals(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(b.len(), |n| i + n);
            blank(&mut out, i, end);
            i = end;
        } else if let Some(body) = rest.strip_prefix("/*") {
            let end = body.find("*/").map_or(b.len(), |n| i + 2 + n + 2);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") || rest.starts_with("br\"") {
            let open = rest.find('"').unwrap();
            let hashes = &rest[1 + usize::from(rest.starts_with('b'))..open];
            let close = format!("\"{hashes}");
            let end = rest[open + 1..]
                .find(&close)
                .map_or(b.len(), |n| i + open + 1 + n + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if b[i] == b'\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let end = if rest[1..].starts_with('\\') {
                rest[2..].find('\'').map(|n| i + 2 + n + 1)
            } else {
                rest[1..]
                    .chars()
                    .next()
                    .filter(|c| rest[1 + c.len_utf8()..].starts_with('\''))
                    .map(|c| i + 1 + c.len_utf8() + 1)
            };
            match end {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => i += 1,
            }
        } else if is_word_start(b, i) {
            i += ident_at(text, i).len();
        } else {
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Items under `#[cfg(test)]` blanked: up to their `;` or matching `}`.
fn without_tests(code: &str) -> String {
    let mut out = code.to_string();
    let mut from = 0;
    while let Some(n) = out[from..].find("#[cfg(test)]") {
        let start = from + n;
        let bytes = out.as_bytes();
        let mut j = start + "#[cfg(test)]".len();
        let mut depth = 0usize;
        while j < bytes.len() {
            match bytes[j] {
                b';' if depth == 0 => break,
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let end = (j + 1).min(out.len());
        let blanked: String = out[start..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(start..end, &blanked);
        from = end;
    }
    out
}

/// A cycle as `[a, b, …, a]`, or `None` if the graph is acyclic.
fn find_cycle(edges: &Edges) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &Edges,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(k) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[k..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flat_map(|m| m.keys()) {
            if let Some(cycle) = visit(next, edges, done, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, edges, &mut done, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}

/// Prints the graph (`cargo test --test layering -- --ignored --nocapture`).
#[test]
#[ignore]
fn print_module_graph() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for (from, to) in module_graph(&src) {
        let to: Vec<_> = to.keys().cloned().collect();
        println!("{from} -> {}", to.join(", "));
    }
}
