"""Integration test harness: real redis-server, sessgate and lighttpd on
loopback ports in a temporary directory, a TAP reporter, a small HTTP
client that keeps cookies by hand, and a minimal FastCGI client for talking
to sessgate directly. Every process started here is stopped at exit."""

import atexit
import http.client as httpclient
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

TOP_BUILDDIR = os.environ.get("top_builddir", ".")
TOP_SRCDIR = os.environ.get("top_srcdir", ".")


def need(path, name):
    """A missing server fails under CI=true and skips elsewhere."""
    if path and shutil.which(path):
        return path
    if os.environ.get("CI") == "true":
        print("Bail out! %s is not installed (CI requires it)" % name)
        sys.exit(1)
    print("1..0 # SKIP %s is not installed" % name)
    sys.exit(0)


def connects(port):
    """Does something accept TCP connections on 127.0.0.1:port?"""
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise RuntimeError("timed out waiting for " + what)


class TAP:
    """Run test functions in order; print TAP; never stop at a failure."""

    def __init__(self):
        self.tests = []

    def test(self, fn):
        self.tests.append(fn)
        return fn

    def run(self):
        print("1..%d" % len(self.tests), flush=True)
        failed = 0
        for i, fn in enumerate(self.tests, 1):
            name = fn.__name__
            try:
                fn()
                print("ok %d - %s" % (i, name), flush=True)
            except Exception:  # a failed assertion or a broken server
                failed += 1
                print("not ok %d - %s" % (i, name), flush=True)
                for line in traceback.format_exc().splitlines():
                    print("# " + line, flush=True)
        return 1 if failed else 0


