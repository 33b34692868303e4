//! Suppression comments, ESLint's grammar with a `leaklint-` prefix:
//!
//! ```text
//! // leaklint-disable-next-line unbounded-cache, unremoved-listener -- reason
//! // leaklint-disable-line
//! /* leaklint-disable unbounded-cache */ … /* leaklint-enable unbounded-cache */
//! /* leaklint-disable */            (at the top: the whole file)
//! ```
//!
//! Directives that name an unknown rule, or that suppress nothing, are
//! reported, so stale suppressions do not pile up.

use std::ops::Range;

use swc_common::comments::{Comment, CommentKind, SingleThreadedComments};

use crate::diagnostic::{Diagnostic, PARSE_ERROR, Severity};
use crate::position::LineIndex;
use crate::rules;
use crate::rules::RuleSet;

/// Rule id of the report for a directive that suppressed nothing.
pub const UNUSED_DIRECTIVE: &str = "unused-disable-directive";
/// Rule id of the report for a directive that names no known rule.
pub const UNKNOWN_RULE: &str = "unknown-rule";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    DisableNextLine,
    DisableLine,
    Disable,
    Enable,
}

#[derive(Debug)]
struct Directive {
    kind: Kind,
    /// Empty means every rule.
    rules: Vec<String>,
    span: Range<usize>,
    /// For line directives: the 1-based line they cover.
    line: usize,
    used: Vec<bool>,
    used_any: bool,
}

/// The directives of one file.
#[derive(Default, Debug)]
pub struct Directives {
    list: Vec<Directive>,
}

/// Is it worth asking the parser for comments? A fast substring test that
/// keeps comment collection off the hot path for the files without directives.
pub fn may_have_directives(text: &str) -> bool {
    text.contains("leaklint-")
}

impl Directives {
    /// Collects the directives among a parsed file's comments.
    pub fn from_comments(comments: &SingleThreadedComments, start: u32, text: &str) -> Directives {
        let (leading, trailing) = comments.borrow_all();
        let mut all: Vec<&Comment> = leading
            .values()
            .flatten()
            .chain(trailing.values().flatten())
            .collect();
        all.sort_by_key(|c| c.span.lo);
        all.dedup_by_key(|c| c.span.lo);
        let index = LineIndex::new(text);
        let mut list = Vec::new();
        for c in all {
            let lo = c.span.lo.0.saturating_sub(start) as usize;
            let hi = c.span.hi.0.saturating_sub(start) as usize;
            if let Some(d) = parse_directive(&c.text, c.kind, lo..hi, &index) {
                list.push(d);
            }
        }
        Directives { list }
    }

    /// Drops suppressed diagnostics and adds reports for unknown and unused
    /// directives. Fatal problems are never suppressed.
    pub fn apply(mut self, text: &str, found: Vec<Diagnostic>, rules: &RuleSet) -> Vec<Diagnostic> {
        if self.list.is_empty() {
            return found;
        }
        let index = LineIndex::new(text);
        let mut kept = Vec::with_capacity(found.len());
        for d in found {
            if d.fatal || d.rule == PARSE_ERROR {
                kept.push(d);
                continue;
            }
            let line = index.position(d.span.start).line;
            if !self.suppress(d.rule, d.span.start, line) {
                kept.push(d);
            }
        }
        for dir in &self.list {
            for name in &dir.rules {
                if rules::find(name).is_none() {
                    kept.push(
                        Diagnostic::new(
                            UNKNOWN_RULE,
                            dir.span.clone(),
                            format!("unknown rule `{name}` in a leaklint directive"),
                        )
                        .with_help("run `leaklint rules` for the list of rule names")
                        .with_label("unknown rule name")
                        .severity_set(Severity::Error),
                    );
                }
            }
        }
        if let Some(level) = rules.unused_directives {
            for dir in &self.list {
                if dir.kind == Kind::Enable {
                    continue;
                }
                let unused = if dir.rules.is_empty() {
                    !dir.used_any
                } else {
                    // Unknown names are already reported above.
                    dir.rules
                        .iter()
                        .zip(&dir.used)
                        .any(|(n, used)| !used && rules::find(n).is_some())
                };
                if unused {
                    let which = if dir.rules.is_empty() {
                        String::new()
                    } else {
                        let names: Vec<_> = dir
                            .rules
                            .iter()
                            .zip(&dir.used)
                            .filter(|(n, used)| !**used && rules::find(n).is_some())
                            .map(|(n, _)| format!("`{n}`"))
                            .collect();
                        format!(" for {}", names.join(", "))
                    };
                    kept.push(
                        Diagnostic::new(
                            UNUSED_DIRECTIVE,
                            dir.span.clone(),
                            format!("unused leaklint directive: no problem{which} was suppressed"),
                        )
                        .with_label("suppresses nothing")
                        .with_help("remove the directive, or the rule names it no longer needs")
                        .severity_set(level),
                    );
                }
            }
        }
        kept.sort_by(|a, b| (a.span.start, a.rule).cmp(&(b.span.start, b.rule)));
        kept
    }

