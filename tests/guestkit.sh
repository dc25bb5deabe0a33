# SPDX-License-Identifier: LGPL-2.1-or-later
#
# guestkit.sh, sourced by the guest tests (boottest.sh, liveupdatetest.sh):
# a Debian kernel and busybox for a TCG guest.
#
# guestkit_fetch CACHE: the kernel of the linux-image-*-amd64 package that
# linux-image-amd64 depends on and busybox-static, downloaded once with
# apt-get download into CACHE and unpacked there with dpkg -x (never
# installed). Sets $guestkit_kernel and $guestkit_busybox and returns 0, or
# returns 1 with the reason in $guestkit_why (no network, no apt).

# The downloads and unpacking run under a lock on CACHE.lock (flock on fd
# 8), so that tests run side by side fetch and unpack once between them.
_guestkit_lock() {
    mkdir -p "$1" && exec 8>"$1.lock" && flock 8
}
_guestkit_unlock() {
    exec 8>&-
}

guestkit_fetch() {
    local rc
    _guestkit_lock "$1" || { guestkit_why="cannot lock $1.lock"; return 1; }
    _guestkit_fetch_locked "$1"
    rc=$?
    _guestkit_unlock
    return $rc
}

# _guestkit_pvh BZIMAGE OUT: the kernel of BZIMAGE uncompressed at OUT, an
# ELF that QEMU starts by its PVH entry point (the kernel's Xen note 18,
# PHYS32_ENTRY), skipping the bzImage's own decompression, which takes
# TCG several seconds on every boot. Debian's amd64 kernels are xz
# compressed and have the note; for any other kernel OUT is not made and
# the bzImage is used as it is. Made once per cache.
_guestkit_pvh() {
    local bz=$1 out=$2 off
    [ -e "$out" ] && return 0
    command -v xz >/dev/null && command -v readelf >/dev/null || return 0
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ' "$bz" | head -n1 | cut -d: -f1)
    [ -n "$off" ] || return 0
    if tail -c +$((off + 1)) "$bz" | xz -dc --single-stream > "$out.tmp" 2>/dev/null &&
       readelf -n "$out.tmp" 2>/dev/null | grep -q 'Xen .*0x00000012'; then
        mv "$out.tmp" "$out"
    else
        rm -f "$out.tmp"
        : > "$out"
    fi
}

_guestkit_fetch_locked() {
    local cache=$1 kpkg pkg kdir bbdir log prog
    guestkit_why=
    for prog in apt-cache apt-get dpkg cpio gzip; do
        if ! command -v $prog >/dev/null; then
            guestkit_why="$prog is not installed"
            return 1
        fi
    done
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
           awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    if [ -z "$kpkg" ]; then
        guestkit_why="apt-cache does not know linux-image-amd64"
        return 1
    fi
    mkdir -p "$cache"
    log=$cache/apt.log
    for pkg in "$kpkg" busybox-static; do
        if ! ls "$cache/${pkg}_"*.deb >/dev/null 2>&1; then
            if ! (cd "$cache" && apt-get download "$pkg" >"$log" 2>&1); then
                guestkit_why="apt-get download $pkg failed (no network?): $(tail -n1 "$log")"
                return 1
            fi
        fi
    done
    kdir=$cache/$kpkg
    if [ ! -d "$kdir/boot" ]; then
        rm -rf "$kdir.tmp"
        dpkg -x "$cache/${kpkg}_"*.deb "$kdir.tmp" && mv "$kdir.tmp" "$kdir"
    fi
    bbdir=$cache/busybox
    if [ ! -x "$bbdir/bin/busybox" ]; then
        rm -rf "$bbdir.tmp"
        dpkg -x "$cache/busybox-static_"*.deb "$bbdir.tmp" && mv "$bbdir.tmp" "$bbdir"
    fi
    guestkit_kernel=$(ls "$kdir"/boot/vmlinuz-* 2>/dev/null | head -n1)
    guestkit_busybox=$bbdir/bin/busybox
    if [ -z "$guestkit_kernel" ] || [ ! -x "$guestkit_busybox" ]; then
        guestkit_why="kernel or busybox missing after dpkg -x of $kpkg and busybox-static"
        return 2
    fi
    _guestkit_pvh "$guestkit_kernel" "$kdir/boot/vmlinux-pvh"
    if [ -s "$kdir/boot/vmlinux-pvh" ]; then
        guestkit_kernel=$kdir/boot/vmlinux-pvh
    fi
    guestkit_kpkg=$kpkg
    return 0
}

