#!/bin/sh
# Requests/s of one file through lighttpd, side by side in one run:
#   static   - lighttpd serves it, no authorizer
#   null     - behind a do-nothing libfcgi authorizer (the floor)
#   sessgate - behind sessgate's session check (one Redis round trip)
# then sessgate's RSS. Writes the table into README.md between the
# bench markers. Needs a built tree, wrk, redis-server and lighttpd.
# usage: bench/check.sh [SECONDS] [CONNECTIONS]
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-10}
CONNS=${2:-32}
for p in wrk redis-server /usr/sbin/lighttpd ./sessgatectl src/lua_scripts.c; do
	command -v "$p" >/dev/null || [ -f "$p" ] ||
	    { echo "bench: $p is missing (build the tree first)" >&2; exit 1; }
done
TMP=$(mktemp -d)
PIDS=""
NULLPID=
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; [ -z "$NULLPID" ] || kill -9 $NULLPID; wait 2>/dev/null; rm -rf "$TMP"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { i=0; until "$@" >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 200 ] || exit 1; sleep 0.05; done; }

# Both FastCGI programs built the same way: -O2, no sanitizers (the
# tree's own build may carry ASan, whose shadow memory would swamp RSS).
LIBS="fcgi hiredis libsodium libcjson"
cc -O2 -o "$TMP/null-authorizer" bench/null-authorizer.c $(pkg-config --cflags --libs fcgi) -pthread
# shellcheck disable=SC2046
cc -O2 -D_GNU_SOURCE -DSYSCONFDIR='"/etc"' -DPACKAGE_VERSION_STR='"bench"' -Isrc \
    -o "$TMP/sessgate" $(ls src/*.c | grep -v sessgatectl) \
    $(pkg-config --cflags --libs $LIBS) -pthread -lm
RP=$(port)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" \
    --logfile "$TMP/redis.log" </dev/null & PIDS="$PIDS $!"
wait_for redis-cli -p "$RP" ping
cat > "$TMP/sg.conf" <<EOC
listen = unix:$TMP/sg.sock
redis = redis://127.0.0.1:$RP/0
cookie_name = sid
cookie_secure = no
threads = 4
EOC
echo bench-pw | ./sessgatectl -c "$TMP/sg.conf" user add bench
"$TMP/sessgate" -d -c "$TMP/sg.conf" 2>"$TMP/sg.log" & SGPID=$!; PIDS="$PIDS $SGPID"
# libfcgi only sets a flag on SIGTERM: this one is killed with SIGKILL
"$TMP/null-authorizer" "$TMP/null.sock" & NULLPID=$!
wait_for test -S "$TMP/sg.sock"
wait_for test -S "$TMP/null.sock"
mkdir -p "$TMP/www/static" "$TMP/www/null" "$TMP/www/private"
for d in static null private; do head -c 1024 /dev/zero | tr '\0' x > "$TMP/www/$d/f.txt"; done
HP=$(port)
cat > "$TMP/lighttpd.conf" <<EOC
server.modules = ( "mod_access", "mod_fastcgi" )
server.document-root = "$TMP/www"
server.bind = "127.0.0.1"
server.port = $HP
server.errorlog = "$TMP/lighttpd.log"
mimetype.assign = ( ".txt" => "text/plain" )
\$HTTP["url"] =~ "^/null/" {
	fastcgi.server = ( "" => (( "socket" => "$TMP/null.sock", "mode" => "authorizer", "check-local" => "disable" )) )
}
var.sessgate_socket = "$TMP/sg.sock"
var.sessgate_protected = "^/private/"
include "$(pwd)/contrib/lighttpd/sessgate.conf"
EOC
/usr/sbin/lighttpd -D -f "$TMP/lighttpd.conf" & PIDS="$PIDS $!"
wait_for curl -sf "http://127.0.0.1:$HP/static/f.txt"
COOKIE=$(curl -s -i "http://127.0.0.1:$HP/login" -d 'username=bench&password=bench-pw' |
    sed -n 's/^Set-Cookie: \(sid=[^;]*\);.*/\1/p')
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "http://127.0.0.1:$HP/private/f.txt")" = 200 ]

rps() {
	wrk -t1 -c"$CONNS" -d"${SECS}s" -H "Cookie: $COOKIE" "http://127.0.0.1:$HP/$1/f.txt" |
	    awk '/^Requests\/sec/ { printf "%d", $2 } /Non-2xx/ { print "bench: non-2xx answers" > "/dev/stderr"; exit 1 }'
}
STATIC=$(rps static)
NULL=$(rps null)
SG=$(rps private)
RSS=$(awk '/^VmRSS/ { print $2 }' "/proc/$SGPID/status")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
TABLE="$TMP/table"
cat > "$TABLE" <<EOT
<!-- bench:start -->
| what lighttpd serves (1 KiB file, wrk -c$CONNS, ${SECS}s each) | requests/s | vs static | vs null authorizer |
|---|---|---|---|
| the file, no authorizer | $STATIC | 1.00 | |
| behind a do-nothing libfcgi authorizer | $NULL | $(ratio "$NULL" "$STATIC") | 1.00 |
| behind sessgate's session check | $SG | $(ratio "$SG" "$STATIC") | $(ratio "$SG" "$NULL") |

sessgate's RSS after the run: $RSS KiB ($(nproc) cores, $(date -u +%Y-%m-%d), \`bench/check.sh $SECS $CONNS\`).
<!-- bench:end -->
EOT
cat "$TABLE"
if grep -q '<!-- bench:start -->' README.md; then
	awk -v t="$TABLE" '/<!-- bench:start -->/ { while ((getline l < t) > 0) print l; skip = 1; next }
	    /<!-- bench:end -->/ { skip = 0; next } !skip' README.md > "$TMP/README" && cp "$TMP/README" README.md
fi
