"""sessgate behind a real nginx (auth_request + fastcgi_pass, the shipped
contrib/nginx/sessgate.conf included unchanged), with a real redis-server
and a CGI backend run by fcgiwrap. A second nginx in front of a recording
FastCGI server shows exactly what the shipped config sends to sessgate."""

import base64
import grp
import os
import pwd
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import http  # noqa: E402

T = harness.TAP()
S = harness.Stack()
SITE = harness.Site(origin=True)
REC = harness.Site()        # the nginx in front of the recorder
COOKIE = SITE.cookie_name
BASE = "max_sessions = 0\nlogin_max_failures = 1000\nredis_timeout = 250ms\n" \
    "status_path = /sessgate/metrics\nping_path = /sessgate/ping\n"
NGINX = harness.need(os.environ.get("NGINX") or "/usr/sbin/nginx", "nginx")
FCGIWRAP = harness.need(os.environ.get("FCGIWRAP") or "/usr/sbin/fcgiwrap",
                        "fcgiwrap")
SNIPPET = os.path.join(harness.TOP_SRCDIR, "contrib", "nginx", "sessgate.conf")

NGINX_CONF = """
user %(user)s %(group)s;
worker_processes 1;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log info;
events { worker_connections 256; }
http {
    access_log %(dir)s/access.log;
    client_body_temp_path %(dir)s/body;
    fastcgi_temp_path %(dir)s/fastcgi;
    proxy_temp_path %(dir)s/proxy;
    uwsgi_temp_path %(dir)s/uwsgi;
    scgi_temp_path %(dir)s/scgi;
    types { text/html html; text/plain txt; }
    default_type application/octet-stream;
    # Defaults a site may set for its other FastCGI backends: the snippet
    # must not inherit them.
    fastcgi_intercept_errors on;
    fastcgi_keep_conn on;
    fastcgi_pass_request_headers off;
    fastcgi_read_timeout %(read_timeout)s;

    upstream sessgate {
        server unix:%(sock)s;
        keepalive 4;
    }

    server {
        listen 127.0.0.1:%(port)d;
        root %(docroot)s;
        index index.html;

        include %(snippet)s;

        location /public/ {
            auth_request off;
        }
        location = /returned {
            return 200 "never checked\\n";
        }
        location ~ \\.cgi$ {
            fastcgi_pass unix:%(fcgiwrap)s;
            fastcgi_keep_conn off;
            include %(backend_params)s;
            fastcgi_param REMOTE_USER $sessgate_user;
        }
    }
}
"""


def start_nginx(name, sock, docroot, fcgiwrap_sock, read_timeout="10s"):
    """An nginx of our own in TMP/name, in the foreground, on a free port,
    with the shipped snippet; returns the port."""
    d = os.path.join(S.tmp, name)
    os.makedirs(d)
    # The backend's params: the stock file without REMOTE_USER $remote_user
    # (a client's Basic auth name), as the snippet's header advises.
    params = os.path.join(d, "backend_params")
    with open("/etc/nginx/fastcgi.conf") as src, open(params, "w") as dst:
        for line in src:
            if "REMOTE_USER" not in line:
                dst.write(line)
    port = harness.free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF % {
            "user": pwd.getpwuid(os.getuid()).pw_name,
            "group": grp.getgrgid(os.getgid()).gr_name,
            "dir": d, "port": port, "sock": sock, "docroot": docroot,
            "snippet": SNIPPET, "fcgiwrap": fcgiwrap_sock,
            "backend_params": params, "read_timeout": read_timeout})
    r = subprocess.run([NGINX, "-t", "-p", d + "/", "-e",
                        os.path.join(d, "error.log"), "-c", conf],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    p = S.spawn([NGINX, "-p", d + "/", "-e", os.path.join(d, "error.log"),
                 "-c", conf, "-g", "daemon off;"], name + ".log")
    harness.wait_for(lambda: p.poll() is not None or harness.connects(port),
                     name)
    assert p.poll() is None, nginx_log(name)
    return port


def nginx_log(name):
    with open(os.path.join(S.tmp, name, "error.log"), errors="replace") as f:
        return f.read()


class Recorder:
    """A FastCGI server that records each request (params in order, stdin)
    and answers 200 with Variable-REMOTE_USER: rec."""

    def __init__(self, path):
        self.path = path
        self.requests = []
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(path)
        self.sock.listen(16)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.one, args=(c,), daemon=True).start()

    def one(self, c):
        c.settimeout(10)
        f = c.makefile("rb")
        params, stdin = b"", b""
        try:
            while True:
                head = f.read(8)
                if len(head) < 8:
                    return
                _, rtype, rid, clen, plen = struct.unpack("!BBHHBx", head)
                content = f.read(clen)
                f.read(plen)
                if rtype == harness.FCGI_PARAMS:
                    params += content
                elif rtype == harness.FCGI_STDIN:
                    if not content:
                        break
                    stdin += content
            self.requests.append((decode_params(params), stdin))
            out = (b"Status: 200 OK\r\nVariable-REMOTE_USER: rec\r\n"
                   b"Content-Type: text/plain\r\n\r\nrecorded\n")
            c.sendall(harness.fcgi_record(harness.FCGI_STDOUT, out, rid) +
                      harness.fcgi_record(harness.FCGI_STDOUT, b"", rid) +
                      harness.fcgi_record(harness.FCGI_END, bytes(8), rid))
        finally:
            f.close()
            c.close()

    def close(self):
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        os.unlink(self.path)


