/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_agent.c: libvirt's calls that a running guest's QEMU guest agent
 * answers: the guest's time, file system freeze and thaw, trim, its file
 * systems, disks, users, OS, time zone and host name, its interfaces'
 * addresses, a user's password, a shutdown or reboot by the guest itself,
 * and any agent command (virDomainQemuAgentCommand).
 *
 * Each call connects to the socket QEMU listens on for the guest's
 * org.qemu.guest_agent.0 port (qemu/qemu_agent.c), syncs and runs its
 * commands; no domain lock is held meanwhile, since an agent may take as
 * long as it likes (libvirt's default timeout is to wait). Whether the
 * guest has the port open is asked of QEMU (query-chardev's frontend-open),
 * which the embedded driver and the daemon both can.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "driver_agent.h"
#include "driver_domain.h"
#include "driver_network.h"
#include "driver_process.h"
#include "qemu/qemu_alias.h"
#include "util/vgmerror.h"
#include "util/vgmbitmap.h"
#include "util/vgmi18n.h"

/* virDomainSetTime's and virDomainSetUserPassword's flags */
#define VGM_DOMAIN_TIME_SYNC (1u << 0)
#define VGM_DOMAIN_PASSWORD_ENCRYPTED (1u << 0)
/* virDomainGetHostname's */
#define VGM_DOMAIN_GET_HOSTNAME_LEASE (1u << 0)
#define VGM_DOMAIN_GET_HOSTNAME_AGENT (1u << 1)

/* How long guest-shutdown's error reply is waited for, in seconds (none
 * comes when the guest goes down) */
#define VGM_DRIVER_AGENT_SHUTDOWN_WAIT 5

/* The index of @def's guest agent channel, -1 when it has none */
static int
vgmDriverAgentChannel(const VgmDomainDef *def)
{
    guint i;

    for (i = 0; i < def->devices.channels->len; i++) {
        const VgmChrDef *chr = g_ptr_array_index(def->devices.channels, i);

        if (g_strcmp0(chr->targetName, VGM_GUEST_AGENT_PORT) == 0 && !chr->fwdAddress)
            return (int)i;
    }
    return -1;
}

/* Whether the guest has the port of channel @idx of running @dom open */
static gboolean
vgmDriverAgentPortOpen(VgmDriverDomain *dom, int idx, gboolean *open, GError **error)
{
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonObject) chardev = NULL;
    g_autofree char *id = vgmQemuListDeviceId(dom->def, VGM_QEMU_ALIAS_CHANNEL, (guint)idx);
    g_autofree char *label = g_strdup_printf("char%s", id);

    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmQemuMonitorQueryFind(mon, "query-chardev", "label", label, &chardev, error))
        return FALSE;
    if (!chardev) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("QEMU of domain '%1$s' has no character device '%2$s' for the guest agent"),
                    dom->name, label);
        return FALSE;
    }
    *open = json_object_get_boolean_member_with_default(chardev, "frontend-open", FALSE);
    return TRUE;
}

/* A connection to a domain's agent, held for one call */
typedef struct {
    GMutex *lock;               /* the domain's agent mutex, held */
    VgmDriverDomain *dom;       /* with its live definition */
    int channel;                /* the agent channel's index */
    VgmQemuAgent *agent;
    int timeout;                /* the domain's agent timeout */
} VgmDriverAgentConn;

static void
vgmDriverAgentConnFree(VgmDriverAgentConn *c)
{
    if (!c)
        return;
    vgmQemuAgentFree(c->agent);
    if (c->lock)
        g_mutex_unlock(c->lock);
    vgmDriverDomainFree(c->dom);
    g_free(c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverAgentConn, vgmDriverAgentConnFree)

/* Running domain @name with its live definition, the index of its agent
 * channel and that channel, checked in libvirt's order: running, then an
 * agent configured, then the guest's port open (@open NULL: not asked) */
static VgmDriverDomain *
vgmDriverAgentDomain(VgmDriver *drv, const char *name, int *channel, gboolean *open,
                     GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    const VgmChrDef *chr;

    if (!(dom = vgmDriverLookupByNameFlags(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return NULL;
    if (!vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("domain '%1$s' is not running"),
                    dom->name);
        return NULL;
    }
    if (dom->state != VGM_DOMAIN_STATE_RUNNING) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is not running (it is %2$s): its guest agent cannot answer"),
                    dom->name, _(vgmDomainStateTypeToString(dom->state)));
        return NULL;
    }
    if ((*channel = vgmDriverAgentChannel(dom->def)) < 0) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                    _("domain '%1$s' has no QEMU guest agent: it needs <channel type='unix'> with <target type='virtio' name='%2$s'/>"),
                    dom->name, VGM_GUEST_AGENT_PORT);
        return NULL;
    }
    chr = g_ptr_array_index(dom->def->devices.channels, *channel);
    if (chr->type != VGM_CHR_TYPE_UNIX || g_strcmp0(chr->mode, "bind") != 0 || !chr->path) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("the guest agent channel of domain '%1$s' is not a unix socket QEMU listens on (<channel type='unix'> with <source mode='bind'/>)"),
                    dom->name);
        return NULL;
    }
    if (open && !vgmDriverAgentPortOpen(dom, *channel, open, error))
        return NULL;
    return g_steal_pointer(&dom);
}

/* Whether the guest still has the agent's port open (an error, such as
 * QEMU gone, is no) */
static gboolean
vgmDriverAgentAlive(gpointer data)
{
    VgmDriverAgentConn *c = data;
    gboolean open = FALSE;

    return vgmDriverAgentPortOpen(c->dom, c->channel, &open, NULL) && open;
}

/* The connected, synced agent of running domain @name, its mutex held */
static VgmDriverAgentConn *
vgmDriverAgentOpen(VgmDriver *drv, const char *name, GError **error)
{
    g_autoptr(VgmDriverAgentConn) c = g_new0(VgmDriverAgentConn, 1);
    const VgmChrDef *chr;
    gboolean open = FALSE;

    c->lock = vgmDriverDomainSideMutex(drv, "agent", name);
    g_mutex_lock(c->lock);
    if (!(c->dom = vgmDriverAgentDomain(drv, name, &c->channel, &open, error)))
        return NULL;
    if (!open) {
        vgmErrorSet(error, VGM_ERR_AGENT_UNRESPONSIVE,
                    _("guest agent is not responding: the guest of domain '%1$s' has not opened the agent's port (is qemu-ga running?)"),
                    c->dom->name);
        return NULL;
    }
    chr = g_ptr_array_index(c->dom->def->devices.channels, c->channel);
    c->timeout = c->dom->status->agentTimeout;
    if (!(c->agent = vgmQemuAgentOpen(chr->path, c->timeout, error)))
        return NULL;
    vgmQemuAgentSetAlive(c->agent, vgmDriverAgentAlive, c);
    return g_steal_pointer(&c);
}

gboolean
vgmDriverAgentRun(VgmDriver *drv, const char *name, const char *cmd, JsonObject *args,
                  JsonNode **ret, VgmDriverDomain **dom, GError **error)
{
    g_autoptr(VgmDriverAgentConn) c = NULL;

    if (!(c = vgmDriverAgentOpen(drv, name, error)) ||
        !vgmQemuAgentCommand(c->agent, cmd, args, c->timeout, ret, error))
        return FALSE;
    if (dom)
        *dom = g_steal_pointer(&c->dom);
    return TRUE;
}

