# lib.sh: shared by the integration tests. Starts real servers on free
# loopback ports in a temporary directory and stops them on exit. Under
# CI=true a missing server is a failure, never a skip.

SG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sessgate-test.XXXXXX")
SG_PIDS=""

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

# sg_need PATH NAME: the program must exist (fail under CI, skip otherwise).
sg_need() {
	if [ -n "$1" ] && command -v "$1" >/dev/null 2>&1; then
		return 0
	fi
	if [ "${CI:-}" = true ]; then
		echo "Bail out! $2 is not installed (CI requires it)"
		exit 1
	fi
	echo "1..0 # SKIP $2 is not installed"
	exit 0
}

# sg_free_port: a TCP port on 127.0.0.1 that nothing listens on now.
sg_free_port() {
	"$PYTHON3" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# sg_wait_for CMD...: poll until CMD succeeds, at most 10 s.
sg_wait_for() {
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -ge 200 ]; then
			echo "Bail out! timed out waiting for: $*"
			exit 1
		fi
		sleep 0.05
	done
}

# sg_start_redis [ARGS...]: sets REDIS_PORT, REDIS_SOCK, REDIS_PID.
sg_start_redis() {
	sg_need "$REDIS_SERVER" redis-server
	sg_need "$PYTHON3" python3
	REDIS_PORT=$(sg_free_port)
	REDIS_SOCK=$SG_TMP/redis.sock
	"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 \
	    --unixsocket "$REDIS_SOCK" --unixsocketperm 700 --dir "$SG_TMP" \
	    --save "" --appendonly no --logfile "$SG_TMP/redis.log" "$@" \
	    </dev/null >/dev/null 2>&1 &
	REDIS_PID=$!
	SG_PIDS="$SG_PIDS $REDIS_PID"
	sg_wait_for test -S "$REDIS_SOCK"
	export REDIS_PORT REDIS_SOCK REDIS_PID
}
