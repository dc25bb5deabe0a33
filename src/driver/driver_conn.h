/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_conn.h: the driver's one connection-level API.
 *
 * What libvirt's public API is to its drivers, this is to our two fronts:
 * the virt-gmem command and the virtgmemd daemon call these functions and
 * nothing below them. It owns the driver object of one root (its store,
 * the per-domain serialisation of changes inside one process, the event
 * bus), libvirt's semantics for the calls (list flags, lookups by name,
 * uuid and id, state reason numbers, info, XML flags), the lifecycle
 * events each change raises (libvirt's event and detail numbers), and the
 * version and node answers.
 *
 * Every function is safe to call from several threads at once: changes to
 * one domain are serialised (an in-process mutex per name, then the
 * domain's file lock, so another virt-gmem process on the same root is
 * kept out too); calls on different domains run in parallel.
 */
#pragma once

#include <glib.h>

#include "driver/driver_domain.h"
#include "driver/driver_storage.h"
#include "driver/driver_store.h"
#include "host/vgmhostiface.h"

/* The libvirt API level whose behaviour we follow (getLibVersion):
 * 9.0.0, Debian 12's libvirt, as major * 1,000,000 + minor * 1,000 +
 * micro. */
#define VGM_DRIVER_LIBVIRT_API_VERSION 9000000ULL

typedef struct _VgmDriver VgmDriver;

/* Opens the driver of @root (NULL: as vgmDriverStoreOpen). */
VgmDriver *vgmDriverNew(const char *root, GError **error);
void vgmDriverFree(VgmDriver *drv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriver, vgmDriverFree)
const VgmDriverStore *vgmDriverGetStore(const VgmDriver *drv);
/* For a long-lived process (the daemon): keeps an index of the store's
 * domain files, current through inotify, so that lookups and lists need
 * not read the directories and every config each time (see
 * vgmDriverStoreStartIndex). FALSE when it cannot: the driver works as
 * well without, only slower. */
gboolean vgmDriverStartIndex(VgmDriver *drv);

/* Fails with libvirt's "unsupported flags (0x..)" for the bits of @flags
 * outside @supported. */
gboolean vgmDriverCheckFlags(unsigned int flags, unsigned int supported, GError **error);

/* ---- domains ---- */

/* libvirt's virConnectListAllDomainsFlags, same bits. */
typedef enum {
    VGM_LIST_DOMAINS_ACTIVE = 1 << 0,
    VGM_LIST_DOMAINS_INACTIVE = 1 << 1,
    VGM_LIST_DOMAINS_PERSISTENT = 1 << 2,
    VGM_LIST_DOMAINS_TRANSIENT = 1 << 3,
    VGM_LIST_DOMAINS_RUNNING = 1 << 4,
    VGM_LIST_DOMAINS_PAUSED = 1 << 5,
    VGM_LIST_DOMAINS_SHUTOFF = 1 << 6,
    VGM_LIST_DOMAINS_OTHER = 1 << 7,
    VGM_LIST_DOMAINS_MANAGEDSAVE = 1 << 8,
    VGM_LIST_DOMAINS_NO_MANAGEDSAVE = 1 << 9,
    VGM_LIST_DOMAINS_AUTOSTART = 1 << 10,
    VGM_LIST_DOMAINS_NO_AUTOSTART = 1 << 11,
    VGM_LIST_DOMAINS_HAS_SNAPSHOT = 1 << 12,
    VGM_LIST_DOMAINS_NO_SNAPSHOT = 1 << 13,
    VGM_LIST_DOMAINS_HAS_CHECKPOINT = 1 << 14,
    VGM_LIST_DOMAINS_NO_CHECKPOINT = 1 << 15,
} VgmListDomainsFlags;
#define VGM_LIST_DOMAINS_ALL_FLAGS ((1u << 16) - 1)

/* The domains @flags select (0: all), active ones first by id, then the
 * inactive ones by name. Unknown flags are an invalid-arg error. */
GPtrArray *vgmDriverListDomains(VgmDriver *drv, unsigned int flags, GError **error);
/* Drops from @doms (of VgmDriverDomain, owned) those the list filter
 * @flags (VGM_LIST_DOMAINS_*) leaves out, keeping the order */
void vgmDriverFilterDomains(VgmDriver *drv, GPtrArray *doms, unsigned int flags);
/* Counts and names for libvirt's older list calls. */
int vgmDriverNumOfDomains(VgmDriver *drv, gboolean active, GError **error);

VgmDriverDomain *vgmDriverLookupByName(VgmDriver *drv, const char *name, GError **error);
VgmDriverDomain *vgmDriverLookupByUUID(VgmDriver *drv, const unsigned char *uuid,
                                       GError **error);
/* The same, and the list, filling in what @what (VgmDriverLookupFlags)
 * says: with VGM_DRIVER_LOOKUP_BRIEF no dom->def (vgmDriverDomainFillDef
 * makes it), for a caller that needs no more than the name, uuid, id,
 * state and XML. */
VgmDriverDomain *vgmDriverLookupByNameFlags(VgmDriver *drv, const char *name,
                                            unsigned int what, GError **error);
/* The running domain @name, looked up as @what says (VgmDriverLookupFlags);
 * VGM_ERR_OPERATION_INVALID when it does not run */
VgmDriverDomain *vgmDriverLookupRunning(VgmDriver *drv, const char *name, unsigned int what,
                                        GError **error);
VgmDriverDomain *vgmDriverLookupByUUIDFlags(VgmDriver *drv, const unsigned char *uuid,
                                            unsigned int what, GError **error);
GPtrArray *vgmDriverListDomainsFlags(VgmDriver *drv, unsigned int flags, unsigned int what,
                                     GError **error);
VgmDriverDomain *vgmDriverLookupByID(VgmDriver *drv, int id, GError **error);
/* virsh's DOMAIN argument: a name, else a running id, else a uuid. */
VgmDriverDomain *vgmDriverLookup(VgmDriver *drv, const char *ref, GError **error);

/* Defines the domain in the XML text @xml (from @file when @xml is NULL).
 * Raises DEFINED (added, or updated when the name had a config). The
 * domain returned is a brief one (no def). */
VgmDriverDomain *vgmDriverDefineXML(VgmDriver *drv, const char *xml,
                                    const char *file, GError **error);
/* libvirt's virDomainUndefineFlagsValues that we accept: MANAGED_SAVE (1)
 * removes a managed save image (refused without it); snapshot and
 * checkpoint metadata we never keep, so they are no-ops, as are their
 * KEEP_ flags; NVRAM (4) and KEEP_NVRAM (8) decide what becomes of a UEFI
 * varstore, TPM (32) and KEEP_TPM (64) of a TPM's state
 * (vgmDriverDomainUndefine). */
#define VGM_UNDEFINE_FLAGS_OK ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | \
                               (1u << 4) | (1u << 5) | (1u << 6))
/* Raises UNDEFINED (removed). */
gboolean vgmDriverUndefine(VgmDriver *drv, const char *name, unsigned int flags,
                           GError **error);

/* libvirt's virDomainCreateFlags we honour: START_PAUSED (1),
 * AUTODESTROY (2: the run ends with the connection that started it, which
 * the front end that has connections ties to it, vgmDriverAutodestroy),
 * BYPASS_CACHE (4: a managed save image read is left out of the host's
 * page cache), FORCE_BOOT (8: a managed save image is removed, not
 * loaded) and RESET_NVRAM (32: the UEFI varstore made again from its
 * template); VALIDATE is what every create does. */
#define VGM_CREATE_START_PAUSED (1u << 0)
#define VGM_CREATE_AUTODESTROY (1u << 1)
#define VGM_CREATE_BYPASS_CACHE (1u << 2)
#define VGM_CREATE_FORCE_BOOT (1u << 3)
#define VGM_CREATE_VALIDATE (1u << 4)
#define VGM_CREATE_RESET_NVRAM (1u << 5)
/* Starts a defined domain; raises RESUMED (unpaused) unless paused, then
 * STARTED (booted). */
VgmDriverDomain *vgmDriverStart(VgmDriver *drv, const char *name, unsigned int flags,
                                GError **error);
/* Starts a transient domain (or a defined one of that name and uuid). */
VgmDriverDomain *vgmDriverCreateXML(VgmDriver *drv, const char *xml, const char *file,
                                    unsigned int flags, GError **error);
/* Raises STOPPED (destroyed). */
gboolean vgmDriverDestroy(VgmDriver *drv, const char *name, unsigned int flags,
                          GError **error);
/* The connection that started run @id of domain @name with AUTODESTROY
 * ended: that run is destroyed (not a later run of the name), a failure
 * logged */
void vgmDriverAutodestroy(VgmDriver *drv, const char *name, int id);
/* Asks the guest to power off (ACPI); while anyone listens for events, the
 * guest's power-off is then watched for and raises SHUTDOWN (finished)
 * and STOPPED (shutdown). */
gboolean vgmDriverShutdown(VgmDriver *drv, const char *name, unsigned int flags,
                           GError **error);
/* A connected socket to the VNC or SPICE server of graphics device @idx
 * of running domain @name (libvirt's virDomainOpenGraphicsFD; flag
 * SKIPAUTH 1); -1 on an error. The caller owns the descriptor. */
#define VGM_DOMAIN_OPEN_GRAPHICS_SKIPAUTH 1u
int vgmDriverOpenGraphicsFD(VgmDriver *drv, const char *name, unsigned int idx,
                            unsigned int flags, GError **error);
/* libvirt's virDomainSaveRestoreFlags: BYPASS_CACHE (1: the image
 * written or read is left out of the host's page cache; a save and a
 * restore), RUNNING (2) and PAUSED (4), how the restore leaves the guest,
 * and RESET_NVRAM (8: a restore makes the UEFI varstore again from its
 * template). */
#define VGM_SAVE_BYPASS_CACHE (1u << 0)
#define VGM_SAVE_RUNNING (1u << 1)
#define VGM_SAVE_PAUSED (1u << 2)
#define VGM_SAVE_RESET_NVRAM (1u << 3)
/* Saves running domain @name into the new image @path, or with @path
 * NULL into its managed save image, with its live XML or @dxml
 * (vgmDriverDomainSave); raises SUSPENDED (paused) if it ran, then
 * STOPPED (saved). */
gboolean vgmDriverSave(VgmDriver *drv, const char *name, const char *path, const char *dxml,
                       unsigned int flags, GError **error);
/* ---- migration (driver_conn.c): libvirt's version 3 with parameters,
 * each phase one call; the peer-to-peer one is the remote layer's, which
 * calls these on both sides ---- */

/* libvirt's virDomainMigrateFlags */
#define VGM_MIGRATE_LIVE (1u << 0)
#define VGM_MIGRATE_PEER2PEER (1u << 1)
#define VGM_MIGRATE_TUNNELLED (1u << 2)
#define VGM_MIGRATE_PERSIST_DEST (1u << 3)
#define VGM_MIGRATE_UNDEFINE_SOURCE (1u << 4)
#define VGM_MIGRATE_PAUSED (1u << 5)
#define VGM_MIGRATE_NON_SHARED_DISK (1u << 6)
#define VGM_MIGRATE_NON_SHARED_INC (1u << 7)
#define VGM_MIGRATE_CHANGE_PROTECTION (1u << 8)
#define VGM_MIGRATE_UNSAFE (1u << 9)
#define VGM_MIGRATE_OFFLINE (1u << 10)
#define VGM_MIGRATE_COMPRESSED (1u << 11)
#define VGM_MIGRATE_ABORT_ON_ERROR (1u << 12)
#define VGM_MIGRATE_AUTO_CONVERGE (1u << 13)
#define VGM_MIGRATE_RDMA_PIN_ALL (1u << 14)
#define VGM_MIGRATE_POSTCOPY (1u << 15)
#define VGM_MIGRATE_TLS (1u << 16)
#define VGM_MIGRATE_PARALLEL (1u << 17)
#define VGM_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES (1u << 18)
#define VGM_MIGRATE_POSTCOPY_RESUME (1u << 19)
#define VGM_MIGRATE_ZEROCOPY (1u << 20)

