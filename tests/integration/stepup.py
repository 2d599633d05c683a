"""Passive paths, "keep me signed in" and step-up (issue 15) through the
real servers: lighttpd (authorizer mode, the shipped snippet) and nginx
(auth_request, the shipped snippet), one sessgate and a real
redis-server. The durations are configured short (idle_timeout 3s,
reauth_timeout 2s); each test waits just past them, never on a guess."""

import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
S = harness.Stack()
LIGHTTPD = harness.Site(probe="/private/index.html")
NGINX = harness.Site(probe="/private/index.html")
COOKIE = LIGHTTPD.cookie_name
IDLE = 3.0
REAUTH = 2.0
# Every test comes from 127.0.0.1, which is trusted here: the failures
# that count are per user (the throttle test has a user of its own).
BASE = """max_sessions = 0
idle_timeout = 3s
absolute_timeout = 1h
remember_timeout = 2h
passive_paths = /private/poll/, /nowhere
reauth_paths = /private/admin
reauth_timeout = 2s
login_max_failures = 3
login_failure_window = 1m
login_trusted_addresses = 127.0.0.1
"""
USERS = ("pat", "rita", "sam", "tess", "uma", "vic", "walt", "xena", "yves")
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}

# lighttpd: a block that marks polling requests passive through the
# FastCGI param (mod_setenv's environment reaches the authorizer).
LIGHTTPD_EXTRA = """
$HTTP["url"] =~ "^/private/bg/" {
	setenv.add-environment = ( "SESSGATE_PASSIVE" => "1" )
}
# an application's usual fallback: any URL under /private/admin/ that is
# no file is its front page
server.modules += ( "mod_rewrite" )
url.rewrite-if-not-file = ( "^/private/admin/" => "/private/admin/index.html" )
"""

NGINX_CONF = """
user %(user)s %(group)s;
worker_processes 1;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log info;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path %(dir)s/body;
    fastcgi_temp_path %(dir)s/fastcgi;
    proxy_temp_path %(dir)s/proxy;
    uwsgi_temp_path %(dir)s/uwsgi;
    scgi_temp_path %(dir)s/scgi;
    types { text/html html; text/plain txt; }
    default_type application/octet-stream;
    upstream sessgate {
        server unix:%(sock)s;
    }
    server {
        listen 127.0.0.1:%(port)d;
        root %(docroot)s;
        index index.html;
        include %(snippet)s;

        # as README shows: a polling location, passive by the param
        location /private/bg/ {
            set $sessgate_passive 1;
        }
        # an application's usual fallback (see LIGHTTPD_EXTRA)
        location /private/admin/ {
            try_files $uri /private/admin/index.html;
        }
    }
}
"""


def setup():
    import grp
    import pwd
    global BASE
    BASE += "audit = %s\n" % os.path.join(S.tmp, "audit.log")
    S.start_redis()
    S.write_config(BASE)
    for u in USERS:
        S.add_user(u, u + "-pw")
    www = os.path.join(S.tmp, "www")
    for d in ("private", "private/poll", "private/bg", "private/admin"):
        os.makedirs(os.path.join(www, d))
        with open(os.path.join(www, d, "index.html"), "w") as f:
            f.write("page of %s\n" % d)
    S.start_sessgate(BASE)
    LIGHTTPD.port = S.start_lighttpd(www, LIGHTTPD_EXTRA)
    d = os.path.join(S.tmp, "nginx")
    os.makedirs(d)
    NGINX.port = harness.free_port()
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF % {
            "user": pwd.getpwuid(os.getuid()).pw_name,
            "group": grp.getgrgid(os.getgid()).gr_name, "dir": d,
            "port": NGINX.port, "sock": S.sock, "docroot": www,
            "snippet": os.path.join(harness.TOP_SRCDIR, "contrib", "nginx",
                                    "sessgate.conf")})
    S.spawn([harness.need(os.environ.get("NGINX") or "/usr/sbin/nginx",
                          "nginx"),
             "-p", d + "/", "-e", os.path.join(d, "error.log"), "-c", conf,
             "-g", "daemon off;"], "nginx.log")
    harness.wait_for(lambda: harness.connects(NGINX.port), "nginx")


