"""The sessgate program itself: flags, configuration checks, where it
listens (Unix socket with socket_mode, TCP, a socket handed over on fd 0
as mod_fcgid, lighttpd bin-path and systemd do), against a real Redis."""

import os
import signal
import socket
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
S = harness.Stack()
SESSGATE = os.path.join(harness.TOP_BUILDDIR, "sessgate")


def run(*args):
    return subprocess.run([SESSGATE] + list(args), capture_output=True,
                          text=True, timeout=30)


def conf(name, text):
    path = os.path.join(S.tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def check_request(connect, cookie=None):
    """An Authorizer request over a fresh connection; returns stdout."""
    params = {"REQUEST_METHOD": "GET", "REQUEST_URI": "/x"}
    if cookie:
        params["HTTP_COOKIE"] = "__Host-sid=" + cookie
    return harness.fcgi_request(connect(), harness.AUTHORIZER, params)


def unix_connect(path):
    def connect():
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(path)
        return s
    return connect


@T.test
def version_and_help():
    r = run("-V")
    assert r.returncode == 0 and r.stdout.startswith("sessgate "), r
    r = run("-h")
    assert r.returncode == 0 and "usage: sessgate" in r.stdout
    r = run("-x")
    assert r.returncode == 2 and "usage: sessgate" in r.stderr
    r = run("extra-argument")
    assert r.returncode == 2


@T.test
def config_test_ok():
    r = run("-n", "-c", conf("ok.conf", "threads = 2\n"))
    assert r.returncode == 0 and r.stdout == "configuration OK\n", r


@T.test
def config_test_errors_name_file_and_line():
    cases = [
        ("# comment\nthreads = 2\nidle_timeot = 1h\n",
         ":3: unknown key \"idle_timeot\""),
        ("idle_timeout = 1 hour\n", ":1: idle_timeout: must be a duration"),
        ("cookie_secure = no\n", ":1: cookie_secure: a __Host- or"),
        ("listen = nowhere\n", ":1: listen: expected unix:PATH or HOST:PORT"),
        ("listen = 127.0.0.1:99999\n", ":1: listen: bad port"),
        ("redis = redis://h:1/x\n", ":1: redis: bad database number"),
    ]
    for i, (text, want) in enumerate(cases):
        path = conf("bad%d.conf" % i, text)
        r = run("-n", "-c", path)
        assert r.returncode == 1, (text, r)
        assert r.stderr.startswith(path + want), (r.stderr, want)
        assert r.stdout == ""
    r = run("-n", "-c", os.path.join(S.tmp, "missing.conf"))
    assert r.returncode == 1 and "missing.conf:0:" in r.stderr


def user_session():
    """A user and a live cookie made through a real login."""
    S.write_config("")
    S.add_user("uma", "uma-pw")


def login_cookie(connect):
    body = b"username=uma&password=uma-pw"
    params = {"REQUEST_METHOD": "POST", "REQUEST_URI": "/login",
              "CONTENT_TYPE": "application/x-www-form-urlencoded",
              "CONTENT_LENGTH": str(len(body))}
    out = harness.fcgi_request(connect(), harness.RESPONDER, params,
                               body).decode()
    assert out.startswith("Status: 303 See Other\r\n"), out
    for line in out.split("\r\n"):
        if line.startswith("Set-Cookie: __Host-sid="):
            return line.split("=", 1)[1].split(";")[0]
    raise AssertionError("no cookie in " + out)


def start(extra, **kw):
    cfg = conf("run.conf", "redis = redis://127.0.0.1:%d/0\n"
               "password_memlimit = 8M\npassword_opslimit = 1\n%s"
               % (S.redis_port, extra))
    return S.spawn([SESSGATE, "-d", "-c", cfg], "daemon.log", **kw)


def stop(p):
    p.terminate()
    assert p.wait(10) == 0


@T.test
def unix_socket_gets_socket_mode_and_serves():
    path = os.path.join(S.tmp, "u.sock")
    with open(path, "w"):
        pass                        # a regular file there is refused
    p = start("listen = unix:%s\nsocket_mode = 0600\n" % path)
    assert p.wait(10) == 1
    os.unlink(path)
    p = start("listen = unix:%s\nsocket_mode = 0600\n" % path)
    harness.wait_for(lambda: os.path.exists(path), "the socket")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    cookie = login_cookie(unix_connect(path))
    out = check_request(unix_connect(path), cookie)
    assert out.startswith(b"Status: 200 OK\r\n")
    assert b"Variable-REMOTE_USER: uma\r\n" in out
    stop(p)
    # a stale socket left by an earlier run is replaced
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.close()
    p = start("listen = unix:%s\n" % path)
    harness.wait_for(lambda: _serves(unix_connect(path)), "the new socket")
    stop(p)


def _serves(connect):
    try:
        return check_request(connect).startswith(b"Status: 401")
    except OSError:
        return False


@T.test
def tcp_listen_serves_and_a_taken_port_fails_cleanly():
    port = harness.free_port()
    p = start("listen = 127.0.0.1:%d\n" % port)

    def connect():
        return socket.create_connection(("127.0.0.1", port), 10)
    harness.wait_for(lambda: _serves(connect), "the TCP listener")
    cookie = login_cookie(connect)
    assert check_request(connect, cookie).startswith(b"Status: 200 OK")
    q = start("listen = 127.0.0.1:%d\n" % port)   # the port is taken
    assert q.wait(10) == 1
    stop(p)
    with open(os.path.join(S.tmp, "daemon.log")) as f:
        assert "Address already in use" in f.read()


@T.test
def serves_a_listening_socket_on_fd_0():
    """As mod_fcgid, lighttpd bin-path and systemd (StandardInput=socket)
    start it: the listening socket is fd 0 and `listen` is ignored."""
    path = os.path.join(S.tmp, "fd0.sock")
    ls = socket.socket(socket.AF_UNIX)
    ls.bind(path)
    ls.listen(16)
    p = start("listen = unix:%s/never.sock\n" % S.tmp, stdin=ls.fileno())
    ls.close()
    cookie = login_cookie(unix_connect(path))
    out = check_request(unix_connect(path), cookie)
    assert out.startswith(b"Status: 200 OK\r\n"), out
    assert not os.path.exists(os.path.join(S.tmp, "never.sock"))
    stop(p)


def read_log(name="daemon.log"):
    with open(os.path.join(S.tmp, name), errors="replace") as f:
        return f.read()


def started(name, extra, env=None, **kw):
    """sessgate -d on its own log file (name.log), with extra settings."""
    cfg = conf(name + ".conf", "redis = redis://127.0.0.1:%d/0\n"
               "password_memlimit = 8M\npassword_opslimit = 1\n%s"
               % (S.redis_port, extra))
    e = dict(os.environ)
    e.update(env or {})
    return S.spawn([SESSGATE, "-d", "-c", cfg], name + ".log", env=e, **kw)


@T.test
def bind_failure_is_one_line_and_exit_1():
    """Not libfcgi's exit(errno) and "bind/listen: ...": one line naming
    the address, exit 1, in the foreground and detaching alike."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    blocker = os.path.join(S.tmp, "a-file")
    with open(blocker, "w"):
        pass
    cases = [("listen = 127.0.0.1:%d\n" % port,
              "sessgate: 127.0.0.1:%d: Address already in use\n" % port),
             ("listen = unix:%s/sub/s.sock\n" % blocker,
              "sessgate: unix:%s/sub/s.sock: %s: not a directory\n"
              % (blocker, blocker))]
    for i, (text, want) in enumerate(cases):
        path = conf("bind%d.conf" % i, "redis = redis://127.0.0.1:%d/0\n%s"
                    % (S.redis_port, text))
        for flags in (["-d"], []):
            r = run(*(flags + ["-c", path]))
            assert r.returncode == 1, (flags, r)
            assert r.stderr == want, (flags, r.stderr, want)
    taken.close()


@T.test
def makes_the_socket_directory():
    """listen = unix:DIR/sub/s.sock with no DIR: made 0755 (whatever the
    umask), owned by user and group; the socket by socket_owner and
    socket_group with socket_mode."""
    base = os.path.join(S.tmp, "run")
    path = os.path.join(base, "sessgate", "s.sock")
    extra = "listen = unix:%s\n" % path
    root = os.geteuid() == 0
    if root:
        os.chmod(S.tmp, 0o755)      # the user reads its configuration
        extra += ("user = nobody\nsocket_owner = 0\nsocket_group = %d\n"
                  % os.getgid())
    p = started("mkdir", extra, preexec_fn=lambda: os.umask(0o077))
    harness.wait_for(lambda: _serves(unix_connect(path)), "the socket")
    for d in (base, os.path.dirname(path)):
        st = os.stat(d)
        assert stat.S_IMODE(st.st_mode) == 0o755, (d, oct(st.st_mode))
        if root:
            assert st.st_uid == 65534, (d, st.st_uid)
    st = os.stat(path)
    assert stat.S_IMODE(st.st_mode) == 0o660
    if root:
        assert (st.st_uid, st.st_gid) == (0, os.getgid()), st
        with open("/proc/%d/status" % p.pid) as f:
            uids = [line for line in f if line.startswith("Uid:")][0]
        assert uids.split()[1:] == ["65534"] * 4, uids
        assert "running as root" not in read_log("mkdir.log")
    stop(p)
    assert not os.path.exists(path)


@T.test
def warns_when_running_as_root():
    if os.geteuid() != 0:
        harness.note("not root: not tested")
        return
    path = os.path.join(S.tmp, "root.sock")
    p = started("root", "listen = unix:%s\n" % path)
    harness.wait_for(lambda: _serves(unix_connect(path)), "the socket")
    stop(p)
    log = read_log("root.log")
    assert log.count("running as root: set user") == 1, log


@T.test
def config_test_checks_what_it_can_offline():
    blocker = os.path.join(S.tmp, "n-file")
    with open(blocker, "w"):
        pass
    path = conf("n1.conf", "threads = 2\nlisten = unix:%s/x/s.sock\n"
                % blocker)
    r = run("-n", "-c", path)
    assert r.returncode == 1, r
    assert r.stderr == ("%s:2: listen unix:%s/x/s.sock: %s: not a "
                        "directory\n" % (path, blocker, blocker)), r.stderr
    path = conf("n2.conf", "user = no-such-user-here\n")
    r = run("-n", "-c", path)
    assert r.returncode == 1
    assert r.stderr == path + ":1: user: no such user " \
        "\"no-such-user-here\"\n", r.stderr
    # a missing directory that can be made is fine
    path = conf("n3.conf", "listen = unix:%s/new/dir/s.sock\n" % S.tmp)
    r = run("-n", "-c", path)
    assert r.returncode == 0 and r.stdout == "configuration OK\n", r
    assert not os.path.exists(os.path.join(S.tmp, "new"))
    if os.geteuid() != 0:
        return
    # as root with user: what a reload reads must be readable by the user
    secret = os.path.join(S.tmp, "n-secret")
    with open(secret, "wb") as f:
        f.write(os.urandom(32))
    os.chmod(secret, 0o600)
    path = conf("n4.conf", "user = nobody\nsecret_file = %s\n" % secret)
    os.chmod(path, 0o644)
    os.chmod(S.tmp, 0o755)
    r = run("-n", "-c", path)
    assert r.returncode == 1, r
    assert r.stderr == "%s:2: secret_file %s: Permission denied " \
        "(as user nobody)\n" % (path, secret), r.stderr
    os.chown(secret, 0, 65534)
    os.chmod(secret, 0o640)
    path = conf("n5.conf", "user = nobody\ngroup = 65534\n"
                "secret_file = %s\n" % secret)
    os.chmod(path, 0o644)
    r = run("-n", "-c", path)
    assert r.returncode == 0, r


def notify_socket():
    path = os.path.join(S.tmp, "notify.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    s.settimeout(10)
    return s, path


def next_state(s):
    return dict(line.split("=", 1)
                for line in s.recv(4096).decode().split("\n"))


@T.test
def tells_systemd_ready_reloading_stopping():
    """Type=notify: READY=1 once the workers accept (a check right after
    it is answered), RELOADING=1 and READY=1 around a reload, STOPPING=1
    at the stop; no libsystemd, the datagram protocol itself."""
    s, npath = notify_socket()
    path = os.path.join(S.tmp, "notify-serve.sock")
    p = started("notify", "listen = unix:%s\nworkers = 2\n" % path,
                env={"NOTIFY_SOCKET": npath})
    st = next_state(s)
    assert st == {"READY": "1"}, st
    out = check_request(unix_connect(path))
    assert out.startswith(b"Status: 401"), out
    p.send_signal(signal.SIGHUP)
    st = next_state(s)
    assert st.get("RELOADING") == "1" and "MONOTONIC_USEC" in st, st
    assert next_state(s) == {"READY": "1"}
    assert "configuration reloaded" in read_log("notify.log")
    p.send_signal(signal.SIGTERM)
    assert next_state(s) == {"STOPPING": "1"}
    assert p.wait(10) == 0
    s.close()
    # the workers never see NOTIFY_SOCKET
    assert "NOTIFY_SOCKET" not in read_log("notify.log")


@T.test
def journal_gets_priorities():
    """With stderr the journal's stream (JOURNAL_STREAM = its dev:ino),
    each line starts with its sd-daemon priority: <6> info, <4> warning."""
    logpath = os.path.join(S.tmp, "journal.log")
    path = os.path.join(S.tmp, "journal.sock")
    open(logpath, "w").close()
    st = os.stat(logpath)
    p = started("journal", "listen = unix:%s\n" % path,
                env={"JOURNAL_STREAM": "%d:%d" % (st.st_dev, st.st_ino)})
    harness.wait_for(lambda: _serves(unix_connect(path)), "the socket")
    stop(p)
    lines = read_log("journal.log").splitlines()
    assert "<6>serving with 2 workers of 4 threads" in lines, lines
    assert "<6>stopped" in lines, lines
    assert any(x.startswith("<4>no secret_file") for x in lines), lines
    assert all(x[:3] in ("<3>", "<4>", "<6>") for x in lines), lines
    # a JOURNAL_STREAM that is not stderr: plain lines
    p = started("journal2", "listen = unix:%s\n" % path,
                env={"JOURNAL_STREAM": "%d:%d" % (st.st_dev, st.st_ino)})
    harness.wait_for(lambda: _serves(unix_connect(path)), "the socket")
    stop(p)
    assert "sessgate: serving with" in read_log("journal2.log")


@T.test
def redis_outage_logged_once_and_its_end():
    """Redis stopped: 20 checks each get 503, and the log has one
    "unavailable" line, not one per request; once Redis answers, one
    "answering again" line with the count."""
    path = os.path.join(S.tmp, "outage.sock")
    p = started("outage", "listen = unix:%s\nworkers = 1\n"
                "redis_timeout = 100ms\n" % path)
    connect = unix_connect(path)
    harness.wait_for(lambda: _serves(connect), "the socket")
    cookie = login_cookie(connect)
    assert check_request(connect, cookie).startswith(b"Status: 200")
    os.kill(S.redis.pid, signal.SIGSTOP)
    try:
        for _ in range(20):
            out = check_request(connect, cookie)
            assert out.startswith(b"Status: 503"), out
    finally:
        os.kill(S.redis.pid, signal.SIGCONT)
    harness.wait_for(lambda: check_request(connect, cookie).startswith(
        b"Status: 200"), "a check allowed again")
    log = read_log("outage.log")
    assert log.count("redis: unavailable") == 1, log
    assert "redis: unavailable (1 request failed so far): " in log, log
    assert "store failed" not in log, log
    again = [x for x in log.splitlines() if "answering again" in x]
    assert len(again) == 1, log
    n = int(again[0].split("after ")[1].split(" ")[0])
    assert n >= 20, again
    stop(p)


@T.test
def every_logout_is_logged_without_the_token():
    path = os.path.join(S.tmp, "logout.sock")
    p = started("logout", "listen = unix:%s\n" % path)
    connect = unix_connect(path)
    harness.wait_for(lambda: _serves(connect), "the socket")
    for _ in range(2):
        cookie = login_cookie(connect)
        out = harness.fcgi_request(connect(), harness.RESPONDER, {
            "REQUEST_METHOD": "POST", "REQUEST_URI": "/logout",
            "HTTP_COOKIE": "__Host-sid=" + cookie,
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": "0"}, b"").decode()
        assert out.startswith("Status: 303"), out
        assert check_request(connect, cookie).startswith(b"Status: 401")
    stop(p)
    log = read_log("logout.log")
    lines = [x for x in log.splitlines() if "logged out" in x]
    assert len(lines) == 2, log
    assert all(x.startswith("sessgate: uma logged out (session ")
               for x in lines), lines
    assert cookie not in log and cookie.split(".")[1] not in log


S.start_redis()
user_session()
sys.exit(T.run())
