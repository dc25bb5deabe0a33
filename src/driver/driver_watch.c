/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_watch.c: what guests and QEMU do by themselves, as lifecycle
 * events, for a long-lived driver (the daemon).
 *
 * Every QEMU the driver starts has a second QMP monitor, the "events"
 * socket of its status (the first one stays free for commands). The
 * watcher thread holds a connection to the events socket of each running
 * domain and turns what QEMU says into libvirt's lifecycle events:
 *
 *   SHUTDOWN from the guest           SHUTDOWN / guest; none for a
 *                                     reboot that was asked for: at
 *                                     QEMU's STOP that follows, a look at
 *                                     the domain resets the guest and
 *                                     lets it run (driver_domain.c)
 *   SUSPEND (the guest's S3)          PMSUSPEND (id 12), then
 *                                     PMSUSPENDED / memory
 *   SUSPEND_DISK (the guest's S4)     PMSUSPEND_DISK (id 14), then
 *                                     PMSUSPENDED / disk
 *   WAKEUP (out of S3)                PMWAKEUP (id 11), then
 *                                     STARTED / wakeup
 *   GUEST_PANICKED                    CRASHED / panicked
 *   WATCHDOG (its action)             the WATCHDOG event (id 3), after
 *                                     SUSPENDED / watchdog when QEMU
 *                                     paused the guest; with <watchdog
 *                                     action='dump'> the guest's memory
 *                                     dumped, and the guest let run
 *   RESET (the guest rebooted)        the REBOOT event (id 1)
 *   DEVICE_DELETED (a device)         a detach's removal finished (its
 *                                     back ends, the live XML), then
 *                                     DEVICE_REMOVED (id 15)
 *   DEVICE_TRAY_MOVED                 the live XML's <target tray>, then
 *                                     TRAY_CHANGE (id 10) with the disk's
 *                                     alias
 *   BLOCK_IO_ERROR                    IO_ERROR (id 4) and IO_ERROR_REASON
 *                                     (id 6) of the disk, then, when QEMU
 *                                     paused the guest, SUSPENDED / ioerror
 *   RTC_CHANGE                        RTC_CHANGE (id 2) with the offset
 *                                     from the host's clock
 *   MEMORY_FAILURE                    MEMORY_FAILURE (id 25)
 *   VNC_CONNECTED, _INITIALIZED,      GRAPHICS (id 5): connect,
 *   _DISCONNECTED; SPICE_ the same    initialize, disconnect, with the
 *                                     server's and the client's address
 *   MEMORY_DEVICE_SIZE_CHANGE         the live XML's <current> of the
 *                                     virtio-mem device (and its
 *                                     <currentMemory>), then
 *                                     MEMORY_DEVICE_SIZE_CHANGE (id 26);
 *                                     when it connects, the watcher asks
 *                                     QEMU (query-memory-devices) what
 *                                     the guest holds, for what it missed
 *   the socket closes, QEMU is gone   STOPPED / shutdown (the guest
 *                                     powered off), destroyed (stopped
 *                                     by another virt-gmem), failed
 *                                     (killed or crashed)
 *
 * What the driver itself did (start, destroy, suspend, ...) its API calls
 * report; the watcher leaves those out. It finds running domains by a
 * look at the status files when it starts, when the driver starts a
 * domain (whose call waits until the watcher reads the new QEMU's
 * events, vgmDriverWatchAwait), and once a second (for domains other
 * processes start on the same root). A domain whose QEMU is found gone at such a look (it died
 * while no watcher ran) is cleaned up and reported STOPPED / failed; an
 * event raised while nobody listens waits for the first listener.
 *
 * The watcher thread only reads: what an event makes the driver do (a
 * change of the live XML, a look at a domain, an event raised) is a job
 * for the watcher's one worker, which does the jobs in the order the
 * events came. A domain's lock, which an API call may hold for seconds
 * (a detach waits 5 s for the guest), then delays those jobs but not the
 * reading: a guest's refusal of the detach, which the detach waits for,
 * is marked at once by the watcher thread itself.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#include "driver_watch.h"
#include "driver_process.h"
#include "qemu/qemu_monitor.h"
#include "util/vgmerror.h"
#include "util/vgmfile.h"
#include "util/vgmi18n.h"

#define VGM_DRIVER_WATCH_SCAN_MS 1000
#define VGM_DRIVER_WATCH_CONNECT_MS 2000
/* the id of the watcher's query-memory-devices */
#define VGM_DRIVER_WATCH_MEMORY_ID "vgm-memory-devices"

/* How a QEMU is ending, as its events said before its monitor closed */
typedef enum {
    VGM_DRIVER_WATCH_END_UNSAID,
    VGM_DRIVER_WATCH_END_HOST,      /* SHUTDOWN of the host's (a client's
                                     * quit, a signal) */
    VGM_DRIVER_WATCH_END_PANIC,     /* the guest panicked, and QEMU ends */
} VgmDriverWatchEnd;

typedef struct {
    char *name;
    unsigned char uuid[16];
    int id;
    VgmDriverProcIdent qemu;
    int fd;
    GSource *source;
    GString *buf;
    gboolean greeted;           /* qmp_capabilities answered */
    gboolean guestShutdown;     /* the guest powered off (SHUTDOWN) */
    VgmDriverWatchEnd end;      /* how else QEMU is ending */
    gboolean rebooting;         /* ... for the reboot asked for: QEMU stops */
    gboolean stopped;           /* QEMU said STOP and not RESUME since */
    char *ioNode;               /* the last I/O error's node and action, */
    int ioAction;               /* ... and when it was queued (monotonic */
    gint64 ioWhen;              /* us), for the reports of a storm */
} VgmDriverWatchEntry;

typedef struct {
    char *name;
    unsigned char uuid[16];
    int id;
    int event;
    int detail;
} VgmDriverWatchPending;

/* what a job for the worker does */
typedef enum {
    VGM_DRIVER_WATCH_JOB_RAISE,         /* a lifecycle event */
    VGM_DRIVER_WATCH_JOB_RAISE_ID,      /* an event of another id */
    VGM_DRIVER_WATCH_JOB_FLUSH,         /* the events kept for a listener */
    VGM_DRIVER_WATCH_JOB_REBOOT,        /* the look that finishes a reboot */
    VGM_DRIVER_WATCH_JOB_TRAY,          /* DEVICE_TRAY_MOVED */
    VGM_DRIVER_WATCH_JOB_PORT,          /* VSERPORT_CHANGE */
    VGM_DRIVER_WATCH_JOB_BALLOON,       /* BALLOON_CHANGE */
    VGM_DRIVER_WATCH_JOB_GONE,          /* the domain's QEMU is gone */
    VGM_DRIVER_WATCH_JOB_DELETED,       /* DEVICE_DELETED */
    VGM_DRIVER_WATCH_JOB_BLOCK,         /* BLOCK_JOB_READY, _COMPLETED, _CANCELLED */
    VGM_DRIVER_WATCH_JOB_WATCHDOG,      /* WATCHDOG */
    VGM_DRIVER_WATCH_JOB_THRESHOLD,     /* BLOCK_WRITE_THRESHOLD */
    VGM_DRIVER_WATCH_JOB_IO_ERROR,      /* BLOCK_IO_ERROR */
    VGM_DRIVER_WATCH_JOB_RTC,           /* RTC_CHANGE */
    VGM_DRIVER_WATCH_JOB_GRAPHICS,      /* VNC_ and SPICE_ connections */
    VGM_DRIVER_WATCH_JOB_MEMORY,        /* MEMORY_DEVICE_SIZE_CHANGE; a
                                         * virtio-mem device's size when
                                         * the watcher connects (!flag) */
} VgmDriverWatchJobKind;

typedef struct {
    VgmDriverWatchJobKind kind;
    char *name;
    unsigned char uuid[16];
    int id;
    pid_t pid;
    int eventID;
    int event;
    int detail;
    char *str;                  /* a device id; a block job's id */
    char *str2;                 /* a block job's QEMU type */
    const char *what;           /* a block job's QEMU event (a literal) */
    gboolean flag;              /* open (tray, port); the guest's power-off (gone) */
    gboolean waitExit;          /* gone: QEMU may still be exiting */
    unsigned long long num;
    unsigned long long num2;    /* a threshold's excess */
    GPtrArray *params;          /* VgmTypedParam: GRAPHICS' */
} VgmDriverWatchJob;

struct _VgmDriverWatch {
    VgmDriver *drv;
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
    GHashTable *entries;        /* name -> VgmDriverWatchEntry, thread only */
    GThreadPool *worker;        /* one thread: VgmDriverWatchJob, in order */
    GHashTable *gone;           /* "name:pid" reported gone, worker only */
    GMutex lock;                /* guards reported, pending and greeted */
    GHashTable *reported;       /* "name:pid" the API reported the stop of */
    GPtrArray *pending;         /* VgmDriverWatchPending, for a listener */
    GHashTable *greeted;        /* "name:pid" whose events are read now */
    GCond greetedCond;          /* ... one more of them */
};

static void
vgmDriverWatchEntryFree(VgmDriverWatchEntry *e)
{
    if (!e)
        return;
    if (e->source) {
        g_source_destroy(e->source);
        g_source_unref(e->source);
    }
    if (e->fd >= 0)
        close(e->fd);
    vgmDriverProcIdentClear(&e->qemu);
    g_free(e->ioNode);
    if (e->buf)
        g_string_free(e->buf, TRUE);
    g_free(e->name);
    g_free(e);
}

static void
vgmDriverWatchPendingFree(VgmDriverWatchPending *p)
{
    g_free(p->name);
    g_free(p);
}

static void
vgmDriverWatchJobFree(VgmDriverWatchJob *job)
{
    g_free(job->name);
    g_free(job->str);
    g_free(job->str2);
    if (job->params)
        g_ptr_array_unref(job->params);
    g_free(job);
}

/* A job of @kind about domain @name (its @uuid and @id), for the worker
 * (vgmDriverWatchQueue gives it to the worker once filled in). */
static VgmDriverWatchJob *
vgmDriverWatchJobNew(VgmDriverWatchJobKind kind, const char *name, const unsigned char *uuid,
                     int id)
{
    VgmDriverWatchJob *job = g_new0(VgmDriverWatchJob, 1);

    job->kind = kind;
    job->name = g_strdup(name);
    if (uuid)
        memcpy(job->uuid, uuid, 16);
    job->id = id;
    return job;
}

static void
vgmDriverWatchQueue(VgmDriverWatch *w, VgmDriverWatchJob *job)
{
    g_thread_pool_push(w->worker, job, NULL);
}

/* Worker: raises a lifecycle event now, or keeps it for the first
 * listener. */
static void
vgmDriverWatchEmit(VgmDriverWatch *w, const char *name, const unsigned char *uuid,
                   int id, int event, int detail)
{
    if (vgmDriverHasListeners(w->drv)) {
        vgmDriverEmitEvent(w->drv, name, uuid, id, event, detail);
        return;
    }
    g_mutex_lock(&w->lock);
    {
        VgmDriverWatchPending *p = g_new0(VgmDriverWatchPending, 1);

        p->name = g_strdup(name);
        memcpy(p->uuid, uuid, 16);
        p->id = id;
        p->event = event;
        p->detail = detail;
        g_ptr_array_add(w->pending, p);
    }
    g_mutex_unlock(&w->lock);
}

/* A lifecycle event, raised by the worker after the jobs before it. */
static void
vgmDriverWatchRaise(VgmDriverWatch *w, const char *name, const unsigned char *uuid,
                    int id, int event, int detail)
{
    VgmDriverWatchJob *job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_RAISE, name, uuid, id);

    job->event = event;
    job->detail = detail;
    vgmDriverWatchQueue(w, job);
}

