"""sessgate behind a real lighttpd 1.4 (mod_fastcgi, authorizer mode, the
shipped contrib/lighttpd/sessgate.conf), with a real redis-server."""

import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import http  # noqa: E402

T = harness.TAP()
S = harness.Stack()
SITE = harness.Site()
COOKIE = SITE.cookie_name
# Every test comes from 127.0.0.1: throttling gets its own test and limit.
BASE = "max_sessions = 2\nlogin_max_failures = 1000\nredis_timeout = 250ms\n" \
    "status_path = /sessgate/metrics\nping_path = /sessgate/ping\n"


def setup():
    S.start_redis()
    S.write_config(BASE)
    for user, pw in (("alice", "alice-pw"), ("bob", "bob-pw"),
                     ("carol", "carol-pw"), ("dave", "dave-pw")):
        S.add_user(user, pw)
    docroot = os.path.join(S.tmp, "www")
    os.makedirs(os.path.join(docroot, "private"))
    with open(os.path.join(docroot, "private", "index.html"), "w") as f:
        f.write("the secret page\n")
    cgi = os.path.join(docroot, "private", "whoami.cgi")
    with open(cgi, "w") as f:
        f.write("#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n"
                "user=%s\\n' \"$REMOTE_USER\"\n")
    os.chmod(cgi, 0o755)
    S.start_sessgate(BASE)
    # bad_cookies_each_get_their_status sends 16 KiB Cookie headers
    SITE.port = S.start_lighttpd(
        docroot, "server.max-request-field-size = 65536\n")


