# Shared by bench/run.sh and bench/compressed.sh (sourced; needs $work set).

sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

# need_time installs GNU time, whose -v reports the peak RSS, if missing.
need_time() {
  if [ ! -x /usr/bin/time ]; then
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null
  fi
}

# One timed run: appends "wall_seconds max_rss_kb" to $1. The wall time is
# taken around /usr/bin/time (whose own has 10 ms steps); the peak RSS is
# its "Maximum resident set size" (for a pipeline: its largest process).
timed() {
  local out="$1"; shift
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || {
    echo "bench: failed: $*" >&2; tail -5 "$work/stderr.txt" >&2; exit 1; }
  t1=$(date +%s%N)
  awk -F': ' -v ns=$((t1 - t0)) '
    /Maximum resident set size/ { rss = $2 }
    END { printf "%.3f %d\n", ns / 1e9, rss }' "$work/time.txt" >>"$out"
}

# median prints the median of the numbers on standard input.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
