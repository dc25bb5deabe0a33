#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# savebench.sh [MIB]: how long `virsh managedsave` and the `virsh start`
# that takes the guest up again from its image take, through virsh 9.0,
# against virtgmemd and against Debian's libvirtd 9.0 side by side, for
# the same guest (default 256 MiB).
#
# The guest is a TCG guest on Debian's QEMU 7.2 (Debian's kernel and a
# busybox initramfs, tests/guestkit.sh) whose init first fills half of its
# RAM with random data (QEMU skips zero pages, so that there is memory to
# write) and then counts on its serial port. Per daemon, ROUNDS (3)
# rounds of: managedsave (whole virsh process, wall time), the image's
# size, start (whole virsh process), then a wait until the guest counts
# again, on from where it was (checked). Prints one line per round and a
# median table.
#
# Runs as root on Debian 12 after a build (build/, or $VGM_BUILDDIR). It
# starts virtgmemd on a temporary root; when no libvirtd answers on
# qemu:///system, it starts virtlogd and libvirtd as docs say
# (reference-stack) and stops exactly those at the end. Needs the libvirt
# daemon packages (scripts/install-deps.sh installs them).
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${VGM_BUILDDIR:-$srcdir/build}
rounds=${ROUNDS:-3}
mib=${1:-256}
fill=$((mib / 2))
lvuri='qemu+unix:///system?socket=/var/run/libvirt/libvirt-sock'

. "$srcdir/tests/guestkit.sh"
guestkit_fetch "$builddir/tests/boottest-cache" || { echo "$guestkit_why" >&2; exit 1; }

work=$(mktemp -d /tmp/vgm-savebench-XXXXXX)
chmod 755 "$work"
started=()
cleanup() {
    for uri in "qemu+unix:///system?socket=$work/sock" "$lvuri"; do
        virsh -c "$uri" destroy savebench >/dev/null 2>&1 || true
        virsh -c "$uri" undefine --managed-save savebench >/dev/null 2>&1 || true
    done
    for pid in "${started[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    sleep 1
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
cp "$guestkit_kernel" "$work/vmlinuz"
chmod 644 "$work/vmlinuz" "$work/initrd.gz"

# the daemons
"$builddir/tools/virtgmemd" --root "$work/root" --listen "$work/sock" --timeout 0 \
    > "$work/virtgmemd.log" 2>&1 &
started+=($!)
if ! virsh -c "$lvuri" version >/dev/null 2>&1; then
    pgrep -x virtlogd >/dev/null || { virtlogd & started+=($!); }
    libvirtd > "$work/libvirtd.log" 2>&1 &
    started+=($!)
fi
for i in $(seq 1 100); do
    virsh -c "qemu+unix:///system?socket=$work/sock" version >/dev/null 2>&1 &&
        virsh -c "$lvuri" version >/dev/null 2>&1 && break
    sleep 0.1
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "-") }'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
last_count() { grep -a -o 'COUNT [0-9]*' "$1" 2>/dev/null | tail -n1 | cut -d' ' -f2; }

summary=()
for side in virtgmemd libvirtd; do
    if [ "$side" = virtgmemd ]; then
        uri="qemu+unix:///system?socket=$work/sock"
        image=$work/root/lib/qemu/save/savebench.save
    else
        uri=$lvuri
        image=/var/lib/libvirt/qemu/save/savebench.save
    fi
    serial=$work/serial-$side.log
    cat > "$work/savebench.xml" <<EOF
<domain type='qemu'>
  <name>savebench</name>
  <memory unit='MiB'>$mib</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$work/vmlinuz</kernel>
    <initrd>$work/initrd.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet vgmfill=$fill</cmdline>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'>
      <source path='$serial'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
    virsh -c "$uri" define "$work/savebench.xml" >/dev/null
    virsh -c "$uri" start savebench >/dev/null
    echo "# $side: a $mib MiB guest fills $fill MiB of its RAM with random data..." >&2
    for i in $(seq 1 1800); do
        grep -qa "^COUNT" "$serial" 2>/dev/null && break
        sleep 0.2
    done
    grep -qa "^COUNT" "$serial" || { echo "$side: the guest never counted" >&2; exit 1; }
    saves=() starts=() sizes=()
    for r in $(seq 1 "$rounds"); do
        t0=$(now_ms)
        virsh -c "$uri" managedsave savebench >/dev/null
        t1=$(now_ms)
        before=$(last_count "$serial")
        size=$(stat -c %s "$image")
        t2=$(now_ms)
        virsh -c "$uri" start savebench >/dev/null
        t3=$(now_ms)
        # the guest counts on from where it was (QEMU started the serial
        # file anew)
        for i in $(seq 1 300); do
            now=$(last_count "$serial")
            [ -n "$now" ] && [ "$now" -gt "$before" ] && break
            sleep 0.1
        done
        now=$(last_count "$serial")
        if [ -z "$now" ] || [ "$now" -gt $((before + 50)) ]; then
            echo "$side round $r: the guest did not count on from $before (now: ${now:-none})" >&2
            exit 1
        fi
        saves+=($((t1 - t0))) starts+=($((t3 - t2))) sizes+=("$size")
        echo "$side round $r: managedsave $((t1 - t0)) ms, image $((size / 1048576)) MiB, start $((t3 - t2)) ms, the guest counts on: $before -> $now"
    done
    summary+=("$(printf '%-9s | %7s ms | %7s ms | %5s MiB' "$side" \
        "$(printf '%s\n' "${saves[@]}" | median)" "$(printf '%s\n' "${starts[@]}" | median)" \
        "$(( $(printf '%s\n' "${sizes[@]}" | median) / 1048576 ))")")
    virsh -c "$uri" destroy savebench >/dev/null
    virsh -c "$uri" undefine --managed-save savebench >/dev/null
done

echo
echo "medians of $rounds rounds ($mib MiB TCG guest, QEMU $(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p'), half its RAM random data; whole virsh processes)"
echo "daemon    | managedsave | start (restore) | image"
for line in "${summary[@]}"; do
    echo "$line"
done
