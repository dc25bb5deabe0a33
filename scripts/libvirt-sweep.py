#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run libvirt 9.0's qemuxml2argv inputs through libvirt and virt-gmem.

The helper of scripts/libvirt-sweep.sh (which fetches the inputs and runs
libvirtd); standard library only. It selects the inputs, normalises each
one, asks both sides for the command line, and writes into OUT:

  inputs/NAME.xml               the normalised input both sides were given
  libvirt/NAME.args|.err        what virsh printed (argv on stdout, or stderr)
  virt-gmem/NAME.args|.err      the same for virt-gmem
  results.tsv                   one line per input (see HEADER)
  memory.txt                    the compared memory options of every input
                                whose lowering differs, both sides
  summary.txt                   the counts, refusals grouped by message
  exports/NAME.xml              libvirt's export (virsh dumpxml --inactive) of
                                an input both accept, given back to virt-gmem
  pci.txt                       for each input whose PCI layout differs: the
                                PCI addresses and PCI controllers of
                                libvirt's export and of `virt-gmem format`

The selection and normalisation rules are the constants and functions
below; docs/libvirt-sweep.rst repeats them.
"""

import argparse
import xml.etree.ElementTree as ET
import collections
import json
import os
import re
import shlex
import subprocess
import sys
import time

EMULATOR = "/usr/bin/qemu-system-x86_64"

# ---- selection --------------------------------------------------------------

# 1. File names of inputs meant for another architecture (some of them say
#    arch='x86_64' only to test the refusal of a foreign machine type).
OTHER_ARCH_PREFIXES = (
    "aarch64-", "arm-", "armv7l-", "mach-virt-", "ppc-", "ppc64-",
    "pseries-", "powernv-", "s390-", "s390x-", "riscv64-", "loongarch64-",
    "sparc-", "alpha-", "mips-",
)

# 2. <os><type arch='x86_64'>: the first arch= of a <type> element.
ARCH_RE = re.compile(r"<type\b[^>]*\barch\s*=\s*['\"]([^'\"]+)['\"]")

# 3a. Memory topics, by file name: memory, memory devices, memory backing,
#     hugepages, NUMA (cpu-numa, numatune, numad), launch security.
MEMORY_NAME_RE = re.compile(
    r"^(memory|memfd-|memorybacking-|memtune|hugepages-|pages-|fd-memory-|"
    r"numatune-|numad|numavcpus-|cpu-numa|cputune-numatune|migrate-numa|"
    r"launch-security-|sgx-)")

# 3b. ... or by content: an input with any of these elements is about
#     memory whatever its name.
MEMORY_CONTENT_RE = re.compile(
    r"<(memoryBacking|numatune|maxMemory|launchSecurity)\b|"
    r"<memory\s+model\s*=|<cpu\b[^>]*>(?:(?!</cpu>).)*<numa\b", re.S)

# 3c. Common devices, by file-name prefix (a fixed list).
DEVICE_PREFIXES = (
    "serial-", "console-", "channel-", "parallel-", "chardev-",
    "video-", "input-", "watchdog", "panic", "tpm-", "virtio-rng-",
    "vhost-vsock", "net-user", "net-mtu", "net-coalesce", "tap-vhost",
    "controller-", "usb-controller-", "disk-virtio", "disk-cdrom",
    "boot-", "q35", "x86_64-", "virtio-options",
)


def topic(name, text, everything=False):
    """The topic that selects an input, or None (with everything, "other"
    for an x86_64 input of neither topic)."""
    if MEMORY_NAME_RE.match(name) or MEMORY_CONTENT_RE.search(text):
        return "memory"
    if name.startswith(DEVICE_PREFIXES):
        return "device"
    return "other" if everything else None


def select(srcdir, everything=False, arch="x86_64"):
    """[(name, topic)] of the selected inputs, and counts of each step.
    With an @arch other than x86_64 every input of that arch is taken."""
    counts = collections.OrderedDict()
    names = sorted(f[:-4] for f in os.listdir(srcdir) if f.endswith(".xml"))
    counts["inputs"] = len(names)
    names = [n for n in names if not n.startswith(OTHER_ARCH_PREFIXES)]
    counts["not named for another architecture"] = len(names)
    chosen = []
    x86 = 0
    for n in names:
        with open(os.path.join(srcdir, n + ".xml"), encoding="utf-8") as f:
            text = f.read()
        m = ARCH_RE.search(text)
        if not m or m.group(1) != arch:
            continue
        x86 += 1
        t = topic(n, text, everything or arch != "x86_64")
        if t:
            chosen.append((n, t))
    counts["arch " + arch] = x86
    counts["memory topics"] = sum(1 for _, t in chosen if t == "memory")
    counts["common-device topics"] = sum(1 for _, t in chosen if t == "device")
    if everything or arch != "x86_64":
        counts["other topics (--all)"] = sum(1 for _, t in chosen if t == "other")
    counts["selected"] = len(chosen)
    return chosen, counts


# ---- normalisation ----------------------------------------------------------

def normalise(text):
    """The input both sides are given.

    * <domain type='kvm'> becomes type='qemu' (TCG): /dev/kvm may be
      absent, and libvirt then refuses any kvm domain before anything else.
    * <emulator> becomes /usr/bin/qemu-system-x86_64, added after
      <devices> where an input has none (the x86_64 inputs already name
      it; others name qemu-system-i386 and the like).
    Nothing else is changed (the text is edited, not re-serialised).
    """
    text = re.sub(r"(<domain\b[^>]*\btype\s*=\s*)(['\"])kvm\2",
                  r"\1\2qemu\2", text, count=1)
    if re.search(r"<emulator>", text):
        text = re.sub(r"<emulator>[^<]*</emulator>",
                      "<emulator>%s</emulator>" % EMULATOR, text)
    elif re.search(r"<devices\s*/>", text):
        text = re.sub(r"<devices\s*/>",
                      "<devices>\n    <emulator>%s</emulator>\n  </devices>" % EMULATOR,
                      text, count=1)
    elif "<devices>" in text:
        text = text.replace("<devices>",
                            "<devices>\n    <emulator>%s</emulator>" % EMULATOR, 1)
    else:
        text = text.replace("</domain>",
                            "  <devices>\n    <emulator>%s</emulator>\n  </devices>\n</domain>"
                            % EMULATOR, 1)
    return text


# ---- running ----------------------------------------------------------------

def run(cmd, timeout=120):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, universal_newlines=True)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return 124, "", "timed out after %d s" % timeout


LOST_RE = re.compile(r"failed to connect to the hypervisor|end of file|"
                     r"Cannot recv data|Connection reset")


def libvirt_run(cmd, args):
    """run() of a libvirt-side command; when libvirtd is gone (it crashed,
    on this input or an earlier one) and args.libvirtd_restart says how,
    libvirtd is started again and the command run once more. A second
    loss is reported as a crash of libvirtd on the input."""
    for attempt in range(2):
        rc, out, err = run(cmd)
        if rc == 0 or not args.libvirtd_restart or not LOST_RE.search(err):
            return rc, out, err
        if run([args.virsh, "-q", "-c", args.uri, "version"])[0] == 0:
            return rc, out, err
        subprocess.run(args.libvirtd_restart, shell=True)
        for _ in range(150):
            if run([args.virsh, "-q", "-c", args.uri, "version"])[0] == 0:
                break
            time.sleep(0.2)
    return rc, out, "error: libvirtd crashed on this input (%s)\n" % first_error(err)


def first_error(stderr):
    for line in stderr.splitlines():
        line = line.strip()
        if line:
            return re.sub(r"^error:\s*", "", line)
    return "(no message)"


# a line of libvirt's log on stderr (its embedded driver), not a message
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+\d{4}: \d+: (debug|info|warning) ")


def error_text(stderr):
    """virsh prints 'error: Failed to ...' then the reason; keep the reason."""
    lines = [re.sub(r"^error:\s*", "", l.strip())
             for l in stderr.splitlines() if l.strip() and not LOG_LINE.match(l)]
    lines = [l for l in lines
             if not l.startswith("Failed to convert domain XML to native")]
    return lines[0] if lines else first_error(stderr)


# ---- memory lowering --------------------------------------------------------

MEM_DEVICES = ("pc-dimm", "nvdimm", "virtio-mem-pci", "virtio-mem",
               "virtio-pmem-pci", "virtio-pmem", "sgx-epc")
MACHINE_KEYS = re.compile(r"^(memory-backend|nvdimm|nvdimm-persistence|hmat|"
                          r"sgx-epc\..*|mem-merge)$")


def split_kv(value):
    """QEMU key=value,... with ',,' escaping; the first bare word keyed ''."""
    parts, cur, i = [], "", 0
    while i < len(value):
        c = value[i]
        if c == "," and value[i + 1:i + 2] == ",":
            cur += ","
            i += 2
            continue
        if c == ",":
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    out = []
    for n, p in enumerate(parts):
        if "=" in p:
            k, v = p.split("=", 1)
            out.append((k, v))
        else:
            out.append(("" if n == 0 else p, p if n == 0 else "on"))
    return out


def parse_obj(value):
    if value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            pass
    return dict(split_kv(value))


def memory_options(argv, xmlpaths):
    """The memory lowering of one command line, normalised, as a list."""
    toks = shlex.split(argv)
    out = []
    i = 0
    while i < len(toks):
        t = toks[i]
        v = toks[i + 1] if i + 1 < len(toks) else ""
        if t == "-m":
            out.append(("-m", v))
            i += 2
        elif t == "-numa":
            out.append(("-numa", v))
            i += 2
        elif t in ("-mem-path", "-mem-prealloc"):
            out.append((t, v if t == "-mem-path" else ""))
            i += 2 if t == "-mem-path" else 1
        elif t == "-machine":
            props = [(k, val) for k, val in split_kv(v) if MACHINE_KEYS.match(k)]
            out.append(("-machine", ",".join("%s=%s" % p for p in props)))
            i += 2
        elif t == "-object":
            o = parse_obj(v)
            if str(o.get("qom-type", "")).startswith("memory-backend-"):
                out.append(("-object", canon(o, xmlpaths)))
            i += 2
        elif t == "-device":
            o = parse_obj(v)
            if o.get("driver") in MEM_DEVICES:
                out.append(("-device", canon(o, xmlpaths)))
            i += 2
        else:
            i += 1
    return out


def canon(obj, xmlpaths):
    """One -object/-device as sorted JSON, paths and node names normalised."""
    o = dict(obj)
    for k in ("mem-path",):
        if k in o and o[k] not in xmlpaths:
            o[k] = norm_path(o[k])
    s = json.dumps(o, sort_keys=True, separators=(",", ":"))
    return s.replace('"libvirt-', '"vgm-')


def norm_path(p):
    """Paths the drivers make up, which legitimately differ.

    libvirt names a file-backed backend ROOT/qemu/ram/-1-NAME/ID
    (memory_backing_dir; ROOT is /var/lib/libvirt) and hands hugepage
    backends the directory MOUNT/libvirt/qemu/-1-NAME (its embedded
    driver: MOUNT/libvirt/qemu-embed-HASH/-1-NAME); virt-gmem uses
    /var/lib/virt-gmem/qemu/ram/NAME/ID and MOUNT/virt-gmem/NAME. The
    per-domain directory becomes <ram-dir> or <hugetlbfs:MOUNT>; what
    follows it is compared.
    """
    m = re.match(r"^/.*?/qemu/ram/[^/]+(/.*)?$", p)
    if m:
        return "<ram-dir>" + (m.group(1) or "")
    m = re.match(r"^(.*?)/(?:libvirt/qemu(?:-embed-[0-9a-f]+)?|virt-gmem)/[^/]+(/.*)?$", p)
    if m:
        return "<hugetlbfs:%s>%s" % (m.group(1), m.group(2) or "")
    return p


def xml_paths(text):
    return set(re.findall(r"<path>([^<]+)</path>", text))


def fmt_opts(opts):
    return "\n".join("    %s %s" % o for o in opts)


# ---- real QEMU --------------------------------------------------------------

# Host resources a command line names that this machine lacks are swapped
# for scratch ones; nothing else of the command line is changed.
DRIVER_DIRS = (
    "/var/lib/libvirt/qemu", "/run/libvirt/qemu", "/var/run/libvirt/qemu",
    "/var/log/libvirt/qemu", "/var/lib/virt-gmem", "/run/virt-gmem",
    "/var/log/virt-gmem",
)
PREALLOC_LIMIT = 512 << 20


def qemu_prepare(argv, scratch, hugetlbfs, extra_dirs):
    """The argv to start, and the substitutions made (a list of words)."""
    toks = shlex.split(argv)
    while toks and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", toks[0]):
        toks.pop(0)
    notes = set()
    dirs = tuple(extra_dirs) + DRIVER_DIRS

    def repath(s):
        for n, d in enumerate(dirs):
            s = s.replace(d + "/", "%s/d%d/" % (scratch, n))
        return s

    out = []
    i = 0
    disk = 0
    while i < len(toks):
        t = toks[i]
        if t in ("-object", "-blockdev", "-netdev", "-device") and i + 1 < len(toks) \
                and toks[i + 1].startswith("{"):
            o = json.loads(toks[i + 1])
            if t == "-object" and o.get("qom-type") == "secret" and "file" in o:
                o["file"] = repath(o["file"])
                os.makedirs(os.path.dirname(o["file"]), exist_ok=True)
                with open(o["file"], "wb") as f:
                    f.write(os.urandom(32))
            if t == "-object" and str(o.get("qom-type", "")).startswith("memory-backend-"):
                if "mem-path" in o:
                    mp = repath(o["mem-path"])
                    under_huge = any(mp.startswith(h + "/") for h in hugetlbfs)
                    if mp != o["mem-path"] or under_huge:
                        os.makedirs(mp if under_huge else os.path.dirname(mp), exist_ok=True)
                    o["mem-path"] = mp
                if o.get("prealloc") and int(o.get("size", 0)) > PREALLOC_LIMIT:
                    for k in ("prealloc", "prealloc-threads", "prealloc-context"):
                        o.pop(k, None)
                    notes.add("prealloc>512MiB-dropped")
            if t == "-blockdev" and "filename" in o:
                disk += 1
                img = "%s/disk%d.img" % (scratch, disk)
                with open(img, "wb") as f:
                    f.truncate(1 << 20)
                o["filename"] = img
                if o.get("driver") in ("host_device", "host_cdrom"):
                    o["driver"] = "file"
                notes.add("disks->scratch")
            if t == "-blockdev" and o.get("driver") == "qcow2" and isinstance(o.get("file"), str):
                # its storage node came earlier: make that scratch file a qcow2
                for ot, ov in out:
                    if ot == "-blockdev":
                        st = json.loads(ov)
                        if st.get("node-name") == o["file"] and "filename" in st:
                            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2",
                                            st["filename"], "1M"],
                                           stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
            if t == "-netdev" and o.get("type") == "tap" and ("fd" in o or "fds" in o):
                o = {"type": "user", "id": o["id"]}
                notes.add("tap->user")
            out.append((t, json.dumps(o, separators=(",", ":"))))
            i += 2
            continue
        if i + 1 < len(toks) and t.startswith("-") and not toks[i + 1].startswith("-"):
            v = repath(toks[i + 1])
            for m in re.finditer(r"(?:path|file|logfile)=(%s/[^,]+)" % re.escape(scratch), v):
                os.makedirs(os.path.dirname(m.group(1)), exist_ok=True)
            out.append((t, v))
            i += 2
            continue
        out.append((t, None))
        i += 1
    args = []
    for t, v in out:
        args.append(t)
        if v is not None:
            args.append(v)
    return args, sorted(notes)


def qemu_check(argv, scratch, hugetlbfs, extra_dirs, timeout=30):
    """Start the command line paused; 'started' once QMP greets us, else
    'refused: FIRST STDERR LINE'. Quits QEMU either way."""
    import shutil
    import tempfile
    work = tempfile.mkdtemp(prefix="q", dir=scratch)
    try:
        args, notes = qemu_prepare(argv, work, hugetlbfs, extra_dirs)
        mon = None
        for k, a in enumerate(args):
            if a == "-chardev" and "id=charmonitor" in args[k + 1]:
                mon = re.search(r"path=([^,]+)", args[k + 1]).group(1)
        if not mon:
            return "not run: no monitor socket", notes
        err = open(os.path.join(work, "stderr"), "w+")
        p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=err, cwd=work)
        try:
            return qemu_wait(p, err, mon, work, timeout), notes
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            err.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def qemu_wait(p, err, mon, work, timeout):
    """'started' once QEMU's monitor answers that the machine is set up and
    paused (-S: status 'prelaunch'), QEMU then quitting cleanly; else
    'refused: ' and QEMU's last line on stderr."""
    import socket
    import time
    end = time.time() + timeout
    while time.time() < end and p.poll() is None:
        if os.path.exists(mon):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(max(1, end - time.time()))
            try:
                s.connect(mon)
                f = s.makefile("rwb")
                if b"QMP" in f.readline():
                    replies = []
                    for cmd in (b'{"execute":"qmp_capabilities"}\n',
                                b'{"execute":"query-status"}\n',
                                b'{"execute":"quit"}\n'):
                        f.write(cmd)
                        f.flush()
                        replies.append(f.readline())
                    p.wait(timeout=10)
                    # paused before the guest ran, and a clean exit on quit
                    if b'"prelaunch"' in replies[1] and p.returncode == 0:
                        return "started"
            except (OSError, socket.timeout, subprocess.TimeoutExpired):
                pass
            finally:
                s.close()
        time.sleep(0.05)
    if p.poll() is None:
        return "timed out"
    err.seek(0)
    lines = [l.strip() for l in err.read().splitlines() if l.strip()]
    msg = lines[-1] if lines else "exit status %s" % p.returncode
    msg = re.sub(r"^\d{4}-\d\d-\d\dT[\d:.]+Z ", "", msg)
    msg = re.sub(r"^qemu-system-x86_64: ", "", msg)
    return "refused: " + msg.replace(work, "SCRATCH")


