# SPDX-License-Identifier: LGPL-2.1-or-later
"""harness: shared code of the real-client acceptance tests (TAP).

The tests in this folder drive Debian 12's own libvirt clients (virsh 9.0,
python3-libvirt 9.0) against a daemon that speaks libvirt's RPC protocol:

  * our mode (default): the harness starts
        $VGM_BUILDDIR/tools/virtgmemd --root ROOT --listen SOCK --timeout 0
    on a fresh temporary root, waits (up to 10 s) for SOCK to appear, and
    uses the URI qemu+unix:///system?socket=SOCK (read-only: SOCK-ro). At
    the end it sends SIGTERM (SIGKILL after 5 s, 15 s under ASan) and
    reports how the daemon exited. If virtgmemd is not built the whole
    program is skipped.

  * reference mode: when $VGM_TEST_URI is set the tests use that URI (e.g.
    Debian's libvirtd 9.0 started as docs/reference-stack.md says:
    qemu+unix:///system?socket=/var/run/libvirt/libvirt-sock) and start
    nothing. The read-only URI is $VGM_TEST_URI_RO, or the same URI with
    "-ro" appended to its socket path. The tests remove every domain they
    define there (and any leftover of theirs from an aborted earlier run).

Environment (set by meson): VGM_SRCDIR, VGM_BUILDDIR, VGM_TESTDIR. Without
them the source tree is the grandparent of this file and the build tree
SRCDIR/build. VGM_DAEMON_VERBOSE=1 passes --verbose to virtgmemd.

Debian's libvirt Python module lives in /usr/lib/python3/dist-packages and
needs /usr/bin/python3; use_system_python() re-executes the calling script
with it when the current interpreter cannot import libvirt.

Error messages: our driver's errors reach clients with libvirt's error
codes and with our message text unchanged (a virsh user reads the sentence
virt-gmem prints). Where libvirtd's text differs by design (e.g. it says
"Requested operation is not valid: domain is not running", we say "domain
'X' is not running"), a check expects libvirtd's exact text in reference
mode and our exact text in our mode (by_mode()); the error CODE is checked
in both (pyclienttest), and for virsh also that virt-gmem prints the same
two lines (check_cli_same()).

Every program prints its TAP plan whatever happens: run_guarded() turns an
unexpected exception, or the SIGTERM of meson's timeout, into a failed test.

Only the standard library (and libvirt, where a test needs it) is used.
"""

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import xml.etree.ElementTree as ET

SYSTEM_PYTHON = "/usr/bin/python3"

SRCDIR = os.environ.get("VGM_SRCDIR") or \
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILDDIR = os.environ.get("VGM_BUILDDIR") or os.path.join(SRCDIR, "build")
TESTDIR = os.environ.get("VGM_TESTDIR") or os.path.join(SRCDIR, "tests")

DAEMON = os.path.join(BUILDDIR, "tools", "virtgmemd")
CLI = os.path.join(BUILDDIR, "tools", "virt-gmem")
VIRSH = shutil.which("virsh") or "/usr/bin/virsh"

HAVE_KVM = os.path.exists("/dev/kvm")

_KVM_CPU_FAILURES = {}


