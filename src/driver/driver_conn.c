/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_conn.c: the connection-level API (see driver_conn.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "driver_conn.h"
#include "driver_disk.h"
#include "driver_agent.h"
#include "driver_caps.h"
#include "driver_cgroup.h"
#include "driver_net.h"
#include "driver_process.h"
#include "driver_save.h"
#include "driver_snapshot.h"
#include "driver_watch.h"
#include "host/vgmhost.h"
#include "host/vgmnode.h"
#include "host/vgmsysinfo.h"
#include "conf/snapshot_conf.h"
#include "qemu/qemu_alias.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_plan.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"
#include "util/vgmsize.h"
#include "util/vgmxml.h"

/* How often, and for how long, a shutdown is watched for the guest's
 * power-off. */
#define VGM_DRIVER_SHUTDOWN_POLL_MS 200
#define VGM_DRIVER_SHUTDOWN_WATCH_MS (10 * 60 * 1000)

typedef struct {
    int id;
    VgmEventObject kind;        /* whose events: a domain's, a network's, ... */
    int eventID;
    gboolean anyDomain;         /* (or any object of its kind) */
    unsigned char uuid[16];
    char *name;                 /* a node device's (they have no uuid) */
    VgmEventFunc func;
    gpointer opaque;
    GDestroyNotify freeOpaque;
} VgmDriverCallback;

struct _VgmDriver {
    VgmDriverStore *store;

    GMutex domainsLock;         /* guards domainLocks */
    GHashTable *domainLocks;    /* name -> GMutex*, never freed before drv */

    GMutex eventLock;           /* guards callbacks; held while they run */
    GPtrArray *callbacks;       /* VgmDriverCallback */

    VgmDriverWatch *watch;      /* vgmDriverWatchEvents, or NULL */

    GMutex jobsLock;            /* guards jobs, and each job while read */
    GHashTable *jobs;           /* name -> VgmDriverJob of a save running */
    GHashTable *completed;      /* name -> GPtrArray of VgmTypedParam: the
                                 * statistics of its last completed job
                                 * (a save or a dump into a file), until
                                 * read (libvirt keeps them in memory) */

    GMutex nodeDevLock;         /* guards nodeDevMonitor */
    VgmDriverNodeDevMonitor *nodeDevMonitor; /* once a node device event
                                              * callback registered */

    GHashTable *migPorts;       /* port -> port: the ones prepares picked
                                 * for their QEMU, until the finish (under
                                 * jobsLock) */
    GHashTable *migSpeeds;      /* name -> guint64 *: the MiB/s of its next
                                 * migrations (virDomainMigrateSetMaxSpeed;
                                 * under jobsLock) */
    GHashTable *migrations;     /* name -> VgmDriverMigration of a
                                 * migration between its phases (under
                                 * jobsLock) */

    GMutex dumpsLock;           /* guards dumps */
    GThreadPool *dumps;         /* the watchdogs' dumps (VgmDriverWatchdogDump),
                                 * each off the watcher's worker; NULL: none yet */
};

/* A migration between its phases: on the destination from the prepare
 * to the finish, on the source from the perform to the confirm */
typedef struct {
    gboolean incoming;
    char *persistentXml;        /* incoming: what PERSIST_DEST defines */
    guint64 id;                 /* which one (vgmDriverMigrateAbandon, Forget) */
    guint port;                 /* incoming: the port it reserved, or 0 */
    gboolean wasRunning;        /* outgoing: the guest ran before */
    GPtrArray *done;            /* outgoing: the completed job's figures */
} VgmDriverMigration;

static void
vgmDriverMigrationFree(VgmDriverMigration *m)
{
    if (!m)
        return;
    g_free(m->persistentXml);
    g_clear_pointer(&m->done, g_ptr_array_unref);
    g_free(m);
}

static gboolean vgmDriverMigrationBusy(VgmDriver *drv, const char *name, GError **error);

/* Callback ids count across every driver of the process, as libvirtd's
 * count across the daemon. */
static gint vgmDriverNextCallbackID = 1;

static void
vgmDriverCallbackFree(VgmDriverCallback *cb)
{
    if (cb->freeOpaque)
        cb->freeOpaque(cb->opaque);
    g_free(cb->name);
    g_free(cb);
}

static void
vgmDriverMutexFree(GMutex *m)
{
    g_mutex_clear(m);
    g_free(m);
}

VgmDriver *
vgmDriverNew(const char *root, GError **error)
{
    g_autoptr(VgmDriverStore) store = NULL;
    VgmDriver *drv;

    if (!(store = vgmDriverStoreOpen(root, error)))
        return NULL;
    /* what writes killed before their rename left */
    vgmDriverStoreRemoveTemps(store);
    drv = g_new0(VgmDriver, 1);
    drv->store = g_steal_pointer(&store);
    g_mutex_init(&drv->domainsLock);
    drv->domainLocks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify)vgmDriverMutexFree);
    g_mutex_init(&drv->eventLock);
    drv->callbacks = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverCallbackFree);
    g_mutex_init(&drv->jobsLock);
    g_mutex_init(&drv->dumpsLock);
    g_mutex_init(&drv->nodeDevLock);
    drv->jobs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    drv->completed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)g_ptr_array_unref);
    drv->migrations = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify)vgmDriverMigrationFree);
    drv->migSpeeds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    drv->migPorts = g_hash_table_new(g_direct_hash, g_direct_equal);
    return drv;
}

void
vgmDriverFree(VgmDriver *drv)
{
    if (!drv)
        return;
    /* (a dump under way ends first: it uses the rest) */
    if (drv->dumps)
        g_thread_pool_free(drv->dumps, FALSE, TRUE);
    g_mutex_clear(&drv->dumpsLock);
    vgmDriverWatchFree(drv->watch);
    /* (its thread raises events: it ends before the callbacks go) */
    vgmDriverNodeDevMonitorFree(drv->nodeDevMonitor);
    g_mutex_clear(&drv->nodeDevLock);
    g_hash_table_unref(drv->jobs);
    g_hash_table_unref(drv->completed);
    g_hash_table_unref(drv->migrations);
    g_hash_table_unref(drv->migSpeeds);
    g_hash_table_unref(drv->migPorts);
    g_mutex_clear(&drv->jobsLock);
    g_ptr_array_unref(drv->callbacks);
    g_mutex_clear(&drv->eventLock);
    g_hash_table_unref(drv->domainLocks);
    g_mutex_clear(&drv->domainsLock);
    vgmDriverStoreFree(drv->store);
    g_free(drv);
}

const VgmDriverStore *
vgmDriverGetStore(const VgmDriver *drv)
{
    return drv->store;
}

gboolean
vgmDriverStartIndex(VgmDriver *drv)
{
    return vgmDriverStoreStartIndex(drv->store);
}

/* The in-process mutex of domain @name: changes to one domain made by two
 * threads wait for each other here rather than fail on the file lock. */
static GMutex *
vgmDriverDomainMutex(VgmDriver *drv, const char *name)
{
    GMutex *m;

    g_mutex_lock(&drv->domainsLock);
    if (!(m = g_hash_table_lookup(drv->domainLocks, name))) {
        m = g_new0(GMutex, 1);
        g_mutex_init(m);
        g_hash_table_insert(drv->domainLocks, g_strdup(name), m);
    }
    g_mutex_unlock(&drv->domainsLock);
    return m;
}

GMutex *
vgmDriverDomainSideMutex(VgmDriver *drv, const char *what, const char *name)
{
    /* (kept with the domains' own: no domain name has a '/') */
    g_autofree char *key = g_strconcat(what, "/", name, NULL);

    return vgmDriverDomainMutex(drv, key);
}

/* Holds domain @name's in-process mutex until the end of the scope */
#define VGM_DRIVER_DOMAIN_LOCKED(drv, name) \
    g_autoptr(GMutexLocker) vgmDomainLocker G_GNUC_UNUSED = \
        g_mutex_locker_new(vgmDriverDomainMutex(drv, name))

/* ---- events ---- */

void
vgmDriverEmitEvent(VgmDriver *drv, const char *name, const unsigned char *uuid, int id,
                   int event, int detail)
{
    vgmDriverEmitEventID(drv, VGM_EVENT_ID_LIFECYCLE, name, uuid, id, event, detail, NULL, NULL,
                         0);
}

/* Event @eventID of domain @name to each callback registered for it */
static void
vgmDriverEmitEventAll(VgmDriver *drv, int eventID, const char *name, const unsigned char *uuid,
                      int id, int event, int detail, const char *str, const char *str2,
                      unsigned long long num, const GPtrArray *params)
{
    VgmEventDomain dom = { .name = (char *)name, .id = id };
    guint i;

    memcpy(dom.uuid, uuid, 16);
    g_mutex_lock(&drv->eventLock);
    for (i = 0; i < drv->callbacks->len; i++) {
        VgmDriverCallback *cb = g_ptr_array_index(drv->callbacks, i);

        if (cb->kind != VGM_EVENT_OBJECT_DOMAIN || cb->eventID != eventID)
            continue;
        if (!cb->anyDomain && memcmp(cb->uuid, uuid, 16) != 0)
            continue;
        cb->func(cb->id, cb->eventID, &dom, event, detail, str, str2, num, params, cb->opaque);
    }
    g_mutex_unlock(&drv->eventLock);
}

void
vgmDriverEmitEventID(VgmDriver *drv, int eventID, const char *name,
                     const unsigned char *uuid, int id, int event, int detail,
                     const char *str, const char *str2, unsigned long long num)
{
    vgmDriverEmitEventAll(drv, eventID, name, uuid, id, event, detail, str, str2, num, NULL);
}

void
vgmDriverEmitBlockThreshold(VgmDriver *drv, const char *name, const unsigned char *uuid, int id,
                            const char *dev, const char *path, unsigned long long threshold,
                            unsigned long long excess)
{
    g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);

    vgmTypedParamAdd(params, "excess", VGM_TYPED_PARAM_ULLONG)->v.ul = excess;
    vgmDriverEmitEventAll(drv, VGM_EVENT_ID_BLOCK_THRESHOLD, name, uuid, id, 0, 0, dev, path,
                          threshold, params);
}

void
vgmDriverEmitGraphics(VgmDriver *drv, const char *name, const unsigned char *uuid, int id,
                      int phase, const GPtrArray *params)
{
    vgmDriverEmitEventAll(drv, VGM_EVENT_ID_GRAPHICS, name, uuid, id, phase, 0, NULL, NULL, 0,
                          params);
}

void
vgmDriverEmitIOError(VgmDriver *drv, const char *name, const unsigned char *uuid, int id,
                     const char *path, const char *alias, int action, const char *reason)
{
    g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);

    vgmTypedParamAdd(params, "reason", VGM_TYPED_PARAM_STRING)->v.s = g_strdup(reason);
    vgmDriverEmitEventAll(drv, VGM_EVENT_ID_IO_ERROR, name, uuid, id, action, 0, path, alias, 0,
                          NULL);
    vgmDriverEmitEventAll(drv, VGM_EVENT_ID_IO_ERROR_REASON, name, uuid, id, action, 0, path, alias,
                          0, params);
}

void
vgmDriverEmitObjectEvent(VgmDriver *drv, VgmEventObject kind, int eventID, const char *name,
                         const unsigned char *uuid, int usageType, int event, int detail)
{
    static const unsigned char none[16];
    VgmEventDomain obj = { .name = (char *)name, .id = kind == VGM_EVENT_OBJECT_SECRET ? usageType : -1 };
    guint i;

    if (!uuid)
        uuid = none;
    memcpy(obj.uuid, uuid, 16);
    g_mutex_lock(&drv->eventLock);
    for (i = 0; i < drv->callbacks->len; i++) {
        VgmDriverCallback *cb = g_ptr_array_index(drv->callbacks, i);

        if (cb->kind != kind || cb->eventID != eventID)
            continue;
        if (!cb->anyDomain && (cb->name ? g_strcmp0(cb->name, name) != 0
                                        : memcmp(cb->uuid, uuid, 16) != 0))
            continue;
        cb->func(cb->id, cb->eventID, &obj, event, detail, NULL, NULL, 0, NULL, cb->opaque);
    }
    g_mutex_unlock(&drv->eventLock);
}

/* libvirt's TUNABLE (id 17) of running domain @name: @params
 * (VgmTypedParam), the controls a live change set */
static void
vgmDriverEmitTunable(VgmDriver *drv, const char *name, const GPtrArray *params)
{
    g_autoptr(VgmDriverDomain) dom = vgmDriverDomainLookupByName(drv->store, name,
                                                                 VGM_DRIVER_LOOKUP_BRIEF, NULL);

    if (!dom || params->len == 0)
        return;
    vgmDriverEmitEventAll(drv, VGM_EVENT_ID_TUNABLE, dom->name, dom->uuid, dom->id, 0, 0, NULL,
                          NULL, 0, params);
}

static void
vgmDriverEmitDomain(VgmDriver *drv, const VgmDriverDomain *dom, int event, int detail)
{
    vgmDriverEmitEvent(drv, dom->name, dom->uuid, dom->id, event, detail);
}

/* libvirt's DEVICE_ADDED (id 19: device @alias was plugged into domain
 * @name) or DEVICE_REMOVED (id 15: its guest let device @alias go, and
 * its removal is over) */
static void
vgmDriverEmitDeviceEvent(VgmDriver *drv, const char *name, int eventID, const char *alias)
{
    g_autoptr(VgmDriverDomain) dom = vgmDriverDomainLookupByName(drv->store, name,
                                                                 VGM_DRIVER_LOOKUP_BRIEF, NULL);

    if (dom)
        vgmDriverEmitEventID(drv, eventID, dom->name, dom->uuid, dom->id, 0, 0, alias, NULL, 0);
}

gboolean
vgmDriverHasListeners(VgmDriver *drv)
{
    gboolean any = FALSE;
    guint i;

    g_mutex_lock(&drv->eventLock);
    for (i = 0; i < drv->callbacks->len && !any; i++)
        any = ((VgmDriverCallback *)g_ptr_array_index(drv->callbacks, i))->kind ==
              VGM_EVENT_OBJECT_DOMAIN;
    g_mutex_unlock(&drv->eventLock);
    return any;
}

/* Each kind of object's event ids (libvirt 9.0's), and the error for
 * another */
static const struct {
    int last;
    const char *unknown;
} vgmDriverEventKinds[VGM_EVENT_OBJECT_LAST] = {
    [VGM_EVENT_OBJECT_DOMAIN] = { VGM_EVENT_ID_LAST, N_("unsupported event ID %1$d") },
    [VGM_EVENT_OBJECT_NETWORK] = { VGM_NETWORK_EVENT_ID_LAST,
                                   N_("unsupported network event ID %1$d") },
    [VGM_EVENT_OBJECT_STORAGE_POOL] = { VGM_STORAGE_POOL_EVENT_ID_LAST,
                                        N_("unsupported storage pool event ID %1$d") },
    [VGM_EVENT_OBJECT_SECRET] = { VGM_SECRET_EVENT_ID_LAST,
                                  N_("unsupported secret event ID %1$d") },
    [VGM_EVENT_OBJECT_NODE_DEVICE] = { VGM_NODE_DEVICE_EVENT_ID_LAST,
                                       N_("unsupported node device event ID %1$d") },
};

int
vgmDriverObjectEventRegister(VgmDriver *drv, VgmEventObject kind, int eventID,
                             const unsigned char *uuid, const char *name, VgmEventFunc func,
                             gpointer opaque, GDestroyNotify freeOpaque, GError **error)
{
    VgmDriverCallback *cb;
    int id;

    if (eventID < 0 || eventID >= vgmDriverEventKinds[kind].last) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _(vgmDriverEventKinds[kind].unknown), eventID);
        return -1;
    }
    /* the host's devices are watched from the first listener on */
    if (kind == VGM_EVENT_OBJECT_NODE_DEVICE) {
        g_autoptr(GError) err = NULL;

        g_mutex_lock(&drv->nodeDevLock);
        if (!drv->nodeDevMonitor &&
            !(drv->nodeDevMonitor = vgmDriverNodeDevMonitorNew(drv, &err)))
            g_warning(_("node device events will not be raised: %1$s"), err->message);
        g_mutex_unlock(&drv->nodeDevLock);
    }
    cb = g_new0(VgmDriverCallback, 1);
    cb->kind = kind;
    cb->eventID = eventID;
    cb->anyDomain = uuid == NULL && name == NULL;
    if (uuid)
        memcpy(cb->uuid, uuid, 16);
    cb->name = g_strdup(name);
    cb->func = func;
    cb->opaque = opaque;
    cb->freeOpaque = freeOpaque;
    id = cb->id = g_atomic_int_add(&vgmDriverNextCallbackID, 1);
    g_mutex_lock(&drv->eventLock);
    g_ptr_array_add(drv->callbacks, cb);
    g_mutex_unlock(&drv->eventLock);
    return id;
}

gboolean
vgmDriverObjectEventDeregister(VgmDriver *drv, VgmEventObject kind, int callbackID,
                               GError **error)
{
    guint i;

    g_mutex_lock(&drv->eventLock);
    for (i = 0; i < drv->callbacks->len; i++) {
        VgmDriverCallback *cb = g_ptr_array_index(drv->callbacks, i);

        if (cb->id == callbackID && cb->kind == kind) {
            g_ptr_array_remove_index(drv->callbacks, i);
            g_mutex_unlock(&drv->eventLock);
            return TRUE;
        }
    }
    g_mutex_unlock(&drv->eventLock);
    vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                _("could not find event callback %1$d for deregistration"), callbackID);
    return FALSE;
}

int
vgmDriverEventRegister(VgmDriver *drv, int eventID, const unsigned char *uuid,
                       VgmEventFunc func, gpointer opaque,
                       GDestroyNotify freeOpaque, GError **error)
{
    return vgmDriverObjectEventRegister(drv, VGM_EVENT_OBJECT_DOMAIN, eventID, uuid, NULL, func,
                                        opaque, freeOpaque, error);
}

gboolean
vgmDriverEventDeregister(VgmDriver *drv, int callbackID, GError **error)
{
    return vgmDriverObjectEventDeregister(drv, VGM_EVENT_OBJECT_DOMAIN, callbackID, error);
}

/* ---- flags ---- */

gboolean
vgmDriverCheckFlags(unsigned int flags, unsigned int supported, GError **error)
{
    if (flags & ~supported) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("unsupported flags (0x%1$x)"),
                    flags & ~supported);
        return FALSE;
    }
    return TRUE;
}

/* ---- listing and lookups ---- */

/* Whether @dom passes libvirt's list filter @flags: in each group of
 * flags, none set means any, else the domain must match one of them. */
static gboolean
vgmDriverListMatch(VgmDriver *drv, const VgmDriverDomain *dom, unsigned int flags)
{
    gboolean active = vgmDriverDomainIsActive(dom);
    unsigned int st;

    if ((flags & (VGM_LIST_DOMAINS_ACTIVE | VGM_LIST_DOMAINS_INACTIVE)) &&
        !((flags & VGM_LIST_DOMAINS_ACTIVE && active) ||
          (flags & VGM_LIST_DOMAINS_INACTIVE && !active)))
        return FALSE;
    if ((flags & (VGM_LIST_DOMAINS_PERSISTENT | VGM_LIST_DOMAINS_TRANSIENT)) &&
        !((flags & VGM_LIST_DOMAINS_PERSISTENT && dom->persistent) ||
          (flags & VGM_LIST_DOMAINS_TRANSIENT && !dom->persistent)))
        return FALSE;
    st = flags & (VGM_LIST_DOMAINS_RUNNING | VGM_LIST_DOMAINS_PAUSED |
                  VGM_LIST_DOMAINS_SHUTOFF | VGM_LIST_DOMAINS_OTHER);
    if (st) {
        gboolean ok;

        switch (dom->state) {
        case VGM_DOMAIN_STATE_RUNNING:
            ok = st & VGM_LIST_DOMAINS_RUNNING;
            break;
        case VGM_DOMAIN_STATE_PAUSED:
            ok = st & VGM_LIST_DOMAINS_PAUSED;
            break;
        case VGM_DOMAIN_STATE_SHUTOFF:
            ok = st & VGM_LIST_DOMAINS_SHUTOFF;
            break;
        default:
            ok = st & VGM_LIST_DOMAINS_OTHER;
            break;
        }
        if (!ok)
            return FALSE;
    }
    if (flags & (VGM_LIST_DOMAINS_AUTOSTART | VGM_LIST_DOMAINS_NO_AUTOSTART)) {
        gboolean autostart = vgmDriverGetAutostart(drv, dom);

        if (!((flags & VGM_LIST_DOMAINS_AUTOSTART && autostart) ||
              (flags & VGM_LIST_DOMAINS_NO_AUTOSTART && !autostart)))
            return FALSE;
    }
    if (flags & (VGM_LIST_DOMAINS_MANAGEDSAVE | VGM_LIST_DOMAINS_NO_MANAGEDSAVE)) {
        gboolean saved = vgmDriverSaveHasManaged(drv->store, dom->name);

        if (!((flags & VGM_LIST_DOMAINS_MANAGEDSAVE && saved) ||
              (flags & VGM_LIST_DOMAINS_NO_MANAGEDSAVE && !saved)))
            return FALSE;
    }
    if (flags & (VGM_LIST_DOMAINS_HAS_SNAPSHOT | VGM_LIST_DOMAINS_NO_SNAPSHOT)) {
        gboolean has = vgmDriverSnapshotCount(drv->store, dom->name) > 0;

        if (!((flags & VGM_LIST_DOMAINS_HAS_SNAPSHOT && has) ||
              (flags & VGM_LIST_DOMAINS_NO_SNAPSHOT && !has)))
            return FALSE;
    }
    /* never a checkpoint */
    if ((flags & VGM_LIST_DOMAINS_HAS_CHECKPOINT) && !(flags & VGM_LIST_DOMAINS_NO_CHECKPOINT))
        return FALSE;
    return TRUE;
}

GPtrArray *
vgmDriverListDomainsFlags(VgmDriver *drv, unsigned int flags, unsigned int what,
                          GError **error)
{
    GPtrArray *all = NULL;

    if (!vgmDriverCheckFlags(flags, VGM_LIST_DOMAINS_ALL_FLAGS, error) ||
        !(all = vgmDriverDomainListAll(drv->store, what, error)))
        return NULL;
    vgmDriverFilterDomains(drv, all, flags);
    return all;
}

