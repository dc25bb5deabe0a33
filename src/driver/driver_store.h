/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver_store.h: where the embedded driver keeps its domains.
 *
 * Owns the directory layout under a root (persistent configs, status files
 * of running domains, per-domain locks and logs, the capability cache), the
 * rule that a domain name is a safe file name, writing configs and status
 * files so that a killed process leaves the old or the new file and never a
 * part of one, the per-domain lock (and the store lock taken inside it),
 * the counter that hands out domain ids, how a status file says which
 * process is the domain's QEMU (pid, its start time and the boot it ran
 * in, so that a reused pid is never mistaken for it), and the test hook
 * that lets a test kill the tool at a chosen point.
 *
 * Layout (ROOT given by --root or VIRT_GMEM_ROOT; see docs/lifecycle.rst):
 *   ROOT/etc/qemu/NAME.xml        persistent config, canonical XML
 *   ROOT/etc/qemu/autostart/NAME  present: the domain autostarts
 *   ROOT/run/autostarted          the daemon autostarted the domains (once
 *                                 per boot: /run is a tmpfs)
 *   ROOT/run/qemu/NAME.status     status of a running domain (JSON)
 *   ROOT/run/qemu/NAME.lock       per-domain lock (flock), holder's pid
 *   ROOT/run/qemu/domain-NAME/    monitor socket, QEMU's pidfile (qemu.pid)
 *   ROOT/run/qemu/driver.lock     store lock (uniqueness checks, ids)
 *   ROOT/run/qemu/next-id         the next domain id
 *   ROOT/lib/qemu/ram/            file-backed guest memory
 *   ROOT/log/qemu/NAME.log        QEMU's stdout and stderr
 *   ROOT/cache/qemucaps/          probed QEMU capabilities
 */
#pragma once

#include <sys/types.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "conf/domain_conf.h"

typedef struct {
    char *root;        /* the --root directory, NULL for the defaults */
    char *configDir;   /* persistent configs */
    char *stateDir;    /* persistent state (file-backed RAM lives below) */
    char *runDir;      /* status, locks, per-domain runtime dirs */
    char *logDir;      /* per-domain logs */
    char *cacheDir;    /* QEMU capability cache */
    char *mountsFile;  /* where hugetlbfs mounts are read: NULL for
                        * /proc/mounts (tests set a table of their own) */
    char *cgroupRoot;  /* where the host's cgroups are: NULL for
                        * /sys/fs/cgroup ($VIRT_GMEM_CGROUP_ROOT: tests
                        * give a tree of their own) */
    struct _VgmDriverStoreCache *cache; /* parsed configs, uuid hints */
} VgmDriverStore;

/* A long operation of this process (a save) holds domain @name's QEMU
 * monitor, which takes one client at a time: a look at the domain then
 * reads its state from @what (a static string: "saving") rather than
 * wait for the monitor. NULL @what: over. The mark waits for the looks
 * on the monitor begun before it. */
void vgmDriverStoreSetBusy(const VgmDriverStore *store, const char *name, const char *what);
const char *vgmDriverStoreGetBusy(const VgmDriverStore *store, const char *name);

/* A look of this process at domain @name's QEMU monitor: the mark of the
 * operation that holds it, or NULL, and then the look may use the monitor
 * until vgmDriverStoreLookEnd (no mark is made meanwhile). */
const char *vgmDriverStoreLookBegin(const VgmDriverStore *store, const char *name);
void vgmDriverStoreLookEnd(const VgmDriverStore *store, const char *name);

/* A detach of this process waits (@waiting) or no longer waits for the
 * guest of domain @name to let QEMU device @id go */
void vgmDriverStoreUnplugWait(const VgmDriverStore *store, const char *name, const char *id,
                              gboolean waiting);
/* With @refuse: QEMU says the guest refused that unplug; returns whether
 * a detach waits for it (and now learns so). Without: whether the guest
 * refused the unplug the detach waits for. */
gboolean vgmDriverStoreUnplugRefused(const VgmDriverStore *store, const char *name,
                                     const char *id, gboolean refuse);

/*
 * Opens the store under @root; NULL @root: $VIRT_GMEM_ROOT if set, else the
 * defaults (root: /var/lib/virt-gmem, /run/virt-gmem,
 * /var/log/virt-gmem, /var/cache/virt-gmem; other users: the XDG config,
 * state, runtime and cache dirs). Creates the directories.
 */
