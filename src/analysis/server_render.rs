//! Server rendering: code of a component that runs for every server render
//! while the component's teardown never runs there.
//!
//! `renderToString` constructs a React class component and calls
//! `componentWillMount` and `render`, but it never mounts the component, so
//! neither `componentDidMount` nor `componentWillUnmount` runs; Vue's server
//! renderer runs `beforeCreate`, `created` and `setup()` and no mount or
//! unmount hook. Something started in such a method and stopped only in the
//! teardown (an interval kept on the instance, cleared in
//! `componentWillUnmount`) is never stopped on a server: every request leaks
//! one, and with it the component its callback closes over. Which methods
//! run on the server and which teardowns do not is data of each framework's
//! spec ([`Spec::server_methods`](crate::analysis::frameworks::Spec)).
//!
//! Components are found three ways:
//! - classes (ES classes and prototype-based ones), confirmed as React
//!   components through their base class (`extends Component` imported from
//!   `react`, `extends React.Component`) or, weaker, through React's
//!   lifecycle method names;
//! - classes compiled by Babel's `_createClass(Ctor, [{ key: "render",
//!   value: function () {…} }])` helper (also minified), where imports and
//!   base classes are gone: they are recognised by the lifecycle method
//!   names alone, and that is said in the finding;
//! - Vue components, from the lifecycle analysis (`created()`, `setup()`,
//!   `<script setup>`).
//!
//! Code guarded so it cannot run on a server (`typeof window !==
//! 'undefined' && …`, `if (typeof document === 'undefined') return`, a
//! `canUseDOM`-style constant or function initialised with such a test)
//! does not count.

use std::ops::Range;

use swc_atoms::Atom;

use crate::analysis::frameworks::{Framework, react, vue};
use crate::analysis::frequency::Frequencies;
use crate::analysis::lifecycle::{self, Lifecycles};
use crate::analysis::listeners::{self, Identity};
use crate::analysis::resources;
use crate::model::{AccessPath, CallFact, ClassId, FileModel, FnId, FnKind, Root, Value};

/// An interval started for every server render and stopped only by a
/// teardown that never runs there.
#[derive(Clone, Debug)]
pub struct ServerStart {
    /// The component, by name when the code names it.
    pub component: Option<String>,
    pub framework: Framework,
    /// The method that runs on the server: `constructor`, `render`, `created`.
    pub phase: String,
    /// The first line of that method.
    pub phase_span: Range<usize>,
    /// The teardown that holds the clear: `componentWillUnmount`.
    pub teardown: String,
    /// The clear calls in the teardown.
    pub clears: Vec<Range<usize>>,
    /// How the component was recognised, as evidence.
    pub recognised: String,
    /// Why the finding is only medium, if it is.
    pub doubt: Option<String>,
}

/// One component and the methods of it that matter here.
#[derive(Clone, Debug)]
struct Component {
    name: Option<String>,
    framework: Framework,
    /// Functions that run on the server, with the phase they belong to
    /// (the method itself or a method it calls synchronously) and the call
    /// sites on the way (to look for guards there too).
    server: Vec<Reached>,
    /// For `<script setup>`: its top level runs per render.
    instance_range: Option<Range<usize>>,
    instance_phase: Option<(String, Range<usize>)>,
    /// Teardown functions, with their names, and everything they call.
    teardown_names: Vec<String>,
    teardown_scope: Vec<FnId>,
    /// How the component was recognised; `Err` when only by method names.
    recognised: Result<String, String>,
}

#[derive(Clone, Debug)]
struct Reached {
    func: FnId,
    phase: String,
    phase_span: Range<usize>,
    /// Calls from the phase method down to `func` (`this.start()`).
    via: Vec<crate::model::CallId>,
}

/// The components of a file (cached per file).
struct Components(Vec<Component>);

impl Components {
    fn of<'m>(model: &'m FileModel) -> &'m Components {
        model.derived.get_or_init(|| {
            let mut found = Vec::new();
            class_components(model, &mut found);
            compiled_components(model, &mut found);
            vue_components(model, &mut found);
            Components(found)
        })
    }
}

