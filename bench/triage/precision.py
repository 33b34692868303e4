#!/usr/bin/env python3
"""Precision of leaklint's default output, measured against findings labeled by reading code.

Labels live beside this script, one TSV file per corpus (header
`index rule path line verdict reason`, path relative to the corpus root):
    bench-corpus.tsv  the bench corpus  ($LEAKLINT_BENCH_DIR/corpus/full, default ~/.cache/leaklint-bench)
    corpus2.tsv       triage corpus 2   ($LEAKLINT_TRIAGE_DIR/corpus2, default ~/.cache/leaklint-triage;
                                         fetch it with make_corpus2.py)
Verdicts: T real leak, D debatable, F no leak (see README.md).

usage:
  precision.py [--bin BINARY]                  check: per rule, findings now, labeled n,
                                               T/n and (T+D)/n among labeled findings still
                                               reported; exits 1 when a finding labeled F is
                                               reported again or a finding labeled T is gone
  precision.py --sample N --seed S [--bin B]   print a fresh seeded sample (up to N per rule
                                               per corpus) of the current default output,
                                               excluding sites already labeled, as TSV rows
                                               with an empty verdict
  precision.py --draw N --seed S [--bin B]     the precision of the current default output from
                                               a seeded uniform sample of N findings over every
                                               corpus present, labeled or not: each drawn
                                               finding takes the verdict of its site (the
                                               finding itself or a copy of it in another build);
                                               prints the drawn rows, T/D/F per rule and in
                                               all, and exits 3 while a drawn site is unlabeled
A corpus that is not present is skipped (and said so). Exit 2 when none is present.
A label is matched to a finding by (rule, path, line): the corpora are pinned.
"""
import argparse, collections, json, os, random, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
VERDICTS = ("T", "D", "F")
HEADER = ["index", "rule", "path", "line", "verdict", "reason"]


def corpora():
    bench = os.environ.get("LEAKLINT_BENCH_DIR") or os.path.expanduser("~/.cache/leaklint-bench")
    triage = os.environ.get("LEAKLINT_TRIAGE_DIR") or os.path.expanduser("~/.cache/leaklint-triage")
    return [
        ("bench", os.path.join(bench, "corpus", "full"), os.path.join(HERE, "bench-corpus.tsv")),
        ("corpus2", os.path.join(triage, "corpus2"), os.path.join(HERE, "corpus2.tsv")),
    ]


def run(binary, root):
    """The default output of `binary` on `root`: [(rule, path, line, message)]."""
    p = subprocess.run([os.path.abspath(binary), "--format", "json", "."], cwd=root, capture_output=True, text=True)
    try:
        files = json.loads(p.stdout)
    except json.JSONDecodeError:
        sys.exit(f"{binary} on {root}: no JSON (exit {p.returncode}): {p.stderr[-500:]}")
    out = []
    for f in files:
        path = os.path.relpath(os.path.join(root, f["filePath"]), root)
        for m in f["messages"]:
            if m.get("ruleId"):  # parse errors carry no rule
                out.append((m["ruleId"], path, int(m["line"]), m["message"]))
    return out


