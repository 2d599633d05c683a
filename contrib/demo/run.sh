#!/bin/sh
# The sessgate demo: installs what is missing (Debian 12, as root), builds,
# and brings up Redis + sessgate + lighttpd on loopback with a demo user
# and a protected page. Prints the URL and the credentials; Ctrl-C stops
# everything and removes the temporary directory.
#
# The demo serves plain HTTP on 127.0.0.1, so it relaxes the cookie to
# `cookie_name = sid` and `cookie_secure = no`; production keeps the
# defaults (__Host-sid, Secure) behind HTTPS.
set -eu
cd "$(dirname "$0")/../.."
PORT=${DEMO_PORT:-8080}
BIN=${SESSGATE_BIN_DIR:-.}	# where sessgate and sessgatectl are built

contrib/install-deps.sh build-essential autoconf automake pkg-config \
    libfcgi-dev libhiredis-dev libsodium-dev libcjson-dev libcmocka-dev \
    redis-server redis-tools lighttpd python3
if [ ! -x "$BIN/sessgate" ] || [ ! -x "$BIN/sessgatectl" ]; then
	[ -x ./configure ] || ./autogen.sh
	[ -f Makefile ] || ./configure
	make -j"$(nproc)"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sessgate-demo.XXXXXX")
PIDS=""
cleanup() {
	trap - EXIT INT TERM
	for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
	for pid in $PIDS; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$TMP"
	echo "demo stopped"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() {
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 200 ] || { echo "timed out: $*" >&2; exit 1; }
		sleep 0.05
	done
}

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$TMP" --save '' \
    --appendonly no --logfile "$TMP/redis.log" </dev/null &
PIDS="$PIDS $!"
wait_for redis-cli -p "$REDIS_PORT" ping

cat > "$TMP/sessgate.conf" <<EOC
listen = unix:$TMP/sessgate.sock
redis = redis://127.0.0.1:$REDIS_PORT/0
cookie_name = sid
cookie_secure = no
idle_timeout = 30m
absolute_timeout = 8h
EOC
PASSWORD=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$PASSWORD" | "$BIN/sessgatectl" -c "$TMP/sessgate.conf" user add demo
"$BIN/sessgate" -d -c "$TMP/sessgate.conf" 2>"$TMP/sessgate.log" &
PIDS="$PIDS $!"
wait_for test -S "$TMP/sessgate.sock"

mkdir -p "$TMP/www/private"
cat > "$TMP/www/index.html" <<'EOH'
<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>sessgate demo</title>
<h1>sessgate demo</h1><p><a href="/private/">The protected page</a></p></html>
EOH
cat > "$TMP/www/private/index.html" <<'EOH'
<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Protected</title>
<h1>You are in</h1>
<p>This page is behind sessgate. <a href="whoami.cgi">Who am I?</a></p>
<form method="post" action="/logout"><button>Sign out</button></form>
<form method="post" action="/logout-all"><button>Sign out everywhere</button></form>
</html>
EOH
cat > "$TMP/www/private/whoami.cgi" <<'EOH'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\nYou are %s (REMOTE_USER, set by sessgate).\n' "$REMOTE_USER"
EOH
chmod +x "$TMP/www/private/whoami.cgi"
cat > "$TMP/lighttpd.conf" <<EOC
server.modules = ( "mod_access", "mod_cgi" )
server.document-root = "$TMP/www"
server.bind = "127.0.0.1"
server.port = $PORT
server.errorlog = "$TMP/lighttpd-error.log"
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html", ".txt" => "text/plain" )
cgi.assign = ( ".cgi" => "" )
var.sessgate_socket = "$TMP/sessgate.sock"
var.sessgate_protected = "^/private/"
include "$(pwd)/contrib/lighttpd/sessgate.conf"
EOC
/usr/sbin/lighttpd -D -f "$TMP/lighttpd.conf" &
PIDS="$PIDS $!"
wait_for python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)"

cat <<EOM

  sessgate demo is up:   http://127.0.0.1:$PORT/private/
  user name:             demo
  password:              $PASSWORD

  Logs: $TMP/sessgate.log. Press Ctrl-C to stop everything.
EOM
wait
