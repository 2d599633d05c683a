#!/bin/sh
# The house style: every tracked .c/.h file under src/, tests/ and bench/
# must already be formatted as .clang-format says (clang-format --dry-run
# -Werror). TAP, one test per file; run by hand, it exits 1 if any file is
# not formatted.
# No clang-format: a skip, or a failure under CI=true. CLANG_FORMAT names
# another binary (the configuration is written for clang-format 14).
top=${top_srcdir:-$(dirname "$0")/..}
cd "$top" || exit 1
CF=${CLANG_FORMAT:-clang-format}

if ! command -v "$CF" >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		echo "Bail out! $CF is not installed (CI requires it)"
		exit 1
	fi
	echo "1..0 # SKIP $CF is not installed"
	exit 0
fi
if [ ! -f .clang-format ]; then
	echo "Bail out! no .clang-format in $(pwd)"
	exit 1
fi

# Tracked files in a git checkout; otherwise (a release tarball, also one
# unpacked inside a checkout by make distcheck) every C file, less the one
# generated at build time.
files=""
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files -- 'src/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]')
fi
if [ -z "$files" ]; then
	files=$(find src tests bench -type f -name '*.[ch]' \
	    ! -path 'src/store/lua_scripts.*' ! -path '*/node_modules/*' | LC_ALL=C sort)
fi

echo "# $("$CF" --version)"
case $("$CF" --version) in
*" version 14."*) ;;
*) echo "# note: .clang-format is tuned for clang-format 14;" \
	"other versions may format differently" ;;
esac

# shellcheck disable=SC2086 # one path per word
set -- $files
echo "1..$#"
n=0
bad=""
out=$(mktemp "${TMPDIR:-/tmp}/style.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT
for f in "$@"; do
	n=$((n + 1))
	if "$CF" --style=file --dry-run -Werror "$f" >"$out" 2>&1; then
		echo "ok $n - $f"
	else
		echo "not ok $n - $f"
		head -n 12 "$out" | sed 's/^/# /'
		bad="$bad $f"
	fi
done
if [ -n "$bad" ]; then
	echo "# not formatted:$bad"
	echo "# fix with: $CF -i$bad"
	# Run by hand (or a hook): fail. Under make check the "not ok" lines
	# already count; an exit status would add an ERROR for the same files.
	[ -n "${top_builddir:-}" ] || exit 1
fi
exit 0
