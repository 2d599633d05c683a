"""A burst of ordinary logins through real web servers, side by side in
one run: sessgate with the default settings (workers 2, threads 4,
login_concurrency 2, login_queue 64, login_queue_timeout 5s, Argon2id at
64M and 2 passes, max_sessions 3, login_max_failures 10), and the same
with login_queue = 0 (a login that finds the password checks busy is
refused at once: what sessgate did before the login lane).

BURST threads press "Sign in" at the same moment (a barrier), each with
the right password of the same user, through lighttpd (mod_fastcgi, the
shipped snippet) and through nginx (auth_request, the shipped snippet),
RUNS times each. Reported per run: the answers, the slowest answer, and
the user's live sessions afterwards (sessgatectl session list), which
must be exactly max_sessions. Writes bench/burst.md.

usage: burst.py BUILD [BURST] [RUNS]"""

import datetime
import os
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import harness  # noqa: E402

RESULTS = os.path.join(TOP, "bench", "burst.md")
def burst(port, n, user, pw):
    """n logins released at once; [(status, seconds)]."""
    site = harness.Site(port, cookie="sid")
    gate = threading.Barrier(n)
    out = [None] * n

    def one(i):
        gate.wait()
        t0 = time.monotonic()
        try:
            r = site.post("/login", {"username": user, "password": pw,
                                     "next": "/"},
                          headers=site.same_origin())
            out[i] = (r.status, time.monotonic() - t0)
        except OSError as e:
            out[i] = (str(e), time.monotonic() - t0)
    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    return out


def live_sessions(stack, user):
    r = stack.ctl("session", "list", user)
    return len([line for line in r.stdout.splitlines() if line.strip()])


def main(argv):
    build = argv[1]
    n = int(argv[2]) if len(argv) > 2 else 20
    runs = int(argv[3]) if len(argv) > 3 else 3
    rows = ["| setting | server | run | answers | slowest s | live "
            "sessions after |", "|---|---|---|---|---|---|"]
    for label, extra in (("defaults", ""),
                         ("login_queue = 0", "login_queue = 0\n")):
        stack = harness.Stack(prefix="sessgate-burst.", bindir=build,
                              fast_hashes=False)
        try:
            stack.start_redis()
            conf = "cookie_name = sid\ncookie_secure = no\n" + extra
            stack.write_config(conf)
            stack.add_user("alice", "alice-pw")
            stack.start_sessgate(conf)
            harness.wait_for(lambda: harness.accepts(stack.sock), "sessgate")
            docroot = os.path.join(stack.tmp, "www")
            os.makedirs(os.path.join(docroot, "private"))
            ports = (("lighttpd", stack.start_lighttpd(docroot)),
                     ("nginx", harness.start_nginx(
                         stack, docroot, "unix:" + stack.sock)))
            for server, port in ports:
                for run in range(1, runs + 1):
                    res = burst(port, n, "alice", "alice-pw")
                    counts = {}
                    for status, _ in res:
                        counts[status] = counts.get(status, 0) + 1
                    slowest = max(dt for _, dt in res)
                    rows.append("| %s | %s | %d | %s | %.2f | %d |" % (
                        label, server, run, ", ".join(
                            "%d x %s" % (v, k)
                            for k, v in sorted(counts.items(),
                                               key=lambda kv: str(kv[0]))),
                        slowest, live_sessions(stack, "alice")))
                    print(rows[-1], flush=True)
        finally:
            stack.stop()
    table = "\n".join(rows) + "\n"
    note = ("\n%d parallel logins of one user with the right password, "
            "released at once (a barrier), %d runs per server. %d cores, "
            "%s, `bench/burst.sh %d %d`.\n" % (
                n, runs, os.cpu_count(), datetime.date.today().isoformat(),
                n, runs))
    with open(RESULTS, "w") as f:
        f.write("# A burst of ordinary logins\n\nWritten by "
                "`bench/burst.sh` (README's Performance section points "
                "here); rerun it rather than editing this file.\n\n" +
                table + note)
    print(table + note)


if __name__ == "__main__":
    main(sys.argv)