/// Is the interval `call`, whose handle is kept in `handle`, started for
/// every server render and cleared only in a teardown that never runs
/// there?
pub fn server_start(
    model: &FileModel,
    call: &CallFact,
    handle: &AccessPath,
) -> Option<ServerStart> {
    let components = Components::of(model);
    if components.0.is_empty() {
        return None;
    }
    let (component, phase, phase_span, via) = components.0.iter().find_map(|c| {
        if let Some(r) = c.server.iter().find(|r| call.fn_ctx == Some(r.func)) {
            return Some((c, r.phase.clone(), r.phase_span.clone(), r.via.clone()));
        }
        let (phase, span) = c.instance_phase.clone()?;
        (call.fn_ctx.is_none()
            && c.instance_range
                .as_ref()
                .is_some_and(|r| r.contains(&call.span.start())))
        .then(|| (c, phase, span, Vec::new()))
    })?;
    // Once per process (a lazily created module-level singleton) is no leak
    // per render.
    if Frequencies::new(model)
        .at(call.fn_ctx, call.span.start())
        .is_once()
        && call.fn_ctx.is_some()
    {
        return None;
    }
    // Compiled constructors keep the instance in a local (`var n =
    // _possibleConstructorReturn(this, …)`, `n = e.call(this) || this`):
    // identity pairs `n.timer` with the teardown's `this.timer`.
    let id = listeners::identity(model, call.fn_ctx, &Value::Path(handle.clone()));
    if !matches!(id, Identity::Path { .. }) || escapes(model, &id, call) {
        return None;
    }
    let mut clears = Vec::new();
    let mut elsewhere = false;
    for name in resources::TIMER.release {
        for c in model.global_calls(name) {
            let same = c
                .args
                .first()
                .is_some_and(|a| listeners::identity(model, c.fn_ctx, &a.value).same(&id));
            if !same {
                continue;
            }
            if component
                .teardown_scope
                .iter()
                .any(|&t| model.is_within(c.fn_ctx, t))
            {
                clears.push(c.span.range());
            } else if c.fn_ctx == call.fn_ctx {
                // Cleared by the same method after it started: nothing
                // stays. A clear before it (`clearInterval(this.t); this.t =
                // setInterval(…)`) only stops an earlier one, and a new
                // instance per render has none.
                if c.span.start() > call.span.end() {
                    return None;
                }
            } else if component.server.iter().any(|r| c.fn_ctx == Some(r.func)) {
                // Cleared by another method the server runs: nothing stays.
                return None;
            } else {
                elsewhere = true;
            }
        }
    }
    if clears.is_empty() {
        return None;
    }
    let mut doubts = Vec::new();
    let mut sites: Vec<(Option<FnId>, crate::model::TextSpan)> = via
        .iter()
        .map(|&v| (model.calls[v].fn_ctx, model.calls[v].span))
        .collect();
    sites.push((call.fn_ctx, call.span));
    for (fn_ctx, span) in sites {
        match guard_at(model, fn_ctx, span) {
            Guard::Browser => return None,
            Guard::Unknown => doubts.push(
                "it is started under a condition this file cannot evaluate: if the condition is false on the server, nothing leaks",
            ),
            Guard::None => {}
        }
    }
    if elsewhere {
        doubts.push(
            "it is also cleared outside the teardown, in code that may or may not run on the server",
        );
    }
    let recognised = match &component.recognised {
        Ok(how) => how.clone(),
        Err(how) => {
            doubts
                .push("the class is recognised as a component by its lifecycle method names only");
            how.clone()
        }
    };
    Some(ServerStart {
        component: component.name.clone(),
        framework: component.framework,
        phase,
        phase_span,
        teardown: component.teardown_names.join("`/`"),
        clears,
        recognised,
        doubt: (!doubts.is_empty()).then(|| doubts.join("; ")),
    })
}

/// How to fix it, in the framework's words.
pub fn advice(framework: Framework) -> String {
    match framework {
        Framework::VueOptions => "start it in `mounted()` (which only runs in the browser), or guard it with `typeof window !== 'undefined'`".to_string(),
        Framework::VueComposition => "start it in `onMounted(() => …)` (which only runs in the browser), or guard it with `typeof window !== 'undefined'`".to_string(),
        _ => "start it in `componentDidMount` (which only runs in the browser), or guard it with `typeof window !== 'undefined'`".to_string(),
    }
}