void
vgmDriverFilterDomains(VgmDriver *drv, GPtrArray *doms, unsigned int flags)
{
    guint i, n;

    if (!flags)
        return;
    /* keep the order, drop what does not match */
    for (i = 0, n = 0; i < doms->len; i++) {
        VgmDriverDomain *dom = g_ptr_array_index(doms, i);

        if (vgmDriverListMatch(drv, dom, flags))
            doms->pdata[n++] = dom;
        else
            vgmDriverDomainFree(dom);
    }
    doms->len = n;
}

GPtrArray *
vgmDriverListDomains(VgmDriver *drv, unsigned int flags, GError **error)
{
    return vgmDriverListDomainsFlags(drv, flags, VGM_DRIVER_LOOKUP_FULL, error);
}

int
vgmDriverNumOfDomains(VgmDriver *drv, gboolean active, GError **error)
{
    g_autoptr(GPtrArray) doms = NULL;

    if (!(doms = vgmDriverListDomainsFlags(drv, active ? VGM_LIST_DOMAINS_ACTIVE :
                                                         VGM_LIST_DOMAINS_INACTIVE,
                                           VGM_DRIVER_LOOKUP_BRIEF, error)))
        return -1;
    return doms->len;
}

VgmDriverDomain *
vgmDriverLookupByNameFlags(VgmDriver *drv, const char *name, unsigned int what,
                           GError **error)
{
    return vgmDriverDomainLookupByName(drv->store, name, what, error);
}

VgmDriverDomain *
vgmDriverLookupRunning(VgmDriver *drv, const char *name, unsigned int what, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!(dom = vgmDriverDomainLookupByName(drv->store, name, what, error)))
        return NULL;
    if (!vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("domain '%1$s' is not running"),
                    dom->name);
        return NULL;
    }
    return g_steal_pointer(&dom);
}

VgmDriverDomain *
vgmDriverLookupByUUIDFlags(VgmDriver *drv, const unsigned char *uuid, unsigned int what,
                           GError **error)
{
    return vgmDriverDomainLookupByUUID(drv->store, uuid, what, error);
}

VgmDriverDomain *
vgmDriverLookupByName(VgmDriver *drv, const char *name, GError **error)
{
    return vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_FULL, error);
}

VgmDriverDomain *
vgmDriverLookupByUUID(VgmDriver *drv, const unsigned char *uuid, GError **error)
{
    return vgmDriverDomainLookupByUUID(drv->store, uuid, VGM_DRIVER_LOOKUP_FULL, error);
}

VgmDriverDomain *
vgmDriverLookupByID(VgmDriver *drv, int id, GError **error)
{
    return vgmDriverDomainLookupByID(drv->store, id, error);
}

VgmDriverDomain *
vgmDriverLookup(VgmDriver *drv, const char *ref, GError **error)
{
    return vgmDriverDomainLookup(drv->store, ref, error);
}

/* ---- changes ---- */

VgmDriverDomain *
vgmDriverDefineXML(VgmDriver *drv, const char *xml, const char *file, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    gboolean existed = FALSE;

    if (!(def = vgmDriverDomainDefineXML(drv->store, file, xml, &existed, error)))
        return NULL;
    vgmDriverEmitEvent(drv, def->name, def->uuid, -1, VGM_EVENT_DEFINED,
                  existed ? VGM_EVENT_DEFINED_UPDATED : VGM_EVENT_DEFINED_ADDED);
    return vgmDriverDomainLookupByName(drv->store, def->name, VGM_DRIVER_LOOKUP_BRIEF, error);
}

gboolean
vgmDriverUndefine(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    GMutex *m;
    gboolean ok;

    if (!vgmDriverCheckFlags(flags, VGM_UNDEFINE_FLAGS_OK, error))
        return FALSE;
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    ok = (dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, error)) &&
         vgmDriverDomainUndefine(drv->store, name, flags, NULL, error);
    g_mutex_unlock(m);
    /* a domain gone takes its completed job with it (a running one stays,
     * transient) */
    if (ok && !vgmDriverDomainIsActive(dom)) {
        g_mutex_lock(&drv->jobsLock);
        g_hash_table_remove(drv->completed, name);
        g_mutex_unlock(&drv->jobsLock);
    }
    if (ok)
        vgmDriverEmitDomain(drv, dom, VGM_EVENT_UNDEFINED, VGM_EVENT_UNDEFINED_REMOVED);
    return ok;
}

gboolean
vgmDriverRename(VgmDriver *drv, const char *name, const char *newName, unsigned int flags,
                GError **error)
{
    unsigned char uuid[16];
    GMutex *m;
    gboolean ok;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    ok = vgmDriverDomainRename(drv->store, name, newName, uuid, error);
    g_mutex_unlock(m);
    if (!ok)
        return FALSE;
    /* its completed job goes with it */
    {
        gpointer key, kept;

        g_mutex_lock(&drv->jobsLock);
        if (g_hash_table_steal_extended(drv->completed, name, &key, &kept)) {
            g_free(key);
            g_hash_table_replace(drv->completed, g_strdup(newName), kept);
        }
        g_mutex_unlock(&drv->jobsLock);
    }
    vgmDriverEmitEvent(drv, name, uuid, -1, VGM_EVENT_UNDEFINED, VGM_EVENT_UNDEFINED_RENAMED);
    vgmDriverEmitEvent(drv, newName, uuid, -1, VGM_EVENT_DEFINED, VGM_EVENT_DEFINED_RENAMED);
    return TRUE;
}

/* Domain @name runs a new QEMU: the call that started it returns once
 * the watcher reads that QEMU's events, as libvirt's start returns with
 * the monitor open, so that a client's first look (a display client
 * connecting, a guest agent) is not missed. A watcher that is slow to
 * connect delays the call by VGM_DRIVER_WATCH_AWAIT_MS at most. */
static void
vgmDriverWatchNewRun(VgmDriver *drv, const char *name)
{
    g_autoptr(VgmDriverStatus) st = NULL;

    if (!drv->watch)
        return;
    st = vgmDriverStoreLoadStatus(drv->store, name, NULL);
    if (!st || st->state != VGM_DRIVER_STATUS_RUNNING || st->update)
        vgmDriverWatchPoke(drv->watch);
    else
        vgmDriverWatchAwait(drv->watch, name, &st->qemu, VGM_DRIVER_WATCH_AWAIT_MS);
}

/* libvirtd's order: a running start says RESUMED, then STARTED; a paused
 * one STARTED, then SUSPENDED. */
static void
vgmDriverEmitStarted(VgmDriver *drv, const VgmDriverDomain *dom, unsigned int flags)
{
    /* the watcher first, so that a client that acts on the events (a
     * console opened at STARTED) finds QEMU's events read */
    vgmDriverWatchNewRun(drv, dom->name);
    /* as libvirtd, which reads the agent's port closed once QEMU answers */
    if (dom->agentChannel)
        vgmDriverEmitEventID(drv, VGM_EVENT_ID_AGENT_LIFECYCLE, dom->name, dom->uuid, dom->id,
                             VGM_EVENT_AGENT_DISCONNECTED, VGM_EVENT_AGENT_REASON_STARTED,
                             NULL, NULL, 0);
    /* the sources the start dropped first, as libvirt queues them while
     * it prepares the start */
    for (guint i = 0; dom->diskDrops && i < dom->diskDrops->len; i++) {
        const VgmDriverDiskDrop *drop = g_ptr_array_index(dom->diskDrops, i);

        vgmDriverEmitEventID(drv, VGM_EVENT_ID_DISK_CHANGE, dom->name, dom->uuid, dom->id,
                             drop->removed ? VGM_EVENT_DISK_DROP_MISSING_ON_START :
                                             VGM_EVENT_DISK_CHANGE_MISSING_ON_START,
                             0, drop->alias, drop->src, 0);
    }
    if (dom->restored != VGM_DRIVER_BOOTED) {
        /* libvirtd's order for a restore: STARTED, then what it is left */
        vgmDriverEmitDomain(drv, dom, VGM_EVENT_STARTED, VGM_EVENT_STARTED_RESTORED);
        if (dom->state == VGM_DOMAIN_STATE_RUNNING)
            vgmDriverEmitDomain(drv, dom, VGM_EVENT_RESUMED, VGM_EVENT_RESUMED_FROM_SNAPSHOT);
        else
            vgmDriverEmitDomain(drv, dom, VGM_EVENT_SUSPENDED,
                                dom->restored == VGM_DRIVER_RESTORED_PAUSED ?
                                VGM_EVENT_SUSPENDED_PAUSED : VGM_EVENT_SUSPENDED_RESTORED);
        return;
    }
    if (!(flags & VGM_CREATE_START_PAUSED))
        vgmDriverEmitDomain(drv, dom, VGM_EVENT_RESUMED, VGM_EVENT_RESUMED_UNPAUSED);
    vgmDriverEmitDomain(drv, dom, VGM_EVENT_STARTED, VGM_EVENT_STARTED_BOOTED);
    if (flags & VGM_CREATE_START_PAUSED)
        vgmDriverEmitDomain(drv, dom, VGM_EVENT_SUSPENDED, VGM_EVENT_SUSPENDED_PAUSED);
}

/* The character device @devName of @def names (see vgmDriverConsolePty):
 * by its alias, looked for as libvirt looks (consoles, serial ports,
 * parallel ports), or without a name the first console or serial port;
 * and its QEMU chardev id ("char" and the alias), or NULL */
static const VgmChrDef *
vgmDriverFindConsole(const VgmDomainDef *def, const char *devName, char **chardev)
{
    const VgmDevicesDef *devs = &def->devices;
    const struct {
        GPtrArray *list;
        int which;              /* VgmQemuAliasList; -1: consoles */
    } kinds[] = {
        { devs->consoles, -1 },
        { devs->serials, VGM_QEMU_ALIAS_SERIAL },
        { devs->parallels, VGM_QEMU_ALIAS_PARALLEL },
    };
    size_t k;
    guint i;

    for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
        for (i = 0; i < kinds[k].list->len; i++) {
            const VgmChrDef *chr = g_ptr_array_index(kinds[k].list, i);
            g_autofree char *id = kinds[k].which >= 0 ? vgmQemuListDeviceId(def, kinds[k].which, i)
                                                      : vgmQemuConsoleId(def, i);

            if (devName ? !g_str_equal(id, devName) : k > 1)
                continue;
            *chardev = g_strdup_printf("char%s", id);
            return chr;
        }
    }
    return NULL;
}

char *
vgmDriverChannelSocket(VgmDriver *drv, const char *name, const char *chanName, char **alias,
                       GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    const VgmChrDef *chr = NULL;
    g_autofree char *id = NULL;
    guint i;

    if (!(dom = vgmDriverLookupRunning(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return NULL;
    for (i = 0; i < dom->def->devices.channels->len && !chr; i++) {
        const VgmChrDef *c = g_ptr_array_index(dom->def->devices.channels, i);
        g_autofree char *cid = vgmQemuListDeviceId(dom->def, VGM_QEMU_ALIAS_CHANNEL, i);

        /* (no name: the first channel, as libvirt opens it) */
        if (!chanName || g_strcmp0(chanName, cid) == 0 || g_strcmp0(chanName, c->targetName) == 0) {
            chr = c;
            id = g_steal_pointer(&cid);
        }
    }
    if (!chr) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("domain '%1$s' has no channel '%2$s'"), name,
                    chanName ? chanName : "");
        return NULL;
    }
    /* (as libvirtd 9.0: a unix socket only, a pty channel too refused) */
    if (chr->type != VGM_CHR_TYPE_UNIX) {
        vgmErrorSet(error, VGM_ERR_INTERNAL,
                    _("channel '%1$s' of domain '%2$s' is not a unix socket (it is of type '%3$s'), which is what a channel stream opens"),
                    chanName ? chanName : id, name, vgmChrTypeToString(chr->type));
        return NULL;
    }
    if (alias)
        *alias = g_strdup(id);
    return g_strdup(chr->path);
}

char *
vgmDriverConsolePty(VgmDriver *drv, const char *name, const char *devName,
                    char **alias, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(VgmQemuMonitor) mon = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autofree char *id = NULL;
    const VgmChrDef *chr;
    JsonArray *arr;
    guint i;

    if (!(dom = vgmDriverLookupRunning(drv, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return NULL;
    if (!(chr = vgmDriverFindConsole(dom->def, devName, &id))) {
        vgmErrorSet(error, VGM_ERR_INTERNAL, _("domain '%1$s' has no character device '%2$s'"),
                    name, devName ? devName : _("console0 or serial0"));
        return NULL;
    }
    if (chr->type != VGM_CHR_TYPE_PTY) {
        vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                    _("character device '%1$s' of domain '%2$s' is not a pty (it is of type '%3$s')"),
                    devName ? devName : id, name, vgmChrTypeToString(chr->type));
        return NULL;
    }
    if (!(mon = vgmDriverProcessConnect(dom->status, VGM_DRIVER_QUERY_TIMEOUT_MS, error)) ||
        !vgmQemuMonitorCommand(mon, "query-chardev", NULL, &ret, error))
        return NULL;
    arr = JSON_NODE_HOLDS_ARRAY(ret) ? json_node_get_array(ret) : NULL;
    for (i = 0; arr && i < json_array_get_length(arr); i++) {
        JsonObject *c = json_array_get_object_element(arr, i);
        const char *file = c ? json_object_get_string_member_with_default(c, "filename", "") : "";

        if (c && g_strcmp0(json_object_get_string_member_with_default(c, "label", NULL), id) == 0 &&
            g_str_has_prefix(file, "pty:")) {
            if (alias)
                *alias = g_strdup(id);
            return g_strdup(file + strlen("pty:"));
        }
    }
    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                _("QEMU of domain '%1$s' reports no pty for character device '%2$s'"), name, id);
    return NULL;
}

void
vgmDriverWatchEvents(VgmDriver *drv)
{
    if (!drv->watch)
        drv->watch = vgmDriverWatchNew(drv);
}

VgmDriverDomain *
vgmDriverLookupForWatch(VgmDriver *drv, const char *name, GError **error)
{
    GMutex *m = vgmDriverDomainMutex(drv, name);
    g_autoptr(VgmDriverLock) lock = NULL;
    VgmDriverDomain *dom;

    g_mutex_lock(m);
    /* another process (virt-gmem destroy) may be half-way through a stop:
     * wait for it to finish, so that the look sees its outcome */
    lock = vgmDriverStoreLockDomain(drv->store, name, VGM_DRIVER_LOCK_TIMEOUT_MS, NULL);
    g_clear_pointer(&lock, vgmDriverLockRelease);
    dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_FULL, error);
    g_mutex_unlock(m);
    return dom;
}

/* For the watcher: @change applied to the live definition of domain
 * @name, run by the QEMU of pid @pid, and kept in its status when it
 * changed something (it returns TRUE then). An event of a QEMU that no
 * longer runs the domain, or of a domain gone meanwhile, changes
 * nothing. */
static gboolean
vgmDriverWatchChangeLiveIn(VgmDriver *drv, const char *name, pid_t pid,
                           gboolean (*change)(VgmDomainDef *def, gconstpointer data),
                           gconstpointer data, gboolean config, GError **error)
{
    GMutex *m = vgmDriverDomainMutex(drv, name);
    g_autoptr(VgmDriverLock) lock = NULL;
    g_autoptr(VgmDriverStatus) status = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    gboolean ok = FALSE;

    g_mutex_lock(m);
    if (!(lock = vgmDriverStoreLockDomain(drv->store, name, VGM_DRIVER_LOCK_TIMEOUT_MS, error)))
        goto out;
    if (!(status = vgmDriverStoreLoadStatus(drv->store, name, error))) {
        ok = error && !*error;
        goto out;
    }
    if (status->qemu.pid != pid) {
        ok = TRUE;
        goto out;
    }
    if (!(def = vgmDomainDefParseString(status->xml, status->log,
                                        VGM_DOMAIN_PARSE_SKIP_VALIDATE | VGM_DOMAIN_PARSE_LIVE,
                                        error)))
        goto out;
    if (!change(def, data)) {
        ok = TRUE;
        goto out;
    }
    /* (an image the change put below a disk gets its number) */
    vgmDriverDiskIndexesAssign(def);
    g_free(status->xml);
    status->xml = vgmDriverDomainLiveXML(def, status->machine, NULL, NULL, NULL, NULL);
    /* the config first: what QEMU already does (a pivot, a layer merged
     * away) is what the next boot must read, were the daemon to die
     * between the two writes */
    if (config && vgmDriverStoreHasConfig(drv->store, name)) {
        g_autoptr(VgmDomainDef) cfg = vgmDriverStoreLoadConfig(drv->store, name, error);

        if (!cfg)
            goto out;
        if (change(cfg, data) && !vgmDriverStoreSaveConfig(drv->store, cfg, error))
            goto out;
    }
    if (!vgmDriverStoreSaveStatus(drv->store, status, error))
        goto out;
    ok = TRUE;
 out:
    g_mutex_unlock(m);
    return ok;
}

static gboolean
vgmDriverWatchChangeLive(VgmDriver *drv, const char *name, pid_t pid,
                         gboolean (*change)(VgmDomainDef *def, gconstpointer data),
                         gconstpointer data, GError **error)
{
    return vgmDriverWatchChangeLiveIn(drv, name, pid, change, data, FALSE, error);
}

gboolean
vgmDriverChangeLive(VgmDriver *drv, const char *name, pid_t pid,
                    gboolean (*change)(VgmDomainDef *def, gconstpointer data),
                    gconstpointer data, GError **error)
{
    return vgmDriverWatchChangeLive(drv, name, pid, change, data, error);
}

gboolean
vgmDriverChangeLiveConfig(VgmDriver *drv, const char *name, pid_t pid,
                          gboolean (*change)(VgmDomainDef *def, gconstpointer data),
                          gconstpointer data, GError **error)
{
    return vgmDriverWatchChangeLiveIn(drv, name, pid, change, data, TRUE, error);
}

typedef struct {
    const char *devId;
    gboolean open;
} VgmDriverTrayMove;

static gboolean
vgmDriverTrayMove(VgmDomainDef *def, gconstpointer data)
{
    const VgmDriverTrayMove *t = data;
    guint i;

    for (i = 0; i < def->devices.disks->len; i++) {
        VgmDiskDef *disk = g_ptr_array_index(def->devices.disks, i);
        g_autofree char *id = NULL;

        /* a USB disk has no tray */
        if (disk->device == VGM_DISK_DEVICE_DISK || disk->bus == VGM_DISK_BUS_USB)
            continue;
        id = vgmQemuDiskDeviceId(def, disk);
        if (g_str_equal(id, t->devId)) {
            disk->trayOpen = t->open;
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
vgmDriverTrayMoved(VgmDriver *drv, const char *name, pid_t pid, const char *devId, gboolean open,
                   GError **error)
{
    VgmDriverTrayMove t = { devId, open };

    return vgmDriverWatchChangeLive(drv, name, pid, vgmDriverTrayMove, &t, error);
}

typedef struct {
    const char *devId;
    gboolean open;
    gboolean *agent;
} VgmDriverPortChange;

/* the virtio channel QEMU knows by @devId: its state, and whether it is
 * the guest agent's */
static gboolean
vgmDriverPortChange(VgmDomainDef *def, gconstpointer data)
{
    const VgmDriverPortChange *c = data;
    guint i;

    for (i = 0; i < def->devices.channels->len; i++) {
        VgmChrDef *chr = g_ptr_array_index(def->devices.channels, i);
        g_autofree char *id = vgmQemuListDeviceId(def, VGM_QEMU_ALIAS_CHANNEL, i);

        if (!g_str_equal(id, c->devId) || chr->fwdAddress)
            continue;
        *c->agent = g_strcmp0(chr->targetName, VGM_GUEST_AGENT_PORT) == 0;
        chr->state = c->open ? VGM_CHR_STATE_CONNECTED : VGM_CHR_STATE_DISCONNECTED;
        return TRUE;
    }
    return FALSE;
}

gboolean
vgmDriverPortChanged(VgmDriver *drv, const char *name, pid_t pid, const char *devId,
                     gboolean open, gboolean *agent, GError **error)
{
    VgmDriverPortChange c = { devId, open, agent };

    *agent = FALSE;
    return vgmDriverWatchChangeLive(drv, name, pid, vgmDriverPortChange, &c, error);
}

/* The guest's memory as libvirt counts it: the balloon's @actual KiB and
 * what its virtio-mem devices plugged (which QEMU's balloon leaves out) */
static gboolean
vgmDriverBalloonMove(VgmDomainDef *def, gconstpointer data)
{
    unsigned long long kib = *(const unsigned long long *)data;
    guint i;

    for (i = 0; i < def->devices.mems->len; i++) {
        const VgmMemoryDef *mem = g_ptr_array_index(def->devices.mems, i);

        if (mem->model == VGM_MEMORY_MODEL_VIRTIO_MEM)
            kib += mem->current;
    }
    kib = MIN(kib, def->memory);
    if (kib == def->curMemory)
        return FALSE;
    def->curMemory = kib;
    return TRUE;
}

gboolean
vgmDriverBalloonChanged(VgmDriver *drv, const char *name, pid_t pid, unsigned long long kib,
                        GError **error)
{
    return vgmDriverWatchChangeLive(drv, name, pid, vgmDriverBalloonMove, &kib, error);
}

typedef struct {
    const char *devId;          /* QEMU's id of the device */
    unsigned long long kib;     /* what the guest plugged now */
    gboolean *found;            /* out: the domain has the device */
} VgmDriverMemoryDeviceSize;

/* A virtio-mem device's <current> after its guest plugged or unplugged
 * memory, and the live <currentMemory> with it (as libvirt: the balloon's
 * share stays, the device's share moves) */
static gboolean
vgmDriverMemoryDeviceResize(VgmDomainDef *def, gconstpointer data)
{
    const VgmDriverMemoryDeviceSize *c = data;
    g_auto(GStrv) aliases = vgmQemuMemoryDeviceAliases(def);
    VgmMemoryDef *mem = NULL;
    guint i;

    for (i = 0; i < def->devices.mems->len && !mem; i++) {
        if (g_str_equal(aliases[i], c->devId))
            mem = g_ptr_array_index(def->devices.mems, i);
    }
    if (!mem || mem->model != VGM_MEMORY_MODEL_VIRTIO_MEM)
        return FALSE;
    *c->found = TRUE;
    if (mem->haveCurrent && mem->current == c->kib)
        return FALSE;
    def->curMemory = MIN(def->curMemory - MIN(def->curMemory, mem->current) + c->kib,
                         def->memory);
    mem->haveCurrent = TRUE;
    mem->current = c->kib;
    return TRUE;
}

void
vgmDriverMemoryDeviceSizeChanged(VgmDriver *drv, const char *name, const unsigned char *uuid,
                                 int id, pid_t pid, const char *devId, unsigned long long kib,
                                 gboolean raise)
{
    gboolean found = FALSE;
    VgmDriverMemoryDeviceSize c = { devId, kib, &found };
    g_autoptr(GError) err = NULL;

    if (!vgmDriverWatchChangeLive(drv, name, pid, vgmDriverMemoryDeviceResize, &c, &err))
        g_warning(_("domain '%1$s': the guest's memory device '%2$s' holds %3$llu KiB now, but its live XML cannot say so: %4$s"),
                  name, devId, kib, err ? err->message : "?");
    /* as libvirt: only for a device the domain has */
    if (raise && found)
        vgmDriverEmitEventID(drv, VGM_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE, name, uuid, id, 0, 0,
                             devId, NULL, kib);
}

/* The live XML's variable clock after the guest set it: @data's seconds
 * from UTC, as libvirt keeps them (a save image's XML starts the guest's
 * clock there) */
static gboolean
vgmDriverClockSet(VgmDomainDef *def, gconstpointer data)
{
    if (def->clock.offset != VGM_CLOCK_OFFSET_VARIABLE)
        return FALSE;
    def->clock.adjustment = *(const long long *)data;
    g_free(def->clock.basis);
    def->clock.basis = g_strdup("utc");
    return TRUE;
}

void
vgmDriverRtcChangeEvent(VgmDriver *drv, const char *name, pid_t pid, long long offset)
{
    g_autoptr(VgmDriverDomain) dom = vgmDriverLookupByNameFlags(drv, name, VGM_DRIVER_LOOKUP_FULL,
                                                                NULL);
    g_autoptr(GError) err = NULL;

    if (!dom || !dom->def || !dom->status || dom->status->qemu.pid != pid)
        return;
    /* QEMU counts from its -rtc base, which for a variable clock is the
     * host's time plus the adjustment the domain started with: libvirt's
     * offset from UTC adds that adjustment, and the live XML keeps it */
    if (dom->def->clock.offset == VGM_CLOCK_OFFSET_VARIABLE && dom->status->hasClockAdjustment0) {
        offset += dom->status->clockAdjustment0;
        if (!vgmDriverWatchChangeLive(drv, name, pid, vgmDriverClockSet, &offset, &err))
            g_warning(_("domain '%1$s': the guest set its clock, but its live XML cannot say so: %2$s"),
                      name, err ? err->message : "?");
    } else if (dom->def->clock.offset == VGM_CLOCK_OFFSET_VARIABLE) {
        /* a QEMU an older virt-gmem started, which kept no start
         * adjustment: the live XML's, which it never changed */
        offset += vgmQemuClockAdjustment(&dom->def->clock);
    }
    vgmDriverEmitEventID(drv, VGM_EVENT_ID_RTC_CHANGE, dom->name, dom->uuid, dom->id, 0, 0, NULL,
                         NULL, (unsigned long long)offset);
}

VgmDriverDomain *
vgmDriverStart(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    VgmDriverDomain *dom;
    GMutex *m;

    if (!vgmDriverCheckFlags(flags, VGM_CREATE_START_PAUSED | VGM_CREATE_FORCE_BOOT |
                                    VGM_CREATE_BYPASS_CACHE | VGM_CREATE_RESET_NVRAM |
                                    VGM_CREATE_AUTODESTROY, error))
        return NULL;
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    dom = vgmDriverDomainStart(drv->store, name,
                               ((flags & VGM_CREATE_START_PAUSED) ? VGM_DRIVER_START_PAUSED : 0) |
                               ((flags & VGM_CREATE_FORCE_BOOT) ? VGM_DRIVER_START_FORCE_BOOT : 0) |
                               ((flags & VGM_CREATE_BYPASS_CACHE) ?
                                VGM_DRIVER_START_BYPASS_CACHE : 0) |
                               ((flags & VGM_CREATE_RESET_NVRAM) ? VGM_DRIVER_START_RESET_NVRAM : 0),
                               error);
    g_mutex_unlock(m);
    if (dom)
        vgmDriverEmitStarted(drv, dom, flags);
    return dom;
}

VgmDriverDomain *
vgmDriverCreateXML(VgmDriver *drv, const char *xml, const char *file,
                   unsigned int flags, GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    VgmDriverDomain *dom;
    GMutex *m;

    if (!vgmDriverCheckFlags(flags, VGM_CREATE_START_PAUSED | VGM_CREATE_VALIDATE |
                                    VGM_CREATE_RESET_NVRAM | VGM_CREATE_AUTODESTROY, error))
        return NULL;
    /* the name first, for the in-process serialisation; the driver parses
     * again under the domain's lock */
    if (!(def = file ? vgmDomainDefParseFile(file, VGM_DOMAIN_PARSE_SKIP_VALIDATE |
                                             VGM_DOMAIN_PARSE_NO_ADDRESSES, error) :
                       vgmDomainDefParseString(xml, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE |
                                               VGM_DOMAIN_PARSE_NO_ADDRESSES, error)))
        return NULL;
    m = vgmDriverDomainMutex(drv, def->name);
    g_mutex_lock(m);
    dom = vgmDriverDomainCreateXML(drv->store, file, xml,
                                   ((flags & VGM_CREATE_START_PAUSED) ? VGM_DRIVER_START_PAUSED : 0) |
                                   ((flags & VGM_CREATE_RESET_NVRAM) ?
                                    VGM_DRIVER_START_RESET_NVRAM : 0),
                                   error);
    g_mutex_unlock(m);
    if (dom)
        vgmDriverEmitStarted(drv, dom, flags);
    return dom;
}

void
vgmDriverAutodestroy(VgmDriver *drv, const char *name, int id)
{
    g_autoptr(VgmDriverDomain) dom = vgmDriverDomainLookupByName(drv->store, name,
                                                                  VGM_DRIVER_LOOKUP_FULL, NULL);
    g_autoptr(GError) err = NULL;

    if (!dom || !dom->status || dom->status->id != id)
        return;
    if (!vgmDriverDestroy(drv, name, 0, &err))
        g_warning(_("domain '%1$s': cannot destroy it as its connection ended (autodestroy): %2$s"),
                  name, err->message);
}

/* Runs @op on domain @name under its mutex; @dom gets the domain as it
 * was just before (for the event). */
static gboolean
vgmDriverChange(VgmDriver *drv, const char *name,
                gboolean (*op)(const VgmDriverStore *, const char *, char **, GError **),
                VgmDriverDomain **dom, GError **error)
{
    GMutex *m = vgmDriverDomainMutex(drv, name);
    gboolean ok;

    g_mutex_lock(m);
    ok = (*dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, error)) &&
         op(drv->store, name, NULL, error);
    g_mutex_unlock(m);
    return ok;
}

gboolean
vgmDriverDestroy(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    g_autoptr(VgmDriverDomain) before = NULL;
    pid_t pid = 0;

    /* GRACEFUL (1): SIGTERM first is what destroy always does */
    if (!vgmDriverCheckFlags(flags, 1, error))
        return FALSE;
    /* this call reports the stop; the watcher, woken by QEMU's exit, must
     * not (it waits for the domain's mutex, so the mark comes first) */
    if (drv->watch &&
        (before = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, NULL)) &&
        before->status && (pid = before->status->qemu.pid) > 0)
        vgmDriverWatchReported(drv->watch, name, pid);
    if (!vgmDriverChange(drv, name, vgmDriverDomainDestroy, &dom, error))
        return FALSE;
    /* QEMU ends on SIGTERM as on a host's power-off request: libvirt
     * reports that shutdown first, then the stop */
    vgmDriverEmitDomain(drv, dom, VGM_EVENT_SHUTDOWN, VGM_EVENT_SHUTDOWN_HOST);
    vgmDriverEmitDomain(drv, dom, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_DESTROYED);
    return TRUE;
}

typedef struct {
    VgmDriver *drv;
    VgmDriverDomain *dom;
} VgmDriverShutdownWatch;

/* Waits for the guest to power off after a shutdown request and raises
 * its events; gives up (silently) when the domain is destroyed or started
 * again by someone else, or after a long while. */
static gpointer
vgmDriverShutdownWatcher(gpointer data)
{
    VgmDriverShutdownWatch *w = data;
    gint64 end = g_get_monotonic_time() + VGM_DRIVER_SHUTDOWN_WATCH_MS * 1000LL;

    while (g_get_monotonic_time() < end) {
        g_autoptr(VgmDriverDomain) now = NULL;
        g_autoptr(GError) err = NULL;

        g_usleep(VGM_DRIVER_SHUTDOWN_POLL_MS * 1000);
        now = vgmDriverDomainLookupByName(w->drv->store, w->dom->name, VGM_DRIVER_LOOKUP_BRIEF,
                                          &err);
        if (now && vgmDriverDomainIsActive(now) && now->id == w->dom->id)
            continue;
        /* stopped: by the guest if the domain reads 'shutdown' or is gone
         * with it (a transient domain) */
        if (!now || g_strcmp0(now->reason, "shutdown") == 0) {
            vgmDriverEmitDomain(w->drv, w->dom, VGM_EVENT_SHUTDOWN, VGM_EVENT_SHUTDOWN_GUEST);
            vgmDriverEmitDomain(w->drv, w->dom, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_SHUTDOWN);
        }
        break;
    }
    vgmDriverDomainFree(w->dom);
    g_free(w);
    return NULL;
}

int
vgmDriverOpenGraphicsFD(VgmDriver *drv, const char *name, unsigned int idx, unsigned int flags,
                        GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_OPEN_GRAPHICS_SKIPAUTH, error))
        return -1;
    return vgmDriverDomainOpenGraphics(drv->store, name, idx,
                                       (flags & VGM_DOMAIN_OPEN_GRAPHICS_SKIPAUTH) != 0, error);
}

