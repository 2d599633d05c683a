"""Redis Cluster (README, "High availability"): three masters and three
replicas made by `redis-cli --cluster create` on loopback, sessgate on
README's cluster:// sample (with passwords). Logins and checks for users
spread over all three masters;
`redis-cli --cluster reshard` moving a busy user's slot while checks,
logins and logouts run; a replica promoted with CLUSTER FAILOVER under
the same load: no 401 and no lost session in either; a slot half moved
by hand (CLUSTER SETSLOT IMPORTING/MIGRATING, MIGRATE of chosen keys):
revoking one session, and ending all of a user's (session revoke NAME,
user passwd, user del), with the index moved and a session not yet, or
the other way round, works at once, and NOSCRIPT on the ASK target is
followed by ASKING and EVAL (issue 12, findings 4 and 5); a slot no
master serves: 503 with a log line saying so."""

import base64
import hashlib
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
LOADS = harness.LOADS   # client threads of the running test
stops_loads = harness.stops_loads


S = harness.Stack(prefix="sessgate-cluster.")
REDIS = harness.redis_server()
REDIS_CLI = harness.need(os.environ.get("REDIS_CLI") or "redis-cli",
                         "redis-cli")


note = harness.note


PASSWORD = "DATA-PASSWORD"       # README's sample


def cmd(port, *args):
    """AUTH, then one command; its reply (bulk strings decoded)."""
    s = socket.create_connection(("127.0.0.1", port), 5)
    req = b""
    for c in (("AUTH", PASSWORD), args):
        req += b"*%d\r\n" % len(c)
        for a in c:
            a = str(a).encode()
            req += b"$%d\r\n%s\r\n" % (len(a), a)
    try:
        s.sendall(req)
        f = s.makefile("rb")
        try:
            harness._resp(f)
            r = harness._resp(f)
        finally:
            f.close()
    finally:
        s.close()
    return r.decode() if isinstance(r, bytes) else r


readme_block = harness.readme_block


def info(port, section):
    return dict(line.split(":", 1) for line in
                cmd(port, "INFO", section).split("\r\n") if ":" in line)


def cluster_port(taken):
    """A free port whose cluster bus port (port + 10000) is free too."""
    while True:
        p = harness.free_port()
        if p + 10000 > 65535 or p in taken or p + 10000 in taken:
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p + 10000))
            return p
        except OSError:
            continue
        finally:
            s.close()


