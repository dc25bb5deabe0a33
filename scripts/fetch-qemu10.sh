#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# fetch-qemu10.sh DIR: a private QEMU 10.0 from Debian's bookworm-backports
# suite, next to (never over) the system's QEMU.
#
# Downloads qemu-system-x86, qemu-system-common and qemu-system-data of the
# suite with apt-get download, unpacks them with dpkg -x into DIR/root and
# writes DIR/bin/qemu-system-x86_64, a wrapper that runs the unpacked
# binary with its own data directory (-L DIR/root/usr/share/qemu), the
# system's SeaBIOS, and its own modules (QEMU_MODULE_DIR: Debian builds
# some devices, e.g. virtio-vga, as modules, and QEMU would otherwise find
# and refuse the system QEMU's). On success it prints the wrapper's path and exits 0;
# otherwise it says why on stderr and exits 1 (callers skip their tests).
# Idempotent, and safe to run from several tests at once (flock on
# DIR.lock). The suite must be in APT's sources: scripts/install-deps.sh
# adds it when it runs as root.
set -u

dir=$(realpath -m "${1:?usage: fetch-qemu10.sh DIR}")
suite=bookworm-backports
pkgs=(qemu-system-x86 qemu-system-common qemu-system-data)
wrapper=$dir/bin/qemu-system-x86_64

fail() {
    echo "fetch-qemu10.sh: $*" >&2
    exit 1
}

mkdir -p "$(dirname "$dir")" || fail "cannot create $(dirname "$dir")"
exec 9>"$dir.lock" || fail "cannot open $dir.lock"
flock 9 || fail "cannot lock $dir.lock"

# writes the wrapper of the QEMU unpacked in $1 (its final place $dir)
write_wrapper() {
    mkdir -p "$1/bin"
    cat > "$1/bin/qemu-system-x86_64.tmp" <<EOF
#!/bin/sh
# QEMU $ver from Debian's $suite, unpacked by scripts/fetch-qemu10.sh
QEMU_MODULE_DIR="$dir/root/usr/lib/x86_64-linux-gnu/qemu"
export QEMU_MODULE_DIR
exec "$dir/root/usr/bin/qemu-system-x86_64" -L "$dir/root/usr/share/qemu" -L /usr/share/seabios "\$@"
EOF
    chmod 0755 "$1/bin/qemu-system-x86_64.tmp"
    mv "$1/bin/qemu-system-x86_64.tmp" "$1/bin/qemu-system-x86_64"
}

if [ -x "$dir/root/usr/bin/qemu-system-x86_64" ]; then
    # unpacked before: a wrapper of this script's current form
    if ! grep -q QEMU_MODULE_DIR "$wrapper" 2>/dev/null; then
        ver=$(sed -n 's/^# QEMU \([^ ]*\) from.*/\1/p' "$wrapper" 2>/dev/null)
        write_wrapper "$dir"
    fi
    if "$wrapper" -version >/dev/null 2>&1; then
        echo "$wrapper"
        exit 0
    fi
fi

for prog in apt-cache apt-get dpkg; do
    command -v $prog >/dev/null || fail "$prog is not installed"
done
# the suite's version of qemu-system-x86 (apt-cache madison: pkg | ver | src)
ver=$(apt-cache madison qemu-system-x86 2>/dev/null |
      awk -F'|' -v s="$suite" '$3 ~ s { gsub(/ /, "", $2); print $2; exit }')
[ -n "$ver" ] || fail "APT knows no qemu-system-x86 from $suite (is the suite in /etc/apt/sources.list.d?)"
case $ver in
    *:10.0.*) ;;
    *) fail "$suite has qemu-system-x86 $ver, not 10.0" ;;
esac

rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/debs" || fail "cannot create $dir.tmp"
args=()
for p in "${pkgs[@]}"; do
    args+=("$p=$ver")
done
if ! (cd "$dir.tmp/debs" && apt-get download -q "${args[@]}" >../apt.log 2>&1); then
    fail "apt-get download ${args[*]} failed: $(tail -n1 "$dir.tmp/apt.log")"
fi
for deb in "$dir.tmp"/debs/*.deb; do
    dpkg -x "$deb" "$dir.tmp/root" || fail "dpkg -x $deb failed"
done
[ -x "$dir.tmp/root/usr/bin/qemu-system-x86_64" ] || fail "the packages hold no usr/bin/qemu-system-x86_64"
write_wrapper "$dir.tmp"
rm -rf "$dir.tmp/debs" "$dir.tmp/apt.log"
rm -rf "$dir"
mv "$dir.tmp" "$dir" || fail "cannot move $dir.tmp to $dir"
"$wrapper" -version >/dev/null 2>&1 || fail "$wrapper does not run: $("$wrapper" -version 2>&1 | tail -n1)"
echo "$wrapper"
