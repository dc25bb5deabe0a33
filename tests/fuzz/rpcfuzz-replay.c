/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpcfuzz-replay.c: runs the RPC fuzz target's entry point
 * (LLVMFuzzerTestOneInput of rpcfuzz.c) over inputs without libFuzzer,
 * so that normal builds (gcc, -Werror) compile and exercise it; TAP.
 *
 * Covers what rpcfuzz.c covers, on the seeds that make-rpc-seeds.py
 * generates from the .x files at build time: a call, a reply and a
 * message of every REMOTE procedure, the error payload, keepalive, a
 * stream of frames and frames the decoder must refuse. With --manifest
 * it also checks what the seed's name promises: an "ok" seed must decode
 * frame by frame as what each header says and re-encode to the very same
 * bytes (so the generated C and the Python generator agree on the wire
 * format), a "bad" seed must decode as nothing its header says.
 *
 *   rpcfuzz-replay --manifest rpc-seeds.list SEEDDIR   (meson test rpcfuzz-replay)
 *   rpcfuzz-replay FILE-OR-DIR...     (e.g. a crash-* file libFuzzer wrote:
 *                                      replays it under gcc, no checks but
 *                                      the target's own oracles)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpcfuzz.h"

static guint testNum;
static guint failures;

static void G_GNUC_PRINTF(2, 3)
tapResult(gboolean ok, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    printf("%s %u - %s\n", ok ? "ok" : "not ok", ++testNum, msg);
    fflush(stdout);
    if (!ok)
        failures++;
}

static gboolean
replayFile(const char *path, GBytes **out)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        tapResult(FALSE, "%s: %s", path, err->message);
        return FALSE;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    *out = g_bytes_new_take(g_steal_pointer(&data), len);
    return TRUE;
}

static int
comparePaths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char * const *)a, *(char * const *)b);
}

static void
replayPlain(const char *path)
{
    g_autoptr(GBytes) bytes = NULL;

    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_autoptr(GError) err = NULL;
        g_autoptr(GDir) dir = g_dir_open(path, 0, &err);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;
        guint i;

        if (!dir) {
            tapResult(FALSE, "%s: %s", path, err->message);
            return;
        }
        while ((name = g_dir_read_name(dir)))
            g_ptr_array_add(names, g_build_filename(path, name, NULL));
        g_ptr_array_sort(names, comparePaths);
        for (i = 0; i < names->len; i++)
            replayPlain(names->pdata[i]);
        return;
    }
    if (!replayFile(path, &bytes))
        return;
    tapResult(TRUE, "%s: %zu bytes, %u frames, %u decoded as their header says, "
              "%u canonical, %u other decodes", path, g_bytes_get_size(bytes),
              rpcFuzzStats.frames, rpcFuzzStats.directed, rpcFuzzStats.canonical,
              rpcFuzzStats.others);
}

static void
replayManifest(const char *manifest, const char *dir)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    guint nok = 0, nbad = 0;
    guint i;

    if (!g_file_get_contents(manifest, &text, NULL, &err)) {
        tapResult(FALSE, "%s: %s", manifest, err->message);
        return;
    }
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_autoptr(GBytes) bytes = NULL;
        g_autofree char *path = NULL;
        const char *line = lines[i];
        const char *name = strchr(line, ' ');
        gboolean expectOk;
        gsize size;
        RpcFuzzStats *st = &rpcFuzzStats;

        if (!*line)
            continue;
        if (!name || !(g_str_has_prefix(line, "ok ") || g_str_has_prefix(line, "bad "))) {
            tapResult(FALSE, "%s: malformed line '%s'", manifest, line);
            continue;
        }
        expectOk = g_str_has_prefix(line, "ok ");
        name++;
        path = g_build_filename(dir, name, NULL);
        if (!replayFile(path, &bytes))
            continue;
        size = g_bytes_get_size(bytes);
        if (expectOk) {
            nok++;
            tapResult(st->frames > 0 && st->directed == st->frames &&
                      st->canonical == st->frames && st->consumed == size,
                      "%s: %u frames of %zu bytes, %u decoded as their header says, "
                      "%u re-encoded to the same bytes, %zu bytes consumed",
                      name, st->frames, size, st->directed, st->canonical, st->consumed);
        } else {
            nbad++;
            tapResult(st->directed == 0, "%s: refused (%u frames, %u decoded as their header says)",
                      name, st->frames, st->directed);
        }
    }
    /* every procedure has seeds: a generator that wrote nothing fails */
    tapResult(nok > 0 && nbad > 0, "%s: %u seeds that decode, %u that must not",
              manifest, nok, nbad);
}

int
main(int argc, char **argv)
{
    int i = 1;

    if (argc < 2) {
        fprintf(stderr, "usage: %s --manifest LIST SEEDDIR | FILE-OR-DIR...\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "--manifest") == 0) {
        if (argc != 4) {
            fprintf(stderr, "usage: %s --manifest LIST SEEDDIR\n", argv[0]);
            return 2;
        }
        replayManifest(argv[2], argv[3]);
        i = argc;
    }
    for (; i < argc; i++)
        replayPlain(argv[i]);
    printf("1..%u\n", testNum);
    return failures ? 1 : 0;
}
