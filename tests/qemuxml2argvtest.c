/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemuxml2argvtest.c: the QEMU arrow (QEMU validation, backend plan,
 * command line), by golden files.
 *
 * Every tests/qemuxml2argvdata/NAME.xml runs against every capability set
 * in tests/qemucapabilitiesdata/SET.json. The expected result is
 * NAME.SET.args (the command line, one option and its value a line) or
 * NAME.SET.err (the exact error) in tests/qemuxml2argvdata/. For every
 * command line, each emitted -object and -device is checked against the
 * set's QMP schema (type exists, properties exist, value types match),
 * and the one-line shell form parses back to exactly the argv built, so
 * user strings (names, paths, the kernel command line) cannot escape
 * their argument; escape-user-strings.xml shows they cannot escape their
 * option either (doubled commas, JSON escaping).
 * A .args or .err file that no (input, set) pair produces fails the run.
 * The local time zone is fixed (UTC+2), so that a clock whose basis is
 * the host's local time lowers the same on any host.
 * Large domains (128 NUMA cells, 256 memory devices) are checked for the
 * backend, alias and slot of each cell and device.
 * VGM_TEST_REGENERATE=1 rewrites the golden files for review with git diff.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "testqemu.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_command.h"
#include "util/vgmerror.h"

typedef struct {
    char *input;    /* NAME.xml */
    char *set;      /* SET (file name without .json) */
} VgmArgvCase;

static GHashTable *vgmSets; /* set name -> VgmQemuCaps */

static void
vgmArgvCaseFree(gpointer data)
{
    VgmArgvCase *c = data;

    g_free(c->input);
    g_free(c->set);
    g_free(c);
}

static void
testArgv(gconstpointer data)
{
    const VgmArgvCase *c = data;
    g_autofree char *rel = g_build_filename("qemuxml2argvdata", c->input, NULL);
    g_autofree char *in = vgmTestDataPath(rel);
    g_autofree char *stem = g_strndup(in, strlen(in) - strlen(".xml"));
    g_autofree char *argsFile = g_strdup_printf("%s.%s.args", stem, c->set);
    g_autofree char *errFile = g_strdup_printf("%s.%s.err", stem, c->set);
    const VgmQemuCaps *caps = g_hash_table_lookup(vgmSets, c->set);
    g_autoptr(VgmQemuConfig) cfg = vgmTestQemuConfig();
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuCmd) cmd = NULL;

    vgmTestResetRandom();
    def = vgmDomainDefParseFile(in, 0, &err);
    if (!def)
        g_error("%s: %s", c->input, err->message);

    cmd = vgmQemuBuildCommandLine(def, caps, cfg, NULL, &err);
    if (!cmd) {
        g_autofree char *msg = g_strconcat(err->message, "\n", NULL);
        g_assert_cmpint(err->code, !=, VGM_ERR_INTERNAL);
        /* validation must refuse what a set cannot do before rendering: an
         * emitted object or device the set's schema lacks is a bug, never
         * an expected result */
        if (g_str_has_prefix(err->message, "capability set '"))
            g_error("%s on %s: rendered something the QMP schema refuses: %s",
                    c->input, c->set, err->message);
        if (!vgmTestRegenerate() && g_file_test(argsFile, G_FILE_TEST_EXISTS))
            g_error("%s on %s failed, but %s expects success: %s",
                    c->input, c->set, argsFile, err->message);
        if (vgmTestRegenerate())
            g_unlink(argsFile);
        g_assert_true(vgmTestCompareGolden(errFile, msg));
    } else {
        g_autofree char *args = vgmQemuCmdFormatArgsFile(cmd);
        /* the shell form must give back exactly the argv we built */
        {
            g_autofree char *line = vgmQemuCmdFormatShell(cmd);
            g_auto(GStrv) parsed = NULL;
            g_auto(GStrv) argvBuilt = vgmQemuCmdGetArgv(cmd);
            guint k;

            if (!g_shell_parse_argv(line, NULL, &parsed, NULL))
                g_error("%s on %s: the shell line does not parse", c->input, c->set);
            g_assert_cmpuint(g_strv_length(parsed), ==,
                             cmd->env->len + g_strv_length(argvBuilt));
            for (k = 0; k < cmd->env->len; k++)
                g_assert_cmpstr(parsed[k], ==, g_ptr_array_index(cmd->env, k));
            for (k = 0; argvBuilt[k]; k++)
                g_assert_cmpstr(parsed[cmd->env->len + k], ==, argvBuilt[k]);
        }
        if (!vgmTestRegenerate() && g_file_test(errFile, G_FILE_TEST_EXISTS))
            g_error("%s on %s succeeded, but %s expects a failure", c->input, c->set, errFile);
        if (vgmTestRegenerate())
            g_unlink(errFile);
        g_assert_true(vgmTestCompareGolden(argsFile, args));
    }
}

