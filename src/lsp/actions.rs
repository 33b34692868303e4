//! Code actions: each finding's fix (safe, or unsafe and marked so), "disable
//! RULE for this line", and `source.fixAll.leaklint` (every safe fix).

use std::collections::HashMap;
use std::path::Path;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Position, TextEdit, Uri, WorkspaceEdit,
};

use super::convert;
use crate::diagnostic::{Applicability, Diagnostic};
use crate::fix::{self, FixLevel};
use crate::position::LineIndex;
use crate::rules::RuleSet;

/// The code action kind of "apply every safe fix" (editors' fix-on-save).
pub const FIX_ALL: &str = "source.fixAll.leaklint";

/// The document an action is computed for: its text (without BOM), path,
/// findings and rules (`None` when it is ignored or the config is broken).
pub struct Doc<'a> {
    pub uri: &'a Uri,
    pub text: &'a str,
    pub path: &'a Path,
    pub found: &'a [Diagnostic],
    pub rules: Option<&'a RuleSet>,
}

/// The actions for `range` (byte offsets) of kinds `only` allows (all when
/// empty; a kind allows its sub-kinds).
pub fn code_actions(
    doc: &Doc,
    range: std::ops::Range<usize>,
    only: &[CodeActionKind],
) -> Vec<CodeActionOrCommand> {
    let wants = |kind: &str| {
        only.is_empty()
            || only.iter().any(|o| {
                let o = o.as_str();
                kind == o || kind.strip_prefix(o).is_some_and(|r| r.starts_with('.'))
            })
    };
    let index = LineIndex::new(doc.text);
    let mut actions = Vec::new();
    if wants(CodeActionKind::QUICKFIX.as_str()) {
        for d in doc
            .found
            .iter()
            .filter(|d| !d.fatal && d.span.start <= range.end && range.start <= d.span.end)
        {
            let diagnostic = convert::diagnostic(doc.uri, &index, d);
            if let Some(f) = &d.fix {
                let edits = f
                    .edits
                    .iter()
                    .map(|e| TextEdit::new(convert::range(&index, &e.range), e.text.clone()))
                    .collect();
                let unsafe_fix = f.applicability == Applicability::Unsafe;
                actions.push(CodeAction {
                    title: if unsafe_fix {
                        format!("{} (unsafe: review the change)", f.title)
                    } else {
                        f.title.clone()
                    },
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(edit(doc.uri, edits)),
                    is_preferred: Some(!unsafe_fix),
                    ..CodeAction::default()
                });
            }
            actions.push(disable(doc, &index, d, diagnostic));
        }
    }
    if wants(FIX_ALL) {
        if let Some(rules) = doc.rules {
            if let Ok(fixed) = fix::fix_source(doc.path, doc.text, rules, FixLevel::Safe) {
                if fixed.applied > 0 {
                    let whole = convert::range(&index, &(0..doc.text.len()));
                    actions.push(CodeAction {
                        title: "leaklint: apply all safe fixes".to_string(),
                        kind: Some(CodeActionKind::from(FIX_ALL)),
                        edit: Some(edit(
                            doc.uri,
                            vec![TextEdit::new(whole, fixed.body().to_string())],
                        )),
                        ..CodeAction::default()
                    });
                }
            }
        }
    }
    actions
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

fn edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// "Disable RULE for this line": a suppression comment on the line above,
/// indented like the flagged line, with a reason to fill in.
fn disable(
    doc: &Doc,
    index: &LineIndex,
    d: &Diagnostic,
    diagnostic: lsp_types::Diagnostic,
) -> CodeAction {
    let line = index.position(d.span.start).line;
    let line_start = index.line_start(line).unwrap_or(0);
    let indent: String = doc.text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let comment = format!(
        "{indent}// leaklint-disable-next-line {} -- <reason>\n",
        d.rule
    );
    let at = Position::new(u32::try_from(line - 1).unwrap_or(u32::MAX), 0);
    CodeAction {
        title: format!("Disable {} for this line", d.rule),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic]),
        edit: Some(edit(
            doc.uri,
            vec![TextEdit::new(lsp_types::Range::new(at, at), comment)],
        )),
        ..CodeAction::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Edit, Fix};

    fn actions_for(found: &[Diagnostic], only: &[CodeActionKind]) -> Vec<CodeAction> {
        let uri: Uri = "file:///x.js".parse().unwrap();
        let text = "function f() {\n\tcache[k] = null\n}\n";
        let doc = Doc {
            uri: &uri,
            text,
            path: Path::new("/x.js"),
            found,
            rules: None,
        };
        code_actions(&doc, 0..text.len(), only)
            .into_iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => a,
                CodeActionOrCommand::Command(_) => panic!("no commands"),
            })
            .collect()
    }

    fn finding(applicability: Applicability) -> Diagnostic {
        let mut d = Diagnostic::new("null-instead-of-delete", 16..31, "m");
        d.fix = Some(Fix {
            title: "Use delete".to_string(),
            applicability,
            edits: vec![Edit {
                range: 16..31,
                text: "delete cache[k]".to_string(),
            }],
        });
        d
    }

    #[test]
    fn a_safe_fix_is_preferred_and_an_unsafe_one_says_so() {
        let safe = actions_for(&[finding(Applicability::Safe)], &[]);
        assert_eq!(safe[0].title, "Use delete");
        assert_eq!(safe[0].is_preferred, Some(true));
        let risky = actions_for(&[finding(Applicability::Unsafe)], &[]);
        assert_eq!(risky[0].title, "Use delete (unsafe: review the change)");
        assert_eq!(risky[0].is_preferred, Some(false));
    }

    #[test]
    fn disable_inserts_an_indented_comment_above_with_a_reason_to_fill() {
        let actions = actions_for(&[finding(Applicability::Safe)], &[]);
        let disable = &actions[1];
        assert_eq!(
            disable.title,
            "Disable null-instead-of-delete for this line"
        );
        let changes = disable.edit.as_ref().unwrap().changes.as_ref().unwrap();
        let edit = &changes.values().next().unwrap()[0];
        assert_eq!(edit.range.start, Position::new(1, 0));
        assert_eq!(edit.range.start, edit.range.end);
        assert_eq!(
            edit.new_text,
            "\t// leaklint-disable-next-line null-instead-of-delete -- <reason>\n"
        );
    }

    #[test]
    fn only_filters_by_kind_and_sub_kind() {
        let found = [finding(Applicability::Safe)];
        assert_eq!(actions_for(&found, &[CodeActionKind::QUICKFIX]).len(), 2);
        assert!(actions_for(&found, &[CodeActionKind::SOURCE]).is_empty());
        assert!(actions_for(&found, &[CodeActionKind::from("quick")]).is_empty());
    }
}
