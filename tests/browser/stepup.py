"""Step-up in a real browser: headless Chromium (driven by stepup_drive.py
over the DevTools pipe, Python's standard library only) against lighttpd
1.4 over HTTPS with the shipped contrib/lighttpd/sessgate.conf, sessgate
(reauth_paths = /private/admin, reauth_timeout = 2s) and a real
redis-server. Signed in with the keyboard, the admin page is shown within
reauth_timeout of the login; just past it the browser lands on the confirm
form (the user shown, only the password asked; photographed as
stepup-confirm.png in the artifacts directory), a wrong password keeps it
there, the right one brings the admin page back in the same session (the
cookie unchanged); /private/ never asks.

Needs chromium and openssl (as sessions.py); a missing one fails under
CI=true and skips elsewhere."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402

T = harness.TAP()
USER, PASSWORD = "fay", "tr0ub4dor and three"
REAUTH = 2.0
BASE = """login_max_failures = 1000
reauth_paths = /private/admin
reauth_timeout = 2s
"""
CHROMIUM = harness.need(os.environ.get("CHROMIUM") or "/usr/bin/chromium",
                        "chromium")
OPENSSL = harness.need(os.environ.get("OPENSSL") or "openssl", "openssl")
ARTIFACTS = os.path.abspath(os.environ.get("SESSGATE_ARTIFACTS") or
                            os.path.join(harness.TOP_BUILDDIR, "tests",
                                         "browser", "artifacts"))
SHOT = os.path.join(ARTIFACTS, "stepup-confirm.png")
ADMIN_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Administration</title></head>
<body><h1>The admin page</h1><p>Only a fresh password shows this.</p></body>
</html>
"""
CONFIRM = "/login?next=/private/admin/&reauth=1"
S = harness.Stack()
R = {}


def setup():
    S.start_redis()
    S.write_config(BASE)
    S.add_user(USER, PASSWORD)
    docroot = os.path.join(S.tmp, "www")
    os.makedirs(os.path.join(docroot, "private", "admin"))
    for page, html in (("index.html", harness.PRIVATE_PAGE),
                       ("admin/index.html", ADMIN_PAGE)):
        with open(os.path.join(docroot, "private", page), "w") as f:
            f.write(html)
    S.start_sessgate(BASE)
    S.start_https_lighttpd(docroot, OPENSSL)


def base():
    return "https://127.0.0.1:%d" % S.http_port


def step(name):
    assert name in R.get("steps", {}), "stepup_drive.py stopped before " \
        "step %s: %s" % (name, R.get("error"))
    return R["steps"][name]


def hops(chain):
    n = len(base())
    return [(h["method"], h["url"][n:], h["status"]) for h in chain]


def is_confirm_form(facts):
    """The login form in "Confirm your password" mode for USER: the name
    shown, not asked; only a labelled password field; back to admin."""
    assert facts["title"] == "Confirm your password", facts
    assert facts["h1"] == "Confirm your password", facts
    assert facts["shownUser"] == USER, facts
    assert facts["fields"] == [{"name": "password", "type": "password",
                                "label": "Password"}], facts["fields"]
    assert facts["buttons"] == ["Confirm"], facts["buttons"]
    assert facts["reauth"] == "1" and facts["next"] == "/private/admin/", \
        facts
    assert "The admin page" not in facts["text"], facts["text"]


def is_private(visit):
    assert hops(visit["chain"]) == [("GET", "/private/", 200)], \
        hops(visit["chain"])
    assert visit["facts"]["h1"] == "The secret page", visit["facts"]


