#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# liveupdatebench.sh [MIB...]: how long a live update pauses the guest and
# takes, for guests of each size (default: 256 and 4096 MiB), next to a
# normal migration of the same guest to a file, which copies its memory.
#
# Each guest is a TCG guest on QEMU 10.0 (scripts/fetch-qemu10.sh) with
# memfd memory and <liveUpdate/>; its initramfs first fills half of its
# RAM with random data (so that there is memory to copy: QEMU skips zero
# pages) and then counts on its serial console. Per size, ROUNDS (3)
# rounds of:
#   - `virt-gmem live-update`: the pause it reports (from the old QEMU's
#     STOP event to the new one's RESUME) and the whole command's wall
#     time;
#   - migration to a file over QMP (bench/qmp-save.py): QEMU's total time
#     and downtime, and the bytes it wrote.
# Prints one line per measurement and a median table. Needs about twice
# the largest size in free memory, and the build in build/ (VGM_BUILDDIR).
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${VGM_BUILDDIR:-$srcdir/build}
tool=$builddir/tools/virt-gmem
rounds=${ROUNDS:-3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(256 4096)

qemu10=$("$srcdir/scripts/fetch-qemu10.sh" "$builddir/tests/qemu-10.0")
. "$srcdir/tests/guestkit.sh"
guestkit_fetch "$builddir/tests/boottest-cache" || { echo "$guestkit_why" >&2; exit 1; }

work=$(mktemp -d /tmp/vgm-lubench-XXXXXX)
root=$work/root
vt() { "$tool" "$@" --root "$root"; }
cleanup() {
    vt destroy lubench >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox mount -t proc proc /proc
fill=$(/bin/busybox sed -n 's/.*vgmfill=\([0-9]*\).*/\1/p' /proc/cmdline)
# the initramfs is a tmpfs in guest RAM
/bin/busybox dd if=/dev/urandom of=/fill bs=4096 count=$((fill * 256)) 2>/dev/null
/bin/busybox echo "FILLED $(/bin/busybox du -m /fill)" > /dev/ttyS0
i=0
while true; do
    /bin/busybox echo "COUNT $i" > /dev/ttyS0
    i=$((i + 1))
    /bin/busybox usleep 100000
done
EOF
guestkit_initrd "$work/initramfs" "$work/init" "$work/initrd.gz"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "-") }'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

summary=()
for mib in "${sizes[@]}"; do
    fill=$((mib / 2))
    serial=$work/serial-$mib.log
    cat > "$work/lubench.xml" <<EOF
<domain type='qemu'>
  <name>lubench</name>
  <memory unit='MiB'>$mib</memory>
  <vcpu>1</vcpu>
  <memoryBacking>
    <source type='memfd'/>
    <access mode='shared'/>
    <liveUpdate/>
  </memoryBacking>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$guestkit_kernel</kernel>
    <initrd>$work/initrd.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet vgmfill=$fill</cmdline>
  </os>
  <devices>
    <emulator>$qemu10</emulator>
    <serial type='file'>
      <source path='$serial'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
    vt create "$work/lubench.xml" >/dev/null
    echo "# $mib MiB guest: filling $fill MiB of its RAM with random data..." >&2
    for i in $(seq 1 1800); do
        grep -q "^COUNT" "$serial" 2>/dev/null && break
        sleep 0.2
    done
    grep -q "^COUNT" "$serial" || { echo "the $mib MiB guest never counted" >&2; exit 1; }
    echo "# $(grep -a FILLED "$serial")" >&2
    pauses=() totals=() mtotals=() mdowns=() mbytes=()
    for r in $(seq 1 "$rounds"); do
        t0=$(now_ms)
        out=$(vt live-update lubench)
        t1=$(now_ms)
        pause=$(printf '%s' "$out" | sed -n 's/.*paused for \([0-9.]*\) ms.*/\1/p')
        pauses+=("$pause") totals+=($((t1 - t0)))
        echo "$mib MiB live-update round $r: pause ${pause} ms, command $((t1 - t0)) ms"
        mon=$(sed -n 's/^  "monitor" : "\(.*\)",$/\1/p' "$root/run/qemu/lubench.status")
        read -r mt md mb < <(/usr/bin/python3 "$srcdir/bench/qmp-save.py" "$mon" "$work/save")
        rm -f "$work/save"
        mtotals+=("$mt") mdowns+=("$md") mbytes+=("$mb")
        echo "$mib MiB migrate-to-file round $r: total ${mt} ms, downtime ${md} ms, $((mb / 1048576)) MiB written"
    done
    last=$(grep -a -o 'COUNT [0-9]*' "$serial" | tail -n1)
    summary+=("$(printf '%6s MiB | %9s ms | %9s ms | %9s ms | %9s ms | %6s MiB' "$mib" \
        "$(printf '%s\n' "${pauses[@]}" | median)" "$(printf '%s\n' "${totals[@]}" | median)" \
        "$(printf '%s\n' "${mdowns[@]}" | median)" "$(printf '%s\n' "${mtotals[@]}" | median)" \
        "$(( $(printf '%s\n' "${mbytes[@]}" | median) / 1048576 ))")")
    echo "# the guest still counts after $rounds updates and saves: $last" >&2
    vt destroy lubench >/dev/null
done

echo
echo "medians of $rounds rounds (TCG guests, QEMU 10.0.2; half the RAM holds random data)"
echo "   guest |  live-update      |                   | migrate to a file |                   |"
echo "         |  guest pause      |  whole command    |  downtime         |  total time       |  written"
for line in "${summary[@]}"; do
    echo "$line"
done