/// Is the handle handed to code the file does not show (passed to a call
/// other than its clears, returned, stored elsewhere)? Then its new owner
/// may clear it. A handle on `this` stays with the instance.
fn escapes(model: &FileModel, handle: &Identity, start: &CallFact) -> bool {
    let Identity::Path { path, .. } = handle else {
        return false;
    };
    if path.root == Root::This {
        return false;
    }
    let is_it = |v: &Value| matches!(v, Value::Path(p) if p == path);
    model.returns.iter().any(|r| is_it(&r.value))
        || model.binding_writes.iter().any(|w| is_it(&w.value))
        || model.member_writes.iter().any(|w| is_it(&w.value))
        || model.calls.iter().any(|c| {
            c.span != start.span
                && c.callee
                    .global_function()
                    .is_none_or(|f| !resources::TIMER.release.contains(&f.as_ref()))
                && c.args.iter().any(|a| is_it(&a.value))
        })
}

/// What a condition around (or an early exit before) some code tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Guard {
    /// Whether it runs in a browser: the code cannot run on a server.
    Browser,
    /// Something else.
    Unknown,
    None,
}

/// The strongest guard on code at `span` in `fn_ctx`: a conditional around
/// it, or an `if (…) return` before it, in the same function.
fn guard_at(model: &FileModel, fn_ctx: Option<FnId>, span: crate::model::TextSpan) -> Guard {
    let mut found = Guard::None;
    for c in &model.conditionals {
        if c.fn_ctx != fn_ctx {
            continue;
        }
        let applies = c.span.encloses(span) || (c.exits && c.span.end() <= span.start());
        if !applies {
            continue;
        }
        // The test: everything before the branch that runs when it holds
        // (`if (test) `, `test && `, `test || `, `test ? `).
        let Some(branch) = c.branch else { continue };
        let test = c.span.start()..branch.start();
        if is_browser_test(model, &test, 0) {
            return Guard::Browser;
        }
        found = Guard::Unknown;
    }
    found
}

/// Browser globals whose `typeof` tells a browser from a server.
const BROWSER_GLOBALS: &[&str] = &["window", "document", "navigator"];

/// Does the source at `range` test whether it runs in a browser: a
/// `typeof window` (`document`, `navigator`) test, or a read of a constant
/// or a call of a function the file initialises with one (`canUseDOM`,
/// `isBrowser()`)?
fn is_browser_test(model: &FileModel, range: &Range<usize>, depth: u32) -> bool {
    let text = model.text(range);
    if has_typeof_browser_global(text) {
        return true;
    }
    if depth > 2 {
        return false;
    }
    // Constants read in the test and initialised with a browser test
    // (`canUseDOM`), functions called in it that return one (`isBrowser()`).
    // Not any function the test mentions: `this.state.ready`, set from
    // `isBrowser()` in the constructor, is false on a server.
    use crate::model::semantic::BindingKind;
    model.semantic.bindings().any(|(id, b)| {
        if !text.contains(id.0.as_ref()) {
            return false;
        }
        let mut reads = model
            .semantic
            .references(id)
            .iter()
            .filter(|r| range.contains(&r.span.start()));
        match (&b.kind, &b.init) {
            (BindingKind::Import | BindingKind::Param | BindingKind::CatchParam, _) => false,
            (_, Some(Value::Function(Some(f)))) => {
                reads.any(|r| {
                    model
                        .source
                        .get(r.span.end()..)
                        .is_some_and(|after| after.trim_start().starts_with('('))
                }) && model.returns.iter().any(|r| {
                    r.fn_ctx == Some(*f) && is_browser_test(model, &r.span.range(), depth + 1)
                })
            }
            (BindingKind::Var | BindingKind::Let | BindingKind::Const, Some(_)) => {
                reads.next().is_some()
                    && initializer(model, b.span.end())
                        .is_some_and(|init| is_browser_test(model, &init, depth + 1))
            }
            _ => false,
        }
    })
}

/// `typeof window`, `typeof(document)`.
fn has_typeof_browser_global(text: &str) -> bool {
    text.match_indices("typeof").any(|(i, _)| {
        let rest = text[i + "typeof".len()..].trim_start_matches([' ', '(', '\t']);
        BROWSER_GLOBALS.iter().any(|g| {
            rest.strip_prefix(g).is_some_and(|after| {
                !after.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$')
            })
        })
    })
}

