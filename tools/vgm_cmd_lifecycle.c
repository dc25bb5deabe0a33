/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vgm_cmd_lifecycle.c: the commands that run domains, with virsh's names,
 * arguments and output: define, undefine, create, start, destroy,
 * shutdown, suspend, resume, domrename, list, dominfo, domstate, domid, domuuid,
 * domname, dumpxml, domcapabilities, capabilities, version. Each is a call
 * of the driver's connection API (driver_conn.h), the one the daemon
 * serves too, and the formatting of its answer.
 *
 * Like virsh run with one command, each prints its result followed by an
 * empty line on stdout, and failures as "error: ..." lines on stderr.
 * Every command takes --root DIR (else $VIRT_GMEM_ROOT, else the system or
 * user directories; see docs/lifecycle.rst).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vgm_tool.h"
#include "host/vgmnodedev.h"
#include "conf/domain_conf.h"
#include "driver/driver_conn.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"
#include "util/vgmxml.h"

static char *vgmCmdRoot;

#define VGM_CMD_ROOT_ENTRY \
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &vgmCmdRoot, \
      N_("Keep domains, state and logs under DIR (default: $VIRT_GMEM_ROOT, else the system or user directories)"), \
      N_("DIR") }

static int vgmCmdOneArg(int argc, char **argv);
static int vgmCmdList(int argc, char **argv);
static int vgmCmdLiveUpdate(int argc, char **argv);
static int vgmCmdDomrename(int argc, char **argv);
static int vgmCmdDumpxml(int argc, char **argv);
static int vgmCmdDomcapabilities(int argc, char **argv);
static int vgmCmdCapabilities(int argc, char **argv);
static int vgmCmdSysinfo(int argc, char **argv);
static int vgmCmdNodedevList(int argc, char **argv);
static int vgmCmdNodedevDumpxml(int argc, char **argv);
static int vgmCmdVersion(int argc, char **argv);

const VgmToolCommand vgmToolLifecycleCommands[] = {
    { "define", "FILE", N_("Define (but do not start) a domain from an XML file."), vgmCmdOneArg },
    { "undefine", "DOMAIN", N_("Remove a domain's persistent config (a running domain keeps running, transient)."), vgmCmdOneArg },
    { "create", "FILE", N_("Start a domain from an XML file without defining it."), vgmCmdOneArg },
    { "start", "DOMAIN", N_("Start a defined domain."), vgmCmdOneArg },
    { "destroy", "DOMAIN", N_("Stop a domain's QEMU at once."), vgmCmdOneArg },
    { "shutdown", "DOMAIN", N_("Ask a domain's guest to power off."), vgmCmdOneArg },
    { "suspend", "DOMAIN", N_("Pause a running domain's vCPUs."), vgmCmdOneArg },
    { "resume", "DOMAIN", N_("Let a paused domain run again."), vgmCmdOneArg },
    { "reboot", "DOMAIN", N_("Ask a domain's guest to power off, then start it again in the same QEMU."), vgmCmdOneArg },
    { "reset", "DOMAIN", N_("Reset a running domain's machine at once, as its reset button."), vgmCmdOneArg },
    { "autostart", "DOMAIN", N_("Mark a persistent domain to start when the daemon starts (first in a boot)."), vgmCmdOneArg },
    { "domrename", "DOMAIN NEWNAME", N_("Rename a shut-off persistent domain."), vgmCmdDomrename },
    { "live-update", "DOMAIN", N_("Replace a running domain's QEMU with a new process that takes its memory over."), vgmCmdLiveUpdate },
    { "list", "", N_("List domains."), vgmCmdList },
    { "dominfo", "DOMAIN", N_("Show basic information about a domain."), vgmCmdOneArg },
    { "domstate", "DOMAIN", N_("Show the state of a domain."), vgmCmdOneArg },
    { "domid", "DOMAIN", N_("Show the id of a running domain."), vgmCmdOneArg },
    { "domuuid", "DOMAIN", N_("Show the uuid of a domain."), vgmCmdOneArg },
    { "domname", "DOMAIN", N_("Show the name of a domain given by id or uuid."), vgmCmdOneArg },
    { "dumpxml", "DOMAIN", N_("Print a domain's XML (the live XML while it runs)."), vgmCmdDumpxml },
    { "domcapabilities", "", N_("Print what domains can use with a QEMU binary on this host."), vgmCmdDomcapabilities },
    { "capabilities", "", N_("Print the host's capabilities."), vgmCmdCapabilities },
    { "sysinfo", "", N_("Print the host's SMBIOS tables (read by dmidecode) as a <sysinfo>."), vgmCmdSysinfo },
    { "nodedev-list", "", N_("List the host's devices (all, or those of the capabilities --cap names)."), vgmCmdNodedevList },
    { "nodedev-dumpxml", "DEVICE", N_("Print a host device's XML."), vgmCmdNodedevDumpxml },
    { "version", "", N_("Print the versions of virt-gmem and QEMU."), vgmCmdVersion },
    { NULL, NULL, NULL, NULL }
};