@T.test
def unauthenticated_navigation_redirects_to_login():
    r = SITE.get("/private/a%20b/page.html?x=1&y=2", headers={
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status == 302, r.status
    assert r.header("Location") == \
        "/login?next=/private/a%2520b/page.html%3Fx%3D1%26y%3D2", \
        r.header("Location")


@T.test
def unauthenticated_api_gets_401_json():
    for headers in ({}, {"Accept": "application/json"}):
        r = SITE.get("/private/whoami.cgi", headers=headers)
        assert r.status == 401, r.status
        assert r.header("Content-Type") == "application/json"
        assert r.body == b'{"error":"unauthenticated"}\n', r.body
    r = http(S.http_port, "POST", "/private/whoami.cgi",
             {"Accept": "text/html"}, "x=1")
    assert r.status == 401, r.status   # not a page navigation: no redirect


@T.test
def login_form_carries_next():
    r = SITE.get("/login?next=%2Fprivate%2F%3Fq%3D%22%3E")
    assert r.status == 200, r.status
    assert r.header("Content-Type").startswith("text/html")
    body = r.body.decode()
    assert '<form method="post" action="/login">' in body
    assert 'name="next" value="/private/?q=&quot;&gt;"' in body, body
    assert '<label for="password">' in body
    assert "<script" not in body
    r = SITE.get("/login?next=https://evil.example/")
    assert 'name="next" value=""' in r.body.decode()


@T.test
def login_sets_a_strict_cookie_and_redirects_to_next():
    value, attrs, r = SITE.login("alice", "alice-pw", next_="/private/x?y=1")
    assert r.header("Location") == "/private/x?y=1", r.header("Location")
    assert attrs == ["Path=/", "Max-Age=604800", "Secure", "HttpOnly",
                     "SameSite=Lax"], attrs
    assert len(value) == 60 and value[16] == ".", value
    assert SITE.alive(value)


@T.test
def protected_static_file_and_cgi_see_the_user():
    value, _, _ = SITE.login("bob", "bob-pw")
    r = SITE.get("/private/", value, {"Accept": "text/html"})
    assert r.status == 200 and r.body == b"the secret page\n", r.status
    r = SITE.get("/private/whoami.cgi", value)
    assert r.status == 200 and r.body == b"user=bob\n", r.body
    assert r.header("Variable-REMOTE_USER") is None
    # the check is safe to repeat: the same cookie keeps working
    for _ in range(5):
        assert SITE.get("/private/whoami.cgi", value).body == b"user=bob\n"


@T.test
def wrong_password_and_unknown_user_get_the_same_answer():
    a = SITE.post("/login", {"username": "alice", "password": "nope"})
    b = SITE.post("/login", {"username": "nobody", "password": "nope"})
    c = SITE.post("/login", {"username": "bad name{}", "password": "nope"})
    for r in (a, b, c):
        assert r.status == 401, r.status
        assert r.cookie(COOKIE) is None
        assert b"Wrong user name or password." in r.body
    assert a.body == b.body == c.body


@T.test
def next_must_be_a_local_path():
    for target in ("//evil.example/", "https://evil.example/",
                   "/\\evil.example", "javascript:alert(1)", ""):
        _, _, r = SITE.login("carol", "carol-pw", next_=target)
        assert r.header("Location") == "/", (target, r.header("Location"))
    _, _, r = SITE.login("carol", "carol-pw", next_="/a b\u00e9")
    assert r.header("Location") == "/a%20b%C3%A9", r.header("Location")
    # too long to redirect to (700 x 6 bytes encoded): "/", and the
    # session made is the one the client gets (never a 500)
    S.ctl("session", "revoke", "carol")
    value, _, r = SITE.login("carol", "carol-pw", next_="/" + "\u00e9" * 700)
    assert r.header("Location") == "/", r.header("Location")
    assert SITE.alive(value)
    assert len(S.ctl("session", "list", "carol").stdout.splitlines()) == 1


@T.test
def fresh_id_after_every_login_and_the_old_one_dies():
    old, _, _ = SITE.login("alice", "alice-pw")
    new, _, _ = SITE.login("alice", "alice-pw", cookie=old)
    assert new != old
    assert not SITE.alive(old), "the session presented at login must end"
    assert SITE.alive(new)
    # a planted cookie that names no session is never adopted
    planted = old[:17] + "A" * 43
    mine, _, _ = SITE.login("alice", "alice-pw", cookie=planted)
    assert mine != planted and SITE.alive(mine)


@T.test
def cap_evicts_the_oldest_login():
    a, _, _ = SITE.login("dave", "dave-pw")
    b, _, _ = SITE.login("dave", "dave-pw")
    c, _, _ = SITE.login("dave", "dave-pw")
    assert (SITE.alive(a), SITE.alive(b), SITE.alive(c)) == (False, True, True)
    r = S.ctl("session", "list", "dave")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2, r.stdout


@T.test
def cap_reject_answers_409():
    S.reload(BASE + "session_limit = reject\n")
    try:
        S.ctl("session", "revoke", "dave")
        a, _, _ = SITE.login("dave", "dave-pw")
        b, _, _ = SITE.login("dave", "dave-pw")
        r = SITE.post("/login", {"username": "dave", "password": "dave-pw"})
        assert r.status == 409, r.status
        assert r.cookie(COOKIE) is None
        assert SITE.alive(a) and SITE.alive(b)
    finally:
        S.reload(BASE)


@T.test
def logout_ends_the_session_and_clears_the_cookie():
    value, _, _ = SITE.login("bob", "bob-pw")
    r = SITE.post("/logout", {}, value)
    assert r.status == 303 and r.header("Location") == "/login"
    v, attrs = r.cookie(COOKIE)
    assert v == "" and attrs == ["Path=/", "Max-Age=0", "Secure", "HttpOnly",
                                 "SameSite=Lax"], attrs
    assert not SITE.alive(value)
    assert SITE.get("/logout").status == 405


@T.test
def logout_everywhere_ends_every_session():
    S.ctl("session", "revoke", "carol")
    a, _, _ = SITE.login("carol", "carol-pw")
    b, _, _ = SITE.login("carol", "carol-pw")
    other, _, _ = SITE.login("bob", "bob-pw")
    r = SITE.post("/logout-all", {}, a)
    assert r.status == 303 and r.header("Location") == "/login"
    assert r.cookie(COOKIE)[0] == ""
    assert not SITE.alive(a) and not SITE.alive(b)
    assert SITE.alive(other)


@T.test
def password_change_ends_sessions_and_reissues_this_cookie():
    S.ctl("session", "revoke", "alice")
    a, _, _ = SITE.login("alice", "alice-pw")
    b, _, _ = SITE.login("alice", "alice-pw")
    r = SITE.post("/password", {"current_password": "wrong",
                                "new_password": "x"}, a)
    assert r.status == 403, r.status
    assert SITE.alive(a) and SITE.alive(b)
    r = SITE.post("/password", {"current_password": "alice-pw",
                                "new_password": "alice-new"}, a)
    assert r.status == 303, (r.status, r.body)
    new = r.cookie(COOKIE)[0]
    assert not SITE.alive(a) and not SITE.alive(b)
    assert SITE.alive(new)
    assert SITE.post("/login", {"username": "alice",
                                "password": "alice-pw"}).status == 401
    SITE.login("alice", "alice-new")
    r = SITE.post("/password", {"current_password": "a", "new_password": "b"})
    assert r.status == 401, r.status


@T.test
def cross_site_posts_are_refused_and_change_nothing():
    value, _, _ = SITE.login("bob", "bob-pw")
    for h in ({"Origin": "http://evil.example"},
              {"Origin": "null"},
              {"Referer": "http://evil.example/page"},
              {"Origin": "http://127.0.0.1:1"},
              # the scheme is part of the origin (issue 8, item 9)
              {"Origin": "https://127.0.0.1:%d" % S.http_port}):
        for path in ("/logout", "/logout-all"):
            r = SITE.post(path, {}, value, h)
            assert r.status == 403, (h, path, r.status)
        r = SITE.post("/login", {"username": "bob", "password": "bob-pw"},
                      headers=h)
        assert r.status == 403 and r.cookie(COOKIE) is None
    assert SITE.alive(value)
    same = {"Origin": "http://127.0.0.1:%d" % S.http_port}
    assert SITE.post("/logout", {}, value, same).status == 303
    assert not SITE.alive(value)


@T.test
def sliding_idle_timeout():
    S.reload(BASE + "idle_timeout = 1s\nabsolute_timeout = 30s\n")
    try:
        used, _, _ = SITE.login("carol", "carol-pw")
        unused, _, _ = SITE.login("carol", "carol-pw")
        for _ in range(5):          # used every 0.4 s for 2 s
            time.sleep(0.4)
            assert SITE.alive(used)
        assert not SITE.alive(unused)    # idle for 2 s > 1 s
        time.sleep(1.3)
        assert not SITE.alive(used)
    finally:
        S.reload(BASE)


@T.test
def absolute_timeout_ends_even_an_active_session():
    S.reload(BASE + "idle_timeout = 1s\nabsolute_timeout = 2s\n")
    try:
        value, attrs, _ = SITE.login("bob", "bob-pw")
        assert "Max-Age=2" in attrs, attrs
        for _ in range(4):          # used every 0.4 s: alive to 1.6 s
            time.sleep(0.4)
            assert SITE.alive(value)
        time.sleep(0.6)             # 2.2 s: past the deadline
        assert not SITE.alive(value)
    finally:
        S.reload(BASE)


def clear_failures():
    for k in S.redis_cmd("KEYS", "sg:*fail*"):
        S.redis_cmd("DEL", k)


@T.test
def failed_logins_are_throttled_with_429():
    clear_failures()
    S.reload(BASE.replace("1000", "5") + "login_failure_window = 10m\n")
    try:
        for _ in range(5):
            assert SITE.post("/login", {"username": "dave",
                                        "password": "bad"}).status == 401
        r = SITE.post("/login", {"username": "dave", "password": "dave-pw"})
        assert r.status == 429, r.status
        assert 590 < int(r.header("Retry-After")) <= 600
        assert r.cookie(COOKIE) is None
        # the address is over the limit too: another user is refused
        r = SITE.post("/login", {"username": "bob", "password": "bob-pw"})
        assert r.status == 429, r.status
    finally:
        clear_failures()
        S.reload(BASE)
    SITE.login("dave", "dave-pw")


@T.test
def redis_paused_gives_503_then_the_same_cookie_works():
    value, _, _ = SITE.login("bob", "bob-pw")
    os.kill(S.redis.pid, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        r = SITE.get("/private/whoami.cgi", value, {"Accept": "text/html"})
        took = time.monotonic() - t0
        assert r.status == 503, r.status
        assert r.header("Retry-After") == "1"
        assert took < 2.0, took     # redis_timeout is 250 ms
        r = SITE.post("/login", {"username": "bob", "password": "bob-pw"})
        assert r.status == 503, r.status
    finally:
        os.kill(S.redis.pid, signal.SIGCONT)
    assert SITE.alive(value)


def raw_cookie(header):
    return http(S.http_port, "GET", "/private/whoami.cgi",
                {"Cookie": header})


@T.test
def bad_cookies_each_get_their_status():
    value, _, _ = SITE.login("carol", "carol-pw")
    many = "; ".join("c%d=%d" % (i, i) for i in range(400))
    big = "pad=" + "x" * 16384
    cases = [
        ("%s=%s; %s" % (COOKIE, value, big), 200),     # 16 KiB header
        ("%s; %s=%s" % (many, COOKIE, value), 200),    # hundreds of cookies
        ("%s=garbage" % COOKIE, 401),
        ("%s=%s" % (COOKIE, "A" * 5000), 401),         # over-long token
        ("%s=%s" % (COOKIE, value + "A"), 401),
        ("%s=%s" % (COOKIE, value[:-1]), 401),
        ("%s=%s.%s" % (COOKIE, value[:16], "!" * 43), 401),
        ("%s=junk; %s=%s" % (COOKIE, COOKIE, value), 200),   # duplicates
        ("%s=%s; %s=junk" % (COOKIE, value, COOKIE), 200),
        ("%s=\"%s\"" % (COOKIE, value), 200),
        ("%s=%s" % (COOKIE, value.lower()), 401),
        (big, 401),
    ]
    for header, want in cases:
        r = raw_cookie(header)
        assert r.status == want, (header[:60], r.status, want)
    assert SITE.alive(value)


@T.test
def bad_login_bodies_each_get_their_status():
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    cases = [
        ({"Content-Type": "application/json"}, '{"username":"a"}', 415),
        ({}, "username=a&password=b", 415),
        ({"Content-Type": "text/plain"}, "username=a&password=b", 415),
        (form, "username=alice&password=" + "x" * 9000, 413),
        (form, "username=%zz&password=b", 400),
        (form, "username=a%00b&password=b", 400),
        (form, "username=alice", 400),
        (form, "password=x", 400),
        (form, "username=alice&password=" + "x" * 2000, 400),
        (form, "\x01\x02", 400),
    ]
    for headers, body, want in cases:
        r = http(S.http_port, "POST", "/login", headers, body)
        assert r.status == want, (body[:40], r.status, want)
        assert r.cookie(COOKIE) is None
    r = http(S.http_port, "PUT", "/login", form, "x")
    assert r.status == 405 and "POST" in r.header("Allow")
    value, _, _ = SITE.login("bob", "bob-pw")   # still serving
    assert SITE.alive(value)
    log = S.sessgate_log()
    assert "Content-Type application/json refused" in log
    assert "body over 8192 bytes" in log
    assert "malformed form" in log


@T.test
def no_token_or_password_in_logs():
    value, _, _ = SITE.login("bob", "bob-pw")
    secret = value[17:]
    log = S.sessgate_log()
    assert secret not in log and secret[:12] not in log
    assert "bob-pw" not in log and "alice-new" not in log
    with open(os.path.join(S.tmp, "lighttpd-error.log"), errors="replace") as f:
        assert secret not in f.read()


@T.test
def reload_with_a_bad_config_keeps_the_old_one():
    value, _, _ = SITE.login("bob", "bob-pw")
    with open(S.conf, "a") as f:
        f.write("bogus_key = 1\n")
    S.sessgate.send_signal(signal.SIGHUP)
    harness.wait_for(lambda: "keeping the configuration" in
                     S.sessgate_log(), "the refused reload")
    assert "unknown key \"bogus_key\"" in S.sessgate_log()
    assert SITE.alive(value)
    S.reload(BASE)


@T.test
def authorizer_never_reads_stdin():
    """A direct Authorizer request with no FCGI_STDIN at all (mod_fcgid)
    is answered at once."""
    value, _, _ = SITE.login("bob", "bob-pw")
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(S.sock)
    params = {"REQUEST_METHOD": "POST", "REQUEST_URI": "/private/x",
              "HTTP_COOKIE": "%s=%s" % (COOKIE, value),
              "CONTENT_LENGTH": "100"}
    out = harness.fcgi_request(s, harness.AUTHORIZER, params)  # no stdin
    assert out.startswith(b"Status: 200 OK\r\n"), out
    assert b"Variable-REMOTE_USER: bob\r\n" in out


@T.test
def monitoring_paths_answer_this_host_only():
    harness.monitoring_to_loopback_only(S.http_port)


@T.test
def sigterm_finishes_requests_in_flight_then_exits_0():
    value, _, _ = SITE.login("bob", "bob-pw")
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(S.sock)
    params = harness.fcgi_params({"REQUEST_METHOD": "GET",
                                  "REQUEST_URI": "/private/",
                                  "HTTP_COOKIE": "%s=%s" % (COOKIE, value)})
    # A request in flight: begun, its params not yet complete.
    s.sendall(harness.fcgi_begin(harness.AUTHORIZER) +
              harness.fcgi_record(harness.FCGI_PARAMS, params))
    time.sleep(0.2)     # let a worker take the connection
    S.sessgate.send_signal(signal.SIGTERM)
    harness.wait_for(lambda: "finishing requests in flight" in
                     S.sessgate_log(), "the SIGTERM log line")
    s.sendall(harness.fcgi_record(harness.FCGI_PARAMS, b""))
    out = harness.fcgi_read_stdout(s)
    s.close()
    assert out.startswith(b"Status: 200 OK\r\n"), out
    assert S.sessgate.wait(10) == 0


setup()
sys.exit(T.run())
