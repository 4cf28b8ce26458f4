#!/usr/bin/env bash
# bench/compressed.sh: logbook on a log and on the same log compressed, in
# alternation, to measure what decompression costs.
#
#   bench/compressed.sh [-n RUNS] PLAIN COMPRESSED...
#
# Builds logbook, reads each file once to warm the page cache, then runs
# `logbook report --format html,json` on PLAIN and on each COMPRESSED file
# (.gz, .zst) in turn, RUNS times (default 5), and prints each one's median
# wall time and peak RSS and its ratio to PLAIN's median. Runs alternate so
# that a machine whose speed drifts affects every file alike.
set -euo pipefail

runs=5
if [ "${1:-}" = "-n" ]; then
  runs="$2"
  shift 2
fi
if [ $# -lt 2 ]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/lib.sh"
need_time
(cd "$repo" && go build -o "$work/logbook" ./cmd/logbook)

files=("$@")
for f in "${files[@]}"; do
  cat "$f" >/dev/null
done


for i in "${!files[@]}"; do : >"$work/r$i"; done
for r in $(seq "$runs"); do
  echo "run $r/$runs" >&2
  for i in "${!files[@]}"; do
    rm -rf "$work/out"
    timed "$work/r$i" "$work/logbook" report --format html,json -o "$work/out/" "${files[$i]}"
  done
done

echo
echo "runs: $runs each, alternating; medians; logbook report --format html,json"
printf "%-44s %9s %12s %14s\n" file "wall (s)" "peak RSS MB" "x plain"
base=$(cut -d' ' -f1 "$work/r0" | median)
for i in "${!files[@]}"; do
  t=$(cut -d' ' -f1 "$work/r$i" | median)
  rss=$(cut -d' ' -f2 "$work/r$i" | median)
  awk -v f="${files[$i]}" -v t="$t" -v rss="$rss" -v base="$base" 'BEGIN {
    printf "%-44s %9.3f %12.1f %13.2fx\n", f, t, rss / 1024, t / base }'
done
