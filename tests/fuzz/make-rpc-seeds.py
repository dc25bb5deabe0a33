#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""make-rpc-seeds.py: seed frames for tests/fuzz/rpcfuzz.c.

Usage: make-rpc-seeds.py --rpcgen scripts/rpcgen.py --remote remote_protocol.x
                         --rpc vgm_rpc_protocol.x --outdir DIR --manifest FILE

Reads the two protocol descriptions with the parser of scripts/rpcgen.py
(so the seeds follow the .x files as they change) and writes into DIR one
file per frame (libvirt's framing: a length word that counts itself, six
header words, the XDR payload):

  call-NNN-NAME-{min,full}   a REMOTE call of every dispatched procedure,
                             its arguments (if any) filled in two ways:
                             "min" (empty arrays and strings, absent
                             optional objects, first union arm) and "full"
                             (every optional object present, two-element
                             arrays whose union elements go through the
                             arms, non-empty strings and opaque data with
                             padding)
  msg-NNN-NAME-{min,full}    a type-2 message of every @message procedure
  reply-NNN-NAME-{min,full}  an OK reply of every dispatched procedure
  error-{min,full}           an error reply (rpc_error)
  keepalive-{ping,pong}      the keepalive program's two messages
  stream-calls               every "full" call, one after another
  bad-*                      frames the decoder must refuse (short,
                             oversized length word, NUL in a string,
                             optional flag 2, array count over its limit
                             or over the bytes left, char out of range,
                             trailing bytes)