def decode_params(data):
    out, i = [], 0
    while i < len(data):
        lens = []
        for _ in range(2):
            if data[i] >> 7:
                lens.append(struct.unpack("!I", data[i:i + 4])[0] & 0x7fffffff)
                i += 4
            else:
                lens.append(data[i])
                i += 1
        k = data[i:i + lens[0]].decode()
        i += lens[0]
        out.append((k, data[i:i + lens[1]].decode("latin-1")))
        i += lens[1]
    return out


def setup():
    S.start_redis()
    S.write_config(BASE)
    for user, pw in (("alice", "alice-pw"), ("bob", "bob-pw"),
                     ("carol", "carol-pw")):
        S.add_user(user, pw)
    docroot = os.path.join(S.tmp, "www")
    for sub in ("private", "public"):
        os.makedirs(os.path.join(docroot, sub))
    with open(os.path.join(docroot, "private", "index.html"), "w") as f:
        f.write("the secret page\n")
    with open(os.path.join(docroot, "public", "hello.txt"), "w") as f:
        f.write("hello, world\n")
    cgi = os.path.join(docroot, "private", "whoami.cgi")
    with open(cgi, "w") as f:
        f.write("#!/bin/sh\n"
                "n=$(head -c \"${CONTENT_LENGTH:-0}\" | wc -c)\n"
                "printf 'Content-Type: text/plain\\r\\n\\r\\n"
                "user=%s\\nbody=%s\\n' \"$REMOTE_USER\" \"$n\"\n")
    os.chmod(cgi, 0o755)
    S.start_sessgate(BASE)
    fw = os.path.join(S.tmp, "fcgiwrap.sock")
    S.spawn([FCGIWRAP, "-s", "unix:" + fw], "fcgiwrap.log")
    harness.wait_for(lambda: os.path.exists(fw), "fcgiwrap's socket")
    S.http_port = SITE.port = start_nginx("nginx", S.sock, docroot, fw)
    S.rec = Recorder(os.path.join(S.tmp, "recorder.sock"))
    S.rec_port = REC.port = start_nginx("nginx-rec", S.rec.path, docroot, fw)


HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON401 = b'{"error":"unauthenticated"}\n'


def next_field(body):
    """The value of the login form's hidden next field."""
    text = body.decode()
    key = 'name="next" value="'
    assert key in text, text
    return text.split(key, 1)[1].split('"', 1)[0]


PLAIN_CONF = """
user %(user)s %(group)s;
worker_processes 1;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log info;
events { worker_connections 64; }
http {
    access_log %(dir)s/access.log;
    client_body_temp_path %(dir)s/body;
    fastcgi_temp_path %(dir)s/fastcgi;
    proxy_temp_path %(dir)s/proxy;
    uwsgi_temp_path %(dir)s/uwsgi;
    scgi_temp_path %(dir)s/scgi;
    types { text/html html; }
    server {
        listen 127.0.0.1:%(port)d;
        root %(docroot)s;
        location / {
            auth_request /auth;
        }
        location = /auth {
            internal;
            fastcgi_pass unix:%(sock)s;
            fastcgi_pass_request_body off;
            include /etc/nginx/fastcgi_params;
        }
    }
}
"""


