#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Lists every source file with a translatable message in po/POTFILES.in.
# With --check, fails (and says which) when the list is out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

list=$(grep -lE '\b_\(|\bN_\(' $(find src tools -name '*.c') | LC_ALL=C sort -u)
if [ "${1:-}" = "--check" ]; then
    if ! diff -u po/POTFILES.in <(printf '%s\n' $list) >&2; then
        echo "po/POTFILES.in is out of date: run scripts/update-potfiles.sh" >&2
        exit 1
    fi
    echo "1..1"
    echo "ok 1 - po/POTFILES.in lists every file with translatable messages"
    exit 0
fi
printf '%s\n' $list > po/POTFILES.in