/* The typed parameters of a migration, as each phase reads them
 * (VgmTypedParam, libvirt's names); unknown or unsupported ones refused */
typedef struct {
    const char *uri;            /* migrate_uri: tcp://HOST[:PORT] */
    const char *dname;          /* destination_name */
    const char *dxml;           /* destination_xml */
    const char *persistentXml;  /* persistent_xml */
    const char *listenAddress;  /* listen_address */
    guint64 bandwidth;          /* bandwidth, MiB/s */
} VgmDriverMigrateParams;
gboolean vgmDriverMigrateParamsParse(const GPtrArray *params, VgmDriverMigrateParams *out,
                                     GError **error);
/* Checks @flags: the ones the driver does are taken, the others refused
 * by name */
gboolean vgmDriverMigrateCheckFlags(unsigned int flags, GError **error);

/* Source, begin: the XML the destination starts (the live XML, or the
 * destination_xml when it changes only what the host provides) and the
 * cookie the destination reads (the definition PERSIST_DEST defines) */
gboolean vgmDriverMigrateBegin(VgmDriver *drv, const char *name,
                               const VgmDriverMigrateParams *p, unsigned int flags,
                               char **xml, GByteArray **cookie, GError **error);
/* Destination, prepare: the domain started from @xml (the params'
 * destination_xml), its QEMU listening for the stream; *@uriOut is where
 * the source sends it (tcp://HOST:PORT), *@id which migration it is
 * (vgmDriverMigrateAbandon). Raises STARTED (migrated). A domain with a
 * migration pending is refused. */
VgmDriverDomain *vgmDriverMigratePrepare(VgmDriver *drv, const VgmDriverMigrateParams *p,
                                         const guint8 *cookie, gsize cookieLen,
                                         unsigned int flags, char **uriOut, guint64 *id,
                                         GError **error);
/* Source, perform: the guest's state sent to @p->uri as a job
 * (operation migration-out), the guest left paused; *@id which migration
 * it is (vgmDriverMigrateForget). Raises SUSPENDED (migrated). */
gboolean vgmDriverMigratePerform(VgmDriver *drv, const char *name,
                                 const VgmDriverMigrateParams *p, unsigned int flags,
                                 guint64 *id, GError **error);
/* Destination, finish: with @cancelled (the perform failed) the domain's
 * QEMU ends and an error says so; else the guest runs (unless PAUSED),
 * defined here with PERSIST_DEST. Raises DEFINED, RESUMED (migrated). */
VgmDriverDomain *vgmDriverMigrateFinish(VgmDriver *drv, const char *name,
                                        unsigned int flags, gboolean cancelled,
                                        GError **error);
/* Source, confirm: with @cancelled (the destination failed) the guest
 * runs again here (RESUMED, migrated); else its QEMU ends (JOB_COMPLETED,
 * STOPPED migrated) and UNDEFINE_SOURCE undefines it (UNDEFINED). */
gboolean vgmDriverMigrateConfirm(VgmDriver *drv, const char *name, unsigned int flags,
                                 gboolean cancelled, GError **error);

/* At a daemon's start: the domains a prepare left waiting for a stream
 * whose finish cannot come any more are stopped (STOPPED, failed), as
 * libvirtd does on its restart */
void vgmDriverMigrateCleanStale(VgmDriver *drv);
/* The client that prepared @name's incoming migration is gone before its
 * finish: the domain's QEMU ends, as libvirtd ends it */
void vgmDriverMigrateAbandon(VgmDriver *drv, const char *name, guint64 id);
/* The client that performed @name's outgoing migration is gone before
 * its confirm: the guest stays paused (it may run at the destination, as
 * libvirtd reasons), and can be resumed or destroyed again */
void vgmDriverMigrateForget(VgmDriver *drv, const char *name, guint64 id);
/* libvirt's QEMU_DOMAIN_MIG_BANDWIDTH_MAX: the default speed, MiB/s */
#define VGM_MIGRATE_SPEED_MAX ((guint64)G_MAXINT64 / (1024 * 1024))
/* QEMU's largest downtime-limit, ms */
#define VGM_MIGRATE_DOWNTIME_MAX 2000000
/* virDomainMigrateMaxSpeedFlags */
#define VGM_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY (1u << 0)
/* virDomainMigrateStartPostCopy: refused (OPERATION_INVALID) as libvirt
 * refuses it without a post-copy migration running; the driver runs
 * none (VIR_MIGRATE_POSTCOPY is refused at the start of a migration) */
gboolean vgmDriverMigrateStartPostCopy(VgmDriver *drv, const char *name, unsigned int flags,
                                       GError **error);
/* virDomainMigrateSetMaxDowntime / GetMaxDowntime: QEMU's downtime-limit
 * of running domain @name, in ms (of the migration under way, if any) */
gboolean vgmDriverMigrateSetMaxDowntime(VgmDriver *drv, const char *name, guint64 downtimeMs,
                                        unsigned int flags, GError **error);
gboolean vgmDriverMigrateGetMaxDowntime(VgmDriver *drv, const char *name, unsigned int flags,
                                        guint64 *downtimeMs, GError **error);
/* virDomainMigrateSetCompressionCache (@set) / GetCompressionCache: the
 * bytes of QEMU's XBZRLE cache (xbzrle-cache-size) of running domain
 * @name in *@size; not while it migrates */
gboolean vgmDriverMigrateCompressionCache(VgmDriver *drv, const char *name, gboolean set,
                                          guint64 *size, unsigned int flags, GError **error);
/* virDomainMigrateSetMaxSpeed / GetMaxSpeed: the MiB/s of @name's
 * migrations that give no bandwidth (kept while the daemon runs, running
 * or not; VGM_MIGRATE_SPEED_MAX until set), and of the one under way */
gboolean vgmDriverMigrateSetMaxSpeed(VgmDriver *drv, const char *name, guint64 mib,
                                     unsigned int flags, GError **error);
gboolean vgmDriverMigrateGetMaxSpeed(VgmDriver *drv, const char *name, unsigned int flags,
                                     guint64 *mib, GError **error);

/* libvirt's virDomainCoreDumpFlags */
#define VGM_DUMP_CRASH (1u << 0)
#define VGM_DUMP_LIVE (1u << 1)
#define VGM_DUMP_BYPASS_CACHE (1u << 2)
#define VGM_DUMP_RESET (1u << 3)
#define VGM_DUMP_MEMORY_ONLY (1u << 4)
/* virDomainCoreDump(WithFormat): a dump of running domain @name into
 * @path (vgmDriverDomainCoreDump) in @format (virDomainCoreDumpFormat,
 * other than raw with MEMORY_ONLY only); raises SUSPENDED and RESUMED
 * when the guest was paused for it, STOPPED (crashed) with CRASH.
 * BYPASS_CACHE is refused. */
gboolean vgmDriverCoreDump(VgmDriver *drv, const char *name, const char *path, int format,
                           unsigned int flags, GError **error);
/* For the watcher: the watchdog of domain @name (run by QEMU @pid) paused
 * the guest; with <watchdog action='dump'> its memory is dumped into
 * ROOT/lib/qemu/dump/NAME-TIME and the guest let run again, by a thread
 * of the driver's (the watcher's worker goes on meanwhile) */
void vgmDriverWatchdogDump(VgmDriver *drv, const char *name, pid_t pid);
/* libvirt's virDomainJobType and virDomainJobOperation we report */
#define VGM_DOMAIN_JOB_NONE 0
#define VGM_DOMAIN_JOB_UNBOUNDED 2
#define VGM_DOMAIN_JOB_COMPLETED 3
#define VGM_DOMAIN_JOB_OPERATION_SAVE 2
#define VGM_DOMAIN_JOB_OPERATION_SNAPSHOT 6
#define VGM_DOMAIN_JOB_OPERATION_DUMP 8
/* virDomainGetJobStats flags: the last completed job, kept after the
 * read (with KEEP_COMPLETED) */
#define VGM_DOMAIN_JOB_STATS_COMPLETED (1u << 0)
#define VGM_DOMAIN_JOB_STATS_KEEP_COMPLETED (1u << 1)
/* virDomainAbortJobFlags: a post-copy migration's abort */
#define VGM_DOMAIN_ABORT_JOB_POSTCOPY (1u << 0)
/* virDomainGetControlInfo: libvirt's virDomainControlState of running
 * domain @name: a job of the driver's (a save, a dump) runs (JOB, since
 * @stateTimeMs), else a long operation holds QEMU's monitor (OCCUPIED),
 * else OK */
#define VGM_DOMAIN_CONTROL_OK 0
#define VGM_DOMAIN_CONTROL_JOB 1
#define VGM_DOMAIN_CONTROL_OCCUPIED 2
typedef struct {
    unsigned int state;
    unsigned int details;
    guint64 stateTimeMs;
} VgmDriverControlInfo;
gboolean vgmDriverGetControlInfo(VgmDriver *drv, const char *name, unsigned int flags,
                                 VgmDriverControlInfo *info, GError **error);
/* What libvirt's virDomainGetJobInfo reports */
typedef struct {
    int type;                   /* VGM_DOMAIN_JOB_* */
    int operation;              /* VGM_DOMAIN_JOB_OPERATION_* */
    guint64 elapsedMs;
    guint64 memTotal;           /* bytes */
    guint64 memProcessed;
    guint64 memRemaining;
    guint64 memBps;
} VgmDriverJobInfo;
/* virDomainGetJobInfo: a save of running domain @name in progress
 * (vgmDriverSave: UNBOUNDED, its time and QEMU's progress), else NONE;
 * a shut-off domain refused */
gboolean vgmDriverGetJobInfo(VgmDriver *drv, const char *name, VgmDriverJobInfo *info,
                             GError **error);
/* virDomainGetJobStats: the same as libvirt's typed parameters
 * (operation, time_elapsed, data_*, memory_*), in *@type the job type */
GPtrArray *vgmDriverGetJobStats(VgmDriver *drv, const char *name, unsigned int flags,
                                int *type, GError **error);
/* virDomainAbortJob(Flags): the save of @name in progress stops (it fails
 * with VGM_ERR_OPERATION_ABORTED and leaves the guest as it was); none
 * is an error */
gboolean vgmDriverAbortJob(VgmDriver *drv, const char *name, unsigned int flags,
                           GError **error);
/* Starts the domain saved in image @path, with the image's XML or @dxml
 * (vgmDriverDomainRestore); raises STARTED (restored), then RESUMED (from
 * snapshot) when it runs, else SUSPENDED (restored, or paused when
 * asked). */
VgmDriverDomain *vgmDriverRestore(VgmDriver *drv, const char *path, const char *dxml,
                                  unsigned int flags, GError **error);
/* Whether domain @name has a managed save image */
gboolean vgmDriverHasManagedSave(VgmDriver *drv, const char *name);
/* Snapshots (driver_snapshot.h), under the domain's in-process mutex,
 * with the lifecycle events they cause: taking one of domain @name as
 * @xml says (*@snap its name), */
gboolean vgmDriverSnapshotTake(VgmDriver *drv, const char *name, const char *xml,
                               unsigned int flags, char **snap, GError **error);
