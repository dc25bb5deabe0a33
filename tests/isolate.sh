#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# isolate.sh PROGRAM [ARG...]: runs a test program that starts QEMU (or a
# daemon that does) in a network namespace of its own, with only its
# loopback up, so that two such programs can run side by side (meson
# runs them two at a time): the TCP ports their VNC, SPICE, migration and
# chardev servers take, the bridges, taps and firewall tables they make,
# and abstract Unix sockets are then each program's own.
#
# What the tests download once into the build tree is fetched first, in
# the host's namespace, where the network is: the guest kit (Debian's
# kernel, busybox and qemu-guest-agent, tests/guestkit.sh) and Debian's
# QEMU 10.0 (scripts/fetch-qemu10.sh). Both are locked against each
# other's runs. A fetch that fails is left to the test, which skips the
# parts that need it and says why.
#
# Not root, or no unshare here (a container without the right), the
# program runs as it is, in the host's namespace, and the programs run
# one at a time.
set -u
srcdir=${VGM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${VGM_BUILDDIR:-$srcdir/build}

bash "$srcdir/tests/guestkit.sh" --fetch "$builddir/tests/boottest-cache" >/dev/null 2>&1
bash "$srcdir/scripts/fetch-qemu10.sh" "$builddir/tests/qemu-10.0" >/dev/null 2>&1

# The namespaces: a network namespace with its loopback up, multicast
# routed to it (for the multicast sockets of <interface type='mcast'> to
# join their group as on a host's network), and a mount namespace where
# /sys is mounted again, since sysfs shows the network devices of the
# namespace that mounts it and the driver reads bridges and taps there;
# the cgroup mounts under it are moved over from the host's /sys. The
# setup is tried first with true as the program: a host where any of it
# fails (no /sys/fs/cgroup, a sysfs mount denied) runs the test as it is.
# Against another daemon (VGM_TEST_URI) the test must reach the servers
# that daemon's QEMUs listen on in the host's namespace, so none.
setup='
    set -e
    ip link set lo up
    ip link set lo multicast on
    ip route add 224.0.0.0/4 dev lo
    keep=$(mktemp -d)
    trap "umount -R \"\$keep\" 2>/dev/null; rmdir \"\$keep\" 2>/dev/null" EXIT
    mount --rbind /sys/fs/cgroup "$keep"
    mount -t sysfs sysfs /sys
    mount --move "$keep" /sys/fs/cgroup
    trap - EXIT
    rmdir "$keep"
    set +e
    exec "$@"'
isolate=(unshare -n -m --propagation private -- bash -c "$setup" isolate)
if [ -z "${VGM_TEST_URI:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
   command -v ip >/dev/null && "${isolate[@]}" true 2>/dev/null; then
    export VGM_TEST_ISOLATED=1
    # (the namespace it came from, which a test can tell its own from)
    VGM_TEST_OUTER_MNTNS=$(readlink /proc/self/ns/mnt)
    export VGM_TEST_OUTER_MNTNS
    exec "${isolate[@]}" "$@"
fi

# Without the namespaces, one such program at a time: meson set up where
# they cannot be made runs these one by one (tests/meson.build), and the
# build tree's lock (flock, released when the program ends) keeps a run
# of another meson apart.
exec 9>"$builddir/tests/isolate.lock"
flock 9
exec "$@"
