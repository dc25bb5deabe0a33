/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_process.h: one domain's QEMU process.
 *
 * Owns starting QEMU (capabilities from the cache, the command line, the
 * host checks that must pass before anything is spawned, the spawn itself
 * with a clean environment, its own session, a pidfile and its output in
 * the domain log), checking the running QEMU against the backend plan over
 * QMP before the guest runs, finding a QEMU whose starter died before it
 * wrote the pid down, and stopping it (SIGTERM, then SIGKILL). A start
 * that fails leaves no process, no status file and no socket behind.
 *
 * The caller holds the domain lock (driver_domain.c does).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "driver/driver_store.h"
#include <gio/gio.h>
#include "qemu/qemu_command.h"
#include "qemu/qemu_monitor.h"
#include "qemu/qemu_plan.h"

/* Bounds of a start: QEMU must create its monitor socket and answer on it
 * within this time. */
#define VGM_DRIVER_START_TIMEOUT_MS 30000
/* How long destroy waits after SIGTERM before it sends SIGKILL, and after
 * SIGKILL before it gives up. */
#define VGM_DRIVER_KILL_GRACE_MS 10000
#define VGM_DRIVER_KILL_FORCE_MS 5000
/* How long a look at a running QEMU, or a command of an operation, waits
 * for its monitor: long enough for a QEMU on a loaded host (two TCG
 * guests and sanitizer builds on two cores), still well below libvirt's
 * 30 s wait for a domain's job. */
#define VGM_DRIVER_QUERY_TIMEOUT_MS 10000

typedef enum {
    VGM_DRIVER_START_NONE = 0,
    VGM_DRIVER_START_PAUSED = 1 << 0,    /* leave the vCPUs stopped */
    VGM_DRIVER_START_TRANSIENT = 1 << 1, /* no persistent config */
    VGM_DRIVER_START_RUNNING = 1 << 2,   /* a restored guest runs, also
                                          * one saved paused */
    VGM_DRIVER_START_FORCE_BOOT = 1 << 3, /* a managed save image is
                                           * removed, the guest booted */
    VGM_DRIVER_START_RESET_NVRAM = 1 << 4, /* the UEFI varstore made again
                                            * from its template */
    VGM_DRIVER_START_BYPASS_CACHE = 1 << 5, /* a save image read is left
                                             * out of the page cache */
} VgmDriverStartFlags;

/* The emulator of @def: <emulator>, else qemu-system-ARCH from $PATH, else
 * /usr/bin/qemu-system-ARCH. */
char *vgmDriverProcessEmulator(const VgmDomainDef *def);

/* Writes the secrets @secrets (VgmQemuCmdSecret) QEMU reads from files (a
 * network disk's <auth> and an image's <encryption>, looked up in the
 * secret driver, and HTTP cookies), readable by their owner only, into
 * the domain's run-time directory, which the end of the run removes */
gboolean vgmDriverProcessWriteSecrets(const VgmDriverStore *store, const GPtrArray *secrets,
                                      GError **error);

/* Validates @def against @caps, plans and renders its command line with
 * the store's paths (runtime, memory, log dirs and hugetlbfs mounts) and
 * the host nodes numad advised (@autoNodeset, or NULL). */
VgmQemuCmd *vgmDriverProcessBuild(const VgmDriverStore *store,
                                  const VgmDomainDef *def,
                                  const VgmQemuCaps *caps, const VgmBitmap *autoNodeset,
                                  VgmQemuPlan **plan, GError **error);

/*
 * libvirt's automatic placement: when <vcpu> or <numatune><memory> says
 * placement='auto', numad is asked where the domain fits (numad -w
 * VCPUS:MEMORY_MIB prints a host node set); *@cpus gets those nodes' CPUs
 * (where the vCPUs and QEMU's other threads run), *@nodes those of them
 * with memory (where the guest RAM is bound). Without placement 'auto'
 * both stay NULL. Refused, naming the element, when numad is not
 * installed or gives no usable answer.
 */
gboolean vgmDriverProcessPlacementAdvice(const VgmDomainDef *def, VgmBitmap **nodes,
                                         VgmBitmap **cpus, GError **error);