# ---- main -------------------------------------------------------------------

HEADER = ["input", "topic", "libvirt", "virt-gmem", "memory",
          "libvirt error", "virt-gmem error",
          "QEMU on libvirt's argv", "QEMU on virt-gmem's argv"]


def pci_layout(text):
    """Where each device of a domain XML sits on PCI, and each PCI
    controller's model, <model name> and <target>: {device key: value}.
    Devices are keyed by element and place among their kind (controllers by
    type, index and model, disks by target), so that the two sides'
    different device order does not matter."""
    devs = ET.fromstring(text).find("devices")
    out = {}
    count = collections.defaultdict(int)
    for d in devs if devs is not None else []:
        if d.tag == "controller":
            key = "controller %s %s %s" % (d.get("type"), d.get("index"), d.get("model"))
        elif d.tag == "disk" and d.find("target") is not None:
            key = "disk %s" % d.find("target").get("dev")
        else:
            key = "%s %d" % (d.tag, count[d.tag])
            count[d.tag] += 1
        a = d.find("address")
        val = ""
        if a is not None and a.get("type") == "pci":
            val = "%02x:%02x.%x%s" % (int(a.get("bus", "0"), 0), int(a.get("slot", "0"), 0),
                                      int(a.get("function", "0"), 0),
                                      " multifunction" if a.get("multifunction") == "on" else "")
        if d.tag == "controller" and d.get("type") == "pci":
            m = d.find("model")
            t = d.find("target")
            val += " model=%s" % d.get("model")
            if m is not None:
                val += " name=%s" % m.get("name")
            if t is not None:
                val += " target=%s" % sorted(t.attrib.items())
        if val:
            out[key] = val
    return out


