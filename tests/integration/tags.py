"""Security review, issue 12: the cookie's user tag, names in the log,
and what sessgate checks at start and at reload. Real redis-server, the
real sessgate daemon (spoken to over FastCGI, reloaded by SIGHUP) and the
real sessgatectl; every wait is a bounded poll.

- A session made before secret_file was set is refused (not deleted) once
  sessgate runs with the secret, whatever sessgatectl did meanwhile, and
  `users rekey` leaves no user and no session under an old tag.
- Two gates that share a Redis but not a secret_file: the odd one says
  why its logins fail (at start, in sessgatectl check, after a failed
  login), from the fingerprint of the secret kept beside the users.
- A failed login logs the name only if it is a user's.
- maxmemory-policy other than noeviction: sessgate refuses to start, and
  refuses a reload; a Redis that hides CONFIG is warned about.
- redis_password_file that others can read: FILE:LINE at its key's line."""

import hashlib
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
S = harness.Stack()
SESSGATE = os.path.join(harness.TOP_BUILDDIR, "sessgate")
FAST = "password_memlimit = 8M\npassword_opslimit = 1\nthreads = 2\n"
PASSWORDISH = "Tr0ub4dor-and-3"


def base():
    return "redis = redis://127.0.0.1:%d/0\n%s" % (S.redis_port, FAST)


def write_private(path, data, mode=0o600):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def keys(pattern):
    return sorted(k.decode() for k in S.redis_cmd("KEYS", pattern))


def reload(gate, config):
    """Rewrite the gate's configuration, SIGHUP, wait for the log line."""
    before = gate.log().count("configuration reloaded")
    with open(gate.conf, "w") as f:
        f.write("listen = unix:%s\n%s" % (gate.sock, config))
    gate.proc.send_signal(signal.SIGHUP)
    harness.wait_for(lambda: gate.log().count("configuration reloaded")
                     > before, "the reload")


class State:
    gate = None
    cookies = {}
    old_tags = {}


@T.test
def sessions_made_without_a_secret():
    S.start_redis()
    State.gate = g = harness.Gate(S, "tags", base())
    g.add_user("alice", "alice-pw")
    g.add_user("bob", "bob-pw")
    for name, user, pw in (("a1", "alice", "alice-pw"),
                           ("a2", "alice", "alice-pw"),
                           ("a3", "alice", "alice-pw"),
                           ("b1", "bob", "bob-pw")):
        status, cookie = g.login(user, pw)
        assert status == 303 and cookie, (status, cookie)
        State.cookies[name] = cookie
        State.old_tags[user] = cookie[:16]
        assert g.check(cookie) == 200
    assert len(keys("sg:{%s}:s:*" % State.old_tags["alice"])) == 3


@T.test
def secret_set_and_reloaded_refuses_the_old_session():
    g = State.gate
    secret = os.path.join(S.tmp, "secret")
    write_private(secret, os.urandom(32), 0o640)
    State.secret_conf = base() + "secret_file = %s\n" % secret
    reload(g, State.secret_conf)
    a1 = State.cookies["a1"]
    assert g.check(a1) == 401, "a session under the old tag still allowed"
    assert g.check(a1) == 401, "refused once, allowed the next time"
    tag = State.old_tags["alice"]
    # refused, not deleted (a gate with the old secret may still hold it)
    assert len(keys("sg:{%s}:s:*" % tag)) == 3, keys("sg:{%s}:*" % tag)
    log = g.log()
    assert "tag" in log and "refused" in log, log[-2000:]
    # the users in Redis were made without a secret: the reload says so
    assert "holds fingerprint %s, that of no secret_file; this gate's is " \
        "%s): logins will fail; give every gate that shares this Redis the " \
        "same secret_file, or move the users to this one with sessgatectl " \
        "users rekey\n" % (secret_id(None), secret_id(open(secret, "rb")
                                                       .read())) in log, \
        log[-3000:]
    assert a1 not in log and a1[17:] not in log, "the token is logged"


