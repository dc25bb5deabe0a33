/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * networktest.c: the virtual network XML (parse, libvirt's rules and
 * defaults, format).
 *
 * Covers:
 *  - xml2xml: every tests/networkxml2xmlin/NAME.xml parses and formats to
 *    exactly tests/networkxml2xmlout/NAME.xml (uuids and MAC addresses
 *    from the repeatable random source), and the output is a fixed point;
 *  - error cases: every tests/networkerrdata/NAME.xml fails with exactly
 *    the message in NAME.err, never with an internal error;
 *  - no stray golden files: an output or .err without its input fails.
 * VGM_TEST_REGENERATE=1 rewrites the golden files for review with git diff.
 */
#include "config.h"

#include <string.h>

#include "testutils.h"
#include "conf/network_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

static void
testXml2Xml(gconstpointer data)
{
    const char *name = data;
    g_autofree char *rel = g_build_filename("networkxml2xmlin", name, NULL);
    g_autofree char *outRel = g_build_filename("networkxml2xmlout", name, NULL);
    g_autofree char *in = vgmTestDataPath(rel);
    g_autofree char *out = vgmTestDataPath(outRel);
    g_autofree char *xml = NULL;
    g_autofree char *text = NULL;
    g_autofree char *again = NULL;
    g_autoptr(VgmNetworkDef) def = NULL;
    g_autoptr(VgmNetworkDef) def2 = NULL;
    g_autoptr(GError) err = NULL;

    vgmTestResetRandom();
    g_assert_true(g_file_get_contents(in, &xml, NULL, &err));
    def = vgmNetworkDefParseString(xml, in, &err);
    if (!def)
        g_test_message("%s: %s", name, err->message);
    g_assert_nonnull(def);
    text = vgmNetworkDefFormat(def);
    g_assert_true(vgmTestCompareGolden(out, text));
    /* a fixed point */
    def2 = vgmNetworkDefParseString(text, out, &err);
    g_assert_no_error(err);
    again = vgmNetworkDefFormat(def2);
    g_assert_cmpstr(again, ==, text);
}

static void
testError(gconstpointer data)
{
    const char *name = data;
    g_autofree char *rel = g_build_filename("networkerrdata", name, NULL);
    g_autofree char *in = vgmTestDataPath(rel);
    g_autofree char *base = g_strndup(in, strlen(in) - 4);
    g_autofree char *errPath = g_strdup_printf("%s.err", base);
    g_autofree char *xml = NULL;
    g_autofree char *msg = NULL;
    g_autoptr(VgmNetworkDef) def = NULL;
    g_autoptr(GError) err = NULL;

    vgmTestResetRandom();
    g_assert_true(g_file_get_contents(in, &xml, NULL, NULL));
    def = vgmNetworkDefParseString(xml, name, &err);
    if (def)
        g_test_message("%s was accepted", name);
    g_assert_null(def);
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, !=, VGM_ERR_INTERNAL);
    msg = g_strdup_printf("%s\n", err->message);
    g_assert_true(vgmTestCompareGolden(errPath, msg));
}

/* every golden file has its input */
static void
testNoStrays(void)
{
    static const struct {
        const char *dir;
        const char *suffix;
        const char *inputDir;
    } sets[] = {
        { "networkxml2xmlout", ".xml", "networkxml2xmlin" },
        { "networkerrdata", ".err", "networkerrdata" },
    };
    size_t s;

    for (s = 0; s < G_N_ELEMENTS(sets); s++) {
        g_autoptr(GPtrArray) files = vgmTestListFiles(sets[s].dir, sets[s].suffix);
        guint i;

        for (i = 0; i < files->len; i++) {
            const char *f = g_ptr_array_index(files, i);
            g_autofree char *stem = g_strndup(f, strlen(f) - strlen(sets[s].suffix));
            g_autofree char *inName = g_strdup_printf("%s.xml", stem);
            g_autofree char *inRel = g_build_filename(sets[s].inputDir, inName, NULL);
            g_autofree char *inPath = vgmTestDataPath(inRel);

            if (!g_file_test(inPath, G_FILE_TEST_EXISTS))
                g_test_message("%s/%s has no input %s", sets[s].dir, f, inRel);
            g_assert_true(g_file_test(inPath, G_FILE_TEST_EXISTS));
        }
    }
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) ok = NULL;
    g_autoptr(GPtrArray) bad = NULL;
    guint i;

    g_test_init(&argc, &argv, NULL);
    /* messages are compared in English */
    g_setenv("LC_ALL", "C", TRUE);
    ok = vgmTestListFiles("networkxml2xmlin", ".xml");
    bad = vgmTestListFiles("networkerrdata", ".xml");
    for (i = 0; i < ok->len; i++) {
        g_autofree char *path = g_strdup_printf("/network/xml2xml/%s",
                                                (const char *)g_ptr_array_index(ok, i));
        g_test_add_data_func(path, g_ptr_array_index(ok, i), testXml2Xml);
    }
    for (i = 0; i < bad->len; i++) {
        g_autofree char *path = g_strdup_printf("/network/error/%s",
                                                (const char *)g_ptr_array_index(bad, i));
        g_test_add_data_func(path, g_ptr_array_index(bad, i), testError);
    }
    g_test_add_func("/network/no-strays", testNoStrays);
    return g_test_run();
}
