//! How often code runs: the one answer to the analysis core's third question
//! (see docs/architecture.md). Every rule and analysis asks here; none
//! computes its own.
//!
//! The lattice: straight-line module code runs [`Frequency::Once`]; the body
//! of a loop runs [`Frequency::Many`] times, at top level too, unless it
//! walks data at hand or counts to a small literal. A function's
//! frequency is the join over the ways it is reached:
//! - created and invoked in place (an IIFE, a bundler's module wrapper), or
//!   handed to a call that runs it at most once per call (a timer, `once`, a
//!   promise executor or reaction, `listen`) or during the call (`forEach`):
//!   as often as that place runs;
//! - handed to a listener registration, an interval or a route: many times;
//! - called by name: the join over its call sites in the file (only from
//!   code that runs once → once; recursion → many);
//! - exported: many (others call it);
//! - handed to a function of this file that only calls it directly (a
//!   helper, a UMD wrapper): as often as that call;
//! - anything else (a method, a function stored or handed out, never called
//!   here): once per call of that function, [`Frequency::PerCall`], whose
//!   callers the file does not show.
//!
//! Inside a function, loops that nothing at hand bounds repeat (a loop
//! that awaits, has no end in its head, or counts to a large number), and lazy initialisation runs once per life of its guard
//! ([`Why::Memoised`]).
//!
//! Each answer carries its evidence ([`Why`]), which
//! [`Frequencies::describe`] renders for messages. The answers for a file
//! are computed once, on first use, and kept in the model's `Derived` cache.

pub mod roles;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::semantic::{BindingId, BindingKind};
use crate::model::{
    CallFact, CallId, FileModel, FnId, FnKind, Invocation, Key, LoopFact, LoopKind, LoopTest, Root,
    TextSpan, Value,
};

/// How often a piece of code runs per process.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Frequency {
    /// A fixed number of times: at load, at start-up, or as often as code
    /// that does.
    Once(Why),
    /// Once per call of this function, whose callers the file does not show
    /// (a method, a function stored or handed out, or never called here).
    /// Rules treat it as "many": nothing shows it runs once.
    PerCall(FnId),
    /// Again and again.
    Many(Why),
}

impl Frequency {
    pub fn is_once(&self) -> bool {
        matches!(self, Frequency::Once(_))
    }

    /// Not known to run a fixed number of times.
    pub fn runs_many_times(&self) -> bool {
        !self.is_once()
    }

    /// The order of the lattice: once < per call < many.
    fn rank(&self) -> u8 {
        match self {
            Frequency::Once(_) => 0,
            Frequency::PerCall(_) => 1,
            Frequency::Many(_) => 2,
        }
    }

    /// A place reached once from `self`: runs once when `self` does, with
    /// `why` as its evidence, and as often as `self` otherwise.
    fn then_once(self, why: Why) -> Frequency {
        match self {
            Frequency::Once(_) => Frequency::Once(why),
            other => other,
        }
    }
}

/// The evidence for a [`Frequency`]: what a message can quote.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Why {
    /// Straight-line module code.
    TopLevel,
    /// An immediately invoked function.
    Immediately(FnId),
    /// A bundler's module wrapper (`function (module, exports, require)`,
    /// webpack's module factories): the module's own top level.
    ModuleWrapper(FnId),
    /// A callback the call runs at most once per call (timer, `once`,
    /// promise executor or reaction, `listen`) or during the call
    /// (`forEach`, `map`).
    OneShot(CallId),
    /// A callback handed to a function of this file that runs it at most
    /// a fixed number of times per call (a local helper, a UMD wrapper).
    HelperCallsOnce(CallId),
    /// A function the file calls only from code that runs once; the first
    /// such call (`new X()` for a constructor).
    CalledOnlyFromOnce(CallId),
    /// The body of a loop (index into `model.loops`).
    Loop(usize),
    /// Lazy initialisation: code guarded by a test of a long-lived name that
    /// this write (index into `model.binding_writes`) sets, and nothing
    /// resets (`if (!client) { client = connect(); … }`,
    /// `if (installed) return; installed = true; …`).
    Memoised(usize),
    /// A listener registered by this call (`.on('request', fn)`).
    Listener(CallId),
    /// A `setInterval` callback.
    Interval(CallId),
    /// A function assigned to an event-handler property (`ws.onmessage =
    /// fn`, `onmessage = fn` in a worker, `el.onclick = fn`): it runs each
    /// time the event fires. The span is the assignment.
    EventHandler(TextSpan),
    /// A route handler (`app.get('/path', fn)`).
    Route(CallId),
    /// A callback handed to a call that may run it any number of times.
    Callback(CallId),
    /// An exported function: its callers are elsewhere.
    Exported(FnId),
    /// The function calls itself (directly or through others).
    Recursive(FnId),
    /// Called (or constructed) at this call, which runs many times.
    CalledFrom(CallId),
    /// The chain of callers is longer than the analysis follows.
    TooDeep,
}

/// Call chains are followed this deep (each function on the way counts);
/// deeper, code is assumed to run many times.
const MAX_DEPTH: u32 = 48;

/// The per-file answers, kept in the `Derived` cache.
pub(crate) struct Table {
    /// The frequency of each function's body.
    fns: Vec<Frequency>,
    places: Places,
}

/// How often code runs, for every place in one file.
pub struct Frequencies<'m, 'a> {
    model: &'m FileModel<'a>,
    /// The file's table, looked up (or built) at the first question.
    table: std::cell::OnceCell<&'m Table>,
}

impl<'m, 'a> Frequencies<'m, 'a> {
    /// The answers for `model`: computed on the first question for the file
    /// and shared by every rule after that. Asking for them costs nothing
    /// until a question is asked: most files have no candidate that needs
    /// one, and the table (the file's caller index, its loops and guards)
    /// is one of the largest analyses.
    pub fn new(model: &'m FileModel<'a>) -> Self {
        Frequencies {
            model,
            table: std::cell::OnceCell::new(),
        }
    }

