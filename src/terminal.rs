//! Text for a terminal: the rule list of `leaklint rules`, a rule's Markdown
//! page rendered readably for `leaklint explain`, and the pager that shows it.
//!
//! The Markdown renderer knows the subset the pages in `rules/` use:
//! headings, paragraphs (re-wrapped to the width), lists, block quotes,
//! fenced code, tables and inline code/emphasis/links. Relative links lose
//! their target (it means nothing in a terminal); absolute ones keep it.

use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};

use crate::config::Level;
use crate::rules::RULES;

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const CYAN: &str = "\x1b[36m";
const UNDERLINE: &str = "\x1b[4m";
const RESET: &str = "\x1b[0m";

/// How text is styled for the terminal.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    /// Columns available; text is wrapped to this.
    pub width: usize,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// `leaklint rules`: one row per rule, aligned columns, summaries wrapped
/// under their own column. Severities are spelled as the config file spells
/// them (`warn`, `error`).
pub fn rules_list(style: Style) -> String {
    let name_w = RULES.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    let level_w = "default".len();
    let fix_w = "fix".len();
    let indent = name_w + level_w + fix_w + 6;
    let summary_w = style.width.saturating_sub(indent).max(30);
    let mut out = format!(
        "{}\n",
        style.paint(
            BOLD,
            &format!(
                "{:name_w$}  {:level_w$}  {:fix_w$}  summary",
                "rule", "default", "fix"
            )
        )
    );
    for r in RULES {
        let level = Level::of(Some(r.default_severity)).as_str();
        let fix = if r.fixable { "yes" } else { "" };
        let lines = wrap(r.summary, summary_w);
        for (i, line) in lines.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!(
                    "{}  {:level_w$}  {:fix_w$}  {line}\n",
                    style.paint(CYAN, &format!("{:name_w$}", r.name)),
                    level,
                    fix
                ));
            } else {
                out.push_str(&format!("{:indent$}{line}\n", ""));
            }
        }
    }
    out.push_str("\nRun `leaklint explain <rule>` for a rule's documentation.\n");
    out
}

/// Words of `text` in lines of at most `width` visible columns (a longer
/// word gets a line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        let w = visible_len(word);
        if len > 0 && len + 1 + w > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += w;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Columns a string takes on screen: characters, less ANSI escapes.
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

