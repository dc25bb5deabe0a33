/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_update.c: live update, replacing a running domain's QEMU with a
 * new process (of the same or another binary) that takes the guest over
 * with its memory, through QEMU's cpr-transfer migration mode.
 *
 * The old QEMU hands the memory-backend fds to the new one over the "cpr"
 * channel and then sends the device state over the main channel; guest RAM
 * is not copied. The new QEMU runs with -S, so after the transfer it waits
 * paused until its backends have been checked against the plan, as a start
 * does.
 *
 * The status file says at every moment which QEMU owns the guest: its own
 * QEMU fields name the owner, and an "update" record names the other
 * process. Until the switch, the owner is the old QEMU and the record an
 * "incoming" one; the switch is one atomic save that makes the new QEMU
 * the owner and the old one "retiring". A tool killed at any point leaves
 * a status from which the next command under the domain lock
 * (vgmDriverUpdateRecover) ends the process that does not own the guest
 * and lets the owner run if the guest ran before. Before the switch the
 * new QEMU has not run the guest, so the old one can always go on.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "driver_update.h"
#include "driver_domain.h"
#include "driver_cgroup.h"
#include "driver_process.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_command.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"
#include "driver_graphics.h"
#include "driver_net.h"
#include "driver_tpm.h"

/* The transfer moves device state only; this bounds it generously. */
#define VGM_DRIVER_UPDATE_TIMEOUT_MS 60000
/* How much of the new QEMU's log a failure quotes. */
#define VGM_DRIVER_UPDATE_LOG_TAIL 2000

typedef struct {
    const VgmDriverStore *store;
    VgmDriverStatus *status;        /* the domain's; saved at each step */
    const VgmDomainDef *def;        /* the live definition */
    const char *step;               /* N_(): what is being done */
    VgmQemuCaps *caps;              /* the new binary's */
    VgmQemuCmd *cmd;
    VgmQemuPlan *plan;
    char *cprPath;
    char *migPath;
    GSubprocess *proc;              /* the new QEMU */
    VgmQemuMonitor *oldMon;
    VgmQemuMonitor *newMon;
    char *liveXML;                  /* the live XML once the new QEMU runs */
    gint64 stoppedAt;               /* the old QEMU's STOP event, us, or -1 */
    gint64 pauseUs;                 /* STOP to the new QEMU's RESUME, or -1 */
    goffset logOffset;
    gboolean migrating;             /* 'migrate' was accepted */
    VgmDriverCgroup *cgroup;        /* the domain's resource controls */
    VgmDriverGraphicsPorts *ports;  /* the new QEMU's VNC and SPICE ports */
    VgmBitmap *autoCpus;            /* numad's CPUs for <vcpu placement='auto'> */
    GPtrArray *netOpens;            /* VgmDriverNetOpen: the taps taken over */
    GArray *passFds;                /* VgmDriverPassFd: their fds for the new QEMU */
    GArray *listens;                /* VgmDriverPassFd: the running QEMU's listening
                                     * sockets the new one takes over (fd: in
                                     * the running QEMU) */
} VgmDriverUpdate;

static void
vgmDriverUpdateClear(VgmDriverUpdate *u)
{
    vgmQemuCapsFree(u->caps);
    vgmQemuCmdFree(u->cmd);
    vgmQemuPlanFree(u->plan);
    g_free(u->cprPath);
    g_free(u->migPath);
    g_free(u->liveXML);
    vgmBitmapFree(u->autoCpus);
    g_clear_object(&u->proc);
    vgmQemuMonitorFree(u->oldMon);
    vgmQemuMonitorFree(u->newMon);
    vgmDriverCgroupFree(u->cgroup);
    vgmDriverGraphicsPortsFree(u->ports);
    g_clear_pointer(&u->netOpens, g_ptr_array_unref);
    g_clear_pointer(&u->passFds, vgmDriverPassFdsFree);
    g_clear_pointer(&u->listens, g_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmDriverUpdate, vgmDriverUpdateClear)

/* The path next to @current named @a, or @b when @current is @a: the two
 * processes of an update never share a pidfile or a monitor socket. */
static char *
vgmDriverUpdateOtherPath(const char *current, const char *a, const char *b)
{
    g_autofree char *dir = g_path_get_dirname(current);
    g_autofree char *base = g_path_get_basename(current);

    return g_build_filename(dir, g_str_equal(base, a) ? b : a, NULL);
}

/* The swtpm of the QEMU whose monitor is @monitor: the two processes of
 * an update take turns on the names as they do on the monitor's */
static const char *
vgmDriverUpdateTpmBase(const char *monitor)
{
    return g_str_has_suffix(monitor, "/monitor-b.sock") ? "swtpm-b" : "swtpm";
}

/* Points the rendered chardev @id, a unix socket, at @path (with
 * @options after it) */
static gboolean
vgmDriverUpdateSetChardevPath(VgmQemuCmd *cmd, const char *id, const char *path,
                              const char *options, GError **error)
{
    g_autofree char *prefix = g_strdup_printf("socket,id=%s,path=", id);
    g_autofree char *esc = vgmQemuEscapeOptValue(path);
    guint i;

    for (i = 0; i + 1 < cmd->args->len; i++) {
        char **arg = (char **)&g_ptr_array_index(cmd->args, i + 1);

        if (!g_str_equal(g_ptr_array_index(cmd->args, i), "-chardev") ||
            !g_str_has_prefix(*arg, prefix))
            continue;
        g_free(*arg);
        *arg = g_strdup_printf("%s%s%s", prefix, esc, options);
        return TRUE;
    }
    vgmErrorSet(error, VGM_ERR_INTERNAL,
                _("the QEMU command line has no socket chardev '%1$s'"), id);
    return FALSE;
}

/* A unix socket address of a migration channel, as QMP and -incoming
 * take it. */
static JsonObject *
vgmDriverUpdateChannel(const char *type, const char *path)
{
    JsonObject *ch = json_object_new();
    JsonObject *addr = json_object_new();

    json_object_set_string_member(addr, "transport", "socket");
    json_object_set_string_member(addr, "type", "unix");
    json_object_set_string_member(addr, "path", path);
    json_object_set_string_member(ch, "channel-type", type);
    json_object_set_object_member(ch, "addr", addr);
    return ch;
}

static char *
vgmDriverUpdateJSONText(JsonObject *obj)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), obj);

    json_generator_set_root(gen, node);
    return json_generator_to_data(gen, NULL);
}

