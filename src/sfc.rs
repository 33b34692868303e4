//! Single-file components (`.vue`, `.svelte`, `.astro`): the script blocks of
//! a component file, as one JavaScript/TypeScript text of the **same length**.
//!
//! Everything outside the script blocks (template, styles, the `<script>` tags
//! themselves) is replaced by spaces, newlines are kept. Byte offsets in the
//! masked text are therefore byte offsets in the original file, and every
//! diagnostic, label, fix and suppression position is exact in the original
//! without any remapping. Several blocks (`<script>` and `<script setup>`,
//! Svelte's module and instance scripts) are linted together, as their
//! compilers merge them into one module.

use std::ops::Range;

pub use crate::dialect::ComponentKind;
use crate::dialect::Dialect;

/// One script block of a component file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptBlock {
    /// The code between the opening and the closing tag (or frontmatter fences).
    pub range: Range<usize>,
    /// Top-level code of this block runs once per component instance
    /// (Vue `<script setup>`, Svelte's instance `<script>`), not once per module.
    pub per_instance: bool,
    pub typescript: bool,
    pub jsx: bool,
}

/// The masked text and what it is made of.
pub struct Masked {
    pub text: String,
    pub blocks: Vec<ScriptBlock>,
    /// The dialect the masked text parses as.
    pub dialect: Dialect,
}

impl Masked {
    /// Ranges whose top-level code runs once per component instance.
    pub fn per_instance_ranges(&self) -> Vec<Range<usize>> {
        self.blocks
            .iter()
            .filter(|b| b.per_instance)
            .map(|b| b.range.clone())
            .collect()
    }
}

/// Masks everything but the script blocks of a component file.
pub fn mask(text: &str, kind: ComponentKind) -> Masked {
    let mut blocks = Vec::new();
    if kind == ComponentKind::Astro {
        if let Some(b) = astro_frontmatter(text) {
            blocks.push(b);
        }
    }
    let from = blocks.last().map(|b| b.range.end).unwrap_or(0);
    blocks.extend(script_blocks(text, from, kind));

    let bytes = text.as_bytes();
    let mut out: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == b'\n' || b == b'\r' { b } else { b' ' })
        .collect();
    for b in &blocks {
        out[b.range.clone()].copy_from_slice(&bytes[b.range.clone()]);
        // A statement separator where the closing tag was: blocks that end and
        // start on one line must not run together (`a</script><script>b`).
        if let Some(slot) = out.get_mut(b.range.end) {
            if *slot == b' ' {
                *slot = b';';
            }
        }
    }
    let typescript = kind == ComponentKind::Astro || blocks.iter().any(|b| b.typescript);
    let jsx = blocks.iter().any(|b| b.jsx);
    let dialect = match (typescript, jsx) {
        (true, true) => Dialect::Tsx,
        (true, false) => Dialect::Ts,
        (false, _) => Dialect::Js,
    };
    // Only ASCII spaces and `;` replaced whole characters' bytes: still UTF-8.
    let text = String::from_utf8(out).unwrap_or_default();
    Masked {
        text,
        blocks,
        dialect,
    }
}

/// Astro's `---` fenced frontmatter at the top of the file (TypeScript).
fn astro_frontmatter(text: &str) -> Option<ScriptBlock> {
    let start = text.len() - text.trim_start().len();
    let rest = &text[start..];
    let after_open = rest.strip_prefix("---")?;
    let line_end = after_open.find('\n')?;
    if !after_open[..line_end].trim().is_empty() {
        return None;
    }
    let body_start = start + 3 + line_end + 1;
    let mut at = body_start;
    for line in text[body_start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some(ScriptBlock {
                range: body_start..at,
                per_instance: false,
                typescript: true,
                jsx: false,
            });
        }
        at += line.len();
    }
    None
}

/// `<script …>…</script>` blocks from byte `from` on, skipping HTML comments.
fn script_blocks(text: &str, from: usize, kind: ComponentKind) -> Vec<ScriptBlock> {
    let lower = text.to_ascii_lowercase();
    let mut blocks = Vec::new();
    let mut at = from;
    while let Some(rel) = lower[at..].find('<') {
        let open = at + rel;
        if lower[open..].starts_with("<!--") {
            at = lower[open..]
                .find("-->")
                .map(|e| open + e + 3)
                .unwrap_or(text.len());
            continue;
        }
        let is_script = lower[open..].starts_with("<script")
            && lower[open + 7..]
                .starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/');
        if !is_script {
            at = open + 1;
            continue;
        }
        let Some(tag_end) = tag_end(text, open + 7) else {
            break;
        };
        let attrs = &text[open + 7..tag_end];
        let self_closing = attrs.trim_end().ends_with('/');
        let body_start = tag_end + 1;
        let body_end = if self_closing {
            body_start
        } else {
            lower[body_start..]
                .find("</script")
                .map(|e| body_start + e)
                .unwrap_or(text.len())
        };
        if let Some(block) = classify(attrs, body_start..body_end, kind) {
            blocks.push(block);
        }
        at = body_end.max(open + 1);
    }
    blocks
}

/// The `>` that ends a tag, skipping quoted attribute values.
fn tag_end(text: &str, from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &b) in text.as_bytes()[from..].iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(from + i),
            None => {}
        }
    }
    None
}

