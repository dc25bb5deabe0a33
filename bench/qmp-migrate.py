#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""qmp-migrate.py STATEDIR: bare QEMU's round trip, the reference for
bench/migratebench.sh. STATEDIR/cmdline holds the QEMU command line (one
argument per line) of a running QEMU whose QMP socket is STATEDIR/qmp-N.sock
(N in STATEDIR/current). Twice: a new QEMU with the same command line
listening for the stream on 127.0.0.1 (-incoming), the running one migrated
into it (QMP migrate, live), the new one let run (cont), the old one ended
(quit); as virt-gmem's prepare, perform, finish and confirm do. Prints
QEMU's total-time-ms of each leg."""
import json
import os
import socket
import subprocess
import sys
import time

# libvirt's QEMU_DOMAIN_MIG_BANDWIDTH_MAX (MiB/s) in bytes/s
UNLIMITED = ((2 ** 63 - 1) // (1024 * 1024)) * 1024 * 1024


class Qmp:
    def __init__(self, path, wait=10.0):
        end = time.monotonic() + wait
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > end:
                    raise
                time.sleep(0.01)
        self.f = self.s.makefile("rw")
        json.loads(self.f.readline())
        self.cmd("qmp_capabilities")

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        self.f.write(json.dumps(msg) + "\n")
        self.f.flush()
        while True:
            reply = json.loads(self.f.readline())
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise SystemExit("%s: %s" % (name, reply["error"]["desc"]))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def leg(state):
    with open(os.path.join(state, "cmdline")) as f:
        argv = f.read().split("\n")[:-1]
    with open(os.path.join(state, "current")) as f:
        cur = int(f.read())
    nxt = cur + 1
    port = free_port()
    sock = os.path.join(state, "qmp-%d.sock" % nxt)
    subprocess.Popen(argv + ["-qmp", "unix:%s,server=on,wait=off" % sock, "-daemonize",
                             "-incoming", "tcp:127.0.0.1:%d" % port],
                     stdin=subprocess.DEVNULL).wait()
    src = Qmp(os.path.join(state, "qmp-%d.sock" % cur))
    dst = Qmp(sock)
    # (QEMU's own default throttles to 128 MiB/s; libvirt's and virt-gmem's
    # default is no limit, which this asks for too)
    src.cmd("migrate-set-parameters", {"max-bandwidth": UNLIMITED})
    src.cmd("migrate", {"uri": "tcp:127.0.0.1:%d" % port})
    while True:
        info = src.cmd("query-migrate")
        if info.get("status") in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.01)
    if info["status"] != "completed":
        raise SystemExit("migration %s: %s" % (info["status"], info.get("error-desc")))
    while dst.cmd("query-status")["status"] == "inmigrate":
        time.sleep(0.01)
    dst.cmd("cont")
    try:
        src.cmd("quit")
    except (OSError, ValueError):
        pass
    with open(os.path.join(state, "current"), "w") as f:
        f.write("%d" % nxt)
    return info.get("total-time", -1)


def main():
    state = sys.argv[1]
    print(leg(state), leg(state))


if __name__ == "__main__":
    main()