gboolean
vgmDriverAgentConnected(VgmDriver *drv, const char *name)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    gboolean open = FALSE;
    int channel;

    return (dom = vgmDriverAgentDomain(drv, name, &channel, &open, NULL)) && open;
}

gboolean
vgmDriverAgentShutdown(VgmDriver *drv, const char *name, gboolean reboot, GError **error)
{
    g_autoptr(VgmDriverAgentConn) c = NULL;
    g_autoptr(JsonObject) args = json_object_new();

    json_object_set_string_member(args, "mode", reboot ? "reboot" : "powerdown");
    return (c = vgmDriverAgentOpen(drv, name, error)) &&
           vgmQemuAgentCommandNoReply(c->agent, "guest-shutdown", args,
                                      VGM_DRIVER_AGENT_SHUTDOWN_WAIT, error);
}

/* ---- reading replies ---- */

static void
vgmDriverAgentMalformed(const char *cmd, const char *what, GError **error)
{
    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                _("the guest agent's answer to '%1$s' has no %2$s"), cmd, what);
}

/* @node as an array (NULL with the error when it is not one) */
static JsonArray *
vgmDriverAgentArray(JsonNode *node, const char *cmd, GError **error)
{
    if (node && JSON_NODE_HOLDS_ARRAY(node))
        return json_node_get_array(node);
    vgmDriverAgentMalformed(cmd, _("list"), error);
    return NULL;
}

/* Element @i of @arr as an object (NULL with the error else) */
static JsonObject *
vgmDriverAgentElement(JsonArray *arr, guint i, const char *cmd, GError **error)
{
    JsonNode *n = json_array_get_element(arr, i);

    if (JSON_NODE_HOLDS_OBJECT(n))
        return json_node_get_object(n);
    vgmDriverAgentMalformed(cmd, _("object in its list"), error);
    return NULL;
}

/* @obj's string member @name, NULL when absent or not a string */
static const char *
vgmDriverAgentString(JsonObject *obj, const char *name)
{
    JsonNode *n = obj ? json_object_get_member(obj, name) : NULL;

    if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

/* @obj's number member @name into *@v, when it is one from 0 to 2^63
 * (the guest's word: anything else is no such number) */
static gboolean
vgmDriverAgentNumber(JsonObject *obj, const char *name, double *v)
{
    JsonNode *n = obj ? json_object_get_member(obj, name) : NULL;
    GType t;

    if (!n || !JSON_NODE_HOLDS_VALUE(n))
        return FALSE;
    t = json_node_get_value_type(n);
    if (t == G_TYPE_INT64)
        *v = (double)json_node_get_int(n);
    else if (t == G_TYPE_DOUBLE)
        *v = json_node_get_double(n);
    else
        return FALSE;
    return isfinite(*v) && *v >= 0 && *v < 9.2e18;
}

/* The same, an integer */
static gboolean
vgmDriverAgentInt(JsonObject *obj, const char *name, gint64 *v)
{
    JsonNode *n = obj ? json_object_get_member(obj, name) : NULL;

    if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
        return FALSE;
    *v = json_node_get_int(n);
    return TRUE;
}

/* ---- the calls ---- */

char *
vgmDriverAgentCommand(VgmDriver *drv, const char *name, const char *request, int timeout,
                      unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverAgentConn) c = NULL;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return NULL;
    if (timeout < VGM_QEMU_AGENT_TIMEOUT_BLOCK) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("guest agent timeout %1$d is below -2 (-2 waits, -1 is the default, 0 does not wait)"),
                    timeout);
        return NULL;
    }
    /* the driver no longer vouches for the guest's state (libvirt's
     * taint, whether the command works or not) */
    vgmDriverTaint(drv, name, VGM_DRIVER_TAINT_CUSTOM_GA_COMMAND);
    if (!(c = vgmDriverAgentOpen(drv, name, error)))
        return NULL;
    /* (this call's default, -1, is 5 seconds, as libvirt's) */
    return vgmQemuAgentCommandText(c->agent, request, timeout, error);
}

gboolean
vgmDriverGetTime(VgmDriver *drv, const char *name, gint64 *seconds, unsigned int *nseconds,
                 unsigned int flags, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    gint64 ns;

    if (!vgmDriverCheckFlags(flags, 0, error) ||
        !vgmDriverAgentRun(drv, name, "guest-get-time", NULL, &ret, NULL, error))
        return FALSE;
    if (!JSON_NODE_HOLDS_VALUE(ret) || json_node_get_value_type(ret) != G_TYPE_INT64) {
        vgmDriverAgentMalformed("guest-get-time", _("number of nanoseconds"), error);
        return FALSE;
    }
    ns = json_node_get_int(ret);
    *seconds = ns / 1000000000;
    *nseconds = (unsigned int)(ns % 1000000000);
    if (ns < 0 && *nseconds) {
        *seconds -= 1;
        *nseconds = (unsigned int)(ns % 1000000000 + 1000000000);
    }
    return TRUE;
}

gboolean
vgmDriverSetTime(VgmDriver *drv, const char *name, gint64 seconds, unsigned int nseconds,
                 unsigned int flags, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_TIME_SYNC, error))
        return FALSE;
    /* with SYNC the guest reads its clock from its RTC; else the time given */
    if (!(flags & VGM_DOMAIN_TIME_SYNC)) {
        if (nseconds >= 1000000000) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("%1$u nanoseconds are a second or more"), nseconds);
            return FALSE;
        }
        if (seconds > G_MAXINT64 / 1000000000 - 1 || seconds < G_MININT64 / 1000000000 + 1) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("time %1$" G_GINT64_FORMAT " s is out of the guest agent's range"),
                        seconds);
            return FALSE;
        }
        json_object_set_int_member(args, "time", seconds * 1000000000 + nseconds);
    }
    if (!vgmDriverAgentRun(drv, name, "guest-set-time",
                           (flags & VGM_DOMAIN_TIME_SYNC) ? NULL : args, NULL, &dom, error))
        return FALSE;
    /* as libvirt does on x86 (the only QEMU with the command): the RTC's
     * missed ticks are not to be delivered after the clock moved */
    if (g_strcmp0(dom->def->os.arch, "x86_64") != 0 && g_strcmp0(dom->def->os.arch, "i686") != 0)
        return TRUE;
    return (mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) &&
           vgmQemuMonitorCommand(mon, "rtc-reset-reinjection", NULL, NULL, error);
}

