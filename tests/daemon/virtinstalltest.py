#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""virtinstalltest: the domain XML virt-install writes, connected to the
daemon, through virt-gmem validate and domxml-to-native (TAP).

What it covers
--------------
Debian 12's virt-install (virtinst 4.1, run as /usr/bin/virt-install, i.e.
with /usr/bin/python3) connected to the built virtgmemd (harness.py: a
temporary root, qemu+unix:///system?socket=SOCK) writes one guest per
pair of

  * an OS of this host's osinfo-db (--osinfo): OSES below, eight of them
    (osinfo-db 0.20221130 has no debian12 or fedora38; win11 is there and
    is the one whose defaults are UEFI); an OS the host's osinfo-db lacks
    skips its guests, saying so;
  * an option set: OPTION_SETS below (virt-install's defaults; user
    networking; --boot uefi; --cpu host-passthrough; a memfd
    --memorybacking; hugepages; two NUMA cells; SPICE; no graphics;
    --machine pc; a --filesystem over 9p; one over virtiofs, with shared
    memfd memory; a USB disk and a USB CD-ROM; a VNC password with the
    firmware's output on the serial port; the client extras a sweep of
    virt-install's options against libvirtd 9.0 found refused or lowered
    otherwise: <kvm><pv-ipi>, a balloon's page_per_vq, an EGD on a pty,
    a clock reset at boot, a NUMA cell leaving a vCPU out, virtio-pmem,
    each checked in the command line: SET_ARGV),

always with --import of a small qcow2 disk file (in a directory pool made
beforehand), --noautoconsole and --print-xml, so nothing is defined or
installed. Every XML is then checked with `virt-gmem validate` and
`virt-gmem domxml-to-native --qemu-caps tests/qemucapabilitiesdata/
qemu-7.2-debian.json` (a copy whose KVM host CPU, for host-model, is its
TCG one: use_caps_with_kvm_host) against an expectation: accepted (both pass, and the
command line holds what the XML asks for: check_command_line() below: the
guest's name, uuid, memory size and backend type, vCPUs, NUMA cells,
machine, Hyper-V enlightenments, the clock's base, every disk's file,
format and device, every interface's MAC, model and network backend,
graphics, video, serial, guest agent channel, RNG, balloon, tablet, shares,
firmware, TPM; and Windows 11's defaults have the TPM virt-install adds
where swtpm is), or refused, at validate (then
domxml-to-native too) or only at domxml-to-native, with an error that
contains a given text, which names the construct. A guest whose result
differs from its expectation fails with the actual messages printed.

Then virt-install's installs that upload media over a remote connection
(install_media_tests: a qemu+ext://localhost URI whose command relays to
the daemon's socket, which virt-install takes for a remote host, as
qemu+ssh://): --location of an HTTP tree this test serves (a stub kernel
and an initrd) and --cloud-init, each under TCG; virt-install makes a
pool on /var/lib/libvirt/boot (a tmpfs over /var/lib/libvirt in the
test's own mount namespace, as root) and uploads the files as volumes
(virStorageVolUpload), boots the guest from them and deletes them.

Then a subset of the accepted guests (every OS with user networking, and
every accepted option set of DEBIAN_FOR_STARTS) is started paused through
the daemon (`virsh create --paused`) with Debian's QEMU, checked paused,
and destroyed. As root the whole program runs in a network namespace of
its own (harness.enter_private_netns: there is no default route, so
virt-install always picks network 'default'), where the daemon defines
and starts libvirt's network 'default' (NAT, 192.168.122.0/24, DHCP); a
started guest on it has its tap in the network's bridge. Without root
the network cannot run and those starts are skipped, saying why. At the end a line "# accepted N of M, refused K (...)"
sums up, refusals grouped by their expected text.

The expectations (expected() below, by rule rather than 80 lines) were
obtained on 2026-12-01 by running exactly these commands against this
tree (Debian 12, osinfo-db 0.20221130, QEMU 7.2, no /dev/kvm, no
hugetlbfs mounted, no bridge on the default route). Where the outcome
depends on the host, the rule says on what, and both branches are
stated; the branch not seen on that machine is marked so. Guests refused
on 2026-12-01, with what the refusal comes from:

  * (until 2026-12-01, when the network driver came) the defaults:
    virt-install's default network is <interface type='network'>
    'default' unless the host's default route is a bridge (virtinst:
    DeviceInterface.set_default_source); they are accepted now;
  * --cpu host-passthrough when the guest is emulated (<domain
    type='qemu'>, virt-install's choice without /dev/kvm): libvirt 9.0
    refuses it too;
  * UEFI without ACPI, as libvirt 9.0 refuses it: no longer written since
    virtgmemd's capabilities carry <guest><features> with <acpi
    default='on' toggle='yes'/> as libvirt 9.0's do (virtinst reads
    Guest.features.acpi from them; before they did, every UEFI guest was
    refused and every other ran with -machine ...,acpi=off), which
    CAPS_ADVERTISE_ACPI states and one check proves;
  * hugepages when no hugetlbfs of the host's default page size is mounted.

Since virtgmemd's domain capabilities list SPICE (QEMU 7.2 has it),
virt-install picks SPICE graphics, a qxl video, the spicevmc agent
channel and two USB redirections for every guest with graphics, as it
does against libvirtd; those guests are accepted and the ones of
DEBIAN_FOR_STARTS started (the driver gives each SPICE server a port).

Skips: the whole program ("1..0 # SKIP") when virt-install or osinfo-db
is not installed, or virtgmemd / virt-gmem are not built; the starts
without /usr/bin/qemu-system-x86_64. $VGM_TEST_URI (the reference mode of
the other daemon tests) is ignored: the expectations are about what
virt-install writes for virtgmemd.

Run: /usr/bin/python3 tests/daemon/virtinstalltest.py (meson: test
'virtinstall'). VGM_VIRTINSTALL_JOBS=N runs N virt-install at a time
(default: the number of CPUs, at most 4). VGM_VIRTINSTALL_KEEP=DIR keeps
the generated XML files in DIR.
"""

import concurrent.futures
import json
import os
import re
import shlex
import shutil
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import virsh  # noqa: E402

VIRT_INSTALL = shutil.which("virt-install") or "/usr/bin/virt-install"
QEMU = "/usr/bin/qemu-system-x86_64"
QEMU_IMG = shutil.which("qemu-img") or "/usr/bin/qemu-img"
OSINFO_DB = "/usr/share/osinfo"
CAPS_72_STORED = os.path.join(harness.TESTDIR, "qemucapabilitiesdata", "qemu-7.2-debian.json")
CAPS_72 = CAPS_72_STORED


def use_caps_with_kvm_host(tmp):
    """Makes domxml-to-native use a copy of the stored 7.2 set in @tmp that
    has a host CPU under KVM, which a kvm guest's <cpu mode='host-model'>
    is made of: the stored set was captured without /dev/kvm and has none
    (domxml-to-native refuses such a guest with it, saying so). The copy
    takes the set's TCG host CPU for the KVM one, as the synthesized sets
    do; the starts use the driver's own probe of the binary instead."""
    global CAPS_72
    with open(CAPS_72_STORED) as f:
        caps = json.load(f)
    caps.setdefault("cpu", {})["kvm"] = caps["cpu"]["tcg"]
    path = os.path.join(tmp, "qemu-7.2-debian-kvm-host.json")
    with open(path, "w") as f:
        json.dump(caps, f, indent=2, sort_keys=True)
    CAPS_72 = path
    return path
PREFIX = "vgmvi"              # every guest is named vgmvi-OS-SET

# ------------------------------------------------------------ the matrix ----

# --osinfo names, each with the file of this host's osinfo-db that has it.
OSES = [
    ("generic", None),
    ("linux2022", "libosinfo.org/linux-2022.xml"),
    ("debian11", "debian.org/debian-11.xml"),
    ("fedora37", "fedoraproject.org/fedora-37.xml"),
    ("rhel9.0", "redhat.com/rhel-9.0.xml"),
    ("ubuntu22.04", "ubuntu.com/ubuntu-22.04.xml"),
    ("win10", "microsoft.com/win-10.xml"),
    ("win11", "microsoft.com/win-11.xml"),
]

USER_NET = ["--network", "user"]

# name, the options beyond the common ones
OPTION_SETS = [
    ("defaults", []),
    ("user-net", USER_NET),
    ("uefi", USER_NET + ["--boot", "uefi"]),
    ("host-passthrough", USER_NET + ["--cpu", "host-passthrough"]),
    ("memfd", USER_NET + ["--memorybacking", "source.type=memfd,access.mode=shared"]),
    ("hugepages", USER_NET + ["--memorybacking", "hugepages=on"]),
    ("numa", USER_NET + ["--vcpus", "4", "--cpu",
                         "cell0.cpus=0-1,cell0.memory=524288,"
                         "cell1.cpus=2-3,cell1.memory=524288"]),
    ("spice", USER_NET + ["--graphics", "spice"]),
    ("no-graphics", USER_NET + ["--graphics", "none"]),
    # q35 is the default of every OS here but generic, whose is pc
    ("pc", USER_NET + ["--machine", "pc"]),
    # a host directory shared over 9p, and over virtiofs (which needs
    # shared memory); @SHARE@ is a directory the test makes
    ("9p", USER_NET + ["--filesystem", "source=@SHARE@,target=share"]),
    ("virtiofs", USER_NET + ["--memorybacking", "source.type=memfd,access.mode=shared",
                             "--filesystem", "source=@SHARE@,target=share,driver.type=virtiofs"]),
    # a USB disk and a USB CD-ROM besides the imported disk (files in
    # @SHARE@, which run_tests makes)
    ("usb-disks", USER_NET + ["--disk", "path=@SHARE@/usb.img,bus=usb,format=raw",
                              "--disk", "path=@SHARE@/usb.iso,device=cdrom,bus=usb"]),
    # a VNC password (set over QMP, hidden from dumpxml) and the
    # firmware's output on the serial port
    ("vnc-password", USER_NET + ["--graphics", "vnc,password=secret", "--boot", "useserial=on"]),
    # a 32-bit guest: virt-install finds the i686 guest in the
    # capabilities (before they listed it: "Host does not support any
    # virtualization options for architecture 'i686'") and names its QEMU
    # (qemu-system-i386)
    ("i686", USER_NET + ["--arch", "i686"]),
    # what virt-install writes that virt-gmem refused or lowered otherwise
    # until 2026-12-05 (a sweep of its options against libvirtd 9.0): a
    # <kvm><pv-ipi> setting, a balloon's page_per_vq, an EGD on a pty, a
    # clock reset at each boot, a NUMA cell that leaves a vCPU out, a
    # virtio-pmem device (@SHARE@/pmem.img, which run_tests makes); and
    # until 2026-12-06 a vmxnet3 NIC, a VNC websocket whose port libvirt
    # chooses (websocket=-1) and a CPU of match='minimum' (check='none':
    # QEMU 7.2's KVM host CPU on one host here lacks pni, which qemu64 has)
    ("client-extras", USER_NET + [
        "--network", "user,model=vmxnet3",
        "--graphics", "vnc,websocket=-1",

        "--xml", "./features/kvm/pv-ipi/@state=off",
        "--memballoon", "virtio,driver.page_per_vq=on",
        "--rng", "egd,backend.type=pty",
        "--clock", "offset=utc,xpath0.set=./@adjustment=reset",
        "--vcpus", "2", "--cpu", "qemu64,match=minimum,check=none,cell0.cpus=0,cell0.memory=1048576",
        "--memory", "1024,maxMemory=2048,maxMemory.slots=4",
        "--memdev", "virtio-pmem,source.path=@SHARE@/pmem.img,target.size=128"]),
]

# What the command line of an option set must hold besides
# check_command_line()'s (substrings of domxml-to-native's output)
SET_ARGV = {
    "client-extras": ["kvm-pv-ipi=off", '"page-per-vq":true', "pty,id=charrng0",
                      '"qom-type":"rng-egd"', "-rtc base=utc", "cpus=0-1",
                      '"mem-path":"@SHARE@/pmem.img","share":true', '"driver":"vmxnet3"',
                      ",websocket=on"],
}

# the directory the "9p" and "virtiofs" guests share (run_tests makes it)
SHARE_DIR = None

# The guests started through the daemon: every OS's "user-net" guest and
# every accepted option set of this OS.
DEBIAN_FOR_STARTS = "debian11"

# Whether virtgmemd's capabilities advertise ACPI (<guest><features><acpi
# default='on'/>), from which virt-install decides to write <acpi/>. They
# do since 2026-12-01: every guest has <acpi/> and UEFI guests are no
# longer refused for the lack of it (one check proves the flag).
CAPS_ADVERTISE_ACPI = True


# ------------------------------------------------------ host conditions ----

def kvm_usable():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def default_hugepage_kib():
    try:
        with open("/proc/meminfo") as f:
            m = re.search(r"^Hugepagesize:\s+(\d+) kB", f.read(), re.M)
        return int(m.group(1)) if m else None
    except OSError:
        return None


def _size_kib(text):
    m = re.match(r"^(\d+)([kKmMgG]?)[bB]?$", text)
    if not m:
        return None
    return int(m.group(1)) * {"": 1.0 / 1024, "k": 1, "m": 1024, "g": 1024 * 1024}[
        m.group(2).lower()]


def hugetlbfs_mounted_kib():
    """The page sizes (KiB) of the hugetlbfs mounts this process sees
    (a mount without pagesize= has the default size)."""
    sizes = set()
    try:
        with open("/proc/mounts") as f:
            lines = f.read().splitlines()
    except OSError:
        return sizes
    for line in lines:
        parts = line.split()
        if len(parts) < 4 or parts[2] != "hugetlbfs":
            continue
        m = re.search(r"(?:^|,)pagesize=([^,]+)", parts[3])
        size = _size_kib(m.group(1)) if m else default_hugepage_kib()
        if size:
            sizes.add(int(size))
    return sizes


def host_default_bridge():
    """virtinst's _host_default_bridge(): the device of the default route
    when it is a bridge (virt-install then defaults to <interface
    type='bridge'> on it instead of network 'default')."""
    try:
        with open("/proc/net/route") as f:
            rows = [l.split() for l in f.read().splitlines()[1:]]
    except OSError:
        return None
    for r in rows:
        if len(r) > 2 and r[1] == "00000000":
            dev = r[0]
            return dev if os.path.exists("/sys/class/net/%s/bridge" % dev) else None
    return None


UNSHARE = shutil.which("unshare")


def native_with_hugetlbfs(kib, mnt, path, timeout=60):
    """`virt-gmem domxml-to-native` on PATH in a private mount namespace in
    which a hugetlbfs of KIB KiB pages is mounted on MNT (the other branch
    of a hugetlbfs expectation, shown without touching the host). None
    when that cannot be done here: not root, no unshare, or the kernel has
    no such pages."""
    if os.geteuid() != 0 or not UNSHARE or \
            not os.path.isdir("/sys/kernel/mm/hugepages/hugepages-%dkB" % kib):
        return None
    os.makedirs(mnt, exist_ok=True)
    r = harness.run([UNSHARE, "--mount", "--propagation", "private", "sh", "-c",
                     'mount -t hugetlbfs -o pagesize=%dK none "$1" || exit 125; shift; '
                     'exec "$@"' % kib, "sh", mnt, harness.CLI, "domxml-to-native",
                     "--qemu-caps", CAPS_72, path], timeout=timeout)
    return None if r.rc == 125 else r


def check_branch(tap, label, exp, r, xml_text, aliases):
    """One test: a domxml-to-native result `r` (of the XML xml_text) as the
    expectation says; an accepted one's command line checked too."""
    if exp.accepted:
        problems, _ = check_command_line(xml_text, r.out, aliases) if r.rc == 0 else (
            ["domxml-to-native failed"], "")
        return tap.ok(r.rc == 0 and not problems, label,
                      "%s\n%s" % ("\n".join(problems), r.describe()))
    return tap.ok(r.rc == 1 and exp.text in r.err, label, r.describe())


# -------------------------------------------------------- expectations ----

class Expect:
    """accepted, or refused at `step` ('validate': validate and
    domxml-to-native both refuse; 'native': validate passes and
    domxml-to-native refuses) with an error containing `text`. `host` says
    which host condition chose this branch (None: any host)."""

    def __init__(self, accepted, text=None, step=None, host=None):
        self.accepted, self.text, self.step, self.host = accepted, text, step, host

    def describe(self):
        s = "accepted" if self.accepted else "refused at %s: %s" % (
            "validate" if self.step == "validate" else "domxml-to-native", self.text)
        return s + (" [host: %s]" % self.host if self.host else "")


def accepted(host=None):
    return Expect(True, host=host)


def refused(text, host=None):
    return Expect(False, text, "validate", host)


def refused_native(text, host=None):
    return Expect(False, text, "native", host)


def expected(osname, setname, host):
    """The expectation for one guest, by rule; the first rule that applies
    gives the (first) error. Captured 2026-12-01 (see the docstring)."""
    uefi = setname == "uefi" or osname == "win11"   # win11's defaults are UEFI
    if setname == "host-passthrough" and not host["kvm"]:
        return refused_native("<cpu mode='host-passthrough'> needs <domain type='kvm'>",
                              host="no usable /dev/kvm: virt-install writes type='qemu'")
    if uefi and not CAPS_ADVERTISE_ACPI:
        return refused_native("UEFI firmware needs <features><acpi/></features>")
    if setname == "hugepages":
        size = host["hugepage_kib"]
        if size not in host["hugetlbfs"]:
            return refused_native("no hugetlbfs is mounted for %s KiB pages, which "
                                  "<hugepages> asks for" % size,
                                  host="no hugetlbfs of %s KiB mounted" % size)
        return accepted(host="hugetlbfs of %s KiB mounted (not seen on 2026-12-01)" % size)
    if setname == "defaults" and host["bridge"]:
        return accepted(host="the default route's device %s is a bridge "
                             "(not seen on 2026-12-01)" % host["bridge"])
    if setname == "host-passthrough":
        return accepted(host="usable /dev/kvm (not seen on 2026-12-01)")
    return accepted()


# ---------------------------------------------------- the command line ----

# QEMU's options that take no argument (the rest take exactly one).
_NO_ARG = {"-S", "-no-user-config", "-nodefaults", "-no-hpet", "-no-shutdown", "-no-acpi",
           "-enable-kvm", "-no-reboot", "-snapshot", "-daemonize"}

DISK_DEVICES = {
    ("virtio", "disk"): "virtio-blk-pci", ("scsi", "disk"): "scsi-hd",
    ("scsi", "cdrom"): "scsi-cd", ("sata", "disk"): "ide-hd", ("sata", "cdrom"): "ide-cd",
    ("ide", "disk"): "ide-hd", ("ide", "cdrom"): "ide-cd", ("usb", "disk"): "usb-storage",
    ("usb", "cdrom"): "usb-storage",
}
NIC_DEVICES = {"virtio": "virtio-net-pci", "e1000": "e1000", "e1000e": "e1000e",
               "rtl8139": "rtl8139", "vmxnet3": "vmxnet3"}
NETDEV_TYPES = {"bridge": "tap", "ethernet": "tap", "network": "tap", "user": "user"}
VIDEO_DEVICES = {"virtio": ("virtio-vga", "virtio-gpu-pci"), "vga": ("VGA",),
                 "cirrus": ("cirrus-vga",), "bochs": ("bochs-display",),
                 "qxl": ("qxl-vga", "qxl")}
INPUT_DEVICES = {("tablet", "usb"): "usb-tablet", ("tablet", "virtio"): "virtio-tablet-pci",
                 ("keyboard", "virtio"): "virtio-keyboard-pci",
                 ("mouse", "virtio"): "virtio-mouse-pci", ("keyboard", "usb"): "usb-kbd",
                 ("mouse", "usb"): "usb-mouse"}
_UNITS = {"b": 1, "bytes": 1, "k": 1024, "kib": 1024, "kb": 1000, "m": 1024 ** 2,
          "mib": 1024 ** 2, "mb": 1000 ** 2, "g": 1024 ** 3, "gib": 1024 ** 3, "gb": 1000 ** 3}


def machine_aliases(caps_path=CAPS_72_STORED):
    """{'pc': 'pc-i440fx-7.2', 'q35': 'pc-q35-7.2'} from a capability set."""
    with open(caps_path) as f:
        caps = json.load(f)
    return {m["alias"]: m["name"] for m in caps.get("machines", []) if m.get("alias")}


def _props(val, first_key):
    """A JSON option value, or QEMU's key=value,... form (its first item
    without '=' under first_key)."""
    if val is None:
        return {}
    if val.startswith("{"):
        return json.loads(val)
    d = {}
    for i, item in enumerate(val.split(",")):
        if "=" in item:
            k, v = item.split("=", 1)
            d[k] = v
        elif i == 0:
            d[first_key] = item
    return d


def parse_command_line(text):
    """(environment, binary, [(option, value)]) of domxml-to-native's
    output (one shell-quoted line)."""
    argv = shlex.split(text)
    env = []
    while argv and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", argv[0]):
        env.append(argv.pop(0))
    binary = argv.pop(0) if argv else None
    opts = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in _NO_ARG or i + 1 >= len(argv) or not a.startswith("-"):
            opts.append((a, None))
            i += 1
        else:
            opts.append((a, argv[i + 1]))
            i += 2
    return env, binary, opts


def _cpuset(text):
    out = set()
    for part in (text or "").replace(" ", "").split(","):
        if not part or part.startswith("^"):
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            out.update(range(int(a), int(b) + 1))
        else:
            out.add(int(part))
    return out


def _size_bytes(el, default_unit="KiB"):
    unit = (el.get("unit") or default_unit).lower()
    return int(el.text.strip() if el.text else el.get("memory")) * _UNITS[unit]


def disk_encryption(disk):
    """The <encryption> of a disk's top image: in the <disk> (Nova's, and
    libvirt's older place) or in its <source>."""
    enc = disk.find("encryption")
    return enc if enc is not None else disk.find("source/encryption")


def check_encryption(want, disk, storage, fmtnode, fmt, objects, label):
    """A disk's <encryption>: QEMU decrypts its image with a secret object
    as libvirt lowers it: librbd in the rbd node's "encrypt"; QEMU's engine
    in a raw image's luks node ("key-secret") or qcow2's "encrypt"."""
    enc = disk_encryption(disk)
    if enc is None:
        want("encrypt" not in storage and "encrypt" not in fmtnode and
             "key-secret" not in fmtnode, "%s: not decrypted (no <encryption>)" % label)
        return
    if enc.get("engine") == "librbd":
        key = storage.get("encrypt", {}).get("key-secret")
    elif fmt == "raw":
        key = fmtnode.get("key-secret")
    else:
        key = fmtnode.get("encrypt", {}).get("key-secret")
    secret = [o for o in objects if o.get("qom-type") == "secret" and o.get("id") == key]
    want(key is not None and len(secret) == 1,
         "%s: decrypted (<encryption format='%s'>) with a secret object for its passphrase"
         % (label, enc.get("format")))


def check_command_line(xml_text, native_text, aliases):
    """What the command line must hold for the domain XML: a list of
    problems (empty: all there) and a short summary of what was checked."""
    dom = ET.fromstring(xml_text)
    _, binary, opts = parse_command_line(native_text)
    problems = []
    seen = []

    def vals(opt):
        return [v for o, v in opts if o == opt]

    def want(cond, what):
        if not cond:
            problems.append(what)
        return cond

    devices = [_props(v, "driver") for v in vals("-device")]
    blockdevs = [_props(v, "driver") for v in vals("-blockdev")]
    netdevs = [_props(v, "type") for v in vals("-netdev")]
    objects = [_props(v, "qom-type") for v in vals("-object")]

    def drivers():
        return [d.get("driver") for d in devices]

    # a TPM: its device
    for t in dom.findall("devices/tpm"):
        model = t.get("model") or "tpm-tis"
        want(model in drivers(), "-device %s for the <tpm>" % model)
        seen.append("tpm")
    # the binary, name, uuid
    # (a 32-bit guest's is the i686 guest's of the capabilities, as
    # libvirtd's capabilities name it: qemu-system-i386, or
    # qemu-system-x86_64 where that is missing)
    arch = dom.find("os/type").get("arch")
    emulator = "qemu-system-x86_64"
    if arch == "i686" and os.access("/usr/bin/qemu-system-i386", os.X_OK):
        emulator = "qemu-system-i386"
    want(binary is not None and binary.endswith(emulator),
         "the binary is %s, for a guest of arch %s (got %r)" % (emulator, arch, binary))
    name = dom.findtext("name")
    want(any(v == "guest=%s" % name or v.startswith("guest=%s," % name) for v in vals("-name")),
         "-name guest=%s" % name)
    uuid = dom.findtext("uuid")
    if uuid:
        want(vals("-uuid") == [uuid], "-uuid %s (got %s)" % (uuid, vals("-uuid")))

    # machine
    typ = dom.find("os/type")
    machine = typ.get("machine") if typ is not None else None
    mvals = vals("-machine")
    mfirst = mvals[0].split(",")[0] if mvals else None
    if machine:
        want(mfirst == aliases.get(machine, machine),
             "-machine %s (for machine='%s'; got %r)" % (aliases.get(machine, machine),
                                                         machine, mfirst))

    # memory: -m, the backends' sizes and type, NUMA cells
    mem_el = dom.find("memory")
    mem = _size_bytes(mem_el)
    # (-m N, or with a maximum size=Kk,slots=S,maxmem=...)
    mib = [v.split(",")[0] for v in vals("-m")]
    mib = [str(int(m[5:-1]) // 1024) if re.match(r"^size=\d+k$", m) else m for m in mib]
    want(mib == [str(mem // (1024 * 1024))],
         "-m %d (got %s)" % (mem // (1024 * 1024), mib))
    # (the guest's RAM; a memory device's backend is its own, mem...)
    backends = [o for o in objects if str(o.get("qom-type", "")).startswith("memory-backend-")
                and not str(o.get("id", "")).startswith("mem")]
    if dom.find("devices/memory") is None:
        total = sum(int(o.get("size", 0)) for o in backends)
        want(total == mem, "memory backends of %d bytes in all (got %d: %s)"
             % (mem, total, [(o.get("id"), o.get("size")) for o in backends]))
    src = dom.find("memoryBacking/source")
    if dom.find("memoryBacking/hugepages") is not None:
        btype = "memory-backend-file"
    elif src is not None:
        btype = {"memfd": "memory-backend-memfd", "file": "memory-backend-file",
                 "anonymous": "memory-backend-ram"}.get(src.get("type"))
    else:
        btype = "memory-backend-ram"
    if btype:
        want(backends and all(o.get("qom-type") == btype for o in backends),
             "memory backends of type %s (got %s)" % (btype, [o.get("qom-type") for o in backends]))
    acc = dom.find("memoryBacking/access")
    if acc is not None and acc.get("mode") == "shared":
        want(backends and all(o.get("share") is True for o in backends),
             "shared memory backends (access mode='shared')")
    seen.append("%d MiB" % (mem // (1024 * 1024)))
    cells = dom.findall("cpu/numa/cell")
    numa = [_props(v, "type") for v in vals("-numa")]
    numa_nodes = [n for n in numa if n.get("type") == "node"]
    want(len(numa_nodes) == len(cells),
         "%d -numa node (got %d)" % (len(cells), len(numa_nodes)))
    by_id = {o.get("id"): o for o in backends}
    # (vCPUs no cell names go into the first, as libvirt puts them)
    vcpus = int(dom.findtext("vcpu") or 1)
    named = set().union(*[_cpuset(c.get("cpus")) for c in cells]) if cells else set()
    for i, cell in enumerate(cells):
        if i >= len(numa_nodes):
            break
        n = numa_nodes[i]
        want_cpus = _cpuset(cell.get("cpus"))
        if i == 0:
            want_cpus = want_cpus | (set(range(vcpus)) - named)
        want(_cpuset(n.get("cpus")) == want_cpus,
             "NUMA node %d has cpus %s (got %s)" % (i, sorted(want_cpus), n.get("cpus")))
        b = by_id.get(n.get("memdev"))
        want(b is not None and int(b.get("size", -1)) == _size_bytes(cell),
             "NUMA node %d's memory backend has %d bytes" % (i, _size_bytes(cell)))
    if cells:
        seen.append("%d NUMA cells" % len(cells))

    # vCPUs, Hyper-V enlightenments, the clock
    vcpus = int(dom.findtext("vcpu") or "1")
    smp = [v.split(",")[0] for v in vals("-smp")]
    want(smp == [str(vcpus)], "-smp %d (got %s)" % (vcpus, smp))
    cpuflags = set()
    for v in vals("-cpu"):
        cpuflags.update(f.split("=")[0] for f in v.split(",")[1:]
                        if not f.endswith("=off"))
    hv = [f.tag for f in dom.findall("features/hyperv/*") if f.get("state") == "on"]
    if dom.find("clock/timer[@name='hypervclock']") is not None and \
            dom.find("clock/timer[@name='hypervclock']").get("present") == "yes":
        hv.append("time")
    for f in hv:
        want("hv-" + f in cpuflags, "-cpu ...,hv-%s for the Hyper-V feature %s" % (f, f))
    if hv:
        seen.append("%d Hyper-V features" % len(hv))
    offset = dom.find("clock").get("offset") if dom.find("clock") is not None else None
    if offset in ("utc", "localtime"):
        want(any(v.split(",")[0] == "base=" + offset for v in vals("-rtc")),
             "-rtc base=%s" % offset)

    # firmware
    loader = dom.findtext("os/loader")
    if loader:
        want(any(b.get("filename") == loader for b in blockdevs),
             "a -blockdev of the loader %s" % loader)
        want(mvals and "pflash0=" in mvals[0], "-machine ...,pflash0=")
        seen.append("loader")
    nvram = dom.find("os/nvram")
    if nvram is not None:
        # a path of its own, or libvirt's default name for the varstore
        path = (nvram.text or "").strip()
        varstore = [b for b in blockdevs if str(b.get("filename", "")).endswith(
            path or "/%s_VARS.fd" % name)]
        want(len(varstore) == 1 and mvals and "pflash1=" in mvals[0] and
             any(b.get("file") == varstore[0].get("node-name") and b.get("read-only") is False
                 for b in blockdevs),
             "a writable pflash1 of the varstore %s" % (path or "NAME_VARS.fd"))
        seen.append("varstore")

    # disks
    ndisks = 0
    for disk in dom.findall("devices/disk"):
        tgt = disk.find("target")
        bus, devtype = tgt.get("bus"), disk.get("device", "disk")
        srcel = disk.find("source")
        path = srcel.get("file") if srcel is not None else None
        fmt = (disk.find("driver").get("type") if disk.find("driver") is not None else None) or "raw"
        label = "disk %s (%s %s, %s)" % (tgt.get("dev"), bus, devtype, path)
        if path is None and srcel is not None and disk.get("type") == "network":
            # a Ceph RBD image (Nova's volumes): its pool and image, its
            # monitors, and its cephx user with a secret object for the key
            proto = srcel.get("protocol")
            label = "disk %s (%s %s, %s %s)" % (tgt.get("dev"), bus, devtype, proto,
                                                srcel.get("name"))
            if proto != "rbd":
                continue
            ndisks += 1
            pool, _, image = srcel.get("name").partition("/")
            storage = [b for b in blockdevs if b.get("driver") == "rbd" and
                       b.get("pool") == pool and b.get("image") == image]
            if not want(len(storage) == 1, "%s: one rbd -blockdev of pool %s, image %s" %
                        (label, pool, image)):
                continue
            hosts = [(h.get("name"), h.get("port", "0")) for h in srcel.findall("host")]
            want([(m.get("host"), m.get("port")) for m in storage[0].get("server", [])] == hosts,
                 "%s: the monitors %s (got %s)" % (label, hosts, storage[0].get("server")))
            auth = disk.find("auth")
            if auth is None:
                auth = srcel.find("auth")
            if auth is not None:
                secret = [o for o in objects if o.get("qom-type") == "secret" and
                          o.get("id") == storage[0].get("key-secret")]
                want(storage[0].get("user") == auth.get("username") and len(secret) == 1,
                     "%s: user %s and a secret object for its key" % (label, auth.get("username")))
            fmtnode = [b for b in blockdevs if b.get("file") == storage[0].get("node-name")]
            if want(len(fmtnode) == 1, "%s: a format node on the rbd node" % label):
                check_encryption(want, disk, storage[0], fmtnode[0], fmt, objects, label)
            continue
        if path is None:
            continue
        ndisks += 1
        storage = [b for b in blockdevs if b.get("filename") == path]
        if not want(len(storage) == 1, "%s: one -blockdev of the file" % label):
            continue
        fmtnode = [b for b in blockdevs if b.get("file") == storage[0].get("node-name")]
        encrypted = disk_encryption(disk) is not None
        # a raw LUKS image is QEMU's luks format
        fmtdrv = "luks" if encrypted and fmt == "raw" else fmt
        if not want(len(fmtnode) == 1 and fmtnode[0].get("driver") == fmtdrv,
                    "%s: a %s format node on it" % (label, fmtdrv)):
            continue
        check_encryption(want, disk, storage[0], fmtnode[0], fmt, objects, label)
        if devtype == "cdrom" or disk.find("readonly") is not None:
            want(fmtnode[0].get("read-only") is True, "%s: read-only" % label)
        dev = [d for d in devices if d.get("drive") == fmtnode[0].get("node-name")]
        exp = DISK_DEVICES.get((bus, devtype))
        want(len(dev) == 1 and (exp is None or dev[0].get("driver") == exp),
             "%s: a -device %s with drive=%s (got %s)" % (
                 label, exp, fmtnode[0].get("node-name"), [d.get("driver") for d in dev]))
    if ndisks:
        seen.append("%d disk%s" % (ndisks, "s" if ndisks > 1 else ""))

    # interfaces
    nifs = 0
    netdev_by_id = {n.get("id"): n for n in netdevs}
    for iface in dom.findall("devices/interface"):
        nifs += 1
        mac = iface.find("mac").get("address") if iface.find("mac") is not None else None
        model = iface.find("model").get("type") if iface.find("model") is not None else None
        itype = iface.get("type")
        label = "interface %s (%s, %s)" % (mac, itype, model)
        dev = [d for d in devices if mac and str(d.get("mac", "")).lower() == mac.lower()]
        if not want(len(dev) == 1, "%s: one -device with its MAC" % label):
            continue
        exp = NIC_DEVICES.get(model)
        want(exp is None or dev[0].get("driver") == exp,
             "%s: -device %s (got %s)" % (label, exp, dev[0].get("driver")))
        nd = netdev_by_id.get(dev[0].get("netdev"))
        if not want(nd is not None, "%s: a -netdev for netdev=%s" % (label, dev[0].get("netdev"))):
            continue
        want(nd.get("type") == NETDEV_TYPES.get(itype, nd.get("type")),
             "%s: a -netdev of type %s (got %s)" % (label, NETDEV_TYPES.get(itype), nd.get("type")))
        tdev = iface.find("target").get("dev") if iface.find("target") is not None else None
        if itype in ("bridge", "ethernet") and tdev:
            want(nd.get("ifname") == tdev, "%s: the tap is named %s (got %s)"
                 % (label, tdev, nd.get("ifname")))
    if nifs:
        seen.append("%d interface%s" % (nifs, "s" if nifs > 1 else ""))

    # graphics
    gtypes = [g.get("type") for g in dom.findall("devices/graphics")]
    want(bool(vals("-vnc")) == ("vnc" in gtypes), "-vnc exactly when there is VNC graphics")
    want(bool(vals("-spice")) == ("spice" in gtypes), "-spice exactly when there is SPICE")
    if gtypes:
        seen.append("+".join(gtypes))

    # video
    for i, video in enumerate(dom.findall("devices/video")):
        m = video.find("model")
        vt = m.get("type") if m is not None else None
        if vt in (None, "none"):
            continue
        exp = VIDEO_DEVICES.get(vt)
        want(exp is None or any(d in exp for d in drivers()),
             "video %s: a -device of %s" % (vt, exp))
        seen.append("video " + vt)

    # serial ports and consoles
    if dom.find("devices/serial") is not None or dom.find("devices/console") is not None:
        want(any(d in ("isa-serial", "virtconsole") for d in drivers()),
             "a serial device for <serial>/<console>")

    # the guest agent channel
    for ch in dom.findall("devices/channel"):
        t = ch.find("target")
        if t is not None and t.get("name") == "org.qemu.guest_agent.0":
            want(any(d.get("driver") == "virtserialport" and
                     d.get("name") == "org.qemu.guest_agent.0" for d in devices),
                 "a virtserialport org.qemu.guest_agent.0")
            seen.append("guest agent")

    # RNG
    for rng in dom.findall("devices/rng"):
        be = rng.findtext("backend")
        if rng.find("backend").get("model") == "egd":
            # an EGD through a character device of the backend's type
            objs = {o.get("id"): o for o in objects if o.get("qom-type") == "rng-egd"}
            want(any(d.get("driver") == "virtio-rng-pci" and d.get("rng") in objs
                     for d in devices), "virtio-rng-pci on an rng-egd object")
            continue
        objs = {o.get("id"): o for o in objects if o.get("qom-type") == "rng-random"}
        want(any(d.get("driver") == "virtio-rng-pci" and d.get("rng") in objs and
                 objs[d.get("rng")].get("filename") == be for d in devices),
             "virtio-rng-pci on an rng-random object of %s" % be)

    # balloon
    bal = dom.find("devices/memballoon")
    if bal is not None:
        has = "virtio-balloon-pci" in drivers()
        want(has == (bal.get("model") == "virtio"),
             "virtio-balloon-pci exactly when <memballoon model='virtio'> (model %s)"
             % bal.get("model"))

    # inputs
    for inp in dom.findall("devices/input"):
        exp = INPUT_DEVICES.get((inp.get("type"), inp.get("bus")))
        if exp:
            want(exp in drivers(), "a -device %s for input %s/%s" % (exp, inp.get("type"),
                                                                      inp.get("bus")))

    # shared directories: 9p on an -fsdev local of the directory, with
    # the access mode's security model; virtiofs on a vhost-user socket
    fsdevs = {d.get("id"): d for d in (_props(v, "type") for v in vals("-fsdev"))}
    chardevs = {c.get("id") for c in (_props(v, "backend") for v in vals("-chardev"))}
    for fs in dom.findall("devices/filesystem"):
        tag = fs.find("target").get("dir")
        src = fs.find("source").get("dir")
        drv = fs.find("driver")
        if drv is not None and drv.get("type") == "virtiofs":
            want(any(d.get("driver") == "vhost-user-fs-pci" and d.get("tag") == tag and
                     d.get("chardev") in chardevs for d in devices),
                 "a vhost-user-fs-pci with tag %s on a -chardev" % tag)
            seen.append("virtiofs share")
        else:
            model = {"mapped": "mapped", "squash": "none"}.get(fs.get("accessmode"), "passthrough")
            want(any(d.get("driver") == "virtio-9p-pci" and d.get("mount_tag") == tag and
                     fsdevs.get(d.get("fsdev"), {}).get("type") == "local" and
                     fsdevs[d.get("fsdev")].get("path") == src and
                     fsdevs[d.get("fsdev")].get("security_model") == model for d in devices),
                 "a virtio-9p-pci with mount_tag %s on -fsdev local of %s (%s)" % (tag, src, model))
            seen.append("9p share")

    # watchdog
    for wd in dom.findall("devices/watchdog"):
        if wd.get("model") == "i6300esb":
            want("i6300esb" in drivers(), "a -device i6300esb for <watchdog>")

    return problems, ", ".join(seen)


# -------------------------------------------------------------- running ----

def run_tool(*args, timeout=60):
    return harness.run([harness.CLI] + list(args), timeout=timeout)


def first_error(r):
    lines = [l for l in (r.err + r.out).splitlines() if l.strip()]
    return lines[0] if lines else "(no message)"


def check_expectation(tap, label, path, exp):
    """validate and domxml-to-native against the expectation: one test.
    Returns (native result or None, the result matched)."""
    v = run_tool("validate", path)
    n = run_tool("domxml-to-native", "--qemu-caps", CAPS_72, path)
    got_v = "passes" if v.rc == 0 else "refused: " + first_error(v)
    got_n = "passes" if n.rc == 0 else "refused: " + first_error(n)
    if exp.accepted:
        good = v.rc == 0 and n.rc == 0 and n.out.strip() != ""
    elif exp.step == "validate":
        good = (v.rc == 1 and exp.text in v.err and n.rc == 1 and exp.text in n.err)
    else:
        good = v.rc == 0 and n.rc == 1 and exp.text in n.err
    tap.ok(good, "%s: %s" % (label, exp.describe()),
           "expected: %s\nvalidate: %s\ndomxml-to-native: %s\n(XML: %s)"
           % (exp.describe(), got_v, got_n, path))
    return (n if n.rc == 0 else None), good


def summary(tap, results):
    """results: [(label, Expect, matched)]. The '# accepted ...' line."""
    acc = [r for r in results if r[1].accepted and r[2]]
    ref = {}
    for label, exp, ok in results:
        if not exp.accepted and ok:
            ref.setdefault(exp.text, []).append(label)
    other = [r for r in results if not r[2]]
    nref = sum(len(v) for v in ref.values())
    reasons = "; ".join("%d x %s" % (len(v), t) for t, v in
                        sorted(ref.items(), key=lambda kv: -len(kv[1])))
    tap.diag("accepted %d of %d, refused %d (%s)%s" % (
        len(acc), len(results), nref, reasons or "none",
        ", %d not as expected" % len(other) if other else ""))


def virt_install(uri, osname, setname, opts, disk):
    args = [VIRT_INSTALL, "--connect", uri, "--name", "%s-%s-%s" % (PREFIX, osname, setname),
            "--memory", "1024", "--osinfo", osname, "--import", "--disk", "path=" + disk,
            "--noautoconsole", "--print-xml"] + [o.replace("@SHARE@", SHARE_DIR) for o in opts]
    return harness.run(args, timeout=180)


def run_tests(tap, target, tmp):
    global SHARE_DIR
    uri = target.uri
    SHARE_DIR = os.path.join(tmp, "share")
    os.makedirs(SHARE_DIR, exist_ok=True)
    for name, size in (("usb.img", 1), ("usb.iso", 1), ("pmem.img", 128)):
        with open(os.path.join(SHARE_DIR, name), "wb") as f:
            f.truncate(size * 1024 * 1024)
    host = {"kvm": kvm_usable(), "hugetlbfs": hugetlbfs_mounted_kib(),
            "hugepage_kib": default_hugepage_kib(), "bridge": host_default_bridge(),
            "network": False}
    tap.diag("host: %s /dev/kvm, hugetlbfs mounted for %s KiB pages (default size %s KiB), "
             "default route's bridge: %s" % (
                 "usable" if host["kvm"] else "no usable", sorted(host["hugetlbfs"]) or "no",
                 host["hugepage_kib"], host["bridge"]))
    aliases = machine_aliases()

    # the disk, in a pool made beforehand (virt-install would make one for
    # the directory itself; with several at a time they would race)
    disks = os.path.join(tmp, "disks")
    os.mkdir(disks)
    disk = os.path.join(disks, "disk.qcow2")
    r = harness.run([QEMU_IMG, "create", "-q", "-f", "qcow2", disk, "16M"], timeout=60)
    if not tap.ok(r.rc == 0, "qemu-img makes the guests' disk", r.describe()):
        return
    r = virsh(uri, "pool-define-as", "vgmvi-disks", "dir", "--target", disks)
    if r.rc == 0:
        r = virsh(uri, "pool-start", "vgmvi-disks")
    tap.ok(r.rc == 0, "a directory pool for it", r.describe())
    # network 'default', which virt-install's default guests join, as
    # libvirt's packages define it; it runs only in a network namespace
    # of the test's own
    if NETNS_WHY:
        tap.skip("network 'default' defined and started", NETNS_WHY)
    else:
        netxml = os.path.join(tmp, "default-net.xml")
        with open(netxml, "w") as f:
            f.write(DEFAULT_NETWORK)
        r = virsh(uri, "net-define", netxml)
        if r.rc == 0:
            r = virsh(uri, "net-start", "default")
        if tap.ok(r.rc == 0, "network 'default' defined and started (a private network "
                             "namespace)", r.describe()):
            host["network"] = True

    jobs = []
    for osname, osfile in OSES:
        if osfile and not os.path.exists(os.path.join(OSINFO_DB, "os", osfile)):
            for setname, _ in OPTION_SETS:
                tap.skip("%s/%s" % (osname, setname),
                         "this host's osinfo-db has no %s" % osname)
            continue
        for setname, opts in OPTION_SETS:
            jobs.append((osname, setname, opts))
    njobs = int(os.environ.get("VGM_VIRTINSTALL_JOBS") or min(4, os.cpu_count() or 2))
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max(1, njobs)) as ex:
        futures = [ex.submit(virt_install, uri, o, s, opts, disk) for o, s, opts in jobs]
        made = [f.result() for f in futures]
    tap.diag("virt-install --print-xml ran %d times in %.1f s (%d at a time)"
             % (len(jobs), time.monotonic() - t0, njobs))

    keep = os.environ.get("VGM_VIRTINSTALL_KEEP")
    xmldir = keep or os.path.join(tmp, "xml")
    os.makedirs(xmldir, exist_ok=True)
    results = []
    starts = []
    types = {}
    acpi = []
    for (osname, setname, opts), r in zip(jobs, made):
        label = "%s/%s" % (osname, setname)
        if not tap.ok(r.rc == 0 and r.out.lstrip().startswith("<domain"),
                      "%s: virt-install --print-xml writes a domain" % label, r.describe()):
            results.append((label, Expect(True), False))
            continue
        path = os.path.join(xmldir, "%s-%s.xml" % (osname, setname))
        with open(path, "w") as f:
            f.write(r.out)
        dom = ET.fromstring(r.out)
        types.setdefault(dom.get("type"), []).append(label)
        if dom.find("features/acpi") is not None:
            acpi.append(label)
        # a TPM, which virt-install gives a UEFI guest (Windows 11's
        # defaults) where the domain capabilities list an emulator for it,
        # as against libvirtd 9.0 (2026-12-06), when swtpm is installed
        if osname == "win11" and setname == "defaults":
            tpm = dom.find("devices/tpm")
            want_tpm = shutil.which("swtpm") is not None and shutil.which("swtpm_setup") is not None
            tap.eq((tpm.get("model"), tpm.find("backend").get("type")) if tpm is not None
                   else None, ("tpm-crb", "emulator") if want_tpm else None,
                   "%s: virt-install gives it %s" % (
                       label, "a TPM (tpm-crb, emulator)" if want_tpm
                       else "no TPM (no swtpm on this host)"))
        if setname == "defaults":
            itype = [i.get("type") for i in dom.findall("devices/interface")]
            tap.eq(itype, ["bridge" if host["bridge"] else "network"],
                   "%s: virt-install's default network is %s" % (
                       label, "the bridge %s" % host["bridge"] if host["bridge"]
                       else "network 'default'"))
        exp = expected(osname, setname, host)
        native, good = check_expectation(tap, label, path, exp)
        results.append((label, exp, good))
        # the other branch of a hugetlbfs expectation, where it can be shown
        size = host["hugepage_kib"]
        if setname == "hugepages" and size and size not in host["hugetlbfs"]:
            other = expected(osname, setname, dict(host, hugetlbfs=host["hugetlbfs"] | {size}))
            what = "%s: with a hugetlbfs of %d KiB mounted (private mount namespace): %s" % (
                label, size, Expect(other.accepted, other.text, other.step).describe())
            r2 = native_with_hugetlbfs(size, os.path.join(tmp, "hugetlbfs"), path)
            if r2 is None:
                tap.skip(what, "cannot mount one here (not root, or the kernel has no "
                               "%d KiB pages)" % size)
            else:
                check_branch(tap, what, other, r2, r.out, aliases)
        if exp.accepted and native is not None:
            problems, seen = check_command_line(r.out, native.out, aliases)
            for text in SET_ARGV.get(setname, []):
                text = text.replace("@SHARE@", SHARE_DIR or "")
                if text not in native.out:
                    problems.append("no %r in the command line (option set %s)" % (text, setname))
            tap.ok(not problems, "%s: the command line has what the XML asks for (%s)"
                   % (label, seen), "\n".join(problems) + "\n$ " + native.out[:4000])
            if setname == "user-net" or osname == DEBIAN_FOR_STARTS:
                starts.append((label, dom.findtext("name"), path))

    want_type = "kvm" if host["kvm"] else "qemu"
    tap.eq(sorted(types), [want_type],
           "virt-install writes <domain type='%s'> for every guest (%s /dev/kvm)"
           % (want_type, "usable" if host["kvm"] else "no usable"))
    ngen = sum(len(v) for v in types.values())
    tap.eq(len(acpi), ngen if CAPS_ADVERTISE_ACPI else 0,
           "virt-install writes <acpi/> in %s guest (virtgmemd's capabilities %s ACPI)"
           % ("every" if CAPS_ADVERTISE_ACPI else "no",
              "advertise" if CAPS_ADVERTISE_ACPI else "do not advertise"))

    # starts through the daemon
    if not os.access(QEMU, os.X_OK):
        tap.skip("start accepted guests through the daemon", "%s is not installed" % QEMU)
    else:
        t0 = time.monotonic()
        for label, name, path in starts:
            start_one(tap, target, label, name, path, host)
        tap.diag("%d guests started and destroyed in %.1f s" % (len(starts),
                                                                time.monotonic() - t0))
    install_media_tests(tap, target, tmp)
    if host["network"]:
        r = virsh(uri, "net-destroy", "default")
        left = harness.processes_naming(target.root + "/") if target.root else []
        tap.ok(r.rc == 0 and not left,
               "network 'default' destroyed: its dnsmasq gone", r.describe() +
               "\nleft: %s" % left)
    summary(tap, results)


# A Linux bzImage header (boot protocol 2.15) and nothing else: enough
# for QEMU's loader to take it as the kernel of a direct boot
def stub_kernel():
    b = bytearray(64 * 1024)
    b[0x1f1] = 4                                # setup_sects
    b[0x1fe:0x200] = b"\x55\xaa"                 # boot_flag
    b[0x202:0x206] = b"HdrS"
    b[0x206:0x208] = b"\x0f\x02"                 # version 2.15
    b[0x211] = 1                                # LOADED_HIGH
    b[0x22c:0x230] = b"\xff\xff\xff\x37"         # initrd_addr_max
    b[0x238:0x23a] = b"\xff\x07"                 # cmdline_size
    return bytes(b)


def scratch_dir():
    """The directory virt-install, as root, uploads install media to
    (/var/lib/libvirt/boot: it makes a dir pool 'boot-scratch' there and
    uploads volumes; it must exist, and Debian's libvirt packages do not
    make it), made on a tmpfs over /var/lib/libvirt that only this test's
    mount namespace sees. Returns why not, or None."""
    if os.environ.get("VGM_TEST_MOUNTNS") != "1":
        return "no mount namespace of its own (%s)" % (NETNS_WHY or "unshare -m failed")
    outer = os.environ.get("VGM_TEST_OUTER_MNTNS")
    if not outer or os.readlink("/proc/self/ns/mnt") == outer:
        return "the mount namespace is the one it came from: nothing is mounted over " \
               "/var/lib/libvirt"
    if not os.path.isdir("/var/lib/libvirt"):
        return "/var/lib/libvirt does not exist here to mount a tmpfs over"
    r = harness.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "vgm-scratch",
                     "/var/lib/libvirt"], timeout=10)
    if r.rc != 0:
        return "mount of a tmpfs over /var/lib/libvirt failed: %s" % r.err.strip()
    os.makedirs("/var/lib/libvirt/boot", mode=0o755)
    return None


# A relay between its standard input and output and the daemon's socket:
# the command of a qemu+ext:// URI. With a host in the URI, virt-install
# takes the connection for a remote one and uploads install media through
# the daemon (virStorageVolUpload), as it does over qemu+ssh://.
RELAY = """#!/usr/bin/python3
import os, socket, threading
s = socket.socket(socket.AF_UNIX)
s.connect(%r)


def up():
    while True:
        d = os.read(0, 65536)
        if not d:
            s.shutdown(socket.SHUT_WR)
            return
        s.sendall(d)


threading.Thread(target=up, daemon=True).start()
while True:
    d = s.recv(65536)
    if not d:
        break
    os.write(1, d)
"""


def install_media_tests(tap, target, tmp):
    """virt-install's installs whose media it uploads through the daemon
    on a remote connection: a kernel and initrd from --location (an HTTP
    tree served by this test), a cloud-init ISO (--cloud-init); both under
    TCG, with a stub kernel or no disk to boot."""
    import functools
    import http.server
    import threading
    what = ["--location over a remote connection: the kernel and initrd uploaded to a "
            "pool on /var/lib/libvirt/boot and booted",
            "--cloud-init over a remote connection: the ISO uploaded and attached",
            "the scratch directory is empty again: every uploaded volume deleted through "
            "the daemon"]
    why = scratch_dir()
    if why is None and not os.access(QEMU, os.X_OK):
        why = "%s is not installed" % QEMU
    if why is None and "socket=" not in target.uri:
        why = "the daemon's socket is not in its URI"
    if why:
        for w in what:
            tap.skip(w, why)
        return
    relay = os.path.join(tmp, "relay.py")
    with open(relay, "w") as f:
        f.write(RELAY % target.uri.split("socket=", 1)[1])
    os.chmod(relay, 0o755)
    uri = "qemu+ext://localhost/system?command=" + relay
    tree = os.path.join(tmp, "tree")
    os.makedirs(os.path.join(tree, "casper"))
    kernel, initrd = stub_kernel(), os.urandom(4096)
    for name, data in (("vmlinuz", kernel), ("initrd", initrd)):
        with open(os.path.join(tree, "casper", name), "wb") as f:
            f.write(data)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=tree)
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    common = ["--connect", uri, "--virt-type", "qemu", "--memory", "256", "--osinfo", "debian11",
              "--network", "none", "--graphics", "none", "--noautoconsole"]
    uploaded = []
    try:
        name = PREFIX + "-location"
        r = harness.run([VIRT_INSTALL, "--name", name, "--disk", "none", "--location",
                         "http://127.0.0.1:%d/,kernel=casper/vmlinuz,initrd=casper/initrd"
                         % httpd.server_address[1], "--extra-args", "console=ttyS0"] + common,
                        timeout=180)
        live = virsh(uri, "dumpxml", name)
        uploaded = re.findall(r"<(?:kernel|initrd)>(/var/lib/libvirt/boot/[^<]+)<", live.out)
        pools = virsh(uri, "pool-list", "--all")
        tap.ok(r.rc == 0 and re.search(r"<kernel>/var/lib/libvirt/boot/virtinst-[^<]*vmlinuz",
                                       live.out) and
               re.search(r"<initrd>/var/lib/libvirt/boot/virtinst-[^<]*initrd", live.out) and
               "<cmdline>console=ttyS0</cmdline>" in live.out and
               re.search(r"boot-scratch\s+active", pools.out) and
               virsh(uri, "domstate", name).out.strip() == "running",
               what[0], "%s\nlive XML: %s\npools: %s" % (r.describe(), live.out[:1500],
                                                          pools.out))
        virsh(uri, "destroy", name, timeout=60)
        virsh(uri, "undefine", name)

        name = PREFIX + "-cloudinit"
        r = harness.run([VIRT_INSTALL, "--name", name, "--import", "--disk", "none",
                         "--cloud-init", "root-password-generate=on"] + common, timeout=180)
        live = virsh(uri, "dumpxml", name)
        uploaded += re.findall(r"<source file='(/var/lib/libvirt/boot/[^']+)'(?: index='\d+')?/>",
                               live.out)
        tap.ok(r.rc == 0 and re.search(r"<source file='/var/lib/libvirt/boot/virtinst-"
                                       r"[^']*cloudinit\.iso[^']*'(?: index='\d+')?/>", live.out) and
               virsh(uri, "domstate", name).out.strip() == "running",
               what[1], "%s\nlive XML: %s" % (r.describe(), live.out[:2500]))
        virsh(uri, "destroy", name, timeout=60)
        virsh(uri, "undefine", name)
    finally:
        httpd.shutdown()
    left = sorted(os.listdir("/var/lib/libvirt/boot"))
    tap.ok(len(uploaded) == 3 and left == [],
           what[2] + " (%d volumes: %s)" % (len(uploaded), ", ".join(
               os.path.basename(u) for u in uploaded)), "left: %s" % left)


def start_one(tap, target, label, name, path, host):
    uri = target.uri
    # a KVM guest whose CPU is QEMU's -cpu host or max, or host-model (a
    # named model with the host CPU's features), cannot run on a host whose
    # KVM refuses -cpu host or max (the reason comes from trying it)
    root = ET.parse(path).getroot()
    cpu = root.find("cpu")
    mode = cpu.get("mode") if cpu is not None else None
    if root.get("type") == "kvm" and mode in ("host-passthrough", "host-model", "maximum"):
        why = harness.kvm_cpu_failure("max" if mode == "maximum" else "host")
        if why:
            tap.skip("%s: virsh create --paused starts QEMU" % label,
                     "QEMU cannot run <cpu mode='%s'> under this host's KVM: %s" % (mode, why))
            return
    if root.find("devices/interface[@type='network']") is not None and not host["network"]:
        tap.skip("%s: virsh create --paused starts QEMU" % label,
                 "network 'default' is not running here (%s)" % NETNS_WHY)
        return
    kvm_why = harness.kvm_guest_failure(path)
    if kvm_why:
        # this host's KVM cannot run the guest's machine and CPU (tried on
        # bare QEMU): the start fails for that reason and leaves nothing
        r = virsh(uri, "create", "--paused", path, timeout=120)
        left = virsh(uri, "domstate", root.findtext("name"))
        tap.ok(r.rc != 0 and kvm_why[1] in r.err and left.rc != 0,
               "%s: virsh create --paused refused on this host, whose KVM cannot run its "
               "machine and CPU (%s)" % (label, kvm_why[0]),
               "%s\ndomstate after: %s" % (r.describe(), left.describe()))
        return
    r = virsh(uri, "create", "--paused", path, timeout=120)
    if not tap.ok(r.rc == 0, "%s: virsh create --paused starts QEMU" % label, r.describe()):
        return
    if root.find("devices/interface[@type='network']") is not None:
        live = virsh(uri, "dumpxml", name)
        m = re.search(r"<source network='default' bridge='([^']+)'/>\s*<target dev='([^']+)'/>",
                      live.out)
        master = None
        if m:
            # (the namespace's own view: /sys shows the host's interfaces)
            link = harness.run(["ip", "-o", "link", "show", "dev", m.group(2)], timeout=10)
            mm = re.search(r" master (\S+) ", link.out)
            master = mm.group(1) if mm else None
        tap.ok(m is not None and master == m.group(1),
               "%s: its tap is in network 'default''s bridge" % label,
               "live XML: %s; the tap's bridge: %s" % (
                   m.group(0) if m else "no <source bridge>/<target dev>", master))
    try:
        st = virsh(uri, "domstate", name)
        qemus = harness.qemus_naming(target.root + "/") if target.root else []
        tap.ok(st.rc == 0 and st.out.strip() == "paused" and len(qemus) == 1,
               "%s: it is paused, one QEMU runs" % label,
               "domstate: %r, QEMU pids: %s" % (st, qemus))
    finally:
        d = virsh(uri, "destroy", name, timeout=60)
    gone = wait_gone(target)
    tap.ok(d.rc == 0 and gone, "%s: destroyed, its QEMU gone" % label, d.describe())


def wait_gone(target, wait=10.0):
    if not target.root:
        return True
    deadline = time.monotonic() + wait
    while harness.qemus_naming(target.root + "/"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# libvirt's network 'default' (Debian's /usr/share/libvirt/networks/default.xml)
DEFAULT_NETWORK = """<network>
  <name>default</name>
  <forward mode='nat'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
"""

# why virtual networks cannot run here, or None
NETNS_WHY = None


def main():
    global NETNS_WHY
    harness.use_system_python()
    NETNS_WHY = harness.enter_private_netns(mounts=True)
    if not os.access(VIRT_INSTALL, os.X_OK):
        harness.TAP.skip_all("virt-install is not installed (Debian package virtinst)")
    if not os.path.isdir(os.path.join(OSINFO_DB, "os")):
        harness.TAP.skip_all("osinfo-db is not installed (%s)" % OSINFO_DB)
    if not harness.wait_executable(harness.CLI):
        harness.TAP.skip_all("virt-gmem not built (%s)" % harness.CLI)
    if os.environ.pop("VGM_TEST_URI", None):
        harness.TAP.diag("VGM_TEST_URI ignored: the expectations are about what virt-install "
                         "writes for virtgmemd")
    tap = harness.TAP()
    target = harness.setup_target(need_virsh=True)
    tmp = tempfile.mkdtemp(prefix="vgm-virtinstall-")
    use_caps_with_kvm_host(tmp)
    try:
        harness.run_guarded(tap, run_tests, tap, target, tmp)
    finally:
        harness.finish_target(tap, target)
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(tap.done())


if __name__ == "__main__":
    main()
