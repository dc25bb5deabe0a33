#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs libvirt 9.0's own x86_64 qemuxml2argv inputs (memory, NUMA,
# confidential guests and common devices) through Debian's libvirtd 9.0 and
# through virt-gmem, and compares what each accepts and how each lowers
# memory. docs/libvirt-sweep.rst has the rules and the results.
#
#   bash scripts/libvirt-sweep.sh [--hugetlbfs] [--no-qemu-check] [--all | --i686 | --networks] [SRC_DIR]
#
# SRC_DIR caches Debian's libvirt source package (default
# $VGM_BUILDDIR/tests/libvirt-src; VGM_BUILDDIR defaults to ./build, which
# must hold a built virt-gmem). Results go to $VGM_SWEEP_OUT (default
# $VGM_BUILDDIR/libvirt-sweep): results.tsv, summary.txt, memory.txt and the
# inputs and outputs of each side.
#
# As root. What it adds it removes at the end: a deb-src entry (only while
# downloading, only when APT has no libvirt source), the virtlogd and
# libvirtd it starts (only when libvirtd is not running), and with
# --hugetlbfs a 2 MiB hugetlbfs mount and the huge pages reserved for it.
#
# --hugetlbfs   mount a hugetlbfs (pagesize=2M) for the run when none is
#               mounted, and reserve 2048 huge pages (4 GiB) while it runs,
#               so that both sides can lower <hugepages> and QEMU can start
#               the result. libvirtd looks for hugetlbfs mounts only when it
#               starts: if a libvirtd this script did not start is running,
#               the libvirt side runs in the same libvirt's embedded driver
#               instead (qemu:///embed?root=OUT/libvirt-root), which does.
# --all         every x86_64 input, not only the memory and device topics
#               (docs/libvirt-sweep.rst, "The whole corpus").
# --i686        every i686 input instead, each on qemu-system-x86_64, as
#               both libvirt and virt-gmem run such guests
#               (docs/libvirt-sweep.rst, "The i686 inputs").
# --networks    libvirt's network XML test inputs instead (networkxml2xmlin,
#               networkxml2confdata, networkxml2firewalldata), each defined
#               in libvirtd and in a virtgmemd of the run's own, each one
#               virt-gmem accepts also started there (docs/libvirt-sweep.rst,
#               "The network inputs"); results in networks-summary.txt
# --no-qemu-check  skip starting every accepted command line paused on
#               real QEMU (docs/libvirt-sweep.rst, "Real QEMU").
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(realpath -m "${VGM_BUILDDIR:-$here/build}")
hugetlbfs=0
qemucheck=1
everything=0
i686=0
networks=0
src=
while [ $# -gt 0 ]; do
    case "$1" in
        --hugetlbfs) hugetlbfs=1 ;;
        --no-qemu-check) qemucheck=0 ;;
        --all) everything=1 ;;
        --i686) i686=1 ;;
        --networks) networks=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "libvirt-sweep: unknown option $1" >&2; exit 2 ;;
        *) src=$1 ;;
    esac
    shift
done
src=$(realpath -m "${src:-$builddir/tests/libvirt-src}")
out=$(realpath -m "${VGM_SWEEP_OUT:-$builddir/libvirt-sweep}")
vgm=$builddir/tools/virt-gmem
caps=$here/tests/qemucapabilitiesdata/qemu-7.2-debian.json
emulator=/usr/bin/qemu-system-x86_64
python=/usr/bin/python3

say() { echo "libvirt-sweep: $*" >&2; }
die() { say "$*"; exit 1; }

[ -x "$vgm" ] || die "no $vgm: build virt-gmem first (meson setup build && ninja -C build)"
[ -x "$emulator" ] || die "no $emulator (apt-get install qemu-system-x86)"
[ "$(id -u)" -eq 0 ] || die "run as root (APT sources, libvirtd, QEMU)"