/* The vCPUs a start plugs (online hotpluggable ones of <vcpus>, at the
 * start or since) go on the new QEMU's command line as -device: QMP
 * comes too late, once the cpr channel's state has come and the devices
 * are made, and the guest's state needs every vCPU. (x86 numbers a vCPU
 * by its place, not by when it came.) */
static void
vgmDriverUpdateColdPlugVcpus(VgmQemuCmd *cmd)
{
    guint i = 0;

    while (cmd->startup && i < cmd->startup->len) {
        JsonObject *exec = g_ptr_array_index(cmd->startup, i);
        JsonObject *args = json_object_get_object_member(exec, "arguments");
        const char *driver = args ? json_object_get_string_member_with_default(args, "driver", "") :
                                    "";

        if (!g_str_equal(json_object_get_string_member(exec, "execute"), "device_add") ||
            !g_str_has_suffix(driver, "-cpu")) {
            i++;
            continue;
        }
        g_ptr_array_add(cmd->args, g_strdup("-device"));
        g_ptr_array_add(cmd->args, vgmDriverUpdateJSONText(args));
        g_ptr_array_remove_index(cmd->startup, i);
    }
}

/* The fds of QEMU process @pid that are TCP sockets listening on @port
 * (its network namespace's /proc/PID/net/tcp and tcp6, then its fds'
 * socket:[INODE] links) */
static GArray *
vgmDriverUpdateListeningFds(pid_t pid, unsigned int port)
{
    static const char *const tables[] = { "tcp", "tcp6" };
    g_autoptr(GHashTable) inodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *fdDir = g_strdup_printf("/proc/%lld/fd", (long long)pid);
    GArray *fds = g_array_new(FALSE, FALSE, sizeof(int));
    g_autoptr(GDir) dir = NULL;
    const char *name;
    size_t t;

    for (t = 0; t < G_N_ELEMENTS(tables); t++) {
        g_autofree char *path = g_strdup_printf("/proc/%lld/net/%s", (long long)pid, tables[t]);
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
            continue;
        lines = g_strsplit(text, "\n", -1);
        for (guint l = 1; lines[l]; l++) {
            unsigned int lport, state;
            unsigned long inode;

            /* sl local_address rem_address st ... uid timeout inode */
            if (sscanf(lines[l], "%*s %*[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %*s %*s %lu",
                       &lport, &state, &inode) == 3 &&
                lport == port && state == 0x0A && inode)
                g_hash_table_add(inodes, g_strdup_printf("socket:[%lu]", inode));
        }
    }
    if (!g_hash_table_size(inodes) || !(dir = g_dir_open(fdDir, 0, NULL)))
        return fds;
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *link = g_build_filename(fdDir, name, NULL);
        g_autofree char *target = g_file_read_link(link, NULL);
        int fd = (int)g_ascii_strtoll(name, NULL, 10);

        if (target && g_hash_table_contains(inodes, target))
            g_array_append_val(fds, fd);
    }
    return fds;
}

/* The TCP ports character devices listen on (a serial console, a
 * channel, an EGD source...): the new QEMU cannot bind the port the running
 * one holds, so it gets the running QEMU's listening socket
 * (-chardev socket,fd=N,server=on), taken at the spawn; the running QEMU's
 * client of it, if any, is dropped when it ends and connects again */
static gboolean
vgmDriverUpdateListens(VgmDriverUpdate *u, GError **error)
{
    GPtrArray *args = u->cmd->args;
    int next = VGM_QEMU_NET_FD_BASE;
    guint i;

    for (i = 0; i < u->netOpens->len; i++) {
        const VgmDriverNetOpen *o = g_ptr_array_index(u->netOpens, i);

        next = MAX(next, o->firstFd + (int)o->queues);
        if (o->firstVhostFd >= 0)
            next = MAX(next, o->firstVhostFd + (int)o->queues);
    }
    u->listens = g_array_new(FALSE, FALSE, sizeof(VgmDriverPassFd));
    for (i = 0; i + 1 < args->len; i++) {
        char **arg = (char **)&g_ptr_array_index(args, i + 1);
        const char *host, *port, *end;
        g_autofree char *id = NULL;
        g_autofree char *portText = NULL;
        g_autoptr(GArray) held = NULL;
        guint64 portNum = 0;
        VgmDriverPassFd take;

        if (!g_str_equal(g_ptr_array_index(args, i), "-chardev") ||
            !g_str_has_prefix(*arg, "socket,id=") || !strstr(*arg, ",server=on") ||
            !(host = strstr(*arg, ",host=")) || !(port = strstr(host, ",port=")))
            continue;
        id = g_strndup(*arg + strlen("socket,id="), strcspn(*arg + strlen("socket,id="), ","));
        end = port + strlen(",port=");
        portText = g_strndup(end, strcspn(end, ","));
        end += strlen(portText);
        if (!g_ascii_string_to_unsigned(portText, 10, 1, 65535, &portNum, NULL)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("domain '%1$s' cannot be live-updated: its character device '%2$s' listens on TCP service '%3$s', which is no port number the new QEMU could take over"),
                        u->status->name, id, portText);
            return FALSE;
        }
        held = vgmDriverUpdateListeningFds(u->status->qemu.pid, (unsigned int)portNum);
        if (held->len != 1) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("domain '%1$s' cannot be live-updated: its character device '%2$s' should listen on TCP port %3$u, where the running QEMU (process %4$lld) has %5$u listening sockets, not one"),
                        u->status->name, id, (unsigned int)portNum,
                        (long long)u->status->qemu.pid, held->len);
            return FALSE;
        }
        take.fd = g_array_index(held, int, 0);
        take.target = next++;
        g_array_append_val(u->listens, take);
        {
            g_autofree char *head = g_strndup(*arg, host - *arg);
            char *rewritten = g_strdup_printf("%s,fd=%d%s", head, take.target, end);

            g_free(*arg);
            *arg = rewritten;
        }
    }
    return TRUE;
}

/* The run state QEMU reports, or NULL (with @error). */
static char *
vgmDriverUpdateRunState(VgmQemuMonitor *mon, GError **error)
{
    return vgmDriverProcessQueryStatus(mon, error);
}

/* Sets the migration mode of @mon's QEMU. */
static gboolean
vgmDriverUpdateSetMode(VgmQemuMonitor *mon, const char *mode, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();

    json_object_set_string_member(args, "mode", mode);
    return vgmQemuMonitorCommand(mon, "migrate-set-parameters", args, NULL, error);
}