    fn table(&self) -> &'m Table {
        let model = self.model;
        self.table
            .get_or_init(|| model.derived.get_or_init(|| Builder::new(model).build()))
    }

    /// The model the answers are about.
    pub fn model(&self) -> &'m FileModel<'a> {
        self.model
    }

    /// How often code at byte offset `pos` in `fn_ctx` runs.
    pub fn at(&self, fn_ctx: Option<FnId>, pos: usize) -> Frequency {
        // Top-level code repeats only in a loop (lazy-initialisation guards
        // are inside functions): answered without the table, which most
        // files then never build (`module.exports = {…}` asks this).
        let Some(f) = fn_ctx else {
            return match top_level_loop_around(self.model, pos) {
                Some(l) => Frequency::Many(Why::Loop(l)),
                None => Frequency::Once(Why::TopLevel),
            };
        };
        match self.table().places.innermost(self.model, fn_ctx, pos) {
            Some(Inner::Loop(l)) => return Frequency::Many(Why::Loop(l)),
            Some(Inner::Memoised(w)) => {
                let b = self.table().places.owner(self.model, w);
                if self.at(b.fn_ctx, b.span.start()).is_once() {
                    return Frequency::Once(Why::Memoised(w));
                }
            }
            None => {}
        }
        self.table().fns[f]
    }

    /// Does code at `pos` in `fn_ctx` run more than a fixed number of times?
    pub fn runs_many_times(&self, fn_ctx: Option<FnId>, pos: usize) -> bool {
        self.at(fn_ctx, pos).runs_many_times()
    }

    /// Is code at `pos` in `fn_ctx` *shown* to run many times: in a loop, a
    /// listener, an interval, a route handler, a recursive function, or
    /// called from such code? "Unknown callers" (a method, an exported
    /// function, a callback of an unknown call, a chain too long to follow)
    /// runs many times only by assumption.
    pub fn shown_many(&self, fn_ctx: Option<FnId>, pos: usize) -> bool {
        self.freq_shown_many(&self.at(fn_ctx, pos), 0)
    }

    fn freq_shown_many(&self, freq: &Frequency, depth: u32) -> bool {
        match freq {
            Frequency::Once(_) | Frequency::PerCall(_) => false,
            Frequency::Many(why) => match why {
                Why::Loop(_)
                | Why::Listener(_)
                | Why::EventHandler(_)
                | Why::Interval(_)
                | Why::Route(_)
                | Why::Recursive(_) => true,
                Why::CalledFrom(c) if depth < MAX_DEPTH => {
                    let call = &self.model.calls[*c];
                    let caller = self.at(call.fn_ctx, call.span.start());
                    self.freq_shown_many(&caller, depth + 1)
                }
                _ => false,
            },
        }
    }

    /// Does code at `pos` in `fn_ctx` repeat only through recursion of code
    /// that itself runs once: a function that calls itself (a retry, a walk
    /// over nested input), or code called from one, where every outside
    /// caller of the recursion runs once (module top level)? Such code
    /// repeats as deep as its input goes, within one launch of a program.
    /// Code in a loop that repeats (one with no end at hand, or draining
    /// what keeps arriving), reached from a listener, an event handler, an
    /// interval, a route, a callback of an unknown call, or from callers
    /// out of view (an exported function, a method) is not bounded so.
    pub fn bounded_by_launch(&self, fn_ctx: Option<FnId>, pos: usize) -> bool {
        self.freq_bounded_by_launch(&self.at(fn_ctx, pos), 0)
    }

    fn freq_bounded_by_launch(&self, freq: &Frequency, depth: u32) -> bool {
        if depth >= MAX_DEPTH {
            return false;
        }
        match freq {
            Frequency::Once(_) => true,
            Frequency::PerCall(_) => false,
            Frequency::Many(why) => match why {
                Why::Recursive(f) => self.outside_callers_bounded(*f, depth + 1),
                Why::CalledFrom(c) => {
                    let call = &self.model.calls[*c];
                    let caller = self.at(call.fn_ctx, call.span.start());
                    self.freq_bounded_by_launch(&caller, depth + 1)
                }
                _ => false,
            },
        }
    }

    /// Every call of the recursive function `f` from outside itself is
    /// bounded by the launch (and there is one): a function reached only
    /// through its name's direct calls.
    fn outside_callers_bounded(&self, f: FnId, depth: u32) -> bool {
        let m = self.model;
        let Some(id) = m
            .semantic
            .bindings()
            .find(|(_, b)| matches!(b.init, Some(Value::Function(Some(g))) if g == f))
            .map(|(id, _)| id.clone())
        else {
            return false;
        };
        let (inside, calls): (Vec<&CallFact>, Vec<&CallFact>) = m
            .calls
            .iter()
            .filter(|c| {
                c.callee
                    .path
                    .as_ref()
                    .is_some_and(|p| p.props.is_empty() && p.is_rooted_at(&id))
            })
            .partition(|c| m.is_within(c.fn_ctx, f));
        // Read anywhere else too (stored, handed out, exported): callers
        // out of view.
        let reads = m.semantic.references(&id).len();
        !calls.is_empty()
            && calls.len() + inside.len() == reads
            && calls.iter().all(|c| {
                let caller = self.at(c.fn_ctx, c.span.start());
                self.freq_bounded_by_launch(&caller, depth + 1)
            })
    }

    /// The write that closes a lazy-initialisation guard around `pos`, if
    /// any: the code runs at most once per life of the guard's name (once
    /// per process for a module-level name, once per call of the function
    /// that declares it otherwise). See [`Why::Memoised`].
    pub fn memoised(&self, fn_ctx: Option<FnId>, pos: usize) -> Option<usize> {
        fn_ctx?;
        match self.table().places.innermost(self.model, fn_ctx, pos) {
            Some(Inner::Memoised(w)) => Some(w),
            _ => None,
        }
    }

    /// How often the body of function `f` runs.
    pub fn function(&self, f: FnId) -> &'m Frequency {
        &self.table().fns[f]
    }

    /// The evidence of a frequency as a message can show it:
    /// "inside the `for` loop at line 11", "a listener for `request`
    /// (line 3)", "exported: other modules call it".
    pub fn describe(&self, freq: &Frequency) -> String {
        self.describe_in(freq, 0)
    }

    fn describe_in(&self, freq: &Frequency, depth: u32) -> String {
        let m = self.model;
        let line = |pos: usize| m.line_of(pos);
        let name = |f: FnId| {
            m.functions[f]
                .name
                .as_ref()
                .map(|n| format!("`{n}`"))
                .unwrap_or_else(|| "the function".into())
        };
        let callee = |c: CallId| {
            let call = &m.calls[c];
            call.callee
                .method
                .as_ref()
                .map(|n| n.to_string())
                .or_else(|| call.callee.path.as_ref().map(|p| p.to_string()))
                .unwrap_or_else(|| "a call".into())
        };
        let why = match freq {
            Frequency::PerCall(f) => {
                return format!(
                    "on every call of {} (line {}), whose callers are not in view",
                    name(*f),
                    line(m.functions[*f].span.start())
                );
            }
            Frequency::Once(w) | Frequency::Many(w) => w,
        };
        match why {
            Why::TopLevel => "module top level, which runs once".into(),
            Why::Immediately(f) => format!(
                "an immediately invoked function (line {}) run once",
                line(m.functions[*f].span.start())
            ),
            Why::ModuleWrapper(f) => format!(
                "a bundler module wrapper (line {}), which runs once",
                line(m.functions[*f].span.start())
            ),
            Why::OneShot(c) => {
                let name = callee(*c);
                let verb = if crate::model::is_iteration_method(&name) {
                    "during the call"
                } else {
                    "once"
                };
                format!(
                    "run {verb} by `{name}` (line {}), which runs once",
                    line(m.calls[*c].span.start())
                )
            }
            Why::Memoised(w) => {
                let w = &m.binding_writes[*w];
                format!(
                    "initialised once: guarded by `{}`, set at line {}",
                    w.id.0,
                    line(w.span.start())
                )
            }
            Why::HelperCallsOnce(c) => format!(
                "run once by the function it is passed to (line {}), which runs once",
                line(m.calls[*c].span.start())
            ),
            Why::CalledOnlyFromOnce(c) => format!(
                "called only from code that runs once (line {})",
                line(m.calls[*c].span.start())
            ),
            Why::Loop(l) => {
                let l = &m.loops[*l];
                format!(
                    "inside the `{}` loop at line {}",
                    l.kind.keyword(),
                    line(l.span.start())
                )
            }
            Why::Listener(c) => {
                let call = &m.calls[*c];
                match call.args.first().map(|a| &a.value) {
                    Some(Value::Str(event)) => format!(
                        "a listener for `{event}` (line {})",
                        line(call.span.start())
                    ),
                    _ => format!(
                        "a listener registered with `{}` (line {})",
                        callee(*c),
                        line(call.span.start())
                    ),
                }
            }
            Why::Interval(c) => format!(
                "a `setInterval` callback (line {})",
                line(m.calls[*c].span.start())
            ),
            Why::EventHandler(at) => {
                let text = &m.source[at.start()..at.end()];
                let target = text.split('=').next().unwrap_or(text).trim();
                format!(
                    "an event handler assigned to `{target}` (line {}), run whenever the event fires",
                    line(at.start())
                )
            }
            Why::Route(c) => {
                let call = &m.calls[*c];
                match call.args.first().map(|a| &a.value) {
                    Some(Value::Str(path)) => format!(
                        "a handler of the route `{} {path}` (line {})",
                        callee(*c),
                        line(call.span.start())
                    ),
                    _ => format!("a route handler (line {})", line(call.span.start())),
                }
            }
            Why::Callback(c) => format!(
                "a callback of `{}` (line {}), which may call it any number of times",
                callee(*c),
                line(m.calls[*c].span.start())
            ),
            Why::Exported(f) => format!("{} is exported: other modules call it", name(*f)),
            Why::Recursive(f) => format!("{} calls itself", name(*f)),
            Why::TooDeep => "reached through a long chain of calls".into(),
            Why::CalledFrom(c) => {
                let call = &m.calls[*c];
                let site = format!("called at line {}", line(call.span.start()));
                if depth >= 3 {
                    return site;
                }
                let caller = self.at(call.fn_ctx, call.span.start());
                format!("{site}, {}", self.describe_in(&caller, depth + 1))
            }
        }
    }
}

