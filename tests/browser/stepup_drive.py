"""Drive a real Chromium through step-up (stepup.py starts the servers with
reauth_paths = /private/admin and reauth_timeout = 2s, runs this and
asserts on the JSON it prints; this script asserts nothing, as drive.py).
Sign in with the keyboard, open the admin page within reauth_timeout of
the login, wait just past it (time.monotonic from the login: no guess),
open it again: the confirm form, photographed; a wrong password, then the
right one, typed and submitted with Enter; /private/ in between.

Environment: as drive.py's (SG_BASE, SG_USER, SG_PASS, SG_ARTIFACTS,
SG_CHROMIUM, TMPDIR), and SG_REAUTH (reauth_timeout in seconds)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from drive import Page, run  # noqa: E402
from sessions_drive import (ax_names, enter_and_wait,  # noqa: E402
                            focus_emulation, settled_focus, tab)

# Past reauth_timeout by this much, so that the server's check is surely
# later than the password time plus the timeout.
MARGIN = 0.3

# What the page shows, the form's fields as a user (and a screen reader)
# meets them.
FACTS = """(() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 &&
      getComputedStyle(el).visibility !== 'hidden';
  };
  const value = (css) => document.querySelector(css) ?
    document.querySelector(css).value : null;
  const alert = document.querySelector('[role="alert"]');
  return {
    title: document.title, path: location.pathname + location.search,
    h1: document.querySelector('h1') ?
      document.querySelector('h1').textContent.trim() : null,
    text: document.body.innerText.trim(),
    alert: alert ? alert.textContent.trim() : null,
    shownUser: document.querySelector('main strong, body strong') ?
      document.querySelector('main strong, body strong').textContent : null,
    fields: [...document.querySelectorAll('input, textarea, select')]
      .filter(visible).map((e) => ({
        name: e.name, type: e.type,
        label: e.labels && e.labels.length ?
          e.labels[0].textContent.trim() : null})),
    buttons: [...document.querySelectorAll('button')].filter(visible)
      .map((b) => b.textContent.trim()),
    reauth: value('input[name="reauth"]'),
    next: value('input[name="next"]'),
    username: value('input[name="username"]'),
  };
})()"""


def sid(page):
    """The session cookie's value, as the browser holds it (Storage)."""
    jar = [c for c in page.cookies() if c["name"] == "__Host-sid"]
    return jar[0]["value"] if len(jar) == 1 else None


def visit(page, url):
    chain = page.goto(url)
    return {"chain": chain, "facts": page.evaluate(FACTS), "sid": sid(page)}


def typed(page, text):
    """Type into the focused field (the form's autofocus) and press
    Enter: what had the focus, and the navigation it started."""
    focus = settled_focus(page)
    page.call("Input.insertText", {"text": text})
    chain = enter_and_wait(page)
    return {"focus": focus, "chain": chain, "facts": page.evaluate(FACTS),
            "sid": sid(page)}


def journey(page, out, base, user, password, reauth):
    steps = out["steps"]
    focus_emulation(page)

    # 1. The protected page, signed out: the login form. Type the user
    # name, Tab, the password, Enter: /private/.
    first = page.goto(base + "/private/")
    focus = settled_focus(page)
    page.call("Input.insertText", {"text": user})
    tab(page)
    page.call("Input.insertText", {"text": password})
    t_sent = time.monotonic()           # before the password reaches it
    chain = enter_and_wait(page)
    t_login = time.monotonic()          # after: the password time is before
    steps["login"] = {"first": first, "focus": focus, "chain": chain,
                      "loginTook": t_login - t_sent,
                      "facts": page.evaluate(FACTS), "sid": sid(page)}

    # 2. The admin page within reauth_timeout of the login: shown.
    steps["fresh"] = visit(page, base + "/private/admin/")
    steps["fresh"]["sinceLogin"] = time.monotonic() - t_sent

    # 3. Just past reauth_timeout: /private/ still open, the admin page
    # asks for the password (the confirm form).
    left = t_login + reauth + MARGIN - time.monotonic()
    if left > 0:
        time.sleep(left)
    steps["stale"] = {"sinceLogin": time.monotonic() - t_login,
                      "private": visit(page, base + "/private/")}
    steps["stale"].update(visit(page, base + "/private/admin/"))
    steps["stale"]["ax"] = ax_names(page)
    steps["stale"]["focus"] = settled_focus(page)
    path = os.path.join(os.environ["SG_ARTIFACTS"], "stepup-confirm.png")
    page.screenshot(path)
    steps["stale"]["screenshot"] = path

    # 4. A wrong password: the confirm form again.
    steps["wrong"] = typed(page, password + "-wrong")

    # 5. The right one, in the same form: the admin page, the same
    # session cookie; /private/ as before.
    steps["right"] = typed(page, password)
    steps["right"]["private"] = visit(page, base + "/private/")


def main():
    run(lambda browser, out: [Page(browser, out)],
        lambda pages, out, env: journey(pages[0], out, env["SG_BASE"],
                                        env["SG_USER"], env["SG_PASS"],
                                        float(env["SG_REAUTH"])))


if __name__ == "__main__":
    main()
