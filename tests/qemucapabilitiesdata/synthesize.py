#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# synthesize.py: builds the synthesized QEMU capability sets from the one
# captured from Debian's QEMU 10.0 (qemu-10.0-debian.json).
#
# Each synthesized set stands for a QEMU we cannot run here: upstream 10.1,
# and 10.1 plus one of the competing guest_memfd spellings (see
# docs/domain-xml-extension.md section 5 and qemu-interfaces.md section 2).
# qemu-10.1 is the captured 10.0 set plus the documented 10.0 -> 10.1 deltas
# below, nothing else (machine types, machine properties, devices and
# everything else the driver does not emit are as captured from 10.0), so
# the files stay reviewable. What the driver relies on that 10.0 already
# has (sev-snp-guest, memory-backend-shm, aux-ram-share, cpr-transfer, ...)
# is checked in the capture rather than added: a recapture that loses it
# stops this script instead of silently changing the synthesized sets.
#
# Where qemu-interfaces.md names a property without its type, the type is
# QEMU's QAPI type (qapi/qom.json) as introspection reports it: every integer
# type (uint32, uint64, size) is "int", SocketAddress is "object", OnOffAuto
# is the enum [auto, on, off].
#
# Usage: synthesize.py          rewrite the synthesized sets
#        synthesize.py --check  exit 1 if any file differs from what would
#                               be written (run by meson test)
#
# The output is the canonical form vgmQemuCapsFormat writes (sorted keys,
# two-space indent, trailing newline), so format(load(file)) == file.

import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = "qemu-10.0-debian"

ON_OFF_AUTO = {"enum": ["auto", "on", "off"]}

# What 10.1 has that 10.0 already had, in the shape the driver relies on;
# the capture must show it (see the header).
EXPECT_OBJECTS = {
    # sev-snp-guest (9.1): SevCommonProperties + SevSnpGuestProperties.
    # secure-tsc is 10.2 and therefore absent.
    "sev-snp-guest": {
        "sev-device": "str",
        "cbitpos": "int",               # uint32
        "reduced-phys-bits": "int",     # uint32
        "kernel-hashes": "bool",
        "policy": "int",                # uint64
        "guest-visible-workarounds": "str",
        "id-block": "str",
        "id-auth": "str",
        "author-key-enabled": "bool",
        "host-data": "str",
        "vcek-disabled": "bool",
    },
}
EXPECT_MEMBERS = [
    # memory-backend-file: offset (QAPI size, 8.1), rom (OnOffAuto, 8.2).
    ("memory-backend-file", "offset", "int"),
    ("memory-backend-file", "rom", ON_OFF_AUTO),
    # sev-guest: legacy-vm-type (OnOffAuto since 9.1).
    ("sev-guest", "legacy-vm-type", ON_OFF_AUTO),
]
EXPECT_MACHINE_PROPS = {"aux-ram-share": "bool"}     # 10.0
EXPECT_FLAGS = [
    "file.rom",
    "machine.aux-ram-share",
    "migrate.cpr-transfer",             # 10.0
    "object.memory-backend-shm",        # 9.1
    "object.sev-snp-guest",
    "sev-snp.host-data",
    "sev-snp.id-block",
    "sev-snp.kernel-hashes",
]


def load(name):
    with open(os.path.join(HERE, name + ".json"), encoding="utf-8") as f:
        return json.load(f)