/* guest-fsfreeze-freeze(-list) or -thaw: the count of file systems */
static int
vgmDriverFSFreezeThaw(VgmDriver *drv, const char *name, gboolean freeze,
                      const char *const *mountpoints, guint n, unsigned int flags,
                      GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    const char *cmd = freeze ? "guest-fsfreeze-freeze" : "guest-fsfreeze-thaw";
    guint i;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return -1;
    if (n > 0 && !freeze) {
        /* qemu-ga thaws all or nothing */
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("the guest agent thaws every file system: mount points cannot be named"));
        return -1;
    }
    if (n > 0) {
        JsonArray *arr = json_array_new();

        for (i = 0; i < n; i++)
            json_array_add_string_element(arr, mountpoints[i]);
        json_object_set_array_member(args, "mountpoints", arr);
        cmd = "guest-fsfreeze-freeze-list";
    }
    if (!vgmDriverAgentRun(drv, name, cmd, n > 0 ? args : NULL, &ret, NULL, error))
        return -1;
    if (!JSON_NODE_HOLDS_VALUE(ret) || json_node_get_value_type(ret) != G_TYPE_INT64) {
        vgmDriverAgentMalformed(cmd, _("count of file systems"), error);
        return -1;
    }
    return (int)CLAMP(json_node_get_int(ret), 0, G_MAXINT);
}

int
vgmDriverFSFreeze(VgmDriver *drv, const char *name, const char *const *mountpoints, guint n,
                  unsigned int flags, GError **error)
{
    return vgmDriverFSFreezeThaw(drv, name, TRUE, mountpoints, n, flags, error);
}

int
vgmDriverFSThaw(VgmDriver *drv, const char *name, const char *const *mountpoints, guint n,
                unsigned int flags, GError **error)
{
    return vgmDriverFSFreezeThaw(drv, name, FALSE, mountpoints, n, flags, error);
}

gboolean
vgmDriverFSTrim(VgmDriver *drv, const char *name, const char *mountPoint, guint64 minimum,
                unsigned int flags, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();

    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    if (mountPoint) {
        /* qemu-ga trims every file system */
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                    _("the guest agent trims every file system: mount point '%1$s' cannot be named"),
                    mountPoint);
        return FALSE;
    }
    if (minimum > G_MAXINT64) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("trim minimum %1$" G_GUINT64_FORMAT " is too large"), minimum);
        return FALSE;
    }
    if (minimum)
        json_object_set_int_member(args, "minimum", (gint64)minimum);
    return vgmDriverAgentRun(drv, name, "guest-fstrim", args, NULL, NULL, error);
}

/* The disk of @def at the guest's address @addr (guest-get-fsinfo's and
 * guest-get-disks' "address"), as libvirt matches them: a virtio disk by
 * its PCI address, a disk on a controller by the controller's PCI address
 * and the disk's bus, target and unit; NULL when none matches */
static const VgmDiskDef *
vgmDriverAgentDisk(const VgmDomainDef *def, JsonObject *addr)
{
    JsonNode *pn = addr ? json_object_get_member(addr, "pci-controller") : NULL;
    JsonObject *pci = pn && JSON_NODE_HOLDS_OBJECT(pn) ? json_node_get_object(pn) : NULL;
    gint64 dom, bus, slot, fn, dbus = 0, target = 0, unit = 0;
    const char *busType = vgmDriverAgentString(addr, "bus-type");
    guint i, j;

    if (!pci || !vgmDriverAgentInt(pci, "domain", &dom) || !vgmDriverAgentInt(pci, "bus", &bus) ||
        !vgmDriverAgentInt(pci, "slot", &slot) || !vgmDriverAgentInt(pci, "function", &fn))
        return NULL;
    vgmDriverAgentInt(addr, "bus", &dbus);
    vgmDriverAgentInt(addr, "target", &target);
    vgmDriverAgentInt(addr, "unit", &unit);
    for (i = 0; i < def->devices.disks->len; i++) {
        const VgmDiskDef *disk = g_ptr_array_index(def->devices.disks, i);
        const VgmDeviceAddress *a = &disk->addr;

        if (a->type == VGM_ADDRESS_PCI) {
            if (g_strcmp0(busType, "virtio") == 0 && a->domain == dom && a->bus == bus &&
                a->slot == slot && a->function == fn)
                return disk;
            continue;
        }
        if (a->type != VGM_ADDRESS_DRIVE || a->drivebus != dbus || a->target != target ||
            a->unit != unit)
            continue;
        for (j = 0; j < def->devices.controllers->len; j++) {
            const VgmControllerDef *c = g_ptr_array_index(def->devices.controllers, j);

            if (c->index == a->controller && c->addr.type == VGM_ADDRESS_PCI &&
                g_strcmp0(c->type, vgmDiskBusTypeToString(disk->bus)) == 0 &&
                c->addr.domain == dom && c->addr.bus == bus && c->addr.slot == slot &&
                c->addr.function == fn)
                return disk;
        }
    }
    return NULL;
}

void
vgmDriverFSInfoFree(VgmDriverFSInfo *fs)
{
    if (!fs)
        return;
    g_free(fs->mountpoint);
    g_free(fs->name);
    g_free(fs->fstype);
    g_ptr_array_unref(fs->disks);
    g_free(fs);
}

static void
vgmDriverFSDiskFree(VgmDriverFSDisk *d)
{
    if (!d)
        return;
    g_free(d->alias);
    g_free(d->serial);
    g_free(d->device);
    g_free(d);
}

/* guest-get-fsinfo's answer @ret as VgmDriverFSInfo, in the agent's
 * order, its disks named by @def's targets */
static GPtrArray *
vgmDriverAgentFSInfoRead(JsonNode *ret, const VgmDomainDef *def, GError **error)
{
    const char *cmd = "guest-get-fsinfo";
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverFSInfoFree);
    JsonArray *arr;
    guint i, j;

    if (!(arr = vgmDriverAgentArray(ret, cmd, error)))
        return NULL;
    /* libvirt lists them in mount order, the agent's last first */
    for (i = json_array_get_length(arr); i-- > 0;) {
        JsonObject *o = vgmDriverAgentElement(arr, i, cmd, error);
        JsonNode *dn = o ? json_object_get_member(o, "disk") : NULL;
        g_autoptr(VgmDriverFSInfo) fs = NULL;
        JsonArray *disks;
        double v;

        if (!o)
            return NULL;
        fs = g_new0(VgmDriverFSInfo, 1);
        fs->mountpoint = g_strdup(vgmDriverAgentString(o, "mountpoint"));
        fs->name = g_strdup(vgmDriverAgentString(o, "name"));
        fs->fstype = g_strdup(vgmDriverAgentString(o, "type"));
        fs->disks = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverFSDiskFree);
        if (!fs->mountpoint || !fs->name || !fs->fstype) {
            vgmDriverAgentMalformed(cmd, _("mount point, name or type of a file system"), error);
            return NULL;
        }
        fs->totalBytes = vgmDriverAgentNumber(o, "total-bytes", &v) ? (gint64)v : -1;
        fs->usedBytes = vgmDriverAgentNumber(o, "used-bytes", &v) ? (gint64)v : -1;
        disks = dn && JSON_NODE_HOLDS_ARRAY(dn) ? json_node_get_array(dn) : NULL;
        for (j = 0; disks && j < json_array_get_length(disks); j++) {
            JsonObject *d = vgmDriverAgentElement(disks, j, cmd, error);
            VgmDriverFSDisk *fd;
            const VgmDiskDef *disk;

            if (!d)
                return NULL;
            fd = g_new0(VgmDriverFSDisk, 1);
            if ((disk = vgmDriverAgentDisk(def, d)))
                fd->alias = g_strdup(disk->dst);
            fd->serial = g_strdup(vgmDriverAgentString(d, "serial"));
            fd->device = g_strdup(vgmDriverAgentString(d, "dev"));
            g_ptr_array_add(fs->disks, fd);
        }
        g_ptr_array_add(out, g_steal_pointer(&fs));
    }
    return g_steal_pointer(&out);
}

