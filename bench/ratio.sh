#!/usr/bin/env bash
# bench/ratio.sh: how much more a high-cardinality log costs than a typical
# one of the same size (issue #15, item 8), measured in pairs.
#
#   bench/ratio.sh [-n PAIRS] TYPICAL UNIQUE BIN...
#
# For each pair, and each binary in turn, runs `BIN report` (all sections,
# HTML and JSON) on TYPICAL and then on UNIQUE, and prints per binary the
# median wall time and peak RSS of each log, and the median of the pairs'
# ratios (UNIQUE over TYPICAL) of wall time, CPU time (user + system) and
# peak RSS, with the range of the wall and memory ratios. A pair's two runs
# are taken back to back, so that a machine that slows down for a while
# slows both: on a shared 2-core VM single runs varied by a third, single
# pairs' ratios from 2.5 to 4.1, their medians much less. Needs GNU time
# (/usr/bin/time) and python3. Default 7 pairs.
#
#   python3 ../shared/genlog.py -n 1000000 -o /tmp/bench/c1m.log
#   go run ./bench/uniquelog -n 1000000 -o /tmp/bench/u1m.log
#   go build -o /tmp/lb ./cmd/logbook
#   bench/ratio.sh -n 9 /tmp/bench/c1m.log /tmp/bench/u1m.log /tmp/lb
set -euo pipefail

pairs=7
while [ $# -gt 0 ]; do
  case "$1" in
    -n) pairs="$2"; shift 2 ;;
    -h|--help) sed -n 2,21p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench/ratio.sh: unknown flag $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 3 ]; then
  echo "usage: bench/ratio.sh [-n PAIRS] TYPICAL UNIQUE BIN..." >&2
  exit 2
fi
typical=$1 unique=$2
shift 2
[ -x /usr/bin/time ] || { echo "bench/ratio.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq "$pairs"); do
  for b in "$@"; do
    k=$(printf '%s' "$b" | tr -c 'A-Za-z0-9' '_')
    mkdir -p "$work/out-$k"
    for kind in typical unique; do
      log=$typical; [ $kind = unique ] && log=$unique
      /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$b" report -q -o "$work/out-$k/" --format html,json "$log" >/dev/null 2>"$work/stderr" || {
        echo "bench/ratio.sh: $b failed on $log:" >&2; tail -5 "$work/stderr" >&2; exit 1; }
      echo "$kind $(tail -1 "$work/time")" >>"$work/runs-$k"
    done
  done
done
for b in "$@"; do
  k=$(printf '%s' "$b" | tr -c 'A-Za-z0-9' '_')
  python3 - "$work/runs-$k" "$b" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
typ = [list(map(float, r[1:])) for r in rows if r[0] == "typical"]
uni = [list(map(float, r[1:])) for r in rows if r[0] == "unique"]
wall = [u[0] / t[0] for t, u in zip(typ, uni)]
cpu = [(u[1] + u[2]) / (t[1] + t[2]) for t, u in zip(typ, uni)]
mem = [u[3] / t[3] for t, u in zip(typ, uni)]
med = lambda rs, i: st.median(r[i] for r in rs)
print("%s: typical %.2f s, %d MB; unique %.2f s, %d MB; ratios: wall %.2f (%.2f-%.2f), CPU %.2f, memory %.2f (%.2f-%.2f)" % (
    sys.argv[2], med(typ, 0), med(typ, 3) / 1024, med(uni, 0), med(uni, 3) / 1024,
    st.median(wall), min(wall), max(wall), st.median(cpu), st.median(mem), min(mem), max(mem)))
PY
done
