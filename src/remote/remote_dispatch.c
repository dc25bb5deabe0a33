/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote_dispatch.c: the REMOTE program's calls (see remote_dispatch.h).
 *
 * The generated table (remote_protocol.c, from remote_protocol.x) names a
 * handler per procedure; this file has them. Each handler reads its
 * decoded arguments, calls the driver API and fills the reply; on failure
 * it leaves a GError whose code the table below maps to libvirt's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#include "remote_dispatch.h"
#include "remote_protocol.h"
#include "rpc/vgm_rpc_protocol.h"
#include "driver/driver_network.h"
#include "driver/driver_pin.h"
#include "driver/driver_secret.h"
#include "driver/driver_snapshot.h"
#include "host/vgmhost.h"
#include "host/vgmnode.h"
#include "util/vgmerror.h"
#include "util/vgmi18n.h"

/* The error domain libvirt's clients see for an error, as libvirt's
 * drivers report them: the object's driver for an object missing, then
 * the driver of the call's object (storage, networks, secrets, node
 * devices, host interfaces), else the QEMU driver (a domain's). */
static const struct {
    int code;
    int from;
} vgmRemoteErrorCodeDomains[] = {
    { VGM_LV_ERR_NO_STORAGE_POOL, VGM_REMOTE_FROM_STORAGE },
    { VGM_LV_ERR_NO_STORAGE_VOL, VGM_REMOTE_FROM_STORAGE },
    { VGM_LV_ERR_NO_NETWORK, VGM_REMOTE_FROM_NETWORK },
    { VGM_LV_ERR_NO_SECRET, VGM_REMOTE_FROM_SECRET },
    { VGM_LV_ERR_INVALID_SECRET, VGM_REMOTE_FROM_SECRET },
    { VGM_LV_ERR_NO_NODE_DEVICE, VGM_REMOTE_FROM_NODEDEV },
    { VGM_LV_ERR_NO_INTERFACE, VGM_REMOTE_FROM_INTERFACE },
    { VGM_LV_ERR_MULTIPLE_INTERFACES, VGM_REMOTE_FROM_INTERFACE },
    { VGM_LV_ERR_NO_DOMAIN_SNAPSHOT, VGM_REMOTE_FROM_DOMAIN_SNAPSHOT },
};

/* (words of a procedure's name; a domain's procedures, DOMAIN_* and
 * CONNECT_DOMAIN_*, are the QEMU driver's whatever they name) */
static const struct {
    const char *word;
    int from;
} vgmRemoteProcDomains[] = {
    { "STORAGE_POOL", VGM_REMOTE_FROM_STORAGE },
    { "STORAGE_VOL", VGM_REMOTE_FROM_STORAGE },
    { "NETWORK", VGM_REMOTE_FROM_NETWORK },
    { "SECRET", VGM_REMOTE_FROM_SECRET },
    { "NODE_DEVICE", VGM_REMOTE_FROM_NODEDEV },
    { "NODE_LIST_DEVICES", VGM_REMOTE_FROM_NODEDEV },
    { "NODE_NUM_OF_DEVICES", VGM_REMOTE_FROM_NODEDEV },
    { "INTERFACE", VGM_REMOTE_FROM_INTERFACE },
};

int
vgmRemoteErrorDomain(const char *procName, int code)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmRemoteErrorCodeDomains); i++) {
        if (vgmRemoteErrorCodeDomains[i].code == code)
            return vgmRemoteErrorCodeDomains[i].from;
    }
    if (!procName || g_str_has_prefix(procName, "REMOTE_PROC_DOMAIN_") ||
        g_str_has_prefix(procName, "REMOTE_PROC_CONNECT_DOMAIN_"))
        return VGM_REMOTE_FROM_QEMU;
    for (i = 0; i < G_N_ELEMENTS(vgmRemoteProcDomains); i++) {
        if (strstr(procName, vgmRemoteProcDomains[i].word))
            return vgmRemoteProcDomains[i].from;
    }
    return VGM_REMOTE_FROM_QEMU;
}

/* libvirt's connection features (virDrvFeature) we say yes to. */
enum {
    VGM_FEATURE_PROGRAM_KEEPALIVE = 10,
    VGM_FEATURE_REMOTE_EVENT_CALLBACK = 14,
    VGM_FEATURE_REMOTE_CLOSE_CALLBACK = 15,
    VGM_FEATURE_TYPED_PARAM_STRING = 9,
    VGM_FEATURE_XML_MIGRATABLE = 11,
    VGM_FEATURE_FD_PASSING = 8,     /* every connection is a unix socket */
    VGM_FEATURE_MIGRATION_P2P = 4,
    VGM_FEATURE_MIGRATION_V3 = 6,
    VGM_FEATURE_MIGRATION_PARAMS = 13,
};

/* CONNECT_OPEN's read-only flag (VIR_CONNECT_RO). */
#define VGM_CONNECT_RO 1u

struct _VgmRemoteClient {
    VgmRpcClient *rpc;
    VgmDriver *drv;
    GMutex lock;                /* guards what follows */
    gboolean opened;
    gboolean readonly;          /* the socket's, or asked for at open */
    GArray *callbacks[VGM_EVENT_OBJECT_LAST]; /* int: this client's event
                                               * callback ids, by the
                                               * kind of object */
    GHashTable *streams;        /* serial -> VgmRemoteStream */
    GPtrArray *prepared;        /* VgmRemoteMigrationRef: the incoming
                                 * migrations it prepared, until their finish */
    GPtrArray *performed;       /* and the outgoing ones it performed, until
                                 * their confirm */
    GPtrArray *autodestroy;     /* VgmRemoteMigrationRef: the runs it started
                                 * with AUTODESTROY, which end with it */
};

/* A migration a client began a phase of, or a run it started */
typedef struct {
    char *name;
    guint64 id;
} VgmRemoteMigrationRef;

static void
vgmRemoteMigrationRefFree(VgmRemoteMigrationRef *ref)
{
    g_free(ref->name);
    g_free(ref);
}

/* What a call does just before its reply goes out (a stream is taken in:
 * the client may send on it as soon as it has the reply) and after (a
 * stream's reader starts), or a descriptor that goes with the reply. */
typedef struct {
    void (*beforeReply)(VgmRemoteClient *client, const VgmRpcHeader *hdr, gpointer data);
    void (*afterReply)(VgmRemoteClient *client, const VgmRpcHeader *hdr, gpointer data);
    GDestroyNotify freeData;    /* when the call failed */
    gpointer data;
    int replyFd;                /* -1: none */
} VgmRemoteCallEnd;

/* The call the worker thread runs, for handlers that start a stream. */
static _Thread_local VgmRemoteCallEnd *vgmRemoteCallEnd;

static void vgmRemoteStreamStop(gpointer data);

/* ---- the client ---- */

static gpointer
vgmRemoteClientNew(VgmRpcClient *rpc, gpointer opaque)
{
    VgmRemoteClient *client = g_new0(VgmRemoteClient, 1);
    guint i;

    client->rpc = rpc;
    client->drv = opaque;
    client->readonly = vgmRpcClientIsReadonly(rpc);
    for (i = 0; i < VGM_EVENT_OBJECT_LAST; i++)
        client->callbacks[i] = g_array_new(FALSE, FALSE, sizeof(int));
    client->streams = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                            vgmRemoteStreamStop);
    client->prepared = g_ptr_array_new_with_free_func((GDestroyNotify)vgmRemoteMigrationRefFree);
    client->performed = g_ptr_array_new_with_free_func((GDestroyNotify)vgmRemoteMigrationRefFree);
    client->autodestroy = g_ptr_array_new_with_free_func((GDestroyNotify)vgmRemoteMigrationRefFree);
    g_mutex_init(&client->lock);
    return client;
}

/* Runs when the client is gone and none of its calls runs: its event
 * callbacks go (and with them the last use of the connection). */
static void
vgmRemoteClientFree(gpointer data)
{
    VgmRemoteClient *client = data;
    VgmEventObject k;
    guint i;

    if (!client)
        return;
    for (k = 0; k < VGM_EVENT_OBJECT_LAST; k++) {
        for (i = 0; i < client->callbacks[k]->len; i++)
            vgmDriverObjectEventDeregister(client->drv, k,
                                           g_array_index(client->callbacks[k], int, i), NULL);
        g_array_unref(client->callbacks[k]);
    }
    /* its consoles close */
    g_hash_table_unref(client->streams);
    /* the incoming migrations it left unfinished end */
    for (i = 0; i < client->prepared->len; i++) {
        const VgmRemoteMigrationRef *ref = g_ptr_array_index(client->prepared, i);

        vgmDriverMigrateAbandon(client->drv, ref->name, ref->id);
    }
    g_ptr_array_unref(client->prepared);
    for (i = 0; i < client->performed->len; i++) {
        const VgmRemoteMigrationRef *ref = g_ptr_array_index(client->performed, i);

        vgmDriverMigrateForget(client->drv, ref->name, ref->id);
    }
    g_ptr_array_unref(client->performed);
    /* the runs it started to end with it end (libvirt's autodestroy),
     * but for a stop of the daemon, which never stops a guest */
    for (i = 0; !vgmRpcClientServerStopping(client->rpc) && i < client->autodestroy->len; i++) {
        const VgmRemoteMigrationRef *ref = g_ptr_array_index(client->autodestroy, i);

        vgmDriverAutodestroy(client->drv, ref->name, (int)ref->id);
    }
    g_ptr_array_unref(client->autodestroy);
    g_mutex_clear(&client->lock);
    g_free(client);
}

/* ---- the checks every call goes through ---- */

static void
vgmRemoteReplyError(VgmRpcClient *rpc, const VgmRpcHeader *hdr, int code, int domain,
                    const char *message)
{
    VgmRpcErrorInfo e = { code, domain, message };

    vgmRpcClientReplyError(rpc, hdr, &e);
}

/* libvirt's QEMU program: its procedure numbers, our handlers */
enum {
    VGM_REMOTE_QEMU_PROC_DOMAIN_MONITOR_COMMAND = 1,
    VGM_REMOTE_QEMU_PROC_DOMAIN_AGENT_COMMAND = 3,
};

static gboolean vgmRemoteQemuMonitorCommand(VgmRemoteClient *client, void *args, void *ret,
                                            GError **error);
static gboolean vgmRemoteQemuAgentCommand(VgmRemoteClient *client, void *args, void *ret,
                                          GError **error);

/* (what libvirt-qemu's calls are: neither is for a read-only connection) */
static const VgmRemoteProcInfo vgmRemoteQemuProcs[] = {
    { VGM_REMOTE_QEMU_PROC_DOMAIN_MONITOR_COMMAND, "qemu_domain_monitor_command",
      vgmRemoteXdrQemuDomainMonitorCommandIn, sizeof(VgmRemoteQemuDomainMonitorCommandIn),
      vgmRemoteXdrQemuDomainMonitorCommandOut, sizeof(VgmRemoteQemuDomainMonitorCommandOut),
      vgmRemoteQemuMonitorCommand, 0 },
    { VGM_REMOTE_QEMU_PROC_DOMAIN_AGENT_COMMAND, "qemu_domain_agent_command",
      vgmRemoteXdrQemuDomainAgentCommandIn, sizeof(VgmRemoteQemuDomainAgentCommandIn),
      vgmRemoteXdrQemuDomainAgentCommandOut, sizeof(VgmRemoteQemuDomainAgentCommandOut),
      vgmRemoteQemuAgentCommand, 0 },
};

/* The procedure @hdr calls, of the REMOTE or the QEMU program */
static const VgmRemoteProcInfo *
vgmRemoteProcOf(const VgmRpcHeader *hdr)
{
    size_t i;

    if (hdr->prog == VGM_REMOTE_PROGRAM)
        return vgmRemoteProcFind(hdr->proc);
    for (i = 0; i < G_N_ELEMENTS(vgmRemoteQemuProcs); i++) {
        if (vgmRemoteQemuProcs[i].proc == hdr->proc)
            return &vgmRemoteQemuProcs[i];
    }
    return NULL;
}

/* Words of a procedure's name that libvirt's API names write otherwise
 * than capitalized */
static const struct {
    const char *word;
    const char *api;
} vgmRemoteApiWords[] = {
    { "XML", "XML" }, { "UUID", "UUID" }, { "ID", "ID" }, { "MAC", "MAC" },
    { "CPU", "CPU" }, { "OS", "OS" }, { "NMI", "NMI" }, { "FD", "FD" },
    { "PM", "PM" }, { "SCSI", "SCSI" }, { "WWN", "WWN" }, { "DHCP", "DHCP" },
    { "FSTRIM", "FSTrim" }, { "FSFREEZE", "FSFreeze" }, { "FSTHAW", "FSThaw" },
    { "FSINFO", "FSInfo" },
};

/* The libvirt API a procedure serves, named as libvirt's errors name it:
 * REMOTE_PROC_DOMAIN_DEFINE_XML is virDomainDefineXML */
static char *
vgmRemoteApiName(const char *procName)
{
    g_autoptr(GString) api = g_string_new("vir");
    g_auto(GStrv) words = NULL;
    size_t i, j;

    if (!procName || !g_str_has_prefix(procName, "REMOTE_PROC_"))
        return g_strdup(procName ? procName : "?");
    words = g_strsplit(procName + strlen("REMOTE_PROC_"), "_", -1);
    for (i = 0; words[i]; i++) {
        const char *w = words[i];

        for (j = 0; j < G_N_ELEMENTS(vgmRemoteApiWords); j++) {
            if (g_str_equal(w, vgmRemoteApiWords[j].word))
                break;
        }
        if (j < G_N_ELEMENTS(vgmRemoteApiWords)) {
            g_string_append(api, vgmRemoteApiWords[j].api);
        } else if (*w) {
            g_autofree char *rest = g_ascii_strdown(w + 1, -1);

            g_string_append_c(api, w[0]);
            g_string_append(api, rest);
        }
    }
    return g_string_free(g_steal_pointer(&api), FALSE);
}

static void
vgmRemoteDispatchCall(VgmRpcClient *rpc, const VgmRpcHeader *hdr, const guint8 *payload,
                      gsize len, gpointer opaque)
{
    VgmRemoteClient *client = vgmRpcClientGetPrivate(rpc);
    const VgmRemoteProcInfo *info = vgmRemoteProcOf(hdr);
    g_autoptr(GError) err = NULL;
    g_autofree void *args = NULL;
    g_autofree void *ret = NULL;
    VgmRemoteCallEnd end = { .replyFd = -1 };
    gboolean opened, readonly, ok;

    if (!info || !info->dispatch) {
        /* exactly what the client library turns into "not supported",
         * so that clients fall back */
        g_autofree char *msg = g_strdup_printf(_("unknown procedure: %1$d"), hdr->proc);
        vgmRemoteReplyError(rpc, hdr, VGM_LV_ERR_RPC, VGM_RPC_FROM_RPC, msg);
        return;
    }
    g_mutex_lock(&client->lock);
    opened = client->opened;
    readonly = client->readonly;
    g_mutex_unlock(&client->lock);
    if (!opened && !(info->flags & VGM_REMOTE_PROC_PREOPEN)) {
        vgmRemoteReplyError(rpc, hdr, VGM_LV_ERR_INTERNAL, VGM_RPC_FROM_RPC,
                            _("hypervisor connection not open"));
        return;
    }
    if (readonly && !(info->flags & VGM_REMOTE_PROC_READONLY)) {
        g_autofree char *api = vgmRemoteApiName(info->name);
        g_autofree char *msg = g_strdup_printf(_("read only access prevents %1$s"), api);

        vgmRemoteReplyError(rpc, hdr, VGM_LV_ERR_OPERATION_DENIED, VGM_RPC_FROM_RPC, msg);
        return;
    }
    if (info->argsFn) {
        args = g_malloc0(info->argsSize);
        if (!vgmXdrDecode(info->argsFn, args, payload, len, &err)) {
            g_autofree char *msg = g_strdup_printf(_("cannot decode the arguments of procedure %1$d: %2$s"),
                                                   hdr->proc, err->message);
            vgmRemoteReplyError(rpc, hdr, VGM_LV_ERR_RPC, VGM_RPC_FROM_RPC, msg);
            return;
        }
    } else if (len > 0) {
        g_autofree char *msg = g_strdup_printf(_("procedure %1$d takes no arguments, got %2$zu bytes"),
                                               hdr->proc, len);
        vgmRemoteReplyError(rpc, hdr, VGM_LV_ERR_RPC, VGM_RPC_FROM_RPC, msg);
        return;
    }
    ret = g_malloc0(info->retSize ? info->retSize : 1);
    vgmRemoteCallEnd = &end;
    ok = info->dispatch(client, args, ret, &err);
    vgmRemoteCallEnd = NULL;
    if (ok && end.replyFd >= 0) {
        vgmRpcClientReplyWithFd(rpc, hdr, info->retFn, ret, end.replyFd);
    } else if (ok) {
        if (end.beforeReply)
            end.beforeReply(client, hdr, end.data);
        vgmRpcClientReply(rpc, hdr, info->retFn, ret);
        if (end.afterReply)
            end.afterReply(client, hdr, end.data);
    } else {
        if (end.freeData)
            end.freeData(end.data);
        int code = VGM_LV_ERR_INTERNAL;

        if (err && err->domain == VGM_ERROR)
            code = vgmErrorLibvirtCode(err->code);
        vgmRemoteReplyError(rpc, hdr, code, vgmRemoteErrorDomain(info->name, code),
                            err ? err->message : _("unknown error"));
    }
    if (info->argsFn)
        vgmXdrFree(info->argsFn, args);
    if (info->retFn)
        vgmXdrFree(info->retFn, ret);
}

/* The calls a client's reader runs itself (see VgmRpcProgram.quick):
 * they read the store's index and files and /proc, and never start,
 * stop or probe a QEMU. (A lookup may ask a running QEMU its state, as
 * every look at a running domain does, within
 * VGM_DRIVER_QUERY_TIMEOUT_MS.) */
static const gint32 vgmRemoteQuickProcs[] = {
    VGM_REMOTE_PROC_CONNECT_OPEN,
    VGM_REMOTE_PROC_CONNECT_CLOSE,
    VGM_REMOTE_PROC_CONNECT_GET_TYPE,
    VGM_REMOTE_PROC_CONNECT_GET_LIB_VERSION,
    VGM_REMOTE_PROC_CONNECT_GET_HOSTNAME,
    VGM_REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
    VGM_REMOTE_PROC_AUTH_LIST,
    VGM_REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK,
    VGM_REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK,
    VGM_REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
    VGM_REMOTE_PROC_CONNECT_LIST_DOMAINS,
    VGM_REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS,
    VGM_REMOTE_PROC_CONNECT_NUM_OF_DOMAINS,
    VGM_REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS,
    VGM_REMOTE_PROC_DOMAIN_LOOKUP_BY_ID,
    VGM_REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
    VGM_REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID,
    VGM_REMOTE_PROC_DOMAIN_GET_XML_DESC,
    VGM_REMOTE_PROC_DOMAIN_GET_INFO,
    VGM_REMOTE_PROC_DOMAIN_GET_STATE,
    VGM_REMOTE_PROC_DOMAIN_IS_ACTIVE,
    VGM_REMOTE_PROC_DOMAIN_IS_PERSISTENT,
    VGM_REMOTE_PROC_DOMAIN_GET_AUTOSTART,
    VGM_REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE,
    VGM_REMOTE_PROC_DOMAIN_SNAPSHOT_NUM,
    VGM_REMOTE_PROC_DOMAIN_GET_OS_TYPE,
    VGM_REMOTE_PROC_DOMAIN_GET_MAX_MEMORY,
    VGM_REMOTE_PROC_DOMAIN_GET_MAX_VCPUS,
    VGM_REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL,
};

static gboolean
vgmRemoteQuick(const VgmRpcHeader *hdr, gpointer opaque)
{
    size_t i;

    if (hdr->prog != VGM_REMOTE_PROGRAM)
        return FALSE;
    for (i = 0; i < G_N_ELEMENTS(vgmRemoteQuickProcs); i++) {
        if (vgmRemoteQuickProcs[i] == hdr->proc)
            return TRUE;
    }
    return FALSE;
}

/* As libvirt's daemons: an idle daemon stays while domains run. */
static gboolean
vgmRemoteBusy(gpointer opaque)
{
    g_autoptr(GPtrArray) active = vgmDriverListDomainsFlags(opaque, VGM_LIST_DOMAINS_ACTIVE,
                                                            VGM_DRIVER_LOOKUP_BRIEF, NULL);

    return active && active->len > 0;
}

/* A stop that waited its bound for the calls in flight: QEMU probes they
 * wait for are given up (the driver's calls to QEMU have bounds of their
 * own) */
static void
vgmRemoteAbandon(gpointer opaque)
{
    vgmDriverAbandonProbes(opaque);
}

static void vgmRemoteStreamPacket(VgmRpcClient *rpc, const VgmRpcHeader *hdr,
                                  const guint8 *payload, gsize len, gpointer opaque);

void
vgmRemoteProgramInit(VgmRpcProgram *program, VgmDriver *drv)
{
    memset(program, 0, sizeof(*program));
    program->prog = VGM_REMOTE_PROGRAM;
    program->prog2 = VGM_REMOTE_QEMU_PROGRAM;
    program->vers = VGM_REMOTE_PROTOCOL_VERSION;
    program->dispatch = vgmRemoteDispatchCall;
    program->stream = vgmRemoteStreamPacket;
    program->clientNew = vgmRemoteClientNew;
    program->clientFree = vgmRemoteClientFree;
    program->quick = vgmRemoteQuick;
    program->busy = vgmRemoteBusy;
    program->abandon = vgmRemoteAbandon;
    program->opaque = drv;
}

/* ---- helpers ---- */

/* The domain a call names, found by uuid as libvirt's QEMU driver does;
 * without its definition (VGM_DRIVER_LOOKUP_BRIEF), which only some
 * calls need (VGM_REMOTE_GET_DOMAIN_DEF). A handle whose domain is gone
 * is told by the name it was given too, as libvirt tells it. */
static VgmDriverDomain *
vgmRemoteGetDomain(VgmRemoteClient *client, const VgmRemoteNonnullDomain *d, GError **error)
{
    g_autoptr(GError) err = NULL;
    VgmDriverDomain *dom;
    char uuid[37];

    if ((dom = vgmDriverLookupByUUIDFlags(client->drv, d->uuid, VGM_DRIVER_LOOKUP_BRIEF, &err)))
        return dom;
    if (!g_error_matches(err, VGM_ERROR, VGM_ERR_NO_DOMAIN)) {
        g_propagate_error(error, g_steal_pointer(&err));
        return NULL;
    }
    vgmDomainUUIDFormat(d->uuid, uuid);
    vgmErrorSet(error, VGM_ERR_NO_DOMAIN, _("no domain with matching uuid '%1$s' (%2$s)"),
                uuid, d->name ? d->name : "");
    return NULL;
}

static void
vgmRemoteMakeDomain(VgmRemoteNonnullDomain *out, const VgmDriverDomain *dom)
{
    out->name = g_strdup(dom->name);
    memcpy(out->uuid, dom->uuid, 16);
    out->id = dom->id;
}

/* Fills @out from @dom (taken) for a reply; FALSE when the driver call
 * that made @dom failed. */
static gboolean
vgmRemoteReturnDomain(VgmDriverDomain *dom, VgmRemoteNonnullDomain *out)
{
    if (!dom)
        return FALSE;
    vgmRemoteMakeDomain(out, dom);
    vgmDriverDomainFree(dom);
    return TRUE;
}

static char *
vgmRemoteOptString(char **s)
{
    return s ? *s : NULL;
}

/* An optional string for a reply: a copy of @s, or NULL */
static VgmRemoteString
vgmRemoteNewOptString(const char *s)
{
    VgmRemoteString out;

    if (!s)
        return NULL;
    out = g_new0(VgmRemoteNonnullString, 1);
    *out = g_strdup(s);
    return out;
}

/* ---- connection ---- */

gboolean
vgmRemoteDispatchConnectOpen(VgmRemoteClient *client, const VgmRemoteConnectOpenArgs *args,
                             GError **error)
{
    const char *name = vgmRemoteOptString(args->name);

    /* every qemu URI of the client library comes here as qemu:///system
     * or qemu:///session: both mean this daemon's root */
    if (name && *name && !g_str_has_prefix(name, "qemu:///")) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("virtgmemd serves qemu:/// URIs only, not '%1$s'"), name);
        return FALSE;
    }
    if (!vgmDriverCheckFlags(args->flags, VGM_CONNECT_RO, error))
        return FALSE;
    g_mutex_lock(&client->lock);
    client->opened = TRUE;
    if (args->flags & VGM_CONNECT_RO)
        client->readonly = TRUE;
    g_mutex_unlock(&client->lock);
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectClose(VgmRemoteClient *client, GError **error)
{
    g_mutex_lock(&client->lock);
    client->opened = FALSE;
    g_mutex_unlock(&client->lock);
    return TRUE;
}

