"""The sessions page in a real browser: headless Chromium (driven by
sessions_drive.py over the DevTools pipe, Python's standard library only)
against lighttpd 1.4 over HTTPS with the shipped
contrib/lighttpd/sessgate.conf, sessgate and a real redis-server. Two
browser contexts sign in as the same user (the first with the keyboard
only); both appear on the first one's sessions page, this one marked; the
first ends the other from the page with the keyboard; the other lands on
the login form at its next navigation. The page is read through the
accessibility tree (labels, button names, headings), reached by Tab in
order, fits a phone's width, and is photographed (sessions-page.png,
sessions-page-phone.png in the artifacts directory).

Needs chromium and openssl (as browser.py); a missing one fails under
CI=true and skips elsewhere."""

import json
import os
import ssl
import sys
import http.client as httpclient

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402

T = harness.TAP()
USER, PASSWORD = "erin", "correct horse battery staple"
BASE = "max_sessions = 3\nlogin_max_failures = 1000\n"
CHROMIUM = harness.need(os.environ.get("CHROMIUM") or "/usr/bin/chromium",
                        "chromium")
OPENSSL = harness.need(os.environ.get("OPENSSL") or "openssl", "openssl")
ARTIFACTS = os.path.abspath(os.environ.get("SESSGATE_ARTIFACTS") or
                            os.path.join(harness.TOP_BUILDDIR, "tests",
                                         "browser", "artifacts"))
SHOTS = ("sessions-page", "sessions-page-phone")
S = harness.Stack()
R = {}