/* An event of another id than lifecycle: a passing fact (a reboot) that
 * nobody keeps for a later listener, as in libvirt; raised by the worker
 * after the jobs before it. */
static void
vgmDriverWatchRaiseID(VgmDriverWatch *w, const char *name, const unsigned char *uuid,
                      int id, int eventID, int event, int detail, const char *str,
                      unsigned long long num)
{
    VgmDriverWatchJob *job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_RAISE_ID, name, uuid, id);

    job->eventID = eventID;
    job->event = event;
    job->detail = detail;
    job->str = g_strdup(str);
    job->num = num;
    vgmDriverWatchQueue(w, job);
}

/* Worker: the events kept while nobody listened, to the listeners now */
static void
vgmDriverWatchFlushPending(VgmDriverWatch *w)
{
    g_autoptr(GPtrArray) todo = NULL;
    guint i;

    if (!vgmDriverHasListeners(w->drv))
        return;
    g_mutex_lock(&w->lock);
    todo = g_steal_pointer(&w->pending);
    w->pending = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverWatchPendingFree);
    g_mutex_unlock(&w->lock);
    for (i = 0; i < todo->len; i++) {
        VgmDriverWatchPending *p = g_ptr_array_index(todo, i);

        vgmDriverEmitEvent(w->drv, p->name, p->uuid, p->id, p->event, p->detail);
    }
}

static char *
vgmDriverWatchKey(const char *name, pid_t pid)
{
    return g_strdup_printf("%s:%lld", name, (long long)pid);
}

void
vgmDriverWatchReported(VgmDriverWatch *w, const char *name, pid_t pid)
{
    if (!w || pid <= 0)
        return;
    g_mutex_lock(&w->lock);
    g_hash_table_add(w->reported, vgmDriverWatchKey(name, pid));
    g_mutex_unlock(&w->lock);
}

void
vgmDriverWatchUnreported(VgmDriverWatch *w, const char *name, pid_t pid)
{
    g_autofree char *key = vgmDriverWatchKey(name, pid);

    if (!w || pid <= 0)
        return;
    g_mutex_lock(&w->lock);
    g_hash_table_remove(w->reported, key);
    g_mutex_unlock(&w->lock);
}

static gboolean
vgmDriverWatchTakeReported(VgmDriverWatch *w, const char *name, pid_t pid)
{
    g_autofree char *key = vgmDriverWatchKey(name, pid);
    gboolean was;

    g_mutex_lock(&w->lock);
    was = g_hash_table_remove(w->reported, key);
    g_mutex_unlock(&w->lock);
    return was;
}

/* ---- a QEMU that is gone ---- */

/* Worker: the domain's QEMU @pid is gone, or its event monitor closed: a
 * look at the domain (which cleans up after a dead QEMU) says what
 * happened. */
