//! Growing-collection candidates: JavaScript objects, arrays, Maps and Sets
//! with many entries, listener arrays of emitters, and Node's timer lists;
//! for each, who holds it (the culprit) and where in the source.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::dominators::Retention;
use super::graph::{Graph, NONE};
use super::source::{self, Declared, Place};

/// How the named root holds the collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Holder {
    /// A variable of a closure or module scope (a V8 context slot).
    ClosureVariable,
    /// A property of the global object.
    GlobalProperty,
    /// A field of a class instance.
    InstanceField,
    /// An export of a CommonJS module (`module.exports.NAME`).
    ModuleExport,
    /// Nothing better: the nearest named property on the retainer path.
    Property,
    /// A local variable of a function that was running when the snapshot was written.
    Stack,
    /// Held by internal structures only.
    Internal,
}

#[derive(Debug, Clone, Serialize)]
pub struct Culprit {
    /// The named root: a variable, global property or field name.
    pub variable: String,
    /// From the named root to the collection: `bus._events.tick`.
    pub accessor: String,
    pub holder: Holder,
    /// The class of the instance, for fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

/// What a collection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Object,
    Array,
    Map,
    Set,
    /// An emitter's listener array (`_events.NAME`).
    Listeners,
    /// A Node timer list (`setTimeout`/`setInterval` objects of one duration).
    Timers,
}

impl Kind {
    /// What one entry is called, for messages.
    pub fn entry_word(self) -> &'static str {
        match self {
            Kind::Object => "key",
            Kind::Array => "element",
            Kind::Map | Kind::Set => "entry",
            Kind::Listeners => "listener",
            Kind::Timers => "timer",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Collection {
    pub kind: Kind,
    /// Constructor name as the snapshot records it (`Object`, `Map`, …).
    pub constructor: String,
    /// The snapshot's node id (stable between snapshots of one process).
    pub id: u32,
    #[serde(skip)]
    pub node: u32,
    pub entries: u64,
    pub retained_bytes: u64,
    pub culprit: Culprit,
    /// Where the culprit is declared (or, failing that, the function that captures it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<Place>,
    /// Where the functions stored as entries (listeners, timer callbacks) were created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries_created_at: Option<Place>,
    /// The function whose closure holds the culprit's scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub captured_by: Option<String>,
    /// Shortest retainer path from the GC roots, one step per edge.
    pub retainer_path: Vec<String>,
    /// Duration of a timer list, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timer_ms: Option<u32>,
}

impl Collection {
    /// Whether the collection belongs to the runtime (Node's own `node:`
    /// scripts: its module cache, builtin tables) rather than the program.
    pub fn is_runtime(&self) -> bool {
        let runtime = |p: &Option<Place>| p.as_ref().is_some_and(|p| p.script.starts_with("node:"));
        runtime(&self.declared)
            && (self.entries_created_at.is_none() || runtime(&self.entries_created_at))
    }
}

/// Counts a node's entries, when it is a collection.
pub fn entries(g: &Graph, node: u32) -> Option<(Kind, u64)> {
    if g.node_type(node) != g.k.object {
        return None;
    }
    let name = g.name(node);
    if name.starts_with("system /") || name.starts_with("Weak") {
        return None;
    }
    if let Some(table) = g.child(node, g.k.e_internal, "table") {
        return Some(table_entries(g, table, name));
    }
    let mut props = 0u64;
    let mut elements = 0u64;
    for e in g.edges_of(node) {
        let t = g.edge_type(e);
        if t == g.k.e_property {
            if g.edge_name(e) != Some("__proto__") {
                props += 1;
            }
        } else if t == g.k.e_element && !g.is_oddball(g.edge_to(e)) {
            elements += 1;
        }
    }
    // A dictionary-mode object keeps its keys in `(object properties)`:
    // values that are small integers have no edge, but their keys do.
    if let Some(dict) = g.child(node, g.k.e_internal, "properties") {
        let mut slots = FxHashSet::default();
        for e in g.edges_of(dict) {
            if g.edge_type(e) == g.k.e_internal
                && g.node_type(g.edge_to(e)) == g.k.string
                && let Some(i) = g.edge_name(e).and_then(|n| n.parse::<u32>().ok())
            {
                slots.insert(i / 3);
            }
        }
        props = props.max(slots.len() as u64);
    }
    let kind = if name == "Array" || elements > props {
        Kind::Array
    } else {
        Kind::Object
    };
    Some((kind, props + elements))
}

/// Entries of an `OrderedHashMap`/`OrderedHashSet` backing table: slots are
/// edges named by index; a Map entry spans 3 slots (key, value, chain), a
/// Set entry 2. Slots holding small integers have no edge.
fn table_entries(g: &Graph, table: u32, constructor: &str) -> (Kind, u64) {
    let mut slots: Vec<u32> = g
        .edges_of(table)
        .filter_map(|e| {
            let t = g.edge_type(e);
            if t == g.k.e_element || t == g.k.e_hidden {
                Some(g.edge_index(e))
            } else if t == g.k.e_internal {
                g.edge_name(e).and_then(|n| n.parse().ok())
            } else {
                None
            }
        })
        .collect();
    slots.sort_unstable();
    slots.dedup();
    let map = if constructor.contains("Map") {
        true
    } else if constructor.contains("Set") {
        false
    } else {
        slots.windows(2).any(|w| w[1] - w[0] == 1)
    };
    let size = if map { 3 } else { 2 };
    let first = slots.first().copied().unwrap_or(0);
    let mut groups: Vec<u32> = slots.iter().map(|s| (s - first) / size).collect();
    groups.dedup();
    let kind = if map { Kind::Map } else { Kind::Set };
    (kind, groups.len() as u64)
}

/// Context for naming: which nodes are global objects.
pub struct Namer<'a> {
    g: &'a Graph,
    r: &'a Retention,
    globals: FxHashSet<u32>,
}

impl<'a> Namer<'a> {
    pub fn new(g: &'a Graph, r: &'a Retention) -> Namer<'a> {
        // The root's shortcut edges point at the user's global objects.
        let mut globals: FxHashSet<u32> = g
            .edges_of(0)
            .filter(|&e| g.edge_type(e) == g.k.e_shortcut)
            .map(|e| g.edge_to(e))
            .collect();
        for v in 0..g.node_count() as u32 {
            if g.node_type(v) == g.k.object
                && (g.name(v) == "global" || g.name(v).starts_with("Window"))
            {
                globals.insert(v);
            }
        }
        Namer { g, r, globals }
    }