/* ... reverting to one, */
gboolean vgmDriverSnapshotRevertTo(VgmDriver *drv, const char *name, const char *snap,
                                   unsigned int flags, GError **error);
/* ... and deleting one */
gboolean vgmDriverSnapshotRemove(VgmDriver *drv, const char *name, const char *snap,
                                 unsigned int flags, GError **error);
gboolean vgmDriverManagedSaveRemove(VgmDriver *drv, const char *name, unsigned int flags,
                                    GError **error);
/* The XML in save image @path, or with @path NULL in domain @name's
 * managed save image; graphics passwords only with VGM_DOMAIN_XML_SECURE
 * (libvirt's VIR_DOMAIN_SAVE_IMAGE_XML_SECURE, the same bit). */
char *vgmDriverSaveImageGetXML(VgmDriver *drv, const char *name, const char *path,
                               unsigned int flags, GError **error);
/* virDomainSaveImageDefineXML (image @path) and
 * virDomainManagedSaveDefineXML (domain @name's managed image; @xml may
 * be NULL): vgmDriverDomainSaveImageDefine; flags VGM_SAVE_RUNNING or
 * VGM_SAVE_PAUSED */
gboolean vgmDriverSaveImageDefine(VgmDriver *drv, const char *name, const char *path,
                                  const char *xml, unsigned int flags, GError **error);

/* Raise SUSPENDED (paused) and RESUMED (unpaused). */
gboolean vgmDriverSuspend(VgmDriver *drv, const char *name, unsigned int flags,
                          GError **error);
gboolean vgmDriverResume(VgmDriver *drv, const char *name, unsigned int flags,
                         GError **error);
/* libvirt's virDomainReboot over ACPI (driver_domain.h);
 * virDomainRebootFlagValues */
enum {
    VGM_DOMAIN_REBOOT_ACPI_POWER_BTN = 1 << 0,
    VGM_DOMAIN_REBOOT_GUEST_AGENT = 1 << 1,
};
gboolean vgmDriverReboot(VgmDriver *drv, const char *name, unsigned int flags, GError **error);
/* libvirt's virDomainInjectNMI (vgmDriverDomainInjectNMI) */
gboolean vgmDriverInjectNMI(VgmDriver *drv, const char *name, unsigned int flags,
                            GError **error);
/* libvirt's virDomainSendKey (vgmDriverDomainSendKey) */
gboolean vgmDriverSendKey(VgmDriver *drv, const char *name, unsigned int codeset,
                          unsigned int holdtime, const unsigned int *codes, guint n,
                          unsigned int flags, GError **error);
/* virDomainSetMetadata (vgmDriverDomainSetMetadata; flags AFFECT_LIVE,
 * AFFECT_CONFIG) and virDomainGetMetadata of the live or the persistent
 * definition, as the flags say */
gboolean vgmDriverSetMetadata(VgmDriver *drv, const char *name, int type, const char *metadata,
                              const char *key, const char *uri, unsigned int flags,
                              GError **error);
char *vgmDriverGetMetadata(VgmDriver *drv, VgmDriverDomain *dom, int type, const char *uri,
                           unsigned int flags, GError **error);
/* libvirt's virDomainReset: the machine starts over at once */
gboolean vgmDriverReset(VgmDriver *drv, const char *name, unsigned int flags, GError **error);
/* virDomainSetVcpusFlags (flags AFFECT_LIVE, AFFECT_CONFIG,
 * VCPU_MAXIMUM): the config's vCPU counts, or the vCPUs a running domain
 * runs (plugged and unplugged) */
#define VGM_DOMAIN_VCPU_MAXIMUM (1u << 2)
/* ... and VCPU_GUEST (the guest's own, through its agent), VCPU_HOTPLUGGABLE
 * (the vCPUs plugged can be unplugged: a running domain's are) */
#define VGM_DOMAIN_VCPU_GUEST (1u << 3)
#define VGM_DOMAIN_VCPU_HOTPLUGGABLE (1u << 4)
/* virDomainGetVcpusFlags: the vCPUs the running domain's live definition
 * (@flags LIVE, or CURRENT while it runs) or its config (CONFIG) starts
 * with, or (VCPU_MAXIMUM) can have; VCPU_GUEST: those the guest has online
 * (or has, with VCPU_MAXIMUM), through its agent. -1 on error. */
int vgmDriverGetVcpuCount(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags, GError **error);
/* virDomainPinVcpuFlags, virDomainPinEmulator, virDomainPinIOThread
 * (flags AFFECT_LIVE, AFFECT_CONFIG) */
gboolean vgmDriverPin(VgmDriver *drv, const char *name, VgmDriverPinKind kind, unsigned int id,
                      const VgmBitmap *cpus, unsigned int flags, GError **error);
/* virDomainAddIOThread (@add) and virDomainDelIOThread (flags
 * AFFECT_LIVE, AFFECT_CONFIG) */
gboolean vgmDriverIOThread(VgmDriver *drv, const char *name, unsigned int id, gboolean add,
                           unsigned int flags, GError **error);
/* virDomainSetLifecycleAction (flags AFFECT_LIVE, AFFECT_CONFIG) */
gboolean vgmDriverSetLifecycleAction(VgmDriver *drv, const char *name, unsigned int type,
                                     unsigned int action, unsigned int flags, GError **error);
/* virDomainSetVcpu (flags AFFECT_LIVE, AFFECT_CONFIG): the vCPUs of
 * libvirt's list @cpumap ("1-3,^2") enabled (@state 1) or disabled (0) */
gboolean vgmDriverSetVcpu(VgmDriver *drv, const char *name, const char *cpumap, int state,
                          unsigned int flags, GError **error);
/* virDomainRename (flags 0): UNDEFINED / renamed for the old name, then
 * DEFINED / renamed for the new one, as libvirt raises them */
gboolean vgmDriverRename(VgmDriver *drv, const char *name, const char *newName,
                         unsigned int flags, GError **error);
gboolean vgmDriverSetVcpus(VgmDriver *drv, const char *name, unsigned int nvcpus,
                           unsigned int flags, GError **error);
/* virDomainSetMemoryFlags (@kib KiB; flags AFFECT_LIVE, AFFECT_CONFIG,
 * MEM_MAXIMUM) */
/* QEMU (DEVICE_DELETED) says the guest of running domain @name let
 * device @id go: a detach's removal is finished (under the domain's lock,
 * so after a detach that waits for the guest) and DEVICE_REMOVED raised */
void vgmDriverDeviceDeleted(VgmDriver *drv, const char *name, const char *id);
/* libvirt's virDomain{Attach,Detach,Update}DeviceFlags (driver_domain.h) */
gboolean vgmDriverChangeDevice(VgmDriver *drv, const char *name, const char *xml,
                               VgmDriverDeviceOp op, unsigned int flags, GError **error);
/* libvirt's virDomainDetachDeviceAlias: the detach of the device whose
 * alias is @alias in the live XML (AFFECT_LIVE, or a running domain
 * without a flag) or in the config (AFFECT_CONFIG: a user alias) */
gboolean vgmDriverDetachDeviceAlias(VgmDriver *drv, const char *name, const char *alias,
                                    unsigned int flags, GError **error);
gboolean vgmDriverSetMemory(VgmDriver *drv, const char *name, unsigned long long kib,
                            unsigned int flags, GError **error);

/* Whether @dom starts when the daemon does (virDomainGetAutostart) */
gboolean vgmDriverGetAutostart(VgmDriver *drv, const VgmDriverDomain *dom);
/* virDomainSetAutostart: persistent domains only */
gboolean vgmDriverSetAutostart(VgmDriver *drv, const char *name, gboolean autostart,
                               GError **error);
/* The daemon's start: the inactive persistent domains marked to autostart
 * are started, once per boot (a marker in the run-time directory's
 * parent, which a boot empties); what fails is logged */
void vgmDriverAutostartDomains(VgmDriver *drv);

/* Replaces running domain @name's QEMU with a new process of @emulator
 * (NULL: the same binary) that takes the guest and its memory over
 * (<memoryBacking><liveUpdate/>, QEMU's cpr-transfer). No flags yet.
 * *@pauseUs (nullable): how long the vCPUs were stopped, or -1. */
gboolean vgmDriverLiveUpdate(VgmDriver *drv, const char *name, const char *emulator,
                             unsigned int flags, gint64 *pauseUs, GError **error);

/* libvirt's virDomainXMLFlags: SECURE 1, INACTIVE 2, UPDATE_CPU 4,
 * MIGRATABLE 8. */
#define VGM_DOMAIN_XML_SECURE (1u << 0)
#define VGM_DOMAIN_XML_INACTIVE (1u << 1)
#define VGM_DOMAIN_XML_UPDATE_CPU (1u << 2)
#define VGM_DOMAIN_XML_MIGRATABLE (1u << 3)
#define VGM_DOMAIN_XML_FLAGS_OK 0xfu
char *vgmDriverGetXMLDesc(VgmDriver *drv, const VgmDriverDomain *dom,
                          unsigned int flags, GError **error);

/* virDomainInfo. */
typedef struct {
    int state;              /* VgmDomainState */
    guint64 maxMemKiB;
    guint64 memoryKiB;
    guint nrVirtCpu;
    guint64 cpuTimeNs;
} VgmDriverDomainInfo;
void vgmDriverGetInfo(const VgmDriverDomain *dom, VgmDriverDomainInfo *info);
/* libvirt's reason number for the state and reason of @dom. */
int vgmDriverGetStateReason(const VgmDriverDomain *dom);

/* A typed parameter (virTypedParameter), libvirt's type numbers. */
enum {
    VGM_TYPED_PARAM_INT = 1,
    VGM_TYPED_PARAM_UINT = 2,
    VGM_TYPED_PARAM_LLONG = 3,
    VGM_TYPED_PARAM_ULLONG = 4,
    VGM_TYPED_PARAM_DOUBLE = 5,
    VGM_TYPED_PARAM_BOOLEAN = 6,
    VGM_TYPED_PARAM_STRING = 7,
};
typedef struct {
    char *field;
    int type;
    union {
        gint32 i;
        guint32 ui;
        gint64 l;
        guint64 ul;
        double d;
        gboolean b;
        char *s;
    } v;
} VgmTypedParam;
void vgmTypedParamFree(VgmTypedParam *p);
/* A new parameter @field of @type appended to @params (VgmTypedParam),
 * its value zero: the caller sets it */
VgmTypedParam *vgmTypedParamAdd(GPtrArray *params, const char *field, int type);
/* A parameter a call takes: its field and type */
typedef struct {
    const char *field;
    int type;
} VgmTypedParamSpec;
/* libvirt's checks of @params against @spec: an unknown field is refused
 * (ARGUMENT_UNSUPPORTED), one of another type or given twice too
 * (INVALID_ARG), each naming @what's parameter; @found[k] is the one of
 * @spec[k], or NULL */
gboolean vgmTypedParamsCheck(const GPtrArray *params, const VgmTypedParamSpec *spec,
                             size_t nspec, const char *what, const VgmTypedParam **found,
                             GError **error);

/* virDomainSetIOThreadParams (flags AFFECT_LIVE, AFFECT_CONFIG): a running
 * I/O thread's polling (poll_max_ns, poll_grow, poll_shrink) and its
 * pool (thread_pool_min, thread_pool_max), which the config keeps */
gboolean vgmDriverSetIOThreadParams(VgmDriver *drv, const char *name, unsigned int id,
                                    const GPtrArray *params, unsigned int flags,
                                    GError **error);

/* ---- resource controls (driver_cgroup.c) ---- */