/* What the driver changes in a rendered command line: -pidfile @pidfile,
 * a second QMP monitor on @events (for a daemon's event watcher), and no
 * -no-shutdown (QEMU exits by itself at the guest's power-off) unless
 * @restart (<on_poweroff>restart: QEMU waits, and the driver restarts
 * the guest). */
void vgmDriverProcessAdjustCommandLine(VgmQemuCmd *cmd, const char *pidfile,
                                       const char *events, gboolean restart);

/* Fails when @path is too long for a unix socket address. */
gboolean vgmDriverProcessCheckSocketPath(const char *path, GError **error);

/* Spawns @cmd as domain @name's QEMU: in its own session, in the cgroup
 * of each of @cgroupProcs (NULL: none; the files it writes "0" to before
 * exec), with a locked-memory limit of @memlock bytes (0: the caller's),
 * stdin from /dev/null, stdout and stderr appended to @logPath after a
 * start banner (*@logOffset: where QEMU's own output begins), and the fds
 * of @passFds (VgmDriverPassFd, or NULL) at their targets: those are
 * taken (their fd becomes -1) once the spawn is tried. */
GSubprocess *vgmDriverProcessSpawn(const VgmQemuCmd *cmd, const VgmQemuCaps *caps,
                                   const char *logPath, const char *name,
                                   const char *const *cgroupProcs, guint64 memlock,
                                   GArray *passFds, goffset *logOffset, GError **error);

/* The locked-memory limit QEMU gets for @def, as libvirt sets it: for
 * <memoryBacking><locked/> the <memtune> hard limit, or RLIM_INFINITY
 * without one; 0 (leave it) otherwise, and where this process may not
 * raise its limit that far (no CAP_SYS_RESOURCE). */
guint64 vgmDriverProcessMemlockLimit(const VgmDomainDef *def);
/* Fails, naming the limits, when QEMU could not lock the guest's memory:
 * the limit it needs is above this user's hard limit, which it may not
 * raise, and it has no CAP_IPC_LOCK (which lets it lock past the limit). */
gboolean vgmDriverProcessCheckMemlock(const VgmDomainDef *def, GError **error);

/* A start between its two halves. */
typedef struct _VgmDriverStart VgmDriverStart;

void vgmDriverStartFree(VgmDriverStart *start);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverStart, vgmDriverStartFree)

/* Sends @cmd's startup QMP commands (disk throttling, opened trays) over
 * @mon, in order; the first QEMU refuses fails with its message. For a
 * QEMU that took over a running guest (@migrated), what migration carries
 * (a tray's state) is not set again. */
/* What QEMU (monitor @mon) made of live XML *@xml, written into it as
 * libvirt shows it: the ptys of its pty character devices (a <source
 * path=''>, and a console's tty=''; query-chardev's "pty:PATH" of the
 * chardev "char<alias>", a serial console sharing its serial port's),
 * its disks' chains and image numbers (vgmDriverDiskChainsDetect), the
 * slot and base address of each dimm and nvdimm, and with @balloon the
 * current memory: what QEMU's balloon holds (not for a QEMU still to
 * load a guest's state, whose XML has it) */
gboolean vgmDriverProcessReadLive(VgmQemuMonitor *mon, char **xml, gboolean balloon,
                                  GError **error);
gboolean vgmDriverProcessRunStartup(const VgmQemuCmd *cmd, VgmQemuMonitor *mon,
                                    gboolean migrated, GError **error);

/* Pins QEMU @pid's threads as @def's <cputune> and <vcpu cpuset> say, or
 * for <vcpu placement='auto'> to @autoCpus (emulator threads, then each
 * vCPU thread, found over @mon). */
gboolean vgmDriverProcessPin(const VgmDomainDef *def, const VgmBitmap *autoCpus,
                             VgmQemuMonitor *mon, pid_t pid, GError **error);

/*
 * The first half of starting QEMU for @def (whose post-parse and generic
 * validation are done): capabilities (ROOT/cache/qemucaps), command line
 * (rules 9-12; -pidfile added, -no-shutdown dropped when <on_poweroff> is
 * destroy), KVM and guest_memfd host checks. Writes nothing. The start's
 * status (vgmDriverStartGetStatus) says 'starting' with no pid and no id
 * yet; the caller sets the id and saves it, so that from then on a crash
 * at any point leaves a status from which the next command cleans up.
 */
