"""Drive a real Chromium through sessgate behind lighttpd over HTTPS and
print what it saw as one JSON document on stdout. browser.py starts the
servers, runs this script and asserts on the JSON; this script asserts
nothing itself, so that every step is reported even after a surprise.

Chromium is driven over the Chrome DevTools Protocol on the pipe it opens
with --remote-debugging-pipe (it reads commands on fd 3 and writes answers
and events on fd 4, each a JSON text ended by a NUL byte): Python's
standard library only, no node, no driver package. Typing and clicking go
through the browser's input pipeline (Input.insertText, mouse events at
the element's centre), as a user's would.

Environment (all set by browser.py):
  SG_BASE        https://127.0.0.1:PORT
  SG_USER        a user name known to sessgate
  SG_PASS        its password
  SG_ARTIFACTS   directory for the screenshots (created if missing)
  SG_CHROMIUM    the browser executable (default /usr/bin/chromium)
  TMPDIR         where Chromium's fresh profile and its log go
"""

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from urllib.parse import parse_qs, urlsplit

TIMEOUT = 15.0


class CDPError(Exception):
    pass


class Chromium:
    """One headless Chromium with a fresh profile, and its DevTools pipe."""

    def __init__(self, exe, args):
        self.profile = tempfile.mkdtemp(prefix="chromium-profile.")
        self.log = os.path.join(os.path.dirname(self.profile),
                                "chromium.log")
        to_browser = os.pipe()      # we write, Chromium reads on fd 3
        from_browser = os.pipe()    # Chromium writes on fd 4, we read

        def fds_3_and_4():
            # In the child, between fork and exec: park both ends above
            # 10 first so that neither is overwritten by the other's dup2.
            r = fcntl.fcntl(to_browser[0], fcntl.F_DUPFD_CLOEXEC, 10)
            w = fcntl.fcntl(from_browser[1], fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        with open(self.log, "ab") as log:
            # close_fds=False keeps the 3 and 4 made above; every other
            # descriptor of ours is close-on-exec (PEP 446).
            self.proc = subprocess.Popen(
                [exe, "--headless", "--remote-debugging-pipe",
                 "--user-data-dir=" + self.profile] + args + ["about:blank"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                close_fds=False, preexec_fn=fds_3_and_4)
        os.close(to_browser[0])
        os.close(from_browser[1])
        self.wfd, self.rfd = to_browser[1], from_browser[0]
        self.buf = b""
        self.next_id = 0
        self.replies = {}
        self.events = []            # every event, in order, for the steps

    def _pump(self, deadline):
        """Read what Chromium sent, until at least one message or the
        deadline."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise CDPError("timed out waiting for Chromium")
        ready, _, _ = select.select([self.rfd], [], [], left)
        if not ready:
            return
        data = os.read(self.rfd, 1 << 20)
        if not data:
            raise CDPError("Chromium closed its DevTools pipe (exit %s); %s"
                           % (self.proc.poll(), self.log_tail()))
        self.buf += data
        while b"\0" in self.buf:
            raw, self.buf = self.buf.split(b"\0", 1)
            msg = json.loads(raw)
            if "id" in msg:
                self.replies[msg["id"]] = msg
            else:
                self.events.append(msg)

    def call(self, method, params=None, session=None, timeout=TIMEOUT):
        self.next_id += 1
        mid = self.next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self.wfd, data):]
        deadline = time.monotonic() + timeout
        while mid not in self.replies:
            self._pump(deadline)
        reply = self.replies.pop(mid)
        if "error" in reply:
            raise CDPError("%s: %s" % (method, reply["error"]))
        return reply.get("result", {})

    def wait_event(self, since, match, timeout=TIMEOUT, what="an event"):
        """The first event from index `since` on for which match(e)."""
        deadline = time.monotonic() + timeout
        i = since
        while True:
            while i < len(self.events):
                if match(self.events[i]):
                    return self.events[i]
                i += 1
            try:
                self._pump(deadline)
            except CDPError as e:
                raise CDPError("waiting for %s: %s" % (what, e)) from None

    def log_tail(self):
        try:
            with open(self.log, errors="replace") as f:
                return "chromium.log: " + f.read()[-2000:]
        except OSError:
            return "no chromium.log"

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:   # already gone, or not answering: stop it below
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.wfd)
        os.close(self.rfd)
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """The one tab: navigation, input, snapshots, and what it recorded."""

    def __init__(self, browser, out, tid=None):
        """The first tab, or the target tid (a tab of another browser
        context: sessions.py's second browser)."""
        self.b = browser
        self.out = out
        targets = browser.call("Target.getTargets")["targetInfos"]
        pages = [t for t in targets if t["type"] == "page"]
        if tid is None:
            tid = pages[0]["targetId"] if pages else browser.call(
                "Target.createTarget", {"url": "about:blank"})["targetId"]
        self.sid = browser.call("Target.attachToTarget", {
            "targetId": tid, "flatten": True})["sessionId"]
        self.frame = self.call("Page.getFrameTree")["frameTree"]["frame"]["id"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(domain + ".enable")
        # The page's viewport, whatever the headless window's frame takes.
        self.call("Emulation.setDeviceMetricsOverride", {
            "width": 800, "height": 600, "deviceScaleFactor": 1,
            "mobile": False})
        self.seen = 0               # events already turned into out's lists
        self.urls = {}              # requestId: "METHOD URL"

    def call(self, method, params=None):
        return self.b.call(method, params, session=self.sid)

    def mine(self, e):
        return e.get("sessionId") == self.sid

    def mark(self):
        return len(self.b.events)

    def evaluate(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr,
                                           "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise CDPError("evaluate: %s" % json.dumps(r["exceptionDetails"]))
        return r["result"].get("value")

    # --- waiting for navigations -------------------------------------
    def wait_commit(self, since):
        """The main frame's next Page.frameNavigated after `since`."""
        e = self.b.wait_event(since, lambda e: (
            self.mine(e) and e["method"] == "Page.frameNavigated" and
            "parentId" not in e["params"]["frame"]), what="a navigation")
        return e["params"]

    def wait_load(self, since):
        self.b.wait_event(since, lambda e: (
            self.mine(e) and e["method"] == "Page.loadEventFired"),
            what="the load event")

    def chain(self, since):
        """Every main-frame document request since `since`, redirects
        included: [{method, url, status}] (status from the response, or
        from the redirect that ended the hop)."""
        hops = []
        for e in self.b.events[since:]:
            if not self.mine(e):
                continue
            m, p = e["method"], e.get("params", {})
            if (m == "Network.requestWillBeSent" and
                    p.get("type") == "Document" and
                    p.get("frameId") == self.frame):
                if "redirectResponse" in p:
                    for h in reversed(hops):
                        if h["id"] == p["requestId"]:
                            h["status"] = p["redirectResponse"]["status"]
                            break
                hops.append({"id": p["requestId"],
                             "method": p["request"]["method"],
                             "url": p["request"]["url"], "status": None})
            elif (m == "Network.responseReceived" and
                  p.get("type") == "Document"):
                for h in reversed(hops):
                    if h["id"] == p["requestId"] and h["status"] is None:
                        h["status"] = p["response"]["status"]
                        h["fromCache"] = (p["response"].get("fromDiskCache")
                                          or False)
                        break
        for h in hops:
            del h["id"]
        return hops

    def goto(self, url):
        since = self.mark()
        r = self.call("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise CDPError("navigate %s: %s" % (url, r["errorText"]))
        self.wait_load(since)
        return self.chain(since)

    def reload(self):
        since = self.mark()
        self.call("Page.reload")
        self.wait_load(since)
        return self.chain(since)

    def go_back(self):
        """Back one history entry; wait for the commit, and for the load
        only when the server was asked (a page restored from the
        back/forward cache fires no load event). Returns the chain, how the
        frame was navigated, and the event index the step started at."""
        h = self.call("Page.getNavigationHistory")
        entry = h["entries"][h["currentIndex"] - 1]
        since = self.mark()
        self.call("Page.navigateToHistoryEntry", {"entryId": entry["id"]})
        nav = self.wait_commit(since)
        hops = self.chain(since)
        if hops:
            self.wait_load(since)
        return hops, nav.get("type", "Navigation"), since

    # --- input ----------------------------------------------------------
    # The buttons whose label is exactly this text.
    BUTTONS = """(label) => [...document.querySelectorAll(
        'button, input[type="submit"]')].filter(
        (e) => (e.value || e.textContent).trim() === label)"""

    FIND = """(() => {
      const want = %(want)s;
      const els = want.css ? [...document.querySelectorAll(want.css)] :
        (%(buttons)s)(want.button);
      if (els.length !== 1) return {count: els.length};
      const el = els[0];
      el.scrollIntoView({block: 'center', inline: 'center'});
      const r = el.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      const hit = document.elementFromPoint(x, y);
      if (want.focus) { el.focus(); el.select(); }
      return {count: 1, x, y, width: r.width, height: r.height,
              hit: !!hit && (hit === el || el.contains(hit)),
              focused: document.activeElement === el};
    })()"""

    def find(self, what, **kw):
        r = self.evaluate(self.FIND % {"want": json.dumps(dict(what, **kw)),
                                       "buttons": self.BUTTONS})
        if r["count"] != 1:
            raise CDPError("%s: %d elements" % (what, r["count"]))
        if not (r["width"] > 0 and r["height"] > 0 and r["hit"]):
            raise CDPError("%s is not visible or is covered: %s" % (what, r))
        return r

    def fill(self, css, text):
        """Focus the field, select what it holds, and type over it."""
        r = self.find({"css": css}, focus=True)
        if not r["focused"]:
            raise CDPError("%s does not take the focus" % css)
        self.call("Input.insertText", {"text": text})

    def click_and_wait(self, button):
        """Click the button with this exact label, as a mouse would, and
        wait for the navigation it starts to load."""
        r = self.find({"button": button})
        since = self.mark()
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            ev = {"type": kind, "x": r["x"], "y": r["y"]}
            if kind != "mouseMoved":
                ev.update(button="left", clickCount=1)
            self.call("Input.dispatchMouseEvent", ev)
        self.wait_commit(since)
        self.wait_load(since)
        return self.chain(since)

    # --- what the page shows -----------------------------------------------
    VIEW = """(() => {
      const visible = (el) => {
        if (!el) return false;
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 &&
          getComputedStyle(el).visibility !== 'hidden';
      };
      const one = (css) => {
        const els = document.querySelectorAll(css);
        return els.length === 1 && visible(els[0]);
      };
      const next = document.querySelectorAll('input[name="next"]');
      const buttons = (%(buttons)s)('Sign out');
      return {
        title: document.title,
        text: document.body ? document.body.innerText.trim() : '',
        loginForm: one('form[action="/login"]'),
        usernameField: one('input[name="username"]'),
        passwordField: one('input[name="password"][type="password"]'),
        nextField: next.length === 1 ? next[0].value : null,
        logoutButton: buttons.length === 1 && visible(buttons[0]),
      };
    })()"""

    def screenshot(self, path):
        m = self.call("Page.getLayoutMetrics")
        size = m.get("cssContentSize") or m["contentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"],
                "height": size["height"], "scale": 1}
        r = self.call("Page.captureScreenshot", {
            "format": "png", "clip": clip, "captureBeyondViewport": True})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def snapshot(self, name):
        path = os.path.join(os.environ["SG_ARTIFACTS"], name + ".png")
        self.screenshot(path)
        url = self.evaluate("location.href")
        q = parse_qs(urlsplit(url).query)
        s = {"screenshot": path, "url": url, "path": urlsplit(url).path,
             "next": q["next"][0] if "next" in q else None}
        s.update(self.evaluate(self.VIEW % {"buttons": self.BUTTONS}))
        return s

    def cookies(self, url=None):
        """The cookie jar as the browser holds it: every cookie, or those
        it would send to url. sameSite is null unless the Set-Cookie line
        named one."""
        if url:
            cs = self.call("Network.getCookies", {"urls": [url]})["cookies"]
        else:
            cs = self.b.call("Storage.getCookies")["cookies"]
        return [{"name": c["name"], "domain": c["domain"], "path": c["path"],
                 "secure": c["secure"], "httpOnly": c["httpOnly"],
                 "sameSite": c.get("sameSite"), "expires": c["expires"],
                 "session": c.get("session"), "value": c["value"],
                 "valueLength": len(c["value"])} for c in cs]

    def record(self):
        """Console lines, uncaught page errors and failed requests seen
        so far go to out."""
        for e in self.b.events[self.seen:]:
            if not self.mine(e):
                continue
            m, p = e["method"], e.get("params", {})
            if m == "Network.requestWillBeSent":
                self.urls[p["requestId"]] = "%s %s" % (
                    p["request"]["method"], p["request"]["url"])
            elif m == "Runtime.consoleAPICalled":
                self.out["console"].append("%s: %s" % (p["type"], " ".join(
                    str(a.get("value", a.get("description", "")))
                    for a in p.get("args", []))))
            elif m == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                self.out["pageErrors"].append(
                    d.get("exception", {}).get("description") or d["text"])
            elif m == "Network.loadingFailed":
                self.out["failedRequests"].append(
                    "%s: %s" % (self.urls.get(p["requestId"], p["requestId"]),
                                p.get("errorText")))
        self.seen = len(self.b.events)


def journey(page, out, base, user, password):
    steps = out["steps"]

    # (a) a protected page, signed out: the login form, with next.
    chain = page.goto(base + "/private/")
    steps["a"] = dict(chain=chain, **page.snapshot("1-login-form"))

    # (a2) a wrong password: the same form again, with the generic message.
    page.fill('input[name="username"]', user)
    page.fill('input[name="password"]', password + "-wrong")
    chain = page.click_and_wait("Sign in")
    steps["a2"] = dict(chain=chain, cookies=page.cookies(),
                       **page.snapshot("2-wrong-password"))

    # (b) type the real credentials and submit: the protected page.
    page.fill('input[name="username"]', user)
    page.fill('input[name="password"]', password)
    chain = page.click_and_wait("Sign in")
    steps["b"] = dict(chain=chain, **page.snapshot("3-protected-page"))

    # (c) the session cookie is in the jar but out of the page's reach.
    # A script-visible cookie set here first shows that document.cookie
    # works at all on this origin.
    doc_cookie = page.evaluate(
        "document.cookie = 'probe=1; Path=/; Secure; SameSite=Lax';"
        "document.cookie")
    steps["c"] = {"documentCookie": doc_cookie, "cookies": page.cookies(base)}

    # Reload with both cookies: sessgate must still let the page through.
    chain = page.reload()
    steps["c2"] = {"chain": chain, "path": urlsplit(
        page.evaluate("location.href")).path,
        "text": page.evaluate("document.body.innerText.trim()")}

    # (d) sign out: back to the form, and the protected page asks again.
    chain = page.click_and_wait("Sign out")
    steps["d"] = dict(chain=chain, cookies=page.cookies(base),
                      **page.snapshot("4-signed-out"))
    chain = page.goto(base + "/private/")
    steps["d2"] = dict(chain=chain, cookies=page.cookies(base),
                       **page.snapshot("5-private-again"))

    # (e) Back, twice, after signing out, to the protected page's history
    # entry: the browser must ask the server again (and be sent to the
    # form), not show the page from its back/forward cache, which sends
    # no request at all.
    page.go_back()
    chain, how, since = page.go_back()
    deadline = time.monotonic() + TIMEOUT
    while not page.evaluate("!!document.querySelector('h1')"):
        if time.monotonic() > deadline:
            raise CDPError("no h1 after going back")
        time.sleep(0.05)
    not_used = [e["params"] for e in page.b.events[since:]
                if page.mine(e) and
                e["method"] == "Page.backForwardCacheNotUsed"]
    steps["e"] = dict(chain=chain, navigationType=how,
                      restored=(how == "BackForwardCacheRestore" or not chain),
                      backForwardCacheNotUsed=[
                          r.get("type", "") + ":" + r.get("reason", "")
                          for p in not_used
                          for r in p.get("notRestoredExplanations", [])],
                      **page.snapshot("6-back-after-sign-out"))


# Chromium's command line, here, in sessions_drive.py and stepup_drive.py.
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-extensions", "--disable-breakpad",
    "--disable-dev-shm-usage", "--password-store=basic",
    "--disable-features=Translate,MediaRouter",
    "--hide-scrollbars", "--mute-audio",
]


def run(open_pages, go):
    """The frame of every driver: start Chromium, open_pages(browser, out)
    gives the pages, go(pages, out, env) walks the journey; whatever
    happens, each page's record is kept and one JSON document printed
    (with "error" on a failure)."""
    env = os.environ
    os.makedirs(env["SG_ARTIFACTS"], exist_ok=True)
    out = {"steps": {}, "console": [], "pageErrors": [],
           "failedRequests": []}
    browser = None
    pages = []
    try:
        browser = Chromium(env.get("SG_CHROMIUM") or "/usr/bin/chromium",
                           ARGS)
        out["browserVersion"] = browser.call(
            "Browser.getVersion", timeout=60)["product"]
        # The certificate is self-signed: accept it, for this browser only.
        browser.call("Security.setIgnoreCertificateErrors", {"ignore": True})
        pages = open_pages(browser, out)
        go(pages, out, env)
    except Exception:
        out["error"] = traceback.format_exc()
        if browser:
            out["error"] += browser.log_tail()
    finally:
        for p in pages:
            p.record()
        if browser:
            browser.close()
    sys.stdout.write(json.dumps(out, indent=1) + "\n")


def main():
    run(lambda browser, out: [Page(browser, out)],
        lambda pages, out, env: journey(pages[0], out, env["SG_BASE"],
                                        env["SG_USER"], env["SG_PASS"]))


if __name__ == "__main__":
    main()