@T.test
def the_obvious_config_with_stock_fastcgi_params_checks_by_auth_path():
    """location = /auth with Debian's stock fastcgi_params and no
    SESSGATE_AUTH: sessgate knows the check by DOCUMENT_URI/SCRIPT_NAME
    (REQUEST_URI is the original URI), so nginx gets 401 or 200, not the
    404 that nginx turns into 500 on every protected page."""
    d = os.path.join(S.tmp, "nginx-plain")
    os.makedirs(d)
    port = harness.free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(PLAIN_CONF % {
            "user": pwd.getpwuid(os.getuid()).pw_name,
            "group": grp.getgrgid(os.getgid()).gr_name, "dir": d,
            "port": port, "sock": S.sock,
            "docroot": os.path.join(S.tmp, "www")})
    p = S.spawn([NGINX, "-p", d + "/", "-e", os.path.join(d, "error.log"),
                 "-c", conf, "-g", "daemon off;"], "nginx-plain.log")
    harness.wait_for(lambda: p.poll() is not None or harness.connects(port),
                     "nginx-plain")
    assert p.poll() is None
    plain = harness.Site(port=port)
    r = plain.get("/private/index.html")
    assert r.status == 401, (r.status, r.body)
    cookie, _, _ = SITE.login("carol", "carol-pw")
    r = plain.get("/private/index.html", cookie)
    assert r.status == 200 and r.body == b"the secret page\n", r.status
    r = plain.get("/private/index.html", "AAAAAAAAAAAAAAAA." + "A" * 43)
    assert r.status == 401, r.status


@T.test
def page_navigation_is_redirected_to_the_login_form_with_next():
    for path in ("/private/", "/private/report.html?year=2024;q=(a)",
                 "/nowhere/x.html"):
        r = SITE.get(path, headers=HTML)
        assert r.status == 302, (path, r.status)
        loc = r.header("Location")
        assert loc == "/login?next=" + path, (path, loc)
        assert r.header("Cache-Control") == "no-store"
        form = SITE.get(loc, headers=HTML)
        assert form.status == 200, form.status
        assert form.header("Content-Type").startswith("text/html")
        assert '<form method="post" action="/login">' in form.body.decode()
        assert next_field(form.body) == path, next_field(form.body)
    r = http(S.http_port, "HEAD", "/private/", HTML)
    assert r.status == 302 and r.header("Location") == \
        "/login?next=/private/", r.header("Location")


@T.test
def a_url_nginx_cannot_encode_gets_the_form_in_place_with_exact_next():
    path = "/private/a%20b/page.html?x=1&y=a+b%26c"
    r = SITE.get(path, headers=HTML)
    assert r.status == 401, r.status
    assert r.header("Content-Type").startswith("text/html")
    assert r.header("Cache-Control") == "no-store"
    assert next_field(r.body) == path.replace("&", "&amp;"), r.body
    # the browser posts the hidden field back: next comes back exactly
    _, _, r = SITE.login("alice", "alice-pw", next_=path)
    assert r.header("Location") == path, r.header("Location")


@T.test
def unauthenticated_api_request_gets_401_json():
    cases = [("GET", {}), ("GET", {"Accept": "application/json"}),
             ("POST", HTML),                 # not a navigation
             ("DELETE", HTML)]
    for method, headers in cases:
        r = http(S.http_port, method, "/private/whoami.cgi", headers,
                 "x=1" if method == "POST" else None)
        assert r.status == 401, (method, r.status)
        assert r.header("Content-Type") == "application/json"
        assert r.body == JSON401, r.body
        assert r.header("Location") is None
    # nginx's return takes the URI's type (text/html for .html) unless
    # the location clears its types: the JSON must say it is JSON
    for headers in ({}, {"Accept": "application/json"}):
        r = SITE.get("/private/index.html", None, headers)
        assert r.status == 401, r.status
        assert r.header("Content-Type") == "application/json", r.headers
        assert r.body == JSON401, r.body


