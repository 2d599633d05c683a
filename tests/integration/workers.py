"""The process model: a parent that holds the listening socket and runs
`workers` worker processes. SIGHUP passes a new configuration on by
replacing the workers (an invalid one changes nothing; "configuration
reloaded" is logged only once every old worker acknowledged, a warning
says how many have not after 2 s), a change of
`listen` is warned about only when sessgate opened the socket itself, a
worker that keeps dying young is replaced ever more slowly, and SIGTERM
stops every process with exit status 0, on a socket of its own or on the
one it was handed on fd 0. Real redis-server; every wait has a
deadline."""

import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
S = harness.Stack()
SESSGATE = os.path.join(harness.TOP_BUILDDIR, "sessgate")
BASE = "threads = 2\nclient_timeout = 1s\n"


children = harness.children


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def unix_connect(path):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(path)
    return s


def check(path):
    out = harness.fcgi_request(unix_connect(path), harness.AUTHORIZER,
                               {"REQUEST_METHOD": "GET", "REQUEST_URI": "/",
                                "HTTP_ACCEPT": "text/html"})
    return out.split(b"\r\n", 1)[0].decode()


def answers(path, status):
    try:
        return check(path) == status
    except OSError:
        return False


@T.test
def reload_replaces_the_workers():
    S.start_sessgate(BASE + "workers = 2\n")
    p = S.sessgate
    harness.wait_for(lambda: len(children(p.pid)) == 2, "two workers")
    old = children(p.pid)
    assert check(S.sock) == "Status: 302 Found"
    # the new configuration reaches the workers: three of them, and no
    # login redirect any more
    S.reload(BASE + "workers = 3\nlogin_redirect =\n")
    assert check(S.sock) == "Status: 401 Unauthorized"
    harness.wait_for(lambda: len(children(p.pid)) == 3 and
                     not set(old) & set(children(p.pid)),
                     "three new workers")
    assert "takes effect at the next start" not in S.sessgate_log()
    # an invalid configuration changes nothing
    kids = children(p.pid)
    with open(S.conf, "a") as f:
        f.write("workers = 0\n")
    p.send_signal(signal.SIGHUP)
    harness.wait_for(lambda: "keeping the configuration" in S.sessgate_log(),
                     "the refused reload")
    assert "workers: must be between 1 and 64" in S.sessgate_log()
    assert children(p.pid) == kids
    assert check(S.sock) == "Status: 401 Unauthorized"
    # listen cannot change on a socket sessgate made itself: a warning
    S.reload(BASE + "listen = unix:%s/other.sock\n" % S.tmp)
    assert "a change of listen takes effect at the next start" in \
        S.sessgate_log()


@T.test
def sigterm_stops_every_worker_and_exits_0():
    p = S.sessgate
    kids = children(p.pid)
    assert kids
    p.send_signal(signal.SIGTERM)
    assert p.wait(20) == 0
    assert not [k for k in kids if alive(k)]
    assert not os.path.exists(S.sock), "its own socket is removed"
    assert "stopped" in S.sessgate_log()


@T.test
def a_late_notice_from_a_worker_never_kills_the_parent():
    """Workers tell the parent they stopped accepting with a real-time
    signal, whose default action is to terminate: one still pending when
    the parent has reaped the last worker must not end it with signal 34
    (seen under mod_fcgid). The parent is held stopped until both kinds
    of signal are pending."""
    S.start_sessgate(BASE + "workers = 2\n")
    p = S.sessgate
    harness.wait_for(lambda: len(children(p.pid)) == 2, "two workers")
    kids = children(p.pid)
    os.kill(p.pid, signal.SIGSTOP)
    os.kill(p.pid, signal.SIGTERM)
    for k in kids:
        os.kill(k, signal.SIGTERM)
    harness.wait_for(lambda: not [k for k in kids if alive(k)],
                     "the workers to exit")
    os.kill(p.pid, signal.SIGCONT)
    assert p.wait(20) == 0


NOT_ACKED = "not acknowledged within 2 s that"


def since(mark):
    """The sessgate log written after mark (a length of it)."""
    return S.sessgate_log()[mark:]


@T.test
def a_reload_is_logged_once_the_old_workers_acknowledged():
    """The old workers tell the parent they stopped accepting: the
    "reloaded" line comes from their acknowledgements, not from the end
    of the 2 s wait, and no warning comes with it."""
    S.start_sessgate(BASE + "workers = 2\n")
    p = S.sessgate
    harness.wait_for(lambda: len(children(p.pid)) == 2, "two workers")
    mark = len(S.sessgate_log())
    t0 = time.monotonic()
    S.write_config(BASE + "workers = 2\nlogin_redirect =\n")
    p.send_signal(signal.SIGHUP)
    harness.wait_for(lambda: "configuration reloaded" in since(mark),
                     "the reload")
    print("# reloaded %.0f ms after SIGHUP" % ((time.monotonic() - t0) * 1000))
    assert NOT_ACKED not in since(mark), since(mark)
    assert check(S.sock) == "Status: 401 Unauthorized"
    p.send_signal(signal.SIGTERM)
    assert p.wait(20) == 0