/* ---- what every command does ---- */

static const VgmToolCommand *
vgmCmdSelf(const char *name)
{
    const VgmToolCommand *cmd;

    for (cmd = vgmToolLifecycleCommands; cmd->name; cmd++) {
        if (g_str_equal(cmd->name, name))
            return cmd;
    }
    g_assert_not_reached();
}

/*
 * The first steps of command argv[0]: parses its options (plus --root),
 * wants exactly @nargs arguments and opens the store. Says why and returns
 * NULL on failure.
 */
static VgmDriver *
vgmCmdBegin(GOptionEntry *entries, int *argc, char ***argv, int nargs)
{
    const VgmToolCommand *cmd = vgmCmdSelf((*argv)[0]);
    GOptionEntry rootOnly[] = { VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL };
    g_autoptr(GError) err = NULL;
    VgmDriver *drv;

    if (!vgmToolParseOptions(cmd, entries ? entries : rootOnly, argc, argv))
        return NULL;
    if (*argc - 1 != nargs) {
        g_autofree char *arg = vgmErrorEscape((*argv)[1]);

        if (nargs == 0)
            fprintf(stderr, _("error: %1$s: unexpected argument '%2$s'\n"),
                    cmd->name, arg);
        else if (nargs == 1)
            fprintf(stderr, _("error: %1$s: expected exactly one %2$s argument\n"),
                    cmd->name, cmd->params);
        else
            fprintf(stderr, _("error: %1$s: expected the arguments %2$s\n"),
                    cmd->name, cmd->params);
        return NULL;
    }
    if (!(drv = vgmDriverNew(vgmCmdRoot, &err)))
        vgmToolError(err);
    return drv;
}

/* Prints a command's result and, as virsh does, an empty line after it.
 * Returns the exit status 0. */
static int vgmCmdDone(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int
vgmCmdDone(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    return 0;
}

/* virsh's one-line failure: "error: failed to get domain 'REF'" when the
 * DOMAIN argument @ref names none, else "error: WHY", WHY worded as
 * libvirt words an error of its code. Then the empty line; returns the
 * exit status 1. */
static int
vgmCmdError(GError *err, const char *ref)
{
    if (ref && g_error_matches(err, VGM_ERROR, VGM_ERR_NO_DOMAIN)) {
        g_autofree char *quoted = vgmErrorEscape(ref);

        fprintf(stderr, _("error: failed to get domain '%1$s'\n"), quoted);
    } else {
        g_autofree char *why = vgmErrorLibvirtMessage(err);

        fprintf(stderr, _("error: %1$s\n"), why);
    }
    printf("\n");
    return 1;
}

/* virsh's two-line failure: what failed (@fmt), then why; vgmCmdError's
 * line for an unknown domain @ref. Returns the exit status 1. */
static int vgmCmdFailed(GError *err, const char *ref, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static int
vgmCmdFailed(GError *err, const char *ref, const char *fmt, ...)
{
    g_autofree char *what = NULL;
    g_autofree char *whatEsc = NULL;
    g_autofree char *why = NULL;
    va_list ap;

    if (ref && g_error_matches(err, VGM_ERROR, VGM_ERR_NO_DOMAIN))
        return vgmCmdError(err, ref);
    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    whatEsc = vgmErrorEscape(what);
    why = vgmErrorLibvirtMessage(err);
    fprintf(stderr, _("error: %1$s\nerror: %2$s\n"), whatEsc, why);
    printf("\n");
    return 1;
}

/* ---- define, create, start ---- */

static gboolean
vgmCmdValidateFile(const char *file, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    g_autofree char *schema = vgmToolSchemaPath();

    if (!(doc = vgmXMLParseFile(file, error)))
        return FALSE;
    /* the rules first, as validate does: they name the rule broken, and
     * their limits keep the schema check (superlinear in libxml2) short */
    if (!(def = vgmDomainDefParseNode(doc, xmlDocGetRootElement(doc), 0, error)))
        return FALSE;
    return vgmXMLValidateRNG(doc, schema, error);
}

static int
vgmCmdDefine(VgmDriver *drv, const char *file, gboolean validate)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GError) err = NULL;

    if ((validate && !vgmCmdValidateFile(file, &err)) ||
        !(dom = vgmDriverDefineXML(drv, NULL, file, &err)))
        return vgmCmdFailed(err, NULL, _("Failed to define domain from %1$s"), file);
    return vgmCmdDone(_("Domain '%1$s' defined from %2$s\n"), dom->name, file);
}

