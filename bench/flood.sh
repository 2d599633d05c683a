#!/bin/sh
# Session-check latency (median, p99) with and without a flood of bogus
# logins, side by side in one run; writes bench/flood.md.
# bench/build.sh builds with make (-O2). Needs redis-server and python3.
# usage: bench/flood.sh [SECONDS] [FLOODERS]
set -eu
cd "$(dirname "$0")/.."
for p in redis-server python3; do
	command -v "$p" >/dev/null ||
	    { echo "bench: $p is missing" >&2; exit 1; }
done
OBJ=$(bench/build.sh)
exec python3 bench/flood.py "$OBJ" "${1:-10}" "${2:-200}"
