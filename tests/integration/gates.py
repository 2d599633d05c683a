"""Many gates, one truth: three sessgate processes on one Redis, the first
behind lighttpd, the second behind nginx (each with the shipped contrib
config), the third spoken to over FastCGI directly, and sessgatectl. A
logout, a logout everywhere, a password change or a sessgatectl revoke
through any one of them is refused by all of them at the very next
check, also while checks run on all of them at once."""

import grp
import os
import pwd
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
LOADS = harness.LOADS   # client threads of the running test
stops_loads = harness.stops_loads


S = harness.Stack(prefix="sessgate-gates.")
SESSGATE = os.path.join(harness.TOP_BUILDDIR, "sessgate")
NGINX = harness.need(os.environ.get("NGINX") or "/usr/sbin/nginx", "nginx")
PROBE = "/private/index.html"

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
    types { text/html html; }
    upstream sessgate {
        server unix:%(sock)s;
    }
    server {
        listen 127.0.0.1:%(port)d;
        root %(docroot)s;
        index index.html;
        include %(snippet)s;
    }
}
"""


def start_gate(name):
    """A sessgate process of its own on the stack's Redis: its socket."""
    sock = os.path.join(S.tmp, name + ".sock")
    conf = os.path.join(S.tmp, name + ".conf")
    with open(conf, "w") as f:
        f.write("listen = unix:%s\nredis = redis://127.0.0.1:%d/0\n"
                "threads = 2\nmax_sessions = 0\nlogin_max_failures = 0\n"
                "password_memlimit = 8M\npassword_opslimit = 1\n"
                % (sock, S.redis_port))
    S.spawn([SESSGATE, "-d", "-c", conf], name + ".log")
    harness.wait_for(lambda: harness.accepts(sock), name)
    return sock


def start_nginx(sock, docroot):
    d = os.path.join(S.tmp, "nginx")
    os.makedirs(d)
    port = harness.free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF % {
            "user": pwd.getpwuid(os.getuid()).pw_name,
            "group": grp.getgrgid(os.getgid()).gr_name,
            "dir": d, "port": port, "sock": sock, "docroot": docroot,
            "snippet": os.path.join(harness.TOP_SRCDIR, "contrib", "nginx",
                                    "sessgate.conf")})
    p = S.spawn([NGINX, "-p", d + "/", "-e", os.path.join(d, "error.log"),
                 "-c", conf, "-g", "daemon off;"], "nginx.log")
    harness.wait_for(lambda: p.poll() is not None or harness.connects(port),
                     "nginx")
    assert p.poll() is None, "nginx exited"
    return port