def mask(msg):
    """A refusal message with its particulars masked, for grouping."""
    m = re.sub(r"'[^']*'",
               lambda q: "'…'" if re.search(r"[/\s]", q.group(0)) or len(q.group(0)) > 26
               else q.group(0), msg)
    m = re.sub(r"\b\d+\b", "N", m)
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", required=True, help="libvirt's tests/qemuxml2argvdata")
    ap.add_argument("--out", required=True)
    ap.add_argument("--virt-gmem", required=True)
    ap.add_argument("--qemu-caps", required=True)
    ap.add_argument("--uri", default="qemu:///system")
    ap.add_argument("--virsh", default="virsh")
    ap.add_argument("--only", nargs="*", help="run just these inputs (names)")
    ap.add_argument("--all", action="store_true",
                    help="every x86_64 input, not only the memory and device topics")
    ap.add_argument("--arch", default="x86_64",
                    help="the guest architecture of the inputs taken (x86_64, i686: all of them)")
    ap.add_argument("--libvirtd-restart",
                    help="a shell command that starts libvirtd again when it crashed")
    ap.add_argument("--header", help="a file to put at the top of summary.txt")
    ap.add_argument("--qemu-check", action="store_true",
                    help="start every accepted command line paused on real QEMU")
    ap.add_argument("--hugetlbfs", action="append", default=[],
                    help="a hugetlbfs mount the command lines may name")
    ap.add_argument("--libvirt-dir", action="append", default=[],
                    help="a further directory of libvirt's to map to scratch")
    args = ap.parse_args()

    chosen, counts = select(args.src, args.all, args.arch)
    if args.only:
        chosen = [c for c in chosen if c[0] in args.only]
    for d in ("inputs", "libvirt", "virt-gmem"):
        os.makedirs(os.path.join(args.out, d), exist_ok=True)
        for f in os.listdir(os.path.join(args.out, d)):
            os.unlink(os.path.join(args.out, d, f))

    rows = []
    memdiff = []
    scratch = None
    if args.qemu_check:
        import tempfile
        scratch = tempfile.mkdtemp(prefix="vgmsw", dir="/tmp")
    for n, (name, top) in enumerate(chosen, 1):
        with open(os.path.join(args.src, name + ".xml"), encoding="utf-8") as f:
            text = normalise(f.read())
        inp = os.path.join(args.out, "inputs", name + ".xml")
        with open(inp, "w", encoding="utf-8") as f:
            f.write(text)
        res = {}
        for side, cmd in (
                ("libvirt", [args.virsh, "-q", "-c", args.uri,
                             "domxml-to-native", "qemu-argv", inp]),
                ("virt-gmem", [args.virt_gmem, "domxml-to-native",
                               "--qemu-caps", args.qemu_caps, inp])):
            rc, out, err = libvirt_run(cmd, args) if side == "libvirt" else run(cmd)
            ok = rc == 0 and out.strip() != ""
            with open(os.path.join(args.out, side, name + (".args" if ok else ".err")),
                      "w", encoding="utf-8") as f:
                f.write(out if ok else err)
            res[side] = (ok, out.strip() if ok else error_text(err))
        mem = "-"
        if res["libvirt"][0] and res["virt-gmem"][0]:
            paths = xml_paths(text)
            a = memory_options(res["libvirt"][1], paths)
            b = memory_options(res["virt-gmem"][1], paths)
            mem = "identical" if a == b else "differs"
            if a != b:
                memdiff.append("%s\n  libvirt:\n%s\n  virt-gmem:\n%s\n"
                               % (name, fmt_opts(a), fmt_opts(b)))
        q = {}
        for side in ("libvirt", "virt-gmem"):
            q[side] = "-"
            if scratch and res[side][0]:
                r, notes = qemu_check(res[side][1], scratch, args.hugetlbfs,
                                      args.libvirt_dir)
                q[side] = r + (" [%s]" % ",".join(notes) if notes else "")
        rows.append([name, top,
                     "accepted" if res["libvirt"][0] else "refused",
                     "accepted" if res["virt-gmem"][0] else "refused",
                     mem,
                     "" if res["libvirt"][0] else res["libvirt"][1],
                     "" if res["virt-gmem"][0] else res["virt-gmem"][1],
                     q["libvirt"], q["virt-gmem"]])
        sys.stderr.write("\r%d/%d %-60s" % (n, len(chosen), name[:60]))
    sys.stderr.write("\n")

    # libvirt's exports: what libvirt keeps of an input both accept
    # (virsh define, dumpxml --inactive, undefine), given back to virt-gmem
    exports = []
    pcisame = []
    pcidiff = []
    os.makedirs(os.path.join(args.out, "exports"), exist_ok=True)
    open(os.path.join(args.out, "pci.txt"), "w", encoding="utf-8").close()
    for r in rows:
        if r[2] != "accepted" or r[3] != "accepted":
            continue
        inp = os.path.join(args.out, "inputs", r[0] + ".xml")
        try:
            dom = ET.parse(inp).getroot().findtext("name")
        except ET.ParseError:
            dom = None
        virsh = [args.virsh, "-q", "-c", args.uri]
        rc, _, err = libvirt_run(virsh + ["define", inp], args)
        if not dom or rc != 0:
            exports.append((r[0], "libvirt did not define it: " + error_text(err)))
            continue
        rc, xml, err = libvirt_run(virsh + ["dumpxml", "--inactive", dom], args)
        if run(virsh + ["undefine", "--nvram", dom])[0] != 0:
            run(virsh + ["undefine", dom])
        if rc != 0:
            exports.append((r[0], "libvirt did not export it: " + error_text(err)))
            continue
        exp = os.path.join(args.out, "exports", r[0] + ".xml")
        with open(exp, "w", encoding="utf-8") as f:
            f.write(xml)
        rc, out, err = run([args.virt_gmem, "domxml-to-native", "--qemu-caps", args.qemu_caps, exp])
        exports.append((r[0], None if rc == 0 and out.strip() else error_text(err)))
        # the PCI layout virt-gmem gives the same input against libvirt's
        rc, ours, err = run([args.virt_gmem, "format", inp])
        theirs = pci_layout(xml)
        mine = pci_layout(ours) if rc == 0 else {}
        diff = ["  %-32s libvirt %-40s virt-gmem %s" % (k, theirs.get(k, "-"), mine.get(k, "-"))
                for k in sorted(set(theirs) | set(mine)) if theirs.get(k) != mine.get(k)]
        if diff:
            pcidiff.append(r[0])
            with open(os.path.join(args.out, "pci.txt"), "a", encoding="utf-8") as f:
                f.write("\n".join(["%s:" % r[0]] + diff) + "\n")
        else:
            pcisame.append(r[0])

    with open(os.path.join(args.out, "results.tsv"), "w", encoding="utf-8") as f:
        f.write("\t".join(HEADER) + "\n")
        for r in rows:
            f.write("\t".join(c.replace("\t", " ") for c in r) + "\n")
    with open(os.path.join(args.out, "memory.txt"), "w", encoding="utf-8") as f:
        f.write("".join(x + "\n" for x in memdiff))

    lv_ok = [r for r in rows if r[2] == "accepted"]
    both = [r for r in lv_ok if r[3] == "accepted"]
    only_vgm = [r for r in rows if r[2] == "refused" and r[3] == "accepted"]
    lines = []
    if args.header:
        with open(args.header, encoding="utf-8") as f:
            lines.extend(f.read().rstrip("\n").split("\n"))
        lines.append("")
    for k, v in counts.items():
        lines.append("%-40s %d" % (k, v))
    lines.append("")
    lines.append("libvirt accepts                          %d of %d" % (len(lv_ok), len(rows)))
    lines.append("  of those virt-gmem accepts             %d" % len(both))
    lines.append("  memory lowering identical              %d of %d"
                 % (sum(1 for r in both if r[4] == "identical"), len(both)))
    for top in ("memory", "device"):
        t = [r for r in rows if r[1] == top]
        lines.append("  %-6s topics: %3d inputs, libvirt accepts %3d, virt-gmem %3d of those, identical %3d"
                     % (top, len(t), sum(1 for r in t if r[2] == "accepted"),
                        sum(1 for r in t if r[2] == r[3] == "accepted"),
                        sum(1 for r in t if r[4] == "identical")))
    lines.append("libvirt refuses, virt-gmem accepts       %d" % len(only_vgm))
    lines.append("both refuse                              %d"
                 % sum(1 for r in rows if r[2] == "refused" and r[3] == "refused"))
    lines.append("")

    def groups(title, sel, col):
        g = collections.defaultdict(list)
        for r in sel:
            g[mask(r[col])].append(r[0])
        lines.append("%s (%d):" % (title, len(sel)))
        for msg, names in sorted(g.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            lines.append("  %3d  %s" % (len(names), msg))
            lines.append("         %s" % " ".join(names))
        lines.append("")

    groups("refused by virt-gmem, accepted by libvirt",
           [r for r in lv_ok if r[3] == "refused"], 6)
    groups("refused by libvirt, accepted by virt-gmem", only_vgm, 5)
    groups("refused by libvirt", [r for r in rows if r[2] == "refused"], 5)
    if scratch:
        os.rmdir(scratch)
        qv = [r for r in rows if r[3] == "accepted"]
        lines.append("QEMU started virt-gmem's command line  %d of %d"
                     % (sum(1 for r in qv if r[8].startswith("started")), len(qv)))
        ql = [r for r in rows if r[2] == "accepted"]
        lines.append("QEMU started libvirt's command line    %d of %d"
                     % (sum(1 for r in ql if r[7].startswith("started")), len(ql)))
        lines.append("")
        groups("QEMU refused virt-gmem's command line",
               [r for r in qv if not r[8].startswith("started")], 8)
        groups("QEMU refused libvirt's command line",
               [r for r in ql if not r[7].startswith("started")], 7)
    lines.append("libvirt's exports (dumpxml --inactive) of the inputs both accept: "
                 "virt-gmem accepts %d of %d" % (sum(1 for e in exports if e[1] is None),
                                                 len(exports)))
    bad = collections.defaultdict(list)
    for name, msg in exports:
        if msg is not None:
            bad[mask(msg)].append(name)
    for msg, names in sorted(bad.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append("  %3d  %s" % (len(names), msg))
        lines.append("         %s" % " ".join(names))
    lines.append("")
    lines.append("PCI addresses and PCI controllers identical to libvirt's export: %d of %d"
                 % (len(pcisame), len(pcisame) + len(pcidiff)))
    if pcidiff:
        lines.append("  differ (pci.txt): %s" % " ".join(pcidiff))
    lines.append("")
    lines.append("memory lowering differs (%d): %s" % (
        sum(1 for r in both if r[4] == "differs"),
        " ".join(r[0] for r in both if r[4] == "differs")))
    with open(os.path.join(args.out, "summary.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
