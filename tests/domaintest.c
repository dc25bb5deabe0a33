/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domaintest.c: the domain XML arrow (parse, post-parse, generic
 * validation, format).
 *
 * Covers:
 *  - xml2xml: every tests/qemuxml2argvdata/NAME.xml parses, validates and
 *    formats to exactly tests/qemuxml2xmloutdata/NAME.xml;
 *  - the fixed point: formatting the parse of that output gives the same
 *    bytes again;
 *  - error cases: every tests/domainerrdata/NAME.xml fails with exactly the
 *    message in NAME.err (one per rule of the specification and of
 *    libvirt's generic checks, and per parse error class), and never with
 *    an internal error;
 *  - no stray golden files: an output or .err file without its input fails.
 * VGM_TEST_REGENERATE=1 rewrites the golden files for review with git diff.
 */
#include "config.h"

#include <string.h>

#include "testutils.h"
#include "conf/domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

static void
testXml2Xml(gconstpointer data)
{
    const char *name = data;
    g_autofree char *rel = g_build_filename("qemuxml2argvdata", name, NULL);
    g_autofree char *outrel = g_build_filename("qemuxml2xmloutdata", name, NULL);
    g_autofree char *in = vgmTestDataPath(rel);
    g_autofree char *out = vgmTestDataPath(outrel);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmDomainDef) def2 = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xml2 = NULL;

    vgmTestResetRandom();
    def = vgmDomainDefParseFile(in, 0, &err);
    if (!def)
        g_error("%s: %s", name, err->message);
    xml = vgmDomainDefFormat(def);
    g_assert_true(vgmTestCompareGolden(out, xml));

    def2 = vgmDomainDefParseString(xml, out, 0, &err);
    if (!def2)
        g_error("%s (reparse): %s", name, err->message);
    xml2 = vgmDomainDefFormat(def2);
    g_assert_cmpstr(xml, ==, xml2);
}

static void
testParseError(gconstpointer data)
{
    const char *name = data;
    g_autofree char *rel = g_build_filename("domainerrdata", name, NULL);
    g_autofree char *in = vgmTestDataPath(rel);
    g_autofree char *base = g_strndup(in, strlen(in) - strlen(".xml"));
    g_autofree char *errfile = g_strconcat(base, ".err", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autofree char *msg = NULL;
    g_autofree char *dir = g_path_get_dirname(in);

    vgmTestResetRandom();
    def = vgmDomainDefParseFile(in, 0, &err);
    if (def)
        g_error("%s: parsed and validated, but it must fail", name);
    g_assert_error(err, VGM_ERROR, err->code);
    g_assert_cmpint(err->code, !=, VGM_ERR_INTERNAL);
    /* file names in messages are relative to the data folder */
    msg = g_strdup(err->message);
    {
        g_autofree char *prefix = g_strconcat(dir, "/", NULL);
        g_autoptr(GString) s = g_string_new(msg);
        g_string_replace(s, prefix, "", 0);
        g_free(msg);
        msg = g_strconcat(s->str, "\n", NULL);
    }
    g_assert_true(vgmTestCompareGolden(errfile, msg));
}

static void
testNoStrayFiles(void)
{
    g_autoptr(GPtrArray) outs = vgmTestListFiles("qemuxml2xmloutdata", ".xml");
    g_autoptr(GPtrArray) errs = vgmTestListFiles("domainerrdata", ".err");
    guint i;

    for (i = 0; i < outs->len; i++) {
        g_autofree char *rel = g_build_filename("qemuxml2argvdata", (char *)outs->pdata[i], NULL);
        g_autofree char *in = vgmTestDataPath(rel);
        if (!g_file_test(in, G_FILE_TEST_EXISTS))
            g_error("qemuxml2xmloutdata/%s has no input in qemuxml2argvdata/",
                    (char *)outs->pdata[i]);
    }
    for (i = 0; i < errs->len; i++) {
        const char *e = errs->pdata[i];
        g_autofree char *stem = g_strndup(e, strlen(e) - 4);
        g_autofree char *rel = g_strconcat("domainerrdata/", stem, ".xml", NULL);
        g_autofree char *in = vgmTestDataPath(rel);
        if (!g_file_test(in, G_FILE_TEST_EXISTS))
            g_error("domainerrdata/%s has no input XML", e);
    }
}

static void
testUUIDGenerated(void)
{
    const char *xml =
        "<domain type='kvm'><name>u</name><memory>1024</memory>"
        "<os><type>hvm</type></os></domain>";
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) a = NULL;
    g_autoptr(VgmDomainDef) b = NULL;
    char sa[37];
    char sb[37];

    vgmDomainSetRandomBytesFunc(NULL);
    a = vgmDomainDefParseString(xml, NULL, 0, &err);
    g_assert_no_error(err);
    b = vgmDomainDefParseString(xml, NULL, 0, &err);
    g_assert_no_error(err);
    vgmDomainUUIDFormat(a->uuid, sa);
    vgmDomainUUIDFormat(b->uuid, sb);
    g_assert_cmpstr(sa, !=, sb);
    g_assert_cmpint(sa[14], ==, '4'); /* a version 4 uuid */
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) inputs = NULL;
    g_autoptr(GPtrArray) errs = NULL;
    guint i;

    g_test_init(&argc, &argv, NULL);
    /* messages are compared in English */
    g_setenv("LC_ALL", "C", TRUE);

    inputs = vgmTestListFiles("qemuxml2argvdata", ".xml");
    errs = vgmTestListFiles("domainerrdata", ".xml");
    g_assert_cmpuint(inputs->len, >=, 40);

    for (i = 0; i < inputs->len; i++) {
        g_autofree char *path = g_strdup_printf("/xml2xml/%s", (char *)inputs->pdata[i]);
        g_test_add_data_func(path, inputs->pdata[i], testXml2Xml);
    }
    for (i = 0; i < errs->len; i++) {
        g_autofree char *path = g_strdup_printf("/error/%s", (char *)errs->pdata[i]);
        g_test_add_data_func(path, errs->pdata[i], testParseError);
    }
    g_test_add_func("/xml2xml/no-stray-files", testNoStrayFiles);
    g_test_add_func("/uuid/generated", testUUIDGenerated);
    return g_test_run();
}
