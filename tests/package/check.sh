#!/bin/sh
# The Debian package, end to end, on a pristine Debian 12 root (as root; it
# installs packages and users, starts servers, and removes what it made):
#
#   /work/shared/tools/fresh-debian.sh --repo . --run tests/package/check.sh
#
# Builds the package with contrib/debian/build.sh, runs lintian (no
# errors), installs it with apt-get, checks the files, the user and the
# secret, `sessgate -n` on the installed configuration, starts the daemon
# from the installed units as systemd would (tests/package/activate.py:
# systemd is not PID 1 there), and through nginx with the installed
# snippet checks a session (denied, login, allowed), writes and rotates
# the audit log; then `apt-get purge` must leave the system as it was
# before the install (files, users, groups). Also: without cmocka the
# source tree configures and builds, and `make check` says what is
# missing. One TAP line per check.
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
T=/run/sgtest
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { if "$@"; then ok "$DESC"; else notok "$DESC"; fi; }
die() { echo "Bail out! $*"; exit 1; }
export DEBIAN_FRONTEND=noninteractive

# No service starts at install (a chroot shares the host's ports).
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d

echo "# building"
contrib/debian/build.sh >/tmp/build.out 2>&1 || { cat /tmp/build.out; die "build.sh failed"; }
deb=$(tail -n 1 /tmp/build.out)
DESC="build.sh leaves sessgate_VERSION_ARCH.deb in the top directory" \
    check test -f "$deb" -a "$(dirname "$deb")" = "$top"
case $deb in */sessgate_*_*.deb) ok "named $(basename "$deb")" ;; *) notok "named $deb" ;; esac

echo "# what the test needs, and the package's dependencies, before the baseline"
apt-get install -y -q --no-install-recommends lintian nginx redis-server \
    curl python3 logrotate >/tmp/apt.out 2>&1 || { cat /tmp/apt.out; die "apt-get"; }
deps=$(apt-get install -s "$deb" | sed -n 's/^Inst \([^ ]*\) .*/\1/p' | grep -vx sessgate)
# shellcheck disable=SC2086
[ -z "$deps" ] || apt-get install -y -q --no-install-recommends $deps >>/tmp/apt.out 2>&1 ||
    { cat /tmp/apt.out; die "apt-get (dependencies)"; }

echo "# lintian $(dpkg-query -W -f='${Version}' lintian) --display-info (as nobody):"
cp "$deb" /tmp/
chmod 0644 "/tmp/$(basename "$deb")"
(cd /tmp && HOME=/tmp runuser -u nobody -- lintian --display-info "$(basename "$deb")") \
    >/tmp/lintian.out 2>&1
sed 's/^/#   /' /tmp/lintian.out
DESC="lintian reports no error" check sh -c '! grep -q "^E: " /tmp/lintian.out'

# The test's own nginx site (on a Unix socket: no port shared with the
# host), in the baseline like nginx itself.
rm -f /etc/nginx/sites-enabled/default
cat >/etc/nginx/conf.d/sgtest.conf <<NGINX
upstream sessgate { server unix:/run/sessgate/sessgate.sock; }
server {
	listen unix:$T/nginx.sock;
	root $T/www;
	include /etc/nginx/snippets/sessgate.conf;
}
NGINX

# Everything but package and apt bookkeeping (and what logrotate and
# nginx keep of their own runs), with owners and modes, and the users and
# groups.
snapshot() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run \
	    -o -path /tmp -o -path /root -o -path /var/lib/dpkg \
	    -o -path /var/lib/apt -o -path /var/cache -o -path /var/log/apt \
	    -o -path /var/lib/logrotate -o -path /var/lib/nginx \
	    -o -name '*-old' \) -prune -o \
	    ! -path /var/log/dpkg.log ! -path /var/log/alternatives.log \
	    ! -path /etc/passwd- ! -path /etc/group- ! -path /etc/shadow- \
	    ! -path /etc/gshadow- -printf '%p %u %g %m\n' | sort
	getent passwd
	getent group
}
snapshot >/tmp/before

