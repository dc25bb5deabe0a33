#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""consoletest: `virsh console` (Debian's virsh 9.0) on the daemon, through
a pty the test drives (TAP; our daemon only).

What it covers, with a TCG guest (Debian's kernel, a busybox initramfs
whose /init answers every line it reads on ttyS0 with "GOT:<line>";
tests/guestkit.sh) that has <serial type='pty'/>:
  * virsh console connects, what is typed reaches the guest and its answer
    comes back (DOMAIN_OPEN_CONSOLE and libvirt's stream packets);
  * Ctrl-] ends the session and virsh exits 0;
  * a second console while one is open fails with an error saying a
    session exists; with --force it takes the console over, and the first
    virsh ends with the error that says so;
  * destroying the domain ends an open console's stream: virsh exits;
  * a console of a domain that does not run, and of a serial port that is
    not a pty, fail with errors that say so.
Skips when the kernel cannot be fetched or virsh is missing.
"""

import os
import pty
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DOM = "vgmtest-con"
FILEDOM = "vgmtest-con-file"

INIT = """#!/bin/busybox sh
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox stty -F /dev/ttyS0 raw -echo 2>/dev/null
while true; do
    IFS= read -r line < /dev/ttyS0
    /bin/busybox echo "GOT:$line" > /dev/ttyS0
done
"""


class Console:
    """virsh console DOM [extra...] on a pty of its own."""

    def __init__(self, uri, name, *extra):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            env = harness.client_env()
            os.execve(harness.VIRSH, [harness.VIRSH, "-c", uri, "console", name] + list(extra), env)
        self.out = b""
        self.status = None

    def read(self, seconds, until=None):
        """Reads for up to `seconds`, or until `until` (bytes) was seen;
        False when virsh closed its side."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if until is not None and until in self.out:
                return True
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    d = os.read(self.fd, 4096)
                except OSError:
                    return False
                if not d:
                    return False
                self.out += d
        return True

    def write(self, data):
        os.write(self.fd, data)

    def exited(self, seconds):
        """virsh's exit status once it exited within `seconds`, else None."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
                return self.status
            self.read(0.1)
        return None

    def kill(self):
        if self.status is None:
            try:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
        os.close(self.fd)


def main():
    tap = harness.TAP()
    if os.environ.get("VGM_TEST_URI"):
        harness.TAP.skip_all("the console test runs against our own daemon")
    if not os.access(harness.VIRSH, os.X_OK):
        harness.TAP.skip_all("virsh is not installed (Debian package libvirt-clients)")
    work = tempfile.mkdtemp(prefix="vgm-con-")
    kernel, initrd = harness.guest_kit(work, INIT)
    if kernel is None:
        harness.TAP.skip_all(initrd)
    target = harness.setup_target(need_virsh=True)
    try:
        harness.run_guarded(tap, run_tests, tap, target, kernel, initrd, work)
    finally:
        harness.virsh(target.uri, "destroy", DOM)
        harness.virsh(target.uri, "destroy", FILEDOM)
        harness.finish_target(tap, target)
        subprocess.run(["rm", "-rf", work])
    sys.exit(tap.done())


def domain(name, kernel, initrd, serial):
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    %s
    <memballoon model='none'/>
  </devices>
</domain>""" % (name, kernel, initrd, serial)


def run_tests(tap, target, kernel, initrd, work):
    uri = target.uri
    xml = os.path.join(work, DOM + ".xml")
    with open(xml, "w") as f:
        f.write(domain(DOM, kernel, initrd, "<serial type='pty'/>"))

    r = harness.virsh(uri, "define", xml)
    c = Console(uri, DOM)
    c.read(5)
    tap.ok(c.exited(0) not in (None, 0) or b"not running" in c.out or b"error" in c.out,
           "virsh console of a domain that does not run fails",
           repr(c.out[-300:]))
    tap.ok(b"not running" in c.out, "its error says the domain is not running", repr(c.out[-300:]))
    c.kill()

    r = harness.virsh(uri, "start", DOM)
    tap.eq(r.rc, 0, "the guest starts")
    c = Console(uri, DOM)
    got = False
    deadline = time.monotonic() + 120
    n = 0
    while time.monotonic() < deadline and not got:
        n += 1
        c.write(b"ping-%d\n" % n)
        got = c.read(2, until=b"GOT:ping-")
        got = b"GOT:ping-" in c.out
    tap.ok(got, "virsh console: a line typed reaches the guest, its answer comes back",
           repr(c.out[-400:]))

    # a second console without and with --force
    c2 = Console(uri, DOM)
    c2.read(10, until=b"session exists")
    st = c2.exited(10)
    tap.ok(st not in (None, 0) and b"an active console session exists" in c2.out,
           "a second virsh console fails: an active console session exists",
           "exit %s: %r" % (st, c2.out[-300:]))
    c2.kill()
    c3 = Console(uri, DOM, "--force")
    c3.read(5, until=b"Escape character")
    st = c.exited(10)
    tap.ok(st not in (None, 0) and b"taken over" in c.out,
           "virsh console --force takes the console over; the first virsh ends saying so",
           "exit %s: %r" % (st, c.out[-300:]))
    c.kill()
    c3.write(b"forced\n")
    tap.ok(c3.read(10, until=b"GOT:forced") and b"GOT:forced" in c3.out,
           "the forced console reaches the guest", repr(c3.out[-300:]))
    c3.write(b"\x1d")
    tap.eq(c3.exited(10), 0, "Ctrl-] ends the session and virsh exits 0")
    c3.kill()

    # the guest stops under an open console
    c = Console(uri, DOM)
    c.read(5, until=b"Escape character")
    harness.virsh(uri, "destroy", DOM)
    st = c.exited(15)
    tap.ok(st is not None, "destroy ends an open console: virsh exits (status %s)" % st,
           repr(c.out[-300:]))
    c.kill()

    # a serial port that is not a pty
    fxml = os.path.join(work, FILEDOM + ".xml")
    with open(fxml, "w") as f:
        f.write(domain(FILEDOM, kernel, initrd,
                       "<serial type='file'><source path='%s'/></serial>"
                       % os.path.join(work, "serial.log")))
    harness.virsh(uri, "create", fxml)
    c = Console(uri, FILEDOM)
    c.read(10, until=b"not a pty")
    st = c.exited(10)
    tap.ok(st not in (None, 0) and b"is not a pty" in c.out,
           "virsh console of a file serial port fails: it is not a pty",
           "exit %s: %r" % (st, c.out[-300:]))
    c.kill()
    harness.virsh(uri, "destroy", FILEDOM)
    harness.virsh(uri, "undefine", DOM)


if __name__ == "__main__":
    main()
