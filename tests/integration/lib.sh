# lib.sh: shared by the shell integration tests. Starts real servers on
# free loopback ports in a temporary directory and stops them on exit.
# Under CI=true a missing server is a failure, never a skip. The helpers
# are harness.py's, run as a command: the Python tests, the demo and the
# benchmark use the same code.

SG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sessgate-test.XXXXXX")
SG_PIDS=""
SG_HARNESS=$top_srcdir/tests/integration/harness.py

sg_cleanup() {
	for pid in $SG_PIDS; do
		kill -CONT "$pid" 2>/dev/null
		kill "$pid" 2>/dev/null
	done
	for pid in $SG_PIDS; do
		wait "$pid" 2>/dev/null
	done
	rm -rf "$SG_TMP"
}
trap sg_cleanup EXIT
trap 'exit 1' INT TERM

# sg_harness CMD [ARGS...]: harness.py's command CMD.
sg_harness() {
	"$PYTHON3" "$SG_HARNESS" "$@"
}

# sg_need PATH NAME: the program must exist (fail under CI, skip otherwise).
sg_need() {
	command -v "${PYTHON3:-}" >/dev/null 2>&1 || {
		echo "Bail out! python3 runs the test harness and is not installed"
		exit 1
	}
	sg_harness need "$1" "$2" && return 0
	[ $? -eq 77 ] && exit 0
	exit 1
}

# sg_free_port: a TCP port on 127.0.0.1 that nothing listens on now.
sg_free_port() {
	sg_harness free-port
}

# sg_wait_for CMD...: poll until CMD succeeds, at most 10 s.
sg_wait_for() {
	sg_harness wait-for "$@" || exit 1
}

# sg_start_redis [ARGS...]: the harness's redis-server, ARGS added; sets
# REDIS_PORT, REDIS_SOCK, REDIS_PID.
sg_start_redis() {
	sg_need "$REDIS_SERVER" redis-server
	REDIS_PORT=$(sg_free_port)
	REDIS_SOCK=$SG_TMP/redis.sock
	# not through sg_harness: $! must be the process that becomes redis
	"$PYTHON3" "$SG_HARNESS" redis "$SG_TMP" "$REDIS_PORT" "$@" \
	    </dev/null >"$SG_TMP/redis.log" 2>&1 &
	REDIS_PID=$!
	SG_PIDS="$SG_PIDS $REDIS_PID"
	sg_wait_for test -S "$REDIS_SOCK"
	export REDIS_PORT REDIS_SOCK REDIS_PID
}