/* libvirt's virDomainModificationImpact and VIR_TYPED_PARAM_STRING_OKAY */
#define VGM_DOMAIN_AFFECT_LIVE (1u << 0)
#define VGM_DOMAIN_AFFECT_CONFIG (1u << 1)
#define VGM_TYPED_PARAM_STRING_OKAY (1u << 2)
/* virDomainDeviceModifyFlags: an update's forced eject */
#define VGM_DOMAIN_DEVICE_MODIFY_FORCE (1u << 2)
/* virDomainMemoryModFlags: the maximum, not the current size */
#define VGM_DOMAIN_MEM_MAXIMUM (1u << 2)

/* The definition a read of @dom's settings looks at: the running
 * domain's live one (@flags LIVE, or CURRENT while it runs) or its
 * persistent config (CONFIG, or CURRENT while it is shut off), which
 * *@config then holds (free it). @allowed: the flags beyond LIVE and
 * CONFIG the call takes. NULL with *@error set when the flags do not fit
 * the domain. */
const VgmDomainDef *vgmDriverReadDef(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags,
                                     unsigned int allowed, VgmDomainDef **config,
                                     GError **error);

/* virDomainGetSchedulerType: "posix", and the number of parameters
 * vgmDriverGetTuneParams gives for VGM_DRIVER_TUNE_SCHED. */
char *vgmDriverGetSchedulerType(const VgmDriverDomain *dom, int *nparams);
/* virDomainGetSchedulerParametersFlags, virDomainGetMemoryParameters,
 * virDomainGetBlkioParameters: the controls of the running domain's live
 * definition (@flags LIVE, or CURRENT while it runs) or of its persistent
 * config (CONFIG, or CURRENT while it is shut off), as VgmTypedParam. */
GPtrArray *vgmDriverGetTuneParams(VgmDriver *drv, VgmDriverDomain *dom,
                                  VgmDriverTuneKind kind, unsigned int flags,
                                  GError **error);
/* virDomainSetSchedulerParameters(Flags), virDomainSetMemoryParameters,
 * virDomainSetBlkioParameters (vgmDriverDomainSetTune; flags
 * AFFECT_LIVE, AFFECT_CONFIG) */
gboolean vgmDriverSetTuneParams(VgmDriver *drv, const char *name, VgmDriverTuneKind kind,
                                const GPtrArray *params, unsigned int flags, GError **error);

/* virDomainSetInterfaceParameters on interface @device (MAC address or
 * host device) of domain @name: libvirt's parameters (inbound.average,
 * .peak, .burst, .floor, outbound.average, .peak, .burst; unsigned int,
 * KiB/s and KiB) make the <bandwidth> of their direction, an average of
 * 0 removes it; in the config and, AFFECT_LIVE or CURRENT while it runs,
 * on the tap and in the live XML */
gboolean vgmDriverSetInterfaceParameters(VgmDriver *drv, const char *name, const char *device,
                                         const GPtrArray *params, unsigned int flags,
                                         GError **error);
/* virDomainGetInterfaceParameters: those 7 values of interface @device in
 * the live definition or the config (as vgmDriverReadDef reads them), 0
 * for a limit not set; with @device NULL (a count) none, once the flags
 * and the definition they name are good */
GPtrArray *vgmDriverGetInterfaceParameters(VgmDriver *drv, VgmDriverDomain *dom,
                                           const char *device, unsigned int flags,
                                           GError **error);
#define VGM_DRIVER_INTERFACE_PARAMS 7

/* virDomainSetBlockIoTune on disk @disk (target or source) of domain
 * @name: @params (VgmTypedParam, libvirt's names) replace the <iotune>
 * values of their groups, in the config and, AFFECT_LIVE or CURRENT
 * while it runs, in QEMU and the live XML (a TUNABLE event) */
gboolean vgmDriverSetBlockIoTune(VgmDriver *drv, const char *name, const char *disk,
                                 const GPtrArray *params, unsigned int flags, GError **error);
/* virDomainGetBlockIoTune: the values of disk @disk in the live
 * definition or the config (as vgmDriverReadDef reads them), in libvirt's
 * order; group_name with VGM_TYPED_PARAM_STRING_OKAY */
GPtrArray *vgmDriverGetBlockIoTune(VgmDriver *drv, VgmDriverDomain *dom, const char *disk,
                                   unsigned int flags, GError **error);
/* The <iotune> values of disk @disk of @def as typed parameters with
 * libvirt's names; NULL when @def has no such disk */
GPtrArray *vgmDriverIotuneParams(const VgmDomainDef *def, const char *disk, gboolean strings);
/* The number of values vgmDriverGetBlockIoTune gives */
#define VGM_DRIVER_IOTUNE_PARAMS(strings) (VGM_DISK_IOTUNE_LAST + ((strings) ? 1 : 0))

/* One domain's statistics record. */
typedef struct {
    VgmDriverDomain *dom;
    GPtrArray *params;          /* VgmTypedParam */
} VgmDriverDomainStats;
void vgmDriverDomainStatsFree(VgmDriverDomainStats *st);

/* virConnectGetAllDomainStats / virDomainListGetStats (driver_stats.c):
 * records (VgmDriverDomainStats) of the domains @doms (VgmDriverDomain,
 * consumed: the array is emptied), else of every domain libvirt's list
 * filter @flags (0xff) passes; @stats: virDomainStatsTypes (0: all we
 * serve). */
GPtrArray *vgmDriverGetAllDomainStats(VgmDriver *drv, GPtrArray *doms, unsigned int stats,
                                      unsigned int flags, GError **error);

/* ---- reading a domain's memory, disks, perf events and launch
 * security (driver_inspect.c) ---- */

/* virDomainMemoryPeek: @size bytes (at most 4 MiB) of running domain
 * @name's guest memory from @offset, a virtual (VIR_MEMORY_VIRTUAL, as
 * vCPU 0 sees it) or physical (VIR_MEMORY_PHYSICAL) address */
GBytes *vgmDriverMemoryPeek(VgmDriver *drv, const char *name, guint64 offset, guint size,
                            unsigned int flags, GError **error);
/* virDomainBlockPeek: @size bytes (at most 4 MiB) from @offset of the raw
 * local image of disk @path (a target or source) of domain @name */
GBytes *vgmDriverBlockPeek(VgmDriver *drv, const char *name, const char *path,
                           guint64 offset, guint size, unsigned int flags, GError **error);
/* virDomainGetPerfEvents: libvirt's perf events (VgmTypedParam booleans)
 * of the definition @flags names; none is enabled, as <perf> is refused */
GPtrArray *vgmDriverGetPerfEvents(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags,
                                  GError **error);
/* virDomainSetPerfEvents: an event asked to be enabled is refused */
gboolean vgmDriverSetPerfEvents(VgmDriver *drv, VgmDriverDomain *dom, const GPtrArray *params,
                                unsigned int flags, GError **error);
/* virDomainGetLaunchSecurityInfo: a running SEV guest's launch
 * measurement and its firmware's version and policy (query-sev-launch-
 * measure, query-sev); nothing for another domain */
GPtrArray *vgmDriverGetLaunchSecurityInfo(VgmDriver *drv, const char *name, unsigned int flags,
                                          GError **error);
/* virDomainSetLaunchSecurityState: an SEV guest's launch secret
 * (sev-secret-header, sev-secret, optional sev-secret-set-address),
 * injected while it is paused (QMP sev-inject-launch-secret), as libvirt
 * injects it */
gboolean vgmDriverSetLaunchSecurityState(VgmDriver *drv, const char *name,
                                         const GPtrArray *params, unsigned int flags,
                                         GError **error);
/* virNodeGetSEVInfo: refused (VGM_ERR_NO_SUPPORT) */
GPtrArray *vgmDriverNodeGetSEVInfo(VgmDriver *drv, unsigned int flags, GError **error);

/* virDomainSaveParams and virDomainRestoreParams: the typed parameters
 * "file" and "dxml" (strings) of a save (no file: the managed save) and a
 * restore (a file needed) */
gboolean vgmDriverSaveParams(VgmDriver *drv, const char *name, const GPtrArray *params,
                             unsigned int flags, GError **error);
VgmDriverDomain *vgmDriverRestoreParams(VgmDriver *drv, const GPtrArray *params,
                                        unsigned int flags, GError **error);

/* virDomainStartDirtyRateCalc: QEMU measures the rate the guest of
 * running domain @name dirties its memory over @seconds (1 to 60), by
 * sampling pages or (VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP) by its dirty
 * log; the dirtyrate group of the statistics reports it */
gboolean vgmDriverDomainStartDirtyRateCalc(VgmDriver *drv, const char *name, int seconds,
                                           unsigned int flags, GError **error);

/* The I/O counters QEMU keeps for a disk (query-blockstats), as
 * libvirt's virDomainBlockStats(Flags) reports them */
typedef struct {
    gint64 rdReq, rdBytes, rdTimes;
    gint64 wrReq, wrBytes, wrTimes;
    gint64 flReq, flTimes;
} VgmDriverBlockStats;
/* Of the disk of running domain @name that @path names (its target or
 * source), or with @path "" the sum of all its disks */
gboolean vgmDriverBlockStats(VgmDriver *drv, const char *name, const char *path,
                             VgmDriverBlockStats *out, GError **error);

/* The counters of an interface's host device, from the guest's side (a
 * tap's receive is the guest's transmit), as virDomainInterfaceStats */
typedef struct {
    gint64 rxBytes, rxPackets, rxErrs, rxDrop;
    gint64 txBytes, txPackets, txErrs, txDrop;
} VgmDriverInterfaceStats;
/* Of the interface of running domain @name that @device names (its host
 * device or MAC address); an interface without one (type 'user') is
 * refused, as libvirt refuses it */
gboolean vgmDriverInterfaceStats(VgmDriver *drv, const char *name, const char *device,
                                 VgmDriverInterfaceStats *out, GError **error);

/* virDomainGetCPUStats of running domain @name, as libvirt on a cgroup
 * v2 host: with @startCpu -1 (and @ncpus 1) the totals cpu_time,
 * user_time and system_time (ns, QEMU's process), at most @nparams, or
 * with @nparams 0 their count in *@count; with @startCpu >= 0, @ncpus 0
 * gives the host's CPU count and @nparams 0 the per-CPU count, the
 * per-CPU values are refused (VGM_ERR_NO_SUPPORT). Returns the
 * parameters (empty for a count; *@count their number), NULL on error. */
GPtrArray *vgmDriverGetCPUStats(VgmDriver *drv, const char *name, guint nparams, int startCpu,
                                guint ncpus, unsigned int flags, int *count, GError **error);
/* virDomainMemoryStats of running domain @name: at most @max of
 * (virDomainMemoryStatTags, value), in libvirt's order: what the balloon
 * tells (the guest's own counters when it has updated them, then the
 * balloon's size), then QEMU's resident set, in KiB */
typedef struct {
    int tag;
    guint64 val;
} VgmDriverMemoryStat;
GArray *vgmDriverMemoryStats(VgmDriver *drv, const char *name, unsigned int max,
                             unsigned int flags, GError **error);
/* An interface of a running domain and the addresses a source knows of
 * it (libvirt's virDomainInterface) */
