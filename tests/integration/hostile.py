"""Hostile FastCGI clients against the running daemon (real redis-server,
sessgate on loopback TCP, as mod_authnz_fcgi has it: reachable by every
local user): malformed and oversized records, including the two that
crash libfcgi 2.4.2 itself, idle connections, trickling connections,
FCGI_KEEP_CONN connections left open, clients that trickle after their
answer, and a worker that crashes. After each, a well-formed check is
answered within 1 s and the session made at the start is still live; while
idle and trickling clients are connected, too. client_timeout is 1s here;
every wait is for a condition, with a deadline."""

import os
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import fcgi_record, fcgi_params  # noqa: E402

T = harness.TAP()
S = harness.Stack()
WORKERS, THREADS = 2, 2
HELD = 4 * WORKERS * THREADS      # well past every thread of every worker
CONF = ("workers = %d\nthreads = %d\nclient_timeout = 1s\n"
        "login_max_failures = 0\n" % (WORKERS, THREADS))
ABORT, GET_VALUES = 2, 9
CHECK = {"REQUEST_METHOD": "GET", "REQUEST_URI": "/private/"}


def connect():
    return socket.create_connection(("127.0.0.1", S.port), 5)


def begin(role, keep=False, req_id=1):
    return fcgi_record(harness.FCGI_BEGIN,
                       struct.pack("!HB5x", role, 1 if keep else 0), req_id)


def request(role, params, keep=False, stdin=None):
    """The bytes of one whole request."""
    msg = begin(role, keep) + fcgi_record(harness.FCGI_PARAMS,
                                          fcgi_params(params)) \
        + fcgi_record(harness.FCGI_PARAMS, b"")
    if stdin is not None:
        for i in range(0, len(stdin), 65535):
            msg += fcgi_record(harness.FCGI_STDIN, stdin[i:i + 65535])
        msg += fcgi_record(harness.FCGI_STDIN, b"")
    return msg


def check_params():
    return dict(CHECK, HTTP_COOKIE="__Host-sid=" + S.cookie)


def timed_check():
    t = time.monotonic()
    out = harness.fcgi_request(connect(), harness.AUTHORIZER, check_params())
    return out, time.monotonic() - t


def assert_serving(what):
    """A well-formed check gets its answer within 1 s, and the session
    made at the start is still live; the parent is still there."""
    out, took = timed_check()
    assert out.startswith(b"Status: 200 OK\r\n"), out
    assert b"Variable-REMOTE_USER: hana\r\n" in out, out
    assert took < 1.0, (what, took)
    assert S.sessgate.poll() is None, "the parent died"
    print("# %s: check answered in %.1f ms" % (what, took * 1000),
          flush=True)
    return took


def log():
    return S.sessgate_log()


def wait_log(text, count=1, timeout=5.0):
    harness.wait_for(lambda: log().count(text) >= count,
                     "%d log line(s) %r" % (count, text), timeout)


def workers():
    """pids of the parent's live children (the worker processes)."""
    return harness.children(S.sessgate.pid)


def closed(sock):
    """Has the peer closed sock (EOF or reset), without sending?"""
    try:
        return sock.recv(1 << 16) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def wait_closed(socks, timeout):
    """Wait until sessgate has closed every socket; returns the time."""
    t0 = time.monotonic()
    for s in socks:
        s.setblocking(False)
    left = set(socks)

    def all_closed():
        left.difference_update([s for s in left if closed(s)])
        return not left
    harness.wait_for(all_closed, "sessgate to close %d connections"
                     % len(socks), timeout)
    for s in socks:
        s.close()
    return time.monotonic() - t0


def dropped(msg, reason):
    """Send msg on a new connection: sessgate closes it with a log line
    giving the reason, no worker dies, checks go on."""
    kids = workers()
    before = log().count(reason)
    s = connect()
    s.sendall(msg)
    wait_closed([s], 3)
    wait_log(reason, before + 1)
    assert workers() == kids, "a worker died"
    assert "was killed" not in log()
    assert_serving(reason)


