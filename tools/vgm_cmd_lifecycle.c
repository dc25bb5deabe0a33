/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgm_cmd_lifecycle.c: the commands that run domains, with virsh's names,
 * arguments and output: define, undefine, create, start, destroy,
 * shutdown, list, dominfo, domstate, domid, domuuid, domname, dumpxml,
 * domcapabilities, capabilities, version.
 *
 * Like virsh run with one command, each prints its result followed by an
 * empty line on stdout, and failures as "error: ..." lines on stderr.
 * Every command takes --root DIR (else $VIRT_GMEM_ROOT, else the system or
 * user directories; see docs/lifecycle.rst).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vgm_tool.h"
#include "driver/driver_caps.h"
#include "driver/driver_domain.h"
#include "driver/driver_process.h"
#include "driver/driver_store.h"
#include "qemu/qemu_capabilities.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"

static char *vgmCmdRoot;

#define VGM_CMD_ROOT_ENTRY \
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &vgmCmdRoot, \
      N_("Keep domains, state and logs under DIR (default: $VIRT_GMEM_ROOT, else the system or user directories)"), \
      N_("DIR") }

static int vgmCmdDefine(int argc, char **argv);
static int vgmCmdUndefine(int argc, char **argv);
static int vgmCmdCreate(int argc, char **argv);
static int vgmCmdStart(int argc, char **argv);
static int vgmCmdDestroy(int argc, char **argv);
static int vgmCmdShutdown(int argc, char **argv);
static int vgmCmdList(int argc, char **argv);
static int vgmCmdDominfo(int argc, char **argv);
static int vgmCmdDomstate(int argc, char **argv);
static int vgmCmdDomid(int argc, char **argv);
static int vgmCmdDomuuid(int argc, char **argv);
static int vgmCmdDomname(int argc, char **argv);
static int vgmCmdDumpxml(int argc, char **argv);
static int vgmCmdDomcapabilities(int argc, char **argv);
static int vgmCmdCapabilities(int argc, char **argv);
static int vgmCmdVersion(int argc, char **argv);

const VgmToolCommand vgmToolLifecycleCommands[] = {
    { "define", "FILE", N_("Define (but do not start) a domain from an XML file."), vgmCmdDefine },
    { "undefine", "DOMAIN", N_("Remove a domain's persistent config (a running domain keeps running, transient)."), vgmCmdUndefine },
    { "create", "FILE", N_("Start a domain from an XML file without defining it."), vgmCmdCreate },
    { "start", "DOMAIN", N_("Start a defined domain."), vgmCmdStart },
    { "destroy", "DOMAIN", N_("Stop a domain's QEMU at once."), vgmCmdDestroy },
    { "shutdown", "DOMAIN", N_("Ask a domain's guest to power off."), vgmCmdShutdown },
    { "list", "", N_("List domains."), vgmCmdList },
    { "dominfo", "DOMAIN", N_("Show basic information about a domain."), vgmCmdDominfo },
    { "domstate", "DOMAIN", N_("Show the state of a domain."), vgmCmdDomstate },
    { "domid", "DOMAIN", N_("Show the id of a running domain."), vgmCmdDomid },
    { "domuuid", "DOMAIN", N_("Show the uuid of a domain."), vgmCmdDomuuid },
    { "domname", "DOMAIN", N_("Show the name of a domain given by id or uuid."), vgmCmdDomname },
    { "dumpxml", "DOMAIN", N_("Print a domain's XML (the live XML while it runs)."), vgmCmdDumpxml },
    { "domcapabilities", "", N_("Print what domains can use with a QEMU binary on this host."), vgmCmdDomcapabilities },
    { "capabilities", "", N_("Print the host's capabilities."), vgmCmdCapabilities },
    { "version", "", N_("Print the versions of virt-gmem and QEMU."), vgmCmdVersion },
    { NULL, NULL, NULL, NULL }
};

static const VgmToolCommand *
vgmCmdSelf(int (*run)(int, char **))
{
    const VgmToolCommand *cmd;

    for (cmd = vgmToolLifecycleCommands; cmd->name; cmd++) {
        if (cmd->run == run)
            return cmd;
    }
    g_assert_not_reached();
}