@T.test
def login_through_nginx_sets_the_cookie():
    value, attrs, r = SITE.login("alice", "alice-pw", next_="/private/x?y=1")
    assert r.header("Location") == "/private/x?y=1", r.header("Location")
    assert attrs == ["Path=/", "Max-Age=604800", "Secure", "HttpOnly",
                     "SameSite=Lax"], attrs
    assert len(value) == 60 and value[16] == ".", value
    assert SITE.alive(value)
    r = SITE.post("/login", {"username": "alice", "password": "wrong"},
                  headers=SITE.same_origin())
    assert r.status == 401 and r.cookie(COOKIE) is None, r.status
    assert b"Wrong user name or password." in r.body


@T.test
def protected_static_file_is_served_with_the_cookie():
    value, _, _ = SITE.login("bob", "bob-pw")
    r = SITE.get("/private/index.html", value, HTML)
    assert r.status == 200 and r.body == b"the secret page\n", r.status
    r = SITE.get("/private/", value, HTML)    # index: an internal redirect,
    assert r.status == 200 and r.body == b"the secret page\n", r.status
    r = SITE.get("/private/missing.html", value, HTML)
    assert r.status == 404, r.status     # checked first, then not found


@T.test
def the_backend_sees_the_user_and_clients_cannot_choose_it():
    value, _, _ = SITE.login("bob", "bob-pw")
    r = SITE.get("/private/whoami.cgi", value)
    assert r.status == 200 and r.body == b"user=bob\nbody=0\n", r.body
    assert r.header("Variable-REMOTE_USER") is None
    basic = {"Authorization": "Basic " +
             base64.b64encode(b"mallory:x").decode()}
    r = SITE.get("/private/whoami.cgi", value, basic)
    assert r.body == b"user=bob\nbody=0\n", r.body
    r = SITE.get("/private/whoami.cgi", None, basic)
    assert r.status == 401, r.status
    # the check is safe to repeat: the same cookie keeps working
    for _ in range(5):
        assert SITE.get("/private/whoami.cgi", value).body == \
            b"user=bob\nbody=0\n"


@T.test
def a_request_body_reaches_the_backend_not_the_check():
    value, _, _ = SITE.login("bob", "bob-pw")
    body = "x" * 200000
    h = {"Content-Type": "application/octet-stream",
         "Cookie": "%s=%s" % (COOKIE, value)}
    r = http(S.http_port, "POST", "/private/whoami.cgi", h, body)
    assert r.status == 200, (r.status, r.body)
    assert r.body == b"user=bob\nbody=%d\n" % len(body), r.body
    h.pop("Cookie")
    r = http(S.http_port, "POST", "/private/whoami.cgi", h, "x" * 900000)
    assert r.status == 401 and r.body == JSON401, r.status


@T.test
def opt_outs_and_the_return_pitfall():
    r = SITE.get("/public/hello.txt")
    assert r.status == 200 and r.body == b"hello, world\n", r.status
    # documented pitfall: return runs before auth_request
    r = SITE.get("/returned")
    assert r.status == 200 and r.body == b"never checked\n", r.status
    # the check itself is not reachable from outside
    assert SITE.get("/auth").status == 404
    assert SITE.get("/auth", headers=HTML).status == 404


@T.test
def logout_clears_the_cookie_and_the_old_one_is_refused():
    value, _, _ = SITE.login("carol", "carol-pw")
    assert SITE.alive(value)
    r = SITE.post("/logout", {}, value, {"Origin": "http://evil.example"})
    assert r.status == 403, r.status
    assert SITE.alive(value)
    r = SITE.post("/logout", {}, value, SITE.same_origin())
    assert r.status == 303 and r.header("Location") == "/login", r.status
    v, attrs = r.cookie(COOKIE)
    assert v == "" and attrs == ["Path=/", "Max-Age=0", "Secure", "HttpOnly",
                                 "SameSite=Lax"], attrs
    assert not SITE.alive(value)
    r = SITE.get("/private/", value, HTML)
    assert r.status == 302, r.status
    assert SITE.get("/logout").status == 405


