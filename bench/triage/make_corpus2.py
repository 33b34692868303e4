#!/usr/bin/env python3
"""Fetch triage corpus 2: popular npm packages that are NOT in the bench corpus.

The pins live in corpus2.txt beside this script, one per line:
    name@version  sha512-integrity (as npm reports it)
Each package is fetched with `npm pack name@version` into $CACHE/tarballs/,
its integrity checked against the pin, unpacked, and only code files are kept
(same rules as the bench corpus: *.js *.mjs *.cjs *.jsx *.ts *.mts *.cts *.tsx
minus declaration files, *.min.* files, node_modules/ and minified files)
into $CACHE/corpus2/<dir>/ where <dir> is the name with `@` dropped and `/`
turned into `-`, then `-version` (as the bench corpus names its folders).

usage: make_corpus2.py [--cache DIR]       (default $LEAKLINT_TRIAGE_DIR or ~/.cache/leaklint-triage)
Idempotent: a package whose folder exists is skipped; a tarball is reused.
Needs: python3, npm (registry reachable). No third-party code is ever
written beside this script.
"""
import argparse, base64, hashlib, os, shutil, subprocess, sys, tarfile, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXTS = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
DTS = (".d.ts", ".d.mts", ".d.cts")


def default_cache():
    return os.environ.get("LEAKLINT_TRIAGE_DIR") or os.path.expanduser("~/.cache/leaklint-triage")


def read_pins(path):
    pins = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            spec, integrity = line.split()
            pins.append((spec, integrity))
    return pins


def split_spec(spec):
    at = spec.rindex("@")
    return spec[:at], spec[at + 1:]


def dirname_of(spec):
    name, version = split_spec(spec)
    return name.lstrip("@").replace("/", "-") + "-" + version


def keep(path, name):
    """The bench corpus's filter: code files, no declarations, nothing minified."""
    if not name.endswith(EXTS) or name.endswith(DTS) or ".min." in name:
        return False
    size = os.path.getsize(path)
    if size > 20_000:
        with open(path, "rb") as f:
            data = f.read()
        if size / (data.count(b"\n") + 1) > 300:
            return False
    return True


def integrity_of(tgz):
    with open(tgz, "rb") as f:
        return "sha512-" + base64.b64encode(hashlib.sha512(f.read()).digest()).decode()


def fetch(spec, integrity, cache):
    tarballs = os.path.join(cache, "tarballs")
    corpus = os.path.join(cache, "corpus2")
    os.makedirs(tarballs, exist_ok=True)
    os.makedirs(corpus, exist_ok=True)
    d = dirname_of(spec)
    dest = os.path.join(corpus, d)
    if os.path.isdir(dest):
        return
    tgz = os.path.join(tarballs, d + ".tgz")
    if not os.path.isfile(tgz):
        print(f"npm pack {spec}", file=sys.stderr)
        with tempfile.TemporaryDirectory(dir=tarballs) as tmp:
            out = subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp, check=True,
                                 capture_output=True, text=True).stdout.strip().splitlines()[-1]
            shutil.move(os.path.join(tmp, out), tgz)
    got = integrity_of(tgz)
    if got != integrity:
        sys.exit(f"integrity mismatch for {spec}: {got}")
    with tempfile.TemporaryDirectory(dir=corpus, prefix=".unpack.") as tmp:
        with tarfile.open(tgz) as t:
            t.extractall(tmp, filter="data")
        roots = [os.path.join(tmp, x) for x in sorted(os.listdir(tmp))]
        root = next(r for r in roots if os.path.isdir(r))  # usually package/
        part = os.path.join(corpus, "." + d + ".partial")
        shutil.rmtree(part, ignore_errors=True)
        for base, dirs, files in os.walk(root):
            dirs[:] = sorted(x for x in dirs if x != "node_modules")
            for n in sorted(files):
                p = os.path.join(base, n)
                if os.path.islink(p) or not os.path.isfile(p) or not keep(p, n):
                    continue
                q = os.path.join(part, os.path.relpath(p, root))
                os.makedirs(os.path.dirname(q), exist_ok=True)
                shutil.copyfile(p, q)
        os.makedirs(part, exist_ok=True)
        os.rename(part, dest)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=default_cache())
    ap.add_argument("--pins", default=os.path.join(HERE, "corpus2.txt"))
    args = ap.parse_args()
    for spec, integrity in read_pins(args.pins):
        fetch(spec, integrity, args.cache)
    print(os.path.join(args.cache, "corpus2"))


if __name__ == "__main__":
    main()
