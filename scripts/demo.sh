#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sets up a fresh Debian 12 machine, builds virt-gmem and runs its main job
# on the shipped SEV-SNP in-place conversion example.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ -d build ] || meson setup build
ninja -C build
EX=examples/sev-snp-inplace.xml
set -x
./build/tools/virt-gmem validate "$EX"
./build/tools/virt-gmem format "$EX"
# the same domain on each kind of QEMU: AMD's convert-in-place branch, the
# machine-wide in-place-conversion knob, and merged QEMU 10.1 (an error)
for set in qemu-gmem-inplace qemu-gmem-machine qemu-10.1; do
    ./build/tools/virt-gmem domxml-to-native \
        --qemu-caps "tests/qemucapabilitiesdata/$set.json" "$EX" || true
done