@T.test
def logout_everywhere_and_password_change_through_nginx():
    a, _, _ = SITE.login("carol", "carol-pw")
    b, _, _ = SITE.login("carol", "carol-pw")
    r = SITE.post("/logout-all", {}, a, SITE.same_origin())
    assert r.status == 303 and r.cookie(COOKIE)[0] == ""
    assert not SITE.alive(a) and not SITE.alive(b)
    a, _, _ = SITE.login("carol", "carol-pw")
    b, _, _ = SITE.login("carol", "carol-pw")
    r = SITE.post("/password", {"current_password": "carol-pw",
                                "new_password": "carol-new"}, a,
                  SITE.same_origin())
    assert r.status == 303, (r.status, r.body)
    new = r.cookie(COOKIE)[0]
    assert not SITE.alive(a) and not SITE.alive(b) and SITE.alive(new)


@T.test
def bogus_cookies_are_refused():
    value, _, _ = SITE.login("alice", "alice-pw")
    cases = [
        ("%s=garbage" % COOKIE, 401),
        ("%s=%s" % (COOKIE, value + "A"), 401),
        ("%s=%s" % (COOKIE, value[:-1]), 401),
        ("%s=%s" % (COOKIE, value[:17] + "A" * 43), 401),
        ("%s=%s" % (COOKIE, value.lower()), 401),
        ("other=%s" % value, 401),
        ("%s=junk; %s=%s" % (COOKIE, COOKIE, value), 200),
    ]
    for header, want in cases:
        r = http(S.http_port, "GET", "/private/whoami.cgi",
                 {"Cookie": header})
        assert r.status == want, (header[:70], r.status, want)
        if want == 401:
            assert r.body == JSON401, r.body
    assert SITE.alive(value)


@T.test
def a_malformed_cookie_header_gets_400_not_500():
    for path in ("/private/whoami.cgi", "/private/index.html"):
        r = http(S.http_port, "GET", path, {"Cookie": "%s=a\x01b" % COOKIE})
        assert r.status == 400, r.status
        assert r.header("Content-Type") == "application/json", r.headers
        assert r.body == b'{"error":"malformed cookie"}\n', r.body
        assert r.header("Retry-After") is None, r.headers
    # a browser's navigation gets a page that says what to do
    r = http(S.http_port, "GET", "/private/index.html",
             dict(HTML, Cookie="%s=a\x01b" % COOKIE))
    assert r.status == 400, r.status
    assert r.header("Content-Type") == "text/html; charset=utf-8", r.headers
    assert r.header("Cache-Control") == "no-store", r.headers
    assert r.header("Retry-After") is None, r.headers
    assert b"<title>Bad request</title>" in r.body, r.body
    assert b"Clearing this site's cookies may help." in r.body, r.body


@T.test
def redis_paused_gives_503_then_the_same_cookie_works():
    value, _, _ = SITE.login("bob", "bob-pw")
    os.kill(S.redis.pid, signal.SIGSTOP)
    try:
        for headers in ({}, HTML):
            t0 = time.monotonic()
            r = SITE.get("/private/whoami.cgi", value, headers)
            took = time.monotonic() - t0
            assert r.status == 503, (r.status, r.body)
            assert r.header("Retry-After") == "1", r.headers
            assert took < 2.0, took     # redis_timeout is 250 ms
        r = SITE.get("/private/index.html", value, HTML)
        assert r.status == 503, r.status
        # no cookie: nothing to look up, the login redirect still works
        r = SITE.get("/private/index.html", None, HTML)
        assert r.status == 302, r.status
        r = SITE.post("/login", {"username": "bob", "password": "bob-pw"},
                      headers=SITE.same_origin())
        assert r.status == 503, r.status
        assert r.cookie(COOKIE) is None
    finally:
        os.kill(S.redis.pid, signal.SIGCONT)
    assert SITE.alive(value)
    assert "auth request unexpected status: 503" in nginx_log("nginx")


def assert_unavailable_page(r, status, head=False):
    """A page for a browser: the status, HTML, Retry-After: 1, no-store,
    "try again in a moment"; no JSON."""
    assert r.status == status, (r.status, r.body)
    assert r.header("Content-Type") == "text/html; charset=utf-8", r.headers
    assert r.header("Retry-After") == "1", r.headers
    assert r.header("Cache-Control") == "no-store", r.headers
    if head:
        assert r.body == b"", r.body
        return
    assert r.body.startswith(b"<!DOCTYPE html>"), r.body
    assert b"Try again in a moment." in r.body, r.body
    assert b"error" not in r.body, r.body