/// The value of an attribute (`lang="ts"`), `Some("")` for a bare one (`setup`).
fn attr<'t>(attrs: &'t str, name: &str) -> Option<&'t str> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let name_len = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let this = &rest[..name_len];
        rest = rest[name_len..].trim_start();
        let mut value = "";
        if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            let (v, tail) = match after_eq.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after_eq[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after_eq
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(after_eq.len());
                    (&after_eq[..end], &after_eq[end..])
                }
            };
            value = v;
            rest = tail;
        }
        if this.eq_ignore_ascii_case(name) {
            return Some(value);
        }
    }
}

fn classify(attrs: &str, range: Range<usize>, kind: ComponentKind) -> Option<ScriptBlock> {
    if attr(attrs, "src").is_some() {
        return None;
    }
    if let Some(ty) = attr(attrs, "type") {
        let ty = ty.to_ascii_lowercase();
        let js = ty.is_empty()
            || ty == "module"
            || ty.contains("javascript")
            || ty.contains("typescript")
            || ty.contains("ecmascript")
            || ty == "text/babel";
        if !js {
            return None;
        }
    }
    let lang = attr(attrs, "lang").unwrap_or("").to_ascii_lowercase();
    let typescript =
        matches!(lang.as_str(), "ts" | "tsx" | "typescript") || kind == ComponentKind::Astro;
    let jsx = matches!(lang.as_str(), "tsx" | "jsx");
    let per_instance = match kind {
        ComponentKind::Vue => attr(attrs, "setup").is_some(),
        ComponentKind::Svelte => {
            attr(attrs, "module").is_none() && attr(attrs, "context").is_none_or(|c| c != "module")
        }
        ComponentKind::Astro => false,
    };
    Some(ScriptBlock {
        range,
        per_instance,
        typescript,
        jsx,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_text_keeps_length_and_lines() {
        let src = "<template>\n  <div>é</div>\n</template>\n<script setup lang=\"ts\">\nconst a: number = 1\n</script>\n";
        let m = mask(src, ComponentKind::Vue);
        assert_eq!(m.text.len(), src.len());
        assert_eq!(m.text.matches('\n').count(), src.matches('\n').count());
        let at = src.find("const").unwrap();
        assert_eq!(&m.text[at..at + 19], "const a: number = 1");
        assert!(!m.text.contains("div"));
        assert_eq!(m.dialect, Dialect::Ts);
        assert_eq!(m.blocks.len(), 1);
        assert!(m.blocks[0].per_instance);
    }

    #[test]
    fn vue_script_and_script_setup_are_both_kept() {
        let src = "<script>\nexport default { name: 'x' }\n</script>\n<script setup>\nconst b = 2\n</script>\n";
        let m = mask(src, ComponentKind::Vue);
        assert_eq!(m.blocks.len(), 2);
        assert!(!m.blocks[0].per_instance);
        assert!(m.blocks[1].per_instance);
        assert_eq!(m.dialect, Dialect::Js);
        assert!(m.text.contains("export default") && m.text.contains("const b = 2"));
    }

    #[test]
    fn blocks_on_one_line_are_separated() {
        let src = "<script>a()</script><script>b()</script>";
        let m = mask(src, ComponentKind::Vue);
        let first_end = m.blocks[0].range.end;
        assert_eq!(&m.text[first_end..first_end + 1], ";");
        assert_eq!(
            m.text.split_whitespace().collect::<Vec<_>>(),
            vec!["a();", "b();"]
        );
    }

    #[test]
    fn svelte_module_script_is_not_per_instance() {
        let src = "<script context=\"module\">\nexport const x = 1\n</script>\n<script lang='ts'>\nlet y = 2\n</script>\n<h1>{y}</h1>";
        let m = mask(src, ComponentKind::Svelte);
        assert_eq!(
            m.blocks.iter().map(|b| b.per_instance).collect::<Vec<_>>(),
            vec![false, true]
        );
        assert_eq!(m.dialect, Dialect::Ts);
    }

    #[test]
    fn comments_external_and_non_js_scripts_are_skipped() {
        let src = "<!-- <script>bad(</script> -->\n<script src=\"x.js\"></script>\n<script type=\"application/ld+json\">{\"a\":1}</script>\n<script>ok()</script>";
        let m = mask(src, ComponentKind::Svelte);
        assert_eq!(m.blocks.len(), 1);
        assert_eq!(&src[m.blocks[0].range.clone()], "ok()");
    }

    #[test]
    fn astro_frontmatter_and_client_scripts() {
        let src =
            "---\nconst title = 'x'\n---\n<h1>{title}</h1>\n<script>\nconsole.log(1)\n</script>\n";
        let m = mask(src, ComponentKind::Astro);
        assert_eq!(m.blocks.len(), 2);
        assert_eq!(&src[m.blocks[0].range.clone()], "const title = 'x'\n");
        assert_eq!(m.dialect, Dialect::Ts);
        assert!(!m.text.contains("h1"));
    }

    #[test]
    fn attribute_values_with_angle_brackets() {
        let src = "<script setup lang=\"ts\" generic=\"T extends Record<string, unknown>\">\nlet t = 1\n</script>";
        let m = mask(src, ComponentKind::Vue);
        assert_eq!(m.blocks.len(), 1);
        assert_eq!(&src[m.blocks[0].range.clone()], "\nlet t = 1\n");
        assert!(m.blocks[0].per_instance && m.blocks[0].typescript);
    }
}
