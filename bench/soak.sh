#!/bin/sh
# Soak under AddressSanitizer: 1 million checks and 10 thousand logins
# through lighttpd, RSS sampled, any sanitizer report a failure; writes
# bench/soak.md. Builds its own ASan tree in build-bench/asan.
# Needs wrk, redis-server, lighttpd and python3.
# usage: bench/soak.sh [CHECKS] [LOGINS]
set -eu
cd "$(dirname "$0")/.."
OBJ=$(SANITIZE=yes bench/build.sh)
exec python3 bench/soak.py "$OBJ" "${1:-1000000}" "${2:-10000}"