VgmDriverStore *vgmDriverStoreOpen(const char *root, GError **error);
void vgmDriverStoreFree(VgmDriverStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverStore, vgmDriverStoreFree)

/* Fails unless @name can be a domain's file name: not empty, no '/', does
 * not start with '.', no control characters, at most 200 bytes. */
gboolean vgmDriverStoreCheckName(const char *name, GError **error);

char *vgmDriverStoreConfigPath(const VgmDriverStore *store, const char *name);
char *vgmDriverStoreStatusPath(const VgmDriverStore *store, const char *name);
char *vgmDriverStoreLockPath(const VgmDriverStore *store, const char *name);
char *vgmDriverStoreLogPath(const VgmDriverStore *store, const char *name);
/* ROOT/run/qemu/domain-NAME */
char *vgmDriverStoreDomainRunDir(const VgmDriverStore *store, const char *name);
/* ROOT/etc/qemu/autostart/NAME: present while domain NAME starts when
 * the daemon does (libvirt's /etc/libvirt/qemu/autostart/NAME.xml) */
char *vgmDriverStoreAutostartPath(const VgmDriverStore *store, const char *name);
/* ROOT/run/qemu/domain-NAME/qemu.pid: QEMU's -pidfile */
char *vgmDriverStorePidfilePath(const VgmDriverStore *store, const char *name);
/* ROOT/lib/qemu/ram */
char *vgmDriverStoreMemoryDir(const VgmDriverStore *store);
/* A UEFI varstore path the driver derives from @def's name (none when
 * the config names one) */
char *vgmDriverStoreDerivedNvram(const VgmDriverStore *store, const VgmDomainDef *def);
/* The directory of another kind of object (@kind: "networks", "secrets")
 * beside the domains' definitions, or, with @run, beside their run-time
 * state (ROOT/etc/@kind, ROOT/run/@kind). */
char *vgmDriverStoreObjectDir(const VgmDriverStore *store, gboolean run, const char *kind);

/* ---- persistent configs ---- */

/* Names of every persistent domain, sorted. */
GPtrArray *vgmDriverStoreListConfigs(const VgmDriverStore *store, GError **error);
gboolean vgmDriverStoreHasConfig(const VgmDriverStore *store, const char *name);
/* NULL with VGM_ERR_NO_DOMAIN when there is no config for @name. Stored
 * definitions are parsed, not checked against the domain rules (as
 * libvirt loads its configs, so a rule newer than a definition does not
 * lose it): what starts one checks it. */
VgmDomainDef *vgmDriverStoreLoadConfig(const VgmDriverStore *store,
                                       const char *name, GError **error);
/*
 * A persistent config as read from disk, shared and read-only: its uuid
 * and canonical XML, or why it cannot be used. The store keeps the last
 * one read per name and gives it out again, without reading or parsing,
 * for as long as the file is the same (same inode, size, modification and
 * change times); a file replaced by a define, or edited by hand, is read
 * again. The definition itself is not kept (a parsed definition is
 * several times the size of its text): vgmDriverConfigParse makes one.
 */
typedef struct {
    gint refs;
    unsigned char uuid[16];
    char *xml;              /* NULL when @broken, or when the file holds
                             * exactly this text (the usual case: a define
                             * writes it so): vgmDriverStoreConfigXML
                             * reads it from there */
    char *broken;           /* why the file is no definition, or NULL */
    int brokenCode;         /* VgmErrorCode of @broken */
    dev_t dev;
    ino_t ino;
    gint64 mtimeNs;
    gint64 ctimeNs;
    goffset size;
} VgmDriverConfig;

/* NULL with VGM_ERR_NO_DOMAIN when there is no config for @name; a config
 * that does not parse fails with a message naming its file. */
VgmDriverConfig *vgmDriverStoreGetConfig(const VgmDriverStore *store,
                                         const char *name, GError **error);
/* The canonical XML of @cfg, the config of @name (a copy). */
char *vgmDriverStoreConfigXML(const VgmDriverStore *store, const char *name,
                              const VgmDriverConfig *cfg, GError **error);
