#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what virt-gmem needs to build and test on Debian 12 (as root).
set -euo pipefail

PKGS=(
    meson ninja-build gcc pkg-config gettext python3
    libglib2.0-dev libxml2-dev libxml2-utils libjson-glib-dev
    qemu-system-x86 qemu-utils
    # QEMU's block drivers of network disks (curl, iscsi, rbd, gluster,
    # nfs) are modules of their own
    qemu-block-extra
    # the acceptance test's NBD server with TLS: its certificates
    openssl
    # UEFI firmware and its descriptors (<os firmware='efi'>), the TPM
    # emulator (<tpm><backend type='emulator'>)
    ovmf swtpm swtpm-tools
    # placement advice for <vcpu placement='auto'>, <numatune> placement 'auto'
    numad
    # virsh sysinfo (virConnectGetSysinfo): the host's SMBIOS tables, read
    # as libvirt reads them
    dmidecode
    # the node device calls: PCI vendor and product names
    pci.ids
    # virtual networks: bridges (ip), their firewall tables, DHCP and DNS
    iproute2 nftables dnsmasq-base
    libvirt0 libvirt-clients
    # tests/daemon (virsh, the libvirt API) and tests/nova (Nova's own code)
    python3-libvirt python3-nova python3-eventlet python3-lxml
    # tests/daemon/storagetest.py: virt-install --import
    virtinst
    # tests/daemon/virtmanagertest.py, scripts/virt-manager-shot.sh:
    # virt-manager on an X server of its own, read through AT-SPI
    virt-manager xvfb xdotool dbus-daemon at-spi2-core gir1.2-atspi-2.0
    python3-docutils
    # tests/fuzz: clang's libFuzzer
    clang libclang-rt-14-dev
    busybox-static cpio
    # tests/guestkit.sh: the test guests' kernel unpacked once (xz) and
    # checked for its PVH entry point (readelf)
    xz-utils binutils
    # tests/daemon/agenttest.py: the libraries of the qemu-ga it puts in its
    # guest (the agent itself is downloaded, never installed), the guest's
    # data disk
    libnuma1 liburing2 libudev1 e2fsprogs
)

# Debian's bookworm-backports suite, for the private QEMU 10.0 the live
# update tests unpack (scripts/fetch-qemu10.sh). APT gives the suite the
# lowest priority: nothing is installed or upgraded from it unless asked.
bpo=/etc/apt/sources.list.d/bookworm-backports.sources
added_bpo=0
if [ "$(id -u)" -eq 0 ] && ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
    cat > "$bpo.tmp" <<EOF
Types: deb
URIs: ${mirror:-http://deb.debian.org/debian}
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    mv "$bpo.tmp" "$bpo"
    added_bpo=1
fi

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ $added_bpo = 1 ]; then
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    if ! $SUDO apt-get update -q && [ $added_bpo = 1 ]; then
        # the suite is only for the live update tests, which skip without it
        echo "install-deps: bookworm-backports is not reachable; going on without it" >&2
        rm -f "$bpo"
        $SUDO apt-get update -q
    fi
fi
if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