/// Inline Markdown: `code`, **strong**, *emphasis*, [text](target).
fn inline(text: &str, style: Style) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            // A run of backticks opens a code span closed by the same run.
            let ticks = rest.len() - rest.trim_start_matches('`').len();
            let fence = &rest[..ticks];
            if let Some(end) = rest[ticks..].find(fence) {
                let code = rest[ticks..ticks + end].trim();
                if style.color {
                    out.push_str(&style.paint(CYAN, code));
                } else {
                    out.push('`');
                    out.push_str(code);
                    out.push('`');
                }
                rest = &rest[ticks + end + ticks..];
                continue;
            }
            out.push_str(fence);
            rest = &rest[ticks..];
            continue;
        }
        if let Some(body) = rest.strip_prefix("**") {
            if let Some(end) = body.find("**") {
                out.push_str(&style.paint(BOLD, &inline(&body[..end], style)));
                rest = &body[end + 2..];
                continue;
            }
        }
        if c == '[' {
            if let Some((label, target, len)) = link(rest) {
                out.push_str(&inline(label, style));
                if target.starts_with("http://") || target.starts_with("https://") {
                    out.push_str(&format!(" <{target}>"));
                }
                rest = &rest[len..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `[label](target)` at the start of `s`: label, target and length.
fn link(s: &str) -> Option<(&str, &str, usize)> {
    let close = s.find("](")?;
    let label = &s[1..close];
    if label.contains('[') || label.contains(']') {
        return None;
    }
    let end = s[close + 2..].find(')')?;
    let target = &s[close + 2..close + 2 + end];
    Some((label, target, close + 2 + end + 1))
}

/// A Markdown page as terminal text.
pub fn render_markdown(md: &str, style: Style) -> String {
    let mut out = String::new();
    let mut paragraph: Vec<&str> = Vec::new();
    // The prefix of the list item the paragraph belongs to, if any.
    let mut item: Option<String> = None;
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut in_code = false;
    let width = style.width.max(40);

    let flush = |out: &mut String,
                 paragraph: &mut Vec<&str>,
                 item: &mut Option<String>,
                 table: &mut Vec<Vec<String>>| {
        if !paragraph.is_empty() {
            let text = inline(&paragraph.join(" "), style);
            let (first, rest) = match item.take() {
                Some(bullet) => (bullet, "    ".to_string()),
                None => (String::new(), String::new()),
            };
            let lines = wrap(&text, width.saturating_sub(first.chars().count()));
            for (i, l) in lines.iter().enumerate() {
                out.push_str(if i == 0 { &first } else { &rest });
                out.push_str(l);
                out.push('\n');
            }
            paragraph.clear();
        }
        if !table.is_empty() {
            out.push_str(&render_table(table, style));
            table.clear();
        }
    };

    for line in md.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            flush(&mut out, &mut paragraph, &mut item, &mut table);
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
            out.push_str(&style.paint(DIM, line));
            out.push('\n');
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut out, &mut paragraph, &mut item, &mut table);
            if !out.ends_with("\n\n") && !out.is_empty() {
                out.push('\n');
            }
            continue;
        }
        if trimmed.starts_with('|') {
            if !paragraph.is_empty() {
                flush(&mut out, &mut paragraph, &mut item, &mut table);
            }
            let cells: Vec<String> = trimmed
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            let separator = cells
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')));
            if !separator {
                table.push(cells);
            }
            continue;
        }
        if let Some(h) = heading(trimmed) {
            flush(&mut out, &mut paragraph, &mut item, &mut table);
            let (level, text) = h;
            let text = inline(
                text,
                Style {
                    color: false,
                    ..style
                },
            );
            let shown = match level {
                1 => style.paint(&format!("{BOLD}{UNDERLINE}"), &text.to_uppercase()),
                _ => style.paint(BOLD, &text),
            };
            out.push_str(&shown);
            out.push('\n');
            continue;
        }
        if let Some(body) = trimmed.strip_prefix("> ").or(trimmed.strip_prefix('>')) {
            flush(&mut out, &mut paragraph, &mut item, &mut table);
            for l in wrap(&inline(body, style), width.saturating_sub(4)) {
                out.push_str(&format!("  │ {l}\n"));
            }
            continue;
        }
        if let Some((bullet, body)) = list_item(trimmed) {
            flush(&mut out, &mut paragraph, &mut item, &mut table);
            item = Some(bullet);
            paragraph.push(body);
            continue;
        }
        paragraph.push(trimmed);
    }
    flush(&mut out, &mut paragraph, &mut item, &mut table);
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.len() - line.trim_start_matches('#').len();
    if (1..=6).contains(&level) && line[level..].starts_with(' ') {
        Some((level, line[level..].trim()))
    } else {
        None
    }
}