/// What changes how often code inside a function runs compared with the
/// function itself: repeating loops and memoised (lazily initialised) regions.
#[derive(Default)]
struct Places {
    /// Loops that repeat (see [`repeats`]), by function context.
    loops_of: FxHashMap<Option<FnId>, Vec<usize>>,
    /// Memoised regions (span, the write that closes the guard), by function.
    memoised_of: FxHashMap<Option<FnId>, Vec<(TextSpan, usize)>>,
}

/// The innermost place around an offset.
#[derive(Clone, Copy)]
enum Inner {
    Loop(usize),
    Memoised(usize),
}

impl Places {
    fn new(model: &FileModel) -> Self {
        let mut loops_of: FxHashMap<Option<FnId>, Vec<usize>> = FxHashMap::default();
        for (i, l) in model.loops.iter().enumerate() {
            if repeats(model, l) {
                loops_of.entry(l.fn_ctx).or_default().push(i);
            }
        }

        Places {
            loops_of,
            memoised_of: memoised_regions(model),
        }
    }

    /// The innermost repeating loop or memoised region of `fn_ctx` around `pos`.
    fn innermost(&self, model: &FileModel, fn_ctx: Option<FnId>, pos: usize) -> Option<Inner> {
        let l = self.loop_around(model, fn_ctx, pos);
        let m = self
            .memoised_of
            .get(&fn_ctx)
            .and_then(|r| r.iter().rev().find(|(span, _)| span.contains(pos)));
        match (l, m) {
            (Some(l), Some(&(span, w))) => Some(if span.start() > model.loops[l].body.start() {
                Inner::Memoised(w)
            } else {
                Inner::Loop(l)
            }),
            (Some(l), None) => Some(Inner::Loop(l)),
            (None, Some(&(_, w))) => Some(Inner::Memoised(w)),
            (None, None) => None,
        }
    }

    /// The innermost repeating loop of `fn_ctx` around `pos`.
    fn loop_around(&self, model: &FileModel, fn_ctx: Option<FnId>, pos: usize) -> Option<usize> {
        self.loops_of
            .get(&fn_ctx)?
            .iter()
            .rev()
            .copied()
            .find(|&l| model.loops[l].body.contains(pos))
    }

    /// The binding a memoised region's guard lives in.
    fn owner<'m>(&self, model: &'m FileModel, write: usize) -> &'m crate::model::semantic::Binding {
        model
            .semantic
            .binding(&model.binding_writes[write].id)
            .expect("memoised regions are found through their binding")
    }
}

/// Regions that run at most once per life of a name declared outside their
/// function: guarded by a test that reads the name, which the region sets
/// to a value (not null, not another name) and nothing else writes.
/// `if (!client) { client = connect(); … }`, `x || (x = create())`, and the
/// early exit `if (installed) return; installed = true; …` (the rest of the
/// function).
fn memoised_regions(model: &FileModel) -> FxHashMap<Option<FnId>, Vec<(TextSpan, usize)>> {
    let mut out: FxHashMap<Option<FnId>, Vec<(TextSpan, usize)>> = FxHashMap::default();
    if model.binding_writes.is_empty() {
        return out;
    }
    let mut conds_of: FxHashMap<Option<FnId>, Vec<usize>> = FxHashMap::default();
    for (i, c) in model.conditionals.iter().enumerate() {
        conds_of.entry(c.fn_ctx).or_default().push(i);
    }
    let mut writes_of: FxHashMap<&BindingId, Vec<usize>> = FxHashMap::default();
    for (i, w) in model.binding_writes.iter().enumerate() {
        writes_of.entry(&w.id).or_default().push(i);
    }
    for (id, writes) in writes_of {
        let Some(b) = model.semantic.binding(id) else {
            continue;
        };
        let refs = model.semantic.references(id);
        for &wi in &writes {
            let w = &model.binding_writes[wi];
            // Top-level code runs once anyway; a value taken from elsewhere
            // (`current = req.id`) changes, and `null` re-arms the guard.
            let Some(f) = w.fn_ctx else { continue };
            if may_be_falsy(model, w) {
                continue;
            }
            // The name outlives the function's call.
            if b.fn_ctx == Some(f) || !b.fn_ctx.is_none_or(|outer| model.is_within(Some(f), outer))
            {
                continue;
            }
            let tested = |from: usize, to: usize| {
                refs.iter()
                    .any(|r| r.fn_ctx == Some(f) && (from..to).contains(&r.span.start()))
            };
            let conds = conds_of.get(&Some(f)).map(Vec::as_slice).unwrap_or(&[]);
            let guarded = conds
                .iter()
                .map(|&c| &model.conditionals[c])
                .filter_map(|c| {
                    let branch = c.branch?;
                    (branch.encloses(w.span) && tested(c.span.start(), branch.start()))
                        .then_some(branch)
                })
                .max_by_key(|branch| branch.start());
            let region = guarded.or_else(|| {
                // `if (done) return; done = true; …`: the rest of the function.
                let end = model.functions[f].span.end();
                let guard = conds
                    .iter()
                    .map(|&c| &model.conditionals[c])
                    .filter(|c| {
                        c.exits
                            && c.span.end() <= w.span.start()
                            && c.branch.is_some_and(|b| tested(c.span.start(), b.start()))
                    })
                    .min_by_key(|c| c.span.start())?;
                // The singleton constructor: `if (instance) return instance;
                // …; instance = this`. The code between the guard and the
                // write runs once too, when every way from the guard reaches
                // the write: the write is in no branch or loop, and nothing
                // between exits early.
                let in_branch = conds
                    .iter()
                    .map(|&c| &model.conditionals[c])
                    .any(|c| c.span.start() < w.span.start() && c.span.contains(w.span.start()));
                let in_loop = model
                    .loops
                    .iter()
                    .any(|l| l.fn_ctx == Some(f) && l.span.contains(w.span.start()));
                let exits_between = conds.iter().map(|&c| &model.conditionals[c]).any(|c| {
                    c.exits && c.span.start() >= guard.span.end() && c.span.end() <= w.span.start()
                });
                let start = if in_branch || in_loop || exits_between {
                    w.span.start()
                } else {
                    guard.span.end()
                };
                Some(TextSpan::new(start as u32, end as u32))
            });
            let Some(region) = region else { continue };
            // A write that may clear the guard (a reset, even in a cleanup
            // nested in the region) opens it again; others (`ready = true`
            // where the work is also done another way) keep it shut.
            let never_reset = writes
                .iter()
                .all(|&o| !may_be_falsy(model, &model.binding_writes[o]));
            if never_reset {
                out.entry(Some(f)).or_default().push((region, wi));
                break;
            }
        }
    }
    for regions in out.values_mut() {
        regions.sort_by_key(|(span, _)| span.start());
    }
    out
}