/// The initialiser of the declarator whose name ends at `name_end`
/// (`= typeof window !== 'undefined'` in `const canUseDOM = …, other = 1`):
/// up to the `,`, `;` or line end that closes it.
fn initializer(model: &FileModel, name_end: usize) -> Option<Range<usize>> {
    let rest = model.source.get(name_end..)?;
    let eq = rest.find('=')?;
    // Only a type annotation may sit between the name and the `=`.
    if rest[..eq].contains([';', '\n', ',', '(', ')']) || rest[eq + 1..].starts_with('=') {
        return None;
    }
    let start = name_end + eq + 1;
    let mut depth = 0i32;
    for (i, ch) in model.source[start..].char_indices() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth < 0 {
                    return Some(start..start + i);
                }
            }
            ',' | ';' | '\n' if depth == 0 => return Some(start..start + i),
            _ => {}
        }
        if i > 400 {
            break;
        }
    }
    Some(start..model.source.len().min(start + 400))
}

/// Methods the server runs: `server_methods` found among `methods`, and the
/// methods they call synchronously through `this` (`constructor() {
/// this.start() }`), two levels deep.
fn reach_server(
    model: &FileModel,
    methods: &[(Atom, FnId)],
    ctor: Option<FnId>,
    server_methods: &[&str],
) -> Vec<Reached> {
    let mut out: Vec<Reached> = Vec::new();
    if let Some(c) = ctor {
        out.push(Reached {
            func: c,
            phase: "constructor".into(),
            phase_span: head(model, c),
            via: Vec::new(),
        });
    }
    for (name, f) in methods {
        if server_methods.contains(&name.as_ref()) && name != "constructor" {
            out.push(Reached {
                func: *f,
                phase: name.to_string(),
                phase_span: head(model, *f),
                via: Vec::new(),
            });
        }
    }
    let mut i = 0;
    while i < out.len() && out.len() < 64 {
        let from = out[i].clone();
        i += 1;
        if from.via.len() >= 2 {
            continue;
        }
        for (ci, c) in model.calls.iter().enumerate() {
            // Only calls made synchronously by the method itself.
            if c.is_new || c.fn_ctx != Some(from.func) {
                continue;
            }
            let Some(path) = &c.callee.path else { continue };
            let Identity::Path { path, .. } =
                listeners::identity(model, c.fn_ctx, &Value::Path(path.clone()))
            else {
                continue;
            };
            let [m] = path.props.as_slice() else { continue };
            if path.root != Root::This {
                continue;
            }
            let Some((_, target)) = methods.iter().find(|(n, _)| n == m) else {
                continue;
            };
            if out.iter().any(|r| r.func == *target) {
                continue;
            }
            let mut via = from.via.clone();
            via.push(ci);
            out.push(Reached {
                func: *target,
                phase: from.phase.clone(),
                phase_span: from.phase_span.clone(),
                via,
            });
        }
    }
    out
}

/// A function's head, up to its opening brace (`constructor(props) {`):
/// minified code has the whole class on one line.
fn head(model: &FileModel, f: FnId) -> Range<usize> {
    let line = lifecycle::first_line(model, &model.functions[f].span.range());
    match model.text(&line).find('{') {
        Some(i) => line.start..line.start + i + 1,
        None => line,
    }
}

/// Teardown functions plus the methods they call through `this`, transitively.
fn teardown_reach(model: &FileModel, methods: &[(Atom, FnId)], teardowns: &[FnId]) -> Vec<FnId> {
    let mut scope = teardowns.to_vec();
    let mut i = 0;
    while i < scope.len() && scope.len() < 64 {
        let t = scope[i];
        i += 1;
        for c in model
            .calls
            .iter()
            .filter(|c| !c.is_new && model.is_within(c.fn_ctx, t))
        {
            let Some(path) = &c.callee.path else { continue };
            let Identity::Path { path, .. } =
                listeners::identity(model, c.fn_ctx, &Value::Path(path.clone()))
            else {
                continue;
            };
            if let (Root::This, [m]) = (&path.root, path.props.as_slice())
                && let Some((_, f)) = methods.iter().find(|(n, _)| n == m)
                && !scope.contains(f)
            {
                scope.push(*f);
            }
        }
    }
    scope
}

