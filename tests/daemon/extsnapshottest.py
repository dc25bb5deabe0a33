#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""extsnapshottest: external snapshots of disks and memory through the daemon, with
Debian's virsh 9.0 and python3-libvirt (TAP; our daemon only).

The domain: type 'qemu', no OS, a raw virtio disk vda whose chain is read
from the images, a qcow2 virtio disk vdb over a raw image given as
<backingStore>, a read-only CD-ROM. The guest writes nothing itself: the
test writes through a disk's QEMU device with HMP's qemu-io, and reads
the image files with qemu-io (-U) while the guest is paused, so that
QEMU has written out what it caches.

What it covers:
  * the capabilities' <disksnapshot default='on' toggle='no'/>;
  * snapshot-create-as --disk-only of the shut-off domain: a new qcow2
    image over each writable disk, named as libvirt names them (the
    image's suffix replaced by the snapshot's name), backed by the disk's
    image in its format; the config names the new images (vdb's
    <backingStore> chain gains its old image), the CD-ROM is left out;
    snapshot-dumpxml (state shutoff, memory no, each disk external with
    its type, driver and source); snapshot-list --external / --internal;
  * the domain started on them: QEMU opens each new image over its chain;
  * the backup sequence on the running domain: snapshot-create-as
    --disk-only --atomic --no-metadata with a --diskspec file name (vdb
    left out), the guest's writes going into the new image while the old
    one keeps what it had, then blockcommit --active --shallow --pivot
    --wait: the
    writes are in the old image, the live XML and the config are back on
    it, and QEMU no longer holds the new one;
  * a snapshot with metadata of the running domain (state
    disk-snapshot); its revert is refused, and so is the delete of its
    parent, which has it for a child (as libvirt 9.0); its delete merges
    its new images into those it was taken of (an active commit and its
    pivot per disk), with the guest's last write, and removes them; a
    delete with --metadata takes the metadata only;
  * --reuse-external with an image made beforehand;
  * OpenStack Nova's volume snapshot: the <domainsnapshot> its config
    classes write and its Guest.snapshot's flags, first with QUIESCE
    (refused without a guest agent, nothing changed), then without;
  * the domain destroyed and started again from the config: QEMU opens
    the whole chain of new images;
  * the disks' own <disk snapshot='external'> and 'no' as the defaults
    of a plain snapshot-create-as of the shut-off domain, and its delete
    (qemu-img commit, the config back on the old image);
  * an internal snapshot of a running domain and an external one over
    it: the revert to the internal one starts a fresh QEMU on its image,
    and the external one is not merged;
  * snapshots with the memory in a file of its own (memory_snapshot_tests);
  * refused, changing nothing: --children and --children-only of
    external snapshots, --live, --quiesce without a guest agent,
    a memory file with --disk-only, a new image that exists already, a disk
    taken internally beside external ones, one new image named for two
    disks; a relative image name (VIR_ERR_XML_ERROR).
"""

import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DOM = "vgmtest-extsnap"
VIR_ERR_CONFIG_UNSUPPORTED = 67


def domain(work):
    return """<domain type='qemu'>
  <name>%(dom)s</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='%(w)s/a.raw'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%(w)s/b.qcow2'/>
      <backingStore type='file'>
        <format type='raw'/>
        <source file='%(w)s/bbase.raw'/>
        <backingStore/>
      </backingStore>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='%(w)s/cd.iso'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>""" % {"dom": DOM, "w": work}


def image_info(path):
    r = harness.run(["qemu-img", "info", "-U", "--output=json", path])
    try:
        return json.loads(r.out)
    except ValueError:
        return {}


def has_pattern(path, fmt, pattern):
    r = harness.run(["qemu-io", "-U", "-r", "-f", fmt, "-c",
                     "read -P 0x%02x 0 64k" % pattern, path], timeout=60)
    return r.rc == 0 and "Pattern verification failed" not in r.out


def guest_write(uri, dev, pattern):
    """A write of 64 KiB of @pattern at 0 through disk @dev's device."""
    return harness.virsh(uri, "qemu-monitor-command", DOM, "--hmp",
                         'qemu-io -d /machine/peripheral/%s/virtio-backend '
                         '"write -P 0x%02x 0 64k"' % (dev, pattern))


def qemu_fds(target):
    return harness.qemu_open_files(target, DOM)