/// How a function is reached by its name.
#[derive(Clone, Copy)]
enum Use {
    /// Called (or constructed) directly: `f()`, `new F()`.
    Call(CallId),
    /// Passed as argument `.1` of a call: `emitter.on('x', f)`, `setTimeout(f)`.
    Arg(CallId, usize),
    /// Anything else: stored, returned, put in an object.
    Other,
}

enum State {
    Pending,
    InProgress,
    Done(Frequency),
}

struct Builder<'m, 'a> {
    model: &'m FileModel<'a>,
    /// The binding each function is declared as or assigned to at its
    /// declaration (`function f`, `const f = () => …`). Borrowed from the
    /// model, as are the parameters: cloning a name per function was a
    /// measurable share of building the table for a large bundle.
    binding_of: Vec<Option<&'m BindingId>>,
    /// Functions whose parameters name a bundler's module wrapper.
    module_factory: Vec<bool>,
    /// Each function's parameters in order, when all are plain names.
    params_of: Vec<Vec<&'m BindingId>>,
    /// Direct calls of a name, by the callee's start offset.
    call_at: FxHashMap<usize, CallId>,
    /// Names passed as arguments, by the argument's start offset.
    arg_at: FxHashMap<usize, (CallId, usize)>,
    /// The function each IIFE call invokes.
    iife_of: FxHashMap<CallId, FnId>,
    /// Names used as a value somewhere (stored, returned, put in an object),
    /// found on the first question: only a callback handed to a local helper
    /// asks, and the set walks every initialiser, write and return.
    escapes: std::cell::OnceCell<FxHashSet<BindingId>>,
    /// Functions assigned to an event-handler property.
    handler_of: FxHashMap<FnId, TextSpan>,
    uses: FxHashMap<&'m BindingId, Vec<Use>>,
    exported: FxHashSet<BindingId>,
    subclassed: FxHashSet<BindingId>,
    places: Places,
    state: Vec<State>,
}

impl<'m, 'a> Builder<'m, 'a> {
    fn new(model: &'m FileModel<'a>) -> Self {
        let n = model.functions.len();
        let mut binding_of: Vec<Option<&'m BindingId>> = vec![None; n];
        let mut params: Vec<Vec<(usize, &BindingId)>> = vec![Vec::new(); n];
        let mut wanted: FxHashSet<&'m BindingId> = FxHashSet::default();
        for (id, b) in model.semantic.bindings() {
            if let Some(Value::Function(Some(f))) = &b.init {
                binding_of[*f] = Some(id);
                wanted.insert(id);
            }
            if let (BindingKind::Param, Some(f)) = (b.kind, b.fn_ctx) {
                params[f].push((b.span.start(), id));
            }
        }
        let module_factory = params
            .iter()
            .map(|p| {
                crate::model::module_scope::is_module_factory(p.iter().map(|(_, id)| id.0.as_ref()))
            })
            .collect();
        let params_of = params
            .into_iter()
            .enumerate()
            .map(|(f, mut p)| {
                // Destructured parameters declare several names: positions
                // are then unknown.
                if p.len() != model.functions[f].params {
                    return Vec::new();
                }
                p.sort_by_key(|(start, _)| *start);
                p.into_iter().map(|(_, id)| id).collect()
            })
            .collect();
        let iife_of = model.iife_of_call();
        for c in &model.classes {
            if let Some(b) = &c.binding {
                wanted.insert(b);
            }
        }

        let mut call_at: FxHashMap<usize, CallId> = FxHashMap::default();
        let mut arg_at: FxHashMap<usize, (CallId, usize)> = FxHashMap::default();
        for (i, c) in model.calls.iter().enumerate() {
            if c.callee
                .path
                .as_ref()
                .is_some_and(|p| p.props.is_empty() && matches!(p.root, Root::Binding(..)))
            {
                call_at.insert(c.callee_span.start(), i);
            }
            for (j, a) in c.args.iter().enumerate() {
                if !a.spread && matches!(&a.value, Value::Path(p) if p.props.is_empty()) {
                    arg_at.insert(a.span.start(), (i, j));
                }
            }
        }

        let mut exported: FxHashSet<BindingId> = model.exports.iter().cloned().collect();
        // `module.exports = { f }`, `exports.f = f`, `module.exports = f`.
        let mut export_value = |v: &Value| match v {
            Value::Path(p) if p.props.is_empty() => exported.extend(p.root_binding()),
            Value::Object { props, .. } => {
                for (_, v) in props {
                    if let Value::Path(p) = v {
                        if p.props.is_empty() {
                            exported.extend(p.root_binding());
                        }
                    }
                }
            }
            _ => {}
        };
        for w in &model.member_writes {
            if matches!(&w.object.root, Root::Global(g) if g == "module" || g == "exports") {
                export_value(&w.value);
            }
        }

        let handler_of = event_handlers(model);

        let subclassed = model
            .classes
            .iter()
            .filter_map(|c| c.super_class.as_ref().and_then(|p| p.root_binding()))
            .collect();

        let mut b = Builder {
            model,
            binding_of,
            module_factory,
            params_of,
            call_at,
            arg_at,
            iife_of,
            escapes: std::cell::OnceCell::new(),
            handler_of,
            uses: FxHashMap::default(),
            exported,
            subclassed,
            places: Places::new(model),
            state: (0..n).map(|_| State::Pending).collect(),
        };
        // Every read of a function's (or class's) name: a call, an argument,
        // or anything else.
        for id in wanted {
            let list = model
                .semantic
                .references(id)
                .iter()
                .map(|r| b.use_at(r.span))
                .collect();
            b.uses.insert(id, list);
        }
        b
    }

    fn build(mut self) -> Table {
        // Parents come before their children: most questions about a
        // function's surroundings are then already answered.
        for f in 0..self.model.functions.len() {
            self.function(f, 0);
        }
        let fns = self
            .state
            .into_iter()
            .map(|s| match s {
                State::Done(f) => f,
                _ => Frequency::Many(Why::TooDeep),
            })
            .collect();
        Table {
            fns,
            places: self.places,
        }
    }

    fn function(&mut self, f: FnId, depth: u32) -> Frequency {
        match &self.state[f] {
            State::Done(freq) => return *freq,
            State::InProgress => return Frequency::Many(Why::Recursive(f)),
            State::Pending => {}
        }
        if depth > MAX_DEPTH {
            return Frequency::Many(Why::TooDeep);
        }
        self.state[f] = State::InProgress;
        let freq = self.compute(f, depth + 1);
        self.state[f] = State::Done(freq);
        freq
    }

    /// How often code at `pos` in `fn_ctx` runs.
    fn at(&mut self, fn_ctx: Option<FnId>, pos: usize, depth: u32) -> Frequency {
        match self.places.innermost(self.model, fn_ctx, pos) {
            Some(Inner::Loop(l)) => return Frequency::Many(Why::Loop(l)),
            Some(Inner::Memoised(w)) => {
                let b = self.places.owner(self.model, w);
                if self.at(b.fn_ctx, b.span.start(), depth).is_once() {
                    return Frequency::Once(Why::Memoised(w));
                }
            }
            None => {}
        }
        match fn_ctx {
            None => Frequency::Once(Why::TopLevel),
            Some(f) => self.function(f, depth),
        }
    }