def kvm_cpu_failure(cpu="host", qemu="/usr/bin/qemu-system-x86_64"):
    """Why this host's KVM cannot run a vCPU of QEMU @qemu given -cpu @cpu,
    or None when it can (and when there is no usable /dev/kvm: then nothing
    runs under KVM anyway). Found once per (qemu, cpu) by trying it: QEMU
    paused under KVM with one vCPU, asked to quit over QMP on stdin. Some
    nested hosts abort there (Debian's QEMU 7.2 on a 6.18 kernel: "failed
    to set MSR 0x10a" with -cpu host or max); the reason is QEMU's last
    line on stderr. The same probe as the C tests' vgmTestKvmFailure."""
    key = (qemu, cpu)
    if key in _KVM_CPU_FAILURES:
        return _KVM_CPU_FAILURES[key]
    why = None
    if os.access("/dev/kvm", os.R_OK | os.W_OK) and os.access(qemu, os.X_OK):
        qmp = '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n'
        try:
            r = subprocess.run([qemu, "-machine", "q35", "-accel", "kvm", "-cpu", cpu,
                                "-smp", "1", "-m", "64", "-nodefaults", "-display", "none",
                                "-S", "-qmp", "stdio"],
                               input=qmp, capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
                why = lines[-1] if lines else "QEMU exited with status %d" % r.returncode
        except (OSError, subprocess.TimeoutExpired) as e:
            why = "QEMU did not run: %s" % e
    _KVM_CPU_FAILURES[key] = why
    return why


_QEMU_CPU_DEFS = {}


def qemu_cpu_unavailable(accel, qemu="/usr/bin/qemu-system-x86_64"):
    """{CPU model: [features the accelerator cannot give it]} as QEMU
    itself judges its models under `accel` ('kvm', or 'qemu'/'tcg' for
    TCG): query-cpu-definitions' unavailable-features, from a QEMU with
    no machine. Found once per (qemu, accel)."""
    accel = "kvm" if accel == "kvm" else "tcg"
    key = (qemu, accel)
    if key in _QEMU_CPU_DEFS:
        return _QEMU_CPU_DEFS[key]
    cmds = ('{"execute":"qmp_capabilities"}\n{"execute":"query-cpu-definitions"}\n'
            '{"execute":"quit"}\n')
    p = subprocess.run([qemu, "-machine", "none,accel=%s" % accel, "-nodefaults",
                        "-display", "none", "-qmp", "stdio"],
                       input=cmds, capture_output=True, text=True, timeout=60)
    for line in p.stdout.splitlines():
        msg = json.loads(line)
        if isinstance(msg.get("return"), list):
            _QEMU_CPU_DEFS[key] = {c["name"]: list(c.get("unavailable-features") or [])
                                   for c in msg["return"]}
            return _QEMU_CPU_DEFS[key]
    raise RuntimeError("no CPU definitions from %s: %r" % (qemu, p.stderr))


_KVM_GUEST_FAILURES = {}


def _kvm_probe(machine, cpu, qemu):
    """QEMU's last line on stderr when it cannot start paused under KVM
    with @machine and -cpu @cpu (one vCPU, asked to quit over QMP), with
    every line it wrote; (None, text) when it can."""
    qmp = '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n'
    try:
        r = subprocess.run([qemu, "-machine", machine, "-accel", "kvm", "-cpu", cpu,
                            "-smp", "1", "-m", "64", "-nodefaults", "-display", "none",
                            "-S", "-qmp", "stdio"],
                           input=qmp, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "QEMU did not run: %s" % e, ""
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    if r.returncode != 0:
        return (lines[-1] if lines else "QEMU exited with status %d" % r.returncode), r.stderr
    return None, r.stderr


def kvm_guest_failure(path, qemu="/usr/bin/qemu-system-x86_64"):
    """Why this host's KVM cannot run domain file @path (a <domain
    type='kvm'>): None when it can, else (reason, text) where text is what
    the start's error must contain. Found by trying the machine type (with
    its smm setting) and the -cpu that virt-gmem lowers the domain to, on
    bare QEMU under KVM: nested hosts lack System Management Mode, Hyper-V
    enlightenments or CPU features (QEMU's own message then), and a
    <cpu mode='custom'> whose check is not 'none' is refused by the driver
    when QEMU says the host lacks a feature of it (its "incompatible with
    the host CPU" message), as is one of a <model> (without one the
    driver checks nothing)."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK) or not os.access(qemu, os.X_OK):
        return None
    root = ET.parse(path).getroot()
    if root.get("type") != "kvm":
        return None
    scratch = tempfile.mkdtemp(prefix="vgm-kvmprobe-")
    try:
        r = subprocess.run([CLI, "--root", scratch, "domxml-to-native", path],
                           capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if r.returncode != 0:
        return None
    argv = shlex.split(r.stdout.strip())
    machine = cpu = None
    for i, a in enumerate(argv[:-1]):
        if a == "-machine":
            parts = argv[i + 1].split(",")
            machine = ",".join([parts[0]] + [p for p in parts[1:] if p.startswith("smm=")])
        elif a == "-cpu":
            cpu = argv[i + 1]
    if not machine or not cpu:
        return None
    key = (qemu, machine, cpu)
    if key not in _KVM_GUEST_FAILURES:
        why, text = _kvm_probe(machine, cpu, qemu)
        want = why
        c = root.find("cpu")
        if why is None and c is not None and c.get("mode", "custom") == "custom" and \
                (c.findtext("model") or "").strip() and c.get("check") != "none" and \
                "host doesn't support requested feature" in text:
            why = text.strip().splitlines()[-1]
            want = "is incompatible with the host CPU under KVM"
        _KVM_GUEST_FAILURES[key] = (why, want) if why else None
    return _KVM_GUEST_FAILURES[key]


def use_system_python():
    """Re-exec the running script under /usr/bin/python3 when the current
    interpreter has no libvirt module (the python3 first on PATH on the
    development machines is another interpreter without Debian's modules)."""
    try:
        import libvirt  # noqa: F401
        return
    except ImportError:
        pass
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) \
            and os.path.exists(SYSTEM_PYTHON) \
            and not os.environ.get("VGM_HARNESS_REEXEC"):
        os.environ["VGM_HARNESS_REEXEC"] = "1"
        sys.stdout.flush()
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(sys.argv[0])] + sys.argv[1:])