def start_cluster():
    ports = []
    for _ in range(6):
        ports.append(cluster_port(ports + [x + 10000 for x in ports]))
    for p in ports:
        d = os.path.join(S.tmp, "n%d" % p)
        os.makedirs(d)
        S.spawn([REDIS, "--port", str(p), "--bind", "127.0.0.1", "--dir", d,
                 "--save", "", "--appendonly", "no", "--cluster-enabled",
                 "yes", "--cluster-node-timeout", "1000", "--requirepass",
                 PASSWORD, "--masterauth", PASSWORD],
                "redis-%d.log" % p)
    for p in ports:
        harness.wait_for(lambda: harness.connects(p), "redis %d" % p)
    r = subprocess.run([REDIS_CLI, "-a", PASSWORD, "--no-auth-warning",
                        "--cluster", "create"]
                       + ["127.0.0.1:%d" % p for p in ports]
                       + ["--cluster-replicas", "1", "--cluster-yes"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    harness.wait_for(lambda: all("cluster_state:ok" in
                                 cmd(p, "CLUSTER", "INFO") for p in ports),
                     "cluster_state:ok", 30)
    return ports


def masters(ports):
    """{port: (node id, [(lo, hi), ...])} of the masters now."""
    out = {}
    for lo, hi, m, *_ in cmd(ports[0], "CLUSTER", "SLOTS"):
        port, nid = m[1], m[2].decode()
        out.setdefault(port, (nid, []))[1].append((lo, hi))
    return out


def owner(ports, slot):
    for port, (_, ranges) in masters(ports).items():
        if any(lo <= slot <= hi for lo, hi in ranges):
            return port
    return None


class Gate(harness.Gate):
    """sessgate on README's cluster sample, its nodes and password file
    put in; user NAME's password is NAME-pw."""

    def __init__(self, name, ports):
        pwfile = os.path.join(S.tmp, "redis.pass")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(pwfile, 0o600)  # others may not read it
        sample = "\n".join(readme_block("# sessgate.conf with Redis "
                                        "Cluster")) + "\n"
        for old, new in (("10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379",
                          ",".join("127.0.0.1:%d" % p for p in ports[:3])),
                         ("/etc/sessgate/redis.pass", pwfile)):
            assert old in sample, old
            sample = sample.replace(old, new)
        super().__init__(S, name, "threads = 4\n"
                         "max_sessions = 0\nlogin_max_failures = 0\n"
                         "password_memlimit = 8M\npassword_opslimit = 1\n"
                         + sample)

    def login(self, user):
        return super().login(user, user + "-pw")

    def add_user(self, name):
        super().add_user(name, name + "-pw")


def stored_id(cookie):
    """token_id(): base64url of the keyed BLAKE2b of the cookie's SECRET."""
    secret = cookie.split(".", 1)[1]
    raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    h = hashlib.blake2b(raw, digest_size=32, key=b"sessgate/token-id\0")
    return base64.urlsafe_b64encode(h.digest()).rstrip(b"=").decode()


def slot_of(cookie):
    return int(cmd(PORTS[0], "CLUSTER", "KEYSLOT", cookie.split(".")[0]))


class Busy:
    """Checks of every live cookie from 4 threads, and one thread logging
    user in and out, until stopped."""

    def __init__(self, gate, cookies, user):
        self.gate, self.cookies, self.user = gate, list(cookies), user
        self.checks, self.live, self.ended, self.answers = [], [], [], []
        self.stopping = False
        LOADS.append(self)
        self.threads = [threading.Thread(target=self.check, args=(i,),
                                         daemon=True) for i in range(4)]
        self.threads.append(threading.Thread(target=self.logins,
                                             daemon=True))
        for t in self.threads:
            t.start()

    def check(self, i):
        n = i
        while not self.stopping:
            c = self.cookies[n % len(self.cookies)]
            n += 1
            self.checks.append((c, self.gate.check(c)))

    def logins(self):
        n = 0
        while not self.stopping:
            st, c = self.gate.login(self.user)
            self.answers.append(st)
            if st != 303:
                continue
            n += 1
            if n % 2:
                self.live.append(c)
            else:
                st = self.gate.logout(c)
                self.answers.append(st)
                if st == 303:
                    self.ended.append(c)

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join()
        statuses = {st for _, st in self.checks}
        assert statuses <= {200, 503}, statuses
        assert set(self.answers) <= {303, 503}, set(self.answers)
        for c in self.cookies + self.live:
            assert self.gate.check(c) == 200, c
        for c in self.ended:
            assert self.gate.check(c) == 401, c
        return (sum(1 for _, st in self.checks if st == 503),
                len(self.checks), len(self.live) + len(self.ended))


PORTS = start_cluster()
GATE = Gate("gate", PORTS)
USERS = ["u%02d" % i for i in range(30)]
COOKIES = {}


@T.test
def logins_and_checks_across_slots():
    for u in USERS:
        GATE.add_user(u)
        st, COOKIES[u] = GATE.login(u)
        assert st == 303
    for u in USERS:
        assert GATE.check(COOKIES[u]) == 200
    # the users' keys are on every master
    for port in masters(PORTS):
        assert int(cmd(port, "DBSIZE")) > 0, port
    st, extra = GATE.login(USERS[0])
    assert GATE.logout(extra) == 303
    assert GATE.check(extra) == 401
    assert GATE.check(COOKIES[USERS[0]]) == 200


@T.test
def user_list_reaches_every_master():
    """A SCAN reaches one node: sessgatectl scans every master, so the
    listings and revoke --all see every user."""
    r = GATE.ctl("user", "list")
    assert r.returncode == 0, r.stderr
    names = [line.split()[0] for line in r.stdout.splitlines()]
    assert names == sorted(USERS), names
    r = GATE.ctl("session", "list", "--all")
    assert r.returncode == 0, r.stderr
    assert {line.split()[0] for line in r.stdout.splitlines()} == \
        set(USERS), r.stdout


@T.test
def reshard_a_busy_users_slot_under_load():
    """The user whose slot comes first in its master's range is the busy
    one: `redis-cli --cluster reshard` moves that master's slots up to and
    including it to another master, while that user logs in and out and
    every user is checked."""
    ms = masters(PORTS)

    def offset(u):
        slot = slot_of(COOKIES[u])
        port = owner(PORTS, slot)
        return slot - min(lo for lo, hi in ms[port][1] if lo <= slot), u
    n, busy = min(offset(u) for u in USERS)
    slot = slot_of(COOKIES[busy])
    src = owner(PORTS, slot)
    dst = next(p for p in ms if p != src)
    load = Busy(GATE, COOKIES.values(), busy)
    harness.wait_for(lambda: len(load.checks) > 100, "load before")
    t0 = time.monotonic()
    r = subprocess.run([REDIS_CLI, "-a", PASSWORD, "--no-auth-warning",
                        "--cluster", "reshard",
                        "127.0.0.1:%d" % PORTS[0], "--cluster-from",
                        ms[src][0], "--cluster-to", ms[dst][0],
                        "--cluster-slots", str(n + 1), "--cluster-yes"],
                       capture_output=True, text=True, timeout=120)
    took = time.monotonic() - t0
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    assert owner(PORTS, slot) == dst
    n = len(load.checks)
    harness.wait_for(lambda: len(load.checks) > n + 100, "load after")
    down, total, logins = load.stop()
    note("reshard: %d slots moved in %.1f s under %d checks (%d 503) and "
         "%d logins and logouts of the busy user; no 401, no session lost"
         % (slot - min(lo for lo, _ in ms[src][1]) + 1, took, total, down,
            logins))


@T.test
def cluster_failover_under_load():
    """CLUSTER FAILOVER on the replica of the busy user's master."""
    busy = min(USERS, key=lambda u: slot_of(COOKIES[u]))
    slot = slot_of(COOKIES[busy])
    old = owner(PORTS, slot)
    nid = masters(PORTS)[old][0]
    replica = next(p for p in PORTS if p != old and
                   info(p, "replication").get("role") == "slave" and
                   info(p, "replication").get("master_port") == str(old))
    load = Busy(GATE, COOKIES.values(), busy)
    harness.wait_for(lambda: len(load.checks) > 100, "load before")
    t0 = time.monotonic()
    assert cmd(replica, "CLUSTER", "FAILOVER") == "OK"
    harness.wait_for(lambda: owner(PORTS, slot) == replica, "the failover",
                     20)
    took = time.monotonic() - t0
    n = len(load.checks)
    harness.wait_for(lambda: len(load.checks) > n + 100, "load after")
    down, total, logins = load.stop()
    assert info(old, "replication")["role"] == "slave"
    assert nid != masters(PORTS)[replica][0]
    note("CLUSTER FAILOVER: done in %.1f s under %d checks (%d 503) and %d "
         "logins and logouts; no 401, no session lost" % (took, total, down,
                                                          logins))


def owner_at(port, slot):
    """The master serving slot in port's own view of the cluster."""
    for lo, hi, m, *_ in cmd(port, "CLUSTER", "SLOTS"):
        if lo <= slot <= hi:
            return m[1]
    return None


class Migration:
    """A slot half moved by hand, as `redis-cli --cluster reshard` leaves
    it between two MIGRATE batches: CLUSTER SETSLOT IMPORTING on the
    target, MIGRATING on the source, then only the keys move() names.
    finish() moves the rest and gives the slot to the target everywhere."""

    def __init__(self, slot):
        self.slot = slot
        self.src = owner(PORTS, slot)
        ms = masters(PORTS)
        self.dst = next(p for p in sorted(ms) if p != self.src)
        assert cmd(self.dst, "CLUSTER", "SETSLOT", slot, "IMPORTING",
                   ms[self.src][0]) == "OK"
        assert cmd(self.src, "CLUSTER", "SETSLOT", slot, "MIGRATING",
                   ms[self.dst][0]) == "OK"

    def move(self, *keys):
        r = cmd(self.src, "MIGRATE", "127.0.0.1", self.dst, "", 0, 5000,
                "AUTH", PASSWORD, "KEYS", *keys)
        assert r == "OK", r
        for k in keys:     # gone from the source: it sends there
            assert cmd(self.src, "EXISTS", k).startswith("ASK "), k

    def finish(self):
        left = cmd(self.src, "CLUSTER", "GETKEYSINSLOT", self.slot, 10000)
        if left:
            self.move(*[k.decode() for k in left])
        dst_id = cmd(self.dst, "CLUSTER", "MYID")
        for p in [self.dst, self.src] + [p for p in masters(PORTS)
                                         if p not in (self.dst, self.src)]:
            assert cmd(p, "CLUSTER", "SETSLOT", self.slot, "NODE",
                       dst_id) == "OK"
        harness.wait_for(lambda: all(owner_at(p, self.slot) == self.dst
                                     for p in PORTS), "slot %d settled"
                         % self.slot, 20)


class Victim:
    """A user of its own with two sessions, the keys of each known."""

    def __init__(self, name):
        self.name = name
        GATE.add_user(name)
        self.cookies, self.ids = [], []
        for _ in range(2):
            st, c = GATE.login(name)
            assert st == 303, st
            self.cookies.append(c)
            # the stored id (the key's name); session list shows its
            # first 12 characters
            self.ids.append(stored_id(c))
            assert sorted(self.listed()) == sorted(i[:12] for i in self.ids)
        self.tag = self.cookies[0].split(".")[0]
        self.slot = slot_of(self.cookies[0])

    def key(self, what):
        return "sg:{%s}:%s" % (self.tag, what)

    def user_key(self):
        return self.key("user:" + self.name)

    def index_key(self):
        return self.key("idx:" + self.name)

    def session_key(self, i):
        return self.key("s:" + self.ids[i])

    def listed(self):
        r = GATE.ctl("session", "list", self.name)
        assert r.returncode == 0, r.stderr
        return [line.split()[0] for line in r.stdout.splitlines()]


def others_unaffected():
    """Every other user's session is live. A 503 (a node slower than
    redis_timeout on a loaded machine) is not an answer about the session:
    it is asked again until Redis answers, within 10 s; a 401 fails."""
    for u in USERS:
        st = GATE.check(COOKIES[u])
        if st == 503:
            print("# %s: 503 (Redis slower than redis_timeout), asked again"
                  % u, flush=True)
            harness.wait_for(lambda: GATE.check(COOKIES[u]) != 503,
                             "an answer for %s's session" % u, 10)
            st = GATE.check(COOKIES[u])
        assert st == 200, (u, st)


def while_migrating(name, moved, op, after):
    """Victim name's slot half moved, with the keys moved(v) names on the
    target; op(v) runs then, after(v) once the slot has settled."""
    v = Victim(name)
    mig = Migration(v.slot)
    try:
        mig.move(*moved(v))
        op(v)
        others_unaffected()
    finally:
        mig.finish()
    after(v)
    others_unaffected()


def revoke_first(v):
    """`session revoke NAME ID` of v's first session: said done, and its
    next check through sessgate is denied."""
    r = GATE.ctl("session", "revoke", v.name, v.ids[0])
    assert r.returncode == 0, r.stderr
    assert r.stdout == "1 session ended\n", r.stdout
    assert GATE.check(v.cookies[0]) == 401


def revoke_one(v):
    revoke_first(v)
    assert GATE.check(v.cookies[1]) == 200


def one_revoked(v):
    assert GATE.check(v.cookies[0]) == 401
    assert GATE.check(v.cookies[1]) == 200
    assert v.listed() == [v.ids[1][:12]]


@T.test
def revoke_one_session_with_its_index_moved():
    """Issue 12, finding 4: the index on the target, the session (and
    the user, and the user's other session) still on the source."""
    while_migrating("mig-a1", lambda v: [v.index_key()], revoke_one,
                    one_revoked)


@T.test
def revoke_one_session_moved_before_its_index():
    while_migrating("mig-b1", lambda v: [v.session_key(0)], revoke_one,
                    one_revoked)


def end_all(*args):
    def op(v):
        r = GATE.ctl(*args, v.name, stdin=v.name + "-pw2\n")
        assert r.returncode == 0, r.stderr
        assert r.stdout == "2 sessions ended\n", r.stdout
        for c in v.cookies:
            assert GATE.check(c) == 401
    return op


def all_ended(v):
    for c in v.cookies:
        assert GATE.check(c) == 401
    r = GATE.ctl("session", "list", v.name)
    if r.returncode == 1:  # user del: the user is gone, and so is the list
        assert r.stderr == "sessgatectl: no such user: %s\n" % v.name, r
    else:
        assert r.returncode == 0 and r.stdout == "", r


@T.test
def revoke_all_sessions_with_the_index_moved():
    """`session revoke NAME`: index on the target; the user and both
    sessions on the source."""
    while_migrating("mig-a2", lambda v: [v.index_key()],
                    end_all("session", "revoke"), all_ended)


@T.test
def revoke_all_sessions_with_one_session_moved():
    """The user and the index on the source, one session on the target."""
    while_migrating("mig-b2", lambda v: [v.session_key(0)],
                    end_all("session", "revoke"), all_ended)


@T.test
def user_passwd_with_the_index_moved():
    while_migrating("mig-a3", lambda v: [v.index_key(), v.user_key()],
                    end_all("user", "passwd"), all_ended)


@T.test
def user_passwd_with_one_session_moved():
    while_migrating("mig-b3", lambda v: [v.session_key(1)],
                    end_all("user", "passwd"), all_ended)


@T.test
def user_del_with_the_index_moved():
    while_migrating("mig-a4", lambda v: [v.index_key()],
                    end_all("user", "del"), all_ended)


@T.test
def user_del_with_one_session_moved():
    while_migrating("mig-b4", lambda v: [v.session_key(0), v.user_key()],
                    end_all("user", "del"), all_ended)


@T.test
def noscript_on_the_ask_target_check():
    """Issue 12, finding 5: a session and its user on the target, the
    index on the source; the target's script cache flushed. The check is
    sent there with ASKING (ASK), answered NOSCRIPT, and its EVAL must be
    sent with ASKING again (else MOVED back to the source: 503)."""
    v = Victim("mig-n1")
    mig = Migration(v.slot)
    try:
        mig.move(v.session_key(0), v.user_key())
        assert cmd(mig.dst, "SCRIPT", "FLUSH") == "OK"
        assert GATE.check(v.cookies[0]) == 200
        assert cmd(mig.dst, "SCRIPT", "FLUSH") == "OK"
        revoke_first(v)
        others_unaffected()
    finally:
        mig.finish()
    one_revoked(v)


@T.test
def noscript_on_the_ask_target_revoke():
    """The same for a revocation: the session on the target alone."""
    v = Victim("mig-n2")
    mig = Migration(v.slot)
    try:
        mig.move(v.session_key(0))
        assert cmd(mig.dst, "SCRIPT", "FLUSH") == "OK"
        revoke_one(v)
        others_unaffected()
    finally:
        mig.finish()
    one_revoked(v)


@T.test
def a_slot_no_master_serves():
    """CLUSTER DELSLOTS on every master: the cluster stops serving (full
    coverage required): 503 with a clear log line, never an allow."""
    u = USERS[1]
    slot = slot_of(COOKIES[u])
    for port in masters(PORTS):
        cmd(port, "CLUSTER", "DELSLOTS", slot)
    for _ in range(3):
        assert GATE.check(COOKIES[u]) == 503
    log = GATE.log()
    assert "served by no master" in log or "CLUSTERDOWN" in log, log[-2000:]


if __name__ == "__main__":
    only = os.environ.get("CLUSTER_ONLY")   # name,...: these (debugging)
    if only:
        T.tests = [fn for fn in T.tests if fn.__name__ in only.split(",")]
    T.tests = [stops_loads(fn) for fn in T.tests]
    sys.exit(T.run())