# ---- cleanup: undo exactly what this run did --------------------------------
added_src=
started_pids=()
mounted=
old_nr=
restarted=
cleanup() {
    local pid
    # a libvirtd the sweep started again after one crashed (its pid file)
    [ -z "$restarted" ] || [ ! -s /run/libvirtd.pid ] ||
        started_pids=("$(cat /run/libvirtd.pid)" "${started_pids[@]}")
    for pid in "${started_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    [ -z "$mounted" ] || umount "$mounted" 2>/dev/null || true
    [ -z "$mounted" ] || rmdir "$mounted" 2>/dev/null || true
    [ -z "$old_nr" ] || echo "$old_nr" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
    if [ -n "$added_src" ] && [ -e "$added_src" ]; then
        rm -f "$added_src"
        apt-get update -q >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. libvirt 9.0's test inputs from Debian's source package --------------
mkdir -p "$src"
orig=$src/libvirt_9.0.0.orig.tar.xz
if [ ! -f "$orig" ]; then
    # the source version of the installed libvirtd, else bookworm's
    want=$(dpkg-query -W -f='${source:Version}' libvirt-daemon 2>/dev/null || true)
    case "$want" in 9.0.0-*) ;; *) want= ;; esac
    if ! apt-cache showsrc libvirt 2>/dev/null | grep -q '^Version: 9\.0\.0-'; then
        # no deb-src for bookworm: add one for the download, like
        # scripts/install-deps.sh adds bookworm-backports
        added_src=/etc/apt/sources.list.d/virt-gmem-sweep-src.sources
        mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
        cat > "$added_src.tmp" <<EOF
Types: deb-src
URIs: ${mirror:-http://deb.debian.org/debian}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: ${mirror:-http://deb.debian.org/debian}-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
        mv "$added_src.tmp" "$added_src"
        say "added $added_src for the download"
        apt-get update -q >/dev/null
    fi
    say "downloading libvirt${want:+=$want} (source) into $src"
    (cd "$src" && { [ -n "$want" ] && apt-get source --download-only -q "libvirt=$want" ||
                    apt-get source --download-only -q libvirt; }) >&2
    [ -f "$orig" ] || die "apt-get source brought no libvirt_9.0.0.orig.tar.xz (Debian 12's libvirt is 9.0.0)"
    if [ -n "$added_src" ]; then
        rm -f "$added_src"
        apt-get update -q >/dev/null || true
        added_src=
        say "removed the deb-src entry again"
    fi
fi
dsc=$(ls "$src"/libvirt_9.0.0-*.dsc 2>/dev/null | sort -V | tail -n1)
data=$src/libvirt-9.0.0/tests/qemuxml2argvdata
if [ ! -d "$data" ]; then
    # the inputs only; Debian's patches change no qemuxml2argvdata/*.xml
    tar -xJf "$orig" -C "$src" --wildcards --no-wildcards-match-slash \
        'libvirt-9.0.0/tests/qemuxml2argvdata/*.xml'
fi
if [ $networks = 1 ] && [ ! -d "$src/libvirt-9.0.0/tests/networkxml2confdata" ]; then
    tar -xJf "$orig" -C "$src" --wildcards --no-wildcards-match-slash \
        'libvirt-9.0.0/tests/networkxml2xmlin/*.xml' \
        'libvirt-9.0.0/tests/networkxml2confdata/*.xml' \
        'libvirt-9.0.0/tests/networkxml2firewalldata/*.xml'
fi

# ---- 2. Debian's libvirtd 9.0 -----------------------------------------------
mkdir -p "$out"
# the stored set was captured without /dev/kvm: it has no host CPU under
# KVM, which a kvm input's <cpu mode='host-model'> is made of; a copy takes
# its TCG host CPU for that, as the synthesized sets do
"$python" - "$caps" "$out/qemu-7.2-debian-kvm-host.json" <<'PY'
import json, sys
caps = json.load(open(sys.argv[1]))
caps.setdefault("cpu", {})["kvm"] = caps["cpu"]["tcg"]
json.dump(caps, open(sys.argv[2], "w"), indent=2, sort_keys=True)
PY
caps=$out/qemu-7.2-debian-kvm-host.json
uri=qemu:///system
if [ $hugetlbfs = 1 ] && ! grep -qE '^[^ ]+ [^ ]+ hugetlbfs .*pagesize=2M' /proc/mounts; then
    mounted=$out/hugetlbfs
    mkdir -p "$mounted"
    mount -t hugetlbfs -o pagesize=2M virt-gmem-sweep "$mounted"
    say "mounted a hugetlbfs (2 MiB pages) on $mounted for the run"
fi
if [ $hugetlbfs = 1 ] && [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 2048 ]; then
    old_nr=$(cat /proc/sys/vm/nr_hugepages)
    echo 2048 > /proc/sys/vm/nr_hugepages
    say "reserved $(cat /proc/sys/vm/nr_hugepages) huge pages of 2 MiB for the run (was $old_nr)"
fi
if virsh -q -c "$uri" version >/dev/null 2>&1; then
    if [ -n "$mounted" ]; then
        uri="qemu:///embed?root=$out/libvirt-root"
        say "libvirtd was started before the hugetlbfs mount and cannot see it: using $uri"
    fi
else
    if ! command -v libvirtd >/dev/null; then
        # the daemon, its QEMU driver and virsh, run as root without systemd
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            qemu-system-x86 libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients >&2
    fi
    groupadd -f libvirt-qemu; groupadd -f kvm
    id libvirt-qemu >/dev/null 2>&1 ||
        useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
    grep -qE '^user *=' /etc/libvirt/qemu.conf ||
        printf 'user = "root"\ngroup = "root"\n' >> /etc/libvirt/qemu.conf
    mkdir -p /var/run/libvirt /var/log/libvirt
    if ! virsh -q -c "$uri" version >/dev/null 2>&1; then
        vlpid=$(cat /run/virtlogd.pid 2>/dev/null || true)
        if [ -z "$vlpid" ] || ! kill -0 "$vlpid" 2>/dev/null; then
            setsid virtlogd >/dev/null 2>&1 &
            started_pids+=($!)
        fi
        setsid libvirtd >/dev/null 2>&1 &
        started_pids=($! "${started_pids[@]}")
        say "started libvirtd (pid ${started_pids[0]}) and, if it was not running, virtlogd; both are stopped at the end"
        # libvirtd 9.0 crashes on some inputs (net-hostdev-fail): the sweep
        # then starts it again, and the end stops that one
        restarted=1
        for _ in $(seq 300); do virsh -q -c "$uri" version >/dev/null 2>&1 && break; sleep 0.2; done
    fi
fi
virsh -q -c "$uri" version >/dev/null 2>&1 || die "libvirt does not answer on $uri"

# ---- 3. both sides, compared -------------------------------------------------
{
    echo "date                                     $(date -u +%Y-%m-%d)"
    echo "libvirt source                           $(basename "${dsc:-$orig}")"
    echo "libvirtd (package libvirt-daemon)        $(dpkg-query -W -f='${Version}' libvirt-daemon 2>/dev/null || echo '?')"
    echo "libvirt URI                              $uri"
    virsh -c "$uri" version 2>/dev/null | sed -n 's/^Running hypervisor: */QEMU (as libvirt runs it)                /p'
    echo "QEMU binary                              $($emulator --version | head -n1)"
    echo "virt-gmem                                $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$here" diff --quiet HEAD -- src tools 2>/dev/null || echo ' (with local changes)')"
    echo "virt-gmem capability set                 $(basename "$caps")"
    echo "hugetlbfs mounts                         $(awk '$3=="hugetlbfs"{printf "%s(%s) ", $2, $4}' /proc/mounts)"
    echo "host NUMA nodes                          $(ls -d /sys/devices/system/node/node* 2>/dev/null | wc -l)"
    echo
} > "$out/versions.txt"

