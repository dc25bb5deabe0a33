/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_domain.h: the lifecycle of a domain in the embedded driver.
 *
 * Owns what define, undefine, start, destroy and shutdown do to a domain
 * (under its lock), how a domain is found by name, id or uuid, and what
 * state a domain is in. The tool is short-lived, so nobody watches a QEMU
 * between two commands: every command that looks at a domain first
 * refreshes it from its status file, its process and its monitor, and
 * cleans up what it finds dead (a QEMU that exited, a QEMU whose guest
 * powered off, a start whose tool was killed, a status file that cannot
 * be read).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "conf/domain_conf.h"
#include "driver/driver_store.h"
#include "driver/driver_device.h"
#include "qemu/qemu_cpu.h"
#include "qemu/qemu_firmware.h"

/* libvirt's domain states, with virsh's words. */
typedef enum {
    VGM_DOMAIN_STATE_NOSTATE = 0,
    VGM_DOMAIN_STATE_RUNNING,
    VGM_DOMAIN_STATE_BLOCKED,
    VGM_DOMAIN_STATE_PAUSED,
    VGM_DOMAIN_STATE_SHUTDOWN,
    VGM_DOMAIN_STATE_SHUTOFF,
    VGM_DOMAIN_STATE_CRASHED,
    VGM_DOMAIN_STATE_PMSUSPENDED,

    VGM_DOMAIN_STATE_LAST
} VgmDomainState;
VGM_ENUM_DECL(vgmDomainState); /* "no state", "running", ..., "shut off" */

/* A disk source a start dropped (<source startupPolicy='optional'> of a
 * missing file or device) */
typedef struct {
    char *alias;                /* the disk's QEMU device id */
    char *src;                  /* the source it had */
    gboolean removed;           /* the whole disk (not a CD-ROM or floppy's medium) */
} VgmDriverDiskDrop;

/* How a start came about (for its events) */
typedef enum {
    VGM_DRIVER_BOOTED = 0,
    VGM_DRIVER_RESTORED,        /* from a save image, running or paused as
                                 * it was, or running as asked */
    VGM_DRIVER_RESTORED_PAUSED, /* from a managed save image, paused by a
                                 * start that asked for it */
} VgmDriverRestored;

/* A domain as the commands see it. */
typedef struct {
    char *name;
    unsigned char uuid[16];
    int id;                     /* -1 when not running */
    VgmDomainState state;
    const char *reason;         /* virsh's state reason word ("booted") */
    gboolean persistent;        /* has a config */
    VgmDriverStatus *status;    /* NULL when not running */
    VgmDomainDef *def;          /* live definition when running, else config;
                                 * NULL after a VGM_DRIVER_LOOKUP_BRIEF
                                 * lookup until vgmDriverDomainFillDef */
    VgmDriverConfig *config;    /* the persistent config @def is made of
                                 * (shared with the store's cache), or NULL */
    GPtrArray *diskDrops;       /* VgmDriverDiskDrop: what the start that
                                 * returned this dropped, or NULL */
    int restored;               /* VgmDriverRestored: how the start that
                                 * returned this came about */
    gboolean agentChannel;      /* the start that returned this gave the
                                 * guest agent a port */
    char *broken;               /* why the persistent config of an inactive
                                 * domain cannot be read, or NULL; @def is
                                 * then a stand-in with only the name and
                                 * vgmDriverStoreBrokenConfigUUID's uuid */
} VgmDriverDomain;

void vgmDriverDomainFree(VgmDriverDomain *dom);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverDomain, vgmDriverDomainFree)

/* What a lookup or a list fills in. */
typedef enum {
    VGM_DRIVER_LOOKUP_FULL = 0,
    /* all but @def: for a caller that needs no more than the name, uuid,
     * id, state and XML (parsing a definition costs more than the rest of
     * a lookup) */
    VGM_DRIVER_LOOKUP_BRIEF = 1 << 0,
} VgmDriverLookupFlags;

/* Makes dom->def if a brief lookup left it out. */
gboolean vgmDriverDomainFillDef(const VgmDriverStore *store, VgmDriverDomain *dom,
                                GError **error);

gboolean vgmDriverDomainIsActive(const VgmDriverDomain *dom);

/* Resolves @ref, takes the domain's lock into *@lock and loads it. */
VgmDriverDomain *vgmDriverDomainLockAndLoad(const VgmDriverStore *store, const char *ref,
                                           VgmDriverLock **lock, GError **error);
/* vgmDriverDomainLockAndLoad, failing unless the domain runs. */
/* Records @taint in the status of running domain @dom (its lock held);
 * a status that cannot be saved is warned of */
void vgmDriverDomainTaintLocked(const VgmDriverStore *store, VgmDriverDomain *dom,
                                VgmDriverTaint taint);
/* The same, taking running domain @ref's lock (not running: nothing) */
void vgmDriverDomainTaint(const VgmDriverStore *store, const char *ref, VgmDriverTaint taint);

/* virDomainGetMessages' flags */
#define VGM_DOMAIN_MESSAGE_DEPRECATION (1u << 0)
#define VGM_DOMAIN_MESSAGE_TAINTING (1u << 1)

