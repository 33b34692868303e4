#!/usr/bin/env python3
"""Held-out real-world benchmark: shipped memory leaks from npm packages, scored against leaklint.

usage: score.py LEAKLINT_BINARY [--verbose] [--json OUT] [--data DIR]
       score.py --check [--data DIR]          (validate the data only; no binary needed)

DIR (default: this script's folder) holds cases.json and controls.json. Tarballs are fetched
once with `npm pack` into $LEAKLINT_RW_CACHE (default ~/.cache/leaklint-rw) and checked against
the integrity recorded in the data.

Scoring (same meaning as ../shared/realworld/score.py):
  found       a problem starts on one of the case's leaky lines. On a minified line (longer
              than LONG_LINE characters, e.g. a one-line bundle) the problem must also start
              within NEAR columns of the quoted snippet, so that "line 1" does not match
              everything in the bundle.
  fix-aware   the fixed version's file has fewer problems of the rule that found the leak.
  controls    every problem reported anywhere in a control package counts against leaklint.
leaklint is run as `LEAKLINT --format json PATH` and must print ESLint-style JSON.
Last line: 'real-world recall H/N (easy a/b, medium c/d, hard e/f), fix-aware F/H,
control findings C in P packages'.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tarfile

LONG_LINE = 1000  # characters: a line this long is treated as bundled/minified code
NEAR = 400        # columns: how close to the snippet a problem must start on such a line
DIFFICULTIES = ("easy", "medium", "hard")


def cache_root():
    root = os.environ.get("LEAKLINT_RW_CACHE", os.path.expanduser("~/.cache/leaklint-rw"))
    os.makedirs(root, exist_ok=True)
    return root


def fetch(name, version, integrity=None):
    """Unpacked package folder for name@version; downloads it once with `npm pack`."""
    slot = os.path.join(cache_root(), f"{name.replace('/', '+')}@{version}")
    pkg = os.path.join(slot, "package")
    stamp = os.path.join(slot, ".integrity")
    if not os.path.isdir(pkg):
        os.makedirs(slot, exist_ok=True)
        proc = subprocess.run(["npm", "pack", f"{name}@{version}", "--json", "--silent"],
                              cwd=slot, capture_output=True, text=True)
        try:
            info = json.loads(proc.stdout)[0]
        except (json.JSONDecodeError, IndexError):
            sys.exit(f"cannot fetch {name}@{version} with npm pack: {proc.stderr.strip()[:300]}")
        tgz = os.path.join(slot, info["filename"])
        with tarfile.open(tgz) as tar:
            tar.extractall(slot, filter="data")
        os.remove(tgz)
        if not os.path.isdir(pkg):  # a few old tarballs use another top-level folder
            tops = [p for p in glob.glob(os.path.join(slot, "*")) if os.path.isdir(p)]
            shutil.move(tops[0], pkg)
        with open(stamp, "w") as f:
            f.write(info.get("integrity", ""))
    if integrity and os.path.exists(stamp):
        with open(stamp) as f:
            got = f.read().strip()
        if got and got != integrity:
            sys.exit(f"{name}@{version}: tarball integrity {got} differs from the recorded {integrity}")
    return pkg


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def lint(binary, path):
    """Problems leaklint reports under path: dicts with rule, line, column, file (fatal ones dropped)."""
    proc = subprocess.run([binary, "--format", "json", path], capture_output=True, text=True, timeout=900)
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.exit(f"{path}: leaklint printed no JSON (exit {proc.returncode}): {proc.stderr.strip()[:300]}")
    results = doc if isinstance(doc, list) else doc.get("results", [])
    problems = []
    for result in results:
        for msg in result.get("messages", []):
            if msg.get("fatal") or not msg.get("ruleId"):
                continue
            problems.append({"rule": msg["ruleId"], "line": msg.get("line"),
                             "column": msg.get("column") or 0, "file": result.get("filePath", "")})
    return problems


class Target:
    """Where a case's leak is: its leaky lines, and for minified lines the snippet's column."""

    def __init__(self, case, text):
        self.lines = set(case["leaky_lines"])
        source = text.split("\n")
        self.anchor = {}
        needle = case["leaky_snippet"][:40]
        for n in self.lines:
            line = source[n - 1] if 0 < n <= len(source) else ""
            if len(line) > LONG_LINE:
                self.anchor[n] = line.find(needle) + 1  # 0 when the snippet is not on that line

    def hit(self, problem):
        n = problem["line"]
        if n not in self.lines:
            return False
        if n not in self.anchor:
            return True
        return self.anchor[n] > 0 and abs(problem["column"] - self.anchor[n]) < NEAR


def score_case(binary, data_case):
    c = data_case
    leaky = os.path.join(fetch(c["package"], c["leaky_version"], c.get("leaky_tarball_integrity")), c["file"])
    fixed_name = c.get("fixed_check", {}).get("file", c["file"])
    fixed = os.path.join(fetch(c["package"], c["fixed_version"], c.get("fixed_tarball_integrity")), fixed_name)
    got = lint(binary, leaky)
    target = Target(c, read(leaky))
    hits = [p for p in got if target.hit(p)]
    out = {"package": c["package"], "leaky_version": c["leaky_version"], "file": c["file"],
           "pattern": c["pattern"], "difficulty": c["static_difficulty"], "found": bool(hits),
           "hits": [(p["rule"], p["line"]) for p in hits],
           "elsewhere": [(p["rule"], p["line"]) for p in got if not target.hit(p)],
           "fix_aware": None}
    if hits:
        rule = hits[0]["rule"]
        before = sum(1 for p in got if p["rule"] == rule)
        after = sum(1 for p in lint(binary, fixed) if p["rule"] == rule) if os.path.exists(fixed) else before
        out.update(rule=rule, before=before, after=after, fix_aware=after < before)
    return out


def score_control(binary, ctl):
    got = lint(binary, fetch(ctl["package"], ctl["version"], ctl.get("tarball_integrity")))
    return {"package": ctl["package"], "version": ctl["version"],
            "problems": [(p["rule"], os.path.basename(p["file"]), p["line"]) for p in got]}


def check(cases, controls):
    """Validate the data against the tarballs; returns the number of problems found."""
    bad = 0

    def fail(msg):
        nonlocal bad
        bad += 1
        print("BAD", msg)

    for c in cases:
        tag = f"{c['package']}@{c['leaky_version']}"
        text = read(os.path.join(fetch(c["package"], c["leaky_version"], c.get("leaky_tarball_integrity")), c["file"]))
        lines = text.split("\n")
        for n in c["leaky_lines"]:
            if not (0 < n <= len(lines)) or not lines[n - 1].strip():
                fail(f"{tag}: leaky line {n} is missing or blank")
        if c["leaky_snippet"] not in text:
            fail(f"{tag}: snippet not in the leaky file")
        if c["static_difficulty"] not in DIFFICULTIES:
            fail(f"{tag}: unknown difficulty {c['static_difficulty']}")
        fixed_pkg = fetch(c["package"], c["fixed_version"], c.get("fixed_tarball_integrity"))
        fc = c.get("fixed_check", {})
        checks = [dict(file=fc.get("file", c["file"]), must_contain=fc.get("must_contain", []),
                       must_not_contain=fc.get("must_not_contain", []))] + fc.get("also", [])
        for chk in checks:
            path = os.path.join(fixed_pkg, chk["file"])
            if not os.path.exists(path):
                fail(f"{tag}: fixed file {chk['file']} missing")
                continue
            ftext = read(path)
            for s in chk.get("must_contain", []):
                if s not in ftext:
                    fail(f"{tag}: fixed {chk['file']} lacks {s!r}")
            for s in chk.get("must_not_contain", []):
                if s in ftext:
                    fail(f"{tag}: fixed {chk['file']} still contains {s!r}")
                if s not in text:
                    fail(f"{tag}: must_not_contain {s!r} is not in the leaky file either")
    for ctl in controls:
        pkg = fetch(ctl["package"], ctl["version"], ctl.get("tarball_integrity"))
        for bait in ctl.get("bait", []):
            path = os.path.join(pkg, bait.split(":")[0])
            if not os.path.exists(path):
                fail(f"control {ctl['package']}: bait file {bait.split(':')[0]} missing")
    print(f"checked {len(cases)} cases and {len(controls)} controls: {bad} problems")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--data", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--json", help="write per-case and per-control results to this file")
    ap.add_argument("--check", action="store_true", help="validate the data and exit")
    args = ap.parse_args()
    cases = json.load(open(os.path.join(args.data, "cases.json")))
    controls = json.load(open(os.path.join(args.data, "controls.json")))
    if args.check:
        sys.exit(1 if check(cases, controls) else 0)
    if not args.binary:
        ap.error("LEAKLINT_BINARY is required unless --check is given")
    binary = os.path.abspath(args.binary)

    case_results = [score_case(binary, c) for c in cases]
    control_results = [score_control(binary, ctl) for ctl in controls]
    if args.verbose:
        for r in case_results:
            shown = r["hits"] or r["elsewhere"][:6]
            fix = "" if r["fix_aware"] is None else (" fix-aware" if r["fix_aware"] else " NOT fix-aware")
            print(f"{'FOUND' if r['found'] else 'MISS '} {r['package']}@{r['leaky_version']} {r['file']} "
                  f"[{r['pattern']}, {r['difficulty']}]{fix} -> {shown}")
        for r in control_results:
            if r["problems"]:
                listed = ", ".join(f"{rule} {f}:{n}" for rule, f, n in r["problems"][:8])
                print(f"CONTROL {r['package']}@{r['version']}: {len(r['problems'])} problems: {listed}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cases": case_results, "controls": control_results}, f, indent=1)

    found = sum(r["found"] for r in case_results)
    fix_aware = sum(bool(r["fix_aware"]) for r in case_results)
    parts = []
    for d in DIFFICULTIES:
        of = [r for r in case_results if r["difficulty"] == d]
        if of:
            parts.append(f"{d} {sum(r['found'] for r in of)}/{len(of)}")
    findings = sum(len(r["problems"]) for r in control_results)
    print(f"real-world recall {found}/{len(case_results)} ({', '.join(parts)}), fix-aware {fix_aware}/{found}, "
          f"control findings {findings} in {len(control_results)} packages")


if __name__ == "__main__":
    main()