def read_labels(tsv):
    labels = {}
    if not os.path.exists(tsv):
        return labels
    with open(tsv, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header != HEADER:
            sys.exit(f"{tsv}: header must be {HEADER}")
        for n, line in enumerate(f, 2):
            if not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 6 or cols[4] not in VERDICTS or not cols[5].strip():
                sys.exit(f"{tsv}:{n}: want 6 columns, a verdict in {VERDICTS} and a reason")
            key = (cols[1], cols[2], int(cols[3]))
            if key in labels:
                sys.exit(f"{tsv}:{n}: {key} labeled twice")
            labels[key] = cols[4]
    return labels


def sites(root, rule, path, line, message):
    """The keys of one code site. Packages ship the same code as cjs, esm, umd and as
    TypeScript source beside its output: two findings of one rule in one package are
    one site when they are in files of the same stem (lib/a.js, esm/a.mjs, src/a.ts)
    and their source lines, or their messages, read the same. The stem keeps apart
    short lines that read the same in different files of a package."""
    pkg = path.split(os.sep)[0]
    text = None
    try:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            for i, t in enumerate(f, 1):
                if i == line:
                    text = " ".join(t.split())
                    break
    except OSError:
        pass
    stem = os.path.basename(path).split(".")[0]
    keys = {(rule, pkg, stem, "line", text if text else f"{path}:{line}")}
    if message:
        keys.add((rule, pkg, stem, "message", message))
    return keys


def sample(findings, root, labels, per_rule, seed):
    """Seeded sample: by rule, by package, round-robin over packages, distinct sites first."""
    rng = random.Random(seed)
    messages = {(r, p, l): m for r, p, l, m in findings}
    done = set()
    for k in labels:
        done |= sites(root, *k, messages.get(k))
    by_rule = collections.defaultdict(lambda: collections.defaultdict(list))
    for rule, path, line, message in sorted(findings):
        if (rule, path, line) in labels:
            continue
        s = sites(root, rule, path, line, message)
        if s & done:
            continue
        by_rule[rule][path.split(os.sep)[0]].append(((rule, path, line), s))
    picked = []
    for rule in sorted(by_rule):
        pkgs = sorted(by_rule[rule])
        rng.shuffle(pkgs)
        queues = {}
        for p in pkgs:
            items = by_rule[rule][p]
            rng.shuffle(items)
            # distinct sites first, then the other copies of a site
            seen, first, rest = set(), [], []
            for key, s in items:
                (rest if s & seen else first).append(key)
                seen |= s
            queues[p] = (first, rest)
        chosen = []
        for phase in (0, 1):
            while len(chosen) < per_rule and any(queues[p][phase] for p in pkgs):
                for p in pkgs:
                    if queues[p][phase] and len(chosen) < per_rule:
                        chosen.append(queues[p][phase].pop(0))
        picked.extend(chosen)
    return picked


def pct(a, n):
    return f"{a}/{n} {100 * a / n:5.1f}%" if n else "-"


def check(binary, present):
    failures = []
    rows = collections.defaultdict(lambda: collections.Counter())
    for name, root, tsv in present:
        findings = run(binary, root)
        labels = read_labels(tsv)
        now = {(r, p, l) for r, p, l, _ in findings}
        for r, _, _, _ in findings:
            rows[r][name + " now"] += 1
        for key, v in labels.items():
            r = key[0]
            rows[r]["labeled"] += 1
            if key in now:
                rows[r]["n"] += 1
                rows[r][v] += 1
            else:
                rows[r]["gone " + v] += 1
                if v == "T":
                    failures.append(f"{name}: labeled T, no longer reported: {key[0]} {key[1]}:{key[2]}")
            if v == "F" and key in now:
                failures.append(f"{name}: labeled F, reported again: {key[0]} {key[1]}:{key[2]}")
    names = [n for n, _, _ in present]
    cols = [f"{n} now" for n in names]
    print(f"{'rule':28}" + "".join(f"{c:>13}" for c in cols)
          + f"{'labeled':>8}{'n':>5}{'T':>4}{'D':>4}{'F':>4}{'gone':>6}  {'T/n':>14}  {'(T+D)/n':>14}")
    total = collections.Counter()
    for r in sorted(rows):
        c = rows[r]
        total.update(c)
        gone = sum(c["gone " + v] for v in VERDICTS)
        print(f"{r:28}" + "".join(f"{c[k]:>13}" for k in cols)
              + f"{c['labeled']:>8}{c['n']:>5}{c['T']:>4}{c['D']:>4}{c['F']:>4}{gone:>6}"
              + f"  {pct(c['T'], c['n']):>14}  {pct(c['T'] + c['D'], c['n']):>14}")
    gone = sum(total["gone " + v] for v in VERDICTS)
    print(f"{'ALL':28}" + "".join(f"{total[k]:>13}" for k in cols)
          + f"{total['labeled']:>8}{total['n']:>5}{total['T']:>4}{total['D']:>4}{total['F']:>4}{gone:>6}"
          + f"  {pct(total['T'], total['n']):>14}  {pct(total['T'] + total['D'], total['n']):>14}")
    print(f"gone = labeled but no longer reported (T {total['gone T']}, D {total['gone D']}, F {total['gone F']})")
    for f in failures:
        print("FAIL " + f)
    print(f"{len(failures)} regressions" if failures else "ok: every labeled T is reported, no labeled F is")
    return 1 if failures else 0


def draw(binary, present, n, seed):
    """A seeded uniform draw of `n` findings of the current default output. The verdict of a
    finding is its own label, or else the label of a labeled finding at the same site."""
    pool = []
    for name, root, tsv in present:
        findings = run(binary, root)
        labels = read_labels(tsv)
        messages = {(r, p, l): m for r, p, l, m in findings}
        by_site = {}
        for key, v in labels.items():
            for s in sites(root, *key, messages.get(key)):
                by_site.setdefault(s, (v, key))
        for rule, path, line, message in sorted(findings):
            key = (rule, path, line)
            if key in labels:
                pool.append((name, key, labels[key], "labeled"))
                continue
            hit = next((by_site[s] for s in sorted(sites(root, rule, path, line, message)) if s in by_site), None)
            if hit:
                pool.append((name, key, hit[0], f"copy of {hit[1][1]}:{hit[1][2]}"))
            else:
                pool.append((name, key, "", "unlabeled"))
    drawn = sorted(random.Random(seed).sample(pool, min(n, len(pool))))
    print("\t".join(["corpus", "rule", "path", "line", "verdict", "from"]))
    for name, (rule, path, line), v, source in drawn:
        print("\t".join([name, rule, path, str(line), v, source]))
    per = collections.defaultdict(collections.Counter)
    for _, key, v, _ in drawn:
        per[key[0]][v or "?"] += 1
        per["ALL"][v or "?"] += 1
    print(f"drawn {len(drawn)} of {len(pool)} default findings (seed {seed})")
    for r in sorted(per, key=lambda r: (r == "ALL", r)):
        c = per[r]
        m = c["T"] + c["D"] + c["F"]
        print(f"{r:28}{c['T']:>4} T{c['D']:>4} D{c['F']:>4} F{c['?']:>4} unlabeled"
              f"  {pct(c['T'], m):>14}  {pct(c['T'] + c['D'], m):>14}")
    if per["ALL"]["?"]:
        print("unlabeled sites in the draw: label them (README.md) before quoting the figure")
        return 3
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "..", "target", "release", "leaklint"))
    ap.add_argument("--sample", type=int, metavar="N")
    ap.add_argument("--draw", type=int, metavar="N")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--corpus", choices=["bench", "corpus2"], action="append",
                    help="only these corpora (default: every one present)")
    args = ap.parse_args()
    present = []
    for name, root, tsv in corpora():
        if args.corpus and name not in args.corpus:
            continue
        if os.path.isdir(root):
            present.append((name, root, tsv))
        else:
            print(f"skipped {name}: {root} is not present", file=sys.stderr)
    if not present:
        print("no corpus present: nothing checked (see bench/triage/README.md)", file=sys.stderr)
        return 2
    if not os.path.isfile(args.bin):
        sys.exit(f"no binary at {args.bin} (give --bin)")
    if args.draw is not None:
        if args.seed is None:
            sys.exit("--draw needs --seed")
        return draw(args.bin, present, args.draw, args.seed)
    if args.sample is None:
        return check(args.bin, present)
    if args.seed is None:
        sys.exit("--sample needs --seed")
    print("\t".join(["corpus"] + HEADER))
    for name, root, tsv in present:
        picked = sample(run(args.bin, root), root, read_labels(tsv), args.sample, args.seed)
        for i, (rule, path, line) in enumerate(picked, 1):
            print("\t".join([name, str(i), rule, path, str(line), "", ""]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
