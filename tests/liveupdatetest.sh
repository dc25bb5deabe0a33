#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# liveupdatetest.sh: live update of a running guest on a real QEMU 10.0.
#
# Covers: QEMU 10.0.2 from Debian's bookworm-backports unpacked privately
# (scripts/fetch-qemu10.sh); a TCG guest (Debian's kernel, a busybox
# initramfs whose /init prints "COUNT n" on its serial console, a file, ten
# times a second) with memfd memory and <liveUpdate/>, started through
# virt-gmem. Then:
#   - two live updates while it counts: after each the counter goes on
#     from where it was (it never restarts or goes back), the new QEMU
#     holds the same memory-backend memfd inodes as the old one
#     (/proc/PID/fd), the old process is gone, dominfo names the new pid,
#     the VNC server (autoport) and its websocket (websocket='-1') are on
#     ports of their own that the live XML names and the new QEMU listens
#     on;
#   - a guest (the same kernel, virtio-net loaded, busybox httpd) on a tap
#     of two queues and a macvtap, with a TPM (swtpm, when installed) whose
#     PCR 16 it extends: it answers a ping and ten HTTP fetches (each a
#     connection of its own, spread over the tap's queues) through the tap
#     before and after a live update, the new QEMU holds both files of the
#     tap and the macvtap's character device (taken from the old one), and
#     PCR 16 still reads as extended (the TPM state came over; its state
#     directory is now tpm2.b alone); the tool killed after it attached the
#     tap's queues for the new QEMU: the next command leaves the old QEMU
#     with its queues as they were (ten fetches answered) and the TPM's
#     state as it was; a second update takes the state back to tpm2;
#   - a counting guest with a vCPU plugged after QEMU started (<vcpus>)
#     and a serial console on a TCP port: the new QEMU has the vCPU on its
#     command line (-device ... "id":"vcpu1") and the running QEMU's
#     listening socket (-chardev socket,fd=N,server=on), the guest counts
#     on, and a client connecting after the update reads its counts;
#   - refused updates: QEMU 7.2 as the new binary (no cpr-transfer), a
#     domain without <liveUpdate/>, one with shared memory
#     (<shmem>) of role peer: an error that says why,
#     the same QEMU process, the guest still counting;
#   - a failure after the new QEMU started (its binary is a wrapper that
#     drops the serial device, so loading the guest's state fails and the
#     process exits during the transfer): the old QEMU runs the guest on;
#   - the tool killed with SIGKILL after the new QEMU was spawned, and
#     after the switch: the next command leaves exactly one QEMU of the
#     domain, the one its status names, and the guest counting;
#   - destroy leaves no QEMU.
# Skips with the reason when QEMU 10.0 or the kernel cannot be fetched.
set -u

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${VGM_BUILDDIR:-$srcdir/build}
tool=$builddir/tools/virt-gmem
qemu72=/usr/bin/qemu-system-x86_64
cache=$builddir/tests/boottest-cache
ntests=16

echo "1..$ntests"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
skip_all() {
    local i
    for i in $(seq $((n + 1)) $ntests); do
        echo "ok $i # SKIP $1"
    done
    exit 0
}

[ -x "$tool" ] || skip_all "virt-gmem not built at $tool"
if ! qemu10=$("$srcdir/scripts/fetch-qemu10.sh" "$builddir/tests/qemu-10.0" 2>"$builddir/tests/qemu-10.0.why"); then
    skip_all "no QEMU 10.0: $(cat "$builddir/tests/qemu-10.0.why")"
fi
. "$srcdir/tests/guestkit.sh"
guestkit_fetch "$cache"
case $? in
    0) ;;
    1) skip_all "$guestkit_why" ;;
    *) skip_all "$guestkit_why" ;;
esac

work=$(mktemp -d /tmp/vgm-lu-XXXXXX)
root=$work/root
dom=lutest
serial=$work/serial.log
vt() { "$tool" "$@" --root "$root"; }