/* Every golden file must belong to an (input, set) pair. */
static void
testNoStrayFiles(gconstpointer data)
{
    GPtrArray *inputs = (GPtrArray *)data;
    g_autoptr(GPtrArray) args = vgmTestListFiles("qemuxml2argvdata", ".args");
    g_autoptr(GPtrArray) errs = vgmTestListFiles("qemuxml2argvdata", ".err");
    guint i, k;

    g_ptr_array_extend_and_steal(args, g_steal_pointer(&errs));
    for (i = 0; i < args->len; i++) {
        const char *f = args->pdata[i];
        gboolean found = FALSE;
        GHashTableIter it;
        gpointer set;

        for (k = 0; k < inputs->len && !found; k++) {
            const char *in = inputs->pdata[k];
            g_autofree char *stem = g_strndup(in, strlen(in) - 4);
            g_hash_table_iter_init(&it, vgmSets);
            while (g_hash_table_iter_next(&it, &set, NULL)) {
                g_autofree char *a = g_strdup_printf("%s.%s.args", stem, (char *)set);
                g_autofree char *e = g_strdup_printf("%s.%s.err", stem, (char *)set);
                if (g_str_equal(f, a) || g_str_equal(f, e))
                    found = TRUE;
            }
        }
        if (!found)
            g_error("qemuxml2argvdata/%s belongs to no input and capability set", f);
    }
}

/* ---- large domains (the limits, filled): every NUMA node and memory
 * device gets its own backend, in order; bench/scalebench.c shows the
 * time ---- */

static VgmQemuCmd *
testScaleBuild(const char *xml)
{
    const VgmQemuCaps *caps = g_hash_table_lookup(vgmSets, "qemu-10.1");
    g_autoptr(VgmQemuConfig) cfg = vgmTestQemuConfig();
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    VgmQemuCmd *cmd;

    g_assert_nonnull(caps);
    if (!(def = vgmDomainDefParseString(xml, NULL, 0, &err)) ||
        !(cmd = vgmQemuBuildCommandLine(def, caps, cfg, NULL, &err)))
        g_error("%s", err->message);
    return cmd;
}

/* The value of the -object or -device argument at @i, as JSON. */
static JsonObject *
testScaleJSONArg(const VgmQemuCmd *cmd, guint i, const char *opt)
{
    g_autoptr(JsonParser) parser = json_parser_new();

    g_assert_cmpstr(g_ptr_array_index(cmd->args, i), ==, opt);
    g_assert_true(json_parser_load_from_data(parser, g_ptr_array_index(cmd->args, i + 1),
                                             -1, NULL));
    return json_object_ref(json_node_get_object(json_parser_get_root(parser)));
}