typedef struct {
    char *name;                 /* its host device, or NULL */
    char *hwaddr;               /* its MAC */
    GPtrArray *addrs;           /* VgmDriverIPAddress */
} VgmDriverInterfaceAddrs;
typedef struct {
    int type;                   /* virIPAddrType: 0 IPv4, 1 IPv6 */
    char *addr;
    unsigned int prefix;        /* 0: not known */
} VgmDriverIPAddress;
void vgmDriverInterfaceAddrsFree(VgmDriverInterfaceAddrs *ia);
VgmDriverInterfaceAddrs *vgmDriverInterfaceAddrsNew(const char *name, const char *hwaddr);
void vgmDriverInterfaceAddrsAdd(VgmDriverInterfaceAddrs *ia, int type, const char *addr,
                                unsigned int prefix);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverInterfaceAddrs, vgmDriverInterfaceAddrsFree)
/* virDomainInterfaceAddresses' sources: the network's DHCP leases (0),
 * the guest agent (1), the host's ARP table (2) */
#define VGM_IFADDR_SRC_LEASE 0
#define VGM_IFADDR_SRC_AGENT 1
#define VGM_IFADDR_SRC_ARP 2
/* The addresses of running domain @name's interfaces that @source knows
 * (VgmDriverInterfaceAddrs), as libvirt gives them: the leases of the
 * virtual networks its interfaces are on, by MAC, or the ARP table's
 * entries of their MACs, or what the guest agent says. */
GPtrArray *vgmDriverInterfaceAddresses(VgmDriver *drv, const char *name, unsigned int source,
                                       unsigned int flags, GError **error);
/* virDomainScreenshot (vgmDriverDomainScreenshot): an fd to read the
 * picture from, and its MIME type */
int vgmDriverScreenshot(VgmDriver *drv, const char *name, unsigned int screen,
                        unsigned int flags, char **mime, GError **error);
/* virDomainSetMemoryStatsPeriod (vgmDriverDomainSetMemoryStatsPeriod) */
gboolean vgmDriverSetMemoryStatsPeriod(VgmDriver *drv, const char *name, int period,
                                       unsigned int flags, GError **error);

/* virDomainQemuMonitorCommand (libvirt-qemu): QEMU's whole reply to the
 * QMP request @cmd, as JSON text, an error reply too; with flag
 * VGM_DOMAIN_QEMU_MONITOR_COMMAND_HMP @cmd is a human monitor command and
 * the answer its output */
#define VGM_DOMAIN_QEMU_MONITOR_COMMAND_HMP (1u << 0)
char *vgmDriverMonitorCommand(VgmDriver *drv, const char *name, const char *cmd,
                              unsigned int flags, GError **error);

/* Changes the live XML of domain @name run by QEMU @pid with @change
 * (which says whether it changed anything), under the domain's locks; a
 * domain no longer run by @pid is left alone */
gboolean vgmDriverChangeLive(VgmDriver *drv, const char *name, pid_t pid,
                             gboolean (*change)(VgmDomainDef *def, gconstpointer data),
                             gconstpointer data, GError **error);
/* ... and, when the domain is persistent, its config with the same
 * @change (which leaves alone what it does not describe), written
 * atomically */
gboolean vgmDriverChangeLiveConfig(VgmDriver *drv, const char *name, pid_t pid,
                                   gboolean (*change)(VgmDomainDef *def, gconstpointer data),
                                   gconstpointer data, GError **error);

/* ---- block jobs and sizes (driver_blockjob.c) ---- */

/* The disk of @def that @path names: its target, else its source */
const VgmDiskDef *vgmDriverFindDisk(const VgmDomainDef *def, const char *path);
/* virDomainBlockRebase: with VIR_DOMAIN_BLOCK_REBASE_COPY a copy of disk
 * @path into @base (QEMU's drive-mirror), else a pull of the images above
 * @base (NULL: all) into the disk's top (block-stream); virDomainBlockPull
 * is the latter with no base */
gboolean vgmDriverBlockRebase(VgmDriver *drv, const char *name, const char *path,
                              const char *base, guint64 bandwidth, unsigned int flags,
                              GError **error);
/* virDomainBlockCopy: the same into the <disk> of @destxml, with the
 * typed parameters (VgmTypedParam) bandwidth, granularity, buf-size */
gboolean vgmDriverBlockCopy(VgmDriver *drv, const char *name, const char *path,
                            const char *destxml, const GPtrArray *params, unsigned int flags,
                            GError **error);
/* virDomainBlockCommit: the images of disk @path from @top (NULL: the
 * active layer, which needs VIR_DOMAIN_BLOCK_COMMIT_ACTIVE) down to above
 * @base (NULL: the bottom, or with SHALLOW the image below @top) into
 * @base (block-commit); @bandwidth in MiB/s, or bytes/s with the flag */
gboolean vgmDriverBlockCommit(VgmDriver *drv, const char *name, const char *path,
                              const char *base, const char *top, guint64 bandwidth,
                              unsigned int flags, GError **error);
/* virDomainBlockJobInfo */
typedef struct {
    int type;                   /* virDomainBlockJobType */
    guint64 bandwidth;          /* MiB/s, or bytes/s with the flag */
    guint64 cur;
    guint64 end;
} VgmDriverBlockJobInfo;
/* 1 and @info when disk @path has a job, 0 when not, -1 on error */
int vgmDriverGetBlockJobInfo(VgmDriver *drv, const char *name, const char *path,
                             unsigned int flags, VgmDriverBlockJobInfo *info, GError **error);
gboolean vgmDriverBlockJobSetSpeed(VgmDriver *drv, const char *name, const char *path,
                                   guint64 bandwidth, unsigned int flags, GError **error);
/* virDomainBlockJobAbort: cancel (a ready copy is left as the disk was),
 * or with VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT move the disk onto the copy */
gboolean vgmDriverBlockJobAbort(VgmDriver *drv, const char *name, const char *path,
                                unsigned int flags, GError **error);
/* For the delete of an external snapshot: image @overlay of disk @dst of
 * running domain @name merged into @base, the image below it (a commit;
 * for the disk's @top image an active commit and its pivot), waited for
 * and checked: the image is out of QEMU's chain of the disk after */
gboolean vgmDriverBlockMerge(VgmDriver *drv, const char *name, const char *dst,
                             const char *overlay, const char *base, gboolean top,
                             GError **error);
/* virDomainBlockResize (KiB, or bytes with VIR_DOMAIN_BLOCK_RESIZE_BYTES) */
gboolean vgmDriverBlockResize(VgmDriver *drv, const char *name, const char *path,
                              guint64 size, unsigned int flags, GError **error);
/* For the watcher: QEMU's event @qemuEvent (BLOCK_JOB_READY, _COMPLETED,
 * _CANCELLED) about job @jobId of a type QEMU names @qemuType, with an
 * error or not, as BLOCK_JOB and BLOCK_JOB_2 of domain @name when the job
 * is one of the driver's */
void vgmDriverBlockJobEvent(VgmDriver *drv, const char *name, const unsigned char *uuid, int id,
                            const char *qemuEvent, const char *jobId, const char *qemuType,
                            gboolean failed);
/* virDomainSetBlockThreshold: QEMU raises BLOCK_THRESHOLD once a write
 * to the image @dev (a disk's target: its top; TARGET[N]: the image the
 * live XML numbers N) of running domain @name is stored on reaches past
 * @threshold bytes of it (0: no threshold); once raised, the threshold is
 * gone */
gboolean vgmDriverSetBlockThreshold(VgmDriver *drv, const char *name, const char *dev,
                                    guint64 threshold, unsigned int flags, GError **error);
/* For the watcher: BLOCK_WRITE_THRESHOLD of node @node of the QEMU of pid
 * @pid, as BLOCK_THRESHOLD of the disk of domain @name whose image it
 * stores (none when that QEMU no longer runs the domain) */
void vgmDriverBlockThresholdEvent(VgmDriver *drv, const char *name, pid_t pid, const char *node,
                                  guint64 threshold, guint64 excess);
/* QEMU's BLOCK_IO_ERROR of the QEMU of domain @name (@pid), for its
 * device @device or node @node: IO_ERROR and IO_ERROR_REASON of the disk,
 * as libvirt raises them (the watcher adds SUSPENDED / ioerror) */
void vgmDriverBlockIOErrorEvent(VgmDriver *drv, const char *name, pid_t pid, const char *device,
                                const char *node, int action, gboolean nospace);
/* QEMU's RTC_CHANGE: RTC_CHANGE with libvirt's offset (for a variable
 * clock, the one the domain started with plus QEMU's) */
void vgmDriverRtcChangeEvent(VgmDriver *drv, const char *name, pid_t pid, long long offset);
/* virDomainGetDiskErrors: each disk of running domain @name whose device
 * QEMU stopped on an I/O error (query-block's io-status), with libvirt's
 * virDomainDiskErrorCode; *@ndisks gets the domain's count of disks */
#define VGM_DOMAIN_DISK_ERROR_UNSPEC 1
#define VGM_DOMAIN_DISK_ERROR_NO_SPACE 2
typedef struct {
    char *disk;                 /* its target */
    int error;
} VgmDriverDiskError;
void vgmDriverDiskErrorFree(VgmDriverDiskError *e);
GPtrArray *vgmDriverGetDiskErrors(VgmDriver *drv, const char *name, unsigned int flags,
                                  guint *ndisks, GError **error);
/* The same read from QEMU's reply @queryBlock to query-block for @def */
GPtrArray *vgmDriverDiskErrorsRead(const VgmDomainDef *def, JsonNode *queryBlock);
/* virDomainGetBlockInfo */
typedef struct {
    guint64 capacity;           /* what the guest sees */
    guint64 allocation;         /* what the image uses on the host */
    guint64 physical;           /* the file's or device's size */
} VgmDriverBlockInfo;
gboolean vgmDriverGetBlockInfo(VgmDriver *drv, const char *name, const char *path,
                               unsigned int flags, VgmDriverBlockInfo *info, GError **error);
/* The sizes of local image @disk of a shut-off domain, as
 * virDomainGetBlockInfo gives them: its capacity (a qcow2 header's, or the
 * raw file's size), allocation and physical size */
gboolean vgmDriverDiskSizesInactive(const VgmDiskDef *disk, VgmDriverBlockInfo *info,
                                    GError **error);

/* ---- the guest agent (driver_agent.c) ---- */

/* An in-process mutex of domain @name for the calls of one kind @what
 * ("agent": a call holds it while it talks to the guest agent, so that a
 * second waits for the first rather than for QEMU, which serves one agent
 * client at a time; "blockjob": while it starts, ends or looks at a block
 * job and changes the live XML's <mirror> to match) */
GMutex *vgmDriverDomainSideMutex(VgmDriver *drv, const char *what, const char *name);

/* Records @taint of running domain @name (vgmDriverDomainTaint), under
 * its in-process mutex */
void vgmDriverTaint(VgmDriver *drv, const char *name, VgmDriverTaint taint);

/* virDomainGetMessages (procedure 426): vgmDriverDomainMessages of @dom,
 * the flags checked */
char **vgmDriverGetMessages(VgmDriver *drv, VgmDriverDomain *dom, unsigned int flags,
                           GError **error);

/* virDomainQemuAgentCommand: the agent's whole reply to the JSON request
 * @request, as text, waiting @timeout seconds (-2: for as long as it
 * takes, -1: libvirt's default, 5, 0: not at all) */
char *vgmDriverAgentCommand(VgmDriver *drv, const char *name, const char *request, int timeout,
                            unsigned int flags, GError **error);
/* virDomainAgentSetResponseTimeout: how long each later agent command of
 * running domain @name waits (seconds; -2 for as long as it takes, which
 * is the default, -1 5 seconds, 0 not at all); kept in its status */
gboolean vgmDriverAgentSetResponseTimeout(VgmDriver *drv, const char *name, int timeout,
                                          unsigned int flags, GError **error);