@T.test
def sessgatectl_under_the_new_secret():
    """The finding's sequence: alice made again under the new secret, then
    passwd, revoke and del each end 0 sessions (she has none under the new
    tag), and alice's old session stays refused."""
    g = State.gate
    r = g.ctl("user", "add", "alice", stdin="alice-new\n")
    assert r.returncode == 0, r.stderr
    r = g.ctl("user", "passwd", "alice", stdin="alice-new2\n")
    assert r.returncode == 0 and r.stdout == "0 sessions ended\n", r
    r = g.ctl("session", "revoke", "alice")
    assert r.returncode == 0 and r.stdout == "0 sessions ended\n", r
    r = g.ctl("user", "del", "alice")
    assert r.returncode == 0 and r.stdout == "0 sessions ended\n", r
    r = g.ctl("user", "add", "alice", stdin="alice-new3\n")
    assert r.returncode == 0, r.stderr
    assert g.check(State.cookies["a2"]) == 401
    assert g.check(State.cookies["a1"]) == 401


@T.test
def users_rekey_leaves_nothing_under_the_old_tags():
    g = State.gate
    r = g.ctl("users", "rekey")
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert "1 user moved\n" in r.stdout, r.stdout
    # alice exists under the new tag: her old record is removed
    assert "1 user under the old key removed" in r.stdout, r.stdout
    # a1, a2, a3 and b1: the checks refused a1 and a2 but left them
    assert "4 sessions ended\n" in r.stdout, r.stdout
    for user, tag in State.old_tags.items():
        assert keys("sg:{%s}:*" % tag) == [], (user, keys("sg:{%s}:*" % tag))
    for name in ("a1", "a2", "a3", "b1"):
        assert g.check(State.cookies[name]) == 401, name


@T.test
def users_log_in_under_the_new_tags():
    g = State.gate
    status, b = g.login("bob", "bob-pw")
    assert status == 303 and b[:16] != State.old_tags["bob"], (status, b)
    assert g.check(b) == 200
    status, a = g.login("alice", "alice-new3")
    assert status == 303 and g.check(a) == 200
    r = g.ctl("users", "rekey")
    assert r.returncode == 0 and r.stdout.startswith("0 users moved\n"), r


@T.test
def a_name_that_is_not_a_user_is_not_logged():
    g = State.gate
    status, _ = g.login(PASSWORDISH, "whatever")
    assert status == 401
    status, _ = g.login("bob", "wrong-password")
    assert status == 401
    harness.wait_for(lambda: "login failed for bob" in g.log(),
                     "the failed login of bob", 5)
    log = g.log()
    assert PASSWORDISH not in log, "a password-shaped name is logged"
    assert PASSWORDISH.lower() not in log.lower()
    assert "login failed for unknown user" in log, log[-2000:]


def login_from(gate, addr, user, pw):
    """A login from client address addr; its status."""
    body = ("username=%s&password=%s" % (user, pw)).encode()
    return gate.request(harness.RESPONDER, {
        "REQUEST_METHOD": "POST", "REQUEST_URI": "/login",
        "REMOTE_ADDR": addr,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body))}, body)[0]


@T.test
def a_throttled_name_that_is_not_a_user_is_not_logged():
    """Each attempt from its own address: the name's counter (its bucket,
    or the user's) is what throttles."""
    g = harness.Gate(S, "throttle", base() + "key_prefix = thr:\n"
                     "login_max_failures = 2\n")
    g.add_user("carol", "carol-pw")
    statuses = [login_from(g, "192.0.2.%d" % i, PASSWORDISH + "x", "pw")
                for i in range(1, 4)]
    assert statuses == [401, 401, 429], statuses
    harness.wait_for(lambda: "login throttled for unknown user" in g.log(),
                     "the log", 5)
    assert PASSWORDISH not in g.log(), "a password-shaped name is logged"
    statuses = [login_from(g, "198.51.100.%d" % i, "carol", "nope")
                for i in range(1, 4)]
    assert statuses == [401, 401, 429], statuses
    harness.wait_for(lambda: "login throttled for carol" in g.log(),
                     "carol's throttled login", 5)


def secret_id(secret):
    """The fingerprint user.h documents: BLAKE2b-128 of the tag key under
    "sessgate/secret-id", 16 hex digits; the tag key is BLAKE2b-256 of the
    secret under "sessgate/site-secret/user-tag"."""
    if secret is None:     # no secret_file: the public tag key
        tag_key = b"sessgate/user-tag\0"
    else:
        tag_key = hashlib.blake2b(
            secret, digest_size=32,
            key=b"sessgate/site-secret/user-tag").digest()
    return hashlib.blake2b(tag_key, digest_size=16,
                           key=b"sessgate/secret-id").hexdigest()[:16]


def fingerprint():
    v = S.redis_cmd("GET", "two:secret-id")
    return v.decode() if v is not None else None


