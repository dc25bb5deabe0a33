#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ivshmemserverstub: the smallest ivshmem-server an ivshmem-doorbell
device connects to.

What it covers
--------------
qemuacceptancetest runs one for each <shmem> of model ivshmem-doorbell
in a case: QEMU will not create the device until a server has told it
its ID and handed it the shared memory. Debian ships no ivshmem-server,
so this one speaks the server side of QEMU's ivshmem protocol
(docs/specs/ivshmem-spec.rst in QEMU's sources): to each client that
connects it sends the protocol version (0), the client's ID (0, 1, ...
in order), -1 with the shared memory's file descriptor (a memfd of SIZE
bytes), and the interrupt setup: the client's ID once for each of
VECTORS eventfds. Every message is a little-endian signed 64-bit number,
with its descriptor as SCM_RIGHTS. It tells clients of no peers, and
writes "client ID" to stdout for each, so that the test can check that
QEMU spoke to it.

  ivshmemserverstub.py PATH [SIZE [VECTORS]]   (4 MiB and 32 by default)

It serves until it is killed.
"""
import os
import socket
import struct
import sys


def message(conn, value, fd=None):
    data = [struct.pack("<q", value)]
    if fd is None:
        conn.sendall(data[0])
    else:
        socket.send_fds(conn, data, [fd])


def main():
    path = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 4 << 20
    vectors = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    mem = os.memfd_create("ivshmem-stub", 0)
    os.ftruncate(mem, size)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    clients = []
    while True:
        conn, _ = srv.accept()
        cid = len(clients)
        message(conn, 0)
        message(conn, cid)
        message(conn, -1, mem)
        for _ in range(vectors):
            efd = os.eventfd(0)
            message(conn, cid, efd)
            os.close(efd)
        clients.append(conn)
        print("client %d" % cid, flush=True)


if __name__ == "__main__":
    main()
