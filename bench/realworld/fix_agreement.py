#!/usr/bin/env python3
"""Does leaklint's fix or help lead to the kind of change the maintainers shipped?

usage: fix_agreement.py LEAKLINT_BINARY [--markdown] [--json OUT] [--shared DIR]
       fix_agreement.py --check        (validate fix_kinds.json and the classifier; no binary)

For every shipped leak of both real-world case sets that leaklint finds, this compares the
kind of fix the maintainers shipped (fix_kinds.json, read by hand from the diff between the
leaky and the fixed file) with the kind of change leaklint's own suggestion asks for (its
autofix text, its help text, its message and its rule), and counts the agreements.

Case sets: "shared" is ../shared/realworld (found by walking up from this folder, or --shared
DIR); "bench" is this folder's cases.json. Tarballs come from the runners' cache (fetched with
`npm pack` on first use, as score.py does).

"Found" has each runner's own meaning:
  shared  a problem starts on one of the leaky lines; for a one-line file (leaky_lines == [1]
          and no newline) it must also start within 400 columns of the quoted snippet.
  bench   a problem starts on one of the leaky lines; on a line longer than 1000 characters it
          must also start within 400 columns of the snippet on that line (score.py's Target).
leaklint runs as `LEAKLINT --format json FILE`, plus `--confidence medium` when its --help
lists that option (so that medium-confidence findings count as found, as in the runners' intent).

Fix kinds (closed vocabulary; fix_kinds.json uses the same words):
  delete-instead-of-null       the entry is deleted (delete o[k] / map.delete(k)) instead of set to null/undefined
  remove-entry-on-all-paths    the entry is removed when its work is done: success and error paths,
                               its own timer callback, after a one-off use, when its bucket empties
  remove-entry-in-teardown     the entry is removed when its owner is destroyed (destroy hook, close)
  remove-listener-in-teardown  a kept reference is removed (off/removeListener) in the owner's close/destroy
  remove-listener-after-use    the listener is removed when the per-call operation ends (once, or off on the
                               request's close/end)
  abort-signal-cleanup         the 'abort' listener on a caller's AbortSignal is removed when the operation
                               settles, on every path
  same-listener-reference      add and remove get the same function (bound once, stored), so the existing
                               removal finally matches
  clear-timer                  the timer handle is kept and cleared (clearTimeout/clearInterval/cancelAnimationFrame)
  bound-cache                  the container gets a bound: LRU, max size, TTL/maxAge eviction, a cap
  weak-reference               WeakMap/WeakSet/WeakRef/FinalizationRegistry instead of a strong container
  drop-registry                the registry, array, cache or memoization is not kept at all
  reuse-single-listener        one listener registered once (flag, module level) instead of one per call
  guard-registration           nothing is added (entry, listener, timer, buffered data) on the path where
                               nothing would remove it: a condition skips the registration
  scope-to-short-lived-owner   the listener/state moves to a per-call or per-instance object that dies with
                               the call, instead of a shared long-lived one
  propagate-cleanup            the wrapper's return()/dispose calls the inner one (iterator, observable)
  other                        anything else (fix_kinds.json explains it in the summary)

Compatibility table: two different kinds count as the same change when a developer following
one writes the same code as the other, only at a different place:
  {remove-listener-in-teardown, remove-listener-after-use, abort-signal-cleanup}
      keep a reference to the listener and call off()/removeEventListener() when the listener's
      owner or operation ends; leaklint's "call X.off(...) when the owner is done (in its
      close/end handler or destroy())" covers all three.
  {remove-entry-on-all-paths, remove-entry-in-teardown}
      delete/splice the entry at the end of its life (work done or owner gone).
No other pair is compatible: bounding, weak references, dropping the registry, registering once,
guarding the registration and moving to a short-lived owner are different changes. A maintainer
fix that did two things lists the second in "also"; either one may agree.

Classifying leaklint's suggestion (per finding on a leaky line):
  1. an autofix whose text is `delete …` or `….delete(…)`, or the rule null-instead-of-delete
     -> delete-instead-of-null
  2. a message or help that says the existing removal cannot match (a fresh function, .bind(),
     "same reference", "bind the method once") -> same-listener-reference
  3. otherwise the help text is scanned with the keyword rules of HELP_RULES below; the advice
     offered FIRST (earliest match in the help) is leaklint's kind, the later ones are
     alternatives; no match -> other.
A case agrees when every distinct kind leaklint gives on its leaky lines is compatible with the
maintainers' kind (or an "also" kind). A second count also accepts the alternatives.
Last line: 'fix agreement A/F found cases (shared a1/f1, bench a2/f2)'.
"""
import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

