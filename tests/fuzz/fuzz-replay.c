/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-replay.c: runs a fuzz target's entry point (LLVMFuzzerTestOneInput
 * of domainfuzz.c, capsfuzz.c or qmpfuzz.c, whichever it is linked with)
 * over inputs without libFuzzer, so that normal builds (gcc, -Werror)
 * compile and exercise the target and its oracles; TAP, one line per
 * input with how far it got (vgmFuzzLastResult).
 *
 *   NAME-replay [--glob PATTERN] [--expect RESULT]... FILE-OR-DIR...
 *
 * --glob: in directories, only names matching PATTERN (e.g. '*.xml');
 * --expect: at least one input must get as far as RESULT (so seeds that
 * all stop early, e.g. after a change of the loader, fail the test).
 * A crash file libFuzzer wrote replays with NAME-replay FILE.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"

static guint testNum;
static guint failures;
static const char *glob;
static GHashTable *seen; /* result -> count */

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

static int
comparePaths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char * const *)a, *(char * const *)b);
}

static void
replay(const char *path, gboolean inDir)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;
    const char *result;

    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_autoptr(GDir) dir = g_dir_open(path, 0, &err);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;
        guint i;

        if (!dir) {
            tapResult(FALSE, "%s: %s", path, err->message);
            return;
        }
        while ((name = g_dir_read_name(dir))) {
            if (!glob || g_pattern_match_simple(glob, name))
                g_ptr_array_add(names, g_build_filename(path, name, NULL));
        }
        if (names->len == 0)
            tapResult(FALSE, "%s: no inputs", path);
        g_ptr_array_sort(names, comparePaths);
        for (i = 0; i < names->len; i++)
            replay(names->pdata[i], TRUE);
        return;
    }
    if (inDir && !g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return;
    if (!g_file_get_contents(path, &data, &len, &err)) {
        tapResult(FALSE, "%s: %s", path, err->message);
        return;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    result = vgmFuzzLastResult();
    g_hash_table_insert(seen, (gpointer)result,
                        GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(seen, result)) + 1));
    tapResult(TRUE, "%s: %zu bytes: %s", path, len, result);
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) expect = g_ptr_array_new();
    gboolean any = FALSE;
    int i;
    guint j;

    seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--glob") == 0 && i + 1 < argc) {
            glob = argv[++i];
        } else if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc) {
            g_ptr_array_add(expect, argv[++i]);
        } else {
            replay(argv[i], FALSE);
            any = TRUE;
        }
    }
    if (!any) {
        fprintf(stderr, "usage: %s [--glob PATTERN] [--expect RESULT]... FILE-OR-DIR...\n",
                argv[0]);
        return 2;
    }
    for (j = 0; j < expect->len; j++) {
        const char *r = expect->pdata[j];
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(seen, r));

        tapResult(n > 0, "%u inputs got as far as '%s'", n, r);
    }
    g_hash_table_unref(seen);
    printf("1..%u\n", testNum);
    return failures ? 1 : 0;
}