/* virDomainGetMessages of @dom: its run's taints ("tainted: ...") and
 * what of its configuration QEMU deprecates ("deprecated configuration:
 * ..."), as @flags (none: both) ask; none for a shut-off domain */
char **vgmDriverDomainMessages(const VgmDriverDomain *dom, unsigned int flags);

VgmDriverDomain *vgmDriverDomainGetActive(const VgmDriverStore *store, const char *ref,
                                          VgmDriverLock **lock, GError **error);
/* Kills what is left of running domain @dom's QEMU and removes its
 * status (its lock held). */
gboolean vgmDriverDomainCleanup(const VgmDriverStore *store, VgmDriverDomain *dom,
                                GError **error);

/* Finds the domain @ref names: a name, else the id of a running domain,
 * else a uuid. VGM_ERR_NO_DOMAIN when there is none. Refreshes it. */
VgmDriverDomain *vgmDriverDomainLookup(const VgmDriverStore *store,
                                       const char *ref, GError **error);

/* Every domain (persistent or running), refreshed (@what:
 * VgmDriverLookupFlags); active ones first by
 * id, then inactive ones by name, as virsh lists them. A domain whose
 * status file cannot be read is left out with a warning on stderr; one
 * whose config cannot be read is listed (shut off, @broken set, so that
 * it can be undefined) with a warning saying why. */
GPtrArray *vgmDriverDomainListAll(const VgmDriverStore *store, unsigned int what,
                                  GError **error);

/*
 * Defines the domain in @file (parse, post-parse, generic validation): a
 * new name and uuid make a new domain; an existing name with the same uuid
 * replaces its config (also while it runs: the change applies at the next
 * start). Any other clash of names and uuids is an error naming both.
 * Returns the definition stored.
 */
VgmDomainDef *vgmDriverDomainDefine(const VgmDriverStore *store,
                                    const char *file, GError **error);

/* The same for the XML text @xml when @file is NULL; *@existed (if not
 * NULL) says whether a config of that name was there before. */
VgmDomainDef *vgmDriverDomainDefineXML(const VgmDriverStore *store,
                                       const char *file, const char *xml,
                                       gboolean *existed, GError **error);
/* libvirt's undefine flags: for a managed save image (refused without
 * it, removed with it, as libvirt does), */
#define VGM_UNDEFINE_MANAGED_SAVE (1u << 0)
/* ... for snapshots' metadata (refused without it for a shut-off domain
 * that has snapshots, removed with it), */
#define VGM_UNDEFINE_SNAPSHOTS_METADATA (1u << 1)
/* ... for the UEFI varstore */
#define VGM_UNDEFINE_NVRAM (1u << 2)
#define VGM_UNDEFINE_KEEP_NVRAM (1u << 3)
/* ... and for the TPM's state */
#define VGM_UNDEFINE_TPM (1u << 5)
#define VGM_UNDEFINE_KEEP_TPM (1u << 6)

/* libvirt's virDomainRename: shut-off persistent domain @ref, without a
 * managed save image, becomes @newName (a name no domain has), with its
 * autostart mark, snapshots, stop reason and a UEFI varstore named after
 * it, crash-safely (see vgmDriverStoreRename); @uuid (16 bytes) gets its
 * uuid */
gboolean vgmDriverDomainRename(const VgmDriverStore *store, const char *ref,
                               const char *newName, unsigned char *uuid, GError **error);

/* Removes the config. A running domain keeps running as a transient one
 * and disappears when it stops (virsh's semantics). A varstore that
 * exists is removed with VGM_UNDEFINE_NVRAM, kept with
 * VGM_UNDEFINE_KEEP_NVRAM, and without either the undefine is refused,
 * as libvirt refuses it. */
/* Whether domain @name starts when the daemon does */
gboolean vgmDriverDomainGetAutostart(const VgmDriverStore *store, const char *name);
/* Marks persistent domain @ref to start, or not, when the daemon does
 * (a transient one is refused, as libvirt refuses it) */
gboolean vgmDriverDomainSetAutostart(const VgmDriverStore *store, const char *ref,
                                     gboolean autostart, GError **error);
gboolean vgmDriverDomainUndefine(const VgmDriverStore *store, const char *ref,
                                 unsigned int flags, char **name, GError **error);

/* Starts a defined, inactive domain (flags: VgmDriverStartFlags). The
 * uniqueness of its uuid, its id and its first status file are settled
 * under one hold of the store lock. */
VgmDriverDomain *vgmDriverDomainStart(const VgmDriverStore *store,
                                      const char *ref, unsigned int flags,
                                      GError **error);
/* Starts inactive domain @name from @xml, a live XML of one of its runs
 * (a snapshot's): the devices it had then, at their addresses and with
 * their QEMU ids, which a saved state names; its name and uuid are the
 * domain's. */
VgmDriverDomain *vgmDriverDomainStartLiveXML(const VgmDriverStore *store, const char *name,
                                             const char *xml, unsigned int flags,
                                             GError **error);

/* A screenshot of running domain @ref's screen @screen (0: QEMU's
 * default display, N: a later head of its <video> devices, as libvirt
 * counts them): an fd open at the start of the picture, whose file is
 * gone already, and its MIME type (PNG where QEMU can write it, else
 * PPM); -1 on failure */
