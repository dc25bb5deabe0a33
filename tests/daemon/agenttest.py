#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""agenttest: the QEMU guest agent through the daemon, with Debian's virsh
9.0 and python3-libvirt against a guest that runs Debian's qemu-ga (TAP;
our daemon only).

The guest: Debian's kernel and a busybox initramfs with qemu-ga of
Debian's qemu-guest-agent package and its libraries (tests/guestkit.sh),
under TCG, with a virtio-net user interface (10.0.2.15/24), an ext2 data
disk vda mounted at /mnt/data and <channel type='unix'> for
org.qemu.guest_agent.0 without a path (the driver gives it one). Its /init
names the host "vgm-agent-guest", writes /etc/os-release, a tester user
and a chpasswd for busybox, and starts qemu-ga on the agent's virtio port.

What it covers, each checked against what the guest did or holds:
  * the live XML's <target state='connected'/> once qemu-ga runs;
  * virsh qemu-agent-command (libvirt's QEMU program): guest-ping, a
    command the agent lacks (its error), a request that is no JSON object;
    qemu-monitor-command, QMP and --hmp;
  * domtime: the guest's clock near the host's; --sync, --time T then
    reading T back;
  * domhostname (agent), domifaddr --source agent (eth0 with the domain's
    MAC and 10.0.2.15/24, lo), guestinfo --os/--hostname/--timezone/
    --filesystem/--disk/--interface and all types;
  * domfsinfo (/mnt/data on vda), domfsfreeze / domfsthaw (1 file system,
    the agent's fsfreeze-status in between), domfstrim;
  * snapshot-create-as --disk-only --quiesce refused by its checks: the
    guest is not frozen first (a file it just wrote is not in the image);
  * snapshot-create-as --disk-only --quiesce: a file the guest just wrote
    is in the old image (the agent's freeze wrote it out), the file
    system thawed after, vda on its new image;
  * set-user-password, plain and --encrypted: the guest's /etc/shadow
    (read through guest-file-open/-read) holds a hash of the password, or
    the hash given;
  * set-user-sshkeys (--reset, appending, --remove) and get-user-sshkeys,
    checked in the guest's authorized_keys;
  * guestvcpus, and a vCPU taken offline and back (the guest's sysfs);
    the same by count: setvcpus --guest, vcpucount --guest (--maximum);
  * guest-agent-timeout, and -3 refused;
  * three calls at once (the agent serves one client: they take turns);
  * errors and their libvirt codes: a domain without the agent's channel,
    a guest that never opened the port (VIR_ERR_AGENT_UNRESPONSIVE), a
    paused guest, agent interface addresses on the daemon's read-only
    socket;
  * dompmsuspend mem (libvirt's procedure 261): qemu-ga suspends the guest
    to RAM, the domain reads pmsuspended; dompmwakeup (267) wakes it and
    its agent answers again; virsh event sees pm-suspend, PMSuspended
    Memory, pm-wakeup and Started Wakeup; refused: a duration, a target
    the domain's <pm> disables, a wakeup of a guest not suspended;
  * reboot --mode agent: the guest boots again; shutdown --mode acpi
    leaves this guest (it has no ACPI daemon) running, plain shutdown goes
    through the agent (libvirt's default with a connected agent) and the
    domain shuts off.
Skips when the kernel or qemu-ga cannot be fetched or virsh is missing.
"""

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DOM = "vgmtest-agent"
NOAGENT = "vgmtest-agent-silent"
NOCHAN = "vgmtest-agent-none"
MAC = "52:54:00:5a:17:01"

INIT = r"""#!/bin/busybox sh
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin /etc /var/run /tmp /mnt/data /root
/bin/busybox --install -s
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for m in $(cat /mod/order); do insmod /mod/$m; done
hostname vgm-agent-guest
printf 'root:x:0:0:root:/root:/bin/sh\ntester:x:1000:1000::/home/tester:/bin/sh\n' > /etc/passwd
printf 'root:x:0:\ntester:x:1000:\n' > /etc/group
mkdir -p /home/tester && chown 1000:1000 /home/tester
printf 'root:*:19000:0:99999:7:::\ntester:*:19000:0:99999:7:::\n' > /etc/shadow
printf 'ID=vgmtest\nNAME="virt-gmem test guest"\nVERSION_ID=1.0\n' > /etc/os-release
# busybox has no chpasswd: "user:password" on stdin, -e: already a hash
cat > /usr/sbin/chpasswd <<'EOS'
#!/bin/busybox sh
IFS= read -r line
user=${line%%:*}
pw=${line#*:}
[ "$1" = "-e" ] || pw=$(mkpasswd -m sha512 "$pw")
sed -i "s|^$user:[^:]*:|$user:$pw:|" /etc/shadow
EOS
printf '#!/bin/busybox sh\ncase "$*" in *-r*) exec reboot -f ;; *) exec poweroff -f ;; esac\n' > /sbin/shutdown
chmod 755 /usr/sbin/chpasswd /sbin/shutdown
ip link set lo up
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0
# what the guest writes stays in its page cache until a sync (or the
# agent's freeze) writes it out, however slow the run
echo 360000 > /proc/sys/vm/dirty_expire_centisecs
mount -t ext2 /dev/vda /mnt/data && echo DATA-MOUNTED > /dev/ttyS0
port=
for d in /sys/class/virtio-ports/*; do
    [ "$(cat $d/name 2>/dev/null)" = org.qemu.guest_agent.0 ] && port=/dev/$(basename $d)
done
if ! grep -q vgm.noagent /proc/cmdline; then
    qemu-ga -m virtio-serial -p "$port" -t /var/run -d
    echo "AGENT-READY $port" > /dev/ttyS0
fi
while true; do sleep 1000; done
"""

MODULES = ["virtio_pci", "virtio_console", "virtio_net", "virtio_blk", "crc32c_generic", "ext4"]


def domain(name, kernel, initrd, work, extra_cmdline="", channel=True, disk=True):
    chan = ("<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/>"
            "</channel>") if channel else ""
    dsk = ("""<disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='%s/data.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>""" % work) if disk else ""
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet %s</cmdline>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    %s
    <interface type='user'>
      <mac address='%s'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'><source path='%s/%s.serial'/></serial>
    %s
    <memballoon model='none'/>
  </devices>
  <pm><suspend-to-mem enabled='yes'/><suspend-to-disk enabled='no'/></pm>
</domain>""" % (name, kernel, initrd, extra_cmdline, dsk, MAC, work, name, chan)


def wait_for(fn, seconds, step=0.5):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


def serial_count(work, name, marker):
    try:
        with open(os.path.join(work, name + ".serial"), "rb") as f:
            return f.read().count(marker.encode())
    except OSError:
        return 0


def guest_write(uri, path, data):
    """The guest agent writes @data into the guest's file @path (without
    a sync: it stays in the guest's page cache); its guest-file-write
    reply, or None when the file could not be opened."""
    h, _ = agent_json(uri, {"execute": "guest-file-open", "arguments": {"path": path, "mode": "w"}})
    if not h:
        return None
    wr, _ = agent_json(uri, {"execute": "guest-file-write", "arguments": {
        "handle": h["return"], "buf-b64": base64.b64encode(data).decode()}})
    agent_json(uri, {"execute": "guest-file-close", "arguments": {"handle": h["return"]}})
    return wr


def agent_json(uri, request, *extra):
    r = harness.virsh(uri, "qemu-agent-command", DOM, json.dumps(request), *extra)
    if r.rc != 0:
        return None, r
    try:
        return json.loads(r.out), r
    except ValueError:
        return None, r


def guest_file(uri, path):
    """The guest's file @path, read through the agent (bytes or None)."""
    h, _ = agent_json(uri, {"execute": "guest-file-open", "arguments": {"path": path}})
    if not h:
        return None
    data = b""
    while True:
        r, _ = agent_json(uri, {"execute": "guest-file-read",
                                "arguments": {"handle": h["return"], "count": 65536}})
        if not r:
            break
        data += base64.b64decode(r["return"].get("buf-b64", ""))
        if r["return"].get("eof") or not r["return"].get("count"):
            break
    agent_json(uri, {"execute": "guest-file-close", "arguments": {"handle": h["return"]}})
    return data


def shadow_field(uri, user):
    data = guest_file(uri, "/etc/shadow") or b""
    for line in data.decode(errors="replace").splitlines():
        f = line.split(":")
        if f[0] == user and len(f) > 1:
            return f[1]
    return None


def main():
    tap = harness.TAP()
    if os.environ.get("VGM_TEST_URI"):
        harness.TAP.skip_all("the guest agent test runs against our own daemon")
    if not os.access(harness.VIRSH, os.X_OK):
        harness.TAP.skip_all("virsh is not installed (Debian package libvirt-clients)")
    work = tempfile.mkdtemp(prefix="vgm-agent-")
    kernel, initrd = harness.guest_kit(work, INIT, tag="agent", modules=MODULES, agent=True)
    if kernel is None:
        harness.TAP.skip_all(initrd)
    img = os.path.join(work, "data.img")
    with open(img, "wb") as f:
        f.truncate(16 * 1024 * 1024)
    r = harness.run(["/usr/sbin/mkfs.ext2", "-q", "-F", img])
    if r.rc != 0:
        harness.TAP.skip_all("mkfs.ext2 (e2fsprogs) failed: " + r.describe())
    target = harness.setup_target(need_virsh=True)
    try:
        harness.run_guarded(tap, run_tests, tap, target, kernel, initrd, work)
    finally:
        harness.virsh_cleanup(target.uri, [DOM, NOAGENT, NOCHAN])
        harness.finish_target(tap, target)
        subprocess.run(["rm", "-rf", work])
    sys.exit(tap.done())


def run_tests(tap, target, kernel, initrd, work):
    uri = target.uri
    for name, xml in ((DOM, domain(DOM, kernel, initrd, work)),
                      (NOAGENT, domain(NOAGENT, kernel, initrd, work, "vgm.noagent", disk=False)),
                      (NOCHAN, domain(NOCHAN, kernel, initrd, work, channel=False, disk=False))):
        path = harness.write_file(work, name + ".xml", xml)
        r = harness.virsh(uri, "define", path)
        tap.ok(r.rc == 0, "define " + name, r.describe())

    r = harness.virsh(uri, "start", DOM)
    tap.ok(r.rc == 0, "the agent's guest starts", r.describe())
    ready = wait_for(lambda: serial_count(work, DOM, "AGENT-READY"), 180)
    tap.ok(ready, "the guest started qemu-ga (its serial console says so)")
    tap.ok(serial_count(work, DOM, "DATA-MOUNTED"), "the guest mounted its ext2 data disk")

    # ---- the port, as QEMU reports the guest opened it ----
    def connected():
        x = harness.virsh(uri, "dumpxml", DOM).out
        return re.search(r"name='org.qemu.guest_agent.0' state='connected'", x)
    tap.ok(wait_for(connected, 30), "the live XML says the agent's port is connected")

    # ---- qemu-agent-command and qemu-monitor-command ----
    ping = wait_for(lambda: agent_json(uri, {"execute": "guest-ping"})[0], 30, step=1)
    tap.eq(ping, {"return": {}}, "qemu-agent-command guest-ping returns {} from qemu-ga")
    _, r = agent_json(uri, {"execute": "guest-no-such-command"})
    tap.ok(r.rc != 0 and "guest-no-such-command" in r.err and "not been found" in r.err,
           "an agent command qemu-ga lacks fails with its error", r.describe())
    r = harness.virsh(uri, "qemu-agent-command", DOM, "[1,2]")
    tap.ok(r.rc != 0 and "not a JSON object" in r.err,
           "a request that is not a JSON object is refused by name", r.describe())
    r = harness.virsh(uri, "qemu-monitor-command", DOM, '{"execute":"query-status"}')
    tap.ok(r.rc == 0 and json.loads(r.out or "{}").get("return", {}).get("status") == "running",
           "qemu-monitor-command query-status: QEMU's reply", r.describe())
    r = harness.virsh(uri, "qemu-monitor-command", DOM, '{"execute":"no-such"}')
    tap.ok(r.rc == 0 and json.loads(r.out or "{}").get("error", {}).get("class") == "CommandNotFound",
           "qemu-monitor-command hands QEMU's error reply back, as libvirt does", r.describe())
    r = harness.virsh(uri, "qemu-monitor-command", DOM, "--hmp", "info status")
    tap.ok(r.rc == 0 and "VM status: running" in r.out, "qemu-monitor-command --hmp 'info status'",
           r.describe())

    # ---- time ----
    def guest_time():
        r = harness.virsh(uri, "domtime", DOM)
        m = re.search(r"Time: (\d+)", r.out)
        return int(m.group(1)) if m else None
    r = harness.virsh(uri, "domtime", DOM, "--sync")
    tap.ok(r.rc == 0, "domtime --sync", r.describe())
    t = guest_time()
    tap.ok(t is not None and abs(t - time.time()) < 120,
           "domtime: the guest's clock (%s) is near the host's (%d)" % (t, time.time()))
    r = harness.virsh(uri, "domtime", DOM, "--time", "1893456000")
    t = guest_time()
    tap.ok(r.rc == 0 and t is not None and 1893456000 <= t < 1893456000 + 60,
           "domtime --time 1893456000, then the guest reads %s" % t, r.describe())

    # ---- names and addresses ----
    r = harness.virsh(uri, "domhostname", DOM)
    tap.eq(r.out.strip(), "vgm-agent-guest", "domhostname: the guest's host name from the agent")
    r = harness.virsh(uri, "domhostname", DOM, "--source", "agent")
    tap.eq(r.out.strip(), "vgm-agent-guest", "domhostname --source agent")
    r = harness.virsh(uri, "domifaddr", DOM, "--source", "agent")
    tap.ok(r.rc == 0 and re.search(r"eth0\s+%s\s+ipv4\s+10\.0\.2\.15/24" % MAC, r.out) and
           re.search(r"lo\s+00:00:00:00:00:00\s+ipv4\s+127\.0\.0\.1/8", r.out),
           "domifaddr --source agent: eth0 with the domain's MAC and 10.0.2.15/24, lo",
           r.describe())

    # ---- file systems ----
    r = harness.virsh(uri, "domfsinfo", DOM)
    tap.ok(r.rc == 0 and re.search(r"/mnt/data\s+vda\s+ext2\s+vda", r.out),
           "domfsinfo: /mnt/data, ext2, on the domain's disk vda", r.describe())
    r = harness.virsh(uri, "domfsfreeze", DOM)
    st, _ = agent_json(uri, {"execute": "guest-fsfreeze-status"})
    tap.ok(r.rc == 0 and "Froze 1 filesystem(s)" in r.out and st == {"return": "frozen"},
           "domfsfreeze froze 1 file system; the agent says frozen", "%s %s" % (r.describe(), st))
    r = harness.virsh(uri, "domfsthaw", DOM)
    st, _ = agent_json(uri, {"execute": "guest-fsfreeze-status"})
    tap.ok(r.rc == 0 and "Thawed 1 filesystem(s)" in r.out and st == {"return": "thawed"},
           "domfsthaw thawed it; the agent says thawed", "%s %s" % (r.describe(), st))
    r = harness.virsh(uri, "domfsthaw", DOM, "--mountpoint", "/mnt/data")
    tap.ok(r.rc != 0 and "mount points cannot be named" in r.err,
           "domfsthaw of a named mount point is refused (qemu-ga thaws all)", r.describe())
    r = harness.virsh(uri, "domfstrim", DOM)
    tap.ok(r.rc == 0, "domfstrim", r.describe())
    # a quiesced snapshot its checks refuse (its new image exists
    # already) does not freeze the guest first: a file the guest has just
    # written stays in its page cache, out of the image (a freeze would
    # have written it out)
    wr = guest_write(uri, "/mnt/data/unfrozen.txt", b"never frozen out\n")
    taken = harness.write_file(work, "data.taken", "not empty\n")
    r = harness.virsh(uri, "snapshot-create-as", DOM, "q0", "--disk-only", "--quiesce",
                      "--no-metadata", "--diskspec", "vda,file=%s" % taken)
    cat = harness.run(["debugfs", "-c", "-R", "cat /unfrozen.txt",
                       os.path.join(work, "data.img")])
    tap.ok(wr is not None and r.rc == 1 and "exists already" in r.err and
           "never frozen out" not in cat.out,
           "snapshot-create-as --quiesce refused by its checks (its new image exists): the "
           "guest was not frozen for it (its file just written is not in the image yet)",
           "%r %s %s" % (wr, r.describe(), cat.describe()))
    # a quiesced disk-only snapshot: the agent freezes the file system
    # (which writes out what the guest caches) before vda moves onto a
    # new image, and thaws it after; the guest's file just written is in
    # the old image then, where without the freeze it would still be in
    # the guest's page cache
    wr = guest_write(uri, "/mnt/data/quiesced.txt", b"written before the freeze\n")
    r = harness.virsh(uri, "snapshot-create-as", DOM, "q1", "--disk-only", "--quiesce",
                      "--no-metadata", "--diskspec", "vda,file=%s/data.q1" % work)
    st, _ = agent_json(uri, {"execute": "guest-fsfreeze-status"})
    cat = harness.run(["debugfs", "-c", "-R", "cat /quiesced.txt", os.path.join(work, "data.img")])
    src = re.search(r"<source file='([^']*)'", harness.virsh(uri, "dumpxml", DOM).out)
    tap.ok(wr is not None and r.rc == 0 and st == {"return": "thawed"} and
           "written before the freeze" in cat.out and src and src.group(1) == work + "/data.q1",
           "snapshot-create-as --disk-only --quiesce: the guest's file is in the old image "
           "(the freeze wrote it out), the file system thawed after, vda on the new image",
           "%r %s %s %s" % (wr, r.describe(), st, cat.describe()))

    # ---- guest info ----
    def guestinfo(*args):
        r = harness.virsh(uri, "guestinfo", DOM, *args)
        out = {}
        for line in r.out.splitlines():
            k, sep, v = line.partition(":")
            if sep:
                out[k.strip()] = v.strip()
        return r, out
    r, gi = guestinfo("--os")
    tap.ok(gi.get("os.id") == "vgmtest" and gi.get("os.name") == "virt-gmem test guest" and
           "os.kernel-release" in gi and "hostname" not in gi,
           "guestinfo --os: the guest's /etc/os-release and kernel, nothing else", r.describe())
    r, gi = guestinfo("--hostname", "--timezone")
    tap.ok(gi.get("hostname") == "vgm-agent-guest" and gi.get("timezone.offset") == "0",
           "guestinfo --hostname --timezone", r.describe())
    r, gi = guestinfo("--filesystem")
    tap.ok(gi.get("fs.count") == "1" and gi.get("fs.0.mountpoint") == "/mnt/data" and
           gi.get("fs.0.fstype") == "ext2" and gi.get("fs.0.disk.0.alias") == "vda" and
           int(gi.get("fs.0.total-bytes", "0")) > 10 * 1024 * 1024,
           "guestinfo --filesystem: /mnt/data on vda with its size", r.describe())
    r, gi = guestinfo("--disk")
    tap.ok(gi.get("disk.count") == "1" and gi.get("disk.0.name") == "/dev/vda" and
           gi.get("disk.0.alias") == "vda", "guestinfo --disk: /dev/vda is the domain's vda",
           r.describe())
    r, gi = guestinfo("--interface")
    names = [gi.get("if.%d.name" % i) for i in range(int(gi.get("if.count", "0")))]
    tap.ok("eth0" in names and "lo" in names and MAC in gi.values(),
           "guestinfo --interface: lo and eth0 with the domain's MAC", r.describe())
    r, gi = guestinfo()
    tap.ok(r.rc == 0 and all(k in gi for k in ("user.count", "os.id", "timezone.offset",
                                                "hostname", "fs.count", "disk.count", "if.count")),
           "guestinfo with no type: every type", r.describe())

    # ---- passwords ----
    r = harness.virsh(uri, "set-user-password", DOM, "tester", "s3cret-pw")
    h = shadow_field(uri, "tester")
    ok = False
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt
        ok = bool(h) and h.startswith("$6$") and crypt.crypt("s3cret-pw", h) == h
    except ImportError:
        ok = bool(h) and h.startswith("$6$")
    tap.ok(r.rc == 0 and ok, "set-user-password: the guest's shadow holds a hash of the password",
           "%s shadow=%r" % (r.describe(), h))
    given = "$6$vgmsalt$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./abcdefghijklmn"
    r = harness.virsh(uri, "set-user-password", DOM, "tester", given, "--encrypted")
    tap.eq(shadow_field(uri, "tester"), given,
           "set-user-password --encrypted: the guest's shadow holds the hash given")

    # ---- two calls at once wait for each other, not for QEMU's queue ----
    procs = [subprocess.Popen([harness.VIRSH, "-c", uri, "domtime", DOM],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=harness.client_env()) for _ in range(3)]
    outs = [p.communicate(timeout=60) for p in procs]
    tap.ok(all(p.returncode == 0 for p in procs) and all(b"Time:" in o[0] for o in outs),
           "three domtime calls at once all get the guest's time",
           repr([(p.returncode, o[1][-200:]) for p, o in zip(procs, outs)]))

    # ---- ssh keys ----
    keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA%d vgm-key-%d" % (i, i) for i in range(3)]
    k01 = harness.write_file(work, "k01.pub", "\n".join(keys[:2]) + "\n")
    k2 = harness.write_file(work, "k2.pub", keys[2] + "\n")

    def sshkeys():
        # (virsh prints the keys as qemu-ga hands them over, without line
        # ends, last added first, as with libvirtd: read them as a list)
        import libvirt
        c = libvirt.open(uri)
        try:
            got = sorted(c.lookupByName(DOM).authorizedSSHKeysGet("tester", 0))
        except libvirt.libvirtError as e:
            got = [str(e)]
        c.close()
        r = harness.virsh(uri, "get-user-sshkeys", DOM, "tester")
        return r, got
    w = harness.virsh(uri, "set-user-sshkeys", DOM, "tester", "--reset", "--file", k01)
    r, got = sshkeys()
    auth = guest_file(uri, "/home/tester/.ssh/authorized_keys") or b""
    tap.ok(w.rc == 0 and r.rc == 0 and got == keys[:2] and
           sorted(auth.decode().split("\n")[:2]) == keys[:2],
           "set-user-sshkeys --reset: get-user-sshkeys and the guest's authorized_keys have "
           "the two keys", w.describe() + r.describe())
    w = harness.virsh(uri, "set-user-sshkeys", DOM, "tester", "--file", k2)
    r, got = sshkeys()
    tap.ok(w.rc == 0 and got == keys, "set-user-sshkeys appends a third", r.describe())
    w = harness.virsh(uri, "set-user-sshkeys", DOM, "tester", "--remove", "--file", k01)
    r, got = sshkeys()
    tap.ok(w.rc == 0 and got == keys[2:], "set-user-sshkeys --remove leaves the third",
           r.describe())

    # ---- the guest's vCPUs ----
    def guestvcpus():
        r = harness.virsh(uri, "guestvcpus", DOM)
        return r, dict((k.strip(), v.strip()) for k, _, v in
                       (line.partition(":") for line in r.out.splitlines()) if _)
    r, gv = guestvcpus()
    tap.ok(gv.get("vcpus") == "0-1" and gv.get("online") == "0-1" and "1" in gv.get("offlinable", ""),
           "guestvcpus: the guest's two vCPUs, online, the second offlinable", r.describe())
    w = harness.virsh(uri, "guestvcpus", DOM, "--cpulist", "1", "--disable")
    r, gv = guestvcpus()
    online = (guest_file(uri, "/sys/devices/system/cpu/cpu1/online") or b"").strip()
    tap.ok(w.rc == 0 and gv.get("online") == "0" and online == b"0",
           "guestvcpus --cpulist 1 --disable: the guest took vCPU 1 offline (its sysfs says 0)",
           w.describe() + r.describe() + repr(online))
    w = harness.virsh(uri, "guestvcpus", DOM, "--cpulist", "1", "--enable")
    r, gv = guestvcpus()
    tap.ok(w.rc == 0 and gv.get("online") == "0-1", "guestvcpus --enable brings it back",
           w.describe() + r.describe())
    w = harness.virsh(uri, "guestvcpus", DOM, "--cpulist", "5", "--enable")
    tap.ok(w.rc != 0 and "has no vCPU 5" in w.err, "a vCPU the guest lacks is refused by name",
           w.describe())
    # the same through the vCPU count (VIR_DOMAIN_VCPU_GUEST): virsh
    # vcpucount --guest and setvcpus --guest
    w = harness.virsh(uri, "setvcpus", DOM, "1", "--guest")
    c = harness.virsh(uri, "vcpucount", DOM, "--guest")
    online = (guest_file(uri, "/sys/devices/system/cpu/cpu1/online") or b"").strip()
    tap.ok(w.rc == 0 and c.out.strip() == "1" and online == b"0",
           "setvcpus 1 --guest: the guest takes vCPU 1 offline; vcpucount --guest says 1",
           w.describe() + c.describe() + repr(online))
    w = harness.virsh(uri, "setvcpus", DOM, "2", "--guest")
    c = harness.virsh(uri, "vcpucount", DOM, "--guest")
    m = harness.virsh(uri, "vcpucount", DOM, "--guest", "--maximum")
    tap.ok(w.rc == 0 and c.out.strip() == "2" and m.out.strip() == "2",
           "setvcpus 2 --guest brings it back; vcpucount --guest --maximum says 2",
           w.describe() + c.describe() + m.describe())
    w = harness.virsh(uri, "setvcpus", DOM, "3", "--guest")
    tap.ok(w.rc != 0 and "fewer than the 3" in w.err,
           "setvcpus 3 --guest, more than the guest has, is refused saying so", w.describe())

    # ---- the agent timeout ----
    r = harness.virsh(uri, "guest-agent-timeout", DOM, "--timeout", "10")
    t = guest_time()
    tap.ok(r.rc == 0 and t is not None, "guest-agent-timeout 10, and the agent still answers",
           r.describe())
    r = harness.virsh(uri, "guest-agent-timeout", DOM, "--timeout", "-3")
    tap.ok(r.rc != 0 and "-3" in r.err, "guest-agent-timeout -3 is refused", r.describe())

    # ---- errors, with libvirt's codes ----
    import libvirt
    libvirt.registerErrorHandler(lambda *a: None, None)
    conn = libvirt.open(uri)

    def fails(call, code, text, name):
        try:
            call()
            tap.ok(False, name, "no error")
        except libvirt.libvirtError as e:
            tap.ok(e.get_error_code() == code and text in str(e), name,
                   "%d %s" % (e.get_error_code(), e))
    harness.virsh(uri, "start", NOCHAN)
    fails(lambda: conn.lookupByName(NOCHAN).getTime(), libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED,
          "org.qemu.guest_agent.0",
          "getTime of a domain without the agent's channel: ARGUMENT_UNSUPPORTED, naming it")
    harness.virsh(uri, "destroy", NOCHAN)
    harness.virsh(uri, "start", NOAGENT)
    fails(lambda: conn.lookupByName(NOAGENT).getTime(), libvirt.VIR_ERR_AGENT_UNRESPONSIVE,
          "has not opened",
          "getTime of a guest without qemu-ga: AGENT_UNRESPONSIVE, saying the port is not open")
    harness.virsh(uri, "destroy", NOAGENT)
    harness.virsh(uri, "suspend", DOM)
    fails(lambda: conn.lookupByName(DOM).getTime(), libvirt.VIR_ERR_OPERATION_INVALID,
          "not running (it is paused)",
          "getTime of a paused guest: OPERATION_INVALID, saying it is paused")
    harness.virsh(uri, "resume", DOM)
    # (the daemon's read-only socket, opened as such: the client library
    # would refuse the call itself on a connection it opened read-only)
    ro = libvirt.open(target.ro_uri)
    fails(lambda: ro.lookupByName(DOM).interfaceAddresses(
              libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT),
          libvirt.VIR_ERR_OPERATION_DENIED, "read-only",
          "a read-only connection's agent interface addresses: OPERATION_DENIED")
    ro.close()
    conn.close()

    # ---- power management through the agent ----
    # (virsh 9.0's event lines: "event 'pm-suspend' for domain 'D'",
    # "event 'lifecycle' for domain 'D': PMSuspended Memory", "event
    # 'pm-wakeup' for domain 'D'", "... Started Event wakeup"; libvirt
    # sends each PM event before its lifecycle event)
    r = harness.virsh(uri, "dompmsuspend", DOM, "mem", "--duration", "5")
    tap.ok(r.rc == 1 and "duration" in r.err and
           harness.virsh(uri, "domstate", DOM).out.strip() == "running",
           "dompmsuspend mem --duration 5: refused (libvirt's QEMU driver takes 0 only)",
           r.describe())
    r = harness.virsh(uri, "dompmsuspend", DOM, "disk")
    tap.ok(r.rc == 1 and "suspend-to-disk" in r.err and
           harness.virsh(uri, "domstate", DOM).out.strip() == "running",
           "dompmsuspend disk: refused, <pm><suspend-to-disk enabled='no'/> names why",
           r.describe())
    ev = harness.virsh_background(uri, "event", DOM, "--all", "--loop", "--timeout", "90")
    time.sleep(1)
    r = harness.virsh(uri, "dompmsuspend", DOM, "mem")
    asleep = wait_for(lambda: harness.virsh(uri, "domstate", DOM).out.strip() == "pmsuspended",
                      60)
    tap.ok(r.rc == 0 and asleep,
           "dompmsuspend mem: qemu-ga suspends the guest to RAM, the domain reads pmsuspended",
           r.describe())
    r = harness.virsh(uri, "dompmwakeup", DOM)
    awake = wait_for(lambda: harness.virsh(uri, "domstate", DOM).out.strip() == "running", 30)
    ping = wait_for(lambda: agent_json(uri, {"execute": "guest-ping"})[0], 60, step=1)
    tap.ok(r.rc == 0 and awake and ping,
           "dompmwakeup: QEMU wakes the guest, the domain runs and its agent answers again",
           r.describe())
    time.sleep(1)
    ev.terminate()
    out = ev.communicate()[0]
    want = ["event 'pm-suspend' for domain '%s'" % DOM,
            "event 'lifecycle' for domain '%s': PMSuspended Memory" % DOM,
            "event 'pm-wakeup' for domain '%s'" % DOM,
            "event 'lifecycle' for domain '%s': Started Event wakeup" % DOM]
    lines = [ln for ln in out.splitlines() if ln in want]
    tap.ok(lines == want,
           "virsh event: pm-suspend, PMSuspended Memory, pm-wakeup, Started Event wakeup, in order",
           out)
    r = harness.virsh(uri, "dompmwakeup", DOM)
    tap.ok(r.rc == 1 and r.err.startswith("error:"),
           "dompmwakeup of a guest that is not suspended: refused (QEMU's error)", r.describe())

    # ---- reboot and shutdown through the agent ----
    before = serial_count(work, DOM, "AGENT-READY")
    r = harness.virsh(uri, "reboot", DOM, "--mode", "agent")
    again = wait_for(lambda: serial_count(work, DOM, "AGENT-READY") > before, 180)
    st = harness.virsh(uri, "domstate", DOM).out.strip()
    tap.ok(r.rc == 0 and again and st == "running",
           "reboot --mode agent: the guest boots again and the domain runs", r.describe())
    wait_for(lambda: agent_json(uri, {"execute": "guest-ping"})[0], 60, step=1)
    r = harness.virsh(uri, "shutdown", DOM, "--mode", "acpi")
    time.sleep(5)
    st = harness.virsh(uri, "domstate", DOM).out.strip()
    tap.ok(r.rc == 0 and st == "running",
           "shutdown --mode acpi: this guest has no ACPI daemon and keeps running", r.describe())
    r = harness.virsh(uri, "shutdown", DOM)
    off = wait_for(lambda: harness.virsh(uri, "domstate", DOM).out.strip() == "shut off", 60)
    tap.ok(r.rc == 0 and off,
           "plain shutdown goes through the connected agent: the domain shuts off", r.describe())


if __name__ == "__main__":
    main()