cleanup() {
    local p
    vt destroy $dom >/dev/null 2>&1
    vt destroy lunone >/dev/null 2>&1
    vt destroy lunet >/dev/null 2>&1
    vt destroy luvcpu >/dev/null 2>&1
    for p in $(qemu_pids $dom) $(qemu_pids lunone) $(qemu_pids lunet) $(qemu_pids luvcpu); do
        kill -9 "$p" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT

# pids of the live (not zombie) QEMU processes of domain $1
qemu_pids() {
    local p st
    for p in $(pgrep -f -- "-name guest=$1,"); do
        st=$(sed 's/.*) \(.\).*/\1/' "/proc/$p/stat" 2>/dev/null)
        [ -n "$st" ] && [ "$st" != Z ] && echo "$p"
    done
}
status_pid() {
    sed -n 's/^  "pid" : \([0-9]*\),$/\1/p' "$root/run/qemu/$dom.status" 2>/dev/null
}
# "name inode" of each memory-backend memfd process $1 holds
memfd_inodes() {
    local f l
    for f in /proc/"$1"/fd/*; do
        l=$(readlink "$f" 2>/dev/null) || continue
        case $l in
            /memfd:memory-backend*|/memfd:pc.ram*) echo "$l $(stat -L -c %i "$f")" ;;
        esac
    done | sort
}
# the last count on the serial console, or -1
last_count() {
    local c
    c=$(grep -a -o 'COUNT [0-9]*' "$serial" 2>/dev/null | tail -n1 | cut -d' ' -f2)
    echo "${c:--1}"
}
# waits until the count passes $1 (20 s at most)
wait_count_above() {
    local i
    for i in $(seq 1 200); do
        [ "$(last_count)" -gt "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
# every count on the console is the one before plus one
counts_in_order() {
    grep -a -o 'COUNT [0-9]*' "$serial" | cut -d' ' -f2 |
        awk 'NR > 1 && $1 != prev + 1 { print "count " prev " followed by " $1; bad = 1 }
             { prev = $1 } END { exit bad }'
}
# the guest goes on counting after step $1 on the process the status names
check_on() {
    local what=$1 before=$2 want=$3 pids
    pids=$(qemu_pids $dom | tr '\n' ' ')
    if [ "$pids" != "$want " ]; then
        notok "$what: QEMU processes of the domain are '$pids', expected '$want'"
    elif [ "$(status_pid)" != "$want" ]; then
        notok "$what: the status names pid $(status_pid), not $want"
    elif ! wait_count_above "$before"; then
        notok "$what: the guest stopped counting at $(last_count)"
    elif ! out=$(counts_in_order); then
        notok "$what: the counter restarted or went back: $out"
    else
        ok "$what (count $before -> $(last_count), QEMU $want)"
    fi
}

# update_paused DOMAIN POINT: a live update of DOMAIN in the background
# that pauses at POINT (VIRT_GMEM_TEST_PAUSE_AT); 0 with the tool's pid
# in $toolpid once it is there, 1 (the tool ended) when it is not there
# within 30 s
update_paused() {
    local i
    VIRT_GMEM_TEST_PAUSE_AT=$2 "$tool" live-update "$1" --root "$root" >"$work/kill.out" 2>&1 &
    toolpid=$!
    for i in $(seq 1 300); do
        grep -q "paused at $2" "$work/kill.out" && return 0
        sleep 0.1
    done
    kill -9 $toolpid 2>/dev/null
    wait $toolpid 2>/dev/null
    return 1
}
kill_tool() {
    kill -9 $toolpid
    wait $toolpid 2>/dev/null
}

# ---- 1: a counting guest with <liveUpdate/> on QEMU 10.0 ----
cat > "$work/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
i=0
while true; do
    /bin/busybox echo "COUNT $i" > /dev/ttyS0
    i=$((i + 1))
    /bin/busybox usleep 100000
done
EOF
guestkit_initrd "$work/initramfs" "$work/init" "$work/initrd.gz"
cat > "$work/$dom.xml" <<EOF
<domain type='qemu'>
  <name>$dom</name>
  <memory unit='MiB'>256</memory>
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
    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>
  </os>
  <devices>
    <emulator>$qemu10</emulator>
    <serial type='file'>
      <source path='$serial'/>
    </serial>
    <graphics type='vnc' autoport='yes' websocket='-1'/>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
if ! out=$(vt define "$work/$dom.xml" 2>&1) || ! out=$(vt start $dom 2>&1); then
    notok "define and start on QEMU 10.0: $out"
    skip_all "the guest did not start"
fi
if wait_count_above 4 || wait_count_above 4; then
    ok "a TCG guest with <liveUpdate/> runs on $("$qemu10" -version | head -n1) and counts"
else
    notok "the guest did not count within 40 s"
    tail -n 20 "$serial" 2>/dev/null | sed 's/^/# /'
    sed 's/^/# /' "$root/log/qemu/$dom.log" | tail -n 5
    skip_all "the guest does not count"
fi

# the VNC port the live XML names
vnc_port() {
    vt dumpxml $dom 2>/dev/null | sed -n "s/.*<graphics type='vnc' port='\([0-9]*\)'.*/\1/p"
}
# the port of its websocket (websocket='-1': the start chose it)
ws_port() {
    vt dumpxml $dom 2>/dev/null | sed -n "s/.*<graphics type='vnc'.* websocket='\([0-9]*\)'.*/\1/p"
}
# whether something listens on 127.0.0.1:$1
listening() {
    [ -n "$1" ] && (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ---- 2, 3: two live updates ----
for round in 1 2; do
    old=$(status_pid)
    port_old=$(vnc_port)
    ws_old=$(ws_port)
    inodes_old=$(memfd_inodes "$old")
    before=$(last_count)
    if ! out=$(vt live-update $dom 2>&1); then
        notok "live update $round: $out"
        continue
    fi
    new=$(status_pid)
    port_new=$(vnc_port)
    ws_new=$(ws_port)
    inodes_new=$(memfd_inodes "$new")
    info=$(vt dominfo $dom)
    if [ -z "$new" ] || [ "$new" = "$old" ]; then
        notok "live update $round: the status names pid '$new' (before: $old)"
    elif [ -d "/proc/$old" ] && [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$old/stat")" != Z ]; then
        notok "live update $round: the old QEMU $old still runs"
    elif [ -z "$inodes_old" ] || [ "$inodes_old" != "$inodes_new" ]; then
        notok "live update $round: memfd inodes differ: old '$inodes_old' new '$inodes_new'"
    elif ! printf '%s\n' "$info" | grep -q "^QEMU process: *$new\$"; then
        notok "live update $round: dominfo does not name pid $new: $info"
    elif [ -z "$port_old" ] || [ -z "$port_new" ] || [ "$port_old" = "$port_new" ] ||
         ! listening "$port_new"; then
        notok "live update $round: VNC port '$port_old' -> '$port_new' (a new one the new QEMU listens on expected)"
    elif [ -z "$ws_old" ] || [ -z "$ws_new" ] || [ "$ws_old" = "$ws_new" ] ||
         ! listening "$ws_new"; then
        notok "live update $round: VNC websocket port '$ws_old' -> '$ws_new' (a new one the new QEMU listens on expected)"
    else
        check_on "live update $round: QEMU $old -> $new, the same memfd inodes ($(echo $inodes_new | tr '\n' ' ')), the old process gone, VNC $port_old -> $port_new, websocket $ws_old -> $ws_new" \
            "$before" "$new"
    fi
done

# ---- 4: QEMU 7.2 as the new binary is refused ----
old=$(status_pid)
before=$(last_count)
if [ ! -x "$qemu72" ]; then
    n=$((n + 1)); echo "ok $n # SKIP no QEMU 7.2 at $qemu72"
elif out=$(vt live-update $dom --emulator "$qemu72" 2>&1); then
    notok "live update to QEMU 7.2 succeeded: $out"
elif ! printf '%s' "$out" | grep -q "cpr-transfer"; then
    notok "the refusal does not say why: $out"
else
    check_on "QEMU 7.2 as the new binary is refused ($(printf '%s' "$out" | tail -n1 | cut -c1-120)...)" \
        "$before" "$old"
fi

# ---- 5: a domain without <liveUpdate/> is refused ----
sed -e "s/<name>$dom</<name>lunone</" -e '/<liveUpdate\/>/d' -e '/<kernel>/,/<cmdline>/d' \
    -e "s|$serial|$work/lunone.log|" "$work/$dom.xml" > "$work/lunone.xml"
if ! out=$(vt create --paused "$work/lunone.xml" 2>&1); then
    notok "starting a domain without <liveUpdate/>: $out"
else
    p=$(qemu_pids lunone)
    if out=$(vt live-update lunone 2>&1); then
        notok "live update of a domain without <liveUpdate/> succeeded"
    elif ! printf '%s' "$out" | grep -q "liveUpdate"; then
        notok "the refusal does not name <liveUpdate/>: $out"
    elif [ "$(qemu_pids lunone)" != "$p" ]; then
        notok "the refused domain's QEMU changed: $p -> $(qemu_pids lunone)"
    else
        ok "a domain without <liveUpdate/> is refused and keeps QEMU $p"
    fi
    vt destroy lunone >/dev/null 2>&1
fi

# refused_update NAME EDIT WANT WHAT: a copy of the domain named NAME,
# without the kernel, changed by the sed expression EDIT, started paused:
# its live update must fail with an error matching WANT, naming WHAT,
# and leave its QEMU as it was
refused_update() {
    local name=$1 edit=$2 want=$3 what=$4 out p
    sed -e "s/<name>$dom</<name>$name</" -e '/<kernel>/,/<cmdline>/d' \
        -e "s|$serial|$work/$name.log|" -e "$edit" "$work/$dom.xml" > "$work/$name.xml"
    if ! out=$(vt create --paused "$work/$name.xml" 2>&1); then
        notok "starting a domain with $what: $out"
        return
    fi
    p=$(qemu_pids "$name")
    if out=$(vt live-update "$name" 2>&1); then
        notok "live update of a domain with $what succeeded"
    elif ! printf '%s' "$out" | grep -q "$want"; then
        notok "the refusal does not name $what: $out"
    elif [ "$(qemu_pids "$name")" != "$p" ]; then
        notok "the refused domain's QEMU changed: $p -> $(qemu_pids "$name")"
    else
        ok "a domain with $what is refused ('$(printf '%s' "$out" | tr '\n' ' ')') and keeps QEMU $p"
    fi
    vt destroy "$name" >/dev/null 2>&1
}

# ---- 5b: a guest on a tap and a macvtap keeps its network and its TPM ----
# the new QEMU gets the files of the tap (two queues) and of the macvtap
# the old one holds, and a swtpm of its own on a copy of the TPM's state;
# the guest answers through the tap and reads its PCR before and after
netup() {
    "$guestkit_busybox" ping -c 1 -W 1 198.51.100.2 >/dev/null 2>&1
}
# ten HTTP fetches from the guest's busybox httpd, each a connection of
# its own port, so that the tap spreads them over its attached queues (a
# queue attached that the guest's QEMU does not read loses its share);
# prints how many failed
fetch() {
    timeout 3 bash -c 'exec 3<>/dev/tcp/198.51.100.2/80 &&
        printf "GET / HTTP/1.0\r\n\r\n" >&3 && cat <&3' 2>/dev/null | grep -q '^netguest'
}
fetch_fails() {
    local i bad=0
    for i in $(seq 1 10); do
        fetch || bad=$((bad + 1))
    done
    echo $bad
}
# the fds process $1 holds of tap $2 (their fdinfo names it)
tap_fds() {
    local f
    for f in /proc/"$1"/fdinfo/*; do
        grep -q "^iff:[[:space:]]$2\$" "$f" 2>/dev/null && echo "${f##*/}"
    done
}
# whether process $1 holds the character device of macvtap $2
holds_macvtap() {
    local idx f
    idx=$(cat "/sys/class/net/$2/ifindex" 2>/dev/null) || return 1
    for f in /proc/"$1"/fd/*; do
        case $(readlink "$f" 2>/dev/null) in */tap$idx|*"/tap$idx (deleted)") return 0 ;; esac
    done
    return 1
}
# the guest's PCR 16 on its console's last count line (lower case)
last_pcr() {
    grep -a -o 'COUNT [0-9]* PCR16 [0-9A-Fa-f]*' "$work/lunet.log" 2>/dev/null | tail -n1 |
        cut -d' ' -f4 | tr 'A-F' 'a-f'
}
# the count on the guest's console's last line
last_netcount() {
    grep -a -o 'COUNT [0-9]*' "$work/lunet.log" 2>/dev/null | tail -n1 | cut -d' ' -f2
}
# "" when the TPM (if any) holds PCR 16 as the guest extended it on a
# count after $1, else what is wrong
tpm_check() {
    local i
    [ -z "$pcrwant" ] && return 0
    for i in $(seq 1 30); do
        [ "$(last_netcount)" -gt "$1" ] 2>/dev/null && break
        sleep 1
    done
    if [ "$(last_pcr)" != "$pcrwant" ]; then
        echo "the TPM's PCR 16 reads '$(last_pcr)' after count $1, not '$pcrwant'"
    fi
}
tapname=vgmlu$$
lower=vgmlud$$
if [ "$(id -u)" != 0 ] || [ ! -w /dev/net/tun ] || ! ip link add "$lower" type bridge 2>/dev/null; then
    for i in 1 2 3 4; do ok "# SKIP a tap needs root and /dev/net/tun, a macvtap a bridge to sit on"; done
else
    ip link set "$lower" up
    cat > "$work/netinit" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
for m in $(/bin/busybox cat /mod/order); do /bin/busybox insmod /mod/$m; done
for d in /sys/class/net/*; do
    if [ "$(/bin/busybox cat $d/address)" = 52:54:00:4c:55:01 ]; then
        /bin/busybox ip addr add 198.51.100.2/24 dev ${d##*/}
        /bin/busybox ip link set ${d##*/} up
    fi
done
/bin/busybox mkdir /www
/bin/busybox echo netguest > /www/index.html
/bin/busybox httpd -p 80 -h /www
# with a TPM: PCR 16 extended once (TPM2_PCR_Extend, sha256, 32 bytes of
# 1, a password session), written as one command to /dev/tpm0
if [ -e /dev/tpm0 ]; then
    exec 3<>/dev/tpm0
    /bin/busybox printf '\200\002\000\000\000\101\000\000\001\202\000\000\000\020\000\000\000\011\100\000\000\011\000\000\000\000\000\000\000\000\001\000\013\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001' >&3
    /bin/busybox echo "EXTEND $(/bin/busybox dd bs=4096 count=1 <&3 2>/dev/null | /bin/busybox od -An -tx1 | /bin/busybox tr -d ' \n')" > /dev/ttyS0
    exec 3>&-
fi
i=0
while true; do
    /bin/busybox echo "COUNT $i PCR16 $(/bin/busybox cat /sys/class/tpm/tpm0/pcr-sha256/16 2>/dev/null)" > /dev/ttyS0
    i=$((i + 1))
    /bin/busybox sleep 1
done
EOF
    if ! guestkit_modules "$work/netinitramfs" virtio_pci virtio_net; then
        notok "the guest's modules: $guestkit_why"
        ok "# SKIP no guest"
        ok "# SKIP no guest"
        ok "# SKIP no guest"
    else
        guestkit_initrd "$work/netinitramfs" "$work/netinit" "$work/netinitrd.gz"
        # with swtpm here, a TPM too, whose PCR 16 the guest extends (a TIS
        # at its usual address, which the guest without ACPI is told to
        # probe)
        tpmxml=
        pcrwant=
        if command -v swtpm >/dev/null && command -v swtpm_setup >/dev/null; then
            tpmxml="<tpm model='tpm-tis'><backend type='emulator' version='2.0'/></tpm>"
            pcrwant=$( { head -c 32 /dev/zero; printf '\001%.0s' $(seq 32); } | sha256sum | cut -d' ' -f1)
        fi
        sed -e "s/<name>$dom</<name>lunet</" -e "s|$serial|$work/lunet.log|" \
            -e "s|$work/initrd.gz|$work/netinitrd.gz|" -e "s|panic=-1|panic=-1 tpm_tis.force=1|" \
            -e "s|<memballoon|<interface type='ethernet'><mac address='52:54:00:4c:55:01'/><target dev='$tapname'/><model type='virtio'/><driver queues='2'/></interface><interface type='direct'><source dev='$lower' mode='bridge'/><model type='virtio'/></interface>$tpmxml<memballoon|" \
            "$work/$dom.xml" > "$work/lunet.xml"
        if ! out=$(vt create "$work/lunet.xml" 2>&1); then
            notok "starting a guest on a tap and a macvtap: $out"
            ok "# SKIP no guest"
            ok "# SKIP no guest"
            ok "# SKIP no guest"
        else
            ip addr add 198.51.100.1/24 dev "$tapname"
            macvtap=$(vt dumpxml lunet | sed -n "s/.*<target dev='\(macvtap[0-9]*\)'.*/\1/p")
            # up once its httpd answers (it starts after the address)
            for i in $(seq 1 90); do
                netup && fetch && break
                sleep 1
            done
            p=$(qemu_pids lunet)
            if ! netup; then
                notok "the guest on tap $tapname does not answer a ping within 90 s"
                tail -n 5 "$work/lunet.log" 2>/dev/null | sed 's/^/# /'
                ok "# SKIP no network to keep"
                ok "# SKIP no network to keep"
                ok "# SKIP no network to keep"
            elif [ "$(fetch_fails)" != 0 ]; then
                notok "the guest on tap $tapname answers a ping but not all of ten HTTP fetches"
                ok "# SKIP no network to keep"
                ok "# SKIP no network to keep"
                ok "# SKIP no network to keep"
            elif [ -n "$(tpm_check 0)" ]; then
                notok "the guest's TPM: $(tpm_check 0) ($(grep -a EXTEND "$work/lunet.log"))"
                ok "# SKIP no TPM to keep"
                ok "# SKIP no TPM to keep"
                ok "# SKIP no TPM to keep"
            else
                ok "a guest on tap $tapname (2 queues) and macvtap $macvtap${pcrwant:+ with a TPM (PCR 16 extended)} answers a ping and ten HTTP fetches through the tap"
                oldfds=$(tap_fds "$p" "$tapname" | wc -l)
                cnt=$(last_netcount)
                if ! out=$(vt live-update lunet 2>&1); then
                    notok "live update of the guest on a tap and a macvtap: $(printf '%s' "$out" | tr '\n' ' ')"
                else
                    np=$(qemu_pids lunet)
                    newfds=$(tap_fds "$np" "$tapname" | wc -l)
                    for i in $(seq 1 10); do netup && break; sleep 1; done
                    if [ -z "$np" ] || [ "$np" = "$p" ]; then
                        notok "after the update the guest's QEMU is '$np' (before: $p)"
                    elif [ "$oldfds" != 2 ] || [ "$newfds" != 2 ]; then
                        notok "the new QEMU holds $newfds files of tap $tapname (the old one held $oldfds), not 2"
                    elif ! holds_macvtap "$np" "$macvtap"; then
                        notok "the new QEMU does not hold macvtap '$macvtap'"
                    elif ! netup; then
                        notok "after the update the guest does not answer a ping through tap $tapname"
                    elif [ "$(fetch_fails)" != 0 ]; then
                        notok "after the update the guest does not answer all of ten HTTP fetches"
                    elif [ -n "$(tpm_check "$cnt")" ]; then
                        notok "after the update: $(tpm_check "$cnt")"
                    elif [ -n "$pcrwant" ] && { [ "$(cat "$root"/lib/qemu/swtpm/*/current 2>/dev/null)" != tpm2.b ] ||
                                                [ -e "$(echo "$root"/lib/qemu/swtpm/*)/tpm2" ]; }; then
                        notok "after the update the TPM's state in use is '$(cat "$root"/lib/qemu/swtpm/*/current 2>/dev/null)' ($(ls "$root"/lib/qemu/swtpm/*)), not tpm2.b alone"
                    else
                        ok "live update of a guest on a tap and a macvtap${pcrwant:+ and a TPM}: QEMU $p -> $np holds both queues of tap $tapname and macvtap $macvtap, the guest answers a ping and ten HTTP fetches${pcrwant:+, its PCR 16 kept (the new swtpm on the state copy tpm2.b)}"
                    fi
                fi
                # the tool killed once it has attached the queues: the next
                # command ends the new QEMU and sets the queues back (the
                # guest uses one queue pair, so its QEMU reads one queue)
                p=$(qemu_pids lunet)
                if ! update_paused lunet update-after-queues; then
                    notok "killed after attaching the queues: the tool never got there: $(cat "$work/kill.out")"
                else
                    kill_tool
                    vt domstate lunet >/dev/null 2>"$work/warn"
                    fails=$(fetch_fails)
                    if [ "$(qemu_pids lunet)" != "$p" ]; then
                        notok "killed after attaching the queues: QEMU processes '$(qemu_pids lunet)', expected $p"
                    elif ! grep -q "live update was interrupted" "$work/warn"; then
                        notok "killed after attaching the queues: no warning of the interruption: $(cat "$work/warn")"
                    elif [ "$fails" != 0 ]; then
                        notok "killed after attaching the queues: $fails of ten HTTP fetches fail after the recovery (a queue left attached?)"
                    elif [ -n "$(tpm_check "$(last_netcount)")" ]; then
                        notok "killed after attaching the queues: $(tpm_check "$(last_netcount)")"
                    elif [ -n "$pcrwant" ] && [ "$(ls "$root"/lib/qemu/swtpm/*)" != "$(printf 'current\ntpm2.b')" ]; then
                        notok "killed after attaching the queues: the TPM's state directory holds '$(ls "$root"/lib/qemu/swtpm/* | tr '\n' ' ')', not the state in use alone"
                    else
                        ok "the tool killed after attaching the tap's queues: the next command leaves QEMU $p, queues as they were (ten HTTP fetches answered)"
                    fi
                fi
                # a second update: the swtpm and its state take the first
                # names again
                cnt=$(last_netcount)
                if ! out=$(vt live-update lunet 2>&1); then
                    notok "a second live update of the guest on a tap: $(printf '%s' "$out" | tr '\n' ' ')"
                elif [ "$(fetch_fails)" != 0 ]; then
                    notok "after a second update the guest does not answer all of ten HTTP fetches"
                elif [ -n "$(tpm_check "$cnt")" ]; then
                    notok "after a second update: $(tpm_check "$cnt")"
                elif [ -n "$pcrwant" ] && [ "$(ls "$root"/lib/qemu/swtpm/*)" != "$(printf 'current\ntpm2')" ]; then
                    notok "after a second update the TPM's state directory holds '$(ls "$root"/lib/qemu/swtpm/* | tr '\n' ' ')', not tpm2 alone"
                else
                    ok "a second live update: QEMU $(qemu_pids lunet), ten HTTP fetches answered${pcrwant:+, PCR 16 kept, the TPM state back in tpm2}"
                fi
            fi
            vt destroy lunet >/dev/null 2>&1
        fi
    fi
    ip link del "$lower" 2>/dev/null
fi

# ---- 5c: a guest with a vCPU plugged after QEMU started ----
# the new QEMU gets it on its command line (-device), where QMP would come
# too late; the guest's state, which has both vCPUs, loads and it counts on
# and a serial console on a TCP port (as Nova's serial console has it):
# the new QEMU takes over the running one's listening socket, and a client
# that connects after the update reads the counts the guest writes there
sed -e 's|> /dev/ttyS0|> /dev/ttyS0; /bin/busybox echo "COUNT $i" > /dev/ttyS1|' "$work/init" > "$work/vcpuinit"
guestkit_initrd "$work/vcpuinitramfs" "$work/vcpuinit" "$work/vcpuinitrd.gz"
tcpport=$((20000 + $$ % 20000))
sed -e "s/<name>$dom</<name>luvcpu</" -e "s|$serial|$work/luvcpu.log|" \
    -e "s|$work/initrd.gz|$work/vcpuinitrd.gz|" \
    -e "s|<vcpu>1</vcpu>|<vcpu>2</vcpu><vcpus><vcpu id='0' enabled='yes'/><vcpu id='1' enabled='yes' hotpluggable='yes'/></vcpus>|" \
    -e "s|<memballoon|<serial type='tcp'><source mode='bind' host='127.0.0.1' service='$tcpport'/><protocol type='raw'/></serial><memballoon|" \
    "$work/$dom.xml" > "$work/luvcpu.xml"
# the last count a client of the TCP console reads within 3 s, or -1
tcp_count() {
    local c
    c=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$tcpport && cat <&3" 2>/dev/null |
        grep -a -o 'COUNT [0-9]*' | tail -n1 | cut -d' ' -f2)
    echo "${c:--1}"
}
vcount() {
    grep -a -o 'COUNT [0-9]*' "$work/luvcpu.log" 2>/dev/null | tail -n1 | cut -d' ' -f2
}
if ! out=$(vt create "$work/luvcpu.xml" 2>&1); then
    notok "starting a guest with a plugged vCPU: $out"
