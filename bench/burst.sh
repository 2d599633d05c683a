#!/bin/sh
# A burst of ordinary logins (20 at once, one user, the right password)
# through real lighttpd and nginx, with the default settings and with
# login_queue = 0 side by side; writes bench/burst.md.
# bench/build.sh builds with make (-O2). Needs redis-server, lighttpd,
# nginx and python3.
# usage: bench/burst.sh [BURST] [RUNS]
set -eu
cd "$(dirname "$0")/.."
for p in redis-server /usr/sbin/lighttpd /usr/sbin/nginx python3; do
	command -v "$p" >/dev/null ||
	    { echo "bench: $p is missing" >&2; exit 1; }
done
OBJ=$(bench/build.sh)
exec python3 bench/burst.py "$OBJ" "${1:-20}" "${2:-3}"
