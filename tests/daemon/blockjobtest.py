#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""blockjobtest: a running domain's disk jobs through the daemon, with
Debian's virsh 9.0 and python3-libvirt (TAP; our daemon only).

The domain: type 'qemu', no OS (SeaBIOS looks for one), a virtio disk vda
that is a qcow2 overlay on a raw base, each with its own data written by
qemu-io before the start. Every copy is compared with the disk by
`qemu-img compare` (guest-visible contents) and its backing file read by
`qemu-img info`.

What it covers:
  * domblkinfo of the shut-off and the running disk (capacity from the
    qcow2 header, QEMU's view, the file's size);
  * a copy of a persistent domain without a transient job is refused
    (VIR_ERR_OPERATION_INVALID, as libvirt); virsh blockcopy
    --transient-job --wait --finish: a full copy, no backing file;
  * OpenStack Nova's live snapshot, step by step as its _live_snapshot
    does it: blockJobAbort of no job, undefine, blockRebase(COPY |
    REUSE_EXT | SHALLOW) into a pre-made overlay of the base, polling
    blockJobInfo until cur == end, a BLOCK_JOB_2 READY event for vda,
    the live XML's <mirror ready='yes'>, blockJobAbort (the <mirror> gone),
    defineXML: the delta holds the disk's top and keeps the base as its
    backing file, the domain is persistent again;
  * a copy with --bandwidth: blockjob --info shows the limit,
    blockjob --bandwidth changes it, blockjob --abort ends it;
  * virsh blockcopy --shallow --pivot: the live XML, domblklist and QEMU
    name the copy, QEMU no longer has the old overlay open, the config
    names the copy (libvirt rewrites it); a second pivot of the same
    disk, which the config follows too;
  * an existing file is not overwritten without --reuse-external; no
    detach-disk while a copy runs; the abort's event says CANCELED;
  * a pivot onto a reused --shallow copy whose backing file is the disk
    itself rather than its backing image: reported as failed (QEMU could
    not attach the backing file), the live XML without a backing chain;
  * virsh domblkerror (virDomainGetDiskErrors) without errors;
  * virsh blkdeviotune (virDomainSetBlockIoTune, GetBlockIoTune) --live:
    QEMU's query-block shows the limits and the group, the TUNABLE event
    has the disk and the values given, blkdeviotune and the
    live XML read them back; a read limit replaces the total one as in
    libvirt; refused with nothing changed: a total with its split, a value
    above 1e15, a max without its rate, a max's length without the max;
    --config changes the config only; all 0 (python3-libvirt): no
    <iotune>;
  * blockresize; a disk the domain lacks; an abort with no job (pull and
    commit: blockchaintest);
  * domblkthreshold (virDomainSetBlockThreshold): domstats' block.N.threshold,
    libvirt's two BLOCK_THRESHOLD events (the target, then the top's
    number vda[N]; source, threshold, excess) once a write made through
    the disk's device by QEMU's qemu-io passes it, then no threshold; 0
    takes it away; vda[0] sets the top's (its event vda[N] alone); a disk named by its source, one the domain lacks, an
    image number the disk does not have and a malformed one are refused
    (an image below the top by its number: blockchaintest); isUpdated
    is 0.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DOM = "vgmtest-blockjob"
MIB = 1024 * 1024


