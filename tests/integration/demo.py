"""README's first command, contrib/demo/run.sh: it comes up, prints a URL
and credentials that work through lighttpd, and Ctrl-C stops everything."""

import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
harness.need(os.environ.get("LIGHTTPD") or "/usr/sbin/lighttpd", "lighttpd")
harness.need(os.environ.get("REDIS_SERVER") or "redis-server", "redis-server")
state = {}


@T.test
def demo_comes_up_with_url_and_credentials():
    port = harness.free_port()
    env = dict(os.environ, DEMO_PORT=str(port),
               SESSGATE_BIN_DIR=os.path.abspath(harness.TOP_BUILDDIR),
               TMPDIR=os.environ.get("TMPDIR", "/tmp"))
    p = subprocess.Popen([os.path.join(harness.TOP_SRCDIR, "contrib", "demo",
                                       "run.sh")],
                         cwd=harness.TOP_SRCDIR, env=env, text=True,
                         # a shell started with SIGINT ignored cannot trap it
                         preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                          signal.SIG_DFL),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    state["p"] = p
    out = ""
    while "Press Ctrl-C" not in out:
        line = p.stdout.readline()
        assert line, "the demo ended early:\n" + out
        out += line
    url = re.search(r"(http://127\.0\.0\.1:\d+/private/)", out).group(1)
    pw = re.search(r"password: +(\S+)", out).group(1)
    assert re.search(r"user name: +demo", out)
    assert url == "http://127.0.0.1:%d/private/" % port
    state.update(port=port, pw=pw,
                 tmp=re.search(r"Logs: (\S+)/sessgate\.log", out).group(1))


@T.test
def demo_credentials_log_in_and_the_page_sees_the_user():
    site = harness.Site(state["port"], cookie="sid", origin=True)
    r = site.get("/private/", headers={"Accept": "text/html"})
    assert r.status == 302 and r.header("Location").startswith("/login?next=")
    cookie, _, _ = site.login("demo", state["pw"],
                              next_="/private/whoami.cgi")
    r = site.get("/private/whoami.cgi", cookie)
    assert r.status == 200 and b"You are demo" in r.body, r.body


@T.test
def ctrl_c_stops_everything():
    p = state["p"]
    p.send_signal(signal.SIGINT)
    rest = p.stdout.read()
    assert p.wait(30) == 0
    assert "demo stopped" in rest
    assert not os.path.exists(state["tmp"])
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True,
                        text=True).stdout
    assert state["tmp"] not in ps, [l for l in ps.splitlines()
                                    if state["tmp"] in l]


code = T.run()
if state.get("p") and state["p"].poll() is None:
    state["p"].kill()
sys.exit(code)
