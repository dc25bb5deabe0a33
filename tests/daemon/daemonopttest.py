#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""daemonopttest: virtgmemd's own options and who may connect (TAP; our
daemon only), through Debian 12's python3-libvirt 9.0.

Each part starts its own virtgmemd (never the one harness.py starts: these
are about how the daemon itself is started). What it covers:

  * --timeout SECS, as libvirtd(8) words it for libvirt's daemons ("exit
    after timeout period, provided there are neither any client
    connections nor any running domains"): with no client the daemon exits
    0 about SECS seconds after it started and removes its sockets; with a
    client connected it stays (well past SECS) and exits about SECS seconds
    after the client closed; with a domain running and no client it stays,
    and exits about SECS seconds after a client destroyed the domain and
    left.
  * a stop (SIGTERM) while a client's call is in flight: the call ends
    and its client gets the answer before the daemon exits 0, as libvirtd
    lets its workers finish; the domain the call started runs on.
  * SO_PEERCRED admission (as root; the clients run as other users with
    setpriv): a daemon run by root refuses a connection from uid 65534 on
    the read-write socket (with the socket's mode 0700 the kernel refuses
    the connect already; with the mode opened up to 0777 the daemon itself
    drops the connection and logs the refusal), and admits it on the
    read-only socket, where it can read (getType, listAllDomains sees
    root's domain) and not write (defineXML: VIR_ERR_OPERATION_DENIED).
    A daemon run by uid 65534 admits its own user and root on the
    read-write socket (both define) and refuses uid 65533 there.
  * Default socket paths without --listen: as root
    /run/virt-gmem/virtgmemd-sock and -ro beside it (the daemon runs in a
    private mount namespace with a tmpfs on /run, so a real daemon on the
    host's default path is never touched; the test reaches the sockets
    through /proc/PID/root), as uid 65534 $XDG_RUNTIME_DIR/virt-gmem/
    virtgmemd-sock; modes 0700 and 0777; a client works through each.

Parts that need root (other users, mount namespaces) are skipped with the
reason when not run as root, or when setpriv / unshare are missing.
"""

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

harness.use_system_python()

try:
    import libvirt  # noqa: E402
except ImportError:
    harness.TAP.skip_all("python3-libvirt is not installed (needs /usr/bin/python3)")

F = libvirt
TIMEOUT = 2          # --timeout of the idle tests, seconds
SLACK = 3.0          # the daemon checks once a second; room for a loaded CI
NOBODY = 65534
OTHER = 65533
SETPRIV = shutil.which("setpriv")
UNSHARE = shutil.which("unshare")
ROOT_DOM = "vgmtest-opt-root"
NOBODY_DOM = "vgmtest-opt-nobody"
OTHER_DOM = "vgmtest-opt-other"
IDLE_DOM = "vgmtest-opt-idle"
STOP_DOM = "vgmtest-opt-midcall"

# What a client run as another user does; prints one JSON object.
#   argv: URI MODE [XML]; MODE: raw (connect(2) only), ro (openReadOnly),
#   rw (open, then define XML if given)
CLIENT = r"""
import json, socket, sys
uri, mode = sys.argv[1], sys.argv[2]
out = {}
if mode == "raw":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(uri)
        out["connect"] = "ok"
    except OSError as e:
        out["connect"] = e.errno
    print(json.dumps(out))
    sys.exit(0)
import libvirt
libvirt.registerErrorHandler(lambda c, e: None, None)
try:
    c = libvirt.openReadOnly(uri) if mode == "ro" else libvirt.open(uri)
except libvirt.libvirtError as e:
    out["open"] = [e.get_error_code(), e.get_error_message()]
else:
    out["open"] = "ok"
    out["type"] = c.getType()
    out["names"] = sorted(d.name() for d in c.listAllDomains(0))
    if len(sys.argv) > 3:
        try:
            c.defineXML(sys.argv[3])
            out["define"] = "ok"
        except libvirt.libvirtError as e:
            out["define"] = [e.get_error_code(), e.get_error_message()]
    c.close()
print(json.dumps(out))
"""


def quiet(ctx, err):
    pass


def as_user(uid, home, *args):
    """CLIENT run as uid (and gid) `uid` without supplementary groups;
    returns its JSON answer, or {'failed': output}."""
    env = harness.client_env()
    env["HOME"] = home
    env.pop("XDG_RUNTIME_DIR", None)
    cmd = [SETPRIV, "--reuid=%d" % uid, "--regid=%d" % uid, "--clear-groups",
           harness.SYSTEM_PYTHON, "-c", CLIENT] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env,
                       stdin=subprocess.DEVNULL)
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"failed": "rc %s\n%s\n%s" % (p.returncode, p.stdout, p.stderr)}


def uri_of(sock):
    return "qemu+unix:///system?socket=" + sock


def small_domain(name):
    return harness.domain_xml(name)


class Proc:
    """A virtgmemd started by this test (any command line that ends in the
    daemon; its pid is the daemon's once exec'd)."""

    def __init__(self, argv, log_path, env=None):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.started = time.monotonic()
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                  stderr=subprocess.STDOUT, env=env,
                                  start_new_session=True,
                                  preexec_fn=harness._die_with_parent)

    def wait_path(self, path, wait=10.0):
        """path exists within `wait` seconds (while the daemon runs)."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if os.path.exists(path):
                return True
            if self.p.poll() is not None:
                return False
            time.sleep(0.02)
        return False

    def wait_exit(self, wait):
        """The exit status within `wait` seconds, else None."""
        try:
            return self.p.wait(wait)
        except subprocess.TimeoutExpired:
            return None

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            if self.wait_exit(5) is None:
                self.p.kill()
                self.p.wait()
        self.log.close()
        return self.p.returncode

    def tail(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-3000:]
        except OSError:
            return "(no log)"


def main():
    tap = harness.TAP()
    libvirt.registerErrorHandler(quiet, None)
    signal.signal(signal.SIGTERM, harness._terminate)
    if os.environ.get("VGM_TEST_URI"):
        harness.TAP.skip_all("the daemon's options need our own daemon")
    if not harness.wait_executable(harness.DAEMON):
        harness.TAP.skip_all("virtgmemd not built (%s)" % harness.DAEMON)
    base = tempfile.mkdtemp(prefix="vgmo-")
    procs = []
    try:
        harness.run_guarded(tap, run_tests, tap, base, procs)
    finally:
        for p in procs:
            p.stop()
        # QEMUs of the idle test, if it stopped half way
        harness.kill_processes_naming(base + "/")
        shutil.rmtree(base, ignore_errors=True)
    sys.exit(tap.done())


def run_tests(tap, base, procs):
    for part in (timeout_tests, stop_in_call_tests, peercred_tests, default_path_tests):
        harness.run_part(tap, part, tap, base, procs)


def new_dir(base, name, owner=None, mode=0o755):
    p = os.path.join(base, name)
    os.mkdir(p)
    os.chmod(p, mode)
    if owner is not None:
        os.chown(p, owner, owner)
    return p


def start(tap, base, procs, name, extra, env=None, prefix=(), sock=None):
    """virtgmemd --root BASE/NAME/root [--listen BASE/NAME/sock] EXTRA
    --verbose, behind PREFIX; waits for `sock` (default: the --listen
    path). Returns (proc, sock) or (None, sock) after a failed test."""
    d = new_dir(base, name)
    root = os.path.join(d, "root")
    if sock is None:
        sock = os.path.join(d, "sock")
        extra = ["--listen", sock] + list(extra)
    argv = list(prefix) + [harness.DAEMON, "--root", root, "--verbose"] + list(extra)
    p = Proc(argv, os.path.join(d, "log"), env=env)
    procs.append(p)
    if not p.wait_path(sock):
        tap.ok(False, "virtgmemd (%s) creates %s" % (name, sock), p.tail())
        return None, sock
    return p, sock


# ---------------------------------------------------------- --timeout ----

def timeout_tests(tap, base, procs):
    # No client ever: gone about TIMEOUT s after it started, status 0.
    p, sock = start(tap, base, procs, "idle", ["--timeout", str(TIMEOUT)])
    if p is None:
        return
    rc = p.wait_exit(TIMEOUT + SLACK + 2)
    took = time.monotonic() - p.started
    tap.ok(rc == 0 and TIMEOUT - 0.2 <= took <= TIMEOUT + SLACK + 1,
           "--timeout %d, no client: exits 0 after about %d s" % (TIMEOUT, TIMEOUT),
           "exit status %r after %.1f s; log:\n%s" % (rc, took, p.tail()))
    tap.ok(not os.path.exists(sock) and not os.path.exists(sock + "-ro"),
           "--timeout: the idle exit removes both sockets")

    # A client connected: stays, however long; exits once it left.
    p, sock = start(tap, base, procs, "client", ["--timeout", str(TIMEOUT)])
    if p is None:
        return
    conn = libvirt.open(uri_of(sock))
    time.sleep(TIMEOUT + SLACK)
    alive = p.alive()
    t = conn.getType() if alive else None
    tap.ok(alive and t == "QEMU",
           "--timeout %d: still serving after %.0f s while a client is connected"
           % (TIMEOUT, TIMEOUT + SLACK), "alive %s, getType %r; log:\n%s" % (alive, t, p.tail()))
    conn.close()
    closed = time.monotonic()
    rc = p.wait_exit(TIMEOUT + SLACK + 2)
    took = time.monotonic() - closed
    tap.ok(rc == 0 and TIMEOUT - 0.2 <= took <= TIMEOUT + SLACK + 1,
           "--timeout %d: exits 0 about %d s after the last client closed" % (TIMEOUT, TIMEOUT),
           "exit status %r %.1f s after the close; log:\n%s" % (rc, took, p.tail()))

    # A running domain and no client: stays (as libvirt's daemons do).
    p, sock = start(tap, base, procs, "domain", ["--timeout", str(TIMEOUT)])
    if p is None:
        return
    conn = libvirt.open(uri_of(sock))
    conn.createXML(small_domain(IDLE_DOM), 0)
    conn.close()
    time.sleep(TIMEOUT + SLACK)
    alive = p.alive()
    tap.ok(alive, "--timeout %d: no client but a running domain: still up after %.0f s"
           % (TIMEOUT, TIMEOUT + SLACK), p.tail())
    if not alive:
        return
    conn = libvirt.open(uri_of(sock))
    d = conn.lookupByName(IDLE_DOM)
    st = d.state()
    d.destroy()
    del d       # a domain handle holds its connection open
    conn.close()
    closed = time.monotonic()
    tap.eq(st, [F.VIR_DOMAIN_RUNNING, F.VIR_DOMAIN_RUNNING_BOOTED],
           "--timeout: the domain ran on while no client was connected")
    rc = p.wait_exit(TIMEOUT + SLACK + 2)
    took = time.monotonic() - closed
    tap.ok(rc == 0 and took <= TIMEOUT + SLACK + 1,
           "--timeout %d: exits 0 once the domain was destroyed and the client left"
           % TIMEOUT, "exit status %r %.1f s after the close; log:\n%s" % (rc, took, p.tail()))


# ------------------------------------------------ a stop mid-call ----

def stop_in_call_tests(tap, base, procs):
    """SIGTERM while a client's start is in flight (held 3 s after QEMU
    is spawned by the test pause point start-after-spawn): the daemon
    waits for the call, the client gets its answer (virsh start succeeds),
    the daemon exits 0, and the domain runs on, as a daemon started again
    on the same root reports. (Before, the client saw its connection
    dropped although the start completed.)"""
    env = dict(os.environ, VIRT_GMEM_TEST_PAUSE_AT="start-after-spawn",
               VIRT_GMEM_TEST_PAUSE_SECS="3")
    p, sock = start(tap, base, procs, "midcall", [], env=env)
    if p is None:
        return
    xml = os.path.join(base, "midcall", "dom.xml")
    with open(xml, "w") as f:
        f.write(small_domain(STOP_DOM))
    r = harness.virsh(uri_of(sock), "define", xml)
    if not tap.eq(r.rc, 0, "a domain to start is defined"):
        tap.diag(r.describe())
        return
    client = subprocess.Popen([harness.VIRSH, "-c", uri_of(sock), "start", STOP_DOM],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=harness.client_env())
    deadline = time.monotonic() + 30
    while "paused at start-after-spawn" not in p.tail() and time.monotonic() < deadline:
        time.sleep(0.05)
    held = "paused at start-after-spawn" in p.tail()
    p.p.send_signal(signal.SIGTERM)
    out = client.communicate(timeout=60)[0].decode("utf-8", "replace")
    rc = p.wait_exit(40)
    tap.ok(held and client.returncode == 0 and "started" in out,
           "SIGTERM while a start is in flight: virsh start gets its answer (success)",
           "held: %s, virsh rc %s: %s\nlog:\n%s" % (held, client.returncode, out, p.tail()))
    tap.ok(rc == 0 and "waiting for the calls in flight (1)" in p.tail(),
           "... the daemon waited for the call, then exited 0",
           "exit status %r; log:\n%s" % (rc, p.tail()))
    root = os.path.join(base, "midcall", "root")
    p2 = Proc([harness.DAEMON, "--root", root, "--listen", sock + "2"],
              os.path.join(base, "midcall", "log2"))
    procs.append(p2)
    if not p2.wait_path(sock + "2"):
        tap.ok(False, "virtgmemd starts again on the same root", p2.tail())
        return
    r = harness.virsh(uri_of(sock + "2"), "domstate", STOP_DOM)
    tap.eq(r.out.strip(), "running", "... and the domain it started runs on")
    harness.virsh(uri_of(sock + "2"), "destroy", STOP_DOM)
    harness.virsh(uri_of(sock + "2"), "undefine", STOP_DOM)


# -------------------------------------------------------- SO_PEERCRED ----

def need_root(tap, names):
    why = None
    if os.geteuid() != 0:
        why = "needs root (clients and daemons run as other users)"
    elif not SETPRIV:
        why = "setpriv (util-linux) is not installed"
    if why:
        for n in names:
            tap.skip(n, why)
    return why is None


def peercred_tests(tap, base, procs):
    names = ["SO_PEERCRED: uid %d cannot connect(2) to root's read-write socket (mode 0700)"
             % NOBODY,
             "SO_PEERCRED: uid %d refused on the read-write socket opened to 0777" % NOBODY,
             "SO_PEERCRED: the refusal is the daemon's (logged with the uid)",
             "SO_PEERCRED: uid %d admitted on the read-only socket, reads" % NOBODY,
             "SO_PEERCRED: uid %d on the read-only socket cannot define (29)" % NOBODY,
             "SO_PEERCRED: root still served on the read-write socket"]
    if not need_root(tap, names):
        return
    home = new_dir(base, "home-nobody", owner=NOBODY)
    os.chmod(base, 0o755)
    p, sock = start(tap, base, procs, "peercred", ["--timeout", "0"])
    if p is None:
        return
    os.chmod(os.path.dirname(sock), 0o755)
    conn = libvirt.open(uri_of(sock))
    conn.defineXML(small_domain(ROOT_DOM))

    r = as_user(NOBODY, home, sock, "raw")
    tap.eq(r, {"connect": 13}, names[0])       # EACCES
    os.chmod(sock, 0o777)
    r = as_user(NOBODY, home, uri_of(sock), "rw", small_domain(OTHER_DOM))
    tap.ok(r.get("open") != "ok" and "define" not in r, names[1], repr(r))
    log = p.tail()
    tap.ok("uid %d refused" % NOBODY in log, names[2], log)

    r = as_user(NOBODY, home, uri_of(sock + "-ro"), "ro", small_domain(OTHER_DOM))
    tap.eq((r.get("open"), r.get("type"), r.get("names")), ("ok", "QEMU", [ROOT_DOM]), names[3])
    tap.eq((r.get("define") or [None])[0], F.VIR_ERR_OPERATION_DENIED, names[4])
    try:
        got = sorted(d.name() for d in conn.listAllDomains(0))
        ok = got == [ROOT_DOM] and p.alive()
    except libvirt.libvirtError as e:
        got, ok = str(e), False
    tap.ok(ok, names[5], "domains %r (only root's: nothing defined by uid %d)" % (got, NOBODY))
    conn.close()


# ------------------------------------------------- default socket paths ----

def default_path_tests(tap, base, procs):
    root_default_path(tap, base, procs)
    user_default_path(tap, base, procs)


def root_default_path(tap, base, procs):
    names = ["default socket as root: /run/virt-gmem/virtgmemd-sock, mode 0700",
             "default socket as root: /run/virt-gmem/virtgmemd-sock-ro, mode 0777",
             "default socket as root: a client is served through it",
             "default socket as root: the host's /run/virt-gmem is untouched"]
    why = None
    if os.geteuid() != 0:
        why = "needs root (a mount namespace with a tmpfs on /run)"
    elif not UNSHARE:
        why = "unshare (util-linux) is not installed"
    elif subprocess.run([UNSHARE, "-m", "true"], capture_output=True).returncode != 0:
        why = "cannot make a mount namespace here (unshare -m fails)"
    if why:
        for n in names:
            tap.skip(n, why)
        return

    def snapshot():
        out = {}
        for n in ("virtgmemd-sock", "virtgmemd-sock-ro"):
            try:
                s = os.lstat(os.path.join("/run/virt-gmem", n))
                out[n] = (s.st_ino, s.st_mtime_ns, s.st_mode)
            except OSError:
                out[n] = None
        return out
    before = snapshot()
    # The daemon's own /run: a tmpfs in a private mount namespace. unshare
    # and sh exec into the daemon, which keeps the pid.
    prefix = [UNSHARE, "-m", "--propagation", "private", "sh", "-c",
              'mount -t tmpfs -o mode=0755 vgmtest /run && exec "$@"', "sh"]
    d = new_dir(base, "rootdefault")
    log = os.path.join(d, "log")
    p = Proc(prefix + [harness.DAEMON, "--root", os.path.join(d, "root"), "--timeout", "0",
                       "--verbose"], log)
    procs.append(p)
    sock = "/proc/%d/root/run/virt-gmem/virtgmemd-sock" % p.p.pid
    if not p.wait_path(sock + "-ro"):
        tap.ok(False, names[0], "no %s; log:\n%s" % (sock, p.tail()))
        return
    m = stat.S_IMODE(os.stat(sock).st_mode)
    tap.ok(stat.S_ISSOCK(os.stat(sock).st_mode) and m == 0o700, names[0], oct(m))
    m = stat.S_IMODE(os.stat(sock + "-ro").st_mode)
    tap.ok(stat.S_ISSOCK(os.stat(sock + "-ro").st_mode) and m == 0o777, names[1], oct(m))
    conn = libvirt.open(uri_of(sock))
    conn.defineXML(small_domain(ROOT_DOM))
    rconn = libvirt.openReadOnly(uri_of(sock + "-ro"))
    got = (conn.getType(), [x.name() for x in rconn.listAllDomains(0)])
    rconn.close()
    conn.close()
    tap.eq(got, ("QEMU", [ROOT_DOM]), names[2])
    p.stop()
    tap.eq(snapshot(), before, names[3])


def user_default_path(tap, base, procs):
    names = ["default socket as uid %d: $XDG_RUNTIME_DIR/virt-gmem/virtgmemd-sock, mode 0700"
             % NOBODY,
             "default socket as uid %d: -ro beside it, mode 0777" % NOBODY,
             "SO_PEERCRED: a daemon run by uid %d admits its own user read-write (define)"
             % NOBODY,
             "SO_PEERCRED: ... and root (define)",
             "SO_PEERCRED: ... and refuses uid %d on the read-write socket" % OTHER,
             "SO_PEERCRED: ... and admits uid %d on its read-only socket (reads, no define)"
             % OTHER]
    if not need_root(tap, names):
        return
    os.chmod(base, 0o755)
    d = new_dir(base, "userdefault")
    xdg = new_dir(d, "xdg", owner=NOBODY, mode=0o700)
    home = new_dir(d, "home", owner=NOBODY)
    ohome = new_dir(d, "home-other", owner=OTHER)
    root = new_dir(d, "root", owner=NOBODY)
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "XDG_RUNTIME_DIR": xdg, "LC_ALL": "C"}
    p = Proc([SETPRIV, "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups",
              harness.DAEMON, "--root", root, "--timeout", "0", "--verbose"],
             os.path.join(d, "log"), env=env)
    procs.append(p)
    sock = os.path.join(xdg, "virt-gmem", "virtgmemd-sock")
    if not p.wait_path(sock + "-ro"):
        tap.ok(False, names[0], "no %s; log:\n%s" % (sock, p.tail()))
        return
    st = os.stat(sock)
    tap.ok(stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o700 and
           st.st_uid == NOBODY, names[0], "mode %o uid %d" % (st.st_mode, st.st_uid))
    st = os.stat(sock + "-ro")
    tap.ok(stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o777, names[1],
           "mode %o" % st.st_mode)

    r = as_user(NOBODY, home, uri_of(sock), "rw", small_domain(NOBODY_DOM))
    tap.eq((r.get("open"), r.get("type"), r.get("define")), ("ok", "QEMU", "ok"), names[2])
    conn = libvirt.open(uri_of(sock))
    conn.defineXML(small_domain(ROOT_DOM))
    got = sorted(x.name() for x in conn.listAllDomains(0))
    conn.close()
    tap.eq(got, sorted([NOBODY_DOM, ROOT_DOM]), names[3])

    # Let uid OTHER reach the sockets at all (the runtime directory is the
    # daemon user's, 0700): the refusal is then the daemon's.
    os.chmod(xdg, 0o755)
    os.chmod(sock, 0o777)
    r = as_user(OTHER, ohome, uri_of(sock), "rw", small_domain(OTHER_DOM))
    log = p.tail()
    tap.ok(r.get("open") != "ok" and "uid %d refused" % OTHER in log, names[4],
           "%r; log:\n%s" % (r, log))
    r = as_user(OTHER, ohome, uri_of(sock + "-ro"), "ro", small_domain(OTHER_DOM))
    tap.eq((r.get("open"), r.get("names"), (r.get("define") or [None])[0]),
           ("ok", sorted([NOBODY_DOM, ROOT_DOM]), F.VIR_ERR_OPERATION_DENIED), names[5])
    p.stop()


if __name__ == "__main__":
    main()