static void
vgmDriverWatchGone(VgmDriverWatch *w, const char *name, const unsigned char *uuid,
                   int id, pid_t pid, gboolean guestShutdown, VgmDriverWatchEnd end)
{
    g_autoptr(VgmDriverDomain) dom = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *kept = NULL;
    const char *reason;

    dom = vgmDriverLookupForWatch(w->drv, name, &err);
    if (dom && vgmDriverDomainIsActive(dom))
        return;     /* still running: the same QEMU, or a live update's new one */
    /* once per QEMU, even while another process still cleans it up, and
     * when a look at the status files queued it again meanwhile */
    if (!g_hash_table_add(w->gone, vgmDriverWatchKey(name, pid)))
        return;
    if (vgmDriverWatchTakeReported(w, name, pid))
        return;     /* the driver's own API call reported it */
    /* a transient domain is gone with its QEMU; its stop reason stays */
    if (!dom)
        kept = vgmDriverStoreGetStopReason(vgmDriverGetStore(w->drv), name);
    reason = dom ? dom->reason : kept;
    if (end == VGM_DRIVER_WATCH_END_PANIC) {
        /* a crash that ends the domain (<on_crash>destroy), as libvirt
         * reports it */
        vgmDriverStoreSetStopReason(vgmDriverGetStore(w->drv), name, "crashed");
        vgmDriverWatchEmit(w, name, uuid, id, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_CRASHED);
    } else if (g_strcmp0(reason, "shutdown") == 0) {
        if (!guestShutdown)
            vgmDriverWatchEmit(w, name, uuid, id, VGM_EVENT_SHUTDOWN,
                               end == VGM_DRIVER_WATCH_END_HOST ? VGM_EVENT_SHUTDOWN_HOST
                                                                : VGM_EVENT_SHUTDOWN_GUEST);
        vgmDriverWatchEmit(w, name, uuid, id, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_SHUTDOWN);
    } else if (g_strcmp0(reason, "destroyed") == 0) {
        vgmDriverWatchEmit(w, name, uuid, id, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_DESTROYED);
    } else if (g_strcmp0(reason, "saved") == 0) {
        /* (a save whose process died once its image was whole, finished
         * by the next look) */
        vgmDriverWatchEmit(w, name, uuid, id, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_SAVED);
    } else {
        vgmDriverWatchEmit(w, name, uuid, id, VGM_EVENT_STOPPED, VGM_EVENT_STOPPED_FAILED);
    }
}

/* The domain's QEMU @pid is gone (@waitExit: its monitor closed, QEMU
 * may still be on its way out): the worker finds out how. */
static void
vgmDriverWatchQueueGone(VgmDriverWatch *w, const char *name, const unsigned char *uuid,
                        int id, pid_t pid, gboolean guestShutdown, VgmDriverWatchEnd end,
                        gboolean waitExit)
{
    VgmDriverWatchJob *job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_GONE, name, uuid, id);

    job->pid = pid;
    job->flag = guestShutdown;
    job->detail = (int)end;
    job->waitExit = waitExit;
    vgmDriverWatchQueue(w, job);
}

/* Worker: QEMU @pid closes its monitors a moment before it is gone */
static void
vgmDriverWatchWaitExit(pid_t pid)
{
    g_auto(VgmDriverProcIdent) ident = { 0 };
    gint64 until = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;

    if (vgmDriverProcIdentGet(pid, &ident, NULL)) {
        while (vgmDriverProcIdentIsAlive(&ident) && g_get_monotonic_time() < until)
            g_usleep(10 * 1000);
    }
}

/* Worker: one job */
static void
vgmDriverWatchWork(gpointer data, gpointer user)
{
    VgmDriverWatchJob *job = data;
    VgmDriverWatch *w = user;
    g_autoptr(GError) err = NULL;

    switch (job->kind) {
    case VGM_DRIVER_WATCH_JOB_RAISE:
        vgmDriverWatchEmit(w, job->name, job->uuid, job->id, job->event, job->detail);
        break;
    case VGM_DRIVER_WATCH_JOB_RAISE_ID:
        vgmDriverEmitEventID(w->drv, job->eventID, job->name, job->uuid, job->id, job->event,
                             job->detail, job->str, NULL, job->num);
        break;
    case VGM_DRIVER_WATCH_JOB_FLUSH:
        vgmDriverWatchFlushPending(w);
        break;
    case VGM_DRIVER_WATCH_JOB_REBOOT: {
        /* QEMU waits now: the look finishes the reboot (or, if it cannot,
         * ends the guest, which the closed monitor then reports) */
        g_autoptr(VgmDriverDomain) dom = vgmDriverLookupForWatch(w->drv, job->name, &err);

        if (!dom)
            g_warning(_("domain '%1$s': the guest powered off for a reboot, but the domain cannot be looked at: %2$s"),
                      job->name, err->message);
        break;
    }
    case VGM_DRIVER_WATCH_JOB_TRAY:
        if (!vgmDriverTrayMoved(w->drv, job->name, job->pid, job->str, job->flag, &err))
            g_warning(_("domain '%1$s': the tray of '%2$s' moved, but its live XML cannot say so: %3$s"),
                      job->name, job->str, err ? err->message : "?");
        /* the tray moved whatever the XML could keep of it */
        vgmDriverEmitEventID(w->drv, VGM_EVENT_ID_TRAY_CHANGE, job->name, job->uuid, job->id,
                             job->flag ? VGM_EVENT_TRAY_OPEN : VGM_EVENT_TRAY_CLOSE, 0,
                             job->str, NULL, 0);
        break;
    case VGM_DRIVER_WATCH_JOB_PORT: {
        gboolean agent = FALSE;

        if (!vgmDriverPortChanged(w->drv, job->name, job->pid, job->str, job->flag, &agent,
                                  &err))
            g_warning(_("domain '%1$s': the guest opened or closed port '%2$s', but its live XML cannot say so: %3$s"),
                      job->name, job->str, err ? err->message : "?");
        if (agent)
            vgmDriverEmitEventID(w->drv, VGM_EVENT_ID_AGENT_LIFECYCLE, job->name, job->uuid,
                                 job->id, job->flag ? VGM_EVENT_AGENT_CONNECTED
                                                    : VGM_EVENT_AGENT_DISCONNECTED,
                                 VGM_EVENT_AGENT_REASON_CHANNEL, NULL, NULL, 0);
        break;
    }
    case VGM_DRIVER_WATCH_JOB_GRAPHICS:
        vgmDriverEmitGraphics(w->drv, job->name, job->uuid, job->id, job->event, job->params);
        break;
    case VGM_DRIVER_WATCH_JOB_MEMORY:
        vgmDriverMemoryDeviceSizeChanged(w->drv, job->name, job->uuid, job->id, job->pid,
                                         job->str, job->num, job->flag);
        break;
    case VGM_DRIVER_WATCH_JOB_BALLOON:
        if (!vgmDriverBalloonChanged(w->drv, job->name, job->pid, job->num, &err))
            g_warning(_("domain '%1$s': its balloon holds %2$llu KiB now, but its live XML cannot say so: %3$s"),
                      job->name, job->num, err ? err->message : "?");
        vgmDriverEmitEventID(w->drv, VGM_EVENT_ID_BALLOON_CHANGE, job->name, job->uuid, job->id,
                             0, 0, NULL, NULL, job->num);
        break;
    case VGM_DRIVER_WATCH_JOB_GONE:
        if (job->waitExit)
            vgmDriverWatchWaitExit(job->pid);
        vgmDriverWatchGone(w, job->name, job->uuid, job->id, job->pid, job->flag,
                           (VgmDriverWatchEnd)job->detail);
        break;
    case VGM_DRIVER_WATCH_JOB_DELETED:
        vgmDriverDeviceDeleted(w->drv, job->name, job->str);
        break;
    case VGM_DRIVER_WATCH_JOB_BLOCK:
        vgmDriverBlockJobEvent(w->drv, job->name, job->uuid, job->id, job->what, job->str,
                               job->str2, job->flag);
        break;
    case VGM_DRIVER_WATCH_JOB_THRESHOLD:
        vgmDriverBlockThresholdEvent(w->drv, job->name, job->pid, job->str, job->num,
                                     job->num2);
        break;
    case VGM_DRIVER_WATCH_JOB_IO_ERROR:
        vgmDriverBlockIOErrorEvent(w->drv, job->name, job->pid, job->str, job->str2, job->event,
                                   job->flag);
        /* QEMU paused the running guest for it: SUSPENDED / ioerror, kept
         * for a listener to come as the watcher's lifecycle events are */
        if (job->detail)
            vgmDriverWatchEmit(w, job->name, job->uuid, job->id, VGM_EVENT_SUSPENDED,
                               VGM_EVENT_SUSPENDED_IOERROR);
        break;
    case VGM_DRIVER_WATCH_JOB_RTC:
        vgmDriverRtcChangeEvent(w->drv, job->name, job->pid, (long long)job->num);
        break;
    case VGM_DRIVER_WATCH_JOB_WATCHDOG:
        /* as libvirt: a pause is a SUSPENDED event too, and a pause for a
         * dump is followed by the dump */
        vgmDriverEmitEventID(w->drv, VGM_EVENT_ID_WATCHDOG, job->name, job->uuid, job->id,
                             job->event, 0, NULL, NULL, 0);
        if (job->event == VGM_EVENT_WATCHDOG_PAUSE) {
            vgmDriverWatchEmit(w, job->name, job->uuid, job->id, VGM_EVENT_SUSPENDED,
                               VGM_EVENT_SUSPENDED_WATCHDOG);
            vgmDriverWatchdogDump(w->drv, job->name, job->pid);
        }
        break;
    }
    vgmDriverWatchJobFree(job);
}