def main():
    tap = harness.TAP()
    if os.environ.get("VGM_TEST_URI"):
        harness.TAP.skip_all("the external snapshot test runs against our own daemon")
    if not os.access(harness.VIRSH, os.X_OK):
        harness.TAP.skip_all("virsh is not installed (Debian package libvirt-clients)")
    work = tempfile.mkdtemp(prefix="vgm-extsnap-")
    w = lambda n: os.path.join(work, n)  # noqa: E731
    harness.prepare_or_skip((
        ["qemu-img", "create", "-q", "-f", "raw", w("a.raw"), "8M"],
        ["qemu-img", "create", "-q", "-f", "raw", w("bbase.raw"), "8M"],
        ["qemu-img", "create", "-q", "-f", "qcow2", "-b", w("bbase.raw"), "-F", "raw", w("b.qcow2")],
        ["qemu-img", "create", "-q", "-f", "raw", w("cd.iso"), "1M"],
        ["qemu-io", "-f", "raw", "-c", "write -P 0x11 0 64k", w("a.raw")]))
    harness.run_on_daemon(tap, run_tests, [DOM], work)


def nova_volume_snapshot(tap, dom, disks, names, w):
    """What Nova's LibvirtDriver._volume_snapshot_create does for a Cinder
    volume on a file share (vdb here): its own config classes write the
    <domainsnapshot> (the volume's disk named by its file, external into
    the new file that Cinder's driver made beforehand, every other disk
    snapshot='no'), and its Guest.snapshot asks first with QUIESCE, then,
    that refused (no guest agent), without it; always NO_METADATA,
    DISK_ONLY and REUSE_EXT."""
    import libvirt
    try:
        from nova.virt.libvirt import config as vconfig
        from nova.virt.libvirt import guest as libvirt_guest
    except ImportError as e:
        tap.skip("Nova's volume snapshot (python3-nova is not installed: %s)" % e)
        return
    current = disks()["vdb"][0]
    new = w("b.nova")
    harness.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", current, "-F", "qcow2", new])
    snapshot = vconfig.LibvirtConfigGuestSnapshot()
    snap_disk = vconfig.LibvirtConfigGuestSnapshotDisk()
    snap_disk.name = current
    snap_disk.source_path = new
    snap_disk.source_type = "file"
    snap_disk.snapshot = "external"
    snap_disk.driver_name = "qcow2"
    snapshot.add_disk(snap_disk)
    for dev in ("vda", "sda"):
        skip = vconfig.LibvirtConfigGuestSnapshotDisk()
        skip.name = dev
        skip.snapshot = "no"
        snapshot.add_disk(skip)
    guest = libvirt_guest.Guest(dom)
    try:
        guest.snapshot(snapshot, no_metadata=True, disk_only=True, reuse_ext=True, quiesce=True)
        quiesced = None
    except libvirt.libvirtError as e:
        quiesced = str(e)
    after_quiesce = disks()["vdb"][0]
    err = None
    try:
        guest.snapshot(snapshot, no_metadata=True, disk_only=True, reuse_ext=True, quiesce=False)
    except libvirt.libvirtError as e:
        err = str(e)
    tap.ok(quiesced is not None and "agent" in quiesced and after_quiesce == current and
           err is None and disks()["vdb"][0] == new and names() == ["mine", "off1"],
           "Nova's volume snapshot (its <domainsnapshot> and flags): refused with QUIESCE "
           "without an agent, nothing changed; then taken: vdb on the new file, no metadata",
           "quiesced %r, then %r; error %r; %r" % (quiesced, after_quiesce, err, disks()))


