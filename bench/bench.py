"""The benchmark bench/check.sh runs once it has built sessgate and the
null authorizer (-O2, in BUILD): one lighttpd serves a 1 KiB file three
ways, side by side in one run, and wrk measures each:

    static     no authorizer
    null       behind a do-nothing libfcgi authorizer (the floor)
    sessgate   behind sessgate's session check (one Redis round trip)

Redis, sessgate and lighttpd come up as the integration tests bring them
up (tests/integration/harness.py). The table, with sessgate's RSS after
the run, is printed and written to bench/results.md.

usage: bench.py BUILD SECONDS CONNECTIONS"""

import datetime
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import harness  # noqa: E402

RESULTS = os.path.join(TOP, "bench", "results.md")
CONFIG = "cookie_name = sid\ncookie_secure = no\nthreads = 4\n"
NULL_AUTHORIZER = """
$HTTP["url"] =~ "^/null/" {
	fastcgi.server = ( "" => (( "socket" => "%s", "mode" => "authorizer", "check-local" => "disable" )) )
}
"""

TABLE = """| what lighttpd serves (1 KiB file, wrk -c%(conns)d, %(secs)ds each) | requests/s | vs static | vs null authorizer |
|---|---|---|---|
| the file, no authorizer | %(static)d | 1.00 | |
| behind a do-nothing libfcgi authorizer | %(null)d | %(null_static).2f | 1.00 |
| behind sessgate's session check | %(sg)d | %(sg_static).2f | %(sg_null).2f |

sessgate's RSS after the run (parent and workers): %(rss)s KiB (%(cores)d cores, %(date)s, `bench/check.sh %(secs)d %(conns)d`).
"""

HEADER = """# Benchmark

Written by `bench/check.sh` (README's Performance section points here);
rerun it rather than editing this file.

"""


def docroot(tmp):
    """www/{static,null,private}/f.txt: the same 1 KiB file three ways."""
    root = os.path.join(tmp, "www")
    for d in ("static", "null", "private"):
        os.makedirs(os.path.join(root, d))
        with open(os.path.join(root, d, "f.txt"), "w") as f:
            f.write("x" * 1024)
    return root


def rps(port, tree, cookie, secs, conns):
    """wrk's requests/s for TREE/f.txt; every answer must be a 2xx."""
    out = subprocess.run(
        ["wrk", "-t1", "-c%d" % conns, "-d%ds" % secs,
         "-H", "Cookie: sid=" + cookie,
         "http://127.0.0.1:%d/%s/f.txt" % (port, tree)],
        capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError("non-2xx answers from /%s/:\n%s" % (tree, out))
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return int(float(line.split()[1]))
    raise RuntimeError("no Requests/sec from wrk:\n" + out)


def measure(stack, build, secs, conns):
    stack.start_redis()
    stack.write_config(CONFIG)
    stack.add_user("bench", "bench-pw")
    stack.start_sessgate(CONFIG)
    sock = os.path.join(stack.tmp, "null.sock")
    null = stack.spawn([os.path.join(build, "bench", "null-authorizer"),
                        sock], "null.log")
    try:
        harness.wait_for(lambda: os.path.exists(sock), "the null authorizer")
        site = harness.Site(cookie="sid", probe="/private/f.txt")
        site.port = stack.start_lighttpd(docroot(stack.tmp),
                                         NULL_AUTHORIZER % sock)
        cookie, _, _ = site.login("bench", "bench-pw")
        assert site.alive(cookie), "the bench cookie opens nothing"
        n = {tree: rps(site.port, tree, cookie, secs, conns)
             for tree in ("static", "null", "private")}
    finally:
        # libfcgi only sets a flag on SIGTERM: this one gets SIGKILL
        null.kill()
        null.wait()
    return TABLE % {
        "secs": secs, "conns": conns, "static": n["static"],
        "null": n["null"], "sg": n["private"],
        "null_static": n["null"] / n["static"],
        "sg_static": n["private"] / n["static"],
        "sg_null": n["private"] / n["null"],
        "rss": harness.rss_kib(harness.process_tree(stack.sessgate.pid)),
        "cores": len(os.sched_getaffinity(0)),
        "date": datetime.datetime.now(datetime.timezone.utc)
        .strftime("%Y-%m-%d")}


def main(argv):
    if len(argv) != 4:
        print(__doc__.splitlines()[-1], file=sys.stderr)
        return 2
    build, secs, conns = argv[1], int(argv[2]), int(argv[3])
    stack = harness.Stack(prefix="sessgate-bench.", bindir=build,
                          fast_hashes=False)
    try:
        table = measure(stack, build, secs, conns)
    except (RuntimeError, AssertionError, OSError,
            subprocess.CalledProcessError) as e:
        print("bench: %s" % e, file=sys.stderr)
        return 1
    finally:
        stack.stop()
    print(table, end="")
    with open(RESULTS, "w") as f:
        f.write(HEADER + table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