def enter_private_netns(mounts=False):
    """As root, re-exec the running script in a network namespace of its own
    (unshare -n, loopback up), so that the bridges, firewall tables and
    dnsmasq of the virtual networks it starts, and the taps of its guests,
    never touch the host's network; and virt-install sees no default route.
    With mounts, in a mount namespace of its own too (unshare -m, private
    propagation): what the script mounts is seen by it and its children
    only (VGM_TEST_MOUNTNS=1 inside, VGM_TEST_OUTER_MNTNS the namespace
    it came from).
    Returns why it could not (not root, no unshare, no namespace), or None
    once inside. The daemon it starts, virsh and QEMU all run in there."""
    if os.environ.get("VGM_TEST_NETNS") == "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return None
    # tests/isolate.sh made both already (and sysfs shows that network
    # namespace's devices, which a namespace of our own would not have)
    if os.environ.get("VGM_TEST_ISOLATED") == "1":
        os.environ["VGM_TEST_NETNS"] = "1"
        if mounts:
            os.environ["VGM_TEST_MOUNTNS"] = "1"
        return None
    if os.geteuid() != 0:
        return "not root: no network namespace of its own for virtual networks"
    unshare = shutil.which("unshare")
    if not unshare:
        return "no unshare (util-linux) for a network namespace of its own"
    flags = ["-n"]
    if mounts and subprocess.run([unshare, "-n", "-m", "--propagation", "private", "true"],
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL).returncode == 0:
        flags += ["-m", "--propagation", "private"]
        os.environ["VGM_TEST_MOUNTNS"] = "1"
        # (the namespace left behind, which the script can tell its own from)
        os.environ["VGM_TEST_OUTER_MNTNS"] = os.readlink("/proc/self/ns/mnt")
    probe = subprocess.run([unshare] + flags + ["true"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        return "unshare -n fails here: no network namespace of its own"
    os.environ["VGM_TEST_NETNS"] = "1"
    sys.stdout.flush()
    os.execv(unshare, [unshare] + flags + ["--", sys.executable,
                                           os.path.abspath(sys.argv[0])] + sys.argv[1:])
    return "exec of unshare failed"


# ---------------------------------------------------------------- TAP ----

class TAP:
    """TAP producer: 'ok N - name', 'not ok N - name', '# SKIP reason' and
    the plan line (printed at the end: '1..N'; valid TAP, and a program
    that dies half way shows up as a missing plan)."""

    def __init__(self):
        self.n = 0
        self.failed = 0
        self.finished = False

    @staticmethod
    def diag(text):
        for line in str(text).splitlines() or [""]:
            print("# " + line)
        sys.stdout.flush()

    def ok(self, cond, name, diag=None):
        self.n += 1
        name = name.replace("#", "\\#")
        if cond:
            print("ok %d - %s" % (self.n, name))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            if diag is not None:
                self.diag(diag)
            sys.stdout.flush()
            # meson's --print-errorlogs shows a TAP test's stderr, not its
            # stdout: a failure and its reason go there too, so that a CI
            # log says what failed and why.
            print("not ok %d - %s" % (self.n, name), file=sys.stderr)
            if diag is not None:
                for line in str(diag).splitlines():
                    print("# " + line, file=sys.stderr)
            sys.stderr.flush()
        sys.stdout.flush()
        return bool(cond)

    def eq(self, got, want, name):
        """ok when got == want; on failure show both (repr, line by line)."""
        if got == want:
            return self.ok(True, name)
        lines = ["expected: %r" % (want,), "got:      %r" % (got,)]
        if isinstance(got, str) and isinstance(want, str):
            import difflib
            lines += list(difflib.unified_diff(want.splitlines(), got.splitlines(),
                                               "expected", "got", lineterm=""))
        return self.ok(False, name, "\n".join(lines))

    def skip(self, name, reason):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name.replace("#", "\\#"), reason))
        sys.stdout.flush()

    def done(self):
        """Print the plan and return the exit status (0 all passed)."""
        if not self.finished:
            self.finished = True
            print("1..%d" % self.n)
            sys.stdout.flush()
        return 1 if self.failed else 0

    @staticmethod
    def skip_all(reason):
        print("1..0 # SKIP %s" % reason)
        sys.stdout.flush()
        sys.exit(0)


# ------------------------------------------------------------- daemon ----

