#!/bin/sh
# `make install` into a DESTDIR: programs, man pages, units (the service
# naming the installed program and configuration), examples, and the
# sample configuration, which never overwrites one that exists.
. "$top_srcdir/tests/integration/lib.sh"
R=$SG_TMP/root
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if "$@"; then ok "$DESC"; else notok "$DESC"; fi; }

echo "1..14"
${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$R" >"$SG_TMP/install.log" 2>&1
DESC="make install succeeds" check test $? -eq 0
DESC="sessgate in sbin" check test -x "$R$SG_SBINDIR/sessgate"
DESC="sessgatectl in sbin" check test -x "$R$SG_SBINDIR/sessgatectl"
DESC="sessgate(8)" check test -f "$R$SG_MANDIR/man8/sessgate.8"
DESC="sessgate.conf(5)" check test -f "$R$SG_MANDIR/man5/sessgate.conf.5"
DESC="sessgatectl(8)" check test -f "$R$SG_MANDIR/man8/sessgatectl.8"
DESC="the sample configuration" check cmp -s "$top_srcdir/conf/sessgate.conf" "$R$SG_SYSCONFDIR/sessgate.conf"
U=$R$SG_SYSTEMDUNITDIR
DESC="systemd units" check test -f "$U/sessgate.socket" -a -f "$U/sessgate.service"
DESC="the service runs the installed program on the installed configuration" \
    check grep -qx "ExecStart=$SG_SBINDIR/sessgate -d -c $SG_SYSCONFDIR/sessgate.conf" "$U/sessgate.service"
DESC="no unsubstituted @dir@ in the service" check sh -c '! grep -q "@[a-z]*@" "$1"' - "$U/sessgate.service"
DESC="web server examples" check test -f "$R$SG_DOCDIR/examples/contrib/lighttpd/sessgate.conf"
echo "threads = 9 # mine" >> "$R$SG_SYSCONFDIR/sessgate.conf"
${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$R" >>"$SG_TMP/install.log" 2>&1
DESC="a second install keeps an edited configuration" check grep -q "threads = 9 # mine" "$R$SG_SYSCONFDIR/sessgate.conf"
"$R$SG_SBINDIR/sessgate" -n -c "$R$SG_SYSCONFDIR/sessgate.conf" >"$SG_TMP/n.out" 2>&1
DESC="the installed daemon accepts the installed configuration" check grep -q "configuration OK" "$SG_TMP/n.out"
${MAKE:-make} -s -C "$top_builddir" uninstall DESTDIR="$R" >>"$SG_TMP/install.log" 2>&1
DESC="uninstall removes the programs, keeps the edited configuration" check test ! -e "$R$SG_SBINDIR/sessgate" -a -f "$R$SG_SYSCONFDIR/sessgate.conf"
exit 0
