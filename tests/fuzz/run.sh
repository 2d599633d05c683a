#!/bin/sh
# Build the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang, ASan and
# UBSan, and run each from its seed corpus (tests/fuzz/corpus/TARGET) for a
# time or a number of executions. TAP, one line per target: "not ok" for a
# crash, a sanitizer report, a leak, a hang or a broken promise; the input
# that did it is kept (crash-TARGET-*) and its log shown.
#
# usage: tests/fuzz/run.sh [-t SECONDS | -r RUNS] [-j JOBS] [-B BUILDDIR]
#                          [TARGET...]
#   -t SECONDS  per target (default: $SG_FUZZ_TIME, else 10)
#   -r RUNS     executions per target instead, e.g. -r 10000000 ($SG_FUZZ_RUNS);
#               -r 0 only runs the seed corpus once (a regression run)
#   -j JOBS     targets fuzzed at once (default 1)
#   -B BUILDDIR a configured, built tree: the sources are compiled again
#               here, but src/store/lua_scripts.[ch] come from its make
#               (default: $top_builddir, as under make check, else .)
#   TARGET      cookie, token, form, request, handler, record, config,
#               pathlist, redisurl, listen, fcgi_scan, fcgi_libfcgi,
#               template (default: every fuzz_*.c)
# Everything is built and kept in BUILDDIR/tests/fuzz/work: objects
# (rebuilt when a source or header changed), bin/fuzz_TARGET, the inputs a
# run found (corpus/TARGET, reused by the next run), logs and crashes.
# To add a crashing input to the seeds once it is fixed:
#   cp work/crash-TARGET-* tests/fuzz/corpus/TARGET/
# No clang or libFuzzer runtime: a skip, or a failure under CI=true.
# FUZZ_CC names another clang.
#
# shellcheck disable=SC2016,SC2086,SC2046
# (make's $(VAR) go into the makefile as they are; lists of packages,
# flags and options are split into words on purpose.)

