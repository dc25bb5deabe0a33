#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sets up a fresh Debian 12 machine, builds virt-gmem and runs every test;
# then the whole suite again on an ASan + UBSan build (build-asan) with leak
# detection, but for the real-QEMU acceptance of the golden command lines
# (suite qemurun) and the schema test (suite uninstrumented), which run
# none of our code instrumented; then each libFuzzer target (tests/fuzz) for a short bounded
# time on its corpus (build-fuzz, clang; VGM_FUZZ_TIME seconds each, 20 by
# default). VGM_SKIP_ASAN=1 and VGM_SKIP_FUZZ=1 skip those runs.
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

# ---- ASan + UBSan ----
asan_run() {
# Only our binaries are instrumented (gcc 12's libasan8/libubsan1 come with
# Debian's gcc); QEMU, python3, virsh and Nova are not. The Python tests
# start the instrumented tools/virtgmemd and fail unless it exits 0 on
# SIGTERM: an ASan error or a leak found at its exit aborts it instead.
# b_lundef=false: -Wl,--no-undefined does not go with -fsanitize on shared
# objects.
asan_opts=(-Db_sanitize=address,undefined -Db_lundef=false)
if [ -d build-asan ]; then
    meson setup --reconfigure build-asan "${asan_opts[@]}"
else
    meson setup build-asan "${asan_opts[@]}"
fi
ninja -C build-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=0:disable_coredump=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
# GLib's slice allocator would hide leaks (and hold memory) from ASan
export G_SLICE=always-malloc
export G_DEBUG=gc-friendly
# (not qemuacceptance, suite qemurun: it gives the same command lines as
# qemuxml2argv, which runs instrumented here, to QEMU, which is not; nor
# the schema test, suite uninstrumented, which runs none of our binaries)
meson test -C build-asan --print-errorlogs --num-processes 2 \
    --timeout-multiplier 2 --no-suite qemurun --no-suite uninstrumented "$@"
}

# ---- libFuzzer, bounded ----
fuzz_run() {
    if [ -d build-fuzz ]; then
        CC=clang meson setup --reconfigure build-fuzz -Dfuzzing=true
    else
        CC=clang meson setup build-fuzz -Dfuzzing=true
    fi
    ninja -C build-fuzz
    VGM_FUZZ_TIME=${VGM_FUZZ_TIME:-20} meson test -C build-fuzz --suite fuzz \
        --print-errorlogs --num-processes 2
}

[ "${VGM_SKIP_ASAN:-0}" = 1 ] || (asan_run "$@")
[ "${VGM_SKIP_FUZZ:-0}" = 1 ] || fuzz_run
