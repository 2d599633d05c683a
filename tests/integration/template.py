"""page_template (issue 15, "The operator's look"), with the real daemon,
a real redis-server and, for the stylesheet and logo, a real lighttpd in
front (the shipped contrib/lighttpd/sessgate.conf).

- sessgate -n: a template that cannot be read, is too large, lacks
  {{content}} or holds it twice is FILE:LINE at the key's line; as root
  with `user`, one that user cannot read is refused too.
- The login page (and an error page) is served inside the template, the
  content escaped, the template's own HTML as it is; no header of
  sessgate's keeps the template's stylesheet or logo from loading.
- SIGHUP with a broken template keeps the old configuration, and its
  look, with a log line; a fixed one brings the new look."""

import os
import signal
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
S = harness.Stack()
SESSGATE = os.path.join(harness.TOP_BUILDDIR, "sessgate")
SITE = harness.Site()
LOOK = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{title}} - Example & Co</title>
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header><img src="/static/logo.svg" alt="Example"></header>
<main class="card">
{{content}}
</main>
<footer>%s</footer>
</body>
</html>
"""


def write(path, text, mode=0o644):
    with open(path, "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode())
    os.chmod(path, mode)
    return path


def check(conf_text, name="t.conf"):
    path = write(os.path.join(S.tmp, name), conf_text)
    return path, subprocess.run([SESSGATE, "-n", "-c", path],
                                capture_output=True, text=True, timeout=30)


def responder(uri, accept="text/html"):
    """GET uri from sessgate as a Responder: (status, head, body)."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(S.sock)
    params = {"REQUEST_METHOD": "GET", "REQUEST_URI": uri,
              "HTTP_ACCEPT": accept}
    out = harness.fcgi_request(s, harness.RESPONDER, params).decode()
    head, _, body = out.partition("\r\n\r\n")
    return int(head.split(" ", 2)[1]), head, body


@T.test
def config_test_names_the_template_line():
    tpl = os.path.join(S.tmp, "look.html")
    conf = "# the site's look\nthreads = 2\npage_template = %s\n" % tpl
    cases = [
        (None, "No such file or directory"),
        ("<html><body></body></html>\n",
         "no {{content}}, where sessgate's page goes"),
        ("<p>\n{{content}}\n{{content}}\n",
         "a second {{content}} at line 3: it must be there once"),
        ("{{content}}" + " " * 65536, "larger than 64 KiB"),
        ("{{content}}\0", "holds a NUL byte: not a text file"),
    ]
    for text, msg in cases:
        if os.path.exists(tpl):
            os.unlink(tpl)
        if text is not None:
            write(tpl, text)
        path, r = check(conf)
        assert r.returncode == 1, (msg, r)
        assert r.stderr == "%s:3: page_template %s: %s\n" % (
            path, tpl, msg), r.stderr
        assert r.stdout == ""
    path, r = check("page_template = look.html\n")
    assert r.returncode == 1
    assert r.stderr == path + ":1: page_template: must be an absolute " \
        "file path\n", r.stderr
    write(tpl, LOOK % "ok")
    path, r = check(conf)
    assert r.returncode == 0 and r.stdout == "configuration OK\n", r


@T.test
def config_test_as_root_reads_the_template_as_user():
    if os.geteuid() != 0:
        harness.note("not root: not tested")
        return
    os.chmod(S.tmp, 0o755)
    tpl = write(os.path.join(S.tmp, "root-only.html"), LOOK % "x", 0o600)
    path, r = check("user = nobody\npage_template = %s\n" % tpl,
                    "asuser.conf")
    assert r.returncode == 1, r
    assert r.stderr == "%s:2: page_template %s: Permission denied " \
        "(as user nobody)\n" % (path, tpl), r.stderr
    os.chmod(tpl, 0o644)
    path, r = check("user = nobody\npage_template = %s\n" % tpl,
                    "asuser.conf")
    assert r.returncode == 0, r