def assert_unavailable_json(r, status, body):
    assert r.status == status, (r.status, r.body)
    assert r.header("Content-Type") == "application/json", r.headers
    assert r.header("Retry-After") == "1", r.headers
    assert r.header("Cache-Control") == "no-store", r.headers
    assert r.body == body, r.body


@T.test
def redis_down_gives_a_navigation_a_page_and_an_api_json():
    """auth_request turns sessgate's 503 into 500 and drops its body: the
    snippet's @sessgate_error answers a page navigation with a page and
    anything else with JSON, both 503 with Retry-After: 1. A .html URI
    must not make the JSON text/html, nor a .cgi one the page."""
    value, _, _ = SITE.login("bob", "bob-pw")
    os.kill(S.redis.pid, signal.SIGSTOP)
    try:
        for path in ("/private/index.html", "/private/whoami.cgi",
                     "/private/"):
            r = SITE.get(path, value, HTML)
            assert_unavailable_page(r, 503)
            assert b"<title>Service unavailable</title>" in r.body, r.body
        r = http(S.http_port, "HEAD", "/private/index.html",
                 dict(HTML, Cookie="%s=%s" % (COOKIE, value)))
        assert_unavailable_page(r, 503, head=True)
        unavailable = b'{"error":"unavailable"}\n'
        for method, path, headers in (
                ("GET", "/private/index.html", {}),
                ("GET", "/private/index.html", {"Accept": "*/*"}),
                ("GET", "/private/whoami.cgi",
                 {"Accept": "application/json"}),
                ("POST", "/private/whoami.cgi", HTML),   # not a navigation
                ("DELETE", "/private/index.html", HTML)):
            r = http(S.http_port, method, path,
                     dict(headers, Cookie="%s=%s" % (COOKIE, value)),
                     "x=1" if method == "POST" else None)
            assert_unavailable_json(r, 503, unavailable)
    finally:
        os.kill(S.redis.pid, signal.SIGCONT)
    # the page is only reached by the snippet's rewrite, never from outside
    assert SITE.get("/sessgate/error", value, HTML).status == 404
    r = SITE.get("/private/index.html", value, HTML)
    assert r.status == 200 and r.body == b"the secret page\n", r.status


