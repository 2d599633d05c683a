#!/bin/sh
# The sessgate demo: installs what is missing (Debian 12, as root), builds,
# then demo.py brings up Redis + sessgate + lighttpd on loopback with a
# demo user and a protected page, and prints the URL and the credentials;
# Ctrl-C stops everything and removes the temporary directory.
#
# The demo serves plain HTTP on 127.0.0.1, so it relaxes the cookie to
# `cookie_name = sid` and `cookie_secure = no`; production keeps the
# defaults (__Host-sid, Secure) behind HTTPS. DEMO_PORT changes the port.
set -eu
cd "$(dirname "$0")/../.."
BIN=${SESSGATE_BIN_DIR:-.}	# where sessgate and sessgatectl are built

contrib/install-deps.sh build-essential autoconf automake pkg-config \
    libfcgi-dev libhiredis-dev libsodium-dev libcjson-dev libcmocka-dev \
    redis-server redis-tools lighttpd python3
if [ ! -x "$BIN/sessgate" ] || [ ! -x "$BIN/sessgatectl" ]; then
	[ -x ./configure ] || ./autogen.sh
	[ -f Makefile ] || ./configure
	make -j"$(nproc)"
fi
export SESSGATE_BIN_DIR="$BIN"
exec python3 contrib/demo/demo.py