static int
vgmCmdCreate(VgmDriver *drv, const char *file, gboolean paused)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GError) err = NULL;

    if (!(dom = vgmDriverCreateXML(drv, NULL, file, paused ? VGM_CREATE_START_PAUSED : 0, &err)))
        return vgmCmdFailed(err, NULL, _("Failed to create domain from %1$s"), file);
    return vgmCmdDone(_("Domain '%1$s' created from %2$s\n"), dom->name, file);
}

static int
vgmCmdStart(VgmDriver *drv, const char *ref, gboolean paused)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmDriverDomain) started = NULL;
    g_autoptr(GError) err = NULL;

    if (!(dom = vgmDriverLookup(drv, ref, &err)) ||
        !(started = vgmDriverStart(drv, dom->name, paused ? VGM_CREATE_START_PAUSED : 0, &err)))
        return vgmCmdFailed(err, ref, _("Failed to start domain '%1$s'"), ref);
    return vgmCmdDone(_("Domain '%1$s' started\n"), ref);
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
    g_autoptr(VgmDriver) drv = NULL;
    g_autoptr(GPtrArray) shown = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GError) err = NULL;
    unsigned int flags = 0;
    const char *hId = _("Id"), *hName = _("Name"), *hState = _("State");
    glong wId, wName, wState;
    guint i;

    if (!(drv = vgmCmdBegin(entries, &argc, &argv, 0)))
        return 1;
    /* virsh's options as the API's filter: running ones by default, the
     * inactive ones with --inactive, all with --all or a state filter */
    if (stRunning)
        flags |= VGM_LIST_DOMAINS_RUNNING;
    if (stPaused)
        flags |= VGM_LIST_DOMAINS_PAUSED;
    if (stShutoff)
        flags |= VGM_LIST_DOMAINS_SHUTOFF;
    if (stOther)
        flags |= VGM_LIST_DOMAINS_OTHER;
    if (!all && !flags)
        flags |= inactive ? VGM_LIST_DOMAINS_INACTIVE : VGM_LIST_DOMAINS_ACTIVE;
    if (transient != persistent)
        flags |= transient ? VGM_LIST_DOMAINS_TRANSIENT : VGM_LIST_DOMAINS_PERSISTENT;
    if (!(shown = vgmDriverListDomains(drv, flags, &err)))
        return vgmCmdError(err, NULL);

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
        return vgmCmdDone("%s", out->str);
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
    return vgmCmdDone("%s", out->str);
}

/* ---- dominfo, domstate, domid, domuuid, domname, dumpxml ---- */

static void
vgmCmdInfoLine(GString *out, const char *label, const char *value)
{
    g_string_append_printf(out, "%-15s %s\n", label, value);
}

