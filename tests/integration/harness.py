"""The one place that starts real servers on loopback: redis-server,
sessgate and lighttpd on free ports in a temporary directory (Stack), a
client for a web server in front of sessgate (Site: login, is a cookie
alive), a TAP reporter, and a minimal FastCGI client for talking to
sessgate directly. Every process started here is stopped at exit.

The integration tests, the demo (contrib/demo/demo.py) and the benchmark
(bench/bench.py) import it; the shell tests reach it through lib.sh, which
runs it as a command:

    python3 harness.py free-port              a free port on 127.0.0.1
    python3 harness.py need PATH NAME         exit 0 if PATH runs, else
                                              the TAP line and 77 (skip)
                                              or 1 (CI=true: a failure)
    python3 harness.py wait-for CMD [ARG...]  until CMD succeeds (10 s)
    python3 harness.py redis DIR PORT [ARG...]
                                              becomes redis-server, set up
                                              as Stack.start_redis does"""

import atexit
import http.client as httpclient
import json
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
import urllib.parse

TOP_BUILDDIR = os.environ.get("top_builddir", ".")
TOP_SRCDIR = os.environ.get("top_srcdir") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def missing(name):
    """A missing server fails under CI=true and skips elsewhere: print the
    TAP line that says so; returns the exit status, 1 or 0."""
    if os.environ.get("CI") == "true":
        print("Bail out! %s is not installed (CI requires it)" % name)
        return 1
    print("1..0 # SKIP %s is not installed" % name)
    return 0


def installed(path):
    return bool(path) and shutil.which(path) is not None


def need(path, name):
    """path if it runs; otherwise the test ends here (see missing)."""
    if installed(path):
        return path
    sys.exit(missing(name))


def connects(port):
    """Does something accept TCP connections on 127.0.0.1:port?"""
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


def accepts(path):
    """Does something accept connections on the Unix socket path? (The
    file exists from bind(), before listen().)"""
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, what, timeout=10.0):
    """Poll pred until it is true; RuntimeError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise RuntimeError("timed out waiting for " + what)


def children(parent):
    """pids of a process's live (not zombie) children, sorted."""
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == parent and fields[0] != "Z":
            pids.append(int(pid))
    return sorted(pids)


def process_tree(root):
    """root and its live descendants (sessgate's worker processes)."""
    pids, todo = {root}, [root]
    while todo:
        for k in children(todo.pop()):
            pids.add(k)
            todo.append(k)
    return sorted(pids)


def readme_block(title):
    """The lines of the README's code block whose first line is title."""
    with open(os.path.join(TOP_SRCDIR, "README.md")) as f:
        blocks = f.read().split("```")[1::2]
    for b in blocks:
        lines = b.strip("\n").split("\n")
        if lines[0] == title:
            return lines[1:]
    raise AssertionError("README has no block " + title)


def note(msg):
    """A TAP comment line."""
    print("# " + msg, flush=True)


def cpu_seconds(pid):
    """User and system CPU time of a process so far (0 if it is gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pids):
    """The resident memory of pids together, in KiB."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


# Client threads (objects with a stopping flag) a test started: a test
# wrapped in stops_loads stops them after it, even when it failed.
LOADS = []      # client threads of the running test, stopped after it


def stops_loads(fn):
    """fn, then every load it started is stopped, even if it failed."""
    def run():
        try:
            fn()
        finally:
            for x in LOADS:
                x.stopping = True
            del LOADS[:]
    run.__name__ = fn.__name__
    return run


class TAP:
    """Run test functions in order; print TAP; never stop at a failure."""

    def __init__(self):
        self.tests = []

    def test(self, fn):
        self.tests.append(fn)
        return fn

    def run(self):
        """SG_ONLY=name[,name...] runs only those (while working on them)."""
        only = [n for n in os.environ.get("SG_ONLY", "").split(",") if n]
        if only:
            self.tests = [t for t in self.tests if t.__name__ in only]
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


def redis_argv(redis, tmp, port):
    """redis-server on 127.0.0.1:port and TMP/redis.sock, in-memory only:
    every Redis the tests, the demo and the benchmark start."""
    return [redis, "--port", str(port), "--bind", "127.0.0.1",
            "--unixsocket", os.path.join(tmp, "redis.sock"),
            "--unixsocketperm", "700", "--dir", tmp,
            "--save", "", "--appendonly", "no"]