# guestkit_initrd DIR INIT OUT: a gzip'd cpio initramfs at OUT with busybox
# and /init taken from the file INIT.
guestkit_initrd() {
    local dir=$1 init=$2 out=$3
    mkdir -p "$dir/bin" "$dir/dev" "$dir/proc" "$dir/sys"
    cp "$guestkit_busybox" "$dir/bin/busybox"
    cp "$init" "$dir/init"
    chmod 0755 "$dir/init"
    (cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
}

# guestkit_modules DIR MODULE...: the kernel modules MODULE... of the kit's
# kernel and every module they depend on (read from each module's
# "depends=" tag) copied into DIR/mod/, with DIR/mod/order listing them
# dependencies first, for /init to insmod in that order. Returns 1 with
# the reason in $guestkit_why when one is missing.
guestkit_modules() {
    local dir=$1 kroot
    shift
    kroot=$(ls -d "$(dirname "$(dirname "$guestkit_kernel")")"/lib/modules/*/kernel 2>/dev/null | head -n1)
    if [ -z "$kroot" ]; then
        guestkit_why="no modules next to $guestkit_kernel"
        return 1
    fi
    mkdir -p "$dir/mod"
    : > "$dir/mod/order"
    declare -A guestkit_seen=()
    _guestkit_module() {
        local name=$1 file dep
        [ -n "${guestkit_seen[$name]:-}" ] && return 0
        guestkit_seen[$name]=1
        file=$(find "$kroot" \( -name "$name.ko" -o -name "${name//_/-}.ko" \) -print -quit)
        if [ -z "$file" ]; then
            guestkit_why="module $name is not in $kroot"
            return 1
        fi
        for dep in $(grep -a -o 'depends=[A-Za-z0-9_,-]*' "$file" | head -n1 | cut -d= -f2 | tr , ' '); do
            _guestkit_module "$dep" || return 1
        done
        cp "$file" "$dir/mod/$name.ko"
        echo "$name.ko" >> "$dir/mod/order"
    }
    local m
    for m in "$@"; do
        _guestkit_module "$m" || return 1
    done
    return 0
}

# guestkit_agent CACHE DIR: QEMU's guest agent, qemu-ga of Debian's
# qemu-guest-agent package (downloaded once into CACHE with apt-get
# download and unpacked with dpkg -x, never installed), at DIR/usr/sbin,
# with the shared libraries it needs (ldd, taken from this host) and the
# dynamic loader. Returns 1 with the reason in $guestkit_why.
# guestkit_fetch_agent CACHE: the qemu-guest-agent package downloaded and
# unpacked into CACHE/qemu-guest-agent once (under the cache's lock).
guestkit_fetch_agent() {
    local cache=$1 xdir=$1/qemu-guest-agent
    _guestkit_lock "$cache" || { guestkit_why="cannot lock $cache.lock"; return 1; }
    if ! ls "$cache/qemu-guest-agent_"*.deb >/dev/null 2>&1; then
        if ! (cd "$cache" && apt-get download qemu-guest-agent >"$cache/apt.log" 2>&1); then
            guestkit_why="apt-get download qemu-guest-agent failed (no network?): $(tail -n1 "$cache/apt.log")"
            _guestkit_unlock
            return 1
        fi
    fi
    if [ ! -x "$xdir/usr/sbin/qemu-ga" ]; then
        rm -rf "$xdir.tmp"
        dpkg -x "$cache/qemu-guest-agent_"*.deb "$xdir.tmp" && mv "$xdir.tmp" "$xdir"
    fi
    _guestkit_unlock
    [ -x "$xdir/usr/sbin/qemu-ga" ] || { guestkit_why="no qemu-ga after dpkg -x of qemu-guest-agent"; return 1; }
}

guestkit_agent() {
    local cache=$1 dir=$2 xdir=$1/qemu-guest-agent lib libs
    guestkit_fetch_agent "$cache" || return 1
    if ! libs=$(ldd "$xdir/usr/sbin/qemu-ga" 2>&1) || printf '%s\n' "$libs" | grep -q 'not found'; then
        guestkit_why="qemu-ga's libraries are not all on this host: $(printf '%s\n' "$libs" | grep 'not found' | tr '\n' ' ')"
        return 1
    fi
    mkdir -p "$dir/usr/sbin"
    cp "$xdir/usr/sbin/qemu-ga" "$dir/usr/sbin/qemu-ga"
    for lib in $(printf '%s\n' "$libs" | grep -o '/[^ ]*'); do
        mkdir -p "$dir$(dirname "$lib")"
        cp -L "$lib" "$dir$lib"
    done
    return 0
}

# Run as a program: guestkit.sh CACHE INIT OUT [MODULE...] fetches the kit
# into CACHE, builds the initramfs OUT with /init from INIT (and the
# kernel modules MODULE... with their dependencies, see guestkit_modules)
# and prints the kernel's path; exit 1 with the reason on stderr when the
# kit cannot be fetched or a module is missing. With GUESTKIT_AGENT=1 in
# the environment the initramfs has qemu-ga too (guestkit_agent).
#
# guestkit.sh --fetch CACHE only fetches the kit and the agent's package
# into CACHE (tests/isolate.sh does, before a test loses the network).
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "${1:-}" = --fetch ]; then
    guestkit_fetch "$2" || { echo "$guestkit_why" >&2; exit 1; }
    guestkit_fetch_agent "$2" || { echo "$guestkit_why" >&2; exit 1; }
    exit 0
fi
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    guestkit_fetch "$1" || { echo "$guestkit_why" >&2; exit 1; }
    guestkit_dir=$(mktemp -d)
    if [ "${GUESTKIT_AGENT:-0}" = 1 ]; then
        guestkit_agent "$1" "$guestkit_dir" || { echo "$guestkit_why" >&2; exit 1; }
    fi
    if [ $# -gt 3 ]; then
        guestkit_modules "$guestkit_dir" "${@:4}" || { echo "$guestkit_why" >&2; exit 1; }
    fi
    guestkit_initrd "$guestkit_dir" "$2" "$3"
    rm -rf "$guestkit_dir"
    echo "$guestkit_kernel"
fi
