#!/bin/sh
# Build sessgate, sessgatectl and the null authorizer with make in
# build-bench/obj, -O2 and no sanitizers (the tree's own build may carry
# ASan, whose shadow memory would swamp RSS and slow every request), or
# with SANITIZE=yes in build-bench/asan with ASan and UBSan (the soak).
# Prints the build directory. Used by bench/check.sh, flood.sh, soak.sh.
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
BUILD=$TOP/build-bench
SRC=$TOP
if [ -f config.status ]; then
	# Configured in place: automake refuses a second configure out of
	# tree, so the bench configures a copy that `make distdir` refreshes
	# (it keeps the files' times: make rebuilds only what changed).
	SRC=$BUILD/dist
	mkdir -p "$BUILD"
	make -s distdir distdir="$SRC" >/dev/null
elif [ ! -x configure ]; then
	./autogen.sh >&2
fi
OBJ=$BUILD/obj
FLAGS=
if [ "${SANITIZE:-}" = yes ]; then
	OBJ=$BUILD/asan
	FLAGS=--enable-sanitizers
fi
if ! grep -qx "srcdir = $SRC" "$OBJ/Makefile" 2>/dev/null; then
	rm -rf "$OBJ"
	mkdir -p "$OBJ"
	(cd "$OBJ" && "$SRC/configure" -q CFLAGS=-O2 $FLAGS) >&2
fi
make -s -C "$OBJ" -j"$(nproc)" sessgate sessgatectl bench/null-authorizer >&2
echo "$OBJ"