static void
testScaleNuma(void)
{
    g_autoptr(GString) xml = g_string_new(NULL);
    g_autoptr(VgmQemuCmd) cmd = NULL;
    guint cell = 0;
    guint i;

    g_string_append_printf(xml, "<domain type='kvm'><name>scale</name><vcpu>1</vcpu>"
                           "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                           "<cpu><numa><cell id='0' cpus='0' memory='1' unit='MiB'/>");
    for (i = 1; i < VGM_DOMAIN_MAX_NUMA_CELLS; i++)
        g_string_append_printf(xml, "<cell id='%u' memory='%u' unit='MiB'/>", i, i + 1);
    g_string_append(xml, "</numa></cpu></domain>");
    cmd = testScaleBuild(xml->str);

    /* each -numa right after its own backend, cells in order */
    for (i = 0; i + 1 < cmd->args->len; i++) {
        g_autoptr(JsonObject) backend = NULL;
        g_autofree char *id = NULL;
        g_autofree char *numa = NULL;

        if (!g_str_equal(g_ptr_array_index(cmd->args, i), "-numa"))
            continue;
        id = g_strdup_printf("ram-node%u", cell);
        numa = g_strdup_printf("node,nodeid=%u%s,memdev=%s", cell, cell ? "" : ",cpus=0", id);
        g_assert_cmpstr(g_ptr_array_index(cmd->args, i + 1), ==, numa);
        backend = testScaleJSONArg(cmd, i - 2, "-object");
        g_assert_cmpstr(json_object_get_string_member(backend, "id"), ==, id);
        g_assert_cmpint(json_object_get_int_member(backend, "size"), ==,
                        (gint64)(cell + 1) * 1024 * 1024);
        cell++;
    }
    g_assert_cmpuint(cell, ==, VGM_DOMAIN_MAX_NUMA_CELLS);
}

/* DIMMs and virtio-mem devices, some with a user alias: numbered per
 * model in document order, DIMM slots counted, each -device after its
 * backend. */
static void
testScaleMemoryDevices(void)
{
    const guint n = 256;        /* QEMU's most memory slots (ACPI_MAX_RAM_SLOTS) */
    g_autoptr(GString) xml = g_string_new(NULL);
    g_autoptr(VgmQemuCmd) cmd = NULL;
    unsigned int dimms = 0, virtiomems = 0, seen = 0;
    guint i;

    g_string_append_printf(xml, "<domain type='kvm'><name>scale</name>"
                           "<maxMemory slots='%u' unit='GiB'>1024</maxMemory>"
                           "<memory unit='MiB'>%u</memory><vcpu>1</vcpu>"
                           "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                           "<features><acpi/></features>"
                           "<cpu><numa><cell id='0' cpus='0' memory='1024' unit='MiB'/></numa></cpu>"
                           "<devices>", n, 1024 + 128 * n);
    for (i = 0; i < n; i++) {
        g_autofree char *alias = i % 8 == 3 ? g_strdup_printf("<alias name='ua-m%u'/>", i) :
                                              g_strdup("");
        if (i % 2)
            g_string_append_printf(xml, "<memory model='virtio-mem'><target>"
                                   "<size unit='MiB'>128</size><node>0</node>"
                                   "<block unit='MiB'>2</block><requested unit='MiB'>0</requested>"
                                   "</target>%s</memory>", alias);
        else
            g_string_append_printf(xml, "<memory model='dimm'><target><size unit='MiB'>128</size>"
                                   "<node>0</node></target>%s</memory>", alias);
    }
    g_string_append(xml, "</devices></domain>");
    cmd = testScaleBuild(xml->str);

    for (i = 0; i + 1 < cmd->args->len; i++) {
        g_autoptr(JsonObject) dev = NULL;
        g_autoptr(JsonObject) backend = NULL;
        g_autofree char *alias = NULL;
        g_autofree char *memdev = NULL;
        const char *driver;
        gboolean dimm;

        if (!g_str_equal(g_ptr_array_index(cmd->args, i), "-device"))
            continue;
        dev = testScaleJSONArg(cmd, i, "-device");
        driver = json_object_get_string_member(dev, "driver");
        if (!g_str_equal(driver, "pc-dimm") && !g_str_equal(driver, "virtio-mem-pci"))
            continue;
        dimm = g_str_equal(driver, "pc-dimm");
        g_assert_cmpuint(dimm, ==, seen % 2 == 0);
        if (seen % 8 == 3)
            alias = g_strdup_printf("ua-m%u", seen);
        else if (dimm)
            alias = g_strdup_printf("dimm%u", dimms);
        else
            alias = g_strdup_printf("virtiomem%u", virtiomems);
        memdev = g_strconcat("mem", alias, NULL);
        g_assert_cmpstr(json_object_get_string_member(dev, "id"), ==, alias);
        g_assert_cmpstr(json_object_get_string_member(dev, "memdev"), ==, memdev);
        if (dimm)
            g_assert_cmpint(json_object_get_int_member(dev, "slot"), ==, seen / 2);
        backend = testScaleJSONArg(cmd, i - 2, "-object");
        g_assert_cmpstr(json_object_get_string_member(backend, "id"), ==, memdev);
        if (seen % 8 != 3) {
            if (dimm)
                dimms++;
            else
                virtiomems++;
        }
        seen++;
    }
    g_assert_cmpuint(seen, ==, n);
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) inputs = NULL;
    g_autoptr(GPtrArray) sets = NULL;
    guint i, j;

    g_test_init(&argc, &argv, NULL);
    g_setenv("LC_ALL", "C", TRUE);
    /* a fixed local time two hours east of UTC, before any use of it:
     * <clock basis='localtime'> adds the host's UTC offset
     * (clock-variable-localtime) */
    g_setenv("TZ", "VGM-2", TRUE);

    vgmSets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify)vgmQemuCapsFree);
    sets = vgmTestListFiles("qemucapabilitiesdata", ".json");
    g_assert_cmpuint(sets->len, >=, 6);
    for (i = 0; i < sets->len; i++) {
        const char *f = sets->pdata[i];
        g_autofree char *rel = g_build_filename("qemucapabilitiesdata", f, NULL);
        g_autofree char *path = vgmTestDataPath(rel);
        g_autoptr(GError) err = NULL;
        VgmQemuCaps *caps = vgmQemuCapsLoadFile(path, &err);

        if (!caps)
            g_error("%s: %s", f, err->message);
        g_hash_table_insert(vgmSets, g_strndup(f, strlen(f) - 5), caps);
    }

    inputs = vgmTestListFiles("qemuxml2argvdata", ".xml");
    for (i = 0; i < inputs->len; i++) {
        for (j = 0; j < sets->len; j++) {
            VgmArgvCase *c = g_new0(VgmArgvCase, 1);
            const char *s = sets->pdata[j];
            g_autofree char *path = NULL;

            c->input = g_strdup(inputs->pdata[i]);
            c->set = g_strndup(s, strlen(s) - 5);
            path = g_strdup_printf("/xml2argv/%s/%s", c->set, c->input);
            g_test_add_data_func_full(path, c, testArgv, vgmArgvCaseFree);
        }
    }
    g_test_add_data_func("/xml2argv/no-stray-files", inputs, testNoStrayFiles);
    g_test_add_func("/scale/numa", testScaleNuma);
    g_test_add_func("/scale/memory-devices", testScaleMemoryDevices);
    return g_test_run();
}
