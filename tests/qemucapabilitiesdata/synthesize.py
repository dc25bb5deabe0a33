#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# synthesize.py: builds the synthesized QEMU capability sets from the one
# captured from a real binary (qemu-7.2-debian.json).
#
# Each synthesized set stands for a QEMU we cannot run here: upstream 10.1,
# and 10.1 plus one of the competing guest_memfd spellings (see
# docs/domain-xml-extension.md section 5 and qemu-interfaces.md section 2).
# Every set is the captured 7.2 set plus the documented deltas below, nothing
# else; anything 7.2 and 10.1 differ in that the driver does not emit is left
# as captured, so the files stay reviewable.
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
BASE = "qemu-7.2-debian"

ON_OFF_AUTO = {"enum": ["auto", "on", "off"]}


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


def qemu_10_1(base):
    caps = copy.deepcopy(base)
    caps["name"] = "qemu-10.1"
    caps["description"] = (
        "Synthesized by synthesize.py from qemu-7.2-debian: upstream QEMU 10.1 "
        "as merged (sev-snp-guest since 9.1, tdx-guest since 10.1, "
        "memory-backend-shm since 9.1, machine property aux-ram-share since "
        "10.0, memory-backend-file offset since 8.1 and rom since 8.2); no "
        "user-visible guest_memfd spelling. Machine types, devices and "
        "everything the driver does not emit are as captured from 7.2, plus "
        "pc-q35-10.1 / pc-i440fx-10.1 carrying the q35 / pc aliases.")
    caps["version"] = "10.1.0"
    caps.pop("package", None)
    # Stands for a KVM host.
    caps["kvm"] = {"enabled": True, "present": True}

    # Machine types: the 10.1 ones take over the aliases and the default.
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
    caps["machine"]["props"]["aux-ram-share"] = "bool"

    objects = caps["objects"]
    # memory-backend-file: offset (QAPI size, 8.1), rom (OnOffAuto, 8.2).
    objects["memory-backend-file"]["offset"] = "int"
    objects["memory-backend-file"]["rom"] = copy.deepcopy(ON_OFF_AUTO)
    # memory-backend-shm (9.1): no members of its own.
    objects["memory-backend-shm"] = common_backend_members(caps)
    # sev-guest: legacy-vm-type (OnOffAuto since 9.1).
    objects["sev-guest"]["legacy-vm-type"] = copy.deepcopy(ON_OFF_AUTO)
    # sev-snp-guest (9.1): SevCommonProperties + SevSnpGuestProperties.
    # secure-tsc is 10.2 and therefore absent.
    objects["sev-snp-guest"] = {
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
    }
    # tdx-guest (10.1): TdxGuestProperties.
    objects["tdx-guest"] = {
        "attributes": "int",            # uint64
        "sept-ve-disable": "bool",
        "mrconfigid": "str",
        "mrowner": "str",
        "mrownerconfig": "str",
        "quote-generation-socket": "object",  # SocketAddress
    }

    caps["flags"] += [
        "file.rom",
        "machine.aux-ram-share",
        "object.memory-backend-shm",
        "object.sev-snp-guest",
        "object.tdx-guest",
        "sev-snp.host-data",
        "sev-snp.id-block",
        "sev-snp.kernel-hashes",
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