/* libvirt's choice between the guest agent and the ACPI power button for
 * a shutdown or reboot (@flags: virDomainShutdownFlagValues, whose
 * ACPI_POWER_BTN and GUEST_AGENT are virDomainRebootFlagValues' too): the
 * agent when it is asked for, or by default when the guest has it
 * connected; ACPI when it is asked for or by default, and after the
 * agent failed unless the agent alone was asked for. *@done: the agent
 * took it. */
static gboolean
vgmDriverShutdownByAgent(VgmDriver *drv, const char *name, unsigned int flags, gboolean reboot,
                         gboolean *done, GError **error)
{
    gboolean agentAsked = (flags & VGM_DOMAIN_REBOOT_GUEST_AGENT) != 0;
    gboolean acpiAsked = (flags & VGM_DOMAIN_REBOOT_ACPI_POWER_BTN) != 0;
    g_autoptr(GError) err = NULL;

    *done = FALSE;
    if (!agentAsked && (flags || !vgmDriverAgentConnected(drv, name)))
        return TRUE;
    if (vgmDriverAgentShutdown(drv, name, reboot, &err)) {
        *done = TRUE;
        return TRUE;
    }
    if (agentAsked && !acpiAsked) {
        g_propagate_error(error, g_steal_pointer(&err));
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverShutdown(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    gboolean byAgent = FALSE;

    /* virDomainShutdownFlagValues: DEFAULT 0, ACPI_POWER_BTN 1 and
     * GUEST_AGENT 2 are what we do; initctl, signal and paravirt are not */
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_REBOOT_ACPI_POWER_BTN |
                                    VGM_DOMAIN_REBOOT_GUEST_AGENT, error) ||
        !vgmDriverShutdownByAgent(drv, name, flags, FALSE, &byAgent, error))
        return FALSE;
    /* the guest powers itself off, as after its own shutdown */
    if (byAgent) {
        /* (a transient domain may be gone already: that is the success) */
        if (!(dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF,
                                                NULL)))
            return TRUE;
    } else if (!vgmDriverChange(drv, name, vgmDriverDomainShutdown, &dom, error)) {
        return FALSE;
    }
    /* the watcher reports the guest's power-off when there is one */
    if (!drv->watch && vgmDriverHasListeners(drv)) {
        VgmDriverShutdownWatch *w = g_new0(VgmDriverShutdownWatch, 1);

        w->drv = drv;
        w->dom = g_steal_pointer(&dom);
        g_thread_unref(g_thread_new("vgm-shutdown", vgmDriverShutdownWatcher, w));
    }
    return TRUE;
}

gboolean
vgmDriverReboot(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    gboolean byAgent = FALSE;

    /* virDomainRebootFlagValues: DEFAULT 0, ACPI_POWER_BTN 1 and
     * GUEST_AGENT 2 are what we do (the default tries a connected agent
     * first, as libvirt's does); initctl, signal and paravirt are not.
     * The lifecycle events are the watcher's: none for a reboot, the
     * REBOOT event at its reset, or the power-off of <on_reboot> destroy */
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_REBOOT_ACPI_POWER_BTN |
                                    VGM_DOMAIN_REBOOT_GUEST_AGENT, error) ||
        !vgmDriverShutdownByAgent(drv, name, flags, TRUE, &byAgent, error))
        return FALSE;
    return byAgent || vgmDriverChange(drv, name, vgmDriverDomainReboot, &dom, error);
}

/* Checks libvirt's save and restore @flags: RUNNING, PAUSED and those in
 * @more */
static gboolean
vgmDriverCheckSaveFlags(unsigned int flags, unsigned int more, GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_SAVE_RUNNING | VGM_SAVE_PAUSED | more, error))
        return FALSE;
    if ((flags & VGM_SAVE_RUNNING) && (flags & VGM_SAVE_PAUSED)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a saved guest cannot be left both running and paused"));
        return FALSE;
    }
    return TRUE;
}

/* Job @job of domain @name (its mutex held), of libvirt's @operation, seen
 * by the job calls (vgmDriverGetJobInfo, vgmDriverAbortJob) until
 * vgmDriverJobEnd */
static void
vgmDriverJobBegin(VgmDriver *drv, const char *name, VgmDriverJob *job, int operation,
                  const char *noAbort)
{
    g_mutex_init(&job->lock);
    job->operation = operation;
    job->noAbort = noAbort;
    job->started = g_get_monotonic_time();
    g_mutex_lock(&drv->jobsLock);
    g_hash_table_replace(drv->jobs, g_strdup(name), job);
    g_mutex_unlock(&drv->jobsLock);
}

static void
vgmDriverJobEnd(VgmDriver *drv, const char *name, VgmDriverJob *job)
{
    g_mutex_lock(&drv->jobsLock);
    g_hash_table_remove(drv->jobs, name);
    g_mutex_unlock(&drv->jobsLock);
    g_clear_pointer(&job->done, json_object_unref);
    g_mutex_clear(&job->lock);
}

/* The statistics of @job, which QEMU completed, as libvirt keeps them for
 * virDomainGetJobStats(COMPLETED) and sends with JOB_COMPLETED: from the
 * last query-migrate (its "ram"), the time since the job began and, when
 * the job paused the guest, the time since then as the downtime */
static GPtrArray *
vgmDriverJobCompletedParams(const VgmDriverJob *job)
{
    static const struct {
        const char *field;
        const char *member;     /* of QEMU's "ram" */
        gboolean always;        /* else only when QEMU says it */
    } ram[] = {
        { "data_total", "total", TRUE },
        { "data_processed", "transferred", TRUE },
        { "data_remaining", "remaining", TRUE },
        { "memory_total", "total", TRUE },
        { "memory_processed", "transferred", TRUE },
        { "memory_remaining", "remaining", TRUE },
        { "memory_constant", "duplicate", FALSE },
        { "memory_normal", "normal", FALSE },
        { "memory_normal_bytes", "normal-bytes", FALSE },
        { "memory_dirty_rate", "dirty-pages-rate", TRUE },
        { "memory_iteration", "dirty-sync-count", TRUE },
        { "memory_postcopy_requests", "postcopy-requests", TRUE },
        { "memory_page_size", "page-size", FALSE },
    };
    GPtrArray *params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    JsonObject *r = job->done && json_object_has_member(job->done, "ram") ?
                    json_object_get_object_member(job->done, "ram") : NULL;
    gint64 now = g_get_monotonic_time();
    double mbps;
    size_t i;

    vgmTypedParamAdd(params, "operation", VGM_TYPED_PARAM_INT)->v.i = job->operation;
    vgmTypedParamAdd(params, "time_elapsed", VGM_TYPED_PARAM_ULLONG)->v.ul =
        (guint64)(now - job->started) / 1000;
    if (job->pausedAt || (job->done && json_object_has_member(job->done, "downtime")))
        vgmTypedParamAdd(params, "downtime", VGM_TYPED_PARAM_ULLONG)->v.ul =
            job->pausedAt ? (guint64)(now - job->pausedAt) / 1000 :
            (guint64)json_object_get_int_member(job->done, "downtime");
    if (job->done && json_object_has_member(job->done, "setup-time"))
        vgmTypedParamAdd(params, "setup_time", VGM_TYPED_PARAM_ULLONG)->v.ul =
            (guint64)json_object_get_int_member(job->done, "setup-time");
    for (i = 0; i < G_N_ELEMENTS(ram); i++) {
        gint64 v = r ? json_object_get_int_member_with_default(r, ram[i].member, -1) : -1;

        if (v < 0 && !ram[i].always)
            continue;
        if (g_str_equal(ram[i].field, "memory_page_size") && v <= 0)
            continue;
        vgmTypedParamAdd(params, ram[i].field, VGM_TYPED_PARAM_ULLONG)->v.ul =
            v < 0 ? 0 : (guint64)v;
        /* (libvirt's memory_bps comes after the remaining memory, when
         * QEMU measured a rate) */
        if (g_str_equal(ram[i].field, "memory_remaining") && r &&
            (mbps = json_object_get_double_member_with_default(r, "mbps", 0)) > 0)
            vgmTypedParamAdd(params, "memory_bps", VGM_TYPED_PARAM_ULLONG)->v.ul =
                (guint64)(mbps * 1000 * 1000 / 8);
    }
    return params;
}

/* Keeps @params (taken) as domain @dom's completed job (unless @gone:
 * the job ended a transient domain, which takes it along) and raises
 * JOB_COMPLETED with them, after a MIGRATION_ITERATION for each of QEMU's
 * passes over the memory (libvirt's follow QEMU's MIGRATION_PASS as it
 * goes; these come once the write is over, in the same order) */
static void
vgmDriverJobCompleted(VgmDriver *drv, const VgmDriverDomain *dom, GPtrArray *params,
                      gboolean gone)
{
    guint64 passes = 0;
    guint i;

    for (i = 0; i < params->len; i++) {
        const VgmTypedParam *p = g_ptr_array_index(params, i);

        if (g_str_equal(p->field, "memory_iteration"))
            passes = p->v.ul;
    }
    for (i = 1; i <= passes && i <= G_MAXINT; i++)
        vgmDriverEmitEventAll(drv, VGM_EVENT_ID_MIGRATION_ITERATION, dom->name, dom->uuid,
                              dom->id, (int)i, 0, NULL, NULL, 0, NULL);
    g_mutex_lock(&drv->jobsLock);
    if (gone)
        g_hash_table_remove(drv->completed, dom->name);
    else
        g_hash_table_replace(drv->completed, g_strdup(dom->name), g_ptr_array_ref(params));
    g_mutex_unlock(&drv->jobsLock);
    vgmDriverEmitEventAll(drv, VGM_EVENT_ID_JOB_COMPLETED, dom->name, dom->uuid, dom->id, 0, 0,
                          NULL, NULL, 0, params);
    g_ptr_array_unref(params);
}

gboolean
vgmDriverSave(VgmDriver *drv, const char *name, const char *path, const char *dxml,
              unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverJob job = { 0 };
    GPtrArray *done = NULL;
    GMutex *m;
    gboolean ok, running = FALSE;

    if (!vgmDriverCheckSaveFlags(flags, VGM_SAVE_BYPASS_CACHE, error))
        return FALSE;
    /* (a guest on its way elsewhere is not saved here: at once while QEMU
     * sends it, and once the domain's mutex is had) */
    if (vgmDriverMigrationBusy(drv, name, error))
        return FALSE;
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    if (vgmDriverMigrationBusy(drv, name, error)) {
        g_mutex_unlock(m);
        return FALSE;
    }
    /* this call reports the stop; the watcher, woken by QEMU's exit, must
     * not (the mark is made under the domain's mutex, before the stop) */
    if ((dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, error)) &&
        drv->watch && dom->status && dom->status->qemu.pid > 0)
        vgmDriverWatchReported(drv->watch, name, dom->status->qemu.pid);
    /* the job calls see the save while it runs */
    vgmDriverJobBegin(drv, name, &job, VGM_DOMAIN_JOB_OPERATION_SAVE, NULL);
    ok = dom && vgmDriverDomainSave(drv->store, name, path, dxml,
                                    ((flags & VGM_SAVE_RUNNING) ? VGM_DRIVER_SAVE_RUNNING : 0) |
                                    ((flags & VGM_SAVE_PAUSED) ? VGM_DRIVER_SAVE_PAUSED : 0) |
                                    ((flags & VGM_SAVE_BYPASS_CACHE) ?
                                     VGM_DRIVER_SAVE_BYPASS_CACHE : 0),
                                    &running, NULL, &job, error);
    /* (a save that failed left QEMU to the watcher again) */
    if (!ok && dom && drv->watch && dom->status)
        vgmDriverWatchUnreported(drv->watch, name, dom->status->qemu.pid);
    if (ok && job.done)
        done = vgmDriverJobCompletedParams(&job);
    vgmDriverJobEnd(drv, name, &job);
    g_mutex_unlock(m);
    if (!ok)
        return FALSE;
    /* as libvirt: the pause, the completed job, then the stop */
    if (running)
        vgmDriverEmitDomain(drv, dom, VGM_EVENT_SUSPENDED, VGM_EVENT_SUSPENDED_PAUSED);
    if (done)
        vgmDriverJobCompleted(drv, dom, done, !dom->persistent);
    vgmDriverEmitDomain(drv, dom, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_SAVED);
    return TRUE;
}

