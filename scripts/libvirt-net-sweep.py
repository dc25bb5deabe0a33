#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs libvirt 9.0's own network XML test inputs (networkxml2xmlin,
networkxml2confdata, networkxml2firewalldata) through libvirtd and through
virtgmemd, and compares what each accepts (net-define), what each writes
back (net-dumpxml of libvirt's own dump given to both) and, with --start,
whether virt-gmem starts each network it accepts. docs/libvirt-sweep.rst
("The network inputs") has the rules and the results; run it through
scripts/libvirt-sweep.sh --networks.

    /usr/bin/python3 scripts/libvirt-net-sweep.py --src DIR --uri LIBVIRT_URI
        --ours VIRTGMEMD_URI --out OUT [--start]

Writes OUT/networks.tsv (one line per input: name, libvirt's answer,
virt-gmem's, the comparison) and OUT/networks-summary.txt.
"""
import argparse
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

import libvirt

DIRS = ("networkxml2xmlin", "networkxml2confdata", "networkxml2firewalldata")


def quiet(ctx, err):
    pass


def canon(text):
    """The XML of a network as a comparable string: whitespace between
    elements and the order of attributes do not count, nor does an empty
    element written as a pair of tags."""
    return ET.canonicalize(text, strip_text=True)


def define(conn, xml):
    """(True, dump) or (False, 'CODE message'); the network is undefined
    again either way."""
    try:
        net = conn.networkDefineXML(xml)
    except libvirt.libvirtError as e:
        return False, "%d %s" % (e.get_error_code(), e.get_error_message())
    try:
        return True, net.XMLDesc(0)
    finally:
        net.undefine()


def start(conn, xml):
    """'' when the network defined from @xml starts (it is then stopped and
    undefined), else the error."""
    try:
        net = conn.networkDefineXML(xml)
    except libvirt.libvirtError as e:
        return "define: %s" % e.get_error_message()
    try:
        net.create()
        net.destroy()
        return ""
    except libvirt.libvirtError as e:
        return e.get_error_message()
    finally:
        net.undefine()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--src", required=True, help="libvirt's tests/ directory")
    p.add_argument("--uri", required=True, help="libvirtd's URI")
    p.add_argument("--ours", required=True, help="virtgmemd's URI")
    p.add_argument("--out", required=True)
    p.add_argument("--start", action="store_true",
                   help="start every network virt-gmem accepts (bridges, nftables, dnsmasq)")
    p.add_argument("--header", help="a file of versions to put first in the summary")
    a = p.parse_args()
    libvirt.registerErrorHandler(quiet, None)
    ref = libvirt.open(a.uri)
    ours = libvirt.open(a.ours)
    for c in (ref, ours):
        if "vgmsweep-net" in c.listNetworks() + c.listDefinedNetworks():
            sys.exit("a network 'vgmsweep-net' is already defined on %s" % c.getURI())
    os.makedirs(a.out, exist_ok=True)

    rows = []
    for d in DIRS:
        for path in sorted(glob.glob(os.path.join(a.src, d, "*.xml"))):
            name = "%s/%s" % (d, os.path.basename(path)[:-4])
            # a name of the sweep's own: many inputs are 'default', which
            # libvirtd already has
            xml = re.sub(r"<name>[^<]*</name>", "<name>vgmsweep-net</name>",
                         open(path).read(), count=1)
            lv_ok, lv = define(ref, xml)
            our_ok, our = define(ours, xml)
            same = started = ""
            if lv_ok and our_ok:
                # libvirt's dump (its uuid, MAC and bridge name filled in)
                # given to virt-gmem: its dump must be libvirt's
                back_ok, back = define(ours, lv)
                if not back_ok:
                    same = "export refused: " + back
                elif canon(back) == canon(lv):
                    same = "same"
                else:
                    same = "differs"
                    with open(os.path.join(a.out, name.replace("/", "--") + ".diff"), "w") as f:
                        f.write("libvirt:\n%s\nvirt-gmem:\n%s\n" % (lv, back))
            if our_ok and a.start:
                started = start(ours, our) or "started"
            rows.append((name, "accepted" if lv_ok else "refused: " + lv,
                         "accepted" if our_ok else "refused: " + our, same, started))

    with open(os.path.join(a.out, "networks.tsv"), "w") as f:
        for r in rows:
            f.write("\t".join(x.replace("\n", " ") for x in r) + "\n")
    lv_acc = [r for r in rows if r[1] == "accepted"]
    both = [r for r in lv_acc if r[2] == "accepted"]
    only_ours = [r for r in rows if r[1] != "accepted" and r[2] == "accepted"]
    lines = []
    if a.header and os.path.exists(a.header):
        lines.append(open(a.header).read().rstrip("\n"))
        lines.append("")
    lines += [
        "inputs                                   %d" % len(rows),
        "libvirt accepts                          %d" % len(lv_acc),
        "virt-gmem accepts of those               %d" % len(both),
        "  its net-dumpxml of libvirt's export    same in %d" % sum(r[3] == "same" for r in both),
        "libvirt refuses, virt-gmem accepts       %d" % len(only_ours),
    ]
    if a.start:
        acc = [r for r in rows if r[2] == "accepted"]
        lines.append("virt-gmem started                        %d of %d"
                     % (sum(r[4] == "started" for r in acc), len(acc)))
    lines += ["", "libvirt accepts, virt-gmem refuses:"]
    lines += ["  %s: %s" % (r[0], r[2][len("refused: "):]) for r in lv_acc if r[2] != "accepted"]
    lines += ["", "both accept, the dumps differ:"]
    lines += ["  %s: %s" % (r[0], r[3]) for r in both if r[3] != "same"]
    lines += ["", "libvirt refuses, virt-gmem accepts:"]
    lines += ["  %s: libvirt %s" % (r[0], r[1][len("refused: "):]) for r in only_ours]
    if a.start:
        lines += ["", "virt-gmem accepts, its start fails:"]
        lines += ["  %s: %s" % (r[0], r[4]) for r in rows
                  if r[2] == "accepted" and r[4] != "started"]
    with open(os.path.join(a.out, "networks-summary.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