def until(t):
    """Sleep until monotonic time t (a configured duration has passed)."""
    left = t - time.monotonic()
    if left > 0:
        time.sleep(left)


def polled_session_ends_at_idle(site, user, poll):
    """A session polled every half second under a passive path ends
    idle_timeout after its last other request: every poll within it is
    allowed, and past it both the poll and a page are denied."""
    c, _, _ = site.login(user, user + "-pw")
    r = site.get("/private/index.html", c)
    assert r.status == 200, r.status
    last = time.monotonic()  # the last request that slides
    polls = 0
    while time.monotonic() < last + IDLE - 0.6:
        r = site.get(poll, c)
        assert r.status == 200, (poll, r.status, time.monotonic() - last)
        polls += 1
        time.sleep(0.5)
    assert polls >= 4, polls
    until(last + IDLE + 0.5)
    assert site.get(poll, c).status == 401
    assert not site.alive(c)


@T.test
def lighttpd_passive_path_does_not_keep_a_session_alive():
    polled_session_ends_at_idle(LIGHTTPD, "pat", "/private/poll/index.html")


@T.test
def lighttpd_passive_param_does_not_keep_a_session_alive():
    polled_session_ends_at_idle(LIGHTTPD, "pat", "/private/bg/index.html")


@T.test
def nginx_passive_path_does_not_keep_a_session_alive():
    polled_session_ends_at_idle(NGINX, "pat", "/private/poll/index.html")


@T.test
def nginx_passive_param_does_not_keep_a_session_alive():
    polled_session_ends_at_idle(NGINX, "pat", "/private/bg/index.html")


@T.test
def other_paths_still_slide():
    """The control: the same polling on an ordinary path (and on a path
    that only looks like the passive one) keeps the session alive."""
    for site in (LIGHTTPD, NGINX):
        c, _, _ = site.login("pat", "pat-pw")
        start = time.monotonic()
        while time.monotonic() < start + IDLE + 1.0:
            for path in ("/private/index.html",
                         "/private/poll/../index.html"):
                r = site.get(path, c)
                assert r.status == 200, (path, r.status)
            time.sleep(0.5)
        assert site.alive(c)


def session_lifetimes(user):
    r = S.ctl("session", "list", user, "--json")
    assert r.returncode == 0, r.stderr
    return sorted(s["deadline"] - s["created"]
                  for s in json.loads(r.stdout)["sessions"])


@T.test
def remember_me_box_sets_max_age_and_lifetime():
    site = LIGHTTPD
    r = site.get("/login")
    assert r.status == 200
    assert b'type="checkbox" id="remember" name="remember" value="1"' \
        in r.body, r.body
    assert b'<label for="remember"' in r.body and b"Keep me signed in" \
        in r.body
    plain, attrs, _ = site.login("rita", "rita-pw")
    assert not [a for a in attrs if a.lower().startswith("max-age")], attrs
    r = site.post("/login", {"username": "rita", "password": "rita-pw",
                             "next": "/private/", "remember": "1"})
    assert r.status == 303, r.status
    kept, attrs = r.cookie(COOKIE)
    assert "Max-Age=7200" in attrs, attrs
    # the store's deadlines: absolute_timeout (1h) and remember_timeout
    got = session_lifetimes("rita")
    assert len(got) == 2 and abs(got[0] - 3600) <= 1 \
        and abs(got[1] - 7200) <= 1, got
    # a password change (which ends every session) gives this client a
    # session of the kind it had: Max-Age and lifetime, or neither
    for remember, want, life in (("1", ["Max-Age=7200"], 7200),
                                 ("", [], 3600)):
        r = site.post("/login", {"username": "rita", "password": "rita-pw",
                                 "next": "/", "remember": remember})
        assert r.status == 303, r.status
        r = site.post("/password", {"current_password": "rita-pw",
                                    "new_password": "rita-pw"},
                      r.cookie(COOKIE)[0])
        assert r.status == 303, (r.status, r.body)
        _, attrs = r.cookie(COOKIE)
        assert [a for a in attrs if a.startswith("Max-Age")] == want, attrs
        got = session_lifetimes("rita")
        assert len(got) == 1 and abs(got[0] - life) <= 1, got


