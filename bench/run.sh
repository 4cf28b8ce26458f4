#!/usr/bin/env bash
# bench/run.sh: logbook against GoAccess on the same log file.
#
#   bench/run.sh [-n RUNS] [--format combined|cloudfront] [--no-goaccess] FILE
#
# Builds logbook, installs GoAccess with apt-get if it is missing, then runs
# logbook (all sections, HTML and JSON) and GoAccess (HTML) on FILE in
# alternation, RUNS times each (default 5), with the page cache warm, and
# prints the median wall time, peak RSS (/usr/bin/time -v), lines/s and the
# ratio, with `wc -l` on the same file as the floor. FILE may be plain or
# .gz; GoAccess 1.7 (Debian's build has no zlib) reads a .gz through
# `zcat FILE | goaccess -`, and its floor is `zcat FILE | wc -l`.
# The log format (for GoAccess) is detected from the first line unless given.
set -euo pipefail

runs=5
format=""
goaccess=1
# GOACCESS names the GoAccess binary to compare with (default: goaccess on
# PATH, installed with apt-get when missing), e.g. one built from source.
export GOACCESS=${GOACCESS:-goaccess}
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    --format) format="$2"; shift 2 ;;
    --no-goaccess) goaccess=0; shift ;;
    -h|--help) sed -n 2,15p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench/run.sh: unknown flag $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 1 ]; then
  echo "usage: bench/run.sh [-n RUNS] [--format combined|cloudfront] [--no-goaccess] FILE" >&2
  exit 2
fi
file="$1"
[ -r "$file" ] || { echo "bench/run.sh: cannot read $file" >&2; exit 1; }
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

. "$(dirname "$0")/lib.sh"
need_time
if [ "$goaccess" = 1 ] && [ "$GOACCESS" = goaccess ] && ! command -v goaccess >/dev/null 2>&1; then
  echo "installing GoAccess with apt-get..." >&2
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq goaccess >/dev/null
fi

gz=0
cat=(cat)
if [ "$(head -c 2 "$file" | od -An -tx1 | tr -d ' \n')" = "1f8b" ]; then
  gz=1
  cat=(zcat)
fi
if [ -z "$format" ]; then
  first="$("${cat[@]}" "$file" 2>/dev/null | head -n 1 || true)"
  case "$first" in
    "#Version:"*|"#Fields:"*) format=cloudfront ;;
    *) format=combined ;;
  esac
fi
case "$format" in
  combined) ga_format=(--log-format COMBINED) ;;
  cloudfront) ga_format=(--log-format CLOUDFRONT --date-format CLOUDFRONT --time-format CLOUDFRONT) ;;
  *) echo "bench/run.sh: --format wants combined or cloudfront" >&2; exit 2 ;;
esac

echo "building logbook..." >&2
(cd "$repo" && go build -o "$work/logbook" ./cmd/logbook)


# Warm the page cache and count the lines.
"${cat[@]}" "$file" >/dev/null
lines=$("${cat[@]}" "$file" | wc -l)

: >"$work/wc" ; : >"$work/lb" ; : >"$work/ga"
for i in $(seq "$runs"); do
  echo "run $i/$runs" >&2
  if [ "$gz" = 1 ]; then
    timed "$work/wc" sh -c 'zcat "$1" | wc -l' sh "$file"
  else
    timed "$work/wc" wc -l "$file"
  fi
  rm -rf "$work/out"
  timed "$work/lb" "$work/logbook" report --format html,json -o "$work/out/" "$file"
  if [ "$goaccess" = 1 ]; then
    if [ "$gz" = 1 ]; then
      timed "$work/ga" sh -c 'f="$1"; shift; zcat "$f" | "$GOACCESS" "$@" --no-progress -o "$0" -' "$work/ga.html" "$file" "${ga_format[@]}"
    else
      timed "$work/ga" "$GOACCESS" "${ga_format[@]}" --no-progress -o "$work/ga.html" "$file"
    fi
  fi
done

row() { # name, results file
  local t rss
  t=$(cut -d' ' -f1 "$2" | median)
  rss=$(cut -d' ' -f2 "$2" | median)
  awk -v n="$1" -v t="$t" -v rss="$rss" -v lines="$lines" 'BEGIN {
    printf "%-10s %10.3f %12.1f %14.0f\n", n, t, rss / 1024, (t > 0 ? lines / t : 0) }'
}

echo
echo "file:    $file ($(du -h "$file" | cut -f1), $lines lines, $format$([ "$gz" = 1 ] && echo ", gzip"))"
echo "runs:    $runs each, alternating; medians"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)"
echo "logbook: $("$work/logbook" version), report --format html,json (all sections)"
[ "$goaccess" = 1 ] && echo "goaccess: $("$GOACCESS" --version | head -n 1), HTML$([ "$gz" = 1 ] && echo ", through zcat | goaccess -")"
echo
printf "%-10s %10s %12s %14s\n" "program" "wall (s)" "peak RSS MB" "lines/s"
row "wc -l" "$work/wc"
row logbook "$work/lb"
if [ "$goaccess" = 1 ]; then
  row goaccess "$work/ga"
  lb=$(cut -d' ' -f1 "$work/lb" | median)
  ga=$(cut -d' ' -f1 "$work/ga" | median)
  lbm=$(cut -d' ' -f2 "$work/lb" | median)
  gam=$(cut -d' ' -f2 "$work/ga" | median)
  echo
  awk -v lb="$lb" -v ga="$ga" -v lbm="$lbm" -v gam="$gam" 'BEGIN {
    printf "ratio: goaccess / logbook wall time = %.1fx (target >= 20x); logbook RSS / goaccess RSS = %.2f (target <= 1)\n",
      (lb > 0 ? ga / lb : 0), (gam > 0 ? lbm / gam : 0) }'
fi