gboolean
vgmRemoteDispatchAuthList(VgmRemoteClient *client, VgmRemoteAuthListRet *ret, GError **error)
{
    /* one method: none (0); the unix socket's credentials decide */
    ret->types.len = 1;
    ret->types.val = g_new0(VgmRemoteAuthType, 1);
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectSupportsFeature(VgmRemoteClient *client,
                                        const VgmRemoteConnectSupportsFeatureArgs *args,
                                        VgmRemoteConnectSupportsFeatureRet *ret,
                                        GError **error)
{
    switch (args->feature) {
    case VGM_FEATURE_PROGRAM_KEEPALIVE:
        vgmRpcClientStartKeepalive(client->rpc);
        ret->supported = 1;
        break;
    case VGM_FEATURE_REMOTE_EVENT_CALLBACK:
    case VGM_FEATURE_REMOTE_CLOSE_CALLBACK:
    case VGM_FEATURE_TYPED_PARAM_STRING:
    case VGM_FEATURE_XML_MIGRATABLE:
    case VGM_FEATURE_FD_PASSING:
    case VGM_FEATURE_MIGRATION_V3:
    case VGM_FEATURE_MIGRATION_PARAMS:
    case VGM_FEATURE_MIGRATION_P2P:
        ret->supported = 1;
        break;
    default:
        ret->supported = 0;
        break;
    }
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectRegisterCloseCallback(VgmRemoteClient *client, GError **error)
{
    /* the connection closes only when the client does */
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectUnregisterCloseCallback(VgmRemoteClient *client, GError **error)
{
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectGetType(VgmRemoteClient *client, VgmRemoteConnectGetTypeRet *ret,
                                GError **error)
{
    ret->type = g_strdup("QEMU");
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectGetVersion(VgmRemoteClient *client,
                                   VgmRemoteConnectGetVersionRet *ret, GError **error)
{
    guint64 v;

    if (!vgmDriverGetVersion(client->drv, &v, error))
        return FALSE;
    ret->hv_ver = v;
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectGetCpuModelNames(VgmRemoteClient *client,
                                         const VgmRemoteConnectGetCpuModelNamesArgs *args,
                                         VgmRemoteConnectGetCpuModelNamesRet *ret,
                                         GError **error)
{
    g_autoptr(GPtrArray) models = NULL;
    guint i;

    if (!(models = vgmDriverGetCPUModelNames(client->drv, args->arch, args->flags, error)))
        return FALSE;
    ret->ret = models->len;
    if (!args->need_results)
        return TRUE;
    ret->models.len = models->len;
    ret->models.val = g_new0(char *, models->len + 1);
    for (i = 0; i < models->len; i++)
        ret->models.val[i] = g_strdup(g_ptr_array_index(models, i));
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectGetLibVersion(VgmRemoteClient *client,
                                      VgmRemoteConnectGetLibVersionRet *ret, GError **error)
{
    ret->lib_ver = VGM_DRIVER_LIBVIRT_API_VERSION;
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectGetHostname(VgmRemoteClient *client,
                                    VgmRemoteConnectGetHostnameRet *ret, GError **error)
{
    return (ret->hostname = vgmNodeGetHostname(error)) != NULL;
}

gboolean
vgmRemoteDispatchConnectGetCapabilities(VgmRemoteClient *client,
                                        VgmRemoteConnectGetCapabilitiesRet *ret,
                                        GError **error)
{
    return (ret->capabilities = vgmDriverGetCapabilities(client->drv, error)) != NULL;
}

gboolean
vgmRemoteDispatchConnectGetDomainCapabilities(VgmRemoteClient *client,
                                              const VgmRemoteConnectGetDomainCapabilitiesArgs *args,
                                              VgmRemoteConnectGetDomainCapabilitiesRet *ret,
                                              GError **error)
{
    if (!vgmDriverCheckFlags(args->flags, 0, error))
        return FALSE;
    ret->capabilities = vgmDriverGetDomainCapabilities(client->drv,
                                                       vgmRemoteOptString(args->emulatorbin),
                                                       vgmRemoteOptString(args->arch),
                                                       vgmRemoteOptString(args->machine),
                                                       vgmRemoteOptString(args->virttype),
                                                       error);
    return ret->capabilities != NULL;
}

gboolean
vgmRemoteDispatchConnectGetMaxVcpus(VgmRemoteClient *client,
                                    const VgmRemoteConnectGetMaxVcpusArgs *args,
                                    VgmRemoteConnectGetMaxVcpusRet *ret, GError **error)
{
    return (ret->max_vcpus = vgmDriverGetMaxVcpus(client->drv, vgmRemoteOptString(args->type),
                                                  error)) >= 0;
}

/* virConnectIsSecure and virConnectIsEncrypted ask this: the hypervisor
 * side is secure (no network between the daemon and QEMU), as libvirt's
 * QEMU driver says; the client library adds what its transport is */
gboolean
vgmRemoteDispatchConnectIsSecure(VgmRemoteClient *client, VgmRemoteConnectIsSecureRet *ret,
                                 GError **error)
{
    ret->secure = 1;
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectGetSysinfo(VgmRemoteClient *client,
                                   const VgmRemoteConnectGetSysinfoArgs *args,
                                   VgmRemoteConnectGetSysinfoRet *ret, GError **error)
{
    return (ret->sysinfo = vgmDriverGetSysinfo(client->drv, args->flags, error)) != NULL;
}

gboolean
vgmRemoteDispatchConnectCompareCpu(VgmRemoteClient *client,
                                   const VgmRemoteConnectCompareCpuArgs *args,
                                   VgmRemoteConnectCompareCpuRet *ret, GError **error)
{
    return (ret->result = vgmDriverCompareCPU(client->drv, FALSE, NULL, NULL, NULL, NULL,
                                              args->xml, args->flags, error)) >= 0;
}

gboolean
vgmRemoteDispatchConnectCompareHypervisorCpu(VgmRemoteClient *client,
                                             const VgmRemoteConnectCompareHypervisorCpuArgs *args,
                                             VgmRemoteConnectCompareHypervisorCpuRet *ret,
                                             GError **error)
{
    return (ret->result = vgmDriverCompareCPU(client->drv, TRUE,
                                              vgmRemoteOptString(args->emulator),
                                              vgmRemoteOptString(args->arch),
                                              vgmRemoteOptString(args->machine),
                                              vgmRemoteOptString(args->virttype),
                                              args->xmlCPU, args->flags, error)) >= 0;
}

gboolean
vgmRemoteDispatchConnectBaselineCpu(VgmRemoteClient *client,
                                    const VgmRemoteConnectBaselineCpuArgs *args,
                                    VgmRemoteConnectBaselineCpuRet *ret, GError **error)
{
    ret->cpu = vgmDriverBaselineCPU(client->drv, FALSE, NULL, NULL, NULL, NULL,
                                    (const char *const *)args->xmlCPUs.val, args->xmlCPUs.len,
                                    args->flags, error);
    return ret->cpu != NULL;
}

gboolean
vgmRemoteDispatchConnectBaselineHypervisorCpu(VgmRemoteClient *client,
                                              const VgmRemoteConnectBaselineHypervisorCpuArgs *args,
                                              VgmRemoteConnectBaselineHypervisorCpuRet *ret,
                                              GError **error)
{
    ret->cpu = vgmDriverBaselineCPU(client->drv, TRUE, vgmRemoteOptString(args->emulator),
                                    vgmRemoteOptString(args->arch),
                                    vgmRemoteOptString(args->machine),
                                    vgmRemoteOptString(args->virttype),
                                    (const char *const *)args->xmlCPUs.val, args->xmlCPUs.len,
                                    args->flags, error);
    return ret->cpu != NULL;
}

gboolean
vgmRemoteDispatchConnectDomainXmlToNative(VgmRemoteClient *client,
                                          const VgmRemoteConnectDomainXmlToNativeArgs *args,
                                          VgmRemoteConnectDomainXmlToNativeRet *ret,
                                          GError **error)
{
    if (!vgmDriverCheckFlags(args->flags, 0, error))
        return FALSE;
    ret->nativeConfig = vgmDriverXMLToNative(client->drv, args->nativeFormat,
                                             args->domainXml, NULL, NULL, NULL, error);
    return ret->nativeConfig != NULL;
}

/* ---- node ---- */

gboolean
vgmRemoteDispatchNodeGetInfo(VgmRemoteClient *client, VgmRemoteNodeGetInfoRet *ret,
                             GError **error)
{
    VgmNodeInfo info;

    if (!vgmNodeGetInfo(NULL, NULL, &info, error))
        return FALSE;
    memset(ret->model, 0, sizeof(ret->model));
    g_strlcpy((char *)ret->model, info.model, sizeof(ret->model));
    ret->memory = info.memoryKiB;
    ret->cpus = info.cpus;
    ret->mhz = info.mhz;
    ret->nodes = info.nodes;
    ret->sockets = info.sockets;
    ret->cores = info.cores;
    ret->threads = info.threads;
    return TRUE;
}

gboolean
vgmRemoteDispatchNodeGetCpuMap(VgmRemoteClient *client, const VgmRemoteNodeGetCpuMapArgs *args,
                               VgmRemoteNodeGetCpuMapRet *ret, GError **error)
{
    g_autofree guint8 *map = NULL;
    guint mapLen = 0, online = 0, present = 0;

    if (!vgmDriverCheckFlags(args->flags, 0, error))
        return FALSE;
    if (!vgmNodeGetCPUMap(NULL, &map, &mapLen, &online, &present, error))
        return FALSE;
    if (args->need_map) {
        ret->cpumap.len = mapLen;
        ret->cpumap.val = g_steal_pointer(&map);
    }
    if (args->need_online)
        ret->online = online;
    ret->ret = present;
    return TRUE;
}

/* Fills a typed-parameter-like array of {field, value} pairs, as the
 * node stats calls answer: with @nparams 0 only the count. */
#define VGM_REMOTE_FILL_STATS(ret, stats, n_) \
    do { \
        guint i_; \
        if ((n_) == 0) { \
            (ret)->nparams = (stats)->len; \
            break; \
        } \
        (ret)->params.len = MIN((guint)(n_), (stats)->len); \
        (ret)->params.val = g_new0(__typeof__(*(ret)->params.val), (ret)->params.len); \
        for (i_ = 0; i_ < (ret)->params.len; i_++) { \
            const VgmNodeStat *s_ = &g_array_index((stats), VgmNodeStat, i_); \
            (ret)->params.val[i_].field = g_strdup(s_->field); \
            (ret)->params.val[i_].value = s_->value; \
        } \
        (ret)->nparams = (ret)->params.len; \
    } while (0)

gboolean
vgmRemoteDispatchNodeGetCpuStats(VgmRemoteClient *client,
                                 const VgmRemoteNodeGetCpuStatsArgs *args,
                                 VgmRemoteNodeGetCpuStatsRet *ret, GError **error)
{
    g_autoptr(GArray) stats = NULL;

    if (!vgmDriverCheckFlags(args->flags, 0, error))
        return FALSE;
    if (args->nparams < 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("nparams must not be negative"));
        return FALSE;
    }
    if (!(stats = vgmNodeGetCPUStats(NULL, args->cpuNum, error)))
        return FALSE;
    VGM_REMOTE_FILL_STATS(ret, stats, args->nparams);
    return TRUE;
}

gboolean
vgmRemoteDispatchNodeGetMemoryStats(VgmRemoteClient *client,
                                    const VgmRemoteNodeGetMemoryStatsArgs *args,
                                    VgmRemoteNodeGetMemoryStatsRet *ret, GError **error)
{
    g_autoptr(GArray) stats = NULL;

    if (!vgmDriverCheckFlags(args->flags, 0, error))
        return FALSE;
    if (args->nparams < 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("nparams must not be negative"));
        return FALSE;
    }
    if (!(stats = vgmNodeGetMemoryStats(NULL, NULL, args->cellNum, error)))
        return FALSE;
    VGM_REMOTE_FILL_STATS(ret, stats, args->nparams);
    return TRUE;
}

gboolean
vgmRemoteDispatchNodeGetFreeMemory(VgmRemoteClient *client,
                                   VgmRemoteNodeGetFreeMemoryRet *ret, GError **error)
{
    guint64 bytes;

    if (!vgmNodeGetFreeMemory(NULL, &bytes, error))
        return FALSE;
    ret->freeMem = bytes;
    return TRUE;
}

/* The counts a node call returns, within libvirt's limit of a reply */
static gboolean
vgmRemoteNodeCounts(GArray *counts, guint64 **val, guint32 *len, GError **error)
{
    if (counts->len > VGM_REMOTE_NODE_MAX_CELLS) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("%1$u values asked for, more than the %2$d a reply carries"),
                    counts->len, VGM_REMOTE_NODE_MAX_CELLS);
        return FALSE;
    }
    *len = counts->len;
    *val = g_memdup2(counts->data, MAX(counts->len, 1) * sizeof(guint64));
    return TRUE;
}

gboolean
vgmRemoteDispatchNodeGetCellsFreeMemory(VgmRemoteClient *client,
                                        const VgmRemoteNodeGetCellsFreeMemoryArgs *args,
                                        VgmRemoteNodeGetCellsFreeMemoryRet *ret, GError **error)
{
    g_autoptr(GArray) cells = NULL;

    if (args->maxcells > VGM_REMOTE_NODE_MAX_CELLS) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("%1$d cells asked for, more than the %2$d a reply carries"),
                    args->maxcells, VGM_REMOTE_NODE_MAX_CELLS);
        return FALSE;
    }
    return (cells = vgmNodeGetCellsFreeMemory(NULL, NULL, args->startCell, args->maxcells,
                                              error)) &&
           vgmRemoteNodeCounts(cells, &ret->cells.val, &ret->cells.len, error);
}

gboolean
vgmRemoteDispatchNodeGetFreePages(VgmRemoteClient *client,
                                  const VgmRemoteNodeGetFreePagesArgs *args,
                                  VgmRemoteNodeGetFreePagesRet *ret, GError **error)
{
    g_autoptr(GArray) counts = NULL;

    if (!vgmDriverCheckFlags(args->flags, 0, error))
        return FALSE;
    if ((guint64)args->pages.len * args->cellCount > VGM_REMOTE_NODE_MAX_CELLS) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("%1$u page sizes of %2$u cells asked for, more than the %3$d values a reply carries"),
                    args->pages.len, args->cellCount, VGM_REMOTE_NODE_MAX_CELLS);
        return FALSE;
    }
    return (counts = vgmNodeGetFreePages(NULL, NULL, args->pages.val, args->pages.len,
                                         args->startCell, args->cellCount, error)) &&
           vgmRemoteNodeCounts(counts, &ret->counts.val, &ret->counts.len, error);
}

/* ---- lists and lookups ---- */

gboolean
vgmRemoteDispatchConnectListAllDomains(VgmRemoteClient *client,
                                       const VgmRemoteConnectListAllDomainsArgs *args,
                                       VgmRemoteConnectListAllDomainsRet *ret,
                                       GError **error)
{
    g_autoptr(GPtrArray) doms = NULL;
    guint i;

    if (!(doms = vgmDriverListDomainsFlags(client->drv, args->flags, VGM_DRIVER_LOOKUP_BRIEF,
                                           error)))
        return FALSE;
    if (doms->len > VGM_REMOTE_DOMAIN_LIST_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("too many domains (%1$u) for a reply, the limit is %2$d"),
                    doms->len, VGM_REMOTE_DOMAIN_LIST_MAX);
        return FALSE;
    }
    if (args->need_results) {
        ret->domains.len = doms->len;
        ret->domains.val = g_new0(VgmRemoteNonnullDomain, doms->len);
        for (i = 0; i < doms->len; i++)
            vgmRemoteMakeDomain(&ret->domains.val[i], g_ptr_array_index(doms, i));
    }
    ret->ret = doms->len;
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectNumOfDomains(VgmRemoteClient *client,
                                     VgmRemoteConnectNumOfDomainsRet *ret, GError **error)
{
    return (ret->num = vgmDriverNumOfDomains(client->drv, TRUE, error)) >= 0;
}

gboolean
vgmRemoteDispatchConnectNumOfDefinedDomains(VgmRemoteClient *client,
                                            VgmRemoteConnectNumOfDefinedDomainsRet *ret,
                                            GError **error)
{
    return (ret->num = vgmDriverNumOfDomains(client->drv, FALSE, error)) >= 0;
}

/* The count asked for by the older list calls, within the protocol's
 * limit. */
static gboolean
vgmRemoteCheckMax(int max, GError **error)
{
    if (max < 0 || max > VGM_REMOTE_DOMAIN_LIST_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the number of domains asked for (%1$d) is outside 0..%2$d"),
                    max, VGM_REMOTE_DOMAIN_LIST_MAX);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectListDomains(VgmRemoteClient *client,
                                    const VgmRemoteConnectListDomainsArgs *args,
                                    VgmRemoteConnectListDomainsRet *ret, GError **error)
{
    g_autoptr(GPtrArray) doms = NULL;
    guint i;

    if (!vgmRemoteCheckMax(args->maxids, error) ||
        !(doms = vgmDriverListDomainsFlags(client->drv, VGM_LIST_DOMAINS_ACTIVE,
                                           VGM_DRIVER_LOOKUP_BRIEF, error)))
        return FALSE;
    ret->ids.len = MIN(doms->len, (guint)args->maxids);
    ret->ids.val = g_new0(gint32, ret->ids.len + 1);
    for (i = 0; i < ret->ids.len; i++)
        ret->ids.val[i] = ((VgmDriverDomain *)g_ptr_array_index(doms, i))->id;
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectListDefinedDomains(VgmRemoteClient *client,
                                           const VgmRemoteConnectListDefinedDomainsArgs *args,
                                           VgmRemoteConnectListDefinedDomainsRet *ret,
                                           GError **error)
{
    g_autoptr(GPtrArray) doms = NULL;
    guint i;

    if (!vgmRemoteCheckMax(args->maxnames, error) ||
        !(doms = vgmDriverListDomainsFlags(client->drv, VGM_LIST_DOMAINS_INACTIVE,
                                           VGM_DRIVER_LOOKUP_BRIEF, error)))
        return FALSE;
    ret->names.len = MIN(doms->len, (guint)args->maxnames);
    ret->names.val = g_new0(char *, ret->names.len + 1);
    for (i = 0; i < ret->names.len; i++)
        ret->names.val[i] = g_strdup(((VgmDriverDomain *)g_ptr_array_index(doms, i))->name);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainLookupByName(VgmRemoteClient *client,
                                    const VgmRemoteDomainLookupByNameArgs *args,
                                    VgmRemoteDomainLookupByNameRet *ret, GError **error)
{
    return vgmRemoteReturnDomain(vgmDriverLookupByNameFlags(client->drv, args->name,
                                                            VGM_DRIVER_LOOKUP_BRIEF, error),
                                 &ret->dom);
}

gboolean
vgmRemoteDispatchDomainLookupByUuid(VgmRemoteClient *client,
                                    const VgmRemoteDomainLookupByUuidArgs *args,
                                    VgmRemoteDomainLookupByUuidRet *ret, GError **error)
{
    return vgmRemoteReturnDomain(vgmDriverLookupByUUIDFlags(client->drv, args->uuid,
                                                            VGM_DRIVER_LOOKUP_BRIEF, error),
                                 &ret->dom);
}

gboolean
vgmRemoteDispatchDomainLookupById(VgmRemoteClient *client,
                                  const VgmRemoteDomainLookupByIdArgs *args,
                                  VgmRemoteDomainLookupByIdRet *ret, GError **error)
{
    return vgmRemoteReturnDomain(vgmDriverLookupByID(client->drv, args->id, error), &ret->dom);
}

/* ---- definition and lifecycle ---- */

/* libvirt's virDomainDefineFlags: VALIDATE (1) checks the schema, which
 * our parser's rules do already. */
#define VGM_DEFINE_VALIDATE 1u

static gboolean
vgmRemoteDefine(VgmRemoteClient *client, const char *xml, unsigned int flags,
                VgmRemoteNonnullDomain *out, GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_DEFINE_VALIDATE, error))
        return FALSE;
    return vgmRemoteReturnDomain(vgmDriverDefineXML(client->drv, xml, NULL, error), out);
}

gboolean
vgmRemoteDispatchDomainDefineXml(VgmRemoteClient *client,
                                 const VgmRemoteDomainDefineXmlArgs *args,
                                 VgmRemoteDomainDefineXmlRet *ret, GError **error)
{
    return vgmRemoteDefine(client, args->xml, 0, &ret->dom, error);
}

gboolean
vgmRemoteDispatchDomainDefineXmlFlags(VgmRemoteClient *client,
                                      const VgmRemoteDomainDefineXmlFlagsArgs *args,
                                      VgmRemoteDomainDefineXmlFlagsRet *ret, GError **error)
{
    return vgmRemoteDefine(client, args->xml, args->flags, &ret->dom, error);
}

/* Run @dom, which @client started with AUTODESTROY, ends with it */
static void
vgmRemoteAutodestroyAdd(VgmRemoteClient *client, const VgmDriverDomain *dom)
{
    VgmRemoteMigrationRef *ref = g_new0(VgmRemoteMigrationRef, 1);

    if (!dom->status) {
        g_free(ref);
        return;
    }
    ref->name = g_strdup(dom->name);
    ref->id = (guint64)dom->status->id;
    g_mutex_lock(&client->lock);
    g_ptr_array_add(client->autodestroy, ref);
    g_mutex_unlock(&client->lock);
}

gboolean
vgmRemoteDispatchDomainCreateXml(VgmRemoteClient *client,
                                 const VgmRemoteDomainCreateXmlArgs *args,
                                 VgmRemoteDomainCreateXmlRet *ret, GError **error)
{
    VgmDriverDomain *dom = vgmDriverCreateXML(client->drv, args->xml_desc, NULL, args->flags,
                                              error);

    if (dom && (args->flags & VGM_CREATE_AUTODESTROY))
        vgmRemoteAutodestroyAdd(client, dom);
    return vgmRemoteReturnDomain(dom, &ret->dom);
}

/* Runs @op on the domain @d names; the uuid decides which. */
static gboolean
vgmRemoteDomainOp(VgmRemoteClient *client, const VgmRemoteNonnullDomain *d, unsigned int flags,
                  gboolean (*op)(VgmDriver *, const char *, unsigned int, GError **),
                  GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmRemoteGetDomain(client, d, error);

    return dom && op(client->drv, dom->name, flags, error);
}

gboolean
vgmRemoteDispatchDomainCreate(VgmRemoteClient *client, const VgmRemoteDomainCreateArgs *args,
                              GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmRemoteGetDomain(client, &args->dom, error);
    g_autoptr(VgmDriverDomain) started = NULL;

    return dom && (started = vgmDriverStart(client->drv, dom->name, 0, error));
}

gboolean
vgmRemoteDispatchDomainCreateWithFlags(VgmRemoteClient *client,
                                       const VgmRemoteDomainCreateWithFlagsArgs *args,
                                       VgmRemoteDomainCreateWithFlagsRet *ret, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmRemoteGetDomain(client, &args->dom, error);
    g_autoptr(VgmDriverDomain) started = NULL;

    if (!dom || !(started = vgmDriverStart(client->drv, dom->name, args->flags, error)))
        return FALSE;
    if (args->flags & VGM_CREATE_AUTODESTROY)
        vgmRemoteAutodestroyAdd(client, started);
    vgmRemoteMakeDomain(&ret->dom, started);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainUndefine(VgmRemoteClient *client, const VgmRemoteDomainUndefineArgs *args,
                                GError **error)
{
    return vgmRemoteDomainOp(client, &args->dom, 0, vgmDriverUndefine, error);
}

gboolean
vgmRemoteDispatchDomainUndefineFlags(VgmRemoteClient *client,
                                     const VgmRemoteDomainUndefineFlagsArgs *args,
                                     GError **error)
{
    return vgmRemoteDomainOp(client, &args->dom, args->flags, vgmDriverUndefine, error);
}

gboolean
vgmRemoteDispatchDomainDestroy(VgmRemoteClient *client, const VgmRemoteDomainDestroyArgs *args,
                               GError **error)
{
    return vgmRemoteDomainOp(client, &args->dom, 0, vgmDriverDestroy, error);
}

gboolean
vgmRemoteDispatchDomainDestroyFlags(VgmRemoteClient *client,
                                    const VgmRemoteDomainDestroyFlagsArgs *args, GError **error)
{
    return vgmRemoteDomainOp(client, &args->dom, args->flags, vgmDriverDestroy, error);
}

gboolean
vgmRemoteDispatchDomainShutdown(VgmRemoteClient *client, const VgmRemoteDomainShutdownArgs *args,
                                GError **error)
{
    return vgmRemoteDomainOp(client, &args->dom, 0, vgmDriverShutdown, error);
}

gboolean
vgmRemoteDispatchDomainShutdownFlags(VgmRemoteClient *client,
                                     const VgmRemoteDomainShutdownFlagsArgs *args,
                                     GError **error)
{
    return vgmRemoteDomainOp(client, &args->dom, args->flags, vgmDriverShutdown, error);
}

gboolean
vgmRemoteDispatchDomainOpenGraphicsFd(VgmRemoteClient *client,
                                      const VgmRemoteDomainOpenGraphicsFdArgs *args,
                                      GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmRemoteGetDomain(client, &args->dom, error);
    int fd;

    if (!dom ||
        (fd = vgmDriverOpenGraphicsFD(client->drv, dom->name, args->idx, args->flags, error)) < 0)
        return FALSE;
    vgmRemoteCallEnd->replyFd = fd;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSuspend(VgmRemoteClient *client, const VgmRemoteDomainSuspendArgs *args,
                               GError **error)
{
    return vgmRemoteDomainOp(client, &args->dom, 0, vgmDriverSuspend, error);
}

gboolean
vgmRemoteDispatchDomainResume(VgmRemoteClient *client, const VgmRemoteDomainResumeArgs *args,
                              GError **error)
{
    return vgmRemoteDomainOp(client, &args->dom, 0, vgmDriverResume, error);
}

/* ---- reading a domain ---- */

/* Declares @dom, the domain @args->dom names, and fails the call when
 * there is none. */
#define VGM_REMOTE_GET_DOMAIN(dom) \
    g_autoptr(VgmDriverDomain) dom = vgmRemoteGetDomain(client, &args->dom, error); \
    if (!dom) \
        return FALSE
/* The same, with dom->def. */
#define VGM_REMOTE_GET_DOMAIN_DEF(dom) \
    g_autoptr(VgmDriverDomain) dom = vgmRemoteGetDomain(client, &args->dom, error); \
    if (!dom || !vgmDriverDomainFillDef(vgmDriverGetStore(client->drv), dom, error)) \
        return FALSE

/* VIR_DOMAIN_XML_SECURE shows secrets: not on a read-only connection,
 * which gets no secrets in the migratable form either. */

gboolean
vgmRemoteDispatchDomainGetXmlDesc(VgmRemoteClient *client,
                                  const VgmRemoteDomainGetXmlDescArgs *args,
                                  VgmRemoteDomainGetXmlDescRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    if ((args->flags & VGM_DOMAIN_XML_SECURE) && client->readonly) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("virDomainGetXMLDesc with secure flag is forbidden on a read-only connection"));
        return FALSE;
    }
    if (!(ret->xml = vgmDriverGetXMLDesc(client->drv, dom, args->flags, error)))
        return FALSE;
    /* (nor through the migratable form, which carries them; libvirt's
     * client library refuses that form on a read-only connection) */
    if (client->readonly && (args->flags & VGM_DOMAIN_XML_MIGRATABLE)) {
        g_autofree char *full = ret->xml;

        ret->xml = vgmDomainXMLHideSecrets(full);
    }
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetInfo(VgmRemoteClient *client, const VgmRemoteDomainGetInfoArgs *args,
                               VgmRemoteDomainGetInfoRet *ret, GError **error)
{
    VgmDriverDomainInfo info;

    VGM_REMOTE_GET_DOMAIN_DEF(dom);
    vgmDriverGetInfo(dom, &info);
    ret->state = info.state;
    ret->maxMem = info.maxMemKiB;
    ret->memory = info.memoryKiB;
    ret->nrVirtCpu = info.nrVirtCpu;
    ret->cpuTime = info.cpuTimeNs;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetState(VgmRemoteClient *client, const VgmRemoteDomainGetStateArgs *args,
                                VgmRemoteDomainGetStateRet *ret, GError **error)
{
    if (!vgmDriverCheckFlags(args->flags, 0, error))
        return FALSE;
    {
        VGM_REMOTE_GET_DOMAIN(dom);
        ret->state = dom->state;
        ret->reason = vgmDriverGetStateReason(dom);
    }
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainIsActive(VgmRemoteClient *client, const VgmRemoteDomainIsActiveArgs *args,
                                VgmRemoteDomainIsActiveRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    ret->active = vgmDriverDomainIsActive(dom);
    return TRUE;
}

/* libvirt's QEMU driver never marks a domain updated: 0 for every
 * domain there is */
gboolean
vgmRemoteDispatchDomainIsUpdated(VgmRemoteClient *client, const VgmRemoteDomainIsUpdatedArgs *args,
                                 VgmRemoteDomainIsUpdatedRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    ret->updated = 0;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainIsPersistent(VgmRemoteClient *client,
                                    const VgmRemoteDomainIsPersistentArgs *args,
                                    VgmRemoteDomainIsPersistentRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    ret->persistent = dom->persistent;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetAutostart(VgmRemoteClient *client,
                                    const VgmRemoteDomainGetAutostartArgs *args,
                                    VgmRemoteDomainGetAutostartRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    ret->autostart = vgmDriverGetAutostart(client->drv, dom) ? 1 : 0;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSetAutostart(VgmRemoteClient *client,
                                    const VgmRemoteDomainSetAutostartArgs *args,
                                    GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetAutostart(client->drv, dom->name, args->autostart != 0, error);
}

/* virDomainSetMaxMemory: the maximum, of the live domain if it runs
 * (which is refused), else of its config */
gboolean
vgmRemoteDispatchDomainSetMaxMemory(VgmRemoteClient *client,
                                    const VgmRemoteDomainSetMaxMemoryArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetMemory(client->drv, dom->name, args->memory, VGM_DOMAIN_MEM_MAXIMUM, error);
}

/* virDomainSetVcpus: the live domain's */
gboolean
vgmRemoteDispatchDomainSetVcpus(VgmRemoteClient *client, const VgmRemoteDomainSetVcpusArgs *args,
                                GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetVcpus(client->drv, dom->name, args->nvcpus, VGM_DOMAIN_AFFECT_LIVE, error);
}

gboolean
vgmRemoteDispatchDomainSetVcpusFlags(VgmRemoteClient *client,
                                     const VgmRemoteDomainSetVcpusFlagsArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetVcpus(client->drv, dom->name, args->nvcpus, args->flags, error);
}

/* virDomainSetMemory: the live domain's balloon */
gboolean
vgmRemoteDispatchDomainSetMemory(VgmRemoteClient *client, const VgmRemoteDomainSetMemoryArgs *args,
                                 GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetMemory(client->drv, dom->name, args->memory, VGM_DOMAIN_AFFECT_LIVE, error);
}

gboolean
vgmRemoteDispatchDomainSetMemoryFlags(VgmRemoteClient *client,
                                      const VgmRemoteDomainSetMemoryFlagsArgs *args,
                                      GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetMemory(client->drv, dom->name, args->memory, args->flags, error);
}

/* A device change of the domain @dom names; virDomainAttachDevice and
 * virDomainDetachDevice are their flags calls with AFFECT_LIVE, as in
 * libvirt */
static gboolean
vgmRemoteDeviceOp(VgmRemoteClient *client, const VgmRemoteNonnullDomain *ref, const char *xml,
                  VgmDriverDeviceOp op, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmRemoteGetDomain(client, ref, error);

    return dom && vgmDriverChangeDevice(client->drv, dom->name, xml, op, flags, error);
}

gboolean
vgmRemoteDispatchDomainAttachDevice(VgmRemoteClient *client,
                                    const VgmRemoteDomainAttachDeviceArgs *args, GError **error)
{
    return vgmRemoteDeviceOp(client, &args->dom, args->xml, VGM_DRIVER_DEVICE_ATTACH,
                             VGM_DOMAIN_AFFECT_LIVE, error);
}

gboolean
vgmRemoteDispatchDomainAttachDeviceFlags(VgmRemoteClient *client,
                                         const VgmRemoteDomainAttachDeviceFlagsArgs *args,
                                         GError **error)
{
    return vgmRemoteDeviceOp(client, &args->dom, args->xml, VGM_DRIVER_DEVICE_ATTACH,
                             args->flags, error);
}

gboolean
vgmRemoteDispatchDomainDetachDevice(VgmRemoteClient *client,
                                    const VgmRemoteDomainDetachDeviceArgs *args, GError **error)
{
    return vgmRemoteDeviceOp(client, &args->dom, args->xml, VGM_DRIVER_DEVICE_DETACH,
                             VGM_DOMAIN_AFFECT_LIVE, error);
}

gboolean
vgmRemoteDispatchDomainDetachDeviceFlags(VgmRemoteClient *client,
                                         const VgmRemoteDomainDetachDeviceFlagsArgs *args,
                                         GError **error)
{
    return vgmRemoteDeviceOp(client, &args->dom, args->xml, VGM_DRIVER_DEVICE_DETACH,
                             args->flags, error);
}

gboolean
vgmRemoteDispatchDomainDetachDeviceAlias(VgmRemoteClient *client,
                                         const VgmRemoteDomainDetachDeviceAliasArgs *args,
                                         GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmRemoteGetDomain(client, &args->dom, error);

    return dom && vgmDriverDetachDeviceAlias(client->drv, dom->name, args->alias, args->flags,
                                             error);
}

gboolean
vgmRemoteDispatchDomainUpdateDeviceFlags(VgmRemoteClient *client,
                                         const VgmRemoteDomainUpdateDeviceFlagsArgs *args,
                                         GError **error)
{
    return vgmRemoteDeviceOp(client, &args->dom, args->xml, VGM_DRIVER_DEVICE_UPDATE,
                             args->flags, error);
}

gboolean
vgmRemoteDispatchDomainReboot(VgmRemoteClient *client, const VgmRemoteDomainRebootArgs *args,
                              GError **error)
{
    return vgmRemoteDomainOp(client, &args->dom, args->flags, vgmDriverReboot, error);
}

gboolean
vgmRemoteDispatchDomainReset(VgmRemoteClient *client, const VgmRemoteDomainResetArgs *args,
                             GError **error)
{
    return vgmRemoteDomainOp(client, &args->dom, args->flags, vgmDriverReset, error);
}

gboolean
vgmRemoteDispatchDomainHasManagedSaveImage(VgmRemoteClient *client,
                                           const VgmRemoteDomainHasManagedSaveImageArgs *args,
                                           VgmRemoteDomainHasManagedSaveImageRet *ret,
                                           GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverCheckFlags(args->flags, 0, error))
        return FALSE;
    ret->result = vgmDriverHasManagedSave(client->drv, dom->name);
    return TRUE;
}

/* ---- save and restore ---- */

/* libvirt's client library makes the path absolute (virsh save FILE) */

gboolean
vgmRemoteDispatchDomainSave(VgmRemoteClient *client, const VgmRemoteDomainSaveArgs *args,
                            GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSave(client->drv, dom->name, args->to, NULL, 0, error);
}

gboolean
vgmRemoteDispatchDomainSaveFlags(VgmRemoteClient *client,
                                 const VgmRemoteDomainSaveFlagsArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSave(client->drv, dom->name, args->to, vgmRemoteOptString(args->dxml),
                         args->flags, error);
}

gboolean
vgmRemoteDispatchDomainRestore(VgmRemoteClient *client, const VgmRemoteDomainRestoreArgs *args,
                               GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmDriverRestore(client->drv, args->from, NULL, 0, error);

    return dom != NULL;
}

gboolean
vgmRemoteDispatchDomainRestoreFlags(VgmRemoteClient *client,
                                    const VgmRemoteDomainRestoreFlagsArgs *args, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    return (dom = vgmDriverRestore(client->drv, args->from, vgmRemoteOptString(args->dxml),
                                   args->flags, error)) != NULL;
}

static GPtrArray *vgmRemoteTypedParamsGet(const VgmRemoteTypedParam *val, guint32 len);

gboolean
vgmRemoteDispatchDomainSaveParams(VgmRemoteClient *client,
                                  const VgmRemoteDomainSaveParamsArgs *args, GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);

    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSaveParams(client->drv, dom->name, params, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainRestoreParams(VgmRemoteClient *client,
                                     const VgmRemoteDomainRestoreParamsArgs *args, GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);
    g_autoptr(VgmDriverDomain) dom = vgmDriverRestoreParams(client->drv, params, args->flags,
                                                             error);

    return dom != NULL;
}

/* A peek's bytes as the answer's opaque buffer */
static gboolean
vgmRemotePeekSet(GBytes *bytes, guint32 *len, guint8 **val)
{
    gsize size = 0;
    gconstpointer data;

    if (!bytes)
        return FALSE;
    data = g_bytes_get_data(bytes, &size);
    *len = (guint32)size;
    *val = g_memdup2(data, MAX(size, 1));
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainBlockPeek(VgmRemoteClient *client, const VgmRemoteDomainBlockPeekArgs *args,
                                 VgmRemoteDomainBlockPeekRet *ret, GError **error)
{
    g_autoptr(GBytes) bytes = NULL;

    VGM_REMOTE_GET_DOMAIN(dom);
    bytes = vgmDriverBlockPeek(client->drv, dom->name, args->path, args->offset, args->size,
                               args->flags, error);
    return vgmRemotePeekSet(bytes, &ret->buffer.len, &ret->buffer.val);
}

gboolean
vgmRemoteDispatchDomainMemoryPeek(VgmRemoteClient *client,
                                  const VgmRemoteDomainMemoryPeekArgs *args,
                                  VgmRemoteDomainMemoryPeekRet *ret, GError **error)
{
    g_autoptr(GBytes) bytes = NULL;

    VGM_REMOTE_GET_DOMAIN(dom);
    bytes = vgmDriverMemoryPeek(client->drv, dom->name, args->offset, args->size, args->flags,
                                error);
    return vgmRemotePeekSet(bytes, &ret->buffer.len, &ret->buffer.val);
}

gboolean
vgmRemoteDispatchDomainManagedSave(VgmRemoteClient *client,
                                   const VgmRemoteDomainManagedSaveArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSave(client->drv, dom->name, NULL, NULL, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainManagedSaveRemove(VgmRemoteClient *client,
                                         const VgmRemoteDomainManagedSaveRemoveArgs *args,
                                         GError **error)
{
    return vgmRemoteDomainOp(client, &args->dom, args->flags, vgmDriverManagedSaveRemove, error);
}

/* The secure flag (1, VIR_DOMAIN_SAVE_IMAGE_XML_SECURE) shows secrets:
 * not on a read-only connection. */
static gboolean
vgmRemoteCheckSecure(VgmRemoteClient *client, unsigned int flags, GError **error)
{
    if ((flags & VGM_DOMAIN_XML_SECURE) && client->readonly) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, "%s",
                    _("the XML of a save image with its secrets is forbidden on a read-only connection"));
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSaveImageGetXmlDesc(VgmRemoteClient *client,
                                           const VgmRemoteDomainSaveImageGetXmlDescArgs *args,
                                           VgmRemoteDomainSaveImageGetXmlDescRet *ret,
                                           GError **error)
{
    return vgmRemoteCheckSecure(client, args->flags, error) &&
           (ret->xml = vgmDriverSaveImageGetXML(client->drv, NULL, args->file, args->flags,
                                                error)) != NULL;
}

gboolean
vgmRemoteDispatchDomainManagedSaveGetXmlDesc(VgmRemoteClient *client,
                                             const VgmRemoteDomainManagedSaveGetXmlDescArgs *args,
                                             VgmRemoteDomainManagedSaveGetXmlDescRet *ret,
                                             GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmRemoteCheckSecure(client, args->flags, error) &&
           (ret->xml = vgmDriverSaveImageGetXML(client->drv, dom->name, NULL, args->flags,
                                                error)) != NULL;
}

gboolean
vgmRemoteDispatchDomainSaveImageDefineXml(VgmRemoteClient *client,
                                          const VgmRemoteDomainSaveImageDefineXmlArgs *args,
                                          GError **error)
{
    return vgmDriverSaveImageDefine(client->drv, NULL, args->file, args->dxml, args->flags,
                                    error);
}

gboolean
vgmRemoteDispatchDomainManagedSaveDefineXml(VgmRemoteClient *client,
                                            const VgmRemoteDomainManagedSaveDefineXmlArgs *args,
                                            GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSaveImageDefine(client->drv, dom->name, NULL,
                                    args->dxml ? *args->dxml : NULL, args->flags, error);
}

/* ---- snapshots ---- */

#define VGM_REMOTE_SNAPSHOT_LIST_FLAGS ((VGM_SNAPSHOT_LIST_TOPOLOGICAL << 1) - 1)
/* virDomainSnapshotXMLFlags: SECURE */
#define VGM_REMOTE_SNAPSHOT_XML_SECURE (1u << 0)

/* The domain of snapshot @s, which must exist */
static VgmDriverDomain *
vgmRemoteGetSnapshotDomain(VgmRemoteClient *client, const VgmRemoteNonnullDomainSnapshot *s,
                           GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmRemoteGetDomain(client, &s->dom, error);

    if (!dom || !vgmDriverSnapshotLookup(vgmDriverGetStore(client->drv), dom->name, s->name,
                                         error))
        return NULL;
    return g_steal_pointer(&dom);
}

#define VGM_REMOTE_GET_SNAPSHOT(dom, field) \
    g_autoptr(VgmDriverDomain) dom = vgmRemoteGetSnapshotDomain(client, &args->field, error); \
    if (!dom) \
        return FALSE

static void
vgmRemoteMakeSnapshot(VgmRemoteNonnullDomainSnapshot *out, const VgmDriverDomain *dom,
                      const char *name)
{
    out->name = g_strdup(name);
    vgmRemoteMakeDomain(&out->dom, dom);
}

/* Names (@names, taken) as a list of snapshots of @dom, or their count */
static gboolean
vgmRemoteSnapshotList(const VgmDriverDomain *dom, GPtrArray *names, int needResults,
                      guint32 *len, VgmRemoteNonnullDomainSnapshot **val, gint32 *count,
                      GError **error)
{
    g_autoptr(GPtrArray) owned = names;

    if (!owned)
        return FALSE;
    if (owned->len > VGM_REMOTE_DOMAIN_SNAPSHOT_LIST_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("too many snapshots (%1$u) for a reply, the limit is %2$d"),
                    owned->len, VGM_REMOTE_DOMAIN_SNAPSHOT_LIST_MAX);
        return FALSE;
    }
    if (needResults) {
        *len = owned->len;
        *val = g_new0(VgmRemoteNonnullDomainSnapshot, owned->len);
        for (guint i = 0; i < owned->len; i++)
            vgmRemoteMakeSnapshot(&(*val)[i], dom, g_ptr_array_index(owned, i));
    }
    *count = owned->len;
    return TRUE;
}

/* Names (@names, taken) as a reply's list of at most @maxnames */
static gboolean
vgmRemoteSnapshotNames(GPtrArray *names, int maxnames, guint32 *len, char ***val,
                       GError **error)
{
    g_autoptr(GPtrArray) owned = names;

    if (!owned || !vgmRemoteCheckMax(maxnames, error))
        return FALSE;
    *len = MIN(owned->len, (guint)maxnames);
    *val = g_new0(char *, *len + 1);
    for (guint i = 0; i < *len; i++)
        (*val)[i] = g_strdup(g_ptr_array_index(owned, i));
    return TRUE;
}

static gboolean
vgmRemoteSnapshotCount(GPtrArray *names, gint32 *num)
{
    g_autoptr(GPtrArray) owned = names;

    if (!owned)
        return FALSE;
    *num = owned->len;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSnapshotNum(VgmRemoteClient *client,
                                   const VgmRemoteDomainSnapshotNumArgs *args,
                                   VgmRemoteDomainSnapshotNumRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverCheckFlags(args->flags, VGM_REMOTE_SNAPSHOT_LIST_FLAGS, error) &&
           vgmRemoteSnapshotCount(vgmDriverSnapshotList(vgmDriverGetStore(client->drv), dom->name,
                                                        NULL, args->flags, error),
                                  &ret->num);
}

gboolean
vgmRemoteDispatchDomainSnapshotListNames(VgmRemoteClient *client,
                                         const VgmRemoteDomainSnapshotListNamesArgs *args,
                                         VgmRemoteDomainSnapshotListNamesRet *ret,
                                         GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverCheckFlags(args->flags, VGM_REMOTE_SNAPSHOT_LIST_FLAGS, error) &&
           vgmRemoteSnapshotNames(vgmDriverSnapshotList(vgmDriverGetStore(client->drv), dom->name,
                                                        NULL, args->flags, error),
                                  args->maxnames, &ret->names.len, &ret->names.val, error);
}

gboolean
vgmRemoteDispatchDomainListAllSnapshots(VgmRemoteClient *client,
                                        const VgmRemoteDomainListAllSnapshotsArgs *args,
                                        VgmRemoteDomainListAllSnapshotsRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverCheckFlags(args->flags, VGM_REMOTE_SNAPSHOT_LIST_FLAGS, error) &&
           vgmRemoteSnapshotList(dom, vgmDriverSnapshotList(vgmDriverGetStore(client->drv),
                                                            dom->name, NULL, args->flags, error),
                                 args->need_results, &ret->snapshots.len, &ret->snapshots.val,
                                 &ret->ret, error);
}

gboolean
vgmRemoteDispatchDomainSnapshotNumChildren(VgmRemoteClient *client,
                                           const VgmRemoteDomainSnapshotNumChildrenArgs *args,
                                           VgmRemoteDomainSnapshotNumChildrenRet *ret,
                                           GError **error)
{
    VGM_REMOTE_GET_SNAPSHOT(dom, snap);
    return vgmDriverCheckFlags(args->flags, VGM_REMOTE_SNAPSHOT_LIST_FLAGS, error) &&
           vgmRemoteSnapshotCount(vgmDriverSnapshotList(vgmDriverGetStore(client->drv), dom->name,
                                                        args->snap.name, args->flags, error),
                                  &ret->num);
}

gboolean
vgmRemoteDispatchDomainSnapshotListChildrenNames(VgmRemoteClient *client,
                                                 const VgmRemoteDomainSnapshotListChildrenNamesArgs *args,
                                                 VgmRemoteDomainSnapshotListChildrenNamesRet *ret,
                                                 GError **error)
{
    VGM_REMOTE_GET_SNAPSHOT(dom, snap);
    return vgmDriverCheckFlags(args->flags, VGM_REMOTE_SNAPSHOT_LIST_FLAGS, error) &&
           vgmRemoteSnapshotNames(vgmDriverSnapshotList(vgmDriverGetStore(client->drv), dom->name,
                                                        args->snap.name, args->flags, error),
                                  args->maxnames, &ret->names.len, &ret->names.val, error);
}

gboolean
vgmRemoteDispatchDomainSnapshotListAllChildren(VgmRemoteClient *client,
                                               const VgmRemoteDomainSnapshotListAllChildrenArgs *args,
                                               VgmRemoteDomainSnapshotListAllChildrenRet *ret,
                                               GError **error)
{
    VGM_REMOTE_GET_SNAPSHOT(dom, snapshot);
    return vgmDriverCheckFlags(args->flags, VGM_REMOTE_SNAPSHOT_LIST_FLAGS, error) &&
           vgmRemoteSnapshotList(dom, vgmDriverSnapshotList(vgmDriverGetStore(client->drv),
                                                            dom->name, args->snapshot.name,
                                                            args->flags, error),
                                 args->need_results, &ret->snapshots.len, &ret->snapshots.val,
                                 &ret->ret, error);
}

gboolean
vgmRemoteDispatchDomainSnapshotCreateXml(VgmRemoteClient *client,
                                         const VgmRemoteDomainSnapshotCreateXmlArgs *args,
                                         VgmRemoteDomainSnapshotCreateXmlRet *ret,
                                         GError **error)
{
    g_autofree char *snap = NULL;
    g_autoptr(VgmDriverDomain) after = NULL;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverSnapshotTake(client->drv, dom->name, args->xml_desc, args->flags, &snap, error))
        return FALSE;
    /* (its id, which a halt ended) */
    after = vgmDriverLookupByNameFlags(client->drv, dom->name, VGM_DRIVER_LOOKUP_BRIEF, NULL);
    vgmRemoteMakeSnapshot(&ret->snap, after ? after : dom, snap);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSnapshotGetXmlDesc(VgmRemoteClient *client,
                                          const VgmRemoteDomainSnapshotGetXmlDescArgs *args,
                                          VgmRemoteDomainSnapshotGetXmlDescRet *ret,
                                          GError **error)
{
    VGM_REMOTE_GET_SNAPSHOT(dom, snap);
    if (!vgmDriverCheckFlags(args->flags, VGM_REMOTE_SNAPSHOT_XML_SECURE, error))
        return FALSE;
    if ((args->flags & VGM_REMOTE_SNAPSHOT_XML_SECURE) && client->readonly) {
        vgmErrorSet(error, VGM_ERR_OPERATION_DENIED, "%s",
                    _("virDomainSnapshotGetXMLDesc with secure flag is forbidden on a read-only connection"));
        return FALSE;
    }
    return (ret->xml = vgmDriverSnapshotGetXML(vgmDriverGetStore(client->drv), dom->name,
                                               args->snap.name,
                                               args->flags & VGM_REMOTE_SNAPSHOT_XML_SECURE,
                                               error)) != NULL;
}

gboolean
vgmRemoteDispatchDomainSnapshotLookupByName(VgmRemoteClient *client,
                                            const VgmRemoteDomainSnapshotLookupByNameArgs *args,
                                            VgmRemoteDomainSnapshotLookupByNameRet *ret,
                                            GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverCheckFlags(args->flags, 0, error) ||
        !vgmDriverSnapshotLookup(vgmDriverGetStore(client->drv), dom->name, args->name, error))
        return FALSE;
    vgmRemoteMakeSnapshot(&ret->snap, dom, args->name);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainHasCurrentSnapshot(VgmRemoteClient *client,
                                          const VgmRemoteDomainHasCurrentSnapshotArgs *args,
                                          VgmRemoteDomainHasCurrentSnapshotRet *ret,
                                          GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *current = NULL;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverCheckFlags(args->flags, 0, error))
        return FALSE;
    current = vgmDriverSnapshotCurrent(vgmDriverGetStore(client->drv), dom->name, &err);
    if (err) {
        g_propagate_error(error, g_steal_pointer(&err));
        return FALSE;
    }
    ret->result = current != NULL;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSnapshotCurrent(VgmRemoteClient *client,
                                       const VgmRemoteDomainSnapshotCurrentArgs *args,
                                       VgmRemoteDomainSnapshotCurrentRet *ret, GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *current = NULL;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverCheckFlags(args->flags, 0, error))
        return FALSE;
    if (!(current = vgmDriverSnapshotCurrent(vgmDriverGetStore(client->drv), dom->name, &err))) {
        if (err)
            g_propagate_error(error, g_steal_pointer(&err));
        else
            vgmErrorSet(error, VGM_ERR_NO_DOMAIN_SNAPSHOT,
                        _("domain '%1$s' has no current snapshot"), dom->name);
        return FALSE;
    }
    vgmRemoteMakeSnapshot(&ret->snap, dom, current);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSnapshotIsCurrent(VgmRemoteClient *client,
                                         const VgmRemoteDomainSnapshotIsCurrentArgs *args,
                                         VgmRemoteDomainSnapshotIsCurrentRet *ret,
                                         GError **error)
{
    g_autofree char *current = NULL;

    VGM_REMOTE_GET_SNAPSHOT(dom, snap);
    if (!vgmDriverCheckFlags(args->flags, 0, error))
        return FALSE;
    current = vgmDriverSnapshotCurrent(vgmDriverGetStore(client->drv), dom->name, NULL);
    ret->current = g_strcmp0(current, args->snap.name) == 0;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSnapshotHasMetadata(VgmRemoteClient *client,
                                           const VgmRemoteDomainSnapshotHasMetadataArgs *args,
                                           VgmRemoteDomainSnapshotHasMetadataRet *ret,
                                           GError **error)
{
    VGM_REMOTE_GET_SNAPSHOT(dom, snap);
    if (!vgmDriverCheckFlags(args->flags, 0, error))
        return FALSE;
    /* every snapshot the driver knows of is one of its files */
    ret->metadata = 1;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSnapshotGetParent(VgmRemoteClient *client,
                                         const VgmRemoteDomainSnapshotGetParentArgs *args,
                                         VgmRemoteDomainSnapshotGetParentRet *ret,
                                         GError **error)
{
    g_autofree char *parent = NULL;

    VGM_REMOTE_GET_SNAPSHOT(dom, snap);
    if (!vgmDriverCheckFlags(args->flags, 0, error) ||
        !(parent = vgmDriverSnapshotParent(vgmDriverGetStore(client->drv), dom->name,
                                           args->snap.name, error)))
        return FALSE;
    vgmRemoteMakeSnapshot(&ret->snap, dom, parent);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainRevertToSnapshot(VgmRemoteClient *client,
                                        const VgmRemoteDomainRevertToSnapshotArgs *args,
                                        GError **error)
{
    VGM_REMOTE_GET_SNAPSHOT(dom, snap);
    return vgmDriverSnapshotRevertTo(client->drv, dom->name, args->snap.name, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainSnapshotDelete(VgmRemoteClient *client,
                                      const VgmRemoteDomainSnapshotDeleteArgs *args,
                                      GError **error)
{
    VGM_REMOTE_GET_SNAPSHOT(dom, snap);
    return vgmDriverSnapshotRemove(client->drv, dom->name, args->snap.name, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainGetOsType(VgmRemoteClient *client, const VgmRemoteDomainGetOsTypeArgs *args,
                                 VgmRemoteDomainGetOsTypeRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN_DEF(dom);
    ret->type = g_strdup(dom->def->os.type ? dom->def->os.type : "hvm");
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetMaxMemory(VgmRemoteClient *client,
                                    const VgmRemoteDomainGetMaxMemoryArgs *args,
                                    VgmRemoteDomainGetMaxMemoryRet *ret, GError **error)
{
    VgmDriverDomainInfo info;

    VGM_REMOTE_GET_DOMAIN_DEF(dom);
    vgmDriverGetInfo(dom, &info);
    ret->memory = info.maxMemKiB;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetMaxVcpus(VgmRemoteClient *client,
                                   const VgmRemoteDomainGetMaxVcpusArgs *args,
                                   VgmRemoteDomainGetMaxVcpusRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN_DEF(dom);
    if (!vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("domain '%1$s' is not running"), dom->name);
        return FALSE;
    }
    ret->num = dom->def->vcpus;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetVcpusFlags(VgmRemoteClient *client,
                                     const VgmRemoteDomainGetVcpusFlagsArgs *args,
                                     VgmRemoteDomainGetVcpusFlagsRet *ret, GError **error)
{
    int n;
    VGM_REMOTE_GET_DOMAIN(dom);

    if ((n = vgmDriverGetVcpuCount(client->drv, dom, args->flags, error)) < 0)
        return FALSE;
    ret->num = n;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetSecurityLabel(VgmRemoteClient *client,
                                        const VgmRemoteDomainGetSecurityLabelArgs *args,
                                        VgmRemoteDomainGetSecurityLabelRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    /* no security driver: an empty label, not enforcing (what virsh
     * dominfo shows as model "none") */
    ret->label.len = 0;
    ret->enforcing = 0;
    return TRUE;
}

/* one label per security driver: the one of the "none" model */
gboolean
vgmRemoteDispatchDomainGetSecurityLabelList(VgmRemoteClient *client,
                                            const VgmRemoteDomainGetSecurityLabelListArgs *args,
                                            VgmRemoteDomainGetSecurityLabelListRet *ret,
                                            GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    ret->labels.len = 1;
    ret->labels.val = g_new0(VgmRemoteDomainGetSecurityLabelRet, 1);
    ret->ret = 1;
    return TRUE;
}

gboolean
vgmRemoteDispatchNodeGetSecurityModel(VgmRemoteClient *client,
                                      VgmRemoteNodeGetSecurityModelRet *ret, GError **error)
{
    /* no security driver: libvirt's "none" model, DOI 0; as libvirt
     * sends them, with their NUL */
    ret->model.len = sizeof("none");
    ret->model.val = g_memdup2("none", sizeof("none"));
    ret->doi.len = sizeof("0");
    ret->doi.val = g_memdup2("0", sizeof("0"));
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetMessages(VgmRemoteClient *client,
                                   const VgmRemoteDomainGetMessagesArgs *args,
                                   VgmRemoteDomainGetMessagesRet *ret, GError **error)
{
    g_auto(GStrv) msgs = NULL;
    VGM_REMOTE_GET_DOMAIN(dom);

    if (!(msgs = vgmDriverGetMessages(client->drv, dom, args->flags, error)))
        return FALSE;
    ret->msgs.len = g_strv_length(msgs);
    ret->msgs.val = (VgmRemoteNonnullString *)g_steal_pointer(&msgs);
    return TRUE;
}

/* ---- events ---- */

/* The domain of an event message, as the wire names it */
static void
vgmRemoteEventDomainSet(VgmRemoteNonnullDomain *out, const VgmEventDomain *dom)
{
    out->name = dom->name;
    memcpy(out->uuid, dom->uuid, 16);
    out->id = dom->id;
}

static void vgmRemoteTypedParamsSet(VgmRemoteTypedParam **val, guint32 *len,
                                    const GPtrArray *params, guint max);

static void
vgmRemoteEventLifecycle(int callbackID, int eventID, const VgmEventDomain *dom,
                        int event, int detail, const char *str, const char *str2,
                        unsigned long long num, const GPtrArray *params, gpointer opaque)
{
    VgmRemoteClient *client = opaque;
    VgmRemoteDomainEventCallbackLifecycleMsg msg = { 0 };

    if (eventID == VGM_EVENT_ID_MIGRATION_ITERATION) {
        VgmRemoteDomainEventCallbackMigrationIterationMsg it = { 0 };

        it.callbackID = callbackID;
        vgmRemoteEventDomainSet(&it.dom, dom);
        it.iteration = event;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION,
                                vgmRemoteXdrDomainEventCallbackMigrationIterationMsg, &it);
        return;
    }

    if (eventID == VGM_EVENT_ID_JOB_COMPLETED && params) {
        VgmRemoteDomainEventCallbackJobCompletedMsg jc = { 0 };

        jc.callbackID = callbackID;
        vgmRemoteEventDomainSet(&jc.dom, dom);
        vgmRemoteTypedParamsSet(&jc.params.val, &jc.params.len, params,
                                VGM_REMOTE_DOMAIN_JOB_STATS_MAX);
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED,
                                vgmRemoteXdrDomainEventCallbackJobCompletedMsg, &jc);
        /* (the domain's name is borrowed: only the parameters go) */
        jc.dom.name = NULL;
        vgmXdrFree(vgmRemoteXdrDomainEventCallbackJobCompletedMsg, &jc);
        return;
    }

    if (eventID == VGM_EVENT_ID_TUNABLE && params) {
        VgmRemoteDomainEventCallbackTunableMsg tunable = { 0 };

        tunable.callbackID = callbackID;
        vgmRemoteEventDomainSet(&tunable.dom, dom);
        vgmRemoteTypedParamsSet(&tunable.params.val, &tunable.params.len, params,
                                VGM_REMOTE_DOMAIN_EVENT_TUNABLE_MAX);
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_TUNABLE,
                                vgmRemoteXdrDomainEventCallbackTunableMsg, &tunable);
        /* (the domain's name is borrowed: only the parameters go) */
        tunable.dom.name = NULL;
        vgmXdrFree(vgmRemoteXdrDomainEventCallbackTunableMsg, &tunable);
        return;
    }

    if (eventID == VGM_EVENT_ID_BALLOON_CHANGE) {
        VgmRemoteDomainEventCallbackBalloonChangeMsg balloon = { 0 };

        balloon.callbackID = callbackID;
        vgmRemoteEventDomainSet(&balloon.msg.dom, dom);
        balloon.msg.actual = num;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE,
                                vgmRemoteXdrDomainEventCallbackBalloonChangeMsg, &balloon);
        return;
    }

    if (eventID == VGM_EVENT_ID_WATCHDOG) {
        VgmRemoteDomainEventCallbackWatchdogMsg wd = { 0 };

        wd.callbackID = callbackID;
        vgmRemoteEventDomainSet(&wd.msg.dom, dom);
        wd.msg.action = event;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_WATCHDOG,
                                vgmRemoteXdrDomainEventCallbackWatchdogMsg, &wd);
        return;
    }

    if (eventID == VGM_EVENT_ID_TRAY_CHANGE) {
        VgmRemoteDomainEventCallbackTrayChangeMsg tray = { 0 };

        tray.callbackID = callbackID;
        vgmRemoteEventDomainSet(&tray.msg.dom, dom);
        tray.msg.devAlias = (char *)(str ? str : "");
        tray.msg.reason = event;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_TRAY_CHANGE,
                                vgmRemoteXdrDomainEventCallbackTrayChangeMsg, &tray);
        return;
    }

    if (eventID == VGM_EVENT_ID_DISK_CHANGE) {
        VgmRemoteDomainEventCallbackDiskChangeMsg disk = { 0 };
        char *old = (char *)str2;

        disk.callbackID = callbackID;
        vgmRemoteEventDomainSet(&disk.msg.dom, dom);
        disk.msg.oldSrcPath = str2 ? &old : NULL;
        disk.msg.newSrcPath = NULL;
        disk.msg.devAlias = (char *)(str ? str : "");
        disk.msg.reason = event;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DISK_CHANGE,
                                vgmRemoteXdrDomainEventCallbackDiskChangeMsg, &disk);
        return;
    }

    if (eventID == VGM_EVENT_ID_DEVICE_REMOVED) {
        VgmRemoteDomainEventCallbackDeviceRemovedMsg removed = { 0 };

        removed.callbackID = callbackID;
        vgmRemoteEventDomainSet(&removed.msg.dom, dom);
        removed.msg.devAlias = (char *)(str ? str : "");
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED,
                                vgmRemoteXdrDomainEventCallbackDeviceRemovedMsg, &removed);
        return;
    }

    if (eventID == VGM_EVENT_ID_AGENT_LIFECYCLE) {
        VgmRemoteDomainEventCallbackAgentLifecycleMsg agent = { 0 };

        agent.callbackID = callbackID;
        vgmRemoteEventDomainSet(&agent.dom, dom);
        agent.state = event;
        agent.reason = detail;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE,
                                vgmRemoteXdrDomainEventCallbackAgentLifecycleMsg, &agent);
        return;
    }

    if (eventID == VGM_EVENT_ID_DEVICE_REMOVAL_FAILED) {
        VgmRemoteDomainEventCallbackDeviceRemovalFailedMsg failed = { 0 };

        failed.callbackID = callbackID;
        vgmRemoteEventDomainSet(&failed.dom, dom);
        failed.devAlias = (char *)(str ? str : "");
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVAL_FAILED,
                                vgmRemoteXdrDomainEventCallbackDeviceRemovalFailedMsg, &failed);
        return;
    }

    if (eventID == VGM_EVENT_ID_BLOCK_JOB) {
        VgmRemoteDomainEventCallbackBlockJobMsg bj = { 0 };

        bj.callbackID = callbackID;
        vgmRemoteEventDomainSet(&bj.msg.dom, dom);
        bj.msg.path = (char *)(str ? str : "");
        bj.msg.type = event;
        bj.msg.status = detail;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BLOCK_JOB,
                                vgmRemoteXdrDomainEventCallbackBlockJobMsg, &bj);
        return;
    }

    if (eventID == VGM_EVENT_ID_BLOCK_JOB_2) {
        VgmRemoteDomainEventBlockJob2Msg bj = { 0 };

        bj.callbackID = callbackID;
        vgmRemoteEventDomainSet(&bj.dom, dom);
        bj.dst = (char *)(str ? str : "");
        bj.type = event;
        bj.status = detail;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_BLOCK_JOB_2,
                                vgmRemoteXdrDomainEventBlockJob2Msg, &bj);
        return;
    }

    if (eventID == VGM_EVENT_ID_DEVICE_ADDED) {
        VgmRemoteDomainEventCallbackDeviceAddedMsg added = { 0 };

        added.callbackID = callbackID;
        vgmRemoteEventDomainSet(&added.dom, dom);
        added.devAlias = (char *)(str ? str : "");
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_ADDED,
                                vgmRemoteXdrDomainEventCallbackDeviceAddedMsg, &added);
        return;
    }

    if (eventID == VGM_EVENT_ID_METADATA_CHANGE) {
        VgmRemoteDomainEventCallbackMetadataChangeMsg meta = { 0 };
        char *nsuri = (char *)str;

        meta.callbackID = callbackID;
        vgmRemoteEventDomainSet(&meta.dom, dom);
        meta.type = event;
        meta.nsuri = str ? &nsuri : NULL;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_METADATA_CHANGE,
                                vgmRemoteXdrDomainEventCallbackMetadataChangeMsg, &meta);
        return;
    }

    if (eventID == VGM_EVENT_ID_PMWAKEUP || eventID == VGM_EVENT_ID_PMSUSPEND ||
        eventID == VGM_EVENT_ID_PMSUSPEND_DISK) {
        VgmRemoteDomainEventCallbackPm pm = { 0 };

        pm.callbackID = callbackID;
        pm.reason = event;
        vgmRemoteEventDomainSet(&pm.dom, dom);
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                eventID == VGM_EVENT_ID_PMWAKEUP ?
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_PMWAKEUP :
                                eventID == VGM_EVENT_ID_PMSUSPEND ?
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND :
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND_DISK,
                                vgmRemoteXdrDomainEventCallbackPm, &pm);
        return;
    }

    if (eventID == VGM_EVENT_ID_BLOCK_THRESHOLD) {
        VgmRemoteDomainEventBlockThresholdMsg bt = { 0 };
        char *path = (char *)str2;
        guint i;

        bt.callbackID = callbackID;
        vgmRemoteEventDomainSet(&bt.dom, dom);
        bt.dev = (char *)(str ? str : "");
        bt.path = str2 ? &path : NULL;
        bt.threshold = num;
        for (i = 0; params && i < params->len; i++) {
            const VgmTypedParam *p = g_ptr_array_index(params, i);

            if (g_str_equal(p->field, "excess"))
                bt.excess = p->v.ul;
        }
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_BLOCK_THRESHOLD,
                                vgmRemoteXdrDomainEventBlockThresholdMsg, &bt);
        return;
    }

    if (eventID == VGM_EVENT_ID_RTC_CHANGE) {
        VgmRemoteDomainEventCallbackRtcChangeMsg rtc = { 0 };

        rtc.callbackID = callbackID;
        vgmRemoteEventDomainSet(&rtc.msg.dom, dom);
        rtc.msg.offset = (gint64)num;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_RTC_CHANGE,
                                vgmRemoteXdrDomainEventCallbackRtcChangeMsg, &rtc);
        return;
    }

    if (eventID == VGM_EVENT_ID_IO_ERROR) {
        VgmRemoteDomainEventCallbackIoErrorMsg io = { 0 };

        io.callbackID = callbackID;
        vgmRemoteEventDomainSet(&io.msg.dom, dom);
        io.msg.srcPath = (char *)(str ? str : "");
        io.msg.devAlias = (char *)(str2 ? str2 : "");
        io.msg.action = event;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR,
                                vgmRemoteXdrDomainEventCallbackIoErrorMsg, &io);
        return;
    }

    if (eventID == VGM_EVENT_ID_IO_ERROR_REASON) {
        VgmRemoteDomainEventCallbackIoErrorReasonMsg io = { 0 };
        guint i;

        io.callbackID = callbackID;
        vgmRemoteEventDomainSet(&io.msg.dom, dom);
        io.msg.srcPath = (char *)(str ? str : "");
        io.msg.devAlias = (char *)(str2 ? str2 : "");
        io.msg.action = event;
        io.msg.reason = (char *)"";
        for (i = 0; params && i < params->len; i++) {
            const VgmTypedParam *p = g_ptr_array_index(params, i);

            if (g_str_equal(p->field, "reason") && p->v.s)
                io.msg.reason = p->v.s;
        }
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON,
                                vgmRemoteXdrDomainEventCallbackIoErrorReasonMsg, &io);
        return;
    }

    if (eventID == VGM_EVENT_ID_MEMORY_FAILURE) {
        VgmRemoteDomainEventMemoryFailureMsg mf = { 0 };

        mf.callbackID = callbackID;
        vgmRemoteEventDomainSet(&mf.dom, dom);
        mf.recipient = event;
        mf.action = detail;
        mf.flags = (guint32)num;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_MEMORY_FAILURE,
                                vgmRemoteXdrDomainEventMemoryFailureMsg, &mf);
        return;
    }

    if (eventID == VGM_EVENT_ID_GRAPHICS && params) {
        VgmRemoteDomainEventCallbackGraphicsMsg gfx = { 0 };
        VgmRemoteDomainEventGraphicsAddress *addr[] = { &gfx.msg.local, &gfx.msg.remote };
        static const char *const sides[] = { "local.", "remote." };
        guint i, s;

        gfx.callbackID = callbackID;
        vgmRemoteEventDomainSet(&gfx.msg.dom, dom);
        gfx.msg.phase = event;
        gfx.msg.authScheme = (char *)"";
        for (s = 0; s < G_N_ELEMENTS(addr); s++) {
            addr[s]->node = (char *)"";
            addr[s]->service = (char *)"";
        }
        gfx.msg.subject.val = g_new0(VgmRemoteDomainEventGraphicsIdentity, params->len);
        /* (every string is borrowed from @params) */
        for (i = 0; i < params->len; i++) {
            VgmTypedParam *p = g_ptr_array_index(params, i);

            if (g_str_equal(p->field, "auth")) {
                gfx.msg.authScheme = p->v.s;
            } else if (g_str_has_prefix(p->field, "subject.") &&
                       gfx.msg.subject.len < VGM_REMOTE_DOMAIN_EVENT_GRAPHICS_IDENTITY_MAX) {
                gfx.msg.subject.val[gfx.msg.subject.len].type = p->field + strlen("subject.");
                gfx.msg.subject.val[gfx.msg.subject.len++].name = p->v.s;
            }
            for (s = 0; s < G_N_ELEMENTS(sides); s++) {
                const char *f = p->field;

                if (!g_str_has_prefix(f, sides[s]))
                    continue;
                f += strlen(sides[s]);
                if (g_str_equal(f, "family"))
                    addr[s]->family = p->v.i;
                else if (g_str_equal(f, "node"))
                    addr[s]->node = p->v.s;
                else if (g_str_equal(f, "service"))
                    addr[s]->service = p->v.s;
            }
        }
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_GRAPHICS,
                                vgmRemoteXdrDomainEventCallbackGraphicsMsg, &gfx);
        g_free(gfx.msg.subject.val);
        return;
    }

    if (eventID == VGM_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE) {
        VgmRemoteDomainEventMemoryDeviceSizeChangeMsg mds = { 0 };

        mds.callbackID = callbackID;
        vgmRemoteEventDomainSet(&mds.dom, dom);
        mds.alias = (char *)(str ? str : "");
        mds.size = num;
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_MEMORY_DEVICE_SIZE_CHANGE,
                                vgmRemoteXdrDomainEventMemoryDeviceSizeChangeMsg, &mds);
        return;
    }

    if (eventID == VGM_EVENT_ID_REBOOT) {
        VgmRemoteDomainEventCallbackRebootMsg reboot = { 0 };

        reboot.callbackID = callbackID;
        vgmRemoteEventDomainSet(&reboot.dom, dom);
        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
                                vgmRemoteXdrDomainEventCallbackRebootMsg, &reboot);
        return;
    }

    msg.callbackID = callbackID;
    vgmRemoteEventDomainSet(&msg.msg.dom, dom);
    msg.msg.event = event;
    msg.msg.detail = detail;
    vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                            VGM_REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                            vgmRemoteXdrDomainEventCallbackLifecycleMsg, &msg);
}