    fn is_instance(&self, node: u32) -> bool {
        let g = self.g;
        g.node_type(node) == g.k.object && {
            let n = g.name(node);
            !matches!(n, "Object" | "Array" | "Map" | "Set" | "") && !n.starts_with("system /")
        }
    }

    /// The named root holding `node` along its shortest retainer path.
    pub fn culprit(&self, node: u32) -> (Culprit, Option<u32>) {
        let g = self.g;
        let path = self.naming_path(node);
        let mut steps: Vec<String> = Vec::new();
        let mut field: Option<(Culprit, u32)> = None;
        let mut nearest: Option<String> = None;
        let accessor = |root: &str, steps: &[String]| {
            let mut s = root.to_string();
            for step in steps.iter().rev() {
                s.push_str(step);
            }
            s
        };
        for &e in path.iter().rev().take(12) {
            let from = g.edge_from(e);
            let t = g.edge_type(e);
            let label = g.edge_label(e);
            if t == g.k.e_context {
                return (
                    Culprit {
                        accessor: accessor(&label, &steps),
                        variable: label,
                        holder: Holder::ClosureVariable,
                        class: None,
                    },
                    Some(from),
                );
            }
            if t == g.k.e_property {
                // `module.exports.NAME…` of a CommonJS module: the export
                // (whose declaration is in the module's file) is the root.
                if label == "exports"
                    && g.name(from) == "Module"
                    && let Some(first) = steps.pop()
                    && let Some(name) = first.strip_prefix('.')
                {
                    return (
                        Culprit {
                            accessor: accessor(name, &steps),
                            variable: name.to_string(),
                            holder: Holder::ModuleExport,
                            class: None,
                        },
                        Some(from),
                    );
                }
                if self.globals.contains(&from) {
                    return (
                        Culprit {
                            accessor: accessor(&label, &steps),
                            variable: label,
                            holder: Holder::GlobalProperty,
                            class: None,
                        },
                        None,
                    );
                }
                if field.is_none() && self.is_instance(from) {
                    let class = g.name(from).to_string();
                    field = Some((
                        Culprit {
                            accessor: format!("{class}.{}", accessor(&label, &steps)),
                            variable: label.clone(),
                            holder: Holder::InstanceField,
                            class: Some(class),
                        },
                        from,
                    ));
                }
                nearest.get_or_insert_with(|| label.clone());
                steps.push(if is_identifier(&label) {
                    format!(".{label}")
                } else {
                    format!("[{label:?}]")
                });
            } else if t == g.k.e_element {
                steps.push(format!("[{label}]"));
            }
        }
        if let Some((c, instance)) = field {
            return (c, Some(instance));
        }
        if nearest.is_none() && self.on_stack(node) {
            return (
                Culprit {
                    variable: String::new(),
                    accessor: "(a local variable of a running function)".to_string(),
                    holder: Holder::Stack,
                    class: None,
                },
                None,
            );
        }
        let variable = nearest.unwrap_or_else(|| g.name(node).to_string());
        let holder = if path.is_empty() {
            Holder::Internal
        } else {
            Holder::Property
        };
        (
            Culprit {
                accessor: variable.clone(),
                variable,
                holder,
                class: None,
            },
            None,
        )
    }

