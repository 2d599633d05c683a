#!/bin/sh
# Requests/s of one file through lighttpd, side by side in one run:
#   static   - lighttpd serves it, no authorizer
#   null     - behind a do-nothing libfcgi authorizer (the floor)
#   sessgate - behind sessgate's session check (one Redis round trip)
# then sessgate's RSS. bench/build.sh builds with make (-O2); bench.py
# runs the servers and writes bench/results.md.
# Needs wrk, redis-server, lighttpd and python3.
# usage: bench/check.sh [SECONDS] [CONNECTIONS]
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-10}
CONNS=${2:-32}
for p in wrk redis-server /usr/sbin/lighttpd python3; do
	command -v "$p" >/dev/null ||
	    { echo "bench: $p is missing" >&2; exit 1; }
done
OBJ=$(bench/build.sh)
exec python3 bench/bench.py "$OBJ" "$SECS" "$CONNS"
