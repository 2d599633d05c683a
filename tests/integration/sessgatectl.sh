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

echo "1..84"
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
# Listings: every user, every session, --json in the contract's shapes,
# sessions by their 12-character reference.
IN='pw
' expect 0 "user add carol" "$CTL" -c "$CONF" user add carol
mksess() { # USER ID [MORE]: a live session made through the store's layout
	h=$(rcli --raw KEYS "ctl:*:user:$1" | head -1)
	t=$(echo "$h" | sed 's/^ctl:{\(.*\)}:user:.*$/\1/')
	g=$(rcli --raw HGET "$h" gen)
	rcli SET "ctl:{$t}:s:$2" "{\"u\":\"$1\",\"c\":${now}000,\"a\":${now}999,\"g\":\"$g\"${3:-}}" PX 60000 >/dev/null
	rcli ZADD "ctl:{$t}:idx:$1" "${now}000000" "$2" >/dev/null
}
mksess bob bobAAAAAAAA1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
mksess bob bobAAAAAAAA2xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
mksess carol carolAAAAAA1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx ',"ip":"192.0.2.9","ua":"Firefox on Linux"'
expect 0 "user list" "$CTL" -c "$CONF" user list
[ "$(cat "$SG_TMP/out")" = "bob sessions=2
carol sessions=1" ] && ok "user list: one line per user, sorted" || { notok "user list lines"; sed 's/^/# /' "$SG_TMP/out"; }
expect 0 "user list --json" "$CTL" -c "$CONF" user list --json
[ "$(cat "$SG_TMP/out")" = '{"users":[{"name":"bob","sessions":2},{"name":"carol","sessions":1}]}' ] && ok "user list --json shape" || { notok "user list --json shape"; sed 's/^/# /' "$SG_TMP/out"; }
expect 0 "session list NAME --json" "$CTL" -c "$CONF" session list carol --json
[ "$(cat "$SG_TMP/out")" = "{\"sessions\":[{\"user\":\"carol\",\"id\":\"carolAAAAAA1\",\"created\":$now,\"deadline\":$now,\"idle_expires_in\":60,\"address\":\"192.0.2.9\",\"agent\":\"Firefox on Linux\"}]}" ] && ok "session list --json shape" || { notok "session list --json shape"; sed 's/^/# /' "$SG_TMP/out"; }
expect 0 "session list --all" "$CTL" -c "$CONF" session list --all
[ "$(cut -d' ' -f1,2 "$SG_TMP/out" | tr '\n' ,)" = "bob bobAAAAAAAA1,bob bobAAAAAAAA2,carol carolAAAAAA1," ] && ok "session list --all: user and reference" || { notok "session list --all lines"; sed 's/^/# /' "$SG_TMP/out"; }
expect 0 "session list --all --json" "$CTL" -c "$CONF" session list --all --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [(s["user"],s["id"]) for s in d["sessions"]]==[("bob","bobAAAAAAAA1"),("bob","bobAAAAAAAA2"),("carol","carolAAAAAA1")]; assert all(set(s)=={"user","id","created","deadline","idle_expires_in","address","agent"} for s in d["sessions"]); assert [s["address"] for s in d["sessions"]]==["","","192.0.2.9"]' "$SG_TMP/out" && ok "session list --all --json: every session" || { notok "session list --all --json"; sed 's/^/# /' "$SG_TMP/out"; }
expect 1 "session list of an unknown user fails" "$CTL" -c "$CONF" session list nobody
grep -q "no such user: nobody" "$SG_TMP/err" && ok "says there is no such user (list)" || notok "says there is no such user (list)"
expect 1 "a reference of no session fails" "$CTL" -c "$CONF" session revoke bob bobAAAAAAAA9
expect 1 "a reference of another user's session fails" "$CTL" -c "$CONF" session revoke bob carolAAAAAA1
expect 0 "session revoke by reference" "$CTL" -c "$CONF" session revoke bob bobAAAAAAAA1
[ "$(rcli EXISTS "ctl:{$(rcli --raw KEYS 'ctl:*:user:bob' | sed 's/^ctl:{\(.*\)}:user:.*$/\1/')}:s:bobAAAAAAAA1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")" = 0 ] && ok "that session is gone" || notok "that session is gone"
expect 2 "--all on user list is a usage error" "$CTL" -c "$CONF" user list --all
expect 2 "--all with a name is a usage error" "$CTL" -c "$CONF" session list --all bob
expect 2 "--json on session revoke is a usage error" "$CTL" -c "$CONF" session revoke --all --json
expect 0 "session revoke --all" "$CTL" -c "$CONF" session revoke --all
grep -q '^2 sessions of 2 users ended$' "$SG_TMP/out" && ok "every user's sessions ended" || { notok "every user's sessions ended"; sed 's/^/# /' "$SG_TMP/out"; }
expect 0 "user list after revoke --all" "$CTL" -c "$CONF" user list --json
[ "$(cat "$SG_TMP/out")" = '{"users":[{"name":"bob","sessions":0},{"name":"carol","sessions":0}]}' ] && ok "no session left" || { notok "no session left"; sed 's/^/# /' "$SG_TMP/out"; }
expect 0 "user del carol" "$CTL" -c "$CONF" user del carol
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
# Lockouts (issue 14): the failure counters in force, and clearing one.
# The counters are made through the store's layout: an address, an IPv6
# /64, a user (under bob's tag) and a bucket of names that are not users.
btag=$(rcli --raw KEYS 'ctl:*:user:bob' | sed 's/^ctl:{\(.*\)}:user:.*$/\1/')
rcli SET ctl:fail-addr:192.0.2.7 11 PX 600000 >/dev/null
rcli SET ctl:fail-addr:2001:db8:1:2::/64 3 PX 300000 >/dev/null
rcli SET "ctl:{$btag}:fail:bob" 10 PX 120000 >/dev/null
rcli SET ctl:fail-unknown:00ff 2 PX 60000 >/dev/null
rcli SET "ctl:{AAAAAAAAAAAAAAAA}:fail:bob" 5 PX 60000 >/dev/null # another tag
expect 0 "throttle list" "$CTL" -c "$CONF" throttle list
sed 's/expires_in=[0-9]*s/expires_in=Ns/' "$SG_TMP/out" > "$SG_TMP/list"
[ "$(cat "$SG_TMP/list")" = "address 192.0.2.7 count=11 expires_in=Ns locked
address 2001:db8:1:2::/64 count=3 expires_in=Ns
user bob count=10 expires_in=Ns locked
bucket 00ff count=2 expires_in=Ns" ] && ok "throttle list: each counter in force, sorted, locked ones marked" || { notok "throttle list lines"; sed 's/^/# /' "$SG_TMP/out"; }
grep -q '^address 192.0.2.7 count=11 expires_in=\(59[0-9]\|600\)s locked$' "$SG_TMP/out" && ok "throttle list: seconds left in the window" || { notok "throttle list: seconds left"; sed 's/^/# /' "$SG_TMP/out"; }
expect 0 "throttle list --json" "$CTL" -c "$CONF" throttle list --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); t=d["throttles"]; assert [(x["kind"],x["name"],x["count"],x["locked"]) for x in t]==[("address","192.0.2.7",11,True),("address","2001:db8:1:2::/64",3,False),("user","bob",10,True),("bucket","00ff",2,False)], t; assert all(set(x)=={"kind","name","count","expires_in","locked"} and 0<x["expires_in"]<=600 for x in t)' "$SG_TMP/out" && ok "throttle list --json: every counter" || { notok "throttle list --json"; sed 's/^/# /' "$SG_TMP/out"; }
expect 0 "throttle clear ADDRESS" "$CTL" -c "$CONF" throttle clear 192.0.2.7
[ "$(rcli EXISTS ctl:fail-addr:192.0.2.7)" = 0 ] && ok "the address counter is gone" || notok "the address counter is gone"
expect 1 "throttle clear of an address with nothing to clear fails" "$CTL" -c "$CONF" throttle clear 192.0.2.7
grep -q "no failed logins counted for address 192.0.2.7" "$SG_TMP/err" && ok "says there was nothing to clear" || notok "says there was nothing to clear"
expect 0 "throttle clear of an IPv6 address clears its /64" "$CTL" -c "$CONF" throttle clear 2001:db8:1:2::99
[ "$(rcli EXISTS ctl:fail-addr:2001:db8:1:2::/64)" = 0 ] && ok "the /64 counter is gone" || notok "the /64 counter is gone"
expect 0 "throttle clear USER" "$CTL" -c "$CONF" throttle clear bob
[ "$(rcli EXISTS "ctl:{$btag}:fail:bob")" = 0 ] && ok "the user counter is gone" || notok "the user counter is gone"
expect 1 "throttle clear of a user with nothing to clear fails" "$CTL" -c "$CONF" throttle clear bob
expect 1 "throttle clear of junk fails" "$CTL" -c "$CONF" throttle clear 'no such!'
expect 2 "throttle clear needs an argument" "$CTL" -c "$CONF" throttle clear
expect 0 "throttle list after clearing" "$CTL" -c "$CONF" throttle list
[ "$(cut -d' ' -f1,2 "$SG_TMP/out")" = "bucket 00ff" ] && ok "only the bucket is left" || { notok "only the bucket is left"; sed 's/^/# /' "$SG_TMP/out"; }
exit 0