    /// The edges from a root to `node` that name it best: at each step up,
    /// a context variable if one holds the node, else the nearest
    /// property, else the shortest-path edge. The shortest path alone can
    /// run through a handle V8 held while writing the snapshot and miss the
    /// variable that keeps the object alive.
    fn naming_path(&self, node: u32) -> Vec<u32> {
        let g = self.g;
        let mut out = Vec::new();
        let mut seen = FxHashSet::default();
        let mut v = node;
        seen.insert(v);
        while out.len() < 12 {
            let mut best: Option<(u8, u32, u32)> = None;
            for e in g.retainers(v) {
                let t = g.edge_type(e);
                let rank = if t == g.k.e_context {
                    0
                } else if t == g.k.e_property {
                    1
                } else {
                    continue;
                };
                let from = g.edge_from(e);
                if !g.is_essential(from, e) || seen.contains(&from) {
                    continue;
                }
                let Some(depth) = self.r.depth(g, from) else {
                    continue;
                };
                let key = (rank, depth, e);
                if best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
            }
            let e = match best {
                Some((_, _, e)) => e,
                None => match self.r.parent_edge[v as usize] {
                    NONE => break,
                    e => e,
                },
            };
            out.push(e);
            v = g.edge_from(e);
            if !seen.insert(v) {
                break;
            }
        }
        out.reverse();
        out
    }

    /// Whether the node's shortest path starts at the stack or at a handle
    /// scope (a local variable of a function that was running).
    fn on_stack(&self, node: u32) -> bool {
        let g = self.g;
        self.r.path(g, node).iter().take(3).any(|&e| {
            let n = g.name(g.edge_to(e));
            n == "(Stack roots)" || n == "(Handle scope)"
        })
    }

    /// The retainer path as text, one step per edge: `(GC roots)`, then
    /// `Node --edge-->` steps.
    /// With `through_culprit`, the path goes through the culprit's naming
    /// path (the shortest path alone may run through a handle held while
    /// writing the snapshot); without, it is the shortest path (timer lists,
    /// whose timers all retain each other).
    pub fn path_text(&self, node: u32, through_culprit: bool) -> Vec<String> {
        let g = self.g;
        let naming = if through_culprit {
            self.naming_path(node)
        } else {
            Vec::new()
        };
        let top = naming.first().map_or(node, |&e| g.edge_from(e));
        let mut path = self.r.path(g, top);
        path.extend(naming);
        path.iter()
            .skip(1)
            .map(|&e| {
                let from = g.edge_from(e);
                format!(
                    "{} --{}[{}]-->",
                    short(g.name(from)),
                    g.edge_type_name(e),
                    g.edge_label(e)
                )
            })
            .chain(std::iter::once(short(g.name(node))))
            .collect()
    }
}