KINDS = (
    "delete-instead-of-null", "remove-entry-on-all-paths", "remove-entry-in-teardown",
    "remove-listener-in-teardown", "remove-listener-after-use", "abort-signal-cleanup",
    "same-listener-reference", "clear-timer", "bound-cache", "weak-reference", "drop-registry",
    "reuse-single-listener", "guard-registration", "scope-to-short-lived-owner",
    "propagate-cleanup", "other",
)

COMPATIBLE = (
    frozenset({"remove-listener-in-teardown", "remove-listener-after-use", "abort-signal-cleanup"}),
    frozenset({"remove-entry-on-all-paths", "remove-entry-in-teardown"}),
)

# Keyword rules over the help text: (kind, pattern). Written from the help texts of every rule in
# src/rules/*.rs and rules/*.md; matched case-insensitively anywhere, the earliest match is the
# first advice.
HELP_RULES = (
    # clear the timer: clearInterval(handle), clearTimeout(handle), cancelAnimationFrame(id), or a
    # stop flag checked before a self-re-arming timeout re-arms
    ("clear-timer", r"\bclear(?:Interval|Timeout)\b|\bcancelAnimationFrame\b|\bstop flag\b"),
    # remove the listener / subscription / observer: X.off(...), removeEventListener(...),
    # removeListener(...), unsubscribe(), disconnect(), or abort a controller passed as { signal }
    ("remove-listener-in-teardown",
     r"\.(?:off|removeListener|removeEventListener|removeAllListeners)\(|\bunsubscribe\b"
     r"|\.disconnect\(\)|`\{ signal \}`|\babort the controller\b|\.abort\(\)"),
    # fire once: .once() or { once: true }
    ("remove-listener-after-use", r"\.once\(\)|\bonce: true\b"),
    # bound the container: LRU, lru-cache with max, a size limit, maxAge, cap it, bounded cache
    ("bound-cache",
     r"\bLRU\b|\blru-cache\b|\bbounded\b|\bsize limit\b|\bmaxAge\b|`\{ ?max:|\bcap it\b"
     r"|\bbound the (?:cache|map|array)\b|\bevict(?:ed|ion)?\b"),
    # hold weakly
    ("weak-reference", r"\bWeakRef\b|\bweakly\b|\bFinalizationRegistry\b|\buse a `?Weak(?:Map|Set)\b"),
    # do not keep the registry / cache at all
    ("drop-registry",
     r"\b[Dd]o not keep\b|\b[Dd]on't keep\b|\bon demand\b|\bmemoize per request\b"
     r"|\b(?:drop|remove) the (?:cache|registry|memoi[sz]ation)\b"),
    # remove the entry when the owner goes away
    ("remove-entry-in-teardown",
     r"\bremove (?:elements|entries|it) when (?:their|its) owner (?:goes away|is destroyed|is done)\b"),
    # remove the entry when it is done
    ("remove-entry-on-all-paths",
     r"\bremove (?:entries|elements)\b(?! when (?:their|its) owner)|\bempty it after use\b"
     r"|\breal deletion\b|\bdelete (?:it|the entry) when\b"),
    # add nothing where nothing removes it
    ("guard-registration", r"\bonly when it exists\b|\binstead of creating it\b|\bonly while\b"),
    # register once
    ("reuse-single-listener",
     r"\b(?:register|add|subscribe) (?:it |the listener )?once\b|\bone listener\b|\bat module level\b"),
    # forward the cleanup
    ("propagate-cleanup", r"\.return\(\)|\bpropagate\b|\bcall the inner\b|\bforward the (?:return|cleanup)\b"),
)

