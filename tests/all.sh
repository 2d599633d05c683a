#!/bin/sh
# Install what is missing (Debian 12, as root), build with warnings as
# errors and sanitizers, run every test, then `make distcheck`.
# Ends with one line: "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."

# Build tools and libraries, then the real servers the tests start.
PACKAGES="build-essential autoconf automake pkg-config python3
    libfcgi-dev libhiredis-dev libsodium-dev libcjson-dev libcmocka-dev
    redis-server redis-tools lighttpd lighttpd-mod-openssl apache2
    libapache2-mod-fcgid nginx fcgiwrap openssl chromium systemd
    clang-format stunnel4 clang libclang-rt-14-dev"
# (libclang-rt-14-dev holds libFuzzer and the sanitizers' runtimes for
# tests/fuzz/run.sh; clang only recommends it.)

# shellcheck disable=SC2086
contrib/install-deps.sh $PACKAGES
# The packaged redis-server may have been started by its postinst; the
# tests start their own on free ports and do not need it.

./autogen.sh
./configure --enable-werror --enable-sanitizers
make -j"$(nproc)"
log=$(mktemp)
status=0
# (a pipeline's status is tee's: make's failure is kept in a file)
{ make -j"$(nproc)" check 2>&1 || : >"$log.failed"; } | tee "$log"
[ ! -e "$log.failed" ] || status=1
# make check fuzzed every target already: distcheck's run of the same
# sources only replays the seeds (a tarball missing a file still fails).
SG_FUZZ_RUNS=0 make -j"$(nproc)" distcheck >"$log.distcheck" 2>&1 || {
	tail -n 50 "$log.distcheck"
	echo "make distcheck failed"
	status=1
}
pass=$(sed -n 's/^# PASS: *//p' "$log" | head -n 1)
fail=$(sed -n 's/^# FAIL: *//p' "$log" | head -n 1)
err=$(sed -n 's/^# ERROR: *//p' "$log" | head -n 1)
rm -f "$log" "$log.distcheck" "$log.failed"
[ $(( ${fail:-0} + ${err:-0} )) -eq 0 ] || status=1
echo "${pass:-0} passed, $(( ${fail:-0} + ${err:-0} )) failed"
exit $status