/* Parses the options (plus --root) and wants exactly @nargs arguments. */
static gboolean
vgmCmdParse(int (*run)(int, char **), GOptionEntry *entries, int *argc,
            char ***argv, int nargs)
{
    const VgmToolCommand *cmd = vgmCmdSelf(run);
    GOptionEntry rootOnly[] = { VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL };

    if (!vgmToolParseOptions(cmd, entries ? entries : rootOnly, argc, argv))
        return FALSE;
    if (*argc - 1 != nargs) {
        if (nargs == 0)
            fprintf(stderr, _("error: %1$s: unexpected argument '%2$s'\n"),
                    cmd->name, (*argv)[1]);
        else
            fprintf(stderr, _("error: %1$s: expected exactly one %2$s argument\n"),
                    cmd->name, cmd->params);
        return FALSE;
    }
    return TRUE;
}

static VgmDriverStore *
vgmCmdOpenStore(void)
{
    g_autoptr(GError) err = NULL;
    VgmDriverStore *store;

    if (!(store = vgmDriverStoreOpen(vgmCmdRoot, &err)))
        vgmToolError(err);
    return store;
}

/* virsh's two-line failure: what failed, then why. An unknown domain is
 * virsh's one line "failed to get domain". Returns the exit status. */
static int
vgmCmdFailed(GError *err, const char *ref, const char *what)
{
    if (ref && g_error_matches(err, VGM_ERROR, VGM_ERR_NO_DOMAIN))
        fprintf(stderr, _("error: failed to get domain '%1$s'\n"), ref);
    else
        fprintf(stderr, _("error: %1$s\nerror: %2$s\n"), what, err->message);
    printf("\n");
    return 1;
}

/* Looks @ref up for the read-only commands. */
static VgmDriverDomain *
vgmCmdLookup(VgmDriverStore *store, const char *ref)
{
    g_autoptr(GError) err = NULL;
    VgmDriverDomain *dom;

    if (!(dom = vgmDriverDomainLookup(store, ref, &err))) {
        if (g_error_matches(err, VGM_ERROR, VGM_ERR_NO_DOMAIN))
            fprintf(stderr, _("error: failed to get domain '%1$s'\n"), ref);
        else
            vgmToolError(err);
        printf("\n");
    }
    return dom;
}

/* ---- define, undefine, create, start, destroy, shutdown ---- */

static int
vgmCmdDefine(int argc, char **argv)
{
    gboolean validate = FALSE;
    GOptionEntry entries[] = {
        { "validate", 0, 0, G_OPTION_ARG_NONE, &validate,
          N_("Also check the XML against the schema"), NULL },
        VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL
    };
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *what = NULL;

    if (!vgmCmdParse(vgmCmdDefine, entries, &argc, &argv, 1) ||
        !(store = vgmCmdOpenStore()))
        return 1;
    what = g_strdup_printf(_("Failed to define domain from %1$s"), argv[1]);
    if (validate) {
        g_autoptr(xmlDoc) doc = NULL;
        g_autofree char *schema = vgmToolSchemaPath();

        if (!(doc = vgmXMLParseFile(argv[1], &err)) ||
            !vgmXMLValidateRNG(doc, schema, &err))
            return vgmCmdFailed(err, NULL, what);
    }
    if (!(def = vgmDriverDomainDefine(store, argv[1], &err)))
        return vgmCmdFailed(err, NULL, what);
    printf(_("Domain '%1$s' defined from %2$s\n"), def->name, argv[1]);
    printf("\n");
    return 0;
}

static int
vgmCmdUndefine(int argc, char **argv)
{
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *what = NULL;

    if (!vgmCmdParse(vgmCmdUndefine, NULL, &argc, &argv, 1) ||
        !(store = vgmCmdOpenStore()))
        return 1;
    what = g_strdup_printf(_("Failed to undefine domain '%1$s'"), argv[1]);
    if (!vgmDriverDomainUndefine(store, argv[1], NULL, &err))
        return vgmCmdFailed(err, argv[1], what);
    printf(_("Domain '%1$s' has been undefined\n"), argv[1]);
    printf("\n");
    return 0;
}