VgmDriverStart *vgmDriverProcessPrepare(const VgmDriverStore *store,
                                        const VgmDomainDef *def,
                                        unsigned int flags, GError **error);
/* Hands QEMU @fd (owned by @start from now on) as fd @target. */
void vgmDriverStartPassFd(VgmDriverStart *start, int fd, int target);
/* The start loads the guest's state from @fd (owned by @start from now
 * on), a save image at the start of QEMU's stream (-incoming): the guest
 * continues where it was saved, paused until the load is over, then as
 * the start's flags say. @spent, if not NULL, is a managed save image,
 * removed once QEMU has loaded it (before the guest runs again). */
void vgmDriverStartSetIncoming(VgmDriverStart *start, int fd, const char *spent);
/* The start's QEMU listens for a migration's stream at @uri (-incoming
 * tcp:HOST:PORT): the start is over once QEMU listens, the guest paused
 * ('migrating') until the stream is in (vgmDriverDomainMigrateFinish). */
void vgmDriverStartSetIncomingUri(VgmDriverStart *start, const char *uri);
VgmDriverStatus *vgmDriverStartGetStatus(VgmDriverStart *start);

/*
 * The second half, once the status is saved: runtime and memory dirs,
 * spawn, the pid into the status, monitor, query-memdev / qom-get checks
 * against the plan, 'cont', status 'running'. Returns the status (taken
 * from @start). Any failure kills and reaps QEMU and removes what the
 * start created, the status too; a failure after the spawn quotes the
 * tail of the QEMU log.
 */
VgmDriverStatus *vgmDriverProcessLaunch(VgmDriverStart *start, GError **error);

/* The per-domain dirs (MOUNT/virt-gmem/NAME) that @plan's hugepage
 * backends need under hugetlbfs mounts, or NULL. Pure, for tests. */
char **vgmDriverProcessHugetlbfsDirs(const VgmDomainDef *def,
                                     const VgmQemuPlan *plan);

/*
 * Checks query-memdev's reply @memdevs (a JSON array) against @plan: every
 * backend of the plan is there (by id) with the planned size and share.
 * Pure, for tests.
 */
gboolean vgmDriverProcessCheckMemdevs(const VgmQemuPlan *plan, JsonNode *memdevs,
                                      GError **error);

/* The whole check of a running QEMU against @plan over @mon: query-memdev,
 * then qom-get of each backend's 'type' and of the guest_memfd property
 * the plan used (skipped where QEMU has no such property). */
gboolean vgmDriverProcessVerify(VgmQemuMonitor *mon, const VgmQemuPlan *plan,
                                GError **error);

/* The QMP socket path in a rendered command line (the -chardev of id
 * charmonitor), or NULL. */
char *vgmDriverProcessMonitorPath(char **argv);

/*
 * Finds the live QEMU started with "-pidfile @pidfile" (and, if @monitor
 * is not NULL, the QMP socket @monitor): first the pid in @pidfile, then,
 * when QEMU has not written it yet (or it is gone), every process's
 * command line. A pid is taken only if /proc/PID/cmdline has those
 * arguments, so a reused pid is never taken for QEMU.
 */
gboolean vgmDriverProcessFind(const char *pidfile, const char *monitor,
                              VgmDriverProcIdent *ident);

/*
 * Stops the process @qemu names: nothing to do when it is gone (or is
 * another process now); else SIGTERM, up to @graceMs for it to exit,
 * SIGKILL, up to VGM_DRIVER_KILL_FORCE_MS. Fails if it survives.
 */
gboolean vgmDriverProcessKill(const VgmDriverProcIdent *qemu,
                              unsigned int graceMs, GError **error);

/* Opens the monitor of a running domain with a short deadline. */
VgmQemuMonitor *vgmDriverProcessConnect(const VgmDriverStatus *status,
                                        unsigned int timeoutMs,
                                        GError **error);

/* QEMU's run state (query-status "status": running, paused, shutdown,
 * prelaunch, guest-panicked, ...). */
