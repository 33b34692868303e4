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
# Heap snapshots for the `heap` target: small hand-made ones (a real snapshot
# is megabytes, far over -max_len); the fuzzer mutates them into the rest.
mkdir -p corpus/heap
META='"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]}'
echo "{\"snapshot\":{$META},\"nodes\":[9,0,1,0,1,0,0,3,1,3,24,0,0,0],\"edges\":[1,0,7],\"locations\":[],\"strings\":[\"\",\"Object\"]}" > corpus/heap/minimal.heapsnapshot
echo "{\"snapshot\":{$META},\"nodes\":[9,0,1,0,1,0,0,5,1,3,64,1,0,0,3,2,5,40,1,0,0,3,3,7,24,2,0,0,0,4,9,16,0,0,0],\"edges\":[1,0,7,3,5,14,0,6,21,2,7,28,2,8,28],\"locations\":[7,1,4,22],\"strings\":[\"\",\"setLocalCache\",\"system / Context\",\"Object\",\"system / Oddball\",\"context\",\"localCache\",\"k1\",\"k2\"]}" > corpus/heap/closure.heapsnapshot
echo "$(ls corpus/heap | wc -l) seeds in fuzz/corpus/heap"
