#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""vhostusernetstub: the smallest vhost-user net backend QEMU starts with.

What it covers
--------------
qemuacceptancetest runs one for each <interface type='vhostuser'> of a
case, so that QEMU, which will not start its vhost-user netdev until a
backend has answered the protocol's opening, can start. It answers the
messages of that opening (GET_FEATURES, GET_PROTOCOL_FEATURES,
GET_QUEUE_NUM) as a backend with multiqueue would, takes the others
without a reply unless QEMU asks for one, and writes each message's name
to stdout, so that the test can check that QEMU spoke to it. It moves no
packets: the guests of the acceptance test never run.

  vhostusernetstub.py --listen PATH    QEMU connects (mode='client')
  vhostusernetstub.py --connect PATH   QEMU listens (mode='server')

It serves one connection and exits when QEMU closes it.
"""
import os
import socket
import struct
import sys
import time

NAMES = {1: "GET_FEATURES", 2: "SET_FEATURES", 3: "SET_OWNER", 4: "RESET_OWNER",
         5: "SET_MEM_TABLE", 8: "SET_VRING_NUM", 9: "SET_VRING_ADDR",
         10: "SET_VRING_BASE", 11: "GET_VRING_BASE", 12: "SET_VRING_KICK",
         13: "SET_VRING_CALL", 14: "SET_VRING_ERR", 15: "GET_PROTOCOL_FEATURES",
         16: "SET_PROTOCOL_FEATURES", 17: "GET_QUEUE_NUM", 18: "SET_VRING_ENABLE",
         20: "NET_SET_MTU"}

# virtio 1.0, indirect descriptors, event index, merged receive buffers,
# the MTU, and the protocol's own feature negotiation
FEATURES = (1 << 32) | (1 << 28) | (1 << 29) | (1 << 15) | (1 << 3) | (1 << 30)
PROTOCOL_FEATURES = (1 << 0) | (1 << 4)   # multiqueue, the MTU
MAX_QUEUES = 16

VERSION = 0x1
REPLY = 0x4
NEED_REPLY = 0x8
HEADER = struct.Struct("<III")


def recv_exact(conn, n, fds):
    buf = b""
    while len(buf) < n:
        data, anc, _flags, _addr = conn.recvmsg(n - len(buf), socket.CMSG_SPACE(8 * 4))
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.extend(struct.unpack("%di" % (len(payload) // 4), payload))
        if not data:
            return None
        buf += data
    return buf


def serve(conn):
    while True:
        fds = []
        head = recv_exact(conn, HEADER.size, fds)
        if head is None:
            return
        request, flags, size = HEADER.unpack(head)
        if size and recv_exact(conn, size, fds) is None:
            return
        for fd in fds:
            os.close(fd)
        print(NAMES.get(request, "REQUEST_%d" % request), flush=True)
        answer = {1: FEATURES, 15: PROTOCOL_FEATURES, 17: MAX_QUEUES}.get(request)
        if request == 11:        # GET_VRING_BASE: the index, at 0
            conn.sendall(HEADER.pack(request, VERSION | REPLY, 8) + struct.pack("<II", 0, 0))
        elif answer is not None:
            conn.sendall(HEADER.pack(request, VERSION | REPLY, 8) + struct.pack("<Q", answer))
        elif flags & NEED_REPLY:
            conn.sendall(HEADER.pack(request, VERSION | REPLY, 8) + struct.pack("<Q", 0))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("--listen", "--connect"):
        sys.exit("usage: vhostusernetstub.py --listen|--connect PATH")
    path = sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if sys.argv[1] == "--listen":
        sock.bind(path)
        sock.listen(1)
        conn, _ = sock.accept()
    else:
        deadline = time.monotonic() + 60
        while True:
            try:
                sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("nothing listens on %s" % path)
                time.sleep(0.05)
        conn = sock
    print("connected", flush=True)
    serve(conn)


if __name__ == "__main__":
    main()