char *vgmDriverProcessQueryStatus(VgmQemuMonitor *mon, GError **error);

/* The user and system CPU time (ns, at the kernel's clock tick) of
 * process @pid, or of its thread @tid when > 0; FALSE when gone. */
gboolean vgmDriverProcessTimes(pid_t pid, pid_t tid, guint64 *user, guint64 *sys);
/* CPU time used by process @pid, in nanoseconds (0 if unknown). */
guint64 vgmDriverProcessCpuTime(pid_t pid);

/* What a block job running refuses */
typedef enum {
    VGM_DRIVER_BLOCK_JOB_BLOCKS_SAVE = 0,       /* a save, by any disk's job */
    VGM_DRIVER_BLOCK_JOB_BLOCKS_DETACH,         /* the detach of the disk */
    VGM_DRIVER_BLOCK_JOB_BLOCKS_SNAPSHOT,       /* an external snapshot of it */
    VGM_DRIVER_BLOCK_JOB_BLOCKS_MIGRATE,        /* a migration, by any disk's job */
} VgmDriverBlockJobBlocks;

/* Whether QEMU @mon (of domain @def) runs none of the driver's block jobs
 * (driver_blockjob.c) on the disk whose device is @devId, or with @devId
 * NULL on any disk; else FALSE with the error that refuses @what */
gboolean vgmDriverDomainNoBlockJob(VgmQemuMonitor *mon, const VgmDomainDef *def,
                                   const char *devId, VgmDriverBlockJobBlocks what,
                                   GError **error);

/* The write threshold set on the image each disk of @def (running in
 * QEMU @mon) is stored on, by target (guint64 values), where one is set;
 * NULL when QEMU cannot say (driver_blockjob.c) */
GHashTable *vgmDriverBlockThresholds(VgmQemuMonitor *mon, const VgmDomainDef *def);

/* One image of a running disk's chain as QEMU has it */
typedef struct {
    char *file;                 /* its file */
    char *format;               /* QEMU's format driver of it */
    char *node;                 /* its format node; NULL: QEMU does not say */
    char *storage;              /* the node its data is stored on; NULL: QEMU
                                 * does not say */
    unsigned int index;         /* its number in the live XML (libvirt's
                                 * DST[N]); 0: none */
} VgmDriverChainImage;

void vgmDriverChainImageFree(VgmDriverChainImage *im);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverChainImage, vgmDriverChainImageFree)

/* The images of disk @d of @def running in QEMU @mon, its top first
 * (below the filters over it), then each backing image; NULL with an
 * error when QEMU has no image of the disk (driver_blockjob.c) */
GPtrArray *vgmDriverBlockChainImages(VgmQemuMonitor *mon, const VgmDomainDef *def,
                                     const VgmDiskDef *d, GError **error);

/* ---- external snapshots' QEMU side (driver_blockjob.c) ---- */

/* The top node of disk @d of @def in QEMU @mon, which must be the disk's
 * own image (no job's or filter's node above it), and its virtual size */
gboolean vgmDriverBlockTop(VgmQemuMonitor *mon, const VgmDomainDef *def, const VgmDiskDef *d,
                           char **node, guint64 *virtualSize, GError **error);

/* One disk of an external snapshot: its top node now, and the nodes of
 * the new image over it as a start would add them (storage, then format,
 * named vgm-N-storage and vgm-N-format after the disk's number) */
typedef struct {
    const char *dst;
    const char *top;
    JsonObject *storage;
    JsonObject *format;
} VgmDriverBlockOverlay;

/* Opens every new image of @overlays[0..@n) in QEMU @mon under names of
 * its own (vgm-N-sK-...) and, in one transaction, puts each over its
 * disk's top (blockdev-snapshot): all the disks move, or none does and
 * the new nodes are closed again */
gboolean vgmDriverBlockSnapshot(VgmQemuMonitor *mon, const char *domName,
                                VgmDriverBlockOverlay *overlays, guint n, GError **error);

/* The host NUMA nodes domain @def binds memory to exist (a start's check,
 * and libvirt's domxml-to-native's), as libvirt checks them before QEMU
 * would fail on them */
gboolean vgmDriverProcessCheckNumaNodes(const VgmDomainDef *def, GError **error);
