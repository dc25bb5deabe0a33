/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmlbench.c: how fast the two pure arrows are: domain XML parse +
 * validate + format, and QEMU plan + command line rendering.
 *
 * Usage: xmlbench [ROUNDS] [CAPS.json]
 * Reads every domain XML in tests/qemuxml2argvdata, then for ROUNDS rounds parses,
 * validates and formats each, and renders each on the capability set
 * (default: the qemu-gmem-inplace set). Prints the mean time per domain
 * for each step. Time the whole process with hyperfine or
 * /usr/bin/time -v for figures comparable across machines.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_command.h"

int
main(int argc, char **argv)
{
    unsigned int rounds = argc > 1 ? (unsigned int)atoi(argv[1]) : 200;
    const char *capsPath = argc > 2 ? argv[2] :
        SRCDIR "/tests/qemucapabilitiesdata/qemu-gmem-inplace.json";
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuCaps) caps = vgmQemuCapsLoadFile(capsPath, &err);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNewForTest();
    g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) dir = NULL;
    const char *name;
    gint64 t0, tParse = 0, tRender = 0;
    unsigned int r, rendered = 0;
    guint i;

    if (!caps) {
        fprintf(stderr, "%s\n", err->message);
        return 1;
    }
    dir = g_dir_open(SRCDIR "/tests/qemuxml2argvdata", 0, NULL);
    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        char *text = NULL;

        if (!g_str_has_suffix(name, ".xml"))
            continue;
        path = g_build_filename(SRCDIR "/tests/qemuxml2argvdata", name, NULL);
        if (g_file_get_contents(path, &text, NULL, NULL))
            g_ptr_array_add(docs, text);
    }
    if (docs->len == 0 || rounds == 0) {
        fprintf(stderr, "nothing to do\n");
        return 1;
    }
    for (r = 0; r < rounds; r++) {
        for (i = 0; i < docs->len; i++) {
            g_autoptr(VgmDomainDef) def = NULL;
            g_autoptr(VgmQemuCmd) cmd = NULL;
            g_autofree char *xml = NULL;
            g_autofree char *line = NULL;

            t0 = g_get_monotonic_time();
            def = vgmDomainDefParseString(docs->pdata[i], NULL, 0, NULL);
            if (def)
                xml = vgmDomainDefFormat(def);
            tParse += g_get_monotonic_time() - t0;
            if (!def)
                continue;
            t0 = g_get_monotonic_time();
            if ((cmd = vgmQemuBuildCommandLine(def, caps, cfg, NULL, NULL))) {
                line = vgmQemuCmdFormatShell(cmd);
                rendered++;
            }
            tRender += g_get_monotonic_time() - t0;
        }
    }
    printf("domains: %u, rounds: %u\n", docs->len, rounds);
    printf("parse+validate+format: %.1f us per domain\n",
           (double)tParse / (rounds * docs->len));
    printf("plan+render (incl. failures): %.1f us per domain, %u rendered\n",
           (double)tRender / (rounds * docs->len), rendered);
    return 0;
}