@T.test
def two_gates_with_different_secrets_say_why_logins_fail():
    """Gates A and B share one Redis and key_prefix, each with a
    secret_file of its own: B finds none of A's users. B's start,
    sessgatectl check on B's configuration and B's failed logins say why,
    naming both fingerprints; A says nothing of the kind. Then users
    rekey moves the users to B's secret, and A is the one warned."""
    sa, sb = os.path.join(S.tmp, "secret-a"), os.path.join(S.tmp, "secret-b")
    bytes_a, bytes_b = os.urandom(32), os.urandom(40)
    write_private(sa, bytes_a)
    write_private(sb, bytes_b)
    conf_a = base() + "key_prefix = two:\nsecret_file = %s\n" % sa
    conf_b = base() + "key_prefix = two:\nsecret_file = %s\n" \
        "workers = 1\n" % sb
    a = harness.Gate(S, "gate-a", conf_a)
    harness.wait_for(lambda: "secret_file: no fingerprint in Redis yet "
                     "(two:secret-id; the next login or sessgatectl user add "
                     "writes it)" in a.log(), "A's note", 5)
    a.add_user("alice", "alice-pw")
    fa = fingerprint()
    assert fa == secret_id(bytes_a), (fa, secret_id(bytes_a))
    # the first login writes it too, when there is none (an upgrade)
    S.redis_cmd("DEL", "two:secret-id")
    status, cookie = a.login("alice", "alice-pw")
    assert status == 303 and a.check(cookie) == 200, status
    assert fingerprint() == fa, fingerprint()
    r = a.ctl("check")
    assert r.returncode == 0, r
    assert r.stdout.endswith("ok: secret_file: the users in Redis were made "
                             "under it (fingerprint %s)\n" % fa), r.stdout

    b = harness.Gate(S, "gate-b", conf_b)
    harness.wait_for(lambda: "logins will fail" in b.log(), "B's warning", 5)
    line = [x for x in b.log().splitlines() if "logins will fail" in x][0]
    harness.note(line)
    m = re.search(r"the users in Redis were made under another secret_file "
                  r"\(two:secret-id holds fingerprint ([0-9a-f]{16}); this "
                  r"gate's is ([0-9a-f]{16})\): logins will fail; give every "
                  r"gate that shares this Redis the same secret_file, or "
                  r"move the users to this one with sessgatectl users rekey "
                  r"OLD_SECRET_FILE$", line)
    fb = secret_id(bytes_b)
    assert m and m.group(1) == fa and m.group(2) == fb, (line, fa, fb)
    assert "logins will fail" not in a.log(), a.log()

    r = b.ctl("check")
    harness.note(r.stderr.strip())
    assert r.returncode == 1, r
    assert r.stderr == (
        "FAILED: secret_file: the users in Redis were made under another "
        "secret_file (two:secret-id holds fingerprint %s; this "
        "configuration's is %s): logins will fail (README, "
        "\"Troubleshooting\")\n" % (fa, fb)), r.stderr

    # B's failed logins: the hint, once a minute at most
    assert b.login("alice", "alice-pw")[0] == 401
    assert b.login("alice", "alice-pw")[0] == 401
    harness.wait_for(lambda: b.log().count("login failed for unknown user")
                     == 2, "B's failed logins", 5)
    hints = [x for x in b.log().splitlines()
             if "every login here fails as an unknown user" in x]
    harness.note(hints[0] if hints else "no hint")
    assert len(hints) == 1, hints
    assert ("a login for a name that is no user here: the users in Redis "
            "were made under another secret_file (two:secret-id holds "
            "fingerprint %s; this gate's is %s), so every login here fails "
            "as an unknown user (said at most once a minute)" % (fa, fb)) \
        in hints[0], hints
    # A's failed login for a name that is no user: no such hint
    assert a.login("nobody", "x")[0] == 401
    harness.wait_for(lambda: "login failed for unknown user" in a.log(),
                     "A's failed login", 5)
    assert "every login here fails" not in a.log(), a.log()[-2000:]

    # sessgatectl on B's configuration: a user added there is added
    # (under B's tag) with a warning; the fingerprint stays A's
    r = b.ctl("user", "add", "bob", stdin="bob-pw\n")
    assert r.returncode == 0, r
    assert r.stderr.startswith("sessgatectl: warning: the users in Redis "
                               "were made under another secret_file"), r
    r = b.ctl("user", "passwd", "alice", stdin="x\n")
    assert r.returncode == 1, r
    assert r.stderr.startswith("sessgatectl: no such user: alice\n"
                               "sessgatectl: warning: the users in Redis "
                               "were made under another secret_file "
                               "(two:secret-id holds fingerprint %s" % fa), r
    assert fingerprint() == fa

    # A's cookie shown to B: refused, with the hint the check already had
    assert b.check(cookie) == 401
    harness.wait_for(lambda: "made under another secret_file?" in b.log(),
                     "B's line on A's cookie", 5)
    assert cookie[17:] not in b.log(), "a token is logged"
    # and B, the odd gate, did not sign alice out of A
    assert a.check(cookie) == 200, "the wrong gate ended A's session"

    # the way out: move the users to B's secret; then A is warned
    r = b.ctl("users", "rekey", sa)
    assert r.returncode == 0 and "1 user moved\n" in r.stdout, r
    assert fingerprint() == fb, fingerprint()
    r = b.ctl("check")
    assert r.returncode == 0, r
    status, _ = b.login("alice", "alice-pw")
    assert status == 303, status
    reload(a, conf_a)
    harness.wait_for(lambda: "logins will fail" in a.log(), "A's warning", 5)
    assert "holds fingerprint %s; this gate's is %s)" % (fb, fa) in a.log()