def _die_with_parent():
    """In the child before exec: PR_SET_PDEATHSIG(SIGTERM), so that a test
    killed by a timeout does not leave its daemon behind."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    except Exception:
        pass


def thread_backtraces(pid, timeout=60):
    """The stacks of every thread of process `pid` (gdb in batch mode), or
    why there are none: what a daemon that does not stop was doing."""
    if not shutil.which("gdb"):
        return "(no gdb to show the daemon's threads)"
    try:
        r = subprocess.run(["gdb", "-p", str(pid), "-batch", "-nx",
                            "-ex", "set pagination off",
                            "-ex", "thread apply all bt"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "(gdb failed: %s)" % e
    out = r.stdout.decode("utf-8", "replace").splitlines()
    stacks = "\n".join(l for l in out if l.startswith(("#", "Thread")))
    # (none: say what gdb said instead, e.g. that it could not attach)
    return stacks or "(gdb showed no threads; its last words:)\n" + "\n".join(out[-15:])


class Daemon:
    """virtgmemd on a temporary root. start() waits for the socket."""

    def __init__(self, binary=DAEMON, verbose=None, root=None):
        """root: the root of an earlier daemon (a restart), else a new one."""
        self.binary = binary
        if verbose is None:
            verbose = os.environ.get("VGM_DAEMON_VERBOSE", "") not in ("", "0")
        self.verbose = verbose
        # A short base: a unix socket path must stay under 108 bytes.
        self.base = tempfile.mkdtemp(prefix="vgmd-")
        self.root = root or os.path.join(self.base, "root")
        self.sock = os.path.join(self.base, "sock")
        self.log_path = os.path.join(self.base, "daemon.log")
        self.proc = None
        self.returncode = None
        self.hang_trace = None
        if not root:
            os.mkdir(self.root)

    @property
    def uri(self):
        return "qemu+unix:///system?socket=" + self.sock

    @property
    def ro_uri(self):
        return "qemu+unix:///system?socket=" + self.sock + "-ro"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self, wait=10.0):
        """Start the daemon; raise RuntimeError (with its log) if the socket
        does not appear within `wait` seconds or the daemon exits."""
        args = [self.binary, "--root", self.root, "--listen", self.sock,
                "--timeout", "0"]
        if self.verbose:
            args.append("--verbose")
        self.log = open(self.log_path, "wb")
        # Its own session (a Ctrl-C of the test reaches the harness, which
        # then stops it), and SIGTERM when the test process dies anyway.
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            # (both sockets: the read-only one is made second; each
            # appears only once it listens)
            if os.path.exists(self.sock) and os.path.exists(self.sock + "-ro"):
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        rc = self.proc.poll()
        self.stop()
        raise RuntimeError("virtgmemd %s (%s); log:\n%s" % (
            "exited with status %s" % rc if rc is not None else
            "did not create %s within %.0f s" % (self.sock, wait),
            " ".join(args), self.log_tail()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace=None):
        """SIGTERM, then SIGKILL after `grace` seconds (5 s; 15 s for a
        daemon built with ASan, whose LeakSanitizer scans the whole heap
        at exit, slowly on a loaded host). Returns the exit status
        (negative: killed by that signal), or None if never started."""
        if grace is None:
            grace = 15.0 if os.environ.get("ASAN_OPTIONS") else 5.0
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.killed = True
                self.hang_trace = thread_backtraces(self.proc.pid)
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode
        try:
            self.log.close()
        except Exception:
            pass
        return self.returncode

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(data[-lines:])
        except OSError:
            return "(no log)"

    def kill_domains(self):
        """SIGKILL every process whose command line names this daemon's
        root (the QEMUs it started: their monitor socket and pid file live
        there). The daemon leaves its domains running when it exits; after
        an interrupted run nothing else would stop them. Returns the pids."""
        return kill_processes_naming(self.root + "/")

    def cleanup(self):
        self.stop()
        left = self.kill_domains()
        if left:
            TAP.diag("killed QEMU processes left on %s: %s" % (self.root, left))
        shutil.rmtree(self.base, ignore_errors=True)


def qmp(root, name, command, arguments=None):
    """One command on the command monitor of domain @name of the
    daemon or command root @root; its answer."""
    import json
    import socket
    with open(os.path.join(root, "run", "qemu", name + ".status")) as f:
        path = json.load(f)["monitor"]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    f = s.makefile("rw")
    f.readline()
    for cmd in ({"execute": "qmp_capabilities"},
                {"execute": command, "arguments": arguments or {}}):
        f.write(json.dumps(cmd) + "\n")
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if "return" in reply or "error" in reply:
                break
    s.close()
    return reply


def processes_naming(text):
    """Pids of the processes (not this one) whose command line contains text."""
    found = []
    me = os.getpid()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == me:
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmd:
            found.append(int(pid))
    return found


def qemus_naming(text):
    """Pids of the QEMU processes (qemu-system-*) whose command line contains
    text (a network's dnsmasq names the root too)."""
    found = []
    for pid in processes_naming(text):
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode("utf-8", "replace")
        except OSError:
            continue
        if os.path.basename(argv0).startswith("qemu-system"):
            found.append(pid)
    return found


def kill_processes_naming(text):
    """SIGKILL the processes (not this one) whose command line contains text."""
    killed = []
    for pid in processes_naming(text):
        try:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except OSError:
            pass
    return killed


# a file each controller's v2 group has
_CGROUP_V2_FILES = {"cpu": "cpu.weight", "memory": "memory.max", "cpuset": "cpuset.mems"}


def cgroups_usable(controllers=("cpu", "memory")):
    """As root: the driver can make a domain's group with `controllers`
    (by default cpu and memory) in this host's cgroups: v2 (the unified
    hierarchy lists them; on, or turned on, for the root's children, and a
    group made there has their files) or v1 (a group in each one's own
    hierarchy). A container whose cgroup root holds its own processes
    cannot turn controllers on (EBUSY)."""
    if os.geteuid() != 0:
        return False
    try:
        with open("/sys/fs/cgroup/cgroup.controllers") as f:
            ctl = f.read()
    except OSError:
        ctl = None          # no unified hierarchy at the root: v1
    probe = "vgm-test-probe-%d" % os.getpid()
    if ctl is not None:
        if not set(controllers) <= set(ctl.split()):
            return False
        with open("/sys/fs/cgroup/cgroup.subtree_control") as f:
            on = set(f.read().split())
        try:
            if not set(controllers) <= on:
                with open("/sys/fs/cgroup/cgroup.subtree_control", "w") as f:
                    f.write(" ".join("+" + c for c in controllers))
            path = os.path.join("/sys/fs/cgroup", probe)
            os.mkdir(path)
            try:
                return all(os.path.exists(os.path.join(path, _CGROUP_V2_FILES[c]))
                           for c in controllers)
            finally:
                os.rmdir(path)
        except OSError:
            return False
    made = []
    try:
        for ctrl in controllers:
            path = os.path.join("/sys/fs/cgroup", ctrl, probe)
            os.mkdir(path)
            made.append(path)
        return True
    except OSError:
        return False
    finally:
        for path in made:
            os.rmdir(path)


def blkio_weight_usable():
    """Whether this host's block I/O controller takes a group weight: a
    weight file (BFQ's or the plain one) in the v1 blkio hierarchy's root,
    or a v2 io controller (whose groups have io.weight or io.bfq.weight).
    Kernels since 5.0 have no CFQ, so a v1 host whose disks do not use BFQ
    has neither file, and a weight cannot be set (libvirtd fails the same
    way)."""
    try:
        with open("/sys/fs/cgroup/cgroup.controllers") as f:
            return "io" in f.read().split()
    except OSError:
        pass
    return any(os.path.exists(os.path.join("/sys/fs/cgroup/blkio", f))
               for f in ("blkio.bfq.weight", "blkio.weight"))


def cgroup_dir(pid, controller, tid=None):
    """The directory of the group that process `pid` (or its thread `tid`)
    is in for `controller` (the v1 name; on v2 the unified hierarchy), as
    the kernel shows it; None when unreadable."""
    path = "/proc/%d/task/%d/cgroup" % (pid, tid) if tid else "/proc/%d/cgroup" % pid
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        _, ctrls, rel = line.split(":", 2)
        if ctrls == "" and os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
            base = "/sys/fs/cgroup"
        elif controller in ctrls.split(","):
            base = os.path.join("/sys/fs/cgroup", ctrls)
        else:
            continue
        return base + rel.rstrip("/")
    return None


def cgroup_value(pid, controller, name, tid=None, parent=False):
    """The text of cgroup file `name` of the group that process `pid` (or
    its thread `tid`) is in for `controller` (see cgroup_dir), or of the
    group above it (`parent`), as the kernel shows it; None when
    unreadable."""
    group = cgroup_dir(pid, controller, tid)
    if group is None:
        return None
    try:
        with open(os.path.join(os.path.dirname(group) if parent else group, name)) as f:
            return f.read().strip()
    except OSError:
        return None


def qemu_thread(pid, prefix):
    """The id of QEMU `pid`'s thread whose name starts with `prefix`
    ("CPU 0/"), else None."""
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return None
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                if f.read().startswith(prefix):
                    return int(tid)
        except OSError:
            continue
    return None


class Target:
    """What the tests talk to: a URI, its read-only URI, and in our mode the
    daemon (with its root, for cross-checks through the virt-gmem CLI)."""

    def __init__(self, uri, ro_uri, daemon=None):
        self.uri = uri
        self.ro_uri = ro_uri
        self.daemon = daemon

    @property
    def reference(self):
        return self.daemon is None

    @property
    def root(self):
        return self.daemon.root if self.daemon else None

    def cli(self, *args, timeout=60):
        """Our CLI on the daemon's store (our mode only)."""
        return run([CLI, "--root", self.root] + list(args), timeout=timeout)


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM (not an Exception: the tests'
    own `except Exception` must not swallow it)."""

    def __init__(self, signum):
        super().__init__("terminated by signal %d" % signum)
        self.signum = signum


def _terminate(signum, frame):
    raise Terminated(signum)


def run_guarded(tap, fn, *args):
    """fn(*args); an exception it lets out, or a SIGTERM, becomes one
    failed test with the traceback, so that the program still cleans up,
    prints its plan and exits 1 (and exits 0 only when every test passed).
    Returns False when a SIGTERM stopped it (the caller then cleans up
    quickly: meson sends SIGKILL half a second later)."""
    try:
        fn(*args)
    except Terminated as e:
        tap.ok(False, "the tests ran to their end", str(e))
        return False
    except Exception:  # noqa: BLE001 - report anything
        tap.ok(False, "no unexpected exception", traceback.format_exc())
    return True


def run_part(tap, fn, *args):
    """fn(*args), one part of a program: an exception it lets out is one
    failed test and the caller goes on with the next part (a SIGTERM still
    stops everything)."""
    try:
        fn(*args)
    except Exception:  # noqa: BLE001 - report anything
        tap.ok(False, "%s ran without an unexpected exception" % fn.__name__,
               traceback.format_exc())


def by_mode(target, reference, ours):
    """An expectation that differs by design: libvirtd's exact text in
    reference mode, our exact text in our mode."""
    return reference if target.reference else ours


def check_cli_same(tap, target, r, cli_args, name):
    """Our mode: `virt-gmem --root ROOT CLI_ARGS` on the daemon's store
    fails with the same exit status and stderr as the virsh result `r`
    (virsh's "error: Failed to ..." line and then our driver's sentence,
    unchanged). Reference mode: skipped (virt-gmem is ours)."""
    if target.reference:
        tap.skip(name, "reference mode: virt-gmem is ours")
        return False
    c = target.cli(*cli_args)
    return tap.eq((c.rc, c.err), (r.rc, r.err), name)


DEFAULT_CPU = ("  <cpu mode='custom' match='exact' check='none'>\n"
               "    <model fallback='forbid'>%s</model>\n")


def with_defined_machine(formatted, defined):
    """`virt-gmem format` output as a define stores it: its machine alias
    (q35, pc) written as the binary's versioned machine that `defined`
    (the stored XML) has, as libvirt's define writes it, when that is the
    alias's family (pc-q35-*, pc-i440fx-*); and a <cpu> without a model
    (only a topology or NUMA cells) with the default model the define
    named (qemu64, qemu32), as libvirt's define names it."""
    model = re.search(r"^  <cpu mode='custom' match='exact' check='none'>\n"
                      r"    <model fallback='forbid'>(qemu64|qemu32)</model>\n",
                      defined or "", re.M)
    if model and "\n  <cpu>\n" in (formatted or ""):
        formatted = formatted.replace("\n  <cpu>\n", "\n" + DEFAULT_CPU % model.group(1), 1)
    want = re.search(r"machine='([^']+)'", defined or "")
    have = re.search(r"machine='([^']+)'", formatted or "")
    family = {"q35": "pc-q35-", "pc": "pc-i440fx-"}
    if not want or not have or have.group(1) not in family or \
            not want.group(1).startswith(family[have.group(1)]):
        return formatted
    return formatted.replace(have.group(0), want.group(0), 1)


def ro_uri_for(uri):
    if os.environ.get("VGM_TEST_URI_RO"):
        return os.environ["VGM_TEST_URI_RO"]
    m = re.search(r"([?&]socket=)([^&]+)", uri)
    if not m:
        return uri
    return uri[:m.start(2)] + m.group(2) + "-ro" + uri[m.end(2):]


def wait_executable(path, wait=10.0):
    """path is executable, or becomes so within `wait` seconds (a build
    running next to the tests may be relinking it)."""
    deadline = time.monotonic() + wait
    while not os.access(path, os.X_OK):
        if time.monotonic() > deadline or not os.path.isdir(os.path.dirname(path)):
            return False
        time.sleep(0.2)
    return True


def setup_target(tap=None, need_virsh=False):
    """Reference mode when $VGM_TEST_URI is set, else start virtgmemd (skip
    the whole program when it is not built; when need_virsh, also without
    virsh). Writes '#' lines saying which."""
    # A SIGTERM (meson's timeout) unwinds through the tests' finally blocks:
    # domains cleaned up, daemon stopped, the plan printed (run_guarded).
    signal.signal(signal.SIGTERM, _terminate)
    if need_virsh and not os.access(VIRSH, os.X_OK):
        TAP.skip_all("virsh is not installed (Debian package libvirt-clients)")
    uri = os.environ.get("VGM_TEST_URI")
    if uri:
        TAP.diag("reference mode: %s (read-only %s)" % (uri, ro_uri_for(uri)))
        return Target(uri, ro_uri_for(uri))
    if not wait_executable(DAEMON):
        TAP.skip_all("virtgmemd not built (%s)" % DAEMON)
    d = Daemon()
    try:
        d.start()
    except RuntimeError as e:
        print("1..1")
        print("not ok 1 - virtgmemd starts and creates its socket")
        TAP.diag(str(e))
        d.cleanup()
        sys.exit(1)
    TAP.diag("virtgmemd pid %d on root %s: %s" % (d.pid, d.root, d.uri))
    return Target(d.uri, d.ro_uri, d)


def finish_target(tap, target):
    """In our mode: one test that the daemon is still alive at the end and
    exits with status 0 on SIGTERM; remove its temporary root."""
    if target.daemon is None:
        return
    d = target.daemon
    alive = d.alive()
    rc = d.stop()
    tap.ok(alive and rc == 0, "virtgmemd ran to the end and exited 0 on SIGTERM",
           "alive at the end: %s, exit status %s; log:\n%s%s" % (
               alive, rc, d.log_tail(),
               "\nits threads when it did not stop:\n" + d.hang_trace
               if d.hang_trace else ""))
    tail = d.log_tail()
    if tap.failed and tail.strip():
        TAP.diag("virtgmemd log (tail):\n" + tail)
    d.cleanup()


# ----------------------------------------------------------- commands ----

class Result:
    def __init__(self, rc, out, err, args):
        self.rc, self.out, self.err, self.args = rc, out, err, args

    def __repr__(self):
        return "rc=%r\nstdout=%r\nstderr=%r" % (self.rc, self.out, self.err)

    def describe(self):
        return "$ %s\n%r" % (" ".join(self.args), self)


def client_env():
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["LANG"] = "C"
    for v in ("LIBVIRT_DEFAULT_URI", "VIRSH_DEFAULT_CONNECT_URI", "LIBVIRT_DEBUG",
              "LIBVIRT_LOG_OUTPUTS", "VIRSH_DEBUG"):
        env.pop(v, None)
    return env


def run(args, timeout=60, input=None):
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                           input=input, env=client_env(),
                           stdin=None if input is not None else subprocess.DEVNULL)
        return Result(p.returncode, p.stdout, p.stderr, args)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        return Result(None, out, err + "\n(timed out after %s s)" % timeout, args)


