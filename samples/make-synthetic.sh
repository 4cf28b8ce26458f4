#!/bin/sh
# Regenerates the synthetic samples: samples/synthetic/ and samples/cloudfront/.
#
#   sh samples/make-synthetic.sh            # from anywhere
#   GENLOG=/path/to/genlog.py sh samples/make-synthetic.sh
#
# Needs python3 (3.9+). genlog.py is deterministic: the same seed and options
# give byte-identical logs, and the gzip files below are written with a zero
# mtime and no file name, so a rerun gives the same bytes (with the same
# Python/zlib).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
GENLOG=${GENLOG:-$here/../../shared/genlog.py}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# (a) A week of combined log: humans, bots, scanner bursts, staff on /admin,
# the outage genlog puts on day 4 (2024-03-07 03:12-04:41 UTC, errors just
# before it) and 0.4% odd lines (request "-" with 408, TLS handshake bytes
# with 400, user agents holding an escaped quote).
mkdir -p "$here/synthetic"
python3 "$GENLOG" --format combined --lines 20000 --days 7 --start 2024-03-04 \
	--seed 7 --junk 0.004 -o "$here/synthetic/combined-outage.log"

# (b) Two days of CloudFront standard logs, cut into one gzip file per hour
# and named the way CloudFront delivers them:
#   <distribution id>.<YYYY-MM-DD-HH UTC>.<unique id>.gz
# each starting with its own "#Version:" and "#Fields:" lines.
python3 "$GENLOG" --format cloudfront --lines 10000 --days 2 --start 2024-03-04 \
	--seed 11 --junk 0.002 -o "$tmp/cloudfront.log"
rm -rf "$here/cloudfront"
mkdir -p "$here/cloudfront"
python3 - "$tmp/cloudfront.log" "$here/cloudfront" <<'EOF'
import gzip, hashlib, sys

src, out = sys.argv[1], sys.argv[2]
dist = "E1ABCDEF2GHIJK"
headers, hours = [], {}
with open(src, encoding="utf-8") as f:
    for line in f:
        if line.startswith("#"):
            headers.append(line)
            continue
        date, time = line.split("\t", 2)[:2]
        hours.setdefault(date + "-" + time[:2], []).append(line)
for hour, lines in sorted(hours.items()):
    uid = hashlib.sha256(("logbook-sample " + hour).encode()).hexdigest()[:8]
    name = f"{out}/{dist}.{hour}.{uid}.gz"
    with open(name, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as z:
            z.write("".join(headers + lines).encode("utf-8"))
print(f"{len(hours)} files, {sum(map(len, hours.values()))} records", file=sys.stderr)
EOF