def start():
    S.start_redis()
    www = os.path.join(S.tmp, "www")
    os.makedirs(os.path.join(www, "static"))
    os.makedirs(os.path.join(www, "private"))
    write(os.path.join(www, "static", "site.css"), "main{color:#123}\n")
    write(os.path.join(www, "static", "logo.svg"),
          '<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    write(os.path.join(www, "private", "index.html"), "secret\n")
    S.tpl = write(os.path.join(S.tmp, "look.html"), LOOK % "first")
    S.start_sessgate("page_template = %s\n" % S.tpl)
    harness.wait_for(lambda: harness.accepts(S.sock), "sessgate")
    SITE.port = S.start_lighttpd(
        www, 'mimetype.assign += ( ".css" => "text/css", '
        '".svg" => "image/svg+xml" )\n')


def framed(body, footer):
    """body is LOOK around sessgate's content, which holds the form."""
    before, _, rest = (LOOK % footer).partition("{{content}}")
    before = before.replace("{{title}}", "Sign in")
    assert body.startswith(before), body
    assert body.endswith(rest), body
    content = body[len(before):len(body) - len(rest)]
    assert content.startswith("<h1>Sign in</h1>\n"), content
    assert content.count("<form ") == 1, content
    return content


@T.test
def login_page_is_served_inside_the_template():
    start()
    status, head, body = responder(
        "/login?next=/private/%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
    assert status == 200, head
    assert "Content-Type: text/html; charset=utf-8" in head.split("\r\n"), \
        head
    content = framed(body, "first")
    assert "<script" not in body, body
    assert 'value="/private/&quot;&gt;&lt;script&gt;alert(1)' \
        '&lt;/script&gt;"' in content, content
    # an error page a browser navigated into: the same frame
    status, head, body = responder("/nowhere")
    assert status == 404, head
    assert "<title>Not found - Example & Co</title>" in body, body
    assert "<main class=\"card\">\n<h1>Not found</h1>\n" in body, body


@T.test
def through_lighttpd_the_stylesheet_and_logo_load():
    r = SITE.get("/private/", headers={"Accept": "text/html"})
    assert r.status == 302, r.status
    r = SITE.get(r.header("Location"), headers={"Accept": "text/html"})
    assert r.status == 200, r.status
    framed(r.body.decode(), "first")
    # sessgate's only policy forbids framing (clickjacking); it restricts
    # no stylesheet or image: the operator's (or the web server's)
    # policy is the one that applies to those
    assert r.header("Content-Security-Policy") == "frame-ancestors 'none'", \
        r.headers
    assert r.header("X-Frame-Options") == "DENY", r.headers
    assert r.header("X-Content-Type-Options") == "nosniff", r.headers
    assert r.header("Cache-Control") == "no-store", r.headers
    for path, kind in (("/static/site.css", "text/css"),
                       ("/static/logo.svg", "image/svg+xml")):
        a = SITE.get(path)          # no session needed
        assert a.status == 200 and a.header("Content-Type") == kind, \
            (path, a.status, a.headers)


@T.test
def reload_with_a_broken_template_keeps_the_old_look():
    before = S.sessgate_log().count("keeping the configuration")
    write(S.tpl, "<p>lost its placeholder</p>\n")
    S.sessgate.send_signal(signal.SIGHUP)
    harness.wait_for(lambda: S.sessgate_log().count(
        "keeping the configuration") > before, "the refused reload")
    line = [x for x in S.sessgate_log().splitlines()
            if "keeping the configuration" in x][-1]
    assert "reload: %s:" % S.conf in line, line
    assert "page_template %s: no {{content}}" % S.tpl in line, line
    status, _, body = responder("/login")
    assert status == 200
    framed(body, "first")
    # fixed: the next reload brings the new look
    write(S.tpl, LOOK % "second")
    S.reload("page_template = %s\n" % S.tpl)
    status, _, body = responder("/login")
    assert status == 200
    framed(body, "second")
    # and without the key, sessgate's own page again
    S.reload("")
    status, _, body = responder("/login")
    assert body.startswith("<!DOCTYPE html>\n<html lang=\"en\">\n"), body
    assert "<h1>Sign in</h1>" in body and "Example" not in body, body


sys.exit(T.run())
