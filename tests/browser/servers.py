"""Nothing protected stays in the browser after signing out, through every
shipped web server config: headless Chromium (drive.py, as in
browser.py) signs in, opens the protected page, signs out, opens the page
again by a normal navigation and then goes Back to it: each time it must
land on the login form, never on the old page from its cache, through
nginx (auth_request, contrib/nginx/sessgate.conf), Apache with
mod_authnz_fcgi (contrib/apache/sessgate-authnz.conf) and Apache with
mod_fcgid (contrib/apache/sessgate-fcgid.conf), each included unchanged.
(lighttpd: browser.py, over HTTPS.) Plain HTTP on loopback here, so the
cookie is `sid` without Secure, as in the demo.

The sessions page (sessions_path) is reached through each of them too:
listed, one session ended by a same-site POST, a cross-site one refused.

Needs chromium, nginx, apache2 and mod_fcgid; a missing one fails under
CI=true and skips elsewhere."""

import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402

T = harness.TAP()
USER, PASSWORD = "erin", "correct horse battery staple"
CONF = ("cookie_name = sid\ncookie_secure = no\nmax_sessions = 0\n"
        "login_max_failures = 1000\n")
CHROMIUM = harness.need(os.environ.get("CHROMIUM") or "/usr/bin/chromium",
                        "chromium")
harness.need(harness.NGINX, "nginx")
harness.need_apache()
ARTIFACTS = os.path.abspath(os.environ.get("SESSGATE_ARTIFACTS") or
                            os.path.join(harness.TOP_BUILDDIR, "tests",
                                         "browser", "artifacts"))
CONTRIB = os.path.join(harness.TOP_SRCDIR, "contrib")
PAGE = harness.PRIVATE_PAGE
S = harness.Stack()
PORTS = {}


def journey(name):
    """drive.py's journey against one server; its JSON."""
    port = PORTS[name]
    shots = os.path.join(ARTIFACTS, name)
    env = dict(os.environ, SG_BASE="http://127.0.0.1:%d" % port,
               SG_USER=USER, SG_PASS=PASSWORD, SG_ARTIFACTS=shots,
               SG_CHROMIUM=CHROMIUM, TMPDIR=S.tmp)
    r, status, _, _ = harness.run_browser(os.path.join(HERE, "drive.py"),
                                          env)
    assert status == 0 and "error" not in r, (name, r.get("error"))
    return r["steps"]


def on_the_form(s):
    return s["title"] == "Sign in" and s["loginForm"] and \
        "secret" not in s["text"]


def signs_out_for_good(name):
    steps = journey(name)
    b = steps["b"]
    assert "The secret page" in b["text"], (name, b["text"])
    d2, e = steps["d2"], steps["e"]
    # a normal navigation after signing out asks the server: the form
    assert d2["chain"], (name, "no request: shown from the cache", d2)
    assert on_the_form(d2), (name, d2["title"], d2["text"][:200])
    # and Back to the page's history entry: the form, not the old page
    assert not e["restored"], (name, "back/forward cache", e)
    assert on_the_form(e), (name, e["title"], e["text"][:200])
    harness.note("%s: after sign-out, navigation %s and Back %s both show "
                 "the login form" % (name, [h["status"] for h in d2["chain"]],
                                     [h["status"] for h in e["chain"]]))


@T.test
def nginx_shows_nothing_after_sign_out():
    signs_out_for_good("nginx")


@T.test
def apache_authnz_shows_nothing_after_sign_out():
    signs_out_for_good("authnz")


@T.test
def apache_fcgid_shows_nothing_after_sign_out():
    signs_out_for_good("fcgid")