int vgmDriverDomainScreenshot(const VgmDriverStore *store, const char *ref, unsigned int screen,
                              char **mime, GError **error);

/* How often (seconds; 0: never) the balloon of domain @ref asks the
 * guest for its memory statistics (<memballoon><stats period>), where
 * libvirt's AFFECT flags say (virsh dommemstat --period) */
/* Marks the status of running domain @dom (its lock held) with job @kind
 * ("save", "snapshot", "dump") before the job pauses the guest (@resume:
 * it runs now) and writes @target (nullable): a process that dies in the
 * job leaves the mark, and the next look at the domain undoes the job (the
 * migration into the file cancelled, the guest let run again, the file's
 * temporary removed; a save whose image is whole is finished). Unmark once
 * the job is over. */
gboolean vgmDriverDomainJobMark(const VgmDriverStore *store, VgmDriverDomain *dom,
                                const char *kind, gboolean resume, const char *target,
                                GError **error);
void vgmDriverDomainJobUnmark(const VgmDriverStore *store, VgmDriverDomain *dom);

/* virDomainQemuMonitorCommand on running domain @ref: QEMU's whole reply
 * to the QMP request @cmd (JSON text), or the output of the human monitor
 * command @cmd with @hmp. A command that paused the guest or let it run
 * (a client's stop or cont) says so in *@paused (1 paused, 0 runs, -1
 * neither) and in the state's reason, as libvirt sees QEMU's STOP and
 * RESUME: paused (unknown), running (unpaused). */
char *vgmDriverDomainMonitorCommand(const VgmDriverStore *store, const char *ref, const char *cmd,
                                    gboolean hmp, int *paused, GError **error);
/* The guest agent timeout of running domain @ref, in its status */
gboolean vgmDriverDomainSetAgentTimeout(const VgmDriverStore *store, const char *ref, int timeout,
                                        GError **error);
gboolean vgmDriverDomainSetMemoryStatsPeriod(const VgmDriverStore *store, const char *ref,
                                             int period, unsigned int flags, GError **error);

/* Saves running domain @ref (virsh save, managedsave): the guest paused,
 * its state written to the new image @path (a managed save image when
 * NULL, which needs a persistent domain), QEMU ended; the domain is then
 * shut off with reason 'saved'. The image says whether the guest ran
 * (*@wasRunning, also set), unless VGM_DRIVER_SAVE_RUNNING or _PAUSED
 * says how a restore leaves it. The image holds the domain's live XML,
 * or @dxml when given (virsh save --xml), which may change only what the
 * host provides (as save-image-define). A save that fails leaves the
 * guest running as it was, and no image. */
#define VGM_DRIVER_SAVE_RUNNING (1u << 0)
#define VGM_DRIVER_SAVE_PAUSED (1u << 1)
/* (and the image left out of the host's page cache: vgmFileDropCache) */
#define VGM_DRIVER_SAVE_BYPASS_CACHE (1u << 2)
/* (the monitor's name of the fd QEMU writes the image to, and the
 * migration bandwidth then, in bytes/s: 1 PiB/s, no limit at all) */
#define VGM_DRIVER_SAVE_FDNAME "vgm-save"
#define VGM_DRIVER_DUMP_FDNAME "vgm-dump"
#define VGM_DRIVER_SAVE_BANDWIDTH (G_GINT64_CONSTANT(1) << 50)
/* A save in progress as libvirt's job calls see it: QEMU's progress,
 * kept by the save, and an abort asked for by another thread */
typedef struct {
    GMutex lock;
    int operation;              /* libvirt's virDomainJobOperation */
    const char *noAbort;        /* cannot be aborted: the error's N_()
                                 * format, the domain's name its one
                                 * argument (a memory-only dump, a snapshot
                                 * until it writes the memory; under @lock) */
    gint64 started;             /* g_get_monotonic_time() */
    guint64 memTotal;           /* bytes of guest memory, as QEMU counts */
    guint64 memProcessed;
    guint64 memRemaining;
    guint64 memBps;
    gboolean abort;             /* vgmDriverAbortJob asked */
    gint64 pausedAt;            /* when the job paused the guest (0: it did not) */
    JsonObject *done;           /* QEMU's query-migrate once it completed */
    /* a migration's parameters changed while it runs (its thread holds
     * QEMU's monitor, and applies them as it polls) */
    gboolean haveSetDowntime;
    guint64 setDowntimeMs;      /* downtime-limit */
    gboolean haveSetBandwidth;
    guint64 setBandwidth;       /* max-bandwidth, bytes/s */
    guint64 downtimeMs;         /* QEMU's downtime-limit while it runs */
} VgmDriverJob;

/* The guest state of @def's QEMU (@mon: its monitor, the guest paused, or
 * running for a live one) written into a save image at @path with domain
 * XML @xml, to be resumed @running when restored; @job keeps QEMU's
 * progress (an external memory snapshot's file) */
typedef struct _VgmQemuMonitor VgmQemuMonitor;
gboolean vgmDriverDomainSaveMemory(VgmQemuMonitor *mon, const VgmDomainDef *def, const char *path,
                                   const char *xml, gboolean running, VgmDriverJob *job,
                                   GError **error);