@T.test
def kept_connections_never_pin_sessgates_threads():
    """The http block turns fastcgi_keep_conn on and the upstream keeps 4
    connections; sessgate has 4 threads. Were a kept idle connection to
    hold a thread, requests 5 to 8 would wait for fastcgi_read_timeout."""
    results = []

    def one():
        t0 = time.monotonic()
        r = SITE.post("/login", {"username": "bob", "password": "bob-pw"},
                      headers=SITE.same_origin())
        results.append((r.status, time.monotonic() - t0))

    for _ in range(2):
        os.kill(S.redis.pid, signal.SIGSTOP)   # each login waits 250 ms
        try:
            threads = [threading.Thread(target=one) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            os.kill(S.redis.pid, signal.SIGCONT)
    assert len(results) == 16
    assert all(status == 503 and took < 5 for status, took in results), \
        results


@T.test
def what_the_check_and_the_endpoints_receive():
    """Through the second nginx, whose upstream records every request."""
    S.rec.requests.clear()
    body = "y" * 5000
    r = http(S.rec_port, "POST", "/private/whoami.cgi?q=1",
             {"Cookie": "%s=tok" % COOKIE, "Accept": "text/html",
              "Content-Type": "text/plain"}, body)
    assert r.status == 200, r.status
    assert r.body == b"user=rec\nbody=5000\n", r.body
    (params, stdin), = S.rec.requests
    names = [k for k, _ in params]
    p = dict(params)
    assert p["SESSGATE_AUTH"] == "1"
    assert p["REQUEST_METHOD"] == "POST"
    assert p["REQUEST_URI"] == "/private/whoami.cgi?q=1"
    assert p["CONTENT_LENGTH"] == ""
    assert p["HTTP_COOKIE"] == "%s=tok" % COOKIE
    assert p["HTTP_ACCEPT"] == "text/html"
    assert p["HTTP_HOST"] == "127.0.0.1:%d" % S.rec_port
    assert stdin == b"", stdin
    assert len(names) == len(set(names)), names   # no duplicate params
    assert "REMOTE_USER" not in p and "REDIRECT_STATUS" not in p

    S.rec.requests.clear()
    r = http(S.rec_port, "POST", "/logout",
             {"Cookie": "%s=tok" % COOKIE,
              "Origin": "http://127.0.0.1:%d" % S.rec_port,
              "Content-Type": "application/x-www-form-urlencoded"}, "a=b")
    assert r.status == 200, r.status
    (params, stdin), = S.rec.requests
    names = [k for k, _ in params]
    p = dict(params)
    assert "SESSGATE_AUTH" not in p
    assert p["REQUEST_METHOD"] == "POST" and p["REQUEST_URI"] == "/logout"
    assert p["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
    assert p["CONTENT_LENGTH"] == "3" and stdin == b"a=b"
    assert p["HTTP_HOST"] == "127.0.0.1:%d" % S.rec_port
    assert p["HTTP_ORIGIN"] == "http://127.0.0.1:%d" % S.rec_port
    assert p["REQUEST_SCHEME"] == "http"     # the Origin check needs it
    assert p["HTTP_COOKIE"] == "%s=tok" % COOKIE
    assert p["REMOTE_ADDR"] == "127.0.0.1"
    assert len(names) == len(set(names)), names


@T.test
def a_chunked_login_body_arrives_with_its_length():
    S.rec.requests.clear()
    c = harness.httpclient.HTTPConnection("127.0.0.1", S.rec_port, timeout=10)
    c.request("POST", "/login", body=iter([b"username=a", b"&password=b"]),
              headers={"Content-Type": "application/x-www-form-urlencoded",
                       "Transfer-Encoding": "chunked"}, encode_chunked=True)
    r = c.getresponse()
    r.read()
    c.close()
    assert r.status == 200, r.status
    (params, stdin), = S.rec.requests
    assert stdin == b"username=a&password=b", stdin
    assert dict(params)["CONTENT_LENGTH"] == str(len(stdin)), params


@T.test
def sessgate_unreachable_gives_502_never_200():
    S.rec.close()
    unreachable = b'{"error":"sessgate unreachable"}\n'
    for path in ("/private/whoami.cgi", "/private/index.html"):
        for headers in ({}, {"Accept": "application/json"}):
            r = REC.get(path, "x", headers)
            assert_unavailable_json(r, 502, unreachable)
        r = REC.get(path, "x", HTML)
        assert_unavailable_page(r, 502)
        assert b"<title>Bad gateway</title>" in r.body, r.body
    r = REC.get("/private/index.html")
    assert r.status == 502, r.status
    assert REC.get("/public/hello.txt").status == 200


@T.test
def sessgate_silent_gives_504_never_200():
    """An upstream that takes the connection and never answers: nginx
    gives up after fastcgi_read_timeout (1 s here) with 504, a page for a
    navigation and JSON for the rest, both with Retry-After: 1."""
    path = os.path.join(S.tmp, "silent.sock")
    silent = socket.socket(socket.AF_UNIX)
    silent.bind(path)
    silent.listen(16)           # connections wait in the backlog, unread
    try:
        port = start_nginx("nginx-silent", path, os.path.join(S.tmp, "www"),
                           os.path.join(S.tmp, "fcgiwrap.sock"), "1s")
        site = harness.Site(port=port)
        r = site.get("/private/index.html", "x", HTML)
        assert_unavailable_page(r, 504)
        assert b"<title>Gateway timeout</title>" in r.body, r.body
        r = site.get("/private/index.html", "x", {"Accept": "*/*"})
        assert_unavailable_json(r, 504, b'{"error":"sessgate timed out"}\n')
    finally:
        silent.close()


@T.test
def no_token_in_nginx_logs():
    value, _, _ = SITE.login("bob", "bob-pw")
    SITE.get("/private/", value, HTML)
    secret = value[17:]
    for name in ("error.log", "access.log"):
        with open(os.path.join(S.tmp, "nginx", name), errors="replace") as f:
            assert secret not in f.read(), name
    assert secret not in S.sessgate_log()



@T.test
def monitoring_paths_answer_this_host_only():
    harness.monitoring_to_loopback_only(S.http_port)


setup()
sys.exit(T.run())