@T.test
def remember_me_still_ends_at_idle_timeout():
    site = NGINX
    plain, _, _ = site.login("sam", "sam-pw")
    r = site.post("/login", {"username": "sam", "password": "sam-pw",
                             "next": "/private/", "remember": "1"})
    assert r.status == 303
    kept, attrs = r.cookie(COOKIE)
    assert "Max-Age=7200" in attrs, attrs
    assert site.alive(plain) and site.alive(kept)
    last = time.monotonic()
    until(last + IDLE + 0.5)
    assert not site.alive(plain)
    assert not site.alive(kept)


def stale_session(site, user):
    """A session whose password is older than reauth_timeout (kept alive
    meanwhile by ordinary requests)."""
    c, _, _ = site.login(user, user + "-pw")
    r = site.get("/private/admin/", c, HTML)
    assert r.status == 200, r.status  # a fresh password opens it
    start = time.monotonic()
    while time.monotonic() < start + REAUTH + 0.3:
        assert site.get("/private/index.html", c).status == 200
        time.sleep(0.5)
    return c


def confirm_form(site, location, c, user):
    """The login form Location leads to, in confirm mode for user."""
    r = site.get(location, c, HTML)
    assert r.status == 200, (r.status, r.body)
    assert b"Confirm your password" in r.body, r.body
    assert b"Signed in as <strong>%s</strong>" % user.encode() in r.body
    assert b'name="reauth" value="1"' in r.body
    assert b'<input id="username"' not in r.body  # not asked
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    return q["next"][0]


def confirm(site, c, pw, next_):
    return site.post("/login", {"reauth": "1", "password": pw,
                                "next": next_}, c)


def step_up(site, user, location_of):
    c = stale_session(site, user)
    # other paths are unaffected, and an API request gets 401 JSON
    assert site.get("/private/index.html", c).status == 200
    r = site.get("/private/admin/", c, JSON)
    assert r.status == 401 and r.body == b'{"error":"unauthenticated"}\n', \
        (r.status, r.body)
    r = site.get("/private/admin/?x=1", c, HTML)
    next_ = confirm_form(site, location_of(r), c, user)
    assert next_ == "/private/admin/?x=1", next_
    # a wrong password: 401, the form again, the session untouched
    r = confirm(site, c, "wrong", next_)
    assert r.status == 401, r.status
    assert b"Wrong password." in r.body and b"Confirm your password" \
        in r.body
    assert r.cookie(COOKIE) is None
    assert site.get("/private/index.html", c).status == 200
    assert site.get("/private/admin/", c, JSON).status == 401
    # the right one: back to next, the same cookie now opens the path
    r = confirm(site, c, user + "-pw", next_)
    assert r.status == 303, (r.status, r.body)
    assert r.header("Location") == "/private/admin/?x=1"
    assert r.cookie(COOKIE) is None  # no new cookie
    r = site.get("/private/admin/", c, HTML)
    assert r.status == 200 and b"page of private/admin" in r.body
    # and for reauth_timeout only
    until(time.monotonic() + REAUTH + 0.2)
    assert site.get("/private/admin/", c, JSON).status == 401
    assert site.get("/private/index.html", c).status == 200


@T.test
def lighttpd_step_up():
    """The authorizer redirects to login_redirect?next=...&reauth=1."""
    def location_of(r):
        assert r.status == 302, r.status
        loc = r.header("Location")
        assert loc == "/login?next=/private/admin/%3Fx%3D1&reauth=1", loc
        return loc
    step_up(LIGHTTPD, "tess", location_of)