@T.test
def libfcgi_params_length_abort_is_refused():
    """A pair whose name and value lengths add past INT_MAX: libfcgi's
    Malloc() asserts (SIGABRT; under ASan an allocation-size-too-big
    abort) before sessgate sees a request."""
    pair = struct.pack("!II", 0x7ffffff0 | 1 << 31, 0x7ffffff0 | 1 << 31)
    dropped(begin(harness.AUTHORIZER) +
            fcgi_record(harness.FCGI_PARAMS, pair + b"x" * 16),
            "a parameter longer than its stream")


@T.test
def libfcgi_get_values_stack_overflow_is_refused():
    """FCGI_GET_VALUES naming FCGI_MPXS_CONNS eight times overflows the
    64-byte answer buffer on libfcgi's stack (stack smashing detected)."""
    name = b"FCGI_MPXS_CONNS"
    body = (bytes([len(name), 0]) + name) * 8
    dropped(fcgi_record(GET_VALUES, body, 0) + begin(harness.RESPONDER),
            "a management record (FCGI_GET_VALUES or other)")


@T.test
def malformed_records_are_refused():
    cut = fcgi_params({"REQUEST_URI": "/x"})[:-1]
    cases = [
        (b"GET / HTTP/1.0\r\n\r\n", "not FastCGI version 1"),
        (fcgi_record(harness.FCGI_STDIN, b""),
         "the first record is not FCGI_BEGIN_REQUEST"),
        (fcgi_record(harness.FCGI_BEGIN, b"\0\2\0\0"),
         "malformed FCGI_BEGIN_REQUEST"),
        (begin(3), "a role other than Responder or Authorizer"),
        (begin(harness.AUTHORIZER) + fcgi_record(harness.FCGI_PARAMS, cut) +
         fcgi_record(harness.FCGI_PARAMS, b""),
         "a parameter cut short by the end of the params"),
        (begin(harness.AUTHORIZER) + begin(harness.AUTHORIZER, req_id=2),
         "a second request on the connection (multiplexing)"),
        (begin(harness.AUTHORIZER) + fcgi_record(ABORT, b""),
         "FCGI_ABORT_REQUEST before the request was complete"),
        (begin(harness.RESPONDER) + fcgi_record(harness.FCGI_STDIN, b""),
         "a record other than FCGI_PARAMS in the params"),
    ]
    for msg, reason in cases:
        dropped(msg, reason)


@T.test
def oversized_params_are_refused():
    """Params that never end, past what a web server sends (128 KiB)."""
    chunk = fcgi_record(harness.FCGI_PARAMS,
                        fcgi_params({"HTTP_X": "y" * 60000}))
    s = connect()
    s.sendall(begin(harness.AUTHORIZER) + chunk + chunk)
    try:
        s.sendall(chunk * 2)
    except OSError:
        pass                    # closed while we were sending
    wait_closed([s], 3)
    wait_log("a request over 128 KiB")
    assert_serving("after oversized params")


@T.test
def oversized_body_gets_413_and_is_drained():
    """A login body far past 8 KiB: answered 413 once 8 KiB are in, the
    rest drained and the connection closed; the worker goes on."""
    body = b"x" * (200 * 1024)
    s = connect()
    s.sendall(request(harness.RESPONDER, {
        "REQUEST_METHOD": "POST", "REQUEST_URI": "/login",
        "CONTENT_TYPE": "application/x-www-form-urlencoded"}, stdin=body))
    out = harness.fcgi_read_stdout(s)
    assert out.startswith(b"Status: 413"), out[:60]
    wait_closed([s], 3)
    assert_serving("after a 200 KiB body")


@T.test
def idle_connections_hold_no_thread():
    held = [connect() for _ in range(HELD)]
    before = log().count("no request within client_timeout")
    assert_serving("%d idle connections open" % HELD)
    took = wait_closed(held, 4)
    print("# %d idle connections closed after %.2f s" % (HELD, took))
    wait_log("no request within client_timeout", before + HELD)
    assert_serving("after idle connections")