class Direct:
    """The third gate, as a FastCGI client sees it (no web server)."""

    def __init__(self, sock):
        self.sock = sock

    def request(self, role, params, body=None):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(self.sock)
        out = harness.fcgi_request(s, role, params, body).decode()
        return int(out.split(" ", 2)[1]), out

    def status(self, cookie):
        return self.request(harness.AUTHORIZER, {
            "REQUEST_METHOD": "GET", "REQUEST_URI": PROBE,
            "HTTP_COOKIE": "__Host-sid=" + cookie})[0]

    def post(self, path, body, cookie):
        return self.request(harness.RESPONDER, {
            "REQUEST_METHOD": "POST", "REQUEST_URI": path,
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_COOKIE": "__Host-sid=" + cookie}, body.encode())[0]


def setup():
    S.start_redis()
    docroot = os.path.join(S.tmp, "www")
    os.makedirs(os.path.join(docroot, "private"))
    for p in ("index.html", "private/index.html"):
        with open(os.path.join(docroot, p), "w") as f:
            f.write("<p>%s</p>\n" % p)
    socks = [start_gate("gate%d" % i) for i in range(3)]
    S.sock = socks[0]       # the harness's lighttpd talks to the first
    light = harness.Site(S.start_lighttpd(docroot), probe=PROBE, origin=True)
    nginx = harness.Site(start_nginx(socks[1], docroot), probe=PROBE,
                         origin=True)
    S.write_config()        # sessgatectl's configuration: the same Redis
    return light, nginx, Direct(socks[2])


LIGHT, NGINX_SITE, DIRECT = setup()


def status_everywhere(cookie):
    """The check's answer on each of the three gates, in order."""
    return (LIGHT.get(PROBE, cookie).status,
            NGINX_SITE.get(PROBE, cookie).status, DIRECT.status(cookie))


class Watch:
    """Checks of cookie on all three gates at once, in a loop, until
    stopped: (start, gate, status) for each."""

    def __init__(self, cookie):
        self.cookie = cookie
        self.seen = []
        self.stopping = False
        LOADS.append(self)
        self.threads = [threading.Thread(target=self.run, args=(i,),
                                         daemon=True) for i in range(3)]
        for t in self.threads:
            t.start()

    def run(self, i):
        while not self.stopping:
            t0 = time.monotonic()
            if i == 2:
                st = DIRECT.status(self.cookie)
            else:
                st = (LIGHT, NGINX_SITE)[i].get(PROBE, self.cookie).status
            self.seen.append((t0, i, st))

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join()
        return self.seen


def ended_everywhere(cookie, end):
    """Run end() while all three gates check cookie: before, every answer
    is 200; every check that starts after end() returned is 401, on every
    gate, beginning with the very next one."""
    assert status_everywhere(cookie) == (200, 200, 200)
    w = Watch(cookie)
    harness.wait_for(lambda: len(w.seen) > 30, "checks before")
    end()
    done = time.monotonic()
    harness.wait_for(lambda: sum(1 for t0, _, _ in w.seen if t0 > done)
                     > 30, "checks after")
    seen = w.stop()
    assert {st for _, _, st in seen} <= {200, 401}, seen
    late = [x for x in seen if x[0] > done and x[2] != 401]
    assert not late, late[:3]
    assert {i for t0, i, _ in seen if t0 > done} == {0, 1, 2}
    assert status_everywhere(cookie) == (401, 401, 401)


def must(cond, what):
    if not cond:
        raise AssertionError(what)


@T.test
def logout_through_lighttpd():
    S.add_user("ann", "ann-pw")
    cookie, _, _ = NGINX_SITE.login("ann", "ann-pw")
    other, _, _ = LIGHT.login("ann", "ann-pw")

    def end():
        r = LIGHT.post("/logout", {}, cookie, LIGHT.same_origin())
        must(r.status == 303, r.status)
    ended_everywhere(cookie, end)
    assert status_everywhere(other) == (200, 200, 200)


@T.test
def logout_everywhere_through_nginx():
    S.add_user("ben", "ben-pw")
    a, _, _ = LIGHT.login("ben", "ben-pw")
    b, _, _ = NGINX_SITE.login("ben", "ben-pw")

    def end():
        r = NGINX_SITE.post("/logout-all", {}, b, NGINX_SITE.same_origin())
        must(r.status == 303, r.status)
    ended_everywhere(a, end)
    assert status_everywhere(b) == (401, 401, 401)


@T.test
def password_change_through_fastcgi():
    S.add_user("cat", "cat-pw")
    a, _, _ = LIGHT.login("cat", "cat-pw")
    b, _, _ = NGINX_SITE.login("cat", "cat-pw")

    def end():
        st = DIRECT.post("/password", "current_password=cat-pw&"
                         "new_password=cat-pw-2-long", b)
        must(st == 303, st)
    ended_everywhere(a, end)
    assert status_everywhere(b) == (401, 401, 401)
    LIGHT.login("cat", "cat-pw-2-long")


@T.test
def sessgatectl_revoke():
    S.add_user("dan", "dan-pw")
    a, _, _ = NGINX_SITE.login("dan", "dan-pw")

    def end():
        r = S.ctl("session", "revoke", "dan")
        must(r.returncode == 0, r.stderr)
    ended_everywhere(a, end)


if __name__ == "__main__":
    T.tests = [stops_loads(fn) for fn in T.tests]
    sys.exit(T.run())