static int
vgmCmdCreate(int argc, char **argv)
{
    gboolean paused = FALSE;
    GOptionEntry entries[] = {
        { "paused", 0, 0, G_OPTION_ARG_NONE, &paused,
          N_("Leave the guest paused after QEMU started"), NULL },
        VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL
    };
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *what = NULL;

    if (!vgmCmdParse(vgmCmdCreate, entries, &argc, &argv, 1) ||
        !(store = vgmCmdOpenStore()))
        return 1;
    what = g_strdup_printf(_("Failed to create domain from %1$s"), argv[1]);
    if (!(dom = vgmDriverDomainCreate(store, argv[1],
                                      paused ? VGM_DRIVER_START_PAUSED : 0, &err)))
        return vgmCmdFailed(err, NULL, what);
    printf(_("Domain '%1$s' created from %2$s\n"), dom->name, argv[1]);
    printf("\n");
    return 0;
}

static int
vgmCmdStart(int argc, char **argv)
{
    gboolean paused = FALSE;
    GOptionEntry entries[] = {
        { "paused", 0, 0, G_OPTION_ARG_NONE, &paused,
          N_("Leave the guest paused after QEMU started"), NULL },
        VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL
    };
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *what = NULL;

    if (!vgmCmdParse(vgmCmdStart, entries, &argc, &argv, 1) ||
        !(store = vgmCmdOpenStore()))
        return 1;
    what = g_strdup_printf(_("Failed to start domain '%1$s'"), argv[1]);
    if (!(dom = vgmDriverDomainStart(store, argv[1],
                                     paused ? VGM_DRIVER_START_PAUSED : 0, &err)))
        return vgmCmdFailed(err, argv[1], what);
    printf(_("Domain '%1$s' started\n"), argv[1]);
    printf("\n");
    return 0;
}

static int
vgmCmdDestroy(int argc, char **argv)
{
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *what = NULL;

    if (!vgmCmdParse(vgmCmdDestroy, NULL, &argc, &argv, 1) ||
        !(store = vgmCmdOpenStore()))
        return 1;
    what = g_strdup_printf(_("Failed to destroy domain '%1$s'"), argv[1]);
    if (!vgmDriverDomainDestroy(store, argv[1], NULL, &err))
        return vgmCmdFailed(err, argv[1], what);
    printf(_("Domain '%1$s' destroyed\n"), argv[1]);
    printf("\n");
    return 0;
}

static int
vgmCmdShutdown(int argc, char **argv)
{
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *what = NULL;

    if (!vgmCmdParse(vgmCmdShutdown, NULL, &argc, &argv, 1) ||
        !(store = vgmCmdOpenStore()))
        return 1;
    what = g_strdup_printf(_("Failed to shutdown domain '%1$s'"), argv[1]);
    if (!vgmDriverDomainShutdown(store, argv[1], NULL, &err))
        return vgmCmdFailed(err, argv[1], what);
    printf(_("Domain '%1$s' is being shutdown\n"), argv[1]);
    printf("\n");
    return 0;
}

/* ---- list ---- */

/* Display width of @s (characters; good enough for names). */
static glong
vgmCmdWidth(const char *s)
{
    return g_utf8_validate(s, -1, NULL) ? g_utf8_strlen(s, -1) : (glong)strlen(s);
}

static void
vgmCmdPad(GString *out, const char *s, glong width)
{
    glong w = vgmCmdWidth(s);

    g_string_append(out, s);
    for (; w < width; w++)
        g_string_append_c(out, ' ');
}

