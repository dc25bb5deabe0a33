#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""make-dmi-dump.py OUT: writes a made-up SMBIOS 3.0 table in the layout of
`dmidecode --dump-bin` (the entry point, then the table at offset 32), for
`dmidecode --from-dump OUT` to read as a host's. It has what libvirt's
host <sysinfo> shows: BIOS (type 0), system (1), two base boards (2),
chassis (3), two processors (4), OEM strings (11, one with a new line and
one with XML's special characters) and two memory slots (17, one empty),
then the end of table (127). The values are invented; the layout follows
the SMBIOS 3.0 specification (DSP0134)."""

import struct
import sys


def structure(typ, handle, body, strings):
    """A structure: its header, its formatted area @body, its strings"""
    head = struct.pack("<BBH", typ, 4 + len(body), handle)
    text = b"".join(s.encode() + b"\0" for s in strings) + b"\0"
    if not strings:
        text = b"\0\0"
    return head + body + text


def main():
    out = sys.argv[1]
    t = []
    # BIOS: vendor 1, version 2, segment, date 3, ROM size, characteristics
    # (bit 3: not supported), extension bytes, release 1.16, no EC
    t.append(structure(0, 0x0000,
                       struct.pack("<BBHBBQBBBBBB", 1, 2, 0xE800, 3, 0, 0x08, 0, 0, 1, 16,
                                   0xFF, 0xFF),
                       ["Example Firmware Co.", "2.7.1", "03/14/2024"]))
    # system: manufacturer 1, product 2, version 3, serial 4, UUID, wake-up
    # (power switch), SKU 5, family 6
    uuid = bytes.fromhex("33221100554477668899aabbccddeeff")
    t.append(structure(1, 0x0100,
                       struct.pack("<BBBB", 1, 2, 3, 4) + uuid + struct.pack("<BBB", 6, 5, 6),
                       ["Example Systems", "Model 7 <rack>", "Rev A", "SN-0001", "SKU-77",
                        "Servers & Co"]))
    # base boards: manufacturer, product, version, serial, asset, flags
    # (hosting board), location, chassis handle, type (motherboard), no
    # contained handles
    for h, n in ((0x0200, "1"), (0x0201, "2")):
        t.append(structure(2, h,
                           struct.pack("<BBBBBBBHBB", 1, 2, 3, 4, 5, 1, 6, 0x0300, 0x0A, 0),
                           ["Example Boards", "Board " + n, "1.0", "BSN-" + n, "Asset " + n,
                            "Slot " + n]))
    # chassis: manufacturer 1, type (rack mount), version 2, serial 3,
    # asset 4, states safe, no security, OEM 0, height 2U, 2 cords, no
    # contained elements, SKU 5
    t.append(structure(3, 0x0300,
                       struct.pack("<BBBBBBBBBIBBBBB", 1, 0x17, 2, 3, 4, 3, 3, 3, 3, 0, 2, 2, 0, 0,
                                   5),
                       ["Example Chassis", "C1", "CSN-9", "Chassis Asset", "CH-SKU"]))
    # processors: socket 1, central, family Xeon, manufacturer 2, id
    # (family 6 model 85 stepping 7), version 3, voltage, external clock
    # 100 MHz, max 4000, current 2100, populated and enabled, upgrade
    # (socket LGA3647-1), no caches, serial 4, asset 5, part 6, cores and
    # threads, characteristics (64-bit), family 2 (Xeon)
    for h, n in ((0x0400, "0"), (0x0401, "1")):
        t.append(structure(4, h,
                           struct.pack("<BBBBIIBBHHHBBHHHBBBBBBHH", 1, 3, 0xB3, 2, 0x00050657,
                                       0xBFEBFBFF, 3, 0x80 | 11, 100, 4000, 2100, 0x41, 0x36,
                                       0xFFFF, 0xFFFF, 0xFFFF, 4, 5, 6, 8, 8, 16, 0x04, 0xB3),
                           ["CPU " + n, "Example Silicon", "Example CPU 8 @ 2.10GHz",
                            "PSN-" + n, "CPU Asset " + n, "PN-CPU"]))
    # OEM strings: a plain one, one with a new line, one with XML's
    # special characters
    t.append(structure(11, 0x0B00, struct.pack("<B", 3),
                       ["plain oem string", "line one\nline two", "a<b & 'c' \"d\""]))
    # memory: array handle, no error info, widths 72/64, 16384 MB, DIMM, no
    # set, locator 1, bank 2, DDR4, synchronous registered, 3200 MT/s,
    # manufacturer 3, serial 4, asset 5, part 6, rank 2, no extended size,
    # configured 2933 MT/s, 1.2 V; then an empty slot
    t.append(structure(17, 0x1100,
                       struct.pack("<HHHHHBBBBBHHBBBBBIHHHH", 0x1000, 0xFFFE, 72, 64, 16384, 0x09,
                                   0, 1, 2, 0x1A, 0x2080, 3200, 3, 4, 5, 6, 2, 0, 2933, 1200,
                                   1200, 1200),
                       ["DIMM A1", "BANK 0", "Example Memory", "MSN-1", "Mem Asset",
                        "PN-MEM-16G"]))
    t.append(structure(17, 0x1101,
                       struct.pack("<HHHHHBBBBBHHBBBBBIHHHH", 0x1000, 0xFFFE, 0xFFFF, 0xFFFF, 0,
                                   0x09, 0, 1, 2, 0x02, 0x0004, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                   0),
                       ["DIMM A2", "BANK 1"]))
    t.append(structure(127, 0x7F00, b"", []))
    table = b"".join(t)
    # the 64-bit entry point: anchor, checksum, length 24, version 3.0.0,
    # revision 1, the table's maximum size and its address (32 in a dump)
    ep = bytearray(b"_SM3_" + struct.pack("<BBBBBBBIQ", 0, 0x18, 3, 0, 0, 1, 0, len(table), 32))
    ep[5] = (-sum(ep)) & 0xFF
    with open(out, "wb") as f:
        f.write(bytes(ep).ljust(32, b"\0") + table)


if __name__ == "__main__":
    main()
