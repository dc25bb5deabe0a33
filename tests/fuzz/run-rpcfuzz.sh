#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-rpcfuzz.sh: a bounded libFuzzer run of rpcfuzz (tests/fuzz/rpcfuzz.c),
# for CI and by hand; the meson test "rpcfuzz" (suite fuzz) of a build
# configured with -Dfuzzing=true.
#
#   run-rpcfuzz.sh RPCFUZZ SEEDLIST SEEDDIR DICT WORKDIR
#
# Runs VGM_FUZZ_TIME seconds (default 60) on WORKDIR/rpc-corpus (kept
# between runs, grown from the seeds in SEEDDIR), with the dictionary
# DICT; a crash, leak or oracle failure writes WORKDIR/rpcfuzz-crash-*
# (replay it with rpcfuzz-replay FILE or RPCFUZZ FILE) and fails.
set -eu
fuzzer=$1 seedlist=$2 seeddir=$3 dict=$4 workdir=$5
[ -s "$seedlist" ] || { echo "no seeds: $seedlist" >&2; exit 1; }
corpus=$workdir/rpc-corpus
mkdir -p "$corpus"
exec "$fuzzer" -dict="$dict" -max_total_time="${VGM_FUZZ_TIME:-60}" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -error_exitcode=1 \
    -artifact_prefix="$workdir/rpcfuzz-" "$corpus" "$seeddir"