/* Registers @func for the client's @eventID events of a @kind object
 * (@uuid or, a node device, @name; both NULL: of every one), as its own;
 * the callback id in @id */
static gboolean
vgmRemoteClientRegister(VgmRemoteClient *client, VgmEventObject kind, int eventID,
                        const unsigned char *uuid, const char *name, VgmEventFunc func, int *id,
                        GError **error)
{
    if ((*id = vgmDriverObjectEventRegister(client->drv, kind, eventID, uuid, name, func, client,
                                            NULL, error)) < 0)
        return FALSE;
    g_mutex_lock(&client->lock);
    g_array_append_val(client->callbacks[kind], *id);
    g_mutex_unlock(&client->lock);
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectDomainEventCallbackRegisterAny(VgmRemoteClient *client,
                                                       const VgmRemoteConnectDomainEventCallbackRegisterAnyArgs *args,
                                                       VgmRemoteConnectDomainEventCallbackRegisterAnyRet *ret,
                                                       GError **error)
{
    return vgmRemoteClientRegister(client, VGM_EVENT_OBJECT_DOMAIN, args->eventID,
                                   args->dom ? args->dom->uuid : NULL, NULL,
                                   vgmRemoteEventLifecycle, &ret->callbackID, error);
}

/* Callback @callbackID of a @kind object out of the client's; FALSE
 * with libvirt's error where it is not there (another client's callback
 * is not this client's to remove). */
static gboolean
vgmRemoteClientDeregister(VgmRemoteClient *client, VgmEventObject kind, int callbackID,
                          GError **error)
{
    GArray *ids = client->callbacks[kind];
    guint i;

    g_mutex_lock(&client->lock);
    for (i = 0; i < ids->len; i++) {
        if (g_array_index(ids, int, i) == callbackID)
            break;
    }
    if (i == ids->len) {
        g_mutex_unlock(&client->lock);
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("could not find event callback %1$d for deregistration"), callbackID);
        return FALSE;
    }
    g_array_remove_index_fast(ids, i);
    g_mutex_unlock(&client->lock);
    return vgmDriverObjectEventDeregister(client->drv, kind, callbackID, error);
}