GPtrArray *
vgmDriverGetFSInfo(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!vgmDriverCheckFlags(flags, 0, error) ||
        !vgmDriverAgentRun(drv, name, "guest-get-fsinfo", NULL, &ret, &dom, error))
        return NULL;
    return vgmDriverAgentFSInfoRead(ret, dom->def, error);
}

gboolean
vgmDriverSetUserPassword(VgmDriver *drv, const char *name, const char *user,
                         const char *password, unsigned int flags, GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    g_autofree char *b64 = NULL;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_PASSWORD_ENCRYPTED, error))
        return FALSE;
    if (!user || !*user || !password) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("setting a guest user's password needs the user's name and the password"));
        return FALSE;
    }
    b64 = g_base64_encode((const guchar *)password, strlen(password));
    json_object_set_string_member(args, "username", user);
    json_object_set_string_member(args, "password", b64);
    json_object_set_boolean_member(args, "crypted", !!(flags & VGM_DOMAIN_PASSWORD_ENCRYPTED));
    return vgmDriverAgentRun(drv, name, "guest-set-user-password", args, NULL, NULL, error);
}

/* virDomainPMSuspendForDuration's targets (libvirt's
 * virNodeSuspendTarget): the guest agent's command and the <pm> element
 * that may forbid it */
static const struct {
    const char *cmd;
    gboolean toMem;             /* S3 (<suspend-to-mem>), else S4 */
} vgmDriverPMTargets[] = {
    { "guest-suspend-ram", TRUE },
    { "guest-suspend-disk", FALSE },
    { "guest-suspend-hybrid", TRUE },  /* to disk, then S3 */
};

gboolean
vgmDriverPMSuspend(VgmDriver *drv, const char *name, unsigned int target,
                   unsigned long long duration, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverAgentConn) c = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;
    JsonObject *obj;
    VgmTristate allowed;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    if (duration) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                    _("a suspend for a duration (%1$llu s) is not supported: the duration must be 0"),
                    duration);
        return FALSE;
    }
    if (target >= G_N_ELEMENTS(vgmDriverPMTargets)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("unknown suspend target %1$u (0 memory, 1 disk, 2 hybrid)"), target);
        return FALSE;
    }
    if (!(c = vgmDriverAgentOpen(drv, name, error)) ||
        !(mon = vgmDriverProcessConnect(c->dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmQemuMonitorCommand(mon, "query-current-machine", NULL, &ret, error))
        return FALSE;
    obj = JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
    if (!obj || !json_object_get_boolean_member_with_default(obj, "wakeup-suspend-support",
                                                             FALSE)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT,
                    _("the machine of domain '%1$s' cannot wake a suspended guest up, so the guest may not suspend"),
                    c->dom->name);
        return FALSE;
    }
    allowed = vgmDriverPMTargets[target].toMem ? c->dom->def->pmSuspendToMem
                                               : c->dom->def->pmSuspendToDisk;
    if (allowed == VGM_TRISTATE_NO) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    vgmDriverPMTargets[target].toMem ?
                    _("domain '%1$s' does not let its guest suspend to memory (<pm><suspend-to-mem enabled='no'/>)") :
                    _("domain '%1$s' does not let its guest suspend to disk (<pm><suspend-to-disk enabled='no'/>)"),
                    c->dom->name);
        return FALSE;
    }
    /* (the guest suspends instead of answering: an error is waited for a
     * moment, as for guest-shutdown; QEMU's SUSPEND event then tells) */
    return vgmQemuAgentCommandNoReply(c->agent, vgmDriverPMTargets[target].cmd, NULL,
                                      VGM_DRIVER_AGENT_SHUTDOWN_WAIT, error);
}

/* The host name a lease of one of the domain's virtual network
 * interfaces carries */
static char *
vgmDriverLeaseHostname(VgmDriver *drv, const char *name, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmDriverLookupByNameFlags(drv, name,
                                                                VGM_DRIVER_LOOKUP_FULL, error);
    guint i, j;

    if (!dom)
        return NULL;
    if (!vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("domain '%1$s' is not running"),
                    dom->name);
        return NULL;
    }
    for (i = 0; i < dom->def->devices.nets->len; i++) {
        const VgmNetDef *net = g_ptr_array_index(dom->def->devices.nets, i);
        g_autoptr(GPtrArray) leases = NULL;

        if (net->type != VGM_NET_TYPE_NETWORK)
            continue;
        if (!(leases = vgmDriverNetworkGetDHCPLeases(drv, net->source, net->mac, 0, error)))
            return NULL;
        for (j = 0; j < leases->len; j++) {
            const VgmNetworkLease *l = g_ptr_array_index(leases, j);

            if (l->hostname && *l->hostname)
                return g_strdup(l->hostname);
        }
    }
    vgmErrorSet(error, VGM_ERR_NO_HOSTNAME,
                _("no DHCP lease of domain '%1$s' carries a host name"), dom->name);
    return NULL;
}

/* guest-get-host-name's "host-name" */
static char *
vgmDriverAgentHostname(VgmDriver *drv, const char *name, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    const char *h;

    if (!vgmDriverAgentRun(drv, name, "guest-get-host-name", NULL, &ret, NULL, error))
        return NULL;
    if (!(h = vgmDriverAgentString(JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL,
                                   "host-name"))) {
        vgmDriverAgentMalformed("guest-get-host-name", "'host-name'", error);
        return NULL;
    }
    return g_strdup(h);
}

char *
vgmDriverGetHostname(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_GET_HOSTNAME_LEASE | VGM_DOMAIN_GET_HOSTNAME_AGENT,
                             error))
        return NULL;
    if ((flags & VGM_DOMAIN_GET_HOSTNAME_LEASE) && (flags & VGM_DOMAIN_GET_HOSTNAME_AGENT)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("the host name comes from the DHCP leases or from the guest agent, not both"));
        return NULL;
    }
    /* libvirt's default source is the agent */
    if (flags & VGM_DOMAIN_GET_HOSTNAME_LEASE)
        return vgmDriverLeaseHostname(drv, name, error);
    return vgmDriverAgentHostname(drv, name, error);
}

/* guest-network-get-interfaces' answer @ret as VgmDriverInterfaceAddrs,
 * an alias's addresses (eth0:1) with its interface's, as libvirt gives
 * them */