/* virDomainGetTime / virDomainSetTime (flag VIR_DOMAIN_TIME_SYNC: the
 * guest reads its RTC) */
gboolean vgmDriverGetTime(VgmDriver *drv, const char *name, gint64 *seconds,
                          unsigned int *nseconds, unsigned int flags, GError **error);
gboolean vgmDriverSetTime(VgmDriver *drv, const char *name, gint64 seconds,
                          unsigned int nseconds, unsigned int flags, GError **error);
/* virDomainFSFreeze / virDomainFSThaw: the number of file systems */
int vgmDriverFSFreeze(VgmDriver *drv, const char *name, const char *const *mountpoints,
                      guint n, unsigned int flags, GError **error);
int vgmDriverFSThaw(VgmDriver *drv, const char *name, const char *const *mountpoints,
                    guint n, unsigned int flags, GError **error);
/* virDomainFSTrim (qemu-ga trims every file system: @mountPoint refused) */
gboolean vgmDriverFSTrim(VgmDriver *drv, const char *name, const char *mountPoint,
                         guint64 minimum, unsigned int flags, GError **error);
/* A disk of a guest file system, as virDomainGetGuestInfo's fs.N.disk.M */
typedef struct {
    char *alias;                /* the domain's disk target, or NULL */
    char *serial;               /* or NULL */
    char *device;               /* the guest's device node, or NULL */
} VgmDriverFSDisk;
typedef struct {
    char *mountpoint;
    char *name;
    char *fstype;
    gint64 totalBytes;          /* -1: not known */
    gint64 usedBytes;           /* -1: not known */
    GPtrArray *disks;           /* VgmDriverFSDisk */
} VgmDriverFSInfo;
void vgmDriverFSInfoFree(VgmDriverFSInfo *fs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverFSInfo, vgmDriverFSInfoFree)
/* virDomainGetFSInfo: VgmDriverFSInfo */
GPtrArray *vgmDriverGetFSInfo(VgmDriver *drv, const char *name, unsigned int flags,
                              GError **error);
/* virDomainPMSuspendForDuration (@duration 0 only): the guest agent asks
 * the guest to suspend to memory (@target 0), disk (1) or both (2) */
gboolean vgmDriverPMSuspend(VgmDriver *drv, const char *name, unsigned int target,
                            unsigned long long duration, unsigned int flags, GError **error);
/* virDomainPMWakeup: QEMU wakes the guest out of S3 (system_wakeup) */
gboolean vgmDriverPMWakeup(VgmDriver *drv, const char *name, unsigned int flags,
                           GError **error);
/* virDomainSetUserPassword (flag VIR_DOMAIN_PASSWORD_ENCRYPTED: @password
 * is crypt(3)'s) */
gboolean vgmDriverSetUserPassword(VgmDriver *drv, const char *name, const char *user,
                                  const char *password, unsigned int flags, GError **error);
/* virDomainGetHostname: from the agent (the default, flag 2) or from a DHCP
 * lease of a virtual network interface (flag 1) */
char *vgmDriverGetHostname(VgmDriver *drv, const char *name, unsigned int flags,
                           GError **error);
/* The guest's interfaces and addresses as its agent knows them
 * (VgmDriverInterfaceAddrs) */
GPtrArray *vgmDriverAgentInterfaceAddresses(VgmDriver *drv, const char *name, GError **error);
/* virDomainAuthorizedSSHKeysGet / Set (flags APPEND 1, REMOVE 2; neither:
 * the keys given replace the user's) */
GPtrArray *vgmDriverAuthorizedSSHKeysGet(VgmDriver *drv, const char *name, const char *user,
                                         unsigned int flags, GError **error);
gboolean vgmDriverAuthorizedSSHKeysSet(VgmDriver *drv, const char *name, const char *user,
                                       const char *const *keys, guint nkeys, unsigned int flags,
                                       GError **error);
/* virDomainGetGuestVcpus: typed parameters vcpus, online, offlinable (CPU
 * lists); virDomainSetGuestVcpus: the vCPUs of list @cpumap online (@state
 * 1) or offline (0) */
#define VGM_DRIVER_GUEST_VCPUS_MAX 16384
GPtrArray *vgmDriverGetGuestVcpus(VgmDriver *drv, const char *name, unsigned int flags,
                                  GError **error);
gboolean vgmDriverSetGuestVcpus(VgmDriver *drv, const char *name, const char *cpumap, int state,
                                unsigned int flags, GError **error);
/* virDomainGetVcpusFlags / SetVcpusFlags with VIR_DOMAIN_VCPU_GUEST: the
 * guest's online vCPUs (with @maximum, all it has; -1 on error), or that
 * many of them online, through its agent, as libvirt counts and picks them */
int vgmDriverGuestVcpuCount(VgmDriver *drv, const char *name, gboolean maximum, GError **error);
gboolean vgmDriverSetGuestVcpuCount(VgmDriver *drv, const char *name, unsigned int nvcpus,
                                    GError **error);
/* virDomainGetGuestInfo: libvirt's typed parameters (VgmTypedParam) of
 * the @types asked for (0: all the agent has) */
GPtrArray *vgmDriverGetGuestInfo(VgmDriver *drv, const char *name, unsigned int types,
                                 unsigned int flags, GError **error);

/* ---- the host and the hypervisor ---- */

char *vgmDriverGetCapabilities(VgmDriver *drv, GError **error);

/* For a daemon that stops: the QEMU capability probes running now and
 * from now on are given up (their QEMUs killed; the calls waiting for
 * them fail, nothing is cached). */
void vgmDriverAbandonProbes(VgmDriver *drv);
/* virConnectGetSysinfo: the host's SMBIOS tables as libvirt's <sysinfo>
 * (vgmHostSysinfoRead) */
char *vgmDriverGetSysinfo(VgmDriver *drv, unsigned int flags, GError **error);

/* ---- the host's devices (driver_nodedev.c, read by vgmnodedev) ---- */

/* What a node device call does to a device that virt-gmem has no way to:
 * each is refused (VGM_ERR_NO_SUPPORT) once the device is known */
typedef enum {
    VGM_DRIVER_NODEDEV_DETACH,      /* virNodeDeviceDettach, DetachFlags */
    VGM_DRIVER_NODEDEV_REATTACH,    /* virNodeDeviceReAttach */
    VGM_DRIVER_NODEDEV_RESET,       /* virNodeDeviceReset */
    VGM_DRIVER_NODEDEV_DESTROY,     /* virNodeDeviceDestroy */
    VGM_DRIVER_NODEDEV_UNDEFINE,    /* virNodeDeviceUndefine */
    VGM_DRIVER_NODEDEV_CREATE,      /* virNodeDeviceCreate */
    VGM_DRIVER_NODEDEV_AUTOSTART,   /* virNodeDeviceSetAutostart */
} VgmDriverNodeDevOp;

/* virConnectListAllNodeDevices: the names of the devices that have one
 * of the capabilities of @flags (libvirt's bits; none: every device),
 * sorted. Every device is active: VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE
 * alone lists none. */
GPtrArray *vgmDriverNodeDeviceListAll(VgmDriver *drv, unsigned int flags, GError **error);
/* virNodeListDevices (and virNodeNumOfDevices, its length): the names of
 * the devices that have capability @cap (NULL: all) */
GPtrArray *vgmDriverNodeDeviceListByCap(VgmDriver *drv, const char *cap, unsigned int flags,
                                        GError **error);
/* virNodeDeviceLookupByName: FALSE with VGM_ERR_NO_NODE_DEVICE when the
 * host has no device @name */
gboolean vgmDriverNodeDeviceLookup(VgmDriver *drv, const char *name, GError **error);
char *vgmDriverNodeDeviceGetXML(VgmDriver *drv, const char *name, unsigned int flags,
                                GError **error);
/* virNodeDeviceGetParent: *@parent NULL for the computer */
gboolean vgmDriverNodeDeviceGetParent(VgmDriver *drv, const char *name, char **parent,
                                      GError **error);
/* virNodeDeviceIsPersistent (and GetAutostart, the same): as libvirt's,
 * only the computer is; the devices come and go with the hardware */
gboolean vgmDriverNodeDeviceIsPersistent(VgmDriver *drv, const char *name, gboolean *persistent,
                                         GError **error);
/* virNodeDeviceListCaps (and NumOfCaps) */
GPtrArray *vgmDriverNodeDeviceListCaps(VgmDriver *drv, const char *name, GError **error);
/* virNodeDeviceLookupSCSIHostByWWN: the name of the SCSI host of that
 * Fibre Channel port */
char *vgmDriverNodeDeviceLookupSCSIHostByWWN(VgmDriver *drv, const char *wwnn, const char *wwpn,
                                             unsigned int flags, GError **error);
/* The calls that would change a device, refused (see VgmDriverNodeDevOp) */
gboolean vgmDriverNodeDeviceRefuse(VgmDriver *drv, const char *name, VgmDriverNodeDevOp op,
                                   GError **error);
/* The watch of the host's devices that raises node device events: a
 * thread on the kernel's (or udev's) uevent socket; NULL with @error when
 * the socket cannot be had */
typedef struct _VgmDriverNodeDevMonitor VgmDriverNodeDevMonitor;
VgmDriverNodeDevMonitor *vgmDriverNodeDevMonitorNew(VgmDriver *drv, GError **error);
void vgmDriverNodeDevMonitorFree(VgmDriverNodeDevMonitor *mon);

/* virNodeDeviceCreateXML, virNodeDeviceDefineXML: refused, virt-gmem
 * does not create mediated devices (the XML is checked first) */
gboolean vgmDriverNodeDeviceRefuseXML(VgmDriver *drv, const char *xml, GError **error);

/* ---- the host's network interfaces (driver_hostiface.c, read by
 * vgmhostiface) ---- */

/* virConnectListAllInterfaces: the interfaces (VgmHostIface) libvirt's
 * udev backend lists, filtered by VIR_CONNECT_LIST_INTERFACES_ACTIVE (2,
 * operstate up) and _INACTIVE (1, any other state) */
GPtrArray *vgmDriverInterfaceListAll(VgmDriver *drv, unsigned int flags, GError **error);
/* virConnectListInterfaces and NumOfInterfaces (@defined FALSE: the
 * interfaces that are up) or ListDefinedInterfaces and
 * NumOfDefinedInterfaces (@defined TRUE: those that are down), as
 * libvirt's udev backend counts them */
GPtrArray *vgmDriverInterfaceListByState(VgmDriver *drv, gboolean defined, GError **error);
/* virInterfaceLookupByName and LookupByMACString: the interface, or
 * VGM_ERR_NO_INTERFACE (and VGM_ERR_MULTIPLE_INTERFACES for a MAC address
 * more than one has) */
VgmHostIface *vgmDriverInterfaceLookupByName(VgmDriver *drv, const char *name, GError **error);
VgmHostIface *vgmDriverInterfaceLookupByMAC(VgmDriver *drv, const char *mac, GError **error);
/* virInterfaceGetXMLDesc (flags: VIR_INTERFACE_XML_INACTIVE, the same
 * XML) */
char *vgmDriverInterfaceGetXML(VgmDriver *drv, const char *name, unsigned int flags,
                               GError **error);
/* virInterfaceIsActive: operstate up */
gboolean vgmDriverInterfaceIsActive(VgmDriver *drv, const char *name, gboolean *active,
                                    GError **error);

/* virConnectGetMaxVcpus: for @type NULL or "qemu" libvirt's fixed 16 (TCG
 * has no limit of its own here), for "kvm" what KVM allows. */
int vgmDriverGetMaxVcpus(VgmDriver *drv, const char *type, GError **error);