if [ $networks = 1 ]; then
    # a virtgmemd of the run's own, on a root of its own, stopped at the end
    vroot=$(mktemp -d "$out/virtgmemd.XXXXXX")
    setsid "$builddir/tools/virtgmemd" --root "$vroot/root" --listen "$vroot/sock" --timeout 0 \
        > "$vroot/daemon.log" 2>&1 &
    started_pids=($! "${started_pids[@]}")
    for _ in $(seq 100); do [ -S "$vroot/sock" ] && break; sleep 0.1; done
    "$python" "$here/scripts/libvirt-net-sweep.py" --src "$src/libvirt-9.0.0/tests" \
        --uri "$uri" --ours "qemu+unix:///system?socket=$vroot/sock" --out "$out" --start \
        --header "$out/versions.txt"
    say "results in $out (networks-summary.txt, networks.tsv)"
    exit 0
fi
args=(--src "$data" --out "$out" --virt-gmem "$vgm" --qemu-caps "$caps"
      --uri "$uri" --header "$out/versions.txt")
[ $qemucheck = 0 ] || args+=(--qemu-check)
[ $everything = 0 ] || args+=(--all)
[ $i686 = 0 ] || args+=(--arch i686)
[ -z "$restarted" ] || args+=(--libvirtd-restart "libvirtd -d")
while read -r m; do args+=(--hugetlbfs "$m"); done < <(awk '$3=="hugetlbfs"{print $2}' /proc/mounts)
case "$uri" in qemu:///embed*) args+=(--libvirt-dir "$out/libvirt-root") ;; esac
"$python" "$here/scripts/libvirt-sweep.py" "${args[@]}"
say "results in $out (summary.txt, results.tsv, memory.txt)"
