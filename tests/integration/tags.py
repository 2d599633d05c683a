"""Security review, issue 12: the cookie's user tag, names in the log,
and what sessgate checks at start and at reload. Real redis-server, the
real sessgate daemon (spoken to over FastCGI, reloaded by SIGHUP) and the
real sessgatectl; every wait is a bounded poll.

- A session made before secret_file was set is refused (and deleted) once
  sessgate runs with the secret, whatever sessgatectl did meanwhile, and
  `users rekey` leaves no user and no session under an old tag.
- A failed login logs the name only if it is a user's.
- maxmemory-policy other than noeviction: sessgate refuses to start, and
  refuses a reload; a Redis that hides CONFIG is warned about.
- redis_password_file that others can read: FILE:LINE at its key's line."""

import os
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
    tag = State.old_tags["alice"]
    assert len(keys("sg:{%s}:s:*" % tag)) == 2, keys("sg:{%s}:*" % tag)
    log = g.log()
    assert "tag" in log and "refused" in log, log[-2000:]
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
    # a3 and b1 (a1 and a2 were deleted by the check already)
    assert "2 sessions ended\n" in r.stdout, r.stdout
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
    assert "maxmemory-policy noeviction" in g.log(), g.log()
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