/* virNodeGetMemoryParameters: the kernel's same-page merging as libvirt's
 * shm_* parameters (VgmTypedParam; those the kernel lacks left out) */
GPtrArray *vgmDriverNodeGetMemoryParameters(VgmDriver *drv, unsigned int flags,
                                            GError **error);
/* virNodeSetMemoryParameters: shm_pages_to_scan, shm_sleep_millisecs and
 * shm_merge_across_nodes (unsigned ints) */
gboolean vgmDriverNodeSetMemoryParameters(VgmDriver *drv, const GPtrArray *params,
                                          unsigned int flags, GError **error);
/* virNodeAllocPages (flag VIR_NODE_ALLOC_PAGES_SET: set the pools, else
 * add to them): the number of pools, or -1 */
int vgmDriverNodeAllocPages(VgmDriver *drv, const unsigned int *pages, const guint64 *counts,
                            guint npages, int startCell, unsigned int cellCount,
                            unsigned int flags, GError **error);

/* virConnectCompareCPU (@hypervisor FALSE) and
 * virConnectCompareHypervisorCPU: a VgmQemuCpuCompareResult or -1.
 * Flags: libvirt's FAIL_INCOMPATIBLE (1) and VALIDATE_XML (2: the parser
 * refuses elements and attributes it does not know either way; the
 * contents of a host CPU's <microcode>, <counter>, <topology>, <cache>,
 * <maxphysaddr> and <pages>, which take no part, are not checked). */
int vgmDriverCompareCPU(VgmDriver *drv, gboolean hypervisor, const char *emulator,
                        const char *arch, const char *machine, const char *virttype,
                        const char *xml, unsigned int flags, GError **error);

/* virConnectBaselineCPU (@hypervisor FALSE) and
 * virConnectBaselineHypervisorCPU. Flags: libvirt's EXPAND_FEATURES (1)
 * and MIGRATABLE (2). */
char *vgmDriverBaselineCPU(VgmDriver *drv, gboolean hypervisor, const char *emulator,
                           const char *arch, const char *machine, const char *virttype,
                           const char *const *xmls, guint n, unsigned int flags,
                           GError **error);

char *vgmDriverGetDomainCapabilities(VgmDriver *drv, const char *emulator,
                                     const char *arch, const char *machine,
                                     const char *virttype, GError **error);
/* The QEMU command line of @xml (shell-quoted, as domxml-to-native
 * prints it) for @format "qemu-argv": for the QEMU the capability file
 * @capsFile describes, else for @emulator, else for the domain's
 * <emulator>, else the host's default QEMU (probed and cached). @drv may
 * be NULL: then the default capability cache is used. */
char *vgmDriverXMLToNative(VgmDriver *drv, const char *format, const char *xml,
                           const char *file, const char *capsFile,
                           const char *emulator, GError **error);
/* The version of the default QEMU, major * 1,000,000 + minor * 1,000 +
 * micro (probed once and cached). @drv NULL: the default cache. */
gboolean vgmDriverGetVersion(VgmDriver *drv, guint64 *version, GError **error);
/* libvirt's virConnectGetCPUModelNames: the named CPU models (no
 * versions) of the QEMU for guests of @arch (x86_64, i686), sorted */
GPtrArray *vgmDriverGetCPUModelNames(VgmDriver *drv, const char *arch, unsigned int flags,
                                     GError **error);

/* ---- events ---- */

/* libvirt's virDomainEventType and the details we raise. */
typedef enum {
    VGM_EVENT_DEFINED = 0,
    VGM_EVENT_UNDEFINED = 1,
    VGM_EVENT_STARTED = 2,
    VGM_EVENT_SUSPENDED = 3,
    VGM_EVENT_RESUMED = 4,
    VGM_EVENT_STOPPED = 5,
    VGM_EVENT_SHUTDOWN = 6,
    VGM_EVENT_PMSUSPENDED = 7,
    VGM_EVENT_CRASHED = 8,
} VgmEventType;

enum {
    VGM_EVENT_DEFINED_ADDED = 0,
    VGM_EVENT_DEFINED_UPDATED = 1,
    VGM_EVENT_UNDEFINED_REMOVED = 0,
    VGM_EVENT_UNDEFINED_RENAMED = 1,
    VGM_EVENT_DEFINED_RENAMED = 2,
    VGM_EVENT_STARTED_BOOTED = 0,
    VGM_EVENT_STARTED_MIGRATED = 1,
    VGM_EVENT_SUSPENDED_MIGRATED = 1,
    VGM_EVENT_RESUMED_MIGRATED = 1,
    VGM_EVENT_STOPPED_MIGRATED = 3,
    VGM_EVENT_STARTED_RESTORED = 2,
    VGM_EVENT_STARTED_FROM_SNAPSHOT = 3,
    VGM_EVENT_DEFINED_FROM_SNAPSHOT = 3,
    VGM_EVENT_SUSPENDED_PAUSED = 0,
    VGM_EVENT_SUSPENDED_IOERROR = 2,
    VGM_EVENT_SUSPENDED_WATCHDOG = 3,
    VGM_EVENT_SUSPENDED_RESTORED = 4,
    VGM_EVENT_SUSPENDED_FROM_SNAPSHOT = 5,
    VGM_EVENT_RESUMED_UNPAUSED = 0,
    VGM_EVENT_RESUMED_FROM_SNAPSHOT = 2,
    VGM_EVENT_STOPPED_SHUTDOWN = 0,
    VGM_EVENT_STOPPED_DESTROYED = 1,
    VGM_EVENT_STOPPED_CRASHED = 2,
    VGM_EVENT_STOPPED_SAVED = 4,
    VGM_EVENT_STOPPED_FAILED = 5,
    VGM_EVENT_STOPPED_FROM_SNAPSHOT = 6,
    VGM_EVENT_SHUTDOWN_FINISHED = 0,
    VGM_EVENT_SHUTDOWN_GUEST = 1,
    VGM_EVENT_SHUTDOWN_HOST = 2,
    VGM_EVENT_PMSUSPENDED_MEMORY = 0,
    VGM_EVENT_PMSUSPENDED_DISK = 1,
    VGM_EVENT_STARTED_WAKEUP = 4,
    VGM_EVENT_CRASHED_PANICKED = 0,
};

/* libvirt's event ids (virDomainEventID): LIFECYCLE (0), REBOOT (1, no
 * event or detail: the guest was reset), BALLOON_CHANGE (13: the guest's
 * balloon holds the number of KiB now), DISK_CHANGE (9: a start dropped
 * a disk's missing source, startupPolicy='optional'; the event is the
 * reason, 0 the medium of a CD-ROM or floppy and 1 a whole disk, the
 * string the disk's alias and the second string its old source) and
 * TRAY_CHANGE (10: a removable medium's tray moved; the event is the
 * reason, 0 opened and 1 closed, and the string the disk's alias) and
 * DEVICE_REMOVED (15: a device a detach asked the guest to let go of is
 * gone; the string is its alias), TUNABLE (17: pins or scheduler
 * controls of a running domain changed; the parameters say which, by
 * libvirt's names), AGENT_LIFECYCLE (18: the guest agent's
 * virtio port; the event is its state, 1 connected or 2 disconnected,
 * the detail why, 1 the domain started or 2 the guest opened or closed
 * it), DEVICE_ADDED (19: a device was
 * plugged; the string is its alias), DEVICE_REMOVAL_FAILED (22: the guest
 * refused to let a device go; the string is its alias) and
 * METADATA_CHANGE (23: a title,
 * description or metadata element changed; the event is its type, the
 * string an element's namespace URI) are raised, and so are those the
 * definitions below describe; the others can be registered and never
 * fire. */
#define VGM_EVENT_ID_LIFECYCLE 0
#define VGM_EVENT_ID_REBOOT 1
/* BLOCK_JOB (8: the disk's source path) and BLOCK_JOB_2 (16: its target),
 * with the job's type (virDomainBlockJobType) as @event and its status
 * (virConnectDomainEventBlockJobStatus) as @detail */
#define VGM_EVENT_ID_BLOCK_JOB 8
#define VGM_EVENT_ID_BLOCK_JOB_2 16
#define VGM_EVENT_BLOCK_JOB_COMPLETED 0
#define VGM_EVENT_BLOCK_JOB_FAILED 1
#define VGM_EVENT_BLOCK_JOB_CANCELED 2
#define VGM_EVENT_BLOCK_JOB_READY 3
#define VGM_EVENT_ID_DISK_CHANGE 9
#define VGM_EVENT_DISK_CHANGE_MISSING_ON_START 0
#define VGM_EVENT_DISK_DROP_MISSING_ON_START 1
#define VGM_EVENT_ID_TRAY_CHANGE 10
#define VGM_EVENT_ID_BALLOON_CHANGE 13
#define VGM_EVENT_TRAY_OPEN 0
#define VGM_EVENT_TRAY_CLOSE 1
#define VGM_EVENT_ID_DEVICE_REMOVED 15
#define VGM_EVENT_ID_TUNABLE 17
/* WATCHDOG: @event is libvirt's virDomainEventWatchdogAction */
#define VGM_EVENT_ID_WATCHDOG 3
/* PMWAKEUP (11), PMSUSPEND (12), PMSUSPEND_DISK (14): the guest left or
 * entered S3, or entered S4; the event is the reason, always 0 */
#define VGM_EVENT_ID_PMWAKEUP 11
#define VGM_EVENT_ID_PMSUSPEND 12
#define VGM_EVENT_ID_PMSUSPEND_DISK 14
#define VGM_EVENT_WATCHDOG_PAUSE 1
#define VGM_EVENT_ID_AGENT_LIFECYCLE 18
#define VGM_EVENT_AGENT_CONNECTED 1
#define VGM_EVENT_AGENT_DISCONNECTED 2
#define VGM_EVENT_AGENT_REASON_STARTED 1
#define VGM_EVENT_AGENT_REASON_CHANNEL 2
#define VGM_EVENT_ID_DEVICE_ADDED 19
#define VGM_EVENT_ID_DEVICE_REMOVAL_FAILED 22
#define VGM_EVENT_ID_METADATA_CHANGE 23
/* BLOCK_THRESHOLD (24): a write passed the threshold set on a disk's
 * image (virDomainSetBlockThreshold); the string is the disk's target,
 * the second its local source (NULL for another), the number the
 * threshold, and the one parameter "excess" (ULLONG) by how many bytes
 * the write passed it */
#define VGM_EVENT_ID_BLOCK_THRESHOLD 24
/* RTC_CHANGE (2): the guest set its clock; the number is the new offset
 * from the host's (seconds, a long long as the bits of the number) */
#define VGM_EVENT_ID_RTC_CHANGE 2
/* IO_ERROR (4) and IO_ERROR_REASON (6): a disk's I/O failed; the strings
 * are its source path and its alias, the event the action QEMU took
 * (virDomainEventIOErrorAction), and IO_ERROR_REASON's one parameter
 * "reason" (STRING) why ("enospc", or "") */
#define VGM_EVENT_ID_IO_ERROR 4
#define VGM_EVENT_ID_IO_ERROR_REASON 6
#define VGM_EVENT_IO_ERROR_NONE 0
#define VGM_EVENT_IO_ERROR_PAUSE 1
#define VGM_EVENT_IO_ERROR_REPORT 2
/* MEMORY_FAILURE (25): a hardware memory error reached QEMU; the event is
 * who got it (virDomainMemoryFailureRecipientType), the detail what was
 * done (virDomainMemoryFailureActionType), the number its flags
 * (virDomainMemoryFailureFlags) */