def domain(work):
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%s/top.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>""" % (DOM, work)


def img(*args):
    return harness.run(["qemu-img"] + list(args), timeout=120)


def same(a, b):
    r = img("compare", "-U", a, b)
    return r.rc == 0, r


def backing(path):
    r = img("info", "-U", "--output=json", path)
    try:
        return json.loads(r.out).get("backing-filename")
    except ValueError:
        return "?"


def main():
    tap = harness.TAP()
    if os.environ.get("VGM_TEST_URI"):
        harness.TAP.skip_all("the block job test runs against our own daemon")
    if not os.access(harness.VIRSH, os.X_OK):
        harness.TAP.skip_all("virsh is not installed (Debian package libvirt-clients)")
    work = tempfile.mkdtemp(prefix="vgm-blockjob-")
    base = os.path.join(work, "base.raw")
    top = os.path.join(work, "top.qcow2")
    for args in (["qemu-img", "create", "-q", "-f", "raw", base, "32M"],
                 ["qemu-io", "-f", "raw", "-c", "write -P 0x11 0 4M", base],
                 ["qemu-img", "create", "-q", "-f", "qcow2", "-b", base, "-F", "raw", top],
                 ["qemu-io", "-f", "qcow2", "-c", "write -P 0x22 1M 2M", top]):
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


def run_tests(tap, target, work):
    import libvirt
    uri = target.uri
    base = os.path.join(work, "base.raw")
    top = os.path.join(work, "top.qcow2")
    path = harness.write_file(work, DOM + ".xml", domain(work))
    r = harness.virsh(uri, "define", path)
    tap.ok(r.rc == 0, "define", r.describe())

    r = harness.virsh(uri, "domblkinfo", DOM, "vda")
    tap.ok(r.rc == 0 and "Capacity:       %d" % (32 * MIB) in r.out and
           "Physical:       %d" % os.path.getsize(top) in r.out,
           "domblkinfo of the shut-off disk: 32 MiB from the qcow2 header, the file's size",
           r.describe())
    r = harness.virsh(uri, "start", DOM)
    tap.ok(r.rc == 0, "start", r.describe())
    r = harness.virsh(uri, "domblkinfo", DOM, "vda")
    tap.ok(r.rc == 0 and "Capacity:       %d" % (32 * MIB) in r.out,
           "domblkinfo of the running disk: QEMU's 32 MiB", r.describe())

    # ---- a copy needs a transient domain or a transient job ----
    copy = os.path.join(work, "copy.qcow2")
    r = harness.virsh(uri, "blockcopy", DOM, "vda", copy, "--wait")
    tap.ok(r.rc != 0 and "not transient" in r.err and not os.path.exists(copy),
           "blockcopy of a persistent domain without --transient-job is refused, nothing made",
           r.describe())
    r = harness.virsh(uri, "blockcopy", DOM, "vda", copy, "--wait", "--transient-job", "--finish",
                      timeout=120)
    ok, cmp = same(top, copy)
    tap.ok(r.rc == 0 and "Successfully copied" in r.out and ok and backing(copy) is None,
           "blockcopy --transient-job --wait --finish: a full copy, the same contents, no backing",
           r.describe() + cmp.describe())

    # ---- Nova's live snapshot ----
    libvirt.registerErrorHandler(lambda *a: None, None)
    libvirt.virEventRegisterDefaultImpl()
    events = []
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()
    th = threading.Thread(target=loop, daemon=True)
    th.start()
    conn = libvirt.open(uri)
    cb = conn.domainEventRegisterAny(
        None, libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
        lambda c, d, dst, typ, status, opaque: events.append((d.name(), dst, typ, status)), None)
    dom = conn.lookupByName(DOM)
    xml = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE)
    try:
        dom.blockJobAbort("vda", 0)
        tap.ok(False, "blockJobAbort of no job fails")
    except libvirt.libvirtError as e:
        tap.ok(e.get_error_code() == libvirt.VIR_ERR_INVALID_ARG and
               "does not have an active block job" in str(e),
               "blockJobAbort of no job: INVALID_ARG, as Nova expects and ignores", str(e))
    delta = os.path.join(work, "snap.delta")
    img("create", "-q", "-f", "qcow2", "-b", base, "-F", "raw", delta, "32M")
    dom.undefineFlags(0)
    flags = (libvirt.VIR_DOMAIN_BLOCK_REBASE_COPY | libvirt.VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT |
             libvirt.VIR_DOMAIN_BLOCK_REBASE_SHALLOW)
    dom.blockRebase("vda", delta, 0, flags)
    info = None
    end = time.monotonic() + 60
    while time.monotonic() < end:
        info = dom.blockJobInfo("vda", 0)
        if info and info["cur"] == info["end"]:
            break
        time.sleep(0.2)
    tap.ok(info and info["type"] == libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_COPY and
           info["cur"] == info["end"] > 0,
           "blockRebase COPY|REUSE_EXT|SHALLOW: blockJobInfo reaches cur == end (a copy job)",
           repr(info))
    t_end = time.monotonic() + 10
    while time.monotonic() < t_end and (DOM, "vda", libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_COPY,
                                         libvirt.VIR_DOMAIN_BLOCK_JOB_READY) not in events:
        time.sleep(0.1)
    tap.ok((DOM, "vda", libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_COPY,
            libvirt.VIR_DOMAIN_BLOCK_JOB_READY) in events,
           "a BLOCK_JOB_2 event says vda's copy is ready", repr(events))
    live = dom.XMLDesc(0)
    tap.ok("<mirror type='file' file='%s' format='qcow2' job='copy' ready='yes'>" % delta in live,
           "the live XML has the copy's <mirror> with ready='yes' (what Nova's "
           "is_job_complete reads)", live)
    dom.blockJobAbort("vda", 0)
    after = dom.blockJobInfo("vda", 0)
    tap.ok("<mirror" not in dom.XMLDesc(0), "after the abort the live XML has no <mirror>")
    conn.defineXML(xml)
    t_end = time.monotonic() + 10
    cancelled = (DOM, "vda", libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_COPY,
                 libvirt.VIR_DOMAIN_BLOCK_JOB_CANCELED)
    while time.monotonic() < t_end and cancelled not in events:
        time.sleep(0.1)
    tap.ok(cancelled in events, "the abort's BLOCK_JOB_2 event says CANCELED, as libvirt's",
           repr(events))
    ok, cmp = same(top, delta)
    tap.ok(after == {} and ok and backing(delta) == base and dom.isPersistent(),
           "blockJobAbort ends it: the delta holds the disk, backed by the base; defined again",
           "%r %r %s" % (after, backing(delta), cmp.describe()))
    conn.domainEventDeregisterAny(cb)
    conn.close()
    stop.set()

    # ---- an existing file is not overwritten ----
    kept = harness.write_file(work, "kept.qcow2", "data that must stay\n")
    r = harness.virsh(uri, "blockcopy", DOM, "vda", kept, "--transient-job")
    with open(kept) as f:
        tap.ok(r.rc != 0 and "already exists" in r.err and f.read() == "data that must stay\n",
               "blockcopy onto an existing file without --reuse-external is refused, the file kept",
               r.describe())

    # ---- bandwidth, and no detach while a copy runs ----
    slow = os.path.join(work, "slow.qcow2")
    r = harness.virsh(uri, "blockcopy", DOM, "vda", slow, "--transient-job", "--bandwidth", "1")
    d = harness.virsh(uri, "detach-disk", DOM, "vda", "--live")
    tap.ok(d.rc != 0 and "copy job running" in d.err,
           "detach-disk of a disk with a copy running is refused", d.describe())
    i1 = harness.virsh(uri, "blockjob", DOM, "vda", "--info")
    harness.virsh(uri, "blockjob", DOM, "vda", "--bandwidth", "100")
    i2 = harness.virsh(uri, "blockjob", DOM, "vda", "--info")
    a = harness.virsh(uri, "blockjob", DOM, "vda", "--abort")
    i3 = harness.virsh(uri, "blockjob", DOM, "vda", "--info")
    tap.ok(r.rc == 0 and "Block Copy" in i1.err and "1048576 bytes/s" in i1.out and
           "104857600 bytes/s" in i2.out and a.rc == 0 and "No current block job" in i3.out,
           "blockcopy --bandwidth 1: blockjob --info shows 1 MiB/s, --bandwidth 100 changes it, "
           "--abort ends it", "\n".join(x.describe() for x in (r, i1, i2, a, i3)))

    # ---- pivot ----
    piv = os.path.join(work, "pivot.qcow2")
    r = harness.virsh(uri, "blockcopy", DOM, "vda", piv, "--wait", "--transient-job",
                      "--shallow", "--pivot", timeout=120)
    bl = harness.virsh(uri, "domblklist", DOM)
    x = harness.virsh(uri, "dumpxml", DOM).out
    q = harness.virsh(uri, "qemu-monitor-command", DOM, '{"execute":"query-block"}').out
    pid = None
    st = os.path.join(target.root or "", "run", "qemu", DOM + ".status")
    try:
        with open(st) as f:
            pid = json.load(f)["pid"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    fds = []
    if pid:
        d = "/proc/%d/fd" % pid
        for fd in os.listdir(d):
            try:
                fds.append(os.readlink(os.path.join(d, fd)))
            except OSError:
                pass
    tap.ok(r.rc == 0 and "Successfully pivoted" in r.out and piv in bl.out and
           re.search(r"<source file='%s' index='\d+'/>" % re.escape(piv), x) and piv in q and
           backing(piv) == base,
           "blockcopy --shallow --pivot: domblklist, the live XML and QEMU name the copy, "
           "backed by the base", r.describe() + bl.describe())
    tap.ok(pid is not None and top not in fds and piv in fds,
           "after the pivot QEMU has the copy open and no longer the old overlay", repr(fds))
    # as libvirt rewrites it, the config names the copy too: a later start
    # must not go back to the old image and lose what the guest wrote since
    cfg = harness.virsh(uri, "dumpxml", DOM, "--inactive").out
    tap.ok("<source file='%s'/>" % piv in cfg and "<source file='%s'/>" % top not in cfg,
           "after the pivot the config's vda is the copy", cfg)

    # ---- a second pivot, onto another copy ----
    piv2 = os.path.join(work, "pivot2.qcow2")
    r = harness.virsh(uri, "blockcopy", DOM, "vda", piv2, "--wait", "--transient-job",
                      "--shallow", "--pivot", timeout=120)
    bl = harness.virsh(uri, "domblklist", DOM)
    ok, cmp = same(piv, piv2)
    tap.ok(r.rc == 0 and "Successfully pivoted" in r.out and piv2 in bl.out and ok,
           "a second pivot of the same disk, onto another copy", r.describe() + cmp.describe())
    cfg = harness.virsh(uri, "dumpxml", DOM, "--inactive").out
    tap.ok("<source file='%s'/>" % piv2 in cfg, "the config's vda follows the second pivot", cfg)

    # ---- a copy given as a whole <disk> (Nova's swap_volume) ----
    # Nova's swap_volume hands blockCopy its LibvirtConfigGuestDisk, with
    # the disk's <target>, <serial> and cache mode: libvirtd 9.0 reads the
    # destination's source and format from it (captured: virsh blockcopy
    # --xml of such a disk, --reuse-external --wait --pivot ->
    # "Successfully pivoted"), the rest is the disk's own
    piv3 = os.path.join(work, "pivot3.qcow2")
    size = json.loads(img("info", "-U", "--output=json", piv2).out or "{}").get("virtual-size")
    img("create", "-q", "-f", "qcow2", piv3, str(size))
    dest = harness.write_file(work, "swap.xml", """<disk type="file" device="disk">
  <driver name="qemu" type="qcow2" cache="none"/>
  <source file="%s"/>
  <target dev="vda" bus="virtio"/>
  <serial>11111111-2222-3333-4444-555555555555</serial>