static int
vgmCmdList(int argc, char **argv)
{
    gboolean all = FALSE, inactive = FALSE, transient = FALSE, persistent = FALSE;
    gboolean stRunning = FALSE, stPaused = FALSE, stShutoff = FALSE, stOther = FALSE;
    gboolean names = FALSE, uuids = FALSE, ids = FALSE, table = FALSE;
    GOptionEntry entries[] = {
        { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("List inactive and active domains"), NULL },
        { "inactive", 0, 0, G_OPTION_ARG_NONE, &inactive, N_("List inactive domains"), NULL },
        { "transient", 0, 0, G_OPTION_ARG_NONE, &transient, N_("List transient domains"), NULL },
        { "persistent", 0, 0, G_OPTION_ARG_NONE, &persistent, N_("List persistent domains"), NULL },
        { "state-running", 0, 0, G_OPTION_ARG_NONE, &stRunning, N_("List domains in running state"), NULL },
        { "state-paused", 0, 0, G_OPTION_ARG_NONE, &stPaused, N_("List domains in paused state"), NULL },
        { "state-shutoff", 0, 0, G_OPTION_ARG_NONE, &stShutoff, N_("List domains in shutoff state"), NULL },
        { "state-other", 0, 0, G_OPTION_ARG_NONE, &stOther, N_("List domains in other states"), NULL },
        { "name", 0, 0, G_OPTION_ARG_NONE, &names, N_("List domain names only"), NULL },
        { "uuid", 0, 0, G_OPTION_ARG_NONE, &uuids, N_("List uuids only"), NULL },
        { "id", 0, 0, G_OPTION_ARG_NONE, &ids, N_("List domain ids only"), NULL },
        { "table", 0, 0, G_OPTION_ARG_NONE, &table, N_("List table (default)"), NULL },
        VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL
    };
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(GPtrArray) doms = NULL;
    g_autoptr(GPtrArray) shown = g_ptr_array_new();
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GError) err = NULL;
    gboolean anyState;
    const char *hId = _("Id"), *hName = _("Name"), *hState = _("State");
    glong wId, wName, wState;
    guint i;

    if (!vgmCmdParse(vgmCmdList, entries, &argc, &argv, 0) ||
        !(store = vgmCmdOpenStore()))
        return 1;
    if (!(doms = vgmDriverDomainListAll(store, &err))) {
        vgmToolError(err);
        printf("\n");
        return 1;
    }
    anyState = stRunning || stPaused || stShutoff || stOther;
    for (i = 0; i < doms->len; i++) {
        VgmDriverDomain *dom = g_ptr_array_index(doms, i);
        gboolean active = vgmDriverDomainIsActive(dom);

        if (!all && !inactive && !active && !anyState)
            continue;
        if (inactive && !all && active)
            continue;
        if (transient && !persistent && dom->persistent)
            continue;
        if (persistent && !transient && !dom->persistent)
            continue;
        if (anyState &&
            !((stRunning && dom->state == VGM_DOMAIN_STATE_RUNNING) ||
              (stPaused && dom->state == VGM_DOMAIN_STATE_PAUSED) ||
              (stShutoff && dom->state == VGM_DOMAIN_STATE_SHUTOFF) ||
              (stOther && dom->state != VGM_DOMAIN_STATE_RUNNING &&
               dom->state != VGM_DOMAIN_STATE_PAUSED &&
               dom->state != VGM_DOMAIN_STATE_SHUTOFF)))
            continue;
        g_ptr_array_add(shown, dom);
    }

    if (names || uuids || ids) {
        for (i = 0; i < shown->len; i++) {
            VgmDriverDomain *dom = g_ptr_array_index(shown, i);
            char uuid[37];

            vgmDomainUUIDFormat(dom->uuid, uuid);
            if (ids && !vgmDriverDomainIsActive(dom))
                continue;
            if (ids)
                g_string_append_printf(out, "%d", dom->id);
            if (uuids)
                g_string_append_printf(out, "%s%s", ids ? " " : "", uuid);
            if (names)
                g_string_append_printf(out, "%s%s", ids || uuids ? " " : "", dom->name);
            g_string_append_c(out, '\n');
        }
        fputs(out->str, stdout);
        printf("\n");
        return 0;
    }

    wId = vgmCmdWidth(hId);
    wName = vgmCmdWidth(hName);
    wState = vgmCmdWidth(hState);
    for (i = 0; i < shown->len; i++) {
        VgmDriverDomain *dom = g_ptr_array_index(shown, i);
        g_autofree char *id = dom->id >= 0 ? g_strdup_printf("%d", dom->id) : g_strdup("-");

        wId = MAX(wId, vgmCmdWidth(id));
        wName = MAX(wName, vgmCmdWidth(dom->name));
        wState = MAX(wState, vgmCmdWidth(_(vgmDomainStateTypeToString(dom->state))));
    }
    /* virsh's table: one leading blank, three between columns, the last
     * column unpadded, dashes two longer than the widest line */
    g_string_append_c(out, ' ');
    vgmCmdPad(out, hId, wId);
    g_string_append(out, "   ");
    vgmCmdPad(out, hName, wName);
    g_string_append(out, "   ");
    g_string_append(out, hState);
    g_string_append_c(out, '\n');
    for (i = 0; i < (guint)(1 + wId + 3 + wName + 3 + wState + 2); i++)
        g_string_append_c(out, '-');
    g_string_append_c(out, '\n');
    for (i = 0; i < shown->len; i++) {
        VgmDriverDomain *dom = g_ptr_array_index(shown, i);
        g_autofree char *id = dom->id >= 0 ? g_strdup_printf("%d", dom->id) : g_strdup("-");

        g_string_append_c(out, ' ');
        vgmCmdPad(out, id, wId);
        g_string_append(out, "   ");
        vgmCmdPad(out, dom->name, wName);
        g_string_append(out, "   ");
        g_string_append(out, _(vgmDomainStateTypeToString(dom->state)));
        g_string_append_c(out, '\n');
    }
    fputs(out->str, stdout);
    printf("\n");
    return 0;
}

