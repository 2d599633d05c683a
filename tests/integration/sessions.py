"""The sessions page through the real daemon and a real redis-server,
over FastCGI as a web server passes requests on: the listing in the
contract's JSON and as a page, what a session record in Redis holds
(a short browser description, never the User-Agent), ending one session,
this one and all others, and that no reference -- another user's exact
one, a prefix, a guess -- ever ends a session that is not the user's own.
The audit log has one revoke line per ended session. The record's size
before (the fields of main before the sessions page) and after is
measured in this Redis and printed (README, "Your sessions")."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
S = harness.Stack()
S.start_redis()
AUDIT = os.path.join(S.tmp, "audit.log")
G = harness.Gate(S, "sessgate", (
    "redis = redis://127.0.0.1:%d/0\npassword_memlimit = 8M\n"
    "password_opslimit = 1\nmax_sessions = 0\nthreads = 2\nworkers = 1\n"
    "idle_timeout = 1h\naudit = %s\n" % (S.redis_port, AUDIT)))
G.add_user("alice", "alice-pw")
G.add_user("bob", "bob-pw")

FIREFOX = ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 "
           "Firefox/121.0")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
          "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
          "Mobile/15E148 Safari/604.1")
ANDROID = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, "
           "like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36")
HOST = "gate.example.org"
RAW = []  # the last listing's body, as sessgate wrote it


def request(method, path, cookie=None, body=None, accept=None, ua=None,
            addr="192.0.2.1"):
    params = {"REQUEST_METHOD": method, "REQUEST_URI": path,
              "HTTP_HOST": HOST, "REMOTE_ADDR": addr,
              "REQUEST_SCHEME": "http"}
    if body is not None:
        params["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        params["CONTENT_LENGTH"] = str(len(body))
        params["HTTP_ORIGIN"] = "http://" + HOST
    if cookie:
        params["HTTP_COOKIE"] = "__Host-sid=" + cookie
    if accept:
        params["HTTP_ACCEPT"] = accept
    if ua:
        params["HTTP_USER_AGENT"] = ua
    status, out = G.request(harness.RESPONDER, params,
                            body.encode() if body is not None else None)
    head, _, payload = out.partition("\r\n\r\n")
    return status, head, payload


def login(user, pw, ua, addr):
    status, head, _ = request("POST", "/login", body="username=%s&password=%s"
                              % (user, pw), ua=ua, addr=addr)
    assert status == 303, (status, head)
    for line in head.split("\r\n"):
        if line.startswith("Set-Cookie: __Host-sid="):
            return line.split("=", 1)[1].split(";")[0]
    raise AssertionError("no cookie: " + head)


def listing(cookie):
    status, head, body = request("GET", "/sessions", cookie,
                                 accept="application/json")
    assert status == 200, (status, head, body)
    assert "Content-Type: application/json" in head, head
    assert "Cache-Control: no-store" in head, head
    RAW[:] = [body]
    return json.loads(body)["sessions"]


def alive(cookie):
    return G.check(cookie) == 200


def ref_of(sessions, current=True):
    return [s["id"] for s in sessions if s["current"] == current]


def session_keys():
    return [k.decode() for k in S.redis_cmd("KEYS", "sg:*:s:*")]


A = login("alice", "alice-pw", FIREFOX, "192.0.2.1")
time.sleep(0.01)
B = login("alice", "alice-pw", IPHONE, "2001:db8::5")
BOB = login("bob", "bob-pw", ANDROID, "198.51.100.7")


@T.test
def json_lists_the_users_own_sessions_newest_first():
    t0 = time.time()
    got = listing(A)
    print("# " + RAW[0])
    assert [sorted(s) for s in got] == [sorted(
        ["id", "created", "last_seen", "address", "agent", "current"])] * 2
    assert [s["agent"] for s in got] == ["Safari on iPhone",
                                         "Firefox on Linux"], got
    assert [s["address"] for s in got] == ["2001:db8::5", "192.0.2.1"], got
    assert [s["current"] for s in got] == [False, True], got
    for s in got:
        assert len(s["id"]) == 12 and isinstance(s["created"], int), s
        assert t0 - 60 < s["created"] <= t0 + 1, s
        assert s["created"] <= s["last_seen"] <= t0 + 1, s
    assert got[0]["created"] >= got[1]["created"]
    # bob sees his one only
    mine = listing(BOB)
    assert len(mine) == 1 and mine[0]["current"], mine
    assert mine[0]["agent"] == "Chrome on Android", mine


@T.test
def the_page_is_html_by_default():
    status, head, body = request("GET", "/sessions", A,
                                 accept="text/html,*/*;q=0.8")
    assert status == 200, status
    assert "Content-Type: text/html; charset=utf-8" in head, head
    assert "Cache-Control: no-store" in head, head
    for s in listing(A):
        assert 'name="id" value="%s"' % s["id"] in body, body
    assert "Safari on iPhone" in body and "(this browser)" in body, body
    assert "Sign out everywhere else" in body, body
    assert "<script" not in body


@T.test
def without_a_session_like_any_unauthenticated_request():
    status, head, _ = request("GET", "/sessions", accept="text/html")
    assert status == 302, status
    assert "Location: /login?next=/sessions\r\n" in head + "\r\n", head
    status, _, body = request("GET", "/sessions", accept="application/json")
    assert status == 401 and json.loads(body) == {
        "error": "unauthenticated"}, (status, body)
    status, _, _ = request("POST", "/sessions", body="others=1")
    assert status == 401, status


@T.test
def records_hold_a_description_never_the_user_agent():
    keys = session_keys()
    assert len(keys) == 3, keys
    values = [S.redis_cmd("GET", k).decode() for k in keys]
    for v in values:
        r = json.loads(v)
        assert set(r) == {"u", "c", "a", "g", "p", "ip", "ua"}, r
        assert r["ua"] in ("Firefox on Linux", "Safari on iPhone",
                           "Chrome on Android"), r
    dump = " ".join(values)
    for ua in (FIREFOX, IPHONE, ANDROID):
        assert ua not in dump
    assert "Gecko" not in dump and "Mozilla" not in dump, dump


@T.test
def record_size_before_and_after():
    """One login's record as stored now, and the same login's record
    with only the fields main had before (u, c, a, g), written by the
    same cjson into the same Redis under a key of the same length."""
    key = [k for k in session_keys()
           if '"ua":"Firefox on Linux"' in S.redis_cmd("GET", k).decode()][0]
    after = S.redis_cmd("STRLEN", key)
    after_mem = S.redis_cmd("MEMORY", "USAGE", key)
    old = key[:-1] + ("x" if key[-1] != "x" else "y")
    S.redis_cmd("EVAL", "local r = cjson.decode(redis.call('GET', KEYS[2]))"
                " redis.call('SET', KEYS[1], cjson.encode({u = r.u, c = r.c,"
                " a = r.a, g = r.g}), 'PX', redis.call('PTTL', KEYS[2]))"
                " return 1", 2, old, key)
    before = S.redis_cmd("STRLEN", old)
    before_mem = S.redis_cmd("MEMORY", "USAGE", old)
    S.redis_cmd("DEL", old)
    print("# record bytes (STRLEN): before %d, after %d; MEMORY USAGE of "
          "the key: before %d, after %d" % (before, after, before_mem,
                                            after_mem))
    assert before < after <= before + 100, (before, after)


@T.test
def a_foreign_or_unknown_reference_ends_nothing():
    bob_ref = listing(BOB)[0]["id"]
    b_ref = ref_of(listing(A), False)[0]
    for ref in (bob_ref, bob_ref[:11], b_ref[:11], b_ref + "A", "A" * 12,
                "", "others", b_ref.lower() if b_ref.lower() != b_ref
                else b_ref.upper()):
        status, _, _ = request("POST", "/sessions", A, "id=" + ref)
        assert status == 404, (ref, status)
    # bob, with alice's exact reference
    status, _, _ = request("POST", "/sessions", BOB, "id=" + b_ref)
    assert status == 404, status
    assert alive(A) and alive(B) and alive(BOB)
    assert len(listing(A)) == 2 and len(listing(BOB)) == 1


@T.test
def cross_site_and_bad_forms_end_nothing():
    b_ref = ref_of(listing(A), False)[0]
    params = {"REQUEST_METHOD": "POST", "REQUEST_URI": "/sessions",
              "HTTP_HOST": HOST, "HTTP_ORIGIN": "https://evil.example",
              "CONTENT_TYPE": "application/x-www-form-urlencoded",
              "HTTP_COOKIE": "__Host-sid=" + A}
    body = ("id=" + b_ref).encode()
    params["CONTENT_LENGTH"] = str(len(body))
    assert G.request(harness.RESPONDER, params, body)[0] == 403
    del params["HTTP_ORIGIN"]
    params["CONTENT_TYPE"] = "text/plain"
    assert G.request(harness.RESPONDER, params, body)[0] == 415
    params["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    big = ("id=%s&x=%s" % (b_ref, "a" * 9000)).encode()
    params["CONTENT_LENGTH"] = str(len(big))
    assert G.request(harness.RESPONDER, params, big)[0] == 413
    assert alive(B)


@T.test
def ending_another_session():
    b_ref = ref_of(listing(A), False)[0]
    status, head, _ = request("POST", "/sessions", A, "id=" + b_ref)
    assert status == 303 and "Location: /sessions" in head, (status, head)
    assert "Set-Cookie" not in head, head
    assert not alive(B) and alive(A) and alive(BOB)
    assert [s["current"] for s in listing(A)] == [True]


@T.test
def sign_out_everywhere_else():
    global A
    c1 = login("alice", "alice-pw", ANDROID, "192.0.2.3")
    c2 = login("alice", "alice-pw", IPHONE, "192.0.2.4")
    assert len(listing(A)) == 3
    status, head, _ = request("POST", "/sessions", A, "others=1")
    assert status == 303 and "Location: /sessions" in head, (status, head)
    assert alive(A) and not alive(c1) and not alive(c2) and alive(BOB)
    assert len(listing(A)) == 1


@T.test
def ending_this_session_signs_out_here():
    ref = ref_of(listing(A))[0]
    status, head, _ = request("POST", "/sessions", A, "id=" + ref)
    assert status == 303 and "Location: /login\r\n" in head + "\r\n", head
    assert "Set-Cookie: __Host-sid=; Path=/; Max-Age=0" in head, head
    assert not alive(A) and alive(BOB)


@T.test
def each_ended_session_is_audited_without_tokens():
    with open(AUDIT) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    revokes = [e for e in lines if e["event"] == "revoke"]
    assert [e["reason"] for e in revokes] == [
        "sessions_page", "sessions_page_others", "sessions_page_others",
        "sessions_page"], revokes
    assert all(e["user"] == "alice" and len(e["session"]) == 12
               for e in revokes), revokes
    with open(AUDIT) as f:
        text = f.read()
    logs = G.log() + text
    for c in (A, B, BOB):
        secret = c.split(".", 1)[1]
        assert secret not in logs and secret[:12] not in logs
    for ua in (FIREFOX, IPHONE, ANDROID):
        assert ua not in logs


sys.exit(T.run())