    fn compute(&mut self, f: FnId, depth: u32) -> Frequency {
        let model = self.model;
        let info = &model.functions[f];
        // A bundler's module factory runs once, when its module is first
        // required, whether the runtime gets it from a table or as a
        // callback (`__commonJS((exports, module) => …)`).
        if self.module_factory[f] {
            return self
                .at(info.parent, info.span.start(), depth)
                .then_once(Why::ModuleWrapper(f));
        }
        match info.invocation {
            Invocation::Immediately { .. } => self
                .at(info.parent, info.span.start(), depth)
                .then_once(Why::Immediately(f)),
            Invocation::CallbackOf { call, arg } => self.callback_of(call, arg, depth),
            Invocation::Unknown => {
                if let Some(&at) = self.handler_of.get(&f) {
                    return Frequency::Many(Why::EventHandler(at));
                }
                match info.kind {
                    FnKind::Constructor | FnKind::FieldInit => self.constructor(f, depth),
                    _ if info.class.is_some() => Frequency::PerCall(f),
                    _ => match self.binding_of[f] {
                        Some(id) if self.exported.contains(id) => Frequency::Many(Why::Exported(f)),
                        Some(id) => self.join_uses(f, id, false, depth),
                        None => Frequency::PerCall(f),
                    },
                }
            }
        }
    }

    /// A class's constructor (and field initialisers) run once per `new`.
    fn constructor(&mut self, f: FnId, depth: u32) -> Frequency {
        let model = self.model;
        let Some(id) = model.functions[f]
            .class
            .and_then(|c| model.classes[c].binding.clone())
        else {
            return Frequency::PerCall(f);
        };
        if self.exported.contains(&id) {
            return Frequency::Many(Why::Exported(f));
        }
        if self.subclassed.contains(&id) {
            // Subclasses construct it too, from wherever they are created.
            return Frequency::PerCall(f);
        }
        self.join_uses(f, &id, true, depth)
    }

    /// The join over the uses of a function's (or class's) name.
    fn join_uses(&mut self, f: FnId, id: &BindingId, construct: bool, depth: u32) -> Frequency {
        let model = self.model;
        let uses = self.uses.get(id).cloned().unwrap_or_default();
        if uses.is_empty() {
            return Frequency::PerCall(f);
        }
        let mut best: Option<Frequency> = None;
        for u in uses {
            let freq = match u {
                Use::Call(c) if construct && !model.calls[c].is_new => Frequency::PerCall(f),
                Use::Call(c) => {
                    let call = &model.calls[c];
                    if model.is_within(call.fn_ctx, f) {
                        Frequency::Many(Why::Recursive(f))
                    } else {
                        match self.at(call.fn_ctx, call.span.start(), depth) {
                            Frequency::Once(_) => Frequency::Once(Why::CalledOnlyFromOnce(c)),
                            Frequency::Many(_) => Frequency::Many(Why::CalledFrom(c)),
                            per_call => per_call,
                        }
                    }
                }
                Use::Arg(..) if construct => Frequency::PerCall(f),
                Use::Arg(c, arg) => {
                    if model.is_within(model.calls[c].fn_ctx, f) {
                        Frequency::Many(Why::Recursive(f))
                    } else {
                        self.callback_of(c, arg, depth)
                    }
                }
                Use::Other => Frequency::PerCall(f),
            };
            if best.as_ref().is_none_or(|b| freq.rank() > b.rank()) {
                let many = freq.rank() == 2;
                best = Some(freq);
                if many {
                    break;
                }
            }
        }
        best.unwrap_or(Frequency::PerCall(f))
    }

    /// A function handed to call `call` as argument `arg`.
    fn callback_of(&mut self, call: CallId, arg: usize, depth: u32) -> Frequency {
        let model = self.model;
        let c = &model.calls[call];
        let once = match callback_kind(model, call) {
            Ok(()) => Why::OneShot(call),
            Err(Why::Callback(_)) if self.helper_calls_once(call, arg) => {
                Why::HelperCallsOnce(call)
            }
            Err(why) => return Frequency::Many(why),
        };
        self.at(c.fn_ctx, c.span.start(), depth).then_once(once)
    }

    /// Does the call go to a function of this file (by name, or written in
    /// place as in a UMD wrapper) that runs its parameter `arg` at most a
    /// fixed number of times per call: only calls it directly, or hands it
    /// to a call that runs it once (`define(factory)`), outside loops and
    /// nested functions, and never stores or returns it?
    fn helper_calls_once(&self, call: CallId, arg: usize) -> bool {
        let model = self.model;
        let Some(g) = self.local_callee(call) else {
            return false;
        };
        let Some(param) = self.params_of[g].get(arg) else {
            return false;
        };
        if self.escapes.get_or_init(|| escapes(model)).contains(*param) {
            return false;
        }
        model.semantic.references(param).iter().all(|r| {
            if r.fn_ctx != Some(g)
                || self
                    .places
                    .loop_around(model, r.fn_ctx, r.span.start())
                    .is_some()
            {
                return false;
            }
            match self.use_at(r.span) {
                Use::Call(_) | Use::Other => true,
                Use::Arg(c, _) => callback_kind(model, c).is_ok(),
            }
        })
    }

    /// The function of this file a call invokes: an inline function
    /// (`(function (root, factory) {…})(this, …)`) or a binding bound to one.
    fn local_callee(&self, call: CallId) -> Option<FnId> {
        if let Some(&g) = self.iife_of.get(&call) {
            return Some(g);
        }
        let c = &self.model.calls[call];
        let p = c.callee.path.as_ref().filter(|p| p.props.is_empty())?;
        let id = p.root_binding()?;
        match self.model.semantic.binding(&id)?.init {
            Some(Value::Function(Some(g))) => Some(g),
            _ => None,
        }
    }

    /// What a read of a name at `span` is.
    fn use_at(&self, span: TextSpan) -> Use {
        let start = span.start();
        if let Some(&c) = self.call_at.get(&start) {
            if self.model.calls[c].callee_span == span {
                return Use::Call(c);
            }
        }
        match self.arg_at.get(&start) {
            Some(&(c, j)) => Use::Arg(c, j),
            None => Use::Other,
        }
    }
}

/// `Ok` for calls whose callback does not run more often than the call
/// itself: timers, `once`, promise executors and reactions, `listen`
/// callbacks, synchronous iteration (`forEach`, `map`, … run during the
/// call). Otherwise why the callback runs many times.
fn callback_kind(model: &FileModel, call: CallId) -> Result<(), Why> {
    let c = &model.calls[call];
    if is_compiled_async_step(c) {
        return Ok(());
    }
    if let Some(name) = c.callee.global_function() {
        match name.as_ref() {
            "setTimeout"
            | "setImmediate"
            | "queueMicrotask"
            | "Promise"
            | "requestIdleCallback" => return Ok(()),
            // An AMD module factory runs once, when the module is first required.
            "define" => return Ok(()),
            "setInterval" => return Err(Why::Interval(call)),
            _ => {}
        }
    }
    let Some(m) = c.callee.method.as_deref() else {
        return Err(Why::Callback(call));
    };
    match m {
        "once" | "then" | "catch" | "finally" | "listen" | "nextTick" | "ready" => Ok(()),
        _ if crate::model::is_iteration_method(m) => Ok(()),
        "on" | "addListener" | "addEventListener" | "prependListener" | "subscribe" => {
            Err(Why::Listener(call))
        }
        "get" | "post" | "put" | "patch" | "delete" | "all" | "use" | "head" | "options" if matches!(c.args.first().map(|a| &a.value), Some(Value::Str(p)) if p.starts_with('/')) => {
            Err(Why::Route(call))
        }
        _ => Err(Why::Callback(call)),
    }
}

