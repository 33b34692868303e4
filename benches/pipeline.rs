//! The per-file pipeline (parse → resolver → model → rules → suppress) on
//! representative sources, next to swc's parse alone for scale.
//! Run: `cargo bench --bench pipeline`. The sources are generated here, so no
//! third-party file is committed.

use std::path::Path;

use divan::{Bencher, black_box};
use leaklint::RuleSet;
use leaklint::parse::{self, Dialect};

fn main() {
    divan::main();
}

/// A small TypeScript module of the kind leaklint exists for: a cache, a
/// class with listeners and timers, a component-like lifecycle.
const SMALL_MODULE: &str = r#"import { EventEmitter } from "events";

const cache: Record<string, Buffer> = {};
const seen = new Map<string, number>();

export function remember(key: string, value: Buffer): void {
  cache[key] = value;
  setTimeout(() => { cache[key] = null as any; }, 5000);
}

export class Poller extends EventEmitter {
  private timer?: ReturnType<typeof setInterval>;
  private readonly onResize = () => this.emit("resize", window.innerWidth);

  start(intervalMs: number) {
    window.addEventListener("resize", this.onResize);
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  stop() {
    window.removeEventListener("resize", this.onResize);
    clearInterval(this.timer);
  }

  private async poll() {
    const res = await fetch("/status");
    const body = await res.json();
    seen.set(body.id, (seen.get(body.id) ?? 0) + 1);
    if (seen.size > 1000) seen.clear();
    this.emit("status", body);
  }
}

// leaklint-disable-next-line unbounded-cache -- cleared by stop()
const handlers: Array<(e: Event) => void> = [];
export const add = (h: (e: Event) => void) => handlers.push(h);
"#;

/// One function of application code; `i` varies every name so the resolver
/// and the scope index see as many distinct bindings as real code has.
fn unit(i: usize) -> String {
    format!(
        r#"
/** Loads and caches record {i}. */
export async function load{i}(id, options = {{}}) {{
  const key = `${{id}}:{i}`;
  if (registry{i}.has(key)) return registry{i}.get(key);
  const response = await fetch(`/api/{i}/${{id}}`, {{ ...options, method: "GET" }});
  if (!response.ok) throw new Error("failed " + response.status + " for " + key);
  const data = await response.json();
  const items = data.items.filter((x) => x.enabled && x.weight > {i}).map((x, n) => ({{ ...x, n }}));
  registry{i}.set(key, items);
  for (let n = 0; n < items.length; n++) {{
    switch (items[n].kind) {{
      case "a": total{i} += items[n].weight; break;
      case "b": total{i} -= items[n].weight; break;
      default: delete lookup{i}[items[n].id];
    }}
  }}
  return items.length > 0 ? items : null;
}}
const registry{i} = new Map();
let total{i} = 0;
const lookup{i} = Object.create(null);
class Widget{i} {{
  constructor(el) {{ this.el = el; this.onClick = this.onClick.bind(this); }}
  mount() {{ this.el.addEventListener("click", this.onClick); this.t = setInterval(() => this.tick(), {i}); }}
  unmount() {{ this.el.removeEventListener("click", this.onClick); clearInterval(this.t); }}
  onClick(e) {{ lookup{i}[e.target.id] = e; }}
  tick() {{ this.el.textContent = String(total{i}); }}
}}
"#
    )
}

/// About `units` functions of application code (~1.3 KB each).
fn large_file(units: usize) -> String {
    (0..units).map(unit).collect()
}

/// The same code with the whitespace a minifier removes, on one line.
fn minified(units: usize) -> String {
    large_file(units)
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("/**"))
        .collect::<Vec<_>>()
        .join("")
}

fn sources() -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("small-module", "small.ts", SMALL_MODULE.to_string()),
        ("large-file-100k", "large.js", large_file(75)),
        ("large-file-1m", "large.js", large_file(750)),
        ("minified-1m", "bundle.js", minified(900)),
    ]
}

#[divan::bench(args = ["small-module", "large-file-100k", "large-file-1m", "minified-1m"])]
fn lint_source(bencher: Bencher, name: &str) {
    let (_, file, text) = sources().into_iter().find(|s| s.0 == name).unwrap();
    let rules = RuleSet::default();
    bencher
        .counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| leaklint::lint_source(Path::new(file), black_box(&text), &rules));
}

/// swc's parser alone on the same text: the floor `lint_source` is measured against.
#[divan::bench(args = ["small-module", "large-file-100k", "large-file-1m", "minified-1m"])]
fn parse_only(bencher: Bencher, name: &str) {
    let (_, file, text) = sources().into_iter().find(|s| s.0 == name).unwrap();
    let path = Path::new(file);
    let dialect = Dialect::for_path(path).unwrap();
    bencher
        .counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| {
            parse::parse(path, black_box(&text), dialect, false)
                .map(|p| p.program)
                .ok()
        });
}
