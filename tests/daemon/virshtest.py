#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""virshtest: Debian 12's virsh (libvirt-clients 9.0) against the daemon (TAP).

Every command runs as `virsh -c URI ...` (harness.py: our virtgmemd on a
temporary root, or $VGM_TEST_URI in reference mode) with LC_ALL=C and a
timeout. What it covers, in order:

  version, hostname, capabilities, domcapabilities, list --all (empty),
  define, define of the same name with another uuid (refused), list --all,
  dominfo, domstate (--reason), domid, domuuid, dumpxml --inactive,
  domxml-to-native qemu-argv, start, start again (refused), the same
  queries on the running domain, dumpxml (live), suspend, resume, resume
  again (refused), shutdown, destroy, destroy again (refused), undefine,
  create (transient) and its destroy; `virsh event --all --loop` in the
  background seeing the events of a define, undefine, start and destroy
  made by other virsh processes; `virsh -r` on the read-only socket (list
  works, define is refused, also without -r); and, against our daemon only,
  a guest_memfd domain (examples/gmem-shared.xml) that round-trips through
  define and dumpxml --inactive unchanged and whose start Debian's QEMU 7.2
  refuses with our message; schedinfo, memtune and blkiotune of a shut-off
  domain with every <cputune>, <memtune> and <blkiotune> control, and
  their --live refusal; vcpupin, emulatorpin, iothreadinfo and vcpuinfo of
  that domain (its pins; every CPU for a thread without one) and of the
  running one (vcpuinfo: each vCPU running, with its affinity);
  schedinfo --set, memtune and blkiotune with values on a config and on a
  running domain, read back through virsh and the kernel's cgroups
  (tune_live_tests); a USB input hot-plugged into a free USB port, and
  one refused when the ports are taken (usb_hotplug_tests); shared
  memory: an ivshmem-plain <shmem> at the start and attached live, a
  doorbell's live attach and a save refused (shmem_tests); a domain
  without controls in a cgroup of its own,
  a memory limit set on it live, the group gone after destroy
  (cgroup_default_tests); numatune of a config and a running domain
  (numatune_tests), its node set changed live through the cpuset
  (numatune_live_tests); desc, metadata, inject-nmi and send-key
  (metadata_tests);
  a transient domain with VNC and SPICE, autoport:
  its live XML names the ports the server chose and 127.0.0.1, and
  domdisplay (--all, --type spice) and vncdisplay print them;
  the CPU calls (cpu_tests): the host CPU in capabilities as a named
  model, cpu-compare of it (identical), of its model (runs here), of it
  forbidding one of its features (incompatible; --error names the
  feature), of an unknown model; cpu-baseline --features of Westmere and
  of the capabilities; hypervisor-cpu-compare of domcapabilities
  (identical) and hypervisor-cpu-baseline of Westmere, refused read-only
  where cpu-baseline is not; iothreadadd and iothreaddel in the config and
  live (iothread_tests); a variable clock from local time, running from
  UTC in the live XML (clock_localtime_tests); memory devices attached,
  updated and detached live, a virtio-mem device's <current> only in the
  live XML, DIMM slots and base addresses (memdev_tests); a call that
  passes file descriptors leaves the connection usable (fd_pass_tests);
  LUKS-encrypted disks with their passphrase in a 'volume' secret, at the
  start and attached live, and a wrong or missing passphrase
  (encryption_tests).

The expected outputs were captured from virsh 9.0.0 (libvirt-clients
9.0.0-4+deb12u2) against Debian's libvirtd 9.0.0 (libvirt-daemon
9.0.0-4+deb12u2, QEMU 7.2.22, no /dev/kvm: TCG), run as root without
systemd as docs/reference-stack.md says, on 2026-11-30, with
  VGM_TEST_URI='qemu+unix:///system?socket=/var/run/libvirt/libvirt-sock'
Each expectation below names the command it was captured with.

Error messages (project policy): our driver's errors keep their text, so a
virsh user reads the sentence virt-gmem prints. Where libvirtd's text
differs by design, the check expects libvirtd's exact stderr in reference
mode and in our mode virsh's own "error: Failed to ... domain ..." line
followed by our daemon's exact message (harness.by_mode), plus a check
that `virt-gmem --root ROOT` prints the same two lines for the same command
on the daemon's store (harness.check_cli_same); virsh sysinfo, from the
host's tables and from a made-up one (sysinfo_tests). The error codes behind these
messages (9, 55, 29) are checked in both modes by pyclienttest.py.
"""

import base64
import glob
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import virsh  # noqa: E402

NAME = "vgmtest-virsh"
UUID = "6b1e9a52-3c1d-4f0e-9a7b-2d4c5e6f7a01"
OTHER_UUID = "6b1e9a52-3c1d-4f0e-9a7b-2d4c5e6f7a02"
TR = "vgmtest-virsh-tr"
TR_UUID = "6b1e9a52-3c1d-4f0e-9a7b-2d4c5e6f7a03"
EV = "vgmtest-virsh-ev"
EV_UUID = "6b1e9a52-3c1d-4f0e-9a7b-2d4c5e6f7a04"
MARK = "vgmtest-virsh-mark"
RO = "vgmtest-virsh-ro"
GMEM = "vgmtest-virsh-gmem"
GMEM_UUID = "6b1e9a52-3c1d-4f0e-9a7b-2d4c5e6f7a05"
GFX = "vgmtest-virsh-gfx"
AS = "vgmtest-virsh-as"
CD = "vgmtest-virsh-cd"
DEV = "vgmtest-virsh-dev"
CHR = "vgmtest-virsh-chr"
SCSI = "vgmtest-virsh-scsi"
WDOG = "vgmtest-virsh-wdog"
REDIR = "vgmtest-virsh-redir"
VFS = "vgmtest-virsh-vfs"
SLICE = "vgmtest-virsh-slice"
MIGX = "vgmtest-virsh-migx"
UCPU = "vgmtest-virsh-updcpu"
FDP = "vgmtest-virsh-fdpass"
MEM = "vgmtest-virsh-mem"
VC = "vgmtest-virsh-vcpus"
MD = "vgmtest-virsh-memdev"
SV = "vgmtest-virsh-save"
ST = "vgmtest-virsh-stats"
IOT = "vgmtest-virsh-iothread"
LC = "vgmtest-virsh-lifecycle"
RN = "vgmtest-virsh-rename"
ENC = "vgmtest-virsh-luks"
ALL_NAMES = [NAME, TR, EV, MARK, RO, GMEM, GFX, AS, MEM, VC, MD, SV, ST, "vgmtest-virsh-empty", "vgmtest-virsh-efi", "vgmtest-virsh-kcpu", "vgmtest-virsh-kstats", "vgmtest-virsh-tsc",
             "vgmtest-virsh-clock",
             "vgmtest-virsh-alias", IOT, LC, RN, RN + "2", CHR, SCSI, WDOG, REDIR, VFS, SLICE, MIGX, UCPU, FDP,
             ENC, ENC + "-wrong", ENC + "-nosecret", DEV + "-ab"]

GMEM_MESSAGE = "this QEMU binary does not support guest_memfd memory backends"


def main():
    tap = harness.TAP()
    target = harness.setup_target(need_virsh=True)
    uri = target.uri
    tmp = tempfile.mkdtemp(prefix="vgm-virshtest-")
    completed = False
    try:
        if target.reference:
            harness.virsh_cleanup(uri, ALL_NAMES)   # leftovers of an aborted run
        completed = harness.run_guarded(tap, run_tests, tap, target, tmp)
    finally:
        # After a SIGTERM our daemon's domains go with its temporary root
        # (finish_target); libvirtd's are removed one by one.
        if completed or target.reference:
            harness.virsh_cleanup(uri, ALL_NAMES)
        harness.finish_target(tap, target)
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(tap.done())


def xml_root(tap, text, name):
    try:
        return ET.fromstring(text)
    except ET.ParseError as e:
        tap.ok(False, name, "not XML (%s): %r" % (e, text[:500]))
        return None


def others_on_server(uri):
    """Names of domains on the server that are not this test's."""
    r = virsh(uri, "list", "--all", "--name")
    return [n for n in r.out.split() if n not in ALL_NAMES]


def check_list(tap, uri, rows, name):
    """`virsh list --all` is exactly the table of `rows` (when the server
    holds no other domains; else only our rows, field by field)."""
    r = virsh(uri, "list", "--all")
    if r.rc != 0:
        return tap.ok(False, name, r.describe())
    others = [row for row in harness.parse_virsh_list(r.out) if row[1] not in ALL_NAMES]
    if not others:
        return tap.eq(r.out, harness.virsh_table(("Id", "Name", "State"), rows), name)
    ours = [row for row in harness.parse_virsh_list(r.out) if row[1] in ALL_NAMES]
    tap.diag("server holds other domains (%s): comparing our rows only"
             % ", ".join(o[1] for o in others))
    return tap.eq(sorted(ours), sorted(tuple(x) for x in rows), name)


def run_tests(tap, target, tmp):
    uri = target.uri
    qemu_version = harness.host_qemu_version()

    # ---- connection-level commands ----

    # Captured: `virsh -c URI version` ->
    #   "Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\n
    #    Using API: QEMU 9.0.0\nRunning hypervisor: QEMU 7.2.22\n\n"
    # (the first three lines come from the client library and virConnectGetType;
    # the last from virConnectGetVersion: the version of /usr/bin/qemu-system-x86_64).
    r = virsh(uri, "version")
    lib = harness.run([harness.VIRSH, "--version"]).out.strip()
    if qemu_version is None:
        tap.ok(r.rc == 0 and "Running hypervisor: QEMU " in r.out, "virsh version", r.describe())
    else:
        qv = "%d.%d.%d" % (qemu_version // 1000000, qemu_version // 1000 % 1000,
                           qemu_version % 1000)
        tap.eq((r.rc, r.out),
               (0, "Compiled against library: libvirt %s\nUsing library: libvirt %s\n"
                   "Using API: QEMU %s\nRunning hypervisor: QEMU %s\n\n" % (lib, lib, lib, qv)),
               "virsh version: library %s, API QEMU, hypervisor QEMU %s" % (lib, qv))

    # Captured: `virsh hostname` -> "vm\n\n" (the machine's hostname; libvirt
    # returns gethostname(), or its canonical name when that has no dot).
    r = virsh(uri, "hostname")
    names = {socket.gethostname(), socket.getfqdn()}
    tap.ok(r.rc == 0 and r.out.endswith("\n\n") and r.out.strip() in names,
           "virsh hostname prints this host's name", "%s\nexpected one of %s" % (r.describe(), names))

    # Captured: `virsh capabilities` -> <capabilities><host><uuid/><cpu><arch>x86_64
    # ...<topology><cells num='1'>... and one <guest> per emulator, the x86_64 one
    # with <os_type>hvm</os_type>, <emulator>/usr/bin/qemu-system-x86_64</emulator>
    # and <domain type='qemu'/> (plus 'kvm' with /dev/kvm).
    r = virsh(uri, "capabilities")
    caps = xml_root(tap, r.out, "virsh capabilities") if r.rc == 0 else None
    if r.rc != 0:
        tap.ok(False, "virsh capabilities", r.describe())
    elif caps is not None:
        arch = os.uname().machine
        problems = []
        if caps.tag != "capabilities":
            problems.append("root is <%s>" % caps.tag)
        if caps.findtext("host/cpu/arch") != arch:
            problems.append("host/cpu/arch %r != %r" % (caps.findtext("host/cpu/arch"), arch))
        if not re.fullmatch(r"[0-9a-f-]{36}", caps.findtext("host/uuid") or ""):
            problems.append("no host/uuid")
        if caps.find("host/topology/cells/cell") is None:
            problems.append("no host/topology/cells/cell")
        guests = [g for g in caps.findall("guest")
                  if g.findtext("os_type") == "hvm"
                  and g.find("arch") is not None and g.find("arch").get("name") == "x86_64"]
        if not guests:
            problems.append("no hvm x86_64 guest")
        else:
            a = guests[0].find("arch")
            if a.findtext("emulator") != "/usr/bin/qemu-system-x86_64":
                problems.append("x86_64 emulator %r" % a.findtext("emulator"))
            types = {d.get("type") for d in a.findall("domain")}
            want = {"qemu", "kvm"} if harness.HAVE_KVM else {"qemu"}
            if not want <= types:
                problems.append("x86_64 domain types %s lack %s" % (types, want - types))
        tap.ok(not problems, "virsh capabilities: host cpu arch, uuid, topology, x86_64 hvm guest",
               "\n".join(problems))

    # Captured: `virsh domcapabilities` -> <domainCapabilities><path>/usr/bin/
    # qemu-system-x86_64</path><domain>qemu</domain><machine>pc-i440fx-7.2</machine>
    # <arch>x86_64</arch>... <memoryBacking supported='yes'><enum name='sourceType'>
    # file, anonymous, memfd.
    r = virsh(uri, "domcapabilities")
    dc = xml_root(tap, r.out, "virsh domcapabilities") if r.rc == 0 else None
    if r.rc != 0:
        tap.ok(False, "virsh domcapabilities", r.describe())
    elif dc is not None:
        problems = []
        want_dom = "kvm" if harness.HAVE_KVM else "qemu"
        for path, want in (("path", "/usr/bin/qemu-system-x86_64"), ("domain", want_dom),
                           ("arch", "x86_64")):
            if dc.findtext(path) != want:
                problems.append("%s %r != %r" % (path, dc.findtext(path), want))
        if dc.tag != "domainCapabilities":
            problems.append("root is <%s>" % dc.tag)
        if not dc.findtext("machine"):
            problems.append("no <machine>")
        src = [v.text for v in dc.findall("memoryBacking/enum[@name='sourceType']/value")]
        if "memfd" not in src:
            problems.append("memoryBacking sourceType values %s lack memfd" % src)
        tap.ok(not problems, "virsh domcapabilities: path, domain %s, arch, machine, memfd"
               % want_dom, "\n".join(problems))

    # Captured: `virsh list --all` on a server without domains ->
    #   " Id   Name   State\n--------------------\n\n"
    others = others_on_server(uri)
    if others:
        tap.skip("virsh list --all on an empty server",
                 "the server holds other domains: %s" % " ".join(others))
    else:
        r = virsh(uri, "list", "--all")
        tap.eq((r.rc, r.out), (0, " Id   Name   State\n--------------------\n\n"),
               "virsh list --all on an empty server: the empty table")

    # ---- a persistent domain, inactive ----

    xml = harness.domain_xml(NAME, uuid=UUID)
    f = harness.write_file(tmp, NAME + ".xml", xml)

    # Captured: `virsh define F` -> "Domain 'plain-memfd' defined from plain.xml\n\n"
    r = virsh(uri, "define", f)
    tap.eq((r.rc, r.out), (0, "Domain '%s' defined from %s\n\n" % (NAME, f)), "virsh define")

    if target.daemon:
        c = target.cli("domstate", NAME)
        tap.eq((c.rc, c.out.strip()), (0, "shut off"),
               "virt-gmem --root (same store) sees the domain virsh defined")

    # Captured: defining the same name with another uuid ->
    #   rc 1, stderr "error: Failed to define domain from F\n
    #   error: operation failed: domain 'plain-memfd' already exists with uuid U\n"
    # (VIR_ERR_OPERATION_FAILED, 9). Ours (by design): the same code's
    # prefix, then "domain 'X' already exists with uuid U; the new definition
    # has uuid V".
    f2 = harness.write_file(tmp, NAME + "-other-uuid.xml", harness.domain_xml(NAME, uuid=OTHER_UUID))
    r = virsh(uri, "define", f2)
    tap.eq((r.rc, r.out.strip(), r.err),
           (1, "", "error: Failed to define domain from %s\nerror: %s\n" % (f2, harness.by_mode(
               target,
               "operation failed: domain '%s' already exists with uuid %s" % (NAME, UUID),
               "operation failed: domain '%s' already exists with uuid %s; the new definition has uuid %s"
               % (NAME, UUID, OTHER_UUID)))),
           "virsh define: the same name with another uuid is refused")
    harness.check_cli_same(tap, target, r, ["define", f2],
                           "virt-gmem define prints the same error as virsh")

    # Captured: " Id   Name          State\n------------------------------\n
    #            " -    plain-memfd   shut off\n\n"
    check_list(tap, uri, [("-", NAME, "shut off")], "virsh list --all: the inactive domain")

    # Captured: `virsh dominfo plain-memfd` (inactive), all lines exactly.
    r = virsh(uri, "dominfo", NAME)
    tap.eq((r.rc, r.out),
           (0, "Id:             -\n"
               "Name:           %s\n"
               "UUID:           %s\n"
               "OS Type:        hvm\n"
               "State:          shut off\n"
               "CPU(s):         2\n"
               "Max memory:     524288 KiB\n"
               "Used memory:    524288 KiB\n"
               "Persistent:     yes\n"
               "Autostart:      disable\n"
               "Managed save:   no\n"
               "Security model: none\n"
               "Security DOI:   0\n"
               "\n" % (NAME, UUID)),
           "virsh dominfo (inactive)")

    # Captured: domstate "shut off\n\n"; --reason "shut off (unknown)\n\n" (never
    # started); domid of an inactive domain "-\n\n" (rc 0); domuuid "U\n\n".
    r = virsh(uri, "domstate", NAME)
    tap.eq((r.rc, r.out), (0, "shut off\n\n"), "virsh domstate (inactive)")
    r = virsh(uri, "domstate", NAME, "--reason")
    tap.eq((r.rc, r.out), (0, "shut off (unknown)\n\n"), "virsh domstate --reason (never started)")
    r = virsh(uri, "domid", NAME)
    tap.eq((r.rc, r.out), (0, "-\n\n"), "virsh domid (inactive): '-'")
    r = virsh(uri, "domuuid", NAME)
    tap.eq((r.rc, r.out), (0, UUID + "\n\n"), "virsh domuuid")
    r = virsh(uri, "cpu-stats", NAME, "--total")
    tap.ok(r.rc == 1 and "is not running" in r.err,
           "virsh cpu-stats of a shut-off domain fails: not running", r.describe())

    # Captured: `virsh dumpxml --inactive` -> <domain type='qemu'> (no id), name,
    # uuid, <memory unit='KiB'>524288</memory>, memoryBacking with
    # <source type='memfd'/> and <access mode='shared'/>, two NUMA cells of
    # memory='262144' unit='KiB'; the output ends with an empty line.
    r = virsh(uri, "dumpxml", "--inactive", NAME)
    d = xml_root(tap, r.out, "virsh dumpxml --inactive") if r.rc == 0 else None
    if r.rc != 0:
        tap.ok(False, "virsh dumpxml --inactive", r.describe())
    elif d is not None:
        problems = check_domain_xml(d, NAME, UUID, live_id=None)
        tap.ok(not problems, "virsh dumpxml --inactive: the defined domain", "\n".join(problems))

    # Captured: `virsh domxml-to-native qemu-argv F` -> one line:
    #   LC_ALL=C PATH=... HOME=... /usr/bin/qemu-system-x86_64 -name
    #   guest=plain-memfd,debug-threads=on -S ... -accel tcg ...
    #   -object '{"qom-type":"memory-backend-memfd","id":"ram-node0","share":true,
    #   "size":268435456}' -numa node,nodeid=0,cpus=0,memdev=ram-node0 (same for
    #   node 1) -uuid U ...
    r = virsh(uri, "domxml-to-native", "qemu-argv", f)
    want = [
        "/usr/bin/qemu-system-x86_64 -name guest=%s,debug-threads=on -S " % NAME,
        "-object '{\"qom-type\":\"memory-backend-memfd\",\"id\":\"ram-node0\","
        "\"share\":true,\"size\":268435456}' -numa node,nodeid=0,cpus=0,memdev=ram-node0 ",
        "-object '{\"qom-type\":\"memory-backend-memfd\",\"id\":\"ram-node1\","
        "\"share\":true,\"size\":268435456}' -numa node,nodeid=1,cpus=1,memdev=ram-node1 ",
        " -uuid %s " % UUID,
        " -accel kvm " if harness.HAVE_KVM else " -accel tcg ",
    ]
    missing = [w for w in want if w not in r.out]
    tap.ok(r.rc == 0 and r.out.startswith("LC_ALL=C ") and r.out.count("\n") == 1
           and not missing,
           "virsh domxml-to-native qemu-argv: one line, two memfd cells, uuid, accel",
           "%s\nmissing: %s" % (r.describe(), missing))
    # libvirtd 9.0 (2026-12-06): a host NUMA node this host lacks ->
    # "error: unsupported configuration: NUMA node 63 is unavailable"
    with open(f) as src:
        g = harness.write_file(tmp, NAME + "-numatune.xml", src.read().replace(
            "<vcpu", "<numatune><memory mode='strict' nodeset='63'/></numatune><vcpu", 1))
    r = virsh(uri, "domxml-to-native", "qemu-argv", g)
    tap.ok(os.path.isdir("/sys/devices/system/node/node63") or
           (r.rc == 1 and "63" in r.err and r.out.strip() == ""),
           "virsh domxml-to-native of a numatune naming a host NUMA node this host lacks: "
           "refused, naming it", r.describe())

    # ---- running ----

    # Captured: `virsh start` -> "Domain 'plain-memfd' started\n\n"
    r = virsh(uri, "start", NAME, timeout=120)
    tap.eq((r.rc, r.out), (0, "Domain '%s' started\n\n" % NAME), "virsh start")

    # Captured: start of a running domain -> rc 1, "error: Domain is already
    # active\n" (virsh's own check: virDomainGetID != -1).
    r = virsh(uri, "start", NAME)
    tap.eq((r.rc, r.err), (1, "error: Domain is already active\n"),
           "virsh start of a running domain: 'Domain is already active'")

    # Captured: domstate --reason "running (booted)\n\n"; domid "1\n\n".
    r = virsh(uri, "domstate", NAME, "--reason")
    tap.eq((r.rc, r.out), (0, "running (booted)\n\n"), "virsh domstate --reason: running (booted)")
    r = virsh(uri, "domid", NAME)
    domid = r.out.strip()
    tap.ok(r.rc == 0 and re.fullmatch(r"[1-9][0-9]*", domid) and r.out == domid + "\n\n",
           "virsh domid (running): a positive id", r.describe())
    if not re.fullmatch(r"[0-9]+", domid):
        domid = "?"

    # Captured: " Id   Name          State\n-----------------------------\n
    #            " 1    plain-memfd   running\n\n"
    check_list(tap, uri, [(domid, NAME, "running")], "virsh list --all: the running domain")

    # Captured: dominfo of a running domain: Id N, State running, "CPU time: 0.9s"
    # after "CPU(s)", the rest as inactive; libvirtd adds "Messages: tainted:
    # running with undesirable elevated privileges" (it runs QEMU as root).
    r = virsh(uri, "dominfo", NAME)
    lines = r.out.split("\n")
    cpu_ok = len(lines) > 6 and re.fullmatch(r"CPU time:       \d+\.\ds", lines[6]) is not None
    kept = [l for i, l in enumerate(lines) if i != 6 and not l.startswith("Messages:")]
    tap.eq((r.rc, cpu_ok, "\n".join(kept)),
           (0, True, "Id:             %s\n"
                     "Name:           %s\n"
                     "UUID:           %s\n"
                     "OS Type:        hvm\n"
                     "State:          running\n"
                     "CPU(s):         2\n"
                     "Max memory:     524288 KiB\n"
                     "Used memory:    524288 KiB\n"
                     "Persistent:     yes\n"
                     "Autostart:      disable\n"
                     "Managed save:   no\n"
                     "Security model: none\n"
                     "Security DOI:   0\n"
                     "\n" % (domid, NAME, UUID)),
           "virsh dominfo (running; 'CPU time: N.Ns' 7th line, a 'Messages:' line allowed)")

    # Captured: vcpuinfo of the running domain (GetVcpus): per vCPU
    # "VCPU:           0\nCPU:            1\nState:          running\n
    #  CPU time:       0.4s\nCPU Affinity:   yy\n\n"; the CPU and the time
    # vary (virsh leaves the time line out while it is 0), the affinity is
    # every host CPU (the domain pins nothing).
    r = virsh(uri, "vcpuinfo", NAME)
    ncpu = os.sysconf("SC_NPROCESSORS_CONF")
    want = "".join(r"VCPU:           %d\nCPU:            \d+\nState:          running\n"
                   r"(CPU time:       \d+\.\ds\n)?CPU Affinity:   %s\n\n" % (v, "y" * ncpu)
                   for v in range(2))
    tap.ok(r.rc == 0 and re.fullmatch(want, r.out) is not None,
           "virsh vcpuinfo (running): each vCPU running on every host CPU", r.describe())
    # Captured: iothreadinfo of a running domain without I/O threads:
    # "No IOThreads found for the domain" on stdout, exit status 0.
    r = virsh(uri, "iothreadinfo", NAME)
    tap.eq((r.rc, r.out.strip()), (0, "No IOThreads found for the domain"),
           "virsh iothreadinfo (running, no I/O threads)")

    # Captured: `virsh dumpxml` of the running domain: <domain type='qemu' id='1'>.
    r = virsh(uri, "dumpxml", NAME)
    d = xml_root(tap, r.out, "virsh dumpxml (live)") if r.rc == 0 else None
    if r.rc != 0:
        tap.ok(False, "virsh dumpxml (live)", r.describe())
    elif d is not None:
        problems = check_domain_xml(d, NAME, UUID, live_id=domid)
        tap.ok(not problems, "virsh dumpxml (live): id attribute, name, uuid, memfd",
               "\n".join(problems))

    # Captured: "Domain 'plain-memfd' suspended\n\n"; --reason "paused (user)";
    # the list row says "paused".
    r = virsh(uri, "suspend", NAME)
    tap.eq((r.rc, r.out), (0, "Domain '%s' suspended\n\n" % NAME), "virsh suspend")
    r = virsh(uri, "domstate", NAME, "--reason")
    tap.eq((r.rc, r.out), (0, "paused (user)\n\n"), "virsh domstate --reason: paused (user)")
    check_list(tap, uri, [(domid, NAME, "paused")], "virsh list --all: the paused domain")

    # Captured: "Domain 'plain-memfd' resumed\n\n"; --reason "running (unpaused)".
    r = virsh(uri, "resume", NAME)
    tap.eq((r.rc, r.out), (0, "Domain '%s' resumed\n\n" % NAME), "virsh resume")
    r = virsh(uri, "domstate", NAME, "--reason")
    tap.eq((r.rc, r.out), (0, "running (unpaused)\n\n"), "virsh domstate --reason: running (unpaused)")

    # Captured: resume of a running domain -> rc 1, stderr "error: Failed to resume
    # domain 'plain-memfd'\nerror: Requested operation is not valid: domain is
    # already running\n" (VIR_ERR_OPERATION_INVALID). Ours (by design): the
    # prefix, then "domain 'X' is not paused".
    r = virsh(uri, "resume", NAME)
    tap.eq((r.rc, r.err),
           (1, "error: Failed to resume domain '%s'\nerror: %s\n" % (NAME, harness.by_mode(
               target, "Requested operation is not valid: domain is already running",
               "Requested operation is not valid: domain '%s' is not paused" % NAME))),
           "virsh resume of a running domain is refused")
    harness.check_cli_same(tap, target, r, ["resume", NAME],
                           "virt-gmem resume prints the same error as virsh")

    # Captured: "Domain 'plain-memfd' is being shutdown\n\n" (rc 0); the guest has
    # no OS and no ACPI, so the domain keeps running: domstate still "running".
    r = virsh(uri, "shutdown", NAME)
    tap.eq((r.rc, r.out), (0, "Domain '%s' is being shutdown\n\n" % NAME), "virsh shutdown")
    time.sleep(1)
    r = virsh(uri, "domstate", NAME)
    tap.eq((r.rc, r.out), (0, "running\n\n"),
           "after shutdown a guest without OS keeps running")

    # Captured: "Domain 'plain-memfd' destroyed\n\n"; --reason "shut off
    # (destroyed)"; domid "-".
    r = virsh(uri, "destroy", NAME)
    tap.eq((r.rc, r.out), (0, "Domain '%s' destroyed\n\n" % NAME), "virsh destroy")
    r = virsh(uri, "domstate", NAME, "--reason")
    tap.eq((r.rc, r.out), (0, "shut off (destroyed)\n\n"), "virsh domstate --reason: shut off (destroyed)")
    r = virsh(uri, "domid", NAME)
    tap.eq((r.rc, r.out), (0, "-\n\n"), "virsh domid after destroy: '-'")

    # Captured: destroy of a shut-off domain -> rc 1, "error: Failed to destroy
    # domain 'plain-memfd'\nerror: Requested operation is not valid: domain is
    # not running\n". Ours (by design): the prefix, then "domain 'X' is not
    # running".
    r = virsh(uri, "destroy", NAME)
    tap.eq((r.rc, r.err),
           (1, "error: Failed to destroy domain '%s'\nerror: %s\n" % (NAME, harness.by_mode(
               target, "Requested operation is not valid: domain is not running",
               "Requested operation is not valid: domain '%s' is not running" % NAME))),
           "virsh destroy of a shut-off domain is refused")
    harness.check_cli_same(tap, target, r, ["destroy", NAME],
                           "virt-gmem destroy prints the same error as virsh")

    # Captured: "Domain 'plain-memfd' has been undefined\n\n"; afterwards
    # `virsh domstate` -> rc 1, stderr "error: failed to get domain 'plain-memfd'\n".
    r = virsh(uri, "undefine", NAME)
    tap.eq((r.rc, r.out), (0, "Domain '%s' has been undefined\n\n" % NAME), "virsh undefine")
    r = virsh(uri, "domstate", NAME)
    tap.eq((r.rc, r.err), (1, "error: failed to get domain '%s'\n" % NAME),
           "virsh domstate of the undefined domain: failed to get domain")
    check_list(tap, uri, [], "virsh list --all: the undefined domain is gone")

    # ---- transient ----

    # Captured: `virsh create F` -> "Domain 'plain-memfd' created from plain.xml\n\n";
    # --reason "running (booted)"; dominfo "Persistent:     no"; after destroy
    # the domain is gone (domstate: failed to get domain).
    ft = harness.write_file(tmp, TR + ".xml", harness.domain_xml(TR, uuid=TR_UUID))
    r = virsh(uri, "create", ft, timeout=120)
    tap.eq((r.rc, r.out), (0, "Domain '%s' created from %s\n\n" % (TR, ft)), "virsh create (transient)")
    r = virsh(uri, "domstate", TR, "--reason")
    tap.eq((r.rc, r.out), (0, "running (booted)\n\n"), "virsh domstate --reason (transient): running (booted)")
    r = virsh(uri, "dominfo", TR)
    tap.ok(r.rc == 0 and "\nPersistent:     no\n" in r.out and "\nState:          running\n" in r.out,
           "virsh dominfo (transient): Persistent: no", r.describe())
    # Captured: a transient domain's `dumpxml --inactive` is its live
    # definition without the run's state: no id='N' on <domain>, no
    # pty path QEMU opened (libvirtd 9.0 keeps the device aliases; virt-gmem
    # does not, as for any definition)
    r = virsh(uri, "dumpxml", "--inactive", TR)
    d = xml_root(tap, r.out, "dumpxml --inactive (transient)")
    tap.ok(d is not None and d.get("id") is None and d.findtext("name") == TR and
           not any(s.get("path") for s in d.findall("devices/serial/source")) and
           not any(c.get("tty") for c in d.findall("devices/console")),
           "virsh dumpxml --inactive (transient): the definition, without the run's id or ptys",
           r.describe())
    r = virsh(uri, "destroy", TR)
    tap.eq((r.rc, r.out), (0, "Domain '%s' destroyed\n\n" % TR), "virsh destroy (transient)")
    r = virsh(uri, "domstate", TR)
    tap.eq((r.rc, r.err), (1, "error: failed to get domain '%s'\n" % TR),
           "a destroyed transient domain is gone")

    # ---- events ----
    event_tests(tap, uri, tmp)

    # ---- read-only socket ----
    readonly_tests(tap, target, tmp)

    # ---- guest_memfd (our daemon only) ----
    gmem_tests(tap, target, tmp)

    tune_tests(tap, target, tmp)

    pin_live_tests(tap, target, tmp)

    tune_live_tests(tap, target, tmp)

    usb_hotplug_tests(tap, target, tmp)

    tsc_tests(tap, target, tmp)
    clock_localtime_tests(tap, target, tmp)

    alias_tests(tap, target, tmp)

    shmem_tests(tap, target, tmp)

    cgroup_default_tests(tap, target, tmp)
    numatune_tests(tap, target, tmp)
    numatune_live_tests(tap, target, tmp)

    metadata_tests(tap, target, tmp)

    empty_fields_tests(tap, target, tmp)
    firmware_live_tests(tap, target, tmp)
    domcaps_features_tests(tap, target)

    graphics_tests(tap, target, tmp)

    cookie_tests(tap, target, tmp)

    autostart_tests(tap, target, tmp)

    save_tests(tap, target, tmp)
    bypass_cache_tests(tap, target, tmp)
    killed_save_tests(tap, target, tmp)
    reset_nvram_tests(tap, target, tmp)

    stats_tests(tap, target, tmp)
    kvm_stats_tests(tap, target, tmp)

    memory_tests(tap, target, tmp)
    memdev_tests(tap, target, tmp)

    vcpus_tests(tap, target, tmp)

    device_tests(tap, target, tmp)
    alias_both_tests(tap, target, tmp)

    media_tests(tap, target, tmp)
    chr_hotplug_tests(tap, target, tmp)
    scsi_hotplug_tests(tap, target, tmp)
    watchdog_hotplug_tests(tap, target, tmp)
    redirdev_hotplug_tests(tap, target, tmp)
    virtiofs_hotplug_tests(tap, target, tmp)
    slice_tests(tap, target, tmp)
    encryption_tests(tap, target, tmp)
    migratable_xml_tests(tap, target, tmp)
    update_cpu_tests(tap, target, tmp)
    fd_pass_tests(tap, target, tmp)

    cpu_tests(tap, target, tmp)
    kvm_cpu_start_tests(tap, target, tmp)

    iothread_tests(tap, target, tmp)
    lifecycle_tests(tap, target, tmp)
    node_memory_tests(tap, target)
    rename_tests(tap, target, tmp)
    sysinfo_tests(tap, target, tmp)
    nodedev_tests(tap, target)
    iface_tests(tap, target)


def _host_ifaces():
    """This host's interfaces as libvirt's udev backend lists them: name ->
    (MAC address, operstate), without bridge ports and tun/tap devices"""
    got = {}
    for name in os.listdir("/sys/class/net"):
        base = "/sys/class/net/" + name
        if os.path.exists(base + "/brport/state") or os.path.exists(base + "/tun_flags"):
            continue
        got[name] = (_sysfs_read(base + "/address") or "", _sysfs_read(base + "/operstate"))
    return got


def iface_tests(tap, target):
    """The host's interfaces (virsh iface-*; procedures 126-130, 137, 138,
    156, 284), checked against this host's sysfs in both modes: iface-list
    --all lists every interface but bridge ports and taps, active when its
    operstate is up, with its MAC address; iface-list the active ones;
    iface-dumpxml gives each one's type, name, MTU and (for an ethernet
    one) MAC address; iface-mac and iface-name turn a name into its MAC
    address and back; an unknown name or MAC address is not found; and
    defining an interface is not supported (the backend is read-only, as
    libvirt's udev one)."""
    uri = target.uri
    host = _host_ifaces()
    r = virsh(uri, "iface-list", "--all")
    rows = [ln.split() for ln in r.out.splitlines()[2:] if ln.strip()]
    # (an interface without a hardware address, WireGuard's, has an empty
    # MAC column)
    got = dict((row[0], (row[2] if len(row) > 2 else "", row[1])) for row in rows)
    want = dict((n, (mac, "active" if st == "up" else "inactive"))
                for n, (mac, st) in host.items())
    tap.eq(got, want, "iface-list --all: the interfaces of /sys/class/net but bridge ports "
           "and taps, active when up, with their MAC addresses")
    r = virsh(uri, "iface-list")
    tap.eq(sorted(ln.split()[0] for ln in r.out.splitlines()[2:] if ln.strip()),
           sorted(n for n, (mac, st) in host.items() if st == "up"),
           "iface-list: the interfaces that are up")
    bad = []
    for name in sorted(host):
        x = virsh(uri, "iface-dumpxml", name)
        m = re.match(r"<interface type='(\w+)' name='([^']+)'>", x.out)
        mtu = _sysfs_read("/sys/class/net/%s/mtu" % name)
        if not m or m.group(2) != name or "<mtu size='%s'/>" % mtu not in x.out or \
                (m.group(1) == "ethernet" and
                 "<mac address='%s'/>" % host[name][0] not in x.out):
            bad.append((name, x.out[:300] + x.err))
    tap.ok(host and not bad, "iface-dumpxml of each interface: its type, name, MTU and MAC "
           "address (%d interfaces)" % len(host), repr(bad))
    name = sorted(host)[0]
    mac = host[name][0]
    r1 = virsh(uri, "iface-mac", name)
    r2 = virsh(uri, "iface-name", mac)
    # (several interfaces may share a MAC address: then libvirt refuses)
    shared = sum(1 for m, st in host.values() if m == mac) > 1
    tap.ok(r1.out.strip() == mac and
           ((r2.rc != 0 and "matches multiple interfaces" in r2.err) if shared
            else r2.out.strip() == name),
           "iface-mac %s and iface-name of its MAC address" % name, r1.describe() + r2.describe())
    r = virsh(uri, "iface-dumpxml", "vgmnosuch0")
    tap.ok(r.rc != 0 and "couldn't find interface named 'vgmnosuch0'" in r.err,
           "iface-dumpxml of an unknown interface: not found", r.describe())
    r = virsh(uri, "iface-name", "02:00:00:00:00:fe")
    tap.ok(r.rc != 0 and "couldn't find interface with MAC address '02:00:00:00:00:fe'" in r.err,
           "iface-name of a MAC address no interface has: not found", r.describe())
    r = virsh(uri, "iface-define", "/dev/null")
    tap.ok(r.rc != 0 and "Failed to define interface" in r.err and
           harness.by_mode(target, "this function is not supported by the connection driver",
                           "unknown procedure: 131") in r.err,
           "iface-define: not supported (read-only, as libvirt's udev backend; the client "
           "library says so of libvirtd's, virsh shows our daemon's unknown procedure)",
           r.describe())


def _nodedev_name(subsystem, sysname, suffix=None):
    """libvirt's node device name: every byte not a letter or digit '_'"""
    raw = "%s_%s" % (subsystem, sysname) + ("_%s" % suffix if suffix else "")
    return re.sub(r"[^A-Za-z0-9]", "_", raw)


def _sysfs_read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def nodedev_tests(tap, target):
    """The host's devices (virsh nodedev-*; procedures 111-117, 285, 433,
    435, 436, 118-120, 124), checked against this host's sysfs in both
    modes: nodedev-list --cap pci names exactly the devices of
    /sys/bus/pci/devices and --cap net exactly the wired and wireless
    interfaces of /sys/class/net (with their MAC addresses; no bridge, bond
    or VLAN, as libvirt's udev driver); each interface's parent is
    the PCI device sysfs puts it under (the computer for a virtual one);
    each PCI device's XML has its sysfs path, class, address, vendor and
    product; the computer has no parent and is, as in libvirtd 9.0, the one
    persistent device (nodedev-info); an unknown name is 'not found' with
    libvirt's "no node device with matching name" sentence; an unknown
    capability is refused by virsh itself. Our mode only: detaching or
    resetting a PCI device and destroying one is refused (virt-gmem passes
    no host device to a guest), and virt-gmem nodedev-list names what
    virsh does."""
    uri = target.uri
    pci = sorted(_nodedev_name("pci", d) for d in os.listdir("/sys/bus/pci/devices"))
    nets = {}
    for ifname in os.listdir("/sys/class/net"):
        # wired (no DEVTYPE) and wireless ones: libvirt lists no bridge,
        # bond or VLAN as a node device
        uevent = _sysfs_read("/sys/class/net/%s/uevent" % ifname) or ""
        m = re.search(r"^DEVTYPE=(.*)$", uevent, re.M)
        if m and m.group(1) != "wlan":
            continue
        mac = _sysfs_read("/sys/class/net/%s/address" % ifname)
        nets[_nodedev_name("net", ifname, mac)] = ifname
    r = virsh(uri, "nodedev-list", "--cap", "pci")
    tap.eq(sorted(r.out.split()), pci, "nodedev-list --cap pci: the devices of /sys/bus/pci/devices")
    r = virsh(uri, "nodedev-list", "--cap", "net")
    tap.eq(sorted(r.out.split()), sorted(nets), "nodedev-list --cap net: the interfaces of "
           "/sys/class/net, each named with its MAC address")
    every = virsh(uri, "nodedev-list")
    names = every.out.split()
    tap.ok(every.rc == 0 and "computer" in names and set(pci) <= set(names) and
           set(nets) <= set(names), "nodedev-list: the computer, the PCI devices and the "
           "interfaces among the devices", every.describe())
    bad = []
    for name, ifname in sorted(nets.items()):
        dev = os.path.realpath("/sys/class/net/%s" % ifname)
        want = "computer"
        up = os.path.dirname(dev)
        while up != "/":
            m = re.match(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$", os.path.basename(up))
            if m and os.path.exists("/sys/bus/pci/devices/" + os.path.basename(up)):
                want = _nodedev_name("pci", os.path.basename(up))
                break
            up = os.path.dirname(up)
        x = virsh(uri, "nodedev-dumpxml", name)
        got = re.search(r"<parent>([^<]*)</parent>", x.out)
        if not got or got.group(1) != want or "<interface>%s</interface>" % ifname not in x.out:
            bad.append((name, want, x.out[:400] + x.err))
    tap.ok(nets and not bad, "nodedev-dumpxml of each interface: its name and the PCI device "
           "sysfs has it under as the parent (%d interfaces)" % len(nets), repr(bad))
    bad = []
    for d in sorted(os.listdir("/sys/bus/pci/devices")):
        base = "/sys/bus/pci/devices/" + d
        dom, bus, slot_fn = d.split(":")
        slot, fn = slot_fn.split(".")
        x = virsh(uri, "nodedev-dumpxml", _nodedev_name("pci", d))
        want = ["<path>%s</path>" % os.path.realpath(base),
                "<class>0x%06x</class>" % int(_sysfs_read(base + "/class"), 16),
                "<domain>%d</domain>" % int(dom, 16), "<bus>%d</bus>" % int(bus, 16),
                "<slot>%d</slot>" % int(slot, 16), "<function>%d</function>" % int(fn, 16),
                "<product id='0x%04x'" % int(_sysfs_read(base + "/device"), 16),
                "<vendor id='0x%04x'" % int(_sysfs_read(base + "/vendor"), 16)]
        missing = [w for w in want if w not in x.out]
        if x.rc != 0 or missing:
            bad.append((d, missing, x.err))
    tap.ok(pci and not bad, "nodedev-dumpxml of each PCI device: its path, class, address, "
           "vendor and product as sysfs has them (%d devices)" % len(pci), repr(bad))
    r = virsh(uri, "nodedev-info", "computer")
    tap.ok(r.rc == 0 and re.search(r"^Parent: *$", r.out, re.M) and
           re.search(r"^Persistent: +yes$", r.out, re.M) and
           re.search(r"^Autostart: +yes$", r.out, re.M),
           "nodedev-info computer: no parent, persistent and autostarted (as libvirtd says)",
           r.describe())
    r = virsh(uri, "nodedev-info", pci[0])
    tap.ok(r.rc == 0 and re.search(r"^Parent: +\S+$", r.out, re.M) and
           re.search(r"^Active: +yes$", r.out, re.M) and
           re.search(r"^Persistent: +no$", r.out, re.M) and
           re.search(r"^Autostart: +no$", r.out, re.M),
           "nodedev-info of a PCI device: active, neither persistent nor autostarted",
           r.describe())
    r = virsh(uri, "nodedev-dumpxml", "vgm-no-such-device")
    tap.ok(r.rc != 0 and "error: Could not find matching device 'vgm-no-such-device'" in r.err and
           "no node device with matching name 'vgm-no-such-device'" in r.err,
           "nodedev-dumpxml of an unknown device: not found", r.describe())
    r = virsh(uri, "nodedev-list", "--cap", "vgm-bogus")
    tap.ok(r.rc != 0 and "Invalid capability type" in r.err,
           "nodedev-list --cap of an unknown capability: refused by virsh", r.describe())
    # a PCI device no passthrough stub holds is its host driver's already:
    # a reattach is done (libvirtd 9.0 says so too, 2026-12-07)
    free = [n for n in pci if os.path.basename(os.path.realpath(
        "/sys/bus/pci/devices/%s/driver" % n[4:].replace("_", ":", 2).replace("_", ".")))
        not in ("vfio-pci", "pci-stub")]
    if free:
        r = virsh(uri, "nodedev-reattach", free[0])
        tap.ok(r.rc == 0 and "Device %s re-attached" % free[0] in r.out,
               "nodedev-reattach of a PCI device its host driver has: done", r.describe())
    else:
        tap.skip("nodedev-reattach of a PCI device its host driver has",
                 "every PCI device here is a passthrough stub's")
    if target.reference:
        return
    for cmd, word in (("nodedev-detach", "detach"), ("nodedev-reset", "reset"),
                      ("nodedev-destroy", "destroy")):
        r = virsh(uri, cmd, pci[0])
        tap.ok(r.rc != 0 and "virt-gmem does not" in r.err and word in r.err,
               "%s %s: refused, virt-gmem passes no host device to a guest" % (cmd, pci[0]),
               r.describe())
    c = target.cli("nodedev-list")
    tap.eq(c.out.split(), sorted(names), "virt-gmem nodedev-list names the devices virsh lists")


IOT_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <iothreads>2</iothreads>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' iothread='2'/>
      <source file='%s'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def iothread_ids(uri, *args):
    r = virsh(uri, "dumpxml", *args)
    if r.rc != 0:
        return None
    d = ET.fromstring(r.out)
    ids = [int(t.get("id")) for t in d.findall("iothreadids/iothread")]
    return (d.findtext("iothreads"), sorted(ids))


def qemu_iothread_info(uri, name):
    import json
    r = virsh(uri, "qemu-monitor-command", name, '{"execute":"query-iothreads"}')
    if r.rc != 0:
        return None
    return json.loads(r.out)["return"]


def qemu_iothreads(uri, name):
    info = qemu_iothread_info(uri, name)
    return None if info is None else sorted(t["id"] for t in info)


def qom_get(uri, name, path, prop):
    import json
    r = virsh(uri, "qemu-monitor-command", name,
              json.dumps({"execute": "qom-get", "arguments": {"path": path, "property": prop}}))
    return json.loads(r.out)["return"] if r.rc == 0 else None


def iothread_tests(tap, target, tmp):
    """iothreadadd, iothreaddel and iothreadset (libvirt's procedures 355,
    356, 402) on a
    domain with <iothreads>2</iothreads> whose disk runs in thread 2: in
    the config (the ids become listed, a thread after a removed one keeps
    its id) and live (QEMU's iothread objects, the live XML, the config
    left alone); a thread a disk uses, an id taken, a thread the domain
    lacks are refused (VIR_ERR_INVALID_ARG, both modes); iothreadset's
    polling and pool sizes live (QEMU's properties, the live XML), the pool
    sizes in the config, the polling refused there, a minimum above the
    maximum and a thread the domain lacks refused."""
    uri = target.uri
    img = harness.write_file(tmp, "iot.img", "")
    os.truncate(img, 1 << 20)
    f = harness.write_file(tmp, IOT + ".xml", IOT_XML % (IOT, img))
    r = virsh(uri, "define", f)
    if not tap.ok(r.rc == 0, "iothreads: define a domain with <iothreads>2</iothreads>",
                  r.describe()):
        return
    try:
        r = virsh(uri, "iothreadadd", IOT, "5", "--config")
        tap.eq((r.rc, iothread_ids(uri, "--inactive", IOT)), (0, ("3", [1, 2, 5])),
               "virsh iothreadadd 5 --config: three threads, 1, 2 and 5 listed")
        r = virsh(uri, "iothreaddel", IOT, "1", "--config")
        tap.eq((r.rc, iothread_ids(uri, "--inactive", IOT)), (0, ("2", [2, 5])),
               "virsh iothreaddel 1 --config: 2 and 5 left, listed")
        for args, why in ((("iothreaddel", IOT, "2", "--config"), "a thread disk vda uses"),
                          (("iothreadadd", IOT, "5", "--config"), "an id taken"),
                          (("iothreaddel", IOT, "9", "--config"), "a thread it lacks")):
            r = virsh(uri, *args)
            tap.ok(r.rc == 1 and r.err.startswith("error:")
                   and iothread_ids(uri, "--inactive", IOT) == ("2", [2, 5]),
                   "virsh %s %s: refused (%s), the config unchanged" % (args[0], args[2], why),
                   r.describe())
        r = virsh(uri, "start", IOT)
        if not tap.ok(r.rc == 0, "iothreads: the domain starts", r.describe()):
            return
        tap.eq(qemu_iothreads(uri, IOT), ["iothread2", "iothread5"],
               "QEMU runs iothread2 and iothread5")
        r = virsh(uri, "iothreadadd", IOT, "7", "--live")
        tap.ok(r.rc == 0 and qemu_iothreads(uri, IOT) == ["iothread2", "iothread5", "iothread7"]
               and iothread_ids(uri, IOT) == ("3", [2, 5, 7])
               and iothread_ids(uri, "--inactive", IOT) == ("2", [2, 5]),
               "virsh iothreadadd 7 --live: QEMU's iothread7, the live XML lists it, "
               "the config does not", r.describe())
        r = virsh(uri, "iothreadinfo", IOT)
        tap.ok(r.rc == 0 and re.search(r"^ 7 +\S", r.out, re.M) is not None,
               "virsh iothreadinfo lists thread 7", r.describe())
        r = virsh(uri, "iothreaddel", IOT, "7")
        tap.ok(r.rc == 0 and qemu_iothreads(uri, IOT) == ["iothread2", "iothread5"]
               and iothread_ids(uri, IOT) == ("2", [2, 5]),
               "virsh iothreaddel 7 (running: live): QEMU's iothread7 gone, and from the live XML",
               r.describe())
        r = virsh(uri, "iothreaddel", IOT, "2", "--live")
        tap.ok(r.rc == 1 and qemu_iothreads(uri, IOT) == ["iothread2", "iothread5"],
               "virsh iothreaddel 2 --live: refused, disk vda uses it", r.describe())
        r = virsh(uri, "iothreadadd", IOT, "8", "--live", "--config")
        tap.ok(r.rc == 0 and "iothread8" in (qemu_iothreads(uri, IOT) or [])
               and iothread_ids(uri, "--inactive", IOT) == ("3", [2, 5, 8]),
               "virsh iothreadadd 8 --live --config: in QEMU and in the config", r.describe())
        # a thread added while QEMU's own threads are pinned (emulatorpin
        # 0) runs on every CPU, as libvirtd 9.0 places it (2026-12-06),
        # not on the emulator's CPU it was made from
        online = open("/sys/devices/system/cpu/online").read().strip()
        virsh(uri, "emulatorpin", IOT, "0", "--live")
        r = virsh(uri, "iothreadadd", IOT, "9", "--live")
        info = virsh(uri, "iothreadinfo", IOT)
        m = re.search(r"^ 9 +(\S+)", info.out, re.M)
        tap.ok(r.rc == 0 and m is not None and m.group(1) == online,
               "iothreadadd 9 --live after emulatorpin 0: iothreadinfo gives it every CPU (%s)"
               % online, r.describe() + info.describe())
        virsh(uri, "iothreaddel", IOT, "9", "--live")

        # iothreadset (procedure 402): the polling live only, the pool in
        # both; QEMU's properties read back with query-iothreads / qom-get
        r = virsh(uri, "iothreadset", IOT, "2", "--poll-max-ns", "1000", "--poll-grow", "3",
                  "--poll-shrink", "2")
        t2 = [t for t in (qemu_iothread_info(uri, IOT) or []) if t["id"] == "iothread2"]
        tap.ok(r.rc == 0 and t2 and (t2[0]["poll-max-ns"], t2[0]["poll-grow"],
                                     t2[0]["poll-shrink"]) == (1000, 3, 2),
               "virsh iothreadset 2 --poll-max-ns 1000 --poll-grow 3 --poll-shrink 2: QEMU's",
               "%s\n%r" % (r.describe(), t2))
        r = virsh(uri, "iothreadset", IOT, "2", "--thread-pool-min", "2", "--thread-pool-max", "8")
        r2 = virsh(uri, "iothreadset", IOT, "2", "--thread-pool-min", "10",
                   "--thread-pool-max", "20")
        live = virsh(uri, "dumpxml", IOT)
        tap.ok(r.rc == 0 and r2.rc == 0
               and qom_get(uri, IOT, "/objects/iothread2", "thread-pool-min") == 10
               and qom_get(uri, IOT, "/objects/iothread2", "thread-pool-max") == 20
               and "<iothread id='2' thread_pool_min='10' thread_pool_max='20'/>" in live.out,
               "virsh iothreadset 2 --thread-pool-min/max 2 8, then 10 20 (past the old "
               "maximum): QEMU's and the live XML", "%s\n%s" % (r.describe(), r2.describe()))
        r = virsh(uri, "iothreadset", IOT, "2", "--thread-pool-min", "30")
        tap.ok(r.rc == 1 and qom_get(uri, IOT, "/objects/iothread2", "thread-pool-min") == 10,
               "virsh iothreadset 2 --thread-pool-min 30 (above the maximum 20): refused",
               r.describe())
        r = virsh(uri, "iothreadset", IOT, "2", "--poll-max-ns", "5", "--config")
        tap.ok(r.rc == 1, "virsh iothreadset --poll-max-ns --config: refused (the config "
               "keeps no polling)", r.describe())
        r = virsh(uri, "iothreadset", IOT, "2", "--thread-pool-min", "1", "--thread-pool-max",
                  "4", "--config")
        cfg = virsh(uri, "dumpxml", "--inactive", IOT)
        tap.ok(r.rc == 0 and "<iothread id='2' thread_pool_min='1' thread_pool_max='4'/>" in cfg.out,
               "virsh iothreadset --thread-pool-min 1 --thread-pool-max 4 --config: the config's "
               "<iothread>", r.describe())
        r = virsh(uri, "iothreadset", IOT, "9", "--poll-grow", "2")
        tap.ok(r.rc == 1, "virsh iothreadset of a thread the domain lacks: refused", r.describe())
    finally:
        virsh(uri, "destroy", IOT)
        virsh(uri, "undefine", IOT)


LC_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memballoon model='none'/>
  </devices>
</domain>"""


def lifecycle(uri, *args):
    r = virsh(uri, "dumpxml", *args)
    if r.rc != 0:
        return None
    d = ET.fromstring(r.out)
    return tuple(d.findtext(e) for e in ("on_poweroff", "on_reboot", "on_crash"))


def lifecycle_tests(tap, target, tmp):
    """virsh set-lifecycle-action (libvirt's procedure 390) on a domain
    with <on_reboot>destroy: in the config only (--config), live only
    (QEMU's reboot action follows: a reset asked for on QEMU's monitor
    resets the guest in place once the reboot is restart, where it ended
    QEMU while it was destroy), both at once; refused, naming the value,
    with nothing changed: coredump-* for a power-off (both modes),
    <on_poweroff>restart with <on_reboot>destroy (the pair libvirt's QEMU
    driver refuses), preserve for a reboot, --live on a shut-off domain."""
    uri = target.uri
    f = harness.write_file(tmp, LC + ".xml", LC_XML % LC)
    r = virsh(uri, "define", f)
    if not tap.ok(r.rc == 0, "lifecycle: define a domain with <on_reboot>destroy", r.describe()):
        return
    r = virsh(uri, "set-lifecycle-action", LC, "crash", "preserve", "--config")
    tap.eq((r.rc, lifecycle(uri, "--inactive", LC)), (0, ("destroy", "destroy", "preserve")),
           "virsh set-lifecycle-action crash preserve --config: <on_crash>preserve in the config")
    for args, why in ((("poweroff", "coredump-destroy"), "only a crash can dump core"),
                      (("poweroff", "restart"), "with <on_reboot>destroy"),
                      (("reboot", "preserve"), "QEMU's driver cannot preserve at a reboot")):
        r = virsh(uri, "set-lifecycle-action", LC, *args, "--config")
        tap.ok(r.rc == 1 and r.err.startswith("error:") and
               lifecycle(uri, "--inactive", LC) == ("destroy", "destroy", "preserve"),
               "virsh set-lifecycle-action %s %s --config: refused (%s), the config unchanged"
               % (args + (why,)), r.describe())
    r = virsh(uri, "set-lifecycle-action", LC, "reboot", "restart", "--live")
    tap.ok(r.rc == 1 and "not running" in r.err,
           "virsh set-lifecycle-action --live on a shut-off domain: refused", r.describe())
    r = virsh(uri, "start", LC)
    if not tap.ok(r.rc == 0, "lifecycle: the domain starts", r.describe()):
        return
    r = virsh(uri, "set-lifecycle-action", LC, "reboot", "restart", "--live")
    tap.ok(r.rc == 0 and lifecycle(uri, LC) == ("destroy", "restart", "preserve")
           and lifecycle(uri, "--inactive", LC) == ("destroy", "destroy", "preserve"),
           "virsh set-lifecycle-action reboot restart --live: the live XML has it, the config not",
           r.describe())
    did = virsh(uri, "domid", LC).out.strip()
    r = virsh(uri, "qemu-monitor-command", LC, '{"execute":"system_reset"}')
    time.sleep(1)
    tap.ok(r.rc == 0 and virsh(uri, "domstate", LC).out.strip() == "running"
           and virsh(uri, "domid", LC).out.strip() == did,
           "reboot restart, live: a reset on QEMU's monitor resets the guest, the domain runs on",
           r.describe())
    r = virsh(uri, "set-lifecycle-action", LC, "poweroff", "coredump-restart")
    tap.ok(r.rc == 1 and lifecycle(uri, LC) == ("destroy", "restart", "preserve"),
           "virsh set-lifecycle-action poweroff coredump-restart (live): refused, unchanged",
           r.describe())
    r = virsh(uri, "set-lifecycle-action", LC, "poweroff", "restart", "--live", "--config")
    tap.ok(r.rc == 1 and lifecycle(uri, LC) == ("destroy", "restart", "preserve")
           and lifecycle(uri, "--inactive", LC) == ("destroy", "destroy", "preserve"),
           "virsh set-lifecycle-action poweroff restart --live --config: refused (the config's "
           "<on_reboot> is destroy), neither changed", r.describe())
    r = virsh(uri, "set-lifecycle-action", LC, "reboot", "destroy", "--live", "--config")
    tap.ok(r.rc == 0 and lifecycle(uri, LC) == ("destroy", "destroy", "preserve"),
           "virsh set-lifecycle-action reboot destroy --live --config", r.describe())
    r = virsh(uri, "qemu-monitor-command", LC, '{"execute":"system_reset"}')
    deadline = time.monotonic() + 15
    state = None
    while time.monotonic() < deadline:
        state = virsh(uri, "domstate", LC).out.strip()
        if state == "shut off":
            break
        time.sleep(0.2)
    tap.eq(state, "shut off",
           "reboot destroy, live again: a reset on QEMU's monitor ends the domain")


KSM = "/sys/kernel/mm/ksm"
POOL_2M = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"


def read_int(path):
    with open(path) as f:
        return int(f.read().split()[0])


def node_memory_tune(uri):
    """virsh node-memory-tune's "\tNAME VALUE" lines, as a dict"""
    r = virsh(uri, "node-memory-tune")
    if r.rc != 0 or not r.out.startswith("Shared memory:\n"):
        return None
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^\t(\w+) +(\d+)$", r.out, re.M)}


def node_memory_tests(tap, target):
    """node_memory_checks under the host state lock"""
    with harness.host_state_lock():
        node_memory_checks(tap, target)


def node_memory_checks(tap, target):
    """virsh node-memory-tune (libvirt's procedures 288, 289) against this
    host's /sys/kernel/mm/ksm: the eight shm_* values, the settings equal
    to the kernel's; shm_pages_to_scan set (the kernel's file follows) and
    put back. virsh allocpages (347) on the 2 MiB pool: pages added to the
    host's pool and to cell 0's, the pool set back; refused with the pool
    unchanged: the system's page size, a size the host lacks, a cell it
    lacks. The host's values are restored even when a check fails."""
    uri = target.uri
    if not os.path.isdir(KSM):
        tap.skip("node-memory-tune", "this kernel has no %s" % KSM)
    else:
        got = node_memory_tune(uri)
        names = ["shm_pages_to_scan", "shm_sleep_millisecs", "shm_pages_shared",
                 "shm_pages_sharing", "shm_pages_unshared", "shm_pages_volatile",
                 "shm_full_scans", "shm_merge_across_nodes"]
        want = [n for n in names if os.path.exists(os.path.join(KSM, n[4:]))]
        tap.ok(got is not None and list(got) == want and
               all(got[n] == read_int(os.path.join(KSM, n[4:]))
                   for n in ("shm_pages_to_scan", "shm_sleep_millisecs",
                             "shm_merge_across_nodes") if n in want),
               "virsh node-memory-tune: libvirt's shm_* values, the settings the kernel's",
               "%r\nwant %r" % (got, want))
        old = read_int(os.path.join(KSM, "pages_to_scan"))
        try:
            r = virsh(uri, "node-memory-tune", "--shm-pages-to-scan", str(old + 1))
            tap.ok(r.rc == 0 and read_int(os.path.join(KSM, "pages_to_scan")) == old + 1
                   and (node_memory_tune(uri) or {}).get("shm_pages_to_scan") == old + 1,
                   "virsh node-memory-tune --shm-pages-to-scan: the kernel's pages_to_scan "
                   "follows", r.describe())
        finally:
            r = virsh(uri, "node-memory-tune", "--shm-pages-to-scan", str(old))
            if read_int(os.path.join(KSM, "pages_to_scan")) != old:
                with open(os.path.join(KSM, "pages_to_scan"), "w") as f:
                    f.write(str(old))
        tap.ok(r.rc == 0 and read_int(os.path.join(KSM, "pages_to_scan")) == old,
               "virsh node-memory-tune --shm-pages-to-scan: set back to %d" % old, r.describe())

    if os.geteuid() != 0 or not os.path.exists(POOL_2M):
        tap.skip("allocpages", "not root, or no 2 MiB huge pages here")
        return
    old = read_int(POOL_2M)
    try:
        r = virsh(uri, "allocpages", "--pagesize", "2M", "--pagecount", "2", "--add")
        tap.ok(r.rc == 0 and read_int(POOL_2M) == old + 2,
               "virsh allocpages --pagesize 2M --pagecount 2 --add: the host's pool grows by 2",
               r.describe())
        r = virsh(uri, "allocpages", "--pagesize", "2M", "--pagecount", "1", "--cellno", "0",
                  "--add")
        tap.ok(r.rc == 0 and read_int(POOL_2M) == old + 3,
               "virsh allocpages --cellno 0 --add: cell 0's pool grows by 1", r.describe())
        for args, why in ((("--pagesize", "4K", "--pagecount", "1"), "the system's pages"),
                          (("--pagesize", "3M", "--pagecount", "1"), "a size this host lacks"),
                          (("--pagesize", "2M", "--pagecount", "1", "--cellno", "999"),
                           "a cell this host lacks")):
            r = virsh(uri, "allocpages", *args)
            tap.ok(r.rc == 1 and r.err.startswith("error:") and read_int(POOL_2M) == old + 3,
                   "virsh allocpages %s: refused (%s), the pool unchanged" % (" ".join(args), why),
                   r.describe())
        r = virsh(uri, "allocpages", "--pagesize", "2M", "--pagecount", str(old))
        tap.ok(r.rc == 0 and read_int(POOL_2M) == old,
               "virsh allocpages --pagecount %d: the pool set back" % old, r.describe())
    finally:
        if read_int(POOL_2M) != old:
            with open(POOL_2M, "w") as f:
                f.write(str(old))


def sysinfo_tests(tap, target, tmp):
    """virsh sysinfo (virConnectGetSysinfo, procedure 203): the host's SMBIOS
    tables as dmidecode reads them. In both modes: the system uuid
    dmidecode reads, or, where it cannot read the host's tables (no
    /sys/firmware/dmi/tables, as in some containers), libvirt's "not
    available" (code 67). Our daemon only: a second daemon whose PATH has a
    dmidecode reading the made-up table of tests/sysinfodata/make-dmi-dump.py
    answers what the golden sysinfo.xml has (dmidecode 3.4 shows OEM string
    2's new line as '.', which the golden file, made with a callback that
    gives the byte, has)"""
    uri = target.uri
    dmi = shutil.which("dmidecode") or "/usr/sbin/dmidecode"
    host = harness.run([dmi, "-q", "-t", "1"]) if os.access(dmi, os.X_OK) else None
    r = virsh(uri, "sysinfo")
    if host is not None and host.rc == 0 and "System Information" in host.out:
        m = re.search(r"^\tUUID: (.*)$", host.out, re.M)
        tap.ok(r.rc == 0 and r.out.startswith("<sysinfo type='smbios'>") and
               (not m or "<entry name='uuid'>%s</entry>" % m.group(1).strip() in r.out),
               "virsh sysinfo: the host's tables, with the system uuid dmidecode reads",
               r.describe() + host.describe())
    else:
        tap.ok(r.rc != 0 and "Host SMBIOS information is not available" in r.err,
               "virsh sysinfo where dmidecode cannot read the host's tables: not available",
               r.describe())
    if target.reference:
        return
    src = os.environ.get("VGM_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
    data = os.path.join(src, "tests", "sysinfodata")
    dump = os.path.join(tmp, "dmi.bin")
    bindir = os.path.join(tmp, "dmibin")
    os.mkdir(bindir)
    g = harness.run(["/usr/bin/python3", os.path.join(data, "make-dmi-dump.py"), dump])
    harness.write_file(bindir, "dmidecode",
                       "#!/bin/sh\nexec %s --from-dump %s \"$@\"\n" % (dmi, dump))
    os.chmod(os.path.join(bindir, "dmidecode"), 0o755)
    path = os.environ.get("PATH", "")
    os.environ["PATH"] = bindir + ":" + path
    d = harness.Daemon()
    try:
        d.start()
    finally:
        os.environ["PATH"] = path
    try:
        r = virsh(d.uri, "sysinfo")
        with open(os.path.join(data, "sysinfo.xml")) as f:
            want = f.read().replace("line one\nline two", "line one.line two")
        tap.ok(g.rc == 0 and r.rc == 0 and r.out.rstrip("\n") == want.rstrip("\n"),
               "virsh sysinfo of a made-up SMBIOS table: libvirt's sections and entries "
               "(golden sysinfo.xml)", r.describe() + g.describe())
    finally:
        d.stop()
        d.cleanup()


def rename_tests(tap, target, tmp):
    """virsh domrename (libvirt's procedure 358): the domain answers to
    the new name only, keeps its uuid and autostart mark, and virsh event
    sees Undefined Renamed for the old name and Defined Renamed for the
    new; refused with nothing changed: a name another domain has, the
    same name, a running domain, a transient one."""
    uri = target.uri
    f = harness.write_file(tmp, RN + ".xml", LC_XML.replace("<on_reboot>destroy</on_reboot>", "")
                           % RN)
    r = virsh(uri, "define", f)
    if not tap.ok(r.rc == 0, "rename: define a domain", r.describe()):
        return
    uuid = virsh(uri, "domuuid", RN).out.strip()
    virsh(uri, "autostart", RN)
    ev = EventReader(uri, timeout=60)
    time.sleep(1)
    r = virsh(uri, "domrename", RN, RN + "2")
    got = virsh(uri, "domuuid", RN + "2").out.strip()
    old = virsh(uri, "dominfo", RN)
    auto = virsh(uri, "dominfo", RN + "2")
    tap.ok(r.rc == 0 and r.out == "Domain successfully renamed\n\n" and got == uuid and
           old.rc == 1 and re.search(r"^Autostart:\s+enable$", auto.out, re.M) is not None,
           "virsh domrename: the new name has the uuid and the autostart mark, the old one is gone",
           r.describe() + old.describe() + auto.out)
    saw = ev.wait_for("event 'lifecycle' for domain '%s': Defined Renamed" % (RN + "2"), 10)
    tap.ok(saw and "event 'lifecycle' for domain '%s': Undefined Renamed" % RN in ev.lines,
           "virsh event: Undefined Renamed for the old name, Defined Renamed for the new",
           "\n".join(ev.lines))
    ev.proc.terminate()
    for args, why in (((RN + "2", LC), "a name another domain has"),
                      ((RN + "2", RN + "2"), "the same name")):
        r = virsh(uri, "domrename", *args)
        tap.ok(r.rc == 1 and r.err.startswith("error:") and
               virsh(uri, "domuuid", RN + "2").out.strip() == uuid,
               "virsh domrename to %s: refused, nothing changed" % why, r.describe())
    r = virsh(uri, "start", RN + "2")
    if tap.ok(r.rc == 0, "rename: the renamed domain starts", r.describe()):
        r = virsh(uri, "domrename", RN + "2", RN)
        tap.ok(r.rc == 1 and virsh(uri, "domstate", RN + "2").out.strip() == "running",
               "virsh domrename of a running domain: refused", r.describe())
        virsh(uri, "undefine", RN + "2")
        r = virsh(uri, "domrename", RN + "2", RN)
        tap.ok(r.rc == 1 and virsh(uri, "domstate", RN + "2").out.strip() == "running",
               "virsh domrename of a transient domain: refused", r.describe())
        virsh(uri, "destroy", RN + "2")
    else:
        virsh(uri, "undefine", RN + "2")


def cpu_tests(tap, target, tmp):
    """cpu-compare, cpu-baseline, hypervisor-cpu-compare and
    hypervisor-cpu-baseline (libvirt's procedures 158, 162, 393, 394)
    on the host CPU capabilities describe, the CPU domain capabilities
    offer as host-model and a named model. Messages as libvirtd 9.0
    prints them for the same XML (its reasons list the features in CPUID
    order, ours by name)."""
    uri = target.uri
    r = virsh(uri, "capabilities")
    caps = xml_root(tap, r.out, "virsh capabilities") if r.rc == 0 else None
    cpu = caps.find("host/cpu") if caps is not None else None
    if cpu is None or not cpu.findtext("model"):
        tap.ok(False, "capabilities: the host cpu has a model", r.describe())
        return
    model = cpu.findtext("model")
    listed = [f.get("name") for f in cpu.findall("feature")]
    # the host CPU's microcode, TSC and address bits, as libvirtd 9.0 shows
    # them (captured 2026-12-06: <microcode version='16777317'/> for
    # cpuinfo's 0x1000065, <counter name='tsc' frequency='2596094000'
    # scaling='no'/> on a KVM host, <maxphysaddr mode='emulate' bits='48'/>
    # for "48 bits physical")
    with open("/proc/cpuinfo") as fh:
        info = fh.read()
    mc = re.search(r"^microcode\s*:\s*(\S+)", info, re.M)
    bits = re.search(r"^address sizes\s*:\s*(\d+) bits physical", info, re.M)
    tsc = cpu.find("counter[@name='tsc']")
    tap.ok(((cpu.find("microcode") is not None and
             cpu.find("microcode").get("version") == str(int(mc.group(1), 16))) if mc else
            cpu.find("microcode") is None) and
           (bits is None or (cpu.find("maxphysaddr") is not None and
                             cpu.find("maxphysaddr").get("mode") == "emulate" and
                             cpu.find("maxphysaddr").get("bits") == bits.group(1))) and
           (tsc is not None and int(tsc.get("frequency", "0")) > 0 and
            tsc.get("scaling") in ("yes", "no")) == os.access("/dev/kvm", os.R_OK | os.W_OK),
           "capabilities: the host cpu's <microcode>, <maxphysaddr> from cpuinfo, and "
           "<counter name='tsc'> where KVM is", ET.tostring(cpu, encoding="unicode")[:600])
    # the rest of <host> clients read, as libvirtd 9.0 has it (captured
    # 2026-12-06: <power_management/>, <iommu support='no'/> on a host
    # without IOMMU groups, <migration_features> with <live/> and the tcp
    # and rdma transports, <secmodel> none and dac): virt-gmem migrates
    # over TCP only and has no security driver
    host = caps.find("host")
    groups = os.listdir("/sys/kernel/iommu_groups") if os.path.isdir("/sys/kernel/iommu_groups") \
        else []
    tap.ok(host.find("power_management") is not None and
           host.find("iommu") is not None and
           host.find("iommu").get("support") == ("yes" if groups else "no") and
           host.find("migration_features/live") is not None and
           "tcp" in [t.text for t in host.findall("migration_features/uri_transports/uri_transport")] and
           "none" in [m.findtext("model") for m in host.findall("secmodel")],
           "capabilities: <power_management>, <iommu> as the host's IOMMU groups say, live "
           "migration over tcp, the 'none' security model",
           r.out[r.out.find("</cpu>"):r.out.find("</cpu>") + 700])
    r = virsh(uri, "cpu-models", "x86_64")
    tap.ok(r.rc == 0 and model in r.out.split(),
           "capabilities: host cpu model %r, vendor %r, one of cpu-models x86_64"
           % (model, cpu.findtext("vendor")), r.describe())
    capsfile = harness.write_file(tmp, "caps.xml", ET.tostring(caps, encoding="unicode"))

    # Captured: `virsh cpu-compare CAPS` (the host's own CPU) ->
    #   "CPU described in CAPS is identical to host CPU\n\n"
    r = virsh(uri, "cpu-compare", capsfile)
    tap.eq((r.rc, r.out), (0, "CPU described in %s is identical to host CPU\n\n" % capsfile),
           "virsh cpu-compare of the capabilities: identical")

    guest = ("<cpu mode='custom' match='exact'><model fallback='forbid'>%s</model>%s</cpu>")
    f = harness.write_file(tmp, "cpu-own.xml", guest % (model, ""))
    r = virsh(uri, "cpu-compare", f)
    tap.ok(r.rc == 0 and ("is a superset of CPU" in r.out or "is identical to CPU" in r.out
                          or "identical to host CPU" in r.out),
           "virsh cpu-compare: the host cpu's model runs here", r.describe())
    if listed:
        gone = sorted(listed)[0]
        f = harness.write_file(tmp, "cpu-forbid.xml",
                               guest % (model, "<feature policy='forbid' name='%s'/>" % gone))
        r = virsh(uri, "cpu-compare", f)
        tap.eq((r.rc, r.out), (1, "CPU described in %s is incompatible with host CPU\n\n" % f),
               "virsh cpu-compare: a CPU forbidding the host's %r is incompatible" % gone)
        # Captured: --error -> "error: Failed to compare host CPU with F\n
        #   error: the CPU is incompatible with host CPU: Host CPU provides
        #   forbidden features: vme\n"
        r = virsh(uri, "cpu-compare", "--error", f)
        tap.ok(r.rc == 1 and ("Host CPU provides forbidden features: %s" % gone) in r.err,
               "virsh cpu-compare --error: names the forbidden feature", r.describe())
    f = harness.write_file(tmp, "cpu-unknown.xml", guest % ("NoSuchModel", ""))
    r = virsh(uri, "cpu-compare", f)
    tap.ok(r.rc == 1 and "NoSuchModel" in r.err,
           "virsh cpu-compare: an unknown model is an error naming it", r.describe())

    # Captured: `virsh cpu-baseline --features W` of a host CPU of model
    # Westmere -> <cpu mode='custom' match='exact'> <model
    # fallback='forbid'>Westmere</model> and the model's features, aes ...
    f = harness.write_file(tmp, "westmere.xml",
                           "<cpu><arch>x86_64</arch><model>Westmere</model></cpu>")
    r = virsh(uri, "cpu-baseline", "--features", f)
    b = xml_root(tap, r.out, "virsh cpu-baseline --features") if r.rc == 0 else None
    if b is None:
        tap.ok(False, "virsh cpu-baseline --features of Westmere", r.describe())
    else:
        names = {x.get("name") for x in b.findall("feature") if x.get("policy") == "require"}
        tap.ok(b.get("mode") == "custom" and b.get("match") == "exact"
               and b.findtext("model") == "Westmere" and b.find("model").get("fallback") == "forbid"
               and {"aes", "sse4.2", "ssse3", "cx16", "popcnt"} <= names
               and b.findtext("vendor") is None,
               "virsh cpu-baseline --features of Westmere: the model, fallback forbid, "
               "its features (aes, sse4.2, ...), no vendor", r.out)
    r = virsh(uri, "cpu-baseline", capsfile)
    b = xml_root(tap, r.out, "virsh cpu-baseline") if r.rc == 0 else None
    tap.ok(b is not None and b.findtext("model") == model
           and b.findtext("vendor") == cpu.findtext("vendor"),
           "virsh cpu-baseline of the capabilities: the host's model and vendor", r.describe())

    # the hypervisor's CPU: domain capabilities' host-model is it exactly
    r = virsh(uri, "domcapabilities")
    dc = xml_root(tap, r.out, "virsh domcapabilities") if r.rc == 0 else None
    hm = dc.find("cpu/mode[@name='host-model']") if dc is not None else None
    if hm is None or hm.get("supported") != "yes":
        tap.skip("virsh hypervisor-cpu-compare of domcapabilities",
                 "no host-model CPU in domcapabilities")
    else:
        dcfile = harness.write_file(tmp, "domcaps.xml", r.out)
        # Captured: -> "CPU described in F is identical to the CPU provided
        #   by hypervisor on the host\n\n"
        r = virsh(uri, "hypervisor-cpu-compare", dcfile)
        tap.eq((r.rc, r.out), (0, "CPU described in %s is identical to the CPU provided by "
                                  "hypervisor on the host\n\n" % dcfile),
               "virsh hypervisor-cpu-compare of domcapabilities: identical")
    # Captured: `virsh hypervisor-cpu-baseline W` -> <cpu mode='custom'
    #   match='exact'>\n  <model fallback='forbid'>Westmere</model>\n</cpu>
    r = virsh(uri, "hypervisor-cpu-baseline", f)
    b = xml_root(tap, r.out, "virsh hypervisor-cpu-baseline") if r.rc == 0 else None
    tap.ok(b is not None and b.findtext("model") == "Westmere"
           and b.find("model").get("fallback") == "forbid",
           "virsh hypervisor-cpu-baseline of Westmere: Westmere, fallback forbid", r.describe())
    # virt-install and virt-xml ask for the expanded CPU of a custom model
    # by a host CPU written with a guest model's fallback and required
    # features (captured: libvirtd 9.0 gives EPYC, vendor AMD and the
    # model's features, 2026-12-06)
    vf = harness.write_file(tmp, "virtinst-cpu.xml",
                            "<cpu><model fallback='forbid'>EPYC</model><vendor>AMD</vendor>"
                            "<feature policy='require' name='acpi'/><arch>x86_64</arch></cpu>")
    r = virsh(uri, "hypervisor-cpu-baseline", "--features", vf)
    b = xml_root(tap, r.out, "virsh hypervisor-cpu-baseline (virt-install's CPU)") \
        if r.rc == 0 else None
    tap.ok(b is not None and b.findtext("model") == "EPYC" and b.findtext("vendor") == "AMD"
           and len(b.findall("feature")) > 20,
           "virsh hypervisor-cpu-baseline --features of virt-install's CPU XML (model "
           "fallback, feature policy): EPYC, AMD, the model's features", r.describe())
    # a write call (libvirt's ACL connect:write): refused read-only
    r = virsh(uri, "hypervisor-cpu-baseline", f, readonly=True)
    tap.ok(r.rc == 1 and ("read only" in r.err.lower() or "read-only" in r.err.lower()),
           "virsh -r hypervisor-cpu-baseline: refused on a read-only connection",
           r.describe())
    r = virsh(uri, "cpu-baseline", f, readonly=True)
    tap.ok(r.rc == 0 and "Westmere" in r.out, "virsh -r cpu-baseline works read-only",
           r.describe())


KCPU = "vgmtest-virsh-kcpu"


def cpu_domain_xml(name, virttype, cpuxml):
    """A one-vCPU q35 domain of `virttype` with the <cpu> `cpuxml` (or
    none), no devices but what every definition gets."""
    return """<domain type='%s'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  %s
  <devices><memballoon model='none'/></devices>
</domain>""" % (virttype, name, cpuxml)


def _feature_key(name):
    """A CPU feature's name as both spellings compare (QEMU's and libvirt's:
    lahf-lm / lahf_lm, sse4.1 / sse4_1, pclmulqdq / pclmuldq)."""
    key = re.sub(r"[-_.]", "", name.lower())
    return "pclmuldq" if key == "pclmulqdq" else key


def kvm_cpu_start_tests(tap, target, tmp):
    """Under KVM a custom CPU model with check='partial' (libvirt's default
    for one there) is compared before the start, as libvirt compares it,
    with the host's own CPU: virsh cpu-compare of the same <cpu> says
    incompatible exactly when the start is refused (libvirt's
    VIR_ERR_CPU_INCOMPATIBLE, 91). A CPU it takes starts even where KVM
    gives less than the host's CPU has (a nested host): QEMU leaves out
    what KVM cannot give (its unavailable-features for the model), and the
    live XML names each of those policy='disable'. Captured from libvirtd
    9.0 on such a host (2026-12-06, a vCPU without SSE3 under KVM):
    kvm64 starts with <feature policy='disable' name='pni'/>, qemu64 is
    refused: "Host CPU does not provide required features: svm"."""
    if not harness.HAVE_KVM:
        tap.skip("KVM: custom CPU models start as the host CPU check says", "no /dev/kvm")
        return
    uri = target.uri
    unavailable = harness.qemu_cpu_unavailable("kvm")
    for model in ("kvm64", "qemu64", "Opteron_G1", "EPYC", "pentium3"):
        if model not in unavailable:
            continue
        cpuxml = "<cpu mode='custom' match='exact'><model fallback='forbid'>%s</model></cpu>" % model
        cmp = virsh(uri, "cpu-compare", harness.write_file(tmp, "kcpu.xml", cpuxml))
        incompatible = "incompatible" in cmp.out
        f = harness.write_file(tmp, KCPU + ".xml", cpu_domain_xml(KCPU, "kvm", cpuxml))
        r = virsh(uri, "create", "--paused", f, timeout=120)
        live = virsh(uri, "dumpxml", KCPU).out if r.rc == 0 else ""
        virsh(uri, "destroy", KCPU)
        if incompatible:
            tap.ok(r.rc == 1 and "incompatible" in r.err, "KVM, <cpu> model %s: the host CPU "
                   "lacks some of it (cpu-compare), the start is refused saying so" % model,
                   cmp.describe() + r.describe())
            continue
        disabled = {_feature_key(m.group(1))
                    for m in re.finditer(r"<feature policy='disable' name='([^']+)'/>", live)}
        want = {_feature_key(n) for n in unavailable[model]}
        tap.ok(r.rc == 0 and want <= disabled,
               "KVM, <cpu> model %s: the host CPU has it (cpu-compare), it starts; the live XML "
               "disables what KVM does not give (%s)" % (model, ", ".join(sorted(want)) or "none"),
               cmp.describe() + r.describe() + live)


GFX_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <graphics type='vnc' autoport='yes' passwd='gfx-pw' passwdValidTo='2099-01-01T00:00:00'/>
    <graphics type='spice' autoport='yes' passwd='spice-pw0'/>
    <memballoon model='none'/>
  </devices>
</domain>
""" % GFX


def graphics_tests(tap, target, tmp):
    """Captured from libvirtd 9.0 with GFX_XML (`virsh create --paused`):
    dumpxml has <graphics type='vnc' port='5900' autoport='yes'
    listen='127.0.0.1'> with <listen type='address' address='127.0.0.1'/>,
    the same for spice on 5901; `virsh domdisplay` ->
    "vnc://127.0.0.1:0\n", `--all` -> "vnc://127.0.0.1:0\nspice://127.0.0.1:5901\n\n",
    `--type spice` -> "spice://127.0.0.1:5901\n", `vncdisplay` ->
    "127.0.0.1:0\n\n". The ports are whichever were free: checked from the
    live XML. The VNC server's password: dumpxml leaves passwd='' out and
    keeps passwdValidTo, `dumpxml --security-info` shows it, `virsh -r
    dumpxml --security-info` is refused (rc 1), and the server offers RFB
    security type 2 (VNC authentication) only. `virsh screenshot DOM FILE`
    -> "Screenshot saved to FILE, with type of image/png\n" and a PNG in
    FILE; with --screen 1 it fails (one screen)."""
    uri = target.uri
    f = harness.write_file(tmp, GFX + ".xml", GFX_XML)
    r = virsh(uri, "create", "--paused", f, timeout=120)
    if not tap.ok(r.rc == 0, "virsh create --paused: VNC and SPICE with autoport", r.describe()):
        return
    try:
        r = virsh(uri, "dumpxml", GFX)
        d = xml_root(tap, r.out, "the live XML with graphics")
        ports = {}
        for g in (d.findall("devices/graphics") if d is not None else []):
            listen = g.find("listen")
            tap.ok(g.get("autoport") == "yes" and g.get("listen") == "127.0.0.1" and
                   listen is not None and listen.get("address") == "127.0.0.1",
                   "live XML: %s autoport, listen 127.0.0.1 (attribute and <listen>)" % g.get("type"),
                   ET.tostring(g, encoding="unicode"))
            ports[g.get("type")] = int(g.get("port", "-1"))
        vnc, spice = ports.get("vnc", -1), ports.get("spice", -1)
        if not tap.ok(vnc >= 5900 and spice >= 5900 and vnc != spice,
                      "live XML: the VNC and SPICE servers have ports of their own from 5900",
                      "ports: %r" % ports):
            return
        g = d.find("devices/graphics[@type='vnc']")
        tap.ok(g is not None and g.get("passwd") is None and
               g.get("passwdValidTo") == "2099-01-01T00:00:00",
               "dumpxml: the VNC password left out, its expiry kept",
               ET.tostring(g, encoding="unicode") if g is not None else r.describe())
        for extra in ([], ["--inactive"]):
            r = virsh(uri, "dumpxml", "--security-info", *extra, GFX)
            ds = xml_root(tap, r.out, "dumpxml --security-info")
            g = ds.find("devices/graphics[@type='vnc']") if ds is not None else None
            tap.ok(g is not None and g.get("passwd") == "gfx-pw",
                   "dumpxml --security-info %s: the VNC password" % " ".join(extra),
                   r.describe())
        r = virsh(target.ro_uri, "dumpxml", "--security-info", GFX, readonly=True)
        tap.ok(r.rc == 1 and "gfx-pw" not in r.out,
               "virsh -r dumpxml --security-info is refused", r.describe())
        # Captured: libvirtd 9.0's migratable form carries the password
        # (its QEMU driver formats it secure), which a destination needs
        r = virsh(uri, "dumpxml", "--migratable", GFX)
        dm = xml_root(tap, r.out, "dumpxml --migratable")
        g = dm.find("devices/graphics[@type='vnc']") if dm is not None else None
        tap.ok(g is not None and g.get("passwd") == "gfx-pw",
               "dumpxml --migratable: the VNC password, as a destination needs it", r.describe())
        # (libvirt's client library refuses the migratable form on a
        # read-only connection, as the secure one)
        r = virsh(target.ro_uri, "dumpxml", "--migratable", GFX, readonly=True)
        tap.ok(r.rc == 1 and "gfx-pw" not in r.out,
               "virsh -r dumpxml --migratable is refused", r.describe())
        tap.eq(rfb_security_types(vnc), [2],
               "the VNC server asks for a password (RFB security type 2 only)")
        r = virsh(uri, "domdisplay", GFX)
        tap.eq((r.rc, r.out), (0, "vnc://127.0.0.1:%d\n" % (vnc - 5900)), "virsh domdisplay")
        r = virsh(uri, "domdisplay", "--all", GFX)
        tap.eq((r.rc, r.out), (0, "vnc://127.0.0.1:%d\nspice://127.0.0.1:%d\n\n" % (vnc - 5900, spice)),
               "virsh domdisplay --all")
        r = virsh(uri, "domdisplay", "--type", "spice", GFX)
        tap.eq((r.rc, r.out), (0, "spice://127.0.0.1:%d\n" % spice), "virsh domdisplay --type spice")
        r = virsh(uri, "vncdisplay", GFX)
        tap.eq((r.rc, r.out), (0, "127.0.0.1:%d\n\n" % (vnc - 5900)), "virsh vncdisplay")
        # the screen, as QEMU 7.2 writes it (PNG)
        shot = os.path.join(tmp, "gfx-shot")
        r = virsh(uri, "screenshot", GFX, shot)
        data = b""
        if os.path.exists(shot):
            with open(shot, "rb") as fh:
                data = fh.read()
        tap.ok(r.rc == 0 and r.out.startswith("Screenshot saved to %s, with type of image/png\n"
                                              % shot) and
               data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) > 100,
               "virsh screenshot: a PNG of the screen", r.describe())
        r = virsh(uri, "screenshot", GFX, "--screen", "1", shot + "-1")
        tap.ok(r.rc == 1, "virsh screenshot --screen 1 of a domain with one screen fails",
               r.describe())
        graphics_update_tests(tap, target, tmp, vnc)
    finally:
        virsh(uri, "destroy", GFX, timeout=60)


def graphics_update_tests(tap, target, tmp, vnc):
    """update-device --live of the displays of GFX's running domain, as
    libvirtd 9.0 takes it (seen 2026-12-06): the live XML's VNC graphics
    (dumpxml --security-info) with another passwd and passwdValidTo ->
    "Device updated successfully", the live XML has both and the server
    still asks for a password; the same again changes nothing and
    succeeds; the display as dumpxml without --security-info gives it
    (its expiry, no password) succeeds and leaves QEMU's password (which
    libvirtd's live XML then no longer shows; ours does); the display
    written without any password is refused (libvirtd takes it and drops
    the password from its live XML only); a VNC display
    written with port='-1' autoport='yes' and a new password succeeds and
    the server keeps its port; SPICE's with a password and
    connected='disconnect' the same; another keymap is refused (rc 1)."""
    uri = target.uri

    def live_graphics(kind):
        r = virsh(uri, "dumpxml", "--security-info", GFX)
        d = xml_root(tap, r.out, "dumpxml --security-info (graphics update)")
        return d.find("devices/graphics[@type='%s']" % kind) if d is not None else None

    g = live_graphics("vnc")
    if not tap.ok(g is not None, "the live VNC graphics"):
        return
    g.set("passwd", "gfx-pw2")
    g.set("passwdValidTo", "2098-01-01T00:00:00")
    f = harness.write_file(tmp, GFX + "-vnc.xml", ET.tostring(g, encoding="unicode"))
    r = virsh(uri, "update-device", GFX, f, "--live")
    tap.eq((r.rc, r.out), (0, "Device updated successfully\n\n"),
           "update-device --live of the VNC password and expiry")
    g2 = live_graphics("vnc")
    tap.ok(g2 is not None and g2.get("passwd") == "gfx-pw2" and
           g2.get("passwdValidTo") == "2098-01-01T00:00:00",
           "the live XML has the new password and expiry",
           ET.tostring(g2, encoding="unicode") if g2 is not None else "")
    tap.eq(rfb_security_types(vnc), [2], "the VNC server still asks for a password")
    r = virsh(uri, "update-device", GFX, f, "--live")
    tap.eq((r.rc, r.out), (0, "Device updated successfully\n\n"),
           "the same update again: succeeds, nothing changes")
    # as dumpxml without --security-info gives it: the expiry, no password
    d = xml_root(tap, virsh(uri, "dumpxml", GFX).out, "dumpxml (graphics update)")
    g = d.find("devices/graphics[@type='vnc']") if d is not None else None
    if tap.ok(g is not None and g.get("passwd") is None and g.get("passwdValidTo"),
              "dumpxml: the VNC display without its password, with its expiry"):
        f = harness.write_file(tmp, GFX + "-vnc-nopw.xml", ET.tostring(g, encoding="unicode"))
        r = virsh(uri, "update-device", GFX, f, "--live")
        g2 = live_graphics("vnc")
        # (libvirtd's live XML then drops the password and its expiry,
        # while QEMU keeps them; ours keeps them in the live XML too)
        tap.ok(r.rc == 0 and g2 is not None and
               (target.reference or g2.get("passwd") == "gfx-pw2"),
               "update-device --live of it: succeeds, QEMU's password stays",
               r.describe() + (ET.tostring(g2, encoding="unicode") if g2 is not None else ""))
    # written by hand without a password: libvirtd takes it and drops the
    # password from its live XML while QEMU keeps asking for it (seen
    # 2026-12-07); ours refuses it, naming the password, and keeps it
    f = harness.write_file(tmp, GFX + "-vnc-plain.xml",
                           "<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>")
    r = virsh(uri, "update-device", GFX, f, "--live")
    g2 = live_graphics("vnc")
    shown = ET.tostring(g2, encoding="unicode") if g2 is not None else ""
    if target.reference:
        tap.ok(r.rc == 0 and g2 is not None and g2.get("passwd") is None and
               rfb_security_types(vnc) == [2],
               "update-device --live of the VNC display without a password (libvirtd: taken, "
               "its live XML without the password, the server still asks for one)",
               r.describe() + shown)
    else:
        tap.ok(r.rc == 1 and "password" in r.err and g2 is not None and
               g2.get("passwd") == "gfx-pw2" and rfb_security_types(vnc) == [2],
               "update-device --live of the VNC display without a password: refused, naming "
               "the password, which stays", r.describe() + shown)
    # written by hand, as a user changes a password: the port left to the
    # server (autoport, port -1), the listen address given
    f = harness.write_file(tmp, GFX + "-vnc-auto.xml",
                           "<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1' "
                           "passwd='gfx-pw3'/>")
    r = virsh(uri, "update-device", GFX, f, "--live")
    g2 = live_graphics("vnc")
    tap.ok(r.rc == 0 and g2 is not None and g2.get("passwd") == "gfx-pw3" and
           g2.get("port") == str(vnc),
           "update-device --live of a VNC password with port='-1' autoport='yes': succeeds, "
           "the server keeps its port", r.describe() +
           (ET.tostring(g2, encoding="unicode") if g2 is not None else ""))
    g = live_graphics("spice")
    if tap.ok(g is not None, "the live SPICE graphics"):
        g.set("passwd", "spice-pw")
        g.set("connected", "disconnect")
        f = harness.write_file(tmp, GFX + "-spice.xml", ET.tostring(g, encoding="unicode"))
        r = virsh(uri, "update-device", GFX, f, "--live")
        g2 = live_graphics("spice")
        tap.ok(r.rc == 0 and g2 is not None and g2.get("passwd") == "spice-pw" and
               g2.get("connected") == "disconnect",
               "update-device --live of SPICE's password, connected='disconnect'",
               r.describe() + (ET.tostring(g2, encoding="unicode") if g2 is not None else ""))
    g = live_graphics("vnc")
    if tap.ok(g is not None, "the live VNC graphics, again"):
        g.set("keymap", "de")
        f = harness.write_file(tmp, GFX + "-keymap.xml", ET.tostring(g, encoding="unicode"))
        r = virsh(uri, "update-device", GFX, f, "--live")
        tap.ok(r.rc == 1 and r.err, "update-device --live of the VNC keymap is refused",
               r.describe())


COOKIE = "vgm-cookies"
COOKIE_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <disk type='network' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source protocol='https' name='/isos/install.iso' query='token=1'>
        <host name='images.example.org'/>
        <cookies>
          <cookie name='session'>s3cr3t-cookie</cookie>
        </cookies>
      </source>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
""" % COOKIE


def cookie_tests(tap, target, tmp):
    """An https disk's HTTP cookies are secret, as libvirt keeps them:
    `dumpxml` leaves <cookies> out (the rest of the source kept),
    `dumpxml --security-info` shows them, `virsh -r dumpxml
    --security-info` is refused."""
    uri = target.uri
    f = harness.write_file(tmp, COOKIE + ".xml", COOKIE_XML)
    r = virsh(uri, "define", f)
    if not tap.ok(r.rc == 0, "virsh define: an https CD-ROM with cookies", r.describe()):
        return
    try:
        r = virsh(uri, "dumpxml", "--inactive", COOKIE)
        d = xml_root(tap, r.out, "dumpxml --inactive of the https disk")
        src = d.find("devices/disk/source") if d is not None else None
        tap.ok(src is not None and src.find("cookies") is None and
               src.get("query") == "token=1" and "s3cr3t" not in r.out,
               "dumpxml: the cookies left out, the source kept", r.describe())
        r = virsh(uri, "dumpxml", "--inactive", "--security-info", COOKIE)
        d = xml_root(tap, r.out, "dumpxml --inactive --security-info")
        c = d.find("devices/disk/source/cookies/cookie") if d is not None else None
        tap.ok(c is not None and c.get("name") == "session" and c.text == "s3cr3t-cookie",
               "dumpxml --security-info: the cookie", r.describe())
        r = virsh(target.ro_uri, "dumpxml", "--security-info", COOKIE, readonly=True)
        tap.ok(r.rc == 1 and "s3cr3t" not in r.out,
               "virsh -r dumpxml --security-info is refused (cookies)", r.describe())
    finally:
        virsh(uri, "undefine", COOKIE)


def domstate(uri, name):
    return virsh(uri, "domstate", "--reason", name).out.strip()


BYPASS = "vgmtest-virsh-bypass"


def resident(path):
    """How many bytes of file @path the host's page cache holds
    (util-linux's fincore), or None where it cannot tell."""
    try:
        r = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", path],
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return int(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip().isdigit() else None


def at_most_a_page(path):
    """Whether the page cache holds no more than a page of file @path."""
    n = resident(path)
    return n is not None and n <= 4096


def bypass_cache_tests(tap, target, tmp):
    """The BYPASS_CACHE flags, which libvirtd 9.0 takes (2026-12-07): a save,
    a managed save, a restore, a start from a managed save image and a
    memory-only dump with --bypass-cache do what they do without it, and
    leave no more than a page of the file in the host's page cache
    (util-linux's fincore; libvirtd writes and reads the image's header
    through the cache), where the same save without the flag leaves its
    pages there. (libvirtd writes such files with O_DIRECT; virt-gmem
    drops them from the cache once written or read.) Skipped without
    fincore."""
    uri = target.uri
    names = ["virsh save without --bypass-cache: the image's pages are in the page cache",
             "virsh save --bypass-cache: saved, no more than a page of the image cached",
             "virsh restore --bypass-cache: restored, no more than a page of the image cached",
             "virsh managedsave --bypass-cache, then start --bypass-cache: restored",
             "virsh dump --memory-only --bypass-cache: written, no more than a page of it cached"]
    if resident("/proc/self/exe") is None and resident(sys.executable) is None:
        for n in names:
            tap.skip(n, "util-linux's fincore cannot tell what the page cache holds here")
        return
    f = harness.write_file(tmp, BYPASS + ".xml", harness.domain_xml(BYPASS))
    virsh(uri, "define", f)
    try:
        plain, img, dump = (os.path.join(tmp, n) for n in ("bp-plain.img", "bp.img", "bp.dump"))
        virsh(uri, "start", BYPASS)
        r = virsh(uri, "save", BYPASS, plain)
        tap.ok(r.rc == 0 and (resident(plain) or 0) > 0, names[0],
               r.describe() + "resident %r" % resident(plain))
        virsh(uri, "restore", plain)
        r = virsh(uri, "save", "--bypass-cache", BYPASS, img)
        tap.ok(r.rc == 0 and domstate(uri, BYPASS) == "shut off (saved)" and
               at_most_a_page(img), names[1], r.describe() + "resident %r" % resident(img))
        r = virsh(uri, "restore", "--bypass-cache", img)
        tap.ok(r.rc == 0 and domstate(uri, BYPASS) == "running (restored)" and
               at_most_a_page(img),
               names[2], r.describe() + "resident %r" % resident(img))
        r = virsh(uri, "managedsave", "--bypass-cache", BYPASS)
        r2 = virsh(uri, "start", "--bypass-cache", BYPASS)
        tap.ok(r.rc == 0 and r2.rc == 0 and domstate(uri, BYPASS) == "running (restored)",
               names[3], r.describe() + r2.describe())
        r = virsh(uri, "dump", "--memory-only", "--bypass-cache", BYPASS, dump)
        tap.ok(r.rc == 0 and os.path.getsize(dump) > 0 and at_most_a_page(dump), names[4],
               r.describe() + "resident %r" % (os.path.exists(dump) and resident(dump)))
    finally:
        virsh(uri, "destroy", BYPASS)
        virsh(uri, "undefine", "--managed-save", BYPASS)


KSV = "vgmtest-virsh-killsave"


def killed_save_tests(tap, target, tmp):
    """A save whose daemon is killed (SIGKILL) in it, then a new daemon on
    the same root, as libvirt recovers a save its daemon died in: killed
    once the guest is paused, or once QEMU wrote the image into its
    temporary file, the guest runs again and no image or temporary is
    left; killed once the image is in place, the save is finished (shut
    off, saved) and the image restores. Our daemon only (it stops at
    these points for the test: VIRT_GMEM_TEST_PAUSE_AT)."""
    points = [("save-after-stop", "the guest paused"),
              ("save-before-commit", "the image written into its temporary"),
              ("save-after-commit", "the image in place")]
    if target.reference:
        for point, what in points:
            tap.skip("a save whose daemon is killed with %s" % what,
                     "our daemon's test pause points")
        return
    for point, what in points:
        img = os.path.join(tmp, "kill-%s.img" % point)
        os.environ["VIRT_GMEM_TEST_PAUSE_AT"] = point
        try:
            d = harness.Daemon()
            d.start()
        finally:
            del os.environ["VIRT_GMEM_TEST_PAUSE_AT"]
        d2 = None
        try:
            f = harness.write_file(tmp, KSV + ".xml", harness.domain_xml(KSV))
            virsh(d.uri, "define", f)
            virsh(d.uri, "start", KSV)
            before = harness.qemus_naming("guest=%s," % KSV)
            saver = subprocess.Popen(["virsh", "-c", d.uri, "save", KSV, img],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and \
                    ("paused at %s" % point) not in d.log_tail():
                time.sleep(0.05)
            paused = ("paused at %s" % point) in d.log_tail()
            d.proc.kill()
            d.proc.wait()
            saver.wait(30)
            d2 = harness.Daemon(root=d.root)
            d2.start()
            state = virsh(d2.uri, "domstate", "--reason", KSV).out.strip()
            temps = [n for n in os.listdir(tmp) if n.startswith(".kill-%s.img." % point)]
            if point == "save-after-commit":
                r = virsh(d2.uri, "restore", img)
                tap.ok(paused and state == "shut off (saved)" and os.path.exists(img) and
                       not temps and r.rc == 0 and
                       virsh(d2.uri, "domstate", KSV).out.strip() == "running",
                       "a save whose daemon is killed with %s: finished by the next daemon "
                       "(shut off, saved), and the image restores" % what,
                       "state %r temps %r" % (state, temps) + r.describe())
            else:
                tap.ok(paused and state.startswith("running") and not os.path.exists(img) and
                       not temps and harness.qemus_naming("guest=%s," % KSV) == before,
                       "a save whose daemon is killed with %s: the next daemon lets the guest "
                       "run on in its QEMU, no image or temporary left" % what,
                       "paused %r state %r temps %r" % (paused, state, temps))
        finally:
            u = (d2 or d).uri
            virsh(u, "destroy", KSV)
            virsh(u, "undefine", KSV)
            if d2:
                d2.stop()
            d.stop()


def reset_nvram_tests(tap, target, tmp):
    """The RESET_NVRAM flags, which libvirtd 9.0 takes (2026-12-07): a UEFI
    domain's varstore, written on since its template was copied, is its
    template again after `virsh start --reset-nvram`, and after `virsh
    restore --reset-nvram` of a save image; a start without the flag keeps
    it as it is; a BIOS domain takes the flag and has nothing to reset.
    Skipped without Debian's ovmf."""
    uri = target.uri
    names = ["virsh start without --reset-nvram keeps the varstore as it is",
             "virsh start --reset-nvram: the varstore is its template again",
             "virsh restore --reset-nvram: restored, the varstore its template again",
             "virsh start --reset-nvram of a BIOS domain: started, nothing to reset"]
    template = "/usr/share/OVMF/OVMF_VARS_4M.fd"
    if not os.path.exists(template):
        for n in names:
            tap.skip(n, "Debian's ovmf is not installed")
        return
    f = harness.write_file(tmp, EFI + "-reset.xml", """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type>
    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>
    <nvram template='%s'>%s</nvram></os>
  <features><acpi/></features>
  <devices><memballoon model='none'/></devices>
</domain>""" % (EFI, template, os.path.join(tmp, "reset_VARS.fd")))
    varstore = os.path.join(tmp, "reset_VARS.fd")
    with open(template, "rb") as t:
        pristine = t.read()

    def scribble():
        with open(varstore, "r+b") as v:
            v.seek(len(pristine) - 16)
            v.write(b"virt-gmem-test!!")

    def now():
        with open(varstore, "rb") as v:
            return v.read()

    r = virsh(uri, "define", f)
    try:
        virsh(uri, "start", "--paused", EFI)
        virsh(uri, "destroy", EFI)
        scribble()
        r = virsh(uri, "start", "--paused", EFI)
        tap.ok(r.rc == 0 and now() != pristine, names[0], r.describe())
        virsh(uri, "destroy", EFI)
        r = virsh(uri, "start", "--paused", "--reset-nvram", EFI)
        tap.ok(r.rc == 0 and now() == pristine, names[1], r.describe())
        img = os.path.join(tmp, "reset.img")
        r0 = virsh(uri, "save", EFI, img)
        scribble()
        r = virsh(uri, "restore", "--paused", "--reset-nvram", img)
        tap.ok(r0.rc == 0 and r.rc == 0 and domstate(uri, EFI).startswith("paused") and
               now() == pristine, names[2], r0.describe() + r.describe())
        virsh(uri, "destroy", EFI)
    finally:
        virsh(uri, "undefine", "--nvram", EFI)
    f = harness.write_file(tmp, BYPASS + "-bios.xml", harness.domain_xml(BYPASS))
    virsh(uri, "define", f)
    r = virsh(uri, "start", "--paused", "--reset-nvram", BYPASS)
    tap.ok(r.rc == 0 and domstate(uri, BYPASS).startswith("paused"), names[3], r.describe())
    virsh(uri, "destroy", BYPASS)
    virsh(uri, "undefine", BYPASS)


def save_tests(tap, target, tmp):
    """Captured from virsh 9.0 against libvirtd 9.0 (2026-12-02):
    `virsh managedsave` -> "\nDomain 'X' state saved by libvirt\n\n",
    domstate --reason "shut off (saved)", dominfo "Managed save:   yes",
    `list --all --managed-save` state "saved", `undefine` refused (virsh
    asks first), `managedsave-dumpxml` the domain's XML, `start` ->
    "running (restored)" and no image; `save X FILE` -> "\nDomain 'X'
    saved to FILE\n\n", `save-image-dumpxml FILE`, `restore FILE
    --paused` -> "Domain restored from FILE\n\n" and a paused domain
    (the image's VNC websocket='-1' where its start chose the port),
    "paused (migrating)" (before it, `save-image-define FILE XML` ->
    "State file FILE updated.\n\n" with a description added, and one
    that changes the machine type refused, the image unchanged; captured
    2026-12-03), a second restore refused (it runs; libvirtd:
    "is already active", we: "is already running"), `start --force-boot` with a
    managed save image boots ("running (booted)") and removes it (before
    it, `managedsave-define DOM XML --paused` -> "Managed save state file
    of domain 'X' updated.\n\n" and the start leaves it paused), and
    `managedsave` of a transient domain is refused. A save into a missing
    directory fails and the guest runs on; a restore of an image cut
    after 24 bytes fails and the domain stays shut off (saved)."""
    uri = target.uri
    # (with a VNC websocket whose port each start chooses)
    f = harness.write_file(tmp, SV + ".xml", harness.domain_xml(SV).replace(
        "</devices>", "<graphics type='vnc' websocket='-1'/></devices>", 1))
    r = virsh(uri, "define", f)
    if not tap.ok(r.rc == 0, "virsh define (save)", r.describe()):
        return
    img = os.path.join(tmp, "save.img")
    try:
        virsh(uri, "start", SV)
        r = virsh(uri, "managedsave", SV)
        tap.eq((r.rc, r.out), (0, "\nDomain '%s' state saved by libvirt\n\n" % SV),
               "virsh managedsave")
        tap.eq(domstate(uri, SV), "shut off (saved)", "domstate --reason: shut off (saved)")
        r = virsh(uri, "dominfo", SV)
        tap.ok(re.search(r"^Managed save:\s+yes$", r.out, re.M) is not None,
               "dominfo: Managed save: yes", r.describe())
        r = virsh(uri, "list", "--all", "--managed-save")
        tap.ok(re.search(r"^ -\s+%s\s+saved$" % re.escape(SV), r.out, re.M) is not None,
               "list --all --managed-save: state saved", r.describe())
        r = virsh(uri, "list", "--all", "--with-managed-save", "--name")
        tap.ok(SV in r.out.split(), "list --all --with-managed-save names it", r.describe())
        r = virsh(uri, "undefine", SV)
        tap.ok(r.rc == 1 and "managed save" in r.err,
               "undefine with a managed save image is refused", r.describe())
        r = virsh(uri, "managedsave-dumpxml", SV)
        tap.ok(r.rc == 0 and "<name>%s</name>" % SV in r.out, "managedsave-dumpxml",
               r.describe())
        r = virsh(uri, "start", SV)
        tap.eq((r.rc, r.out), (0, "Domain '%s' started\n\n" % SV), "virsh start (restore)")
        tap.eq(domstate(uri, SV), "running (restored)", "domstate --reason: running (restored)")
        r = virsh(uri, "dominfo", SV)
        tap.ok(re.search(r"^Managed save:\s+no$", r.out, re.M) is not None,
               "the image is spent: Managed save: no", r.describe())
        # a save that cannot write its image fails and leaves the guest running
        bad = os.path.join(tmp, "no-such-dir", "save.img")
        r = virsh(uri, "save", SV, bad)
        tap.ok(r.rc == 1 and domstate(uri, SV).startswith("running") and
               not os.path.exists(os.path.dirname(bad)),
               "save into a missing directory fails; the guest runs on", r.describe())
        r = virsh(uri, "save", SV, img)
        tap.eq((r.rc, r.out), (0, "\nDomain '%s' saved to %s\n\n" % (SV, img)), "virsh save")
        # a damaged image (cut after its first bytes) is refused
        cut = os.path.join(tmp, "cut.img")
        with open(img, "rb") as src, open(cut, "wb") as dst:
            dst.write(src.read(24))
        r = virsh(uri, "restore", cut)
        tap.ok(r.rc == 1 and domstate(uri, SV) == "shut off (saved)" and
               (target.reference or "save image '%s' is damaged" % cut in r.err),
               "restore of a damaged image fails (ours: naming it); the domain stays shut off",
               r.describe())
        tap.eq(domstate(uri, SV), "shut off (saved)", "after save: shut off (saved)")
        r = virsh(uri, "save-image-dumpxml", img)
        tap.ok(r.rc == 0 and "<name>%s</name>" % SV in r.out, "save-image-dumpxml",
               r.describe())
        tap.ok(re.search(r"<graphics type='vnc'[^>]* websocket='-1'", r.out) is not None,
               "the image asks for a websocket port of the restore's choosing (websocket='-1'), "
               "as libvirt's does", r.out)
        tap.ok("<serial type='pty'>" in r.out and "/dev/pts/" not in r.out,
               "the image names no pty of the saved run's serial port, as libvirt's does", r.out)
        tap.ok("<alias " not in r.out and " id='" not in r.out.split("\n", 1)[0] and
               re.search(r"<graphics type='vnc' port='-1' autoport='yes'", r.out) and
               "state='" not in r.out,
               "the image's XML is a definition, as libvirt's: no alias, no domain id, no "
               "port the run chose, no channel state", r.out)
        # its XML changed where the host's side is (a description), and
        # refused where the guest's is (its machine type), the image
        # unchanged
        saved = r.out
        f2 = harness.write_file(tmp, "save-described.xml", saved.replace(
            "</name>", "</name>\n  <description>saved guest</description>", 1))
        r = virsh(uri, "save-image-define", img, f2)
        r2 = virsh(uri, "save-image-dumpxml", img)
        tap.eq((r.rc, r.out, r.err, "<description>saved guest</description>" in r2.out),
               (0, "State file %s updated.\n\n" % img, "", True),
               "virsh save-image-define: a description added to the image's XML")
        described = r2.out
        changed = re.sub(r"machine='pc-q35-[0-9.]+'", "machine='pc-q35-7.1'", described, count=1)
        f3 = harness.write_file(tmp, "save-machine.xml", changed)
        r = virsh(uri, "save-image-define", img, f3)
        r2 = virsh(uri, "save-image-dumpxml", img)
        tap.ok(changed != described and r.rc == 1 and r2.out == described and
               (target.reference or "changes /domain/os/type/@machine of the guest" in r.err),
               "virsh save-image-define that changes the guest's machine type is refused (ours: "
               "naming it), the image unchanged", r.describe())
        # written by hand: no <console> for the serial port, no PCI
        # address, no alias; read as libvirt reads a definition, it is
        # the same guest, and the image's XML has them back
        bare = re.sub(r"\s*<console\b.*?</console>", "", described, flags=re.S)
        bare = re.sub(r"\s*<address type='pci'[^>]*/>", "", bare)
        bare = re.sub(r"\s*<alias name='[^']*'/>", "", bare)
        bare = bare.replace("<description>saved guest</description>",
                            "<description>saved guest, by hand</description>", 1)
        f4 = harness.write_file(tmp, "save-by-hand.xml", bare)
        r = virsh(uri, "save-image-define", img, f4)
        r2 = virsh(uri, "save-image-dumpxml", img)
        pci = re.compile(r"<address type='pci'[^>]*/>")
        tap.ok("<console" in described and "<console" not in bare and
               "<address type='pci'" not in bare and r.rc == 0 and
               "by hand</description>" in r2.out and "<console type='pty'" in r2.out and
               pci.findall(r2.out) == pci.findall(described),
               "virsh save-image-define of a hand-written XML (no console, PCI address "
               "or alias): accepted; the image's XML has the console and the same PCI "
               "addresses", r.describe() + r2.describe())
        # the machine by QEMU's alias, as the domain's original XML names
        # it: the versioned machine the guest runs, as a define reads it
        aliased = re.sub(r"machine='pc-q35-[0-9.]+'", "machine='q35'", bare, count=1)
        f5 = harness.write_file(tmp, "save-alias.xml", aliased)
        r = virsh(uri, "save-image-define", img, f5)
        r2 = virsh(uri, "save-image-dumpxml", img)
        tap.ok(aliased != bare and r.rc == 0 and
               re.search(r"machine='pc-q35-[0-9.]+'", r2.out) is not None,
               "virsh save-image-define of an XML naming the machine 'q35': accepted, the "
               "image keeps the versioned machine", r.describe() + r2.describe())
        r = virsh(uri, "restore", img, "--paused")
        tap.eq((r.rc, r.out), (0, "Domain restored from %s\n\n" % img),
               "virsh restore --paused")
        tap.eq(domstate(uri, SV), "paused (migrating)", "restored paused: paused (migrating)")
        r = virsh(uri, "restore", img)
        tap.ok(r.rc == 1 and harness.by_mode(target, "is already active",
                                             "is already running") in r.err,
               "restore of a running domain is refused", r.describe())
        r = virsh(uri, "resume", SV)
        tap.ok(r.rc == 0 and domstate(uri, SV) == "running (unpaused)",
               "virsh resume of the restored domain", r.describe())
        save_xml_tests(tap, uri, target, tmp)
        # a managed image told to leave the guest paused
        virsh(uri, "managedsave", SV)
        r = virsh(uri, "managedsave-define", SV, f2, "--paused")
        tap.eq((r.rc, r.out, r.err),
               (0, "Managed save state file of domain '%s' updated.\n\n" % SV, ""),
               "virsh managedsave-define --paused")
        r = virsh(uri, "start", SV)
        tap.ok(r.rc == 0 and domstate(uri, SV).startswith("paused") and
               "<description>saved guest</description>" in virsh(uri, "dumpxml", SV).out,
               "start from it: paused, with the described XML", r.describe() + domstate(uri, SV))
        virsh(uri, "destroy", SV)
        virsh(uri, "managedsave", SV)
        r = virsh(uri, "start", "--force-boot", SV)
        tap.ok(r.rc == 0 and domstate(uri, SV) == "running (booted)",
               "start --force-boot with a managed save image boots", r.describe())
        r = virsh(uri, "dominfo", SV)
        tap.ok(re.search(r"^Managed save:\s+no$", r.out, re.M) is not None,
               "... and removes the image", r.describe())
        virsh(uri, "destroy", SV)
    finally:
        virsh(uri, "undefine", "--managed-save", SV)
    r = virsh(uri, "create", f)
    if tap.ok(r.rc == 0, "virsh create (transient, save)", r.describe()):
        r = virsh(uri, "managedsave", SV)
        tap.ok(r.rc == 1 and "transient" in r.err, "managedsave of a transient domain is refused",
               r.describe())
        virsh(uri, "destroy", SV)


def save_xml_tests(tap, uri, target, tmp):
    """`virsh save --xml` and `virsh restore --xml` (the dxml of
    virDomainSaveFlags and virDomainRestoreFlags) on running domain SV:
    a save whose XML changes the machine type is refused before the guest
    stops (it runs on, no image); one that adds a title writes it into the
    image; a restore whose XML changes the machine type is refused (shut
    off, the image unchanged); one that adds a description starts the
    guest with it. The XML given is `dumpxml --migratable`'s, as libvirt
    wants it. Captured from virsh 9.0 against libvirtd 9.0 (2026-12-03):
    the same outcomes."""
    img = os.path.join(tmp, "save-xml.img")
    # (libvirt compares a save's XML with the migratable form of the live
    # one: the plain live XML's <cpu check='full'> is refused there)
    live = virsh(uri, "dumpxml", "--migratable", SV).out
    moved = re.sub(r"machine='pc-q35-[0-9.]+'", "machine='pc-q35-7.1'", live, count=1)
    f = harness.write_file(tmp, "save-xml-machine.xml", moved)
    r = virsh(uri, "save", SV, img, "--xml", f)
    tap.ok(moved != live and r.rc == 1 and domstate(uri, SV).startswith("running") and
           not os.path.exists(img) and
           (target.reference or "changes /domain/os/type/@machine of the guest" in r.err),
           "virsh save --xml that changes the machine type is refused (ours: naming it); "
           "the guest runs on, no image", r.describe())
    f = harness.write_file(tmp, "save-xml-title.xml", live.replace(
        "</name>", "</name>\n  <title>saved with an XML</title>", 1))
    r = virsh(uri, "save", SV, img, "--xml", f)
    r2 = virsh(uri, "save-image-dumpxml", img)
    tap.ok(r.rc == 0 and domstate(uri, SV) == "shut off (saved)" and
           "<title>saved with an XML</title>" in r2.out,
           "virsh save --xml: the image holds the given XML (a title added)",
           r.describe() + r2.describe())
    saved = r2.out
    moved = re.sub(r"machine='pc-q35-[0-9.]+'", "machine='pc-q35-7.1'", saved, count=1)
    f = harness.write_file(tmp, "restore-xml-machine.xml", moved)
    r = virsh(uri, "restore", img, "--xml", f)
    tap.ok(moved != saved and r.rc == 1 and domstate(uri, SV) == "shut off (saved)" and
           virsh(uri, "save-image-dumpxml", img).out == saved and
           (target.reference or "changes /domain/os/type/@machine of the guest" in r.err),
           "virsh restore --xml that changes the machine type is refused (ours: naming it); "
           "shut off, the image unchanged", r.describe())
    # (and another pty path for the serial port: a host side, which
    # libvirt's ABI check passes over; each run of QEMU opens its own pty)
    given = re.sub(r"\s*<description>.*?</description>", "", saved, flags=re.S).replace(
        "</name>", "</name>\n  <description>restored with an XML</description>", 1)
    # (libvirt's image names no pty, ours named the saved run's before
    # 2026-12-06: either way the given XML names another one)
    given = re.sub(r"\s*<source path='/dev/pts/[0-9]+'/>", "", given)
    pty = "<serial type='pty'>" in given
    given = given.replace("<serial type='pty'>",
                          "<serial type='pty'>\n      <source path='/dev/pts/9999'/>", 1)
    f = harness.write_file(tmp, "restore-xml-desc.xml", given)
    r = virsh(uri, "restore", img, "--xml", f)
    x = virsh(uri, "dumpxml", SV).out
    tap.ok(r.rc == 0 and domstate(uri, SV).startswith("running") and pty and
           "<description>restored with an XML</description>" in x and
           "<title>saved with an XML</title>" in x and "/dev/pts/9999" not in x,
           "virsh restore --xml: the guest runs with the given XML (the image's title, "
           "a description added, another pty path for its serial port, whose pty is the "
           "new QEMU's)", r.describe() + domstate(uri, SV))


ST_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>256</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='%s'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <target dev='sda' bus='sata'/>
    </disk>
    <interface type='user'>
      <mac address='52:54:00:5a:71:01'/>
      <model type='virtio'/>
    </interface>
    <memballoon model='virtio'><stats period='1'/></memballoon>
  </devices>
</domain>
"""


KST = "vgmtest-virsh-kstats"


def kvm_stats_tests(tap, target, tmp):
    """KVM's own statistics in domstats, as libvirtd 9.0 gives them
    (captured 2026-12-06 on a KVM host, a paused kvm64 guest): each
    statistic QEMU's query-stats-schemas names for provider kvm, as
    vm.NAME.SUFFIX (--vm) and vcpu.N.NAME.SUFFIX (--vcpu), the suffix
    .sum for a cumulative one, .cur for an instant one, .max for a peak,
    histograms left out; and in --cpu-total cpu.cache.monitor.count=0 and
    cpu.haltpoll.success.time / fail.time (0 under TCG, where QEMU has no
    KVM statistics, as libvirtd's). The expected names are read from the
    guest's own QEMU, so the check holds under KVM and TCG alike."""
    uri = target.uri
    vt = "kvm" if harness.HAVE_KVM and not harness.kvm_cpu_failure("kvm64") else "qemu"
    f = harness.write_file(tmp, KST + ".xml", cpu_domain_xml(
        KST, vt, "<cpu mode='custom' match='exact'><model>kvm64</model></cpu>"
        if vt == "kvm" else ""))
    r = virsh(uri, "create", "--paused", f, timeout=120)
    if not tap.ok(r.rc == 0, "virsh create --paused (%s, KVM statistics)" % vt, r.describe()):
        return
    try:
        q = virsh(uri, "qemu-monitor-command", KST,
                  '{"execute":"query-stats-schemas","arguments":{"provider":"kvm"}}')
        schemas = json.loads(q.out).get("return", []) if q.rc == 0 else None
        suffix = {"cumulative": "sum", "instant": "cur", "peak": "max"}
        want = {"vm": set(), "vcpu": set()}
        for sc in schemas or []:
            for st in sc.get("stats", []):
                if sc.get("target") in want and st.get("type") in suffix:
                    want[sc["target"]].add("%s.%s" % (st["name"], suffix[st["type"]]))
        r = virsh(uri, "domstats", "--cpu-total", "--vcpu", "--vm", KST)
        got = dict(re.findall(r"^\s+([\w.-]+)=(.*)$", r.out, re.M))
        vm = {k[len("vm."):] for k in got if k.startswith("vm.")}
        vcpu = {k[len("vcpu.0."):] for k in got if k.startswith("vcpu.0.")} - \
            {"state", "time", "wait", "delay"}
        tap.ok(schemas is not None and r.rc == 0 and vm == want["vm"] and
               vcpu == want["vcpu"] and (vt == "qemu" or len(vm) > 0),
               "domstats --vm --vcpu (%s): vm.* and vcpu.0.* are KVM's statistics, "
               "%d and %d as QEMU's schemas name them" % (vt, len(want["vm"]), len(want["vcpu"])),
               "%s\nmissing vm %r, extra vm %r\nmissing vcpu %r, extra vcpu %r" % (
                   r.describe(), want["vm"] - vm, vm - want["vm"], want["vcpu"] - vcpu,
                   vcpu - want["vcpu"]))
        tap.ok(got.get("cpu.cache.monitor.count") == "0" and
               "cpu.haltpoll.success.time" in got and "cpu.haltpoll.fail.time" in got and
               (vt == "kvm" or (got["cpu.haltpoll.success.time"], got["cpu.haltpoll.fail.time"])
                == ("0", "0")),
               "domstats --cpu-total (%s): cpu.cache.monitor.count=0, cpu.haltpoll.*" % vt,
               r.describe())
    finally:
        virsh(uri, "destroy", KST)


def stats_tests(tap, target, tmp):
    """Captured from virsh 9.0 against libvirtd 9.0 (2026-12-02), a
    running domain with a 1 MiB raw virtio disk the firmware reads its
    boot sector from, an empty SATA CD-ROM, a user-mode interface and a
    balloon: `domblkstat DOM vda` -> "vda rd_req 1\nvda rd_bytes 512\n
    vda wr_req 0\nvda wr_bytes 0\nvda flush_operations 0\nvda
    rd_total_times N\n..." and without a disk the sum of both (the
    CD-ROM's reads too); a disk it does not have fails; `domifstat` of
    the user-mode interface fails (no host device); `dommemstat` ->
    "actual 262144\nlast_update 0\nrss N\n"; `domstats --block
    --balloon` -> block.count=2, block.0.name=vda, block.0.path, its
    rd.reqs .. fl.times, allocation, capacity=1048576, block.1.name=sda
    and its counters, balloon.rss; `dommemstat --period 3 --live` -> the
    live XML's <stats period='3'/>, and with --config (a transient
    domain) it fails; `cpu-stats --total` -> "Total:\n\tcpu_time
    N.NNNNNNNNN seconds\n\tuser_time ...\n\tsystem_time ..." (plain
    `cpu-stats` fails on a cgroup v2 host, libvirtd's too)."""
    uri = target.uri
    disk = os.path.join(tmp, "stats.img")
    with open(disk, "wb") as f:
        f.truncate(1024 * 1024)
    # the shut-off domain's block group, read from its images (captured:
    # libvirtd 9.0 gives block.count=2, vda's name, path, capacity and
    # physical (no allocation: the sparse file has no block), sda's name
    # only, 2026-12-06): a monitoring tool's disk sizes of a guest that
    # does not run
    off = harness.write_file(tmp, ST + "-off.xml", ST_XML % (ST + "-off", disk))
    r = virsh(uri, "define", off)
    st = virsh(uri, "domstats", ST + "-off", "--block")
    virsh(uri, "undefine", ST + "-off")
    got = dict(re.findall(r"^\s+(block\.[\w.]+)=(.*)$", st.out, re.M))
    tap.ok(r.rc == 0 and st.rc == 0 and got.get("block.count") == "2" and
           got.get("block.0.name") == "vda" and got.get("block.0.path") == disk and
           got.get("block.0.capacity") == "1048576" and got.get("block.0.physical") == "1048576" and
           "block.0.allocation" not in got and got.get("block.1.name") == "sda" and
           "block.1.path" not in got and "block.0.rd.reqs" not in got,
           "domstats --block of a shut-off domain: each disk's name, and of vda its path and "
           "sizes from the image", st.describe())
    f = harness.write_file(tmp, ST + ".xml", ST_XML % (ST, disk))
    r = virsh(uri, "create", f)
    if not tap.ok(r.rc == 0, "virsh create (stats)", r.describe()):
        return
    try:
        time.sleep(2)
        r = virsh(uri, "domblkstat", ST, "vda")
        got = dict(re.findall(r"^vda (\w+) (\d+)$", r.out, re.M))
        tap.ok(r.rc == 0 and int(got.get("rd_req", 0)) >= 1 and
               int(got.get("rd_bytes", 0)) >= 512 and got.get("wr_req") == "0" and
               list(got) == ["rd_req", "rd_bytes", "wr_req", "wr_bytes", "flush_operations",
                             "rd_total_times", "wr_total_times", "flush_total_times"],
               "domblkstat DOM vda: the firmware's read of the boot sector, no write",
               r.describe())
        r = virsh(uri, "domblkstat", ST, disk)
        tap.ok(r.rc == 0 and re.search(r"rd_req [1-9]", r.out) is not None,
               "domblkstat by the disk's source path", r.describe())
        r = virsh(uri, "domblkstat", ST)
        total = dict(re.findall(r"^ (\w+) (\d+)$", r.out, re.M))
        tap.ok(r.rc == 0 and int(total.get("rd_req", 0)) > int(got.get("rd_req", 0)),
               "domblkstat DOM: the sum of both disks (the CD-ROM's reads too)", r.describe())
        r = virsh(uri, "domblkstat", ST, "vdz")
        tap.ok(r.rc == 1, "domblkstat of a disk the domain does not have fails", r.describe())
        r = virsh(uri, "domifstat", ST, "52:54:00:5a:71:01")
        tap.ok(r.rc == 1, "domifstat of a user-mode interface fails (no host device)",
               r.describe())
        # blockInfo of the empty CD-ROM (libvirtd 9.0: VIR_ERR_INVALID_ARG,
        # "disk 'sda' does not currently have a source assigned",
        # 2026-12-06)
        import libvirt
        code = None
        try:
            libvirt.open(uri).lookupByName(ST).blockInfo("sda")
        except libvirt.libvirtError as e:
            code = e.get_error_code()
        tap.eq(code, libvirt.VIR_ERR_INVALID_ARG,
               "blockInfo of the empty CD-ROM: VIR_ERR_INVALID_ARG, as libvirtd's")
        r = virsh(uri, "dommemstat", ST)
        mem = dict(re.findall(r"^(\w+) (\d+)$", r.out, re.M))
        tap.ok(r.rc == 0 and mem.get("actual") == "262144" and int(mem.get("rss", 0)) > 0,
               "dommemstat: actual 262144 (the balloon) and QEMU's rss", r.describe())
        r = virsh(uri, "domstats", ST, "--block", "--balloon")
        want = ["block.count=2", "block.0.name=vda", "block.0.path=%s" % disk,
                "block.0.capacity=1048576", "block.0.allocation=0", "block.1.name=sda",
                "block.0.wr.reqs=0", "block.0.fl.times=0", "block.1.fl.times=0"]
        tap.ok(r.rc == 0 and all(w in r.out.split() for w in want) and
               re.search(r"block\.0\.rd\.reqs=[1-9]", r.out) and
               re.search(r"balloon\.rss=[1-9]", r.out) and "block.1.capacity" not in r.out,
               "domstats --block --balloon: the disks' names, path, counters and sizes, QEMU's rss",
               r.describe())
        r = virsh(uri, "dommemstat", ST, "--period", "3", "--live")
        x = virsh(uri, "dumpxml", ST)
        tap.ok(r.rc == 0 and "<stats period='3'/>" in x.out,
               "dommemstat --period 3 --live: the live XML's <stats period='3'/>", r.describe())
        r = virsh(uri, "dommemstat", ST, "--period", "3", "--config")
        tap.ok(r.rc == 1, "dommemstat --period --config of a transient domain fails",
               r.describe())
        # virDomainGetCPUStats (262): the totals of QEMU's process; per
        # host CPU refused as libvirt on a cgroup v2 host refuses it
        r = virsh(uri, "cpu-stats", ST, "--total")
        got = re.findall(r"^\t(\w+) +(\d+)\.(\d{9}) seconds$", r.out, re.M)
        ns = {k: int(a) * 10**9 + int(b) for k, a, b in got}
        tap.ok(r.rc == 0 and r.out.startswith("Total:\n") and
               [k for k, _, _ in got] == ["cpu_time", "user_time", "system_time"] and
               ns["cpu_time"] > 0 and
               # (libvirtd reads cpu_time apart from the two: they may
               # differ by its rounding, 2026-12-06: 0.924136 = 0.545003 +
               # 0.379132 + 1 us)
               abs(ns["cpu_time"] - ns["user_time"] - ns["system_time"]) <= 10**7,
               "cpu-stats --total: cpu_time, user_time and system_time of QEMU's process",
               r.describe())
        r = virsh(uri, "cpu-stats", ST)
        tap.ok(r.rc == 1 and "Failed to retrieve CPU statistics" in r.err and
               harness.by_mode(target, "not supported for backend 'cgroup V2'",
                               "per host CPU is not known") in r.err,
               "cpu-stats per host CPU is refused (cgroup v2 keeps no per-CPU time), naming why",
               r.describe())
        dirtyrate_tests(tap, target)
    finally:
        virsh(uri, "destroy", ST)


def dirtyrate_measured(uri, name):
    """domstats --dirtyrate of domain @name once its measurement is done
    (or after 30 s): the virsh result and its dirtyrate.* fields"""
    end = time.monotonic() + 30
    while True:
        m = virsh(uri, "domstats", name, "--dirtyrate")
        if "dirtyrate.calc_status=2" in m.out or time.monotonic() > end:
            break
        time.sleep(0.5)
    return m, dict(re.findall(r"^  dirtyrate\.([\w.]+)=(.*)$", m.out, re.M))


def dirtyrate_tests(tap, target):
    """Captured from virsh 9.0 against libvirtd 9.0 (2026-12-05), a running
    TCG domain: `domstats --dirtyrate` before any measurement ->
    dirtyrate.calc_status=0, calc_start_time=0, calc_period=0,
    calc_mode=page-sampling; `domdirtyrate-calc --seconds 1` -> "Start to
    calculate domain's memory dirty rate successfully.", then status 2 with
    calc_period=1 and megabytes_per_second; --seconds 61 fails (code 67),
    --mode dirty-ring fails (84: no dirty ring)."""
    uri = target.uri
    r = virsh(uri, "domstats", ST, "--dirtyrate")
    before = r.out.split()
    c = virsh(uri, "domdirtyrate-calc", ST, "--seconds", "1")
    m, got = dirtyrate_measured(uri, ST)
    tap.ok(r.rc == 0 and "dirtyrate.calc_mode=page-sampling" in before and
           "dirtyrate.calc_status=0" in before and c.rc == 0 and
           "Start to calculate domain's memory dirty rate successfully." in c.out and
           got.get("calc_status") == "2" and got.get("calc_period") == "1" and
           got.get("calc_mode") == "page-sampling" and
           re.match(r"^\d+$", got.get("megabytes_per_second", "")) is not None and
           int(got.get("calc_start_time", "0")) > 0,
           "domdirtyrate-calc --seconds 1: domstats --dirtyrate goes from unstarted to "
           "measured, with the period, mode and rate", r.describe() + c.describe() + m.describe())
    for args, text in ((["--seconds", "61"], ("seconds=61 is invalid", "1 to 60 seconds")),
                       (["--seconds", "1", "--mode", "dirty-ring"],
                        ("requires dirty-ring feature", "needs KVM's dirty ring"))):
        r = virsh(uri, "domdirtyrate-calc", ST, *args)
        tap.ok(r.rc == 1 and harness.by_mode(target, *text) in r.err,
               "domdirtyrate-calc %s is refused" % " ".join(args), r.describe())
    dirty_ring_tests(tap, target)


def dirty_ring_tests(tap, target):
    """A KVM domain with KVM's dirty ring (<features><kvm><dirty-ring
    state='on' size='4096'/>, -accel kvm,dirty-ring-size=4096):
    `domdirtyrate-calc --seconds 1 --mode dirty-ring` measures in that
    mode, domstats --dirtyrate saying calc_mode=dirty-ring and the rate of
    each vCPU, as libvirt's does (refused before: no definition could
    enable the ring). Needs a usable /dev/kvm whose KVM runs QEMU's
    default vCPU."""
    name = "vgmtest-dirtyring"
    what = "domdirtyrate-calc --mode dirty-ring of a domain with KVM's dirty ring"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK) or not target.daemon:
        tap.skip(what, "no usable /dev/kvm" if target.daemon else "our daemon only")
        return
    why = harness.kvm_cpu_failure("qemu64")
    if why:
        tap.skip(what, "this host's KVM cannot run -cpu qemu64: %s" % why)
        return
    xml = ("<domain type='kvm'><name>%s</name><memory unit='MiB'>128</memory>"
           "<vcpu>2</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>"
           "<features><kvm><dirty-ring state='on' size='4096'/></kvm></features>"
           "<devices><memballoon model='none'/></devices></domain>" % name)
    path = harness.write_file(target.root, name + ".xml", xml)
    uri = target.uri
    try:
        r = virsh(uri, "create", path)
        c = virsh(uri, "domdirtyrate-calc", name, "--seconds", "1", "--mode", "dirty-ring")
        m, got = dirtyrate_measured(uri, name)
        tap.ok(r.rc == 0 and c.rc == 0 and got.get("calc_status") == "2" and
               got.get("calc_mode") == "dirty-ring" and
               "vcpu.0.megabytes_per_second" in got and "vcpu.1.megabytes_per_second" in got,
               what + ": measured in that mode, with each vCPU's rate",
               r.describe() + c.describe() + m.describe())
    finally:
        virsh(uri, "destroy", name)


def autostart_tests(tap, target, tmp):
    """Captured from virsh 9.0 against libvirtd 9.0 (2026-12-02): `virsh
    autostart` -> "Domain 'X' marked as autostarted\n\n", dominfo's
    "Autostart:      enable", `list --all --autostart --name` lists it,
    `autostart --disable` -> "Domain 'X' unmarked as autostarted\n\n";
    `virsh reset` and `virsh reboot` of a shut-off domain fail (rc 1);
    `virsh reboot` of a running one -> "Domain 'X' is being rebooted\n\n"
    (its guest, without an OS, does not act on the ACPI button and runs
    on), `virsh reboot --mode agent` fails (no agent)."""
    uri = target.uri
    f = harness.write_file(tmp, AS + ".xml", harness.domain_xml(AS))
    r = virsh(uri, "define", f)
    if not tap.ok(r.rc == 0, "virsh define (autostart)", r.describe()):
        return
    try:
        r = virsh(uri, "autostart", AS)
        tap.eq((r.rc, r.out), (0, "Domain '%s' marked as autostarted\n\n" % AS), "virsh autostart")
        r = virsh(uri, "dominfo", AS)
        tap.ok(re.search(r"^Autostart:\s+enable$", r.out, re.M) is not None,
               "dominfo: Autostart: enable", r.describe())
        r = virsh(uri, "list", "--all", "--autostart", "--name")
        tap.ok(AS in r.out.split(), "list --all --autostart names it", r.describe())
        r = virsh(uri, "list", "--all", "--no-autostart", "--name")
        tap.ok(AS not in r.out.split(), "list --all --no-autostart does not", r.describe())
        r = virsh(uri, "autostart", "--disable", AS)
        tap.eq((r.rc, r.out), (0, "Domain '%s' unmarked as autostarted\n\n" % AS),
               "virsh autostart --disable")
        r = virsh(uri, "dominfo", AS)
        tap.ok(re.search(r"^Autostart:\s+disable$", r.out, re.M) is not None,
               "dominfo: Autostart: disable", r.describe())
        r = virsh(uri, "reset", AS)
        tap.ok(r.rc == 1, "virsh reset of a shut-off domain fails", r.describe())
        r = virsh(uri, "reboot", AS)
        tap.ok(r.rc == 1, "virsh reboot of a shut-off domain fails", r.describe())
        r = virsh(uri, "start", AS)
        if tap.ok(r.rc == 0, "virsh start (reboot)", r.describe()):
            r = virsh(uri, "reboot", AS)
            tap.eq((r.rc, r.out), (0, "Domain '%s' is being rebooted\n\n" % AS), "virsh reboot")
            r = virsh(uri, "reboot", "--mode", "agent", AS)
            tap.ok(r.rc == 1 and "agent" in r.err, "virsh reboot --mode agent fails (no agent)",
                   r.describe())
            r = virsh(uri, "domstate", AS)
            tap.eq((r.rc, r.out), (0, "running\n\n"), "still running after virsh reboot")
            virsh(uri, "destroy", AS)
    finally:
        virsh(uri, "undefine", AS)


MEM_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>256</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memballoon model='virtio'/>
  </devices>
</domain>
""" % MEM


MD_XML = """<domain type='qemu'>
  <name>%s</name>
  <maxMemory slots='4' unit='MiB'>2048</maxMemory>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/></features>
  <cpu><numa><cell id='0' cpus='0' memory='256' unit='MiB'/></numa></cpu>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memory model='virtio-mem'>
      <target>
        <size unit='MiB'>256</size>
        <node>0</node>
        <block unit='MiB'>2</block>
        <requested unit='MiB'>0</requested>
      </target>
    </memory>
    <memballoon model='none'/>
  </devices>
</domain>
""" % MD

MD_DIMM = """<memory model='dimm'>
  <target>
    <size unit='MiB'>128</size>
    <node>0</node>
  </target>
</memory>
"""


def memdev_tests(tap, target, tmp):
    """Memory devices of a running (paused) domain with a NUMA cell of
    256 MiB and a virtio-mem device of 256 MiB, captured from virsh 9.0
    against libvirtd 9.0 (2026-12-02): dominfo's Max memory 524288 KiB;
    attach-device --live of a 128 MiB DIMM -> "Device attached
    successfully", Max memory 655360, the live XML names it dimm0 (the
    virtio-mem device virtiomem0); update-memory-device --alias
    virtiomem0 --requested-size 128MiB --live -> rc 0, <requested>
    131072 KiB in the live XML; 512MiB, above its size, -> rc 1;
    detach-device --live of the DIMM -> rc 0 while the paused guest
    keeps it. Our daemon: QEMU has the DIMM (query-memory-devices) and
    the virtio-mem device's requested-size is 128 MiB (qom-get).
    Also from libvirtd 9.0 (2026-12-06): the plug's DEVICE_ADDED names the
    DIMM's memory backend, memdimm0; the live XML gives each DIMM its
    slot and QEMU's base address (<address type='dimm' slot='0'
    base='0x...'/>); with three DIMMs plugged, detach-device-alias of the
    middle one (dimm1) -> rc 0; detach-device of a DIMM's XML that all
    three match -> rc 0 (libvirt takes the first); attach-device --config
    of a DIMM -> the config's memory and currentMemory both grow by its
    131072 KiB, and it gets <address type='dimm' slot='0'/>."""
    uri = target.uri
    f = harness.write_file(tmp, MD + ".xml", MD_XML)
    dimm = harness.write_file(tmp, MD + "-dimm.xml", MD_DIMM)
    r = virsh(uri, "define", f)
    if not tap.ok(r.rc == 0, "virsh define (memory devices)", r.describe()):
        return

    def currents(*flags):
        d = xml_root(tap, virsh(uri, "dumpxml", MD, *flags).out, "the XML (memory devices)")
        return [c.text for c in (d.findall("./devices/memory/target/current")
                                 if d is not None else [])]

    def live_mems():
        d = xml_root(tap, virsh(uri, "dumpxml", MD).out, "the live XML (memory devices)")
        out = {}
        for m in (d.findall("./devices/memory") if d is not None else []):
            a = m.find("alias")
            req = m.find("target/requested")
            out[a.get("name") if a is not None else None] = (
                m.get("model"), req.text if req is not None else None)
        return out

    try:
        r = virsh(uri, "start", "--paused", MD, timeout=120)
        if not tap.ok(r.rc == 0, "virsh start --paused (memory devices)", r.describe()):
            return
        tap.eq(mem_info(uri, MD)[0], "524288", "dominfo: Max memory is the cell and the virtio-mem device")
        tap.eq((currents(), currents("--inactive")), (["0"], []),
               "the live XML's virtio-mem device has <current> 0 KiB (the paused guest plugged "
               "nothing); the inactive XML has no <current>")
        events = EventReader(uri)
        time.sleep(1)
        r = virsh(uri, "attach-device", MD, dimm, "--live")
        want = "event 'device-added' for domain '%s': memdimm0" % MD
        events.wait_for(want, 10)
        events.stop()
        tap.eq([l for l in events.for_domain(MD) if "device-added" in l], [want],
               "virsh event: DEVICE_ADDED of the DIMM names its memory backend, memdimm0")
        mems = live_mems()
        tap.ok(r.rc == 0 and r.out == "Device attached successfully\n\n" and
               mem_info(uri, MD)[0] == "655360" and mems.get("dimm0", (None,))[0] == "dimm" and
               mems.get("virtiomem0", (None,))[0] == "virtio-mem",
               "attach-device --live of a 128 MiB DIMM: Max memory 655360 KiB, the live XML names "
               "it dimm0", "%s\n%r %r" % (r.describe(), mem_info(uri, MD), mems))
        if not target.reference:
            got = harness.qmp(target.root, MD, "query-memory-devices").get("return", [])
            tap.ok(any(d.get("type") == "dimm" and d.get("data", {}).get("id") == "dimm0" and
                       d.get("data", {}).get("size") == 128 << 20 for d in got),
                   "QEMU has the DIMM dimm0 of 128 MiB", repr(got))
        r = virsh(uri, "update-memory-device", MD, "--alias", "virtiomem0", "--requested-size",
                  "128MiB", "--live")
        tap.ok(r.rc == 0 and live_mems().get("virtiomem0", (None, None))[1] == "131072" and
               currents() == ["0"],
               "update-memory-device --requested-size 128MiB --live: <requested> 131072 KiB "
               "(the paused guest's <current> stays 0)",
               r.describe() + repr(live_mems()) + repr(currents()))
        if not target.reference:
            got = harness.qmp(target.root, MD, "qom-get",
                              {"path": "/machine/peripheral/virtiomem0",
                               "property": "requested-size"})
            tap.eq(got.get("return"), 128 << 20, "QEMU's requested-size of virtiomem0 is 128 MiB")
        r = virsh(uri, "update-memory-device", MD, "--alias", "virtiomem0", "--requested-size",
                  "512MiB", "--live")
        tap.ok(r.rc == 1 and live_mems().get("virtiomem0", (None, None))[1] == "131072",
               "a requested size above the device's size fails, nothing changes", r.describe())
        d = xml_root(tap, virsh(uri, "dumpxml", MD).out, "the live XML (DIMM address)")
        addr = d.find("./devices/memory[@model='dimm']/address") if d is not None else None
        tap.ok(addr is not None and addr.get("type") == "dimm" and addr.get("slot") == "0" and
               re.fullmatch(r"0x[0-9a-f]+", addr.get("base") or "") is not None,
               "the live XML: the plugged DIMM is in slot 0 at QEMU's base address",
               repr(addr.attrib if addr is not None else None))
        for _ in range(2):
            r = virsh(uri, "attach-device", MD, dimm, "--live")
            tap.eq(r.rc, 0, "attach-device --live of another DIMM")
        d = xml_root(tap, virsh(uri, "dumpxml", MD).out, "the live XML (three DIMMs)")
        slots = sorted(m.find("address").get("slot") for m in
                       (d.findall("./devices/memory[@model='dimm']") if d is not None else [])
                       if m.find("address") is not None)
        tap.eq(slots, ["0", "1", "2"], "the three DIMMs are in slots 0, 1 and 2")
        r = virsh(uri, "detach-device-alias", MD, "dimm1", "--live", timeout=120)
        tap.ok(r.rc == 0, "detach-device-alias --live of the middle DIMM (dimm1) is asked",
               r.describe())
        r = virsh(uri, "detach-device", MD, dimm, "--live", timeout=120)
        tap.ok(r.rc == 0 and "dimm0" in live_mems(),
               "detach-device --live of the DIMM's XML, which all of them match: asked of the "
               "first, succeeds; the paused guest keeps it", r.describe())
    finally:
        virsh(uri, "destroy", MD, timeout=60)
    # the config: a DIMM attached grows its memory and current memory
    d = xml_root(tap, virsh(uri, "dumpxml", MD, "--inactive").out, "the config (memory devices)")
    before = (d.findtext("memory"), d.findtext("currentMemory")) if d is not None else None
    r = virsh(uri, "attach-device", MD, dimm, "--config")
    d = xml_root(tap, virsh(uri, "dumpxml", MD, "--inactive").out, "the config with a DIMM")
    addr = d.find("./devices/memory[@model='dimm']/address") if d is not None else None
    tap.ok(r.rc == 0 and before == ("524288", "524288") and
           (d.findtext("memory"), d.findtext("currentMemory")) == ("655360", "655360") and
           addr is not None and addr.get("type") == "dimm" and addr.get("slot") == "0",
           "attach-device --config of a DIMM: memory and currentMemory 524288 -> 655360 KiB, "
           "the DIMM in slot 0", "%s %r %r" % (r.describe(), before,
                                                addr.attrib if addr is not None else None))
    virsh(uri, "undefine", MD)


def api_error(uri, name, call):
    """(code, message) of the libvirtError that call(domain) raises
    through python3-libvirt (the client library virsh uses), or
    ('no error', result)."""
    import libvirt
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    conn = libvirt.open(uri)
    try:
        return ("no error", call(conn.lookupByName(name)))
    except libvirt.libvirtError as e:
        return (e.get_error_code(), e.get_error_message())
    finally:
        conn.close()


def mem_info(uri, name):
    r = virsh(uri, "dominfo", name)
    got = dict(re.findall(r"^(Max memory|Used memory):\s+(\d+) KiB$", r.out, re.M))
    return got.get("Max memory"), got.get("Used memory")


def memory_tests(tap, target, tmp):
    """setmem and setmaxmem, captured from virsh 9.0 against libvirtd 9.0
    (2026-12-02) for the config: `setmem 128M --config` of a shut-off
    256 MiB domain -> rc 0, dominfo 262144 / 131072 KiB; `setmaxmem 200M
    --config` -> 204800 / 131072; `setmem 300M --config` -> rc 1 (above
    the maximum); started, `setmem 100M --live` -> rc 0, `setmaxmem 150M
    --live` -> rc 1; destroyed, the config still has 204800 / 131072.
    The live XML's <currentMemory> is what the balloon holds: 204800 after
    the start and after setmem --live, as this guest has no balloon
    driver."""
    uri = target.uri
    f = harness.write_file(tmp, MEM + ".xml", MEM_XML)
    r = virsh(uri, "define", f)
    if not tap.ok(r.rc == 0, "virsh define (memory)", r.describe()):
        return
    try:
        # the balloon's statistics period in the config: 5 s, then 0 (off),
        # which libvirt writes as no <stats> at all (libvirtd 9.0, 2026-12-06)
        r = virsh(uri, "dommemstat", MEM, "--period", "5", "--config")
        d = xml_root(tap, virsh(uri, "dumpxml", "--inactive", MEM).out, "the config (period 5)")
        st = d.find("devices/memballoon/stats") if d is not None else None
        r2 = virsh(uri, "dommemstat", MEM, "--period", "0", "--config")
        d2 = xml_root(tap, virsh(uri, "dumpxml", "--inactive", MEM).out, "the config (period 0)")
        tap.ok(r.rc == 0 and st is not None and st.get("period") == "5" and r2.rc == 0 and
               d2 is not None and d2.find("devices/memballoon/stats") is None,
               "dommemstat --period 5 --config: <stats period='5'/>; --period 0: no <stats>",
               r.describe() + r2.describe())
        r = virsh(uri, "setmem", MEM, "128M", "--config")
        tap.eq((r.rc, mem_info(uri, MEM)), (0, ("262144", "131072")),
               "setmem --config: the current memory of the config")
        r = virsh(uri, "setmaxmem", MEM, "200M", "--config")
        tap.eq((r.rc, mem_info(uri, MEM)), (0, ("204800", "131072")),
               "setmaxmem --config: the maximum of the config")
        r = virsh(uri, "setmem", MEM, "300M", "--config")
        tap.eq((r.rc, mem_info(uri, MEM)), (1, ("204800", "131072")),
               "setmem above the maximum is refused, nothing changed")
        r = virsh(uri, "start", "--paused", MEM, timeout=120)
        if not tap.ok(r.rc == 0, "virsh start --paused (memory)", r.describe()):
            return
        d = xml_root(tap, virsh(uri, "dumpxml", MEM).out, "the live XML after the start")
        tap.eq(d.findtext("currentMemory") if d is not None else None, "204800",
               "the live XML: <currentMemory> is what the balloon holds, 204800 KiB (a guest "
               "without a balloon driver gave nothing back)")
        r = virsh(uri, "setmem", MEM, "100M", "--live")
        tap.eq(r.rc, 0, "setmem --live: the balloon's target")
        r = virsh(uri, "dumpxml", MEM)
        d = xml_root(tap, r.out, "the live XML after setmem --live")
        tap.eq(d.findtext("currentMemory") if d is not None else None, "204800",
               "the live XML after setmem --live: <currentMemory> stays what the balloon holds "
               "until the guest's driver gives memory back")
        r = virsh(uri, "setmaxmem", MEM, "150M", "--live")
        tap.eq(r.rc, 1, "setmaxmem --live is refused")
        # the config of a running domain (the size it has already)
        r = virsh(uri, "setmem", MEM, "128M", "--config")
        tap.ok(r.rc == 0, "setmem --config of the running domain", r.describe())
        virsh(uri, "destroy", MEM, timeout=60)
        tap.eq(mem_info(uri, MEM), ("204800", "131072"),
               "the config kept its memory through the live changes")
    finally:
        virsh(uri, "destroy", MEM, timeout=60)
        virsh(uri, "undefine", MEM)


DEV_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='none'/>
    <controller type='pci' index='1' model='pcie-root-port'/>
    <controller type='pci' index='2' model='pcie-root-port'/>
    <controller type='pci' index='3' model='pcie-root-port'/>
    <memballoon model='none'/>
  </devices>
</domain>
"""

DEV_DISK = """<disk type='file' device='disk'>
  <driver name='qemu' type='raw'/>
  <source file='%s'/>
  <target dev='vdb' bus='virtio'/>
</disk>
"""

DEV_NIC = """<interface type='user'>
  <mac address='52:54:00:12:34:56'/>
  <model type='virtio'/>
</interface>
"""


def inactive_devices(tap, uri, name, what):
    r = virsh(uri, "dumpxml", "--inactive", name)
    d = xml_root(tap, r.out, what)
    return d.find("devices") if d is not None else None


def device_tests(tap, target, tmp):
    """attach-device, detach-device, update-device, attach-disk and
    detach-disk of the config (procedures 160, 161, 174), captured from
    virsh 9.0 against libvirtd 9.0 (2026-12-02): "Device attached
    successfully\n\n", "Device detached successfully\n\n", "Device
    updated successfully\n\n", "Disk attached successfully\n\n", "Disk
    detached successfully\n\n"; a second attach of target vdb fails (rc 1,
    "target vdb already exists"), a detach of an interface that is not
    there fails, attach-device without --config of a shut-off domain fails
    (not running). A running (paused) domain with free root ports:
    attach-device --live hot-plugs (domblklist lists it; virsh event sees
    DEVICE_ADDED with its alias), detach-device
    --live succeeds while the guest, without an OS, keeps the disk (it
    stays listed), attach --live --config changes both. The plugged
    interface: its alias net0 in the live XML, domif-getlink ("MAC
    up\n"), domif-setlink down ("Device updated successfully\n\n") and
    up, the config's link untouched; update-device --live of its model
    fails; domif-setlink up of a link that is up succeeds, as does
    update-device --live of the disk as it is, while one that makes it
    read-only is refused.""" 
    uri = target.uri
    img = os.path.join(tmp, "dev-vdb.img")
    with open(img, "wb") as f:
        f.truncate(1024 * 1024)
    f = harness.write_file(tmp, DEV + ".xml", DEV_XML % DEV)
    disk = harness.write_file(tmp, DEV + "-disk.xml", DEV_DISK % img)
    nic = harness.write_file(tmp, DEV + "-nic.xml", DEV_NIC)
    r = virsh(uri, "define", f)
    if not tap.ok(r.rc == 0, "virsh define (devices)", r.describe()):
        return
    try:
        r = virsh(uri, "attach-device", DEV, disk, "--config")
        tap.eq((r.rc, r.out), (0, "Device attached successfully\n\n"), "attach-device --config (disk)")
        devs = inactive_devices(tap, uri, DEV, "the config after attach-device")
        vdb = [d for d in (devs.findall("disk") if devs is not None else [])
               if d.find("target").get("dev") == "vdb"]
        tap.ok(len(vdb) == 1 and vdb[0].find("source").get("file") == img and
               vdb[0].find("address") is not None and
               vdb[0].find("address").get("type") == "pci",
               "the config has the disk, with a PCI address assigned as at a define")
        r = virsh(uri, "attach-device", DEV, disk, "--config")
        tap.ok(r.rc == 1 and "vdb" in r.err, "a second attach of target vdb fails, naming it",
               r.describe())
        r = virsh(uri, "attach-device", DEV, disk)
        tap.ok(r.rc == 1 and "not running" in r.err,
               "attach-device without --config of a shut-off domain fails (not running)",
               r.describe())
        r = virsh(uri, "attach-device", DEV, nic, "--config")
        tap.eq((r.rc, r.out), (0, "Device attached successfully\n\n"), "attach-device --config (interface)")
        r = virsh(uri, "detach-device", DEV, nic, "--config")
        tap.eq((r.rc, r.out), (0, "Device detached successfully\n\n"), "detach-device --config (interface, by MAC)")
        r = virsh(uri, "detach-device", DEV, nic, "--config")
        tap.ok(r.rc == 1 and "52:54:00:12:34:56" in r.err,
               "a detach of an interface the config does not have fails, naming its MAC",
               r.describe())
        harness.write_file(tmp, DEV + "-disk-ro.xml",
                           (DEV_DISK % img).replace("</disk>", "  <readonly/>\n</disk>"))
        r = virsh(uri, "update-device", DEV, os.path.join(tmp, DEV + "-disk-ro.xml"), "--config")
        tap.eq((r.rc, r.out), (0, "Device updated successfully\n\n"), "update-device --config (disk)")
        devs = inactive_devices(tap, uri, DEV, "the config after update-device")
        vdb = [d for d in (devs.findall("disk") if devs is not None else [])
               if d.find("target").get("dev") == "vdb"]
        tap.ok(len(vdb) == 1 and vdb[0].find("readonly") is not None,
               "the config's vdb is the updated one (read-only)")
        r = virsh(uri, "detach-device", DEV, disk, "--config")
        tap.eq((r.rc, r.out), (0, "Device detached successfully\n\n"), "detach-device --config (disk)")
        r = virsh(uri, "attach-disk", DEV, img, "vdc", "--config")
        tap.eq((r.rc, r.out), (0, "Disk attached successfully\n\n"), "attach-disk --config")
        # a disk is named by its target alone: the <address> of another
        # copy (the live one's, after attach --live --config) does not
        # keep the config's from being detached (libvirtd 9.0, 2026-12-07)
        other = harness.write_file(
            tmp, DEV + "-vdc-addr.xml",
            (DEV_DISK % img).replace("vdb", "vdc").replace(
                "</disk>", "  <address type='pci' domain='0x0000' bus='0x00' slot='0x1e' "
                "function='0x0'/>\n</disk>"))
        r = virsh(uri, "detach-device", DEV, other, "--config")
        tap.eq((r.rc, r.out), (0, "Device detached successfully\n\n"),
               "detach-device --config of a disk given with another <address>: by its target")
        r = virsh(uri, "attach-disk", DEV, img, "vdc", "--config")
        tap.eq((r.rc, r.out), (0, "Disk attached successfully\n\n"), "attach-disk --config again")
        r = virsh(uri, "detach-disk", DEV, "vdc", "--config")
        tap.eq((r.rc, r.out), (0, "Disk detached successfully\n\n"), "detach-disk --config")
        devs = inactive_devices(tap, uri, DEV, "the config at the end")
        tap.ok(devs is not None and devs.find("interface") is None and
               not [d for d in devs.findall("disk")],
               "the config is back to no disk and no interface")
        r = virsh(uri, "start", "--paused", DEV, timeout=120)
        if tap.ok(r.rc == 0, "virsh start --paused (devices)", r.describe()):
            events = EventReader(uri)
            time.sleep(1)
            r = virsh(uri, "attach-device", DEV, disk, "--live")
            tap.eq((r.rc, r.out), (0, "Device attached successfully\n\n"),
                   "attach-device --live (a free root port)")
            want = "event 'device-added' for domain '%s': virtio-disk1" % DEV
            events.wait_for(want, 10)
            events.stop()
            tap.eq([l for l in events.for_domain(DEV) if "device-added" in l], [want],
                   "virsh event: DEVICE_ADDED names the plugged disk's alias")
            r = virsh(uri, "domblklist", DEV)
            tap.ok(re.search(r"^ vdb +%s$" % re.escape(img), r.out, re.M) is not None,
                   "domblklist lists the hot-plugged vdb", r.describe())
            r = virsh(uri, "attach-device", DEV, disk, "--live")
            tap.ok(r.rc == 1 and "vdb" in r.err, "a second live attach of vdb fails", r.describe())
            # the guest (paused, no OS) cannot let the disk go: the call
            # succeeds after its wait, and the disk stays
            r = virsh(uri, "detach-device", DEV, disk, "--live", timeout=120)
            tap.eq((r.rc, r.out), (0, "Device detached successfully\n\n"),
                   "detach-device --live: asked, succeeds")
            r = virsh(uri, "domblklist", DEV)
            tap.ok(re.search(r"^ vdb ", r.out, re.M) is not None,
                   "a disk the guest did not let go of stays in the live XML", r.describe())
            # asked again, QEMU refuses: its words reach the client, with
            # libvirt's VIR_ERR_INTERNAL_ERROR (OpenStack Nova's detach
            # retry waits on when it reads them)
            code = api_error(uri, DEV, lambda d: d.detachDeviceFlags(
                open(disk).read(), 1))
            tap.ok(code[0] == 1 and "already in the process of unplug" in code[1],
                   "a second detach of the disk: VIR_ERR_INTERNAL_ERROR with QEMU's "
                   "'already in the process of unplug'", repr(code))
            r = virsh(uri, "attach-device", DEV, nic, "--live", "--config")
            devs = inactive_devices(tap, uri, DEV, "the config after attach --live --config")
            r2 = virsh(uri, "domiflist", DEV)
            tap.ok(r.rc == 0 and devs is not None and devs.find("interface") is not None and
                   "52:54:00:12:34:56" in r2.out,
                   "attach-device --live --config (interface): in the live domain and the config",
                   r.describe() + "\n" + r2.describe())
            mac = "52:54:00:12:34:56"
            live = xml_root(tap, virsh(uri, "dumpxml", DEV).out, "the live XML (interface)")
            nic_el = live.find("./devices/interface") if live is not None else None
            tap.ok(nic_el is not None and nic_el.find("alias") is not None and
                   nic_el.find("alias").get("name") == "net0",
                   "the live XML names the plugged interface's QEMU id (<alias name='net0'/>)")
            r = virsh(uri, "domif-getlink", DEV, mac)
            tap.eq((r.rc, r.out), (0, "%s up\n" % mac), "domif-getlink: up")
            r = virsh(uri, "domif-setlink", DEV, mac, "down")
            r2 = virsh(uri, "domif-getlink", DEV, mac)
            tap.eq((r.rc, r.out, r2.out), (0, "Device updated successfully\n\n", "%s down\n" % mac),
                   "domif-setlink down (update-device --live of <link state>), domif-getlink: down")
            r = virsh(uri, "domif-getlink", DEV, mac, "--config")
            tap.eq((r.rc, r.out), (0, "%s up\n" % mac), "the config's link stays up")
            r = virsh(uri, "domif-setlink", DEV, mac, "up")
            r2 = virsh(uri, "domif-getlink", DEV, mac)
            tap.eq((r.rc, r2.out), (0, "%s up\n" % mac), "domif-setlink up")
            r = virsh(uri, "domif-setlink", DEV, mac, "up")
            r2 = virsh(uri, "domif-getlink", DEV, mac)
            tap.eq((r.rc, r.out, r2.out), (0, "Device updated successfully\n\n", "%s up\n" % mac),
                   "domif-setlink up of a link that is up: succeeds, nothing changes")
            e1000 = harness.write_file(tmp, DEV + "-nic-e1000.xml",
                                       DEV_NIC.replace("virtio", "e1000"))
            r = virsh(uri, "update-device", DEV, e1000, "--live")
            tap.ok(r.rc == 1 and r.err, "update-device --live of the interface's model fails",
                   r.describe())
            r = virsh(uri, "update-device", DEV, disk, "--live")
            tap.eq((r.rc, r.out), (0, "Device updated successfully\n\n"),
                   "update-device --live of the disk as it is: succeeds, nothing changes")
            r = virsh(uri, "update-device", DEV, os.path.join(tmp, DEV + "-disk-ro.xml"), "--live")
            tap.ok(r.rc == 1 and r.err and (target.reference or "running domain" in r.err),
                   "update-device --live of the disk made read-only is refused, with the reason",
                   r.describe())
    finally:
        virsh(uri, "destroy", DEV, timeout=60)
        virsh(uri, "undefine", DEV)


def alias_both_tests(tap, target, tmp):
    """detach-device-alias --live --config of a device whose live and
    config PCI addresses differ (a live-only controller plugged before it
    took the root port the config gives it): as libvirtd 9.0 takes it
    (2026-12-07), rc 0 and the config no longer has it; the live one is
    asked to go (the guest, without an OS, may keep it)."""
    uri = target.uri
    name = DEV + "-ab"
    f = harness.write_file(tmp, name + ".xml", DEV_XML % name)
    ctrl = harness.write_file(tmp, name + "-ctrl.xml",
                              "<controller type='scsi' index='0' model='virtio-scsi'/>")
    rng = harness.write_file(tmp, name + "-rng.xml",
                             "<rng model='virtio'><backend model='random'>/dev/urandom</backend>"
                             "<alias name='ua-ab-rng'/></rng>")
    r = virsh(uri, "define", f)
    r2 = virsh(uri, "start", "--paused", name, timeout=120)
    if not tap.ok(r.rc == 0 and r2.rc == 0, "define and start --paused (alias, live and config)",
                  r.describe() + r2.describe()):
        virsh(uri, "undefine", name)
        return
    try:
        r = virsh(uri, "attach-device", name, ctrl, "--live")
        r2 = virsh(uri, "attach-device", name, rng, "--live", "--config")
        live = xml_root(tap, virsh(uri, "dumpxml", name).out, "the live XML (alias)")
        cfg = xml_root(tap, virsh(uri, "dumpxml", "--inactive", name).out, "the config (alias)")
        la = live.find("devices/rng/address") if live is not None else None
        ca = cfg.find("devices/rng/address") if cfg is not None else None
        tap.ok(r.rc == 0 and r2.rc == 0 and la is not None and ca is not None and
               la.get("bus") != ca.get("bus"),
               "a live-only controller, then an rng --live --config: its live and config PCI "
               "addresses differ", r.describe() + r2.describe())
        r = virsh(uri, "detach-device-alias", name, "ua-ab-rng", "--live", "--config", timeout=60)
        cfg = xml_root(tap, virsh(uri, "dumpxml", "--inactive", name).out, "the config (alias)")
        tap.ok(r.rc == 0 and cfg is not None and cfg.find("devices/rng") is None,
               "detach-device-alias --live --config of it: done, gone from the config",
               r.describe())
    finally:
        virsh(uri, "destroy", name, timeout=60)
        virsh(uri, "undefine", name)


CHR_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='qemu-xhci'/>
    <controller type='pci' index='1' model='pcie-root-port'/>
    <controller type='pci' index='2' model='pcie-root-port'/>
    <controller type='pci' index='3' model='pcie-root-port'/>
    <controller type='virtio-serial' index='0'/>
    <interface type='user'><mac address='52:54:00:12:34:77'/><model type='virtio'/></interface>
    <memballoon model='none'/>
  </devices>
</domain>
""" % CHR


def qemu_peripherals(uri, name):
    """{id: QOM type} of the devices QEMU has with an id (qom-list of
    /machine/peripheral, virsh qemu-monitor-command)"""
    r = virsh(uri, "qemu-monitor-command", name,
              '{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}')
    try:
        return {p["name"]: p["type"] for p in json.loads(r.out)["return"]}
    except (ValueError, KeyError, TypeError):
        return {}


def qemu_chardevs(uri, name):
    """{label: filename} of query-chardev (virsh qemu-monitor-command)"""
    r = virsh(uri, "qemu-monitor-command", name, '{"execute":"query-chardev"}')
    try:
        return {c["label"]: c.get("filename", "") for c in json.loads(r.out)["return"]}
    except (ValueError, KeyError, TypeError):
        return {}


def chr_hotplug_tests(tap, target, tmp):
    """Character devices attached to and detached from a running domain,
    as libvirtd 9.0 takes them (seen 2026-12-06 with libvirt's own
    qemuhotplug-qemu-agent and qemuhotplug-guestfwd device XML): the guest
    agent's unix channel without a path -> "Device attached successfully",
    the live XML names a socket QEMU listens on (a chardev of QEMU's with
    that path; the domain has a virtio-serial controller, which libvirtd
    does not plug itself: "no virtio-serial controllers are available",
    where virt-gmem plugs one before the port); a virtio
    console on a pty -> the live XML names the pty, which exists; a
    guestfwd channel -> QEMU's chardev on its socket; each detached (the
    live XML's element, as virt-manager gives it) -> "Device detached
    successfully", the live XML without it and QEMU without its
    chardev; a usb-serial port, the domain's first serial, attached
    live -> its <console target type='serial'> on the same pty (libvirtd
    9.0, 2026-12-06, also with --config), detached with it."""
    uri = target.uri
    f = harness.write_file(tmp, CHR + ".xml", CHR_XML)
    r = virsh(uri, "create", "--paused", f, timeout=120)
    if not tap.ok(r.rc == 0, "virsh create --paused (character devices)", r.describe()):
        return
    fwd = os.path.join(tmp, "chr-guestfwd.sock")
    ga = harness.write_file(tmp, CHR + "-ga.xml",
                            "<channel type='unix'><source mode='bind'/>"
                            "<target type='virtio' name='org.qemu.guest_agent.0'/></channel>")
    con = harness.write_file(tmp, CHR + "-con.xml",
                             "<console type='pty'><target type='virtio'/></console>")
    gf = harness.write_file(tmp, CHR + "-fwd.xml",
                            "<channel type='unix'><source mode='bind' path='%s'/>"
                            "<target type='guestfwd' address='10.0.2.1' port='4600'/>"
                            "</channel>" % fwd)

    def live():
        return xml_root(tap, virsh(uri, "dumpxml", CHR).out, "the live XML (character devices)")

    try:
        r = virsh(uri, "attach-device", CHR, ga, "--live")
        d = live()
        ch = d.find("devices/channel/target[@name='org.qemu.guest_agent.0']/..") \
            if d is not None else None
        path = ch.find("source").get("path") if ch is not None else None
        tap.ok(r.rc == 0 and r.out == "Device attached successfully\n\n" and path and
               any(fn.endswith(path + ",server=on") for fn in qemu_chardevs(uri, CHR).values()),
               "attach-device --live of the guest agent's channel: a socket the live XML "
               "names, on which QEMU listens", r.describe())
        r = virsh(uri, "attach-device", CHR, con, "--live")
        d = live()
        c = d.find("devices/console/target[@type='virtio']/..") if d is not None else None
        pty = c.find("source").get("path") if c is not None and c.find("source") is not None \
            else None
        tap.ok(r.rc == 0 and pty and pty.startswith("/dev/pts/") and os.path.exists(pty) and
               "pty:" + pty in qemu_chardevs(uri, CHR).values(),
               "attach-device --live of a virtio console on a pty: the live XML names QEMU's pty",
               r.describe())
        r = virsh(uri, "attach-device", CHR, gf, "--live")
        tap.ok(r.rc == 0 and any(fwd in fn for fn in qemu_chardevs(uri, CHR).values()),
               "attach-device --live of a guestfwd channel: QEMU's chardev on its socket",
               r.describe())
        # detached as virt-manager detaches: the live XML's element (libvirtd
        # finds a character device by its source too)
        d = live()
        for find, what, gone in (("devices/channel/target[@name='org.qemu.guest_agent.0']/..",
                                  "the guest agent's channel", path),
                                 ("devices/console/target[@type='virtio']/..",
                                  "the virtio console", pty),
                                 ("devices/channel/target[@type='guestfwd']/..",
                                  "the guestfwd channel", fwd)):
            el = d.find(find) if d is not None else None
            dev = harness.write_file(tmp, CHR + "-detach.xml",
                                     ET.tostring(el, encoding="unicode") if el is not None else "")
            r = virsh(uri, "detach-device", CHR, dev, "--live", timeout=60)
            # (QEMU finalizes an unplugged port a moment after it is gone)
            for _ in range(20):
                left = [fn for fn in qemu_chardevs(uri, CHR).values()
                        if gone and (fn.endswith(":" + gone) or (":" + gone + ",") in fn)]
                if not left:
                    break
                time.sleep(0.1)
            tap.ok(r.rc == 0 and r.out == "Device detached successfully\n\n" and not left,
                   "detach-device --live of %s: QEMU has no chardev of it left" % what,
                   r.describe() + repr(left))
        d = live()
        tap.ok(d is not None and d.find("devices/channel") is None and
               d.find("devices/console/target[@type='virtio']") is None,
               "the live XML has no channel and no virtio console left")
        # the first serial port is the first console too
        ser = harness.write_file(tmp, CHR + "-ser.xml",
                                 "<serial type='pty'><target type='usb-serial'/></serial>")
        r = virsh(uri, "attach-device", CHR, ser, "--live")
        d = live()
        s = d.find("devices/serial") if d is not None else None
        c = d.find("devices/console") if d is not None else None
        spty = s.find("source").get("path") if s is not None and s.find("source") is not None \
            else None
        tap.ok(r.rc == 0 and spty and "pty:" + spty in qemu_chardevs(uri, CHR).values() and
               c is not None and c.find("target").get("type") == "serial" and
               c.get("tty") == spty and c.find("source").get("path") == spty,
               "attach-device --live of the domain's first serial port (usb-serial): its "
               "console too, on the same pty, as libvirtd's live XML has it", r.describe())
        dev = harness.write_file(tmp, CHR + "-detach.xml",
                                 ET.tostring(s, encoding="unicode") if s is not None else "")
        r = virsh(uri, "detach-device", CHR, dev, "--live", timeout=60)
        for _ in range(20):
            left = [fn for fn in qemu_chardevs(uri, CHR).values() if spty and fn.endswith(spty)]
            if not left:
                break
            time.sleep(0.1)
        d = live()
        tap.ok(r.rc == 0 and not left and d is not None and d.find("devices/serial") is None and
               d.find("devices/console") is None,
               "detach-device --live of that serial port: its console goes with it, QEMU has "
               "no chardev of it left", r.describe() + repr(left))
        port = harness.write_file(tmp, CHR + "-port.xml",
                                  "<controller type='pci' model='pcie-root-port'/>")
        r = virsh(uri, "attach-device", CHR, port, "--live")
        tap.ok(r.rc == 1 and "controller" in r.err,
               "attach-device --live of a pcie-root-port is refused, naming the controller "
               "(libvirtd: \"'pci' controller cannot be hot plugged.\")", r.describe())
        if not target.reference:
            vu = harness.write_file(tmp, CHR + "-vu.xml",
                                    "<interface type='vhostuser'><mac address='52:54:00:12:34:78'/>"
                                    "<source type='unix' path='%s' mode='client'/>"
                                    "<model type='virtio'/></interface>"
                                    % os.path.join(tmp, "vu.sock"))
            r = virsh(uri, "attach-device", CHR, vu, "--live")
            tap.ok(r.rc == 1 and "vhostuser" in r.err and "--config" in r.err,
                   "our daemon: a vhost-user interface is refused live, naming it", r.describe())
        # the first serial port's console in a config
        virsh(uri, "destroy", CHR, timeout=60)
        r = virsh(uri, "define", f)
        r2 = virsh(uri, "attach-device", CHR, ser, "--config")
        d = xml_root(tap, virsh(uri, "dumpxml", "--inactive", CHR).out, "the config (serial)")
        s = d.find("devices/serial") if d is not None else None
        c = d.find("devices/console") if d is not None else None
        tap.ok(r.rc == 0 and r2.rc == 0 and s is not None and c is not None and
               c.get("type") == "pty" and c.find("target").get("type") == "serial",
               "attach-device --config of a first serial port: the config has its serial "
               "console too", r2.describe())
        dev = harness.write_file(tmp, CHR + "-detach.xml",
                                 ET.tostring(s, encoding="unicode") if s is not None else "")
        r = virsh(uri, "detach-device", CHR, dev, "--config")
        d = xml_root(tap, virsh(uri, "dumpxml", "--inactive", CHR).out, "the config (serial)")
        tap.ok(r.rc == 0 and d is not None and d.find("devices/serial") is None and
               d.find("devices/console") is None,
               "detach-device --config of the config's serial port: its console goes too",
               r.describe())
        virsh(uri, "undefine", CHR)
    finally:
        virsh(uri, "destroy", CHR, timeout=60)
        virsh(uri, "undefine", CHR)


SCSI_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <controller type='pci' index='1' model='pcie-root-port'/>
    <controller type='pci' index='2' model='pcie-root-port'/>
    <controller type='pci' index='3' model='pcie-root-port'/>
    <memballoon model='none'/>
  </devices>
</domain>
""" % SCSI


def scsi_hotplug_tests(tap, target, tmp):
    """A SCSI disk attached live on a controller the domain lacks, as
    libvirtd 9.0 takes it (2026-12-06, a domain with a virtio-scsi
    controller 0 and free root ports, a disk at controller='1'): "Device
    attached successfully", the live XML has controller 1 with the model
    of the domain's last SCSI controller (virtio-scsi, on a root port),
    where attach-device --config gives it the default lsilogic. Before it,
    a disk QEMU refuses on that controller: the controller stays plugged
    and listed (2026-12-07: a taken-back controller lingered in QEMU,
    unlisted, and every later attach failed on its id or its slot)."""
    uri = target.uri
    img = os.path.join(tmp, "scsi-sdb.img")
    with open(img, "wb") as f:
        f.truncate(1024 * 1024)
    f = harness.write_file(tmp, SCSI + ".xml", SCSI_XML)
    disk = harness.write_file(tmp, SCSI + "-disk.xml",
                              "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                              "<source file='%s'/><target dev='sdb' bus='scsi'/>"
                              "<address type='drive' controller='1' bus='0' target='0' unit='0'/>"
                              "</disk>" % img)
    # an image QEMU refuses (a raw file said to be qcow2)
    bad = os.path.join(tmp, "scsi-bad.img")
    with open(bad, "wb") as img_file:
        img_file.truncate(1024 * 1024)
    baddisk = harness.write_file(tmp, SCSI + "-bad.xml",
                                 "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                                 "<source file='%s'/><target dev='sdc' bus='scsi'/>"
                                 "<address type='drive' controller='1' bus='0' target='0' unit='1'/>"
                                 "</disk>" % bad)
    r = virsh(uri, "create", "--paused", f, timeout=120)
    if not tap.ok(r.rc == 0, "virsh create --paused (SCSI)", r.describe()):
        return
    try:
        # the controller the disk needs goes in first and stays when
        # QEMU then refuses the disk, in QEMU and in the live XML, as
        # libvirtd plugs it (QEMU's unplug of it would wait for a guest)
        r = virsh(uri, "attach-device", SCSI, baddisk, "--live")
        d = xml_root(tap, virsh(uri, "dumpxml", SCSI).out, "the live XML (SCSI, refused disk)")
        idx = [c.get("index") for c in d.findall("devices/controller[@type='scsi']")] \
            if d is not None else None
        tap.ok(r.rc == 1 and idx == ["0", "1"] and
               not any(t.get("dev") == "sdc" for t in d.findall("devices/disk/target")),
               "attach-device --live of a disk QEMU refuses, on SCSI controller 1: refused, "
               "controller 1 stays plugged and listed", r.describe() + repr(idx))
        r = virsh(uri, "attach-device", SCSI, disk, "--live")
        d = xml_root(tap, virsh(uri, "dumpxml", SCSI).out, "the live XML (SCSI)")
        models = [(c.get("index"), c.get("model"))
                  for c in d.findall("devices/controller[@type='scsi']")] if d is not None else None
        addr = d.find("devices/controller[@type='scsi'][@index='1']/address") \
            if d is not None else None
        tap.ok(r.rc == 0 and models == [("0", "virtio-scsi"), ("1", "virtio-scsi")] and
               addr is not None and addr.get("type") == "pci" and addr.get("bus") != "0x00",
               "attach-device --live of a SCSI disk on controller 1 then: the controller plugged "
               "for it has the model of the domain's last one (virtio-scsi, on a root port), as "
               "libvirtd's", r.describe() + repr(models))
        virsh(uri, "destroy", SCSI, timeout=60)
        f = harness.write_file(tmp, SCSI + "-def.xml", SCSI_XML)
        r = virsh(uri, "define", f)
        r2 = virsh(uri, "attach-device", SCSI, disk, "--config")
        d = xml_root(tap, virsh(uri, "dumpxml", "--inactive", SCSI).out, "the config (SCSI)")
        models = [(c.get("index"), c.get("model"))
                  for c in d.findall("devices/controller[@type='scsi']")] if d is not None else None
        tap.ok(r.rc == 0 and r2.rc == 0 and models == [("0", "virtio-scsi"), ("1", "lsilogic")],
               "attach-device --config of that disk: the config's controller 1 has the default "
               "model, lsilogic, as libvirtd's", r2.describe() + repr(models))
    finally:
        virsh(uri, "destroy", SCSI, timeout=60)
        virsh(uri, "undefine", SCSI)


SLICE_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='%%s'>
        <slices>
          <slice type='storage' offset='1048576' size='4194304'/>
        </slices>
      </source>
      <target dev='vda' bus='virtio'/>
    </disk>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <memballoon model='none'/>
  </devices>
</domain>
""" % SLICE


def slice_tests(tap, target, tmp):
    """Disks whose images are storage slices of their files (<slices>):
    a raw one the domain starts with, whose guest-visible size (virsh
    domblkinfo's Capacity, QEMU's) is the slice's 4 MiB of an 8 MiB file;
    a qcow2 image written at offset 64 KiB of a file, attached live as a
    SCSI disk (which QEMU unplugs without the guest): the live XML keeps
    its <slices>, QEMU reads the image's 16 MiB through a raw node of the
    slice, and its detach leaves no node behind. Ours only (QEMU's node
    names): a write threshold set by its image number is on the file's
    node, below the slice's, as libvirt sets it; a block copy of the sliced disk is refused by name, and so is
    an external snapshot (libvirtd 9.0 takes both)."""
    uri = target.uri
    qemu_img = shutil.which("qemu-img")
    if not qemu_img:
        tap.skip("storage slices", "qemu-img (qemu-utils) is not installed")
        return
    raw = os.path.join(tmp, "slice.raw")
    with open(raw, "wb") as f:
        f.truncate(8 << 20)
    inner = os.path.join(tmp, "slice-inner.qcow2")
    r = harness.run([qemu_img, "create", "-q", "-f", "qcow2", inner, "16M"])
    if not tap.ok(r.rc == 0, "qemu-img create of the qcow2 image", r.describe()):
        return
    outer = os.path.join(tmp, "slice.qcow2.img")
    with open(inner, "rb") as f:
        data = f.read()
    with open(outer, "wb") as f:
        f.seek(64 << 10)
        f.write(data)
        f.truncate((64 << 10) + (32 << 20))
    f = harness.write_file(tmp, SLICE + ".xml", SLICE_XML % raw)
    disk = harness.write_file(tmp, SLICE + "-vdb.xml",
                              "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                              "<source file='%s'><slices>"
                              "<slice type='storage' offset='65536' size='33554432'/>"
                              "</slices></source><target dev='sdb' bus='scsi'/></disk>" % outer)
    r = virsh(uri, "create", "--paused", f, timeout=120)
    if not tap.ok(r.rc == 0, "virsh create --paused (a raw disk in a slice)", r.describe()):
        return

    def capacity(dev):
        r = virsh(uri, "domblkinfo", SLICE, dev)
        m = re.search(r"^Capacity: +(\d+)$", r.out, re.M)
        return int(m.group(1)) if m else r.describe()

    def nodes():
        got = harness.qmp(target.root, SLICE, "query-named-block-nodes").get("return", [])
        return sorted(n.get("node-name") for n in got)

    try:
        tap.eq(capacity("vda"), 4 << 20,
               "domblkinfo vda: the guest sees the slice's 4 MiB of the 8 MiB file")
        before = None if target.reference else nodes()
        r = virsh(uri, "attach-device", SLICE, disk, "--live")
        d = xml_root(tap, virsh(uri, "dumpxml", SLICE).out, "the live XML (slice)")
        sl = None
        for dk in (d.findall("devices/disk") if d is not None else []):
            if dk.find("target") is not None and dk.find("target").get("dev") == "sdb":
                sl = dk.find("source/slices/slice")
        tap.ok(r.rc == 0 and sl is not None and
               (sl.get("type"), sl.get("offset"), sl.get("size")) == ("storage", "65536", "33554432"),
               "attach-device --live of a qcow2 image in a slice: the live XML keeps its <slices>",
               r.describe() + repr(sl.attrib if sl is not None else None))
        tap.eq(capacity("sdb"), 16 << 20,
               "domblkinfo sdb: QEMU reads the qcow2 image's 16 MiB through the slice")
        if not target.reference:
            got = nodes()
            added = sorted(set(got) - set(before))
            tap.ok(len(added) == 3 and any(n.endswith("-slice-sto") for n in added),
                   "QEMU has three new nodes for it: the file, the slice's raw node, the qcow2",
                   repr(added))
            # a threshold by image number: on the file's node, below the
            # slice's raw node, as libvirt sets it on its storage node
            idx = None
            for dk in (d.findall("devices/disk") if d is not None else []):
                if dk.find("target") is not None and dk.find("target").get("dev") == "sdb":
                    idx = dk.find("source").get("index")
            r = virsh(uri, "domblkthreshold", SLICE, "sdb[%s]" % idx, "1048576")
            got = harness.qmp(target.root, SLICE, "query-named-block-nodes").get("return", [])
            set_on = [(n.get("node-name"), n.get("drv")) for n in got if n.get("write_threshold")]
            tap.ok(r.rc == 0 and len(set_on) == 1 and set_on[0][1] == "file",
                   "domblkthreshold sdb[N]: the threshold is on the file's node, below the slice",
                   r.describe() + repr(set_on))
            r = virsh(uri, "blockcopy", SLICE, "vda", os.path.join(tmp, "slice-copy.raw"),
                      "--transient-job")
            tap.ok(r.rc == 1 and "storage slice" in r.err,
                   "blockcopy of the sliced disk is refused by name", r.describe())
            r = virsh(uri, "snapshot-create-as", SLICE, "s1", "--disk-only", "--no-metadata",
                      "--diskspec", "sdb,snapshot=no")
            tap.ok(r.rc == 1 and "storage slice" in r.err,
                   "an external snapshot of the sliced disk is refused by name", r.describe())
        r = virsh(uri, "detach-device", SLICE, disk, "--live")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "sdb" in virsh(uri, "domblklist", SLICE).out:
            time.sleep(0.2)
        tap.ok(r.rc == 0 and "sdb" not in virsh(uri, "domblklist", SLICE).out,
               "detach-device --live of it", r.describe())
        if not target.reference:
            tap.eq(nodes(), before, "QEMU's block nodes are those from before the attach")
    finally:
        virsh(uri, "destroy", SLICE, timeout=60)


ENC_PASSPHRASE = "vgmtest LUKS passphrase 1"
ENC_UUID = "7d2c4a1e-5b3f-4e60-8a9d-0c1b2e3f4a51"
ENC_MISSING_UUID = "7d2c4a1e-5b3f-4e60-8a9d-0c1b2e3f4a5f"

ENC_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='none'/>
      <source file='%s'/>
      <target dev='vda' bus='virtio'/>
      <encryption format='luks'>
        <secret type='passphrase' uuid='%s'/>
      </encryption>
    </disk>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def luks_image(qemu_img, path, fmt, passphrase):
    """A 16 MiB LUKS image (fmt 'luks') or qcow2 image with LUKS inside
    (fmt 'qcow2') at path. qemu-img times its key derivation on the
    thread's CPU clock and gives up when that did not move ("Unable to get
    accurate CPU usage"), which a busy 2-core host sees now and then: a
    few tries."""
    opts = "key-secret=sec0" if fmt == "luks" else "encrypt.format=luks,encrypt.key-secret=sec0"
    for _ in range(5):
        r = harness.run([qemu_img, "create", "-q", "-f", fmt, "--object",
                         "secret,id=sec0,data=" + passphrase, "-o", opts, path, "16M"])
        if r.rc == 0 or "accurate CPU usage" not in r.err:
            break
    return r


def encryption_tests(tap, target, tmp):
    """LUKS-encrypted disks, as OpenStack Nova's native LUKS attaches
    Cinder volumes: a secret of usage 'volume' (secret-define,
    secret-set-value) holds the passphrase; a domain with a raw LUKS
    image whose <encryption> is in the <disk> (Nova's form) starts, and
    its dumpxml names engine 'qemu'; a qcow2 image with LUKS inside, its
    secret named by usage in the <source>, is attached live on SCSI and
    detached; a wrong passphrase stops the start with QEMU's refusal, a
    missing secret before QEMU runs. Ours only: QEMU's format nodes say
    the images are encrypted, and each secret's file the driver writes
    for QEMU goes with the disk that read it."""
    uri = target.uri
    qemu_img = shutil.which("qemu-img")
    if not qemu_img:
        tap.skip("LUKS disks", "qemu-img (qemu-utils) is not installed")
        return
    raw = os.path.join(tmp, "luks.img")
    qcow = os.path.join(tmp, "luks.qcow2")
    r1 = luks_image(qemu_img, raw, "luks", ENC_PASSPHRASE)
    r2 = luks_image(qemu_img, qcow, "qcow2", ENC_PASSPHRASE)
    if not tap.ok(r1.rc == 0 and r2.rc == 0, "qemu-img create of a LUKS and a qcow2+LUKS image",
                  r1.describe() + r2.describe()):
        return
    value = base64.b64encode(ENC_PASSPHRASE.encode()).decode()
    sec1 = harness.write_file(tmp, "enc-secret1.xml",
                              "<secret ephemeral='no' private='yes'><uuid>%s</uuid>"
                              "<usage type='volume'><volume>%s</volume></usage></secret>"
                              % (ENC_UUID, raw))
    sec2 = harness.write_file(tmp, "enc-secret2.xml",
                              "<secret ephemeral='no' private='yes'>"
                              "<usage type='volume'><volume>%s</volume></usage></secret>" % qcow)
    sec2uuid = None
    try:
        r = virsh(uri, "secret-define", sec1)
        ok = r.rc == 0 and virsh(uri, "secret-set-value", ENC_UUID, value).rc == 0
        r = virsh(uri, "secret-define", sec2)
        m = re.search(r"([0-9a-f-]{36})", r.out)
        sec2uuid = m.group(1) if m else None
        ok = ok and sec2uuid is not None and \
            virsh(uri, "secret-set-value", sec2uuid, value).rc == 0
        if not tap.ok(ok, "secret-define and secret-set-value of two 'volume' secrets",
                      r.describe()):
            return
        f = harness.write_file(tmp, ENC + ".xml", ENC_XML % (ENC, raw, ENC_UUID))
        r = virsh(uri, "create", "--paused", f, timeout=120)
        if not tap.ok(r.rc == 0, "virsh create --paused: a raw LUKS disk (Nova's <disk><encryption>)",
                      r.describe()):
            return
        d = xml_root(tap, virsh(uri, "dumpxml", ENC).out, "the live XML (LUKS)")
        enc = d.find("devices/disk/encryption") if d is not None else None
        sec = enc.find("secret") if enc is not None else None
        tap.ok(enc is not None and enc.get("format") == "luks" and enc.get("engine") == "qemu" and
               sec is not None and sec.get("type") == "passphrase" and sec.get("uuid") == ENC_UUID,
               "dumpxml: the <encryption> in the <disk>, engine 'qemu'",
               repr(enc.attrib if enc is not None else None))

        def encrypted_nodes():
            got = harness.qmp(target.root, ENC, "query-named-block-nodes").get("return", [])
            return sorted(n.get("drv") for n in got if n.get("encrypted"))

        def secret_files():
            return sorted(glob.glob(os.path.join(target.root, "run", "qemu", "domain-" + ENC,
                                                 "*encryption-secret0.secret")))

        if not target.reference:
            tap.eq(encrypted_nodes(), ["luks"], "QEMU's luks node decrypts vda")
            tap.eq(len(secret_files()), 1, "one passphrase file for QEMU, in the run directory")
        disk = harness.write_file(tmp, ENC + "-sdb.xml",
                                  "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                                  "<source file='%s'><encryption format='luks'>"
                                  "<secret type='passphrase' usage='%s'/></encryption></source>"
                                  "<target dev='sdb' bus='scsi'/></disk>" % (qcow, qcow))
        r = virsh(uri, "attach-device", ENC, disk, "--live")
        d = xml_root(tap, virsh(uri, "dumpxml", ENC).out, "the live XML (attached LUKS disk)")
        senc = None
        for dk in (d.findall("devices/disk") if d is not None else []):
            if dk.find("target") is not None and dk.find("target").get("dev") == "sdb":
                senc = dk.find("source/encryption")
        tap.ok(r.rc == 0 and senc is not None and senc.find("secret") is not None and
               senc.find("secret").get("usage") == qcow,
               "attach-device --live of a qcow2+LUKS image: its <encryption> kept in the <source>",
               r.describe())
        if not target.reference:
            tap.eq(encrypted_nodes(), ["luks", "qcow2"], "QEMU's qcow2 node decrypts sdb")
            tap.eq(len(secret_files()), 2, "its passphrase file was written before QEMU read it")
        r = virsh(uri, "detach-device", ENC, disk, "--live")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "sdb" in virsh(uri, "domblklist", ENC).out:
            time.sleep(0.2)
        tap.ok(r.rc == 0 and "sdb" not in virsh(uri, "domblklist", ENC).out,
               "detach-device --live of it", r.describe())
        if not target.reference:
            tap.eq(encrypted_nodes(), ["luks"], "its nodes are gone")
            tap.eq(len(secret_files()), 1, "and so is its passphrase file")
        virsh(uri, "destroy", ENC, timeout=60)

        # a wrong passphrase: QEMU refuses to open the image
        wrong = os.path.join(tmp, "luks-wrong.img")
        r = luks_image(qemu_img, wrong, "luks", "another passphrase")
        if not tap.ok(r.rc == 0, "qemu-img create of a LUKS image of another passphrase",
                      r.describe()):
            return
        f = harness.write_file(tmp, ENC + "-wrong.xml", ENC_XML % (ENC + "-wrong", wrong, ENC_UUID))
        r = virsh(uri, "create", "--paused", f, timeout=120)
        tap.ok(r.rc == 1 and "Invalid password" in r.err and
               domstate(uri, ENC + "-wrong") == "",
               "a passphrase that does not open the image: the start fails with QEMU's refusal",
               r.describe())
        # no such secret: refused before QEMU runs
        f = harness.write_file(tmp, ENC + "-nosecret.xml",
                               ENC_XML % (ENC + "-nosecret", raw, ENC_MISSING_UUID))
        r = virsh(uri, "create", "--paused", f, timeout=120)
        tap.ok(r.rc == 1 and ENC_MISSING_UUID in r.err,
               "an <encryption> naming a secret that does not exist: the start is refused",
               r.describe())
    finally:
        virsh(uri, "destroy", ENC, timeout=60)
        virsh(uri, "secret-undefine", ENC_UUID)
        if sec2uuid:
            virsh(uri, "secret-undefine", sec2uuid)


MIGX_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='pty'/>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <graphics type='vnc' autoport='yes'/>
    <graphics type='spice' autoport='yes' listen='0.0.0.0'/>
    <input type='keyboard' bus='ps2'/>
    <input type='tablet' bus='usb'><alias name='ua-tablet'/></input>
    <video><model type='vga'/></video>
  </devices>
</domain>
""" % MIGX


def migratable_xml_tests(tap, target, tmp):
    """`virsh dumpxml --migratable` (virDomainGetXMLDesc's MIGRATABLE) of a
    running PC domain, as libvirtd 9.0 gives it (captured 2026-12-06 from
    the same XML): no id, no alias but a user's (ua-), no pty path, no
    console tty, the channel's socket and state left out, autoport
    VNC server at port -1 (an autoport SPICE server names none), the
    default listen address left out (a given one kept), and without what a definition gets by default: the PC's
    piix3-uhci USB controller, the pci-root, the PS/2 keyboard (the mouse
    stays), <audio type='none'>. With --inactive: the config, as
    libvirtd's, without those defaults too. Given back as a save's XML
    (`virsh save --xml`, as Nova gives it to a migration) it is taken,
    though its parse puts the PS/2 keyboard the domain names before its
    tablet last, and the restore runs the guest. Ours: virt-gmem
    dumpxml --migratable on the daemon's root prints the same."""
    uri = target.uri
    f = harness.write_file(tmp, MIGX + ".xml", MIGX_XML)
    r = virsh(uri, "define", f)
    r2 = virsh(uri, "start", "--paused", MIGX, timeout=120)
    if not tap.ok(r.rc == 0 and r2.rc == 0, "virsh define + start --paused (migratable XML)",
                  r.describe() + r2.describe()):
        virsh(uri, "undefine", MIGX)
        return
    try:
        live = virsh(uri, "dumpxml", MIGX).out
        r = virsh(uri, "dumpxml", "--migratable", MIGX)
        d = xml_root(tap, r.out, "dumpxml --migratable")
        if d is None:
            return
        devs = d.find("devices")
        if devs is None:
            devs = ET.Element("devices")
        aliases = sorted(a.get("name") for a in d.iter("alias"))
        ctrls = sorted((c.get("type"), c.get("model") or "") for c in devs.findall("controller"))
        inputs = sorted((i.get("type"), i.get("bus")) for i in devs.findall("input"))
        gfx = {g.get("type"): g for g in devs.findall("graphics")}
        chan = devs.find("channel")
        ctarget = chan.find("target") if chan is not None else None
        console = devs.find("console")
        vnc, spice = gfx.get("vnc"), gfx.get("spice")
        got = {
            "id": d.get("id"),
            "aliases": aliases,
            "pty paths": [s.get("path") for s in d.iter("source") if s.get("path")],
            "console tty": console.get("tty") if console is not None else "no <console>",
            "channel": ((chan.find("source"), ctarget.get("state")) if ctarget is not None
                        else "no <channel><target>"),
            "controllers": ctrls,
            "inputs": inputs,
            "audio": devs.findall("audio"),
            "vnc": ((vnc.get("port"), vnc.get("listen"),
                     [l.get("address") for l in vnc.findall("listen")]) if vnc is not None
                    else "no vnc"),
            "spice": ((spice.get("port"), spice.get("listen")) if spice is not None
                      else "no spice"),
        }
        want = {
            "id": None,
            "aliases": ["ua-tablet"],
            "pty paths": [],
            "console tty": None,
            "channel": (None, None),
            "controllers": [("virtio-serial", "")],
            "inputs": [("mouse", "ps2"), ("tablet", "usb")],
            "audio": [],
            "vnc": ("-1", None, [None]),
            "spice": (None, "0.0.0.0"),
        }
        tap.ok(r.rc == 0 and got == want and "id='" in live and "/dev/pts/" in live and
               "piix3-uhci" in live and "<audio" in live,
               "dumpxml --migratable of a running domain: a definition without the run's "
               "id, aliases (a user's kept), ptys, channel socket and state, chosen ports and "
               "default listen address, and without the default USB and PCI root "
               "controllers, PS/2 keyboard and audio, as libvirtd's",
               "got %r\nwant %r" % (got, want))
        if target.root:
            # the command line tool's dumpxml, on the daemon's root: the
            # same driver call
            cli = harness.run([harness.CLI, "--root", target.root, "dumpxml", "--migratable",
                               MIGX])
            tap.ok(cli.rc == 0 and cli.out.strip() == r.out.strip(),
                   "virt-gmem dumpxml --migratable prints what virsh dumpxml --migratable does",
                   cli.describe())
        r = virsh(uri, "dumpxml", "--migratable", "--inactive", MIGX)
        d = xml_root(tap, r.out, "dumpxml --migratable --inactive")
        if d is not None:
            devs = d.find("devices")
            got = (sorted(c.get("type") for c in devs.findall("controller")),
                   sorted((i.get("type"), i.get("bus")) for i in devs.findall("input")),
                   len(devs.findall("audio")),
                   [g.get("port") for g in devs.findall("graphics")])
            want = (["virtio-serial"], [("mouse", "ps2"), ("tablet", "usb")], 0, ["-1", None])
            tap.ok(got == want, "dumpxml --migratable --inactive: the config without the "
                   "default controllers, PS/2 keyboard and audio",
                   "got %r, want %r" % (got, want))
        # the migratable XML given back: the keyboard its parse adds comes
        # after the tablet, where the running guest has it first
        img = os.path.join(tmp, MIGX + ".save")
        f = harness.write_file(tmp, MIGX + "-migratable.xml", virsh(uri, "dumpxml", "--migratable",
                                                                    MIGX).out)
        r = virsh(uri, "save", MIGX, img, "--xml", f, timeout=120)
        r2 = virsh(uri, "restore", img, timeout=120) if r.rc == 0 else r
        tap.ok(r.rc == 0 and r2.rc == 0 and domstate(uri, MIGX).startswith("paused"),
               "virsh save --xml with the migratable XML is taken, and the restore runs the "
               "guest (paused, as saved)", r.describe() + r2.describe())
    finally:
        virsh(uri, "destroy", MIGX)
        virsh(uri, "undefine", MIGX)


def fd_pass_tests(tap, target, tmp):
    """A call that passes file descriptors (virsh qemu-monitor-command
    --pass-fds, dom-fd-associate): the client sends them after the call,
    one byte each. libvirtd 9.0 (2026-12-06) answers a shut-off domain's
    monitor command with "domain is not running", and the same virsh
    session goes on. Ours refuses such calls, naming them, and the
    connection goes on too (it used to read the bytes as the next frame
    and drop the client)."""
    uri = target.uri
    xml = ("<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory>"
           "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
           "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>" % FDP)
    r = virsh(uri, "define", harness.write_file(tmp, FDP + ".xml", xml))
    if not tap.ok(r.rc == 0, "virsh define (fd passing)", r.describe()):
        return
    try:
        r = virsh(uri, "qemu-monitor-command %s --pass-fds 0,1 '{\"execute\":\"query-status\"}'; "
              "list --all --name" % FDP)
        tap.ok(FDP in r.out.split() and "Disconnected" not in r.err,
               "after a call that passed two descriptors, the same connection lists the "
               "domain", r.describe())
        if not target.reference:
            tap.ok("passing file descriptors" in r.err, "ours: the call is refused, saying why",
                   r.describe())
    finally:
        virsh(uri, "undefine", FDP)


def update_cpu_tests(tap, target, tmp):
    """`virsh dumpxml --update-cpu` (virDomainGetXMLDesc's UPDATE_CPU) of
    a host-model domain, as libvirtd 9.0 gives it (2026-12-06, this TCG
    host): shut off, with --inactive, the CPU becomes the custom one it
    is on this host (mode custom, match exact, the host-model model of
    domcapabilities with fallback allow, its vendor and features), while
    the definition stays host-model; running, the flag changes nothing
    (the live CPU is already the one it became)."""
    uri = target.uri
    xml = ("<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory>"
           "<os><type arch='x86_64' machine='pc'>hvm</type></os><cpu mode='host-model'/>"
           "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>" % UCPU)
    r = virsh(uri, "define", harness.write_file(tmp, UCPU + ".xml", xml))
    if not tap.ok(r.rc == 0, "virsh define (host-model CPU)", r.describe()):
        return
    try:
        dc = xml_root(tap, virsh(uri, "domcapabilities", "--virttype", "qemu").out,
                      "domcapabilities")
        hm = dc.find("cpu/mode[@name='host-model']/model") if dc is not None else None
        r = virsh(uri, "dumpxml", "--inactive", "--update-cpu", UCPU)
        d = xml_root(tap, r.out, "dumpxml --inactive --update-cpu")
        cpu = d.find("cpu") if d is not None else None
        model = cpu.find("model") if cpu is not None else None
        got = ((cpu.get("mode"), cpu.get("match"), model.text if model is not None else None,
                model.get("fallback") if model is not None else None,
                bool(cpu.findtext("vendor")), len(cpu.findall("feature")) > 0)
               if cpu is not None else None)
        want = ("custom", "exact", hm.text if hm is not None else "?", "allow", True, True)
        tap.ok(r.rc == 0 and got == want,
               "dumpxml --inactive --update-cpu of a host-model domain: the custom CPU it is "
               "on this host (domcapabilities' host-model model, fallback allow, vendor, "
               "features)", "got %r, want %r" % (got, want))
        r = virsh(uri, "dumpxml", "--inactive", UCPU)
        tap.ok(r.rc == 0 and "<cpu mode='host-model'" in r.out,
               "dumpxml --inactive: the definition keeps host-model", r.describe())
        r = virsh(uri, "start", "--paused", UCPU, timeout=120)
        live = virsh(uri, "dumpxml", UCPU).out
        upd = virsh(uri, "dumpxml", "--update-cpu", UCPU).out
        tap.ok(r.rc == 0 and live == upd and "<cpu mode='custom'" in live,
               "dumpxml --update-cpu of the running domain: its live XML, whose CPU is "
               "already the custom one", r.describe())
    finally:
        virsh(uri, "destroy", UCPU)
        virsh(uri, "undefine", UCPU)


WDOG_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memballoon model='none'/>
  </devices>
</domain>
""" % WDOG


def watchdog_hotplug_tests(tap, target, tmp):
    """A watchdog attached live, as libvirtd 9.0 takes it (2026-12-06, a
    PC domain with ACPI): an ib700 (ISA) is refused ("hotplug of watchdog
    of model ib700 is not supported"), an i6300esb -> "Device attached
    successfully", the live XML's <watchdog> has its alias watchdog0 and
    a PCI address, QEMU has the device; its live XML element detached ->
    "Device detached successfully" (the guest, without an OS, keeps
    it); the live XML element of an ib700 the domain started with
    detached -> refused ("hot unplug of watchdog of model ib700 is not
    supported"). The action QEMU was given is not checked: QEMU 7.2 has
    no query for it."""
    uri = target.uri
    f = harness.write_file(tmp, WDOG + ".xml", WDOG_XML)
    ib = harness.write_file(tmp, WDOG + "-ib.xml", "<watchdog model='ib700' action='poweroff'/>")
    esb = harness.write_file(tmp, WDOG + "-esb.xml",
                             "<watchdog model='i6300esb' action='poweroff'/>")
    r = virsh(uri, "create", "--paused", f, timeout=120)
    if not tap.ok(r.rc == 0, "virsh create --paused (watchdog)", r.describe()):
        return

    def live():
        return xml_root(tap, virsh(uri, "dumpxml", WDOG).out, "the live XML (watchdog)")

    def peripherals():
        return qemu_peripherals(uri, WDOG)

    try:
        r = virsh(uri, "attach-device", WDOG, ib, "--live")
        d = live()
        tap.ok(r.rc == 1 and "ib700" in r.err and d is not None and d.find("devices/watchdog") is None,
               "attach-device --live of an ib700 watchdog is refused, naming the model",
               r.describe())
        r = virsh(uri, "attach-device", WDOG, esb, "--live")
        d = live()
        w = d.find("devices/watchdog") if d is not None else None
        tap.ok(r.rc == 0 and r.out == "Device attached successfully\n\n" and w is not None and
               w.get("action") == "poweroff" and w.find("alias") is not None and
               w.find("alias").get("name") == "watchdog0" and
               w.find("address").get("type") == "pci" and
               peripherals().get("watchdog0") == "child<i6300esb>",
               "attach-device --live of an i6300esb watchdog: QEMU's i6300esb watchdog0, the "
               "live XML's <watchdog> with its alias and PCI address", r.describe())
        if w is not None:
            el = harness.write_file(tmp, WDOG + "-live.xml", ET.tostring(w, encoding="unicode"))
            r = virsh(uri, "detach-device", WDOG, el, "--live", timeout=60)
            tap.ok(r.rc == 0 and r.out == "Device detached successfully\n\n",
                   "detach-device --live of the live XML's watchdog: detached (the guest, "
                   "without an OS, keeps it)", r.describe())
        virsh(uri, "destroy", WDOG, timeout=60)
        # an ib700 the domain started with stays
        f = harness.write_file(tmp, WDOG + "-ib-dom.xml", WDOG_XML.replace(
            "<memballoon", "<watchdog model='ib700' action='reset'/><memballoon"))
        r = virsh(uri, "create", "--paused", f, timeout=120)
        d = live()
        w = d.find("devices/watchdog") if d is not None else None
        el = harness.write_file(tmp, WDOG + "-live.xml",
                                ET.tostring(w, encoding="unicode") if w is not None else "")
        r2 = virsh(uri, "detach-device", WDOG, el, "--live", timeout=60)
        d = live()
        tap.ok(r.rc == 0 and r2.rc == 1 and "ib700" in r2.err and d is not None and
               d.find("devices/watchdog") is not None and "watchdog0" in peripherals(),
               "detach-device --live of an ib700 watchdog is refused, naming the model "
               "(libvirtd: \"hot unplug of watchdog of model ib700 is not supported\"); it stays",
               r.describe() + r2.describe())
    finally:
        virsh(uri, "destroy", WDOG, timeout=60)


REDIR_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='pci' index='1' model='pcie-root-port'/>
    <controller type='pci' index='2' model='pcie-root-port'/>
    <graphics type='spice' autoport='yes'/>
    <memballoon model='none'/>
  </devices>
</domain>
""" % REDIR


def redirdev_hotplug_tests(tap, target, tmp):
    """A USB redirection attached live and detached, as libvirtd 9.0 takes
    it (2026-12-06, a q35 domain with SPICE): <redirdev bus='usb'
    type='spicevmc'/> -> "Device attached successfully", the live XML's
    redirdev has alias redir0 and a USB address, QEMU has usb-redir redir0
    and its spicevmc chardev charredir0; the live XML's element detached
    -> "Device detached successfully", both gone."""
    uri = target.uri
    f = harness.write_file(tmp, REDIR + ".xml", REDIR_XML)
    rd = harness.write_file(tmp, REDIR + "-rd.xml", "<redirdev bus='usb' type='spicevmc'/>")
    r = virsh(uri, "create", "--paused", f, timeout=120)
    if not tap.ok(r.rc == 0, "virsh create --paused (USB redirection)", r.describe()):
        return

    def peripherals():
        return qemu_peripherals(uri, REDIR)

    try:
        r = virsh(uri, "attach-device", REDIR, rd, "--live")
        d = xml_root(tap, virsh(uri, "dumpxml", REDIR).out, "the live XML (USB redirection)")
        el = d.find("devices/redirdev") if d is not None else None
        tap.ok(r.rc == 0 and r.out == "Device attached successfully\n\n" and el is not None and
               el.find("alias") is not None and el.find("alias").get("name") == "redir0" and
               el.find("address") is not None and el.find("address").get("type") == "usb" and
               peripherals().get("redir0") == "child<usb-redir>" and
               qemu_chardevs(uri, REDIR).get("charredir0") == "spicevmc",
               "attach-device --live of a spicevmc USB redirection: QEMU's usb-redir redir0 on "
               "chardev charredir0, the live XML's <redirdev> with its alias and USB address",
               r.describe())
        if el is not None:
            f = harness.write_file(tmp, REDIR + "-live.xml", ET.tostring(el, encoding="unicode"))
            r = virsh(uri, "detach-device", REDIR, f, "--live", timeout=60)
            d = xml_root(tap, virsh(uri, "dumpxml", REDIR).out, "the live XML (USB redirection)")
            tap.ok(r.rc == 0 and r.out == "Device detached successfully\n\n" and d is not None and
                   d.find("devices/redirdev") is None and "redir0" not in peripherals() and
                   "charredir0" not in qemu_chardevs(uri, REDIR),
                   "detach-device --live of it: the device and its chardev are gone",
                   r.describe())
    finally:
        virsh(uri, "destroy", REDIR, timeout=60)


VFS_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='pci' index='1' model='pcie-root-port'/>
    <controller type='pci' index='2' model='pcie-root-port'/>
    <memballoon model='none'/>
  </devices>
</domain>
""" % VFS


def virtiofsds_serving(path):
    """The pids of the virtiofsd processes whose command line names @path"""
    pids = []
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except (OSError, ValueError):
            continue
        if argv and b"virtiofsd" in os.path.basename(argv[0]) and \
                any(path.encode() in a for a in argv):
            pids.append(int(pid))
    return pids


def virtiofs_hotplug_tests(tap, target, tmp):
    """A virtiofs share attached live, as libvirtd 9.0 takes it
    (2026-12-06, a q35 domain with shared memfd memory and a free root
    port): "Device attached successfully", the live XML's <filesystem>
    has alias fs0, the virtiofsd it runs (<binary
    path='/usr/lib/qemu/virtiofsd'/>) and a PCI address; a virtiofsd
    serves the directory and QEMU has vhost-user-fs-pci fs0; a 9p share
    is refused ("only virtiofs filesystems can be hotplugged"); the
    virtiofsd ends with the domain."""
    uri = target.uri
    binary = "/usr/lib/qemu/virtiofsd"
    if not os.access(binary, os.X_OK):
        tap.skip("attach-device --live of a virtiofs share", "no %s (Debian's qemu-system-common)"
                 % binary)
        return
    share = os.path.join(tmp, "vfs-share")
    os.mkdir(share)
    f = harness.write_file(tmp, VFS + ".xml", VFS_XML)
    fs = harness.write_file(tmp, VFS + "-fs.xml",
                            "<filesystem type='mount' accessmode='passthrough'>"
                            "<driver type='virtiofs'/><source dir='%s'/><target dir='tag0'/>"
                            "</filesystem>" % share)
    r = virsh(uri, "create", "--paused", f, timeout=120)
    if not tap.ok(r.rc == 0, "virsh create --paused (virtiofs)", r.describe()):
        return
    try:
        r = virsh(uri, "attach-device", VFS, fs, "--live", timeout=60)
        d = xml_root(tap, virsh(uri, "dumpxml", VFS).out, "the live XML (virtiofs)")
        el = d.find("devices/filesystem") if d is not None else None
        tap.ok(r.rc == 0 and r.out == "Device attached successfully\n\n" and el is not None and
               el.find("alias") is not None and el.find("alias").get("name") == "fs0" and
               el.find("binary") is not None and el.find("binary").get("path") == binary and
               el.find("address") is not None and el.find("address").get("type") == "pci" and
               qemu_peripherals(uri, VFS).get("fs0") == "child<vhost-user-fs-pci>" and
               virtiofsds_serving(share),
               "attach-device --live of a virtiofs share: a virtiofsd serves it, QEMU's "
               "vhost-user-fs-pci fs0, the live XML's <filesystem> with its alias, binary and "
               "PCI address", r.describe())
        p9 = harness.write_file(tmp, VFS + "-9p.xml",
                                "<filesystem type='mount' accessmode='mapped'><source dir='%s'/>"
                                "<target dir='tag9'/></filesystem>" % share)
        r = virsh(uri, "attach-device", VFS, p9, "--live")
        d = xml_root(tap, virsh(uri, "dumpxml", VFS).out, "the live XML (virtiofs)")
        tap.ok(r.rc == 1 and "virtiofs" in r.err and d is not None and
               len(d.findall("devices/filesystem")) == 1,
               "attach-device --live of a 9p share is refused (libvirtd: \"only virtiofs "
               "filesystems can be hotplugged\")", r.describe())
    finally:
        virsh(uri, "destroy", VFS, timeout=60)
    for _ in range(50):
        if not virtiofsds_serving(share):
            break
        time.sleep(0.1)
    tap.ok(not virtiofsds_serving(share), "the share's virtiofsd ends with the domain")


CD_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='cdrom'>
      <source file='%s'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def media_tests(tap, target, tmp):
    """virsh change-media of a running domain's CD-ROM (update-device,
    procedure 174, with the disk's new <source>), captured from virsh 9.0
    against libvirtd 9.0 (2026-12-02): --update -> "Successfully updated
    media.", --eject -> "Successfully ejected media.", --insert ->
    "Successfully inserted media."; domblklist follows, and the live XML
    gives the inserted medium an image number and <backingStore/>; each
    change, insert or eject gives the drive a new image number (after an
    eject, <source index='N'/>: libvirtd 9.0 on 2026-12-06 numbered an
    empty drive's insert, eject, insert and eject 2, 3, 4 and 5); an
    update-device of that live XML's disk without its <source> (as
    Cockpit ejects) ejects; a medium that
    cannot be opened fails (rc 1) and leaves the old one; --live --config
    changes the config too; update-device of a CD-ROM's serial while it
    runs fails; a second eject succeeds, a live detach of the SATA CD-ROM
    fails (libvirtd 9.0, 2026-12-06)."""
    uri = target.uri
    a = os.path.join(tmp, "cd-a.iso")
    b = os.path.join(tmp, "cd-b.iso")
    for p in (a, b):
        with open(p, "wb") as f:
            f.truncate(1024 * 1024)
    f = harness.write_file(tmp, CD + ".xml", CD_XML % (CD, a))
    r = virsh(uri, "define", f)
    if not tap.ok(r.rc == 0, "virsh define (media)", r.describe()):
        return

    def source(*extra):
        r = virsh(uri, "domblklist", CD, *extra)
        m = re.search(r"^ sda +(\S+)$", r.out, re.M)
        return m.group(1) if m else None

    def number():
        # the live XML's <source index> of sda (None: no <source>)
        d = xml_root(tap, virsh(uri, "dumpxml", CD).out, "dumpxml (media)")
        for disk in (d.iter("disk") if d is not None else []):
            if disk.find("target").get("dev") == "sda":
                src = disk.find("source")
                return None if src is None else int(src.get("index", "0"))
        return None

    try:
        r = virsh(uri, "start", "--paused", CD, timeout=120)
        if not tap.ok(r.rc == 0, "virsh start --paused (media)", r.describe()):
            return
        numbers = [number()]
        r = virsh(uri, "change-media", CD, "sda", b, "--update", "--live")
        numbers.append(number())
        tap.eq((r.rc, r.out, source()), (0, "Successfully updated media.\n", b),
               "change-media --update --live: the new medium")
        r = virsh(uri, "change-media", CD, "sda", os.path.join(tmp, "missing.iso"),
                  "--update", "--live")
        numbers.append(number())
        tap.ok(r.rc == 1 and source() == b and "missing.iso" in r.err and
               "No such file or directory" in r.err,
               "a medium that is not there fails, naming it and why, the old one stays",
               r.describe())
        r = virsh(uri, "change-media", CD, "sda", "--eject", "--live")
        numbers.append(number())
        tap.eq((r.rc, r.out, source()), (0, "Successfully ejected media.\n", "-"),
               "change-media --eject --live: no medium")
        r = virsh(uri, "change-media", CD, "sda", "--eject", "--live")
        numbers.append(number())
        tap.ok((r.rc, r.out, source()) == (0, "Successfully ejected media.\n", "-"),
               "change-media --eject --live of an empty drive: succeeds, as libvirtd's",
               r.describe() + " source: " + repr(source()))
        r = virsh(uri, "change-media", CD, "sda", a, "--insert", "--live")
        numbers.append(number())
        tap.eq((r.rc, r.out, source()), (0, "Successfully inserted media.\n", a),
               "change-media --insert --live: the medium")
        # the same medium with a startupPolicy (libvirtd 9.0, 2026-12-06:
        # "Device updated successfully", the live XML has it)
        pol = harness.write_file(tmp, CD + "-policy.xml",
                                 "<disk type='file' device='cdrom'><source file='%s' "
                                 "startupPolicy='optional'/><target dev='sda' bus='sata'/>"
                                 "<readonly/></disk>" % a)
        r = virsh(uri, "update-device", CD, pol, "--live")
        src = ET.fromstring(virsh(uri, "dumpxml", CD).out).find(
            "devices/disk[@device='cdrom']/source")
        tap.ok(r.rc == 0 and src is not None and src.get("file") == a and
               src.get("startupPolicy") == "optional",
               "update-device --live of the medium's startupPolicy alone: the live XML has it",
               r.describe())
        n = numbers
        tap.ok(all(isinstance(i, int) and i > 0 for i in n) and
               n[1] > n[0] and n[2] == n[1] and n[3] > n[2] and n[4] == n[3] and n[5] > n[4],
               "each medium changed, inserted or ejected takes a new image number "
               "(<source index>, the ejected drive's too), as libvirt's; a failed change "
               "and a second eject keep it", "numbers %r" % (n,))
        x = virsh(uri, "dumpxml", CD).out
        sda = [d for d in ET.fromstring(x).iter("disk") if d.find("target").get("dev") == "sda"]
        bs = sda[0].find("backingStore") if sda else None
        tap.ok(sda and (sda[0].find("source").get("index") or "").isdigit() and
               bs is not None and len(bs) == 0 and not bs.attrib,
               "the inserted medium in the live XML: its image number (<source index>) and "
               "the chain QEMU opened below it, none (<backingStore/>), as libvirt's", x)
        # an eject as Cockpit makes it: the live XML's disk without its
        # <source>, the rest (<backingStore/> too) as it was
        if sda:
            sda[0].remove(sda[0].find("source"))
            f = harness.write_file(tmp, CD + "-eject.xml", ET.tostring(sda[0], encoding="unicode"))
            r = virsh(uri, "update-device", CD, f, "--live")
            tap.eq((r.rc, source()), (0, "-"),
                   "update-device --live of the live XML's CD-ROM without its <source> "
                   "(Cockpit's eject): ejected")
            r = virsh(uri, "change-media", CD, "sda", a, "--insert", "--live")
        r = virsh(uri, "change-media", CD, "sda", b, "--update", "--live", "--config")
        tap.eq((r.rc, source(), source("--inactive")), (0, b, b),
               "change-media --update --live --config: the config too")
        r = virsh(uri, "detach-disk", CD, "sda", "--live")
        tap.ok(r.rc == 1 and r.err and source() == b,
               "detach-disk --live of a SATA CD-ROM is refused (QEMU's AHCI bus unplugs "
               "nothing; libvirtd: \"disk device type 'cdrom' cannot be detached\"), it stays",
               r.describe())
        disk = harness.write_file(tmp, CD + "-disk.xml",
                                  "<disk type='file' device='cdrom'><source file='%s'/>"
                                  "<target dev='sda' bus='sata'/><readonly/>"
                                  "<serial>NEWSERIAL</serial></disk>" % b)
        r = virsh(uri, "update-device", CD, disk, "--live")
        tap.ok(r.rc == 1, "update-device --live of the CD-ROM's serial fails", r.describe())
    finally:
        virsh(uri, "destroy", CD, timeout=60)
        virsh(uri, "undefine", CD)


VC_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <vcpu>4</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memballoon model='none'/>
  </devices>
</domain>
""" % VC


def vcpus_tests(tap, target, tmp):
    """setvcpus of the config, captured from virsh 9.0 against libvirtd
    9.0 (2026-12-02) with a shut-off domain of <vcpu>4</vcpu>: `setvcpus
    2 --config` -> rc 0, dominfo "CPU(s): 2", vcpucount's maximum config
    4 and current config 2; `setvcpus 3 --config --maximum` -> <vcpu
    placement='static' current='2'>3</vcpu>; `--maximum` 1 -> <vcpu
    placement='static'>1</vcpu>; `setvcpus 5 --config` -> rc 1."""
    uri = target.uri
    f = harness.write_file(tmp, VC + ".xml", VC_XML)
    r = virsh(uri, "define", f)
    if not tap.ok(r.rc == 0, "virsh define (vcpus)", r.describe()):
        return

    def vcpu_element():
        d = xml_root(tap, virsh(uri, "dumpxml", "--inactive", VC).out, "dumpxml --inactive (vcpus)")
        v = d.find("vcpu") if d is not None else None
        return (v.text, v.get("current")) if v is not None else None

    try:
        r = virsh(uri, "setvcpus", VC, "2", "--config")
        info = virsh(uri, "dominfo", VC)
        count = virsh(uri, "vcpucount", VC)
        tap.ok(r.rc == 0 and re.search(r"^CPU\(s\):\s+2$", info.out, re.M) and
               re.search(r"^maximum\s+config\s+4$", count.out, re.M) and
               re.search(r"^current\s+config\s+2$", count.out, re.M),
               "setvcpus 2 --config: dominfo and vcpucount say 2 of 4", r.describe() + info.out + count.out)
        r = virsh(uri, "setvcpus", VC, "3", "--config", "--maximum")
        tap.eq((r.rc, vcpu_element()), (0, ("3", "2")), "setvcpus 3 --config --maximum")
        r = virsh(uri, "setvcpus", VC, "1", "--config", "--maximum")
        tap.eq((r.rc, vcpu_element()), (0, ("1", None)),
               "setvcpus 1 --config --maximum: the current count follows")
        r = virsh(uri, "setvcpus", VC, "5", "--config")
        tap.eq((r.rc, vcpu_element()), (1, ("1", None)), "setvcpus above the maximum is refused")
        vcpus_live_tests(tap, uri, vcpu_element)
    finally:
        virsh(uri, "destroy", VC, timeout=60)
        virsh(uri, "undefine", VC)


def vcpu_counts(uri):
    """vcpucount's rows as {(which, where): count}"""
    r = virsh(uri, "vcpucount", VC)
    return {(m.group(1), m.group(2)): int(m.group(3))
            for m in re.finditer(r"^(maximum|current)\s+(config|live)\s+(\d+)$", r.out, re.M)}


def vcpus_live_tests(tap, uri, vcpu_element):
    """vCPU hot-plug (setvcpus --live, procedure 199), captured from
    virsh 9.0 against libvirtd 9.0 (2026-12-02) with a paused domain of
    <vcpu current='1'>3</vcpu>: `setvcpus 2 --live` -> rc 0, vcpucount
    current live 2 (config 1), vcpuinfo lists 2 vCPUs and the live XML's
    <vcpus> has vCPUs 0 and 1 enabled, with order 1 and 2 (and after
    setvcpu 2 --enable, order 3 for vCPU 2); `setvcpus 4 --live` and
    `setvcpus 2 --live --maximum` -> rc 1; `setvcpus 3 --live --config`
    -> live and config 3; `setvcpus 1 --live` -> rc 1 (the paused guest
    does not let its vCPUs go), live still 3. setvcpu (procedure 384),
    the same checks passing against libvirtd 9.0: live, vCPU 2 plugged
    alone, refusals (a vCPU already in the state, vCPU 0, one the domain
    lacks); in the config, the <vcpus> list libvirt writes, refusals (vCPU
    0, a vCPU before one QEMU starts with, one the domain lacks)."""
    r = virsh(uri, "setvcpus", VC, "3", "--config", "--maximum")
    r2 = virsh(uri, "setvcpus", VC, "1", "--config")
    tap.eq((r.rc, r2.rc, vcpu_element()), (0, 0, ("3", "1")), "the config: 1 of 3 vCPUs")
    # pins of the config (virDomainPinVcpuFlags, PinEmulator with
    # --config): its <cputune>
    r = virsh(uri, "vcpupin", VC, "0", "1", "--config")
    r2 = virsh(uri, "emulatorpin", VC, "0", "--config")
    d = xml_root(tap, virsh(uri, "dumpxml", "--inactive", VC).out, "the config (pins)")
    pins = [(p.get("vcpu"), p.get("cpuset")) for p in d.findall("./cputune/vcpupin")] \
        if d is not None else None
    emu = d.find("./cputune/emulatorpin") if d is not None else None
    tap.ok(r.rc == 0 and r2.rc == 0 and pins == [("0", "1")] and emu is not None and
           emu.get("cpuset") == "0",
           "vcpupin 0 1 --config and emulatorpin 0 --config: the config's <cputune>",
           r.describe() + r2.describe() + repr(pins))
    r = virsh(uri, "start", "--paused", VC, timeout=120)
    if not tap.ok(r.rc == 0, "virsh start --paused (vcpus)", r.describe()):
        return
    r = virsh(uri, "setvcpus", VC, "2", "--live")
    counts = vcpu_counts(uri)
    info = virsh(uri, "vcpuinfo", VC)
    live = xml_root(tap, virsh(uri, "dumpxml", VC).out, "the live XML (vcpus)")
    enabled = sorted(int(v.get("id")) for v in live.findall("./vcpus/vcpu")
                     if v.get("enabled") == "yes") if live is not None else None
    tap.ok(r.rc == 0 and counts.get(("current", "live")) == 2 and
           counts.get(("current", "config")) == 1 and counts.get(("maximum", "live")) == 3 and
           len(re.findall(r"^VCPU:", info.out, re.M)) == 2 and enabled == [0, 1],
           "setvcpus 2 --live plugs a vCPU: vcpucount current live 2 (config 1), vcpuinfo lists "
           "2, the live XML enables vCPUs 0 and 1",
           "%s\n%r\n%s\nenabled %r" % (r.describe(), counts, info.out, enabled))
    orders = [(v.get("id"), v.get("order")) for v in live.findall("./vcpus/vcpu")] \
        if live is not None else None
    tap.eq(orders, [("0", "1"), ("1", "2"), ("2", None)],
           "the live XML numbers the enabled vCPUs in the order they came (order='N'), "
           "as libvirtd's")
    r = virsh(uri, "setvcpus", VC, "4", "--live")
    r2 = virsh(uri, "setvcpus", VC, "2", "--live", "--maximum")
    tap.eq((r.rc, r2.rc, vcpu_counts(uri).get(("current", "live"))), (1, 1, 2),
           "setvcpus --live above the maximum, and of the maximum, fail")
    # --hotpluggable (VIR_DOMAIN_VCPU_HOTPLUGGABLE), as libvirtd 9.0 takes
    # it live (2026-12-06): the count it has already changes nothing
    r = virsh(uri, "setvcpus", VC, "2", "--live", "--hotpluggable")
    tap.eq((r.rc, vcpu_counts(uri).get(("current", "live"))), (0, 2),
           "setvcpus 2 --live --hotpluggable: accepted, still 2 vCPUs")
    # setvcpu (procedure 384), live: one vCPU at a time, in the other
    # state, one QEMU can plug or unplug
    for args, why in ((("2", "--disable"), "already disabled"),
                      (("0", "--disable"), "QEMU started with it"),
                      (("1", "--enable"), "already enabled"),
                      (("2,5", "--enable"), "vCPU 5 is not there")):
        r = virsh(uri, "setvcpu", VC, *args, "--live")
        tap.ok(r.rc == 1 and r.err.startswith("error:") and
               vcpu_counts(uri).get(("current", "live")) == 2,
               "setvcpu %s %s --live: refused (%s), 2 vCPUs run" % (args + (why,)), r.describe())
    r = virsh(uri, "setvcpu", VC, "2", "--enable", "--live")
    counts = vcpu_counts(uri)
    live = xml_root(tap, virsh(uri, "dumpxml", VC).out, "the live XML (setvcpu)")
    enabled = sorted(int(v.get("id")) for v in live.findall("./vcpus/vcpu")
                     if v.get("enabled") == "yes") if live is not None else None
    tap.ok(r.rc == 0 and counts.get(("current", "live")) == 3 and
           counts.get(("current", "config")) == 1 and enabled == [0, 1, 2],
           "setvcpu 2 --enable --live plugs vCPU 2: 3 run, the live XML enables 0-2, the config "
           "keeps 1", "%s\n%r\nenabled %r" % (r.describe(), counts, enabled))
    orders = [(v.get("id"), v.get("order")) for v in live.findall("./vcpus/vcpu")] \
        if live is not None else None
    tap.eq(orders, [("0", "1"), ("1", "2"), ("2", "3")], "vCPU 2 comes third (order='3')")
    r = virsh(uri, "setvcpus", VC, "3", "--live", "--config")
    counts = vcpu_counts(uri)
    tap.ok(r.rc == 0 and counts.get(("current", "live")) == 3 and
           counts.get(("current", "config")) == 3,
           "setvcpus 3 --live --config: both 3", r.describe() + repr(counts))

    # setvcpu --config: the <vcpus> list of the config; vCPU 0 and a vCPU
    # before one QEMU starts with are refused
    def config_vcpus():
        d = xml_root(tap, virsh(uri, "dumpxml", "--inactive", VC).out, "the config (setvcpu)")
        return [(v.get("id"), v.get("enabled"), v.get("hotpluggable"))
                for v in d.findall("./vcpus/vcpu")] if d is not None else None
    for args, why in ((("0", "--disable"), "vCPU 0"),
                      (("1", "--disable"), "vCPU 2 after it starts with QEMU"),
                      (("3", "--disable"), "vCPU 3 is not there")):
        before = config_vcpus()
        r = virsh(uri, "setvcpu", VC, *args, "--config")
        tap.ok(r.rc == 1 and r.err.startswith("error:") and config_vcpus() == before and
               vcpu_counts(uri).get(("current", "config")) == 3,
               "setvcpu %s %s --config: refused (%s), the config unchanged" % (args + (why,)),
               r.describe())
    r = virsh(uri, "setvcpu", VC, "1-2", "--disable", "--config")
    r2 = virsh(uri, "setvcpu", VC, "2", "--enable", "--config")
    got = config_vcpus()
    tap.ok(r.rc == 0 and r2.rc == 0 and vcpu_counts(uri).get(("current", "config")) == 2 and
           got == [("0", "yes", "no"), ("1", "no", "yes"), ("2", "yes", "yes")],
           "setvcpu 1-2 --disable --config, then 2 --enable: the config's <vcpus> enables 0 "
           "and 2, 1 and 2 hotpluggable, 2 vCPUs", "%s%s%r" % (r.describe(), r2.describe(), got))
    r = virsh(uri, "setvcpus", VC, "1", "--live", timeout=60)
    tap.eq((r.rc, vcpu_counts(uri).get(("current", "live"))), (1, 3),
           "setvcpus 1 --live of a paused guest fails (it does not let the vCPUs go); 3 run")
    # save and restore with the vCPUs plugged since the start (libvirtd
    # 9.0: rc 0, the restored guest runs 3, 2026-12-06; libvirt-guests
    # saves every guest at host shutdown): the new QEMU plugs them before
    # it loads the state
    saved = tempfile.mktemp(prefix="vgmtest-vcpus-", suffix=".save", dir="/var/tmp")
    try:
        r = virsh(uri, "save", VC, saved, timeout=120)
        r2 = virsh(uri, "restore", saved, "--paused", timeout=120)
        counts = vcpu_counts(uri)
        live = xml_root(tap, virsh(uri, "dumpxml", VC).out, "the live XML (restored)")
        enabled = sorted(int(v.get("id")) for v in live.findall("./vcpus/vcpu")
                         if v.get("enabled") == "yes") if live is not None else None
        tap.ok(r.rc == 0 and r2.rc == 0 and counts.get(("current", "live")) == 3 and
               enabled == [0, 1, 2],
               "save and restore after vCPUs were plugged live: the restored guest has all 3",
               r.describe() + r2.describe() + repr((counts, enabled)))
    finally:
        if os.path.exists(saved):
            os.unlink(saved)


EMPTY = "vgmtest-virsh-empty"


def empty_fields_tests(tap, target, tmp):
    """Empty fields of a disk, as a client that clears one writes them (an
    empty <serial>, <vendor/>, <product></product>, an empty <iotune>
    limit): libvirtd 9.0 defines the domain and its config leaves them out
    (captured 2026-12-06, though libvirt's schema does not take them); so
    does the daemon."""
    uri = target.uri
    f = harness.write_file(tmp, EMPTY + ".xml", """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/vgmtest-nosuch/a.img'/>
      <target dev='vda' bus='virtio'/>
      <serial></serial>
      <iotune>
        <total_bytes_sec>1048576</total_bytes_sec>
        <total_bytes_sec_max/>
      </iotune>
    </disk>
    <controller type='scsi' model='virtio-scsi'/>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/vgmtest-nosuch/b.img'/>
      <target dev='sda' bus='scsi'/>
      <vendor/>
      <product></product>
    </disk>
  </devices>
</domain>""" % EMPTY)
    r = virsh(uri, "define", f)
    x = virsh(uri, "dumpxml", "--inactive", EMPTY).out
    virsh(uri, "undefine", EMPTY)
    tap.ok(r.rc == 0 and "<total_bytes_sec>1048576</total_bytes_sec>" in x and
           not any(t in x for t in ("<serial", "<vendor", "<product", "total_bytes_sec_max")),
           "define with an empty <serial>, <vendor>, <product> and <iotune> limit: taken, "
           "the config without them", r.describe() + x)


EFI = "vgmtest-virsh-efi"


def firmware_live_tests(tap, target, tmp):
    """A domain whose <os firmware='efi'> leaves the choice to the
    descriptors: libvirtd 9.0 (captured 2026-12-06, Debian 12's ovmf)
    shows in the live XML the firmware it chose, without firmware=: Debian's
    Secure Boot build with Microsoft's keys, <loader readonly='yes'
    secure='yes' type='pflash'>, its template in <nvram template> and the
    varstore NVRAMDIR/NAME_VARS.fd, and <smm state='on'/>; the config keeps
    <os firmware='efi'> alone. The daemon the same (its NVRAMDIR is under
    its root). A pflash loader given without a varstore starts, its
    template the one of the descriptor that offers it, both named in the
    live XML; domcapabilities lists the descriptors' loaders, with a
    secure one on q35 only."""
    uri = target.uri
    f = harness.write_file(tmp, EFI + ".xml", """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/></features>
  <devices><memballoon model='none'/></devices>
</domain>""" % EFI)
    if not os.path.exists("/usr/share/OVMF/OVMF_CODE_4M.ms.fd"):
        tap.skip("firmware='efi': the live XML names the firmware chosen",
                 "Debian's ovmf is not installed")
        return
    r = virsh(uri, "define", f)
    s = virsh(uri, "start", "--paused", EFI)
    live = virsh(uri, "dumpxml", EFI).out
    virsh(uri, "destroy", EFI)
    inactive = virsh(uri, "dumpxml", "--inactive", EFI).out
    virsh(uri, "undefine", "--nvram", EFI)
    tap.ok(r.rc == 0 and s.rc == 0 and "firmware='efi'" not in live and
           "<loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd"
           "</loader>" in live and
           re.search(r"<nvram template='/usr/share/OVMF/OVMF_VARS_4M.ms.fd'>/[^<]*/nvram/%s_VARS.fd"
                     r"</nvram>" % EFI, live) is not None and
           "<smm state='on'/>" in live,
           "firmware='efi' running: the live XML names the loader, varstore and SMM chosen",
           r.describe() + s.describe() + live)
    tap.ok("<os firmware='efi'>" in inactive and "<loader" not in inactive and
           "<nvram" not in inactive,
           "firmware='efi' shut off: the config keeps the choice to the descriptors", inactive)
    # a loader given (virt-install --boot loader=...), no varstore: the
    # template is the one of the descriptor offering that loader, and the
    # live XML names both, as libvirtd 9.0's (2026-12-07)
    f = harness.write_file(tmp, EFI + "-loader.xml", """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type>
    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader></os>
  <features><acpi/></features>
  <devices><memballoon model='none'/></devices>
</domain>""" % EFI)
    r = virsh(uri, "define", f)
    config = virsh(uri, "dumpxml", "--inactive", EFI).out
    s = virsh(uri, "start", "--paused", EFI)
    live = virsh(uri, "dumpxml", EFI).out
    virsh(uri, "destroy", EFI)
    n = virsh(uri, "domrename", EFI, EFI + "-renamed")
    renamed = virsh(uri, "dumpxml", "--inactive", EFI + "-renamed").out
    virsh(uri, "undefine", "--nvram", EFI + "-renamed")
    virsh(uri, "undefine", "--nvram", EFI)
    tap.ok(r.rc == 0 and s.rc == 0 and
           re.search(r"<nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>/[^<]*/nvram/%s_VARS.fd"
                     r"</nvram>" % EFI, live) is not None,
           "a pflash loader without <nvram>: started, its varstore made from the template of "
           "the descriptor offering it, both in the live XML", r.describe() + s.describe() + live)
    # the define writes that varstore into the config (no template), and
    # a rename keeps it, as libvirtd 9.0's (2026-12-07)
    tap.ok(re.search(r"<nvram>/[^<]*/nvram/%s_VARS.fd</nvram>" % EFI, config) is not None,
           "a pflash loader without <nvram>: the define names its varstore NVRAMDIR/NAME_VARS.fd",
           config)
    tap.ok(n.rc == 0 and
           re.search(r"<nvram>/[^<]*/nvram/%s_VARS.fd</nvram>" % EFI, renamed) is not None,
           "a rename keeps the varstore the define named", n.describe() + renamed)
    # domain capabilities list those loaders, secure ones only on q35
    for machine, loaders, secure in (
            ("pc", ["/usr/share/OVMF/OVMF_CODE_4M.fd"], ["no"]),
            ("q35", ["/usr/share/OVMF/OVMF_CODE_4M.ms.fd", "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd",
                     "/usr/share/OVMF/OVMF_CODE_4M.fd"], ["yes", "no"])):
        d = xml_root(tap, virsh(uri, "domcapabilities", "--virttype", "qemu", "--machine",
                                machine).out, "domcapabilities --machine %s" % machine)
        ld = d.find("os/loader") if d is not None else None
        got = (sorted(v.text for v in ld.findall("value")) if ld is not None else None,
               [v.text for v in ld.findall("enum[@name='secure']/value")] if ld is not None
               else None)
        tap.eq(got, (sorted(loaders), secure),
               "domcapabilities --machine %s: the descriptors' loaders, secure %s" %
               (machine, "/".join(secure)))


def domcaps_features_tests(tap, target):
    """domcapabilities' elements that libvirtd 9.0 has for QEMU 7.2
    (2026-12-07) and a driver that serves them: <iothreads supported>,
    the maximum CPU mode's maximumMigratable enum (on, off), and under
    <features> gic (no), vmcoreinfo, genid and backingStoreInput (yes);
    backup is libvirtd's (yes) and not virt-gmem's (no)."""
    d = xml_root(tap, virsh(target.uri, "domcapabilities", "--virttype", "qemu").out,
                 "domcapabilities (features)")
    if d is None:
        return
    mx = d.find("cpu/mode[@name='maximum']")
    got = {
        "iothreads": d.find("iothreads").get("supported") if d.find("iothreads") is not None
        else None,
        "maximumMigratable": [v.text for v in mx.findall("enum[@name='maximumMigratable']/value")]
        if mx is not None else None,
    }
    for f in ("gic", "vmcoreinfo", "genid", "backingStoreInput", "backup"):
        e = d.find("features/%s" % f)
        got[f] = e.get("supported") if e is not None else None
    tap.eq(got, {"iothreads": "yes", "maximumMigratable": ["on", "off"], "gic": "no",
                 "vmcoreinfo": "yes", "genid": "yes", "backingStoreInput": "yes",
                 "backup": "yes" if target.reference else "no"},
           "domcapabilities: iothreads, maximumMigratable, gic, vmcoreinfo, genid, "
           "backingStoreInput and backup, as libvirtd gives them")


def check_domain_xml(d, name, uuid, live_id):
    problems = []
    dtype = "kvm" if harness.HAVE_KVM else "qemu"
    if d.tag != "domain" or d.get("type") != dtype:
        problems.append("root <%s type=%r>, want <domain type=%r>" % (d.tag, d.get("type"), dtype))
    if live_id is None and d.get("id") is not None:
        problems.append("inactive XML has id=%r" % d.get("id"))
    if live_id is not None and d.get("id") != live_id:
        problems.append("live XML id=%r, domid says %r" % (d.get("id"), live_id))
    if d.findtext("name") != name:
        problems.append("name %r" % d.findtext("name"))
    if d.findtext("uuid") != uuid:
        problems.append("uuid %r" % d.findtext("uuid"))
    m = d.find("memory")
    if m is None or m.get("unit") != "KiB" or m.text != "524288":
        problems.append("memory %r" % (None if m is None else (m.get("unit"), m.text)))
    src = d.find("memoryBacking/source")
    acc = d.find("memoryBacking/access")
    if src is None or src.get("type") != "memfd" or acc is None or acc.get("mode") != "shared":
        problems.append("memoryBacking is not memfd/shared")
    cells = d.findall("cpu/numa/cell")
    if [(c.get("id"), c.get("cpus"), c.get("memory"), c.get("unit")) for c in cells] != \
            [("0", "0", "262144", "KiB"), ("1", "1", "262144", "KiB")]:
        problems.append("numa cells %r" % [c.attrib for c in cells])
    if d.findtext("devices/emulator") != "/usr/bin/qemu-system-x86_64":
        problems.append("emulator %r" % d.findtext("devices/emulator"))
    return problems


class EventReader:
    """`virsh event --all --loop` in the background; collects its lines."""

    def __init__(self, uri, timeout=120):
        self.proc = harness.virsh_background(uri, "event", "--all", "--loop",
                                             "--timeout", str(timeout))
        self.lines = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_for(self, line, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while line not in self.lines:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None and not self.thread.is_alive():
                    return False
                self.cond.wait(min(left, 0.2))
            return True

    def for_domain(self, name):
        """The lines about domain `name`: lifecycle lines without their
        prefix ("Started Booted"), any other event line whole."""
        prefix = "event 'lifecycle' for domain '%s': " % name
        with self.cond:
            return [l[len(prefix):] if l.startswith(prefix) else l for l in self.lines
                    if ("for domain '%s':" % name) in l]

    def tunable(self, name):
        """The TUNABLE lines about domain `name`: each header and the
        parameter lines (tab first) below it."""
        out = []
        with self.cond:
            take = False
            for l in self.lines:
                if l.startswith("event "):
                    take = l == "event 'tunable' for domain '%s':" % name
                if take:
                    out.append(l)
        return out

    def stop(self):
        """SIGINT (virsh leaves its loop), then kill after 5 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except Exception:
                self.proc.kill()
                self.proc.wait()
        self.thread.join(5)
        err = self.proc.stderr.read() if self.proc.stderr else ""
        return self.proc.returncode, err


def event_tests(tap, uri, tmp):
    # Captured with `virsh event --all --loop` while other virsh processes ran
    # define / start / destroy / undefine (each line ends with "\n"):
    #   event 'lifecycle' for domain 'plain-memfd': Defined Added
    #   event 'lifecycle' for domain 'plain-memfd': Resumed Unpaused
    #   event 'lifecycle' for domain 'plain-memfd': Started Booted
    #   event 'lifecycle' for domain 'plain-memfd': Shutdown Finished after host request
    #   event 'lifecycle' for domain 'plain-memfd': Stopped Destroyed
    #   event 'lifecycle' for domain 'plain-memfd': Undefined Removed
    # (destroy: QEMU reports SHUTDOWN (host signal) on its SIGTERM, then the domain
    # is STOPPED/DESTROYED; same sequence on 5 of 5 tries.) With --timeout and no
    # event: "event loop timed out\nevents received: 0\n\n", rc 1.
    fe = harness.write_file(tmp, EV + ".xml", harness.domain_xml(EV, uuid=EV_UUID))
    r = virsh(uri, "define", fe)
    if not tap.ok(r.rc == 0, "virsh define (event test domain)", r.describe()):
        return
    fm = harness.write_file(tmp, MARK + ".xml", harness.domain_xml(MARK))
    ev = EventReader(uri)
    try:
        # The registration is done once the marker's define is seen.
        seen = False
        for _ in range(5):
            virsh(uri, "define", fm)
            seen = ev.wait_for("event 'lifecycle' for domain '%s': Defined Added" % MARK, 4)
            virsh(uri, "undefine", MARK)
            if seen:
                break
        tap.ok(seen, "virsh event --all --loop: 'Defined Added' for a define by another client",
               "lines so far: %r" % ev.lines)
        tap.ok(ev.wait_for("event 'lifecycle' for domain '%s': Undefined Removed" % MARK, 10),
               "virsh event --all --loop: 'Undefined Removed' for an undefine by another client",
               "lines so far: %r" % ev.lines)
        r1 = virsh(uri, "start", EV, timeout=120)
        r2 = virsh(uri, "destroy", EV)
        tap.ok(r1.rc == 0 and r2.rc == 0, "another client starts and destroys a domain",
               r1.describe() + "\n" + r2.describe())
        ev.wait_for("event 'lifecycle' for domain '%s': Stopped Destroyed" % EV, 15)
        time.sleep(0.5)   # anything after the last expected event shows up too
        tap.eq(ev.for_domain(EV),
               ["Resumed Unpaused", "Started Booted", "Shutdown Finished after host request",
                "Stopped Destroyed"],
               "virsh event --all --loop: the lifecycle events of a start and a destroy")
    finally:
        rc, err = ev.stop()
        virsh(uri, "undefine", EV)
        virsh(uri, "undefine", MARK)
    tap.ok(err.strip() == "", "virsh event wrote nothing to stderr", "stderr: %r" % err)


def rfb_security_types(port):
    """The security types an RFB 3.8 server offers on 127.0.0.1:@port."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
        f = c.makefile("rwb")
        version = f.read(12)
        if not version.startswith(b"RFB "):
            return "not RFB: %r" % version
        f.write(b"RFB 003.008\n")
        f.flush()
        n = f.read(1)
        if not n or n[0] == 0:
            return "no security types (%r)" % n
        return list(f.read(n[0]))


def readonly_tests(tap, target, tmp):
    # Captured: `virsh -r -c 'qemu+unix:///system?socket=/var/run/libvirt/libvirt-sock-ro'
    # list --all` -> rc 0, the table; `... define F` -> rc 1, stderr "error: Failed to
    # define domain from F\nerror: operation forbidden: read only access prevents
    # virDomainDefineXML\n". Without -r (the client does not know it is read-only,
    # so the server refuses) the same rc and stderr. With -r the refusal is the
    # client library's own text in both modes; without -r it is the server's,
    # the same in both modes (the CLI has no read-only mode to compare with).
    ro = target.ro_uri
    r = virsh(ro, "list", "--all", readonly=True)
    tap.ok(r.rc == 0 and r.out.startswith(" Id   Name") and "\n----" in r.out,
           "virsh -r on the read-only socket: list --all works", r.describe())
    f = harness.write_file(tmp, RO + ".xml", harness.domain_xml(RO))
    want_err = ("error: Failed to define domain from %s\nerror: operation forbidden: read only "
                "access prevents virDomainDefineXML\n" % f)
    r = virsh(ro, "define", f, readonly=True)
    tap.eq((r.rc, r.err), (1, want_err), "virsh -r on the read-only socket: define is refused")
    r = virsh(ro, "define", f)
    tap.eq((r.rc, r.err),
           (1, want_err),
           "virsh without -r on the read-only socket: the server refuses define")
    r = virsh(target.uri, "domstate", RO)
    tap.ok(r.rc == 1, "the refused define defined nothing", r.describe())


def gmem_tests(tap, target, tmp):
    names = ["guest_memfd domain: virsh define",
             "guest_memfd domain: dumpxml --inactive == virt-gmem format FILE (its q35 "
             "written as the binary's versioned machine)",
             "guest_memfd domain: start refused with our message",
             "guest_memfd domain: still shut off after the refused start",
             "guest_memfd domain: virsh undefine"]
    if target.reference:
        for n in names:
            tap.skip(n, "reference mode: the guest_memfd extension is virt-gmem's, "
                        "libvirt 9.0 does not know <source type='guestmemfd'/>")
        return
    uri = target.uri
    # Not switched to type 'qemu': guest_memfd is memory of the KVM hypervisor.
    xml = harness.domain_xml(GMEM, example="gmem-shared.xml", uuid=GMEM_UUID, startable=False)
    f = harness.write_file(tmp, GMEM + ".xml", xml)
    r = virsh(uri, "define", f)
    tap.eq((r.rc, r.out), (0, "Domain '%s' defined from %s\n\n" % (GMEM, f)), names[0])

    fmt = harness.run([harness.CLI, "format", f])
    r = virsh(uri, "dumpxml", "--inactive", GMEM)
    if fmt.rc != 0:
        tap.ok(False, names[1], "virt-gmem format failed: " + fmt.describe())
    else:
        # virsh prints the document and then an empty line.
        tap.eq((r.rc, r.out),
               (0, harness.with_defined_machine(fmt.out, r.out).rstrip("\n") + "\n\n"), names[1])

    # What our driver says when this QEMU lacks guest_memfd: the CLI on a
    # scratch root of its own (so the daemon's store is not touched).
    scratch = tempfile.mkdtemp(prefix="vgm-cli-", dir=tmp)
    harness.run([harness.CLI, "--root", scratch, "define", f])
    cli = harness.run([harness.CLI, "--root", scratch, "start", GMEM], timeout=120)
    harness.run([harness.CLI, "--root", scratch, "undefine", GMEM])
    cli_msg = [l for l in cli.err.splitlines() if l.startswith("error: ")
               and "Failed to start" not in l]
    if cli.rc == 0 or GMEM_MESSAGE not in cli.err:
        tap.skip(names[2], "this host's QEMU starts guest_memfd domains (virt-gmem start: %r)"
                 % cli.err.strip())
        harness.run([harness.CLI, "--root", scratch, "destroy", GMEM])
        harness.run([harness.CLI, "--root", scratch, "undefine", GMEM])
        tap.skip(names[3], "see above")
    else:
        r = virsh(uri, "start", GMEM, timeout=120)
        # virsh: "error: Failed to start domain 'X'" then "error: <our message>",
        # the driver's sentence unchanged: what virt-gmem start printed.
        want_msg = cli_msg[-1] if cli_msg else "error: " + GMEM_MESSAGE
        tap.eq((r.rc, r.err),
               (1, "error: Failed to start domain '%s'\n%s\n" % (GMEM, want_msg)), names[2])
        r = virsh(uri, "domstate", GMEM, "--reason")
        tap.ok(r.rc == 0 and r.out.startswith("shut off"), names[3], r.describe())
    r = virsh(uri, "undefine", GMEM)
    tap.eq((r.rc, r.out), (0, "Domain '%s' has been undefined\n\n" % GMEM), names[4])


TUNE = "vgmtest-virsh-tune"
TUNE_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='GiB'>1</memory>
  <blkiotune>
    <weight>800</weight>
    <device><path>/dev/null-blk0</path><weight>500</weight>
      <read_iops_sec>2000</read_iops_sec><write_bytes_sec>10485760</write_bytes_sec></device>
  </blkiotune>
  <memtune>
    <soft_limit unit='MiB'>1536</soft_limit>
    <hard_limit unit='GiB'>2</hard_limit>
    <swap_hard_limit unit='KiB'>3145728</swap_hard_limit>
  </memtune>
  <vcpu placement='static'>2</vcpu>
  <iothreads>2</iothreads>
  <cputune>
    <quota>-1</quota><shares>2048</shares><period>100000</period>
    <global_period>200000</global_period><global_quota>150000</global_quota>
    <emulator_period>50000</emulator_period><emulator_quota>25000</emulator_quota>
    <iothread_period>40000</iothread_period><iothread_quota>20000</iothread_quota>
    <vcpupin vcpu='1' cpuset='1'/><emulatorpin cpuset='0'/>
    <iothreadpin iothread='2' cpuset='1'/>
  </cputune>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
</domain>
""" % TUNE


def tune_tests(tap, target, tmp):
    """virsh schedinfo, memtune and blkiotune (virDomainGetSchedulerType,
    GetSchedulerParameters(Flags), GetMemoryParameters, GetBlkioParameters)
    and vcpupin, emulatorpin, iothreadinfo and vcpuinfo (GetVcpuPinInfo,
    GetEmulatorPinInfo, GetIOThreadInfo; vcpuinfo of a shut-off domain
    falls back to GetVcpuPinInfo) on a shut-off domain. Captured from virsh
    9.0 against libvirtd 9.0 with this definition on 2026-12-02 (the pins
    on a host with CPUs 0-1: a thread without a pin has every CPU); the
    outputs are the same in both modes."""
    uri = target.uri
    f = harness.write_file(tmp, TUNE + ".xml", TUNE_XML)
    r = virsh(uri, "define", f)
    tap.eq((r.rc, r.out), (0, "Domain '%s' defined from %s\n\n" % (TUNE, f)),
           "virsh define: a domain with resource controls")
    r = virsh(uri, "schedinfo", TUNE)
    tap.eq((r.rc, r.out),
           (0, "Scheduler      : posix\n"
               "cpu_shares     : 2048\n"
               "vcpu_period    : 100000\n"
               "vcpu_quota     : -1\n"
               "emulator_period: 50000\n"
               "emulator_quota : 25000\n"
               "global_period  : 200000\n"
               "global_quota   : 150000\n"
               "iothread_period: 40000\n"
               "iothread_quota : 20000\n\n"),
           "virsh schedinfo (shut off): <cputune>'s shares, periods and quotas")
    r = virsh(uri, "schedinfo", "--config", TUNE)
    tap.eq((r.rc, r.out.splitlines()[:2]), (0, ["Scheduler      : posix", "cpu_shares     : 2048"]),
           "virsh schedinfo --config (shut off)")
    r = virsh(uri, "memtune", TUNE)
    tap.eq((r.rc, r.out),
           (0, "hard_limit     : 2097152\n"
               "soft_limit     : 1572864\n"
               "swap_hard_limit: 3145728\n\n"),
           "virsh memtune (shut off): <memtune> in KiB")
    r = virsh(uri, "blkiotune", TUNE)
    tap.eq((r.rc, r.out),
           (0, "weight         : 800\n"
               "device_weight  : /dev/null-blk0,500\n"
               "device_read_iops_sec: /dev/null-blk0,2000\n"
               "device_write_iops_sec: \n"
               "device_read_bytes_sec: \n"
               "device_write_bytes_sec: /dev/null-blk0,10485760\n\n"),
           "virsh blkiotune (shut off): the weight and the device lists (typed string parameters)")
    r = virsh(uri, "memtune", "--live", TUNE)
    tap.eq((r.rc, r.err),
           (1, "error: Unable to get number of memory parameters\nerror: %s\n" % harness.by_mode(
               target, "Requested operation is not valid: domain is not running",
               "Requested operation is not valid: domain '%s' is not running" % TUNE)),
           "virsh memtune --live of a shut-off domain is refused")
    pins = pin_expectations()
    if pins is None:
        tap.skip("virsh vcpupin, emulatorpin, iothreadinfo, vcpuinfo",
                 "the expected maps were captured on a host with CPUs 0-1")
    else:
        for args, want, name in pins:
            r = virsh(uri, *(args + [TUNE]))
            tap.eq((r.rc, r.out), (0, want), name)
    r = virsh(uri, "emulatorpin", "--live", TUNE)
    tap.eq((r.rc, r.err),
           (1, "error: %s\n" % harness.by_mode(
               target, "Requested operation is not valid: domain is not running",
               "Requested operation is not valid: domain '%s' is not running" % TUNE)),
           "virsh emulatorpin --live of a shut-off domain is refused")
    r = virsh(uri, "undefine", TUNE)
    tap.eq((r.rc, r.out), (0, "Domain '%s' has been undefined\n\n" % TUNE),
           "virsh undefine: the domain with resource controls")


PINS = "vgmtest-virsh-pins"
PINS_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <vcpu placement='static'>2</vcpu>
  <iothreads>2</iothreads>
  <cputune>
    <vcpupin vcpu='0' cpuset='1'/><emulatorpin cpuset='0'/>
    <iothreadpin iothread='1' cpuset='1'/>
  </cputune>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><memballoon model='none'/></devices>
</domain>
""" % PINS


def pin_live_tests(tap, target, tmp):
    """vcpupin, emulatorpin and iothreadinfo of a running (paused) domain:
    the affinity of QEMU's threads, which the start set from the pins (a
    thread without a pin of its own on every CPU, not the emulator's);
    then the pins changed live (vcpupin 1 0, emulatorpin 1, iothreadpin
    2 0), read back the same way, each a TUNABLE event; a vCPU it does
    not have, and --config of the transient domain, refused; domstats of its iothread group, and
    of the perf and memory groups (empty).
    Captured from virsh 9.0 against libvirtd 9.0 with this definition on
    2026-12-02, on a host with CPUs 0-1; the same in both modes."""
    uri = target.uri
    names = ["virsh create --paused: a domain with vCPU, emulator and I/O thread pins",
             "virsh vcpupin (running): vCPU 0 on its pin, vCPU 1 on every CPU",
             "virsh emulatorpin (running)",
             "virsh iothreadinfo (running): I/O thread 1 on its pin, 2 on every CPU",
             "virsh vcpupin 1 0 (running): vCPU 1 now on CPU 0, vCPU 0 kept",
             "virsh emulatorpin 1 (running)",
             "virsh iothreadpin 2 0 (running)",
             "virsh vcpupin of a vCPU the domain does not have, and --config of a transient "
             "domain, fail",
             "virsh destroy: the pinned domain",
             "virsh domstats --iothread (each I/O thread's polling), and --perf --memory "
             "--enforce (empty)",
             "virsh event: a TUNABLE event for each live pin, naming the pin and its CPUs"]
    if pin_expectations() is None:
        for n in names:
            tap.skip(n, "the expected maps were captured on a host with CPUs 0-1")
        return
    f = harness.write_file(tmp, PINS + ".xml", PINS_XML)
    r = virsh(uri, "create", "--paused", f, timeout=120)
    tap.eq((r.rc, r.out), (0, "Domain '%s' created from %s\n\n" % (PINS, f)), names[0])
    r = virsh(uri, "vcpupin", PINS)
    tap.eq((r.rc, r.out), (0, " VCPU   CPU Affinity\n"
                              "----------------------\n"
                              " 0      1\n"
                              " 1      0-1\n\n"), names[1])
    r = virsh(uri, "emulatorpin", PINS)
    tap.eq((r.rc, r.out), (0, "emulator: CPU Affinity\n"
                              "----------------------------------\n"
                              "       *: 0\n\n"), names[2])
    # the rows in QEMU's order (query-iothreads), as libvirt passes it on:
    # 2 before 1 with QEMU 7.2
    r = virsh(uri, "iothreadinfo", PINS)
    lines = r.out.split("\n")
    tap.eq((r.rc, lines[:2], sorted(lines[2:])),
           (0, [" IOThread ID   CPU Affinity", "-----------------------------"],
            ["", "", " 1             1", " 2             0-1"]), names[3])
    # statistics of its I/O threads (the iothread group: QEMU's polling
    # defaults), and the perf and memory groups, empty for a domain
    # without perf events or memory bandwidth monitors
    r = virsh(uri, "domstats", PINS, "--iothread")
    r2 = virsh(uri, "domstats", PINS, "--perf", "--memory", "--enforce")
    tap.eq((r.rc, sorted(r.out.split("\n")), r2.rc, r2.out),
           (0, sorted(["Domain: '%s'" % PINS, "  iothread.count=2",
                       "  iothread.1.poll-max-ns=32768", "  iothread.1.poll-grow=0",
                       "  iothread.1.poll-shrink=0", "  iothread.2.poll-max-ns=32768",
                       "  iothread.2.poll-grow=0", "  iothread.2.poll-shrink=0", "", ""]),
            0, "Domain: '%s'\n\n" % PINS), names[9])
    # pins changed while it runs (virDomainPinVcpuFlags, PinEmulator,
    # PinIOThread): QEMU's threads move, and the reads above say so; each
    # raises a TUNABLE event (virsh event prints its parameters below it)
    events = EventReader(uri)
    time.sleep(1)
    r = virsh(uri, "vcpupin", PINS, "1", "0")
    r2 = virsh(uri, "vcpupin", PINS)
    tap.eq((r.rc, r2.out), (0, " VCPU   CPU Affinity\n"
                               "----------------------\n"
                               " 0      1\n"
                               " 1      0\n\n"), names[4])
    r = virsh(uri, "emulatorpin", PINS, "1")
    r2 = virsh(uri, "emulatorpin", PINS)
    tap.eq((r.rc, r2.out), (0, "emulator: CPU Affinity\n"
                               "----------------------------------\n"
                               "       *: 1\n\n"), names[5])
    r = virsh(uri, "iothreadpin", PINS, "2", "0")
    r2 = virsh(uri, "iothreadinfo", PINS)
    tap.eq((r.rc, sorted(r2.out.split("\n")[2:])), (0, ["", "", " 1             1", " 2             0"]),
           names[6])
    want = ["event 'tunable' for domain '%s':" % PINS, "\tcputune.iothreadpin2: 0"]
    events.wait_for(want[-1], 10)
    events.stop()
    tap.eq(events.tunable(PINS),
           ["event 'tunable' for domain '%s':" % PINS, "\tcputune.vcpupin1: 0",
            "event 'tunable' for domain '%s':" % PINS, "\tcputune.emulatorpin: 1",
            "event 'tunable' for domain '%s':" % PINS, "\tcputune.iothreadpin2: 0"],
           names[10])
    r = virsh(uri, "vcpupin", PINS, "7", "0")
    r2 = virsh(uri, "vcpupin", PINS, "0", "0", "--config")
    tap.ok(r.rc == 1 and r.err and r2.rc == 1 and r2.err, names[7], r.describe() + r2.describe())
    r = virsh(uri, "destroy", PINS)
    tap.eq((r.rc, r.out), (0, "Domain '%s' destroyed\n\n" % PINS), names[8])


USB_HP = "vgmtest-virsh-usbhp"
USB_HP_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='piix3-uhci'/>
    <input type='tablet' bus='usb'/>
    <memballoon model='none'/>
  </devices>
</domain>
""" % USB_HP


def host_kvm_tsc():
    """(kHz, scaling) of this host's KVM, read with KVM's own ioctls
    (KVM_GET_TSC_KHZ on a vCPU of a new VM, KVM_CHECK_EXTENSION of
    KVM_CAP_TSC_CONTROL), or None."""
    import fcntl
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError:
        return None
    try:
        vm = fcntl.ioctl(fd, 0xAE01, 0)
        vcpu = fcntl.ioctl(vm, 0xAE41, 0)
        khz = fcntl.ioctl(vcpu, 0xAEA3, 0)
        scaling = fcntl.ioctl(fd, 0xAE03, 60) > 0
        os.close(vcpu)
        os.close(vm)
        return khz, scaling
    except OSError:
        return None
    finally:
        os.close(fd)


def tsc_tests(tap, target, tmp):
    """<timer name='tsc' frequency> of a KVM domain 10% away from the
    host's TSC rate: refused before QEMU runs, naming the TSC, where the
    host's KVM cannot scale the TSC (libvirt's check; QEMU itself fails
    with "kvm_init_vcpu failed: Operation not supported"); not refused for
    it where KVM can. libvirtd 9.0 on this host: "Requested TSC frequency
    ... TSC scaling is not supported by the host CPU"."""
    name = "vgmtest-virsh-tsc"
    tsc = host_kvm_tsc()
    if tsc is None:
        tap.skip("a KVM domain's TSC frequency", "no usable /dev/kvm")
        return
    khz, scaling = tsc
    freq = khz * 1100
    xml = """<domain type='kvm'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <clock offset='utc'><timer name='tsc' frequency='%d'/></clock>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>""" % (name, freq)
    f = harness.write_file(tmp, name + ".xml", xml)
    r = virsh(target.uri, "create", "--paused", f, timeout=120)
    refused = r.rc == 1 and (("cannot scale the TSC" in r.err) if not target.reference else
                             ("TSC scaling is not supported" in r.err))
    if scaling:
        tap.ok(not refused, "a TSC frequency 10%% above the host's %d kHz is not refused for "
               "it: this host's KVM scales the TSC" % khz, r.describe())
    else:
        tap.ok(refused and virsh(target.uri, "domstate", name).rc != 0,
               "a TSC frequency 10%% above the host's %d kHz is refused before QEMU runs: "
               "this host's KVM cannot scale the TSC" % khz, r.describe())
    virsh(target.uri, "destroy", name)


def clock_localtime_tests(tap, target, tmp):
    """<clock offset='variable' adjustment='100' basis='localtime'>: the
    running domain's XML has the clock from UTC (basis='utc', the
    adjustment plus the host's UTC offset at the start), its inactive XML
    keeps the definition's, as libvirtd 9.0 shows them."""
    name = "vgmtest-virsh-clock"
    xml = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <clock offset='variable' adjustment='100' basis='localtime'/>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>""" % name
    f = harness.write_file(tmp, name + ".xml", xml)
    try:
        r = virsh(target.uri, "define", f)
        r2 = virsh(target.uri, "start", "--paused", name, timeout=120)
        if not tap.ok(r.rc == 0 and r2.rc == 0, "a domain with a variable clock from local "
                      "time defines and starts", r.describe() + r2.describe()):
            return
        offset = time.localtime().tm_gmtoff
        live = xml_root(tap, virsh(target.uri, "dumpxml", name).out, "the live XML (clock)")
        conf = xml_root(tap, virsh(target.uri, "dumpxml", "--inactive", name).out,
                        "the inactive XML (clock)")
        got = [dict(c.find("clock").attrib) if c is not None and c.find("clock") is not None
               else None for c in (live, conf)]
        tap.eq(got, [{"offset": "variable", "adjustment": str(100 + offset), "basis": "utc"},
                     {"offset": "variable", "adjustment": "100", "basis": "localtime"}],
               "the running domain's clock is from UTC (adjustment 100 plus the host's UTC "
               "offset %d s); the inactive XML keeps basis='localtime'" % offset)
        if not target.reference:
            # the host's offset counts: the command on the daemon's store,
            # in a time zone two hours east of UTC
            virsh(target.uri, "destroy", name, timeout=60)
            env = dict(harness.client_env(), TZ="<+02>-2")
            r = subprocess.run([harness.CLI, "--root", target.root, "start", "--paused", name],
                               capture_output=True, text=True, timeout=120, env=env)
            live = xml_root(tap, virsh(target.uri, "dumpxml", name).out, "the live XML (clock)")
            clock = live.find("clock") if live is not None else None
            tap.eq((r.returncode, dict(clock.attrib) if clock is not None else None),
                   (0, {"offset": "variable", "adjustment": str(100 + 7200), "basis": "utc"}),
                   "started in a time zone 2 hours east of UTC: the live clock's adjustment "
                   "is 100 + 7200 from UTC")
    finally:
        virsh(target.uri, "destroy", name, timeout=60)
        virsh(target.uri, "undefine", name)


def usb_hotplug_tests(tap, target, tmp):
    """USB devices plugged into a running domain find their port among
    the controllers and hubs it runs with: a PIIX3 UHCI controller has
    two, a tablet takes the first; a USB keyboard attached --live gets
    port 2 (the live XML and QEMU's device say so); a USB mouse then finds
    no free port and is refused, as libvirtd refuses it, with the live
    XML unchanged (no hub is added to a running domain: libvirt adds hubs
    at a define only). Run against libvirtd 9.0 alike on 2026-12-03."""
    uri = target.uri
    names = ["virsh create --paused: a PC with a PIIX3 UHCI controller and a USB tablet",
             "attach-device --live of a USB keyboard: port 2, the second of the controller",
             "attach-device --live of a USB mouse with every port taken: refused, the live XML "
             "unchanged (no hub added)"]

    def usb_ports(xml):
        d = xml_root(tap, xml, "the live XML (USB devices)")
        out = []
        for el in (d.findall("./devices/input") if d is not None else []):
            a = el.find("address")
            if el.get("bus") == "usb":
                out.append((el.get("type"), a.get("port") if a is not None else None))
        hubs = len(d.findall("./devices/hub")) if d is not None else None
        return out, hubs

    f = harness.write_file(tmp, USB_HP + ".xml", USB_HP_XML)
    r = virsh(uri, "create", "--paused", f, timeout=120)
    if not tap.ok(r.rc == 0, names[0], r.describe()):
        for n in names[1:]:
            tap.skip(n, "the domain did not start")
        return
    try:
        kbd = harness.write_file(tmp, "usb-kbd.xml", "<input type='keyboard' bus='usb'/>")
        r = virsh(uri, "attach-device", USB_HP, kbd, "--live")
        ports, hubs = usb_ports(virsh(uri, "dumpxml", USB_HP).out)
        qom = None
        if not target.reference:
            qom = harness.qmp(target.root, USB_HP, "qom-get",
                              {"path": "/machine/peripheral/input3", "property": "port"})
        tap.ok(r.rc == 0 and ("keyboard", "2") in ports and ("tablet", "1") in ports and
               hubs == 0 and (qom is None or qom.get("return") == "2"), names[1],
               r.describe() + repr((ports, hubs, qom)))
        mouse = harness.write_file(tmp, "usb-mouse.xml", "<input type='mouse' bus='usb'/>")
        r = virsh(uri, "attach-device", USB_HP, mouse, "--live")
        after = usb_ports(virsh(uri, "dumpxml", USB_HP).out)
        tap.ok(r.rc == 1 and harness.by_mode(target, "No free USB ports",
                                             "no free USB port") in r.err and
               after == (ports, hubs), names[2], r.describe() + repr(after))
    finally:
        virsh(uri, "destroy", USB_HP, timeout=60)


ALIAS = "vgmtest-virsh-alias"
ALIAS_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/></disk>
    <controller type='usb' model='qemu-xhci'/>
    <controller type='virtio-serial'/>
    <serial type='pty'/>
    <serial type='pty'/>
    <console type='pty'/>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <input type='tablet' bus='usb'/>
    <input type='keyboard' bus='virtio'/>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <rng model='virtio'><backend model='random'>/dev/random</backend><alias name='ua-Rng'/></rng>
    <memballoon model='virtio'/>
  </devices>
</domain>
""" % ALIAS

# What libvirtd 9.0 showed for ALIAS_XML on 2026-12-03 (virsh create
# --paused, then dumpxml): each device element and its <alias name>, in
# document order; controllers first as libvirt lists them.
ALIAS_EXPECTED = [
    ("disk", "sata0-0-0"), ("controller", "usb"), ("controller", "virtio-serial0"),
    ("controller", "ide"), ("controller", "pcie.0"),
] + [("controller", "pci.%d" % i) for i in range(1, 8)] + [
    ("serial", "serial0"), ("serial", "serial1"), ("console", "serial0"),
    ("channel", "channel0"), ("input", "input0"), ("input", "input1"), ("input", "input2"),
    ("input", "input3"), ("memballoon", "balloon0"), ("rng", "rng0"), ("rng", "ua-Rng"),
]


def device_aliases(tap, xml):
    d = xml_root(tap, xml, "the live XML (aliases)")
    out = []
    for el in (list(d.find("devices")) if d is not None else []):
        a = el.find("alias")
        if a is not None:
            out.append((el.tag, a.get("name")))
    return out


def alias_tests(tap, target, tmp):
    """A running domain's XML names each device's QEMU id in <alias>, as
    libvirtd's does (the list above, captured from libvirtd 9.0), a user
    alias ('ua-') included, which is the device's QEMU id; its pty
    character devices name their ptys (virsh ttyconsole reads the
    console's); a persistent domain's inactive XML has neither, only the
    user alias. A USB tablet attached with a user alias is QEMU's device
    of that id and detaches by it; a user alias another device has is
    refused. virsh detach-device-alias
    of the USB tablet (a USB unplug needs no guest) takes it away; the
    devices after it keep their ids (a tablet attached next is input4,
    after the highest, not a renumbered one); an unknown alias is refused.
    Run against libvirtd 9.0 alike on 2026-12-03."""
    uri = target.uri
    names = ["virsh define, start --paused: a q35 domain with ptys, inputs, rngs and a channel",
             "dumpxml: every device's <alias>, as libvirtd 9.0 names them",
             "dumpxml: the pty serial ports' <source path>; the console's tty is its serial "
             "port's; virsh ttyconsole prints it",
             "dumpxml --inactive: no <alias> but the user alias, no pty path, no channel socket",
             "dumpxml: the unix channel's <source mode='bind' path=''> is the socket QEMU "
             "listens on",
             "detach-device-alias input0 (the USB tablet): gone, the others keep their aliases",
             "attach-device --live of a tablet: input4, after the highest (QEMU's ids too)",
             "detach-device-alias of an alias no device has: refused",
             "detach-device-alias --live --config of a run's alias (input1), which the "
             "config does not have: refused, nothing changes in either",
             "attach-device --live of a tablet with user alias ua-Tab: QEMU's device ua-Tab",
             "attach-device --live of a tablet with user alias ua-Rng, which the rng has: refused",
             "detach-device-alias ua-Tab: gone",
             "define of the running domain's live XML (virsh dumpxml, define): the config "
             "keeps no channel socket of the run",
             "after destroy and domrename, the domain starts (its channel's socket is the "
             "new name's)"]
    f = harness.write_file(tmp, ALIAS + ".xml", ALIAS_XML)
    r = virsh(uri, "define", f)
    if r.rc == 0:
        r = virsh(uri, "start", "--paused", ALIAS, timeout=120)
    if not tap.ok(r.rc == 0, names[0], r.describe()):
        virsh(uri, "undefine", ALIAS)
        for n in names[1:]:
            tap.skip(n, "the domain did not start")
        return
    try:
        live = virsh(uri, "dumpxml", ALIAS).out
        got = device_aliases(tap, live)
        tap.ok(got == ALIAS_EXPECTED, names[1], repr(got))
        d = xml_root(tap, live, "the live XML (ptys)")
        paths = [el.find("source").get("path") if el.find("source") is not None else None
                 for el in d.findall("./devices/serial")] if d is not None else []
        cons = d.find("./devices/console") if d is not None else None
        tty = virsh(uri, "ttyconsole", ALIAS)
        tap.ok(len(paths) == 2 and all(p and p.startswith("/dev/pts/") for p in paths) and
               paths[0] != paths[1] and cons is not None and cons.get("tty") == paths[0] and
               cons.find("source") is not None and cons.find("source").get("path") == paths[0] and
               tty.rc == 0 and tty.out.strip() == paths[0], names[2],
               repr((paths, cons.attrib if cons is not None else None)) + tty.describe())
        inactive = virsh(uri, "dumpxml", "--inactive", ALIAS).out
        ch = d.find("./devices/channel") if d is not None else None
        tap.ok(inactive.count("<alias") == 1 and "<alias name='ua-Rng'/>" in inactive and
               "/dev/pts/" not in inactive and "<devices>" in inactive and
               (ch is None or ch.find("source") is None or
                ch.find("source").get("path") not in inactive), names[3], inactive[-600:])
        src = ch.find("source") if ch is not None else None
        path = src.get("path") if src is not None else None
        tap.ok(src is not None and src.get("mode") == "bind" and path is not None and
               os.path.exists(path) and stat.S_ISSOCK(os.stat(path).st_mode), names[4],
               repr(src.attrib if src is not None else None))
        r = virsh(uri, "detach-device-alias", ALIAS, "input0", "--live")
        want = [a for a in ALIAS_EXPECTED if a != ("input", "input0")]
        # (libvirtd returns once QEMU was asked, and drops the device
        # when QEMU says it is gone)
        deadline = time.monotonic() + 10
        while True:
            after = device_aliases(tap, virsh(uri, "dumpxml", ALIAS).out)
            if after == want or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        tap.ok(r.rc == 0 and after == want, names[5], r.describe() + repr(after))
        tab = harness.write_file(tmp, "alias-tablet.xml", "<input type='tablet' bus='usb'/>")
        r = virsh(uri, "attach-device", ALIAS, tab, "--live")
        after = device_aliases(tap, virsh(uri, "dumpxml", ALIAS).out)
        inputs = [a for t, a in after if t == "input"]
        # QEMU's devices have those ids too (the PS/2 ones are the
        # machine's own): the keyboard was not renamed by the unplug
        qom = None
        if not target.reference:
            qom = harness.qmp(target.root, ALIAS, "qom-list", {"path": "/machine/peripheral"})
            qom = sorted(p["name"] for p in qom.get("return", []) if p["name"].startswith("input"))
        tap.ok(r.rc == 0 and inputs == ["input1", "input2", "input3", "input4"] and
               qom in (None, ["input1", "input4"]), names[6], r.describe() + repr((after, qom)))
        r = virsh(uri, "detach-device-alias", ALIAS, "nosuch0", "--live")
        tap.ok(r.rc == 1 and "nosuch0" in r.err and
               device_aliases(tap, virsh(uri, "dumpxml", ALIAS).out) == after, names[7],
               r.describe())
        # (libvirtd 9.0 looks the alias up in the config as well, which
        # keeps user aliases only: "no device found with alias", 2026-12-07)
        before = virsh(uri, "dumpxml", "--inactive", ALIAS).out
        r = virsh(uri, "detach-device-alias", ALIAS, "input1", "--live", "--config")
        tap.ok(r.rc == 1 and "input1" in r.err and
               device_aliases(tap, virsh(uri, "dumpxml", ALIAS).out) == after and
               virsh(uri, "dumpxml", "--inactive", ALIAS).out == before, names[8],
               r.describe())
        ua = harness.write_file(tmp, "alias-ua-tablet.xml",
                                "<input type='tablet' bus='usb'><alias name='ua-Tab'/></input>")
        r = virsh(uri, "attach-device", ALIAS, ua, "--live")
        got = device_aliases(tap, virsh(uri, "dumpxml", ALIAS).out)
        qom = None
        if not target.reference:
            qom = harness.qmp(target.root, ALIAS, "qom-get",
                              {"path": "/machine/peripheral/ua-Tab", "property": "port"})
            qom = "return" in qom
        tap.ok(r.rc == 0 and ("input", "ua-Tab") in got and qom in (None, True), names[9],
               r.describe() + repr((got, qom)))
        dup = harness.write_file(tmp, "alias-dup-tablet.xml",
                                 "<input type='tablet' bus='usb'><alias name='ua-Rng'/></input>")
        r = virsh(uri, "attach-device", ALIAS, dup, "--live")
        tap.ok(r.rc == 1 and "ua-Rng" in r.err and
               device_aliases(tap, virsh(uri, "dumpxml", ALIAS).out) == got, names[10],
               r.describe())
        r = virsh(uri, "detach-device-alias", ALIAS, "ua-Tab", "--live")
        deadline = time.monotonic() + 10
        while True:
            left = device_aliases(tap, virsh(uri, "dumpxml", ALIAS).out)
            if ("input", "ua-Tab") not in left or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        tap.ok(r.rc == 0 and ("input", "ua-Tab") not in left and
               [a for a in left if a != ("input", "ua-Tab")] == [a for a in got if a != ("input", "ua-Tab")],
               names[11], r.describe() + repr(left))
        # (libvirtd 9.0 drops the channel socket paths it named from a
        # definition, 2026-12-06: a start after a rename binds the new
        # name's; a config that kept the old run's path could not start)
        f2 = harness.write_file(tmp, ALIAS + "-live.xml", virsh(uri, "dumpxml", ALIAS).out)
        r = virsh(uri, "define", f2)
        inactive = virsh(uri, "dumpxml", "--inactive", ALIAS).out
        tap.ok(r.rc == 0 and path is not None and path not in inactive and
               "<channel type='unix'>" in inactive, names[12], r.describe() + inactive[-800:])
        virsh(uri, "destroy", ALIAS, timeout=60)
        r = virsh(uri, "domrename", ALIAS, ALIAS + "-b")
        r2 = virsh(uri, "start", "--paused", ALIAS + "-b", timeout=120)
        tap.ok(r.rc == 0 and r2.rc == 0, names[13], r.describe() + r2.describe())
        virsh(uri, "destroy", ALIAS + "-b", timeout=60)
        virsh(uri, "domrename", ALIAS + "-b", ALIAS)
    finally:
        for n in (ALIAS, ALIAS + "-b"):
            virsh(uri, "destroy", n, timeout=60)
            virsh(uri, "undefine", n)


SHM = "vgmtest-virsh-shmem"
SHM_FILES = ("vgmtest-virsh-shm-a", "vgmtest-virsh-shm-b")
SHM_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <shmem name='%s'>
      <model type='ivshmem-plain'/>
      <size unit='M'>8</size>
    </shmem>
    <memballoon model='none'/>
  </devices>
</domain>
""" % (SHM, SHM_FILES[0])


def shmem_tests(tap, target, tmp):
    """Shared memory (<shmem>, as Looking Glass users write it): an
    ivshmem-plain device of 8 MiB at the start is the host's
    /dev/shm/NAME of that size, and QEMU's shared shmmem-shmem0 backend;
    a second one attached --live (4 MiB, the default size the live XML
    then holds) gets a PCI address, its file and QEMU's shmem1; an
    ivshmem-doorbell attached --live is refused (its server socket is a
    character device; libvirtd fails it too, here for want of a server),
    the live XML unchanged; a save is refused, as libvirt refuses to
    migrate shared memory that is not role='master'. Run against libvirtd
    9.0 alike on 2026-12-03."""
    uri = target.uri
    names = ["virsh create --paused with an ivshmem-plain <shmem> of 8 MiB: /dev/shm/NAME of "
             "8 MiB, QEMU's shared backend shmmem-shmem0",
             "attach-device --live of a second ivshmem-plain: 4 MiB with a PCI address in the "
             "live XML, its /dev/shm file, QEMU's shmem1",
             "attach-device --live of an ivshmem-doorbell fails, the live XML unchanged",
             "virsh save of the domain is refused (its shared memory is no role='master' one); "
             "the domain runs on"]

    def shmems():
        d = xml_root(tap, virsh(uri, "dumpxml", SHM).out, "the live XML (shmem)")
        out = []
        for el in (d.findall("./devices/shmem") if d is not None else []):
            size = el.find("size")
            out.append((el.get("name"), size.text if size is not None else None,
                        el.find("address") is not None))
        return out

    def file_size(name):
        try:
            return os.stat("/dev/shm/" + name).st_size
        except OSError:
            return None

    for n in SHM_FILES:
        if os.path.exists("/dev/shm/" + n):
            os.unlink("/dev/shm/" + n)
    f = harness.write_file(tmp, SHM + ".xml", SHM_XML)
    r = virsh(uri, "create", "--paused", f, timeout=120)
    memdev = None
    if r.rc == 0 and not target.reference:
        memdev = [m for m in harness.qmp(target.root, SHM, "query-memdev").get("return", [])
                  if m.get("id") == "shmmem-shmem0"]
    if not tap.ok(r.rc == 0 and file_size(SHM_FILES[0]) == 8 << 20 and
                  (memdev is None or (len(memdev) == 1 and memdev[0].get("size") == 8 << 20 and
                                      memdev[0].get("share") is True)),
                  names[0], r.describe() + repr((file_size(SHM_FILES[0]), memdev))):
        for n in names[1:]:
            tap.skip(n, "the domain did not start")
        virsh(uri, "destroy", SHM, timeout=60)
        return
    try:
        second = harness.write_file(tmp, "shm-b.xml", "<shmem name='%s'><model type='ivshmem-plain'/>"
                                    "</shmem>" % SHM_FILES[1])
        r = virsh(uri, "attach-device", SHM, second, "--live")
        got = shmems()
        qom = None
        if not target.reference:
            qom = harness.qmp(target.root, SHM, "qom-get",
                              {"path": "/machine/peripheral/shmem1", "property": "type"})
        tap.ok(r.rc == 0 and (SHM_FILES[1], "4", True) in got and len(got) == 2 and
               file_size(SHM_FILES[1]) == 4 << 20 and
               (qom is None or qom.get("return") == "ivshmem-plain"), names[1],
               r.describe() + repr((got, file_size(SHM_FILES[1]), qom)))
        door = harness.write_file(tmp, "shm-door.xml",
                                  "<shmem name='vgmtest-virsh-shm-door'><model type='ivshmem-doorbell'/>"
                                  "<server path='%s/no-ivshmem-server.sock'/></shmem>" % tmp)
        before = shmems()
        r = virsh(uri, "attach-device", SHM, door, "--live")
        tap.ok(r.rc == 1 and shmems() == before, names[2], r.describe() + repr(shmems()))
        image = os.path.join(tmp, "shm.save")
        r = virsh(uri, "save", SHM, image, timeout=120)
        st = virsh(uri, "domstate", SHM)
        # (libvirtd 9.0 passes QEMU's migration blocker on: "Migration is
        # disabled when using feature 'peer mode' in device 'ivshmem'")
        want = harness.by_mode(target, ["peer mode"], [SHM_FILES[0], "master"])
        tap.ok(r.rc == 1 and all(w in r.err for w in want) and
               st.out.startswith("paused") and not os.path.exists(image), names[3],
               r.describe() + st.describe())
    finally:
        virsh(uri, "destroy", SHM, timeout=60)
        for n in SHM_FILES:
            if os.path.exists("/dev/shm/" + n):
                os.unlink("/dev/shm/" + n)


TUNE_LIVE = "vgmtest-virsh-tunelive"
TUNE_LIVE_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <memtune><soft_limit unit='MiB'>128</soft_limit></memtune>
  <vcpu placement='static'>2</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>
""" % TUNE_LIVE


def tune_values(out):
    """virsh schedinfo / memtune / blkiotune output as {name: value}."""
    vals = {}
    for line in out.splitlines():
        k, sep, v = line.partition(":")
        if sep:
            vals[k.strip()] = v.strip()
    return vals


def tune_live_tests(tap, target, tmp):
    """schedinfo --set, memtune and blkiotune with values
    (virDomainSetSchedulerParameters(Flags), SetMemoryParameters,
    SetBlkioParameters): on the config of a defined domain (read back in
    dumpxml --inactive), then on the running (paused) domain, read back
    through virsh and through the kernel's own view of QEMU's cgroups
    (/proc/PID/cgroup: the domain's group and vCPU 0's); --live --config;
    out-of-range and inconsistent values refused with nothing changed.
    The outputs and messages were captured from virsh 9.0 against
    libvirtd 9.0 with this definition on 2026-12-03 (cgroup v1 host);
    where libvirtd's text differs, by_mode gives both. Skipped where this
    host's cgroups take no group (harness.cgroups_usable). On a host whose
    block I/O controller takes no weight (harness.blkio_weight_usable: a v1
    host without CFQ or BFQ), the start with the weight is refused naming
    the weight's file, the domain is defined again without it, and the
    live weight is refused the same way."""
    uri = target.uri
    # (a soft limit: libvirtd 9.0 makes a hard one QEMU's locked-memory
    # limit too, which a container's root may not set)
    names = ["virsh define: a domain with a memory limit",
             "virsh schedinfo --set --config: shares and period in the config",
             "virsh memtune --soft-limit and blkiotune --weight --config: in the config",
             "virsh start --paused: the tuned domain",
             "virsh schedinfo --set --live: shares and vCPU quota, as virsh and the kernel see them",
             "virsh memtune --hard-limit --live: as virsh and the kernel see it",
             "virsh blkiotune --weight --live",
             "virsh schedinfo --set of a period out of range is refused, nothing changed",
             "virsh memtune with a hard limit above the swap limit is refused, nothing changed",
             "virsh schedinfo --set --live --config: both changed",
             "virsh destroy and undefine: the tuned domain",
             "virsh event: schedinfo --set --live raises TUNABLE with the controls it set",
             "virsh schedinfo --live of the running domain: its groups' values, the "
             "controls not given as the kernel has them"]
    if not harness.cgroups_usable() and not target.reference:
        for n in names:
            tap.skip(n, "this host's cgroups take no group (needs root and the cpu and memory "
                        "controllers)")
        return
    f = harness.write_file(tmp, TUNE_LIVE + ".xml", TUNE_LIVE_XML)
    r = virsh(uri, "define", f)
    tap.eq((r.rc, r.out), (0, "Domain '%s' defined from %s\n\n" % (TUNE_LIVE, f)), names[0])
    r = virsh(uri, "schedinfo", TUNE_LIVE, "--config", "--set", "cpu_shares=1500",
              "vcpu_period=50000")
    x = virsh(uri, "dumpxml", "--inactive", TUNE_LIVE).out
    tap.ok(r.rc == 0 and tune_values(r.out).get("cpu_shares") == "1500" and
           "<shares>1500</shares>" in x and "<period>50000</period>" in x,
           names[1], r.describe() + x)
    r = virsh(uri, "memtune", TUNE_LIVE, "--config", "--soft-limit", "262144")
    r2 = virsh(uri, "blkiotune", TUNE_LIVE, "--config", "--weight", "600")
    x = virsh(uri, "dumpxml", "--inactive", TUNE_LIVE).out
    tap.ok(r.rc == 0 and r2.rc == 0 and "<soft_limit unit='KiB'>262144</soft_limit>" in x and
           "<weight>600</weight>" in x, names[2], r.describe() + r2.describe() + x)
    weight = harness.blkio_weight_usable()
    refused = None
    if not weight:
        refused = virsh(uri, "start", "--paused", TUNE_LIVE, timeout=120)
        x = re.sub(r"\s*<blkiotune>.*?</blkiotune>", "", x, flags=re.S)
        harness.write_file(tmp, TUNE_LIVE + "-noweight.xml", x)
        virsh(uri, "define", os.path.join(tmp, TUNE_LIVE + "-noweight.xml"))
    r = virsh(uri, "start", "--paused", TUNE_LIVE, timeout=120)
    if refused is None:
        tap.eq((r.rc, r.out), (0, "Domain '%s' started\n\n" % TUNE_LIVE), names[3])
    else:
        tap.ok(refused.rc == 1 and "weight" in refused.err and
               r.rc == 0 and r.out == "Domain '%s' started\n\n" % TUNE_LIVE, names[3] +
               " (this host's block I/O controller takes no weight: refused with it, started "
               "without it)", refused.describe() + r.describe())
    pids = harness.qemus_naming(TUNE_LIVE)
    pid = pids[0] if len(pids) == 1 else None
    cpu0 = harness.qemu_thread(pid, "CPU 0/") if pid else None
    v2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")

    def kernel_sched():
        if not pid or not cpu0:
            return None
        # the domain's group: the one above vCPU 0's (libvirt keeps QEMU's
        # other threads in a group of their own, the driver in the
        # domain's unless an emulator control asks for one)
        if v2:
            return (harness.cgroup_value(pid, "cpu", "cpu.weight", cpu0, parent=True),
                    harness.cgroup_value(pid, "cpu", "cpu.max", cpu0))
        return (harness.cgroup_value(pid, "cpu", "cpu.shares", cpu0, parent=True),
                "%s %s" % (harness.cgroup_value(pid, "cpu", "cpu.cfs_quota_us", cpu0),
                           harness.cgroup_value(pid, "cpu", "cpu.cfs_period_us", cpu0)))

    def kernel_memory():
        return pid and harness.cgroup_value(pid, "memory", "memory.max" if v2 else
                                            "memory.limit_in_bytes")

    # what the running domain's groups hold, the controls not given
    # included (the kernel's defaults: a 100 ms period, no quota), as
    # libvirtd 9.0 reads them (2026-12-07; without an I/O thread, its
    # pair is the domain's too)
    got = tune_values(virsh(uri, "schedinfo", TUNE_LIVE, "--live").out)
    tap.eq(dict((k, got.get(k)) for k in
                ("cpu_shares", "vcpu_period", "vcpu_quota", "emulator_period",
                 "emulator_quota", "global_period", "global_quota", "iothread_period",
                 "iothread_quota")),
           {"cpu_shares": "1500", "vcpu_period": "50000", "vcpu_quota": "-1",
            "emulator_period": "100000", "emulator_quota": "-1", "global_period": "100000",
            "global_quota": "-1", "iothread_period": "100000", "iothread_quota": "-1"},
           names[12])
    events = EventReader(uri)
    time.sleep(1)
    r = virsh(uri, "schedinfo", TUNE_LIVE, "--live", "--set", "cpu_shares=512",
              "vcpu_quota=20000")
    got = tune_values(virsh(uri, "schedinfo", TUNE_LIVE, "--live").out)
    tap.eq((r.rc, got.get("cpu_shares"), got.get("vcpu_period"), got.get("vcpu_quota"),
            kernel_sched()), (0, "512", "50000", "20000", ("512", "20000 50000")), names[4])
    events.wait_for("\tcputune.vcpu_quota: 20000", 10)
    events.stop()
    tap.eq(events.tunable(TUNE_LIVE),
           ["event 'tunable' for domain '%s':" % TUNE_LIVE, "\tcputune.cpu_shares: 512",
            "\tcputune.vcpu_quota: 20000"], names[11])
    r = virsh(uri, "memtune", TUNE_LIVE, "--live", "--hard-limit", "409600")
    got = tune_values(virsh(uri, "memtune", TUNE_LIVE).out)
    tap.eq((r.rc, got.get("hard_limit"), got.get("soft_limit"), kernel_memory()),
           (0, "409600", "262144", str(409600 * 1024)), names[5])
    r = virsh(uri, "blkiotune", TUNE_LIVE, "--live", "--weight", "300")
    got = tune_values(virsh(uri, "blkiotune", TUNE_LIVE).out)
    if weight:
        tap.eq((r.rc, got.get("weight")), (0, "300"), names[6])
    else:
        tap.ok(r.rc == 1 and "weight" in r.err and got.get("weight") in (None, "0"),
               names[6] + ": refused, this host's block I/O controller takes no weight",
               r.describe() + repr(got))
    r = virsh(uri, "schedinfo", TUNE_LIVE, "--set", "vcpu_period=20")
    tap.eq((r.rc, r.err, kernel_sched()),
           (1, "error: %s\n" % harness.by_mode(
               target, "invalid argument: value of 'vcpu_period' is out of range [1000, 1000000]",
               "invalid argument: value of 'vcpu_period' (20) is out of range [1000, 1000000]"),
            ("512", "20000 50000")), names[7])
    r = virsh(uri, "memtune", TUNE_LIVE, "--hard-limit", "819200", "--swap-hard-limit", "409600")
    tap.eq((r.rc, r.err, kernel_memory()),
           (1, "error: Unable to change memory parameters\nerror: %s\n" % harness.by_mode(
               target, "invalid argument: memory hard_limit tunable value must be lower than or "
               "equal to swap_hard_limit",
               "invalid argument: hard_limit (819200 KiB) must not be higher than swap_hard_limit (409600 KiB)"),
            str(409600 * 1024)), names[8])
    r = virsh(uri, "schedinfo", TUNE_LIVE, "--live", "--config", "--set", "cpu_shares=700")
    live = tune_values(virsh(uri, "schedinfo", TUNE_LIVE, "--live").out)
    x = virsh(uri, "dumpxml", "--inactive", TUNE_LIVE).out
    tap.ok(r.rc == 0 and live.get("cpu_shares") == "700" and "<shares>700</shares>" in x and
           kernel_sched() == ("700", "20000 50000"), names[9], r.describe() + repr(live) + x)
    r = virsh(uri, "destroy", TUNE_LIVE)
    r2 = virsh(uri, "undefine", TUNE_LIVE)
    tap.ok(r.rc == 0 and r2.rc == 0, names[10], r.describe() + r2.describe())


CG_PLAIN = "vgmtest-virsh-cgplain"


def cgroup_default_tests(tap, target, tmp):
    """Every running domain in a cgroup of its own, as libvirtd's
    privileged driver puts it: a domain without any <cputune>, <memtune>
    or <blkiotune> runs in a group of the cpu and memory controllers that
    is not the daemon's and names the domain (libvirtd escapes '-' as
    \\x2d); a memory limit set live (virDomainSetMemoryParameters) takes
    effect there, as virsh and the kernel see it; destroy removes the
    group. Run against libvirtd 9.0 alike on 2026-12-03 (cgroup v1 host).
    Skipped where this host's cgroups take no group."""
    uri = target.uri
    names = ["virsh start --paused: a domain without resource controls",
             "its QEMU runs in a cpu and a memory cgroup of its own, named after the domain",
             "virsh memtune --hard-limit --live on it: as virsh and the kernel see it",
             "virsh destroy removes the domain's cgroup"]
    if not harness.cgroups_usable() and not target.reference:
        for n in names:
            tap.skip(n, "this host's cgroups take no group (needs root and the cpu and memory "
                        "controllers)")
        return
    f = harness.write_file(tmp, CG_PLAIN + ".xml", NUMA_XML.replace(NUMA, CG_PLAIN))
    r = virsh(uri, "define", f)
    r2 = virsh(uri, "start", "--paused", CG_PLAIN, timeout=120)
    tap.ok(r.rc == 0 and r2.rc == 0, names[0], r.describe() + r2.describe())
    pids = harness.qemus_naming(CG_PLAIN)
    pid = pids[0] if len(pids) == 1 else None
    mine = {c: harness.cgroup_dir(os.getpid(), c) for c in ("cpu", "memory")}
    groups = {c: pid and harness.cgroup_dir(pid, c) for c in ("cpu", "memory")}
    tap.ok(all(groups[c] and groups[c] != mine[c] and
               (CG_PLAIN in groups[c] or CG_PLAIN.replace("-", "\\x2d") in groups[c])
               for c in groups), names[1], "pid %r: %r (this test: %r)" % (pid, groups, mine))
    v2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
    r = virsh(uri, "memtune", CG_PLAIN, "--live", "--hard-limit", "524288")
    got = tune_values(virsh(uri, "memtune", CG_PLAIN).out)
    limit = pid and harness.cgroup_value(pid, "memory",
                                         "memory.max" if v2 else "memory.limit_in_bytes")
    tap.eq((r.rc, r.err, got.get("hard_limit"), limit),
           (0, "", "524288", str(524288 * 1024)), names[2])
    r = virsh(uri, "destroy", CG_PLAIN)
    r2 = virsh(uri, "undefine", CG_PLAIN)
    left = [g for g in groups.values() if g and os.path.exists(g)]
    tap.ok(r.rc == 0 and r2.rc == 0 and groups["memory"] and not left, names[3],
           r.describe() + r2.describe() + "left: %r" % left)


NUMA = "vgmtest-virsh-numatune"
NUMA_XML = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <vcpu placement='static'>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>
""" % NUMA


def numatune_tests(tap, target, tmp):
    """virsh numatune (virDomainGetNumaParameters, SetNumaParameters) on a
    config: libvirt's defaults (strict, no node set), a mode without a
    node set refused under static placement, a node set then a mode
    (dumpxml --inactive), an unknown mode refused; on the running domain
    (host node 0): a mode change and a node set refused, --config
    changing the config alone. Captured from virsh 9.0 against libvirtd
    9.0 on 2026-12-03; where the messages differ, by_mode gives both."""
    uri = target.uri
    f = harness.write_file(tmp, NUMA + ".xml", NUMA_XML)
    r = virsh(uri, "define", f)
    tap.eq(r.rc, 0, "virsh define: a domain without <numatune>")
    r = virsh(uri, "numatune", NUMA)
    tap.eq((r.rc, r.out), (0, "numa_mode      : strict\nnuma_nodeset   : \n\n"),
           "virsh numatune: strict and no node set when <numatune> says nothing")
    r = virsh(uri, "numatune", NUMA, "--mode", "interleave")
    tap.eq((r.rc, r.err), (1, "error: Unable to change numa parameters\nerror: %s\n" % harness.by_mode(
        target, "unsupported configuration: nodeset for NUMA memory tuning must be set if "
        "'placement' is 'static'",
        "unsupported configuration: <numatune> needs a node set (numa_nodeset) where its placement is static")),
        "virsh numatune --mode without a node set under static placement is refused")
    r = virsh(uri, "numatune", NUMA, "--nodeset", "0")
    r2 = virsh(uri, "numatune", NUMA, "--mode", "interleave")
    r3 = virsh(uri, "numatune", NUMA)
    x = virsh(uri, "dumpxml", "--inactive", NUMA).out
    tap.eq((r.rc, r2.rc, r3.out, "<memory mode='interleave' nodeset='0'/>" in x),
           (0, 0, "numa_mode      : interleave\nnuma_nodeset   : 0\n\n", True),
           "virsh numatune --nodeset, then --mode: the config's <numatune>")
    r = virsh(uri, "numatune", NUMA, "--mode", "9")
    tap.eq((r.rc, r.err), (1, "error: Unable to change numa parameters\nerror: %s\n" % harness.by_mode(
        target, "invalid argument: unsupported numatune mode: '9'",
        "invalid argument: unsupported numatune mode: '9'")), "virsh numatune --mode 9 is refused")
    r = virsh(uri, "start", "--paused", NUMA, timeout=120)
    tap.eq(r.rc, 0, "virsh start --paused: the domain on host node 0, interleaved")
    r = virsh(uri, "numatune", NUMA, "--mode", "strict")
    tap.eq((r.rc, r.err), (1, "error: Unable to change numa parameters\nerror: %s\n" % harness.by_mode(
        target, "Requested operation is not valid: can't change numatune mode for running domain",
        "Requested operation is not valid: cannot change the <numatune> mode of running domain '%s'" % NUMA)),
        "virsh numatune --mode of a running domain is refused")
    r = virsh(uri, "numatune", NUMA, "--nodeset", "0", "--live")
    tap.eq((r.rc, r.err), (1, "error: Unable to change numa parameters\nerror: %s\n" % harness.by_mode(
        target, "Requested operation is not valid: change of nodeset for running domain "
        "requires restrictive numa mode",
        "Requested operation is not valid: cannot change the <numatune> node set of running domain '%s': a running domain's node "
        "set changes only in mode 'restrictive' or where it has no <numatune>" % NUMA)),
        "virsh numatune --nodeset --live of a running interleaved domain is refused")
    r = virsh(uri, "numatune", NUMA, "--mode", "preferred", "--config")
    r2 = virsh(uri, "numatune", NUMA, "--config")
    r3 = virsh(uri, "numatune", NUMA)
    tap.eq((r.rc, r2.out, r3.out),
           (0, "numa_mode      : preferred\nnuma_nodeset   : 0\n\n",
            "numa_mode      : interleave\nnuma_nodeset   : 0\n\n"),
           "virsh numatune --mode --config of a running domain: the config alone")
    r = virsh(uri, "destroy", NUMA)
    r2 = virsh(uri, "undefine", NUMA)
    tap.ok(r.rc == 0 and r2.rc == 0, "virsh destroy and undefine: the numatune domain",
           r.describe() + r2.describe())


NUMA_LIVE = "vgmtest-virsh-numalive"


def numatune_live_tests(tap, target, tmp):
    """virsh numatune --live through the cpuset controller, as libvirtd
    9.0 changes it: a running domain without <numatune> takes a node set
    (its QEMU's cpuset group then has those memory nodes; the live XML
    says mode 'strict'), and then, being strict, no other; a domain in
    mode 'restrictive' starts with its node set in its cpuset group and
    takes a node set live; a host node that does not exist is refused.
    Captured against libvirtd 9.0 on 2026-12-07 (cgroup v1 host, one NUMA
    node); where the messages differ, by_mode gives both. Skipped where
    this host's cgroups take no cpuset group."""
    uri = target.uri
    names = ["virsh numatune --nodeset --live of a running domain without <numatune>",
             "its QEMU's cpuset group has the node set, the live XML mode 'strict'",
             "a second --nodeset --live, the domain now strict, is refused",
             "a domain in mode 'restrictive' starts with its node set in its cpuset group",
             "virsh numatune --nodeset --live of the restrictive domain",
             "a host NUMA node that does not exist is refused",
             "virsh destroy and undefine: both domains"]
    if not harness.cgroups_usable(("cpuset",)) and not target.reference:
        for n in names:
            tap.skip(n, "this host's cgroups take no cpuset group (needs root and the cpuset "
                        "controller)")
        return
    plain = NUMA_XML.replace(NUMA, NUMA_LIVE)
    f = harness.write_file(tmp, NUMA_LIVE + ".xml", plain)
    r = virsh(uri, "define", f)
    r2 = virsh(uri, "start", "--paused", NUMA_LIVE, timeout=120)
    r3 = virsh(uri, "numatune", NUMA_LIVE, "--nodeset", "0", "--live")
    tap.ok(r.rc == 0 and r2.rc == 0 and r3.rc == 0, names[0],
           r.describe() + r2.describe() + r3.describe())
    pids = harness.qemus_naming(NUMA_LIVE)
    pid = pids[0] if len(pids) == 1 else None
    group = pid and harness.cgroup_dir(pid, "cpuset")
    mems = pid and harness.cgroup_value(pid, "cpuset", "cpuset.mems")
    r = virsh(uri, "numatune", NUMA_LIVE)
    x = virsh(uri, "dumpxml", NUMA_LIVE).out
    tap.ok(mems == "0" and group and NUMA_LIVE.replace("-", "") in group.replace("\\x2d", "")
           .replace("-", "") and
           r.out == "numa_mode      : strict\nnuma_nodeset   : 0\n\n" and
           "<memory mode='strict' nodeset='0'/>" in x, names[1],
           "group %r mems %r; %s" % (group, mems, r.describe()))
    r = virsh(uri, "numatune", NUMA_LIVE, "--nodeset", "0", "--live")
    tap.eq((r.rc, r.err), (1, "error: Unable to change numa parameters\nerror: %s\n" % harness.by_mode(
        target, "Requested operation is not valid: change of nodeset for running domain "
        "requires restrictive numa mode",
        "Requested operation is not valid: cannot change the <numatune> node set of running domain '%s': a running domain's node "
        "set changes only in mode 'restrictive' or where it has no <numatune>" % NUMA_LIVE)),
        names[2])
    rname = NUMA_LIVE + "-r"
    f = harness.write_file(tmp, rname + ".xml", plain.replace(NUMA_LIVE, rname).replace(
        "<os>", "<numatune><memory mode='restrictive' nodeset='0'/></numatune>\n  <os>"))
    r = virsh(uri, "define", f)
    r2 = virsh(uri, "start", "--paused", rname, timeout=120)
    pids = harness.qemus_naming(rname)
    pid = pids[0] if len(pids) == 1 else None
    mems = pid and harness.cgroup_value(pid, "cpuset", "cpuset.mems")
    mine = harness.cgroup_dir(os.getpid(), "cpuset")
    group = pid and harness.cgroup_dir(pid, "cpuset")
    tap.ok(r.rc == 0 and r2.rc == 0 and mems == "0" and group and group != mine, names[3],
           r.describe() + r2.describe() + "group %r mems %r" % (group, mems))
    r = virsh(uri, "numatune", rname, "--nodeset", "0", "--live")
    r2 = virsh(uri, "numatune", rname)
    tap.eq((r.rc, r2.out), (0, "numa_mode      : restrictive\nnuma_nodeset   : 0\n\n"), names[4])
    node = 1
    while os.path.isdir("/sys/devices/system/node/node%d" % node):
        node += 1
    r = virsh(uri, "numatune", rname, "--nodeset", str(node), "--live")
    tap.eq((r.rc, r.err), (1, "error: Unable to change numa parameters\nerror: %s\n" % harness.by_mode(
        target, "unsupported configuration: NUMA node %d is unavailable" % node,
        "unsupported configuration: host NUMA node %d, which <numatune><memory nodeset> names, does not exist on this "
        "host" % node)), names[5])
    rs = [virsh(uri, verb, d) for d in (NUMA_LIVE, rname) for verb in ("destroy", "undefine")]
    tap.ok(all(x.rc == 0 for x in rs), names[6], "".join(x.describe() for x in rs))


META = "vgmtest-virsh-metadata"
META_NS = "http://example.org/vgmtest/1.0"


def metadata_tests(tap, target, tmp):
    """virsh desc and metadata (virDomainSetMetadata, GetMetadata): a
    title and a description set and read back, the element of a
    namespace set (its prefix given to every element of it that has
    none, as dumpxml shows) and read back out of its namespace, a bad
    prefix refused, a missing one refused (code 80), each change a
    METADATA_CHANGE event (virsh event); on the running
    domain --live changes the live XML alone and --config the config
    alone; inject-nmi (virDomainInjectNMI) and send-key (virDomainSendKey:
    key names, and codes in the qnum, atset2 and usb sets; a code of no
    key refused) of the running domain.
    Captured from virsh 9.0 against libvirtd 9.0 on 2026-12-03; where the
    messages differ, by_mode gives both."""
    uri = target.uri
    f = harness.write_file(tmp, META + ".xml", NUMA_XML.replace(NUMA, META))
    r = virsh(uri, "define", f)
    tap.eq(r.rc, 0, "virsh define: a domain without a title or metadata")
    r = virsh(uri, "desc", META, "--title")
    r2 = virsh(uri, "metadata", META, META_NS)
    tap.eq((r.out, r2.rc, r2.err),
           ("No title for domain: %s\n" % META, 1, "error: %s\n" % harness.by_mode(
               target, "metadata not found: Requested metadata element is not present",
               "metadata not found: domain '%s' has no element of namespace '%s' in its <metadata>" % (META, META_NS))),
           "virsh desc --title and metadata of a domain without them")
    events = EventReader(uri)
    time.sleep(1)
    r = virsh(uri, "desc", META, "--title", "--new-desc", "A title")
    r2 = virsh(uri, "desc", META, "--new-desc", "line one\nline two")
    r3 = virsh(uri, "desc", META, "--title")
    r4 = virsh(uri, "desc", META)
    tap.eq((r.out, r2.out, r3.out, r4.out),
           ("Domain title updated successfully\n", "Domain description updated successfully\n",
            "A title\n", "line one\nline two\n"),
           "virsh desc: a title and a description set and read back")
    r = virsh(uri, "metadata", META, META_NS, "--key", "vt", "--set",
              "<app version='2'><item>x</item></app>")
    r2 = virsh(uri, "metadata", META, META_NS)
    x = virsh(uri, "dumpxml", "--inactive", META).out
    tap.eq((r.out, r2.out, "<vt:app xmlns:vt='%s' version='2'>" % META_NS in x.replace('"', "'"),
            "<vt:item>x</vt:item>" in x),
           ("Metadata modified\n\n", "<app version=\"2\">\n  <item>x</item>\n</app>\n\n", True,
            True),
           "virsh metadata --set: the element in its namespace, read back out of it")
    want = ["event 'metadata-change' for domain '%s': type %s" % (META, t)
            for t in ("title, uri <null>", "description, uri <null>", "element, uri " + META_NS)]
    events.wait_for(want[-1], 10)
    events.stop()
    tap.eq([l for l in events.for_domain(META) if "metadata-change" in l], want,
           "virsh event: a METADATA_CHANGE event for each change (its type, an element's URI)")
    r = virsh(uri, "metadata", META, META_NS, "--key", "1bad", "--set", "<x/>")
    tap.eq((r.rc, r.err), (1, "error: %s\n" % harness.by_mode(
        target, "internal error: failed to validate prefix for a new XML namespace",
        "invalid argument: metadata key '1bad' is not a valid XML namespace prefix")),
        "virsh metadata --set with a prefix that is no XML name is refused")
    r = virsh(uri, "start", "--paused", META, timeout=120)
    tap.eq(r.rc, 0, "virsh start --paused: the domain with metadata")
    r = virsh(uri, "desc", META, "--live", "--title", "--new-desc", "Live title")
    r2 = virsh(uri, "metadata", META, META_NS, "--live", "--remove")
    live = (virsh(uri, "desc", META, "--title").out,
            virsh(uri, "metadata", META, META_NS).rc)
    config = (virsh(uri, "desc", META, "--title", "--config").out,
              virsh(uri, "metadata", META, META_NS, "--config").rc)
    tap.eq((r.rc, r2.rc, live, config),
           (0, 0, ("Live title\n", 1), ("A title\n", 0)),
           "virsh desc and metadata --live of the running domain: the live XML alone")
    r = virsh(uri, "desc", META, "--config", "--new-desc", "")
    tap.eq((r.rc, virsh(uri, "desc", META, "--config").out, virsh(uri, "desc", META).out),
           (0, "No description for domain: %s\n" % META, "line one\nline two\n"),
           "virsh desc --config with an empty text removes the config's description alone")
    r = virsh(uri, "inject-nmi", META)
    tap.eq((r.rc, r.err), (0, ""), "virsh inject-nmi of the running domain")
    # send-key: virsh turns names into Linux key codes; the daemon turns
    # any code set's codes into QEMU's key numbers
    r = virsh(uri, "send-key", META, "KEY_LEFTCTRL", "KEY_LEFTALT", "KEY_DELETE")
    r2 = virsh(uri, "send-key", META, "--codeset", "qnum", "--holdtime", "200", "0x1d", "0x9d")
    r3 = virsh(uri, "send-key", META, "--codeset", "atset2", "0x1c", "0xe075")
    r4 = virsh(uri, "send-key", META, "--codeset", "usb", "0x4", "0x52")
    tap.eq([(x.rc, x.out, x.err) for x in (r, r2, r3, r4)], [(0, "\n", "")] * 4,
           "virsh send-key of the running domain: names, qnum with a hold time, atset2, usb")
    r = virsh(uri, "send-key", META, "--codeset", "atset2", "0x1c", "0x2")
    tap.eq((r.rc, r.err), (1, "error: %s\n" % harness.by_mode(
        target, "internal error: cannot translate keycode 2 of atset2 codeset to qnum keycode",
        "invalid argument: key code 2 is no key of code set 'atset2'")),
        "virsh send-key of a code that is no key of its code set is refused")
    r = virsh(uri, "destroy", META)
    r2 = virsh(uri, "undefine", META)
    tap.ok(r.rc == 0 and r2.rc == 0, "virsh destroy and undefine: the metadata domain",
           r.describe() + r2.describe())


def pin_expectations():
    """(virsh arguments, stdout, test name) for TUNE's pins, or None on a
    host whose CPUs are not 0-1 (the captures' host)."""
    try:
        with open("/sys/devices/system/cpu/present") as f:
            if f.read().strip() != "0-1":
                return None
    except OSError:
        return None
    vcpupin = (" VCPU   CPU Affinity\n"
               "----------------------\n"
               " 0      0-1\n"
               " 1      1\n\n")
    iothreads = (" IOThread ID   CPU Affinity\n"
                 "-----------------------------\n"
                 " 1             0-1\n"
                 " 2             1\n\n")
    return [
        (["vcpupin"], vcpupin, "virsh vcpupin (shut off): <vcpupin>, else every CPU"),
        (["vcpupin", "--config"], vcpupin, "virsh vcpupin --config"),
        (["emulatorpin"],
         "emulator: CPU Affinity\n"
         "----------------------------------\n"
         "       *: 0\n\n",
         "virsh emulatorpin (shut off): <emulatorpin>"),
        (["iothreadinfo"], iothreads, "virsh iothreadinfo (shut off): each I/O thread's pin"),
        (["iothreadinfo", "--config"], iothreads, "virsh iothreadinfo --config"),
        (["vcpuinfo"],
         "VCPU:           0\n"
         "CPU:            N/A\n"
         "State:          N/A\n"
         "CPU time        N/A\n"
         "CPU Affinity:   yy\n\n"
         "VCPU:           1\n"
         "CPU:            N/A\n"
         "State:          N/A\n"
         "CPU time        N/A\n"
         "CPU Affinity:   -y\n\n",
         "virsh vcpuinfo (shut off): the pins, through GetVcpuPinInfo"),
    ]


if __name__ == "__main__":
    main()