MISMATCH = re.compile(
    r"can never match|matches nothing|not the one added|never the function that was added"
    r"|same reference|bind the method once|bound once")
DELETE_FIX = re.compile(r"^\s*delete\b|\.delete\(")


def compatible(a, b):
    return a == b or any(a in group and b in group for group in COMPATIBLE)


def help_kinds(help_text):
    """Kinds the help text offers, in the order it offers them."""
    found = []
    for kind, pattern in HELP_RULES:
        m = re.search(pattern, help_text or "", re.IGNORECASE)
        if m:
            found.append((m.start(), kind))
    return [k for _, k in sorted(found)]


def classify(rule, message, help_text, fix_text):
    """(kind, alternatives) for one leaklint finding."""
    offered = help_kinds(help_text)
    if (fix_text and DELETE_FIX.search(fix_text)) or rule == "null-instead-of-delete":
        primary = "delete-instead-of-null"
    elif MISMATCH.search(message or "") or MISMATCH.search(help_text or ""):
        primary = "same-listener-reference"
    elif offered:
        primary = offered[0]
    else:
        primary = "other"
    return primary, [k for k in offered if k != primary]


# ---------------------------------------------------------------- running leaklint

def load_runner():
    """This folder's score.py: its fetch() and Target (the bench runner's found semantics)."""
    spec = importlib.util.spec_from_file_location("bench_score", os.path.join(HERE, "score.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def find_shared(explicit):
    if explicit:
        return os.path.abspath(explicit)
    d = HERE
    while True:
        cand = os.path.join(d, "shared", "realworld")
        if os.path.exists(os.path.join(cand, "cases.json")):
            return cand
        parent = os.path.dirname(d)
        if parent == d:
            sys.exit("cannot find shared/realworld/cases.json above this folder; pass --shared DIR")
        d = parent


def lint_args(binary):
    out = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    return ["--confidence", "medium"] if "--confidence" in out else []


def lint(binary, extra, path):
    proc = subprocess.run([binary, "--format", "json", *extra, path],
                          capture_output=True, text=True, timeout=900)
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.exit(f"{path}: leaklint printed no JSON (exit {proc.returncode}): {proc.stderr.strip()[:300]}")
    found = []
    for result in doc if isinstance(doc, list) else doc.get("results", []):
        for m in result.get("messages", []):
            if m.get("fatal") or not m.get("ruleId"):
                continue
            found.append({"rule": m["ruleId"], "line": m.get("line"), "column": m.get("column") or 0,
                          "message": m.get("message", ""), "help": m.get("help") or "",
                          "fix": (m.get("fix") or {}).get("text"),
                          "confidence": m.get("confidence")})
    return found


def shared_hit(case, text):
    """score.py of ../shared/realworld: leaky line; for a one-line file, near the snippet."""
    lines = set(case["leaky_lines"])
    one_line = lines == {1} and "\n" not in text.strip()
    col = text.find(case["leaky_snippet"][:40]) + 1 if one_line else 0

    def hit(p):
        if one_line:
            return p["line"] == 1 and col > 0 and abs(p["column"] - col) < 400
        return p["line"] in lines
    return hit


def evaluate(binary, shared_dir, kinds):
    runner = load_runner()
    extra = lint_args(binary)
    rows = []
    for setname, folder in (("shared", shared_dir), ("bench", HERE)):
        with open(os.path.join(folder, "cases.json")) as f:
            cases = json.load(f)
        for c in cases:
            key = f"{setname}/{c['package']}@{c['leaky_version']}/{c['file']}"
            if key not in kinds:
                sys.exit(f"{key}: no entry in fix_kinds.json")
            path = os.path.join(runner.fetch(c["package"], c["leaky_version"],
                                             c.get("leaky_tarball_integrity")), c["file"])
            text = runner.read(path)
            hit = shared_hit(c, text) if setname == "shared" else runner.Target(c, text).hit
            hits = [p for p in lint(binary, extra, path) if hit(p)]
            if not hits:
                continue
            want = [kinds[key]["kind"], *kinds[key].get("also", [])]
            got = []
            for p in hits:
                primary, alts = classify(p["rule"], p["message"], p["help"], p["fix"])
                got.append({"line": p["line"], "rule": p["rule"], "kind": primary,
                            "alternatives": alts, "confidence": p["confidence"]})
            primaries = sorted({g["kind"] for g in got})
            offered = sorted({k for g in got for k in [g["kind"], *g["alternatives"]]})
            rows.append({
                "set": setname, "case": key.split("/", 1)[1], "maintainer": want,
                "leaklint": primaries, "rules": sorted({g["rule"] for g in got}),
                "alternatives": sorted(set(offered) - set(primaries)), "findings": got,
                "agree": all(any(compatible(k, w) for w in want) for k in primaries),
                "agree_with_alternatives": any(compatible(k, w) for k in offered for w in want),
            })
    return rows, extra


def summary(rows, field="agree"):
    def count(sel):
        return sum(r[field] for r in sel), len(sel)
    a, f = count(rows)
    a1, f1 = count([r for r in rows if r["set"] == "shared"])
    a2, f2 = count([r for r in rows if r["set"] == "bench"])
    return a, f, a1, f1, a2, f2


# ---------------------------------------------------------------- checks (no binary)

SAMPLES = (  # help texts as the rules write them, with the kind each must give
    ("null-instead-of-delete", "", "assigning null or undefined keeps the key, so the container still grows "
     "with every new key; use `m.delete(k)` to remove the entry", "m.delete(k)", "delete-instead-of-null"),
    ("unremoved-listener", "a listener for 'data' is added to `socket` on every call of `f` and never removed",
     "keep the listener in a variable or field, then call `socket.off('data', listener)` when the owner is "
     "done (in its `close`/`end` handler or `destroy()`), or use `.once()` if it must fire only once", None,
     "remove-listener-in-teardown"),
    ("unremoved-listener", "a listener for 'exit' is added to `process` ... (the removal passes a function "
     "written in place, which matches nothing)", "keep the listener in a variable or field, then call "
     "`process.off('exit', listener)` when the owner is done", None, "same-listener-reference"),
    ("unremoved-listener", "this removal can never match: `.bind()` returns a new function",
     "store the listener once (in a variable or a field, bound once in the constructor) and pass that same "
     "reference to both the add and the remove call", None, "same-listener-reference"),
    ("uncleared-interval", "", "keep the handle and return a cleanup from the effect: "
     "`return () => clearInterval(handle)`", None, "clear-timer"),
    ("uncleared-interval", "", "keep the handle and call clearTimeout(handle) when the owner is done, or check "
     "a stop flag in `tick` (`if (stopped) return`) before re-arming", None, "clear-timer"),
    ("unbounded-cache", "", "`C` is exported, so the keys come from its users and have no fixed range; an "
     "instance kept for the life of the process keeps every key it ever saw: bound the cache (for example "
     "`lru-cache` with `max`) or remove entries with `delete this.cache[key]`", None, "bound-cache"),
    ("unbounded-cache", "", "every distinct key is kept until the process exits; remove entries with "
     "`pe.delete(key)` when they expire, or use a bounded cache (for example `lru-cache` with `max`)", None,
     "remove-entry-on-all-paths"),
    ("unbounded-cache", "", "each late call keeps one key for good; touch the entry only when it exists "
     "(`if (this.sids[id]) …`) instead of creating it", None, "guard-registration"),
    ("unbounded-array", "", "every element stays reachable until the process exits; cap it (`if (a.length > "
     "LIMIT) a.shift()`), empty it after use (`a.length = 0` or `a.splice(0)`), or remove elements when their "
     "owner goes away", None, "bound-cache"),
    ("unbounded-array", "", "... every object whose user forgets the opt-in teardown stays reachable for good. "
     "Do not keep created objects in a registry (compute what the registry is for on demand), or hold them "
     "weakly (`WeakRef`)", None, "drop-registry"),
    ("unbounded-array", "", "... every object ever created stays reachable. Remove entries when their objects "
     "are done, or keep them in a `WeakRef`/`FinalizationRegistry`-based set", None, "remove-entry-on-all-paths"),
    ("unbounded-memoize", "", "lodash's memoize never evicts; use a memoizer with a size limit, set "
     "`memoize.Cache` to an LRU class, or memoize per request instead of per process", None, "bound-cache"),
    ("unbounded-memoize", "", "pass `{ max: 1000 }` (or `maxAge`) so that old entries are evicted", None,
     "bound-cache"),
    ("unsubscribed-subscription", "", "keep it (`const sub = …subscribe(…)`) and call `sub.unsubscribe()` in "
     "`ngOnDestroy()`", None, "remove-listener-in-teardown"),
    ("undisconnected-observer", "", "keep the observer in a variable (`const observer = new ResizeObserver(…)`) "
     "and return `() => observer.disconnect()` from the effect", None, "remove-listener-in-teardown"),
    ("unlimited-listeners", "", "keep the default limit (10) or raise it to the real number of listeners you "
     "expect (for example `setMaxListeners(50)`), so that a leak still triggers MaxListenersExceededWarning; "
     "if the warning fires, find the listener that is added without being removed", None, "other"),
)


def check(shared_dir, kinds):
    bad = []
    for rule, message, help_text, fix, want in SAMPLES:
        got, _ = classify(rule, message, help_text, fix)
        if got != want:
            bad.append(f"classifier: {rule} help {help_text[:60]!r}… gives {got}, expected {want}")
    seen = set()
    for setname, folder in (("shared", shared_dir), ("bench", HERE)):
        with open(os.path.join(folder, "cases.json")) as f:
            for c in json.load(f):
                key = f"{setname}/{c['package']}@{c['leaky_version']}/{c['file']}"
                seen.add(key)
                entry = kinds.get(key)
                if not entry:
                    bad.append(f"{key}: missing from fix_kinds.json")
                    continue
                for k in [entry.get("kind"), *entry.get("also", [])]:
                    if k not in KINDS:
                        bad.append(f"{key}: unknown kind {k!r}")
                if not entry.get("summary"):
                    bad.append(f"{key}: no summary")
    bad += [f"{k}: in fix_kinds.json but not a case" for k in sorted(set(kinds) - seen)]
    for line in bad:
        print(line)
    print(f"{len(seen)} cases, {len(SAMPLES)} classifier samples, {len(bad)} problems")
    return not bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--markdown", action="store_true", help="print the per-case table as Markdown")
    ap.add_argument("--json", metavar="OUT")
    ap.add_argument("--shared", metavar="DIR")
    args = ap.parse_args()
    shared_dir = find_shared(args.shared)
    with open(os.path.join(HERE, "fix_kinds.json")) as f:
        kinds = json.load(f)
    if args.check:
        sys.exit(0 if check(shared_dir, kinds) else 1)
    if not args.binary:
        ap.error("LEAKLINT_BINARY is required (or --check)")
    rows, extra = evaluate(os.path.abspath(args.binary), shared_dir, kinds)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"leaklint_args": extra, "cases": rows}, f, indent=1)
    if args.markdown:
        print("| set | case | rule | maintainers' fix | leaklint's suggestion (alternatives) | agree |")
        print("|---|---|---|---|---|---|")
    for r in rows:
        want = " + ".join(r["maintainer"])
        got = ", ".join(r["leaklint"])
        alts = f" ({', '.join(r['alternatives'])})" if r["alternatives"] else ""
        agree = "yes" if r["agree"] else ("alt" if r["agree_with_alternatives"] else "no")
        if args.markdown:
            print(f"| {r['set']} | {r['case']} | {', '.join(r['rules'])} | {want} | {got}{alts} | {agree} |")
        else:
            print(f"{r['set']:6} {r['case']:70} maintainers {want:45} leaklint {got}{alts}  agree {agree}")
    print(f"leaklint run with: --format json {' '.join(extra)}".rstrip())
    a, f, a1, f1, a2, f2 = summary(rows, "agree_with_alternatives")
    print(f"counting the alternatives the help offers: {a}/{f} (shared {a1}/{f1}, bench {a2}/{f2})")
    a, f, a1, f1, a2, f2 = summary(rows)
    print(f"fix agreement {a}/{f} found cases (shared {a1}/{f1}, bench {a2}/{f2})")


if __name__ == "__main__":
    main()