echo "# installing"
apt-get install -y -q "$deb" >/tmp/install.out 2>&1
DESC="apt-get install ./sessgate_*.deb" check test $? -eq 0
for f in /usr/sbin/sessgate /usr/sbin/sessgatectl; do
	DESC="$f" check test -x $f
done
for f in /usr/share/man/man8/sessgate.8.gz /usr/share/man/man8/sessgatectl.8.gz \
    /usr/share/man/man5/sessgate.conf.5.gz /lib/systemd/system/sessgate.socket \
    /lib/systemd/system/sessgate.service /etc/nginx/snippets/sessgate.conf \
    /etc/lighttpd/conf-available/sessgate.conf \
    /etc/apache2/conf-available/sessgate-authnz.conf \
    /etc/apache2/conf-available/sessgate-fcgid.conf /etc/logrotate.d/sessgate \
    /usr/share/doc/sessgate/copyright; do
	DESC="$f" check test -f $f
done
conffiles=$(dpkg-query -W -f='${Conffiles}\n' sessgate)
for f in /etc/sessgate/sessgate.conf /etc/nginx/snippets/sessgate.conf \
    /etc/logrotate.d/sessgate; do
	DESC="$f is a conffile" check sh -c 'echo "$1" | grep -q "^ $2 "' - "$conffiles" "$f"
done
DESC="the system user _sessgate (no login shell)" \
    check sh -c 'getent passwd _sessgate | grep -q ":/usr/sbin/nologin$"'
DESC="the secret: 32 bytes, root:_sessgate 0640" \
    check test "$(stat -c '%s %U:%G %a' /etc/sessgate/secret)" = "32 root:_sessgate 640"
DESC="sessgate.conf names it" check grep -qx 'secret_file = /etc/sessgate/secret' /etc/sessgate/sessgate.conf
DESC="/run/sessgate: _sessgate:_sessgate 755" \
    check test "$(stat -c '%U:%G %a' /run/sessgate)" = "_sessgate:_sessgate 755"
DESC="/usr/lib/tmpfiles.d/sessgate.conf makes it at boot" \
    check grep -qx 'd /run/sessgate 0755 _sessgate _sessgate -' /usr/lib/tmpfiles.d/sessgate.conf
DESC="/var/log/sessgate: _sessgate:adm 2750" \
    check test "$(stat -c '%U:%G %a' /var/log/sessgate)" = "_sessgate:adm 2750"
DESC="the service runs the installed program on the installed configuration" \
    check grep -qx 'ExecStart=/usr/sbin/sessgate -d -c /etc/sessgate/sessgate.conf' \
    /lib/systemd/system/sessgate.service
DESC="the socket is enabled" check test -L /etc/systemd/system/sockets.target.wants/sessgate.socket
sessgate -n >/tmp/n.out 2>&1
DESC="sessgate -n (the default file) says configuration OK" check grep -qx "configuration OK" /tmp/n.out
runuser -u _sessgate -- sessgate -n -c /etc/sessgate/sessgate.conf >/tmp/n.out 2>&1
DESC="and so it does as _sessgate" check grep -qx "configuration OK" /tmp/n.out
grep -qx "configuration OK" /tmp/n.out || sed 's/^/#   /' /tmp/n.out

echo "# Redis, sessgate from its units, nginx"
mkdir -p $T/www && echo "the private page" >$T/www/index.html
redis-server --port 0 --unixsocket $T/redis.sock --unixsocketperm 777 \
    --dir $T --save '' --daemonize yes --pidfile $T/redis.pid >/dev/null
sed -i -e "s|^#redis = .*|redis = unix:$T/redis.sock|" \
    -e 's|^#audit = syslog$|audit = /var/log/sessgate/audit.log|' /etc/sessgate/sessgate.conf
pid=$(python3 tests/package/activate.py /lib/systemd/system $T/sessgate.log)
i=0
while ! grep -q "listening\|serving\|worker" $T/sessgate.log 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
sleep 0.5
sed 's/^/#   sessgate: /' $T/sessgate.log
DESC="sessgate runs as _sessgate" check test "$(stat -c %U /proc/"$pid")" = _sessgate
DESC="the socket as sessgate.socket says: root:www-data 0660" \
    check test "$(stat -c '%U:%G %a' /run/sessgate/sessgate.sock)" = "root:www-data 660"