gboolean
vgmRemoteDispatchConnectDomainEventCallbackDeregisterAny(VgmRemoteClient *client,
                                                         const VgmRemoteConnectDomainEventCallbackDeregisterAnyArgs *args,
                                                         GError **error)
{
    return vgmRemoteClientDeregister(client, VGM_EVENT_OBJECT_DOMAIN, args->callbackID, error);
}

static void
vgmRemoteEventNetwork(int callbackID, int eventID, const VgmEventDomain *net,
                      int event, int detail, const char *str, const char *str2,
                      unsigned long long num, const GPtrArray *params, gpointer opaque)
{
    VgmRemoteClient *client = opaque;
    VgmRemoteNetworkEventLifecycleMsg msg = { 0 };

    msg.callbackID = callbackID;
    msg.net.name = net->name;
    memcpy(msg.net.uuid, net->uuid, 16);
    msg.event = event;
    msg.detail = detail;
    vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                            VGM_REMOTE_PROC_NETWORK_EVENT_LIFECYCLE,
                            vgmRemoteXdrNetworkEventLifecycleMsg, &msg);
}

gboolean
vgmRemoteDispatchConnectNetworkEventRegisterAny(VgmRemoteClient *client,
                                                const VgmRemoteConnectNetworkEventRegisterAnyArgs *args,
                                                VgmRemoteConnectNetworkEventRegisterAnyRet *ret,
                                                GError **error)
{
    return vgmRemoteClientRegister(client, VGM_EVENT_OBJECT_NETWORK, args->eventID,
                                   args->net ? args->net->uuid : NULL, NULL,
                                   vgmRemoteEventNetwork, &ret->callbackID, error);
}

gboolean
vgmRemoteDispatchConnectNetworkEventDeregisterAny(VgmRemoteClient *client,
                                                  const VgmRemoteConnectNetworkEventDeregisterAnyArgs *args,
                                                  GError **error)
{
    return vgmRemoteClientDeregister(client, VGM_EVENT_OBJECT_NETWORK, args->callbackID, error);
}

/* ---- storage pool and secret events ---- */

static void
vgmRemoteEventStoragePool(int callbackID, int eventID, const VgmEventDomain *pool,
                          int event, int detail, const char *str, const char *str2,
                          unsigned long long num, const GPtrArray *params, gpointer opaque)
{
    VgmRemoteClient *client = opaque;
    VgmRemoteNonnullStoragePool target = { .name = pool->name };

    memcpy(target.uuid, pool->uuid, 16);
    if (eventID == VGM_STORAGE_POOL_EVENT_ID_REFRESH) {
        VgmRemoteStoragePoolEventRefreshMsg msg = { .callbackID = callbackID, .pool = target };

        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH,
                                vgmRemoteXdrStoragePoolEventRefreshMsg, &msg);
    } else {
        VgmRemoteStoragePoolEventLifecycleMsg msg = {
            .callbackID = callbackID, .pool = target, .event = event, .detail = detail
        };

        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE,
                                vgmRemoteXdrStoragePoolEventLifecycleMsg, &msg);
    }
}

gboolean
vgmRemoteDispatchConnectStoragePoolEventRegisterAny(VgmRemoteClient *client,
                                                    const VgmRemoteConnectStoragePoolEventRegisterAnyArgs *args,
                                                    VgmRemoteConnectStoragePoolEventRegisterAnyRet *ret,
                                                    GError **error)
{
    return vgmRemoteClientRegister(client, VGM_EVENT_OBJECT_STORAGE_POOL, args->eventID,
                                   args->pool ? args->pool->uuid : NULL, NULL,
                                   vgmRemoteEventStoragePool, &ret->callbackID, error);
}

gboolean
vgmRemoteDispatchConnectStoragePoolEventDeregisterAny(VgmRemoteClient *client,
                                                      const VgmRemoteConnectStoragePoolEventDeregisterAnyArgs *args,
                                                      GError **error)
{
    return vgmRemoteClientDeregister(client, VGM_EVENT_OBJECT_STORAGE_POOL, args->callbackID,
                                     error);
}

static void
vgmRemoteEventSecret(int callbackID, int eventID, const VgmEventDomain *secret,
                     int event, int detail, const char *str, const char *str2,
                     unsigned long long num, const GPtrArray *params, gpointer opaque)
{
    VgmRemoteClient *client = opaque;
    /* (a secret's usage id comes as the name, its usage type as the id) */
    VgmRemoteNonnullSecret target = { .usageType = secret->id, .usageID = secret->name };

    memcpy(target.uuid, secret->uuid, 16);
    if (eventID == VGM_SECRET_EVENT_ID_VALUE_CHANGED) {
        VgmRemoteSecretEventValueChangedMsg msg = { .callbackID = callbackID, .secret = target };

        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_SECRET_EVENT_VALUE_CHANGED,
                                vgmRemoteXdrSecretEventValueChangedMsg, &msg);
    } else {
        VgmRemoteSecretEventLifecycleMsg msg = {
            .callbackID = callbackID, .secret = target, .event = event, .detail = detail
        };

        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_SECRET_EVENT_LIFECYCLE,
                                vgmRemoteXdrSecretEventLifecycleMsg, &msg);
    }
}

gboolean
vgmRemoteDispatchConnectSecretEventRegisterAny(VgmRemoteClient *client,
                                               const VgmRemoteConnectSecretEventRegisterAnyArgs *args,
                                               VgmRemoteConnectSecretEventRegisterAnyRet *ret,
                                               GError **error)
{
    return vgmRemoteClientRegister(client, VGM_EVENT_OBJECT_SECRET, args->eventID,
                                   args->secret ? args->secret->uuid : NULL, NULL,
                                   vgmRemoteEventSecret, &ret->callbackID, error);
}

gboolean
vgmRemoteDispatchConnectSecretEventDeregisterAny(VgmRemoteClient *client,
                                                 const VgmRemoteConnectSecretEventDeregisterAnyArgs *args,
                                                 GError **error)
{
    return vgmRemoteClientDeregister(client, VGM_EVENT_OBJECT_SECRET, args->callbackID, error);
}

/* ---- node devices ---- */

static void
vgmRemoteEventNodeDevice(int callbackID, int eventID, const VgmEventDomain *dev,
                         int event, int detail, const char *str, const char *str2,
                         unsigned long long num, const GPtrArray *params, gpointer opaque)
{
    VgmRemoteClient *client = opaque;
    VgmRemoteNonnullNodeDevice target = { .name = dev->name };

    if (eventID == VGM_NODE_DEVICE_EVENT_ID_UPDATE) {
        VgmRemoteNodeDeviceEventUpdateMsg msg = { .callbackID = callbackID, .dev = target };

        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_NODE_DEVICE_EVENT_UPDATE,
                                vgmRemoteXdrNodeDeviceEventUpdateMsg, &msg);
    } else {
        VgmRemoteNodeDeviceEventLifecycleMsg msg = {
            .callbackID = callbackID, .dev = target, .event = event, .detail = detail
        };

        vgmRpcClientSendMessage(client->rpc, VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION,
                                VGM_REMOTE_PROC_NODE_DEVICE_EVENT_LIFECYCLE,
                                vgmRemoteXdrNodeDeviceEventLifecycleMsg, &msg);
    }
}

gboolean
vgmRemoteDispatchConnectNodeDeviceEventRegisterAny(VgmRemoteClient *client,
                                                   const VgmRemoteConnectNodeDeviceEventRegisterAnyArgs *args,
                                                   VgmRemoteConnectNodeDeviceEventRegisterAnyRet *ret,
                                                   GError **error)
{
    return vgmRemoteClientRegister(client, VGM_EVENT_OBJECT_NODE_DEVICE, args->eventID, NULL,
                                   args->dev ? args->dev->name : NULL, vgmRemoteEventNodeDevice,
                                   &ret->callbackID, error);
}

gboolean
vgmRemoteDispatchConnectNodeDeviceEventDeregisterAny(VgmRemoteClient *client,
                                                     const VgmRemoteConnectNodeDeviceEventDeregisterAnyArgs *args,
                                                     GError **error)
{
    return vgmRemoteClientDeregister(client, VGM_EVENT_OBJECT_NODE_DEVICE, args->callbackID,
                                     error);
}

gboolean
vgmRemoteDispatchConnectListAllNodeDevices(VgmRemoteClient *client,
                                           const VgmRemoteConnectListAllNodeDevicesArgs *args,
                                           VgmRemoteConnectListAllNodeDevicesRet *ret,
                                           GError **error)
{
    g_autoptr(GPtrArray) names = vgmDriverNodeDeviceListAll(client->drv, args->flags, error);
    guint i;

    if (!names)
        return FALSE;
    if (names->len > VGM_REMOTE_NODE_DEVICE_LIST_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("%1$u node devices are more than one reply carries (%2$d)"),
                    names->len, VGM_REMOTE_NODE_DEVICE_LIST_MAX);
        return FALSE;
    }
    if (args->need_results) {
        ret->devices.len = names->len;
        ret->devices.val = g_new0(VgmRemoteNonnullNodeDevice, MAX(names->len, 1));
        for (i = 0; i < names->len; i++)
            ret->devices.val[i].name = g_strdup(g_ptr_array_index(names, i));
    }
    ret->ret = names->len;
    return TRUE;
}

/* @names (taken) as a reply's list of at most @maxnames */
static gboolean
vgmRemoteNameList(GPtrArray *names, int maxnames, int limit, guint32 *len, char ***val,
                  GError **error)
{
    g_autoptr(GPtrArray) owned = names;
    guint i;

    if (!owned)
        return FALSE;
    if (maxnames < 0 || maxnames > limit) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("the number of names asked for (%1$d) is outside 0..%2$d"), maxnames, limit);
        return FALSE;
    }
    *len = MIN(owned->len, (guint)maxnames);
    *val = g_new0(char *, *len + 1);
    for (i = 0; i < *len; i++)
        (*val)[i] = g_strdup(g_ptr_array_index(owned, i));
    return TRUE;
}

static gboolean
vgmRemoteNameCount(GPtrArray *names, gint32 *num)
{
    g_autoptr(GPtrArray) owned = names;

    if (!owned)
        return FALSE;
    *num = (gint32)owned->len;
    return TRUE;
}

gboolean
vgmRemoteDispatchNodeNumOfDevices(VgmRemoteClient *client, const VgmRemoteNodeNumOfDevicesArgs *args,
                                  VgmRemoteNodeNumOfDevicesRet *ret, GError **error)
{
    return vgmRemoteNameCount(vgmDriverNodeDeviceListByCap(client->drv,
                                                           args->cap ? *args->cap : NULL,
                                                           args->flags, error),
                              &ret->num);
}

gboolean
vgmRemoteDispatchNodeListDevices(VgmRemoteClient *client, const VgmRemoteNodeListDevicesArgs *args,
                                 VgmRemoteNodeListDevicesRet *ret, GError **error)
{
    return vgmRemoteNameList(vgmDriverNodeDeviceListByCap(client->drv,
                                                          args->cap ? *args->cap : NULL,
                                                          args->flags, error),
                             args->maxnames, VGM_REMOTE_NODE_DEVICE_LIST_MAX,
                             &ret->names.len, &ret->names.val, error);
}

gboolean
vgmRemoteDispatchNodeDeviceLookupByName(VgmRemoteClient *client,
                                        const VgmRemoteNodeDeviceLookupByNameArgs *args,
                                        VgmRemoteNodeDeviceLookupByNameRet *ret, GError **error)
{
    if (!vgmDriverNodeDeviceLookup(client->drv, args->name, error))
        return FALSE;
    ret->dev.name = g_strdup(args->name);
    return TRUE;
}

gboolean
vgmRemoteDispatchNodeDeviceLookupScsiHostByWwn(VgmRemoteClient *client,
                                               const VgmRemoteNodeDeviceLookupScsiHostByWwnArgs *args,
                                               VgmRemoteNodeDeviceLookupScsiHostByWwnRet *ret,
                                               GError **error)
{
    return (ret->dev.name = vgmDriverNodeDeviceLookupSCSIHostByWWN(client->drv, args->wwnn,
                                                                   args->wwpn, args->flags,
                                                                   error)) != NULL;
}

gboolean
vgmRemoteDispatchNodeDeviceGetXmlDesc(VgmRemoteClient *client,
                                      const VgmRemoteNodeDeviceGetXmlDescArgs *args,
                                      VgmRemoteNodeDeviceGetXmlDescRet *ret, GError **error)
{
    return (ret->xml = vgmDriverNodeDeviceGetXML(client->drv, args->name, args->flags,
                                                 error)) != NULL;
}

gboolean
vgmRemoteDispatchNodeDeviceGetParent(VgmRemoteClient *client,
                                     const VgmRemoteNodeDeviceGetParentArgs *args,
                                     VgmRemoteNodeDeviceGetParentRet *ret, GError **error)
{
    g_autofree char *parent = NULL;

    if (!vgmDriverNodeDeviceGetParent(client->drv, args->name, &parent, error))
        return FALSE;
    if (parent) {
        ret->parentName = g_new0(VgmRemoteNonnullString, 1);
        *ret->parentName = g_steal_pointer(&parent);
    }
    return TRUE;
}

gboolean
vgmRemoteDispatchNodeDeviceNumOfCaps(VgmRemoteClient *client,
                                     const VgmRemoteNodeDeviceNumOfCapsArgs *args,
                                     VgmRemoteNodeDeviceNumOfCapsRet *ret, GError **error)
{
    return vgmRemoteNameCount(vgmDriverNodeDeviceListCaps(client->drv, args->name, error),
                              &ret->num);
}

gboolean
vgmRemoteDispatchNodeDeviceListCaps(VgmRemoteClient *client,
                                    const VgmRemoteNodeDeviceListCapsArgs *args,
                                    VgmRemoteNodeDeviceListCapsRet *ret, GError **error)
{
    return vgmRemoteNameList(vgmDriverNodeDeviceListCaps(client->drv, args->name, error),
                             args->maxnames, VGM_REMOTE_NODE_DEVICE_CAPS_LIST_MAX,
                             &ret->names.len, &ret->names.val, error);
}

gboolean
vgmRemoteDispatchNodeDeviceIsActive(VgmRemoteClient *client,
                                    const VgmRemoteNodeDeviceIsActiveArgs *args,
                                    VgmRemoteNodeDeviceIsActiveRet *ret, GError **error)
{
    /* every device listed is one the host has */
    ret->active = 1;
    return vgmDriverNodeDeviceLookup(client->drv, args->name, error);
}

gboolean
vgmRemoteDispatchNodeDeviceIsPersistent(VgmRemoteClient *client,
                                        const VgmRemoteNodeDeviceIsPersistentArgs *args,
                                        VgmRemoteNodeDeviceIsPersistentRet *ret, GError **error)
{
    gboolean persistent;

    if (!vgmDriverNodeDeviceIsPersistent(client->drv, args->name, &persistent, error))
        return FALSE;
    ret->persistent = persistent;
    return TRUE;
}

gboolean
vgmRemoteDispatchNodeDeviceGetAutostart(VgmRemoteClient *client,
                                        const VgmRemoteNodeDeviceGetAutostartArgs *args,
                                        VgmRemoteNodeDeviceGetAutostartRet *ret, GError **error)
{
    gboolean persistent;

    /* what is persistent starts with the host */
    if (!vgmDriverNodeDeviceIsPersistent(client->drv, args->name, &persistent, error))
        return FALSE;
    ret->autostart = persistent;
    return TRUE;
}

gboolean
vgmRemoteDispatchNodeDeviceDettach(VgmRemoteClient *client,
                                   const VgmRemoteNodeDeviceDettachArgs *args, GError **error)
{
    return vgmDriverNodeDeviceRefuse(client->drv, args->name, VGM_DRIVER_NODEDEV_DETACH, error);
}

gboolean
vgmRemoteDispatchNodeDeviceDetachFlags(VgmRemoteClient *client,
                                       const VgmRemoteNodeDeviceDetachFlagsArgs *args,
                                       GError **error)
{
    return vgmDriverCheckFlags(args->flags, 0, error) &&
           vgmDriverNodeDeviceRefuse(client->drv, args->name, VGM_DRIVER_NODEDEV_DETACH, error);
}

gboolean
vgmRemoteDispatchNodeDeviceReAttach(VgmRemoteClient *client,
                                    const VgmRemoteNodeDeviceReAttachArgs *args, GError **error)
{
    return vgmDriverNodeDeviceRefuse(client->drv, args->name, VGM_DRIVER_NODEDEV_REATTACH, error);
}

gboolean
vgmRemoteDispatchNodeDeviceReset(VgmRemoteClient *client,
                                 const VgmRemoteNodeDeviceResetArgs *args, GError **error)
{
    return vgmDriverNodeDeviceRefuse(client->drv, args->name, VGM_DRIVER_NODEDEV_RESET, error);
}

gboolean
vgmRemoteDispatchNodeDeviceDestroy(VgmRemoteClient *client,
                                   const VgmRemoteNodeDeviceDestroyArgs *args, GError **error)
{
    return vgmDriverNodeDeviceRefuse(client->drv, args->name, VGM_DRIVER_NODEDEV_DESTROY, error);
}

gboolean
vgmRemoteDispatchNodeDeviceUndefine(VgmRemoteClient *client,
                                    const VgmRemoteNodeDeviceUndefineArgs *args, GError **error)
{
    return vgmDriverCheckFlags(args->flags, 0, error) &&
           vgmDriverNodeDeviceRefuse(client->drv, args->name, VGM_DRIVER_NODEDEV_UNDEFINE, error);
}

gboolean
vgmRemoteDispatchNodeDeviceCreate(VgmRemoteClient *client,
                                  const VgmRemoteNodeDeviceCreateArgs *args, GError **error)
{
    return vgmDriverCheckFlags(args->flags, 0, error) &&
           vgmDriverNodeDeviceRefuse(client->drv, args->name, VGM_DRIVER_NODEDEV_CREATE, error);
}

gboolean
vgmRemoteDispatchNodeDeviceSetAutostart(VgmRemoteClient *client,
                                        const VgmRemoteNodeDeviceSetAutostartArgs *args,
                                        GError **error)
{
    return vgmDriverNodeDeviceRefuse(client->drv, args->name, VGM_DRIVER_NODEDEV_AUTOSTART, error);
}

gboolean
vgmRemoteDispatchNodeDeviceCreateXml(VgmRemoteClient *client,
                                     const VgmRemoteNodeDeviceCreateXmlArgs *args,
                                     VgmRemoteNodeDeviceCreateXmlRet *ret G_GNUC_UNUSED,
                                     GError **error)
{
    /* VALIDATE (1): the XML is only ever checked */
    return vgmDriverCheckFlags(args->flags, 1, error) &&
           vgmDriverNodeDeviceRefuseXML(client->drv, args->xml_desc, error);
}

gboolean
vgmRemoteDispatchNodeDeviceDefineXml(VgmRemoteClient *client,
                                     const VgmRemoteNodeDeviceDefineXmlArgs *args,
                                     VgmRemoteNodeDeviceDefineXmlRet *ret G_GNUC_UNUSED,
                                     GError **error)
{
    /* VALIDATE (1): the XML is only ever checked */
    return vgmDriverCheckFlags(args->flags, 1, error) &&
           vgmDriverNodeDeviceRefuseXML(client->drv, args->xml_desc, error);
}

/* ---- the host's network interfaces ---- */

static void
vgmRemoteMakeInterface(VgmRemoteNonnullInterface *out, const VgmHostIface *iface)
{
    out->name = g_strdup(iface->name);
    /* (libvirt's handle carries a MAC address, empty when there is none) */
    out->mac = g_strdup(iface->mac ? iface->mac : "");
}

gboolean
vgmRemoteDispatchConnectListAllInterfaces(VgmRemoteClient *client,
                                          const VgmRemoteConnectListAllInterfacesArgs *args,
                                          VgmRemoteConnectListAllInterfacesRet *ret,
                                          GError **error)
{
    g_autoptr(GPtrArray) ifaces = vgmDriverInterfaceListAll(client->drv, args->flags, error);
    guint i;

    if (!ifaces)
        return FALSE;
    if (ifaces->len > VGM_REMOTE_INTERFACE_LIST_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("%1$u interfaces are more than one reply carries (%2$d)"),
                    ifaces->len, VGM_REMOTE_INTERFACE_LIST_MAX);
        return FALSE;
    }
    if (args->need_results) {
        ret->ifaces.len = ifaces->len;
        ret->ifaces.val = g_new0(VgmRemoteNonnullInterface, MAX(ifaces->len, 1));
        for (i = 0; i < ifaces->len; i++)
            vgmRemoteMakeInterface(&ret->ifaces.val[i], g_ptr_array_index(ifaces, i));
    }
    ret->ret = ifaces->len;
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectNumOfInterfaces(VgmRemoteClient *client,
                                        VgmRemoteConnectNumOfInterfacesRet *ret, GError **error)
{
    return vgmRemoteNameCount(vgmDriverInterfaceListByState(client->drv, FALSE, error),
                              &ret->num);
}

gboolean
vgmRemoteDispatchConnectListInterfaces(VgmRemoteClient *client,
                                       const VgmRemoteConnectListInterfacesArgs *args,
                                       VgmRemoteConnectListInterfacesRet *ret, GError **error)
{
    return vgmRemoteNameList(vgmDriverInterfaceListByState(client->drv, FALSE, error),
                             args->maxnames, VGM_REMOTE_INTERFACE_LIST_MAX,
                             &ret->names.len, &ret->names.val, error);
}

gboolean
vgmRemoteDispatchConnectNumOfDefinedInterfaces(VgmRemoteClient *client,
                                               VgmRemoteConnectNumOfDefinedInterfacesRet *ret,
                                               GError **error)
{
    return vgmRemoteNameCount(vgmDriverInterfaceListByState(client->drv, TRUE, error),
                              &ret->num);
}

gboolean
vgmRemoteDispatchConnectListDefinedInterfaces(VgmRemoteClient *client,
                                              const VgmRemoteConnectListDefinedInterfacesArgs *args,
                                              VgmRemoteConnectListDefinedInterfacesRet *ret,
                                              GError **error)
{
    return vgmRemoteNameList(vgmDriverInterfaceListByState(client->drv, TRUE, error),
                             args->maxnames, VGM_REMOTE_INTERFACE_LIST_MAX,
                             &ret->names.len, &ret->names.val, error);
}

gboolean
vgmRemoteDispatchInterfaceLookupByName(VgmRemoteClient *client,
                                       const VgmRemoteInterfaceLookupByNameArgs *args,
                                       VgmRemoteInterfaceLookupByNameRet *ret, GError **error)
{
    g_autoptr(VgmHostIface) iface = vgmDriverInterfaceLookupByName(client->drv, args->name, error);

    if (!iface)
        return FALSE;
    vgmRemoteMakeInterface(&ret->iface, iface);
    return TRUE;
}

gboolean
vgmRemoteDispatchInterfaceLookupByMacString(VgmRemoteClient *client,
                                            const VgmRemoteInterfaceLookupByMacStringArgs *args,
                                            VgmRemoteInterfaceLookupByMacStringRet *ret,
                                            GError **error)
{
    g_autoptr(VgmHostIface) iface = vgmDriverInterfaceLookupByMAC(client->drv, args->mac, error);

    if (!iface)
        return FALSE;
    vgmRemoteMakeInterface(&ret->iface, iface);
    return TRUE;
}

gboolean
vgmRemoteDispatchInterfaceGetXmlDesc(VgmRemoteClient *client,
                                     const VgmRemoteInterfaceGetXmlDescArgs *args,
                                     VgmRemoteInterfaceGetXmlDescRet *ret, GError **error)
{
    return (ret->xml = vgmDriverInterfaceGetXML(client->drv, args->iface.name, args->flags,
                                                error)) != NULL;
}

gboolean
vgmRemoteDispatchInterfaceIsActive(VgmRemoteClient *client,
                                   const VgmRemoteInterfaceIsActiveArgs *args,
                                   VgmRemoteInterfaceIsActiveRet *ret, GError **error)
{
    gboolean active;

    if (!vgmDriverInterfaceIsActive(client->drv, args->iface.name, &active, error))
        return FALSE;
    ret->active = active;
    return TRUE;
}

/* ---- consoles: DOMAIN_OPEN_CONSOLE and its stream ---- */

/* virDomainConsoleFlags */
#define VGM_CONSOLE_FORCE 1u
#define VGM_CONSOLE_SAFE 2u

/*
 * One stream of a call, relayed between the client (on the serial of the
 * call that opened it) and a file descriptor. A console's is the pty of a
 * domain's character device: a thread reads the pty and sends what the
 * guest writes; what the client sends is written to the pty by the
 * client's reader (vgmRemoteStreamPacket). One console per device at a
 * time across the daemon: another client's open fails, unless it forces,
 * which ends the first one's stream. A screenshot's and a volume
 * download's are read the same way up to their end (a download's to its
 * length too); a volume upload's only takes what the client sends, up to
 * its length.
 */
typedef enum {
    VGM_REMOTE_STREAM_CONSOLE,  /* both ways */
    VGM_REMOTE_STREAM_SOURCE,   /* read and sent: a screenshot, a download */
    VGM_REMOTE_STREAM_SINK,     /* what the client sends is written: an upload */
} VgmRemoteStreamKind;

typedef struct {
    gint ref;
    VgmRpcClient *rpc;
    VgmRpcHeader call;          /* program, version, procedure, serial */
    char *key;                  /* "uuid/alias": the device, daemon-wide */
    int fd;                     /* the pty, picture or volume */
    int wake[2];                /* a byte on wake[1] ends the reader */
    GThread *thread;            /* the reader (guarded by vgmRemoteConsolesLock) */
    gboolean ended;             /* the stream's end was sent or received */
    VgmRemoteStreamKind kind;
    int errDomain;              /* libvirt's error domain of its errors */
    gboolean sparse;            /* holes are sent and taken as holes */
    gboolean limited;           /* at most @remaining more bytes (each
                                 * stream's own thread counts them: the
                                 * reader, or the client's for a sink) */
    guint64 remaining;
} VgmRemoteStream;

/* What a reader lets wait for a client before it reads more (the client
 * is dropped far above it: VgmRpcServerLimits.maxQueuedBytes), and the
 * most it sends in one packet (libvirt's stream packets are 256 KiB) */
#define VGM_REMOTE_STREAM_BACKLOG (4 * 1024 * 1024)
#define VGM_REMOTE_STREAM_CHUNK (256 * 1024)

static GMutex vgmRemoteConsolesLock;
static GHashTable *vgmRemoteConsoles;   /* key -> VgmRemoteStream (no ref) */

static VgmRemoteStream *
vgmRemoteStreamRef(VgmRemoteStream *c)
{
    g_atomic_int_inc(&c->ref);
    return c;
}

static void
vgmRemoteStreamUnref(VgmRemoteStream *c)
{
    if (!c || !g_atomic_int_dec_and_test(&c->ref))
        return;
    if (c->fd >= 0)
        close(c->fd);
    if (c->wake[0] >= 0)
        close(c->wake[0]);
    if (c->wake[1] >= 0)
        close(c->wake[1]);
    vgmRpcClientUnref(c->rpc);
    g_free(c->key);
    g_free(c);
}

/* Ends the stream from our side once: an empty data packet is the end of
 * the data (the guest side closed), an error packet says why it stops.
 * (A packet with status OK would be taken for the confirmation of a
 * finish the client never asked for, and the client would hang up.) */
static void
vgmRemoteStreamEnd(VgmRemoteStream *c, const char *error)
{
    char wake = 1;

    g_mutex_lock(&vgmRemoteConsolesLock);
    if (c->ended) {
        g_mutex_unlock(&vgmRemoteConsolesLock);
        return;
    }
    c->ended = TRUE;
    if (vgmRemoteConsoles && g_hash_table_lookup(vgmRemoteConsoles, c->key) == c)
        g_hash_table_remove(vgmRemoteConsoles, c->key);
    g_mutex_unlock(&vgmRemoteConsolesLock);
    /* (ended from elsewhere than its reader: the reader stops too) */
    if (write(c->wake[1], &wake, 1) < 0) {
        /* the reader is gone already */
    }
    if (error) {
        VgmRpcErrorInfo e = { VGM_LV_ERR_OPERATION_FAILED, c->errDomain, error };
        g_autoptr(GByteArray) payload = vgmRpcErrorEncode(&e);

        vgmRpcClientSendStream(c->rpc, &c->call, VGM_RPC_STATUS_ERROR,
                               payload->data, payload->len);
    } else {
        vgmRpcClientSendStream(c->rpc, &c->call, VGM_RPC_STATUS_CONTINUE, NULL, 0);
    }
}

/* From @fd's offset: whether data or a hole comes (@inData) and for how
 * many bytes (0: the end of the file), by SEEK_DATA and SEEK_HOLE; the
 * offset is left where it was */
static gboolean
vgmRemoteStreamSection(int fd, gboolean *inData, guint64 *section)
{
    off_t cur = lseek(fd, 0, SEEK_CUR);
    off_t data, end;
    struct stat st;

    if (cur < 0 || fstat(fd, &st) < 0)
        return FALSE;
    if (cur >= st.st_size) {
        *inData = FALSE;
        *section = 0;
        return TRUE;
    }
    data = lseek(fd, cur, SEEK_DATA);
    if (data < 0 && errno != ENXIO)
        return FALSE;
    if (data < 0 || data > cur) {
        /* a hole up to the next data, or to the end */
        *inData = FALSE;
        *section = (data < 0 ? st.st_size : data) - cur;
    } else {
        if ((end = lseek(fd, cur, SEEK_HOLE)) < 0)
            return FALSE;
        *inData = TRUE;
        *section = end - cur;
    }
    return lseek(fd, cur, SEEK_SET) == cur;
}

static gpointer
vgmRemoteStreamReader(gpointer data)
{
    VgmRemoteStream *c = data;
    g_autofree guint8 *buf = g_malloc(VGM_REMOTE_STREAM_CHUNK);
    gsize want;

    for (;;) {
        struct pollfd p[2] = { { c->fd, POLLIN, 0 }, { c->wake[0], POLLIN, 0 } };
        ssize_t n;
        int backlog;

        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;      /* ended from the other side */
        if (c->limited && c->remaining == 0) {
            vgmRemoteStreamEnd(c, NULL);
            break;
        }
        /* a file is always readable: keep the client's backlog small
         * (still above it: look at the wake pipe again, read nothing) */
        if ((backlog = vgmRpcClientWaitBacklog(c->rpc, VGM_REMOTE_STREAM_BACKLOG,
                                               G_USEC_PER_SEC / 10)) < 0)
            break;
        if (backlog == 0)
            continue;
        want = c->limited ? MIN(VGM_REMOTE_STREAM_CHUNK, c->remaining) : VGM_REMOTE_STREAM_CHUNK;
        if (c->sparse) {
            gboolean inData;
            guint64 section;

            if (!vgmRemoteStreamSection(c->fd, &inData, &section)) {
                vgmRemoteStreamEnd(c, _("cannot find the holes of the volume"));
                break;
            }
            if (section == 0) {
                vgmRemoteStreamEnd(c, NULL);     /* its end */
                break;
            }
            if (c->limited)
                section = MIN(section, c->remaining);
            if (!inData) {
                if (lseek(c->fd, (off_t)section, SEEK_CUR) < 0) {
                    vgmRemoteStreamEnd(c, _("cannot find the holes of the volume"));
                    break;
                }
                if (c->limited)
                    c->remaining -= section;
                vgmRpcClientSendStreamHole(c->rpc, &c->call, (gint64)section);
                continue;
            }
            want = MIN(want, section);
        }
        n = read(c->fd, buf, want);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0 && c->kind != VGM_REMOTE_STREAM_CONSOLE) {
            g_autofree char *why = g_strdup_printf(_("cannot read the stream's data: %1$s"),
                                                   g_strerror(errno));

            vgmRemoteStreamEnd(c, why);
            break;
        }
        if (n <= 0) {
            /* the end of a file; a pty's EIO: QEMU closed it, the guest
             * stopped */
            vgmRemoteStreamEnd(c, NULL);
            break;
        }
        if (c->limited)
            c->remaining -= n;
        vgmRpcClientSendStream(c->rpc, &c->call, VGM_RPC_STATUS_CONTINUE, buf, n);
    }
    vgmRemoteStreamUnref(c);
    return NULL;
}