#define VGM_EVENT_ID_MEMORY_FAILURE 25
/* MEMORY_DEVICE_SIZE_CHANGE (26): the guest plugged or unplugged memory of
 * a virtio-mem device; the string is the device's alias, the number what
 * it holds now (KiB) */
#define VGM_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE 26
/* GRAPHICS (5): a client of the domain's VNC or SPICE server connected,
 * finished its handshake or went; the event is the phase
 * (virDomainEventGraphicsPhase: 0 connect, 1 initialize, 2 disconnect),
 * the parameters "local.family" and "remote.family" (INT:
 * virDomainEventGraphicsAddressType), "local.node", "local.service",
 * "remote.node", "remote.service" and "auth" (STRING), then one STRING
 * per identity of the client, "subject." and its type ("x509dname",
 * "saslUsername") */
#define VGM_EVENT_ID_GRAPHICS 5
/* JOB_COMPLETED (21): a save, a dump into a file or an external
 * snapshot's memory file completed; the parameters are the job's
 * statistics, as virDomainGetJobStats (COMPLETED) gives them */
#define VGM_EVENT_ID_JOB_COMPLETED 21
/* MIGRATION_ITERATION (20): QEMU began pass number @event of a
 * migration into a file (a save's, a dump's, a memory snapshot's) */
#define VGM_EVENT_ID_MIGRATION_ITERATION 20
#define VGM_EVENT_ID_LAST 27

typedef struct {
    char *name;
    unsigned char uuid[16];
    int id;                  /* -1 when not running */
} VgmEventDomain;

/* The host pty behind running domain @name's console @devName: NULL is
 * its first console (a serial console is its serial port), else its first
 * serial port; "serialN" and "consoleN" name one. Its QEMU chardev id goes
 * to *@alias (nullable). Fails when the domain does not run, has no such
 * device, or the device is not a pty. */
char *vgmDriverConsolePty(VgmDriver *drv, const char *name, const char *devName,
                          char **alias, GError **error);
/* What virDomainOpenChannel opens of running domain @name's channel
 * @chanName (its name in the guest, or its alias "channelN"), as libvirt
 * 9.0 opens it: the socket path of a unix channel, which the caller
 * connects to; its alias to *@alias. Fails when the domain does not run,
 * has no such channel, or the channel is not a unix socket. */
char *vgmDriverChannelSocket(VgmDriver *drv, const char *name, const char *chanName,
                             char **alias, GError **error);

/* For a long-lived driver (the daemon): watch the running domains' QEMU
 * (a second QMP monitor each) and raise lifecycle events for what guests
 * and QEMU do by themselves: a guest's power-off, S3 suspend and panic,
 * a QEMU that dies (driver_watch.c). */
void vgmDriverWatchEvents(VgmDriver *drv);

/* For the watcher: raise a lifecycle event; whether anyone listens; the
 * domain @name as a lookup sees it, taken under its in-process mutex (so
 * not in the middle of the driver's own change). */
void vgmDriverEmitEvent(VgmDriver *drv, const char *name, const unsigned char *uuid,
                        int id, int event, int detail);
/* ... and an event of another id (@event and @detail 0 where it has none,
 * @str and @str2 NULL, @num 0) */
void vgmDriverEmitEventID(VgmDriver *drv, int eventID, const char *name,
                          const unsigned char *uuid, int id, int event, int detail,
                          const char *str, const char *str2, unsigned long long num);
/* ... and BLOCK_THRESHOLD */
void vgmDriverEmitBlockThreshold(VgmDriver *drv, const char *name, const unsigned char *uuid,
                                 int id, const char *dev, const char *path,
                                 unsigned long long threshold, unsigned long long excess);
/* ... and GRAPHICS (see VGM_EVENT_ID_GRAPHICS) */
void vgmDriverEmitGraphics(VgmDriver *drv, const char *name, const unsigned char *uuid, int id,
                           int phase, const GPtrArray *params);
/* IO_ERROR and IO_ERROR_REASON (see VGM_EVENT_ID_IO_ERROR) */
void vgmDriverEmitIOError(VgmDriver *drv, const char *name, const unsigned char *uuid, int id,
                          const char *path, const char *alias, int action, const char *reason);
/* For the watcher: the disk with QEMU device id @devId of domain @name,
 * run by the QEMU of pid @pid, had its tray opened (@open) or closed; its
 * live XML says so from now on. FALSE when it could not be written (a
 * domain that now runs another QEMU, or no such disk, is left as it is,
 * and TRUE). */
gboolean vgmDriverTrayMoved(VgmDriver *drv, const char *name, pid_t pid, const char *devId,
                            gboolean open, GError **error);
/* For the watcher: the guest of domain @name (@uuid, @id), run by the QEMU
 * of pid @pid, holds @kib KiB of virtio-mem device @devId now (QEMU's
 * MEMORY_DEVICE_SIZE_CHANGE, or its query-memory-devices when the watcher
 * connects): the device's <current> and the <currentMemory> of the live
 * XML say so, and, with @raise, MEMORY_DEVICE_SIZE_CHANGE is raised when
 * the domain has the device */
void vgmDriverMemoryDeviceSizeChanged(VgmDriver *drv, const char *name, const unsigned char *uuid,
                                      int id, pid_t pid, const char *devId,
                                      unsigned long long kib, gboolean raise);
/* For the watcher: the balloon of domain @name, run by the QEMU of pid
 * @pid, holds @kib KiB now (QEMU's BALLOON_CHANGE): its live XML's
 * <currentMemory> says so from now on */
gboolean vgmDriverBalloonChanged(VgmDriver *drv, const char *name, pid_t pid,
                                 unsigned long long kib, GError **error);
/* For the watcher: the guest opened (@open) or closed the virtio port of
 * QEMU device @devId (channelN) of domain @name, run by the QEMU of pid
 * @pid (QEMU's VSERPORT_CHANGE): its live XML's <target state> says so
 * from now on; *@agent: whether it is the guest agent's port */
gboolean vgmDriverPortChanged(VgmDriver *drv, const char *name, pid_t pid, const char *devId,
                              gboolean open, gboolean *agent, GError **error);
gboolean vgmDriverHasListeners(VgmDriver *drv);
VgmDriverDomain *vgmDriverLookupForWatch(VgmDriver *drv, const char *name,
                                         GError **error);

/* Called from whatever thread raised the event; must not block. */
/* @str: the event's string (TRAY_CHANGE's and DISK_CHANGE's device
 * alias), or NULL; @str2: its second (DISK_CHANGE's old source), or NULL;
 * @num: its number (BALLOON_CHANGE's KiB), or 0; @params: its typed
 * parameters (VgmTypedParam: TUNABLE's), or NULL */
typedef void (*VgmEventFunc)(int callbackID, int eventID, const VgmEventDomain *dom,
                             int event, int detail, const char *str, const char *str2,
                             unsigned long long num, const GPtrArray *params,
                             gpointer opaque);

/* Registers @func for @eventID events of the domain with @uuid (NULL: of
 * every domain). Returns the callback id (unique in the process), or -1
 * with an invalid-arg error for an unknown event id. */
int vgmDriverEventRegister(VgmDriver *drv, int eventID, const unsigned char *uuid,
                           VgmEventFunc func, gpointer opaque,
                           GDestroyNotify freeOpaque, GError **error);
/* Removes callback @callbackID; FALSE with an invalid-arg error when there
 * is none. Once it returns, @func is not running and will not be called. */
gboolean vgmDriverEventDeregister(VgmDriver *drv, int callbackID, GError **error);

/* The events of the other objects, as libvirt 9.0 has them. A callback
 * gets the object's name and uuid in a VgmEventDomain (id -1); a
 * secret's usage id as its name and its usage type as its id. */
typedef enum {
    VGM_EVENT_OBJECT_DOMAIN,
    VGM_EVENT_OBJECT_NETWORK,
    VGM_EVENT_OBJECT_STORAGE_POOL,
    VGM_EVENT_OBJECT_SECRET,
    VGM_EVENT_OBJECT_NODE_DEVICE,

    VGM_EVENT_OBJECT_LAST
} VgmEventObject;

/* Networks: the lifecycle only (event id 0), raised by the network
 * driver's define, undefine, start (and create) and destroy, detail 0. */
#define VGM_NETWORK_EVENT_ID_LIFECYCLE 0
#define VGM_NETWORK_EVENT_ID_LAST 1
#define VGM_NETWORK_EVENT_DEFINED 0
#define VGM_NETWORK_EVENT_UNDEFINED 1
#define VGM_NETWORK_EVENT_STARTED 2
#define VGM_NETWORK_EVENT_STOPPED 3

/* Storage pools: the lifecycle (0: defined, undefined, started, stopped,
 * created, deleted; detail 0) and REFRESH (1: the pool's volumes were
 * looked at again). */
#define VGM_STORAGE_POOL_EVENT_ID_LIFECYCLE 0
#define VGM_STORAGE_POOL_EVENT_ID_REFRESH 1
#define VGM_STORAGE_POOL_EVENT_ID_LAST 2
#define VGM_STORAGE_POOL_EVENT_DEFINED 0
#define VGM_STORAGE_POOL_EVENT_UNDEFINED 1
#define VGM_STORAGE_POOL_EVENT_STARTED 2
#define VGM_STORAGE_POOL_EVENT_STOPPED 3
#define VGM_STORAGE_POOL_EVENT_CREATED 4
#define VGM_STORAGE_POOL_EVENT_DELETED 5

/* Secrets: the lifecycle (0: defined, undefined; detail 0) and
 * VALUE_CHANGED (1: a value was set). */
#define VGM_SECRET_EVENT_ID_LIFECYCLE 0
#define VGM_SECRET_EVENT_ID_VALUE_CHANGED 1
#define VGM_SECRET_EVENT_ID_LAST 2
#define VGM_SECRET_EVENT_DEFINED 0
#define VGM_SECRET_EVENT_UNDEFINED 1

/* Node devices: the lifecycle (0: created, deleted; detail 0) and UPDATE
 * (1: the device changed), from the kernel's uevents (or udev's, where
 * udev runs) once a listener registered (driver_nodedev.c). A callback
 * gets the device's name, and no uuid. */
#define VGM_NODE_DEVICE_EVENT_ID_LIFECYCLE 0
#define VGM_NODE_DEVICE_EVENT_ID_UPDATE 1
#define VGM_NODE_DEVICE_EVENT_ID_LAST 2
#define VGM_NODE_DEVICE_EVENT_CREATED 0
#define VGM_NODE_DEVICE_EVENT_DELETED 1

/* As vgmDriverEventRegister, for the events of the @kind object with
 * @uuid, or (a node device) called @name (both NULL: of every one); ids
 * are counted with the domains'. */
int vgmDriverObjectEventRegister(VgmDriver *drv, VgmEventObject kind, int eventID,
                                 const unsigned char *uuid, const char *name, VgmEventFunc func,
                                 gpointer opaque, GDestroyNotify freeOpaque, GError **error);
/* Removes callback @callbackID of a @kind object (another kind's is not
 * found). */
gboolean vgmDriverObjectEventDeregister(VgmDriver *drv, VgmEventObject kind, int callbackID,
                                        GError **error);
/* For the network, storage, secret and node device drivers: event
 * @eventID of the @kind object @name (a secret: its usage id) with @uuid
 * (a secret: and @usageType; a node device: NULL), with @event and
 * @detail for a lifecycle event. */
void vgmDriverEmitObjectEvent(VgmDriver *drv, VgmEventObject kind, int eventID, const char *name,
                              const unsigned char *uuid, int usageType, int event, int detail);
