#!/usr/bin/env bash
# Seeds fuzz/corpus/lint from the fixtures and the rule docs' examples
# (corpus/ is not committed: libFuzzer grows it as it runs).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/lint
find ../fixtures -type f \( -name '*.js' -o -name '*.jsx' -o -name '*.mjs' -o -name '*.cjs' \
  -o -name '*.ts' -o -name '*.tsx' -o -name '*.mts' -o -name '*.cts' \) -size -64k |
  while read -r f; do cp "$f" "corpus/lint/fixture-$(echo "$f" | tr '/.' '__')"; done
# Every fenced example of the rule docs, one file each.
for md in ../rules/*.md; do
  awk -v base="corpus/lint/doc-$(basename "$md" .md)" '
    /^```(js|ts|jsx|tsx)/ { n++; out = base "-" n; inside = 1; next }
    /^```/ { inside = 0; next }
    inside { print > out }' "$md"
done
echo "$(ls corpus/lint | wc -l) seeds in fuzz/corpus/lint"
# Real published code, when the benchmark corpus is present (see docs/performance.md):
# a sample of its small files, so the fuzzer starts from real syntax.
BENCH=${LEAKLINT_BENCH_DIR:-$HOME/.cache/leaklint-bench}/corpus/small
if [ -d "$BENCH" ]; then
  find "$BENCH" -type f -size -6k | sort | awk 'NR % 6 == 0' | head -n 400 |
    while read -r f; do cp "$f" "corpus/lint/real-$(basename "$(dirname "$f")")-$(basename "$f")"; done
  echo "$(ls corpus/lint | wc -l) seeds with the corpus sample"
fi