def setup():
    S.start_redis()
    S.write_config(BASE)
    r = S.ctl("user", "add", USER, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    docroot = os.path.join(S.tmp, "www")
    os.makedirs(os.path.join(docroot, "private"))
    with open(os.path.join(docroot, "private", "index.html"), "w") as f:
        f.write(harness.PRIVATE_PAGE)
    S.start_sessgate(BASE)
    S.start_https_lighttpd(docroot, OPENSSL)


def base():
    return "https://127.0.0.1:%d" % S.http_port


def step(name):
    assert name in R.get("steps", {}), "sessions_drive.py stopped before " \
        "step %s: %s" % (name, R.get("error"))
    return R["steps"][name]


def hops(chain):
    n = len(base())
    return [(h["method"], h["url"][n:], h["status"]) for h in chain]


def https_get(path, cookie, accept):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = httpclient.HTTPSConnection("127.0.0.1", S.http_port, context=ctx,
                                   timeout=10)
    c.request("GET", path, headers={"Cookie": "__Host-sid=" + cookie,
                                    "Accept": accept})
    r = c.getresponse()
    out = r.status, dict(r.getheaders()), r.read().decode()
    c.close()
    return out


@T.test
def chromium_runs_the_sessions_journey():
    env = dict(os.environ, SG_BASE=base(), SG_USER=USER, SG_PASS=PASSWORD,
               SG_ARTIFACTS=ARTIFACTS, SG_CHROMIUM=CHROMIUM, TMPDIR=S.tmp)
    os.makedirs(ARTIFACTS, exist_ok=True)
    for name in SHOTS:
        p = os.path.join(ARTIFACTS, name + ".png")
        if os.path.exists(p):
            os.unlink(p)
    out, status, stderr, took = harness.run_browser(
        os.path.join(HERE, "sessions_drive.py"), env, 300)
    R.update(out)
    print("# %s, %.1f s" % (R.get("browserVersion"), took))
    assert status == 0 and "error" not in R, (status, R.get("error"), stderr)
    assert R["pageErrors"] == [], R["pageErrors"]


@T.test
def keyboard_only_sign_in():
    s = step("login")
    assert hops(s["chain"]) == [("GET", "/sessions", 302),
                                ("GET", "/login?next=/sessions", 200)], \
        hops(s["chain"])
    f = s["focus"]
    assert f[0]["name"] == "username" and f[0]["label"] == "User name", f
    assert f[1]["name"] == "password" and f[1]["label"] == "Password", f
    assert f[1]["type"] == "password", f
    assert f[2]["tag"] == "button" and f[2]["text"] == "Sign in", f
    assert s["shiftTab"]["name"] == "password", s["shiftTab"]
    # the accessibility tree names the fields by their labels
    assert ["textbox", "User name"] in s["ax"], s["ax"]
    assert ["textbox", "Password"] in s["ax"], s["ax"]
    assert ["button", "Sign in"] in s["ax"], s["ax"]
    assert hops(s["submitChain"]) == [("POST", "/login", 303),
                                      ("GET", "/sessions", 200)], \
        hops(s["submitChain"])


@T.test
def both_browsers_are_listed_this_one_marked():
    s = step("list")
    assert hops(s["chain"]) == [("GET", "/sessions", 200)], hops(s["chain"])
    items = s["items"]
    assert len(items) == 2, items
    # newest first: the iPhone signed in second
    assert items[0]["heading"] == "Safari on iPhone", items
    assert items[1]["heading"].startswith("Chrome on Linux"), items
    assert [i["current"] for i in items] == [False, True], items
    assert items[0]["buttons"] == ["Sign out"], items
    assert items[1]["buttons"] == ["Sign out of this browser"], items
    for i in items:
        assert len(i["ref"]) == 12, i
        assert i["terms"] == ["Signed in", "Last seen (approximate)",
                              "Address at sign-in"], i
    assert s["desktop"]["scripts"] == 0 and s["desktop"]["others"] == 1
    assert s["desktop"]["title"] == "Your sessions", s["desktop"]
    # the second browser sees the same two, itself marked
    two = step("two")["items"]
    assert [i["current"] for i in two] == [True, False], two
    assert [i["ref"] for i in two] == [i["ref"] for i in items], two


@T.test
def screen_reader_names_every_control():
    ax = step("list")["ax"]
    assert ["heading", "Your sessions"] in ax, ax
    assert ["heading", "Safari on iPhone"] in ax, ax
    assert ["button", "Sign out"] in ax, ax
    assert ["button", "Sign out of this browser"] in ax, ax
    assert ["button", "Sign out everywhere else"] in ax, ax
    assert ["list", ""] in ax or any(r == "list" for r, _ in ax), ax


@T.test
def tab_reaches_every_sign_out_button_in_order():
    order = step("keys")["order"]
    assert [(f["tag"], f["text"], f["describedBy"]) for f in order] == [
        ("button", "Sign out", "Safari on iPhone"),
        ("button", "Sign out of this browser",
         order[1]["describedBy"]),
        ("button", "Sign out everywhere else", None)], order
    assert order[1]["describedBy"].startswith("Chrome on Linux"), order


@T.test
def the_page_fits_a_phone():
    for name in ("desktop", "phone"):
        f = step("list")[name]
        assert not f["overflow"], (name, f)
        with open(f["screenshot"], "rb") as png:
            assert png.read(8) == b"\x89PNG\r\n\x1a\n", f["screenshot"]
        assert os.path.getsize(f["screenshot"]) > 2000, f["screenshot"]
    print("# screenshots: " + ", ".join(
        step("list")[n]["screenshot"] for n in ("desktop", "phone")))


@T.test
def the_first_ends_the_other_with_the_keyboard():
    s = step("end")
    assert s["first"]["text"] == "Sign out", s["first"]
    assert s["first"]["describedBy"] == "Safari on iPhone", s["first"]
    assert hops(s["chain"]) == [("POST", "/sessions", 303),
                                ("GET", "/sessions", 200)], hops(s["chain"])
    assert len(s["items"]) == 1 and s["items"][0]["current"], s["items"]
    assert s["facts"]["others"] == 0, s["facts"]
    r = S.ctl("session", "list", USER)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 1, r.stdout


@T.test
def the_other_lands_on_the_login_form():
    s = step("after")
    assert hops(s["chain"]) == [("GET", "/private/", 302),
                                ("GET", "/login?next=/private/", 200)], \
        hops(s["chain"])
    assert s["facts"]["loginForm"] and s["facts"]["path"] == "/login", s
    assert "secret" not in s["facts"]["text"], s["facts"]["text"]
    assert hops(s["sessionsChain"]) == [
        ("GET", "/sessions", 302), ("GET", "/login?next=/sessions", 200)], \
        hops(s["sessionsChain"])


@T.test
def json_of_the_same_page():
    jar = [c for c in step("list")["cookies"] if c["name"] == "__Host-sid"]
    assert len(jar) == 1, step("list")["cookies"]
    status, headers, body = https_get("/sessions", jar[0]["value"],
                                      "application/json")
    assert status == 200, (status, body)
    assert headers.get("Content-Type") == "application/json", headers
    assert headers.get("Cache-Control") == "no-store", headers
    doc = json.loads(body)
    assert list(doc) == ["sessions"] and len(doc["sessions"]) == 1, doc
    s = doc["sessions"][0]
    assert list(s) == ["id", "created", "last_seen", "address", "agent",
                       "current"], s
    assert s["current"] is True and s["address"] == "127.0.0.1", s
    assert s["agent"] == "Chrome on Linux", s
    print("# " + body)


@T.test
def no_token_or_password_in_logs():
    jar = [c for c in step("list")["cookies"] if c["name"] == "__Host-sid"]
    secret = jar[0]["value"][17:]
    with open(os.path.join(S.tmp, "lighttpd-error.log"),
              errors="replace") as f:
        logs = S.sessgate_log() + f.read()
    assert PASSWORD not in logs
    assert secret not in logs and secret[:12] not in logs
    assert "Mozilla/5.0" not in S.sessgate_log()


setup()
sys.exit(T.run())