def sessions_page_through(name):
    """The sessions page through this server's shipped config: listed as
    JSON and as a page, one session ended from another (a same-site form
    POST), the ended one denied at once."""
    site = harness.Site(PORTS[name], cookie="sid", probe="/private/",
                        origin=True)
    a = site.login(USER, PASSWORD, next_="/sessions")[0]
    b = site.login(USER, PASSWORD)[0]
    r = site.get("/sessions", a, {"Accept": "application/json",
                                  "User-Agent": "curl/8.0"})
    assert r.status == 200, (name, r.status, r.body)
    assert r.header("Cache-Control") == "no-store", (name, r.headers)
    mine = json.loads(r.body)["sessions"]
    other = [x for x in mine if not x["current"]][0]
    assert other["agent"] == "Unknown browser", (name, other)
    assert other["address"] == "127.0.0.1", (name, other)
    r = site.get("/sessions", a, {"Accept": "text/html"})
    assert r.status == 200 and b"Your sessions" in r.body, (name, r.status)
    assert site.alive(b), name
    r = site.post("/sessions", {"id": other["id"]}, a, site.same_origin())
    assert r.status == 303 and r.header("Location") == "/sessions", (
        name, r.status, r.headers)
    assert not site.alive(b) and site.alive(a), name
    r = site.post("/sessions", {"id": other["id"]}, a, site.same_origin())
    assert r.status == 404, (name, r.status)
    r = site.post("/sessions", {"others": "1"}, a,
                  {"Origin": "http://evil.example"})
    assert r.status == 403, (name, r.status)
    harness.note("%s: the sessions page lists, ends and refuses as "
                 "sessgate answers it" % name)


@T.test
def nginx_routes_the_sessions_page():
    sessions_page_through("nginx")


@T.test
def apache_authnz_routes_the_sessions_page():
    sessions_page_through("authnz")


@T.test
def apache_fcgid_routes_the_sessions_page():
    sessions_page_through("fcgid")


def setup():
    S.start_redis()
    port = harness.free_port()
    S.write_config(CONF + "listen = 127.0.0.1:%d\n" % port)
    assert S.ctl("user", "add", USER, stdin=PASSWORD + "\n").returncode == 0
    www = os.path.join(S.tmp, "www")
    os.makedirs(os.path.join(www, "private"))
    with open(os.path.join(www, "private", "index.html"), "w") as f:
        f.write(PAGE)
    os.chmod(S.tmp, 0o755)      # Apache's children run as www-data
    S.sessgate = S.spawn([os.path.join(harness.TOP_BUILDDIR, "sessgate"),
                          "-d", "-c", S.conf], "sessgate.log")
    harness.wait_for(lambda: harness.connects(port), "sessgate")
    PORTS["nginx"] = harness.start_nginx(S, www, "127.0.0.1:%d" % port)
    PORTS["authnz"] = harness.start_apache(
        S, "authnz", os.path.join(CONTRIB, "apache", "sessgate-authnz.conf"),
        (("SESSGATE_PORT", str(port)), ("SESSGATE_PROTECTED", "^/private/")),
        www)[0]
    # mod_fcgid runs sessgate as www-data: a copy of the binary and the
    # configuration where it can read them, with fd 0 as its socket.
    binary = os.path.join(S.tmp, "sessgate")
    shutil.copy2(os.path.join(harness.TOP_BUILDDIR, "sessgate"), binary)
    fcgid_conf = os.path.join(S.tmp, "fcgid.conf")
    with open(S.conf) as f, open(fcgid_conf, "w") as g:
        g.write(f.read() + "workers = 1\nthreads = 1\n")
    os.chmod(fcgid_conf, 0o644)
    PORTS["fcgid"] = harness.start_apache(
        S, "fcgid", os.path.join(CONTRIB, "apache", "sessgate-fcgid.conf"),
        (("SESSGATE_BIN", binary), ("SESSGATE_CONF", fcgid_conf),
         ("SESSGATE_PROTECTED", "^/private/")), www)[0]
    t = time.monotonic()
    harness.wait_for(lambda: harness.http(PORTS["fcgid"], "GET",
                                          "/login").status == 200,
                     "mod_fcgid's sessgate", 30)
    harness.note("servers up in %.1f s" % (time.monotonic() - t))


setup()
sys.exit(T.run())
