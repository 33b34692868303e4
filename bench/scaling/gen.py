#!/usr/bin/env python3
"""Write one synthetic JS file with N copies of the shapes whose analysis used to be quadratic.

usage: gen.py N OUT.js

Each copy has a class whose constructor adds a window listener and starts an interval,
methods that write to module-level containers (a dynamic key, a null write, a push), a
promise executor that adds an 'abort' listener removed only through a helper on some ways
out, and an exported factory. Real bundles hold thousands of such sites in one file: every
per-site question that walks the whole file makes the run quadratic in the file's size.
"""
import sys

n, out = int(sys.argv[1]), sys.argv[2]
parts = ["const cache = {}; const registry = new Map(); const log = [];"]
for i in range(n):
    parts.append(f"""
function helper{i}(x) {{ return x + {i} }}
function done{i}(signal, handler) {{ signal.removeEventListener('abort', handler) }}
class Widget{i} {{
  constructor(options) {{
    this.onResize = () => this.run(options);
    window.addEventListener('resize', this.onResize);
    this.timer = setInterval(() => this.tick(), 1000);
    this.byKey = new Map();
  }}
  run(o) {{ cache[o.id + {i}] = o; registry.set(o.key, this); log.push(o); this.byKey.set(o.k, o) }}
  tick() {{ helper{i}(1) }}
  destroy() {{ window.removeEventListener('resize', this.onResize); clearInterval(this.timer) }}
  fetch(config) {{
    return new Promise((resolve, reject) => {{
      const signal = config.signal;
      const onAbort = () => reject(new Error('aborted'));
      signal.addEventListener('abort', onAbort);
      const xhr = new XMLHttpRequest();
      xhr.onload = () => {{ done{i}(signal, onAbort); resolve(xhr) }};
      xhr.onerror = () => reject(new Error('network'));
      xhr.send();
    }});
  }}
}}
export function make{i}(o) {{ const w = new Widget{i}(o); w.run(o); return w }}
process.on('message', (m) => {{ cache[m.id] = null; make{i}(m) }});
""")
with open(out, "w") as f:
    f.write("\n".join(parts))
