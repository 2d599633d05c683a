"""The audit log through the real daemon and a real redis-server: a
scripted sequence of logins (good, wrong password, unknown user,
throttled), an eviction at max_sessions, a logout, a login over a live
cookie, a password change, logout everywhere and the administrator's
commands leave exactly the expected JSON lines, in order, with the
contract's fields; the session references are those sessgatectl lists
and can revoke; no form of any token issued is anywhere in the file.
Then: a rotated file is left for a new one at SIGHUP, and a destination
that cannot be opened is a configuration error with FILE:LINE."""

import base64
import binascii
import hashlib
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
S = harness.Stack()
S.start_redis()
AUDIT = os.path.join(S.tmp, "audit.log")
HOST = "gate.example.org"
CONFIG = ("workers = 2\nthreads = 2\nmax_sessions = 2\n"
          "login_max_failures = 3\naudit = %s\n" % AUDIT)
FIELDS = ["time", "event", "user", "session", "addr", "host"]
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
TOKENS = []  # every cookie value the daemon handed out


def request(path, fields, cookie=None, addr="192.0.2.1"):
    """A form POST over FastCGI as a web server passes it on."""
    body = "&".join("%s=%s" % kv for kv in fields.items())
    params = {"REQUEST_METHOD": "POST", "REQUEST_URI": path,
              "CONTENT_TYPE": "application/x-www-form-urlencoded",
              "CONTENT_LENGTH": str(len(body)), "HTTP_HOST": HOST,
              "REMOTE_ADDR": addr}
    if cookie:
        params["HTTP_COOKIE"] = "__Host-sid=" + cookie
    s = harness.socket.socket(harness.socket.AF_UNIX)
    s.settimeout(10)
    s.connect(S.sock)
    out = harness.fcgi_request(s, harness.RESPONDER, params,
                               body.encode()).decode()
    status = int(out.split(" ", 2)[1])
    for line in out.split("\r\n"):
        if line.startswith("Set-Cookie: __Host-sid="):
            v = line.split("=", 1)[1].split(";")[0]
            if v:
                TOKENS.append(v)
                return status, v
    return status, None


def login(user, pw, addr, cookie=None, want=303):
    status, c = request("/login", {"username": user, "password": pw},
                        cookie, addr)
    assert status == want, (user, status)
    return c


def b64u_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def stored_id(cookie):
    """token_id(): base64url of the keyed BLAKE2b of the SECRET part."""
    secret = b64u_decode(cookie.split(".", 1)[1])
    h = hashlib.blake2b(secret, digest_size=32, key=b"sessgate/token-id\0")
    return base64.urlsafe_b64encode(h.digest()).rstrip(b"=").decode()


def ref(cookie):
    return stored_id(cookie)[:12]


def ctl(*args, stdin=None, want=0):
    r = S.ctl(*args, stdin=stdin)
    assert r.returncode == want, (args, r.returncode, r.stderr)
    return r.stdout


def lines():
    with open(AUDIT) as f:
        text = f.read()
    assert text == "" or text.endswith("\n")
    return [json.loads(x) for x in text.splitlines()]


def token_forms(cookie):
    """Everything a token could be written as."""
    tag, secret = cookie.split(".", 1)
    raw = b64u_decode(secret)
    sid = stored_id(cookie)
    hraw = b64u_decode(sid)
    return [cookie, tag, secret, base64.b64encode(raw).decode().rstrip("="),
            binascii.hexlify(raw).decode(), sid,
            base64.b64encode(hraw).decode().rstrip("="),
            binascii.hexlify(hraw).decode()]


