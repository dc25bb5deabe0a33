#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtmanagertest: Debian 12's virt-manager 4.1 on the daemon, under Xvfb
(TAP; our daemon only).

What it covers, with a TCG guest (Debian's kernel, a busybox initramfs
whose /init writes a line on ttyS0 every few seconds and answers every line
it reads there with "GOT:<line>"; tests/guestkit.sh) that has
<serial type='pty'/> and no graphics:
  * `virt-manager --connect URI --no-fork` (URI: qemu:///system with the
    daemon's socket as a parameter, see local_uri()) on a private X server (Xvfb) and
    session bus: its main window lists the connection (QEMU/KVM) and the
    domain, Running;
  * a second `virt-manager --connect URI --show-domain-console NAME`, handed
    on to the first, opens the domain's window ("NAME on QEMU/KVM") on its
    serial console; the guest's lines show in the terminal, and a line
    typed there (xdotool) reaches the guest and its answer comes back;
  * a second domain, with VNC graphics (autoport) and started paused:
    `--show-domain-console` opens its window on the graphical console,
    which gtk-vnc connects through the descriptor virt-manager asks the
    daemon for (openGraphicsFD: the connection is local), and
    virt-manager logs "Viewer connected";
  * virt-manager uses the daemon's domain, network, storage pool and
    node device events (it logs "Using ... events" for each, where it
    would otherwise poll);
  * virt-manager logs no error while doing so (what it falls back on is
    shown as '#' lines).
What the windows show is read through the accessibility tree (AT-SPI, with
/usr/bin/python3 and gi's Atspi), not from pixels. With --screenshots DIR
the two windows are saved as DIR/virt-manager-main.png and
DIR/virt-manager-console.png (scripts/virt-manager-shot.sh, docs/images).

A 'default' storage pool on a temporary directory is defined first:
without one virt-manager creates it in /var/lib/libvirt/images.

Skips when virt-manager, Xvfb, xdotool, dbus-daemon or AT-SPI
(at-spi2-core, gir1.2-atspi-2.0) are missing; without a guest kernel the
domain sits in its firmware and the checks of the console's content skip.

The helper modes (--probe, --focus-terminal, --shoot) are this file run
again under /usr/bin/python3 with DISPLAY and the session bus set: each
look at the accessibility tree is a fresh process, so nothing is cached.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DOM = "gmem-demo"
MAIN_TITLE = "Virtual Machine Manager"
CONSOLE_TITLE = DOM + " on QEMU/KVM"
VNC_DOM = "gmem-vnc"
VNC_CONSOLE_TITLE = VNC_DOM + " on QEMU/KVM"
SCREEN = (1280, 1024)

INIT = """#!/bin/busybox sh
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox stty -F /dev/ttyS0 -echo 2>/dev/null
/bin/busybox echo "virt-gmem guest: serial console on ttyS0" > /dev/ttyS0
(n=0; while true; do
    n=$((n + 1))
    /bin/busybox echo "guest tick $n" > /dev/ttyS0
    /bin/busybox sleep 3
done) &
while true; do
    IFS= read -r line < /dev/ttyS0
    /bin/busybox echo "GOT:$line" > /dev/ttyS0
done
"""


# ------------------------------------------------- accessibility helpers ----
# These run in a child /usr/bin/python3 (see the module's docstring).

def _atspi():
    import gi
    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi
    return Atspi


def _walk(acc, fn, depth=0):
    if acc is None or depth > 60:
        return
    fn(acc)
    for i in range(acc.get_child_count()):
        _walk(acc.get_child_at_index(i), fn, depth + 1)


def _text(Atspi, acc):
    try:
        if "Text" in acc.get_interfaces():
            return Atspi.Text.get_text(acc, 0, -1)
    except Exception:  # noqa: BLE001 - a widget that went away
        pass
    return None


def _frames(Atspi):
    """The toplevel windows of the running virt-manager, each with the
    accessible that is its frame."""
    out = []
    desk = Atspi.get_desktop(0)
    for i in range(desk.get_child_count()):
        app = desk.get_child_at_index(i)
        if app is None or app.get_name() != "virt-manager":
            continue
        for j in range(app.get_child_count()):
            f = app.get_child_at_index(j)
            if f is not None and f.get_role_name() == "frame":
                out.append(f)
    return out


def probe_main():
    """--probe: a JSON list of virt-manager's windows: title, position,
    the texts of their table cells and of their terminal (if any)."""
    Atspi = _atspi()
    result = []
    for f in _frames(Atspi):
        ext = Atspi.Component.get_extents(f, Atspi.CoordType.SCREEN)
        info = {"title": f.get_name(), "extents": [ext.x, ext.y, ext.width, ext.height],
                "cells": [], "terminal": None, "terminal_focused": False}

        def visit(a, info=info):
            role = a.get_role_name()
            if role == "table cell":
                t = _text(Atspi, a)
                if t:
                    info["cells"].append(t)
            elif role == "terminal":
                info["terminal"] = _text(Atspi, a) or ""
                info["terminal_focused"] = a.get_state_set().contains(Atspi.StateType.FOCUSED)
        _walk(f, visit)
        result.append(info)
    print(json.dumps(result))


def focus_terminal_main(title):
    """--focus-terminal TITLE: give the terminal of that window the
    keyboard focus; prints true when it has it."""
    Atspi = _atspi()
    found = []
    for f in _frames(Atspi):
        if f.get_name() == title:
            _walk(f, lambda a: found.append(a) if a.get_role_name() == "terminal" else None)
    ok = False
    if found:
        Atspi.Component.grab_focus(found[0])
        for _ in range(20):
            if found[0].get_state_set().contains(Atspi.StateType.FOCUSED):
                ok = True
                break
            time.sleep(0.1)
    print(json.dumps(ok))


def shoot_main(path, x, y, w, h):
    """--shoot FILE X Y W H: that rectangle of the screen as a PNG."""
    import gi
    gi.require_version("Gdk", "3.0")
    from gi.repository import Gdk
    root = Gdk.get_default_root_window()
    x, y = max(0, x), max(0, y)
    w = min(w, root.get_width() - x)
    h = min(h, root.get_height() - y)
    pb = Gdk.pixbuf_get_from_window(root, x, y, w, h)
    if pb is None:
        sys.exit("no image of the screen")
    pb.savev(path, "png", ["compression"], ["9"])
    print(json.dumps([w, h]))


# --------------------------------------------------------- the session ----

class Desktop:
    """Xvfb, a session bus and the virt-manager on them. Every process of
    it carries VGM_VMTEST_TAG in its environment, and cleanup() ends those
    (the accessibility bus and registry that the session bus starts
    included)."""

    def __init__(self, work):
        self.work = work
        self.tag = "%d-%s" % (os.getpid(), os.path.basename(work))
        self.env = harness.client_env()
        self.env["VGM_VMTEST_TAG"] = self.tag
        self.home = os.path.join(work, "home")
        os.makedirs(os.path.join(self.home, "run"), mode=0o700)
        self.env.update({
            "HOME": self.home,
            "XDG_RUNTIME_DIR": os.path.join(self.home, "run"),
            "XDG_CONFIG_HOME": os.path.join(self.home, "config"),
            "XDG_CACHE_HOME": os.path.join(self.home, "cache"),
            "XDG_DATA_HOME": os.path.join(self.home, "data"),
            # virt-manager's settings in memory: nothing is written to dconf
            "GSETTINGS_BACKEND": "memory",
        })
        for v in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "NO_AT_BRIDGE",
                  "GTK_MODULES", "XAUTHORITY"):
            self.env.pop(v, None)
        self.procs = []
        self.manager = None
        self.manager_log = os.path.join(work, "virt-manager.log")

    def _spawn(self, args, **kw):
        p = subprocess.Popen(args, env=self.env, stdin=subprocess.DEVNULL,
                             start_new_session=True, preexec_fn=harness._die_with_parent, **kw)
        self.procs.append(p)
        return p

    def start(self):
        """Xvfb (it picks a free display and writes its number when ready)
        and the session bus."""
        r, w = os.pipe()
        self._spawn(["Xvfb", "-displayfd", str(w), "-screen", "0", "%dx%dx24" % SCREEN,
                     # no server reset when the last client leaves: xdotool's
                     # probe below disconnects, and a client connecting while
                     # the server resets fails (GTK then cannot initialise)
                     "-noreset", "-nolisten", "tcp"], pass_fds=(w,),
                    stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.work, "xvfb.log"), "wb"))
        os.close(w)
        num = b""
        deadline = time.monotonic() + 20
        while not num.endswith(b"\n") and time.monotonic() < deadline:
            import select
            if select.select([r], [], [], 0.5)[0]:
                d = os.read(r, 16)
                if not d:
                    break
                num += d
        os.close(r)
        if not num.strip().isdigit():
            raise RuntimeError("Xvfb did not start: %s" % self._file_tail("xvfb.log"))
        self.env["DISPLAY"] = ":" + num.decode().strip()
        self.xvfb = self.procs[-1]
        # a client can talk to it (xdotool asks for the screen's size)
        deadline = time.monotonic() + 10
        while self.run(["xdotool", "getdisplaygeometry"], timeout=10).rc != 0:
            if time.monotonic() > deadline or self.xvfb.poll() is not None:
                raise RuntimeError("no client can open the display %s of Xvfb: %s"
                                   % (self.env["DISPLAY"], self._file_tail("xvfb.log")))
            time.sleep(0.2)
        bus = self._spawn(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                          stdout=subprocess.PIPE, stderr=open(os.path.join(self.work, "dbus.log"), "wb"))
        addr = bus.stdout.readline().decode().strip()
        if not addr:
            raise RuntimeError("dbus-daemon did not start: %s" % self._file_tail("dbus.log"))
        self.env["DBUS_SESSION_BUS_ADDRESS"] = addr

    def _file_tail(self, name, lines=20):
        try:
            with open(os.path.join(self.work, name), "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def virt_manager(self, uri):
        self.manager = self._spawn(["virt-manager", "--connect", uri, "--no-fork", "--debug"],
                                   stdout=open(self.manager_log, "ab"), stderr=subprocess.STDOUT)
        return self.manager

    def run(self, args, timeout=60):
        try:
            p = subprocess.run(args, env=self.env, capture_output=True, text=True,
                               timeout=timeout, stdin=subprocess.DEVNULL)
            return harness.Result(p.returncode, p.stdout, p.stderr, args)
        except subprocess.TimeoutExpired:
            return harness.Result(None, "", "(timed out after %s s)" % timeout, args)

    def helper(self, *args, timeout=30):
        """This file's helper mode under /usr/bin/python3: its JSON answer,
        or None when it failed."""
        r = self.run([harness.SYSTEM_PYTHON, os.path.abspath(__file__)] + list(args), timeout)
        if r.rc != 0:
            self.last_helper_error = r.err.strip()
            return None
        try:
            return json.loads(r.out)
        except ValueError:
            self.last_helper_error = r.out
            return None

    def windows(self):
        return self.helper("--probe") or []

    def window(self, title):
        for w in self.windows():
            if w["title"] == title:
                return w
        return None

    def wait_window(self, title, cond, seconds):
        """The window titled `title` once cond(window) holds, polling for up
        to `seconds`; else the last state seen (or None)."""
        deadline = time.monotonic() + seconds
        last = None
        while True:
            w = self.window(title)
            if w is not None:
                last = w
                if cond(w):
                    return w, True
            if time.monotonic() > deadline:
                return last, False
            if self.manager is not None and self.manager.poll() is not None:
                return last, False
            time.sleep(0.5)

    def shoot(self, window, path):
        x, y, w, h = window["extents"]
        return self.helper("--shoot", path, str(x), str(y), str(w), str(h))

    def log_lines(self, pattern):
        try:
            with open(self.manager_log, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return []
        return [l for l in text.splitlines() if re.search(pattern, l)]

    def cleanup(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in reversed(self.procs):
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            if p.stdout:
                p.stdout.close()
        # what the session bus started ends with it; give it a moment
        deadline = time.monotonic() + 5
        while tagged_processes(self.tag) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in tagged_processes(self.tag):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def tagged_processes(tag):
    """Pids of the processes whose environment holds VGM_VMTEST_TAG=tag."""
    want = b"VGM_VMTEST_TAG=" + tag.encode()
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                if want in f.read().split(b"\0"):
                    found.append(int(pid))
        except OSError:
            continue
    return found


# --------------------------------------------------------------- tests ----

def missing_tools():
    """Why the test cannot run here, or None."""
    for prog, pkg in (("virt-manager", "virt-manager"), ("Xvfb", "xvfb"),
                      ("xdotool", "xdotool"), ("dbus-daemon", "dbus-daemon")):
        if not shutil.which(prog):
            return "%s is not installed (Debian package %s)" % (prog, pkg)
    if not os.access(harness.SYSTEM_PYTHON, os.X_OK):
        return "no %s" % harness.SYSTEM_PYTHON
    r = harness.run([harness.SYSTEM_PYTHON, "-c",
                     "import gi; gi.require_version('Atspi', '2.0'); gi.require_version('Gdk', '3.0');"
                     "from gi.repository import Atspi, Gdk"], timeout=30)
    if r.rc != 0:
        return "AT-SPI for Python is not installed (Debian packages gir1.2-atspi-2.0, at-spi2-core)"
    if not os.path.exists("/usr/libexec/at-spi-bus-launcher"):
        return "at-spi2-core is not installed"
    return None


def vnc_domain(name):
    """A paused guest with VNC graphics: the console is the display."""
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <graphics type='vnc' autoport='yes'/>
    <memballoon model='none'/>
  </devices>
</domain>""" % name


def domain(name, kernel, initrd):
    boot = ""
    if kernel:
        boot = """
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>""" % (kernel, initrd)
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>%s
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='pty'/>
    <memballoon model='none'/>
  </devices>
</domain>""" % (name, boot)


def cell_of(window, name):
    """The main window's cell of the domain `name` ("NAME\\nSTATE"), or None."""
    for c in window["cells"]:
        if c.split("\n")[0] == name:
            return c
    return None


def save_shot(tap, desk, window, shots, filename, what):
    path = os.path.join(shots, filename)
    size = desk.shoot(window, path)
    ok = size is not None and os.path.exists(path)
    with_size = " (%dx%d, %d bytes)" % (size[0], size[1], os.path.getsize(path)) if ok else ""
    tap.ok(ok, "a screenshot of %s is saved: %s%s" % (what, path, with_size),
           getattr(desk, "last_helper_error", None))


def run_tests(tap, target, kernel, initrd, work, shots):
    uri = target.uri

    # virt-manager makes a 'default' pool in /var/lib/libvirt/images when
    # the connection has none: give it one of ours
    images = os.path.join(work, "images")
    r = harness.virsh(uri, "pool-define-as", "default", "dir", "--target", images)
    if r.rc == 0:
        r = harness.virsh(uri, "pool-build", "default")
    if r.rc == 0:
        r = harness.virsh(uri, "pool-start", "default")
    tap.eq(r.rc, 0, "a 'default' directory pool is defined, built and started")

    xml = os.path.join(work, DOM + ".xml")
    with open(xml, "w") as f:
        f.write(domain(DOM, kernel, initrd))
    r = harness.virsh(uri, "define", xml)
    if r.rc == 0:
        r = harness.virsh(uri, "start", DOM)
    if not tap.eq(r.rc, 0, "the domain is defined and started through virsh"):
        tap.diag(r.describe())
        return
    xml = os.path.join(work, VNC_DOM + ".xml")
    with open(xml, "w") as f:
        f.write(vnc_domain(VNC_DOM))
    r = harness.virsh(uri, "create", "--paused", xml)
    if not tap.eq(r.rc, 0, "a domain with VNC graphics is started paused through virsh"):
        tap.diag(r.describe())

    desk = Desktop(work)
    try:
        run_desktop(tap, target, desk, kernel, shots)
    finally:
        desk.cleanup()


def local_uri(uri):
    """virt-manager's spelling of the daemon's URI: qemu:///system with
    the socket as a parameter, which libvirt's client honours as it
    honours qemu+unix://. virt-manager treats a URI with a transport
    (+unix) as a remote host's and then refuses a graphical console that
    listens on 127.0.0.1; qemu:///system, what a user of the standard
    socket has, is local, and virt-manager opens its graphical consoles
    through openGraphicsFD."""
    return re.sub(r"^qemu\+unix://", "qemu://", uri)


def run_desktop(tap, target, desk, kernel, shots):
    uri = local_uri(target.uri)
    t0 = time.monotonic()
    desk.start()
    tap.diag("Xvfb on %s, session bus %s" % (desk.env["DISPLAY"], desk.env["DBUS_SESSION_BUS_ADDRESS"]))
    desk.virt_manager(uri)

    # the main window
    main, ok = desk.wait_window(MAIN_TITLE, lambda w: cell_of(w, DOM) is not None, 60)
    if not tap.ok(ok, "virt-manager's main window lists the domain %s (%.1f s after it started)"
                  % (DOM, time.monotonic() - t0),
                  "windows: %r\nvirt-manager exit status: %r, Xvfb's: %r\nits log (tail):\n%s"
                  "\nXvfb's log (tail):\n%s"
                  % (desk.windows(), desk.manager.poll(), desk.xvfb.poll(),
                     "\n".join(desk.log_lines(".")[-30:]), desk._file_tail("xvfb.log"))):
        if target.daemon is not None and target.daemon.alive():
            tap.diag("the daemon's threads:\n" + harness.thread_backtraces(target.daemon.pid))
        return
    main, ok = desk.wait_window(MAIN_TITLE, lambda w: (cell_of(w, DOM) or "").endswith("\nRunning"), 30)
    tap.eq(cell_of(main, DOM), DOM + "\nRunning", "the main window shows it Running")
    tap.ok("QEMU/KVM" in main["cells"], "the main window's connection row reads QEMU/KVM",
           repr(main["cells"]))
    if shots:
        # a few of virt-manager's 3-second polls draw the CPU graph; the
        # window shortened to its rows
        time.sleep(7)
        xw = desk.run(["xdotool", "search", "--name", "^%s$" % MAIN_TITLE])
        if xw.rc == 0 and xw.out.split():
            desk.run(["xdotool", "windowsize", xw.out.split()[0], "550", "260"], timeout=10)
            time.sleep(1)
        main = desk.window(MAIN_TITLE) or main
        save_shot(tap, desk, main, shots, "virt-manager-main.png", "the main window")

    # the console: a second virt-manager hands the request to the first
    t1 = time.monotonic()
    r = desk.run(["virt-manager", "--connect", uri, "--show-domain-console", DOM, "--no-fork"],
                 timeout=60)
    tap.eq(r.rc, 0, "virt-manager --show-domain-console %s exits 0 (handed to the running one)" % DOM)
    con, ok = desk.wait_window(CONSOLE_TITLE, lambda w: w["terminal"] is not None, 60)
    tap.ok(ok, "the console window '%s' opens on the serial terminal (%.1f s)"
           % (CONSOLE_TITLE, time.monotonic() - t1),
           "windows: %r" % ([w["title"] for w in desk.windows()],))
    xw = desk.run(["xdotool", "search", "--name", "^" + re.escape(CONSOLE_TITLE) + "$"])
    wid = xw.out.split()[0] if xw.rc == 0 and xw.out.split() else None
    tap.ok(wid is not None, "X has a window titled '%s' (xdotool)" % CONSOLE_TITLE, xw.describe())
    if not ok:
        return

    if not kernel:
        for name in ("the console shows what the guest writes on ttyS0",
                     "a line typed in the console reaches the guest, its answer shows"):
            tap.skip(name, "no guest kernel: the domain sits in its firmware")
    else:
        con, ok = desk.wait_window(CONSOLE_TITLE, lambda w: "guest tick" in (w["terminal"] or ""), 90)
        tap.ok(ok, "the console shows what the guest writes on ttyS0",
               repr((con or {}).get("terminal", "")[-400:]))
        got = False
        if ok and wid:
            # no window manager: give the window X's focus, then the
            # terminal the window's focus, and type
            desk.run(["xdotool", "windowfocus", "--sync", wid], timeout=10)
            focused = desk.helper("--focus-terminal", CONSOLE_TITLE)
            deadline = time.monotonic() + 60
            n = 0
            while not got and time.monotonic() < deadline:
                n += 1
                desk.run(["xdotool", "type", "--delay", "20", "hello-%d" % n], timeout=20)
                desk.run(["xdotool", "key", "Return"], timeout=10)
                con, got = desk.wait_window(CONSOLE_TITLE,
                                            lambda w: "GOT:hello-" in (w["terminal"] or ""), 8)
            tap.ok(got, "a line typed in the console reaches the guest, its answer shows",
                   "terminal focused: %r; terminal: %r"
                   % (focused, (con or {}).get("terminal", "")[-400:]))
        else:
            tap.skip("a line typed in the console reaches the guest, its answer shows",
                     "the guest's output did not show")
    if shots:
        # a smaller window for the picture (virt-manager opens it at
        # 1024x835, mostly empty), with the lines that came since
        if wid:
            desk.run(["xdotool", "windowsize", wid, "720", "440"], timeout=10)
            time.sleep(1)
        con = desk.window(CONSOLE_TITLE) or con
        save_shot(tap, desk, con, shots, "virt-manager-console.png", "the console window")

    # the graphical console of the VNC domain
    t2 = time.monotonic()
    before = len(desk.log_lines(r"Viewer connected cb"))
    r = desk.run(["virt-manager", "--connect", uri, "--show-domain-console", VNC_DOM,
                  "--no-fork"], timeout=60)
    tap.eq(r.rc, 0, "virt-manager --show-domain-console %s exits 0" % VNC_DOM)
    _, ok = desk.wait_window(VNC_CONSOLE_TITLE, lambda w: True, 60)
    tap.ok(ok, "the console window '%s' opens" % VNC_CONSOLE_TITLE,
           "windows: %r" % ([w["title"] for w in desk.windows()],))
    deadline = time.monotonic() + 60
    while (len(desk.log_lines(r"Viewer connected cb")) <= before and
           time.monotonic() < deadline):
        time.sleep(0.5)
    # (by TCP, virt-manager would log "VNC connecting to host=...")
    tap.ok(len(desk.log_lines(r"Viewer connected cb")) > before and
           not desk.log_lines(r"Viewer disconnected") and
           not desk.log_lines(r"VNC connecting to host"),
           "gtk-vnc is connected to the domain's VNC server through openGraphicsFD (%.1f s)"
           % (time.monotonic() - t2),
           "\n".join(desk.log_lines(r"[Vv]iewer|VNC|graphics|openGraphics")[-20:]))

    # it listens for events of each kind instead of polling
    using = [k for k in ("domain", "network", "storage pool", "node device")
             if desk.log_lines(r"DEBUG .*Using %s events" % k)]
    tap.ok(using == ["domain", "network", "storage pool", "node device"],
           "virt-manager uses domain, network, storage pool and node device events",
           "\n".join(desk.log_lines(r"events")[-10:]))
    errors = desk.log_lines(r"\b(ERROR|CRITICAL)\b|Traceback")
    tap.ok(not errors, "virt-manager logged no error", "\n".join(errors[:30]))
    for l in desk.log_lines(r"DEBUG .*(rror|not supported|unknown procedure)"):
        tap.diag("virt-manager: " + l.split("] ", 1)[-1])
    tap.ok(desk.manager.poll() is None, "virt-manager is still running at the end",
           "exit status %r" % desk.manager.poll())
    tap.diag("virt-manager part: %.1f s" % (time.monotonic() - t0))


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--probe":
        return probe_main()
    if len(sys.argv) >= 3 and sys.argv[1] == "--focus-terminal":
        return focus_terminal_main(sys.argv[2])
    if len(sys.argv) >= 7 and sys.argv[1] == "--shoot":
        return shoot_main(sys.argv[2], *(int(v) for v in sys.argv[3:7]))
    shots = None
    if len(sys.argv) >= 3 and sys.argv[1] == "--screenshots":
        shots = os.path.abspath(sys.argv[2])
        os.makedirs(shots, exist_ok=True)
    elif len(sys.argv) > 1:
        sys.exit("usage: %s [--screenshots DIR]" % sys.argv[0])

    tap = harness.TAP()
    if os.environ.get("VGM_TEST_URI"):
        harness.TAP.skip_all("the virt-manager test runs against our own daemon")
    why = missing_tools()
    if why:
        harness.TAP.skip_all(why)
    if not os.access(harness.VIRSH, os.X_OK):
        harness.TAP.skip_all("virsh is not installed (Debian package libvirt-clients)")
    work = tempfile.mkdtemp(prefix="vgm-vmm-")
    kernel, initrd = harness.guest_kit(work, INIT)
    if not kernel:
        harness.TAP.diag("%s: the domain sits in its firmware" % initrd)
        initrd = None
    target = harness.setup_target(need_virsh=True)
    try:
        harness.run_guarded(tap, run_tests, tap, target, kernel, initrd, work, shots)
    finally:
        harness.virsh(target.uri, "destroy", DOM)
        harness.finish_target(tap, target)
        subprocess.run(["rm", "-rf", work])
    sys.exit(tap.done())


if __name__ == "__main__":
    main()