/* The time (microseconds since the epoch) of the last @name event QEMU
 * sent on @mon so far (QEMU stamps each event), or -1. */
static gint64
vgmDriverUpdateEventTime(VgmQemuMonitor *mon, const char *name)
{
    g_autoptr(GPtrArray) events = vgmQemuMonitorTakeEvents(mon);
    gint64 at = -1;
    guint i;

    for (i = 0; i < events->len; i++) {
        JsonObject *ev = g_ptr_array_index(events, i);
        JsonNode *ts = json_object_get_member(ev, "timestamp");
        JsonObject *t;

        if (g_strcmp0(json_object_get_string_member_with_default(ev, "event", NULL), name) != 0 ||
            !ts || !JSON_NODE_HOLDS_OBJECT(ts))
            continue;
        t = json_node_get_object(ts);
        at = json_object_get_int_member_with_default(t, "seconds", 0) * G_USEC_PER_SEC +
             json_object_get_int_member_with_default(t, "microseconds", 0);
    }
    return at;
}

/* ---- ending the process that does not own the guest ---- */

/* Ends the QEMU an update record names (found through its pidfile and
 * monitor while its pid is not known yet) and removes its files. */
static gboolean
vgmDriverUpdateEndOther(const VgmDriverStatusUpdate *other, GError **error)
{
    g_auto(VgmDriverProcIdent) found = { 0 };
    const VgmDriverProcIdent *qemu = &other->qemu;

    if (qemu->pid <= 0) {
        if (!vgmDriverProcessFind(other->pidfile, other->monitor, &found))
            qemu = NULL;
        else
            qemu = &found;
    }
    if (qemu && !vgmDriverProcessKill(qemu, VGM_DRIVER_KILL_GRACE_MS, error))
        return FALSE;
    g_unlink(other->pidfile);
    g_unlink(other->monitor);
    if (other->events)
        g_unlink(other->events);
    return TRUE;
}

/* With the other QEMU ended: before the switch its swtpm and state copy
 * go; after it the copy is the TPM's state, the old one goes */
static void
vgmDriverUpdateSettleTpm(const VgmDriverStore *store, const VgmDriverStatus *status,
                         const VgmDriverStatusUpdate *other)
{
    g_autoptr(GError) err = NULL;

    if (other->role == VGM_DRIVER_UPDATE_INCOMING) {
        /* (its swtpm may run before the record names its state) */
        vgmDriverTpmDiscard(store, status->name, status->uuid,
                            vgmDriverUpdateTpmBase(other->monitor), other->tpmState);
    } else if (other->tpmState &&
               !vgmDriverTpmAdopt(store, status->name, status->uuid,
                                  vgmDriverUpdateTpmBase(other->monitor), other->tpmState,
                                  &err)) {
        g_printerr(_("warning: domain '%1$s': its TPM's state after the live update could not be made the one in use: %2$s\n"),
                   status->name, err->message);
    }
}

/* Before the switch, with the new QEMU ended: the owner's tap queues as
 * they were before the update attached them, and the new QEMU's start
 * detached some */
static void
vgmDriverUpdateRestoreQueues(const VgmDriverStatus *status, const VgmDriverStatusUpdate *other)
{
    g_autoptr(GError) err = NULL;

    if (!other || other->role != VGM_DRIVER_UPDATE_INCOMING || !other->tapQueues ||
        !vgmDriverProcIdentIsAlive(&status->qemu))
        return;
    if (!vgmDriverNetQueuesSet(other->tapQueues, &status->qemu, FALSE, &err))
        g_printerr(_("warning: domain '%1$s': its taps' queues could not be set back as they were: %2$s\n"),
                   status->name, err->message);
}

/* Lets the owner's vCPUs run when they ran before the update and the
 * transfer stopped them; ends an outgoing migration and its mode. */
static gboolean
vgmDriverUpdateResumeOwner(VgmQemuMonitor *mon, gboolean wasRunning,
                           gboolean outgoing, GError **error)
{
    g_autofree char *state = NULL;

    if (outgoing) {
        gint64 until = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;

        /* nothing to cancel is no error */
        vgmQemuMonitorCommand(mon, "migrate_cancel", NULL, NULL, NULL);
        /* a cancelled migration takes a moment to leave its states */
        while (g_get_monotonic_time() < until) {
            g_clear_pointer(&state, g_free);
            if (!(state = vgmDriverUpdateRunState(mon, error)))
                return FALSE;
            if (!g_str_equal(state, "finish-migrate"))
                break;
            g_usleep(20 * 1000);
        }
        vgmDriverUpdateSetMode(mon, "normal", NULL);
    }
    g_clear_pointer(&state, g_free);
    if (!(state = vgmDriverUpdateRunState(mon, error)))
        return FALSE;
    if (wasRunning && !g_str_equal(state, "running") &&
        !vgmQemuMonitorCommand(mon, "cont", NULL, NULL, error))
        return FALSE;
    return TRUE;
}

gboolean
vgmDriverUpdateRecover(const VgmDriverStore *store, VgmDriverStatus *status,
                       GError **error)
{
    g_autoptr(VgmDriverStatusUpdate) other = g_steal_pointer(&status->update);
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(GError) err = NULL;

    if (!other)
        return TRUE;
    if (!vgmDriverUpdateEndOther(other, error)) {
        status->update = g_steal_pointer(&other);
        return FALSE;
    }
    vgmDriverUpdateRestoreQueues(status, other);
    vgmDriverUpdateSettleTpm(store, status, other);
    /* the owner goes on as before the update; a dead owner is for the
     * caller's refresh to find */
    if (vgmDriverProcIdentIsAlive(&status->qemu) &&
        (mon = vgmDriverProcessConnect(status, VGM_DRIVER_QUERY_TIMEOUT_MS, &err)) &&
        !vgmDriverUpdateResumeOwner(mon, other->wasRunning,
                                    other->role == VGM_DRIVER_UPDATE_INCOMING, &err))
        g_printerr(_("warning: domain '%1$s': after an interrupted live update its QEMU could not be resumed: %2$s\n"),
                   status->name, err->message);
    g_printerr(_("warning: domain '%1$s': a live update was interrupted; QEMU process %2$lld owns the guest\n"),
               status->name, (long long)status->qemu.pid);
    return vgmDriverStoreSaveStatus(store, status, error);
}

