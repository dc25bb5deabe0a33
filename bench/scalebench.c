/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * scalebench.c: how the pure arrows scale with the number of NUMA cells
 * and devices (issue 11: every step from parse to command line is linear
 * or n log n).
 *
 * Usage: scalebench [-c CAPS.json] [-o DIR] [-u] [KIND:N ...]
 * KIND is 'cells' (memory-only NUMA cells after a first one with the
 * vCPU) or 'serials' (port-less pci-serial ports on the microvm machine,
 * so that the numbering of ports runs for each). The default cases are the largest counts the
 * limits accept and 100,000 of each (refused by the limits):
 * cells:128 cells:100000 serials:4096 serials:100000.
 *
 * For each case it generates the domain, then times: parse (XML, the
 * definition and post-parse), the generic rules (the limits first), the
 * RelaxNG schema (as `virt-gmem validate` checks it; only when the rules
 * pass) and plan + render (the command line as `domxml-to-native` prints
 * it, on the capability set, by default qemu-10.1). -u skips the rules
 * and the schema, to time the other steps at any size. -o writes each
 * domain to DIR/KIND-N.xml, so that whole processes can be timed:
 *   hyperfine 'virt-gmem domxml-to-native --qemu-caps CAPS DIR/cells-128.xml'
 * or /usr/bin/time -v on the same command (README, "Benchmarks").
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_command.h"
#include "util/vgmxml.h"

static char *
scaleDomainXML(const char *kind, unsigned int n)
{
    GString *s = g_string_new("<domain type='kvm'>\n  <name>scale</name>\n");
    unsigned int i;

    if (g_str_equal(kind, "cells")) {
        g_string_append(s, "  <vcpu>1</vcpu>\n"
                        "  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n  </os>\n"
                        "  <cpu>\n    <numa>\n"
                        "      <cell id='0' cpus='0' memory='1' unit='MiB'/>\n");
        for (i = 1; i < n; i++)
            g_string_append_printf(s, "      <cell id='%u' memory='1' unit='MiB'/>\n", i);
        g_string_append(s, "    </numa>\n  </cpu>\n"
                        "  <devices>\n    <memballoon model='none'/>\n  </devices>\n");
    } else {
        /* microvm: 4096 PCI devices are more than libvirt (and virt-gmem)
         * places on q35 or the PC without given controllers */
        g_string_append(s, "  <memory unit='MiB'>512</memory>\n  <vcpu>1</vcpu>\n"
                        "  <os>\n    <type arch='x86_64' machine='microvm'>hvm</type>\n  </os>\n"
                        "  <devices>\n");
        for (i = 0; i < n; i++)
            g_string_append(s, "    <serial type='pty'><target type='pci-serial'>"
                            "<model name='pci-serial'/></target></serial>\n");
        g_string_append(s, "    <memballoon model='none'/>\n  </devices>\n");
    }
    g_string_append(s, "</domain>\n");
    return g_string_free(s, FALSE);
}

static double
scaleMs(gint64 t0)
{
    return (g_get_monotonic_time() - t0) / 1000.0;
}

static gboolean
scaleRun(const char *kind, unsigned int n, const VgmQemuCaps *caps,
         const char *outDir, gboolean unchecked)
{
    g_autofree char *xml = scaleDomainXML(kind, n);
    g_autoptr(VgmQemuConfig) cfg = vgmQemuConfigNewForTest();
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuCmd) cmd = NULL;
    g_autofree char *line = NULL;
    double parse = 0, rules = 0, schema = 0, render = 0;
    gint64 t0;

    if (outDir) {
        g_autofree char *name = g_strdup_printf("%s-%u.xml", kind, n);
        g_autofree char *path = g_build_filename(outDir, name, NULL);

        if (g_mkdir_with_parents(outDir, 0755) < 0 ||
            !g_file_set_contents(path, xml, -1, &err)) {
            fprintf(stderr, "%s: %s\n", path, err ? err->message : g_strerror(errno));
            return FALSE;
        }
    }

    t0 = g_get_monotonic_time();
    if ((doc = vgmXMLParseString(xml, NULL, &err)))
        def = vgmDomainDefParseNode(doc, xmlDocGetRootElement(doc),
                                    VGM_DOMAIN_PARSE_SKIP_VALIDATE, &err);
    parse = scaleMs(t0);
    if (def && !unchecked) {
        g_autofree char *rng = g_build_filename(SRCDIR, "docs", "schemas", "domain.rng", NULL);
        gboolean ok;

        t0 = g_get_monotonic_time();
        ok = vgmDomainDefValidate(def, &err);
        rules = scaleMs(t0);
        if (!ok) {
            g_clear_pointer(&def, vgmDomainDefFree);
        } else {
            t0 = g_get_monotonic_time();
            ok = vgmXMLValidateRNG(doc, rng, &err);
            schema = scaleMs(t0);
            if (!ok)
                g_clear_pointer(&def, vgmDomainDefFree);
        }
    }
    if (def) {
        t0 = g_get_monotonic_time();
        if ((cmd = vgmQemuBuildCommandLine(def, caps, cfg, NULL, &err)))
            line = vgmQemuCmdFormatShell(cmd);
        render = scaleMs(t0);
    }

    printf("%-8s %7u%s  parse %8.1f ms  rules %6.1f ms  schema %7.1f ms  plan+render %8.1f ms"
           "  total %8.1f ms  %s\n",
           kind, n, unchecked ? " (unchecked)" : "", parse, rules, schema, render,
           parse + rules + schema + render,
           line ? "ok" : err ? err->message : "?");
    if (line)
        printf("         command line: %zu bytes\n", strlen(line));
    /* without the limits, every size must translate */
    return !unchecked || line != NULL;
}

int
main(int argc, char **argv)
{
    g_autofree char *capsPath = NULL;
    g_autofree char *outDir = NULL;
    gboolean unchecked = FALSE;
    GOptionEntry entries[] = {
        { "caps", 'c', 0, G_OPTION_ARG_FILENAME, &capsPath, "capability set", "FILE" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &outDir, "write the domains to DIR", "DIR" },
        { "unchecked", 'u', 0, G_OPTION_ARG_NONE, &unchecked,
          "skip the rules and the schema (time the other steps at any size)", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL }
    };
    static const char *const defaults[] = {
        "cells:128", "cells:100000", "serials:4096", "serials:100000", NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("[KIND:N ...]");
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuCaps) caps = NULL;
    const char *const *cases;
    int i;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "%s\n", err->message);
        return 1;
    }
    if (!capsPath)
        capsPath = g_strdup(SRCDIR "/tests/qemucapabilitiesdata/qemu-10.1.json");
    if (!(caps = vgmQemuCapsLoadFile(capsPath, &err))) {
        fprintf(stderr, "%s\n", err->message);
        return 1;
    }
    cases = argc > 1 ? (const char *const *)argv + 1 : defaults;
    for (i = 0; cases[i]; i++) {
        g_auto(GStrv) kn = g_strsplit(cases[i], ":", 2);
        char *end = NULL;
        unsigned long n = 0;

        if (g_strv_length(kn) == 2)
            n = strtoul(kn[1], &end, 10);
        if (!end || *end || n == 0 || n > 1000000 ||
            (!g_str_equal(kn[0], "cells") && !g_str_equal(kn[0], "serials"))) {
            fprintf(stderr, "invalid case '%s': expected cells:N or serials:N\n", cases[i]);
            return 1;
        }
        if (!scaleRun(kn[0], (unsigned int)n, caps, outDir, unchecked))
            return 1;
    }
    return 0;
}
