"""Redis sizing for sessgate (README, "Sizing"), on a fresh redis-server
started as the tests start it (tests/integration/harness.py):

- memory: INFO memory's used_memory before and after USERS users (the
  hash sessgatectl user add writes: name, an Argon2id string, gen) and
  then SESSIONS sessions per user, each made by create.lua itself (the
  record with its TTL, and the entry in the user's index);
- checks per second one Redis core answers: redis-benchmark sending
  check.lua by EVALSHA for random sessions out of 100000, with 50 clients
  one request at a time (as sessgate's workers send them) and pipelined
  (what Redis's one core can do when clients are not the limit). Note
  that redis-benchmark shares the machine's cores with Redis.

usage: python3 bench/sizing.py [USERS] [SESSIONS_PER_USER]"""

import base64
import os
import re
import socket
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import harness  # noqa: E402

LUA = os.path.join(TOP, "src", "store", "lua")
HASH = ("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA"
        "$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
IDLE, ABSOLUTE = 86400000, 7 * 86400000


def b64(n):
    return base64.urlsafe_b64encode(os.urandom(n)).rstrip(b"=").decode()


class Pipe:
    """One connection; commands sent in batches, replies read back."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")
        self.out = []

    def add(self, *args):
        req = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            req += b"$%d\r\n%s\r\n" % (len(a), a)
        self.out.append(req)
        if len(self.out) >= 1000:
            self.flush()

    def flush(self):
        n = len(self.out)
        self.s.sendall(b"".join(self.out))
        self.out = []
        replies = [harness._resp(self.f) for _ in range(n)]
        for r in replies:
            if isinstance(r, str) and r.startswith("ERR"):
                raise RuntimeError(r)
        return replies

    def one(self, *args):
        self.flush()
        self.add(*args)
        return self.flush()[0]


def used(p):
    info = p.one("INFO", "memory").decode()
    return int(re.search(r"used_memory:(\d+)", info).group(1))


def script(p, name):
    with open(os.path.join(LUA, name + ".lua")) as f:
        return p.one("SCRIPT", "LOAD", f.read()).decode()


def memory(p, users, per_user):
    create = script(p, "create")
    base = used(p)
    names = []
    for i in range(users):
        tag, name, gen = b64(12), "user%07d" % i, os.urandom(8).hex()
        names.append((tag, name, gen))
        p.add("HSET", "sg:{%s}:user:%s" % (tag, name), "name", name, "pw",
              HASH, "gen", gen)
    p.flush()
    after_users = used(p)
    for tag, name, gen in names:
        for _ in range(per_user):
            sid = b64(32)
            p.add("EVALSHA", create, 3, "sg:{%s}:s:%s" % (tag, sid),
                  "sg:{%s}:idx:%s" % (tag, name),
                  "sg:{%s}:user:%s" % (tag, name), name,
                  "sg:{%s}:s:" % tag, sid, IDLE, ABSOLUTE, 0,
                  "evict-oldest", gen, "192.0.2.1", "Firefox on Linux", "0")
    p.flush()
    after = used(p)
    return base, after_users, after


def throughput(port, p):
    """Checks/s for 50 clients, unpipelined and pipelined by 16."""
    check = script(p, "check")
    # live sessions of one user, as create.lua writes them (the check
    # reads the user's gen too)
    p.add("HSET", "sb:{AAAAAAAAAAAAAAAA}:user:someone", "name", "someone",
          "pw", HASH, "gen", "0123456789abcdef")
    for i in range(100000):
        p.add("SET", "sb:{AAAAAAAAAAAAAAAA}:s:%012d" % i,
              '{"u":"someone","c":1700000000000,"a":4102444800000,'
              '"g":"0123456789abcdef","p":1700000000000,"ip":"192.0.2.1",'
              '"ua":"Firefox on Linux"}', "PX", IDLE)
    p.flush()
    out = {}
    for pipe in (1, 16):
        r = subprocess.run(
            ["redis-benchmark", "-p", str(port), "-c", "50", "-n", "400000",
             "-r", "100000", "-P", str(pipe), "--csv", "EVALSHA", check, "1",
             "sb:{AAAAAAAAAAAAAAAA}:s:__rand_int__", str(IDLE),
             "sb:{AAAAAAAAAAAAAAAA}:user:", "0"],
            capture_output=True, text=True, check=True)
        out[pipe] = float(r.stdout.strip().split("\n")[-1].split(",")[1]
                          .strip('"'))
    return out


def main():
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    per_user = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    S = harness.Stack(prefix="sessgate-sizing.")
    S.start_redis()
    p = Pipe(S.redis_port)
    base, after_users, after = memory(p, users, per_user)
    keys = p.one("DBSIZE")
    sessions = users * per_user
    per_u = (after_users - base) / users
    per_s = (after - after_users) / sessions
    rates = throughput(S.redis_port, p)
    version = p.one("INFO", "server").decode()
    version = re.search(r"redis_version:(\S+)", version).group(1)
    print("| what | measured |\n|---|---|")
    print("| users, sessions (keys) | %d, %d (%d) |" % (users, sessions, keys))
    print("| memory per user (no sessions) | %.0f bytes |" % per_u)
    print("| memory per session (record + index entry) | %.0f bytes |"
          % per_s)
    print("| sessions per GB (users with 3 sessions each) | %.1f million |"
          % (2**30 / (per_s + per_u / per_user) / 1e6))
    print("| checks/s, 50 clients, one request each at a time | %.0f |"
          % rates[1])
    print("| checks/s, 50 clients, pipelined by 16 (one core's limit) | %.0f |"
          % rates[16])
    print("\nRedis %s, %d cores shared with redis-benchmark, "
          "`python3 bench/sizing.py %d %d`." % (version, os.cpu_count(),
                                               users, per_user))
    S.stop()


if __name__ == "__main__":
    main()