/* Ends @data's relay (the client's stream table lets go of it). */
static void
vgmRemoteStreamStop(gpointer data)
{
    VgmRemoteStream *c = data;
    char b = 1;

    GThread *thread;

    g_mutex_lock(&vgmRemoteConsolesLock);
    c->ended = TRUE;
    if (vgmRemoteConsoles && g_hash_table_lookup(vgmRemoteConsoles, c->key) == c)
        g_hash_table_remove(vgmRemoteConsoles, c->key);
    thread = g_steal_pointer(&c->thread);
    g_mutex_unlock(&vgmRemoteConsolesLock);
    if (write(c->wake[1], &b, 1) < 0) {
        /* the reader is gone already */
    }
    if (thread)
        g_thread_join(thread);
    vgmRemoteStreamUnref(c);
}

/* Before the reply: the client's stream table takes the relay, on the
 * call's serial, so that what the client sends once it has the reply
 * finds it */
static void
vgmRemoteStreamRegister(VgmRemoteClient *client, const VgmRpcHeader *hdr, gpointer data)
{
    VgmRemoteStream *c = data;

    c->call = *hdr;
    g_mutex_lock(&client->lock);
    g_hash_table_replace(client->streams, GUINT_TO_POINTER(hdr->serial), vgmRemoteStreamRef(c));
    g_mutex_unlock(&client->lock);
}

/* After the reply: the reader starts, unless the client ended the stream
 * already; the call lets go of the relay (the client's table, and the
 * reader, hold their own references) */
static void
vgmRemoteStreamStart(VgmRemoteClient *client, const VgmRpcHeader *hdr, gpointer data)
{
    VgmRemoteStream *c = data;

    if (c->kind != VGM_REMOTE_STREAM_SINK) {
        g_mutex_lock(&vgmRemoteConsolesLock);
        if (!c->ended)
            c->thread = g_thread_new("vgm-stream", vgmRemoteStreamReader, vgmRemoteStreamRef(c));
        g_mutex_unlock(&vgmRemoteConsolesLock);
    }
    vgmRemoteStreamUnref(c);
}

static void
vgmRemoteStreamAbandon(gpointer data)
{
    VgmRemoteStream *c = data;

    g_mutex_lock(&vgmRemoteConsolesLock);
    if (vgmRemoteConsoles && g_hash_table_lookup(vgmRemoteConsoles, c->key) == c)
        g_hash_table_remove(vgmRemoteConsoles, c->key);
    g_mutex_unlock(&vgmRemoteConsolesLock);
    vgmRemoteStreamUnref(c);
}

/* A relay of @kind of @fd (its own from now on) for the call being
 * served, named @key, its errors in libvirt's @errDomain; NULL with
 * @error (the descriptor closed) */
static VgmRemoteStream *
vgmRemoteStreamNew(VgmRemoteClient *client, VgmRemoteStreamKind kind, int fd, char *key,
                   int errDomain, GError **error)
{
    VgmRemoteStream *c = g_new0(VgmRemoteStream, 1);

    c->ref = 1;
    c->rpc = vgmRpcClientRef(client->rpc);
    c->kind = kind;
    c->errDomain = errDomain;
    c->key = key;
    c->fd = fd;
    c->wake[0] = c->wake[1] = -1;
    if (!g_unix_open_pipe(c->wake, FD_CLOEXEC, NULL)) {
        vgmErrorSetSystem(error, errno, "%s", _("cannot create a pipe"));
        vgmRemoteStreamUnref(c);
        return NULL;
    }
    return c;
}

/* @c's stream is taken in with the call's reply and starts after it, or
 * @c goes with a call that fails */
static void
vgmRemoteStreamAfterReply(VgmRemoteStream *c)
{
    vgmRemoteCallEnd->beforeReply = vgmRemoteStreamRegister;
    vgmRemoteCallEnd->afterReply = vgmRemoteStreamStart;
    vgmRemoteCallEnd->freeData = vgmRemoteStreamAbandon;
    vgmRemoteCallEnd->data = c;
}

/* The key of device @alias of domain @dom in the daemon's streams */
static char *
vgmRemoteDeviceStreamKey(const VgmDriverDomain *dom, const char *alias)
{
    char uuid[37];

    vgmDomainUUIDFormat(dom->uuid, uuid);
    return g_strdup_printf("%s/%s", uuid, alias);
}

/* (a console's or a channel's, by the alias libvirt gives each) */
static void
vgmRemoteDeviceStreamBusyError(const VgmDriverDomain *dom, const char *alias, GError **error)
{
    if (g_str_has_prefix(alias, "channel"))
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("an active channel stream exists for channel '%1$s' of domain '%2$s' (open it with force to take it over)"),
                    alias, dom->name);
    else
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("an active console session exists for device '%1$s' of domain '%2$s' (open it with force to take it over)"),
                    alias, dom->name);
}

/* Whether a client holds a stream of device @alias of domain @dom: an
 * open that does not force then fails before it opens the device */
static gboolean
vgmRemoteDeviceStreamBusy(const VgmDriverDomain *dom, const char *alias, GError **error)
{
    g_autofree char *key = vgmRemoteDeviceStreamKey(dom, alias);
    gboolean busy;

    g_mutex_lock(&vgmRemoteConsolesLock);
    busy = vgmRemoteConsoles && g_hash_table_contains(vgmRemoteConsoles, key);
    g_mutex_unlock(&vgmRemoteConsolesLock);
    if (busy)
        vgmRemoteDeviceStreamBusyError(dom, alias, error);
    return busy;
}

/* The stream of a call that opened device @alias of domain @dom on @fd
 * (taken): one per device across the daemon; another client's open
 * fails, unless it forces (@flags), which ends the first one's stream */
static gboolean
vgmRemoteOpenDeviceStream(VgmRemoteClient *client, const VgmDriverDomain *dom, int fd,
                          const char *alias, unsigned int flags, GError **error)
{
    g_autofree char *key = vgmRemoteDeviceStreamKey(dom, alias);
    VgmRemoteStream *c;
    VgmRemoteStream *other = NULL;

    if (!(c = vgmRemoteStreamNew(client, VGM_REMOTE_STREAM_CONSOLE, fd, g_strdup(key),
                                 VGM_REMOTE_FROM_QEMU, error)))
        return FALSE;

    g_mutex_lock(&vgmRemoteConsolesLock);
    if (!vgmRemoteConsoles)
        vgmRemoteConsoles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if ((other = g_hash_table_lookup(vgmRemoteConsoles, key))) {
        if (!(flags & VGM_CONSOLE_FORCE)) {
            g_mutex_unlock(&vgmRemoteConsolesLock);
            vgmRemoteDeviceStreamBusyError(dom, alias, error);
            vgmRemoteStreamUnref(c);
            return FALSE;
        }
        vgmRemoteStreamRef(other);
    }
    g_hash_table_replace(vgmRemoteConsoles, g_strdup(key), c);
    g_mutex_unlock(&vgmRemoteConsolesLock);
    if (other) {
        /* its client sees its stream end; the relay stops (a console in
         * the table has not ended: the end wakes its reader) */
        vgmRemoteStreamEnd(other, _("the console was taken over by another client"));
        vgmRemoteStreamUnref(other);
    }
    vgmRemoteStreamAfterReply(c);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainOpenConsole(VgmRemoteClient *client,
                                   const VgmRemoteDomainOpenConsoleArgs *args,
                                   GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autofree char *pty = NULL;
    g_autofree char *alias = NULL;
    int fd;

    if (!vgmDriverCheckFlags(args->flags, VGM_CONSOLE_FORCE | VGM_CONSOLE_SAFE, error) ||
        !(dom = vgmDriverLookupByUUID(client->drv, args->dom.uuid, error)) ||
        !(pty = vgmDriverConsolePty(client->drv, dom->name,
                                    args->dev_name ? *args->dev_name : NULL, &alias, error)))
        return FALSE;
    if ((fd = open(pty, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open the console pty '%1$s' of domain '%2$s'"),
                          pty, dom->name);
        return FALSE;
    }
    return vgmRemoteOpenDeviceStream(client, dom, fd, alias, args->flags, error);
}

/* Ends the stream of device @alias of domain @dom that a client holds,
 * if any (a forced open takes it over before it opens the device) */
static void
vgmRemoteEndDeviceStream(const VgmDriverDomain *dom, const char *alias)
{
    g_autofree char *key = vgmRemoteDeviceStreamKey(dom, alias);
    VgmRemoteStream *other = NULL;

    g_mutex_lock(&vgmRemoteConsolesLock);
    if (vgmRemoteConsoles && (other = g_hash_table_lookup(vgmRemoteConsoles, key))) {
        vgmRemoteStreamRef(other);
        g_hash_table_remove(vgmRemoteConsoles, key);
    }
    g_mutex_unlock(&vgmRemoteConsolesLock);
    if (other) {
        vgmRemoteStreamEnd(other, _("the console was taken over by another client"));
        /* its connection ends now, not when its client lets the stream
         * go: QEMU takes the next one only then */
        if (other->fd >= 0)
            shutdown(other->fd, SHUT_RDWR);
        vgmRemoteStreamUnref(other);
    }
}

/* A socket connected to the unix socket @path, waiting at most 5 s for
 * its server to take it (QEMU's chardev takes one client at a time), or
 * -1 with errno set */
static int
vgmRemoteConnectUnix(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    gint64 until = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
        return -1;
    while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int saved = errno;

        if (saved != EAGAIN || g_get_monotonic_time() > until) {
            close(fd);
            errno = saved == EAGAIN ? ETIMEDOUT : saved;
            return -1;
        }
        g_usleep(50 * 1000);
    }
    return fd;
}

/* virDomainOpenChannel: a channel's unix socket connected to, relayed
 * as a console's pty */
gboolean
vgmRemoteDispatchDomainOpenChannel(VgmRemoteClient *client,
                                   const VgmRemoteDomainOpenChannelArgs *args,
                                   GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autofree char *path = NULL;
    g_autofree char *alias = NULL;
    int fd;

    if (!vgmDriverCheckFlags(args->flags, VGM_CONSOLE_FORCE | VGM_CONSOLE_SAFE, error) ||
        !(dom = vgmDriverLookupByUUID(client->drv, args->dom.uuid, error)) ||
        !(path = vgmDriverChannelSocket(client->drv, dom->name,
                                        args->name ? *args->name : NULL, &alias, error)))
        return FALSE;
    /* (a forced open ends the stream it takes over first: its connection
     * holds QEMU's one client place, which one that does not force would
     * wait for in vain) */
    if (args->flags & VGM_CONSOLE_FORCE)
        vgmRemoteEndDeviceStream(dom, alias);
    else if (vgmRemoteDeviceStreamBusy(dom, alias, error))
        return FALSE;
    if ((fd = vgmRemoteConnectUnix(path)) < 0) {
        vgmErrorSetSystem(error, errno, _("cannot open channel '%1$s' of domain '%2$s' at '%3$s'"),
                          args->name ? *args->name : alias, dom->name, path);
        return FALSE;
    }
    return vgmRemoteOpenDeviceStream(client, dom, fd, alias, args->flags, error);
}

/* ---- screenshots: DOMAIN_SCREENSHOT and its stream ---- */

/* The picture's file is sent as a console's pty is (vgmRemoteConsole):
 * the reader sends it in packets and, at its end, the end of the data;
 * the client then finishes the stream. The relay is not one of the
 * daemon's consoles (its key names no device). */
gboolean
vgmRemoteDispatchDomainScreenshot(VgmRemoteClient *client,
                                  const VgmRemoteDomainScreenshotArgs *args,
                                  VgmRemoteDomainScreenshotRet *ret, GError **error)
{
    g_autofree char *mime = NULL;
    VgmRemoteStream *c;
    int fd;

    VGM_REMOTE_GET_DOMAIN(dom);
    if ((fd = vgmDriverScreenshot(client->drv, dom->name, args->screen, args->flags, &mime,
                                  error)) < 0)
        return FALSE;
    if (!(c = vgmRemoteStreamNew(client, VGM_REMOTE_STREAM_SOURCE, fd,
                                 g_strdup_printf("screenshot/%d", fd), VGM_REMOTE_FROM_QEMU,
                                 error)))
        return FALSE;
    ret->mime = vgmRemoteNewOptString(mime);
    vgmRemoteStreamAfterReply(c);
    return TRUE;
}

/* ---- volumes: STORAGE_VOL_UPLOAD and _DOWNLOAD and their streams ---- */

/* @len bytes of zeroes at @fd's offset, which moves past them: a hole
 * punched where the file has bytes (zeroes written where the file system
 * cannot punch), the file made longer where it ends before them */
static gboolean
vgmRemoteStreamZero(int fd, guint64 len)
{
    off_t cur = lseek(fd, 0, SEEK_CUR);
    struct stat st;
    guint64 inside;

    if (cur < 0 || fstat(fd, &st) < 0)
        return FALSE;
    inside = st.st_size > cur ? MIN(len, (guint64)(st.st_size - cur)) : 0;
    if (inside &&
        fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, cur, (off_t)inside) < 0) {
        g_autofree guint8 *zeroes = NULL;
        guint64 done = 0;

        if (errno != EOPNOTSUPP)
            return FALSE;
        zeroes = g_malloc0(1024 * 1024);
        while (done < inside) {
            ssize_t n = pwrite(fd, zeroes, MIN(inside - done, 1024 * 1024), cur + done);

            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return FALSE;
            done += n;
        }
    }
    if ((guint64)st.st_size < cur + len && ftruncate(fd, cur + len) < 0)
        return FALSE;
    return lseek(fd, cur + len, SEEK_SET) >= 0;
}

/* Why data or a hole past a stream's length is refused */
#define VGM_REMOTE_STREAM_PAST_LENGTH \
    N_("the data sent goes past the length the stream was opened for")

/* Why a sink's data is lost */
static char *
vgmRemoteStreamWriteError(int err)
{
    return g_strdup_printf(_("cannot write to the volume: %1$s"), g_strerror(err));
}

/* A hole the client sends in a sparse upload: zeroes in the volume, as
 * they are in the client's file, up to the stream's length (as libvirt
 * cuts it). (libvirtd 9.0 only moves on, which leaves the volume's old
 * bytes there, and cuts the file at the hole's end.) Returns why it
 * cannot be taken, or NULL. */
static char *
vgmRemoteStreamHole(VgmRemoteStream *c, const guint8 *payload, gsize len)
{
    VgmRpcStreamHole hole = { 0 };
    guint64 length;

    if (c->kind != VGM_REMOTE_STREAM_SINK || !c->sparse)
        return g_strdup(_("a hole in a stream that is not a sparse upload"));
    if (!vgmXdrDecode(vgmRpcXdrStreamHole, &hole, payload, len, NULL) || hole.length < 0 ||
        hole.flags != 0)
        return g_strdup(_("a malformed hole in the stream"));
    length = c->limited ? MIN((guint64)hole.length, c->remaining) : (guint64)hole.length;
    if (!vgmRemoteStreamZero(c->fd, length))
        return vgmRemoteStreamWriteError(errno);
    if (c->limited)
        c->remaining -= length;
    return NULL;
}

/* An upload's data: written up to the stream's length (what goes past
 * it is refused, as libvirt's ENOSPC). Returns why it cannot all be
 * taken, or NULL. */