/// Functions assigned to an event-handler property, with the assignment:
/// `x.on<event> = function` (`ws.onmessage`, `req.onerror`) and, for a name
/// no declaration binds, `on<event> = function` (a worker's `onmessage`).
/// The event name is at least three lowercase letters, as DOM, WebSocket
/// and worker handler properties are (`onload`, `onclose`, `onmessage`);
/// camelCase callbacks (`onChange`) are a component's props or options,
/// called by their owner whenever it likes, and `once` is not a handler.
fn event_handlers(model: &FileModel) -> FxHashMap<FnId, TextSpan> {
    fn is_handler_name(name: &str) -> bool {
        name.strip_prefix("on")
            .is_some_and(|e| e.len() >= 3 && e.bytes().all(|b| b.is_ascii_lowercase()))
    }
    // An assigned function literal is not numbered in the write's value:
    // it is the function that ends where the assignment ends (the outermost
    // one, for `a = () => () => …`).
    let mut ending_at: FxHashMap<usize, FnId> = FxHashMap::default();
    for (f, info) in model.functions.iter().enumerate() {
        ending_at.entry(info.span.end()).or_insert(f);
    }
    let assigned = |value: &Value, span: TextSpan, target_end: usize| match value {
        Value::Function(_) => ending_at
            .get(&span.end())
            .copied()
            .filter(|&f| model.functions[f].span.start() >= target_end),
        _ => None,
    };
    let mut out = FxHashMap::default();
    for w in &model.member_writes {
        if let Key::Static(name) = &w.key {
            if w.op == "=" && is_handler_name(name) {
                if let Some(f) = assigned(&w.value, w.span, w.target_span.end()) {
                    out.insert(f, w.span);
                }
            }
        }
    }
    for w in &model.binding_writes {
        if is_handler_name(&w.id.0) && model.semantic.binding(&w.id).is_none() {
            let target_end = w.span.start() + w.id.0.len();
            if let Some(f) = assigned(&w.value, w.span, target_end) {
                out.insert(f, w.span);
            }
        }
    }
    out
}

/// A call to a compiler's helper that runs the body of an `async` function
/// (or generator) compiled to older JavaScript: TypeScript's
/// `__awaiter(this, arguments, P, function* () {…})` and
/// `__generator(this, function (_a) { switch (_a.label) {…} })` (inline or
/// through `tslib`), esbuild's `__async(this, args, function* () {…})`. The
/// helper steps the body from one `await` to the next, so each statement in
/// it runs once per call of the function it was compiled from: the callback
/// runs as often as the call, like a promise executor. (Babel's
/// `_asyncToGenerator(fn)` is not one of these: it returns a function that
/// runs the body per call of its own.)
fn is_compiled_async_step(c: &CallFact) -> bool {
    let name = match (&c.callee.method, &c.callee.path) {
        (Some(m), _) => m.clone(),
        (None, Some(p)) if p.props.is_empty() => match &p.root {
            Root::Binding(name, _) | Root::Global(name) => name.clone(),
            Root::This => return false,
        },
        _ => return false,
    };
    matches!(name.as_ref(), "__awaiter" | "__generator" | "__async")
}

/// May this write clear a guard: `null`, `undefined`, `false` (also
/// minified `!1`), `0`, `''`, or a value read from elsewhere that may be any
/// of them (`current = req.id`)?
fn may_be_falsy(model: &FileModel, w: &crate::model::BindingWrite) -> bool {
    match &w.value {
        // `instance = this` in a class constructor: always an object.
        Value::Path(p)
            if p.root == Root::This
                && p.props.is_empty()
                && w.fn_ctx
                    .is_some_and(|f| model.functions[f].kind == FnKind::Constructor) =>
        {
            false
        }
        Value::Null | Value::Undefined | Value::Path(_) | Value::Other => true,
        Value::Num(n) => *n == 0.0,
        Value::Str(s) => s.is_empty(),
        Value::Bool => {
            let text = model.text(&w.span);
            let rhs = text.rsplit('=').next().unwrap_or("").trim();
            matches!(rhs, "false" | "!1")
        }
        _ => false,
    }
}

/// The names used as a value somewhere: initialisers, writes, returns.
fn escapes(model: &FileModel) -> FxHashSet<BindingId> {
    let mut out = FxHashSet::default();
    for v in model
        .semantic
        .bindings()
        .filter_map(|(_, b)| b.init.as_ref())
        .chain(model.member_writes.iter().map(|w| &w.value))
        .chain(model.binding_writes.iter().map(|w| &w.value))
        .chain(model.returns.iter().map(|r| &r.value))
    {
        note_value(&mut out, v);
    }
    out
}

/// Note the names a value holds (`f`, `{ f, g }`): they escape.
fn note_value(out: &mut FxHashSet<BindingId>, v: &Value) {
    match v {
        Value::Path(p) if p.props.is_empty() => out.extend(p.root_binding()),
        Value::Object { props, .. } => {
            for (_, v) in props {
                if let Value::Path(p) = v {
                    if p.props.is_empty() {
                        out.extend(p.root_binding());
                    }
                }
            }
        }
        _ => {}
    }
}

/// Loops counting to more than this literal stand for "again and again"
/// (a script simulating a million requests); up to it they build a table.
const LARGE_LOOP_BOUND: f64 = 65536.0;

/// The innermost repeating loop at top level around `pos`: what
/// [`Places::loop_around`] answers for `None`, found without the table.
fn top_level_loop_around(model: &FileModel, pos: usize) -> Option<usize> {
    (0..model.loops.len()).rev().find(|&i| {
        let l = &model.loops[i];
        l.fn_ctx.is_none() && l.body.contains(pos) && repeats(model, l)
    })
}

/// Does a loop repeat without a bound the code at hand sets? A loop that
/// awaits (each turn waits for an event), one with no end in its head
/// (`while (true)`, `for (;;)`, `for await`), or one counting to a large
/// number (`i < 1e6`, also through a `const`). A loop over data at hand
/// (`for…of`, `i < items.length`, `i < len`, `while (node)`) or counting
/// to a small literal (`i < 256`: a table built once) takes a fixed number
/// of turns per run of its code, like `forEach`.
///
/// Awaiting counts only where the head sets no count: `while (running) {
/// await next() }` and `while (queue.length) { await … }` wait for what
/// keeps arriving, but `for (let i = 0; i < iterations; i++) { await run() }`
/// or `for (const x of items) await f(x)` still takes its fixed number of
/// turns, however long each one waits.
fn repeats(model: &FileModel, l: &LoopFact) -> bool {
    let large = |v: &Value| matches!(v, Value::Num(n) if *n > LARGE_LOOP_BOUND);
    match &l.test {
        LoopTest::Forever => true,
        LoopTest::Bound(v) if large(v) => true,
        LoopTest::Bound(Value::Path(p)) if p.props.is_empty() => p
            .root_binding()
            .and_then(|id| model.semantic.binding(&id))
            .is_some_and(|b| b.kind == BindingKind::Const && b.init.as_ref().is_some_and(large)),
        // A counted `for`, or a `for…of`/`for…in` over a collection at hand.
        LoopTest::Bound(_) => false,
        LoopTest::Walk if matches!(l.kind, LoopKind::ForOf | LoopKind::ForIn) => false,
        // `while (queue.length) { await … }` drains what keeps arriving.
        LoopTest::Walk | LoopTest::Other => l.awaits,
    }
}