static int
vgmCmdDominfo(VgmDriver *drv, const VgmDriverDomain *dom, gboolean option)
{
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *id = NULL;
    g_autofree char *vcpus = NULL;
    g_autofree char *maxMem = NULL;
    g_autofree char *curMem = NULL;
    VgmDriverDomainInfo info;
    char uuid[37];

    vgmDomainUUIDFormat(dom->uuid, uuid);
    id = dom->id >= 0 ? g_strdup_printf("%d", dom->id) : g_strdup("-");
    vgmDriverGetInfo(dom, &info);
    vcpus = g_strdup_printf("%u", info.nrVirtCpu);
    maxMem = g_strdup_printf(_("%1$llu KiB"), (unsigned long long)info.maxMemKiB);
    curMem = g_strdup_printf(_("%1$llu KiB"), (unsigned long long)info.memoryKiB);

    vgmCmdInfoLine(out, _("Id:"), id);
    vgmCmdInfoLine(out, _("Name:"), dom->name);
    vgmCmdInfoLine(out, _("UUID:"), uuid);
    vgmCmdInfoLine(out, _("OS Type:"), dom->def->os.type ? dom->def->os.type : "hvm");
    vgmCmdInfoLine(out, _("State:"), _(vgmDomainStateTypeToString(dom->state)));
    vgmCmdInfoLine(out, _("CPU(s):"), vcpus);
    if (dom->status) {
        g_autofree char *cpu = g_strdup_printf("%.1lfs", info.cpuTimeNs / 1e9);
        vgmCmdInfoLine(out, _("CPU time:"), cpu);
    }
    vgmCmdInfoLine(out, _("Max memory:"), maxMem);
    vgmCmdInfoLine(out, _("Used memory:"), curMem);
    vgmCmdInfoLine(out, _("Persistent:"), dom->persistent ? _("yes") : _("no"));
    vgmCmdInfoLine(out, _("Autostart:"), vgmDriverGetAutostart(drv, dom) ? _("enable") : _("disable"));
    vgmCmdInfoLine(out, _("Managed save:"), _("no"));
    vgmCmdInfoLine(out, _("Security model:"), "none");
    vgmCmdInfoLine(out, _("Security DOI:"), "0");
    if (dom->status && dom->status->qemu.pid > 0) {
        g_autofree char *pid = g_strdup_printf("%lld", (long long)dom->status->qemu.pid);

        vgmCmdInfoLine(out, _("QEMU process:"), pid);
        vgmCmdInfoLine(out, _("Emulator:"), dom->status->emulator);
    }
    return vgmCmdDone("%s", out->str);
}

static int
vgmCmdDomstate(VgmDriver *drv, const VgmDriverDomain *dom, gboolean reason)
{
    if (reason)
        return vgmCmdDone("%s (%s)\n", _(vgmDomainStateTypeToString(dom->state)), _(dom->reason));
    return vgmCmdDone("%s\n", _(vgmDomainStateTypeToString(dom->state)));
}

static int
vgmCmdDomid(VgmDriver *drv, const VgmDriverDomain *dom, gboolean option)
{
    if (dom->id < 0)
        return vgmCmdDone("-\n");
    return vgmCmdDone("%d\n", dom->id);
}

static int
vgmCmdDomuuid(VgmDriver *drv, const VgmDriverDomain *dom, gboolean option)
{
    char uuid[37];

    vgmDomainUUIDFormat(dom->uuid, uuid);
    return vgmCmdDone("%s\n", uuid);
}

static int
vgmCmdDomname(VgmDriver *drv, const VgmDriverDomain *dom, gboolean option)
{
    return vgmCmdDone("%s\n", dom->name);
}

/* dumpxml DOMAIN [--inactive] [--migratable] [--update-cpu]: virsh's
 * options, each the virDomainGetXMLDesc flag of its name */
static int
vgmCmdDumpxml(int argc, char **argv)
{
    gboolean inactive = FALSE, migratable = FALSE, updateCpu = FALSE;
    GOptionEntry entries[] = {
        { "inactive", 0, 0, G_OPTION_ARG_NONE, &inactive,
          N_("Show the persistent config, not the live XML"), NULL },
        { "migratable", 0, 0, G_OPTION_ARG_NONE, &migratable,
          N_("Show it as a migration's destination takes it: without what the run and the defaults added"),
          NULL },
        { "update-cpu", 0, 0, G_OPTION_ARG_NONE, &updateCpu,
          N_("Show a CPU relative to the host as the CPU it becomes on this host"), NULL },
        VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL
    };
    g_autoptr(VgmDriver) drv = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;

    if (!(drv = vgmCmdBegin(entries, &argc, &argv, 1)))
        return 1;
    /* the tool works on the store as its owner, who reads the configs
     * themselves: graphics passwords included */
    if (!(dom = vgmDriverLookup(drv, argv[1], &err)) ||
        !(xml = vgmDriverGetXMLDesc(drv, dom,
                                    VGM_DOMAIN_XML_SECURE |
                                    (inactive ? VGM_DOMAIN_XML_INACTIVE : 0) |
                                    (migratable ? VGM_DOMAIN_XML_MIGRATABLE : 0) |
                                    (updateCpu ? VGM_DOMAIN_XML_UPDATE_CPU : 0), &err)))
        return vgmCmdError(err, argv[1]);
    return vgmCmdDone("%s", xml);
}