/* The definition in @cfg, the config of @name (a new one, the caller's). */
VgmDomainDef *vgmDriverConfigParse(const VgmDriverStore *store, const char *name,
                                   const VgmDriverConfig *cfg, GError **error);
VgmDriverConfig *vgmDriverConfigRef(VgmDriverConfig *cfg);
void vgmDriverConfigUnref(VgmDriverConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverConfig, vgmDriverConfigUnref)

/* The uuid of a config that cannot be parsed: the <uuid> its text holds,
 * if one can be found, else one made from @name (the same every time). */
void vgmDriverStoreBrokenConfigUUID(const VgmDriverStore *store, const char *name,
                                    unsigned char *uuid);

/* The name last seen with @uuid, or NULL: a hint that the caller checks. */
char *vgmDriverStoreUUIDHint(const VgmDriverStore *store, const unsigned char *uuid);
void vgmDriverStoreSetUUIDHint(const VgmDriverStore *store, const unsigned char *uuid,
                               const char *name);

/*
 * ---- the index of domain files ----
 *
 * A long-lived process (the daemon) asks the store to keep an index of
 * which domains have a config, a status file and a stop reason, and of
 * the uuid of every config, kept current with inotify on the config and
 * runtime directories: any change another process (virt-gmem on the same
 * root) has finished before a call is seen by that call, without looking
 * at every file again. Without the index (a short-lived command, or no
 * inotify), every view is read from the directories.
 */

/* Starts the index; FALSE (and the store works without) when inotify
 * cannot watch the directories. */
gboolean vgmDriverStoreStartIndex(VgmDriverStore *store);

/* Which files a domain has. */
enum {
    VGM_DRIVER_STORE_HAS_CONFIG = 1 << 0,
    VGM_DRIVER_STORE_HAS_STATUS = 1 << 1,
    VGM_DRIVER_STORE_HAS_STOPPED = 1 << 2,
};

/* The domain files of the store at one moment, read-only and shared. */
typedef struct {
    gint refs;
    GPtrArray *names;       /* sorted: every name with a config or a status */
    GHashTable *files;      /* name -> GUINT_TO_POINTER(VGM_DRIVER_STORE_HAS_*) */
    gboolean configsCurrent; /* every cached config is its file as of now:
                              * no need to look at each (the index, or an
                              * unchanged config dir) */
} VgmDriverStoreView;

VgmDriverStoreView *vgmDriverStoreGetView(const VgmDriverStore *store, GError **error);
guint vgmDriverStoreViewFiles(const VgmDriverStoreView *view, const char *name);
VgmDriverStoreView *vgmDriverStoreViewRef(VgmDriverStoreView *view);
void vgmDriverStoreViewUnref(VgmDriverStoreView *view);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverStoreView, vgmDriverStoreViewUnref)

/* Which of VGM_DRIVER_STORE_HAS_* domain @name has now: from the index
 * when there is one, else from the files. */
guint vgmDriverStoreDomainFiles(const VgmDriverStore *store, const char *name);

/* vgmDriverStoreGetConfig, without looking at the file when the view says
 * the cached configs are current and one is cached for @name. */
VgmDriverConfig *vgmDriverStoreGetConfigIn(const VgmDriverStore *store,
                                           const VgmDriverStoreView *view,
                                           const char *name, GError **error);

/*
 * The names, sorted, of the configs of @view whose uuid (or, for one that
 * cannot be parsed, vgmDriverStoreBrokenConfigUUID's) is @uuid; NULL when
 * the store has no index, and the caller must look at every config.
 * Reads the configs not yet cached first.
 */
GPtrArray *vgmDriverStoreConfigsWithUUID(const VgmDriverStore *store,
                                         const VgmDriverStoreView *view,
                                         const unsigned char *uuid);

/* Writes the canonical XML of @def: first completely to a staging file
 * beside it, then renamed over NAME.xml (test hook define-before-rename
 * sits between the two). Leftovers of a killed write are removed. */
gboolean vgmDriverStoreSaveConfig(const VgmDriverStore *store,
                                  const VgmDomainDef *def, GError **error);
gboolean vgmDriverStoreDeleteConfig(const VgmDriverStore *store,
                                    const char *name, GError **error);

/* Renames the config of domain @from (uuid @uuid) to @to, with its
 * autostart mark, snapshots and stop reason, crash-safely through a
 * journal (see driver_store.c). The caller holds both domain locks and
 * the store lock, and has checked that @to is free. */
