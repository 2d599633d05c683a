"""sessgate behind a real Apache 2.4, both ways the shipped configs offer,
each included unchanged:

- "fcgid": mod_fcgid spawns sessgate (listening socket on fd 0) as the
  FcgidAccessChecker and, through a virtual FcgidWrapper, as the Responder
  for the endpoints (contrib/apache/sessgate-fcgid.conf);
- "authnz": mod_authnz_fcgi checks sessions and mod_proxy_fcgi serves the
  endpoints, both over TCP to one sessgate daemon
  (contrib/apache/sessgate-authnz.conf);

with a real redis-server. Apache is started as the current user; as root
its children run as www-data (Apache refuses to serve as root)."""

import os
import re
import shutil
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

harness.need_apache()

T = harness.TAP()
S = harness.Stack()
COOKIE = "__Host-sid"
BASE = "max_sessions = 0\nlogin_max_failures = 1000\nredis_timeout = 250ms\n" \
    "status_path = /sessgate/metrics\nping_path = /sessgate/ping\n"
DENIED = "/private/a%20b/page.html?x=1&y=2"
ENDPOINTS = "login|logout|logout-all|password|sessgate/(metrics|ping)"
CONTRIB = os.path.join(harness.TOP_SRCDIR, "contrib", "apache")

class Site(harness.Site):
    """One Apache in front of sessgate."""

    def __init__(self, name):
        super().__init__()
        self.name = name
        self.dir = None
        self.proc = None

    def log(self, name):
        try:
            with open(os.path.join(self.dir, name), errors="replace") as f:
                return f.read()
        except OSError:
            return ""


FCGID = Site("fcgid")
AUTHNZ = Site("authnz")
QUIET = Site("fcgid-quiet")     # fcgid with README's log advice applied


def start_daemon(extra):
    """sessgate as a TCP daemon on a loopback port (mod_authnz_fcgi)."""
    S.daemon_port = harness.free_port()
    S.write_config(extra + "listen = 127.0.0.1:%d\n" % S.daemon_port)
    S.sessgate = S.spawn([os.path.join(harness.TOP_BUILDDIR, "sessgate"),
                          "-d", "-c", S.conf], "sessgate.log")
    harness.wait_for(lambda: harness.connects(S.daemon_port),
                     "sessgate's TCP port")


def start_apache(site, contrib, defines, extra=""):
    site.port, site.dir, site.proc = harness.start_apache(
        S, site.name, os.path.join(CONTRIB, contrib), defines,
        os.path.join(S.tmp, "www"), extra)


QUIET_LINE = "\t#LogLevel fcgid:crit\n"


def start_quiet(binary, fcgid_conf):
    """The fcgid Apache as README's "A quiet error log" and "Logging the
    user" say: the shipped file with its LogLevel line uncommented, and
    README's LogFormat and CustomLog, APACHE_LOG_DIR being its directory
    (the shipped file unchanged but for that one line)."""
    with open(os.path.join(CONTRIB, "sessgate-fcgid.conf")) as f:
        text = f.read()
    assert text.count(QUIET_LINE) == 1, "the commented LogLevel line"
    contrib = os.path.join(S.tmp, "sessgate-fcgid-quiet.conf")
    write(contrib, text.replace(QUIET_LINE, QUIET_LINE.replace("#", "")))
    user_log = harness.readme_block(
        "# Apache with mod_fcgid: the user in the access log")
    os.makedirs(os.path.join(S.tmp, QUIET.name, "logs"))
    QUIET.port, QUIET.dir, QUIET.proc = harness.start_apache(
        S, QUIET.name, contrib, (
            ("SESSGATE_BIN", binary),
            ("SESSGATE_CONF", fcgid_conf),
            ("SESSGATE_PROTECTED", "^/private/"),
            ("APACHE_LOG_DIR", os.path.join(S.tmp, QUIET.name, "logs"))),
        os.path.join(S.tmp, "www"), "\n".join(user_log))


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def setup():
    # Apache's children (www-data when we are root) read the tree.
    os.chmod(S.tmp, 0o755)
    S.start_redis()
    start_daemon(BASE)
    os.chmod(S.conf, 0o644)
    for user, pw in (("alice", "alice-pw"), ("bob", "bob-pw")):
        S.add_user(user, pw)
    # mod_fcgid's sessgate: one request at a time per process, one thread.
    fcgid_conf = os.path.join(S.tmp, "sessgate-fcgid.conf")
    with open(S.conf) as f:
        write(fcgid_conf, f.read() + "threads = 1\n")
    www = os.path.join(S.tmp, "www")
    os.makedirs(os.path.join(www, "private"))
    write(os.path.join(www, "public.html"), "the public page\n")
    write(os.path.join(www, "private", "index.html"), "the secret page\n")
    write(os.path.join(www, "private", "whoami.cgi"),
          "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n"
          "user=%s\\n' \"$REMOTE_USER\"\n", 0o755)
    # mod_fcgid runs sessgate as Apache's User: a copy in the temp tree
    # works wherever the build tree is (a checkout under /root is not
    # reachable by www-data).
    binary = os.path.join(S.tmp, "sessgate")
    shutil.copy2(os.path.join(harness.TOP_BUILDDIR, "sessgate"), binary)
    start_apache(FCGID, "sessgate-fcgid.conf", (
        ("SESSGATE_BIN", binary),
        ("SESSGATE_CONF", fcgid_conf),
        ("SESSGATE_PROTECTED", "^/private/")))
    # its own copy: sessgate_children() tells the processes apart by it
    quiet_conf = os.path.join(S.tmp, "sessgate-fcgid-quiet-gate.conf")
    shutil.copy2(fcgid_conf, quiet_conf)
    start_quiet(binary, quiet_conf)
    # The whole site but the endpoints, as the file's comment suggests.
    start_apache(AUTHNZ, "sessgate-authnz.conf", (
        ("SESSGATE_PORT", str(S.daemon_port)),
        ("SESSGATE_PROTECTED", "^/(?!(%s)$)" % ENDPOINTS)))


