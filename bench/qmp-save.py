#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""qmp-save.py MONITOR FILE: a normal migration of a running QEMU to FILE
over its QMP socket MONITOR (the reference for bench/liveupdatebench.sh:
every page of guest RAM is copied). Waits for the end, lets the guest run
again (cont), and prints QEMU's own figures: total-time-ms downtime-ms
transferred-bytes."""
import json
import socket
import sys
import time


def main():
    mon, path = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(mon)
    f = s.makefile("rw")

    def cmd(name, args=None):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        f.write(json.dumps(msg) + "\n")
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise SystemExit("%s: %s" % (name, reply["error"]["desc"]))

    json.loads(f.readline())            # greeting
    cmd("qmp_capabilities")
    cmd("migrate", {"uri": "file:" + path})
    while True:
        info = cmd("query-migrate")
        if info.get("status") in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.01)
    if info["status"] != "completed":
        raise SystemExit("migration %s: %s" % (info["status"], info.get("error-desc")))
    cmd("cont")
    print(info.get("total-time", -1), info.get("downtime", -1),
          info.get("ram", {}).get("transferred", -1))


if __name__ == "__main__":
    main()