@T.test
def trickling_connections_hold_no_thread():
    """Each sends one byte of a request every 50 ms, and never ends."""
    msg = request(harness.AUTHORIZER, CHECK)
    held = [connect() for _ in range(HELD)]
    before = log().count("no whole request within client_timeout")
    sent, open_ = 0, set(held)
    t0 = time.monotonic()
    worst = 0.0
    while open_ and time.monotonic() - t0 < 4:
        for s in list(open_):
            try:
                s.send(msg[sent % (len(msg) - 1):][:1])
            except OSError:
                open_.discard(s)
        sent += 1
        if sent % 4 == 0 and time.monotonic() - t0 < 0.8:
            worst = max(worst, assert_serving("%d trickling connections"
                                              % HELD))
        time.sleep(0.05)
    assert not open_, "%d trickling connections still open" % len(open_)
    print("# trickling connections closed after %.2f s; worst check "
          "%.1f ms" % (time.monotonic() - t0, worst * 1000))
    wait_log("no whole request within client_timeout", before + HELD)
    for s in held:
        s.close()
    assert_serving("after trickling connections")


def read_answer(s):
    out = harness.fcgi_read_stdout(s)
    assert out.startswith(b"Status: 200 OK\r\n"), out
    return out


@T.test
def keep_conn_connections_left_open_hold_no_thread():
    """FCGI_KEEP_CONN, as nginx's fastcgi_keep_conn: an authorizer check
    (no stdin) or a Responder check (empty stdin), answered, the
    connection left open."""
    held = []
    for i in range(HELD):
        s = connect()
        if i % 2:
            s.sendall(request(harness.AUTHORIZER, check_params(), keep=True))
        else:
            s.sendall(request(harness.RESPONDER,
                              dict(check_params(), SESSGATE_AUTH="1"),
                              keep=True, stdin=b""))
        read_answer(s)
        held.append(s)
    assert_serving("%d kept connections left open" % HELD)
    # a kept connection serves its next request
    held[0].sendall(request(harness.RESPONDER,
                            dict(check_params(), SESSGATE_AUTH="1"),
                            keep=True, stdin=b""))
    read_answer(held[0])
    held[1].sendall(request(harness.AUTHORIZER, check_params(), keep=True))
    read_answer(held[1])
    took = wait_closed(held, 4)
    print("# %d idle kept connections closed after %.2f s" % (HELD, took))
    assert_serving("after kept connections")


@T.test
def clients_trickling_after_their_answer_hold_no_thread():
    """libfcgi lingers in OS_Close while the client keeps sending; here
    the answered connection (with more queued than libfcgi read) is
    drained by the acceptor for at most client_timeout, then closed."""
    held = []
    for _ in range(HELD):
        s = connect()
        s.sendall(request(harness.AUTHORIZER, check_params()) +
                  b"x" * 20000)
        read_answer(s)
        held.append(s)
    t0 = time.monotonic()
    open_ = set(held)
    checked = False
    while open_ and time.monotonic() - t0 < 4:
        for s in list(open_):
            try:
                s.send(b"x")
            except OSError:
                open_.discard(s)
        if not checked:
            assert_serving("%d clients trickling after their answer" % HELD)
            checked = True
        time.sleep(0.05)
    assert not open_, "%d lingering connections still open" % len(open_)
    print("# lingering connections closed after %.2f s" %
          (time.monotonic() - t0))
    for s in held:
        s.close()
    assert_serving("after lingering clients")


@T.test
def a_crashed_worker_is_replaced_at_once():
    """A worker killed by SIGABRT (what libfcgi's abort and stack
    protector do) costs only the connections it held: the parent logs it
    and starts another; checks never stop being answered."""
    kids = workers()
    assert len(kids) == WORKERS, kids
    victim = kids[0]
    os.kill(victim, signal.SIGABRT)
    wait_log("worker %d was killed by signal %d" % (victim, signal.SIGABRT))
    assert "the connections it held are lost; starting another" in log()
    harness.wait_for(lambda: len(workers()) == WORKERS and
                     victim not in workers(), "a new worker", 5)
    assert_serving("after a worker crashed")
    # and the other one, killed while checks are on their way
    victim = workers()[1]
    socks = [connect() for _ in range(HELD)]
    for s in socks:
        s.sendall(request(harness.AUTHORIZER, check_params()))
    os.kill(victim, signal.SIGKILL)
    for s in socks:
        try:
            harness.fcgi_read_stdout(s)  # answered, or lost with the worker
        except (RuntimeError, OSError):
            pass
        s.close()
    wait_log("worker %d was killed by signal %d" % (victim, signal.SIGKILL))
    harness.wait_for(lambda: len(workers()) == WORKERS and
                     victim not in workers(), "a new worker", 5)
    assert_serving("after a second crash")


