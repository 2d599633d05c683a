"""Soak: CHECKS session checks and LOGINS logins through lighttpd against
a sessgate built with AddressSanitizer (BUILD: a tree configured with
--enable-sanitizers), then SIGTERM. Samples the RSS of every sessgate
process as it goes, and fails on any ASan/LSan/UBSan report, any answer
other than the expected ones, or RSS that keeps growing. Writes the
figures to bench/soak.md.

usage: soak.py BUILD [CHECKS] [LOGINS]"""

import concurrent.futures
import datetime
import os
import re
import signal
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import harness  # noqa: E402

RESULTS = os.path.join(TOP, "bench", "soak.md")
CONFIG = "cookie_name = sid\ncookie_secure = no\nthreads = 4\n" \
    "max_sessions = 3\nlogin_max_failures = 0\n"
USERS = 50


def wrk(port, cookie, secs):
    out = subprocess.run(
        ["wrk", "-t1", "-c16", "-d%ds" % secs, "-H", "Cookie: sid=" + cookie,
         "http://127.0.0.1:%d/private/f.txt" % port],
        capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError("wrk saw errors:\n" + out)
    return int(re.search(r"(\d+) requests in", out).group(1))


def main(argv):
    build = argv[1]
    checks = int(argv[2]) if len(argv) > 2 else 1000000
    logins = int(argv[3]) if len(argv) > 3 else 10000
    # A small quarantine, so that RSS shows sessgate's own memory rather
    # than ASan's 256 MiB of freed blocks held back; leak checks at exit.
    os.environ["ASAN_OPTIONS"] = "quarantine_size_mb=8:detect_leaks=1"
    stack = harness.Stack(prefix="sessgate-soak.", bindir=build)
    stack.start_redis()
    stack.write_config(CONFIG)
    for i in range(USERS):
        stack.add_user("u%d" % i, "pw%d" % i)
    stack.start_sessgate(CONFIG)
    root = os.path.join(stack.tmp, "www")
    os.makedirs(os.path.join(root, "private"))
    with open(os.path.join(root, "private", "f.txt"), "w") as f:
        f.write("x" * 1024)
    site = harness.Site(cookie="sid", probe="/private/f.txt")
    site.port = stack.start_lighttpd(root)
    cookie, _, _ = site.login("u0", "pw0")
    samples = []
    t0 = time.monotonic()

    def sample(done_checks, done_logins):
        samples.append((round(time.monotonic() - t0), done_checks,
                        done_logins, harness.rss_kib(harness.process_tree(stack.sessgate.pid))))
        print("t=%ds checks=%d logins=%d rss=%d KiB" % samples[-1],
              flush=True)

    n = 0
    sample(0, 0)
    while n < checks:
        n += wrk(site.port, cookie, 10)
        sample(n, 0)

    busy = [0]

    def one_login(i):
        """A login, retried after its Retry-After while sessgate answers
        503 (login_concurrency password checks already running)."""
        user = "u%d" % (i % USERS)
        while True:
            r = site.post("/login", {"username": user,
                                     "password": "pw%d" % (i % USERS)})
            if r.status != 503:
                break
            busy[0] += 1
            time.sleep(0.05)
        assert r.status == 303, (r.status, r.body[:200])
        assert site.alive(r.cookie("sid")[0])
        return 1

    done = 0
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        for start in range(0, logins, 1000):
            done += sum(ex.map(one_login, range(start,
                                                min(logins, start + 1000))))
            sample(n, done)
    pids = harness.process_tree(stack.sessgate.pid)
    stack.sessgate.send_signal(signal.SIGTERM)
    rc = stack.sessgate.wait(60)
    log = stack.sessgate_log()
    bad = [l for l in log.splitlines()
           if re.search(r"Sanitizer|runtime error|leak", l)]
    warm = samples[1][3]
    last = samples[-1][3]
    rows = ["| t (s) | checks | logins | RSS of sessgate (KiB) |",
            "|---|---|---|---|"]
    rows += ["| %d | %d | %d | %d |" % s for s in samples]
    text = ("# Soak\n\nWritten by `bench/soak.sh` (README points here); "
            "rerun it rather than editing this file.\n\n"
            "%d checks and %d logins through lighttpd, sessgate built with "
            "ASan and UBSan (%d processes), %s.\n\n" % (
                n, done, len(pids),
                datetime.date.today().isoformat())
            + "\n".join(rows) + "\n\n"
            "Exit status after SIGTERM: %d. Sanitizer reports: %d. RSS after "
            "the first 10 s: %d KiB; at the end: %d KiB. Logins answered "
            "503 (busy, retried): %d.\n" % (rc, len(bad), warm, last, busy[0]))
    print(text)
    with open(RESULTS, "w") as f:
        f.write(text)
    stack.stop()
    if rc != 0 or bad:
        print("\n".join(bad[:20]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
