#!/bin/sh
# Build sessgate's Debian package on Debian 12, as root: install the build
# dependencies (contrib/debian/control), make the release tarball
# (make dist), unpack it, copy its contrib/debian/ into it as debian/,
# build with debhelper, and leave sessgate_VERSION_ARCH.deb in the top
# directory. SG_DEB_KEEP=1 keeps the work directory (build log, .changes).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

# Build-Depends without versions; debhelper-compat comes with debhelper.
deps=$(awk '/^Build-Depends:/ { f = 1; sub(/^[^:]*:/, ""); print; next }
    f && /^[ \t]/ { print; next } { f = 0 }' contrib/debian/control |
    sed -e 's/([^)]*)//g' | tr ',' '\n' |
    sed -e 's/[[:space:]]//g' -e 's/^debhelper-compat$/debhelper/' |
    grep -v '^$')
# (make dist needs the autotools, dpkg-buildpackage dpkg-dev)
# shellcheck disable=SC2086
contrib/install-deps.sh build-essential dpkg-dev autoconf automake $deps

work=$(mktemp -d "${TMPDIR:-/tmp}/sessgate-deb.XXXXXX")
[ "${SG_DEB_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

# The release tarball: from this tree's build if it is configured in
# place, else from a build directory of its own.
if [ -f config.status ]; then
	make dist >"$work/dist.log" 2>&1 || { cat "$work/dist.log"; exit 1; }
	mv sessgate-*.tar.gz "$work/"
else
	./autogen.sh >"$work/dist.log" 2>&1
	mkdir "$work/dist"
	(cd "$work/dist" && "$top/configure" && make dist) \
	    >>"$work/dist.log" 2>&1 || { cat "$work/dist.log"; exit 1; }
	mv "$work"/dist/sessgate-*.tar.gz "$work/"
fi
tarball=$(cd "$work" && ls sessgate-*.tar.gz)
version=${tarball#sessgate-}
version=${version%.tar.gz}

# The changelog's upstream version must be the tarball's.
debversion=$(sed -n '1s/^sessgate (\([^)]*\)).*/\1/p' contrib/debian/changelog)
if [ "${debversion%-*}" != "$version" ]; then
	echo "contrib/debian/changelog is at $debversion, the tarball at" \
	    "$version: add a changelog entry" >&2
	exit 1
fi

cd "$work"
cp "$tarball" "sessgate_$version.orig.tar.gz"
tar xzf "$tarball"
cp -R "sessgate-$version/contrib/debian" "sessgate-$version/debian"
(cd "sessgate-$version" && dpkg-buildpackage -b -us -uc) >build.log 2>&1 || {
	tail -n 60 build.log
	echo "dpkg-buildpackage failed (SG_DEB_KEEP=1 keeps $work/build.log)" >&2
	exit 1
}
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb="sessgate_${debversion}_$arch.deb"
cp "$deb" "$top/"
echo "$top/$deb"