/* ---- reading an event monitor ---- */

/* The guest refused to let device @devId go: a detach that waits for it
 * fails now, and DEVICE_REMOVAL_FAILED is raised, as in libvirt */
static void
vgmDriverWatchRemovalFailed(VgmDriverWatch *w, VgmDriverWatchEntry *e, const char *devId)
{
    vgmDriverStoreUnplugRefused(vgmDriverGetStore(w->drv), e->name, devId, TRUE);
    vgmDriverWatchRaiseID(w, e->name, e->uuid, e->id, VGM_EVENT_ID_DEVICE_REMOVAL_FAILED,
                          0, 0, devId, 0);
}

/* QEMU's VNC_ and SPICE_ events of a display client: GRAPHICS with the
 * phase (connect, initialize, disconnect) and the server's and client's
 * addresses as libvirt reads them (SPICE names the service "port"; an
 * auth scheme comes with VNC's events and SPICE's INITIALIZED) */
static void
vgmDriverWatchGraphics(VgmDriverWatch *w, VgmDriverWatchEntry *e, const char *ev,
                       JsonObject *data)
{
    static const char *const phases[] = { "CONNECTED", "INITIALIZED", "DISCONNECTED" };
    static const char *const families[] = { "ipv4", "ipv6", "unix" };
    static const char *const sides[][2] = { { "local", "server" }, { "remote", "client" } };
    static const char *const subjects[][2] = {
        { "x509_dname", "subject.x509dname" }, { "sasl_username", "subject.saslUsername" },
    };
    gboolean spice = g_str_has_prefix(ev, "SPICE_");
    const char *service = spice ? "port" : "service";
    g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func((GDestroyNotify)vgmTypedParamFree);
    JsonObject *peer[2];
    VgmDriverWatchJob *job;
    const char *auth;
    guint phase, s, f;

    for (phase = 0; phase < G_N_ELEMENTS(phases) && !g_str_equal(ev + (spice ? 6 : 4), phases[phase]);
         phase++)
        ;
    for (s = 0; s < 2; s++) {
        JsonNode *n = json_object_get_member(data, sides[s][1]);

        if (!n || !JSON_NODE_HOLDS_OBJECT(n))
            return;
        peer[s] = json_node_get_object(n);
    }
    for (s = 0; s < 2; s++) {
        const char *family = json_object_get_string_member_with_default(peer[s], "family", NULL);
        const char *node = json_object_get_string_member_with_default(peer[s], "host", NULL);
        const char *svc = json_object_get_string_member_with_default(peer[s], service, NULL);
        g_autofree char *fam = g_strdup_printf("%s.family", sides[s][0]);
        g_autofree char *nod = g_strdup_printf("%s.node", sides[s][0]);
        g_autofree char *srv = g_strdup_printf("%s.service", sides[s][0]);

        /* (libvirt drops an event without them) */
        if (!family || !node || !svc)
            return;
        /* an unknown family reads as IPv4, as in libvirt */
        for (f = 0; f < G_N_ELEMENTS(families) && !g_str_equal(families[f], family); f++)
            ;
        vgmTypedParamAdd(params, fam, VGM_TYPED_PARAM_INT)->v.i = f < G_N_ELEMENTS(families) ? f : 0;
        vgmTypedParamAdd(params, nod, VGM_TYPED_PARAM_STRING)->v.s = g_strdup(node);
        vgmTypedParamAdd(params, srv, VGM_TYPED_PARAM_STRING)->v.s = g_strdup(svc);
    }
    auth = spice && phase != 1 ? NULL
                               : json_object_get_string_member_with_default(peer[0], "auth", NULL);
    vgmTypedParamAdd(params, "auth", VGM_TYPED_PARAM_STRING)->v.s = g_strdup(auth ? auth : "");
    for (s = 0; s < G_N_ELEMENTS(subjects) && !spice; s++) {
        const char *v = json_object_get_string_member_with_default(peer[1], subjects[s][0], NULL);

        if (v)
            vgmTypedParamAdd(params, subjects[s][1], VGM_TYPED_PARAM_STRING)->v.s = g_strdup(v);
    }
    job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_GRAPHICS, e->name, e->uuid, e->id);
    job->event = (int)phase;
    job->params = g_steal_pointer(&params);
    vgmDriverWatchQueue(w, job);
}

/* Queues the size @bytes of virtio-mem device @devId of @e's guest, an
 * event's (@raise) or an answer's */
static void
vgmDriverWatchMemoryDevice(VgmDriverWatch *w, VgmDriverWatchEntry *e, const char *devId,
                           gint64 bytes, gboolean raise)
{
    VgmDriverWatchJob *job;

    if (!devId || !*devId || bytes < 0)
        return;
    job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_MEMORY, e->name, e->uuid, e->id);
    job->pid = e->qemu.pid;
    job->str = g_strdup(devId);
    /* KiB, rounded up as libvirt rounds them */
    job->num = ((guint64)bytes + 1023) / 1024;
    job->flag = raise;
    vgmDriverWatchQueue(w, job);
}

/* QEMU's answer to the watcher's query-memory-devices: each virtio-mem
 * device's size now */
