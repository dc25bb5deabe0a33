/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz.h: what the fuzz targets domainfuzz.c, capsfuzz.c and qmpfuzz.c
 * share with fuzz-replay.c, the plain program that runs one of them over
 * its seeds in normal builds (rpcfuzz has its own, rpcfuzz-replay.c).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

/* libFuzzer's entry point. Aborts when an oracle fails; returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* How far the last input got (a static string, e.g. "refused",
 * "formatted", "command line"), for the replay's report. */
const char *vgmFuzzLastResult(void);

/* An oracle failed: prints "NAME: oracle failed: ..." and aborts, which
 * libFuzzer reports as a crash with the input. */
#define VGM_FUZZ_FAIL(name, ...) \
    do { \
        fprintf(stderr, "%s: oracle failed: ", name); \
        fprintf(stderr, __VA_ARGS__); \
        fputc('\n', stderr); \
        fflush(stderr); \
        abort(); \
    } while (0)

/* Makes GLib criticals and warnings fatal (a g_return_if_fail hit by an
 * input is a bug), once. */
static inline void
vgmFuzzInitLogging(void)
{
    static gboolean done;

    if (done)
        return;
    g_log_set_always_fatal(G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    done = TRUE;
}
