"""Drive a real Chromium through the sessions page (sessions.py starts
the servers, runs this and asserts on the JSON it prints; this script
asserts nothing, as drive.py). Two browser contexts
(Target.createBrowserContext: two browsers as far as cookies go) sign in
as the same user; the first does it with the keyboard only
(Input.dispatchKeyEvent: Tab, typing, Enter), the second claims to be
Safari on an iPhone. The first opens the sessions page, is shown both
(this one marked), is read through the accessibility tree, photographed
as on a desktop and on a phone, Tabs to the other one's "Sign out" and
presses Enter; then the second navigates once more.

Environment: as drive.py's (SG_BASE, SG_USER, SG_PASS, SG_ARTIFACTS,
SG_CHROMIUM, TMPDIR)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from drive import TIMEOUT, Page, run  # noqa: E402

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
          "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
          "Mobile/15E148 Safari/604.1")

# What has the keyboard focus: enough to tell fields and buttons apart,
# with the label a screen reader would read with it.
FOCUSED = """(() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement)
    return null;
  const d = e.getAttribute('aria-describedby');
  return {tag: e.tagName.toLowerCase(), name: e.name || null,
          type: e.type || null, text: (e.textContent || '').trim(),
          label: e.labels && e.labels.length ?
            e.labels[0].textContent.trim() : null,
          describedBy: d && document.getElementById(d) ?
            document.getElementById(d).textContent.trim() : null};
})()"""

# The sessions page as the DOM has it.
ITEMS = """(() => [...document.querySelectorAll('main li')].map((li) => ({
  heading: li.querySelector('h2') ? li.querySelector('h2').textContent : null,
  ref: li.querySelector('input[name="id"]') ?
    li.querySelector('input[name="id"]').value : null,
  buttons: [...li.querySelectorAll('button')].map((b) => b.textContent.trim()),
  terms: [...li.querySelectorAll('dt')].map((d) => d.textContent.trim()),
  current: li.textContent.includes('(this browser)'),
})))()"""

PAGE_FACTS = """(() => ({
  title: document.title, path: location.pathname,
  h1: document.querySelector('h1') ? document.querySelector('h1').textContent
    : null,
  text: document.body.innerText.trim(),
  scripts: document.scripts.length,
  overflow: document.documentElement.scrollWidth > window.innerWidth,
  loginForm: !!document.querySelector('form[action="/login"]'),
  others: [...document.querySelectorAll('button')].filter(
    (b) => b.textContent.trim() === 'Sign out everywhere else').length,
}))()"""


def key(page, name, code, vk, text=None, shift=False):
    """One key pressed and released, through the browser's input
    pipeline."""
    down = {"type": "keyDown" if text else "rawKeyDown", "key": name,
            "code": code, "windowsVirtualKeyCode": vk,
            "nativeVirtualKeyCode": vk}
    if text:
        down.update(text=text, unmodifiedText=text)
    if shift:
        down["modifiers"] = 8
    page.call("Input.dispatchKeyEvent", down)
    up = {"type": "keyUp", "key": name, "code": code,
          "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk}
    if shift:
        up["modifiers"] = 8
    page.call("Input.dispatchKeyEvent", up)


def settled_focus(page):
    """What has the focus once autofocus ran: it runs at a rendering
    opportunity after the load event, later on a busy machine."""
    deadline = time.monotonic() + TIMEOUT
    f = page.evaluate(FOCUSED)
    while f is None and time.monotonic() < deadline:
        time.sleep(0.05)
        f = page.evaluate(FOCUSED)
    return f


def tab(page, shift=False):
    key(page, "Tab", "Tab", 9, shift=shift)
    return page.evaluate(FOCUSED)


def enter_and_wait(page):
    since = page.mark()
    key(page, "Enter", "Enter", 13, text="\r")
    page.wait_commit(since)
    page.wait_load(since)
    return page.chain(since)


def ax_names(page):
    """(role, name) of the accessibility tree's buttons, headings, text
    fields and links, in document order."""
    page.call("Accessibility.enable")
    nodes = page.call("Accessibility.getFullAXTree")["nodes"]
    out = []
    for n in nodes:
        if n.get("ignored"):
            continue
        role = n.get("role", {}).get("value")
        if role in ("button", "heading", "textbox", "link", "list",
                    "listitem"):
            out.append([role, n.get("name", {}).get("value", "")])
    return out


def context_page(browser, out):
    """A tab in a browser context of its own (its own cookie jar)."""
    ctx = browser.call("Target.createBrowserContext")["browserContextId"]
    tid = browser.call("Target.createTarget", {
        "url": "about:blank", "browserContextId": ctx})["targetId"]
    return Page(browser, out, tid)


def focus_emulation(page):
    """Headless tabs are never the focused window: let them act as if,
    so that Tab and the focus behave as in a window in front."""
    page.call("Emulation.setFocusEmulationEnabled", {"enabled": True})
    page.call("Page.bringToFront")


def shot(page, name, width, height, mobile):
    page.call("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1,
        "mobile": mobile})
    path = os.path.join(os.environ["SG_ARTIFACTS"], name + ".png")
    page.screenshot(path)
    facts = page.evaluate(PAGE_FACTS)
    facts["screenshot"] = path
    return facts


def journey(one, two, out, base, user, password):
    steps = out["steps"]
    focus_emulation(one)

    # (a) the sessions page, signed out: the login form, with next; then
    # sign in with the keyboard only.
    chain = one.goto(base + "/sessions")
    seq = [settled_focus(one)]              # autofocus: the user name
    one.call("Input.insertText", {"text": user})
    seq.append(tab(one))
    one.call("Input.insertText", {"text": password})
    seq.append(tab(one))
    back = tab(one, shift=True)             # and back again
    tab(one)
    steps["login"] = {"chain": chain, "focus": seq, "shiftTab": back,
                      "ax": ax_names(one), "facts": one.evaluate(PAGE_FACTS)}
    chain = enter_and_wait(one)
    steps["login"]["submitChain"] = chain

    # (b) the other browser signs in (as Safari on an iPhone).
    two.call("Network.setUserAgentOverride", {"userAgent": IPHONE})
    two.goto(base + "/login?next=/sessions")
    two.fill('input[name="username"]', user)
    two.fill('input[name="password"]', password)
    chain = two.click_and_wait("Sign in")
    steps["two"] = {"chain": chain, "items": two.evaluate(ITEMS)}

    # (c) the first sees both, this one marked; read as a screen reader
    # would; photographed on a desktop and a phone.
    chain = one.goto(base + "/sessions")
    steps["list"] = {"chain": chain, "items": one.evaluate(ITEMS),
                     "ax": ax_names(one),
                     "desktop": shot(one, "sessions-page", 800, 600, False),
                     "phone": shot(one, "sessions-page-phone", 390, 844,
                                   True)}
    one.call("Emulation.setDeviceMetricsOverride", {
        "width": 800, "height": 600, "deviceScaleFactor": 1,
        "mobile": False})
    steps["list"]["cookies"] = one.cookies(base)

    # (d) Tab through the page from its top: every button, in order.
    one.goto(base + "/sessions")
    order = []
    for _ in range(8):
        f = tab(one)
        if f is None or (order and f == order[0]):
            break
        order.append(f)
    steps["keys"] = {"order": order}

    # (e) from the top again: the first Tab reaches the other session's
    # "Sign out" (newest first); Enter ends it.
    one.goto(base + "/sessions")
    first = tab(one)
    chain = enter_and_wait(one)
    steps["end"] = {"first": first, "chain": chain,
                    "items": one.evaluate(ITEMS),
                    "facts": one.evaluate(PAGE_FACTS)}

    # (f) the other browser's next navigation: the login form.
    chain = two.goto(base + "/private/")
    steps["after"] = {"chain": chain, "facts": two.evaluate(PAGE_FACTS),
                      "url": two.evaluate("location.href"),
                      "cookies": two.cookies(base)}
    chain = two.goto(base + "/sessions")
    steps["after"]["sessionsChain"] = chain


def main():
    run(lambda browser, out: [context_page(browser, out),
                              context_page(browser, out)],
        lambda pages, out, env: journey(pages[0], pages[1], out,
                                        env["SG_BASE"], env["SG_USER"],
                                        env["SG_PASS"]))


if __name__ == "__main__":
    main()