def dump(caps):
    caps["flags"] = sorted(set(caps["flags"]))
    caps["machines"] = sorted(caps["machines"], key=lambda m: m["name"])
    return json.dumps(caps, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def common_backend_members(caps):
    # MemoryBackendProperties, as captured for memory-backend-ram (which has
    # no members of its own).
    return copy.deepcopy(caps["objects"]["memory-backend-ram"])


def check_base(base):
    """The facts of the header, as the 10.0 capture must show them."""
    problems = []
    objects = base["objects"]
    for qom, members in EXPECT_OBJECTS.items():
        if objects.get(qom) != members:
            problems.append("object %s is not %s" % (qom, json.dumps(members, sort_keys=True)))
    if objects.get("memory-backend-shm") != common_backend_members(base):
        problems.append("memory-backend-shm does not have exactly the common backend members")
    for qom, member, typ in EXPECT_MEMBERS:
        if objects.get(qom, {}).get(member) != typ:
            problems.append("object %s member %s is not %s" % (qom, member, json.dumps(typ)))
    for prop, typ in EXPECT_MACHINE_PROPS.items():
        if base["machine"]["props"].get(prop) != typ:
            problems.append("machine property %s is not %s" % (prop, typ))
    for flag in EXPECT_FLAGS:
        if flag not in base["flags"]:
            problems.append("flag %s is not set" % flag)
    for flag in ("object.tdx-guest", "tdx.quote-generation-socket"):
        if flag in base["flags"]:
            problems.append("flag %s is set, but tdx-guest is new in 10.1" % flag)
    if problems:
        raise SystemExit("%s.json does not show what qemu-10.1 keeps from 10.0:\n  %s"
                         % (BASE, "\n  ".join(problems)))


def qemu_10_1(base):
    check_base(base)
    caps = copy.deepcopy(base)
    caps["name"] = "qemu-10.1"
    caps["description"] = (
        "Synthesized by synthesize.py from qemu-10.0-debian: upstream QEMU "
        "10.1 as merged, which adds tdx-guest to what 10.0 has (sev-snp-guest "
        "since 9.1, memory-backend-shm since 9.1, machine property "
        "aux-ram-share and migration mode cpr-transfer since 10.0, "
        "memory-backend-file offset since 8.1 and rom since 8.2); no "
        "user-visible guest_memfd spelling. Machine types, machine properties, "
        "devices and everything the driver does not emit are as captured from "
        "10.0, plus pc-q35-10.1 / pc-i440fx-10.1 carrying the q35 / pc "
        "aliases. Its host CPU under KVM (cpu.kvm) is a copy of the one "
        "captured under TCG (cpu.tcg).")
    caps["version"] = "10.1.0"
    caps.pop("package", None)
    # Stands for a KVM host, whose CPU (for host-model) is taken to be the
    # one TCG emulates: no KVM host CPU was captured.
    caps["kvm"] = {"enabled": True, "present": True}
    caps["cpu"]["kvm"] = copy.deepcopy(caps["cpu"]["tcg"])

    # Machine types: the 10.1 ones take over the aliases and the default;
    # their QOM properties are those of the 10.0 types.
    for m in caps["machines"]:
        m.pop("alias", None)
        m["is-default"] = False
    caps["machines"].append({
        "name": "pc-q35-10.1", "alias": "q35", "is-default": False,
        "default-ram-id": "pc.ram", "deprecated": False,
        "cpu-max": 4096,  # q35 allows 4096 vCPUs since QEMU 9.0
    })
    caps["machines"].append({
        "name": "pc-i440fx-10.1", "alias": "pc", "is-default": True,
        "default-ram-id": "pc.ram", "deprecated": False, "cpu-max": 255,
    })
    caps["machine"]["type"] = "pc-q35-10.1"

    # tdx-guest (10.1): TdxGuestProperties.
    caps["objects"]["tdx-guest"] = {
        "attributes": "int",            # uint64
        "sept-ve-disable": "bool",
        "mrconfigid": "str",
        "mrowner": "str",
        "mrownerconfig": "str",
        "quote-generation-socket": "object",  # SocketAddress
    }
    caps["flags"] += [
        "object.tdx-guest",
        "tdx.quote-generation-socket",
    ]
    return caps


def gmem_memfd(base):
    caps = qemu_10_1(base)
    caps["name"] = "qemu-gmem-memfd"
    caps["description"] = (
        "Synthesized by synthesize.py: qemu-10.1 plus Peter Xu, "
        "\"KVM/hostmem: Support init-shared guest-memfd as VM backends\", "
        "v3 2025-12 (qemu-devel): memory-backend-memfd gains the member "
        "guest-memfd (bool, requires share).")
    caps["objects"]["memory-backend-memfd"]["guest-memfd"] = "bool"
    caps["flags"] += ["memfd.guest-memfd"]
    return caps


def gmem_inplace(base):
    caps = qemu_10_1(base)
    caps["name"] = "qemu-gmem-inplace"
    caps["description"] = (
        "Synthesized by synthesize.py: qemu-10.1 plus AMD's in-place "
        "conversion branches (AMDESE/qemu snp-inplace-*) and the RFC "
        "\"guest_memfd: support in-place memory conversion\" (Michael Roth, "
        "qemu-devel 2026-05-28): the object type memory-backend-guest-memfd "
        "(common backend members only) and, on the confidential-guest-support "
        "base class so on sev-snp-guest and tdx-guest, convert-in-place "
        "(bool), gmem-allocator (enum normal, hugetlb) and gmem-page-size "
        "(bytes).")
    objects = caps["objects"]
    objects["memory-backend-guest-memfd"] = common_backend_members(caps)
    for cgs in ("sev-snp-guest", "tdx-guest"):
        objects[cgs]["convert-in-place"] = "bool"
        objects[cgs]["gmem-allocator"] = {"enum": ["normal", "hugetlb"]}
        objects[cgs]["gmem-page-size"] = "int"
    caps["flags"] += [
        "cgs.gmem-allocator",
        "cgs.gmem-page-size",
        "object.memory-backend-guest-memfd",
        "sev-snp.convert-in-place",
        "tdx.convert-in-place",
    ]
    return caps


def gmem_machine(base):
    caps = qemu_10_1(base)
    caps["name"] = "qemu-gmem-machine"
    caps["description"] = (
        "Synthesized by synthesize.py: qemu-10.1 plus the machine property "
        "in-place-conversion (bool) proposed in the guest_memfd in-place "
        "conversion design discussion (2026-06): one per-VM knob that makes "
        "every memory-backend-memfd a guest_memfd.")
    caps["machine"]["props"]["in-place-conversion"] = "bool"
    caps["flags"] += ["machine.in-place-conversion"]
    return caps


SETS = [qemu_10_1, gmem_memfd, gmem_inplace, gmem_machine]


def main(argv):
    check = "--check" in argv[1:]
    base = load(BASE)
    stale = []
    for build in SETS:
        caps = build(base)
        path = os.path.join(HERE, caps["name"] + ".json")
        text = dump(caps)
        if check:
            try:
                with open(path, encoding="utf-8") as f:
                    current = f.read()
            except OSError:
                current = None
            if current != text:
                stale.append(path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if stale:
        for path in stale:
            print("out of date: %s (run %s)" % (path, argv[0]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
