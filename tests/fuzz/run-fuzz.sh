#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-fuzz.sh: a bounded libFuzzer run of domainfuzz, capsfuzz or qmpfuzz
# (tests/fuzz/NAME.c), for CI and by hand; the meson test NAME (suite fuzz)
# of a build configured with -Dfuzzing=true. (rpcfuzz: run-rpcfuzz.sh.)
#
#   run-fuzz.sh NAME FUZZER DICT WORKDIR GLOB SEEDDIR...
#
# The corpus is WORKDIR/NAME-corpus, kept between runs; on the first run
# (an empty corpus) it is filled with the files of each SEEDDIR whose name
# matches GLOB (the test data holds other files too). Runs VGM_FUZZ_TIME
# seconds (default 60) with the dictionary DICT; more libFuzzer flags in
# VGM_FUZZ_FLAGS (e.g. "-jobs=4 -workers=4"). A crash, leak or oracle
# failure writes WORKDIR/NAME-crash-* (replay it with NAME-replay FILE or
# FUZZER FILE) and fails.
set -eu
name=$1 fuzzer=$2 dict=$3 workdir=$4 glob=$5
shift 5
corpus=$workdir/$name-corpus
mkdir -p "$corpus"
if [ -z "$(ls -A "$corpus")" ]; then
    for dir in "$@"; do
        for f in "$dir"/$glob; do
            [ -f "$f" ] && cp "$f" "$corpus/$(basename "$dir")-$(basename "$f")"
        done
    done
fi
[ -n "$(ls -A "$corpus")" ] || { echo "no seeds for $name in $*" >&2; exit 1; }
# shellcheck disable=SC2086
exec "$fuzzer" -dict="$dict" -max_total_time="${VGM_FUZZ_TIME:-60}" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -error_exitcode=1 \
    -artifact_prefix="$workdir/$name-" ${VGM_FUZZ_FLAGS:-} "$corpus"
