#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# virt-manager-shot.sh: Debian 12's virt-manager on virtgmemd, end to end,
# with screenshots.
#
#   scripts/virt-manager-shot.sh [OUTDIR]        (as root on a fresh machine)
#
# Installs what it needs with apt-get (when run as root; otherwise it names
# the missing packages and stops), builds virtgmemd if build/ has none
# (BUILDDIR=DIR for another build tree), then runs
# tests/daemon/virtmanagertest.py, which
#   * starts virtgmemd on a temporary root and, through virsh, defines a
#     'default' storage pool in a temporary directory and defines and
#     starts a TCG domain "gmem-demo" with a pty serial console (Debian's
#     kernel and a busybox initramfs that writes to ttyS0 and answers what
#     it reads; tests/guestkit.sh fetches them with apt-get download);
#   * starts Xvfb, a session bus and `virt-manager --connect URI --no-fork`,
#     checks through the accessibility tree (AT-SPI) that the main window
#     lists the domain as Running, then runs `virt-manager --show-domain-console
#     gmem-demo`, checks that the window "gmem-demo on QEMU/KVM" opens on
#     its serial terminal, that the guest's lines show there and that a
#     line typed into it (xdotool) is answered by the guest;
#   * saves OUTDIR/virt-manager-main.png and OUTDIR/virt-manager-console.png
#     (OUTDIR: docs/images by default).
# Exits non-zero, saying why, when a check fails or the test could not run.
# Once the packages are there and virtgmemd is built it takes 30-60 s (the
# guest runs under TCG; the test alone, without the pictures, 15-40 s).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

OUT=${1:-docs/images}
BUILDDIR=${BUILDDIR:-build}
START=$(date +%s)

die() {
    echo "virt-manager-shot: $*" >&2
    exit 1
}

PKGS=(
    # building virtgmemd
    meson ninja-build gcc pkg-config gettext python3
    libglib2.0-dev libxml2-dev libjson-glib-dev
    # the daemon's clients and the guest
    qemu-system-x86 libvirt-clients python3-libvirt busybox-static cpio
    # virt-manager on an X server of its own, read through AT-SPI
    virt-manager xvfb xdotool dbus-daemon at-spi2-core gir1.2-atspi-2.0
)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        die "missing Debian packages (run as root to install them): ${missing[*]}"
    fi
    echo "virt-manager-shot: installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -x "$BUILDDIR/tools/virtgmemd" ] || [ ! -x "$BUILDDIR/tools/virt-gmem" ]; then
    [ -d "$BUILDDIR" ] || meson setup "$BUILDDIR"
    ninja -C "$BUILDDIR" tools/virtgmemd tools/virt-gmem
fi

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT/virt-manager-main.png" "$OUT/virt-manager-console.png"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

rc=0
VGM_BUILDDIR=$(cd "$BUILDDIR" && pwd) VGM_SRCDIR=$SRC VGM_TESTDIR=$SRC/tests \
    /usr/bin/python3 tests/daemon/virtmanagertest.py --screenshots "$OUT" | tee "$log" || rc=$?

if grep -q '^1\.\.0 # SKIP' "$log"; then
    die "the test did not run: $(sed -n 's/^1\.\.0 # SKIP //p' "$log")"
fi
if [ $rc -ne 0 ] || grep -q '^not ok' "$log"; then
    die "failed (exit status $rc): $(grep '^not ok' "$log" | tr '\n' ' ')"
fi
if grep -q '^ok .* # SKIP' "$log"; then
    echo "virt-manager-shot: some checks were skipped:" >&2
    grep '^ok .* # SKIP' "$log" >&2
fi
for f in virt-manager-main.png virt-manager-console.png; do
    [ -s "$OUT/$f" ] || die "no screenshot $OUT/$f"
    size=$(stat -c %s "$OUT/$f")
    echo "virt-manager-shot: $OUT/$f ($size bytes)"
done
echo "virt-manager-shot: the main window listed the domain and its console opened" \
     "($(($(date +%s) - START)) s)"
