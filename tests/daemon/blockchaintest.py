#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""blockchaintest: block pull and block commit of a running domain's disks
through the daemon, with Debian's virsh 9.0 and python3-libvirt (TAP; our
daemon only).

The domain: type 'qemu', no OS, four virtio disks, each a chain of three
images with data of its own written into each layer by qemu-io before the
start (the names each image records of the one below are relative):
  vda  top.qcow2 -> mid.qcow2 -> base.raw, no <backingStore> given (QEMU
       reads the chain from the images);
  vdb  top2.qcow2 -> mid2.qcow2 -> base2.raw, given as <backingStore>
       layers ending in <backingStore/>;
  vdc  top3.qcow2 -> mid3.qcow2 -> base3.raw, given as <backingStore>
       layers;
  vde  top5.qcow2 -> mid5.qcow2 -> base5.raw, copy_on_read='on', no
       <backingStore> given.
Before any job each disk's guest-visible contents are flattened into a
reference file; after each job `qemu-img compare` checks the disk still
reads the same (with the guest paused, so that QEMU has written out what
it caches), and `qemu-img info` reads the backing file names.

What it covers:
  * refusals, each naming the reason and changing nothing: a commit of
    the active layer without --active, --active with a top that is not
    the active layer, a top without a backing file, --shallow with a base
    not right below, a base not in the chain, an image index (libvirt's
    vda[N]) of another disk, of the top as a pull's base or that the
    chain does not have, a pull with --keep-relative and no base;
  * a pull of vdb at 1 byte/s (--bandwidth 1 --bytes): virsh save and
    detach-disk of vdb refused while it runs; aborted by blockjob
    --abort: an event PULL CANCELED, the chain unchanged;
  * the live XML gives vda (no <backingStore> given) the chain QEMU
    opened, ending in <backingStore/>, and every image of every disk a
    number of its own (<source index>, <backingStore index>), as
    libvirt's live XML does; the config has no chain;
  * virsh blockcommit --top vda[MID] --base vda[BASE] --keep-relative
    --wait on vda, the images named by those numbers: the top now
    records 'base.raw' (relative), the contents are the same, QEMU's
    chain is top -> base, the live XML's chain loses mid while top and
    base keep their numbers; a BLOCK_JOB_2 event COMMIT COMPLETED;
  * virsh blockpull --wait on vda (virDomainBlockPull): the top has no
    backing file any more; an event PULL COMPLETED;
  * virsh blockpull --base base2.raw --keep-relative --wait on vdb
    (virDomainBlockRebase without COPY): top2 records 'base2.raw'; the
    live XML's and the config's <backingStore> lose mid2.qcow2;
  * virsh domstats --block: each top's number as block.N.backingIndex;
    with --backing a record of each image below, as libvirt 9.0's;
  * setBlockThreshold of vdc[N], base3 below the top: domstats --backing
    shows it, and the commit below, writing into base3, raises one
    BLOCK_THRESHOLD event of vdc[N] with base3's path;
  * virsh blockcommit --top mid3 --base base3 --keep-relative --delete
    --wait on vdc, a chain given as <backingStore> (QEMU names its images
    json:{...}): top3 records 'base3.raw'; the live XML and the config
    lose mid3; QEMU no longer has mid3.qcow2 open; mid3.qcow2 is deleted
    and nothing else (vda's mid, committed without --delete, stays);
  * virsh blockcommit --active --delete on vdb: the job becomes ready (blockjob
    --info says Active Block Commit, the live XML has libvirt's <mirror
    job='active-commit' ready='yes'>, an event ACTIVE_COMMIT READY), then
    virsh blockjob --pivot: the disk is on base2.raw in the live XML, the
    config and QEMU, with <backingStore/>, QEMU no longer has top2.qcow2
    open, base2.raw reads as the disk did, top2.qcow2 is deleted;
  * attach-disk --live of a fourth chain (top4 -> mid4 -> base4) as vdd:
    the live XML has its chain, numbered apart from every other disk's;
    blockcommit --top vdd[MID] --delete: it reads the same, mid4 is gone;
  * attach-device --live of a disk whose XML gives its images numbers
    (4294967295): the driver's own are used, apart from the others;
  * a restart of the domain from its changed config: vdb is base2.raw;
  * vde, copy_on_read='on' (QEMU's filter shows as an image above the
    top): the live XML has its chain once, and a save and restore from
    that XML works; then the jobs of such a disk, each leaving QEMU's
    copy-on-read filter over whatever image is on top, as libvirt's do
    (its jobs name the image below the filter): blockcommit --active
    --shallow --pivot onto mid5 (which took the filter away before), blockpull of mid5 (which failed on a permission
    conflict of QEMU's, the filter counted among the pulled images), an
    external snapshot (refused before: the filter was taken for the
    top), an active commit of that overlay and blockresize;
    the disk reads the same after each.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DOM = "vgmtest-blockchain"
MIB = 1024 * 1024


def domain(work):
    return """<domain type='qemu'>
  <name>%(dom)s</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%(w)s/top.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%(w)s/top2.qcow2'/>
      <backingStore type='file'>
        <format type='qcow2'/>
        <source file='%(w)s/mid2.qcow2'/>
        <backingStore type='file'>
          <format type='raw'/>
          <source file='%(w)s/base2.raw'/>
          <backingStore/>
        </backingStore>
      </backingStore>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='%(w)s/top3.qcow2'/>
      <backingStore type='file'>
        <format type='qcow2'/>
        <source file='%(w)s/mid3.qcow2'/>
        <backingStore type='file'>
          <format type='raw'/>
          <source file='%(w)s/base3.raw'/>
        </backingStore>
      </backingStore>
      <target dev='vdc' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' copy_on_read='on'/>
      <source file='%(w)s/top5.qcow2'/>
      <target dev='vde' bus='virtio'/>
    </disk>
    <controller type='pci' model='pcie-root'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <controller type='pci' model='pcie-root-port'/>
    <memballoon model='none'/>
  </devices>
</domain>""" % {"dom": DOM, "w": work}


def live_chains(xml):
    """{target: [(file, index, ends), ...]} of each disk in a running
    domain's XML, top first; ends: an empty <backingStore/> follows"""
    import xml.etree.ElementTree as ET
    chains = {}
    for disk in ET.fromstring(xml).iter("disk"):
        src = disk.find("source")
        chain = [[src.get("file"), int(src.get("index")) if src.get("index") else None, False]]
        node = disk
        while True:
            bs = node.find("backingStore")
            if bs is None:
                break
            if bs.find("source") is None:
                chain[-1][2] = True
                break
            chain.append([bs.find("source").get("file"),
                          int(bs.get("index")) if bs.get("index") else None, False])
            node = bs
        chains[disk.find("target").get("dev")] = [tuple(c) for c in chain]
    return chains


def stats_records(out):
    """the block.N records of `virsh domstats` output, each a dict of its
    fields (name, path, backingIndex, ...)"""
    recs = {}
    for line in out.splitlines():
        m = re.match(r"\s*block\.(\d+)\.(\S+)=(.*)$", line)
        if m:
            recs.setdefault(int(m.group(1)), {})[m.group(2)] = m.group(3)
    return [recs[k] for k in sorted(recs)]


def img(*args):
    return harness.run(["qemu-img"] + list(args), timeout=120)


def same(a, b, uri=None):
    """whether images a and b read the same; with @uri the domain is paused
    around the look, which has QEMU write out what it caches of them"""
    if uri:
        harness.virsh(uri, "suspend", DOM)
    r = img("compare", "-U", a, b)
    if uri:
        harness.virsh(uri, "resume", DOM)
    return r.rc == 0, r


def backing(path):
    r = img("info", "-U", "--output=json", path)
    try:
        return json.loads(r.out).get("backing-filename")
    except ValueError:
        return "?"


def make_chain(base, mid, top):
    """base (raw) <- mid <- top, each recording the one below by its
    relative name (qemu-img reads it relative to the new image), with data
    of its own in each; None or the failure"""
    steps = [["qemu-img", "create", "-q", "-f", "raw", base, "32M"],
             ["qemu-io", "-f", "raw", "-c", "write -P 0x11 0 4M", base],
             ["qemu-img", "create", "-q", "-f", "qcow2", "-b", os.path.basename(base),
              "-F", "raw", mid],
             ["qemu-io", "-f", "qcow2", "-c", "write -P 0x22 1M 2M", mid],
             ["qemu-img", "create", "-q", "-f", "qcow2", "-b", os.path.basename(mid),
              "-F", "qcow2", top],
             ["qemu-io", "-f", "qcow2", "-c", "write -P 0x33 2M 3M", top]]
    for args in steps:
        r = harness.run(args)
        if r.rc != 0:
            return r.describe()
    return None


def main():
    tap = harness.TAP()
    if os.environ.get("VGM_TEST_URI"):
        harness.TAP.skip_all("the block chain test runs against our own daemon")
    if not os.access(harness.VIRSH, os.X_OK):
        harness.TAP.skip_all("virsh is not installed (Debian package libvirt-clients)")
    work = tempfile.mkdtemp(prefix="vgm-blockchain-")
    for names in (("base.raw", "mid.qcow2", "top.qcow2"),
                  ("base2.raw", "mid2.qcow2", "top2.qcow2"),
                  ("base3.raw", "mid3.qcow2", "top3.qcow2"),
                  ("base4.raw", "mid4.qcow2", "top4.qcow2"),
                  ("base5.raw", "mid5.qcow2", "top5.qcow2")):
        err = make_chain(*[os.path.join(work, n) for n in names])
        if err:
            harness.TAP.skip_all("qemu-img / qemu-io failed: " + err)
    for top, ref in (("top.qcow2", "ref.raw"), ("top2.qcow2", "ref2.raw"),
                     ("top3.qcow2", "ref3.raw"), ("top4.qcow2", "ref4.raw"),
                     ("top5.qcow2", "ref5.raw")):
        r = img("convert", "-O", "raw", os.path.join(work, top), os.path.join(work, ref))
        if r.rc != 0:
            harness.TAP.skip_all("qemu-img convert failed: " + r.describe())
    target = harness.setup_target(need_virsh=True)
    try:
        harness.run_guarded(tap, run_tests, tap, target, work)
    finally:
        harness.virsh_cleanup(target.uri, [DOM])
        harness.finish_target(tap, target)
        subprocess.run(["rm", "-rf", work])
    sys.exit(tap.done())


def qemu_fds(target):
    return harness.qemu_open_files(target, DOM)


def run_tests(tap, target, work):
    import libvirt
    uri = target.uri
    w = lambda n: os.path.join(work, n)  # noqa: E731
    path = harness.write_file(work, DOM + ".xml", domain(work))
    r = harness.virsh(uri, "define", path)
    tap.ok(r.rc == 0, "define", r.describe())
    r = harness.virsh(uri, "start", DOM)
    tap.ok(r.rc == 0, "start", r.describe())

    from pyclienttest import quiet, start_event_loop
    libvirt.registerErrorHandler(quiet, None)
    start_event_loop()
    events = []
    conn = libvirt.open(uri)
    cb = conn.domainEventRegisterAny(
        None, libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
        lambda c, d, dst, typ, status, opaque: events.append((dst, typ, status)), None)

    def event(ev, what):
        end = time.monotonic() + 15
        while time.monotonic() < end and ev not in events:
            time.sleep(0.1)
        tap.ok(ev in events, what, repr(events))

    # ---- the live XML has each chain, its images numbered ----
    dom = conn.lookupByName(DOM)
    chains = live_chains(dom.XMLDesc(0))
    cfg = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    numbers = [n for c in chains.values() for _, n, _ in c]
    want = [w("top.qcow2"), w("mid.qcow2"), w("base.raw")]
    tap.ok([f for f, _, _ in chains.get("vda", [])] == want and
           chains["vda"][-1][2] and None not in numbers and len(set(numbers)) == len(numbers) and
           "mid.qcow2" not in cfg,
           "the live XML gives vda the chain QEMU opened (top, mid, base, then "
           "<backingStore/>), every image of every disk a number of its own "
           "(<source index>, <backingStore index>), as libvirt's does; the config has no chain",
           repr(chains) + cfg)
    top_n, mid_n, base_n = (n for _, n, _ in chains["vda"])
    vdb_mid = chains["vdb"][1][1]

    # ---- refusals ----
    refusals = [
        (["blockcommit", DOM, "vda"], "needs the active flag",
         "a commit of the active layer without --active"),
        (["blockcommit", DOM, "vda", "--active", "--top", w("mid.qcow2")],
         "is not its active layer", "--active with a top that is not the active layer"),
        (["blockcommit", DOM, "vda", "--top", w("base.raw")], "has no backing file",
         "a top without a backing file"),
        (["blockcommit", DOM, "vda", "--active", "--shallow", "--base", w("base.raw")],
         "not immediately below", "--shallow with a base not right below the top"),
        (["blockpull", DOM, "vda", "--base", w("nothere.qcow2")], "could not find image",
         "a base not in the chain"),
        (["blockpull", DOM, "vda", "--base", "vdb[%d]" % vdb_mid], "is not disk 'vda'",
         "an image index (libvirt's DST[N]) of another disk"),
        (["blockpull", DOM, "vda", "--base", "vda[%d]" % top_n], "could not find image index",
         "an image index of the top as the base of a pull"),
        (["blockcommit", DOM, "vda", "--top", "vda[9999]"], "could not find image index 9999",
         "an image index the chain does not have"),
    ]
    for args, text, what in refusals:
        r = harness.virsh(uri, *args)
        tap.ok(r.rc != 0 and text in r.err, "refused: " + what, r.describe())
    r = harness.virsh(uri, "blockjob", DOM, "vda", "--info")
    tap.ok(r.rc == 0 and "No current block job" in r.out and backing(w("top.qcow2")) ==
           "mid.qcow2", "the refusals started no job and left the chain", r.describe())
    try:
        dom.blockRebase("vda", None, 0, libvirt.VIR_DOMAIN_BLOCK_REBASE_RELATIVE)
        tap.ok(False, "a pull with RELATIVE and no base is refused")
    except libvirt.libvirtError as e:
        tap.ok(e.get_error_code() == libvirt.VIR_ERR_INVALID_ARG and "base" in str(e),
               "a pull with RELATIVE and no base is refused (INVALID_ARG)", str(e))

    # ---- a pull cancelled ----
    r = harness.virsh(uri, "blockpull", DOM, "vdb", "--bandwidth", "1", "--bytes")
    i = harness.virsh(uri, "blockjob", DOM, "vdb", "--info")
    sv = harness.virsh(uri, "save", DOM, w("saved.img"))
    dd = harness.virsh(uri, "detach-disk", DOM, "vdb", "--live")
    tap.ok(sv.rc != 0 and "cannot be saved while disk 'vdb' has a block job" in sv.err and
           not os.path.exists(w("saved.img")) and dd.rc != 0 and
           "disk 'vdb'" in dd.err and "cannot be detached" in dd.err,
           "while a pull runs, save and detach-disk of its disk are refused",
           sv.describe() + dd.describe())
    a = harness.virsh(uri, "blockjob", DOM, "vdb", "--abort")
    tap.ok(r.rc == 0 and "Block Pull" in (i.out + i.err) and a.rc == 0 and
           backing(w("top2.qcow2")) == "mid2.qcow2",
           "a pull at 1 byte/s, aborted: the chain is as it was",
           "\n".join(x.describe() for x in (r, i, a)))
    event(("vdb", libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_PULL,
           libvirt.VIR_DOMAIN_BLOCK_JOB_CANCELED), "an event says vdb's pull was CANCELED")

    # ---- commit of the middle image into the base, keeping names relative,
    # both named by their numbers (libvirt's vda[N]) ----
    r = harness.virsh(uri, "blockcommit", DOM, "vda", "--top", "vda[%d]" % mid_n, "--base",
                      "vda[%d]" % base_n, "--keep-relative", "--wait", timeout=120)
    ok, cmp = same(w("ref.raw"), w("top.qcow2"), uri)
    q = harness.virsh(uri, "qemu-monitor-command", DOM, '{"execute":"query-block"}').out
    after = live_chains(dom.XMLDesc(0)).get("vda", [])
    tap.ok(r.rc == 0 and ok and backing(w("top.qcow2")) == "base.raw" and
           "mid.qcow2" not in q,
           "blockcommit --top vda[MID] --base vda[BASE] --keep-relative: top records "
           "'base.raw', reads the same, QEMU's chain has no mid", r.describe() + cmp.describe())
    tap.ok(after == [(w("top.qcow2"), top_n, False), (w("base.raw"), base_n, True)],
           "the live XML's chain of vda loses mid; top and base keep their numbers",
           repr(after))
    event(("vda", libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_COMMIT,
           libvirt.VIR_DOMAIN_BLOCK_JOB_COMPLETED), "an event says vda's commit COMPLETED")

    # ---- pull of everything into the top ----
    r = harness.virsh(uri, "blockpull", DOM, "vda", "--wait", timeout=120)
    ok, cmp = same(w("ref.raw"), w("top.qcow2"), uri)
    tap.ok(r.rc == 0 and ok and backing(w("top.qcow2")) is None,
           "blockpull --wait: the top has no backing file and reads the same",
           r.describe() + cmp.describe())
    event(("vda", libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_PULL,
           libvirt.VIR_DOMAIN_BLOCK_JOB_COMPLETED), "an event says vda's pull COMPLETED")

    # ---- pull onto a base, in a chain given as <backingStore> ----
    r = harness.virsh(uri, "blockpull", DOM, "vdb", "--base", w("base2.raw"),
                      "--keep-relative", "--wait", timeout=120)
    ok, cmp = same(w("ref2.raw"), w("top2.qcow2"), uri)
    live = dom.XMLDesc(0)
    cfg = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    tap.ok(r.rc == 0 and ok and backing(w("top2.qcow2")) == "base2.raw",
           "blockpull vdb --base base2 --keep-relative: top2 records 'base2.raw', reads the same",
           r.describe() + cmp.describe())
    tap.ok(w("mid2.qcow2") not in live and "<source file='%s'/>" % w("base2.raw") in live and
           w("mid2.qcow2") not in cfg and "<source file='%s'/>" % w("base2.raw") in cfg,
           "the live XML's and the config's <backingStore> lose mid2 and keep base2",
           live + cfg)

    # ---- domstats: each top's number, and with --backing a record of
    # each image below (libvirt's layout, checked against libvirtd 9.0) ----
    live = live_chains(dom.XMLDesc(0))
    st = stats_records(harness.virsh(uri, "domstats", DOM, "--block").out)
    stb = stats_records(harness.virsh(uri, "domstats", DOM, "--block", "--backing").out)
    tops = [(r_.get("name"), r_.get("path"), r_.get("backingIndex")) for r_ in st]
    want = [(t, c[0][0], str(c[0][1])) for t, c in sorted(live.items())]
    chained = [(r_.get("name"), r_.get("path"), r_.get("backingIndex")) for r_ in stb]
    want_b = [(t, f, str(n)) for t, c in sorted(live.items()) for f, n, _ in c]
    tap.ok(sorted(tops) == want and sorted(chained) == sorted(want_b) and
           all("capacity" in r_ and "physical" in r_ for r_ in stb),
           "domstats --block gives each disk's top its number (block.N.backingIndex); "
           "--backing adds a record of each image below, with its number, capacity and "
           "physical size (VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING, ignored before)",
           repr((tops, want, chained, want_b)))

    # ---- a write threshold on an image below the top, by its number: the
    # commit that writes into it raises libvirt's event of vdc[N] only ----
    thresholds = []
    tcb = conn.domainEventRegisterAny(
        None, libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD,
        lambda c, d, dev, path, threshold, excess, opaque:
        thresholds.append((dev, path, threshold)), None)
    base3_n = [n for f, n, _ in live["vdc"] if f == w("base3.raw")][0]
    dom.setBlockThreshold("vdc[%d]" % base3_n, 512 * 1024, 0)
    stb = stats_records(harness.virsh(uri, "domstats", DOM, "--block", "--backing").out)
    tap.ok([r_.get("threshold") for r_ in stb if r_.get("path") == w("base3.raw")] ==
           [str(512 * 1024)],
           "setBlockThreshold of vdc[N], the image below (refused before): domstats --backing "
           "shows it in base3's record", repr(stb))

    # ---- commit of an image in the middle of a chain given as <backingStore>
    # (QEMU names such an image json:{...}: the job names its node) ----
    r = harness.virsh(uri, "blockcommit", DOM, "vdc", "--top", w("mid3.qcow2"), "--base",
                      w("base3.raw"), "--keep-relative", "--delete", "--wait", timeout=120)
    ok, cmp = same(w("ref3.raw"), w("top3.qcow2"), uri)
    live = dom.XMLDesc(0)
    cfg = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    vdc_live = live.split("<target dev='vdc'")[0].rsplit("<disk", 1)[1]
    vdc_cfg = cfg.split("<target dev='vdc'")[0].rsplit("<disk", 1)[1]
    fds = qemu_fds(target)
    tap.ok(r.rc == 0 and ok and backing(w("top3.qcow2")) == "base3.raw" and
           "mid3.qcow2" not in vdc_live and "<source file='%s'/>" % w("base3.raw") in vdc_live and
           "mid3.qcow2" not in vdc_cfg and "<source file='%s'/>" % w("base3.raw") in vdc_cfg and
           fds is not None and w("mid3.qcow2") not in fds and w("top3.qcow2") in fds,
           "blockcommit vdc --top mid3 (a <backingStore> layer) --base base3 --keep-relative: "
           "top3 records 'base3.raw', reads the same; the live XML, the config and QEMU's open "
           "files lose mid3", r.describe() + cmp.describe() + vdc_live + vdc_cfg + repr(fds))
    end = time.monotonic() + 15
    while time.monotonic() < end and not thresholds:
        time.sleep(0.1)
    time.sleep(0.5)
    conn.domainEventDeregisterAny(tcb)
    tap.ok(thresholds == [("vdc[%d]" % base3_n, w("base3.raw"), 512 * 1024)],
           "the commit wrote into base3 past its threshold: one BLOCK_THRESHOLD event, of "
           "vdc[N] with base3's path, as libvirt raises it for an image named by its number",
           repr(thresholds))
    tap.ok(not os.path.exists(w("mid3.qcow2")) and os.path.exists(w("top3.qcow2")) and
           os.path.exists(w("base3.raw")) and os.path.exists(w("mid.qcow2")),
           "--delete (VIR_DOMAIN_BLOCK_COMMIT_DELETE) deleted mid3, the image the commit "
           "emptied, and no other (vda's mid, committed without it, is still there)",
           repr(sorted(os.listdir(work))))

    # ---- active commit, then pivot ----
    r = harness.virsh(uri, "blockcommit", DOM, "vdb", "--active", "--delete")
    info = None
    end = time.monotonic() + 60
    while time.monotonic() < end:
        info = dom.blockJobInfo("vdb", 0)
        if info and info["cur"] == info["end"]:
            break
        time.sleep(0.2)
    i = harness.virsh(uri, "blockjob", DOM, "vdb", "--info")
    tap.ok(r.rc == 0 and info and
           info["type"] == libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT and
           info["cur"] == info["end"] and "Active Block Commit" in (i.out + i.err),
           "blockcommit vdb --active: an active commit job that becomes ready",
           r.describe() + i.describe() + repr(info))
    event(("vdb", libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT,
           libvirt.VIR_DOMAIN_BLOCK_JOB_READY), "an event says vdb's active commit is READY")
    live = dom.XMLDesc(0)
    tap.ok("<mirror type='file' job='active-commit' ready='yes'>" in live and
           "<source file='%s'/>" % w("base2.raw") in live.split("<mirror")[1],
           "the live XML has libvirt's <mirror job='active-commit' ready='yes'> on base2", live)
    r = harness.virsh(uri, "blockjob", DOM, "vdb", "--pivot")
    live = dom.XMLDesc(0)
    cfg = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    q = harness.virsh(uri, "qemu-monitor-command", DOM, '{"execute":"query-block"}').out
    fds = qemu_fds(target)
    ok, cmp = same(w("ref2.raw"), w("base2.raw"), uri)
    vdb_live = live.split("<target dev='vdb'")[0].rsplit("<disk", 1)[1]
    vdb_cfg = cfg.split("<target dev='vdb'")[0].rsplit("<disk", 1)[1]
    tap.ok(r.rc == 0 and ok and "<mirror" not in live and
           re.search(r"<source file='%s' index='\d+'/>" % re.escape(w("base2.raw")), vdb_live) and
           "top2.qcow2" not in vdb_live and "<driver name='qemu' type='raw'/>" in vdb_live and
           "<backingStore/>" in vdb_live,
           "blockjob --pivot: the live disk is base2.raw (raw, <backingStore/>), which reads as "
           "the disk did", r.describe() + vdb_live + cmp.describe())
    tap.ok("<source file='%s'/>" % w("base2.raw") in vdb_cfg and "top2.qcow2" not in vdb_cfg,
           "the config's vdb is base2.raw too", vdb_cfg)
    tap.ok("top2.qcow2" not in q and fds is not None and w("top2.qcow2") not in fds and
           w("base2.raw") in fds, "QEMU uses base2.raw and no longer has top2.qcow2 open",
           repr(fds))
    tap.ok(not os.path.exists(w("top2.qcow2")) and os.path.exists(w("base2.raw")),
           "the active commit's --delete deleted top2, the image the pivot left, and not base2",
           repr(sorted(os.listdir(work))))
    event(("vdb", libvirt.VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT,
           libvirt.VIR_DOMAIN_BLOCK_JOB_COMPLETED),
          "an event says vdb's active commit COMPLETED")

    # ---- a disk plugged: its chain and numbers in the live XML, a commit
    # of it by number with --delete ----
    r = harness.virsh(uri, "attach-disk", DOM, w("top4.qcow2"), "vdd", "--subdriver", "qcow2",
                      "--live")
    chains = live_chains(dom.XMLDesc(0))
    numbers = [n for c in chains.values() for _, n, _ in c]
    vdd = chains.get("vdd", [])
    tap.ok(r.rc == 0 and [f for f, _, _ in vdd] == [w("top4.qcow2"), w("mid4.qcow2"),
                                                    w("base4.raw")] and
           vdd[-1][2] and None not in numbers and len(set(numbers)) == len(numbers),
           "attach-disk --live of a qcow2 chain: the live XML has the chain QEMU opened below "
           "it, its images numbered apart from every other disk's", r.describe() + repr(chains))
    if len(vdd) == 3:
        r = harness.virsh(uri, "blockcommit", DOM, "vdd", "--top", "vdd[%d]" % vdd[1][1],
                          "--delete", "--wait", timeout=120)
        ok, cmp = same(w("ref4.raw"), w("top4.qcow2"), uri)
        tap.ok(r.rc == 0 and ok and not os.path.exists(w("mid4.qcow2")) and
               [f for f, _, _ in live_chains(dom.XMLDesc(0)).get("vdd", [])] ==
               [w("top4.qcow2"), w("base4.raw")],
               "blockcommit --top vdd[MID] --delete of the plugged disk: it reads the same, "
               "mid4 is gone from the chain and the host", r.describe() + cmp.describe())

    # ---- a disk plugged with numbers of its own in its XML: not taken ----
    top6 = w("top6.qcow2")
    img("create", "-q", "-f", "qcow2", "-b", w("base3.raw"), "-F", "raw", top6)
    dev = harness.write_file(work, "vdf.xml", """<disk type='file' device='disk'>
  <driver name='qemu' type='qcow2'/>
  <source file='%s' index='4294967295'/>
  <backingStore type='file' index='4294967294'>
    <format type='raw'/><source file='%s'/><backingStore/>
  </backingStore>
  <target dev='vdf' bus='virtio'/>
</disk>""" % (top6, w("base3.raw")))
    r = harness.virsh(uri, "attach-device", DOM, dev, "--live")
    chains = live_chains(dom.XMLDesc(0))
    numbers = [n for c in chains.values() for _, n, _ in c]
    tap.ok(r.rc == 0 and [f for f, _, _ in chains.get("vdf", [])] == [top6, w("base3.raw")] and
           None not in numbers and len(set(numbers)) == len(numbers) and
           max(numbers) < 1000,
           "attach-device --live of a disk whose XML numbers its images: the driver's own "
           "numbers, apart from every other disk's", r.describe() + repr(chains))

    conn.domainEventDeregisterAny(cb)
    conn.close()

    # ---- the domain starts again from its changed config ----
    d = harness.virsh(uri, "destroy", DOM)
    s = harness.virsh(uri, "start", DOM)
    bl = harness.virsh(uri, "domblklist", DOM)
    tap.ok(d.rc == 0 and s.rc == 0 and w("base2.raw") in bl.out,
           "destroy and start: vdb runs on base2.raw", s.describe() + bl.describe())

    # ---- a copy-on-read disk's chain (QEMU shows its filter as an image
    # above the top), and a save and restore from that live XML ----
    cor = [w("top5.qcow2"), w("mid5.qcow2"), w("base5.raw")]
    before = live_chains(harness.virsh(uri, "dumpxml", DOM).out).get("vde", [])
    sv = harness.virsh(uri, "save", DOM, w("saved.img"), timeout=120)
    rs = harness.virsh(uri, "restore", w("saved.img"), timeout=120)
    after = live_chains(harness.virsh(uri, "dumpxml", DOM).out).get("vde", [])
    tap.ok([f for f, _, _ in before] == cor and sv.rc == 0 and rs.rc == 0 and
           [f for f, _, _ in after] == cor and
           harness.virsh(uri, "domstate", DOM).out.strip() == "running",
           "a copy-on-read disk: the live XML has its chain once (not the top below itself), "
           "and the domain saved with that XML restores and runs",
           repr((before, after)) + sv.describe() + rs.describe())

    # ---- the jobs of a copy-on-read disk: QEMU's filter stays over
    # the disk's top, whichever image a job leaves there ----
    import xml.etree.ElementTree as ET
    live = ET.fromstring(harness.virsh(uri, "dumpxml", DOM).out)
    targets = [d.find("target").get("dev") for d in live.iter("disk")]
    alias = [d.find("alias").get("name") for d in live.iter("disk")
             if d.find("target").get("dev") == "vde"][0]

    def cor_top():
        """(the driver of the node vde's device reads, the file and
        format of the image below it) as QEMU has them"""
        for b in harness.qmp(target.root, DOM, "query-block").get("return", []):
            if "/%s/" % alias not in b.get("qdev", "") or "inserted" not in b:
                continue
            below = b["inserted"]["image"].get("backing-image", {})
            name = below.get("filename", "")
            if name.startswith("json:"):
                name = json.loads(name[5:]).get("file", {}).get("filename")
            return (b["inserted"]["drv"], name, below.get("format"))
        return None

    r = harness.virsh(uri, "blockcommit", DOM, "vde", "--active", "--shallow", "--wait",
                      "--pivot", timeout=120)
    ok, cmp = same(w("ref5.raw"), w("mid5.qcow2"), uri)
    tap.ok(r.rc == 0 and cor_top() == ("copy-on-read", w("mid5.qcow2"), "qcow2") and ok and
           [f for f, _, _ in live_chains(harness.virsh(uri, "dumpxml", DOM).out)["vde"]] ==
           [w("mid5.qcow2"), w("base5.raw")],
           "blockcommit --active --shallow --pivot of a copy-on-read disk: the disk is on mid5, which "
           "reads as it did, QEMU's copy-on-read filter still over it",
           r.describe() + repr(cor_top()) + cmp.describe())
    r = harness.virsh(uri, "blockpull", DOM, "vde", "--wait", timeout=120)
    ok, cmp = same(w("ref5.raw"), w("mid5.qcow2"), uri)
    tap.ok(r.rc == 0 and backing(w("mid5.qcow2")) is None and ok and
           cor_top() == ("copy-on-read", w("mid5.qcow2"), "qcow2"),
           "blockpull of a copy-on-read disk: mid5 has no backing file and reads the same, "
           "the filter still over it", r.describe() + repr(cor_top()) + cmp.describe())
    specs = ["--diskspec", "vde,file=%s" % w("ov5.qcow2")]
    for dst in (t for t in targets if t != "vde"):
        specs += ["--diskspec", "%s,snapshot=no" % dst]
    r = harness.virsh(uri, "snapshot-create-as", DOM, "cor", "--disk-only", "--no-metadata",
                      *specs)
    tap.ok(r.rc == 0 and cor_top() == ("copy-on-read", w("ov5.qcow2"), "qcow2") and
           backing(w("ov5.qcow2")) == w("mid5.qcow2"),
           "an external snapshot of a copy-on-read disk: the overlay goes below the filter",
           r.describe() + repr(cor_top()))
    r = harness.virsh(uri, "blockcommit", DOM, "vde", "--active", "--shallow", "--wait",
                      "--pivot", timeout=120)
    rs = harness.virsh(uri, "blockresize", DOM, "vde", "48M")
    info = harness.virsh(uri, "domblkinfo", DOM, "vde")
    tap.ok(r.rc == 0 and rs.rc == 0 and "Capacity:       50331648" in info.out and
           cor_top() == ("copy-on-read", w("mid5.qcow2"), "qcow2"),
           "a commit of that overlay, then blockresize of the copy-on-read disk: 48 MiB",
           r.describe() + rs.describe() + info.describe() + repr(cor_top()))


if __name__ == "__main__":
    main()