/* ---- migration ---- */

#define VGM_DOMAIN_JOB_OPERATION_MIGRATION_OUT 5
/* where a destination's QEMU listens when the client names no port
 * (libvirt's default migration_port_min and _max) */
#define VGM_DRIVER_MIGRATE_PORT_MIN 49152
#define VGM_DRIVER_MIGRATE_PORT_MAX 49215
#define VGM_DRIVER_MIGRATE_COOKIE_GROUP "virt-gmem-migration"

/* The flags the driver does not do, each with why */
static const struct {
    unsigned int flag;
    const char *name;
} vgmDriverMigrateRefused[] = {
    { VGM_MIGRATE_TUNNELLED, "VIR_MIGRATE_TUNNELLED (--tunnelled)" },
    { VGM_MIGRATE_NON_SHARED_DISK, "VIR_MIGRATE_NON_SHARED_DISK (--copy-storage-all)" },
    { VGM_MIGRATE_NON_SHARED_INC, "VIR_MIGRATE_NON_SHARED_INC (--copy-storage-inc)" },
    { VGM_MIGRATE_CHANGE_PROTECTION, "VIR_MIGRATE_CHANGE_PROTECTION (--change-protection)" },
    { VGM_MIGRATE_OFFLINE, "VIR_MIGRATE_OFFLINE (--offline)" },
    { VGM_MIGRATE_COMPRESSED, "VIR_MIGRATE_COMPRESSED (--compressed)" },
    { VGM_MIGRATE_ABORT_ON_ERROR, "VIR_MIGRATE_ABORT_ON_ERROR (--abort-on-error)" },
    { VGM_MIGRATE_RDMA_PIN_ALL, "VIR_MIGRATE_RDMA_PIN_ALL (--rdma-pin-all)" },
    { VGM_MIGRATE_POSTCOPY, "VIR_MIGRATE_POSTCOPY (--postcopy)" },
    { VGM_MIGRATE_TLS, "VIR_MIGRATE_TLS (--tls)" },
    { VGM_MIGRATE_PARALLEL, "VIR_MIGRATE_PARALLEL (--parallel)" },
    { VGM_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES,
      "VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES (--copy-storage-synchronous-writes)" },
    { VGM_MIGRATE_POSTCOPY_RESUME, "VIR_MIGRATE_POSTCOPY_RESUME (--postcopy-resume)" },
    { VGM_MIGRATE_ZEROCOPY, "VIR_MIGRATE_ZEROCOPY (--zerocopy)" },
};

gboolean
vgmDriverMigrateCheckFlags(unsigned int flags, GError **error)
{
    size_t i;

    if (!vgmDriverCheckFlags(flags, (VGM_MIGRATE_ZEROCOPY << 1) - 1, error))
        return FALSE;
    for (i = 0; i < G_N_ELEMENTS(vgmDriverMigrateRefused); i++) {
        if (flags & vgmDriverMigrateRefused[i].flag) {
            vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                        _("migration flag %1$s is not supported: virt-gmem migrates a running guest over TCP, its disks on storage both hosts share"),
                        vgmDriverMigrateRefused[i].name);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
vgmDriverMigrateParamsParse(const GPtrArray *params, VgmDriverMigrateParams *out,
                            GError **error)
{
    static const VgmTypedParamSpec spec[] = {
        { "migrate_uri", VGM_TYPED_PARAM_STRING },
        { "destination_name", VGM_TYPED_PARAM_STRING },
        { "destination_xml", VGM_TYPED_PARAM_STRING },
        { "persistent_xml", VGM_TYPED_PARAM_STRING },
        { "listen_address", VGM_TYPED_PARAM_STRING },
        { "bandwidth", VGM_TYPED_PARAM_ULLONG },
    };
    const VgmTypedParam *found[G_N_ELEMENTS(spec)];

    memset(out, 0, sizeof(*out));
    if (!vgmTypedParamsCheck(params, spec, G_N_ELEMENTS(spec), _("migration"), found, error))
        return FALSE;
    out->uri = found[0] ? found[0]->v.s : NULL;
    out->dname = found[1] ? found[1]->v.s : NULL;
    out->dxml = found[2] ? found[2]->v.s : NULL;
    out->persistentXml = found[3] ? found[3]->v.s : NULL;
    out->listenAddress = found[4] ? found[4]->v.s : NULL;
    out->bandwidth = found[5] ? found[5]->v.ul : 0;
    if (out->bandwidth > (guint64)G_MAXINT64 / (1024 * 1024)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("migration bandwidth %1$" G_GUINT64_FORMAT " MiB/s is too large"),
                    out->bandwidth);
        return FALSE;
    }
    return TRUE;
}

/* The destination_name, if any, is @name's own: renaming is not done */
static gboolean
vgmDriverMigrateCheckName(const VgmDriverMigrateParams *p, const char *name, GError **error)
{
    if (!p->dname || g_str_equal(p->dname, name))
        return TRUE;
    vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED,
                _("renaming domain '%1$s' to '%2$s' as it migrates (destination_name, --dname) is not supported"),
                name, p->dname);
    return FALSE;
}

/* A migration URI's host and port: tcp://HOST[:PORT][/] or tcp:HOST[:PORT]
 * (libvirt takes both), an IPv6 address in brackets; *@port 0 when none */
static gboolean
vgmDriverMigrateUriParse(const char *uri, char **host, guint *port, GError **error)
{
    const char *rest = NULL;
    g_autofree char *hp = NULL;
    const char *colon;
    char *end;
    gsize n;

    if (g_str_has_prefix(uri, "tcp://"))
        rest = uri + strlen("tcp://");
    else if (g_str_has_prefix(uri, "tcp:"))
        rest = uri + strlen("tcp:");
    if (!rest || !*rest) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("migration URI '%1$s' is not supported: give tcp://HOST[:PORT] (virt-gmem migrates over TCP)"),
                    uri);
        return FALSE;
    }
    n = strlen(rest);
    if (rest[n - 1] == '/')
        n--;
    hp = g_strndup(rest, n);
    if (hp[0] == '[') {
        char *close = strchr(hp, ']');

        if (!close || close == hp + 1 || (close[1] && close[1] != ':'))
            goto bad;
        *close = '\0';
        colon = close[1] ? close + 1 : NULL;
        *host = g_strdup(hp + 1);
    } else {
        colon = strrchr(hp, ':');
        if (colon && strchr(hp, ':') != colon)
            goto bad;
        *host = g_strndup(hp, colon ? (gsize)(colon - hp) : strlen(hp));
    }
    *port = 0;
    if (colon) {
        guint64 v = g_ascii_strtoull(colon + 1, &end, 10);

        if (!colon[1] || *end || v == 0 || v > 65535) {
            g_clear_pointer(host, g_free);
            goto bad;
        }
        *port = (guint)v;
    }
    if (!**host) {
        g_clear_pointer(host, g_free);
        goto bad;
    }
    return TRUE;

 bad:
    vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                _("invalid migration URI '%1$s': expected tcp://HOST[:PORT] with a port from 1 to 65535"),
                uri);
    return FALSE;
}

/* @host:@port as a URI's authority (an IPv6 address in brackets) */
static char *
vgmDriverMigrateHostPort(const char *prefix, const char *host, guint port)
{
    gboolean v6 = strchr(host, ':') != NULL;

    return g_strdup_printf("%s%s%s%s:%u", prefix, v6 ? "[" : "", host, v6 ? "]" : "", port);
}

/* A free TCP port on @listen from libvirt's migration range, reserved
 * against the other prepares until vgmDriverMigratePortRelease */
static gboolean
vgmDriverMigratePickPort(VgmDriver *drv, const char *listen, guint *port, GError **error)
{
    g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(listen);
    guint p;

    if (!addr) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("migration listen address '%1$s' is not an IP address"), listen);
        return FALSE;
    }
    g_mutex_lock(&drv->jobsLock);
    for (p = VGM_DRIVER_MIGRATE_PORT_MIN; p <= VGM_DRIVER_MIGRATE_PORT_MAX; p++) {
        g_autoptr(GSocket) sock = NULL;
        g_autoptr(GSocketAddress) sa = NULL;

        if (g_hash_table_contains(drv->migPorts, GUINT_TO_POINTER(p)))
            continue;
        sock = g_socket_new(g_inet_address_get_family(addr), G_SOCKET_TYPE_STREAM,
                            G_SOCKET_PROTOCOL_TCP, NULL);
        sa = g_inet_socket_address_new(addr, (guint16)p);
        if (sock && g_socket_bind(sock, sa, FALSE, NULL)) {
            g_hash_table_add(drv->migPorts, GUINT_TO_POINTER(p));
            g_mutex_unlock(&drv->jobsLock);
            *port = p;
            return TRUE;
        }
    }
    g_mutex_unlock(&drv->jobsLock);
    vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                _("no free migration port on %1$s from %2$d to %3$d"), listen,
                VGM_DRIVER_MIGRATE_PORT_MIN, VGM_DRIVER_MIGRATE_PORT_MAX);
    return FALSE;
}

static void
vgmDriverMigratePortRelease(VgmDriver *drv, guint port)
{
    if (!port)
        return;
    g_mutex_lock(&drv->jobsLock);
    g_hash_table_remove(drv->migPorts, GUINT_TO_POINTER(port));
    g_mutex_unlock(&drv->jobsLock);
}

static guint64 vgmDriverMigrationNextId = 1;

/* Adds @m for @name, with a new id; the caller has checked that @name
 * has none (vgmDriverMigrationBusy, under the domain's mutex) */
static guint64
vgmDriverMigrationSet(VgmDriver *drv, const char *name, VgmDriverMigration *m)
{
    guint64 id;

    g_mutex_lock(&drv->jobsLock);
    id = m->id = vgmDriverMigrationNextId++;
    g_hash_table_replace(drv->migrations, g_strdup(name), m);
    g_mutex_unlock(&drv->jobsLock);
    return id;
}

/* The migration of @name in the direction asked (and of id @id, unless
 * 0), taken out of the table */
static VgmDriverMigration *
vgmDriverMigrationTakeId(VgmDriver *drv, const char *name, gboolean incoming, guint64 id,
                         GError **error)
{
    VgmDriverMigration *m = NULL;
    gpointer key = NULL;

    g_mutex_lock(&drv->jobsLock);
    if (g_hash_table_lookup_extended(drv->migrations, name, &key, (gpointer *)&m) &&
        m->incoming == incoming && (!id || m->id == id)) {
        g_hash_table_steal(drv->migrations, name);
        g_free(key);
    } else {
        m = NULL;
    }
    g_mutex_unlock(&drv->jobsLock);
    if (!m)
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    incoming ? _("domain '%1$s' has no incoming migration to finish") :
                               _("domain '%1$s' has no outgoing migration to confirm"),
                    name);
    return m;
}

static VgmDriverMigration *
vgmDriverMigrationTake(VgmDriver *drv, const char *name, gboolean incoming, GError **error)
{
    return vgmDriverMigrationTakeId(drv, name, incoming, 0, error);
}

gboolean
vgmDriverMigrateBegin(VgmDriver *drv, const char *name, const VgmDriverMigrateParams *p,
                      unsigned int flags, char **xml, GByteArray **cookie, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *persistent = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;
    gboolean ok;
    GMutex *m;

    if (!vgmDriverMigrateCheckFlags(flags, error))
        return FALSE;
    if (!vgmDriverMigrateCheckName(p, name, error))
        return FALSE;
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    ok = !vgmDriverMigrationBusy(drv, name, error) &&
         vgmDriverDomainMigrateBegin(drv->store, name, p->dxml, p->persistentXml, xml,
                                     &persistent, error);
    g_mutex_unlock(m);
    if (!ok)
        return FALSE;
    /* the cookie: the definition a PERSIST_DEST destination defines */
    g_key_file_set_string(kf, VGM_DRIVER_MIGRATE_COOKIE_GROUP, "persistent", persistent);
    data = g_key_file_to_data(kf, &len, NULL);
    *cookie = g_byte_array_new();
    g_byte_array_append(*cookie, (const guint8 *)data, (guint)len);
    return TRUE;
}

VgmDriverDomain *
vgmDriverMigratePrepare(VgmDriver *drv, const VgmDriverMigrateParams *p, const guint8 *cookie,
                        gsize cookieLen, unsigned int flags, char **uriOut, guint64 *id,
                        GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *host = NULL;
    g_autofree char *qemuUri = NULL;
    g_autofree char *persistent = NULL;
    const char *listen;
    VgmDriverDomain *dom;
    VgmDriverMigration *mig;
    guint port = 0, reserved = 0;
    GMutex *m;

    if (!vgmDriverMigrateCheckFlags(flags, error))
        return NULL;
    if (!p->dxml) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a migration's prepare needs the domain's XML (destination_xml)"));
        return NULL;
    }
    if (!(def = vgmDomainDefParseString(p->dxml, NULL, VGM_DOMAIN_PARSE_SKIP_VALIDATE |
                                        VGM_DOMAIN_PARSE_NO_ADDRESSES | VGM_DOMAIN_PARSE_LIVE,
                                        error)))
        return NULL;
    if (!vgmDriverMigrateCheckName(p, def->name, error))
        return NULL;
    if (cookie && cookieLen &&
        !g_key_file_load_from_data(kf, (const char *)cookie, cookieLen, G_KEY_FILE_NONE, NULL)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("the migration cookie is not the one virt-gmem's begin gives (is the source another daemon than virt-gmem?)"));
        return NULL;
    }
    /* the source's begin made the definition migratable (from its
     * persistent_xml, if any): the cookie's, else the parameter's */
    persistent = g_key_file_get_string(kf, VGM_DRIVER_MIGRATE_COOKIE_GROUP, "persistent", NULL);
    if (!persistent && p->persistentXml)
        persistent = g_strdup(p->persistentXml);
    if ((flags & VGM_MIGRATE_PERSIST_DEST) && !persistent) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a migration with PERSIST_DEST needs the definition: the begin's cookie or persistent_xml"));
        return NULL;
    }
    /* where QEMU listens and what the source is told */
    if (p->uri && !vgmDriverMigrateUriParse(p->uri, &host, &port, error))
        return NULL;
    if (!host)
        host = g_strdup(g_get_host_name());
    listen = p->listenAddress ? p->listenAddress : "0.0.0.0";
    if (!port) {
        if (!vgmDriverMigratePickPort(drv, listen, &port, error))
            return NULL;
        reserved = port;
    }
    qemuUri = vgmDriverMigrateHostPort("tcp:", listen, port);

    m = vgmDriverDomainMutex(drv, def->name);
    g_mutex_lock(m);
    dom = vgmDriverMigrationBusy(drv, def->name, error) ? NULL :
          vgmDriverDomainMigratePrepare(drv->store, p->dxml, qemuUri, error);
    if (dom) {
        mig = g_new0(VgmDriverMigration, 1);
        mig->incoming = TRUE;
        mig->persistentXml = g_steal_pointer(&persistent);
        mig->port = reserved;
        *id = vgmDriverMigrationSet(drv, dom->name, mig);
    }
    g_mutex_unlock(m);
    if (!dom) {
        vgmDriverMigratePortRelease(drv, reserved);
        return NULL;
    }
    vgmDriverEmitDomain(drv, dom, VGM_EVENT_STARTED, VGM_EVENT_STARTED_MIGRATED);
    *uriOut = vgmDriverMigrateHostPort("tcp://", host, port);
    return dom;
}

static gboolean vgmDriverJobDomainActive(VgmDriver *drv, const char *name, GError **error);

/* The MiB/s @name's migrations take when they name none */
static guint64
vgmDriverMigrateSpeed(VgmDriver *drv, const char *name)
{
    const guint64 *v;
    guint64 speed;

    g_mutex_lock(&drv->jobsLock);
    v = g_hash_table_lookup(drv->migSpeeds, name);
    speed = v ? *v : VGM_MIGRATE_SPEED_MAX;
    g_mutex_unlock(&drv->jobsLock);
    return speed;
}

/* The running job of @name, locked (job->lock), or NULL */
static VgmDriverJob *
vgmDriverJobLock(VgmDriver *drv, const char *name)
{
    VgmDriverJob *job;

    g_mutex_lock(&drv->jobsLock);
    if ((job = g_hash_table_lookup(drv->jobs, name)))
        g_mutex_lock(&job->lock);
    else
        g_mutex_unlock(&drv->jobsLock);
    return job;
}

static void
vgmDriverJobUnlock(VgmDriver *drv, VgmDriverJob *job)
{
    g_mutex_unlock(&job->lock);
    g_mutex_unlock(&drv->jobsLock);
}

/* Whether @name's job is an outgoing migration's */
static gboolean
vgmDriverJobIsMigration(const VgmDriverJob *job)
{
    return job->operation == VGM_DOMAIN_JOB_OPERATION_MIGRATION_OUT;
}

/* Whether @name is migrating (its perform runs, or a finish or confirm
 * is to come): an error says so */
static gboolean
vgmDriverMigrationBusy(VgmDriver *drv, const char *name, GError **error)
{
    VgmDriverJob *job;
    gboolean busy;

    g_mutex_lock(&drv->jobsLock);
    job = g_hash_table_lookup(drv->jobs, name);
    busy = g_hash_table_contains(drv->migrations, name) ||
           (job && job->operation == VGM_DOMAIN_JOB_OPERATION_MIGRATION_OUT);
    g_mutex_unlock(&drv->jobsLock);
    if (busy)
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is migrating: its migration's confirm (or finish) decides whether it runs here"),
                    name);
    return busy;
}

gboolean
vgmDriverMigrateStartPostCopy(VgmDriver *drv, const char *name, unsigned int flags,
                              GError **error)
{
    VgmDriverJob *job;
    gboolean migrating;

    if (!vgmDriverCheckFlags(flags, 0, error) || !vgmDriverJobDomainActive(drv, name, error))
        return FALSE;
    g_mutex_lock(&drv->jobsLock);
    job = g_hash_table_lookup(drv->jobs, name);
    migrating = job && vgmDriverJobIsMigration(job);
    g_mutex_unlock(&drv->jobsLock);
    /* (libvirt's two refusals: no outgoing migration, or one not
     * started with VIR_MIGRATE_POSTCOPY, which the driver refuses) */
    vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                migrating ?
                _("domain '%1$s' migrates in pre-copy: post-copy needs a migration started with VIR_MIGRATE_POSTCOPY, which virt-gmem does not run") :
                _("post-copy of domain '%1$s' can only be started while its outgoing migration runs"),
                name);
    return FALSE;
}

gboolean
vgmDriverMigrateSetMaxDowntime(VgmDriver *drv, const char *name, guint64 downtimeMs,
                               unsigned int flags, GError **error)
{
    VgmDriverJob *job;
    GMutex *m;
    gboolean ok;

    if (!vgmDriverCheckFlags(flags, 0, error) || !vgmDriverJobDomainActive(drv, name, error))
        return FALSE;
    if (downtimeMs > VGM_MIGRATE_DOWNTIME_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("migration downtime %1$" G_GUINT64_FORMAT " ms is more than QEMU's %2$d ms"),
                    downtimeMs, VGM_MIGRATE_DOWNTIME_MAX);
        return FALSE;
    }
    /* a migration under way holds QEMU's monitor: it takes it as it polls;
     * else the domain's mutex, which no perform holds then */
    m = vgmDriverDomainMutex(drv, name);
    for (;;) {
        if ((job = vgmDriverJobLock(drv, name))) {
            if (vgmDriverJobIsMigration(job)) {
                job->haveSetDowntime = TRUE;
                job->setDowntimeMs = downtimeMs;
                vgmDriverJobUnlock(drv, job);
                return TRUE;
            }
            vgmDriverJobUnlock(drv, job);
        }
        if (g_mutex_trylock(m))
            break;
        g_usleep(10 * 1000);
    }
    ok = vgmDriverDomainMigrateParam(drv->store, name, "downtime-limit", TRUE, &downtimeMs,
                                     error);
    g_mutex_unlock(m);
    return ok;
}

gboolean
vgmDriverMigrateGetMaxDowntime(VgmDriver *drv, const char *name, unsigned int flags,
                               guint64 *downtimeMs, GError **error)
{
    VgmDriverJob *job;
    GMutex *m;
    gboolean ok;

    if (!vgmDriverCheckFlags(flags, 0, error) || !vgmDriverJobDomainActive(drv, name, error))
        return FALSE;
    if ((job = vgmDriverJobLock(drv, name))) {
        if (vgmDriverJobIsMigration(job)) {
            *downtimeMs = job->haveSetDowntime ? job->setDowntimeMs : job->downtimeMs;
            vgmDriverJobUnlock(drv, job);
            return TRUE;
        }
        vgmDriverJobUnlock(drv, job);
    }
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    ok = vgmDriverDomainMigrateParam(drv->store, name, "downtime-limit", FALSE, downtimeMs,
                                     error);
    g_mutex_unlock(m);
    return ok;
}

gboolean
vgmDriverMigrateCompressionCache(VgmDriver *drv, const char *name, gboolean set,
                                 guint64 *size, unsigned int flags, GError **error)
{
    VgmDriverJob *job;
    GMutex *m;
    gboolean ok;

    if (!vgmDriverCheckFlags(flags, 0, error) || !vgmDriverJobDomainActive(drv, name, error))
        return FALSE;
    /* a migration under way holds QEMU's monitor until it ends */
    if ((job = vgmDriverJobLock(drv, name))) {
        gboolean migrating = vgmDriverJobIsMigration(job);

        vgmDriverJobUnlock(drv, job);
        if (migrating) {
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                        _("cannot read or set the compression cache of domain '%1$s' while it migrates"),
                        name);
            return FALSE;
        }
    }
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    ok = vgmDriverDomainMigrateParam(drv->store, name, "xbzrle-cache-size", set, size, error);
    g_mutex_unlock(m);
    return ok;
}

/* The flags of a migration speed's get or set, and that domain @name
 * exists */
static gboolean
vgmDriverMigrateSpeedCheck(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (flags & VGM_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY) {
        vgmErrorSet(error, VGM_ERR_ARGUMENT_UNSUPPORTED, "%s",
                    _("a post-copy migration speed (VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY, --postcopy) is not supported: virt-gmem migrates by pre-copy only"));
        return FALSE;
    }
    return vgmDriverCheckFlags(flags, 0, error) &&
           (dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, error)) != NULL;
}