fn short(s: &str) -> String {
    let s = s.lines().next().unwrap_or("");
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && !s.as_bytes()[0].is_ascii_digit()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
}

/// Closures whose scope is this context (they capture its variables).
fn closures_of_context(g: &Graph, context: u32) -> Vec<u32> {
    g.retainers(context)
        .filter(|&e| g.edge_type(e) == g.k.e_internal && g.edge_name(e) == Some("context"))
        .map(|e| g.edge_from(e))
        .filter(|&c| g.node_type(c) == g.k.closure)
        .collect()
}

/// Scripts of the program, not of the runtime (`node:…`, `internal/…`,
/// unnamed): nodes with both a `source` and a `name`.
fn user_scripts(g: &Graph) -> Vec<u32> {
    (0..g.node_count() as u32)
        .filter(|&v| g.node_type(v) == g.k.code)
        .filter(|&v| g.child(v, g.k.e_internal, "source").is_some())
        .filter(|&v| {
            source::script_name(g, v).is_some_and(|n| {
                !n.starts_with("node:")
                    && !n.starts_with("internal/")
                    && !n.starts_with("evalmachine")
            })
        })
        .take(10_000)
        .collect()
}

/// Scripts of the functions whose scope a context is.
fn scope_scripts(g: &Graph, context: u32) -> Vec<u32> {
    let Some(scope) = g.child(context, g.k.e_internal, "scope_info") else {
        return Vec::new();
    };
    let mut out: Vec<u32> = g
        .retainers(scope)
        .map(|e| g.edge_from(e))
        .filter(|&f| g.node_type(f) == g.k.code)
        .filter_map(|sfi| {
            g.edges_of(sfi)
                .find(|&e| {
                    g.edge_type(e) == g.k.e_internal
                        && g.edge_name(e).is_some_and(|n| n.starts_with("script"))
                })
                .map(|e| g.edge_to(e))
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The most common place among closures, with how many share it.
fn most_common_place(g: &Graph, closures: impl Iterator<Item = u32>) -> Option<Place> {
    let mut count: FxHashMap<(u32, u32, u32), (u32, u32)> = FxHashMap::default();
    for c in closures.take(100_000) {
        if let Some(loc) = g.location(c) {
            let slot = count
                .entry((loc.script_id, loc.line, loc.column))
                .or_insert((0, c));
            slot.0 += 1;
        }
    }
    let (_, (_, c)) = count
        .into_iter()
        .max_by_key(|(k, (n, _))| (*n, std::cmp::Reverse(*k)))?;
    source::closure_place(g, c)
}

/// Source text for declaration lookups: the file on disk, else the snapshot's copy.
pub struct Sources {
    cache: FxHashMap<String, Option<String>>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources {
            cache: FxHashMap::default(),
        }
    }

    fn text<'s>(
        &'s mut self,
        g: &Graph,
        script_name: &str,
        script_node: Option<u32>,
    ) -> Option<&'s str> {
        let entry = self
            .cache
            .entry(script_name.to_string())
            .or_insert_with(|| {
                let path = script_name.strip_prefix("file://").unwrap_or(script_name);
                let disk = std::fs::metadata(path)
                    .ok()
                    .filter(|m| m.is_file() && m.len() < 64 * 1024 * 1024)
                    .and_then(|_| std::fs::read_to_string(path).ok());
                disk.or_else(|| {
                    script_node
                        .and_then(|s| source::script_source(g, s))
                        .map(str::to_string)
                })
            });
        entry.as_deref()
    }
}

impl Default for Sources {
    fn default() -> Self {
        Sources::new()
    }
}