@T.test
def chromium_runs_the_stepup_journey():
    env = dict(os.environ, SG_BASE=base(), SG_USER=USER, SG_PASS=PASSWORD,
               SG_ARTIFACTS=ARTIFACTS, SG_CHROMIUM=CHROMIUM, TMPDIR=S.tmp,
               SG_REAUTH=str(REAUTH))
    os.makedirs(ARTIFACTS, exist_ok=True)
    if os.path.exists(SHOT):
        os.unlink(SHOT)
    out, status, stderr, took = harness.run_browser(
        os.path.join(HERE, "stepup_drive.py"), env, 120)
    R.update(out)
    print("# %s, %.1f s" % (R.get("browserVersion"), took))
    assert status == 0 and "error" not in R, (status, R.get("error"), stderr)
    assert R["pageErrors"] == [], R["pageErrors"]


@T.test
def sign_in_with_the_keyboard_shows_the_private_page():
    s = step("login")
    assert hops(s["first"]) == [("GET", "/private/", 302),
                                ("GET", "/login?next=/private/", 200)], \
        hops(s["first"])
    assert s["focus"]["name"] == "username", s["focus"]
    assert hops(s["chain"]) == [("POST", "/login", 303),
                                ("GET", "/private/", 200)], hops(s["chain"])
    assert s["facts"]["h1"] == "The secret page", s["facts"]
    assert s["sid"], s


@T.test
def admin_within_reauth_timeout_is_shown():
    s = step("fresh")
    assert s["sinceLogin"] < REAUTH, s["sinceLogin"]
    assert hops(s["chain"]) == [("GET", "/private/admin/", 200)], \
        hops(s["chain"])
    assert s["facts"]["h1"] == "The admin page", s["facts"]
    assert s["sid"] == step("login")["sid"]


@T.test
def admin_past_reauth_timeout_asks_to_confirm():
    s = step("stale")
    assert s["sinceLogin"] > REAUTH, s["sinceLogin"]
    assert hops(s["chain"]) == [("GET", "/private/admin/", 302),
                                ("GET", CONFIRM, 200)], hops(s["chain"])
    is_confirm_form(s["facts"])
    assert s["facts"]["alert"] is None, s["facts"]
    assert "Signed in as %s." % USER in s["facts"]["text"], s["facts"]
    # a screen reader: the heading, one text field named by its label
    assert ["heading", "Confirm your password"] in s["ax"], s["ax"]
    assert [r for r in s["ax"] if r[0] == "textbox"] == [
        ["textbox", "Password"]], s["ax"]
    assert ["button", "Confirm"] in s["ax"], s["ax"]
    assert s["focus"]["name"] == "password", s["focus"]
    assert s["sid"] == step("login")["sid"]
    with open(s["screenshot"], "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n", s["screenshot"]
    assert os.path.getsize(s["screenshot"]) > 2000, s["screenshot"]
    print("# screenshot: " + s["screenshot"])


@T.test
def a_wrong_password_keeps_the_confirm_form():
    s = step("wrong")
    assert s["focus"]["name"] == "password", s["focus"]
    assert hops(s["chain"]) == [("POST", "/login", 401)], hops(s["chain"])
    is_confirm_form(s["facts"])
    assert s["facts"]["alert"] == "Wrong password.", s["facts"]
    assert s["sid"] == step("login")["sid"]


@T.test
def the_right_password_lands_on_admin_in_the_same_session():
    s = step("right")
    assert s["focus"]["name"] == "password", s["focus"]
    assert hops(s["chain"]) == [("POST", "/login", 303),
                                ("GET", "/private/admin/", 200)], \
        hops(s["chain"])
    assert s["facts"]["h1"] == "The admin page", s["facts"]
    assert s["sid"] and s["sid"] == step("login")["sid"], \
        (s["sid"], step("login")["sid"])
    r = S.ctl("session", "list", USER)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 1, r.stdout
    log = S.sessgate_log()
    assert "password confirmation failed for %s from 127.0.0.1" % USER \
        in log, log[-2000:]
    assert "password confirmed by %s from 127.0.0.1" % USER in log


@T.test
def private_never_asks():
    is_private(step("stale")["private"])
    is_private(step("right")["private"])
    assert step("right")["private"]["sid"] == step("login")["sid"]


setup()
sys.exit(T.run())