gboolean
vgmDriverMigrateSetMaxSpeed(VgmDriver *drv, const char *name, guint64 mib, unsigned int flags,
                            GError **error)
{
    VgmDriverJob *job;

    if (!vgmDriverMigrateSpeedCheck(drv, name, flags, error))
        return FALSE;
    if (mib > VGM_MIGRATE_SPEED_MAX) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("migration bandwidth must be at most %1$" G_GINT64_FORMAT " MiB/s"),
                    (gint64)VGM_MIGRATE_SPEED_MAX);
        return FALSE;
    }
    g_mutex_lock(&drv->jobsLock);
    g_hash_table_replace(drv->migSpeeds, g_strdup(name), g_memdup2(&mib, sizeof(mib)));
    g_mutex_unlock(&drv->jobsLock);
    /* and the one under way, as it polls */
    if ((job = vgmDriverJobLock(drv, name))) {
        if (vgmDriverJobIsMigration(job)) {
            job->haveSetBandwidth = TRUE;
            job->setBandwidth = mib * 1024 * 1024;
        }
        vgmDriverJobUnlock(drv, job);
    }
    return TRUE;
}

gboolean
vgmDriverMigrateGetMaxSpeed(VgmDriver *drv, const char *name, unsigned int flags, guint64 *mib,
                            GError **error)
{
    if (!vgmDriverMigrateSpeedCheck(drv, name, flags, error))
        return FALSE;
    *mib = vgmDriverMigrateSpeed(drv, name);
    return TRUE;
}

gboolean
vgmDriverMigratePerform(VgmDriver *drv, const char *name, const VgmDriverMigrateParams *p,
                        unsigned int flags, guint64 *id, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autofree char *host = NULL;
    g_autofree char *qemuUri = NULL;
    VgmDriverMigrateOut req = { 0 };
    VgmDriverJob job = { 0 };
    VgmDriverMigration *mig;
    gboolean ok, running = FALSE;
    guint port = 0;
    GMutex *m;

    if (!vgmDriverMigrateCheckFlags(flags, error))
        return FALSE;
    if (!p->uri) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a migration's perform needs the destination's URI (migrate_uri, from its prepare)"));
        return FALSE;
    }
    if (!vgmDriverMigrateUriParse(p->uri, &host, &port, error))
        return FALSE;
    if (!port) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("migration URI '%1$s' names no port"), p->uri);
        return FALSE;
    }
    qemuUri = vgmDriverMigrateHostPort("tcp:", host, port);
    req.uri = qemuUri;
    req.bandwidthMiB = p->bandwidth ? p->bandwidth : vgmDriverMigrateSpeed(drv, name);
    req.live = (flags & VGM_MIGRATE_LIVE) != 0;
    req.autoConverge = (flags & VGM_MIGRATE_AUTO_CONVERGE) != 0;

    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    dom = vgmDriverMigrationBusy(drv, name, error) ? NULL :
          vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, error);
    vgmDriverJobBegin(drv, name, &job, VGM_DOMAIN_JOB_OPERATION_MIGRATION_OUT, NULL);
    ok = dom && vgmDriverDomainMigrateOut(drv->store, name, &req, &job, &running, error);
    if (ok) {
        mig = g_new0(VgmDriverMigration, 1);
        mig->wasRunning = running;
        if (job.done)
            mig->done = vgmDriverJobCompletedParams(&job);
        *id = vgmDriverMigrationSet(drv, name, mig);
    }
    vgmDriverJobEnd(drv, name, &job);
    g_mutex_unlock(m);
    if (ok && running)
        vgmDriverEmitDomain(drv, dom, VGM_EVENT_SUSPENDED, VGM_EVENT_SUSPENDED_MIGRATED);
    return ok;
}

/* Ends @name's QEMU, which the caller reports (the watcher must not) */
static gboolean
vgmDriverMigrateStopQemu(VgmDriver *drv, const char *name, const char *reason,
                         GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmDriverDomainLookupByName(drv->store, name,
                                                                 VGM_DRIVER_LOOKUP_BRIEF, NULL);
    pid_t pid = dom && dom->status ? dom->status->qemu.pid : 0;

    if (drv->watch && pid > 0)
        vgmDriverWatchReported(drv->watch, name, pid);
    if (vgmDriverDomainMigrateStop(drv->store, name, reason, error))
        return TRUE;
    if (drv->watch && pid > 0)
        vgmDriverWatchUnreported(drv->watch, name, pid);
    return FALSE;
}

static VgmDriverDomain *vgmDriverMigrateFinishId(VgmDriver *drv, const char *name,
                                                 unsigned int flags, gboolean cancelled,
                                                 guint64 id, GError **error);

VgmDriverDomain *
vgmDriverMigrateFinish(VgmDriver *drv, const char *name, unsigned int flags,
                       gboolean cancelled, GError **error)
{
    return vgmDriverMigrateFinishId(drv, name, flags, cancelled, 0, error);
}

/* The finish of @name's incoming migration of id @id (0: whichever) */
static VgmDriverDomain *
vgmDriverMigrateFinishId(VgmDriver *drv, const char *name, unsigned int flags,
                         gboolean cancelled, guint64 id, GError **error)
{
    g_autoptr(VgmDriverDomain) before = NULL;
    g_autoptr(GError) err = NULL;
    VgmDriverMigration *mig;
    VgmDriverDomain *dom = NULL;
    gboolean resume = !(flags & VGM_MIGRATE_PAUSED);
    gboolean defined = FALSE, existed = FALSE;
    GMutex *m;

    if (!vgmDriverMigrateCheckFlags(flags, error))
        return NULL;
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    if (!(mig = vgmDriverMigrationTakeId(drv, name, TRUE, id, error))) {
        g_mutex_unlock(m);
        return NULL;
    }
    before = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, NULL);
    /* all that can fail comes before the guest runs here: once it has
     * run, the source must not run it again */
    if (!cancelled && (dom = vgmDriverDomainMigrateFinish(drv->store, name, FALSE, &err)) &&
        (flags & VGM_MIGRATE_PERSIST_DEST)) {
        g_autoptr(VgmDomainDef) def = vgmDriverDomainDefineXML(drv->store, NULL,
                                                              mig->persistentXml, &existed,
                                                              &err);

        if (!def)
            g_clear_pointer(&dom, vgmDriverDomainFree);
        defined = def != NULL;
    }
    if (dom && resume) {
        vgmDriverDomainFree(dom);
        dom = vgmDriverDomainMigrateFinish(drv->store, name, TRUE, &err);
    }
    if (!dom) {
        /* the guest runs at the source again: this copy goes */
        g_autoptr(GError) stopErr = NULL;

        if (!vgmDriverMigrateStopQemu(drv, name, "failed", &stopErr))
            g_warning(_("cannot end the QEMU of domain '%1$s' after its migration failed: %2$s"),
                      name, stopErr->message);
    }
    g_mutex_unlock(m);
    vgmDriverMigratePortRelease(drv, mig->port);
    vgmDriverMigrationFree(mig);
    if (!dom) {
        if (before)
            vgmDriverEmitDomain(drv, before, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_FAILED);
        if (err)
            vgmErrorSet(error, err->domain == VGM_ERROR ? err->code : VGM_ERR_OPERATION_FAILED,
                        _("migration of domain '%1$s' failed at the destination: %2$s"),
                        name, err->message);
        else
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("migration of domain '%1$s' was cancelled: the source failed to send it"),
                        name);
        return NULL;
    }
    vgmDriverWatchNewRun(drv, dom->name);
    if (defined)
        vgmDriverEmitDomain(drv, dom, VGM_EVENT_DEFINED,
                            existed ? VGM_EVENT_DEFINED_UPDATED : VGM_EVENT_DEFINED_ADDED);
    if (resume)
        vgmDriverEmitDomain(drv, dom, VGM_EVENT_RESUMED, VGM_EVENT_RESUMED_MIGRATED);
    else
        vgmDriverEmitDomain(drv, dom, VGM_EVENT_SUSPENDED, VGM_EVENT_SUSPENDED_PAUSED);
    return dom;
}

gboolean
vgmDriverMigrateConfirm(VgmDriver *drv, const char *name, unsigned int flags,
                        gboolean cancelled, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverMigration *mig;
    GPtrArray *done = NULL;
    gboolean ok, undefined = FALSE, wasRunning;
    GMutex *m;

    if (!vgmDriverMigrateCheckFlags(flags, error))
        return FALSE;
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    /* a migration cancelled before its perform (the destination's prepare
     * failed) left nothing here to undo */
    if (!(mig = vgmDriverMigrationTake(drv, name, FALSE, cancelled ? NULL : error))) {
        g_mutex_unlock(m);
        return cancelled;
    }
    dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, error);
    if (cancelled) {
        ok = dom && (!mig->wasRunning || vgmDriverDomainMigrateResume(drv->store, name, error));
    } else {
        ok = dom && vgmDriverMigrateStopQemu(drv, name, "migrated", error);
        if (ok && (flags & VGM_MIGRATE_UNDEFINE_SOURCE) && dom->persistent) {
            g_autoptr(GError) undefErr = NULL;

            /* the guest runs elsewhere now: a definition left is only
             * logged, as libvirt does */
            /* (as libvirt: the varstore stays, the TPM's state, which went
             * with the guest, goes) */
            if (!(undefined = vgmDriverDomainUndefine(drv->store, name,
                                                      VGM_UNDEFINE_KEEP_NVRAM |
                                                      VGM_UNDEFINE_TPM, NULL, &undefErr)))
                g_warning(_("cannot undefine domain '%1$s' after its migration: %2$s"),
                          name, undefErr->message);
        }
        done = g_steal_pointer(&mig->done);
    }
    g_mutex_unlock(m);
    wasRunning = mig->wasRunning;
    vgmDriverMigrationFree(mig);
    if (!ok) {
        g_clear_pointer(&done, g_ptr_array_unref);
        return FALSE;
    }
    if (cancelled) {
        if (wasRunning)
            vgmDriverEmitDomain(drv, dom, VGM_EVENT_RESUMED, VGM_EVENT_RESUMED_MIGRATED);
        return TRUE;
    }
    /* libvirt's order, and no UNDEFINED: its confirm drops the config
     * without one */
    vgmDriverEmitDomain(drv, dom, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_MIGRATED);
    if (done)
        vgmDriverJobCompleted(drv, dom, done, !dom->persistent || undefined);
    return TRUE;
}

gboolean
vgmDriverCoreDump(VgmDriver *drv, const char *name, const char *path, int format,
                  unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverDumpRequest req = { .path = path, .format = format };
    VgmDriverDumpOutcome out = { 0 };
    VgmDriverJob job = { 0 };
    GPtrArray *done = NULL;
    GMutex *m;
    gboolean ok;

    if (!vgmDriverCheckFlags(flags, VGM_DUMP_CRASH | VGM_DUMP_LIVE | VGM_DUMP_BYPASS_CACHE |
                                    VGM_DUMP_RESET | VGM_DUMP_MEMORY_ONLY, error))
        return FALSE;
    /* as libvirt */
    if ((flags & VGM_DUMP_CRASH) && (flags & (VGM_DUMP_LIVE | VGM_DUMP_RESET))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a dump that crashes the domain cannot also keep it live or reset it"));
        return FALSE;
    }
    if (format < 0 || format >= VGM_DRIVER_DUMP_FORMAT_LAST) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("unknown dump format %1$d"), format);
        return FALSE;
    }
    if (format != VGM_DRIVER_DUMP_FORMAT_RAW && !(flags & VGM_DUMP_MEMORY_ONLY)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("a dump format other than raw is for a memory-only dump (VIR_DUMP_MEMORY_ONLY, --memory-only)"));
        return FALSE;
    }
    req.memoryOnly = (flags & VGM_DUMP_MEMORY_ONLY) != 0;
    req.live = (flags & VGM_DUMP_LIVE) != 0;
    req.crash = (flags & VGM_DUMP_CRASH) != 0;
    req.reset = (flags & VGM_DUMP_RESET) != 0;
    req.bypassCache = (flags & VGM_DUMP_BYPASS_CACHE) != 0;
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    /* a crash ends QEMU: this call reports it, the watcher must not */
    if ((dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, error)) &&
        req.crash && drv->watch && dom->status && dom->status->qemu.pid > 0)
        vgmDriverWatchReported(drv->watch, name, dom->status->qemu.pid);
    vgmDriverJobBegin(drv, name, &job, VGM_DOMAIN_JOB_OPERATION_DUMP,
                      req.memoryOnly ? N_("the job of domain '%1$s' is a memory-only dump, which cannot be aborted") : NULL);
    ok = dom && vgmDriverDomainCoreDump(drv->store, name, &req, &job, &out, error);
    /* (a crash that did not happen left QEMU to the watcher again) */
    if (req.crash && !out.crashed && dom && drv->watch && dom->status)
        vgmDriverWatchUnreported(drv->watch, name, dom->status->qemu.pid);
    /* (a memory-only dump is QEMU's dump-guest-memory: libvirt keeps no
     * completed job of it) */
    if (ok && job.done)
        done = vgmDriverJobCompletedParams(&job);
    vgmDriverJobEnd(drv, name, &job);
    g_mutex_unlock(m);
    if (!dom)
        return FALSE;
    /* as libvirt: the pause, the completed job, then the resume or stop */
    if (out.paused)
        vgmDriverEmitDomain(drv, dom, VGM_EVENT_SUSPENDED, VGM_EVENT_SUSPENDED_PAUSED);
    if (done)
        vgmDriverJobCompleted(drv, dom, done, out.crashed && !dom->persistent);
    if (out.crashed)
        vgmDriverEmitDomain(drv, dom, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_CRASHED);
    else if (out.paused && out.resumed)
        vgmDriverEmitDomain(drv, dom, VGM_EVENT_RESUMED, VGM_EVENT_RESUMED_UNPAUSED);
    return ok;
}

typedef struct {
    char *name;
    pid_t pid;
} VgmDriverWatchdogDump;

static void
vgmDriverWatchdogDumpFree(VgmDriverWatchdogDump *d)
{
    g_free(d->name);
    g_free(d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverWatchdogDump, vgmDriverWatchdogDumpFree)

/* The dump pool's work: domain @data->name, whose watchdog fired */
static void
vgmDriverWatchdogDumpRun(gpointer data, gpointer user)
{
    g_autoptr(VgmDriverWatchdogDump) wd = data;
    VgmDriver *drv = user;
    g_autoptr(VgmDriverDomain) dom = NULL;
    const char *name = wd->name;
    pid_t pid = wd->pid;
    g_autoptr(GDateTime) now = g_date_time_new_now_local();
    g_autoptr(GError) err = NULL;
    g_autofree char *memoryDir = NULL;
    g_autofree char *stateDir = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *when = NULL;
    g_autofree char *path = NULL;

    if (!(dom = vgmDriverLookupByNameFlags(drv, name, VGM_DRIVER_LOOKUP_FULL, NULL)) ||
        !dom->status || dom->status->qemu.pid != pid || !dom->def ||
        !dom->def->devices.watchdog ||
        dom->def->devices.watchdog->action != VGM_WATCHDOG_ACTION_DUMP)
        return;
    /* ROOT/lib/qemu/dump/NAME-TIME, as libvirt names its automatic dumps */
    memoryDir = vgmDriverStoreMemoryDir(drv->store);
    stateDir = g_path_get_dirname(memoryDir);
    dir = g_build_filename(stateDir, "dump", NULL);
    when = g_date_time_format(now, "%Y-%m-%d-%H:%M:%S");
    path = g_strdup_printf("%s/%s-%s", dir, dom->name, when);
    if (!vgmFileMakePath(dir, 0700, &err) ||
        !vgmDriverCoreDump(drv, dom->name, path, VGM_DRIVER_DUMP_FORMAT_RAW, VGM_DUMP_MEMORY_ONLY,
                           &err))
        g_warning(_("domain '%1$s': its watchdog fired, but its memory could not be dumped into '%2$s': %3$s"),
                  dom->name, path, err->message);
    g_clear_error(&err);
    /* then the guest runs again, as libvirt lets it */
    if (!vgmDriverResume(drv, dom->name, 0, &err))
        g_warning(_("domain '%1$s' stays paused after its watchdog's dump: %2$s"), dom->name,
                  err->message);
}

void
vgmDriverWatchdogDump(VgmDriver *drv, const char *name, pid_t pid)
{
    VgmDriverWatchdogDump *wd = g_new0(VgmDriverWatchdogDump, 1);

    wd->name = g_strdup(name);
    wd->pid = pid;
    g_mutex_lock(&drv->dumpsLock);
    if (!drv->dumps)
        drv->dumps = g_thread_pool_new(vgmDriverWatchdogDumpRun, drv, 1, FALSE, NULL);
    g_thread_pool_push(drv->dumps, wd, NULL);
    g_mutex_unlock(&drv->dumpsLock);
}

/* ---- snapshots ---- */

/* Raises @out's events for domain @dom (its name and uuid), with the
 * completed job @done (NULL: none) where the memory was written, and has
 * the watcher see a QEMU that was started */
static void
vgmDriverSnapshotEmit(VgmDriver *drv, const VgmDriverDomain *dom,
                      const VgmDriverSnapshotOutcome *out, GPtrArray *done)
{
    guint n = out->events ? out->events->len : 0;

    /* a QEMU the revert started: its events read before STARTED goes */
    if (out->started)
        vgmDriverWatchNewRun(drv, dom->name);
    for (guint i = 0; i <= n; i++) {
        const VgmDriverSnapshotEvent *ev;

        if (done && i == out->memoryDoneAt) {
            vgmDriverJobCompleted(drv, dom, done, FALSE);
            done = NULL;
        }
        if (i == n)
            break;
        ev = &g_array_index(out->events, VgmDriverSnapshotEvent, i);
        vgmDriverEmitEvent(drv, dom->name, dom->uuid, ev->id, ev->event, ev->detail);
    }
    if (done)
        g_ptr_array_unref(done);
}

/* The QEMU @pid of domain @name was ended by this call: the watcher
 * leaves its events to it (it waits for the domain's mutex, held still) */
static void
vgmDriverSnapshotEnded(VgmDriver *drv, const char *name, pid_t pid)
{
    g_autoptr(VgmDriverDomain) now = NULL;

    if (pid <= 0)
        return;
    now = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, NULL);
    if (!now || !now->status || now->status->qemu.pid != pid)
        vgmDriverWatchReported(drv->watch, name, pid);
}

/* What a snapshot call does under the domain's mutex (create or revert) */
typedef gboolean (*VgmDriverSnapshotOp)(const VgmDriverStore *store, const char *name,
                                        gconstpointer data, VgmDriverSnapshotOutcome *out,
                                        GError **error);

/* Runs @op on domain @name under its mutex (with @job, seen by the job
 * calls while it runs: a creation's), has the watcher leave the stop of a
 * QEMU it ended to this call, then raises its events */
static gboolean
vgmDriverSnapshotRun(VgmDriver *drv, const char *name, VgmDriverSnapshotOp op,
                     gconstpointer data, gboolean job, GError **error)
{
    g_auto(VgmDriverSnapshotOutcome) out = { 0 };
    g_autoptr(VgmDriverDomain) dom = NULL;
    VgmDriverJob snapJob = { 0 };
    GPtrArray *done = NULL;
    pid_t pid = 0;
    gboolean ok;

    {
        VGM_DRIVER_DOMAIN_LOCKED(drv, name);

        if (!(dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, error)))
            return FALSE;
        if (dom->status)
            pid = dom->status->qemu.pid;
        if (job) {
            /* (abortable once it writes an external snapshot's memory) */
            vgmDriverJobBegin(drv, name, &snapJob, VGM_DOMAIN_JOB_OPERATION_SNAPSHOT,
                              N_("the job of domain '%1$s' is a snapshot that writes no memory file, which cannot be aborted"));
            out.job = &snapJob;
        }
        ok = op(drv->store, name, data, &out, error);
        /* (an external memory snapshot's write is a completed job, as a
         * save's) */
        if (job && out.memoryDone && snapJob.done)
            done = vgmDriverJobCompletedParams(&snapJob);
        if (job)
            vgmDriverJobEnd(drv, name, &snapJob);
        out.job = NULL;
        vgmDriverSnapshotEnded(drv, name, pid);
    }
    vgmDriverSnapshotEmit(drv, dom, &out, done);
    return ok;
}

typedef struct {
    const char *xml;            /* create */
    const char *snap;           /* revert */
    unsigned int flags;
    char **made;                /* create: the snapshot's name */
} VgmDriverSnapshotArgs;

static gboolean
vgmDriverSnapshotCreateOp(const VgmDriverStore *store, const char *name, gconstpointer data,
                          VgmDriverSnapshotOutcome *out, GError **error)
{
    const VgmDriverSnapshotArgs *a = data;

    return vgmDriverSnapshotCreate(store, name, a->xml, a->flags, a->made, out, error);
}

static gboolean
vgmDriverSnapshotRevertOp(const VgmDriverStore *store, const char *name, gconstpointer data,
                          VgmDriverSnapshotOutcome *out, GError **error)
{
    const VgmDriverSnapshotArgs *a = data;

    return vgmDriverSnapshotRevert(store, name, a->snap, a->flags, out, error);
}