/* ---- dominfo, domstate, domid, domuuid, domname ---- */

static void
vgmCmdInfoLine(const char *label, const char *value)
{
    printf("%-15s %s\n", label, value);
}

static int
vgmCmdDominfo(int argc, char **argv)
{
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autofree char *id = NULL;
    g_autofree char *vcpus = NULL;
    g_autofree char *maxMem = NULL;
    g_autofree char *curMem = NULL;
    char uuid[37];

    if (!vgmCmdParse(vgmCmdDominfo, NULL, &argc, &argv, 1) ||
        !(store = vgmCmdOpenStore()) ||
        !(dom = vgmCmdLookup(store, argv[1])))
        return 1;
    vgmDomainUUIDFormat(dom->uuid, uuid);
    id = dom->id >= 0 ? g_strdup_printf("%d", dom->id) : g_strdup("-");
    vcpus = g_strdup_printf("%u", dom->def->vcpusCurrent ? dom->def->vcpusCurrent : dom->def->vcpus);
    maxMem = g_strdup_printf(_("%1$llu KiB"), dom->def->memory);
    curMem = g_strdup_printf(_("%1$llu KiB"),
                             dom->def->curMemory ? dom->def->curMemory : dom->def->memory);

    vgmCmdInfoLine(_("Id:"), id);
    vgmCmdInfoLine(_("Name:"), dom->name);
    vgmCmdInfoLine(_("UUID:"), uuid);
    vgmCmdInfoLine(_("OS Type:"), dom->def->os.type ? dom->def->os.type : "hvm");
    vgmCmdInfoLine(_("State:"), _(vgmDomainStateTypeToString(dom->state)));
    vgmCmdInfoLine(_("CPU(s):"), vcpus);
    if (dom->status) {
        g_autofree char *cpu = g_strdup_printf("%.1lfs",
                                               vgmDriverProcessCpuTime(dom->status->qemu.pid) / 1e9);
        vgmCmdInfoLine(_("CPU time:"), cpu);
    }
    vgmCmdInfoLine(_("Max memory:"), maxMem);
    vgmCmdInfoLine(_("Used memory:"), curMem);
    vgmCmdInfoLine(_("Persistent:"), dom->persistent ? _("yes") : _("no"));
    vgmCmdInfoLine(_("Autostart:"), _("disable"));
    vgmCmdInfoLine(_("Managed save:"), _("no"));
    vgmCmdInfoLine(_("Security model:"), "none");
    vgmCmdInfoLine(_("Security DOI:"), "0");
    printf("\n");
    return 0;
}

static int
vgmCmdDomstate(int argc, char **argv)
{
    gboolean reason = FALSE;
    GOptionEntry entries[] = {
        { "reason", 0, 0, G_OPTION_ARG_NONE, &reason, N_("Also print the reason for the state"), NULL },
        VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL
    };
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!vgmCmdParse(vgmCmdDomstate, entries, &argc, &argv, 1) ||
        !(store = vgmCmdOpenStore()) ||
        !(dom = vgmCmdLookup(store, argv[1])))
        return 1;
    if (reason)
        printf("%s (%s)\n", _(vgmDomainStateTypeToString(dom->state)), _(dom->reason));
    else
        printf("%s\n", _(vgmDomainStateTypeToString(dom->state)));
    printf("\n");
    return 0;
}

static int
vgmCmdDomid(int argc, char **argv)
{
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!vgmCmdParse(vgmCmdDomid, NULL, &argc, &argv, 1) ||
        !(store = vgmCmdOpenStore()) ||
        !(dom = vgmCmdLookup(store, argv[1])))
        return 1;
    if (dom->id < 0)
        printf("-\n");
    else
        printf("%d\n", dom->id);
    printf("\n");
    return 0;
}

static int
vgmCmdDomuuid(int argc, char **argv)
{
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    char uuid[37];

    if (!vgmCmdParse(vgmCmdDomuuid, NULL, &argc, &argv, 1) ||
        !(store = vgmCmdOpenStore()) ||
        !(dom = vgmCmdLookup(store, argv[1])))
        return 1;
    vgmDomainUUIDFormat(dom->uuid, uuid);
    printf("%s\n\n", uuid);
    return 0;
}