and FILE, a manifest: one line "EXPECT NAME" per seed, EXPECT being "ok"
(every frame decodes as what its header says and re-encodes to the very
same bytes) or "bad" (no frame does). rpcfuzz-replay checks both.
"""

import argparse
import importlib.util
import os
import struct
import sys

# libvirt's numbers (src/rpc/vgm_rpc_server.h)
TYPE_CALL, TYPE_REPLY, TYPE_MESSAGE = 0, 1, 2
STATUS_OK, STATUS_ERROR = 0, 1
HEADER_SIZE = 28
# Optional objects deeper than this are left out (self-referential types).
MAX_DEPTH = 4


def load_rpcgen(path):
    sys.dont_write_bytecode = True      # no __pycache__ in the source tree
    spec = importlib.util.spec_from_file_location("rpcgen", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def parse(rpcgen, path, dispatch):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    proto = rpcgen.Protocol(path, rpcgen.Parser(path, rpcgen.tokenize(path, text)).parse())
    proto.check()
    if dispatch:
        proto.check_procedures()
    return proto


def u32(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def pad(b):
    return b + b"\0" * ((4 - len(b) % 4) % 4)


class Encoder:
    """Sample values of the types of one protocol, XDR-encoded."""

    def __init__(self, proto):
        self.proto = proto
        self.counter = 0

    def next_int(self):
        self.counter += 1
        return self.counter

    def size(self, decl):
        return None if decl.size is None else self.proto.const_value(decl.size, "size")

    def base(self, b, full):
        n = self.next_int() if full else 0
        if b in ("int", "uint"):
            return u32(n)
        if b in ("hyper", "uhyper"):
            return struct.pack(">Q", (n << 32) | n)
        if b == "double":
            return struct.pack(">d", n + 0.5)
        if b == "bool":
            return u32(1 if full else 0)
        if b == "char":
            return u32(ord("a") + n % 26 if full else 0)
        if b in ("uchar", "short", "ushort"):
            return u32(n % 100)
        raise ValueError(f"unknown base type {b}")

    def typeref(self, t, full, depth, arm):
        if t.base is not None:
            return self.base(t.base, full)
        d = t.defn
        if d.what == "enum":
            return u32(self.proto.case_value(d.entries[0].value))
        if d.what == "typedef":
            return self.decl(d.decl, full, depth, arm)
        if d.what == "struct":
            return b"".join(self.decl(m, full, depth, arm) for m in d.members)
        if d.what == "union":
            arms = [(v, decl) for values, decl in d.arms for v in values]
            if arms:
                value, decl = arms[arm % len(arms) if full else 0]
                return u32(self.proto.case_value(value)) + self.decl(decl, full, depth, 0)
            # only a default arm: a discriminant no case names
            return u32(0) + self.decl(d.default, full, depth, 0)
        raise ValueError(f"cannot encode {d.what} {d.name}")

    def decl(self, decl, full, depth, arm=0):
        kind = decl.kind
        if kind == "void":
            return b""
        limit = self.size(decl)
        if decl.special == "string":
            s = f"{decl.name}-{self.next_int()}".encode() if full else b""
            if limit is not None:
                s = s[:limit]
            return u32(len(s)) + pad(s)
        if decl.special == "opaque":
            if kind == "fixed":
                return pad(bytes((i * 7 + 1) & 0xFF for i in range(limit)) if full
                           else b"\0" * limit)
            data = b"\x01\x02\x03" if full else b""
            if limit is not None:
                data = data[:limit]
            return u32(len(data)) + pad(data)
        if kind == "simple":
            return self.typeref(decl.type, full, depth, arm)
        if kind == "fixed":
            return b"".join(self.typeref(decl.type, full, depth, i) for i in range(limit))
        if kind == "var":
            n = 2 if full else 0
            if limit is not None:
                n = min(n, limit)
            return u32(n) + b"".join(self.typeref(decl.type, full, depth, i) for i in range(n))
        if kind == "optional":
            if not full or depth >= MAX_DEPTH:
                return u32(0)
            return u32(1) + self.typeref(decl.type, full, depth + 1, arm)
        raise ValueError(f"unknown declaration kind {kind}")

    def definition(self, d, full):
        """The encoding of a whole _args/_ret/_msg/rpc_error value."""
        t = type("T", (), {})()
        t.base, t.defn = None, d
        return self.typeref(t, full, 0, 0)


def frame(prog, vers, proc, type_, serial, status, payload):
    head = b"".join(u32(x) for x in (prog, vers, proc, type_, serial, status))
    return u32(HEADER_SIZE + len(payload)) + head + payload


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rpcgen", required=True)
    ap.add_argument("--remote", required=True)
    ap.add_argument("--rpc", required=True)
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--manifest", required=True)
    opts = ap.parse_args(argv)

    rpcgen = load_rpcgen(opts.rpcgen)
    remote = parse(rpcgen, opts.remote, True)
    rpc = parse(rpcgen, opts.rpc, False)
    renc, eenc = Encoder(remote), Encoder(rpc)
    prog = remote.consts["REMOTE_PROGRAM"].resolved
    vers = remote.consts["REMOTE_PROTOCOL_VERSION"].resolved
    kprog = rpc.consts["RPC_KEEPALIVE_PROGRAM"].resolved
    kvers = rpc.consts["RPC_KEEPALIVE_PROTOCOL_VERSION"].resolved
    kping = rpc.enum_values["RPC_KEEPALIVE_PROC_PING"][1]
    kpong = rpc.enum_values["RPC_KEEPALIVE_PROC_PONG"][1]

    seeds = []    # (expect, name, bytes)
    calls = []
    serial = 0
    for p in remote.procs:
        num, lower = p["number"], p["lower"]
        message = "message" in p["flags"]
        for variant in ("min", "full"):
            full = variant == "full"
            serial += 1
            args = renc.definition(p["args"], full) if p["args"] else b""
            if message:
                seeds.append(("ok", f"msg-{num:03d}-{lower}-{variant}",
                              frame(prog, vers, num, TYPE_MESSAGE, 0, STATUS_OK, args)))
                continue
            f = frame(prog, vers, num, TYPE_CALL, serial, STATUS_OK, args)
            seeds.append(("ok", f"call-{num:03d}-{lower}-{variant}", f))
            if full:
                calls.append(f)
            ret = renc.definition(p["ret"], full) if p["ret"] else b""
            seeds.append(("ok", f"reply-{num:03d}-{lower}-{variant}",
                          frame(prog, vers, num, TYPE_REPLY, serial, STATUS_OK, ret)))
    err = rpc.types["rpc_error"]
    for variant in ("min", "full"):
        seeds.append(("ok", f"error-{variant}",
                      frame(prog, vers, 1, TYPE_REPLY, 7, STATUS_ERROR,
                            eenc.definition(err, variant == "full"))))
    seeds.append(("ok", "keepalive-ping", frame(kprog, kvers, kping, TYPE_MESSAGE, 0, 0, b"")))
    seeds.append(("ok", "keepalive-pong", frame(kprog, kvers, kpong, TYPE_MESSAGE, 0, 0, b"")))
    seeds.append(("ok", "stream-calls", b"".join(calls)))

    # Frames the decoder must refuse, on procedures that are there today:
    # each is skipped if the procedure or its shape changes.
    def proc_payload(name, payload, type_=TYPE_CALL, status=STATUS_OK):
        return frame(prog, vers, remote.enum_values[name][1], type_, 1, status, payload)

    def have(name):
        return name in remote.enum_values

    seeds.append(("bad", "bad-short-header", frame(prog, vers, 1, 0, 1, 0, b"")[:20]))
    seeds.append(("bad", "bad-length-under-header", u32(20) + b"\0" * 24))
    seeds.append(("bad", "bad-length-over-max", u32(16 * 1024 * 1024 + 4) + b"\0" * 24))
    seeds.append(("bad", "bad-length-over-input", u32(64) + b"\0" * 24))
    if have("REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME"):
        name = "REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME"
        seeds.append(("bad", "bad-string-nul", proc_payload(name, u32(3) + b"a\0b\0")))
        seeds.append(("bad", "bad-string-truncated", proc_payload(name, u32(8) + b"abcd")))
        seeds.append(("bad", "bad-string-over-limit", proc_payload(name, u32(0xFFFFFFFF))))
        seeds.append(("bad", "bad-trailing-bytes", proc_payload(name, u32(1) + pad(b"a") + u32(0))))
    if have("REMOTE_PROC_CONNECT_OPEN"):
        seeds.append(("bad", "bad-optional-flag",
                      proc_payload("REMOTE_PROC_CONNECT_OPEN", u32(2) + u32(0))))
    if have("REMOTE_PROC_CONNECT_LIST_DOMAINS"):
        name = "REMOTE_PROC_CONNECT_LIST_DOMAINS"
        seeds.append(("bad", "bad-array-over-limit",
                      proc_payload(name, u32(0x7FFFFFFF), TYPE_REPLY)))
        seeds.append(("bad", "bad-array-over-input",
                      proc_payload(name, u32(1000) + u32(1), TYPE_REPLY)))
    if have("REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL"):
        # label<> of one char 0x1000, enforcing 0
        seeds.append(("bad", "bad-char-range",
                      proc_payload("REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL",
                                   u32(1) + u32(0x1000) + u32(0), TYPE_REPLY)))
    seeds.append(("bad", "bad-error-truncated",
                  frame(prog, vers, 1, TYPE_REPLY, 7, STATUS_ERROR, u32(1))))

    os.makedirs(opts.outdir, exist_ok=True)
    for old in os.listdir(opts.outdir):
        os.unlink(os.path.join(opts.outdir, old))
    lines = []
    for expect, name, data in seeds:
        with open(os.path.join(opts.outdir, name), "wb") as f:
            f.write(data)
        lines.append(f"{expect} {name}\n")
    tmp = opts.manifest + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.writelines(lines)
    os.replace(tmp, opts.manifest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