@T.test
def nginx_step_up():
    """nginx's 401 handler sends /login?next=URL (no reauth=1): the form
    sees next under reauth_paths and a live session."""
    def location_of(r):
        assert r.status == 302, r.status
        loc = r.header("Location")
        assert loc == "/login?next=/private/admin/?x=1", loc
        return "/login?next=" + urllib.parse.quote("/private/admin/?x=1")
    step_up(NGINX, "uma", location_of)


# Spellings of a URL that the server routes into /private/admin/ (its
# fallback, decoded once, '\\' and ';' literal) but that a reading of
# the path which decodes twice, or takes '..;' or '\\' as a server of
# another kind would, puts outside it (the review of issue 15).
SPELLINGS = ("/private/admin/%252e%252e/", "/private/admin/..;/",
             "/private/admin/x/..;/..;/", "/private/admin/%2e%2e;/",
             "/private/admin/\\..\\", "/private/admin/%5c..%5c",
             "/private/ADMIN/", "/private/admin/..;/index.html")


def every_spelling_asks(site, user):
    c = stale_session(site, user)
    for p in SPELLINGS:
        r = site.get(p, c, JSON)
        assert r.status == 401, (p, r.status, r.body[:60])
        assert b"page of private/admin" not in r.body, p
    # the fallback does serve the page to a fresh password
    assert site.get("/private/index.html", c).status == 200


@T.test
def lighttpd_every_spelling_of_a_reauth_path_asks():
    every_spelling_asks(LIGHTTPD, "xena")


@T.test
def nginx_every_spelling_of_a_reauth_path_asks():
    every_spelling_asks(NGINX, "yves")


@T.test
def step_up_is_counted_by_the_login_throttle():
    """Wrong confirmations count against the user like wrong logins
    (login_max_failures 3): the fourth attempt is 429, the right password
    included, and the path stays closed."""
    site = LIGHTTPD
    c = stale_session(site, "vic")
    for i in range(3):
        r = confirm(site, c, "wrong-%d" % i, "/private/admin/")
        assert r.status == 401, (i, r.status)
    r = confirm(site, c, "vic-pw", "/private/admin/")
    assert r.status == 429, r.status
    assert r.header("Retry-After"), r.headers
    assert b"Too many failed attempts" in r.body
    assert site.get("/private/admin/", c, JSON).status == 401
    assert site.get("/private/index.html", c).status == 200


@T.test
def step_up_without_a_session_is_a_sign_in():
    """reauth=1 with no live session: the ordinary form (401), no cookie;
    a GET with reauth=1 but no session shows the ordinary form."""
    site = NGINX
    r = confirm(site, None, "walt-pw", "/private/admin/")
    assert r.status == 401, r.status
    assert b'<input id="username"' in r.body
    assert r.cookie(COOKIE) is None
    r = site.get("/login?next=/private/admin/&reauth=1", None, HTML)
    assert r.status == 200 and b'<input id="username"' in r.body


@T.test
def log_and_audit_lines():
    log = S.sessgate_log()
    assert "password confirmed by tess from 127.0.0.1" in log, log[-2000:]
    assert "password confirmation failed for vic from 127.0.0.1" in log
    assert "password confirmation throttled for vic" in log
    for pw in ("-pw", "wrong-0"):
        assert pw not in log
    with open(os.path.join(S.tmp, "audit.log")) as f:
        events = [json.loads(line) for line in f]
    ok = [e for e in events if e["event"] == "reauth"]
    assert {e["user"] for e in ok} == {"tess", "uma"}, ok
    assert all(e["session"] and e["addr"] == "127.0.0.1" for e in ok), ok
    failed = [e for e in events if e["event"] == "login_failed"
              and e.get("reason") == "reauth"]
    assert {e["user"] for e in failed} == {"tess", "uma", "vic"}, failed
    assert [e for e in events if e["event"] == "login_throttled"
            and e["user"] == "vic" and e.get("reason") == "reauth"]


if __name__ == "__main__":
    setup()
    sys.exit(T.run())