/* ---- the update ---- */

/* Fails unless the running QEMU accepts migration mode cpr-transfer;
 * says whether its vCPUs run. */
static gboolean
vgmDriverUpdateCheckOld(VgmDriverUpdate *u, gboolean *running, GError **error)
{
    g_autofree char *state = NULL;
    g_autoptr(GError) err = NULL;

    u->step = N_("asking the running QEMU for cpr-transfer");
    if (!(u->oldMon = vgmDriverProcessConnect(u->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !(state = vgmDriverUpdateRunState(u->oldMon, error)))
        return FALSE;
    if (!g_str_equal(state, "running") && !g_str_equal(state, "paused")) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' cannot be live-updated while its QEMU is in state '%2$s'"),
                    u->status->name, state);
        return FALSE;
    }
    *running = g_str_equal(state, "running");
    if (!vgmDriverUpdateSetMode(u->oldMon, "cpr-transfer", &err)) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("the running QEMU of domain '%1$s' (process %2$lld, '%3$s') cannot hand its memory over: %4$s"),
                    u->status->name, (long long)u->status->qemu.pid,
                    u->status->emulator, err->message);
        return FALSE;
    }
    return TRUE;
}

/* The new QEMU's command line: the domain's for the new binary, its own
 * pidfile and monitor, the two incoming channels. File character devices
 * append: the update is no start, and their output so far stays. */