/// A bundler's module wrapper (`function (module, exports, require)`,
/// `__commonJS({ "x.js"(exports, module) {…} })`, webpack's factories): its
/// body is the module's top level and runs once.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Dialect;

    /// The frequency of the (only) call of the global `mark()` in `src`,
    /// and its description.
    fn mark(src: &str) -> (Frequency, String) {
        let mut out = None;
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            let mut marks = m
                .calls
                .iter()
                .filter(|c| c.callee.path.as_ref().is_some_and(|p| p.is_global("mark")));
            let c = marks.next().expect("one mark() call");
            assert!(marks.next().is_none(), "exactly one mark() in {src}");
            let f = Frequencies::new(m);
            let freq = f.at(c.fn_ctx, c.span.start());
            let text = f.describe(&freq);
            out = Some((freq, text));
        });
        out.unwrap()
    }

    fn once(src: &str) -> String {
        let (f, why) = mark(src);
        assert!(f.is_once(), "expected once, got {f:?} ({why}) in:\n{src}");
        why
    }

    fn many(src: &str) -> String {
        let (f, why) = mark(src);
        assert!(
            matches!(f, Frequency::Many(_)),
            "expected many, got {f:?} ({why}) in:\n{src}"
        );
        why
    }

    /// Is the (only) `mark()` bounded by the launch?
    fn bounded(src: &str) -> bool {
        let mut out = None;
        crate::engine::with_model_for_test(src, Dialect::Ts, |m| {
            let c = m
                .calls
                .iter()
                .find(|c| c.callee.path.as_ref().is_some_and(|p| p.is_global("mark")))
                .expect("a mark() call");
            out = Some(Frequencies::new(m).bounded_by_launch(c.fn_ctx, c.span.start()));
        });
        out.unwrap()
    }

    #[test]
    fn recursion_called_only_from_top_level_is_bounded_by_the_launch() {
        // A retry that calls itself, started from top level: as deep as
        // the input goes, within one launch.
        let retry = "async function start(p) { if (await busy(p)) return start(0); mark() }
await start(8080)
";
        assert!(matches!(mark(retry).0, Frequency::Many(Why::Recursive(_))));
        assert!(bounded(retry));
        // Code called from it is bounded the same way.
        assert!(bounded(
            "function note() { mark() }
function walk(n) { note(); for (const c of n.kids) walk(c) }
walk(root)
"
        ));
        assert!(bounded(
            "mark()
"
        ));
    }

    #[test]
    fn events_loops_and_callers_out_of_view_are_not_bounded_by_the_launch() {
        // The same recursion started by every request.
        assert!(!bounded(
            "function start(p) { if (busy(p)) return start(0); mark() }
server.on('request', () => start(1))
"
        ));
        // Also handed out: callers out of view.
        assert!(!bounded(
            "function start(p) { if (busy(p)) return start(0); mark() }
start(1)
export { start }
"
        ));
        assert!(!bounded(
            "while (true) { mark() }
"
        ));
        assert!(!bounded(
            "setInterval(() => mark(), 10)
"
        ));
        assert!(!bounded(
            "export function f() { mark() }
"
        ));
    }

    #[test]
    fn top_level_straight_line_code_runs_once() {
        assert_eq!(once("mark()\n"), "module top level, which runs once");
        once("if (x) { mark() }\n");
    }

    #[test]
    fn top_level_loops_run_many_times() {
        let why = many("for (let i = 0; i < 1e6; i++) mark(i)\n");
        assert_eq!(why, "inside the `for` loop at line 1");
        many("while (true) { mark() }\n");
        many("do { mark() } while (1)\n");
        many("for (;;) { mark() }\n");
        many("const N = 1e6\nfor (let i = 0; i < N; i++) mark(i)\n");
        // A loop that awaits waits for something outside on every turn.
        let why =
            many("async function main() { while (running) { mark(await next()) } }\nmain()\n");
        assert_eq!(why, "inside the `while` loop at line 1");
        many("async function main() { for await (const r of server) mark(r) }\nmain()\n");
        // The seed's shape: a function called from a top-level loop.
        let why = many("function set(k) { mark(k) }\nfor (let i = 0; i < 1e6; i++) set(i)\n");
        assert_eq!(
            why, "called at line 2, inside the `for` loop at line 2",
            "the evidence names the loop"
        );
    }

    #[test]
    fn loops_over_a_fixed_count_run_once_at_load() {
        once("for (const k of ['a', 'b']) mark(k)\n");
        once("for (const k in table) mark(k)\n");
        once("for (let i = 0; i < 256; ++i) mark(i)\n");
        once("for (var i = 0, a = xs; i < a.length; i++) mark(a[i])\n");
        once("const argv = process.argv.slice(2)\nwhile (argv.length) mark(argv.shift())\n");
        once("var len = names.length\nfor (var i = 0; i < len; i += 1) mark(names[i])\n");
        once("for (let c = 'A'.charCodeAt(0); c <= 'Z'.charCodeAt(0); c++) mark(c)\n");
        once("let node = head\nwhile (node) { mark(node); node = node.next }\n");
    }

    #[test]
    fn functions_called_only_from_code_that_runs_once() {
        let why = once("function init(k) { mark(k) }\ninit('a')\ninit('b')\n");
        assert_eq!(why, "called only from code that runs once (line 2)");
        once("const load = (k) => { mark(k) }\nfunction main() { load('a') }\nmain()\n");
        once("class A { constructor() { mark() } }\nconst a = new A()\n");
        once("function later() { mark() }\nsetTimeout(later, 10)\n");
        once("function cb() { mark() }\nserver.listen(80, cb)\n");
    }

    #[test]
    fn exported_functions_run_many_times() {
        for src in [
            "export function init(k) { mark(k) }\ninit('a')\n",
            "function init(k) { mark(k) }\ninit('a')\nexport { init }\n",
            "function init(k) { mark(k) }\ninit('a')\nmodule.exports = { init }\n",
            "function init(k) { mark(k) }\nexports.init = init\n",
        ] {
            assert!(many(src).contains("exported"), "{src}");
        }
    }

    #[test]
    fn listeners_intervals_and_routes_run_many_times() {
        let why = many("server.on('request', (req) => { mark(req) })\n");
        assert_eq!(why, "a listener for `request` (line 1)");
        let why = many("function h(req) { mark(req) }\nserver.on('request', h)\n");
        assert_eq!(why, "a listener for `request` (line 2)");
        many(
            "function h(k) { mark(k) }\nfunction handle(req) { h(req.id) }\nserver.on('request', handle)\n",
        );
        many("setInterval(() => mark(), 1000)\n");
        let why = many("app.get('/users/:id', (req, res) => { mark(req) })\n");
        assert_eq!(why, "a handler of the route `get /users/:id` (line 1)");
        many("el.addEventListener('click', () => mark())\n");
        // A `then` callback runs as often as the code that chains it.
        many("server.on('request', () => { fetch(u).then(() => mark()) })\n");
        once("fetch(u).then(() => mark())\n");
    }

    #[test]
    fn unknown_callers_run_per_call() {
        let (f, _) = mark("function f(k) { mark(k) }\n");
        assert!(matches!(f, Frequency::PerCall(_)), "{f:?}");
        let (f, _) = mark("class A { m() { mark() } }\nnew A().m()\n");
        assert!(matches!(f, Frequency::PerCall(_)), "{f:?}");
        let (f, _) = mark("function f() { mark() }\nconst table = { f }\n");
        assert!(matches!(f, Frequency::PerCall(_)), "{f:?}");
        assert!(f.runs_many_times(), "nothing shows it runs once");
    }

    #[test]
    fn iifes_and_bundler_wrappers_run_once() {
        let why = once("(function () { mark() })()\n");
        assert!(why.starts_with("an immediately invoked function"), "{why}");
        let why = once(
            "var __webpack_modules__ = { 12: function (module, exports, __webpack_require__) { mark() } }\n",
        );
        assert!(why.starts_with("a bundler module wrapper"), "{why}");
        once("var require_x = __commonJS({ 'x.js'(exports2, module2) { mark() } })\n");
        // Inside a loop an IIFE runs on every turn.
        many("for (;;) { (() => mark())() }\n");
    }

    #[test]
    fn event_handler_properties_run_whenever_the_event_fires() {
        let why = many("onmessage = (ev) => { mark(ev.data) }\n");
        assert_eq!(
            why,
            "an event handler assigned to `onmessage` (line 1), run whenever the event fires"
        );
        many("const ws = new WebSocket(u)\nws.onmessage = function (ev) { mark(ev) }\n");
        // Through a callback the handler hands on, too.
        many("self.onmessage = (ev) => { queue.run(() => mark(ev)) }\n");
        // camelCase options and `once` are not handler properties; a declared
        // `onmessage` is an ordinary function.
        for src in [
            "const o = {}\no.onChange = () => mark()\n",
            "const o = {}\no.once = () => mark()\n",
            "const o = {}\no.on = () => mark()\n",
            "let onmessage\nonmessage = () => mark()\n",
        ] {
            let (f, why) = mark(src);
            assert!(
                matches!(f, Frequency::PerCall(_)),
                "{f:?} ({why}) in:\n{src}"
            );
        }
    }

    #[test]
    fn compiled_async_bodies_run_as_often_as_their_function() {
        // TypeScript's downlevel `async` (the helpers inline, as tsc emits them).
        let helpers = "var __awaiter = (this && this.__awaiter) || function (t, a, P, g) { return new P(function (res) { var it = g.apply(t, a || []); function step(r) { r.done ? res(r.value) : step(it.next(r.value)) } step(it.next()) }) };\nvar __generator = (this && this.__generator) || function (t, body) { var _ = { label: 0 }; while (_) { body.call(t, _) } };\n";
        let once_src = format!(
            "{helpers}function init() {{ return __awaiter(this, void 0, void 0, function () {{ return __generator(this, function (_a) {{ mark(); return [2] }}) }}) }}\ninit()\n"
        );
        once(&once_src);
        let many_src = format!(
            "{helpers}function handle(req) {{ return __awaiter(this, void 0, void 0, function () {{ return __generator(this, function (_a) {{ mark(req); return [2] }}) }}) }}\nexports.handle = handle\n"
        );
        let why = many(&many_src);
        assert!(why.contains("handle"), "{why}");
        // Through tslib, and esbuild's `__async`.
        once(
            "const tslib_1 = require('tslib')\nfunction init() { return tslib_1.__awaiter(this, void 0, void 0, function* () { mark() }) }\ninit()\n",
        );
        once("function init() { return __async(this, null, function* () { mark() }) }\ninit()\n");
        // Any other helper that takes a function may run it any number of times.
        many("function init() { return retry(function () { mark() }) }\ninit()\n");
    }

    #[test]
    fn callbacks_of_local_helpers_that_run_them_once() {
        let why = once(
            "function withLock(fn) { lock(); try { return fn() } finally { unlock() } }\nwithLock(() => mark())\n",
        );
        assert_eq!(
            why,
            "run once by the function it is passed to (line 2), which runs once"
        );
        once(
            "function guard(cb) { if (typeof cb === 'function') cb(null) }\nguard(function () { mark() })\n",
        );
        // The UMD wrapper: the factory runs once, whichever branch calls it.
        once(
            "(function (root, factory) {\n  if (typeof define === 'function' && define.amd) define([], factory)\n  else if (typeof module === 'object') module.exports = factory()\n  else root.Lib = factory()\n})(this, function () { mark() })\n",
        );
        // As often as the helper's caller.
        many("function run(fn) { fn() }\nserver.on('x', () => run(() => mark()))\n");
    }

    #[test]
    fn callbacks_a_helper_keeps_or_repeats_run_many_times() {
        for src in [
            "const hooks = []\nfunction onExit(fn) { hooks.push(fn) }\nonExit(() => mark())\n",
            "let saved\nfunction keep(fn) { saved = fn }\nkeep(() => mark())\n",
            "function each(fn) { for (;;) fn() }\neach(() => mark())\n",
            "function sub(fn) { emitter.on('x', () => fn()) }\nsub(() => mark())\n",
            "function sub(fn) { emitter.on('x', fn) }\nsub(() => mark())\n",
            "function sub({ fn }) { fn() }\nsub({ fn: () => mark() })\n",
        ] {
            let (f, why) = mark(src);
            assert!(f.runs_many_times(), "{src}: {why}");
        }
    }

    #[test]
    fn lazy_initialisation_runs_once() {
        let why = once(
            "let client\nexport function get() {\n  if (!client) { client = connect(); mark() }\n  return client\n}\n",
        );
        assert_eq!(why, "initialised once: guarded by `client`, set at line 3");
        once(
            "let installed = false\nexport function install() {\n  if (installed) return\n  installed = true\n  mark()\n}\n",
        );
        once("let x\nexport const get = () => x || (x = mark())\n");
        // Also set elsewhere, never cleared: the guard stays shut.
        once(
            "let ready = false\nexport function a() { if (!ready) { mark(); ready = true } }\nexport function b() { ready = true }\n",
        );
        // Functions created in the region run as often as they are called.
        once(
            "let ready\nexport function init() { if (!ready) { ready = true; start() } }\nfunction start() { mark() }\n",
        );
    }

    #[test]
    fn guards_that_rearm_or_change_run_many_times() {
        for src in [
            // Reset elsewhere: the guard opens again.
            "let c\nexport function get() { if (!c) { c = make(); mark() } }\nexport function reset() { c = null }\n",
            // A value that changes per call.
            "let current\nexport function on(req) { if (current !== req.id) { current = req.id; mark() } }\n",
            // A local name dies with the call.
            "export function f() { let x; if (!x) { x = 1; mark() } }\n",
            // A loop inside the region repeats.
            "let done\nexport function f() { if (!done) { done = true; for (;;) mark() } }\n",
            // Reset by a cleanup nested in the region.
            "let on = false\nexport function f() { if (on) return; on = true; mark(); return () => { on = false } }\n",
            // Cleared with `false` elsewhere.
            "let on = false\nexport function f() { if (!on) { on = true; mark() } }\nexport function g() { on = !1 }\n",
            // The test does not read the name.
            "let n\nexport function f(a) { if (a) { n = 1; mark() } }\n",
        ] {
            let (f, why) = mark(src);
            assert!(f.runs_many_times(), "{src}: {why}");
        }
    }

    #[test]
    fn recursion_runs_many_times() {
        let why = many("function f(k) { mark(k); f(k + 1) }\nf(0)\n");
        assert_eq!(why, "`f` calls itself");
        many("function a() { mark(); b() }\nfunction b() { a() }\na()\n");
        many("function poll() { mark(); setTimeout(poll, 100) }\npoll()\n");
    }

    #[test]
    fn iteration_callbacks_run_as_often_as_their_caller() {
        once("['a', 'b'].forEach((k) => mark(k))\n");
        many("server.on('x', (xs) => xs.forEach((k) => mark(k)))\n");
    }
}