top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${top_builddir:-.}
secs=${SG_FUZZ_TIME:-10}
runs=${SG_FUZZ_RUNS:-}
jobs=1
while getopts t:r:j:B: o; do
	case $o in
	t) secs=$OPTARG runs= ;;
	r) runs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	B) build=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS | -r RUNS] [-j JOBS] [-B BUILDDIR]" \
		"[TARGET...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
build=$(cd "$build" && pwd) || exit 1
CC=${FUZZ_CC:-clang}
PKGS="fcgi hiredis libsodium libcjson"

# The reason there is nothing to run: a skip, or under CI=true a failure.
unavailable() {
	if [ "${CI:-}" = true ]; then
		echo "Bail out! $1 (CI requires it)"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

if [ -z "$*" ]; then
	set --
	for f in "$top"/tests/fuzz/fuzz_*.c; do
		t=${f##*/fuzz_}
		set -- "$@" "${t%.c}"
	done
fi
for t in "$@"; do
	if [ ! -f "$top/tests/fuzz/fuzz_$t.c" ]; then
		echo "Bail out! no target $t (tests/fuzz/fuzz_$t.c)"
		exit 1
	fi
done

command -v "$CC" >/dev/null 2>&1 || unavailable "$CC is not installed"
work=$build/tests/fuzz/work
mkdir -p "$work/bin" "$work/log" "$work/corpus" || exit 1
# (From standard input: no stray .c file in the tree for tests/style.sh.)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)%s\n' \
    '{ (void)d; (void)n; return 0; }' |
	"$CC" -fsanitize=fuzzer,address,undefined -x c - \
	    -o "$work/probe" >"$work/log/probe.log" 2>&1 ||
	unavailable "$CC cannot link a libFuzzer target (libclang-rt-14-dev?)"
pkg-config --exists $PKGS 2>/dev/null || unavailable "pkg-config: $PKGS"
if [ ! -f "$build/src/store/lua_scripts.c" ]; then
	echo "Bail out! no $build/src/store/lua_scripts.c: run make there" \
	    "first, or name a built tree with -B"
	exit 1
fi

# A makefile, so that a second run rebuilds only what changed: the sources
# of libsessgate.a below the daemon (src/*/*.c but src/daemon, where only
# the pure fcgi_scan.c has a target: no target needs the process model,
# and it may need libraries of its own) and the
# unit tests' fake store, instrumented for the fuzzer, then one binary per
# target.
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined"
CFLAGS="$CFLAGS -fno-sanitize-recover=undefined -D_GNU_SOURCE=1 -Wall -Wextra"
CFLAGS="$CFLAGS -I$top/src -I$build/src -I$top/tests/unit -I$top/tests/fuzz"
CFLAGS="$CFLAGS $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lpthread -lm"
mk=$work/Makefile
{
	echo "CC = $CC"
	echo "CFLAGS = $CFLAGS"
	echo "LIBS = $LIBS"
	objs=""
	for f in "$top"/src/*/*.c "$build/src/store/lua_scripts.c" \
	    "$top/tests/unit/fake_store.c"; do
		case $f in
		"$top"/src/daemon/fcgi_scan.c) ;;	# pure: fuzz_fcgi_scan
		"$top"/src/daemon/*) continue ;;
		esac
		o=obj/$(basename "$(dirname "$f")")_$(basename "$f" .c).o
		objs="$objs $o"
		printf '%s: %s\n\t@mkdir -p obj\n' "$o" "$f"
		printf '\t$(CC) $(CFLAGS) -MMD -MP -c %s -o $@\n' "$f"
	done
	echo "libfuzz.a: Makefile$objs"
	printf '\trm -f $@ && ar rc $@ %s && ranlib $@\n' "$objs"
	bins=""
	for t in "$@"; do
		bins="$bins bin/fuzz_$t"
		printf 'obj/fuzz_%s.o: %s\n\t@mkdir -p obj\n' "$t" \
		    "$top/tests/fuzz/fuzz_$t.c"
		printf '\t$(CC) $(CFLAGS) -MMD -MP -c %s -o $@\n' \
		    "$top/tests/fuzz/fuzz_$t.c"
		printf 'bin/fuzz_%s: obj/fuzz_%s.o libfuzz.a\n' "$t" "$t"
		printf '\t$(CC) $(CFLAGS) -fsanitize=fuzzer %s $(LIBS) -o $@\n' \
		    "obj/fuzz_$t.o libfuzz.a"
	done
	echo "all:$bins"
	echo '-include $(wildcard obj/*.d)'
} >"$mk.new"
# (Replaced only when it changed: a new list of sources relinks all.)
if cmp -s "$mk.new" "$mk"; then rm -f "$mk.new"; else mv -f "$mk.new" "$mk"; fi
# Not the jobserver of a make check around us: it is not passed down.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$work" \
    -f Makefile -j "$(nproc 2>/dev/null || echo 2)" all \
    >"$work/log/build.log" 2>&1; then
	echo "Bail out! the fuzz targets do not build:"
	sed 's/^/# /' "$work/log/build.log" | tail -n 40
	exit 1
fi
sed 's/^/# /' "$work/log/build.log" | grep -i 'warning' | head -n 20

# Options that suit one target.
target_opts() {
	case $1 in
	handler) echo "-max_len=10000 -close_fd_mask=2" ;; # it logs
	request) echo "-max_len=10000" ;;		     # bodies past 8 KiB
	config) echo "-max_len=6000" ;;			     # lines past 4 KiB
	template) echo "-max_len=70000" ;;		     # past 64 KiB
	fcgi_libfcgi) echo "-max_len=20000" ;;		     # bodies past 8 KiB
	esac
}

# Fuzz one target; its result goes to log/TARGET.tap.
fuzz() {
	t=$1 n=$2
	mkdir -p "$work/corpus/$t"
	rm -f "$work/crash-$t-"*
	dict=""
	[ -f "$top/tests/fuzz/$t.dict" ] && dict="-dict=$top/tests/fuzz/$t.dict"
	if [ -n "$runs" ]; then
		limit="-runs=$runs"
	else
		limit="-max_total_time=$secs"
	fi
	start=$(date +%s)
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
	    "$work/bin/fuzz_$t" $limit $dict $(target_opts "$t") \
	    -timeout=10 -print_final_stats=1 -artifact_prefix="$work/crash-$t-" \
	    "$work/corpus/$t" "$top/tests/fuzz/corpus/$t" \
	    >"$work/log/$t.log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$work/log/$t.log" | tail -n 1)
	cov=$(grep ' cov: ' "$work/log/$t.log" | tail -n 1 |
	    sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/cov \1, ft \2, corpus \3/p')
	what="$t: ${execs:-?} runs in ${took} s${cov:+, $cov}"
	if [ "$rc" -eq 0 ] && ! ls "$work/crash-$t-"* >/dev/null 2>&1; then
		echo "ok $n - $what" >"$work/log/$t.tap"
		return
	fi
	{
		echo "not ok $n - $what: exit $rc"
		for c in "$work/crash-$t-"*; do
			[ -f "$c" ] && echo "# input kept: $c"
		done
		grep -E 'ERROR|SUMMARY|broken promise|runtime error|Base64' \
		    "$work/log/$t.log" | head -n 12 | sed 's/^/# /'
		tail -n 30 "$work/log/$t.log" | sed 's/^/#   /'
	} >"$work/log/$t.tap"
}

# JOBS targets at a time; their TAP lines in order once the batch is done.
echo "1..$#"
n=0
batch=""
inbatch=0
failed=0
for t in "$@"; do
	n=$((n + 1))
	fuzz "$t" "$n" &
	batch="$batch $t"
	inbatch=$((inbatch + 1))
	if [ "$inbatch" -ge "$jobs" ] || [ "$n" -eq "$#" ]; then
		wait
		for b in $batch; do
			cat "$work/log/$b.tap"
			grep -q '^not ok' "$work/log/$b.tap" && failed=1
		done
		batch=""
		inbatch=0
	fi
done
# Run by hand: the exit status says it too. Under make check the
# "not ok" lines count already.
[ -n "${top_builddir:-}" ] || exit $failed
exit 0
