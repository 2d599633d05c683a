"""sessgate in a real browser: headless Chromium (driven over the Chrome
DevTools Protocol by drive.py, Python's standard library only) against
lighttpd 1.4 over HTTPS with a self-signed certificate, the shipped
contrib/lighttpd/sessgate.conf, sessgate and a real redis-server. The
browser signs in through the form, the session cookie must be
HttpOnly/Secure/SameSite=Lax in the browser's jar, and signing out sends
it back to the form, Back button included.

Needs chromium (/usr/bin/chromium or $CHROMIUM) and openssl; a missing one
fails under CI=true and skips elsewhere. Screenshots go to
$SESSGATE_ARTIFACTS, else tests/browser/artifacts/ in the build tree."""

import os
import ssl
import sys
import time
import http.client as httpclient

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402

T = harness.TAP()
COOKIE = "__Host-sid"
USER, PASSWORD = "erin", "correct horse battery staple"
BASE = "max_sessions = 2\nlogin_max_failures = 1000\n"
SHOTS = ("1-login-form", "2-wrong-password", "3-protected-page",
         "4-signed-out", "5-private-again", "6-back-after-sign-out")

PAGE = harness.PRIVATE_PAGE


CHROMIUM = harness.need(os.environ.get("CHROMIUM") or "/usr/bin/chromium",
                        "chromium")
OPENSSL = harness.need(os.environ.get("OPENSSL") or "openssl", "openssl")
ARTIFACTS = os.path.abspath(os.environ.get("SESSGATE_ARTIFACTS") or
                            os.path.join(harness.TOP_BUILDDIR, "tests",
                                         "browser", "artifacts"))

S = harness.Stack()
R = {}          # drive.py's JSON