gboolean vgmDriverStoreRename(const VgmDriverStore *store, const char *from, const char *to,
                              const unsigned char *uuid, GError **error);
/* ROOT/lib/qemu/snapshot/NAME, the snapshots of domain @name */
char *vgmDriverStoreSnapshotDir(const VgmDriverStore *store, const char *name);

/* ---- locks ---- */

typedef struct _VgmDriverLock VgmDriverLock;

/*
 * Takes the lock of domain @name (flock on ROOT/run/qemu/NAME.lock),
 * retrying for at most @timeoutMs (0: one try). A lock held by another
 * process fails with VGM_ERR_OPERATION_INVALID, "domain NAME is locked by
 * another virt-gmem process (pid N)". The file records the holder's pid.
 */
VgmDriverLock *vgmDriverStoreLockDomain(const VgmDriverStore *store,
                                        const char *name,
                                        unsigned int timeoutMs,
                                        GError **error);
/* Removes the temporary files of a status, stop reason or config write
 * that a process killed before its rename left (".NAME.status.XXXXXX",
 * ".NAME.stopped.XXXXXX", ".NAME.xml.XXXXXX", ".NAME.xml.new"), each
 * only while its domain's lock is free, so that no write under way loses
 * its file. */
void vgmDriverStoreRemoveTemps(const VgmDriverStore *store);

/* The store lock, taken inside a domain lock, never the other way round. */
VgmDriverLock *vgmDriverStoreLockStore(const VgmDriverStore *store,
                                       GError **error);
void vgmDriverLockRelease(VgmDriverLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverLock, vgmDriverLockRelease)

/* How long a command waits for a busy domain lock. */
#define VGM_DRIVER_LOCK_TIMEOUT_MS 1000

/* ---- domain ids ---- */

/* The next domain id (1, 2, ...), from ROOT/run/qemu/next-id. The caller
 * holds the store lock (start takes the id and writes the domain's first
 * status under one hold). */
gboolean vgmDriverStoreAllocateId(const VgmDriverStore *store, int *id,
                                  GError **error);

/* ---- processes ---- */

/* Who a process is: its pid, its start time (clock ticks after boot, field
 * 22 of /proc/PID/stat) and the boot it started in. */
typedef struct {
    pid_t pid;
    guint64 startTime;
    char *bootId;
} VgmDriverProcIdent;

void vgmDriverProcIdentClear(VgmDriverProcIdent *ident);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VgmDriverProcIdent, vgmDriverProcIdentClear)

/* Fills @ident for the live process @pid. A process that does not exist or
 * is a zombie fails with VGM_ERR_OPERATION_FAILED. */
gboolean vgmDriverProcIdentGet(pid_t pid, VgmDriverProcIdent *ident,
                               GError **error);

/* Parses the text of /proc/PID/stat: the state letter and the start time.
 * The command name may hold spaces and parentheses. */
gboolean vgmDriverProcParseStat(const char *text, char *state,
                                guint64 *startTime);

/* Whether the process @ident names is still alive (not a zombie) and is the
 * same process (same start time in the same boot). */
gboolean vgmDriverProcIdentIsAlive(const VgmDriverProcIdent *ident);

/* ---- status files ---- */

typedef enum {
    VGM_DRIVER_STATUS_STARTING = 0, /* written before the spawn (pid 0 until
                                     * the pid is known); not yet verified
                                     * and resumed */
    VGM_DRIVER_STATUS_RUNNING,      /* verified and handed over */

    VGM_DRIVER_STATUS_LAST
} VgmDriverStatusState;
VGM_ENUM_DECL(vgmDriverStatusState);

/* A live update under way: the other QEMU of the domain. The status's
 * own QEMU fields always name the QEMU that owns the guest. */
typedef enum {
    VGM_DRIVER_UPDATE_INCOMING = 0, /* a new QEMU receiving the guest; the
                                     * owner stays until the switch */
    VGM_DRIVER_UPDATE_RETIRING,     /* the QEMU the guest left at the
                                     * switch, to be ended */

    VGM_DRIVER_UPDATE_LAST
} VgmDriverUpdateRole;
VGM_ENUM_DECL(vgmDriverUpdateRole);

