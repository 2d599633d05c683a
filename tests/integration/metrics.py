"""Metrics and health (README, "Monitoring") against the running daemon:
real redis-server, sessgate with two worker processes, status_path and
ping_path on. A scripted sequence of logins, checks, failures, logouts
and revocations moves every counter by exactly what happened, summed
over both workers whichever answers the scrape; a worker killed keeps its
counts in the totals (and counts a restart); ping answers 503 within
redis_timeout of Redis stopping and 200 once it is back. Every wait is
for a condition, with a deadline."""

import os
import signal
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
S = harness.Stack()
CONF = ("workers = 2\nthreads = 2\nmax_sessions = 2\n"
        "login_max_failures = 2\nstatus_path = /status\nping_path = /ping\n"
        "redis_timeout = 200ms\n")
COOKIE = "__Host-sid"


def fcgi(role, params, body=None):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(S.sock)
    return harness.fcgi_request(s, role, params, body)


def status_of(out):
    return int(out.split(b"\r\n", 1)[0].split()[1])


def scrape():
    """{(name, labels): value} of one scrape of status_path."""
    out = fcgi(harness.RESPONDER, {"REQUEST_METHOD": "GET",
                                   "REQUEST_URI": "/status"})
    assert status_of(out) == 200, out[:200]
    head, body = out.split(b"\r\n\r\n", 1)
    assert b"Content-Type: text/plain; version=0.0.4" in head, head
    m = {}
    for line in body.decode().splitlines():
        if not line or line.startswith("#"):
            continue
        key, value = line.rsplit(" ", 1)
        m[key] = float(value)
    return m


def delta(before, after):
    return {k: after[k] - before.get(k, 0) for k in after
            if after[k] != before.get(k, 0)}


def login(user, pw, addr="192.0.2.1", cookie=None):
    body = urllib.parse.urlencode({"username": user, "password": pw})
    p = {"REQUEST_METHOD": "POST", "REQUEST_URI": "/login",
         "CONTENT_TYPE": "application/x-www-form-urlencoded",
         "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": addr}
    if cookie:
        p["HTTP_COOKIE"] = "%s=%s" % (COOKIE, cookie)
    out = fcgi(harness.RESPONDER, p, body.encode())
    c = None
    for line in out.decode(errors="replace").split("\r\n"):
        if line.startswith("Set-Cookie: %s=" % COOKIE):
            c = line.split("=", 1)[1].split(";")[0]
    return status_of(out), c


def check(cookie=None, raw=None):
    p = {"REQUEST_METHOD": "GET", "REQUEST_URI": "/private/"}
    if cookie:
        p["HTTP_COOKIE"] = "%s=%s" % (COOKIE, cookie)
    if raw:
        p["HTTP_COOKIE"] = raw
    return status_of(fcgi(harness.AUTHORIZER, p))