/* @job (or NULL): the progress kept, an abort heeded (the save then fails
 * with VGM_ERR_OPERATION_ABORTED and leaves the guest as it was) */
gboolean vgmDriverDomainSave(const VgmDriverStore *store, const char *ref, const char *path,
                             const char *dxml, unsigned int flags, gboolean *wasRunning,
                             char **name, VgmDriverJob *job, GError **error);
/* ---- migration, one QEMU's guest into another's (libvirt's version 3) ---- */

/* How long the destination waits, once the source is done, for QEMU to
 * take in the last of the stream */
#define VGM_DRIVER_MIGRATE_FINISH_TIMEOUT_MS 60000

/* The source's begin: running domain @name's XML for the destination
 * (its live XML, or @dxml checked as a save image's new XML is) and its
 * definition (@persistentIn, else the inactive XML, the live one for a
 * transient domain), both without the paths this daemon named under its
 * root, once it is known the guest can be migrated */
gboolean vgmDriverDomainMigrateBegin(const VgmDriverStore *store, const char *name,
                                     const char *dxml, const char *persistentIn, char **xml,
                                     char **persistentXml, GError **error);
/* The destination's prepare: a QEMU for the domain of live XML @xml (as
 * a save image holds it) listening at @uri (tcp:HOST:PORT), the guest
 * paused ('migrating'); the domain is persistent when defined here */
VgmDriverDomain *vgmDriverDomainMigratePrepare(const VgmDriverStore *store, const char *xml,
                                               const char *uri, GError **error);
/* The destination's finish: waits for the rest of the stream, then lets
 * the guest run (@resume: reason 'migrated') or leaves it paused */
VgmDriverDomain *vgmDriverDomainMigrateFinish(const VgmDriverStore *store, const char *name,
                                              gboolean resume, GError **error);
/* Ends @name's QEMU, the stop's reason @reason: a destination whose
 * migration failed ('failed'), a source whose guest now runs elsewhere
 * ('migrated') */
gboolean vgmDriverDomainMigrateStop(const VgmDriverStore *store, const char *name,
                                    const char *reason, GError **error);
/* What the source's QEMU is asked */
typedef struct {
    const char *uri;            /* the destination QEMU's: tcp:HOST:PORT */
    guint64 bandwidthMiB;       /* MiB/s (past QEMU's range: as much as it takes) */
    gboolean live;              /* the guest runs while its memory goes */
    gboolean autoConverge;      /* QEMU slows a guest that dirties faster */
} VgmDriverMigrateOut;
/* The source's perform: the guest's state sent to the destination QEMU
 * (@job: the progress kept, an abort heeded), left paused in QEMU's
 * 'postmigrate' until the confirm ends it (vgmDriverDomainMigrateStop)
 * or lets it run again (vgmDriverDomainMigrateResume). A failure leaves
 * the guest as it was. */
gboolean vgmDriverDomainMigrateOut(const VgmDriverStore *store, const char *name,
                                   const VgmDriverMigrateOut *req, VgmDriverJob *job,
                                   gboolean *wasRunning, GError **error);
/* The run reason a prepare writes into the status until the finish: a
 * daemon that finds it at its start knows the finish cannot come */
#define VGM_DRIVER_MIGRATE_INCOMING_REASON "incoming"
/* Ends running domain @name's QEMU if a prepare left it and no finish
 * came (its daemon was restarted in between); TRUE when it did */
gboolean vgmDriverDomainMigrateStale(const VgmDriverStore *store, const char *name,
                                     GError **error);
/* QEMU's migration parameter @param (downtime-limit, max-bandwidth) of
 * running domain @name: read into *@value (@set FALSE) or set to @value */
gboolean vgmDriverDomainMigrateParam(const VgmDriverStore *store, const char *name,
                                     const char *param, gboolean set, guint64 *value,
                                     GError **error);
/* The source's confirm of a migration that failed: the guest runs again */
gboolean vgmDriverDomainMigrateResume(const VgmDriverStore *store, const char *name,
                                      GError **error);

/* Starts the domain saved in image @path (virsh restore): the defined
 * domain of its name and uuid, else a transient one. The guest goes on
 * where it was saved, running if it ran then, unless the flags say
 * (VGM_DRIVER_START_RUNNING or _PAUSED). @dxml (virsh restore --xml), when
 * given, replaces the image's XML, changing only what the host provides
 * (as save-image-define). @path stays. */
VgmDriverDomain *vgmDriverDomainRestore(const VgmDriverStore *store, const char *path,
                                        const char *dxml, unsigned int flags, GError **error);
/* Removes the managed save image of @ref; an error when it has none. */
gboolean vgmDriverDomainManagedSaveRemove(const VgmDriverStore *store, const char *ref,
                                          GError **error);
/* The XML in save image @path, or with @path NULL in the managed save
 * image of @ref (an error when it has none). */
char *vgmDriverDomainSaveImageXML(const VgmDriverStore *store, const char *ref,
                                  const char *path, GError **error);