def internal_then_external(tap, target, conn, uri, work):
    """A running domain's internal snapshot, then an external one over it:
    a revert to the internal one starts a fresh QEMU on the image that
    holds it (the running one writes into the external image, which
    loadvm would not reach); the external snapshot, below an internal
    one, is not merged (as libvirt 9.0), its metadata goes."""
    import libvirt
    w = lambda n: os.path.join(work, n)  # noqa: E731
    name = DOM + "2"
    harness.run(["qemu-img", "create", "-q", "-f", "qcow2", w("c.qcow2"), "8M"])
    xml = """<domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='%s'/><target dev='vda' bus='virtio'/></disk>
    <memballoon model='none'/></devices></domain>""" % (name, w("c.qcow2"))
    try:
        d = conn.defineXML(xml)
        d.create()
        r1 = harness.virsh(uri, "snapshot-create-as", name, "i1")
        r2 = harness.virsh(uri, "snapshot-create-as", name, "e1", "--disk-only")
        pid_before = harness.qemu_pid_of(target, name)
        r3 = harness.virsh(uri, "snapshot-revert", name, "i1")
        src = [s.get("file") for s in ET_fromstring(d.XMLDesc(0)).findall("./devices/disk/source")]
        state = d.state()
        tap.ok(r1.rc == 0 and r2.rc == 0 and r3.rc == 0 and src == [w("c.qcow2")] and
               state == [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_FROM_SNAPSHOT] and
               pid_before is not None and harness.qemu_pid_of(target, name) not in (None, pid_before),
               "revert to an internal snapshot under an external one: a fresh QEMU on c.qcow2, "
               "running from snapshot", r1.describe() + r2.describe() + r3.describe() +
               repr((src, state)))
        r = harness.virsh(uri, "snapshot-delete", name, "e1")
        r2 = harness.virsh(uri, "snapshot-delete", name, "e1", "--metadata")
        tap.ok(r.rc != 0 and "internal snapshot 'i1'" in r.err and r2.rc == 0,
               "an external snapshot below an internal one is not merged, its metadata goes",
               r.describe() + r2.describe())
    finally:
        harness.virsh_cleanup(uri, [name])
        harness.virsh(uri, "undefine", name, "--snapshots-metadata")


MEM = DOM + "-mem"