static gboolean
vgmDriverUpdateBuild(VgmDriverUpdate *u, const char *emulator, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) cpr = NULL;
    g_autofree char *cprArg = NULL;
    g_autofree char *runDir = vgmDriverStoreDomainRunDir(u->store, u->status->name);
    VgmDriverStatusUpdate *other = u->status->update;
    const VgmShmemDef *shm;
    GPtrArray *lists[4];
    g_autoptr(GPtrArray) egds = g_ptr_array_new();
    guint i, j;

    u->step = N_("checking the new QEMU binary");
    if (!(u->caps = vgmQemuCapsCacheLookup(emulator, u->store->cacheDir, error)))
        return FALSE;
    if (!vgmQemuCapsGet(u->caps, VGM_QEMU_CAPS_MIGRATE_CPR_TRANSFER) ||
        !vgmQemuCapsGet(u->caps, VGM_QEMU_CAPS_MACHINE_AUX_RAM_SHARE)) {
        unsigned int v = vgmQemuCapsGetVersion(u->caps);

        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("QEMU binary '%1$s' (version %2$u.%3$u.%4$u) cannot take over a running guest: it lacks %5$s"),
                    emulator, v / 1000000, (v / 1000) % 1000, v % 1000,
                    !vgmQemuCapsGet(u->caps, VGM_QEMU_CAPS_MIGRATE_CPR_TRANSFER) ?
                    _("migration mode 'cpr-transfer'") :
                    _("the machine property 'aux-ram-share'"));
        return FALSE;
    }
    if (!(def = vgmDomainDefParseString(u->status->xml, u->status->log,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)))
        return FALSE;
    /* the new QEMU gives the guest what the running one gives it */
    vgmDriverDomainKeepAsRan(def);
    for (i = 0; i < def->devices.nets->len; i++) {
        VgmNetDef *net = g_ptr_array_index(def->devices.nets, i);

        /* a tap or macvtap the start named: the new QEMU gets the files
         * the running QEMU holds (a second open of a tap by its name
         * fails while the first is held, and a new macvtap queue would
         * take the guest's packets to the stopped QEMU) */
        if (vgmNetTypeHasTap(net->type) && net->ifname)
            net->tapTakenOver = TRUE;
        /* the running QEMU holds the vhost-user connection, or the port
         * its socket netdev listens, connects or sends on */
        if (net->type != VGM_NET_TYPE_USER && !vgmNetTypeHasTap(net->type)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("domain '%1$s' cannot be live-updated: its <interface type='%2$s'> '%3$s' is a connection the running QEMU holds and a new QEMU cannot take over"),
                        u->status->name, vgmNetTypeToString(net->type), net->mac);
            return FALSE;
        }
    }
    /* the new QEMU would open the overlay the running one writes */
    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *d = g_ptr_array_index(def->devices.disks, i);

        if (d->transient) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("domain '%1$s' cannot be live-updated: its transient disk '%2$s' writes to an overlay the running QEMU holds"),
                        u->status->name, d->dst);
            return FALSE;
        }
    }
    /* QEMU blocks the migration of shared memory it is not the master of
     * (and a doorbell's new connection would give the guest a new peer
     * id) */
    if ((shm = vgmDomainDefUnmigratableShmem(def))) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("domain '%1$s' cannot be live-updated: its <shmem name='%2$s'> is not the memory's master (QEMU migrates shared memory only with role='master')"),
                    u->status->name, shm->name);
        return FALSE;
    }
    /* the running QEMU's vhost device holds the guest's vsock address */
    if (def->devices.vsock) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("domain '%1$s' cannot be live-updated: its <vsock> address %2$u is held by the running QEMU's vhost device"),
                    u->status->name, def->devices.vsock->cid);
        return FALSE;
    }
    /* an external emulator serves one connection at a time (the driver's
     * swtpm gets a second instance for the new QEMU) */
    if (def->devices.tpm && def->devices.tpm->externalPath) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("domain '%1$s' cannot be live-updated: its TPM's external emulator serves the running QEMU only"),
                    u->status->name);
        return FALSE;
    }
    /* a running host-model CPU is the named model its start made of it
     * (the live XML says which); one still host-model was started by an
     * older virt-gmem as -cpu host or max, which the new QEMU's named
     * model would not reproduce */
    if (def->cpu && def->cpu->mode == VGM_CPU_MODE_HOST_MODEL) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("domain '%1$s' cannot be live-updated: its running <cpu mode='host-model'> is not recorded as the named model it runs (it was started by an older virt-gmem); restart it once"),
                    u->status->name);
        return FALSE;
    }
    /* the character devices of RNGs' EGD backends count too */
    for (i = 0; i < def->devices.rngs->len; i++) {
        VgmRngDef *rng = g_ptr_array_index(def->devices.rngs, i);
        if (rng->egd)
            g_ptr_array_add(egds, rng->egd);
    }
    lists[0] = def->devices.serials;
    lists[1] = def->devices.channels;
    lists[2] = def->devices.parallels;
    lists[3] = egds;
    for (i = 0; i < G_N_ELEMENTS(lists); i++) {
        for (j = 0; j < lists[i]->len; j++) {
            const VgmChrDef *chr = g_ptr_array_index(lists[i], j);
            const char *what = lists[i] == def->devices.serials ? _("serial port") :
                               lists[i] == def->devices.parallels ? _("parallel port") :
                               lists[i] == egds ? _("RNG's EGD backend") : _("channel");

            /* a host port the running QEMU has open (a parallel port it
             * has claimed) */
            if (chr->type == VGM_CHR_TYPE_DEV) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("domain '%1$s' cannot be live-updated: its %2$s uses host device '%3$s', which the running QEMU holds"),
                            u->status->name, what, chr->path);
                return FALSE;
            }
            /* the new QEMU would bind the UDP port the running one holds
             * (a TCP one it takes over, vgmDriverUpdateListens) */
            if (chr->type == VGM_CHR_TYPE_UDP && chr->bindService) {
                vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                            _("domain '%1$s' cannot be live-updated: its %2$s listens on %3$s %4$s:%5$s, which the running QEMU holds and a new QEMU cannot take over"),
                            u->status->name, what, "UDP", chr->bindHost ? chr->bindHost : "",
                            chr->bindService);
                return FALSE;
            }
        }
    }
    for (i = 0; i < def->devices.graphics->len; i++) {
        VgmGraphicsDef *g = g_ptr_array_index(def->devices.graphics, i);
        gboolean chosen = FALSE;

        /* the running QEMU listens on a port given in the definition;
         * a port the driver chose is chosen again, for the new QEMU */
        if (g->autoport != VGM_TRISTATE_YES && g->havePort && g->port > 0) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("domain '%1$s' cannot be live-updated: its %2$s server listens on port %3$d, which the running QEMU holds (with autoport='yes' the new QEMU gets a port of its own)"),
                        u->status->name, g->type == VGM_GRAPHICS_SPICE ? "SPICE" : "VNC",
                        g->port);
            return FALSE;
        }
        /* a websocket port the start chose is chosen again too */
        for (guint k = 0; u->status->websocketPorts && k < u->status->websocketPorts->len; k++)
            chosen |= g_array_index(u->status->websocketPorts, int, k) == g->websocket;
        if (chosen) {
            g->websocket = -1;
        } else if (g->websocket) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        _("domain '%1$s' cannot be live-updated: its VNC server's websocket listens on port %2$d, which the running QEMU holds"),
                        u->status->name, g->websocket);
            return FALSE;
        }
    }
    if (!(u->ports = vgmDriverGraphicsReservePorts(def, error)))
        return FALSE;
    g_free(def->devices.emulator);
    def->devices.emulator = g_strdup(emulator);
    u->liveXML = vgmDriverDomainLiveXML(def, u->status->machine, NULL, NULL, NULL, NULL);
    g_ptr_array_set_size(egds, 0);
    for (i = 0; i < def->devices.rngs->len; i++) {
        VgmRngDef *rng = g_ptr_array_index(def->devices.rngs, i);
        if (rng->egd)
            g_ptr_array_add(egds, rng->egd);
    }
    lists[0] = def->devices.serials;
    lists[1] = def->devices.consoles;
    lists[2] = def->devices.parallels;
    lists[3] = egds;
    for (i = 0; i < G_N_ELEMENTS(lists); i++) {
        for (j = 0; lists[i] && j < lists[i]->len; j++) {
            VgmChrDef *chr = g_ptr_array_index(lists[i], j);

            if (chr->type == VGM_CHR_TYPE_FILE)
                chr->append = VGM_TRISTATE_YES;
            if (chr->logfile)
                chr->logappend = VGM_TRISTATE_YES;
        }
    }
    /* placement 'auto': numad's advice now, as for a start */
    {
        g_autoptr(VgmBitmap) autoNodes = NULL;

        if (!vgmDriverProcessPlacementAdvice(def, &autoNodes, &u->autoCpus, error))
            return FALSE;
        u->cmd = vgmDriverProcessBuild(u->store, def, u->caps, autoNodes, &u->plan, &err);
    }
    if (!u->cmd) {
        vgmErrorSet(error, err->domain == VGM_ERROR ? err->code : VGM_ERR_CONFIG_UNSUPPORTED,
                    _("QEMU binary '%1$s' cannot run domain '%2$s': %3$s"),
                    emulator, u->status->name, err->message);
        return FALSE;
    }
    vgmDriverUpdateColdPlugVcpus(u->cmd);
    u->netOpens = vgmDriverNetOpens(def, u->plan);
    if (!vgmDriverUpdateListens(u, error))
        return FALSE;
    vgmDriverProcessAdjustCommandLine(u->cmd, other->pidfile, other->events,
                                      u->def->onPoweroff == VGM_DOMAIN_LIFECYCLE_RESTART);
    if (!vgmDriverUpdateSetChardevPath(u->cmd, "charmonitor", other->monitor,
                                       ",server=on,wait=off", error))
        return FALSE;
    if (def->devices.tpm) {
        g_autofree char *sockName = g_strdup_printf("%s.sock",
                                                    vgmDriverUpdateTpmBase(other->monitor));
        g_autofree char *sock = g_build_filename(runDir, sockName, NULL);

        if (!vgmDriverUpdateSetChardevPath(u->cmd, "chrtpm", sock, "", error))
            return FALSE;
    }
    u->cprPath = g_build_filename(runDir, "cpr.sock", NULL);
    u->migPath = g_build_filename(runDir, "migrate.sock", NULL);
    if (!vgmDriverProcessCheckSocketPath(other->monitor, error) ||
        !vgmDriverProcessCheckSocketPath(u->cprPath, error) ||
        !vgmDriverProcessCheckSocketPath(u->migPath, error))
        return FALSE;
    cpr = vgmDriverUpdateChannel("cpr", u->cprPath);
    cprArg = vgmDriverUpdateJSONText(cpr);
    g_ptr_array_add(u->cmd->args, g_strdup("-incoming"));
    g_ptr_array_add(u->cmd->args, g_steal_pointer(&cprArg));
    g_ptr_array_add(u->cmd->args, g_strdup("-incoming"));
    g_ptr_array_add(u->cmd->args, g_strdup_printf("unix:%s", u->migPath));
    other->capsName = g_strdup(vgmQemuCapsGetName(u->caps));
    other->capsVersion = g_strdup_printf("%u.%u.%u", vgmQemuCapsGetVersion(u->caps) / 1000000,
                                         (vgmQemuCapsGetVersion(u->caps) / 1000) % 1000,
                                         vgmQemuCapsGetVersion(u->caps) % 1000);
    return TRUE;
}

