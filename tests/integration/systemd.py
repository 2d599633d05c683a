"""contrib/systemd: the units verify and are hardened (systemd-analyze),
the service (made from sessgate.service.in) names the configured paths,
and socket activation works as the units describe it: the socket made as
sessgate.socket says, ExecStart run with it on fd 0, ExecReload's SIGHUP
and the stop signal handled. PID 1 is not systemd in the test sandbox, so
the activation is done by the test, from the unit files' own values."""

import configparser
import os
import re
import shlex
import signal
import socket
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

T = harness.TAP()
S = harness.Stack()
UNITS = os.path.join(harness.TOP_SRCDIR, "contrib", "systemd")
# the service is generated in the build tree, with the configured paths
BUILT_UNITS = os.path.join(harness.TOP_BUILDDIR, "contrib", "systemd")
SBIN_SESSGATE = os.path.join(os.environ.get("SG_SBINDIR", "/usr/sbin"),
                             "sessgate")
SESSGATE = os.path.abspath(os.path.join(harness.TOP_BUILDDIR, "sessgate"))
ANALYZE = harness.need("systemd-analyze", "systemd-analyze")


def unit_path(name):
    return os.path.join(BUILT_UNITS if name.endswith(".service") else UNITS,
                        name)


def unit(name):
    p = configparser.ConfigParser(strict=False, interpolation=None,
                                  delimiters=("=",))
    p.optionxform = str
    with open(unit_path(name)) as f:
        p.read_string(f.read())
    return p


def local_units():
    """Copies whose ExecStart names the sessgate just built."""
    d = os.path.join(S.tmp, "units")
    os.makedirs(d, exist_ok=True)
    for name in ("sessgate.service", "sessgate.socket"):
        with open(unit_path(name)) as f:
            text = f.read().replace(SBIN_SESSGATE, SESSGATE)
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    return d


@T.test
def units_verify():
    d = local_units()
    r = subprocess.run([ANALYZE, "verify", "--man=no",
                        os.path.join(d, "sessgate.socket"),
                        os.path.join(d, "sessgate.service")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@T.test
def service_names_the_configured_paths():
    argv = shlex.split(unit("sessgate.service")["Service"]["ExecStart"])
    conf = os.path.join(os.environ["SG_SYSCONFDIR"], "sessgate.conf")
    assert argv == [SBIN_SESSGATE, "-d", "-c", conf], argv


@T.test
def service_is_hardened():
    svc = unit("sessgate.service")["Service"]
    for key, want in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
                      ("PrivateTmp", "yes"), ("DynamicUser", "yes"),
                      ("User", "_sessgate"),
                      ("StandardInput", "socket"),
                      ("StandardOutput", "journal")):
        assert svc.get(key) == want, (key, svc.get(key))
    r = subprocess.run([ANALYZE, "security", "--offline=yes",
                        os.path.join(local_units(), "sessgate.service")],
                       capture_output=True, text=True)
    m = re.search(r"Overall exposure level for sessgate.service: ([0-9.]+)",
                  r.stdout + r.stderr)
    assert m, r.stdout[-500:]
    assert float(m.group(1)) <= 2.0, m.group(1)


def fcgi(conn, role, params, body=None):
    return harness.fcgi_request(conn(), role, params, body).decode()


@T.test
def socket_activation_reload_and_stop():
    sock_unit = unit("sessgate.socket")["Socket"]
    svc = unit("sessgate.service")["Service"]
    assert sock_unit["ListenStream"] == "/run/sessgate/sessgate.sock"
    path = os.path.join(S.tmp, "sessgate.sock")
    ls = socket.socket(socket.AF_UNIX)
    ls.bind(path)
    os.chmod(path, int(sock_unit["SocketMode"], 8))
    ls.listen(128)
    S.write_config("listen = unix:%s/unused.sock\n" % S.tmp)
    S.add_user("sam", "sam-pw")
    argv = shlex.split(svc["ExecStart"])
    assert argv[0] == SBIN_SESSGATE and "-d" in argv
    argv[0] = SESSGATE
    argv[argv.index("-c") + 1] = S.conf
    p = S.spawn(argv, "activated.log", stdin=ls.fileno())

    def conn():
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(path)
        return s
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o660
    body = b"username=sam&password=sam-pw"
    out = fcgi(conn, harness.RESPONDER, {
        "REQUEST_METHOD": "POST", "REQUEST_URI": "/login",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body))}, body)
    assert out.startswith("Status: 303"), out
    cookie = re.search(r"Set-Cookie: (__Host-sid=[^;]+)", out).group(1)
    out = fcgi(conn, harness.AUTHORIZER, {"REQUEST_METHOD": "GET",
                                           "REQUEST_URI": "/",
                                           "HTTP_COOKIE": cookie})
    assert "Variable-REMOTE_USER: sam\r\n" in out, out
    assert not os.path.exists(os.path.join(S.tmp, "unused.sock"))
    # ExecReload: kill -HUP $MAINPID
    assert svc["ExecReload"] == "/bin/kill -HUP $MAINPID"
    p.send_signal(signal.SIGHUP)

    def log():
        with open(os.path.join(S.tmp, "activated.log")) as f:
            return f.read()
    harness.wait_for(lambda: "configuration reloaded" in log(), "reload")
    # systemctl stop: SIGTERM (KillSignal's default), within TimeoutStopSec
    assert "KillSignal" not in svc
    p.send_signal(signal.SIGTERM)
    assert p.wait(int(svc["TimeoutStopSec"].rstrip("s"))) == 0
    assert os.path.exists(path), "the socket is systemd's: not removed"
    # systemctl restart: a new process on the socket systemd kept
    p = S.spawn(argv, "activated.log", stdin=ls.fileno())
    out = fcgi(conn, harness.AUTHORIZER, {"REQUEST_METHOD": "GET",
                                           "REQUEST_URI": "/",
                                           "HTTP_COOKIE": cookie})
    assert "Variable-REMOTE_USER: sam\r\n" in out, out
    p.send_signal(signal.SIGTERM)
    assert p.wait(30) == 0
    ls.close()


@T.test
def type_notify_is_what_the_daemon_does():
    """Type=notify: the service is started only once sessgate says
    READY=1 on $NOTIFY_SOCKET, which it does once its workers accept."""
    svc = unit("sessgate.service")["Service"]
    assert svc["Type"] == "notify" and svc.get("NotifyAccess") == "main"
    npath = os.path.join(S.tmp, "notify.sock")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(npath)
    ns.settimeout(10)
    path = os.path.join(S.tmp, "notify-activated.sock")
    ls = socket.socket(socket.AF_UNIX)
    ls.bind(path)
    ls.listen(128)
    S.write_config("")
    argv = shlex.split(svc["ExecStart"])
    argv[0] = SESSGATE
    argv[argv.index("-c") + 1] = S.conf
    env = dict(os.environ, NOTIFY_SOCKET=npath)
    p = S.spawn(argv, "notify.log", stdin=ls.fileno(), env=env)
    assert ns.recv(4096) == b"READY=1"
    p.send_signal(signal.SIGTERM)
    assert ns.recv(4096) == b"STOPPING=1"
    assert p.wait(30) == 0
    ns.close()
    ls.close()


S.start_redis()
sys.exit(T.run())