/// Finds every collection with at least `min_entries` entries, and every
/// timer list with at least that many timers.
pub fn find(g: &Graph, r: &Retention, min_entries: u64) -> Vec<Collection> {
    let namer = Namer::new(g, r);
    let mut sources = Sources::new();
    let mut out = Vec::new();
    for v in 0..g.node_count() as u32 {
        if r.parent_edge[v as usize] == NONE {
            continue; // unreachable: garbage the snapshot still lists
        }
        if let Some(list) = timer_list(g, v) {
            if list.len() as u64 >= min_entries {
                out.push(timers(g, r, &namer, &mut sources, v, &list));
            }
            continue;
        }
        let Some((kind, n)) = entries(g, v) else {
            continue;
        };
        if n < min_entries {
            continue;
        }
        out.push(collection(g, r, &namer, &mut sources, v, kind, n));
    }
    out.sort_by(|a, b| {
        b.retained_bytes
            .cmp(&a.retained_bytes)
            .then(a.id.cmp(&b.id))
    });
    out
}

/// Describes one collection node.
pub fn collection(
    g: &Graph,
    r: &Retention,
    namer: &Namer,
    sources: &mut Sources,
    v: u32,
    mut kind: Kind,
    n: u64,
) -> Collection {
    let (culprit, holder_node) = namer.culprit(v);
    if kind == Kind::Array && culprit.accessor.contains("._events.") {
        kind = Kind::Listeners;
    }
    // Functions stored as entries (directly, or in a Map's or Set's
    // table): where were they made?
    let table = g.child(v, g.k.e_internal, "table");
    let closures = g
        .edges_of(v)
        .chain(table.into_iter().flat_map(|t| g.edges_of(t)))
        .map(|e| g.edge_to(e))
        .filter(|&c| g.node_type(c) == g.k.closure);
    let entries_created_at = most_common_place(g, closures);
    let (declared, captured_by) = locate(
        g,
        sources,
        &culprit,
        holder_node,
        entries_created_at.as_ref(),
    );
    Collection {
        kind,
        constructor: g.name(v).to_string(),
        id: g.id(v),
        node: v,
        entries: n,
        retained_bytes: r.retained(v),
        culprit,
        declared,
        entries_created_at,
        captured_by,
        retainer_path: namer.path_text(v, true),
        timer_ms: None,
    }
}

/// Where the culprit is declared: in the script of the closures that
/// capture its scope (variables), of the instance's class (fields), or of
/// the entries' functions; the capturing function's own line when the
/// declaration cannot be found in the source.
fn locate(
    g: &Graph,
    sources: &mut Sources,
    culprit: &Culprit,
    holder_node: Option<u32>,
    fallback: Option<&Place>,
) -> (Option<Place>, Option<String>) {
    let mut candidates: Vec<u32> = Vec::new();
    let how = match culprit.holder {
        Holder::ClosureVariable => {
            if let Some(ctx) = holder_node {
                candidates = closures_of_context(g, ctx);
            }
            Declared::Variable
        }
        Holder::InstanceField => {
            // The class: instance → __proto__ → constructor.
            if let Some(ctor) = holder_node
                .and_then(|i| g.child(i, g.k.e_property, "__proto__"))
                .and_then(|p| g.child(p, g.k.e_property, "constructor"))
            {
                candidates.push(ctor);
            }
            Declared::Field
        }
        Holder::GlobalProperty => Declared::Global,
        Holder::ModuleExport => Declared::Variable,
        Holder::Property | Holder::Internal | Holder::Stack => Declared::Field,
    };
    candidates.retain(|&c| g.location(c).is_some());
    candidates.sort_by_key(|&c| g.location(c).map(|l| (l.line, l.column)));
    let captured_by = candidates.first().map(|&c| {
        let name = g.name(c);
        if name.is_empty() {
            "(anonymous)".to_string()
        } else {
            name.to_string()
        }
    });
    let mut places: Vec<(Place, Option<u32>)> = candidates
        .iter()
        .filter_map(|&c| Some((source::closure_place(g, c)?, source::script_of(g, c))))
        .collect();
    if places.is_empty()
        && culprit.holder == Holder::ClosureVariable
        && let Some(ctx) = holder_node
    {
        // No live closure shares the scope (the functions that did are
        // garbage): the scope's function is still known through its
        // ScopeInfo, which its shared function info points to.
        places.extend(scope_scripts(g, ctx).into_iter().map(|s| {
            (
                Place {
                    script: source::script_name(g, s).unwrap_or_default(),
                    line: 1,
                    column: 1,
                },
                Some(s),
            )
        }));
        places.retain(|(p, _)| !p.script.is_empty());
    }
    if culprit.holder == Holder::ModuleExport
        && let Some(file) = holder_node
            .and_then(|m| g.child(m, g.k.e_property, "filename"))
            .filter(|&f| g.node_type(f) == g.k.string)
    {
        places.push((
            Place {
                script: g.name(file).to_string(),
                line: 1,
                column: 1,
            },
            None,
        ));
    }
    places.extend(fallback.map(|p| (p.clone(), None)));
    if culprit.holder == Holder::GlobalProperty {
        // Any script may assign a global: look in the program's own.
        places.extend(user_scripts(g).into_iter().filter_map(|s| {
            let script = source::script_name(g, s)?;
            Some((
                Place {
                    script,
                    line: 1,
                    column: 1,
                },
                Some(s),
            ))
        }));
    }
    for (place, script_node) in &places {
        if let Some(text) = sources.text(g, &place.script, *script_node)
            && let Some((line, column)) = source::declaration(text, &culprit.variable, how)
        {
            return (
                Some(Place {
                    script: place.script.clone(),
                    line,
                    column,
                }),
                captured_by,
            );
        }
    }
    (places.into_iter().next().map(|(p, _)| p), captured_by)
}