/* Waits until the new QEMU listens on @path (its file is there from
 * bind() on, a moment before QEMU listens: a migrate then is refused) */
static gboolean
vgmDriverUpdateWaitListen(VgmDriverUpdate *u, const char *path, gint64 deadline,
                          GError **error)
{
    while (!vgmFileUnixListening(path)) {
        if (!g_subprocess_get_identifier(u->proc)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("the new QEMU exited before it listened on '%1$s'"), path);
            return FALSE;
        }
        if (g_get_monotonic_time() > deadline) {
            vgmErrorSet(error, VGM_ERR_OPERATION_TIMEOUT,
                        _("the new QEMU did not listen on '%1$s' in time"), path);
            return FALSE;
        }
        g_usleep(5 * 1000);
    }
    return TRUE;
}

/* Starts the new QEMU and records its pid. */
static gboolean
vgmDriverUpdateSpawn(VgmDriverUpdate *u, GError **error)
{
    VgmDriverStatusUpdate *other = u->status->update;
    const char *pidStr;

    u->step = N_("starting the new QEMU");
    g_unlink(other->pidfile);
    g_unlink(other->monitor);
    g_unlink(u->cprPath);
    g_unlink(u->migPath);
    /* the new QEMU joins the domain's cgroup, as the old one is in it:
     * until the old one ends, the memory limits cover both */
    if (!(u->cgroup = vgmDriverCgroupNew(u->store, u->def, NULL, error)) ||
        !vgmDriverCgroupCreate(u->cgroup, FALSE, error))
        return FALSE;
    if (!vgmDriverProcessCheckMemlock(u->def, error))
        return FALSE;
    /* the TPM: a swtpm of its own on a copy of the state (the guest's
     * TPM state comes in the migration stream) */
    if (u->def->devices.tpm &&
        !vgmDriverTpmStartCopy(u->store, u->status->name, u->status->uuid, u->def->devices.tpm,
                               vgmDriverUpdateTpmBase(other->monitor), &other->tpmState, error))
        return FALSE;
    /* the taps, taken from the running QEMU while it runs the guest: the
     * new one reads them only once it runs it */
    u->passFds = g_array_new(FALSE, FALSE, sizeof(VgmDriverPassFd));
    if (u->netOpens->len)
        other->tapQueues = vgmDriverTapQueuesNew();
    for (guint i = 0; i < u->netOpens->len; i++) {
        if (!vgmDriverNetTakeFds(g_ptr_array_index(u->netOpens, i), &u->status->qemu,
                                 u->passFds, other->tapQueues, error))
            return FALSE;
    }
    for (guint i = 0; i < u->listens->len; i++) {
        const VgmDriverPassFd *l = &g_array_index(u->listens, VgmDriverPassFd, i);
        VgmDriverPassFd pass = { vgmDriverTakeFd(&u->status->qemu, l->fd,
                                                 _("a listening TCP socket"), error),
                                 l->target };

        if (pass.fd < 0)
            return FALSE;
        g_array_append_val(u->passFds, pass);
    }
    if (!(u->proc = vgmDriverProcessSpawn(u->cmd, u->caps, u->status->log, u->status->name,
                                          vgmDriverCgroupProcsFiles(u->cgroup),
                                          vgmDriverProcessMemlockLimit(u->def), u->passFds,
                                          &u->logOffset, error)))
        return FALSE;
    if (!(pidStr = g_subprocess_get_identifier(u->proc)) ||
        !vgmDriverProcIdentGet((pid_t)g_ascii_strtoll(pidStr, NULL, 10), &other->qemu, error) ||
        !vgmDriverStoreSaveStatus(u->store, u->status, error))
        return FALSE;
    vgmDriverTestPause("update-after-spawn");
    return TRUE;
}

/* The old QEMU sends the guest; waits for the end of the transfer on both
 * sides, the new QEMU's backends checked against the plan. */
