/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * testutils.c: see testutils.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "conf/domain_conf.h"

static guint32 vgmTestRandomState;

static void
vgmTestRandomBytes(unsigned char *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        /* a fixed linear congruential sequence: repeatable, not secure */
        vgmTestRandomState = vgmTestRandomState * 1103515245u + 12345u;
        buf[i] = (vgmTestRandomState >> 16) & 0xff;
    }
}

void
vgmTestResetRandom(void)
{
    vgmTestRandomState = 42;
    vgmDomainSetRandomBytesFunc(vgmTestRandomBytes);
}

gboolean
vgmTestRegenerate(void)
{
    const char *env = g_getenv("VGM_TEST_REGENERATE");
    return env && *env && !g_str_equal(env, "0");
}

char *
vgmTestDataPath(const char *rel)
{
    const char *dir = g_getenv("VGM_TESTDIR");

    if (!dir)
        dir = SRCDIR "/tests";
    return g_build_filename(dir, rel, NULL);
}

static gint
vgmTestCompareStr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
vgmTestListFiles(const char *dir, const char *suffix)
{
    g_autofree char *path = vgmTestDataPath(dir);
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    GPtrArray *ret = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    if (!d)
        return ret;
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, suffix))
            g_ptr_array_add(ret, g_strdup(name));
    }
    g_ptr_array_sort(ret, vgmTestCompareStr);
    return ret;
}

gboolean
vgmTestCompareGolden(const char *path, const char *actual)
{
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;

    if (vgmTestRegenerate()) {
        if (!g_file_set_contents(path, actual, -1, &err)) {
            g_printerr("cannot write %s: %s\n", path, err->message);
            return FALSE;
        }
        return TRUE;
    }
    if (!g_file_get_contents(path, &expected, NULL, &err)) {
        g_printerr("missing golden file %s (run with VGM_TEST_REGENERATE=1 and review the diff)\n",
                   path);
        return FALSE;
    }
    if (!g_str_equal(expected, actual)) {
        g_printerr("output differs from %s\n--- expected\n%s\n+++ actual\n%s\n",
                   path, expected, actual);
        return FALSE;
    }
    return TRUE;
}

void
vgmTestRemoveTree(const char *path)
{
    GStatBuf st;

    if (g_lstat(path, &st) < 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);
            vgmTestRemoveTree(child);
        }
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

char *
vgmTestJSONText(JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();

    if (!node)
        return g_strdup("(absent)");
    json_generator_set_root(gen, node);
    return json_generator_to_data(gen, NULL);
}