else
    for i in $(seq 1 60); do [ "$(vcount)" -gt 2 ] 2>/dev/null && break; sleep 1; done
    p=$(qemu_pids luvcpu)
    before=$(vcount)
    if ! out=$(vt live-update luvcpu 2>&1); then
        notok "live update of a guest with a plugged vCPU: $(printf '%s' "$out" | tr '\n' ' ')"
    else
        np=$(qemu_pids luvcpu)
        for i in $(seq 1 30); do [ "$(vcount)" -gt "$before" ] 2>/dev/null && break; sleep 1; done
        if [ -z "$np" ] || [ "$np" = "$p" ]; then
            notok "after the update the guest's QEMU is '$np' (before: $p)"
        elif ! tr '\0' ' ' < "/proc/$np/cmdline" | grep -q -- '-device {[^ ]*"id":"vcpu1"'; then
            notok "the new QEMU's command line does not plug vcpu1: $(tr '\0' ' ' < "/proc/$np/cmdline" | grep -o -- '-smp [^ ]*')"
        elif ! [ "$(vcount)" -gt "$before" ] 2>/dev/null; then
            notok "after the update the guest with a plugged vCPU stopped counting at $(vcount)"
        elif ! [ "$(tcp_count)" -gt "$before" ]; then
            notok "after the update the TCP console on port $tcpport gives no count after $before ($(tr '\0' ' ' < "/proc/$np/cmdline" | grep -o -- '-chardev socket,id=charserial1[^ ]*'))"
        elif ! tr '\0' ' ' < "/proc/$np/cmdline" | grep -q -- '-chardev socket,id=charserial1,fd=[0-9]*,server=on'; then
            notok "the new QEMU's TCP console is not the running one's socket: $(tr '\0' ' ' < "/proc/$np/cmdline" | grep -o -- '-chardev socket,id=charserial1[^ ]*')"
        else
            ok "a guest with a plugged vCPU (vcpu1) and a TCP console: QEMU $p -> $np gets the vCPU as -device and the console's listening socket, the guest counts on ($before -> $(vcount)), a new client of port $tcpport reads it"
        fi
    fi
    vt destroy luvcpu >/dev/null 2>&1
