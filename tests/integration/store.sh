#!/bin/sh
# The Redis store against a real redis-server, with an ACL user for AUTH.
. "$top_srcdir/tests/integration/lib.sh"
sg_start_redis --user default on nopass '~*' '&*' '+@all' \
    --user app on '>app-secret' '~*' '&*' '+@all'
# test_store restarts Redis once (after SHUTDOWN NOSAVE): the same server
# on the same port and socket, stopped with the others at exit.
SG_REDIS_RESTART=$SG_TMP/restart-redis
cat > "$SG_REDIS_RESTART" <<EOS
#!/bin/sh
rm -f "$REDIS_SOCK"
"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 \
    --unixsocket "$REDIS_SOCK" --unixsocketperm 700 --dir "$SG_TMP" \
    --save "" --appendonly no --logfile "$SG_TMP/redis2.log" \
    --daemonize yes --pidfile "$SG_TMP/redis2.pid" \
    --user default on nopass '~*' '&*' '+@all' \
    --user app on '>app-secret' '~*' '&*' '+@all' || exit 1
i=0
while [ ! -S "$REDIS_SOCK" ]; do
	i=\$((i + 1))
	[ \$i -lt 200 ] || exit 1
	sleep 0.05
done
EOS
chmod +x "$SG_REDIS_RESTART"
export SG_REDIS_RESTART
trap 'kill "$(cat "$SG_TMP/redis2.pid" 2>/dev/null)" 2>/dev/null; sg_cleanup' EXIT
"$top_builddir/tests/integration/test_store"