def form_next(body):
    m = re.search(rb'<input type="hidden" name="next" value="([^"]*)">', body)
    assert m, body
    return m.group(1).decode()


def both(fn):
    """Register fn once per server, named after it."""
    for site in (FCGID, AUTHNZ):
        def t(site=site):
            fn(site)
        t.__name__ = "%s_%s" % (site.name, fn.__name__)
        T.test(t)
    return fn


@T.test
def fcgid_denied_navigation_gets_401_and_the_login_form():
    """mod_fcgid turns sessgate's 302 into a 401; ErrorDocument 401 /login
    has sessgate answer it with the form, still 401, next = the URL."""
    nav = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for method in ("GET", "HEAD"):
        r = FCGID.get(DENIED, headers=nav, method=method)
        assert r.status == 401, (method, r.status)
        assert r.header("Content-Type").startswith("text/html")
        assert r.header("Location") is None
        assert r.cookie(COOKIE) is None
    r = FCGID.get(DENIED, headers=nav)
    assert b'<form method="post" action="/login">' in r.body, r.body
    assert form_next(r.body) == "/private/a%20b/page.html?x=1&amp;y=2"


@T.test
def fcgid_denied_api_request_gets_a_plain_401():
    """Not a page navigation: Apache's own 401 page, not the form (the
    JSON body sessgate sent is lost in mod_fcgid)."""
    for method, headers in (("GET", {}),
                            ("GET", {"Accept": "application/json"}),
                            ("POST", {"Accept": "text/html"})):
        r = FCGID.get("/private/whoami.cgi", headers=headers, method=method)
        assert r.status == 401, (method, headers, r.status)
        assert b"<form" not in r.body, r.body
        assert b"user=" not in r.body


@T.test
def authnz_denied_navigation_is_redirected_to_the_login_form():
    """mod_authnz_fcgi passes sessgate's 302 and Location through."""
    r = AUTHNZ.get(DENIED, headers={"Accept": "text/html"})
    assert r.status == 302, r.status
    loc = r.header("Location")
    assert loc == "/login?next=/private/a%2520b/page.html%3Fx%3D1%26y%3D2", loc
    r = AUTHNZ.get(loc, headers={"Accept": "text/html"})
    assert r.status == 200, r.status
    assert form_next(r.body) == "/private/a%20b/page.html?x=1&amp;y=2"


@T.test
def authnz_denied_api_request_gets_401_with_sessgates_body():
    """Status and body come through; Apache relabels the body text/html."""
    r = AUTHNZ.get("/private/whoami.cgi", headers={
        "Accept": "application/json"})
    assert r.status == 401, r.status
    assert r.body == b'{"error":"unauthenticated"}\n', r.body
    assert r.header("WWW-Authenticate") is None


@T.test
def fcgid_protects_only_its_tree():
    r = FCGID.get("/public.html")
    assert r.status == 200 and r.body == b"the public page\n", r.status


@T.test
def authnz_protects_the_whole_site_but_the_endpoints():
    r = AUTHNZ.get("/public.html")
    assert r.status == 401, r.status
    r = AUTHNZ.get("/login")
    assert r.status == 200 and b"<form" in r.body, r.status


