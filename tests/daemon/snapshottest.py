#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""snapshottest: a domain's internal snapshots through the daemon, with
Debian's virsh 9.0 and python3-libvirt (TAP; our daemon only).

The domain: type 'qemu', no OS (SeaBIOS finds nothing to boot and waits
with interrupts on, so the BIOS's timer tick count at 0x46c counts up),
a virtio qcow2 disk vda, a read-only raw CD-ROM. Disk contents are
written and read with qemu-io while the domain is shut off; QEMU's own
view of the images' snapshots is qemu-img's `snapshot -l`.

What it covers:
  * no snapshot yet: snapshot-list empty, snapshot-current refused with
    libvirt's VIR_ERR_NO_DOMAIN_SNAPSHOT (72);
  * snapshot-create-as of the shut-off domain: the qcow2 image holds it,
    the CD-ROM is left out, snapshot-info and snapshot-dumpxml (state,
    memory, disks, the domain's definition); one that leaves every disk
    out is refused (VIR_ERR_CONFIG_UNSUPPORTED); a revert to a snapshot
    whose image lost it (delvm behind the daemon's back) is refused before
    the running guest is touched; --atomic
    --reuse-external taken for an internal one, as libvirtd takes it;
  * a snapshot of the running domain: the guest paused and resumed
    around it (SUSPENDED and RESUMED events, as libvirt's), QEMU's
    snapshot has a VM state;
  * a snapshot of the paused guest, then the guest runs on (the tick
    count moves), revert: the tick count is the one saved, the guest
    left paused (from snapshot);
  * revert of the running domain to the shut-off snapshot: QEMU ends
    (STOPPED from snapshot), the disk has the data of then; revert to the
    running snapshot from shut off: a new QEMU, running from snapshot
    (STARTED and RESUMED from snapshot), the disk's later data back;
  * the tree: parents, children, descendants, roots, leaves,
    snapshot-list --tree, the current snapshot through every revert;
    python3-libvirt's listAllSnapshots, listAllChildren, getParent,
    isCurrent, hasMetadata, numChildren and snapshotLookupByName;
  * --halt: the domain shut off after the snapshot (from snapshot); of a
    transient domain refused (internal and disk-only), the domain runs on;
  * delete: a middle snapshot's child moves to its parent, the image
    loses it; --children; --children-only; --metadata (the image keeps
    it);
  * the snapshots and the current one after a daemon restart;
  * domrename: the snapshots follow the domain, and a revert to one
    taken under the old name defines the domain of then under the new
    name (one domain, its uuid);
  * refused, changing nothing: a raw writable disk (named, and taken
    once marked snapshot='no'), --live, an external memory file, a
    name taken, a create or revert on the read-only socket, a snapshot
    the domain lacks, undefine of a shut-off domain with snapshots (then
    --snapshots-metadata removes them).
"""

import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DOM = "vgmtest-snapshot"
VIR_ERR_NO_DOMAIN_SNAPSHOT = 72
VIR_ERR_OPERATION_INVALID = 55
VIR_ERR_CONFIG_UNSUPPORTED = 67
VIR_ERR_OPERATION_DENIED = 29


def domain(work, extra="", uuid=None):
    return """<domain type='qemu'>
  <name>%s</name>%s
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%s/disk.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='%s/cd.iso'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>%s
    <memballoon model='none'/>
  </devices>
</domain>""" % (DOM, "\n  <uuid>%s</uuid>" % uuid if uuid else "", work, work, extra)


def qemu_io(path, cmd, fmt="qcow2"):
    return harness.run(["qemu-io", "-f", fmt, "-c", cmd, path], timeout=60)


def has_pattern(path, pattern):
    r = qemu_io(path, "read -P 0x%02x 0 1M" % pattern)
    return r.rc == 0 and "Pattern verification failed" not in r.out, r


def image_snapshots(path):
    r = harness.run(["qemu-img", "snapshot", "-U", "-l", path])
    rows = {}
    for line in r.out.splitlines()[2:]:
        f = line.split()
        if len(f) >= 3:
            rows[f[1]] = " ".join(f[2:4])
    return rows


def tick(uri):
    r = harness.virsh(uri, "qemu-monitor-command", DOM, "--hmp", "xp /1wx 0x46c")
    m = re.search(r"46c:\s*0x([0-9a-f]+)", r.out)
    return int(m.group(1), 16) if m else None, r


def main():
    tap = harness.TAP()
    if os.environ.get("VGM_TEST_URI"):
        harness.TAP.skip_all("the snapshot test runs against our own daemon")
    if not os.access(harness.VIRSH, os.X_OK):
        harness.TAP.skip_all("virsh is not installed (Debian package libvirt-clients)")
    work = tempfile.mkdtemp(prefix="vgm-snapshot-")
    disk = os.path.join(work, "disk.qcow2")
    for args in (["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"],
                 ["qemu-img", "create", "-q", "-f", "raw", os.path.join(work, "cd.iso"), "1M"],
                 ["qemu-img", "create", "-q", "-f", "raw", os.path.join(work, "raw.img"), "8M"],
                 ["qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 1M", disk]):
        r = harness.run(args)
        if r.rc != 0:
            harness.TAP.skip_all("qemu-img / qemu-io failed: " + r.describe())
    target = harness.setup_target(need_virsh=True)
    try:
        harness.run_guarded(tap, run_tests, tap, target, work)
    finally:
        harness.virsh_cleanup(target.uri, [DOM])
        harness.finish_target(tap, target)
        subprocess.run(["rm", "-rf", work])
    sys.exit(tap.done())


class Events:
    """The daemon's lifecycle events of the test's domain, in order."""

    def __init__(self, libvirt, uri):
        self.libvirt = libvirt
        self.got = []
        self.stop = threading.Event()
        libvirt.virEventRegisterDefaultImpl()
        self.th = threading.Thread(target=self.loop, daemon=True)
        self.th.start()
        self.conn = libvirt.open(uri)
        self.cb = self.conn.domainEventRegisterAny(
            None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
            lambda c, d, ev, detail, opaque: self.got.append((ev, detail)), None)

    def loop(self):
        while not self.stop.is_set():
            self.libvirt.virEventRunDefaultImpl()

    def take(self, want, wait=10.0):
        """The events since the last take, once `want` (a list) is among
        them in order or after `wait` seconds."""
        end = time.monotonic() + wait
        while time.monotonic() < end:
            if self.got[:len(want)] == want:
                break
            time.sleep(0.05)
        time.sleep(0.2)
        got, self.got = self.got, []
        return got

    def close(self):
        try:
            self.conn.domainEventDeregisterAny(self.cb)
            self.conn.close()
        except self.libvirt.libvirtError:
            pass    # (the daemon restarted under it)
        self.stop.set()


def run_tests(tap, target, work):
    import libvirt
    L = libvirt
    uri = target.uri
    disk = os.path.join(work, "disk.qcow2")
    path = harness.write_file(work, DOM + ".xml", domain(work))
    r = harness.virsh(uri, "define", path)
    tap.ok(r.rc == 0, "define", r.describe())
    libvirt.registerErrorHandler(lambda *a: None, None)
    ev = Events(libvirt, uri)
    conn = libvirt.open(uri)
    dom = conn.lookupByName(DOM)

    # ---- nothing yet ----
    r = harness.virsh(uri, "snapshot-list", DOM, "--name")
    tap.ok(r.rc == 0 and r.out.strip() == "" and dom.snapshotNum() == 0 and
           dom.listAllSnapshots() == [] and not dom.hasCurrentSnapshot(),
           "no snapshot: an empty list, no current one", r.describe())
    try:
        dom.snapshotCurrent()
        code = None
    except libvirt.libvirtError as e:
        code = e.get_error_code()
    tap.eq(code, VIR_ERR_NO_DOMAIN_SNAPSHOT, "snapshotCurrent without one: VIR_ERR_NO_DOMAIN_SNAPSHOT")

    # ---- a snapshot of the shut-off domain ----
    r = harness.virsh(uri, "snapshot-create-as", DOM, "off1", "--description", "the first")
    snaps = image_snapshots(disk)
    tap.ok(r.rc == 0 and "off1" in snaps, "snapshot-create-as of the shut-off domain: qemu-img lists it",
           r.describe() + repr(snaps))
    r = harness.virsh(uri, "snapshot-dumpxml", DOM, "off1")
    x = r.out
    tap.ok(r.rc == 0 and "<state>shutoff</state>" in x and "<description>the first</description>" in x
           and "<memory snapshot='no'/>" in x and "<disk name='vda' snapshot='internal'/>" in x
           and "<disk name='sda' snapshot='no'/>" in x and "<domain type='qemu'>" in x
           and "<name>%s</name>" % DOM in x and "<parent>" not in x,
           "snapshot-dumpxml: state, description, memory, the disks (the CD-ROM left out), the domain",
           r.describe())
    r = harness.virsh(uri, "snapshot-info", DOM, "--current")
    tap.ok(r.rc == 0 and re.search(r"Name:\s+off1", r.out) and re.search(r"State:\s+shutoff", r.out)
           and re.search(r"Current:\s+yes", r.out) and re.search(r"Location:\s+internal", r.out),
           "snapshot-info --current", r.describe())

    # a snapshot of the shut-off domain that leaves every disk out would
    # hold nothing: refused, as libvirt 9.0 refuses it ("nothing selected
    # for snapshot", VIR_ERR_CONFIG_UNSUPPORTED)
    try:
        dom.snapshotCreateXML("<domainsnapshot><name>none1</name><disks>"
                              "<disk name='vda' snapshot='no'/></disks></domainsnapshot>")
        code = None
    except libvirt.libvirtError as e:
        code = e.get_error_code()
    tap.ok(code == VIR_ERR_CONFIG_UNSUPPORTED and "none1" not in image_snapshots(disk) and
           dom.snapshotNum() == 1,
           "a snapshot of the shut-off domain without any disk: VIR_ERR_CONFIG_UNSUPPORTED, "
           "nothing made", repr(code))

    # the disk changes after it
    r = qemu_io(disk, "write -P 0x22 0 1M")
    tap.ok(r.rc == 0, "the disk written after off1", r.describe())

    # ---- a snapshot of the running domain ----
    r = harness.virsh(uri, "start", DOM)
    ev.take([(L.VIR_DOMAIN_EVENT_STARTED, 0)])
    tap.ok(r.rc == 0, "start", r.describe())
    r = harness.virsh(uri, "snapshot-create-as", DOM, "run1")
    got = ev.take([(L.VIR_DOMAIN_EVENT_SUSPENDED, L.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
                   (L.VIR_DOMAIN_EVENT_RESUMED, L.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED)])
    snaps = image_snapshots(disk)
    tap.ok(r.rc == 0 and "run1" in snaps and snaps["run1"].split()[0] not in ("0",),
           "snapshot-create-as of the running domain: QEMU's snapshot holds a VM state",
           r.describe() + repr(snaps))
    tap.eq(got, [(L.VIR_DOMAIN_EVENT_SUSPENDED, L.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
                 (L.VIR_DOMAIN_EVENT_RESUMED, L.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED)],
           "the guest paused and resumed around it (events, plain ones as libvirt's)")
    # (libvirtd 9.0: "running (unpaused)" after it, 2026-12-06)
    r = harness.virsh(uri, "domstate", DOM, "--reason")
    x = harness.virsh(uri, "snapshot-dumpxml", DOM, "run1").out
    tap.ok(r.out.strip() == "running (unpaused)" and "<state>running</state>" in x and
           "<memory snapshot='internal'/>" in x and "<name>off1</name>" in x,
           "still running (unpaused, as libvirt says after the pause); run1's state, memory "
           "and parent", r.describe() + x)

    # ---- the guest's state comes back: a paused snapshot ----
    harness.virsh(uri, "suspend", DOM)
    ev.take([(L.VIR_DOMAIN_EVENT_SUSPENDED, 0)])
    t0, r0 = tick(uri)
    r = harness.virsh(uri, "snapshot-create-as", DOM, "paused1")
    tap.ok(r.rc == 0 and harness.virsh(uri, "domstate", DOM).out.strip() == "paused",
           "a snapshot of the paused guest leaves it paused", r.describe())
    harness.virsh(uri, "resume", DOM)
    time.sleep(1.5)
    t1, r1 = tick(uri)
    ev.take([])
    r = harness.virsh(uri, "snapshot-revert", DOM, "paused1")
    # (libvirt 9.0 reverts a running domain by a new QEMU, started from
    # the snapshot's live XML: STOPPED, STARTED, then paused)
    restart = [(L.VIR_DOMAIN_EVENT_STOPPED, L.VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT),
               (L.VIR_DOMAIN_EVENT_STARTED, L.VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT)]
    # (and, last, the definition the snapshot holds: DEFINED from snapshot,
    # as libvirtd 9.0 raises it after every revert of a persistent domain)
    defined = [(L.VIR_DOMAIN_EVENT_DEFINED, L.VIR_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT)]
    got = ev.take(restart + [(L.VIR_DOMAIN_EVENT_SUSPENDED,
                              L.VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT)] + defined)
    t2, r2 = tick(uri)
    tap.ok(t0 is not None and t1 is not None and t1 > t0 and t2 == t0,
           "revert: the BIOS tick count is the one saved (%r, ran on to %r, back to %r)" % (t0, t1, t2),
           r.describe() + r0.describe() + r1.describe() + r2.describe())
    r = harness.virsh(uri, "domstate", DOM, "--reason")
    tap.ok(r.out.strip() == "paused (from snapshot)" and
           got == restart + [(L.VIR_DOMAIN_EVENT_SUSPENDED,
                              L.VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT)] + defined,
           "the guest is left paused, from snapshot (a new QEMU: STOPPED, STARTED, SUSPENDED; "
           "then DEFINED)",
           r.describe() + repr(got))
    r = harness.virsh(uri, "snapshot-revert", DOM, "paused1", "--running")
    got = ev.take(restart + [(L.VIR_DOMAIN_EVENT_RESUMED,
                              L.VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT)] + defined)
    tap.ok(r.rc == 0 and harness.virsh(uri, "domstate", DOM, "--reason").out.strip() ==
           "running (from snapshot)" and
           got == restart + [(L.VIR_DOMAIN_EVENT_RESUMED,
                              L.VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT)] + defined,
           "revert --running of a paused snapshot: running, from snapshot", r.describe() + repr(got))

    # ---- devices plugged or unplugged since the snapshot ----
    # (found with python3-libvirt against libvirtd 9.0, 2026-12-06: a
    # revert after a live attach of a disk returns 0 there, the disk gone
    # from the live XML; here loadvm failed, "Device ... is writable but
    # does not support snapshots", and left the guest paused)
    extra = os.path.join(work, "extra.raw")
    with open(extra, "wb") as f:
        f.truncate(1048576)
    dx = harness.write_file(work, "extra-disk.xml", """<disk type='file' device='disk'>
  <driver name='qemu' type='raw'/>
  <source file='%s'/>
  <target dev='vdb' bus='virtio'/>
</disk>""" % extra)
    a = harness.virsh(uri, "attach-device", DOM, dx, "--live")
    tab = harness.write_file(work, "extra-tablet.xml", "<input type='tablet' bus='usb'/>")
    b = harness.virsh(uri, "attach-device", DOM, tab, "--live")
    before = harness.virsh(uri, "dumpxml", DOM).out
    r = harness.virsh(uri, "snapshot-revert", DOM, "paused1", "--running")
    live = harness.virsh(uri, "dumpxml", DOM).out
    st = harness.virsh(uri, "domstate", DOM, "--reason").out.strip()
    tap.ok(a.rc == 0 and b.rc == 0 and "vdb" in before and "type='tablet'" in before and
           r.rc == 0 and "vdb" not in live and "type='tablet'" not in live and
           st == "running (from snapshot)",
           "revert after a disk and a tablet were plugged live: it runs from snapshot, the live XML "
           "without them, as the snapshot's run had them", a.describe() + b.describe() +
           r.describe() + st)
    ev.take([])

    # ---- to the shut-off snapshot and back ----
    r = harness.virsh(uri, "snapshot-revert", DOM, "off1")
    got = ev.take([(L.VIR_DOMAIN_EVENT_STOPPED, L.VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT)] +
                  defined)
    ok, rr = has_pattern(disk, 0x11)
    tap.ok(r.rc == 0 and harness.virsh(uri, "domstate", DOM, "--reason").out.strip() ==
           "shut off (from snapshot)" and ok,
           "revert to the shut-off snapshot: QEMU ends, the disk holds the data of then",
           r.describe() + rr.describe())
    tap.eq(got, [(L.VIR_DOMAIN_EVENT_STOPPED, L.VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT)] +
           defined, "its events: STOPPED from snapshot, DEFINED from snapshot")
    tap.eq(harness.virsh(uri, "snapshot-current", DOM, "--name").out.strip(), "off1",
           "off1 is current after its revert")
    r = harness.virsh(uri, "snapshot-revert", DOM, "run1")
    got = ev.take([(L.VIR_DOMAIN_EVENT_STARTED, L.VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT),
                   (L.VIR_DOMAIN_EVENT_RESUMED, L.VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT)] +
                  defined)
    tap.ok(r.rc == 0 and harness.virsh(uri, "domstate", DOM, "--reason").out.strip() ==
           "running (from snapshot)",
           "revert of the shut-off domain to the running snapshot: it runs, from snapshot", r.describe())
    tap.eq(got, [(L.VIR_DOMAIN_EVENT_STARTED, L.VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT),
                 (L.VIR_DOMAIN_EVENT_RESUMED, L.VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT)] + defined,
           "its events: STARTED and RESUMED from snapshot, then DEFINED from snapshot")

    # ---- the tree ----
    r = harness.virsh(uri, "snapshot-create-as", DOM, "run2")
    ev.take([])
    tap.ok(r.rc == 0, "a snapshot below run1", r.describe())
    r = harness.virsh(uri, "snapshot-list", DOM, "--tree")
    lines = [ln.strip(" |+-") for ln in r.out.splitlines() if ln.strip(" |+-")]
    tap.eq(lines, ["off1", "run1", "paused1", "run2"], "snapshot-list --tree: off1 > run1 > (paused1, run2)")
    names = lambda *a: harness.virsh(uri, "snapshot-list", DOM, "--name", *a).out.split()
    tap.eq((names("--roots"), sorted(names("--leaves")), names("--no-leaves"), names("--inactive"),
            sorted(names("--active")), names("--from", "run1"), sorted(names("--from", "off1", "--descendants")),
            names("--external")),
           (["off1"], ["paused1", "run2"], ["off1", "run1"], ["off1"], ["paused1", "run1", "run2"],
            ["paused1", "run2"], ["paused1", "run1", "run2"], []),
           "snapshot-list's filters: roots, leaves, no-leaves, inactive, active, children, descendants, external")
    s_run1 = dom.snapshotLookupByName("run1")
    tap.ok(s_run1.getParent().getName() == "off1" and s_run1.numChildren() == 2 and
           sorted(c.getName() for c in s_run1.listAllChildren()) == ["paused1", "run2"] and
           [s.getName() for s in dom.listAllSnapshots(L.VIR_DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL)][0] == "off1" and
           dom.snapshotCurrent().getName() == "run2" and dom.snapshotLookupByName("run2").isCurrent() and
           not s_run1.isCurrent() and s_run1.hasMetadata(),
           "python3-libvirt: getParent, numChildren, listAllChildren, listAllSnapshots, isCurrent, hasMetadata")
    try:
        dom.snapshotLookupByName("off1").getParent()
        code = None
    except libvirt.libvirtError as e:
        code = e.get_error_code()
    tap.eq(code, VIR_ERR_NO_DOMAIN_SNAPSHOT, "a root's getParent: VIR_ERR_NO_DOMAIN_SNAPSHOT")

    # ---- metadata that outlived its snapshot (a delete cut short between
    # QEMU's delvm and the metadata's removal): a revert to it is refused
    # before the running guest is touched ----
    r = harness.virsh(uri, "snapshot-create-as", DOM, "ghost1")
    ev.take([])
    pid = harness.qemus_naming("guest=%s," % DOM)
    r2 = harness.virsh(uri, "qemu-monitor-command", DOM, "--hmp", "delvm ghost1")
    r3 = harness.virsh(uri, "snapshot-revert", DOM, "ghost1")
    tap.ok(r.rc == 0 and r2.rc == 0 and r3.rc != 0 and "is not in the image" in r3.err and
           harness.virsh(uri, "domstate", DOM).out.strip() == "running" and
           harness.qemus_naming("guest=%s," % DOM) == pid,
           "a revert to a snapshot its image no longer holds is refused, naming it; the guest "
           "runs on in the same QEMU", r.describe() + r2.describe() + r3.describe())
    r = harness.virsh(uri, "snapshot-delete", DOM, "ghost1", "--metadata")
    tap.ok(r.rc == 0 and "ghost1" not in names() and
           dom.snapshotCurrent().getName() == "run2", "... and its metadata deleted (--metadata)",
           r.describe())

    # ---- --halt ----
    r = harness.virsh(uri, "snapshot-create-as", DOM, "halt1", "--halt")
    got = ev.take([(L.VIR_DOMAIN_EVENT_STOPPED, L.VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT)])
    tap.ok(r.rc == 0 and harness.virsh(uri, "domstate", DOM, "--reason").out.strip() ==
           "shut off (from snapshot)" and
           (L.VIR_DOMAIN_EVENT_STOPPED, L.VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT) in got and
           "<state>running</state>" in harness.virsh(uri, "snapshot-dumpxml", DOM, "halt1").out,
           "--halt: a running snapshot, then the domain shut off from snapshot", r.describe() + repr(got))
    # a transient domain cannot be halted by its snapshot, which would
    # make it go (libvirtd 9.0: 55, "cannot halt after transient domain
    # snapshot", 2026-12-07), internal snapshot or external
    tdisk = os.path.join(work, "transient.qcow2")
    harness.run(["qemu-img", "create", "-q", "-f", "qcow2", tdisk, "16M"], timeout=60)
    txml = os.path.join(work, "transient.xml")
    with open(txml, "w") as f:
        f.write(domain(work).replace("<name>%s</name>" % DOM, "<name>%s-t</name>" % DOM)
                .replace("%s/disk.qcow2" % work, tdisk))
    r = harness.virsh(uri, "create", txml)
    if tap.eq(r.rc, 0, "a transient domain with a qcow2 disk starts"):
        for extra in ((), ("--disk-only",)):
            r = harness.virsh(uri, "snapshot-create-as", DOM + "-t", "thalt", "--halt", *extra)
            tap.ok(r.rc != 0 and "transient" in r.err and
                   harness.virsh(uri, "domstate", DOM + "-t").out.strip() == "running",
                   "--halt%s of a transient domain: refused, the domain runs on"
                   % (" --disk-only" if extra else ""), r.describe())
        harness.virsh(uri, "destroy", DOM + "-t")
    else:
        tap.diag(r.describe())

    # ---- the daemon restarts ----
    if target.daemon:
        d = target.daemon
        d.stop()
        d.start()
        ev.close()
        ev = Events(libvirt, uri)
        conn = libvirt.open(uri)
        dom = conn.lookupByName(DOM)
        tap.ok(sorted(s.getName() for s in dom.listAllSnapshots()) ==
               ["halt1", "off1", "paused1", "run1", "run2"] and dom.snapshotCurrent().getName() == "halt1",
               "after a daemon restart: the same snapshots, halt1 current")

    # ---- delete ----
    r = harness.virsh(uri, "snapshot-delete", DOM, "run1")
    snaps = image_snapshots(disk)
    tap.ok(r.rc == 0 and "run1" not in snaps and "run2" in snaps and
           dom.snapshotLookupByName("run2").getParent().getName() == "off1" and
           dom.snapshotLookupByName("paused1").getParent().getName() == "off1",
           "delete of a middle snapshot: gone from the image, its children move to its parent",
           r.describe() + repr(snaps))
    r = harness.virsh(uri, "snapshot-delete", DOM, "run2", "--metadata")
    snaps = image_snapshots(disk)
    tap.ok(r.rc == 0 and "run2" in snaps and "run2" not in names(),
           "delete --metadata: the image keeps it, the list does not", r.describe())
    r = harness.virsh(uri, "snapshot-delete", DOM, "off1", "--children-only")
    snaps = image_snapshots(disk)
    tap.ok(r.rc == 0 and names() == ["off1"] and "paused1" not in snaps and "halt1" not in snaps
           and "off1" in snaps and harness.virsh(uri, "snapshot-current", DOM, "--name").out.strip() == "off1",
           "delete --children-only: the children gone, off1 current", r.describe() + repr(snaps))

    # an internal snapshot has no external image to reuse: libvirtd 9.0
    # takes --reuse-external (and --atomic) all the same (2026-12-07)
    r = harness.virsh(uri, "snapshot-create-as", DOM, "reuse1", "--atomic", "--reuse-external")
    snaps = image_snapshots(disk)
    r2 = harness.virsh(uri, "snapshot-delete", DOM, "reuse1")
    tap.ok(r.rc == 0 and "reuse1" in snaps and r2.rc == 0 and "reuse1" not in names(),
           "snapshot-create-as --atomic --reuse-external of an internal snapshot: taken, as "
           "libvirtd takes it", r.describe() + r2.describe() + repr(snaps))

    # ---- refusals ----
    r = harness.virsh(uri, "snapshot-create-as", DOM, "off1")
    tap.ok(r.rc != 0 and "already" in r.err, "a name taken is refused", r.describe())
    r = harness.virsh(uri, "snapshot-create-as", DOM, "x", "--live")
    tap.ok(r.rc != 0 and "live snapshot" in r.err and "x" not in names(),
           "--live without a memory file of its own is refused", r.describe())
    r = harness.virsh(uri, "snapshot-create-as", DOM, "x", "--memspec", "file=%s/mem,snapshot=external" % work)
    tap.ok(r.rc != 0 and "shut off" in r.err and not os.path.exists(os.path.join(work, "mem")),
           "an external memory file of the shut-off domain is refused", r.describe())
    r = harness.virsh(uri, "snapshot-create-as", DOM, "x", readonly=True)
    r2 = harness.virsh(uri, "snapshot-revert", DOM, "off1", readonly=True)
    tap.ok(r.rc != 0 and r2.rc != 0 and "read only" in r.err + r2.err and "x" not in names(),
           "create and revert on the read-only socket are refused", r.describe() + r2.describe())
    r = harness.virsh(uri, "snapshot-revert", DOM, "nosuch")
    tap.ok(r.rc != 0 and "nosuch" in r.err, "a snapshot the domain lacks", r.describe())
    # a writable raw disk cannot hold one
    raw = """
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='%s/raw.img'/>
      <target dev='vdb' bus='virtio'/>
    </disk>""" % work
    r0 = harness.virsh(uri, "define", harness.write_file(work, DOM + "-raw.xml",
                                                        domain(work, raw, dom.UUIDString())))
    r = harness.virsh(uri, "snapshot-create-as", DOM, "x")
    tap.ok(r0.rc == 0 and r.rc != 0 and "vdb" in r.err and "qcow2" in r.err and "x" not in names(),
           "a raw writable disk is refused by name", r0.describe() + r.describe())
    r = harness.virsh(uri, "snapshot-create-as", DOM, "withraw", "--diskspec", "vdb,snapshot=no")
    x = harness.virsh(uri, "snapshot-dumpxml", DOM, "withraw").out
    tap.ok(r.rc == 0 and "<disk name='vdb' snapshot='no'/>" in x,
           "... and taken once the snapshot leaves it out", r.describe() + x)
    # ---- a rename: the snapshots follow, and a revert defines the
    # domain of then under its new name ----
    harness.virsh(uri, "destroy", DOM)
    new = DOM + "-renamed"
    r = harness.virsh(uri, "domrename", DOM, new)
    moved = harness.virsh(uri, "snapshot-list", new, "--name").out.split()
    r2 = harness.virsh(uri, "snapshot-revert", new, "off1")
    listed = harness.virsh(uri, "list", "--all", "--name").out.split()
    tap.ok(r.rc == 0 and moved == ["off1", "withraw"] and r2.rc == 0 and new in listed and
           DOM not in listed and harness.virsh(uri, "domuuid", new).out.strip() == dom.UUIDString(),
           "domrename keeps the snapshots; a revert after it keeps the new name",
           r.describe() + r2.describe() + repr((moved, listed)))
    r = harness.virsh(uri, "domrename", new, DOM)
    tap.ok(r.rc == 0 and names() == ["off1", "withraw"], "renamed back, the snapshots follow",
           r.describe())
    dom = conn.lookupByName(DOM)
    try:
        dom.undefineFlags(0)
        code = None
    except libvirt.libvirtError as e:
        code = e.get_error_code()
    tap.ok(code == VIR_ERR_OPERATION_INVALID and names() == ["off1", "withraw"],
           "undefine of a shut-off domain with snapshots is refused (VIR_ERR_OPERATION_INVALID)")
    r = harness.virsh(uri, "undefine", DOM, "--snapshots-metadata")
    tap.ok(r.rc == 0 and (not target.root or not os.path.exists(
        os.path.join(target.root, "lib", "qemu", "snapshot", DOM))),
           "undefine --snapshots-metadata removes them", r.describe())
    ev.close()


if __name__ == "__main__":
    main()