/* ---- the commands with one argument ---- */

/*
 * The commands whose one argument is a FILE or a DOMAIN, with at most one
 * boolean option of their own. Each does one of: @act on the argument;
 * @change the DOMAIN, saying virsh's words @failed or @done (formats of the
 * argument); @show the DOMAIN, looked up.
 */
typedef struct {
    const char *name;
    const char *option;         /* its one boolean option, or NULL */
    const char *optionHelp;     /* N_() */
    unsigned int optionFlags;   /* @change: the API flags the option sets */
    int (*act)(VgmDriver *drv, const char *arg, gboolean option);
    gboolean (*change)(VgmDriver *drv, const char *name, unsigned int flags,
                       GError **error);
    const char *failed;         /* N_() */
    const char *done;           /* N_() */
    const char *doneOption;     /* N_(): with the option given, else @done */
    int (*show)(VgmDriver *drv, const VgmDriverDomain *dom,
                gboolean option);
} VgmCmdOneArg;

/* autostart's --disable, as a flag of the one-argument commands */
#define VGM_CMD_AUTOSTART_DISABLE 1

static gboolean
vgmCmdAutostart(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    return vgmDriverSetAutostart(drv, name, !(flags & VGM_CMD_AUTOSTART_DISABLE), error);
}

static const VgmCmdOneArg vgmCmdOneArgs[] = {
    { .name = "define", .act = vgmCmdDefine,
      .option = "validate", .optionHelp = N_("Also check the XML against the schema") },
    { .name = "undefine", .change = vgmDriverUndefine,
      .option = "nvram", .optionHelp = N_("Also remove the domain's UEFI varstore"),
      .optionFlags = VGM_UNDEFINE_NVRAM,
      .failed = N_("Failed to undefine domain '%1$s'"),
      .done = N_("Domain '%1$s' has been undefined\n") },
    { .name = "create", .act = vgmCmdCreate,
      .option = "paused", .optionHelp = N_("Leave the guest paused after QEMU started") },
    { .name = "start", .act = vgmCmdStart,
      .option = "paused", .optionHelp = N_("Leave the guest paused after QEMU started") },
    { .name = "destroy", .change = vgmDriverDestroy,
      .failed = N_("Failed to destroy domain '%1$s'"),
      .done = N_("Domain '%1$s' destroyed\n") },
    { .name = "shutdown", .change = vgmDriverShutdown,
      .failed = N_("Failed to shutdown domain '%1$s'"),
      .done = N_("Domain '%1$s' is being shutdown\n") },
    { .name = "reboot", .change = vgmDriverReboot,
      .failed = N_("Failed to reboot domain '%1$s'"),
      .done = N_("Domain '%1$s' is being rebooted\n") },
    { .name = "suspend", .change = vgmDriverSuspend,
      .failed = N_("Failed to suspend domain '%1$s'"),
      .done = N_("Domain '%1$s' suspended\n") },
    { .name = "resume", .change = vgmDriverResume,
      .failed = N_("Failed to resume domain '%1$s'"),
      .done = N_("Domain '%1$s' resumed\n") },
    { .name = "reset", .change = vgmDriverReset,
      .failed = N_("Failed to reset domain '%1$s'"),
      .done = N_("Domain '%1$s' was reset\n") },
    { .name = "autostart", .change = vgmCmdAutostart,
      .option = "disable", .optionHelp = N_("Unmark it instead"),
      .optionFlags = VGM_CMD_AUTOSTART_DISABLE,
      .failed = N_("Failed to mark domain '%1$s' as autostarted"),
      .done = N_("Domain '%1$s' marked as autostarted\n"),
      .doneOption = N_("Domain '%1$s' unmarked as autostarted\n") },
    { .name = "dominfo", .show = vgmCmdDominfo },
    { .name = "domstate", .show = vgmCmdDomstate,
      .option = "reason", .optionHelp = N_("Also print the reason for the state") },
    { .name = "domid", .show = vgmCmdDomid },
    { .name = "domuuid", .show = vgmCmdDomuuid },
    { .name = "domname", .show = vgmCmdDomname },
};

