"""Passive paths and step-up (issue 15) through a real Apache 2.4, both
ways the shipped configs offer (each included unchanged, next to the
README's lines for a polling path):

- "fcgid": mod_fcgid's FcgidAccessChecker (every denial a 401, the form
  through ErrorDocument 401 /login);
- "authnz": mod_authnz_fcgi to one sessgate daemon over TCP (sessgate's
  302 reaches the client);

with a real redis-server. SetEnvIf marks the polling path passive: it
runs before the access checks, and both modules send the request's
environment to the authorizer. Durations are configured short
(idle_timeout 3s, reauth_timeout 2s)."""

import os
import re
import shutil
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

harness.need_apache()

T = harness.TAP()
S = harness.Stack()
COOKIE = "__Host-sid"
IDLE = 3.0
REAUTH = 2.0
BASE = """max_sessions = 0
idle_timeout = 3s
absolute_timeout = 1h
reauth_paths = /private/admin
reauth_timeout = 2s
login_max_failures = 1000
"""
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
CONTRIB = os.path.join(harness.TOP_SRCDIR, "contrib", "apache")
# README, "Keeping a session alive (or not)": Apache's lines
EXTRA = """LoadModule setenvif_module %s/mod_setenvif.so
Include "%s"
SetEnvIf Request_URI "^/private/poll/" SESSGATE_PASSIVE=1
"""


class Site(harness.Site):
    def __init__(self, name):
        super().__init__(probe="/private/index.html")
        self.name = name


FCGID = Site("fcgid")
AUTHNZ = Site("authnz")


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def start_apache(site, contrib, defines):
    conf = os.path.join(S.tmp, site.name + "-site.conf")
    write(conf, EXTRA % (harness.APACHE_MODULES, os.path.join(CONTRIB,
                                                              contrib)))
    site.port, _, _ = harness.start_apache(S, site.name, conf, defines,
                                           os.path.join(S.tmp, "www"))


def setup():
    os.chmod(S.tmp, 0o755)
    S.start_redis()
    S.daemon_port = harness.free_port()
    S.write_config(BASE + "listen = 127.0.0.1:%d\n" % S.daemon_port)
    os.chmod(S.conf, 0o644)
    S.sessgate = S.spawn([os.path.join(harness.TOP_BUILDDIR, "sessgate"),
                          "-d", "-c", S.conf], "sessgate.log")
    harness.wait_for(lambda: harness.connects(S.daemon_port),
                     "sessgate's TCP port")
    for u in ("pat", "tess", "uma"):
        S.add_user(u, u + "-pw")
    fcgid_conf = os.path.join(S.tmp, "sessgate-fcgid.conf")
    with open(S.conf) as f:
        write(fcgid_conf, f.read() + "threads = 1\n")
    www = os.path.join(S.tmp, "www")
    for d in ("private", "private/poll", "private/admin"):
        os.makedirs(os.path.join(www, d))
        write(os.path.join(www, d, "index.html"), "page of %s\n" % d)
    binary = os.path.join(S.tmp, "sessgate")
    shutil.copy2(os.path.join(harness.TOP_BUILDDIR, "sessgate"), binary)
    start_apache(FCGID, "sessgate-fcgid.conf", (
        ("SESSGATE_BIN", binary), ("SESSGATE_CONF", fcgid_conf),
        ("SESSGATE_PROTECTED", "^/private/")))
    start_apache(AUTHNZ, "sessgate-authnz.conf", (
        ("SESSGATE_PORT", str(S.daemon_port)),
        ("SESSGATE_PROTECTED", "^/private/")))


def until(t):
    left = t - time.monotonic()
    if left > 0:
        time.sleep(left)


def both(fn):
    for site in (FCGID, AUTHNZ):
        def t(site=site):
            fn(site)
        t.__name__ = "%s_%s" % (site.name, fn.__name__)
        T.test(t)
    return fn


@both
def passive_env_does_not_keep_a_session_alive(site):
    c, _, _ = site.login("pat", "pat-pw")
    assert site.get("/private/index.html", c).status == 200
    last = time.monotonic()
    polls = 0
    while time.monotonic() < last + IDLE - 0.6:
        r = site.get("/private/poll/index.html", c)
        assert r.status == 200, (r.status, time.monotonic() - last)
        polls += 1
        time.sleep(0.5)
    assert polls >= 4, polls
    until(last + IDLE + 0.5)
    assert site.get("/private/poll/index.html", c).status == 401
    assert not site.alive(c)


def stale_session(site, user):
    c, _, _ = site.login(user, user + "-pw")
    assert site.get("/private/admin/", c, HTML).status == 200
    start = time.monotonic()
    while time.monotonic() < start + REAUTH + 0.3:
        assert site.get("/private/index.html", c).status == 200
        time.sleep(0.5)
    return c


def confirmed(site, c, user, page):
    """page is the confirm form; post the password from it, then the
    path opens with the same cookie."""
    assert b"Confirm your password" in page.body, page.body
    assert b"Signed in as <strong>%s</strong>" % user.encode() in page.body
    m = re.search(rb'name="next" value="([^"]*)"', page.body)
    assert m, page.body
    next_ = m.group(1).decode().replace("&amp;", "&")
    assert next_ == "/private/admin/?x=1", next_
    r = site.post("/login", {"reauth": "1", "password": "wrong",
                             "next": next_}, c)
    assert r.status == 401 and b"Wrong password." in r.body, r.status
    assert site.get("/private/admin/", c, HTML).status in (302, 401)
    r = site.post("/login", {"reauth": "1", "password": user + "-pw",
                             "next": next_}, c)
    assert r.status == 303, (r.status, r.body)
    assert r.header("Location") == next_
    assert r.cookie(COOKIE) is None
    r = site.get("/private/admin/", c, HTML)
    assert r.status == 200 and b"page of private/admin" in r.body


@T.test
def fcgid_step_up():
    """Every denial is a 401 here; ErrorDocument 401 /login shows the
    confirm form in place (next = the denied URL, a live session)."""
    site = FCGID
    c = stale_session(site, "tess")
    assert site.get("/private/index.html", c).status == 200
    r = site.get("/private/admin/?x=1", c, HTML)
    assert r.status == 401, r.status
    confirmed(site, c, "tess", r)


@T.test
def authnz_step_up():
    """sessgate's 302 to /login?next=...&reauth=1 reaches the client."""
    site = AUTHNZ
    c = stale_session(site, "uma")
    assert site.get("/private/index.html", c).status == 200
    assert site.get("/private/admin/", c, JSON).status == 401
    r = site.get("/private/admin/?x=1", c, HTML)
    assert r.status == 302, r.status
    loc = r.header("Location")
    assert urllib.parse.urlsplit(loc).path == "/login", loc
    assert loc.endswith("&reauth=1"), loc
    confirmed(site, c, "uma", site.get(loc, c, HTML))


if __name__ == "__main__":
    setup()
    sys.exit(T.run())