/* libvirt's virDomainSaveImageDefineXML (@path) and
 * virDomainManagedSaveDefineXML (@ref's managed image, @path NULL): the
 * image's XML replaced by @xml (NULL: kept), which may change only what
 * the host provides, and the guest left running after a restore
 * (@running 1), paused (0) or as it was at the save (-1). The image is
 * changed in place, atomically (driver_save.h). */
gboolean vgmDriverDomainSaveImageDefine(const VgmDriverStore *store, const char *ref,
                                        const char *path, const char *xml, int running,
                                        GError **error);

/* Starts the domain in @file without defining it (transient); fails when
 * another domain has its name with another uuid or its uuid, also one
 * that another create is starting. */
VgmDriverDomain *vgmDriverDomainCreate(const VgmDriverStore *store,
                                       const char *file, unsigned int flags,
                                       GError **error);

/* The same for the XML text @xml when @file is NULL. */
VgmDriverDomain *vgmDriverDomainCreateXML(const VgmDriverStore *store,
                                          const char *file, const char *xml,
                                          unsigned int flags, GError **error);
/* Stops a running domain's QEMU at once (SIGTERM, then SIGKILL). */
gboolean vgmDriverDomainDestroy(const VgmDriverStore *store, const char *ref,
                                char **name, GError **error);

/* A client connection to the VNC or SPICE server of graphics device @idx
 * of running domain @ref, as libvirt's openGraphicsFD makes one: one end
 * of a socket pair QEMU takes as a client (QMP getfd and add_client,
 * @skipAuth: without the server's password check); the other end is
 * returned, -1 on an error. */
int vgmDriverDomainOpenGraphics(const VgmDriverStore *store, const char *ref, unsigned int idx,
                                gboolean skipAuth, GError **error);

/* Asks the guest to power off (ACPI, QMP system_powerdown) and returns at
 * once. With <on_poweroff> destroy QEMU then exits by itself; else it
 * stops, and a later command ends it. Either way the next command reports
 * the domain shut off (shutdown). */
gboolean vgmDriverDomainShutdown(const VgmDriverStore *store, const char *ref,
                                 char **name, GError **error);
/* Reboots running domain @ref as libvirt's virDomainReboot does over
 * ACPI: the guest is asked to power off, and QEMU, told to wait at that
 * power-off, is then reset and let run (by the daemon's watcher at once,
 * else by the next command that looks at the domain). With <on_reboot>
 * destroy it is a shutdown. Returns once the guest was asked. */
gboolean vgmDriverDomainReboot(const VgmDriverStore *store, const char *ref,
                               char **name, GError **error);

/* Pauses the vCPUs of a running domain (QMP stop) / lets a paused one run
 * again (QMP cont); a domain in another state is an operation-invalid
 * error. */
/* Hands running domain @ref over to a new QEMU process of @emulator (NULL:
 * the binary it runs), keeping its memory (driver_update.h). */
gboolean vgmDriverDomainLiveUpdate(const VgmDriverStore *store, const char *ref,
                                   const char *emulator, gint64 *pauseUs,
                                   GError **error);
gboolean vgmDriverDomainSuspend(const VgmDriverStore *store, const char *ref,
                                char **name, GError **error);
/* What a pin names: a vCPU, QEMU's emulator threads, an I/O thread */
typedef enum {
    VGM_DRIVER_PIN_VCPU,
    VGM_DRIVER_PIN_EMULATOR,
    VGM_DRIVER_PIN_IOTHREAD,

    VGM_DRIVER_PIN_LAST
} VgmDriverPinKind;

/* libvirt's virDomainPinVcpuFlags, virDomainPinEmulator and
 * virDomainPinIOThread on @ref: the pin of vCPU or I/O thread @id (or the
 * emulator's) to @cpus, in the config (<cputune>, checked as a define
 * checks it) and, AFFECT_LIVE or AFFECT_CURRENT while it runs, on QEMU's
 * threads and in the live XML. *@wentLive (when given) says whether
 * the running domain was changed */
/* What virDomainSetIOThreadParams sets of I/O thread @id (checked for
 * range by the caller) */
typedef enum {
    VGM_DRIVER_IOTHREAD_POLL_MAX_NS,
    VGM_DRIVER_IOTHREAD_POLL_GROW,
    VGM_DRIVER_IOTHREAD_POLL_SHRINK,
    VGM_DRIVER_IOTHREAD_POOL_MIN,
    VGM_DRIVER_IOTHREAD_POOL_MAX,

    VGM_DRIVER_IOTHREAD_PARAM_LAST
} VgmDriverIOThreadParam;

typedef struct {
    unsigned int id;
    gboolean set[VGM_DRIVER_IOTHREAD_PARAM_LAST];
    gint64 value[VGM_DRIVER_IOTHREAD_PARAM_LAST];
} VgmDriverIOThreadParams;

/* libvirt's rules: the config keeps only the pool sizes (the polling is
 * refused there), a live change cannot go back to QEMU's default (-1),
 * the pool's minimum is at most its maximum */
gboolean vgmDriverDomainSetIOThreadParams(const VgmDriverStore *store, const char *ref,
                                          const VgmDriverIOThreadParams *c, unsigned int flags,
                                          GError **error);