static char *
vgmRemoteStreamWrite(VgmRemoteStream *c, const guint8 *payload, gsize len)
{
    gsize take = c->limited ? MIN(len, c->remaining) : len;
    gsize off = 0;

    while (off < take) {
        ssize_t n = write(c->fd, payload + off, take - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return vgmRemoteStreamWriteError(n < 0 ? errno : ENOSPC);
        off += n;
        if (c->limited)
            c->remaining -= n;
    }
    return take < len ? g_strdup(_(VGM_REMOTE_STREAM_PAST_LENGTH)) : NULL;
}

/* A volume's stream, as a screenshot's: no console of the daemon's; a
 * length of 0 is to the end (of the file, or of what the client sends) */
static gboolean
vgmRemoteVolStream(VgmRemoteClient *client, const VgmRemoteNonnullStorageVol *vol,
                   guint64 offset, guint64 length, unsigned int flags, gboolean upload,
                   GError **error)
{
    VgmRemoteStream *c;
    int fd;

    if ((fd = vgmDriverStorageVolOpenStream(client->drv, vol->pool, vol->name, offset,
                                            upload, flags, error)) < 0)
        return FALSE;
    if (!(c = vgmRemoteStreamNew(client, upload ? VGM_REMOTE_STREAM_SINK : VGM_REMOTE_STREAM_SOURCE,
                                 fd, g_strdup_printf("volume/%d", fd), VGM_REMOTE_FROM_STORAGE,
                                 error)))
        return FALSE;
    c->sparse = (flags & VGM_STORAGE_VOL_STREAM_SPARSE) != 0;
    c->limited = length != 0;
    c->remaining = length;
    vgmRemoteStreamAfterReply(c);
    return TRUE;
}

gboolean
vgmRemoteDispatchStorageVolUpload(VgmRemoteClient *client,
                                  const VgmRemoteStorageVolUploadArgs *args, GError **error)
{
    return vgmRemoteVolStream(client, &args->vol, args->offset, args->length, args->flags,
                              TRUE, error);
}

gboolean
vgmRemoteDispatchStorageVolDownload(VgmRemoteClient *client,
                                    const VgmRemoteStorageVolDownloadArgs *args, GError **error)
{
    return vgmRemoteVolStream(client, &args->vol, args->offset, args->length, args->flags,
                              FALSE, error);
}

/* A stream packet from a client: console input, an upload's data or
 * hole, a stream's finish or abort. */
static void
vgmRemoteStreamPacket(VgmRpcClient *rpc, const VgmRpcHeader *hdr, const guint8 *payload,
                      gsize len, gpointer opaque)
{
    VgmRemoteClient *client = vgmRpcClientGetPrivate(rpc);
    VgmRemoteStream *c;
    gboolean ours;

    g_mutex_lock(&client->lock);
    if ((c = g_hash_table_lookup(client->streams, GUINT_TO_POINTER(hdr->serial))))
        vgmRemoteStreamRef(c);
    g_mutex_unlock(&client->lock);
    if (!c)
        return;     /* a stream that ended: late packets are dropped */
    if (hdr->status == VGM_RPC_STATUS_CONTINUE) {
        g_autofree char *why = NULL;

        if (c->ended) {
            /* (after its end: dropped) */
        } else if (c->kind == VGM_REMOTE_STREAM_SOURCE) {
            why = g_strdup(_("the stream sends data and takes none"));
        } else if (hdr->type == VGM_RPC_TYPE_STREAM_HOLE) {
            why = vgmRemoteStreamHole(c, payload, len);
        } else if (c->kind == VGM_REMOTE_STREAM_SINK) {
            why = vgmRemoteStreamWrite(c, payload, len);
        } else {
            gsize off = 0;

            /* a console: what the guest cannot take now waits a little;
             * when its side went away, the reader ends the stream */
            while (off < len && !c->ended) {
                ssize_t n = write(c->fd, payload + off, len - off);

                if (n < 0 && errno == EINTR)
                    continue;
                if (n < 0 && errno == EAGAIN) {
                    struct pollfd p = { c->fd, POLLOUT, 0 };

                    poll(&p, 1, 1000);
                    continue;
                }
                if (n <= 0)
                    break;
                off += n;
            }
        }
        if (why) {
            vgmRemoteStreamEnd(c, why);
            /* a sink's descriptor is only written here: it goes now */
            if (c->kind == VGM_REMOTE_STREAM_SINK) {
                close(c->fd);
                c->fd = -1;
            }
        }
        vgmRemoteStreamUnref(c);
        return;
    }
    /* the client's finish (OK) or abort (ERROR) waits for an OK, which
     * goes once the relay (and its reader) stopped */
    g_mutex_lock(&client->lock);
    ours = g_hash_table_steal(client->streams, GUINT_TO_POINTER(hdr->serial));
    g_mutex_unlock(&client->lock);
    if (ours)
        vgmRemoteStreamStop(c);
    vgmRpcClientSendStream(rpc, hdr, VGM_RPC_STATUS_OK, NULL, 0);
    vgmRemoteStreamUnref(c);
}

/* ---- typed parameters ---- */

/* The first @max of @params (VgmTypedParam) as the wire's typed
 * parameters */
static void
vgmRemoteTypedParamsSet(VgmRemoteTypedParam **val, guint32 *len, const GPtrArray *params,
                        guint max)
{
    guint j, n = MIN(params->len, max);

    *len = n;
    *val = g_new0(VgmRemoteTypedParam, n);
    for (j = 0; j < n; j++) {
        const VgmTypedParam *p = g_ptr_array_index(params, j);
        VgmRemoteTypedParam *q = &(*val)[j];

        q->field = g_strdup(p->field);
        q->value.type = p->type;
        switch (p->type) {
        case VGM_TYPED_PARAM_INT:
            q->value.u.i = p->v.i;
            break;
        case VGM_TYPED_PARAM_UINT:
            q->value.u.ui = p->v.ui;
            break;
        case VGM_TYPED_PARAM_LLONG:
            q->value.u.l = p->v.l;
            break;
        case VGM_TYPED_PARAM_ULLONG:
            q->value.u.ul = p->v.ul;
            break;
        case VGM_TYPED_PARAM_DOUBLE:
            q->value.u.d = p->v.d;
            break;
        case VGM_TYPED_PARAM_BOOLEAN:
            q->value.u.b = p->v.b;
            break;
        case VGM_TYPED_PARAM_STRING:
            q->value.u.s = g_strdup(p->v.s);
            break;
        }
    }
}

/* ---- statistics ---- */

gboolean
vgmRemoteDispatchDomainBlockStats(VgmRemoteClient *client, const VgmRemoteDomainBlockStatsArgs *args,
                                  VgmRemoteDomainBlockStatsRet *ret, GError **error)
{
    VgmDriverBlockStats b;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverBlockStats(client->drv, dom->name, args->path, &b, error))
        return FALSE;
    ret->rd_req = b.rdReq;
    ret->rd_bytes = b.rdBytes;
    ret->wr_req = b.wrReq;
    ret->wr_bytes = b.wrBytes;
    /* as libvirt: QEMU counts no errors */
    ret->errs = -1;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainBlockStatsFlags(VgmRemoteClient *client,
                                       const VgmRemoteDomainBlockStatsFlagsArgs *args,
                                       VgmRemoteDomainBlockStatsFlagsRet *ret, GError **error)
{
    VgmDriverBlockStats b;
    g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    /* libvirt's names and order */
    static const char *const fields[] = {
        "wr_bytes", "wr_operations", "rd_bytes", "rd_operations", "flush_operations",
        "wr_total_times", "rd_total_times", "flush_total_times",
    };
    gint64 values[G_N_ELEMENTS(fields)];
    guint i;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (args->nparams < 0 || args->nparams > VGM_REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("nparams %1$d is out of range (0 to %2$u)"),
                    args->nparams, (unsigned int)VGM_REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX);
        return FALSE;
    }
    /* (strings are never returned, so the string flag is trivially met) */
    if (!vgmDriverCheckFlags(args->flags, VGM_TYPED_PARAM_STRING_OKAY, error) ||
        !vgmDriverBlockStats(client->drv, dom->name, args->path, &b, error))
        return FALSE;
    if (args->nparams == 0) {
        ret->nparams = G_N_ELEMENTS(fields);
        return TRUE;
    }
    values[0] = b.wrBytes; values[1] = b.wrReq; values[2] = b.rdBytes; values[3] = b.rdReq;
    values[4] = b.flReq; values[5] = b.wrTimes; values[6] = b.rdTimes; values[7] = b.flTimes;
    for (i = 0; i < G_N_ELEMENTS(fields); i++)
        vgmTypedParamAdd(params, fields[i], VGM_TYPED_PARAM_LLONG)->v.l = values[i];
    vgmRemoteTypedParamsSet(&ret->params.val, &ret->params.len, params, (guint)args->nparams);
    ret->nparams = (gint32)ret->params.len;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainInterfaceStats(VgmRemoteClient *client,
                                      const VgmRemoteDomainInterfaceStatsArgs *args,
                                      VgmRemoteDomainInterfaceStatsRet *ret, GError **error)
{
    VgmDriverInterfaceStats n;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverInterfaceStats(client->drv, dom->name, args->device, &n, error))
        return FALSE;
    ret->rx_bytes = n.rxBytes;
    ret->rx_packets = n.rxPackets;
    ret->rx_errs = n.rxErrs;
    ret->rx_drop = n.rxDrop;
    ret->tx_bytes = n.txBytes;
    ret->tx_packets = n.txPackets;
    ret->tx_errs = n.txErrs;
    ret->tx_drop = n.txDrop;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainMemoryStats(VgmRemoteClient *client,
                                   const VgmRemoteDomainMemoryStatsArgs *args,
                                   VgmRemoteDomainMemoryStatsRet *ret, GError **error)
{
    g_autoptr(GArray) st = NULL;
    guint i;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (args->maxStats > VGM_REMOTE_DOMAIN_MEMORY_STATS_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("maxStats %1$u is out of range (0 to %2$u)"),
                    args->maxStats, (unsigned int)VGM_REMOTE_DOMAIN_MEMORY_STATS_MAX);
        return FALSE;
    }
    if (!(st = vgmDriverMemoryStats(client->drv, dom->name, args->maxStats, args->flags, error)))
        return FALSE;
    ret->stats.len = st->len;
    ret->stats.val = g_new0(VgmRemoteDomainMemoryStat, st->len);
    for (i = 0; i < st->len; i++) {
        ret->stats.val[i].tag = g_array_index(st, VgmDriverMemoryStat, i).tag;
        ret->stats.val[i].val = g_array_index(st, VgmDriverMemoryStat, i).val;
    }
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainInterfaceAddresses(VgmRemoteClient *client,
                                          const VgmRemoteDomainInterfaceAddressesArgs *args,
                                          VgmRemoteDomainInterfaceAddressesRet *ret,
                                          GError **error)
{
    g_autoptr(GPtrArray) ifaces = NULL;
    guint i, j;

    VGM_REMOTE_GET_DOMAIN(dom);
    /* the agent's answer is the guest's word: not for read-only clients,
     * as libvirt has it */
    if (args->source == VGM_IFADDR_SRC_AGENT && client->readonly) {
        vgmErrorSet(error, VGM_ERR_OPERATION_DENIED, "%s",
                    _("the guest agent's interface addresses are not for read-only connections"));
        return FALSE;
    }
    if (!(ifaces = vgmDriverInterfaceAddresses(client->drv, dom->name, args->source, args->flags,
                                               error)))
        return FALSE;
    ret->ifaces.len = ifaces->len;
    ret->ifaces.val = g_new0(VgmRemoteDomainInterface, ifaces->len);
    for (i = 0; i < ifaces->len; i++) {
        const VgmDriverInterfaceAddrs *ia = g_ptr_array_index(ifaces, i);
        VgmRemoteDomainInterface *r = &ret->ifaces.val[i];

        /* (libvirt's name is not optional: an interface without a host
         * device gets an empty one) */
        r->name = g_strdup(ia->name ? ia->name : "");
        r->hwaddr = vgmRemoteNewOptString(ia->hwaddr);
        r->addrs.len = ia->addrs->len;
        r->addrs.val = g_new0(VgmRemoteDomainIpAddr, ia->addrs->len);
        for (j = 0; j < ia->addrs->len; j++) {
            const VgmDriverIPAddress *a = g_ptr_array_index(ia->addrs, j);

            r->addrs.val[j].type = a->type;
            r->addrs.val[j].addr = g_strdup(a->addr);
            r->addrs.val[j].prefix = a->prefix;
        }
    }
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSetMemoryStatsPeriod(VgmRemoteClient *client,
                                            const VgmRemoteDomainSetMemoryStatsPeriodArgs *args,
                                            GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetMemoryStatsPeriod(client->drv, dom->name, args->period, args->flags,
                                         error);
}

/* ---- NMI, keys and metadata ---- */

gboolean
vgmRemoteDispatchDomainInjectNmi(VgmRemoteClient *client, const VgmRemoteDomainInjectNmiArgs *args,
                                 GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverInjectNMI(client->drv, dom->name, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainSendKey(VgmRemoteClient *client, const VgmRemoteDomainSendKeyArgs *args,
                               GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSendKey(client->drv, dom->name, args->codeset, args->holdtime,
                            args->keycodes.val, args->keycodes.len, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainSetMetadata(VgmRemoteClient *client,
                                   const VgmRemoteDomainSetMetadataArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetMetadata(client->drv, dom->name, args->type,
                                args->metadata ? *args->metadata : NULL,
                                args->key ? *args->key : NULL, args->uri ? *args->uri : NULL,
                                args->flags, error);
}

gboolean
vgmRemoteDispatchDomainGetMetadata(VgmRemoteClient *client,
                                   const VgmRemoteDomainGetMetadataArgs *args,
                                   VgmRemoteDomainGetMetadataRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return (ret->metadata = vgmDriverGetMetadata(client->drv, dom, args->type,
                                                 args->uri ? *args->uri : NULL, args->flags,
                                                 error)) != NULL;
}

/* ---- jobs: a save in progress ---- */

gboolean
vgmRemoteDispatchDomainGetJobInfo(VgmRemoteClient *client, const VgmRemoteDomainGetJobInfoArgs *args,
                                  VgmRemoteDomainGetJobInfoRet *ret, GError **error)
{
    VgmDriverJobInfo info;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverGetJobInfo(client->drv, dom->name, &info, error))
        return FALSE;
    ret->type = info.type;
    ret->timeElapsed = info.elapsedMs;
    /* a save's data is the guest's memory */
    ret->dataTotal = ret->memTotal = info.memTotal;
    ret->dataProcessed = ret->memProcessed = info.memProcessed;
    ret->dataRemaining = ret->memRemaining = info.memRemaining;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetControlInfo(VgmRemoteClient *client,
                                      const VgmRemoteDomainGetControlInfoArgs *args,
                                      VgmRemoteDomainGetControlInfoRet *ret, GError **error)
{
    VgmDriverControlInfo info;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverGetControlInfo(client->drv, dom->name, args->flags, &info, error))
        return FALSE;
    ret->state = info.state;
    ret->details = info.details;
    ret->stateTime = info.stateTimeMs;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetCpuStats(VgmRemoteClient *client,
                                   const VgmRemoteDomainGetCpuStatsArgs *args,
                                   VgmRemoteDomainGetCpuStatsRet *ret, GError **error)
{
    g_autoptr(GPtrArray) params = NULL;
    int count = 0;

    /* libvirtd's bounds of the wire */
    if (args->nparams > VGM_REMOTE_NODE_CPU_STATS_MAX ||
        args->ncpus > VGM_REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("nparams %1$u or ncpus %2$u out of range (at most %3$d and %4$d)"),
                    args->nparams, args->ncpus, VGM_REMOTE_NODE_CPU_STATS_MAX,
                    VGM_REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX);
        return FALSE;
    }
    VGM_REMOTE_GET_DOMAIN(dom);
    if (!(params = vgmDriverGetCPUStats(client->drv, dom->name, args->nparams, args->start_cpu,
                                        args->ncpus, args->flags, &count, error)))
        return FALSE;
    /* a count, or the values of the one stride asked for (the totals) */
    ret->nparams = count;
    if (params->len)
        vgmRemoteTypedParamsSet(&ret->params.val, &ret->params.len, params,
                                VGM_REMOTE_DOMAIN_GET_CPU_STATS_MAX);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetDiskErrors(VgmRemoteClient *client,
                                     const VgmRemoteDomainGetDiskErrorsArgs *args,
                                     VgmRemoteDomainGetDiskErrorsRet *ret, GError **error)
{
    g_autoptr(GPtrArray) errors = NULL;
    guint ndisks = 0, i;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (args->maxerrors > VGM_REMOTE_DOMAIN_DISK_ERRORS_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("maxerrors %1$u is out of range (0 to %2$u)"),
                    args->maxerrors, (guint)VGM_REMOTE_DOMAIN_DISK_ERRORS_MAX);
        return FALSE;
    }
    if (!(errors = vgmDriverGetDiskErrors(client->drv, dom->name, args->flags, &ndisks, error)))
        return FALSE;
    /* as libvirt: 0 asks how many there can be (the domain's disks) */
    if (args->maxerrors == 0) {
        ret->nerrors = (gint32)ndisks;
        return TRUE;
    }
    ret->errors.len = MIN(errors->len, args->maxerrors);
    ret->errors.val = g_new0(VgmRemoteDomainDiskError, MAX(ret->errors.len, 1));
    for (i = 0; i < ret->errors.len; i++) {
        const VgmDriverDiskError *e = g_ptr_array_index(errors, i);

        ret->errors.val[i].disk = g_strdup(e->disk);
        ret->errors.val[i].error = e->error;
    }
    ret->nerrors = (gint32)ret->errors.len;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetJobStats(VgmRemoteClient *client,
                                   const VgmRemoteDomainGetJobStatsArgs *args,
                                   VgmRemoteDomainGetJobStatsRet *ret, GError **error)
{
    g_autoptr(GPtrArray) params = NULL;
    int type = 0;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!(params = vgmDriverGetJobStats(client->drv, dom->name, args->flags, &type, error)))
        return FALSE;
    ret->type = type;
    vgmRemoteTypedParamsSet(&ret->params.val, &ret->params.len, params,
                            VGM_REMOTE_DOMAIN_JOB_STATS_MAX);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainAbortJob(VgmRemoteClient *client, const VgmRemoteDomainAbortJobArgs *args,
                                GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverAbortJob(client->drv, dom->name, 0, error);
}

gboolean
vgmRemoteDispatchDomainAbortJobFlags(VgmRemoteClient *client,
                                     const VgmRemoteDomainAbortJobFlagsArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverAbortJob(client->drv, dom->name, args->flags, error);
}

/* ---- resource controls ---- */

gboolean
vgmRemoteDispatchDomainGetSchedulerType(VgmRemoteClient *client,
                                        const VgmRemoteDomainGetSchedulerTypeArgs *args,
                                        VgmRemoteDomainGetSchedulerTypeRet *ret, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmRemoteGetDomain(client, &args->dom, error);

    if (!dom)
        return FALSE;
    ret->type = vgmDriverGetSchedulerType(dom, &ret->nparams);
    return TRUE;
}

/* A Get*Parameters call: @nparams (the caller's room; for the memory and
 * blkio calls 0 asks how many there are, in *@count) and the domain's
 * parameters of @kind */
static gboolean
vgmRemoteGetTune(VgmRemoteClient *client, const VgmRemoteNonnullDomain *d, VgmDriverTuneKind kind,
                 gint32 nparams, guint32 flags, guint max, VgmRemoteTypedParam **val,
                 guint32 *len, gint32 *count, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GPtrArray) params = NULL;

    if (nparams < 0 || (guint)nparams > max) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("nparams %1$d is out of range (0 to %2$u)"), nparams, max);
        return FALSE;
    }
    if (!(dom = vgmRemoteGetDomain(client, d, error)) ||
        !(params = vgmDriverGetTuneParams(client->drv, dom, kind, flags, error)))
        return FALSE;
    if (count && nparams == 0) {
        *count = (gint32)params->len;
        return TRUE;
    }
    vgmRemoteTypedParamsSet(val, len, params, (guint)nparams);
    if (count)
        *count = (gint32)*len;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetSchedulerParameters(VgmRemoteClient *client,
                                              const VgmRemoteDomainGetSchedulerParametersArgs *args,
                                              VgmRemoteDomainGetSchedulerParametersRet *ret,
                                              GError **error)
{
    return vgmRemoteGetTune(client, &args->dom, VGM_DRIVER_TUNE_SCHED, args->nparams, 0,
                            VGM_REMOTE_DOMAIN_SCHEDULER_PARAMETERS_MAX, &ret->params.val,
                            &ret->params.len, NULL, error);
}

gboolean
vgmRemoteDispatchDomainGetSchedulerParametersFlags(VgmRemoteClient *client,
                                                   const VgmRemoteDomainGetSchedulerParametersFlagsArgs *args,
                                                   VgmRemoteDomainGetSchedulerParametersFlagsRet *ret,
                                                   GError **error)
{
    return vgmRemoteGetTune(client, &args->dom, VGM_DRIVER_TUNE_SCHED, args->nparams,
                            args->flags, VGM_REMOTE_DOMAIN_SCHEDULER_PARAMETERS_MAX,
                            &ret->params.val, &ret->params.len, NULL, error);
}

gboolean
vgmRemoteDispatchDomainGetMemoryParameters(VgmRemoteClient *client,
                                           const VgmRemoteDomainGetMemoryParametersArgs *args,
                                           VgmRemoteDomainGetMemoryParametersRet *ret,
                                           GError **error)
{
    return vgmRemoteGetTune(client, &args->dom, VGM_DRIVER_TUNE_MEMORY, args->nparams,
                            args->flags, VGM_REMOTE_DOMAIN_MEMORY_PARAMETERS_MAX, &ret->params.val,
                            &ret->params.len, &ret->nparams, error);
}

gboolean
vgmRemoteDispatchDomainGetBlkioParameters(VgmRemoteClient *client,
                                          const VgmRemoteDomainGetBlkioParametersArgs *args,
                                          VgmRemoteDomainGetBlkioParametersRet *ret,
                                          GError **error)
{
    return vgmRemoteGetTune(client, &args->dom, VGM_DRIVER_TUNE_BLKIO, args->nparams,
                            args->flags, VGM_REMOTE_DOMAIN_BLKIO_PARAMETERS_MAX, &ret->params.val,
                            &ret->params.len, &ret->nparams, error);
}

gboolean
vgmRemoteDispatchDomainGetNumaParameters(VgmRemoteClient *client,
                                         const VgmRemoteDomainGetNumaParametersArgs *args,
                                         VgmRemoteDomainGetNumaParametersRet *ret,
                                         GError **error)
{
    return vgmRemoteGetTune(client, &args->dom, VGM_DRIVER_TUNE_NUMA, args->nparams,
                            args->flags, VGM_REMOTE_DOMAIN_NUMA_PARAMETERS_MAX, &ret->params.val,
                            &ret->params.len, &ret->nparams, error);
}

/* The typed parameters a client gave, as VgmTypedParam */
static GPtrArray *
vgmRemoteTypedParamsGet(const VgmRemoteTypedParam *val, guint32 len)
{
    GPtrArray *params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    guint32 j;

    for (j = 0; j < len; j++) {
        VgmTypedParam *p = vgmTypedParamAdd(params, val[j].field, val[j].value.type);

        switch (val[j].value.type) {
        case VGM_TYPED_PARAM_INT:
            p->v.i = val[j].value.u.i;
            break;
        case VGM_TYPED_PARAM_UINT:
            p->v.ui = val[j].value.u.ui;
            break;
        case VGM_TYPED_PARAM_LLONG:
            p->v.l = val[j].value.u.l;
            break;
        case VGM_TYPED_PARAM_ULLONG:
            p->v.ul = val[j].value.u.ul;
            break;
        case VGM_TYPED_PARAM_DOUBLE:
            p->v.d = val[j].value.u.d;
            break;
        case VGM_TYPED_PARAM_BOOLEAN:
            p->v.b = val[j].value.u.b;
            break;
        case VGM_TYPED_PARAM_STRING:
            p->v.s = g_strdup(val[j].value.u.s);
            break;
        }
    }
    return params;
}

static gboolean
vgmRemoteSetTune(VgmRemoteClient *client, const VgmRemoteNonnullDomain *d, VgmDriverTuneKind kind,
                 const VgmRemoteTypedParam *val, guint32 len, guint32 flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmRemoteGetDomain(client, d, error);
    g_autoptr(GPtrArray) params = NULL;

    if (!dom)
        return FALSE;
    params = vgmRemoteTypedParamsGet(val, len);
    return vgmDriverSetTuneParams(client->drv, dom->name, kind, params, flags, error);
}

gboolean
vgmRemoteDispatchDomainSetSchedulerParameters(VgmRemoteClient *client,
                                              const VgmRemoteDomainSetSchedulerParametersArgs *args,
                                              GError **error)
{
    return vgmRemoteSetTune(client, &args->dom, VGM_DRIVER_TUNE_SCHED, args->params.val,
                            args->params.len, 0, error);
}

gboolean
vgmRemoteDispatchDomainSetSchedulerParametersFlags(VgmRemoteClient *client,
                                                   const VgmRemoteDomainSetSchedulerParametersFlagsArgs *args,
                                                   GError **error)
{
    return vgmRemoteSetTune(client, &args->dom, VGM_DRIVER_TUNE_SCHED, args->params.val,
                            args->params.len, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainSetMemoryParameters(VgmRemoteClient *client,
                                           const VgmRemoteDomainSetMemoryParametersArgs *args,
                                           GError **error)
{
    return vgmRemoteSetTune(client, &args->dom, VGM_DRIVER_TUNE_MEMORY, args->params.val,
                            args->params.len, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainSetBlkioParameters(VgmRemoteClient *client,
                                          const VgmRemoteDomainSetBlkioParametersArgs *args,
                                          GError **error)
{
    return vgmRemoteSetTune(client, &args->dom, VGM_DRIVER_TUNE_BLKIO, args->params.val,
                            args->params.len, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainSetNumaParameters(VgmRemoteClient *client,
                                         const VgmRemoteDomainSetNumaParametersArgs *args,
                                         GError **error)
{
    return vgmRemoteSetTune(client, &args->dom, VGM_DRIVER_TUNE_NUMA, args->params.val,
                            args->params.len, args->flags, error);
}

/* ---- where a domain's threads run ---- */

/* @count maps of @maplen bytes each: both counts in range and the whole
 * under REMOTE_CPUMAPS_MAX, as libvirtd checks them */
static gboolean
vgmRemoteCheckMaps(gint32 count, gint32 maplen, guint maxCount, const char *what,
                   GError **error)
{
    if (count < 0 || (guint)count > maxCount) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("%1$s %2$d is out of range (0 to %3$u)"),
                    what, count, maxCount);
        return FALSE;
    }
    if (maplen <= 0 || (guint64)count * (guint64)maplen > VGM_REMOTE_CPUMAPS_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("maplen %1$d is out of range: %2$s times maplen must be 1 to %3$u bytes"),
                    maplen, what, (guint)VGM_REMOTE_CPUMAPS_MAX);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetVcpus(VgmRemoteClient *client, const VgmRemoteDomainGetVcpusArgs *args,
                                VgmRemoteDomainGetVcpusRet *ret, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GPtrArray) vcpus = NULL;
    guint i, n;

    if (!vgmRemoteCheckMaps(args->maxinfo, args->maplen, VGM_REMOTE_VCPUINFO_MAX, "maxinfo",
                            error) ||
        !(dom = vgmRemoteGetDomain(client, &args->dom, error)) ||
        !(vcpus = vgmDriverGetVcpus(client->drv, dom, error)))
        return FALSE;
    n = MIN(vcpus->len, (guint)args->maxinfo);
    ret->info.len = n;
    ret->info.val = g_new0(VgmRemoteVcpuInfo, MAX(n, 1));
    ret->cpumaps.len = (guint32)args->maxinfo * (guint32)args->maplen;
    ret->cpumaps.val = g_new0(guint8, MAX(ret->cpumaps.len, 1));
    for (i = 0; i < n; i++) {
        const VgmDriverThreadInfo *v = g_ptr_array_index(vcpus, i);

        ret->info.val[i].number = v->id;
        ret->info.val[i].state = v->state;
        ret->info.val[i].cpu_time = v->cpuTime;
        ret->info.val[i].cpu = v->cpu;
        vgmDriverCpuMapFill(v->cpus, ret->cpumaps.val + (gsize)i * args->maplen,
                            (size_t)args->maplen);
    }
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetVcpuPinInfo(VgmRemoteClient *client,
                                      const VgmRemoteDomainGetVcpuPinInfoArgs *args,
                                      VgmRemoteDomainGetVcpuPinInfoRet *ret, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GPtrArray) maps = NULL;
    guint i;

    if (!vgmRemoteCheckMaps(args->ncpumaps, args->maplen, VGM_REMOTE_VCPUINFO_MAX, "ncpumaps",
                            error) ||
        !(dom = vgmRemoteGetDomain(client, &args->dom, error)) ||
        !(maps = vgmDriverGetVcpuPinInfo(client->drv, dom, args->flags, error)))
        return FALSE;
    ret->cpumaps.len = (guint32)args->ncpumaps * (guint32)args->maplen;
    ret->cpumaps.val = g_new0(guint8, MAX(ret->cpumaps.len, 1));
    for (i = 0; i < maps->len && i < (guint)args->ncpumaps; i++)
        vgmDriverCpuMapFill(g_ptr_array_index(maps, i), ret->cpumaps.val + (gsize)i * args->maplen,
                            (size_t)args->maplen);
    /* as libvirt: the maps filled, no more than were asked for (a client
     * asks for the current vCPUs' of a domain with more possible ones:
     * python's vcpuPinInfo) */
    ret->num = (gint32)MIN(maps->len, (guint)args->ncpumaps);
    return TRUE;
}

/* A client's CPU map (bit N of byte N/8: CPU N) as a set */
static VgmBitmap *
vgmRemoteCpuMap(const guint8 *map, guint32 len)
{
    VgmBitmap *cpus = vgmBitmapNew(VGM_BITMAP_MAX);
    guint32 i;

    for (i = 0; i < len * 8 && i < VGM_BITMAP_MAX; i++) {
        if (map[i / 8] & (1u << (i % 8)))
            vgmBitmapSet(cpus, i);
    }
    return cpus;
}

/* virDomainPinVcpu: the running domain's */
gboolean
vgmRemoteDispatchDomainPinVcpu(VgmRemoteClient *client, const VgmRemoteDomainPinVcpuArgs *args,
                               GError **error)
{
    g_autoptr(VgmBitmap) cpus = vgmRemoteCpuMap(args->cpumap.val, args->cpumap.len);
    VGM_REMOTE_GET_DOMAIN(dom);

    return vgmDriverPin(client->drv, dom->name, VGM_DRIVER_PIN_VCPU, args->vcpu, cpus,
                        VGM_DOMAIN_AFFECT_LIVE, error);
}

gboolean
vgmRemoteDispatchDomainPinVcpuFlags(VgmRemoteClient *client,
                                    const VgmRemoteDomainPinVcpuFlagsArgs *args, GError **error)
{
    g_autoptr(VgmBitmap) cpus = vgmRemoteCpuMap(args->cpumap.val, args->cpumap.len);
    VGM_REMOTE_GET_DOMAIN(dom);

    return vgmDriverPin(client->drv, dom->name, VGM_DRIVER_PIN_VCPU, args->vcpu, cpus,
                        args->flags, error);
}

gboolean
vgmRemoteDispatchDomainPinEmulator(VgmRemoteClient *client,
                                   const VgmRemoteDomainPinEmulatorArgs *args, GError **error)
{
    g_autoptr(VgmBitmap) cpus = vgmRemoteCpuMap(args->cpumap.val, args->cpumap.len);
    VGM_REMOTE_GET_DOMAIN(dom);

    return vgmDriverPin(client->drv, dom->name, VGM_DRIVER_PIN_EMULATOR, 0, cpus, args->flags,
                        error);
}

gboolean
vgmRemoteDispatchDomainPinIothread(VgmRemoteClient *client,
                                   const VgmRemoteDomainPinIothreadArgs *args, GError **error)
{
    g_autoptr(VgmBitmap) cpus = vgmRemoteCpuMap(args->cpumap.val, args->cpumap.len);
    VGM_REMOTE_GET_DOMAIN(dom);

    return vgmDriverPin(client->drv, dom->name, VGM_DRIVER_PIN_IOTHREAD, args->iothreads_id,
                        cpus, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainAddIothread(VgmRemoteClient *client,
                                   const VgmRemoteDomainAddIothreadArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);

    return vgmDriverIOThread(client->drv, dom->name, args->iothread_id, TRUE, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainDelIothread(VgmRemoteClient *client,
                                   const VgmRemoteDomainDelIothreadArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);

    return vgmDriverIOThread(client->drv, dom->name, args->iothread_id, FALSE, args->flags,
                             error);
}

gboolean
vgmRemoteDispatchDomainPmSuspendForDuration(VgmRemoteClient *client,
                                            const VgmRemoteDomainPmSuspendForDurationArgs *args,
                                            GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);

    return vgmDriverPMSuspend(client->drv, dom->name, args->target, args->duration,
                              args->flags, error);
}

gboolean
vgmRemoteDispatchDomainPmWakeup(VgmRemoteClient *client, const VgmRemoteDomainPmWakeupArgs *args,
                                GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);

    return vgmDriverPMWakeup(client->drv, dom->name, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainRename(VgmRemoteClient *client, const VgmRemoteDomainRenameArgs *args,
                              VgmRemoteDomainRenameRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);

    /* (the client library refuses a NULL name itself) */
    if (!vgmDriverRename(client->drv, dom->name, vgmRemoteOptString(args->new_name), args->flags,
                         error))
        return FALSE;
    ret->retcode = 0;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSetVcpu(VgmRemoteClient *client, const VgmRemoteDomainSetVcpuArgs *args,
                               GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);

    return vgmDriverSetVcpu(client->drv, dom->name, args->cpumap, args->state, args->flags,
                            error);
}

gboolean
vgmRemoteDispatchDomainSetLifecycleAction(VgmRemoteClient *client,
                                          const VgmRemoteDomainSetLifecycleActionArgs *args,
                                          GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);

    return vgmDriverSetLifecycleAction(client->drv, dom->name, args->type, args->action,
                                       args->flags, error);
}

gboolean
vgmRemoteDispatchDomainSetIothreadParams(VgmRemoteClient *client,
                                         const VgmRemoteDomainSetIothreadParamsArgs *args,
                                         GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);

    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetIOThreadParams(client->drv, dom->name, args->iothread_id, params,
                                      args->flags, error);
}

gboolean
vgmRemoteDispatchDomainGetEmulatorPinInfo(VgmRemoteClient *client,
                                          const VgmRemoteDomainGetEmulatorPinInfoArgs *args,
                                          VgmRemoteDomainGetEmulatorPinInfoRet *ret,
                                          GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmBitmap) cpus = NULL;

    if (!vgmRemoteCheckMaps(1, args->maplen, 1, "the map count", error) ||
        !(dom = vgmRemoteGetDomain(client, &args->dom, error)) ||
        !(cpus = vgmDriverGetEmulatorPinInfo(client->drv, dom, args->flags, error)))
        return FALSE;
    ret->cpumaps.len = (guint32)args->maplen;
    ret->cpumaps.val = g_new0(guint8, ret->cpumaps.len);
    vgmDriverCpuMapFill(cpus, ret->cpumaps.val, (size_t)args->maplen);
    ret->ret = 1;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetIothreadInfo(VgmRemoteClient *client,
                                       const VgmRemoteDomainGetIothreadInfoArgs *args,
                                       VgmRemoteDomainGetIothreadInfoRet *ret, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GPtrArray) threads = NULL;
    guint mapLen = 0;
    guint i;

    /* each map as long as the host's CPUs need, as libvirt sizes it */
    if (!(dom = vgmRemoteGetDomain(client, &args->dom, error)) ||
        !vgmNodeGetCPUMap(NULL, NULL, &mapLen, NULL, NULL, error) ||
        !(threads = vgmDriverGetIOThreadInfo(client->drv, dom, args->flags, error)))
        return FALSE;
    if (threads->len > VGM_REMOTE_IOTHREAD_INFO_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("domain '%1$s' has more than %2$u I/O threads"),
                    dom->name, (guint)VGM_REMOTE_IOTHREAD_INFO_MAX);
        return FALSE;
    }
    ret->info.len = threads->len;
    ret->info.val = g_new0(VgmRemoteDomainIothreadInfo, MAX(threads->len, 1));
    for (i = 0; i < threads->len; i++) {
        const VgmDriverThreadInfo *t = g_ptr_array_index(threads, i);

        ret->info.val[i].iothread_id = t->id;
        ret->info.val[i].cpumap.len = mapLen;
        ret->info.val[i].cpumap.val = g_new0(guint8, MAX(mapLen, 1));
        vgmDriverCpuMapFill(t->cpus, ret->info.val[i].cpumap.val, mapLen);
    }
    ret->ret = threads->len;
    return TRUE;
}

/* ---- bulk statistics ---- */

gboolean
vgmRemoteDispatchConnectGetAllDomainStats(VgmRemoteClient *client,
                                          const VgmRemoteConnectGetAllDomainStatsArgs *args,
                                          VgmRemoteConnectGetAllDomainStatsRet *ret,
                                          GError **error)
{
    g_autoptr(GPtrArray) doms = NULL;
    g_autoptr(GPtrArray) recs = NULL;
    guint i;

    if (args->doms.len > 0) {
        doms = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverDomainFree);
        for (i = 0; i < args->doms.len; i++) {
            /* as libvirt: a domain that went away meanwhile is left out */
            VgmDriverDomain *dom = vgmDriverLookupByUUID(client->drv, args->doms.val[i].uuid, NULL);

            if (dom)
                g_ptr_array_add(doms, dom);
        }
    }
    if (!(recs = vgmDriverGetAllDomainStats(client->drv, doms, args->stats, args->flags, error)))
        return FALSE;
    ret->retStats.len = recs->len;
    ret->retStats.val = g_new0(VgmRemoteDomainStatsRecord, recs->len);
    for (i = 0; i < recs->len; i++) {
        const VgmDriverDomainStats *st = g_ptr_array_index(recs, i);
        VgmRemoteDomainStatsRecord *r = &ret->retStats.val[i];

        vgmRemoteMakeDomain(&r->dom, st->dom);
        vgmRemoteTypedParamsSet(&r->params.val, &r->params.len, st->params, st->params->len);
    }
    return TRUE;
}

/* ---- storage pools and volumes ---- */

/* The pool a call names, found by uuid as libvirt's storage driver does. */
static VgmStoragePool *
vgmRemoteGetPool(VgmRemoteClient *client, const VgmRemoteNonnullStoragePool *p,
                 GError **error)
{
    return vgmDriverStoragePoolLookupByUUID(client->drv, p->uuid, error);
}

static void
vgmRemoteMakePool(VgmRemoteNonnullStoragePool *out, const VgmStoragePool *pool)
{
    out->name = g_strdup(pool->name);
    memcpy(out->uuid, pool->uuid, 16);
}

static gboolean
vgmRemoteReturnPool(VgmStoragePool *pool, VgmRemoteNonnullStoragePool *out)
{
    if (!pool)
        return FALSE;
    vgmRemoteMakePool(out, pool);
    vgmStoragePoolFree(pool);
    return TRUE;
}

static void
vgmRemoteMakeVol(VgmRemoteNonnullStorageVol *out, const VgmStorageVol *vol)
{
    out->pool = g_strdup(vol->pool);
    out->name = g_strdup(vol->name);
    out->key = g_strdup(vol->key);
}

static gboolean
vgmRemoteReturnVol(VgmStorageVol *vol, VgmRemoteNonnullStorageVol *out)
{
    if (!vol)
        return FALSE;
    vgmRemoteMakeVol(out, vol);
    vgmStorageVolFree(vol);
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectListAllStoragePools(VgmRemoteClient *client,
                                            const VgmRemoteConnectListAllStoragePoolsArgs *args,
                                            VgmRemoteConnectListAllStoragePoolsRet *ret,
                                            GError **error)
{
    g_autoptr(GPtrArray) pools = NULL;
    guint i;

    if (!(pools = vgmDriverStorageListPools(client->drv, args->flags, error)))
        return FALSE;
    if (args->need_results) {
        ret->pools.len = pools->len;
        ret->pools.val = g_new0(VgmRemoteNonnullStoragePool, MAX(pools->len, 1));
        for (i = 0; i < pools->len; i++)
            vgmRemoteMakePool(&ret->pools.val[i], g_ptr_array_index(pools, i));
    }
    ret->ret = pools->len;
    return TRUE;
}

/* The names of the pools of @flags (virConnectListAllStoragePools'
 * ACTIVE 2, INACTIVE 1), as the older list calls give them */
static GPtrArray *
vgmRemoteStoragePoolNames(VgmRemoteClient *client, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) pools = vgmDriverStorageListPools(client->drv, flags, error);
    GPtrArray *names;
    guint i;

    if (!pools)
        return NULL;
    names = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; i < pools->len; i++)
        g_ptr_array_add(names, g_strdup(((const VgmStoragePool *)g_ptr_array_index(pools, i))->name));
    return names;
}

gboolean
vgmRemoteDispatchConnectNumOfStoragePools(VgmRemoteClient *client,
                                          VgmRemoteConnectNumOfStoragePoolsRet *ret, GError **error)
{
    return vgmRemoteNameCount(vgmRemoteStoragePoolNames(client, 2, error), &ret->num);
}

gboolean
vgmRemoteDispatchConnectListStoragePools(VgmRemoteClient *client,
                                         const VgmRemoteConnectListStoragePoolsArgs *args,
                                         VgmRemoteConnectListStoragePoolsRet *ret, GError **error)
{
    return vgmRemoteNameList(vgmRemoteStoragePoolNames(client, 2, error), args->maxnames,
                             VGM_REMOTE_STORAGE_POOL_LIST_MAX, &ret->names.len, &ret->names.val,
                             error);
}

gboolean
vgmRemoteDispatchConnectNumOfDefinedStoragePools(VgmRemoteClient *client,
                                                 VgmRemoteConnectNumOfDefinedStoragePoolsRet *ret,
                                                 GError **error)
{
    return vgmRemoteNameCount(vgmRemoteStoragePoolNames(client, 1, error), &ret->num);
}

gboolean
vgmRemoteDispatchConnectListDefinedStoragePools(VgmRemoteClient *client,
                                                const VgmRemoteConnectListDefinedStoragePoolsArgs *args,
                                                VgmRemoteConnectListDefinedStoragePoolsRet *ret,
                                                GError **error)
{
    return vgmRemoteNameList(vgmRemoteStoragePoolNames(client, 1, error), args->maxnames,
                             VGM_REMOTE_STORAGE_POOL_LIST_MAX, &ret->names.len, &ret->names.val,
                             error);
}

gboolean
vgmRemoteDispatchStoragePoolLookupByName(VgmRemoteClient *client,
                                         const VgmRemoteStoragePoolLookupByNameArgs *args,
                                         VgmRemoteStoragePoolLookupByNameRet *ret,
                                         GError **error)
{
    return vgmRemoteReturnPool(vgmDriverStoragePoolLookupByName(client->drv, args->name, error),
                               &ret->pool);
}

gboolean
vgmRemoteDispatchStoragePoolLookupByUuid(VgmRemoteClient *client,
                                         const VgmRemoteStoragePoolLookupByUuidArgs *args,
                                         VgmRemoteStoragePoolLookupByUuidRet *ret,
                                         GError **error)
{
    return vgmRemoteReturnPool(vgmDriverStoragePoolLookupByUUID(client->drv, args->uuid, error),
                               &ret->pool);
}

gboolean
vgmRemoteDispatchStoragePoolLookupByVolume(VgmRemoteClient *client,
                                           const VgmRemoteStoragePoolLookupByVolumeArgs *args,
                                           VgmRemoteStoragePoolLookupByVolumeRet *ret,
                                           GError **error)
{
    return vgmRemoteReturnPool(vgmDriverStoragePoolLookupByName(client->drv, args->vol.pool,
                                                                error),
                               &ret->pool);
}

gboolean
vgmRemoteDispatchStoragePoolDefineXml(VgmRemoteClient *client,
                                      const VgmRemoteStoragePoolDefineXmlArgs *args,
                                      VgmRemoteStoragePoolDefineXmlRet *ret, GError **error)
{
    return vgmRemoteReturnPool(vgmDriverStoragePoolDefineXML(client->drv, args->xml,
                                                             args->flags, error),
                               &ret->pool);
}

gboolean
vgmRemoteDispatchConnectFindStoragePoolSources(VgmRemoteClient *client,
                                               const VgmRemoteConnectFindStoragePoolSourcesArgs *args,
                                               VgmRemoteConnectFindStoragePoolSourcesRet *ret,
                                               GError **error)
{
    return (ret->xml = vgmDriverStorageFindPoolSources(client->drv, args->type, args->flags,
                                                       error)) != NULL;
}

gboolean
vgmRemoteDispatchConnectGetStoragePoolCapabilities(VgmRemoteClient *client,
                                                   const VgmRemoteConnectGetStoragePoolCapabilitiesArgs *args,
                                                   VgmRemoteConnectGetStoragePoolCapabilitiesRet *ret,
                                                   GError **error)
{
    return (ret->capabilities = vgmDriverStoragePoolCapabilities(client->drv, args->flags,
                                                                 error)) != NULL;
}

gboolean
vgmRemoteDispatchStoragePoolCreateXml(VgmRemoteClient *client,
                                      const VgmRemoteStoragePoolCreateXmlArgs *args,
                                      VgmRemoteStoragePoolCreateXmlRet *ret, GError **error)
{
    return vgmRemoteReturnPool(vgmDriverStoragePoolCreateXML(client->drv, args->xml,
                                                             args->flags, error),
                               &ret->pool);
}

gboolean
vgmRemoteDispatchStoragePoolCreate(VgmRemoteClient *client,
                                   const VgmRemoteStoragePoolCreateArgs *args, GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);

    return pool && vgmDriverStoragePoolStart(client->drv, pool->name, args->flags, error);
}

gboolean
vgmRemoteDispatchStoragePoolBuild(VgmRemoteClient *client,
                                  const VgmRemoteStoragePoolBuildArgs *args, GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);

    return pool && vgmDriverStoragePoolBuild(client->drv, pool->name, args->flags, error);
}

gboolean
vgmRemoteDispatchStoragePoolDelete(VgmRemoteClient *client,
                                   const VgmRemoteStoragePoolDeleteArgs *args, GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);

    return pool && vgmDriverStoragePoolDelete(client->drv, pool->name, args->flags, error);
}

gboolean
vgmRemoteDispatchStoragePoolLookupByTargetPath(VgmRemoteClient *client,
                                               const VgmRemoteStoragePoolLookupByTargetPathArgs *args,
                                               VgmRemoteStoragePoolLookupByTargetPathRet *ret,
                                               GError **error)
{
    return vgmRemoteReturnPool(vgmDriverStoragePoolLookupByTargetPath(client->drv, args->path,
                                                                      error),
                               &ret->pool);
}

gboolean
vgmRemoteDispatchStoragePoolDestroy(VgmRemoteClient *client,
                                    const VgmRemoteStoragePoolDestroyArgs *args, GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);

    return pool && vgmDriverStoragePoolDestroy(client->drv, pool->name, error);
}

gboolean
vgmRemoteDispatchStoragePoolUndefine(VgmRemoteClient *client,
                                     const VgmRemoteStoragePoolUndefineArgs *args,
                                     GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);

    return pool && vgmDriverStoragePoolUndefine(client->drv, pool->name, error);
}

gboolean
vgmRemoteDispatchStoragePoolRefresh(VgmRemoteClient *client,
                                    const VgmRemoteStoragePoolRefreshArgs *args, GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);

    return pool && vgmDriverStoragePoolRefresh(client->drv, pool->name, args->flags, error);
}

gboolean
vgmRemoteDispatchStoragePoolGetInfo(VgmRemoteClient *client,
                                    const VgmRemoteStoragePoolGetInfoArgs *args,
                                    VgmRemoteStoragePoolGetInfoRet *ret, GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);
    VgmStoragePoolInfo info;

    if (!pool || !vgmDriverStoragePoolGetInfo(client->drv, pool->name, &info, error))
        return FALSE;
    ret->state = info.state;
    ret->capacity = info.capacity;
    ret->allocation = info.allocation;
    ret->available = info.available;
    return TRUE;
}

gboolean
vgmRemoteDispatchStoragePoolGetXmlDesc(VgmRemoteClient *client,
                                       const VgmRemoteStoragePoolGetXmlDescArgs *args,
                                       VgmRemoteStoragePoolGetXmlDescRet *ret, GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);

    return pool && (ret->xml = vgmDriverStoragePoolGetXMLDesc(client->drv, pool->name,
                                                              args->flags, error)) != NULL;
}

gboolean
vgmRemoteDispatchStoragePoolGetAutostart(VgmRemoteClient *client,
                                         const VgmRemoteStoragePoolGetAutostartArgs *args,
                                         VgmRemoteStoragePoolGetAutostartRet *ret,
                                         GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);
    gboolean autostart = FALSE;

    if (!pool || !vgmDriverStoragePoolGetAutostart(client->drv, pool->name, &autostart, error))
        return FALSE;
    ret->autostart = autostart ? 1 : 0;
    return TRUE;
}

gboolean
vgmRemoteDispatchStoragePoolSetAutostart(VgmRemoteClient *client,
                                         const VgmRemoteStoragePoolSetAutostartArgs *args,
                                         GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);

    return pool && vgmDriverStoragePoolSetAutostart(client->drv, pool->name,
                                                    args->autostart != 0, error);
}

gboolean
vgmRemoteDispatchStoragePoolIsActive(VgmRemoteClient *client,
                                     const VgmRemoteStoragePoolIsActiveArgs *args,
                                     VgmRemoteStoragePoolIsActiveRet *ret, GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);
    gboolean active = FALSE, persistent = FALSE;

    if (!pool || !vgmDriverStoragePoolIsActive(client->drv, pool->name, &active, &persistent,
                                               error))
        return FALSE;
    ret->active = active ? 1 : 0;
    return TRUE;
}

gboolean
vgmRemoteDispatchStoragePoolIsPersistent(VgmRemoteClient *client,
                                         const VgmRemoteStoragePoolIsPersistentArgs *args,
                                         VgmRemoteStoragePoolIsPersistentRet *ret,
                                         GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);
    gboolean active, persistent;

    if (!pool || !vgmDriverStoragePoolIsActive(client->drv, pool->name, &active, &persistent,
                                               error))
        return FALSE;
    ret->persistent = persistent ? 1 : 0;
    return TRUE;
}