/// A component from its methods (name → function) and constructor.
fn react_component(
    model: &FileModel,
    name: Option<String>,
    methods: &[(Atom, FnId)],
    ctor: Option<FnId>,
    recognised: Result<String, String>,
) -> Option<Component> {
    let teardowns: Vec<FnId> = methods
        .iter()
        .filter(|(n, _)| react::CLASS.teardown_methods.contains(&n.as_ref()))
        .map(|(_, f)| *f)
        .collect();
    if teardowns.is_empty() {
        return None;
    }
    Some(Component {
        name,
        framework: Framework::ReactClass,
        server: reach_server(model, methods, ctor, react::CLASS.server_methods),
        instance_range: None,
        instance_phase: None,
        teardown_names: react::CLASS
            .teardown_methods
            .iter()
            .map(|s| s.to_string())
            .collect(),
        teardown_scope: teardown_reach(model, methods, &teardowns),
        recognised,
    })
}

/// Does a class have React's lifecycle methods (what marks a component once
/// imports and base classes are compiled away)?
fn has_react_lifecycle(methods: &[(Atom, FnId)]) -> bool {
    let has = |names: &[&str]| methods.iter().any(|(n, _)| names.contains(&n.as_ref()));
    has(react::CLASS.teardown_methods) && (has(react::CLASS.setup_methods) || has(&["render"]))
}

/// ES and prototype-based classes.
fn class_components(model: &FileModel, out: &mut Vec<Component>) {
    for (cid, class) in model.classes.iter().enumerate() {
        let methods: Vec<(Atom, FnId)> = class
            .members
            .iter()
            .filter(|m| !m.is_static)
            .filter_map(|m| Some((m.name.clone(), m.func?)))
            .collect();
        let base = react_base(model, cid);
        if base.is_none() && !has_react_lifecycle(&methods) {
            continue;
        }
        let recognised = base.ok_or_else(|| {
            "a class with React's lifecycle methods (`componentWillUnmount`, `render`)".to_string()
        });
        let ctor = model
            .functions
            .iter()
            .position(|f| f.class == Some(cid) && f.kind == FnKind::Constructor);
        if let Some(c) = react_component(
            model,
            class.name.as_ref().map(|n| n.to_string()),
            &methods,
            ctor,
            recognised,
        ) {
            out.push(c);
        }
    }
}

/// `extends Component` (imported from `react` or `preact`), `extends
/// React.PureComponent`: how the class is shown to be a React component.
fn react_base(model: &FileModel, cid: ClassId) -> Option<String> {
    let base = model.classes[cid].super_class.as_ref()?;
    let last = base.props.last().map(|a| a.as_ref()).or(match &base.root {
        Root::Binding(n, _) | Root::Global(n) => Some(n.as_ref()),
        Root::This => None,
    })?;
    if !react::BASE_CLASSES.contains(&last) {
        return None;
    }
    let from_react = match &base.root {
        // `React.Component` of a UMD global.
        Root::Global(g) => !base.props.is_empty() && g == "React",
        Root::Binding(..) => base
            .root_binding()
            .and_then(|id| model.semantic.binding(&id))
            .and_then(|b| b.import_source.clone())
            .is_some_and(|s| react::CLASS.is_module(&s)),
        Root::This => false,
    };
    from_react.then(|| format!("extends `{base}` from React"))
}

/// The method name Babel's class helper gives a function: `{ key:
/// "componentWillUnmount", value: function () {…} }` (the key always comes
/// first in the helper's descriptors).
fn compiled_method_key<'a>(model: &FileModel<'a>, f: FnId) -> Option<&'a str> {
    let start = model.functions[f].span.start();
    let before = model
        .source
        .get(start.saturating_sub(120)..start)?
        .trim_end();
    let before = before.strip_suffix(':')?.trim_end();
    let before = before
        .strip_suffix("value")
        .or_else(|| before.strip_suffix("\"value\""))
        .or_else(|| before.strip_suffix("'value'"))?
        .trim_end()
        .strip_suffix(',')?
        .trim_end();
    let quote = before.chars().last().filter(|c| *c == '"' || *c == '\'')?;
    let body = &before[..before.len() - 1];
    let open = body.rfind(quote)?;
    let key = &body[open + 1..];
    let head = body[..open].trim_end().strip_suffix(':')?.trim_end();
    let head = head
        .strip_suffix("key")
        .or_else(|| head.strip_suffix("\"key\""))?;
    (head.trim_end().ends_with(['{', ','])
        && !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$'))
    .then_some(key)
}

