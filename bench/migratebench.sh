#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# migratebench.sh [MIB [FILL]]: how long a live migration there and back
# takes between two virtgmemd (virsh 9.0's `virsh migrate --live`, its
# client running the phases), side by side with bare QEMU doing the same
# (bench/qmp-migrate.py: a new QEMU listening, QMP migrate, cont, quit),
# for the same TCG guest on Debian's QEMU 7.2: MIB of RAM (default 256) of
# which FILL MiB (default 128) are random bytes QEMU's generic loader put
# there (QEMU sends zero pages as a flag, so that there is memory to
# send). Both run the same QEMU options for the guest; virt-gmem's line
# has its own additions (its monitors, -sandbox, the pidfile).
#
# ROUNDS (5) rounds of each, whole processes, wall time; prints each round
# and the medians. With KEEP=1 it sets both up, prints the two commands
# and waits for Enter, so that a public tool can time them instead:
#   hyperfine -w 1 -r 10 "bash -c \"VIRT-GMEM COMMAND\"" "BARE QEMU COMMAND"
#
# Runs as root on Debian 12 after a build (build/, or $VGM_BUILDDIR).
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${VGM_BUILDDIR:-$srcdir/build}
rounds=${ROUNDS:-5}
mib=${1:-256}
fill=${2:-128}
qemu=/usr/bin/qemu-system-x86_64

work=$(mktemp -d /tmp/vgm-migratebench-XXXXXX)
pids=()
cleanup() {
    for s in a b; do
        virsh -c "qemu+unix:///system?socket=$work/$s.sock" destroy migratebench >/dev/null 2>&1 || true
    done
    for f in "$work"/bare/qmp-*.sock; do
        [ -S "$f" ] && /usr/bin/python3 -c "
import socket,json,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f=s.makefile('rw'); f.readline()
for c in ('qmp_capabilities','quit'):
    f.write(json.dumps({'execute':c})+'\n'); f.flush(); f.readline()
" "$f" >/dev/null 2>&1 || true
    done
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    sleep 1
    rm -rf "$work"
}
trap cleanup EXIT

head -c $((fill * 1024 * 1024)) /dev/urandom > "$work/blob"
loader="loader,file=$work/blob,addr=$((16 * 1024 * 1024)),force-raw=on"

# ---- virt-gmem: two daemons, the guest on the first ----
for s in a b; do
    mkdir -p "$work/$s"
    "$builddir/tools/virtgmemd" --root "$work/$s" --listen "$work/$s.sock" \
        > "$work/$s.log" 2>&1 &
    pids+=($!)
done
for s in a b; do
    for _ in $(seq 100); do [ -S "$work/$s.sock" ] && break; sleep 0.05; done
done
A="qemu+unix:///system?socket=$work/a.sock"
B="qemu+unix:///system?socket=$work/b.sock"
cat > "$work/dom.xml" <<XML
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>migratebench</name>
  <memory unit='MiB'>$mib</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>$qemu</emulator>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-device'/>
    <qemu:arg value='$loader'/>
  </qemu:commandline>
</domain>
XML
virsh -q -c "$A" create "$work/dom.xml" >/dev/null

# ---- bare QEMU: the same guest's options ----
mkdir -p "$work/bare"
printf '%s\n' "$qemu" -machine pc,accel=tcg -cpu qemu64 -m "$mib" -smp 1 -display none \
    -nodefaults -no-user-config -device "$loader" > "$work/bare/cmdline"
mapfile -t argv < "$work/bare/cmdline"
"${argv[@]}" -qmp "unix:$work/bare/qmp-0.sock,server=on,wait=off" -daemonize
echo 0 > "$work/bare/current"

vgm_cmd="virsh -q -c '$A' migrate --live migratebench '$B' --migrateuri tcp://127.0.0.1 && virsh -q -c '$B' migrate --live migratebench '$A' --migrateuri tcp://127.0.0.1"
qemu_cmd="/usr/bin/python3 $srcdir/bench/qmp-migrate.py $work/bare"

if [ -n "${KEEP:-}" ]; then
    echo "virt-gmem: bash -c \"$vgm_cmd\""
    echo "bare QEMU: $qemu_cmd"
    read -r -p "both set up; Enter ends them " _
    exit 0
fi

now() { date +%s.%N; }
vt=(); qt=()
for r in $(seq "$rounds"); do
    t0=$(now); bash -c "$vgm_cmd"; t1=$(now)
    q=$($qemu_cmd); t2=$(now)
    v=$(echo "$t1 - $t0" | bc); b=$(echo "$t2 - $t1" | bc)
    vt+=("$v"); qt+=("$b")
    printf 'round %d: virt-gmem %.3f s, bare QEMU %.3f s (QEMU total-time per leg: %s ms)\n' \
        "$r" "$v" "$b" "$q"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf 'median of %d round trips (%d MiB, %d MiB random): virt-gmem %.3f s, bare QEMU %.3f s\n' \
    "$rounds" "$mib" "$fill" "$(median "${vt[@]}")" "$(median "${qt[@]}")"