gboolean
vgmDriverSnapshotTake(VgmDriver *drv, const char *name, const char *xml, unsigned int flags,
                      char **snap, GError **error)
{
    VgmDriverSnapshotArgs a = { .xml = xml, .flags = flags, .made = snap };
    g_autoptr(GError) err = NULL;
    gboolean quiesce;
    gboolean ok;

    if (!vgmDriverCheckFlags(flags, (VGM_SNAPSHOT_CREATE_VALIDATE << 1) - 1, error))
        return FALSE;
    /* a quiesced disk-only snapshot: the guest agent freezes the guest's
     * file systems around it (the freeze takes the domain itself), once
     * every check of the snapshot has passed, so that one refused does
     * not freeze the guest; a redefinition takes no snapshot and freezes
     * nothing, as in libvirt */
    quiesce = (flags & VGM_SNAPSHOT_CREATE_QUIESCE) && (flags & VGM_SNAPSHOT_CREATE_DISK_ONLY) &&
              !(flags & VGM_SNAPSHOT_CREATE_REDEFINE);
    if (quiesce) {
        g_auto(VgmDriverSnapshotOutcome) none = { 0 };
        g_autofree char *unused = NULL;
        VGM_DRIVER_DOMAIN_LOCKED(drv, name);

        if (!vgmDriverSnapshotCreate(drv->store, name, xml,
                                     flags | VGM_DRIVER_SNAPSHOT_CREATE_CHECK_ONLY, &unused, &none,
                                     error))
            return FALSE;
    }
    if (quiesce && vgmDriverFSFreeze(drv, name, NULL, 0, 0, &err) < 0) {
        vgmErrorSet(error, err->domain == VGM_ERROR ? err->code : VGM_ERR_OPERATION_FAILED,
                    _("cannot quiesce the guest of domain '%1$s' for its snapshot: %2$s"), name,
                    err->message);
        return FALSE;
    }
    ok = vgmDriverSnapshotRun(drv, name, vgmDriverSnapshotCreateOp, &a, TRUE, error);
    if (quiesce && vgmDriverFSThaw(drv, name, NULL, 0, 0, &err) < 0)
        g_warning(_("domain '%1$s': the guest's file systems stay frozen after its snapshot: %2$s"),
                  name, err->message);
    return ok;
}

gboolean
vgmDriverSnapshotRevertTo(VgmDriver *drv, const char *name, const char *snap,
                          unsigned int flags, GError **error)
{
    VgmDriverSnapshotArgs a = { .snap = snap, .flags = flags };

    return vgmDriverCheckFlags(flags, (VGM_SNAPSHOT_REVERT_RESET_NVRAM << 1) - 1, error) &&
           vgmDriverSnapshotRun(drv, name, vgmDriverSnapshotRevertOp, &a, FALSE, error);
}

gboolean
vgmDriverSnapshotRemove(VgmDriver *drv, const char *name, const char *snap, unsigned int flags,
                        GError **error)
{
    g_autoptr(GPtrArray) merges = NULL;
    gboolean active = FALSE;
    guint i;

    if (!vgmDriverCheckFlags(flags, (VGM_SNAPSHOT_DELETE_CHILDREN_ONLY << 1) - 1, error))
        return FALSE;
    {
        VGM_DRIVER_DOMAIN_LOCKED(drv, name);

        if (!(merges = vgmDriverSnapshotMerges(drv->store, name, snap, flags, &active, error)))
            return FALSE;
        /* (a shut-off domain's merges under the same lock: nothing runs
         * it meanwhile) */
        if (merges->len > 0 && !active &&
            !vgmDriverSnapshotMergeOffline(drv->store, name, merges, error))
            return FALSE;
        if (merges->len == 0 || !active)
            return vgmDriverSnapshotDelete(drv->store, name, snap,
                                           merges->len ? flags | VGM_SNAPSHOT_DELETE_METADATA_ONLY
                                                       : flags,
                                           error);
    }
    /* an external snapshot of a running domain: its images merged first
     * (as libvirt 9.0), by the block jobs a client would run, then its
     * metadata; a delete that fails half-way is taken up again by the
     * next, which finds the disks merged */
    for (i = 0; i < merges->len; i++) {
        const VgmDriverSnapshotMerge *m = g_ptr_array_index(merges, i);

        if (!vgmDriverBlockMerge(drv, name, m->dst, m->overlay, m->base, m->top, error))
            return FALSE;
        vgmDriverSnapshotMergeDone(m);
    }
    {
        VGM_DRIVER_DOMAIN_LOCKED(drv, name);

        return vgmDriverSnapshotDelete(drv->store, name, snap,
                                       flags | VGM_SNAPSHOT_DELETE_METADATA_ONLY, error);
    }
}

/* The running domain @name (a refusal else, as libvirt's job calls
 * refuse a shut-off domain) */
static gboolean
vgmDriverJobDomainActive(VgmDriver *drv, const char *name, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = vgmDriverDomainLookupByName(drv->store, name,
                                                                VGM_DRIVER_LOOKUP_BRIEF, error);

    if (!dom)
        return FALSE;
    if (!vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("domain '%1$s' is not running"), name);
        return FALSE;
    }
    return TRUE;
}

gboolean
vgmDriverGetJobInfo(VgmDriver *drv, const char *name, VgmDriverJobInfo *info, GError **error)
{
    VgmDriverJob *job;

    memset(info, 0, sizeof(*info));
    if (!vgmDriverJobDomainActive(drv, name, error))
        return FALSE;
    g_mutex_lock(&drv->jobsLock);
    if ((job = g_hash_table_lookup(drv->jobs, name))) {
        g_mutex_lock(&job->lock);
        info->type = VGM_DOMAIN_JOB_UNBOUNDED;
        info->operation = job->operation;
        info->elapsedMs = (guint64)(g_get_monotonic_time() - job->started) / 1000;
        info->memTotal = job->memTotal;
        info->memProcessed = job->memProcessed;
        info->memRemaining = job->memRemaining;
        info->memBps = job->memBps;
        g_mutex_unlock(&job->lock);
    }
    g_mutex_unlock(&drv->jobsLock);
    return TRUE;
}

gboolean
vgmDriverGetControlInfo(VgmDriver *drv, const char *name, unsigned int flags,
                        VgmDriverControlInfo *info, GError **error)
{
    VgmDriverJobInfo job;

    memset(info, 0, sizeof(*info));
    if (!vgmDriverCheckFlags(flags, 0, error) || !vgmDriverGetJobInfo(drv, name, &job, error))
        return FALSE;
    if (job.type != VGM_DOMAIN_JOB_NONE) {
        info->state = VGM_DOMAIN_CONTROL_JOB;
        info->stateTimeMs = job.elapsedMs;
    } else if (vgmDriverStoreGetBusy(drv->store, name)) {
        info->state = VGM_DOMAIN_CONTROL_OCCUPIED;
    }
    return TRUE;
}

GPtrArray *
vgmDriverGetJobStats(VgmDriver *drv, const char *name, unsigned int flags, int *type,
                     GError **error)
{
    GPtrArray *params;
    VgmDriverJobInfo info;
    const struct {
        const char *field;
        const guint64 *value;
    } fields[] = {
        /* libvirt's names: the guest's memory is all the data a save has */
        { "time_elapsed", &info.elapsedMs },
        { "data_total", &info.memTotal },
        { "data_processed", &info.memProcessed },
        { "data_remaining", &info.memRemaining },
        { "memory_total", &info.memTotal },
        { "memory_processed", &info.memProcessed },
        { "memory_remaining", &info.memRemaining },
        { "memory_bps", &info.memBps },
    };
    size_t i;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_JOB_STATS_COMPLETED |
                                    VGM_DOMAIN_JOB_STATS_KEEP_COMPLETED, error))
        return NULL;
    if (flags & VGM_DOMAIN_JOB_STATS_COMPLETED) {
        g_autoptr(VgmDriverDomain) dom = NULL;
        GPtrArray *kept;

        /* as libvirt: of a shut-off domain too (a save's), none while a
         * job runs; read once unless KEEP_COMPLETED */
        if (!(dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF,
                                                error)))
            return NULL;
        params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
        *type = VGM_DOMAIN_JOB_NONE;
        g_mutex_lock(&drv->jobsLock);
        if (!g_hash_table_contains(drv->jobs, name) &&
            (kept = g_hash_table_lookup(drv->completed, name))) {
            for (i = 0; i < kept->len; i++) {
                const VgmTypedParam *p = g_ptr_array_index(kept, i);
                VgmTypedParam *c = vgmTypedParamAdd(params, p->field, p->type);

                c->v = p->v;
            }
            *type = VGM_DOMAIN_JOB_COMPLETED;
            if (!(flags & VGM_DOMAIN_JOB_STATS_KEEP_COMPLETED))
                g_hash_table_remove(drv->completed, name);
        }
        g_mutex_unlock(&drv->jobsLock);
        return params;
    }
    params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    if (!vgmDriverGetJobInfo(drv, name, &info, error)) {
        g_ptr_array_unref(params);
        return NULL;
    }
    *type = info.type;
    if (info.type == VGM_DOMAIN_JOB_NONE)
        return params;
    vgmTypedParamAdd(params, "operation", VGM_TYPED_PARAM_INT)->v.i = info.operation;
    for (i = 0; i < G_N_ELEMENTS(fields); i++)
        vgmTypedParamAdd(params, fields[i].field, VGM_TYPED_PARAM_ULLONG)->v.ul =
            *fields[i].value;
    return params;
}

gboolean
vgmDriverAbortJob(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    VgmDriverJob *job;

    if (flags & VGM_DOMAIN_ABORT_JOB_POSTCOPY) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, "%s",
                    _("the domain's job is not an outgoing migration in post-copy mode"));
        return FALSE;
    }
    if (!vgmDriverCheckFlags(flags, 0, error) || !vgmDriverJobDomainActive(drv, name, error))
        return FALSE;
    g_mutex_lock(&drv->jobsLock);
    if ((job = g_hash_table_lookup(drv->jobs, name))) {
        const char *what;

        g_mutex_lock(&job->lock);
        if (!(what = job->noAbort))
            job->abort = TRUE;
        g_mutex_unlock(&job->lock);
        if (what) {
            g_mutex_unlock(&drv->jobsLock);
            vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _(what), name);
            return FALSE;
        }
    }
    g_mutex_unlock(&drv->jobsLock);
    if (!job) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("no job is active on domain '%1$s'"), name);
        return FALSE;
    }
    return TRUE;
}

VgmDriverDomain *
vgmDriverRestore(VgmDriver *drv, const char *path, const char *dxml, unsigned int flags,
                 GError **error)
{
    g_autofree char *xml = NULL;
    g_autoptr(VgmDomainDef) def = NULL;
    VgmDriverDomain *dom;
    gboolean running;
    GMutex *m;

    if (!vgmDriverCheckSaveFlags(flags, VGM_SAVE_BYPASS_CACHE | VGM_SAVE_RESET_NVRAM, error))
        return NULL;
    /* the name first, for the in-process serialisation; the driver reads
     * the image again under the domain's lock */
    if (!vgmDriverSaveImageOpen(path, &xml, &running, NULL, error) ||
        !(def = vgmDomainDefParseString(xml, path, VGM_DOMAIN_PARSE_SKIP_VALIDATE |
                                        VGM_DOMAIN_PARSE_NO_ADDRESSES, error)))
        return NULL;
    m = vgmDriverDomainMutex(drv, def->name);
    g_mutex_lock(m);
    dom = vgmDriverDomainRestore(drv->store, path, dxml,
                                 ((flags & VGM_SAVE_RUNNING) ? VGM_DRIVER_START_RUNNING : 0) |
                                 ((flags & VGM_SAVE_PAUSED) ? VGM_DRIVER_START_PAUSED : 0) |
                                 ((flags & VGM_SAVE_BYPASS_CACHE) ?
                                  VGM_DRIVER_START_BYPASS_CACHE : 0) |
                                 ((flags & VGM_SAVE_RESET_NVRAM) ? VGM_DRIVER_START_RESET_NVRAM : 0),
                                 error);
    g_mutex_unlock(m);
    if (dom)
        vgmDriverEmitStarted(drv, dom, 0);
    return dom;
}

gboolean
vgmDriverHasManagedSave(VgmDriver *drv, const char *name)
{
    return vgmDriverSaveHasManaged(drv->store, name);
}

gboolean
vgmDriverManagedSaveRemove(VgmDriver *drv, const char *name, unsigned int flags,
                           GError **error)
{
    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainManagedSaveRemove(drv->store, name, error);
}

char *
vgmDriverSaveImageGetXML(VgmDriver *drv, const char *name, const char *path,
                         unsigned int flags, GError **error)
{
    g_autofree char *xml = NULL;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_XML_SECURE, error) ||
        !(xml = vgmDriverDomainSaveImageXML(drv->store, name, path, error)))
        return NULL;
    if (flags & VGM_DOMAIN_XML_SECURE)
        return g_steal_pointer(&xml);
    return vgmDomainXMLHideSecrets(xml);
}

gboolean
vgmDriverSaveImageDefine(VgmDriver *drv, const char *name, const char *path, const char *xml,
                         unsigned int flags, GError **error)
{
    int running = (flags & VGM_SAVE_RUNNING) ? 1 : (flags & VGM_SAVE_PAUSED) ? 0 : -1;

    if (!vgmDriverCheckSaveFlags(flags, 0, error))
        return FALSE;
    if (!name)
        return vgmDriverDomainSaveImageDefine(drv->store, NULL, path, xml, running, error);
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainSaveImageDefine(drv->store, name, NULL, xml, running, error);
}

gboolean
vgmDriverSuspend(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    /* as libvirt: suspending a paused domain is no error, and no event */
    if ((dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, NULL)) &&
        dom->state == VGM_DOMAIN_STATE_PAUSED && vgmDriverDomainIsActive(dom))
        return TRUE;
    g_clear_pointer(&dom, vgmDriverDomainFree);
    if (!vgmDriverChange(drv, name, vgmDriverDomainSuspend, &dom, error))
        return FALSE;
    vgmDriverEmitDomain(drv, dom, VGM_EVENT_SUSPENDED, VGM_EVENT_SUSPENDED_PAUSED);
    return TRUE;
}

gboolean
vgmDriverLiveUpdate(VgmDriver *drv, const char *name, const char *emulator,
                    unsigned int flags, gint64 *pauseUs, GError **error)
{
    GMutex *m;
    gboolean ok;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    ok = vgmDriverDomainLiveUpdate(drv->store, name, emulator, pauseUs, error);
    g_mutex_unlock(m);
    /* the new QEMU's events, from now on */
    if (ok)
        vgmDriverWatchNewRun(drv, name);
    return ok;
}

gboolean
vgmDriverResume(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    GMutex *m;
    gboolean ok;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    /* a guest on its way elsewhere waits for its migration's confirm: at
     * once while QEMU sends it, and once the domain's mutex is had (the
     * perform may have begun since) */
    if (vgmDriverMigrationBusy(drv, name, error))
        return FALSE;
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    ok = !vgmDriverMigrationBusy(drv, name, error) &&
         (dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, error)) &&
         vgmDriverDomainResume(drv->store, name, NULL, error);
    g_mutex_unlock(m);
    if (!ok)
        return FALSE;
    vgmDriverEmitDomain(drv, dom, VGM_EVENT_RESUMED, VGM_EVENT_RESUMED_UNPAUSED);
    return TRUE;
}

gboolean
vgmDriverReset(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    /* QEMU's RESET event then reaches REBOOT subscribers, as with libvirt */
    return vgmDriverCheckFlags(flags, 0, error) &&
           vgmDriverChange(drv, name, vgmDriverDomainReset, &dom, error);
}

gboolean
vgmDriverInjectNMI(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    return vgmDriverCheckFlags(flags, 0, error) &&
           vgmDriverChange(drv, name, vgmDriverDomainInjectNMI, &dom, error);
}

gboolean
vgmDriverPMWakeup(VgmDriver *drv, const char *name, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;

    /* QEMU's WAKEUP event then reaches PMWAKEUP subscribers */
    return vgmDriverCheckFlags(flags, 0, error) &&
           vgmDriverChange(drv, name, vgmDriverDomainPMWakeup, &dom, error);
}

gboolean
vgmDriverSendKey(VgmDriver *drv, const char *name, unsigned int codeset, unsigned int holdtime,
                 const unsigned int *codes, guint n, unsigned int flags, GError **error)
{
    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainSendKey(drv->store, name, codeset, holdtime, codes, n, error);
}

gboolean
vgmDriverSetMetadata(VgmDriver *drv, const char *name, int type, const char *metadata,
                     const char *key, const char *uri, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    GMutex *m;
    gboolean ok;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG, error))
        return FALSE;
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    ok = vgmDriverDomainSetMetadata(drv->store, name, type, metadata, key, uri, flags, error);
    g_mutex_unlock(m);
    /* as libvirt: one METADATA_CHANGE for the change, live or config */
    if (ok && (dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, NULL)))
        vgmDriverEmitEventID(drv, VGM_EVENT_ID_METADATA_CHANGE, dom->name, dom->uuid, dom->id,
                             type, 0, type == VGM_DOMAIN_METADATA_ELEMENT ? uri : NULL, NULL, 0);
    return ok;
}

gboolean
vgmDriverIOThread(VgmDriver *drv, const char *name, unsigned int id, gboolean add,
                  unsigned int flags, GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG, error))
        return FALSE;
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainIOThread(drv->store, name, id, add, flags, error);
}

gboolean
vgmDriverSetLifecycleAction(VgmDriver *drv, const char *name, unsigned int type,
                            unsigned int action, unsigned int flags, GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG, error))
        return FALSE;
    /* (libvirt numbers the actions from 0, the definition from 1) */
    if (type >= VGM_DRIVER_LIFECYCLE_LAST) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("invalid lifecycle type '%1$u'"), type);
        return FALSE;
    }
    if (action >= VGM_DOMAIN_LIFECYCLE_LAST - 1) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, _("invalid lifecycle action '%1$u'"), action);
        return FALSE;
    }
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainSetLifecycleAction(drv->store, name, type, action + 1, flags, error);
}

/* libvirt's parameter names and types, in VgmDriverIOThreadParam order */
static const VgmTypedParamSpec vgmDriverIOThreadParamSpec[VGM_DRIVER_IOTHREAD_PARAM_LAST] = {
    { "poll_max_ns", VGM_TYPED_PARAM_ULLONG },
    { "poll_grow", VGM_TYPED_PARAM_UINT },
    { "poll_shrink", VGM_TYPED_PARAM_UINT },
    { "thread_pool_min", VGM_TYPED_PARAM_INT },
    { "thread_pool_max", VGM_TYPED_PARAM_INT },
};

gboolean
vgmDriverSetIOThreadParams(VgmDriver *drv, const char *name, unsigned int id,
                           const GPtrArray *params, unsigned int flags, GError **error)
{
    const VgmTypedParam *found[VGM_DRIVER_IOTHREAD_PARAM_LAST];
    VgmDriverIOThreadParams c = { .id = id };
    size_t k;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG, error) ||
        !vgmTypedParamsCheck(params, vgmDriverIOThreadParamSpec,
                             G_N_ELEMENTS(vgmDriverIOThreadParamSpec), _("I/O thread"), found, error))
        return FALSE;
    for (k = 0; k < G_N_ELEMENTS(found); k++) {
        const VgmTypedParam *p = found[k];

        if (!p)
            continue;
        c.set[k] = TRUE;
        c.value[k] = p->type == VGM_TYPED_PARAM_ULLONG ? (gint64)MIN(p->v.ul, (guint64)G_MAXINT64) :
                     p->type == VGM_TYPED_PARAM_UINT ? (gint64)p->v.ui : (gint64)p->v.i;
        /* libvirt's ranges: QEMU takes the polling as an int; a pool size
         * of -1 is QEMU's default, and a pool of no threads none */
        if ((k <= VGM_DRIVER_IOTHREAD_POLL_SHRINK && c.value[k] > G_MAXINT) ||
            (k >= VGM_DRIVER_IOTHREAD_POOL_MIN && c.value[k] < -1) ||
            (k == VGM_DRIVER_IOTHREAD_POOL_MAX && c.value[k] == 0)) {
            vgmErrorSet(error, VGM_ERR_CONFIG_UNSUPPORTED,
                        k <= VGM_DRIVER_IOTHREAD_POLL_SHRINK ?
                        _("I/O thread parameter '%1$s' (%2$" G_GINT64_FORMAT ") must be at most 2147483647") :
                        k == VGM_DRIVER_IOTHREAD_POOL_MIN ?
                        _("I/O thread parameter '%1$s' (%2$" G_GINT64_FORMAT ") must be -1 or more") :
                        _("I/O thread parameter '%1$s' (%2$" G_GINT64_FORMAT ") must be above 0, or -1"),
                        vgmDriverIOThreadParamSpec[k].field, c.value[k]);
            return FALSE;
        }
    }
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainSetIOThreadParams(drv->store, name, &c, flags, error);
}

gboolean
vgmDriverPin(VgmDriver *drv, const char *name, VgmDriverPinKind kind, unsigned int id,
             const VgmBitmap *cpus, unsigned int flags, GError **error)
{
    /* libvirt's TUNABLE names of a live pin */
    static const char *const fields[VGM_DRIVER_PIN_LAST] = {
        [VGM_DRIVER_PIN_VCPU] = "cputune.vcpupin%u",
        [VGM_DRIVER_PIN_EMULATOR] = "cputune.emulatorpin",
        [VGM_DRIVER_PIN_IOTHREAD] = "cputune.iothreadpin%u",
    };
    g_autoptr(GPtrArray) params = NULL;
    g_autofree char *field = NULL;
    gboolean live = FALSE;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG, error))
        return FALSE;
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    if (!vgmDriverDomainPin(drv->store, name, kind, id, cpus, flags, &live, error))
        return FALSE;
    if (live && kind < VGM_DRIVER_PIN_LAST) {
        params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
        field = kind == VGM_DRIVER_PIN_EMULATOR ? g_strdup(fields[kind]) :
                                                  g_strdup_printf(fields[kind], id);
        vgmTypedParamAdd(params, field, VGM_TYPED_PARAM_STRING)->v.s = vgmBitmapFormat(cpus);
        vgmDriverEmitTunable(drv, name, params);
    }
    return TRUE;
}

gboolean
vgmDriverSetTuneParams(VgmDriver *drv, const char *name, VgmDriverTuneKind kind,
                       const GPtrArray *params, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) event = NULL;
    gboolean live = FALSE;
    guint i;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG, error))
        return FALSE;
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    if (!vgmDriverDomainSetTune(drv->store, name, kind, params, flags, &live, error))
        return FALSE;
    if (!live || kind != VGM_DRIVER_TUNE_SCHED)
        return TRUE;
    /* as libvirt: the scheduler controls set live, by their names under
     * cputune. (a period or quota of 0 leaves the running one as it is) */
    event = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    for (i = 0; i < params->len; i++) {
        const VgmTypedParam *p = g_ptr_array_index(params, i);
        g_autofree char *field = NULL;
        VgmTypedParam *q;

        if ((p->type == VGM_TYPED_PARAM_ULLONG && p->v.ul == 0 &&
             !g_str_equal(p->field, "cpu_shares")) ||
            (p->type == VGM_TYPED_PARAM_LLONG && p->v.l == 0))
            continue;
        field = g_strdup_printf("cputune.%s", p->field);
        q = vgmTypedParamAdd(event, field, p->type);
        q->v = p->v;
        if (p->type == VGM_TYPED_PARAM_STRING)
            q->v.s = g_strdup(p->v.s);
    }
    vgmDriverEmitTunable(drv, name, event);
    return TRUE;
}