static GPtrArray *
vgmDriverAgentInterfacesRead(JsonNode *ret, GError **error)
{
    const char *cmd = "guest-network-get-interfaces";
    g_autoptr(GPtrArray) out =
        g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverInterfaceAddrsFree);
    g_autoptr(GHashTable) byName = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    JsonArray *arr;
    guint i, j;

    if (!(arr = vgmDriverAgentArray(ret, cmd, error)))
        return NULL;
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = vgmDriverAgentElement(arr, i, cmd, error);
        const char *ifname = vgmDriverAgentString(o, "name");
        JsonNode *an = o ? json_object_get_member(o, "ip-addresses") : NULL;
        g_autofree char *base = NULL;
        VgmDriverInterfaceAddrs *ia;
        JsonArray *addrs;

        if (!o)
            return NULL;
        if (!ifname) {
            vgmDriverAgentMalformed(cmd, _("interface name"), error);
            return NULL;
        }
        base = g_strndup(ifname, strcspn(ifname, ":"));
        if (!(ia = g_hash_table_lookup(byName, base))) {
            ia = vgmDriverInterfaceAddrsNew(base, vgmDriverAgentString(o, "hardware-address"));
            g_ptr_array_add(out, ia);
            g_hash_table_insert(byName, g_strdup(base), ia);
        }
        if (!an)
            continue;
        if (!JSON_NODE_HOLDS_ARRAY(an)) {
            vgmDriverAgentMalformed(cmd, _("list of addresses"), error);
            return NULL;
        }
        addrs = json_node_get_array(an);
        for (j = 0; j < json_array_get_length(addrs); j++) {
            JsonObject *a = vgmDriverAgentElement(addrs, j, cmd, error);
            const char *type = vgmDriverAgentString(a, "ip-address-type");
            const char *ip = vgmDriverAgentString(a, "ip-address");
            gint64 prefix;

            if (!a)
                return NULL;
            if (!ip || !vgmDriverAgentInt(a, "prefix", &prefix) || prefix < 0 || prefix > 128 ||
                (g_strcmp0(type, "ipv4") != 0 && g_strcmp0(type, "ipv6") != 0)) {
                vgmDriverAgentMalformed(cmd, _("type, address and prefix of an address"), error);
                return NULL;
            }
            vgmDriverInterfaceAddrsAdd(ia, g_str_equal(type, "ipv6") ? 1 : 0, ip,
                                       (unsigned int)prefix);
        }
    }
    return g_steal_pointer(&out);
}

GPtrArray *
vgmDriverAgentInterfaceAddresses(VgmDriver *drv, const char *name, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;

    if (!vgmDriverAgentRun(drv, name, "guest-network-get-interfaces", NULL, &ret, NULL, error))
        return NULL;
    return vgmDriverAgentInterfacesRead(ret, error);
}

/* ---- virDomainGetGuestInfo ---- */

/* VIR_DOMAIN_GUEST_INFO_* */
enum {
    VGM_GUEST_INFO_USERS = 1 << 0,
    VGM_GUEST_INFO_OS = 1 << 1,
    VGM_GUEST_INFO_TIMEZONE = 1 << 2,
    VGM_GUEST_INFO_HOSTNAME = 1 << 3,
    VGM_GUEST_INFO_FILESYSTEM = 1 << 4,
    VGM_GUEST_INFO_DISKS = 1 << 5,
    VGM_GUEST_INFO_INTERFACES = 1 << 6,
};
#define VGM_GUEST_INFO_ALL ((1u << 7) - 1)

static void
vgmGuestInfoString(GPtrArray *params, const char *field, const char *value)
{
    vgmTypedParamAdd(params, field, VGM_TYPED_PARAM_STRING)->v.s = g_strdup(value);
}

static void
vgmGuestInfoUInt(GPtrArray *params, const char *field, guint32 value)
{
    vgmTypedParamAdd(params, field, VGM_TYPED_PARAM_UINT)->v.ui = value;
}

static void
vgmGuestInfoULLong(GPtrArray *params, const char *field, guint64 value)
{
    vgmTypedParamAdd(params, field, VGM_TYPED_PARAM_ULLONG)->v.ul = value;
}

static gboolean
vgmGuestInfoUsers(JsonNode *ret, const VgmDomainDef *def G_GNUC_UNUSED, GPtrArray *params,
                  GError **error)
{
    const char *cmd = "guest-get-users";
    JsonArray *arr = vgmDriverAgentArray(ret, cmd, error);
    guint i;

    if (!arr)
        return FALSE;
    vgmGuestInfoUInt(params, "user.count", json_array_get_length(arr));
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = vgmDriverAgentElement(arr, i, cmd, error);
        const char *user = vgmDriverAgentString(o, "user");
        const char *domain = vgmDriverAgentString(o, "domain");
        g_autofree char *f = NULL;
        double login;

        if (!o)
            return FALSE;
        if (!user || !vgmDriverAgentNumber(o, "login-time", &login)) {
            vgmDriverAgentMalformed(cmd, _("user name and login time"), error);
            return FALSE;
        }
        f = g_strdup_printf("user.%u.name", i);
        vgmGuestInfoString(params, f, user);
        if (domain) {
            g_free(f);
            f = g_strdup_printf("user.%u.domain", i);
            vgmGuestInfoString(params, f, domain);
        }
        g_free(f);
        f = g_strdup_printf("user.%u.login-time", i);
        /* seconds, with a fraction, to milliseconds */
        vgmGuestInfoULLong(params, f, (guint64)MIN(login * 1000, 1.8e19));
    }
    return TRUE;
}

/* guest-get-osinfo's members and libvirt's fields for them */
static const struct {
    const char *member;
    const char *field;
} vgmGuestInfoOSFields[] = {
    { "id", "os.id" },
    { "name", "os.name" },
    { "pretty-name", "os.pretty-name" },
    { "version", "os.version" },
    { "version-id", "os.version-id" },
    { "machine", "os.machine" },
    { "variant", "os.variant" },
    { "variant-id", "os.variant-id" },
    { "kernel-release", "os.kernel-release" },
    { "kernel-version", "os.kernel-version" },
};

static gboolean
vgmGuestInfoOS(JsonNode *ret, const VgmDomainDef *def G_GNUC_UNUSED, GPtrArray *params,
               GError **error)
{
    JsonObject *o = JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
    guint i;

    if (!o) {
        vgmDriverAgentMalformed("guest-get-osinfo", _("object"), error);
        return FALSE;
    }
    for (i = 0; i < G_N_ELEMENTS(vgmGuestInfoOSFields); i++) {
        const char *v = vgmDriverAgentString(o, vgmGuestInfoOSFields[i].member);

        if (v)
            vgmGuestInfoString(params, vgmGuestInfoOSFields[i].field, v);
    }
    return TRUE;
}

static gboolean
vgmGuestInfoTimezone(JsonNode *ret, const VgmDomainDef *def G_GNUC_UNUSED, GPtrArray *params,
                     GError **error)
{
    JsonObject *o = JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
    const char *zone = vgmDriverAgentString(o, "zone");
    gint64 offset;

    if (!o || !vgmDriverAgentInt(o, "offset", &offset)) {
        vgmDriverAgentMalformed("guest-get-timezone", _("offset"), error);
        return FALSE;
    }
    if (zone)
        vgmGuestInfoString(params, "timezone.name", zone);
    vgmTypedParamAdd(params, "timezone.offset", VGM_TYPED_PARAM_INT)->v.i =
        (gint32)CLAMP(offset, G_MININT32, G_MAXINT32);
    return TRUE;
}

static gboolean
vgmGuestInfoHostname(JsonNode *ret, const VgmDomainDef *def G_GNUC_UNUSED, GPtrArray *params,
                     GError **error)
{
    JsonObject *o = JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
    const char *h = vgmDriverAgentString(o, "host-name");

    if (!h) {
        vgmDriverAgentMalformed("guest-get-host-name", "'host-name'", error);
        return FALSE;
    }
    vgmGuestInfoString(params, "hostname", h);
    return TRUE;
}