/// `- x`, `* x`, `1. x`: the bullet to print and the item's text.
fn list_item(line: &str) -> Option<(String, &str)> {
    if let Some(body) = line.strip_prefix("- ").or(line.strip_prefix("* ")) {
        return Some(("  • ".to_string(), body));
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 {
        if let Some(body) = line[digits..].strip_prefix(". ") {
            return Some((format!("  {}. ", &line[..digits]), body));
        }
    }
    None
}

fn render_table(rows: &[Vec<String>], style: Style) -> String {
    let plain = Style {
        color: false,
        ..style
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| inline(c, plain)).collect())
        .collect();
    let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            cells
                .iter()
                .filter_map(|r| r.get(i))
                .map(|c| visible_len(c))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (n, row) in cells.iter().enumerate() {
        let mut line = String::from("  ");
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i].saturating_sub(visible_len(cell));
            let shown = if n == 0 {
                style.paint(BOLD, cell)
            } else {
                cell.clone()
            };
            line.push_str(&shown);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Writes `text` to stdout, through a pager when stdout is a terminal:
/// `$PAGER` if set (empty or `cat` means none), else `less -FRX` (which
/// quits at once when the text fits the screen). Pipes and files get the
/// text directly, so scripts and tests never wait on a pager.
pub fn page(text: &str) {
    if std::io::stdout().is_terminal() {
        if let Some(mut child) = pager() {
            if let Some(mut stdin) = child.stdin.take() {
                let _ = stdin.write_all(text.as_bytes());
            }
            if child.wait().is_ok() {
                return;
            }
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn pager() -> Option<std::process::Child> {
    let configured = std::env::var("PAGER").ok();
    match configured.as_deref().map(str::trim) {
        Some("") | Some("cat") => None,
        Some(cmd) if cfg!(unix) => Command::new("sh")
            .args(["-c", cmd])
            .stdin(Stdio::piped())
            .spawn()
            .ok(),
        Some(cmd) => Command::new(cmd).stdin(Stdio::piped()).spawn().ok(),
        None => {
            let mut less = Command::new("less");
            if std::env::var_os("LESS").is_none() {
                less.env("LESS", "FRX");
            }
            less.stdin(Stdio::piped()).spawn().ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style {
        color: false,
        width: 60,
    };

    #[test]
    fn relative_links_lose_their_target_and_absolute_ones_keep_it() {
        let md = "See [`other-rule`](other-rule.md) and [MDN](https://developer.mozilla.org/x).";
        let text = render_markdown(md, PLAIN);
        assert_eq!(
            text,
            "See `other-rule` and MDN <https://developer.mozilla.org/x>.\n"
        );
    }

    #[test]
    fn headings_paragraphs_code_lists_and_tables() {
        let md = "# a-rule\n\nOne line\nwrapped **here**.\n\n## Fix\n\n```js\nconst x = 1\n```\n\n- first item\n- second\n\n| a | bb |\n|---|---|\n| ccc | d |\n";
        let text = render_markdown(md, PLAIN);
        assert_eq!(
            text,
            "A-RULE\n\nOne line wrapped here.\n\nFix\n\n    const x = 1\n\n  • first item\n  • second\n\n  a    bb\n  ccc  d\n"
        );
        assert!(!text.contains("```") && !text.contains("|---"));
    }

    #[test]
    fn paragraphs_wrap_to_the_width() {
        let md = "word ".repeat(40);
        for line in render_markdown(&md, PLAIN).lines() {
            assert!(line.chars().count() <= 60, "{line:?}");
        }
    }

    #[test]
    fn colour_codes_do_not_count_towards_the_width() {
        assert_eq!(visible_len("\x1b[36mabc\x1b[0m"), 3);
        let styled = Style {
            color: true,
            width: 60,
        };
        let text = render_markdown("`x` **y** plain", styled);
        assert!(text.contains("\x1b[36mx\x1b[0m"), "{text:?}");
    }

    #[test]
    fn the_rule_list_spells_severities_as_the_config_does() {
        let text = rules_list(Style {
            color: false,
            width: 100,
        });
        assert!(!text.contains("](") && !text.contains("|---"));
        let memo = text
            .lines()
            .find(|l| l.starts_with("unbounded-memoize"))
            .expect("a row per rule");
        assert!(memo.contains(" warn "), "{memo}");
        let header = text.lines().next().unwrap_or_default();
        let level_column = header.find("default").expect("a header");
        for row in text
            .lines()
            .skip(1)
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
        {
            let level = row[level_column..].split_whitespace().next();
            assert!(matches!(level, Some("warn" | "error")), "{row}");
        }
        for line in text.lines() {
            assert!(line.chars().count() <= 100, "{line:?}");
        }
    }
}
