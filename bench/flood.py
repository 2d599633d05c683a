"""Check latency with and without a login flood, side by side in one run.

sessgate (built in BUILD) serves both roles on one socket, with the
default settings (workers 2, threads 4, login_concurrency 2, login_queue
64). One client sends session checks back to back over FastCGI for
SECONDS and records each answer's latency; then the same again while
FLOODERS clients send POST /login with a wrong password, a new unknown
user name and a new client address each time (every one that gets a
turn costs an Argon2id at the shipped default cost, 64M and 2 passes,
and none is throttled by the per-user or per-address counters). The
flooders are FLOOD_PROCS processes of threads at the lowest priority
(SCHED_IDLE, else nice 19): they stand for clients elsewhere, whose CPU
is not this machine's, so that the numbers are sessgate's, not the Python
load generator's; the one that measures runs at the normal priority, as
a web server does. Also: the
login answers, the slowest queue-full 503, and the RSS of sessgate's
processes during the flood. Prints the table and writes bench/flood.md.

usage: flood.py BUILD [SECONDS] [FLOODERS]"""

import datetime
import multiprocessing
import os
import socket
import statistics
import sys
import threading
import time
import urllib.parse

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import harness  # noqa: E402

RESULTS = os.path.join(TOP, "bench", "flood.md")
CONFIG = "cookie_name = sid\ncookie_secure = no\n" \
    "login_max_failures = 1000000\n"
FLOOD_PROCS = 8


def fcgi(stack, role, params, body=None):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(stack.sock)
    return harness.fcgi_request(s, role, params, body)


def check(stack, cookie):
    t0 = time.perf_counter()
    out = fcgi(stack, harness.RESPONDER, {
        "REQUEST_METHOD": "GET", "REQUEST_URI": "/auth",
        "HTTP_COOKIE": "sid=" + cookie, "REMOTE_ADDR": "127.0.0.1"})
    dt = time.perf_counter() - t0
    return out.split(b"\r\n", 1)[0], dt


def login(stack, user, pw, addr):
    body = urllib.parse.urlencode({"username": user, "password": pw})
    out = fcgi(stack, harness.RESPONDER, {
        "REQUEST_METHOD": "POST", "REQUEST_URI": "/login",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": addr,
        "HTTP_HOST": "127.0.0.1"}, body.encode())
    return out


def measure(stack, cookie, secs):
    lat, statuses = [], {}
    end = time.monotonic() + secs
    while time.monotonic() < end:
        status, dt = check(stack, cookie)
        statuses[status] = statuses.get(status, 0) + 1
        lat.append(dt)
    lat.sort()
    return {"n": len(lat), "median": statistics.median(lat) * 1000,
            "p99": lat[int(len(lat) * 0.99) - 1] * 1000,
            "max": lat[-1] * 1000, "statuses": statuses}


def flood(stack, stop, counts, i):
    n = 0
    while not stop.is_set():
        n += 1
        t0 = time.perf_counter()
        out = login(stack, "nobody%d-%d" % (i, n), "wrong",
                    "10.%d.%d.%d" % (i % 250, n // 250 % 250, n % 250))
        dt = time.perf_counter() - t0
        status = out.split(b"\r\n", 1)[0].decode(errors="replace")
        if status.startswith("Status: 503"):
            # at once (the queue was full), or after waiting its turn
            # past login_queue_timeout (5 s)
            status += " (queue full)" if dt < 1 else " (waited 5 s)"
            if dt < 1:
                counts["slowest 503"] = max(counts.get("slowest 503", 0),
                                            dt)
        counts[status] = counts.get(status, 0) + 1


def flood_proc(stack, stop, queue, first, count):
    """One process of flooders (threads), at the lowest priority: they
    stand for clients elsewhere, whose CPU is not this machine's."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(19)
    counts, threads = {}, []
    for i in range(first, first + count):
        t = threading.Thread(target=flood, args=(stack, stop, counts, i),
                             daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join(120)
    queue.put(counts)


def main(argv):
    build = argv[1]
    secs = int(argv[2]) if len(argv) > 2 else 10
    flooders = int(argv[3]) if len(argv) > 3 else 200
    stack = harness.Stack(prefix="sessgate-flood.", bindir=build,
                          fast_hashes=False)
    stack.start_redis()
    stack.write_config(CONFIG)
    stack.add_user("bench", "bench-pw")
    stack.start_sessgate(CONFIG)
    out = login(stack, "bench", "bench-pw", "127.0.0.1")
    cookie = out.split(b"Set-Cookie: sid=", 1)[1].split(b";", 1)[0].decode()
    quiet = measure(stack, cookie, secs)
    ctx = multiprocessing.get_context("fork")
    stop, queue, procs = ctx.Event(), ctx.Queue(), []
    per = (flooders + FLOOD_PROCS - 1) // FLOOD_PROCS
    for first in range(0, flooders, per):
        p = ctx.Process(target=flood_proc, args=(
            stack, stop, queue, first, min(per, flooders - first)))
        p.start()
        procs.append(p)
    time.sleep(2)       # let the flood build up before measuring
    loaded = measure(stack, cookie, secs)
    rss = harness.rss_kib(harness.process_tree(stack.sessgate.pid))
    stop.set()
    counts = {}
    for _ in procs:
        for k, v in queue.get(timeout=180).items():
            if k == "slowest 503":
                counts[k] = max(counts.get(k, 0), v)
            else:
                counts[k] = counts.get(k, 0) + v
    for p in procs:
        p.join(60)
    slowest_503 = counts.pop("slowest 503", 0)
    rows = ["| check latency (FastCGI, one client, %ds each) | checks | "
            "median ms | p99 ms | max ms | answers |" % secs,
            "|---|---|---|---|---|---|"]
    for name, m in (("no logins", quiet),
                    ("%d concurrent bogus logins" % flooders, loaded)):
        rows.append("| %s | %d | %.2f | %.2f | %.1f | %s |" % (
            name, m["n"], m["median"], m["p99"], m["max"],
            ", ".join("%s: %d" % (k.decode(errors="replace"), v)
                      for k, v in sorted(m["statuses"].items()))))
    rows.append("")
    rows.append("Login answers during the flood: %s; the slowest 503 for a "
                "full queue took %.1f ms. RSS of sessgate's processes during the "
                "flood: %.1f MiB. (%d cores, %s, `bench/flood.sh %d %d`.)" % (
                    ", ".join("%s: %d" % kv for kv in sorted(counts.items())),
                    slowest_503 * 1000, rss / 1024.0, os.cpu_count(),
                    datetime.date.today().isoformat(), secs, flooders))
    table = "\n".join(rows) + "\n"
    print(table)
    with open(RESULTS, "w") as f:
        f.write("# Check latency under a login flood\n\nWritten by "
                "`bench/flood.sh` (README's Performance section points "
                "here); rerun it rather than editing this file.\n\n" + table)
    stack.stop()


if __name__ == "__main__":
    main(sys.argv)
