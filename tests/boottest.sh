#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# boottest.sh: a whole guest boot through virt-gmem, under TCG.
#
# Covers: Debian's kernel (taken from the linux-image-*-amd64 package that
# linux-image-amd64 depends on, unpacked with dpkg -x, never installed) and
# a busybox initramfs built here (/init prints a marker on the serial
# console and runs 'poweroff -f'); a domain with <os><kernel/><initrd/>
# <cmdline/>, a <serial type='file'>, memfd guest RAM and type 'qemu', and
# two host directories shared with it: one over 9p (QEMU's server) and one
# over virtiofs (the virtiofsd the driver runs; the kernel's 9p and
# virtiofs modules go into the initramfs); define, start, the marker in the
# serial file within 120 s, each share's host file read back by the guest
# and the guest's file found in the host directory, then the guest's
# power-off: with <on_poweroff>destroy</on_poweroff> QEMU runs without
# -no-shutdown and exits by itself, before any other virt-gmem command; the
# next domstate --reason reads 'shut off (shutdown)', leaving no QEMU
# process, no virtiofsd, no status file and no runtime dir; undefine.
#
# The packages are downloaded with apt-get download into
# $VGM_BUILDDIR/tests/boottest-cache, so reruns are fast. Without QEMU, or
# when the download fails (no network), every test is skipped with the
# reason. Every QEMU started here is stopped on exit.
set -u

builddir=${VGM_BUILDDIR:-$(cd "$(dirname "$0")/../build" && pwd)}
tool=$builddir/tools/virt-gmem
qemu=/usr/bin/qemu-system-x86_64
cache=$builddir/tests/boottest-cache
ntests=8

echo "1..$ntests"

skip_all() {
    local i
    for i in $(seq 1 $ntests); do
        echo "ok $i # SKIP $1"
    done
    exit 0
}

[ -x "$qemu" ] || skip_all "no QEMU at $qemu"
[ -x "$tool" ] || skip_all "virt-gmem not built at $tool"

work=$(mktemp -d /tmp/vgm-boottest-XXXXXX)
root=$work/root
qemupid=

cleanup() {
    if [ -n "$qemupid" ] && kill -0 "$qemupid" 2>/dev/null; then
        "$tool" destroy --root "$root" boottest >/dev/null 2>&1
        kill -9 "$qemupid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
failed=0

# ---- 1: the kernel and busybox from Debian packages ----
. "$(dirname "$0")/guestkit.sh"
guestkit_fetch "$cache"
case $? in
    0) ok "kernel $(basename "$guestkit_kernel") from $guestkit_kpkg and busybox from busybox-static" ;;
    1) skip_all "$guestkit_why" ;;
    *)
        notok "$guestkit_why"
        for i in $(seq $((n + 1)) $ntests); do echo "not ok $i - needs the kernel"; done
        exit 1
        ;;
esac
kernel=$guestkit_kernel

# ---- the initramfs: /init mounts the shares, reads one file of each,
# writes one into each, prints the marker and powers off ----
marker="VIRT-GMEM-BOOT-MARKER-$$"
mkdir -p "$work/share9p" "$work/sharevfs"
echo "host-9p-$$" > "$work/share9p/from-host"
echo "host-virtiofs-$$" > "$work/sharevfs/from-host"
if ! guestkit_modules "$work/initramfs" virtio_pci 9pnet_virtio 9p virtiofs; then
    echo "# the share modules: $guestkit_why"
fi
cat > "$work/init" <<EOF
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox mount -t proc proc /proc
for m in \$(/bin/busybox cat /mod/order); do /bin/busybox insmod /mod/\$m; done
/bin/busybox mkdir -p /mnt/9p /mnt/vfs
/bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L share9p /mnt/9p
/bin/busybox mount -t virtiofs sharevfs /mnt/vfs
/bin/busybox echo "9P-READ \$(/bin/busybox cat /mnt/9p/from-host)" > /dev/ttyS0
/bin/busybox echo "VIRTIOFS-READ \$(/bin/busybox cat /mnt/vfs/from-host)" > /dev/ttyS0
/bin/busybox echo "guest-9p-$$" > /mnt/9p/from-guest
/bin/busybox echo "guest-virtiofs-$$" > /mnt/vfs/from-guest
/bin/busybox sync
/bin/busybox umount /mnt/9p /mnt/vfs
/bin/busybox echo "$marker" > /dev/ttyS0
/bin/busybox poweroff -f
EOF
guestkit_initrd "$work/initramfs" "$work/init" "$work/initrd.gz"

