"""Redis on another host, safely (README, "Redis on another host"):
sessgate -> stunnel on loopback (contrib/stunnel/redis-client.conf as
shipped, with loopback addresses and this test's certificates put in) ->
Redis's TLS port, which asks for a client certificate. Logins and checks
work through it; a tunnel that does not trust Redis's certificate, or
that has no client certificate, gets nowhere: 503, never an allow."""

import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
S = harness.Stack(prefix="sessgate-tls.")
SESSGATE = os.path.join(harness.TOP_BUILDDIR, "sessgate")
REDIS = harness.redis_server()
STUNNEL = harness.need(os.environ.get("STUNNEL") or "/usr/bin/stunnel4",
                       "stunnel4")
OPENSSL = harness.need("openssl", "openssl")
CONTRIB = os.path.join(harness.TOP_SRCDIR, "contrib", "stunnel",
                       "redis-client.conf")


def path(name):
    return os.path.join(S.tmp, name)


def openssl(*args):
    r = subprocess.run([OPENSSL] + list(args), capture_output=True,
                       text=True, cwd=S.tmp)
    assert r.returncode == 0, r.stderr


def ca(name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            name + ".key", "-out", name + ".crt", "-days", "2", "-subj",
            "/CN=" + name)


def cert(name, issuer, dns):
    with open(path(name + ".ext"), "w") as f:
        f.write("subjectAltName=DNS:%s\n" % dns)
    openssl("req", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            name + ".key", "-out", name + ".csr", "-subj", "/CN=" + dns)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", issuer + ".crt",
            "-CAkey", issuer + ".key", "-CAcreateserial", "-out",
            name + ".crt", "-days", "2", "-extfile", name + ".ext")


def stunnel(name, redis_port, ca_name, client_cert=True):
    """The shipped stunnel config, addresses and files put in; returns the
    port it accepts on."""
    port = harness.free_port()
    with open(CONTRIB) as f:
        text = f.read()
    for old, new in (("127.0.0.1:6390", "127.0.0.1:%d" % port),
                     ("redis.example.net:6380", "127.0.0.1:%d" % redis_port),
                     ("checkHost = redis.example.net",
                      "checkHost = redis.test"),
                     ("/etc/stunnel/redis-ca.crt", path(ca_name + ".crt")),
                     ("/etc/stunnel/sessgate.crt", path("client.crt")),
                     ("/etc/stunnel/sessgate.key", path("client.key"))):
        assert old in text, old
        text = text.replace(old, new)
    if not client_cert:
        text = "\n".join(ln for ln in text.split("\n")
                         if not ln.startswith(("cert =", "key =")))
    conf = path(name + ".conf")
    with open(conf, "w") as f:
        f.write(text)
    p = S.spawn([STUNNEL, conf], name + ".log")
    harness.wait_for(lambda: p.poll() is not None or harness.connects(port),
                     name)
    assert p.poll() is None, "stunnel exited"
    return port


def gate(name, port):
    sock = path(name + ".sock")
    conf = path(name + ".conf")
    with open(conf, "w") as f:
        f.write("listen = unix:%s\nredis = redis://127.0.0.1:%d/0\n"
                "redis_password_file = %s\nthreads = 1\n"
                "password_memlimit = 8M\npassword_opslimit = 1\n"
                % (sock, port, path("redis.pass")))
    S.spawn([SESSGATE, "-d", "-c", conf], name + ".log")
    harness.wait_for(lambda: harness.accepts(sock), name)
    return sock, conf


def request(sock, role, params, body=None):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(sock)
    out = harness.fcgi_request(s, role, params, body).decode()
    return int(out.split(" ", 2)[1]), out


def check(sock, cookie):
    return request(sock, harness.AUTHORIZER, {
        "REQUEST_METHOD": "GET", "REQUEST_URI": "/private/",
        "HTTP_COOKIE": "__Host-sid=" + cookie})[0]


def setup():
    ca("ca")
    ca("other-ca")
    cert("redis", "ca", "redis.test")
    cert("client", "ca", "sessgate.test")
    with open(path("redis.pass"), "w") as f:
        f.write("tls-secret\n")
    os.chmod(path("redis.pass"), 0o600)  # others may not read it
    port = harness.free_port()
    S.spawn([REDIS, "--port", "0", "--tls-port", str(port), "--bind",
             "127.0.0.1", "--dir", S.tmp, "--save", "", "--appendonly",
             "no", "--tls-cert-file", path("redis.crt"), "--tls-key-file",
             path("redis.key"), "--tls-ca-cert-file", path("ca.crt"),
             "--tls-auth-clients", "yes", "--requirepass", "tls-secret"],
            "redis.log")
    harness.wait_for(lambda: harness.connects(port), "redis on TLS")
    return port


REDIS_TLS_PORT = setup()


@T.test
def login_and_check_through_the_tunnel():
    sock, conf = gate("good", stunnel("tunnel", REDIS_TLS_PORT, "ca"))
    r = subprocess.run([os.path.join(harness.TOP_BUILDDIR, "sessgatectl"),
                        "-c", conf, "user", "add", "ann"], input="ann-pw\n",
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    body = b"username=ann&password=ann-pw"
    st, out = request(sock, harness.RESPONDER, {
        "REQUEST_METHOD": "POST", "REQUEST_URI": "/login",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body))}, body)
    assert st == 303, out
    cookie = out.split("Set-Cookie: __Host-sid=")[1].split(";")[0]
    assert check(sock, cookie) == 200
    assert check(sock, cookie + "x") in (400, 401)
    global COOKIE
    COOKIE = cookie


@T.test
def a_tunnel_that_does_not_trust_redis_gets_nowhere():
    for name, ca_name, client in (("wrong-ca", "other-ca", True),
                                  ("no-client-cert", "ca", False)):
        sock, _ = gate(name, stunnel("tunnel-" + name, REDIS_TLS_PORT,
                                     ca_name, client))
        assert check(sock, COOKIE) == 503, name


if __name__ == "__main__":
    sys.exit(T.run())