static const VgmCmdOneArg *
vgmCmdOneArgFind(const char *name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmCmdOneArgs); i++) {
        if (g_str_equal(vgmCmdOneArgs[i].name, name))
            return &vgmCmdOneArgs[i];
    }
    g_assert_not_reached();
}

static int
vgmCmdOneArg(int argc, char **argv)
{
    const VgmCmdOneArg *c = vgmCmdOneArgFind(argv[0]);
    gboolean option = FALSE;
    GOptionEntry entries[] = {
        { c->option, 0, 0, G_OPTION_ARG_NONE, &option, c->optionHelp, NULL },
        VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL
    };
    g_autoptr(VgmDriver) drv = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GError) err = NULL;

    if (!(drv = vgmCmdBegin(c->option ? entries : entries + 1, &argc, &argv, 1)))
        return 1;
    if (c->act)
        return c->act(drv, argv[1], option);
    if (!(dom = vgmDriverLookup(drv, argv[1], &err)))
        return c->change ? vgmCmdFailed(err, argv[1], _(c->failed), argv[1]) :
                           vgmCmdError(err, argv[1]);
    if (c->change) {
        if (!c->change(drv, dom->name, option ? c->optionFlags : 0, &err))
            return vgmCmdFailed(err, argv[1], _(c->failed), argv[1]);
        return vgmCmdDone(_(option && c->doneOption ? c->doneOption : c->done), argv[1]);
    }
    return c->show(drv, dom, option);
}

/* ---- rename ---- */

static int
vgmCmdDomrename(int argc, char **argv)
{
    g_autoptr(VgmDriver) drv = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GError) err = NULL;

    if (!(drv = vgmCmdBegin(NULL, &argc, &argv, 2)))
        return 1;
    if (!(dom = vgmDriverLookup(drv, argv[1], &err)) ||
        !vgmDriverRename(drv, dom->name, argv[2], 0, &err))
        return vgmCmdFailed(err, argv[1], _("Failed to rename domain '%1$s'"), argv[1]);
    /* (virsh's words) */
    return vgmCmdDone("%s", _("Domain successfully renamed\n"));
}

/* ---- live update ---- */

static int
vgmCmdLiveUpdate(int argc, char **argv)
{
    g_autofree char *emulator = NULL;
    GOptionEntry entries[] = {
        { "emulator", 0, 0, G_OPTION_ARG_FILENAME, &emulator,
          N_("The QEMU binary of the new process (default: the one the domain runs)"), N_("PATH") },
        VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL
    };
    g_autoptr(VgmDriver) drv = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *paused = NULL;
    gint64 pauseUs = -1;

    if (!(drv = vgmCmdBegin(entries, &argc, &argv, 1)))
        return 1;
    if (!(dom = vgmDriverLookup(drv, argv[1], &err)) ||
        !vgmDriverLiveUpdate(drv, dom->name, emulator, 0, &pauseUs, &err))
        return vgmCmdFailed(err, argv[1], _("Failed to live-update domain '%1$s'"), argv[1]);
    g_clear_pointer(&dom, vgmDriverDomainFree);
    if (!(dom = vgmDriverLookup(drv, argv[1], &err)))
        return vgmCmdError(err, argv[1]);
    if (pauseUs >= 0)
        paused = g_strdup_printf(_("; the guest was paused for %1$.1f ms"), pauseUs / 1000.0);
    return vgmCmdDone(_("Domain '%1$s' live-updated: QEMU process %2$lld (%3$s)%4$s\n"),
                      dom->name, (long long)dom->status->qemu.pid, dom->status->emulator,
                      paused ? paused : "");
}