mkdir -p "$root"
cat > "$work/boottest.xml" <<EOF
<domain type='qemu'>
  <name>boottest</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <memoryBacking>
    <source type='memfd'/>
    <access mode='shared'/>
  </memoryBacking>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$kernel</kernel>
    <initrd>$work/initrd.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>$qemu</emulator>
    <filesystem type='mount' accessmode='passthrough'>
      <source dir='$work/share9p'/>
      <target dir='share9p'/>
    </filesystem>
    <filesystem type='mount'>
      <driver type='virtiofs'/>
      <source dir='$work/sharevfs'/>
      <target dir='sharevfs'/>
    </filesystem>
    <serial type='file'>
      <source path='$work/serial.log'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF

# ---- 2: define and start ----
if out=$("$tool" define --root "$root" "$work/boottest.xml" 2>&1) &&
   out2=$("$tool" start --root "$root" boottest 2>&1); then
    qemupid=$(sed -n 's/^  "pid" : \([0-9]*\),$/\1/p' "$root/run/qemu/boottest.status")
    ok "define and start a kernel+initrd domain under TCG (QEMU pid $qemupid)"
else
    notok "define and start: ${out:-} ${out2:-}"
    sed 's/^/# /' "$root/log/qemu/boottest.log" 2>/dev/null
fi

# ---- 3: the marker on the serial console ----
found=0
for i in $(seq 1 240); do
    if grep -q "$marker" "$work/serial.log" 2>/dev/null; then
        found=1
        break
    fi
    sleep 0.5
done
if [ $found = 1 ]; then
    ok "the guest printed the marker on its serial console (after ~$((i / 2)) s)"
else
    notok "no marker on the serial console within 120 s"
    tail -n 20 "$work/serial.log" 2>/dev/null | sed 's/^/# /'
fi

# ---- 4: both shares read and written by the guest ----
if grep -q "^9P-READ host-9p-$$" "$work/serial.log" 2>/dev/null &&
   grep -q "^VIRTIOFS-READ host-virtiofs-$$" "$work/serial.log" 2>/dev/null &&
   [ "$(cat "$work/share9p/from-guest" 2>/dev/null)" = "guest-9p-$$" ] &&
   [ "$(cat "$work/sharevfs/from-guest" 2>/dev/null)" = "guest-virtiofs-$$" ]; then
    ok "the guest read the host's file of its 9p and its virtiofs share, and its own files are in the host directories"
else
    notok "the shares: serial says '$(grep -a 'READ' "$work/serial.log" 2>/dev/null | tr '\n' '|')', host has '$(cat "$work/share9p/from-guest" "$work/sharevfs/from-guest" 2>&1 | tr '\n' '|')'"
    tail -n 20 "$work/serial.log" 2>/dev/null | sed 's/^/# /'
    sed 's/^/# /' "$root"/log/qemu/boottest-fs*-virtiofsd.log 2>/dev/null | tail -n 10
fi

# ---- 5: after the guest's power-off QEMU exits by itself ----
# (a zombie, with no reaping parent in some containers, is not running)
qemu_runs() {
    local st
    [ -n "$qemupid" ] && [ -r "/proc/$qemupid/stat" ] || return 1
    st=$(sed 's/.*) \(.\).*/\1/' "/proc/$qemupid/stat" 2>/dev/null)
    [ -n "$st" ] && [ "$st" != "Z" ]
}
for i in $(seq 1 120); do
    qemu_runs || break
    sleep 0.5
done
if [ -n "$qemupid" ] && ! qemu_runs; then
    ok "after the guest powered off, QEMU exited by itself (no -no-shutdown)"
else
    notok "QEMU $qemupid still runs 60 s after the marker"
fi

# ---- 6: the next command reads 'shut off (shutdown)' ----
state=$("$tool" domstate --reason --root "$root" boottest 2>&1 | head -n1)
if [ "$state" = "shut off (shutdown)" ]; then
    ok "domstate --reason reads 'shut off (shutdown)'"
else
    notok "domstate --reason reads '$state' after the guest powered off"
    sed 's/^/# /' "$root/log/qemu/boottest.log" 2>/dev/null | tail -n 5
fi

# ---- 7: nothing left running ----
alive=0
qemu_runs && alive=1
# a virtiofsd (or its sandboxed child) still serving this test's share
vfsd=$(pgrep -f -- "source=$work/sharevfs" | tr '\n' ' ')
if [ $alive = 0 ] && [ -z "$vfsd" ] && [ ! -e "$root/run/qemu/boottest.status" ] &&
   [ ! -e "$root/run/qemu/domain-boottest" ]; then
    ok "no QEMU process, no virtiofsd, no status file, no runtime dir left"
else
    notok "left behind: QEMU alive=$alive, virtiofsd '$vfsd', status=$(ls "$root/run/qemu/")"
fi

# ---- 8: undefine ----
if out=$("$tool" undefine --root "$root" boottest 2>&1) &&
   [ "$(printf '%s' "$out" | head -n1)" = "Domain 'boottest' has been undefined" ] &&
   [ ! -e "$root/etc/qemu/boottest.xml" ]; then
    ok "undefine removes the config"
else
    notok "undefine: $out"
fi

exit $failed
