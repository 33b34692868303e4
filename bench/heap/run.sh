#!/usr/bin/env bash
# `leaklint heap` against MemLab on one large snapshot, interleaved, with
# GNU time (wall seconds and peak RSS). See docs/performance.md, "Heap snapshots".
#
#   bench/heap/run.sh SNAPSHOT [RUNS]
#
# Needs a release build (target/release/leaklint) and MemLab installed outside
# the repository: mkdir -p /tmp/memlab && cd /tmp/memlab &&
# PUPPETEER_SKIP_DOWNLOAD=1 npm install memlab (MEMLAB=path overrides).
# Write SNAPSHOT first with bench/heap/make_snapshot.js.
set -euo pipefail
snap=${1:?usage: run.sh SNAPSHOT [RUNS]}
runs=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
leaklint=${LEAKLINT:-$root/target/release/leaklint}
memlab=${MEMLAB:-/tmp/memlab/node_modules/.bin/memlab}
out=${OUT:-$(mktemp -d)}
measure() { # name, command…
  local name=$1; shift
  /usr/bin/time -f "$name %e s %M KB" "$@" > "$out/$name.out" 2> "$out/$name.err" || true
  tail -1 "$out/$name.err"
}
ls -l "$snap"
for i in $(seq "$runs"); do
  measure leaklint "$leaklint" heap "$snap" -f json
  measure memlab "$memlab" analyze object-size --snapshot "$snap"
done
echo "outputs in $out"