static void
vgmDriverWatchMemoryDevices(VgmDriverWatch *w, VgmDriverWatchEntry *e, JsonObject *msg)
{
    JsonNode *ret = json_object_get_member(msg, "return");
    JsonArray *list;
    guint i;

    if (!ret || !JSON_NODE_HOLDS_ARRAY(ret))
        return;
    list = json_node_get_array(ret);
    for (i = 0; i < json_array_get_length(list); i++) {
        JsonNode *n = json_array_get_element(list, i);
        JsonObject *dev = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
        JsonNode *dn = dev ? json_object_get_member(dev, "data") : NULL;
        JsonObject *data = dn && JSON_NODE_HOLDS_OBJECT(dn) ? json_node_get_object(dn) : NULL;

        if (!data || g_strcmp0(json_object_get_string_member_with_default(dev, "type", NULL),
                               "virtio-mem") != 0)
            continue;
        vgmDriverWatchMemoryDevice(w, e, json_object_get_string_member_with_default(data, "id", NULL),
                                   json_object_get_int_member_with_default(data, "size", -1),
                                   FALSE);
    }
}

static void
vgmDriverWatchEvent(VgmDriverWatch *w, VgmDriverWatchEntry *e, JsonObject *msg)
{
    const char *ev = json_object_get_string_member_with_default(msg, "event", "");
    JsonNode *dataNode = json_object_get_member(msg, "data");
    JsonObject *data = dataNode && JSON_NODE_HOLDS_OBJECT(dataNode) ?
                       json_node_get_object(dataNode) : NULL;

    /* whether QEMU holds the guest's vCPUs (for an I/O error's pause) */
    if (g_str_equal(ev, "STOP"))
        e->stopped = TRUE;
    else if (g_str_equal(ev, "RESUME"))
        e->stopped = FALSE;

    if (g_str_equal(ev, "SHUTDOWN")) {
        const char *why = data ? json_object_get_string_member_with_default(data, "reason", "")
                               : "";

        /* host-initiated ones (destroy's SIGTERM, a live update's quit)
         * are the API's to report; another's (a client's quit, a signal
         * from elsewhere) is the host's, and a panic that ends QEMU a
         * crash: as libvirt reports them once QEMU is gone */
        if (g_str_equal(why, "guest-panic"))
            e->end = VGM_DRIVER_WATCH_END_PANIC;
        else if (data && !json_object_get_boolean_member_with_default(data, "guest", FALSE))
            e->end = VGM_DRIVER_WATCH_END_HOST;
        if (e->end == VGM_DRIVER_WATCH_END_PANIC) {
            /* (nothing more: CRASHED came with GUEST_PANICKED) */
        } else if (data && json_object_get_boolean_member_with_default(data, "guest", FALSE) &&
            !e->guestShutdown && !e->rebooting) {
            g_autoptr(VgmDriverStatus) status = NULL;

            status = vgmDriverStoreLoadStatus(vgmDriverGetStore(w->drv), e->name, NULL);
            if (status && status->rebooting && status->qemu.pid == e->qemu.pid) {
                e->rebooting = TRUE;
                return;
            }
            /* <on_poweroff>restart: the guest's own power-off is
             * reported, as libvirt reports it, and then restarted */
            if (status && status->restartAtPoweroff && status->qemu.pid == e->qemu.pid) {
                e->rebooting = TRUE;
                vgmDriverWatchRaise(w, e->name, e->uuid, e->id, VGM_EVENT_SHUTDOWN,
                                    VGM_EVENT_SHUTDOWN_GUEST);
                return;
            }
            e->guestShutdown = TRUE;
            vgmDriverWatchRaise(w, e->name, e->uuid, e->id, VGM_EVENT_SHUTDOWN,
                                VGM_EVENT_SHUTDOWN_GUEST);
        }
    } else if (g_str_equal(ev, "STOP") && e->rebooting) {
        e->rebooting = FALSE;
        vgmDriverWatchQueue(w, vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_REBOOT, e->name,
                                                    e->uuid, e->id));
    } else if (g_str_equal(ev, "SUSPEND") || g_str_equal(ev, "SUSPEND_DISK")) {
        /* as libvirt: PMSUSPEND or PMSUSPEND_DISK with reason 0, then
         * the lifecycle event */
        gboolean disk = g_str_equal(ev, "SUSPEND_DISK");

        vgmDriverWatchRaiseID(w, e->name, e->uuid, e->id,
                              disk ? VGM_EVENT_ID_PMSUSPEND_DISK : VGM_EVENT_ID_PMSUSPEND,
                              0, 0, NULL, 0);
        vgmDriverWatchRaise(w, e->name, e->uuid, e->id, VGM_EVENT_PMSUSPENDED,
                            disk ? VGM_EVENT_PMSUSPENDED_DISK : VGM_EVENT_PMSUSPENDED_MEMORY);
    } else if (g_str_equal(ev, "WAKEUP")) {
        /* QEMU woke the guest from S3 (system_wakeup, or a wake-up
         * source): PMWAKEUP with reason 0, then STARTED / wakeup */
        vgmDriverWatchRaiseID(w, e->name, e->uuid, e->id, VGM_EVENT_ID_PMWAKEUP, 0, 0, NULL, 0);
        vgmDriverWatchRaise(w, e->name, e->uuid, e->id, VGM_EVENT_STARTED,
                            VGM_EVENT_STARTED_WAKEUP);
    } else if (g_str_equal(ev, "RESET")) {
        /* the guest rebooted (on_reboot restart: QEMU reset it in place;
         * with destroy, -no-reboot makes it a SHUTDOWN instead) */
        vgmDriverWatchRaiseID(w, e->name, e->uuid, e->id, VGM_EVENT_ID_REBOOT, 0, 0, NULL, 0);
    } else if (g_str_equal(ev, "DEVICE_DELETED") && data &&
               json_object_has_member(data, "device")) {
        /* the guest let a device go that a detach asked for */
        VgmDriverWatchJob *job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_DELETED, e->name,
                                                      e->uuid, e->id);

        job->str = g_strdup(json_object_get_string_member_with_default(data, "device", ""));
        vgmDriverWatchQueue(w, job);
    } else if (g_str_equal(ev, "WATCHDOG") && data) {
        /* QEMU's action names, in libvirt's order of its event's codes */
        static const char *const actions[] = {
            "none", "pause", "reset", "poweroff", "shutdown", "debug", "inject-nmi",
        };
        const char *action = json_object_get_string_member_with_default(data, "action", "");
        VgmDriverWatchJob *job;
        guint i;

        for (i = 0; i < G_N_ELEMENTS(actions) && !g_str_equal(actions[i], action); i++)
            ;
        if (i == G_N_ELEMENTS(actions))
            return;
        job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_WATCHDOG, e->name, e->uuid, e->id);
        job->pid = e->qemu.pid;
        job->event = (int)i;
        vgmDriverWatchQueue(w, job);
    } else if (g_str_equal(ev, "GUEST_PANICKED")) {
        /* as libvirt: the guest stops at its panic (SUSPENDED, QEMU's
         * pause or the end of it: not where QEMU lets it run on, reset),
         * then CRASHED */
        const char *action = data ? json_object_get_string_member_with_default(data, "action", "")
                                  : "";

        if (!e->stopped && !g_str_equal(action, "run"))
            vgmDriverWatchRaise(w, e->name, e->uuid, e->id, VGM_EVENT_SUSPENDED,
                                VGM_EVENT_SUSPENDED_PAUSED);
        e->stopped = !g_str_equal(action, "run");
        vgmDriverWatchRaise(w, e->name, e->uuid, e->id, VGM_EVENT_CRASHED,
                            VGM_EVENT_CRASHED_PANICKED);
    } else if (g_str_equal(ev, "DEVICE_TRAY_MOVED") && data) {
        /* the guest (or someone on the monitor) moved a tray: the live
         * XML follows, then TRAY_CHANGE with the disk's alias */
        const char *devId = json_object_get_string_member_with_default(data, "id", "");
        VgmDriverWatchJob *job;

        /* an id may come as the device's QOM path; the disk's alias is its
         * QEMU device id */
        if (g_str_has_prefix(devId, "/machine/peripheral/"))
            devId += strlen("/machine/peripheral/");
        if (!*devId)
            return;
        job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_TRAY, e->name, e->uuid, e->id);
        job->pid = e->qemu.pid;
        job->str = g_strdup(devId);
        job->flag = json_object_get_boolean_member_with_default(data, "tray-open", FALSE);
        vgmDriverWatchQueue(w, job);
    } else if (g_str_equal(ev, "ACPI_DEVICE_OST") && data) {
        /* a guest's ACPI answer about a memory device: an eject it could
         * not carry out (source 0x003 or 0x103, status 0x01 or
         * 0x80-0x83), as libvirt reads it, is DEVICE_REMOVAL_FAILED */
        JsonNode *infoNode = json_object_get_member(data, "info");
        JsonObject *info = infoNode && JSON_NODE_HOLDS_OBJECT(infoNode) ?
                           json_node_get_object(infoNode) : NULL;
        const char *devId = info ? json_object_get_string_member_with_default(info, "device", "")
                                 : "";
        gint64 source = info ? json_object_get_int_member_with_default(info, "source", 0) : 0;
        gint64 st = info ? json_object_get_int_member_with_default(info, "status", 0) : 0;

        if (info && *devId &&
            g_strcmp0(json_object_get_string_member_with_default(info, "slot-type", ""),
                      "DIMM") == 0 &&
            (source == 0x003 || source == 0x103) && (st == 0x01 || (st >= 0x80 && st <= 0x83)))
            vgmDriverWatchRemovalFailed(w, e, devId);
    } else if (g_str_equal(ev, "DEVICE_UNPLUG_GUEST_ERROR") && data) {
        /* the guest refused to let a device go (QEMU names it when it
         * has an id, which every device the driver adds has) */
        const char *devId = json_object_get_string_member_with_default(data, "device", "");

        if (*devId)
            vgmDriverWatchRemovalFailed(w, e, devId);
    } else if (g_str_equal(ev, "VSERPORT_CHANGE") && data) {
        /* the guest opened or closed a virtio port: the live XML follows,
         * and the guest agent's is AGENT_LIFECYCLE */
        VgmDriverWatchJob *job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_PORT, e->name,
                                                      e->uuid, e->id);

        job->pid = e->qemu.pid;
        job->str = g_strdup(json_object_get_string_member_with_default(data, "id", ""));
        job->flag = json_object_get_boolean_member_with_default(data, "open", FALSE);
        vgmDriverWatchQueue(w, job);
    } else if ((g_str_equal(ev, "BLOCK_JOB_READY") || g_str_equal(ev, "BLOCK_JOB_COMPLETED") ||
                g_str_equal(ev, "BLOCK_JOB_CANCELLED")) && data) {
        /* a block job of a disk: BLOCK_JOB and BLOCK_JOB_2 */
        VgmDriverWatchJob *job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_BLOCK, e->name,
                                                      e->uuid, e->id);

        job->str = g_strdup(json_object_get_string_member_with_default(data, "device", ""));
        job->str2 = g_strdup(json_object_get_string_member_with_default(data, "type", ""));
        job->what = g_str_equal(ev, "BLOCK_JOB_READY") ? "BLOCK_JOB_READY" :
                    g_str_equal(ev, "BLOCK_JOB_CANCELLED") ? "BLOCK_JOB_CANCELLED" :
                                                             "BLOCK_JOB_COMPLETED";
        job->flag = json_object_has_member(data, "error");
        vgmDriverWatchQueue(w, job);
    } else if (g_str_equal(ev, "BLOCK_WRITE_THRESHOLD") && data) {
        /* a write passed the threshold set on a node: BLOCK_THRESHOLD of
         * the disk whose image it stores */
        VgmDriverWatchJob *job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_THRESHOLD, e->name,
                                                      e->uuid, e->id);

        job->pid = e->qemu.pid;
        job->str = g_strdup(json_object_get_string_member_with_default(data, "node-name", ""));
        job->num = (unsigned long long)json_object_get_int_member_with_default(data,
                                                                               "write-threshold",
                                                                               0);
        job->num2 = (unsigned long long)json_object_get_int_member_with_default(data,
                                                                                "amount-exceeded",
                                                                                0);
        vgmDriverWatchQueue(w, job);
    } else if (g_str_equal(ev, "BLOCK_IO_ERROR") && data) {
        /* QEMU's actions, in libvirt's order of its event's codes */
        static const char *const actions[] = { "ignore", "stop", "report" };
        const char *action = json_object_get_string_member_with_default(data, "action", "");
        const char *node = json_object_get_string_member_with_default(data, "node-name", "");
        gint64 now = g_get_monotonic_time();
        VgmDriverWatchJob *job;
        guint i;

        for (i = 0; i < G_N_ELEMENTS(actions) && !g_str_equal(actions[i], action); i++)
            ;
        if (i == G_N_ELEMENTS(actions))
            i = VGM_EVENT_IO_ERROR_NONE;
        /* a guest whose errors are reported to it (or ignored) can cause
         * thousands a second, which QEMU does not limit: one a second of
         * the same node and action is raised, so that the other domains'
         * events do not wait behind them */
        if (i != VGM_EVENT_IO_ERROR_PAUSE && e->ioNode && g_str_equal(e->ioNode, node) &&
            e->ioAction == (int)i && now - e->ioWhen < G_USEC_PER_SEC)
            return;
        g_free(e->ioNode);
        e->ioNode = g_strdup(node);
        e->ioAction = (int)i;
        e->ioWhen = now;
        job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_IO_ERROR, e->name, e->uuid, e->id);
        job->pid = e->qemu.pid;
        job->event = (int)i;
        job->str = g_strdup(json_object_get_string_member_with_default(data, "device", ""));
        job->str2 = g_strdup(node);
        job->flag = json_object_get_boolean_member_with_default(data, "nospace", FALSE);
        /* as libvirt: SUSPENDED / ioerror when QEMU paused a running guest
         * (QEMU's STOP comes after the error) */
        job->detail = job->event == VGM_EVENT_IO_ERROR_PAUSE && !e->stopped;
        if (job->event == VGM_EVENT_IO_ERROR_PAUSE)
            e->stopped = TRUE;
        vgmDriverWatchQueue(w, job);
    } else if (g_str_equal(ev, "RTC_CHANGE") && data && json_object_has_member(data, "offset")) {
        /* the guest set its clock: seconds from QEMU's -rtc base */
        VgmDriverWatchJob *job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_RTC, e->name, e->uuid,
                                                      e->id);

        job->pid = e->qemu.pid;
        job->num = (unsigned long long)json_object_get_int_member_with_default(data, "offset", 0);
        vgmDriverWatchQueue(w, job);
    } else if (g_str_equal(ev, "MEMORY_FAILURE") && data) {
        /* a hardware memory error: who got it and what was done, in
         * libvirt's codes, and its flags (action-required 1, recursive 2) */
        static const char *const recipients[] = { "hypervisor", "guest" };
        static const char *const actions[] = { "ignore", "inject", "fatal", "reset" };
        const char *recipient = json_object_get_string_member_with_default(data, "recipient", "");
        const char *action = json_object_get_string_member_with_default(data, "action", "");
        JsonNode *flagsNode = json_object_get_member(data, "flags");
        JsonObject *flags = flagsNode && JSON_NODE_HOLDS_OBJECT(flagsNode) ?
                            json_node_get_object(flagsNode) : NULL;
        unsigned long long bits = 0;
        guint r, a;

        for (r = 0; r < G_N_ELEMENTS(recipients) && !g_str_equal(recipients[r], recipient); r++)
            ;
        for (a = 0; a < G_N_ELEMENTS(actions) && !g_str_equal(actions[a], action); a++)
            ;
        if (r == G_N_ELEMENTS(recipients) || a == G_N_ELEMENTS(actions))
            return;
        if (flags && json_object_get_boolean_member_with_default(flags, "action-required", FALSE))
            bits |= 1;
        if (flags && json_object_get_boolean_member_with_default(flags, "recursive", FALSE))
            bits |= 2;
        vgmDriverWatchRaiseID(w, e->name, e->uuid, e->id, VGM_EVENT_ID_MEMORY_FAILURE, (int)r,
                              (int)a, NULL, bits);
    } else if (data && (g_str_equal(ev, "VNC_CONNECTED") || g_str_equal(ev, "VNC_INITIALIZED") ||
                        g_str_equal(ev, "VNC_DISCONNECTED") ||
                        g_str_equal(ev, "SPICE_CONNECTED") ||
                        g_str_equal(ev, "SPICE_INITIALIZED") ||
                        g_str_equal(ev, "SPICE_DISCONNECTED"))) {
        vgmDriverWatchGraphics(w, e, ev, data);
    } else if (g_str_equal(ev, "MEMORY_DEVICE_SIZE_CHANGE") && data &&
               json_object_has_member(data, "id")) {
        /* the guest plugged or unplugged memory of a virtio-mem device
         * (bytes; a device without an id is none of the domain's) */
        vgmDriverWatchMemoryDevice(w, e, json_object_get_string_member_with_default(data, "id", ""),
                                   json_object_get_int_member_with_default(data, "size", 0),
                                   TRUE);
    } else if (g_str_equal(ev, "BALLOON_CHANGE") && data &&
               json_object_has_member(data, "actual")) {
        /* the guest's balloon driver moved: bytes, which libvirt reports
         * in KiB, and the live XML's <currentMemory> follows */
        gint64 actual = json_object_get_int_member_with_default(data, "actual", 0);
        VgmDriverWatchJob *job = vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_BALLOON, e->name,
                                                      e->uuid, e->id);

        job->pid = e->qemu.pid;
        job->num = actual > 0 ? (unsigned long long)actual / 1024 : 0;
        vgmDriverWatchQueue(w, job);
    }
}

