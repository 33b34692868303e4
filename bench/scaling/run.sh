#!/usr/bin/env bash
# How leaklint's time grows with the size of one file, next to the swc parse floor.
# usage: bench/scaling/run.sh LEAKLINT [FLOOR]   (FLOOR: swcfloor from ../shared/bench)
# Prints, for files of 500 to 4000 copies (0.5 to 4 MB), the seconds of each and the
# ratio to the previous size: about 2 when a doubling of the file doubles the time
# (linear), about 4 when it quadruples it (quadratic).
set -euo pipefail
bin=$(realpath "$1")
floor=${2:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
here=$(dirname "$0")
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
prev=""
printf '%6s %9s %9s %7s\n' copies bytes leaklint growth
for n in 500 1000 2000 4000; do
  python3 "$here/gen.py" "$n" "$dir/s$n.js"
  t=$(seconds "$bin" --format json "$dir/s$n.js")
  growth=$([ -n "$prev" ] && echo "scale=2; $t / $prev" | bc || echo "-")
  line=$(printf '%6d %9d %9.3f %7s' "$n" "$(stat -c %s "$dir/s$n.js")" "$t" "$growth")
  if [ -n "$floor" ]; then line="$line  floor $(printf '%.3f' "$(seconds "$floor" "$dir/s$n.js")")"; fi
  echo "$line"
  prev=$t
done