@both
def login_form_is_served(site):
    r = site.get("/login?next=%2Fprivate%2Fx%3Fy%3D1")
    assert r.status == 200, r.status
    assert r.header("Content-Type").startswith("text/html")
    assert form_next(r.body) == "/private/x?y=1"


@both
def login_sets_the_cookie_and_redirects_to_next(site):
    r = site.post("/login", {"username": "alice", "password": "alice-pw",
                             "next": "/private/x?y=1"})
    assert r.status == 303, (r.status, r.body)
    assert r.header("Location") == "/private/x?y=1", r.header("Location")
    value, attrs = r.cookie(COOKIE)
    assert attrs == ["Path=/", "Max-Age=604800", "Secure", "HttpOnly",
                     "SameSite=Lax"], attrs
    assert len(value) == 60 and value[16] == ".", value
    r = site.post("/login", {"username": "alice", "password": "nope"})
    assert r.status == 401 and r.cookie(COOKIE) is None, r.status


@both
def static_file_and_cgi_are_served_with_the_cookie(site):
    value, _, _ = site.login("bob", "bob-pw")
    r = site.get("/private/", value, {"Accept": "text/html"})
    assert r.status == 200 and r.body == b"the secret page\n", r.status
    assert r.header("Variable-REMOTE_USER") is None, r.headers
    r = site.get("/private/whoami.cgi", value)
    assert r.status == 200 and r.body == b"user=bob\n", (r.status, r.body)
    for k, _ in r.headers:
        assert not k.lower().startswith("variable-"), r.headers
    # the check is safe to repeat: the same cookie keeps working
    for _ in range(3):
        assert site.get("/private/whoami.cgi", value).body == b"user=bob\n"


@both
def apache_knows_the_user_only_with_authnz(site):
    """mod_authnz_fcgi sets r->user (%u in the access log); mod_fcgid only
    sets the REMOTE_USER variable, so Apache logs "-"."""
    value, _, _ = site.login("alice", "alice-pw")
    path = "/private/whoami.cgi?log=%s" % site.name
    assert site.get(path, value).status == 200
    want = "%s 200 GET %s HTTP/1.1" % (
        "alice" if site is AUTHNZ else "-", path)
    harness.wait_for(lambda: want in site.log("access.log"),
                     "the access log line %r" % want)


@T.test
def fcgid_logs_each_refusal_at_level_error():
    """Why README's advice is a per-location LogLevel fcgid:crit: mod_fcgid
    2.3.9 logs a refusal at level error (a server-wide fcgid:error keeps
    it)."""
    harness.wait_for(lambda: "script returned status 302" in
                     FCGID.log("error.log"), "the refusal's line", 5)
    lines = [x for x in FCGID.log("error.log").splitlines()
             if "script returned status" in x]
    assert all("[fcgid:error]" in x for x in lines), lines
    harness.note(lines[0].split("] ", 3)[-1])


@T.test
def fcgid_quiet_log_and_the_user_in_the_access_log():
    """README's advice, run: the shipped LogLevel line uncommented leaves
    no refusal line in the error log (mod_fcgid's other lines stay), and
    README's LogFormat logs the user of a signed-in request, "-" for the
    others. The same requests on the other fcgid Apache log the line."""
    nav = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    refusals = FCGID.log("error.log").count("script returned status")
    for site in (QUIET, FCGID):
        r = site.get("/private/index.html?anon=1", headers=nav)
        assert r.status == 401 and b"<form" in r.body, r.status
        r = site.get("/private/whoami.cgi?anon=2")
        assert r.status == 401, r.status
        value, _, _ = site.login("alice", "alice-pw")
        r = site.get("/private/whoami.cgi?signed=in", value)
        assert r.status == 200 and r.body == b"user=alice\n", r.body
    harness.wait_for(lambda: FCGID.log("error.log").count(
        "script returned status") == refusals + 2, "the refusal lines", 5)
    user_log = os.path.join("logs", "access.log")   # README's CustomLog
    want = ('"GET /private/whoami.cgi?signed=in HTTP/1.1" 200 11',
            '"GET /private/whoami.cgi?anon=2 HTTP/1.1" 401')
    harness.wait_for(lambda: all(w in QUIET.log(user_log) for w in want),
                     "the access log lines")
    lines = QUIET.log(user_log).splitlines()
    signed = [x for x in lines if "signed=in" in x]
    anon = [x for x in lines if "anon=" in x]
    harness.note(signed[0])
    assert len(signed) == 1 and signed[0].startswith("127.0.0.1 alice ["), \
        signed
    assert len(anon) == 2 and all(x.startswith("127.0.0.1 - [")
                                  for x in anon), anon
    # %u, in the other CustomLog, still logs "-"
    assert "- 200 GET /private/whoami.cgi?signed=in HTTP/1.1" in \
        QUIET.log("access.log"), QUIET.log("access.log")
    log = QUIET.log("error.log")
    assert "returned status" not in log, \
        [x for x in log.splitlines() if "returned status" in x]
    assert "[fcgid:info]" in log and "Process manager" in log, log[-2000:]