static int
vgmCmdDomname(int argc, char **argv)
{
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!vgmCmdParse(vgmCmdDomname, NULL, &argc, &argv, 1) ||
        !(store = vgmCmdOpenStore()) ||
        !(dom = vgmCmdLookup(store, argv[1])))
        return 1;
    printf("%s\n\n", dom->name);
    return 0;
}

/* ---- XML ---- */

static int
vgmCmdDumpxml(int argc, char **argv)
{
    gboolean inactive = FALSE;
    GOptionEntry entries[] = {
        { "inactive", 0, 0, G_OPTION_ARG_NONE, &inactive, N_("Show the persistent config, not the live XML"), NULL },
        VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL
    };
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;

    if (!vgmCmdParse(vgmCmdDumpxml, entries, &argc, &argv, 1) ||
        !(store = vgmCmdOpenStore()) ||
        !(dom = vgmCmdLookup(store, argv[1])))
        return 1;
    if (!(xml = vgmDriverDomainFormatXML(store, dom, inactive, &err))) {
        vgmToolError(err);
        printf("\n");
        return 1;
    }
    fputs(xml, stdout);
    printf("\n");
    return 0;
}

static int
vgmCmdDomcapabilities(int argc, char **argv)
{
    g_autofree char *virttype = NULL, *emulator = NULL, *arch = NULL, *machine = NULL;
    GOptionEntry entries[] = {
        { "virttype", 0, 0, G_OPTION_ARG_STRING, &virttype, N_("Virtualization type (kvm or qemu)"), N_("TYPE") },
        { "emulatorbin", 0, 0, G_OPTION_ARG_FILENAME, &emulator, N_("Path to the QEMU binary"), N_("PATH") },
        { "emulator", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &emulator, N_("Path to the QEMU binary"), N_("PATH") },
        { "arch", 0, 0, G_OPTION_ARG_STRING, &arch, N_("Guest architecture"), N_("ARCH") },
        { "machine", 0, 0, G_OPTION_ARG_STRING, &machine, N_("Machine type"), N_("MACHINE") },
        VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL
    };
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;

    if (!vgmCmdParse(vgmCmdDomcapabilities, entries, &argc, &argv, 0) ||
        !(store = vgmCmdOpenStore()))
        return 1;
    if (!(xml = vgmDriverDomainCapabilities(store, emulator, arch, machine, virttype, &err))) {
        vgmToolError(err);
        printf("\n");
        return 1;
    }
    fputs(xml, stdout);
    printf("\n");
    return 0;
}

static int
vgmCmdCapabilities(int argc, char **argv)
{
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;

    if (!vgmCmdParse(vgmCmdCapabilities, NULL, &argc, &argv, 0) ||
        !(store = vgmCmdOpenStore()))
        return 1;
    if (!(xml = vgmDriverCapabilities(store, &err))) {
        vgmToolError(err);
        printf("\n");
        return 1;
    }
    fputs(xml, stdout);
    printf("\n");
    return 0;
}

static int
vgmCmdVersion(int argc, char **argv)
{
    g_autoptr(VgmDriverStore) store = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(VgmQemuCaps) caps = NULL;
    g_autofree char *emulator = vgmDriverDefaultEmulator(NULL);

    if (!vgmCmdParse(vgmCmdVersion, NULL, &argc, &argv, 0) ||
        !(store = vgmCmdOpenStore()))
        return 1;
    printf(_("Compiled against library: virt-gmem %1$s\n"), VERSION);
    printf(_("Using library: virt-gmem %1$s\n"), VERSION);
    printf(_("Using API: QEMU %1$s\n"), VERSION);
    if (!(caps = vgmQemuCapsCacheLookup(emulator, store->cacheDir, &err))) {
        printf("\n");
        fprintf(stderr, _("error: failed to get the hypervisor version\nerror: %1$s\n"),
                err->message);
        return 1;
    }
    {
        unsigned int v = vgmQemuCapsGetVersion(caps);

        printf(_("Running hypervisor: QEMU %1$u.%2$u.%3$u\n"),
               v / 1000000, (v / 1000) % 1000, v % 1000);
    }
    printf("\n");
    return 0;
}
