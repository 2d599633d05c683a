"""The sessgate program itself: flags, configuration checks, where it
listens (Unix socket with socket_mode, TCP, a socket handed over on fd 0
as mod_fcgid, lighttpd bin-path and systemd do), against a real Redis."""

import os
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


S.start_redis()
user_session()
sys.exit(T.run())