/* The events of virDomainSetLifecycleAction, in libvirt's numbering */
typedef enum {
    VGM_DRIVER_LIFECYCLE_POWEROFF = 0,
    VGM_DRIVER_LIFECYCLE_REBOOT,
    VGM_DRIVER_LIFECYCLE_CRASH,

    VGM_DRIVER_LIFECYCLE_LAST
} VgmDriverLifecycle;

/* libvirt's virDomainSetLifecycleAction (flags AFFECT_LIVE,
 * AFFECT_CONFIG): the <on_poweroff>, <on_reboot> or <on_crash> of @type
 * becomes @action, in the config and for the running QEMU (set-action) */
gboolean vgmDriverDomainSetLifecycleAction(const VgmDriverStore *store, const char *ref,
                                           VgmDriverLifecycle type,
                                           VgmDomainLifecycleAction action,
                                           unsigned int flags, GError **error);

/* libvirt's virDomainAddIOThread (@add) and virDomainDelIOThread (flags
 * AFFECT_LIVE, AFFECT_CONFIG): I/O thread @id in the config
 * (<iothreadids>) and of the running QEMU (an iothread object) */
gboolean vgmDriverDomainIOThread(const VgmDriverStore *store, const char *ref, unsigned int id,
                                 gboolean add, unsigned int flags, GError **error);
gboolean vgmDriverDomainPin(const VgmDriverStore *store, const char *ref,
                            VgmDriverPinKind kind, unsigned int id, const VgmBitmap *cpus,
                            unsigned int flags, gboolean *wentLive, GError **error);
/* The resource controls libvirt sets with typed parameters */
typedef enum {
    VGM_DRIVER_TUNE_SCHED,      /* <cputune>'s shares, periods and quotas */
    VGM_DRIVER_TUNE_MEMORY,     /* <memtune> */
    VGM_DRIVER_TUNE_BLKIO,      /* <blkiotune> */
    VGM_DRIVER_TUNE_NUMA,       /* <numatune>'s <memory> */
} VgmDriverTuneKind;

/* libvirt's virDomainSetSchedulerParametersFlags, SetMemoryParameters,
 * SetBlkioParameters and SetNumaParameters on @ref: @params
 * (VgmTypedParam) in the config
 * (checked as a define checks it) and, AFFECT_LIVE or AFFECT_CURRENT
 * while it runs, on the running domain's cgroups and in its live XML.
 * *@wentLive (when given) says whether the running domain was changed */
gboolean vgmDriverDomainSetTune(const VgmDriverStore *store, const char *ref,
                                VgmDriverTuneKind kind, const GPtrArray *params,
                                unsigned int flags, gboolean *wentLive, GError **error);
/* libvirt's virDomainCoreDumpFormat */
typedef enum {
    VGM_DRIVER_DUMP_FORMAT_RAW = 0,
    VGM_DRIVER_DUMP_FORMAT_KDUMP_ZLIB,
    VGM_DRIVER_DUMP_FORMAT_KDUMP_LZO,
    VGM_DRIVER_DUMP_FORMAT_KDUMP_SNAPPY,
    VGM_DRIVER_DUMP_FORMAT_WIN_DMP,
    VGM_DRIVER_DUMP_FORMAT_LAST
} VgmDriverDumpFormat;

/* A core dump asked for (virDomainCoreDumpWithFormat, checked) */
typedef struct {
    const char *path;           /* absolute */
    VgmDriverDumpFormat format; /* not RAW only with memoryOnly */
    gboolean memoryOnly;        /* the guest's memory (ELF or kdump), not
                                 * QEMU's whole state */
    gboolean live;              /* the guest is not paused for it */
    gboolean crash;             /* QEMU ends afterwards */
    gboolean reset;             /* the guest is reset afterwards */
    gboolean bypassCache;       /* the file left out of the page cache */
} VgmDriverDumpRequest;

/* What a dump did to the domain, for its events */
typedef struct {
    pid_t pid;                  /* its QEMU */
    int id;
    gboolean paused;            /* the guest was paused for it */
    gboolean resumed;           /* and runs again */
    gboolean reset;
    gboolean crashed;           /* QEMU was ended after it */
} VgmDriverDumpOutcome;

/* Writes a core dump of running domain @ref into @req->path (atomically:
 * a failed dump leaves what was there), with the progress in @job (or
 * NULL); the guest runs on as it did unless @req says otherwise */
gboolean vgmDriverDomainCoreDump(const VgmDriverStore *store, const char *ref,
                                 const VgmDriverDumpRequest *req, VgmDriverJob *job,
                                 VgmDriverDumpOutcome *out, GError **error);

/* A change of a disk's <iotune> (virDomainSetBlockIoTune): the values
 * given (@given, bit per VgmDiskIotuneField) replace their groups as
 * libvirt's do; @groupName when @groupGiven ("" or NULL: none) */
typedef struct {
    const char *disk;           /* its target or source */
    unsigned long long v[VGM_DISK_IOTUNE_LAST];
    guint64 given;
    const char *groupName;
    gboolean groupGiven;
} VgmDriverIotuneChange;
/* ... on @ref's persistent config and, AFFECT_LIVE or AFFECT_CURRENT
 * while it runs, on its QEMU and in its live XML */
