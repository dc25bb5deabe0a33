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