@both
def logout_clears_the_cookie_and_ends_the_session(site):
    value, _, _ = site.login("alice", "alice-pw")
    other, _, _ = site.login("alice", "alice-pw")
    assert site.alive(value)
    r = site.post("/logout", {}, value, {"Origin": "http://evil.example"})
    assert r.status == 403 and r.cookie(COOKIE) is None, r.status
    assert site.alive(value)
    r = site.post("/logout", {}, value, site.same_origin())
    assert r.status == 303, (r.status, r.body)
    assert r.header("Location") == "/login", r.header("Location")
    v, attrs = r.cookie(COOKIE)
    assert v == "" and attrs == ["Path=/", "Max-Age=0", "Secure", "HttpOnly",
                                 "SameSite=Lax"], attrs
    assert not site.alive(value)
    assert site.alive(other)   # only this session ended
    assert site.get("/logout").status == 405


@both
def logout_everywhere_ends_every_session(site):
    a, _, _ = site.login("bob", "bob-pw")
    b, _, _ = site.login("bob", "bob-pw")
    r = site.post("/logout-all", {}, a, site.same_origin())
    assert r.status == 303 and r.cookie(COOKIE)[0] == "", r.status
    assert not site.alive(a) and not site.alive(b)


@both
def password_change_reissues_the_cookie(site):
    user = "pw" + site.name
    S.add_user(user, "old-pw")
    a, _, _ = site.login(user, "old-pw")
    r = site.post("/password", {"current_password": "old-pw",
                                "new_password": "new-pw"}, a,
                  site.same_origin())
    assert r.status == 303, (r.status, r.body)
    new = r.cookie(COOKIE)[0]
    assert new and new != a
    assert not site.alive(a) and site.alive(new)


@both
def bogus_cookies_are_refused(site):
    value, _, _ = site.login("bob", "bob-pw")
    for bogus in ("garbage", value[:17] + "A" * 43, value + "A",
                  value.lower(), ""):
        assert not site.alive(bogus), bogus
        r = site.get("/private/", bogus, {"Accept": "text/html"})
        assert r.status == (302 if site is AUTHNZ else 401), r.status
        assert b"the secret page" not in r.body
        assert r.header("Variable-REMOTE_USER") is None


@both
def redis_down_never_lets_anyone_in(site):
    """Redis paused: mod_authnz_fcgi passes sessgate's 503; mod_fcgid turns
    it into 401 (the login form for a navigation), Retry-After kept."""
    value, _, _ = site.login("bob", "bob-pw")
    os.kill(S.redis.pid, signal.SIGSTOP)
    try:
        for accept in ("text/html", "application/json"):
            r = site.get("/private/whoami.cgi", value, {"Accept": accept})
            want = 503 if site is AUTHNZ else 401
            assert r.status == want, (accept, r.status)
            assert r.header("Retry-After") == "1", r.headers
            assert b"user=" not in r.body
    finally:
        os.kill(S.redis.pid, signal.SIGCONT)
    assert site.alive(value)   # the stored session was not lost


def sessgate_children():
    """pids of sessgate processes spawned by mod_fcgid for this test."""
    conf = os.path.join(S.tmp, "sessgate-fcgid.conf").encode()
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
            with open("/proc/%s/stat" % pid) as f:
                state = f.read().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if conf in argv and state != "Z":
            pids.append(int(pid))
    return pids


@both
def monitoring_paths_answer_this_host_only(site):
    harness.monitoring_to_loopback_only(site.port)


@T.test
def fcgid_spawned_sessgate_exits_cleanly_with_apache():
    assert sessgate_children(), "mod_fcgid spawned no sessgate"
    FCGID.proc.terminate()
    assert FCGID.proc.wait(30) == 0
    harness.wait_for(lambda: not sessgate_children(),
                     "mod_fcgid's sessgate processes to exit")
    log = FCGID.log("error.log")
    # sessgate's own SIGTERM handling: not killed after a timeout
    assert "terminated by calling exit(), return code: 0" in log, log



setup()
sys.exit(T.run())