def virsh(uri, *args, readonly=False, timeout=60):
    """virsh -c URI [-r] ARGS with a timeout (rc None when it timed out)."""
    cmd = [VIRSH, "-c", uri]
    if readonly:
        cmd.append("-r")
    return run(cmd + list(args), timeout=timeout)


def virsh_background(uri, *args):
    """virsh -c URI ARGS in the background, stdout a line-buffered pipe."""
    return subprocess.Popen([VIRSH, "-c", uri] + list(args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            text=True, bufsize=1, env=client_env())


def virsh_table(header, rows):
    """virsh's table (tools/vsh-table.c) as `virsh list` prints it: every
    cell is preceded by a space, cells but the last are padded to the
    column's widest cell plus two spaces, the rule is sum(width + 3) dashes,
    and list prints an empty line after it. Checked against virsh 9.0:
      ' Id   Name   State\\n--------------------\\n\\n'   (no domain)
      ' Id   Name          State\\n------------------------------\\n'
      ' -    plain-memfd   shut off\\n\\n'"""
    allrows = [list(header)] + [list(r) for r in rows]
    widths = [max(len(r[i]) for r in allrows) for i in range(len(header))]

    def line(r):
        s = ""
        for i, cell in enumerate(r):
            s += " " + cell
            if i < len(r) - 1:
                s += " " * (widths[i] - len(cell) + 2)
        return s + "\n"

    out = line(allrows[0]) + "-" * sum(w + 3 for w in widths) + "\n"
    for r in allrows[1:]:
        out += line(r)
    return out + "\n"


def parse_virsh_list(text):
    """[(id, name, state)] from `virsh list` output (state may hold a space)."""
    rows = []
    lines = text.splitlines()
    for l in lines[2:]:
        if not l.strip():
            continue
        parts = l.split(None, 2)
        if len(parts) == 3:
            rows.append(tuple(parts))
    return rows


# ------------------------------------------------------------ domains ----

_noted_tcg = False

MINIMAL_MEMFD_DOMAIN = """<domain type='kvm'>
  <name>plain-memfd</name>
  <memory unit='MiB'>512</memory>
  <vcpu>2</vcpu>
  <memoryBacking>
    <source type='memfd'/>
    <access mode='shared'/>
  </memoryBacking>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
  <cpu>
    <numa>
      <cell id='0' cpus='0' memory='256' unit='MiB'/>
      <cell id='1' cpus='1' memory='256' unit='MiB'/>
    </numa>
  </cpu>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='pty'/>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def example_path(name):
    return os.path.join(SRCDIR, "examples", name)


def domain_xml(name, example="plain-memfd.xml", uuid=None, startable=True):
    """Domain XML for the tests: examples/EXAMPLE (or a minimal memfd domain
    if it is missing) renamed to `name`, with `uuid` when given. When
    `startable` and /dev/kvm is absent, <domain type='kvm'> becomes 'qemu'
    (TCG), and a '#' line says so once."""
    global _noted_tcg
    path = example_path(example)
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
    elif example == "plain-memfd.xml":
        text = MINIMAL_MEMFD_DOMAIN
    else:
        raise FileNotFoundError(path)
    text = re.sub(r"<!--.*?-->\s*", "", text, flags=re.S)
    text = re.sub(r"<name>[^<]*</name>", "<name>%s</name>" % name, text, count=1)
    if uuid:
        text = text.replace("<name>%s</name>" % name,
                            "<name>%s</name>\n  <uuid>%s</uuid>" % (name, uuid), 1)
    if startable and not HAVE_KVM and re.search(r"<domain\s+type=['\"]kvm['\"]", text):
        text = re.sub(r"<domain\s+type=['\"]kvm['\"]", "<domain type='qemu'", text, count=1)
        if not _noted_tcg:
            _noted_tcg = True
            TAP.diag("/dev/kvm is absent: test domains use <domain type='qemu'> (TCG)")
    return text


def write_file(dirpath, filename, text):
    p = os.path.join(dirpath, filename)
    with open(p, "w") as f:
        f.write(text)
    return p


GUEST_KIT_CACHE = os.path.join(BUILDDIR, "tests", "boottest-cache")


@contextlib.contextmanager
def host_state_lock():
    """Held while a test changes the host's own settings (KSM, the huge
    page pool) or compares them with what the daemon says: the test
    programs run side by side (tests/isolate.sh). A lock file in the
    build tree (flock)."""
    import fcntl
    path = os.path.join(BUILDDIR, "tests", "hoststate.lock")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def guest_kit(work, init_text, tag="guest", modules=(), agent=False):
    """(kernel, initrd) of a TCG guest whose /init is `init_text` (a busybox
    sh script), made by tests/guestkit.sh from Debian's kernel and busybox
    (fetched once into the build tree's cache), with the kernel's
    `modules` in /mod (/mod/order lists them to insmod, dependencies
    first) and, with `agent`, Debian's qemu-ga at /usr/sbin/qemu-ga;
    (None, reason) when they cannot be had."""
    init = write_file(work, "init-" + tag, init_text)
    initrd = os.path.join(work, "initrd-%s.gz" % tag)
    env = dict(os.environ, GUESTKIT_AGENT="1" if agent else "0")
    r = subprocess.run(["bash", os.path.join(SRCDIR, "tests", "guestkit.sh"),
                        GUEST_KIT_CACHE, init, initrd] + list(modules),
                       capture_output=True, text=True, timeout=600, env=env)
    if r.returncode != 0:
        return None, "no guest kernel: " + r.stderr.strip()
    return r.stdout.strip(), initrd


def host_qemu_version(binary="/usr/bin/qemu-system-x86_64"):
    """QEMU's version as libvirt reports it (major*1e6 + minor*1e3 + micro),
    from `BINARY --version`; None if it cannot be run."""
    r = run([binary, "--version"], timeout=30)
    m = re.search(r"version (\d+)\.(\d+)\.(\d+)", r.out or "")
    if not m:
        return None
    a, b, c = (int(x) for x in m.groups())
    return a * 1000000 + b * 1000 + c


def qemu_pid_of(target, name):
    """The pid of the QEMU our daemon runs domain @name in (its status
    file), or None."""
    try:
        with open(os.path.join(target.root or "", "run", "qemu", name + ".status")) as f:
            return json.load(f)["pid"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def qemu_open_files(target, name):
    """What the QEMU of domain @name has open (/proc/PID/fd links), or
    None."""
    pid = qemu_pid_of(target, name)
    if pid is None:
        return None
    fds = []
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                fds.append(os.readlink("/proc/%d/fd/%s" % (pid, fd)))
            except OSError:
                pass
    except OSError:
        return None
    return fds


def prepare_or_skip(commands):
    """Runs each command (a test's qemu-img and qemu-io setup); the whole
    program is skipped when one fails."""
    for args in commands:
        r = run(args)
        if r.rc != 0:
            TAP.skip_all("%s failed: %s" % (args[0], r.describe()))


def run_on_daemon(tap, fn, names, work):
    """fn(tap, target, work) on our daemon (virsh needed), then the
    domains @names, the daemon and @work cleaned up; exits with the
    plan's status."""
    target = setup_target(need_virsh=True)
    try:
        run_guarded(tap, fn, tap, target, work)
    finally:
        virsh_cleanup(target.uri, names)
        finish_target(tap, target)
        subprocess.run(["rm", "-rf", work])
    sys.exit(tap.done())


def virsh_cleanup(uri, names):
    """Destroy and undefine each named domain that exists (errors ignored)."""
    for n in names:
        st = virsh(uri, "domstate", n, timeout=30)
        if st.rc != 0:
            continue
        if st.out.strip() not in ("shut off", ""):
            virsh(uri, "destroy", n, timeout=60)
        virsh(uri, "undefine", "--managed-save", n, timeout=60)


def libvirt_cleanup(conn, names):
    """The same through an open libvirt connection."""
    import libvirt
    for n in names:
        try:
            d = conn.lookupByName(n)
        except libvirt.libvirtError:
            continue
        try:
            if d.isActive():
                d.destroy()
        except libvirt.libvirtError:
            pass
        try:
            d.undefine()
        except libvirt.libvirtError:
            pass