def run_sessgate(name, config):
    """Start sessgate on config; returns (process, log path)."""
    conf = os.path.join(S.tmp, name + ".conf")
    sock = os.path.join(S.tmp, name + ".sock")
    with open(conf, "w") as f:
        f.write("listen = unix:%s\n%s" % (sock, config))
    log = name + ".log"
    p = S.spawn([SESSGATE, "-d", "-c", conf], log)
    return p, os.path.join(S.tmp, log), sock


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


@T.test
def an_evicting_redis_is_refused_at_start():
    lru = harness.Stack(prefix="sessgate-lru.")
    lru.start_redis("--maxmemory-policy", "allkeys-lru")
    p, log, _ = run_sessgate("lru", "redis = redis://127.0.0.1:%d/0\n%s"
                             % (lru.redis_port, FAST))
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.terminate()
        raise AssertionError("sessgate runs on an allkeys-lru Redis")
    assert p.returncode == 1, p.returncode
    text = read(log)
    assert "maxmemory-policy" in text and "allkeys-lru" in text, text


@T.test
def noeviction_is_logged_and_a_reload_onto_eviction_is_refused():
    g = harness.Gate(S, "policy", base())
    # the socket accepts from its bind on, before the preflight logs
    harness.wait_for(lambda: "maxmemory-policy noeviction" in g.log(),
                     "the preflight's line", 5)
    S.redis_cmd("CONFIG", "SET", "maxmemory-policy", "volatile-lru")
    try:
        g.proc.send_signal(signal.SIGHUP)
        harness.wait_for(lambda: "keeping the configuration" in g.log(),
                         "the refused reload")
        assert "volatile-lru" in g.log(), g.log()
        assert g.proc.poll() is None
    finally:
        S.redis_cmd("CONFIG", "SET", "maxmemory-policy", "noeviction")


@T.test
def a_redis_that_hides_config_is_warned_about():
    hidden = harness.Stack(prefix="sessgate-noconfig.")
    hidden.start_redis("--rename-command", "CONFIG", "")
    g = harness.Gate(hidden, "hidden", "redis = redis://127.0.0.1:%d/0\n%s"
                     % (hidden.redis_port, FAST))
    harness.wait_for(lambda: "maxmemory-policy not checked" in g.log(),
                     "the warning")
    assert g.proc.poll() is None


@T.test
def a_password_file_others_can_read_is_refused_at_its_line():
    pw = os.path.join(S.tmp, "redis.pass")
    write_private(pw, b"s3cret\n", 0o644)
    conf = os.path.join(S.tmp, "pwmode.conf")
    with open(conf, "w") as f:
        f.write("# a comment\nthreads = 1\nredis_password_file = %s\n" % pw)
    r = subprocess.run([SESSGATE, "-n", "-c", conf], capture_output=True,
                       text=True)
    assert r.returncode == 1, r
    assert r.stderr.startswith(conf + ":3: redis_password_file"), r.stderr
    assert "readable or writable by others" in r.stderr, r.stderr
    os.chmod(pw, 0o640)
    r = subprocess.run([SESSGATE, "-n", "-c", conf], capture_output=True,
                       text=True)
    assert r.returncode == 0 and r.stdout == "configuration OK\n", r


sys.exit(T.run())