@T.test
def the_sequence():
    S.start_sessgate(CONFIG)
    ctl("user", "add", "alice", stdin="alice-pw\n")
    ctl("user", "add", "bob", stdin="bob-pw\n")
    want = [("user_add", "alice", None, None, None),
            ("user_add", "bob", None, None, None)]
    login("alice", "wrong", "192.0.2.1", want=401)
    want.append(("login_failed", "alice", None, "192.0.2.1", "password"))
    # a password typed into the name field is not written down
    login("Secret-Typed-As-Name", "x", "192.0.2.2", want=401)
    want.append(("login_failed", None, None, "192.0.2.2", "unknown_user"))
    c1 = login("alice", "alice-pw", "192.0.2.3")
    c2 = login("alice", "alice-pw", "192.0.2.4")
    want += [("login", "alice", ref(c1), "192.0.2.3", None),
             ("login", "alice", ref(c2), "192.0.2.4", None)]
    # the third at max_sessions = 2 evicts the first
    c3 = login("alice", "alice-pw", "192.0.2.5")
    want += [("evict", "alice", ref(c1), "192.0.2.5", "max_sessions"),
             ("login", "alice", ref(c3), "192.0.2.5", None)]
    assert request("/logout", {}, c2, "192.0.2.6")[0] == 303
    want.append(("logout", "alice", ref(c2), "192.0.2.6", None))
    # a login over a live cookie ends that session first
    c4 = login("alice", "alice-pw", "192.0.2.7", cookie=c3)
    want += [("logout", "alice", ref(c3), "192.0.2.7", "login"),
             ("login", "alice", ref(c4), "192.0.2.7", None)]
    status, c5 = request("/password", {"current_password": "alice-pw",
                                       "new_password": "alice-pw2"},
                         c4, "192.0.2.8")
    assert status == 303 and c5, status
    want.append(("password_change", "alice", ref(c5), "192.0.2.8", None))
    c6 = login("alice", "alice-pw2", "192.0.2.9")
    want.append(("login", "alice", ref(c6), "192.0.2.9", None))

    # the references sessgatectl lists are the audit log's
    listed = json.loads(ctl("session", "list", "alice", "--json"))
    assert sorted(s["id"] for s in listed["sessions"]) == \
        sorted([ref(c5), ref(c6)]), listed
    text = ctl("session", "list", "alice")
    assert sorted(x.split()[0] for x in text.splitlines()) == \
        sorted([ref(c5), ref(c6)]), text
    assert "1 session ended" in ctl("session", "revoke", "alice", ref(c5))
    want.append(("revoke", "alice", ref(c5), None, None))
    assert request("/logout-all", {}, c6, "192.0.2.10")[0] == 303
    want.append(("logout_all", "alice", None, "192.0.2.10", None))

    c7 = login("bob", "bob-pw", "192.0.2.11")
    want.append(("login", "bob", ref(c7), "192.0.2.11", None))
    # throttling: the address counter trips first (login_max_failures 3)
    for _ in range(3):
        login("bob", "wrong", "198.51.100.7", want=401)
        want.append(("login_failed", "bob", None, "198.51.100.7",
                     "password"))
    login("bob", "wrong", "198.51.100.7", want=429)
    want.append(("login_throttled", None, None, "198.51.100.7", "address"))

    ctl("user", "passwd", "bob", stdin="bob-pw2\n")
    ctl("session", "revoke", "alice")
    ctl("user", "del", "bob")
    want += [("user_passwd", "bob", None, None, None),
             ("revoke", "alice", None, None, "all"),
             ("user_del", "bob", None, None, None)]
    c8 = login("alice", "alice-pw2", "192.0.2.12")
    want.append(("login", "alice", ref(c8), "192.0.2.12", None))
    assert "1 session of 1 user ended" in ctl("session", "revoke", "--all")
    want.append(("revoke", "alice", None, None, "all_users"))

    got = lines()
    for ln in got:
        assert list(ln)[:6] == FIELDS, ln
        assert TIME.match(ln["time"]), ln
        assert ln["host"] == (HOST if ln["addr"] else None), ln
    seen = [(x["event"], x["user"], x["session"], x["addr"], x.get("reason"))
            for x in got]
    assert seen == want, "\n".join("%r\n%r" % (a, b) for a, b in
                                   zip(seen, want) if a != b) or \
        (len(seen), len(want))
    with open(AUDIT) as f:
        text = f.read()
    assert "Secret-Typed-As-Name" not in text
    assert "alice-pw" not in text and "bob-pw" not in text
    assert len(TOKENS) >= 8
    for c in TOKENS:
        for form in token_forms(c):
            assert form not in text, form


@T.test
def rotated_at_sighup():
    os.rename(AUDIT, AUDIT + ".1")
    S.reload(CONFIG)  # new workers: the file is opened afresh
    ctl("user", "add", "carol", stdin="carol-pw\n")
    login("carol", "carol-pw", "192.0.2.20")
    got = lines()
    assert [(x["event"], x["user"]) for x in got] == \
        [("user_add", "carol"), ("login", "carol")], got
    with open(AUDIT + ".1") as f:
        assert "carol" not in f.read()
    # made 0640 (less the umask): others never read it
    assert os.stat(AUDIT).st_mode & 0o007 == 0, oct(os.stat(AUDIT).st_mode)


@T.test
def unopenable_is_a_config_error():
    bad = os.path.join(S.tmp, "no-such-dir", "audit.log")
    conf = os.path.join(S.tmp, "bad.conf")
    with open(conf, "w") as f:
        f.write("redis = redis://127.0.0.1:%d/0\n\naudit = %s\n"
                % (S.redis_port, bad))
    r = subprocess.run([os.path.join(harness.TOP_BUILDDIR, "sessgate"),
                        "-n", "-c", conf], capture_output=True, text=True)
    assert r.returncode == 1, r
    assert r.stderr.startswith("%s:3: audit %s: " % (conf, bad)), r.stderr
    r = subprocess.run([os.path.join(harness.TOP_BUILDDIR, "sessgatectl"),
                        "-c", conf, "user", "list"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and ("%s:3:" % conf) in r.stderr, r
    with open(conf, "w") as f:
        f.write("audit = relative.log\n")
    r = subprocess.run([os.path.join(harness.TOP_BUILDDIR, "sessgate"),
                        "-n", "-c", conf], capture_output=True, text=True)
    assert r.returncode == 1 and "absolute" in r.stderr, r.stderr
    # a reload to it is refused, and the workers keep the file they had
    before = S.sessgate_log().count("keeping the configuration")
    S.write_config(CONFIG.replace(AUDIT, bad))
    S.sessgate.send_signal(harness.signal.SIGHUP)
    harness.wait_for(lambda: S.sessgate_log().count(
        "keeping the configuration") > before, "the refused reload")
    assert "audit %s" % bad in S.sessgate_log()
    login("carol", "carol-pw", "192.0.2.21")
    assert lines()[-1]["addr"] == "192.0.2.21"


sys.exit(T.run())
