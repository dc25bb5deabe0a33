#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""networktest: virtual networks through the daemon, with Debian's virsh
(libvirt-clients 9.0) and a real guest (TAP).

Runs as root in a network namespace of its own (harness.enter_private_netns),
so that the bridges, nftables tables and dnsmasq it makes never touch the
host's network; without root, or where no namespace can be made, the whole
program is skipped saying why. What it covers, in order:

  * net-list --all of a fresh daemon is empty; net-define of libvirt's
    network 'default' without a bridge name or MAC gives it virbr0 and a
    52:54:00 MAC (net-dumpxml), a second network gets virbr1, a network of
    the same name with another uuid is refused; net-info reads inactive,
    persistent, no autostart, bridge virbr0;
  * net-start: the bridge exists with the network's MAC and address, up;
    the nftables table virt-gmem-virbr0 holds the masquerade rule; dnsmasq
    runs on the network's configuration; IPv4 forwarding is on; IPv6 is
    off on the bridge (the network has none); a second
    net-start is refused; net-autostart shows in net-list;
  * a daemon restart leaves the network running: the same dnsmasq, the
    bridge, net-info active;
  * a guest on the network: Debian's kernel and a busybox initramfs (the
    kit boottest.sh uses) boot under TCG with <interface type='network'>;
    the guest's udhcpc gets the address the network's DHCP <host> entry
    gives its MAC, and it pings the host's end of the network; the lease
    shows in net-dhcp-leases (also filtered by --mac); the live XML
    names the bridge and the tap, which is in the bridge; domifstat (by
    the tap's name and by MAC) gives as transmitted the packets the guest
    counts it sent, and as received at least those it counts it received;
    domstats --interface names the tap; domifaddr gives its address from
    the network's lease and from the host's ARP table, and refuses the
    agent source;
  * an interface's <coalesce> sets its tap's rx-frames (read back with
    the ETHTOOL_GCOALESCE ioctl);
  * domiftune of an ethernet interface's tap: the config's and live
    values, a change of the config, of the running tap (tc, a recording
    stand-in) and its live XML, refusals that change nothing;
  * DNS forwarders and forwardPlainNames='no' in dnsmasq's configuration;
  * network boot: a file fetched from the network's TFTP server (busybox's
    tftp), the <bootp> file and server in dnsmasq's dhcp-boot line; a
    DHCP host's own lease time in its dhcp-host line;
  * an IPv6 network (routed; two IPv6 subnets, DHCPv6 on one, ipv6='yes',
    localPtr, static routes): net-dumpxml, the bridge's IPv6 addresses and
    settings, the routes through the bridge, IPv6 forwarding, the ip6 nftables table, dnsmasq's DHCPv6 range and host,
    router advertisement and local reverse zone lines and its DHCPv6 port, a guest that makes
    its address from the advertisements (SLAAC) and answers a ping6 there,
    net-destroy taking the bridge and the table away;
  * a network's <port isolated='yes'>: its guests' taps isolated bridge
    ports, but for an interface's own <port isolated='no'>;
  * <bridge macTableManager='libvirt'>: VLAN filtering, ports that neither
    learn nor flood, the guests' MACs in the bridge's table (on a kernel
    without bridge VLAN filtering: the start refused, saying so);
  * a network's <bandwidth> on its bridge and <portgroup>s: each guest
    interface's tap shaped with its group's <bandwidth> (the default
    group's without one named) unless it has its own; a group the network
    lacks refuses the start;
  * <bridge zone> against a stand-in firewalld on a bus of the test's own
    (tests/daemon/firewalldstub.py): refused without firewalld, the bridge
    put into the zone with it, a zone it refuses refused;
  * <dnsmasq:options>: kept, written last into dnsmasq's configuration
    and acted on (a DNS answer of an address= option);
  * a NAT network with <nat ipv6='yes'>: net-dumpxml, the ip6 table's
    masquerade, and a guest that reaches a peer (in a network namespace)
    with no route back to the guest's subnet;
  * an interface on a network of mode 'bridge' (a host bridge): the live
    XML shows it as libvirt does, <interface type='bridge'> naming the
    network, also after a daemon restart; the transient domain's inactive
    and migratable XML and its save image's XML are the network interface,
    as libvirt's; a restore puts it on the network's bridge again; that
    live XML defined is the network interface;
  * a VNC server listening on network 'default' (<listen type='network'>):
    no address in the definition, the network's in the live XML and in
    QEMU's query-vnc; on an inactive network the start is refused;
  * interfaces hot-plugged into a running Linux guest that had none
    (virsh attach-interface --live, types 'network' and 'bridge'): their
    taps in the bridge, the aliases net0 and net1 in the live XML, a DHCP
    lease and a ping through the first; detach-interface --live of the
    first (the guest lets it go, its tap goes, the second keeps net1);
    domif-setlink down and up of the second (the guest's carrier
    follows); a third gets net2; a live macvtap is refused; the taps go
    with the guest;
  * a domain on a network that is not active is refused, naming both;
  * net-destroy takes away the bridge, the table and dnsmasq; a
    transient network (net-create) is gone after its net-destroy;
  * a network whose bridge name an interface has already fails to start
    and leaves nothing behind;
  * network lifecycle events (virsh net-event, for every network and for
    one): define, start, destroy, undefine, and a transient network's
    create and destroy, in order;
  * net-undefine of an inactive network.

The guest kit (the kernel and busybox packages) is downloaded with
apt-get download into $VGM_BUILDDIR/tests/boottest-cache, as boottest.sh
does; without it the guest's checks are skipped with the reason.
Run: /usr/bin/python3 tests/daemon/networktest.py (meson: test 'network').
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import virsh  # noqa: E402

QEMU = "/usr/bin/qemu-system-x86_64"
GUESTKIT = os.path.join(harness.TESTDIR, "guestkit.sh")
GUEST_MAC = "52:54:00:4e:77:01"
GUEST_IP = "192.168.122.77"

DEFAULT_NETWORK = """<network>
  <name>default</name>
  <forward mode='nat'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
      <host mac='%s' name='netguest' ip='%s'/>
    </dhcp>
  </ip>
</network>
""" % (GUEST_MAC, GUEST_IP)

SECOND_NETWORK = """<network>
  <name>second</name>
  <ip address='10.77.0.1' prefix='24'/>
</network>
"""


def sh(*args):
    return harness.run(list(args), timeout=30)


def link_info(dev):
    """(exists, 'ip -o link' line, 'ip -o addr' text) of @dev here"""
    link = sh("ip", "-o", "link", "show", "dev", dev)
    addr = sh("ip", "-o", "-4", "addr", "show", "dev", dev)
    return link.rc == 0, link.out, addr.out


def dnsmasq_pids(root, network=None):
    """dnsmasqs of networks of @root (of @network only, when given)"""
    text = root + "/" if network is None else \
        "--conf-file=%s/run/network/%s.conf" % (root, network)
    return [p for p in harness.processes_naming(text)
            if open("/proc/%d/cmdline" % p, "rb").read().split(b"\0")[0].endswith(b"dnsmasq")]


def nft_tables():
    r = sh("nft", "list", "tables")
    return r.out if r.rc == 0 else ""


DHCP_SCRIPT = """#!/bin/busybox sh
case "$1" in
bound|renew)
    /bin/busybox ifconfig "$interface" "$ip" netmask "$subnet"
    /bin/busybox echo "LEASE $ip" > /dev/ttyS0
    ;;
esac
"""

# the guests' /init: the kernel's file systems and modules, loopback up
INIT_HEAD = """#!/bin/busybox sh
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
for m in $(/bin/busybox cat /mod/order); do /bin/busybox insmod /mod/$m; done
/bin/busybox ip link set lo up
"""

# eth0 up, a DHCP lease (dhcp.sh prints it) and a ping of the network's
# host address
DHCP_PING = """/bin/busybox ip link set eth0 up
/bin/busybox udhcpc -i eth0 -n -q -t 20 -T 1 -s /dhcp.sh > /dev/ttyS0 2>&1
if /bin/busybox ping -c 3 -W 2 192.168.122.1 > /dev/ttyS0 2>&1; then
    /bin/busybox echo PING-OK > /dev/ttyS0
else
    /bin/busybox echo PING-FAILED > /dev/ttyS0
fi
"""

# then the guest's own packet counters, which the host's domifstat must
# match
GUEST_INIT = INIT_HEAD + DHCP_PING + """/bin/busybox echo "GSTATS $(/bin/busybox cat /sys/class/net/eth0/statistics/rx_packets) \
$(/bin/busybox cat /sys/class/net/eth0/statistics/tx_packets)" > /dev/ttyS0
/bin/busybox echo NETGUEST-DONE > /dev/ttyS0
/bin/busybox sleep 3
/bin/busybox poweroff -f
"""


def build_guest(tmp, init_text=GUEST_INIT, tag="netguest"):
    """(kernel, initrd) of a busybox guest running @init_text as /init
    (by default: take a DHCP lease on eth0, ping the network's host
    address and power off), or (None, why)."""
    work = os.path.join(tmp, tag)
    os.makedirs(work)
    init = os.path.join(work, "init")
    with open(init, "w") as f:
        f.write(init_text)
    staging = os.path.join(work, "initramfs")
    os.makedirs(staging)
    with open(os.path.join(staging, "dhcp.sh"), "w") as f:
        f.write(DHCP_SCRIPT)
    os.chmod(os.path.join(staging, "dhcp.sh"), 0o755)
    cache = os.path.join(harness.BUILDDIR, "tests", "boottest-cache")
    script = ('. "$1"; guestkit_fetch "$2"; rc=$?; '
              '[ $rc = 0 ] || { echo "$guestkit_why" >&2; exit $rc; }; '
              'guestkit_modules "$3" virtio_pci virtio_net || { echo "$guestkit_why" >&2; exit 2; }; '
              'guestkit_initrd "$3" "$4" "$5" && echo "$guestkit_kernel"')
    initrd = os.path.join(work, "initrd.gz")
    r = harness.run(["bash", "-c", script, "guestkit", GUESTKIT, cache, staging, init, initrd],
                    timeout=600)
    if r.rc != 0:
        return None, "the guest kit: %s" % (r.err.strip() or r.out.strip())
    return (r.out.strip().splitlines()[-1], initrd), None


def guest_xml(tmp, kernel, initrd, serial):
    return """<domain type='qemu'>
  <name>netguest</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>%s</emulator>
    <interface type='network'>
      <mac address='%s'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'>
      <source path='%s'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
""" % (kernel, initrd, QEMU, GUEST_MAC, serial)


def guest_or_skip(tap, what, tmp, init_text=GUEST_INIT, tag="netguest"):
    """build_guest's (kernel, initrd), or None with the check @what
    skipped, saying why (no QEMU, no guest kit)"""
    if not os.access(QEMU, os.X_OK):
        tap.skip(what, "%s is not installed" % QEMU)
        return None
    kit, why = build_guest(tmp, init_text, tag)
    if not kit:
        tap.skip(what, why)
    return kit


def network_guest(tap, what, tmp, init_text, name, network):
    """(TMP/NAME.xml, its serial log): guest_xml's guest NAME running
    @init_text on @network; None with the check @what skipped where there
    is no guest kit."""
    kit = guest_or_skip(tap, what, tmp, init_text, name)
    if not kit:
        return None
    kernel, initrd = kit
    serial = os.path.join(tmp, name + ".log")
    path = os.path.join(tmp, name + ".xml")
    with open(path, "w") as f:
        f.write(guest_xml(tmp, kernel, initrd, serial).replace(
            "<name>netguest</name>", "<name>%s</name>" % name).replace(
            "network='default'", "network='%s'" % network))
    return path, serial


def check_guest(tap, uri, root, tmp):
    kit = guest_or_skip(tap, "a guest on network 'default'", tmp)
    if not kit:
        return
    kernel, initrd = kit
    serial = os.path.join(tmp, "serial.log")
    path = os.path.join(tmp, "netguest.xml")
    with open(path, "w") as f:
        f.write(guest_xml(tmp, kernel, initrd, serial))
    r = virsh(uri, "create", path, timeout=120)
    if not tap.ok(r.rc == 0, "a guest on network 'default' starts", r.describe()):
        return
    live = virsh(uri, "dumpxml", "netguest")
    m = re.search(r"<source network='default' bridge='virbr0'/>\s*<target dev='(vnet\d+)'/>",
                  live.out)
    master = None
    if m:
        mm = re.search(r" master (\S+) ", link_info(m.group(1))[1])
        master = mm.group(1) if mm else None
    tap.ok(m is not None and master == "virbr0",
           "its live XML names the bridge and its tap, which is in the bridge",
           "live XML: %s; the tap's master: %s" % (live.out[:3000], master))
    text = ""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with open(serial, errors="replace") as f:
                text = f.read()
        except OSError:
            text = ""
        if "NETGUEST-DONE" in text:
            break
        time.sleep(0.5)
    # the tap's counters, from the guest's side, as domifstat reports them
    # (libvirt's names): what the guest sent, as it counts it (give or
    # take the IPv6 solicitations its kernel sends after it counted); at
    # least what it received (the bridge also floods it multicast frames
    # that QEMU's receive filter drops before the guest counts them)
    g = re.search(r"GSTATS (\d+) (\d+)", text)
    tapdev = m.group(1) if m else "?"
    st = virsh(uri, "domifstat", "netguest", tapdev)
    by_mac = virsh(uri, "domifstat", "netguest", GUEST_MAC)
    host = dict(re.findall(r"^\S+ (\w+) (\d+)$", st.out, re.M))
    later = dict(re.findall(r"^\S+ (\w+) (\d+)$", by_mac.out, re.M))
    rx, tx = int(host.get("rx_packets", -1)), int(host.get("tx_packets", -1))
    # (by MAC, a moment later: the same counters, none lower; a frame the
    # bridge floods in between may be counted)
    same = (by_mac.out.split(" ")[0] == GUEST_MAC and sorted(later) == sorted(host) and
            all(int(later[k]) >= int(host[k]) for k in host))
    tap.ok(g and st.rc == 0 and by_mac.rc == 0 and same and
           int(g.group(2)) <= tx <= int(g.group(2)) + 6 and rx >= int(g.group(1)),
           "domifstat (by tap and by MAC): the packets the guest sent as it counts them, at "
           "least those it received",
           "guest %s; host:\n%s\nby MAC:\n%s" % (g and g.group(0), st.describe(),
                                                   by_mac.describe()))
    # its address, as the network's lease and the host's ARP table know it
    # (virsh domifaddr: name, MAC, protocol, address/prefix)
    la = virsh(uri, "domifaddr", "netguest")
    arp = virsh(uri, "domifaddr", "netguest", "--source", "arp")
    agent = virsh(uri, "domifaddr", "netguest", "--source", "agent")
    tap.ok(la.rc == 0 and re.search(r"^ %s\s+%s\s+ipv4\s+%s/24$" % (tapdev, GUEST_MAC, GUEST_IP),
                                    la.out, re.M) and
           arp.rc == 0 and re.search(r"^ %s\s+%s\s+ipv4\s+%s/0$" % (tapdev, GUEST_MAC, GUEST_IP),
                                     arp.out, re.M) and
           agent.rc == 1 and "agent" in agent.err,
           "domifaddr: the lease's address (%s/24) and the ARP table's; the agent source is "
           "refused" % GUEST_IP, la.describe() + "\n" + arp.describe() + "\n" + agent.describe())
    ds = virsh(uri, "domstats", "netguest", "--interface")
    tap.ok(ds.rc == 0 and "net.count=1" in ds.out and "net.0.name=%s" % tapdev in ds.out and
           re.search(r"net\.0\.tx\.pkts=\d+", ds.out) is not None,
           "domstats --interface: net.count, the tap's name and its counters", ds.describe())
    tap.ok("LEASE %s" % GUEST_IP in text,
           "the guest's DHCP client got %s, its <host> entry's address, from the network's dnsmasq"
           % GUEST_IP, "serial:\n" + text[-3000:])
    tap.ok("PING-OK" in text, "the guest pings the host's end of the network (192.168.122.1)",
           "serial:\n" + text[-3000:])
    leases = virsh(uri, "net-dhcp-leases", "default")
    tap.ok(leases.rc == 0 and GUEST_MAC in leases.out and GUEST_IP + "/24" in leases.out and
           "netguest" in leases.out,
           "net-dhcp-leases lists the guest's lease (MAC, address/24, host name)",
           leases.describe())
    one = virsh(uri, "net-dhcp-leases", "default", "--mac", GUEST_MAC)
    none = virsh(uri, "net-dhcp-leases", "default", "--mac", "52:54:00:00:00:99")
    tap.ok(one.rc == 0 and GUEST_IP in one.out and none.rc == 0 and GUEST_IP not in none.out,
           "net-dhcp-leases --mac filters by MAC", one.describe() + "\n" + none.describe())
    # the guest powers itself off; QEMU then exits
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and harness.qemus_naming(root + "/"):
        time.sleep(0.2)
    if harness.qemus_naming(root + "/"):
        virsh(uri, "destroy", "netguest")
    tap.ok(not harness.qemus_naming(root + "/"), "the guest powered off, its QEMU gone",
           "QEMU still there")


def tap_rx_frames(dev):
    """The tap's coalescing of received frames (ethtool -c's rx-frames),
    read with the SIOCETHTOOL ioctl ETHTOOL_GCOALESCE; None where it
    fails."""
    import ctypes
    import fcntl
    import socket
    import struct
    coal = ctypes.create_string_buffer(struct.pack("I", 0x0000000e) + bytes(88))
    ifr = struct.pack("16sP", dev.encode(), ctypes.addressof(coal)) + bytes(16)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            fcntl.ioctl(s.fileno(), 0x8946, ifr)
        except OSError:
            return None
    # struct ethtool_coalesce: cmd, rx_coalesce_usecs, rx_max_coalesced_frames
    return struct.unpack_from("III", coal.raw)[2]


def small_domain(tmp, name, devices):
    """TMP/NAME.xml: a 64 MiB TCG q35 domain NAME with @devices; its path."""
    path = os.path.join(tmp, name + ".xml")
    with open(path, "w") as f:
        f.write("""<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>%s</emulator>
    %s
  </devices>
</domain>
""" % (name, QEMU, devices))
    return path


def check_coalesce(tap, uri, root, tmp):
    """<coalesce><rx><frames max='7'/></rx></coalesce> on an interface of
    network 'default': the guest's tap batches 7 received frames (QEMU
    paused, no guest needed); the live XML keeps it."""
    path = small_domain(tmp, "coalesce", """<interface type='network'>
      <mac address='52:54:00:4e:77:09'/>
      <source network='default'/>
      <model type='virtio'/>
      <coalesce><rx><frames max='7'/></rx></coalesce>
    </interface>""")
    if not os.access(QEMU, os.X_OK):
        tap.skip("<coalesce> on a tap", "%s is not installed" % QEMU)
        return
    r = virsh(uri, "create", "--paused", path, timeout=120)
    live = virsh(uri, "dumpxml", "coalesce")
    m = re.search(r"<target dev='(vnet\d+)'/>", live.out)
    frames = tap_rx_frames(m.group(1)) if m else None
    tap.ok(r.rc == 0 and frames == 7 and "<frames max='7'/>" in live.out,
           "<coalesce><rx><frames max='7'/> sets the tap's rx-frames to 7",
           "%s\ntap %s: rx-frames %s\n%s" % (r.describe(), m.group(1) if m else None, frames,
                                            live.out[:2000]))
    virsh(uri, "destroy", "coalesce")


def sysval(path):
    """The text of a sysfs file, or the error reading it."""
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError as e:
        return str(e)


def check_isolated_ports(tap, uri, tmp):
    """<port isolated='yes'> of a network: its guests' taps are isolated
    bridge ports, unless an interface says <port isolated='no'> itself
    (QEMU paused, no guest needed); net-dumpxml keeps it."""
    net = os.path.join(tmp, "isonet.xml")
    with open(net, "w") as f:
        f.write("<network><name>isonet</name><bridge name='vgmiso0'/><port isolated='yes'/>"
                "<ip address='192.168.191.1' prefix='24'/></network>")
    path = small_domain(tmp, "isoguest", """<interface type='network'>
      <mac address='52:54:00:4e:77:21'/>
      <source network='isonet'/>
      <model type='virtio'/>
    </interface>
    <interface type='network'>
      <mac address='52:54:00:4e:77:22'/>
      <source network='isonet'/>
      <model type='virtio'/>
      <port isolated='no'/>
    </interface>""")
    if not os.access(QEMU, os.X_OK):
        tap.skip("<port isolated> of a network", "%s is not installed" % QEMU)
        return
    r = virsh(uri, "net-create", net)
    dump = virsh(uri, "net-dumpxml", "isonet").out
    r2 = virsh(uri, "create", "--paused", path, timeout=120)
    live = virsh(uri, "dumpxml", "isoguest").out
    devs = re.findall(r"<target dev='(vnet\d+)'/>", live)
    got = [sysval("/sys/class/net/%s/brport/isolated" % d) for d in devs]
    tap.ok(r.rc == 0 and r2.rc == 0 and "<port isolated='yes'/>" in dump and got == ["1", "0"],
           "a network's <port isolated='yes'>: net-dumpxml keeps it, its guest's tap is an "
           "isolated bridge port, one of an interface with <port isolated='no'> is not",
           "%s%s\n%s\ntaps %s: %s" % (r.describe(), r2.describe(), dump, devs, got))
    virsh(uri, "destroy", "isoguest")
    virsh(uri, "net-destroy", "isonet")


def check_mac_table(tap, uri, tmp):
    """<bridge macTableManager='libvirt'>: the bridge filters by VLAN, its
    guests' ports learn no MAC and flood no unicast, and each guest's MAC
    is in the bridge's table on its port (QEMU paused). On a kernel
    without bridge VLAN filtering the start is refused, saying so."""
    net = os.path.join(tmp, "mtnet.xml")
    with open(net, "w") as f:
        f.write("<network><name>mtnet</name><bridge name='vgmmt0' macTableManager='libvirt'/>"
                "<ip address='192.168.194.1' prefix='24'/></network>")
    path = small_domain(tmp, "mtguest", """<interface type='network'>
      <mac address='52:54:00:4e:77:31'/>
      <source network='mtnet'/>
      <model type='virtio'/>
    </interface>""")
    if not os.access(QEMU, os.X_OK):
        tap.skip("<bridge macTableManager='libvirt'>", "%s is not installed" % QEMU)
        return
    probe = sh("ip", "link", "add", "vgmmtprobe", "type", "bridge", "vlan_filtering", "1")
    sh("ip", "link", "del", "vgmmtprobe")
    r = virsh(uri, "net-create", net)
    if probe.rc != 0:
        tap.ok(r.rc == 1 and "needs bridge VLAN filtering, which this host's kernel does not "
               "have" in r.err and not os.path.exists("/sys/class/net/vgmmt0"),
               "<bridge macTableManager='libvirt'> on a kernel without bridge VLAN filtering: "
               "the start is refused, saying so, and leaves no bridge", r.describe())
        return
    dump = virsh(uri, "net-dumpxml", "mtnet").out
    r2 = virsh(uri, "create", "--paused", path, timeout=120)
    live = virsh(uri, "dumpxml", "mtguest").out
    m = re.search(r"<target dev='(vnet\d+)'/>", live)
    dev = m.group(1) if m else "?"
    port = (sysval("/sys/class/net/%s/brport/learning" % dev),
            sysval("/sys/class/net/%s/brport/unicast_flood" % dev))
    fdb = sh("bridge", "fdb", "show", "dev", dev).out
    tap.ok(r.rc == 0 and r2.rc == 0 and "macTableManager='libvirt'" in dump and
           sysval("/sys/class/net/vgmmt0/bridge/vlan_filtering") == "1" and
           port == ("0", "0") and "52:54:00:4e:77:31 master vgmmt0" in fdb,
           "<bridge macTableManager='libvirt'>: VLAN filtering on the bridge, no learning or "
           "unicast flooding on the guest's port, the guest's MAC in the bridge's table",
           "%s%s\n%s\nport %s\nfdb %s" % (r.describe(), r2.describe(), dump, port, fdb))
    virsh(uri, "destroy", "mtguest")
    virsh(uri, "net-destroy", "mtnet")


IFT_MAC = "52:54:00:4e:77:0b"
TC_CALLS_TEMPLATE = "%s/tc-calls"
TC_CALLS = None
BUS = [None]    # the address of the daemon's system bus (main)


def check_portgroups(tap, uri, tmp):
    """A network's <bandwidth> and <portgroup>s (tc is the recording
    stand-in, TC_CALLS): the start shapes the network's bridge with the
    network's <bandwidth>; a guest's interface without a port group gets
    the default group's <bandwidth>, one naming a group that group's, one
    with a <bandwidth> of its own keeps it, one in a group without any is
    not shaped; a group the network does not have refuses the start."""
    src = os.path.join(harness.SRCDIR, "tests", "networkxml2xmlin", "bandwidth-portgroups.xml")
    macs = ["52:54:00:4e:77:4%d" % i for i in range(4)]
    devices = "".join("""<interface type='network'>
      <mac address='%s'/>
      <source network='qosnet'%s/>
      <target dev='vgmpg%d'/>
      <model type='virtio'/>%s
    </interface>
    """ % (m, pg, i, own) for i, (m, pg, own) in enumerate(zip(
        macs, ["", " portgroup='slow'", " portgroup='slow'", " portgroup='plain'"],
        ["", "", "<bandwidth><inbound average='7'/></bandwidth>", ""])))
    path = small_domain(tmp, "pgguest", devices)
    bad = small_domain(tmp, "pgbad", """<interface type='network'>
      <source network='qosnet' portgroup='nosuch'/><model type='virtio'/></interface>""")
    if not os.access(QEMU, os.X_OK):
        tap.skip("port groups", "%s is not installed" % QEMU)
        return
    open(TC_CALLS, "w").close()
    r = virsh(uri, "net-create", src)
    with open(TC_CALLS) as f:
        calls = f.read()
    tap.ok(r.rc == 0 and "qdisc add dev vgmqos0 root handle 1: htb default 1" in calls and
           "class add dev vgmqos0 parent 1: classid 1:1 htb rate 10000kbps ceil 20000kbps "
           "burst 1024kb" in calls and
           "filter add dev vgmqos0 parent ffff: protocol all u32 match u32 0 0 police rate "
           "5000kbps" in calls,
           "net-create of a network with a <bandwidth>: its bridge shaped both ways (tc)",
           r.describe() + calls)
    open(TC_CALLS, "w").close()
    r = virsh(uri, "create", "--paused", path, timeout=120)
    with open(TC_CALLS) as f:
        calls = f.read().splitlines()
    classes = {d: [c for c in calls if c.startswith("class add dev %s " % d)]
               for d in ("vgmpg0", "vgmpg1", "vgmpg2", "vgmpg3")}
    police = [c for c in calls if c.startswith("filter add dev vgmpg1 parent ffff:")]
    tap.ok(r.rc == 0 and
           any(" htb rate 1000kbps " in c for c in classes["vgmpg0"]) and
           any(" htb rate 100kbps ceil 200kbps " in c for c in classes["vgmpg1"]) and
           any("police rate 50kbps" in c for c in police) and
           any(" htb rate 7kbps " in c for c in classes["vgmpg2"]) and
           not classes["vgmpg3"] and not [c for c in calls if "vgmpg3" in c],
           "port groups: the default group's <bandwidth> for an interface naming none, the "
           "named group's for one naming it, an interface's own over its group's, none for "
           "a group without", r.describe() + "\n".join(calls))
    virsh(uri, "destroy", "pgguest")
    r = virsh(uri, "create", "--paused", bad, timeout=120)
    tap.ok(r.rc == 1 and "network 'qosnet' has no <portgroup> named 'nosuch'" in r.err,
           "an interface of a port group the network does not have: the start is refused, "
           "naming it", r.describe())
    # virsh net-update of section portgroup (9): add, modify, delete
    r1 = virsh(uri, "net-update", "qosnet", "add", "portgroup",
               "<portgroup name='nosuch'><bandwidth><inbound average='5000'/></bandwidth>"
               "</portgroup>", "--live")
    r2 = virsh(uri, "net-update", "qosnet", "modify", "portgroup",
               "<portgroup name='nosuch'><bandwidth><inbound average='6000'/></bandwidth>"
               "</portgroup>", "--live")
    r3 = virsh(uri, "net-update", "qosnet", "delete", "portgroup", "<portgroup name='plain'/>",
               "--live")
    r4 = virsh(uri, "net-update", "qosnet", "add", "portgroup",
               "<portgroup name='other' default='yes'/>", "--live")
    dump = virsh(uri, "net-dumpxml", "qosnet").out
    open(TC_CALLS, "w").close()
    r5 = virsh(uri, "create", "--paused", bad, timeout=120)
    with open(TC_CALLS) as f:
        calls = f.read()
    tap.ok(all(x.rc == 0 for x in (r1, r2, r3)) and r4.rc == 1 and
           "has two default <portgroup>s ('standard' and 'other')" in r4.err and
           "<portgroup name='nosuch'>" in dump and "average='6000'" in dump and
           "name='plain'" not in dump and "name='other'" not in dump and
           r5.rc == 0 and " htb rate 6000kbps" in calls,
           "net-update of port groups (section 9): one added, modified and another deleted "
           "live; a second default refused; an interface of the added group gets its "
           "<bandwidth>", "\n".join(x.describe() for x in (r1, r2, r3, r4, r5)) + dump + calls)
    virsh(uri, "destroy", "pgbad")
    virsh(uri, "net-destroy", "qosnet")


def check_iftune(tap, uri, root, tmp):
    """virsh domiftune (virDomainGet/SetInterfaceParameters, 257/256) on
    an <interface type='ethernet'> with a managed tap vgmift0, whose tc
    commands a recording stand-in takes (this host's kernel may lack the
    qdiscs and filters libvirt's commands use; TC_CALLS): the config's
    values, all seven lines (0 for a limit not set); --outbound --config
    adds the direction; the start shapes the tap with both; --live
    --inbound 4000,,800 removes the tap's qdiscs and sets both directions
    again (peak gone, as libvirt replaces a whole direction), the live XML
    follows, the config keeps its own; --inbound 0 removes the inbound
    limit; a user-mode interface, an unknown one, a floor and a peak
    without an average (through the library: virsh refuses it itself)
    are refused, naming why, with no tc run and nothing changed."""
    path = small_domain(tmp, "iftune", """<interface type='ethernet'>
      <mac address='%s'/>
      <target dev='vgmift0'/>
      <model type='virtio'/>
      <bandwidth><inbound average='1000' peak='2000' burst='500'/></bandwidth>
    </interface>
    <interface type='user'><mac address='52:54:00:4e:77:0c'/><model type='virtio'/></interface>"""
                        % IFT_MAC)
    if not os.access(QEMU, os.X_OK):
        tap.skip("domiftune", "%s is not installed" % QEMU)
        return
    r = virsh(uri, "define", path)
    q = virsh(uri, "domiftune", "iftune", "vgmift0", "--config")
    tap.eq((r.rc, q.out), (0, "inbound.average: 1000\ninbound.peak   : 2000\n"
                              "inbound.burst  : 500\ninbound.floor  : 0\n"
                              "outbound.average: 0\noutbound.peak  : 0\n"
                              "outbound.burst : 0\n\n"),
           "domiftune --config: the seven values of the config's <bandwidth>, 0 where unset")
    r = virsh(uri, "domiftune", "iftune", IFT_MAC.upper(), "--outbound", "300,600,100",
              "--config")
    x = virsh(uri, "dumpxml", "--inactive", "iftune")
    tap.ok(r.rc == 0 and "<outbound average='300' peak='600' burst='100'/>" in x.out and
           "<inbound average='1000' peak='2000' burst='500'/>" in x.out,
           "domiftune MAC --outbound 300,600,100 --config: the config gains the outbound limit",
           r.describe() + x.out[:1500])
    open(TC_CALLS, "w").close()
    r = virsh(uri, "start", "--paused", "iftune", timeout=120)
    with open(TC_CALLS) as f:
        calls = f.read()
    tap.ok(r.rc == 0 and "qdisc add dev vgmift0 root handle 1: htb default 1" in calls and
           "class add dev vgmift0 parent 1: classid 1:1 htb rate 1000kbps ceil 2000kbps "
           "burst 500kb" in calls and
           "police rate 300kbps burst 100kb" in calls,
           "the start shapes vgmift0 with both directions (tc)", r.describe() + calls)
    open(TC_CALLS, "w").close()
    r = virsh(uri, "domiftune", "iftune", "vgmift0", "--live", "--inbound", "4000,,800")
    with open(TC_CALLS) as f:
        calls = f.read().splitlines()
    live = virsh(uri, "dumpxml", "iftune")
    cfg = virsh(uri, "dumpxml", "--inactive", "iftune")
    tap.ok(r.rc == 0 and calls[:2] == ["qdisc del dev vgmift0 root",
                                       "qdisc del dev vgmift0 ingress"] and
           any(c.startswith("class add dev vgmift0 parent 1: classid 1:1 htb rate 4000kbps "
                            "burst 800kb quantum") for c in calls) and
           any("police rate 300kbps burst 100kb" in c for c in calls) and
           "<inbound average='4000' burst='800'/>" in live.out and
           "<inbound average='1000' peak='2000' burst='500'/>" in cfg.out,
           "domiftune --live --inbound 4000,,800: the tap's qdiscs removed and both directions "
           "set again, the live XML follows (no peak), the config keeps its own",
           r.describe() + "\n".join(calls) + live.out[:1500])
    open(TC_CALLS, "w").close()
    r = virsh(uri, "domiftune", "iftune", "vgmift0", "--inbound", "0")
    with open(TC_CALLS) as f:
        calls = f.read()
    q = virsh(uri, "domiftune", "iftune", "vgmift0")
    tap.ok(r.rc == 0 and "htb" not in calls and "police rate 300kbps" in calls and
           "inbound.average: 0\ninbound.peak   : 0\n" in q.out and
           "outbound.average: 300\n" in q.out,
           "domiftune --inbound 0 (live, the current state): the inbound limit removed, the "
           "outbound kept", r.describe() + calls + q.out)
    before = (virsh(uri, "dumpxml", "iftune").out, virsh(uri, "dumpxml", "--inactive", "iftune").out)
    open(TC_CALLS, "w").close()
    bad = [
        (("52:54:00:4e:77:0c", "--inbound", "100"), "needs a tap on the host"),
        (("nosuch0", "--inbound", "100"), "has no interface 'nosuch0'"),
        (("vgmift0", "--inbound", "100,,,50"), "floor"),
    ]
    errs = []
    for args, want in bad:
        r = virsh(uri, "domiftune", "iftune", *args)
        if r.rc != 1 or want not in r.err:
            errs.append(r.describe())
    # what virsh itself refuses, through the library: a peak without an
    # average (which libvirt drops unsaid)
    import libvirt
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    conn = libvirt.open(uri)
    try:
        try:
            conn.lookupByName("iftune").setInterfaceParameters("vgmift0", {"inbound.peak": 10}, 0)
            errs.append("a peak without an average taken")
        except libvirt.libvirtError as e:
            if e.get_error_code() != libvirt.VIR_ERR_INVALID_ARG or \
                    "need inbound.average" not in str(e):
                errs.append("a peak alone: %d %s" % (e.get_error_code(), e))
    finally:
        conn.close()
    with open(TC_CALLS) as f:
        calls = f.read()
    after = (virsh(uri, "dumpxml", "iftune").out, virsh(uri, "dumpxml", "--inactive", "iftune").out)
    tap.ok(not errs and before == after and calls == "",
           "domiftune refused for a user-mode interface, an unknown one, a floor and a peak "
           "without an average, naming why; no tc run, nothing changed",
           "\n".join(errs) + "\ntc: " + calls)
    virsh(uri, "destroy", "iftune")
    virsh(uri, "undefine", "iftune")


def check_listen(tap, uri, root, tmp):
    """<graphics type='vnc'><listen type='network' network='default'/>:
    the definition keeps no address; the start looks up the network's,
    192.168.122.1, which the live XML shows (as the listen and the
    <listen> address) and QEMU's VNC server listens on (query-vnc); a
    start on a network that is not active is refused, naming it."""
    path = small_domain(tmp, "listen", """<graphics type='vnc' autoport='yes'>
      <listen type='network' address='10.9.9.9' network='default'/>
    </graphics>""")
    if not os.access(QEMU, os.X_OK):
        tap.skip("<listen type='network'>", "%s is not installed" % QEMU)
        return
    r = virsh(uri, "define", path)
    x = virsh(uri, "dumpxml", "--inactive", "listen")
    tap.ok(r.rc == 0 and "<listen type='network' network='default'/>" in x.out and
           "10.9.9.9" not in x.out,
           "define: <listen type='network'> kept without an address (a definition's is "
           "the last start's)", r.describe() + x.describe())
    r = virsh(uri, "start", "listen", timeout=120)
    live = virsh(uri, "dumpxml", "listen")
    vnc = harness.qmp(root, "listen", "query-vnc").get("return", {}) if r.rc == 0 else {}
    tap.ok(r.rc == 0 and "<listen type='network' address='192.168.122.1' network='default'/>"
           in live.out and " listen='192.168.122.1'" in live.out and
           vnc.get("host") == "192.168.122.1",
           "start: the network's address in the live XML, and QEMU's VNC server on it",
           "%s\nquery-vnc %r\n%s" % (r.describe(), vnc, live.out[:1500]))
    virsh(uri, "destroy", "listen")
    bad = os.path.join(tmp, "listen-second.xml")
    with open(path) as f:
        text = f.read().replace("network='default'", "network='second'").replace(
            "<name>listen</name>", "<name>listen2</name>")
    with open(bad, "w") as f:
        f.write(text)
    r = virsh(uri, "create", bad, timeout=120)
    tap.ok(r.rc == 1 and "cannot listen on network 'second': it is not active" in r.err,
           "a start listening on an inactive network is refused, naming it", r.describe())
    virsh(uri, "undefine", "listen")


HP_INIT = INIT_HEAD + """/bin/busybox echo HPGUEST-UP > /dev/ttyS0
while [ ! -e /sys/class/net/eth0 ]; do /bin/busybox usleep 200000; done
""" + DHCP_PING + """/bin/busybox echo ETH0-READY > /dev/ttyS0
while [ -e /sys/class/net/eth0 ]; do /bin/busybox usleep 200000; done
/bin/busybox echo ETH0-GONE > /dev/ttyS0
/bin/busybox ip link set eth1 up
until [ "$(/bin/busybox cat /sys/class/net/eth1/carrier)" = 0 ]; do /bin/busybox usleep 200000; done
/bin/busybox echo ETH1-CARRIER-DOWN > /dev/ttyS0
until [ "$(/bin/busybox cat /sys/class/net/eth1/carrier)" = 1 ]; do /bin/busybox usleep 200000; done
/bin/busybox echo ETH1-CARRIER-UP > /dev/ttyS0
/bin/busybox sleep 1000
"""

HP_MACS = ("52:54:00:4e:77:21", "52:54:00:4e:77:22", "52:54:00:4e:77:23")


def wait_serial(path, mark, timeout):
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        try:
            with open(path, errors="replace") as f:
                text = f.read()
        except OSError:
            text = ""
        if mark in text:
            break
        time.sleep(0.2)
    return text


def live_nets(uri, name):
    """{mac: (type, tap, alias, bridge)} of the interfaces of @name's live XML"""
    import xml.etree.ElementTree as ET
    r = virsh(uri, "dumpxml", name)
    out = {}
    if r.rc != 0:
        return out
    for i in ET.fromstring(r.out).findall("./devices/interface"):
        mac = i.find("mac").get("address")
        t, a, src = i.find("target"), i.find("alias"), i.find("source")
        out[mac] = (i.get("type"), t.get("dev") if t is not None else None,
                    a.get("name") if a is not None else None,
                    src.get("bridge") if src is not None else None)
    return out


def connections(uri, net, *flags):
    """The connections='' of net-dumpxml NET: an int (0 when not there),
    or None when the XML is not even read."""
    r = virsh(uri, "net-dumpxml", *flags, net)
    try:
        n = ET.fromstring(r.out).get("connections")
    except ET.ParseError:
        return "unreadable: " + r.describe()
    if flags:
        return n
    return int(n) if n else 0


def tap_master(dev):
    m = re.search(r" master (\S+) ", link_info(dev)[1]) if dev else None
    return m.group(1) if m else None


def check_update(tap, uri, root):
    """virsh net-update (virNetworkUpdate) of the running network's DHCP
    hosts and ranges, live and in the config, as libvirtd 9.0 takes them
    (captured 2026-12-06: add, a second add refused, modify by MAC,
    delete by MAC, a range added and deleted), and of its DNS hosts, TXT
    and SRV records (added, a second host of an address and a second TXT
    record of a name refused, a TXT record not modified, as libvirt refuses
    it, deleted): both XMLs, dnsmasq's
    configuration and a dnsmasq serving it (DNS queries of the network's
    address)."""
    conf = os.path.join(root, "run", "network", "default.conf")
    host = "<host mac='52:54:00:4e:77:99' name='upd' ip='192.168.122.99'/>"
    r = virsh(uri, "net-update", "default", "add", "ip-dhcp-host", host, "--live", "--config")
    live, cfg = virsh(uri, "net-dumpxml", "default").out, \
        virsh(uri, "net-dumpxml", "--inactive", "default").out
    text = open(conf).read() if os.path.exists(conf) else ""
    tap.ok(r.rc == 0 and host in live and host in cfg and
           "dhcp-host=52:54:00:4e:77:99,192.168.122.99,upd" in text and
           len(dnsmasq_pids(root, "default")) == 1,
           "net-update add ip-dhcp-host --live --config: both XMLs, dnsmasq serves it",
           r.describe() + live + text)
    r = virsh(uri, "net-update", "default", "add", "ip-dhcp-host",
              "<host mac='52:54:00:4e:77:99' name='other' ip='192.168.122.97'/>", "--live")
    tap.ok(r.rc == 1 and "other" not in virsh(uri, "net-dumpxml", "default").out,
           "a second host of the same MAC address is refused, nothing changes", r.describe())
    r = virsh(uri, "net-update", "default", "modify", "ip-dhcp-host",
              "<host mac='52:54:00:4E:77:99' name='upd2' ip='192.168.122.98'/>", "--live",
              "--config")
    live = virsh(uri, "net-dumpxml", "default").out
    tap.ok(r.rc == 0 and "name='upd2' ip='192.168.122.98'" in live and "name='upd'" not in live,
           "net-update modify finds the host by its MAC address (any case)", r.describe() + live)
    r = virsh(uri, "net-update", "default", "delete", "ip-dhcp-host",
              "<host mac='52:54:00:4e:77:99'/>", "--live", "--config")
    live, cfg = virsh(uri, "net-dumpxml", "default").out, \
        virsh(uri, "net-dumpxml", "--inactive", "default").out
    text = open(conf).read() if os.path.exists(conf) else ""
    tap.ok(r.rc == 0 and "upd2" not in live and "upd2" not in cfg and "upd2" not in text and
           "netguest" in live, "net-update delete by MAC: gone from both XMLs and dnsmasq",
           r.describe() + live)
    r = virsh(uri, "net-update", "default", "delete", "ip-dhcp-host",
              "<host mac='52:54:00:4e:77:99'/>", "--live")
    tap.ok(r.rc == 1, "deleting a host the network lacks is refused", r.describe())
    rng = "<range start='192.168.122.2' end='192.168.122.20'/>"
    r = virsh(uri, "net-update", "default", "add-first", "ip-dhcp-range", rng, "--config")
    cfg = virsh(uri, "net-dumpxml", "--inactive", "default").out
    r2 = virsh(uri, "net-update", "default", "delete", "ip-dhcp-range", rng, "--config")
    cfg2 = virsh(uri, "net-dumpxml", "--inactive", "default").out
    tap.ok(r.rc == 0 and r2.rc == 0 and cfg.index(rng) < cfg.index("192.168.122.254") and
           rng not in cfg2, "net-update add-first and delete of a DHCP range in the config",
           r.describe() + r2.describe() + cfg)
    # DNS records: added live and to the config, answered by the network's
    # dnsmasq, a second one of the same name refused, deleted again
    dnshost = "<host ip='192.168.122.5'><hostname>dnsupd</hostname></host>"
    txt = "<txt name='upd-txt' value='hello \"there\"'/>"
    srv = "<srv service='ldap' protocol='tcp' target='dnsupd' port='389'/>"
    rs = [virsh(uri, "net-update", "default", "add", "dns-host", dnshost, "--live", "--config"),
          virsh(uri, "net-update", "default", "add-last", "dns-txt", txt, "--live", "--config"),
          virsh(uri, "net-update", "default", "add", "dns-srv", srv, "--live")]
    live, cfg = virsh(uri, "net-dumpxml", "default").out, \
        virsh(uri, "net-dumpxml", "--inactive", "default").out
    text = open(conf).read() if os.path.exists(conf) else ""
    a = dns_query("192.168.122.1", "dnsupd", 1)
    t = dns_query("192.168.122.1", "upd-txt", 16)
    tap.ok(all(x.rc == 0 for x in rs) and "<hostname>dnsupd</hostname>" in live and
           "<hostname>dnsupd</hostname>" in cfg and "upd-txt" in cfg and "ldap" not in cfg and
           "host-record=dnsupd,192.168.122.5" in text and
           'txt-record=upd-txt,"hello \\"there\\""' in text and
           "srv-host=_ldap._tcp,dnsupd,389" in text and
           a == [bytes([192, 168, 122, 5])] and t == [bytes([13]) + b'hello "there"'],
           "net-update add dns-host, dns-txt and dns-srv: in the XMLs asked, dnsmasq answers them",
           "".join(x.describe() for x in rs) + live + text + "\nA: %s, TXT: %s" % (a, t))
    # (libvirtd 9.0, 2026-12-07: a host of an address there already and a
    # TXT record of a name there already are refused, a TXT record is not
    # modified; a host of another address with a name in common is added)
    r = virsh(uri, "net-update", "default", "add", "dns-host",
              "<host ip='192.168.122.5'><hostname>other</hostname></host>", "--live")
    r2 = virsh(uri, "net-update", "default", "modify", "dns-txt", txt, "--live")
    r3 = virsh(uri, "net-update", "default", "add", "dns-txt",
               "<txt name='upd-txt' value='x'/>", "--live")
    tap.ok(r.rc == 1 and "matches the one to add already" in r.err and
           r2.rc == 1 and "cannot be modified" in r2.err and
           r3.rc == 1 and "matches the one to add already" in r3.err and
           "other" not in virsh(uri, "net-dumpxml", "default").out,
           "a second DNS host of the same address and a TXT record of the same name are "
           "refused, and a TXT record cannot be modified (as libvirt), nothing changes",
           r.describe() + r2.describe() + r3.describe())
    rs = [virsh(uri, "net-update", "default", "delete", "dns-host",
                "<host ip='192.168.122.5'/>", "--live", "--config"),
          virsh(uri, "net-update", "default", "delete", "dns-txt", "<txt name='upd-txt'/>",
                "--live", "--config"),
          virsh(uri, "net-update", "default", "delete", "dns-srv",
                "<srv service='ldap' protocol='tcp'/>", "--live")]
    live, cfg = virsh(uri, "net-dumpxml", "default").out, \
        virsh(uri, "net-dumpxml", "--inactive", "default").out
    a = dns_query("192.168.122.1", "dnsupd", 1)
    tap.ok(all(x.rc == 0 for x in rs) and "<dns" not in live and "<dns" not in cfg and
           a == [], "net-update delete of the three: gone from the XMLs and from DNS",
           "".join(x.describe() for x in rs) + live + "\nA: %s" % a)


def dns_query(server, name, qtype):
    """The answers' data (a list of bytes) of a DNS query of @name, type
    @qtype (1: A, 16: TXT), to @server's port 53; None without an answer
    within 3 s."""
    import socket
    import struct
    qid = os.getpid() & 0xffff
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        try:
            s.sendto(q, (server, 53))
            reply = s.recv(4096)
        except OSError:
            return None
    rid, flags, qd, an = struct.unpack(">HHHH", reply[:8])
    if rid != qid:
        return None
    off = 12
    for _ in range(qd):
        while reply[off] != 0:
            off += reply[off] + 1
        off += 5
    out = []
    for _ in range(an):
        if reply[off] & 0xc0 == 0xc0:
            off += 2
        else:
            while reply[off] != 0:
                off += reply[off] + 1
            off += 1
        rtype, _cls, _ttl, rdlen = struct.unpack(">HHIH", reply[off:off + 10])
        off += 10
        if rtype == qtype:
            out.append(reply[off:off + rdlen])
        off += rdlen
    return out


def check_hotplug(tap, uri, root, tmp):
    """Interfaces plugged into and unplugged from a running Linux guest
    (pc with ACPI PCI hot-plug, no interface at its start), as virsh
    attach-interface and detach-interface do it: one on network
    'default' (its tap made by QEMU, set up and put into virbr0 by the
    driver; the guest takes a DHCP lease through it and pings the host),
    one of type 'bridge' on virbr0; the first detached (the guest lets it
    go, its tap goes, the second keeps its QEMU id net1) and a third
    attached (net2, libvirt's next id, not the freed net0). The second's
    link is set down and up (domif-setlink), which the guest sees as its
    carrier, and its <source bridge> changed live (update-device): its
    tap moves to another bridge and back; a missing bridge is refused.
    The network's live XML counts the plugged interface on it
    (connections=''). A macvtap
    (type 'direct') is refused, and the taps go with the guest."""
    kit = guest_or_skip(tap, "interfaces hot-plugged into a guest", tmp, HP_INIT, "hpguest")
    if not kit:
        return
    kernel, initrd = kit
    serial = os.path.join(tmp, "hpguest-serial.log")
    path = os.path.join(tmp, "hpguest.xml")
    with open(path, "w") as f:
        f.write("""<domain type='qemu'>
  <name>hpguest</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>console=ttyS0 quiet</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <emulator>%s</emulator>
    <serial type='file'><source path='%s'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
""" % (kernel, initrd, QEMU, serial))
    r = virsh(uri, "create", path, timeout=120)
    text = wait_serial(serial, "HPGUEST-UP", 120)
    if not tap.ok(r.rc == 0 and "HPGUEST-UP" in text, "the hot-plug guest booted",
                  r.describe() + "\nserial:\n" + text[-2000:]):
        virsh(uri, "destroy", "hpguest")
        return
    a, b, c = HP_MACS
    conns0 = connections(uri, "default")
    r = virsh(uri, "attach-interface", "hpguest", "network", "default", "--model", "virtio",
              "--mac", a, "--live")
    conns1 = connections(uri, "default")
    nets = live_nets(uri, "hpguest")
    ta = nets.get(a, (None,) * 4)[1]
    tap.ok(r.rc == 0 and nets.get(a, (None,))[0] == "network" and nets[a][2] == "net0" and
           nets[a][3] == "virbr0" and ta and tap_master(ta) == "virbr0",
           "attach-interface network default --live: the live XML has it (alias net0, bridge "
           "virbr0, its tap), and its tap is in virbr0",
           "%s\n%r, master %s" % (r.describe(), nets, tap_master(ta)))
    text = wait_serial(serial, "ETH0-READY", 120)
    tap.ok(re.search(r"LEASE 192\.168\.122\.\d+", text) and "PING-OK" in text,
           "the guest takes a DHCP lease through the plugged interface and pings the host",
           "serial:\n" + text[-3000:])
    r = virsh(uri, "attach-interface", "hpguest", "bridge", "virbr0", "--model", "virtio",
              "--mac", b, "--live")
    conns2 = connections(uri, "default")
    nets = live_nets(uri, "hpguest")
    tb = nets.get(b, (None,) * 4)[1]
    tap.ok(r.rc == 0 and nets.get(b, (None,))[0] == "bridge" and nets[b][2] == "net1" and
           tb and tb != ta and tap_master(tb) == "virbr0",
           "attach-interface bridge virbr0 --live: alias net1, a tap of its own in virbr0",
           "%s\n%r, master %s" % (r.describe(), nets, tap_master(tb)))
    # let the guest's kernel see the slots before it is asked to eject
    time.sleep(2)
    r = virsh(uri, "detach-interface", "hpguest", "network", "--mac", a, "--live", timeout=60)
    text = wait_serial(serial, "ETH0-GONE", 60)
    conns3 = connections(uri, "default")
    tap.ok(conns1 == conns0 + 1 and conns2 == conns1 and conns3 == conns0 and
           connections(uri, "default", "--inactive") is None,
           "net-dumpxml of the network counts the interfaces of running domains on it "
           "(connections='N', libvirt's): one more while the plugged interface is on it, "
           "none for a bridge interface on its bridge; not in the inactive XML",
           repr((conns0, conns1, conns2, conns3)))
    nets = live_nets(uri, "hpguest")
    tap.ok(r.rc == 0 and "ETH0-GONE" in text and a not in nets and
           nets.get(b, (None,) * 4)[2] == "net1" and not link_info(ta)[0] and
           tap_master(tb) == "virbr0",
           "detach-interface --live: the guest lets it go, its tap goes; the other keeps net1 "
           "and its tap",
           "%s\n%r, %s exists: %s\nserial:\n%s" % (r.describe(), nets, ta, link_info(ta)[0],
                                                   text[-1500:]))
    r = virsh(uri, "domif-setlink", "hpguest", b, "down")
    text = wait_serial(serial, "ETH1-CARRIER-DOWN", 30)
    g = virsh(uri, "domif-getlink", "hpguest", b)
    tap.ok(r.rc == 0 and "ETH1-CARRIER-DOWN" in text and g.out.split() == [b, "down"],
           "domif-setlink down (update-device --live of <link state>): the guest sees no "
           "carrier, domif-getlink says down", r.describe() + g.describe())
    r = virsh(uri, "domif-setlink", "hpguest", b, "up")
    text = wait_serial(serial, "ETH1-CARRIER-UP", 30)
    g = virsh(uri, "domif-getlink", "hpguest", b)
    tap.ok(r.rc == 0 and "ETH1-CARRIER-UP" in text and g.out.split() == [b, "up"],
           "domif-setlink up: the carrier is back", r.describe() + g.describe())
    # update-device --live of its <source bridge>: the tap moves to the
    # other bridge and back, as libvirt moves it (qemuDomainChangeNet)
    import xml.etree.ElementTree as ET
    sh("ip", "link", "add", "name", "vgmupd0", "type", "bridge")
    sh("ip", "link", "set", "vgmupd0", "up")
    try:
        live = ET.fromstring(virsh(uri, "dumpxml", "hpguest").out)
        el = [i for i in live.findall("./devices/interface")
              if i.find("mac").get("address") == b][0]
        moved = []
        for br in ("vgmupd0", "virbr0"):
            el.find("source").set("bridge", br)
            dev = os.path.join(tmp, "upd-%s.xml" % br)
            with open(dev, "w") as f:
                f.write(ET.tostring(el, encoding="unicode"))
            r = virsh(uri, "update-device", "hpguest", dev, "--live")
            moved.append((r.rc, tap_master(tb), live_nets(uri, "hpguest").get(b, (None,) * 4)[3],
                          r.err.strip()))
        tap.eq(moved, [(0, "vgmupd0", "vgmupd0", ""), (0, "virbr0", "virbr0", "")],
               "update-device --live of the bridge interface's <source bridge>: its tap moves "
               "to the other bridge and back, the live XML says so")
        el.find("source").set("bridge", "vgmnone0")
        dev = os.path.join(tmp, "upd-none.xml")
        with open(dev, "w") as f:
            f.write(ET.tostring(el, encoding="unicode"))
        r = virsh(uri, "update-device", "hpguest", dev, "--live")
        tap.ok(r.rc != 0 and "vgmnone0" in r.err and tap_master(tb) == "virbr0" and
               live_nets(uri, "hpguest").get(b, (None,) * 4)[3] == "virbr0",
               "a bridge that does not exist is refused, naming it; the tap stays in virbr0",
               r.describe())
    finally:
        sh("ip", "link", "del", "vgmupd0")
    r = virsh(uri, "attach-interface", "hpguest", "network", "default", "--model", "virtio",
              "--mac", c, "--live")
    nets = live_nets(uri, "hpguest")
    tc = nets.get(c, (None,) * 4)[1]
    tap.ok(r.rc == 0 and nets.get(c, (None,) * 4)[2] == "net2" and tc and
           tap_master(tc) == "virbr0",
           "a third attach gets net2, one above the highest id, as libvirt names it",
           "%s\n%r" % (r.describe(), nets))
    r = virsh(uri, "attach-interface", "hpguest", "direct", "lo", "--live")
    tap.ok(r.rc != 0 and "cannot be attached to running domain 'hpguest': QEMU gets the file "
           "descriptors of its macvtap at a start" in r.err and len(live_nets(uri, "hpguest")) == 2,
           "a macvtap (type 'direct') is refused live, naming why; nothing changes",
           r.describe())
    dev = os.path.join(tmp, "backend-nic.xml")
    with open(dev, "w") as f:
        f.write("<interface type='network'><mac address='52:54:00:4e:00:09'/>"
                "<source network='default'/><model type='virtio'/>"
                "<backend tap='/dev/net/tun'/></interface>")
    r = virsh(uri, "attach-device", "hpguest", dev, "--live")
    tap.ok(r.rc != 0 and "interface '52:54:00:4e:00:09' cannot be attached to running domain "
           "'hpguest': QEMU gets the file descriptors of its tap (its <backend>) at a start"
           in r.err and len(live_nets(uri, "hpguest")) == 2,
           "a tap the driver opens (<backend tap>) is refused live, naming why; nothing changes",
           r.describe())
    virsh(uri, "destroy", "hpguest")
    tap.ok(not link_info(tb)[0] and not link_info(tc)[0],
           "the plugged interfaces' taps go with the guest", "%s %s" % (tb, tc))


V6_NET = """<network ipv6='yes'>
  <name>v6net</name>
  <forward mode='route'/>
  <bridge name='vgmv6br0'/>
  <ip address='192.168.150.1' netmask='255.255.255.0' localPtr='yes'/>
  <ip family='ipv6' address='fd00:150::1' prefix='64'>
    <dhcp>
      <range start='fd00:150::100' end='fd00:150::1ff'/>
      <host id='0:3:0:1:52:54:0:12:34:56' name='vm6' ip='fd00:150::10'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd00:151::1' localPtr='yes'/>
  <route address='192.168.222.0' prefix='24' gateway='192.168.150.2' metric='7'/>
  <route family='ipv6' address='fd00:222::' prefix='64' gateway='fd00:150::2'/>
</network>
"""

# a guest that only brings eth0 up: its kernel takes an IPv6 address from
# the network's router advertisements (SLAAC)
V6_INIT = INIT_HEAD + """/bin/busybox ip link set eth0 up
while true; do
    /bin/busybox echo "ADDRS $(/bin/busybox ip -6 addr show dev eth0 | /bin/busybox grep -o 'inet6 [^ ]*' | /bin/busybox tr '\\n' ' ')" > /dev/ttyS0
    /bin/busybox sleep 2
done
"""


def slaac_address(prefix, mac):
    """The address a Linux guest of MAC @mac makes in /64 @prefix (EUI-64)"""
    b = [int(x, 16) for x in mac.split(":")]
    b[0] ^= 0x02
    eui = b[:3] + [0xff, 0xfe] + b[3:]
    groups = ["%x" % ((eui[i] << 8) | eui[i + 1]) for i in range(0, 8, 2)]
    return prefix + ":".join(groups)


def check_ipv6(tap, uri, root, tmp):
    """An IPv6 network (routed, two IPv6 subnets, DHCPv6 on one): the
    bridge's addresses and settings, the ip6 firewall table, dnsmasq's
    DHCPv6 and router advertisement lines, and a guest that takes an
    address from the advertisements and answers a ping through it."""
    path = os.path.join(tmp, "v6net.xml")
    with open(path, "w") as f:
        f.write(V6_NET)
    r = virsh(uri, "net-define", path)
    dump = virsh(uri, "net-dumpxml", "v6net").out
    tap.ok(r.rc == 0 and "<network ipv6='yes'>" in dump and
           "<ip family='ipv6' address='fd00:150::1' prefix='64'>" in dump and
           "<host id='0:3:0:1:52:54:0:12:34:56' name='vm6' ip='fd00:150::10'/>" in dump and
           "<ip family='ipv6' address='fd00:151::1' localPtr='yes'/>" in dump,
           "net-define of an IPv6 network: net-dumpxml keeps ipv6='yes', the IPv6 <ip>s, "
           "the DHCPv6 range and host", r.describe() + dump)
    r = virsh(uri, "net-start", "v6net")
    addrs = sh("ip", "-6", "addr", "show", "dev", "vgmv6br0").out

    def sysctl(dev, key):
        return sysval("/proc/sys/net/ipv6/conf/%s/%s" % (dev, key))
    settings = (sysctl("vgmv6br0", "disable_ipv6"), sysctl("vgmv6br0", "accept_ra"),
                sysctl("vgmv6br0", "autoconf"), sysctl("all", "forwarding"))
    tap.ok(r.rc == 0 and "inet6 fd00:150::1/64" in addrs and "inet6 fd00:151::1/64" in addrs and
           settings == ("0", "0", "0", "1"),
           "net-start: the bridge has both IPv6 addresses, IPv6 on, no router advertisements "
           "taken, IPv6 forwarding on", r.describe() + addrs + repr(settings))
    routes = (sh("ip", "-4", "route", "show", "dev", "vgmv6br0").out +
              sh("ip", "-6", "route", "show", "dev", "vgmv6br0").out)
    tap.ok("192.168.222.0/24 via 192.168.150.2 metric 7" in routes and
           "fd00:222::/64 via fd00:150::2" in routes,
           "the network's static routes (IPv4 with a metric, IPv6) go through its bridge", routes)
    table = sh("nft", "list", "table", "ip6", "virt-gmem-vgmv6br0").out
    tap.ok("udp dport { 53, 547 } accept" in table and
           "ip6 saddr fd00:150::/64 accept" in table and
           "ip6 daddr fd00:151::/64 accept" in table,
           "the ip6 firewall table: DHCPv6 and DNS to dnsmasq, both subnets routed", table)
    conf = os.path.join(root, "run", "network", "v6net.conf")
    lines = open(conf).read().splitlines() if os.path.exists(conf) else []
    with open("/proc/net/udp6") as f:
        dhcp6 = any(l.split()[1].endswith(":0223") for l in f.read().splitlines()[1:])
    tap.ok(all(x in lines for x in ("dhcp-range=fd00:150::100,fd00:150::1ff,64",
                                    "dhcp-host=id:0:3:0:1:52:54:0:12:34:56,vm6,[fd00:150::10]",
                                    "host-record=vm6,fd00:150::10",
                                    "dhcp-range=fd00:151::,ra-only,64", "enable-ra",
                                    "local=/150.168.192.in-addr.arpa/",
                                    "local=/0.0.0.0.0.0.0.0.1.5.1.0.0.0.d.f.ip6.arpa/")) and dhcp6,
           "dnsmasq: the DHCPv6 range and host, router advertisements (ra-only on the "
           "subnet without DHCPv6), the localPtr reverse zones (IPv4 and IPv6), listening "
           "on the DHCPv6 port",
           "\n".join(lines) + "\nudp6 547: %s" % dhcp6)

    guest = network_guest(tap, "a guest on an IPv6 network", tmp, V6_INIT, "v6guest", "v6net")
    if guest:
        gpath, serial = guest
        r = virsh(uri, "create", gpath, timeout=120)
        want = slaac_address("fd00:151::", GUEST_MAC)
        ping = os.path.join(harness.BUILDDIR, "tests", "boottest-cache", "busybox", "bin",
                            "busybox")
        ok = False
        deadline = time.time() + 90
        while r.rc == 0 and not ok and time.time() < deadline:
            ok = harness.run([ping, "ping6", "-c", "1", "-W", "1", want], timeout=10).rc == 0
            if not ok:
                time.sleep(1)
        seen = ""
        if os.path.exists(serial):
            seen = "".join(l for l in open(serial, errors="replace") if l.startswith("ADDRS"))[-300:]
        tap.ok(ok, "a guest on the IPv6 network makes %s from the router advertisements and "
               "answers a ping there" % want, r.describe() + seen)
        virsh(uri, "destroy", "v6guest")
    r = virsh(uri, "net-destroy", "v6net")
    gone = sh("nft", "list", "table", "ip6", "virt-gmem-vgmv6br0")
    virsh(uri, "net-undefine", "v6net")
    tap.ok(r.rc == 0 and gone.rc != 0 and not os.path.exists("/sys/class/net/vgmv6br0"),
           "net-destroy takes the bridge and the ip6 table away", r.describe() + gone.out)


NAT6_NET = """<network>
  <name>nat6</name>
  <forward mode='nat'>
    <nat ipv6='yes'/>
  </forward>
  <bridge name='vgmnat6'/>
  <ip address='192.168.160.1' prefix='24'/>
  <ip family='ipv6' address='fd00:160::1' prefix='64'/>
</network>
"""

# a guest on network nat6 (an address of its own from the router
# advertisements) that pings an address beyond the host: the peer in a
# network namespace, which has no route back to fd00:160::/64
NAT6_INIT = INIT_HEAD + """/bin/busybox ip link set eth0 up
while true; do
    /bin/busybox ip -6 route add fd00:170::/64 via fd00:160::1 dev eth0 2>/dev/null
    if /bin/busybox ping6 -c 1 -W 2 fd00:170::2 > /dev/null 2>&1; then
        /bin/busybox echo NAT6-PING-OK > /dev/ttyS0
    else
        /bin/busybox echo "NAT6-PING-FAILED $(/bin/busybox ip -6 addr show dev eth0 | /bin/busybox grep -o 'inet6 [^ ]*' | /bin/busybox tr '\\n' ' ')" > /dev/ttyS0
    fi
    /bin/busybox sleep 1
done
"""


def check_nat_ipv6(tap, uri, tmp):
    """<nat ipv6='yes'> (libvirt's IPv6 masquerade): net-dumpxml keeps it,
    the ip6 table masquerades the IPv6 subnet (link-local multicast left
    alone) and lets only established traffic back in, and a guest on the
    network reaches a peer beyond the host that has no route back to the
    guest's subnet: it answers only because the host masquerades."""
    path = os.path.join(tmp, "nat6.xml")
    with open(path, "w") as f:
        f.write(NAT6_NET)
    r = virsh(uri, "net-create", path)
    dump = virsh(uri, "net-dumpxml", "nat6").out
    table = sh("nft", "list", "table", "ip6", "virt-gmem-vgmnat6").out
    tap.ok(r.rc == 0 and "<nat ipv6='yes'/>" in dump and
           "ip6 saddr fd00:160::/64 ip6 daddr ff02::/16 return" in table and
           re.search(r"ip6 saddr fd00:160::/64 ip6 daddr != fd00:160::/64 meta l4proto "
                     r"\{ tcp, udp \} masquerade to :1024-65535", table) and
           "ip6 daddr fd00:160::/64 ct state established,related accept" in table,
           "net-create of a NAT network with <nat ipv6='yes'>: net-dumpxml keeps it; the ip6 "
           "table masquerades the IPv6 subnet (not ff02::/16) and lets only established "
           "traffic back in", r.describe() + dump + table)
    guest = network_guest(tap, "a guest behind the IPv6 masquerade", tmp, NAT6_INIT,
                          "nat6guest", "nat6")
    if guest:
        gpath, serial = guest
        sh("ip", "netns", "add", "vgmnat6ns")
        try:
            for cmd in (("ip", "link", "add", "vgmn6h", "type", "veth", "peer", "name", "vgmn6p"),
                        ("ip", "link", "set", "vgmn6p", "netns", "vgmnat6ns"),
                        ("ip", "-6", "addr", "add", "fd00:170::1/64", "dev", "vgmn6h", "nodad"),
                        ("ip", "link", "set", "vgmn6h", "up"),
                        ("ip", "netns", "exec", "vgmnat6ns", "ip", "-6", "addr", "add",
                         "fd00:170::2/64", "dev", "vgmn6p", "nodad"),
                        ("ip", "netns", "exec", "vgmnat6ns", "ip", "link", "set", "vgmn6p", "up")):
                sh(*cmd)
            peer_routes = sh("ip", "netns", "exec", "vgmnat6ns", "ip", "-6", "route").out
            r = virsh(uri, "create", gpath, timeout=120)
            text = wait_serial(serial, "NAT6-PING-OK", 120)
            tap.ok(r.rc == 0 and "NAT6-PING-OK" in text and "fd00:160" not in peer_routes,
                   "a guest on the network pings a peer beyond the host that has no route to "
                   "the guest's subnet: the host masquerades its IPv6",
                   r.describe() + "\npeer's routes:\n" + peer_routes + "\nserial:\n" +
                   text[-1500:])
            virsh(uri, "destroy", "nat6guest")
        finally:
            sh("ip", "link", "del", "vgmn6h")
            sh("ip", "netns", "del", "vgmnat6ns")
    r = virsh(uri, "net-destroy", "nat6")
    tap.ok(r.rc == 0 and sh("nft", "list", "table", "ip6", "virt-gmem-vgmnat6").rc != 0,
           "net-destroy of the transient network takes its ip6 table away", r.describe())


def check_dnsmasq_options(tap, uri, root):
    """<dnsmasq:options> (libvirt's dnsmasq namespace): net-dumpxml keeps
    them, dnsmasq's configuration ends with them, and dnsmasq acts on
    them (an address=/NAME/ADDR option answers a DNS query of NAME)."""
    path = os.path.join(harness.SRCDIR, "tests", "networkxml2xmlin", "dnsmasq-options.xml")
    r = virsh(uri, "net-create", path)
    dump = virsh(uri, "net-dumpxml", "dnsopts").out
    conf = os.path.join(root, "run", "network", "dnsopts.conf")
    lines = open(conf).read().splitlines() if os.path.exists(conf) else []
    answer = dns_query("192.168.190.1", "gmem.test", 1)
    tap.ok(r.rc == 0 and "<dnsmasq:option value='address=/gmem.test/192.168.190.77'/>" in dump and
           lines[-2:] == ["dhcp-option=option:ntp-server,192.168.190.1",
                          "address=/gmem.test/192.168.190.77"] and
           answer == [bytes([192, 168, 190, 77])],
           "net-create with <dnsmasq:options>: net-dumpxml keeps them, they end dnsmasq's "
           "configuration, and dnsmasq answers gmem.test with the option's address",
           r.describe() + dump + "\n".join(lines[-4:]) + "\nanswer: %r" % (answer,))
    virsh(uri, "net-destroy", "dnsopts")


ZONE_NET = """<network>
  <name>zonenet</name>
  <forward mode='route'/>
  <bridge name='vgmzone0' zone='%s'/>
  <ip address='192.168.196.1' prefix='24'/>
</network>
"""


def check_zone(tap, uri, tmp):
    """<bridge zone=''> (a firewalld zone), against a stand-in firewalld on
    the daemon's system bus (a bus of this test's own, BUS): without
    firewalld the start is refused, as libvirt refuses it, and no bridge
    is left; with it, the bridge is put into the zone through firewalld's
    changeZoneOfInterface; a zone firewalld refuses refuses the start,
    with firewalld's words."""
    path = os.path.join(tmp, "zonenet.xml")
    with open(path, "w") as f:
        f.write(ZONE_NET % "trusted")
    r = virsh(uri, "net-create", path)
    tap.ok(r.rc == 1 and "it asks for firewalld zone 'trusted' (<bridge zone>), and firewalld "
           "is not running" in r.err and not os.path.exists("/sys/class/net/vgmzone0"),
           "<bridge zone> without firewalld: the start is refused, saying so; no bridge is left",
           r.describe())
    calls = os.path.join(tmp, "firewalld-calls")
    stub = subprocess.Popen(["/usr/bin/python3", os.path.join(harness.SRCDIR, "tests", "daemon",
                                                              "firewalldstub.py"),
                             BUS[0], calls], stdout=subprocess.PIPE, text=True)
    try:
        ready = stub.stdout.readline().strip()
        r = virsh(uri, "net-create", path)
        dump = virsh(uri, "net-dumpxml", "zonenet").out
        got = open(calls).read() if os.path.exists(calls) else ""
        tap.ok(ready == "ready" and r.rc == 0 and "zone='trusted'" in dump and
               got == "trusted vgmzone0\n",
               "<bridge zone='trusted'> with firewalld: net-dumpxml keeps it, the bridge is put "
               "into the zone (changeZoneOfInterface)", r.describe() + dump + "calls: %r" % got)
        virsh(uri, "net-destroy", "zonenet")
        with open(path, "w") as f:
            f.write(ZONE_NET % "nosuch")
        r = virsh(uri, "net-create", path)
        tap.ok(r.rc == 1 and "did not put bridge 'vgmzone0' of network 'zonenet' into zone "
               "'nosuch': INVALID_ZONE: nosuch" in r.err and
               not os.path.exists("/sys/class/net/vgmzone0"),
               "a zone firewalld refuses: the start is refused with firewalld's words, no bridge "
               "left", r.describe())
    finally:
        stub.kill()
        stub.wait()


def check_events(tap, uri, tmp):
    """Network lifecycle events (procedures 313-315) as virsh net-event
    prints them: a network defined, started, destroyed and undefined, then
    a transient one created and destroyed, each event once and in order;
    a second listener for one network sees only that network's."""
    path = os.path.join(tmp, "evnet.xml")
    with open(path, "w") as f:
        # a uuid of its own: a listener for one network follows its uuid
        f.write("<network><name>evnet</name><uuid>6b7c1e52-3f0a-4d9e-b2a1-0c5d8e7f9a10</uuid>"
                "<bridge name='vgmev0'/></network>")
    tpath = os.path.join(tmp, "evnet2.xml")
    with open(tpath, "w") as f:
        f.write("<network><name>evnet2</name><bridge name='vgmev1'/></network>")
    r0 = virsh(uri, "net-define", path)
    listeners = [subprocess.Popen([harness.VIRSH, "-c", uri, "net-event", "--event", "lifecycle",
                                   "--loop", "--timeout", "6"] + extra,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for extra in ([], ["--network", "evnet"])]
    time.sleep(1.5)
    steps = [virsh(uri, "net-undefine", "evnet"), virsh(uri, "net-define", path),
             virsh(uri, "net-start", "evnet"), virsh(uri, "net-destroy", "evnet"),
             virsh(uri, "net-undefine", "evnet"), virsh(uri, "net-create", tpath),
             virsh(uri, "net-destroy", "evnet2")]
    outs = [p.communicate(timeout=30)[0] for p in listeners]
    lines = [[ln for ln in o.splitlines() if ln.startswith("event 'lifecycle'")] for o in outs]
    want = ["event 'lifecycle' for network evnet: %s" % e
            for e in ("Undefined", "Defined", "Started", "Stopped", "Undefined")]
    tap.ok(r0.rc == 0 and all(x.rc == 0 for x in steps) and
           lines[0] == want + ["event 'lifecycle' for network evnet2: Started",
                               "event 'lifecycle' for network evnet2: Stopped"],
           "virsh net-event: a network's define, start, destroy and undefine, a transient "
           "one's create and destroy, in order",
           "\n".join(x.describe() for x in [r0] + steps if x.rc != 0) + "\n" + outs[0])
    tap.ok(lines[1] == want, "virsh net-event --network evnet: that network's events only",
           outs[1])


def run_tests(tap, d, tmp):
    uri = d.uri
    root = d.root

    r = virsh(uri, "net-list", "--all")
    tap.ok(r.rc == 0 and r.out == harness.virsh_table(["Name", "State", "Autostart",
                                                       "Persistent"], []),
           "net-list --all of a fresh daemon is empty", r.describe())

    netxml = os.path.join(tmp, "default.xml")
    with open(netxml, "w") as f:
        f.write(DEFAULT_NETWORK)
    r = virsh(uri, "net-define", netxml)
    tap.ok(r.rc == 0, "net-define network 'default'", r.describe())
    x = virsh(uri, "net-dumpxml", "default")
    mac = re.search(r"<mac address='(52:54:00:[0-9a-f:]{8})'/>", x.out)
    tap.ok("<bridge name='virbr0' stp='on' delay='0'/>" in x.out and mac is not None and
           re.search(r"<uuid>[0-9a-f-]{36}</uuid>", x.out) is not None,
           "its definition gets libvirt's defaults: bridge virbr0 with STP, a MAC, a uuid",
           x.describe())
    mac = mac.group(1) if mac else None
    second = os.path.join(tmp, "second.xml")
    with open(second, "w") as f:
        f.write(SECOND_NETWORK)
    r = virsh(uri, "net-define", second)
    x2 = virsh(uri, "net-dumpxml", "second")
    tap.ok(r.rc == 0 and "<bridge name='virbr1' " in x2.out,
           "a second network gets the next bridge, virbr1", r.describe() + x2.describe())
    other = DEFAULT_NETWORK.replace("<name>default</name>",
                                    "<name>default</name>\n  <uuid>0b0e5c2a-1111-4222-8333-444455556666</uuid>")
    otherxml = os.path.join(tmp, "other.xml")
    with open(otherxml, "w") as f:
        f.write(other)
    r = virsh(uri, "net-define", otherxml)
    tap.ok(r.rc != 0 and "network 'default' is already defined with uuid" in r.err,
           "a network of the same name with another uuid is refused", r.describe())
    info = virsh(uri, "net-info", "default")
    tap.ok(info.rc == 0 and re.search(r"Active:\s+no\n", info.out) and
           re.search(r"Persistent:\s+yes\n", info.out) and
           re.search(r"Autostart:\s+no\n", info.out) and re.search(r"Bridge:\s+virbr0\n", info.out),
           "net-info: inactive, persistent, no autostart, bridge virbr0", info.describe())

    # a domain on a network that is not running
    dom = os.path.join(tmp, "idle.xml")
    with open(dom, "w") as f:
        f.write("<domain type='qemu'><name>idle</name><memory unit='MiB'>64</memory>"
                "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>"
                "<interface type='network'><mac address='52:54:00:4e:77:02'/>"
                "<source network='default'/></interface></devices></domain>")
    r = virsh(uri, "create", dom)
    tap.ok(r.rc != 0 and "interface '52:54:00:4e:77:02': network 'default' is not active" in r.err,
           "a domain on a network that is not active is refused, naming both", r.describe())

    r = virsh(uri, "net-start", "default")
    tap.ok(r.rc == 0, "net-start default", r.describe())
    exists, link, addr = link_info("virbr0")
    tap.ok(exists and mac and ("link/ether %s " % mac) in link and "UP" in link.split(">")[0] and
           "inet 192.168.122.1/24 brd 192.168.122.255" in addr,
           "its bridge virbr0 is up with the network's MAC and address", link + addr)
    tables = sh("nft", "list", "table", "ip", "virt-gmem-virbr0")
    tap.ok(tables.rc == 0 and "masquerade to :1024-65535" in tables.out and
           'iifname "virbr0" udp dport { 53, 67 } accept' in tables.out,
           "the nftables table virt-gmem-virbr0 holds the NAT and DHCP/DNS rules",
           tables.describe())
    pids = dnsmasq_pids(root)
    with open("/proc/sys/net/ipv4/ip_forward") as f:
        forward = f.read().strip()
    # (a network without IPv6 has none on its bridge, as libvirt's: no
    # guest's router advertisement reaches the host through it)
    v6path = "/proc/sys/net/ipv6/conf/virbr0/disable_ipv6"
    v6off = open(v6path).read().strip() if os.path.exists(v6path) else "1"
    tap.ok(len(pids) == 1 and forward == "1" and v6off == "1",
           "dnsmasq runs on the network's configuration; IPv4 forwarding is on; IPv6 is off "
           "on the bridge of a network without it",
           "dnsmasq: %s, ip_forward: %s, disable_ipv6: %s" % (pids, forward, v6off))
    r = virsh(uri, "net-start", "default")
    tap.ok(r.rc != 0 and "network 'default' is already active" in r.err,
           "a second net-start is refused", r.describe())
    r = virsh(uri, "net-autostart", "default")
    lst = virsh(uri, "net-list", "--autostart")
    tap.ok(r.rc == 0 and re.search(r"default\s+active\s+yes\s+yes", lst.out),
           "net-autostart: net-list --autostart lists it active", lst.describe())

    # the daemon's restart leaves the network as it is
    d.stop()
    d2 = harness.Daemon(root=root)
    d2.start()
    uri = d2.uri
    try:
        info = virsh(uri, "net-info", "default")
        tap.ok(re.search(r"Active:\s+yes\n", info.out) and dnsmasq_pids(root) == pids and
               link_info("virbr0")[0],
               "after a daemon restart the network runs on: the same dnsmasq, the bridge",
               info.describe() + "\ndnsmasq now: %s, before: %s" % (dnsmasq_pids(root), pids))

        # a dnsmasq that died comes back with the next daemon
        for p in pids:
            os.kill(p, 9)
        d2.stop()
        d3 = harness.Daemon(root=root)
        d3.start()
        shutil.rmtree(d2.base, ignore_errors=True)
        d2, uri = d3, d3.uri
        again = dnsmasq_pids(root)
        tap.ok(len(again) == 1 and again != pids,
               "a dnsmasq that was killed is started again by the next daemon",
               "before: %s, now: %s" % (pids, again))

        check_guest(tap, uri, root, tmp)
        check_coalesce(tap, uri, root, tmp)
        check_isolated_ports(tap, uri, tmp)
        check_mac_table(tap, uri, tmp)
        check_iftune(tap, uri, root, tmp)
        check_portgroups(tap, uri, tmp)
        check_listen(tap, uri, root, tmp)
        check_hotplug(tap, uri, root, tmp)
        check_update(tap, uri, root)
        check_ipv6(tap, uri, root, tmp)
        check_nat_ipv6(tap, uri, tmp)
        check_dnsmasq_options(tap, uri, root)
        check_zone(tap, uri, tmp)

        # a definition given to net-create for a network that is defined
        # and not running becomes its live one (the stored one stays)
        uuid = virsh(uri, "net-uuid", "second").out.strip()
        second2 = os.path.join(tmp, "second2.xml")
        with open(second2, "w") as f:
            f.write("<network><name>second</name><uuid>%s</uuid>"
                    "<ip address='10.77.1.1' prefix='24'/></network>" % uuid)
        r = virsh(uri, "net-create", second2)
        x = virsh(uri, "net-dumpxml", "second")
        xi = virsh(uri, "net-dumpxml", "--inactive", "second")
        info2 = virsh(uri, "net-info", "second")
        tap.ok(r.rc == 0 and re.search(r"Active:\s+yes\n", info2.out) and
               re.search(r"Persistent:\s+yes\n", info2.out) and
               "<ip address='10.77.0.1' prefix='24'/>" in xi.out and
               "<ip address='10.77.1.1' prefix='24'/>" in x.out and
               "<bridge name='virbr1' " in x.out,
               "net-create of a defined network that is not running starts it, still persistent",
               r.describe() + info2.describe())
        virsh(uri, "net-destroy", "second")

        # names dnsmasq would read in its configuration file are kept out
        # of it: the pid and lease files are where they belong
        odd = os.path.join(tmp, "odd.xml")
        with open(odd, "w") as f:
            f.write('<network><name>a "q" #x</name><bridge name=\'vgmodd0\'/>'
                    "<ip address='10.80.0.1' prefix='24'><dhcp>"
                    "<range start='10.80.0.10' end='10.80.0.20'/></dhcp></ip></network>")
        r = virsh(uri, "net-define", odd)
        r2 = virsh(uri, "net-start", 'a "q" #x')
        pidfile = os.path.join(root, "run", "network", 'a "q" #x.pid')
        had = os.path.exists(pidfile) and len(dnsmasq_pids(root, 'a "q" #x')) == 1
        r3 = virsh(uri, "net-destroy", 'a "q" #x')
        virsh(uri, "net-undefine", 'a "q" #x')
        tap.ok(r.rc == 0 and r2.rc == 0 and had and r3.rc == 0 and
               not dnsmasq_pids(root, 'a "q" #x'),
               "a network named with quotes and '#': dnsmasq's pid file is its own, and "
               "net-destroy ends that dnsmasq",
               r.describe() + r2.describe() + r3.describe() +
               "\npid file there: %s, dnsmasq left: %s" % (had, dnsmasq_pids(root, 'a "q" #x')))

        # DNS forwarders and plain names kept local, in dnsmasq's
        # configuration as libvirt writes them (a forwarder of every domain
        # means no other upstream: no-resolv; a domain's without an address
        # goes to the usual servers: '#'; libvirt's test data
        # nat-network-dns-forwarders.conf)
        fwd = os.path.join(tmp, "fwd.xml")
        with open(fwd, "w") as f:
            f.write("<network><name>fwd</name><bridge name='vgmfwd0'/>"
                    "<dns forwardPlainNames='no'><forwarder addr='192.0.2.1'/>"
                    "<forwarder domain='corp.example' addr='192.0.2.2'/>"
                    "<forwarder domain='local.example'/></dns>"
                    "<ip address='10.83.0.1' prefix='24'/></network>")
        r = virsh(uri, "net-define", fwd)
        r2 = virsh(uri, "net-start", "fwd")
        conf = os.path.join(root, "run", "network", "fwd.conf")
        lines = open(conf).read().splitlines() if os.path.exists(conf) else []
        virsh(uri, "net-destroy", "fwd")
        virsh(uri, "net-undefine", "fwd")
        tap.ok(r.rc == 0 and r2.rc == 0 and
               all(x in lines for x in ("server=192.0.2.1", "server=/corp.example/192.0.2.2",
                                        "server=/local.example/#", "no-resolv", "domain-needed",
                                        "local=//")),
               "DNS forwarders and forwardPlainNames='no': dnsmasq's server=, no-resolv, "
               "domain-needed and local=// lines", r.describe() + r2.describe() + "\n".join(lines))

        # network boot: dnsmasq's TFTP server on the <tftp> root serves a
        # file (fetched with busybox's tftp client), and the <bootp> file
        # and server in dnsmasq's configuration (libvirt's
        # netboot-proxy-network.conf: dhcp-boot=FILE,,SERVER)
        tftproot = tempfile.mkdtemp(prefix="vgm-tftp-", dir="/tmp")
        os.chmod(tftproot, 0o755)
        with open(os.path.join(tftproot, "boot.img"), "w") as f:
            f.write("virt-gmem netboot\n")
        os.chmod(os.path.join(tftproot, "boot.img"), 0o644)
        nb = os.path.join(tmp, "nb.xml")
        with open(nb, "w") as f:
            f.write("<network><name>nb</name><bridge name='vgmnb0'/>"
                    "<ip address='10.84.0.1' prefix='24'><tftp root='%s'/>"
                    "<dhcp><range start='10.84.0.10' end='10.84.0.20'/>"
                    "<host mac='52:54:00:84:00:15' ip='10.84.0.15'>"
                    "<lease expiry='2' unit='hours'/></host>"
                    "<bootp file='boot.img' server='10.84.0.1'/></dhcp></ip></network>"
                    % tftproot)
        r = virsh(uri, "net-define", nb)
        r2 = virsh(uri, "net-start", "nb")
        conf = os.path.join(root, "run", "network", "nb.conf")
        lines = open(conf).read().splitlines() if os.path.exists(conf) else []
        got = os.path.join(tmp, "boot.got")
        bb = os.path.join(harness.BUILDDIR, "tests", "boottest-cache", "busybox", "bin", "busybox")
        fetched = os.access(bb, os.X_OK) and harness.run(
            [bb, "tftp", "-g", "-r", "boot.img", "-l", got, "10.84.0.1"], timeout=20).rc == 0
        content = open(got).read() if os.path.exists(got) else ""
        table = sh("nft", "list", "table", "ip", "virt-gmem-vgmnb0").out
        virsh(uri, "net-destroy", "nb")
        virsh(uri, "net-undefine", "nb")
        shutil.rmtree(tftproot, ignore_errors=True)
        tap.ok(r.rc == 0 and r2.rc == 0 and
               all(x in lines for x in ("enable-tftp", "tftp-root=" + tftproot,
                                        "dhcp-boot=boot.img,,10.84.0.1",
                                        "dhcp-host=52:54:00:84:00:15,10.84.0.15,2h")) and
               "udp dport { 53, 67, 69 } accept" in table and
               (content == "virt-gmem netboot\n" or not os.access(bb, os.X_OK)),
               "network boot: dnsmasq's TFTP server serves the <tftp> root (a file fetched "
               "over TFTP), dhcp-boot names the <bootp> file and server, TFTP let in; a "
               "DHCP host's own <lease> ends its dhcp-host line",
               r.describe() + r2.describe() + "\n".join(lines) + table +
               "\nfetched: %s %r" % (fetched, content))

        # two networks on one host bridge, as libvirt allows
        sh("ip", "link", "add", "name", "vgmhost0", "type", "bridge")
        for n in ("hb1", "hb2"):
            with open(os.path.join(tmp, n + ".xml"), "w") as f:
                f.write("<network><name>%s</name><forward mode='bridge'/>"
                        "<bridge name='vgmhost0'/></network>" % n)
        r = virsh(uri, "net-define", os.path.join(tmp, "hb1.xml"))
        r2 = virsh(uri, "net-define", os.path.join(tmp, "hb2.xml"))
        r3 = virsh(uri, "net-start", "hb1")
        r4 = virsh(uri, "net-start", "hb2")
        tap.ok(all(x.rc == 0 for x in (r, r2, r3, r4)),
               "two networks of mode 'bridge' on the same host bridge both run",
               "".join(x.describe() for x in (r, r2, r3, r4)))
        # a guest on such a network: its live XML shows the interface as the
        # host bridge it is, the network named, as libvirtd 9.0's does
        # (2026-12-07: <interface type='bridge'><source network='hb'
        # portid='...' bridge='...'/>); the transient domain's inactive XML,
        # its migratable XML and its save image's XML are the network
        # interface (libvirtd's the same); a daemon restart keeps the live
        # form; that live XML defined is the network interface (libvirt's
        # define makes it a bridge interface: virt-gmem keeps the network)
        path = small_domain(tmp, "onhb", "<interface type='network'><source network='hb1'/>"
                            "<model type='virtio'/></interface>")
        r = virsh(uri, "create", "--paused", path, timeout=120)
        live = virsh(uri, "dumpxml", "onhb").out
        inactive = virsh(uri, "dumpxml", "--inactive", "onhb").out
        migratable = virsh(uri, "dumpxml", "--migratable", "onhb").out
        tap.ok(r.rc == 0 and "<interface type='bridge'>" in live and
               "<source network='hb1' bridge='vgmhost0'/>" in live and
               all("<interface type='network'>" in x and "<source network='hb1'/>" in x and
                   "type='bridge'" not in x for x in (inactive, migratable)),
               "an interface on a network of mode 'bridge': the live XML shows type 'bridge' "
               "naming the network, the transient domain's inactive and migratable XML the "
               "network interface", r.describe() + live + inactive + migratable)
        image = os.path.join(tmp, "onhb.save")
        s1 = virsh(uri, "save", "onhb", image, timeout=120)
        saved = virsh(uri, "save-image-dumpxml", image).out
        s2 = virsh(uri, "restore", "--paused", image, timeout=120)
        restored = virsh(uri, "dumpxml", "onhb").out
        tap.ok(s1.rc == 0 and s2.rc == 0 and "<interface type='network'>" in saved and
               "<source network='hb1'/>" in saved and
               "<source network='hb1' bridge='vgmhost0'/>" in restored,
               "saved and restored: the image holds the network interface, the restored "
               "guest is on the network's bridge again",
               s1.describe() + s2.describe() + saved + restored)
        d2.stop()
        d2.start()
        again = virsh(uri, "dumpxml", "onhb").out
        tap.ok("<interface type='bridge'>" in again and
               "<source network='hb1' bridge='vgmhost0'/>" in again,
               "after a daemon restart the live XML still shows it so", again)
        virsh(uri, "destroy", "onhb")
        with open(os.path.join(tmp, "onhb-live.xml"), "w") as f:
            f.write(live.replace("<name>onhb</name>", "<name>onhb2</name>"))
        r = virsh(uri, "define", os.path.join(tmp, "onhb-live.xml"))
        config = virsh(uri, "dumpxml", "--inactive", "onhb2").out
        virsh(uri, "undefine", "onhb2")
        tap.ok(r.rc == 0 and "<interface type='network'>" in config and
               "<source network='hb1'/>" in config and "vgmhost0" not in config,
               "that live XML defined: the network interface", r.describe() + config)
        for n in ("hb1", "hb2"):
            virsh(uri, "net-destroy", n)
            virsh(uri, "net-undefine", n)
        sh("ip", "link", "del", "vgmhost0")

        r = virsh(uri, "net-destroy", "default")
        tap.ok(r.rc == 0 and not link_info("virbr0")[0] and
               "virt-gmem-virbr0" not in nft_tables() and not dnsmasq_pids(root),
               "net-destroy takes away the bridge, the nftables table and dnsmasq",
               r.describe() + "\ntables: %s\ndnsmasq: %s" % (nft_tables(), dnsmasq_pids(root)))

        # a transient network
        transient = os.path.join(tmp, "transient.xml")
        with open(transient, "w") as f:
            f.write("<network><name>transient</name><bridge name='vgmtr0'/>"
                    "<ip address='10.78.0.1' prefix='24'><dhcp>"
                    "<range start='10.78.0.10' end='10.78.0.20'/></dhcp></ip></network>")
        r = virsh(uri, "net-create", transient)
        lst = virsh(uri, "net-list", "--transient")
        ok = r.rc == 0 and re.search(r"transient\s+active\s+no\s+no", lst.out) and \
            link_info("vgmtr0")[0]
        r2 = virsh(uri, "net-destroy", "transient")
        lst2 = virsh(uri, "net-list", "--all")
        tap.ok(ok and r2.rc == 0 and "transient" not in lst2.out and not link_info("vgmtr0")[0],
               "net-create runs a transient network (isolated), which net-destroy ends for good",
               r.describe() + lst.describe() + r2.describe() + lst2.describe())

        # a bridge name an interface has already
        sh("ip", "link", "add", "name", "vgmbusy0", "type", "bridge")
        busy = os.path.join(tmp, "busy.xml")
        with open(busy, "w") as f:
            f.write("<network><name>busy</name><bridge name='vgmbusy0'/>"
                    "<ip address='10.79.0.1' prefix='24'><dhcp>"
                    "<range start='10.79.0.10' end='10.79.0.20'/></dhcp></ip></network>")
        virsh(uri, "net-define", busy)
        r = virsh(uri, "net-start", "busy")
        info = virsh(uri, "net-info", "busy")
        tap.ok(r.rc != 0 and "an interface named 'vgmbusy0', its bridge, exists already" in r.err
               and re.search(r"Active:\s+no\n", info.out) and not dnsmasq_pids(root) and
               "virt-gmem-vgmbusy0" not in nft_tables(),
               "a network whose bridge name an interface has fails to start, leaving nothing",
               r.describe() + info.describe())
        sh("ip", "link", "del", "vgmbusy0")

        # a network whose bridge went away while no daemon ran is inactive
        # for the next daemon, and what was left of it is gone
        virsh(uri, "net-start", "default")
        virsh(uri, "net-autostart", "--disable", "default")
        d2.stop()
        sh("ip", "link", "del", "virbr0")
        d3 = harness.Daemon(root=root)
        d3.start()
        shutil.rmtree(d2.base, ignore_errors=True)
        d2, uri = d3, d3.uri
        info = virsh(uri, "net-info", "default")
        tap.ok(re.search(r"Active:\s+no\n", info.out) and not dnsmasq_pids(root) and
               "virt-gmem-virbr0" not in nft_tables(),
               "a network whose bridge was removed while no daemon ran is inactive for the "
               "next one, its dnsmasq and table gone",
               info.describe() + "\ndnsmasq: %s, tables: %s" % (dnsmasq_pids(root), nft_tables()))

        check_events(tap, uri, tmp)

        r = virsh(uri, "net-undefine", "default")
        r2 = virsh(uri, "net-undefine", "second")
        r3 = virsh(uri, "net-undefine", "busy")
        lst = virsh(uri, "net-list", "--all")
        tap.ok(r.rc == 0 and r2.rc == 0 and r3.rc == 0 and
               lst.out == harness.virsh_table(["Name", "State", "Autostart", "Persistent"], []),
               "net-undefine of the inactive networks leaves none", lst.describe())
    finally:
        for name in ("default", "transient", "busy"):
            virsh(uri, "net-destroy", name)
        alive = d2.alive()
        rc = d2.stop()
        tap.ok(alive and rc == 0, "the restarted virtgmemd ran to the end and exited 0",
               "alive: %s, status %s; log:\n%s" % (alive, rc, d2.log_tail()))
        harness.kill_processes_naming(root + "/")
        shutil.rmtree(d2.base, ignore_errors=True)


def main():
    harness.use_system_python()
    why = harness.enter_private_netns()
    if why:
        harness.TAP.skip_all(why)
    for tool in ("virsh", "ip", "nft", "dnsmasq", "dbus-daemon", "bridge"):
        if not shutil.which(tool) and not os.access("/usr/sbin/" + tool, os.X_OK):
            harness.TAP.skip_all("%s is not installed" % tool)
    if not harness.wait_executable(harness.DAEMON):
        harness.TAP.skip_all("virtgmemd not built (%s)" % harness.DAEMON)
    tap = harness.TAP()
    tmp = tempfile.mkdtemp(prefix="vgm-networktest-")
    # tc, which only <bandwidth> runs, is a recording stand-in for the
    # daemons this program starts (see check_iftune)
    global TC_CALLS
    TC_CALLS = TC_CALLS_TEMPLATE % tmp
    fake = os.path.join(tmp, "bin")
    os.mkdir(fake)
    with open(os.path.join(fake, "tc"), "w") as f:
        f.write("#!/bin/sh\necho \"$*\" >> %s\n" % TC_CALLS)
    os.chmod(os.path.join(fake, "tc"), 0o755)
    os.environ["PATH"] = fake + ":" + os.environ.get("PATH", "/usr/bin:/bin")
    # the daemon's system bus is one of this test's own, where check_zone
    # puts a stand-in firewalld
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address",
                            "--address=unix:path=%s" % os.path.join(tmp, "bus")],
                           stdout=subprocess.PIPE, text=True)
    BUS[0] = bus.stdout.readline().strip()
    os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = BUS[0]
    d = harness.Daemon()
    try:
        d.start()
    except RuntimeError:
        bus.kill()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        harness.run_guarded(tap, run_tests, tap, d, tmp)
    finally:
        d.cleanup()
        bus.kill()
        bus.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(tap.done())


if __name__ == "__main__":
    main()
