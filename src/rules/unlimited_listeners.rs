//! `setMaxListeners(0)` / `Infinity` switches off Node's listener-leak warning.

use super::{Evidence, Finding, Rule, RuleContext};
use crate::analysis::listeners;
use crate::diagnostic::Severity;
use crate::model::{AccessPath, Key, Root, Value};

pub(crate) const RULE: Rule = Rule {
    name: "unlimited-listeners",
    summary: "The listener limit is set to 0 or Infinity, which switches off the only warning Node.js gives when listeners leak.",
    default_severity: Severity::Warning,
    fixable: false,
    docs: include_str!("../../rules/unlimited-listeners.md"),
    check,
};

const HELP: &str = "keep the default limit (10) or raise it to the real number of listeners you expect (for example `setMaxListeners(50)`), so that a leak still triggers MaxListenersExceededWarning; if the warning fires, find the listener that is added without being removed";

fn check(out: &mut RuleContext) {
    let model = out.model;
    for call in model.method_calls("setMaxListeners") {
        let Some(n) = call.args.first() else { continue };
        if let Some(what) = unlimited(&n.value) {
            let target = match &call.callee.receiver_span {
                Some(s) => format!("`{}`", model.text(s)),
                None => "the emitter".to_string(),
            };
            let mut diag = Finding::new(call.span.range(),
                format!("`setMaxListeners({what})` removes the listener limit of {target}, so listener leaks go unnoticed"),
            )
            .with_label("no limit: MaxListenersExceededWarning can never fire")
            .with_help(HELP);
            // `events.setMaxListeners(n, ...targets)` sets the limit of its
            // other arguments; a method call, that of its receiver.
            let targets: Vec<AccessPath> = if call.args.len() > 1 {
                call.args[1..]
                    .iter()
                    .filter_map(|a| match &a.value {
                        Value::Path(p) => Some(p.clone()),
                        _ => None,
                    })
                    .collect()
            } else {
                call.callee.receiver().into_iter().collect()
            };
            let shared = !targets.is_empty()
                && targets.len() == call.args.len().saturating_sub(1).max(1)
                && targets
                    .iter()
                    .all(|t| listeners::target_shown_long_lived(model, t));
            diag = match shared {
                true => diag.with_evidence(Evidence::Shown(format!(
                    "{target} is shared: a global, an imported or a module-level emitter, whose leaks the warning would catch"
                ))),
                // `this`, a parameter or a local emitter: often one per
                // instance or per operation, where many listeners are by
                // design and the emitter dies with its owner.
                false => diag.assumed(format!(
                    "{target} is not shown to be shared: an instance's, a local or a handed-in emitter may carry many listeners by design and die with its owner"
                )),
            };
            out.report(diag);
        }
    }
    for w in &model.member_writes {
        if w.op != "=" || w.key != Key::Static("defaultMaxListeners".into()) {
            continue;
        }
        if let Some(what) = unlimited(&w.value) {
            out.report(
                Finding::new(w.span.range(),
                    format!(
                        "`{}.defaultMaxListeners = {what}` removes the listener limit of every emitter, so listener leaks go unnoticed",
                        w.object
                    ),
                )
                .with_label("no limit for any emitter")
                .with_help(HELP)
                .with_evidence(Evidence::Shown(
                    "the default limit of every emitter in the process".into(),
                )),
            );
        }
    }
}

/// `0`, `Infinity`, `Number.POSITIVE_INFINITY`, `Number.MAX_SAFE_INTEGER`.
fn unlimited(v: &Value) -> Option<&'static str> {
    match v {
        Value::Num(n) if *n == 0.0 => Some("0"),
        Value::Num(n) if n.is_infinite() => Some("Infinity"),
        Value::Path(p) => match (&p.root, p.props.as_slice()) {
            (Root::Global(g), []) if g == "Infinity" => Some("Infinity"),
            (Root::Global(g), [k]) if g == "Number" && k == "POSITIVE_INFINITY" => Some("Infinity"),
            (Root::Global(g), [k]) if g == "Number" && k == "MAX_SAFE_INTEGER" => {
                Some("Number.MAX_SAFE_INTEGER")
            }
            _ => None,
        },
        _ => None,
    }
}
