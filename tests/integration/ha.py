"""High availability against real servers on loopback (README, "High
availability"): a Redis restart under load, a Sentinel failover (one
master, one replica, three Sentinels, `kill -9` of the master) under
checks, logins and logouts with redis_replicas_ack = 1, and Sentinel
settings that cannot work. sessgate is reached over FastCGI directly;
the Sentinels are redis-server in Sentinel mode (`redis-server FILE
--sentinel`, what Debian's redis-sentinel package runs too)."""

import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
LOADS = harness.LOADS   # client threads of the running test
stops_loads = harness.stops_loads


S = harness.Stack(prefix="sessgate-ha.")
SESSGATE = os.path.join(harness.TOP_BUILDDIR, "sessgate")
REDIS = harness.redis_server()


note = harness.note


def resp(port, *args, password=None, timeout=2.0):
    """One command to 127.0.0.1:port (after AUTH password, if given); the
    decoded reply (OSError if the server is down)."""
    cmds = ([("AUTH", password)] if password else []) + [args]
    s = socket.create_connection(("127.0.0.1", port), timeout)
    req = b""
    for c in cmds:
        req += b"*%d\r\n" % len(c)
        for a in c:
            a = str(a).encode()
            req += b"$%d\r\n%s\r\n" % (len(a), a)
    try:
        s.sendall(req)
        f = s.makefile("rb")
        try:
            return [harness._resp(f) for _ in cmds][-1]
        finally:
            f.close()
    finally:
        s.close()


readme_block = harness.readme_block


