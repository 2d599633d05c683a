#!/bin/sh
# Requests/s of one file through lighttpd, side by side in one run:
#   static   - lighttpd serves it, no authorizer
#   null     - behind a do-nothing libfcgi authorizer (the floor)
#   sessgate - behind sessgate's session check (one Redis round trip)
# then sessgate's RSS. Builds with make in build-bench/, -O2 and no
# sanitizers (the tree's own build may carry ASan, whose shadow memory
# would swamp RSS); bench.py runs the servers and writes bench/results.md.
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
TOP=$(pwd)
BUILD=$TOP/build-bench
SRC=$TOP
if [ -f config.status ]; then
	# Configured in place: automake refuses a second configure out of
	# tree, so the bench configures a copy that `make distdir` refreshes
	# (it keeps the files' times: make rebuilds only what changed).
	SRC=$BUILD/dist
	mkdir -p "$BUILD"
	make -s distdir distdir="$SRC" >/dev/null
elif [ ! -x configure ]; then
	./autogen.sh
fi
OBJ=$BUILD/obj
if ! grep -qx "srcdir = $SRC" "$OBJ/Makefile" 2>/dev/null; then
	rm -rf "$OBJ"
	mkdir -p "$OBJ"
	(cd "$OBJ" && "$SRC/configure" -q CFLAGS=-O2)
fi
make -s -C "$OBJ" -j"$(nproc)" sessgate sessgatectl bench/null-authorizer
exec python3 bench/bench.py "$OBJ" "$SECS" "$CONNS"