    fn suppress(&mut self, rule: &str, offset: usize, line: usize) -> bool {
        // Line directives first: they are the most specific.
        for dir in &mut self.list {
            let covers = match dir.kind {
                Kind::DisableLine | Kind::DisableNextLine => dir.line == line,
                _ => false,
            };
            if covers && mark(dir, rule) {
                return true;
            }
        }
        // Block directives: the last disable/enable before the offset decides.
        let mut active: Option<usize> = None;
        for (i, dir) in self.list.iter().enumerate() {
            if dir.span.start > offset {
                break;
            }
            let names_rule = dir.rules.is_empty() || dir.rules.iter().any(|r| r == rule);
            match dir.kind {
                Kind::Disable if names_rule => active = Some(i),
                Kind::Enable if names_rule => active = None,
                _ => {}
            }
        }
        match active {
            Some(i) => mark(&mut self.list[i], rule),
            None => false,
        }
    }
}

fn mark(dir: &mut Directive, rule: &str) -> bool {
    if dir.rules.is_empty() {
        dir.used_any = true;
        return true;
    }
    match dir.rules.iter().position(|r| r == rule) {
        Some(i) => {
            dir.used[i] = true;
            dir.used_any = true;
            true
        }
        None => false,
    }
}

fn parse_directive(
    body: &str,
    _comment: CommentKind,
    span: Range<usize>,
    index: &LineIndex,
) -> Option<Directive> {
    let body = body.trim();
    // Block comments may start with `*` lines (JSDoc style).
    let body = body.trim_start_matches('*').trim();
    let rest = body.strip_prefix("leaklint-")?;
    let (word, rest) = rest.split_at(rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len()));
    let kind = match word {
        "disable-next-line" => Kind::DisableNextLine,
        "disable-line" => Kind::DisableLine,
        "disable" => Kind::Disable,
        "enable" => Kind::Enable,
        _ => return None,
    };
    let rules: Vec<String> = without_reason(rest)
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| s.strip_prefix("leaklint/").unwrap_or(s).to_string())
        .collect();
    let start_line = index.position(span.start).line;
    let end_line = index.position(span.end).line;
    let line = match kind {
        Kind::DisableNextLine => end_line + 1,
        _ => start_line,
    };
    let used = vec![false; rules.len()];
    Some(Directive {
        kind,
        rules,
        span,
        line,
        used,
        used_any: false,
    })
}

/// The rule list of a directive: everything before a description, which
/// starts at two or more dashes preceded by whitespace (ESLint's grammar).
fn without_reason(rest: &str) -> &str {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let after_space = i == 0 || bytes[i - 1].is_ascii_whitespace();
        if after_space && bytes[i] == b'-' && bytes.get(i + 1) == Some(&b'-') {
            let mut end = i;
            while end < bytes.len() && bytes[end] == b'-' {
                end += 1;
            }
            if end == bytes.len() || bytes[end].is_ascii_whitespace() {
                return &rest[..i];
            }
        }
        i += 1;
    }
    rest
}

trait SeverityExt {
    fn severity_set(self, s: Severity) -> Self;
}

impl SeverityExt for Diagnostic {
    fn severity_set(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::without_reason;

    #[test]
    fn a_description_ends_the_rule_list() {
        assert_eq!(without_reason(" a, b -- because"), " a, b ");
        assert_eq!(without_reason(" a ---\n long reason"), " a ");
        assert_eq!(without_reason(" -- only a reason"), " ");
        assert_eq!(without_reason(" a--b"), " a--b");
        assert_eq!(without_reason(" a"), " a");
    }
}