/* ---- capabilities, version ---- */

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
    g_autoptr(VgmDriver) drv = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;

    if (!(drv = vgmCmdBegin(entries, &argc, &argv, 0)))
        return 1;
    if (!(xml = vgmDriverGetDomainCapabilities(drv, emulator, arch, machine, virttype, &err)))
        return vgmCmdError(err, NULL);
    return vgmCmdDone("%s", xml);
}

static int
vgmCmdCapabilities(int argc, char **argv)
{
    g_autoptr(VgmDriver) drv = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;

    if (!(drv = vgmCmdBegin(NULL, &argc, &argv, 0)))
        return 1;
    if (!(xml = vgmDriverGetCapabilities(drv, &err)))
        return vgmCmdError(err, NULL);
    return vgmCmdDone("%s", xml);
}

static int
vgmCmdSysinfo(int argc, char **argv)
{
    g_autoptr(VgmDriver) drv = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;

    if (!(drv = vgmCmdBegin(NULL, &argc, &argv, 0)))
        return 1;
    if (!(xml = vgmDriverGetSysinfo(drv, 0, &err)))
        return vgmCmdError(err, NULL);
    return vgmCmdDone("%s", xml);
}

static int
vgmCmdNodedevList(int argc, char **argv)
{
    g_autofree char *capList = NULL;
    GOptionEntry entries[] = {
        { "cap", 0, 0, G_OPTION_ARG_STRING, &capList,
          N_("Only devices of these capabilities, comma-separated (pci, net, storage, usb_device, ...)"),
          N_("LIST") },
        VGM_CMD_ROOT_ENTRY, G_OPTION_ENTRY_NULL
    };
    g_autoptr(VgmDriver) drv = NULL;
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GError) err = NULL;
    unsigned int flags = 0;
    guint i;

    if (!(drv = vgmCmdBegin(entries, &argc, &argv, 0)))
        return 1;
    if (capList) {
        g_auto(GStrv) caps = g_strsplit(capList, ",", -1);

        for (i = 0; caps[i]; i++) {
            int cap = vgmNodeDevCapTypeFromString(g_strstrip(caps[i]));

            if (cap < 0) {
                g_autofree char *quoted = vgmErrorEscape(caps[i]);

                fprintf(stderr, _("error: nodedev-list: unknown capability '%1$s'\n"), quoted);
                return 1;
            }
            flags |= 1u << cap;
        }
    }
    if (!(names = vgmDriverNodeDeviceListAll(drv, flags, &err)))
        return vgmCmdError(err, NULL);
    for (i = 0; i < names->len; i++)
        printf("%s\n", (const char *)g_ptr_array_index(names, i));
    return vgmCmdDone("%s", "");
}

static int
vgmCmdNodedevDumpxml(int argc, char **argv)
{
    g_autoptr(VgmDriver) drv = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *xml = NULL;

    if (!(drv = vgmCmdBegin(NULL, &argc, &argv, 1)))
        return 1;
    if (!(xml = vgmDriverNodeDeviceGetXML(drv, argv[1], 0, &err)))
        return vgmCmdError(err, NULL);
    return vgmCmdDone("%s", xml);
}

static int
vgmCmdVersion(int argc, char **argv)
{
    g_autoptr(VgmDriver) drv = NULL;
    g_autoptr(GError) err = NULL;
    guint64 v;

    if (!(drv = vgmCmdBegin(NULL, &argc, &argv, 0)))
        return 1;
    printf(_("Compiled against library: virt-gmem %1$s\n"), VERSION);
    printf(_("Using library: virt-gmem %1$s\n"), VERSION);
    printf(_("Using API: QEMU %1$s\n"), VERSION);
    if (!vgmDriverGetVersion(drv, &v, &err)) {
        g_autofree char *why = vgmErrorLibvirtMessage(err);

        printf("\n");
        fprintf(stderr, _("error: failed to get the hypervisor version\nerror: %1$s\n"), why);
        return 1;
    }
    return vgmCmdDone(_("Running hypervisor: QEMU %1$u.%2$u.%3$u\n"),
                      (guint)(v / 1000000), (guint)((v / 1000) % 1000), (guint)(v % 1000));
}