/// Classes compiled by Babel's `_createClass(Ctor, [descriptors], statics)`:
/// the constructor is the function `Ctor` names, the methods are the
/// descriptors of the second argument. Imports and base classes are gone
/// in such bundles, so React is recognised by lifecycle names alone.
fn compiled_components(model: &FileModel, out: &mut Vec<Component>) {
    let keyed: Vec<(FnId, &str)> = (0..model.functions.len())
        .filter(|&f| {
            let info = &model.functions[f];
            info.class.is_none() && matches!(info.kind, FnKind::Expression)
        })
        .filter_map(|f| Some((f, compiled_method_key(model, f)?)))
        .collect();
    if keyed.is_empty() {
        return;
    }
    // Group by the helper call whose second argument holds them.
    let mut groups: Vec<(usize, Vec<(Atom, FnId)>)> = Vec::new();
    for (f, key) in keyed {
        let span = model.functions[f].span;
        let Some(ci) = model
            .calls
            .iter()
            .enumerate()
            .filter(|(_, c)| c.args.len() >= 2 && c.args[1].span.encloses(span))
            .min_by_key(|(_, c)| c.span.len())
            .map(|(i, _)| i)
        else {
            continue;
        };
        match groups.iter_mut().find(|(c, _)| *c == ci) {
            Some((_, methods)) => methods.push((key.into(), f)),
            None => groups.push((ci, vec![(key.into(), f)])),
        }
    }
    for (ci, methods) in groups {
        if !has_react_lifecycle(&methods) {
            continue;
        }
        let Value::Path(ctor_path) = &model.calls[ci].args[0].value else {
            continue;
        };
        let Some(id) = ctor_path
            .root_binding()
            .filter(|_| ctor_path.props.is_empty())
        else {
            continue;
        };
        let ctor = match model.semantic.binding(&id).and_then(|b| b.init.as_ref()) {
            Some(Value::Function(f)) => *f,
            _ => None,
        };
        let recognised = Err(
            "a compiled class (`_createClass`) with React's lifecycle methods; its imports are compiled away".to_string(),
        );
        if let Some(c) = react_component(model, Some(id.0.to_string()), &methods, ctor, recognised)
        {
            out.push(c);
        }
    }
}

/// Vue components from the lifecycle analysis: `created()` and friends of
/// the Options API, `setup()` and `<script setup>`.
fn vue_components(model: &FileModel, out: &mut Vec<Component>) {
    for s in &Lifecycles::shared(model).setups {
        let server = match s.framework {
            Framework::VueOptions => vue::OPTIONS.server_methods.contains(&s.hook.as_str()),
            Framework::VueComposition => {
                s.instance_range.is_some()
                    || vue::COMPOSITION.server_methods.contains(&s.hook.as_str())
            }
            _ => false,
        };
        if !server || s.teardowns.is_empty() {
            continue;
        }
        let names: Vec<String> = s
            .teardowns
            .iter()
            .filter_map(|&t| teardown_name(model, t))
            .fold(Vec::new(), |mut acc, n| {
                if !acc.contains(&n) {
                    acc.push(n);
                }
                acc
            });
        out.push(Component {
            name: s.component_name(model),
            framework: s.framework,
            server: s
                .fn_id
                .map(|f| Reached {
                    func: f,
                    phase: s.hook.clone(),
                    phase_span: s.label_span.clone(),
                    via: Vec::new(),
                })
                .into_iter()
                .collect(),
            instance_range: s.instance_range.clone(),
            instance_phase: s
                .instance_range
                .as_ref()
                .map(|_| (s.hook.clone(), s.label_span.clone())),
            teardown_names: names,
            teardown_scope: s.teardown_scope.clone(),
            recognised: Ok(match s.framework {
                Framework::VueOptions => "a Vue options component".to_string(),
                _ => "a Vue component".to_string(),
            }),
        });
    }
}

