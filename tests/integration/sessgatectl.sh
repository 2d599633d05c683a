#!/bin/sh
# sessgatectl against a real redis-server: users, sessions, exit codes.
. "$top_srcdir/tests/integration/lib.sh"
sg_start_redis
CTL=$top_builddir/sessgatectl
CONF=$SG_TMP/sessgate.conf
cat > "$CONF" <<EOC
redis = redis://127.0.0.1:$REDIS_PORT/0
key_prefix = ctl:
password_memlimit = 8M
password_opslimit = 1
EOC
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
# expect CODE DESCRIPTION CMD...: run CMD with $IN (if set) as its
# standard input, compare its exit status.
expect() {
	want=$1 desc=$2
	shift 2
	if [ -n "${IN+set}" ]; then
		printf '%s' "$IN" | "$@" >"$SG_TMP/out" 2>"$SG_TMP/err"
	else
		"$@" </dev/null >"$SG_TMP/out" 2>"$SG_TMP/err"
	fi
	got=$?
	unset IN
	if [ "$got" -eq "$want" ]; then ok "$desc"; else
		notok "$desc (exit $got, want $want)"
		sed 's/^/# /' "$SG_TMP/err"
	fi
}
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }

echo "1..24"
IN='pa55 word
' expect 0 "user add" "$CTL" -c "$CONF" user add alice
IN='other
' expect 1 "user add of an existing user fails" "$CTL" -c "$CONF" user add alice
grep -q "user exists" "$SG_TMP/err" && ok "says the user exists" || notok "says the user exists"
IN='' expect 1 "user add without a password fails" "$CTL" -c "$CONF" user add bob
IN='x
' expect 1 "an invalid user name fails" "$CTL" -c "$CONF" user add 'bad name'
expect 2 "no arguments is a usage error" "$CTL" -c "$CONF"
expect 2 "unknown command is a usage error" "$CTL" -c "$CONF" user frob alice
expect 2 "a usage error comes before a bad name" "$CTL" -c "$CONF" user frob 'bad name'
expect 0 "-h prints the usage" "$CTL" -h
expect 1 "a missing config file fails" "$CTL" -c "$SG_TMP/none.conf" session list alice
grep -q "none.conf:0:" "$SG_TMP/err" && ok "names the config file" || notok "names the config file"
hash=$(rcli --raw KEYS 'ctl:*:user:alice' | head -1)
pw=$(rcli --raw HGET "$hash" pw)
case $pw in '$argon2id$'*) ok "stored as an Argon2id string" ;; *) notok "stored as an Argon2id string ($pw)" ;; esac
rcli --raw HGETALL "$hash" | grep -q 'pa55 word' && notok "no plain password in Redis" || ok "no plain password in Redis"
# Two sessions made by hand through the store's own layout are listed.
tag=$(echo "$hash" | sed 's/^ctl:{\(.*\)}:user:alice$/\1/')
now=$(rcli --raw TIME | head -1)
for id in id1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA id2AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; do
	rcli SET "ctl:{$tag}:s:$id" "{\"u\":\"alice\",\"c\":${now}000,\"a\":${now}999}" PX 60000 >/dev/null
	rcli ZADD "ctl:{$tag}:idx:alice" "${now}000000" "$id" >/dev/null
done
expect 0 "session list" "$CTL" -c "$CONF" session list alice
[ "$(wc -l < "$SG_TMP/out")" -eq 2 ] && ok "lists two sessions" || notok "lists two sessions"
grep -q '^id1A[A-Za-z0-9_-]* created=20[0-9-]*T[0-9:]*Z deadline=.* idle_expires_in=60s$' "$SG_TMP/out" && ok "line format" || { notok "line format"; sed 's/^/# /' "$SG_TMP/out"; }
expect 0 "session revoke one" "$CTL" -c "$CONF" session revoke alice id1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
expect 1 "revoking it again fails" "$CTL" -c "$CONF" session revoke alice id1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
[ "$(rcli EXISTS "ctl:{$tag}:s:id2AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")" = 1 ] && ok "the other session lives" || notok "the other session lives"
IN='n3w
' expect 0 "user passwd" "$CTL" -c "$CONF" user passwd alice
grep -q '^1 session ended$' "$SG_TMP/out" && ok "passwd ended the session" || notok "passwd ended the session"
[ "$(rcli HGET "$hash" pw)" != "$pw" ] && ok "password hash changed" || notok "password hash changed"
expect 0 "user del" "$CTL" -c "$CONF" user del alice
expect 1 "user del of a missing user fails" "$CTL" -c "$CONF" user del alice
exit 0
