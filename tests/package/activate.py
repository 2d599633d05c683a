"""Start the installed sessgate the way systemd would, where systemd is
not running (a chroot, a container): the listening socket made as
sessgate.socket says (ListenStream, SocketMode, SocketUser, SocketGroup),
then sessgate.service's ExecStart run as its User, with its UMask, the
socket on fd 0 (StandardInput=socket) and its output in LOG. Prints the
daemon's pid.

usage: python3 activate.py UNITDIR LOG"""

import configparser
import grp
import os
import pwd
import shlex
import socket
import subprocess
import sys


def unit(path):
    p = configparser.ConfigParser(strict=False, interpolation=None,
                                  delimiters=("=",))
    p.optionxform = str
    with open(path) as f:
        p.read_string(f.read())
    return p


def listening_socket(s):
    path = s["ListenStream"]
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    if os.path.exists(path):
        os.unlink(path)
    ls = socket.socket(socket.AF_UNIX)
    ls.bind(path)
    os.chown(path, pwd.getpwnam(s.get("SocketUser", "root")).pw_uid,
             grp.getgrnam(s.get("SocketGroup", "root")).gr_gid)
    os.chmod(path, int(s.get("SocketMode", "0666"), 8))
    ls.listen(128)
    return ls


def main():
    unitdir, log = sys.argv[1], sys.argv[2]
    sock = unit(os.path.join(unitdir, "sessgate.socket"))["Socket"]
    svc = unit(os.path.join(unitdir, "sessgate.service"))["Service"]
    assert svc.get("StandardInput") == "socket", "not socket-activated"
    user = pwd.getpwnam(svc["User"])
    umask = int(svc.get("UMask", "0022"), 8)

    def become_user():
        os.setsid()
        os.initgroups(user.pw_name, user.pw_gid)
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)
        os.umask(umask)

    ls = listening_socket(sock)
    out = open(log, "ab")
    p = subprocess.Popen(shlex.split(svc["ExecStart"]), stdin=ls.fileno(),
                         stdout=out, stderr=out, preexec_fn=become_user,
                         cwd="/", env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    print(p.pid)


main()