/* A queue of a tap or macvtap a live update hands the new QEMU: its file
 * in the owner (the QEMU the guest runs on before the switch), and
 * whether the owner had it detached (TUNSETQUEUE), known once the update
 * has attached every queue for the new QEMU's start */
typedef struct {
    char *ifname;
    gboolean macvtap;
    int qemuFd;                 /* the fd number in the owner */
    VgmTristate detached;       /* ABSENT: not known (nothing changed yet) */
} VgmDriverTapQueue;

typedef struct {
    VgmDriverUpdateRole role;
    VgmDriverProcIdent qemu;    /* pid 0: not known yet */
    pid_t updaterPid;           /* the virt-gmem doing the update */
    gboolean wasRunning;        /* the vCPUs ran when the update began */
    char *monitor;
    char *events;               /* its event monitor socket, or NULL */
    char *pidfile;
    char *emulator;
    char *capsName;
    char *capsVersion;
    GArray *tapQueues;          /* incoming: VgmDriverTapQueue, or NULL */
    char *tpmState;             /* the TPM state directory the new QEMU's
                                 * swtpm uses (see driver_tpm.h), or NULL */
} VgmDriverStatusUpdate;

/* An empty array of VgmDriverTapQueue, which frees their names */
GArray *vgmDriverTapQueuesNew(void);

void vgmDriverStatusUpdateFree(VgmDriverStatusUpdate *update);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverStatusUpdate, vgmDriverStatusUpdateFree)

/* What libvirt calls a domain's taints: how its run left what the driver
 * vouches for (libvirt's names and order) */
typedef enum {
    VGM_DRIVER_TAINT_CUSTOM_ARGV,       /* <qemu:commandline> */
    VGM_DRIVER_TAINT_CUSTOM_MONITOR,    /* a client's QEMU monitor command */
    VGM_DRIVER_TAINT_HIGH_PRIVILEGES,   /* QEMU runs as root */
    VGM_DRIVER_TAINT_SHELL_SCRIPTS,     /* an interface's <script> ran */
    VGM_DRIVER_TAINT_HOST_CPU,          /* host-passthrough CPU */
    VGM_DRIVER_TAINT_CUSTOM_GA_COMMAND, /* a client's guest agent command */
    VGM_DRIVER_TAINT_DEPRECATED_CONFIG, /* a machine type QEMU deprecates */
    VGM_DRIVER_TAINT_LAST
} VgmDriverTaint;
VGM_ENUM_DECL(vgmDriverTaint);

typedef struct {
    char *name;
    unsigned char uuid[16];
    int id;
    VgmDriverStatusState state;
    VgmDriverProcIdent qemu;    /* pid 0: not known yet (a start) */
    pid_t starterPid;           /* the virt-gmem that is starting it, or 0 */
    char *monitor;              /* QMP socket path */
    char *events;               /* a second QMP socket, for a daemon's
                                 * event watcher; NULL in older files */
    char *pidfile;              /* QEMU's -pidfile, NULL in older files */
    char *emulator;             /* QEMU binary path */
    char *capsName;             /* capability set name */
    char *capsVersion;          /* "7.2.19" */
    char *machine;              /* resolved machine type */
    gint64 startedAt;           /* unix time, seconds */
    char *log;                  /* log file path */
    gint64 logOffset;           /* where this run's QEMU output starts */
    char *xml;                  /* the live XML (what it was started with) */
    gboolean transient;         /* no persistent config (undefined while running) */
    gboolean paused;            /* started with --paused */
    char *runReason;            /* libvirt's running reason once it is not
                                 * "booted" (resumed: "unpaused"), or NULL */
    char *job;                  /* a job that pauses the guest and writes a
                                 * file ("save", "snapshot", "dump") while
                                 * it runs, else NULL: one whose process died
                                 * is undone (vgmDriverDomainJobRecover) */
    gboolean jobResume;         /* ... which found the guest running */
    pid_t jobPid;               /* ... and the process that runs it */
    char *jobTemp;              /* ... and its temporary, once made */
    char *jobTarget;            /* ... and the file it writes (atomically,
                                 * through a temporary beside it), or NULL */
    JsonNode *unplugs;          /* devices asked to go whose guest has not
                                 * let go yet: an object of QEMU device id
                                 * -> the device XML detached, or NULL */
    gboolean rebooting;         /* a reboot was asked for: QEMU pauses at the
                                 * guest's next power-off instead of exiting,
                                 * and the driver resets the guest and lets
                                 * it run (libvirt's fake reboot) */
    gboolean restartAtPoweroff; /* <on_poweroff>restart: QEMU pauses at
                                 * every power-off (-no-shutdown), and the
                                 * driver restarts the guest the same way */
    gboolean hasClockAdjustment0; /* <clock offset='variable'>: ... */
    long long clockAdjustment0; /* the seconds from UTC QEMU's -rtc base
                                 * was given, which its RTC_CHANGE offsets
                                 * count from (libvirt's adjustment0) */
    JsonNode *plan;             /* vgmQemuPlanToJSON, or NULL */
    char **hugetlbfsDirs;       /* MOUNT/virt-gmem/NAME dirs start made,
                                 * removed with the status; or NULL */
    VgmDriverStatusUpdate *update; /* a live update under way, or NULL */
    GArray *websocketPorts;     /* int: the VNC websocket ports the start
                                 * chose (websocket='-1'), or NULL */
    int agentTimeout;           /* seconds each guest agent command waits;
                                 * -2: as long as it takes (the default) */
    guint taints;               /* 1 << VgmDriverTaint, of this run */
    char **deprecations;        /* what of its configuration QEMU
                                 * deprecates, or NULL */
} VgmDriverStatus;

