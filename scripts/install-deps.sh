#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what virt-gmem needs to build and test on Debian 12 (as root).
set -euo pipefail

PKGS=(
    meson ninja-build gcc pkg-config gettext python3
    libglib2.0-dev libxml2-dev libxml2-utils libjson-glib-dev
    qemu-system-x86 qemu-utils
    libvirt0 libvirt-clients
    # tests/daemon (virsh, the libvirt API) and tests/nova (Nova's own code)
    python3-libvirt python3-nova python3-eventlet python3-lxml
    python3-docutils
    # tests/fuzz: clang's libFuzzer
    clang libclang-rt-14-dev
    busybox-static cpio
)

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
