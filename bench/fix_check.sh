#!/usr/bin/env bash
# Does `--fix` (or `--fix-unsafe`) leave every file it changes parseable?
#
#   bench/fix_check.sh LEAKLINT CORPUS [--fix|--fix-unsafe] [--confidence medium]
#
# Copies CORPUS to a temporary directory, runs the fix there, lists the files
# that changed, and re-parses each changed file with leaklint itself (a file
# that does not parse is reported as a fatal `parse-error`). Prints the counts
# and exits 1 if any changed file no longer parses. The corpus is not touched.
set -euo pipefail

leaklint=$(realpath "${1:?usage: fix_check.sh LEAKLINT CORPUS [--fix|--fix-unsafe] [extra args]}")
corpus=$(realpath "${2:?usage: fix_check.sh LEAKLINT CORPUS [--fix|--fix-unsafe] [extra args]}")
mode=${3:---fix}
shift $(( $# < 3 ? $# : 3 ))

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$corpus" "$work/corpus"

# The fix run itself: its summary line goes to stderr.
(cd "$work/corpus" && "$leaklint" "$mode" "$@" -f json . >/dev/null 2>"$work/fix.err") || true
grep '^leaklint: \(fixed\|would fix\)' "$work/fix.err" || true

# Files that differ from the original, relative to the corpus root.
(cd "$corpus" && find . -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.jsx' \
    -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.tsx' \) -print0) |
    while IFS= read -r -d '' f; do
        cmp -s "$corpus/$f" "$work/corpus/$f" || printf '%s\0' "$f"
    done >"$work/changed"

changed=$(tr -cd '\0' <"$work/changed" | wc -c)
if [ "$changed" -eq 0 ]; then
    echo "changed files: 0"
    exit 0
fi

# Re-parse the changed files: only fatal problems (parse errors) count.
broken=$(cd "$work/corpus" && xargs -0 "$leaklint" -f json <"$work/changed" 2>/dev/null |
    python3 -c '
import json, sys
bad = [f["filePath"] for f in json.load(sys.stdin) if any(m.get("fatal") for m in f["messages"])]
for b in bad: print("does not parse:", b, file=sys.stderr)
print(len(bad))
') || true  # leaklint exits 1 when the files still have problems
echo "changed files: $changed; re-parse failures: $broken"
# What changed, one line before and after per edit (first 60 lines).
while IFS= read -r -d '' f; do
    diff -U0 "$corpus/$f" "$work/corpus/$f" | grep '^[-+][^-+]' | sed "s|^|$f: |" || true
done <"$work/changed" | cut -c1-200 | head -60
[ "$broken" -eq 0 ]