@T.test
def a_reload_an_old_worker_cannot_acknowledge_is_not_called_done():
    """An old worker held with SIGSTOP cannot take its SIGTERM nor
    acknowledge it: after 2 s a warning says one old worker has not, and
    "configuration reloaded" is not logged until it has (after SIGCONT).
    Meanwhile the new workers serve the new configuration."""
    S.start_sessgate(BASE + "workers = 2\n")
    p = S.sessgate
    harness.wait_for(lambda: len(children(p.pid)) == 2, "two workers")
    held = children(p.pid)[0]
    mark = len(S.sessgate_log())
    os.kill(held, signal.SIGSTOP)
    try:
        S.write_config(BASE + "workers = 2\nlogin_redirect =\n")
        p.send_signal(signal.SIGHUP)
        harness.wait_for(lambda: NOT_ACKED in since(mark), "the warning")
        log = since(mark)
        assert "reload from %s not done: 1 old worker has %s it stopped " \
            "accepting" % (S.conf, NOT_ACKED) in log, log
        assert "configuration reloaded" not in log, log
        harness.wait_for(lambda: answers(S.sock, "Status: 401 Unauthorized"),
                         "the new workers")
        assert alive(held)
        assert "configuration reloaded" not in since(mark), since(mark)
    finally:
        os.kill(held, signal.SIGCONT)
    harness.wait_for(lambda: "configuration reloaded" in since(mark),
                     "the reload, once the old worker acknowledged")
    log = since(mark)
    assert log.index(NOT_ACKED) < log.index("configuration reloaded"), log
    harness.wait_for(lambda: not alive(held), "the old worker to exit")
    p.send_signal(signal.SIGTERM)
    assert p.wait(20) == 0


@T.test
def on_fd_0_listen_is_not_warned_about_and_the_socket_stays():
    path = os.path.join(S.tmp, "fd0.sock")
    ls = socket.socket(socket.AF_UNIX)
    ls.bind(path)
    ls.listen(16)
    S.write_config(BASE + "workers = 2\n")
    log = os.path.join(S.tmp, "fd0.log")
    p = S.spawn([SESSGATE, "-d", "-c", S.conf], "fd0.log", stdin=ls.fileno())

    def text():
        with open(log) as f:
            return f.read()
    harness.wait_for(lambda: answers(path, "Status: 302 Found"), "serving")
    S.write_config(BASE + "workers = 2\nlisten = 127.0.0.1:1\n"
                   "socket_mode = 0600\nlogin_redirect =\n")
    p.send_signal(signal.SIGHUP)
    harness.wait_for(lambda: "configuration reloaded" in text(), "reload")
    assert "takes effect at the next start" not in text(), text()
    assert check(path) == "Status: 401 Unauthorized"
    kids = children(p.pid)
    p.send_signal(signal.SIGTERM)
    assert p.wait(20) == 0
    assert not [k for k in kids if alive(k)]
    assert os.path.exists(path), "a socket handed over is not removed"
    ls.close()


@T.test
def a_worker_that_keeps_dying_is_replaced_ever_more_slowly():
    """Workers killed as soon as they start: the restarts back off (100,
    200, 400 ms...), with a log line each; once left alone, the workers
    come back and serve."""
    S.start_sessgate(BASE + "workers = 2\n")
    p = S.sessgate
    harness.wait_for(lambda: len(children(p.pid)) == 2, "two workers")
    killed = set()
    deadline = time.monotonic() + 15
    while "starting another in 400 ms" not in S.sessgate_log():
        assert time.monotonic() < deadline, S.sessgate_log()
        for pid in children(p.pid):
            if pid not in killed:
                killed.add(pid)
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)
    t400 = time.monotonic()
    log = S.sessgate_log()
    assert "starting another in 100 ms" in log
    assert "starting another in 200 ms" in log
    assert "times in a row within 1000 ms of starting" in log
    # the next worker comes only after the delay, not back to back
    harness.wait_for(lambda: set(children(p.pid)) - killed, "a new worker",
                     5)
    waited = time.monotonic() - t400
    print("# %d workers killed; the next one started %.0f ms after "
          "\"starting another in 400 ms\"" % (len(killed), waited * 1000))
    assert waited >= 0.3, waited
    harness.wait_for(lambda: len(children(p.pid)) == 2, "the workers back",
                     10)
    harness.wait_for(lambda: answers(S.sock, "Status: 302 Found"),
                     "serving again", 5)
    p.send_signal(signal.SIGTERM)
    assert p.wait(20) == 0


S.start_redis()
sys.exit(T.run())