def memory_snapshot_tests(tap, target, conn, uri, work):
    """External snapshots with the memory (virsh --memspec), of a running
    domain on a qcow2 disk, as libvirtd 9.0 takes them (its events, XML
    and completed job, compared by hand on 2026-12-05): the guest paused,
    its state written into the memory file as a save image of the domain
    as it was (its disk on the old image), the disk moved onto its new
    image, the guest let run again; SUSPENDED/paused, JOB_COMPLETED
    (operation snapshot), RESUMED/unpaused; the snapshot's <state> running
    and <memory snapshot='external' file>; domjobinfo --completed; a --live
    one (the pause comes at the end of the write); one of the memory alone
    (the disk snapshot='no', which stays where it is) into a file that is
    there (written over, as libvirt does); refused, nothing made and the
    guest running: a memory file with snapshot='internal', a new disk image
    in a directory that does not exist, --live without a memory file, a
    relative memory file (VIR_ERR_XML_ERROR), one of a shut-off domain; the
    revert to it is
    refused as libvirt 9.0 refuses it; the memory file restores (virsh
    restore) the guest on the disk it had then."""
    import libvirt
    import xml.etree.ElementTree as ET
    w = lambda n: os.path.join(work, n)  # noqa: E731
    harness.run(["qemu-img", "create", "-q", "-f", "qcow2", w("m.qcow2"), "8M"])
    d = conn.defineXML("""<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='q35'>hvm</type></os>
<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
<source file='%s'/><target dev='vda' bus='virtio'/></disk>
<memballoon model='none'/></devices></domain>""" % (MEM, w("m.qcow2")))
    # (virsh event, in the background: this connection has no event loop)
    watch = harness.virsh_background(uri, "event", "--domain", MEM, "--all", "--loop")
    lines = []
    got = []

    def reader():
        for line in watch.stdout:
            lines.append(line)
    threading.Thread(target=reader, daemon=True).start()

    def vda(flags=0):
        x = ET.fromstring(d.XMLDesc(flags))
        return x.find("./devices/disk/source").get("file")

    def settle(n):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.2)
            got[:] = [("job", l.split(":", 1)[1].strip()) if l.strip().startswith("operation:")
                      else l.split(": ", 1)[1].strip()
                      for l in lines if "'lifecycle'" in l or l.strip().startswith("operation:")]
            if len(got) >= n:
                break

    try:
        d.create()
        settle(1)
        del lines[:]
        want = ["Suspended Paused", ("job", "6"), "Resumed Unpaused"]
        r = harness.virsh(uri, "snapshot-create-as", MEM, "m1", "--memspec",
                          "file=%s,snapshot=external" % w("m1.mem"), "--diskspec",
                          "vda,snapshot=external,file=%s" % w("m1.qcow2"))
        settle(3)
        del lines[:]
        sx = ET.fromstring(harness.virsh(uri, "snapshot-dumpxml", MEM, "m1").out)
        img = harness.virsh(uri, "save-image-dumpxml", w("m1.mem"))
        imgdisk = ET.fromstring(img.out).find("./devices/disk/source").get("file") \
            if img.rc == 0 else None
        job = harness.virsh(uri, "domjobinfo", MEM, "--completed").out
        tap.ok(r.rc == 0 and got == want and d.state()[0] == libvirt.VIR_DOMAIN_RUNNING and
               sx.findtext("state") == "running" and
               sx.find("memory").attrib == {"snapshot": "external", "file": w("m1.mem")} and
               vda() == w("m1.qcow2") and vda(libvirt.VIR_DOMAIN_XML_INACTIVE) == w("m1.qcow2") and
               imgdisk == w("m.qcow2") and "Completed" in job and "Snapshot" in job,
               "snapshot-create-as --memspec of the running domain: SUSPENDED, JOB_COMPLETED "
               "(snapshot), RESUMED; state running, memory external; the disk on its new image; "
               "the memory file a save image on the old one; domjobinfo --completed",
               r.describe() + repr(got) + img.out[:300] + job)
        r = harness.virsh(uri, "snapshot-create-as", MEM, "m2", "--live", "--memspec",
                          "file=%s,snapshot=external" % w("m2.mem"), "--diskspec",
                          "vda,snapshot=external,file=%s" % w("m2.qcow2"))
        settle(3)
        tap.ok(r.rc == 0 and got == want and d.state()[0] == libvirt.VIR_DOMAIN_RUNNING and
               vda() == w("m2.qcow2") and os.path.getsize(w("m2.mem")) > 0,
               "--live: written while the guest runs, then the same events and the disk moved",
               r.describe() + repr(got))
        # as libvirt: a memory file there is written over
        with open(w("m3.mem"), "wb") as f:
            f.write(b"old")
        r = harness.virsh(uri, "snapshot-create-as", MEM, "m3", "--memspec",
                          "file=%s" % w("m3.mem"), "--diskspec", "vda,snapshot=no")
        sx = ET.fromstring(harness.virsh(uri, "snapshot-dumpxml", MEM, "m3").out)
        tap.ok(r.rc == 0 and vda() == w("m2.qcow2") and os.path.getsize(w("m3.mem")) > 100 and
               sx.find("./disks/disk").get("snapshot") == "no",
               "the memory alone (--memspec file=, the disk snapshot='no') into a file that was "
               "there (written over): the disk stays", r.describe())
        tries = [
            (["x", "--memspec", "file=%s,snapshot=internal" % w("x.mem")], "external"),
            (["x", "--memspec", "file=%s" % w("x.mem"), "--diskspec",
              "vda,snapshot=external,file=/nonexistent/vgmtest/x.qcow2"], "x.qcow2"),
            (["x", "--live", "--diskspec", "vda,snapshot=external,file=%s" % w("x.qcow2"),
              "--disk-only"], "live"),
            (["x", "--memspec", "file=relative.mem"], "absolute"),
        ]
        for args, word in tries:
            r = harness.virsh(uri, "snapshot-create-as", MEM, *args)
            tap.ok(r.rc != 0 and word in r.err and vda() == w("m2.qcow2") and
                   d.state()[0] == libvirt.VIR_DOMAIN_RUNNING and
                   not os.path.exists(w("x.qcow2")) and not os.path.exists(w("x.mem")) and
                   not os.path.exists(w("relative.mem")) and
                   "x" not in harness.virsh(uri, "snapshot-list", MEM, "--name").out.split(),
                   "snapshot-create-as %s is refused, nothing made" % " ".join(args[1:]),
                   r.describe())
        r = harness.virsh(uri, "snapshot-revert", MEM, "m1")
        tap.ok(r.rc != 0 and "external" in r.err and vda() == w("m2.qcow2"),
               "the revert to an external memory snapshot is refused", r.describe())
        d.destroy()
        r = harness.virsh(uri, "snapshot-create-as", MEM, "x", "--memspec", "file=%s" % w("x.mem"))
        tap.ok(r.rc != 0 and "shut off" in r.err and not os.path.exists(w("x.mem")),
               "a memory snapshot of the shut-off domain is refused", r.describe())
        r = harness.virsh(uri, "restore", w("m1.mem"))
        tap.ok(r.rc == 0 and d.state()[0] == libvirt.VIR_DOMAIN_RUNNING and vda() == w("m.qcow2"),
               "virsh restore of the memory file: the guest runs again on the disk it had then",
               r.describe())
    finally:
        watch.terminate()
        watch.wait(timeout=10)
        harness.virsh(uri, "destroy", MEM)
        harness.virsh(uri, "undefine", MEM, "--snapshots-metadata")