static gboolean
vgmGuestInfoFS(JsonNode *ret, const VgmDomainDef *def, GPtrArray *params, GError **error)
{
    g_autoptr(GPtrArray) fss = vgmDriverAgentFSInfoRead(ret, def, error);
    guint i, j;

    if (!fss)
        return FALSE;

    vgmGuestInfoUInt(params, "fs.count", fss->len);
    for (i = 0; i < fss->len; i++) {
        const VgmDriverFSInfo *fs = g_ptr_array_index(fss, i);
        g_autofree char *f = NULL;

#define VGM_FS_FIELD(fmt, ...) (g_free(f), f = g_strdup_printf(fmt, __VA_ARGS__))
        vgmGuestInfoString(params, VGM_FS_FIELD("fs.%u.name", i), fs->name);
        vgmGuestInfoString(params, VGM_FS_FIELD("fs.%u.mountpoint", i), fs->mountpoint);
        vgmGuestInfoString(params, VGM_FS_FIELD("fs.%u.fstype", i), fs->fstype);
        if (fs->totalBytes >= 0)
            vgmGuestInfoULLong(params, VGM_FS_FIELD("fs.%u.total-bytes", i), fs->totalBytes);
        if (fs->usedBytes >= 0)
            vgmGuestInfoULLong(params, VGM_FS_FIELD("fs.%u.used-bytes", i), fs->usedBytes);
        vgmGuestInfoUInt(params, VGM_FS_FIELD("fs.%u.disk.count", i), fs->disks->len);
        for (j = 0; j < fs->disks->len; j++) {
            const VgmDriverFSDisk *d = g_ptr_array_index(fs->disks, j);

            if (d->alias)
                vgmGuestInfoString(params, VGM_FS_FIELD("fs.%u.disk.%u.alias", i, j), d->alias);
            if (d->serial)
                vgmGuestInfoString(params, VGM_FS_FIELD("fs.%u.disk.%u.serial", i, j), d->serial);
            if (d->device)
                vgmGuestInfoString(params, VGM_FS_FIELD("fs.%u.disk.%u.device", i, j), d->device);
        }
#undef VGM_FS_FIELD
    }
    return TRUE;
}

static gboolean
vgmGuestInfoDisks(JsonNode *ret, const VgmDomainDef *def, GPtrArray *params, GError **error)
{
    const char *cmd = "guest-get-disks";
    JsonArray *arr = vgmDriverAgentArray(ret, cmd, error);
    guint i, j;

    if (!arr)
        return FALSE;
    vgmGuestInfoUInt(params, "disk.count", json_array_get_length(arr));
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = vgmDriverAgentElement(arr, i, cmd, error);
        const char *dname = vgmDriverAgentString(o, "name");
        JsonNode *pn = o ? json_object_get_member(o, "partition") : NULL;
        JsonNode *depn = o ? json_object_get_member(o, "dependencies") : NULL;
        JsonNode *an = o ? json_object_get_member(o, "address") : NULL;
        JsonObject *addr = an && JSON_NODE_HOLDS_OBJECT(an) ? json_node_get_object(an) : NULL;
        const char *serial = vgmDriverAgentString(addr, "serial");
        const char *guestAlias = vgmDriverAgentString(o, "alias");
        const VgmDiskDef *disk;
        g_autofree char *f = NULL;

        if (!o)
            return FALSE;
        if (!dname || !pn || !JSON_NODE_HOLDS_VALUE(pn) ||
            json_node_get_value_type(pn) != G_TYPE_BOOLEAN) {
            vgmDriverAgentMalformed(cmd, _("disk name or partition flag"), error);
            return FALSE;
        }
#define VGM_DISK_FIELD(fmt, ...) (g_free(f), f = g_strdup_printf(fmt, __VA_ARGS__))
        vgmGuestInfoString(params, VGM_DISK_FIELD("disk.%u.name", i), dname);
        vgmTypedParamAdd(params, VGM_DISK_FIELD("disk.%u.partition", i),
                         VGM_TYPED_PARAM_BOOLEAN)->v.b = json_node_get_boolean(pn);
        if (depn && JSON_NODE_HOLDS_ARRAY(depn)) {
            JsonArray *deps = json_node_get_array(depn);
            guint n = 0;

            vgmGuestInfoUInt(params, VGM_DISK_FIELD("disk.%u.dependency.count", i),
                             json_array_get_length(deps));
            for (j = 0; j < json_array_get_length(deps); j++) {
                JsonNode *dn = json_array_get_element(deps, j);

                if (JSON_NODE_HOLDS_VALUE(dn) && json_node_get_value_type(dn) == G_TYPE_STRING)
                    vgmGuestInfoString(params, VGM_DISK_FIELD("disk.%u.dependency.%u.name", i, n++),
                                       json_node_get_string(dn));
            }
        }
        if (serial)
            vgmGuestInfoString(params, VGM_DISK_FIELD("disk.%u.serial", i), serial);
        if (addr && (disk = vgmDriverAgentDisk(def, addr)))
            vgmGuestInfoString(params, VGM_DISK_FIELD("disk.%u.alias", i), disk->dst);
        if (guestAlias)
            vgmGuestInfoString(params, VGM_DISK_FIELD("disk.%u.guest_alias", i), guestAlias);
#undef VGM_DISK_FIELD
    }
    return TRUE;
}

static gboolean
vgmGuestInfoInterfaces(JsonNode *ret, const VgmDomainDef *def G_GNUC_UNUSED, GPtrArray *params,
                       GError **error)
{
    g_autoptr(GPtrArray) ifaces = vgmDriverAgentInterfacesRead(ret, error);
    guint i, j;

    if (!ifaces)
        return FALSE;

    vgmGuestInfoUInt(params, "if.count", ifaces->len);
    for (i = 0; i < ifaces->len; i++) {
        const VgmDriverInterfaceAddrs *ia = g_ptr_array_index(ifaces, i);
        g_autofree char *f = NULL;

#define VGM_IF_FIELD(fmt, ...) (g_free(f), f = g_strdup_printf(fmt, __VA_ARGS__))
        vgmGuestInfoString(params, VGM_IF_FIELD("if.%u.name", i), ia->name);
        if (ia->hwaddr)
            vgmGuestInfoString(params, VGM_IF_FIELD("if.%u.hwaddr", i), ia->hwaddr);
        vgmGuestInfoUInt(params, VGM_IF_FIELD("if.%u.addr.count", i), ia->addrs->len);
        for (j = 0; j < ia->addrs->len; j++) {
            const VgmDriverIPAddress *a = g_ptr_array_index(ia->addrs, j);

            vgmGuestInfoString(params, VGM_IF_FIELD("if.%u.addr.%u.type", i, j),
                               a->type == 1 ? "ipv6" : "ipv4");
            vgmGuestInfoString(params, VGM_IF_FIELD("if.%u.addr.%u.addr", i, j), a->addr);
            vgmGuestInfoUInt(params, VGM_IF_FIELD("if.%u.addr.%u.prefix", i, j), a->prefix);
        }
#undef VGM_IF_FIELD
    }
    return TRUE;
}