static gboolean
vgmDriverWatchSend(int fd, const char *text)
{
    gsize len = strlen(text);

    while (len > 0) {
        ssize_t n = send(fd, text, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        text += n;
        len -= n;
    }
    return TRUE;
}

/* Reads what is there; FALSE when the monitor closed or spoke nonsense. */
static gboolean
vgmDriverWatchRead(VgmDriverWatch *w, VgmDriverWatchEntry *e)
{
    char chunk[4096];
    g_autoptr(GPtrArray) msgs = g_ptr_array_new_with_free_func((GDestroyNotify)vgmQemuMonitorMessageFree);
    gsize consumed = 0;
    ssize_t n;
    guint i;

    n = recv(e->fd, chunk, sizeof(chunk), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return TRUE;
    if (n <= 0)
        return FALSE;
    g_string_append_len(e->buf, chunk, n);
    if (e->buf->len > 1024 * 1024)
        return FALSE;
    if (!vgmQemuMonitorParseLines(e->buf->str, e->buf->len, msgs, &consumed, NULL))
        return FALSE;
    g_string_erase(e->buf, 0, consumed);
    for (i = 0; i < msgs->len; i++) {
        VgmQemuMonitorMessage *m = g_ptr_array_index(msgs, i);

        switch (m->kind) {
        case VGM_QEMU_MONITOR_MSG_GREETING:
            /* then what the guest's virtio-mem devices hold: what it
             * plugged while nobody watched (the daemon restarted, a
             * restored guest) */
            if (!vgmDriverWatchSend(e->fd, "{\"execute\":\"qmp_capabilities\"}\n"
                                           "{\"execute\":\"query-memory-devices\","
                                           "\"id\":\"" VGM_DRIVER_WATCH_MEMORY_ID "\"}\n"))
                return FALSE;
            break;
        case VGM_QEMU_MONITOR_MSG_RETURN:
            if (!e->greeted) {
                /* from now on QEMU sends this monitor its events */
                g_mutex_lock(&w->lock);
                g_hash_table_add(w->greeted, vgmDriverWatchKey(e->name, e->qemu.pid));
                g_cond_broadcast(&w->greetedCond);
                g_mutex_unlock(&w->lock);
            }
            e->greeted = TRUE;
            if (g_strcmp0(m->id, VGM_DRIVER_WATCH_MEMORY_ID) == 0)
                vgmDriverWatchMemoryDevices(w, e, m->obj);
            break;
        case VGM_QEMU_MONITOR_MSG_EVENT:
            vgmDriverWatchEvent(w, e, m->obj);
            break;
        case VGM_QEMU_MONITOR_MSG_ERROR:
        case VGM_QEMU_MONITOR_MSG_OTHER:
            break;
        }
    }
    return TRUE;
}

typedef struct {
    VgmDriverWatch *w;
    char *name;
} VgmDriverWatchRef;

static void
vgmDriverWatchRefFree(gpointer data)
{
    VgmDriverWatchRef *r = data;

    g_free(r->name);
    g_free(r);
}

/* Watcher thread: domain @name's event monitor is read no more */
static void
vgmDriverWatchDrop(VgmDriverWatch *w, const char *name)
{
    VgmDriverWatchEntry *e = g_hash_table_lookup(w->entries, name);

    if (!e)
        return;
    if (e->greeted) {
        g_autofree char *key = vgmDriverWatchKey(e->name, e->qemu.pid);

        g_mutex_lock(&w->lock);
        g_hash_table_remove(w->greeted, key);
        g_mutex_unlock(&w->lock);
    }
    g_hash_table_remove(w->entries, name);
}

static gboolean
vgmDriverWatchReady(gint fd, GIOCondition cond, gpointer data)
{
    VgmDriverWatchRef *r = data;
    VgmDriverWatch *w = r->w;
    VgmDriverWatchEntry *e = g_hash_table_lookup(w->entries, r->name);

    if (!e)
        return G_SOURCE_REMOVE;
    if ((cond & G_IO_IN) && vgmDriverWatchRead(w, e) && !(cond & (G_IO_HUP | G_IO_ERR)))
        return G_SOURCE_CONTINUE;
    /* the monitor closed: QEMU quit, died, or was replaced */
    vgmDriverWatchQueueGone(w, e->name, e->uuid, e->id, e->qemu.pid, e->guestShutdown, e->end,
                            TRUE);
    g_source_unref(e->source);
    e->source = NULL;               /* returning REMOVE destroys it */
    vgmDriverWatchDrop(w, r->name);
    return G_SOURCE_REMOVE;
}

/* Connects to @path (a unix socket) without waiting long. */
static int
vgmDriverWatchConnect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path) ||
        (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
        return -1;
    strcpy(sa.sun_path, path);
    /* (a QEMU whose one client slot and backlog are taken answers EAGAIN
     * at once rather than leave the look waiting: the next look tries
     * again) */
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        !g_unix_set_fd_nonblocking(fd, FALSE, NULL)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- finding running domains ---- */

static void
vgmDriverWatchAdd(VgmDriverWatch *w, const VgmDriverStatus *st)
{
    VgmDriverWatchEntry *e;
    VgmDriverWatchRef *r;
    int fd;

    if ((fd = vgmDriverWatchConnect(st->events)) < 0)
        return;     /* not listening yet, or busy: the next look tries again */
    e = g_new0(VgmDriverWatchEntry, 1);
    e->name = g_strdup(st->name);
    memcpy(e->uuid, st->uuid, 16);
    e->id = st->id;
    e->qemu.pid = st->qemu.pid;
    e->qemu.startTime = st->qemu.startTime;
    e->qemu.bootId = g_strdup(st->qemu.bootId);
    e->fd = fd;
    e->buf = g_string_new(NULL);
    r = g_new0(VgmDriverWatchRef, 1);
    r->w = w;
    r->name = g_strdup(st->name);
    e->source = g_unix_fd_source_new(fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(e->source, G_SOURCE_FUNC(vgmDriverWatchReady), r,
                          vgmDriverWatchRefFree);
    g_source_attach(e->source, w->ctx);
    g_hash_table_replace(w->entries, g_strdup(st->name), e);
}

/* One look at the status files: watches new running domains, and reports
 * domains whose QEMU is gone while nobody watched. */
static void
vgmDriverWatchScan(VgmDriverWatch *w)
{
    const VgmDriverStore *store = vgmDriverGetStore(w->drv);
    g_autoptr(GPtrArray) names = NULL;
    guint i;

    vgmDriverWatchQueue(w, vgmDriverWatchJobNew(VGM_DRIVER_WATCH_JOB_FLUSH, NULL, NULL, 0));
    if (!(names = vgmDriverStoreListStatus(store, NULL)))
        return;
    for (i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        VgmDriverWatchEntry *e = g_hash_table_lookup(w->entries, name);
        g_autoptr(VgmDriverStatus) st = vgmDriverStoreLoadStatus(store, name, NULL);

        if (!st || st->state != VGM_DRIVER_STATUS_RUNNING || st->update)
            continue;
        if (e && e->qemu.pid == st->qemu.pid && e->qemu.startTime == st->qemu.startTime)
            continue;
        if (e)
            vgmDriverWatchDrop(w, name);    /* a new run or process */
        if (!vgmDriverProcIdentIsAlive(&st->qemu)) {
            vgmDriverWatchQueueGone(w, name, st->uuid, st->id, st->qemu.pid, FALSE,
                                    VGM_DRIVER_WATCH_END_UNSAID, FALSE);
            continue;
        }
        if (st->events)
            vgmDriverWatchAdd(w, st);
    }
}

static gboolean
vgmDriverWatchTick(gpointer data)
{
    vgmDriverWatchScan(data);
    return G_SOURCE_CONTINUE;
}

static gboolean
vgmDriverWatchPokeCb(gpointer data)
{
    vgmDriverWatchScan(data);
    return G_SOURCE_REMOVE;
}

static gpointer
vgmDriverWatchThread(gpointer data)
{
    VgmDriverWatch *w = data;
    GSource *tick = g_timeout_source_new(VGM_DRIVER_WATCH_SCAN_MS);

    g_main_context_push_thread_default(w->ctx);
    g_source_set_callback(tick, vgmDriverWatchTick, w, NULL);
    g_source_attach(tick, w->ctx);
    g_source_unref(tick);
    g_main_loop_run(w->loop);
    g_hash_table_remove_all(w->entries);
    g_main_context_pop_thread_default(w->ctx);
    return NULL;
}

VgmDriverWatch *
vgmDriverWatchNew(VgmDriver *drv)
{
    VgmDriverWatch *w = g_new0(VgmDriverWatch, 1);

    w->drv = drv;
    w->ctx = g_main_context_new();
    w->loop = g_main_loop_new(w->ctx, FALSE);
    w->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify)vgmDriverWatchEntryFree);
    w->gone = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_mutex_init(&w->lock);
    w->reported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    w->pending = g_ptr_array_new_with_free_func((GDestroyNotify)vgmDriverWatchPendingFree);
    w->greeted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_cond_init(&w->greetedCond);
    /* (with one thread and not exclusive, a pool cannot fail to be made) */
    w->worker = g_thread_pool_new(vgmDriverWatchWork, w, 1, FALSE, NULL);
    /* the first look before anything else of the daemon looks at the
     * domains: a look that finds a QEMU gone removes its status, and a
     * QEMU that died while no daemon ran would then never be reported
     * (the thread has not started: the entries are this one's) */
    vgmDriverWatchScan(w);
    w->thread = g_thread_new("vgm-watch", vgmDriverWatchThread, w);
    return w;
}

void
vgmDriverWatchPoke(VgmDriverWatch *w)
{
    GSource *s;

    if (!w)
        return;
    s = g_idle_source_new();
    g_source_set_callback(s, vgmDriverWatchPokeCb, w, NULL);
    g_source_attach(s, w->ctx);
    g_source_unref(s);
}

gboolean
vgmDriverWatchAwait(VgmDriverWatch *w, const char *name, const VgmDriverProcIdent *qemu,
                    guint timeoutMs)
{
    g_autofree char *key = NULL;
    gint64 until = g_get_monotonic_time() + (gint64)timeoutMs * 1000;
    gboolean found;

    if (!w || qemu->pid <= 0)
        return FALSE;
    key = vgmDriverWatchKey(name, qemu->pid);
    vgmDriverWatchPoke(w);
    g_mutex_lock(&w->lock);
    /* a QEMU that dies meanwhile is never greeted: looked at again every
     * tenth of a second */
    while (!(found = g_hash_table_contains(w->greeted, key)) &&
           g_get_monotonic_time() < until && vgmDriverProcIdentIsAlive(qemu))
        g_cond_wait_until(&w->greetedCond, &w->lock,
                          MIN(until, g_get_monotonic_time() + G_USEC_PER_SEC / 10));
    g_mutex_unlock(&w->lock);
    return found;
}

static gboolean
vgmDriverWatchQuitCb(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

void
vgmDriverWatchFree(VgmDriverWatch *w)
{
    GSource *s;

    if (!w)
        return;
    s = g_idle_source_new();
    g_source_set_callback(s, vgmDriverWatchQuitCb, w->loop, NULL);
    g_source_attach(s, w->ctx);
    g_source_unref(s);
    g_thread_join(w->thread);
    /* the jobs the watcher left are done before the rest goes */
    g_thread_pool_free(w->worker, FALSE, TRUE);
    g_hash_table_unref(w->entries);
    g_hash_table_unref(w->gone);
    g_main_loop_unref(w->loop);
    g_main_context_unref(w->ctx);
    g_hash_table_unref(w->reported);
    g_ptr_array_unref(w->pending);
    g_hash_table_unref(w->greeted);
    g_cond_clear(&w->greetedCond);
    g_mutex_clear(&w->lock);
    g_free(w);
}