def ET_fromstring(text):
    import xml.etree.ElementTree as ET
    return ET.fromstring(text)


def run_tests(tap, target, work):
    import libvirt
    import xml.etree.ElementTree as ET
    uri = target.uri
    w = lambda n: os.path.join(work, n)  # noqa: E731
    r = harness.virsh(uri, "define", harness.write_file(work, DOM + ".xml", domain(work)))
    tap.ok(r.rc == 0, "define", r.describe())
    libvirt.registerErrorHandler(lambda *a: None, None)
    conn = libvirt.open(uri)
    dom = conn.lookupByName(DOM)

    def disks(flags=0):
        """target -> (source, [backing sources]) of the domain's XML"""
        out = {}
        for d in ET.fromstring(dom.XMLDesc(flags)).findall("./devices/disk"):
            src = d.find("source")
            chain = [b.find("source").get("file") for b in d.iter("backingStore")
                     if b.find("source") is not None]
            out[d.find("target").get("dev")] = (src.get("file") if src is not None else None, chain)
        return out

    def names(flags=0):
        return sorted(s.getName() for s in dom.listAllSnapshots(flags))

    caps = harness.virsh(uri, "capabilities").out
    tap.ok("<disksnapshot default='on' toggle='no'/>" in caps,
           "the capabilities' guests say <disksnapshot default='on' toggle='no'/>, as libvirt's",
           caps[-1500:])

    # ---- the shut-off domain ----
    r = harness.virsh(uri, "snapshot-create-as", DOM, "off1", "--disk-only")
    ia, ib = image_info(w("a.off1")), image_info(w("b.off1"))
    cfg = disks(libvirt.VIR_DOMAIN_XML_INACTIVE)
    tap.ok(r.rc == 0 and ia.get("format") == "qcow2" and
           ia.get("full-backing-filename") == w("a.raw") and ia.get("backing-filename-format") == "raw" and
           ib.get("full-backing-filename") == w("b.qcow2") and ib.get("backing-filename-format") == "qcow2" and
           not os.path.exists(w("cd.off1")) and
           cfg["vda"] == (w("a.off1"), []) and cfg["vdb"] == (w("b.off1"), [w("b.qcow2"), w("bbase.raw")]) and
           cfg["sda"][0] == w("cd.iso"),
           "snapshot-create-as --disk-only of the shut-off domain: a.off1 over a.raw, b.off1 over "
           "b.qcow2, the config names them (vdb's <backingStore> gains b.qcow2), the CD-ROM left out",
           r.describe() + repr((ia, ib, cfg)))
    x = harness.virsh(uri, "snapshot-dumpxml", DOM, "off1").out
    tap.ok("<state>shutoff</state>" in x and "<memory snapshot='no'/>" in x and
           "<disk name='vda' snapshot='external' type='file'>" in x and
           "<source file='%s'/>" % w("a.off1") in x and "<driver type='qcow2'/>" in x and
           "<disk name='sda' snapshot='no'/>" in x and "<source file='%s'/>" % w("a.raw") in x,
           "snapshot-dumpxml off1: shutoff, memory no, vda and vdb external with their new "
           "images, sda left out, the <domain> of before", x)
    ext = harness.virsh(uri, "snapshot-list", DOM, "--external", "--name").out.split()
    internal = harness.virsh(uri, "snapshot-list", DOM, "--internal", "--name").out.split()
    tap.ok(ext == ["off1"] and internal == [] and
           names(libvirt.VIR_DOMAIN_SNAPSHOT_LIST_EXTERNAL) == ["off1"],
           "snapshot-list --external lists off1, --internal nothing", repr((ext, internal)))

    # ---- the running domain ----
    r = harness.virsh(uri, "start", DOM)
    q = harness.virsh(uri, "qemu-monitor-command", DOM, '{"execute":"query-block"}').out
    live = disks()
    tap.ok(r.rc == 0 and w("a.off1") in q and w("b.off1") in q and w("bbase.raw") in q and
           live["vda"][0] == w("a.off1") and live["vdb"][0] == w("b.off1"),
           "the domain starts on the new images, QEMU opening their chains",
           r.describe() + q + repr(live))
    r = guest_write(uri, "virtio-disk0", 0x22)
    tap.ok(r.rc == 0, "the guest's disk vda written (0x22)", r.describe())

    # the backup sequence: an overlay without metadata, then its commit
    r = harness.virsh(uri, "snapshot-create-as", DOM, "bk", "--disk-only", "--atomic",
                      "--no-metadata", "--diskspec", "vda,file=%s" % w("a.bk.qcow2"),
                      "--diskspec", "vdb,snapshot=no")
    live, cfg = disks(), disks(libvirt.VIR_DOMAIN_XML_INACTIVE)
    fds = qemu_fds(target)
    tap.ok(r.rc == 0 and live["vda"][0] == w("a.bk.qcow2") and cfg["vda"][0] == w("a.bk.qcow2") and
           live["vdb"][0] == w("b.off1") and fds is not None and w("a.bk.qcow2") in fds and
           w("a.off1") in fds and names() == ["off1"] and
           image_info(w("a.bk.qcow2")).get("full-backing-filename") == w("a.off1"),
           "snapshot-create-as --disk-only --atomic --no-metadata --diskspec vda,file=: QEMU "
           "writes vda into a.bk.qcow2 over a.off1; the live XML and the config name it; vdb "
           "left out; no metadata", r.describe() + repr((live, cfg, fds, names())))
    guest_write(uri, "virtio-disk0", 0x33)
    harness.virsh(uri, "suspend", DOM)
    new, old = has_pattern(w("a.bk.qcow2"), "qcow2", 0x33), has_pattern(w("a.off1"), "qcow2", 0x22)
    harness.virsh(uri, "resume", DOM)
    tap.ok(new and old, "the guest's later write (0x33) is in the new image, the old one keeps 0x22",
           repr((new, old)))
    r = harness.virsh(uri, "blockcommit", DOM, "vda", "--active", "--shallow", "--pivot",
                      "--wait", timeout=120)
    live, cfg = disks(), disks(libvirt.VIR_DOMAIN_XML_INACTIVE)
    harness.virsh(uri, "suspend", DOM)
    merged = has_pattern(w("a.off1"), "qcow2", 0x33)
    harness.virsh(uri, "resume", DOM)
    fds = qemu_fds(target)
    tap.ok(r.rc == 0 and merged and live["vda"][0] == w("a.off1") and
           cfg["vda"][0] == w("a.off1") and fds is not None and w("a.bk.qcow2") not in fds,
           "blockcommit vda --active --shallow --pivot --wait: the write is in a.off1, the live XML and "
           "the config are back on it, QEMU no longer holds a.bk.qcow2",
           r.describe() + repr((merged, live, cfg, fds)))

    # ---- with metadata ----
    r = harness.virsh(uri, "snapshot-create-as", DOM, "run1", "--disk-only")
    x = harness.virsh(uri, "snapshot-dumpxml", DOM, "run1").out
    live = disks()
    tap.ok(r.rc == 0 and "<state>disk-snapshot</state>" in x and
           "<source file='%s'/>" % w("a.run1") in x and "<source file='%s'/>" % w("b.run1") in x and
           live["vda"][0] == w("a.run1") and live["vdb"] == (w("b.run1"), [w("b.off1"), w("b.qcow2"), w("bbase.raw")]) and
           harness.virsh(uri, "snapshot-current", DOM, "--name").out.strip() == "run1" and
           harness.virsh(uri, "snapshot-parent", DOM, "run1").out.strip() == "off1",
           "snapshot-create-as --disk-only of the running domain: state disk-snapshot, current, "
           "below off1; vdb's live <backingStore> gains b.off1", r.describe() + x + repr(live))
    # as libvirtd 9.0 keeps it: the running domain's live definition as
    # <domain> (its aliases, no id) and its config as <inactiveDomain>
    sx = ET.fromstring(x) if x.strip().startswith("<domainsnapshot") else None
    sd = sx.find("domain") if sx is not None else None
    tap.ok(sd is not None and sd.get("id") is None and sd.find("devices/disk/alias") is not None and
           sx.find("inactiveDomain") is not None,
           "snapshot-dumpxml run1: the live definition (aliases, no id) and <inactiveDomain>", x)
    r = harness.virsh(uri, "snapshot-revert", DOM, "run1")
    tap.ok(r.rc != 0 and "external" in r.err and disks()["vda"][0] == w("a.run1"),
           "snapshot-revert to an external snapshot is refused (as libvirt 9.0), nothing changes",
           r.describe())
    r = harness.virsh(uri, "snapshot-delete", DOM, "off1", "--children")
    r2 = harness.virsh(uri, "snapshot-delete", DOM, "off1", "--children-only")
    tap.ok(r.rc != 0 and r2.rc != 0 and "children" in r.err + r2.err and
           names() == ["off1", "run1"] and os.path.exists(w("a.run1")) and
           disks()["vda"][0] == w("a.run1"),
           "snapshot-delete --children / --children-only of external snapshots is refused, "
           "nothing changes", r.describe() + r2.describe())
    r = harness.virsh(uri, "snapshot-delete", DOM, "off1")
    tap.ok(r.rc != 0 and "children" in r.err and names() == ["off1", "run1"] and
           disks()["vda"][0] == w("a.run1"),
           "snapshot-delete of an external snapshot with children is refused (as libvirt 9.0), "
           "nothing changes", r.describe())
    # its delete merges its images into those it was taken of
    guest_write(uri, "virtio-disk0", 0x44)
    r = harness.virsh(uri, "snapshot-delete", DOM, "run1", timeout=120)
    live, cfg = disks(), disks(libvirt.VIR_DOMAIN_XML_INACTIVE)
    harness.virsh(uri, "suspend", DOM)
    merged = has_pattern(w("a.off1"), "qcow2", 0x44)
    harness.virsh(uri, "resume", DOM)
    fds = qemu_fds(target) or []
    tap.ok(r.rc == 0 and names() == ["off1"] and merged and
           live["vda"] == (w("a.off1"), [w("a.raw")]) and cfg["vda"] == (w("a.off1"), []) and
           live["vdb"] == (w("b.off1"), [w("b.qcow2"), w("bbase.raw")]) and
           cfg["vdb"] == (w("b.off1"), [w("b.qcow2"), w("bbase.raw")]) and
           not os.path.exists(w("a.run1")) and not os.path.exists(w("b.run1")) and
           w("a.run1") not in fds and w("a.off1") in fds and
           harness.virsh(uri, "snapshot-current", DOM, "--name").out.strip() == "off1",
           "snapshot-delete run1 (current, running): its new images merged into a.off1 and "
           "b.off1 (the guest's write in a.off1), the live XML and the config back on them "
           "(the live XML with the chain QEMU opened below a.off1, as libvirt's), the images "
           "removed, off1 current", r.describe() + repr((merged, live, cfg, fds)))
    r0 = harness.virsh(uri, "snapshot-create-as", DOM, "run2", "--disk-only")
    r = harness.virsh(uri, "snapshot-delete", DOM, "run2", "--metadata")
    tap.ok(r0.rc == 0 and r.rc == 0 and names() == ["off1"] and os.path.exists(w("a.run2")) and
           disks()["vda"][0] == w("a.run2"),
           "snapshot-delete --metadata: the metadata goes, the images stay in use",
           r0.describe() + r.describe())

    # ---- reused ----
    harness.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", w("a.run2"), "-F", "qcow2",
                 w("a.mine.qcow2")])
    before = disks()
    r = harness.virsh(uri, "snapshot-create-as", DOM, "x", "--disk-only",
                      "--diskspec", "vda,file=%s" % w("a.mine.qcow2"), "--diskspec", "vdb,snapshot=no")
    tap.ok(r.rc != 0 and "--reuse-external" in r.err and disks() == before and names() == ["off1"],
           "an image that exists already is refused without --reuse-external, nothing changes",
           r.describe())
    r = harness.virsh(uri, "snapshot-create-as", DOM, "mine", "--disk-only", "--reuse-external",
                      "--diskspec", "vda,file=%s" % w("a.mine.qcow2"), "--diskspec", "vdb,snapshot=no")
    tap.ok(r.rc == 0 and disks()["vda"][0] == w("a.mine.qcow2") and
           w("a.mine.qcow2") in (qemu_fds(target) or []),
           "--reuse-external: the disk moves onto the image made beforehand", r.describe())

    # ---- OpenStack Nova's volume snapshot ----
    nova_volume_snapshot(tap, dom, disks, names, w)

    # ---- refusals ----
    before = disks()
    tries = [
        (["x", "--disk-only", "--live"], "live"),
        (["x", "--disk-only", "--quiesce"], "agent"),
        (["x", "--disk-only", "--memspec", "file=%s,snapshot=external" % w("mem")], "memory"),
        (["x", "--disk-only", "--diskspec", "vdb,snapshot=internal"], "internal"),
        (["x", "--diskspec", "vda,snapshot=external"], "disk-only"),
        (["x", "--disk-only", "--diskspec", "vda,file=%s" % w("same"),
          "--diskspec", "vdb,file=%s" % w("same")], "already"),
    ]
    for args, word in tries:
        r = harness.virsh(uri, "snapshot-create-as", DOM, *args)
        tap.ok(r.rc != 0 and word in r.err and disks() == before and names() == ["mine", "off1"] and
               not os.path.exists(w("mem")) and not os.path.exists(w("same")) and
               not os.path.exists(w("a.mine.x")),
               "snapshot-create-as %s is refused, nothing changes" % " ".join(args[1:]),
               r.describe())

    # ---- a new start from the config ----
    r0 = harness.virsh(uri, "destroy", DOM)
    r = harness.virsh(uri, "start", DOM)
    q = harness.virsh(uri, "qemu-monitor-command", DOM, '{"execute":"query-block"}').out
    tap.ok(r0.rc == 0 and r.rc == 0 and all(w(f) in q for f in
                                            ("a.mine.qcow2", "a.run2", "a.off1", "a.raw",
                                             "b.run2", "b.off1", "b.qcow2", "bbase.raw")),
           "destroyed and started again from the config: QEMU opens both whole chains",
           r0.describe() + r.describe() + q)
    harness.virsh(uri, "destroy", DOM)
    # the disks' own defaults: vda snapshot='external', vdb 'no'
    x = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    x = x.replace("<disk type='file' device='disk'>", "<disk type='file' device='disk' snapshot='external'>", 1)
    x = x.replace("<disk type='file' device='disk'>", "<disk type='file' device='disk' snapshot='no'>", 1)
    r0 = harness.virsh(uri, "define", harness.write_file(work, DOM + "-dflt.xml", x))
    r = harness.virsh(uri, "snapshot-create-as", DOM, "dflt")
    sx = harness.virsh(uri, "snapshot-dumpxml", DOM, "dflt").out
    tap.ok(r0.rc == 0 and r.rc == 0 and disks(libvirt.VIR_DOMAIN_XML_INACTIVE)["vda"][0] == w("a.mine.dflt") and
           "<disk name='vdb' snapshot='no'/>" in sx and "<state>shutoff</state>" in sx,
           "the disks' own snapshot='external' and 'no': a plain snapshot-create-as of the "
           "shut-off domain puts vda onto a.mine.dflt and leaves vdb", r0.describe() + r.describe() + sx)
    # the delete of a shut-off domain's snapshot: qemu-img commit
    harness.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x55 0 64k", w("a.mine.dflt")])
    r = harness.virsh(uri, "snapshot-delete", DOM, "dflt")
    cfg = disks(libvirt.VIR_DOMAIN_XML_INACTIVE)
    tap.ok(r.rc == 0 and cfg["vda"][0] == w("a.mine.qcow2") and not os.path.exists(w("a.mine.dflt"))
           and names() == ["mine", "off1"] and has_pattern(w("a.mine.qcow2"), "qcow2", 0x55),
           "snapshot-delete dflt of the shut-off domain: a.mine.dflt (written 0x55) committed "
           "into a.mine.qcow2 and removed, the config back on it", r.describe() + repr(cfg))
    try:
        dom.snapshotCreateXML("<domainsnapshot><disks><disk name='vda' snapshot='external'>"
                              "<source file='relative.qcow2'/></disk></disks></domainsnapshot>", 0)
        err = None
    except libvirt.libvirtError as e:
        err = e
    tap.ok(err is not None and err.get_error_code() == libvirt.VIR_ERR_XML_ERROR and
           "absolute" in str(err),
           "a relative new image name is refused (VIR_ERR_XML_ERROR)", str(err))
    r = harness.virsh(uri, "undefine", DOM, "--snapshots-metadata")
    tap.ok(r.rc == 0, "undefine --snapshots-metadata", r.describe())
    internal_then_external(tap, target, conn, uri, work)
    memory_snapshot_tests(tap, target, conn, uri, work)
    conn.close()


if __name__ == "__main__":
    main()