def setup():
    S.start_redis()
    S.write_config(BASE)
    r = S.ctl("user", "add", USER, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    docroot = os.path.join(S.tmp, "www")
    os.makedirs(os.path.join(docroot, "private"))
    with open(os.path.join(docroot, "private", "index.html"), "w") as f:
        f.write(PAGE)
    S.start_sessgate(BASE)
    # The shipped contrib config sends the protected tree with
    # Cache-Control: no-store, so that Back after signing out asks the
    # server.
    S.start_https_lighttpd(docroot, OPENSSL)


def base():
    return "https://127.0.0.1:%d" % S.http_port


def step(name):
    assert name in R["steps"], "drive.py stopped before step %s: %s" % (
        name, R.get("error"))
    return R["steps"][name]


def hops(s):
    """The redirect chain as [(method, path?query, status)]."""
    n = len(base())
    return [(h["method"], h["url"][n:], h["status"]) for h in s["chain"]]


def session_cookies(s):
    return [c for c in s["cookies"] if c["name"] == COOKIE]


@T.test
def lighttpd_serves_https():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = httpclient.HTTPSConnection("127.0.0.1", S.http_port, context=ctx,
                                   timeout=10)
    c.request("GET", "/login")
    r = c.getresponse()
    body = r.read()
    assert r.status == 200 and b'action="/login"' in body, r.status
    assert c.sock.version().startswith("TLSv1."), c.sock.version()
    c.close()


@T.test
def chromium_runs_the_whole_journey():
    env = dict(os.environ, SG_BASE=base(), SG_USER=USER, SG_PASS=PASSWORD,
               SG_ARTIFACTS=ARTIFACTS, SG_CHROMIUM=CHROMIUM, TMPDIR=S.tmp)
    os.makedirs(ARTIFACTS, exist_ok=True)
    for name in SHOTS:
        if os.path.exists(os.path.join(ARTIFACTS, name + ".png")):
            os.unlink(os.path.join(ARTIFACTS, name + ".png"))
    out, status, stderr, took = harness.run_browser(
        os.path.join(HERE, "drive.py"), env, 300)
    R.update(out)
    print("# %s, %.1f s" % (R.get("browserVersion"), took))
    assert status == 0 and "error" not in R, (status, R.get("error"), stderr)
    assert R["pageErrors"] == [], R["pageErrors"]


@T.test
def signed_out_page_navigation_ends_on_the_login_form():
    s = step("a")
    assert hops(s) == [("GET", "/private/", 302),
                       ("GET", "/login?next=/private/", 200)], hops(s)
    assert s["path"] == "/login" and s["next"] == "/private/", s["url"]
    assert s["title"] == "Sign in", s["title"]
    assert s["loginForm"] and s["usernameField"] and s["passwordField"], s
    assert s["nextField"] == "/private/", s["nextField"]
    assert "secret" not in s["text"], s["text"]


@T.test
def wrong_password_shows_the_form_with_one_message():
    s = step("a2")
    assert hops(s) == [("POST", "/login", 401)], hops(s)
    assert "Wrong user name or password." in s["text"], s["text"]
    assert s["loginForm"] and s["nextField"] == "/private/", s
    assert session_cookies(s) == [], s["cookies"]


@T.test
def typed_credentials_land_on_the_protected_page():
    s = step("b")
    assert hops(s) == [("POST", "/login", 303), ("GET", "/private/", 200)], \
        hops(s)
    assert s["path"] == "/private/", s["url"]
    assert "The secret page" in s["text"], s["text"]
    assert s["logoutButton"] and not s["loginForm"], s


@T.test
def session_cookie_is_in_the_jar_but_not_in_document_cookie():
    s = step("c")
    # document.cookie works on this origin (the probe is there) ...
    assert "probe=1" in s["documentCookie"], s["documentCookie"]
    # ... but never shows the HttpOnly session cookie
    assert COOKIE not in s["documentCookie"], s["documentCookie"]
    jar = session_cookies(s)
    assert len(jar) == 1, s["cookies"]
    c = jar[0]
    assert c["secure"] and c["httpOnly"], c
    assert c["sameSite"] == "Lax" and c["path"] == "/", c
    assert c["domain"] == "127.0.0.1", c            # host-only, no Domain
    assert c["valueLength"] == 60, c
    left = c["expires"] - time.time()               # Max-Age=7d
    assert 7 * 86400 - 600 < left <= 7 * 86400, left


@T.test
def reload_with_a_script_cookie_beside_the_session_still_works():
    s = step("c2")
    assert hops(s) == [("GET", "/private/", 200)], hops(s)
    assert "The secret page" in s["text"], s["text"]


@T.test
def sign_out_returns_to_the_form_and_clears_the_cookie():
    s = step("d")
    assert hops(s) == [("POST", "/logout", 303), ("GET", "/login", 200)], \
        hops(s)
    assert s["path"] == "/login" and s["loginForm"], s
    assert session_cookies(s) == [], s["cookies"]
    r = S.ctl("session", "list", USER)
    assert r.returncode == 0 and r.stdout == "", (r.stdout, r.stderr)


@T.test
def protected_page_after_sign_out_asks_again():
    s = step("d2")
    assert hops(s) == [("GET", "/private/", 302),
                       ("GET", "/login?next=/private/", 200)], hops(s)
    assert s["path"] == "/login" and s["next"] == "/private/", s["url"]
    assert s["loginForm"] and "secret" not in s["text"], s


@T.test
def back_button_after_sign_out_asks_again():
    """Without Cache-Control: no-store on the protected page (set by
    contrib/lighttpd/sessgate.conf),
    Chromium's back/forward cache shows it again after signing out, with
    no request to the server at all."""
    s = step("e")
    assert not s["restored"], "shown from the back/forward cache: %s" % (
        s["text"])
    assert hops(s) == [("GET", "/private/", 302),
                       ("GET", "/login?next=/private/", 200)], hops(s)
    assert s["path"] == "/login" and s["loginForm"], s
    assert "secret" not in s["text"], s["text"]


@T.test
def screenshots_are_kept():
    for name in SHOTS:
        p = os.path.join(ARTIFACTS, name + ".png")
        with open(p, "rb") as f:
            head = f.read(8)
        assert head == b"\x89PNG\r\n\x1a\n", p
        assert os.path.getsize(p) > 2000, (p, os.path.getsize(p))
    print("# screenshots in " + ARTIFACTS)


@T.test
def no_token_or_password_in_logs():
    token = session_cookies(step("c"))[0]["value"]
    secret = token[17:]
    with open(os.path.join(S.tmp, "lighttpd-error.log"),
              errors="replace") as f:
        logs = S.sessgate_log() + f.read()
    assert PASSWORD not in logs
    assert secret not in logs and secret[:12] not in logs


setup()
sys.exit(T.run())
