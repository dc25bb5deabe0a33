/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgm_cmd_domain.c: commands that work on a domain XML file alone:
 * validate and format.
 */
#include "config.h"

#include <stdio.h>

#include "vgm_tool.h"
#include "conf/domain_conf.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"
#include "driver/driver_conn.h"

static const char *
vgmToolOneFile(const VgmToolCommand *cmd, int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, _("error: %1$s: expected exactly one FILE argument\n"), cmd->name);
        return NULL;
    }
    return argv[1];
}

static int vgmCmdValidate(int argc, char **argv);
static int vgmCmdFormat(int argc, char **argv);
static int vgmCmdDomxmlToNative(int argc, char **argv);

const VgmToolCommand vgmToolDomainCommands[] = {
    { "validate", "FILE",
      N_("Check a domain XML file: well-formedness, the schema and the generic rules."),
      vgmCmdValidate },
    { "format", "FILE",
      N_("Print the canonical form of a domain XML file."),
      vgmCmdFormat },
    { "domxml-to-native", "[qemu-argv] DOMAIN.xml",
      N_("Print the QEMU command line for a domain XML file (one shell-quoted line)."),
      vgmCmdDomxmlToNative },
    { NULL, NULL, NULL, NULL }
};

static int
vgmCmdValidate(int argc, char **argv)
{
    const VgmToolCommand *cmd = &vgmToolDomainCommands[0];
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autofree char *schema = NULL;
    const char *file;

    if (!vgmToolParseOptions(cmd, NULL, &argc, &argv) ||
        !(file = vgmToolOneFile(cmd, argc, argv)))
        return 1;
    if (!(doc = vgmXMLParseFile(file, &err)))
        return vgmToolError(err);
    /* the rules first: their messages name the rule broken, while a schema
     * violation can only say where the document stopped matching */
    if (!(def = vgmDomainDefParseNode(doc, xmlDocGetRootElement(doc), 0, &err)))
        return vgmToolError(err);
    schema = vgmToolSchemaPath();
    if (!vgmXMLValidateRNG(doc, schema, &err))
        return vgmToolError(err);
    printf(_("%1$s validates (domain '%2$s')\n"), file, def->name);
    return 0;
}

static int
vgmCmdFormat(int argc, char **argv)
{
    const VgmToolCommand *cmd = &vgmToolDomainCommands[1];
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autofree char *xml = NULL;
    const char *file;

    if (!vgmToolParseOptions(cmd, NULL, &argc, &argv) ||
        !(file = vgmToolOneFile(cmd, argc, argv)))
        return 1;
    if (!(def = vgmDomainDefParseFile(file, 0, &err)))
        return vgmToolError(err);
    xml = vgmDomainDefFormat(def);
    fputs(xml, stdout);
    return 0;
}

static int
vgmCmdDomxmlToNative(int argc, char **argv)
{
    const VgmToolCommand *cmd = &vgmToolDomainCommands[2];
    g_autofree char *capsFile = NULL;
    g_autofree char *emulator = NULL;
    GOptionEntry entries[] = {
        { "qemu-caps", 0, 0, G_OPTION_ARG_FILENAME, &capsFile,
          N_("translate for the QEMU described by this capability file"), N_("FILE") },
        { "emulator", 0, 0, G_OPTION_ARG_FILENAME, &emulator,
          N_("translate for this QEMU binary (probed, then cached)"), N_("PATH") },
        { NULL, 0, 0, 0, NULL, NULL, NULL }
    };
    g_autoptr(GError) err = NULL;
    g_autofree char *line = NULL;
    const char *file;

    if (!vgmToolParseOptions(cmd, entries, &argc, &argv))
        return 1;
    /* virsh spells the format out: accept it */
    if (argc == 3 && g_str_equal(argv[1], "qemu-argv")) {
        argv++;
        argc--;
    } else if (argc == 3) {
        g_autofree char *format = vgmErrorEscape(argv[1]);

        fprintf(stderr, _("error: %1$s: unsupported format '%2$s', only 'qemu-argv'\n"),
                cmd->name, format);
        return 1;
    }
    if (capsFile && emulator) {
        fprintf(stderr, _("error: %1$s: --qemu-caps and --emulator exclude each other\n"),
                cmd->name);
        return 1;
    }
    if (!(file = vgmToolOneFile(cmd, argc, argv)))
        return 1;
    if (!(line = vgmDriverXMLToNative(NULL, "qemu-argv", NULL, file, capsFile, emulator, &err)))
        return vgmToolError(err);
    puts(line);
    return 0;
}
