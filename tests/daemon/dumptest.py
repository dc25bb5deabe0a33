#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""dumptest: core dumps of a running domain through the daemon (virsh dump,
python3-libvirt's coreDumpWithFormat), with Debian's virsh 9.0 and
python3-libvirt (TAP; our daemon only).

The domain: type 'qemu', 128 MiB, no OS (SeaBIOS waits for one), no disk.

What it covers:
  * virsh dump --memory-only: an ELF core file (ET_CORE) whose PT_LOAD
    segments hold the guest's 128 MiB; the domain runs on, and the guest
    was paused around it (SUSPENDED then RESUMED events, reason unpaused
    afterwards);
  * --memory-only --format kdump-zlib: a kdump-compressed file;
  * virsh dump (no --memory-only): QEMU's migration stream (its QEVM
    magic);
  * --live: no pause (no events), the domain runs on; --bypass-cache
    writes it too;
  * refused with the reason, the file at the path left as it was: a
    format this QEMU lacks (kdump-lzo), a format without
    --memory-only (python3-libvirt, past virsh's own check), a directory
    that does not exist; a dump of a shut-off domain;
  * the read-only socket refuses a dump;
  * --crash: the dump is written, then the domain is shut off (crashed),
    with a STOPPED event of detail CRASHED.
"""

import os
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DOM = "vgmtest-dump"
MIB = 1024 * 1024


def domain():
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memballoon model='none'/>
  </devices>
</domain>""" % DOM


def elf_core_load_bytes(path):
    """(is an ELF core file, total size of its PT_LOAD segments)"""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2:
                return False, 0
            e_type = struct.unpack_from("<H", head, 16)[0]
            phoff = struct.unpack_from("<Q", head, 32)[0]
            phentsize, phnum = struct.unpack_from("<HH", head, 54)
            total = 0
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                ph = f.read(phentsize)
                p_type = struct.unpack_from("<I", ph, 0)[0]
                p_filesz = struct.unpack_from("<Q", ph, 32)[0]
                if p_type == 1:
                    total += p_filesz
            return e_type == 4, total
    except OSError:
        return False, 0


def magic(path, n):
    try:
        with open(path, "rb") as f:
            return f.read(n)
    except OSError:
        return b""


def main():
    tap = harness.TAP()
    if os.environ.get("VGM_TEST_URI"):
        harness.TAP.skip_all("the dump test runs against our own daemon")
    if not os.access(harness.VIRSH, os.X_OK):
        harness.TAP.skip_all("virsh is not installed (Debian package libvirt-clients)")
    work = tempfile.mkdtemp(prefix="vgm-dump-")
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
    w = lambda n: os.path.join(work, n)  # noqa: E731
    path = harness.write_file(work, DOM + ".xml", domain())
    r = harness.virsh(uri, "define", path)
    tap.ok(r.rc == 0, "define", r.describe())
    r = harness.virsh(uri, "dump", DOM, w("off.core"), "--memory-only")
    tap.ok(r.rc != 0 and "not running" in r.err and not os.path.exists(w("off.core")),
           "a dump of a shut-off domain is refused", r.describe())
    r = harness.virsh(uri, "start", DOM)
    tap.ok(r.rc == 0, "start", r.describe())

    from pyclienttest import quiet, start_event_loop
    libvirt.registerErrorHandler(quiet, None)
    start_event_loop()
    events = []
    conn = libvirt.open(uri)
    cb = conn.domainEventRegisterAny(
        None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        lambda c, d, ev, detail, opaque: events.append((ev, detail)), None)
    dom = conn.lookupByName(DOM)

    def wait_events(want, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end and events[:len(want)] != want:
            time.sleep(0.1)
        got = list(events)
        del events[:]
        return got

    # ---- memory-only ELF ----
    r = harness.virsh(uri, "dump", DOM, w("mem.core"), "--memory-only", timeout=120)
    is_core, loaded = elf_core_load_bytes(w("mem.core"))
    st = harness.virsh(uri, "domstate", DOM, "--reason")
    got = wait_events([(libvirt.VIR_DOMAIN_EVENT_SUSPENDED,
                        libvirt.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
                       (libvirt.VIR_DOMAIN_EVENT_RESUMED,
                        libvirt.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED)])
    tap.ok(r.rc == 0 and is_core and loaded >= 128 * MIB and loaded < 160 * MIB,
           "dump --memory-only: an ELF core file holding the guest's 128 MiB",
           "%s core %s, PT_LOAD bytes %d" % (r.describe(), is_core, loaded))
    tap.ok(st.out.strip() == "running (unpaused)" and
           got == [(libvirt.VIR_DOMAIN_EVENT_SUSPENDED, libvirt.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
                   (libvirt.VIR_DOMAIN_EVENT_RESUMED, libvirt.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED)],
           "the guest was paused around it and runs on (unpaused)", st.describe() + repr(got))

    # ---- kdump, the migration stream, live ----
    r = harness.virsh(uri, "dump", DOM, w("mem.kdump"), "--memory-only", "--format",
                      "kdump-zlib", timeout=120)
    tap.ok(r.rc == 0 and magic(w("mem.kdump"), 16).startswith(b"makedumpfile"),
           "dump --memory-only --format kdump-zlib: a (flattened) kdump file",
           r.describe() + repr(magic(w("mem.kdump"), 16)))
    wait_events([], timeout=1)
    r = harness.virsh(uri, "dump", DOM, w("state.dump"), timeout=120)
    tap.ok(r.rc == 0 and magic(w("state.dump"), 4) == b"QEVM" and
           harness.virsh(uri, "domstate", DOM).out.strip() == "running",
           "dump without --memory-only: QEMU's migration stream (QEVM), the domain runs on",
           r.describe() + repr(magic(w("state.dump"), 4)))
    wait_events([], timeout=1)
    r = harness.virsh(uri, "dump", DOM, w("live.core"), "--memory-only", "--live",
                      timeout=120)
    got = wait_events([], timeout=2)
    tap.ok(r.rc == 0 and elf_core_load_bytes(w("live.core"))[0] and got == [] and
           harness.virsh(uri, "domstate", DOM).out.strip() == "running",
           "dump --live: written without pausing the guest (no events)", r.describe() + repr(got))

    # ---- refusals ----
    with open(w("kept.core"), "w") as f:
        f.write("kept\n")

    def kept():
        with open(w("kept.core")) as f:
            return f.read() == "kept\n"
    r = harness.virsh(uri, "dump", DOM, w("kept.core"), "--memory-only", "--format",
                      "kdump-lzo")
    tap.ok(r.rc != 0 and "kdump-lzo" in r.err and kept(),
           "a format this QEMU lacks (kdump-lzo) is refused, the file there kept", r.describe())
    r = harness.virsh(uri, "dump", DOM, w("bypass.core"), "--memory-only", "--bypass-cache")
    tap.ok(r.rc == 0 and elf_core_load_bytes(w("bypass.core"))[0],
           "--bypass-cache: the dump is written (virshtest checks the page cache)", r.describe())
    for what, args, text in (
            ("a format without --memory-only",
             (w("kept.core"), libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB, 0), "memory-only"),
            ("a directory that does not exist",
             (w("nodir/x.core"), 0, libvirt.VIR_DUMP_MEMORY_ONLY), "nodir")):
        err = None
        try:
            dom.coreDumpWithFormat(*args)
        except libvirt.libvirtError as e:
            err = str(e)
        tap.ok(err is not None and text in err and kept() and
               dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING,
               "coreDumpWithFormat with %s is refused, nothing changed" % what, err)
    r = harness.virsh(target.ro_uri, "dump", DOM, w("ro.core"), "--memory-only")
    tap.ok(r.rc != 0 and not os.path.exists(w("ro.core")), "the read-only socket refuses a dump",
           r.describe())

    # ---- crash ----
    wait_events([], timeout=1)
    r = harness.virsh(uri, "dump", DOM, w("crash.core"), "--memory-only", "--crash",
                      timeout=120)
    st = harness.virsh(uri, "domstate", DOM, "--reason")
    got = wait_events([(libvirt.VIR_DOMAIN_EVENT_SUSPENDED,
                        libvirt.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
                       (libvirt.VIR_DOMAIN_EVENT_STOPPED,
                        libvirt.VIR_DOMAIN_EVENT_STOPPED_CRASHED)])
    tap.ok(r.rc == 0 and elf_core_load_bytes(w("crash.core"))[0] and
           st.out.strip() == "shut off (crashed)" and
           (libvirt.VIR_DOMAIN_EVENT_STOPPED, libvirt.VIR_DOMAIN_EVENT_STOPPED_CRASHED) in got,
           "dump --crash: written, then the domain is shut off (crashed), STOPPED CRASHED",
           r.describe() + st.describe() + repr(got))
    conn.domainEventDeregisterAny(cb)
    conn.close()


if __name__ == "__main__":
    main()
