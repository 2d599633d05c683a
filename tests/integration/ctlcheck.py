"""What an operator meets in the first hour, on the sessgatectl side:
`sessgatectl check` says what works with the configured Redis and
credentials (exit 0/1), and every sessgatectl action that changes
something reaches syslog (authpriv) with its outcome, never more of a
session than its reference. syslog(3) writes to /dev/log: the test gives
sessgatectl a /dev/log of its own in a private mount namespace."""

import hashlib
import os
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
S = harness.Stack()
CTL = os.path.join(harness.TOP_BUILDDIR, "sessgatectl")


def ctl(conf, *args, stdin=None, prefix=()):
    return subprocess.run(list(prefix) + [CTL, "-c", conf] + list(args),
                          input=stdin, capture_output=True, text=True,
                          timeout=30)


def conf(name, text):
    path = os.path.join(S.tmp, name)
    with open(path, "w") as f:
        f.write("password_memlimit = 8M\npassword_opslimit = 1\n" + text)
    return path


@T.test
def check_says_what_works():
    c = conf("ok.conf", "redis = redis://127.0.0.1:%d/3\nkey_prefix = op:\n"
             % S.redis_port)
    r = ctl(c, "check")
    assert r.returncode == 0, r
    assert r.stdout == ("ok: connected to 127.0.0.1:%d\n"
                        "ok: no password configured: none sent\n"
                        "ok: database 3 selected\n"
                        "ok: PING answered PONG\n"
                        "ok: maxmemory-policy noeviction\n"
                        "ok: 0 keys under op:\n"
                        "ok: secret_file: no fingerprint in Redis yet "
                        "(op:secret-id; the next login or user add writes "
                        "it)\n" % S.redis_port), r.stdout
    r = ctl(c, "user", "add", "olga", stdin="olga-pw\n")
    assert r.returncode == 0 and r.stderr == "", r
    r = ctl(c, "check")
    assert r.returncode == 0, r
    # olga and the fingerprint of the secret: none here, so that of the
    # public tag key (user.h: BLAKE2b of the tag key, "sessgate/secret-id")
    public = hashlib.blake2b(b"sessgate/user-tag\0", digest_size=16,
                             key=b"sessgate/secret-id").hexdigest()[:16]
    assert "ok: 2 keys under op:\n" in r.stdout, r
    assert r.stdout.endswith("ok: secret_file: the users in Redis were "
                             "made under it (fingerprint %s)\n" % public), r


@T.test
def check_names_the_step_that_fails():
    S.redis_cmd("ACL", "SETUSER", "checker", "on", ">right-pw", "~*",
                "+@all")
    pwfile = os.path.join(S.tmp, "redis-pw")
    with open(pwfile, "w") as f:
        f.write("checker wrong-pw\n")
    os.chmod(pwfile, 0o600)
    c = conf("auth.conf", "redis = redis://127.0.0.1:%d/0\n"
             "redis_password_file = %s\n" % (S.redis_port, pwfile))
    r = ctl(c, "check")
    assert r.returncode == 1, r
    assert r.stdout == "ok: connected to 127.0.0.1:%d\n" % S.redis_port, r
    assert r.stderr.startswith("FAILED: authenticate: "), r.stderr
    assert "wrong-pw" not in r.stdout + r.stderr
    with open(pwfile, "w") as f:
        f.write("checker right-pw\n")
    r = ctl(c, "check")
    assert r.returncode == 0 and "ok: authenticated as checker\n" in \
        r.stdout, r
    # no Redis there at all
    c = conf("none.conf", "redis = redis://127.0.0.1:%d/0\n"
             % harness.free_port())
    r = ctl(c, "check")
    assert r.returncode == 1 and r.stdout == "", r
    assert r.stderr.startswith("FAILED: connect: "), r.stderr
    # an evicting Redis: sessgate would not start, so neither does check
    S.redis_cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
    try:
        r = ctl(conf("lru.conf", "redis = redis://127.0.0.1:%d/0\n"
                     % S.redis_port), "check")
    finally:
        S.redis_cmd("CONFIG", "SET", "maxmemory-policy", "noeviction")
    assert r.returncode == 1, r
    assert "FAILED: maxmemory-policy is allkeys-lru" in r.stderr, r.stderr
    r = ctl(c, "check", "extra")
    assert r.returncode == 2 and "sessgatectl [-c FILE] check" in r.stderr


def private_dev_log():
    """A command prefix that runs sessgatectl with /dev/log bound to a
    datagram socket of the test's; None where that cannot be done."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return None, None
    path = os.path.join(S.tmp, "log.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(5)
    prefix = ["unshare", "-m", "sh", "-c",
              'mount -t tmpfs none /dev && ln -s "$0" /dev/log && '
              'exec "$@"', path]
    if subprocess.run(prefix + ["true"]).returncode != 0:
        s.close()
        return None, None
    return s, prefix


def drain(s):
    lines = []
    s.settimeout(0.2)
    try:
        while True:
            lines.append(s.recv(4096).decode())
    except socket.timeout:
        pass
    s.settimeout(5)
    return lines


@T.test
def actions_go_to_syslog():
    s, prefix = private_dev_log()
    if s is None:
        harness.note("not root or no unshare: syslog not tested")
        return
    c = conf("log.conf", "redis = redis://127.0.0.1:%d/0\nkey_prefix = lg:\n"
             "audit = off\n"
             % S.redis_port)
    uid = os.getuid()
    steps = [
        (["user", "add", "lena"], "lena-pw\n", 0,
         "<85>", "user add lena: done (uid %d)" % uid),
        (["user", "add", "lena"], "x\n", 1,
         "<84>", "user add lena: failed (uid %d)" % uid),
        (["user", "passwd", "lena"], "new-pw\n", 0,
         "<85>", "user passwd lena: done (uid %d)" % uid),
        (["session", "revoke", "lena", "A" * 43], None, 1,
         "<84>", "session revoke lena AAAAAAAAAAAA: failed (uid %d)" % uid),
        (["session", "revoke", "--all"], None, 0,
         "<85>", "session revoke --all: done (uid %d)" % uid),
        (["users", "rekey"], None, 0,
         "<85>", "users rekey: done (uid %d)" % uid),
        (["user", "del", "lena"], None, 0,
         "<85>", "user del lena: done (uid %d)" % uid),
    ]
    for args, stdin, code, pri, want in steps:
        r = ctl(c, *args, stdin=stdin, prefix=prefix)
        assert r.returncode == code, (args, r)
        lines = drain(s)
        assert len(lines) == 1, (args, lines)
        assert lines[0].startswith(pri), lines
        assert " sessgatectl[" in lines[0], lines
        assert lines[0].endswith(want), (lines, want)
    # reading commands are not logged
    for args in (["user", "list"], ["session", "list", "--all"], ["check"]):
        r = ctl(c, *args, prefix=prefix)
        assert r.returncode == 0, (args, r)
        assert drain(s) == [], args
    s.close()


S.start_redis()
sys.exit(T.run())