static gboolean
vgmDriverUpdateTransfer(VgmDriverUpdate *u, GError **error)
{
    VgmDriverStatusUpdate *other = u->status->update;
    gint64 deadline = g_get_monotonic_time() + (gint64)VGM_DRIVER_UPDATE_TIMEOUT_MS * 1000;
    g_autoptr(JsonObject) args = json_object_new();
    JsonArray *channels = json_array_new();
    g_autoptr(GError) err = NULL;
    gboolean done = FALSE;

    u->step = N_("waiting for the new QEMU to listen");
    if (!vgmDriverUpdateWaitListen(u, u->cprPath, deadline, error))
        return FALSE;

    /* the new QEMU detaches the queues of a multi-queue tap beyond its
     * first as it makes its devices, once the running one has sent the
     * cpr channel's state: a queue the running QEMU detached would fail
     * it. The recording saved, an interruption can set them back. */
    if (other->tapQueues && other->tapQueues->len) {
        u->step = N_("attaching the queues of the taps");
        if (!vgmDriverNetQueuesSet(other->tapQueues, &u->status->qemu, TRUE, error) ||
            !vgmDriverStoreSaveStatus(u->store, u->status, error))
            return FALSE;
        vgmDriverTestPause("update-after-queues");
    }

    u->step = N_("starting the transfer");
    json_array_add_object_element(channels, vgmDriverUpdateChannel("main", u->migPath));
    json_array_add_object_element(channels, vgmDriverUpdateChannel("cpr", u->cprPath));
    json_object_set_array_member(args, "channels", channels);
    if (!vgmQemuMonitorCommand(u->oldMon, "migrate", args, NULL, error))
        return FALSE;
    u->migrating = TRUE;

    u->step = N_("connecting to the new QEMU");
    {
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;

        if (!(u->newMon = vgmQemuMonitorOpen(u->status->update->monitor,
                                             left > 1000 ? (unsigned int)left : 1000, error)))
            return FALSE;
        vgmQemuMonitorSetTimeout(u->newMon, VGM_DRIVER_QUERY_TIMEOUT_MS);
    }

    u->step = N_("transferring the guest");
    while (!done) {
        g_autoptr(JsonNode) ret = NULL;
        const char *st;

        if (!vgmQemuMonitorCommand(u->oldMon, "query-migrate", NULL, &ret, error))
            return FALSE;
        st = JSON_NODE_HOLDS_OBJECT(ret) ?
             json_object_get_string_member_with_default(json_node_get_object(ret), "status", "") : "";
        if (g_str_equal(st, "completed")) {
            done = TRUE;
            /* the vCPUs stopped for the last part of the transfer */
            u->stoppedAt = vgmDriverUpdateEventTime(u->oldMon, "STOP");
        } else if (g_str_equal(st, "failed") || g_str_equal(st, "cancelled")) {
            const char *desc = json_object_get_string_member_with_default(json_node_get_object(ret),
                                                                          "error-desc", NULL);

            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("the running QEMU reports the transfer %1$s: %2$s"),
                        st, desc ? desc : _("no reason given"));
            return FALSE;
        } else if (!g_subprocess_get_identifier(u->proc)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                        _("the new QEMU exited during the transfer"));
            return FALSE;
        } else if (g_get_monotonic_time() > deadline) {
            vgmErrorSet(error, VGM_ERR_OPERATION_TIMEOUT,
                        _("the transfer did not end within %1$u ms (state '%2$s')"),
                        (unsigned int)VGM_DRIVER_UPDATE_TIMEOUT_MS, st);
            return FALSE;
        } else {
            g_usleep(5 * 1000);
        }
    }

    /* the new QEMU has loaded the state once it leaves 'inmigrate' (-S
     * keeps it paused) */
    u->step = N_("waiting for the new QEMU to load the guest");
    for (;;) {
        g_autofree char *state = NULL;

        if (!(state = vgmDriverUpdateRunState(u->newMon, &err))) {
            if (!g_subprocess_get_identifier(u->proc))
                vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, "%s",
                            _("the new QEMU exited while loading the guest"));
            else
                g_propagate_error(error, g_steal_pointer(&err));
            return FALSE;
        }
        if (g_str_equal(state, "paused"))
            break;
        if (!g_str_equal(state, "inmigrate")) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("the new QEMU is in state '%1$s' after the transfer, not 'paused'"),
                        state);
            return FALSE;
        }
        if (g_get_monotonic_time() > deadline) {
            vgmErrorSet(error, VGM_ERR_OPERATION_TIMEOUT, "%s",
                        _("the new QEMU did not finish loading the guest in time"));
            return FALSE;
        }
        g_usleep(5 * 1000);
    }

    u->step = N_("checking the new QEMU's memory backends");
    if (!vgmDriverProcessVerify(u->newMon, u->plan, error))
        return FALSE;
    /* what is not migrated (disk throttling) is set again */
    u->step = N_("setting up the new QEMU's disks");
    if (!vgmDriverProcessRunStartup(u->cmd, u->newMon, TRUE, error) ||
        !vgmDriverProcessReadLive(u->newMon, &u->liveXML, FALSE, error))
        return FALSE;
    u->step = N_("pinning the new QEMU's threads");
    return vgmDriverProcessPin(u->def, u->autoCpus, u->newMon, u->status->update->qemu.pid,
                               error) &&
           vgmDriverCgroupApplyThreads(u->cgroup, u->newMon, u->status->update->qemu.pid,
                                       error);
}

/* Before the switch: the new QEMU goes, the old one runs as before. */
static void
vgmDriverUpdateUndo(VgmDriverUpdate *u)
{
    g_autoptr(VgmDriverStatusUpdate) other = g_steal_pointer(&u->status->update);
    g_autoptr(GError) err = NULL;

    g_clear_pointer(&u->newMon, vgmQemuMonitorFree);
    if (u->proc) {
        g_subprocess_force_exit(u->proc);
        g_subprocess_wait(u->proc, NULL, NULL);
    }
    if (other && !vgmDriverUpdateEndOther(other, &err))
        g_printerr(_("warning: domain '%1$s': %2$s\n"), u->status->name, err->message);
    g_clear_error(&err);
    vgmDriverUpdateRestoreQueues(u->status, other);
    if (other && u->def->devices.tpm)
        vgmDriverTpmDiscard(u->store, u->status->name, u->status->uuid,
                            vgmDriverUpdateTpmBase(other->monitor), other->tpmState);
    if (u->cprPath)
        g_unlink(u->cprPath);
    if (u->migPath)
        g_unlink(u->migPath);
    if (u->oldMon &&
        !vgmDriverUpdateResumeOwner(u->oldMon, other && other->wasRunning, TRUE, &err)) {
        g_printerr(_("warning: domain '%1$s': its QEMU could not be resumed: %2$s\n"),
                   u->status->name, err->message);
        g_clear_error(&err);
    }
    if (!vgmDriverStoreSaveStatus(u->store, u->status, &err))
        g_printerr(_("warning: domain '%1$s': %2$s\n"), u->status->name, err->message);
}

/* The switch: one save makes the new QEMU the owner and the old one the
 * retiring process; then the guest runs on, and the old QEMU goes. */