/* The agent command behind each type of information, in libvirt's order */
static const struct {
    unsigned int type;
    const char *cmd;
    gboolean (*read)(JsonNode *ret, const VgmDomainDef *def, GPtrArray *params, GError **error);
} vgmGuestInfoTypes[] = {
    { VGM_GUEST_INFO_USERS, "guest-get-users", vgmGuestInfoUsers },
    { VGM_GUEST_INFO_OS, "guest-get-osinfo", vgmGuestInfoOS },
    { VGM_GUEST_INFO_TIMEZONE, "guest-get-timezone", vgmGuestInfoTimezone },
    { VGM_GUEST_INFO_HOSTNAME, "guest-get-host-name", vgmGuestInfoHostname },
    { VGM_GUEST_INFO_FILESYSTEM, "guest-get-fsinfo", vgmGuestInfoFS },
    { VGM_GUEST_INFO_DISKS, "guest-get-disks", vgmGuestInfoDisks },
    { VGM_GUEST_INFO_INTERFACES, "guest-network-get-interfaces", vgmGuestInfoInterfaces },
};

GPtrArray *
vgmDriverGetGuestInfo(VgmDriver *drv, const char *name, unsigned int types,
                      unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    g_autoptr(VgmDriverAgentConn) c = NULL;
    gboolean explicit = types != 0;
    guint i;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return NULL;
    if (types & ~VGM_GUEST_INFO_ALL) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("unknown guest information types 0x%1$x"), types & ~VGM_GUEST_INFO_ALL);
        return NULL;
    }
    if (!types)
        types = VGM_GUEST_INFO_ALL;
    if (!(c = vgmDriverAgentOpen(drv, name, error)))
        return NULL;
    for (i = 0; i < G_N_ELEMENTS(vgmGuestInfoTypes); i++) {
        g_autoptr(JsonNode) ret = NULL;
        g_autoptr(GError) err = NULL;
        const char *cls;

        if (!(types & vgmGuestInfoTypes[i].type))
            continue;
        if (!vgmQemuAgentCommand(c->agent, vgmGuestInfoTypes[i].cmd, NULL, c->timeout, &ret,
                                 &err)) {
            /* an agent without the command: a type not asked for by name
             * is left out, as libvirt leaves it */
            cls = vgmQemuAgentLastErrorClass(c->agent);
            if (!explicit && (g_strcmp0(cls, "CommandNotFound") == 0 ||
                              g_strcmp0(cls, "CommandDisabled") == 0))
                continue;
            g_propagate_error(error, g_steal_pointer(&err));
            return NULL;
        }
        if (!vgmGuestInfoTypes[i].read(ret, c->dom->def, params, error))
            return NULL;
    }
    return g_steal_pointer(&params);
}

/* ---- ssh keys and vCPUs ---- */

/* virDomainAuthorizedSSHKeysSet's flags */
#define VGM_DOMAIN_SSH_KEYS_APPEND (1u << 0)
#define VGM_DOMAIN_SSH_KEYS_REMOVE (1u << 1)

GPtrArray *
vgmDriverAuthorizedSSHKeysGet(VgmDriver *drv, const char *name, const char *user,
                              unsigned int flags, GError **error)
{
    const char *cmd = "guest-ssh-get-authorized-keys";
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    JsonObject *o;
    JsonNode *kn;
    JsonArray *arr;
    guint i;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return NULL;
    json_object_set_string_member(args, "username", user);
    if (!vgmDriverAgentRun(drv, name, cmd, args, &ret, NULL, error))
        return NULL;
    o = JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
    kn = o ? json_object_get_member(o, "keys") : NULL;
    if (!(arr = vgmDriverAgentArray(kn, cmd, error)))
        return NULL;
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonNode *n = json_array_get_element(arr, i);

        if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
            vgmDriverAgentMalformed(cmd, _("key text"), error);
            return NULL;
        }
        g_ptr_array_add(keys, g_strdup(json_node_get_string(n)));
    }
    return g_steal_pointer(&keys);
}

gboolean
vgmDriverAuthorizedSSHKeysSet(VgmDriver *drv, const char *name, const char *user,
                              const char *const *keys, guint nkeys, unsigned int flags,
                              GError **error)
{
    g_autoptr(JsonObject) args = json_object_new();
    JsonArray *arr = json_array_new();
    gboolean remove = (flags & VGM_DOMAIN_SSH_KEYS_REMOVE) != 0;
    guint i;

    for (i = 0; i < nkeys; i++)
        json_array_add_string_element(arr, keys[i]);
    json_object_set_string_member(args, "username", user);
    json_object_set_array_member(args, "keys", arr);
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_SSH_KEYS_APPEND | VGM_DOMAIN_SSH_KEYS_REMOVE,
                             error))
        return FALSE;
    if (remove && (flags & VGM_DOMAIN_SSH_KEYS_APPEND)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("ssh keys are appended or removed, not both"));
        return FALSE;
    }
    /* without APPEND the keys given replace the user's */
    if (!remove)
        json_object_set_boolean_member(args, "reset", !(flags & VGM_DOMAIN_SSH_KEYS_APPEND));
    return vgmDriverAgentRun(drv, name, remove ? "guest-ssh-remove-authorized-keys"
                                               : "guest-ssh-add-authorized-keys",
                             args, NULL, NULL, error);
}

/* guest-get-vcpus: the logical ids, and those online and offlinable */
static gboolean
vgmDriverAgentVcpus(JsonNode *ret, VgmBitmap **all, VgmBitmap **online, VgmBitmap **offlinable,
                    GError **error)
{
    const char *cmd = "guest-get-vcpus";
    JsonArray *arr = vgmDriverAgentArray(ret, cmd, error);
    guint i;

    if (!arr)
        return FALSE;
    *all = vgmBitmapNew(VGM_DRIVER_GUEST_VCPUS_MAX);
    *online = vgmBitmapNew(VGM_DRIVER_GUEST_VCPUS_MAX);
    *offlinable = vgmBitmapNew(VGM_DRIVER_GUEST_VCPUS_MAX);
    for (i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *o = vgmDriverAgentElement(arr, i, cmd, error);
        gint64 id;

        if (!o)
            return FALSE;
        if (!vgmDriverAgentInt(o, "logical-id", &id) || id < 0 ||
            id >= VGM_DRIVER_GUEST_VCPUS_MAX) {
            vgmDriverAgentMalformed(cmd, _("logical id of a vCPU"), error);
            return FALSE;
        }
        vgmBitmapSet(*all, (unsigned int)id);
        if (json_object_get_boolean_member_with_default(o, "online", FALSE))
            vgmBitmapSet(*online, (unsigned int)id);
        if (json_object_get_boolean_member_with_default(o, "can-offline", FALSE))
            vgmBitmapSet(*offlinable, (unsigned int)id);
    }
    return TRUE;
}