@T.test
def a_connection_flood_makes_the_oldest_waiting_one_go():
    """Past what its file limit allows (here 256 descriptors, so about 190
    connections per worker), sessgate closes the oldest waiting
    connection for each new one: a flood of idle connections never locks
    out a well-formed request."""
    port = harness.free_port()
    conf = os.path.join(S.tmp, "flood.conf")
    with open(S.conf) as f, open(conf, "w") as g:
        g.write(f.read() + "listen = 127.0.0.1:%d\nclient_timeout = 30s\n"
                % port)

    def low_limit():
        import resource
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    p = S.spawn([os.path.join(harness.TOP_BUILDDIR, "sessgate"), "-d", "-c",
                 conf], "flood.log", preexec_fn=low_limit)
    harness.wait_for(lambda: harness.connects(port), "the second sessgate")

    def flood_log():
        with open(os.path.join(S.tmp, "flood.log")) as f:
            return f.read()
    held = []
    for _ in range(3 * 256):
        held.append(socket.create_connection(("127.0.0.1", port), 5))
    harness.wait_for(lambda: "too many connections waiting" in flood_log(),
                     "the oldest waiting connections to go", 5)
    t = time.monotonic()
    out = harness.fcgi_request(
        socket.create_connection(("127.0.0.1", port), 5),
        harness.AUTHORIZER, check_params())
    took = time.monotonic() - t
    assert out.startswith(b"Status: 200 OK\r\n"), out
    assert took < 1.0, took
    print("# %d idle connections against 256 descriptors a worker: check "
          "answered in %.1f ms" % (len(held), took * 1000), flush=True)
    for s in held:
        s.close()
    p.terminate()
    assert p.wait(20) == 0
    assert_serving("after the flood")


@T.test
def only_fcgi_web_server_addrs_may_connect():
    """libfcgi's own access list, FCGI_WEB_SERVER_ADDRS, still holds:
    a TCP peer not in it is closed at once."""
    for allowed, served in (("192.0.2.1", False),
                            ("192.0.2.1,127.0.0.1", True)):
        port = harness.free_port()
        conf = os.path.join(S.tmp, "addrs.conf")
        with open(S.conf) as f, open(conf, "w") as g:
            g.write(f.read() + "listen = 127.0.0.1:%d\n" % port)
        p = S.spawn([os.path.join(harness.TOP_BUILDDIR, "sessgate"), "-d",
                     "-c", conf], "addrs.log",
                    env=dict(os.environ, FCGI_WEB_SERVER_ADDRS=allowed))
        harness.wait_for(lambda: harness.connects(port), "sessgate")
        s = socket.create_connection(("127.0.0.1", port), 5)
        s.sendall(request(harness.AUTHORIZER, check_params()))
        try:
            out = harness.fcgi_read_stdout(s)
        except (RuntimeError, OSError):
            out = None
        s.close()
        assert (out is not None and out.startswith(b"Status: 200")) == \
            served, (allowed, out)
        p.terminate()
        assert p.wait(20) == 0


def login():
    body = b"username=hana&password=hana-pw"
    out = harness.fcgi_request(connect(), harness.RESPONDER, {
        "REQUEST_METHOD": "POST", "REQUEST_URI": "/login",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body))}, body).decode()
    assert out.startswith("Status: 303 See Other\r\n"), out
    for line in out.split("\r\n"):
        if line.startswith("Set-Cookie: __Host-sid="):
            return line.split("=", 1)[1].split(";")[0]
    raise AssertionError("no cookie in " + out)


def setup():
    S.start_redis()
    S.port = harness.free_port()
    S.write_config(CONF + "listen = 127.0.0.1:%d\n" % S.port)
    assert S.ctl("user", "add", "hana", stdin="hana-pw\n").returncode == 0
    S.sessgate = S.spawn([os.path.join(harness.TOP_BUILDDIR, "sessgate"),
                          "-d", "-c", S.conf], "sessgate.log")
    harness.wait_for(lambda: harness.connects(S.port), "sessgate's port")
    harness.wait_for(lambda: len(workers()) == WORKERS, "the workers")
    S.cookie = login()
    assert_serving("at the start")


setup()
sys.exit(T.run())