gboolean vgmDriverDomainSetIotune(const VgmDriverStore *store, const char *ref,
                                  const VgmDriverIotuneChange *change, unsigned int flags,
                                  gboolean *wentLive, GError **error);
/* A change of an interface's <bandwidth> (virDomainSetInterfaceParameters):
 * each direction given replaces the interface's whole direction (an
 * average of 0 removes it), as libvirt's does */
typedef struct {
    const char *device;         /* its MAC address or host device */
    VgmNetBandwidthRate in;
    VgmNetBandwidthRate out;
    gboolean inGiven;
    gboolean outGiven;
} VgmDriverBandwidthChange;
/* ... on @ref's persistent config and, AFFECT_LIVE or AFFECT_CURRENT
 * while it runs, on its tap (tc) and in its live XML */
gboolean vgmDriverDomainSetBandwidth(const VgmDriverStore *store, const char *ref,
                                     const VgmDriverBandwidthChange *change, unsigned int flags,
                                     GError **error);
/* libvirt's virDomainSetVcpusFlags on the persistent config of @ref
 * (the maximum, VGM_DOMAIN_VCPU_MAXIMUM, or the count it starts with)
 * and, AFFECT_LIVE or AFFECT_CURRENT while it runs, the vCPUs it runs,
 * plugged or unplugged */
/* libvirt's virDomainSetVcpu (flags AFFECT_LIVE, AFFECT_CONFIG): the vCPUs
 * of @map enabled or disabled (@enable), in the config (<vcpus>) or, one
 * at a time, in the running QEMU (plugged or unplugged) */
gboolean vgmDriverDomainSetVcpu(const VgmDriverStore *store, const char *ref,
                                const VgmBitmap *map, gboolean enable, unsigned int flags,
                                GError **error);
gboolean vgmDriverDomainSetVcpus(const VgmDriverStore *store, const char *ref,
                                 unsigned int nvcpus, unsigned int flags, GError **error);
/* libvirt's virDomainAttachDeviceFlags, virDomainDetachDeviceFlags and
 * virDomainUpdateDeviceFlags: device element @xml attached to, detached
 * from or updated in the persistent config of @ref (driver_device.h),
 * checked as a define checks it and saved atomically; a running domain's
 * devices (AFFECT_LIVE, or AFFECT_CURRENT while it runs) are hot-plugged
 * (attach; *@alias: the QEMU id of the device plugged) or unplugged
 * (detach; *@alias: the QEMU id of a device whose guest let it go within
 * the wait, else NULL), updates refused */
gboolean vgmDriverDomainChangeDevice(const VgmDriverStore *store, const char *ref,
                                     const char *xml, VgmDriverDeviceOp op,
                                     unsigned int flags, char **alias, GError **error);
/* QEMU says (DEVICE_DELETED) the guest of running domain @name let
 * device @id go: when a detach asked for it, its back ends go and the
 * live XML drops it (*@finished: a device's removal is over); a vCPU an
 * unplug asked for goes offline in the live XML */
gboolean vgmDriverDomainDeviceDeleted(const VgmDriverStore *store, const char *name,
                                      const char *id, gboolean *finished, GError **error);
/* libvirt's virDomainSetMemoryFlags: the memory of domain @ref (KiB):
 * its current (balloon) size, or with VGM_DOMAIN_MEM_MAXIMUM its
 * maximum, in the live domain (the balloon's target; the maximum of a
 * running QEMU is fixed) and/or its persistent config (AFFECT_CURRENT:
 * the live one if it runs, else the config) */
gboolean vgmDriverDomainSetMemory(const VgmDriverStore *store, const char *ref,
                                  unsigned long long kib, unsigned int flags, GError **error);
/* QEMU's inject-nmi into running (or paused) domain @ref: every vCPU gets
 * a non-maskable interrupt (libvirt's virDomainInjectNMI) */
gboolean vgmDriverDomainInjectNMI(const VgmDriverStore *store, const char *ref, char **name,
                                  GError **error);
/* QEMU's system_wakeup for running domain @ref: a guest in S3 wakes up
 * (libvirt's virDomainPMWakeup; QEMU refuses a guest not suspended) */
gboolean vgmDriverDomainPMWakeup(const VgmDriverStore *store, const char *ref, char **name,
                                 GError **error);
/* libvirt's virDomainSendKey: keys @codes (@n, 1 to VGM_DOMAIN_SEND_KEY_MAX),
 * in code set @codeset (VgmKeycodeSet), pressed together on running (or
 * paused) domain @ref and released after @holdtime ms (0: QEMU's default)
 * by QEMU's send-key */
#define VGM_DOMAIN_SEND_KEY_MAX 16
gboolean vgmDriverDomainSendKey(const VgmDriverStore *store, const char *ref,
                                unsigned int codeset, unsigned int holdtime,
                                const unsigned int *codes, guint n, GError **error);

/* libvirt's virDomainMetadataType */
typedef enum {
    VGM_DOMAIN_METADATA_DESCRIPTION = 0,
    VGM_DOMAIN_METADATA_TITLE = 1,
    VGM_DOMAIN_METADATA_ELEMENT = 2,
} VgmDomainMetadataType;
/* libvirt's virDomainSetMetadata on @ref: @type's <description>, <title>
 * or element of namespace @uri (prefix @key) in <metadata> set to
 * @metadata, or removed (NULL or empty), in the config and, AFFECT_LIVE
 * or AFFECT_CURRENT while it runs, in the live XML */