def redis_server():
    return need(os.environ.get("REDIS_SERVER") or "redis-server",
                "redis-server")


class Stack:
    """redis-server + sessgate (+ lighttpd) for one test file, the demo or
    the benchmark.

    bindir holds sessgate and sessgatectl. fast_hashes writes the tests'
    cheap Argon2id settings into the config (logins stay fast under ASan).
    detach puts each server in its own process group, so that a Ctrl-C at
    a terminal reaches only the caller, which then stops them in order."""

    def __init__(self, prefix="sessgate-it.", bindir=TOP_BUILDDIR,
                 fast_hashes=True, detach=False):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.bindir = bindir
        self.fast_hashes = fast_hashes
        self.detach = detach
        self.procs = []
        atexit.register(self.stop)

    def spawn(self, args, log, **kw):
        out = open(os.path.join(self.tmp, log), "ab")
        kw.setdefault("stdin", subprocess.DEVNULL)
        if self.detach:
            kw.setdefault("process_group", 0)
        p = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, **kw)
        self.procs.append(p)
        return p

    def start_redis(self, *extra):
        self.redis_port = free_port()
        self.redis = self.spawn(redis_argv(redis_server(), self.tmp,
                                           self.redis_port) + list(extra),
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
            if self.fast_hashes:
                f.write("password_memlimit = 8M\npassword_opslimit = 1\n")
            f.write(extra)

    def ctl(self, *args, stdin=None):
        return subprocess.run([os.path.join(self.bindir, "sessgatectl"),
                               "-c", self.conf] + list(args),
                              input=stdin, capture_output=True, text=True)

    def add_user(self, name, password):
        """sessgatectl user add, which must succeed."""
        r = self.ctl("user", "add", name, stdin=password + "\n")
        if r.returncode != 0:
            raise RuntimeError("sessgatectl user add %s: %s"
                               % (name, r.stderr.strip()))

    def start_sessgate(self, extra=""):
        self.write_config(extra)
        self.sessgate = self.spawn([os.path.join(self.bindir, "sessgate"),
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

    def start_lighttpd(self, docroot, extra="", port=None):
        """lighttpd on port (else a free one) serving docroot, sessgate in
        front of /private/ through the shipped contrib config; returns the
        port, also kept as http_port."""
        lighttpd = need(os.environ.get("LIGHTTPD") or "/usr/sbin/lighttpd",
                        "lighttpd")
        if port and connects(port):
            raise RuntimeError("port %d is in use" % port)
        self.http_port = port or free_port()
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
        wait_for(lambda: self.lighttpd.poll() is not None
                 or connects(self.http_port), "lighttpd")
        if self.lighttpd.poll() is not None:
            with open(os.path.join(self.tmp, "lighttpd.log"),
                      errors="replace") as f:
                raise RuntimeError("lighttpd exited: " + f.read())
        return self.http_port

    def start_https_lighttpd(self, docroot, openssl, extra=""):
        """start_lighttpd over HTTPS (lighttpd-mod-openssl on the one
        listening socket), with a self-signed certificate for 127.0.0.1
        and localhost that openssl makes here; returns the port."""
        cert = os.path.join(self.tmp, "cert.pem")
        key = os.path.join(self.tmp, "key.pem")
        r = subprocess.run([openssl, "req", "-x509", "-newkey", "ec",
                            "-pkeyopt", "ec_paramgen_curve:prime256v1",
                            "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                            "-addext",
                            "subjectAltName=IP:127.0.0.1,DNS:localhost",
                            "-keyout", key, "-out", cert],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return self.start_lighttpd(docroot, LIGHTTPD_TLS % {
            "cert": cert, "key": key} + extra)

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


# The protected page of the browser tests: a heading, and a sign-out form.
PRIVATE_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Private area</title></head>
<body>
<h1>The secret page</h1>
<p>Only signed-in users can read this.</p>
<form method="post" action="/logout"><button>Sign out</button></form>
</body>
</html>
"""


# Apache 2.4 in front of sessgate (tests/integration/apache.py, the
# browser test): both shipped configs load the same modules; each Apache
# includes one shipped file.
APACHE = os.environ.get("APACHE2") or "/usr/sbin/apache2"
APACHE_MODULES = os.environ.get("APACHE2_MODULES") or \
    "/usr/lib/apache2/modules"
APACHE_MODS = ("mpm_event authz_core authz_host authz_user authn_core mime "
               "dir headers cgid fcgid authnz_fcgi proxy proxy_fcgi").split()
APACHE_CONF = """
ServerRoot "%(dir)s"
ServerName 127.0.0.1
Listen 127.0.0.1:%(port)d
PidFile "%(dir)s/httpd.pid"
DefaultRuntimeDir "%(dir)s"
Mutex file:%(dir)s default
ErrorLog "%(dir)s/error.log"
LogLevel info
LogFormat "%%u %%>s %%r" sessgate
CustomLog "%(dir)s/access.log" sessgate
%(user)s
%(modules)s
# mod_fcgid's files: the directory does not exist yet, mod_fcgid makes it.
FcgidIPCDir "%(dir)s/fcgid"
FcgidProcessTableFile "%(dir)s/fcgid-shm"
TypesConfig /dev/null
AddType text/html .html
DocumentRoot "%(www)s"
DirectoryIndex index.html
<Directory "%(www)s">
	Require all granted
	Options +ExecCGI
	AddHandler cgi-script .cgi
</Directory>
%(defines)s
%(extra)s
Include "%(contrib)s"
"""


def need_apache():
    need(APACHE, "apache2")
    need(APACHE if os.path.exists(os.path.join(APACHE_MODULES,
                                               "mod_fcgid.so"))
         else None, "libapache2-mod-fcgid (mod_fcgid)")


def start_apache(stack, name, contrib, defines, www, extra=""):
    """An Apache of stack's own in TMP/name on a free port, including the
    file contrib with defines [(NAME, value)] and extra server config
    before it; returns (port, dir, proc). As root its children run as
    www-data (Apache refuses root)."""
    port = free_port()
    d = os.path.join(stack.tmp, name)
    os.makedirs(d, exist_ok=True)
    user = ""
    if os.geteuid() == 0:
        user = "User www-data\nGroup www-data"
    conf = os.path.join(d, "httpd.conf")
    with open(conf, "w") as f:
        f.write(APACHE_CONF % {
            "dir": d, "port": port, "user": user, "www": www,
            "modules": "\n".join(
                "LoadModule %s_module %s/mod_%s.so" % (m, APACHE_MODULES, m)
                for m in APACHE_MODS),
            "defines": "\n".join('Define %s "%s"' % kv for kv in defines),
            "extra": extra, "contrib": contrib})
    proc = stack.spawn([APACHE, "-DFOREGROUND", "-f", conf], name + ".out")
    try:
        wait_for(lambda: connects(port), "apache " + name)
    except RuntimeError:
        for log in (os.path.join(d, "error.log"),
                    os.path.join(stack.tmp, name + ".out")):
            try:
                with open(log, errors="replace") as f:
                    print("# " + f.read().replace("\n", "\n# "))
            except OSError:
                pass
        raise
    return port, d, proc


# nginx in front of sessgate with the shipped snippet (bench/burst.py,
# the browser test).
NGINX = os.environ.get("NGINX") or "/usr/sbin/nginx"
NGINX_CONF = """
user %(user)s %(group)s;
worker_processes 1;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %(dir)s/body;
    fastcgi_temp_path %(dir)s/fastcgi;
    proxy_temp_path %(dir)s/proxy;
    uwsgi_temp_path %(dir)s/uwsgi;
    scgi_temp_path %(dir)s/scgi;
    types { text/html html; }
    default_type text/plain;
    upstream sessgate {
        server %(upstream)s;
        keepalive 4;
    }
    server {
        listen 127.0.0.1:%(port)d;
        root %(docroot)s;
        index index.html;
        include %(snippet)s;
    }
}
"""


def start_nginx(stack, docroot, upstream, name="nginx"):
    """An nginx of stack's own in TMP/name on a free port, the shipped
    snippet included, sessgate at upstream ("unix:PATH" or "HOST:PORT");
    returns the port."""
    import grp
    import pwd
    d = os.path.join(stack.tmp, name)
    os.makedirs(d)
    port = free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF % {
            "user": pwd.getpwuid(os.getuid()).pw_name,
            "group": grp.getgrgid(os.getgid()).gr_name, "dir": d,
            "port": port, "upstream": upstream, "docroot": docroot,
            "snippet": os.path.join(TOP_SRCDIR, "contrib", "nginx",
                                    "sessgate.conf")})
    stack.spawn([need(NGINX, "nginx"), "-p", d + "/", "-e",
                 os.path.join(d, "error.log"), "-c", conf, "-g",
                 "daemon off;"], name + ".log")
    wait_for(lambda: connects(port), name)
    return port


# lighttpd's TLS (the separate lighttpd-mod-openssl package on Debian).
LIGHTTPD_TLS = """
server.modules += ( "mod_openssl" )
ssl.engine = "enable"
ssl.pemfile = "%(cert)s"
ssl.privkey = "%(key)s"
"""


def run_browser(script, env, timeout=300):
    """Run a browser driver (tests/browser/*drive.py, which prints one
    JSON document) with env: (its JSON, or {"steps": {}, "error": the
    tail of its stderr}; its exit status; its stderr; seconds taken)."""
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, script], env=env,
                       capture_output=True, text=True, timeout=timeout)
    out = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {
        "steps": {}, "error": p.stderr[-4000:]}
    return out, p.returncode, p.stderr, time.monotonic() - t0


LIGHTTPD_CONF = """
server.modules = ( "mod_access", "mod_cgi" )
server.document-root = "%(docroot)s"
server.bind = "127.0.0.1"
server.port = %(port)d
server.errorlog = "%(tmp)s/lighttpd-error.log"
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


def http(port, method, path, headers=None, body=None, timeout=30,
         source=None):
    """source: the client's address (another loopback one, 127.0.0.2)."""
    c = httpclient.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                  source_address=(source, 0) if source
                                  else None)
    h = {"Host": "127.0.0.1:%d" % port}
    h.update(headers or {})
    if isinstance(body, str):
        body = body.encode()
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return Response(r, data)


def monitoring_to_loopback_only(port):
    """The shipped snippet routes status_path and ping_path to sessgate
    for 127.0.0.1 only: the metrics and pong from here, not a metric
    from 127.0.0.2 (another loopback address, but not this host's own)."""
    r = http(port, "GET", "/sessgate/metrics")
    assert r.status == 200, (r.status, r.body[:200])
    assert b'sessgate_checks_total{result="allow"}' in r.body, r.body[:300]
    assert (r.header("Content-Type") or "").startswith(
        "text/plain; version=0.0.4"), r.headers
    r = http(port, "GET", "/sessgate/ping")
    assert r.status == 200 and r.body == b"pong\n", (r.status, r.body)
    for path in ("/sessgate/metrics", "/sessgate/ping"):
        r = http(port, "GET", path, source="127.0.0.2")
        assert r.status != 200, (path, r.status)
        assert b"sessgate_" not in r.body and b"pong" not in r.body, r.body


class Site:
    """A web server on 127.0.0.1 in front of sessgate, as a client sees
    it: requests that carry the session cookie by name, a login, and
    whether a cookie still opens the protected tree (probe). Set port once
    the server is up. origin: logins send a same-origin Origin header."""

    def __init__(self, port=None, cookie="__Host-sid",
                 probe="/private/whoami.cgi", origin=False):
        self.port = port
        self.cookie_name = cookie
        self.probe = probe
        self.origin = origin

    def request(self, method, path, cookie=None, headers=None, body=None):
        h = dict(headers or {})
        if cookie is not None:
            h["Cookie"] = "%s=%s" % (self.cookie_name, cookie)
        return http(self.port, method, path, h, body)

    def get(self, path, cookie=None, headers=None, method="GET"):
        return self.request(method, path, cookie, headers)

    def post(self, path, fields, cookie=None, headers=None, raw=None):
        """A form POST: fields urlencoded, or the raw body as given."""
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        body = raw if raw is not None else urllib.parse.urlencode(fields)
        return self.request("POST", path, cookie, h, body)

    def same_origin(self):
        return {"Origin": "http://127.0.0.1:%d" % self.port}

    def login(self, user, pw, cookie=None, next_="/private/"):
        """POST /login, which must answer 303 with the session cookie;
        returns (cookie value, its attributes, the response)."""
        r = self.post("/login", {"username": user, "password": pw,
                                 "next": next_}, cookie,
                      self.same_origin() if self.origin else None)
        assert r.status == 303, (r.status, r.body)
        assert r.cookie(self.cookie_name) is not None, r.headers
        value, attrs = r.cookie(self.cookie_name)
        return value, attrs, r

    def alive(self, cookie):
        """Does cookie open the probe? 200 yes, 401 no, anything else is
        a failure."""
        r = self.get(self.probe, cookie)
        if r.status == 200:
            return True
        assert r.status == 401, (r.status, r.body)
        return False


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


def _recv_exact(sock, n):
    """n bytes, or fewer at the end of the stream: nothing past them is
    read, so that the next answer on a kept connection stays for the next
    call (a buffered file object would swallow it)."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def fcgi_read_stdout(sock):
    """Collect FCGI_STDOUT until FCGI_END_REQUEST; returns bytes."""
    out = b""
    while True:
        head = _recv_exact(sock, 8)
        if len(head) < 8:
            raise RuntimeError("connection closed before END_REQUEST")
        _, rtype, _, clen, plen = struct.unpack("!BBHHBx", head)
        content = _recv_exact(sock, clen + plen)[:clen]
        if rtype == FCGI_STDOUT:
            out += content
        if rtype == FCGI_END:
            return out


class Gate:
    """A sessgate process of a test with a configuration of its own,
    spoken to over FastCGI on its Unix socket (no web server): checks in
    the Authorizer role, form POSTs to the endpoints, sessgatectl."""

    def __init__(self, stack, name, config):
        self.name = name
        self.tmp = stack.tmp
        self.bindir = stack.bindir
        self.sock = os.path.join(stack.tmp, name + ".sock")
        self.conf = os.path.join(stack.tmp, name + ".conf")
        with open(self.conf, "w") as f:
            f.write("listen = unix:%s\n%s" % (self.sock, config))
        self.proc = stack.spawn([os.path.join(stack.bindir, "sessgate"),
                                 "-d", "-c", self.conf], name + ".log")
        wait_for(lambda: accepts(self.sock), name)

    def log(self):
        with open(os.path.join(self.tmp, self.name + ".log"),
                  errors="replace") as f:
            return f.read()

    def ctl(self, *args, stdin=None):
        return subprocess.run(
            [os.path.join(self.bindir, "sessgatectl"), "-c", self.conf]
            + list(args), input=stdin, capture_output=True, text=True,
            timeout=30)

    def add_user(self, name, pw):
        r = self.ctl("user", "add", name, stdin=pw + "\n")
        assert r.returncode == 0, r.stderr

    def request(self, role, params, body=None):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(self.sock)
        out = fcgi_request(s, role, params, body).decode()
        return int(out.split(" ", 2)[1]), out

    def check(self, cookie):
        return self.request(AUTHORIZER, {
            "REQUEST_METHOD": "GET", "REQUEST_URI": "/private/",
            "HTTP_COOKIE": "__Host-sid=" + cookie})[0]

    def post(self, path, body, cookie=None):
        params = {"REQUEST_METHOD": "POST", "REQUEST_URI": path,
                  "CONTENT_TYPE": "application/x-www-form-urlencoded",
                  "CONTENT_LENGTH": str(len(body))}
        if cookie:
            params["HTTP_COOKIE"] = "__Host-sid=" + cookie
        return self.request(RESPONDER, params, body.encode())

    def login(self, user, pw):
        """(status, cookie or None)."""
        status, out = self.post("/login", "username=%s&password=%s"
                                % (user, pw))
        for line in out.split("\r\n"):
            if line.startswith("Set-Cookie: __Host-sid="):
                return status, line.split("=", 1)[1].split(";")[0]
        return status, None

    def logout(self, cookie):
        return self.post("/logout", "", cookie)[0]


def _succeeds(args):
    try:
        return subprocess.run(args, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False


def main(argv):
    """The commands lib.sh runs (see the top of this file)."""
    cmd, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    if cmd == "free-port" and not args:
        print(free_port())
        return 0
    if cmd == "need" and len(args) == 2:
        if installed(args[0]):
            return 0
        return 1 if missing(args[1]) else 77
    if cmd == "wait-for" and args:
        try:
            wait_for(lambda: _succeeds(args), " ".join(args))
        except RuntimeError:
            print("Bail out! timed out waiting for: " + " ".join(args))
            return 1
        return 0
    if cmd == "redis" and len(args) >= 2:
        argv = redis_argv(redis_server(), args[0], int(args[1])) + args[2:]
        os.execvp(argv[0], argv)
    print("usage: harness.py free-port | need PATH NAME | wait-for CMD... |"
          " redis DIR PORT [ARG...]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