class Stack:
    """redis-server + sessgate (+ lighttpd) for one test file."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="sessgate-it.")
        self.procs = []
        atexit.register(self.stop)

    def spawn(self, args, log, **kw):
        out = open(os.path.join(self.tmp, log), "ab")
        kw.setdefault("stdin", subprocess.DEVNULL)
        p = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, **kw)
        self.procs.append(p)
        return p

    def start_redis(self):
        redis = need(os.environ.get("REDIS_SERVER") or "redis-server",
                     "redis-server")
        self.redis_port = free_port()
        self.redis = self.spawn([redis, "--port", str(self.redis_port),
                                 "--bind", "127.0.0.1", "--dir", self.tmp,
                                 "--save", "", "--appendonly", "no"],
                                "redis.log")
        wait_for(lambda: connects(self.redis_port), "redis")

    def redis_cmd(self, *args):
        """One Redis command over RESP; returns the decoded reply."""
        s = socket.create_connection(("127.0.0.1", self.redis_port), 5)
        req = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            req += b"$%d\r\n%s\r\n" % (len(a), a)
        s.sendall(req)
        f = s.makefile("rb")
        try:
            return _resp(f)
        finally:
            f.close()
            s.close()

    def write_config(self, extra=""):
        self.sock = os.path.join(self.tmp, "sessgate.sock")
        self.conf = os.path.join(self.tmp, "sessgate.conf")
        with open(self.conf, "w") as f:
            f.write("listen = unix:%s\n" % self.sock)
            f.write("redis = redis://127.0.0.1:%d/0\n" % self.redis_port)
            f.write("password_memlimit = 8M\npassword_opslimit = 1\n")
            f.write(extra)

    def ctl(self, *args, stdin=None):
        return subprocess.run([os.path.join(TOP_BUILDDIR, "sessgatectl"),
                               "-c", self.conf] + list(args),
                              input=stdin, capture_output=True, text=True)

    def start_sessgate(self, extra=""):
        self.write_config(extra)
        self.sessgate = self.spawn([os.path.join(TOP_BUILDDIR, "sessgate"),
                                    "-d", "-c", self.conf], "sessgate.log")
        wait_for(lambda: os.path.exists(self.sock), "sessgate's socket")

    def sessgate_log(self):
        with open(os.path.join(self.tmp, "sessgate.log"), errors="replace") as f:
            return f.read()

    def reload(self, extra):
        """Rewrite the config, SIGHUP, wait for the log line."""
        before = self.sessgate_log().count("configuration reloaded")
        self.write_config(extra)
        self.sessgate.send_signal(signal.SIGHUP)
        wait_for(lambda: self.sessgate_log().count("configuration reloaded")
                 > before, "the reload")

    def start_lighttpd(self, docroot, extra=""):
        lighttpd = need(os.environ.get("LIGHTTPD") or "/usr/sbin/lighttpd",
                        "lighttpd")
        self.http_port = free_port()
        conf = os.path.join(self.tmp, "lighttpd.conf")
        with open(conf, "w") as f:
            f.write(LIGHTTPD_CONF % {
                "port": self.http_port, "docroot": docroot,
                "tmp": self.tmp, "sock": self.sock,
                "contrib": os.path.join(TOP_SRCDIR, "contrib", "lighttpd",
                                        "sessgate.conf"),
                "extra": extra})
        self.lighttpd = self.spawn([lighttpd, "-D", "-f", conf],
                                   "lighttpd.log")
        wait_for(lambda: connects(self.http_port), "lighttpd")

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGCONT)
                    p.terminate()
                    p.wait(10)
                except (OSError, subprocess.TimeoutExpired):
                    p.kill()
        self.procs = []
        shutil.rmtree(self.tmp, ignore_errors=True)


LIGHTTPD_CONF = """
server.modules = ( "mod_access", "mod_cgi" )
server.document-root = "%(docroot)s"
server.bind = "127.0.0.1"
server.port = %(port)d
server.errorlog = "%(tmp)s/lighttpd-error.log"
server.max-request-field-size = 65536
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html", ".txt" => "text/plain" )
cgi.assign = ( ".cgi" => "" )
var.sessgate_socket = "%(sock)s"
var.sessgate_protected = "^/private/"
include "%(contrib)s"
%(extra)s
"""


def _resp(f):
    line = f.readline()
    kind, rest = line[:1], line[1:-2]
    if kind in (b"+", b"-"):
        return rest.decode()
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_resp(f) for _ in range(n)]
    raise RuntimeError("bad RESP reply %r" % line)


class Response:
    def __init__(self, r, body):
        self.status = r.status
        self.headers = r.getheaders()
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def cookie(self, name):
        """(value, attributes) of the Set-Cookie for name, or None."""
        for v in self.all("Set-Cookie"):
            first, _, attrs = v.partition(";")
            k, _, val = first.partition("=")
            if k.strip() == name:
                return val, [a.strip() for a in attrs.split(";")]
        return None


def http(port, method, path, headers=None, body=None, timeout=30):
    c = httpclient.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = {"Host": "127.0.0.1:%d" % port}
    h.update(headers or {})
    if isinstance(body, str):
        body = body.encode()
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return Response(r, data)


# A minimal FastCGI client (spec 1.0), to reach sessgate without a server.
FCGI_BEGIN, FCGI_END, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6
RESPONDER, AUTHORIZER = 1, 2


def fcgi_record(rtype, content, req_id=1):
    return struct.pack("!BBHHBx", 1, rtype, req_id, len(content), 0) + content


def fcgi_params(params):
    out = b""
    for k, v in params.items():
        k, v = k.encode(), v.encode()
        for n in (len(k), len(v)):
            out += bytes([n]) if n < 128 else struct.pack("!I", n | 1 << 31)
        out += k + v
    return out


def fcgi_begin(role):
    return fcgi_record(FCGI_BEGIN, struct.pack("!HB5x", role, 0))


def fcgi_request(sock, role, params, body=None):
    """Send one whole request (with FCGI_STDIN only if body is given),
    close the socket after the answer; returns the FCGI_STDOUT bytes."""
    msg = fcgi_begin(role) + fcgi_record(FCGI_PARAMS, fcgi_params(params)) \
        + fcgi_record(FCGI_PARAMS, b"")
    if body is not None:
        msg += fcgi_record(FCGI_STDIN, body) + fcgi_record(FCGI_STDIN, b"")
    sock.sendall(msg)
    try:
        return fcgi_read_stdout(sock)
    finally:
        sock.close()


def fcgi_read_stdout(sock):
    """Collect FCGI_STDOUT until FCGI_END_REQUEST; returns bytes."""
    f = sock.makefile("rb")
    out = b""
    while True:
        head = f.read(8)
        if len(head) < 8:
            raise RuntimeError("connection closed before END_REQUEST")
        _, rtype, _, clen, plen = struct.unpack("!BBHHBx", head)
        content = f.read(clen)
        f.read(plen)
        if rtype == FCGI_STDOUT:
            out += content
        if rtype == FCGI_END:
            return out