fi

# ---- 5d: a domain whose shared memory is another's peer is refused ----
# QEMU migrates an ivshmem region only from its master
refused_update lushm \
    "s|<memballoon|<shmem name='vgmlu$$' role='peer'><model type='ivshmem-plain'/><size unit='M'>1</size></shmem><memballoon|" \
    "<shmem name='vgmlu$$'> is not the memory's master" "shared memory of role peer"
rm -f "/dev/shm/vgmlu$$"

# ---- 6: the new QEMU exits during the transfer ----
# the wrapper drops the serial device: the state the old QEMU sends has a
# section the new one does not know, so it fails to load it and exits
cat > "$work/qemu-fails" <<EOF
#!/bin/sh
skip=0
for a do
    shift
    if [ \$skip = 1 ]; then skip=0; continue; fi
    case \$a in -device) case \$1 in *isa-serial*) skip=1; continue ;; esac ;; esac
    set -- "\$@" "\$a"
done
exec "$qemu10" "\$@"
EOF
chmod +x "$work/qemu-fails"
old=$(status_pid)
before=$(last_count)
if out=$(vt live-update $dom --emulator "$work/qemu-fails" 2>&1); then
    notok "a live update whose new QEMU fails succeeded: $out"
elif ! printf '%s' "$out" | grep -q "as before"; then
    notok "the failed update does not say the guest runs on: $out"