gboolean
vgmRemoteDispatchStoragePoolNumOfVolumes(VgmRemoteClient *client,
                                         const VgmRemoteStoragePoolNumOfVolumesArgs *args,
                                         VgmRemoteStoragePoolNumOfVolumesRet *ret,
                                         GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);
    g_autoptr(GPtrArray) vols = NULL;

    if (!pool || !(vols = vgmDriverStorageListVolumes(client->drv, pool->name, error)))
        return FALSE;
    ret->num = vols->len;
    return TRUE;
}

gboolean
vgmRemoteDispatchStoragePoolListVolumes(VgmRemoteClient *client,
                                        const VgmRemoteStoragePoolListVolumesArgs *args,
                                        VgmRemoteStoragePoolListVolumesRet *ret,
                                        GError **error)
{
    g_autoptr(VgmStoragePool) pool = NULL;
    g_autoptr(GPtrArray) vols = NULL;
    guint i, n;

    if (args->maxnames < 0 || args->maxnames > VGM_REMOTE_STORAGE_VOL_LIST_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("maxnames %1$d is out of range"),
                    args->maxnames);
        return FALSE;
    }
    if (!(pool = vgmRemoteGetPool(client, &args->pool, error)) ||
        !(vols = vgmDriverStorageListVolumes(client->drv, pool->name, error)))
        return FALSE;
    n = MIN(vols->len, (guint)args->maxnames);
    ret->names.len = n;
    ret->names.val = g_new0(char *, MAX(n, 1));
    for (i = 0; i < n; i++)
        ret->names.val[i] = g_strdup(((VgmStorageVol *)g_ptr_array_index(vols, i))->name);
    return TRUE;
}

gboolean
vgmRemoteDispatchStoragePoolListAllVolumes(VgmRemoteClient *client,
                                           const VgmRemoteStoragePoolListAllVolumesArgs *args,
                                           VgmRemoteStoragePoolListAllVolumesRet *ret,
                                           GError **error)
{
    g_autoptr(VgmStoragePool) pool = NULL;
    g_autoptr(GPtrArray) vols = NULL;
    guint i;

    if (!vgmDriverCheckFlags(args->flags, 0, error) ||
        !(pool = vgmRemoteGetPool(client, &args->pool, error)) ||
        !(vols = vgmDriverStorageListVolumes(client->drv, pool->name, error)))
        return FALSE;
    if (args->need_results) {
        ret->vols.len = vols->len;
        ret->vols.val = g_new0(VgmRemoteNonnullStorageVol, MAX(vols->len, 1));
        for (i = 0; i < vols->len; i++)
            vgmRemoteMakeVol(&ret->vols.val[i], g_ptr_array_index(vols, i));
    }
    ret->ret = vols->len;
    return TRUE;
}

gboolean
vgmRemoteDispatchStorageVolLookupByName(VgmRemoteClient *client,
                                        const VgmRemoteStorageVolLookupByNameArgs *args,
                                        VgmRemoteStorageVolLookupByNameRet *ret,
                                        GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);

    return pool && vgmRemoteReturnVol(vgmDriverStorageVolLookupByName(client->drv, pool->name,
                                                                      args->name, error),
                                      &ret->vol);
}

gboolean
vgmRemoteDispatchStorageVolLookupByKey(VgmRemoteClient *client,
                                       const VgmRemoteStorageVolLookupByKeyArgs *args,
                                       VgmRemoteStorageVolLookupByKeyRet *ret, GError **error)
{
    /* a volume's key is its path */
    return vgmRemoteReturnVol(vgmDriverStorageVolLookupByPath(client->drv, args->key, error),
                              &ret->vol);
}

gboolean
vgmRemoteDispatchStorageVolLookupByPath(VgmRemoteClient *client,
                                        const VgmRemoteStorageVolLookupByPathArgs *args,
                                        VgmRemoteStorageVolLookupByPathRet *ret,
                                        GError **error)
{
    return vgmRemoteReturnVol(vgmDriverStorageVolLookupByPath(client->drv, args->path, error),
                              &ret->vol);
}

gboolean
vgmRemoteDispatchStorageVolCreateXml(VgmRemoteClient *client,
                                     const VgmRemoteStorageVolCreateXmlArgs *args,
                                     VgmRemoteStorageVolCreateXmlRet *ret, GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);

    return pool && vgmRemoteReturnVol(vgmDriverStorageVolCreateXML(client->drv, pool->name,
                                                                   args->xml, args->flags,
                                                                   error),
                                      &ret->vol);
}

gboolean
vgmRemoteDispatchStorageVolCreateXmlFrom(VgmRemoteClient *client,
                                         const VgmRemoteStorageVolCreateXmlFromArgs *args,
                                         VgmRemoteStorageVolCreateXmlFromRet *ret, GError **error)
{
    g_autoptr(VgmStoragePool) pool = vgmRemoteGetPool(client, &args->pool, error);

    return pool && vgmRemoteReturnVol(vgmDriverStorageVolCreateXMLFrom(client->drv, pool->name,
                                                                       args->xml,
                                                                       args->clonevol.pool,
                                                                       args->clonevol.name,
                                                                       args->flags, error),
                                      &ret->vol);
}

gboolean
vgmRemoteDispatchStorageVolWipe(VgmRemoteClient *client,
                                const VgmRemoteStorageVolWipeArgs *args, GError **error)
{
    return vgmDriverStorageVolWipe(client->drv, args->vol.pool, args->vol.name, 0,
                                   args->flags, error);
}

gboolean
vgmRemoteDispatchStorageVolWipePattern(VgmRemoteClient *client,
                                       const VgmRemoteStorageVolWipePatternArgs *args,
                                       GError **error)
{
    return vgmDriverStorageVolWipe(client->drv, args->vol.pool, args->vol.name,
                                   args->algorithm, args->flags, error);
}

gboolean
vgmRemoteDispatchStorageVolResize(VgmRemoteClient *client,
                                  const VgmRemoteStorageVolResizeArgs *args, GError **error)
{
    return vgmDriverStorageVolResize(client->drv, args->vol.pool, args->vol.name,
                                     args->capacity, args->flags, error);
}

gboolean
vgmRemoteDispatchStorageVolDelete(VgmRemoteClient *client,
                                  const VgmRemoteStorageVolDeleteArgs *args, GError **error)
{
    return vgmDriverStorageVolDelete(client->drv, args->vol.pool, args->vol.name, args->flags,
                                     error);
}

gboolean
vgmRemoteDispatchStorageVolGetInfo(VgmRemoteClient *client,
                                   const VgmRemoteStorageVolGetInfoArgs *args,
                                   VgmRemoteStorageVolGetInfoRet *ret, GError **error)
{
    VgmStorageVolInfo info;

    if (!vgmDriverStorageVolGetInfo(client->drv, args->vol.pool, args->vol.name, 0, &info, error))
        return FALSE;
    ret->type = info.type;
    ret->capacity = info.capacity;
    ret->allocation = info.allocation;
    return TRUE;
}

gboolean
vgmRemoteDispatchStorageVolGetInfoFlags(VgmRemoteClient *client,
                                        const VgmRemoteStorageVolGetInfoFlagsArgs *args,
                                        VgmRemoteStorageVolGetInfoFlagsRet *ret, GError **error)
{
    VgmStorageVolInfo info;

    if (!vgmDriverStorageVolGetInfo(client->drv, args->vol.pool, args->vol.name, args->flags,
                                    &info, error))
        return FALSE;
    ret->type = info.type;
    ret->capacity = info.capacity;
    ret->allocation = info.allocation;
    return TRUE;
}

gboolean
vgmRemoteDispatchStorageVolGetXmlDesc(VgmRemoteClient *client,
                                      const VgmRemoteStorageVolGetXmlDescArgs *args,
                                      VgmRemoteStorageVolGetXmlDescRet *ret, GError **error)
{
    return (ret->xml = vgmDriverStorageVolGetXMLDesc(client->drv, args->vol.pool,
                                                     args->vol.name, args->flags,
                                                     error)) != NULL;
}

gboolean
vgmRemoteDispatchStorageVolGetPath(VgmRemoteClient *client,
                                   const VgmRemoteStorageVolGetPathArgs *args,
                                   VgmRemoteStorageVolGetPathRet *ret, GError **error)
{
    g_autoptr(VgmStorageVol) vol = vgmDriverStorageVolLookupByName(client->drv, args->vol.pool,
                                                                   args->vol.name, error);

    return vol && (ret->name = g_strdup(vol->key)) != NULL;
}

/* ---- secrets ---- */

static void
vgmRemoteMakeSecret(VgmRemoteNonnullSecret *out, const VgmSecret *secret)
{
    memcpy(out->uuid, secret->uuid, 16);
    out->usageType = secret->usageType;
    out->usageID = g_strdup(secret->usageID);
}

static gboolean
vgmRemoteReturnSecret(VgmSecret *secret, VgmRemoteNonnullSecret *out)
{
    if (!secret)
        return FALSE;
    vgmRemoteMakeSecret(out, secret);
    vgmSecretFree(secret);
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectNumOfSecrets(VgmRemoteClient *client,
                                     VgmRemoteConnectNumOfSecretsRet *ret, GError **error)
{
    g_autoptr(GPtrArray) secrets = vgmDriverSecretList(client->drv, 0, error);

    if (!secrets)
        return FALSE;
    ret->num = (int)secrets->len;
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectListSecrets(VgmRemoteClient *client,
                                    const VgmRemoteConnectListSecretsArgs *args,
                                    VgmRemoteConnectListSecretsRet *ret, GError **error)
{
    g_autoptr(GPtrArray) secrets = NULL;
    guint i, n;

    if (args->maxuuids < 0 || args->maxuuids > VGM_REMOTE_SECRET_LIST_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("maxuuids %1$d is out of range (0 to %2$d)"), args->maxuuids,
                    VGM_REMOTE_SECRET_LIST_MAX);
        return FALSE;
    }
    if (!(secrets = vgmDriverSecretList(client->drv, 0, error)))
        return FALSE;
    n = MIN(secrets->len, (guint)args->maxuuids);
    ret->uuids.len = n;
    ret->uuids.val = g_new0(VgmRemoteNonnullString, MAX(n, 1));
    for (i = 0; i < n; i++) {
        char str[37];

        vgmDomainUUIDFormat(((const VgmSecret *)g_ptr_array_index(secrets, i))->uuid, str);
        ret->uuids.val[i] = g_strdup(str);
    }
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectListAllSecrets(VgmRemoteClient *client,
                                       const VgmRemoteConnectListAllSecretsArgs *args,
                                       VgmRemoteConnectListAllSecretsRet *ret, GError **error)
{
    g_autoptr(GPtrArray) secrets = NULL;
    guint i;

    if (!(secrets = vgmDriverSecretList(client->drv, args->flags, error)))
        return FALSE;
    if (secrets->len > VGM_REMOTE_SECRET_LIST_MAX) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("there are %1$u secrets, more than the %2$d a reply carries"),
                    secrets->len, VGM_REMOTE_SECRET_LIST_MAX);
        return FALSE;
    }
    if (args->need_results) {
        ret->secrets.len = secrets->len;
        ret->secrets.val = g_new0(VgmRemoteNonnullSecret, MAX(secrets->len, 1));
        for (i = 0; i < secrets->len; i++)
            vgmRemoteMakeSecret(&ret->secrets.val[i], g_ptr_array_index(secrets, i));
    }
    ret->ret = secrets->len;
    return TRUE;
}

gboolean
vgmRemoteDispatchSecretLookupByUuid(VgmRemoteClient *client,
                                    const VgmRemoteSecretLookupByUuidArgs *args,
                                    VgmRemoteSecretLookupByUuidRet *ret, GError **error)
{
    return vgmRemoteReturnSecret(vgmDriverSecretLookupByUUID(client->drv, args->uuid, error),
                                 &ret->secret);
}

gboolean
vgmRemoteDispatchSecretLookupByUsage(VgmRemoteClient *client,
                                     const VgmRemoteSecretLookupByUsageArgs *args,
                                     VgmRemoteSecretLookupByUsageRet *ret, GError **error)
{
    return vgmRemoteReturnSecret(vgmDriverSecretLookupByUsage(client->drv, args->usageType,
                                                              args->usageID, error),
                                 &ret->secret);
}

gboolean
vgmRemoteDispatchSecretDefineXml(VgmRemoteClient *client,
                                 const VgmRemoteSecretDefineXmlArgs *args,
                                 VgmRemoteSecretDefineXmlRet *ret, GError **error)
{
    return vgmRemoteReturnSecret(vgmDriverSecretDefineXML(client->drv, args->xml, args->flags,
                                                          error),
                                 &ret->secret);
}

gboolean
vgmRemoteDispatchSecretGetXmlDesc(VgmRemoteClient *client,
                                  const VgmRemoteSecretGetXmlDescArgs *args,
                                  VgmRemoteSecretGetXmlDescRet *ret, GError **error)
{
    return (ret->xml = vgmDriverSecretGetXMLDesc(client->drv, args->secret.uuid, args->flags,
                                                 error)) != NULL;
}

gboolean
vgmRemoteDispatchSecretSetValue(VgmRemoteClient *client,
                                const VgmRemoteSecretSetValueArgs *args, GError **error)
{
    return vgmDriverSecretSetValue(client->drv, args->secret.uuid, args->value.val,
                                   args->value.len, args->flags, error);
}

gboolean
vgmRemoteDispatchSecretGetValue(VgmRemoteClient *client,
                                const VgmRemoteSecretGetValueArgs *args,
                                VgmRemoteSecretGetValueRet *ret, GError **error)
{
    g_autoptr(GBytes) value = vgmDriverSecretGetValue(client->drv, args->secret.uuid,
                                                      args->flags, TRUE, error);
    gsize len = 0;
    gconstpointer data;

    if (!value)
        return FALSE;
    data = g_bytes_get_data(value, &len);
    ret->value.len = (guint32)len;
    ret->value.val = g_memdup2(data, MAX(len, 1));
    return TRUE;
}

gboolean
vgmRemoteDispatchSecretUndefine(VgmRemoteClient *client,
                                const VgmRemoteSecretUndefineArgs *args, GError **error)
{
    return vgmDriverSecretUndefine(client->drv, args->secret.uuid, error);
}

/* ---- virtual networks ---- */

static void
vgmRemoteMakeNetwork(VgmRemoteNonnullNetwork *out, const VgmNetwork *net)
{
    out->name = g_strdup(net->name);
    memcpy(out->uuid, net->uuid, 16);
}

static gboolean
vgmRemoteReturnNetwork(VgmNetwork *net, VgmRemoteNonnullNetwork *out)
{
    if (!net)
        return FALSE;
    vgmRemoteMakeNetwork(out, net);
    vgmNetworkFree(net);
    return TRUE;
}

/* virConnectListAllNetworksFlags ACTIVE (2) or INACTIVE (1) */
static gboolean
vgmRemoteNetworkNames(VgmRemoteClient *client, unsigned int flags, int maxnames,
                      VgmRemoteNonnullString **val, guint32 *len, GError **error)
{
    g_autoptr(GPtrArray) nets = NULL;
    guint i, n;

    if (maxnames < 0 || maxnames > VGM_REMOTE_NETWORK_LIST_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("too many network names asked for: at most %1$d"),
                    VGM_REMOTE_NETWORK_LIST_MAX);
        return FALSE;
    }
    if (!(nets = vgmDriverNetworkList(client->drv, flags, error)))
        return FALSE;
    n = MIN(nets->len, (guint)maxnames);
    *len = n;
    *val = g_new0(VgmRemoteNonnullString, MAX(n, 1));
    for (i = 0; i < n; i++)
        (*val)[i] = g_strdup(((const VgmNetwork *)g_ptr_array_index(nets, i))->name);
    return TRUE;
}

static gboolean
vgmRemoteNetworkCount(VgmRemoteClient *client, unsigned int flags, gint32 *num, GError **error)
{
    g_autoptr(GPtrArray) nets = vgmDriverNetworkList(client->drv, flags, error);

    if (!nets)
        return FALSE;
    *num = (gint32)nets->len;
    return TRUE;
}

gboolean
vgmRemoteDispatchConnectNumOfNetworks(VgmRemoteClient *client,
                                      VgmRemoteConnectNumOfNetworksRet *ret, GError **error)
{
    return vgmRemoteNetworkCount(client, 2, &ret->num, error);
}

gboolean
vgmRemoteDispatchConnectNumOfDefinedNetworks(VgmRemoteClient *client,
                                             VgmRemoteConnectNumOfDefinedNetworksRet *ret,
                                             GError **error)
{
    return vgmRemoteNetworkCount(client, 1, &ret->num, error);
}

gboolean
vgmRemoteDispatchConnectListNetworks(VgmRemoteClient *client,
                                     const VgmRemoteConnectListNetworksArgs *args,
                                     VgmRemoteConnectListNetworksRet *ret, GError **error)
{
    return vgmRemoteNetworkNames(client, 2, args->maxnames, &ret->names.val, &ret->names.len,
                                 error);
}

gboolean
vgmRemoteDispatchConnectListDefinedNetworks(VgmRemoteClient *client,
                                            const VgmRemoteConnectListDefinedNetworksArgs *args,
                                            VgmRemoteConnectListDefinedNetworksRet *ret,
                                            GError **error)
{
    return vgmRemoteNetworkNames(client, 1, args->maxnames, &ret->names.val, &ret->names.len,
                                 error);
}

gboolean
vgmRemoteDispatchConnectListAllNetworks(VgmRemoteClient *client,
                                        const VgmRemoteConnectListAllNetworksArgs *args,
                                        VgmRemoteConnectListAllNetworksRet *ret, GError **error)
{
    g_autoptr(GPtrArray) nets = NULL;
    guint i;

    if (!(nets = vgmDriverNetworkList(client->drv, args->flags, error)))
        return FALSE;
    if (nets->len > VGM_REMOTE_NETWORK_LIST_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("%1$u networks are more than one reply carries (%2$d)"),
                    nets->len, VGM_REMOTE_NETWORK_LIST_MAX);
        return FALSE;
    }
    if (args->need_results) {
        ret->nets.len = nets->len;
        ret->nets.val = g_new0(VgmRemoteNonnullNetwork, MAX(nets->len, 1));
        for (i = 0; i < nets->len; i++)
            vgmRemoteMakeNetwork(&ret->nets.val[i], g_ptr_array_index(nets, i));
    }
    ret->ret = nets->len;
    return TRUE;
}

gboolean
vgmRemoteDispatchNetworkLookupByName(VgmRemoteClient *client,
                                     const VgmRemoteNetworkLookupByNameArgs *args,
                                     VgmRemoteNetworkLookupByNameRet *ret, GError **error)
{
    return vgmRemoteReturnNetwork(vgmDriverNetworkLookupByName(client->drv, args->name, error),
                                  &ret->net);
}

gboolean
vgmRemoteDispatchNetworkLookupByUuid(VgmRemoteClient *client,
                                     const VgmRemoteNetworkLookupByUuidArgs *args,
                                     VgmRemoteNetworkLookupByUuidRet *ret, GError **error)
{
    return vgmRemoteReturnNetwork(vgmDriverNetworkLookupByUUID(client->drv, args->uuid, error),
                                  &ret->net);
}

gboolean
vgmRemoteDispatchNetworkDefineXml(VgmRemoteClient *client,
                                  const VgmRemoteNetworkDefineXmlArgs *args,
                                  VgmRemoteNetworkDefineXmlRet *ret, GError **error)
{
    return vgmRemoteReturnNetwork(vgmDriverNetworkDefineXML(client->drv, args->xml, 0, error),
                                  &ret->net);
}

gboolean
vgmRemoteDispatchNetworkDefineXmlFlags(VgmRemoteClient *client,
                                       const VgmRemoteNetworkDefineXmlFlagsArgs *args,
                                       VgmRemoteNetworkDefineXmlFlagsRet *ret, GError **error)
{
    return vgmRemoteReturnNetwork(vgmDriverNetworkDefineXML(client->drv, args->xml, args->flags,
                                                            error),
                                  &ret->net);
}

gboolean
vgmRemoteDispatchNetworkCreateXml(VgmRemoteClient *client,
                                  const VgmRemoteNetworkCreateXmlArgs *args,
                                  VgmRemoteNetworkCreateXmlRet *ret, GError **error)
{
    return vgmRemoteReturnNetwork(vgmDriverNetworkCreateXML(client->drv, args->xml, 0, error),
                                  &ret->net);
}

gboolean
vgmRemoteDispatchNetworkCreateXmlFlags(VgmRemoteClient *client,
                                       const VgmRemoteNetworkCreateXmlFlagsArgs *args,
                                       VgmRemoteNetworkCreateXmlFlagsRet *ret, GError **error)
{
    return vgmRemoteReturnNetwork(vgmDriverNetworkCreateXML(client->drv, args->xml, args->flags,
                                                            error),
                                  &ret->net);
}

gboolean
vgmRemoteDispatchNetworkUndefine(VgmRemoteClient *client,
                                 const VgmRemoteNetworkUndefineArgs *args, GError **error)
{
    return vgmDriverNetworkUndefine(client->drv, args->net.name, error);
}

gboolean
vgmRemoteDispatchNetworkCreate(VgmRemoteClient *client,
                               const VgmRemoteNetworkCreateArgs *args, GError **error)
{
    return vgmDriverNetworkStart(client->drv, args->net.name, error);
}

gboolean
vgmRemoteDispatchNetworkDestroy(VgmRemoteClient *client,
                                const VgmRemoteNetworkDestroyArgs *args, GError **error)
{
    return vgmDriverNetworkDestroy(client->drv, args->net.name, error);
}

gboolean
vgmRemoteDispatchNetworkUpdate(VgmRemoteClient *client,
                               const VgmRemoteNetworkUpdateArgs *args, GError **error)
{
    /* (libvirt's client library sends the section in the protocol's
     * 'command' field and the command in 'section', and libvirtd reads
     * them so: virNetworkUpdate hands its driver the two swapped) */
    return vgmDriverNetworkUpdate(client->drv, args->net.name, args->section, args->command,
                                  args->parentIndex, args->xml, args->flags, error);
}

gboolean
vgmRemoteDispatchNetworkGetXmlDesc(VgmRemoteClient *client,
                                   const VgmRemoteNetworkGetXmlDescArgs *args,
                                   VgmRemoteNetworkGetXmlDescRet *ret, GError **error)
{
    return (ret->xml = vgmDriverNetworkGetXMLDesc(client->drv, args->net.name, args->flags,
                                                  error)) != NULL;
}

gboolean
vgmRemoteDispatchNetworkGetBridgeName(VgmRemoteClient *client,
                                      const VgmRemoteNetworkGetBridgeNameArgs *args,
                                      VgmRemoteNetworkGetBridgeNameRet *ret, GError **error)
{
    return (ret->name = vgmDriverNetworkGetBridgeName(client->drv, args->net.name, error)) != NULL;
}

gboolean
vgmRemoteDispatchNetworkGetAutostart(VgmRemoteClient *client,
                                     const VgmRemoteNetworkGetAutostartArgs *args,
                                     VgmRemoteNetworkGetAutostartRet *ret, GError **error)
{
    gboolean autostart = FALSE;

    if (!vgmDriverNetworkGetAutostart(client->drv, args->net.name, &autostart, error))
        return FALSE;
    ret->autostart = autostart;
    return TRUE;
}

gboolean
vgmRemoteDispatchNetworkSetAutostart(VgmRemoteClient *client,
                                     const VgmRemoteNetworkSetAutostartArgs *args,
                                     GError **error)
{
    return vgmDriverNetworkSetAutostart(client->drv, args->net.name, args->autostart != 0, error);
}

gboolean
vgmRemoteDispatchNetworkIsActive(VgmRemoteClient *client,
                                 const VgmRemoteNetworkIsActiveArgs *args,
                                 VgmRemoteNetworkIsActiveRet *ret, GError **error)
{
    gboolean active = FALSE;

    if (!vgmDriverNetworkIsActive(client->drv, args->net.name, &active, error))
        return FALSE;
    ret->active = active;
    return TRUE;
}

gboolean
vgmRemoteDispatchNetworkIsPersistent(VgmRemoteClient *client,
                                     const VgmRemoteNetworkIsPersistentArgs *args,
                                     VgmRemoteNetworkIsPersistentRet *ret, GError **error)
{
    gboolean persistent = FALSE;

    if (!vgmDriverNetworkIsPersistent(client->drv, args->net.name, &persistent, error))
        return FALSE;
    ret->persistent = persistent;
    return TRUE;
}

gboolean
vgmRemoteDispatchNetworkGetDhcpLeases(VgmRemoteClient *client,
                                      const VgmRemoteNetworkGetDhcpLeasesArgs *args,
                                      VgmRemoteNetworkGetDhcpLeasesRet *ret, GError **error)
{
    g_autoptr(GPtrArray) leases = NULL;
    guint i;

    if (!(leases = vgmDriverNetworkGetDHCPLeases(client->drv, args->net.name,
                                                 args->mac ? *args->mac : NULL, args->flags,
                                                 error)))
        return FALSE;
    if (leases->len > VGM_REMOTE_NETWORK_DHCP_LEASES_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("%1$u DHCP leases are more than one reply carries (%2$d)"),
                    leases->len, VGM_REMOTE_NETWORK_DHCP_LEASES_MAX);
        return FALSE;
    }
    if (args->need_results) {
        ret->leases.len = leases->len;
        ret->leases.val = g_new0(VgmRemoteNetworkDhcpLease, MAX(leases->len, 1));
        for (i = 0; i < leases->len; i++) {
            const VgmNetworkLease *l = g_ptr_array_index(leases, i);
            VgmRemoteNetworkDhcpLease *out = &ret->leases.val[i];

            out->iface = g_strdup(l->iface);
            out->expirytime = l->expiry;
            out->type = 0;      /* VIR_IP_ADDR_TYPE_IPV4 */
            out->mac = g_new0(VgmRemoteNonnullString, 1);
            *out->mac = g_strdup(l->mac);
            out->ipaddr = g_strdup(l->ip);
            out->prefix = l->prefix;
            out->hostname = vgmRemoteNewOptString(l->hostname);
            out->clientid = vgmRemoteNewOptString(l->clientid);
        }
    }
    ret->ret = leases->len;
    return TRUE;
}

/* ---- the guest agent ---- */

gboolean
vgmRemoteDispatchDomainGetHostname(VgmRemoteClient *client,
                                   const VgmRemoteDomainGetHostnameArgs *args,
                                   VgmRemoteDomainGetHostnameRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return (ret->hostname = vgmDriverGetHostname(client->drv, dom->name, args->flags,
                                                 error)) != NULL;
}

gboolean
vgmRemoteDispatchDomainFstrim(VgmRemoteClient *client, const VgmRemoteDomainFstrimArgs *args,
                              GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverFSTrim(client->drv, dom->name, args->mountPoint ? *args->mountPoint : NULL,
                           args->minimum, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainFsfreeze(VgmRemoteClient *client, const VgmRemoteDomainFsfreezeArgs *args,
                                VgmRemoteDomainFsfreezeRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    ret->filesystems = vgmDriverFSFreeze(client->drv, dom->name,
                                         (const char *const *)args->mountpoints.val,
                                         args->mountpoints.len, args->flags, error);
    return ret->filesystems >= 0;
}

gboolean
vgmRemoteDispatchDomainFsthaw(VgmRemoteClient *client, const VgmRemoteDomainFsthawArgs *args,
                              VgmRemoteDomainFsthawRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    ret->filesystems = vgmDriverFSThaw(client->drv, dom->name,
                                       (const char *const *)args->mountpoints.val,
                                       args->mountpoints.len, args->flags, error);
    return ret->filesystems >= 0;
}

gboolean
vgmRemoteDispatchDomainGetTime(VgmRemoteClient *client, const VgmRemoteDomainGetTimeArgs *args,
                               VgmRemoteDomainGetTimeRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverGetTime(client->drv, dom->name, &ret->seconds, &ret->nseconds, args->flags,
                            error);
}

gboolean
vgmRemoteDispatchDomainSetTime(VgmRemoteClient *client, const VgmRemoteDomainSetTimeArgs *args,
                               GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetTime(client->drv, dom->name, args->seconds, args->nseconds, args->flags,
                            error);
}

gboolean
vgmRemoteDispatchDomainGetFsinfo(VgmRemoteClient *client, const VgmRemoteDomainGetFsinfoArgs *args,
                                 VgmRemoteDomainGetFsinfoRet *ret, GError **error)
{
    g_autoptr(GPtrArray) fss = NULL;
    guint i, j;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!(fss = vgmDriverGetFSInfo(client->drv, dom->name, args->flags, error)))
        return FALSE;
    if (fss->len > VGM_REMOTE_DOMAIN_FSINFO_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("the guest has %1$u file systems, more than the %2$d a reply carries"),
                    fss->len, VGM_REMOTE_DOMAIN_FSINFO_MAX);
        return FALSE;
    }
    ret->ret = fss->len;
    ret->info.len = fss->len;
    ret->info.val = g_new0(VgmRemoteDomainFsinfo, fss->len);
    for (i = 0; i < fss->len; i++) {
        const VgmDriverFSInfo *fs = g_ptr_array_index(fss, i);
        VgmRemoteDomainFsinfo *r = &ret->info.val[i];
        guint n = 0;

        r->mountpoint = g_strdup(fs->mountpoint);
        r->name = g_strdup(fs->name);
        r->fstype = g_strdup(fs->fstype);
        /* the disks the domain has a target for, as libvirt lists them */
        r->dev_aliases.val = g_new0(VgmRemoteNonnullString, MAX(fs->disks->len, 1));
        for (j = 0; j < fs->disks->len && n < VGM_REMOTE_DOMAIN_FSINFO_DISKS_MAX; j++) {
            const VgmDriverFSDisk *d = g_ptr_array_index(fs->disks, j);

            if (d->alias)
                r->dev_aliases.val[n++] = g_strdup(d->alias);
        }
        r->dev_aliases.len = n;
    }
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSetUserPassword(VgmRemoteClient *client,
                                       const VgmRemoteDomainSetUserPasswordArgs *args,
                                       GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetUserPassword(client->drv, dom->name, args->user ? *args->user : NULL,
                                    args->password ? *args->password : NULL, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainGetGuestInfo(VgmRemoteClient *client,
                                    const VgmRemoteDomainGetGuestInfoArgs *args,
                                    VgmRemoteDomainGetGuestInfoRet *ret, GError **error)
{
    g_autoptr(GPtrArray) params = NULL;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!(params = vgmDriverGetGuestInfo(client->drv, dom->name, args->types, args->flags,
                                         error)))
        return FALSE;
    if (params->len > VGM_REMOTE_DOMAIN_GUEST_INFO_PARAMS_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("the guest's information takes %1$u parameters, more than the %2$d a reply carries"),
                    params->len, VGM_REMOTE_DOMAIN_GUEST_INFO_PARAMS_MAX);
        return FALSE;
    }
    vgmRemoteTypedParamsSet(&ret->params.val, &ret->params.len, params,
                            VGM_REMOTE_DOMAIN_GUEST_INFO_PARAMS_MAX);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetGuestVcpus(VgmRemoteClient *client,
                                     const VgmRemoteDomainGetGuestVcpusArgs *args,
                                     VgmRemoteDomainGetGuestVcpusRet *ret, GError **error)
{
    g_autoptr(GPtrArray) params = NULL;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!(params = vgmDriverGetGuestVcpus(client->drv, dom->name, args->flags, error)))
        return FALSE;
    vgmRemoteTypedParamsSet(&ret->params.val, &ret->params.len, params,
                            VGM_REMOTE_DOMAIN_GUEST_VCPU_PARAMS_MAX);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSetGuestVcpus(VgmRemoteClient *client,
                                     const VgmRemoteDomainSetGuestVcpusArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetGuestVcpus(client->drv, dom->name, args->cpumap, args->state, args->flags,
                                  error);
}

gboolean
vgmRemoteDispatchDomainAuthorizedSshKeysGet(VgmRemoteClient *client,
                                            const VgmRemoteDomainAuthorizedSshKeysGetArgs *args,
                                            VgmRemoteDomainAuthorizedSshKeysGetRet *ret,
                                            GError **error)
{
    g_autoptr(GPtrArray) keys = NULL;
    guint i;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!(keys = vgmDriverAuthorizedSSHKeysGet(client->drv, dom->name, args->user, args->flags,
                                               error)))
        return FALSE;
    if (keys->len > VGM_REMOTE_DOMAIN_AUTHORIZED_SSH_KEYS_MAX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("the guest user has %1$u ssh keys, more than the %2$d a reply carries"),
                    keys->len, VGM_REMOTE_DOMAIN_AUTHORIZED_SSH_KEYS_MAX);
        return FALSE;
    }
    ret->keys.len = keys->len;
    ret->keys.val = g_new0(VgmRemoteNonnullString, MAX(keys->len, 1));
    for (i = 0; i < keys->len; i++)
        ret->keys.val[i] = g_strdup(g_ptr_array_index(keys, i));
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainAuthorizedSshKeysSet(VgmRemoteClient *client,
                                            const VgmRemoteDomainAuthorizedSshKeysSetArgs *args,
                                            GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverAuthorizedSSHKeysSet(client->drv, dom->name, args->user,
                                         (const char *const *)args->keys.val, args->keys.len,
                                         args->flags, error);
}

gboolean
vgmRemoteDispatchDomainAgentSetResponseTimeout(VgmRemoteClient *client,
                                               const VgmRemoteDomainAgentSetResponseTimeoutArgs *args,
                                               VgmRemoteDomainAgentSetResponseTimeoutRet *ret,
                                               GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverAgentSetResponseTimeout(client->drv, dom->name, args->timeout, args->flags,
                                          error))
        return FALSE;
    ret->result = 0;
    return TRUE;
}