gboolean
vgmDriverSetVcpu(VgmDriver *drv, const char *name, const char *cpumap, int state,
                 unsigned int flags, GError **error)
{
    g_autoptr(VgmBitmap) map = NULL;
    g_autoptr(GError) err = NULL;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG, error))
        return FALSE;
    if (state != 0 && state != 1) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("vCPU state %1$d: 1 enables, 0 disables"), state);
        return FALSE;
    }
    /* (an empty list is refused too; libvirt's code is an invalid argument) */
    if (!(map = vgmBitmapParse(cpumap, _("the vCPU map"), &err))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s", err->message);
        return FALSE;
    }
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainSetVcpu(drv->store, name, map, state == 1, flags, error);
}

int
vgmDriverGetVcpuCount(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags, GError **error)
{
    g_autoptr(VgmDomainDef) config = NULL;
    const VgmDomainDef *def;

    /* the guest's own count, through its agent: of the running guest only */
    if (flags & VGM_DOMAIN_VCPU_GUEST) {
        if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_VCPU_MAXIMUM |
                                        VGM_DOMAIN_VCPU_GUEST, error))
            return -1;
        /* (libvirt's code: an invalid argument) */
        if (!vgmDriverDomainIsActive(dom)) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("the guest's vCPU count (VIR_DOMAIN_VCPU_GUEST) is that of a running domain: '%1$s' is not running"),
                        dom->name);
            return -1;
        }
        return vgmDriverGuestVcpuCount(drv, dom->name, (flags & VGM_DOMAIN_VCPU_MAXIMUM) != 0,
                                       error);
    }
    /* the live domain's counts, or (CONFIG) its config's */
    if (!(def = vgmDriverReadDef(drv, dom, flags, VGM_DOMAIN_VCPU_MAXIMUM, &config, error)))
        return -1;
    if ((flags & VGM_DOMAIN_VCPU_MAXIMUM) || !def->vcpusCurrent)
        return (int)def->vcpus;
    return (int)def->vcpusCurrent;
}

gboolean
vgmDriverSetVcpus(VgmDriver *drv, const char *name, unsigned int nvcpus, unsigned int flags,
                  GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG |
                                    VGM_DOMAIN_VCPU_MAXIMUM | VGM_DOMAIN_VCPU_GUEST |
                                    VGM_DOMAIN_VCPU_HOTPLUGGABLE, error))
        return FALSE;
    if (nvcpus == 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s", _("a domain needs at least one vCPU"));
        return FALSE;
    }
    if ((flags & VGM_DOMAIN_VCPU_GUEST) &&
        (flags & (VGM_DOMAIN_AFFECT_CONFIG | VGM_DOMAIN_VCPU_MAXIMUM |
                  VGM_DOMAIN_VCPU_HOTPLUGGABLE))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("the guest's vCPUs (VIR_DOMAIN_VCPU_GUEST) are those of the running guest: not with --config, --maximum or --hotpluggable"));
        return FALSE;
    }
    if (flags & VGM_DOMAIN_VCPU_GUEST)
        return vgmDriverSetGuestVcpuCount(drv, name, nvcpus, error);
    /* (a vCPU plugged into a running domain can be unplugged; a config's
     * would have to be listed in <vcpus>) */
    if ((flags & VGM_DOMAIN_VCPU_HOTPLUGGABLE) && (flags & VGM_DOMAIN_AFFECT_CONFIG)) {
        vgmErrorSet(error, VGM_ERR_NO_SUPPORT, "%s",
                    _("hot-pluggable vCPUs of a config (--hotpluggable --config) are set in its <vcpus> list: edit that list in its XML"));
        return FALSE;
    }
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainSetVcpus(drv->store, name, nvcpus,
                                   flags & ~VGM_DOMAIN_VCPU_HOTPLUGGABLE, error);
}

gboolean
vgmDriverSetMemory(VgmDriver *drv, const char *name, unsigned long long kib, unsigned int flags,
                   GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG |
                                    VGM_DOMAIN_MEM_MAXIMUM, error))
        return FALSE;
    if (kib == 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s", _("a domain's memory cannot be 0 KiB"));
        return FALSE;
    }
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainSetMemory(drv->store, name, kib, flags, error);
}

int
vgmDriverScreenshot(VgmDriver *drv, const char *name, unsigned int screen, unsigned int flags,
                    char **mime, GError **error)
{
    if (!vgmDriverCheckFlags(flags, 0, error))
        return -1;
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainScreenshot(drv->store, name, screen, mime, error);
}

gboolean
vgmDriverSetMemoryStatsPeriod(VgmDriver *drv, const char *name, int period, unsigned int flags,
                              GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG, error))
        return FALSE;
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainSetMemoryStatsPeriod(drv->store, name, period, flags, error);
}

char *
vgmDriverMonitorCommand(VgmDriver *drv, const char *name, const char *cmd, unsigned int flags,
                        GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    char *out;
    int paused;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_QEMU_MONITOR_COMMAND_HMP, error))
        return NULL;
    {
        VGM_DRIVER_DOMAIN_LOCKED(drv, name);
        out = vgmDriverDomainMonitorCommand(drv->store, name, cmd,
                                            (flags & VGM_DOMAIN_QEMU_MONITOR_COMMAND_HMP) != 0,
                                            &paused, error);
    }
    /* QEMU's STOP or RESUME, which libvirt reports whoever caused it */
    if (out && paused >= 0 &&
        (dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_BRIEF, NULL)))
        vgmDriverEmitDomain(drv, dom, paused ? VGM_EVENT_SUSPENDED : VGM_EVENT_RESUMED,
                            paused ? VGM_EVENT_SUSPENDED_PAUSED : VGM_EVENT_RESUMED_UNPAUSED);
    return out;
}

void
vgmDriverTaint(VgmDriver *drv, const char *name, VgmDriverTaint taint)
{
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    vgmDriverDomainTaint(drv->store, name, taint);
}

char **
vgmDriverGetMessages(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags, GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_MESSAGE_DEPRECATION | VGM_DOMAIN_MESSAGE_TAINTING,
                             error))
        return NULL;
    return vgmDriverDomainMessages(dom, flags);
}

gboolean
vgmDriverAgentSetResponseTimeout(VgmDriver *drv, const char *name, int timeout,
                                 unsigned int flags, GError **error)
{
    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    if (timeout < VGM_QEMU_AGENT_TIMEOUT_BLOCK) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("guest agent timeout %1$d is below -2 (-2 waits, -1 is the default, 0 does not wait)"),
                    timeout);
        return FALSE;
    }
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainSetAgentTimeout(drv->store, name, timeout, error);
}

gboolean
vgmDriverChangeDevice(VgmDriver *drv, const char *name, const char *xml, VgmDriverDeviceOp op,
                      unsigned int flags, GError **error)
{
    g_autofree char *alias = NULL;
    GMutex *m;
    gboolean ok;

    /* virDomainDeviceModifyFlags: FORCE (an update's forced eject) has
     * nothing to force in a config */
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG |
                                    (op == VGM_DRIVER_DEVICE_UPDATE ? VGM_DOMAIN_DEVICE_MODIFY_FORCE : 0),
                             error))
        return FALSE;
    m = vgmDriverDomainMutex(drv, name);
    g_mutex_lock(m);
    ok = vgmDriverDomainChangeDevice(drv->store, name, xml, op, flags, &alias, error);
    g_mutex_unlock(m);
    /* (libvirt raises no event for a change of the config's devices; a
     * device plugged is DEVICE_ADDED; a device the guest let go of is
     * DEVICE_REMOVED, now or when the watcher hears of it) */
    if (ok && alias)
        vgmDriverEmitDeviceEvent(drv, name, op == VGM_DRIVER_DEVICE_ATTACH ?
                                 VGM_EVENT_ID_DEVICE_ADDED : VGM_EVENT_ID_DEVICE_REMOVED, alias);
    return ok;
}

gboolean
vgmDriverDetachDeviceAlias(VgmDriver *drv, const char *name, const char *alias,
                           unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autofree char *domXml = NULL;
    g_autofree char *devXml = NULL;
    gboolean live;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG, error) ||
        !(dom = vgmDriverDomainLookupByName(drv->store, name, VGM_DRIVER_LOOKUP_FULL, error)))
        return FALSE;
    live = (flags & VGM_DOMAIN_AFFECT_LIVE) ||
           (!(flags & VGM_DOMAIN_AFFECT_CONFIG) && vgmDriverDomainIsActive(dom));
    if (live && !vgmDriverDomainIsActive(dom)) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("domain '%1$s' is not running"), name);
        return FALSE;
    }
    /* the device as the XML it is named in has it; the detach names it
     * by its alias and address among the others */
    if (!(domXml = vgmDriverDomainFormatXML(drv->store, dom, !live, error)) ||
        !(devXml = vgmDriverDeviceFindAlias(domXml, alias, error)))
        return FALSE;
    /* with both, the config must have a device of that alias too (it
     * keeps user aliases only), as libvirt looks the alias up in each:
     * each goes as its own XML has it (a live plug may have moved the
     * run's addresses away from the config's) */
    if (live && (flags & VGM_DOMAIN_AFFECT_CONFIG)) {
        g_autofree char *cfgXml = vgmDriverDomainFormatXML(drv->store, dom, TRUE, error);
        g_autofree char *cfgDev = cfgXml ? vgmDriverDeviceFindAlias(cfgXml, alias, error) : NULL;

        return cfgDev &&
               vgmDriverChangeDevice(drv, name, devXml, VGM_DRIVER_DEVICE_DETACH,
                                     VGM_DOMAIN_AFFECT_LIVE, error) &&
               vgmDriverChangeDevice(drv, name, cfgDev, VGM_DRIVER_DEVICE_DETACH,
                                     VGM_DOMAIN_AFFECT_CONFIG, error);
    }
    return vgmDriverChangeDevice(drv, name, devXml, VGM_DRIVER_DEVICE_DETACH, flags, error);
}

void
vgmDriverDeviceDeleted(VgmDriver *drv, const char *name, const char *id)
{
    GMutex *m = vgmDriverDomainMutex(drv, name);
    g_autoptr(GError) err = NULL;
    gboolean finished = FALSE;

    g_mutex_lock(m);
    /* (a transient domain that ended since is gone) */
    if (!vgmDriverDomainDeviceDeleted(drv->store, name, id, &finished, &err) &&
        !g_error_matches(err, VGM_ERROR, VGM_ERR_NO_DOMAIN))
        g_warning(_("domain '%1$s': the guest let device '%2$s' go, but its removal failed: %3$s"),
                  name, id, err->message);
    g_mutex_unlock(m);
    if (finished)
        vgmDriverEmitDeviceEvent(drv, name, VGM_EVENT_ID_DEVICE_REMOVED, id);
}

gboolean
vgmDriverGetAutostart(VgmDriver *drv, const VgmDriverDomain *dom)
{
    return dom->persistent && vgmDriverDomainGetAutostart(drv->store, dom->name);
}

gboolean
vgmDriverSetAutostart(VgmDriver *drv, const char *name, gboolean autostart, GError **error)
{
    GMutex *m = vgmDriverDomainMutex(drv, name);
    gboolean ok;

    g_mutex_lock(m);
    ok = vgmDriverDomainSetAutostart(drv->store, name, autostart, error);
    g_mutex_unlock(m);
    return ok;
}

void
vgmDriverMigrateCleanStale(VgmDriver *drv)
{
    g_autoptr(GPtrArray) doms = NULL;

    if (!(doms = vgmDriverListDomainsFlags(drv, VGM_LIST_DOMAINS_ACTIVE, VGM_DRIVER_LOOKUP_BRIEF,
                                           NULL)))
        return;
    for (guint i = 0; i < doms->len; i++) {
        const VgmDriverDomain *dom = g_ptr_array_index(doms, i);
        GMutex *m;
        gboolean stale;

        m = vgmDriverDomainMutex(drv, dom->name);
        g_mutex_lock(m);
        if (drv->watch && dom->status && dom->status->qemu.pid > 0)
            vgmDriverWatchReported(drv->watch, dom->name, dom->status->qemu.pid);
        stale = vgmDriverDomainMigrateStale(drv->store, dom->name, NULL);
        if (!stale && drv->watch && dom->status && dom->status->qemu.pid > 0)
            vgmDriverWatchUnreported(drv->watch, dom->name, dom->status->qemu.pid);
        g_mutex_unlock(m);
        if (stale) {
            g_message(_("domain '%1$s' waited for a migration that a restart of the daemon ended: its QEMU is stopped"),
                      dom->name);
            vgmDriverEmitDomain(drv, dom, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_FAILED);
        }
    }
}

void
vgmDriverMigrateAbandon(VgmDriver *drv, const char *name, guint64 id)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    gboolean pending;

    /* (nothing when its finish came, or another prepare's is pending) */
    g_mutex_lock(&drv->jobsLock);
    {
        VgmDriverMigration *mig = g_hash_table_lookup(drv->migrations, name);

        pending = mig && mig->incoming && mig->id == id;
    }
    g_mutex_unlock(&drv->jobsLock);
    if (pending)
        dom = vgmDriverMigrateFinishId(drv, name, 0, TRUE, id, NULL);
}

void
vgmDriverMigrateForget(VgmDriver *drv, const char *name, guint64 id)
{
    g_autoptr(GError) err = NULL;
    VgmDriverMigration *mig;
    GMutex *m = vgmDriverDomainMutex(drv, name);

    g_mutex_lock(m);
    mig = vgmDriverMigrationTakeId(drv, name, FALSE, id, &err);
    g_mutex_unlock(m);
    if (!mig)
        return;
    g_warning(_("the client migrating domain '%1$s' went away before its confirm: whether it runs at the destination is not known, so it stays paused here"),
              name);
    vgmDriverMigrationFree(mig);
}

void
vgmDriverAutostartDomains(VgmDriver *drv)
{
    g_autoptr(GPtrArray) doms = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *marker = NULL;
    g_autofree char *runParent = g_path_get_dirname(drv->store->runDir);

    /* once per boot, as libvirtd does: a later start of the daemon (an
     * upgrade, a crash) leaves the domains as they are, also the ones a
     * user shut down since */
    marker = g_build_filename(runParent, "autostarted", NULL);
    if (g_file_test(marker, G_FILE_TEST_EXISTS))
        return;
    if (!vgmFileWriteAtomic(marker, "", 0, 0644, &err)) {
        g_warning(_("no domain autostarts: %1$s"), err->message);
        return;
    }
    if (!(doms = vgmDriverListDomainsFlags(drv, VGM_LIST_DOMAINS_INACTIVE |
                                           VGM_LIST_DOMAINS_PERSISTENT |
                                           VGM_LIST_DOMAINS_AUTOSTART, VGM_DRIVER_LOOKUP_BRIEF,
                                           &err))) {
        g_warning(_("no domain autostarts: %1$s"), err->message);
        return;
    }
    for (guint i = 0; i < doms->len; i++) {
        const VgmDriverDomain *dom = g_ptr_array_index(doms, i);
        g_autoptr(VgmDriverDomain) started = NULL;
        g_autoptr(GError) e = NULL;

        if (!(started = vgmDriverStart(drv, dom->name, 0, &e)))
            g_warning(_("domain '%1$s' did not autostart: %2$s"), dom->name, e->message);
    }
}

/* ---- reading a domain ---- */

char *
vgmDriverGetXMLDesc(VgmDriver *drv, const VgmDriverDomain *dom, unsigned int flags,
                    GError **error)
{
    gboolean inactive = (flags & VGM_DOMAIN_XML_INACTIVE) != 0;
    g_autofree char *xml = NULL;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_XML_FLAGS_OK, error) ||
        !(xml = (flags & VGM_DOMAIN_XML_MIGRATABLE) ?
                vgmDriverDomainFormatMigratable(drv->store, dom, inactive, error) :
                vgmDriverDomainFormatXML(drv->store, dom, inactive, error)))
        return NULL;
    /* as libvirt: a running domain's live CPU is the one it became */
    if ((flags & VGM_DOMAIN_XML_UPDATE_CPU) && (inactive || !dom->status)) {
        g_autofree char *given = g_steal_pointer(&xml);

        if (!(xml = vgmDriverDomainUpdateCpuXML(drv->store, given, error)))
            return NULL;
    }
    /* graphics passwords only to who asks for them, and in the migratable
     * form, which a migration's destination starts from (libvirt's QEMU
     * driver formats it secure) */
    if (flags & (VGM_DOMAIN_XML_SECURE | VGM_DOMAIN_XML_MIGRATABLE))
        return g_steal_pointer(&xml);
    return vgmDomainXMLHideSecrets(xml);
}

void
vgmDriverGetInfo(const VgmDriverDomain *dom, VgmDriverDomainInfo *info)
{
    const VgmDomainDef *def = dom->def;

    info->state = dom->state;
    info->maxMemKiB = def->memory;
    info->memoryKiB = def->curMemory ? def->curMemory : def->memory;
    info->nrVirtCpu = def->vcpusCurrent ? def->vcpusCurrent : def->vcpus;
    info->cpuTimeNs = dom->status ? vgmDriverProcessCpuTime(dom->status->qemu.pid) : 0;
}

/* libvirt's reason numbers, per state, for the reason words the driver
 * gives (virDomainRunningReason, virDomainPausedReason, ...). */
static const struct {
    VgmDomainState state;
    const char *reason;
    int code;
} vgmDriverReasons[] = {
    { VGM_DOMAIN_STATE_RUNNING, "booted", 1 },
    { VGM_DOMAIN_STATE_RUNNING, "migrated", 2 },
    { VGM_DOMAIN_STATE_RUNNING, "restored", 3 },
    { VGM_DOMAIN_STATE_RUNNING, "from snapshot", 4 },
    { VGM_DOMAIN_STATE_RUNNING, "unpaused", 5 },
    { VGM_DOMAIN_STATE_PAUSED, "user", 1 },
    { VGM_DOMAIN_STATE_PAUSED, "migrating", 2 },
    { VGM_DOMAIN_STATE_PAUSED, "saving", 3 },
    { VGM_DOMAIN_STATE_PAUSED, "dumping", 4 },
    { VGM_DOMAIN_STATE_PAUSED, "I/O error", 5 },
    { VGM_DOMAIN_STATE_PAUSED, "watchdog", 6 },
    { VGM_DOMAIN_STATE_PAUSED, "from snapshot", 7 },
    { VGM_DOMAIN_STATE_PAUSED, "snapshot", 9 },
    { VGM_DOMAIN_STATE_PAUSED, "starting up", 11 },
    { VGM_DOMAIN_STATE_SHUTDOWN, "user", 1 },
    { VGM_DOMAIN_STATE_SHUTOFF, "shutdown", 1 },
    { VGM_DOMAIN_STATE_SHUTOFF, "destroyed", 2 },
    { VGM_DOMAIN_STATE_SHUTOFF, "crashed", 3 },
    { VGM_DOMAIN_STATE_SHUTOFF, "migrated", 4 },
    { VGM_DOMAIN_STATE_SHUTOFF, "saved", 5 },
    { VGM_DOMAIN_STATE_SHUTOFF, "failed", 6 },
    { VGM_DOMAIN_STATE_SHUTOFF, "from snapshot", 7 },
    { VGM_DOMAIN_STATE_CRASHED, "panicked", 1 },
};

int
vgmDriverGetStateReason(const VgmDriverDomain *dom)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(vgmDriverReasons); i++) {
        if (vgmDriverReasons[i].state == dom->state &&
            g_strcmp0(vgmDriverReasons[i].reason, dom->reason) == 0)
            return vgmDriverReasons[i].code;
    }
    return 0; /* unknown, in every state */
}

/* ---- the host and the hypervisor ---- */

void
vgmDriverAbandonProbes(VgmDriver *drv G_GNUC_UNUSED)
{
    vgmQemuCapsProbesAbort();
}

char *
vgmDriverGetCapabilities(VgmDriver *drv, GError **error)
{
    return vgmDriverCapabilities(drv->store, error);
}

char *
vgmDriverGetSysinfo(VgmDriver *drv G_GNUC_UNUSED, unsigned int flags, GError **error)
{
    if (!vgmDriverCheckFlags(flags, 0, error))
        return NULL;
    return vgmHostSysinfoRead(error);
}

int
vgmDriverGetMaxVcpus(VgmDriver *drv, const char *type, GError **error)
{
    if (!type || g_ascii_strcasecmp(type, "qemu") == 0)
        return 16;
    if (g_ascii_strcasecmp(type, "kvm") == 0)
        return vgmHostKvmMaxVcpus(NULL, error);
    vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                _("unknown virtualization type '%1$s': expected 'kvm' or 'qemu'"), type);
    return -1;
}

/* libvirt's node memory parameters: the kernel's same-page merging, in
 * VgmNodeKsmField order; the settings can be set */
static const struct {
    const char *field;
    int type;
    gboolean settable;
} vgmDriverNodeMemoryParams[VGM_NODE_KSM_LAST] = {
    [VGM_NODE_KSM_PAGES_TO_SCAN] = { "shm_pages_to_scan", VGM_TYPED_PARAM_UINT, TRUE },
    [VGM_NODE_KSM_SLEEP_MILLISECS] = { "shm_sleep_millisecs", VGM_TYPED_PARAM_UINT, TRUE },
    [VGM_NODE_KSM_PAGES_SHARED] = { "shm_pages_shared", VGM_TYPED_PARAM_ULLONG, FALSE },
    [VGM_NODE_KSM_PAGES_SHARING] = { "shm_pages_sharing", VGM_TYPED_PARAM_ULLONG, FALSE },
    [VGM_NODE_KSM_PAGES_UNSHARED] = { "shm_pages_unshared", VGM_TYPED_PARAM_ULLONG, FALSE },
    [VGM_NODE_KSM_PAGES_VOLATILE] = { "shm_pages_volatile", VGM_TYPED_PARAM_ULLONG, FALSE },
    [VGM_NODE_KSM_FULL_SCANS] = { "shm_full_scans", VGM_TYPED_PARAM_ULLONG, FALSE },
    [VGM_NODE_KSM_MERGE_ACROSS_NODES] = { "shm_merge_across_nodes", VGM_TYPED_PARAM_UINT, TRUE },
};