GPtrArray *
vgmDriverGetGuestVcpus(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(VgmBitmap) all = NULL;
    g_autoptr(VgmBitmap) online = NULL;
    g_autoptr(VgmBitmap) offlinable = NULL;
    g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);

    if (!vgmDriverCheckFlags(flags, 0, error) ||
        !vgmDriverAgentRun(drv, name, "guest-get-vcpus", NULL, &ret, NULL, error) ||
        !vgmDriverAgentVcpus(ret, &all, &online, &offlinable, error))
        return NULL;
    /* libvirt's names, each a CPU list ("0-3") */
    vgmTypedParamAdd(params, "vcpus", VGM_TYPED_PARAM_STRING)->v.s = vgmBitmapFormat(all);
    vgmTypedParamAdd(params, "online", VGM_TYPED_PARAM_STRING)->v.s = vgmBitmapFormat(online);
    vgmTypedParamAdd(params, "offlinable", VGM_TYPED_PARAM_STRING)->v.s =
        vgmBitmapFormat(offlinable);
    return g_steal_pointer(&params);
}

/* The agent of domain @name, open, and its guest's vCPUs
 * (vgmDriverAgentVcpus'), or NULL */
static VgmDriverAgentConn *
vgmDriverAgentOpenVcpus(VgmDriver *drv, const char *name, VgmBitmap **all, VgmBitmap **online,
                        VgmBitmap **offlinable, GError **error)
{
    g_autoptr(VgmDriverAgentConn) c = NULL;
    g_autoptr(JsonNode) ret = NULL;

    if (!(c = vgmDriverAgentOpen(drv, name, error)) ||
        !vgmQemuAgentCommand(c->agent, "guest-get-vcpus", NULL, c->timeout, &ret, error) ||
        !vgmDriverAgentVcpus(ret, all, online, offlinable, error))
        return NULL;
    return g_steal_pointer(&c);
}

/* guest-set-vcpus of the @n vCPU changes in @args: the agent stops at
 * the first it cannot change, and says how many it changed */
static gboolean
vgmDriverAgentSetVcpus(VgmDriverAgentConn *c, JsonObject *args, guint n, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;

    if (!vgmQemuAgentCommand(c->agent, "guest-set-vcpus", args, c->timeout, &ret, error))
        return FALSE;
    if (!JSON_NODE_HOLDS_VALUE(ret) || json_node_get_value_type(ret) != G_TYPE_INT64 ||
        json_node_get_int(ret) != (gint64)n) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("the guest agent changed %1$" G_GINT64_FORMAT " of the %2$u vCPUs asked for"),
                    JSON_NODE_HOLDS_VALUE(ret) && json_node_get_value_type(ret) == G_TYPE_INT64 ?
                    json_node_get_int(ret) : (gint64)-1, n);
        return FALSE;
    }
    return TRUE;
}

int
vgmDriverGuestVcpuCount(VgmDriver *drv, const char *name, gboolean maximum, GError **error)
{
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(VgmBitmap) all = NULL;
    g_autoptr(VgmBitmap) online = NULL;
    g_autoptr(VgmBitmap) offlinable = NULL;

    if (!vgmDriverAgentRun(drv, name, "guest-get-vcpus", NULL, &ret, NULL, error) ||
        !vgmDriverAgentVcpus(ret, &all, &online, &offlinable, error))
        return -1;
    return (int)vgmBitmapCount(maximum ? all : online);
}

gboolean
vgmDriverSetGuestVcpuCount(VgmDriver *drv, const char *name, unsigned int nvcpus,
                           GError **error)
{
    g_autoptr(VgmDriverAgentConn) c = NULL;
    g_autoptr(VgmBitmap) all = NULL;
    g_autoptr(VgmBitmap) online = NULL;
    g_autoptr(VgmBitmap) offlinable = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    JsonArray *list;
    unsigned int nonline, nfixed = 0, n = 0;
    int id;

    if (!(c = vgmDriverAgentOpenVcpus(drv, name, &all, &online, &offlinable, error)))
        return FALSE;
    nonline = vgmBitmapCount(online);
    for (id = vgmBitmapNext(online, -1); id >= 0; id = vgmBitmapNext(online, id))
        nfixed += !vgmBitmapIsSet(offlinable, id);
    if (nvcpus > vgmBitmapCount(all)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the guest of domain '%1$s' has %2$u vCPUs, fewer than the %3$u asked for"),
                    c->dom->name, vgmBitmapCount(all), nvcpus);
        return FALSE;
    }
    if (nvcpus < MAX(nfixed, 1)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the guest of domain '%1$s' cannot run on %2$u vCPUs: %3$u of its online ones cannot be taken offline"),
                    c->dom->name, nvcpus, MAX(nfixed, 1));
        return FALSE;
    }
    /* as libvirt picks them: from the lowest id, the offline ones put
     * online, or the online ones that may go taken offline, until the
     * count is reached */
    list = json_array_new();
    json_object_set_array_member(args, "vcpus", list);
    for (id = vgmBitmapNext(all, -1); id >= 0 && nonline != nvcpus; id = vgmBitmapNext(all, id)) {
        gboolean on = vgmBitmapIsSet(online, id);
        JsonObject *v;

        if (on == (nonline < nvcpus) || (on && !vgmBitmapIsSet(offlinable, id)))
            continue;
        v = json_object_new();
        json_object_set_int_member(v, "logical-id", id);
        json_object_set_boolean_member(v, "online", !on);
        json_array_add_object_element(list, v);
        if (on)
            nonline--;
        else
            nonline++;
        n++;
    }
    return n == 0 || vgmDriverAgentSetVcpus(c, args, n, error);
}

gboolean
vgmDriverSetGuestVcpus(VgmDriver *drv, const char *name, const char *cpumap, int state,
                       unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverAgentConn) c = NULL;
    g_autoptr(VgmBitmap) want = NULL;
    g_autoptr(VgmBitmap) all = NULL;
    g_autoptr(VgmBitmap) online = NULL;
    g_autoptr(VgmBitmap) offlinable = NULL;
    g_autoptr(JsonObject) args = json_object_new();
    JsonArray *list;
    guint n = 0;
    int id;

    if (!vgmDriverCheckFlags(flags, 0, error) ||
        !(want = vgmBitmapParse(cpumap, "guest vCPU list", error)))
        return FALSE;
    if (state != 0 && state != 1) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("guest vCPU state %1$d is neither 0 (offline) nor 1 (online)"), state);
        return FALSE;
    }
    if (!(c = vgmDriverAgentOpenVcpus(drv, name, &all, &online, &offlinable, error)))
        return FALSE;
    /* every vCPU named is the guest's, and one to go offline may */
    list = json_array_new();
    json_object_set_array_member(args, "vcpus", list);
    for (id = vgmBitmapNext(want, -1); id >= 0; id = vgmBitmapNext(want, id)) {
        JsonObject *v;

        if (!vgmBitmapIsSet(all, id)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("the guest of domain '%1$s' has no vCPU %2$d"), c->dom->name, id);
            return FALSE;
        }
        if (!state && !vgmBitmapIsSet(offlinable, id)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("vCPU %1$d of the guest of domain '%2$s' cannot be taken offline"),
                        id, c->dom->name);
            return FALSE;
        }
        v = json_object_new();
        json_object_set_int_member(v, "logical-id", id);
        json_object_set_boolean_member(v, "online", state == 1);
        json_array_add_object_element(list, v);
        n++;
    }
    return vgmDriverAgentSetVcpus(c, args, n, error);
}