/// `beforeUnmount` for an options method, `onUnmounted` for a hook's callback.
fn teardown_name(model: &FileModel, t: FnId) -> Option<String> {
    let info = &model.functions[t];
    if let Some(n) = &info.name
        && info.kind == FnKind::Method
    {
        return Some(n.to_string());
    }
    if let crate::model::Invocation::CallbackOf { call, .. } = info.invocation {
        return model.calls[call]
            .callee
            .path
            .as_ref()
            .map(|p| p.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ResultUse;
    use crate::parse::Dialect;

    /// The server start of the first `setInterval` of `src`, if any.
    fn probe(src: &str, dialect: Dialect) -> Option<ServerStart> {
        let mut found = None;
        crate::engine::with_model_for_test(src, dialect, |m| {
            let call = m.global_calls("setInterval").next().expect("a setInterval");
            let ResultUse::Assigned(path) = &call.result else {
                panic!("the handle is stored")
            };
            found = server_start(m, call, path);
        });
        found
    }

    const REACT_CTOR: &str = "import React from 'react'\nexport class Clock extends React.Component {\n  constructor(p) { super(p); this.t = setInterval(() => this.tick(), 1000) }\n  componentWillUnmount() { clearInterval(this.t) }\n  tick() {}\n  render() { return null }\n}\n";

    #[test]
    fn a_constructor_interval_cleared_on_unmount_is_a_server_start() {
        let s = probe(REACT_CTOR, Dialect::Js).expect("found");
        assert_eq!(s.phase, "constructor");
        assert_eq!(s.teardown, "componentWillUnmount");
        assert_eq!(s.component.as_deref(), Some("Clock"));
        assert_eq!(s.clears.len(), 1);
        assert!(s.doubt.is_none(), "{:?}", s.doubt);
    }

    #[test]
    fn a_clear_before_the_start_does_not_stop_it() {
        let before = REACT_CTOR.replace(
            "this.t = setInterval(() => this.tick(), 1000) }",
            "clearInterval(this.t); this.t = setInterval(() => this.tick(), 1000) }",
        );
        assert!(probe(&before, Dialect::Js).is_some());
        let after = REACT_CTOR.replace(
            "this.t = setInterval(() => this.tick(), 1000) }",
            "this.t = setInterval(() => this.tick(), 1000); clearInterval(this.t) }",
        );
        assert!(probe(&after, Dialect::Js).is_none());
    }

    #[test]
    fn started_on_mount_is_not() {
        let src = REACT_CTOR.replace(
            "constructor(p) { super(p); this.t",
            "componentDidMount() { this.t",
        );
        assert!(probe(&src, Dialect::Js).is_none());
    }

    #[test]
    fn browser_guards_silence_it() {
        for guard in [
            "typeof window !== 'undefined' && (this.t = setInterval(() => this.tick(), 1000))",
            "if (typeof document === 'undefined') return; this.t = setInterval(() => this.tick(), 1000)",
            "\"undefined\"==typeof window||(this.t=setInterval(() => this.tick(), 1000))",
            "if (canUseDOM) this.t = setInterval(() => this.tick(), 1000)",
            "if (!isBrowser()) return; this.t = setInterval(() => this.tick(), 1000)",
        ] {
            let src = format!(
                "import React from 'react'\nconst canUseDOM = !!(typeof window !== 'undefined' && window.document), other = 1\nfunction isBrowser() {{ return typeof navigator !== 'undefined' }}\nexport class Clock extends React.Component {{\n  constructor(p) {{ super(p); {guard} }}\n  componentWillUnmount() {{ clearInterval(this.t) }}\n  tick() {{}}\n  render() {{ return null }}\n}}\n"
            );
            assert!(probe(&src, Dialect::Js).is_none(), "{guard}");
        }
        // Another condition leaves it, with a doubt.
        let src = REACT_CTOR.replace("this.t = setInterval", "if (p.live) this.t = setInterval");
        let s = probe(&src, Dialect::Js).expect("found");
        assert!(s.doubt.is_some_and(|d| d.contains("condition")));
        // State set from a browser test is false on a server: the interval
        // starts there. The test reads the state, not the browser (nor the
        // constructor the compiled instance local names, whose body calls
        // the browser test).
        let src = "function h() { return typeof window !== 'undefined' }\nvar C = function (e) { function t(p) { var n = o(this, (t.__proto__ || Object.getPrototypeOf(t)).call(this, p)); return n.state = { ready: h() }, n.state.ready || (b = setInterval(n.tick.bind(n), 1e3)), n } a(t, [{ key: \"componentWillUnmount\", value: function () { clearInterval(b) } }, { key: \"render\", value: function () { return null } }]); return t }(c)\nvar b\n";
        let s = probe(src, Dialect::Js).expect("a state flag is no browser guard");
        assert!(s.doubt.is_some_and(|d| d.contains("condition")));
    }

    #[test]
    fn typeof_tests_name_browser_globals_only() {
        assert!(has_typeof_browser_global("typeof window !== 'undefined'"));
        assert!(has_typeof_browser_global("\"undefined\"==typeof(document)"));
        assert!(!has_typeof_browser_global("typeof windowSize === 'number'"));
        assert!(!has_typeof_browser_global("typeof process !== 'undefined'"));
    }

    #[test]
    fn compiled_keys_are_read_from_babel_descriptors() {
        let src = "var C = function () { function C() {} _createClass(C, [{ key: \"componentWillUnmount\", value: function componentWillUnmount() {} }, {key:'render',value:function(){}}]); return C }()\nvar o = { value: function () {} }\n";
        crate::engine::with_model_for_test(src, Dialect::Js, |m| {
            let keys: Vec<_> = (0..m.functions.len())
                .filter_map(|f| compiled_method_key(m, f))
                .collect();
            assert_eq!(keys, vec!["componentWillUnmount", "render"]);
        });
    }

    #[test]
    fn compiled_class_with_a_this_alias() {
        let src = "var Clock = function (_Component) {\n  _inherits(Clock, _Component);\n  function Clock(props) {\n    var _this = _possibleConstructorReturn(this, _Component.call(this, props));\n    _this.t = setInterval(_this.tick.bind(_this), 1000);\n    return _this;\n  }\n  _createClass(Clock, [{ key: 'componentWillUnmount', value: function componentWillUnmount() { clearInterval(this.t); } }, { key: 'render', value: function render() { return null; } }]);\n  return Clock;\n}(_react.Component);\n";
        let s = probe(src, Dialect::Js).expect("found");
        assert_eq!(s.phase, "constructor");
        assert!(
            s.doubt
                .is_some_and(|d| d.contains("lifecycle method names"))
        );
    }

    #[test]
    fn compiled_this_aliases_are_the_instance() {
        let src = |init: &str| {
            format!(
                "var C = function (e) {{ function t(p) {{ {init}; n.t = setInterval(n.tick.bind(n), 1e3); return n }} a(t, [{{ key: \"componentWillUnmount\", value: function () {{ clearInterval(this.t) }} }}, {{ key: \"render\", value: function () {{ return null }} }}]); return t }}(c)\n"
            )
        };
        for alias in [
            "var n = o(this, e.call(this, p))",
            "var n = e.call(this, p) || this",
            "var n; n = e.call(this) || this",
        ] {
            assert!(probe(&src(alias), Dialect::Js).is_some(), "{alias}");
        }
    }

    #[test]
    fn a_handle_handed_to_other_code_is_not() {
        let module_slot = "import React from 'react'\nlet t\nexport class Clock extends React.Component {\n  constructor(p) { super(p); t = setInterval(() => {}, 1000) }\n  componentWillUnmount() { clearInterval(t) }\n  render() { return null }\n}\n";
        assert!(probe(module_slot, Dialect::Js).is_some());
        let handed = module_slot.replace(
            "clearInterval(t) }",
            "clearInterval(t) }\n  stopLater() { registry.add(t) }",
        );
        assert!(probe(&handed, Dialect::Js).is_none());
    }

    #[test]
    fn a_class_that_is_no_component_is_not() {
        let src = "export class Poller {\n  constructor() { this.t = setInterval(() => {}, 1000) }\n  componentWillUnmount() { clearInterval(this.t) }\n}\n";
        assert!(
            probe(src, Dialect::Js).is_none(),
            "no render, no mount: no component"
        );
    }
}