def post(path, cookie):
    return status_of(fcgi(harness.RESPONDER, {
        "REQUEST_METHOD": "POST", "REQUEST_URI": path,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_COOKIE": "%s=%s" % (COOKIE, cookie)}, b""))


def counters(m):
    """The counters and histogram counts of a scrape (no gauges)."""
    return {k: v for k, v in m.items()
            if not k.startswith(("sessgate_workers",
                                 "sessgate_login_queue_length",
                                 "sessgate_busy_requests"))}


def workers():
    return harness.children(S.sessgate.pid)


def the_sequence_moves_every_counter_by_what_happened(run, victim):
    """run: 1, 2... (other addresses each time); victim: a user whose
    logins are throttled (login_max_failures 2) in this run."""
    before = scrape()
    net = "198.51.100" if run == 1 else "203.0.113"
    ok = [login("alice", "alice-pw", "%s.%d" % (net, i))[1]
          for i in (10, 11, 12)]         # the third evicts the first
    assert all(ok), ok
    assert login("alice", "nope", net + ".20")[0] == 401
    assert login("nobody", "nope", net + ".21")[0] == 401
    assert login(victim, "x", net + ".30")[0] == 401
    assert login(victim, "x", net + ".31")[0] == 401
    assert login(victim, victim + "-pw", net + ".32")[0] == 429
    statuses = [check(ok[2]) for _ in range(5)] + \
        [check(ok[0]), check(), check()] + [check(raw="x=\x01")]
    assert statuses == [200] * 5 + [401, 401, 401, 400], statuses
    assert post("/logout", ok[2]) == 303
    assert post("/logout-all", ok[1]) == 303   # ends ok[1], the last one
    after = scrape()
    want = {
        'sessgate_logins_total{result="ok"}': 3,
        'sessgate_logins_total{result="failed"}': 4,
        'sessgate_logins_total{result="throttled"}': 1,
        'sessgate_evictions_total': 1,
        'sessgate_checks_total{result="allow"}': 5,
        'sessgate_checks_total{result="deny"}': 3,
        'sessgate_checks_total{result="malformed"}': 1,
        'sessgate_logouts_total': 2,
        'sessgate_revocations_total': 1,
        'sessgate_check_duration_seconds_count': 9,
        'sessgate_check_duration_seconds_bucket{le="+Inf"}': 9,
        'sessgate_login_duration_seconds_count': 8,
        'sessgate_login_duration_seconds_bucket{le="+Inf"}': 8,
    }
    d = delta(counters(before), counters(after))
    # the other buckets and the sums move too; the rest must not
    moved = {k: v for k, v in d.items()
             if "_bucket" not in k or "+Inf" in k}
    moved = {k: v for k, v in moved.items() if not k.endswith("_sum")}
    assert moved == want, (moved, want)
    assert after["sessgate_workers"] == 2, after
    return after


@T.test
def counters_sum_every_worker_and_survive_one_killed():
    after = the_sequence_moves_every_counter_by_what_happened(1, "bob")
    # any worker answers the same totals
    for _ in range(8):
        assert counters(scrape()) == counters(after)
    victim = workers()[0]
    os.kill(victim, signal.SIGKILL)
    harness.wait_for(lambda: len(workers()) == 2 and victim not in workers(),
                     "a new worker", 10)
    harness.wait_for(lambda: scrape()["sessgate_workers"] == 2, "workers 2")
    m = scrape()
    d = delta(counters(after), counters(m))
    assert d == {"sessgate_worker_restarts_total": 1}, d
    for _ in range(8):
        assert counters(scrape()) == counters(m)
    # and the counts go on from there
    again = the_sequence_moves_every_counter_by_what_happened(2, "carol")
    assert again['sessgate_logins_total{result="ok"}'] == \
        m['sessgate_logins_total{result="ok"}'] + 3


@T.test
def a_reload_keeps_the_totals():
    before = counters(scrape())
    S.reload(CONF + "client_timeout = 9s\n")
    harness.wait_for(lambda: len(workers()) == 2, "the new workers", 20)
    assert counters(scrape()) == before


@T.test
def ping_follows_redis():
    out = fcgi(harness.RESPONDER, {"REQUEST_METHOD": "GET",
                                   "REQUEST_URI": "/ping"})
    assert status_of(out) == 200 and out.endswith(b"\r\n\r\npong\n"), out
    S.redis.send_signal(signal.SIGSTOP)        # Redis stops answering
    try:
        t0 = time.monotonic()
        out = fcgi(harness.RESPONDER, {"REQUEST_METHOD": "GET",
                                       "REQUEST_URI": "/ping"})
        took = time.monotonic() - t0
        assert status_of(out) == 503, out
        assert b"Retry-After: 1\r\n" in out, out
        # redis_timeout (200 ms), tried twice at most, and slack for a
        # loaded machine; a ping that waited for Redis would never end
        assert took < 0.2 * 2 + 1.0, took
        harness.note("ping: 503 after %.0f ms with Redis stopped"
                     % (took * 1000))
    finally:
        S.redis.send_signal(signal.SIGCONT)

    def pong():
        o = fcgi(harness.RESPONDER, {"REQUEST_METHOD": "GET",
                                     "REQUEST_URI": "/ping"})
        return status_of(o) == 200
    harness.wait_for(pong, "ping to answer 200 again", 5)
    assert scrape()["sessgate_redis_errors_total"] >= 1


@T.test
def off_by_default_and_get_only():
    out = fcgi(harness.RESPONDER, {"REQUEST_METHOD": "POST",
                                   "REQUEST_URI": "/status",
                                   "CONTENT_TYPE":
                                   "application/x-www-form-urlencoded"}, b"")
    assert status_of(out) == 405, out
    conf = os.path.join(S.tmp, "off.conf")
    with open(S.conf) as f, open(conf, "w") as g:
        g.write(f.read().replace("status_path = /status\n", "")
                .replace("ping_path = /ping\n", "")
                .replace("listen = unix:%s" % S.sock,
                         "listen = unix:%s/off.sock" % S.tmp))
    p = S.spawn([os.path.join(harness.TOP_BUILDDIR, "sessgate"), "-d", "-c",
                 conf], "off.log")
    path = os.path.join(S.tmp, "off.sock")
    harness.wait_for(lambda: harness.accepts(path), "the second sessgate")
    for uri in ("/status", "/ping"):
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        out = harness.fcgi_request(s, harness.RESPONDER, {
            "REQUEST_METHOD": "GET", "REQUEST_URI": uri})
        assert status_of(out) == 404, (uri, out)
    p.terminate()
    assert p.wait(20) == 0


def setup():
    S.start_redis()
    S.write_config(CONF)
    S.add_user("alice", "alice-pw")
    S.add_user("bob", "bob-pw")
    S.add_user("carol", "carol-pw")
    S.start_sessgate(CONF)
    harness.wait_for(lambda: harness.accepts(S.sock), "sessgate")
    harness.wait_for(lambda: len(workers()) == 2, "the workers")


setup()
sys.exit(T.run())
