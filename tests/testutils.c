/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * testutils.c: see testutils.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "testutils.h"
#include "util/vgmfile.h"
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
    vgmFileRemoveTree(path);
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

const char *
vgmTestKvmFailure(const char *binary, const char *machine, const char *cpu)
{
    static GHashTable *tried;   /* "binary\nmachine\ncpu" -> reason, "" for none */
    g_autofree char *key = g_strdup_printf("%s\n%s\n%s", binary, machine ? machine : "", cpu);
    g_autofree char *machineArg = machine ? g_strdup_printf("%s,accel=kvm", machine)
                                          : g_strdup("accel=kvm");
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *errPath = NULL;
    g_autofree char *errText = NULL;
    g_autofree char *reason = NULL;
    const char *cached;
    int fd;

    if (access("/dev/kvm", R_OK | W_OK) < 0)
        return NULL;
    if (!tried)
        tried = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if ((cached = g_hash_table_lookup(tried, key)))
        return *cached ? cached : NULL;

    if ((fd = g_file_open_tmp("vgm-kvm-probe-XXXXXX", &errPath, &err)) < 0)
        g_error("cannot make a temporary file: %s", err->message);
    close(fd);
    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                         G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_subprocess_launcher_set_stderr_file_path(launcher, errPath);
    proc = g_subprocess_launcher_spawn(launcher, &err, "timeout", "30", binary,
                                       "-machine", machineArg, "-cpu", cpu,
                                       "-smp", "1", "-m", "64", "-nodefaults",
                                       "-display", "none", "-S", "-qmp", "stdio",
                                       NULL);
    if (!proc) {
        reason = g_strdup_printf("cannot run %s: %s", binary, err->message);
    } else {
        /* QEMU that aborts early never reads its input: a broken pipe
         * here says nothing, the exit status does */
        g_subprocess_communicate_utf8(proc,
                                      "{\"execute\":\"qmp_capabilities\"}\n"
                                      "{\"execute\":\"quit\"}\n",
                                      NULL, NULL, NULL, NULL);
        g_subprocess_wait(proc, NULL, NULL);
        if (!g_subprocess_get_if_exited(proc) || g_subprocess_get_exit_status(proc) != 0) {
            g_auto(GStrv) lines = NULL;
            const char *last = NULL;
            guint i;

            g_file_get_contents(errPath, &errText, NULL, NULL);
            lines = g_strsplit(errText ? errText : "", "\n", -1);
            for (i = 0; lines[i]; i++) {
                g_strstrip(lines[i]);
                if (*lines[i])
                    last = lines[i];
            }
            if (g_subprocess_get_if_signaled(proc))
                reason = g_strdup_printf("QEMU was killed by signal %d: %s",
                                         g_subprocess_get_term_sig(proc),
                                         last ? last : "(no message)");
            else
                reason = g_strdup_printf("QEMU exited with status %d: %s",
                                         g_subprocess_get_exit_status(proc),
                                         last ? last : "(no message)");
        }
    }
    g_unlink(errPath);
    g_hash_table_insert(tried, g_steal_pointer(&key),
                        reason ? g_strdup(reason) : g_strdup(""));
    return vgmTestKvmFailure(binary, machine, cpu);
}

const char *
vgmTestQemu10Binary(const char **reason)
{
    static gboolean tried;
    static char *binary;
    static char *why;
    const char *srcDir = g_getenv("VGM_SRCDIR");
    const char *buildDir = g_getenv("VGM_BUILDDIR");
    g_autofree char *script = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *out = NULL;
    g_autofree char *errText = NULL;
    g_autoptr(GError) err = NULL;
    int status = 0;

    if (tried)
        goto done;
    tried = TRUE;

    script = g_build_filename(srcDir ? srcDir : SRCDIR, "scripts", "fetch-qemu10.sh", NULL);
    if (buildDir)
        dir = g_build_filename(buildDir, "tests", "qemu-10.0", NULL);
    else
        dir = g_build_filename(SRCDIR, "build", "tests", "qemu-10.0", NULL);
    {
        const char *argv[] = { "bash", script, dir, NULL };

        if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                          &out, &errText, &status, &err)) {
            why = g_strdup_printf("cannot run %s: %s", script, err->message);
            goto done;
        }
    }
    g_strstrip(out);
    g_strstrip(errText);
    if (!g_spawn_check_wait_status(status, NULL) || !*out ||
        !g_path_is_absolute(out) || !g_file_test(out, G_FILE_TEST_IS_EXECUTABLE)) {
        why = g_strdup_printf("no QEMU 10.0: %s", *errText ? errText :
                              "fetch-qemu10.sh failed without a message");
        goto done;
    }
    binary = g_strdup(out);

 done:
    if (reason)
        *reason = why;
    return binary;
}