static gboolean
vgmDriverUpdateSwitch(VgmDriverUpdate *u, GError **error)
{
    VgmDriverStatus *st = u->status;
    VgmDriverStatusUpdate *other = st->update;
    VgmDriverProcIdent tmpIdent;
    char *tmp;
    g_autoptr(GError) err = NULL;
    gboolean ok = TRUE;

    tmpIdent = st->qemu;
    st->qemu = other->qemu;
    other->qemu = tmpIdent;
#define VGM_SWAP(a, b) do { tmp = (a); (a) = (b); (b) = tmp; } while (0)
    VGM_SWAP(st->monitor, other->monitor);
    VGM_SWAP(st->events, other->events);
    VGM_SWAP(st->pidfile, other->pidfile);
    VGM_SWAP(st->emulator, other->emulator);
    VGM_SWAP(st->capsName, other->capsName);
    VGM_SWAP(st->capsVersion, other->capsVersion);
#undef VGM_SWAP
    other->role = VGM_DRIVER_UPDATE_RETIRING;
    st->logOffset = u->logOffset;
    g_free(st->xml);
    st->xml = g_steal_pointer(&u->liveXML);
    g_clear_pointer(&st->websocketPorts, g_array_unref);
    st->websocketPorts = vgmDriverGraphicsWebsocketPorts(u->ports);
    u->step = N_("switching to the new QEMU");
    if (!vgmDriverStoreSaveStatus(u->store, st, error))
        return FALSE;
    vgmDriverTestPause("update-after-switch");

    u->step = N_("resuming the guest on the new QEMU");
    if (other->wasRunning) {
        gint64 resumedAt;

        /* only the RESUME after this cont counts */
        g_ptr_array_unref(vgmQemuMonitorTakeEvents(u->newMon));
        if (!vgmQemuMonitorCommand(u->newMon, "cont", NULL, NULL, &err)) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("the guest of domain '%1$s' is on the new QEMU (process %2$lld) but could not be resumed: %3$s"),
                        st->name, (long long)st->qemu.pid, err->message);
            ok = FALSE;
        } else {
            g_autofree char *state = vgmDriverUpdateRunState(u->newMon, &err);

            /* the guest must run on the new process now */
            if (!state || !g_str_equal(state, "running")) {
                vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                            _("the guest of domain '%1$s' is on the new QEMU (process %2$lld), which is not running after 'cont': %3$s"),
                            st->name, (long long)st->qemu.pid,
                            state ? state : err->message);
                ok = FALSE;
            } else if ((resumedAt = vgmDriverUpdateEventTime(u->newMon, "RESUME")) >= 0 &&
                       u->stoppedAt >= 0 && resumedAt >= u->stoppedAt) {
                u->pauseUs = resumedAt - u->stoppedAt;
            }
        }
    }

    /* the old QEMU ends in order, and removes its pidfile */
    vgmQemuMonitorCommand(u->oldMon, "quit", NULL, NULL, NULL);
    g_clear_pointer(&u->oldMon, vgmQemuMonitorFree);
    g_clear_error(&err);
    if (!vgmDriverUpdateEndOther(other, &err)) {
        g_printerr(_("warning: domain '%1$s': %2$s\n"), st->name, err->message);
        return FALSE;
    }
    if (other->tpmState &&
        !vgmDriverTpmAdopt(u->store, st->name, st->uuid, vgmDriverUpdateTpmBase(other->monitor),
                           other->tpmState, &err)) {
        /* the record stays, for the next command to finish */
        g_printerr(_("warning: domain '%1$s': %2$s\n"), st->name, err->message);
        return FALSE;
    }
    g_unlink(u->cprPath);
    g_unlink(u->migPath);
    g_clear_pointer(&st->update, vgmDriverStatusUpdateFree);
    if (!vgmDriverStoreSaveStatus(u->store, st, ok ? error : NULL))
        return FALSE;
    return ok;
}

gboolean
vgmDriverUpdateRun(const VgmDriverStore *store, VgmDriverStatus *status,
                   const VgmDomainDef *def, const char *emulator,
                   gint64 *pauseUs, GError **error)
{
    g_auto(VgmDriverUpdate) u = { 0 };
    g_autoptr(GError) err = NULL;
    g_autofree char *runDir = vgmDriverStoreDomainRunDir(store, status->name);
    VgmDriverStatusUpdate *other;
    gboolean running = FALSE;

    u.store = store;
    u.status = status;
    u.def = def;
    u.stoppedAt = u.pauseUs = -1;
    if (pauseUs)
        *pauseUs = -1;
    if (!def->mb.liveUpdate) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' cannot be live-updated: it was started without <memoryBacking><liveUpdate/>, so its memory cannot be handed to a new QEMU"),
                    status->name);
        return FALSE;
    }
    if (!emulator)
        emulator = status->emulator;
    if (!g_path_is_absolute(emulator)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the new QEMU binary '%1$s' is not an absolute path"), emulator);
        return FALSE;
    }

    /* everything that can be refused is refused before a process starts */
    other = status->update = g_new0(VgmDriverStatusUpdate, 1);
    other->role = VGM_DRIVER_UPDATE_INCOMING;
    other->updaterPid = getpid();
    other->emulator = g_strdup(emulator);
    other->monitor = vgmDriverUpdateOtherPath(status->monitor, "monitor.sock", "monitor-b.sock");
    {
        g_autofree char *dir = g_path_get_dirname(other->monitor);

        /* the event monitor goes with the command monitor's name */
        other->events = g_build_filename(dir, g_str_has_suffix(other->monitor, "/monitor-b.sock") ?
                                         "events-b.sock" : "events.sock", NULL);
    }
    other->pidfile = status->pidfile ?
        vgmDriverUpdateOtherPath(status->pidfile, "qemu.pid", "qemu-b.pid") :
        g_build_filename(runDir, "qemu-b.pid", NULL);
    if (!vgmDriverUpdateBuild(&u, emulator, &err) ||
        !vgmDriverUpdateCheckOld(&u, &running, &err)) {
        g_clear_pointer(&status->update, vgmDriverStatusUpdateFree);
        if (u.oldMon)
            vgmDriverUpdateSetMode(u.oldMon, "normal", NULL);
        g_propagate_error(error, g_steal_pointer(&err));
        return FALSE;
    }
    other->wasRunning = running;

    /* from the first save on, a killed tool leaves a record of the new
     * QEMU for vgmDriverUpdateRecover */
    if (!vgmDriverStoreSaveStatus(store, status, &err) ||
        !vgmDriverUpdateSpawn(&u, &err) ||
        !vgmDriverUpdateTransfer(&u, &err)) {
        const char *step = u.step;
        g_autofree char *tail = NULL;

        if (u.proc) {
            gint64 until = g_get_monotonic_time() + 500 * 1000;

            /* a closed monitor usually means the new QEMU quit: its log
             * says why */
            while (g_subprocess_get_identifier(u.proc) && g_get_monotonic_time() < until)
                g_usleep(10 * 1000);
            if (!g_subprocess_get_identifier(u.proc))
                tail = vgmFileReadTail(status->log, u.logOffset, VGM_DRIVER_UPDATE_LOG_TAIL);
        }
        vgmDriverUpdateUndo(&u);
        vgmErrorSet(error, err->domain == VGM_ERROR ? err->code : VGM_ERR_OPERATION_FAILED,
                    _("live update of domain '%1$s' failed while %2$s: %3$s%4$s%5$s; the guest runs on QEMU process %6$lld as before"),
                    status->name, _(step), err->message,
                    tail && *tail ? _("; the new QEMU's log: ") : "", tail ? tail : "",
                    (long long)status->qemu.pid);
        return FALSE;
    }
    if (!vgmDriverUpdateSwitch(&u, error))
        return FALSE;
    if (pauseUs)
        *pauseUs = u.pauseUs;
    return TRUE;
}