/// A Node timer list head (`TimersList`: a ring of timers linked by
/// `_idleNext`): the timers in it.
fn timer_list(g: &Graph, v: u32) -> Option<Vec<u32>> {
    if g.node_type(v) != g.k.object || g.name(v) != "TimersList" {
        return None;
    }
    let mut list = Vec::new();
    let mut seen = FxHashSet::default();
    let mut cur = g.child(v, g.k.e_property, "_idleNext")?;
    while cur != v && seen.insert(cur) {
        list.push(cur);
        match g.child(cur, g.k.e_property, "_idleNext") {
            Some(next) => cur = next,
            None => break,
        }
    }
    Some(list)
}

fn timers(
    g: &Graph,
    r: &Retention,
    namer: &Namer,
    sources: &mut Sources,
    v: u32,
    list: &[u32],
) -> Collection {
    let callbacks = list
        .iter()
        .filter_map(|&t| g.child(t, g.k.e_property, "_onTimeout"))
        .filter(|&c| g.node_type(c) == g.k.closure);
    let entries_created_at = most_common_place(g, callbacks);
    // Who else holds the timers: the most common field of an instance.
    let mut fields: FxHashMap<(String, String), (u32, u32)> = FxHashMap::default();
    for &t in list.iter().take(100_000) {
        for e in g.retainers(t) {
            let from = g.edge_from(e);
            if g.edge_type(e) == g.k.e_property
                && namer.is_instance(from)
                && g.name(from) != "Timeout"
                && from != v
            {
                let slot = fields
                    .entry((g.name(from).to_string(), g.edge_label(e)))
                    .or_insert((0, from));
                slot.0 += 1;
            }
        }
    }
    // Node keeps each list in a map keyed by its duration (`timerListMap[ms]`)
    // and also in a priority queue (an array, whose element index is not a
    // duration) and in the linked list of its timers (`_idlePrev`): only a
    // numeric key of a retainer that is not an array names the duration.
    let ms = g.retainers(v).find_map(|e| {
        let keyed = g.edge_type(e) == g.k.e_element || g.edge_type(e) == g.k.e_property;
        if !keyed || g.name(g.edge_from(e)) == "Array" {
            return None;
        }
        g.edge_label(e).parse().ok()
    });
    let best = fields
        .into_iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.0.cmp(&a.0)));
    let (culprit, holder) = match best {
        Some(((class, field), (_, instance))) => (
            Culprit {
                accessor: format!("{class}.{field}"),
                variable: field,
                holder: Holder::InstanceField,
                class: Some(class),
            },
            Some(instance),
        ),
        None => (
            Culprit {
                accessor: "timer list".to_string(),
                variable: String::new(),
                holder: Holder::Internal,
                class: None,
            },
            None,
        ),
    };
    let (declared, captured_by) = if culprit.variable.is_empty() {
        (entries_created_at.clone(), None)
    } else {
        locate(g, sources, &culprit, holder, entries_created_at.as_ref())
    };
    Collection {
        kind: Kind::Timers,
        constructor: g.name(v).to_string(),
        id: g.id(v),
        node: v,
        entries: list.len() as u64,
        retained_bytes: r.retained(v),
        culprit,
        declared,
        entries_created_at,
        captured_by,
        retainer_path: namer.path_text(v, false),
        timer_ms: ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::graph::tests::graph;

    #[test]
    fn counts_object_keys_array_elements_and_map_entries() {
        let g = graph(&[
            ("synthetic", "", 0, &[("element", "0", 1)]),
            (
                "object",
                "Object",
                24,
                &[
                    ("property", "a", 4),
                    ("property", "b", 4),
                    ("property", "__proto__", 4),
                ],
            ),
            (
                "object",
                "Array",
                32,
                &[
                    ("element", "0", 5),
                    ("element", "1", 4),
                    ("element", "2", 5),
                ],
            ),
            ("object", "Map", 32, &[("internal", "table", 6)]),
            ("hidden", "system / Oddball", 16, &[]),
            ("object", "Object", 16, &[]),
            (
                "array",
                "",
                200,
                &[
                    ("internal", "7", 5),
                    ("internal", "8", 5),
                    ("internal", "11", 5),
                    ("internal", "map", 4),
                ],
            ),
            ("object", "WeakMap", 32, &[("internal", "table", 6)]),
        ]);
        assert_eq!(entries(&g, 1), Some((Kind::Object, 2)));
        assert_eq!(entries(&g, 2), Some((Kind::Array, 2)));
        assert_eq!(entries(&g, 3), Some((Kind::Map, 2)));
        assert_eq!(entries(&g, 6), None);
        assert_eq!(entries(&g, 7), None);
    }

    #[test]
    fn names_the_closure_variable_that_holds_a_collection() {
        let g = graph(&[
            ("synthetic", "", 0, &[("element", "0", 1)]),
            (
                "closure",
                "setLocalCache",
                64,
                &[("internal", "context", 2)],
            ),
            (
                "object",
                "system / Context",
                40,
                &[("context", "localCache", 3)],
            ),
            (
                "object",
                "Object",
                24,
                &[("property", "k1", 4), ("property", "k2", 4)],
            ),
            ("hidden", "system / Oddball", 16, &[]),
        ]);
        let r = Retention::compute(&g);
        let found = find(&g, &r, 2);
        assert_eq!(found.len(), 1);
        let c = &found[0];
        assert_eq!(c.culprit.variable, "localCache");
        assert_eq!(c.culprit.holder, Holder::ClosureVariable);
        assert_eq!(c.entries, 2);
        assert_eq!(
            c.retained_bytes,
            24 + 16,
            "the object and the value only it holds"
        );
        assert_eq!(c.captured_by.as_deref(), None, "no location recorded");
    }

    #[test]
    fn names_listener_arrays_by_emitter_and_event() {
        let g = graph(&[
            ("synthetic", "", 0, &[("element", "0", 1)]),
            ("object", "system / Context", 40, &[("context", "bus", 2)]),
            ("object", "EventEmitter", 40, &[("property", "_events", 3)]),
            ("object", "Object", 24, &[("property", "tick", 4)]),
            (
                "object",
                "Array",
                32,
                &[("element", "0", 5), ("element", "1", 5)],
            ),
            ("closure", "", 32, &[]),
        ]);
        let r = Retention::compute(&g);
        let found = find(&g, &r, 2);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, Kind::Listeners);
        assert_eq!(found[0].culprit.accessor, "bus._events.tick");
    }
}