GPtrArray *
vgmDriverNodeGetMemoryParameters(VgmDriver *drv, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    int k;

    if (!vgmDriverCheckFlags(flags, VGM_TYPED_PARAM_STRING_OKAY, error))
        return NULL;
    for (k = 0; k < VGM_NODE_KSM_LAST; k++) {
        VgmTypedParam *p;
        guint64 v = 0;
        gboolean found;

        if (!vgmNodeKsmRead(NULL, k, &v, &found, error))
            return NULL;
        /* (a kernel without the file leaves its parameter out) */
        if (!found)
            continue;
        if (vgmDriverNodeMemoryParams[k].type == VGM_TYPED_PARAM_UINT && v > G_MAXUINT) {
            vgmErrorSet(error, VGM_ERR_OPERATION_FAILED,
                        _("the kernel's value of %1$s, %2$" G_GUINT64_FORMAT ", is not an unsigned int"),
                        vgmDriverNodeMemoryParams[k].field, v);
            return NULL;
        }
        p = vgmTypedParamAdd(params, vgmDriverNodeMemoryParams[k].field,
                             vgmDriverNodeMemoryParams[k].type);
        if (vgmDriverNodeMemoryParams[k].type == VGM_TYPED_PARAM_UINT)
            p->v.ui = (unsigned int)v;
        else
            p->v.ul = v;
    }
    return g_steal_pointer(&params);
}

gboolean
vgmDriverNodeSetMemoryParameters(VgmDriver *drv, const GPtrArray *params, unsigned int flags,
                                 GError **error)
{
    VgmTypedParamSpec spec[VGM_NODE_KSM_LAST];
    const VgmTypedParam *found[VGM_NODE_KSM_LAST];
    VgmNodeKsmField fields[VGM_NODE_KSM_LAST];
    guint64 values[VGM_NODE_KSM_LAST];
    guint n = 0;
    size_t nspec = 0;
    int k;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return FALSE;
    for (k = 0; k < VGM_NODE_KSM_LAST; k++) {
        if (!vgmDriverNodeMemoryParams[k].settable)
            continue;
        spec[nspec].field = vgmDriverNodeMemoryParams[k].field;
        spec[nspec].type = vgmDriverNodeMemoryParams[k].type;
        fields[nspec++] = k;
    }
    if (!vgmTypedParamsCheck(params, spec, nspec, _("node memory"), found, error))
        return FALSE;
    for (k = 0; k < (int)nspec; k++) {
        if (!found[k])
            continue;
        fields[n] = fields[k];
        values[n++] = found[k]->v.ui;
    }
    return n == 0 || vgmNodeKsmWrite(NULL, fields, values, n, error);
}

/* libvirt's VIR_NODE_ALLOC_PAGES_SET: the counts are the pools' sizes,
 * not pages to add */
#define VGM_DRIVER_NODE_ALLOC_PAGES_SET (1u << 0)

int
vgmDriverNodeAllocPages(VgmDriver *drv, const unsigned int *pages, const guint64 *counts,
                        guint npages, int startCell, unsigned int cellCount, unsigned int flags,
                        GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_DRIVER_NODE_ALLOC_PAGES_SET, error))
        return -1;
    return vgmNodeAllocPages(NULL, pages, counts, npages, startCell, cellCount,
                             !(flags & VGM_DRIVER_NODE_ALLOC_PAGES_SET), error);
}

/* libvirt's VIR_CONNECT_COMPARE_CPU_* and VIR_CONNECT_BASELINE_CPU_* */
enum {
    VGM_DRIVER_COMPARE_CPU_FAIL_INCOMPATIBLE = 1 << 0,
    VGM_DRIVER_COMPARE_CPU_VALIDATE_XML = 1 << 1,
    VGM_DRIVER_BASELINE_CPU_EXPAND_FEATURES = 1 << 0,
    VGM_DRIVER_BASELINE_CPU_MIGRATABLE = 1 << 1,
};

int
vgmDriverCompareCPU(VgmDriver *drv, gboolean hypervisor, const char *emulator,
                    const char *arch, const char *machine, const char *virttype,
                    const char *xml, unsigned int flags, GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_DRIVER_COMPARE_CPU_FAIL_INCOMPATIBLE |
                                    VGM_DRIVER_COMPARE_CPU_VALIDATE_XML, error))
        return -1;
    return vgmDriverCpuCompare(drv->store, hypervisor, emulator, arch, machine, virttype, xml,
                               flags & VGM_DRIVER_COMPARE_CPU_FAIL_INCOMPATIBLE, error);
}

char *
vgmDriverBaselineCPU(VgmDriver *drv, gboolean hypervisor, const char *emulator,
                     const char *arch, const char *machine, const char *virttype,
                     const char *const *xmls, guint n, unsigned int flags, GError **error)
{
    if (!vgmDriverCheckFlags(flags, VGM_DRIVER_BASELINE_CPU_EXPAND_FEATURES |
                                    VGM_DRIVER_BASELINE_CPU_MIGRATABLE, error))
        return NULL;
    return vgmDriverCpuBaseline(drv->store, hypervisor, emulator, arch, machine, virttype,
                                xmls, n, flags & VGM_DRIVER_BASELINE_CPU_EXPAND_FEATURES,
                                flags & VGM_DRIVER_BASELINE_CPU_MIGRATABLE, error);
}

char *
vgmDriverGetDomainCapabilities(VgmDriver *drv, const char *emulator, const char *arch,
                               const char *machine, const char *virttype, GError **error)
{
    return vgmDriverDomainCapabilities(drv->store, emulator, arch, machine, virttype, error);
}

char *
vgmDriverXMLToNative(VgmDriver *drv, const char *format, const char *xml,
                     const char *file, const char *capsFile, const char *emulator,
                     GError **error)
{
    g_autoptr(VgmDomainDef) def = NULL;
    g_autoptr(VgmQemuCaps) caps = NULL;
    g_autoptr(VgmQemuConfig) cfg = NULL;
    g_autoptr(VgmQemuCmd) cmd = NULL;
    g_autofree char *binary = NULL;

    if (g_strcmp0(format, "qemu-argv") != 0) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("unsupported config type %1$s"), format ? format : "(null)");
        return NULL;
    }
    if (!(def = file ? vgmDomainDefParseFile(file, 0, error) :
                       vgmDomainDefParseString(xml, NULL, 0, error)))
        return NULL;
    if (capsFile) {
        caps = vgmQemuCapsLoadFile(capsFile, error);
    } else {
        binary = g_strdup(emulator ? emulator : def->devices.emulator);
        if (!binary)
            binary = vgmDriverDefaultEmulator(def->os.arch);
        caps = vgmQemuCapsCacheLookup(binary, drv ? drv->store->cacheDir : NULL, error);
    }
    if (!caps)
        return NULL;
    /* this host's NUMA nodes, as libvirt's domxml-to-native checks them
     * (not for the capabilities of a file: a line for another host) */
    if (!capsFile && !vgmDriverProcessCheckNumaNodes(def, error))
        return NULL;
    if (drv) {
        /* the command line the driver would start, with its root's dirs */
        g_autofree char *memoryDir = vgmDriverStoreMemoryDir(drv->store);

        cfg = vgmQemuConfigNew(drv->store->runDir, memoryDir, drv->store->logDir);
        vgmQemuConfigLoadHugetlbfs(cfg, drv->store->mountsFile);
        /* and the addresses of the networks its displays listen on */
        if (!vgmDriverNetResolveListens(drv->store, def, error))
            return NULL;
    } else {
        cfg = vgmQemuConfigNewDefault();
    }
    /* and the host's CD-ROM drives a CD-ROM disk is on, as a start asks */
    cfg->hostCdroms = vgmDriverDiskHostCdroms(def);
    if (!(cmd = vgmQemuBuildCommandLine(def, caps, cfg, NULL, error)))
        return NULL;
    /* one line without its newline, as libvirt's API returns it */
    return g_strchomp(vgmQemuCmdFormatShell(cmd));
}

GPtrArray *
vgmDriverGetCPUModelNames(VgmDriver *drv, const char *arch, unsigned int flags, GError **error)
{
    g_autofree char *emulator = NULL;
    g_autoptr(VgmQemuCaps) caps = NULL;
    g_autoptr(VgmQemuCapsHostCpu) cpu = NULL;
    GPtrArray *names;
    guint i;

    if (!vgmDriverCheckFlags(flags, 0, error))
        return NULL;
    if (!arch || !(g_str_equal(arch, "x86_64") || g_str_equal(arch, "i686"))) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("no CPU models for architecture '%1$s': the driver runs x86_64 and i686 guests"),
                    arch ? arch : "");
        return NULL;
    }
    emulator = vgmDriverDefaultEmulator(arch);
    if (!(caps = vgmQemuCapsCacheLookup(emulator, drv ? drv->store->cacheDir : NULL, error)))
        return NULL;
    /* the models of libvirt's CPU map, in its order, that QEMU has (a
     * start lowers none of the others), as the domain capabilities'
     * custom mode lists them */
    names = g_ptr_array_new_with_free_func(g_free);
    if ((cpu = vgmQemuCapsGetHostCpu(caps, VGM_QEMU_CAPS_ACCEL_TCG))) {
        const char *const *m;

        for (m = vgmQemuCpuLibvirtX86Models; *m; m++) {
            for (i = 0; i < cpu->models->len; i++) {
                if (g_str_equal(*m, ((VgmQemuCapsCpuModel *)
                                     g_ptr_array_index(cpu->models, i))->name)) {
                    g_ptr_array_add(names, g_strdup(*m));
                    break;
                }
            }
        }
    }
    return names;
}

gboolean
vgmDriverGetVersion(VgmDriver *drv, guint64 *version, GError **error)
{
    g_autofree char *emulator = vgmDriverDefaultEmulator(NULL);
    g_autoptr(VgmQemuCaps) caps = NULL;

    if (!(caps = vgmQemuCapsCacheLookup(emulator, drv ? drv->store->cacheDir : NULL, error)))
        return FALSE;
    *version = vgmQemuCapsGetVersion(caps);
    return TRUE;
}

/* ---- resource controls ---- */

char *
vgmDriverGetSchedulerType(const VgmDriverDomain *dom G_GNUC_UNUSED, int *nparams)
{
    g_autoptr(VgmDomainDef) none = vgmDomainDefNew();
    g_autoptr(GPtrArray) params = vgmDriverTuneParams(none, VGM_DRIVER_TUNE_SCHED, TRUE);

    if (nparams)
        *nparams = (int)params->len;
    /* the CFS scheduler, as libvirt's QEMU driver names it */
    return g_strdup("posix");
}

const VgmDomainDef *
vgmDriverReadDef(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags,
                 unsigned int allowed, VgmDomainDef **config, GError **error)
{
    g_autoptr(VgmDriverConfig) cfg = NULL;
    gboolean active = vgmDriverDomainIsActive(dom);

    *config = NULL;
    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG | allowed,
                             error))
        return NULL;
    if ((flags & VGM_DOMAIN_AFFECT_LIVE) && (flags & VGM_DOMAIN_AFFECT_CONFIG)) {
        vgmErrorSet(error, VGM_ERR_INVALID_ARG, "%s",
                    _("the flags 'live' and 'config' are mutually exclusive here"));
        return NULL;
    }
    if ((flags & VGM_DOMAIN_AFFECT_LIVE) && !active) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID, _("domain '%1$s' is not running"),
                    dom->name);
        return NULL;
    }
    if (!(flags & VGM_DOMAIN_AFFECT_CONFIG) || !active)
        return vgmDriverDomainFillDef(drv->store, dom, error) ? dom->def : NULL;
    if (!dom->persistent) {
        vgmErrorSet(error, VGM_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is transient: it has no persistent config"), dom->name);
        return NULL;
    }
    if (!(cfg = vgmDriverStoreGetConfig(drv->store, dom->name, error)) ||
        !(*config = vgmDriverConfigParse(drv->store, dom->name, cfg, error)))
        return NULL;
    return *config;
}

char *
vgmDriverGetMetadata(VgmDriver *drv, VgmDriverDomain *dom, int type, const char *uri,
                     unsigned int flags, GError **error)
{
    g_autoptr(VgmDomainDef) config = NULL;
    const VgmDomainDef *def = vgmDriverReadDef(drv, dom, flags, 0, &config, error);

    return def ? vgmDriverDomainGetMetadata(def, type, uri, error) : NULL;
}

GPtrArray *
vgmDriverGetTuneParams(VgmDriver *drv, VgmDriverDomain *dom, VgmDriverTuneKind kind,
                       unsigned int flags, GError **error)
{
    g_autoptr(VgmDomainDef) config = NULL;
    const VgmDomainDef *def = vgmDriverReadDef(drv, dom, flags, VGM_TYPED_PARAM_STRING_OKAY,
                                               &config, error);
    GPtrArray *params;

    if (!def)
        return NULL;
    params = vgmDriverTuneParams(def, kind, (flags & VGM_TYPED_PARAM_STRING_OKAY) != 0);
    /* a running domain's scheduler, as its groups have it */
    if (kind == VGM_DRIVER_TUNE_SCHED && !config && vgmDriverDomainIsActive(dom))
        vgmDriverTuneSchedLive(drv->store, def, params);
    return params;
}

/* ---- a disk's I/O throttling ---- */

/* libvirt's typed parameter of each <iotune> value, in the order its
 * virDomainGetBlockIoTune gives them (group_name after size_iops_sec) */
#define VGM_DRIVER_IOTUNE_GROUP_NAME "group_name"

/* libvirt's interface parameters, in its order, and the <bandwidth>
 * value each is */
static const struct {
    const char *field;
    gboolean out;
    gsize offset;
} vgmDriverInterfaceParams[VGM_DRIVER_INTERFACE_PARAMS] = {
    { "inbound.average", FALSE, G_STRUCT_OFFSET(VgmNetBandwidthRate, average) },
    { "inbound.peak", FALSE, G_STRUCT_OFFSET(VgmNetBandwidthRate, peak) },
    { "inbound.burst", FALSE, G_STRUCT_OFFSET(VgmNetBandwidthRate, burst) },
    { "inbound.floor", FALSE, G_STRUCT_OFFSET(VgmNetBandwidthRate, floor) },
    { "outbound.average", TRUE, G_STRUCT_OFFSET(VgmNetBandwidthRate, average) },
    { "outbound.peak", TRUE, G_STRUCT_OFFSET(VgmNetBandwidthRate, peak) },
    { "outbound.burst", TRUE, G_STRUCT_OFFSET(VgmNetBandwidthRate, burst) },
};

gboolean
vgmDriverSetInterfaceParameters(VgmDriver *drv, const char *name, const char *device,
                                const GPtrArray *params, unsigned int flags, GError **error)
{
    VgmDriverBandwidthChange c = { .device = device };
    VgmTypedParamSpec spec[G_N_ELEMENTS(vgmDriverInterfaceParams)];
    const VgmTypedParam *found[G_N_ELEMENTS(vgmDriverInterfaceParams)];
    size_t k;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG, error))
        return FALSE;
    /* (libvirt's parameters are unsigned ints) */
    for (k = 0; k < G_N_ELEMENTS(spec); k++)
        spec[k] = (VgmTypedParamSpec){ vgmDriverInterfaceParams[k].field, VGM_TYPED_PARAM_UINT };
    if (!vgmTypedParamsCheck(params, spec, G_N_ELEMENTS(spec), _("interface"), found, error))
        return FALSE;
    for (k = 0; k < G_N_ELEMENTS(found); k++) {
        if (!found[k])
            continue;
        *(unsigned long long *)((char *)(vgmDriverInterfaceParams[k].out ? &c.out : &c.in) +
                                vgmDriverInterfaceParams[k].offset) = found[k]->v.ui;
        *(vgmDriverInterfaceParams[k].out ? &c.outGiven : &c.inGiven) = TRUE;
    }
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    return vgmDriverDomainSetBandwidth(drv->store, name, &c, flags, error);
}

GPtrArray *
vgmDriverGetInterfaceParameters(VgmDriver *drv, VgmDriverDomain *dom, const char *device,
                                unsigned int flags, GError **error)
{
    g_autoptr(VgmDomainDef) config = NULL;
    const VgmDomainDef *def = vgmDriverReadDef(drv, dom, flags, VGM_TYPED_PARAM_STRING_OKAY,
                                               &config, error);
    const VgmNetDef *net;
    GPtrArray *params;
    size_t k;

    if (!def)
        return NULL;
    /* (as libvirt: the count is of any interface, once the flags and the
     * definition they name are good) */
    if (!device)
        return g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    if (!(net = vgmDomainNetFind(def, device, error)))
        return NULL;
    params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    for (k = 0; k < G_N_ELEMENTS(vgmDriverInterfaceParams); k++) {
        const VgmNetBandwidthRate *rate = vgmDriverInterfaceParams[k].out ? net->bandwidth.out
                                                                          : net->bandwidth.in;
        unsigned long long v = rate ? *(const unsigned long long *)((const char *)rate +
                                                                    vgmDriverInterfaceParams[k].offset)
                                    : 0;

        /* (libvirt's parameters are unsigned ints) */
        vgmTypedParamAdd(params, vgmDriverInterfaceParams[k].field, VGM_TYPED_PARAM_UINT)->v.ui =
            (unsigned int)MIN(v, (unsigned long long)G_MAXUINT);
    }
    return params;
}

gboolean
vgmDriverSetBlockIoTune(VgmDriver *drv, const char *name, const char *disk,
                        const GPtrArray *params, unsigned int flags, GError **error)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GPtrArray) event = NULL;
    VgmDriverIotuneChange c = { .disk = disk };
    gboolean live = FALSE;
    guint i;

    if (!vgmDriverCheckFlags(flags, VGM_DOMAIN_AFFECT_LIVE | VGM_DOMAIN_AFFECT_CONFIG, error))
        return FALSE;
    for (i = 0; i < params->len; i++) {
        const VgmTypedParam *p = g_ptr_array_index(params, i);
        int f = vgmDiskIotuneFieldTypeFromString(p->field);

        if (g_str_equal(p->field, VGM_DRIVER_IOTUNE_GROUP_NAME) &&
            p->type == VGM_TYPED_PARAM_STRING) {
            c.groupName = p->v.s;
            c.groupGiven = TRUE;
            continue;
        }
        if (f < 0 || p->type != VGM_TYPED_PARAM_ULLONG) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("unknown or mistyped block I/O throttling parameter '%1$s' (the values are unsigned long long, group_name a string)"),
                        p->field);
            return FALSE;
        }
        if (p->v.ul > VGM_QEMU_IOTUNE_MAX) {
            vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                        _("block I/O throttling value '%1$s' (%2$llu) is above the limit of %3$llu"),
                        p->field, (unsigned long long)p->v.ul, VGM_QEMU_IOTUNE_MAX);
            return FALSE;
        }
        c.v[f] = p->v.ul;
        c.given |= G_GUINT64_CONSTANT(1) << f;
    }
    VGM_DRIVER_DOMAIN_LOCKED(drv, name);
    if (!vgmDriverDomainSetIotune(drv->store, name, &c, flags, &live, error))
        return FALSE;
    /* as libvirt: a live change is a TUNABLE event of the disk's values */
    if (!live || !(dom = vgmDriverLookupByNameFlags(drv, name, VGM_DRIVER_LOOKUP_FULL, NULL)) ||
        !dom->def)
        return TRUE;
    /* (libvirt's: the disk's target, then the values given, in the
     * order given) */
    {
        const VgmDiskDef *d = vgmDriverFindDisk(dom->def, disk);

        if (!d)
            return TRUE;
        event = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
        vgmTypedParamAdd(event, "blkdeviotune.disk", VGM_TYPED_PARAM_STRING)->v.s =
            g_strdup(d->dst);
        for (i = 0; i < params->len; i++) {
            const VgmTypedParam *p = g_ptr_array_index(params, i);
            g_autofree char *field = g_strconcat("blkdeviotune.", p->field, NULL);
            VgmTypedParam *q = vgmTypedParamAdd(event, field, p->type);

            if (p->type == VGM_TYPED_PARAM_STRING)
                q->v.s = g_strdup(p->v.s);
            else
                q->v = p->v;
        }
    }
    vgmDriverEmitTunable(drv, name, event);
    return TRUE;
}

GPtrArray *
vgmDriverIotuneParams(const VgmDomainDef *def, const char *disk, gboolean strings)
{
    const VgmDiskDef *d = vgmDriverFindDisk(def, disk);
    GPtrArray *params;
    guint k;

    if (!d)
        return NULL;
    params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    for (k = 0; k < VGM_DISK_IOTUNE_LAST; k++) {
        vgmTypedParamAdd(params, vgmDiskIotuneFieldTypeToString(k), VGM_TYPED_PARAM_ULLONG)->v.ul =
            d->iotune ? d->iotune->v[k] : 0;
        if (k == VGM_DISK_IOTUNE_SIZE_IOPS && strings) {
            vgmTypedParamAdd(params, VGM_DRIVER_IOTUNE_GROUP_NAME, VGM_TYPED_PARAM_STRING)->v.s =
                g_strdup(d->iotune && d->iotune->groupName ? d->iotune->groupName : "");
        }
    }
    return params;
}

GPtrArray *
vgmDriverGetBlockIoTune(VgmDriver *drv, VgmDriverDomain *dom, const char *disk,
                        unsigned int flags, GError **error)
{
    g_autoptr(VgmDomainDef) config = NULL;
    const VgmDomainDef *def = vgmDriverReadDef(drv, dom, flags, VGM_TYPED_PARAM_STRING_OKAY,
                                               &config, error);
    GPtrArray *params;

    if (!def)
        return NULL;
    if (!(params = vgmDriverIotuneParams(def, disk, (flags & VGM_TYPED_PARAM_STRING_OKAY) != 0)))
        vgmErrorSet(error, VGM_ERR_INVALID_ARG,
                    _("domain '%1$s' has no disk '%2$s' (a target or a source path)"), dom->name,
                    disk);
    return params;
}