elif ! printf '%s' "$out" | grep -q "Unknown savevm section"; then
    notok "the failed update does not quote the new QEMU's reason: $out"
else
    check_on "a new QEMU that exits during the transfer: the error quotes its log ('Unknown savevm section'), the old QEMU runs on" \
        "$before" "$old"
fi

# ---- 7, 8: the tool killed with SIGKILL mid-way ----
for point in update-after-spawn update-after-switch; do
    old=$(status_pid)
    before=$(last_count)
    if ! update_paused $dom $point; then
        notok "killed at $point: the tool never got there: $(cat "$work/kill.out")"
        continue
    fi
    nboth=$(qemu_pids $dom | wc -l)
    kill_tool
    # the next command finishes what the tool left
    state=$(vt domstate $dom --reason 2>"$work/warn" | head -n1)
    if [ "$point" = update-after-spawn ]; then
        want=$old
    else
        want=$(status_pid)
        [ "$want" != "$old" ] || want="(a new pid)"
    fi
    if [ "$nboth" != 2 ]; then
        notok "killed at $point: $nboth QEMU processes while the tool was paused, not 2"
    elif [ "$state" != "running (booted)" ]; then
        notok "killed at $point: domstate reads '$state' ($(cat "$work/warn"))"
    elif ! grep -q "live update was interrupted" "$work/warn"; then
        notok "killed at $point: no warning that the update was interrupted: $(cat "$work/warn")"
    else
        check_on "the tool killed (SIGKILL) at $point: the next command leaves one QEMU, the status's" \
            "$before" "$want"
    fi
done

# ---- 9: the status has no update record left, the log says what happened ----
if grep -q '"update"' "$root/run/qemu/$dom.status"; then
    notok "the status still has an update record"
else
    ok "no update record is left in the status"
fi

# ---- 10: destroy ----
vt destroy $dom >/dev/null 2>&1
left=$(qemu_pids $dom)
if [ -z "$left" ] && [ ! -e "$root/run/qemu/$dom.status" ]; then
    ok "destroy leaves no QEMU and no status"
else
    notok "left after destroy: QEMU '$left', $(ls "$root/run/qemu/")"
fi

exit $failed