VgmDriverStatus *vgmDriverStatusNew(void);
void vgmDriverStatusFree(VgmDriverStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgmDriverStatus, vgmDriverStatusFree)

/* The JSON text of @status (ends with a newline) and back. */
char *vgmDriverStatusFormat(const VgmDriverStatus *status);
VgmDriverStatus *vgmDriverStatusParse(const char *text, const char *what,
                                      GError **error);

/* NULL and no error when @name has no status file. */
VgmDriverStatus *vgmDriverStoreLoadStatus(const VgmDriverStore *store,
                                          const char *name, GError **error);
gboolean vgmDriverStoreSaveStatus(const VgmDriverStore *store,
                                  const VgmDriverStatus *status,
                                  GError **error);
/* Removes the status file, the domain's runtime dir (with the monitor
 * socket and the pidfile), its file-backed RAM under ROOT/lib/qemu/ram/NAME
 * and the per-domain hugetlbfs dirs its status lists. Missing files are
 * fine. */
gboolean vgmDriverStoreDeleteStatus(const VgmDriverStore *store,
                                    const char *name, GError **error);
/* Why a domain last stopped (libvirt's shut-off reason word: "shutdown",
 * "destroyed", ...), kept beside the status files until its next start
 * (ROOT/run/qemu/NAME.stopped), so that later reads report it as
 * libvirt does. @reason NULL removes it. Best effort: a reason that cannot
 * be written reads as "unknown". */
void vgmDriverStoreSetStopReason(const VgmDriverStore *store, const char *name,
                                 const char *reason);
/* The word written last, or NULL. */
char *vgmDriverStoreGetStopReason(const VgmDriverStore *store, const char *name);
/* Names of every domain with a stop reason, sorted. */
GPtrArray *vgmDriverStoreListStopReasons(const VgmDriverStore *store, GError **error);

/* Names of every domain with a status file, sorted. */
GPtrArray *vgmDriverStoreListStatus(const VgmDriverStore *store,
                                    GError **error);

/* ---- test hook ---- */

/*
 * VIRT_GMEM_TEST_PAUSE_AT=POINT makes the tool stop at POINT so that a test
 * can kill it there: it prints "virt-gmem: paused at POINT (pid N)" on
 * stderr and sleeps (for at most an hour). POINTs: define-before-rename
 * (the new config is complete in its staging file, not yet renamed),
 * start-before-spawn (the status file says 'starting', nothing spawned),
 * start-before-pid (QEMU is spawned, the status does not have its pid
 * yet), start-after-spawn (QEMU runs, the status file says 'starting' with
 * its pid, the monitor is not yet checked); save-after-stop (the guest
 * paused for a save, the job marked in the status), save-before-commit
 * (QEMU wrote the whole image into its temporary), save-after-commit (the
 * image is in place, QEMU still runs). Unset in normal use; costs one
 * getenv.
 */
void vgmDriverTestPause(const char *point);
