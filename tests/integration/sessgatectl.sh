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

echo "1..41"
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
# Two sessions made by hand through the store's own layout (made under
# the user's generation) are listed.
tag=$(echo "$hash" | sed 's/^ctl:{\(.*\)}:user:alice$/\1/')
gen=$(rcli --raw HGET "$hash" gen)
now=$(rcli --raw TIME | head -1)
for id in id1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA id2AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; do
	rcli SET "ctl:{$tag}:s:$id" "{\"u\":\"alice\",\"c\":${now}000,\"a\":${now}999,\"g\":\"$gen\"}" PX 60000 >/dev/null
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
expect 1 "session revoke of an unknown user fails" "$CTL" -c "$CONF" session revoke alice
grep -q "no such user: alice" "$SG_TMP/err" && ok "says there is no such user" || notok "says there is no such user"
IN='pw
' expect 0 "user add bob" "$CTL" -c "$CONF" user add bob
expect 0 "session revoke of all of a user's sessions" "$CTL" -c "$CONF" session revoke bob
grep -q '^0 sessions ended$' "$SG_TMP/out" && ok "none to end" || notok "none to end"
old=$(rcli --raw KEYS 'ctl:*:user:bob')
# A site secret moves every tag: bob is found again once users rekey ran.
SECRET=$SG_TMP/secret
(umask 077; head -c 32 /dev/urandom > "$SECRET")
CONF2=$SG_TMP/secret.conf
{ cat "$CONF"; echo "secret_file = $SECRET"; } > "$CONF2"
expect 1 "under the secret, bob is not where the secret puts him" "$CTL" -c "$CONF2" session revoke bob
expect 0 "users rekey" "$CTL" -c "$CONF2" users rekey
grep -q '^1 user moved$' "$SG_TMP/out" && ok "one user moved" || notok "one user moved"
new=$(rcli --raw KEYS 'ctl:*:user:bob')
[ -n "$new" ] && [ "$new" != "$old" ] && [ -z "$(rcli --raw KEYS "$old")" ] && ok "the user key moved to a new tag" || notok "the user key moved ($old -> $new)"
expect 0 "bob is found under the secret" "$CTL" -c "$CONF2" session revoke bob
expect 0 "users rekey again moves nobody" "$CTL" -c "$CONF2" users rekey
grep -q '^0 users moved$' "$SG_TMP/out" && ok "zero users moved" || notok "zero users moved"
expect 0 "users rekey back, from the secret to none" "$CTL" -c "$CONF" users rekey "$SECRET"
[ "$(rcli --raw KEYS 'ctl:*:user:bob')" = "$old" ] && ok "back under the public tag" || notok "back under the public tag"
chmod 644 "$SECRET"
expect 1 "a secret others can read is refused" "$CTL" -c "$CONF2" session list bob
grep -q "readable or writable by others" "$SG_TMP/err" && ok "says why" || notok "says why"
expect 2 "users rekey takes one argument at most" "$CTL" -c "$CONF" users rekey a b
exit 0