gboolean vgmDriverDomainSetMetadata(const VgmDriverStore *store, const char *ref, int type,
                                    const char *metadata, const char *key, const char *uri,
                                    unsigned int flags, GError **error);
/* virDomainGetMetadata of definition @def: a copy, or
 * VGM_ERR_NO_DOMAIN_METADATA */
char *vgmDriverDomainGetMetadata(const VgmDomainDef *def, int type, const char *uri,
                                 GError **error);

/* QEMU's system_reset of running (or paused) domain @ref: the guest
 * starts over at once, without shutting down (libvirt's reset) */
gboolean vgmDriverDomainReset(const VgmDriverStore *store, const char *ref, char **name,
                              GError **error);
gboolean vgmDriverDomainResume(const VgmDriverStore *store, const char *ref,
                               char **name, GError **error);
/* Exact lookups, as libvirt's API has them (vgmDriverDomainLookup tries
 * every kind, as virsh does); VGM_ERR_NO_DOMAIN naming what was asked. */
VgmDriverDomain *vgmDriverDomainLookupByName(const VgmDriverStore *store,
                                             const char *name, unsigned int what,
                                             GError **error);
VgmDriverDomain *vgmDriverDomainLookupByUUID(const VgmDriverStore *store,
                                             const unsigned char *uuid,
                                             unsigned int what, GError **error);
VgmDriverDomain *vgmDriverDomainLookupByID(const VgmDriverStore *store, int id,
                                           GError **error);
/* @def, a running guest's XML (a live update's, an incoming migration's,
 * a save image's), made to give a new QEMU what the running one had
 * where a start before 2026-12-06 wrote its live XML: a custom model's
 * features libvirt's CPU map removed (vgmQemuCpuNameRemovedFeatures), a
 * pflash without readonly read-only. A start since writes both out. */
void vgmDriverDomainKeepAsRan(VgmDomainDef *def);
/* Live XML @xml as a save image or a snapshot's memory keeps it: a VNC
 * websocket on a port its start chose (@websocketPorts, nullable) asks
 * for -1 again, and a pty character device names no pty (the restore's
 * QEMU opens its own), as libvirt's image has them. A new string; NULL
 * with @error. */
char *vgmDriverDomainImageXML(const char *xml, const GArray *websocketPorts, GError **error);
/* The XML of @def as it runs (what the status file keeps): the resolved
 * machine type in <type>, a CPU relative to the host as the model it
 * became (@hostModel, nullable), without the CPU features QEMU was not
 * given (@cpuDropped, QEMU's names; nullable), and firmware chosen by
 * <os firmware='efi'> as the <loader> and <nvram> of @fw (nullable), as
 * libvirt shows it. */
char *vgmDriverDomainLiveXML(const VgmDomainDef *def, const char *machine,
                             const VgmQemuCpuHostModel *hostModel, GHashTable *cpuDropped,
                             const VgmQemuFirmware *fw, const char *defaultCpu);

/* What dumpxml prints: the live XML with id='N' on <domain> for a running
 * domain (as libvirt prints it), else the config; @inactive: the config. */
char *vgmDriverDomainFormatXML(const VgmDriverStore *store,
                               const VgmDriverDomain *dom, gboolean inactive,
                               GError **error);
/* ... in libvirt's migratable form (virDomainGetXMLDesc's MIGRATABLE):
 * a definition without what the run added to it (the id, aliases, ptys,
 * the chosen ports and the channels' state) and without the devices any
 * definition is given by default (vgmDriverDomainDropImplicit) */
/* Definition @xml with its CPU relative to the host (host-model, a
 * custom model of match='minimum' or with optional features) made into
 * the custom CPU it becomes on this host with its binary, as the live
 * XML shows it: virDomainGetXMLDesc's UPDATE_CPU for a definition. Any
 * other CPU is left as it is. */
char *vgmDriverDomainUpdateCpuXML(const VgmDriverStore *store, const char *xml,
                                  GError **error);
char *vgmDriverDomainFormatMigratable(const VgmDriverStore *store,
                                      const VgmDriverDomain *dom, gboolean inactive,
                                      GError **error);

/* ---- a running domain's live definition ---- */

/* The live definition of running domain @dom (lock held) from its
 * status, its devices' QEMU ids assigned, ready to render */
VgmDomainDef *vgmDriverDomainLiveDef(const VgmDriverDomain *dom, GError **error);
/* @def is now the live definition of running domain @dom: kept in its
 * status */
gboolean vgmDriverDomainSaveLive(const VgmDriverStore *store, VgmDriverDomain *dom,
                                 const VgmDomainDef *def, GError **error);
/* The -blockdev options a start of @def (a live definition of running
 * domain @dom) gives the top image of disk @d: its storage node and its
 * format node (new references) */
gboolean vgmDriverDomainDiskTopNodes(const VgmDriverStore *store, const VgmDriverDomain *dom,
                                     const VgmDomainDef *def, const VgmDiskDef *d,
                                     JsonObject **storage, JsonObject **format, GError **error);
