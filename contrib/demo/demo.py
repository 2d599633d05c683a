"""The sessgate demo, run by contrib/demo/run.sh once the packages and the
build are there: Redis + sessgate + lighttpd on loopback (the test
harness's own start-up), a user `demo` with a random password and a
protected page. Prints the URL and the credentials; Ctrl-C (or SIGTERM)
stops everything and removes the temporary directory.

The demo serves plain HTTP on 127.0.0.1, so it relaxes the cookie to
`cookie_name = sid` and `cookie_secure = no`; production keeps the
defaults (__Host-sid, Secure) behind HTTPS. DEMO_PORT changes the port
(8080), SESSGATE_BIN_DIR where sessgate and sessgatectl are (the top of
the tree)."""

import os
import secrets
import signal
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import harness  # noqa: E402

CONFIG = """cookie_name = sid
cookie_secure = no
idle_timeout = 30m
absolute_timeout = 8h
"""

SITE = {
    "index.html": """<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>sessgate demo</title>
<h1>sessgate demo</h1><p><a href="/private/">The protected page</a></p></html>
""",
    "private/index.html": """<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Protected</title>
<h1>You are in</h1>
<p>This page is behind sessgate. <a href="whoami.cgi">Who am I?</a></p>
<form method="post" action="/logout"><button>Sign out</button></form>
<form method="post" action="/logout-all"><button>Sign out everywhere</button></form>
</html>
""",
    "private/whoami.cgi": """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\nYou are %s (REMOTE_USER, set by sessgate).\\n' "$REMOTE_USER"
""",
}

BANNER = """
  sessgate demo is up:   http://127.0.0.1:%(port)d/private/
  user name:             demo
  password:              %(password)s

  Logs: %(tmp)s/sessgate.log. Press Ctrl-C to stop everything."""


def write_site(root):
    for name, text in SITE.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        if name.endswith(".cgi"):
            os.chmod(path, 0o755)
    return root


def bring_up(stack, port):
    """Redis, the demo user, sessgate, lighttpd; returns the password."""
    stack.start_redis()
    stack.write_config(CONFIG)
    password = secrets.token_hex(6)
    stack.add_user("demo", password)
    stack.start_sessgate(CONFIG)
    stack.start_lighttpd(write_site(os.path.join(stack.tmp, "www")),
                         port=port)
    return password


def main():
    port = int(os.environ.get("DEMO_PORT") or 8080)
    bindir = os.environ.get("SESSGATE_BIN_DIR") or TOP
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    stack = harness.Stack(prefix="sessgate-demo.", bindir=bindir,
                          fast_hashes=False, detach=True)
    try:
        password = bring_up(stack, port)
        print(BANNER % {"port": port, "password": password,
                        "tmp": stack.tmp}, flush=True)
        while True:
            signal.pause()
    except KeyboardInterrupt:
        return 0
    except (RuntimeError, OSError) as e:
        print("demo: %s" % e, file=sys.stderr)
        return 1
    finally:
        stack.stop()
        print("demo stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