/* ---- libvirt's QEMU program ---- */

static gboolean
vgmRemoteQemuMonitorCommand(VgmRemoteClient *client, void *argsp, void *retp, GError **error)
{
    const VgmRemoteQemuDomainMonitorCommandIn *args = argsp;
    VgmRemoteQemuDomainMonitorCommandOut *ret = retp;

    VGM_REMOTE_GET_DOMAIN(dom);
    return (ret->result = vgmDriverMonitorCommand(client->drv, dom->name, args->cmd, args->flags,
                                                  error)) != NULL;
}

static gboolean
vgmRemoteQemuAgentCommand(VgmRemoteClient *client, void *argsp, void *retp, GError **error)
{
    const VgmRemoteQemuDomainAgentCommandIn *args = argsp;
    VgmRemoteQemuDomainAgentCommandOut *ret = retp;
    char *result;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!(result = vgmDriverAgentCommand(client->drv, dom->name, args->cmd, args->timeout,
                                         args->flags, error)))
        return FALSE;
    ret->result = g_new0(char *, 1);
    *ret->result = result;
    return TRUE;
}

/* ---- block jobs and sizes ---- */

gboolean
vgmRemoteDispatchDomainGetBlockInfo(VgmRemoteClient *client,
                                    const VgmRemoteDomainGetBlockInfoArgs *args,
                                    VgmRemoteDomainGetBlockInfoRet *ret, GError **error)
{
    VgmDriverBlockInfo info;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverGetBlockInfo(client->drv, dom->name, args->path, args->flags, &info, error))
        return FALSE;
    ret->allocation = info.allocation;
    ret->capacity = info.capacity;
    ret->physical = info.physical;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainBlockJobAbort(VgmRemoteClient *client,
                                     const VgmRemoteDomainBlockJobAbortArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverBlockJobAbort(client->drv, dom->name, args->path, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainGetBlockJobInfo(VgmRemoteClient *client,
                                       const VgmRemoteDomainGetBlockJobInfoArgs *args,
                                       VgmRemoteDomainGetBlockJobInfoRet *ret, GError **error)
{
    VgmDriverBlockJobInfo info;
    int found;

    VGM_REMOTE_GET_DOMAIN(dom);
    if ((found = vgmDriverGetBlockJobInfo(client->drv, dom->name, args->path, args->flags, &info,
                                          error)) < 0)
        return FALSE;
    ret->found = found;
    ret->type = info.type;
    ret->bandwidth = info.bandwidth;
    ret->cur = info.cur;
    ret->end = info.end;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainBlockJobSetSpeed(VgmRemoteClient *client,
                                        const VgmRemoteDomainBlockJobSetSpeedArgs *args,
                                        GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverBlockJobSetSpeed(client->drv, dom->name, args->path, args->bandwidth,
                                     args->flags, error);
}

gboolean
vgmRemoteDispatchDomainGetPerfEvents(VgmRemoteClient *client,
                                     const VgmRemoteDomainGetPerfEventsArgs *args,
                                     VgmRemoteDomainGetPerfEventsRet *ret, GError **error)
{
    g_autoptr(GPtrArray) params = NULL;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!(params = vgmDriverGetPerfEvents(client->drv, dom, args->flags, error)))
        return FALSE;
    vgmRemoteTypedParamsSet(&ret->params.val, &ret->params.len, params,
                            VGM_REMOTE_DOMAIN_PERF_EVENTS_MAX);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSetPerfEvents(VgmRemoteClient *client,
                                     const VgmRemoteDomainSetPerfEventsArgs *args, GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);

    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetPerfEvents(client->drv, dom, params, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainGetLaunchSecurityInfo(VgmRemoteClient *client,
                                             const VgmRemoteDomainGetLaunchSecurityInfoArgs *args,
                                             VgmRemoteDomainGetLaunchSecurityInfoRet *ret,
                                             GError **error)
{
    g_autoptr(GPtrArray) params = NULL;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!(params = vgmDriverGetLaunchSecurityInfo(client->drv, dom->name, args->flags, error)))
        return FALSE;
    vgmRemoteTypedParamsSet(&ret->params.val, &ret->params.len, params,
                            VGM_REMOTE_DOMAIN_LAUNCH_SECURITY_INFO_PARAMS_MAX);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSetLaunchSecurityState(VgmRemoteClient *client,
                                              const VgmRemoteDomainSetLaunchSecurityStateArgs *args,
                                              GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);

    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetLaunchSecurityState(client->drv, dom->name, params, args->flags, error);
}

gboolean
vgmRemoteDispatchNodeGetSevInfo(VgmRemoteClient *client, const VgmRemoteNodeGetSevInfoArgs *args,
                                VgmRemoteNodeGetSevInfoRet *ret, GError **error)
{
    g_autoptr(GPtrArray) params = vgmDriverNodeGetSEVInfo(client->drv, args->flags, error);

    if (!params)
        return FALSE;
    vgmRemoteTypedParamsSet(&ret->params.val, &ret->params.len, params,
                            VGM_REMOTE_NODE_SEV_INFO_MAX);
    ret->nparams = (int)params->len;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainStartDirtyRateCalc(VgmRemoteClient *client,
                                          const VgmRemoteDomainStartDirtyRateCalcArgs *args,
                                          GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverDomainStartDirtyRateCalc(client->drv, dom->name, args->seconds, args->flags,
                                             error);
}

gboolean
vgmRemoteDispatchDomainSetBlockThreshold(VgmRemoteClient *client,
                                         const VgmRemoteDomainSetBlockThresholdArgs *args,
                                         GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetBlockThreshold(client->drv, dom->name, args->dev, args->threshold,
                                      args->flags, error);
}

gboolean
vgmRemoteDispatchDomainBlockPull(VgmRemoteClient *client, const VgmRemoteDomainBlockPullArgs *args,
                                 GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    /* a pull is a rebase onto nothing */
    return vgmDriverBlockRebase(client->drv, dom->name, args->path, NULL, args->bandwidth,
                                args->flags, error);
}

gboolean
vgmRemoteDispatchDomainBlockCommit(VgmRemoteClient *client,
                                   const VgmRemoteDomainBlockCommitArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverBlockCommit(client->drv, dom->name, args->disk,
                                args->base ? *args->base : NULL, args->top ? *args->top : NULL,
                                args->bandwidth, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainBlockResize(VgmRemoteClient *client,
                                   const VgmRemoteDomainBlockResizeArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverBlockResize(client->drv, dom->name, args->disk, args->size, args->flags,
                                error);
}

gboolean
vgmRemoteDispatchDomainBlockRebase(VgmRemoteClient *client,
                                   const VgmRemoteDomainBlockRebaseArgs *args, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverBlockRebase(client->drv, dom->name, args->path,
                                args->base ? *args->base : NULL, args->bandwidth, args->flags,
                                error);
}

gboolean
vgmRemoteDispatchDomainCoreDump(VgmRemoteClient *client, const VgmRemoteDomainCoreDumpArgs *args,
                                GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverCoreDump(client->drv, dom->name, args->to, 0, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainCoreDumpWithFormat(VgmRemoteClient *client,
                                          const VgmRemoteDomainCoreDumpWithFormatArgs *args,
                                          GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    if (args->dumpformat > G_MAXINT) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("unknown dump format %1$u"), args->dumpformat);
        return FALSE;
    }
    return vgmDriverCoreDump(client->drv, dom->name, args->to, (int)args->dumpformat,
                             args->flags, error);
}

gboolean
vgmRemoteDispatchDomainSetBlockIoTune(VgmRemoteClient *client,
                                      const VgmRemoteDomainSetBlockIoTuneArgs *args,
                                      GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);

    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetBlockIoTune(client->drv, dom->name, args->disk, params, args->flags,
                                   error);
}

gboolean
vgmRemoteDispatchDomainGetBlockIoTune(VgmRemoteClient *client,
                                      const VgmRemoteDomainGetBlockIoTuneArgs *args,
                                      VgmRemoteDomainGetBlockIoTuneRet *ret, GError **error)
{
    g_autoptr(GPtrArray) params = NULL;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (args->nparams < 0 || args->nparams > VGM_REMOTE_DOMAIN_BLOCK_IO_TUNE_PARAMETERS_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("nparams %1$d is out of range (0 to %2$u)"),
                    args->nparams, (guint)VGM_REMOTE_DOMAIN_BLOCK_IO_TUNE_PARAMETERS_MAX);
        return FALSE;
    }
    /* as libvirt: 0 asks how many there are, of any disk */
    if (args->nparams == 0) {
        ret->nparams = VGM_DRIVER_IOTUNE_PARAMS(args->flags & VGM_TYPED_PARAM_STRING_OKAY);
        return TRUE;
    }
    if (!args->disk) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("the throttling values of a disk need the disk's name"));
        return FALSE;
    }
    if (!(params = vgmDriverGetBlockIoTune(client->drv, dom, *args->disk, args->flags, error)))
        return FALSE;
    vgmRemoteTypedParamsSet(&ret->params.val, &ret->params.len, params, (guint)args->nparams);
    ret->nparams = (gint32)ret->params.len;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainSetInterfaceParameters(VgmRemoteClient *client,
                                              const VgmRemoteDomainSetInterfaceParametersArgs *args,
                                              GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);

    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverSetInterfaceParameters(client->drv, dom->name, args->device, params,
                                           args->flags, error);
}

gboolean
vgmRemoteDispatchNodeGetMemoryParameters(VgmRemoteClient *client,
                                         const VgmRemoteNodeGetMemoryParametersArgs *args,
                                         VgmRemoteNodeGetMemoryParametersRet *ret,
                                         GError **error)
{
    g_autoptr(GPtrArray) params = NULL;

    if (args->nparams < 0 || args->nparams > VGM_REMOTE_NODE_MEMORY_PARAMETERS_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("nparams %1$d is out of range (0 to %2$u)"),
                    args->nparams, (guint)VGM_REMOTE_NODE_MEMORY_PARAMETERS_MAX);
        return FALSE;
    }
    if (!(params = vgmDriverNodeGetMemoryParameters(client->drv, args->flags, error)))
        return FALSE;
    /* as libvirt: 0 asks how many there are, libvirt's eight whatever the
     * kernel has */
    if (args->nparams == 0) {
        ret->nparams = VGM_NODE_KSM_LAST;
        return TRUE;
    }
    vgmRemoteTypedParamsSet(&ret->params.val, &ret->params.len, params, (guint)args->nparams);
    ret->nparams = (gint32)ret->params.len;
    return TRUE;
}

gboolean
vgmRemoteDispatchNodeSetMemoryParameters(VgmRemoteClient *client,
                                         const VgmRemoteNodeSetMemoryParametersArgs *args,
                                         GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);

    return vgmDriverNodeSetMemoryParameters(client->drv, params, args->flags, error);
}

gboolean
vgmRemoteDispatchNodeAllocPages(VgmRemoteClient *client, const VgmRemoteNodeAllocPagesArgs *args,
                                VgmRemoteNodeAllocPagesRet *ret, GError **error)
{
    int n;

    if (args->pageSizes.len != args->pageCounts.len) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("%1$u page sizes and %2$u page counts: there must be one count per size"),
                    args->pageSizes.len, args->pageCounts.len);
        return FALSE;
    }
    if ((n = vgmDriverNodeAllocPages(client->drv, args->pageSizes.val, args->pageCounts.val,
                                     args->pageSizes.len, args->startCell, args->cellCount,
                                     args->flags, error)) < 0)
        return FALSE;
    ret->ret = n;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainGetInterfaceParameters(VgmRemoteClient *client,
                                              const VgmRemoteDomainGetInterfaceParametersArgs *args,
                                              VgmRemoteDomainGetInterfaceParametersRet *ret,
                                              GError **error)
{
    g_autoptr(GPtrArray) params = NULL;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (args->nparams < 0 || args->nparams > VGM_REMOTE_DOMAIN_INTERFACE_PARAMETERS_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("nparams %1$d is out of range (0 to %2$u)"),
                    args->nparams, (guint)VGM_REMOTE_DOMAIN_INTERFACE_PARAMETERS_MAX);
        return FALSE;
    }
    /* as libvirt: 0 asks how many there are, of any interface */
    if (!(params = vgmDriverGetInterfaceParameters(client->drv, dom,
                                                   args->nparams ? args->device : NULL,
                                                   args->flags, error)))
        return FALSE;
    if (args->nparams == 0) {
        ret->nparams = VGM_DRIVER_INTERFACE_PARAMS;
        return TRUE;
    }
    vgmRemoteTypedParamsSet(&ret->params.val, &ret->params.len, params, (guint)args->nparams);
    ret->nparams = (gint32)ret->params.len;
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainBlockCopy(VgmRemoteClient *client, const VgmRemoteDomainBlockCopyArgs *args,
                                 GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);

    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverBlockCopy(client->drv, dom->name, args->path, args->destxml, params,
                              args->flags, error);
}

/* ---- migration (libvirt's version 3 with parameters) ---- */

/* The daemon's socket when a destination URI names none (virtgmemd's
 * default for root) */
#define VGM_REMOTE_P2P_DEFAULT_SOCKET "/run/virt-gmem/virtgmemd-sock"

/* The migration of @name, of id @id, onto @client's list @list
 * (prepared, performed) */
static void
vgmRemoteClientRemember(VgmRemoteClient *client, GPtrArray *list, const char *name, guint64 id)
{
    VgmRemoteMigrationRef *ref = g_new0(VgmRemoteMigrationRef, 1);

    ref->name = g_strdup(name);
    ref->id = id;
    g_mutex_lock(&client->lock);
    g_ptr_array_add(list, ref);
    g_mutex_unlock(&client->lock);
}

/* @name's out of @client's list @list (its phase came) */
static void
vgmRemoteClientForget(VgmRemoteClient *client, GPtrArray *list, const char *name)
{
    g_mutex_lock(&client->lock);
    for (guint i = 0; i < list->len; i++) {
        const VgmRemoteMigrationRef *ref = g_ptr_array_index(list, i);

        if (g_str_equal(ref->name, name)) {
            g_ptr_array_remove_index(list, i);
            break;
        }
    }
    g_mutex_unlock(&client->lock);
}

static void
vgmRemoteCookieSet(guint8 **val, guint32 *len, const GByteArray *cookie)
{
    *val = cookie && cookie->len ? g_memdup2(cookie->data, cookie->len) : NULL;
    *len = cookie ? cookie->len : 0;
}

gboolean
vgmRemoteDispatchDomainMigrateBegin3Params(VgmRemoteClient *client,
                                           const VgmRemoteDomainMigrateBegin3ParamsArgs *args,
                                           VgmRemoteDomainMigrateBegin3ParamsRet *ret,
                                           GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);
    g_autoptr(GByteArray) cookie = NULL;
    VgmDriverMigrateParams p;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverMigrateParamsParse(params, &p, error) ||
        !vgmDriverMigrateBegin(client->drv, dom->name, &p, args->flags, &ret->xml, &cookie,
                               error))
        return FALSE;
    vgmRemoteCookieSet(&ret->cookie_out.val, &ret->cookie_out.len, cookie);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainMigratePrepare3Params(VgmRemoteClient *client,
                                             const VgmRemoteDomainMigratePrepare3ParamsArgs *args,
                                             VgmRemoteDomainMigratePrepare3ParamsRet *ret,
                                             GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverMigrateParams p;
    char *uri = NULL;
    guint64 id = 0;

    if (!vgmDriverMigrateParamsParse(params, &p, error) ||
        !(dom = vgmDriverMigratePrepare(client->drv, &p, args->cookie_in.val, args->cookie_in.len,
                                        args->flags, &uri, &id, error)))
        return FALSE;
    ret->uri_out = g_new0(char *, 1);
    *ret->uri_out = uri;
    vgmRemoteClientRemember(client, client->prepared, dom->name, id);
    return TRUE;
}

/* The domain a finish is for: the destination_name, else the name in
 * the destination_xml */
static char *
vgmRemoteMigrateName(const VgmDriverMigrateParams *p, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;

    if (p->dname)
        return g_strdup(p->dname);
    if (!p->dxml) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a migration's finish needs the domain's name (destination_name) or XML (destination_xml)"));
        return NULL;
    }
    if (!(def = vgmDomainDefParseString(p->dxml, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE |
                                        VGM_DOMAIN_PARSE_NO_ADDRESSES | VGM_DOMAIN_PARSE_LIVE,
                                        error)))
        return NULL;
    return g_strdup(def->name);
}

gboolean
vgmRemoteDispatchDomainMigrateFinish3Params(VgmRemoteClient *client,
                                            const VgmRemoteDomainMigrateFinish3ParamsArgs *args,
                                            VgmRemoteDomainMigrateFinish3ParamsRet *ret,
                                            GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);
    g_autofree char *name = NULL;
    VgmDriverMigrateParams p;

    if (!vgmDriverMigrateParamsParse(params, &p, error) ||
        !(name = vgmRemoteMigrateName(&p, error)))
        return FALSE;
    vgmRemoteClientForget(client, client->prepared, name);
    return vgmRemoteReturnDomain(vgmDriverMigrateFinish(client->drv, name, args->flags,
                                                        args->cancelled != 0, error),
                                 &ret->dom);
}

gboolean
vgmRemoteDispatchDomainMigrateConfirm3Params(VgmRemoteClient *client,
                                             const VgmRemoteDomainMigrateConfirm3ParamsArgs *args,
                                             GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);
    VgmDriverMigrateParams p;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (!vgmDriverMigrateParamsParse(params, &p, error))
        return FALSE;
    vgmRemoteClientForget(client, client->performed, dom->name);
    return vgmDriverMigrateConfirm(client->drv, dom->name, args->flags, args->cancelled != 0,
                                   error);
}

/* A connection of this daemon to the destination's, for a peer-to-peer
 * migration: libvirt's protocol over its unix socket, one call at a
 * time */
typedef struct {
    GSocketConnection *conn;
    guint32 serial;
} VgmRemotePeer;

static void
vgmRemotePeerFree(VgmRemotePeer *peer)
{
    if (!peer)
        return;
    g_clear_object(&peer->conn);
    g_free(peer);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmRemotePeer, vgmRemotePeerFree)

/* The unix socket of destination URI @uri: qemu:///system or
 * qemu+unix:///system, with its ?socket= or the daemon's default */
static char *
vgmRemotePeerSocket(const char *uri, GError **error)
{
    g_autoptr(GUri) u = g_uri_parse(uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
    const char *scheme = u ? g_uri_get_scheme(u) : NULL;
    const char *query = u ? g_uri_get_query(u) : NULL;
    g_autoptr(GHashTable) q = NULL;
    const char *sock;

    if (!scheme || (!g_str_equal(scheme, "qemu") && !g_str_equal(scheme, "qemu+unix")) ||
        (g_uri_get_host(u) && *g_uri_get_host(u)) || g_strcmp0(g_uri_get_path(u), "/system") != 0) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                    _("peer-to-peer migration to '%1$s' is not supported: the destination must be a virt-gmem daemon on this host's unix socket (qemu+unix:///system?socket=PATH)"),
                    uri);
        return NULL;
    }
    if (query && !(q = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, error)))
        return NULL;
    sock = q ? g_hash_table_lookup(q, "socket") : NULL;
    return g_strdup(sock ? sock : VGM_REMOTE_P2P_DEFAULT_SOCKET);
}

/* One call: @proc with @args, its reply decoded into @ret (or none); an
 * error reply's message is the destination's */
static gboolean
vgmRemotePeerCall(VgmRemotePeer *peer, int proc, VgmXdrFunc argsFn, void *args,
                  VgmXdrFunc retFn, void *ret, GError **error)
{
    VgmRpcHeader hdr = { VGM_REMOTE_PROGRAM, VGM_REMOTE_PROTOCOL_VERSION, proc,
                         VGM_RPC_TYPE_CALL, ++peer->serial, VGM_RPC_STATUS_OK };
    GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(peer->conn));
    GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(peer->conn));
    g_autoptr(GByteArray) frame = NULL;

    if (!(frame = vgmRpcFrameEncode(&hdr, argsFn, args, error)) ||
        !g_output_stream_write_all(out, frame->data, frame->len, NULL, NULL, error))
        return FALSE;
    for (;;) {
        guint8 len[4];
        g_autofree guint8 *buf = NULL;
        VgmRpcHeader rh;
        guint32 n, frameLen;

        if (!g_input_stream_read_all(in, len, sizeof(len), NULL, NULL, error))
            return FALSE;
        n = ((guint32)len[0] << 24) | ((guint32)len[1] << 16) | ((guint32)len[2] << 8) | len[3];
        if (n < VGM_RPC_HEADER_SIZE || n > VGM_RPC_MESSAGE_MAX) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, _("the destination daemon sent a message of %1$u bytes"),
                        n);
            return FALSE;
        }
        buf = g_malloc(n);
        memcpy(buf, len, sizeof(len));
        if (!g_input_stream_read_all(in, buf + 4, n - 4, NULL, NULL, error) ||
            !vgmRpcHeaderDecode(buf, n, &frameLen, &rh, error))
            return FALSE;
        /* events and keepalives are not this call's */
        if (rh.prog != VGM_REMOTE_PROGRAM || rh.type != VGM_RPC_TYPE_REPLY ||
            rh.serial != hdr.serial)
            continue;
        if (rh.status == VGM_RPC_STATUS_ERROR) {
            VgmRpcError e = { 0 };

            if (!vgmXdrDecode(vgmRpcXdrError, &e, buf + VGM_RPC_HEADER_SIZE,
                              n - VGM_RPC_HEADER_SIZE, error))
                return FALSE;
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED, _("the destination daemon: %1$s"),
                        e.message && *e.message ? *e.message : _("no reason given"));
            vgmXdrFree(vgmRpcXdrError, &e);
            return FALSE;
        }
        if (!retFn)
            return TRUE;
        return vgmXdrDecode(retFn, ret, buf + VGM_RPC_HEADER_SIZE, n - VGM_RPC_HEADER_SIZE,
                            error);
    }
}

static VgmRemotePeer *
vgmRemotePeerOpen(const char *uri, GError **error)
{
    g_autofree char *path = NULL;
    g_autoptr(GSocketClient) sc = g_socket_client_new();
    g_autoptr(GSocketAddress) addr = NULL;
    g_autoptr(VgmRemotePeer) peer = g_new0(VgmRemotePeer, 1);
    g_autoptr(GError) err = NULL;
    char *name = (char *)"qemu:///system";
    VgmRemoteConnectOpenArgs open = { &name, 0 };

    if (!(path = vgmRemotePeerSocket(uri, error)))
        return NULL;
    addr = g_unix_socket_address_new(path);
    if (!(peer->conn = g_socket_client_connect(sc, G_SOCKET_CONNECTABLE(addr), NULL, &err))) {
        vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                    _("cannot connect to the destination daemon at %1$s: %2$s"), path,
                    err->message);
        return NULL;
    }
    if (!vgmRemotePeerCall(peer, VGM_REMOTE_PROC_CONNECT_OPEN, vgmRemoteXdrConnectOpenArgs, &open,
                           NULL, NULL, error))
        return NULL;
    return g_steal_pointer(&peer);
}

/* @params with @field set to the string @value (replaced, or added) */
static void
vgmRemoteParamsSetString(GPtrArray *params, const char *field, const char *value)
{
    guint i;

    for (i = 0; i < params->len; i++) {
        VgmTypedParam *tp = g_ptr_array_index(params, i);

        if (g_str_equal(tp->field, field)) {
            g_ptr_array_remove_index(params, i);
            break;
        }
    }
    vgmTypedParamAdd(params, field, VGM_TYPED_PARAM_STRING)->v.s = g_strdup(value);
}

/* Peer-to-peer: this daemon is the client of the destination's, and
 * runs the five phases itself (as libvirt's virDomainMigrateToURI3 has
 * the source's daemon do) */
static gboolean
vgmRemoteMigrateP2P(VgmRemoteClient *client, const char *name, const char *dconnuri,
                    GPtrArray *params, unsigned int flags, GError **error)
{
    g_autoptr(VgmRemotePeer) peer = NULL;
    g_autoptr(GByteArray) cookie = NULL;
    g_autoptr(GError) performErr = NULL;
    g_autoptr(GError) finishErr = NULL;
    g_autofree char *xml = NULL;
    VgmRemoteDomainMigratePrepare3ParamsArgs prep = { 0 };
    VgmRemoteDomainMigratePrepare3ParamsRet prepRet = { 0 };
    VgmRemoteDomainMigrateFinish3ParamsArgs fin = { 0 };
    VgmRemoteDomainMigrateFinish3ParamsRet finRet = { 0 };
    VgmDriverMigrateParams p;
    gboolean performed, finished;
    guint64 id = 0;

    if (!dconnuri) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a peer-to-peer migration needs the destination's URI"));
        return FALSE;
    }
    if (!vgmDriverMigrateParamsParse(params, &p, error) ||
        !vgmDriverMigrateCheckFlags(flags & ~VGM_MIGRATE_PEER2PEER, error) ||
        !(peer = vgmRemotePeerOpen(dconnuri, error)) ||
        !vgmDriverMigrateBegin(client->drv, name, &p, flags, &xml, &cookie, error))
        return FALSE;
    /* a guest paused here stays paused there, as libvirt's source asks */
    {
        g_autoptr(VgmDriverDomain) dom = vgmDriverLookup(client->drv, name, NULL);

        if (dom && dom->state == VGM_DOMAIN_STATE_PAUSED)
            flags |= VGM_MIGRATE_PAUSED;
    }

    /* prepare, at the destination, from the begin's XML and cookie */
    vgmRemoteParamsSetString(params, "destination_xml", xml);
    vgmRemoteTypedParamsSet(&prep.params.val, &prep.params.len, params,
                            VGM_REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX);
    vgmRemoteCookieSet(&prep.cookie_in.val, &prep.cookie_in.len, cookie);
    prep.flags = flags;
    if (!vgmRemotePeerCall(peer, VGM_REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS,
                           vgmRemoteXdrDomainMigratePrepare3ParamsArgs, &prep,
                           vgmRemoteXdrDomainMigratePrepare3ParamsRet, &prepRet, error)) {
        vgmXdrFree(vgmRemoteXdrDomainMigratePrepare3ParamsArgs, &prep);
        return FALSE;
    }
    vgmXdrFree(vgmRemoteXdrDomainMigratePrepare3ParamsArgs, &prep);
    if (prepRet.uri_out && *prepRet.uri_out)
        vgmRemoteParamsSetString(params, "migrate_uri", *prepRet.uri_out);
    vgmXdrFree(vgmRemoteXdrDomainMigratePrepare3ParamsRet, &prepRet);

    /* perform, here */
    performed = vgmDriverMigrateParamsParse(params, &p, &performErr) &&
                vgmDriverMigratePerform(client->drv, name, &p, flags, &id, &performErr);

    /* finish, at the destination: cancelled when the perform failed */
    vgmRemoteParamsSetString(params, "destination_name", name);
    vgmRemoteTypedParamsSet(&fin.params.val, &fin.params.len, params,
                            VGM_REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX);
    fin.flags = flags;
    fin.cancelled = !performed;
    finished = vgmRemotePeerCall(peer, VGM_REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS,
                                 vgmRemoteXdrDomainMigrateFinish3ParamsArgs, &fin,
                                 vgmRemoteXdrDomainMigrateFinish3ParamsRet, &finRet, &finishErr);
    vgmXdrFree(vgmRemoteXdrDomainMigrateFinish3ParamsArgs, &fin);
    if (finished)
        vgmXdrFree(vgmRemoteXdrDomainMigrateFinish3ParamsRet, &finRet);
    vgmRemotePeerCall(peer, VGM_REMOTE_PROC_CONNECT_CLOSE, NULL, NULL, NULL, NULL, NULL);

    /* confirm, here: the guest goes, or runs here again */
    if (!performed) {
        g_propagate_error(error, g_steal_pointer(&performErr));
        return FALSE;
    }
    if (!finished) {
        g_autoptr(GError) confirmErr = NULL;

        if (!vgmDriverMigrateConfirm(client->drv, name, flags, TRUE, &confirmErr))
            g_warning(_("domain '%1$s' could not run again here after its migration failed: %2$s"),
                      name, confirmErr->message);
        g_propagate_error(error, g_steal_pointer(&finishErr));
        return FALSE;
    }
    return vgmDriverMigrateConfirm(client->drv, name, flags, FALSE, error);
}

gboolean
vgmRemoteDispatchDomainMigratePerform3Params(VgmRemoteClient *client,
                                             const VgmRemoteDomainMigratePerform3ParamsArgs *args,
                                             VgmRemoteDomainMigratePerform3ParamsRet *ret,
                                             GError **error)
{
    g_autoptr(GPtrArray) params = vgmRemoteTypedParamsGet(args->params.val, args->params.len);
    VgmDriverMigrateParams p;

    VGM_REMOTE_GET_DOMAIN(dom);
    if (args->flags & VGM_MIGRATE_PEER2PEER)
        return vgmRemoteMigrateP2P(client, dom->name, vgmRemoteOptString(args->dconnuri), params,
                                   args->flags, error);
    guint64 id = 0;

    if (!vgmDriverMigrateParamsParse(params, &p, error) ||
        !vgmDriverMigratePerform(client->drv, dom->name, &p, args->flags, &id, error))
        return FALSE;
    vgmRemoteClientRemember(client, client->performed, dom->name, id);
    return TRUE;
}

gboolean
vgmRemoteDispatchDomainMigrateSetMaxDowntime(VgmRemoteClient *client,
                                             const VgmRemoteDomainMigrateSetMaxDowntimeArgs *args,
                                             GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverMigrateSetMaxDowntime(client->drv, dom->name, args->downtime, args->flags,
                                          error);
}

gboolean
vgmRemoteDispatchDomainMigrateGetMaxDowntime(VgmRemoteClient *client,
                                             const VgmRemoteDomainMigrateGetMaxDowntimeArgs *args,
                                             VgmRemoteDomainMigrateGetMaxDowntimeRet *ret,
                                             GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverMigrateGetMaxDowntime(client->drv, dom->name, args->flags, &ret->downtime,
                                          error);
}

gboolean
vgmRemoteDispatchDomainMigrateSetMaxSpeed(VgmRemoteClient *client,
                                          const VgmRemoteDomainMigrateSetMaxSpeedArgs *args,
                                          GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverMigrateSetMaxSpeed(client->drv, dom->name, args->bandwidth, args->flags,
                                       error);
}

gboolean
vgmRemoteDispatchDomainMigrateStartPostCopy(VgmRemoteClient *client,
                                            const VgmRemoteDomainMigrateStartPostCopyArgs *args,
                                            GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverMigrateStartPostCopy(client->drv, dom->name, args->flags, error);
}

gboolean
vgmRemoteDispatchDomainMigrateGetCompressionCache(
    VgmRemoteClient *client, const VgmRemoteDomainMigrateGetCompressionCacheArgs *args,
    VgmRemoteDomainMigrateGetCompressionCacheRet *ret, GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverMigrateCompressionCache(client->drv, dom->name, FALSE, &ret->cacheSize,
                                            args->flags, error);
}

gboolean
vgmRemoteDispatchDomainMigrateSetCompressionCache(
    VgmRemoteClient *client, const VgmRemoteDomainMigrateSetCompressionCacheArgs *args,
    GError **error)
{
    guint64 size = args->cacheSize;

    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverMigrateCompressionCache(client->drv, dom->name, TRUE, &size, args->flags,
                                            error);
}

gboolean
vgmRemoteDispatchDomainMigrateGetMaxSpeed(VgmRemoteClient *client,
                                          const VgmRemoteDomainMigrateGetMaxSpeedArgs *args,
                                          VgmRemoteDomainMigrateGetMaxSpeedRet *ret,
                                          GError **error)
{
    VGM_REMOTE_GET_DOMAIN(dom);
    return vgmDriverMigrateGetMaxSpeed(client->drv, dom->name, args->flags, &ret->bandwidth,
                                       error);
}