</disk>""" % piv3)
    r = harness.virsh(uri, "blockcopy", DOM, "vda", "--xml", dest, "--reuse-external",
                      "--transient-job", "--wait", "--pivot", timeout=120)
    bl = harness.virsh(uri, "domblklist", DOM)
    ok, cmp = same(piv2, piv3)
    tap.ok(r.rc == 0 and "Successfully pivoted" in r.out and piv3 in bl.out and ok,
           "blockcopy --xml of a whole <disk> (target, serial, cache: Nova's swap_volume) "
           "copies to its source and pivots", r.describe() + bl.describe() + cmp.describe())
    # the copy has no backing file: the live XML says the chain ends
    # there (<backingStore/>), as libvirtd 9.0 reads it after a pivot
    # (2026-12-07: virt-gmem's had lost the chain, and an external
    # snapshot then had none to put the copy into)
    x = harness.virsh(uri, "dumpxml", DOM).out
    m = re.search(r"<disk [^>]*>(?:(?!</disk>).)*<target dev='vda'", x, re.S)
    tap.ok(m is not None and "<backingStore/>" in m.group(0) and "<backingStore type" not in m.group(0),
           "after the pivot onto an image without a backing file, the live XML's vda ends its "
           "chain there (<backingStore/>)", x)
    piv2 = piv3

    # ---- resize and the refusals ----
    r = harness.virsh(uri, "blockresize", DOM, "vda", "48M")
    i = harness.virsh(uri, "domblkinfo", DOM, "vda")
    tap.ok(r.rc == 0 and "Capacity:       %d" % (48 * MIB) in i.out,
           "blockresize vda 48M: the guest's disk is 48 MiB", r.describe() + i.describe())
    # ---- a reused shallow copy backed by the wrong image ----
    cur = piv2
    wrong = os.path.join(work, "wrong.qcow2")
    img("create", "-q", "-f", "qcow2", "-b", cur, "-F", "qcow2", wrong)
    r = harness.virsh(uri, "blockcopy", DOM, "vda", wrong, "--shallow", "--reuse-external",
                      "--transient-job", "--wait", "--pivot", timeout=120)
    x = harness.virsh(uri, "dumpxml", DOM).out
    tap.ok(r.rc != 0 and "could not give it its backing file" in r.err and
           re.search(r"<source file='%s' index='\d+'/>" % re.escape(wrong), x) and
           "<backingStore type" not in x.split("<target dev='vda'")[0],
           "a pivot onto a reused shallow copy backed by the disk itself (not its backing "
           "image): QEMU's failure to give it a backing file is reported, the live XML says "
           "the disk reads the copy alone (no image below it)", r.describe() + x)
    # ---- disk errors (virsh domblkerror) ----
    r = harness.virsh(uri, "domblkerror", DOM)
    tap.ok(r.rc == 0 and "No errors found" in r.out,
           "domblkerror of a running domain whose disks had no I/O error: 'No errors found'",
           r.describe())
    # ---- I/O throttling (virsh blkdeviotune) ----
    r = harness.virsh(uri, "blkdeviotune", DOM, "vda", "--total-bytes-sec", "1000000",
                      "--read-iops-sec", "50", "--group-name", "grp1", "--live")
    g = harness.virsh(uri, "blkdeviotune", DOM, "vda")
    q = harness.virsh(uri, "qemu-monitor-command", DOM, '{"execute":"query-block"}').out
    ins = [b["inserted"] for b in json.loads(q or "{}").get("return", []) if b.get("inserted")]
    x = harness.virsh(uri, "dumpxml", DOM).out
    tap.ok(r.rc == 0 and "total_bytes_sec: 1000000" in g.out and
           "read_iops_sec  : 50" in g.out and "group_name     : grp1" in g.out and
           ins and ins[0].get("bps") == 1000000 and ins[0].get("iops_rd") == 50 and
           ins[0].get("group") == "grp1" and "<total_bytes_sec>1000000</total_bytes_sec>" in x,
           "blkdeviotune --live: QEMU throttles the disk (query-block), blkdeviotune and the "
           "live XML say so", r.describe() + g.describe() + q)
    # (the TUNABLE event names the disk and the values given, as
    # libvirtd 9.0's does, 2026-12-07)
    ev = subprocess.Popen(["virsh", "-c", uri, "event", DOM, "--event", "tunable", "--loop",
                           "--timeout", "15"], stdout=subprocess.PIPE, text=True)
    time.sleep(1.5)
    r = harness.virsh(uri, "blkdeviotune", DOM, "vda", "--read-bytes-sec", "4096", "--live")
    time.sleep(1.5)
    ev.send_signal(signal.SIGINT)
    lines = [l for l in ev.communicate(timeout=20)[0].splitlines() if l.strip()]
    tap.eq(lines[:3], ["event 'tunable' for domain '%s':" % DOM, "\tblkdeviotune.disk: vda",
                       "\tblkdeviotune.read_bytes_sec: 4096"],
           "blkdeviotune --live raises TUNABLE with the disk and the value given")
    q = harness.virsh(uri, "qemu-monitor-command", DOM, '{"execute":"query-block"}').out
    ins = [b["inserted"] for b in json.loads(q or "{}").get("return", []) if b.get("inserted")]
    tap.ok(r.rc == 0 and ins and ins[0].get("bps") == 0 and ins[0].get("bps_rd") == 4096 and
           ins[0].get("iops_rd") == 50,
           "a read limit replaces the total one (libvirt's groups), the IOPS limit stays",
           r.describe() + q)
    bad = [
        (["--total-bytes-sec", "5", "--read-bytes-sec", "3"], "cannot be set together"),
        (["--total-bytes-sec", "2000000000000000"], "above the limit"),
        (["--total-iops-sec-max", "10"], "cannot be set if 'total_iops_sec' is not set"),
        (["--total-iops-sec", "10", "--total-iops-sec-max-length", "5"],
         "cannot be set if 'total_iops_sec_max' is not set"),
    ]
    before = harness.virsh(uri, "blkdeviotune", DOM, "vda").out
    for args, text in bad:
        r = harness.virsh(uri, "blkdeviotune", DOM, "vda", *(args + ["--live"]))
        tap.ok(r.rc != 0 and text in r.err and
               harness.virsh(uri, "blkdeviotune", DOM, "vda").out == before,
               "blkdeviotune %s is refused, nothing changed" % " ".join(args), r.describe())
    r = harness.virsh(uri, "blkdeviotune", DOM, "vda", "--write-bytes-sec", "777", "--config")
    cfg = harness.virsh(uri, "dumpxml", DOM, "--inactive").out
    g = harness.virsh(uri, "blkdeviotune", DOM, "vda", "--config")
    tap.ok(r.rc == 0 and "<write_bytes_sec>777</write_bytes_sec>" in cfg and
           "write_bytes_sec: 777" in g.out and
           harness.virsh(uri, "blkdeviotune", DOM, "vda").out == before,
           "blkdeviotune --config: the config has the limit, the running disk not",
           r.describe() + g.describe())
    r = harness.virsh(uri, "blkdeviotune", DOM, "vdz", "--total-bytes-sec", "1", "--live")
    tap.ok(r.rc != 0 and "has no disk 'vdz'" in r.err, "blkdeviotune of a disk the domain lacks",
           r.describe())
    conn = libvirt.open(uri)
    err = None
    try:
        conn.lookupByName(DOM).setBlockIoTune(
            "vda", {"read_iops_sec": 0, "read_bytes_sec": 0, "group_name": ""},
            libvirt.VIR_DOMAIN_AFFECT_LIVE)
    except libvirt.libvirtError as e:
        err = str(e)
    x = conn.lookupByName(DOM).XMLDesc(0)
    conn.close()
    tap.ok(err is None and "<iotune>" not in x,
           "python3-libvirt setBlockIoTune of every limit to 0 and no group: the live XML has "
           "no <iotune>", "%s %s" % (err, x))
    r = harness.virsh(uri, "blockcopy", DOM, "vdz", os.path.join(work, "z.qcow2"),
                      "--transient-job")
    tap.ok(r.rc != 0 and "has no disk 'vdz'" in r.err, "a copy of a disk the domain lacks",
           r.describe())
    threshold_tests(tap, uri, work)


def threshold_tests(tap, uri, work):
    """virDomainSetBlockThreshold and the BLOCK_THRESHOLD event: QEMU's
    write threshold on the node the disk's top image is stored on, passed by
    a write made with QEMU's own qemu-io (HMP) through the disk's device"""
    import libvirt
    import xml.etree.ElementTree as ET
    # (the event loop implementation run_tests registered)
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()
    th = threading.Thread(target=loop, daemon=True)
    th.start()
    conn = libvirt.open(uri)
    events = []
    cb = conn.domainEventRegisterAny(
        None, libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD,
        lambda c, d, dev, path, threshold, excess, opaque:
        events.append((d.name(), dev, path, threshold, excess)), None)
    dom = conn.lookupByName(DOM)
    src_el = ET.fromstring(dom.XMLDesc(0)).find("./devices/disk/source")
    src, top_n = src_el.get("file"), src_el.get("index")
    q = harness.virsh(uri, "qemu-monitor-command", DOM, '{"execute":"query-block"}')
    qdev = None
    try:
        qdev = [b["qdev"] for b in json.loads(q.out)["return"] if b.get("inserted")][0]
    except (ValueError, KeyError, IndexError):
        pass
    size = os.path.getsize(src)
    limit = size + 256 * 1024
    r = harness.virsh(uri, "domblkthreshold", DOM, "vda", str(limit))
    st = harness.virsh(uri, "domstats", DOM, "--block")
    tap.ok(r.rc == 0 and "block.0.threshold=%d" % limit in st.out,
           "domblkthreshold vda: domstats shows block.0.threshold", r.describe() + st.describe())
    # written past the threshold, where the top has no cluster yet: the
    # image grows by more than 256 KiB
    w = harness.virsh(uri, "qemu-monitor-command", DOM, "--hmp",
                      'qemu-io -d %s "write -P 0x44 20M 1M"' % qdev)
    end = time.monotonic() + 20
    while not events and time.monotonic() < end:
        time.sleep(0.1)
    st = harness.virsh(uri, "domstats", DOM, "--block")
    time.sleep(0.5)
    tap.ok(qdev and top_n and len(events) == 2 and events[0][:4] == (DOM, "vda", src, limit) and
           events[1][:4] == (DOM, "vda[%s]" % top_n, src, limit) and
           events[0][4] == events[1][4] and
           events[0][4] > 0 and os.path.getsize(src) >= limit + events[0][4] - 65536 and
           "threshold" not in st.out,
           "a write past it: libvirt's two BLOCK_THRESHOLD events, of vda and of vda[N] (the "
           "top's number in the live XML), each with its source, the threshold and the "
           "excess, and the threshold is gone from domstats",
           "%r %r %s%s" % (qdev, events, w.describe(), st.describe()))
    # 0 takes a threshold away: no event for the next write
    del events[:]
    r = harness.virsh(uri, "domblkthreshold", DOM, "vda", str(os.path.getsize(src) + 4096))
    r0 = harness.virsh(uri, "domblkthreshold", DOM, "vda", "0")
    st = harness.virsh(uri, "domstats", DOM, "--block")
    harness.virsh(uri, "qemu-monitor-command", DOM, "--hmp",
                  'qemu-io -d %s "write -P 0x45 24M 1M"' % qdev)
    time.sleep(2)
    tap.ok(r.rc == 0 and r0.rc == 0 and "threshold" not in st.out and not events,
           "a threshold set to 0 is taken away: no threshold in domstats, no event",
           r0.describe() + st.describe() + repr(events))
    # vda[0] is the top, as libvirt reads it; set by number, its event is
    # vda[N] alone
    del events[:]
    limit = os.path.getsize(src) + 256 * 1024
    r = harness.virsh(uri, "domblkthreshold", DOM, "vda[0]", str(limit))
    st = harness.virsh(uri, "domstats", DOM, "--block")
    harness.virsh(uri, "qemu-monitor-command", DOM, "--hmp",
                  'qemu-io -d %s "write -P 0x46 28M 1M"' % qdev)
    end = time.monotonic() + 20
    while not events and time.monotonic() < end:
        time.sleep(0.1)
    time.sleep(0.5)
    tap.ok(r.rc == 0 and "block.0.threshold=%d" % limit in st.out and
           [e[:4] for e in events] == [(DOM, "vda[%s]" % top_n, src, limit)],
           "domblkthreshold vda[0] (refused before): the top's threshold, and a write past "
           "it raises only the event of vda[N]",
           r.describe() + st.describe() + repr(events))
    del events[:]
    for dev, code, text in (("vdz", libvirt.VIR_ERR_INVALID_ARG, "has no disk with target 'vdz'"),
                            (src, libvirt.VIR_ERR_INVALID_ARG, "has no disk with target"),
                            ("vda[9999]", libvirt.VIR_ERR_INVALID_ARG,
                             "has no image index 9999"),
                            ("vda[x]", libvirt.VIR_ERR_INVALID_ARG,
                             "is neither a disk's target nor an image")):
        try:
            dom.setBlockThreshold(dev, 1 << 20, 0)
            got = None
        except libvirt.libvirtError as e:
            got = (e.get_error_code(), str(e))
        st = harness.virsh(uri, "domstats", DOM, "--block")
        tap.ok(got and got[0] == code and text in got[1] and "threshold" not in st.out,
               "setBlockThreshold of %s is refused (%d), no threshold set" % (dev, code),
               repr(got))
    tap.ok(dom.isUpdated() == 0,
           "isUpdated: 0, as libvirt's QEMU driver always says")
    conn.domainEventDeregisterAny(cb)
    conn.close()
    stop.set()


if __name__ == "__main__":
    main()
