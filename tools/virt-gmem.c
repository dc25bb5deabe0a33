/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * virt-gmem.c: the command-line tool's entry point and command table.
 *
 * Commands follow virsh's names and output; the handlers live in the
 * vgm_cmd_*.c files beside this one.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vgm_tool.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

static const VgmToolCommand *const vgmToolTables[] = {
    vgmToolDomainCommands,
    vgmToolLifecycleCommands,
};

gboolean
vgmToolParseOptions(const VgmToolCommand *cmd, GOptionEntry *entries,
                    int *argc, char ***argv)
{
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *summary = NULL;

    {
        g_autofree char *prg = g_strdup_printf("virt-gmem %s", cmd->name);
        g_set_prgname(prg);
    }
    ctx = g_option_context_new(cmd->params);
    g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
    summary = g_strdup(_(cmd->summary));
    g_option_context_set_summary(ctx, summary);
    if (entries)
        g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        g_autofree char *msg = vgmErrorEscape(err->message);

        fprintf(stderr, _("error: %1$s: %2$s\n"), cmd->name, msg);
        fprintf(stderr, _("Try 'virt-gmem %1$s --help'.\n"), cmd->name);
        return FALSE;
    }
    return TRUE;
}

int
vgmToolError(GError *error)
{
    /* GLib's messages too: no quoted value prints raw */
    g_autofree char *msg = error ? vgmErrorEscape(error->message) : NULL;

    fprintf(stderr, _("error: %1$s\n"), msg ? msg : _("unknown error"));
    return 1;
}

char *
vgmToolSchemaPath(void)
{
    const char *env = g_getenv("VIRT_GMEM_SCHEMA_DIR");
    g_autofree char *installed = g_build_filename(PKGDATADIR, "schemas", "domain.rng", NULL);

    if (env)
        return g_build_filename(env, "domain.rng", NULL);
    if (g_file_test(installed, G_FILE_TEST_EXISTS))
        return g_steal_pointer(&installed);
    /* running from the build tree */
    return g_build_filename(SRCDIR, "docs", "schemas", "domain.rng", NULL);
}

static const VgmToolCommand *
vgmToolFind(const char *name)
{
    size_t t;
    const VgmToolCommand *cmd;

    for (t = 0; t < G_N_ELEMENTS(vgmToolTables); t++) {
        for (cmd = vgmToolTables[t]; cmd->name; cmd++) {
            if (g_str_equal(cmd->name, name))
                return cmd;
        }
    }
    return NULL;
}

static void
vgmToolUsage(FILE *out)
{
    size_t t;
    const VgmToolCommand *cmd;

    fprintf(out, _("Usage: virt-gmem COMMAND [OPTIONS] [ARGS]\n\n"
                   "A libvirt-style QEMU driver that speaks guest_memfd.\n\n"
                   "Commands:\n"));
    for (t = 0; t < G_N_ELEMENTS(vgmToolTables); t++) {
        for (cmd = vgmToolTables[t]; cmd->name; cmd++)
            fprintf(out, "  %-18s %s\n", cmd->name, _(cmd->summary));
    }
    fprintf(out, _("\nRun 'virt-gmem COMMAND --help' for the options of a command.\n"));
}

int
main(int argc, char **argv)
{
    const VgmToolCommand *cmd;

    vgmI18nInit();
    /* like virsh -c, the root may come before the command */
    while (argc >= 2 && g_str_has_prefix(argv[1], "--root")) {
        if (g_str_has_prefix(argv[1], "--root=")) {
            g_setenv("VIRT_GMEM_ROOT", argv[1] + strlen("--root="), TRUE);
            argc--;
            argv++;
        } else if (g_str_equal(argv[1], "--root") && argc >= 3) {
            g_setenv("VIRT_GMEM_ROOT", argv[2], TRUE);
            argc -= 2;
            argv += 2;
        } else {
            break;
        }
    }
    if (argc < 2) {
        vgmToolUsage(stderr);
        return 1;
    }
    if (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h") ||
        g_str_equal(argv[1], "help")) {
        vgmToolUsage(stdout);
        return 0;
    }
    if (g_str_equal(argv[1], "--version")) {
        printf("virt-gmem %s\n", VERSION);
        return 0;
    }
    if (!(cmd = vgmToolFind(argv[1]))) {
        g_autofree char *name = vgmErrorEscape(argv[1]);

        fprintf(stderr, _("error: unknown command '%1$s'\n"), name);
        vgmToolUsage(stderr);
        return 1;
    }
    return cmd->run(argc - 1, argv + 1);
}
