#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sets up a fresh Debian 12 machine, builds virt-gmem and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
if [ -d build ]; then
    meson setup --reconfigure build
else
    meson setup build
fi
ninja -C build
meson test -C build --print-errorlogs --num-processes 2 "$@"
