#!/bin/sh
# Remakes docs/report.png, the README's screenshot: the top of the report
# the README's first command makes (its clock pinned to the morning after
# the week it covers), 1100 × 1500 px in headless Chromium.
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go run ./cmd/logbook report --now 2024-03-11T06:00:00Z -o "$out/" --format html samples/synthetic/ 2>/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size=1100,1500 --screenshot=docs/report.png "file://$out/report.html"