nginx >/tmp/nginx.out 2>&1
DESC="nginx starts with the installed snippet" check test $? -eq 0
get() { curl -s --unix-socket $T/nginx.sock -o $T/body -D $T/head -w '%{http_code}' "$@"; }
DESC="a page navigation without a session: 302 to the login form" \
    check test "$(get -H 'Accept: text/html' http://localhost/)" = 302
DESC="its Location is /login?next=/" check grep -qi '^Location: /login?next=/' $T/head
DESC="an API request without a session: 401" \
    check test "$(get -H 'Accept: application/json' http://localhost/)" = 401
echo "alice-password" | sessgatectl user add alice >/tmp/ctl.out 2>&1
DESC="sessgatectl user add (the default configuration)" check test $? -eq 0
DESC="login through nginx: 303" check test "$(get -d 'username=alice&password=alice-password' \
    http://localhost/login)" = 303
cookie=$(sed -n 's/^Set-Cookie: \(__Host-sid=[^;]*\).*/\1/ip' $T/head | tr -d '\r')
DESC="a session cookie" check test -n "$cookie"
DESC="the page with the session: 200" check test "$(get -H "Cookie: $cookie" http://localhost/)" = 200
DESC="its body" check grep -qx "the private page" $T/body
DESC="the audit log holds the login" check grep -q '"event":"login"' /var/log/sessgate/audit.log
DESC="owned by _sessgate" check test "$(stat -c %U /var/log/sessgate/audit.log)" = _sessgate
logrotate -f /etc/logrotate.d/sessgate >/tmp/logrotate.out 2>&1
DESC="logrotate rotates it" check test $? -eq 0 -a -f /var/log/sessgate/audit.log.1
DESC="and makes a new one, _sessgate:adm 0640" \
    check test "$(stat -c '%U:%G %a' /var/log/sessgate/audit.log)" = "_sessgate:adm 640"

secret=$(sha256sum </etc/sessgate/secret)
apt-get install -y -q --reinstall "$deb" >>/tmp/install.out 2>&1
DESC="a reinstall keeps the secret and the edited configuration" \
    check test "$(sha256sum </etc/sessgate/secret)" = "$secret" -a \
    -n "$(grep "^redis = unix:$T/redis.sock" /etc/sessgate/sessgate.conf)"

kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
DESC="SIGTERM stops sessgate" check sh -c '! kill -0 "$1" 2>/dev/null' - "$pid"
nginx -s stop
kill "$(cat $T/redis.pid)"
rm -rf /run/sessgate

echo "# purging"
apt-get purge -y -q sessgate >/tmp/purge.out 2>&1
DESC="apt-get purge sessgate" check test $? -eq 0
grep -i 'warn\|error\|sessgate' /tmp/purge.out | sed 's/^/#   /'
snapshot >/tmp/after
DESC="purge leaves the system as it was before the install" check cmp -s /tmp/before /tmp/after
diff /tmp/before /tmp/after | sed 's/^/#   /'
DESC="no user _sessgate" check sh -c '! getent passwd _sessgate && ! getent group _sessgate'

echo "# without cmocka (not installed here): configure, build, make check says so"
mkdir /tmp/nocmocka
(cd /tmp/nocmocka && "$top/configure" >/tmp/nocmocka.out 2>&1 &&
    make -j"$(nproc)" >>/tmp/nocmocka.out 2>&1)
DESC="configure and make without cmocka" check test $? -eq 0
(cd /tmp/nocmocka && make check >/tmp/check.out 2>&1)
DESC="make check fails" check test $? -ne 0
DESC="saying libcmocka-dev is missing" check grep -q "install libcmocka-dev" /tmp/check.out
grep '^make check:' /tmp/check.out | sed 's/^/#   /'

echo "1..$n"
[ $failed -eq 0 ] || { echo "# $failed of $n failed"; exit 1; }
echo "# all $n passed"