class Redis:
    """A redis-server (or a Sentinel) of this test, in its own directory."""

    password = None

    def __init__(self, name, *extra, port=None):
        self.name = name
        self.port = port or harness.free_port()
        self.dir = os.path.join(S.tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.extra = list(extra)
        self.proc = None

    def argv(self):
        return [REDIS, "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", self.dir, "--save", "", "--appendonly", "no"] \
            + self.extra

    def start(self):
        self.proc = S.spawn(self.argv(), self.name + ".log")
        harness.wait_for(self.answers, self.name)

    def cmd(self, *args):
        return resp(self.port, *args, password=self.password)

    def answers(self):
        try:
            return self.cmd("PING") == "PONG"
        except OSError:
            return False

    def role(self):
        try:
            r = self.cmd("ROLE")
            return r[0].decode() if isinstance(r, list) else None
        except OSError:
            return None

    def info(self, section):
        text = self.cmd("INFO", section).decode()
        return dict(line.split(":", 1) for line in text.split("\r\n")
                    if ":" in line)

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        self.proc.wait(10)


class Sentinel(Redis):
    """A Sentinel monitoring master as name, with conf lines (default: no
    passwords, quick timings)."""

    def __init__(self, name, master, master_name="m", lines=None,
                 password=None):
        super().__init__(name)
        self.master_name = master_name
        self.password = password
        self.conf = os.path.join(self.dir, "sentinel.conf")
        lines = lines or [
            "sentinel monitor %s 127.0.0.1 %d 2" % (master_name,
                                                    master.port),
            "sentinel down-after-milliseconds %s 1000" % master_name,
            "sentinel failover-timeout %s 2000" % master_name]
        with open(self.conf, "w") as f:
            f.write("port %d\nbind 127.0.0.1\ndir %s\n%s\n"
                    % (self.port, self.dir, "\n".join(lines)))

    def argv(self):
        return [REDIS, self.conf, "--sentinel"]

    def master_port(self):
        try:
            r = self.cmd("SENTINEL", "get-master-addr-by-name",
                         self.master_name)
            return int(r[1]) if r else None
        except OSError:
            return None


class Gate(harness.Gate):
    """A sessgate process of this test, spoken to over FastCGI."""

    def __init__(self, name, redis, extra=""):
        """redis: the URL, or None if extra sets it."""
        super().__init__(S, name, "threads = 4\n"
                         "password_memlimit = 8M\npassword_opslimit = 1\n"
                         "max_sessions = 0\nlogin_max_failures = 0\n"
                         "redis_timeout = 250ms\n"
                         + ("redis = %s\n" % redis if redis else "") + extra)


class Load:
    """Client threads checking cookies in turn until stopped; every answer
    is kept as (start, end, cookie, status)."""

    def __init__(self, gate, cookies, threads):
        self.gate = gate
        self.cookies = list(cookies)
        self.results = []
        self.lock = threading.Lock()
        self.stopping = False
        LOADS.append(self)
        self.threads = [threading.Thread(target=self.run, args=(i,),
                                         daemon=True)
                        for i in range(threads)]
        for t in self.threads:
            t.start()

    def run(self, i):
        n = i
        while not self.stopping:
            c = self.cookies[n % len(self.cookies)]
            n += 1
            t0 = time.monotonic()
            try:
                st = self.gate.check(c)
            except Exception as e:  # kept, so that the test says so
                st = repr(e)
            with self.lock:
                self.results.append((t0, time.monotonic(), c, st))

    def count(self, since=0.0):
        with self.lock:
            return sum(1 for r in self.results if r[0] >= since)

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join()
        return self.results


def now():
    return time.monotonic()


def wait_until(pred, what, timeout=20.0):
    harness.wait_for(pred, what, timeout)
    return now()


def sessions(gate, users, per_user):
    out = []
    for u in users:
        gate.add_user(u, u + "-pw")
        for _ in range(per_user):
            st, c = gate.login(u, u + "-pw")
            assert st == 303 and c, st
            out.append(c)
    return out


@T.test
def restart_costs_nothing_once_redis_is_back():
    """Checks from 6 clients over 4 worker threads while redis-server
    (appendonly, sessions kept) restarts: 503 only while it is down,
    never 401; then, with every worker holding a connection the restart
    killed, the very first checks after it are all 200."""
    r = Redis("restart", "--appendonly", "yes")
    r.start()
    g = Gate("restart", "redis://127.0.0.1:%d/0" % r.port)
    cookies = sessions(g, ["ann", "ben"], 3)
    load = Load(g, cookies, 6)
    wait_until(lambda: load.count() > 100, "checks before the restart")
    down = now()
    r.stop()
    time.sleep(0.3)    # held down on purpose: requests meet a dead Redis
    r.start()
    ready = now()      # r.start() returned at the first PONG
    wait_until(lambda: load.count(ready) > 300, "checks after the restart")
    res = load.stop()
    statuses = {st for _, _, _, st in res}
    assert statuses <= {200, 503}, statuses
    failed = [x for x in res if x[3] == 503]
    assert failed, "no check met the restart"
    assert all(t0 < ready and t1 > down for t0, t1, _, _ in failed), \
        [x for x in failed if x[0] >= ready][:3]
    assert all(st == 200 for t0, _, _, st in res if t0 >= ready)
    note("restart: %d checks met a dead Redis (503), %d after it came "
         "back, all 200" % (len(failed), load.count(ready)))
    # Every worker now holds a connection; restart Redis while they idle.
    clients = int(r.info("clients")["connected_clients"])
    assert clients >= 5, clients       # 4 workers and this query
    r.stop()
    r.start()
    load = Load(g, cookies, 8)
    wait_until(lambda: load.count() >= 200, "checks after an idle restart")
    res = load.stop()
    assert all(st == 200 for _, _, _, st in res), \
        sorted({st for _, _, _, st in res})
    g.proc.terminate()
    r.stop()


def sentinel_set():
    """README's Sentinel sample on loopback: a master and a replica with
    DATA-PASSWORD, three Sentinels with SENTINEL-PASSWORD that know each
    other, down-after-milliseconds 1000 and failover-timeout 2000. Returns
    them and sessgate's configuration from the README."""
    data = ["--requirepass", "DATA-PASSWORD", "--masterauth",
            "DATA-PASSWORD"]
    master = Redis("master", *data)
    master.password = "DATA-PASSWORD"
    master.start()
    replica = Redis("replica", *data, "--replicaof", "127.0.0.1",
                    str(master.port))
    replica.password = "DATA-PASSWORD"
    replica.start()
    wait_until(lambda: replica.info("replication").get("master_link_status")
               == "up", "the replica in sync")
    sentinels = []
    for i in range(3):
        lines = [ln.replace("10.0.0.1 6379", "127.0.0.1 %d" % master.port)
                 .replace("down-after-milliseconds sessions 5000",
                          "down-after-milliseconds sessions 1000")
                 .replace("failover-timeout sessions 60000",
                          "failover-timeout sessions 2000")
                 for ln in readme_block("# sentinel.conf on each of the "
                                        "three Sentinel hosts")
                 if not ln.startswith("port ")]
        sentinels.append(Sentinel("sentinel%d" % i, master, "sessions",
                                  lines, "SENTINEL-PASSWORD"))
    for s in sentinels:
        s.start()

    def ready(s):
        return len(s.cmd("SENTINEL", "replicas", "sessions")) == 1 and \
            len(s.cmd("SENTINEL", "sentinels", "sessions")) == 2
    wait_until(lambda: all(ready(s) for s in sentinels),
               "the Sentinels to know each other and the replica", 30)
    files = {}
    for name, pw in (("redis.pass", "DATA-PASSWORD"),
                     ("sentinel.pass", "SENTINEL-PASSWORD")):
        files["/etc/sessgate/" + name] = os.path.join(S.tmp, name)
        with open(files["/etc/sessgate/" + name], "w") as f:
            f.write(pw + "\n")
        os.chmod(files["/etc/sessgate/" + name], 0o600)
    conf = "\n".join(readme_block("# sessgate.conf with Sentinel")) + "\n"
    conf = conf.replace("10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379",
                        ",".join("127.0.0.1:%d" % s.port for s in sentinels))
    for k, v in files.items():
        conf = conf.replace(k, v)
    return master, replica, sentinels, conf


class Logins:
    """One client logging in and out in a loop: every 303 login is a
    session that must live on; every 303 logout a session that must not."""

    def __init__(self, gate, user):
        self.gate, self.user = gate, user
        self.live, self.ended, self.answers = [], [], []
        self.stopping = False
        LOADS.append(self)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        n = 0
        while not self.stopping:
            st, c = self.gate.login(self.user, self.user + "-pw")
            self.answers.append(("login", st))
            if st != 303:
                time.sleep(0.05)
                continue
            n += 1
            if n % 2:
                self.live.append(c)
                continue
            st = self.gate.logout(c)
            self.answers.append(("logout", st))
            if st == 303:
                self.ended.append((now(), c))
            time.sleep(0.01)

    def stop(self):
        self.stopping = True
        self.thread.join()


@T.test
def sentinel_failover_under_load():
    """kill -9 of the master under checks, logins and logouts, with
    README's sample (redis_replicas_ack = 1, passwords): checks answer
    503 until the replica is promoted, then 200 for every session (never
    401), and no session whose logout was acknowledged comes back, not
    even the one logged out just before the kill."""
    master, replica, sentinels, conf = sentinel_set()
    assert "redis_replicas_ack = 1" in conf
    g = Gate("sentinel", None, conf)
    cookies = sessions(g, ["cat", "dan", "eve"], 2)
    st, last = g.login("cat", "cat-pw")
    assert st == 303
    st, unsure = g.login("cat", "cat-pw")
    assert st == 303
    logins = Logins(g, "dan")
    load = Load(g, cookies, 4)
    wait_until(lambda: load.count() > 100 and len(logins.live) > 2,
               "load before the kill")
    # A logout the replica cannot confirm is not acknowledged: 503.
    replica.proc.send_signal(signal.SIGSTOP)
    t0 = now()
    assert g.logout(unsure) == 503
    assert 0.25 <= now() - t0 < 2.0     # WAIT, bounded by redis_timeout
    replica.proc.send_signal(signal.SIGCONT)
    assert "0 of 1 replicas confirmed" in g.log()
    assert g.logout(last) == 303        # acknowledged, then at once:
    master.stop(signal.SIGKILL)
    kill = now()
    promoted = wait_until(
        lambda: any(s.master_port() == replica.port for s in sentinels)
        and replica.role() == "master", "the replica promoted", 30)
    wait_until(lambda: load.count(promoted) > 200, "checks after it")
    logins.stop()
    res = load.stop()
    statuses = {st for _, _, _, st in res}
    assert statuses <= {200, 503}, statuses
    after = [x for x in res if x[0] >= promoted]
    assert all(st == 200 for _, _, _, st in after), \
        [x for x in after if x[3] != 200][:3]
    down = [x for x in res if x[3] == 503]
    assert down and all(t0 < promoted for t0, _, _, _ in down)
    first_ok = min(t1 for t0, t1, _, st in res if t0 >= kill and st == 200)
    note("failover: replica promoted %.2f s after the kill; first 200 "
         "after %.2f s; last 503 %.2f s; %d checks 503, %d after 200"
         % (promoted - kill, first_ok - kill,
            max(t1 for _, t1, _, _ in down) - kill, len(down), len(after)))
    # Every session that was answered 303 is alive, every ended one dead.
    assert {st for _, st in logins.answers} <= {303, 503}, logins.answers
    for c in cookies + logins.live:
        assert g.check(c) == 200, c
    for _, c in logins.ended:
        assert g.check(c) == 401, c
    assert g.check(last) == 401
    g.proc.terminate()
    for s in sentinels:
        s.stop()
    replica.stop()


@T.test
def sentinel_failover_command_under_load():
    """SENTINEL FAILOVER: the old master stays up (the Sentinel makes it a
    replica some seconds later), so kept connections to it do not break.
    Checks, logins and logouts go on (redis_replicas_ack = 1): never 401,
    every session answered 303 lives, every logout answered 303 holds,
    and once the Sentinel names the new master every worker leaves the
    old one within the once-a-second re-ask."""
    old = Redis("gf-master")
    old.start()
    new = Redis("gf-replica", "--replicaof", "127.0.0.1", str(old.port))
    new.start()
    wait_until(lambda: new.info("replication").get("master_link_status")
               == "up", "the replica in sync")
    sentinel = Sentinel("gf-sentinel", old, "gf", [
        "sentinel monitor gf 127.0.0.1 %d 1" % old.port,
        "sentinel down-after-milliseconds gf 1000",
        "sentinel failover-timeout gf 2000"])
    sentinel.start()
    wait_until(lambda: len(sentinel.cmd("SENTINEL", "replicas", "gf")) == 1,
               "the Sentinel to know the replica")
    g = Gate("graceful", "sentinel://127.0.0.1:%d/gf" % sentinel.port,
             "redis_replicas_ack = 1\n")
    cookies = sessions(g, ["gus", "hal"], 3)
    logins = Logins(g, "hal")
    load = Load(g, cookies, 4)
    wait_until(lambda: load.count() > 100 and len(logins.live) > 2,
               "load before")
    t0 = now()
    assert sentinel.cmd("SENTINEL", "FAILOVER", "gf") == "OK"
    switched = wait_until(lambda: sentinel.master_port() == new.port and
                          new.role() == "master", "the switch", 30)
    wait_until(lambda: load.count(switched) > 200, "checks after")
    # While checks go on, every worker moves to the new master: no client
    # of sessgate's is left on the old one (CLIENT LIST there, less the
    # replication link, the Sentinel's connections and this query).

    def others(node):
        return [ln for ln in node.cmd("CLIENT", "LIST").decode().split("\n")
                if ln and " name=sentinel-" not in ln and
                " cmd=client|list" not in ln and
                not any("M" in f for f in ln.split() if f.startswith(
                    "flags="))]
    # (a thread leaves when it next uses its connection: an idle one, or
    # a login thread at SCHED_IDLE on a machine busy with other tests,
    # may take some seconds; the time it took is noted below)
    left = wait_until(lambda: not others(old),
                      "workers to leave the old master", 15)
    assert len(others(new)) >= 4, others(new)
    logins.stop()
    res = load.stop()
    statuses = {st for _, _, _, st in res}
    assert statuses <= {200, 503}, statuses
    assert {st for _, st in logins.answers} <= {303, 503}, logins.answers
    for c in cookies + logins.live:
        assert g.check(c) == 200, c
    for _, c in logins.ended:
        assert g.check(c) == 401, c
    note("SENTINEL FAILOVER: switched %.2f s after the command, every "
         "worker on the new master %.2f s later; %d checks 503 of %d"
         % (switched - t0, left - switched,
            sum(1 for x in res if x[3] == 503), len(res)))
    g.proc.terminate()
    sentinel.stop()
    old.stop()
    new.stop()


@T.test
def sentinel_settings_that_cannot_work():
    """A malformed sentinel:// URL is a FILE:LINE error at -n; an unknown
    master name, a Sentinel set that does not answer and a Sentinel that
    names a replica: 503 with a clear log line, never an allow, never a
    crash."""
    for url, msg in (("sentinel://h:1", "sentinel: expected"),
                     ("sentinel://h:1/bad name", "bad character"),
                     ("sentinel://h:0/m", "bad port")):
        path = os.path.join(S.tmp, "bad.conf")
        with open(path, "w") as f:
            f.write("threads = 1\nredis = %s\n" % url)
        r = harness.subprocess.run([SESSGATE, "-n", "-c", path],
                                   capture_output=True, text=True)
        assert r.returncode == 1 and r.stderr.startswith(
            path + ":2: redis: ") and msg in r.stderr, r
    master = Redis("lone")
    master.start()
    sentinel = Sentinel("sentinel-lone", master)
    sentinel.start()
    plain = Gate("plain", "redis://127.0.0.1:%d/0" % master.port)
    cookie = sessions(plain, ["fay"], 1)[0]
    unknown = Gate("unknown", "sentinel://127.0.0.1:%d/nosuch"
                   % sentinel.port)
    dead = Gate("dead", "sentinel://127.0.0.1:%d,127.0.0.1:%d/m"
                % (harness.free_port(), harness.free_port()))
    for g, line in ((unknown, "no Sentinel knows master nosuch"),
                    (dead, "no Sentinel answered for master m")):
        for _ in range(3):
            assert g.check(cookie) == 503
        assert line in g.log(), g.log()
        assert g.proc.poll() is None
    # a Sentinel naming a replica: refused by its ROLE
    replica = Redis("lone-replica", "--replicaof", "127.0.0.1",
                    str(master.port))
    replica.start()
    wrong = Sentinel("sentinel-wrong", replica, master_name="w")
    wrong.start()
    g = Gate("wrong", "sentinel://127.0.0.1:%d/w" % wrong.port)
    assert g.check(cookie) == 503
    assert "but its role is slave" in g.log(), g.log()
    assert plain.check(cookie) == 200
    for x in (g, plain, unknown, dead):
        x.proc.terminate()


if __name__ == "__main__":
    T.tests = [stops_loads(fn) for fn in T.tests]
    sys.exit(T.run())
