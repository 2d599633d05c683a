#!/bin/sh
# Generate the configure script and Makefile.in; nothing generated is committed.
set -e
cd "$(dirname "$0")"
exec autoreconf -fi
